#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# gpupart in Pacemaker's terms, proved with Pacemaker's own scheduler
# (crm_simulate) on the CIB that "gpupartctl cluster cib" writes for 3
# hosts with 4 partitions each and 10 VMs: every VM placed, no host over
# its partitions; a failed host's VMs restarted where partitions are
# free and the rest left stopped; a failed monitor moves its VM. Also:
# "cluster cib" refuses what it must, "cluster utilization" counts and
# sets node utilization with crm_attribute, and the OCF agent's
# meta-data is valid against resource-agents' DTD, with its exit codes
# for what needs no GPU. Assertions read crm_simulate's output.
. "$(dirname "$0")/../lib.sh"
TOP=$(cd "$(dirname "$0")/../.." && pwd)
G=$TOP/userspace/gpupartctl
RA=$TOP/dist/ocf/partition
RST=$TOP/Documentation/gpupart.rst
DTD=/usr/share/resource-agents/ra-api-1.dtd

tap_plan 13
[ -x "$G" ] || tap_skip_rest "pacemaker" "run 'make tool' first"
for c in crm_simulate crm_attribute crm_verify xmllint; do
	command -v $c >/dev/null || tap_skip_rest "pacemaker" "$c not installed (make deps)"
done
[ -f "$DTD" ] || tap_skip_rest "pacemaker" "$DTD missing: resource-agents not installed (make deps)"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

# gpu PCI MODE COUNT [SUBDEVICE]: one A16 as dev show -j writes it.
gpu() {
	printf '{"pci":"%s","vendor":"10de","device":"25b6","subsystem_vendor":"10de","subsystem_device":"%s","model":"A16","total_vfs":16,"mode":"%s","partition_count":%s,"partitions":[%s]}' \
		"$1" "${4:-14a9}" "$2" "$3" "${5:-}"
}
# host NAME VMS...: one A16 in 4 partitions, and the VMs config save lists.
host() {
	name=$1
	shift
	vms=
	for v in "$@"; do
		vms="$vms${vms:+,}{\"vm\":\"$v\",\"kind\":\"partition\",\"device\":\"0000:41:00.0\",\"vf\":\"0000:41:00.4\"}"
	done
	printf '{"format":"gpupart-config","version":1,"placement":"spread","devices":[%s],"vms":[%s]}\n' \
		"$(gpu 0000:41:00.0 partition 4)" "$vms" >"$dir/$name.json"
}
host node1 vm1 vm2 vm3 vm4
host node2 vm5 vm6 vm7
host node3 vm8 vm9 vm10

# The running resources of crm_simulate's "Revised Cluster Status", as
# "RSC NODE" lines; "RSC Stopped" for stopped ones.
placed() {
	sed -n '/^Revised Cluster Status/,$p' "$1" |
		sed -n 's/^ *\* \([a-z0-9-]*\)\t(ocf:[a-z]*:[A-Za-z0-9]*):\t *\(Started \)\{0,1\}\([a-zA-Z0-9]*\).*/\1 \3/p'
}
# How many gpupart resources run on NODE, per node, as "node1=4 node2=3 ..."
per_node() {
	placed "$1" | grep -- '-gpu ' | awk '{print $2}' | sort | uniq -c |
		awk '{printf "%s=%s ", $2, $1}'
}
# Every VirtualDomain runs where its gpupart resource runs.
colocated() {
	placed "$1" >"$dir/p"
	while read -r rsc where; do
		case $rsc in *-gpu) ;; *) continue ;; esac
		vm=${rsc%-gpu}
		got=$(awk -v r="$vm" '$1 == r {print $2}' "$dir/p")
		[ "$got" = "$where" ] || { diag "$vm on $got, its partition on $where"; return 1; }
	done <"$dir/p"
}
# No node runs more gpupart resources than its 4 partitions.
within() {
	for n in $(per_node "$1"); do
		[ "${n#*=}" -le 4 ] || { diag "over capacity: $n"; return 1; }
	done
}

