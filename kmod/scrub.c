// SPDX-License-Identifier: GPL-2.0
/*
 * Scrubbing: a released partition must not reach the next tenant dirty.
 * Its VF gets a function-level reset, off the releasing caller's path
 * (the FLR alone takes 100 ms), and is free only after that succeeded. A
 * partition whose reset fails is quarantined: never assigned again until
 * an administrator clears it with a reset that works.
 *
 * Each VF's FLR is independent of every other's, so each partition has
 * its own work item, and all of them run at once on an unbound
 * workqueue: N partitions released together (a node drain, a batch of
 * sessions ending, Pacemaker restarting VMs after a host failed) are free
 * again after about one FLR, not N.
 */
#include <linux/delay.h>
#include <linux/error-injection.h>
#include <linux/pci.h>
#include <linux/workqueue.h>

#include "gpupart.h"

static struct workqueue_struct *gpupart_scrub_wq;

static atomic_t gpupart_resets_now = ATOMIC_INIT(0);

static void gpupart_resets_count(void)
{
	int now = atomic_inc_return(&gpupart_resets_now);
	int max = atomic_read(&gpupart_resets_max);
	int seen;

	while (now > max) {
		seen = atomic_cmpxchg(&gpupart_resets_max, max, now);
		if (seen == max)
			break;
		max = seen;
	}
}

/*
 * A bare FLR, without pci_reset_function()'s save and restore of config
 * space: the next tenant gets the function in its reset state. The device
 * lock keeps drivers out, the config access lock keeps user space out.
 */
static noinline int gpupart_flr(struct pci_dev *vf)
{
	u32 delay = READ_ONCE(gpupart_reset_delay_ms);
	u32 cap = 0;
	int rc;

	if (gpupart_fault(&gpupart_fail_reset))
		return -EIO;
	pcie_capability_read_dword(vf, PCI_EXP_DEVCAP, &cap);
	if (!(cap & PCI_EXP_DEVCAP_FLR) || vf->dev_flags & PCI_DEV_FLAGS_NO_FLR_RESET)
		return -ENOTTY;
	gpupart_resets_count();
	if (delay)
		msleep(delay);
	device_lock(&vf->dev);
	pci_cfg_access_lock(vf);
	rc = pcie_flr(vf);
	pci_cfg_access_unlock(vf);
	device_unlock(&vf->dev);
	atomic_dec(&gpupart_resets_now);
	return rc;
}

/* The fault tests fail resets here too (fail_function). */
ALLOW_ERROR_INJECTION(gpupart_flr, ERRNO);

/*
 * Whether @part is still its GPU's and waits for its reset: its GPU may
 * have let go of its partitions (remove()) before the work ran, and a
 * partition released again while its reset ran is queued twice.
 */
static bool __gpupart_scrub_due(struct gpupart_partition *part)
{
	struct gpupart_dev *gdev = part->gdev;

	lockdep_assert_held(&gpupart_lock);
	return part->index < gdev->count && &gdev->parts[part->index] == part &&
	       part->state == GPUPART_PARTITION_STATE_SCRUBBING;
}

/* Reset one partition, which release moved to scrubbing; say how it went. */
static void gpupart_scrub_work(struct work_struct *work)
{
	struct gpupart_partition *part = container_of(work, struct gpupart_partition, scrub);
	struct gpupart_dev *gdev = part->gdev;
	bool due;
	int rc;

	mutex_lock(&gpupart_lock);
	due = __gpupart_scrub_due(part);
	mutex_unlock(&gpupart_lock);
	if (!due)
		return;

	/* The VF outlives this work: the partitions are freed only after
	 * gpupart_scrub_cancel().
	 */
	rc = gpupart_flr(part->vf);

	mutex_lock(&gpupart_lock);
	if (!__gpupart_scrub_due(part)) {
		mutex_unlock(&gpupart_lock);
		return;
	}
	if (rc) {
		part->state = GPUPART_PARTITION_STATE_QUARANTINED;
		pci_warn(part->vf, "reset failed (%d): partition %u quarantined\n",
			 rc, part->index);
		__gpupart_nl_part_notify(gdev, part->index,
					 GPUPART_CMD_PARTITION_QUARANTINED_NTF);
	} else {
		part->state = GPUPART_PARTITION_STATE_FREE;
		__gpupart_nl_part_notify(gdev, part->index,
					 GPUPART_CMD_PARTITION_SCRUBBED_NTF);
	}
	__gpupart_nl_dev_notify(gdev, GPUPART_CMD_DEV_CHANGE_NTF);
	mutex_unlock(&gpupart_lock);
}

/**
 * gpupart_scrub_prepare() - ready new partitions for scrubbing
 * @gdev: the GPU they are part of
 * @parts: the partitions, by VF index
 * @n: how many
 */
void gpupart_scrub_prepare(struct gpupart_dev *gdev,
			   struct gpupart_partition *parts, u32 n)
{
	u32 i;

