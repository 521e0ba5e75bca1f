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
#include <unistd.h>

#include "gpnl.h"

#define GP_SYSFS_DRIVER	"/sys/bus/pci/drivers/gpupart"
#define GP_MAX_DEVS	64
#define GP_PCI_GLOB	"[0-9a-f]*:[0-9a-f]*:[0-9a-f]*.[0-7]"

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

/* Connect to the family: 0, or -ENOENT when it is absent. */
static inline int gp_open(struct gpnl *nl)
{
	return gpnl_open(nl);
}

/* Write a sysfs file (a path, or DEV/ATTR under /sys/bus/pci/devices). */
static inline int gp_write(const char *path, const char *val)
{
	char full[256];
	FILE *f;
	int rc = 0;

	if (path[0] == '/')
		snprintf(full, sizeof(full), "%s", path);
	else
		snprintf(full, sizeof(full), "/sys/bus/pci/devices/%s", path);
	f = fopen(full, "w");
	if (!f)
		return -errno;
	if (fputs(val, f) < 0)
		rc = -errno;
	if (fclose(f) && !rc)
		rc = -errno;
	return rc;
}

/* sriov_numvfs through sysfs: 0 or -errno. */
static inline int gp_set_numvfs(const char *pci, long n)
{
	char path[96], val[16];

	snprintf(path, sizeof(path), "%s/sriov_numvfs", pci);
	snprintf(val, sizeof(val), "%ld", n);
	return gp_write(path, val);
}

/* First line of DEV/ATTR into @buf, "" when it cannot be read. */
static inline char *gp_read(const char *pci, const char *attr, char *buf,
			    size_t len)
{
	char path[256];
	FILE *f;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/%s", pci, attr);
	f = fopen(path, "r");
	if (f) {
		if (!fgets(buf, len, f))
			buf[0] = '\0';
		fclose(f);
	}
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

/* The name of the symlink DEV/LINK points to ("" if none), e.g. the driver. */
static inline char *gp_link(const char *pci, const char *link, char *buf,
			    size_t len)
{
	char path[256], target[256];
	const char *base;
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/%s", pci, link);
	n = readlink(path, target, sizeof(target) - 1);
	target[n < 0 ? 0 : n] = '\0';
	base = strrchr(target, '/') ? strrchr(target, '/') + 1 : target;
	snprintf(buf, len, "%.*s", (int)len - 1, base);
	return buf;
}

/*
 * The driver that holds the test bed's GPUs at home: gpupart, or, when the
 * test bed holds them beside a vendor's driver (vm.sh HOLD=vendor), the
 * stand-ins' vendor driver, Linux's nvme.
 */
static inline const char *gp_home_driver(void)
{
	static char cmdline[4096];
	FILE *f = fopen("/proc/cmdline", "r");

	if (f) {
		if (!fgets(cmdline, sizeof(cmdline), f))
			cmdline[0] = '\0';
		fclose(f);
	}
	return strstr(cmdline, "gpupart_hold=vendor") ? "nvme" : "gpupart";
}

/* Whether vendor:device @id ("1b36:0010") is in gpupart's vendor_ids=. */
static inline int gp_vendor_id(const char *id)
{
	char list[512], *tok, *save;
	FILE *f;

	f = fopen("/sys/module/gpupart/parameters/vendor_ids", "r");
	if (!f)
		return 0;
	if (!fgets(list, sizeof(list), f))
		list[0] = '\0';
	fclose(f);
	list[strcspn(list, "\n")] = '\0';
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (!strcmp(tok, id))
			return 1;
	return 0;
}

/*
 * PCI addresses of the GPUs sysfs shows gpupart holding at home; their
 * number. Bound to gpupart, or (beside a vendor's driver) SR-IOV PFs of an
 * ID in vendor_ids= bound to a driver other than the passthrough one.
 */
static inline int gp_sysfs_bound(char (*names)[32], int max)
{
	char id[16], drv[64], pci[32];
	struct dirent *e;
	DIR *d;
	int n = 0;

	d = opendir(GP_SYSFS_DRIVER);
	if (d) {
		while ((e = readdir(d)) && n < max)
			if (!fnmatch(GP_PCI_GLOB, e->d_name, 0))
				snprintf(names[n++], 32, "%.31s", e->d_name);
		closedir(d);
	}
	d = opendir("/sys/bus/pci/devices");
	if (!d)
		return n;
	while ((e = readdir(d)) && n < max) {
		if (fnmatch(GP_PCI_GLOB, e->d_name, 0))
			continue;
		snprintf(pci, sizeof(pci), "%.31s", e->d_name);
		snprintf(id, sizeof(id), "%04lx:%04lx",
			 gp_sysfs_num(pci, "vendor") & 0xffff,
			 gp_sysfs_num(pci, "device") & 0xffff);
		gp_link(pci, "driver", drv, sizeof(drv));
		if (gp_vendor_id(id) && drv[0] &&
		    gp_sysfs_num(pci, "sriov_totalvfs") > 0 &&
		    strcmp(drv, "gpupart") && strcmp(drv, "vfio-pci"))
			snprintf(names[n++], 32, "%s", pci);
	}
	closedir(d);
	return n;
}

static inline int gp_dev_one_cb(const struct gpnl_dev *d, void *arg)
{
	*(struct gpnl_dev *)arg = *d;
	return 0;
}

#define PCI_COMMAND_OFF	4

static inline int gp_vm_one_cb(const struct gpnl_vm *vm, void *arg)
{
	*(struct gpnl_vm *)arg = *vm;
	return 0;
}

/* DEV_GET for one device into a heap copy the caller frees; NULL on error. */
static inline struct gpnl_dev *gp_dev(struct gpnl *nl, const char *pci)
{
	struct gpnl_dev *d = calloc(1, sizeof(*d));

	if (d && gpnl_dev_get(nl, pci, gp_dev_one_cb, d)) {
		free(d);
		d = NULL;
	}
	return d;
}

#endif