cib() {
	"$G" cluster cib domains /srv/vms "$dir/node1.json" "$dir/node2.json" "$dir/node3.json" \
		>"$dir/cib.xml" 2>"$dir/err" || { diag "$(cat "$dir/err")"; return 1; }
	# Fencing is the administrator's (see the admin guide); the scheduler
	# alone does not need it.
	CIB_file=$dir/cib.xml crm_attribute --type crm_config --name stonith-enabled --update false || return 1
	crm_verify --xml-file "$dir/cib.xml" >"$dir/err" 2>&1 || { diag "$(cat "$dir/err")"; return 1; }
	expect_eq "placement-strategy" "$(xmllint --xpath 'string(//nvpair[@name="placement-strategy"]/@value)' "$dir/cib.xml")" balanced || return 1
	expect_eq "node capacity" "$(xmllint --xpath 'string(//node[@uname="node2"]/utilization/nvpair[@name="gpupart_partitions"]/@value)' "$dir/cib.xml")" 4 || return 1
	expect_eq "primitives" "$(xmllint --xpath 'count(//primitive[@type="partition"][@provider="gpupart"])' "$dir/cib.xml")" 10 || return 1
	expect_eq "virtual domains" "$(xmllint --xpath 'count(//primitive[@type="VirtualDomain"])' "$dir/cib.xml")" 10 || return 1
	expect_eq "vm7's use" "$(xmllint --xpath 'string(//primitive[@id="vm7-gpu"]/utilization/nvpair[@name="gpupart_partitions"]/@value)' "$dir/cib.xml")" 1 || return 1
	expect_eq "vm7's domain XML" "$(xmllint --xpath 'string(//primitive[@id="vm7-gpu"]//nvpair[@name="domain_xml"]/@value)' "$dir/cib.xml")" /srv/vms/vm7.xml || return 1
	expect_eq "VirtualDomain config" "$(xmllint --xpath 'string(//primitive[@id="vm7"]//nvpair[@name="config"]/@value)' "$dir/cib.xml")" /srv/vms/vm7.xml || return 1
	expect_eq "order" "$(xmllint --xpath 'string(//rsc_order[@then="vm7"]/@first)' "$dir/cib.xml")" vm7-gpu || return 1
	expect_eq "colocation" "$(xmllint --xpath 'string(//rsc_colocation[@rsc="vm7"]/@with-rsc)' "$dir/cib.xml")" vm7-gpu || return 1
	# A directory with XML's special characters stays well-formed, and itself.
	"$G" cluster cib domains '/srv/a&b <"c">' "$dir/node1.json" >"$dir/odd.xml" || return 1
	expect_eq "escaped" "$(xmllint --xpath 'string(//primitive[@id="vm1"]//nvpair[@name="config"]/@value)' "$dir/odd.xml")" \
		'/srv/a&b <"c">/vm1.xml'
}

all_placed() {
	crm_simulate --xml-file "$dir/cib.xml" --node-up node1 --node-up node2 --node-up node3 \
		--quorum=true --simulate --save-output "$dir/running.xml" >"$dir/start.out" 2>&1 ||
		{ diag "$(tail "$dir/start.out")"; return 1; }
	expect_eq "started" "$(placed "$dir/start.out" | grep -vc ' Stopped$')" 20 || return 1
	expect_eq "gpupart resources per node" "$(per_node "$dir/start.out")" "node1=4 node2=3 node3=3 " || return 1
	colocated "$dir/start.out"
}

node_fails() {
	crm_simulate --xml-file "$dir/running.xml" --node-fail node1 --simulate \
		>"$dir/fail.out" 2>&1 || { diag "$(tail "$dir/fail.out")"; return 1; }
	# node1's 4 VMs: 2 partitions are free on node2 and node3 together.
	expect_eq "restarted" "$(sed -n '/^Transition Summary/,/^Executing/p' "$dir/fail.out" | grep -c '\* Start .*-gpu ')" 2 || return 1
	expect_eq "running per node" "$(per_node "$dir/fail.out")" "Stopped=2 node2=4 node3=4 " || return 1
	within "$dir/fail.out" && colocated "$dir/fail.out" || return 1
	# Only node1's VMs moved or stopped: the others stay where they ran.
	for v in $(placed "$dir/start.out" | awk '$2 != "node1" {print $1}'); do
		expect_eq "$v" "$(placed "$dir/fail.out" | awk -v r="$v" '$1 == r {print $2}')" \
			"$(placed "$dir/start.out" | awk -v r="$v" '$1 == r {print $2}')" || return 1
	done
}

