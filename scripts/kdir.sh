#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Print the kernel release gpupart builds for: the running kernel when it
# has a build tree (a real host), else the newest installed kernel that has
# one (a development machine, whose own kernel cannot load modules; the
# test bed boots that kernel).
set -e
[ "$1" = kver ] || { echo "usage: $0 kver" >&2; exit 2; }
run=$(uname -r)
if [ -d "/lib/modules/$run/build" ]; then
	echo "$run"
	exit 0
fi
# shellcheck disable=SC2045 # release names have no blanks; ls -v sorts them
for d in $(ls -v /lib/modules 2>/dev/null); do
	[ -d "/lib/modules/$d/build" ] && last=$d
done
echo "${last:-none}"
