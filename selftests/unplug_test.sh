#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# A GPU goes away while VMs hold parts of it: remove() cannot refuse, so
# every VM on it loses what it held and gets one vm-revoke event with the
# reason; the GPU leaves DEV_GET, its VMs leave VM_GET, nothing leaks the
# module's reference; a rescan brings the GPU back in mode none. Through
# sysfs remove, for partitions and for a whole GPU bound to vfio-pci, and
# through a real PCIe hot-unplug and re-plug, which the test bed's host
# does on request (QEMU device_del/device_add, see vm.sh); also while a
# released partition's work owns its VF's IOMMU group (release_delay_ms
# holds it there): the VF is deleted first, and must leave its group with
# no owner (Linux 6.12 warns of an emptied group that has one). Beside a
# vendor driver that leaves SR-IOV on when it lets go (vm.sh HOLD=vendor),
# the VFs of a PF removed alone stay: partitioning it again is refused
# until its slot is powered off and on.
. "$(dirname "$0")/lib.sh"

tap_plan 4
is_root || tap_skip_rest "unplug" "needs root"
module_loaded || tap_skip_rest "unplug" "gpupart not loaded"
command -v jq >/dev/null || tap_skip_rest "unplug" "jq not installed"
DEV=$(gp_sriov_devs 4 | head -n 1)
[ -n "$DEV" ] || tap_skip_rest "unplug" "no SR-IOV capable device with 4 VFs bound to gpupart"

back=
mon=$(mktemp)
DBG=/sys/kernel/debug/gpupart
trap 'rm -f "$mon"; [ -w "$DBG"/release_delay_ms ] && echo 0 >"$DBG"/release_delay_ms' EXIT

# Partition DEV into 4 and give two VMs a partition of it.
two_vms_on() {
	gpupartctl host set placement pack &&
	gpupartctl dev set "$1" mode partition count 4 &&
	[ "$(gpupartctl -j vm assign tenant-1 | jq -r .device)" = "$1" ] &&
	[ "$(gpupartctl -j vm assign tenant-2 | jq -r .device)" = "$1" ]
}

# The GPU is gone, its VMs told and forgotten, then back: after a rescan,
# or after "back" when that is set.
check_gone_and_back() {
	dev=$1
	shift
	# The removal may be asynchronous (pciehp): wait for the GPU to leave.
	for _ in $(seq 30); do
		[ -e /sys/bus/pci/devices/"$dev" ] || break
		sleep 1
	done
	[ -e /sys/bus/pci/devices/"$dev" ] && { diag "$dev did not go away"; return 1; }
	monitor_stop
	revokes=$(jq -c 'select(.event == "vm-revoke") | [.assignments[0].vm, .reason, .assignments[0].device]' "$mon" | sort)
	expect_eq "vm-revoke events" "$revokes" "$(for vm in "$@"; do
		echo "[\"$vm\",\"device-removed\",\"$dev\"]"; done)" || return 1
	expect_eq "dev-del" "$(jq -r 'select(.event == "dev-del") | .device.pci' "$mon")" "$dev" || return 1
	# Gone is gone: no change of it is announced after its deletion.
	expect_eq "dev-change after dev-del" \
		"$(jq -r '.event' "$mon" | awk '$0 == "dev-del" { d = 1 } d && $0 == "dev-change"')" "" || return 1
	gpupartctl dev show "$dev" >/dev/null 2>&1 && { diag "$dev still listed"; return 1; }
	expect_eq "VMs" "$(gpupartctl -j vm show | jq -c .vms)" "[]" || return 1
	expect_eq "module references" "$(cat /sys/module/gpupart/refcnt)" 0 || return 1
	# Enumeration and the driver's probe take a moment: poll, not guess.
	[ -n "$back" ] && $back
	for _ in $(seq 30); do
		[ -n "$back" ] || echo 1 >/sys/bus/pci/rescan
		gpupartctl dev show "$dev" >/dev/null 2>&1 && break
		sleep 1
	done
	expect_eq "after rescan" "$(gpupartctl -j dev show "$dev" | jq -r '.devices[0].mode')" none
}

sysfs_remove() {
	two_vms_on "$DEV" || { diag "setup failed"; return 1; }
	monitor_start
	echo 1 >/sys/bus/pci/devices/"$DEV"/remove
	check_gone_and_back "$DEV" tenant-1 tenant-2 || return 1
	[ "$(hold_way)" = vendor ] && { vfs_left || return 1; }
	return 0
}