monitor_fails() {
	where=$(placed "$dir/start.out" | awk '$1 == "vm6-gpu" {print $2}')
	crm_simulate --xml-file "$dir/running.xml" --op-inject "vm6-gpu_monitor_10000@$where=1" \
		--save-output "$dir/failed.xml" >/dev/null 2>&1 || return 1
	crm_simulate --xml-file "$dir/failed.xml" --simulate >"$dir/mon.out" 2>&1 || return 1
	now=$(placed "$dir/mon.out" | awk '$1 == "vm6-gpu" {print $2}')
	[ -n "$now" ] && [ "$now" != Stopped ] && [ "$now" != "$where" ] ||
		{ diag "vm6-gpu was on $where, now on '$now'"; sed -n '/^Transition Summary/,/^Executing/p' "$dir/mon.out"; return 1; }
	within "$dir/mon.out" && colocated "$dir/mon.out"
}

# The admin guide's commands that load cluster cib's output into a live
# cluster, as the guide prints them (the literal block after "... what
# runs there::").
recipe() {
	awk 'on && started && !/^       / && !/^$/ {exit}
	     /what runs there::$/ {on = 1; next}
	     on && /^       / {started = 1; sub(/^       /, ""); print}' "$RST"
}

# What the live cluster holds apart from gpupart's: nodes, their
# utilization, options, two resources and a constraint.
others() {
	for x in //crm_config //nodes '//primitive[@id="db"]' '//primitive[@id="ip"]' \
		'//rsc_colocation[@id="ip-with-db"]'; do
		xmllint --xpath "$x" "$1" || echo "$x is gone"
	done
}

# A live cluster (a CIB file, as CIB_file makes every Pacemaker tool use
# it) that runs other resources already: the guide's recipe adds gpupart's
# resources and constraints beside them and changes nothing else, a
# second run is refused and changes nothing, and Pacemaker's scheduler
# places everything.
live_cluster() {
	recipe >"$dir/recipe.sh"
	grep -q 'cibadmin' "$dir/recipe.sh" || { diag "no recipe found in the admin guide"; return 1; }
	mkdir -p "$dir/live" && cp "$dir/cib.xml" "$dir/live/gpu.xml" || return 1
	export CIB_file="$dir/live/cluster.xml"
	cibadmin --empty >"$CIB_file" || return 1
	for n in 1 2 3; do
		cibadmin --create --scope nodes --xml-text "<node id=\"10$n\" uname=\"node$n\"/>" &&
			crm_attribute --node "node$n" --name gpupart_partitions --utilization --update 4 || return 1
	done
	crm_attribute --type crm_config --name stonith-enabled --update false &&
		crm_attribute --type crm_config --name placement-strategy --update balanced &&
		cibadmin --create --scope resources --xml-text '<primitive id="db" class="ocf" provider="pacemaker" type="Dummy"/>' &&
		cibadmin --create --scope resources --xml-text '<primitive id="ip" class="ocf" provider="heartbeat" type="IPaddr2"><instance_attributes id="ip-ia"><nvpair id="ip-ia-ip" name="ip" value="192.0.2.10"/></instance_attributes></primitive>' &&
		cibadmin --create --scope constraints --xml-text '<rsc_colocation id="ip-with-db" rsc="ip" with-rsc="db" score="INFINITY"/>' ||
		return 1
	others "$CIB_file" >"$dir/before"
	(cd "$dir/live" && sh -e "$dir/recipe.sh") >"$dir/recipe.out" 2>&1 ||
		{ unset CIB_file; diag "$(cat "$dir/recipe.out")"; return 1; }
	others "$CIB_file" >"$dir/after"
	cmp -s "$dir/before" "$dir/after" || { unset CIB_file; diag "$(diff "$dir/before" "$dir/after")"; return 1; }
	expect_eq "gpupart resources" "$(xmllint --xpath 'count(//primitive[@provider="gpupart"])' "$CIB_file")" 10 &&
		expect_eq "virtual domains" "$(xmllint --xpath 'count(//primitive[@type="VirtualDomain"])' "$CIB_file")" 10 &&
		expect_eq "orders" "$(xmllint --xpath 'count(//rsc_order)' "$CIB_file")" 10 &&
		expect_eq "nodes" "$(xmllint --xpath 'count(//node)' "$CIB_file")" 3 || { unset CIB_file; return 1; }
	# Run again: every id exists already, so it is refused and nothing changes.
	cp "$CIB_file" "$dir/loaded.xml"
	(cd "$dir/live" && sh -e "$dir/recipe.sh") >"$dir/recipe.out" 2>&1 &&
		{ unset CIB_file; diag "a second run was not refused"; return 1; }
	unset CIB_file
	cmp -s "$dir/loaded.xml" "$dir/live/cluster.xml" || { diag "a refused run changed the CIB"; return 1; }
	crm_verify --xml-file "$dir/live/cluster.xml" >"$dir/err" 2>&1 || { diag "$(cat "$dir/err")"; return 1; }
	crm_simulate --xml-file "$dir/live/cluster.xml" --node-up node1 --node-up node2 --node-up node3 \
		--quorum=true --simulate >"$dir/live.out" 2>&1 || { diag "$(tail "$dir/live.out")"; return 1; }
	expect_eq "started" "$(placed "$dir/live.out" | grep -vc ' Stopped$')" 22 &&
		expect_eq "db and ip" "$(placed "$dir/live.out" | grep -Ec '^(db|ip) node[0-9]$')" 2 &&
		within "$dir/live.out" && colocated "$dir/live.out"
}

