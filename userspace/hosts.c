// SPDX-License-Identifier: GPL-2.0
/*
 * The hosts of a cluster, read from their files, and what is compared and
 * counted across them: the reference model and count, the GPUs that differ
 * from it, and each host's capacity in Pacemaker's terms.
 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "hosts.h"
#include "jsonutil.h"

static bool kind_is(const struct kind *k, const struct cfg_dev *d)
{
	return k->vendor == d->vendor && k->device == d->device &&
	       k->subsys_vendor == d->subsys_vendor &&
	       k->subsys_device == d->subsys_device && k->count == d->count;
}

static void host_add_vm(struct host *h, const char *name, uint32_t kind,
			const char *where, struct cfg_err *e)
{
	struct host_vm *v;
	unsigned int i;

	if (!name)
		return;
	if (!cfg_vm_name_ok(name)) {
		cfg_bad(e, "%s: 1 to %u characters of A-Z a-z 0-9 . _ : @ - are required",
			where, GPNL_VM_MAX);
		return;
	}
	for (i = 0; i < h->n_vms; i++) {
		if (strcmp(h->vms[i].name, name))
			continue;
		if (h->vms[i].kind != kind)
			cfg_bad(e, "%s: VM %s holds both a partition and a whole GPU",
				where, name);
		return;
	}
	v = realloc(h->vms, (h->n_vms + 1) * sizeof(*v));
	if (!v) {
		cfg_bad(e, "out of memory");
		return;
	}
	h->vms = v;
	v = &h->vms[h->n_vms++];
	snprintf(v->name, sizeof(v->name), "%s", name);
	v->kind = kind;
}

/*
 * The VMs a file names: config save lists them in "vms"; dev show -j
 * names them in each partition and in each GPU in mode dda.
 */
static void host_read_vms(json_object *root, struct host *h, struct cfg_err *e)
{
	json_object *vms, *devs, *parts;
	char name[256], kind[16], where[64];
	size_t i, j;

	if (json_object_object_get_ex(root, "vms", &vms) &&
	    json_object_is_type(vms, json_type_array)) {
		for (i = 0; i < json_object_array_length(vms); i++) {
			json_object *o = json_object_array_get_idx(vms, i);

			snprintf(where, sizeof(where), "vms[%zu].vm", i);
			if (!str_member(o, "kind", kind, sizeof(kind)))
				snprintf(kind, sizeof(kind), "partition");
			host_add_vm(h, str_member(o, "vm", name, sizeof(name)),
				    strcmp(kind, "dda") ? GPUPART_KIND_PARTITION :
							  GPUPART_KIND_DDA,
				    where, e);
		}
	}
	json_object_object_get_ex(root, "devices", &devs);
	for (i = 0; i < h->n_devs; i++) {
		json_object *o = json_object_array_get_idx(devs, i);

		snprintf(where, sizeof(where), "devices[%zu].vm", i);
		if (h->devs[i].mode == GPUPART_MODE_DDA)
			host_add_vm(h, str_member(o, "vm", name, sizeof(name)),
				    GPUPART_KIND_DDA, where, e);
		if (!json_object_object_get_ex(o, "partitions", &parts) ||
		    !json_object_is_type(parts, json_type_array))
			continue;
		for (j = 0; j < json_object_array_length(parts); j++) {
			snprintf(where, sizeof(where), "devices[%zu].partitions[%zu].vm", i, j);
			host_add_vm(h, str_member(json_object_array_get_idx(parts, j),
						  "vm", name, sizeof(name)),
				    GPUPART_KIND_PARTITION, where, e);
		}
	}
}

static int host_read(const char *file, struct host *h)
{
	struct cfg_err e = { .file = file };
	json_object *root, *devs;
	char *copy, *dot;
	size_t i, j;

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
	for (i = 0; i < h->n_devs; i++) {
		cfg_read_dev(json_object_array_get_idx(devs, i), i, &h->devs[i], &e);
		/* Counted twice, it would double the host's capacity. */
		for (j = 0; j < i && h->devs[i].pci[0]; j++)
			if (!strcmp(h->devs[j].pci, h->devs[i].pci))
				cfg_bad(&e, "devices[%zu]: %s is listed twice", i, h->devs[i].pci);
	}
	host_read_vms(root, h, &e);
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

int hosts_read(char **files, unsigned int n, struct host *hosts)
{
	unsigned int i;
	int bad = 0;

	unsigned int j;

	for (i = 0; i < n; i++)
		if (host_read(files[i], &hosts[i]))
			bad++;
	/* A host is named after its file: two of one name would be one host twice. */
	for (i = 0; i < n; i++) {
		for (j = 0; j < i; j++) {
			if (!hosts[i].name[0] || strcmp(hosts[i].name, hosts[j].name))
				continue;
			fprintf(stderr, "Error: %s and %s both name host %s: give each host's file its own name\n",
				files[j], files[i], hosts[i].name);
			bad++;
			break;
		}
	}
	return bad;
}

struct host *hosts_load(char **files, unsigned int n)
{
	struct host *hosts = calloc(n, sizeof(*hosts));

	if (!hosts) {
		errno = ENOMEM;
		return NULL;
	}
	if (hosts_read(files, n, hosts)) {
		hosts_free(hosts, n);
		errno = EINVAL;
		return NULL;
	}
	return hosts;
}

void hosts_free(struct host *hosts, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		free(hosts[i].devs);
		free(hosts[i].vms);
	}
	free(hosts);
}

/* The model and count most partitioned GPUs share; ties to the first seen. */
void cluster_reference(const struct host *hosts, unsigned int n, struct kind *ref)
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

unsigned int cluster_compare(const struct host *hosts, unsigned int n,
			     const struct kind *ref, cluster_diff_fn difference)
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
	for (i = 0; i < n; i++) {
		/*
		 * No GPU at all: gpupart holds none there (another driver,
		 * such as nouveau, took them), and the host cannot take a VM.
		 */
		if (!hosts[i].n_devs) {
			difference(&hosts[i], NULL, "no_gpus", "no GPU bound to gpupart",
				   ref->n ? want : "a GPU bound to gpupart");
			diffs++;
		}
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
	return diffs;
}

void capacity_of(const struct cfg_dev *devs, unsigned int n,
		 struct capacity *cap)
{
	unsigned int i;

	memset(cap, 0, sizeof(*cap));
	for (i = 0; i < n; i++) {
		/* A GPU whose recovery failed serves nobody until it is rebound. */
		if (devs[i].error == GPUPART_ERROR_FAILED)
			continue;
		if (devs[i].mode == GPUPART_MODE_DDA)
			cap->dda++;
		else if (devs[i].mode == GPUPART_MODE_PARTITION &&
			 devs[i].count > devs[i].quarantined)
			cap->partitions += devs[i].count - devs[i].quarantined;
	}
}
