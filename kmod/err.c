// SPDX-License-Identifier: GPL-2.0
/*
 * PCIe error recovery (AER) for the PF; for a GPU held beside its vendor's
 * driver the reports come from watch.c. A GPU in error takes no new
 * tenant: its free partitions are quarantined and it is skipped by
 * placement. VMs keep their partitions through a non-fatal error; a fatal
 * one resets the link, so they lose them, and their partitions are
 * released. Recovery returns the partitions it quarantined to service,
 * each after a reset, and lets the releases go on; failed recovery keeps
 * the GPU out of service. Each step is a monitor event.
 *
 * The PCI core calls the handlers with the PF's device lock held and, as
 * it walks the bus, pci_bus_sem read-held; enabling SR-IOV takes that
 * semaphore for writing under gpupart_lock. So the handlers never take
 * gpupart_lock: they record what happened (err_lock) and err_work acts
 * on it, in order. gpupart_in_error() refuses new assignments from the
 * first report on. A GPU passed through whole is vfio-pci's then, and
 * its VM's to recover.
 */
#include <linux/pci.h>

#include "gpupart.h"

static void __gpupart_err_quarantine(struct gpupart_dev *gdev)
{
	u32 i;

	lockdep_assert_held(&gpupart_lock);
	for (i = 0; i < gdev->count; i++) {
		if (gdev->parts[i].state != GPUPART_PARTITION_STATE_FREE)
			continue;
		gdev->parts[i].held = true;
		__gpupart_part_set(&gdev->parts[i], GPUPART_PARTITION_STATE_QUARANTINED);
	}
}

/* For good: as for a removal, but the GPU stays, out of service. */
static void __gpupart_err_fail(struct gpupart_dev *gdev)
{
	lockdep_assert_held(&gpupart_lock);
	__gpupart_dev_revoke(gdev, GPUPART_REVOKE_REASON_DEVICE_ERROR);
	__gpupart_err_quarantine(gdev);
	gdev->error = GPUPART_ERROR_FAILED;
	pci_err(gdev->pdev, "recovery from a PCIe error failed: out of service until unbound and bound again\n");
	__gpupart_nl_dev_error(gdev, GPUPART_ERROR_FAILED);
}

/**
 * gpupart_err_post() - report what recovery from a PCIe error learnt
 * @gdev: the GPU
 * @seen: the error reported (enum gpupart_error), or 0
 * @failed: recovery failed
 * @resumed: recovery is over, and worked
 *
 * For err_work, which acts on it: from the PCI core's calls to gpupart's
 * own handlers, or from the watch of a GPU held beside its vendor's driver.
 *
 * Context: any; takes @gdev's err_lock.
 */
void gpupart_err_post(struct gpupart_dev *gdev, u32 seen, bool failed, bool resumed)
{
	spin_lock(&gdev->err_lock);
	/* FATAL is numerically above NON_FATAL: keep the worst. */
	if (seen > gdev->err_seen)
		WRITE_ONCE(gdev->err_seen, seen);
	gdev->err_failed |= failed;
	gdev->err_resumed |= resumed;
	spin_unlock(&gdev->err_lock);
	schedule_work(&gdev->err_work);
}

static pci_ers_result_t gpupart_error_detected(struct pci_dev *pdev,
					       pci_channel_state_t state)
{
	struct gpupart_dev *gdev = pci_get_drvdata(pdev);
	bool fatal = state != pci_channel_io_normal;

	if (state == pci_channel_io_perm_failure) {
		gpupart_err_post(gdev, 0, true, false);
		return PCI_ERS_RESULT_DISCONNECT;
	}
	pci_warn(pdev, "PCIe %s error: no new assignment until it recovers%s\n",
		 fatal ? "fatal" : "non-fatal",
		 fatal ? "; its VMs lose their partitions" : "");
	gpupart_err_post(gdev, fatal ? GPUPART_ERROR_FATAL : GPUPART_ERROR_NON_FATAL,
			 false, false);
	return fatal ? PCI_ERS_RESULT_NEED_RESET : PCI_ERS_RESULT_CAN_RECOVER;
}

