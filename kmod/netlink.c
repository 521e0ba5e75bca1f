// SPDX-License-Identifier: GPL-2.0
/*
 * Handlers of the gpupart generic netlink family. One fill function per
 * object serves the single GET, the dump and (later) the notifications.
 */
#include <linux/ctype.h>
#include <net/genetlink.h>

#include "gpupart.h"

/* Room for one device with all its partitions. */
static size_t gpupart_dev_msg_size(const struct gpupart_dev *gdev)
{
	size_t part = nla_total_size(0) +			/* nest */
		      nla_total_size(sizeof(u32)) * 2 +		/* index, state */
		      nla_total_size(GPUPART_PCI_ADDR_MAX_LEN + 1) +
		      nla_total_size_64bit(sizeof(u64)) +
		      nla_total_size(GPUPART_VM_NAME_MAX_LEN + 1);

	return NLMSG_GOODSIZE + gdev->count * part;
}

static int gpupart_part_fill(struct sk_buff *msg, const struct gpupart_dev *gdev,
			     u32 i)
{
	const struct gpupart_partition *p = &gdev->parts[i];
	struct nlattr *nest;

	nest = nla_nest_start(msg, GPUPART_A_PARTITION);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(msg, GPUPART_A_PARTITION_INDEX, i) ||
	    nla_put_string(msg, GPUPART_A_PARTITION_VF, pci_name(p->vf)) ||
	    nla_put_u32(msg, GPUPART_A_PARTITION_STATE, p->state) ||
	    (p->vm[0] && nla_put_string(msg, GPUPART_A_PARTITION_VM, p->vm)) ||
	    (gdev->model &&
	     nla_put_u64_64bit(msg, GPUPART_A_PARTITION_FB_BYTES,
			       div_u64(gdev->model->fb_bytes, gdev->count),
			       GPUPART_A_PARTITION_PAD))) {
		nla_nest_cancel(msg, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(msg, nest);
	return 0;
}

/*
 * gpupart_dev_fill() - put one device's attributes into a message
 *
 * Context: caller holds gpupart_lock.
 */
static int gpupart_dev_fill(struct sk_buff *msg, const struct gpupart_dev *gdev)
{
	const struct pci_dev *pdev = gdev->pdev;
	u32 count = 0, i;

	lockdep_assert_held(&gpupart_lock);
	if (nla_put_string(msg, GPUPART_A_PCI_ADDR, pci_name(pdev)) ||
	    nla_put_u16(msg, GPUPART_A_VENDOR, pdev->vendor) ||
	    nla_put_u16(msg, GPUPART_A_DEVICE, pdev->device) ||
	    nla_put_u16(msg, GPUPART_A_SUBSYS_VENDOR, pdev->subsystem_vendor) ||
	    nla_put_u16(msg, GPUPART_A_SUBSYS_DEVICE, pdev->subsystem_device) ||
	    nla_put_string(msg, GPUPART_A_MODEL, gpupart_dev_model_name(gdev)) ||
	    nla_put_u32(msg, GPUPART_A_TOTAL_VFS, gdev->total_vfs) ||
	    nla_put_u32(msg, GPUPART_A_MODE, gdev->mode) ||
	    nla_put_u32(msg, GPUPART_A_PARTITION_COUNT, gdev->count))
		return -EMSGSIZE;
	if (gdev->model &&
	    nla_put_u64_64bit(msg, GPUPART_A_FB_BYTES, gdev->model->fb_bytes,
			      GPUPART_A_PAD))
		return -EMSGSIZE;
	if (gdev->dda_vm[0] && nla_put_string(msg, GPUPART_A_VM, gdev->dda_vm))
		return -EMSGSIZE;
	if (gdev->error && nla_put_u32(msg, GPUPART_A_ERROR, gdev->error))
		return -EMSGSIZE;
	while ((count = gpupart_next_count(gdev, count)))
		if (nla_put_u32(msg, GPUPART_A_VALID_COUNT, count))
			return -EMSGSIZE;
	for (i = 0; i < gdev->count; i++)
		if (gpupart_part_fill(msg, gdev, i))
			return -EMSGSIZE;
	return 0;
}

/* One device as a complete message: a reply, a dump entry or an event. */
static int gpupart_dev_msg(struct sk_buff *msg, const struct gpupart_dev *gdev,
			   u32 portid, u32 seq, int flags, u8 cmd)
{
	void *hdr;

	hdr = genlmsg_put(msg, portid, seq, &gpupart_nl_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	if (gpupart_dev_fill(msg, gdev)) {
		genlmsg_cancel(msg, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return 0;
}

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
 * __gpupart_nl_dev_lookup() - the device a request names in GPUPART_A_PCI_ADDR
 *
 * Sets the extack and returns an ERR_PTR when the attribute is missing,
 * malformed, or names no bound device.
 *
 * Context: caller holds gpupart_lock.
 */
static struct gpupart_dev *__gpupart_nl_dev_lookup(struct genl_info *info)
{
	struct nlattr *attr = info->attrs[GPUPART_A_PCI_ADDR];
	struct gpupart_dev *gdev;

	if (GENL_REQ_ATTR_CHECK(info, GPUPART_A_PCI_ADDR)) {
		NL_SET_ERR_MSG(info->extack, "a PCI address (pci-addr) is required");
		return ERR_PTR(-EINVAL);
	}
	if (!gpupart_pci_addr_valid(nla_data(attr))) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "PCI address must look like 0000:01:00.0");
		return ERR_PTR(-EINVAL);
	}
	gdev = __gpupart_dev_find(nla_data(attr));
	if (!gdev) {
		gpupart_extack_fmt(info->extack,
				   "no GPU bound to gpupart at %s",
				   (char *)nla_data(attr));
		NL_SET_BAD_ATTR(info->extack, attr);
		return ERR_PTR(-ENODEV);
	}
	return gdev;
}

/**
 * gpupart_nl_dev_get_doit() - GPUPART_CMD_DEV_GET, one device
 * @skb: request
 * @info: request attributes and extack
 *
 * Return: 0 or a negative errno; failures carry an extack message.
 */
int gpupart_nl_dev_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg = NULL;
	struct gpupart_dev *gdev;
	int rc;

	mutex_lock(&gpupart_lock);
	gdev = __gpupart_nl_dev_lookup(info);
	if (IS_ERR(gdev)) {
		rc = PTR_ERR(gdev);
		goto out_unlock;
	}
	msg = genlmsg_new(gpupart_dev_msg_size(gdev), GFP_KERNEL);
	if (!msg) {
		rc = -ENOMEM;
		goto out_unlock;
	}
	rc = gpupart_dev_msg(msg, gdev, info->snd_portid, info->snd_seq, 0,
			     GPUPART_CMD_DEV_GET);
out_unlock:
	mutex_unlock(&gpupart_lock);
	if (rc) {
		nlmsg_free(msg);
		return rc;
	}
	return genlmsg_reply(msg, info);
}

/**
 * gpupart_nl_dump_list() - one message per entry of a registry list
 * @skb: message to fill
 * @cb: dump state; args[0] is the number of entries already sent
 * @head: gpupart_devs or gpupart_vms
 * @put: puts one entry as a complete message
 *
 * Context: takes gpupart_lock.
 * Return: the message length, 0 when done, or a negative errno.
 */
int gpupart_nl_dump_list(struct sk_buff *skb, struct netlink_callback *cb,
			 struct list_head *head,
			 int (*put)(struct sk_buff *skb, struct list_head *entry,
				    u32 portid, u32 seq))
{
	struct list_head *pos;
	long idx = 0;
	int rc = 0;

	mutex_lock(&gpupart_lock);
	list_for_each(pos, head) {
		if (idx++ < cb->args[0])
			continue;
		rc = put(skb, pos, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq);
		if (rc) {
			idx--;
			break;
		}
	}
	mutex_unlock(&gpupart_lock);
	cb->args[0] = idx;

	/* A full message ends this round; the core calls again for the rest. */
	return rc == -EMSGSIZE && skb->len ? skb->len : rc;
}

static int gpupart_dev_dump_one(struct sk_buff *skb, struct list_head *entry,
				u32 portid, u32 seq)
{
	return gpupart_dev_msg(skb, list_entry(entry, struct gpupart_dev, node),
			       portid, seq, NLM_F_MULTI, GPUPART_CMD_DEV_GET);
}

/**
 * gpupart_nl_dev_get_dumpit() - GPUPART_CMD_DEV_GET, every device
 * @skb: message to fill
 * @cb: dump state
 *
 * Return: the message length, 0 when done, or a negative errno.
 */
int gpupart_nl_dev_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	return gpupart_nl_dump_list(skb, cb, &gpupart_devs, gpupart_dev_dump_one);
}

