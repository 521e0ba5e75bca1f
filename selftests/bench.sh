#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# gpupart's costs, each as a ratio to its floor measured in the same run
# (medians, with their counts): "make bench" runs it in the test bed on 4
# stand-in GPUs of 64 VFs. "bench.sh smoke" is the short run of "make
# check" on the default topology: few repetitions, small sizes, no targets
# judged; it only proves that every figure can still be measured.
#
# Floors: a generic netlink round trip (CTRL_CMD_GETFAMILY) for requests,
# one VF reset (sysfs "reset": an FLR) for scrubbing, pci-pf-stub writing
# sriov_numvfs on the same model for SR-IOV enable, and a dump's cost per
# partition at the smallest size for dumps at the larger ones.
. "$(dirname "$0")/lib.sh"
DIR=$(cd "$(dirname "$0")" && pwd)
B=$DIR/gpupart_bench
export PATH="$DIR:$PATH"

SMOKE=0
[ "${1:-}" = smoke ] && SMOKE=1
if [ $SMOKE = 1 ]; then
	REPS=${BENCH_REPS:-20}
	SLOW=${BENCH_SLOW_REPS:-2}
	VFS=8
else
	REPS=${BENCH_REPS:-1000}
	SLOW=${BENCH_SLOW_REPS:-10}
	VFS=64
fi
# GPUs of one model (the first one's), as a host's partitioned GPUs must be.
GPUS=
for d in $(gp_sriov_devs $VFS); do
	id=$(cat /sys/bus/pci/devices/"$d"/vendor /sys/bus/pci/devices/"$d"/device | tr '\n' ' ')
	[ -z "$GPUS" ] && model=$id
	[ "$id" = "$model" ] && GPUS="$GPUS $d"
done
set -- $GPUS
[ $# -le 4 ] || set -- $1 $2 $3 $4
GPUS="$*"
[ $# -ge 2 ] || { echo "bench: needs two GPUs of one model with $VFS VFs bound to gpupart" >&2; exit 4; }
A=$1
NGPU=$#
out=$(mktemp)
trap 'rm -f "$out"' EXIT

# run KEY ARGS...: gpupart_bench ARGS, its median saved under KEY.
run() {
	key=$1
	shift
	line=$("$B" "$@") || { echo "bench: gpupart_bench $* failed" >&2; exit 1; }
	set -- $line
	echo "$key $2 $3" >>"$out"
}
val() { awk -v k="$1" '$1 == k { print $2 }' "$out"; }
reps() { awk -v k="$1" '$1 == k { print $3 }' "$out"; }

all_none() {
	"$B" empty
	for d in $GPUS; do
		gpupartctl dev set "$d" mode none || exit 1
	done
}

# Partition the first N GPUs into COUNT each.
partition() {
	n=$1
	for d in $GPUS; do
		[ "$n" -gt 0 ] || break
		gpupartctl dev set "$d" mode partition count "$2" || exit 1
		n=$((n - 1))
	done
}

# dumps P: DEV_GET and VM_GET dumps with P partitions, each held by a VM.
dumps() {
	"$B" fill "$1"
	run "dev-dump/$1" dev-dump "$REPS"
	run "vm-dump/$1" vm-dump "$REPS"
	all_none
}

echo "# gpupart bench: $NGPU GPUs of $VFS VFs; $REPS repetitions of requests, $SLOW of slow operations"
all_none
gpupartctl host set placement spread
run floor floor "$REPS"
run host-get host-get "$REPS"
run dev-dump/0 dev-dump "$REPS"
run vm-dump/0 vm-dump "$REPS"

# Dumps as the partitions grow: 8 on one GPU, VFS on one, VFS on every GPU.
# 8 and VFS on one GPU; 8 and VFS on each GPU (32 and 256 on 4 GPUs).
BIG=$((NGPU * VFS))
DUMPS=$(printf '%s\n' 8 $((NGPU * 8)) "$VFS" "$BIG" | sort -nu | tr '\n' ' ')
for p in $DUMPS; do
	if [ "$p" -le "$VFS" ] && [ "$p" != $((NGPU * 8)) ]; then
		partition 1 "$p"
	else
		partition "$NGPU" $((p / NGPU))
	fi
	dumps "$p"
done

# Assign and release, one client and four at once.
partition "$NGPU" "$VFS"
# (each prints its assign and release medians, named vm-assign/CLIENTS...)
"$B" assign "$SLOW" $((BIG / 2)) 1 >>"$out" || exit 1
"$B" assign "$SLOW" $((BIG / 8)) 4 >>"$out" || exit 1

# Scrubbing: N released at once until all are free, against one FLR.
VF=$(gpupartctl -j dev show "$A" | jq -r '.devices[0].partitions[0].vf')
run flr write /sys/bus/pci/devices/"$VF"/reset 1 - "$SLOW"
SIZES="1 8 32 64"
[ $SMOKE = 1 ] && SIZES="1 8"
for n in $SIZES; do
	[ "$n" -le "$BIG" ] || continue
	run "free/$n" free "$n" "$SLOW"
done
all_none

# SR-IOV enable through DEV_SET (VFs to vfio-pci), and pci-pf-stub on the
# same GPU with vfio-pci taking its VFs: the same work, without gpupart.
PF=/sys/bus/pci/devices/$A
ID="$(sed 's/^0x//' "$PF/vendor") $(sed 's/^0x//' "$PF/device")"
COUNTS="8 $VFS"
[ $SMOKE = 1 ] && COUNTS=8
for n in $COUNTS; do
	run "dev-set/$n" dev-set "$A" "$n" "$SLOW"
done
modprobe pci-pf-stub || exit 1
echo "$A" >/sys/bus/pci/drivers/gpupart/unbind
echo pci-pf-stub >"$PF/driver_override"
echo "$A" >/sys/bus/pci/drivers/pci-pf-stub/bind || exit 1
# new_id also takes any device of that ID no driver has (the test bed's
# plain NVMe, which gpupart refuses): those are given back afterwards.
driverless=
for d in /sys/bus/pci/devices/*; do
	[ -e "$d/driver" ] || driverless="$driverless ${d##*/}"
done
echo "$ID" >/sys/bus/pci/drivers/vfio-pci/new_id 2>/dev/null
for n in $COUNTS; do
	run "stub/$n" write "$PF/sriov_numvfs" "$n" 0 "$SLOW"
done
echo "$ID" >/sys/bus/pci/drivers/vfio-pci/remove_id 2>/dev/null
for d in $driverless; do
	[ "$(driver_of "$d")" = vfio-pci ] && echo "$d" >/sys/bus/pci/drivers/vfio-pci/unbind
done
echo "$A" >/sys/bus/pci/drivers/pci-pf-stub/unbind
echo >"$PF/driver_override"
echo "$A" >/sys/bus/pci/drivers/gpupart/bind || exit 1
# vfio-pci may have taken devices new_id matched; gpupart's own come back.
for d in $GPUS; do
	[ "$(driver_of "$d")" = gpupart ] || { echo "bench: $d not back with gpupart" >&2; exit 1; }
done

# line LABEL KEY FLOOR-KEY [TARGET]: the figure, its ratio, the target's verdict.
line() {
	v=$(val "$2")
	f=$(val "$3")
	awk -v l="$1" -v v="$v" -v n="$(reps "$2")" -v f="$f" -v fl="$4" -v t="${5:-}" -v smoke=$SMOKE 'BEGIN {
		r = f > 0 ? v / f : 0
		s = sprintf("%-52s %10.1f us  n=%-5s %6.2f x %s", l, v, n, r, fl)
		if (t != "" && !smoke)
			s = s sprintf("  target <= %s: %s", t, r <= t ? "holds" : "MISSED")
		print s
	}'
}

