// SPDX-License-Identifier: GPL-2.0
/*
 * Every message of the gpupart family: one fill function per object (a
 * GPU, a VM, the host), shared by replies, dump entries and events.
 */
#include <net/genetlink.h>

#include "gpupart.h"

/**
 * gpupart_dev_msg_size() - room for one GPU's message
 * @gdev: the GPU
 *
 * Return: bytes enough for it with all its partitions.
 */
size_t gpupart_dev_msg_size(const struct gpupart_dev *gdev)
{
	size_t part = nla_total_size(0) +			/* nest */
		      nla_total_size(sizeof(u32)) * 2 +		/* index, state */
		      nla_total_size(GPUPART_PCI_ADDR_MAX_LEN + 1) +
		      nla_total_size(32) +			/* profile */
		      nla_total_size_64bit(sizeof(u64)) +
		      nla_total_size(GPUPART_VM_NAME_MAX_LEN + 1);

	return NLMSG_GOODSIZE + gdev->count * part;
}

/*
 * The PF's driver, as the record's state says: reading the PF's own
 * would need its device lock, which is never taken under gpupart_lock.
 */
static const char *gpupart_pf_driver(const struct gpupart_dev *gdev)
{
	switch (gdev->state) {
	case GPUPART_DEV_HOST:
	case GPUPART_DEV_GIVING:
		return gdev->home;
	case GPUPART_DEV_PASSED:
	case GPUPART_DEV_RETURNING:
		return gpupart_passthrough;
	default:
		return NULL;
	}
}

