// SPDX-License-Identifier: GPL-2.0
/*
 * The PCI driver: gpupart binds the physical functions of partitionable
 * GPUs, from the built-in table or added at load time with ids=.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "gpupart.h"

static char ids[1024];
module_param_string(ids, ids, sizeof(ids), 0444);
MODULE_PARM_DESC(ids,
		 "Extra PCI IDs to bind, as vfio-pci takes them: \"vendor:device[:subvendor[:subdevice[:class[:class_mask]]]]\", comma separated");

/*
 * A probed GPU into the registry; listeners are told. Partitions it was
 * found with start their release now that they can be found.
 */
static void gpupart_dev_register(struct gpupart_dev *gdev)
{
	mutex_lock(&gpupart_lock);
	__gpupart_dev_add(gdev);
	__gpupart_nl_dev_notify(gdev, GPUPART_CMD_DEV_ADD_NTF);
	__gpupart_part_queue(gdev);
	mutex_unlock(&gpupart_lock);
}

/*
 * remove() of a GPU: out of the registry, its VMs told; unless it is being
 * handed over, when the record stays (dda.c). The GPU's mode_lock
 * keeps every mode change off it meanwhile; its partitions go last
 * (VFs gpupart enabled are disabled, adopted ones left as found), with
 * gpupart_lock dropped, see "Locking". The registry's reference goes (the
 * last, unless a request still holds one).
 */
static void gpupart_dev_unregister(struct gpupart_dev *gdev)
{
	bool handover;

	/*
	 * A handover's own unbind, or one that met it: its end decides
	 * where the record goes. Decided before the GPU's mode_lock, which a
	 * handover must not wait for with the PF's device lock held: the
	 * lock's holder may wait for pci_bus_sem, which an error walk holds
	 * while it waits for that device lock. No claim starts between here
	 * and the forget below: claims are made under the PF's device lock,
	 * which remove() holds.
	 */
	mutex_lock(&gpupart_lock);
	handover = __gpupart_dda_remove(gdev);
	mutex_unlock(&gpupart_lock);
	if (handover)
		return;
	mutex_lock(&gdev->mode_lock);
	mutex_lock(&gpupart_lock);
	__gpupart_dev_forget(gdev, GPUPART_REVOKE_REASON_DEVICE_REMOVED);
	list_del_init(&gdev->node);
	mutex_unlock(&gpupart_lock);
	cancel_work_sync(&gdev->err_work);
	/* Scrubbing uses the partitions: it is over before they go. */
	gpupart_dev_release(gdev);
	mutex_unlock(&gdev->mode_lock);
	gpupart_dev_put(gdev);
}

static int gpupart_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct gpupart_dev *gdev;

	/* A VF of a partitioned GPU carries its PF's IDs and would match. */
	if (pdev->is_virtfn) {
		pci_info(pdev, "not binding: an SR-IOV virtual function; gpupart binds physical functions only\n");
		return -ENODEV;
	}
	if (!pdev->is_physfn || !pci_sriov_get_totalvfs(pdev)) {
		pci_info(pdev, "not binding: no SR-IOV capability, so it cannot be partitioned\n");
		return -ENODEV;
	}

	/* Coming back from the passthrough driver: the record is kept. */
	gdev = gpupart_dda_probe(pdev);
	if (gdev) {
		pci_set_drvdata(pdev, gdev);
		/* Reset on its way back: what error recovery restores. */
		pci_save_state(pdev);
		return 0;
	}

	gdev = gpupart_dev_alloc(pdev);
	if (!gdev)
		return -ENOMEM;
	INIT_WORK(&gdev->err_work, gpupart_err_work);
	gpupart_dda_init(gdev);
	gdev->model = gpupart_model_of(id);
	gdev->total_vfs = pci_sriov_get_totalvfs(pdev);
	if (pci_num_vf(pdev) && gpupart_dev_adopt(gdev, pci_num_vf(pdev))) {
		gpupart_dev_put(gdev);
		return -ENOMEM;
	}
	pci_set_drvdata(pdev, gdev);
	/* What recovery from a fatal PCIe error restores: see err.c. */
	pci_save_state(pdev);
	pci_info(pdev, "bound: model %s, %u VFs\n",
		 gpupart_dev_model_name(gdev), gdev->total_vfs);
	gpupart_dev_register(gdev);
	return 0;
}

static void gpupart_remove(struct pci_dev *pdev)
{
	gpupart_dev_unregister(pci_get_drvdata(pdev));
}

/*
 * The sysfs door: "echo N > sriov_numvfs". N > 0 asks for mode partition
 * with N partitions, 0 for mode none; the same policy as DEV_SET decides.
 * The PCI core has already refused N above sriov_totalvfs (-ERANGE) and a
 * change from one non-zero N to another (-EBUSY), and holds the device
 * lock. There is no extack here, so the reason goes to the kernel log.
 */
static int gpupart_sriov_configure(struct pci_dev *pdev, int num_vfs)
{
	int rc;

	device_lock_assert(&pdev->dev);
	rc = gpupart_dev_set(pci_get_drvdata(pdev),
			     num_vfs ? GPUPART_MODE_PARTITION : GPUPART_MODE_NONE,
			     num_vfs, NULL);
	return rc < 0 ? rc : num_vfs;
}

