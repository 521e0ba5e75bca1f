#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Send one monitor command to a QEMU test bed through its QMP socket.

    qmp.py SOCKET 'device_del gpu1'

The test bed's guest asks for host-side actions it cannot do itself (a
real PCIe hot-unplug and re-plug) by printing a GPUPART-HOST line; vm.sh
hands the command here. The command is HMP text, wrapped in QMP's
human-monitor-command, so device_add takes the same argument string as
QEMU's command line. Prints QEMU's answer; exits 1 on an error.
"""
import json
import socket
import sys


def main():
    if len(sys.argv) != 3:
        print("usage: qmp.py SOCKET COMMAND", file=sys.stderr)
        return 2
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(30)
    sock.connect(sys.argv[1])
    stream = sock.makefile("rw")

    def call(cmd, **args):
        stream.write(json.dumps({"execute": cmd, "arguments": args}) + "\n")
        stream.flush()
        for line in stream:
            msg = json.loads(line)
            if "return" in msg or "error" in msg:
                return msg
        raise ConnectionError("QEMU closed the monitor")

    json.loads(stream.readline())           # the greeting
    call("qmp_capabilities")
    answer = call("human-monitor-command", **{"command-line": sys.argv[2]})
    if "error" in answer:
        print("qmp: %s: %s" % (sys.argv[2], answer["error"]["desc"]))
        return 1
    out = answer["return"].strip()
    print("qmp: %s%s" % (sys.argv[2], (": " + out) if out else ""))
    # HMP reports its own errors as text, not as a QMP error.
    return 1 if out else 0


if __name__ == "__main__":
    sys.exit(main())
