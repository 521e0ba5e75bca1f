// SPDX-License-Identifier: GPL-2.0
/*
 * gpupart-hostdev NAME FILE: what VM NAME holds, written into the libvirt
 * domain XML FILE as PCI <hostdev> elements (domxml.c); none when it
 * holds nothing. The OCF agent's start and stop use it.
 *
 * A program of its own, not a gpupartctl command: libxml2 brings ICU and
 * libstdc++ along, which would double the start-up cost of every
 * gpupartctl call for one command that needs them.
 *
 * Exit status: 0 written, 1 failed (said on stderr), 2 usage.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "domxml.h"

static int keep(const struct gpnl_vm *vm, void *arg)
{
	*(struct gpnl_vm *)arg = *vm;
	return 0;
}

int main(int argc, char **argv)
{
	struct gpnl_vm vm = { 0 };
	struct gpnl nl;
	int rc;

	if (argc != 3 || strlen(argv[1]) > GPNL_VM_MAX) {
		fprintf(stderr, "usage: gpupart-hostdev NAME FILE\n");
		return 2;
	}
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
