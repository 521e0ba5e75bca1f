// SPDX-License-Identifier: GPL-2.0
/*
 * VMs and what they hold. A VM holds one partition or whole GPUs, never
 * both; partitions are chosen by the kernel, by the host's placement
 * policy. While any VM holds anything, gpupart holds a reference on
 * itself, so rmmod cannot pull GPUs from under running VMs.
 */
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "gpupart.h"

/* gpupart_lock guards gpupart_vms and gpupart_placement. */
LIST_HEAD(gpupart_vms);
enum gpupart_placement gpupart_placement = GPUPART_PLACEMENT_SPREAD;

/* Read once, at load; HOST_SET changes the policy afterwards. */
static char *placement = "spread";
module_param(placement, charp, 0444);
MODULE_PARM_DESC(placement,
		 "Placement policy at load: \"spread\" (default: the partitioned GPU with the most free partitions) or \"pack\" (the one with the fewest)");

/**
 * gpupart_placement_init() - take the placement= module parameter
 *
 * Return: 0, or -EINVAL for a policy that does not exist, so that a typo
 * in modprobe.d fails the load instead of placing VMs unexpectedly.
 */
int gpupart_placement_init(void)
{
	if (!strcmp(placement, "spread")) {
		gpupart_placement = GPUPART_PLACEMENT_SPREAD;
	} else if (!strcmp(placement, "pack")) {
		gpupart_placement = GPUPART_PLACEMENT_PACK;
	} else {
		pr_err("gpupart: placement=%s: not a placement policy; use spread or pack\n",
		       placement);
		return -EINVAL;
	}
	return 0;
}

/* ASCII only: the kernel's isalnum() takes Latin-1 letters too. */
static bool gpupart_vm_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || (c && strchr("._:@-", c));
}

/**
 * gpupart_vm_name_parse() - check and copy a VM name from a request
 * @attr: GPUPART_A_VM, which the policy made a NUL-terminated string of
 *	at most GPUPART_VM_NAME_MAX_LEN bytes
 * @name: GPUPART_VM_NAME_MAX_LEN + 1 bytes for the name
 * @extack: for the reason of a refusal
 *
 * A name is 1 to 64 bytes of A-Z a-z 0-9 . _ : @ -, so a libvirt domain
 * name or a UUID fits and nothing needs quoting anywhere. The policy lets
 * a NUL inside the attribute through; the name ends at the last byte.
 *
 * Return: 0, or -EINVAL with @extack set.
 */
int gpupart_vm_name_parse(const struct nlattr *attr, char *name,
			  struct netlink_ext_ack *extack)
{
	const char *s = nla_data(attr);
	int len = nla_len(attr) - 1, i;

	for (i = 0; i < len; i++)
		if (!gpupart_vm_char_ok(s[i]))
			break;
	if (len < 1 || len > GPUPART_VM_NAME_MAX_LEN || i < len || s[len]) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "VM name must be 1-64 characters of A-Z a-z 0-9 . _ : @ -");
		return -EINVAL;
	}
	memcpy(name, s, len);
	name[len] = '\0';
	return 0;
}

/**
 * __gpupart_vm_find() - a VM by name
 * @name: the name
 *
 * Context: caller holds gpupart_lock.
 * Return: the VM, or NULL when it holds nothing.
 */
struct gpupart_vm *__gpupart_vm_find(const char *name)
{
	struct gpupart_vm *vm;

	lockdep_assert_held(&gpupart_lock);
	list_for_each_entry(vm, &gpupart_vms, node)
		if (!strcmp(vm->name, name))
			return vm;
	return NULL;
}

/**
 * __gpupart_vm_add() - record a VM that is about to hold something
 * @name: its name
 * @kind: what it holds
 *
 * The first VM takes a reference on the module; see the top of the file.
 *
 * Context: caller holds gpupart_lock.
 * Return: the VM, or NULL when out of memory.
 */
struct gpupart_vm *__gpupart_vm_add(const char *name, enum gpupart_kind kind)
{
	struct gpupart_vm *vm, *pos;

	vm = kzalloc(sizeof(*vm), GFP_KERNEL);
	if (!vm)
		return NULL;
	strscpy(vm->name, name, sizeof(vm->name));
	vm->kind = kind;
	if (list_empty(&gpupart_vms))
		__module_get(THIS_MODULE);
	list_for_each_entry(pos, &gpupart_vms, node)
		if (strcmp(pos->name, name) > 0)
			break;
	list_add_tail(&vm->node, &pos->node);
	return vm;
}

/**
 * __gpupart_vm_del() - forget a VM that holds nothing any more
 * @vm: the VM; freed
 *
 * Context: caller holds gpupart_lock.
 */
