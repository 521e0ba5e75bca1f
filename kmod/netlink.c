// SPDX-License-Identifier: GPL-2.0
/*
 * Handlers of the gpupart generic netlink family. One fill function per
 * object serves the single GET, the dump and (later) the notifications.
 */
#include <linux/ctype.h>
#include <net/genetlink.h>

#include "gpupart.h"

/*
 * gpupart_dev_fill() - put one device's attributes into a message
 *
 * Context: caller holds gpupart_lock.
 */
static int gpupart_dev_fill(struct sk_buff *msg, const struct gpupart_dev *gdev)
{
	const struct pci_dev *pdev = gdev->pdev;
	u32 count = 0;

	lockdep_assert_held(&gpupart_lock);
	if (nla_put_string(msg, GPUPART_A_PCI_ADDR, pci_name(pdev)) ||
	    nla_put_u16(msg, GPUPART_A_VENDOR, pdev->vendor) ||
	    nla_put_u16(msg, GPUPART_A_DEVICE, pdev->device) ||
	    nla_put_u16(msg, GPUPART_A_SUBSYS_VENDOR, pdev->subsystem_vendor) ||
	    nla_put_u16(msg, GPUPART_A_SUBSYS_DEVICE, pdev->subsystem_device) ||
	    nla_put_string(msg, GPUPART_A_MODEL, gpupart_dev_model_name(gdev)) ||
	    nla_put_u32(msg, GPUPART_A_TOTAL_VFS, gdev->total_vfs) ||
	    nla_put_u32(msg, GPUPART_A_MODE, gdev->mode))
		return -EMSGSIZE;
	if (gdev->model &&
	    nla_put_u64_64bit(msg, GPUPART_A_FB_BYTES, gdev->model->fb_bytes,
			      GPUPART_A_PAD))
		return -EMSGSIZE;
	while ((count = gpupart_next_count(gdev, count)))
		if (nla_put_u32(msg, GPUPART_A_VALID_COUNT, count))
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
	struct gpupart_dev *gdev;
	struct sk_buff *msg;
	int rc;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;

	mutex_lock(&gpupart_lock);
	gdev = __gpupart_nl_dev_lookup(info);
	if (IS_ERR(gdev))
		rc = PTR_ERR(gdev);
	else
		rc = gpupart_dev_msg(msg, gdev, info->snd_portid,
				     info->snd_seq, 0, GPUPART_CMD_DEV_GET);
	mutex_unlock(&gpupart_lock);

	if (rc) {
		nlmsg_free(msg);
		return rc;
	}
	return genlmsg_reply(msg, info);
}

/**
 * gpupart_nl_dev_get_dumpit() - GPUPART_CMD_DEV_GET, every device
 * @skb: message to fill
 * @cb: dump state; args[0] is the number of devices already sent
 *
 * Return: the message length, 0 when done, or a negative errno.
 */
int gpupart_nl_dev_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct gpupart_dev *gdev;
	long idx = 0;
	int rc = 0;

	mutex_lock(&gpupart_lock);
	list_for_each_entry(gdev, &gpupart_devs, node) {
		if (idx++ < cb->args[0])
			continue;
		rc = gpupart_dev_msg(skb, gdev, NETLINK_CB(cb->skb).portid,
				     cb->nlh->nlmsg_seq, NLM_F_MULTI,
				     GPUPART_CMD_DEV_GET);
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
