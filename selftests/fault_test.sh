#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Fault injection (the debug kernel: CONFIG_FAILSLAB, CONFIG_FAIL_FUNCTION).
#
# Sweeps: for each request, the 1st, 2nd, ... allocation it makes (in the
# requesting task: gpupart's, the PCI core's, the netlink core's, the
# passthrough driver's) fails in turn, through fail-nth (fault_req), until
# the request has no allocation left to fail. After each, the host must be
# as the answer says: a refused request changed nothing and left no VF
# behind, an accepted one did all it said, and the invariants hold
# (gpupart_stress check). Covered: DEV_SET to partition and back,
# VM_ASSIGN, DDA assign and release (the handovers), PARTITION_CLEAR,
# probe (bind) and module init (load, with the probes it makes).
#
# Not swept: the allocations inside pci_enable_sriov(). Debian 6.1's PCI
# core does not survive them: after one fails, a later enable hits
# BUG_ON(request_resource()) in pci_iov_add_virtfn() (a VF BAR left
# claimed), whoever the driver is. DEV_SET to partition is covered by
# fail_function instead, on both of its fallible steps.
#
# fail_function: gpupart's own calls that the PCI core can fail (enabling
# SR-IOV, taking the VFs as partitions, a handover, a partition's reset)
# fail once each; the request says why, nothing is left behind. (A reset
# failing in the scrub work is the fail_reset knob's, in vm_test.)
# leak_check.sh (run after every test) then finds what any of it leaked.
#
# FAULT_STRIDE: test every Nth fault point (default: enough for about 6
# a request, the smoke run of "make check"; "make faults" sets 1).
. "$(dirname "$0")/lib.sh"
DIR=$(cd "$(dirname "$0")" && pwd)
DBG=/sys/kernel/debug

tap_plan 11
is_root || tap_skip_rest "fault" "needs root"
module_loaded || tap_skip_rest "fault" "gpupart not loaded"
command -v jq >/dev/null || tap_skip_rest "fault" "jq not installed"
[ -e /proc/self/fail-nth ] && [ -d $DBG/failslab ] && [ -d $DBG/fail_function ] ||
	tap_skip_rest "fault" "no failslab/fail_function (CONFIG_FAILSLAB, CONFIG_FAIL_FUNCTION: the debug kernel has them)"
A=$(pfs_with_id 1b36 0010 | head -n 1)
E=$(pfs_with_id 8086 5845 | head -n 1)
[ -n "$A" ] && [ -n "$E" ] || tap_skip_rest "fault" "needs a 1b36:0010 and an 8086:5845 stand-in"
IDS=$(cat /sys/module/gpupart/parameters/ids)
KO=/lib/modules/$(uname -r)/extra/gpupart.ko
NGPU=$(gp_bound | wc -l)

# Every GFP_KERNEL allocation counts; no stack dump for each injected fault.
echo N >$DBG/failslab/ignore-gfp-wait
echo 0 >$DBG/failslab/verbose
echo 0 >$DBG/fail_function/verbose