/* After a non-fatal error, or the reset of a fatal one: is the GPU there? */
static pci_ers_result_t gpupart_err_check(struct pci_dev *pdev)
{
	if (!gpupart_fault(&gpupart_fail_recovery) && pci_device_is_present(pdev))
		return PCI_ERS_RESULT_RECOVERED;
	gpupart_err_post(pci_get_drvdata(pdev), 0, true, false);
	return PCI_ERS_RESULT_DISCONNECT;
}

/*
 * The link reset after a fatal error reset the PF too, SR-IOV included,
 * and the PCI core leaves restoring it to the driver: the state saved at
 * probe, and the VFs from the core's own record of them. The core skips
 * SR-IOV if VF Enable still reads set; some devices (QEMU's, up to 8.x)
 * keep it set with their VFs gone, so it is cleared first. Every VM lost
 * its partition to the fatal error already: the VFs are nobody's.
 */
static bool gpupart_vfe(struct pci_dev *pdev, int pos)
{
	u16 ctrl;

	return pos && !pci_read_config_word(pdev, pos + PCI_SRIOV_CTRL, &ctrl) &&
	       ctrl & PCI_SRIOV_CTRL_VFE;
}

/*
 * Whether a reset took the VFs and left VF Enable set, which keeps the
 * core from restoring them: the first and the last VF the core lists
 * both read all ones (one alone may be in its own reset). Found by the
 * core's record of them, without pci_bus_sem, which the error walk holds.
 */
static bool gpupart_vfs_gone(struct pci_dev *pdev, int pos)
{
	int last = pci_num_vf(pdev) - 1, seen = 0;
	struct pci_dev *vf = NULL;
	u32 class;

	if (last < 0 || !gpupart_vfe(pdev, pos))
		return false;
	for_each_pci_dev(vf) {
		if (!vf->is_virtfn || vf->physfn != pdev ||
		    (pci_iov_vf_id(vf) != 0 && pci_iov_vf_id(vf) != last))
			continue;
		if (pci_read_config_dword(vf, PCI_CLASS_REVISION, &class) || class != ~0u) {
			pci_dev_put(vf);
			return false;
		}
		seen++;
	}
	return seen == (last ? 2 : 1);
}

/* VF Enable cleared, so that restoring the PF's state enables the VFs again. */
static void gpupart_vfe_clear(struct pci_dev *pdev, int pos)
{
	u16 ctrl;

	if (!pci_read_config_word(pdev, pos + PCI_SRIOV_CTRL, &ctrl))
		pci_write_config_word(pdev, pos + PCI_SRIOV_CTRL,
				      ctrl & ~PCI_SRIOV_CTRL_VFE);
}

/**
 * gpupart_vfs_back() - whether a PF's VFs are there after a reset
 * @pdev: the PF
 *
 * VFs the core still lists must be back: with nothing saved to restore (a
 * reset since the last save), VF Enable stays clear and every VF is gone,
 * which is no recovery.
 *
 * Return: true when the core lists no VF, or VF Enable is set and they answer.
 */
bool gpupart_vfs_back(struct pci_dev *pdev)
{
	int pos = pci_find_ext_capability(pdev, PCI_EXT_CAP_ID_SRIOV);

	return !pos || !pci_num_vf(pdev) ||
	       (gpupart_vfe(pdev, pos) && !gpupart_vfs_gone(pdev, pos));
}

static pci_ers_result_t gpupart_slot_reset(struct pci_dev *pdev)
{
	int pos = pci_find_ext_capability(pdev, PCI_EXT_CAP_ID_SRIOV);

	/* Only when they went: a reset a sibling asked for may not have come. */
	if (gpupart_vfs_gone(pdev, pos))
		gpupart_vfe_clear(pdev, pos);
	pci_restore_state(pdev);
	pci_save_state(pdev);
	if (!gpupart_vfs_back(pdev)) {
		pci_err(pdev, "its VFs did not come back from the reset\n");
		gpupart_err_post(pci_get_drvdata(pdev), 0, true, false);
		return PCI_ERS_RESULT_DISCONNECT;
	}
	return gpupart_err_check(pdev);
}

