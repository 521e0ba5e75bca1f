#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# A partition reaches a VM only when nothing of its last tenant can touch
# it, tried with a real VMM: Debian's QEMU, inside the test bed, takes an
# assigned partition as libvirt starts it (-device vfio-pci,host=VF, a
# paused guest) and keeps it. A release (or a revocation) answers at once;
# the partition is then releasing: QEMU keeps it untouched, nothing binds
# it again, nobody else gets the VF, gpupart stays loaded; once QEMU let
# go, the VF is reset and free. The same for a fatal PCIe error, a
# removal, and a whole GPU (DDA) QEMU holds, also when it is unplugged
# before QEMU let go (never reset once gone). And across an
# unbind and bind of the GPU, or a reload of gpupart, partitions found
# enabled are reset before use, and a quarantined one stays quarantined.
# Beside its vendor's driver, that driver letting go leaves no free VF
# bound, and QEMU's as it is.
. "$(dirname "$0")/lib.sh"

tap_plan 10
is_root || tap_skip_rest "vmm" "needs root"
module_loaded || tap_skip_rest "vmm" "gpupart not loaded"
command -v jq >/dev/null || tap_skip_rest "vmm" "jq not installed"
command -v qemu-system-x86_64 >/dev/null || tap_skip_rest "vmm" "qemu-system-x86_64 not installed"
modprobe vfio_iommu_type1 2>/dev/null
[ -d /sys/bus/pci/drivers/vfio-pci ] || tap_skip_rest "vmm" "vfio-pci not loaded"
[ -d /sys/module/vfio_iommu_type1 ] || tap_skip_rest "vmm" "vfio_iommu_type1 not loaded"
# shellcheck disable=SC2046
set -- $(gp_sriov_devs 4)
[ $# -ge 2 ] || tap_skip_rest "vmm" "needs two SR-IOV capable devices with 4 VFs bound to gpupart"
DEV=$1
WHOLE=$2
PORT=$(basename "$(dirname "$(readlink -f /sys/bus/pci/devices/"$DEV")")")
INJ="$(dirname "$0")/aer_inj"
modprobe aer_inject 2>/dev/null
IDS=$(cat /sys/module/gpupart/parameters/ids)
DBG=/sys/kernel/debug/gpupart

tmp=$(mktemp -d)
mon=$tmp/mon
: >"$tmp"/pids
trap 'kill $(cat "$tmp"/pids 2>/dev/null) 2>/dev/null; rm -rf "$tmp"
	[ -w "$DBG"/release_delay_ms ] && echo 0 >"$DBG"/release_delay_ms' EXIT

# vmm_launch VF LOG: QEMU started on VF, as libvirt starts a guest with a
# hostdev (paused: no guest code needs to run), its output in LOG and its
# pid in $VMM.
vmm_launch() {
	qemu-system-x86_64 -machine q35 -accel tcg -nodefaults -display none \
		-m 64 -S -device vfio-pci,host="$1" -monitor none -serial none \
		>"$2" 2>&1 &
	VMM=$!
	echo "$VMM" >>"$tmp/pids"
}

# vmm_start VF: QEMU takes VF; returns once QEMU holds the device.
vmm_start() {
	vmm_launch "$1" "$tmp/qemu-$1.log"
	for _ in $(seq 300); do
		vmm_holds "$VMM" && return 0
		kill -0 "$VMM" 2>/dev/null || break
		sleep 0.1
	done
	diag "QEMU did not take $1: $(cat "$tmp/qemu-$1.log")"
	return 1
}

# Whether process $1 has a VFIO device open.
vmm_holds() {
	for fd in /proc/"$1"/fd/*; do
		[ "$(readlink "$fd" 2>/dev/null)" = "anon_inode:[vfio-device]" ] && return 0
	done
	return 1
}

vmm_stop() {
	kill "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 0
}


# Every partition but VF $1's is free.
others_free() {
	[ "$(gpupartctl -j dev show | jq -r --arg vf "$1" \
		'[.devices[].partitions[]? | select(.vf != $vf) | .state] | unique | join(",")')" = free ]
}

# Every QEMU a test started, stopped: a failed test leaves none holding a VF.
vmm_stop_all() {
	while read -r p; do
		vmm_stop "$p"
	done <"$tmp"/pids
	: >"$tmp"/pids
}

# The partitioned GPU DEV holds 4 partitions, nothing else is partitioned.
four() {
	vmm_stop_all
	gp_free_all
	gpupartctl dev set "$DEV" mode partition count 4
}

# A QEMU that opens a released VF after gpupart found nobody on it, and
# before gpupart unbound its driver (release_delay_ms holds the release
# there): it must not get the VF, and the release must not wait for it
# (unbinding vfio-pci from a VF QEMU holds would wait for QEMU to let go).
late_vmm() {
	four || return 1
	vf=$(gpupartctl -j vm assign tenant-a | jq -r .vf)
	mark_log
	echo 10000 >"$DBG"/release_delay_ms
	gpupartctl vm release tenant-a || return 1
	# The release's work runs at once; it is in the delay now.
	sleep 2
	vmm_launch "$vf" "$tmp/late.log"
	gone() { ! kill -0 "$VMM" 2>/dev/null; }
	wait_for 30 gone || { diag "QEMU runs, holding: $(vmm_holds "$VMM" && echo "$vf")"; }
	echo 0 >"$DBG"/release_delay_ms
	gone || return 1
	diag "QEMU: $(tail -n 1 "$tmp/late.log")"
	wait_for 30 state_is "$vf" free || { diag "$vf is $(state_of "$vf")"; return 1; }
	expect_eq "driver" "$(driver_of "$vf")" vfio-pci || return 1
	new_log | grep -q "$vf: Relaying device request to user" &&
		{ diag "vfio-pci asked a VMM for $vf"; return 1; }
	return 0
}

# Released while QEMU holds it: releasing until QEMU let go, never handed
# out meanwhile, reset and free after.
release_held() {
	four || return 1
	vf=$(gpupartctl -j vm assign tenant-a | jq -r .vf)
	vmm_start "$vf" || return 1
	mark_log
	monitor_start
	gpupartctl vm release tenant-a || return 1
	# Time for the release's steps to have run, were nothing holding the VF.
	sleep 3
	expect_eq "state while QEMU holds it" "$(state_of "$vf")" releasing || return 1
	# Nothing binds it again before its reset, not even vfio-pci.
	expect_eq "override" "$(cat /sys/bus/pci/devices/"$vf"/driver_override)" gpupart-releasing || return 1
	# Untouched: not unbound under it (vfio-pci would ask QEMU to let go).
	vmm_holds "$VMM" || { diag "QEMU lost $vf"; return 1; }
	expect_eq "driver" "$(driver_of "$vf")" vfio-pci || return 1
	new_log | grep -q "$vf: Relaying device request to user" &&
		{ diag "vfio-pci was unbound under QEMU"; return 1; }
	for vm in b c d; do
		got=$(gpupartctl -j vm assign "tenant-$vm" | jq -r .vf) || return 1
		[ "$got" != "$vf" ] || { diag "tenant-$vm was given $vf, which QEMU holds"; return 1; }
	done
	out=$(gpupartctl vm assign tenant-e vf "$vf" 2>&1) && { diag "tenant-e got $vf"; return 1; }
	expect_eq "refusal" "$out" "Error: VF $vf is not free: it is releasing" || return 1
	out=$(gpupartctl vm assign tenant-e 2>&1) && { diag "tenant-e got a partition"; return 1; }
	expect_eq "refusal" "$out" "Error: no free partition: 3 assigned, 1 releasing, 0 scrubbing, 0 quarantined" ||
		return 1
	# Only the partition QEMU holds keeps gpupart loaded now.
	for vm in b c d; do
		gpupartctl vm release "tenant-$vm" || return 1
	done
	wait_for 300 others_free "$vf" || { diag "the other partitions are not free"; return 1; }
	expect_eq "references" "$(cat /sys/module/gpupart/refcnt)" 1 || return 1
	rmmod gpupart 2>/dev/null && { diag "gpupart unloaded under a releasing partition"; return 1; }
	vmm_stop "$VMM"
	wait_for 300 state_is "$vf" free || { diag "$vf is $(state_of "$vf") after QEMU exited"; return 1; }
	monitor_stop
	expect_eq "scrubbed event" "$(jq -r --arg vf "$vf" 'select(.event == "partition-scrubbed" and .vf == $vf) | .vf' "$mon")" "$vf" ||
		return 1
	expect_eq "driver" "$(driver_of "$vf")" vfio-pci || return 1
	expect_eq "references after" "$(cat /sys/module/gpupart/refcnt)" 0 || return 1
	expect_eq "given out after" "$(gpupartctl -j vm assign tenant-e | jq -r .vf)" "$vf"
}

# Revoked while QEMU holds it (the GPU is removed): the removal waits for
# QEMU to let go, as vfio-pci's own would, and the GPU comes back. Not on
# Linux 6.1, whose vfio then frees QEMU's container under it when QEMU
# exits (a use-after-free in vfio_fops_release()): the kernel's own
# removal path, which gpupart cannot steer around.
revoked_held() {
	four || return 1
	vf=$(gpupartctl -j vm assign tenant-a | jq -r .vf)
	vmm_start "$vf" || return 1
	gp_remove "$DEV" &
	rm_pid=$!
	sleep 3
	kill -0 "$rm_pid" 2>/dev/null || { diag "removal did not wait for QEMU"; return 1; }
	if [ "$(hold_way)" = driver ]; then
		# The PF's remove() comes first and revokes every VM at once.
		expect_eq "VMs while the removal waits" "$(gpupartctl -j vm show | jq -c .vms)" "[]" || return 1
	else
		# A slot powered off loses its VFs first, the PF last: the VM is
		# revoked as the PF goes, once QEMU let go of its VF (the admin
		# guide, "Two ways to hold a GPU"). Nobody else gets it meanwhile.
		out=$(gpupartctl vm assign tenant-b vf "$vf" 2>&1) && { diag "tenant-b got $vf"; return 1; }
	fi
	vmm_stop "$VMM"
	wait "$rm_pid" || return 1
	expect_eq "VMs once removed" "$(gpupartctl -j vm show | jq -c .vms)" "[]" || return 1
	gp_back "$DEV" || return 1
	expect_eq "after rescan" "$(gpupartctl -j dev show "$DEV" | jq -r '.devices[0].mode')" none
}

# A fatal PCIe error revokes a partition QEMU holds: it stays releasing
# through recovery and after, until QEMU let go; the others come back.
# Where the recovery loses the VFs (vendor_loses_vfs), the GPU fails.
aer_held() {
	[ -c /dev/aer_inject ] || { diag "no /dev/aer_inject"; return 1; }
	four || return 1
	vf=$(gpupartctl -j vm assign tenant-a | jq -r .vf)
	vmm_start "$vf" || return 1
	"$INJ" "$PORT" uncor 10 || return 1	# Data Link Protocol Error: fatal
	if vendor_loses_vfs; then
		# The recovery lost the VFs (lib.sh): the GPU failed, and QEMU's
		# partition is releasing while QEMU holds it; no VM gets any.
		wait_for 60 gp_failed "$DEV" || { diag "not failed: $(gpupartctl -j dev show "$DEV")"; return 1; }
		expect_eq "VMs" "$(gpupartctl -j vm show | jq -c .vms)" "[]" || return 1
		expect_eq "state while QEMU holds it" "$(state_of "$vf")" releasing || return 1
		out=$(gpupartctl vm assign tenant-b 2>&1) && { diag "tenant-b got a partition: $out"; return 1; }
		vmm_stop "$VMM"
		back_from_failed "$DEV"
		return
	fi
	wait_for 300 others_free "$vf" || { diag "not recovered: $(gpupartctl -j dev show "$DEV")"; return 1; }
	expect_eq "VMs" "$(gpupartctl -j vm show | jq -c .vms)" "[]" || return 1
	expect_eq "error" "$(gpupartctl -j dev show "$DEV" | jq -r '.devices[0].error')" null || return 1
	sleep 2
	expect_eq "state while QEMU holds it" "$(state_of "$vf")" releasing || return 1
	for vm in b c d; do
		got=$(gpupartctl -j vm assign "tenant-$vm" | jq -r .vf) || return 1
		[ "$got" != "$vf" ] || { diag "tenant-$vm was given $vf, which QEMU holds"; return 1; }
	done
	vmm_stop "$VMM"
	wait_for 300 state_is "$vf" free || { diag "$vf is $(state_of "$vf") after QEMU exited"; return 1; }
}

whole_releasing() {
	gpupartctl -j dev show "$WHOLE" | jq -e '.devices[0].releasing' >/dev/null
}

whole_back() {
	! whole_releasing && [ "$(driver_of "$WHOLE")" = "$(home_of "$WHOLE")" ]
}

# A whole GPU released while QEMU holds it: the release answers at once,
# the GPU is releasing (vfio-pci asks QEMU to let go) and nobody gets it,
# until QEMU let go; then it is reset and back with gpupart.
dda_held() {
	vmm_stop_all
	gp_free_all
	gpupartctl dev set "$WHOLE" mode dda || return 1
	gpupartctl vm assign big-1 dda dev "$WHOLE" >/dev/null || return 1
	vmm_start "$WHOLE" || return 1
	mark_log
	# A hang detector, not a timing: the release used to wait for QEMU.
	timeout 60 gpupartctl vm release big-1 || { diag "release did not answer"; return 1; }
	sleep 3
	whole_releasing || { diag "not releasing: $(gpupartctl -j dev show "$WHOLE")"; return 1; }
	vmm_holds "$VMM" || { diag "QEMU lost $WHOLE"; return 1; }
	new_log | grep -q "$WHOLE: Relaying device request to user" &&
		{ diag "vfio-pci was unbound under QEMU"; return 1; }
	expect_eq "VM" "$(gpupartctl -j vm show | jq -c .vms)" "[]" || return 1
	out=$(gpupartctl vm assign big-2 dda dev "$WHOLE" 2>&1) && { diag "big-2 got $WHOLE"; return 1; }
	expect_eq "refusal" "$out" "Error: $WHOLE is being taken back from its last VM; try again" || return 1
	out=$(gpupartctl dev set "$WHOLE" mode none 2>&1) && { diag "mode none under QEMU"; return 1; }
	rmmod gpupart 2>/dev/null && { diag "gpupart unloaded under a releasing GPU"; return 1; }
	vmm_stop "$VMM"
	wait_for 300 whole_back || { diag "not back: $(gpupartctl -j dev show "$WHOLE")"; return 1; }
	gpupartctl dev set "$WHOLE" mode none
}

# A whole GPU released while QEMU holds it, then hot-unplugged: the
# removal waits in vfio-pci for QEMU; once QEMU let go, the return finds
# the PF gone and forgets it, without resetting a function that is not
# there (which polls a minute in pci_dev_wait(), "not ready ... after
# FLR"). Re-plugged, it is gpupart's again.
whole_gone() {
	[ ! -e /sys/bus/pci/devices/"$WHOLE" ] && ! gpupartctl dev show "$WHOLE" >/dev/null 2>&1
}
whole_here() {
	[ "$(driver_of "$WHOLE")" = "$(home_of "$WHOLE")" ]
}
dda_unplugged() {
	vmm_stop_all
	gp_free_all
	qid=$(qemu_id "$WHOLE") || return 1
	gpupartctl dev set "$WHOLE" mode dda || return 1
	gpupartctl vm assign big-3 dda dev "$WHOLE" >/dev/null || return 1
	vmm_start "$WHOLE" || return 1
	gpupartctl vm release big-3 || return 1
	wait_for 10 whole_releasing || { diag "not releasing: $(gpupartctl -j dev show "$WHOLE")"; return 1; }
	mark_log
	echo "GPUPART-HOST device_del $qid" >/dev/console
	sleep 3
	vmm_stop "$VMM"
	wait_for 120 whole_gone || { diag "still there: $(gpupartctl -j dev show "$WHOLE" 2>&1)"; return 1; }
	sleep 2
	out=$(new_log | grep -E "$WHOLE: (not ready .* after FLR|reset after DDA failed)")
	replug "$qid" "$WHOLE" || { diag "QEMU did not plug $WHOLE back in"; return 1; }
	[ -z "$out" ] || { diag "the return reset the unplugged PF: $out"; return 1; }
	wait_for 60 whole_here || { diag "not back after the re-plug: $(driver_of "$WHOLE")"; return 1; }
	expect_eq "mode after the re-plug" "$(gpupartctl -j dev show "$WHOLE" | jq -r '.devices[0].mode')" none
}

# DEV with 4 VFs enabled before gpupart bound it, as after a handover from
# pci-pf-stub, whose removal leaves SR-IOV on; "watch": the monitor starts
# just before gpupart binds it.
adopted_four() {
	vmm_stop_all
	gp_free_all
	# Enabled outside gpupart: by pci-pf-stub, which has the PF for the
	# while; beside its vendor's driver, through that driver's sysfs door.
	if [ "$(hold_way)" = vendor ]; then
		echo 4 >"/sys/bus/pci/devices/$DEV/sriov_numvfs" || return 1
	else
		stub_vfs "$DEV" 4 || return 1
	fi
	# One VF with a host driver (pci-pf-stub uses the DMA API): no VMM.
	modprobe pci-pf-stub 2>/dev/null
	vf0=$(basename "$(readlink /sys/bus/pci/devices/"$DEV"/virtfn0)")
	echo pci-pf-stub >/sys/bus/pci/devices/"$vf0"/driver_override
	echo "$vf0" >/sys/bus/pci/drivers_probe
	expect_eq "$vf0 before" "$(driver_of "$vf0")" pci-pf-stub || return 1
	[ "${1:-}" = watch ] && monitor_start
	if [ "$(hold_way)" = vendor ]; then
		gpupartctl dev set "$DEV" mode partition count 4 || return 1
	else
		stub_to_gpupart "$DEV" || return 1
	fi
	expect_eq "adopted" "$(gpupartctl -j dev show "$DEV" | jq -r '"\(.devices[0].mode) \(.devices[0].partitions | length)"')" \
		"partition 4"
}

all_free() {
	[ "$(gpupartctl -j dev show "$DEV" | jq -r '[.devices[0].partitions[].state] | unique | join(",")')" = free ]
}

# Found enabled: each reset and bound to vfio-pci before it is free, and
# an event says so; the one a host driver had is taken from it at once.
adoption_resets() {
	adopted_four watch || return 1
	wait_for 300 all_free || { diag "adopted partitions not free"; return 1; }
	monitor_stop
	expect_eq "events" "$(mon_events | tr ' ' '\n' | grep '^partition-' | tr '\n' ' ')" \
		"partition-scrubbed:0 partition-scrubbed:1 partition-scrubbed:2 partition-scrubbed:3 " || return 1
	for vf in $(gpupartctl -j dev show "$DEV" | jq -r '.devices[0].partitions[].vf'); do
		expect_eq "$vf driver" "$(driver_of "$vf")" vfio-pci || return 1
	done
}

# A quarantined partition stays so across unbind and bind, and rmmod and
# modprobe; a VM that asks for its VF does not get it; a clear frees it.
quarantine_kept() {
	adopted_four && wait_for 300 all_free || return 1
	echo 1 >"$DBG"/fail_reset
	q=$(gpupartctl -j vm assign victim | jq -r .vf)
	gpupartctl vm release victim || return 1
	wait_for 300 state_is "$q" quarantined || { diag "$q is $(state_of "$q")"; return 1; }
	expect_eq "override" "$(cat /sys/bus/pci/devices/"$q"/driver_override)" gpupart-quarantined || return 1
	expect_eq "driver" "$(driver_of "$q")" "" || return 1
	home_unbind "$DEV" || return 1
	home_bind "$DEV" || return 1
	wait_for 300 state_is "$q" quarantined || { diag "after rebind $q is $(state_of "$q")"; return 1; }
	# A VM that names the VF gets it or nothing; never another one.
	out=$(gpupartctl vm assign wants-q vf "$q" 2>&1) && { diag "wants-q got a partition"; return 1; }
	expect_eq "refusal" "$out" "Error: VF $q is not free: it is quarantined" || return 1
	gpupartctl vm show wants-q >/dev/null 2>&1 && { diag "wants-q holds something"; return 1; }
	# The others, adopted again, are reset first: gpupart stays until then.
	wait_for 300 scrubbed || { diag "adopted partitions not reset"; return 1; }
	rmmod gpupart || { diag "rmmod gpupart failed"; return 1; }
	modprobe gpupart ids="$IDS" || return 1
	wait_for 300 state_is "$q" quarantined || { diag "after reload $q is $(state_of "$q")"; return 1; }
	idx=$(gpupartctl -j dev show "$DEV" | jq -r --arg vf "$q" '.devices[0].partitions[] | select(.vf == $vf) | .index')
	gpupartctl dev clear "$DEV" partition "$idx" || return 1
	expect_eq "after clear" "$(state_of "$q"):$(driver_of "$q")" free:vfio-pci
}

# Beside its vendor's driver, that driver lets go of the PF while QEMU
# holds a partition: the VFs stay enabled, and nothing of gpupart's holds
# them. None may be left for a VMM to take outside the rules: every free
# one is unbound and reserved for no driver; QEMU's stays as it is (an
# unbind would wait for QEMU), marked likewise. Bound again, the PF's
# VFs are adopted, each reset before it is free.
# Every VF of $DEV reserved for no driver, and all but $1 unbound.
shelved() {
	for v in /sys/bus/pci/devices/"$DEV"/virtfn*; do
		[ "$(cat "$v/driver_override")" = gpupart-unadopted ] || return 1
		[ "$(basename "$(readlink -f "$v")")" = "$1" ] && continue
		[ -z "$(driver_of "$(basename "$(readlink -f "$v")")")" ] || return 1
	done
}
vendor_lets_go() {
	four || return 1
	vf=$(gpupartctl -j vm assign tenant-a | jq -r .vf)
	vmm_start "$vf" || return 1
	mark_log
	home_unbind "$DEV" || return 1
	wait_for 30 shelved "$vf" || { diag "VFs: $(ls -l /sys/bus/pci/devices/"$DEV"/virtfn*/driver 2>&1)"; return 1; }
	expect_eq "$vf driver" "$(driver_of "$vf")" vfio-pci || return 1
	vmm_holds "$VMM" || { diag "QEMU lost $vf"; return 1; }
	new_log | grep -q "1 VFs a VMM has stay bound until the PF is held again" ||
		{ diag "no word of the VF QEMU has"; return 1; }
	new_log | grep -q "$vf: Relaying device request to user" &&
		{ diag "vfio-pci asked QEMU for $vf"; return 1; }
	vmm_stop_all
	home_bind "$DEV" || return 1
	wait_for 300 all_free || { diag "adopted partitions not free"; return 1; }
	expect_eq "$vf driver after adoption" "$(driver_of "$vf")" vfio-pci
}

