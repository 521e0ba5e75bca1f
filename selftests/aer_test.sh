#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# PCIe errors on a partitioned GPU, injected with aer_inject at the root
# port above it (the stand-ins have no AER capability of their own; the
# kernel then recovers every device below the port):
#   correctable  nothing changes, nothing is announced;
#   non-fatal    dev-error non-fatal, free partitions quarantined, the VM
#                keeps its partition; then dev-error recovered and the
#                partitions scrubbed back into service;
#   fatal        as non-fatal, but the VM loses its partition (vm-revoke,
#                reason device-error), which is releasing until recovery
#                ends, and the link reset keeps the VFs; beside nvme, whose
#                recovery loses the test bed's VFs (vendor_loses_vfs), the
#                GPU fails instead, and no VM gets a dead VF;
#   failed       recovery finds the GPU dead (debugfs fail_recovery): the
#                VM is revoked (its partition stays releasing: nothing of
#                the GPU is touched), dev-error failed, the GPU refuses
#                every change until it is unbound and bound again.
# Held beside its vendor's driver (vm.sh HOLD=vendor), nvme recovers the
# GPU and gpupart watches (watch.c): the same events, the same states.
. "$(dirname "$0")/lib.sh"

tap_plan 4
is_root || tap_skip_rest "aer" "needs root"
module_loaded || tap_skip_rest "aer" "gpupart not loaded"
command -v jq >/dev/null || tap_skip_rest "aer" "jq not installed"
modprobe aer_inject 2>/dev/null
[ -c /dev/aer_inject ] || tap_skip_rest "aer" "no /dev/aer_inject (CONFIG_PCIEAER_INJECT)"
KNOB=/sys/kernel/debug/gpupart/fail_recovery
[ -e "$KNOB" ] || tap_skip_rest "aer" "no $KNOB (debugfs not mounted)"
DEV=$(gp_sriov_devs 4 | head -n 1)
[ -n "$DEV" ] || tap_skip_rest "aer" "no SR-IOV capable device with 4 VFs bound to gpupart"
PORT=$(basename "$(dirname "$(readlink -f /sys/bus/pci/devices/"$DEV")")")
INJ="$(dirname "$0")/aer_inj"

mon=$(mktemp)
trap 'rm -f "$mon"' EXIT
parts() {
	gpupartctl -j dev show "$DEV" |
		jq -r '[.devices[0].error // "ok"] + [.devices[0].partitions[] | "\(.state)/\(.vm // "-")"] | join(" ")'
}
# Partitions are scrubbed after recovery, off the recovering path.
parts_settle() {
	for _ in $(seq 20); do
		parts | grep -qE 'scrubbing|releasing' || break
		sleep 1
	done
	parts
}

setup() {
	gpupartctl vm release t1 2>/dev/null
	sleep 1
	gpupartctl dev set "$DEV" mode none 2>/dev/null
	gpupartctl host set placement pack &&
	gpupartctl dev set "$DEV" mode partition count 4 &&
	[ "$(gpupartctl -j vm assign t1 | jq -r .device)" = "$DEV" ]
}

events_are() {
	[ "$(mon_events)" = "$1" ]
}

# inject cor|uncor STATUS [EVENTS]: into the port above DEV, the events
# recorded; with EVENTS, until they are all there (recovery takes its
# time on a loaded debug kernel), then 2 s more for any extra one.
inject() {
	monitor_start
	"$INJ" "$PORT" "$1" "$2" || return 1
	[ -z "${3:-}" ] || wait_for 30 events_are "$3"
	monitor_stop 2
}

correctable() {
	setup || { diag "setup failed"; return 1; }
	before=$(parts)
	inject cor 1 || return 1		# Receiver Error
	expect_eq "events" "$(mon_events)" "" || return 1
	expect_eq "partitions" "$(parts)" "$before"
}

non_fatal() {
	setup || { diag "setup failed"; return 1; }
	want="dev-error:non-fatal dev-error:recovered partition-quarantined:1 partition-quarantined:2 partition-quarantined:3 partition-scrubbed:1 partition-scrubbed:2 partition-scrubbed:3 "
	inject uncor 4000 "$want" || return 1	# Completion Timeout
	expect_eq "events" "$(mon_events)" "$want" || return 1
	expect_eq "partitions" "$(parts_settle)" "ok assigned/t1 free/- free/- free/-"
}

