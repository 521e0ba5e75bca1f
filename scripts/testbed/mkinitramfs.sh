#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Build the test bed's initramfs: static busybox, the Debian kernel modules
# the tests need (vfio stack, aer_inject, pci-pf-stub), gpupart.ko,
# gpupartctl, jq, Debian's QEMU (a VMM inside the test bed) and the
# selftests, with the shared libraries they load.
#
#   mkinitramfs.sh KVER OUT.cpio.gz
#
# MODROOT: where the kernel's /lib/modules lives (default /, Debian's);
# GPUPART_KO: the module built for that kernel (default ./gpupart.ko).
set -eu
KVER=$1
OUT=$2
MODROOT=${MODROOT:-}
TOP=$(cd "$(dirname "$0")/../.." && pwd)
GPUPART_KO=${GPUPART_KO:-$TOP/gpupart.ko}
STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT

MODS="vfio-pci vfio_iommu_type1 aer_inject pci-pf-stub"
# nvme: the vendor PF driver of the stand-ins held beside it
# (selftests/vendor_test.sh); the debug kernel has none (no block layer).
OPT_MODS="nvme"

mkdir -p "$STAGE"/bin "$STAGE"/sbin "$STAGE"/usr/bin "$STAGE"/usr/sbin \
	"$STAGE"/proc "$STAGE"/sys "$STAGE"/dev "$STAGE"/tmp "$STAGE"/run \
	"$STAGE"/lib/modules/"$KVER"/extra "$STAGE"/usr/lib/gpupart \
	"$STAGE"/usr/share/gpupart
cp /bin/busybox "$STAGE"/bin/busybox

# Kernel modules, with their dependencies, and a modules.dep for modprobe.
for m in $MODS $OPT_MODS; do
	case " $OPT_MODS " in
	*" $m "*) modprobe -d "${MODROOT:-/}" -S "$KVER" --show-depends "$m" 2>/dev/null ;;
	*) modprobe -d "${MODROOT:-/}" -S "$KVER" --show-depends "$m" ;;
	esac | awk '$1 == "insmod" { print $2 }'
done | sort -u | while read -r ko; do
	dst="$STAGE${ko#"$MODROOT"}"
	dst=$(dirname "$dst")
	mkdir -p "$dst"
	case "$ko" in
	*.xz) xz -dc "$ko" >"$dst/$(basename "$ko" .xz)" ;;
	*.zst) zstd -qdc "$ko" >"$dst/$(basename "$ko" .zst)" ;;
	*) cp "$ko" "$dst/" ;;
	esac
done
cp "$GPUPART_KO" "$STAGE"/lib/modules/"$KVER"/extra/gpupart.ko
for f in modules.builtin modules.builtin.modinfo modules.order; do
	cp "$MODROOT/lib/modules/$KVER/$f" "$STAGE/lib/modules/$KVER/" 2>/dev/null || true
done
/sbin/depmod -b "$STAGE" "$KVER"

# Dynamically linked programs bring their libraries and loader along.
copy_libs() {
	ldd "$1" | awk '/=>/ { print $3 } /^\t\/lib/ { print $1 }' | while read -r lib; do
		[ -n "$lib" ] || continue
		mkdir -p "$STAGE$(dirname "$lib")"
		cp -L "$lib" "$STAGE$lib"
	done
}
add_prog() {
	cp "$1" "$STAGE$2"
	copy_libs "$1"
}
add_prog "$TOP"/userspace/gpupartctl /usr/bin/gpupartctl
add_prog "$TOP"/userspace/gpupart-hostdev /usr/bin/gpupart-hostdev
add_prog "$(command -v jq)" /usr/bin/jq
# valgrind's memcheck, for the tool's leak test.
if [ -x /usr/bin/valgrind.bin ]; then
	cp /usr/bin/valgrind "$STAGE"/usr/bin/valgrind
	add_prog /usr/bin/valgrind.bin /usr/bin/valgrind.bin
	mkdir -p "$STAGE"/usr/libexec/valgrind
	for f in memcheck-amd64-linux vgpreload_core-amd64-linux.so \
		 vgpreload_memcheck-amd64-linux.so default.supp; do
		cp /usr/libexec/valgrind/$f "$STAGE"/usr/libexec/valgrind/
	done
	# memcheck must redirect ld.so's strlen: it needs ld.so's symbols,
	# which Debian ships detached (libc6-dbg).
	id=$(readelf -n /lib64/ld-linux-x86-64.so.2 | awk '/Build ID/ { print $3 }')
	dbg=/usr/lib/debug/.build-id/$(echo "$id" | cut -c1-2)/$(echo "$id" | cut -c3-).debug
	if [ -f "$dbg" ]; then
		mkdir -p "$STAGE$(dirname "$dbg")"
		cp "$dbg" "$STAGE$dbg"
	fi
