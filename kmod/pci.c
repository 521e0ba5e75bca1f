// SPDX-License-Identifier: GPL-2.0
/*
 * The PCI side of holding a GPU, both ways (way.c). As its PF driver:
 * gpupart's PCI driver binds the GPUs named with ids=. Beside its
 * vendor's: the built-in table's GPUs and those named with vendor_ids=
 * are recorded when another driver binds their PF, and forgotten when it
 * lets go; the bus notifier sees both, and every VF as it is added.
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
		 "PCI IDs whose PF gpupart drives itself, as vfio-pci takes them: \"vendor:device[:subvendor[:subdevice[:class[:class_mask]]]]\", comma separated");

static char vendor_ids[1024];
module_param_string(vendor_ids, vendor_ids, sizeof(vendor_ids), 0444);
MODULE_PARM_DESC(vendor_ids,
		 "PCI IDs whose PF its vendor's driver owns, gpupart beside it (the built-in table's GPUs are held so unless ids= names them); same syntax as ids=");

/* What ids= and vendor_ids= name, parsed at load; read-only afterwards. */
#define GPUPART_IDS_MAX	32
static struct pci_device_id gpupart_own_ids[GPUPART_IDS_MAX + 1];
static struct pci_device_id gpupart_vendor_ids[GPUPART_IDS_MAX + 1];

/* gpupart's own driver binds only what ids= names. */
static const struct pci_device_id gpupart_driver_ids[] = {
	{ }
};

/*
 * A probed GPU into the registry; listeners are told. Partitions it was
 * found with start their release now that they can be found.
 */
static void __gpupart_dev_register(struct gpupart_dev *gdev)
{
	lockdep_assert_held(&gpupart_lock);
	__gpupart_dev_add(gdev);
	__gpupart_nl_dev_notify(gdev, GPUPART_CMD_DEV_ADD_NTF);
	__gpupart_part_queue(gdev);
}

static void gpupart_dev_register(struct gpupart_dev *gdev)
{
	mutex_lock(&gpupart_lock);
	__gpupart_dev_register(gdev);
	mutex_unlock(&gpupart_lock);
}

/*
 * A new record for a PF, either way: held beside @vendor, the vendor's
 * driver bound to it, or by gpupart's own driver (@vendor NULL). VFs
 * already enabled are adopted. Not yet in the registry.
 */
static struct gpupart_dev *gpupart_dev_new(struct pci_dev *pdev,
					   const struct device_driver *vendor)
{
	struct gpupart_dev *gdev = gpupart_dev_alloc(pdev);

	if (!gdev)
		return NULL;
	INIT_WORK(&gdev->err_work, gpupart_err_work);
	INIT_DELAYED_WORK(&gdev->watch_work, gpupart_watch_work);
	gpupart_dda_init(gdev);
	gdev->model = gpupart_model_of(pdev);
	if (vendor)
		gpupart_way_vendor_init(gdev, vendor);
	else
		gpupart_way_driver_init(gdev);
	gdev->total_vfs = pci_sriov_get_totalvfs(pdev);
	if (pci_num_vf(pdev) && gpupart_dev_adopt(gdev, pci_num_vf(pdev))) {
		gpupart_dev_put(gdev);
		return NULL;
	}
	return gdev;
}

/*
 * Set, under gpupart_lock, once unloading has begun: no GPU is held
 * beside its vendor's driver from then on, so that none is recorded after
 * gpupart_vendor_exit() let go of them all.
 */
static bool gpupart_stopping;

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
	/* The watch reports to err_work: it goes first. */
	cancel_delayed_work_sync(&gdev->watch_work);
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
	gdev = gpupart_dda_probe(pdev, true);
	if (gdev) {
		pci_set_drvdata(pdev, gdev);
		/* Reset on its way back: what error recovery restores. */
		pci_save_state(pdev);
		return 0;
	}

	gdev = gpupart_dev_new(pdev, NULL);
	if (!gdev)
		return -ENOMEM;
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
	.id_table	= gpupart_driver_ids,
	.probe		= gpupart_probe,
	.remove		= gpupart_remove,
	.sriov_configure = gpupart_sriov_configure,
	.err_handler	= &gpupart_err_handlers,
};

/*
 * Whether gpupart holds a PF beside its vendor's driver: the built-in
 * table and vendor_ids= name it, and ids= does not.
 */
static bool gpupart_vendor_held(struct pci_dev *pdev)
{
	if (pdev->is_virtfn || !pdev->is_physfn || pci_match_id(gpupart_own_ids, pdev))
		return false;
	return pci_match_id(gpupart_vendor_ids, pdev) || pci_match_id(gpupart_pci_ids, pdev);
}

