#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Judge a test bed run from its serial log.
#
#   verdict.sh JOB LOG
#
# Fails when the guest did not come up or did not finish, when its kernel
# log has a splat (WARNING, BUG, Oops, lockdep, KASAN, a hung task) or a taint
# other than out-of-tree (O) and unsigned module (E), and, for the check job,
# when a test failed. The check job ends with "N passed, N failed, N skipped",
# counted from the TAP results the selftests printed.
set -u
JOB=$1
LOG=$2
bad=0

say() { echo "vm.sh: $*" >&2; }

if ! grep -q 'GPUPART-BOOTED' "$LOG"; then
	say "the guest did not come up (see $LOG)"
	bad=1
fi
exit_line=$(grep '^GPUPART-EXIT ' "$LOG" | tail -n 1)
if [ -z "$exit_line" ]; then
	say "the guest did not finish: timed out, hung or crashed (see $LOG)"
	bad=1
	guest_rc=1
else
	guest_rc=${exit_line#GPUPART-EXIT }
fi

dmesg=$(sed -n '/^GPUPART-DMESG-BEGIN/,/^GPUPART-DMESG-END/p' "$LOG")
# kmemleak reports are judged by leak_check.sh, which tells gpupart's
# leaks from the rest of the kernel's.
splats=$(printf '%s\n' "$dmesg" | grep -E 'WARNING:|BUG:|Oops|general protection fault|UBSAN:|possible circular locking|possible recursive locking|inconsistent lock state|lockdep is turned off|DEBUG_LOCKS_WARN_ON|blocked for more than|Call Trace' || true)
if [ -n "$splats" ]; then
	say "kernel log has a splat:"
	printf '%s\n' "$splats" | head -n 20 >&2
	bad=1
fi
taint=$(grep '^GPUPART-TAINT ' "$LOG" | tail -n 1 | cut -d' ' -f2)
# Bits 12 (O, out-of-tree module) and 13 (E, unsigned module) are expected.
if [ -n "$taint" ] && [ $((taint & ~12288)) -ne 0 ]; then
	say "kernel tainted: $taint (beyond the out-of-tree/unsigned module taints)"
	bad=1
fi

if [ "$JOB" != check ]; then
	[ "$bad" -ne 0 ] && [ "$guest_rc" = 0 ] && guest_rc=1
	exit "$guest_rc"
fi

tests=$(sed '/^GPUPART-DMESG-BEGIN/,$d' "$LOG")
passed=$(printf '%s\n' "$tests" | grep -E '^ok [0-9]+' | grep -vic '# *skip')
skipped=$(printf '%s\n' "$tests" | grep -E '^ok [0-9]+' | grep -ic '# *skip')
failed=$(printf '%s\n' "$tests" | grep -Ec '^not ok [0-9]+')
if [ $((passed + failed + skipped)) -eq 0 ]; then
	say "no test results in the log"
	bad=1
fi
if [ "$failed" -gt 0 ]; then
	printf '%s\n' "$tests" | grep -E '^not ok [0-9]+' >&2
fi
[ "$guest_rc" != 0 ] && [ "$failed" -eq 0 ] && { say "the test runner exited $guest_rc"; bad=1; }
if [ "$bad" -ne 0 ] && [ "$failed" -eq 0 ]; then
	say "counting the run itself as one failure"
	failed=1
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
