// SPDX-License-Identifier: GPL-2.0
/*
 * Partitions given to VMs, and what VMs lose when a GPU goes. A VM holds
 * one partition or whole GPUs (dda.c), never both; partitions are chosen
 * by the kernel, by the host's placement policy, or given back to the VM
 * that held them when a saved configuration is restored.
 */
#include <linux/pci.h>
#include <linux/string.h>

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

/**
 * gpupart_vm_name_parse() - check and copy a VM name from a request
 * @attr: GPUPART_A_VM, validated by the policy
 * @name: GPUPART_VM_NAME_MAX_LEN + 1 bytes for the name
 * @extack: for the reason of a refusal
 *
 * Return: 0, or -EINVAL with @extack set.
 */
int gpupart_vm_name_parse(const struct nlattr *attr, char *name,
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

/* A partitioned GPU that may give a partition to a new VM. */
static bool __gpupart_takes_tenants(const struct gpupart_dev *gdev)
{
	lockdep_assert_held(&gpupart_lock);
	return gdev->mode == GPUPART_MODE_PARTITION && !gpupart_dev_gone(gdev) &&
	       !gpupart_in_error(gdev);
}

/*
 * The partition placement chooses: on the partitioned GPU with the most
 * (spread) or fewest (pack) free ones; the list is sorted by PCI address
 * and only a strictly better GPU replaces the one found first, which
 * breaks ties by address.
 */
static struct gpupart_partition *__gpupart_pick(void)
{
	const struct device_driver *drv = gpupart_passthrough_drv();
	struct gpupart_partition *best = NULL, *first;
	u32 best_free = 0, free, i;
	struct gpupart_dev *gdev;

	lockdep_assert_held(&gpupart_lock);
	list_for_each_entry(gdev, &gpupart_devs, node) {
		if (!__gpupart_takes_tenants(gdev))
			continue;
		/* Readiness can change meanwhile: the first is kept as counted. */
		for (first = NULL, free = 0, i = 0; i < gdev->count; i++) {
			if (!gpupart_part_ready(&gdev->parts[i], drv))
				continue;
			if (!free++)
				first = &gdev->parts[i];
		}
		if (!free)
			continue;
		if (!best || (gpupart_placement == GPUPART_PLACEMENT_PACK ?
			      free < best_free : free > best_free)) {
			best = first;
			best_free = free;
		}
	}
	return best;
}

/*
 * The partition at VF @vf, if it can be given out: the one a restore asks
 * for. With @exact, say why not in @extack: no other will do.
 */
static struct gpupart_partition *__gpupart_pick_vf(const char *vf, bool exact,
						   struct netlink_ext_ack *extack)
{
	static const char *const state[] = {
		[GPUPART_PARTITION_STATE_ASSIGNED] = "assigned",
		[GPUPART_PARTITION_STATE_RELEASING] = "releasing",
		[GPUPART_PARTITION_STATE_SCRUBBING] = "scrubbing",
		[GPUPART_PARTITION_STATE_QUARANTINED] = "quarantined",
	};
	const struct device_driver *drv = gpupart_passthrough_drv();
	struct gpupart_partition *p;
	struct gpupart_dev *gdev;
	u32 i;

	lockdep_assert_held(&gpupart_lock);
	list_for_each_entry(gdev, &gpupart_devs, node) {
		for (i = 0; i < gdev->count; i++) {
			p = &gdev->parts[i];
			if (strcmp(pci_name(p->vf), vf))
				continue;
			if (__gpupart_takes_tenants(gdev) && gpupart_part_ready(p, drv))
				return p;
			if (!exact)
				return NULL;
			if (!__gpupart_takes_tenants(gdev))
				gpupart_refuse(gdev->pdev, extack,
					       "VF %s is not free: its GPU takes no VM now", vf);
			else if (p->state != GPUPART_PARTITION_STATE_FREE)
				gpupart_refuse(gdev->pdev, extack, "VF %s is not free: it is %s",
					       vf, state[p->state]);
			else
				gpupart_refuse(gdev->pdev, extack,
					       "VF %s is not free: it is not bound to %s",
					       vf, gpupart_passthrough);
			return NULL;
		}
	}
	if (exact)
		gpupart_refuse(NULL, extack, "VF %s is no partition of a partitioned GPU", vf);
	return NULL;
}

/* "No free partition", with the numbers an operator needs. */
static void __gpupart_refuse_full(struct netlink_ext_ack *extack)
{
	u32 gpus = 0, parts = 0, n[GPUPART_PARTITION_STATE_MAX + 1] = { 0 }, i;
	struct gpupart_dev *gdev;

	lockdep_assert_held(&gpupart_lock);
	list_for_each_entry(gdev, &gpupart_devs, node) {
		if (gdev->mode != GPUPART_MODE_PARTITION)
			continue;
		gpus++;
		parts += gdev->count;
		for (i = 0; i < gdev->count; i++)
			n[gdev->parts[i].state]++;
	}
	if (!gpus)
		gpupart_refuse(NULL, extack,
			       "no GPU is partitioned; set one to mode partition first");
	else if (n[GPUPART_PARTITION_STATE_ASSIGNED] == parts)
		gpupart_refuse(NULL, extack, "all %u partitions on %u GPUs are assigned",
			       parts, gpus);
	else if (n[GPUPART_PARTITION_STATE_FREE])
		gpupart_refuse(NULL, extack, "no free partition: %u free VFs are not bound to %s",
			       n[GPUPART_PARTITION_STATE_FREE], gpupart_passthrough);
	else
		gpupart_refuse(NULL, extack,
			       "no free partition: %u assigned, %u releasing, %u scrubbing, %u quarantined",
			       n[GPUPART_PARTITION_STATE_ASSIGNED],
			       n[GPUPART_PARTITION_STATE_RELEASING],
			       n[GPUPART_PARTITION_STATE_SCRUBBING],
			       n[GPUPART_PARTITION_STATE_QUARANTINED]);
}

/**
 * __gpupart_vm_assign_partition() - give a VM one free partition
 * @name: a valid VM name
 * @restore_vf: NULL, or the VF of the partition a restored configuration
 *	gives the VM; taken when it is free, else placement chooses
 * @exact: with @restore_vf, that partition or none
 * @extack: for the reason of a refusal
 * @vmp: set to the VM, which holds the partition in @vmp->part
 *
 * Placement chooses the partition, except when a configuration is being
 * restored: VM definitions name their partition's VF by PCI address, so
 * the VM gets the same one back where it can.
 *
 * Context: caller holds gpupart_lock.
 * Return: 0; -EEXIST when the VM already holds a partition, -EBUSY when it
 * holds whole GPUs or the exact partition asked for is not free, -ENOSPC
 * when no partition is free, -ENOMEM.
 */
int __gpupart_vm_assign_partition(const char *name, const char *restore_vf,
				  bool exact, struct netlink_ext_ack *extack,
				  struct gpupart_vm **vmp)
{
	struct gpupart_vm *vm = __gpupart_vm_find(name);
	struct gpupart_partition *p = NULL;

	lockdep_assert_held(&gpupart_lock);
	if (vm && vm->kind == GPUPART_KIND_DDA) {
		gpupart_refuse(NULL, extack,
			       "VM %s holds whole GPUs; it cannot also hold a partition",
			       name);
		return -EBUSY;
	}
	if (vm) {
		gpupart_refuse(NULL, extack, "VM %s already holds partition %u of %s",
			       name, vm->part->index, pci_name(vm->part->gdev->pdev));
		return -EEXIST;
	}
	if (restore_vf)
		p = __gpupart_pick_vf(restore_vf, exact, extack);
	if (!p && exact)
		return -EBUSY;
	if (!p)
		p = __gpupart_pick();
	if (!p) {
		__gpupart_refuse_full(extack);
		return -ENOSPC;
	}
	vm = __gpupart_vm_new(name, GPUPART_KIND_PARTITION);
	if (!vm) {
		gpupart_refuse(NULL, extack, "out of memory");
		return -ENOMEM;
	}
	__gpupart_part_set(p, GPUPART_PARTITION_STATE_ASSIGNED);
	p->vm = vm;
	vm->part = p;
	__gpupart_vm_hold(vm);
	*vmp = vm;
	return 0;
}

/**
 * __gpupart_vm_release_partition() - a VM lets go of its partition
 * @vm: the VM, of kind partition; it leaves the registry
 *
 * The partition is releasing: free only once whoever has its VF open let
 * go of it and it was reset, off the caller's path (part.c).
 *
 * Context: caller holds gpupart_lock.
 */
void __gpupart_vm_release_partition(struct gpupart_vm *vm)
{
	struct gpupart_partition *p = vm->part;

	lockdep_assert_held(&gpupart_lock);
	if (!p)
		return;
	vm->part = NULL;
	__gpupart_part_release(p);
	__gpupart_vm_unhold(vm);
}

/**
 * __gpupart_dev_revoke() - take back what VMs hold of a GPU that is lost
 * @gdev: the device, going away or failed
 * @reason: enum gpupart_revoke_reason, for the event
 *
 * remove() cannot refuse, so every VM holding part of the GPU loses it and
 * is told, once, with the reason: its orchestrator restarts it elsewhere.
 * A revoked partition is released as any other: its VMM may still have it
 * open, and nobody gets it before it let go and the partition was reset.
 *
 * Context: caller holds gpupart_lock.
 */
void __gpupart_dev_revoke(struct gpupart_dev *gdev, u32 reason)
{
	struct gpupart_vm *vm;
	u32 i;

	lockdep_assert_held(&gpupart_lock);
	for (i = 0; i < gdev->count; i++) {
		vm = gdev->parts[i].vm;
		if (!vm)
			continue;
		__gpupart_nl_vm_revoke(vm, gdev, reason);
		vm->part = NULL;
		__gpupart_part_release(&gdev->parts[i]);
		__gpupart_vm_unhold(vm);
	}
	vm = gdev->dda_vm;
	if (vm) {
		__gpupart_nl_vm_revoke(vm, gdev, reason);
		gdev->dda_vm = NULL;
		__gpupart_vm_unhold(vm);
	}
}

/**
 * __gpupart_dev_forget() - take a record out of service for good
 * @gdev: the record, in the registry
 * @reason: enum gpupart_revoke_reason, for its VMs
 *
 * Listeners are told, with the device as it was; every VM holding part of
 * it loses that, and is told. The caller unlinks @gdev->node (it may keep
 * it on a list of its own) and then calls gpupart_dev_drop().
 *
 * Context: caller holds gpupart_lock.
 */
void __gpupart_dev_forget(struct gpupart_dev *gdev, u32 reason)
{
	lockdep_assert_held(&gpupart_lock);
	__gpupart_dev_set_state(gdev, GPUPART_DEV_GONE);
	__gpupart_nl_dev_notify(gdev, GPUPART_CMD_DEV_DEL_NTF);
	__gpupart_dev_revoke(gdev, reason);
}
