// SPDX-License-Identifier: GPL-2.0
/*
 * gpupartctl dev: the GPUs bound to gpupart.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gpupartctl.h"
#include "print.h"

int dev_collect(const struct gpnl_dev *d, void *arg)
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

static void part_fields(const struct gpnl_part *p)
{
	print_uint("index", "INDEX", p->index);
	print_str("vf", "VF", p->vf);
	print_str("state", "STATE", gpnl_state_name(p->state));
	print_str("vm", "VM", p->vm[0] ? p->vm : NULL);
	print_bytes("fb_bytes", "FB", p->has_fb, p->fb_bytes);
}

void dev_fields(const struct gpnl_dev *d)
{
	unsigned int i;

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
	print_str("vm", "VM", d->vm[0] ? d->vm : NULL);
	print_uint("partition_count", "PARTS", d->count);
	print_str("error", "ERROR", gpnl_error_name(d->error));
	/* In text the partitions get a table of their own, after the devices. */
	print_arr_begin("partitions");
	for (i = 0; i < d->n_parts; i++) {
		print_obj_begin(NULL);
		part_fields(&d->parts[i]);
		print_obj_end();
	}
	print_arr_end();
}

static int dev_show(struct ctl *ctl, int argc, char **argv)
{
	struct dev_list l = { 0 };
	struct gpnl_host host;
	unsigned int i, j, parts = 0;
	int rc;

	if (argc > 1)
		return ctl_usage_error(&ctl_dev, "unexpected argument \"%s\"", argv[1]);
	if (!ctl_connect(ctl))
		return EXIT_FAIL;
	/* Collect first, so a failure prints nothing but the error. */
	rc = gpnl_dev_get(&ctl->nl, argc ? argv[0] : NULL, dev_collect, &l);
	if (!rc)
		rc = gpnl_host_get(&ctl->nl, &host);
	if (rc) {
		free(l.devs);
		return ctl_fail(ctl, rc);
	}
	print_obj_begin(NULL);
	print_arr_begin("devices");
	for (i = 0; i < l.n; i++) {
		print_obj_begin(NULL);
		dev_fields(&l.devs[i]);
		print_obj_end();
		parts += l.devs[i].n_parts;
	}
	print_arr_end();
	if (!print_json() && parts) {
		print_arr_begin("partitions");
		for (i = 0; i < l.n; i++) {
			for (j = 0; j < l.devs[i].n_parts; j++) {
				print_obj_begin(NULL);
				print_str(NULL, "DEV", l.devs[i].pci);
				part_fields(&l.devs[i].parts[j]);
				print_obj_end();
			}
		}
		print_arr_end();
	}
	host_fields(&host);
	print_obj_end();
	print_end();
	free(l.devs);
	return EXIT_OK;
}

static int dev_set(struct ctl *ctl, int argc, char **argv)
{
	uint32_t mode = 0, count = 0;
	bool with_count = false;
	const char *pci;
	char *end;
	int i, rc;

	if (argc < 1)
		return ctl_usage_error(&ctl_dev, "dev set needs a DEV");
	pci = argv[0];
	for (i = 1; i < argc; i += 2) {
		if (i + 1 >= argc)
			return ctl_usage_error(&ctl_dev, "\"%s\" needs a value", argv[i]);
		if (!strcmp(argv[i], "mode")) {
			mode = gpnl_mode_value(argv[i + 1]);
			if (!mode)
				return ctl_usage_error(&ctl_dev,
						       "mode must be one of: none, partition, dda");
		} else if (!strcmp(argv[i], "count")) {
			errno = 0;
			count = strtoul(argv[i + 1], &end, 10);
			if (errno || *end || !*argv[i + 1] || argv[i + 1][0] == '-')
				return ctl_usage_error(&ctl_dev,
						       "count must be a number, not \"%s\"",
						       argv[i + 1]);
			with_count = true;
		} else {
			return ctl_usage_error(&ctl_dev,
					       "unknown argument \"%s\"; dev set takes: mode, count",
					       argv[i]);
		}
	}
	if (!mode)
		return ctl_usage_error(&ctl_dev, "dev set needs mode none|partition|dda");
	if (!ctl_connect(ctl))
		return EXIT_FAIL;
	rc = gpnl_dev_set(&ctl->nl, pci, mode, count, with_count);
	return rc ? ctl_fail(ctl, rc) : EXIT_OK;
}

static int dev_clear(struct ctl *ctl, int argc, char **argv)
{
	unsigned long idx;
	char *end;
	int rc;

	if (argc != 3 || strcmp(argv[1], "partition"))
		return ctl_usage_error(&ctl_dev, "dev clear takes: DEV partition N");
	errno = 0;
	idx = strtoul(argv[2], &end, 10);
	if (errno || *end || !*argv[2] || argv[2][0] == '-' || idx > UINT32_MAX)
		return ctl_usage_error(&ctl_dev, "partition must be a number, not \"%s\"", argv[2]);
	if (!ctl_connect(ctl))
		return EXIT_FAIL;
	rc = gpnl_partition_clear(&ctl->nl, argv[0], idx);
	return rc ? ctl_fail(ctl, rc) : EXIT_OK;
}

static const struct ctl_cmd dev_cmds[] = {
	{ "show", "[DEV]", "list bound GPUs, or the one at PCI address DEV, with their partitions", dev_show },
	{ "set", "DEV mode { none | partition count N | dda }",
	  "set a GPU's mode; partition into N (one of its valid counts); moves go through none", dev_set },
	{ "clear", "DEV partition N",
	  "return quarantined partition N to service, if a new reset of it succeeds", dev_clear },
	{ }
};

const struct ctl_object ctl_dev = {
	.name = "dev",
	.help = "GPUs (PCI physical functions) bound to gpupart",
	.cmds = dev_cmds,
};
