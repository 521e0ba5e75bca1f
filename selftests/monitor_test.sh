#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The monitor outlives what it watches: it says when gpupart is unloaded,
# joins again when it is back and reads the state; a socket overrun (a
# stopped monitor under an event flood) is named, followed by the state as
# it is, and the monitor goes on. Started while gpupart is not loaded, it
# waits for it (selftests/host/nomodule_test.sh checks the wait alone).
. "$(dirname "$0")/lib.sh"

tap_plan 3
is_root || tap_skip_rest "monitor" "needs root"
module_loaded || tap_skip_rest "monitor" "gpupart not loaded"
command -v jq >/dev/null || tap_skip_rest "monitor" "jq not installed"
GPU=$(gp_sriov_devs 4 | head -n 1)
[ -n "$GPU" ] || tap_skip_rest "monitor" "no GPU with 4 VFs bound to gpupart"
IDS=$(cat /sys/module/gpupart/parameters/ids)
mon=$(mktemp)
trap 'rm -f "$mon"' EXIT
events() { jq -r .event "$mon" | grep -v dev-change | tr '\n' ' '; }
alive() { kill -0 "$MON" 2>/dev/null; }

# follows_load VM PATTERN: gpupart was just loaded under the monitor; the
# GPU partitioned and VM given a partition, the monitor still runs and its
# events match PATTERN (a case pattern); then both are undone.
follows_load() {
	sleep 1
	gpupartctl dev set "$GPU" mode partition count 4 &&
		gpupartctl vm assign "$1" >/dev/null || return 1
	sleep 1
	alive || { diag "the monitor exited: $(cat "$mon")"; return 1; }
	monitor_stop
	# shellcheck disable=SC2254 # $2 is a pattern
	case "$(events)" in
	$2) ;;
	*) diag "events: $(events)"; return 1 ;;
	esac
	gpupartctl vm release "$1" && wait_for 30 scrubbed &&
		gpupartctl dev set "$GPU" mode none
}

reload() {
	gpupartctl vm release mon-1 2>/dev/null
	monitor_start
	rmmod gpupart && modprobe gpupart ids="$IDS" || return 1
	# Mode none after the reload: no VM to list. The assignment after it shows.
	follows_load mon-1 '*family-del family-new resync *vm-assign*'
}

overrun() {
	# Every GPU of GPU's model partitioned: scrubbing keeps up with the flood.
	vendor=$(cut -c3- "/sys/bus/pci/devices/$GPU/vendor")
	device=$(cut -c3- "/sys/bus/pci/devices/$GPU/device")
	for d in $(pfs_with_id "$vendor" "$device"); do
		gpupartctl dev set "$d" mode partition count 8 ||
			{ diag "dev set $d failed"; return 1; }
	done
	# A small socket (its size is taken from rmem_default when it is made)
	# overruns after a few cycles of ~3 KiB of events each.
	rmem=$(cat /proc/sys/net/core/rmem_default)
	echo 16384 >/proc/sys/net/core/rmem_default
	monitor_start
	echo "$rmem" >/proc/sys/net/core/rmem_default
	kill -STOP "$MON"
	ok=0
	for i in $(seq 40); do
		gpupartctl vm assign "flood-$i" >/dev/null 2>&1 &&
			gpupartctl vm release "flood-$i" && ok=$((ok + 1))
	done
	[ $ok -ge 20 ] || { diag "only $ok of 40 assign/release cycles went through"; return 1; }
	kill -CONT "$MON"
	sleep 3
	gpupartctl vm assign mon-2 >/dev/null
	sleep 1
	alive || { diag "the monitor exited: $(tail -n 3 "$mon")"; return 1; }
	monitor_stop
	gpupartctl vm release mon-2
	wait_for 30 scrubbed
	for d in $(pfs_with_id "$vendor" "$device"); do
		gpupartctl dev set "$d" mode none
	done
	case "$(events)" in
	*"overrun resync "*"vm-sync"*"vm-assign"*) ;;
	*"overrun resync "*"vm-assign"*) ;;
	*) diag "events: $(events | tail -c 400)"; return 1 ;;
	esac
}

# Started with gpupart unloaded: it waits, then says family-new, reads the
# state and follows the events.
absent_at_start() {
	rmmod gpupart || return 1
	monitor_start
	if ! alive; then
		diag "the monitor exited: $(cat "$mon")"
		modprobe gpupart ids="$IDS"
		return 1
	fi
	modprobe gpupart ids="$IDS" || return 1
	follows_load mon-3 'family-new resync *vm-assign*'
}

tap_check "monitor: says gpupart went, joins again when it is back" reload
tap_check "monitor: an overrun is named, the state read again, and it goes on" overrun
tap_check "monitor: started while gpupart is unloaded, waits and follows it when it comes" absent_at_start
tap_finish