fatal() {
	setup || { diag "setup failed"; return 1; }
	if vendor_loses_vfs; then
		want="dev-error:failed dev-error:fatal partition-quarantined:1 partition-quarantined:2 partition-quarantined:3 vm-revoke:t1:device-error "
		inject uncor 10 "$want" || return 1
		expect_eq "events" "$(mon_events)" "$want" || return 1
		expect_eq "partitions" "$(parts)" "failed releasing/- quarantined/- quarantined/- quarantined/-" || return 1
		out=$(gpupartctl vm assign t2 2>&1) && { diag "a VM got a dead VF"; return 1; }
		back_from_failed "$DEV" || return 1
		expect_eq "after rebind" "$(parts)" "ok"
		return
	fi
	want="dev-error:fatal dev-error:recovered partition-quarantined:1 partition-quarantined:2 partition-quarantined:3 partition-scrubbed:0 partition-scrubbed:1 partition-scrubbed:2 partition-scrubbed:3 vm-revoke:t1:device-error "
	inject uncor 10 "$want" || return 1	# Data Link Protocol Error
	expect_eq "events" "$(mon_events)" "$want" || return 1
	expect_eq "partitions" "$(parts_settle)" "ok free/- free/- free/- free/-" || return 1
	expect_eq "VMs" "$(gpupartctl -j vm show | jq -c .vms)" "[]" || return 1
	expect_eq "sriov_numvfs" "$(cat /sys/bus/pci/devices/"$DEV"/sriov_numvfs)" 4 || return 1
	expect_eq "a VF's driver" "$(driver_of "$(gpupartctl -j dev show "$DEV" | jq -r '.devices[0].partitions[0].vf')")" vfio-pci
}

failed() {
	setup || { diag "setup failed"; return 1; }
	echo 1 >"$KNOB"
	want="dev-error:failed dev-error:non-fatal partition-quarantined:1 partition-quarantined:2 partition-quarantined:3 vm-revoke:t1:device-error "
	inject uncor 4000 "$want" || return 1	# Completion Timeout
	expect_eq "events" "$(mon_events)" "$want" || return 1
	expect_eq "partitions" "$(parts)" "failed releasing/- quarantined/- quarantined/- quarantined/-" || return 1
	# Out of service: every change is refused, and says why.
	out=$(gpupartctl vm assign t2 2>&1) && { diag "assign succeeded"; return 1; }
	expect_eq "assign" "$out" "Error: no free partition: 0 assigned, 1 releasing, 0 scrubbing, 3 quarantined" || return 1
	out=$(gpupartctl dev set "$DEV" mode none 2>&1) && { diag "mode none succeeded"; return 1; }
	expect_eq "mode none" "$out" "Error: the GPU failed after a PCIe error; unbind and bind it again" || return 1
	out=$(gpupartctl dev clear "$DEV" partition 0 2>&1) && { diag "clear succeeded"; return 1; }
	expect_eq "clear" "$out" "Error: the GPU is out of service after a PCIe error" || return 1
	expect_eq "unchanged" "$(parts)" "failed releasing/- quarantined/- quarantined/- quarantined/-" || return 1
	# The way back: unbind and bind.
	back_from_failed "$DEV" || return 1
	expect_eq "after rebind" "$(parts)" "ok"
}

tap_check "correctable error: nothing changes, no event" correctable
tap_check "non-fatal error: quarantined, VM kept, recovered and scrubbed" non_fatal
if vendor_loses_vfs; then
	tap_check "fatal error that loses the VFs: VM revoked (device-error), the GPU failed" fatal
else
	tap_check "fatal error: VM revoked (device-error), recovered, VFs kept" fatal
fi
tap_check "failed recovery: VM revoked, GPU out of service until rebound" failed
echo 0 >"$KNOB"
# A GPU left failed by a test that stopped early takes no change: rebind it.
if gp_failed "$DEV"; then
	home_unbind "$DEV"
	home_bind "$DEV"
fi
gpupartctl dev set "$DEV" mode none 2>/dev/null
gpupartctl host set placement spread
tap_finish
