// SPDX-License-Identifier: GPL-2.0
/*
 * gpupartctl metrics: the host's partitioning in the Prometheus text
 * exposition format, for node_exporter's textfile collector. Metric and
 * label names are part of the interface: add, never rename.
 */
#include <stdio.h>
#include <stdlib.h>

#include "gpupartctl.h"

struct metrics {
	struct dev_list gpus;
	unsigned int vms[GPUPART_KIND_MAX + 1];
};

static int metrics_vm(const struct gpnl_vm *vm, void *arg)
{
	struct metrics *m = arg;

	if (vm->kind <= GPUPART_KIND_MAX)
		m->vms[vm->kind]++;
	return 0;
}

static void family(const char *name, const char *help)
{
	printf("# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

/* A label value, escaped as the exposition format asks. */
static void label(const char *key, const char *val, bool last)
{
	printf("%s=\"", key);
	for (; *val; val++) {
		if (*val == '\\' || *val == '"')
			printf("\\%c", *val);
		else if (*val == '\n')
			printf("\\n");
		else
			putchar(*val);
	}
	printf("\"%s", last ? "" : ",");
}

static unsigned int dev_vms(const struct gpnl_dev *d)
{
	unsigned int i, n = d->vm[0] ? 1 : 0;

	for (i = 0; i < d->n_parts; i++)
		n += d->parts[i].vm[0] != '\0';
	return n;
}

static void metrics_print(const struct metrics *m, const struct gpnl_host *h)
{
	static const uint32_t modes[] = { GPUPART_MODE_NONE, GPUPART_MODE_PARTITION,
					  GPUPART_MODE_DDA };
	unsigned int i, j, s;
	char id[8];

	family("gpupart_gpu_info", "A GPU bound to gpupart, with its identity; always 1.");
	for (i = 0; i < m->gpus.n; i++) {
		const struct gpnl_dev *d = &m->gpus.devs[i];

		printf("gpupart_gpu_info{");
		label("pci", d->pci, false);
		snprintf(id, sizeof(id), "%04x", d->vendor);
		label("vendor", id, false);
		snprintf(id, sizeof(id), "%04x", d->device);
		label("device", id, false);
		snprintf(id, sizeof(id), "%04x", d->subsys_vendor);
		label("subsystem_vendor", id, false);
		snprintf(id, sizeof(id), "%04x", d->subsys_device);
		label("subsystem_device", id, false);
		label("model", d->model, true);
		printf("} 1\n");
	}
	family("gpupart_gpu_mode", "1 for the mode the GPU is in (none, partition, dda), 0 for the others.");
	for (i = 0; i < m->gpus.n; i++) {
		for (j = 0; j < sizeof(modes) / sizeof(modes[0]); j++) {
			printf("gpupart_gpu_mode{");
			label("pci", m->gpus.devs[i].pci, false);
			label("mode", gpnl_mode_name(modes[j]), true);
			printf("} %d\n", m->gpus.devs[i].mode == modes[j]);
		}
	}
	family("gpupart_gpu_partitions", "Partitions the GPU is split into; 0 unless in mode partition.");
	for (i = 0; i < m->gpus.n; i++) {
		printf("gpupart_gpu_partitions{");
		label("pci", m->gpus.devs[i].pci, true);
		printf("} %u\n", m->gpus.devs[i].count);
	}
	family("gpupart_gpu_partitions_by_state", "The GPU's partitions in each state.");
	for (i = 0; i < m->gpus.n; i++) {
		for (s = 1; s <= GPUPART_PARTITION_STATE_MAX; s++) {
			unsigned int n = 0;

			for (j = 0; j < m->gpus.devs[i].n_parts; j++)
				n += m->gpus.devs[i].parts[j].state == s;
			printf("gpupart_gpu_partitions_by_state{");
			label("pci", m->gpus.devs[i].pci, false);
			label("state", gpnl_state_name(s), true);
			printf("} %u\n", n);
		}
	}
	family("gpupart_gpu_vms", "VMs holding a partition of the GPU, or the whole GPU.");
	for (i = 0; i < m->gpus.n; i++) {
		printf("gpupart_gpu_vms{");
		label("pci", m->gpus.devs[i].pci, true);
		printf("} %u\n", dev_vms(&m->gpus.devs[i]));
	}
	family("gpupart_gpu_error", "1 while the GPU is recovering from a PCIe error or failed to.");
	for (i = 0; i < m->gpus.n; i++) {
		printf("gpupart_gpu_error{");
		label("pci", m->gpus.devs[i].pci, true);
		printf("} %d\n", m->gpus.devs[i].error != 0);
	}
	family("gpupart_vms", "VMs holding GPU resources, by what they hold.");
	for (i = GPUPART_KIND_PARTITION; i <= GPUPART_KIND_MAX; i++)
		printf("gpupart_vms{kind=\"%s\"} %u\n", gpnl_kind_name(i), m->vms[i]);
	family("gpupart_host_partitioned_gpus", "GPUs in mode partition.");
	printf("gpupart_host_partitioned_gpus %u\n", h->partitioned);
	family("gpupart_host_homogeneous",
	       "1 when every partitioned GPU has the same model and partition count.");
	printf("gpupart_host_homogeneous %d\n", h->homogeneous);
}

static int metrics_run(struct ctl *ctl, int argc, char **argv)
{
	struct metrics m = { 0 };
	struct gpnl_host h;
	int rc;

	if (argc)
		return ctl_usage_error(&ctl_metrics, "unexpected argument \"%s\"", argv[0]);
	if (!ctl_connect(ctl))
		return EXIT_FAIL;
	/* Collect first: a scrape gets all of it or an error, never half. */
	rc = gpnl_dev_get(&ctl->nl, NULL, dev_collect, &m.gpus);
	if (!rc)
		rc = gpnl_vm_get(&ctl->nl, NULL, metrics_vm, &m);
	if (!rc)
		rc = gpnl_host_get(&ctl->nl, &h);
	if (!rc)
		metrics_print(&m, &h);
	free(m.gpus.devs);
	if (rc)
		return ctl_fail(ctl, rc);
	return fflush(stdout) ? EXIT_FAIL : EXIT_OK;
}

static const struct ctl_cmd metrics_cmds[] = {
	{ "", "",
	  "print the host's GPUs, partitions and VMs as Prometheus metrics (text format, for node_exporter's textfile collector)",
	  metrics_run },
	{ }
};

const struct ctl_object ctl_metrics = {
	.name = "metrics",
	.help = "Prometheus metrics",
	.cmds = metrics_cmds,
};
