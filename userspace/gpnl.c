// SPDX-License-Identifier: GPL-2.0
/*
 * libgpupart: a small client of the gpupart generic netlink family.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/msg.h>

#include "gpnl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

int gpnl_open(struct gpnl *nl)
{
	int one = 1, rc;

	memset(nl, 0, sizeof(*nl));
	nl->sk = nl_socket_alloc();
	if (!nl->sk)
		return -ENOMEM;
	rc = genl_connect(nl->sk);
	if (rc) {
		nl_socket_free(nl->sk);
		nl->sk = NULL;
		return -ECONNREFUSED;
	}
	/* Ask for the kernel's reasons; and for the bare error, not our request. */
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_EXT_ACK,
		   &one, sizeof(one));
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_CAP_ACK,
		   &one, sizeof(one));
	/* Do requests ask for an ACK themselves (gpnl_msg); dumps end in DONE. */
	nl_socket_disable_auto_ack(nl->sk);
	nl->family = genl_ctrl_resolve(nl->sk, GPUPART_FAMILY_NAME);
	if (nl->family < 0) {
		nl_socket_free(nl->sk);
		nl->sk = NULL;
		return -ENOENT;
	}
	return 0;
}

void gpnl_close(struct gpnl *nl)
{
	if (nl->sk)
		nl_socket_free(nl->sk);
	nl->sk = NULL;
}

struct nl_msg *gpnl_msg(struct gpnl *nl, uint8_t cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!(flags & NLM_F_DUMP))
		flags |= NLM_F_ACK;
	if (msg && !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0,
				flags, cmd, GPUPART_FAMILY_VERSION)) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return msg;
}

struct gpnl_req {
	struct gpnl *nl;
	gpnl_cb cb;
	void *arg;
	int err;
	bool done;
};

static int gpnl_valid(struct nl_msg *msg, void *arg)
{
	struct gpnl_req *req = arg;
	int rc;

	if (!req->cb || req->err)
		return NL_OK;
	rc = req->cb(nlmsg_hdr(msg), req->arg);
	if (rc < 0)
		req->err = rc;
	return NL_OK;
}

/*
 * The error message is preceded by its own header; with NETLINK_CAP_ACK it
 * holds only the header of our request, then the extended-ack attributes.
 */
static int gpnl_error(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	struct gpnl_req *req = arg;
	int off = NLMSG_HDRLEN + sizeof(*e);

	(void)who;
	req->err = e->error;
	req->done = true;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - sizeof(e->msg);
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || (int)nlh->nlmsg_len <= off)
		return NL_STOP;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)((char *)nlh + off),
		      nlh->nlmsg_len - off, NULL))
		return NL_STOP;
	if (tb[NLMSGERR_ATTR_MSG])
		snprintf(req->nl->err, sizeof(req->nl->err), "%s",
			 nla_get_string(tb[NLMSGERR_ATTR_MSG]));
	return NL_STOP;
}

static int gpnl_finish(struct nl_msg *msg, void *arg)
{
	struct gpnl_req *req = arg;

	(void)msg;
	req->done = true;
	return NL_STOP;
}

int gpnl_exec(struct gpnl *nl, struct nl_msg *msg, gpnl_cb cb, void *arg)
{
	struct gpnl_req req = { .nl = nl, .cb = cb, .arg = arg };
	struct nl_cb *nlcb;
	int rc;

	nl->err[0] = '\0';
	nlcb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!nlcb) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	nl_cb_set(nlcb, NL_CB_VALID, NL_CB_CUSTOM, gpnl_valid, &req);
	nl_cb_set(nlcb, NL_CB_FINISH, NL_CB_CUSTOM, gpnl_finish, &req);
	nl_cb_set(nlcb, NL_CB_ACK, NL_CB_CUSTOM, gpnl_finish, &req);
	nl_cb_err(nlcb, NL_CB_CUSTOM, gpnl_error, &req);

	rc = nl_send_auto(nl->sk, msg);
	nlmsg_free(msg);
	if (rc < 0) {
		nl_cb_put(nlcb);
		return -EIO;
	}
	while (!req.done) {
		rc = nl_recvmsgs(nl->sk, nlcb);
		if (rc < 0 && !req.done) {
			req.err = req.err ? req.err : -EIO;
			break;
		}
	}
	nl_cb_put(nlcb);
	return req.err;
}