mode_of() { gpupartctl -j dev show "$1" | jq -r '.devices[0].mode'; }
numvfs() { cat "/sys/bus/pci/devices/$1/sriov_numvfs"; }
# How many GPU resources VM $1 holds (vm show -j has a row per resource).
holds() { gpupartctl -j vm show | jq "[.vms[] | select(.vm == \"$1\")] | length"; }
consistent() {
	"$DIR/gpupart_stress" check >/dev/null || { "$DIR/gpupart_stress" check; return 1; }
}
vf_count() { ls -d /sys/bus/pci/devices/*/physfn 2>/dev/null | wc -l; }

# sweep NAME PREPARE CHECK OP ARGS...: every fault point of "fault_req N
# OP ARGS" (every FAULT_STRIDE-th) from SWEEP_FROM (default 1), PREPARE
# before each, CHECK "$rc" "$reason" after.
sweep() {
	sw_name=$1 sw_prep=$2 sw_check=$3
	shift 3
	$sw_prep || { diag "$sw_name: setting up failed"; return 1; }
	sw_points=$("$DIR/fault_req" 1000000 "$@" | awk '{ print $4 }')
	$sw_check ok - || { diag "$sw_name: fails without a fault"; return 1; }
	sw_n=${SWEEP_FROM:-1}
	sw_stride=${FAULT_STRIDE:-$(((sw_points - sw_n + 6) / 6))}
	sw_tried=0 sw_refused=0 sw_accepted=0
	while [ "$sw_n" -le "$sw_points" ]; do
		$sw_prep || { diag "$sw_name: setting up failed before fault $sw_n"; return 1; }
		out=$("$DIR/fault_req" "$sw_n" "$@")
		rc=$(echo "$out" | awk '{ print $6 }')
		reason=${out#* reason }
		sw_tried=$((sw_tried + 1))
		if [ "$rc" = ok ]; then
			sw_accepted=$((sw_accepted + 1))
		else
			sw_refused=$((sw_refused + 1))
		fi
		$sw_check "$rc" "$reason" &&
			consistent || { diag "$sw_name: fault $sw_n of $sw_points: $rc ($reason)"; return 1; }
		sw_n=$((sw_n + sw_stride))
	done
	diag "$sw_name: fault points ${SWEEP_FROM:-1} to $sw_points, $sw_tried tried (every $sw_stride): $sw_refused refused, $sw_accepted accepted all the same"
}

# A lost ack: the request did what it was asked, its answer is what failed.
lost_ack() { [ "$1" = ENOBUFS ] || [ "$1" = EIO ]; }

part_none() {
	gpupartctl vm release f1 2>/dev/null
	wait_for 30 scrubbed
	gpupartctl dev set "$A" mode none
}
part_two() { part_none && gpupartctl dev set "$A" mode partition count 2; }
none_check() {
	m=$(mode_of "$A") v=$(numvfs "$A")
	[ "$1" = ok ] && { [ "$m:$v" = none:0 ]; return; }
	[ "$m:$v" = partition:2 ] || { lost_ack "$1" && [ "$m:$v" = none:0 ]; } ||
		{ diag "refused, yet mode $m with $v VFs"; return 1; }
}
assign_check() {
	h=$(holds f1)
	[ "$1" = ok ] && { [ "$h" = 1 ]; return; }
	[ "$h" = 0 ] || lost_ack "$1" ||
		{ diag "refused, yet f1 holds $h"; return 1; }
}
e_dda() {
	gpupartctl vm release f2 2>/dev/null
	# A release answers at once; the GPU comes back in the background.
	wait_for 300 scrubbed
	# A handover whose way back failed leaves the GPU without a driver.
	if [ -z "$(driver_of "$E")" ]; then
		echo >"/sys/bus/pci/devices/$E/driver_override"
		echo "$E" >/sys/bus/pci/drivers/gpupart/bind
	fi
	[ "$(driver_of "$E")" = gpupart ] && gpupartctl dev set "$E" mode dda
}
dda_check() {
	d=$(driver_of "$E") h=$(holds f2)
	[ "$(gpupartctl -j dev show | jq "[.devices[] | select(.pci == \"$E\")] | length")" = 1 ] ||
		{ diag "$E is listed $(gpupartctl -j dev show | grep -c "$E") times"; return 1; }
	[ "$1" = ok ] && { [ "$d:$h" = vfio-pci:1 ]; return; }
	case "$d:$h" in
	gpupart:* | :*) [ "$h" = 0 ] || lost_ack "$1" ;;
	*) lost_ack "$1" ;;
	esac || { diag "refused, yet $E is with '$d' and f2 holds '$h'"; return 1; }
}
e_given() { e_dda && gpupartctl vm assign f2 dda dev "$E" >/dev/null; }
release_check() {
	wait_for 300 scrubbed
	d=$(driver_of "$E") h=$(holds f2)
	# Released: back with gpupart, or with no driver if its way back failed.
	released() { [ "$h" = 0 ] && [ "$d" != vfio-pci ]; }
	if [ "$1" = ok ]; then
		released
	else
		[ "$d:$h" = vfio-pci:1 ] || { lost_ack "$1" && released; } ||
			{ diag "refused, yet $E is with '$d' and f2 holds '$h'"; return 1; }
	fi
}
quarantined() {
	part_two || return 1
	echo 1 >$DBG/gpupart/fail_reset
	gpupartctl vm assign f1 >/dev/null && gpupartctl vm release f1 &&
		wait_for 30 scrubbed
	[ "$(gpupartctl -j dev show "$A" | jq -r '[.devices[0].partitions[].state] | index("quarantined")')" != null ]
}
clear_check() {
	# The clear's reset runs in the background: its outcome, once it ran.
	wait_for 300 scrubbed
	q=$(gpupartctl -j dev show "$A" | jq -r '[.devices[0].partitions[].state] | index("quarantined")')
	[ "$1" = ok ] && { [ "$q" = null ]; return; }
	[ "$q" != null ] || lost_ack "$1"
}
unbound() {
	[ -n "$(driver_of "$A")" ] || return 0	# a failed bind left it so
	part_none && echo "$A" >/sys/bus/pci/drivers/gpupart/unbind
}
bind_check() {
	d=$(driver_of "$A") n=$(gpupartctl -j dev show | jq "[.devices[] | select(.pci == \"$A\")] | length")
	[ "$1" = ok ] && { [ "$d:$n" = gpupart:1 ]; return; }
	[ "$d:$n" = ":0" ] || { diag "refused, yet driver '$d', listed $n times"; return 1; }
}
unloaded() {
	release_all_quiet
	module_loaded && { rmmod gpupart || return 1; }
	[ "$(vf_count)" = 0 ]
}
release_all_quiet() {
	module_loaded || return 0
	for vm in $(gpupartctl -j vm show | jq -r '.vms[].vm' | sort -u); do
		gpupartctl vm release "$vm"
	done
	wait_for 30 scrubbed
	for d in $(gp_bound); do gpupartctl dev set "$d" mode none; done
}
load_check() {
	if [ "$1" = ok ]; then
		# A probe that failed leaves its GPU unbound, and not listed.
		listed=$(gpupartctl -j dev show | jq '.devices | length')
		[ "$(gp_bound | wc -l)" = "$listed" ] ||
			{ diag "$(gp_bound | wc -l) GPUs bound, $listed listed"; return 1; }
		return 0
	fi
	! module_loaded || { diag "refused, yet loaded"; return 1; }
	[ "$(vf_count)" = 0 ] || { diag "refused, and $(vf_count) VFs are left"; return 1; }
}
# consistent() needs the module: a refused load has nothing to check.
load_sweep() {
	consistent() { ! module_loaded || "$DIR/gpupart_stress" check >/dev/null; }
	# From gpupart's init on: the loader's own vmalloc warns when it fails.
	unloaded || return 1
	first=$("$DIR/fault_req" 1000000 load "$KO" placement=bogus | awk '{ print $4 }')
	SWEEP_FROM=$((first > 3 ? first - 3 : 1))
	sweep "module init" unloaded load_check load "$KO" "ids=$IDS"
	rc=$?
	SWEEP_FROM=
	consistent() { "$DIR/gpupart_stress" check >/dev/null || { "$DIR/gpupart_stress" check; return 1; }; }
	module_loaded || modprobe gpupart ids="$IDS"
	return $rc
}

# ff FUNCTION ERRNO OP ARGS...: gpupart's FUNCTION fails once, in the
# request "fault_req 1 OP ARGS": fail-nth drives fail_function too, with
# no random draw (6.1 draws it under the kprobe, which lockdep rejects),
# and failslab counts no allocation meanwhile. Prints the answer.
ff() {
	fn=$1 err=$2
	shift 2
	# No slab cache is marked for failslab: none of them counts now.
	echo Y >$DBG/failslab/cache-filter
	echo 0 >$DBG/fail_function/probability
	echo "$fn" >$DBG/fail_function/inject &&
		printf '%#x' "$(( err & 0xffffffffffffffff ))" >"$DBG/fail_function/$fn/retval" &&
		"$DIR/fault_req" 1 "$@"
	echo "!$fn" >$DBG/fail_function/inject
	echo N >$DBG/failslab/cache-filter
}

ff_enable() {
	part_none || return 1
	out=$(ff gpupart_enable_sriov -5 dev-set "$A" partition 2)
	expect_eq "answer" "$out" "injected 1 points 1 rc EIO reason enabling 2 VFs failed (-5)" &&
		expect_eq "mode" "$(mode_of "$A"):$(numvfs "$A")" "none:0" && consistent
}
ff_parts() {
	part_none || return 1
	out=$(ff gpupart_parts_new 0 dev-set "$A" partition 2)
	expect_eq "answer" "$out" "injected 1 points 1 rc ENOMEM reason the 2 VFs could not be taken as partitions" &&
		expect_eq "mode" "$(mode_of "$A"):$(numvfs "$A")" "none:0" && consistent
}
# With a pin on the GPU (driverctl's), which the handover must keep.
ff_handover() {
	e_dda || return 1
	echo gpupart >"/sys/bus/pci/devices/$E/driver_override"
	out=$(ff gpupart_pci_handover -5 dda f2 "$E")
	rc=0
	expect_eq "answer" "$out" "injected 1 points 1 rc EIO reason vfio-pci did not take $E (-5); it stays with the host" &&
		expect_eq "driver" "$(driver_of "$E")" gpupart &&
		expect_eq "driver_override as before" "$(cat "/sys/bus/pci/devices/$E/driver_override")" gpupart &&
		consistent || rc=1
	echo >"/sys/bus/pci/devices/$E/driver_override"
	return $rc
}
# A clear's reset runs in the background, in no task of the request's:
# fail_reset fails it there, and the command says so when it ends.
ff_reset() {
	quarantined || return 1
	echo 1 >$DBG/gpupart/fail_reset
	out=$(gpupartctl dev clear "$A" partition 0 2>&1) && { diag "clear succeeded"; return 1; }
	expect_eq "answer" "$out" "Error: the reset of partition 0 failed; it stays quarantined" &&
		clear_check EIO && consistent
}

# Each test starts from gpupart freshly loaded with every GPU bound: a
# refused probe or load leaves GPUs unbound, on purpose.
knobs() {
	for k in fail_enable fail_reset fail_recovery reset_delay_ms handover_delay_ms resets_max; do
		[ -e $DBG/gpupart/$k ] || return 1
	done
}
fresh() {
	release_all_quiet
	# Reloaded only when something is missing (a reload is slow here):
	# a GPU, or the fault knobs, which a load whose debugfs allocations
	# failed under injection goes without (debugfs is best effort).
	module_loaded && [ "$(gp_bound | wc -l)" = "$NGPU" ] && knobs && return 0
	! module_loaded || rmmod gpupart || return 1
	for d in $(pfs_with_id 1b36 0010) $(pfs_with_id 8086 5845); do
		echo >"/sys/bus/pci/devices/$d/driver_override"
	done
	modprobe gpupart ids="$IDS" &&
		[ "$(gp_bound | wc -l)" = "$NGPU" ] || { diag "$(gp_bound | wc -l) of $NGPU GPUs bound"; return 1; }
}
check_fresh() {
	fresh || { tap_not_ok "$1"; return; }
	tap_check "$@"
}

check_fresh "fault: taking the VFs as partitions fails: refused with the reason, no VF left" ff_parts
check_fresh "fault: DEV_SET to none, every allocation" sweep "dev set none" part_two none_check dev-set "$A" none
check_fresh "fault: VM_ASSIGN, every allocation" sweep "vm assign" part_two assign_check assign f1
check_fresh "fault: DDA assign (handover), every allocation" sweep "dda assign" e_dda dda_check dda f2 "$E"
check_fresh "fault: DDA release (handover back), every allocation" sweep "dda release" e_given release_check release f2
check_fresh "fault: PARTITION_CLEAR, every allocation" sweep "partition clear" quarantined clear_check clear "$A" 0
check_fresh "fault: probe (bind), every allocation" sweep "probe" unbound bind_check bind "$A"
check_fresh "fault: module init and its probes, every allocation" load_sweep
check_fresh "fault: enabling SR-IOV fails: refused with the reason, no VF left" ff_enable
check_fresh "fault: a DDA handover fails: refused with the reason, GPU back" ff_handover
check_fresh "fault: a partition's reset fails: it stays quarantined, the reason said" ff_reset
fresh
tap_finish
