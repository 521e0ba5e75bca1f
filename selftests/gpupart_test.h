/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the gpupart C selftests: what sysfs says, to compare
 * with what the gpupart family says.
 */
#ifndef GPUPART_TEST_H
#define GPUPART_TEST_H

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gpnl.h"

#define GP_SYSFS_DRIVER	"/sys/bus/pci/drivers/gpupart"
#define GP_MAX_DEVS	64

/* PCI addresses of the devices sysfs shows bound to gpupart; their number. */
static inline int gp_sysfs_bound(char (*names)[32], int max)
{
	struct dirent *e;
	DIR *d;
	int n = 0;

	d = opendir(GP_SYSFS_DRIVER);
	if (!d)
		return 0;
	while ((e = readdir(d)) && n < max)
		if (!fnmatch("[0-9a-f]*:[0-9a-f]*:[0-9a-f]*.[0-7]", e->d_name, 0))
			snprintf(names[n++], 32, "%.31s", e->d_name);
	closedir(d);
	return n;
}

/* A sysfs attribute of a PCI device as a number (hex or decimal); -1 if none. */
static inline long gp_sysfs_num(const char *pci, const char *attr)
{
	char path[256], buf[64];
	FILE *f;
	long v;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/%s", pci, attr);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (!fgets(buf, sizeof(buf), f)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	v = strtol(buf, NULL, 0);
	return v;
}

/* Connect to the family; false (and errno-style reason) when it is absent. */
static inline int gp_open(struct gpnl *nl)
{
	return gpnl_open(nl);
}

#endif
