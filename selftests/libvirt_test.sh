#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# libvirtd itself runs the installed hook: Debian's libvirtd, with its
# QEMU driver, starts domains whose <hostdev> is a partition's VF, calling
# /etc/libvirt/hooks/qemu (dist/libvirt-hook-qemu) as it does on a host.
# The domains are the ones libvirtd defined on the build host
# (scripts/testbed/libvirt-xml.sh), whose hostdev names VF 2 of the first
# stand-in, 0000:01:00.3: web.xml unmanaged, managed.xml managed.
#   start     the domain starts (paused) holding the partition its
#             hostdev names, and QEMU has that VF through vfio-pci;
#   destroy   the hook releases it; it is free once QEMU let go and the
#             VF was reset;
#   taken     a hostdev whose partition another VM holds: libvirtd
#             refuses the start with gpupart's reason, and nothing moves;
#   managed   a partition in a managed='yes' hostdev: refused, with why.
# It configures and starts a libvirtd of its own (a root-run QEMU, no
# cgroups, no security driver, as an initramfs allows), so it runs only in
# the QEMU test bed, never on a real host.
. "$(dirname "$0")/lib.sh"
DIR=$(cd "$(dirname "$0")" && pwd)
URI=qemu:///system
XMLS=/usr/share/gpupart/libvirt

tap_plan 5
grep -q gpupart_job=check /proc/cmdline ||
	tap_skip_rest "libvirt" "configures its own libvirtd: runs only in the QEMU test bed"
is_root || tap_skip_rest "libvirt" "needs root"
module_loaded || tap_skip_rest "libvirt" "gpupart not loaded"
command -v libvirtd >/dev/null && command -v virsh >/dev/null ||
	tap_skip_rest "libvirt" "libvirtd or virsh not in the test bed (install libvirt-daemon-driver-qemu, libvirt-clients)"
command -v jq >/dev/null || tap_skip_rest "libvirt" "jq not installed"
HOOK=$DIR/../libvirt-hook-qemu
[ -f "$HOOK" ] || tap_skip_rest "libvirt" "libvirt-hook-qemu not found next to the selftests"
modprobe vfio_iommu_type1 2>/dev/null
[ -c /dev/vfio/vfio ] || tap_skip_rest "libvirt" "no /dev/vfio/vfio (vfio-pci) for QEMU"
[ -f "$XMLS/web.xml" ] && [ -f "$XMLS/managed.xml" ] ||
	tap_skip_rest "libvirt" "no domain XML written by libvirtd in $XMLS (scripts/testbed/libvirt-xml.sh)"
DEV=$(gp_sriov_devs 4 | head -n 1)
[ "$DEV" = 0000:01:00.0 ] || tap_skip_rest "libvirt" "the test bed's first GPU is not at 0000:01:00.0"

tmp=$(mktemp -d)
cleanup() {
	for d in gpupart-test-web gpupart-test-managed; do
		virsh -c "$URI" destroy "$d" >/dev/null 2>&1
		virsh -c "$URI" undefine "$d" >/dev/null 2>&1
	done
	if [ -n "${lvd:-}" ]; then
		kill "$lvd" 2>/dev/null
		wait "$lvd"
	fi
	rm -f /etc/libvirt/hooks/qemu
	rm -rf "$tmp"
}
trap cleanup EXIT

# What Debian's packages set up on a host, as little as a root-run QEMU
# in an initramfs needs; the hook installed where libvirtd looks for it.
mkdir -p /etc/libvirt/hooks /run/libvirt /var/lib/libvirt/qemu \
	/var/cache/libvirt/qemu /var/log/libvirt/qemu
[ -e /var/run ] || ln -s /run /var/run
grep -q '^libvirt-qemu:' /etc/passwd 2>/dev/null || {
	echo "root:x:0:0:root:/root:/bin/sh" >>/etc/passwd
	echo "libvirt-qemu:x:64055:64055::/var/lib/libvirt:/bin/false" >>/etc/passwd
	printf 'root:x:0:\nkvm:x:104:\nlibvirt-qemu:x:64055:\n' >>/etc/group
}
cat >/etc/libvirt/qemu.conf <<END
user = "root"
group = "root"
dynamic_ownership = 0
security_driver = "none"
cgroup_controllers = [ ]
namespaces = [ ]
stdio_handler = "file"
END
echo 'log_outputs = "3:file:'"$tmp"'/libvirtd.log"' >/etc/libvirt/libvirtd.conf
cp "$HOOK" /etc/libvirt/hooks/qemu
chmod 0755 /etc/libvirt/hooks/qemu
libvirtd >"$tmp/libvirtd.out" 2>&1 &
lvd=$!
up() { virsh -c "$URI" version >/dev/null 2>&1; }
# Installed, so it must work: a libvirtd that does not start, or does not
# take the XML it wrote, fails the test.
broken() {
	cat "$tmp/libvirtd.out" "$tmp/libvirtd.log" | sed 's/^/# /'
	tap_not_ok "libvirt: $1"
	tap_skip_rest "libvirt" "$1"
}
wait_for 120 up || broken "libvirtd did not start"

