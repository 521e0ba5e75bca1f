// SPDX-License-Identifier: GPL-2.0
/*
 * The rules Documentation/netlink/specs/gpupart.yaml states and the
 * generated policies enforce: string lengths (pci-addr, restore-vf, vm),
 * no attribute where an operation takes none (HOST_GET), none outside an
 * operation's request, dumps validated as their do, and exact only with
 * restore-vf. Each refusal is
 * the genetlink core's, with its extack text, and changes nothing. And
 * the one check every command makes of the GPU it names (pre_doit), whose
 * text stays each request's own under an unprivileged flood.
 */
#include <grp.h>
#include <signal.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "kselftest_harness.h"
#include "gpupart_test.h"
#include "gpupart_ctx.h"

#define POLICY_MSG	"Attribute failed policy validation"
#define UNSUPPORTED_MSG	"Unsupported attribute"
#define UNKNOWN_MSG	"Unknown attribute type"

FIXTURE(policy) {
	struct ctx c;
	struct snap before;
};

FIXTURE_SETUP(policy)
{
	ctx_setup(&self->c);
	if (!self->c.skip)
		snap_take(&self->c.nl, &self->before);
}

FIXTURE_TEARDOWN(policy)
{
	struct snap after;

	if (!self->c.skip) {
		snap_take(&self->c.nl, &after);
		if (!snap_same(&self->before, &after)) {
			snap_print("before", &self->before);
			snap_print("after", &after);
			_metadata->passed = 0;
		}
	}
	ctx_teardown(&self->c);
}