void __gpupart_vm_del(struct gpupart_vm *vm)
{
	list_del(&vm->node);
	kfree(vm);
	if (list_empty(&gpupart_vms))
		module_put(THIS_MODULE);
}

/**
 * __gpupart_vm_holds() - how many GPU resources a VM holds
 * @vm: the VM
 *
 * Context: caller holds gpupart_lock.
 * Return: its partitions plus its whole GPUs.
 */
unsigned int __gpupart_vm_holds(const struct gpupart_vm *vm)
{
	const struct gpupart_dev *gdev;
	unsigned int n = 0;
	u32 i;

	list_for_each_entry(gdev, &gpupart_devs, node) {
		n += !strcmp(gdev->dda_vm, vm->name);
		for (i = 0; i < gdev->count; i++)
			n += !strcmp(gdev->parts[i].vm, vm->name);
	}
	return n;
}

/* A partitioned GPU that may give a partition to a new VM. */
static bool __gpupart_takes_tenants(const struct gpupart_dev *gdev)
{
	return gdev->mode == GPUPART_MODE_PARTITION && !gdev->dying &&
	       !gpupart_in_error(gdev);
}

/*
 * The GPU placement chooses: among partitioned GPUs with a free partition,
 * the one with the most (spread) or fewest (pack) free ones; the list is
 * sorted by PCI address and only a strictly better GPU replaces the one
 * found first, which breaks ties by address.
 */
static struct gpupart_dev *__gpupart_pick(u32 *idx)
{
	struct gpupart_dev *gdev, *best = NULL;
	u32 best_free = 0, free, i;

	list_for_each_entry(gdev, &gpupart_devs, node) {
		if (!__gpupart_takes_tenants(gdev))
			continue;
		for (free = 0, i = 0; i < gdev->count; i++)
			free += gdev->parts[i].state == GPUPART_PARTITION_STATE_FREE;
		if (!free)
			continue;
		if (!best || (gpupart_placement == GPUPART_PLACEMENT_PACK ?
			      free < best_free : free > best_free)) {
			best = gdev;
			best_free = free;
		}
	}
	if (!best)
		return NULL;
	for (i = 0; best->parts[i].state != GPUPART_PARTITION_STATE_FREE; i++)
		;
	*idx = i;
	return best;
}

/* The partition at VF @vf, if it is free: the one a restore asks for. */
static struct gpupart_dev *__gpupart_pick_vf(const char *vf, u32 *idx)
{
	struct gpupart_dev *gdev;
	u32 i;

	list_for_each_entry(gdev, &gpupart_devs, node) {
		if (!__gpupart_takes_tenants(gdev))
			continue;
		for (i = 0; i < gdev->count; i++) {
			if (strcmp(pci_name(gdev->parts[i].vf), vf))
				continue;
			if (gdev->parts[i].state != GPUPART_PARTITION_STATE_FREE)
				return NULL;
			*idx = i;
			return gdev;
		}
	}
	return NULL;
}

/* "No free partition", with the numbers an operator needs. */
static void __gpupart_why_full(char *why)
{
	u32 gpus = 0, parts = 0, n[GPUPART_PARTITION_STATE_MAX + 1] = { 0 }, i;
	struct gpupart_dev *gdev;

	list_for_each_entry(gdev, &gpupart_devs, node) {
		if (gdev->mode != GPUPART_MODE_PARTITION)
			continue;
		gpus++;
		parts += gdev->count;
		for (i = 0; i < gdev->count; i++)
			n[gdev->parts[i].state]++;
	}
	if (!gpus)
		WHY("no GPU is partitioned; set one to mode partition first");
	else if (n[GPUPART_PARTITION_STATE_ASSIGNED] == parts)
		WHY("all %u partitions on %u GPUs are assigned", parts, gpus);
	else
		WHY("no free partition: %u assigned, %u scrubbing, %u quarantined",
		    n[GPUPART_PARTITION_STATE_ASSIGNED],
		    n[GPUPART_PARTITION_STATE_SCRUBBING],
		    n[GPUPART_PARTITION_STATE_QUARANTINED]);
}

/* Where @vm's partition is, for a refusal's text. */
static void __gpupart_vm_where(const char *name, char *buf, size_t len)
{
	struct gpupart_dev *gdev;
	u32 i;

	buf[0] = '\0';
	list_for_each_entry(gdev, &gpupart_devs, node)
		for (i = 0; i < gdev->count; i++)
			if (!strcmp(gdev->parts[i].vm, name))
				snprintf(buf, len, "partition %u of %s", i,
					 pci_name(gdev->pdev));
}

