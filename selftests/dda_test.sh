#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# A whole GPU's record across the edges of its handovers, where an
# administrator's hand or a PCIe error meets it: where the GPU is decides
# what gpupart's record says, never what a handover's calls returned.
#   by hand      a GPU passed to a VM and bound back to gpupart by hand
#                is the host's again: reset, its VM revoked and told
#                (device-removed), DEV_SET and rmmod free;
#   no driver    a GPU its VM still holds but that an administrator took
#                off vfio-pci is taken back from no driver on release;
#   pin          a GPU's driver_override (driverctl's pin) is its own again
#                once back from a VM;
#   AER midway   a fatal PCIe error between a DDA claim and its handover
#                fails the assignment and brings the GPU back, recovered;
#   round trip   a GPU back from a VM keeps what error recovery restores:
#                partitioned afterwards, it recovers from a fatal PCIe
#                error with working VFs; so does a GPU reset by hand;
#                beside nvme, whose resets lose the test bed's VFs
#                (vendor_loses_vfs in lib.sh), the GPU fails after the
#                error, VFs the reset lost are quarantined, and no VM
#                gets a dead VF;
#   unplugged    a GPU hot-unplugged while its return from a VM waits
#                (handover_delay_ms) is forgotten without a reset, which
#                would poll the dead function for a minute on Linux 6.1,
#                and is gpupart's again once plugged back in.
. "$(dirname "$0")/lib.sh"

tap_plan 7
needs_vfio dda
DEV=$(gp_sriov_devs 4 | head -n 1)
[ -n "$DEV" ] || tap_skip_rest "dda" "no SR-IOV capable device with 4 VFs bound to gpupart"
SYS=/sys/bus/pci/devices/$DEV
INJ="$(dirname "$0")/aer_inj"
DBG=/sys/kernel/debug/gpupart

mon=$(mktemp)
# A knob left set would slow every later handover of the run.
trap 'rm -f "$mon"; [ -w "$DBG/handover_delay_ms" ] && echo 0 >"$DBG/handover_delay_ms"' EXIT
dev_is() {
	gpupartctl -j dev show "$DEV" |
		jq -r '.devices[0] | "\(.mode) vm=\(.vm // "-") releasing=\(.releasing // false) error=\(.error // "-")"'
}
passed_to() {
	gp_free_all
	gpupartctl dev set "$DEV" mode dda || return 1
	gpupartctl vm assign "$1" dda dev "$DEV" >/dev/null || return 1
	expect_eq "driver" "$(driver_of "$DEV")" vfio-pci
}
# As an administrator does it: off vfio-pci, the override cleared.
off_vfio() {
	echo "$DEV" >/sys/bus/pci/drivers/vfio-pci/unbind
	echo >"$SYS/driver_override"
}

by_hand() {
	passed_to h1 || return 1
	monitor_start
	off_vfio
	home_bind "$DEV" || { monitor_stop; return 1; }
	monitor_stop
	expect_eq "driver" "$(driver_of "$DEV")" "$(home_of "$DEV")" || return 1
	expect_eq "events" "$(mon_events)" "vm-revoke:h1:device-removed " || return 1
	out=$(gpupartctl vm release h1 2>&1) && { diag "h1 still held it"; return 1; }
	expect_eq "release" "$out" "Error: VM h1 holds nothing" || return 1
	expect_eq "GPU" "$(dev_is)" "dda vm=- releasing=false error=-" || return 1
	# The host's again in every way: another VM, then mode none.
	gpupartctl vm assign h2 dda dev "$DEV" >/dev/null || return 1
	gpupartctl vm release h2 || return 1
	wait_for 30 scrubbed || { diag "not back: $(dev_is)"; return 1; }
	gpupartctl dev set "$DEV" mode none || return 1
	ids=$(cat /sys/module/gpupart/parameters/ids)
	rmmod gpupart || return 1
	modprobe gpupart "ids=$ids"
}

no_driver() {
	passed_to n1 || return 1
	off_vfio
	expect_eq "GPU" "$(dev_is)" "dda vm=n1 releasing=false error=-" || return 1
	gpupartctl vm release n1 || return 1
	wait_for 30 scrubbed || { diag "not back: $(dev_is)"; return 1; }
	expect_eq "driver" "$(driver_of "$DEV")" "$(home_of "$DEV")" || return 1
	expect_eq "GPU" "$(dev_is)" "dda vm=- releasing=false error=-" || return 1
	gpupartctl dev set "$DEV" mode none
}

# Every VF of DEV answers in its config space: its class code, as a VF's
# vendor ID reads all ones even when it is there (SR-IOV spec).
vfs_answer() {
	n=0
	for vf in "$SYS"/virtfn*; do
		id=$(od -An -tx4 -j8 -N4 "$vf/config" | tr -d ' ')
		[ "$id" != ffffffff ] || { diag "$(basename "$(readlink -f "$vf")") reads all ones"; return 1; }
		n=$((n + 1))
	done
	expect_eq "VFs" "$n" 4
}

# A fatal PCIe error on DEV, partitioned into 4: recovered, with VFs
# that work. Where the recovery loses them (vendor_loses_vfs), failed, and
# no VM gets one.
fatal_recovers() {
	port=$(basename "$(dirname "$(readlink -f "$SYS")")")
	monitor_start
	"$INJ" "$port" uncor 10 || { monitor_stop; return 1; }	# Data Link Protocol Error: fatal
	if vendor_loses_vfs; then
		wait_for 30 sh -c "grep -q '\"failed\"' '$mon'"
		monitor_stop
		expect_eq "GPU" "$(dev_is)" "partition vm=- releasing=false error=failed" || return 1
		out=$(gpupartctl vm assign r2 2>&1) && { diag "r2 got a dead VF: $out"; return 1; }
		back_from_failed "$DEV"
		return
	fi
	wait_for 30 sh -c "grep -q '\"recovered\"' '$mon'"
	monitor_stop
	wait_for 30 scrubbed || { diag "partitions never settled"; return 1; }
	expect_eq "GPU" "$(dev_is)" "partition vm=- releasing=false error=-" || return 1
	vfs_answer || return 1
	vf=$(gpupartctl -j vm assign r2 | jq -r .vf)
	[ -n "$vf" ] && [ "$vf" != null ] || { diag "no partition for r2"; return 1; }
	expect_eq "r2's VF driver" "$(driver_of "$vf")" vfio-pci
}

# As driverctl pins a device: the override names its driver while bound.
pinned() {
	gp_free_all
	home_of "$DEV" >"$SYS/driver_override" || return 1
	passed_to p1 || return 1
	gpupartctl vm release p1 || return 1
	wait_for 30 scrubbed || { diag "not back: $(dev_is)"; return 1; }
	expect_eq "driver" "$(driver_of "$DEV")" "$(home_of "$DEV")" || return 1
	expect_eq "driver_override" "$(cat "$SYS/driver_override")" "$(home_of "$DEV")" || return 1
	echo >"$SYS/driver_override"
}

round_trip() {
	passed_to r1 || return 1
	gpupartctl vm release r1 || return 1
	wait_for 30 scrubbed || { diag "not back: $(dev_is)"; return 1; }
	gpupartctl dev set "$DEV" mode none || return 1
	gpupartctl dev set "$DEV" mode partition count 4 || return 1
	fatal_recovers
}

out_of_recovery() {
	[ "$(gpupartctl -j dev show "$DEV" | jq -r '.devices[0].error // "-"')" = - ]
}

# A fatal PCIe error while a DDA assignment is between its claim and its
# handover (held there by handover_delay_ms): the claim is lost, the GPU
# comes back from vfio-pci by itself and leaves recovery, usable again.
aer_midway() {
	gp_free_all
	gpupartctl dev set "$DEV" mode dda || return 1
	port=$(basename "$(dirname "$(readlink -f "$SYS")")")
	out=$(mktemp)
	echo 3000 >"$DBG/handover_delay_ms"
	gpupartctl vm assign m1 dda dev "$DEV" >"$out" 2>&1 &
	pid=$!
	sleep 1
	"$INJ" "$port" uncor 10	# Data Link Protocol Error: fatal
	wait $pid
	rc=$?
	echo 0 >"$DBG/handover_delay_ms"
	diag "assign: exit $rc: $(cat "$out")"
	rm -f "$out"
	[ $rc -ne 0 ] || { diag "the assignment stood across a fatal error"; return 1; }
	wait_for 60 out_of_recovery || { diag "still in recovery: $(dev_is)"; return 1; }
	wait_for 30 scrubbed || { diag "not back: $(dev_is)"; return 1; }
	expect_eq "driver" "$(driver_of "$DEV")" "$(home_of "$DEV")" || return 1
	expect_eq "GPU" "$(dev_is)" "dda vm=- releasing=false error=-" || return 1
	gpupartctl vm assign m2 dda dev "$DEV" >/dev/null || return 1
	gpupartctl vm release m2 || return 1
	wait_for 30 scrubbed || { diag "not back: $(dev_is)"; return 1; }
	gpupartctl dev set "$DEV" mode none
}

