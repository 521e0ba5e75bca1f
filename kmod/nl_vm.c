// SPDX-License-Identifier: GPL-2.0
/*
 * Handlers of the gpupart family for VMs: VM_ASSIGN, VM_RELEASE, VM_GET,
 * HOST_SET, PARTITION_CLEAR, and the VM and partition events. One fill
 * function per object, shared by replies, dumps and events.
 */
#include <linux/module.h>
#include <net/genetlink.h>

#include "gpupart.h"

/* A whole GPU as an assignment: only the GPU. */
static int gpupart_assignment_put_dda(struct sk_buff *msg,
				      const struct gpupart_dev *gdev)
{
	struct nlattr *nest;

	nest = nla_nest_start(msg, GPUPART_A_ASSIGNMENT);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_string(msg, GPUPART_A_ASSIGNMENT_DEV, pci_name(gdev->pdev))) {
		nla_nest_cancel(msg, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(msg, nest);
	return 0;
}

/* One partition as an assignment: GPU, index and VF. */
static int gpupart_assignment_put(struct sk_buff *msg,
				  const struct gpupart_dev *gdev, u32 idx)
{
	struct nlattr *nest;

	nest = nla_nest_start(msg, GPUPART_A_ASSIGNMENT);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_string(msg, GPUPART_A_ASSIGNMENT_DEV, pci_name(gdev->pdev)) ||
	    nla_put_u32(msg, GPUPART_A_ASSIGNMENT_INDEX, idx) ||
	    nla_put_string(msg, GPUPART_A_ASSIGNMENT_VF,
			   pci_name(gdev->parts[idx].vf))) {
		nla_nest_cancel(msg, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(msg, nest);
	return 0;
}

/*
 * gpupart_vm_fill() - a VM's name, kind and what it holds
 *
 * Everything, or with @only what it holds of that GPU (the new resource,
 * in the reply and event of an assignment).
 *
 * Context: caller holds gpupart_lock.
 */
static int gpupart_vm_fill(struct sk_buff *msg, const struct gpupart_vm *vm,
			   const struct gpupart_dev *only)
{
	const struct gpupart_dev *gdev;
	u32 i;

	if (nla_put_string(msg, GPUPART_A_VM, vm->name) ||
	    nla_put_u32(msg, GPUPART_A_KIND, vm->kind))
		return -EMSGSIZE;
	list_for_each_entry(gdev, &gpupart_devs, node) {
		if (only && gdev != only)
			continue;
		if (!strcmp(gdev->dda_vm, vm->name) &&
		    gpupart_assignment_put_dda(msg, gdev))
			return -EMSGSIZE;
		for (i = 0; i < gdev->count; i++)
			if (!strcmp(gdev->parts[i].vm, vm->name) &&
			    gpupart_assignment_put(msg, gdev, i))
				return -EMSGSIZE;
	}
	return 0;
}

static int gpupart_vm_msg(struct sk_buff *msg, const struct gpupart_vm *vm,
			  const struct gpupart_dev *only, u32 portid, u32 seq,
			  int flags, u8 cmd)
{
	void *hdr;

	hdr = genlmsg_put(msg, portid, seq, &gpupart_nl_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	if (gpupart_vm_fill(msg, vm, only)) {
		genlmsg_cancel(msg, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return 0;
}

/**
 * __gpupart_nl_vm_notify() - tell the monitor group about a VM
 * @vm: the VM, holding what the event is about
 * @only: the GPU the event is about, or NULL for all the VM holds
 * @cmd: GPUPART_CMD_VM_{ASSIGN,RELEASE}_NTF
 *
 * Context: caller holds gpupart_lock.
 */
void __gpupart_nl_vm_notify(const struct gpupart_vm *vm,
			    const struct gpupart_dev *only, u8 cmd)
{
	struct sk_buff *msg = gpupart_nl_event_new(NLMSG_GOODSIZE);

	if (!msg)
		return;
	if (gpupart_vm_msg(msg, vm, only, 0, 0, 0, cmd)) {
		nlmsg_free(msg);
		return;
	}
	gpupart_nl_event_send(msg);
}

/**
 * __gpupart_nl_vm_revoke() - tell the monitor group a VM lost a GPU
 * @vm: the VM, still holding what it loses
 * @gdev: the GPU that went away or failed
 * @reason: enum gpupart_revoke_reason
 *
 * Context: caller holds gpupart_lock.
 */
void __gpupart_nl_vm_revoke(const struct gpupart_vm *vm,
			    const struct gpupart_dev *gdev, u32 reason)
{
	struct sk_buff *msg = gpupart_nl_event_new(NLMSG_GOODSIZE);
	void *hdr;

	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &gpupart_nl_family, 0, GPUPART_CMD_VM_REVOKE_NTF);
	if (!hdr || nla_put_u32(msg, GPUPART_A_REASON, reason) ||
	    gpupart_vm_fill(msg, vm, gdev)) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_end(msg, hdr);
	gpupart_nl_event_send(msg);
}

/**
 * __gpupart_nl_part_notify() - tell the monitor group about a partition
 * @gdev: its GPU
 * @idx: the partition
 * @cmd: GPUPART_CMD_PARTITION_{SCRUBBED,QUARANTINED}_NTF
 *
 * Context: caller holds gpupart_lock.
 */
void __gpupart_nl_part_notify(const struct gpupart_dev *gdev, u32 idx, u8 cmd)
{
	struct sk_buff *msg = gpupart_nl_event_new(NLMSG_GOODSIZE);
	void *hdr;

	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &gpupart_nl_family, 0, cmd);
	if (!hdr || gpupart_assignment_put(msg, gdev, idx)) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_end(msg, hdr);
	gpupart_nl_event_send(msg);
}

/* The VM a request names, checked; -EINVAL with the extack set if not. */
static int gpupart_nl_vm_name(struct genl_info *info, char *name)
{
	if (GENL_REQ_ATTR_CHECK(info, GPUPART_A_VM)) {
		NL_SET_ERR_MSG(info->extack, "a VM name (vm) is required");
		return -EINVAL;
	}
	return gpupart_vm_name_parse(info->attrs[GPUPART_A_VM], name,
				     info->extack);
}

/* The reply and events of an accepted assignment; @vm holds @gdev. */
static int gpupart_nl_vm_assigned(struct genl_info *info, const char *name,
				  struct gpupart_dev *gdev)
{
	struct gpupart_vm *vm;
	struct sk_buff *msg;
	int rc = -ENOENT;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	mutex_lock(&gpupart_lock);
	vm = __gpupart_vm_find(name);
	if (vm) {
		rc = msg ? gpupart_vm_msg(msg, vm, gdev, info->snd_portid,
					  info->snd_seq, 0, GPUPART_CMD_VM_ASSIGN) :
			   -ENOMEM;
		__gpupart_nl_vm_notify(vm, gdev, GPUPART_CMD_VM_ASSIGN_NTF);
		__gpupart_nl_dev_notify(gdev, GPUPART_CMD_DEV_CHANGE_NTF);
	}
	mutex_unlock(&gpupart_lock);
	if (rc) {
		nlmsg_free(msg);
		return rc;
	}
	return genlmsg_reply(msg, info);
}

/* VM_ASSIGN of kind dda: a whole GPU, handed to the passthrough driver. */
static int gpupart_nl_vm_assign_dda(struct genl_info *info, const char *name)
{
	struct nlattr *pci_attr = info->attrs[GPUPART_A_PCI_ADDR];
	char why[GPUPART_EXTACK_LEN];
	struct gpupart_dev *gdev;
	int rc;

	rc = gpupart_vm_assign_dda(name, pci_attr ? nla_data(pci_attr) : NULL,
				   why, &gdev);
	if (rc) {
		gpupart_extack_fmt(info->extack, "%s", why);
		return rc;
	}
	return gpupart_nl_vm_assigned(info, name, gdev);
}

/**
 * gpupart_nl_vm_assign_doit() - GPUPART_CMD_VM_ASSIGN
 * @skb: request
 * @info: request attributes and extack
 *
 * Return: 0 or a negative errno; refusals carry an extack message.
 */
int gpupart_nl_vm_assign_doit(struct sk_buff *skb, struct genl_info *info)
{
	char name[GPUPART_VM_NAME_MAX + 1], why[GPUPART_EXTACK_LEN];
	struct nlattr *restore = info->attrs[GPUPART_A_RESTORE_VF];
	u32 kind = GPUPART_KIND_PARTITION, idx;
	struct gpupart_dev *gdev;
	int rc;

	rc = gpupart_nl_vm_name(info, name);
	if (rc)
		return rc;
	if (info->attrs[GPUPART_A_KIND])
		kind = nla_get_u32(info->attrs[GPUPART_A_KIND]);
	if (kind == GPUPART_KIND_DDA && restore) {
		NL_SET_ERR_MSG_ATTR(info->extack, restore,
				    "restore-vf names a partition; a whole GPU is named by pci-addr");
		return -EINVAL;
	}
	if (kind == GPUPART_KIND_DDA)
		return gpupart_nl_vm_assign_dda(info, name);
	if (info->attrs[GPUPART_A_PCI_ADDR]) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[GPUPART_A_PCI_ADDR],
				    "partitions are placed by the kernel; a GPU cannot be named");
		return -EINVAL;
	}
	mutex_lock(&gpupart_lock);
	rc = __gpupart_vm_assign_partition(name, restore ? nla_data(restore) : NULL,
					   &gdev, &idx, why);
	if (!rc && restore && strcmp(pci_name(gdev->parts[idx].vf), nla_data(restore)))
		/* A warning: the assignment stands, the reply says where. */
		gpupart_extack_fmt(info->extack, "VF %s is not a free partition; placed by policy",
				   (char *)nla_data(restore));
	mutex_unlock(&gpupart_lock);
	if (rc) {
		gpupart_extack_fmt(info->extack, "%s", why);
		return rc;
	}
	return gpupart_nl_vm_assigned(info, name, gdev);
}

/**
 * gpupart_nl_vm_release_doit() - GPUPART_CMD_VM_RELEASE
 * @skb: request
 * @info: request attributes and extack
 *
 * Return: 0 or a negative errno; refusals carry an extack message.
 */
int gpupart_nl_vm_release_doit(struct sk_buff *skb, struct genl_info *info)
{
	char name[GPUPART_VM_NAME_MAX + 1];
	struct gpupart_dev *gdev;
	struct gpupart_vm *vm;
	int rc, whole;

	rc = gpupart_nl_vm_name(info, name);
	if (rc)
		return rc;
	mutex_lock(&gpupart_lock);
	vm = __gpupart_vm_find(name);
	if (!vm) {
		mutex_unlock(&gpupart_lock);
		gpupart_extack_fmt(info->extack, "VM %s holds nothing", name);
		return -ENOENT;
	}
	/* The event says what it held, so it goes before the release. */
	__gpupart_nl_vm_notify(vm, NULL, GPUPART_CMD_VM_RELEASE_NTF);
	/* Pinned while whole GPUs come back, though the VM is gone. */
	__module_get(THIS_MODULE);
	whole = __gpupart_vm_release(vm);
	mutex_unlock(&gpupart_lock);

	while (whole--) {
		mutex_lock(&gpupart_lock);
		list_for_each_entry(gdev, &gpupart_devs, node)
			if (gdev->moving && gdev->passed &&
			    !strcmp(gdev->dda_vm, name))
				break;
		mutex_unlock(&gpupart_lock);
		if (list_entry_is_head(gdev, &gpupart_devs, node))
			break;
		gpupart_dda_return(gdev);
	}
	module_put(THIS_MODULE);
	return 0;
}

/**
 * gpupart_nl_vm_get_doit() - GPUPART_CMD_VM_GET, one VM
 * @skb: request
 * @info: request attributes and extack
 *
 * Return: 0 or a negative errno; failures carry an extack message.
 */
int gpupart_nl_vm_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	char name[GPUPART_VM_NAME_MAX + 1];
	struct gpupart_vm *vm;
	struct sk_buff *msg;
	int rc;

	rc = gpupart_nl_vm_name(info, name);
	if (rc)
		return rc;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	mutex_lock(&gpupart_lock);
	vm = __gpupart_vm_find(name);
	if (vm)
		rc = gpupart_vm_msg(msg, vm, NULL, info->snd_portid,
				    info->snd_seq, 0, GPUPART_CMD_VM_GET);
	mutex_unlock(&gpupart_lock);
	if (!vm) {
		gpupart_extack_fmt(info->extack, "VM %s holds nothing", name);
		rc = -ENOENT;
	}
	if (rc) {
		nlmsg_free(msg);
		return rc;
	}
	return genlmsg_reply(msg, info);
}

