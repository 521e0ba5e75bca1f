#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The libvirt QEMU hook, driven as libvirtd drives it ("qemu NAME
# OPERATION SUB-OPERATION -", the domain XML on stdin), with domain XML
# that libvirtd itself wrote (scripts/testbed/libvirt-xml.sh: "virsh
# dumpxml" of defined domains, each hostdev followed by the guest address
# libvirt assigned). On prepare it assigns the partition or whole GPU the
# hostdev's <source> names, that one or none; it refuses the start, with
# gpupartctl's reason, when that partition is taken, when a gpupart
# device is managed='yes', when it cannot read the XML or lacks a tool;
# it leaves other domains alone; on release it releases.
. "$(dirname "$0")/lib.sh"
DIR=$(cd "$(dirname "$0")" && pwd)
XMLS=/usr/share/gpupart/libvirt

tap_plan 8
HOOK=
for h in "$DIR/../libvirt-hook-qemu" "$DIR/../dist/libvirt-hook-qemu"; do
	[ -f "$h" ] && HOOK=$h && break
done
[ -n "$HOOK" ] || tap_skip_rest "hook" "libvirt-hook-qemu not found next to the selftests"
is_root || tap_skip_rest "hook" "needs root"
module_loaded || tap_skip_rest "hook" "gpupart not loaded"
command -v jq >/dev/null || tap_skip_rest "hook" "jq not installed"
command -v gpupart-hostdev >/dev/null || tap_skip_rest "hook" "gpupart-hostdev not installed"
[ -f "$XMLS/web.xml" ] || tap_skip_rest "hook" "no domain XML written by libvirtd in $XMLS (scripts/testbed/libvirt-xml.sh)"
# shellcheck disable=SC2046
set -- $(gp_sriov_devs 4)
[ $# -ge 2 ] || tap_skip_rest "hook" "needs two SR-IOV devices bound to gpupart"
DEV=$1
WHOLE=$2
# The addresses libvirt-xml.sh wrote: the test bed's.
VF=0000:01:00.3
[ "$DEV" = 0000:01:00.0 ] && [ "$WHOLE" = 0000:02:00.0 ] ||
	tap_skip_rest "hook" "the test bed's GPUs are not at 0000:01:00.0 and 0000:02:00.0"
err=$(mktemp)
trap 'rm -f "$err"' EXIT

# hook FILE NAME OPERATION SUB-OPERATION: as libvirtd runs it.
hook() {
	f=$1
	shift
	sh "$HOOK" "$@" - <"$f" 2>"$err"
}

prepare_assigns() {
	gpupartctl dev set "$DEV" mode partition count 4 || return 1
	expect_eq "VF 2" "$(gpupartctl -j dev show "$DEV" | jq -r '.devices[0].partitions[2].vf')" "$VF" ||
		return 1
	# The guest address libvirt wrote after the source is $WHOLE's.
	gpupartctl dev set "$WHOLE" mode dda || return 1
	hook "$XMLS/web.xml" web-1 prepare begin || { diag "hook failed: $(cat "$err")"; return 1; }
	expect_eq "web-1 holds" "$(held web-1)" "$VF" || return 1
	# libvirt runs the other operations too; they change nothing.
	hook "$XMLS/web.xml" web-1 start begin && hook "$XMLS/web.xml" web-1 started begin || return 1
	expect_eq "still" "$(held web-1)" "$VF"
}

taken_refused() {
	hook "$XMLS/web.xml" web-2 prepare begin && { diag "web-2 started on web-1's partition"; return 1; }
	expect_eq "reason" "$(cat "$err")" \
		"gpupart hook: web-2: refusing to start: VF $VF is not free: it is assigned" || return 1
	gpupartctl vm show web-2 >/dev/null 2>&1 && { diag "web-2 holds something"; return 1; }
	expect_eq "web-1 holds" "$(held web-1)" "$VF"
}

managed_refused() {
	hook "$XMLS/managed.xml" man-1 prepare begin && { diag "man-1 started"; return 1; }
	grep -q "refusing to start: hostdev $VF is managed='yes'" "$err" || { diag "stderr: $(cat "$err")"; return 1; }
	gpupartctl vm show man-1 >/dev/null 2>&1 && { diag "man-1 holds something"; return 1; }
	return 0
}

dda_and_others() {
	hook "$XMLS/big.xml" big-1 prepare begin || { diag "$(cat "$err")"; return 1; }
	expect_eq "big-1 holds" "$(held big-1)" "$WHOLE" || return 1
	# A domain with no gpupart device: nothing happens.
	hook "$XMLS/plain.xml" plain-1 prepare begin || { diag "$(cat "$err")"; return 1; }
	gpupartctl vm show plain-1 >/dev/null 2>&1 && { diag "plain-1 holds something"; return 1; }
	return 0
}

# What it cannot decide, it refuses: a tool missing, XML it cannot read.
fails_closed() {
	GPUPART_HOSTDEV=/nonexistent/gpupart-hostdev hook "$XMLS/web.xml" web-3 prepare begin &&
		{ diag "started without gpupart-hostdev"; return 1; }
	expect_eq "no tool" "$(cat "$err")" \
		"gpupart hook: web-3: refusing to start: /nonexistent/gpupart-hostdev not found" || return 1
	echo "<domain><devices><hostdev type='pci'><source>" >"$err.xml"
	hook "$err.xml" web-3 prepare begin && { diag "started on broken XML"; return 1; }
	grep -q "refusing to start: cannot read the domain's hostdevs: Error: the domain XML is not well-formed" "$err" ||
		{ diag "stderr: $(cat "$err")"; return 1; }
	rm -f "$err.xml"
	gpupartctl vm show web-3 >/dev/null 2>&1 && { diag "web-3 holds something"; return 1; }
	return 0
}

release_releases() {
	hook "$XMLS/web.xml" web-1 release end || return 1
	gpupartctl vm show web-1 >/dev/null 2>&1 && { diag "web-1 still holds"; return 1; }
	hook "$XMLS/big.xml" big-1 release end || return 1
	gpupartctl vm show big-1 >/dev/null 2>&1 && { diag "big-1 still holds"; return 1; }
	# A domain that holds nothing: fine.
	hook "$XMLS/plain.xml" plain-1 release end
}

vf_free() {
	[ "$(gpupartctl -j dev show "$DEV" | jq -r ".devices[0].partitions[2].state")" = free ]
}

restart_same_vf() {
	wait_for 300 vf_free || { diag "$VF not free again"; return 1; }
	hook "$XMLS/web.xml" web-1 prepare begin || { diag "$(cat "$err")"; return 1; }
	expect_eq "web-1 holds again" "$(held web-1)" "$VF" || return 1
	hook "$XMLS/web.xml" web-1 release end
}

held_already() {
	wait_for 300 vf_free || { diag "$VF not free again"; return 1; }
	gpupartctl vm assign agent-1 vf "$VF" >/dev/null || return 1
	hook "$XMLS/web.xml" agent-1 prepare begin || { diag "hook refused: $(cat "$err")"; return 1; }
	expect_eq "agent-1 holds" "$(held agent-1)" "$VF" || return 1
	hook "$XMLS/web.xml" agent-1 release end
}

tap_check "prepare assigns the partition the hostdev's source names, not its guest address" prepare_assigns
tap_check "prepare refuses a partition another VM holds, with gpupartctl's reason" taken_refused
tap_check "prepare refuses a gpupart device with managed='yes'" managed_refused
tap_check "prepare assigns a GPU in mode dda whole, ignores other domains" dda_and_others
tap_check "prepare fails closed: a tool missing, XML it cannot read" fails_closed
tap_check "release releases what the domain holds" release_releases
tap_check "a restarted domain gets its partition back once scrubbed" restart_same_vf
tap_check "prepare starts a domain whose VM holds its hostdevs already (assigned by the OCF agent)" held_already
gp_free_all
tap_finish
