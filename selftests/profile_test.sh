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
#   no hook    refused, saying which hook is missing;
#   killed     gpupartctl killed between assignment and apply: vm profile
#              applies it again;
#   timeout    a hook that hangs is killed with its children, and the VM
#              released; a timeout that is not seconds is refused;
#   concurrent gpupartctls assigning and releasing at once run their hooks
#              one at a time; a VF carries a type exactly when held.
. "$(dirname "$0")/lib.sh"
DIR=$(cd "$(dirname "$0")" && pwd)

tap_plan 9
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

# A hook that runs the real one, for the cases below: $1 is a shell line
# run first (with $1..$3 the hook's own arguments).
wrap() {
	printf '#!/bin/sh\n%s\nexec "%s" "$@"\n' "$1" "$HOOK" >"$FAKE/hook"
	chmod +x "$FAKE/hook"
	echo "$FAKE/hook"
}
# Every VF of the GPU carries a type exactly when a VM holds it.
types_follow() {
	for vf in $(gpupartctl -j dev show "$DEV" | jq -r '.devices[0].partitions[].vf'); do
		want=0
		gpupartctl -j vm show | jq -e --arg vf "$vf" '.vms[] | select(.vf == $vf)' >/dev/null && want=102
		expect_eq "$vf type" "$(type_of "$vf")" "$want" || return 1
	done
}

# gpupartctl killed (SIGKILL) between the assignment and the apply: the VM
# holds a VF without its profile; vm profile applies it again.
killed() {
	fake_vfs "$TYPES"
	h=$(wrap "[ \"\$1\" = apply ] && [ ! -e $FAKE/killed ] && : >$FAKE/killed && kill -9 \$PPID && exit 1")
	GPUPART_PROFILE_HOOK=$h gpupartctl vm assign p5 >/dev/null 2>&1 && { diag "not killed"; return 1; }
	vf=$(held p5)
	[ -n "$vf" ] || { diag "p5 holds nothing: the kill came before the assignment"; return 1; }
	expect_eq "$vf type while killed" "$(type_of "$vf")" 0 || return 1
	out=$(gpupartctl -j vm profile p5) || return 1
	expect_eq "vm profile" "$(echo "$out" | jq -r '.vms[0] | "\(.vf) \(.profile)"')" "$vf A16-4Q" || return 1
	expect_eq "$vf type again" "$(type_of "$vf")" 102 || return 1
	out=$(gpupartctl vm profile nobody 2>&1)
	expect_eq "vm profile nobody: exit" "$?" 3 || return 1
	expect_eq "vm profile nobody" "$out" "vm nobody holds nothing" || return 1
	gpupartctl vm release p5 && wait_for 60 scrubbed && types_follow
}

# A hook that hangs is killed with what it started, at the timeout: no VM
# holds the partition. A timeout that is no number of seconds is refused.
timeout() {
	h=$(wrap "[ \"\$1\" = apply ] && { sleep 300 & echo \$! >$FAKE/child; wait; }")
	out=$(GPUPART_PROFILE_TIMEOUT=1 GPUPART_PROFILE_HOOK=$h gpupartctl vm assign p6 2>&1) &&
		{ diag "assigned: $out"; return 1; }
	echo "$out" | grep -q "could not give VF .* profile A16-4Q (timed out); VM p6 released" ||
		{ diag "reason: $out"; return 1; }
	child=$(cat "$FAKE/child")
	! kill -0 "$child" 2>/dev/null || { diag "the hook's child $child lives on"; return 1; }
	expect_eq "p6 holds" "$(held p6)" "" || return 1
	for bad in 0 3601 1s x -1; do
		out=$(GPUPART_PROFILE_TIMEOUT=$bad gpupartctl vm assign p6 2>&1) &&
			{ diag "assigned with $bad: $out"; return 1; }
		echo "$out" | grep -q "(GPUPART_PROFILE_TIMEOUT is not a number of seconds from 1 to 3600); VM p6 released" ||
			{ diag "reason for $bad: $out"; return 1; }
	done
	expect_eq "p6 holds" "$(held p6)" "" || return 1
	wait_for 60 scrubbed && types_follow
}

# gpupartctls at once, assigning and releasing: their hooks never overlap
# (the host's profile lock), and each VF carries a type exactly when a VM
# holds it.
concurrent() {
	: >"$FAKE/overlap"
	h=$(wrap "mkdir $FAKE/in 2>/dev/null || echo \"\$*\" >>$FAKE/overlap; sleep 0.2; \"$HOOK\" \"\$@\"; rc=\$?; rmdir $FAKE/in; exit \$rc")
	export GPUPART_PROFILE_HOOK="$h"
	gpupartctl vm assign c0 >/dev/null || return 1
	pids=
	for vm in c1 c2 c3; do
		gpupartctl vm assign $vm >/dev/null &
		pids="$pids $!"
	done
	gpupartctl vm release c0 &
	pids="$pids $!"
	bad=0
	for p in $pids; do
		wait "$p" || bad=$((bad + 1))
	done
	export GPUPART_PROFILE_HOOK="$HOOK"
	expect_eq "failed gpupartctls" "$bad" 0 || return 1
	expect_eq "hooks that overlapped" "$(cat "$FAKE/overlap")" "" || return 1
	expect_eq "VFs held" "$(for vm in c1 c2 c3; do held $vm; done | sort -u | wc -l)" 3 || return 1
	types_follow || return 1
	for vm in c1 c2 c3; do
		gpupartctl vm release $vm || return 1
	done
	wait_for 60 scrubbed && types_follow
}

tap_check "each count's profile from the model table" table
tap_check "assigned: the VF carries its profile" assign
tap_check "released: its profile cleared first" release
tap_check "a stale type is replaced" stale
tap_check "a hook that fails: no VM holds the partition" failing
tap_check "no hook: refused, saying which" no_hook
tap_check "gpupartctl killed before the apply: vm profile applies it" killed
tap_check "a hook that hangs: killed at the timeout, no VM holds the partition" timeout
tap_check "gpupartctls at once: hooks one at a time, types follow the VMs" concurrent
tap_finish
