#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Parallel scrubbing, proved without timing: with every partition reset
# made slow (debugfs reset_delay_ms), 8 partitions released
# together are reset at once (debugfs resets_max counts the resets under
# way at the same moment), on one GPU and across two, and all are free
# again, each told by its own partition-scrubbed event; a reset that fails
# still quarantines only its partition; a clear, whose reset is held slow,
# races releases of other partitions of its GPU and new assignments and
# still hands its partition to one VM only once it is reset; a GPU removed
# while its partitions are being reset goes cleanly and comes back with a
# rescan.
. "$(dirname "$0")/lib.sh"

tap_plan 5
is_root || tap_skip_rest "scrub" "needs root"
module_loaded || tap_skip_rest "scrub" "gpupart not loaded"
command -v jq >/dev/null || tap_skip_rest "scrub" "jq not installed"
K=/sys/kernel/debug/gpupart
[ -e $K/reset_delay_ms ] || tap_skip_rest "scrub" "no $K/reset_delay_ms (debugfs not mounted)"
# shellcheck disable=SC2046 # one PCI address a word
set -- $(gp_sriov_devs 8)
[ $# -ge 2 ] || tap_skip_rest "scrub" "needs two SR-IOV devices with 8 VFs bound to gpupart"
DEV=$1
DEV2=$2
# Far longer than releasing 8 VMs from one process takes (milliseconds,
# on the debug kernel too).
RESET_MS=2000
BENCH=$(dirname "$0")/gpupart_bench
[ -x "$BENCH" ] || tap_skip_rest "scrub" "gpupart_bench not built"
mon=$(mktemp)
trap 'echo 0 >$K/reset_delay_ms; rm -f "$mon"' EXIT

reset_all() {
	gp_free_all
	echo 0 >$K/reset_delay_ms
	echo 0 >$K/resets_max
}

# assign N: N VMs, p1..pN, each a partition.
assign() {
	i=1
	while [ $i -le "$1" ]; do
		gpupartctl vm assign "p$i" >/dev/null || return 1
		i=$((i + 1))
	done
}

# Every VM released at once, as a batch of sessions ending, by one
# process; it returns when no partition is being scrubbed any more.
release() {
	"$BENCH" empty
}

states() {
	gpupartctl -j dev show | jq -r '[.devices[].partitions[]?.state] | group_by(.) | map("\(.[0])=\(length)") | join(" ")'
}

scrubbed_events() {
	jq -r 'select(.event == "partition-scrubbed") | "\(.device)/\(.partition)"' "$mon" | sort -u | wc -l
}

# Released N partitions, slow resets: all under way at once, all free after.
batch() {
	echo 0 >$K/resets_max
	echo $RESET_MS >$K/reset_delay_ms
	monitor_start
	release || return 1
	monitor_stop
	echo 0 >$K/reset_delay_ms
	expect_eq "resets at once" "$(cat $K/resets_max)" "$1" || return 1
	expect_eq "partition-scrubbed events" "$(scrubbed_events)" "$1"
}

one_gpu() {
	reset_all
	gpupartctl dev set "$DEV" mode partition count 8 && assign 8 || return 1
	batch 8 || return 1
	expect_eq "states" "$(states)" "free=8"
}

two_gpus() {
	reset_all
	gpupartctl dev set "$DEV" mode partition count 4 &&
		gpupartctl dev set "$DEV2" mode partition count 4 && assign 8 || return 1
	batch 8 || return 1
	expect_eq "states" "$(states)" "free=8"
}

# One failing reset among 8 parallel ones: only its partition is quarantined.
one_fails() {
	reset_all
	gpupartctl dev set "$DEV" mode partition count 8 && assign 8 || return 1
	echo 1 >$K/fail_reset
	release || return 1
	expect_eq "states" "$(states)" "free=7 quarantined=1"
}

removed_while_scrubbing() {
	reset_all
	gpupartctl dev set "$DEV" mode partition count 8 && assign 8 || return 1
	echo $RESET_MS >$K/reset_delay_ms
	for vm in $(gpupartctl -j vm show | jq -r '.vms[].vm'); do
		gpupartctl vm release "$vm" || return 1
	done
	gp_remove "$DEV"
	echo 0 >$K/reset_delay_ms
	gpupartctl dev show "$DEV" >/dev/null 2>&1 && { diag "$DEV still listed"; return 1; }
	gp_back "$DEV" || return 1
	expect_eq "mode after rescan" "$(gpupartctl -j dev show "$DEV" | jq -r '.devices[0].mode')" none
}

# The clear against the scrub of other partitions: one writer, one reset.
clear_races() {
	reset_all
	gpupartctl dev set "$DEV" mode partition count 8 && assign 2 || return 1
	q=$(gpupartctl -j vm show p1 | jq -r '.vms[0].partition')
	echo 1 >$K/fail_reset
	gpupartctl vm release p1 && wait_for 100 scrubbed || return 1
	expect_eq "quarantined" "$(gpupartctl -j dev show "$DEV" | jq -r ".devices[0].partitions[$q].state")" quarantined ||
		return 1
	echo $RESET_MS >$K/reset_delay_ms
	gpupartctl dev clear "$DEV" partition "$q" &
	clear=$!
	# While its reset is held: releases of the GPU's other partitions,
	# and assignments of every partition that is free.
	gpupartctl vm release p2 || return 1
	i=3
	while gpupartctl vm assign "p$i" >/dev/null 2>&1; do i=$((i + 1)); done
	[ "$(gpupartctl -j dev show "$DEV" | jq -r ".devices[0].partitions[$q].vm")" = null ] ||
		{ diag "partition $q went to a VM during its clear"; return 1; }
	wait "$clear" || { diag "the clear failed"; return 1; }
	echo 0 >$K/reset_delay_ms
	wait_for 100 scrubbed || return 1
	# Every partition free or held once; the cleared one goes to one VM.
	while gpupartctl vm assign "p$i" >/dev/null 2>&1; do i=$((i + 1)); done
	expect_eq "states" "$(states)" "assigned=8" || return 1
	expect_eq "VFs held twice" "$(gpupartctl -j vm show | jq -r '.vms[].vf' | sort | uniq -d)" ""
}

tap_check "8 partitions released together on one GPU are reset at once, each scrubbed and free" one_gpu
tap_check "8 partitions on two GPUs: reset at once across GPUs" two_gpus
tap_check "one failing reset among 8: only its partition quarantined" one_fails
tap_check "a clear races releases and assignments on its GPU: its partition goes to one VM, once reset" clear_races
tap_check "a GPU removed while its partitions are being reset goes, and comes back with a rescan" removed_while_scrubbing
reset_all
tap_finish
