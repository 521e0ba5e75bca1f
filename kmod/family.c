// SPDX-License-Identifier: GPL-2.0
/*
 * The gpupart generic netlink family. Its policies and ops are generated
 * from Documentation/netlink/specs/gpupart.yaml (gpupart_nl.c); what the
 * spec cannot say is here: the family lives in the initial namespace only,
 * the read policy is chosen at load, and every request pins the module
 * and the GPU it names.
 */
#include <linux/ctype.h>
#include <linux/module.h>
#include <net/genetlink.h>

#include "gpupart.h"

/*
 * A PCI address as pci_name() prints it: "DDDD:BB:DD.F" in lower-case hex,
 * with a domain of four or more digits.
 */
static bool gpupart_pci_addr_valid(const char *s)
{
	size_t len = strlen(s), i;

	if (len < 12)
		return false;
	for (i = 0; i < len; i++) {
		size_t from_end = len - i;
		bool sep = from_end == 8 || from_end == 5 || from_end == 2;

		if (sep ? s[i] != (from_end == 2 ? '.' : ':') :
			  !isxdigit(s[i]) || isupper(s[i]))
			return false;
	}
	return true;
}

/*
 * The GPU a request names in pci-addr, checked the same way for every
 * command: well formed, and bound to gpupart. Referenced until post_doit,
 * in info->user_ptr[0]; NULL when the request names none, which the
 * commands that need one refuse.
 */
static int gpupart_nl_dev_pin(struct genl_info *info)
{
	struct nlattr *attr = info->attrs[GPUPART_A_PCI_ADDR];
	struct gpupart_dev *gdev;

	if (!attr)
		return 0;
	if (!gpupart_pci_addr_valid(nla_data(attr))) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "PCI address must look like 0000:01:00.0");
		return -EINVAL;
	}
	mutex_lock(&gpupart_lock);
	gdev = __gpupart_dev_find(nla_data(attr));
	if (gdev)
		info->user_ptr[0] = __gpupart_dev_get(gdev);
	mutex_unlock(&gpupart_lock);
	if (!gdev) {
		gpupart_extack_fmt(info->extack, "no GPU bound to gpupart at %s",
				   (char *)nla_data(attr));
		NL_SET_BAD_ATTR(info->extack, attr);
		return -ENODEV;
	}
	return 0;
}

/*
 * Every request pins the module while it runs: once module exit has begun
 * (try_module_get() fails from then on), a request could otherwise start a
 * handover or create a VM that exit would never undo. And the GPU it
 * names, found and referenced here.
 */
static int gpupart_nl_pre_doit(const struct gpupart_genl_ops *ops,
			       struct sk_buff *skb, struct genl_info *info)
{
	int rc;

	if (!try_module_get(THIS_MODULE)) {
		NL_SET_ERR_MSG(info->extack, "gpupart is being unloaded");
		return -ENODEV;
	}
	info->user_ptr[0] = NULL;
	rc = gpupart_nl_dev_pin(info);
	if (rc)
		module_put(THIS_MODULE);
	return rc;
}

static void gpupart_nl_post_doit(const struct gpupart_genl_ops *ops,
				 struct sk_buff *skb, struct genl_info *info)
{
	if (info->user_ptr[0])
		gpupart_dev_put(info->user_ptr[0]);
	module_put(THIS_MODULE);
}

/*
 * The generated ops and group, copied at load so that the read policy can
 * be added to their flags; the generated ones are const, as they should be.
 * main.c hands the ops over, so that this file, which the handlers' files
 * use, does not use them.
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
	.mcgrps		= gpupart_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(gpupart_mcgrps),
};

/**
 * gpupart_nl_register() - register the family, with the read policy
 * @ops: the operations, gpupart_nl_ops as the spec generates them
 * @n_ops: how many
 *
 * Return: 0, -EINVAL for more ops than the family has room for, or
 * genl_register_family()'s errno.
 */
int gpupart_nl_register(const struct genl_ops *ops, unsigned int n_ops)
{
	unsigned int i;

	if (n_ops > ARRAY_SIZE(gpupart_ops))
		return -EINVAL;
	memcpy(gpupart_ops, ops, n_ops * sizeof(*ops));
	gpupart_nl_family.n_ops = n_ops;
	if (restrict_read) {
		for (i = 0; i < n_ops; i++)
			gpupart_ops[i].flags |= GENL_ADMIN_PERM;
		gpupart_mcgrps[GPUPART_NLGRP_MONITOR].flags |= GENL_MCAST_CAP_NET_ADMIN;
	}
	return genl_register_family(&gpupart_nl_family);
}

/**
 * gpupart_nl_unregister() - unregister the family
 */
void gpupart_nl_unregister(void)
{
	genl_unregister_family(&gpupart_nl_family);
}