/*
 * A PF gpupart holds beside its vendor's driver, with that driver bound
 * (or binding, or unbinding): not gpupart's, nor the one a VM gets the
 * PF through.
 */
static bool gpupart_vendor_bound(struct pci_dev *pdev)
{
	const struct device_driver *drv = pdev->dev.driver;

	return gpupart_vendor_held(pdev) && drv && drv != &gpupart_pci_driver.driver &&
	       strcmp(drv->name, gpupart_passthrough);
}

/*
 * Its vendor's driver bound a GPU gpupart holds beside it: a new record,
 * or the one a handover kept (dda.c). VFs already enabled are adopted, as
 * at gpupart's own probe. Under the PF's device lock, in the bus notifier.
 */
static void gpupart_vendor_attach(struct pci_dev *pdev)
{
	const struct device_driver *drv = pdev->dev.driver;
	struct gpupart_dev *gdev;
	bool known;

	device_lock_assert(&pdev->dev);
	if (!pci_sriov_get_totalvfs(pdev)) {
		pci_info(pdev, "not held: no SR-IOV capability, so it cannot be partitioned\n");
		return;
	}
	mutex_lock(&gpupart_lock);
	gdev = __gpupart_dev_of(pdev);
	known = gdev;
	/* Bound by hand, maybe another vendor driver: that one is its home now. */
	if (gdev && gpupart_dev_away(gdev->state))
		strscpy(gdev->home, drv->name, sizeof(gdev->home));
	mutex_unlock(&gpupart_lock);
	if (known) {
		gpupart_dda_probe(pdev, false);
		return;
	}
	gdev = gpupart_dev_new(pdev, drv);
	if (!gdev) {
		pci_warn(pdev, "not held: out of memory\n");
		return;
	}
	mutex_lock(&gpupart_lock);
	if (!gpupart_stopping) {
		pci_info(pdev, "held beside %s: model %s, %u VFs\n", drv->name,
			 gpupart_dev_model_name(gdev), gdev->total_vfs);
		__gpupart_dev_register(gdev);
		gdev = NULL;
	}
	mutex_unlock(&gpupart_lock);
	if (gdev) {
		gpupart_parts_free(gdev->parts, gdev->count);
		gpupart_dev_put(gdev);
		return;
	}
	/* Its PCIe errors are its vendor driver's: watched from now on. */
	gpupart_watch_kick();
}

/*
 * Its vendor's driver is letting go of the PF (unbind, rmmod, removal):
 * as remove() for a GPU gpupart drives, except that the VFs stay as the
 * vendor driver leaves them: gone_work reserves them for no driver, and
 * unbinds those no VMM has (gpupart_parts_shelve()), until adopted again.
 * A handover's own unbind keeps the record (dda.c).
 */
static void gpupart_vendor_detach(struct pci_dev *pdev)
{
	struct gpupart_dev *gdev;

	device_lock_assert(&pdev->dev);
	mutex_lock(&gpupart_lock);
	gdev = __gpupart_dev_of(pdev);
	if (gdev && gdev->state == GPUPART_DEV_HOST) {
		pci_info(pdev, "%s lets go of it: no longer held\n", gdev->home);
		__gpupart_dev_let_go(gdev);
		__gpupart_dda_let_go(gdev);
	}
	mutex_unlock(&gpupart_lock);
}

/*
 * Every VF of a GPU gpupart holds is reserved as it is added, before the
 * driver core probes it: no host driver may grab a partition (vfio-pci
 * does the same for the VFs of PFs it owns). Those of a change gpupart
 * makes go to the GPU's VF driver; any other (a vendor driver's
 * sriov_numvfs written behind gpupart's back) to no driver, and the GPU
 * says so, until a mode change adopts or disables them.
 */
