#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# gpupartctl's and gpupart-hostdev's usage, which needs no module: "help"
# after a command prints that command's usage, as iproute2 does, and is
# never taken for a VM, GPU or file; a keyword without its value is named;
# gpupart-hostdev --help is help, on standard output, exit 0.
. "$(dirname "$0")/../lib.sh"
TOP=$(cd "$(dirname "$0")/../.." && pwd)
G=$TOP/userspace/gpupartctl
H=$TOP/userspace/gpupart-hostdev

tap_plan 4
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

command_help() {
	for c in "vm assign" "vm release" "vm check" "vm show" "dev show" "dev set" \
		"config save" "cluster check" "cluster cib" "cluster utilization"; do
		# shellcheck disable=SC2086 # OBJECT COMMAND
		run 0 "$G" $c help || return 1
		grep -q "^  gpupartctl \[-j\] \[-p\] $c" "$dir/out" || { diag "$c help: $(cat "$dir/out")"; return 1; }
		expect_eq "$c help: lines" "$(grep -c '^  gpupartctl' "$dir/out")" 1 || return 1
		expect_eq "$c help: stderr" "$(cat "$dir/err")" "" || return 1
	done
	[ ! -e help ] || { diag "a file named help was written"; return 1; }
}

# With more words after it, "help" is no VM name either: a usage error.
help_not_a_name() {
	run 2 "$G" vm assign help vf 0000:41:00.4 || return 1
	grep -qF '"help" asks for the usage of vm assign' "$dir/err" || { diag "$(cat "$dir/err")"; return 1; }
	expect_eq "stdout" "$(cat "$dir/out")" ""
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

tap_check "COMMAND help prints that command's usage, exit 0, without the module" command_help
tap_check "help followed by more words is a usage error, not a VM name" help_not_a_name
tap_check "cluster cib domains without its directory: said, exit 2" domains_without_value
tap_check "gpupart-hostdev --help: usage on stdout, exit 0" hostdev_help
tap_finish
