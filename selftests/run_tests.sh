#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run every gpupart selftest and print their TAP output, then the totals.
# In the test bed the host counts the results again from the serial log; on
# a real host (as root, gpupart loaded) this is "make -C selftests run_tests".
#
# GPUPART_TESTS: the ones to run, by name (default: every one).
# GPUPART_TEST_TIMEOUT: seconds one test may run (default 900; the longest,
# the stress on the debug kernel, takes about 330). A test that runs over
# is hung: what it printed so far, the kernel stacks of its threads and of
# every task blocked in the kernel are kept as the evidence, it is killed,
# and no further test runs, since the kernel may be stuck for them too; the
# suite then fails.
DIR=$(cd "$(dirname "$0")" && pwd)
export PATH="$DIR:$DIR/../userspace:$PATH"
LIMIT=${GPUPART_TEST_TIMEOUT:-900}

out=$(mktemp)
all=$(mktemp)
hung=

# Every process descended from $1, deepest last.
descendants() {
	for s in /proc/[0-9]*/stat; do
		read -r pid _ _ ppid _ <"$s" 2>/dev/null || continue
		[ "$ppid" = "$1" ] && echo "$pid" && descendants "$pid"
	done
}

# Thread $2 of process $1, and where it is in the kernel.
thread() {
	echo "# pid $1 thread $2 ($(cut -d' ' -f3 "/proc/$1/task/$2/stat" 2>/dev/null)):" \
		"$(tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null)"
	sed 's/^/#   /' "/proc/$1/task/$2/stack" 2>/dev/null
}

# The test $2 (pid $1) ran over its time: say what it was doing, end it.
# Stopped first, so that none forks or exits while it is looked at.
give_up() {
	pids="$1 $(descendants "$1")"
	# shellcheck disable=SC2086 # one pid a word
	kill -STOP $pids 2>/dev/null
	pids="$1 $(descendants "$1")"
	echo "# $2 still running after $LIMIT s: hung; its threads:"
	for p in $pids; do
		for task in "/proc/$p/task/"*; do
			thread "$p" "${task##*/}"
		done
	done
	echo "# every task blocked in the kernel (state D):"
	for task in /proc/[0-9]*/task/[0-9]*; do
		[ "$(cut -d' ' -f3 "$task/stat" 2>/dev/null)" = D ] || continue
		p=${task#/proc/}
		thread "${p%%/*}" "${task##*/}"
	done
	# shellcheck disable=SC2086 # one pid a word
	kill -9 $pids 2>/dev/null
	# One stuck in the kernel cannot die, nor be waited for.
	for _ in 1 2 3 4 5; do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 1
	done
	return 1
}

# A test runs in the background, where a shell starts it with SIGINT and
# SIGQUIT ignored: an interrupted or terminated run ends the test's
# processes itself, rather than leave a stress test running orphaned.
pid=
interrupted() {
	if [ -n "$pid" ]; then
		# shellcheck disable=SC2046,SC2086 # one pid a word
		kill -TERM $pid $(descendants "$pid") 2>/dev/null
	fi
	rm -f "$out" "$all"
	exit 130
}
trap interrupted INT TERM

run_one() {
	t=$1
	echo "# selftests: gpupart: $t"
	start=$(cut -d. -f1 /proc/uptime)
	"$DIR/$t" >"$out" 2>&1 &
	pid=$!
	while kill -0 "$pid" 2>/dev/null &&
		[ $(($(cut -d. -f1 /proc/uptime) - start)) -lt "$LIMIT" ]; do
		sleep 1
	done
	rc=
	if kill -0 "$pid" 2>/dev/null; then
		hung=$t
		give_up "$pid" "$t" >>"$out" || rc=137
	fi
	[ -n "$rc" ] || { wait "$pid"; rc=$?; }
	pid=
	echo "# selftests: gpupart: $t took $(($(cut -d. -f1 /proc/uptime) - start)) s" >>"$out"
	tee -a "$all" <"$out"
	if [ -n "$hung" ]; then
		echo "not ok 1 $t # hung: ran over $LIMIT s" | tee -a "$all"
	# A crash or an early exit must not pass for success.
	elif ! grep -qE '^(not )?ok [0-9]+' "$out"; then
		echo "not ok 1 $t # reported no result (exit status $rc)" | tee -a "$all"
	elif [ $rc -ne 0 ] && [ $rc -ne 4 ] && ! grep -qE '^not ok [0-9]+' "$out"; then
		echo "not ok 1 $t # exited with status $rc but reported no failure" | tee -a "$all"
	fi
}
for t in ${GPUPART_TESTS:-$(cd "$DIR" && ls ./*_test ./*_test.sh 2>/dev/null)}; do
	run_one "${t#./}"
	[ -z "$hung" ] || break
done
# Last, once everything else has run: what the suite leaked.
[ -n "$hung" ] || run_one leak_check.sh

passed=$(grep -E '^ok [0-9]+' "$all" | grep -vic '# *skip')
skipped=$(grep -E '^ok [0-9]+' "$all" | grep -ic '# *skip')
failed=$(grep -cE '^not ok [0-9]+' "$all")
rm -f "$out" "$all"
echo "selftests: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
