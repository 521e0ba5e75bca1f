// SPDX-License-Identifier: GPL-2.0
/*
 * gpupartctl dev: the GPUs bound to gpupart.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gpupartctl.h"
#include "print.h"

struct dev_list {
	struct gpnl_dev *devs;
	unsigned int n;
};

static int dev_collect(const struct gpnl_dev *d, void *arg)
{
	struct dev_list *l = arg;
	struct gpnl_dev *devs;

	devs = realloc(l->devs, (l->n + 1) * sizeof(*devs));
	if (!devs)
		return -ENOMEM;
	devs[l->n++] = *d;
	l->devs = devs;
	return 0;
}

static void dev_print(const struct gpnl_dev *d)
{
	print_row_begin();
	print_str("pci", "PCI", d->pci);
	print_hex16("vendor", "VENDOR", d->vendor);
	print_hex16("device", "DEVICE", d->device);
	print_hex16("subsystem_vendor", "SUBVENDOR", d->subsys_vendor);
	print_hex16("subsystem_device", "SUBDEVICE", d->subsys_device);
	print_str("model", "MODEL", d->model);
	print_uint("total_vfs", "VFS", d->total_vfs);
	print_bytes("fb_bytes", "FB", d->has_fb, d->fb_bytes);
	print_uint_list("valid_partition_counts", "COUNTS", d->counts, d->n_counts);
	print_str("mode", "MODE", gpnl_mode_name(d->mode));
	print_row_end();
}

static int dev_show(struct ctl *ctl, int argc, char **argv)
{
	struct dev_list l = { 0 };
	unsigned int i;
	int rc;

	if (argc > 1)
		return ctl_usage_error(&ctl_dev, "unexpected argument \"%s\"", argv[1]);
	if (!ctl_connect(ctl))
		return EXIT_FAIL;
	/* Collect first, so a failure prints nothing but the error. */
	rc = gpnl_dev_get(&ctl->nl, argc ? argv[0] : NULL, dev_collect, &l);
	if (rc) {
		free(l.devs);
		return ctl_fail(ctl, rc);
	}
	print_list_begin("devices");
	for (i = 0; i < l.n; i++)
		dev_print(&l.devs[i]);
	print_list_end();
	free(l.devs);
	return EXIT_OK;
}

static const struct ctl_cmd dev_cmds[] = {
	{ "show", "[DEV]", "list bound GPUs, or the one at PCI address DEV", dev_show },
	{ }
};

const struct ctl_object ctl_dev = {
	.name = "dev",
	.help = "GPUs (PCI physical functions) bound to gpupart",
	.cmds = dev_cmds,
};
