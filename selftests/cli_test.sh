#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# gpupartctl: its JSON (checked with jq against sysfs), its text table, its
# error text and exit codes (0 success, 1 failure, 2 usage).
. "$(dirname "$0")/lib.sh"

tap_plan 16
command -v gpupartctl >/dev/null || tap_skip_rest "gpupartctl" "gpupartctl not in PATH"

out=$(mktemp)
err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT

# run WANT_RC CMD...: run, keep stdout/stderr in $out/$err, check the status.
run() {
	want=$1
	shift
	"$@" >"$out" 2>"$err"
	rc=$?
	[ $rc = "$want" ] && return 0
	diag "'$*' exited $rc, want $want; stderr: $(cat "$err")"
	return 1
}

KEYS='["device","error","fb_bytes","hold","mode","model","partition_count","partitions","pci","pf_driver","releasing","subsystem_device","subsystem_vendor","total_vfs","unadopted_vfs","valid_partition_counts","vendor","vm"]'

json_matches_sysfs() {
	run 0 gpupartctl -j dev show || return 1
	jq -e . "$out" >/dev/null || { diag "not JSON: $(cat "$out")"; return 1; }
	expect_eq "devices" "$(jq -r '.devices[].pci' "$out" | sort)" "$(gp_bound | sort)" || return 1
	for pci in $(gp_bound); do
		s=/sys/bus/pci/devices/$pci
		d=$(jq -c --arg p "$pci" '.devices[] | select(.pci == $p)' "$out")
		expect_eq "$pci keys" "$(echo "$d" | jq -c 'keys')" "$KEYS" || return 1
		for k in vendor device subsystem_vendor subsystem_device; do
			expect_eq "$pci $k" "0x$(echo "$d" | jq -r ".$k")" "$(cat "$s/$k")" || return 1
		done
		expect_eq "$pci total_vfs" "$(echo "$d" | jq '.total_vfs')" "$(cat "$s/sriov_totalvfs")" || return 1
		expect_eq "$pci mode" "$(echo "$d" | jq -r '.mode')" none || return 1
		expect_eq "$pci counts are numbers" "$(echo "$d" | jq '.valid_partition_counts | map(type == "number") | all')" true || return 1
	done
}

pretty_same() {
	run 0 gpupartctl -j dev show || return 1
	a=$(jq -S . "$out")
	run 0 gpupartctl -j -p dev show || return 1
	[ "$(wc -l <"$out")" -gt 3 ] || { diag "-p output is not indented"; return 1; }
	expect_eq "pretty JSON" "$(jq -S . "$out")" "$a"
}

text_table() {
	run 0 gpupartctl dev show || return 1
	head -n 1 "$out" | grep -q '^PCI .*MODEL.*MODE' || { diag "header: $(head -n 1 "$out")"; return 1; }
	# The devices table ends at the first blank line.
	expect_eq "rows" "$(awk 'NR > 1 && !NF { exit } NR > 1 { print $1 }' "$out" | sort)" \
		"$(gp_bound | sort)"
}

one_device() {
	pci=$(gp_bound | head -n 1)
	run 0 gpupartctl -j dev show "$pci" || return 1
	expect_eq "devices" "$(jq -r '[.devices[].pci] | join(" ")' "$out")" "$pci"
}

unknown_device() {
	run 1 gpupartctl -j dev show 0000:ff:1f.7 || return 1
	expect_eq "stderr" "$(cat "$err")" "Error: no GPU bound to gpupart at 0000:ff:1f.7" || return 1
	expect_eq "stdout" "$(cat "$out")" ""
}

bad_address() {
	run 1 gpupartctl dev show banana || return 1
	expect_eq "stderr" "$(cat "$err")" "Error: PCI address must look like 0000:01:00.0"
}

# A string too long for the kernel is refused naming the attribute and limit.
too_long() {
	long=$(head -c 5000 /dev/zero | tr '\0' a)
	run 1 gpupartctl dev show "$long" || return 1
	expect_eq "stderr" "$(cat "$err")" \
		"Error: pci-addr (a PCI address) is 5000 characters long; at most 16" || return 1
	run 1 gpupartctl vm show "$long" || return 1
	expect_eq "stderr" "$(cat "$err")" \
		"Error: vm (a VM name) is 5000 characters long; at most 64"
}

usage_errors() {
	run 2 gpupartctl || return 1
	run 2 gpupartctl bogus || return 1
	grep -q 'unknown object "bogus"' "$err" || { diag "$(cat "$err")"; return 1; }
	run 2 gpupartctl dev bogus || return 1
	grep -q 'unknown command "bogus"' "$err" || { diag "$(cat "$err")"; return 1; }
	run 2 gpupartctl -x dev show || return 1
	run 2 gpupartctl dev show a b
}

help_text() {
	run 0 gpupartctl help || return 1
	grep -q 'dev show \[DEV\]' "$out" || return 1
	run 0 gpupartctl dev help || return 1
	grep -q 'dev show \[DEV\]' "$out"
}

