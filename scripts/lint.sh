#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The kernel code's quality gates: a W=1 build with no warnings, no circle
# between kmod/ files, sparse with no warnings, and checkpatch --strict on
# kmod/ and uapi/, shellcheck on every shell script. checkpatch.pl is
# taken from Debian's linux-source at build time (make ksrc), never kept in
# the tree. The netlink glue must be what the spec generates: it is
# generated again with ynl-gen-c (YNL, "make ynl") and compared. Needs KDIR,
# KSRC and YNL (the top-level Makefile exports them).
set -eu
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT
fail=0

gate() {
	if grep -E 'warning:|error:' "$log"; then
		echo "lint: $1: FAILED" >&2
		fail=1
	else
		echo "lint: $1: clean"
	fi
}

# A fresh copy, so every file is compiled and the tree's own build is untouched.
LINT=$PWD/build/lint
MOD_SRCS=${MOD_SRCS:-"Kbuild $(echo kmod/*.[ch] uapi/linux/*.h)"}
# shellcheck disable=SC2086
rm -rf "$LINT" && mkdir -p "$LINT" && cp --parents $MOD_SRCS "$LINT"/
make -C "$KDIR" M="$LINT" W=1 modules >"$log" 2>&1 || echo "error: W=1 build failed" >>"$log"
gate "W=1 build"

# No circle between the module's files: each uses only those below it
# (the "Layout" in kmod/gpupart.h), read off the W=1 build's objects.
if /usr/bin/python3 scripts/kmod-deps.py "$LINT" kmod/gpupart.h >"$log" 2>&1; then
	echo "lint: kmod/ files in layers, as gpupart.h's Layout lists them"
else
	grep kmod-deps "$log" >&2
	echo "lint: kmod/ layers: FAILED" >&2
	fail=1
fi

make -C "$KDIR" M="$LINT" C=2 CHECK="sparse -Wno-unknown-attribute" modules >"$log" 2>&1 ||
	echo "error: sparse build failed" >>"$log"
gate "sparse (C=2)"

if ! perl "$KSRC/scripts/checkpatch.pl" --strict --no-tree --terse \
	--ignore SPDX_LICENSE_TAG --show-types -f kmod/*.[ch] uapi/linux/*.h >"$log" 2>&1; then
	cat "$log"
	echo "lint: checkpatch --strict: FAILED" >&2
	fail=1
else
	echo "lint: checkpatch --strict: clean"
fi

# Every shell script of the tree, warnings and errors (the selftests' word
# splitting of address lists is marked where it is meant).
# shellcheck disable=SC2046
if ! shellcheck -x -S warning $(grep -rlE '^#!/bin/(busybox )?(ba)?sh' selftests scripts dist userspace) >"$log" 2>&1; then
	cat "$log"
	echo "lint: shellcheck: FAILED" >&2
	fail=1
else
	echo "lint: shellcheck: clean"
fi

# The generated files, as ynl-gen-c makes them from the spec today.
gen=$(mktemp -d)
trap 'rm -f "$log"; rm -rf "$gen"' EXIT
if ! scripts/nl-gen.sh "$YNL" "$gen" >"$log" 2>&1; then
	cat "$log"
	echo "lint: generated netlink files: ynl-gen-c FAILED" >&2
	fail=1
else
	stale=
	for f in uapi/linux/gpupart.h kmod/gpupart_nl.h kmod/gpupart_nl.c; do
		cmp -s "$gen/$f" "$f" || { diff -u "$f" "$gen/$f" | head -40; stale="$stale $f"; }
	done
	if [ -n "$stale" ]; then
		echo "lint: generated netlink files: not what the spec generates:$stale (make nl-gen)" >&2
		fail=1
	else
		echo "lint: generated netlink files: as the spec generates them"
	fi
fi
exit $fail