fi

# Debian's QEMU, as the VMM that holds a partition (vmm_test.sh): a paused
# guest needs its BIOS, two option ROMs and the TCG accelerator module.
add_prog /usr/bin/qemu-system-x86_64 /usr/bin/qemu-system-x86_64
mkdir -p "$STAGE"/usr/share/qemu "$STAGE"/usr/share/seabios \
	"$STAGE"/usr/lib/x86_64-linux-gnu/qemu
cp /usr/share/seabios/bios-256k.bin "$STAGE"/usr/share/seabios/
for f in kvmvapic.bin linuxboot_dma.bin; do
	cp -L /usr/share/qemu/$f "$STAGE"/usr/share/qemu/
done
cp /usr/lib/x86_64-linux-gnu/qemu/accel-tcg-x86_64.so "$STAGE"/usr/lib/x86_64-linux-gnu/qemu/

# Debian's libvirtd with its QEMU driver, to start a domain whose hostdev
# is a partition, calling the installed hook (libvirt_test.sh). Without
# it installed (make deps does), that test says so and skips.
if [ -x /usr/sbin/libvirtd ] && [ -x /usr/bin/virsh ]; then
	add_prog /usr/sbin/libvirtd /usr/sbin/libvirtd
	add_prog /usr/bin/virsh /usr/bin/virsh
	drv=/usr/lib/x86_64-linux-gnu/libvirt/connection-driver
	mkdir -p "$STAGE$drv" "$STAGE"/usr/share/libvirt
	add_prog "$drv"/libvirt_driver_qemu.so "$drv"/libvirt_driver_qemu.so
	cp -r /usr/share/libvirt/cpu_map "$STAGE"/usr/share/libvirt/
fi

make -s -C "$TOP"/selftests install INSTALL_PATH="$STAGE"/usr/lib/gpupart/selftests
for t in "$STAGE"/usr/lib/gpupart/selftests/*; do
	if [ "$(head -c 4 "$t" | od -An -tx1 | tr -d ' ')" = 7f454c46 ]; then
		copy_libs "$t"
	fi
done
cp "$TOP"/scripts/testbed/demo.sh "$STAGE"/usr/lib/gpupart/demo.sh
cp "$TOP"/dist/libvirt-hook-qemu "$STAGE"/usr/lib/gpupart/libvirt-hook-qemu
cp "$TOP"/dist/profile-nvidia "$STAGE"/usr/lib/gpupart/profile-nvidia
# The OCF agent where Pacemaker would find it.
install -D -m 0755 "$TOP"/dist/ocf/partition "$STAGE"/usr/lib/ocf/resource.d/gpupart/partition

# Domain XML libvirtd wrote (libvirt-xml.sh), for the hook's test.
if [ -d "$TOP/build/libvirt-xml" ]; then
	mkdir -p "$STAGE"/usr/share/gpupart/libvirt
	cp "$TOP"/build/libvirt-xml/*.xml "$STAGE"/usr/share/gpupart/libvirt/
fi

# The reference facts the table test checks against, when the checkout has them.
REF="$TOP/../shared/reference/gpus.md"
[ -f "$REF" ] && cp "$REF" "$STAGE"/usr/share/gpupart/gpus.md

cp "$TOP"/scripts/testbed/guest-init "$STAGE"/init
chmod +x "$STAGE"/init
# mktemp made the root 0700: every user must reach the tools and sysfs.
chmod 0755 "$STAGE"
(cd "$STAGE" && find . | cpio -o -H newc --quiet) | gzip -1 >"$OUT"
