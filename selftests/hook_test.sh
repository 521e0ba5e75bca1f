#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The libvirt QEMU hook example, driven as libvirtd drives it ("qemu NAME
# OPERATION SUB-OPERATION -", the domain XML on stdin): on prepare it
# assigns the domain the partition its <hostdev> names, refuses the start
# when that partition is taken, assigns a GPU in mode dda whole, and leaves
# domains without gpupart devices alone; on release it releases.
. "$(dirname "$0")/lib.sh"
DIR=$(cd "$(dirname "$0")" && pwd)

tap_plan 6
HOOK=
for h in "$DIR/../libvirt-hook-qemu" "$DIR/../dist/libvirt-hook-qemu"; do
	[ -f "$h" ] && HOOK=$h && break
done
[ -n "$HOOK" ] || tap_skip_rest "hook" "libvirt-hook-qemu not found next to the selftests"
is_root || tap_skip_rest "hook" "needs root"
module_loaded || tap_skip_rest "hook" "gpupart not loaded"
command -v jq >/dev/null || tap_skip_rest "hook" "jq not installed"
set -- $(gp_sriov_devs 4)
[ $# -ge 2 ] || tap_skip_rest "hook" "needs two SR-IOV devices bound to gpupart"
DEV=$1
WHOLE=$2
xml=$(mktemp)
trap 'rm -f "$xml" "$xml.err"' EXIT

# domain NAME ADDR...: a domain XML with a PCI hostdev per address.
domain() {
	echo "<domain type='kvm'><name>$1</name><devices>"
	shift
	for a in "$@"; do
		dom=${a%%:*}
		rest=${a#*:}
		echo "<hostdev mode='subsystem' type='pci' managed='no'><source>"
		echo "<address domain='0x$dom' bus='0x${rest%%:*}' slot='0x$(echo "$rest" | cut -d: -f2 | cut -d. -f1)' function='0x${a##*.}'/>"
		echo "</source></hostdev>"
	done
	echo "<interface type='network'><address type='pci' domain='0x0000' bus='0x07' slot='0x00' function='0x0'/></interface>"
	echo "</devices></domain>"
}

hook() {
	sh "$HOOK" "$@" - <"$xml" 2>"$xml.err"
}

vf_of() {
	gpupartctl -j dev show "$DEV" | jq -r ".devices[0].partitions[$1].vf"
}

held() {
	gpupartctl -j vm show "$1" 2>/dev/null | jq -r '.vms[] | .vf // .device'
}

prepare_assigns() {
	gpupartctl dev set "$DEV" mode partition count 4 || return 1
	VF=$(vf_of 2)
	domain web-1 "$VF" >"$xml"
	hook web-1 prepare begin || { diag "hook failed: $(cat "$xml.err")"; return 1; }
	expect_eq "web-1 holds" "$(held web-1)" "$VF" || return 1
	# libvirt runs the other operations too; they change nothing.
	hook web-1 start begin && hook web-1 started begin || return 1
	expect_eq "still" "$(held web-1)" "$VF"
}

taken_refused() {
	domain web-2 "$VF" >"$xml"
	hook web-2 prepare begin && { diag "web-2 started on web-1's partition"; return 1; }
	grep -q "not free" "$xml.err" || { diag "stderr: $(cat "$xml.err")"; return 1; }
	gpupartctl vm show web-2 >/dev/null 2>&1 && { diag "web-2 holds something"; return 1; }
	expect_eq "web-1 holds" "$(held web-1)" "$VF"
}

dda_and_others() {
	gpupartctl dev set "$WHOLE" mode dda || return 1
	domain big-1 "$WHOLE" >"$xml"
	hook big-1 prepare begin || { diag "$(cat "$xml.err")"; return 1; }
	expect_eq "big-1 holds" "$(held big-1)" "$WHOLE" || return 1
	# A domain with no gpupart device: nothing happens.
	domain plain-1 0000:00:01.0 >"$xml"
	hook plain-1 prepare begin || return 1
	gpupartctl vm show plain-1 >/dev/null 2>&1 && { diag "plain-1 holds something"; return 1; }
	return 0
}

release_releases() {
	domain web-1 "$VF" >"$xml"
	hook web-1 release end || return 1
	gpupartctl vm show web-1 >/dev/null 2>&1 && { diag "web-1 still holds"; return 1; }
	domain big-1 "$WHOLE" >"$xml"
	hook big-1 release end || return 1
	gpupartctl vm show big-1 >/dev/null 2>&1 && { diag "big-1 still holds"; return 1; }
	# A domain that holds nothing: fine.
	hook plain-1 release end
}

restart_same_vf() {
	for i in $(seq 10); do
		[ "$(gpupartctl -j dev show "$DEV" | jq -r ".devices[0].partitions[2].state")" = free ] && break
		sleep 1
	done
	domain web-1 "$VF" >"$xml"
	hook web-1 prepare begin || { diag "$(cat "$xml.err")"; return 1; }
	expect_eq "web-1 holds again" "$(held web-1)" "$VF" || return 1
	hook web-1 release end
}

held_already() {
	got=$(gpupartctl -j vm assign agent-1 | jq -r .vf) || return 1
	domain agent-1 "$got" >"$xml"
	hook agent-1 prepare begin || { diag "hook refused: $(cat "$xml.err")"; return 1; }
	expect_eq "agent-1 holds" "$(held agent-1)" "$got" || return 1
	hook agent-1 release end
}

tap_check "prepare assigns the partition the domain's hostdev names" prepare_assigns
tap_check "prepare refuses a partition another VM holds, and assigns nothing" taken_refused
tap_check "prepare assigns a GPU in mode dda whole, ignores other domains" dda_and_others
tap_check "release releases what the domain holds" release_releases
tap_check "a restarted domain gets its partition back once scrubbed" restart_same_vf
tap_check "prepare starts a domain whose VM holds its hostdevs already (assigned by the OCF agent)" held_already
sleep 1
gpupartctl dev set "$DEV" mode none 2>/dev/null
gpupartctl dev set "$WHOLE" mode none 2>/dev/null
tap_finish
