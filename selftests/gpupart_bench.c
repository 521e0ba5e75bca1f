// SPDX-License-Identifier: GPL-2.0
/*
 * gpupart_bench: the timings of "make bench", each the median of REPS
 * repetitions, printed as "NAME MEDIAN_US REPS" for bench.sh, which
 * divides each by its floor measured in the same run.
 *
 *   gpupart_bench floor REPS           CTRL_CMD_GETFAMILY round trip
 *   gpupart_bench host-get REPS        HOST_GET
 *   gpupart_bench dev-dump REPS        DEV_GET dump
 *   gpupart_bench vm-dump REPS         VM_GET dump
 *   gpupart_bench assign REPS BATCH CLIENTS
 *       VM_ASSIGN and VM_RELEASE: each client assigns BATCH VMs then
 *       releases them, REPS times, all clients at once; between rounds the
 *       partitions are scrubbed (untimed)
 *   gpupart_bench free N REPS          N partitions released at once, until
 *       the last is free again (its partition-scrubbed event)
 *   gpupart_bench dev-set PCI COUNT REPS   DEV_SET partition COUNT (timed),
 *       then mode none (untimed)
 *   gpupart_bench write FILE VALUE UNDO REPS   a sysfs write of VALUE
 *       (timed), then of UNDO (untimed; "-" for none)
 *   gpupart_bench fill N               N VMs, fill-0..., a partition each
 *   gpupart_bench empty                every VM released (one process, so
 *       the releases come within milliseconds), scrubbing over
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netlink/genl/ctrl.h>

#include "gpnl.h"

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void result(const char *name, double *t, unsigned int n)
{
	qsort(t, n, sizeof(*t), cmp_double);
	printf("%s %.1f %u\n", name, n ? t[n / 2] : 0.0, n);
	fflush(stdout);
}

static void die(const char *what, int rc, struct gpnl *nl)
{
	fprintf(stderr, "gpupart_bench: %s: %s\n", what,
		nl && nl->err[0] ? nl->err : strerror(rc < 0 ? -rc : rc));
	exit(1);
}

static void open_nl(struct gpnl *nl)
{
	int rc = gpnl_open(nl);

	if (rc)
		die("cannot reach gpupart", rc, NULL);
}

static int count_dev(const struct gpnl_dev *d, void *arg)
{
	(void)d;
	++*(unsigned int *)arg;
	return 0;
}

static int count_vm(const struct gpnl_vm *vm, void *arg)
{
	(void)vm;
	++*(unsigned int *)arg;
	return 0;
}

static int scrubbing_dev(const struct gpnl_dev *d, void *arg)
{
	unsigned int i;

	for (i = 0; i < d->n_parts; i++)
		if (d->parts[i].state == GPUPART_PARTITION_STATE_SCRUBBING ||
		    d->parts[i].state == GPUPART_PARTITION_STATE_RELEASING)
			++*(unsigned int *)arg;
	return 0;
}

/* Until no partition is being scrubbed; a minute at most. */
static void wait_scrubbed(struct gpnl *nl)
{
	unsigned int n, tries = 6000;
	int rc;

	do {
		n = 0;
		rc = gpnl_dev_get(nl, NULL, scrubbing_dev, &n);
		if (rc)
			die("DEV_GET", rc, nl);
		if (n && !--tries)
			die("partitions still scrubbing after a minute", -ETIMEDOUT, NULL);
		if (n)
			usleep(10000);
	} while (n);
}

/* One of floor, host-get, dev-dump, vm-dump. */
static void simple(const char *what, unsigned int reps)
{
	double *t = calloc(reps, sizeof(*t)), t0;
	struct gpnl_host h;
	struct gpnl nl;
	unsigned int i, n;
	int rc = 0;

	open_nl(&nl);
	for (i = 0; i < reps; i++) {
		n = 0;
		t0 = now_us();
		if (!strcmp(what, "floor"))
			rc = genl_ctrl_resolve(nl.sk, GPUPART_FAMILY_NAME) < 0;
		else if (!strcmp(what, "host-get"))
			rc = gpnl_host_get(&nl, &h);
		else if (!strcmp(what, "dev-dump"))
			rc = gpnl_dev_get(&nl, NULL, count_dev, &n);
		else
			rc = gpnl_vm_get(&nl, NULL, count_vm, &n);
		t[i] = now_us() - t0;
		if (rc)
			die(what, rc, &nl);
	}
	result(what, t, reps);
	gpnl_close(&nl);
	free(t);
}

struct client {
	pthread_t thread;
	unsigned int id, reps, batch;
	pthread_barrier_t *barrier;
	double *assign, *release;	/* reps * batch each */
};

