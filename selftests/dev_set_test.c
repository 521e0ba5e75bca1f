// SPDX-License-Identifier: GPL-2.0
/*
 * Device modes through both doors (DEV_SET and sriov_numvfs): accepted
 * changes, refusals that change nothing, the transition table, host
 * homogeneity, the VFs' driver_override, monitor events and privilege.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "gpupart_test.h"
#include "gpupart_ctx.h"

FIXTURE(modes) {
	struct ctx c;
};

FIXTURE_SETUP(modes)
{
	ctx_setup(&self->c);
}

FIXTURE_TEARDOWN(modes)
{
	ctx_teardown(&self->c);
}

/* DEV_SET partition then none: VFs come and go, one event each. */
TEST_F(modes, netlink_partition_and_back)
{
	struct ctx *c = &self->c;
	struct gpnl_dev *d;
	char path[64], want[32];
	unsigned int i;

	SKIP_IF_UNFIT(c);
	ASSERT_EQ(0, gpnl_dev_set(&c->nl, c->a, GPUPART_MODE_PARTITION, 4, true));
	EXPECT_STATE(c, c->a, GPUPART_MODE_PARTITION, 4);
	EXPECT_ONE_EVENT(c, "dev-change", c->a, GPUPART_MODE_PARTITION, 4);

	/* Each partition is the VF of its index, and free. */
	d = gp_dev(&c->nl, c->a);
	ASSERT_NE(NULL, d);
	for (i = 0; i < d->n_parts; i++) {
		snprintf(path, sizeof(path), "virtfn%u", i);
		EXPECT_EQ(i, d->parts[i].index);
		EXPECT_STREQ(gp_link(c->a, path, want, sizeof(want)), d->parts[i].vf);
		EXPECT_EQ(GPUPART_PARTITION_STATE_FREE, d->parts[i].state);
		EXPECT_STREQ("", d->parts[i].vm);
		EXPECT_FALSE(d->parts[i].has_fb);	/* unknown model */
	}
	free(d);

	ASSERT_EQ(0, gpnl_dev_set(&c->nl, c->a, GPUPART_MODE_NONE, 0, false));
	EXPECT_STATE(c, c->a, GPUPART_MODE_NONE, 0);
	EXPECT_ONE_EVENT(c, "dev-change", c->a, GPUPART_MODE_NONE, 0);
}

/* echo N > sriov_numvfs, then 0: the same states and events. */
TEST_F(modes, sysfs_partition_and_back)
{
	struct ctx *c = &self->c;

	SKIP_IF_UNFIT(c);
	ASSERT_EQ(0, gp_set_numvfs(c->a, 4));
	EXPECT_STATE(c, c->a, GPUPART_MODE_PARTITION, 4);
	EXPECT_ONE_EVENT(c, "dev-change", c->a, GPUPART_MODE_PARTITION, 4);
	ASSERT_EQ(0, gp_set_numvfs(c->a, 0));
	EXPECT_STATE(c, c->a, GPUPART_MODE_NONE, 0);
	EXPECT_ONE_EVENT(c, "dev-change", c->a, GPUPART_MODE_NONE, 0);
}

/* New VFs are reserved for vfio-pci, which binds them. */
TEST_F(modes, vfs_go_to_passthrough_driver)
{
	struct ctx *c = &self->c;
	char buf[64], link[64];
	struct gpnl_dev *d;
	unsigned int i;

	SKIP_IF_UNFIT(c);
	if (access("/sys/bus/pci/drivers/vfio-pci", F_OK))
		SKIP(return, "vfio-pci not loaded");
	ASSERT_EQ(0, gpnl_dev_set(&c->nl, c->a, GPUPART_MODE_PARTITION, 4, true));
	d = gp_dev(&c->nl, c->a);
	ASSERT_NE(NULL, d);
	ASSERT_EQ(4, d->n_parts);
	for (i = 0; i < d->n_parts; i++) {
		TH_LOG("VF %s", d->parts[i].vf);
		EXPECT_STREQ("vfio-pci", gp_read(d->parts[i].vf, "driver_override",
						 buf, sizeof(buf)));
		EXPECT_STREQ("vfio-pci", gp_link(d->parts[i].vf, "driver",
						 link, sizeof(link)));
		/* Its own IOMMU group: what a VM monitor attaches. */
		EXPECT_STRNE("", gp_link(d->parts[i].vf, "iommu_group",
					 link, sizeof(link)));
	}
	free(d);
}

