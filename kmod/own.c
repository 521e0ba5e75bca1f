// SPDX-License-Identifier: GPL-2.0
/*
 * Keeping every VMM off a device while gpupart takes it from its driver.
 *
 * A VMM has a device through VFIO for as long as it owns the DMA of the
 * device's IOMMU group (its VFIO container, or iommufd). gpupart takes
 * that ownership itself, as a container would, before it unbinds the
 * driver of a released partition's VF or of a whole GPU coming back from
 * DDA, and gives it up after: a VMM that comes for the device meanwhile
 * is refused by the IOMMU core (EPERM) instead of getting it, so the
 * unbind never waits for a tenant, and the group's DMA is blocked. It is
 * taken on the group, as VFIO's container takes it: Linux 6.1 has nothing
 * per device.
 *
 * A device is deleted with its driver unbound first (pci_stop_dev()), then
 * BUS_NOTIFY_DEL_DEVICE, then the IOMMU core takes it out of its group,
 * and the group must not be owned when it empties (6.12 warns). So every
 * device gpupart may claim is listed, from before its first claim until
 * its holder (a partition, a GPU record) is freed; the bus notifier marks
 * it deleted and gives up a claim it holds, and no claim is made on a
 * device marked deleted. One lock orders the two. A device listed after
 * its BUS_NOTIFY_DEL_DEVICE (a GPU adopting its VFs at probe while one is
 * being removed: pci_get_device() finds it until it leaves the bus) is
 * marked deleted as it is listed: the notifier keeps each device from
 * DEL_DEVICE until BUS_NOTIFY_REMOVED_DEVICE, which reaches gpupart's
 * notifier after the IOMMU core's (registered at boot), once the device
 * is out of its group.
 */
#include <linux/iommu.h>
#include <linux/pci.h>
#include <linux/slab.h>

#include "gpupart.h"

/* A device between BUS_NOTIFY_DEL_DEVICE and BUS_NOTIFY_REMOVED_DEVICE. */
struct gpupart_dying {
	struct list_head node;
	struct pci_dev *pdev;
};

static LIST_HEAD(gpupart_owned_list);
static LIST_HEAD(gpupart_dying_list);
/*
 * Guards both lists and each entry's @group and @deleted; see "Locking"
 * (3a).
 */
static DEFINE_MUTEX(gpupart_owner_lock);

static bool __gpupart_dying(struct pci_dev *pdev)
{
	struct gpupart_dying *d;

	lockdep_assert_held(&gpupart_owner_lock);
	list_for_each_entry(d, &gpupart_dying_list, node)
		if (d->pdev == pdev)
			return true;
	return false;
}

/**
 * gpupart_owned_add() - list a device that gpupart may claim
 * @o: the entry, in its holder; until gpupart_owned_del()
 * @pdev: the device, referenced by the holder meanwhile
 */
void gpupart_owned_add(struct gpupart_owned *o, struct pci_dev *pdev)
{
	o->pdev = pdev;
	o->group = NULL;
	mutex_lock(&gpupart_owner_lock);
	o->deleted = __gpupart_dying(pdev);
	list_add(&o->node, &gpupart_owned_list);
	mutex_unlock(&gpupart_owner_lock);
}

/* Give up the claim @o holds. */
static void __gpupart_disown(struct gpupart_owned *o)
{
	lockdep_assert_held(&gpupart_owner_lock);
	iommu_group_release_dma_owner(o->group);
	/* Before REMOVED_DEVICE the device still holds its group too. */
	iommu_group_put(o->group);
	o->group = NULL;
}

/**
 * gpupart_owned_del() - unlist a device, as its holder is freed
 * @o: the entry; no claim is under way (the holder's work is idle)
 */
void gpupart_owned_del(struct gpupart_owned *o)
{
	mutex_lock(&gpupart_owner_lock);
	list_del(&o->node);
	if (WARN_ON(o->group))
		__gpupart_disown(o);
	mutex_unlock(&gpupart_owner_lock);
}