static struct nla_policy gpnl_dev_policy[GPUPART_A_MAX + 1] = {
	[GPUPART_A_PCI_ADDR]		= { .type = NLA_STRING },
	[GPUPART_A_VENDOR]		= { .type = NLA_U16 },
	[GPUPART_A_DEVICE]		= { .type = NLA_U16 },
	[GPUPART_A_SUBSYS_VENDOR]	= { .type = NLA_U16 },
	[GPUPART_A_SUBSYS_DEVICE]	= { .type = NLA_U16 },
	[GPUPART_A_MODEL]		= { .type = NLA_STRING },
	[GPUPART_A_TOTAL_VFS]		= { .type = NLA_U32 },
	[GPUPART_A_FB_BYTES]		= { .type = NLA_U64 },
	[GPUPART_A_VALID_COUNT]		= { .type = NLA_U32 },
	[GPUPART_A_MODE]		= { .type = NLA_U32 },
};

int gpnl_dev_parse(struct nlmsghdr *nlh, struct gpnl_dev *dev)
{
	struct nlattr *tb[GPUPART_A_MAX + 1], *a;
	int rem;

	memset(dev, 0, sizeof(*dev));
	if (genlmsg_parse(nlh, 0, tb, GPUPART_A_MAX, gpnl_dev_policy))
		return -EBADMSG;
	if (!tb[GPUPART_A_PCI_ADDR] || !tb[GPUPART_A_MODE])
		return -EBADMSG;
	snprintf(dev->pci, sizeof(dev->pci), "%s",
		 nla_get_string(tb[GPUPART_A_PCI_ADDR]));
	if (tb[GPUPART_A_MODEL])
		snprintf(dev->model, sizeof(dev->model), "%s",
			 nla_get_string(tb[GPUPART_A_MODEL]));
	if (tb[GPUPART_A_VENDOR])
		dev->vendor = nla_get_u16(tb[GPUPART_A_VENDOR]);
	if (tb[GPUPART_A_DEVICE])
		dev->device = nla_get_u16(tb[GPUPART_A_DEVICE]);
	if (tb[GPUPART_A_SUBSYS_VENDOR])
		dev->subsys_vendor = nla_get_u16(tb[GPUPART_A_SUBSYS_VENDOR]);
	if (tb[GPUPART_A_SUBSYS_DEVICE])
		dev->subsys_device = nla_get_u16(tb[GPUPART_A_SUBSYS_DEVICE]);
	if (tb[GPUPART_A_TOTAL_VFS])
		dev->total_vfs = nla_get_u32(tb[GPUPART_A_TOTAL_VFS]);
	if (tb[GPUPART_A_FB_BYTES]) {
		dev->has_fb = true;
		dev->fb_bytes = nla_get_u64(tb[GPUPART_A_FB_BYTES]);
	}
	dev->mode = nla_get_u32(tb[GPUPART_A_MODE]);
	nla_for_each_attr(a, genlmsg_attrdata(nlmsg_data(nlh), 0),
			  genlmsg_attrlen(nlmsg_data(nlh), 0), rem) {
		if (nla_type(a) != GPUPART_A_VALID_COUNT)
			continue;
		if (nla_len(a) != sizeof(uint32_t) || dev->n_counts == GPNL_MAX_COUNTS)
			return -EBADMSG;
		dev->counts[dev->n_counts++] = nla_get_u32(a);
	}
	return 0;
}

struct gpnl_dev_walk {
	int (*each)(const struct gpnl_dev *dev, void *arg);
	void *arg;
};

static int gpnl_dev_one(struct nlmsghdr *nlh, void *arg)
{
	struct gpnl_dev_walk *w = arg;
	struct gpnl_dev dev;
	int rc;

	rc = gpnl_dev_parse(nlh, &dev);
	return rc ? rc : w->each(&dev, w->arg);
}

int gpnl_dev_get(struct gpnl *nl, const char *pci,
		 int (*each)(const struct gpnl_dev *dev, void *arg), void *arg)
{
	struct gpnl_dev_walk w = { each, arg };
	struct nl_msg *msg;

	msg = gpnl_msg(nl, GPUPART_CMD_DEV_GET, pci ? 0 : NLM_F_DUMP);
	if (!msg)
		return -ENOMEM;
	if (pci && nla_put_string(msg, GPUPART_A_PCI_ADDR, pci)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	return gpnl_exec(nl, msg, gpnl_dev_one, &w);
}

const char *gpnl_mode_name(uint32_t mode)
{
	static const char *const names[] = {
		[GPUPART_MODE_NONE]		= "none",
		[GPUPART_MODE_PARTITION]	= "partition",
		[GPUPART_MODE_DDA]		= "dda",
	};

	if (mode < sizeof(names) / sizeof(names[0]) && names[mode])
		return names[mode];
	return "unknown";
}
