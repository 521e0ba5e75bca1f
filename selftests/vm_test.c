// SPDX-License-Identifier: GPL-2.0
/*
 * VM assignment: kernel-placed partitions (spread and pack), one partition
 * per VM, exhaustion, VM names, scrubbing between tenants, quarantine,
 * the module reference while VMs hold GPUs, and many VMs at once.
 */
#include <pthread.h>
#include <fcntl.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "gpupart_test.h"
#include "gpupart_ctx.h"

FIXTURE(vm) {
	struct ctx c;
	unsigned int n;		/* GPUs partitioned, 4 partitions each */
};

FIXTURE_SETUP(vm)
{
	int i;

	ctx_setup(&self->c);
	if (self->c.skip)
		return;
	if (self->c.n_same < 2) {
		self->c.skip = "needs two GPUs of one model";
		return;
	}
	gpnl_host_set(&self->c.nl, GPUPART_PLACEMENT_SPREAD);
	for (i = 0; i < self->c.n_same; i++)
		if (!gpnl_dev_set(&self->c.nl, self->c.same[i],
				  GPUPART_MODE_PARTITION, 4, true))
			self->n++;
	events(&self->c, &(struct evlog){ 0 }, 300);
}

FIXTURE_TEARDOWN(vm)
{
	gpnl_host_set(&self->c.nl, GPUPART_PLACEMENT_SPREAD);
	ctx_teardown(&self->c);
}

/* Partition @idx of @pci as DEV_GET shows it. */
static int part_of(struct gpnl *nl, const char *pci, uint32_t idx,
		   struct gpnl_part *p)
{
	struct gpnl_dev *d = gp_dev(nl, pci);
	int rc = -ENOENT;

	if (d && idx < d->n_parts) {
		*p = d->parts[idx];
		rc = 0;
	}
	free(d);
	return rc;
}

/* How many partitions of @pci are in @state. */
static unsigned int count_state(struct gpnl *nl, const char *pci, uint32_t state)
{
	struct gpnl_dev *d = gp_dev(nl, pci);
	unsigned int i, n = 0;

	for (i = 0; d && i < d->n_parts; i++)
		n += d->parts[i].state == state;
	free(d);
	return n;
}

/* How many partitions of @pci are releasing or scrubbing, in one look. */
static unsigned int count_busy(struct gpnl *nl, const char *pci)
{
	struct gpnl_dev *d = gp_dev(nl, pci);
	unsigned int i, n = 0;

	for (i = 0; d && i < d->n_parts; i++)
		n += d->parts[i].state == GPUPART_PARTITION_STATE_SCRUBBING ||
		     d->parts[i].state == GPUPART_PARTITION_STATE_RELEASING;
	free(d);
	return n;
}

/*
 * Wait up to 10 s for no partition anywhere to be releasing or scrubbing.
 * One look a GPU: two could each miss a partition going from one state
 * to the other between them.
 */
static void wait_scrubbed(struct ctx *c)
{
	int tries, i;
	bool busy = true;

	for (tries = 0; busy && tries < 100; tries++) {
		busy = false;
		for (i = 0; i < c->n_same; i++)
			busy |= count_busy(&c->nl, c->same[i]) > 0;
		if (busy)
			usleep(100000);
	}
}

static int vm_count(const struct gpnl_vm *vm, void *arg)
{
	(void)vm;
	(*(int *)arg)++;
	return 0;
}

