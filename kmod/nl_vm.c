// SPDX-License-Identifier: GPL-2.0
/*
 * Requests about VMs: VM_ASSIGN, VM_RELEASE and VM_GET. A request names
 * its VM; from the lookup on, the VM is its record.
 */
#include <linux/string.h>
#include <net/genetlink.h>

#include "gpupart.h"

/* ASCII only: the kernel's isalnum() takes Latin-1 letters too. */
static bool gpupart_vm_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || (c && strchr("._:@-", c));
}

/*
 * A name is 1 to 64 bytes of A-Z a-z 0-9 . _ : @ -, so a libvirt domain
 * name or a UUID fits and nothing needs quoting anywhere. The policy made
 * it a NUL-terminated string of at most 64 bytes; a NUL inside it is not
 * allowed either.
 */
static bool gpupart_vm_name_ok(const char *name)
{
	size_t len = strlen(name), i;

	for (i = 0; i < len; i++)
		if (!gpupart_vm_char_ok(name[i]))
			return false;
	return len && len <= GPUPART_VM_NAME_MAX_LEN;
}

/* Check and copy @attr into @name; -EINVAL with @extack set if not a name. */
static int gpupart_vm_name_parse(const struct nlattr *attr, char *name,
				 struct netlink_ext_ack *extack)
{
	if (nla_len(attr) - 1 > GPUPART_VM_NAME_MAX_LEN ||
	    strnlen(nla_data(attr), nla_len(attr)) != nla_len(attr) - 1 ||
	    !gpupart_vm_name_ok(nla_data(attr))) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "VM name must be 1-64 characters of A-Z a-z 0-9 . _ : @ -");
		return -EINVAL;
	}
	strscpy(name, nla_data(attr), GPUPART_VM_NAME_MAX_LEN + 1);
	return 0;
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

/*
 * VM_ASSIGN of a partition: placed by policy, or the one restore-vf
 * names; the reply is built in the critical section that assigned it.
 */
static int gpupart_nl_vm_assign_partition(struct genl_info *info,
					  const char *name, struct sk_buff *reply)
{
	struct nlattr *restore = info->attrs[GPUPART_A_RESTORE_VF];
	bool exact = nla_get_flag(info->attrs[GPUPART_A_EXACT]);
	struct gpupart_partition *p;
	struct gpupart_vm *vm;
	int rc;

	if (info->user_ptr[0]) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[GPUPART_A_PCI_ADDR],
				    "partitions are placed by the kernel; a GPU cannot be named");
		return -EINVAL;
	}
	mutex_lock(&gpupart_lock);
	rc = __gpupart_vm_assign_partition(name, restore ? nla_data(restore) : NULL,
					   exact, info->extack, &vm);
	if (rc) {
		mutex_unlock(&gpupart_lock);
		return rc;
	}
	p = vm->part;
	if (restore && strcmp(pci_name(p->vf), nla_data(restore)))
		/* A warning: the assignment stands, the reply says where. */
		gpupart_extack_fmt(info->extack, "VF %s is not a free partition; placed by policy",
				   (char *)nla_data(restore));
	rc = __gpupart_nl_vm_assigned(reply, info, vm, p->gdev);
	mutex_unlock(&gpupart_lock);
	return rc;
}

struct gpupart_nl_assign {
	struct sk_buff *reply;
	struct genl_info *info;
};

/* A whole GPU handed over: the reply, in the critical section that says so. */
static int gpupart_nl_vm_assigned_dda(void *arg, const struct gpupart_vm *vm,
				      const struct gpupart_dev *gdev)
{
	struct gpupart_nl_assign *a = arg;

	return __gpupart_nl_vm_assigned(a->reply, a->info, vm, gdev);
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
	char name[GPUPART_VM_NAME_MAX_LEN + 1];
	u32 kind = GPUPART_KIND_PARTITION;
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
	/* Of either kind: a whole GPU has no restore-vf, refused above. */
	if (info->attrs[GPUPART_A_EXACT] && !restore) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[GPUPART_A_EXACT],
				    "exact goes with restore-vf");
		return -EINVAL;
	}
	reply = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!reply)
		return -ENOMEM;
	if (kind == GPUPART_KIND_DDA) {
		struct gpupart_nl_assign a = { reply, info };

		rc = gpupart_vm_assign_dda(name, info->user_ptr[0], info->extack,
					   gpupart_nl_vm_assigned_dda, &a);
	} else {
		rc = gpupart_nl_vm_assign_partition(info, name, reply);
	}
	return gpupart_nl_reply(reply, info, rc);
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
	int rc;

	rc = gpupart_nl_vm_name(info, name);
	if (rc)
		return rc;
	return gpupart_vm_release(name, info->extack);
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
	return gpupart_nl_reply(msg, info, rc);
}

static int gpupart_vm_dump_one(struct sk_buff *skb, struct list_head *entry,
			       struct netlink_callback *cb)
{
	return gpupart_vm_msg(skb, list_entry(entry, struct gpupart_vm, node),
			      NULL, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			      NLM_F_MULTI, GPUPART_CMD_VM_GET);
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
	return gpupart_nl_dump_list(skb, cb, &gpupart_vms, gpupart_vm_dump_one);
}
