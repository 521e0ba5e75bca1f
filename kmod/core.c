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

/*
 * gpupart_lock guards gpupart_devs and the mutable fields of every
 * struct gpupart_dev on it. Lock order: the PCI core holds
 * device_lock(&pdev->dev) around probe(), remove() and sriov_configure(),
 * so a device lock is always taken before gpupart_lock, never after.
 */
DEFINE_MUTEX(gpupart_lock);
LIST_HEAD(gpupart_devs);

/* Domain, bus and devfn in one number that sorts as the PCI address does. */
static u64 gpupart_dev_key(const struct gpupart_dev *gdev)
{
	const struct pci_dev *pdev = gdev->pdev;

	return (u64)pci_domain_nr(pdev->bus) << 16 |
	       pdev->bus->number << 8 | pdev->devfn;
}

/**
 * gpupart_dev_register() - add a probed device to the registry
 * @gdev: the device, fully initialised
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
 * gpupart_dev_unregister() - remove a device from the registry
 * @gdev: the device; the caller frees it afterwards
 *
 * Listeners are told, with the device as it was; then its partitions go
 * (VFs gpupart enabled are disabled, adopted ones left as found).
 *
 * Context: the PF's device lock is held (remove()).
 */
void gpupart_dev_unregister(struct gpupart_dev *gdev)
{
	/* No scrub may start once this is set; one under way is waited for. */
	mutex_lock(&gpupart_lock);
	gdev->dying = true;
	mutex_unlock(&gpupart_lock);
	cancel_work_sync(&gdev->scrub_work);
	cancel_work_sync(&gdev->err_work);

	mutex_lock(&gpupart_lock);
	__gpupart_nl_dev_notify(gdev, GPUPART_CMD_DEV_DEL_NTF);
	__gpupart_dev_revoke(gdev, GPUPART_REVOKE_REASON_DEVICE_REMOVED);
	list_del(&gdev->node);
	__gpupart_dev_release(gdev);
	mutex_unlock(&gpupart_lock);
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
 * A GPU handed to the passthrough driver is not gpupart's to remove(), but
 * its record must go when the device does (hot-unplug, sysfs remove), and
 * its VM be told. The bus notifier cannot take gpupart_lock (it runs under
 * the notifier rwsem, which pci_enable_sriov() takes under gpupart_lock),
 * so it schedules this work; the PCI rescan/remove lock, taken first as in
 * DEV_SET, makes the work wait until the removal is complete.
 */
static void gpupart_gone_work_fn(struct work_struct *work)
{
	struct gpupart_dev *gdev, *tmp;
	LIST_HEAD(gone);

	pci_lock_rescan_remove();
	mutex_lock(&gpupart_lock);
	list_for_each_entry_safe(gdev, tmp, &gpupart_devs, node) {
		if (!gdev->passed || gdev->moving ||
		    device_is_registered(&gdev->pdev->dev))
			continue;
		gdev->dying = true;
		__gpupart_nl_dev_notify(gdev, GPUPART_CMD_DEV_DEL_NTF);
		__gpupart_dev_revoke(gdev, GPUPART_REVOKE_REASON_DEVICE_REMOVED);
		list_move(&gdev->node, &gone);
	}
	mutex_unlock(&gpupart_lock);
	pci_unlock_rescan_remove();

	list_for_each_entry_safe(gdev, tmp, &gone, node) {
		list_del(&gdev->node);
		cancel_work_sync(&gdev->scrub_work);
		cancel_work_sync(&gdev->err_work);
		pci_dev_put(gdev->pdev);	/* the reference a passed GPU holds */
		kfree(gdev);
	}
}

DECLARE_WORK(gpupart_gone_work, gpupart_gone_work_fn);
