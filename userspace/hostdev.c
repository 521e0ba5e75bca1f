// SPDX-License-Identifier: GPL-2.0
/*
 * gpupart-hostdev NAME FILE: what VM NAME holds, written into the libvirt
 * domain XML FILE as PCI <hostdev> elements (domxml.c); none when it
 * holds nothing. The OCF agent's start and stop use it.
 *
 * gpupart-hostdev --sources: the host addresses of the PCI hostdevs of
 * the domain XML on standard input, as libvirt hands it to its hooks,
 * read with an XML parser (domxml_sources()). The libvirt hook uses it.
 *
 * A program of its own, not a gpupartctl command: libxml2 brings ICU and
 * libstdc++ along, which would double the start-up cost of every
 * gpupartctl call for one command that needs them.
 *
 * The FILE is checked before gpupart is asked: a missing or bad file is
 * what the caller can fix, whatever the module does.
 *
 * Exit status: 0 written, 1 failed (said on stderr), 2 usage; --help
 * prints the usage on standard output, exit 0.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domxml.h"
#include "jsonutil.h"

/* --sources: the domain XML from standard input, at most JSON_FILE_MAX bytes. */
static int sources(void)
{
	char *buf = malloc(JSON_FILE_MAX + 1);
	size_t len;
	int rc;

	if (!buf) {
		fprintf(stderr, "Error: %s\n", strerror(ENOMEM));
		return 1;
	}
	len = fread(buf, 1, JSON_FILE_MAX + 1, stdin);
	if (ferror(stdin) || len > JSON_FILE_MAX) {
		fprintf(stderr, "Error: %s\n", ferror(stdin) ? "cannot read standard input" :
			"the domain XML is too large");
		free(buf);
		return 1;
	}
	rc = domxml_sources(buf, len, stdout);
	free(buf);
	return rc ? 1 : 0;
}

static int keep(const struct gpnl_vm *vm, void *arg)
{
	*(struct gpnl_vm *)arg = *vm;
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: gpupart-hostdev NAME FILE\n"
		"       gpupart-hostdev --sources <DOMAIN-XML\n"
		"       gpupart-hostdev --help\n"
		"Writes what VM NAME holds into the libvirt domain XML FILE as PCI\n"
		"<hostdev> elements; --sources prints the host address of each PCI\n"
		"hostdev of the domain XML on standard input.\n"
		"Exit status: 0 done, 1 failed (said on stderr), 2 usage error.\n");
}

int main(int argc, char **argv)
{
	struct gpnl_vm vm = { 0 };
	struct gpnl nl;
	int rc;

	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "--sources"))
		return sources();
	if (argc != 3 || strlen(argv[1]) > GPNL_VM_MAX) {
		usage(stderr);
		return 2;
	}
	/* What the caller can fix here comes before what gpupart is. */
	if (domxml_check(argv[2]))
		return 1;
	rc = gpnl_open(&nl);
	if (rc) {
		fprintf(stderr, "Error: %s\n", rc == -ENOENT ?
			"gpupart kernel module not loaded (family not found)" : strerror(-rc));
		return 1;
	}
	rc = gpnl_vm_get(&nl, argv[1], keep, &vm);
	if (rc && rc != -ENOENT) {
		fprintf(stderr, "Error: %s\n", nl.err[0] ? nl.err : strerror(-rc));
		gpnl_close(&nl);
		return 1;
	}
	gpnl_close(&nl);
	if (rc == -ENOENT)
		memset(&vm, 0, sizeof(vm));
	snprintf(vm.name, sizeof(vm.name), "%s", argv[1]);
	return domxml_write(argv[2], &vm) ? 1 : 0;
}