/* @profile: the GPU's, the same for every partition; NULL when none. */
static int gpupart_part_fill(struct sk_buff *msg, const struct gpupart_dev *gdev,
			     u32 i, const char *profile)
{
	const struct gpupart_partition *p = &gdev->parts[i];
	struct nlattr *nest;

	nest = nla_nest_start(msg, GPUPART_A_PARTITION);
	if (!nest)
		return -EMSGSIZE;
	if ((profile && nla_put_string(msg, GPUPART_A_PARTITION_PROFILE, profile)) ||
	    nla_put_u32(msg, GPUPART_A_PARTITION_INDEX, i) ||
	    nla_put_string(msg, GPUPART_A_PARTITION_VF, pci_name(p->vf)) ||
	    nla_put_u32(msg, GPUPART_A_PARTITION_STATE, p->state) ||
	    (p->vm && nla_put_string(msg, GPUPART_A_PARTITION_VM, p->vm->name)) ||
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
 * gpupart_dev_fill() - put one device's attributes into a message, and its
 * partitions from *@part on: *@part is then the first one that did not fit
 * (the GPU's count when all did). -EMSGSIZE when not even the device's own
 * attributes fit.
 *
 * Context: caller holds gpupart_lock.
 */
static int gpupart_dev_fill(struct sk_buff *msg, const struct gpupart_dev *gdev,
			    u32 *part)
{
	const char *pf_driver = gpupart_pf_driver(gdev);
	const struct pci_dev *pdev = gdev->pdev;
	u32 count = 0, i;
	char profile[32];
	bool named;

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
	if (gdev->dda_vm && nla_put_string(msg, GPUPART_A_VM, gdev->dda_vm->name))
		return -EMSGSIZE;
	if (gdev->error && nla_put_u32(msg, GPUPART_A_ERROR, gdev->error))
		return -EMSGSIZE;
	if (gdev->state == GPUPART_DEV_RETURNING && nla_put_flag(msg, GPUPART_A_RELEASING))
		return -EMSGSIZE;
	if (nla_put_u32(msg, GPUPART_A_HOLD, gdev->way == &gpupart_way_vendor ?
			GPUPART_HOLD_VENDOR : GPUPART_HOLD_DRIVER) ||
	    (pf_driver && nla_put_string(msg, GPUPART_A_PF_DRIVER, pf_driver)) ||
	    (gdev->unadopted && nla_put_u32(msg, GPUPART_A_UNADOPTED_VFS, gdev->unadopted)))
		return -EMSGSIZE;
	while ((count = gpupart_next_count(gdev, count)))
		if (nla_put_u32(msg, GPUPART_A_VALID_COUNT, count))
			return -EMSGSIZE;
	named = gpupart_profile(gdev, profile, sizeof(profile));
	for (i = *part; i < gdev->count; i++)
		if (gpupart_part_fill(msg, gdev, i, named ? profile : NULL))
			break;
	*part = i;
	return 0;
}

/**
 * gpupart_dev_msg() - one GPU as a complete message
 * @msg: the message: a reply, a dump entry or an event
 * @gdev: the GPU
 * @portid: the requester's port, 0 for an event
 * @seq: the request's sequence number, 0 for an event
 * @flags: NLM_F_MULTI in a dump
 * @cmd: GPUPART_CMD_DEV_GET or the event's
 *
 * Context: caller holds gpupart_lock.
 * Return: 0 or -EMSGSIZE.
 */
int gpupart_dev_msg(struct sk_buff *msg, const struct gpupart_dev *gdev,
		    u32 portid, u32 seq, int flags, u8 cmd)
{
	u32 part = 0;
	void *hdr;

	hdr = genlmsg_put(msg, portid, seq, &gpupart_nl_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	if (gpupart_dev_fill(msg, gdev, &part) || part < gdev->count) {
		genlmsg_cancel(msg, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return 0;
}

/**
 * gpupart_dev_dump_msg() - one GPU as dump entries, as many as it takes
 * @msg: the dump's message
 * @gdev: the GPU
 * @cb: the dump; args[1] is the first partition not sent yet
 *
 * A GPU with many partitions held by VMs of long names can be larger than
 * a dump message, which may be as small as NLMSG_GOODSIZE. Its partitions
 * are then split across consecutive messages, each with all of the GPU's
 * own attributes and the next partitions by index; a reader appends a
 * message's partitions to the GPU before it when the address is the same
 * and the first index goes on from there.
 *
 * Context: caller holds gpupart_lock.
 * Return: 0 when the GPU was sent to its end, -EMSGSIZE when the rest
 * goes into the next message (args[1] says where it starts).
 */
int gpupart_dev_dump_msg(struct sk_buff *msg, const struct gpupart_dev *gdev,
			 struct netlink_callback *cb)
{
	u32 part = min_t(u32, cb->args[1], gdev->count), from = part;
	void *hdr;

	/*
	 * The rest of a GPU that has fewer partitions now: the registry
	 * changed, and the generation says so; should it not, say it here.
	 */
	if (cb->args[1] && cb->args[1] >= gdev->count)
		cb->args[2] = 1;
	hdr = genlmsg_put(msg, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &gpupart_nl_family, NLM_F_MULTI, GPUPART_CMD_DEV_GET);
	if (!hdr)
		return -EMSGSIZE;
	/* A message that carries none of the partitions left waits for the next. */
	if (gpupart_dev_fill(msg, gdev, &part) ||
	    (part == from && part < gdev->count)) {
		genlmsg_cancel(msg, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	cb->args[1] = part < gdev->count ? part : 0;
	return part < gdev->count ? -EMSGSIZE : 0;
}

/**
 * __gpupart_host_fill() - the host's partitioning, as HOST_GET says it
 * @msg: the reply
 *
 * Context: caller holds gpupart_lock.
 * Return: 0 or -EMSGSIZE.
 */
int __gpupart_host_fill(struct sk_buff *msg)
{
	const struct gpupart_dev *first;
	bool homogeneous;
	u32 n;

	lockdep_assert_held(&gpupart_lock);
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
	char profile[32];

	nest = nla_nest_start(msg, GPUPART_A_ASSIGNMENT);
	if (!nest)
		return -EMSGSIZE;
	if ((gpupart_profile(gdev, profile, sizeof(profile)) &&
	     nla_put_string(msg, GPUPART_A_ASSIGNMENT_PROFILE, profile)) ||
	    nla_put_string(msg, GPUPART_A_ASSIGNMENT_DEV, pci_name(gdev->pdev)) ||
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
	const struct gpupart_partition *p = vm->part;
	const struct gpupart_dev *gdev;

	if (nla_put_string(msg, GPUPART_A_VM, vm->name) ||
	    nla_put_u32(msg, GPUPART_A_KIND, vm->kind))
		return -EMSGSIZE;
	if (vm->kind == GPUPART_KIND_PARTITION)
		return p && (!only || p->gdev == only) ?
		       gpupart_assignment_put(msg, p->gdev, p->index) : 0;
	list_for_each_entry(gdev, &gpupart_devs, node)
		if (gdev->dda_vm == vm && (!only || gdev == only) &&
		    gpupart_assignment_put_dda(msg, gdev))
			return -EMSGSIZE;
	return 0;
}

/**
 * gpupart_vm_msg() - one VM as a complete message
 * @msg: the message: a reply, a dump entry or an event
 * @vm: the VM
 * @only: the GPU the message is about, or NULL for all the VM holds
 * @portid: the requester's port, 0 for an event
 * @seq: the request's sequence number, 0 for an event
 * @flags: NLM_F_MULTI in a dump
 * @cmd: GPUPART_CMD_VM_GET, GPUPART_CMD_VM_ASSIGN or the event's
 *
 * Context: caller holds gpupart_lock.
 * Return: 0 or -EMSGSIZE.
 */
int gpupart_vm_msg(struct sk_buff *msg, const struct gpupart_vm *vm,
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
 * gpupart_nl_dump_list() - one message per entry of a registry list
 * @skb: message to fill
 * @cb: dump state; args[0] is the number of entries sent in full, args[2]
 *	whether the registry changed during the dump
 * @head: gpupart_devs or gpupart_vms
 * @put: puts one entry as complete messages: 0 when it is all sent,
 *	-EMSGSIZE when it needs room in the next message (it may have sent
 *	a part of itself, and keeps where it stopped in @cb)
 *
 * The lists change between rounds. From the first round that finds the
 * registry's generation changed since the last, every message of the dump
 * and its final NLMSG_DONE are marked NLM_F_DUMP_INTR: the reader dumps
 * again. Each round holds gpupart_lock for one message of at most 32 KiB,
 * whoever reads.
 *
 * Context: takes gpupart_lock.
 * Return: the message length, 0 when done, or a negative errno.
 */
int gpupart_nl_dump_list(struct sk_buff *skb, struct netlink_callback *cb,
			 struct list_head *head,
			 int (*put)(struct sk_buff *skb, struct list_head *entry,
				    struct netlink_callback *cb))
{
	struct list_head *pos;
	struct nlmsghdr *nlh;
	unsigned int gen;
	long idx = 0;
	int rc = 0;

	mutex_lock(&gpupart_lock);
	gen = __gpupart_generation();
	if (cb->prev_seq && cb->prev_seq != gen)
		cb->args[2] = 1;
	cb->prev_seq = gen;
	list_for_each(pos, head) {
		if (idx++ < cb->args[0])
			continue;
		nlh = (struct nlmsghdr *)skb_tail_pointer(skb);
		rc = put(skb, pos, cb);
		/* Whatever of the entry went into this message. */
		if (cb->args[2] && (unsigned char *)nlh != skb_tail_pointer(skb))
			nlh->nlmsg_flags |= NLM_F_DUMP_INTR;
		if (rc) {
			idx--;
			break;
		}
	}
	mutex_unlock(&gpupart_lock);
	cb->args[0] = idx;
	/* The core marks NLMSG_DONE when seq and prev_seq differ. */
	cb->seq = cb->args[2] ? gen + 1 : gen;

	/* A full message ends this round; the core calls again for the rest. */
	return rc == -EMSGSIZE && skb->len ? skb->len : rc;
}

/*
 * gpupart_nl_event_new() - a message for the monitor group
 *
 * Context: caller holds gpupart_lock, in the critical section that made
 * the change the event tells.
 * Return: the message, or NULL when nobody listens (nothing is built then)
 * or memory is short; events are not worth failing an operation for.
 */
static struct sk_buff *gpupart_nl_event_new(size_t size)
{
	/* What an event tells has changed for a dump under way too. */
	__gpupart_changed();
	if (!genl_has_listeners(&gpupart_nl_family, &init_net,
				GPUPART_NLGRP_MONITOR))
		return NULL;
	return genlmsg_new(size, GFP_KERNEL);
}

/*
 * The event built in @msg to the monitor group, or, when building it
 * failed (@rc), dropped. @msg is consumed.
 */
static void gpupart_nl_event_send(struct sk_buff *msg, int rc)
{
	if (rc)
		nlmsg_free(msg);
	else
		genlmsg_multicast(&gpupart_nl_family, msg, 0,
				  GPUPART_NLGRP_MONITOR, GFP_KERNEL);
}

/* An event with its header, for attributes to follow; NULL as above. */
static struct sk_buff *gpupart_nl_event_start(u8 cmd, void **hdr)
{
	struct sk_buff *msg = gpupart_nl_event_new(NLMSG_GOODSIZE);

	if (!msg)
		return NULL;
	*hdr = genlmsg_put(msg, 0, 0, &gpupart_nl_family, 0, cmd);
	if (!*hdr) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/* An event whose attributes follow @hdr, complete unless @failed. */
static void gpupart_nl_event_end(struct sk_buff *msg, void *hdr, bool failed)
{
	if (!failed)
		genlmsg_end(msg, hdr);
	gpupart_nl_event_send(msg, failed ? -EMSGSIZE : 0);
}

/**
 * gpupart_nl_reply() - answer a request with the reply built in @msg
 * @msg: the reply; consumed
 * @info: the request
 * @rc: 0, or why building the reply failed
 *
 * Return: genlmsg_reply()'s result, or @rc.
 */
int gpupart_nl_reply(struct sk_buff *msg, struct genl_info *info, int rc)
{
	if (rc) {
		nlmsg_free(msg);
		return rc;
	}
	return genlmsg_reply(msg, info);
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
	if (msg)
		gpupart_nl_event_send(msg, gpupart_dev_msg(msg, gdev, 0, 0, 0, cmd));
}

/**
 * __gpupart_nl_dev_error() - tell the monitor group what happened to a GPU
 * @gdev: the device
 * @what: enum gpupart_error: what the dev-error event says happened
 *
 * The event says what happened, DEV_GET what the GPU's state is: @what
 * stands in for the state only while the event is built.
 *
 * Context: caller holds gpupart_lock.
 */
void __gpupart_nl_dev_error(struct gpupart_dev *gdev, u32 what)
{
	u32 state = gdev->error;

	lockdep_assert_held(&gpupart_lock);
	gdev->error = what;
	__gpupart_nl_dev_notify(gdev, GPUPART_CMD_DEV_ERROR_NTF);
	gdev->error = state;
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
	struct sk_buff *msg;

	lockdep_assert_held(&gpupart_lock);
	msg = gpupart_nl_event_new(NLMSG_GOODSIZE);
	if (msg)
		gpupart_nl_event_send(msg, gpupart_vm_msg(msg, vm, only, 0, 0, 0, cmd));
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
	struct sk_buff *msg;
	void *hdr;

	lockdep_assert_held(&gpupart_lock);
	msg = gpupart_nl_event_start(GPUPART_CMD_VM_REVOKE_NTF, &hdr);
	if (msg)
		gpupart_nl_event_end(msg, hdr,
				     nla_put_u32(msg, GPUPART_A_REASON, reason) ||
				     gpupart_vm_fill(msg, vm, gdev));
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
	struct sk_buff *msg;
	void *hdr;

	lockdep_assert_held(&gpupart_lock);
	msg = gpupart_nl_event_start(cmd, &hdr);
	if (msg)
		gpupart_nl_event_end(msg, hdr, gpupart_assignment_put(msg, gdev, idx));
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

