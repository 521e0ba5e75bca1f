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

/* GPUPART_CMD_DEV_SET - do */
static const struct nla_policy gpupart_dev_set_nl_policy[GPUPART_A_PARTITION_COUNT + 1] = {
	[GPUPART_A_PCI_ADDR] = { .type = NLA_NUL_STRING,
				 .len = GPUPART_PCI_ADDR_MAX_LEN },
	[GPUPART_A_MODE] = NLA_POLICY_RANGE(NLA_U32, GPUPART_MODE_NONE,
					    GPUPART_MODE_MAX),
	[GPUPART_A_PARTITION_COUNT] = { .type = NLA_U32 },
};

/* GPUPART_CMD_HOST_GET - do: takes no attributes */
static const struct nla_policy gpupart_host_get_nl_policy[GPUPART_A_PCI_ADDR + 1] = {
	[GPUPART_A_PCI_ADDR] = { .type = NLA_REJECT },
};

/* GPUPART_CMD_VM_ASSIGN - do */
static const struct nla_policy gpupart_vm_assign_nl_policy[GPUPART_A_RESTORE_VF + 1] = {
	[GPUPART_A_PCI_ADDR] = { .type = NLA_NUL_STRING,
				 .len = GPUPART_PCI_ADDR_MAX_LEN },
	/* Checked by the handler, which says what a name may hold. */
	[GPUPART_A_VM] = { .type = NLA_BINARY, .len = 256 },
	[GPUPART_A_KIND] = NLA_POLICY_RANGE(NLA_U32, GPUPART_KIND_PARTITION,
					    GPUPART_KIND_MAX),
	[GPUPART_A_RESTORE_VF] = { .type = NLA_NUL_STRING,
				   .len = GPUPART_PCI_ADDR_MAX_LEN },
};

/* GPUPART_CMD_VM_RELEASE and GPUPART_CMD_VM_GET - do */
static const struct nla_policy gpupart_vm_nl_policy[GPUPART_A_VM + 1] = {
	[GPUPART_A_VM] = { .type = NLA_BINARY, .len = 256 },
};

/* GPUPART_CMD_HOST_SET - do */
static const struct nla_policy gpupart_host_set_nl_policy[GPUPART_A_PLACEMENT + 1] = {
	[GPUPART_A_PLACEMENT] = NLA_POLICY_RANGE(NLA_U32, GPUPART_PLACEMENT_SPREAD,
						 GPUPART_PLACEMENT_MAX),
};

/* GPUPART_CMD_PARTITION_CLEAR - do */
static const struct nla_policy gpupart_partition_clear_nl_policy[GPUPART_A_INDEX + 1] = {
	[GPUPART_A_PCI_ADDR] = { .type = NLA_NUL_STRING,
				 .len = GPUPART_PCI_ADDR_MAX_LEN },
	[GPUPART_A_INDEX] = { .type = NLA_U32 },
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
	{
		.cmd	= GPUPART_CMD_DEV_SET,
		.flags	= GENL_ADMIN_PERM,
		.doit	= gpupart_nl_dev_set_doit,
		.policy	= gpupart_dev_set_nl_policy,
		.maxattr = GPUPART_A_PARTITION_COUNT,
	},
	{
		.cmd	= GPUPART_CMD_HOST_GET,
		.doit	= gpupart_nl_host_get_doit,
		.policy	= gpupart_host_get_nl_policy,
		.maxattr = GPUPART_A_PCI_ADDR,
	},
	{
		.cmd	= GPUPART_CMD_VM_ASSIGN,
		.flags	= GENL_ADMIN_PERM,
		.doit	= gpupart_nl_vm_assign_doit,
		.policy	= gpupart_vm_assign_nl_policy,
		.maxattr = GPUPART_A_RESTORE_VF,
	},
	{
		.cmd	= GPUPART_CMD_VM_RELEASE,
		.flags	= GENL_ADMIN_PERM,
		.doit	= gpupart_nl_vm_release_doit,
		.policy	= gpupart_vm_nl_policy,
		.maxattr = GPUPART_A_VM,
	},
	{
		.cmd	= GPUPART_CMD_VM_GET,
		.doit	= gpupart_nl_vm_get_doit,
		.dumpit	= gpupart_nl_vm_get_dumpit,
		.policy	= gpupart_vm_nl_policy,
		.maxattr = GPUPART_A_VM,
	},
	{
		.cmd	= GPUPART_CMD_HOST_SET,
		.flags	= GENL_ADMIN_PERM,
		.doit	= gpupart_nl_host_set_doit,
		.policy	= gpupart_host_set_nl_policy,
		.maxattr = GPUPART_A_PLACEMENT,
	},
	{
		.cmd	= GPUPART_CMD_PARTITION_CLEAR,
		.flags	= GENL_ADMIN_PERM,
		.doit	= gpupart_nl_partition_clear_doit,
		.policy	= gpupart_partition_clear_nl_policy,
		.maxattr = GPUPART_A_INDEX,
	},
};

static const struct genl_multicast_group gpupart_nl_mcgrps[] = {
	[GPUPART_NLGRP_MONITOR] = { .name = GPUPART_MCGRP_MONITOR },
};

/* Not netnsok: GPUs belong to the host, so only the initial namespace. */
struct genl_family gpupart_nl_family __ro_after_init = {
	.name		= GPUPART_FAMILY_NAME,
	.version	= GPUPART_FAMILY_VERSION,
	.module		= THIS_MODULE,
	.ops		= gpupart_nl_ops,
	.n_ops		= ARRAY_SIZE(gpupart_nl_ops),
	.mcgrps		= gpupart_nl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(gpupart_nl_mcgrps),
};