# The same after an administrator's reset of the partitioned GPU.
sysfs_reset() {
	gp_free_all
	gpupartctl dev set "$DEV" mode partition count 4 || return 1
	echo 1 >"$SYS/reset" || return 1
	if vendor_loses_vfs; then
		# No error is reported: the first assignment finds the dead VFs.
		monitor_start
		out=$(gpupartctl vm assign r2 2>&1) && { monitor_stop; diag "r2 got a dead VF: $out"; return 1; }
		monitor_stop
		expect_eq "refusal" "$out" "Error: no free partition: 0 assigned, 0 releasing, 0 scrubbing, 4 quarantined" || return 1
		expect_eq "events" "$(mon_events)" "partition-quarantined:0 partition-quarantined:1 partition-quarantined:2 partition-quarantined:3 " || return 1
		gpupartctl dev set "$DEV" mode none
		return
	fi
	vfs_answer || return 1
	fatal_recovers
}

# The return of a released GPU waits (handover_delay_ms) before it takes
# the GPU back; QEMU unplugs it meanwhile, as a failing slot or an
# operator at the chassis does. With no VMM on it, vfio-pci lets go at
# once, and the return finds a function that is gone.
absent() { [ ! -e "$SYS" ]; }
gone() { ! gpupartctl dev show "$DEV" >/dev/null 2>&1; }
back() { [ "$(driver_of "$DEV")" = "$(home_of "$DEV")" ]; }
unplug_returning() {
	qid=$(qemu_id "$DEV") || return 1
	passed_to u1 || return 1
	# pciehp removes the GPU 5 s after QEMU presses the slot's attention
	# button (the operator's window to cancel): the return waits longer.
	echo 15000 >"$DBG/handover_delay_ms"
	mark_log
	gpupartctl vm release u1 || return 1
	echo "GPUPART-HOST device_del $qid" >/dev/console
	wait_for 30 absent || { diag "QEMU did not unplug $DEV"; return 1; }
	# Gone while its return still waits, or the test tests nothing.
	expect_eq "GPU once unplugged" "$(dev_is)" "dda vm=- releasing=true error=-" || return 1
	# The return goes on within 15 s; a reset of the dead PF would then
	# poll it for 60 s more.
	wait_for 30 gone || { diag "still listed 30 s later: $(dev_is)"; return 1; }
}
unplugged() {
	unplug_returning
	rc=$?
	echo 0 >"$DBG/handover_delay_ms"
	[ $rc = 0 ] || return 1
	out=$(new_log | grep -E "$DEV: (not ready .* after FLR|reset after DDA failed)")
	[ -z "$out" ] || { diag "the return reset the unplugged PF: $out"; return 1; }
	replug "$qid" "$DEV" || { diag "QEMU did not plug $DEV back in"; return 1; }
	wait_for 60 back || { diag "not gpupart's after the re-plug: $(driver_of "$DEV")"; return 1; }
	expect_eq "GPU after the re-plug" "$(dev_is)" "none vm=- releasing=false error=-"
}

tap_check "bound back to gpupart by hand while passed: reset, the VM revoked, the host's again" by_hand
tap_check "released after the administrator took it off vfio-pci: taken back from no driver" no_driver
tap_check "a driver_override pin is the GPU's own again after a round trip" pinned
modprobe aer_inject 2>/dev/null
if [ -c /dev/aer_inject ]; then
	if vendor_loses_vfs; then
		tap_check "back from a VM, partitioned: a fatal PCIe error that loses the VFs fails the GPU" round_trip
		tap_check "reset by hand, partitioned: VFs the reset lost are quarantined, given to no VM" sysfs_reset
	else
		tap_check "back from a VM, partitioned: a fatal PCIe error leaves working VFs" round_trip
		tap_check "reset by hand, partitioned: a fatal PCIe error leaves working VFs" sysfs_reset
	fi
	tap_check "a fatal PCIe error between a DDA claim and its handover: refused, GPU back and recovered" aer_midway
else
	tap_skip "back from a VM, partitioned: a fatal PCIe error leaves working VFs" "no /dev/aer_inject (CONFIG_PCIEAER_INJECT)"
	tap_skip "reset by hand, partitioned: a fatal PCIe error leaves working VFs" "no /dev/aer_inject (CONFIG_PCIEAER_INJECT)"
	tap_skip "a fatal PCIe error between a DDA claim and its handover: refused, GPU back and recovered" "no /dev/aer_inject (CONFIG_PCIEAER_INJECT)"
fi
why=$(no_hotplug)
if [ -z "$why" ]; then
	tap_check "hot-unplugged while its return waits: forgotten without a reset, back when re-plugged" unplugged
else
	tap_skip "hot-unplugged while its return waits" "$why"
fi
gp_free_all
gpupartctl dev set "$DEV" mode none 2>/dev/null
tap_finish
