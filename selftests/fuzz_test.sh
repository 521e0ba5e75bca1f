#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Fuzz: gpupart_fuzz's random and mutated messages, valid requests among
# them, then the invariants (gpupart_stress check), then every VM released
# and gpupart unloaded: a reference leaked by an error path would keep it.
#
# FUZZ_MESSAGES: default 20000 on Debian's kernel, 10000 on the debug
# kernel (the smoke runs of "make check"); "make fuzz" sends more. FUZZ_SEED: default the time; printed, so a run can be repeated.
. "$(dirname "$0")/lib.sh"
DIR=$(cd "$(dirname "$0")" && pwd)

tap_plan 3
is_root || tap_skip_rest "fuzz" "needs root"
module_loaded || tap_skip_rest "fuzz" "gpupart not loaded"
command -v jq >/dev/null || tap_skip_rest "fuzz" "jq not installed"
# shellcheck disable=SC2046 # one PCI address a word
set -- $(gp_sriov_devs 8)
[ $# -ge 1 ] || tap_skip_rest "fuzz" "no GPU with 8 VFs bound to gpupart"
IDS=$(cat /sys/module/gpupart/parameters/ids)
case "$(uname -r)" in
*gpupart-debug*) N=${FUZZ_MESSAGES:-10000} ;;
*) N=${FUZZ_MESSAGES:-20000} ;;
esac
SEED=${FUZZ_SEED:-$(date +%s)}

"$DIR/gpupart_fuzz" "$N" "$SEED" "$@"
tap_check "fuzz: $N messages, seed $SEED, every request answered" [ $? = 0 ]
wait_for 60 scrubbed
tap_check "fuzz: invariants hold afterwards" "$DIR/gpupart_stress" check
tap_check "fuzz: everything released, gpupart unloads and loads again" release_all "$IDS"
tap_finish
