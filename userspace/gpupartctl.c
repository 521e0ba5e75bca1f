// SPDX-License-Identifier: GPL-2.0
/*
 * gpupartctl: control GPU partitioning on a hypervisor host through the
 * gpupart generic netlink family.
 *
 *   gpupartctl [-j] [-p] OBJECT { COMMAND [ARGS] | COMMAND help | help }
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "gpupartctl.h"
#include "print.h"

static const struct ctl_object *const objects[] = {
	&ctl_dev, &ctl_vm, &ctl_host, &ctl_config, &ctl_monitor, &ctl_metrics,
	&ctl_cluster, NULL
};

static void usage_cmd(FILE *f, const struct ctl_object *obj,
		      const struct ctl_cmd *c)
{
	fprintf(f, "  gpupartctl [-j] [-p] %s%s%s%s%s\n      %s\n",
		obj->name, *c->name ? " " : "", c->name,
		*c->args ? " " : "", c->args, c->help);
}

static void usage_object(FILE *f, const struct ctl_object *obj)
{
	const struct ctl_cmd *c;

	for (c = obj->cmds; c->name; c++)
		usage_cmd(f, obj, c);
	fprintf(f, "  gpupartctl %s help\n", obj->name);
}

static void usage(FILE *f)
{
	const struct ctl_object *const *o;

	fprintf(f, "Usage: gpupartctl [OPTIONS] OBJECT { COMMAND | help } [ARGS]\n"
		"Options:\n"
		"  -j, --json     JSON output\n"
		"  -p, --pretty   indent JSON output\n"
		"  -h, --help     this text\n"
		"Objects:\n");
	for (o = objects; *o; o++)
		fprintf(f, "  %-8s %s\n", (*o)->name, (*o)->help);
	fprintf(f, "Commands:\n");
	for (o = objects; *o; o++)
		usage_object(f, *o);
	fprintf(f, "Exit status: 0 success, 1 the operation failed, 2 usage error;\n"
		"vm check: 3 the VM holds nothing, 4 gpupart cannot be asked.\n");
}

int ctl_usage_error(const struct ctl_object *obj, const char *fmt, ...)
{
	va_list ap;

	fputs("gpupartctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (obj) {
		fputs("Usage:\n", stderr);
		usage_object(stderr, obj);
	} else {
		usage(stderr);
	}
	return EXIT_USAGE;
}

bool ctl_connect(struct ctl *ctl)
{
	int rc;

	if (ctl->connected)
		return true;
	rc = gpnl_open(&ctl->nl);
	if (rc == -ENOENT) {
		fprintf(stderr, "Error: gpupart kernel module not loaded (family not found)\n");
		return false;
	}
	if (rc) {
		fprintf(stderr, "Error: cannot open a generic netlink socket: %s\n",
			strerror(-rc));
		return false;
	}
	ctl->connected = true;
	return true;
}

static void ctl_waiting(void *arg)
{
	*(bool *)arg = true;
	fprintf(stderr, "gpupartctl: gpupart is not loaded; waiting for it\n");
}

int ctl_monitor_join(struct ctl *ctl, bool *waited)
{
	bool w = false;
	int rc;

	*waited = false;
	for (;;) {
		if (!ctl->connected) {
			rc = gpnl_open_wait(&ctl->nl, ctl_waiting, &w);
			if (rc)
				return rc;
			ctl->connected = true;
			*waited |= w;
		}
		rc = gpnl_monitor(&ctl->nl);
		if (rc != -ENOENT)
			return rc;
		/* Unloaded again before the join: wait anew. */
		gpnl_close(&ctl->nl);
		ctl->connected = false;
	}
}

int ctl_fail(struct ctl *ctl, int err)
{
	fflush(stdout);
	if (ctl->nl.err[0])
		fprintf(stderr, "Error: %s\n", ctl->nl.err);
	else if (err == -EPERM)
		fprintf(stderr, "Error: %s (needs CAP_NET_ADMIN)\n",
			strerror(EPERM));
	else
		fprintf(stderr, "Error: %s\n", strerror(err < 0 ? -err : err));
	return EXIT_FAIL;
}

static int run_object(struct ctl *ctl, const struct ctl_object *obj,
		      int argc, char **argv)
{
	const struct ctl_cmd *c;

	if (!argc)		/* "gpupartctl dev" lists, as "ip link" does */
		return obj->cmds[0].run(ctl, 0, argv);
	if (!strcmp(argv[0], "help")) {
		usage_object(stdout, obj);
		return EXIT_OK;
	}
	for (c = obj->cmds; c->name && strcmp(argv[0], c->name); c++)
		;
	if (!c->name)
		return ctl_usage_error(obj, "unknown command \"%s\" for %s",
				       argv[0], obj->name);
	/*
	 * "vm assign help": the command's usage, as iproute2 gives it. Never
	 * a VM, GPU or file named help: with words after it, a usage error.
	 */
	if (argc > 1 && !strcmp(argv[1], "help")) {
		if (argc > 2)
			return ctl_usage_error(obj, "\"help\" asks for the usage of %s %s and takes nothing after it; gpupartctl takes no VM, GPU or file named help there",
					       obj->name, c->name);
		usage_cmd(stdout, obj, c);
		return EXIT_OK;
	}
	return c->run(ctl, argc - 1, argv + 1);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	const struct ctl_object *const *o;
	struct ctl ctl = { 0 };
	int c, rc;

	while ((c = getopt_long(argc, argv, "+jph", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			ctl.json = true;
			break;
		case 'p':
			ctl.pretty = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	print_init(ctl.json, ctl.pretty);

	if (!argc)
		return ctl_usage_error(NULL, "an OBJECT is required");
	if (!strcmp(argv[0], "help")) {
		usage(stdout);
		return EXIT_OK;
	}
	for (o = objects; *o; o++)
		if (!strcmp(argv[0], (*o)->name))
			break;
	if (!*o)
		return ctl_usage_error(NULL, "unknown object \"%s\"", argv[0]);

	rc = run_object(&ctl, *o, argc - 1, argv + 1);
	gpnl_close(&ctl.nl);
	return rc;
}
