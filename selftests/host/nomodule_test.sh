#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The tools on a host where gpupart is not loaded, as after a kernel
# upgrade DKMS did not build for: the monitor and "cluster utilization
# --follow" wait for the module instead of exiting (the guide says they
# survive unloads), and gpupart-utilization.service starts even when its
# modprobe fails; "vm check" tells "cannot ask" (exit 4) from "not
# usable" (exit 1); gpupart-hostdev checks its FILE before the module.
. "$(dirname "$0")/../lib.sh"
TOP=$(cd "$(dirname "$0")/../.." && pwd)
G=$TOP/userspace/gpupartctl
H=$TOP/userspace/gpupart-hostdev

tap_plan 5
[ -x "$G" ] && [ -x "$H" ] || tap_skip_rest "no module" "run 'make tool' first"
module_loaded && tap_skip_rest "no module" "gpupart is loaded here"
dir=$(mktemp -d)
pid=
trap '[ -z "$pid" ] || kill "$pid" 2>/dev/null; rm -rf "$dir"' EXIT

# waits WHAT ARGS...: gpupartctl ARGS is still running 2 s after its start,
# having said on stderr that it waits for gpupart; stopped then.
waits() {
	what=$1
	shift
	"$G" "$@" >"$dir/$what.out" 2>"$dir/$what.err" &
	pid=$!
	sleep 2
	if ! kill -0 "$pid" 2>/dev/null; then
		wait "$pid"
		diag "$what exited with $?: $(cat "$dir/$what.out" "$dir/$what.err")"
		pid=
		return 1
	fi
	kill "$pid"
	wait "$pid" 2>/dev/null
	pid=
	grep -q 'gpupart is not loaded; waiting for it' "$dir/$what.err" ||
		{ diag "$what: $(cat "$dir/$what.err")"; return 1; }
}

monitor_waits() {
	waits monitor monitor || return 1
	expect_eq "monitor output" "$(cat "$dir/monitor.out")" ""
}

# It says the capacity it found (none), then waits to follow it.
follow_waits() {
	waits follow cluster utilization --follow || return 1
	expect_eq "follow output" "$(cat "$dir/follow.out")" "gpupart_partitions 0 gpupart_dda 0"
}

# A failing ExecStartPre= stops a unit unless it is marked "-": the
# follower must start, and wait, whether modprobe found the module or not.
unit_tolerates_modprobe() {
	unit=$TOP/dist/gpupart-utilization.service.in
	grep -q '^ExecStartPre=.*modprobe' "$unit" || { diag "no modprobe in $unit"; return 1; }
	bad=$(grep '^ExecStartPre=' "$unit" | grep -v '^ExecStartPre=-')
	[ -z "$bad" ] || { diag "a failure stops the unit: $bad"; return 1; }
}

vm_check_cannot_ask() {
	"$G" vm check web-1 >"$dir/out" 2>"$dir/err"
	expect_eq "exit status" $? 4 || return 1
	expect_eq "stderr" "$(cat "$dir/err")" "Error: gpupart kernel module not loaded (family not found)" || return 1
	"$G" vm check web-1 kind dda >/dev/null 2>&1
	expect_eq "exit status with kind" $? 4
}

hostdev_file_first() {
	"$H" web-1 "$dir/none.xml" >"$dir/out" 2>"$dir/err"
	expect_eq "exit status" $? 1 || return 1
	expect_eq "stderr" "$(cat "$dir/err")" "Error: $dir/none.xml: No such file or directory" || return 1
	echo '<network/>' >"$dir/net.xml"
	"$H" web-1 "$dir/net.xml" >/dev/null 2>"$dir/err"
	expect_eq "not a domain" "$(cat "$dir/err")" "Error: $dir/net.xml: not a libvirt domain (the root element is <network>)" || return 1
	# A good file: then the module is what is missing.
	echo '<domain type="kvm"><name>web-1</name><devices/></domain>' >"$dir/web.xml"
	"$H" web-1 "$dir/web.xml" >/dev/null 2>"$dir/err"
	expect_eq "module" "$(cat "$dir/err")" "Error: gpupart kernel module not loaded (family not found)"
}

tap_check "monitor waits for gpupart to be loaded instead of exiting" monitor_waits
tap_check "cluster utilization --follow prints capacity 0 and waits for gpupart" follow_waits
tap_check "gpupart-utilization.service starts when modprobe gpupart fails" unit_tolerates_modprobe
tap_check "vm check: exit 4 when gpupart cannot be asked, with the reason" vm_check_cannot_ask
tap_check "gpupart-hostdev NAME FILE: the file is checked before the module" hostdev_file_first
tap_finish
