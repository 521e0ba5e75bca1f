#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# A GPU held beside its vendor's PF driver (vendor_ids=): Linux's own
# nvme driver owns the 8086:5845 stand-in's PF, as nvidia.ko owns an
# A16's, and like it matches the VFs too. gpupart never binds the PF.
# Every case asks one question: does a VF reach a VM, or a host driver,
# outside the rules?
#   held         nvme binds the PF: gpupart records it (hold vendor,
#                pf_driver nvme), and finds it again when reloaded;
#   partition    DEV_SET enables VFs through nvme's own sriov_configure;
#                every VF goes to vfio-pci and none to nvme, which
#                matches them; a VM gets one, its release scrubs it;
#                mode none disables them through nvme;
#   behind       VFs enabled through nvme's sriov_numvfs are reserved for
#                no driver, shown unadopted and announced; no VM gets one;
#                DEV_SET refuses all but their count (adopted, each
#                reset) or mode none; nor does a VM get the whole GPU;
#                unloaded, gpupart clears their marks;
#   disabled     VFs disabled through nvme's sriov_numvfs revoke their VMs
#                (vfs-disabled), as a hot-unplug would;
#   unbind       nvme letting go of the PF revokes its VMs (device-removed)
#                and forgets the GPU; the VFs it leaves enabled are
#                unbound, for no driver; bound again, its VFs are adopted,
#                each reset before use; rmmod nvme likewise;
#   dda          a VM gets the whole GPU through vfio-pci, taken from nvme;
#                released, nvme has it again.
# On a kernel without nvme (the debug kernel) pci-pf-stub, another PF
# driver gpupart does not control, stands in; it matches no VF, so the
# VF steering is shown with nvme only.
. "$(dirname "$0")/lib.sh"

tap_plan 7
needs_vfio vendor
mon=$(mktemp)
seen=$(mktemp)
# Whatever happens, gpupart drives the stand-ins again afterwards, as the
# other tests expect.
trap 'rm -f "$mon" "$seen"; vendor_restore' EXIT
vendor_setup vendor
mark_log
START=$log_mark

dev() { gpupartctl -j dev show "$PF" 2>/dev/null | jq -r ".devices[0].$1"; }
vfs() { gpupartctl -j dev show "$PF" | jq -r '.devices[0].partitions[].vf'; }
all_free() {
	[ "$(gpupartctl -j dev show "$PF" | jq -r '[.devices[0].partitions[].state] | unique | join(",")')" = free ]
}
# Every VF of the PF: bound to $1 (empty: none), driver_override $2.
vfs_are() {
	for v in "$SYS"/virtfn*; do
		[ -e "$v" ] || continue
		vf=$(basename "$(readlink "$v")")
		echo "$vf" >>"$seen"
		expect_eq "$vf driver" "$(driver_of "$vf")" "$1" || return 1
		ov=$(cat "$v/driver_override")
		[ "$ov" = "(null)" ] && ov=
		expect_eq "$vf override" "$ov" "$2" || return 1
	done
}
# No VF of the PF seen so far was probed by nvme since mark_log.
nvme_kept_off() {
	[ "$VENDOR" = nvme ] || return 0
	for vf in $(sort -u "$seen"); do
		! new_log | grep -q "nvme.*$vf" || { diag "nvme probed $vf"; return 1; }
	done
}
# The same since the vendor driver bound the PF, for the whole test.
never_reached() {
	[ -s "$seen" ] || { diag "no VF was seen"; return 1; }
	log_mark=$START
	nvme_kept_off
}

held_beside() {
	expect_eq "hold" "$(dev hold)" vendor || return 1
	expect_eq "pf_driver" "$(dev pf_driver)" "$VENDOR" || return 1
	expect_eq "mode" "$(dev mode)" none || return 1
	gp_reload ids="$OWN" vendor_ids=8086:5845 || return 1
	expect_eq "driver after reload" "$(driver_of "$PF")" "$VENDOR" || return 1
	expect_eq "hold after reload" "$(dev hold)" vendor
}

partition() {
	mark_log
	gpupartctl dev set "$PF" mode partition count 4 || return 1
	expect_eq "VFs" "$(cat "$SYS/sriov_numvfs")" 4 || return 1
	expect_eq "PF driver" "$(driver_of "$PF")" "$VENDOR" || return 1
	vfs_are vfio-pci vfio-pci || return 1
	nvme_kept_off || return 1
	out=$(gpupartctl -j vm assign v1) || return 1
	vf=$(echo "$out" | jq -r .vf)
	expect_eq "assigned on" "$(echo "$out" | jq -r .device)" "$PF" || return 1
	gpupartctl vm release v1 || return 1
	wait_for 60 state_is "$vf" free || { diag "$vf: $(state_of "$vf")"; return 1; }
	vfs_are vfio-pci vfio-pci || return 1
	gpupartctl dev set "$PF" mode none || return 1
	expect_eq "VFs after none" "$(cat "$SYS/sriov_numvfs")" 0 || return 1
	expect_eq "PF driver after none" "$(driver_of "$PF")" "$VENDOR"
}

