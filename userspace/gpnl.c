// SPDX-License-Identifier: GPL-2.0
/*
 * libgpupart: a small client of the gpupart generic netlink family.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
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

int gpnl_open_wait(struct gpnl *nl, void (*waiting)(void *arg), void *arg)
{
	struct pollfd pfd = { .events = POLLIN };
	struct nl_sock *sk;
	char buf[8192];
	bool said = false;
	ssize_t n;
	int rc, grp;

	rc = gpnl_open(nl);
	if (rc != -ENOENT)
		return rc;
	/*
	 * nlctrl announces every family that registers to its "notify"
	 * group: joined before the next try, no registration can fall
	 * between a failed try and the wait.
	 */
	sk = nl_socket_alloc();
	if (!sk)
		return -ENOMEM;
	rc = -ECONNREFUSED;
	if (genl_connect(sk))
		goto free_sk;
	grp = genl_ctrl_resolve_grp(sk, "nlctrl", "notify");
	if (grp < 0) {
		rc = -ENOENT;
		goto free_sk;
	}
	pfd.fd = nl_socket_get_fd(sk);
	if (setsockopt(pfd.fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &grp, sizeof(grp))) {
		rc = -errno;
		goto free_sk;
	}
	while ((rc = gpnl_open(nl)) == -ENOENT) {
		if (!said && waiting)
			waiting(arg);
		said = true;
		if (poll(&pfd, 1, -1) < 0 && errno != EINTR) {
			rc = -errno;
			break;
		}
		/* Whatever nlctrl said, or that it said too much: try again. */
		for (;;) {
			n = recv(pfd.fd, buf, sizeof(buf), MSG_DONTWAIT);
			if (n <= 0 && !(n < 0 && errno == ENOBUFS))
				break;
		}
	}
free_sk:
	nl_socket_free(sk);
	return rc;
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

	nl->err[0] = '\0';
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
	bool intr;	/* a dump the kernel marked interrupted */
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

/* Noted, and read on to NLMSG_DONE so that nothing is left for the next request. */
static int gpnl_intr(struct nl_msg *msg, void *arg)
{
	struct gpnl_req *req = arg;

	(void)msg;
	req->intr = true;
	return NL_OK;
}

static int gpnl_finish(struct nl_msg *msg, void *arg)
{
	struct gpnl_req *req = arg;

	(void)msg;
	req->done = true;
	return NL_STOP;
}

/* gpnl_exec(), and whether a dump was interrupted (@intr). */
static int gpnl_run(struct gpnl *nl, struct nl_msg *msg, gpnl_cb cb, void *arg,
		    bool *intr)
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
	nl_cb_set(nlcb, NL_CB_DUMP_INTR, NL_CB_CUSTOM, gpnl_intr, &req);
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
	if (intr)
		*intr = req.intr;
	return req.err;
}

int gpnl_exec(struct gpnl *nl, struct nl_msg *msg, gpnl_cb cb, void *arg)
{
	return gpnl_run(nl, msg, cb, arg, NULL);
}

/* What one dump gathered: @n entries of @size bytes in @v, room for @cap. */
struct gpnl_list {
	void *v;
	unsigned int n, cap;
	size_t size;
};

/* The slot for one more entry (counted by the caller), or NULL. */
static void *gpnl_list_slot(struct gpnl_list *l)
{
	unsigned int want = l->cap ? l->cap * 2 : 8;
	void *p;

	if (l->n == l->cap) {
		p = realloc(l->v, (size_t)want * l->size);
		if (!p)
			return NULL;
		l->v = p;
		l->cap = want;
	}
	return (char *)l->v + (size_t)l->n * l->size;
}

/*
 * A dump is read whole before anything of it is handed on. The kernel marks
 * one interrupted when its lists changed between two of its messages (an
 * entry may then be missing or twice); it is thrown away and read again, up
 * to GPNL_DUMP_TRIES times. @collect gathers the messages of one try in @l.
 */
#define GPNL_DUMP_TRIES	8

