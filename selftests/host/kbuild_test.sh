#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Kbuild (and so DKMS, which builds through it) refuses a kernel on which
# DEV_SET's locking would deadlock: a stable release with 05703271c3cd and
# without its revert (see "Locking" in kmod/gpupart.h). Such a kernel is
# told by the version the kernel's own Makefile gives Kbuild; the test
# gives the installed headers' Makefile another one on the command line.
. "$(dirname "$0")/../lib.sh"
TOP=$(cd "$(dirname "$0")/../.." && pwd)

tap_plan 3
KDIR=/lib/modules/$("$TOP/scripts/kdir.sh" kver)/build
[ -e "$KDIR/Makefile" ] || tap_skip_rest "kbuild" "no kernel headers installed"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# A copy of the module's sources: the tree's own build is left alone.
(cd "$TOP" && cp --parents Kbuild kmod/*.c kmod/*.h uapi/linux/*.h "$out/")

# make -C KDIR M=copy, as DKMS runs it, with the version the kernel says.
build_as() {
	make -C "$KDIR" M="$out" "$@" modules >"$out/log" 2>&1
}
refused() {
	v=$1 p=$2 s=$3
	build_as VERSION="$v" PATCHLEVEL="$p" SUBLEVEL="$s" &&
		{ diag "$v.$p.$s was built"; return 1; }
	grep -q "Linux $v.$p.$s carries 05703271c3cd .* without its revert 2fa119c0e5e5" "$out/log" ||
		{ diag "$(tail -n 3 "$out/log")"; return 1; }
}
tap_check "6.1.160 (05703271c3cd without its revert) is refused, naming the commits" refused 6 1 160
tap_check "6.12.60 likewise" refused 6 12 60
built() {
	build_as || { diag "$(tail -n 5 "$out/log")"; return 1; }
	[ -e "$out/gpupart.ko" ]
}
tap_check "the installed kernel's headers ($(basename "$(readlink -f "$KDIR")")) build" built
tap_finish
