// SPDX-License-Identifier: GPL-2.0
/*
 * The registry: the GPUs bound to gpupart, the VMs that hold something of
 * them, and the host's placement policy, with the locks that guard them
 * (see "Locking" in gpupart.h). Records are counted; nothing here sends a
 * message or touches a device.
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

/* Domain, bus and devfn in one number that sorts as the PCI address does. */
static u64 gpupart_dev_key(const struct gpupart_dev *gdev)
{
	const struct pci_dev *pdev = gdev->pdev;

	return (u64)pci_domain_nr(pdev->bus) << 16 |
	       pdev->bus->number << 8 | pdev->devfn;
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
	gdev->mode = GPUPART_MODE_NONE;
	spin_lock_init(&gdev->err_lock);
	mutex_init(&gdev->mode_lock);
	return gdev;
}

static void gpupart_dev_free(struct kref *ref)
{
	struct gpupart_dev *gdev = container_of(ref, struct gpupart_dev, ref);

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

/*
 * A GPU record's life. Who has the PF decides; a handover (dda.c) moves
 * it from gpupart to the passthrough driver and back, and where it ended
 * is read off the PF under its device lock, never inferred from what the
 * handover's calls returned.
 *
 *   new        --> host        probed
 *   host       --> giving      claimed for a VM (DDA)
 *   giving     --> passed      the passthrough driver has it for its VM
 *              --> returning   it has it, but the VM lost its claim meanwhile
 *              --> host        gpupart has it again: the handover failed
 *              --> stranded    nobody has it
 *   passed     --> returning   released
 *              --> host        bound to gpupart by hand: reset, VM revoked
 *   returning  --> host        taken back and reset
 *              --> stranded    gpupart could not take it back
 *   stranded   --> host        bound to gpupart by hand
 *   host, passed, stranded --> gone    deleted, unbound outside a
 *                                      handover, or gpupart unloaded
 *   giving, returning      --> gone    deleted while handed over
 *
 * dev_fsm.h holds the table; selftests/host/fsm_test.sh checks it.
 */

/**
 * __gpupart_dev_set_state() - move a GPU's record to a new state
 * @gdev: the record
 * @state: enum gpupart_dev_state
 *
 * The one writer of a record's state. A step dev_fsm.h does not allow is
 * refused, with a warning: it is a bug in gpupart. Callers send the
 * events, which depend on why the record moved.
 *
 * Context: caller holds gpupart_lock.
 * Return: 0, or -EINVAL for a step that is not allowed.
 */
int __gpupart_dev_set_state(struct gpupart_dev *gdev, u32 state)
{
	lockdep_assert_held(&gpupart_lock);
	if (WARN(!gpupart_dev_may(gdev->state, state),
		 "gpupart: %s: %u -> %u is not a step of a GPU's life\n",
		 pci_name(gdev->pdev), gdev->state, state))
		return -EINVAL;
	gdev->state = state;
	/* A claim, a handover's end, a return: what a dump shows changed. */
	__gpupart_changed();
	return 0;
}

/**
 * __gpupart_dev_add() - put a probed GPU's record in the registry
 * @gdev: the record, fully initialised; the registry takes its reference
 *
 * The registry is kept sorted by PCI address so that dumps, and every
 * choice that breaks ties by address, are stable.
 *
 * Context: caller holds gpupart_lock.
 */
void __gpupart_dev_add(struct gpupart_dev *gdev)
{
	struct gpupart_dev *pos;

	lockdep_assert_held(&gpupart_lock);
	list_for_each_entry(pos, &gpupart_devs, node)
		if (gpupart_dev_key(pos) > gpupart_dev_key(gdev))
			break;
	list_add_tail(&gdev->node, &pos->node);
	/* The step to host tells a dump under way (__gpupart_changed()). */
	__gpupart_dev_set_state(gdev, GPUPART_DEV_HOST);
}

/**
 * gpupart_dev_drop() - the registry lets go of a forgotten record
 * @gdev: the record, out of the registry and gone
 *
 * Its work items are waited for (none can be queued again: gone); then
 * the registry's reference goes.
 *
 * Context: no gpupart lock held: the work items take gpupart_lock.
 */
void gpupart_dev_drop(struct gpupart_dev *gdev)
{
	/* Its partitions, and their resets, went when remove() ran. */
	cancel_work_sync(&gdev->err_work);
	gpupart_dev_put(gdev);
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