/**
 * gpupart_own() - keep every VMM off a device: own its IOMMU group's DMA
 * @o: the device's entry
 *
 * The device must have no host driver bound (a driver that uses the DMA
 * API owns the group for the kernel). Nothing is claimed for a device
 * being deleted (its driver is gone and nothing binds it again), nor for
 * one without an IOMMU domain (no IOMMU, or VFIO's no-IOMMU mode: nothing
 * is translated, nothing can be owned).
 *
 * Context: takes gpupart_owner_lock and the group's mutex; none held.
 * Return: 0 when nobody else owns the group (claimed, or nothing to
 * claim), -EPERM while somebody does: a VMM has the device. Any other
 * refusal of the IOMMU core is warned of, once, and taken as 0: the
 * caller goes on as it did before gpupart owned groups.
 */
int gpupart_own(struct gpupart_owned *o)
{
	struct iommu_group *group;
	int rc = 0;

	mutex_lock(&gpupart_owner_lock);
	if (o->deleted || o->group)
		goto out;
	group = iommu_group_get(&o->pdev->dev);
	if (!group)
		goto out;
	if (!iommu_get_domain_for_dev(&o->pdev->dev)) {
		iommu_group_put(group);
		goto out;
	}
	rc = iommu_group_claim_dma_owner(group, o);
	if (!rc) {
		o->group = group;
		goto out;
	}
	iommu_group_put(group);
	if (rc != -EPERM) {
		pci_warn(o->pdev, "could not own its IOMMU group (%d): a VMM is not kept off meanwhile\n",
			 rc);
		rc = 0;
	}
out:
	mutex_unlock(&gpupart_owner_lock);
	return rc;
}

/**
 * gpupart_disown() - give up what gpupart_own() claimed, if it still holds
 * @o: the device's entry
 *
 * Context: takes gpupart_owner_lock and the group's mutex; none held.
 */
void gpupart_disown(struct gpupart_owned *o)
{
	mutex_lock(&gpupart_owner_lock);
	if (o->group)
		__gpupart_disown(o);
	mutex_unlock(&gpupart_owner_lock);
}

/**
 * gpupart_owned_deleted() - a device is being deleted: never claim it again
 * @pdev: the device, from the bus notifier's BUS_NOTIFY_DEL_DEVICE, which
 *	comes before the IOMMU core takes it out of its group
 *
 * Context: the bus notifier; takes gpupart_owner_lock, never gpupart_lock.
 */
void gpupart_owned_deleted(struct pci_dev *pdev)
{
	struct gpupart_dying *d = kmalloc(sizeof(*d), GFP_KERNEL);
	struct gpupart_owned *o;

	if (!d)
		pci_warn(pdev, "deleted while memory is short: a GPU probing now may own its IOMMU group as it goes\n");
	mutex_lock(&gpupart_owner_lock);
	if (d) {
		d->pdev = pci_dev_get(pdev);
		list_add(&d->node, &gpupart_dying_list);
	}
	list_for_each_entry(o, &gpupart_owned_list, node) {
		if (o->pdev != pdev)
			continue;
		o->deleted = true;
		if (o->group)
			__gpupart_disown(o);
	}
	mutex_unlock(&gpupart_owner_lock);
}

/**
 * gpupart_owned_removed() - a device is out of its IOMMU group and its bus
 * @pdev: the device, from the bus notifier's BUS_NOTIFY_REMOVED_DEVICE;
 *	NULL: every device (gpupart_owned_exit())
 *
 * Context: the bus notifier; takes gpupart_owner_lock.
 */
void gpupart_owned_removed(struct pci_dev *pdev)
{
	struct gpupart_dying *d, *tmp;

	mutex_lock(&gpupart_owner_lock);
	list_for_each_entry_safe(d, tmp, &gpupart_dying_list, node) {
		if (pdev && d->pdev != pdev)
			continue;
		list_del(&d->node);
		pci_dev_put(d->pdev);
		kfree(d);
	}
	mutex_unlock(&gpupart_owner_lock);
}

/**
 * gpupart_owned_exit() - forget the devices still being deleted
 *
 * Context: the bus notifier is unregistered; every holder is freed.
 */
void gpupart_owned_exit(void)
{
	gpupart_owned_removed(NULL);
}
