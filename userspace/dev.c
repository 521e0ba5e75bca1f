// SPDX-License-Identifier: GPL-2.0
/*
 * gpupartctl dev: the GPUs bound to gpupart.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
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
	print_str("profile", "PROFILE", p->profile[0] ? p->profile : NULL);
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
	print_str("hold", "HOLD", d->hold ? gpnl_name(&gpnl_holds, d->hold) : NULL);
	print_str("pf_driver", "PF_DRIVER", d->pf_driver[0] ? d->pf_driver : NULL);
	print_uint("total_vfs", "VFS", d->total_vfs);
	print_bytes("fb_bytes", "FB", d->has_fb, d->fb_bytes);
	print_uint_list("valid_partition_counts", "COUNTS", d->counts, d->n_counts);
	print_str("mode", "MODE", gpnl_mode_name(d->mode));
	print_str("vm", "VM", d->vm[0] ? d->vm : NULL);
	print_bool("releasing", "RELEASING", d->releasing);
	print_uint("partition_count", "PARTS", d->count);
	print_uint("unadopted_vfs", "UNADOPTED", d->unadopted);
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
	struct ctl_arg args[] = {
		CTL_ENUM("mode", &gpnl_modes, &mode),
		CTL_U32("count", &count),
		{ }
	};
	int rc;

	if (argc < 1)
		return ctl_usage_error(&ctl_dev, "dev set needs a DEV");
	rc = ctl_args(&ctl_dev, "set", args, argc - 1, argv + 1);
	if (rc != EXIT_OK)
		return rc;
	if (!mode)
		return ctl_usage_error(&ctl_dev, "dev set needs mode none|partition|dda");
	if (!ctl_connect(ctl))
		return EXIT_FAIL;
	rc = gpnl_dev_set(&ctl->nl, argv[0], mode, count, args[1].seen);
	return rc ? ctl_fail(ctl, rc) : EXIT_OK;
}

/* What "dev clear" waits for: the outcome of the reset it asked for. */
struct dev_clear_wait {
	struct gpnl mon;
	const char *dev;
	uint32_t index;
	uint8_t outcome;	/* the event's command, 0 until it came */
};

static void dev_clear_event(const struct gpnl_event *ev, void *arg)
{
	struct dev_clear_wait *w = arg;

	if (ev->what == GPNL_EV_PART && !strcmp(ev->part.dev, w->dev) &&
	    ev->part.has_index && ev->part.index == w->index)
		w->outcome = ev->cmd;
	else if (ev->what == GPNL_EV_FAMILY)
		w->outcome = GPUPART_CMD_DEV_DEL_NTF;
}

/*
 * The kernel answers a clear at once and resets the partition in the
 * background; the command ends with the reset, as an administrator
 * expects: 0 when the partition is free again, 1 with the reason if not.
 */
static int dev_clear_wait(struct dev_clear_wait *w)
{
	const int limit_ms = 60000, step_ms = 1000;
	int waited, rc;

	for (waited = 0; !w->outcome && waited < limit_ms; waited += step_ms) {
		rc = gpnl_events(&w->mon, step_ms, dev_clear_event, w);
		if (rc < 0) {
			fprintf(stderr, "Error: lost the reset's outcome (%s); see 'gpupartctl dev show %s'\n",
				strerror(-rc), w->dev);
			return EXIT_FAIL;
		}
	}
	switch (w->outcome) {
	case GPUPART_CMD_PARTITION_SCRUBBED_NTF:
		return EXIT_OK;
	case GPUPART_CMD_PARTITION_QUARANTINED_NTF:
		fprintf(stderr, "Error: the reset of partition %u failed; it stays quarantined\n",
			w->index);
		return EXIT_FAIL;
	case 0:
		fprintf(stderr, "Error: partition %u was not reset within %d s; see 'gpupartctl dev show %s'\n",
			w->index, limit_ms / 1000, w->dev);
		return EXIT_FAIL;
	default:
		fprintf(stderr, "Error: gpupart went away before partition %u was reset\n",
			w->index);
		return EXIT_FAIL;
	}
}

static int dev_clear(struct ctl *ctl, int argc, char **argv)
{
	struct dev_clear_wait clear = { };
	uint32_t idx = 0;
	struct ctl_arg args[] = {
		CTL_U32("partition", &idx),
		{ }
	};
	int rc;

	if (argc < 1)
		return ctl_usage_error(&ctl_dev, "dev clear takes: DEV partition N");
	rc = ctl_args(&ctl_dev, "clear", args, argc - 1, argv + 1);
	if (rc != EXIT_OK)
		return rc;
	if (!args[0].seen)
		return ctl_usage_error(&ctl_dev, "dev clear takes: DEV partition N");
	if (!ctl_connect(ctl))
		return EXIT_FAIL;
	/* Listening before asking: the outcome may come before the answer. */
	rc = gpnl_open(&clear.mon);
	if (!rc)
		rc = gpnl_monitor(&clear.mon);
	if (rc) {
		fprintf(stderr, "Error: cannot listen for the reset's outcome: %s\n", strerror(-rc));
		gpnl_close(&clear.mon);
		return EXIT_FAIL;
	}
	rc = gpnl_partition_clear(&ctl->nl, argv[0], idx);
	if (rc) {
		gpnl_close(&clear.mon);
		return ctl_fail(ctl, rc);
	}
	clear.dev = argv[0];
	clear.index = idx;
	rc = dev_clear_wait(&clear);
	gpnl_close(&clear.mon);
	return rc;
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
