// SPDX-License-Identifier: GPL-2.0
/*
 * gpupartctl host: the host's partitioning as a whole.
 */
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "gpupartctl.h"
#include "print.h"

void host_fields(const struct gpnl_host *h)
{
	print_obj_begin("host");
	print_str("placement", "PLACEMENT", gpnl_placement_name(h->placement));
	print_bool("homogeneous", "HOMOGENEOUS", h->homogeneous);
	print_uint("partitioned_gpus", "PARTITIONED", h->partitioned);
	if (h->has_model) {
		print_str("model", "MODEL", h->model);
		print_hex16("vendor", "VENDOR", h->vendor);
		print_hex16("device", "DEVICE", h->device);
		print_hex16("subsystem_vendor", "SUBVENDOR", h->subsys_vendor);
		print_hex16("subsystem_device", "SUBDEVICE", h->subsys_device);
		print_uint("partition_count", "PARTS", h->count);
	} else {
		print_str("model", "MODEL", NULL);
		print_str("vendor", "VENDOR", NULL);
		print_str("device", "DEVICE", NULL);
		print_str("subsystem_vendor", "SUBVENDOR", NULL);
		print_str("subsystem_device", "SUBDEVICE", NULL);
		print_str("partition_count", "PARTS", NULL);
	}
	print_obj_end();
}

static int host_show(struct ctl *ctl, int argc, char **argv)
{
	struct gpnl_host host;
	int rc;

	if (argc)
		return ctl_usage_error(&ctl_host, "unexpected argument \"%s\"", argv[0]);
	if (!ctl_connect(ctl))
		return EXIT_FAIL;
	rc = gpnl_host_get(&ctl->nl, &host);
	if (rc)
		return ctl_fail(ctl, rc);
	print_obj_begin(NULL);
	host_fields(&host);
	print_obj_end();
	print_end();
	return EXIT_OK;
}

static int host_set(struct ctl *ctl, int argc, char **argv)
{
	uint32_t placement = 0;
	struct ctl_arg args[] = {
		CTL_ENUM("placement", &gpnl_placements, &placement),
		{ }
	};
	int rc;

	rc = ctl_args(&ctl_host, "set", args, argc, argv);
	if (rc != EXIT_OK)
		return rc;
	if (!placement)
		return ctl_usage_error(&ctl_host, "host set takes: placement spread|pack");
	if (!ctl_connect(ctl))
		return EXIT_FAIL;
	rc = gpnl_host_set(&ctl->nl, placement);
	return rc ? ctl_fail(ctl, rc) : EXIT_OK;
}

static const struct ctl_cmd host_cmds[] = {
	{ "show", "", "placement policy, whether the partitioned GPUs are homogeneous, the model and count in force", host_show },
	{ "set", "placement { spread | pack }",
	  "spread: the GPU with the most free partitions; pack: the fewest that still has one", host_set },
	{ }
};

const struct ctl_object ctl_host = {
	.name = "host",
	.help = "the host's partitioning as a whole",
	.cmds = host_cmds,
};