TEST_F(vm, assign_and_release)
{
	struct ctx *c = &self->c;
	struct gpnl_vm vm, got;
	struct gpnl_part p;
	struct evlog l;

	SKIP_IF_UNFIT(c);
	ASSERT_EQ(0, gpnl_vm_assign(&c->nl, "web-01", 0, NULL, NULL, &vm));
	EXPECT_STREQ("web-01", vm.name);
	EXPECT_EQ(GPUPART_KIND_PARTITION, vm.kind);
	ASSERT_EQ(1, vm.n);
	ASSERT_TRUE(vm.a[0].has_index);
	ASSERT_EQ(0, part_of(&c->nl, vm.a[0].dev, vm.a[0].index, &p));
	EXPECT_EQ(GPUPART_PARTITION_STATE_ASSIGNED, p.state);
	EXPECT_STREQ("web-01", p.vm);
	EXPECT_STREQ(p.vf, vm.a[0].vf);
	events(c, &l, 300);
	ASSERT_EQ(2, l.n);
	EXPECT_STREQ("vm-assign", l.e[0].name);
	EXPECT_STREQ("dev-change", l.e[1].name);

	ASSERT_EQ(0, gpnl_vm_get(&c->nl, "web-01", gp_vm_one_cb, &got));
	EXPECT_STREQ(vm.a[0].dev, got.a[0].dev);
	EXPECT_EQ(vm.a[0].index, got.a[0].index);

	/*
	 * Release returns at once; the partition is released (its driver
	 * lets go), scrubbed, then free, and each step is a dev-change.
	 */
	ASSERT_EQ(0, gpnl_vm_release(&c->nl, "web-01"));
	ASSERT_EQ(0, part_of(&c->nl, vm.a[0].dev, vm.a[0].index, &p));
	EXPECT_TRUE(p.state == GPUPART_PARTITION_STATE_RELEASING ||
		    p.state == GPUPART_PARTITION_STATE_SCRUBBING) TH_LOG("state %u", p.state);
	EXPECT_STREQ("", p.vm);
	wait_scrubbed(c);
	ASSERT_EQ(0, part_of(&c->nl, vm.a[0].dev, vm.a[0].index, &p));
	EXPECT_EQ(GPUPART_PARTITION_STATE_FREE, p.state);
	events(c, &l, 300);
	ASSERT_EQ(5, l.n);
	EXPECT_STREQ("vm-release", l.e[0].name);
	EXPECT_STREQ("dev-change", l.e[1].name);
	EXPECT_STREQ("dev-change", l.e[2].name);
	EXPECT_STREQ("partition-scrubbed", l.e[3].name);
	EXPECT_STREQ("dev-change", l.e[4].name);

	EXPECT_EQ(-ENOENT, gpnl_vm_get(&c->nl, "web-01", gp_vm_one_cb, &got));
	EXPECT_STREQ("VM web-01 holds nothing", c->nl.err);
	EXPECT_EQ(-ENOENT, gpnl_vm_release(&c->nl, "web-01"));
	EXPECT_STREQ("VM web-01 holds nothing", c->nl.err);
}

/* Assign 2 VMs per GPU and count where they went. */
static void place(struct ctx *c, unsigned int n_vms, unsigned int *per_gpu)
{
	struct gpnl_vm vm;
	unsigned int i;
	int g;
	char name[16];

	memset(per_gpu, 0, 8 * sizeof(*per_gpu));
	for (i = 0; i < n_vms; i++) {
		snprintf(name, sizeof(name), "vm%u", i);
		if (gpnl_vm_assign(&c->nl, name, 0, NULL, NULL, &vm) || vm.n != 1)
			continue;
		for (g = 0; g < c->n_same; g++)
			if (!strcmp(vm.a[0].dev, c->same[g]))
				per_gpu[g]++;
	}
}

TEST_F(vm, placement_spread)
{
	unsigned int per_gpu[8], g;

	SKIP_IF_UNFIT(&self->c);
	place(&self->c, 2 * self->n, per_gpu);
	for (g = 0; g < self->n; g++)
		EXPECT_EQ(2, per_gpu[g]) TH_LOG("GPU %s", self->c.same[g]);
}

/* A policy that does not exist: the netlink policy's range check refuses it. */
TEST_F(vm, placement_out_of_range)
{
	struct ctx *c = &self->c;

	SKIP_IF_UNFIT(c);
	EXPECT_REFUSED(c, gpnl_host_set(&c->nl, GPUPART_PLACEMENT_MAX + 1), -ERANGE,
		       "integer out of range");
	EXPECT_REFUSED(c, gpnl_host_set(&c->nl, 0), -ERANGE, "integer out of range");
}

TEST_F(vm, placement_pack)
{
	unsigned int per_gpu[8], g, left;
	struct gpnl_host h;

	SKIP_IF_UNFIT(&self->c);
	ASSERT_EQ(0, gpnl_host_set(&self->c.nl, GPUPART_PLACEMENT_PACK));
	ASSERT_EQ(0, gpnl_host_get(&self->c.nl, &h));
	EXPECT_EQ(GPUPART_PLACEMENT_PACK, h.placement);
	place(&self->c, 2 * self->n, per_gpu);
	/* Fill the first GPU, then the next, by address. */
	for (left = 2 * self->n, g = 0; g < self->n; g++) {
		EXPECT_EQ(left > 4 ? 4 : left, per_gpu[g]) TH_LOG("GPU %s", self->c.same[g]);
		left -= left > 4 ? 4 : left;
	}
}

