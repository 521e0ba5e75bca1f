// SPDX-License-Identifier: GPL-2.0
/*
 * gpupart_stress: concurrent netlink clients of the gpupart family, and the
 * invariants that must hold afterwards. stress.sh runs it beside sysfs
 * writers, PF removal, hot-unplug, AER injection and module reloads.
 *
 *   gpupart_stress run SECONDS SEED DDA_GPU GPU... [vmm VMM_GPU...]
 *	One thread per kind of client, each with its own socket: partition
 *	assign/release (two), DEV_SET on GPU... (partition 8, none, and now
 *	and then a count the host refuses; not on a GPU written "=GPU",
 *	whose mode stays as the caller set it), DDA assign/release on DDA_GPU,
 *	PARTITION_CLEAR, HOST_SET, and dumps and single GETs. While gpupart
 *	is unloaded, a client reconnects. Prints the operations done per kind
 *	and the errors by errno. Fails when an operation is not answered
 *	within ANSWER_S seconds: the request, and the netlink family with it,
 *	would be stuck.
 *	With VMM_GPU..., two VMMs too: each takes the partition a stress VM
 *	holds on one of those GPUs as QEMU does (VFIO container, type1
 *	IOMMU, group, memory mapped for DMA, device fd) and holds it a while.
 *	While it does, the partition must stay the VM's (assigned to it,
 *	or releasing or scrubbing once the VM lets go): never free, never
 *	another VM's; and no VF is open in two VMMs. A violation fails the
 *	run. (Only GPUs that are never removed: Linux 6.1's vfio frees a
 *	VMM's container when a device it holds is deleted.)
 *
 *   gpupart_stress check
 *	The invariants, through the public API: no VM listed twice, no VF in
 *	two VMs, the VMs' assignments are exactly the partitions and GPUs the
 *	devices show assigned, and each partitioned GPU's sriov_numvfs is its
 *	partition count.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/vfio.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "gpnl.h"

/* A request unanswered this long is stuck (a debug kernel under TCG is slow). */
#define ANSWER_S	90
#define MAX_GPUS	16
#define MAX_ERRNO	134
#define VM_NAMES	12

enum op { OP_ASSIGN, OP_RELEASE, OP_DEV_SET, OP_DDA_ASSIGN, OP_DDA_RELEASE,
	  OP_CLEAR, OP_HOST_SET, OP_DEV_DUMP, OP_VM_DUMP, OP_DEV_GET,
	  OP_HOST_GET, OP_VMM_HOLD, OP_RECONNECT, OP_MAX };

static const char *const op_names[OP_MAX] = {
	"vm-assign", "vm-release", "dev-set", "dda-assign", "dda-release",
	"partition-clear", "host-set", "dev-dump", "vm-dump", "dev-get",
	"host-get", "vmm-hold", "reconnect",
};

struct client {
	pthread_t thread;
	void (*step)(struct client *c);
	unsigned int seed;
	struct gpnl nl;
	bool open;
	atomic_long since;		/* when the request under way began, or 0 */
	atomic_int op;
	int vmm;			/* a VMM: which one */
	unsigned long count[OP_MAX][MAX_ERRNO];
};

static const char *gpus[MAX_GPUS];
static int n_gpus;
/* The GPUs DEV_SET may change ("=GPU" on the command line: not this one). */
static const char *set_gpus[MAX_GPUS];
static int n_set_gpus;
static const char *vmm_gpus[MAX_GPUS];
static int n_vmm_gpus;
/* What the VMMs hold, by VF, and the violations they saw. */
static pthread_mutex_t vmm_lock = PTHREAD_MUTEX_INITIALIZER;
static char vmm_held[2][GPUPART_PCI_ADDR_MAX_LEN + 1];
static atomic_int vmm_violations, vmm_failed;
static const char *dda_gpu;
static atomic_bool stop;

static long now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* Connect when needed; false (and a short sleep) while gpupart is unloaded. */
static bool connected(struct client *c)
{
	int rc;

	if (c->open)
		return true;
	rc = gpnl_open(&c->nl);
	c->count[OP_RECONNECT][-rc < MAX_ERRNO ? -rc : 0]++;
	if (rc) {
		usleep(20000);
		return false;
	}
	c->open = true;
	return true;
}

static void begin(struct client *c, enum op op)
{
	atomic_store(&c->op, op);
	atomic_store(&c->since, now_s());
}

/*
 * The end of a request. ENOENT without the kernel's reason is the family
 * gone (gpupart unloaded): reconnect before the next request.
 */
static void end(struct client *c, enum op op, int rc)
{
	atomic_store(&c->since, 0);
	rc = -rc;
	c->count[op][rc >= 0 && rc < MAX_ERRNO ? rc : MAX_ERRNO - 1]++;
	if ((rc == ENOENT && !c->nl.err[0]) || rc == EIO || rc == ECONNREFUSED) {
		gpnl_close(&c->nl);
		c->open = false;
	}
}

static void vm_name(struct client *c, char *buf, size_t len, const char *prefix)
{
	snprintf(buf, len, "%s-%u", prefix, rand_r(&c->seed) % VM_NAMES);
}

static void step_vm(struct client *c)
{
	char name[32];

	vm_name(c, name, sizeof(name), "stress");
	begin(c, OP_ASSIGN);
	end(c, OP_ASSIGN, gpnl_vm_assign(&c->nl, name, 0, NULL, NULL, NULL));
	if (!c->open)
		return;
	vm_name(c, name, sizeof(name), "stress");
	begin(c, OP_RELEASE);
	end(c, OP_RELEASE, gpnl_vm_release(&c->nl, name));
}

static void step_dev_set(struct client *c)
{
	const char *gpu;
	unsigned int r = rand_r(&c->seed) % 10;

	if (!n_set_gpus) {
		usleep(10000);
		return;
	}
	gpu = set_gpus[rand_r(&c->seed) % n_set_gpus];
	begin(c, OP_DEV_SET);
	/* Mostly partitioned, so that assignments mostly succeed. */
	if (r < 7)
		end(c, OP_DEV_SET, gpnl_dev_set(&c->nl, gpu, GPUPART_MODE_PARTITION,
						8, true));
	else if (r < 9)
		end(c, OP_DEV_SET, gpnl_dev_set(&c->nl, gpu, GPUPART_MODE_NONE, 0,
						false));
	else	/* not the host's count: refused unless the GPU is alone */
		end(c, OP_DEV_SET, gpnl_dev_set(&c->nl, gpu, GPUPART_MODE_PARTITION,
						4, true));
}

static void step_dda(struct client *c)
{
	char name[32];

	begin(c, OP_DEV_SET);
	end(c, OP_DEV_SET, gpnl_dev_set(&c->nl, dda_gpu, GPUPART_MODE_DDA, 0, false));
	if (!c->open)
		return;
	vm_name(c, name, sizeof(name), "whole");
	begin(c, OP_DDA_ASSIGN);
	end(c, OP_DDA_ASSIGN, gpnl_vm_assign(&c->nl, name, GPUPART_KIND_DDA,
					     rand_r(&c->seed) % 2 ? dda_gpu : NULL, NULL,
					     NULL));
	if (!c->open)
		return;
	vm_name(c, name, sizeof(name), "whole");
	begin(c, OP_DDA_RELEASE);
	end(c, OP_DDA_RELEASE, gpnl_vm_release(&c->nl, name));
}

static void step_misc(struct client *c)
{
	const char *gpu = gpus[rand_r(&c->seed) % n_gpus];

	if (rand_r(&c->seed) % 2) {
		begin(c, OP_CLEAR);
		end(c, OP_CLEAR, gpnl_partition_clear(&c->nl, gpu,
						      rand_r(&c->seed) % 10));
	} else {
		begin(c, OP_HOST_SET);
		end(c, OP_HOST_SET, gpnl_host_set(&c->nl, 1 + rand_r(&c->seed) % 2));
	}
}

static int count_dev(const struct gpnl_dev *dev, void *arg)
{
	(void)dev;
	(void)arg;
	return 0;
}

static int count_vm(const struct gpnl_vm *vm, void *arg)
{
	(void)vm;
	(void)arg;
	return 0;
}

static void step_dump(struct client *c)
{
	struct gpnl_host host;

	switch (rand_r(&c->seed) % 4) {
	case 0:
		begin(c, OP_DEV_DUMP);
		end(c, OP_DEV_DUMP, gpnl_dev_get(&c->nl, NULL, count_dev, NULL));
		break;
	case 1:
		begin(c, OP_VM_DUMP);
		end(c, OP_VM_DUMP, gpnl_vm_get(&c->nl, NULL, count_vm, NULL));
		break;
	case 2:
		begin(c, OP_DEV_GET);
		end(c, OP_DEV_GET, gpnl_dev_get(&c->nl, gpus[rand_r(&c->seed) % n_gpus],
						count_dev, NULL));
		break;
	default:
		begin(c, OP_HOST_GET);
		end(c, OP_HOST_GET, gpnl_host_get(&c->nl, &host));
	}
}

