#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# gpupartctl cluster check on crafted hosts' files: homogeneous hosts
# exit 0; a different count, a different model (A2 and A16 differ only in
# their subsystem) and an unpartitioned GPU are each reported, exit 1, in
# text and JSON; unreadable or malformed files are named, exit 2. Both
# input formats (dev show -j, config save) are read.
. "$(dirname "$0")/../lib.sh"
TOP=$(cd "$(dirname "$0")/../.." && pwd)
G=$TOP/userspace/gpupartctl

tap_plan 11
[ -x "$G" ] || tap_skip_rest "cluster" "run 'make tool' first"
command -v jq >/dev/null || tap_skip_rest "cluster" "jq not installed"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

# gpu PCI SUBDEVICE MODEL MODE COUNT [VENDOR]: one device as dev show -j writes it.
gpu() {
	printf '{"pci":"%s","vendor":"%s","device":"25b6","subsystem_vendor":"10de","subsystem_device":"%s","model":"%s","total_vfs":16,"mode":"%s","partition_count":%s,"partitions":[]}' \
		"$1" "${6:-10de}" "$2" "$3" "$4" "$5"
}
a16() { gpu "$1" 14a9 A16 partition 4; }
host() {
	hname=$1
	shift
	printf '{"devices":[%s],"host":{"placement":"spread"}}\n' "$(IFS=,; echo "$*")" >"$dir/$hname.json"
}
host alpha "$(a16 0000:41:00.0)" "$(a16 0000:42:00.0)"
host beta "$(a16 0000:41:00.0)" "$(gpu 0000:42:00.0 14a9 A16 dda 0)"
host gamma "$(a16 0000:41:00.0)" "$(gpu 0000:42:00.0 14a9 A16 partition 8)"
host delta "$(gpu 0000:41:00.0 157e A2 partition 4)" "$(gpu 0000:42:00.0 14a9 A16 none 0)" \
	"$(gpu 0000:43:00.0 14a9 other partition 4 1002)"
# The config save format, for the same hardware as alpha.
printf '{"format":"gpupart-config","version":1,"placement":"pack","devices":[%s,%s],"vms":[]}\n' \
	"$(a16 0000:41:00.0)" "$(a16 0000:42:00.0)" >"$dir/epsilon.json"

run() {
	want=$1
	shift
	"$G" "$@" >"$dir/out" 2>"$dir/err"
	rc=$?
	expect_eq "exit status of $*" "$rc" "$want" || { diag "$(cat "$dir/out" "$dir/err")"; return 1; }
}

homogeneous() {
	run 0 cluster check "$dir/alpha.json" "$dir/beta.json" "$dir/epsilon.json" || return 1
	grep -q "^3 *6 *0 *yes" "$dir/out" || { diag "$(cat "$dir/out")"; return 1; }
}

# "HOST PCI DIFFERENCE" triples, from JSON.
diffs() {
	jq -r '.differences[] | "\(.host) \(.pci) \(.difference)"' "$dir/out" | sort | tr '\n' ';'
}

heterogeneous_json() {
	run 1 -j cluster check "$dir/alpha.json" "$dir/gamma.json" "$dir/delta.json" || return 1
	expect_eq "differences" "$(diffs)" "delta 0000:41:00.0 model;delta 0000:42:00.0 unpartitioned;delta 0000:43:00.0 vendor;gamma 0000:42:00.0 partition_count;" || return 1
	expect_eq "reference" "$(jq -c '.reference | [.model, .subsystem_device, .partition_count, .gpus]' "$dir/out")" '["A16","14a9",4,3]' || return 1
	expect_eq "vendor" "$(jq -c '.differences[] | select(.difference == "vendor") | [.value, .reference]' "$dir/out")" '["1002","10de"]' || return 1
	expect_eq "verdict" "$(jq -c '.cluster' "$dir/out")" '{"hosts":3,"gpus":7,"differences":4,"homogeneous":false}'
}

heterogeneous_text() {
	run 1 cluster check "$dir/alpha.json" "$dir/gamma.json" || return 1
	grep -q '^gamma  *0000:42:00.0  *partition_count  *8  *4' "$dir/out" || { diag "$(cat "$dir/out")"; return 1; }
	grep -q ' no$' "$dir/out"
}

unpartitioned_only() {
	host zeta "$(gpu 0000:41:00.0 14a9 A16 none 0)"
	run 1 -j cluster check "$dir/zeta.json" || return 1
	expect_eq "differences" "$(diffs)" "zeta 0000:41:00.0 unpartitioned;"
}

malformed() {
	printf '{"devices":[{"pci":"41:00.0","vendor":"10de"}]}' >"$dir/bad.json"
	printf '{"devices":' >"$dir/cut.json"
	printf '[1,2]' >"$dir/array.json"
	run 2 cluster check "$dir/alpha.json" "$dir/bad.json" "$dir/cut.json" "$dir/array.json" "$dir/none.json" || return 1
	for f in bad cut array none; do
		grep -q "$dir/$f.json" "$dir/err" || { diag "$f not named: $(cat "$dir/err")"; return 1; }
	done
	grep -qF 'devices[0].pci: a PCI address like "0000:01:00.0" is required' "$dir/err" || return 1
	expect_eq "output" "$(cat "$dir/out")" ""
}

