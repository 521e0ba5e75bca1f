#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# A partition is one VM's alone only if its VF is alone in its IOMMU
# group: VFIO gives a VMM the whole group, and the IOMMU does not keep its
# devices apart. Behind a root port without ACS the PF, its VFs and the
# port share one group ("make check-big" boots such a stand-in, model
# "shared" in vm.sh). gpupart refuses to partition that GPU through both
# doors, and VFs it finds enabled there are quarantined, never free.
. "$(dirname "$0")/lib.sh"

tap_plan 4
is_root || tap_skip_rest "shared IOMMU groups" "needs root"
module_loaded || tap_skip_rest "shared IOMMU groups" "gpupart not loaded"
command -v jq >/dev/null || tap_skip_rest "shared IOMMU groups" "jq not installed"

# The other devices in PF $1's IOMMU group, one a line.
peers() {
	for p in "/sys/bus/pci/devices/$1/iommu_group/devices/"*; do
		[ -e "$p" ] && [ "$(basename "$p")" != "$1" ] && basename "$p"
	done
}

# A gpupart PF whose IOMMU group holds another device (its root port).
S=
for d in $(gp_bound); do
	[ -n "$(peers "$d")" ] && S=$d && break
done
[ -n "$S" ] || tap_skip_rest "shared IOMMU groups" "no stand-in behind a port without ACS (make check-big)"
SYS=/sys/bus/pci/devices/$S
GROUP=$(basename "$(readlink "$SYS/iommu_group")")
diag "$S is in IOMMU group $GROUP with: $(peers "$S" | tr '\n' ' ')"

mode_of() {
	gpupartctl -j dev show "$S" | jq -r '"\(.devices[0].mode) \(.devices[0].partitions // [] | length)"'
}

# DEV_SET: refused with the reason, nothing changed.
netlink_refused() {
	out=$(gpupartctl dev set "$S" mode partition count 4 2>&1) &&
		{ diag "accepted: $out"; return 1; }
	echo "$out" | grep -q "shares IOMMU group $GROUP with .*: VMs not isolated" ||
		{ diag "reason: $out"; return 1; }
	expect_eq "mode" "$(mode_of)" "none 0" || return 1
	expect_eq "VFs" "$(cat "$SYS/sriov_numvfs")" 0
}

# The sysfs door: the write fails, and the log says why.
sysfs_refused() {
	mark_log
	echo 4 >"$SYS/sriov_numvfs" 2>/dev/null && { diag "the write was accepted"; return 1; }
	new_log | grep -q "$S: refused: VF .* shares IOMMU group $GROUP" ||
		{ diag "no reason in the log"; return 1; }
	expect_eq "mode" "$(mode_of)" "none 0" || return 1
	expect_eq "VFs" "$(cat "$SYS/sriov_numvfs")" 0
}

states() {
	gpupartctl -j dev show "$S" | jq -r '[.devices[0].partitions[].state] | unique | join(",")'
}
all_quarantined() { [ "$(states)" = quarantined ]; }

# VFs found enabled (made through pci-pf-stub, as after a handover):
# quarantined at once, never free; a clear is refused; no VM gets one.
adopted_quarantined() {
	stub_vfs "$S" 4 || return 1
	mark_log
	stub_to_gpupart "$S" || return 1
	expect_eq "adopted" "$(mode_of)" "partition 4" || return 1
	wait_for 120 all_quarantined || { diag "states: $(states)"; return 1; }
	for vf in $(gpupartctl -j dev show "$S" | jq -r '.devices[0].partitions[].vf'); do
		expect_eq "$vf driver" "$(driver_of "$vf")" "" || return 1
		expect_eq "$vf override" "$(cat "/sys/bus/pci/devices/$vf/driver_override")" \
			gpupart-quarantined || return 1
	done
	new_log | grep -q "partition 0 shares its IOMMU group: quarantined" ||
		{ diag "no warning logged"; return 1; }
	out=$(gpupartctl dev clear "$S" partition 0 2>&1) && { diag "clear accepted"; return 1; }
	echo "$out" | grep -q "partition 0 shares its IOMMU group: no VM may have it" ||
		{ diag "clear: $out"; return 1; }
	out=$(gpupartctl vm assign shared-1 2>&1) && { diag "assigned: $out"; return 1; }
	expect_eq "states after" "$(states)" quarantined
}

tap_check "DEV_SET on a GPU whose VFs share an IOMMU group is refused with the reason" netlink_refused
tap_check "sriov_numvfs on that GPU is refused, and the log says why" sysfs_refused
tap_check "VFs found enabled there are quarantined, a clear is refused, no VM gets one" adopted_quarantined
back() {
	wait_for 120 scrubbed
	gpupartctl dev set "$S" mode none || return 1
	expect_eq "VFs" "$(cat "$SYS/sriov_numvfs")" 0
}
tap_check "mode none takes the VFs away again" back
tap_finish
