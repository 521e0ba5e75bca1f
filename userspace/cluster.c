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
 * in mode none. GPUs in mode dda are passed through whole and take
 * no part.
 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <json-c/json.h>

#include "config.h"
#include "jsonutil.h"
#include "gpupartctl.h"
#include "print.h"

struct host {
	char name[256];
	struct cfg_dev *devs;
	unsigned int n_devs;
};

/* A model and count: what partitioned GPUs must share. */
struct kind {
	uint16_t vendor, device, subsys_vendor, subsys_device;
	const char *model;
	uint32_t count;
	unsigned int n;
};

static bool kind_is(const struct kind *k, const struct cfg_dev *d)
{
	return k->vendor == d->vendor && k->device == d->device &&
	       k->subsys_vendor == d->subsys_vendor &&
	       k->subsys_device == d->subsys_device && k->count == d->count;
}

static int host_read(const char *file, struct host *h)
{
	struct cfg_err e = { .file = file };
	json_object *root, *devs;
	char *copy, *dot;
	size_t i;

	root = json_read_file(file);
	if (!root)
		return -1;
	if (!json_object_is_type(root, json_type_object) ||
	    !json_object_object_get_ex(root, "devices", &devs) ||
	    !json_object_is_type(devs, json_type_array)) {
		cfg_bad(&e, "no \"devices\" array: expected the output of \"gpupartctl -j dev show\" or \"gpupartctl config save\"");
		json_object_put(root);
		return -1;
	}
	h->n_devs = json_object_array_length(devs);
	h->devs = calloc(h->n_devs + 1, sizeof(*h->devs));
	if (!h->devs) {
		json_object_put(root);
		return -1;
	}
	for (i = 0; i < h->n_devs; i++)
		cfg_read_dev(json_object_array_get_idx(devs, i), i, &h->devs[i], &e);
	json_object_put(root);
	copy = strdup(file);
	if (!copy)
		return -1;
	snprintf(h->name, sizeof(h->name), "%s", basename(copy));
	free(copy);
	dot = strrchr(h->name, '.');
	if (dot && dot != h->name && !strcmp(dot, ".json"))
		*dot = '\0';
	return e.n ? -1 : 0;
}

/* The model and count most partitioned GPUs share; ties to the first seen. */
static void reference(const struct host *hosts, unsigned int n, struct kind *ref)
{
	struct kind *kinds = NULL, *k;
	unsigned int n_kinds = 0, i, j, l;

	memset(ref, 0, sizeof(*ref));
	for (i = 0; i < n; i++) {
		for (j = 0; j < hosts[i].n_devs; j++) {
			const struct cfg_dev *d = &hosts[i].devs[j];

			if (d->mode != GPUPART_MODE_PARTITION)
				continue;
			for (l = 0; l < n_kinds && !kind_is(&kinds[l], d); l++)
				;
			if (l == n_kinds) {
				k = realloc(kinds, (n_kinds + 1) * sizeof(*k));
				if (!k)
					continue;
				kinds = k;
				kinds[n_kinds++] = (struct kind){ d->vendor, d->device,
					d->subsys_vendor, d->subsys_device, d->model, d->count, 0 };
			}
			kinds[l].n++;
		}
	}
	for (l = 0; l < n_kinds; l++)
		if (kinds[l].n > ref->n)
			*ref = kinds[l];
	free(kinds);
}

static void ids(char *buf, size_t len, const struct cfg_dev *d)
{
	snprintf(buf, len, "%s %04x:%04x (subsystem %04x:%04x)", d->model,
		 d->vendor, d->device, d->subsys_vendor, d->subsys_device);
}

/* One difference: a row of the table, an object in JSON. */
static void difference(const struct host *h, const struct cfg_dev *d,
		       const char *what, const char *got, const char *want)
{
	print_obj_begin(NULL);
	print_str("host", "HOST", h->name);
	print_str("pci", "PCI", d->pci);
	print_str("difference", "DIFFERENCE", what);
	print_str("value", "VALUE", got);
	print_str("reference", "REFERENCE", want);
	print_obj_end();
}

