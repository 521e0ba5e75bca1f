/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fixture the mode and VM selftests share: GPUs picked from what is
 * bound, a request socket and an event socket, snapshots of everything a
 * request could change, to prove a refusal changed nothing, and the events
 * received.
 */
#ifndef GPUPART_CTX_H
#define GPUPART_CTX_H

#include <stdarg.h>

#include "gpupart_test.h"

#define FAIL_ENABLE "/sys/kernel/debug/gpupart/fail_enable"
#define FAIL_RESET "/sys/kernel/debug/gpupart/fail_reset"

/* What the tests work on: two GPUs of one model and one of another. */
struct ctx {
	struct gpnl nl;		/* requests */
	struct gpnl mon;	/* events only */
	const char *skip;	/* why the environment cannot run these tests */
	char a[32], b[32], other[32];
	char same[8][32];	/* every GPU of a's model and VF count, a first */
	int n_same;
	unsigned int total_vfs;
	char *all[GP_MAX_DEVS];
	int n_all;
};

/*
 * Everything a request could change, as text: each GPU's mode, count, VM,
 * sriov_numvfs, driver and partitions; each VM's assignments; the
 * placement policy. Two snapshots are the same when their texts are.
 */
struct snap {
	char text[16384];
	size_t len;
};

static inline void snap_add(struct snap *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static inline void snap_add(struct snap *s, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(s->text + s->len, sizeof(s->text) - s->len, fmt, ap);
	va_end(ap);
	if (n > 0 && s->len + n < sizeof(s->text))
		s->len += n;
}

static inline int snap_dev(const struct gpnl_dev *d, void *arg)
{
	char drv[64];
	unsigned int i;

	snap_add(arg, "%s mode %u count %u vm '%s' numvfs %ld driver %s:", d->pci,
		 d->mode, d->count, d->vm, gp_sysfs_num(d->pci, "sriov_numvfs"),
		 gp_link(d->pci, "driver", drv, sizeof(drv)));
	for (i = 0; i < d->n_parts; i++)
		snap_add(arg, " %u/%s", d->parts[i].state, d->parts[i].vm);
	snap_add(arg, "\n");
	return 0;
}

static inline int snap_vm(const struct gpnl_vm *vm, void *arg)
{
	unsigned int i;

	snap_add(arg, "vm %s kind %u:", vm->name, vm->kind);
	for (i = 0; i < vm->n; i++)
		snap_add(arg, " %s/%s", vm->a[i].dev, vm->a[i].vf);
	snap_add(arg, "\n");
	return 0;
}

static inline void snap_take(struct gpnl *nl, struct snap *s)
{
	struct gpnl_host h = { 0 };

	s->len = 0;
	s->text[0] = '\0';
	gpnl_dev_get(nl, NULL, snap_dev, s);
	gpnl_vm_get(nl, NULL, snap_vm, s);
	gpnl_host_get(nl, &h);
	snap_add(s, "placement %u\n", h.placement);
}

/* Print a snapshot as TAP diagnostics, a "# " before each line. */
static inline void snap_print(const char *what, const struct snap *s)
{
	const char *p, *nl;

	printf("# %s:\n", what);
	for (p = s->text; *p; p = nl + 1) {
		nl = strchrnul(p, '\n');
		printf("#   %.*s\n", (int)(nl - p), p);
		if (!*nl)
			break;
	}
}

/* Whether two snapshots agree; when not, both are printed. */
static inline bool snap_same(const struct snap *x, const struct snap *y)
{
	if (!strcmp(x->text, y->text))
		return true;
	snap_print("before", x);
	snap_print("after", y);
	fflush(stdout);
	return false;
}

/* A refusal: @call fails with @err and the kernel's @msg; nothing changes. */
#define EXPECT_REFUSED(_c, _call, _err, _msg) do {			\
	struct snap _before, _after;					\
									\
	snap_take(&(_c)->nl, &_before);					\
	EXPECT_TRUE(strstr(_before.text, " mode ") != NULL);		\
	EXPECT_EQ(_err, _call);						\
	EXPECT_STREQ(_msg, (_c)->nl.err);				\
	snap_take(&(_c)->nl, &_after);					\
	EXPECT_TRUE(snap_same(&_before, &_after));			\
} while (0)

static inline int pick(const struct gpnl_dev *d, void *arg)
{
	struct ctx *c = arg;

	if (c->n_all < GP_MAX_DEVS)
		c->all[c->n_all++] = strdup(d->pci);
	if (d->total_vfs < 8 || d->n_counts < 2)
		return 0;
	if (!c->a[0]) {
		snprintf(c->a, 32, "%s", d->pci);
		snprintf(c->same[c->n_same++], 32, "%s", d->pci);
		c->total_vfs = d->total_vfs;
	} else {
		struct gpnl_dev *a = gp_dev(&c->nl, c->a);
		bool same = a && a->vendor == d->vendor && a->device == d->device &&
			    a->subsys_vendor == d->subsys_vendor &&
			    a->subsys_device == d->subsys_device;

		if (same && d->total_vfs == c->total_vfs && c->n_same < 8)
			snprintf(c->same[c->n_same++], 32, "%s", d->pci);
		if (same && !c->b[0] && d->total_vfs == c->total_vfs)
			snprintf(c->b, 32, "%s", d->pci);
		else if (!same && !c->other[0])
			snprintf(c->other, 32, "%s", d->pci);
		free(a);
	}
	return 0;
}