static int gpupart_vm_put(struct sk_buff *skb, struct list_head *entry,
			  u32 portid, u32 seq)
{
	return gpupart_vm_msg(skb, list_entry(entry, struct gpupart_vm, node),
			      NULL, portid, seq, NLM_F_MULTI, GPUPART_CMD_VM_GET);
}

/**
 * gpupart_nl_vm_get_dumpit() - GPUPART_CMD_VM_GET, every VM, by name
 * @skb: message to fill
 * @cb: dump state
 *
 * Return: the message length, 0 when done, or a negative errno.
 */
int gpupart_nl_vm_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	return gpupart_nl_dump_list(skb, cb, &gpupart_vms, gpupart_vm_put);
}

/**
 * gpupart_nl_host_set_doit() - GPUPART_CMD_HOST_SET: the placement policy
 * @skb: request
 * @info: request attributes and extack
 *
 * Return: 0 or -EINVAL with an extack message.
 */
int gpupart_nl_host_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	if (GENL_REQ_ATTR_CHECK(info, GPUPART_A_PLACEMENT)) {
		NL_SET_ERR_MSG(info->extack, "a placement (spread or pack) is required");
		return -EINVAL;
	}
	mutex_lock(&gpupart_lock);
	gpupart_placement = nla_get_u32(info->attrs[GPUPART_A_PLACEMENT]);
	mutex_unlock(&gpupart_lock);
	return 0;
}

