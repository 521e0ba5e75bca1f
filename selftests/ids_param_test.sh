#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The module parameters. ids=: the stand-ins (not in the built-in table)
# bind only through it, malformed entries are logged and skipped without
# failing the load, and subsystem IDs are honoured. placement=: the policy
# at load; a policy that does not exist fails the load, saying why.
# Reloads gpupart several times and leaves it loaded as it was.
. "$(dirname "$0")/lib.sh"

tap_plan 7
is_root || tap_skip_rest "ids=" "needs root"
module_loaded || tap_skip_rest "ids=" "gpupart not loaded"
RH=$(pfs_with_id 1b36 0010)
INTEL=$(pfs_with_id 8086 5845)
[ -n "$RH" ] || tap_skip_rest "ids=" "no 1b36:0010 SR-IOV device (the QEMU NVMe stand-in)"
orig_ids=$(cat /sys/module/gpupart/parameters/ids)
orig_bound=$(gp_bound)

# all_bound yes|no DEV...: every DEV is, or is not, bound to gpupart.
all_bound() {
	want=$1
	shift
	for d in "$@"; do
		if [ "$(driver_of "$d")" = gpupart ]; then got=yes; else got=no; fi
		expect_eq "$d bound to gpupart" "$got" "$want" || return 1
	done
}

no_ids() {
	gp_reload || return 1
	all_bound no $RH $INTEL
}

one_id() {
	gp_reload ids=1b36:0010 || return 1
	all_bound yes $RH && all_bound no $INTEL
}

malformed() {
	bad='zz:top,1b36:0010,8086:5845x,1:2:3:4:5:6:7,12345:0010'
	mark_log
	gp_reload "ids=$bad" || { diag "load failed"; return 1; }
	expect_eq "ids parameter" "$(cat /sys/module/gpupart/parameters/ids)" "$bad" || return 1
	for e in zz:top 8086:5845x 1:2:3:4:5:6:7 12345:0010; do
		new_log | grep -qF "skipping malformed entry \"$e\"" ||
			{ diag "no log line for \"$e\""; return 1; }
	done
	all_bound yes $RH && all_bound no $INTEL
}

subsystem() {
	dev=$(echo $RH | cut -d' ' -f1)
	sv=$(printf '%04x' "$(cat /sys/bus/pci/devices/$dev/subsystem_vendor)")
	sd=$(printf '%04x' "$(cat /sys/bus/pci/devices/$dev/subsystem_device)")
	gp_reload ids=1b36:0010:dead:beef || return 1
	all_bound no $RH || return 1
	gp_reload "ids=1b36:0010:$sv:$sd" || return 1
	all_bound yes "$dev"
}

placement_param() {
	gp_reload "ids=$orig_ids" placement=pack || return 1
	expect_eq "policy" "$(gpupartctl -j host show | jq -r .host.placement)" pack || return 1
	gp_reload "ids=$orig_ids" || return 1
	expect_eq "default" "$(gpupartctl -j host show | jq -r .host.placement)" spread
}

placement_bad() {
	rmmod gpupart 2>/dev/null
	mark_log
	modprobe gpupart "ids=$orig_ids" placement=banana 2>/dev/null && { diag "loaded"; return 1; }
	module_loaded && { diag "module loaded"; return 1; }
	new_log | grep -q "gpupart: placement=banana: not a placement policy; use spread or pack" ||
		{ diag "log: $(new_log | tail -n 3)"; return 1; }
}

restore() {
	gp_reload "ids=$orig_ids" || return 1
	expect_eq "bound after restore" "$(gp_bound)" "$orig_bound"
}

tap_check "without ids= the stand-ins stay unbound" no_ids
tap_check "ids=1b36:0010 binds those devices and no others" one_id
tap_check "malformed ids= entries are logged and skipped" malformed
tap_check "ids= with subsystem IDs matches on them" subsystem
tap_check "placement=pack is the policy at load" placement_param
tap_check "placement=banana fails the load and says why" placement_bad
tap_check "reload with the original ids= restores the bindings" restore
tap_finish
