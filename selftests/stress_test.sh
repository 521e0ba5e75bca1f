#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Stress: gpupart_stress's netlink clients (partition and DDA assign and
# release, DEV_SET, PARTITION_CLEAR, HOST_SET, dumps) and two VMMs that
# hold the stress VMs' partitions through VFIO as QEMU does (and check,
# while they hold one, that it is never free nor another VM's) for
# STRESS_SECONDS, beside
#   - sriov_numvfs writes to GPU A,
#   - sysfs remove and bus rescan of GPU B and of the DDA GPU E, and real
#     PCIe hot-unplug and re-plug of B (not on the debug kernel, where 6.1's
#     pciehp trips lockdep by itself: see unplug_test.sh),
#   - AER injection, non-fatal and fatal, at GPU D's root port and at the
#     DDA GPU E's,
#   - rmmod and modprobe of gpupart.
# Then everything comes back and the invariants are checked through the
# public API; last, every VM is released and gpupart must unload.
#
# Pairings the PCI core itself cannot take are kept apart (the admin guide,
# "Concurrency and the PCI core"): a sriov_numvfs write racing removal of
# the same PF (A is never removed); AER recovery racing sriov_numvfs
# writes, removal or unbinding of the same PF (D is never written or
# removed, and injections take turns with rmmod); and a fatal error's
# slot reset racing VFs being added to the same PF (D is partitioned
# before the clients start, and their DEV_SET never changes it: "=D").
#
# E is never partitioned: it has no VFs for its removal or unbinding to
# delete under an error walk, so errors at E take no turns. They make the
# pairing across GPUs that one mode lock for all GPUs closed: rmmod
# unbinding E under an error walk over E, while a DEV_SET on A, B or D,
# holding the rescan lock, waits for pci_bus_sem, which the walk holds.
# Each GPU has its own mode lock, so that unbinding waits for nothing of
# another GPU's.
#
# STRESS_SECONDS: default 30 on Debian's kernel, 60 on the debug kernel
# (the smoke runs of "make check"); "make stress" runs longer.
# STRESS_SEED: default the time; printed, so a run can be repeated.
. "$(dirname "$0")/lib.sh"
DIR=$(cd "$(dirname "$0")" && pwd)

tap_plan 4
is_root || tap_skip_rest "stress" "needs root"
module_loaded || tap_skip_rest "stress" "gpupart not loaded"
command -v jq >/dev/null || tap_skip_rest "stress" "jq not installed"
# shellcheck disable=SC2046 # one PCI address a word
set -- $(pfs_with_id 1b36 0010)
[ $# -ge 3 ] || tap_skip_rest "stress" "needs three 1b36:0010 stand-ins, found $#"
A=$1 B=$2 D=$3
E=$(pfs_with_id 8086 5845 | head -n 1)
[ -n "$E" ] || tap_skip_rest "stress" "needs an 8086:5845 stand-in for DDA"
modprobe aer_inject 2>/dev/null
[ -c /dev/aer_inject ] || tap_skip_rest "stress" "no /dev/aer_inject (CONFIG_PCIEAER_INJECT)"
# The VMMs' IOMMU backend, as QEMU's -device vfio-pci needs it.
modprobe vfio_iommu_type1 2>/dev/null
[ -c /dev/vfio/vfio ] || tap_skip_rest "stress" "no /dev/vfio/vfio (vfio-pci) for the VMMs"
IDS=$(cat /sys/module/gpupart/parameters/ids)
# B's QEMU device, for hot-unplug; none on a host outside the test bed.
QID=$(qemu_id "$B" 2>/dev/null)

case "$(uname -r)" in
*gpupart-debug*) debug=1 ;;
*) debug=0 ;;
esac
SECONDS_=${STRESS_SECONDS:-$([ $debug = 1 ] && echo 60 || echo 30)}
SEED=${STRESS_SEED:-$(date +%s)}
# A task blocked this long is reported by the kernel, and fails the run.
# The longest wait the kernel itself makes here is a reset of a function
# that does not come back: the PCI core polls it for 60 s
# (PCIE_RESET_READY_POLL_MS), holding its device lock. vfio-pci does that
# when a VMM closes a VF that a failed fatal recovery took away (VF Enable
# cleared by the bus reset), and the AER loop's unbind of that PF waits
# for the lock meanwhile. 90 s is above that and below Debian's 120 s.
hung=/proc/sys/kernel/hung_task_timeout_secs
hung_was=$(cat "$hung" 2>/dev/null)
[ -w "$hung" ] && echo 90 >"$hung"
diag "stress: $SECONDS_ s, seed $SEED; numvfs $A, remove $B and $E, AER $D and $E, DDA $E"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; [ -z "$hung_was" ] || echo "$hung_was" >"$hung"' EXIT
# shellcheck disable=SC2034 # running() in lib.sh reads it
end=$(($(date +%s) + SECONDS_))
# Turns between AER recovery and unbinding (rmmod): mkdir is atomic.
turn_take() { while ! mkdir "$tmp/turn" 2>/dev/null; do sleep 0.1; done; }
turn_give() { rmdir "$tmp/turn"; }
present() { [ -e "/sys/bus/pci/devices/$1" ]; }
absent() { ! present "$1"; }