static void gpupart_vf_added(struct pci_dev *vf)
{
	struct pci_dev *pf = pci_physfn(vf);
	struct gpupart_dev *gdev;
	char to[32] = GPUPART_UNADOPTED_MARK;

	/*
	 * Stable: pci_enable_sriov() runs under the PF's mode_lock, which
	 * remove() takes before gpupart stops being the PF's driver.
	 */
	if (pf->dev.driver == &gpupart_pci_driver.driver) {
		if (gpupart_passthrough[0] && gpupart_set_driver_override(vf, gpupart_passthrough))
			pci_warn(vf, "could not reserve for %s\n", gpupart_passthrough);
		return;
	}
	if (!gpupart_vendor_held(pf))
		return;
	mutex_lock(&gpupart_lock);
	gdev = __gpupart_dev_of(pf);
	if (gdev && gdev->count_to) {
		strscpy(to, gdev->vf_driver, sizeof(to));
	} else if (gdev && !gpupart_dev_gone(gdev)) {
		gdev->unadopted++;
		__gpupart_nl_dev_notify(gdev, GPUPART_CMD_DEV_CHANGE_NTF);
	}
	mutex_unlock(&gpupart_lock);
	if (!to[0])
		return;
	if (gpupart_set_driver_override(vf, to))
		pci_warn(vf, "could not reserve for %s\n", to);
	else if (!strcmp(to, GPUPART_UNADOPTED_MARK))
		pci_warn(vf, "enabled outside gpupart: reserved for no driver until adopted\n");
}

/*
 * A VF of a GPU gpupart holds is deleted. One of its partitions: the VFs
 * were disabled outside gpupart (its vendor driver's sriov_numvfs), and
 * gone_work revokes them. One not adopted is simply gone.
 */
static void gpupart_vf_deleted(struct pci_dev *vf)
{
	struct gpupart_dev *gdev;
	bool lost = false;
	u32 i;

	mutex_lock(&gpupart_lock);
	gdev = __gpupart_dev_of(pci_physfn(vf));
	if (gdev) {
		for (i = 0; i < gdev->count; i++)
			lost |= gdev->parts[i].vf == vf;
		if (lost)
			gdev->vfs_lost = true;
		else if (gdev->unadopted)
			gdev->unadopted--;
	}
	mutex_unlock(&gpupart_lock);
	if (lost)
		schedule_work(&gpupart_gone_work);
}

/*
 * The PCI devices gpupart watches: each VF as it is added and deleted,
 * the binds and unbinds of the PFs it holds beside their vendor's driver,
 * and any deleted device it may own or keep a record of (own.c, dda.c).
 * gpupart_lock is taken only as a leaf: the notifier runs under the PCI
 * core's locks, the bus notifier rwsem, and for a VF of a change gpupart
 * makes, that GPU's mode_lock.
 */
static int gpupart_bus_notify(struct notifier_block *nb, unsigned long action,
			      void *data)
{
	struct pci_dev *pdev = to_pci_dev(data);

	switch (action) {
	case BUS_NOTIFY_ADD_DEVICE:
		if (pdev->is_virtfn)
			gpupart_vf_added(pdev);
		break;
	case BUS_NOTIFY_DEL_DEVICE:
		gpupart_owned_deleted(pdev);
		if (pdev->is_virtfn)
			gpupart_vf_deleted(pdev);
		else
			schedule_work(&gpupart_gone_work);
		break;
	case BUS_NOTIFY_REMOVED_DEVICE:
		gpupart_owned_removed(pdev);
		break;
	case BUS_NOTIFY_BIND_DRIVER:
		if (gpupart_vendor_bound(pdev))
			gpupart_dda_binding(pdev);
		break;
	case BUS_NOTIFY_BOUND_DRIVER:
		if (gpupart_vendor_bound(pdev))
			gpupart_vendor_attach(pdev);
		break;
	case BUS_NOTIFY_UNBIND_DRIVER:
		if (gpupart_vendor_bound(pdev))
			gpupart_vendor_detach(pdev);
		break;
	default:
		return NOTIFY_DONE;
	}
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

/* Parse ids= or vendor_ids= (@param, named @name) into @table. */
static void gpupart_parse_ids(const char *name, const char *param,
			      struct pci_device_id *table)
{
	char *buf, *p, *entry;
	unsigned int n = 0;

	/* Parse a copy: the parameter stays readable in sysfs as given. */
	buf = kstrdup(param, GFP_KERNEL);
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
			pr_warn("%s: skipping malformed entry \"%s\": expected vendor:device[:subvendor[:subdevice[:class[:class_mask]]]] in hex\n",
				name, orig);
			continue;
		}
		if (n == GPUPART_IDS_MAX) {
			pr_warn("%s: skipping \"%s\": at most %d entries\n", name, orig,
				GPUPART_IDS_MAX);
			continue;
		}
		table[n++] = (struct pci_device_id) {
			.vendor = f[0], .device = f[1], .subvendor = f[2],
			.subdevice = f[3], .class = f[4], .class_mask = f[5],
		};
	}
	kfree(buf);
}