	for (i = 0; i < n; i++) {
		parts[i].gdev = gdev;
		parts[i].index = i;
		INIT_WORK(&parts[i].scrub, gpupart_scrub_work);
	}
}

/**
 * gpupart_scrub_cancel() - no reset of these partitions runs any more
 * @parts: partitions a GPU let go of (or never had), by VF index
 * @n: how many
 *
 * Before they are freed, or their VFs disabled: a reset under way is
 * waited for, one not started is cancelled.
 *
 * Context: no gpupart lock held: the work takes gpupart_lock.
 */
void gpupart_scrub_cancel(struct gpupart_partition *parts, u32 n)
{
	u32 i;

	for (i = 0; i < n; i++)
		cancel_work_sync(&parts[i].scrub);
}

/**
 * __gpupart_scrub_queue() - have the GPU's scrubbing partitions reset
 * @gdev: the device
 *
 * Each at once, beside the others; one whose reset is queued already is
 * not queued again.
 *
 * Context: caller holds gpupart_lock.
 */
void __gpupart_scrub_queue(struct gpupart_dev *gdev)
{
	u32 i;

	lockdep_assert_held(&gpupart_lock);
	if (gdev->dying)
		return;
	for (i = 0; i < gdev->count; i++)
		if (gdev->parts[i].state == GPUPART_PARTITION_STATE_SCRUBBING)
			queue_work(gpupart_scrub_wq, &gdev->parts[i].scrub);
}

/**
 * gpupart_scrub_init() - the workqueue the resets run on
 *
 * Unbound, so that resets sleeping in their FLR do not wait for a CPU's
 * worker: as many run at once as there are partitions scrubbing.
 *
 * Return: 0 or -ENOMEM.
 */
int gpupart_scrub_init(void)
{
	gpupart_scrub_wq = alloc_workqueue("gpupart_scrub", WQ_UNBOUND, 0);
	return gpupart_scrub_wq ? 0 : -ENOMEM;
}

/**
 * gpupart_scrub_exit() - destroy the workqueue, every GPU gone
 */
void gpupart_scrub_exit(void)
{
	destroy_workqueue(gpupart_scrub_wq);
}

/**
 * gpupart_partition_clear() - return a quarantined partition to service
 * @gdev: the device
 * @idx: the partition
 * @extack: for the reason of a refusal
 *
 * The partition is reset again, synchronously; it is free only if that
 * works, else it stays quarantined.
 *
 * Context: caller holds a reference on @gdev, no gpupart lock. The GPU
 * may be removed during the reset: its partitions are then left alone.
 * Return: 0, -EINVAL when the partition is not quarantined, -EBUSY while
 * the GPU is in PCIe error recovery, -ENODEV when the GPU was removed, or
 * the reset's error.
 */
int gpupart_partition_clear(struct gpupart_dev *gdev, u32 idx,
			    struct netlink_ext_ack *extack)
{
	struct pci_dev *vf;
	int rc = 0;

	mutex_lock(&gpupart_lock);
	if (gdev->dying) {
		gpupart_refuse(gdev->pdev, extack, "the GPU was removed");
		rc = -ENODEV;
	} else if (gpupart_in_error(gdev)) {
		gpupart_refuse(gdev->pdev, extack, "the GPU is out of service after a PCIe error");
		rc = -EBUSY;
	} else if (idx >= gdev->count) {
		gpupart_refuse(gdev->pdev, extack, "the GPU has no partition %u", idx);
		rc = -EINVAL;
	} else if (gdev->parts[idx].state != GPUPART_PARTITION_STATE_QUARANTINED) {
		gpupart_refuse(gdev->pdev, extack, "partition %u is not quarantined", idx);
		rc = -EINVAL;
	}
	if (rc) {
		mutex_unlock(&gpupart_lock);
		return rc;
	}
	gdev->parts[idx].state = GPUPART_PARTITION_STATE_SCRUBBING;
	vf = pci_dev_get(gdev->parts[idx].vf);
	mutex_unlock(&gpupart_lock);

	rc = gpupart_flr(vf);

	mutex_lock(&gpupart_lock);
	if (gdev->dying) {
		gpupart_refuse(gdev->pdev, extack, "the GPU was removed during the reset");
		rc = -ENODEV;
	} else {
		gdev->parts[idx].state = rc ? GPUPART_PARTITION_STATE_QUARANTINED :
					      GPUPART_PARTITION_STATE_FREE;
		if (!rc)
			__gpupart_nl_part_notify(gdev, idx, GPUPART_CMD_PARTITION_SCRUBBED_NTF);
		__gpupart_nl_dev_notify(gdev, GPUPART_CMD_DEV_CHANGE_NTF);
		if (rc)
			gpupart_refuse(gdev->pdev, extack,
				       "reset of partition %u failed (%d); it stays quarantined",
				       idx, rc);
	}
	mutex_unlock(&gpupart_lock);
	pci_dev_put(vf);
	return rc;
}
