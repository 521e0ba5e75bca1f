// SPDX-License-Identifier: GPL-2.0
/*
 * The registry: the GPUs bound to gpupart, the VMs that hold something of
 * them, and the host's placement policy, with the locks that guard them
 * (see "Locking" in gpupart.h). Records are found here and counted; what
 * a GPU record goes through is dev.c's. Nothing here sends a message or
 * touches a device.
 */
#include <linux/kref.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "gpupart.h"

/* The registry and every record's state; a leaf: see "Locking". */
DEFINE_MUTEX(gpupart_lock);
/* gpupart_lock guards the lists and gpupart_placement. */
LIST_HEAD(gpupart_devs);
LIST_HEAD(gpupart_vms);
enum gpupart_placement gpupart_placement = GPUPART_PLACEMENT_SPREAD;
/*
 * The registry's generation, guarded by gpupart_lock: never 0, for a dump
 * takes 0 as "not read yet" (nl_dump_check_consistent()).
 */
static unsigned int gpupart_gen = 1;

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

/**
 * __gpupart_changed() - a change that a dump shows was just made
 *
 * Called in the critical section that makes the change: a GPU or a VM
 * entering or leaving the registry, and every change that has an event.
 * A dump whose rounds saw different generations is marked interrupted.
 *
 * Context: caller holds gpupart_lock.
 */
void __gpupart_changed(void)
{
	lockdep_assert_held(&gpupart_lock);
	if (!++gpupart_gen)
		gpupart_gen = 1;
}

/**
 * __gpupart_generation() - the registry's generation, for a dump round
 *
 * Context: caller holds gpupart_lock.
 * Return: a number that changes with every __gpupart_changed(); never 0.
 */
unsigned int __gpupart_generation(void)
{
	lockdep_assert_held(&gpupart_lock);
	return gpupart_gen;
}

/**
 * gpupart_dev_alloc() - a new record for a PF, not yet in the registry
 * @pdev: the PF; referenced until the record is freed
 *
 * The caller sets up @err_work before the record can be found.
 *
 * Return: the record, holding the reference the registry will own, or NULL.
 */
struct gpupart_dev *gpupart_dev_alloc(struct pci_dev *pdev)
{
	struct gpupart_dev *gdev;

	gdev = kzalloc(sizeof(*gdev), GFP_KERNEL);
	if (!gdev)
		return NULL;
	kref_init(&gdev->ref);
	INIT_LIST_HEAD(&gdev->node);
	gdev->pdev = pci_dev_get(pdev);
	gpupart_owned_add(&gdev->own, gdev->pdev);
	gdev->mode = GPUPART_MODE_NONE;
	spin_lock_init(&gdev->err_lock);
	mutex_init(&gdev->mode_lock);
	return gdev;
}

static void gpupart_dev_free(struct kref *ref)
{
	struct gpupart_dev *gdev = container_of(ref, struct gpupart_dev, ref);

	gpupart_owned_del(&gdev->own);
	pci_dev_put(gdev->pdev);
	mutex_destroy(&gdev->mode_lock);
	kfree(gdev->override);
	kfree(gdev);
}

/**
 * gpupart_dev_put() - drop a reference on a record
 * @gdev: the record; freed with the last reference
 *
 * Context: no gpupart lock is needed; the last reference is dropped only
 * once the record is out of the registry and its work items are idle.
 */
void gpupart_dev_put(struct gpupart_dev *gdev)
{
	kref_put(&gdev->ref, gpupart_dev_free);
}

/**
 * __gpupart_dev_get() - take a reference on a record found in the registry
 * @gdev: the record
 *
 * For a user that goes on with gpupart_lock dropped; the record may leave
 * the registry meanwhile (gone), but is not freed.
 *
 * Context: caller holds gpupart_lock.
 * Return: @gdev.
 */
struct gpupart_dev *__gpupart_dev_get(struct gpupart_dev *gdev)
{
	lockdep_assert_held(&gpupart_lock);
	kref_get(&gdev->ref);
	return gdev;
}

/**
 * __gpupart_dev_find() - look a bound device up by PCI address
 * @pci_addr: address as pci_name() prints it, e.g. "0000:01:00.0"
 *
 * Context: caller holds gpupart_lock.
 * Return: the device, or NULL when none is bound at that address.
 */
struct gpupart_dev *__gpupart_dev_find(const char *pci_addr)
{
	struct gpupart_dev *gdev;

	lockdep_assert_held(&gpupart_lock);
	list_for_each_entry(gdev, &gpupart_devs, node)
		if (!strcmp(pci_name(gdev->pdev), pci_addr))
			return gdev;
	return NULL;
}

/**
 * __gpupart_dev_of() - the record of a PF, if the registry has one
 * @pdev: the PF
 *
 * Context: caller holds gpupart_lock.
 * Return: the record, or NULL.
 */