/* A VMM's hold on a device, as QEMU takes it. */
struct vmm {
	int container, group, device;
	void *dma;
};

#define VMM_DMA_BYTES	(1 << 20)

static void vmm_close(struct vmm *v)
{
	if (v->device >= 0)
		close(v->device);
	if (v->group >= 0)
		close(v->group);
	if (v->container >= 0)
		close(v->container);
	if (v->dma)
		munmap(v->dma, VMM_DMA_BYTES);
}

/*
 * 0, or -errno of the first step that failed (named in *@step): the VF is
 * not to be had.
 */
static int vmm_open(struct vmm *v, const char *vf, const char **step)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	struct vfio_iommu_type1_dma_map map = { .argsz = sizeof(map) };
	char path[PATH_MAX], link[PATH_MAX];
	ssize_t n;
	int rc = 0;

	*v = (struct vmm){ -1, -1, -1, NULL };
	*step = "iommu_group";
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group", vf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = 0;
	snprintf(path, sizeof(path), "/dev/vfio/%s", strrchr(link, '/') + 1);
	*step = "container";
	v->container = open("/dev/vfio/vfio", O_RDWR);
	if (v->container < 0)
		rc = -errno;
	if (!rc) {
		*step = "group";
		v->group = open(path, O_RDWR);
		if (v->group < 0)
			rc = -errno;
	}
	if (!rc && (ioctl(v->group, VFIO_GROUP_GET_STATUS, &status) ||
		    !(status.flags & VFIO_GROUP_FLAGS_VIABLE))) {
		*step = "viable";
		rc = errno ? -errno : -EINVAL;
	}
	if (!rc && ioctl(v->group, VFIO_GROUP_SET_CONTAINER, &v->container)) {
		*step = "set container";
		rc = -errno;
	}
	if (!rc && ioctl(v->container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU)) {
		*step = "set iommu";
		rc = -errno;
	}
	if (!rc) {
		*step = "dma";
		v->dma = mmap(NULL, VMM_DMA_BYTES, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (v->dma == MAP_FAILED) {
			v->dma = NULL;
			rc = -ENOMEM;
		}
	}
	if (!rc) {
		map.vaddr = (uintptr_t)v->dma;
		map.size = VMM_DMA_BYTES;
		map.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
		if (ioctl(v->container, VFIO_IOMMU_MAP_DMA, &map))
			rc = -errno;
	}
	if (!rc) {
		*step = "device";
		v->device = ioctl(v->group, VFIO_GROUP_GET_DEVICE_FD, vf);
		if (v->device < 0)
			rc = -errno;
	}
	if (rc)
		vmm_close(v);
	return rc;
}

struct vmm_look {
	const char *vm, *vf;
	unsigned int n, pick;		/* free partitions seen; the one wanted */
	char got[GPUPART_PCI_ADDR_MAX_LEN + 1];
	bool bad;
};

/* The @pick-th free partition of a GPU, or the last one before it. */
static int vmm_free(const struct gpnl_dev *dev, void *arg)
{
	struct vmm_look *l = arg;
	unsigned int i;

	for (i = 0; i < dev->n_parts; i++) {
		if (dev->parts[i].state != GPUPART_PARTITION_STATE_FREE)
			continue;
		if (l->n++ <= l->pick)
			snprintf(l->got, sizeof(l->got), "%s", dev->parts[i].vf);
	}
	return 0;
}

/* The partition of l->vf, seen while a VMM of l->vm holds it. */
static int vmm_see(const struct gpnl_dev *dev, void *arg)
{
	struct vmm_look *l = arg;
	unsigned int i;

	for (i = 0; i < dev->n_parts; i++) {
		const struct gpnl_part *p = &dev->parts[i];

		if (strcmp(p->vf, l->vf))
			continue;
		if (p->state == GPUPART_PARTITION_STATE_FREE ||
		    (p->state == GPUPART_PARTITION_STATE_ASSIGNED && strcmp(p->vm, l->vm))) {
			printf("# VMM of %s holds %s, which is %s%s%s\n", l->vm, l->vf,
			       gpnl_state_name(p->state), p->vm[0] ? " to " : "", p->vm);
			l->bad = true;
		}
	}
	return 0;
}

/* Note @vf as held by VMM @slot; false if the other VMM holds it too. */
static bool vmm_note(int slot, const char *vf)
{
	bool alone;

	pthread_mutex_lock(&vmm_lock);
	alone = !vf || strcmp(vmm_held[!slot], vf);
	snprintf(vmm_held[slot], sizeof(vmm_held[slot]), "%s", vf ? vf : "");
	pthread_mutex_unlock(&vmm_lock);
	return alone;
}

/*
 * A VMM's life, as under libvirt: its VM is given a free partition of a
 * VMM GPU (by VF, as the hook asks), QEMU opens it, and the VM is released
 * while QEMU still holds it (a stop, a revocation). Whatever happens
 * around it meanwhile, the partition stays the VM's, then releasing,
 * until QEMU lets go.
 */
static void step_vmm(struct client *c)
{
	int slot = c->vmm, i, rounds, rc;
	struct vmm_look l = { .pick = rand_r(&c->seed) % 8 };
	const char *dev = vmm_gpus[rand_r(&c->seed) % n_vmm_gpus];
	const char *step;
	char name[16];
	struct vmm v;

	snprintf(name, sizeof(name), "vmm-%d", slot);
	begin(c, OP_VMM_HOLD);
	rc = gpnl_dev_get(&c->nl, dev, vmm_free, &l);
	/* Nothing to hold (ENODATA): no partition of the GPU is free now. */
	if (!rc && !l.got[0])
		rc = -ENODATA;
	if (!rc)
		rc = gpnl_vm_assign_vf(&c->nl, name, l.got, NULL);
	if (rc) {
		end(c, OP_VMM_HOLD, rc);
		usleep(10000);
		return;
	}
	l.vm = name;
	l.vf = l.got;
	if (!vmm_note(slot, l.vf)) {
		printf("# %s was given to both VMMs' VMs\n", l.vf);
		atomic_fetch_add(&vmm_violations, 1);
	}
	rc = vmm_open(&v, l.vf, &step);
	if (rc) {
		/* The first few say why: a partition assigned cannot be had. */
		if (atomic_fetch_add(&vmm_failed, 1) < 3)
			printf("# VMM of %s: %s: %s: %s\n", name, l.vf, step, strerror(-rc));
		vmm_note(slot, NULL);
		gpnl_vm_release(&c->nl, name);
		end(c, OP_VMM_HOLD, rc);
		return;
	}
	rounds = 4 + rand_r(&c->seed) % 6;
	for (i = 0; i < rounds && !atomic_load(&stop); i++) {
		usleep(20000 + rand_r(&c->seed) % 60000);
		/* Released (or revoked meanwhile: ENOENT) with QEMU holding. */
		if (i == rounds / 2)
			gpnl_vm_release(&c->nl, name);
		if (gpnl_dev_get(&c->nl, dev, vmm_see, &l) == -ENODEV)
			break;
	}
	if (l.bad)
		atomic_fetch_add(&vmm_violations, 1);
	vmm_close(&v);
	vmm_note(slot, NULL);
	/* Released already, unless gpupart went meanwhile. */
	gpnl_vm_release(&c->nl, name);
	end(c, OP_VMM_HOLD, 0);
}

static void *client_main(void *arg)
{
	struct client *c = arg;

	while (!atomic_load(&stop))
		if (connected(c))
			c->step(c);
	gpnl_close(&c->nl);
	return NULL;
}

/* The two VMMs are the last clients, run only when there are VMM GPUs. */
static void (*const steps[])(struct client *c) = {
	step_vm, step_vm, step_dev_set, step_dda, step_misc, step_dump,
	step_vmm, step_vmm,
};
#define N_CLIENTS (sizeof(steps) / sizeof(steps[0]))
#define N_VMMS	2

static struct client clients[N_CLIENTS];

/* A client whose request has waited ANSWER_S seconds, or NULL. */
static struct client *stuck(void)
{
	long t = now_s(), since;
	size_t i;

	for (i = 0; i < N_CLIENTS; i++) {
		since = atomic_load(&clients[i].since);
		if (since && t - since >= ANSWER_S)
			return &clients[i];
	}
	return NULL;
}

