#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The host-side tests: what needs no test bed (install, DKMS, the docs,
# cluster check). Run from the top of the tree, after "make module tool",
# as "make check-host". Ends with "N passed, N failed, N skipped".
DIR=$(cd "$(dirname "$0")" && pwd)
all=$(mktemp)
one=$(mktemp)
trap 'rm -f "$all" "$one"' EXIT
for t in "$DIR"/*_test.sh; do
	echo "# host: $(basename "$t")"
	sh "$t" >"$one" 2>&1
	rc=$?
	tee -a "$all" <"$one"
	# A crash or an early exit must not pass for success.
	if ! grep -qE '^(not )?ok [0-9]+' "$one"; then
		echo "not ok 1 $(basename "$t") # reported no result (exit status $rc)" | tee -a "$all"
	elif [ $rc -ne 0 ] && ! grep -qE '^not ok [0-9]+' "$one"; then
		echo "not ok 1 $(basename "$t") # exited with status $rc but reported no failure" | tee -a "$all"
	fi
done
passed=$(grep -E '^ok [0-9]+' "$all" | grep -vic '# *skip')
skipped=$(grep -E '^ok [0-9]+' "$all" | grep -ic '# *skip')
failed=$(grep -cE '^not ok [0-9]+' "$all")
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