refuses() {
	printf '{"devices":[%s],"vms":[]}\n' "$(gpu 0000:41:00.0 partition 8)" >"$dir/eight.json"
	"$G" cluster cib "$dir/node1.json" "$dir/eight.json" >"$dir/out" 2>"$dir/err"
	expect_eq "heterogeneous: exit" $? 1 || return 1
	[ ! -s "$dir/out" ] && grep -q '^eight 0000:41:00.0 partition_count 8 4$' "$dir/err" ||
		{ diag "$(cat "$dir/out" "$dir/err")"; return 1; }
	printf '{"devices":[%s],"vms":[{"vm":"10-web","kind":"partition","device":"0000:41:00.0","vf":"0000:41:00.4"}]}\n' \
		"$(gpu 0000:41:00.0 partition 4)" >"$dir/digit.json"
	"$G" cluster cib "$dir/digit.json" >"$dir/out" 2>"$dir/err"
	expect_eq "VM not an id: exit" $? 2 || return 1
	[ ! -s "$dir/out" ] && grep -q 'VM 10-web cannot name a Pacemaker resource' "$dir/err" || return 1
	printf '{"devices":[%s],"vms":[{"vm":"a","kind":"partition","device":"0000:41:00.0","vf":"0000:41:00.4"},{"vm":"a-gpu","kind":"partition","device":"0000:41:00.0","vf":"0000:41:00.5"}]}\n' \
		"$(gpu 0000:41:00.0 partition 4)" >"$dir/clash.json"
	"$G" cluster cib "$dir/clash.json" >"$dir/out" 2>"$dir/err"
	expect_eq "id clash: exit" $? 2 || return 1
	grep -q 'share the resource id a-gpu' "$dir/err" || return 1
	"$G" cluster cib domains relative "$dir/node1.json" >/dev/null 2>&1
	expect_eq "relative domains dir: exit" $? 2
}

