// SPDX-License-Identifier: GPL-2.0
/*
 * Policies and operations of the gpupart generic netlink family, shaped as
 * Documentation/netlink/specs/gpupart.yaml so the two read side by side.
 */
#include <net/genetlink.h>

#include "gpupart.h"

/* GPUPART_CMD_DEV_GET - do */
static const struct nla_policy gpupart_dev_get_do_nl_policy[GPUPART_A_PCI_ADDR + 1] = {
	[GPUPART_A_PCI_ADDR] = { .type = NLA_NUL_STRING,
				 .len = GPUPART_PCI_ADDR_MAX_LEN },
};

/*
 * Every operation has a policy; the family leaves resv_start_op at 0, so
 * the core validates all of them strictly and checks the reserved header.
 */
static const struct genl_ops gpupart_nl_ops[] = {
	{
		.cmd	= GPUPART_CMD_DEV_GET,
		.doit	= gpupart_nl_dev_get_doit,
		.dumpit	= gpupart_nl_dev_get_dumpit,
		.policy	= gpupart_dev_get_do_nl_policy,
		.maxattr = GPUPART_A_PCI_ADDR,
	},
};

/* Not netnsok: GPUs belong to the host, so only the initial namespace. */
struct genl_family gpupart_nl_family __ro_after_init = {
	.name		= GPUPART_FAMILY_NAME,
	.version	= GPUPART_FAMILY_VERSION,
	.module		= THIS_MODULE,
	.ops		= gpupart_nl_ops,
	.n_ops		= ARRAY_SIZE(gpupart_nl_ops),
};