/*
 * A reset of the PF outside error recovery (sysfs, a bus reset of its
 * slot) restored the state saved at probe and used it up: save it again,
 * so that a fatal error after it still finds something to restore. Not
 * from a device that no longer answers (a reset that failed). VFs the
 * reset took while VF Enable stayed set are brought back first, as in
 * slot_reset, by restoring the state once more with VF Enable clear.
 */
static void gpupart_reset_done(struct pci_dev *pdev)
{
	int pos = pci_find_ext_capability(pdev, PCI_EXT_CAP_ID_SRIOV);

	if (!pci_device_is_present(pdev))
		return;
	if (gpupart_vfs_gone(pdev, pos)) {
		gpupart_vfe_clear(pdev, pos);
		pci_save_state(pdev);
		pci_restore_state(pdev);
	}
	pci_save_state(pdev);
}

static void gpupart_err_resume(struct pci_dev *pdev)
{
	gpupart_err_post(pci_get_drvdata(pdev), 0, false, true);
}

/* An error was reported: out of service, and for a fatal one, VMs out. */
static void __gpupart_err_detected(struct gpupart_dev *gdev, u32 seen)
{
	lockdep_assert_held(&gpupart_lock);
	gdev->error = seen;
	if (seen == GPUPART_ERROR_FATAL)
		__gpupart_dev_revoke(gdev, GPUPART_REVOKE_REASON_DEVICE_ERROR);
	__gpupart_err_quarantine(gdev);
	__gpupart_nl_dev_error(gdev, seen);
}

static void __gpupart_err_recovered(struct gpupart_dev *gdev)
{
	u32 i;

	lockdep_assert_held(&gpupart_lock);
	gdev->error = 0;
	/* Quarantined by a failed reset: that stays until an administrator clears it. */
	for (i = 0; i < gdev->count; i++) {
		if (gdev->parts[i].state != GPUPART_PARTITION_STATE_QUARANTINED ||
		    !gdev->parts[i].held)
			continue;
		gdev->parts[i].held = false;
		__gpupart_part_set(&gdev->parts[i], GPUPART_PARTITION_STATE_RELEASING);
	}
	pci_info(gdev->pdev, "recovered from a PCIe error: partitions return to service after a reset\n");
	__gpupart_nl_dev_error(gdev, GPUPART_ERROR_RECOVERED);
}

/**
 * gpupart_err_work() - act on what the PCI core's error callbacks reported
 * @work: the GPU's err_work
 *
 * In the order recovery goes: the error, then its failure or its end. A
 * GPU that failed stays failed until it is unbound.
 */
void gpupart_err_work(struct work_struct *work)
{
	struct gpupart_dev *gdev = container_of(work, struct gpupart_dev, err_work);
	bool failed, resumed;
	u32 seen;

	mutex_lock(&gpupart_lock);
	spin_lock(&gdev->err_lock);
	seen = gdev->err_seen;
	failed = gdev->err_failed;
	resumed = gdev->err_resumed;
	gdev->err_failed = false;
	gdev->err_resumed = false;
	spin_unlock(&gdev->err_lock);

	if (gpupart_dev_errs_ours(gdev->state) && gdev->error != GPUPART_ERROR_FAILED) {
		if (seen)
			__gpupart_err_detected(gdev, seen);
		if (failed)
			__gpupart_err_fail(gdev);
		/* Not when a DDA return ended the recovery meanwhile. */
		else if (resumed && gdev->error)
			__gpupart_err_recovered(gdev);
	}

	/* Acted on, unless a new error came meanwhile: it has its own run. */
	spin_lock(&gdev->err_lock);
	if (gdev->err_seen == seen)
		WRITE_ONCE(gdev->err_seen, 0);
	spin_unlock(&gdev->err_lock);
	/* Out of error now: the releases it held back go on. */
	__gpupart_part_queue(gdev);
	mutex_unlock(&gpupart_lock);
}

const struct pci_error_handlers gpupart_err_handlers = {
	.error_detected	= gpupart_error_detected,
	.mmio_enabled	= gpupart_err_check,
	.slot_reset	= gpupart_slot_reset,
	.resume		= gpupart_err_resume,
	.reset_done	= gpupart_reset_done,
};
