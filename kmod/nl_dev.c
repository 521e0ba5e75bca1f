// SPDX-License-Identifier: GPL-2.0
/*
 * Requests about GPUs: DEV_GET, DEV_SET and PARTITION_CLEAR. The GPU a
 * request names was found and referenced by pre_doit (family.c).
 */
#include <net/genetlink.h>

#include "gpupart.h"

/* The GPU the request names; refused when it names none. */
static struct gpupart_dev *gpupart_nl_dev(struct genl_info *info)
{
	if (!info->user_ptr[0] && GENL_REQ_ATTR_CHECK(info, GPUPART_A_PCI_ADDR))
		NL_SET_ERR_MSG(info->extack, "a PCI address (pci-addr) is required");
	return info->user_ptr[0];
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
	struct gpupart_dev *gdev = gpupart_nl_dev(info);
	struct sk_buff *msg;
	int rc;

	if (!gdev)
		return -EINVAL;
	mutex_lock(&gpupart_lock);
	msg = genlmsg_new(gpupart_dev_msg_size(gdev), GFP_KERNEL);
	rc = msg ? gpupart_dev_msg(msg, gdev, info->snd_portid, info->snd_seq,
				   0, GPUPART_CMD_DEV_GET) : -ENOMEM;
	mutex_unlock(&gpupart_lock);
	return gpupart_nl_reply(msg, info, rc);
}

static int gpupart_dev_dump_one(struct sk_buff *skb, struct list_head *entry,
				struct netlink_callback *cb)
{
	return gpupart_dev_dump_msg(skb, list_entry(entry, struct gpupart_dev, node), cb);
}

/**
 * gpupart_nl_dev_get_dumpit() - GPUPART_CMD_DEV_GET, every device
 * @skb: message to fill
 * @cb: dump state: args[0] GPUs sent, args[1] the next partition of the
 *	one that did not fit
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
 * Holding nothing of gpupart's, the PCI core's locks that the GPU's way
 * of being held calls for are taken (way.c): the rescan/remove lock, as
 * the sysfs door has it around sriov_configure(), so that VFs are never
 * added while the bus is being rescanned.
 *
 * Return: 0 or a negative errno; failures carry an extack message.
 */
int gpupart_nl_dev_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct gpupart_dev *gdev = gpupart_nl_dev(info);
	u32 mode, count;
	int rc;

	if (!gdev)
		return -EINVAL;
	rc = gpupart_nl_dev_set_precheck(info, &mode, &count);
	if (rc)
		return rc;
	gdev->way->lock(gdev);
	rc = gpupart_dev_set(gdev, mode, count, info->extack);
	gdev->way->unlock(gdev);
	return rc < 0 ? rc : 0;
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
	struct gpupart_dev *gdev = gpupart_nl_dev(info);

	if (!gdev)
		return -EINVAL;
	if (GENL_REQ_ATTR_CHECK(info, GPUPART_A_INDEX)) {
		NL_SET_ERR_MSG(info->extack, "a partition (index) is required");
		return -EINVAL;
	}
	return gpupart_partition_clear(gdev, nla_get_u32(info->attrs[GPUPART_A_INDEX]),
				       info->extack);
}
