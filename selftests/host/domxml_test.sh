#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# gpupart-hostdev's writer (userspace/domxml.c) on real libvirt
# domain XMLs, as the OCF agent's start and stop use it: the partition's
# VF (or whole GPUs) become PCI hostdevs that libvirt's own
# virt-xml-validate accepts, a hostdev written before is replaced, other
# hostdevs and the rest of the file are kept, nothing held removes ours,
# and a file that is not a domain is refused and left as it was.
. "$(dirname "$0")/../lib.sh"
TOP=$(cd "$(dirname "$0")/../.." && pwd)

tap_plan 7
for c in virt-xml-validate xmllint pkg-config; do
	command -v $c >/dev/null || tap_skip_rest "domxml" "$c not installed (make deps)"
done
[ -f "$TOP/userspace/domxml.o" ] || tap_skip_rest "domxml" "run 'make tool' first"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
T=$dir/domxml_try
# shellcheck disable=SC2046
cc -Wall -Wextra -Werror -I"$TOP/userspace" -I"$TOP/uapi" $(pkg-config --cflags libnl-genl-3.0 libxml-2.0) \
	-o "$T" "$TOP/selftests/host/domxml_try.c" "$TOP/userspace/domxml.o" \
	$(pkg-config --libs libxml-2.0) || tap_skip_rest "domxml" "cannot build the harness"

# domain NAME [EXTRA-DEVICES]: a libvirt domain as virt-install writes one.
domain() {
	cat <<END
<domain type='kvm'>
  <name>$1</name>
  <uuid>5a1c2f4e-7b3d-4c2a-9e8f-0d1b2c3a4e5f</uuid>
  <!-- a VDI desktop: 4 vCPUs, 8 GiB -->
  <memory unit='KiB'>8388608</memory>
  <vcpu placement='static'>4</vcpu>
  <os>
    <type arch='x86_64' machine='pc-q35-7.2'>hvm</type>
    <boot dev='hd'/>
  </os>
  <features>
    <acpi/>
    <apic/>
  </features>
  <cpu mode='host-passthrough' check='none'/>
  <clock offset='utc'/>
  <on_crash>destroy</on_crash>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='/var/lib/libvirt/images/$1.qcow2'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <interface type='network'>
      <mac address='52:54:00:6b:3c:58'/>
      <source network='default'/>
      <model type='virtio'/>
    </interface>
    <console type='pty'/>
    <graphics type='vnc' port='-1' autoport='yes' listen='127.0.0.1'/>
    <video>
      <model type='virtio' heads='1' primary='yes'/>
    </video>
    <memballoon model='virtio'/>
$2
  </devices>
</domain>
END
}

# A NIC VF passed through by hand: not gpupart's, always kept.
NIC="    <hostdev mode='subsystem' type='pci' managed='yes'>
      <source><address domain='0x0000' bus='0x3b' slot='0x02' function='0x1'/></source>
    </hostdev>"
# What an earlier start on another host wrote.
OLD="    <hostdev mode='subsystem' type='pci' managed='no'>
      <source><address domain='0x0000' bus='0x81' slot='0x00' function='0x5'/></source>
      <alias name='ua-gpupart0'/>
    </hostdev>"

# "ALIAS=ADDR" of each hostdev, sorted; ADDR as the kernel writes it.
hostdevs() {
	n=$(xmllint --xpath 'count(//devices/hostdev)' "$1")
	i=1
	while [ "$i" -le "$n" ]; do
		h="//devices/hostdev[$i]"
		printf '%s=%04x:%02x:%02x.%x\n' \
			"$(xmllint --xpath "string($h/alias/@name)" "$1")" \
			"$(xmllint --xpath "string($h/source/address/@domain)" "$1")" \
			"$(xmllint --xpath "string($h/source/address/@bus)" "$1")" \
			"$(xmllint --xpath "string($h/source/address/@slot)" "$1")" \
			"$(xmllint --xpath "string($h/source/address/@function)" "$1")"
		i=$((i + 1))
	done | sort | tr '\n' ' '
}

valid() {
	virt-xml-validate "$1" domain >"$dir/v" 2>&1 || { diag "$(cat "$dir/v")"; return 1; }
}

without_hostdev() {
	domain vm1 >"$dir/vm1.xml"
	chmod 0640 "$dir/vm1.xml"
	"$T" "$dir/vm1.xml" vm1 vf:0000:41:00.4 || return 1
	valid "$dir/vm1.xml" || return 1
	expect_eq "hostdevs" "$(hostdevs "$dir/vm1.xml")" "ua-gpupart0=0000:41:00.4 " || return 1
	expect_eq "managed" "$(xmllint --xpath 'string(//hostdev/@managed)' "$dir/vm1.xml")" "no" || return 1
	expect_eq "mode kept" "$(stat -c %a "$dir/vm1.xml")" "640" || return 1
	# The rest is as it was: disk, NIC, the comment.
	expect_eq "disk" "$(xmllint --xpath 'string(//disk/source/@file)' "$dir/vm1.xml")" \
		"/var/lib/libvirt/images/vm1.qcow2" || return 1
	grep -q 'a VDI desktop' "$dir/vm1.xml"
}