# A stand-in with 8 VFs, in mode none, to change.
pick_dev() {
	for d in $(gp_bound); do
		[ "$(cat /sys/bus/pci/devices/$d/sriov_totalvfs)" -ge 8 ] && echo "$d" && return
	done
}

dev_set_partition() {
	dev=$(pick_dev)
	run 0 gpupartctl dev set "$dev" mode partition count 4 || return 1
	expect_eq "stdout" "$(cat "$out")" "" || return 1
	run 0 gpupartctl -j dev show "$dev" || return 1
	d=$(jq -c '.devices[0]' "$out")
	expect_eq "mode" "$(echo "$d" | jq -r .mode)" partition || return 1
	expect_eq "partition_count" "$(echo "$d" | jq .partition_count)" 4 || return 1
	expect_eq "partition keys" "$(echo "$d" | jq -c '.partitions[0] | keys')" \
		'["fb_bytes","index","profile","state","vf","vm"]' || return 1
	expect_eq "indexes" "$(echo "$d" | jq -c '[.partitions[].index]')" "[0,1,2,3]" || return 1
	expect_eq "vf 0" "$(echo "$d" | jq -r '.partitions[0].vf')" \
		"$(basename "$(readlink /sys/bus/pci/devices/$dev/virtfn0)")" || return 1
	expect_eq "states" "$(echo "$d" | jq -c '[.partitions[].state] | unique')" '["free"]' || return 1
	expect_eq "vm" "$(echo "$d" | jq -c '[.partitions[].vm] | unique')" '[null]' || return 1
	expect_eq "host" "$(jq -c '.host | [.homogeneous, .partitioned_gpus, .partition_count]' "$out")" \
		"[true,1,4]" || return 1
	# The text output lists the partitions in a table of their own.
	run 0 gpupartctl dev show "$dev" || return 1
	expect_eq "partition rows" "$(grep -c "^$dev  *[0-3]  " "$out")" 4 || return 1
	run 0 gpupartctl dev set "$dev" mode none
}

dev_set_refused() {
	dev=$(pick_dev)
	run 1 gpupartctl dev set "$dev" mode partition count 3 || return 1
	expect_eq "stderr" "$(cat "$err")" \
		"Error: 3 is not a valid partition count here; valid: 1,2,4,8" || return 1
	run 0 gpupartctl dev set "$dev" mode dda || return 1
	run 1 gpupartctl dev set "$dev" mode partition count 2 || return 1
	expect_eq "stderr" "$(cat "$err")" "Error: reserved for DDA; set mode none first" || return 1
	run 0 gpupartctl -j dev show "$dev" || return 1
	expect_eq "mode" "$(jq -r '.devices[0].mode' "$out")" dda || return 1
	run 0 gpupartctl dev set "$dev" mode none
}

dev_set_usage() {
	dev=$(pick_dev)
	run 2 gpupartctl dev set "$dev" mode sideways || return 1
	grep -q "mode must be one of: none, partition, dda" "$err" || return 1
	run 2 gpupartctl dev set "$dev" mode partition count four || return 1
	# A number too big for the kernel's u32 is refused, never cut to fit:
	# 4294967298 is 2 modulo 2^32.
	run 2 gpupartctl dev set "$dev" mode partition count 4294967298 || return 1
	grep -q 'count must be at most 4294967295, not "4294967298"' "$err" || return 1
	run 2 gpupartctl dev set "$dev" mode partition count 99999999999999999999999 || return 1
	run 2 gpupartctl dev set "$dev" mode partition count -1 || return 1
	run 2 gpupartctl dev set "$dev" mode partition count 2 count 2 || return 1
	grep -q '"count" given twice' "$err" || return 1
	run 2 gpupartctl dev clear "$dev" partition 4294967296 || return 1
	run 2 gpupartctl dev set "$dev" colour blue || return 1
	grep -q 'unknown argument "colour"; dev set takes: mode, count' "$err" || return 1
	run 2 gpupartctl dev set "$dev" mode || return 1
	run 2 gpupartctl dev set || return 1
	# Nothing changed.
	run 0 gpupartctl -j dev show "$dev" || return 1
	expect_eq "mode" "$(jq -r '.devices[0].mode' "$out")" none
}

host_show() {
	run 0 gpupartctl -j host show || return 1
	expect_eq "host" "$(jq -c '.host | [.placement, .homogeneous, .partitioned_gpus, .model]' "$out")" \
		'["spread",true,0,null]' || return 1
	run 0 gpupartctl host show || return 1
	head -n 1 "$out" | grep -q '^PLACEMENT  HOMOGENEOUS' || { diag "$(cat "$out")"; return 1; }
	run 0 gpupartctl host set placement pack || return 1
	run 0 gpupartctl -j host show || return 1
	expect_eq "placement" "$(jq -r .host.placement "$out")" pack || return 1
	run 2 gpupartctl host set placement sideways || return 1
	grep -q "placement must be one of: spread, pack" "$err" || return 1
	run 0 gpupartctl host set placement spread
}

