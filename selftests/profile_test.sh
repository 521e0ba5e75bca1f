#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Vendor profiles: a partition of a model the built-in table names needs
# its vendor's profile (NVIDIA's vGPU type) before its VM can use it. The
# kernel names it from the table ("<model>-<GiB>Q"), gpupartctl applies it
# through the profile hook when the partition is assigned and clears it
# before the release. Here the hook is the shipped NVIDIA one
# (dist/profile-nvidia), on a stand-in of nvidia.ko's sysfs (GPUPART_SYSFS:
# each VF's nvidia/creatable_vgpu_types and current_vgpu_type as files),
# and the GPU a stand-in taken for an A16 (debugfs stand_in_model).
#   table      each count's profile: A16-4Q for 4, A16-2Q for 8;
#   assign     the VF the VM gets carries its profile;
#   release    cleared before the partition is let go;
#   stale      a VF left with another type gets the right one;
#   failing    a hook that cannot apply it: no VM holds the partition;
#   no hook    refused, saying which hook is missing.
. "$(dirname "$0")/lib.sh"
DIR=$(cd "$(dirname "$0")" && pwd)

tap_plan 6
needs_vfio profile
HOOK=
for h in "$DIR/../profile-nvidia" "$DIR/../dist/profile-nvidia"; do
	[ -x "$h" ] && HOOK=$h && break
done
[ -n "$HOOK" ] || tap_skip_rest "profile" "profile-nvidia not found next to the selftests"
# Beside its vendor's driver an NVIDIA model's VFs are reserved for
# nvidia.ko, their VFIO driver (way.c): the stand-in's would wait for it.
[ "$(hold_way)" = driver ] ||
	tap_skip_rest "profile" "beside a vendor's driver an NVIDIA model's VFs go to nvidia.ko, which the test bed has not"
KNOB=/sys/kernel/debug/gpupart/stand_in_model
[ -w "$KNOB" ] || tap_skip_rest "profile" "no $KNOB (debugfs)"
DEV=$(gp_sriov_devs 8 | head -n 1)
[ -n "$DEV" ] || tap_skip_rest "profile" "no GPU with 8 VFs bound to gpupart"

FAKE=$(mktemp -d)
# The GPU as it was: no model, no partitions.
restore() {
	gp_free_all
	echo 0 >"$KNOB"
	home_unbind "$DEV"
	home_bind "$DEV"
	rm -rf "$FAKE"
}
trap restore EXIT
gp_free_all
# The second entry of the table is the A16.
echo 2 >"$KNOB"
home_unbind "$DEV"
home_bind "$DEV"
export GPUPART_SYSFS="$FAKE" GPUPART_PROFILE_HOOK="$HOOK"

profiles() {
	gpupartctl -j dev show "$DEV" | jq -r '[.devices[0].partitions[].profile] | unique | join(",")'
}
# nvidia.ko's files for each VF, with the types it can take: $1.
fake_vfs() {
	for vf in $(gpupartctl -j dev show "$DEV" | jq -r '.devices[0].partitions[].vf'); do
		d=$FAKE/bus/pci/devices/$vf/nvidia
		mkdir -p "$d"
		printf 'ID    : vGPU Name\n%s' "$1" >"$d/creatable_vgpu_types"
		echo 0 >"$d/current_vgpu_type"
	done
}
TYPES='101   : NVIDIA A16-2Q
102   : NVIDIA A16-4Q
103   : NVIDIA A16-8Q
'
type_of() { cat "$FAKE/bus/pci/devices/$1/nvidia/current_vgpu_type"; }

table() {
	expect_eq "model" "$(gpupartctl -j dev show "$DEV" | jq -r '.devices[0].model')" A16 || return 1
	gpupartctl dev set "$DEV" mode partition count 8 || return 1
	expect_eq "profiles of 8" "$(profiles)" A16-2Q || return 1
	gpupartctl dev set "$DEV" mode none || return 1
	gpupartctl dev set "$DEV" mode partition count 4 || return 1
	expect_eq "profiles of 4" "$(profiles)" A16-4Q || return 1
	fake_vfs "$TYPES"
}

assign() {
	out=$(gpupartctl -j vm assign p1) || return 1
	VF=$(echo "$out" | jq -r .vf)
	expect_eq "profile" "$(echo "$out" | jq -r .profile)" A16-4Q || return 1
	expect_eq "$VF type" "$(type_of "$VF")" 102
}

release() {
	gpupartctl vm release p1 || return 1
	expect_eq "$VF type" "$(type_of "$VF")" 0 || return 1
	wait_for 60 scrubbed
}

stale() {
	for d in "$FAKE"/bus/pci/devices/*/nvidia; do
		echo 101 >"$d/current_vgpu_type"
	done
	out=$(gpupartctl -j vm assign p2) || return 1
	vf=$(echo "$out" | jq -r .vf)
	expect_eq "$vf type" "$(type_of "$vf")" 102 || return 1
	gpupartctl vm release p2 && wait_for 60 scrubbed
}

failing() {
	fake_vfs '101   : NVIDIA A16-2Q
'
	out=$(gpupartctl vm assign p3 2>&1) && { diag "assigned: $out"; return 1; }
	echo "$out" | grep -q "profile-nvidia: .* cannot take A16-4Q now; creatable: NVIDIA A16-2Q" ||
		{ diag "hook: $out"; return 1; }
	echo "$out" | grep -q "Error: the profile hook could not give VF .* profile A16-4Q (failed); VM p3 released" ||
		{ diag "reason: $out"; return 1; }
	expect_eq "p3 holds" "$(held p3)" "" || return 1
	wait_for 60 scrubbed
}

no_hook() {
	fake_vfs "$TYPES"
	out=$(GPUPART_PROFILE_HOOK=/nonexistent gpupartctl vm assign p4 2>&1) &&
		{ diag "assigned: $out"; return 1; }
	echo "$out" | grep -q "needs vendor profile A16-4Q and no profile hook is installed (/nonexistent); VM p4 released" ||
		{ diag "reason: $out"; return 1; }
	expect_eq "p4 holds" "$(held p4)" ""
}

tap_check "each count's profile from the model table" table
tap_check "assigned: the VF carries its profile" assign
tap_check "released: its profile cleared first" release
tap_check "a stale type is replaced" stale
tap_check "a hook that fails: no VM holds the partition" failing
tap_check "no hook: refused, saying which" no_hook
tap_finish
