#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The smoke run of "make bench" (bench.sh smoke): few repetitions, small
# sizes, no target judged; every figure must still be measured, a positive
# median with its count, so that the benchmark cannot rot. Timings are
# never a test here.
. "$(dirname "$0")/lib.sh"
DIR=$(cd "$(dirname "$0")" && pwd)

tap_plan 2
is_root || tap_skip_rest "bench" "needs root"
module_loaded || tap_skip_rest "bench" "gpupart not loaded"
command -v jq >/dev/null || tap_skip_rest "bench" "jq not installed"
[ "$(gp_sriov_devs 8 | wc -l)" -ge 2 ] || tap_skip_rest "bench" "needs two SR-IOV devices with 8 VFs bound to gpupart"
out=$(mktemp)
trap 'rm -f "$out"' EXIT

drivers() {
	for d in /sys/bus/pci/devices/*; do
		echo "${d##*/} $(driver_of "${d##*/}")"
	done
}

# It leaves every device with the driver it had.
runs() {
	before=$(drivers)
	sh "$DIR/bench.sh" smoke >"$out" 2>&1 || { diag "$(tail -n 5 "$out")"; return 1; }
	sed 's/^/# /' "$out"
	expect_eq "drivers" "$(drivers)" "$before"
}

# Every figure: a median above 0, its count, a ratio; no target judged.
# The cost per partition added is a difference of two medians: with the
# smoke's 20 repetitions, and dumps that now grow linearly, it is as often
# a little below 0 as above, so its sign is not checked.
figures() {
	for f in "generic netlink floor" HOST_GET "DEV_GET dump, 8 partitions" \
		"VM_GET dump, 24 VMs" VM_ASSIGN VM_RELEASE \
		"VM_ASSIGN, 4 clients" "VM_RELEASE, 4 clients" "one VF reset" \
		"1 partitions released until all free" "8 partitions released until all free" \
		"SR-IOV enable of 8 VFs"; do
		grep -F "$f" "$out" | grep -qE ' [0-9]+\.[0-9] us  n=[0-9]+ +[0-9]+\.[0-9]+ x ' ||
			{ diag "no figure for '$f'"; return 1; }
	done
	for k in dev-dump vm-dump; do
		grep -F "$k: per partition, 8 to 24" "$out" |
			grep -qE ' -?[0-9]+\.[0-9] us  n=[0-9]+ +-?[0-9]+\.[0-9]+ x ' ||
			{ diag "no figure for '$k: per partition, 8 to 24'"; return 1; }
	done
	! grep -q 'target <=' "$out"
}

tap_check "bench.sh smoke runs to the end and leaves every device with the driver it had" runs
tap_check "bench.sh smoke measures every figure" figures
tap_finish
