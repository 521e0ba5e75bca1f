// SPDX-License-Identifier: GPL-2.0
/*
 * The gpupart generic netlink family. Its policies and ops are generated
 * from Documentation/netlink/specs/gpupart.yaml (gpupart_nl.c); what the
 * spec cannot say is here: the family lives in the initial namespace only,
 * the read policy is chosen at load, and every request pins the module.
 */
#include <linux/module.h>
#include <net/genetlink.h>

#include "gpupart.h"

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

/*
 * The generated ops and group, copied at load so that the read policy can
 * be added to their flags; the generated ones are const, as they should be.
 */
static struct genl_ops gpupart_ops[ARRAY_SIZE(gpupart_nl_ops)];

static struct genl_multicast_group gpupart_mcgrps[] = {
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
	.ops		= gpupart_ops,
	.n_ops		= ARRAY_SIZE(gpupart_ops),
	.mcgrps		= gpupart_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(gpupart_mcgrps),
};

/**
 * gpupart_nl_register() - register the family, with the read policy
 *
 * Return: 0 or genl_register_family()'s errno.
 */
int gpupart_nl_register(void)
{
	size_t i;

	memcpy(gpupart_ops, gpupart_nl_ops, sizeof(gpupart_ops));
	if (restrict_read) {
		for (i = 0; i < ARRAY_SIZE(gpupart_ops); i++)
			gpupart_ops[i].flags |= GENL_ADMIN_PERM;
		gpupart_mcgrps[GPUPART_NLGRP_MONITOR].flags |= GENL_MCAST_CAP_NET_ADMIN;
	}
	return genl_register_family(&gpupart_nl_family);
}
