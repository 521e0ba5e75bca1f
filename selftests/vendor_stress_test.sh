#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Stress of a GPU held beside its vendor's PF driver (nvme, or pci-pf-stub
# where the kernel has no nvme; see vendor_setup in lib.sh): gpupart_stress's
# netlink clients partition it, assign and release its partitions and the
# whole GPU (DDA), for STRESS_SECONDS, beside
#   - the vendor driver unbinding and binding the PF,
#   - rmmod and modprobe of the vendor driver,
#   - writes of 2 and 0 to the vendor driver's sriov_numvfs (VFs enabled
#     and disabled behind gpupart's back),
#   - rmmod and modprobe of gpupart.
# Then PCIe errors at the GPU's port (aer_inject), which the vendor driver
# recovers and gpupart watches (watch.c), beside gpupart's reloads only:
# the PCI core's recovery hangs against anything else that changes the
# GPU's VFs or driver (admin guide, "Concurrency and the PCI core").
# Then everything comes back, and: every request was answered, the
# invariants hold (gpupart_stress check), no VF of the GPU is bound to any
# driver but vfio-pci, and nvme never probed one.
#
# STRESS_SECONDS: default 20 on Debian's kernel, 40 on the debug kernel
# (the smoke runs of "make check"); "make stress" runs longer.
# STRESS_SEED: default the time; printed, so a run can be repeated.
. "$(dirname "$0")/lib.sh"
DIR=$(cd "$(dirname "$0")" && pwd)

tap_plan 5
needs_vfio "vendor stress"
trap 'rm -rf "$tmp"; vendor_restore' EXIT
tmp=$(mktemp -d)
vendor_setup "vendor stress"
mark_log
START=$log_mark

case "$(uname -r)" in
*gpupart-debug*) secs=${STRESS_SECONDS:-40} ;;
*) secs=${STRESS_SECONDS:-20} ;;
esac
SEED=${STRESS_SEED:-$(date +%s)}
diag "vendor stress: $secs s, seed $SEED; $PF beside $VENDOR"
# shellcheck disable=SC2034 # running() in lib.sh reads it
end=$(($(date +%s) + secs))

bind_loop() {
	while running; do
		try bind unbind write "$PF" "/sys/bus/pci/drivers/$VENDOR/unbind"
		sleep 0.3
		try bind bind write "$PF" "/sys/bus/pci/drivers/$VENDOR/bind"
		sleep 0.7
	done
}
module_loop() {
	while running; do
		sleep 2
		try module rmmod rmmod "$VENDOR"
		sleep 0.5
		try module modprobe modprobe "$VENDOR"
	done
}
numvfs_loop() {
	while running; do
		for n in 2 0; do
			try numvfs "numvfs-$n" write "$n" "$SYS/sriov_numvfs"
			sleep 0.4
		done
	done
}
reload_loop() {
	while running; do
		sleep 3
		if rmmod gpupart 2>/dev/null; then
			did rmmod ok reload
			try reload modprobe modprobe gpupart ids="$OWN" vendor_ids=8086:5845
		else
			did rmmod in-use reload
		fi
	done
}

# Fatal errors only beside nvme: pci-pf-stub has no error handlers, so the
# PCI core fails a fatal recovery and leaves the PF frozen for good.
aer_loop() {
	port=$(basename "$(dirname "$(readlink -f "$SYS")")")
	i=0
	while running; do
		i=$((i + 1))
		if [ "$VENDOR" = nvme ] && [ $((i % 3)) = 0 ]; then
			try aer fatal "$DIR/aer_inj" "$port" uncor 10
		else
			try aer non-fatal "$DIR/aer_inj" "$port" uncor 4000
		fi
		sleep 1.5
	done
}

bind_loop & P1=$!
module_loop & P2=$!
numvfs_loop & P3=$!
reload_loop & P4=$!

"$DIR/gpupart_stress" run "$secs" "$SEED" "$PF" "$PF" >"$tmp/nl.out" 2>&1
nl_rc=$?
cat "$tmp/nl.out"
tap_check "vendor stress: every netlink request answered" [ "$nl_rc" = 0 ]