struct gpupart_dev *__gpupart_dev_of(const struct pci_dev *pdev)
{
	struct gpupart_dev *gdev;

	lockdep_assert_held(&gpupart_lock);
	list_for_each_entry(gdev, &gpupart_devs, node)
		if (gdev->pdev == pdev)
			return gdev;
	return NULL;
}

/**
 * __gpupart_host_state() - the host's partitioning, as HOST_GET reports it
 * @homogeneous: set to whether every partitioned GPU has the same model
 *	and partition count, and that count is valid for it
 * @n: set to the number of partitioned GPUs
 *
 * gpupart refuses to break homogeneity, but it adopts VFs that were enabled
 * before it bound a device, and those may not fit.
 *
 * Context: caller holds gpupart_lock.
 * Return: the first partitioned GPU, whose model and count are in force,
 * or NULL when none is partitioned.
 */
const struct gpupart_dev *__gpupart_host_state(bool *homogeneous, u32 *n)
{
	const struct gpupart_dev *gdev, *first = NULL;

	lockdep_assert_held(&gpupart_lock);
	*homogeneous = true;
	*n = 0;
	list_for_each_entry(gdev, &gpupart_devs, node) {
		if (gdev->mode != GPUPART_MODE_PARTITION)
			continue;
		(*n)++;
		if (!gpupart_count_valid(gdev, gdev->count))
			*homogeneous = false;
		if (!first)
			first = gdev;
		else if (!gpupart_same_model(first, gdev) ||
			 first->count != gdev->count)
			*homogeneous = false;
	}
	return first;
}

/**
 * __gpupart_vm_find() - a VM by name
 * @name: the name
 *
 * The one place a VM is known by its name: a request names it, and from
 * then on it is its record.
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
 * __gpupart_vm_new() - a VM that is about to hold something
 * @name: its name, valid and not in the registry
 * @kind: what it will hold
 *
 * It is in the registry from now on and holds nothing yet: the caller
 * gives it a partition or a GPU (__gpupart_vm_hold()) before it drops
 * gpupart_lock. While any VM holds anything, gpupart holds a reference on
 * itself, so rmmod cannot pull GPUs from under running VMs.
 *
 * Context: caller holds gpupart_lock.
 * Return: the VM, or NULL when out of memory.
 */
struct gpupart_vm *__gpupart_vm_new(const char *name, enum gpupart_kind kind)
{
	struct gpupart_vm *vm, *pos;

	lockdep_assert_held(&gpupart_lock);
	vm = kzalloc(sizeof(*vm), GFP_KERNEL);
	if (!vm)
		return NULL;
	kref_init(&vm->ref);
	strscpy(vm->name, name, sizeof(vm->name));
	vm->kind = kind;
	if (list_empty(&gpupart_vms))
		__module_get(THIS_MODULE);
	list_for_each_entry(pos, &gpupart_vms, node)
		if (strcmp(pos->name, name) > 0)
			break;
	list_add_tail(&vm->node, &pos->node);
	__gpupart_changed();
	return vm;
}

/**
 * __gpupart_vm_hold() - a partition or whole GPU now points at a VM
 * @vm: the VM
 *
 * Context: caller holds gpupart_lock.
 */
void __gpupart_vm_hold(struct gpupart_vm *vm)
{
	lockdep_assert_held(&gpupart_lock);
	vm->holds++;
}

static void gpupart_vm_free(struct kref *ref)
{
	kfree(container_of(ref, struct gpupart_vm, ref));
}

/**
 * __gpupart_vm_unhold() - a partition or whole GPU let go of a VM
 * @vm: the VM; with the last thing it held, it leaves the registry, and
 *	is freed unless someone else still references it
 *
 * Context: caller holds gpupart_lock.
 */
void __gpupart_vm_unhold(struct gpupart_vm *vm)
{
	lockdep_assert_held(&gpupart_lock);
	if (WARN_ON_ONCE(!vm->holds) || --vm->holds)
		return;
	list_del(&vm->node);
	__gpupart_changed();
	if (list_empty(&gpupart_vms))
		module_put(THIS_MODULE);
	kref_put(&vm->ref, gpupart_vm_free);
}

/**
 * __gpupart_vm_get() - take a reference on a VM found in the registry
 * @vm: the VM
 *
 * For a user that goes on with gpupart_lock dropped: the VM may leave the
 * registry meanwhile (its @holds at 0), but is not freed.
 *
 * Context: caller holds gpupart_lock.
 * Return: @vm.
 */
struct gpupart_vm *__gpupart_vm_get(struct gpupart_vm *vm)
{
	lockdep_assert_held(&gpupart_lock);
	kref_get(&vm->ref);
	return vm;
}

/**
 * gpupart_vm_put() - drop a reference on a VM
 * @vm: the VM; freed with the last reference
 */
void gpupart_vm_put(struct gpupart_vm *vm)
{
	kref_put(&vm->ref, gpupart_vm_free);
}