numvfs_loop() {
	while running; do
		for n in 0 8; do
			present "$A" &&
				try numvfs "numvfs-$n" write "$n" "/sys/bus/pci/devices/$A/sriov_numvfs"
		done
	done
}

remove_loop() {
	i=0
	while running; do
		i=$((i + 1))
		for d in $B $E; do
			present "$d" || continue
			try remove remove write 1 "/sys/bus/pci/devices/$d/remove"
			sleep 0.$((i % 5))
			try remove rescan write 1 /sys/bus/pci/rescan
			wait_for 10 present "$d" || did rescan lost remove
		done
		# A real hot-unplug every third round, where the kernel takes it.
		[ $debug = 0 ] && [ -n "$QID" ] && [ $((i % 3)) = 0 ] || continue
		echo "GPUPART-HOST device_del $QID" >/dev/console
		wait_for 30 absent "$B" && did unplug ok remove || did unplug timeout remove
		replug "$QID" "$B" && did replug ok remove || did replug timeout remove
	done
}

aer_error() {
	gpupartctl -j dev show "$D" 2>/dev/null | jq -r '.devices[0].error // "ok"'
}
# Recovered, or failed for good ("failed" stays until the GPU is unbound).
recovered() {
	e=$(aer_error)
	[ "$e" != fatal ] && [ "$e" != non-fatal ]
}
# The PCI core gave up the recovery at $port since the mark (see the
# clean-up below): it is over, though gpupart was never told.
given_up() {
	new_log | grep -q "$port: AER: device recovery failed"
}
over() { recovered || given_up; }
aer_loop() {
	port=$(basename "$(dirname "$(readlink -f /sys/bus/pci/devices/"$D")")")
	i=0
	while running; do
		i=$((i + 1))
		turn_take
		mark_log
		if [ $((i % 3)) = 0 ]; then
			try aer fatal "$DIR/aer_inj" "$port" uncor 10
		else
			try aer non-fatal "$DIR/aer_inj" "$port" uncor 4000
		fi
		# Recovery runs in the AER thread: it is over when the GPU says
		# so, or when the kernel says it gave up. Unbinding D while it
		# runs is a pairing the PCI core cannot take (see the top).
		sleep 1
		if ! wait_for 120 over; then
			did recovery still-running aer
		elif ! recovered; then
			# Given up: it never ends for gpupart; binding again does.
			did recovery "given-up-$(aer_error)" aer
			echo "$D" >/sys/bus/pci/drivers/gpupart/unbind
			echo "$D" >/sys/bus/pci/drivers/gpupart/bind
		fi
		turn_give
		sleep 1
	done
}

# At E, with no turns (see the top).
aer_e_loop() {
	port=$1
	i=0
	while running; do
		i=$((i + 1))
		if [ $((i % 3)) = 0 ]; then
			try aer-e fatal "$DIR/aer_inj" "$port" uncor 10
		else
			try aer-e non-fatal "$DIR/aer_inj" "$port" uncor 4000
		fi
		sleep 2
	done
}