# A dump's cost per partition added between one size and the next, as
# "KEY" for line(). Flat means linear; a dump that does more for each
# partition as partitions grow shows here.
per_part() {
	prev=
	for p in $DUMPS; do
		if [ -n "$prev" ]; then
			echo "$1-per/$p $(awk -v a="$(val "$1/$p")" -v z="$(val "$1/$prev")" \
				-v n="$((p - prev))" 'BEGIN { printf "%.3f", (a - z) / n }') $(reps "$1/$p")" >>"$out"
			[ -n "$first" ] || first=$p
		fi
		prev=$p
	done
}
first=
per_part dev-dump
per_part vm-dump

echo "# figure                                                   median     reps  ratio to its floor"
line "generic netlink floor (CTRL_CMD_GETFAMILY)" floor floor "genl floor"
line "HOST_GET" host-get floor "genl floor"
line "DEV_GET dump, $NGPU GPUs idle" dev-dump/0 floor "genl floor"
for p in $DUMPS; do
	line "DEV_GET dump, $p partitions" "dev-dump/$p" floor "genl floor"
done
for p in $DUMPS; do
	line "VM_GET dump, $p VMs" "vm-dump/$p" floor "genl floor"
done
# From 8 to 256 partitions: the cost of each partition added on the way
# up, against that of the first ones added.
for k in dev-dump vm-dump; do
	prev=8
	for p in $DUMPS; do
		[ "$p" = 8 ] && continue
		line "$k: per partition, $prev to $p" "$k-per/$p" "$k-per/$first" "per partition, 8 to $first" 1.5
		prev=$p
	done
done
line "VM_ASSIGN" vm-assign/1 floor "genl floor" 1.5
line "VM_RELEASE" vm-release/1 floor "genl floor" 1.5
line "VM_ASSIGN, 4 clients at once" vm-assign/4 floor "genl floor" 1.5
line "VM_RELEASE, 4 clients at once" vm-release/4 floor "genl floor" 1.5
line "one VF reset (FLR, sysfs reset)" flr flr "one FLR"
for n in $SIZES; do
	[ "$n" -le "$BIG" ] && line "$n partitions released until all free" "free/$n" flr "one FLR" 1.5
done
for n in $COUNTS; do
	line "SR-IOV enable of $n VFs, DEV_SET" "dev-set/$n" "stub/$n" "pci-pf-stub" 1.1
done
[ $SMOKE = 1 ] && echo "# smoke run: few repetitions, targets not judged"
exit 0
