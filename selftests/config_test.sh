#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# gpupartctl config save and apply: a saved configuration survives a module
# reload (modes, counts, placement, and each VM on the very VF it had); a
# second apply changes nothing; --dry-run changes nothing; corrupt files,
# files for other hardware and files that would take partitions from
# running VMs are refused, saying why, with nothing changed; a saved VF
# that is taken falls back to placement, with a warning.
. "$(dirname "$0")/lib.sh"

tap_plan 7
is_root || tap_skip_rest "config" "needs root"
module_loaded || tap_skip_rest "config" "gpupart not loaded"
command -v jq >/dev/null || tap_skip_rest "config" "jq not installed"
IDS=$(cat /sys/module/gpupart/parameters/ids)
# Partitioned GPUs must match: the stand-ins of the most common model.
# shellcheck disable=SC2046 # one PCI address a word
set -- $(for d in $(gp_bound); do
	[ "$(cat /sys/bus/pci/devices/$d/sriov_totalvfs)" -ge 4 ] &&
		echo "$(cat /sys/bus/pci/devices/$d/vendor):$(cat /sys/bus/pci/devices/$d/device) $d"
done | sort | awk '{ n[$1]++; d[$1] = d[$1] " " $2 } END { for (m in n) if (n[m] > best) { best = n[m]; b = m } print d[b] }')
[ $# -ge 2 ] || tap_skip_rest "config" "needs two SR-IOV GPUs of one model bound to gpupart"
A=$1
B=$2
gpupartctl -j vm show | jq -e '.vms == []' >/dev/null ||
	tap_skip_rest "config" "VMs hold partitions already"

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
saved=$dir/saved.json

# Wait until no partition is scrubbing.
settle() {
	for i in $(seq 20); do
		scrubbed && return 0
		sleep 1
	done
	diag "partitions still scrubbing"
	return 1
}

release_all() {
	for vm in $(gpupartctl -j vm show | jq -r '.vms[].vm' | sort -u); do
		gpupartctl vm release "$vm" || return 1
	done
	settle
}

# Two GPUs in four, placement pack, VMs on partitions that placement would
# not pick again after a reload (the first two are released).
build() {
	gpupartctl host set placement pack &&
	gpupartctl dev set "$A" mode partition count 4 &&
	gpupartctl dev set "$B" mode partition count 4 || return 1
	for vm in early-1 early-2 web-1 web-2 db-1; do
		gpupartctl vm assign "$vm" >/dev/null || return 1
	done
	gpupartctl vm release early-1 && gpupartctl vm release early-2 && settle
}

save_reload_apply() {
	build || { diag "setup failed"; return 1; }
	run_ok gpupartctl config save "$saved" || return 1
	expect_eq "saved VMs" "$(jq -c '[.vms[].vm]' "$saved")" '["db-1","web-1","web-2"]' || return 1
	release_all || return 1
	rmmod gpupart && modprobe gpupart "ids=$IDS" || { diag "reload failed"; return 1; }
	expect_eq "after reload" "$(gpupartctl -j dev show | jq -r '[.devices[].mode] | unique | join(",")')" none || return 1
	run_ok gpupartctl config apply "$saved" || return 1
	gpupartctl config save "$dir/now.json" || return 1
	expect_eq "restored configuration" "$(cat "$dir/now.json")" "$(cat "$saved")"
}

run_ok() {
	"$@" >"$dir/out" 2>&1 && return 0
	diag "$* failed: $(cat "$dir/out")"
	return 1
}

again_is_noop() {
	gpupartctl config save "$dir/before.json" || return 1
	run_ok gpupartctl config apply "$saved" || return 1
	expect_eq "output" "$(cat "$dir/out")" "nothing to change: this host matches $saved" || return 1
	gpupartctl config save "$dir/after.json" || return 1
	expect_eq "state" "$(cat "$dir/after.json")" "$(cat "$dir/before.json")"
}

# A refused file: exit 1, the reasons, and nothing changed.
refused() {
	want=$1
	shift
	gpupartctl config save "$dir/before.json" || return 1
	if gpupartctl config apply "$@" >"$dir/out" 2>&1; then
		diag "apply $* succeeded: $(cat "$dir/out")"
		return 1
	fi
	grep -qF -- "$want" "$dir/out" || { diag "no '$want' in: $(cat "$dir/out")"; return 1; }
	gpupartctl config save "$dir/after.json" || return 1
	expect_eq "state" "$(cat "$dir/after.json")" "$(cat "$dir/before.json")"
}

corrupt() {
	head -c 200 "$saved" >"$dir/cut.json"
	refused "Error: $dir/cut.json:" "$dir/cut.json" || return 1
	jq '.devices[0].mode = "banana" | .vms[0].vm = "bad name!" | .version = 1' "$saved" >"$dir/bad.json"
	refused "devices[0].mode: must be none, partition or dda" "$dir/bad.json" || return 1
	grep -qF 'vms[0].vm: 1 to 64 characters' "$dir/out" || { diag "$(cat "$dir/out")"; return 1; }
	jq ".devices |= map(if .pci == \"$B\" then .partition_count = 2 else . end)" "$saved" >"$dir/mixed.json"
	refused "partitioned GPUs must be the same model with the same count" "$dir/mixed.json" || return 1
	jq '.version = 2' "$saved" >"$dir/v2.json"
	refused "version: this gpupartctl reads version 1" "$dir/v2.json"
}

# Another host's file: a GPU this host lacks, one it has that the file
# does not, and one whose IDs differ (the GPUs in mode none, so the file
# still holds together on its own).
mismatch() {
	jq '[.devices[] | select(.mode == "none") | .pci] as $idle |
		.devices |= map(select(.pci != $idle[0]) |
			if .pci == $idle[1] then .subsystem_device = "dead" else . end) |
		.devices += [.devices[0] | .pci = "0000:7f:00.0" | .mode = "none" | .partition_count = 0]' \
		"$saved" >"$dir/other.json"
	idle=$(jq -r '[.devices[] | select(.mode == "none") | .pci] | .[0], .[1]' "$saved")
	[ "$(echo "$idle" | wc -l)" = 2 ] || { diag "needs two GPUs in mode none"; return 1; }
	refused "does not match this host's GPUs" "$dir/other.json" || return 1
	first=$(echo "$idle" | head -n 1)
	second=$(echo "$idle" | tail -n 1)
	grep -qF "0000:7f:00.0 (" "$dir/out" && grep -qF "$first (" "$dir/out" &&
		grep -qF "$second: the file has" "$dir/out" || { diag "$(cat "$dir/out")"; return 1; }
}

in_use() {
	jq '.vms |= map(select(.vm != "db-1"))' "$saved" >"$dir/fewer.json"
	refused "VM db-1 holds VF" "$dir/fewer.json"
}

dry_run() {
	release_all || return 1
	for d in $(gp_bound); do
		gpupartctl dev set "$d" mode none || return 1
	done
	gpupartctl host set placement spread || return 1
	gpupartctl config save "$dir/before.json" || return 1
	run_ok gpupartctl config apply "$saved" --dry-run || return 1
	grep -qF "dev set $A mode partition count 4" "$dir/out" &&
		grep -qF "vm assign web-1 (partition at VF" "$dir/out" || { diag "$(cat "$dir/out")"; return 1; }
	gpupartctl config save "$dir/after.json" || return 1
	expect_eq "state" "$(cat "$dir/after.json")" "$(cat "$dir/before.json")"
}

# The VF saved for web-1 is taken: web-1 is placed by policy, with a warning.
taken() {
	vf=$(jq -r '.vms[] | select(.vm == "web-1") | .vf' "$saved")
	gpupartctl dev set "$A" mode partition count 4 &&
	gpupartctl dev set "$B" mode partition count 4 || return 1
	# Give every partition to an intruder, then free all but web-1's.
	i=0
	while gpupartctl vm assign "intruder-$i" >/dev/null 2>&1; do i=$((i + 1)); done
	for vm in $(gpupartctl -j vm show | jq -r --arg vf "$vf" '.vms[] | select(.vf != $vf) | .vm'); do
		gpupartctl vm release "$vm" || return 1
	done
	settle || return 1
	intruder=$(gpupartctl -j vm show | jq -r '.vms[0].vm')
	jq --arg i "$intruder" --arg vf "$vf" --arg d "$(gpupartctl -j vm show | jq -r '.vms[0].device')" \
		'.vms += [{"vm": $i, "kind": "partition", "device": $d, "vf": $vf}] |
		 .vms |= map(if .vm == "web-1" then .vf = "0000:7f:00.1" else . end)' "$saved" >"$dir/taken.json"
	# web-1 asks for a VF that is not there: placement decides.
	run_ok gpupartctl config apply "$dir/taken.json" || return 1
	grep -qF "Warning: VF 0000:7f:00.1 was not free; VM web-1 got VF" "$dir/out" || { diag "$(cat "$dir/out")"; return 1; }
	got=$(gpupartctl -j vm show web-1 | jq -r '.vms[0].vf')
	[ -n "$got" ] && [ "$got" != "$vf" ] || { diag "web-1 on '$got'"; return 1; }
}

tap_check "save, reload, apply: same modes, counts, placement and VM-to-VF mapping" save_reload_apply
tap_check "a second apply changes nothing and says so" again_is_noop
tap_check "corrupt or inconsistent files are refused, nothing changed" corrupt
tap_check "a file for other GPUs is refused with every difference" mismatch
tap_check "a file that would take a running VM's partition is refused" in_use
tap_check "--dry-run prints the plan and changes nothing" dry_run
tap_check "a saved VF that is not free falls back to placement, with a warning" taken
release_all
for d in $(gp_bound); do gpupartctl dev set "$d" mode none 2>/dev/null; done
gpupartctl host set placement spread
tap_finish
