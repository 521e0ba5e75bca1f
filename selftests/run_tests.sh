#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run every gpupart selftest and print their TAP output, then the totals.
# In the test bed the host counts the results again from the serial log; on
# a real host (as root, gpupart loaded) this is "make -C selftests run_tests".
DIR=$(cd "$(dirname "$0")" && pwd)
export PATH="$DIR:$DIR/../userspace:$PATH"

out=$(mktemp)
all=$(mktemp)
run_one() {
	t=$1
	echo "# selftests: gpupart: $t"
	start=$(cut -d. -f1 /proc/uptime)
	"$DIR/$t" >"$out" 2>&1
	rc=$?
	echo "# selftests: gpupart: $t took $(($(cut -d. -f1 /proc/uptime) - start)) s" >>"$out"
	cat "$out" | tee -a "$all"
	# A crash or an early exit must not pass for success.
	if ! grep -qE '^(not )?ok [0-9]+' "$out"; then
		echo "not ok 1 $t # reported no result (exit status $rc)" | tee -a "$all"
	elif [ $rc -ne 0 ] && [ $rc -ne 4 ] && ! grep -qE '^not ok [0-9]+' "$out"; then
		echo "not ok 1 $t # exited with status $rc but reported no failure" | tee -a "$all"
	fi
}
# GPUPART_TESTS: the ones to run, by name (default: every one).
for t in ${GPUPART_TESTS:-$(cd "$DIR" && ls ./*_test ./*_test.sh 2>/dev/null)}; do
	run_one "${t#./}"
done
# Last, once everything else has run: what the suite leaked.
run_one leak_check.sh

passed=$(grep -E '^ok [0-9]+' "$all" | grep -vic '# *skip')
skipped=$(grep -E '^ok [0-9]+' "$all" | grep -ic '# *skip')
failed=$(grep -cE '^not ok [0-9]+' "$all")
rm -f "$out" "$all"
echo "selftests: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
