// SPDX-License-Identifier: GPL-2.0
/*
 * Device modes: the one policy behind both doors, the DEV_SET netlink
 * command and the sriov_numvfs sysfs file.
 *
 * A GPU is in mode none, partition (N VFs, one partition each) or dda, and
 * moves only through none. All partitioned GPUs of a host have the same
 * model and partition count. A refusal changes nothing and says why
 * (gpupart_refuse()): the netlink door in its extack, the sysfs door,
 * which has none, in the kernel log.
 */
#include <linux/error-injection.h>
#include <linux/kernel.h>
#include <linux/pci.h>
#include <linux/slab.h>

#include "gpupart.h"

static int gpupart_check_count(const struct gpupart_dev *gdev, u32 count,
			       struct netlink_ext_ack *extack)
{
	char valid[32];

	if (count > gdev->total_vfs) {
		gpupart_refuse(gdev->pdev, extack, "%u partitions exceed the device's %u VFs",
			       count, gdev->total_vfs);
		return -ERANGE;
	}
	if (!gpupart_count_valid(gdev, count)) {
		gpupart_counts_str(gdev, valid, sizeof(valid));
		gpupart_refuse(gdev->pdev, extack,
			       "%u is not a valid partition count here; valid: %s",
			       count, valid);
		return -EINVAL;
	}
	return 0;
}

/*
 * Every partitioned GPU of the host has one model and one count; a GPU
 * whose change to mode partition is under way counts with its new count.
 */
static int __gpupart_check_homogeneous(const struct gpupart_dev *gdev,
				       u32 count, struct netlink_ext_ack *extack)
{
	const struct gpupart_dev *o;
	u32 o_count;

	lockdep_assert_held(&gpupart_lock);
	list_for_each_entry(o, &gpupart_devs, node) {
		o_count = o->mode == GPUPART_MODE_PARTITION ? o->count : o->count_to;
		if (o == gdev || !o_count)
			continue;
		if (!gpupart_same_model(o, gdev)) {
			gpupart_refuse(gdev->pdev, extack,
				       "%s is partitioned and is %04x:%04x/%04x:%04x; models must not mix",
				       pci_name(o->pdev), o->pdev->vendor, o->pdev->device,
				       o->pdev->subsystem_vendor, o->pdev->subsystem_device);
			return -EINVAL;
		}
		if (o_count != count) {
			gpupart_refuse(gdev->pdev, extack,
				       "%s has %u partitions; all GPUs must have the same count",
				       pci_name(o->pdev), o_count);
			return -EINVAL;
		}
	}
	return 0;
}

/*
 * A partition a VM holds, or one whose last tenant may still have it open
 * or that is being reset, keeps the GPU as it is.
 */
static int __gpupart_check_idle(const struct gpupart_dev *gdev, struct netlink_ext_ack *extack)
{
	u32 i;

	lockdep_assert_held(&gpupart_lock);
	for (i = 0; i < gdev->count; i++) {
		const struct gpupart_partition *p = &gdev->parts[i];

		switch (p->state) {
		case GPUPART_PARTITION_STATE_ASSIGNED:
			gpupart_refuse(gdev->pdev, extack,
				       "partition %u is assigned to VM %s; release it first",
				       i, p->vm->name);
			return -EBUSY;
		case GPUPART_PARTITION_STATE_RELEASING:
			gpupart_refuse(gdev->pdev, extack,
				       "partition %u is being released: its VF %s is given up by whoever has it open first",
				       i, pci_name(p->vf));
			return -EBUSY;
		case GPUPART_PARTITION_STATE_SCRUBBING:
			gpupart_refuse(gdev->pdev, extack,
				       "partition %u is being scrubbed; try again shortly",
				       i);
			return -EBUSY;
		default:
			break;
		}
	}
	return 0;
}

/*
 * Take a GPU's partitions from it; with @disable, SR-IOV goes off too.
 * Returns what was taken, for gpupart_sriov_off() once gpupart_lock is
 * dropped.
 */
static struct gpupart_partition *__gpupart_parts_take(struct gpupart_dev *gdev,
						      u32 *count, bool *disable)
{
	struct gpupart_partition *parts = gdev->parts;

	lockdep_assert_held(&gpupart_lock);
	/* Its event comes once the VFs are gone; a dump sees the change now. */
	__gpupart_changed();
	*count = gdev->count;
	*disable = gdev->count && !gdev->adopted;
	gdev->parts = NULL;
	gdev->count = 0;
	gdev->adopted = false;
	gdev->mode = GPUPART_MODE_NONE;
	return parts;
}