/* Set @pci to a mode, by the name used in the table below. */
static int set_to(struct ctx *c, const char *pci, const char *state)
{
	if (!strcmp(state, "none"))
		return gpnl_dev_set(&c->nl, pci, GPUPART_MODE_NONE, 0, false);
	if (!strcmp(state, "dda"))
		return gpnl_dev_set(&c->nl, pci, GPUPART_MODE_DDA, 0, false);
	return gpnl_dev_set(&c->nl, pci, GPUPART_MODE_PARTITION,
			    atoi(state + strlen("partition")), true);
}

/*
 * The transition table: every move goes through none; setting what is
 * already set succeeds and changes nothing.
 */
TEST_F(modes, transition_table)
{
	static const struct {
		const char *from, *to;
		int err;
		const char *why;
	} t[] = {
		{ "none", "none", 0, NULL },
		{ "none", "dda", 0, NULL },
		{ "none", "partition4", 0, NULL },
		{ "dda", "none", 0, NULL },
		{ "dda", "dda", 0, NULL },
		{ "dda", "partition4", -EBUSY, "reserved for DDA; set mode none first" },
		{ "partition4", "none", 0, NULL },
		{ "partition4", "partition4", 0, NULL },
		{ "partition4", "partition2", -EBUSY, "partitioned into 4; set mode none first" },
		{ "partition4", "dda", -EBUSY, "partitioned into 4; set mode none first" },
	};
	struct ctx *c = &self->c;
	struct snap before, after;
	struct evlog l;
	unsigned int i;
	char why[sizeof(c->nl.err)];

	SKIP_IF_UNFIT(c);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		TH_LOG("%s -> %s", t[i].from, t[i].to);
		ASSERT_EQ(0, set_to(c, c->a, "none"));
		ASSERT_EQ(0, set_to(c, c->a, t[i].from));
		events(c, &l, 200);
		snap_take(&c->nl, &before);
		EXPECT_EQ(t[i].err, set_to(c, c->a, t[i].to));
		snprintf(why, sizeof(why), "%s", c->nl.err);
		snap_take(&c->nl, &after);
		events(c, &l, 300);
		if (t[i].err) {
			EXPECT_STREQ(t[i].why, why);
			EXPECT_TRUE(snap_same(&before, &after));
			EXPECT_EQ(0, l.n);
		} else if (!strcmp(t[i].from, t[i].to)) {
			EXPECT_TRUE(snap_same(&before, &after));
			EXPECT_EQ(0, l.n);
		} else {
			EXPECT_EQ(1, l.n);
		}
	}
}

/* The sysfs door on a DDA GPU, and from one count to another. */
TEST_F(modes, sysfs_busy)
{
	struct ctx *c = &self->c;
	struct snap before, after;

	SKIP_IF_UNFIT(c);
	ASSERT_EQ(0, set_to(c, c->a, "dda"));
	EXPECT_ONE_EVENT(c, "dev-change", c->a, GPUPART_MODE_DDA, 0);
	snap_take(&c->nl, &before);
	EXPECT_EQ(-EBUSY, gp_set_numvfs(c->a, 4));
	/* 0 leaves DDA as it is: no VFs to remove, the PCI core says done. */
	EXPECT_EQ(0, gp_set_numvfs(c->a, 0));
	snap_take(&c->nl, &after);
	EXPECT_TRUE(snap_same(&before, &after));
	EXPECT_NO_EVENT(c);

	ASSERT_EQ(0, set_to(c, c->a, "none"));
	ASSERT_EQ(0, gp_set_numvfs(c->a, 4));
	events(c, &(struct evlog){ 0 }, 300);
	snap_take(&c->nl, &before);
	EXPECT_EQ(-EBUSY, gp_set_numvfs(c->a, 2));
	snap_take(&c->nl, &after);
	EXPECT_TRUE(snap_same(&before, &after));
	EXPECT_NO_EVENT(c);
}