static void report(void)
{
	unsigned long total = 0, sum[OP_MAX][MAX_ERRNO] = { { 0 } }, n;
	size_t i, op, e;

	for (i = 0; i < N_CLIENTS; i++)
		for (op = 0; op < OP_MAX; op++)
			for (e = 0; e < MAX_ERRNO; e++)
				sum[op][e] += clients[i].count[op][e];
	for (op = 0; op < OP_MAX; op++) {
		for (n = 0, e = 0; e < MAX_ERRNO; e++)
			n += sum[op][e];
		if (op != OP_RECONNECT)
			total += n;
		printf("# %-16s %8lu:", op_names[op], n);
		for (e = 0; e < MAX_ERRNO; e++)
			if (sum[op][e])
				printf(" %s %lu", e ? strerrorname_np(e) ?: "?" : "ok",
				       sum[op][e]);
		printf("\n");
	}
	printf("# operations: %lu\n", total);
}

static int run(int argc, char **argv)
{
	int seconds, i, n;
	unsigned int seed;
	struct client *c;
	long deadline;

	if (argc < 6)
		return 2;
	seconds = atoi(argv[2]);
	seed = strtoul(argv[3], NULL, 0);
	dda_gpu = argv[4];
	for (i = 5; i < argc && strcmp(argv[i], "vmm"); i++) {
		if (n_gpus == MAX_GPUS)
			continue;
		gpus[n_gpus] = argv[i] + (argv[i][0] == '=');
		if (argv[i][0] != '=')
			set_gpus[n_set_gpus++] = gpus[n_gpus];
		n_gpus++;
	}
	for (i++; i < argc; i++)
		if (n_vmm_gpus < MAX_GPUS)
			vmm_gpus[n_vmm_gpus++] = argv[i];
	if (!n_gpus)
		return 2;
	n = n_vmm_gpus ? N_CLIENTS : N_CLIENTS - N_VMMS;
	printf("# stress: %d clients (%d VMMs) for %d s, seed %u\n", n,
	       n_vmm_gpus ? N_VMMS : 0, seconds, seed);

	for (i = 0; i < n; i++) {
		clients[i].step = steps[i];
		clients[i].seed = seed + i;
		clients[i].vmm = i - (N_CLIENTS - N_VMMS);
		if (pthread_create(&clients[i].thread, NULL, client_main, &clients[i]))
			return 1;
	}
	deadline = now_s() + seconds;
	while (now_s() < deadline) {
		sleep(1);
		c = stuck();
		if (c) {
			printf("# %s unanswered for %d s: gpupart is stuck\n",
			       op_names[atomic_load(&c->op)], ANSWER_S);
			report();
			fflush(stdout);
			_exit(1);
		}
	}
	atomic_store(&stop, true);
	/* Every request under way must still be answered. */
	for (i = 0; i < n; i++) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += ANSWER_S;
		if (pthread_timedjoin_np(clients[i].thread, NULL, &ts)) {
			printf("# %s unanswered for %d s at the end\n",
			       op_names[atomic_load(&clients[i].op)], ANSWER_S);
			report();
			fflush(stdout);
			_exit(1);
		}
	}
	report();
	if (atomic_load(&vmm_violations)) {
		printf("# VMMs saw %d violations\n", atomic_load(&vmm_violations));
		return 1;
	}
	return 0;
}

/* What check() collects: the devices' view and the VMs' view. */
struct seen {
	char who[2 * GPNL_MAX_PARTS * MAX_GPUS][GPNL_VM_MAX + GPUPART_PCI_ADDR_MAX_LEN + 4];
	int n;
	int bad;
};

static struct seen by_dev, by_vm;
static char vm_names[GPNL_MAX_PARTS * MAX_GPUS][GPNL_VM_MAX + 1];
static int n_vms;
/* The GPUs listed: a record that outlived its removal shows up twice. */
static char dev_names[MAX_GPUS][GPNL_VM_MAX + 1];
static int n_devs;

/* Whether a dump listed @name before; the first @max names are kept. */
static bool listed_before(char (*names)[GPNL_VM_MAX + 1], int *n, int max,
			  const char *name)
{
	int i;

	for (i = 0; i < *n; i++)
		if (!strcmp(names[i], name))
			return true;
	if (*n < max)
		snprintf(names[(*n)++], sizeof(names[0]), "%s", name);
	return false;
}

static void seen_add(struct seen *s, const char *vm, const char *where)
{
	if (s->n == (int)(sizeof(s->who) / sizeof(s->who[0]))) {
		s->bad++;
		return;
	}
	/* Where first: what two VMs share sorts together. */
	snprintf(s->who[s->n++], sizeof(s->who[0]), "%s %s", where, vm);
}

