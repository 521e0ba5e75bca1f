// SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause)
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/gpupart.yaml */
/* YNL-GEN kernel source */

#include <net/netlink.h>
#include <net/genetlink.h>

#include "gpupart_nl.h"

#include <uapi/linux/gpupart.h>

/* GPUPART_CMD_DEV_GET - do */
const struct nla_policy gpupart_dev_get_nl_policy[GPUPART_A_PCI_ADDR + 1] = {
	[GPUPART_A_PCI_ADDR] = { .type = NLA_NUL_STRING, .len = GPUPART_PCI_ADDR_MAX_LEN, },
};

/* GPUPART_CMD_DEV_SET - do */
const struct nla_policy gpupart_dev_set_nl_policy[GPUPART_A_PARTITION_COUNT + 1] = {
	[GPUPART_A_PCI_ADDR] = { .type = NLA_NUL_STRING, .len = GPUPART_PCI_ADDR_MAX_LEN, },
	[GPUPART_A_MODE] = NLA_POLICY_RANGE(NLA_U32, 1, 3),
	[GPUPART_A_PARTITION_COUNT] = { .type = NLA_U32, },
};

/* GPUPART_CMD_HOST_GET - do */
const struct nla_policy gpupart_host_get_nl_policy[GPUPART_A_PAD + 1] = {
};

/* GPUPART_CMD_VM_ASSIGN - do */
const struct nla_policy gpupart_vm_assign_nl_policy[GPUPART_A_EXACT + 1] = {
	[GPUPART_A_VM] = { .type = NLA_NUL_STRING, .len = GPUPART_VM_NAME_MAX_LEN, },
	[GPUPART_A_KIND] = NLA_POLICY_RANGE(NLA_U32, 1, 2),
	[GPUPART_A_PCI_ADDR] = { .type = NLA_NUL_STRING, .len = GPUPART_PCI_ADDR_MAX_LEN, },
	[GPUPART_A_RESTORE_VF] = { .type = NLA_NUL_STRING, .len = GPUPART_PCI_ADDR_MAX_LEN, },
	[GPUPART_A_EXACT] = { .type = NLA_FLAG, },
};

/* GPUPART_CMD_VM_RELEASE - do */
const struct nla_policy gpupart_vm_release_nl_policy[GPUPART_A_VM + 1] = {
	[GPUPART_A_VM] = { .type = NLA_NUL_STRING, .len = GPUPART_VM_NAME_MAX_LEN, },
};

/* GPUPART_CMD_VM_GET - do */
const struct nla_policy gpupart_vm_get_nl_policy[GPUPART_A_VM + 1] = {
	[GPUPART_A_VM] = { .type = NLA_NUL_STRING, .len = GPUPART_VM_NAME_MAX_LEN, },
};

/* GPUPART_CMD_HOST_SET - do */
const struct nla_policy gpupart_host_set_nl_policy[GPUPART_A_PLACEMENT + 1] = {
	[GPUPART_A_PLACEMENT] = NLA_POLICY_RANGE(NLA_U32, 1, 2),
};

/* GPUPART_CMD_PARTITION_CLEAR - do */
const struct nla_policy gpupart_partition_clear_nl_policy[GPUPART_A_INDEX + 1] = {
	[GPUPART_A_PCI_ADDR] = { .type = NLA_NUL_STRING, .len = GPUPART_PCI_ADDR_MAX_LEN, },
	[GPUPART_A_INDEX] = { .type = NLA_U32, },
};

/* Ops table for gpupart */
const struct genl_ops gpupart_nl_ops[8] = {
	{
		.cmd		= GPUPART_CMD_DEV_GET,
		.doit		= gpupart_nl_dev_get_doit,
		.dumpit		= gpupart_nl_dev_get_dumpit,
		.policy		= gpupart_dev_get_nl_policy,
		.maxattr	= GPUPART_A_PCI_ADDR,
	},
	{
		.cmd		= GPUPART_CMD_DEV_SET,
		.doit		= gpupart_nl_dev_set_doit,
		.policy		= gpupart_dev_set_nl_policy,
		.maxattr	= GPUPART_A_PARTITION_COUNT,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= GPUPART_CMD_HOST_GET,
		.doit		= gpupart_nl_host_get_doit,
		.policy		= gpupart_host_get_nl_policy,
		.maxattr	= GPUPART_A_PAD,
	},
	{
		.cmd		= GPUPART_CMD_VM_ASSIGN,
		.doit		= gpupart_nl_vm_assign_doit,
		.policy		= gpupart_vm_assign_nl_policy,
		.maxattr	= GPUPART_A_EXACT,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= GPUPART_CMD_VM_RELEASE,
		.doit		= gpupart_nl_vm_release_doit,
		.policy		= gpupart_vm_release_nl_policy,
		.maxattr	= GPUPART_A_VM,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= GPUPART_CMD_VM_GET,
		.doit		= gpupart_nl_vm_get_doit,
		.dumpit		= gpupart_nl_vm_get_dumpit,
		.policy		= gpupart_vm_get_nl_policy,
		.maxattr	= GPUPART_A_VM,
	},
	{
		.cmd		= GPUPART_CMD_HOST_SET,
		.doit		= gpupart_nl_host_set_doit,
		.policy		= gpupart_host_set_nl_policy,
		.maxattr	= GPUPART_A_PLACEMENT,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= GPUPART_CMD_PARTITION_CLEAR,
		.doit		= gpupart_nl_partition_clear_doit,
		.policy		= gpupart_partition_clear_nl_policy,
		.maxattr	= GPUPART_A_INDEX,
		.flags		= GENL_ADMIN_PERM,
	},
};

static const struct genl_multicast_group gpupart_nl_mcgrps[] = {
	[GPUPART_NLGRP_MONITOR] = { "monitor", },
};
