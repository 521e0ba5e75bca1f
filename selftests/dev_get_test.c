// SPDX-License-Identifier: GPL-2.0
/*
 * DEV_GET: the devices the gpupart family reports, checked against sysfs,
 * and the errors it gives for requests it cannot serve.
 */
#include <unistd.h>
#include <netlink/genl/genl.h>

#include "kselftest_harness.h"
#include "gpupart_test.h"

struct dev_set {
	struct gpnl_dev devs[GP_MAX_DEVS];
	int n;
};

static int dev_add(const struct gpnl_dev *d, void *arg)
{
	struct dev_set *s = arg;

	if (s->n == GP_MAX_DEVS)
		return -ENOSPC;
	s->devs[s->n++] = *d;
	return 0;
}

static bool gp_dev_equal(const struct gpnl_dev *a, const struct gpnl_dev *b)
{
	return !strcmp(a->pci, b->pci) && !strcmp(a->model, b->model) &&
	       a->vendor == b->vendor && a->device == b->device &&
	       a->subsys_vendor == b->subsys_vendor &&
	       a->subsys_device == b->subsys_device &&
	       a->total_vfs == b->total_vfs && a->has_fb == b->has_fb &&
	       a->fb_bytes == b->fb_bytes && a->mode == b->mode &&
	       a->n_counts == b->n_counts &&
	       !memcmp(a->counts, b->counts, a->n_counts * sizeof(a->counts[0]));
}

FIXTURE(gp)
{
	struct gpnl nl;
	int open_rc;
	struct dev_set dump;
	char bound[GP_MAX_DEVS][32];
	int n_bound;
};

FIXTURE_SETUP(gp)
{
	self->open_rc = gp_open(&self->nl);
	ASSERT_TRUE(self->open_rc == 0 || self->open_rc == -ENOENT);
	if (!self->open_rc)
		ASSERT_EQ(0, gpnl_dev_get(&self->nl, NULL, dev_add, &self->dump));
	self->n_bound = gp_sysfs_bound(self->bound, GP_MAX_DEVS);
}

FIXTURE_TEARDOWN(gp)
{
	gpnl_close(&self->nl);
}

#define NEED_MODULE() do {						\
	if (self->open_rc)						\
		SKIP(return, "gpupart module not loaded");		\
} while (0)

#define NEED_DEVICES() do {						\
	NEED_MODULE();							\
	if (!self->n_bound)						\
		SKIP(return, "no SR-IOV capable device bound to gpupart"); \
} while (0)

/* The dump holds exactly the devices sysfs shows bound to gpupart. */
TEST_F(gp, dump_lists_bound_devices)
{
	int i, j;

	NEED_DEVICES();
	ASSERT_EQ(self->n_bound, self->dump.n);
	for (i = 0; i < self->n_bound; i++) {
		for (j = 0; j < self->dump.n; j++)
			if (!strcmp(self->bound[i], self->dump.devs[j].pci))
				break;
		EXPECT_LT(j, self->dump.n)
			TH_LOG("%s is bound but not in the dump", self->bound[i]);
	}
	/* Sorted by address, so dumps and tie-breaks are stable. */
	for (j = 1; j < self->dump.n; j++)
		EXPECT_LT(strcmp(self->dump.devs[j - 1].pci, self->dump.devs[j].pci), 0);
}

/* Every reported field equals what sysfs says of the same device. */
TEST_F(gp, dump_matches_sysfs)
{
	int j;

	NEED_DEVICES();
	for (j = 0; j < self->dump.n; j++) {
		const struct gpnl_dev *d = &self->dump.devs[j];

		TH_LOG("checking %s", d->pci);
		EXPECT_EQ(gp_sysfs_num(d->pci, "vendor"), d->vendor);
		EXPECT_EQ(gp_sysfs_num(d->pci, "device"), d->device);
		EXPECT_EQ(gp_sysfs_num(d->pci, "subsystem_vendor"), d->subsys_vendor);
		EXPECT_EQ(gp_sysfs_num(d->pci, "subsystem_device"), d->subsys_device);
		EXPECT_EQ(gp_sysfs_num(d->pci, "sriov_totalvfs"), d->total_vfs);
		EXPECT_EQ(GPUPART_MODE_NONE, d->mode);
		EXPECT_EQ(0, gp_sysfs_num(d->pci, "sriov_numvfs"));
	}
}

/*
 * Stand-ins added with ids= have no known model: no framebuffer, and every
 * power of two up to sriov_totalvfs is a valid count.
 */
TEST_F(gp, unknown_model_counts)
{
	unsigned int i;
	int j, checked = 0;

	NEED_DEVICES();
	for (j = 0; j < self->dump.n; j++) {
		const struct gpnl_dev *d = &self->dump.devs[j];
		uint32_t want = 1;

		if (strcmp(d->model, "unknown"))
			continue;
		checked++;
		EXPECT_FALSE(d->has_fb);
		for (i = 0; i < d->n_counts; i++, want *= 2)
			EXPECT_EQ(want, d->counts[i]);
		EXPECT_GT(want, d->total_vfs);	/* none left out */
	}
	if (!checked)
		SKIP(return, "no device of unknown model bound");
}

