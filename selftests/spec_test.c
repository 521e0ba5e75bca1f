// SPDX-License-Identifier: GPL-2.0
/*
 * The netlink spec (Documentation/netlink/specs/gpupart.yaml), the uapi
 * header and the family the kernel registered must describe one interface.
 * spec_expect.h is generated from the spec at build time.
 */
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <linux/genetlink.h>

#include "kselftest_harness.h"
#include "gpupart_test.h"

struct spec_const {
	const char *name;
	long spec;	/* the value the spec gives */
	long uapi;	/* the value the uapi header gives */
};

struct spec_str {
	const char *name;
	const char *spec;
	const char *uapi;
};

struct spec_op {
	const char *name;
	int cmd;
	int has_do, has_dump, admin;
};

#include "spec_expect.h"


/*
 * Every constant the spec defines has the same value in the uapi header.
 * The *_MAX entries are included, and the uapi enums have no gaps, so the
 * header cannot hold an entry the spec lacks either.
 */
TEST(uapi_matches_spec)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(spec_consts); i++) {
		EXPECT_EQ(spec_consts[i].spec, spec_consts[i].uapi)
			TH_LOG("%s: spec says %ld, uapi says %ld",
			       spec_consts[i].name, spec_consts[i].spec,
			       spec_consts[i].uapi);
	}
	for (i = 0; i < ARRAY_SIZE(spec_strs); i++) {
		EXPECT_STREQ(spec_strs[i].spec, spec_strs[i].uapi)
			TH_LOG("%s", spec_strs[i].name);
	}
}

/* What CTRL_CMD_GETFAMILY says of the registered family. */
struct family_info {
	int version;
	struct { int cmd; unsigned int flags; } ops[32];
	int n_ops;
	char groups[8][GENL_NAMSIZ];
	int n_groups;
};

static int family_parse(struct nlmsghdr *nlh, void *arg)
{
	struct nlattr *tb[CTRL_ATTR_MAX + 1], *nest, *a;
	struct family_info *fi = arg;
	int rem;

	if (genlmsg_parse(nlh, 0, tb, CTRL_ATTR_MAX, NULL))
		return -EBADMSG;
	if (tb[CTRL_ATTR_VERSION])
		fi->version = nla_get_u32(tb[CTRL_ATTR_VERSION]);
	nest = tb[CTRL_ATTR_OPS];
	if (nest) {
		nla_for_each_nested(a, nest, rem) {
			struct nlattr *op[CTRL_ATTR_OP_MAX + 1];

			if (fi->n_ops == 32 ||
			    nla_parse_nested(op, CTRL_ATTR_OP_MAX, a, NULL) ||
			    !op[CTRL_ATTR_OP_ID])
				return -EBADMSG;
			fi->ops[fi->n_ops].cmd = nla_get_u32(op[CTRL_ATTR_OP_ID]);
			fi->ops[fi->n_ops].flags = op[CTRL_ATTR_OP_FLAGS] ?
				nla_get_u32(op[CTRL_ATTR_OP_FLAGS]) : 0;
			fi->n_ops++;
		}
	}
	nest = tb[CTRL_ATTR_MCAST_GROUPS];
	if (nest) {
		nla_for_each_nested(a, nest, rem) {
			struct nlattr *g[CTRL_ATTR_MCAST_GRP_MAX + 1];

			if (fi->n_groups == 8 ||
			    nla_parse_nested(g, CTRL_ATTR_MCAST_GRP_MAX, a, NULL) ||
			    !g[CTRL_ATTR_MCAST_GRP_NAME])
				return -EBADMSG;
			snprintf(fi->groups[fi->n_groups++], GENL_NAMSIZ, "%s",
				 nla_get_string(g[CTRL_ATTR_MCAST_GRP_NAME]));
		}
	}
	return 0;
}

static int family_get(struct gpnl *nl, struct family_info *fi)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg)
		return -ENOMEM;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, GENL_ID_CTRL, 0,
			 NLM_F_ACK, CTRL_CMD_GETFAMILY, 1) ||
	    nla_put_string(msg, CTRL_ATTR_FAMILY_NAME, GPUPART_FAMILY_NAME)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	return gpnl_exec(nl, msg, family_parse, fi);
}

/* The kernel's family has the spec's operations, flags and groups. */
TEST(family_matches_spec)
{
	struct family_info fi = { 0 };
	struct gpnl nl;
	unsigned int i;
	int j, rc;

	rc = gp_open(&nl);
	if (rc == -ENOENT)
		SKIP(return, "gpupart module not loaded");
	ASSERT_EQ(0, rc);
	ASSERT_EQ(0, family_get(&nl, &fi));
	gpnl_close(&nl);

	EXPECT_EQ(GPUPART_FAMILY_VERSION, fi.version);
	EXPECT_EQ((int)ARRAY_SIZE(spec_ops), fi.n_ops);
	for (i = 0; i < ARRAY_SIZE(spec_ops); i++) {
		const struct spec_op *s = &spec_ops[i];

		for (j = 0; j < fi.n_ops; j++)
			if (fi.ops[j].cmd == s->cmd)
				break;
		ASSERT_LT(j, fi.n_ops) TH_LOG("%s not registered", s->name);
		TH_LOG("%s: flags %#x", s->name, fi.ops[j].flags);
		EXPECT_EQ(s->has_do, !!(fi.ops[j].flags & GENL_CMD_CAP_DO));
		EXPECT_EQ(s->has_dump, !!(fi.ops[j].flags & GENL_CMD_CAP_DUMP));
		EXPECT_EQ(s->admin, !!(fi.ops[j].flags & GENL_ADMIN_PERM));
		/* Every operation is validated by a policy. */
		EXPECT_TRUE(fi.ops[j].flags & GENL_CMD_CAP_HASPOL);
	}
	for (i = 0; spec_mcgrps[i]; i++) {
		for (j = 0; j < fi.n_groups; j++)
			if (!strcmp(fi.groups[j], spec_mcgrps[i]))
				break;
		EXPECT_LT(j, fi.n_groups) TH_LOG("group %s missing", spec_mcgrps[i]);
	}
	EXPECT_EQ((int)i, fi.n_groups);
}

TEST_HARNESS_MAIN
