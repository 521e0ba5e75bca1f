#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# A guided tour of gpupart in the test bed. Grows as features land.
set -e
step() {
	printf '\n=== %s\n' "$*"
}
show() {
	printf '$ %s\n' "$*"
	"$@"
	# Let the monitor print its line before the next command.
	[ -z "${MON:-}" ] || sleep 0.3
}
# A command that is meant to be refused.
refused() {
	printf '$ %s\n' "$*"
	if "$@"; then
		echo "(unexpectedly accepted)"
		exit 1
	fi
	echo "(exit status 1: refused, nothing changed)"
}

A=$(gpupartctl -j dev show | jq -r '.devices[0].pci')
B=$(gpupartctl -j dev show | jq -r '.devices[1].pci')
INTEL=$(gpupartctl -j dev show | jq -r '.devices[] | select(.vendor == "8086") | .pci' | head -n 1)

step "The stand-in GPUs (QEMU SR-IOV NVMe) bound by gpupart, loaded with ids=1b36:0010,8086:5845"
show cat /sys/module/gpupart/parameters/ids
show gpupartctl dev show
step "The built-in table of partitionable GPU models (debugfs)"
show cat /sys/kernel/debug/gpupart/models

step "Events: gpupartctl monitor, in the background"
gpupartctl monitor | sed 's/^/    [monitor] /' &
MON=$!
sleep 1

step "Partition a GPU into 4: one SR-IOV VF per partition, reserved for vfio-pci"
show gpupartctl dev set "$A" mode partition count 4
show gpupartctl dev show "$A"
show cat /sys/bus/pci/devices/"$A"/sriov_numvfs
vf=$(gpupartctl -j dev show "$A" | jq -r '.devices[0].partitions[0].vf')
show cat /sys/bus/pci/devices/"$vf"/driver_override
show readlink /sys/bus/pci/devices/"$vf"/driver

step "The kernel enforces the rules, and says why"
refused gpupartctl dev set "$B" mode partition count 3
refused gpupartctl dev set "$B" mode partition count 2
refused gpupartctl dev set "$INTEL" mode partition count 4
refused gpupartctl dev set "$A" mode dda

step "The sysfs door every Linux tool uses obeys the same policy"
show sh -c "echo 4 > /sys/bus/pci/devices/$B/sriov_numvfs"
printf '$ echo 2 > /sys/bus/pci/devices/%s/sriov_numvfs\n' "$INTEL"
echo 2 >/sys/bus/pci/devices/"$INTEL"/sriov_numvfs || echo "(refused)"
show sh -c "dmesg | grep 'refused' | tail -n 1"

step "The host is homogeneous: one model, one count"
show gpupartctl host show

step "A whole GPU reserved for passthrough (DDA)"
show gpupartctl dev set "$INTEL" mode dda
show gpupartctl -j -p dev show "$INTEL"

step "Back to none"
show gpupartctl dev set "$A" mode none
show sh -c "echo 0 > /sys/bus/pci/devices/$B/sriov_numvfs"
show gpupartctl dev set "$INTEL" mode none
sleep 1
kill $MON 2>/dev/null || true
show gpupartctl dev show

step "VMs get partitions, placed by the kernel (spread: the GPU with the most free)"
gpupartctl monitor | sed 's/^/    [monitor] /' &
MON=$!
sleep 1
show gpupartctl dev set "$A" mode partition count 4
show gpupartctl dev set "$B" mode partition count 4
show gpupartctl vm assign web-01
show gpupartctl vm assign web-02
show gpupartctl -j vm assign web-03
refused gpupartctl vm assign web-01
refused gpupartctl vm assign 'web 04'
show gpupartctl vm show

step "Release: the partition is scrubbed (an FLR) before anyone gets it again"
show sh -c "gpupartctl vm release web-01; gpupartctl dev show | grep -E 'scrubbing|assigned'"
sleep 1
show sh -c "gpupartctl dev show | grep -E 'scrubbing|assigned'"

step "While VMs hold partitions, rmmod is refused and the GPU keeps its mode"
refused rmmod gpupart
refused gpupartctl dev set "$A" mode none

step "A whole GPU for one VM (DDA): the PF goes to vfio-pci"
show gpupartctl dev set "$INTEL" mode dda
show gpupartctl vm assign big-1 dda
show readlink /sys/bus/pci/devices/"$INTEL"/driver
refused gpupartctl vm assign big-1
show gpupartctl vm show
show gpupartctl vm release big-1
show readlink /sys/bus/pci/devices/"$INTEL"/driver

step "Pack instead of spread"
show gpupartctl host set placement pack
show gpupartctl vm assign db-1
show gpupartctl host show
kill $MON 2>/dev/null || true

step "Metrics for Prometheus (node_exporter's textfile collector)"
show sh -c "gpupartctl metrics | grep -E '^gpupart_(gpu_partitions|gpu_vms|host)'"

step "A configuration that survives: save, reload the module, apply"
show gpupartctl config save /tmp/gpupart.json
for vm in web-02 web-03 db-1; do gpupartctl vm release $vm; done
sleep 1
show sh -c "rmmod gpupart && modprobe gpupart ids=1b36:0010,8086:5845"
show gpupartctl vm show
show gpupartctl config apply /tmp/gpupart.json --dry-run
show gpupartctl config apply /tmp/gpupart.json
show gpupartctl vm show
show gpupartctl config apply /tmp/gpupart.json
for vm in web-02 web-03 db-1; do gpupartctl vm release $vm; done
sleep 1