/* A do request returns the same device as the dump. */
TEST_F(gp, do_matches_dump)
{
	int j;

	NEED_DEVICES();
	for (j = 0; j < self->dump.n; j++) {
		struct dev_set one = { .n = 0 };

		ASSERT_EQ(0, gpnl_dev_get(&self->nl, self->dump.devs[j].pci,
					  dev_add, &one));
		ASSERT_EQ(1, one.n);
		EXPECT_TRUE(gp_dev_equal(&one.devs[0], &self->dump.devs[j]));
	}
}

/* Reading needs no privilege. */
TEST_F(gp, dump_unprivileged)
{
	struct dev_set s = { .n = 0 };
	struct gpnl nl;

	NEED_MODULE();
	if (geteuid() == 0)
		ASSERT_EQ(0, setresuid(65534, 65534, 65534));
	ASSERT_EQ(0, gp_open(&nl));
	EXPECT_EQ(0, gpnl_dev_get(&nl, NULL, dev_add, &s));
	EXPECT_EQ(self->dump.n, s.n);
	gpnl_close(&nl);
}

TEST_F(gp, unknown_device)
{
	NEED_MODULE();
	EXPECT_EQ(-ENODEV, gpnl_dev_get(&self->nl, "0000:ff:1f.7", dev_add,
					&self->dump));
	EXPECT_STREQ("no GPU bound to gpupart at 0000:ff:1f.7", self->nl.err);
}

TEST_F(gp, malformed_address)
{
	static const char *const bad[] = {
		"banana", "0000:01:00", "0000:01:00.0x", "0000-01-00.0",
		"0000:01:00.0:", "0000:0G:00.0", "0000:01:00.0 ", "0000:01:00:0",
		"", "0000:01:AB.0",
	};
	unsigned int i;

	NEED_MODULE();
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		TH_LOG("address \"%s\"", bad[i]);
		EXPECT_EQ(-EINVAL, gpnl_dev_get(&self->nl, bad[i], dev_add,
						&self->dump));
		EXPECT_STREQ("PCI address must look like 0000:01:00.0",
			     self->nl.err);
	}
}

/* Send a hand-made DEV_GET do request; return the kernel's errno. */
static int dev_get_raw(struct gpnl *nl, int attr, const void *data, int len)
{
	struct nl_msg *msg = gpnl_msg(nl, GPUPART_CMD_DEV_GET, 0);

	if (!msg)
		return -ENOMEM;
	if (attr && nla_put(msg, attr, len, data)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	return gpnl_exec(nl, msg, NULL, NULL);
}

TEST_F(gp, missing_address)
{
	NEED_MODULE();
	EXPECT_EQ(-EINVAL, dev_get_raw(&self->nl, 0, NULL, 0));
	EXPECT_STREQ("a PCI address (pci-addr) is required", self->nl.err);
}

/* The policy refuses what the handler must never see; the core says why. */
TEST_F(gp, policy_rejects)
{
	char longaddr[GPUPART_PCI_ADDR_MAX_LEN + 8];
	const char unterminated[4] = { '0', '0', '0', '0' };
	uint32_t v = 1;

	NEED_MODULE();
	memset(longaddr, '0', sizeof(longaddr) - 1);
	longaddr[sizeof(longaddr) - 1] = '\0';
	EXPECT_EQ(-EINVAL, dev_get_raw(&self->nl, GPUPART_A_PCI_ADDR,
				       longaddr, sizeof(longaddr)));
	EXPECT_NE('\0', self->nl.err[0]);
	EXPECT_EQ(-EINVAL, dev_get_raw(&self->nl, GPUPART_A_PCI_ADDR,
				       unterminated, sizeof(unterminated)));
	EXPECT_NE('\0', self->nl.err[0]);
	/* An attribute the operation does not take. */
	EXPECT_EQ(-EINVAL, dev_get_raw(&self->nl, GPUPART_A_MODE, &v, sizeof(v)));
	EXPECT_NE('\0', self->nl.err[0]);
	/* An attribute type past the family's last. */
	EXPECT_EQ(-EINVAL, dev_get_raw(&self->nl, GPUPART_A_MAX + 1, &v, sizeof(v)));
	EXPECT_NE('\0', self->nl.err[0]);
}

/* A command the family does not have. */
TEST_F(gp, unknown_command)
{
	struct nl_msg *msg;

	NEED_MODULE();
	msg = gpnl_msg(&self->nl, GPUPART_CMD_MAX + 1, 0);
	ASSERT_NE(NULL, msg);
	EXPECT_EQ(-EOPNOTSUPP, gpnl_exec(&self->nl, msg, NULL, NULL));
}

TEST_HARNESS_MAIN
