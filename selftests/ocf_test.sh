#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The OCF resource agent ocf:gpupart:partition, run as Pacemaker runs it
# (OCF_RESKEY_* in the environment, the action as its argument) on real
# partitions: start assigns and is idempotent, writes the VF into the
# domain XML; stop releases and is idempotent; monitor is 0 while the VM
# holds a usable partition, 7 when it never did here, and 1 (failed) once
# the GPU was removed or hit an uncorrectable PCIe error, or gpupart went;
# a start that cannot be done changes nothing. Then "cluster utilization"
# counts this host and --follow sees it change.
. "$(dirname "$0")/lib.sh"
DIR=$(cd "$(dirname "$0")" && pwd)

tap_plan 10
RA=
for a in /usr/lib/ocf/resource.d/gpupart/partition "$DIR/../dist/ocf/partition"; do
	[ -f "$a" ] && RA=$a && break
done
[ -n "$RA" ] || tap_skip_rest "ocf" "the agent is not installed (/usr/lib/ocf/resource.d/gpupart/partition)"
is_root || tap_skip_rest "ocf" "needs root"
module_loaded || tap_skip_rest "ocf" "gpupart not loaded"
command -v jq >/dev/null || tap_skip_rest "ocf" "jq not installed"
# shellcheck disable=SC2046 # one PCI address a word
set -- $(gp_sriov_devs 4)
[ $# -ge 2 ] || tap_skip_rest "ocf" "needs two SR-IOV devices bound to gpupart"
DEV=$1
WHOLE=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# ra WANT ACTION [VAR=VALUE...]: the agent's exit code for ACTION on the
# resource "r-VM"; its stderr (the exit reason) is left in $tmp/err.
ra() {
	want=$1
	action=$2
	shift 2
	inst=r
	for kv in "$@"; do
		case $kv in OCF_RESKEY_vm=*) inst=r-${kv#*=} ;; esac
	done
	env OCF_ROOT=/usr/lib/ocf OCF_RESOURCE_INSTANCE="$inst" HA_RSCTMP="$tmp" "$@" \
		sh "$RA" "$action" >"$tmp/out" 2>"$tmp/err"
	expect_eq "$action $*" $? "$want" || { diag "$(cat "$tmp/err")"; return 1; }
}
reason() {
	grep -q "^ocf-exit-reason:$1" "$tmp/err" || { diag "reason: $(cat "$tmp/err")"; return 1; }
}
vf_of() {
	gpupartctl -j vm show "$1" 2>/dev/null | jq -r '.vms[0].vf // empty'
}
holds_nothing() {
	out=$(gpupartctl vm show "$1" 2>&1) && { diag "$1 holds: $out"; return 1; }
	return 0
}
# A libvirt domain XML with a disk, as VirtualDomain's config would be.
domain() {
	cat >"$tmp/$1.xml" <<END
<domain type='kvm'>
  <name>$1</name>
  <memory unit='KiB'>1048576</memory>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
  <devices>
    <disk type='file' device='disk'><source file='/var/lib/libvirt/images/$1.qcow2'/><target dev='vda' bus='virtio'/></disk>
  </devices>
</domain>
END
}
# The address the XML's gpupart hostdev names, as 0000:01:00.1.
xml_addr() {
	{ tr -d '\n' <"$1"; echo; } | sed -n 's/.*<hostdev[^>]*>.*<address domain="0x\([0-9a-f]*\)" bus="0x\([0-9a-f]*\)" slot="0x\([0-9a-f]*\)" function="0x\([0-9a-f]*\)"\/>.*ua-gpupart0.*/\1 \2 \3 \4/p' |
		{ read -r d b s f && printf '%04x:%02x:%02x.%x\n' "0x$d" "0x$b" "0x$s" "0x$f"; }
}

reset() {
	gp_free_all
	rm -f "$tmp"/gpupart-*.started
	gpupartctl dev set "$DEV" mode partition count 2
}

start_monitor() {
	reset || return 1
	domain vm1
	ra 7 monitor OCF_RESKEY_vm=vm1 || return 1
	ra 0 start OCF_RESKEY_vm=vm1 OCF_RESKEY_domain_xml="$tmp/vm1.xml" || return 1
	vf=$(vf_of vm1)
	[ -n "$vf" ] || { diag "vm1 holds nothing"; return 1; }
	expect_eq "hostdev" "$(xml_addr "$tmp/vm1.xml")" "$vf" || return 1
	grep -q "vm1.qcow2" "$tmp/vm1.xml" || return 1
	ra 0 monitor OCF_RESKEY_vm=vm1 || return 1
	# Idempotent: the same partition, still one hostdev.
	ra 0 start OCF_RESKEY_vm=vm1 OCF_RESKEY_domain_xml="$tmp/vm1.xml" || return 1
	expect_eq "VF after a second start" "$(vf_of vm1)" "$vf" || return 1
	expect_eq "hostdevs" "$(grep -c '<hostdev' "$tmp/vm1.xml")" 1
}

stop() {
	ra 0 stop OCF_RESKEY_vm=vm1 OCF_RESKEY_domain_xml="$tmp/vm1.xml" || return 1
	holds_nothing vm1 || return 1
	expect_eq "hostdevs after stop" "$(grep -c '<hostdev' "$tmp/vm1.xml")" 0 || return 1
	ra 0 stop OCF_RESKEY_vm=vm1 OCF_RESKEY_domain_xml="$tmp/vm1.xml" || return 1
	ra 7 monitor OCF_RESKEY_vm=vm1
}

# Both partitions taken: a third start fails, says why, holds nothing.
no_room() {
	reset || return 1
	ra 0 start OCF_RESKEY_vm=a1 && ra 0 start OCF_RESKEY_vm=a2 || return 1
	ra 1 start OCF_RESKEY_vm=a3 || return 1
	reason "vm assign: all 2 partitions on 1 GPUs are assigned" && holds_nothing a3 || return 1
	ra 7 monitor OCF_RESKEY_vm=a3
}

# A domain XML that is not one: start fails (2), the assignment it made undone.
bad_xml() {
	reset || return 1
	echo '<network><name>default</name></network>' >"$tmp/net.xml"
	ra 2 start OCF_RESKEY_vm=b1 OCF_RESKEY_domain_xml="$tmp/net.xml" || return 1
	reason "domain_xml: $tmp/net.xml: not a libvirt domain" && holds_nothing b1 || return 1
	ra 5 start OCF_RESKEY_vm=b1 OCF_RESKEY_domain_xml="$tmp/none.xml" || return 1
	holds_nothing b1
}

# A VM that holds a partition is not satisfied by a resource of kind dda.
kind_mismatch() {
	reset || return 1
	gpupartctl vm assign k1 >/dev/null || return 1
	ra 1 monitor OCF_RESKEY_vm=k1 OCF_RESKEY_kind=dda || return 1
	reason "vm k1: it holds a partition, not whole GPUs" || return 1
	ra 1 start OCF_RESKEY_vm=k1 OCF_RESKEY_kind=dda || return 1
	[ -n "$(vf_of k1)" ]
}

dda() {
	reset || return 1
	gpupartctl dev set "$WHOLE" mode dda || return 1
	domain d1
	ra 0 start OCF_RESKEY_vm=d1 OCF_RESKEY_kind=dda OCF_RESKEY_domain_xml="$tmp/d1.xml" || return 1
	expect_eq "hostdev" "$(xml_addr "$tmp/d1.xml")" "$WHOLE" || return 1
	ra 0 monitor OCF_RESKEY_vm=d1 OCF_RESKEY_kind=dda || return 1
	ra 0 stop OCF_RESKEY_vm=d1 OCF_RESKEY_kind=dda OCF_RESKEY_domain_xml="$tmp/d1.xml" || return 1
	holds_nothing d1 || return 1
	# The GPU comes back once reset, after stop has answered.
	wait_for 30 scrubbed || { diag "$WHOLE never came back"; return 1; }
	gpupartctl dev set "$WHOLE" mode none
}

removed() {
	bad=0
	reset || return 1
	ra 0 start OCF_RESKEY_vm=r1 || return 1
	gp_remove "$DEV"
	ra 1 monitor OCF_RESKEY_vm=r1 || bad=1
	reason "vm r1 lost its partition: revoked" || bad=1
	ra 0 stop OCF_RESKEY_vm=r1 || bad=1
	ra 7 monitor OCF_RESKEY_vm=r1 || bad=1
	gp_back "$DEV" || return 1
	return $bad
}

aer_fatal() {
	reset || return 1
	ra 0 start OCF_RESKEY_vm=e1 || return 1
	port=$(basename "$(dirname "$(readlink -f /sys/bus/pci/devices/"$DEV")")")
	"$DIR/aer_inj" "$port" uncor 10 || return 1	# Data Link Protocol Error: fatal
	wait_for 20 sh -c "! gpupartctl vm show e1 >/dev/null 2>&1" || return 1
	ra 1 monitor OCF_RESKEY_vm=e1 || return 1
	reason "vm e1 lost its partition: revoked" || return 1
	ra 0 stop OCF_RESKEY_vm=e1 || return 1
	# Beside nvme the recovery lost the VFs (lib.sh): the GPU failed, and
	# is replaced for the cases after this one.
	if vendor_loses_vfs; then
		wait_for 30 gp_failed "$DEV" || { diag "not failed: $(gpupartctl -j dev show "$DEV")"; return 1; }
		back_from_failed "$DEV"
	fi
}

unloaded() {
	bad=0
	reset || return 1
	ra 0 start OCF_RESKEY_vm=u1 || return 1
	gpupartctl vm release u1 && wait_for 60 scrubbed || return 1
	gpupartctl dev set "$DEV" mode none || return 1
	ids=$(cat /sys/module/gpupart/parameters/ids)
	rmmod gpupart || return 1
	ra 1 monitor OCF_RESKEY_vm=u1 || bad=1
	reason "gpupart was unloaded" || bad=1
	ra 0 stop OCF_RESKEY_vm=u1 || bad=1
	ra 7 monitor OCF_RESKEY_vm=u1 || bad=1
	ra 5 start OCF_RESKEY_vm=u1 || bad=1
	reason "gpupart is not loaded" || bad=1
	modprobe gpupart "ids=$ids" || return 1
	return $bad
}

# This host's capacity, and --follow printing each change.
utilization() {
	reset || return 1
	gpupartctl dev set "$WHOLE" mode dda || return 1
	expect_eq "capacity" "$(gpupartctl -j cluster utilization)" '{"node":null,"gpupart_partitions":2,"gpupart_dda":1}' || return 1
	gpupartctl -j cluster utilization --follow >"$tmp/follow" 2>&1 &
	pid=$!
	sleep 1
	gpupartctl dev set "$WHOLE" mode none
	wait_for 10 sh -c "grep -q '\"gpupart_dda\":0' '$tmp/follow'"
	rc=$?
	kill $pid
	wait $pid 2>/dev/null
	[ $rc -eq 0 ] || { diag "follow printed: $(cat "$tmp/follow")"; return 1; }
	expect_eq "lines" "$(wc -l <"$tmp/follow")" 2
}

tap_check "start assigns a partition and writes its VF into the domain XML; monitor 0; a second start changes nothing" start_monitor
tap_check "stop releases and takes the hostdev out; stop again 0; monitor 7" stop
tap_check "start with no free partition: 1, says why, nothing held" no_room
tap_check "start with a domain XML that is not one: 2, the assignment undone; a missing one: 5" bad_xml
tap_check "a resource of kind dda on a VM holding a partition: monitor and start 1, saying why" kind_mismatch
tap_check "kind dda: a whole GPU started, written, monitored and stopped" dda
tap_check "monitor after the GPU is removed: 1 (revoked); stop 0; monitor 7" removed
modprobe aer_inject 2>/dev/null
if [ -c /dev/aer_inject ]; then
	tap_check "monitor after an uncorrectable (fatal) PCIe error: 1 (revoked); stop 0" aer_fatal
else
	tap_skip "monitor after a fatal PCIe error" "no /dev/aer_inject (CONFIG_PCIEAER_INJECT)"
fi
tap_check "gpupart unloaded: monitor 1 after a start, stop 0, then monitor 7; start 5" unloaded
tap_check "cluster utilization counts this host; --follow prints each change" utilization
reset >/dev/null 2>&1
gpupartctl dev set "$DEV" mode none 2>/dev/null
tap_finish
