#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make install into a DESTDIR: exactly the files the Makefile lists, with
# the prefix honoured in the unit and the modprobe.d example; the tool
# runs from there; the man page renders without a warning; uninstall takes
# it all away again but the operator's files in /etc.
. "$(dirname "$0")/../lib.sh"
TOP=$(cd "$(dirname "$0")/../.." && pwd)

tap_plan 5
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
[ -f "$TOP/gpupart.ko" ] && [ -x "$TOP/userspace/gpupartctl" ] ||
	tap_skip_rest "install" "run 'make module tool' first"

files_match() {
	make -s -C "$TOP" install DESTDIR="$dest" PREFIX=/usr >"$dest.log" 2>&1 ||
		{ diag "make install failed: $(tail -n 5 "$dest.log")"; return 1; }
	want=$(make -s --no-print-directory -C "$TOP" install-files PREFIX=/usr | sort)
	got=$(cd "$dest" && find . -type f | sed 's|^\.||' | sort)
	expect_eq "installed files" "$got" "$want" || return 1
	[ "$(echo "$want" | wc -l)" -ge 9 ] || { diag "list too short: $want"; return 1; }
	[ -x "$dest/usr/sbin/gpupartctl" ] && [ -x "$dest/usr/share/gpupart/libvirt-hook-qemu" ] &&
		[ -x "$dest/usr/lib/ocf/resource.d/gpupart/partition" ]
}

prefix_honoured() {
	grep -qx 'ExecStart=/usr/sbin/gpupartctl config apply /etc/gpupart/gpupart.json' \
		"$dest/usr/lib/systemd/system/gpupart.service" || { diag "$(cat "$dest/usr/lib/systemd/system/gpupart.service")"; return 1; }
	grep -qx 'ExecStart=/usr/sbin/gpupartctl cluster utilization --update --follow' \
		"$dest/usr/lib/systemd/system/gpupart-utilization.service" || return 1
	grep -q '@' "$dest/etc/modprobe.d/gpupart.conf" && { diag "placeholder left"; return 1; }
	grep -q '/usr/sbin/gpupartctl config apply' "$dest/etc/modprobe.d/gpupart.conf" || return 1
	# Everything in the example is commented out: installing changes no behaviour.
	expect_eq "active lines" "$(grep -cvE '^(#|$)' "$dest/etc/modprobe.d/gpupart.conf")" 0 || return 1
	if command -v systemd-analyze >/dev/null; then
		systemd-analyze verify "$dest/usr/lib/systemd/system/gpupart.service" \
			"$dest/usr/lib/systemd/system/gpupart-utilization.service" 2>&1 |
			grep -v "is not executable\|not found\|Failed to prepare filename\|Command 'man " | grep . &&
			{ diag "systemd-analyze complained"; return 1; }
	fi
	return 0
}

tool_runs() {
	"$dest/usr/sbin/gpupartctl" help | grep -q '^Usage: gpupartctl'
}

man_renders() {
	out=$(MANWIDTH=80 man -l "$dest/usr/share/man/man8/gpupartctl.8" 2>&1) || return 1
	echo "$out" | grep -q '^NAME' || { diag "no NAME section"; return 1; }
	warn=$(groff -man -ww -z "$dest/usr/share/man/man8/gpupartctl.8" 2>&1)
	expect_eq "groff warnings" "$warn" ""
}

uninstall_clean() {
	echo "# an operator's setting" >>"$dest/etc/modprobe.d/gpupart.conf"
	make -s -C "$TOP" uninstall DESTDIR="$dest" PREFIX=/usr >/dev/null 2>&1 || return 1
	expect_eq "left" "$(cd "$dest" && find . -type f | sort)" "./etc/modprobe.d/gpupart.conf"
}

command -v man >/dev/null || MANSKIP=1
tap_check "make install DESTDIR=... PREFIX=/usr installs exactly the listed files" files_match
tap_check "the unit and the modprobe.d example name the installed tool" prefix_honoured
tap_check "the installed gpupartctl runs" tool_runs
if [ -z "${MANSKIP:-}" ]; then
	tap_check "gpupartctl.8 renders with man -l, no groff warning" man_renders
else
	tap_skip "gpupartctl.8 renders" "man is not installed"
fi
tap_check "make uninstall removes all but the files in /etc" uninstall_clean
rm -f "$dest.log"
tap_finish