stuck=
t0=$(date +%s)
ended() { ! kill -0 "$p" 2>/dev/null; }
for p in $P1 $P2 $P3 $P4; do
	wait_for $((120 - ($(date +%s) - t0))) ended || stuck="$stuck $p"
done
loops_said
if [ -n "$stuck" ]; then
	for p in $stuck; do
		diag "stuck: $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null || echo "pid $p")"
		sed 's/^/# /' "/proc/$p/stack" 2>/dev/null
	done
	tap_not_ok "vendor stress: every unbind, rmmod and sriov_numvfs write finished"
	tap_skip_rest "vendor stress" "a loop is stuck"
fi
tap_ok "vendor stress: every unbind, rmmod and sriov_numvfs write finished"

# Everything back: both modules, the vendor driver on the PF, the scrubs.
module_loaded || modprobe gpupart ids="$OWN" vendor_ids=8086:5845
modprobe "$VENDOR"
[ "$(driver_of "$PF")" = "$VENDOR" ] || echo "$PF" >"/sys/bus/pci/drivers/$VENDOR/bind"
# A fatal error the vendor's recovery lost the VFs to failed the GPU
# (vendor_loses_vfs in lib.sh): unbound and bound, it is in service again.
if [ "$(gpupartctl -j dev show "$PF" | jq -r '.devices[0].error // "-"')" != - ]; then
	echo "$PF" >"/sys/bus/pci/drivers/$VENDOR/unbind"
	echo "$PF" >"/sys/bus/pci/drivers/$VENDOR/bind"
fi
wait_for 60 scrubbed
out=$("$DIR/gpupart_stress" check 2>&1)
rc=$?
echo "$out" | sed 's/^/# /'
tap_check "vendor stress: the invariants hold afterwards" [ "$rc" = 0 ]

# No VF of the GPU with a host driver now, and nvme never probed one: a VF
# is on the PF's bus (each stand-in is behind its own root port).
vfs_kept() {
	bus=${PF%.*}
	bus=${bus%:*}
	for v in "$SYS"/virtfn*; do
		[ -e "$v" ] || continue
		vf=$(basename "$(readlink "$v")")
		d=$(driver_of "$vf")
		[ -z "$d" ] || [ "$d" = vfio-pci ] || { diag "$vf is bound to $d"; return 1; }
	done
	log_mark=$START
	probed=$(new_log | grep -o "nvme nvme[0-9]*: pci function $bus:[0-9a-f.]*" |
		awk '{ print $NF }' | grep -v "^$PF$")
	[ -z "$probed" ] || { diag "nvme probed: $probed"; return 1; }
}
tap_check "vendor stress: no VF reached a host driver" vfs_kept

# PCIe errors beside gpupart's reloads, the GPU in mode none: the watch's
# tracepoint goes and comes, its work is cancelled with each record.
aer_done() { ! kill -0 "$A1" 2>/dev/null && ! kill -0 "$A2" 2>/dev/null; }
not_erred() {
	e=$(gpupartctl -j dev show "$PF" | jq -r '.devices[0].error // "-"')
	[ "$e" != non-fatal ] && [ "$e" != fatal ]
}
held_again() { gpupartctl dev show "$PF" >/dev/null 2>&1; }
aer_phase() {
	modprobe aer_inject 2>/dev/null
	[ -c /dev/aer_inject ] || { diag "no /dev/aer_inject"; return 1; }
	gpupartctl dev set "$PF" mode none 2>/dev/null
	# shellcheck disable=SC2034 # running() in lib.sh reads it
	end=$(($(date +%s) + secs / 2))
	aer_loop & A1=$!
	reload_loop & A2=$!
	wait_for 120 aer_done || { diag "the errors or the reloads did not finish"; return 1; }
	loops_said
	module_loaded || modprobe gpupart ids="$OWN" vendor_ids=8086:5845
	wait_for 30 held_again || { diag "$PF not held"; return 1; }
	# Out of error once the last recovery is over.
	wait_for 30 not_erred || { diag "still in error: $(gpupartctl -j dev show "$PF")"; return 1; }
	out=$("$DIR/gpupart_stress" check 2>&1) || { echo "$out" | sed 's/^/# /'; return 1; }
}
tap_check "vendor stress: PCIe errors beside gpupart's reloads: every one over, the invariants hold" aer_phase
tap_finish