# dev show -j of a host: 2 A16s, one with a quarantined partition, 1 in dda,
# 1 whose recovery failed.
utilization_file() {
	q='{"index":0,"vf":"0000:41:00.4","state":"quarantined","vm":null,"fb_bytes":null},{"index":1,"vf":"0000:41:00.5","state":"assigned","vm":"vm1","fb_bytes":null}'
	printf '{"devices":[%s,%s,%s,%s]}\n' "$(gpu 0000:41:00.0 partition 4 14a9 "$q")" \
		"$(gpu 0000:42:00.0 partition 4)" "$(gpu 0000:43:00.0 dda 0)" \
		"$(gpu 0000:44:00.0 partition 4 | sed 's/"partitions"/"error":"failed","partitions"/')" >"$dir/show.json"
	out=$("$G" -j cluster utilization "$dir/show.json") || return 1
	expect_eq "capacity" "$out" '{"node":null,"gpupart_partitions":7,"gpupart_dda":1}'
}

# Text, as gpupart-utilization.service's journal shows it: what was
# computed, and the node it was set on.
utilization_text() {
	out=$("$G" cluster utilization "$dir/show.json") || return 1
	expect_eq "text" "$out" "gpupart_partitions 7 gpupart_dda 1" || return 1
	cp "$dir/cib.xml" "$dir/text.xml"
	out=$(CIB_file=$dir/text.xml "$G" cluster utilization --update --node node2 "$dir/show.json") || return 1
	expect_eq "text, set" "$out" "node node2 gpupart_partitions 7 gpupart_dda 1"
}

utilization_update() {
	cp "$dir/cib.xml" "$dir/live.xml"
	CIB_file=$dir/live.xml "$G" cluster utilization --update --node node2 "$dir/show.json" >"$dir/out" 2>&1 ||
		{ diag "$(cat "$dir/out")"; return 1; }
	expect_eq "set" "$(CIB_file=$dir/live.xml crm_attribute --node node2 --name gpupart_partitions --utilization --query --quiet)" 7 || return 1
	expect_eq "dda" "$(CIB_file=$dir/live.xml crm_attribute --node node2 --name gpupart_dda --utilization --query --quiet)" 1 || return 1
	# With 7 partitions on node2, every VM fits and none moves off it.
	crm_simulate --xml-file "$dir/live.xml" --node-up node1 --node-up node2 --node-up node3 \
		--quorum=true --simulate >"$dir/u.out" 2>&1 || return 1
	expect_eq "started" "$(placed "$dir/u.out" | grep -vc ' Stopped$')" 20 || return 1
	# A node crm_attribute does not know: exit 1, said.
	CIB_file=$dir/live.xml "$G" cluster utilization --update --node nosuch "$dir/show.json" >/dev/null 2>&1
	expect_eq "unknown node: exit" $? 1
}

memcheck() {
	for args in "cluster cib $dir/node1.json $dir/node2.json $dir/node3.json" \
		"cluster cib $dir/node1.json $dir/eight.json" "-j cluster utilization $dir/show.json"; do
		# shellcheck disable=SC2086
		valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect,possible \
			--error-exitcode=99 --log-file="$dir/vg" "$G" $args >/dev/null 2>&1
		[ $? -ne 99 ] && [ ! -s "$dir/vg" ] || { diag "$args: $(cat "$dir/vg")"; return 1; }
	done
}

ra_meta() {
	"$RA" meta-data >"$dir/md.xml" || return 1
	xmllint --noout --dtdvalid "$DTD" "$dir/md.xml" 2>"$dir/err" || { diag "$(cat "$dir/err")"; return 1; }
	for p in vm kind domain_xml; do
		xmllint --xpath "//parameter[@name='$p']" "$dir/md.xml" >/dev/null 2>&1 || return 1
	done
	for a in start stop monitor meta-data validate-all; do
		xmllint --xpath "//action[@name='$a']" "$dir/md.xml" >/dev/null 2>&1 || return 1
	done
}

# ra WANT ACTION [VAR=VALUE...]: the agent's exit code for ACTION.
ra() {
	want=$1
	action=$2
	shift 2
	env -i PATH="$TOP/userspace:/usr/bin:/bin" OCF_ROOT=/usr/lib/ocf OCF_RESOURCE_INSTANCE=t \
		HA_RSCTMP="$dir" "$@" sh "$RA" $action >/dev/null 2>"$dir/ra.err"
	expect_eq "$action $*" $? "$want" || { diag "$(cat "$dir/ra.err")"; return 1; }
}

