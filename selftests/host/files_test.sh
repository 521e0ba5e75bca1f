#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Hostile files: config apply and cluster check read at most 4 MiB and 16
# levels of nesting, refuse the rest saying which limit, and tell a file's
# problems once each, the first 20 of them. Each is checked before
# gpupartctl asks the kernel anything, so no module is needed.
. "$(dirname "$0")/../lib.sh"
TOP=$(cd "$(dirname "$0")/../.." && pwd)
G=$TOP/userspace/gpupartctl

tap_plan 5
[ -x "$G" ] || tap_skip_rest "files" "run 'make tool' first"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
err=$dir/err

# refused EXIT TEXT CMD...: exits EXIT within 10 s, saying TEXT.
refused() {
	want=$1 text=$2
	shift 2
	timeout 10 "$@" >/dev/null 2>"$err"
	rc=$?
	[ "$rc" = "$want" ] && grep -qF "$text" "$err" && return 0
	diag "$*: exit $rc: $(head -c 300 "$err")"
	return 1
}

endless() {
	refused 1 "/dev/zero: larger than 4 MiB, the most gpupartctl reads" \
		"$G" config apply /dev/zero &&
		refused 2 "/dev/zero: larger than 4 MiB" "$G" cluster check /dev/zero
}

large() {
	head -c $((5 << 20)) /dev/zero | tr '\0' ' ' >"$dir/large.json"
	refused 1 "large.json: larger than 4 MiB" "$G" config apply "$dir/large.json"
}

deep() {
	python3 -c 'print("[" * 100000 + "]" * 100000)' >"$dir/deep.json"
	refused 1 "deep.json: nested deeper than 16 levels" "$G" config apply "$dir/deep.json" &&
		refused 2 "deep.json: nested deeper than 16 levels" "$G" cluster check "$dir/deep.json"
}

trailing() {
	printf '{"format":"gpupart-config"} {}' >"$dir/two.json"
	refused 1 "two.json: not one JSON document" "$G" config apply "$dir/two.json"
}

# 4,000 VMs on one VF: each told once, 20 shown, not millions of lines.
crowd() {
	python3 - "$dir/crowd.json" <<'PY'
import json, sys
dev = {"pci": "0000:01:00.0", "vendor": "1b36", "device": "0010",
       "subsystem_vendor": "1af4", "subsystem_device": "1100",
       "model": "unknown", "mode": "partition", "partition_count": 8}
vms = [{"vm": "vm-%d" % i, "kind": "partition", "device": "0000:01:00.0",
        "vf": "0000:01:00.1"} for i in range(4000)]
json.dump({"format": "gpupart-config", "version": 1, "placement": "spread",
           "devices": [dev], "vms": vms}, open(sys.argv[1], "w"))
PY
	refused 1 "vms[1]: VF 0000:01:00.1 is given to vms[0] already" \
		"$G" config apply "$dir/crowd.json" || return 1
	lines=$(wc -l <"$err")
	[ "$lines" -le 22 ] || { diag "$lines lines of problems"; return 1; }
	grep -q "only the first 20 problems are shown" "$err"
}

tap_check "config apply /dev/zero and cluster check /dev/zero: refused at 4 MiB" endless
tap_check "a 5 MiB file: refused" large
tap_check "nesting 100,000 deep: refused at 16 levels" deep
tap_check "two documents in one file: refused" trailing
tap_check "4,000 VMs on one VF: each told once, the first 20 shown" crowd
tap_finish