/* All partitioned GPUs share one model and one count; HOST_GET says so. */
TEST_F(modes, homogeneity)
{
	struct ctx *c = &self->c;
	struct snap before, after;
	struct gpnl_dev *a;
	struct gpnl_host h;
	char why[128];

	SKIP_IF_UNFIT(c);
	if (!c->b[0] || !c->other[0])
		SKIP(return, "needs two GPUs of one model and one of another");
	ASSERT_EQ(0, gpnl_host_get(&c->nl, &h));
	EXPECT_TRUE(h.homogeneous);
	EXPECT_EQ(0, h.partitioned);
	EXPECT_FALSE(h.has_model);

	ASSERT_EQ(0, set_to(c, c->a, "partition4"));
	events(c, &(struct evlog){ 0 }, 300);
	snap_take(&c->nl, &before);

	/* Same model, other count: refused through both doors. */
	EXPECT_EQ(-EINVAL, set_to(c, c->b, "partition2"));
	snprintf(why, sizeof(why), "%s has 4 partitions; all GPUs must have the same count", c->a);
	EXPECT_STREQ(why, c->nl.err);
	EXPECT_EQ(-EINVAL, gp_set_numvfs(c->b, 2));

	/* Other model, same count: refused through both doors. */
	a = gp_dev(&c->nl, c->a);
	ASSERT_NE(NULL, a);
	EXPECT_EQ(-EINVAL, set_to(c, c->other, "partition4"));
	snprintf(why, sizeof(why), "%s is partitioned and is %04x:%04x/%04x:%04x; models must not mix",
		 c->a, a->vendor, a->device, a->subsys_vendor, a->subsys_device);
	EXPECT_STREQ(why, c->nl.err);
	EXPECT_EQ(-EINVAL, gp_set_numvfs(c->other, 4));

	snap_take(&c->nl, &after);
	EXPECT_TRUE(snap_same(&before, &after));
	EXPECT_NO_EVENT(c);

	/* DDA is not partitioning: any model may be reserved. */
	EXPECT_EQ(0, set_to(c, c->other, "dda"));
	EXPECT_EQ(0, set_to(c, c->b, "partition4"));
	ASSERT_EQ(0, gpnl_host_get(&c->nl, &h));
	EXPECT_TRUE(h.homogeneous);
	EXPECT_EQ(2, h.partitioned);
	ASSERT_TRUE(h.has_model);
	EXPECT_EQ(a->vendor, h.vendor);
	EXPECT_EQ(a->device, h.device);
	EXPECT_EQ(a->subsys_vendor, h.subsys_vendor);
	EXPECT_EQ(a->subsys_device, h.subsys_device);
	EXPECT_EQ(4, h.count);
	free(a);

	/* With the first GPU back to none, the other model may partition. */
	ASSERT_EQ(0, set_to(c, c->a, "none"));
	ASSERT_EQ(0, set_to(c, c->b, "none"));
	ASSERT_EQ(0, set_to(c, c->other, "none"));
	EXPECT_EQ(0, set_to(c, c->other, "partition2"));
}

/* An enable that fails after SR-IOV came on leaves no VF behind. */
TEST_F(modes, enable_failure_unwinds)
{
	struct ctx *c = &self->c;
	struct snap before, after;
	char buf[64];

	SKIP_IF_UNFIT(c);
	if (access(FAIL_ENABLE, W_OK))
		SKIP(return, "no %s (debugfs not mounted?)", FAIL_ENABLE);
	snap_take(&c->nl, &before);
	ASSERT_EQ(0, gp_write(FAIL_ENABLE, "1"));
	EXPECT_EQ(-EIO, set_to(c, c->a, "partition4"));
	EXPECT_STREQ("setting up 4 partitions failed (injected fault)", c->nl.err);
	ASSERT_EQ(0, gp_write(FAIL_ENABLE, "1"));
	EXPECT_EQ(-EIO, gp_set_numvfs(c->a, 4));
	snap_take(&c->nl, &after);
	EXPECT_TRUE(snap_same(&before, &after));
	EXPECT_STREQ("", gp_link(c->a, "virtfn0", buf, sizeof(buf)));
	EXPECT_NO_EVENT(c);
	/* And the next attempt works. */
	EXPECT_EQ(0, set_to(c, c->a, "partition4"));
}