/* Where the fault tests make enabling fail (fail_function). */
static noinline int gpupart_enable_sriov(struct gpupart_dev *gdev, u32 count)
{
	return gdev->way->sriov_on(gdev, count);
}

ALLOW_ERROR_INJECTION(gpupart_enable_sriov, ERRNO);

/*
 * Whether VFs of a PF removed from @pdev's address are still there: its
 * driver let go of it without disabling SR-IOV (nvme does; the PCI core
 * warns "driver left SR-IOV enabled after remove"), and the PF was removed
 * alone, which takes its VFs neither with it nor away. Enabling SR-IOV
 * would add VFs of their names, which the PCI core does not survive
 * (BUG_ON in pci_iov_add_virtfn()). Removing the GPU's slot (its port)
 * takes them.
 */
static bool gpupart_vfs_left(struct pci_dev *pdev)
{
	struct pci_dev *dev = NULL;

	for_each_pci_dev(dev) {
		if (dev->is_virtfn && dev->physfn != pdev &&
		    !strcmp(pci_name(dev->physfn), pci_name(pdev))) {
			pci_dev_put(dev);
			return true;
		}
	}
	return false;
}

/*
 * SR-IOV on, and its VFs as partitions. gpupart_lock is not held: enabling
 * waits for pci_bus_sem and the new VFs' device locks, see "Locking".
 */
static struct gpupart_partition *gpupart_sriov_on(struct gpupart_dev *gdev,
						  u32 count, int *rc,
						  struct netlink_ext_ack *extack)
{
	struct gpupart_partition *parts;
	char peer[32], vf[32];
	u32 i;

	lockdep_assert_held(&gdev->mode_lock);
	if (gpupart_vfs_left(gdev->pdev)) {
		gpupart_refuse(gdev->pdev, extack,
			       "VFs of a PF removed alone are still here; remove the slot");
		*rc = -EBUSY;
		return NULL;
	}
	*rc = gpupart_enable_sriov(gdev, count);
	if (*rc) {
		gpupart_refuse(gdev->pdev, extack, "enabling %u VFs failed (%d)", count, *rc);
		return NULL;
	}
	parts = gpupart_parts_new(gdev, count, false);
	if (!parts) {
		gdev->way->sriov_off(gdev);
		gpupart_refuse(gdev->pdev, extack, "the %u VFs could not be taken as partitions",
			       count);
		*rc = -ENOMEM;
		return NULL;
	}
	/* VFIO would give one VM a group that holds others' partitions too. */
	for (i = 0; i < count; i++) {
		int group;

		if (!parts[i].shared)
			continue;
		group = gpupart_vf_peer(parts[i].vf, peer, sizeof(peer));
		strscpy(vf, pci_name(parts[i].vf), sizeof(vf));
		gpupart_parts_free(parts, count);
		gdev->way->sriov_off(gdev);
		gpupart_refuse(gdev->pdev, extack,
			       "VF %s shares IOMMU group %d with %s: VMs not isolated",
			       vf, group, peer);
		*rc = -EOPNOTSUPP;
		return NULL;
	}
	/* The VFs exist: an injected failure here unwinds them for real. */
	if (gpupart_fault(&gpupart_fail_enable)) {
		gpupart_parts_free(parts, count);
		gdev->way->sriov_off(gdev);
		gpupart_refuse(gdev->pdev, extack,
			       "setting up %u partitions failed (injected fault)",
			       count);
		*rc = -EIO;
		return NULL;
	}
	return parts;
}

static void gpupart_sriov_off(struct gpupart_dev *gdev,
			      struct gpupart_partition *parts, u32 count,
			      bool disable)
{
	lockdep_assert_held(&gdev->mode_lock);
	/* No step may run on a VF being disabled, nor on a freed partition. */
	gpupart_parts_free(parts, count);
	if (disable)
		gdev->way->sriov_off(gdev);
}

/**
 * gpupart_dev_release() - drop a GPU's partitions as it leaves gpupart
 * @gdev: the device, out of the registry
 *
 * Disables SR-IOV unless the VFs were adopted and are to be left as found,
 * which only unbinding does; an administrator's request to leave mode
 * partition always disables them.
 *
 * Context: caller holds @gdev->mode_lock, not gpupart_lock.
 */
void gpupart_dev_release(struct gpupart_dev *gdev)
{
	struct gpupart_partition *parts;
	bool disable;
	u32 count;

	mutex_lock(&gpupart_lock);
	parts = __gpupart_parts_take(gdev, &count, &disable);
	mutex_unlock(&gpupart_lock);
	gpupart_sriov_off(gdev, parts, count, disable);
}

