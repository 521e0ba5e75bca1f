# SPDX-License-Identifier: GPL-2.0
#
# Helpers for the gpupart shell selftests: TAP output and what they need to
# know about the host. Sourced, not run.

KSFT_SKIP=4
tap_n=0
tap_failed=0
tap_planned=0

tap_plan() {
	tap_planned=$1
	echo "TAP version 13"
	echo "1..$1"
}

tap_ok() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n $1"
}

tap_not_ok() {
	tap_n=$((tap_n + 1))
	tap_failed=$((tap_failed + 1))
	echo "not ok $tap_n $1"
}

tap_skip() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n $1 # SKIP $2"
}

# Skip every test still planned, for a reason; then end.
tap_skip_rest() {
	while [ "$tap_n" -lt "$tap_planned" ]; do
		tap_skip "$1" "$2"
	done
	tap_finish
}

# tap_check NAME CMD...: one test, passed when CMD succeeds.
tap_check() {
	name=$1
	shift
	if "$@"; then
		tap_ok "$name"
	else
		tap_not_ok "$name"
	fi
}

tap_finish() {
	if [ "$tap_n" -ne "$tap_planned" ]; then
		echo "# planned $tap_planned tests, ran $tap_n"
		exit 1
	fi
	[ "$tap_failed" -eq 0 ] || exit 1
	exit 0
}

# Say why a check failed, in the TAP stream.
diag() {
	echo "# $*"
}

# expect_eq WHAT GOT WANT
expect_eq() {
	[ "$2" = "$3" ] && return 0
	diag "$1: got '$2', want '$3'"
	return 1
}

is_root() {
	[ "$(id -u)" = 0 ]
}

module_loaded() {
	[ -d /sys/module/gpupart ]
}