vm_commands() {
	dev=$(pick_dev)
	run 0 gpupartctl dev set "$dev" mode partition count 2 || return 1
	run 0 gpupartctl -j vm assign web-01 || return 1
	expect_eq "assign keys" "$(jq -c 'keys' "$out")" '["device","kind","partition","profile","vf","vm"]' || return 1
	expect_eq "assign" "$(jq -c '[.vm, .kind, .device, .partition]' "$out")" \
		"[\"web-01\",\"partition\",\"$dev\",0]" || return 1
	vf=$(jq -r .vf "$out")
	run 0 gpupartctl -j vm show || return 1
	expect_eq "vm show" "$(jq -c '.vms' "$out")" \
		"[{\"vm\":\"web-01\",\"kind\":\"partition\",\"device\":\"$dev\",\"partition\":0,\"vf\":\"$vf\",\"profile\":null}]" || return 1
	run 0 gpupartctl vm assign web-02 || return 1
	expect_eq "assign text" "$(cat "$out")" "vm web-02: partition 1 of $dev, VF $(basename "$(readlink /sys/bus/pci/devices/$dev/virtfn1)")" || return 1
	run 1 gpupartctl vm assign web-03 || return 1
	expect_eq "full" "$(cat "$err")" "Error: all 2 partitions on 1 GPUs are assigned" || return 1
	run 1 gpupartctl vm assign 'no spaces' || return 1
	grep -q "VM name must be" "$err" || return 1
	run 2 gpupartctl vm assign web-04 sideways || return 1
	run 0 gpupartctl vm release web-01 || return 1
	run 0 gpupartctl vm release web-02 || return 1
	run 1 gpupartctl vm release web-02 || return 1
	expect_eq "release twice" "$(cat "$err")" "Error: VM web-02 holds nothing" || return 1
	wait_for 60 scrubbed
	run 0 gpupartctl dev set "$dev" mode none
}

monitor_lines() {
	dev=$(pick_dev)
	mon=$(mktemp)
	jmon=$(mktemp)
	gpupartctl monitor >"$mon" &
	p1=$!
	gpupartctl -j monitor >"$jmon" &
	p2=$!
	sleep 1
	gpupartctl dev set "$dev" mode partition count 2
	gpupartctl dev set "$dev" mode partition count 4 2>/dev/null	# refused
	gpupartctl dev set "$dev" mode none
	sleep 1
	kill $p1 $p2
	wait $p1 $p2 2>/dev/null
	ok=0
	expect_eq "text" "$(cat "$mon")" "dev-change $dev mode partition count 2
dev-change $dev mode none count 0" || ok=1
	expect_eq "json events" "$(jq -c '[.event, .device.pci, .device.mode, .device.partition_count]' "$jmon")" \
		"[\"dev-change\",\"$dev\",\"partition\",2]
[\"dev-change\",\"$dev\",\"none\",0]" || ok=1
	rm -f "$mon" "$jmon"
	return $ok
}

not_loaded_error() {
	run 1 gpupartctl dev show || return 1
	expect_eq "stderr" "$(cat "$err")" "Error: gpupart kernel module not loaded (family not found)"
}

# Unload gpupart for the check, then load it again as it was.
no_module() {
	ids=$(cat /sys/module/gpupart/parameters/ids)
	rmmod gpupart || { diag "cannot unload gpupart"; return 1; }
	not_loaded_error
	rc=$?
	modprobe gpupart "ids=$ids" || { diag "cannot reload gpupart"; return 1; }
	return $rc
}

# check_with NEED NAME FUNC: FUNC needs NEED (module, devices or jq).
check_with() {
	why=
	case $1 in
	devices)
		command -v jq >/dev/null || why="jq not installed"
		[ -n "$(gp_bound)" ] || why="no SR-IOV capable device bound to gpupart"
		;;
	esac
	module_loaded || why="gpupart not loaded"
	if [ -n "$why" ]; then
		tap_skip "$2" "$why"
	else
		tap_check "$2" "$3"
	fi
}

check_with devices "dev show -j matches sysfs" json_matches_sysfs
check_with devices "-p indents the same JSON" pretty_same
check_with devices "dev show text table" text_table
check_with devices "dev show DEV shows one device" one_device
check_with module "unknown device: kernel's text, exit 1, no output" unknown_device
check_with module "malformed address: kernel's text, exit 1" bad_address
check_with module "over-long address and VM name: attribute and limit named" too_long
if is_root; then
	check_with devices "dev set: partition, JSON and text show it" dev_set_partition
	check_with devices "dev set: refusals print the kernel's text, exit 1" dev_set_refused
	check_with module "host show" host_show
	check_with devices "monitor: one line per accepted change" monitor_lines
	check_with devices "vm assign, show and release" vm_commands
else
	for t in "dev set" "dev set refusals" "host show" "monitor" "vm"; do
		tap_skip "$t" "needs root"
	done
fi
check_with devices "dev set: usage errors exit 2" dev_set_usage
tap_check "usage errors exit 2" usage_errors
tap_check "help lists the commands" help_text
if ! module_loaded; then
	tap_check "module not loaded is said plainly" not_loaded_error
elif is_root; then
	tap_check "module not loaded is said plainly" no_module
else
	tap_skip "module not loaded is said plainly" "needs root to unload gpupart"
fi
tap_finish
