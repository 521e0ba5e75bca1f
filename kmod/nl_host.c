// SPDX-License-Identifier: GPL-2.0
/*
 * Requests about the host: HOST_GET (its partitioning) and HOST_SET (its
 * placement policy).
 */
#include <net/genetlink.h>

#include "gpupart.h"

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
	rc = __gpupart_host_fill(msg);
	mutex_unlock(&gpupart_lock);
	if (!rc)
		genlmsg_end(msg, hdr);
	return gpupart_nl_reply(msg, info, rc);
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