TEST_F(vm, one_partition_per_vm)
{
	struct ctx *c = &self->c;
	struct gpnl_vm vm;
	char why[128];

	SKIP_IF_UNFIT(c);
	ASSERT_EQ(0, gpnl_vm_assign(&c->nl, "db-7", 0, NULL, NULL, &vm));
	events(c, &(struct evlog){ 0 }, 300);
	snprintf(why, sizeof(why), "VM db-7 already holds partition %u of %s",
		 vm.a[0].index, vm.a[0].dev);
	EXPECT_REFUSED(c, gpnl_vm_assign(&c->nl, "db-7", 0, NULL, NULL, NULL), -EEXIST, why);
	/* The caller cannot pick: a named GPU is refused for partitions. */
	EXPECT_REFUSED(c, gpnl_vm_assign(&c->nl, "db-8", 0, c->a, NULL, NULL), -EINVAL,
		       "partitions are placed by the kernel; a GPU cannot be named");
	EXPECT_NO_EVENT(c);
}

TEST_F(vm, exhaustion)
{
	struct ctx *c = &self->c;
	unsigned int per_gpu[8], i;
	char why[96];
	int n = 0;

	SKIP_IF_UNFIT(c);
	place(c, 4 * self->n, per_gpu);
	gpnl_vm_get(&c->nl, NULL, vm_count, &n);
	ASSERT_EQ(4 * self->n, (unsigned int)n);
	for (i = 0; i < self->n; i++)
		EXPECT_EQ(4, per_gpu[i]);
	events(c, &(struct evlog){ 0 }, 300);
	snprintf(why, sizeof(why), "all %u partitions on %u GPUs are assigned",
		 4 * self->n, self->n);
	EXPECT_REFUSED(c, gpnl_vm_assign(&c->nl, "one-too-many", 0, NULL, NULL, NULL), -ENOSPC, why);
	EXPECT_NO_EVENT(c);
}

/* Send a VM_ASSIGN whose name is @len raw bytes. */
static int assign_raw(struct gpnl *nl, const char *name, int len)
{
	struct nl_msg *msg = gpnl_msg(nl, GPUPART_CMD_VM_ASSIGN, 0);

	if (!msg)
		return -ENOMEM;
	if (nla_put(msg, GPUPART_A_VM, len, name)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	return gpnl_exec(nl, msg, NULL, NULL);
}

/*
 * A name the policy passes (a NUL-terminated string of at most 64 bytes)
 * is still checked by the handler; one the policy refuses never gets there.
 */
TEST_F(vm, bad_names_refused)
{
	static const char handler[] = "VM name must be 1-64 characters of A-Z a-z 0-9 . _ : @ -";
	static const char policy[] = "Attribute failed policy validation";
	static const struct { const char *name; int len; const char *why; } bad[] = {
		{ "", 1, handler },
		{ "", 0, policy },
		{ "bad name", 9, handler },
		{ "a/b", 4, handler },
		{ "semi;colon", 11, handler },
		{ "tab\t", 5, handler },
		{ "caf\xc3\xa9", 6, handler },
		{ "ab\0cd", 6, handler },	/* a NUL inside */
		{ "abc", 3, policy },		/* no NUL at the end */
		{ "0123456789012345678901234567890123456789012345678901234567890123x", 66, policy },
		{ "abc", 4, NULL },		/* fine */
	};
	struct ctx *c = &self->c;
	struct snap before, after;
	unsigned int i;
	int n = 0;
	char ok64[65];

	SKIP_IF_UNFIT(c);
	snap_take(&c->nl, &before);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		TH_LOG("name #%u", i);
		EXPECT_EQ(bad[i].why ? -EINVAL : 0,
			  assign_raw(&c->nl, bad[i].name, bad[i].len));
		if (bad[i].why)
			EXPECT_STREQ(bad[i].why, c->nl.err);
	}
	EXPECT_EQ(0, gpnl_vm_release(&c->nl, "abc"));
	/* Every allowed character, 64 of them. */
	memset(ok64, 'x', 64);
	memcpy(ok64, "Az09._:@-", 9);
	ok64[64] = '\0';
	EXPECT_EQ(0, gpnl_vm_assign(&c->nl, ok64, 0, NULL, NULL, NULL));
	EXPECT_EQ(0, gpnl_vm_release(&c->nl, ok64));
	wait_scrubbed(c);
	gpnl_vm_get(&c->nl, NULL, vm_count, &n);
	EXPECT_EQ(0, n);
	snap_take(&c->nl, &after);
	EXPECT_TRUE(snap_same(&before, &after));
}

