#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The lives of a partition and of a GPU's record: the tables in
# kmod/part_fsm.h and kmod/dev_fsm.h, which the module's only writers of
# those states enforce, checked step by step against the drawn lives
# (fsm_try.c).
. "$(dirname "$0")/../lib.sh"
TOP=$(cd "$(dirname "$0")/../.." && pwd)

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
if ! cc -Wall -Wextra -Werror -I"$TOP/uapi" -I"$TOP/kmod" -o "$dir/try" \
	"$TOP/selftests/host/fsm_try.c"; then
	tap_plan 1
	tap_not_ok "the lives' tables build in userspace"
	tap_finish
fi
"$dir/try"
