/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What config.c shares with the other readers of gpupartctl's JSON: a
 * GPU as config save and dev show -j write it, and the error list.
 */
#ifndef CONFIG_H
#define CONFIG_H

#include <json-c/json.h>

#include "gpnl.h"

struct cfg_dev {
	char pci[GPUPART_PCI_ADDR_MAX_LEN + 1];
	uint16_t vendor, device, subsys_vendor, subsys_device;
	char model[64];
	uint32_t mode;
	uint32_t count;
	uint32_t quarantined;	/* partitions out of service, when known */
	uint32_t error;		/* enum gpupart_error, 0 when healthy or unknown */
	const struct gpnl_dev *host;	/* the host's view, when read from it */
};

/* Problems found in one file; the first prints a heading naming it. */
/* The most problems of one file that are printed; the rest are counted. */
#define CFG_BAD_MAX	20

struct cfg_err {
	const char *file;
	int n;
};

void cfg_bad(struct cfg_err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* devices[@i] of a file, into @d; every problem goes to @e. */
void cfg_read_dev(json_object *o, unsigned int i, struct cfg_dev *d,
		  struct cfg_err *e);
/* The host's view of a GPU, @d, as a struct cfg_dev that points back to it. */
void cfg_dev_from_host(const struct gpnl_dev *d, struct cfg_dev *cd);
/* 1 to GPNL_VM_MAX characters of A-Z a-z 0-9 . _ : @ - */
bool cfg_vm_name_ok(const char *s);

#endif