/* Malformed DEV_SET requests: refused with a reason, nothing changed. */
TEST_F(modes, malformed_requests)
{
	struct ctx *c = &self->c;
	struct snap before, after;
	struct nl_msg *msg;

	SKIP_IF_UNFIT(c);
	snap_take(&c->nl, &before);
	EXPECT_EQ(-EINVAL, gpnl_dev_set(&c->nl, c->a, GPUPART_MODE_PARTITION, 0, false));
	EXPECT_STREQ("mode partition needs a partition count", c->nl.err);
	EXPECT_EQ(-EINVAL, gpnl_dev_set(&c->nl, c->a, GPUPART_MODE_DDA, 4, true));
	EXPECT_STREQ("a partition count goes with mode partition only", c->nl.err);
	EXPECT_EQ(-EINVAL, gpnl_dev_set(&c->nl, c->a, GPUPART_MODE_NONE, 4, true));
	EXPECT_STREQ("a partition count goes with mode partition only", c->nl.err);
	/* The policy's range check: the core answers ERANGE, with its text. */
	EXPECT_EQ(-ERANGE, gpnl_dev_set(&c->nl, c->a, 0, 0, false));
	EXPECT_STRNE("", c->nl.err);
	EXPECT_EQ(-ERANGE, gpnl_dev_set(&c->nl, c->a, GPUPART_MODE_MAX + 1, 0, false));
	EXPECT_STRNE("", c->nl.err);
	EXPECT_EQ(-ENODEV, gpnl_dev_set(&c->nl, "0000:ff:1f.7", GPUPART_MODE_DDA, 0, false));
	EXPECT_STREQ("no GPU bound to gpupart at 0000:ff:1f.7", c->nl.err);
	EXPECT_EQ(-EINVAL, gpnl_dev_set(&c->nl, "nonsense", GPUPART_MODE_DDA, 0, false));
	EXPECT_STREQ("PCI address must look like 0000:01:00.0", c->nl.err);

	/* No mode at all. */
	msg = gpnl_msg(&c->nl, GPUPART_CMD_DEV_SET, 0);
	ASSERT_NE(NULL, msg);
	ASSERT_EQ(0, nla_put_string(msg, GPUPART_A_PCI_ADDR, c->a));
	EXPECT_EQ(-EINVAL, gpnl_exec(&c->nl, msg, NULL, NULL));
	EXPECT_STREQ("a mode (none, partition or dda) is required", c->nl.err);

	snap_take(&c->nl, &after);
	EXPECT_TRUE(snap_same(&before, &after));
	EXPECT_NO_EVENT(c);
}

/*
 * What an unprivileged caller gets: bit N of the result set when step N
 * went as it should.
 */
static int unprivileged_steps(const char *pci)
{
	struct gpnl_host h;
	struct gpnl nl;
	int ok = 0;

	if (setresuid(65534, 65534, 65534) || gp_open(&nl))
		return 0;
	ok |= (gpnl_dev_set(&nl, pci, GPUPART_MODE_PARTITION, 4, true) == -EPERM) << 0;
	ok |= (gpnl_dev_set(&nl, pci, GPUPART_MODE_DDA, 0, false) == -EPERM) << 1;
	ok |= (gp_set_numvfs(pci, 4) == -EACCES) << 2;
	ok |= (gpnl_host_get(&nl, &h) == 0) << 3;	/* looking is allowed */
	gpnl_close(&nl);
	return ok;
}

/* An unprivileged caller may look, not change: EPERM through both doors. */
TEST_F(modes, unprivileged_refused)
{
	struct ctx *c = &self->c;
	struct snap before, after;
	int status;
	pid_t pid;

	SKIP_IF_UNFIT(c);
	snap_take(&c->nl, &before);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(unprivileged_steps(c->a));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0xf, WEXITSTATUS(status));
	snap_take(&c->nl, &after);
	EXPECT_TRUE(snap_same(&before, &after));
	EXPECT_NO_EVENT(c);
}