/*
 * DEV_SET's attributes, checked before any lock is taken: a mode, and a
 * partition count exactly when the mode is partition.
 */
static int gpupart_nl_dev_set_precheck(struct genl_info *info, u32 *mode,
				       u32 *count)
{
	struct nlattr *count_attr = info->attrs[GPUPART_A_PARTITION_COUNT];

	if (GENL_REQ_ATTR_CHECK(info, GPUPART_A_MODE)) {
		NL_SET_ERR_MSG(info->extack, "a mode (none, partition or dda) is required");
		return -EINVAL;
	}
	*mode = nla_get_u32(info->attrs[GPUPART_A_MODE]);
	if (*mode == GPUPART_MODE_PARTITION && !count_attr) {
		NL_SET_ERR_MSG(info->extack, "mode partition needs a partition count");
		NL_SET_ERR_ATTR_MISS(info->extack, NULL, GPUPART_A_PARTITION_COUNT);
		return -EINVAL;
	}
	if (*mode != GPUPART_MODE_PARTITION && count_attr) {
		NL_SET_ERR_MSG_ATTR(info->extack, count_attr,
				    "a partition count goes with mode partition only");
		return -EINVAL;
	}
	*count = count_attr ? nla_get_u32(count_attr) : 0;
	return 0;
}

