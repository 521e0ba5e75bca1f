#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The test bed's runner (selftests/run_tests.sh) bounds each test: one that
# hangs is reported with the kernel stacks of its threads, killed with its
# children, and ends the run as a failure instead of silencing the guest
# until the host's timeout (which leaves no evidence at all). Run here on
# stand-in tests, with a limit of seconds.
. "$(dirname "$0")/../lib.sh"
TOP=$(cd "$(dirname "$0")/../.." && pwd)

tap_plan 6
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cp "$TOP/selftests/run_tests.sh" "$dir/"
# A test that passes, one whose child hangs, one that must not run after.
printf '#!/bin/sh\necho "ok 1 first"\n' >"$dir/a_test.sh"
printf '#!/bin/sh\necho "ok 1 started"\nsleep 1000 &\necho $! >%s/sleeper\nwait\n' \
	"$dir" >"$dir/b_test.sh"
printf '#!/bin/sh\ntouch %s/c-ran\necho "ok 1 third"\n' "$dir" >"$dir/c_test.sh"
printf '#!/bin/sh\ntouch %s/leak-ran\necho "ok 1 leaks"\n' "$dir" >"$dir/leak_check.sh"
chmod +x "$dir"/*.sh

out=$(GPUPART_TEST_TIMEOUT=3 GPUPART_TESTS="a_test.sh b_test.sh c_test.sh" \
	sh "$dir/run_tests.sh" 2>&1)
rc=$?
echo "$out" | sed 's/^/# | /'

tap_check "runner: a hung test fails the run, which says which and why" \
	sh -c '[ "$1" != 0 ] && echo "$2" | grep -q "^not ok 1 b_test.sh # hung: ran over 3 s$" &&
		echo "$2" | grep -q "^selftests: 2 passed, 1 failed, 0 skipped$"' - "$rc" "$out"
# Stopped (T) before they are looked at.
tap_check "runner: the hung test's threads are listed, stopped, its output kept" \
	sh -c 'echo "$1" | grep -q "^# pid [0-9]* thread [0-9]* (T): sleep 1000" &&
		echo "$1" | grep -q "^ok 1 started$"' - "$out"
sleeper=$(cat "$dir/sleeper")
# Killed: gone, or a zombie that its new parent has yet to reap.
gone() { ! grep -qv "^[0-9]* ([a-z]*) Z " "/proc/$1/stat" 2>/dev/null; }
tap_check "runner: the hung test's children are killed" gone "$sleeper"
tap_check "runner: nothing runs after a hung test, the leak check neither" \
	sh -c '[ ! -e "$1/c-ran" ] && [ ! -e "$1/leak-ran" ]' - "$dir"

# A run stopped (Ctrl-C, or TERM as here) ends its test's processes too.
rm -f "$dir/sleeper"
GPUPART_TEST_TIMEOUT=100 GPUPART_TESTS=b_test.sh sh "$dir/run_tests.sh" >/dev/null 2>&1 &
runner=$!
wait_for 10 test -s "$dir/sleeper"
kill -TERM "$runner"
wait "$runner"
rc=$?
sleeper=$(cat "$dir/sleeper")
stopped() {
	[ "$rc" != 0 ] || { diag "the runner exited 0"; return 1; }
	wait_for 5 gone "$sleeper" || { diag "the test's child $sleeper lives on"; return 1; }
}
tap_check "runner: stopped by a signal, it ends the test's processes and fails" stopped

# make check-all on a fresh machine: its targets find the kernel to build
# for once their deps installed it, so check-all must not hand them the
# one make found before ("none"); one given to make is passed on.
check_all_env() {
	printf '#!/bin/sh\necho "${KVER-unset} ${KDIR-unset}"\n' >"$dir/env.sh"
	# As CI runs it: neither in the environment (make check-host, which
	# runs this, exports the ones it found).
	got=$(env -u KVER -u KDIR make -s -C "$TOP" check-all CHECK_ALL="sh $dir/env.sh") || return 1
	expect_eq "found by make" "$got" "unset unset" || return 1
	got=$(env -u KVER -u KDIR make -s -C "$TOP" check-all KVER=1.2.3 CHECK_ALL="sh $dir/env.sh") ||
		return 1
	# KDIR follows from it in each target.
	expect_eq "given to make" "$got" "1.2.3 unset"
}
tap_check "check-all: each target finds the kernel after its deps; one given is kept" check_all_env
tap_finish
