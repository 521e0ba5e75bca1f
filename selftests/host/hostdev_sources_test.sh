#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# gpupart-hostdev --sources, which the libvirt hook reads a domain's
# hostdevs with, on domain XML that libvirtd itself wrote
# (scripts/testbed/libvirt-xml.sh: Debian's libvirtd defines the domains,
# "virsh dumpxml" prints them with the guest address libvirt assigned
# after each hostdev's <source>): it prints the source address, never
# the guest one, and whether libvirt manages the device; what it cannot
# read it refuses, printing nothing.
. "$(dirname "$0")/../lib.sh"
TOP=$(cd "$(dirname "$0")/../.." && pwd)
H=$TOP/userspace/gpupart-hostdev

tap_plan 4
[ -x "$H" ] || tap_skip_rest "hostdev --sources" "run 'make tool' first"
is_root || tap_skip_rest "hostdev --sources" "libvirtd needs root"
command -v libvirtd >/dev/null || tap_skip_rest "hostdev --sources" "libvirtd not installed (make deps)"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$TOP/scripts/testbed/libvirt-xml.sh" "$dir" 2>"$dir/err" ||
	tap_skip_rest "hostdev --sources" "libvirtd could not write domains: $(cat "$dir/err")"

sources_not_guest() {
	for d in web:0000:01:00.3 big:0000:02:00.0 plain:0000:00:01.0; do
		f=${d%%:*}
		# The guest address libvirt assigned differs from the source's.
		guest=$(grep -A4 '<hostdev' "$dir/$f.xml" | grep "<address type='pci'" |
			sed "s/.*bus='0x\([0-9a-f]*\)' slot='0x\([0-9a-f]*\)' function='0x\([0-9a-f]\)'.*/\1:\2.\3/")
		[ -n "$guest" ] || { diag "$f: no guest address"; return 1; }
		expect_eq "$f" "$("$H" --sources <"$dir/$f.xml")" "${d#*:} unmanaged" || return 1
	done
}

managed_said() {
	expect_eq "managed" "$("$H" --sources <"$dir/managed.xml")" "0000:01:00.3 managed"
}

refused() {	# WHY: the XML on stdin is refused with WHY, nothing printed
	out=$("$H" --sources 2>"$dir/why") && { diag "accepted: $out"; return 1; }
	expect_eq "stdout" "$out" "" && expect_eq "stderr" "$(cat "$dir/why")" "$1"
}

bad_input() {
	echo "<domain><devices>" | refused "Error: the domain XML is not well-formed" || return 1
	echo "<network/>" | refused "Error: not a libvirt domain (the root element is <network>)" || return 1
	# One hostdev it can read and one it cannot: nothing printed at all.
	sed "s|</devices>|<hostdev mode='subsystem' type='pci' managed='no'><source><address domain='0x0000' bus='zz' slot='0x00' function='0x0'/></source></hostdev></devices>|" \
		"$dir/web.xml" | refused "Error: a PCI <hostdev> without a readable <source> address"
}

usage() {
	"$H" >/dev/null 2>&1
	expect_eq "no argument" $? 2
}

tap_check "the source address of each hostdev, not the guest address libvirt adds" sources_not_guest
tap_check "managed='yes' is said" managed_said
tap_check "malformed XML, another root, an unreadable hostdev: refused, nothing printed" bad_input
tap_check "usage: exit 2" usage
tap_finish
