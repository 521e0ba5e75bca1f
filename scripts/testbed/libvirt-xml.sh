#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Domain XML as libvirt itself writes it, for the hook's tests: Debian's
# libvirtd (started here if it is not running; it exits when idle)
# defines each domain below, "virsh dumpxml" prints it, with the
# guest-side <address> libvirt assigns after each hostdev's <source>,
# and the domain is undefined again. The addresses are the test bed's:
# VF 2 of the first stand-in (0000:01:00.3), the second stand-in's PF
# (0000:02:00.0), and a device that is not gpupart's (0000:00:01.0).
#
#   libvirt-xml.sh OUTDIR     writes OUTDIR/{web,big,plain,managed}.xml
set -eu
OUT=${1:?usage: libvirt-xml.sh OUTDIR}
URI=qemu:///system
if ! command -v virsh >/dev/null || ! command -v libvirtd >/dev/null; then
	echo "libvirt-xml: virsh or libvirtd not installed (make deps)" >&2
	exit 1
fi
mkdir -p "$OUT"
tmp=$(mktemp -d)
started=
cleanup() {
	for d in web big plain managed; do
		virsh -c "$URI" undefine "gpupart-test-$d" >/dev/null 2>&1 || true
	done
	[ -z "$started" ] || kill "$started" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

if ! virsh -c "$URI" version >/dev/null 2>&1; then
	libvirtd --timeout 60 >"$tmp/libvirtd.log" 2>&1 &
	started=$!
	for _ in $(seq 100); do
		virsh -c "$URI" version >/dev/null 2>&1 && break
		kill -0 "$started" 2>/dev/null ||
			{ echo "libvirt-xml: libvirtd exited:" >&2; cat "$tmp/libvirtd.log" >&2; exit 1; }
		sleep 0.1
	done
fi

# domain NAME MANAGED DOMAIN BUS SLOT FUNCTION: a minimal definition; what
# libvirt adds to it is the point.
domain() {
	cat <<END
<domain type='qemu'>
  <name>gpupart-test-$1</name>
  <memory unit='MiB'>64</memory>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  <devices>
    <hostdev mode='subsystem' type='pci' managed='$2'>
      <source><address domain='$3' bus='$4' slot='$5' function='$6'/></source>
    </hostdev>
  </devices>
</domain>
END
}

domain web no 0x0000 0x01 0x00 0x3 >"$tmp/web.xml"
domain big no 0x0000 0x02 0x00 0x0 >"$tmp/big.xml"
domain plain no 0x0000 0x00 0x01 0x0 >"$tmp/plain.xml"
domain managed yes 0x0000 0x01 0x00 0x3 >"$tmp/managed.xml"
for d in web big plain managed; do
	virsh -c "$URI" define "$tmp/$d.xml" >/dev/null
	virsh -c "$URI" dumpxml "gpupart-test-$d" >"$OUT/$d.xml"
	virsh -c "$URI" undefine "gpupart-test-$d" >/dev/null
	# What makes the test honest: libvirt added the guest address.
	grep -q "<address type='pci'" "$OUT/$d.xml" ||
		{ echo "libvirt-xml: libvirt added no guest address to $d" >&2; exit 1; }
done