/* The command register of a VF, through its sysfs config file. */
static int vf_command(const char *vf, uint16_t *val, bool write)
{
	char path[96];
	int fd, rc;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/config", vf);
	fd = open(path, write ? O_WRONLY : O_RDONLY);
	if (fd < 0)
		return -errno;
	rc = write ? pwrite(fd, val, 2, PCI_COMMAND_OFF) : pread(fd, val, 2, PCI_COMMAND_OFF);
	close(fd);
	return rc == 2 ? 0 : -EIO;
}

/* A tenant's state does not reach the next: the VF is really reset. */
TEST_F(vm, scrub_resets_the_vf)
{
	struct ctx *c = &self->c;
	uint16_t cmd = 0x6, got = 0;	/* memory space and bus master */
	struct gpnl_vm vm;

	SKIP_IF_UNFIT(c);
	ASSERT_EQ(0, gpnl_vm_assign(&c->nl, "tenant-a", 0, NULL, NULL, &vm));
	ASSERT_EQ(0, vf_command(vm.a[0].vf, &cmd, true));
	ASSERT_EQ(0, vf_command(vm.a[0].vf, &got, false));
	ASSERT_NE(0, got & 0x4) TH_LOG("bus master did not stick: %#x", got);
	ASSERT_EQ(0, gpnl_vm_release(&c->nl, "tenant-a"));
	wait_scrubbed(c);
	ASSERT_EQ(0, vf_command(vm.a[0].vf, &got, false));
	EXPECT_EQ(0, got & 0x4) TH_LOG("command register %#x after the reset", got);
}

/* A failed reset quarantines the partition; it is never handed out. */
TEST_F(vm, quarantine)
{
	struct ctx *c = &self->c;
	struct gpnl_vm vm, other;
	struct gpnl_part p;
	struct evlog l;
	unsigned int i;
	char name[16], why[64];
	int rc;

	SKIP_IF_UNFIT(c);
	if (access(FAIL_RESET, W_OK))
		SKIP(return, "no %s (debugfs not mounted?)", FAIL_RESET);
	ASSERT_EQ(0, gpnl_vm_assign(&c->nl, "victim", 0, NULL, NULL, &vm));
	ASSERT_EQ(0, gp_write(FAIL_RESET, "1"));
	events(c, &l, 200);
	ASSERT_EQ(0, gpnl_vm_release(&c->nl, "victim"));
	wait_scrubbed(c);
	ASSERT_EQ(0, part_of(&c->nl, vm.a[0].dev, vm.a[0].index, &p));
	EXPECT_EQ(GPUPART_PARTITION_STATE_QUARANTINED, p.state);
	events(c, &l, 300);
	ASSERT_LE(4, l.n);
	EXPECT_STREQ("partition-quarantined", l.e[3].name);

	/* Fill every other partition: the quarantined one is never picked. */
	for (i = 0; i < 4 * self->n; i++) {
		snprintf(name, sizeof(name), "fill%u", i);
		rc = gpnl_vm_assign(&c->nl, name, 0, NULL, NULL, &other);
		if (rc)
			break;
		EXPECT_FALSE(!strcmp(other.a[0].dev, vm.a[0].dev) &&
			     other.a[0].index == vm.a[0].index);
	}
	EXPECT_EQ(4 * self->n - 1, i);
	EXPECT_EQ(-ENOSPC, rc);
	snprintf(name, sizeof(name), "%u", 4 * self->n - 1);
	EXPECT_NE(NULL, strstr(c->nl.err, "1 quarantined")) TH_LOG("%s", c->nl.err);

	/*
	 * Only a quarantined partition can be cleared; clearing resets it
	 * in the background, and the answer comes at once.
	 */
	snprintf(why, sizeof(why), "partition %u is not quarantined", (vm.a[0].index + 1) % 4);
	EXPECT_REFUSED(c, gpnl_partition_clear(&c->nl, vm.a[0].dev, (vm.a[0].index + 1) % 4),
		       -EINVAL, why);
	EXPECT_EQ(0, gpnl_partition_clear(&c->nl, vm.a[0].dev, vm.a[0].index));
	wait_scrubbed(c);
	ASSERT_EQ(0, part_of(&c->nl, vm.a[0].dev, vm.a[0].index, &p));
	EXPECT_EQ(GPUPART_PARTITION_STATE_FREE, p.state);
	EXPECT_EQ(0, gpnl_vm_assign(&c->nl, "after-clear", 0, NULL, NULL, &other));
	EXPECT_STREQ(vm.a[0].dev, other.a[0].dev);
	EXPECT_EQ(vm.a[0].index, other.a[0].index);
}

/* A GPU whose partition a VM holds does not leave mode partition. */
TEST_F(vm, busy_while_assigned)
{
	struct ctx *c = &self->c;
	struct snap before, after;
	struct gpnl_vm vm;
	char why[96];

	SKIP_IF_UNFIT(c);
	ASSERT_EQ(0, gpnl_vm_assign(&c->nl, "web-01", 0, NULL, NULL, &vm));
	snprintf(why, sizeof(why), "partition %u is assigned to VM web-01; release it first",
		 vm.a[0].index);
	EXPECT_REFUSED(c, gpnl_dev_set(&c->nl, vm.a[0].dev, GPUPART_MODE_NONE, 0, false),
		       -EBUSY, why);
	if (strcmp(gp_home_driver(), "gpupart")) {
		/*
		 * The other door is the vendor driver's, which gpupart cannot
		 * veto: it contains it. The VM loses its partition, with its
		 * reason, and the GPU whose VFs went is in mode none.
		 */
		struct gpnl_dev *d;
		struct gpnl_vm got;
		int tries = 300;

		EXPECT_EQ(0, gp_set_numvfs(vm.a[0].dev, 0));
		/* Contained in the background, once the VFs are gone. */
		while (!gpnl_vm_get(&c->nl, "web-01", gp_vm_one_cb, &got) && --tries)
			usleep(100000);
		EXPECT_EQ(-ENOENT, gpnl_vm_get(&c->nl, "web-01", gp_vm_one_cb, &got));
		d = gp_dev(&c->nl, vm.a[0].dev);
		ASSERT_NE(NULL, d);
		EXPECT_EQ(GPUPART_MODE_NONE, d->mode);
		free(d);
		return;
	}
	/* The other door: no extack there, the same refusal. */
	snap_take(&c->nl, &before);
	EXPECT_EQ(-EBUSY, gp_set_numvfs(vm.a[0].dev, 0));
	snap_take(&c->nl, &after);
	EXPECT_TRUE(snap_same(&before, &after));
}

/* While a VM holds a GPU resource, rmmod gpupart is refused. */
TEST_F(vm, module_pinned_while_assigned)
{
	struct ctx *c = &self->c;
	char buf[16];

	SKIP_IF_UNFIT(c);
	ASSERT_STREQ("0", gp_read("../../../module/gpupart", "refcnt", buf, sizeof(buf)));
	ASSERT_EQ(0, gpnl_vm_assign(&c->nl, "pin", 0, NULL, NULL, NULL));
	EXPECT_STREQ("1", gp_read("../../../module/gpupart", "refcnt", buf, sizeof(buf)));
	EXPECT_NE(0, system("rmmod gpupart 2>/dev/null"));
	EXPECT_EQ(0, access("/sys/module/gpupart", F_OK));
	/* Released, the partition keeps gpupart loaded until it is free. */
	ASSERT_EQ(0, gpnl_vm_release(&c->nl, "pin"));
	wait_scrubbed(c);
	EXPECT_STREQ("0", gp_read("../../../module/gpupart", "refcnt", buf, sizeof(buf)));
}

TEST_F(vm, unprivileged_refused)
{
	struct ctx *c = &self->c;
	int status;
	pid_t pid;

	SKIP_IF_UNFIT(c);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct gpnl nl;
		int ok = 0;

		if (setresuid(65534, 65534, 65534) || gp_open(&nl))
			_exit(0);
		ok |= (gpnl_vm_assign(&nl, "x", 0, NULL, NULL, NULL) == -EPERM) << 0;
		ok |= (gpnl_vm_release(&nl, "x") == -EPERM) << 1;
		ok |= (gpnl_host_set(&nl, GPUPART_PLACEMENT_PACK) == -EPERM) << 2;
		_exit(ok);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(7, WEXITSTATUS(status));
}

/* The driver a PCI device is bound to, "" when none. */
static const char *driver(const char *pci)
{
	static char buf[64];

	return gp_link(pci, "driver", buf, sizeof(buf));
}

/* Wait up to 30 s for whole GPU @pci to be back at home after a release. */
static void wait_returned(struct ctx *c, const char *pci)
{
	struct gpnl_dev *d;
	bool back = false;
	int tries;

	for (tries = 0; !back && tries < 300; tries++) {
		d = gp_dev(&c->nl, pci);
		back = d && !d->releasing && !strcmp(driver(pci), gp_home_driver());
		free(d);
		if (!back)
			usleep(100000);
	}
}

/* A whole GPU: handed to vfio-pci, kept from the host, given back reset. */
TEST_F(vm, dda_assign_and_release)
{
	struct ctx *c = &self->c;
	struct gpnl_vm vm, got;
	struct gpnl_dev *d;
	struct evlog l;
	char buf[64];

	SKIP_IF_UNFIT(c);
	if (!c->other[0] || access("/sys/bus/pci/drivers/vfio-pci", F_OK))
		SKIP(return, "needs a GPU of another model and vfio-pci");
	ASSERT_EQ(0, gpnl_dev_set(&c->nl, c->other, GPUPART_MODE_DDA, 0, false));
	events(c, &l, 300);
	ASSERT_EQ(0, gpnl_vm_assign(&c->nl, "big-1", GPUPART_KIND_DDA, NULL, NULL, &vm));
	EXPECT_EQ(GPUPART_KIND_DDA, vm.kind);
	ASSERT_EQ(1, vm.n);
	EXPECT_STREQ(c->other, vm.a[0].dev);
	EXPECT_FALSE(vm.a[0].has_index);
	EXPECT_STREQ("vfio-pci", driver(c->other));
	events(c, &l, 300);
	ASSERT_EQ(2, l.n);
	EXPECT_STREQ("vm-assign", l.e[0].name);
	EXPECT_STREQ("dev-change", l.e[1].name);

	/* gpupart keeps the record: the GPU cannot change mode meanwhile. */
	d = gp_dev(&c->nl, c->other);
	ASSERT_NE(NULL, d);
	EXPECT_EQ(GPUPART_MODE_DDA, d->mode);
	EXPECT_STREQ("big-1", d->vm);
	free(d);
	EXPECT_EQ(-EBUSY, gpnl_dev_set(&c->nl, c->other, GPUPART_MODE_NONE, 0, false));
	EXPECT_STREQ("passed through to VM big-1; release it first", c->nl.err);
	ASSERT_EQ(0, gpnl_vm_get(&c->nl, "big-1", gp_vm_one_cb, &got));
	EXPECT_EQ(GPUPART_KIND_DDA, got.kind);
	EXPECT_STREQ("1", gp_read("../../../module/gpupart", "refcnt", buf, sizeof(buf)));

	/* The release answers at once; the GPU comes back in the background. */
	ASSERT_EQ(0, gpnl_vm_release(&c->nl, "big-1"));
	EXPECT_EQ(-ENOENT, gpnl_vm_get(&c->nl, "big-1", gp_vm_one_cb, &got));
	wait_returned(c, c->other);
	EXPECT_STREQ(gp_home_driver(), driver(c->other));
	EXPECT_STREQ("(null)", gp_read(c->other, "driver_override", buf, sizeof(buf)));
	d = gp_dev(&c->nl, c->other);
	ASSERT_NE(NULL, d);
	EXPECT_STREQ("", d->vm);
	free(d);
	EXPECT_STREQ("0", gp_read("../../../module/gpupart", "refcnt", buf, sizeof(buf)));
	EXPECT_EQ(0, gpnl_dev_set(&c->nl, c->other, GPUPART_MODE_NONE, 0, false));
}

/* Which GPU, and the partition-or-whole-GPUs rule. */
TEST_F(vm, dda_rules)
{
	struct ctx *c = &self->c;
	const char *second = c->same[c->n_same - 1];
	struct gpnl_vm vm, got;
	char why[128];

	SKIP_IF_UNFIT(c);
	if (!c->other[0] || access("/sys/bus/pci/drivers/vfio-pci", F_OK))
		SKIP(return, "needs a GPU of another model and vfio-pci");
	EXPECT_REFUSED(c, gpnl_vm_assign(&c->nl, "big-1", GPUPART_KIND_DDA, NULL, NULL, NULL),
		       -ENOSPC, "no GPU in mode dda is free");
	snprintf(why, sizeof(why), "%s is not in mode dda; set it first", c->a);
	EXPECT_REFUSED(c, gpnl_vm_assign(&c->nl, "big-1", GPUPART_KIND_DDA, c->a, NULL, NULL),
		       -EINVAL, why);

	ASSERT_EQ(0, gpnl_dev_set(&c->nl, c->other, GPUPART_MODE_DDA, 0, false));
	ASSERT_EQ(0, gpnl_dev_set(&c->nl, second, GPUPART_MODE_NONE, 0, false));
	ASSERT_EQ(0, gpnl_dev_set(&c->nl, second, GPUPART_MODE_DDA, 0, false));
	/* A VM with a partition gets no whole GPU, and the other way round. */
	ASSERT_EQ(0, gpnl_vm_assign(&c->nl, "small-1", 0, NULL, NULL, NULL));
	EXPECT_REFUSED(c, gpnl_vm_assign(&c->nl, "small-1", GPUPART_KIND_DDA, NULL, NULL, NULL),
		       -EBUSY, "VM small-1 holds a partition; it cannot also hold a whole GPU");
	/* A named GPU; then any free one: one VM may hold several. */
	ASSERT_EQ(0, gpnl_vm_assign(&c->nl, "big-1", GPUPART_KIND_DDA, c->other, NULL, &vm));
	EXPECT_STREQ(c->other, vm.a[0].dev);
	snprintf(why, sizeof(why), "%s is held by VM big-1", c->other);
	EXPECT_REFUSED(c, gpnl_vm_assign(&c->nl, "big-2", GPUPART_KIND_DDA, c->other, NULL, NULL),
		       -EBUSY, why);
	ASSERT_EQ(0, gpnl_vm_assign(&c->nl, "big-1", GPUPART_KIND_DDA, NULL, NULL, &vm));
	ASSERT_EQ(1, vm.n);
	EXPECT_STREQ(second, vm.a[0].dev);
	EXPECT_REFUSED(c, gpnl_vm_assign(&c->nl, "big-1", 0, NULL, NULL, NULL),
		       -EBUSY, "VM big-1 holds whole GPUs; it cannot also hold a partition");
	/* restore-vf names a partition, never a whole GPU. */
	EXPECT_REFUSED(c, gpnl_vm_assign(&c->nl, "big-3", GPUPART_KIND_DDA, NULL,
					      "0000:00:00.1", NULL),
		       -EINVAL, "restore-vf names a partition; a whole GPU is named by pci-addr");
	ASSERT_EQ(0, gpnl_vm_get(&c->nl, "big-1", gp_vm_one_cb, &got));
	EXPECT_EQ(2, got.n);
	EXPECT_EQ(0, gpnl_vm_release(&c->nl, "big-1"));
	wait_returned(c, c->other);
	wait_returned(c, second);
	EXPECT_STREQ(gp_home_driver(), driver(c->other));
	EXPECT_STREQ(gp_home_driver(), driver(second));
}

/* Without the passthrough driver a whole GPU is refused; nothing changes. */
TEST_F(vm, dda_needs_passthrough_driver)
{
	struct ctx *c = &self->c;
	int n = 0;

	SKIP_IF_UNFIT(c);
	if (!c->other[0] || access("/sys/bus/pci/drivers/vfio-pci", F_OK))
		SKIP(return, "needs a GPU of another model and vfio-pci");
	reset_all(c);	/* no VF may keep vfio-pci in use */
	if (system("rmmod vfio-pci 2>/dev/null"))
		SKIP(return, "vfio-pci cannot be unloaded here");
	ASSERT_EQ(0, gpnl_dev_set(&c->nl, c->other, GPUPART_MODE_DDA, 0, false));
	EXPECT_REFUSED(c, gpnl_vm_assign(&c->nl, "big-1", GPUPART_KIND_DDA, NULL, NULL, NULL),
		       -ENOENT, "passthrough driver vfio-pci is not loaded");
	EXPECT_STREQ(gp_home_driver(), driver(c->other));
	gpnl_vm_get(&c->nl, NULL, vm_count, &n);
	EXPECT_EQ(0, n);
	EXPECT_EQ(0, system("modprobe vfio-pci"));
}

/* Many VMs assign and release at once: never two on one partition. */
#define THREADS	8
#define ROUNDS	15

struct race {
	pthread_mutex_t lock;
	char holder[8][64][16];	/* [GPU][partition] = VM name, or "" */
	struct ctx *c;
	int conflicts, errors;
};

struct racer {
	struct race *r;
	int id;
};

static int gpu_index(struct ctx *c, const char *pci)
{
	int g;

	for (g = 0; g < c->n_same; g++)
		if (!strcmp(c->same[g], pci))
			return g;
	return -1;
}

static void *race_thread(void *arg)
{
	struct racer *me = arg;
	struct race *r = me->r;
	struct gpnl_vm vm;
	struct gpnl nl;
	char name[16];
	int i, rc, g;

	if (gp_open(&nl)) {
		__atomic_add_fetch(&r->errors, 1, __ATOMIC_SEQ_CST);
		return NULL;
	}
	snprintf(name, sizeof(name), "racer-%d", me->id);
	for (i = 0; i < ROUNDS; i++) {
		rc = gpnl_vm_assign(&nl, name, 0, NULL, NULL, &vm);
		if (rc == -ENOSPC) {	/* all busy or scrubbing: try again */
			usleep(50000);
			continue;
		}
		g = rc ? -1 : gpu_index(r->c, vm.a[0].dev);
		if (g < 0 || vm.n != 1 || vm.a[0].index >= 64) {
			__atomic_add_fetch(&r->errors, 1, __ATOMIC_SEQ_CST);
			break;
		}
		pthread_mutex_lock(&r->lock);
		if (r->holder[g][vm.a[0].index][0])
			r->conflicts++;
		snprintf(r->holder[g][vm.a[0].index], 16, "%s", name);
		pthread_mutex_unlock(&r->lock);
		usleep(1000 * (me->id % 4));
		/* Cleared after the release: the kernel must not hand it on meanwhile. */
		if (gpnl_vm_release(&nl, name))
			__atomic_add_fetch(&r->errors, 1, __ATOMIC_SEQ_CST);
		pthread_mutex_lock(&r->lock);
		r->holder[g][vm.a[0].index][0] = '\0';
		pthread_mutex_unlock(&r->lock);
	}
	gpnl_close(&nl);
	return NULL;
}

TEST_F(vm, concurrent_assign_release)
{
	static struct race r;
	struct racer me[THREADS];
	pthread_t t[THREADS];
	int i, n = 0;

	SKIP_IF_UNFIT(&self->c);
	memset(&r, 0, sizeof(r));
	pthread_mutex_init(&r.lock, NULL);
	r.c = &self->c;
	for (i = 0; i < THREADS; i++) {
		me[i].r = &r;
		me[i].id = i;
		ASSERT_EQ(0, pthread_create(&t[i], NULL, race_thread, &me[i]));
	}
	for (i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	EXPECT_EQ(0, r.conflicts);
	EXPECT_EQ(0, r.errors);
	wait_scrubbed(&self->c);
	gpnl_vm_get(&self->c.nl, NULL, vm_count, &n);
	EXPECT_EQ(0, n);
	for (i = 0; i < (int)self->n; i++)
		EXPECT_EQ(4, count_state(&self->c.nl, self->c.same[i],
					 GPUPART_PARTITION_STATE_FREE));
}

TEST_HARNESS_MAIN
