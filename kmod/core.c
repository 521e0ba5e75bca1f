// SPDX-License-Identifier: GPL-2.0
/*
 * The registry of GPUs bound to gpupart, and what follows from a device's
 * identity (model name, valid partition counts).
 */
#include <linux/log2.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/slab.h>

#include "gpupart.h"

/* The registry and every record's state; a leaf: see "Locking". */
DEFINE_MUTEX(gpupart_lock);
/* Every mode change, SR-IOV enable and disable with it: see "Locking". */
DEFINE_MUTEX(gpupart_mode_lock);
LIST_HEAD(gpupart_devs);

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
	INIT_WORK(&gdev->err_work, gpupart_err_work);
	spin_lock_init(&gdev->err_lock);
	return gdev;
}

static void gpupart_dev_free(struct kref *ref)
{
	struct gpupart_dev *gdev = container_of(ref, struct gpupart_dev, ref);

	pci_dev_put(gdev->pdev);
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
 * the registry meanwhile (@dying), but is not freed.
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
 * gpupart_dev_register() - add a probed device to the registry
 * @gdev: the device, fully initialised; the registry takes its reference
 *
 * The registry is kept sorted by PCI address so that dumps, and every
 * choice that breaks ties by address, are stable. Listeners are told.
 */
void gpupart_dev_register(struct gpupart_dev *gdev)
{
	struct gpupart_dev *pos;

	mutex_lock(&gpupart_lock);
	list_for_each_entry(pos, &gpupart_devs, node)
		if (gpupart_dev_key(pos) > gpupart_dev_key(gdev))
			break;
	list_add_tail(&gdev->node, &pos->node);
	__gpupart_nl_dev_notify(gdev, GPUPART_CMD_DEV_ADD_NTF);
	mutex_unlock(&gpupart_lock);
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
	gdev->dying = true;
	__gpupart_nl_dev_notify(gdev, GPUPART_CMD_DEV_DEL_NTF);
	__gpupart_dev_revoke(gdev, reason);
}

/**
 * gpupart_dev_drop() - the registry lets go of a forgotten record
 * @gdev: the record, out of the registry and @dying
 *
 * Its work items are waited for (none can be queued again: @dying); then
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
 * gpupart_dev_unregister() - remove() of a GPU: out of the registry
 * @gdev: the device; the registry's reference goes (the last, unless a
 *	request still holds one)
 *
 * gpupart_mode_lock keeps every mode change off the GPU meanwhile; its
 * partitions go last (VFs gpupart enabled are disabled, adopted ones left
 * as found), with gpupart_lock dropped, see "Locking".
 *
 * Context: the PF's device lock is held (remove()).
 */
void gpupart_dev_unregister(struct gpupart_dev *gdev)
{
	mutex_lock(&gpupart_mode_lock);
	mutex_lock(&gpupart_lock);
	__gpupart_dev_forget(gdev, GPUPART_REVOKE_REASON_DEVICE_REMOVED);
	list_del_init(&gdev->node);
	mutex_unlock(&gpupart_lock);
	cancel_work_sync(&gdev->err_work);
	/* Scrubbing uses the partitions: it is over before they go. */
	gpupart_dev_release(gdev);
	mutex_unlock(&gpupart_mode_lock);
	gpupart_dev_put(gdev);
}

/**
 * __gpupart_dev_gone() - whether a GPU not bound to gpupart was deleted
 * @gdev: the record
 *
 * A GPU handed to the passthrough driver (or left without a driver) is not
 * gpupart's to remove(), so its record must go when its PCI device does
 * (hot-unplug, sysfs remove); not while a handover is under way, whose
 * end checks again.
 *
 * Context: caller holds gpupart_lock.
 * Return: true when the record is to be forgotten.
 */
bool __gpupart_dev_gone(struct gpupart_dev *gdev)
{
	lockdep_assert_held(&gpupart_lock);
	return gdev->passed && !gdev->moving && !gdev->dying &&
	       !device_is_registered(&gdev->pdev->dev);
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
 * gpupart_next_count() - walk a device's valid partition counts
 * @gdev: the device
 * @after: 0 to start, else the count returned last
 *
 * Built-in models take their counts from the table; devices added with
 * ids= have no known framebuffer, so every power of two is valid for them.
 * Either way a count above sriov_totalvfs is not, as each partition is a VF.
 *
 * Return: the smallest valid count above @after, or 0 when there is none.
 */
u32 gpupart_next_count(const struct gpupart_dev *gdev, u32 after)
{
	const u8 *c;
	u32 next;

	if (!gdev->model) {
		next = after ? after * 2 : 1;
		return next <= gdev->total_vfs ? next : 0;
	}
	for (c = gdev->model->counts; *c; c++)
		if (*c > after)
			return *c <= gdev->total_vfs ? *c : 0;
	return 0;
}

/**
 * gpupart_dev_model_name() - the model name a user sees
 * @gdev: the device
 *
 * Return: the built-in model's name, or "unknown".
 */
const char *gpupart_dev_model_name(const struct gpupart_dev *gdev)
{
	return gdev->model ? gdev->model->name : "unknown";
}

/**
 * gpupart_count_valid() - whether a device can be split into @count
 * @gdev: the device
 * @count: partition count asked for
 *
 * Return: true when @count is one of the device's valid partition counts.
 */
bool gpupart_count_valid(const struct gpupart_dev *gdev, u32 count)
{
	u32 c = 0;

	while ((c = gpupart_next_count(gdev, c)))
		if (c == count)
			return true;
	return false;
}

/**
 * gpupart_same_model() - whether two devices are the same GPU model
 * @a: one device
 * @b: the other
 *
 * Vendor, device and subsystem IDs all count: A2 and A16 differ only in
 * their subsystem.
 *
 * Return: true when all four IDs match.
 */
bool gpupart_same_model(const struct gpupart_dev *a, const struct gpupart_dev *b)
{
	return a->pdev->vendor == b->pdev->vendor &&
	       a->pdev->device == b->pdev->device &&
	       a->pdev->subsystem_vendor == b->pdev->subsystem_vendor &&
	       a->pdev->subsystem_device == b->pdev->subsystem_device;
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

/*
 * The bus notifier cannot take gpupart_lock (it runs under the notifier
 * rwsem, which pci_enable_sriov() takes under gpupart_mode_lock), so it
 * schedules this work. The rescan/remove lock, taken first with nothing
 * held, makes the work wait until the removal is complete.
 */
static void gpupart_gone_work_fn(struct work_struct *work)
{
	struct gpupart_dev *gdev, *tmp;
	LIST_HEAD(gone);

	pci_lock_rescan_remove();
	mutex_lock(&gpupart_lock);
	list_for_each_entry_safe(gdev, tmp, &gpupart_devs, node) {
		if (!__gpupart_dev_gone(gdev))
			continue;
		__gpupart_dev_forget(gdev, GPUPART_REVOKE_REASON_DEVICE_REMOVED);
		list_move(&gdev->node, &gone);
	}
	mutex_unlock(&gpupart_lock);
	pci_unlock_rescan_remove();

	list_for_each_entry_safe(gdev, tmp, &gone, node) {
		list_del_init(&gdev->node);
		gpupart_dev_drop(gdev);
	}
}

DECLARE_WORK(gpupart_gone_work, gpupart_gone_work_fn);
