// SPDX-License-Identifier: GPL-2.0
/*
 * Policies and operations of the gpupart generic netlink family, shaped as
 * Documentation/netlink/specs/gpupart.yaml so the two read side by side.
 */
#include <linux/module.h>
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
static struct genl_ops gpupart_nl_ops[] = {
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

/*
 * Every request pins the module while it runs: once module exit has begun
 * (try_module_get() fails from then on), a request could otherwise start a
 * handover or create a VM that exit would never undo.
 */
static int gpupart_nl_pre_doit(const struct gpupart_genl_ops *ops,
			       struct sk_buff *skb, struct genl_info *info)
{
	if (!try_module_get(THIS_MODULE)) {
		NL_SET_ERR_MSG(info->extack, "gpupart is being unloaded");
		return -ENODEV;
	}
	return 0;
}

static void gpupart_nl_post_doit(const struct gpupart_genl_ops *ops,
				 struct sk_buff *skb, struct genl_info *info)
{
	module_put(THIS_MODULE);
}

static struct genl_multicast_group gpupart_nl_mcgrps[] = {
	[GPUPART_NLGRP_MONITOR] = { .name = GPUPART_MCGRP_MONITOR },
};

/*
 * Who may read. Devices, VMs and assignments are readable by any local
 * user by default, as lspci and libvirt's read-only socket are; VM names
 * are tenants' names, so an administrator can close reading, as libvirt's
 * read-only socket can be closed. Set at load: the flags are the genetlink
 * core's own checks, on the request and on joining the group.
 */
static bool restrict_read;
module_param(restrict_read, bool, 0444);
MODULE_PARM_DESC(restrict_read,
		 "Reading (DEV_GET, HOST_GET, VM_GET) and the monitor group need CAP_NET_ADMIN (default N: any local user may read)");

/**
 * gpupart_nl_register() - register the family, with the read policy
 *
 * Return: 0 or genl_register_family()'s errno.
 */
int gpupart_nl_register(void)
{
	size_t i;

	if (restrict_read) {
		for (i = 0; i < ARRAY_SIZE(gpupart_nl_ops); i++)
			gpupart_nl_ops[i].flags |= GENL_ADMIN_PERM;
		gpupart_nl_mcgrps[GPUPART_NLGRP_MONITOR].flags |= GENL_MCAST_CAP_NET_ADMIN;
	}
	return genl_register_family(&gpupart_nl_family);
}

/*
 * Not netnsok: GPUs belong to the host, so only the initial namespace.
 * parallel_ops: gpupart_lock guards gpupart's state; genl_mutex would only
 * make every generic netlink family of the host wait behind a gpupart
 * request that waits for a device (see "Locking" in gpupart.h).
 */
struct genl_family gpupart_nl_family __ro_after_init = {
	.name		= GPUPART_FAMILY_NAME,
	.version	= GPUPART_FAMILY_VERSION,
	.module		= THIS_MODULE,
	.parallel_ops	= true,
	.pre_doit	= gpupart_nl_pre_doit,
	.post_doit	= gpupart_nl_post_doit,
	.ops		= gpupart_nl_ops,
	.n_ops		= ARRAY_SIZE(gpupart_nl_ops),
	.mcgrps		= gpupart_nl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(gpupart_nl_mcgrps),
};
