#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# gpupartctl's and gpupart-hostdev's usage, which needs no module: a
# keyword without its value is named; gpupart-hostdev --help is help, on
# standard output, exit 0.
. "$(dirname "$0")/../lib.sh"
TOP=$(cd "$(dirname "$0")/../.." && pwd)
G=$TOP/userspace/gpupartctl
H=$TOP/userspace/gpupart-hostdev

tap_plan 2
[ -x "$G" ] && [ -x "$H" ] || tap_skip_rest "usage" "run 'make tool' first"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

# run WANT PROG ARGS...: PROG's exit status is WANT; its output in $dir.
run() {
	want=$1
	shift
	"$@" >"$dir/out" 2>"$dir/err"
	expect_eq "exit status of $*" $? "$want" || { diag "$(cat "$dir/out" "$dir/err")"; return 1; }
}



domains_without_value() {
	run 2 "$G" cluster cib domains || return 1
	grep -qF 'domains needs a directory' "$dir/err" || { diag "$(cat "$dir/err")"; return 1; }
	if grep -q 'No such file' "$dir/err"; then
		diag "$(cat "$dir/err")"
		return 1
	fi
}

hostdev_help() {
	for h in --help -h; do
		run 0 "$H" $h || return 1
		grep -q '^usage: gpupart-hostdev NAME FILE' "$dir/out" || { diag "$h: $(cat "$dir/out")"; return 1; }
		expect_eq "$h: stderr" "$(cat "$dir/err")" "" || return 1
	done
	run 2 "$H" || return 1
	grep -q '^usage: gpupart-hostdev NAME FILE' "$dir/err"
}

tap_check "cluster cib domains without its directory: said, exit 2" domains_without_value
tap_check "gpupart-hostdev --help: usage on stdout, exit 0" hostdev_help
tap_finish
