#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Generate the netlink glue from Documentation/netlink/specs/gpupart.yaml
# with the kernel's own generator, ynl-gen-c, as the kernel tree does:
#
#   uapi/linux/gpupart.h   the uAPI: constants, enums, attributes, commands
#   kmod/gpupart_nl.h      the policies and ops, declared
#   kmod/gpupart_nl.c      the per-op policies and the genl_ops table
#
#   scripts/nl-gen.sh YNL OUT
#
# YNL is a copy of the generator and its schemas taken from Debian's
# linux-source-6.12 at build time ("make ynl"); OUT is where the three
# files go: the tree itself ("make nl-gen"), or a scratch directory that
# "make lint" compares with the tree.
set -eu
[ $# = 2 ] || { echo "usage: $0 YNL OUT" >&2; exit 2; }
ynl=$1
out=$2
top=$(cd "$(dirname "$0")/.." && pwd)
spec=Documentation/netlink/specs/gpupart.yaml

# The generator validates the spec against the schema beside it and names
# the spec by its path below the tree it finds, as in the kernel's tree.
mkdir -p "$ynl/Documentation/netlink/specs" "$out/uapi/linux" "$out/kmod"
cp "$top/$spec" "$ynl/$spec"
gen() {
	# Debian's python3, with python3-yaml and python3-jsonschema.
	(cd "$ynl" && /usr/bin/python3 tools/net/ynl/ynl-gen-c.py --spec "$spec" "$@")
}
gen --mode uapi --header -o "$out/uapi/linux/gpupart.h"
gen --mode kernel --header -o "$out/kmod/gpupart_nl.h"
gen --mode kernel --source -o "$out/kmod/gpupart_nl.c"
