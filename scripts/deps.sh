#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Install the Debian packages gpupart's build, lint and test bed need.
# Idempotent: only missing packages are installed.
set -e
PKGS="build-essential make gcc sparse python3 python3-yaml pkg-config
	libnl-3-dev libnl-genl-3-dev linux-image-amd64 linux-headers-amd64
	linux-source-6.1 linux-source-6.12 python3-jsonschema qemu-system-x86 busybox-static kmod cpio xz-utils jq
	valgrind libc6-dbg flex bison bc libelf-dev libssl-dev rsync libjson-c-dev
	dkms man-db groff-base bsdextrautils bash-completion libxml2-dev
	libxml2-utils pacemaker-cli-utils resource-agents libvirt-clients
	libvirt-daemon-system libvirt-daemon-driver-qemu shellcheck dwarves"

missing=
for p in $PKGS; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "gpupart: installing:$missing"
SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing
