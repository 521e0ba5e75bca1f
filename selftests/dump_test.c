// SPDX-License-Identifier: GPL-2.0
/*
 * Dumps that never lie: a GPU larger than one dump message is still dumped
 * whole, and a dump that spans several messages while VMs come and go is
 * either exactly one state of the registry or marked interrupted (and read
 * again by libgpupart). Needs two stand-in GPUs of 64 VFs ("make
 * check-big" boots them).
 */
#include <pthread.h>
#include <time.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <netlink/genl/genl.h>

#include "kselftest_harness.h"
#include "gpupart_ctx.h"

#define BIG_VFS		64
/* VMs that stay; the partitions left over are the churn's. */
#define N_STABLE	120
#define N_CHURN		8
#define RAW_BUF		4096

/* Names of the longest length: "m" + padding + "-NNN" sorts after the churn's "a-". */
static void stable_name(char *buf, int i)
{
	snprintf(buf, GPNL_VM_MAX + 1, "m%0*d", GPNL_VM_MAX - 1, i);
}

static void churn_name(char *buf, int i)
{
	snprintf(buf, GPNL_VM_MAX + 1, "a%0*d", GPNL_VM_MAX - 1, i);
}

static bool is_stable(const char *name, int *i)
{
	return name[0] == 'm' && strlen(name) == GPNL_VM_MAX &&
	       (*i = atoi(name + 1)) >= 0 && *i < N_STABLE;
}

static bool is_churn(const char *name, int *i)
{
	return name[0] == 'a' && strlen(name) == GPNL_VM_MAX &&
	       (*i = atoi(name + 1)) >= 0 && *i < N_CHURN;
}

/* What one dump saw of the VMs: each name counted. */
struct seen {
	int stable[N_STABLE], churn[N_CHURN], other;
};

static void seen_add(struct seen *s, const char *name)
{
	int i;

	if (is_stable(name, &i))
		s->stable[i]++;
	else if (is_churn(name, &i))
		s->churn[i]++;
	else
		s->other++;
}

/* One state of the registry: every stable VM once, a churn VM at most once. */
static bool seen_exact(const struct seen *s)
{
	int i;

	for (i = 0; i < N_STABLE; i++)
		if (s->stable[i] != 1)
			return false;
	for (i = 0; i < N_CHURN; i++)
		if (s->churn[i] > 1)
			return false;
	return !s->other;
}

FIXTURE(dump)
{
	struct ctx c;
};

FIXTURE_SETUP(dump)
{
	char name[GPNL_VM_MAX + 1];
	int i;

	ctx_setup(&self->c);
	if (self->c.skip)
		return;
	if (self->c.total_vfs < BIG_VFS || self->c.n_same < 2) {
		self->c.skip = "needs two stand-in GPUs of 64 VFs (make check-big)";
		return;
	}
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, gpnl_dev_set(&self->c.nl, self->c.same[i],
					  GPUPART_MODE_PARTITION, BIG_VFS, true));
	for (i = 0; i < N_STABLE; i++) {
		stable_name(name, i);
		ASSERT_EQ(0, gpnl_vm_assign(&self->c.nl, name, 0, NULL, NULL, NULL))
			TH_LOG("%s: %s", name, self->c.nl.err);
	}
}

FIXTURE_TEARDOWN(dump)
{
	ctx_teardown(&self->c);
}

struct devs_seen {
	struct seen vms;
	int gpus, full, parts_in_order;
};

static int dev_seen(const struct gpnl_dev *d, void *arg)
{
	struct devs_seen *s = arg;
	unsigned int i;
	bool order = true;

	if (d->mode != GPUPART_MODE_PARTITION)
		return 0;
	s->gpus++;
	s->full += d->n_parts == d->count;
	for (i = 0; i < d->n_parts; i++) {
		order &= d->parts[i].index == i;
		if (d->parts[i].vm[0])
			seen_add(&s->vms, d->parts[i].vm);
	}
	s->parts_in_order += order;
	return 0;
}

static int vm_seen(const struct gpnl_vm *vm, void *arg)
{
	seen_add(arg, vm->name);
	return 0;
}

/*
 * A raw dump, read @buflen bytes at a time with @pause_us between reads:
 * the number of messages, whether any was marked interrupted, and (for
 * VM_GET) the VMs seen.
 */
static int raw_dump(struct gpnl *nl, uint8_t cmd, size_t buflen, int pause_us,
		    struct seen *s, bool *intr)
{
	struct {
		struct nlmsghdr nlh;
		struct genlmsghdr g;
	} req = {
		.nlh = { .nlmsg_len = sizeof(req), .nlmsg_type = nl->family,
			 .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = 1 },
		.g = { .cmd = cmd, .version = GPUPART_FAMILY_VERSION },
	};
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	char *buf = malloc(buflen);
	int fd, n, msgs = 0;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0 || !buf ||
	    sendto(fd, &req, sizeof(req), 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0)
		goto fail;
	*intr = false;
	for (;;) {
		struct nlmsghdr *h;

		usleep(pause_us);
		n = recv(fd, buf, buflen, MSG_TRUNC);
		if (n < 0 || n > (int)buflen)
			goto fail;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
			struct nlattr *tb[GPUPART_A_MAX + 1];

			*intr |= !!(h->nlmsg_flags & NLM_F_DUMP_INTR);
			if (h->nlmsg_type == NLMSG_DONE) {
				close(fd);
				free(buf);
				return msgs;
			}
			if (h->nlmsg_type == NLMSG_ERROR)
				goto fail;
			msgs++;
			if (s && !genlmsg_parse(h, 0, tb, GPUPART_A_MAX, NULL) &&
			    tb[GPUPART_A_VM])
				seen_add(s, nla_get_string(tb[GPUPART_A_VM]));
		}
	}