static int gpnl_dump(struct gpnl *nl, uint8_t cmd, const char *what,
		     gpnl_cb collect, struct gpnl_list *l)
{
	struct nl_msg *msg;
	bool intr = false;
	int i, rc;

	for (i = 0; i < GPNL_DUMP_TRIES; i++) {
		l->n = 0;
		msg = gpnl_msg(nl, cmd, NLM_F_DUMP);
		if (!msg)
			return -ENOMEM;
		rc = gpnl_run(nl, msg, collect, l, &intr);
		/* What an interrupted dump held may not even parse: read it again. */
		if (!intr)
			return rc;
	}
	l->n = 0;
	snprintf(nl->err, sizeof(nl->err),
		 "the %s changed during each of %d dumps; try again", what,
		 GPNL_DUMP_TRIES);
	return -EAGAIN;
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
	[GPUPART_A_PARTITION_COUNT]	= { .type = NLA_U32 },
	[GPUPART_A_PARTITION]		= { .type = NLA_NESTED },
	[GPUPART_A_HOMOGENEOUS]		= { .type = NLA_U8 },
	[GPUPART_A_PARTITIONED_GPUS]	= { .type = NLA_U32 },
	[GPUPART_A_VM]			= { .type = NLA_STRING },
	[GPUPART_A_KIND]		= { .type = NLA_U32 },
	[GPUPART_A_PLACEMENT]		= { .type = NLA_U32 },
	[GPUPART_A_ASSIGNMENT]		= { .type = NLA_NESTED },
	[GPUPART_A_INDEX]		= { .type = NLA_U32 },
	[GPUPART_A_REASON]		= { .type = NLA_U32 },
	[GPUPART_A_ERROR]		= { .type = NLA_U32 },
	[GPUPART_A_RELEASING]		= { .type = NLA_FLAG },
	[GPUPART_A_HOLD]		= { .type = NLA_U32 },
	[GPUPART_A_PF_DRIVER]		= { .type = NLA_STRING },
	[GPUPART_A_UNADOPTED_VFS]	= { .type = NLA_U32 },
};

static struct nla_policy gpnl_assign_policy[GPUPART_A_ASSIGNMENT_MAX + 1] = {
	[GPUPART_A_ASSIGNMENT_DEV]	= { .type = NLA_STRING },
	[GPUPART_A_ASSIGNMENT_INDEX]	= { .type = NLA_U32 },
	[GPUPART_A_ASSIGNMENT_VF]	= { .type = NLA_STRING },
	[GPUPART_A_ASSIGNMENT_PROFILE]	= { .type = NLA_STRING },
};

static int gpnl_assign_parse(struct nlattr *nest, struct gpnl_assign *a)
{
	struct nlattr *tb[GPUPART_A_ASSIGNMENT_MAX + 1];

	memset(a, 0, sizeof(*a));
	if (nla_parse_nested(tb, GPUPART_A_ASSIGNMENT_MAX, nest, gpnl_assign_policy) ||
	    !tb[GPUPART_A_ASSIGNMENT_DEV])
		return -EBADMSG;
	snprintf(a->dev, sizeof(a->dev), "%s", nla_get_string(tb[GPUPART_A_ASSIGNMENT_DEV]));
	if (tb[GPUPART_A_ASSIGNMENT_INDEX]) {
		a->has_index = true;
		a->index = nla_get_u32(tb[GPUPART_A_ASSIGNMENT_INDEX]);
	}
	if (tb[GPUPART_A_ASSIGNMENT_VF])
		snprintf(a->vf, sizeof(a->vf), "%s", nla_get_string(tb[GPUPART_A_ASSIGNMENT_VF]));
	if (tb[GPUPART_A_ASSIGNMENT_PROFILE])
		snprintf(a->profile, sizeof(a->profile), "%s",
			 nla_get_string(tb[GPUPART_A_ASSIGNMENT_PROFILE]));
	return 0;
}

int gpnl_vm_parse(struct nlmsghdr *nlh, struct gpnl_vm *vm)
{
	struct nlattr *tb[GPUPART_A_MAX + 1], *a;
	int rem;

	memset(vm, 0, sizeof(*vm));
	if (genlmsg_parse(nlh, 0, tb, GPUPART_A_MAX, gpnl_dev_policy) ||
	    !tb[GPUPART_A_VM] || !tb[GPUPART_A_KIND])
		return -EBADMSG;
	snprintf(vm->name, sizeof(vm->name), "%s", nla_get_string(tb[GPUPART_A_VM]));
	vm->kind = nla_get_u32(tb[GPUPART_A_KIND]);
	nla_for_each_attr(a, genlmsg_attrdata(nlmsg_data(nlh), 0),
			  genlmsg_attrlen(nlmsg_data(nlh), 0), rem) {
		if (nla_type(a) != GPUPART_A_ASSIGNMENT)
			continue;
		if (vm->n == GPNL_MAX_ASSIGN || gpnl_assign_parse(a, &vm->a[vm->n]))
			return -EBADMSG;
		vm->n++;
	}
	return 0;
}

