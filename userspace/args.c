// SPDX-License-Identifier: GPL-2.0
/*
 * gpupartctl's argument grammar: "KEY VALUE" and "FLAG" words, each once,
 * checked against a table the command gives, with numbers parsed in full
 * (a number too big for the kernel's u32 is a usage error, never cut).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"

int ctl_u32(const char *s, uint32_t *v)
{
	unsigned long long n;
	char *end;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	n = strtoull(s, &end, 10);
	if (*end)
		return -EINVAL;
	if (errno == ERANGE || n > UINT32_MAX)
		return -ERANGE;
	*v = n;
	return 0;
}

/* "a, b, c": the keywords of @args, or the names of an enum. */
static const char *ctl_list(char *buf, size_t len, const struct ctl_arg *args,
			    const struct gpnl_names *names)
{
	size_t off = 0;
	uint32_t i;

	buf[0] = '\0';
	for (i = 0; args ? args[i].key != NULL : i < names->n; i++) {
		const char *w = args ? args[i].key : names->names[i];

		if (w && off < len)
			off += snprintf(buf + off, len - off, "%s%s", off ? ", " : "", w);
	}
	return buf;
}

static int ctl_arg_value(const struct ctl_object *obj, struct ctl_arg *a,
			 const char *val)
{
	char list[128];

	switch (a->type) {
	case CTL_ARG_U32:
		switch (ctl_u32(val, a->to.u32)) {
		case 0:
			return EXIT_OK;
		case -ERANGE:
			return ctl_usage_error(obj, "%s must be at most %u, not \"%s\"",
					       a->key, UINT32_MAX, val);
		default:
			return ctl_usage_error(obj, "%s must be a number, not \"%s\"",
					       a->key, val);
		}
	case CTL_ARG_ENUM:
		*a->to.u32 = gpnl_value(a->names, val);
		if (!*a->to.u32)
			return ctl_usage_error(obj, "%s must be one of: %s", a->key,
					       ctl_list(list, sizeof(list), NULL, a->names));
		return EXIT_OK;
	case CTL_ARG_STR:
		*a->to.str = val;
		return EXIT_OK;
	case CTL_ARG_FLAG:
		*a->to.flag = true;
		return EXIT_OK;
	}
	return EXIT_USAGE;
}

int ctl_args(const struct ctl_object *obj, const char *cmd,
	     struct ctl_arg *args, int argc, char **argv)
{
	char list[128];
	struct ctl_arg *a;
	int i, rc;

	for (i = 0; i < argc; i++) {
		for (a = args; a->key && strcmp(a->key, argv[i]); a++)
			;
		if (!a->key)
			return ctl_usage_error(obj, "unknown argument \"%s\"; %s %s takes: %s",
					       argv[i], obj->name, cmd,
					       ctl_list(list, sizeof(list), args, NULL));
		if (a->seen)
			return ctl_usage_error(obj, "\"%s\" given twice", a->key);
		a->seen = true;
		if (a->type != CTL_ARG_FLAG && i + 1 >= argc)
			return ctl_usage_error(obj, "\"%s\" needs a value", a->key);
		rc = ctl_arg_value(obj, a, a->type == CTL_ARG_FLAG ? NULL : argv[++i]);
		if (rc != EXIT_OK)
			return rc;
	}
	return EXIT_OK;
}