fail:
	if (fd >= 0)
		close(fd);
	free(buf);
	return -1;
}

/*
 * A GPU whose 64 partitions are held by VMs of the longest names does not
 * fit one dump message: a fresh socket's first round has only
 * NLMSG_GOODSIZE. The dump splits it across messages and libgpupart puts
 * it together again.
 */
TEST_F(dump, big_gpu_dumped_whole)
{
	struct devs_seen s = { 0 };
	struct gpnl fresh;
	bool intr;
	int i, msgs;

	if (self->c.skip)
		SKIP(return, "%s", self->c.skip);
	ASSERT_EQ(0, gp_open(&fresh));
	EXPECT_EQ(0, gpnl_dev_get(&fresh, NULL, dev_seen, &s)) TH_LOG("%s", fresh.err);
	gpnl_close(&fresh);
	EXPECT_EQ(2, s.gpus);
	EXPECT_EQ(2, s.full);
	EXPECT_EQ(2, s.parts_in_order);
	EXPECT_TRUE(seen_exact(&s.vms));
	msgs = raw_dump(&self->c.nl, GPUPART_CMD_DEV_GET, RAW_BUF, 0, NULL, &intr);
	TH_LOG("%d GPUs in %d dump messages of at most %d bytes", s.gpus, msgs, RAW_BUF);
	EXPECT_LT(self->c.n_all, msgs);
	/* The do path sizes its reply: one message, every partition. */
	for (i = 0; i < 2; i++) {
		struct gpnl_dev *d = gp_dev(&self->c.nl, self->c.same[i]);

		ASSERT_NE(NULL, d);
		EXPECT_EQ(BIG_VFS, d->n_parts);
		free(d);
	}
}

struct churn {
	struct gpnl nl;
	volatile bool stop;
	int assigned;
};

/* VMs named to sort first come and go: every dump position behind them shifts. */
static void *churn_run(void *arg)
{
	struct churn *ch = arg;
	char name[GPNL_VM_MAX + 1];
	int i = 0;

	while (!ch->stop) {
		churn_name(name, i);
		if (!gpnl_vm_assign(&ch->nl, name, 0, NULL, NULL, NULL))
			ch->assigned++;
		gpnl_vm_release(&ch->nl, name);
		i = (i + 1) % N_CHURN;
	}
	return NULL;
}

/*
 * While VMs sorting first come and go, a reader that takes 4 KiB at a
 * time, slowly, never gets a dump that skips or repeats a VM without the
 * kernel marking it interrupted; libgpupart's dumps, read again when
 * interrupted, are always one state of the registry.
 */
TEST_F(dump, consistent_under_churn)
{
	int raw = 0, clean = 0, marked = 0, lib = 0, retried_out = 0;
	struct churn ch = { 0 };
	time_t end;
	pthread_t t;

	if (self->c.skip)
		SKIP(return, "%s", self->c.skip);
	ASSERT_EQ(0, gp_open(&ch.nl));
	ASSERT_EQ(0, pthread_create(&t, NULL, churn_run, &ch));
	end = time(NULL) + 8;
	while (time(NULL) < end) {
		struct devs_seen ds = { 0 };
		struct seen s = { 0 };
		bool intr;
		int rc;

		ASSERT_LT(0, raw_dump(&self->c.nl, GPUPART_CMD_VM_GET, RAW_BUF, 2000, &s, &intr));
		raw++;
		if (intr) {
			marked++;
		} else {
			clean++;
			EXPECT_TRUE(seen_exact(&s)) TH_LOG("a dump not marked interrupted skipped or repeated a VM");
		}
		memset(&s, 0, sizeof(s));
		rc = gpnl_vm_get(&self->c.nl, NULL, vm_seen, &s);
		if (!rc)
			rc = gpnl_dev_get(&self->c.nl, NULL, dev_seen, &ds);
		if (rc == -EAGAIN) {
			retried_out++;
			continue;
		}
		ASSERT_EQ(0, rc) TH_LOG("%s", self->c.nl.err);
		lib++;
		EXPECT_TRUE(seen_exact(&s)) TH_LOG("libgpupart's VM dump is not one state");
		EXPECT_EQ(2, ds.full);
		EXPECT_TRUE(seen_exact(&ds.vms)) TH_LOG("libgpupart's GPU dump is not one state");
	}
	ch.stop = true;
	pthread_join(t, NULL);
	gpnl_close(&ch.nl);
	TH_LOG("%d raw dumps: %d clean, %d marked interrupted; %d library dumps, %d gave up; %d churn assignments",
	       raw, clean, marked, lib, retried_out, ch.assigned);
	EXPECT_LT(0, ch.assigned);
	/* The churn really ran across dumps: the marking was put to the test. */
	EXPECT_LT(0, marked);
	EXPECT_LT(0, lib);
}

TEST_HARNESS_MAIN