/* Unbinding and binding the PF: dev-del then dev-add, VFs disabled. */
TEST_F(modes, unbind_and_bind)
{
	struct ctx *c = &self->c;
	struct gpnl_dev *d;
	struct evlog l;

	SKIP_IF_UNFIT(c);
	ASSERT_EQ(0, set_to(c, c->a, "partition2"));
	events(c, &l, 300);
	ASSERT_EQ(0, gp_write("/sys/bus/pci/drivers/gpupart/unbind", c->a));
	EXPECT_ONE_EVENT(c, "dev-del", c->a, GPUPART_MODE_PARTITION, 2);
	EXPECT_EQ(0, gp_sysfs_num(c->a, "sriov_numvfs"));
	EXPECT_EQ(-ENODEV, gpnl_dev_get(&c->nl, c->a, gp_dev_one_cb, &l));

	ASSERT_EQ(0, gp_write("/sys/bus/pci/drivers/gpupart/bind", c->a));
	EXPECT_ONE_EVENT(c, "dev-add", c->a, GPUPART_MODE_NONE, 0);
	d = gp_dev(&c->nl, c->a);
	ASSERT_NE(NULL, d);
	EXPECT_EQ(GPUPART_MODE_NONE, d->mode);
	free(d);
}

/*
 * VFs enabled before gpupart binds (here by pci-pf-stub) are adopted as
 * partitions, not torn from under whoever uses them, and left enabled when
 * gpupart unbinds; an explicit mode none disables them.
 */
/* Whether every partition of @pci is free; waits up to 30 s for it. */
static bool all_free(struct ctx *c, const char *pci)
{
	struct gpnl_dev *d;
	unsigned int i, tries;
	bool free_ = false;

	for (tries = 0; !free_ && tries < 300; tries++) {
		d = gp_dev(&c->nl, pci);
		free_ = d && d->n_parts;
		for (i = 0; free_ && i < d->n_parts; i++)
			free_ = d->parts[i].state == GPUPART_PARTITION_STATE_FREE;
		free(d);
		if (!free_)
			usleep(100000);
	}
	return free_;
}

/*
 * VFs enabled before gpupart bound the GPU are adopted: mode partition,
 * each partition released and reset before it is free, and left enabled
 * when gpupart unbinds.
 */
TEST_F(modes, adopts_existing_vfs)
{
	struct ctx *c = &self->c;
	int i, scrubbed = 0;
	char buf[64];
	struct gpnl_host h;
	struct evlog l;

	SKIP_IF_UNFIT(c);
	if (system("modprobe pci-pf-stub 2>/dev/null") ||
	    access("/sys/bus/pci/drivers/pci-pf-stub", F_OK))
		SKIP(return, "pci-pf-stub not available");
	snprintf(buf, sizeof(buf), "%s/driver_override", c->a);
	ASSERT_EQ(0, gp_write(buf, "pci-pf-stub"));
	ASSERT_EQ(0, gp_write("/sys/bus/pci/drivers/gpupart/unbind", c->a));
	ASSERT_EQ(0, gp_write("/sys/bus/pci/drivers_probe", c->a));
	ASSERT_STREQ("pci-pf-stub", gp_link(c->a, "driver", buf, sizeof(buf)));
	ASSERT_EQ(0, gp_set_numvfs(c->a, 2));
	ASSERT_EQ(0, gp_write("/sys/bus/pci/drivers/pci-pf-stub/unbind", c->a));
	snprintf(buf, sizeof(buf), "%s/driver_override", c->a);
	ASSERT_EQ(0, gp_write(buf, "\n"));
	events(c, &l, 300);

	ASSERT_EQ(0, gp_write("/sys/bus/pci/drivers/gpupart/bind", c->a));
	EXPECT_STATE(c, c->a, GPUPART_MODE_PARTITION, 2);
	EXPECT_TRUE(all_free(c, c->a));
	events(c, &l, 300);
	ASSERT_LE(1, l.n);
	EXPECT_STREQ("dev-add", l.e[0].name);
	EXPECT_STREQ(c->a, l.e[0].pci);
	EXPECT_EQ(GPUPART_MODE_PARTITION, l.e[0].mode);
	EXPECT_EQ(2, l.e[0].count);
	for (i = 1; i < l.n; i++)
		scrubbed += !strcmp(l.e[i].name, "partition-scrubbed");
	EXPECT_EQ(2, scrubbed);
	ASSERT_EQ(0, gpnl_host_get(&c->nl, &h));
	EXPECT_EQ(1, h.partitioned);

	ASSERT_EQ(0, gp_write("/sys/bus/pci/drivers/gpupart/unbind", c->a));
	EXPECT_EQ(2, gp_sysfs_num(c->a, "sriov_numvfs"));
	ASSERT_EQ(0, gp_write("/sys/bus/pci/drivers/gpupart/bind", c->a));
	EXPECT_STATE(c, c->a, GPUPART_MODE_PARTITION, 2);
	EXPECT_TRUE(all_free(c, c->a));
	EXPECT_EQ(0, set_to(c, c->a, "none"));
	EXPECT_STATE(c, c->a, GPUPART_MODE_NONE, 0);
}