static void *client_run(void *arg)
{
	struct client *c = arg;
	struct gpnl_vm vm;
	char name[32];
	struct gpnl nl;
	unsigned int r, i;
	double t0;
	int rc;

	open_nl(&nl);
	for (r = 0; r < c->reps; r++) {
		pthread_barrier_wait(c->barrier);
		for (i = 0; i < c->batch; i++) {
			snprintf(name, sizeof(name), "bench-%u-%u", c->id, i);
			t0 = now_us();
			rc = gpnl_vm_assign(&nl, name, 0, NULL, NULL, &vm);
			c->assign[r * c->batch + i] = now_us() - t0;
			if (rc)
				die("VM_ASSIGN", rc, &nl);
		}
		for (i = 0; i < c->batch; i++) {
			snprintf(name, sizeof(name), "bench-%u-%u", c->id, i);
			t0 = now_us();
			rc = gpnl_vm_release(&nl, name);
			c->release[r * c->batch + i] = now_us() - t0;
			if (rc)
				die("VM_RELEASE", rc, &nl);
		}
		pthread_barrier_wait(c->barrier);
		/* Scrubbing is not what this measures: wait, untimed. */
		if (!c->id)
			wait_scrubbed(&nl);
	}
	gpnl_close(&nl);
	return NULL;
}

static void assign_release(unsigned int reps, unsigned int batch, unsigned int clients)
{
	struct client *c = calloc(clients, sizeof(*c));
	unsigned int n = reps * batch, i;
	double *a = calloc(n * clients, sizeof(*a));
	double *r = calloc(n * clients, sizeof(*r));
	pthread_barrier_t barrier;
	char name[64];

	pthread_barrier_init(&barrier, NULL, clients);
	for (i = 0; i < clients; i++) {
		c[i] = (struct client){ .id = i, .reps = reps, .batch = batch,
			.barrier = &barrier, .assign = a + i * n, .release = r + i * n };
		pthread_create(&c[i].thread, NULL, client_run, &c[i]);
	}
	for (i = 0; i < clients; i++)
		pthread_join(c[i].thread, NULL);
	snprintf(name, sizeof(name), "vm-assign/%u", clients);
	result(name, a, n * clients);
	snprintf(name, sizeof(name), "vm-release/%u", clients);
	result(name, r, n * clients);
	pthread_barrier_destroy(&barrier);
	free(a);
	free(r);
	free(c);
}

static void count_scrubbed(const struct gpnl_event *ev, void *arg)
{
	if (ev->cmd == GPUPART_CMD_PARTITION_SCRUBBED_NTF)
		++*(unsigned int *)arg;
}

/* Release N at once; the time until the Nth partition-scrubbed event. */
static void until_free(unsigned int n, unsigned int reps)
{
	double *t = calloc(reps, sizeof(*t)), t0;
	struct gpnl nl, mon;
	struct gpnl_vm vm;
	unsigned int r, i, seen;
	char name[32];
	int rc;

	open_nl(&nl);
	open_nl(&mon);
	rc = gpnl_monitor(&mon);
	if (rc)
		die("monitor", rc, &mon);
	/* Each release and reset sends a few events: room for all of them. */
	setsockopt(nl_socket_get_fd(mon.sk), SOL_SOCKET, SO_RCVBUFFORCE,
		   &(int){ 16 << 20 }, sizeof(int));
	for (r = 0; r < reps; r++) {
		for (i = 0; i < n; i++) {
			snprintf(name, sizeof(name), "free-%u", i);
			rc = gpnl_vm_assign(&nl, name, 0, NULL, NULL, &vm);
			if (rc)
				die("VM_ASSIGN", rc, &nl);
		}
		/* Drop the assignments' events before the clock starts. */
		while (gpnl_events(&mon, 0, count_scrubbed, &seen) > 0)
			;
		seen = 0;
		t0 = now_us();
		for (i = 0; i < n; i++) {
			snprintf(name, sizeof(name), "free-%u", i);
			rc = gpnl_vm_release(&nl, name);
			if (rc)
				die("VM_RELEASE", rc, &nl);
		}
		while (seen < n) {
			rc = gpnl_events(&mon, 60000, count_scrubbed, &seen);
			if (rc == -ENOBUFS) {
				/* Events were lost: the state says when it is over. */
				wait_scrubbed(&nl);
				break;
			}
			if (rc <= 0)
				die("waiting for partition-scrubbed", rc ? rc : -ETIMEDOUT, &mon);
		}
		t[r] = now_us() - t0;
	}
	snprintf(name, sizeof(name), "free/%u", n);
	result(name, t, reps);
	gpnl_close(&mon);
	gpnl_close(&nl);
	free(t);
}