static struct nla_policy gpnl_part_policy[GPUPART_A_PARTITION_MAX + 1] = {
	[GPUPART_A_PARTITION_INDEX]	= { .type = NLA_U32 },
	[GPUPART_A_PARTITION_VF]	= { .type = NLA_STRING },
	[GPUPART_A_PARTITION_STATE]	= { .type = NLA_U32 },
	[GPUPART_A_PARTITION_FB_BYTES]	= { .type = NLA_U64 },
	[GPUPART_A_PARTITION_VM]	= { .type = NLA_STRING },
	[GPUPART_A_PARTITION_PROFILE]	= { .type = NLA_STRING },
};

static int gpnl_part_parse(struct nlattr *nest, struct gpnl_part *p)
{
	struct nlattr *tb[GPUPART_A_PARTITION_MAX + 1];

	if (nla_parse_nested(tb, GPUPART_A_PARTITION_MAX, nest, gpnl_part_policy) ||
	    !tb[GPUPART_A_PARTITION_INDEX] || !tb[GPUPART_A_PARTITION_VF] ||
	    !tb[GPUPART_A_PARTITION_STATE])
		return -EBADMSG;
	p->index = nla_get_u32(tb[GPUPART_A_PARTITION_INDEX]);
	snprintf(p->vf, sizeof(p->vf), "%s", nla_get_string(tb[GPUPART_A_PARTITION_VF]));
	p->state = nla_get_u32(tb[GPUPART_A_PARTITION_STATE]);
	if (tb[GPUPART_A_PARTITION_FB_BYTES]) {
		p->has_fb = true;
		p->fb_bytes = nla_get_u64(tb[GPUPART_A_PARTITION_FB_BYTES]);
	}
	if (tb[GPUPART_A_PARTITION_VM])
		snprintf(p->vm, sizeof(p->vm), "%s",
			 nla_get_string(tb[GPUPART_A_PARTITION_VM]));
	if (tb[GPUPART_A_PARTITION_PROFILE])
		snprintf(p->profile, sizeof(p->profile), "%s",
			 nla_get_string(tb[GPUPART_A_PARTITION_PROFILE]));
	return 0;
}

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
	if (tb[GPUPART_A_VM])
		snprintf(dev->vm, sizeof(dev->vm), "%s", nla_get_string(tb[GPUPART_A_VM]));
	if (tb[GPUPART_A_ERROR])
		dev->error = nla_get_u32(tb[GPUPART_A_ERROR]);
	dev->releasing = tb[GPUPART_A_RELEASING];
	if (tb[GPUPART_A_HOLD])
		dev->hold = nla_get_u32(tb[GPUPART_A_HOLD]);
	if (tb[GPUPART_A_PF_DRIVER])
		snprintf(dev->pf_driver, sizeof(dev->pf_driver), "%s",
			 nla_get_string(tb[GPUPART_A_PF_DRIVER]));
	if (tb[GPUPART_A_UNADOPTED_VFS])
		dev->unadopted = nla_get_u32(tb[GPUPART_A_UNADOPTED_VFS]);
	if (tb[GPUPART_A_PARTITION_COUNT])
		dev->count = nla_get_u32(tb[GPUPART_A_PARTITION_COUNT]);
	nla_for_each_attr(a, genlmsg_attrdata(nlmsg_data(nlh), 0),
			  genlmsg_attrlen(nlmsg_data(nlh), 0), rem) {
		if (nla_type(a) == GPUPART_A_VALID_COUNT) {
			if (nla_len(a) != sizeof(uint32_t) ||
			    dev->n_counts == GPNL_MAX_COUNTS)
				return -EBADMSG;
			dev->counts[dev->n_counts++] = nla_get_u32(a);
		} else if (nla_type(a) == GPUPART_A_PARTITION) {
			if (dev->n_parts == GPNL_MAX_PARTS ||
			    gpnl_part_parse(a, &dev->parts[dev->n_parts]))
				return -EBADMSG;
			dev->n_parts++;
		}
	}
	return 0;
}

/*
 * Whether @next carries more partitions of @dev: a GPU larger than one
 * dump message comes in several, with the same address and the partitions
 * going on by index. A second record of the same address (which would be
 * a kernel bug) starts again at partition 0.
 */