gp_free_all
gpupartctl dev set "$DEV" mode partition count 4 || broken "could not partition $DEV"
# The VF libvirt-xml.sh's domains name.
VF2=$(gpupartctl -j dev show "$DEV" | jq -r '.devices[0].partitions[2].vf')
[ "$VF2" = 0000:01:00.3 ] || tap_skip_rest "libvirt" "VF 2 of $DEV is $VF2, not the domains' 0000:01:00.3"
WEB=gpupart-test-web
MGD=gpupart-test-managed
virsh -c "$URI" define "$XMLS/web.xml" >/dev/null &&
	virsh -c "$URI" define "$XMLS/managed.xml" >/dev/null ||
	broken "libvirtd did not define the domains it wrote"
# A QEMU libvirtd started with vfio-pci on VF $1.
qemu_has() {
	for p in $(pidof qemu-system-x86_64); do
		tr '\0' ' ' <"/proc/$p/cmdline" | grep -q "\"driver\":\"vfio-pci\",\"host\":\"$1\"" && return 0
	done
	diag "QEMU: $(for p in $(pidof qemu-system-x86_64); do tr '\0' ' ' <"/proc/$p/cmdline"; done | grep -o '{"driver":"vfio-pci[^}]*}')"
	return 1
}

started() {
	virsh -c "$URI" start --paused $WEB >"$tmp/out" 2>&1 || { diag "$(cat "$tmp/out")"; return 1; }
	expect_eq "$WEB holds" "$(held $WEB)" "$VF2" || return 1
	expect_eq "domain" "$(virsh -c "$URI" domstate $WEB)" paused || return 1
	qemu_has "$VF2" || return 1
	expect_eq "$VF2 is" "$(state_of "$VF2")" assigned
}

destroyed() {
	virsh -c "$URI" destroy $WEB >/dev/null || return 1
	wait_for 30 state_is "$VF2" free || { diag "$VF2 is $(state_of "$VF2")"; return 1; }
	expect_eq "$WEB holds" "$(held $WEB)" ""
}

taken() {
	gpupartctl vm assign other vf "$VF2" >/dev/null || return 1
	virsh -c "$URI" start --paused $WEB >"$tmp/out" 2>&1 && { diag "$WEB started"; return 1; }
	diag "virsh: $(tr '\n' ' ' <"$tmp/out")"
	grep -q "gpupart hook: $WEB: refusing to start: .*$VF2" "$tmp/out" ||
		{ diag "not gpupart's reason"; return 1; }
	expect_eq "$WEB" "$(virsh -c "$URI" domstate $WEB)" "shut off" || return 1
	expect_eq "other holds" "$(held other)" "$VF2" || return 1
	expect_eq "$WEB holds" "$(held $WEB)" "" || return 1
	gpupartctl vm release other
	wait_for 30 state_is "$VF2" free
}

managed() {
	virsh -c "$URI" start --paused $MGD >"$tmp/out" 2>&1 && { diag "$MGD started"; return 1; }
	diag "virsh: $(tr '\n' ' ' <"$tmp/out")"
	grep -q "gpupart hook: $MGD: refusing to start: hostdev $VF2 is managed='yes'" "$tmp/out" ||
		{ diag "not gpupart's reason"; return 1; }
	expect_eq "$MGD holds" "$(held $MGD)" "" || return 1
	expect_eq "$VF2 driver" "$(driver_of "$VF2")" vfio-pci
}

tap_check "libvirtd starts a domain with a partition's VF: the hook assigned it, QEMU has it" started
tap_check "destroyed: the hook released it, free again once QEMU let go and it was reset" destroyed
tap_check "a VF another VM holds: libvirtd refuses the start with gpupart's reason" taken
tap_check "managed='yes': libvirtd refuses the start with the hook's reason" managed
cleanup
trap - EXIT
tap_check "everything released, gpupart unloads and loads again" release_all "$(cat /sys/module/gpupart/parameters/ids)"
tap_finish
