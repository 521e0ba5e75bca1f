#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Build, or find in the cache, the debug test bed's kernel: Debian's
# linux-source, tinyconfig, then selftests/config and debug.config merged
# over it (KASAN, lockdep, kmemleak, ...). Fails loudly when an option of
# the fragments does not survive olddefconfig.
#
# Cached under ~/.cache/gpupart/debug-kernel/KEY, KEY hashing the source
# package version, the fragments and this script, so a machine builds it
# once. Prints the cache directory, which holds:
#   build/                    the kernel tree (KDIR for out-of-tree modules)
#   bzImage, kernelrelease
#   modules/lib/modules/REL/  the installed modules
set -eu
TOP=$(cd "$(dirname "$0")/../.." && pwd)
TAR=${LINUX_SRC_TAR:-$(ls /usr/src/linux-source-*.tar.xz 2>/dev/null | sort -V | tail -n 1)}
[ -f "$TAR" ] || { echo "debug-kernel: no /usr/src/linux-source-*.tar.xz: run 'make deps'" >&2; exit 1; }
FRAGS="$TOP/selftests/config $TOP/scripts/testbed/debug.config"
pkgver=$(dpkg-query -W -f='${Version}' "$(dpkg -S "$TAR" | cut -d: -f1)")
# shellcheck disable=SC2086
key=$( (echo "$pkgver"; cat "$0" $FRAGS) | sha256sum | cut -c1-16)
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/gpupart/debug-kernel/$key

if [ -f "$CACHE/done" ]; then
	echo "$CACHE"
	exit 0
fi

log() { echo "debug-kernel: $*" >&2; }
start=$(date +%s)
rm -rf "$CACHE"
mkdir -p "$CACHE/build"
log "building in $CACHE (linux-source $pkgver); takes ~12 minutes on 2 cores"
tar -xJf "$TAR" -C "$CACHE/build" --strip-components=1
cd "$CACHE/build"
make -s tinyconfig >&2
# shellcheck disable=SC2086
scripts/kconfig/merge_config.sh -m .config $FRAGS >/dev/null
make -s olddefconfig >&2

for f in $FRAGS; do
	grep -E '^CONFIG_' "$f" | while read -r line; do
		grep -qxF "$line" .config || echo "$line"
	done
	grep -E '^# CONFIG_.* is not set' "$f" | while read -r line; do
		opt=$(echo "$line" | cut -d' ' -f2)
		! grep -q "^$opt=" .config || echo "$line"
	done
done >"$CACHE/missing"
if [ -s "$CACHE/missing" ]; then
	log "these options did not survive olddefconfig:"
	sed 's/^/  /' "$CACHE/missing" >&2
	exit 1
fi

make -s -j"$(nproc)" bzImage modules >&2
make -s modules_install INSTALL_MOD_PATH="$CACHE/modules" INSTALL_MOD_STRIP=1 >&2
cp arch/x86/boot/bzImage "$CACHE/bzImage"
make -s kernelrelease >"$CACHE/kernelrelease"
touch "$CACHE/done"
# Builds for other keys are stale: keep the disk for this one.
for d in "$(dirname "$CACHE")"/*; do
	[ "$d" = "$CACHE" ] || rm -rf "$d"
done
log "built $(cat "$CACHE/kernelrelease") in $(($(date +%s) - start)) s"
echo "$CACHE"
