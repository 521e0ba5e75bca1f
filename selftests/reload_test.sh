#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# rmmod and modprobe leave nothing behind: unloading disables every VF
# gpupart enabled and unbinds every GPU (beside its vendor's driver: lets
# go of it, which keeps the PF); loading again binds each GPU in mode none
# with no VF. A few cycles, with partitions and a DDA
# reservation in place each time, and no PCI device more or less after.
. "$(dirname "$0")/lib.sh"

CYCLES=3
tap_plan $((CYCLES + 1))
is_root || tap_skip_rest "reload" "needs root"
module_loaded || tap_skip_rest "reload" "gpupart not loaded"
command -v jq >/dev/null || tap_skip_rest "reload" "jq not installed"
IDS=$(cat /sys/module/gpupart/parameters/ids)
SRIOV=$(gp_sriov_devs 2)
set -- $SRIOV
[ $# -ge 2 ] || tap_skip_rest "reload" "needs two SR-IOV devices bound to gpupart"
gpupartctl -j vm show | jq -e '.vms == []' >/dev/null ||
	tap_skip_rest "reload" "VMs hold partitions; rmmod would be refused"
BOUND=$(gp_bound | sort)
NDEV=$(ls /sys/bus/pci/devices | wc -l)

# Everything gpupart bound gets partitioned, but the last, reserved for DDA.
configure() {
	last=
	for d in $SRIOV; do
		[ -n "$last" ] && { gpupartctl dev set "$last" mode partition count 2 || return 1; }
		last=$d
	done
	gpupartctl dev set "$last" mode dda
}

unloaded_clean() {
	[ ! -d /sys/module/gpupart ] || { diag "module still loaded"; return 1; }
	for d in $BOUND; do
		s=/sys/bus/pci/devices/$d
		# Beside its vendor's driver the GPU stays with that driver.
		if [ "$(hold_way)" = vendor ]; then
			expect_eq "$d driver" "$(driver_of "$d")" "$(home_of "$d")" || return 1
		else
			[ -e "$s/driver" ] && { diag "$d still bound to $(driver_of "$d")"; return 1; }
		fi
		if [ -e "$s/sriov_numvfs" ]; then
			expect_eq "$d sriov_numvfs" "$(cat "$s/sriov_numvfs")" 0 || return 1
			for vf in "$s"/virtfn*; do
				[ -e "$vf" ] && { diag "$d has VFs"; return 1; }
			done
		fi
	done
	expect_eq "PCI devices" "$(ls /sys/bus/pci/devices | wc -l)" "$NDEV"
}

loaded_clean() {
	expect_eq "bound" "$(gp_bound | sort)" "$BOUND" || return 1
	expect_eq "modes" "$(gpupartctl -j dev show | jq -r '.devices[] | "\(.mode) \(.partitions | length)"' | sort -u)" "none 0" || return 1
	for d in $SRIOV; do
		expect_eq "$d sriov_numvfs" "$(cat /sys/bus/pci/devices/$d/sriov_numvfs)" 0 || return 1
	done
	expect_eq "PCI devices" "$(ls /sys/bus/pci/devices | wc -l)" "$NDEV"
}

cycle() {
	configure || { diag "setup failed"; return 1; }
	[ "$(ls /sys/bus/pci/devices | wc -l)" -gt "$NDEV" ] || { diag "no VF appeared"; return 1; }
	rmmod gpupart || { diag "rmmod failed"; return 1; }
	unloaded_clean || return 1
	modprobe gpupart "ids=$IDS" || { diag "modprobe failed"; return 1; }
	loaded_clean
}

i=1
while [ $i -le $CYCLES ]; do
	tap_check "rmmod/modprobe cycle $i: VFs gone, GPUs back in mode none" cycle
	i=$((i + 1))
done

# With a VM on a partition the module stays, and so does everything else.
pinned() {
	gpupartctl dev set "$1" mode partition count 2 || return 1
	gpupartctl vm assign pinned-vm >/dev/null || return 1
	rmmod gpupart 2>/dev/null && { diag "rmmod succeeded"; return 1; }
	expect_eq "sriov_numvfs" "$(cat /sys/bus/pci/devices/$1/sriov_numvfs)" 2 || return 1
	expect_eq "VM" "$(gpupartctl -j vm show | jq -r '.vms[0].vm')" pinned-vm || return 1
	gpupartctl vm release pinned-vm || return 1
	# The partition is scrubbed off the caller's path; wait for it.
	for i in 1 2 3 4 5 6 7 8 9 10; do
		gpupartctl dev set "$1" mode none 2>/dev/null && return 0
		sleep 1
	done
	diag "could not return $1 to mode none"
	return 1
}
tap_check "rmmod refused while a VM holds a partition; nothing changes" pinned "$1"
tap_finish