/* Sweep the counts of an 8-VF stand-in through both doors. */
FIXTURE(counts) {
	struct ctx c;
};

FIXTURE_VARIANT(counts) {
	unsigned int count;
	int nl_err;		/* DEV_SET mode partition count N */
	int sysfs_err;		/* echo N > sriov_numvfs */
};

FIXTURE_VARIANT_ADD(counts, c0) { .count = 0, .nl_err = -EINVAL, .sysfs_err = 0 };
FIXTURE_VARIANT_ADD(counts, c1) { .count = 1 };
FIXTURE_VARIANT_ADD(counts, c2) { .count = 2 };
FIXTURE_VARIANT_ADD(counts, c3) { .count = 3, .nl_err = -EINVAL, .sysfs_err = -EINVAL };
FIXTURE_VARIANT_ADD(counts, c4) { .count = 4 };
FIXTURE_VARIANT_ADD(counts, c5) { .count = 5, .nl_err = -EINVAL, .sysfs_err = -EINVAL };
FIXTURE_VARIANT_ADD(counts, c6) { .count = 6, .nl_err = -EINVAL, .sysfs_err = -EINVAL };
FIXTURE_VARIANT_ADD(counts, c7) { .count = 7, .nl_err = -EINVAL, .sysfs_err = -EINVAL };
FIXTURE_VARIANT_ADD(counts, c8) { .count = 8 };
FIXTURE_VARIANT_ADD(counts, c9) { .count = 9, .nl_err = -ERANGE, .sysfs_err = -ERANGE };
FIXTURE_VARIANT_ADD(counts, c16) { .count = 16, .nl_err = -ERANGE, .sysfs_err = -ERANGE };

FIXTURE_SETUP(counts)
{
	ctx_setup(&self->c);
	if (!self->c.skip && self->c.total_vfs != 8)
		self->c.skip = "the sweep is written for an 8-VF stand-in";
}

FIXTURE_TEARDOWN(counts)
{
	ctx_teardown(&self->c);
}

/* Both doors, from mode none: same outcome, same state; refusals change nothing. */
TEST_F(counts, both_doors)
{
	struct ctx *c = &self->c;
	unsigned int n = variant->count;
	struct snap before, by_nl, by_sysfs;
	char why[96];

	SKIP_IF_UNFIT(c);
	snap_take(&c->nl, &before);
	EXPECT_EQ(variant->nl_err, gpnl_dev_set(&c->nl, c->a, GPUPART_MODE_PARTITION, n, true));
	if (variant->nl_err == -EINVAL) {
		snprintf(why, sizeof(why), "%u is not a valid partition count here; valid: 1,2,4,8", n);
		EXPECT_STREQ(why, c->nl.err);
	} else if (variant->nl_err == -ERANGE) {
		snprintf(why, sizeof(why), "%u partitions exceed the device's 8 VFs", n);
		EXPECT_STREQ(why, c->nl.err);
	}
	snap_take(&c->nl, &by_nl);
	if (variant->nl_err) {
		EXPECT_TRUE(snap_same(&before, &by_nl));
		EXPECT_NO_EVENT(c);
	} else {
		EXPECT_STATE(c, c->a, GPUPART_MODE_PARTITION, n);
		EXPECT_ONE_EVENT(c, "dev-change", c->a, GPUPART_MODE_PARTITION, n);
	}
	reset_all(c);
	events(c, &(struct evlog){ 0 }, 300);

	EXPECT_EQ(variant->sysfs_err, gp_set_numvfs(c->a, n));
	snap_take(&c->nl, &by_sysfs);
	/* Count 0 means "none" in sysfs: the same end state as the refusal. */
	EXPECT_TRUE(snap_same(&by_nl, &by_sysfs));
	if (variant->sysfs_err || !n)
		EXPECT_NO_EVENT(c);
	else
		EXPECT_ONE_EVENT(c, "dev-change", c->a, GPUPART_MODE_PARTITION, n);
}

TEST_HARNESS_MAIN