/*
 * VFs that its vendor driver enabled outside gpupart, reserved for no
 * driver (only a GPU held beside one has them, in mode none or dda, at
 * home): mode none disables them, mode partition with their number (from
 * mode none) adopts them, if that count is valid here; nothing else is
 * done to the GPU meanwhile. A GPU a VM holds, or away, takes the usual
 * checks, which refuse.
 */
static bool __gpupart_unadopted_path(const struct gpupart_dev *gdev, enum gpupart_mode mode)
{
	lockdep_assert_held(&gpupart_lock);
	return gdev->unadopted && !gdev->dda_vm && !gpupart_dev_away(gdev->state) &&
	       (mode == GPUPART_MODE_NONE || gdev->mode == GPUPART_MODE_NONE);
}

static int __gpupart_check_unadopted(const struct gpupart_dev *gdev,
				     enum gpupart_mode mode, u32 count,
				     struct netlink_ext_ack *extack)
{
	int rc;

	lockdep_assert_held(&gpupart_lock);
	if (mode == GPUPART_MODE_NONE)
		return 1;
	if (mode != GPUPART_MODE_PARTITION || count != gdev->unadopted) {
		gpupart_refuse(gdev->pdev, extack,
			       "%u VFs enabled via %s: count %u adopts them, mode none disables them",
			       gdev->unadopted, gdev->home, gdev->unadopted);
		return -EBUSY;
	}
	rc = gpupart_check_count(gdev, count, extack);
	if (!rc)
		rc = __gpupart_check_homogeneous(gdev, count, extack);
	return rc ? rc : 1;
}

/*
 * Whether the rules let @gdev move to @mode (with @count): 1 when it is to
 * change, 0 when it is there already, or a refusal, its reason given.
 */
static int __gpupart_dev_set_check(const struct gpupart_dev *gdev,
				   enum gpupart_mode mode, u32 count,
				   struct netlink_ext_ack *extack)
{
	int rc;

	lockdep_assert_held(&gpupart_lock);
	if (gpupart_dev_gone(gdev)) {
		gpupart_refuse(gdev->pdev, extack, "the GPU was removed");
		return -ENODEV;
	}
	if (gpupart_dev_moving(gdev->state)) {
		gpupart_refuse(gdev->pdev, extack,
			       "the GPU is being handed over to or from a VM; try again");
		return -EBUSY;
	}
	if (gdev->error == GPUPART_ERROR_FAILED) {
		gpupart_refuse(gdev->pdev, extack,
			       "the GPU failed after a PCIe error; unbind and bind it again");
		return -EIO;
	}
	if (gpupart_in_error(gdev)) {
		gpupart_refuse(gdev->pdev, extack,
			       "the GPU is recovering from a PCIe error; try again");
		return -EBUSY;
	}
	if (__gpupart_unadopted_path(gdev, mode))
		return __gpupart_check_unadopted(gdev, mode, count, extack);
	if (mode == gdev->mode &&
	    (mode != GPUPART_MODE_PARTITION || count == gdev->count))
		return 0;

	switch (gdev->mode) {
	case GPUPART_MODE_PARTITION:
		if (mode != GPUPART_MODE_NONE) {
			gpupart_refuse(gdev->pdev, extack,
				       "partitioned into %u; set mode none first",
				       gdev->count);
			return -EBUSY;
		}
		rc = __gpupart_check_idle(gdev, extack);
		return rc ? rc : 1;
	case GPUPART_MODE_DDA:
		if (mode != GPUPART_MODE_NONE) {
			gpupart_refuse(gdev->pdev, extack, "reserved for DDA; set mode none first");
			return -EBUSY;
		}
		if (gdev->dda_vm) {
			gpupart_refuse(gdev->pdev, extack,
				       "passed through to VM %s; release it first",
				       gdev->dda_vm->name);
			return -EBUSY;
		}
		if (gpupart_dev_away(gdev->state)) {
			gpupart_refuse(gdev->pdev, extack,
				       "not bound to gpupart since a failed handover; bind it again first");
			return -EBUSY;
		}
		return 1;
	default:
		break;
	}
	if (mode == GPUPART_MODE_DDA)
		return 1;
	rc = gpupart_check_count(gdev, count, extack);
	if (!rc)
		rc = __gpupart_check_homogeneous(gdev, count, extack);
	return rc ? rc : 1;
}

/*
 * The unadopted VFs of a GPU in mode none: disabled through the vendor
 * driver, or taken as partitions, each released (whoever has it open
 * gives it up) and reset before use, as at adoption. Returns 1, or what
 * taking them failed with, gpupart_lock held again.
 */
