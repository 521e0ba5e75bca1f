#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Every test: "make check-host" (install, DKMS, docs, cluster check),
# "make check" (the selftests in the test bed, Debian's 6.1), "make
# check-big" (those that need stand-ins of 64 VFs, Debian's 6.1), "make
# check-6.12" (lint and the selftests where 6.12 differs, on Debian 12's
# 6.12) and "make check-debug" (every selftest on the debug kernel: KASAN,
# lockdep, kmemleak).
# Prints each run's verdict and ends with their sum; fails if any run
# failed or did not finish.
set -u
cd "$(dirname "$0")/.." || exit 2
log=$(mktemp)
sum=$(mktemp)
trap 'rm -f "$log" "$sum"' EXIT
rc=0
for target in check-host check check-big check-6.12 check-debug; do
	start=$(date +%s)
	{ make --no-print-directory "$target" 2>&1; echo "make-exit $?"; } | tee "$log"
	made=$(tail -n 1 "$log")
	# A target's verdict is the sum of its test runs' totals lines (a
	# target may boot the test bed more than once); none is a failure.
	status=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" |
		awk '{ p += $1; f += $3; s += $5 } END { if (NR) printf "%d passed, %d failed, %d skipped\n", p, f, s }')
	[ -n "$status" ] || {
		echo "check-all: make $target did not finish its test run"
		status="0 passed, 1 failed, 0 skipped"
	}
	echo "$status" | grep -qE ', [0-9]+ skipped' || status="$status, 0 skipped"
	[ "$made" = "make-exit 0" ] && echo "$status" | grep -qE ' 0 failed' || rc=1
	echo "check-all: make $target: $status ($(($(date +%s) - start)) s)"
	echo "$status" >>"$sum"
done
awk '{ p += $1; f += $3; s += $5 } END { printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$sum"
exit $rc
