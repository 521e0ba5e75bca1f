#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# gpupartctl's normal runs, under valgrind's memcheck: no invalid access,
# no use of uninitialised memory, no leak (definite, indirect or possible).
# What needs no kernel (cluster cib, utilization from a file, the domain
# XML writer) runs under memcheck host-side, in selftests/host.
. "$(dirname "$0")/lib.sh"

CFG=/tmp/gpupart-valgrind.json
RUNS="dev show
-j dev show
-j -p dev show
dev show 0000:ff:1f.7
dev show banana
help
dev help
dev bogus
config save
config save $CFG
config apply $CFG
config apply $CFG --dry-run
config apply $CFG.bad
config apply /nonexistent.json
metrics
-j cluster check $CFG $CFG
cluster check $CFG $CFG.bad
-j cluster utilization
vm check nosuch"
tap_plan "$(printf '%s\n' "$RUNS" | wc -l)"
command -v valgrind >/dev/null || tap_skip_rest "valgrind" "valgrind not installed"
command -v gpupartctl >/dev/null || tap_skip_rest "valgrind" "gpupartctl not in PATH"
module_loaded || tap_skip_rest "valgrind" "gpupart not loaded"

log=$(mktemp)
trap 'rm -f "$log" "$CFG" "$CFG.bad"' EXIT
# A file to apply (this host's own: nothing to change) and a broken one.
gpupartctl config save "$CFG" && sed 's/"mode"/"mood"/' "$CFG" >"$CFG.bad" ||
	tap_skip_rest "valgrind" "config save failed"
clean_run() {
	valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect,possible \
		--error-exitcode=99 --log-file="$log" gpupartctl "$@" >/dev/null 2>&1
	rc=$?
	[ $rc -ne 99 ] && [ ! -s "$log" ] && return 0
	diag "valgrind found errors (exit $rc):"
	sed 's/^/# /' "$log"
	return 1
}

printf '%s\n' "$RUNS" >"$log.runs"
while read -r args; do
	tap_check "gpupartctl $args: memcheck clean" clean_run $args
done <"$log.runs"
rm -f "$log.runs"
tap_finish