static int gpupart_dev_set_unadopted(struct gpupart_dev *gdev, enum gpupart_mode mode,
				     u32 count, struct netlink_ext_ack *extack)
{
	struct gpupart_partition *parts = NULL;

	lockdep_assert_held(&gpupart_lock);
	/* Adopting counts as made for every other GPU's check meanwhile. */
	if (mode == GPUPART_MODE_PARTITION)
		gdev->count_to = count;
	mutex_unlock(&gpupart_lock);
	if (mode == GPUPART_MODE_NONE)
		gdev->way->sriov_off(gdev);
	else
		parts = gpupart_parts_new(gdev, count, true);
	mutex_lock(&gpupart_lock);
	gdev->count_to = 0;
	if (mode == GPUPART_MODE_PARTITION && !parts) {
		gpupart_refuse(gdev->pdev, extack, "the %u VFs could not be taken as partitions",
			       count);
		return -ENOMEM;
	}
	if (mode == GPUPART_MODE_NONE && pci_num_vf(gdev->pdev)) {
		gdev->unadopted = pci_num_vf(gdev->pdev);
		gpupart_refuse(gdev->pdev, extack, "%s did not disable its %u VFs",
			       gdev->home, gdev->unadopted);
		return -EIO;
	}
	gdev->unadopted = 0;
	gdev->mode = GPUPART_MODE_NONE;
	if (parts) {
		pci_info(gdev->pdev, "adopting %u VFs enabled outside gpupart; each is reset before use\n",
			 count);
		gdev->parts = parts;
		gdev->count = count;
		gdev->mode = GPUPART_MODE_PARTITION;
		__gpupart_part_queue(gdev);
	}
	__gpupart_changed();
	__gpupart_nl_dev_notify(gdev, GPUPART_CMD_DEV_CHANGE_NTF);
	return 1;
}

/**
 * gpupart_dev_set() - move a GPU to a mode, if the rules allow it
 * @gdev: the device, referenced by the caller or bound to gpupart
 * @mode: the mode wanted
 * @count: partitions wanted in mode partition; ignored otherwise
 * @extack: for the reason of a refusal; NULL for the sysfs door
 *
 * Setting the mode a GPU already has (with the same count) succeeds and
 * changes nothing, so that applying a configuration twice is harmless.
 * The rules are checked, and the result recorded, under gpupart_lock; SR-IOV
 * is enabled or disabled between the two with only the GPU's mode_lock
 * held, which keeps its other mode changes (and remove()) waiting, while
 * @count_to makes every other GPU's check count this one as partitioned;
 * so the check still holds when the result is recorded.
 *
 * Context: no gpupart lock held. The netlink door holds the PCI rescan
 * lock; the sysfs door (sriov_numvfs) the PF's device lock and, on Debian's
 * 6.1, the rescan lock too.
 * Return: 1 when the mode changed, 0 when nothing had to, or a negative
 * errno, its reason given: -EBUSY for a transition that must go through
 * none or is blocked by a VM, -EINVAL or -ERANGE for a bad count, -EINVAL
 * for breaking homogeneity, -ENODEV for a removed GPU, or what enabling
 * SR-IOV failed with.
 */
int gpupart_dev_set(struct gpupart_dev *gdev, enum gpupart_mode mode,
		    u32 count, struct netlink_ext_ack *extack)
{
	struct gpupart_partition *parts;
	bool disable;
	u32 old;
	int rc;

	mutex_lock(&gdev->mode_lock);
	mutex_lock(&gpupart_lock);
	rc = __gpupart_dev_set_check(gdev, mode, count, extack);
	if (rc <= 0)
		goto out_unlock;

	if (__gpupart_unadopted_path(gdev, mode)) {
		rc = gpupart_dev_set_unadopted(gdev, mode, count, extack);
		goto out_unlock;
	}
	if (gdev->mode == GPUPART_MODE_PARTITION) {
		/* Asked for: the VFs go, adopted or not. */
		gdev->adopted = false;
		parts = __gpupart_parts_take(gdev, &old, &disable);
		mutex_unlock(&gpupart_lock);
		gpupart_sriov_off(gdev, parts, old, disable);
		mutex_lock(&gpupart_lock);
	} else if (mode == GPUPART_MODE_PARTITION) {
		gdev->count_to = count;
		mutex_unlock(&gpupart_lock);
		parts = gpupart_sriov_on(gdev, count, &rc, extack);
		mutex_lock(&gpupart_lock);
		gdev->count_to = 0;
		if (!parts)
			goto out_unlock;
		gdev->parts = parts;
		gdev->count = count;
		rc = 1;
	}
	gdev->mode = mode;
	__gpupart_nl_dev_notify(gdev, GPUPART_CMD_DEV_CHANGE_NTF);
out_unlock:
	mutex_unlock(&gpupart_lock);
	mutex_unlock(&gdev->mode_lock);
	return rc;
}