tap_check "released while QEMU holds it: releasing, untouched, never handed out, reset once QEMU let go" release_held
tap_check "a QEMU that comes for a released VF after gpupart found it unheld is kept out" late_vmm
tap_check "revoked by a fatal PCIe error while QEMU holds it: releasing until QEMU let go" aer_held
tap_check "a whole GPU released while QEMU holds it: answered at once, back once QEMU let go" dda_held
case $(uname -r) in
6.1.*)
	tap_skip "revoked by removal while QEMU holds it" "Linux 6.1's vfio frees the VMM's container when a device it holds is removed"
	tap_skip "a whole GPU QEMU holds, released and hot-unplugged" "Linux 6.1's vfio frees the VMM's container when a device it holds is removed"
	;;
*)
	tap_check "revoked by removal while QEMU holds it: the removal waits for QEMU" revoked_held
	why=$(no_hotplug)
	if [ -z "$why" ]; then
		tap_check "a whole GPU QEMU holds, released and hot-unplugged: forgotten, not reset, back when re-plugged" dda_unplugged
	else
		tap_skip "a whole GPU QEMU holds, released and hot-unplugged" "$why"
	fi
	;;
esac
tap_check "partitions found enabled are reset and bound before they are free" adoption_resets
tap_check "quarantined stays quarantined across unbind/bind and rmmod/modprobe" quarantine_kept
if [ "$(hold_way)" = vendor ]; then
	tap_check "its vendor's driver lets go: free VFs unbound, QEMU's kept, adopted when bound again" vendor_lets_go
else
	tap_skip "its vendor's driver lets go" "gpupart is the PF's driver here (HOLD=vendor runs it)"
fi
vmm_stop_all
gp_free_all
# Adopted VFs stay enabled when gpupart lets go: mode none disables them.
tap_check "everything released, gpupart unloads and loads again" release_all "$IDS"
tap_finish