usage() {
	run 2 cluster check
}

# Any address the kernel can name is read back: a domain of 5 to 8 digits
# (VMD, Hyper-V) in both formats, the config one with VMs on it.
wide_domains() {
	host eta "$(a16 10000:41:00.0)" "$(a16 ffffffff:1f:1f.7)"
	printf '{"format":"gpupart-config","version":1,"placement":"spread","devices":[%s],"vms":[{"vm":"web-1","kind":"partition","device":"10000:41:00.0","vf":"10000:41:00.4"}]}\n' \
		"$(a16 10000:41:00.0)" >"$dir/theta.json"
	run 0 -j cluster check "$dir/eta.json" "$dir/theta.json" || { diag "$(cat "$dir/err")"; return 1; }
	expect_eq "verdict" "$(jq -c '.cluster' "$dir/out")" '{"hosts":2,"gpus":3,"differences":0,"homogeneous":true}'
}

# What the kernel never prints is refused: zero-padded past 4 digits, 9
# digits, capitals, device 20 and up, function 8 and up.
bad_addresses() {
	for a in 00000:41:00.0 100000000:41:00.0 0000:4A:00.0 0000:41:20.0 0000:41:00.8 0000:41:00.a 0000:41:0.0; do
		host iota "$(a16 "$a")"
		run 2 cluster check "$dir/iota.json" || { diag "$a"; return 1; }
		grep -qF 'devices[0].pci: a PCI address like "0000:01:00.0" is required' "$dir/err" ||
			{ diag "$a: $(cat "$dir/err")"; return 1; }
	done
}

# A host whose GPUs gpupart does not hold (nouveau took them: dev show -j
# prints no devices) is no homogeneous member of a GPU cluster: reported,
# exit 1, and cluster cib refuses it rather than give it capacity 0.
no_gpus() {
	printf '{"devices":[]}\n' >"$dir/kappa.json"
	run 1 -j cluster check "$dir/alpha.json" "$dir/kappa.json" || return 1
	expect_eq "differences" "$(diffs)" "kappa null no_gpus;" || return 1
	expect_eq "verdict" "$(jq -c '.cluster' "$dir/out")" '{"hosts":2,"gpus":2,"differences":1,"homogeneous":false}' || return 1
	run 1 cluster check "$dir/kappa.json" || return 1
	grep -q '^kappa  *-  *no_gpus ' "$dir/out" || { diag "$(cat "$dir/out")"; return 1; }
	run 1 cluster cib "$dir/alpha.json" "$dir/kappa.json" || return 1
	expect_eq "cib output" "$(cat "$dir/out")" "" || return 1
	grep -q '^kappa - no_gpus ' "$dir/err" || { diag "$(cat "$dir/err")"; return 1; }
}

# Two files of one name would be two hosts of one name (two CIB nodes
# with one uname): refused, both files named, exit 2, nothing printed.
same_name() {
	mkdir -p "$dir/a" "$dir/b"
	cp "$dir/alpha.json" "$dir/a/node1.json"
	cp "$dir/alpha.json" "$dir/b/node1.json"
	for cmd in check cib; do
		run 2 cluster $cmd "$dir/a/node1.json" "$dir/b/node1.json" || return 1
		expect_eq "$cmd output" "$(cat "$dir/out")" "" || return 1
		grep -qF "$dir/a/node1.json and $dir/b/node1.json both name host node1" "$dir/err" ||
			{ diag "$cmd: $(cat "$dir/err")"; return 1; }
	done
	run 2 cluster check "$dir/alpha.json" "$dir/alpha.json"
}

# A GPU listed twice in one file would be counted twice: refused, exit 2.
pci_twice() {
	host lambda "$(a16 0000:41:00.0)" "$(a16 0000:41:00.0)"
	for cmd in check cib; do
		run 2 cluster $cmd "$dir/lambda.json" || return 1
		grep -qF 'devices[1]: 0000:41:00.0 is listed twice' "$dir/err" ||
			{ diag "$cmd: $(cat "$dir/err")"; return 1; }
	done
	run 2 cluster utilization "$dir/lambda.json"
}

tap_check "homogeneous hosts (dev show -j and config save files, dda ignored): exit 0" homogeneous
tap_check "a different count, vendor, model and an unpartitioned GPU: each reported in JSON, exit 1" heterogeneous_json
tap_check "text output names host, GPU, difference, value and reference" heterogeneous_text
tap_check "a host with no partitioned GPU is reported unpartitioned" unpartitioned_only
tap_check "unreadable and malformed files are each named, exit 2, no report" malformed
tap_check "no FILE is a usage error" usage
tap_check "5- to 8-digit PCI domains are read, in both formats" wide_domains
tap_check "addresses the kernel never prints are refused" bad_addresses
tap_check "a host with no GPU bound to gpupart is reported (no_gpus), exit 1; cluster cib refuses it" no_gpus
tap_check "two files naming one host are refused, exit 2" same_name
tap_check "a PCI address listed twice in a file is refused, exit 2" pci_twice
tap_finish
