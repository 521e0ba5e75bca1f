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

/**
 * __gpupart_nl_vm_assigned() - the reply and events of an assignment
 * @reply: the VM_ASSIGN reply to fill
 * @info: the request
 * @vm: the VM
 * @gdev: what it was just given (of that GPU)
 *
 * Called in the critical section that made the assignment, so that the
 * reply says what was assigned, whatever comes next.
 *
 * Context: caller holds gpupart_lock.
 * Return: 0 or -EMSGSIZE.
 */
int __gpupart_nl_vm_assigned(struct sk_buff *reply, struct genl_info *info,
			     const struct gpupart_vm *vm,
			     const struct gpupart_dev *gdev)
{
	lockdep_assert_held(&gpupart_lock);
	__gpupart_nl_vm_notify(vm, gdev, GPUPART_CMD_VM_ASSIGN_NTF);
	__gpupart_nl_dev_notify(gdev, GPUPART_CMD_DEV_CHANGE_NTF);
	return gpupart_vm_msg(reply, vm, gdev, info->snd_portid, info->snd_seq,
			      0, GPUPART_CMD_VM_ASSIGN);
}

/* VM_ASSIGN of a partition: placed by policy, or the one restore-vf names. */
static int gpupart_nl_vm_assign_partition(struct genl_info *info,
					  const char *name, struct sk_buff *reply)
{
	struct nlattr *restore = info->attrs[GPUPART_A_RESTORE_VF];
	char why[GPUPART_EXTACK_LEN];
	struct gpupart_dev *gdev;
	struct gpupart_vm *vm;
	int rc;
	u32 idx;

	if (info->attrs[GPUPART_A_PCI_ADDR]) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[GPUPART_A_PCI_ADDR],
				    "partitions are placed by the kernel; a GPU cannot be named");
		return -EINVAL;
	}
	mutex_lock(&gpupart_lock);
	rc = __gpupart_vm_assign_partition(name, restore ? nla_data(restore) : NULL,
					   &vm, &gdev, &idx, why);
	if (rc) {
		mutex_unlock(&gpupart_lock);
		gpupart_extack_fmt(info->extack, "%s", why);
		return rc;
	}
	if (restore && strcmp(pci_name(gdev->parts[idx].vf), nla_data(restore)))
		/* A warning: the assignment stands, the reply says where. */
		gpupart_extack_fmt(info->extack, "VF %s is not a free partition; placed by policy",
				   (char *)nla_data(restore));
	rc = __gpupart_nl_vm_assigned(reply, info, vm, gdev);
	mutex_unlock(&gpupart_lock);
	return rc;
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
	struct nlattr *restore = info->attrs[GPUPART_A_RESTORE_VF];
	char name[GPUPART_VM_NAME_MAX_LEN + 1], why[GPUPART_EXTACK_LEN];
	u32 kind = GPUPART_KIND_PARTITION;
	struct nlattr *pci_attr;
	struct sk_buff *reply;
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
	reply = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!reply)
		return -ENOMEM;
	if (kind == GPUPART_KIND_DDA) {
		pci_attr = info->attrs[GPUPART_A_PCI_ADDR];
		rc = gpupart_vm_assign_dda(name, pci_attr ? nla_data(pci_attr) : NULL,
					   why, reply, info);
		if (rc)
			gpupart_extack_fmt(info->extack, "%s", why);
	} else {
		rc = gpupart_nl_vm_assign_partition(info, name, reply);
	}
	if (rc) {
		nlmsg_free(reply);
		return rc;
	}
	return genlmsg_reply(reply, info);
}

/* A whole GPU of @name's that release marked: referenced, or NULL. */
static struct gpupart_dev *gpupart_nl_vm_returning(const char *name)
{
	struct gpupart_dev *gdev, *found = NULL;

	mutex_lock(&gpupart_lock);
	list_for_each_entry(gdev, &gpupart_devs, node) {
		if (gdev->moving && gdev->passed && !strcmp(gdev->dda_vm, name)) {
			found = __gpupart_dev_get(gdev);
			break;
		}
	}
	mutex_unlock(&gpupart_lock);
	return found;
}

/* Whether a whole GPU is being handed to @name: released only after. */
static bool __gpupart_vm_moving(const char *name)
{
	const struct gpupart_dev *gdev;

	list_for_each_entry(gdev, &gpupart_devs, node)
		if (gdev->moving && !strcmp(gdev->dda_vm, name))
			return true;
	return false;
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
	char name[GPUPART_VM_NAME_MAX_LEN + 1];
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
	if (__gpupart_vm_moving(name)) {
		mutex_unlock(&gpupart_lock);
		gpupart_extack_fmt(info->extack, "a GPU is being handed to VM %s; try again",
				   name);
		return -EBUSY;
	}
	/* The event says what it held, so it goes before the release. */
	__gpupart_nl_vm_notify(vm, NULL, GPUPART_CMD_VM_RELEASE_NTF);
	whole = __gpupart_vm_release(vm);
	mutex_unlock(&gpupart_lock);

	/* The request pins the module while whole GPUs come back. */
	while (whole-- && (gdev = gpupart_nl_vm_returning(name))) {
		gpupart_dda_return(gdev);
		gpupart_dev_put(gdev);
	}
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
	char name[GPUPART_VM_NAME_MAX_LEN + 1];
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
	if (gdev)
		__gpupart_dev_get(gdev);
	mutex_unlock(&gpupart_lock);
	if (!gdev) {
		gpupart_extack_fmt(info->extack, "no GPU bound to gpupart at %s", addr);
		return -ENODEV;
	}
	rc = gpupart_partition_clear(gdev, nla_get_u32(info->attrs[GPUPART_A_INDEX]),
				     why);
	if (rc)
		gpupart_extack_fmt(info->extack, "%s", why);
	gpupart_dev_put(gdev);
	return rc;
}
