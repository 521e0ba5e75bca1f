// SPDX-License-Identifier: GPL-2.0
/*
 * gpupartctl cluster check: are the GPUs of several hosts alike? A cluster
 * needs the same GPU model and partition count on every server, so that a
 * VM can fail over anywhere. Each FILE is one host's "gpupartctl -j dev
 * show" or "gpupartctl config save"; the host is named after the file.
 *
 * The reference is the model and count most partitioned GPUs have; every
 * partitioned GPU that differs from it (in vendor; else in model: device
 * and subsystem IDs; and in count) is reported, and so is every GPU left
 * in mode none, and every host with no GPU at all. GPUs in mode dda are
 * passed through whole and take no part.
 *
 * Placement and failover across the hosts are Pacemaker's: "cluster
 * utilization" and "cluster cib" (pacemaker.c) describe the hosts to it.
 */
#include <errno.h>
#include <stdlib.h>

#include "gpupartctl.h"
#include "hosts.h"
#include "pacemaker.h"
#include "print.h"

/* One difference: a row of the table, an object in JSON. */
static void difference(const struct host *h, const struct cfg_dev *d,
		       const char *what, const char *got, const char *want)
{
	print_obj_begin(NULL);
	print_str("host", "HOST", h->name);
	print_str("pci", "PCI", d ? d->pci : NULL);
	print_str("difference", "DIFFERENCE", what);
	print_str("value", "VALUE", got);
	print_str("reference", "REFERENCE", want);
	print_obj_end();
}

static int cluster_check(struct ctl *ctl, int argc, char **argv)
{
	struct host *hosts;
	struct kind ref;
	unsigned int diffs, gpus = 0;
	int i;

	(void)ctl;
	if (argc < 1)
		return ctl_usage_error(&ctl_cluster, "cluster check needs at least one FILE");
	hosts = hosts_load(argv, argc);
	if (!hosts)
		return errno == ENOMEM ? EXIT_FAIL : EXIT_USAGE;
	for (i = 0; i < argc; i++)
		gpus += hosts[i].n_devs;
	cluster_reference(hosts, argc, &ref);
	print_obj_begin(NULL);
	if (ref.n) {
		print_obj_begin("reference");
		print_str("model", "MODEL", ref.model);
		print_hex16("vendor", "VENDOR", ref.vendor);
		print_hex16("device", "DEVICE", ref.device);
		print_hex16("subsystem_vendor", "SUBVENDOR", ref.subsys_vendor);
		print_hex16("subsystem_device", "SUBDEVICE", ref.subsys_device);
		print_uint("partition_count", "PARTS", ref.count);
		print_uint("gpus", "GPUS", ref.n);
		print_obj_end();
	}
	print_arr_begin("differences");
	diffs = cluster_compare(hosts, argc, &ref, difference);
	print_arr_end();
	print_obj_begin("cluster");
	print_uint("hosts", "HOSTS", argc);
	print_uint("gpus", "GPUS", gpus);
	print_uint("differences", "DIFFERENCES", diffs);
	print_bool("homogeneous", "HOMOGENEOUS", !diffs);
	print_obj_end();
	print_obj_end();
	print_end();
	hosts_free(hosts, argc);
	return diffs ? EXIT_FAIL : EXIT_OK;
}

static const struct ctl_cmd cluster_cmds[] = {
	{ "check", "FILE...",
	  "compare hosts' \"-j dev show\" or \"config save\" files: exit 0 when every partitioned GPU has the same model and count and none is left unpartitioned, 1 otherwise, 2 for a bad file",
	  cluster_check },
	{ "utilization", "[--update] [--node NODE] [--follow] [FILE]",
	  "this host's GPU capacity as Pacemaker node utilization (gpupart_partitions, gpupart_dda), read from gpupart or from a \"-j dev show\" FILE; --update sets it on the local node (or NODE) with crm_attribute; --follow keeps it current as GPUs change",
	  cluster_utilization },
	{ "cib", "[domains DIR] FILE...",
	  "print the Pacemaker configuration (CIB XML) for the hosts' files: node utilization, placement-strategy balanced, and per VM a gpupart resource ordered and colocated with a VirtualDomain resource of the VM's name (domain XML DIR/NAME.xml, default /etc/libvirt/qemu); refuses, exit 1, a cluster that is not homogeneous",
	  cluster_cib },
	{ }
};

const struct ctl_object ctl_cluster = {
	.name = "cluster",
	.help = "GPU homogeneity and Pacemaker placement across the hosts of a cluster",
	.cmds = cluster_cmds,
};
