#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# gpupart binds physical functions with SR-IOV only. VFs carry their PF's
# IDs and match the same entry; they must be refused, and so must a device
# without the SR-IOV capability. VFs are created here through pci-pf-stub,
# so that gpupart itself has no part in making them.
. "$(dirname "$0")/lib.sh"

tap_plan 3
is_root || tap_skip_rest "probe refusal" "needs root"
module_loaded || tap_skip_rest "probe refusal" "gpupart not loaded"

plain_refused() {
	found=0
	for d in /sys/bus/pci/devices/*; do
		[ -e "$d/sriov_totalvfs" ] && continue
		[ "$(cat "$d/vendor")" = 0x1b36 ] && [ "$(cat "$d/device")" = 0x0010 ] || continue
		found=1
		a=$(basename "$d")
		expect_eq "$a driver" "$(driver_of "$a")" "" || return 1
		# Asked again, so the refusal is in the log whatever it dropped.
		mark_log
		echo "$a" >/sys/bus/pci/drivers/gpupart/bind 2>/dev/null
		new_log | grep -qF "$a: not binding: no SR-IOV capability" ||
			{ diag "no refusal logged for $a"; return 1; }
	done
	[ $found = 1 ] || { diag "no such device"; return 1; }
}

if [ -n "$(for d in /sys/bus/pci/devices/*; do
	[ -e "$d/sriov_totalvfs" ] || [ "$(cat "$d/vendor"):$(cat "$d/device")" != 0x1b36:0x0010 ] || echo y
done)" ]; then
	tap_check "a matching device without SR-IOV is refused" plain_refused
else
	tap_skip "a matching device without SR-IOV is refused" "no 1b36:0010 device without SR-IOV"
fi

PF=
for d in $(gp_bound); do
	[ "$(cat /sys/bus/pci/devices/$d/sriov_totalvfs)" -ge 2 ] && PF=$d && break
done
[ -n "$PF" ] || tap_skip_rest "VF refusal" "no device with 2 or more VFs bound to gpupart"
modprobe pci-pf-stub 2>/dev/null
[ -d /sys/bus/pci/drivers/pci-pf-stub ] || tap_skip_rest "VF refusal" "pci-pf-stub not available"
SYS=/sys/bus/pci/devices/$PF

vfs_refused() {
	echo pci-pf-stub >"$SYS/driver_override"
	echo "$PF" >/sys/bus/pci/drivers/gpupart/unbind
	echo "$PF" >/sys/bus/pci/drivers_probe
	expect_eq "$PF driver" "$(driver_of "$PF")" pci-pf-stub || return 1
	mark_log
	echo 2 >"$SYS/sriov_numvfs" || { diag "could not create VFs"; return 1; }
	n=0
	for vf in "$SYS"/virtfn*; do
		a=$(basename "$(readlink "$vf")")
		n=$((n + 1))
		expect_eq "VF $a driver" "$(driver_of "$a")" "" || return 1
		new_log | grep -qF "$a: not binding: an SR-IOV virtual function" ||
			{ diag "no refusal logged for VF $a"; return 1; }
	done
	expect_eq "VFs" $n 2
}

back_to_gpupart() {
	echo 0 >"$SYS/sriov_numvfs"
	echo >"$SYS/driver_override"
	echo "$PF" >/sys/bus/pci/drivers/pci-pf-stub/unbind
	echo "$PF" >/sys/bus/pci/drivers_probe
	expect_eq "$PF driver" "$(driver_of "$PF")" gpupart || return 1
	gpupartctl dev show "$PF" >/dev/null
}

tap_check "VFs matching gpupart's IDs are refused" vfs_refused
tap_check "the PF binds to gpupart again" back_to_gpupart
tap_finish