/* One attribute of @len bytes of 'a' (and a NUL when @nul), in @cmd. */
static int send_str(struct gpnl *nl, uint8_t cmd, int flags, int type,
		    size_t len, bool nul)
{
	struct nl_msg *msg = gpnl_msg(nl, cmd, flags);
	char buf[300];

	if (!msg || len + 1 > sizeof(buf))
		return -ENOMEM;
	memset(buf, 'a', len);
	buf[len] = '\0';
	if (nla_put(msg, type, len + nul, buf)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	return gpnl_exec(nl, msg, NULL, NULL);
}

/* A u32 attribute @type in @cmd. */
static int send_u32(struct gpnl *nl, uint8_t cmd, int type, uint32_t v)
{
	struct nl_msg *msg = gpnl_msg(nl, cmd, 0);

	if (!msg)
		return -ENOMEM;
	if (nla_put_u32(msg, type, v)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	return gpnl_exec(nl, msg, NULL, NULL);
}

/* pci-addr is at most GPUPART_PCI_ADDR_MAX_LEN bytes, in every request. */
TEST_F(policy, pci_addr_max_len)
{
	static const uint8_t cmds[] = { GPUPART_CMD_DEV_GET, GPUPART_CMD_DEV_SET,
					GPUPART_CMD_VM_ASSIGN,
					GPUPART_CMD_PARTITION_CLEAR };
	struct gpnl *nl = &self->c.nl;
	unsigned int i;

	SKIP_IF_UNFIT(&self->c);
	for (i = 0; i < sizeof(cmds); i++) {
		TH_LOG("cmd %u", cmds[i]);
		EXPECT_EQ(-EINVAL, send_str(nl, cmds[i], 0, GPUPART_A_PCI_ADDR,
					    GPUPART_PCI_ADDR_MAX_LEN + 1, true));
		EXPECT_STREQ(POLICY_MSG, nl->err);
		/* As long as allowed: past the policy, to the handler. */
		EXPECT_NE(0, send_str(nl, cmds[i], 0, GPUPART_A_PCI_ADDR,
				      GPUPART_PCI_ADDR_MAX_LEN, true));
		EXPECT_STRNE(POLICY_MSG, nl->err);
	}
	/* A string must end with its NUL. */
	EXPECT_EQ(-EINVAL, send_str(nl, GPUPART_CMD_DEV_GET, 0,
				    GPUPART_A_PCI_ADDR, 12, false));
	EXPECT_STREQ(POLICY_MSG, nl->err);
	/* The dump is validated as the do is. */
	EXPECT_EQ(-EINVAL, send_str(nl, GPUPART_CMD_DEV_GET, NLM_F_DUMP,
				    GPUPART_A_PCI_ADDR,
				    GPUPART_PCI_ADDR_MAX_LEN + 1, true));
}

TEST_F(policy, restore_vf_max_len)
{
	struct gpnl *nl = &self->c.nl;

	SKIP_IF_UNFIT(&self->c);
	EXPECT_EQ(-EINVAL, send_str(nl, GPUPART_CMD_VM_ASSIGN, 0,
				    GPUPART_A_RESTORE_VF,
				    GPUPART_PCI_ADDR_MAX_LEN + 1, true));
	EXPECT_STREQ(POLICY_MSG, nl->err);
}

/* vm is at most GPUPART_VM_NAME_MAX_LEN bytes, in every request. */
TEST_F(policy, vm_max_len)
{
	static const uint8_t cmds[] = { GPUPART_CMD_VM_ASSIGN,
					GPUPART_CMD_VM_RELEASE, GPUPART_CMD_VM_GET };
	struct gpnl *nl = &self->c.nl;
	unsigned int i;

	SKIP_IF_UNFIT(&self->c);
	for (i = 0; i < sizeof(cmds); i++) {
		TH_LOG("cmd %u", cmds[i]);
		EXPECT_EQ(-EINVAL, send_str(nl, cmds[i], 0, GPUPART_A_VM,
					    GPUPART_VM_NAME_MAX_LEN + 1, true));
		EXPECT_STREQ(POLICY_MSG, nl->err);
	}
	/* 64 bytes pass the policy: a VM of that name holds nothing. */
	EXPECT_EQ(-ENOENT, send_str(nl, GPUPART_CMD_VM_GET, 0, GPUPART_A_VM,
				    GPUPART_VM_NAME_MAX_LEN, true));
	EXPECT_EQ(-EINVAL, send_str(nl, GPUPART_CMD_VM_GET, NLM_F_DUMP,
				    GPUPART_A_VM, GPUPART_VM_NAME_MAX_LEN + 1,
				    true));
}

/* VM_ASSIGN with vm "x", @kind (0: not sent), and the flag exact. */
static int send_exact(struct gpnl *nl, uint32_t kind)
{
	struct nl_msg *msg = gpnl_msg(nl, GPUPART_CMD_VM_ASSIGN, 0);

	if (!msg)
		return -ENOMEM;
	if (nla_put_string(msg, GPUPART_A_VM, "x") ||
	    (kind && nla_put_u32(msg, GPUPART_A_KIND, kind)) ||
	    nla_put_flag(msg, GPUPART_A_EXACT)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	return gpnl_exec(nl, msg, NULL, NULL);
}

/*
 * exact asks for the partition restore-vf names or none: without
 * restore-vf it means nothing, for either kind, and is refused rather
 * than read as "any partition".
 */
TEST_F(policy, exact_needs_restore_vf)
{
	static const uint32_t kinds[] = { 0, GPUPART_KIND_PARTITION, GPUPART_KIND_DDA };
	struct gpnl *nl = &self->c.nl;
	unsigned int i;

	SKIP_IF_UNFIT(&self->c);
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		TH_LOG("kind %u", kinds[i]);
		EXPECT_EQ(-EINVAL, send_exact(nl, kinds[i]));
		EXPECT_STREQ("exact goes with restore-vf", nl->err);
	}
}

/* HOST_GET takes no attribute at all. */
TEST_F(policy, host_get_takes_none)
{
	struct gpnl *nl = &self->c.nl;

	SKIP_IF_UNFIT(&self->c);
	EXPECT_EQ(-EINVAL, send_str(nl, GPUPART_CMD_HOST_GET, 0,
				    GPUPART_A_PCI_ADDR, 12, true));
	EXPECT_STREQ(UNSUPPORTED_MSG, nl->err);
	EXPECT_EQ(-EINVAL, send_u32(nl, GPUPART_CMD_HOST_GET,
				    GPUPART_A_PLACEMENT, GPUPART_PLACEMENT_PACK));
	EXPECT_STREQ(UNKNOWN_MSG, nl->err);
	EXPECT_EQ(-EINVAL, send_u32(nl, GPUPART_CMD_HOST_GET, GPUPART_A_MAX + 1, 0));
	EXPECT_STREQ(UNKNOWN_MSG, nl->err);
}

/* Attributes outside an operation's request are refused, not ignored. */
TEST_F(policy, outside_request_refused)
{
	struct gpnl *nl = &self->c.nl;

	SKIP_IF_UNFIT(&self->c);
	/* Below the op's highest attribute, but not in its request. */
	EXPECT_EQ(-EINVAL, send_str(nl, GPUPART_CMD_VM_RELEASE, 0,
				    GPUPART_A_PCI_ADDR, 12, true));
	EXPECT_STREQ(UNSUPPORTED_MSG, nl->err);
	/* Above it. */
	EXPECT_EQ(-EINVAL, send_u32(nl, GPUPART_CMD_HOST_SET, GPUPART_A_INDEX, 0));
	EXPECT_STREQ(UNKNOWN_MSG, nl->err);
	/* An enum out of its range. */
	EXPECT_EQ(-ERANGE, send_u32(nl, GPUPART_CMD_HOST_SET, GPUPART_A_PLACEMENT,
				    GPUPART_PLACEMENT_MAX + 1));
}

/* A request naming GPU @pci, as each command that takes one sends it. */
static int send_dev(struct gpnl *nl, uint8_t cmd, const char *pci)
{
	struct nl_msg *msg = gpnl_msg(nl, cmd, 0);
	int bad;

	if (!msg)
		return -ENOMEM;
	bad = nla_put_string(msg, GPUPART_A_PCI_ADDR, pci);
	if (cmd == GPUPART_CMD_DEV_SET)
		bad = bad || nla_put_u32(msg, GPUPART_A_MODE, GPUPART_MODE_NONE);
	if (cmd == GPUPART_CMD_PARTITION_CLEAR)
		bad = bad || nla_put_u32(msg, GPUPART_A_INDEX, 0);
	if (cmd == GPUPART_CMD_VM_ASSIGN)
		bad = bad || nla_put_string(msg, GPUPART_A_VM, "policy-1") ||
		      nla_put_u32(msg, GPUPART_A_KIND, GPUPART_KIND_DDA);
	if (bad) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	return gpnl_exec(nl, msg, NULL, NULL);
}

/*
 * Every command that names a GPU checks its address the same way, before
 * anything else: PARTITION_CLEAR and a DDA VM_ASSIGN as DEV_GET does.
 */
TEST_F(policy, every_command_checks_the_address)
{
	static const uint8_t cmds[] = { GPUPART_CMD_DEV_GET, GPUPART_CMD_DEV_SET,
					GPUPART_CMD_PARTITION_CLEAR,
					GPUPART_CMD_VM_ASSIGN };
	struct gpnl *nl = &self->c.nl;
	unsigned int i;

	SKIP_IF_UNFIT(&self->c);
	for (i = 0; i < sizeof(cmds); i++) {
		TH_LOG("cmd %u", cmds[i]);
		EXPECT_EQ(-EINVAL, send_dev(nl, cmds[i], "0000:01:AB.0"));
		EXPECT_STREQ("PCI address must look like 0000:01:00.0", nl->err);
		EXPECT_EQ(-ENODEV, send_dev(nl, cmds[i], "0000:ff:1f.7"));
		EXPECT_STREQ("no GPU bound to gpupart at 0000:ff:1f.7", nl->err);
	}
}

/*
 * An unprivileged reader's refusals, sent as fast as batches go, 64 to a
 * message: the refusal text each request gets back stays its own. (On
 * 6.1, where gpupart formats the texts itself, they once lived in a ring
 * of 64 buffers that a flood rotated under a pending ack.)
 */
static void flood(int id)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	static char batch[64 * 64];
	struct gpnl nl;
	size_t len = 0;
	int i, fd;

	if (setgroups(0, NULL) || setgid(65534) || setuid(65534) || gp_open(&nl))
		_exit(1);
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	for (i = 0; i < 64; i++) {
		struct nlmsghdr *h = (struct nlmsghdr *)(batch + len);
		struct genlmsghdr *g = NLMSG_DATA(h);
		struct nlattr *a = (struct nlattr *)((char *)g + GENL_HDRLEN);

		snprintf((char *)a + NLA_HDRLEN, 16, "0000:f%d:%02x.%d", id, i / 8, i % 8);
		a->nla_type = GPUPART_A_PCI_ADDR;
		a->nla_len = NLA_HDRLEN + strlen((char *)a + NLA_HDRLEN) + 1;
		*h = (struct nlmsghdr){ .nlmsg_type = nl.family, .nlmsg_seq = i,
					.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK,
					.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN) + NLA_ALIGN(a->nla_len) };
		*g = (struct genlmsghdr){ .cmd = GPUPART_CMD_DEV_GET,
					  .version = GPUPART_FAMILY_VERSION };
		len += NLMSG_ALIGN(h->nlmsg_len);
	}
	/* The acks are never read: once the socket is full they are dropped. */
	for (;;)
		sendto(fd, batch, len, 0, (struct sockaddr *)&kernel, sizeof(kernel));
}

TEST_F(policy, refusal_text_is_the_requests_own)
{
	char pci[32], want[80];
	pid_t pids[3];
	int i, n = 0, wrong = 0;
	time_t end;

	SKIP_IF_UNFIT(&self->c);
	for (i = 0; i < 3; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (!pids[i])
			flood(i);
	}
	end = time(NULL) + 4;
	while (time(NULL) < end) {
		snprintf(pci, sizeof(pci), "0000:ee:%02x.%d", (n / 8) % 32, n % 8);
		snprintf(want, sizeof(want), "no GPU bound to gpupart at %s", pci);
		EXPECT_EQ(-ENODEV, send_dev(&self->c.nl, GPUPART_CMD_DEV_GET, pci));
		if (strcmp(want, self->c.nl.err) && wrong++ < 5)
			TH_LOG("asked about %s, told \"%s\"", pci, self->c.nl.err);
		n++;
	}
	for (i = 0; i < 3; i++) {
		kill(pids[i], SIGKILL);
		waitpid(pids[i], NULL, 0);
	}
	TH_LOG("%d refusals beside 3 unprivileged floods, %d with another's text", n, wrong);
	EXPECT_EQ(0, wrong);
	EXPECT_LT(100, n);
}

TEST_HARNESS_MAIN