ra_codes() {
	ra 2 "" &&
		ra 3 promote OCF_RESKEY_vm=vm1 &&
		ra 3 migrate_to OCF_RESKEY_vm=vm1 &&
		ra 6 validate-all &&
		ra 6 start OCF_RESKEY_vm="a b" &&
		ra 6 monitor OCF_RESKEY_vm=vm1 OCF_RESKEY_kind=half &&
		ra 6 start OCF_RESKEY_vm="$(printf '%065d' 0)" &&
		ra 5 validate-all OCF_RESKEY_vm=vm1 OCF_RESKEY_domain_xml="$dir/none.xml" &&
		grep -q '^ocf-exit-reason:domain_xml .*: no such file on this node$' "$dir/ra.err" &&
		ra 0 validate-all OCF_RESKEY_vm=vm1 OCF_RESKEY_domain_xml="$dir/cib.xml" &&
		ra 0 meta-data || return 1
	# "help" asks gpupartctl for its usage: no VM can be named so.
	ra 6 validate-all OCF_RESKEY_vm=help &&
		grep -q '^ocf-exit-reason:vm "help"' "$dir/ra.err" || return 1
	# With no gpupart here (vm check: 4, cannot ask): nothing runs, stop
	# succeeds, start cannot; a resource started here before is lost.
	[ -d /sys/module/gpupart ] && return 0
	ra 7 monitor OCF_RESKEY_vm=vm1 &&
		ra 0 stop OCF_RESKEY_vm=vm1 &&
		ra 5 start OCF_RESKEY_vm=vm1 &&
		grep -q 'ocf-exit-reason:gpupart is not loaded' "$dir/ra.err" || return 1
	: >"$dir/gpupart-t.started"
	ra 1 monitor OCF_RESKEY_vm=vm1 &&
		grep -q 'ocf-exit-reason:gpupart was unloaded; vm vm1 lost its partition' "$dir/ra.err" || return 1
	rm -f "$dir/gpupart-t.started"
}

tap_check "cluster cib: valid for crm_verify; utilization, placement, resources, order and colocation" cib
tap_check "crm_simulate: 10 VMs on 3 hosts of 4 partitions are all placed, none over capacity, each with its partition" all_placed
tap_check "crm_simulate --node-fail: the host's VMs restart where partitions are free, the rest stay stopped" node_fails
tap_check "crm_simulate --op-inject: a failed monitor moves its VM (migration-threshold 1) with its VirtualDomain" monitor_fails
tap_check "the admin guide's recipe adds cluster cib's resources to a live cluster, leaving its other resources alone" live_cluster
tap_check "cluster cib refuses a heterogeneous cluster (exit 1, differences listed) and bad VM names (exit 2)" refuses
tap_check "cluster utilization: partitions not quarantined on GPUs that did not fail, and DDA GPUs" utilization_file
tap_check "cluster utilization prints the capacity (and node) in text too" utilization_text
tap_check "cluster utilization --update sets the node's utilization through crm_attribute" utilization_update
tap_check "the agent's meta-data is valid against ra-api-1.dtd" ra_meta
tap_check "the agent's exit codes without a GPU: 2 usage, 3 unimplemented, 5 not installed, 6 not configured, 7, 0" ra_codes
tap_check "crm_verify accepts the agent's own defaults (no domain_xml)" sh -c "'$G' cluster cib '$dir/node3.json' >'$dir/c3.xml' && CIB_file='$dir/c3.xml' crm_attribute --type crm_config --name stonith-enabled --update false && crm_verify --xml-file '$dir/c3.xml'"
if command -v valgrind >/dev/null; then
	tap_check "cluster cib and cluster utilization FILE: valgrind memcheck clean" memcheck
else
	tap_skip "memcheck" "valgrind not installed"
fi
tap_finish