# The stress tests' loops: each runs until the time $end, and logs every
# operation into $tmp/LOG.log as "what result".
running() { [ "$(date +%s)" -lt "$end" ]; }
did() { echo "$1 $2" >>"$tmp/$3.log"; }
# try LOG WHAT CMD...: run CMD, logging its error text (busybox: "...:
# write error: TEXT").
try() {
	log=$1 what=$2
	shift 2
	if err=$("$@" 2>&1); then
		did "$what" ok "$log"
	else
		did "$what" "$(echo "${err##*: }" | tr ' ' _)" "$log"
	fi
}
write() { echo "$1" >"$2"; }
# What the loops did: each result of each operation, counted.
loops_said() {
	for f in "$tmp"/*.log; do
		[ -e "$f" ] || continue
		sort "$f" | uniq -c | while read -r n what res; do
			diag "$(printf '%-10s %-10s %-34s %6s' "$(basename "$f" .log)" "$what" "$res" "$n")"
		done
	done
}

# needs_vfio NAME: root, gpupart, jq and vfio-pci, or the rest of test
# NAME is skipped, saying which is missing.
needs_vfio() {
	is_root || tap_skip_rest "$1" "needs root"
	module_loaded || tap_skip_rest "$1" "gpupart not loaded"
	command -v jq >/dev/null || tap_skip_rest "$1" "jq not installed"
	modprobe vfio-pci 2>/dev/null
	[ -d /sys/bus/pci/drivers/vfio-pci ] || tap_skip_rest "$1" "no vfio-pci driver"
}

# vendor_setup NAME: the 8086:5845 stand-in held beside its vendor's PF
# driver: gpupart reloaded without it in ids= and with vendor_ids=, and
# Linux's nvme bound to it (where the kernel has no nvme, pci-pf-stub,
# which matches no VF). Sets PF, SYS, VENDOR, IDS (ids= as it was) and
# OWN (ids= without the stand-in); vendor_restore puts gpupart back as it
# was. Skips the rest of test NAME when that cannot be done.
vendor_setup() {
	# It makes the way from gpupart's own; the test bed's HOLD=vendor has
	# every stand-in there already, and its restore would undo that.
	[ "$(hold_way)" = driver ] ||
		tap_skip_rest "$1" "it sets up nvme beside gpupart itself; the test bed holds the stand-ins so already (HOLD=vendor)"
	# No VM may keep gpupart from reloading, nor a partitioned GPU of
	# another model the stand-in from being partitioned.
	gp_free_all
	IDS=$(cat /sys/module/gpupart/parameters/ids)
	PF=$(pfs_with_id 8086 5845 | head -n 1)
	[ -n "$PF" ] || tap_skip_rest "$1" "no 8086:5845 stand-in"
	SYS=/sys/bus/pci/devices/$PF
	OWN=$(echo "$IDS" | sed 's/,\?8086:5845//; s/^,//')
	gp_reload ids="$OWN" vendor_ids=8086:5845 ||
		tap_skip_rest "$1" "gpupart did not load with vendor_ids="
	[ "$(driver_of "$PF")" = "" ] || tap_skip_rest "$1" "$PF is bound to $(driver_of "$PF")"
	if modprobe nvme 2>/dev/null && [ "$(driver_of "$PF")" = nvme ]; then
		VENDOR=nvme
	else
		modprobe pci-pf-stub 2>/dev/null
		echo pci-pf-stub >"$SYS/driver_override"
		echo "$PF" >/sys/bus/pci/drivers_probe
		VENDOR=pci-pf-stub
		diag "nvme not available here: pci-pf-stub is the vendor driver"
	fi
	[ "$(driver_of "$PF")" = "$VENDOR" ] || tap_skip_rest "$1" "$VENDOR did not bind $PF"
}

vendor_restore() {
	[ -n "${PF:-}" ] && [ -n "${IDS+set}" ] || return 0
	for vm in $(gpupartctl -j vm show 2>/dev/null | jq -r '.vms[].vm' | sort -u); do
		gpupartctl vm release "$vm" >/dev/null 2>&1
	done
	wait_for 120 scrubbed
	gpupartctl dev set "$PF" mode none >/dev/null 2>&1
	[ -e "$SYS/driver" ] && echo "$PF" >"$SYS/driver/unbind"
	echo 0 >"$SYS/sriov_numvfs" 2>/dev/null
	echo >"$SYS/driver_override"
	rmmod nvme nvme-core 2>/dev/null
	rmmod gpupart 2>/dev/null
	modprobe gpupart ids="$IDS"
}

# How the test bed holds the stand-ins: driver (gpupart is their PF
# driver) or vendor (beside Linux's nvme; vm.sh HOLD=vendor).
hold_way() {
	if grep -q gpupart_hold=vendor /proc/cmdline; then echo vendor; else echo driver; fi
}

# The GPUs gpupart holds at home, one PCI address a line: bound to gpupart,
# or SR-IOV PFs of an ID in vendor_ids= bound to a driver other than the
# passthrough one (their vendor's: gpupart beside it).
gp_bound() {
	for d in /sys/bus/pci/drivers/gpupart/*:*; do
		[ -e "$d" ] && basename "$d"
	done
	vids=$(cat /sys/module/gpupart/parameters/vendor_ids 2>/dev/null)
	[ -n "$vids" ] || return 0
	for d in /sys/bus/pci/devices/*; do
		[ -e "$d/sriov_totalvfs" ] || continue
		id=$(printf '%04x:%04x' "$(cat "$d/vendor")" "$(cat "$d/device")")
		case ",$vids," in *",$id,"*) ;; *) continue ;; esac
		drv=$(driver_of "$(basename "$d")")
		case "$drv" in "" | gpupart | vfio-pci) ;; *) basename "$d" ;; esac
	done
}

# gp_remove PF: the GPU removed through sysfs, as an administrator does;
# gp_back brings it back. Beside a vendor's driver that leaves SR-IOV on
# when it lets go (nvme does), the PF removed alone would leave its VFs
# behind (unplug_test shows what gpupart does then), and VFs have no
# remove of their own: its hot-plug slot is powered off instead, which
# removes every function below its port (waiting, as a removal does, for
# a VMM that has one). QEMU then detaches the device, as if pulled out,
# so gp_back has the test bed's host plug it in again; a real slot keeps
# the card, and powering it on brings it back. Not the port removed and
# rescanned: pciehp finds the slot "Already enabled" and nothing below.
gp_remove() {
	if [ "$(hold_way)" = vendor ]; then
		gr_slot=$(slot_of "$1") || { diag "$1 is in no hot-plug slot"; return 1; }
		echo 0 >"$gr_slot/power"
	else
		echo 1 >"/sys/bus/pci/devices/$1/remove"
	fi
}

# gp_back PF: after gp_remove, the GPU is back, held as before.
gp_back() {
	if [ "$(hold_way)" = vendor ]; then
		gr_slot=$(slot_of "$1") || { diag "$1 is in no hot-plug slot"; return 1; }
		# Slot N holds the test bed's stand-in gpu(N-1) (vm.sh).
		replug "gpu$(($(basename "$gr_slot") - 1))" "$1" || { diag "$1 not plugged back in"; return 1; }
	fi
	for _ in $(seq 30); do
		[ "$(hold_way)" = vendor ] || echo 1 >/sys/bus/pci/rescan
		gpupartctl dev show "$1" >/dev/null 2>&1 && return 0
		sleep 1
	done
	diag "$1 not back"
	return 1
}

# The hot-plug slot of PCI device $1 (/sys/bus/pci/slots/N), if it has one.
slot_of() {
	for s in /sys/bus/pci/slots/*; do
		[ "$(cat "$s/address" 2>/dev/null)" = "${1%.*}" ] && echo "$s" && return 0
	done
	return 1
}

# The driver that holds GPU $1 at home: gpupart, or its vendor's.
home_of() {
	if [ "$(hold_way)" = vendor ]; then echo nvme; else echo gpupart; fi
}

# QEMU's NVMe (up to 8.x) keeps VF Enable set across a reset of the PF
# (the link reset that recovers from a fatal PCIe error, a reset through
# sysfs), with its VFs gone. gpupart's own handlers (err.c) clear it so
# the PCI core restores them; nvme's do not: "device recovery
# successful", and every VF reads all ones. Beside nvme (vm.sh
# HOLD=vendor) gpupart must find that out, failing the GPU after an error
# and quarantining a free VF that does not answer, rather than give a dead
# VF to a VM. vendor_loses_vfs says whether a PF reset here loses the VFs.
vendor_loses_vfs() {
	[ "$(hold_way)" = vendor ]
}

# Whether GPU $1 failed (a PCIe error it did not recover from).
gp_failed() {
	[ "$(gpupartctl -j dev show "$1" | jq -r '.devices[0].error')" = failed ]
}

# back_from_failed PF: a GPU failed after a PCIe error, in service again in
# mode none: unbound and bound. Beside nvme, whose controller the lost
# recovery may leave dead (nvme then lets go of it by itself, later), it
# is replaced instead: unplugged and plugged back in by the test bed's
# host, a new device with no VF.
back_from_failed() {
	if [ "$(hold_way)" = driver ]; then
		home_unbind "$1" && home_bind "$1"
		return
	fi
	bff_qid=$(qemu_id "$1") || return 1
	echo "GPUPART-HOST device_del $bff_qid" >/dev/console
	wait_for 30 sh -c "[ ! -e /sys/bus/pci/devices/$1 ]" || { diag "$1 was not unplugged"; return 1; }
	replug "$bff_qid" "$1" || { diag "$1 was not plugged back in"; return 1; }
	wait_for 30 sh -c "gpupartctl dev show $1 >/dev/null 2>&1"
}

# home_unbind PF / home_bind PF: GPU PF unbound from its home driver, and
# bound to it again, whichever way gpupart holds it.
home_unbind() {
	echo "$1" >"/sys/bus/pci/drivers/$(home_of "$1")/unbind"
}
home_bind() {
	echo "$1" >"/sys/bus/pci/drivers/$(home_of "$1")/bind"
}

# Devices bound to gpupart with at least N VFs (sriov_totalvfs), a line each.
gp_sriov_devs() {
	for d in $(gp_bound); do
		[ "$(cat /sys/bus/pci/devices/$d/sriov_totalvfs)" -ge "$1" ] && echo "$d"
	done
}

# PCI devices with the given vendor and device ID that are SR-IOV PFs.
pfs_with_id() {
	for d in /sys/bus/pci/devices/*; do
		[ -e "$d/sriov_totalvfs" ] || continue
		[ "$(cat "$d/vendor")" = "0x$1" ] || continue
		[ "$(cat "$d/device")" = "0x$2" ] || continue
		basename "$d"
	done
}

# stub_vfs PF N: PF taken from gpupart to pci-pf-stub, which enables N VFs
# (and leaves them enabled when it lets go, as after a handover).
stub_vfs() {
	modprobe pci-pf-stub 2>/dev/null
	[ -d /sys/bus/pci/drivers/pci-pf-stub ] || { diag "pci-pf-stub not available"; return 1; }
	echo "$1" >/sys/bus/pci/drivers/gpupart/unbind || return 1
	echo pci-pf-stub >"/sys/bus/pci/devices/$1/driver_override"
	echo "$1" >/sys/bus/pci/drivers_probe
	echo "$2" >"/sys/bus/pci/devices/$1/sriov_numvfs" || { diag "pci-pf-stub made no VFs"; return 1; }
}

# stub_to_gpupart PF: back from pci-pf-stub to gpupart, which finds the
# VFs enabled.
stub_to_gpupart() {
	echo "$1" >/sys/bus/pci/drivers/pci-pf-stub/unbind
	echo >"/sys/bus/pci/devices/$1/driver_override"
	echo "$1" >/sys/bus/pci/drivers/gpupart/bind
}

# The driver bound to a PCI device, or nothing.
driver_of() {
	[ -e "/sys/bus/pci/devices/$1/driver" ] &&
		basename "$(readlink "/sys/bus/pci/devices/$1/driver")"
}

# Kernel log lines written after mark_log. The mark is a line of its own
# in the log: counting lines fails once the ring buffer is full and old
# lines drop out as new ones come (the stress tests log a lot).
mark_log() {
	log_mark="gpupart-selftest-mark $$ $(cut -d' ' -f1 /proc/uptime)"
	echo "$log_mark" >/dev/kmsg
}

new_log() {
	dmesg | awk -v m="$log_mark" 'seen { print } index($0, m) { seen = 1 }'
}

# Why a stand-in cannot be hot-unplugged here, or nothing when it can: the
# test bed's host does it (vm.sh), and Linux 6.1's pciehp trips lockdep on
# any hot-unplug by itself (pciehp_ist holds reset_lock and takes the
# rescan lock, pciehp_unconfigure_device takes them the other way round;
# no gpupart frame in it).
no_hotplug() {
	if [ -e /proc/lockdep ] && uname -r | grep -q '^6\.1\.'; then
		echo "Linux 6.1's pciehp trips lockdep on any hot-unplug; runs on kernels without lockdep"
	elif ! grep -q gpupart_hostctl=1 /proc/cmdline; then
		echo "no host to unplug the device (runs in the QEMU test bed)"
	fi
}

# replug QEMU_ID PCI: the test bed's host plugs the stand-in back in, and
# it is there. QEMU finishes an unplug only after the guest let go of the
# device, and refuses a re-plug until then ("Duplicate device ID"): ask
# again.
replug() {
	for _ in 1 2 3 4 5 6; do
		echo "GPUPART-HOST device_add $1" >/dev/console
		wait_for 5 test -e "/sys/bus/pci/devices/$2" && return 0
	done
	return 1
}

# The QEMU device behind PCI device $1: the test bed puts stand-in gpuN behind the
# root port at 00:(10+N).0.
qemu_id() {
	port=$(basename "$(dirname "$(readlink -f /sys/bus/pci/devices/"$1")")")
	case "$port" in
	0000:00:1[0-9a-f].0)
		slot=${port#0000:00:}
		echo "gpu$((0x${slot%.0} - 16))"
		;;
	*) diag "$1 is not behind a test-bed root port ($port)"; return 1 ;;
	esac
}

# wait_for SECONDS CMD...: until CMD succeeds; false if it never did
# within SECONDS of real time (at least; the clock counts whole seconds),
# however long each try takes (a gpupartctl call takes a second on the
# debug kernel under load). CMD is tried at least once, also for SECONDS
# 0 or less.
wait_for() {
	wf_end=$(($(cut -d. -f1 /proc/uptime) + $1 + 1))
	shift
	while ! "$@"; do
		[ "$(cut -d. -f1 /proc/uptime)" -lt "$wf_end" ] || return 1
		sleep 0.1
	done
	return 0
}

# What VM $1 holds: its partition's VF or its whole GPUs, one a line.
held() {
	gpupartctl -j vm show "$1" 2>/dev/null | jq -r '.vms[] | .vf // .device'
}

# The state of the partition whose VF is $1; state_is VF STATE.
state_of() {
	gpupartctl -j dev show | jq -r --arg vf "$1" \
		'.devices[].partitions[]? | select(.vf == $vf) | .state'
}
state_is() {
	[ "$(state_of "$1")" = "$2" ]
}

# No partition is being released or scrubbed, no whole GPU taken back.
scrubbed() {
	! gpupartctl -j dev show |
		jq -e '[.devices[] | .releasing, (.partitions[]?.state | . == "scrubbing" or . == "releasing")] | any' >/dev/null
}

# gp_free_all: every VM released, scrubbing over, every GPU to mode none;
# a test's clean start, whatever the last one left.
gp_free_all() {
	for vm in $(gpupartctl -j vm show | jq -r '.vms[].vm' | sort -u); do
		gpupartctl vm release "$vm" >/dev/null
	done
	wait_for 120 scrubbed
	for d in $(gp_bound); do
		gpupartctl dev set "$d" mode none 2>/dev/null
	done
}

# release_all IDS: every VM released, every GPU to mode none; then gpupart
# must unload (no reference left behind) and load again with ids=IDS.
release_all() {
	for vm in $(gpupartctl -j vm show | jq -r '.vms[].vm' | sort -u); do
		gpupartctl vm release "$vm" || return 1
	done
	wait_for 120 scrubbed
	for d in $(gp_bound); do
		gpupartctl dev set "$d" mode none || return 1
	done
	rmmod gpupart || {
		diag "rmmod: $(cat /sys/module/gpupart/refcnt) references left"
		return 1
	}
	modprobe gpupart ids="$1"
}

# Reload gpupart with the given parameters (none: the ones it had).
gp_reload() {
	rmmod gpupart 2>/dev/null
	modprobe gpupart "$@"
}

# Record the monitor group's events, one JSON object a line, in $mon
# (the caller's file) from monitor_start until monitor_stop [SECONDS],
# which first gives late events SECONDS (default 1) to arrive.
monitor_start() {
	: >"$mon"
	gpupartctl -j monitor >"$mon" &
	MON=$!
	sleep 1
}

# The events recorded in $mon but dev-change, a word each, sorted:
# "dev-error:fatal", "vm-revoke:t1:device-error", "partition-scrubbed:2".
mon_events() {
	jq -r 'select(.event != "dev-change") |
		[.event, (if .event == "dev-error" then .device.error else empty end),
		 (.assignments[0].vm // .partition // empty), (.reason // empty)] |
		map(tostring) | join(":")' "$mon" | sort | tr '\n' ' '
}

monitor_stop() {
	sleep "${1:-1}"
	kill "$MON"
	# Its status is the signal's, not a failure of the caller's.
	wait "$MON" 2>/dev/null
	return 0
}