static void dev_set(const char *pci, unsigned int count, unsigned int reps)
{
	double *t = calloc(reps, sizeof(*t)), t0;
	struct gpnl nl;
	char name[32];
	unsigned int r;
	int rc;

	open_nl(&nl);
	for (r = 0; r < reps; r++) {
		t0 = now_us();
		rc = gpnl_dev_set(&nl, pci, GPUPART_MODE_PARTITION, count, true);
		t[r] = now_us() - t0;
		if (rc)
			die("DEV_SET partition", rc, &nl);
		rc = gpnl_dev_set(&nl, pci, GPUPART_MODE_NONE, 0, false);
		if (rc)
			die("DEV_SET none", rc, &nl);
	}
	snprintf(name, sizeof(name), "dev-set/%u", count);
	result(name, t, reps);
	gpnl_close(&nl);
	free(t);
}

static int sysfs_write(const char *file, const char *value)
{
	int fd = open(file, O_WRONLY), rc = 0;

	if (fd < 0 || write(fd, value, strlen(value)) < 0)
		rc = -errno;
	if (fd >= 0)
		close(fd);
	return rc;
}

static void write_file(const char *file, const char *value, const char *undo,
		       unsigned int reps)
{
	double *t = calloc(reps, sizeof(*t)), t0;
	unsigned int r;
	int rc;

	for (r = 0; r < reps; r++) {
		t0 = now_us();
		rc = sysfs_write(file, value);
		t[r] = now_us() - t0;
		if (rc)
			die(file, rc, NULL);
		if (strcmp(undo, "-") && (rc = sysfs_write(file, undo)))
			die(file, rc, NULL);
	}
	result("write", t, reps);
	free(t);
}

static void fill(unsigned int n)
{
	struct gpnl_vm vm;
	char name[32];
	struct gpnl nl;
	unsigned int i;
	int rc;

	open_nl(&nl);
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "fill-%u", i);
		rc = gpnl_vm_assign(&nl, name, 0, NULL, NULL, &vm);
		if (rc)
			die("VM_ASSIGN", rc, &nl);
	}
	gpnl_close(&nl);
}

struct names {
	char (*name)[GPNL_VM_MAX + 1];
	unsigned int n;
};

static int collect_vm(const struct gpnl_vm *vm, void *arg)
{
	struct names *l = arg;
	void *p = realloc(l->name, (l->n + 1) * sizeof(*l->name));

	if (!p)
		return -ENOMEM;
	l->name = p;
	snprintf(l->name[l->n++], sizeof(*l->name), "%s", vm->name);
	return 0;
}

static void empty(void)
{
	struct names l = { 0 };
	struct gpnl nl;
	unsigned int i;
	int rc;

	open_nl(&nl);
	rc = gpnl_vm_get(&nl, NULL, collect_vm, &l);
	for (i = 0; !rc && i < l.n; i++)
		rc = gpnl_vm_release(&nl, l.name[i]);
	if (rc)
		die("VM_RELEASE", rc, &nl);
	wait_scrubbed(&nl);
	free(l.name);
	gpnl_close(&nl);
}

static unsigned int num(const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (*end || !*s || !v || v > 1000000) {
		fprintf(stderr, "gpupart_bench: \"%s\" is not a count from 1 to 1000000\n", s);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	if (argc == 3 && (!strcmp(argv[1], "floor") || !strcmp(argv[1], "host-get") ||
			  !strcmp(argv[1], "dev-dump") || !strcmp(argv[1], "vm-dump")))
		simple(argv[1], num(argv[2]));
	else if (argc == 5 && !strcmp(argv[1], "assign"))
		assign_release(num(argv[2]), num(argv[3]), num(argv[4]));
	else if (argc == 4 && !strcmp(argv[1], "free"))
		until_free(num(argv[2]), num(argv[3]));
	else if (argc == 5 && !strcmp(argv[1], "dev-set"))
		dev_set(argv[2], num(argv[3]), num(argv[4]));
	else if (argc == 6 && !strcmp(argv[1], "write"))
		write_file(argv[2], argv[3], argv[4], num(argv[5]));
	else if (argc == 3 && !strcmp(argv[1], "fill"))
		fill(num(argv[2]));
	else if (argc == 2 && !strcmp(argv[1], "empty"))
		empty();
	else {
		fprintf(stderr, "usage: see the head of gpupart_bench.c\n");
		return 2;
	}
	return 0;
}
