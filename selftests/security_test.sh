#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Who may do what. Every mutating command needs CAP_NET_ADMIN in the initial
# user namespace: an unprivileged user (uid 65534) and root of a new user
# namespace are refused. The family exists only in the initial network
# namespace. debugfs knobs are root's. Reading is open by default and
# closed to unprivileged users with restrict_read=1, the monitor group too.
. "$(dirname "$0")/lib.sh"
DIR=$(cd "$(dirname "$0")" && pwd)

tap_plan 7
is_root || tap_skip_rest "security" "needs root"
module_loaded || tap_skip_rest "security" "gpupart not loaded"
GPU=$(gp_sriov_devs 4 | head -n 1)
[ -n "$GPU" ] || tap_skip_rest "security" "no GPU with 4 VFs bound to gpupart"
IDS=$(cat /sys/module/gpupart/parameters/ids)
nobody() { "$DIR/as_user" 65534 "$@"; }
userns() { unshare -r "$@"; }
netns() { unshare -n "$@"; }

# refused WRAPPER: every mutating command fails with EPERM, nothing changes.
refused() {
	before=$(gpupartctl -j dev show; gpupartctl -j vm show)
	for cmd in "dev set $GPU mode partition count 4" "dev set $GPU mode dda" \
		"vm assign sec-1" "vm assign sec-2 dda" "vm release sec-1" \
		"host set placement pack" "dev clear $GPU partition 0"; do
		# shellcheck disable=SC2086
		out=$("$@" gpupartctl $cmd 2>&1)
		rc=$?
		case "$rc:$out" in
		1:*"Operation not permitted"*) ;;
		*) diag "$cmd: exit $rc: $out"; return 1 ;;
		esac
	done
	expect_eq "state" "$(gpupartctl -j dev show; gpupartctl -j vm show)" "$before"
}

reads() {
	"$@" gpupartctl dev show >/dev/null && "$@" gpupartctl vm show >/dev/null &&
		"$@" gpupartctl host show >/dev/null
}

# The monitor joins its group, or says it may not; "$@" runs it (as_user).
monitor_joins() {
	out=$(timeout 2 "$@" gpupartctl monitor 2>&1)
	rc=$?
	# Still listening when timeout stopped it (busybox: 143, coreutils: 124).
	[ $rc = 124 ] || [ $rc = 143 ] && return 0
	diag "monitor: exit $rc: $out"
	return 1
}
monitor_refused() {
	out=$(timeout 5 "$@" gpupartctl monitor 2>&1)
	rc=$?
	case "$rc:$out" in
	1:*"Operation not permitted"*) return 0 ;;
	esac
	diag "monitor: exit $rc: $out"
	return 1
}

no_family() {
	out=$(netns gpupartctl dev show 2>&1)
	rc=$?
	case "$rc:$out" in
	1:*"not loaded"*) return 0 ;;
	esac
	diag "new netns: exit $rc: $out"
	return 1
}

debugfs_root_only() {
	for f in /sys/kernel/debug/gpupart/fail_*; do
		[ "$(stat -c %a "$f")" = 600 ] || { diag "$f: mode $(stat -c %a "$f")"; return 1; }
	done
	! nobody sh -c 'echo 1 >/sys/kernel/debug/gpupart/fail_reset' 2>/dev/null &&
		[ "$(cat /sys/kernel/debug/gpupart/fail_reset)" = 0 ]
}

closed_reading() {
	gp_reload ids="$IDS" restrict_read=1 || return 1
	! reads nobody 2>/dev/null || { diag "uid 65534 could read"; return 1; }
	out=$(nobody gpupartctl vm show 2>&1)
	case "$out" in
	*"Operation not permitted"*) ;;
	*) diag "vm show as uid 65534: $out"; return 1 ;;
	esac
	monitor_refused "$DIR/as_user" 65534 && reads && monitor_joins
}

tap_check "uid 65534: every mutating command refused (EPERM), nothing changed" refused nobody
tap_check "root of a new user namespace: every mutating command refused" refused userns
tap_check "a new network namespace does not see the family" no_family
tap_check "debugfs fault knobs are root's only" debugfs_root_only
default_open() { reads nobody && monitor_joins "$DIR/as_user" 65534; }
tap_check "by default any local user may read and join the monitor group" default_open
tap_check "restrict_read=1: uid 65534 may neither read nor monitor; root may" closed_reading
gp_reload ids="$IDS"
tap_check "reloaded with the default: reading is open again" reads nobody
tap_finish