static bool gpnl_dev_continues(const struct gpnl_dev *dev, const struct gpnl_dev *next)
{
	return !strcmp(dev->pci, next->pci) && dev->n_parts && next->n_parts &&
	       next->parts[0].index == dev->n_parts && dev->n_parts < dev->count;
}

static int gpnl_dev_collect(struct nlmsghdr *nlh, void *arg)
{
	struct gpnl_list *l = arg;
	struct gpnl_dev *dev = gpnl_list_slot(l), *last;
	unsigned int i;
	int rc;

	if (!dev)
		return -ENOMEM;
	rc = gpnl_dev_parse(nlh, dev);
	if (rc)
		return rc;
	last = l->n ? dev - 1 : NULL;
	if (!last || !gpnl_dev_continues(last, dev)) {
		l->n++;
		return 0;
	}
	if (last->n_parts + dev->n_parts > GPNL_MAX_PARTS)
		return -EBADMSG;
	for (i = 0; i < dev->n_parts; i++)
		last->parts[last->n_parts++] = dev->parts[i];
	return 0;
}

struct gpnl_dev_walk {
	int (*each)(const struct gpnl_dev *dev, void *arg);
	void *arg;
};

static int gpnl_dev_one(struct nlmsghdr *nlh, void *arg)
{
	struct gpnl_dev_walk *w = arg;
	struct gpnl_dev *dev;
	int rc;

	dev = malloc(sizeof(*dev));
	if (!dev)
		return -ENOMEM;
	rc = gpnl_dev_parse(nlh, dev);
	if (!rc)
		rc = w->each(dev, w->arg);
	free(dev);
	return rc;
}

/*
 * A string attribute, refused here when it is longer than the kernel takes,
 * with the attribute and the limit named in nl->err (a long enough string
 * would not even fit the message).
 */
static int gpnl_put(struct gpnl *nl, struct nl_msg *msg, int type, const char *s)
{
	size_t max = type == GPUPART_A_VM ? GPNL_VM_MAX : GPUPART_PCI_ADDR_MAX_LEN;
	const char *name = type == GPUPART_A_VM ? "vm (a VM name)" :
			   type == GPUPART_A_RESTORE_VF ? "restore-vf (a PCI address)" :
			   "pci-addr (a PCI address)";

	if (strlen(s) > max) {
		snprintf(nl->err, sizeof(nl->err), "%s is %zu characters long; at most %zu",
			 name, strlen(s), max);
		return -1;
	}
	return nla_put_string(msg, type, s);
}

/* Why a message could not be built: a string too long, or no room. */
static int gpnl_put_failed(struct gpnl *nl, struct nl_msg *msg)
{
	nlmsg_free(msg);
	return nl->err[0] ? -EINVAL : -EMSGSIZE;
}

int gpnl_dev_get(struct gpnl *nl, const char *pci,
		 int (*each)(const struct gpnl_dev *dev, void *arg), void *arg)
{
	struct gpnl_dev_walk w = { each, arg };
	struct gpnl_list l = { .size = sizeof(struct gpnl_dev) };
	struct nl_msg *msg;
	unsigned int i;
	int rc;

	if (!pci) {
		rc = gpnl_dump(nl, GPUPART_CMD_DEV_GET, "GPUs", gpnl_dev_collect, &l);
		for (i = 0; !rc && i < l.n; i++)
			rc = each((struct gpnl_dev *)l.v + i, arg);
		free(l.v);
		return rc;
	}
	msg = gpnl_msg(nl, GPUPART_CMD_DEV_GET, 0);
	if (!msg)
		return -ENOMEM;
	if (gpnl_put(nl, msg, GPUPART_A_PCI_ADDR, pci)) {
		return gpnl_put_failed(nl, msg);
	}
	return gpnl_exec(nl, msg, gpnl_dev_one, &w);
}

int gpnl_dev_set(struct gpnl *nl, const char *pci, uint32_t mode,
		 uint32_t count, bool with_count)
{
	struct nl_msg *msg = gpnl_msg(nl, GPUPART_CMD_DEV_SET, 0);

	if (!msg)
		return -ENOMEM;
	if (gpnl_put(nl, msg, GPUPART_A_PCI_ADDR, pci) ||
	    nla_put_u32(msg, GPUPART_A_MODE, mode) ||
	    (with_count && nla_put_u32(msg, GPUPART_A_PARTITION_COUNT, count))) {
		return gpnl_put_failed(nl, msg);
	}
	return gpnl_exec(nl, msg, NULL, NULL);
}