/**
 * __gpupart_vm_assign_partition() - give a VM one free partition
 * @name: a valid VM name
 * @restore_vf: NULL, or the VF of the partition a restored configuration
 *	gives the VM; taken when it is free, else placement chooses
 * @vmp: set to the VM
 * @gdevp: set to the GPU chosen
 * @idx: set to the partition chosen
 * @why: GPUPART_EXTACK_LEN bytes for the reason of a refusal
 *
 * Placement chooses the partition, except when a configuration is being
 * restored: VM definitions name their partition's VF by PCI address, so
 * the VM gets the same one back where it can.
 *
 * Context: caller holds gpupart_lock.
 * Return: 0; -EEXIST when the VM already holds a partition, -EBUSY when it
 * holds whole GPUs, -ENOSPC when no partition is free, -ENOMEM.
 */
int __gpupart_vm_assign_partition(const char *name, const char *restore_vf,
				  struct gpupart_vm **vmp, struct gpupart_dev **gdevp,
				  u32 *idx, char *why)
{
	struct gpupart_vm *vm = __gpupart_vm_find(name);
	struct gpupart_dev *gdev;
	char where[48];

	if (vm && vm->kind == GPUPART_KIND_DDA) {
		WHY("VM %s holds whole GPUs; it cannot also hold a partition", name);
		return -EBUSY;
	}
	if (vm) {
		__gpupart_vm_where(name, where, sizeof(where));
		WHY("VM %s already holds %s", name, where);
		return -EEXIST;
	}
	gdev = restore_vf ? __gpupart_pick_vf(restore_vf, idx) : NULL;
	if (!gdev)
		gdev = __gpupart_pick(idx);
	if (!gdev) {
		__gpupart_why_full(why);
		return -ENOSPC;
	}
	vm = __gpupart_vm_add(name, GPUPART_KIND_PARTITION);
	if (!vm) {
		WHY("out of memory");
		return -ENOMEM;
	}
	*vmp = vm;
	gdev->parts[*idx].state = GPUPART_PARTITION_STATE_ASSIGNED;
	strscpy(gdev->parts[*idx].vm, name, sizeof(gdev->parts[*idx].vm));
	*gdevp = gdev;
	return 0;
}

/**
 * __gpupart_vm_release() - release everything a VM holds
 * @vm: the VM, none of whose whole GPUs is being handed over; freed on return
 *
 * Its partitions go to scrubbing: they are reset off the caller's path and
 * only then free (or quarantined if the reset fails). Its whole GPUs are
 * marked moving, for the caller to return with gpupart_dda_return() once
 * it dropped the lock.
 *
 * Context: caller holds gpupart_lock.
 * Return: the number of whole GPUs to return.
 */
int __gpupart_vm_release(struct gpupart_vm *vm)
{
	struct gpupart_dev *gdev;
	int n = 0;
	u32 i;

	lockdep_assert_held(&gpupart_lock);
	list_for_each_entry(gdev, &gpupart_devs, node) {
		bool changed = false;

		if (!strcmp(gdev->dda_vm, vm->name) && gdev->passed) {
			gdev->moving = true;
			n++;
		}
		for (i = 0; i < gdev->count; i++) {
			struct gpupart_partition *p = &gdev->parts[i];

			if (strcmp(p->vm, vm->name))
				continue;
			p->vm[0] = '\0';
			p->state = GPUPART_PARTITION_STATE_SCRUBBING;
			changed = true;
		}
		if (changed) {
			__gpupart_nl_dev_notify(gdev, GPUPART_CMD_DEV_CHANGE_NTF);
			__gpupart_scrub_queue(gdev);
		}
	}
	__gpupart_vm_del(vm);
	return n;
}

/**
 * __gpupart_dev_revoke() - take back what VMs hold of a GPU that is lost
 * @gdev: the device, going away or failed
 * @reason: enum gpupart_revoke_reason, for the event
 *
 * remove() cannot refuse, so every VM holding part of the GPU loses it and
 * is told, once, with the reason: its orchestrator restarts it elsewhere.
 *
 * Context: caller holds gpupart_lock.
 */
void __gpupart_dev_revoke(struct gpupart_dev *gdev, u32 reason)
{
	char name[GPUPART_VM_NAME_MAX_LEN + 1];
	struct gpupart_vm *vm;
	u32 i;

	lockdep_assert_held(&gpupart_lock);
	for (i = 0; i <= gdev->count; i++) {
		char *holder = i < gdev->count ? gdev->parts[i].vm : gdev->dda_vm;

		if (!holder[0])
			continue;
		strscpy(name, holder, sizeof(name));
		vm = __gpupart_vm_find(name);
		if (vm)
			__gpupart_nl_vm_revoke(vm, gdev, reason);
		holder[0] = '\0';
		if (i < gdev->count)
			gdev->parts[i].state = GPUPART_PARTITION_STATE_FREE;
		vm = __gpupart_vm_find(name);
		if (vm && !__gpupart_vm_holds(vm))
			__gpupart_vm_del(vm);
	}
}
