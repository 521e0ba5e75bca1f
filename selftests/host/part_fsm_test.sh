#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# A partition's life: the table in kmod/part_fsm.h, which the module's
# only writer of a partition's state enforces, checked step by step
# against the drawn life (part_fsm_try.c).
. "$(dirname "$0")/../lib.sh"
TOP=$(cd "$(dirname "$0")/../.." && pwd)

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
if ! cc -Wall -Wextra -Werror -I"$TOP/uapi" -I"$TOP/kmod" -o "$dir/try" \
	"$TOP/selftests/host/part_fsm_try.c"; then
	tap_plan 1
	tap_not_ok "the partition life's table builds in userspace"
	tap_finish
fi
"$dir/try"
