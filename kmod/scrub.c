// SPDX-License-Identifier: GPL-2.0
/*
 * Scrubbing: a released partition must not reach the next tenant dirty.
 * Its VF gets a function-level reset, off the releasing caller's path
 * (the FLR alone takes 100 ms), and is free only after that succeeded. A
 * partition whose reset fails is quarantined: never assigned again until
 * an administrator clears it with a reset that works.
 */
#include <linux/error-injection.h>
#include <linux/pci.h>

#include "gpupart.h"

/* fail_reset: how many of the next partition resets fail. */
atomic_t gpupart_fail_reset = ATOMIC_INIT(0);

/*
 * A bare FLR, without pci_reset_function()'s save and restore of config
 * space: the next tenant gets the function in its reset state. The device
 * lock keeps drivers out, the config access lock keeps user space out.
 */
static noinline int gpupart_flr(struct pci_dev *vf)
{
	u32 cap = 0;
	int rc;

	if (gpupart_fault(&gpupart_fail_reset))
		return -EIO;
	pcie_capability_read_dword(vf, PCI_EXP_DEVCAP, &cap);
	if (!(cap & PCI_EXP_DEVCAP_FLR) || vf->dev_flags & PCI_DEV_FLAGS_NO_FLR_RESET)
		return -ENOTTY;
	device_lock(&vf->dev);
	pci_cfg_access_lock(vf);
	rc = pcie_flr(vf);
	pci_cfg_access_unlock(vf);
	device_unlock(&vf->dev);
	return rc;
}

/* The fault tests fail resets here too (fail_function). */
ALLOW_ERROR_INJECTION(gpupart_flr, ERRNO);

/* Reset partition @i, which the caller moved to scrubbing; say how it went. */
static void gpupart_scrub_one(struct gpupart_dev *gdev, u32 i)
{
	struct pci_dev *vf;
	int rc;

	mutex_lock(&gpupart_lock);
	vf = pci_dev_get(gdev->parts[i].vf);
	mutex_unlock(&gpupart_lock);

	rc = gpupart_flr(vf);

	mutex_lock(&gpupart_lock);
	if (rc) {
		gdev->parts[i].state = GPUPART_PARTITION_STATE_QUARANTINED;
		pci_warn(vf, "reset failed (%d): partition %u quarantined\n", rc, i);
		__gpupart_nl_part_notify(gdev, i, GPUPART_CMD_PARTITION_QUARANTINED_NTF);
	} else {
		gdev->parts[i].state = GPUPART_PARTITION_STATE_FREE;
		__gpupart_nl_part_notify(gdev, i, GPUPART_CMD_PARTITION_SCRUBBED_NTF);
	}
	__gpupart_nl_dev_notify(gdev, GPUPART_CMD_DEV_CHANGE_NTF);
	mutex_unlock(&gpupart_lock);
	pci_dev_put(vf);
}

/**
 * gpupart_scrub_work() - reset every partition of a GPU that is scrubbing
 * @work: the GPU's scrub_work
 *
 * The partitions cannot go away meanwhile: leaving mode partition is
 * refused while one scrubs, and remove() cancels this work first.
 */
void gpupart_scrub_work(struct work_struct *work)
{
	struct gpupart_dev *gdev = container_of(work, struct gpupart_dev, scrub_work);
	u32 i;
	bool found;

	do {
		found = false;
		mutex_lock(&gpupart_lock);
		for (i = 0; i < gdev->count; i++) {
			if (gdev->parts[i].state == GPUPART_PARTITION_STATE_SCRUBBING) {
				found = true;
				break;
			}
		}
		mutex_unlock(&gpupart_lock);
		if (found)
			gpupart_scrub_one(gdev, i);
	} while (found);
}

/**
 * __gpupart_scrub_queue() - have the GPU's scrubbing partitions reset
 * @gdev: the device
 *
 * Context: caller holds gpupart_lock.
 */
void __gpupart_scrub_queue(struct gpupart_dev *gdev)
{
	lockdep_assert_held(&gpupart_lock);
	if (!gdev->dying)
		schedule_work(&gdev->scrub_work);
}

/**
 * gpupart_partition_clear() - return a quarantined partition to service
 * @gdev: the device
 * @idx: the partition
 * @why: GPUPART_EXTACK_LEN bytes for the reason of a refusal
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
int gpupart_partition_clear(struct gpupart_dev *gdev, u32 idx, char *why)
{
	struct pci_dev *vf;
	int rc = 0;

	mutex_lock(&gpupart_lock);
	if (gdev->dying) {
		WHY("the GPU was removed");
		rc = -ENODEV;
	} else if (gpupart_in_error(gdev)) {
		WHY("the GPU is out of service after a PCIe error");
		rc = -EBUSY;
	} else if (idx >= gdev->count) {
		WHY("the GPU has no partition %u", idx);
		rc = -EINVAL;
	} else if (gdev->parts[idx].state != GPUPART_PARTITION_STATE_QUARANTINED) {
		WHY("partition %u is not quarantined", idx);
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
		WHY("the GPU was removed during the reset");
		rc = -ENODEV;
	} else {
		gdev->parts[idx].state = rc ? GPUPART_PARTITION_STATE_QUARANTINED :
					      GPUPART_PARTITION_STATE_FREE;
		if (!rc)
			__gpupart_nl_part_notify(gdev, idx, GPUPART_CMD_PARTITION_SCRUBBED_NTF);
		__gpupart_nl_dev_notify(gdev, GPUPART_CMD_DEV_CHANGE_NTF);
		if (rc)
			WHY("reset of partition %u failed (%d); it stays quarantined",
			    idx, rc);
	}
	mutex_unlock(&gpupart_lock);
	pci_dev_put(vf);
	return rc;
}
