#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The long runs, outside "make check": each on Debian's kernel and then on
# the debug kernel (KASAN, lockdep, kmemleak), with the kmemleak check
# after it. Each run is judged as the check job is: its TAP results, and no
# splat, hung task or taint in the kernel log.
#
#   long-run.sh stress   STRESS_SECONDS (default 300) of stress_test.sh,
#                        then of vendor_stress_test.sh
#   long-run.sh fuzz     FUZZ_MESSAGES (default 1000000) of fuzz_test.sh
#   long-run.sh faults   fault_test.sh at every fault point (debug only:
#                        Debian's kernel has no fault injection)
#
# STRESS_SEED / FUZZ_SEED repeat a run. KERNELS="debian debug" (default)
# picks the kernels. Ends with the summed "N passed, N failed, N skipped".
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
JOB=${1:?usage: long-run.sh stress|fuzz|faults}
case "$JOB" in
stress) env="STRESS_SECONDS=${STRESS_SECONDS:-300} STRESS_SEED=${STRESS_SEED:-}"
	test="stress_test.sh vendor_stress_test.sh" kernels=${KERNELS:-debian debug} ;;
fuzz) env="FUZZ_MESSAGES=${FUZZ_MESSAGES:-1000000} FUZZ_SEED=${FUZZ_SEED:-}"
	test=fuzz_test.sh kernels=${KERNELS:-debian debug} ;;
faults) env="FAULT_STRIDE=1" test=fault_test.sh kernels=${KERNELS:-debug} ;;
*) echo "usage: long-run.sh stress|fuzz|faults" >&2; exit 2 ;;
esac
script=$TOP/build/$JOB-run.sh
mkdir -p "$TOP/build"
cat >"$script" <<EOS
cd /usr/lib/gpupart/selftests
for v in $env; do [ -n "\${v#*=}" ] && export "\$v"; done
rc=0
for t in $test; do ./\$t || rc=1; done
./leak_check.sh || rc=1
exit \$rc
EOS
sum=$(mktemp)
trap 'rm -f "$sum"' EXIT
rc=0
for k in $kernels; do
	log=$TOP/build/vm/$JOB-$k.log
	if [ "$k" = debug ]; then
		dk=$("$TOP"/scripts/testbed/debug-kernel.sh) || exit 1
		make -s -C "$TOP" debug-module || exit 1
		DEBUG_KERNEL=$dk VM_LOG=$log VM_TIMEOUT=${VM_TIMEOUT:-14400} \
			"$TOP"/scripts/testbed/vm.sh run "$script" || rc=1
	else
		VM_LOG=$log VM_TIMEOUT=${VM_TIMEOUT:-14400} \
			"$TOP"/scripts/testbed/vm.sh run "$script" || rc=1
	fi
	p=$(grep -cE '^ok [0-9]+' "$log" | head -n 1)
	s=$(grep -E '^ok [0-9]+' "$log" | grep -ic '# *skip')
	f=$(grep -cE '^not ok [0-9]+' "$log")
	echo "long-run: $JOB on $k: $((p - s)) passed, $f failed, $s skipped"
	echo "$((p - s)) $f $s" >>"$sum"
done
awk '{ p += $1; f += $2; s += $3 } END { printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$sum"
exit $rc