static struct pci_driver gpupart_pci_driver = {
	.name		= KBUILD_MODNAME,
	.id_table	= gpupart_pci_ids,
	.probe		= gpupart_probe,
	.remove		= gpupart_remove,
	.sriov_configure = gpupart_sriov_configure,
	.err_handler	= &gpupart_err_handlers,
};

/*
 * A partition must never be grabbed by a host driver: each VF of a GPU
 * that gpupart drives is reserved for the passthrough driver as it is
 * added, before the driver core probes it (vfio-pci does the same for the
 * VFs of PFs it owns). And a GPU passed through whole is forgotten when
 * its PCI device is deleted.
 */
static int gpupart_bus_notify(struct notifier_block *nb, unsigned long action,
			      void *data)
{
	struct device *dev = data;
	struct pci_dev *vf = to_pci_dev(dev);

	/* No gpupart_lock here: see gpupart_gone_work_fn(). */
	if (action == BUS_NOTIFY_DEL_DEVICE) {
		gpupart_owned_deleted(vf);
		if (!vf->is_virtfn)
			schedule_work(&gpupart_gone_work);
		return NOTIFY_OK;
	}
	if (action == BUS_NOTIFY_REMOVED_DEVICE) {
		gpupart_owned_removed(vf);
		return NOTIFY_OK;
	}
	if (action != BUS_NOTIFY_ADD_DEVICE || !vf->is_virtfn ||
	    !gpupart_passthrough[0])
		return NOTIFY_DONE;
	/*
	 * Stable: pci_enable_sriov() runs under the PF's mode_lock, which
	 * remove() takes before gpupart stops being the PF's driver.
	 */
	if (pci_physfn(vf)->dev.driver != &gpupart_pci_driver.driver)
		return NOTIFY_DONE;
	if (gpupart_set_driver_override(vf, gpupart_passthrough))
		pci_warn(vf, "could not reserve for %s\n", gpupart_passthrough);
	return NOTIFY_OK;
}

static struct notifier_block gpupart_bus_nb = {
	.notifier_call = gpupart_bus_notify,
};

/*
 * Parse one ids= entry. Stricter than sscanf(): every field must be hex
 * with nothing trailing, so "10de:25b6x" is refused rather than half read.
 */
static int gpupart_parse_id(char *entry, unsigned int *f)
{
	unsigned int n = 0;
	char *field;

	while ((field = strsep(&entry, ":"))) {
		if (n == 6 || kstrtouint(field, 16, &f[n]))
			return -EINVAL;
		n++;
	}
	if (n < 2 || f[0] > 0xffff || f[1] > 0xffff)
		return -EINVAL;
	return 0;
}

static void gpupart_add_ids(void)
{
	char *buf, *p, *entry;
	int rc;

	/* Parse a copy: the parameter stays readable in sysfs as given. */
	buf = kstrdup(ids, GFP_KERNEL);
	if (!buf)
		return;
	p = buf;
	while ((entry = strsep(&p, ","))) {
		unsigned int f[6] = { 0, 0, PCI_ANY_ID, PCI_ANY_ID, 0, 0 };
		char orig[64];

		if (!*entry)
			continue;
		strscpy(orig, entry, sizeof(orig));
		if (gpupart_parse_id(entry, f)) {
			pr_warn("ids: skipping malformed entry \"%s\": expected vendor:device[:subvendor[:subdevice[:class[:class_mask]]]] in hex\n",
				orig);
			continue;
		}
		rc = pci_add_dynid(&gpupart_pci_driver, f[0], f[1], f[2], f[3],
				   f[4], f[5], 0);
		if (rc)
			pr_warn("ids: could not add \"%s\" (%d)\n", orig, rc);
		else
			pr_info("ids: added %04x:%04x\n", f[0], f[1]);
	}
	kfree(buf);
}

/**
 * gpupart_pci_init() - register the PCI driver and the ids= devices
 *
 * Return: 0 or a negative errno from pci_register_driver().
 */
int gpupart_pci_init(void)
{
	int rc;

	/* ORDER: VFs are reserved from the first device gpupart drives. */
	rc = bus_register_notifier(&pci_bus_type, &gpupart_bus_nb);
	if (rc)
		return rc;
	rc = pci_register_driver(&gpupart_pci_driver);
	if (rc) {
		bus_unregister_notifier(&pci_bus_type, &gpupart_bus_nb);
		gpupart_owned_exit();
		/*
		 * A device deleted since the notifier went in has queued
		 * gone_work, which must be done before the module text goes;
		 * a record a failed registration left behind is forgotten.
		 */
		gpupart_dda_exit();
		return rc;
	}
	gpupart_add_ids();
	return 0;
}

/**
 * gpupart_pci_exit() - unregister the PCI driver, unbinding every device
 *
 * What is left (GPUs another driver kept) is forgotten by dda.c.
 */
void gpupart_pci_exit(void)
{
	pci_unregister_driver(&gpupart_pci_driver);
	bus_unregister_notifier(&pci_bus_type, &gpupart_bus_nb);
	gpupart_owned_exit();
	gpupart_dda_exit();
}
