#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# DKMS: "make dkms-install" registers the sources, builds gpupart.ko for
# the kernel whose headers are installed and installs it where modprobe
# finds it; "make dkms-remove" takes it all back. Needs root (or sudo) and
# changes /usr/src and /lib/modules while it runs.
. "$(dirname "$0")/../lib.sh"
TOP=$(cd "$(dirname "$0")/../.." && pwd)

tap_plan 2
command -v dkms >/dev/null || tap_skip_rest "dkms" "dkms is not installed"
SUDO=
if ! is_root; then
	sudo -n true 2>/dev/null || tap_skip_rest "dkms" "needs root or password-less sudo"
	SUDO="sudo -n"
fi
VER=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$TOP/dkms.conf")
KVER=$("$TOP/scripts/kdir.sh" kver)
$SUDO dkms status -m gpupart -v "$VER" | grep -q . &&
	tap_skip_rest "dkms" "gpupart/$VER is already registered with DKMS here; not touching it"
log=$(mktemp)
trap 'rm -f "$log"; $SUDO make -s -C "$TOP" dkms-remove >/dev/null 2>&1' EXIT

built() {
	$SUDO make -C "$TOP" dkms-install KVER="$KVER" >"$log" 2>&1 ||
		{ diag "dkms-install failed:"; sed 's/^/# /' "$log" | tail -n 20; return 1; }
	$SUDO dkms status -m gpupart -v "$VER" -k "$KVER" | grep -q 'installed' ||
		{ diag "status: $($SUDO dkms status -m gpupart)"; return 1; }
	ko=$(modinfo -k "$KVER" -n gpupart 2>/dev/null)
	case "$ko" in
	*/updates/dkms/gpupart.ko*) ;;
	*) diag "modinfo finds '$ko'"; return 1 ;;
	esac
	expect_eq "module parameters" "$(modinfo -k "$KVER" -F parm gpupart | cut -d: -f1 | sort | tr '\n' ' ')" \
		"ids passthrough_driver placement restrict_read vendor_ids "
}

removed() {
	$SUDO make -C "$TOP" dkms-remove >"$log" 2>&1 || { diag "$(tail -n 5 "$log")"; return 1; }
	$SUDO dkms status -m gpupart | grep -q . && { diag "still registered"; return 1; }
	[ ! -e "/usr/src/gpupart-$VER" ] || { diag "/usr/src/gpupart-$VER left"; return 1; }
	ko=$(modinfo -k "$KVER" -n gpupart 2>/dev/null)
	case "$ko" in
	*/updates/dkms/*) diag "module left: $ko"; return 1 ;;
	esac
	return 0
}

tap_check "make dkms-install builds and installs gpupart.ko for $KVER" built
tap_check "make dkms-remove unregisters it and removes the module" removed
tap_finish
