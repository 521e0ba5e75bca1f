#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The built-in table against the reference facts (gpus.md): the PCI aliases
# modinfo shows, and per model the IDs, framebuffer and valid counts that
# <debugfs>/gpupart/models lists.
. "$(dirname "$0")/lib.sh"

GPUS_MD=${GPUS_MD:-/usr/share/gpupart/gpus.md}
[ -f "$GPUS_MD" ] || GPUS_MD=$(dirname "$0")/../../shared/reference/gpus.md

if [ ! -f "$GPUS_MD" ]; then
	tap_plan 1
	tap_skip_rest "built-in table" "reference gpus.md not available (set GPUS_MD)"
fi

# MODEL VENDOR:DEVICE SUBSYS[,SUBSYS] FB_GIB, one model a line.
rows=$(awk -F'|' '$3 ~ /10de:/ {
	for (i = 2; i <= 5; i++) gsub(/^ +| +$/, "", $i)
	subs = $4; gsub(/ /, "", subs)
	split($5, fb, " ")
	print $2, $3, subs, fb[1]
}' "$GPUS_MD")
# MODEL COUNT,COUNT,... ascending, from "- A2, A16: ... -> counts 16, 8, ...".
counts=$(awk '/^- .*-> counts/ {
	models = $0; sub(/^- /, "", models); sub(/:.*/, "", models)
	list = $0; sub(/.*-> counts */, "", list); gsub(/ /, "", list)
	n = split(list, c, ","); asc = ""
	for (i = n; i >= 1; i--) asc = asc (i < n ? "," : "") c[i]
	k = split(models, m, ", *")
	for (i = 1; i <= k; i++) print m[i], asc
}' "$GPUS_MD")

nmodels=$(printf '%s\n' "$rows" | grep -c .)
tap_plan $((nmodels + 1))
id_shared() {
	[ "$(printf '%s\n' "$rows" | awk -v id="$1" '$2 == id' | wc -l)" -gt 1 ]
}
upper() {
	echo "$1" | tr a-f A-F
}

# Expected aliases: subsystem-qualified where a device ID is shared.
want=$(while read -r model id subs fb; do
	v=$(upper "${id%:*}")
	d=$(upper "${id#*:}")
	if id_shared "$id"; then
		for s in $(echo "$subs" | tr ',' ' '); do
			echo "pci:v0000${v}d0000${d}sv0000$(upper "${s%:*}")sd0000$(upper "${s#*:}")bc*sc*i*"
		done
	else
		echo "pci:v0000${v}d0000${d}sv*sd*bc*sc*i*"
	fi
done <<EOF2
$rows
EOF2
)
want=$(printf '%s\n' "$want" | sort)
# The installed module, else the one built beside these tests.
got=$(modinfo -F alias gpupart 2>/dev/null | sort)
[ -n "$got" ] || got=$(modinfo -F alias "$(dirname "$0")/../gpupart.ko" 2>/dev/null | sort)
if [ -z "$got" ]; then
	tap_skip "modinfo aliases match gpus.md" "gpupart is neither installed nor built here"
elif [ "$got" = "$want" ]; then
	tap_ok "modinfo aliases match gpus.md ($(echo "$got" | wc -l) aliases)"
else
	diag "want:"
	printf '%s\n' "$want" | sed 's/^/#   /'
	diag "got:"
	printf '%s\n' "$got" | sed 's/^/#   /'
	tap_not_ok "modinfo aliases match gpus.md"
fi

MODELS=/sys/kernel/debug/gpupart/models
while read -r model id subs fb; do
	name="table entry $model"
	if ! is_root || [ ! -r "$MODELS" ]; then
		tap_skip "$name" "$MODELS not readable (needs root, debugfs and gpupart)"
		continue
	fi
	line=$(awk -v m="$model" '$1 == m' "$MODELS")
	if [ -z "$line" ]; then
		tap_not_ok "$name # not in the module's table"
		continue
	fi
	set -- $line
	ok=true
	expect_eq "$model id" "$2" "$id" || ok=false
	if id_shared "$id"; then
		expect_eq "$model subsystem" "$3" "$subs" || ok=false
	else
		expect_eq "$model subsystem" "$3" "*:*" || ok=false
	fi
	expect_eq "$model framebuffer" "$4" $((fb * 1024 * 1024 * 1024)) || ok=false
	want_counts=$(printf '%s\n' "$counts" | awk -v m="$model" '$1 == m { print $2 }')
	expect_eq "$model counts" "$5" "$want_counts" || ok=false
	if $ok; then tap_ok "$name"; else tap_not_ok "$name"; fi
done <<EOF2
$rows
EOF2
tap_finish