static int gpnl_host_parse(struct nlmsghdr *nlh, void *arg)
{
	struct nlattr *tb[GPUPART_A_MAX + 1];
	struct gpnl_host *h = arg;

	if (genlmsg_parse(nlh, 0, tb, GPUPART_A_MAX, gpnl_dev_policy) ||
	    !tb[GPUPART_A_HOMOGENEOUS] || !tb[GPUPART_A_PARTITIONED_GPUS])
		return -EBADMSG;
	h->homogeneous = nla_get_u8(tb[GPUPART_A_HOMOGENEOUS]);
	if (tb[GPUPART_A_PLACEMENT])
		h->placement = nla_get_u32(tb[GPUPART_A_PLACEMENT]);
	h->partitioned = nla_get_u32(tb[GPUPART_A_PARTITIONED_GPUS]);
	h->has_model = tb[GPUPART_A_VENDOR] && tb[GPUPART_A_DEVICE] &&
		       tb[GPUPART_A_SUBSYS_VENDOR] && tb[GPUPART_A_SUBSYS_DEVICE] &&
		       tb[GPUPART_A_MODEL] && tb[GPUPART_A_PARTITION_COUNT];
	if (!h->has_model)
		return 0;
	h->vendor = nla_get_u16(tb[GPUPART_A_VENDOR]);
	h->device = nla_get_u16(tb[GPUPART_A_DEVICE]);
	h->subsys_vendor = nla_get_u16(tb[GPUPART_A_SUBSYS_VENDOR]);
	h->subsys_device = nla_get_u16(tb[GPUPART_A_SUBSYS_DEVICE]);
	snprintf(h->model, sizeof(h->model), "%s", nla_get_string(tb[GPUPART_A_MODEL]));
	h->count = nla_get_u32(tb[GPUPART_A_PARTITION_COUNT]);
	return 0;
}

int gpnl_host_get(struct gpnl *nl, struct gpnl_host *host)
{
	struct nl_msg *msg = gpnl_msg(nl, GPUPART_CMD_HOST_GET, 0);

	memset(host, 0, sizeof(*host));
	if (!msg)
		return -ENOMEM;
	return gpnl_exec(nl, msg, gpnl_host_parse, host);
}

static int gpnl_vm_one(struct nlmsghdr *nlh, void *arg)
{
	return gpnl_vm_parse(nlh, arg);
}

static int gpnl_vm_assign_msg(struct gpnl *nl, const char *name, uint32_t kind,
			      const char *dev, const char *restore_vf, bool exact,
			      struct gpnl_vm *out)
{
	struct nl_msg *msg = gpnl_msg(nl, GPUPART_CMD_VM_ASSIGN, 0);
	struct gpnl_vm scratch;

	if (!msg)
		return -ENOMEM;
	if (gpnl_put(nl, msg, GPUPART_A_VM, name) ||
	    (kind && nla_put_u32(msg, GPUPART_A_KIND, kind)) ||
	    (dev && gpnl_put(nl, msg, GPUPART_A_PCI_ADDR, dev)) ||
	    (restore_vf && gpnl_put(nl, msg, GPUPART_A_RESTORE_VF, restore_vf)) ||
	    (exact && nla_put_flag(msg, GPUPART_A_EXACT))) {
		return gpnl_put_failed(nl, msg);
	}
	return gpnl_exec(nl, msg, gpnl_vm_one, out ? out : &scratch);
}

int gpnl_vm_assign(struct gpnl *nl, const char *name, uint32_t kind,
		   const char *dev, const char *restore_vf, struct gpnl_vm *out)
{
	return gpnl_vm_assign_msg(nl, name, kind, dev, restore_vf, false, out);
}

int gpnl_vm_assign_vf(struct gpnl *nl, const char *name, const char *vf,
		      struct gpnl_vm *out)
{
	return gpnl_vm_assign_msg(nl, name, 0, NULL, vf, true, out);
}

int gpnl_vm_release(struct gpnl *nl, const char *name)
{
	struct nl_msg *msg = gpnl_msg(nl, GPUPART_CMD_VM_RELEASE, 0);

	if (!msg)
		return -ENOMEM;
	if (gpnl_put(nl, msg, GPUPART_A_VM, name)) {
		return gpnl_put_failed(nl, msg);
	}
	return gpnl_exec(nl, msg, NULL, NULL);
}

