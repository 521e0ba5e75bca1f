#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Debian 12's 6.12 kernel (bookworm-security ships it as 6.12.N+deb12),
# unpacked into a cache rather than installed: the machine's own kernel
# choice (scripts/kdir.sh), and with it "make check", stay on 6.1. Its
# newest build is downloaded with apt-get download (image, headers, kbuild)
# and unpacked once. Prints the cache directory, laid out as
# debug-kernel.sh's:
#   build/                    the headers (KDIR for out-of-tree modules)
#   bzImage, kernelrelease
#   modules/lib/modules/REL/  the modules, with a modules.dep
set -eu
log() { echo "kernel-6.12: $*" >&2; }
ver=$(apt-cache search --names-only '^linux-image-6\.12\.[0-9]+\+deb12-amd64-unsigned$' |
	sed -n 's/^linux-image-\(6\.12\.[0-9]*+deb12\)-amd64-unsigned .*/\1/p' | sort -V | tail -n 1)
[ -n "$ver" ] || { log "no linux-image-6.12.*+deb12-amd64-unsigned in apt's lists: run 'apt-get update'"; exit 1; }
rel=$ver-amd64
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/gpupart/kernel-6.12/$rel

if [ -f "$CACHE/done" ]; then
	echo "$CACHE"
	exit 0
fi

rm -rf "$CACHE"
mkdir -p "$CACHE/deb" "$CACHE/root"
cd "$CACHE/deb"
# As root, apt's download sandbox user cannot write here: download as root.
apt-get download -q -o APT::Sandbox::User=root \
	"linux-image-$rel-unsigned" "linux-headers-$rel" "linux-headers-$ver-common" \
	"linux-kbuild-$ver" >&2
for d in ./*.deb; do
	dpkg-deb -x "$d" "$CACHE/root"
done
cd "$CACHE"
rm -rf deb
# The headers' Makefile includes the common half by its installed path.
sed -i "s|/usr/src/linux-headers-$ver-common|$CACHE/root/usr/src/linux-headers-$ver-common|" \
	"root/usr/src/linux-headers-$rel/Makefile"
ln -s "root/usr/src/linux-headers-$rel" build
ln -s root modules
cp "root/boot/vmlinuz-$rel" bzImage
echo "$rel" >kernelrelease
/sbin/depmod -b "$CACHE/root" "$rel"
touch "$CACHE/done"
# Older 6.12 builds are stale: keep the disk for this one.
for d in "$(dirname "$CACHE")"/*; do
	[ "$d" = "$CACHE" ] || rm -rf "$d"
done
log "unpacked $rel"
echo "$CACHE"