reload_loop() {
	while running; do
		sleep 3
		turn_take
		if rmmod gpupart 2>/dev/null; then
			did rmmod ok reload
			try reload modprobe modprobe gpupart ids="$IDS"
			# D comes back in mode none; partitioned again while
			# the AER loop waits for its turn.
			try reload partition-D gpupartctl dev set "$D" mode partition count 8
		else
			did rmmod in-use reload
		fi
		turn_give
	done
}

# D is partitioned before anything injects errors into it.
gp_free_all
gpupartctl dev set "$D" mode partition count 8
set_rc=$?
numvfs_loop & P1=$!
remove_loop & P2=$!
aer_loop & P3=$!
reload_loop & P4=$!
# E's port while E is there: the remove loop takes E away now and then.
aer_e_loop "$(basename "$(dirname "$(readlink -f /sys/bus/pci/devices/"$E")")")" & P5=$!
# The VMMs hold partitions of A and D only: B and E are removed, and
# Linux 6.1's vfio frees a VMM's container when a device it holds goes.
"$DIR/gpupart_stress" run "$SECONDS_" "$SEED" "$E" "$A" "$B" "=$D" vmm "$A" "$D" >"$tmp/nl.out" 2>&1
nl_rc=$?
cat "$tmp/nl.out"
[ "$set_rc" = 0 ] || diag "$D could not be partitioned before the clients"
tap_check "stress: every netlink request answered; no VMM saw its partition free or another VM's" \
	[ "$nl_rc$set_rc" = 00 ]

# The loops end by themselves; one that does not is stuck in the kernel.
# On the debug kernel an AER recovery or a reload under way at the end can
# take minutes (seen: one ended just after a 120 s wait), so the wait is
# long; it costs nothing when the loops end in time.
# The wait is for all four together, so that a stuck kernel is reported
# well within the runner's limit (run_tests.sh).
stuck=
t0=$(date +%s)
ended() { ! kill -0 "$p" 2>/dev/null; }
for p in $P1 $P2 $P3 $P4 $P5; do
	wait_for $((300 - ($(date +%s) - t0))) ended || stuck="$stuck $p"
done
diag "the loops ended $(($(date +%s) - t0)) s after the netlink clients"
loops_said
if [ -n "$stuck" ]; then
	for p in $stuck; do
		diag "stuck: $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null || echo "pid $p, which ended since")"
		cat "/proc/$p/stack" 2>/dev/null | sed 's/^/# /'
	done
	tap_not_ok "stress: every sysfs write, removal, AER injection and reload finished"
	tap_skip_rest "stress" "a stress loop is stuck"
fi
tap_ok "stress: every sysfs write, removal, AER injection and reload finished"

# Everything back: the module, the removed and unplugged GPUs, the scrubs.
module_loaded || modprobe gpupart ids="$IDS"
echo 1 >/sys/bus/pci/rescan
present "$B" || [ -z "$QID" ] || replug "$QID" "$B"
wait_for 60 scrubbed
diag "everything back $(($(date +%s) - t0)) s after the netlink clients"
out=$("$DIR/gpupart_stress" check 2>&1)
rc=$?
echo "$out"
after() {
	present "$A" && present "$B" && present "$D" && present "$E" ||
		{ diag "not every GPU came back"; return 1; }
	[ "$rc" = 0 ]
}
tap_check "stress: invariants hold afterwards, every GPU back" after

# The PCI core gives up a recovery when a device under the port has no
# error handler (a VF between its creation and vfio-pci's probe, or
# between unbind and deletion, as DEV_SET makes and removes them), and
# then tells no driver: the GPU stays "recovering" until it is bound
# again, as the admin guide says. Bind such a GPU again, and say so.
for d in $(gp_bound); do
	e=$(gpupartctl -j dev show "$d" | jq -r '.devices[0].error // "ok"')
	{ [ "$e" = ok ] || [ "$e" = recovered ]; } && continue
	diag "$d still in PCIe error state '$e' (the PCI core gave up its recovery): bound again"
	echo "$d" >/sys/bus/pci/drivers/gpupart/unbind
	echo "$d" >/sys/bus/pci/drivers/gpupart/bind
done
tap_check "stress: everything released, gpupart unloads and loads again" release_all "$IDS"
tap_finish
