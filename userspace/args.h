/* SPDX-License-Identifier: GPL-2.0 */
#ifndef GPUPART_ARGS_H
#define GPUPART_ARGS_H

#include <stdbool.h>
#include <stdint.h>

#include "gpupartctl.h"

/*
 * The one argument grammar of gpupartctl's commands, after their
 * positional arguments: keywords in any order, each once, most followed
 * by a value ("mode partition count 4"), some standing alone ("dda").
 */
enum ctl_arg_type {
	CTL_ARG_FLAG,	/* no value: @to.flag set */
	CTL_ARG_U32,	/* a decimal number 0 to 4294967295: @to.u32 */
	CTL_ARG_ENUM,	/* one of @names: its value in @to.u32 */
	CTL_ARG_STR,	/* any word: @to.str */
};

/**
 * struct ctl_arg - one keyword a command takes
 * @key: the keyword
 * @type: what follows it
 * @names: the names a CTL_ARG_ENUM value may take
 * @to: where the value goes
 * @seen: set when the keyword was given
 */
struct ctl_arg {
	const char *key;
	enum ctl_arg_type type;
	const struct gpnl_names *names;
	union {
		bool *flag;
		uint32_t *u32;
		const char **str;
	} to;
	bool seen;
};

/* The entries of a command's table, ended by { }. */
#define CTL_FLAG(k, p)		{ .key = (k), .type = CTL_ARG_FLAG, .to.flag = (p) }
#define CTL_U32(k, p)		{ .key = (k), .type = CTL_ARG_U32, .to.u32 = (p) }
#define CTL_ENUM(k, t, p)	{ .key = (k), .type = CTL_ARG_ENUM, .names = (t), .to.u32 = (p) }
#define CTL_STR(k, p)		{ .key = (k), .type = CTL_ARG_STR, .to.str = (p) }

/*
 * Parse @argv against @args (terminated by a NULL @key) for command
 * "@obj->name @cmd". Returns EXIT_OK, or EXIT_USAGE after saying why: an
 * unknown keyword, one given twice, a missing value, a number that is not
 * one or is out of range, a name not in the enum's table.
 */
int ctl_args(const struct ctl_object *obj, const char *cmd,
	     struct ctl_arg *args, int argc, char **argv);

/* A decimal u32: 0, -EINVAL when @s is not a number, -ERANGE when too big. */
int ctl_u32(const char *s, uint32_t *v);

#endif