static int check_dev(const struct gpnl_dev *dev, void *arg)
{
	unsigned int i, numvfs = 0;
	char path[128];
	FILE *f;

	(void)arg;
	if (listed_before(dev_names, &n_devs, MAX_GPUS, dev->pci)) {
		printf("# GPU %s listed twice\n", dev->pci);
		by_dev.bad++;
	}
	if (dev->vm[0])
		seen_add(&by_dev, dev->vm, dev->pci);
	for (i = 0; i < dev->n_parts; i++) {
		const struct gpnl_part *p = &dev->parts[i];

		if ((p->state == GPUPART_PARTITION_STATE_ASSIGNED) != !!p->vm[0]) {
			printf("# %s partition %u: state %s with VM '%s'\n", dev->pci,
			       i, gpnl_state_name(p->state), p->vm);
			by_dev.bad++;
		}
		if (p->vm[0])
			seen_add(&by_dev, p->vm, p->vf);
	}
	if (dev->mode != GPUPART_MODE_PARTITION)
		return 0;
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/sriov_numvfs", dev->pci);
	f = fopen(path, "r");
	if (!f || fscanf(f, "%u", &numvfs) != 1 || numvfs != dev->count ||
	    dev->n_parts != dev->count) {
		printf("# %s: %u partitions listed, count %u, sriov_numvfs %u\n",
		       dev->pci, dev->n_parts, dev->count, numvfs);
		by_dev.bad++;
	}
	if (f)
		fclose(f);
	return 0;
}

static int check_vm(const struct gpnl_vm *vm, void *arg)
{
	unsigned int i;

	(void)arg;
	if (listed_before(vm_names, &n_vms, (int)(sizeof(vm_names) / sizeof(vm_names[0])),
			  vm->name)) {
		printf("# VM %s listed twice\n", vm->name);
		by_vm.bad++;
	}
	if (!vm->n || (vm->kind == GPUPART_KIND_PARTITION && vm->n != 1)) {
		printf("# VM %s (%s) holds %u resources\n", vm->name,
		       gpnl_kind_name(vm->kind), vm->n);
		by_vm.bad++;
	}
	for (i = 0; i < vm->n; i++)
		seen_add(&by_vm, vm->name, vm->a[i].has_index ? vm->a[i].vf : vm->a[i].dev);
	return 0;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

static int check(void)
{
	struct gpnl nl;
	int rc, i, bad;

	rc = gpnl_open(&nl);
	if (!rc)
		rc = gpnl_dev_get(&nl, NULL, check_dev, NULL);
	if (!rc)
		rc = gpnl_vm_get(&nl, NULL, check_vm, NULL);
	gpnl_close(&nl);
	if (rc) {
		printf("# dumps failed: %s\n", strerror(-rc));
		return 1;
	}
	qsort(by_dev.who, by_dev.n, sizeof(by_dev.who[0]), cmp);
	qsort(by_vm.who, by_vm.n, sizeof(by_vm.who[0]), cmp);
	bad = by_dev.bad + by_vm.bad;
	for (i = 1; i < by_dev.n; i++) {
		size_t len = strcspn(by_dev.who[i], " ");

		if (!strncmp(by_dev.who[i - 1], by_dev.who[i], len + 1)) {
			printf("# held twice: %s; %s\n", by_dev.who[i - 1], by_dev.who[i]);
			bad++;
		}
	}
	if (by_dev.n != by_vm.n) {
		printf("# devices show %d assignments, VMs %d\n", by_dev.n, by_vm.n);
		bad++;
	}
	for (i = 0; i < by_dev.n && i < by_vm.n; i++) {
		if (strcmp(by_dev.who[i], by_vm.who[i])) {
			printf("# devices show %s, VMs %s\n", by_dev.who[i], by_vm.who[i]);
			bad++;
		}
	}
	printf("# %d VMs, %d assignments, %d violations\n", n_vms, by_vm.n, bad);
	return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 2 && !strcmp(argv[1], "run"))
		return run(argc, argv);
	if (argc == 2 && !strcmp(argv[1], "check"))
		return check();
	fprintf(stderr, "usage: gpupart_stress run SECONDS SEED DDA_GPU GPU... [vmm VMM_GPU...]\n"
			"       gpupart_stress check\n");
	return 2;
}