# Beside a vendor driver that leaves SR-IOV enabled when it lets go (nvme
# does), a PF removed alone leaves its VFs behind. Partitioning the PF
# rescanned at their address is refused, as the PCI core would not survive
# VFs of the same names, and nothing changes, until the GPU's slot goes
# (every function below its port with it) and comes back, as the admin
# guide says: for a hot-plug slot, powered off and on (gp_remove).
vfs_left() {
	out=$(gpupartctl dev set "$DEV" mode partition count 4 2>&1) &&
		{ diag "partitioned over the VFs left"; return 1; }
	expect_eq "refusal" "$out" "Error: VFs of a PF removed alone are still here; remove the slot" ||
		return 1
	expect_eq "mode after the refusal" "$(gpupartctl -j dev show "$DEV" | jq -r '.devices[0].mode')" none ||
		return 1
	# The slot powered off (in the test bed, QEMU detaches the device
	# then: its host plugs it back in instead of a power on).
	gp_remove "$DEV" && gp_back "$DEV" || return 1
	for v in /sys/bus/pci/devices/*/physfn; do
		[ -e "$v" ] && [ "$(basename "$(readlink -f "$v")")" = "$DEV" ] &&
			{ diag "a VF is still here: $v"; return 1; }
	done
	gpupartctl dev set "$DEV" mode partition count 4 && gpupartctl dev set "$DEV" mode none
}

host_replug() {
	echo "GPUPART-HOST device_add $QID" >/dev/console
}

# hot_unplug [held]: with "held", tenant-1 is released first and its
# partition's work is made to hold the VF's group while the GPU goes.
hot_unplug() {
	# A GPU in a hot-plug slot (pciehp lists it in /sys/bus/pci/slots).
	HP=
	for d in $(gp_bound); do
		[ "$(cat /sys/bus/pci/devices/$d/sriov_totalvfs)" -ge 4 ] || continue
		slot_of "$d" >/dev/null && HP=$d && break
	done
	[ -n "$HP" ] || { diag "no GPU with 4 VFs in a hot-plug slot"; return 1; }
	QID=$(qemu_id "$HP") || return 1
	two_vms_on "$HP" || { diag "setup failed"; return 1; }
	vms="tenant-1 tenant-2"
	if [ "$1" = held ]; then
		echo 8000 >"$DBG"/release_delay_ms
		gpupartctl vm release tenant-1 || return 1
		vms=tenant-2
		sleep 1
	fi
	mark_log
	monitor_start
	echo "GPUPART-HOST device_del $QID" >/dev/console
	back=host_replug
	# shellcheck disable=SC2086 # one VM a word
	check_gone_and_back "$HP" $vms
	rc=$?
	back=
	echo 0 >"$DBG"/release_delay_ms
	new_log | grep -A4 "WARNING:" | sed 's/^/# /'
	new_log | grep -q "WARNING:" && rc=1
	return $rc
}

dda_remove() {
	gpupartctl dev set "$DEV" mode dda || return 1
	gpupartctl vm assign big-1 dda dev "$DEV" >/dev/null || return 1
	expect_eq "driver" "$(driver_of "$DEV")" vfio-pci || return 1
	monitor_start
	echo 1 >/sys/bus/pci/devices/"$DEV"/remove
	check_gone_and_back "$DEV" big-1
}

tap_check "sysfs remove under two VMs: revoked, told, rescanned" sysfs_remove
if [ -d /sys/bus/pci/drivers/vfio-pci ]; then
	tap_check "sysfs remove of a whole GPU bound to vfio-pci: revoked, told" dda_remove
else
	tap_skip "whole GPU removed" "vfio-pci not loaded"
fi
why=$(no_hotplug)
if [ -z "$why" ]; then
	tap_check "PCIe hot-unplug (QEMU device_del) under two VMs: revoked, told, re-plugged" hot_unplug
	tap_check "PCIe hot-unplug while a release owns a VF's IOMMU group: no warning, re-plugged" hot_unplug held
else
	tap_skip "PCIe hot-unplug" "$why"
	tap_skip "PCIe hot-unplug while a release owns a VF's IOMMU group" "$why"
fi
gpupartctl host set placement spread
tap_finish
