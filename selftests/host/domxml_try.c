// SPDX-License-Identifier: GPL-2.0
/*
 * Runs the domain XML writer (userspace/domxml.c) as gpupart-hostdev
 * does, on what a VM would hold, without the kernel:
 *   domxml_try FILE VM [vf:ADDR | gpu:ADDR]...
 * vf: a partition's VF, gpu: a whole GPU. Exit 0 when it wrote FILE.
 */
#include <stdio.h>
#include <string.h>

#include "domxml.h"

int main(int argc, char **argv)
{
	struct gpnl_vm vm = { 0 };
	int i;

	if (argc < 3 || argc - 3 > GPNL_MAX_ASSIGN) {
		fprintf(stderr, "usage: domxml_try FILE VM [vf:ADDR | gpu:ADDR]...\n");
		return 2;
	}
	snprintf(vm.name, sizeof(vm.name), "%s", argv[2]);
	for (i = 3; i < argc; i++) {
		struct gpnl_assign *a = &vm.a[vm.n++];
		const char *addr = strchr(argv[i], ':') + 1;

		a->has_index = !strncmp(argv[i], "vf:", 3);
		snprintf(a->dev, sizeof(a->dev), "%s", addr);
		if (a->has_index)
			snprintf(a->vf, sizeof(a->vf), "%s", addr);
	}
	return domxml_write(argv[1], &vm) ? 1 : 0;
}
