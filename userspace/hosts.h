/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hosts of a cluster, as "cluster check" and "cluster cib" read them:
 * one file a host, "gpupartctl -j dev show" or "gpupartctl config save",
 * the host named after the file.
 */
#ifndef HOSTS_H
#define HOSTS_H

#include "config.h"

/* A VM a host's file names, and what it holds there. */
struct host_vm {
	char name[GPNL_VM_MAX + 1];
	uint32_t kind;
};

struct host {
	char name[256];
	struct cfg_dev *devs;
	unsigned int n_devs;
	struct host_vm *vms;
	unsigned int n_vms;
};

/* The model and count most partitioned GPUs share: the reference. */
struct kind {
	uint16_t vendor, device, subsys_vendor, subsys_device;
	const char *model;
	uint32_t count;
	unsigned int n;
};

/*
 * A GPU that differs from the reference: what, its value and the
 * reference's; @d is NULL for a difference of the whole host (no_gpus).
 */
typedef void (*cluster_diff_fn)(const struct host *h, const struct cfg_dev *d,
				const char *what, const char *got,
				const char *want);

/*
 * Reads every file into @hosts (@n of them, zeroed); each problem is told
 * on stderr, naming its file: a file that is not gpupartctl's JSON, a GPU
 * listed twice in one, two files that name one host. Return: the number
 * of problems; free with hosts_free() either way.
 */
int hosts_read(char **files, unsigned int n, struct host *hosts);
/* The same into a new array; NULL with errno ENOMEM, or EINVAL when a file
 * was refused (each problem told). */
struct host *hosts_load(char **files, unsigned int n);
void hosts_free(struct host *hosts, unsigned int n);
/* The reference of @hosts (ref->n is 0 when no GPU is partitioned). */
void cluster_reference(const struct host *hosts, unsigned int n,
		       struct kind *ref);
/* Hands each difference from @ref to @each; returns how many there are. */
unsigned int cluster_compare(const struct host *hosts, unsigned int n,
			     const struct kind *ref, cluster_diff_fn each);

/* A host's capacity in Pacemaker's terms: usable partitions, DDA GPUs. */
struct capacity {
	unsigned int partitions;
	unsigned int dda;
};

void capacity_of(const struct cfg_dev *devs, unsigned int n,
		 struct capacity *cap);

/* The names of the node utilization attributes, and of what a VM uses. */
#define UTIL_PARTITIONS	"gpupart_partitions"
#define UTIL_DDA	"gpupart_dda"

#endif