/**
 * gpupart_nl_partition_clear_doit() - GPUPART_CMD_PARTITION_CLEAR
 * @skb: request
 * @info: request attributes and extack
 *
 * Return: 0 or a negative errno; refusals carry an extack message.
 */
int gpupart_nl_partition_clear_doit(struct sk_buff *skb, struct genl_info *info)
{
	char why[GPUPART_EXTACK_LEN];
	struct gpupart_dev *gdev;
	struct pci_dev *pdev;
	const char *addr;
	int rc;

	if (GENL_REQ_ATTR_CHECK(info, GPUPART_A_PCI_ADDR) ||
	    GENL_REQ_ATTR_CHECK(info, GPUPART_A_INDEX)) {
		NL_SET_ERR_MSG(info->extack,
			       "a GPU (pci-addr) and a partition (index) are required");
		return -EINVAL;
	}
	addr = nla_data(info->attrs[GPUPART_A_PCI_ADDR]);
	mutex_lock(&gpupart_lock);
	gdev = __gpupart_dev_find(addr);
	pdev = gdev ? pci_dev_get(gdev->pdev) : NULL;
	mutex_unlock(&gpupart_lock);
	if (!pdev) {
		gpupart_extack_fmt(info->extack, "no GPU bound to gpupart at %s", addr);
		return -ENODEV;
	}
	/* The device lock keeps the GPU bound, and so @gdev alive. */
	device_lock(&pdev->dev);
	mutex_lock(&gpupart_lock);
	gdev = __gpupart_dev_find(addr);
	mutex_unlock(&gpupart_lock);
	if (!gdev || gdev->pdev != pdev) {
		gpupart_extack_fmt(info->extack, "no GPU bound to gpupart at %s", addr);
		rc = -ENODEV;
	} else {
		rc = gpupart_partition_clear(gdev,
					     nla_get_u32(info->attrs[GPUPART_A_INDEX]),
					     why);
		if (rc)
			gpupart_extack_fmt(info->extack, "%s", why);
	}
	device_unlock(&pdev->dev);
	pci_dev_put(pdev);
	return rc;
}