struct gpnl_vm_walk {
	int (*each)(const struct gpnl_vm *vm, void *arg);
	void *arg;
};

static int gpnl_vm_each(struct nlmsghdr *nlh, void *arg)
{
	struct gpnl_vm_walk *w = arg;
	struct gpnl_vm *vm = malloc(sizeof(*vm));
	int rc;

	if (!vm)
		return -ENOMEM;
	rc = gpnl_vm_parse(nlh, vm);
	if (!rc)
		rc = w->each(vm, w->arg);
	free(vm);
	return rc;
}

static int gpnl_vm_collect(struct nlmsghdr *nlh, void *arg)
{
	struct gpnl_list *l = arg;
	struct gpnl_vm *vm = gpnl_list_slot(l);
	int rc;

	if (!vm)
		return -ENOMEM;
	rc = gpnl_vm_parse(nlh, vm);
	if (!rc)
		l->n++;
	return rc;
}

int gpnl_vm_get(struct gpnl *nl, const char *name,
		int (*each)(const struct gpnl_vm *vm, void *arg), void *arg)
{
	struct gpnl_vm_walk w = { each, arg };
	struct gpnl_list l = { .size = sizeof(struct gpnl_vm) };
	struct nl_msg *msg;
	unsigned int i;
	int rc;

	if (!name) {
		rc = gpnl_dump(nl, GPUPART_CMD_VM_GET, "VMs", gpnl_vm_collect, &l);
		for (i = 0; !rc && i < l.n; i++)
			rc = each((struct gpnl_vm *)l.v + i, arg);
		free(l.v);
		return rc;
	}
	msg = gpnl_msg(nl, GPUPART_CMD_VM_GET, 0);
	if (!msg)
		return -ENOMEM;
	if (gpnl_put(nl, msg, GPUPART_A_VM, name)) {
		return gpnl_put_failed(nl, msg);
	}
	return gpnl_exec(nl, msg, gpnl_vm_each, &w);
}

int gpnl_host_set(struct gpnl *nl, uint32_t placement)
{
	struct nl_msg *msg = gpnl_msg(nl, GPUPART_CMD_HOST_SET, 0);

	if (!msg)
		return -ENOMEM;
	if (nla_put_u32(msg, GPUPART_A_PLACEMENT, placement)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	return gpnl_exec(nl, msg, NULL, NULL);
}

int gpnl_partition_clear(struct gpnl *nl, const char *dev, uint32_t index)
{
	struct nl_msg *msg = gpnl_msg(nl, GPUPART_CMD_PARTITION_CLEAR, 0);

	if (!msg)
		return -ENOMEM;
	if (gpnl_put(nl, msg, GPUPART_A_PCI_ADDR, dev) ||
	    nla_put_u32(msg, GPUPART_A_INDEX, index)) {
		return gpnl_put_failed(nl, msg);
	}
	return gpnl_exec(nl, msg, NULL, NULL);
}

/*
 * Join @grp of @family on @nl's socket, resolving it on a socket of its
 * own: a request on a socket that already receives events would read
 * them as its answer. EPERM when the kernel refuses the join.
 */
static int gpnl_join(struct gpnl *nl, const char *family, const char *grp)
{
	struct nl_sock *sk = nl_socket_alloc();
	int id = -ENOMEM;

	if (sk && !genl_connect(sk))
		id = genl_ctrl_resolve_grp(sk, family, grp);
	if (sk)
		nl_socket_free(sk);
	if (id < 0)
		return id == -ENOMEM ? id : -ENOENT;
	if (setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK,
		       NETLINK_ADD_MEMBERSHIP, &id, sizeof(id)))
		return -errno;
	return 0;
}

int gpnl_monitor(struct gpnl *nl)
{
	int rc;

	/* Events carry no sequence number of ours. */
	nl_socket_disable_seq_check(nl->sk);
	rc = gpnl_join(nl, GPUPART_FAMILY_NAME, GPUPART_MCGRP_MONITOR);
	/* nlctrl says when the family goes away (rmmod) and comes back. */
	if (!rc)
		rc = gpnl_join(nl, "nlctrl", "notify");
	return rc;
}

int gpnl_monitor_rejoin(struct gpnl *nl)
{
	struct gpnl tmp;
	int rc;

	rc = gpnl_open(&tmp);
	if (rc)
		return rc;
	nl->family = tmp.family;
	gpnl_close(&tmp);
	return gpnl_join(nl, GPUPART_FAMILY_NAME, GPUPART_MCGRP_MONITOR);
}