static inline int release_one(const struct gpnl_vm *vm, void *arg)
{
	gpnl_vm_release(arg, vm->name);
	return 0;
}

/* Every VM released, every GPU back to none (waiting out scrubs). */
static inline void reset_all(struct ctx *c)
{
	struct gpnl nl;
	int i, tries;

	if (!gp_open(&nl)) {
		gpnl_vm_get(&nl, NULL, release_one, &c->nl);
		gpnl_close(&nl);
	}
	for (i = 0; i < c->n_all; i++)
		for (tries = 0; tries < 50 &&
		     gpnl_dev_set(&c->nl, c->all[i], GPUPART_MODE_NONE, 0, false) == -EBUSY;
		     tries++)
			usleep(100000);
	for (i = 0; i < c->n_all; i++)
		gpnl_dev_set(&c->nl, c->all[i], GPUPART_MODE_NONE, 0, false);
}

static inline void ctx_setup(struct ctx *c)
{
	memset(c, 0, sizeof(*c));
	if (gp_open(&c->nl)) {
		c->skip = "gpupart module not loaded";
		return;
	}
	if (geteuid()) {
		c->skip = "needs root";
		return;
	}
	gpnl_dev_get(&c->nl, NULL, pick, c);
	if (!c->a[0]) {
		c->skip = "no SR-IOV capable device with 8 or more VFs bound to gpupart";
		return;
	}
	reset_all(c);
	if (gp_open(&c->mon) || gpnl_monitor(&c->mon))
		c->skip = "cannot join the monitor group";
}

static inline void ctx_teardown(struct ctx *c)
{
	int i;

	if (c->nl.sk)
		reset_all(c);
	gp_write(FAIL_ENABLE, "0");
	gp_write(FAIL_RESET, "0");
	gpnl_close(&c->mon);
	gpnl_close(&c->nl);
	for (i = 0; i < c->n_all; i++)
		free(c->all[i]);
}

/* Events received within @ms of the last one. */
struct evlog {
	int n;
	struct { char name[32], pci[32]; uint32_t mode, count; } e[32];
};

static inline void ev_add(const struct gpnl_event *ev, void *arg)
{
	struct evlog *l = arg;

	if (l->n == 32)
		return;
	snprintf(l->e[l->n].name, 32, "%s", ev->name);
	snprintf(l->e[l->n].pci, 32, "%s",
		 ev->what == GPNL_EV_DEV ? ev->dev.pci :
		 ev->what == GPNL_EV_PART ? ev->part.dev :
		 ev->vm.n ? ev->vm.a[0].dev : "");
	l->e[l->n].mode = ev->dev.mode;
	l->e[l->n].count = ev->dev.count;
	l->n++;
}

static inline void events(struct ctx *c, struct evlog *l, int ms)
{
	memset(l, 0, sizeof(*l));
	while (gpnl_events(&c->mon, ms, ev_add, l) > 0)
		;
}

#define SKIP_IF_UNFIT(c) do {						\
	if ((c)->skip)							\
		SKIP(return, "%s", (c)->skip);				\
} while (0)

/* The device is in @mode with @count partitions, in DEV_GET and in sysfs. */
#define EXPECT_STATE(_c, _pci, _m, _cnt) do {			\
	struct gpnl_dev *__d = gp_dev(&(_c)->nl, _pci);			\
									\
	ASSERT_NE(NULL, __d);						\
	EXPECT_EQ((uint32_t)(_m), __d->mode);				\
	EXPECT_EQ((uint32_t)(_cnt), __d->count);			\
	EXPECT_EQ((unsigned int)(_cnt), __d->n_parts);			\
	EXPECT_EQ((long)(_cnt), gp_sysfs_num(_pci, "sriov_numvfs"));	\
	free(__d);							\
} while (0)

/* Exactly one event, @name, for @pci in mode @m with @cnt partitions. */
#define EXPECT_ONE_EVENT(_c, _nm, _pci, _m, _cnt) do {			\
	struct evlog __l;						\
									\
	events(_c, &__l, 300);						\
	ASSERT_EQ(1, __l.n);						\
	EXPECT_STREQ(_nm, __l.e[0].name);				\
	EXPECT_STREQ(_pci, __l.e[0].pci);				\
	EXPECT_EQ((uint32_t)(_m), __l.e[0].mode);			\
	EXPECT_EQ((uint32_t)(_cnt), __l.e[0].count);			\
} while (0)

#define EXPECT_NO_EVENT(_c) do {					\
	struct evlog __l;						\
									\
	events(_c, &__l, 300);						\
	EXPECT_EQ(0, __l.n) TH_LOG("unexpected %s", __l.e[0].name);	\
} while (0)

#endif