static unsigned int compare(const struct host *hosts, unsigned int n,
			    const struct kind *ref)
{
	char got[128], want[128];
	struct cfg_dev r = { 0 };
	unsigned int i, j, diffs = 0;

	r.vendor = ref->vendor;
	r.device = ref->device;
	r.subsys_vendor = ref->subsys_vendor;
	r.subsys_device = ref->subsys_device;
	snprintf(r.model, sizeof(r.model), "%s", ref->model ? ref->model : "");
	ids(want, sizeof(want), &r);
	print_arr_begin("differences");
	for (i = 0; i < n; i++) {
		for (j = 0; j < hosts[i].n_devs; j++) {
			const struct cfg_dev *d = &hosts[i].devs[j];

			if (d->mode == GPUPART_MODE_NONE) {
				difference(&hosts[i], d, "unpartitioned", "mode none",
					   "mode partition");
				diffs++;
				continue;
			}
			if (d->mode != GPUPART_MODE_PARTITION || !ref->n)
				continue;
			if (d->vendor != r.vendor) {
				char a[8], b[8];

				snprintf(a, sizeof(a), "%04x", d->vendor);
				snprintf(b, sizeof(b), "%04x", r.vendor);
				difference(&hosts[i], d, "vendor", a, b);
				diffs++;
			} else if (d->device != r.device ||
				   d->subsys_vendor != r.subsys_vendor ||
				   d->subsys_device != r.subsys_device) {
				ids(got, sizeof(got), d);
				difference(&hosts[i], d, "model", got, want);
				diffs++;
			}
			if (d->count != ref->count) {
				char a[16], b[16];

				snprintf(a, sizeof(a), "%u", d->count);
				snprintf(b, sizeof(b), "%u", ref->count);
				difference(&hosts[i], d, "partition_count", a, b);
				diffs++;
			}
		}
	}
	print_arr_end();
	return diffs;
}

static int cluster_check(struct ctl *ctl, int argc, char **argv)
{
	struct host *hosts;
	struct kind ref;
	unsigned int diffs, gpus = 0;
	int i, bad = 0;

	(void)ctl;
	if (argc < 1)
		return ctl_usage_error(&ctl_cluster, "cluster check needs at least one FILE");
	hosts = calloc(argc, sizeof(*hosts));
	if (!hosts)
		return EXIT_FAIL;
	for (i = 0; i < argc; i++) {
		if (host_read(argv[i], &hosts[i]))
			bad++;
		gpus += hosts[i].n_devs;
	}
	if (bad) {
		for (i = 0; i < argc; i++)
			free(hosts[i].devs);
		free(hosts);
		return EXIT_USAGE;
	}
	reference(hosts, argc, &ref);
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
	diffs = compare(hosts, argc, &ref);
	print_obj_begin("cluster");
	print_uint("hosts", "HOSTS", argc);
	print_uint("gpus", "GPUS", gpus);
	print_uint("differences", "DIFFERENCES", diffs);
	print_bool("homogeneous", "HOMOGENEOUS", !diffs);
	print_obj_end();
	print_obj_end();
	print_end();
	for (i = 0; i < argc; i++)
		free(hosts[i].devs);
	free(hosts);
	return diffs ? EXIT_FAIL : EXIT_OK;
}

static const struct ctl_cmd cluster_cmds[] = {
	{ "check", "FILE...",
	  "compare hosts' \"-j dev show\" or \"config save\" files: exit 0 when every partitioned GPU has the same model and count and none is left unpartitioned, 1 otherwise, 2 for a bad file",
	  cluster_check },
	{ }
};

const struct ctl_object ctl_cluster = {
	.name = "cluster",
	.help = "GPU homogeneity across the hosts of a cluster",
	.cmds = cluster_cmds,
};