struct gpnl_ev_walk {
	void (*each)(const struct gpnl_event *ev, void *arg);
	void *arg;
	int family;
	int n;
	int err;
};

/* nlctrl's news of the gpupart family: family-del or family-new, or NULL. */
static const char *gpnl_ctrl_event(struct nlmsghdr *nlh)
{
	struct genlmsghdr *g = nlmsg_data(nlh);
	struct nlattr *tb[CTRL_ATTR_MAX + 1];

	if (g->cmd != CTRL_CMD_DELFAMILY && g->cmd != CTRL_CMD_NEWFAMILY)
		return NULL;
	if (genlmsg_parse(nlh, 0, tb, CTRL_ATTR_MAX, NULL) ||
	    !tb[CTRL_ATTR_FAMILY_NAME] ||
	    strcmp(nla_get_string(tb[CTRL_ATTR_FAMILY_NAME]), GPUPART_FAMILY_NAME))
		return NULL;
	return g->cmd == CTRL_CMD_DELFAMILY ? "family-del" : "family-new";
}

/* The names of each uAPI enum, as the spec spells them; one table each. */
#define GPNL_NAMES(var, ...)						\
	static const char *const var##_tab[] = { __VA_ARGS__ };		\
	const struct gpnl_names var = {					\
		var##_tab, sizeof(var##_tab) / sizeof(var##_tab[0])	\
	}

GPNL_NAMES(gpnl_event_names,
	   [GPUPART_CMD_DEV_ADD_NTF] = "dev-add",
	   [GPUPART_CMD_DEV_DEL_NTF] = "dev-del",
	   [GPUPART_CMD_DEV_CHANGE_NTF] = "dev-change",
	   [GPUPART_CMD_VM_ASSIGN_NTF] = "vm-assign",
	   [GPUPART_CMD_VM_RELEASE_NTF] = "vm-release",
	   [GPUPART_CMD_PARTITION_SCRUBBED_NTF] = "partition-scrubbed",
	   [GPUPART_CMD_PARTITION_QUARANTINED_NTF] = "partition-quarantined",
	   [GPUPART_CMD_VM_REVOKE_NTF] = "vm-revoke",
	   [GPUPART_CMD_DEV_ERROR_NTF] = "dev-error");

/* An event's name, or NULL for a command that is no event of ours. */
static const char *gpnl_event_name(uint8_t cmd)
{
	return cmd < gpnl_event_names.n ? gpnl_event_names.names[cmd] : NULL;
}

static int gpnl_event_one(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct genlmsghdr *g = nlmsg_data(nlh);
	struct gpnl_ev_walk *w = arg;
	struct gpnl_event *ev;
	const char *ctrl;
	int rc;

	if (nlh->nlmsg_type == GENL_ID_CTRL) {
		/* Notifications only: a reply carries a sequence number. */
		ctrl = nlh->nlmsg_seq ? NULL : gpnl_ctrl_event(nlh);
		if (ctrl) {
			struct gpnl_event fev = { .name = ctrl, .what = GPNL_EV_FAMILY };

			w->each(&fev, w->arg);
			w->n++;
		}
		return NL_OK;
	}
	if (nlh->nlmsg_type != w->family || !gpnl_event_name(g->cmd))
		return NL_OK;	/* a newer kernel's event: not ours to show */
	ev = calloc(1, sizeof(*ev));
	if (!ev) {
		w->err = -ENOMEM;
		return NL_STOP;
	}
	ev->cmd = g->cmd;
	ev->name = gpnl_event_name(g->cmd);
	switch (g->cmd) {
	case GPUPART_CMD_VM_REVOKE_NTF: {
		struct nlattr *tb[GPUPART_A_MAX + 1];

		rc = genlmsg_parse(nlh, 0, tb, GPUPART_A_MAX, gpnl_dev_policy);
		if (!rc && tb[GPUPART_A_REASON])
			ev->reason = nla_get_u32(tb[GPUPART_A_REASON]);
	}
		/* fall through */
	case GPUPART_CMD_VM_ASSIGN_NTF:
	case GPUPART_CMD_VM_RELEASE_NTF:
		ev->what = GPNL_EV_VM;
		rc = gpnl_vm_parse(nlh, &ev->vm);
		break;
	case GPUPART_CMD_PARTITION_SCRUBBED_NTF:
	case GPUPART_CMD_PARTITION_QUARANTINED_NTF: {
		struct nlattr *tb[GPUPART_A_MAX + 1];

		ev->what = GPNL_EV_PART;
		rc = genlmsg_parse(nlh, 0, tb, GPUPART_A_MAX, gpnl_dev_policy);
		if (!rc)
			rc = tb[GPUPART_A_ASSIGNMENT] ?
			     gpnl_assign_parse(tb[GPUPART_A_ASSIGNMENT], &ev->part) : -EBADMSG;
		break;
	}
	default:
		ev->what = GPNL_EV_DEV;
		rc = gpnl_dev_parse(nlh, &ev->dev);
	}
	if (rc) {
		free(ev);
		w->err = -EBADMSG;
		return NL_STOP;
	}
	w->each(ev, w->arg);
	w->n++;
	free(ev);
	return NL_OK;
}