/* ids=: gpupart's driver binds them, once it is registered. */
static void gpupart_add_ids(void)
{
	const struct pci_device_id *id;
	int rc;

	for (id = gpupart_own_ids; id->vendor; id++) {
		rc = pci_add_dynid(&gpupart_pci_driver, id->vendor, id->device,
				   id->subvendor, id->subdevice, id->class,
				   id->class_mask, 0);
		if (rc)
			pr_warn("ids: could not add %04x:%04x (%d)\n", id->vendor, id->device, rc);
		else
			pr_info("ids: added %04x:%04x\n", id->vendor, id->device);
	}
	for (id = gpupart_vendor_ids; id->vendor; id++)
		pr_info("vendor_ids: added %04x:%04x\n", id->vendor, id->device);
}

/*
 * The GPUs whose vendor's driver was bound before gpupart was loaded, as
 * if it had just bound them.
 */
static void gpupart_vendor_scan(void)
{
	struct pci_dev *pdev = NULL;

	while ((pdev = pci_get_device(PCI_ANY_ID, PCI_ANY_ID, pdev))) {
		if (!gpupart_vendor_held(pdev))
			continue;
		device_lock(&pdev->dev);
		if (device_is_registered(&pdev->dev) && gpupart_vendor_bound(pdev))
			gpupart_vendor_attach(pdev);
		device_unlock(&pdev->dev);
	}
}

/* The next GPU held beside its vendor's driver, referenced, or NULL. */
static struct gpupart_dev *gpupart_vendor_next(void)
{
	struct gpupart_dev *gdev;

	mutex_lock(&gpupart_lock);
	list_for_each_entry(gdev, &gpupart_devs, node) {
		if (gdev->way == &gpupart_way_vendor && gdev->state == GPUPART_DEV_HOST) {
			__gpupart_dev_get(gdev);
			mutex_unlock(&gpupart_lock);
			return gdev;
		}
	}
	mutex_unlock(&gpupart_lock);
	return NULL;
}

/*
 * At unload, every GPU held beside its vendor's driver is let go, as if
 * that driver unbound it; but the VFs gpupart enabled go, as they do at
 * the unbinding of a GPU it drives, through the vendor driver, with the
 * locks of a mode change.
 */
static void gpupart_vendor_exit(void)
{
	struct gpupart_dev *gdev;
	bool home;

	mutex_lock(&gpupart_lock);
	gpupart_stopping = true;
	mutex_unlock(&gpupart_lock);
	while ((gdev = gpupart_vendor_next())) {
		gdev->way->lock(gdev);
		/* Its driver may have let go meanwhile: that forgot it. */
		mutex_lock(&gpupart_lock);
		home = gdev->state == GPUPART_DEV_HOST;
		mutex_unlock(&gpupart_lock);
		if (home)
			gpupart_dev_unregister(gdev);
		gdev->way->unlock(gdev);
		gpupart_dev_put(gdev);
	}
}

/* VFs left unadopted are free again at unload: nothing contains them now. */
static void gpupart_vfs_unmark(void)
{
	struct pci_dev *vf = NULL;

	while ((vf = pci_get_device(PCI_ANY_ID, PCI_ANY_ID, vf)))
		if (vf->is_virtfn && gpupart_driver_override_is(vf, GPUPART_UNADOPTED_MARK))
			gpupart_set_driver_override(vf, "");
}

/**
 * gpupart_pci_init() - register the PCI driver and the ids= devices
 *
 * Return: 0 or a negative errno from pci_register_driver().
 */
int gpupart_pci_init(void)
{
	int rc;

	/*
	 * ORDER: the tables the notifier reads, before it can run; VFs are
	 * reserved from the first device gpupart drives.
	 */
	gpupart_parse_ids("ids", ids, gpupart_own_ids);
	gpupart_parse_ids("vendor_ids", vendor_ids, gpupart_vendor_ids);
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
	gpupart_vendor_scan();
	return 0;
}

/**
 * gpupart_pci_exit() - unregister the PCI driver, unbinding every device
 *
 * What is left (GPUs another driver kept) is forgotten by dda.c.
 */
void gpupart_pci_exit(void)
{
	gpupart_vendor_exit();
	pci_unregister_driver(&gpupart_pci_driver);
	bus_unregister_notifier(&pci_bus_type, &gpupart_bus_nb);
	/*
	 * A GPU whose vendor driver let go meanwhile has its VFs shelved by
	 * gone_work, marked as they go: over before the marks are cleared,
	 * and before deleted devices are forgotten (the notifier that marks
	 * them is gone, so nothing may be claimed after).
	 */
	flush_work(&gpupart_gone_work);
	gpupart_vfs_unmark();
	gpupart_owned_exit();
	gpupart_dda_exit();
}