/**
 * gpupart_nl_dev_set_doit() - GPUPART_CMD_DEV_SET: set a GPU's mode
 * @skb: request
 * @info: request attributes and extack
 *
 * The GPU is looked up and referenced; then, holding nothing of gpupart's,
 * the PCI rescan/remove lock is taken, as the sysfs door has it around
 * sriov_configure(), so that VFs are never added while the bus is being
 * rescanned. The PF's device lock is not taken: removal takes it before
 * it waits for gpupart (see "Locking").
 *
 * Return: 0 or a negative errno; failures carry an extack message.
 */
int gpupart_nl_dev_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	char why[GPUPART_EXTACK_LEN];
	struct gpupart_dev *gdev;
	u32 mode, count;
	int rc;

	rc = gpupart_nl_dev_set_precheck(info, &mode, &count);
	if (rc)
		return rc;

	mutex_lock(&gpupart_lock);
	gdev = __gpupart_nl_dev_lookup(info);
	if (!IS_ERR(gdev))
		__gpupart_dev_get(gdev);
	mutex_unlock(&gpupart_lock);
	if (IS_ERR(gdev))
		return PTR_ERR(gdev);

	pci_lock_rescan_remove();
	rc = gpupart_dev_set(gdev, mode, count, why);
	pci_unlock_rescan_remove();
	gpupart_dev_put(gdev);
	if (rc < 0) {
		gpupart_extack_fmt(info->extack, "%s", why);
		return rc;
	}
	return 0;
}

static int gpupart_host_fill(struct sk_buff *msg)
{
	const struct gpupart_dev *first;
	bool homogeneous;
	u32 n;

	first = __gpupart_host_state(&homogeneous, &n);
	if (nla_put_u8(msg, GPUPART_A_HOMOGENEOUS, homogeneous) ||
	    nla_put_u32(msg, GPUPART_A_PARTITIONED_GPUS, n) ||
	    nla_put_u32(msg, GPUPART_A_PLACEMENT, gpupart_placement))
		return -EMSGSIZE;
	if (!first)
		return 0;
	if (nla_put_u16(msg, GPUPART_A_VENDOR, first->pdev->vendor) ||
	    nla_put_u16(msg, GPUPART_A_DEVICE, first->pdev->device) ||
	    nla_put_u16(msg, GPUPART_A_SUBSYS_VENDOR, first->pdev->subsystem_vendor) ||
	    nla_put_u16(msg, GPUPART_A_SUBSYS_DEVICE, first->pdev->subsystem_device) ||
	    nla_put_string(msg, GPUPART_A_MODEL, gpupart_dev_model_name(first)) ||
	    nla_put_u32(msg, GPUPART_A_PARTITION_COUNT, first->count))
		return -EMSGSIZE;
	return 0;
}

/**
 * gpupart_nl_host_get_doit() - GPUPART_CMD_HOST_GET: the host's partitioning
 * @skb: request
 * @info: request attributes and extack
 *
 * Return: 0 or a negative errno.
 */
int gpupart_nl_host_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;
	int rc;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &gpupart_nl_family, 0,
				GPUPART_CMD_HOST_GET);
	if (!hdr) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	mutex_lock(&gpupart_lock);
	rc = gpupart_host_fill(msg);
	mutex_unlock(&gpupart_lock);
	if (rc) {
		nlmsg_free(msg);
		return rc;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/**
 * gpupart_nl_event_new() - a message for the monitor group
 * @size: room it needs
 *
 * Return: the message, or NULL when nobody listens (nothing is built then)
 * or memory is short; events are not worth failing an operation for.
 */
struct sk_buff *gpupart_nl_event_new(size_t size)
{
	if (!genl_has_listeners(&gpupart_nl_family, &init_net,
				GPUPART_NLGRP_MONITOR))
		return NULL;
	return genlmsg_new(size, GFP_KERNEL);
}

/**
 * gpupart_nl_event_send() - send a complete message to the monitor group
 * @msg: from gpupart_nl_event_new(); consumed
 */
void gpupart_nl_event_send(struct sk_buff *msg)
{
	genlmsg_multicast(&gpupart_nl_family, msg, 0, GPUPART_NLGRP_MONITOR,
			  GFP_KERNEL);
}

/**
 * __gpupart_nl_dev_notify() - tell the monitor group about a device
 * @gdev: the device, as it is now
 * @cmd: GPUPART_CMD_DEV_{ADD,DEL,CHANGE,ERROR}_NTF
 *
 * Carries the same attributes as a DEV_GET reply.
 *
 * Context: caller holds gpupart_lock.
 */
void __gpupart_nl_dev_notify(const struct gpupart_dev *gdev, u8 cmd)
{
	struct sk_buff *msg;

	lockdep_assert_held(&gpupart_lock);
	msg = gpupart_nl_event_new(gpupart_dev_msg_size(gdev));
	if (!msg)
		return;
	if (gpupart_dev_msg(msg, gdev, 0, 0, 0, cmd)) {
		nlmsg_free(msg);
		return;
	}
	gpupart_nl_event_send(msg);
}
