#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# gpupartctl metrics: valid Prometheus text exposition (every family has
# HELP and TYPE before its samples, every sample parses, no series twice)
# and values that agree with dev show, vm show and host show.
. "$(dirname "$0")/lib.sh"

tap_plan 3
is_root || tap_skip_rest "metrics" "needs root"
module_loaded || tap_skip_rest "metrics" "gpupart not loaded"
command -v jq >/dev/null || tap_skip_rest "metrics" "jq not installed"
DEV=$(gp_sriov_devs 4 | head -n 1)
[ -n "$DEV" ] || tap_skip_rest "metrics" "no SR-IOV capable device with 4 VFs bound to gpupart"
out=$(mktemp)
trap 'rm -f "$out"; gpupartctl vm release m-1 2>/dev/null; gpupartctl vm release m-2 2>/dev/null' EXIT

setup() {
	gpupartctl dev set "$DEV" mode partition count 4 &&
	gpupartctl vm assign m-1 >/dev/null && gpupartctl vm assign m-2 >/dev/null &&
	gpupartctl metrics >"$out"
}

well_formed() {
	awk '
	/^# HELP / { help[$3] = 1; next }
	/^# TYPE / { if (!help[$3]) { print "TYPE before HELP: " $3; bad = 1 }
		     if ($4 != "gauge") { print "type " $4; bad = 1 } type[$3] = 1; next }
	/^#/ { print "stray comment: " $0; bad = 1; next }
	{
		if ($0 !~ /^[a-z_]+(\{[a-z_]+="[^"\\]*"(,[a-z_]+="[^"\\]*")*\})? [0-9]+$/) {
			print "bad sample: " $0; bad = 1; next
		}
		name = $0; sub(/[{ ].*/, "", name)
		if (!type[name]) { print "no TYPE for " name; bad = 1 }
		series = $0; sub(/ [0-9]+$/, "", series)
		if (seen[series]++) { print "twice: " series; bad = 1 }
		n++
	}
	END { if (n < 20) { print "only " n " samples"; bad = 1 } exit bad }' "$out" >"$out.why"
	rc=$?
	while read -r l; do diag "$l"; done <"$out.why"
	rm -f "$out.why"
	return $rc
}

# The value of one series, e.g. value 'gpupart_gpu_vms{pci="0000:01:00.0"}'.
value() {
	awk -v s="$1 " 'index($0, s) == 1 { print $NF }' "$out"
}

agrees() {
	p="pci=\"$DEV\""
	expect_eq "partitions" "$(value "gpupart_gpu_partitions{$p}")" 4 || return 1
	expect_eq "mode partition" "$(value "gpupart_gpu_mode{$p,mode=\"partition\"}")" 1 || return 1
	expect_eq "mode none" "$(value "gpupart_gpu_mode{$p,mode=\"none\"}")" 0 || return 1
	expect_eq "assigned" "$(value "gpupart_gpu_partitions_by_state{$p,state=\"assigned\"}")" 2 || return 1
	expect_eq "free" "$(value "gpupart_gpu_partitions_by_state{$p,state=\"free\"}")" 2 || return 1
	expect_eq "vms on it" "$(value "gpupart_gpu_vms{$p}")" 2 || return 1
	expect_eq "error" "$(value "gpupart_gpu_error{$p}")" 0 || return 1
	expect_eq "partition VMs" "$(value 'gpupart_vms{kind="partition"}')" \
		"$(gpupartctl -j vm show | jq '[.vms[] | select(.kind == "partition")] | length')" || return 1
	expect_eq "homogeneous" "$(value gpupart_host_homogeneous)" \
		"$(gpupartctl -j host show | jq 'if .host.homogeneous then 1 else 0 end')" || return 1
	expect_eq "partitioned GPUs" "$(value gpupart_host_partitioned_gpus)" \
		"$(gpupartctl -j host show | jq .host.partitioned_gpus)" || return 1
	# Every GPU dev show lists has its info and partitions series, and no other.
	for d in $(gpupartctl -j dev show | jq -r '.devices[].pci'); do
		grep -q "^gpupart_gpu_info{pci=\"$d\"," "$out" || { diag "no info for $d"; return 1; }
		expect_eq "$d partitions" "$(value "gpupart_gpu_partitions{pci=\"$d\"}")" \
			"$(gpupartctl -j dev show "$d" | jq '.devices[0].partition_count')" || return 1
	done
	expect_eq "GPUs" "$(grep -c '^gpupart_gpu_info{' "$out")" "$(gp_bound | wc -l)"
}

tap_check "metrics with a partitioned GPU and two VMs" setup
tap_check "Prometheus text format: HELP and TYPE, samples parse, no duplicates" well_formed
tap_check "values agree with dev show, vm show and host show" agrees
gpupartctl vm release m-1 && gpupartctl vm release m-2
sleep 1
gpupartctl dev set "$DEV" mode none 2>/dev/null
tap_finish