behind() {
	monitor_start
	mark_log
	echo 2 >"$SYS/sriov_numvfs" || { monitor_stop; return 1; }
	monitor_stop
	grep -q '"dev-change"' "$mon" || { diag "no event"; return 1; }
	vfs_are "" gpupart-unadopted || return 1
	nvme_kept_off || return 1
	expect_eq "unadopted" "$(dev unadopted_vfs)" 2 || return 1
	out=$(gpupartctl vm assign b1 2>&1) && { diag "assigned: $out"; return 1; }
	out=$(gpupartctl dev set "$PF" mode partition count 4 2>&1) && { diag "set: $out"; return 1; }
	echo "$out" | grep -q "2 VFs enabled via $VENDOR: count 2 adopts them, mode none disables them" ||
		{ diag "reason: $out"; return 1; }
	gpupartctl dev set "$PF" mode partition count 2 || return 1
	wait_for 60 all_free || return 1
	expect_eq "unadopted after" "$(dev unadopted_vfs)" 0 || return 1
	vfs_are vfio-pci vfio-pci || return 1
	gpupartctl dev set "$PF" mode none || return 1
	# Reserved for DDA: no VM gets the PF of unadopted VFs; none disables them.
	gpupartctl dev set "$PF" mode dda || return 1
	echo 2 >"$SYS/sriov_numvfs" || return 1
	out=$(gpupartctl vm assign b2 dda dev "$PF" 2>&1) && { diag "dda: $out"; return 1; }
	echo "$out" | grep -q "has 2 VFs enabled via $VENDOR; set mode none first" ||
		{ diag "dda reason: $out"; return 1; }
	gpupartctl dev set "$PF" mode none || return 1
	expect_eq "VFs after none" "$(cat "$SYS/sriov_numvfs")" 0 || return 1
	expect_eq "mode after none" "$(dev mode)" none || return 1
	# Unloaded, gpupart contains nothing: the marks go with it.
	echo 2 >"$SYS/sriov_numvfs" || return 1
	rmmod gpupart || return 1
	vfs_are "" "" || return 1
	echo 0 >"$SYS/sriov_numvfs"
	gp_reload ids="$OWN" vendor_ids=8086:5845 || return 1
	expect_eq "held again" "$(dev hold)" vendor
}

disabled() {
	gpupartctl dev set "$PF" mode partition count 4 || return 1
	gpupartctl vm assign d1 >/dev/null || return 1
	monitor_start
	echo 0 >"$SYS/sriov_numvfs" || { monitor_stop; return 1; }
	monitor_stop 2
	expect_eq "events" "$(mon_events)" "vm-revoke:d1:vfs-disabled " || return 1
	expect_eq "mode" "$(dev mode)" none || return 1
	expect_eq "d1 holds" "$(held d1)" ""
}

unbind() {
	gpupartctl dev set "$PF" mode partition count 4 || return 1
	gpupartctl vm assign u1 >/dev/null || return 1
	monitor_start
	echo "$PF" >"/sys/bus/pci/drivers/$VENDOR/unbind" || { monitor_stop; return 1; }
	monitor_stop 2
	expect_eq "events" "$(mon_events)" "dev-del vm-revoke:u1:device-removed " || return 1
	[ -z "$(dev pci)" ] || [ "$(dev pci)" = null ] || { diag "still listed"; return 1; }
	expect_eq "VFs left" "$(cat "$SYS/sriov_numvfs")" 4 || return 1
	# Left enabled, held by nothing: none bound, none for a driver.
	wait_for 30 vfs_are "" gpupart-unadopted >/dev/null || { vfs_are "" gpupart-unadopted; return 1; }
	echo "$PF" >"/sys/bus/pci/drivers/$VENDOR/bind" || return 1
	expect_eq "adopted" "$(dev mode) $(dev partition_count)" "partition 4" || return 1
	wait_for 60 all_free || return 1
	vfs_are vfio-pci vfio-pci || return 1
	[ "$VENDOR" = nvme ] || return 0
	gpupartctl vm assign u2 >/dev/null || return 1
	monitor_start
	rmmod nvme || { monitor_stop; return 1; }
	monitor_stop 2
	expect_eq "events at rmmod" "$(mon_events)" "dev-del vm-revoke:u2:device-removed " || return 1
	modprobe nvme || return 1
	expect_eq "adopted after modprobe" "$(dev mode) $(dev partition_count)" "partition 4" || return 1
	wait_for 60 all_free || return 1
	nvme_kept_off
}

dda() {
	gpupartctl dev set "$PF" mode none || return 1
	gpupartctl dev set "$PF" mode dda || return 1
	gpupartctl vm assign w1 dda dev "$PF" >/dev/null || return 1
	expect_eq "driver" "$(driver_of "$PF")" vfio-pci || return 1
	expect_eq "pf_driver" "$(dev pf_driver)" vfio-pci || return 1
	gpupartctl vm release w1 || return 1
	wait_for 60 scrubbed || return 1
	expect_eq "driver back" "$(driver_of "$PF")" "$VENDOR" || return 1
	expect_eq "pf_driver back" "$(dev pf_driver) $(dev hold)" "$VENDOR vendor" || return 1
	gpupartctl dev set "$PF" mode none
}

tap_check "held beside $VENDOR, found again at reload" held_beside
tap_check "partitioned through $VENDOR: VFs to vfio-pci, none to $VENDOR" partition
tap_check "VFs enabled behind gpupart's back: no driver, no VM, adopted" behind
tap_check "VFs disabled behind gpupart's back: VMs revoked" disabled
tap_check "$VENDOR lets go: VMs revoked; bound again: VFs adopted" unbind
tap_check "DDA from $VENDOR to vfio-pci and back" dda
tap_check "no VF ever reached $VENDOR" never_reached
tap_finish
