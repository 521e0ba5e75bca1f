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
}

step "The stand-in GPUs (QEMU SR-IOV NVMe) bound by gpupart, loaded with ids=1b36:0010,8086:5845"
show cat /sys/module/gpupart/parameters/ids
show gpupartctl dev show
step "The same as JSON, for scripts"
show gpupartctl -j -p dev show
step "One device"
dev=$(gpupartctl -j dev show | jq -r '.devices[0].pci')
show gpupartctl dev show "$dev"
step "Errors carry the kernel's reason and exit 1"
show gpupartctl dev show 0000:ff:1f.7 || echo "(exit status $?)"
step "The built-in table of partitionable GPU models"
show cat /sys/kernel/debug/gpupart/models
