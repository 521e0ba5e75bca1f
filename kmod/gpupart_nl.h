/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/gpupart.yaml */
/* YNL-GEN kernel header */

#ifndef _LINUX_GPUPART_GEN_H
#define _LINUX_GPUPART_GEN_H

#include <net/netlink.h>
#include <net/genetlink.h>

#include <uapi/linux/gpupart.h>

extern const struct nla_policy gpupart_dev_get_nl_policy[GPUPART_A_PCI_ADDR + 1];

extern const struct nla_policy gpupart_dev_set_nl_policy[GPUPART_A_PARTITION_COUNT + 1];

extern const struct nla_policy gpupart_host_get_nl_policy[GPUPART_A_PAD + 1];

extern const struct nla_policy gpupart_vm_assign_nl_policy[GPUPART_A_EXACT + 1];

extern const struct nla_policy gpupart_vm_release_nl_policy[GPUPART_A_VM + 1];

extern const struct nla_policy gpupart_vm_get_nl_policy[GPUPART_A_VM + 1];

extern const struct nla_policy gpupart_host_set_nl_policy[GPUPART_A_PLACEMENT + 1];

extern const struct nla_policy gpupart_partition_clear_nl_policy[GPUPART_A_INDEX + 1];

/* Ops table for gpupart */
extern const struct genl_ops gpupart_nl_ops[8];

int gpupart_nl_dev_get_doit(struct sk_buff *skb, struct genl_info *info);
int gpupart_nl_dev_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int gpupart_nl_dev_set_doit(struct sk_buff *skb, struct genl_info *info);
int gpupart_nl_host_get_doit(struct sk_buff *skb, struct genl_info *info);
int gpupart_nl_vm_assign_doit(struct sk_buff *skb, struct genl_info *info);
int gpupart_nl_vm_release_doit(struct sk_buff *skb, struct genl_info *info);
int gpupart_nl_vm_get_doit(struct sk_buff *skb, struct genl_info *info);
int gpupart_nl_vm_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);
int gpupart_nl_host_set_doit(struct sk_buff *skb, struct genl_info *info);
int gpupart_nl_partition_clear_doit(struct sk_buff *skb,
				    struct genl_info *info);

enum {
	GPUPART_NLGRP_MONITOR,
};

#endif /* _LINUX_GPUPART_GEN_H */
