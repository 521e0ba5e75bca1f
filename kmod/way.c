// SPDX-License-Identifier: GPL-2.0
/*
 * How gpupart holds a GPU: the few operations that differ between the
 * ways, in one table, so that the policy (modes, partitions, DDA) never
 * asks which way a GPU is held.
 *
 * As its PF driver: gpupart is bound to the PF, as pci-pf-stub would be,
 * and enables SR-IOV itself. For the stand-ins, and for any device whose
 * VFs work without help from a PF driver.
 *
 * Beside its vendor's PF driver (nvidia, xe, GIM; nvme in the test bed):
 * gpupart learns of the PF when that driver binds it (pci.c), and enables
 * and disables SR-IOV through the driver's own sriov_configure(), the
 * call a write to sriov_numvfs makes, with the locks that write holds:
 * the PF's device lock, then the rescan lock. So the vendor driver sees
 * nothing it would not see from its sysfs door; and that door stays
 * open: what comes through it gpupart contains (pci.c, mode.c).
 *
 * The VFs of either way are reserved, as they are added, for the driver
 * a partition's VM reaches them through (@vf_driver of the record).
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/pci.h>

#include "gpupart.h"

char gpupart_passthrough[32] = "vfio-pci";
module_param_string(passthrough_driver, gpupart_passthrough,
		    sizeof(gpupart_passthrough), 0444);
MODULE_PARM_DESC(passthrough_driver,
		 "Driver new partitions (VFs) are reserved for through driver_override, so no host driver grabs them (default vfio-pci; empty: leave VFs alone)");

/**
 * gpupart_passthrough_drv() - the driver a GPU's partitions are bound to
 * @gdev: the GPU
 *
 * Return: the driver, NULL when it is not registered, or ERR_PTR(-ENOENT)
 * when none is set (passthrough_driver empty: any driver will do). Only
 * compared, never used: it may go away meanwhile.
 */
const struct device_driver *gpupart_passthrough_drv(const struct gpupart_dev *gdev)
{
	if (!gdev->vf_driver[0])
		return ERR_PTR(-ENOENT);
	return driver_find(gdev->vf_driver, &pci_bus_type);
}

/*
 * As the PF's driver. A request's mode change holds the rescan lock, as
 * sriov_numvfs_store() has it around sriov_configure(); not the PF's
 * device lock, which removal takes before it waits for gpupart (see
 * "Locking"). The sysfs door is gpupart's own sriov_configure() (pci.c).
 */
static void gpupart_driver_lock(struct gpupart_dev *gdev)
{
	pci_lock_rescan_remove();
}

static void gpupart_driver_unlock(struct gpupart_dev *gdev)
{
	pci_unlock_rescan_remove();
}

static int gpupart_driver_sriov_on(struct gpupart_dev *gdev, u32 count)
{
	return pci_enable_sriov(gdev->pdev, count);
}

static void gpupart_driver_sriov_off(struct gpupart_dev *gdev)
{
	pci_disable_sriov(gdev->pdev);
}

const struct gpupart_way gpupart_way_driver = {
	.lock = gpupart_driver_lock,
	.unlock = gpupart_driver_unlock,
	.sriov_on = gpupart_driver_sriov_on,
	.sriov_off = gpupart_driver_sriov_off,
};

/*
 * Beside the vendor's driver: the locks sriov_numvfs_store() takes, in
 * its order. The device lock also keeps the vendor driver bound until
 * the change is made: its unbinding waits for it.
 */
static void gpupart_vendor_lock(struct gpupart_dev *gdev)
{
	device_lock(&gdev->pdev->dev);
	pci_lock_rescan_remove();
}

static void gpupart_vendor_unlock(struct gpupart_dev *gdev)
{
	pci_unlock_rescan_remove();
	device_unlock(&gdev->pdev->dev);
}

/*
 * The driver bound now is the record's home: under the device lock, a
 * record still at home has not seen its driver unbind (pci.c forgets it
 * then, under the same lock).
 */
static int gpupart_vendor_sriov_on(struct gpupart_dev *gdev, u32 count)
{
	struct pci_dev *pdev = gdev->pdev;
	struct pci_driver *drv;
	int rc;

	device_lock_assert(&pdev->dev);
	drv = pdev->dev.driver ? to_pci_driver(pdev->dev.driver) : NULL;
	if (!drv || !drv->sriov_configure)
		return -EOPNOTSUPP;
	rc = drv->sriov_configure(pdev, count);
	if (rc < 0)
		return rc;
	if (rc != count) {
		pci_warn(pdev, "%s enabled %d VFs of the %u asked for; disabling them\n",
			 drv->name, rc, count);
		if (pci_num_vf(pdev))
			drv->sriov_configure(pdev, 0);
		return -EIO;
	}
	return 0;
}

static void gpupart_vendor_sriov_off(struct gpupart_dev *gdev)
{
	struct pci_dev *pdev = gdev->pdev;
	struct pci_driver *drv;

	device_lock_assert(&pdev->dev);
	drv = pdev->dev.driver ? to_pci_driver(pdev->dev.driver) : NULL;
	if (drv && drv->sriov_configure)
		drv->sriov_configure(pdev, 0);
	if (pci_num_vf(pdev))
		pci_warn(pdev, "%s left %u VFs enabled\n",
			 drv ? drv->name : "no driver", pci_num_vf(pdev));
}

const struct gpupart_way gpupart_way_vendor = {
	.lock = gpupart_vendor_lock,
	.unlock = gpupart_vendor_unlock,
	.sriov_on = gpupart_vendor_sriov_on,
	.sriov_off = gpupart_vendor_sriov_off,
};

/**
 * gpupart_way_vendor_init() - a new record held beside its vendor's driver
 * @gdev: the record, not yet in the registry
 * @drv: the vendor's driver, bound to the PF
 *
 * The partitions go to the model's VF driver (the vendor's own, where its
 * VFs need it), else to the passthrough driver.
 */
void gpupart_way_vendor_init(struct gpupart_dev *gdev, const struct device_driver *drv)
{
	gdev->way = &gpupart_way_vendor;
	strscpy(gdev->home, drv->name, sizeof(gdev->home));
	strscpy(gdev->vf_driver, gdev->model && gdev->model->vf_driver ?
		gdev->model->vf_driver : gpupart_passthrough, sizeof(gdev->vf_driver));
}

/**
 * gpupart_way_driver_init() - a new record held as its PF's driver
 * @gdev: the record, not yet in the registry
 */
void gpupart_way_driver_init(struct gpupart_dev *gdev)
{
	gdev->way = &gpupart_way_driver;
	strscpy(gdev->home, KBUILD_MODNAME, sizeof(gdev->home));
	strscpy(gdev->vf_driver, gpupart_passthrough, sizeof(gdev->vf_driver));
}