/**
 * gpupart_dev_adopt() - take VFs enabled before gpupart bound the device
 * @gdev: the device, not yet in the registry
 * @num_vfs: how many VFs are enabled
 *
 * Disabling them could pull a device from under a running VM, so they are
 * kept as partitions (mode partition), and left enabled when gpupart
 * unbinds. What happened to them meanwhile is not known: each is released
 * (whoever has it open gives it up) and reset before it is free, and one
 * marked quarantined stays so. If they break the host's homogeneity,
 * HOST_GET says so until an administrator sets the GPU to mode none.
 *
 * Context: probe; the device lock is held. The caller queues the
 * partitions' work once the GPU is in the registry.
 * Return: 0 or -ENOMEM.
 */
int gpupart_dev_adopt(struct gpupart_dev *gdev, u16 num_vfs)
{
	gdev->parts = gpupart_parts_new(gdev, num_vfs, true);
	if (!gdev->parts)
		return -ENOMEM;
	gdev->count = num_vfs;
	gdev->adopted = true;
	gdev->mode = GPUPART_MODE_PARTITION;
	pci_info(gdev->pdev, "adopting %u VFs enabled before gpupart bound it; each is reset before use\n",
		 num_vfs);
	return 0;
}

/**
 * gpupart_dev_vfs_lost() - a GPU's VFs were disabled outside gpupart
 * @gdev: the device, referenced by the caller
 *
 * Through its vendor driver's sriov_numvfs, which gpupart cannot refuse
 * for a GPU it holds beside that driver: every VM that held a partition
 * loses it, and is told, as at a hot-unplug; the GPU is in mode none.
 *
 * Context: gone_work, holding the PCI rescan lock and nothing of gpupart's.
 */
void gpupart_dev_vfs_lost(struct gpupart_dev *gdev)
{
	struct gpupart_partition *parts;
	bool disable, lost = false;
	u32 count, i;

	mutex_lock(&gdev->mode_lock);
	mutex_lock(&gpupart_lock);
	for (i = 0; i < gdev->count; i++)
		lost |= !device_is_registered(&gdev->parts[i].vf->dev);
	if (gpupart_dev_gone(gdev) || !lost) {
		mutex_unlock(&gpupart_lock);
		mutex_unlock(&gdev->mode_lock);
		return;
	}
	pci_warn(gdev->pdev, "its %u VFs were disabled outside gpupart: partitions revoked, mode none\n",
		 gdev->count);
	__gpupart_dev_revoke(gdev, GPUPART_REVOKE_REASON_VFS_DISABLED);
	parts = __gpupart_parts_take(gdev, &count, &disable);
	__gpupart_nl_dev_notify(gdev, GPUPART_CMD_DEV_CHANGE_NTF);
	mutex_unlock(&gpupart_lock);
	/* Not disabled again: the VFs are gone, whatever is left of them. */
	gpupart_parts_free(parts, count);
	mutex_unlock(&gdev->mode_lock);
}

/**
 * __gpupart_dev_let_go() - forget a GPU whose vendor driver let go of it
 * @gdev: the record, in the registry, held beside its vendor's driver
 *
 * In the bus notifier, as that driver unbinds: its VMs are revoked and
 * told, and its partitions taken off it, to be freed by gone_work, which
 * may wait for their work items. Not under the GPU's mode_lock, which
 * the notifier must not wait for (pci_enable_sriov() takes the notifier
 * rwsem under it): every other mode change of such a GPU holds its PF's
 * device lock, which the caller holds (way.c), but gone_work's, which
 * takes the partitions under gpupart_lock and finds the record gone. The
 * VFs are left as the vendor driver leaves them.
 *
 * Context: caller holds gpupart_lock and the PF's device lock.
 */
void __gpupart_dev_let_go(struct gpupart_dev *gdev)
{
	bool disable;

	lockdep_assert_held(&gpupart_lock);
	device_lock_assert(&gdev->pdev->dev);
	__gpupart_dev_forget(gdev, GPUPART_REVOKE_REASON_DEVICE_REMOVED);
	gdev->gone_parts = __gpupart_parts_take(gdev, &gdev->gone_count, &disable);
}
