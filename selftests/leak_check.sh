#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# kmemleak, after the whole suite and again after rmmod gpupart: nothing it
# reports may come from gpupart. run_tests.sh runs this last. While the
# module is loaded its frames carry "[gpupart]"; once it is gone they are
# bare addresses, so the module's text range is noted before unloading.
. "$(dirname "$0")/lib.sh"

KL=/sys/kernel/debug/kmemleak
tap_plan 2
is_root || tap_skip_rest "kmemleak" "needs root"
[ -w "$KL" ] || tap_skip_rest "kmemleak" "kernel has no kmemleak (CONFIG_DEBUG_KMEMLEAK)"
module_loaded || tap_skip_rest "kmemleak" "gpupart not loaded"

# kmemleak reports an object only once it is older than 5 s, and after
# it was seen unreferenced by a scan.
scan() {
	echo scan >"$KL"
	sleep 6
	echo scan >"$KL"
}

# Print the kmemleak reports whose backtrace passes through gpupart: frames
# named [gpupart], or addresses in [lo, hi) (hex, without 0x).
ours() {
	awk -v lo="$1" -v hi="$2" '
		function hex(s,   i, c, v) {
			v = 0
			for (i = 1; i <= length(s); i++) {
				c = index("0123456789abcdef", substr(s, i, 1))
				v = v * 16 + c - 1
			}
			return v
		}
		/^unreferenced object/ { if (mine) printf "%s", blk; blk = ""; mine = 0 }
		{ blk = blk $0 "\n" }
		/\[gpupart\]/ { mine = 1 }
		lo != "" && match($0, /0xffffffff[0-9a-f]+/) {
			a = substr($0, RSTART + 2, RLENGTH - 2)
			if (length(a) == 16 && hex(a) >= hex(lo) && hex(a) < hex(hi)) mine = 1
		}
		END { if (mine) printf "%s", blk }' "$KL"
}

check_loaded() {
	scan
	leaks=$(ours "" "")
	[ -z "$leaks" ] && return 0
	printf '%s\n' "$leaks" | sed 's/^/# /'
	return 1
}

check_unloaded() {
	# shellcheck disable=SC2046 # two words, split on purpose
	set -- $(awk '$1 == "gpupart" { print $2, $6 }' /proc/modules)
	size=$1
	base=${2#0x}
	ids=$(cat /sys/module/gpupart/parameters/ids)
	rmmod gpupart || { diag "cannot unload gpupart"; return 1; }
	scan
	hi=$(printf '%x' $((0x$base + size)))
	leaks=$(ours "$base" "$hi")
	modprobe gpupart "ids=$ids"
	[ -z "$leaks" ] && return 0
	printf '%s\n' "$leaks" | sed 's/^/# /'
	return 1
}

tap_check "kmemleak: nothing from gpupart after the suite" check_loaded
tap_check "kmemleak: nothing from gpupart after rmmod" check_unloaded
tap_finish