with_hostdevs() {
	domain vm2 "$NIC
$OLD" >"$dir/vm2.xml"
	valid "$dir/vm2.xml" || return 1
	"$T" "$dir/vm2.xml" vm2 vf:0000:c1:00.2 || return 1
	valid "$dir/vm2.xml" || return 1
	expect_eq "hostdevs" "$(hostdevs "$dir/vm2.xml")" "=0000:3b:02.1 ua-gpupart0=0000:c1:00.2 "
}

# A hand-written hostdev of the very VF assigned is replaced, not doubled.
same_device() {
	domain vm3 "    <hostdev mode='subsystem' type='pci' managed='yes'>
      <source><address domain='0x0000' bus='0x41' slot='0x00' function='0x4'/></source>
    </hostdev>" >"$dir/vm3.xml"
	"$T" "$dir/vm3.xml" vm3 vf:0000:41:00.4 || return 1
	valid "$dir/vm3.xml" || return 1
	expect_eq "hostdevs" "$(hostdevs "$dir/vm3.xml")" "ua-gpupart0=0000:41:00.4 "
}

whole_gpus() {
	domain vm4 "$NIC" >"$dir/vm4.xml"
	"$T" "$dir/vm4.xml" vm4 gpu:0000:41:00.0 gpu:10000:e2:00.0 || return 1
	valid "$dir/vm4.xml" || return 1
	expect_eq "hostdevs" "$(hostdevs "$dir/vm4.xml")" \
		"=0000:3b:02.1 ua-gpupart0=0000:41:00.0 ua-gpupart1=10000:e2:00.0 " || return 1
	# Stop: the VM holds nothing; ours go, the NIC stays.
	"$T" "$dir/vm4.xml" vm4 || return 1
	valid "$dir/vm4.xml" || return 1
	expect_eq "hostdevs" "$(hostdevs "$dir/vm4.xml")" "=0000:3b:02.1 "
}

refused() {
	printf '<network><name>default</name></network>\n' >"$dir/net.xml"
	printf '<domain type="kvm"><name>x</name>\n' >"$dir/cut.xml"
	for f in net cut; do
		cp "$dir/$f.xml" "$dir/$f.orig"
		"$T" "$dir/$f.xml" vm5 vf:0000:41:00.4 2>"$dir/err" && { diag "$f accepted"; return 1; }
		cmp -s "$dir/$f.xml" "$dir/$f.orig" || { diag "$f changed"; return 1; }
	done
	grep -q 'not a libvirt domain' "$dir/err" || grep -q 'not well-formed' "$dir/err" || return 1
	"$T" "$dir/none.xml" vm5 vf:0000:41:00.4 2>"$dir/err" && return 1
	grep -q 'No such file' "$dir/err" || { diag "$(cat "$dir/err")"; return 1; }
	# Nothing left behind by the atomic write.
	[ -z "$(find "$dir" -name '*.gpupart-*')" ]
}

entities() {
	# An external entity is not fetched, nor is the file it names read in.
	printf '<?xml version="1.0"?>\n<!DOCTYPE domain [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<domain type="kvm"><name>&x;</name><memory>1</memory><os><type>hvm</type></os><devices/></domain>\n' >"$dir/ent.xml"
	"$T" "$dir/ent.xml" vm6 vf:0000:41:00.4 || true
	! grep -q 'root:' "$dir/ent.xml"
}

tap_check "a domain without hostdev gets the VF as hostdev ua-gpupart0; virt-xml-validate accepts it; the rest and the mode kept" without_hostdev
tap_check "a domain with a NIC hostdev and an earlier gpupart hostdev: ours replaced, the NIC kept" with_hostdevs
tap_check "a hand-written hostdev of the assigned VF is replaced, not doubled" same_device
tap_check "whole GPUs, 5-digit PCI domain included; holding nothing removes ours only" whole_gpus
tap_check "not a domain, not well-formed, no file: refused, the file unchanged, no temporary left" refused
memcheck() {
	domain vm7 "$NIC
$OLD" >"$dir/vm7.xml"
	for args in "vf:0000:41:00.4" "" "gpu:0000:41:00.0 gpu:0000:42:00.0"; do
		# shellcheck disable=SC2086
		valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect,possible \
			--error-exitcode=99 --log-file="$dir/vg" "$T" "$dir/vm7.xml" vm7 $args
		[ $? -ne 99 ] && [ ! -s "$dir/vg" ] || { diag "$args: $(cat "$dir/vg")"; return 1; }
	done
	valgrind -q --leak-check=full --error-exitcode=99 --log-file="$dir/vg" \
		"$T" "$dir/cut.xml" vm7 vf:0000:41:00.4 2>/dev/null
	[ $? -ne 99 ] && [ ! -s "$dir/vg" ] || { diag "refusal: $(cat "$dir/vg")"; return 1; }
}

tap_check "external entities are not read into the file" entities
if command -v valgrind >/dev/null; then
	tap_check "the writer, and its refusal, are valgrind memcheck clean" memcheck
else
	tap_skip "memcheck" "valgrind not installed"
fi
tap_finish