int gpnl_events(struct gpnl *nl, int timeout_ms,
		void (*each)(const struct gpnl_event *ev, void *arg), void *arg)
{
	struct gpnl_ev_walk w = { each, arg, nl->family, 0, 0 };
	struct pollfd pfd = { .fd = nl_socket_get_fd(nl->sk), .events = POLLIN };
	struct nl_cb *cb;
	char c;
	int rc;

	rc = poll(&pfd, 1, timeout_ms);
	if (rc <= 0)
		return rc ? -errno : 0;
	/*
	 * An overrun is the socket's pending error, reported (and cleared) by
	 * the next receive; libnl would turn it into a bare "out of memory".
	 */
	if (recv(pfd.fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) < 0 && errno == ENOBUFS)
		return -ENOBUFS;
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!cb)
		return -ENOMEM;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, gpnl_event_one, &w);
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, NULL, NULL);
	rc = nl_recvmsgs(nl->sk, cb);
	nl_cb_put(cb);
	if (w.err)
		return w.err;
	if (rc == -NLE_NOMEM)	/* an overrun between the peek and here */
		return -ENOBUFS;
	return rc < 0 ? -EIO : w.n;
}

GPNL_NAMES(gpnl_modes,
	   [GPUPART_MODE_NONE] = "none",
	   [GPUPART_MODE_PARTITION] = "partition",
	   [GPUPART_MODE_DDA] = "dda");
GPNL_NAMES(gpnl_states,
	   [GPUPART_PARTITION_STATE_FREE] = "free",
	   [GPUPART_PARTITION_STATE_ASSIGNED] = "assigned",
	   [GPUPART_PARTITION_STATE_SCRUBBING] = "scrubbing",
	   [GPUPART_PARTITION_STATE_QUARANTINED] = "quarantined",
	   [GPUPART_PARTITION_STATE_RELEASING] = "releasing");
GPNL_NAMES(gpnl_kinds,
	   [GPUPART_KIND_PARTITION] = "partition",
	   [GPUPART_KIND_DDA] = "dda");
GPNL_NAMES(gpnl_placements,
	   [GPUPART_PLACEMENT_SPREAD] = "spread",
	   [GPUPART_PLACEMENT_PACK] = "pack");
GPNL_NAMES(gpnl_reasons,
	   [GPUPART_REVOKE_REASON_DEVICE_REMOVED] = "device-removed",
	   [GPUPART_REVOKE_REASON_DEVICE_ERROR] = "device-error",
	   [GPUPART_REVOKE_REASON_VFS_DISABLED] = "vfs-disabled");
GPNL_NAMES(gpnl_holds,
	   [GPUPART_HOLD_DRIVER] = "driver",
	   [GPUPART_HOLD_VENDOR] = "vendor");
GPNL_NAMES(gpnl_errors,
	   [GPUPART_ERROR_NON_FATAL] = "non-fatal",
	   [GPUPART_ERROR_FATAL] = "fatal",
	   [GPUPART_ERROR_FAILED] = "failed",
	   [GPUPART_ERROR_RECOVERED] = "recovered");

const char *gpnl_name(const struct gpnl_names *t, uint32_t v)
{
	return v < t->n && t->names[v] ? t->names[v] : "unknown";
}

uint32_t gpnl_value(const struct gpnl_names *t, const char *name)
{
	uint32_t v;

	for (v = 1; v < t->n; v++)
		if (t->names[v] && !strcmp(name, t->names[v]))
			return v;
	return 0;
}

const char *gpnl_error_name(uint32_t error)
{
	return error ? gpnl_name(&gpnl_errors, error) : NULL;
}
