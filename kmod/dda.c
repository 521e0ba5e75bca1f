// SPDX-License-Identifier: GPL-2.0
/*
 * DDA's PCI side: handing a whole GPU's PF to the passthrough driver
 * (vfio-pci) for a VM, and taking it back once released, reset, before it
 * rejoins the host. Which VM gets a GPU, and releasing it, are vm.c's.
 * Taking it back waits for the VM's VMM to let go of the GPU, so it runs
 * in the GPU's return_work, not in the request: a release answers at once.
 * gpupart keeps the GPU's record while the PF is bound to the passthrough
 * driver, so the GPU cannot be partitioned, or given to another VM,
 * behind the VM's back.
 *
 * Handing over means unbinding gpupart from the PF, which calls remove():
 * no lock of ours may be held, so the record's state (giving, returning:
 * see dev.c) marks the GPU meanwhile, and remove() and probe() keep and
 * find the record (gpupart_dda_remove(), gpupart_dda_probe()). Where a
 * handover ended is read off the PF under its device lock, as anything
 * may have happened to it meanwhile: an administrator's unbind or bind,
 * a deletion. A record whose PF is deleted while another driver has it
 * is forgotten by gone_work.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/error-injection.h>
#include <linux/delay.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/slab.h>

#include "gpupart.h"

/**
 * gpupart_pci_handover() - bind a GPU to one driver, whichever had it
 * @gdev: the GPU's record, giving or returning
 * @driver: the driver's name
 *
 * driver_override makes sure no other matching driver takes the device.
 * What was there when the GPU first left gpupart (an administrator's or
 * driverctl's pin) is kept in @gdev and put back once gpupart has the
 * GPU again. A way back that failed leaves "gpupart" there, so that no
 * host driver (nouveau, nvidia) claims the GPU before gpupart does.
 *
 * Return: 0 when @driver is bound afterwards, else -EIO or -ENOMEM.
 */
noinline int gpupart_pci_handover(struct gpupart_dev *gdev, const char *driver)
{
	struct pci_dev *pdev = gdev->pdev;
	bool home = !strcmp(driver, gdev->home), ok;
	int rc;

	/* The first leg keeps it, even a way home after a way out that failed early. */
	if (!gdev->override_kept) {
		rc = gpupart_driver_override_dup(pdev, &gdev->override);
		if (rc)
			return rc;
		gdev->override_kept = true;
	}
	rc = gpupart_set_driver_override(pdev, driver);
	if (rc)
		return rc;
	device_release_driver(&pdev->dev);
	rc = device_attach(&pdev->dev);
	device_lock(&pdev->dev);
	ok = rc > 0 && pdev->dev.driver && !strcmp(pdev->dev.driver->name, driver);
	device_unlock(&pdev->dev);
	if (home && ok && gdev->override_kept) {
		gpupart_set_driver_override(pdev, gdev->override ?: "");
		kfree(gdev->override);
		gdev->override = NULL;
		gdev->override_kept = false;
	}
	return ok ? 0 : -EIO;
}

/* The fault tests fail handovers here (fail_function). */
ALLOW_ERROR_INJECTION(gpupart_pci_handover, ERRNO);

/*
 * Whether a GPU not bound to gpupart was deleted. A GPU handed to the
 * passthrough driver (or left without a driver) is not gpupart's to
 * remove(), so its record must go when its PCI device does (hot-unplug,
 * sysfs remove); not while a handover is under way, whose end checks
 * again.
 */
static bool __gpupart_dda_gone(struct gpupart_dev *gdev)
{
	lockdep_assert_held(&gpupart_lock);
	return gpupart_dev_away(gdev->state) && !device_is_registered(&gdev->pdev->dev);
}

/**
 * __gpupart_dda_return() - take a whole GPU back from the passthrough driver
 * @gdev: the record, released or lost by its VM
 *
 * return_work does it, and owns a reference on the record and on gpupart
 * until it is done.
 *
 * Context: caller holds gpupart_lock.
 */
void __gpupart_dda_return(struct gpupart_dev *gdev)
{
	lockdep_assert_held(&gpupart_lock);
	__gpupart_dev_set_state(gdev, GPUPART_DEV_RETURNING);
	gdev->return_reset_ok = false;
	__gpupart_dev_get(gdev);
	__module_get(THIS_MODULE);
	gpupart_queue(&gdev->return_work, 0);
}

/* Whether a PCIe error was reported and not yet over, acted on or not. */
static bool __gpupart_dda_erred(struct gpupart_dev *gdev)
{
	bool erred;

	lockdep_assert_held(&gpupart_lock);
	spin_lock(&gdev->err_lock);
	erred = gdev->error || gdev->err_seen || gdev->err_failed;
	spin_unlock(&gdev->err_lock);
	return erred;
}

/*
 * Where a handover ended, from what the PCI core says of the PF: whether
 * it is still registered and which driver has it, read with its device
 * lock held, so that no bind, unbind or probe is half done. @vm is the VM
 * a giving handover was for, NULL for a return. The record is giving or
 * returning, and no other handover of it runs: only the end of one
 * moves it on.
 */
static u32 __gpupart_dda_where(struct gpupart_dev *gdev, struct gpupart_vm *vm)
{
	struct device *dev = &gdev->pdev->dev;
	const char *drv = dev->driver ? dev->driver->name : NULL;

	device_lock_assert(dev);
	lockdep_assert_held(&gpupart_lock);
	if (!device_is_registered(dev))
		return GPUPART_DEV_GONE;
	/*
	 * A PCIe error reported while gpupart still had it: the VM's claim
	 * is lost, or its VMM would never hear of the error, and wherever
	 * the PF is, it is taken back and reset, which ends the recovery.
	 */
	if (gdev->state == GPUPART_DEV_GIVING && __gpupart_dda_erred(gdev))
		return GPUPART_DEV_RETURNING;
	if (drv && !strcmp(drv, gdev->home))
		return GPUPART_DEV_HOST;
	if (drv && !strcmp(drv, gpupart_passthrough) && gdev->state == GPUPART_DEV_GIVING)
		/* Passed for its VM, or its VM lost it meanwhile: it comes back. */
		return vm && gdev->dda_vm == vm ? GPUPART_DEV_PASSED : GPUPART_DEV_RETURNING;
	return GPUPART_DEV_STRANDED;
}

/*
 * A GPU back with gpupart after a reset (a return, or a bind by hand): an
 * error reported while it moved is over, as its reset and the new binding
 * are what recovery from one needs. Listeners hear it recovered.
 */
static void __gpupart_dda_recovered(struct gpupart_dev *gdev)
{
	bool was;

	lockdep_assert_held(&gpupart_lock);
	spin_lock(&gdev->err_lock);
	was = gdev->error || gdev->err_seen || gdev->err_failed;
	WRITE_ONCE(gdev->err_seen, 0);
	gdev->err_failed = false;
	gdev->err_resumed = false;
	spin_unlock(&gdev->err_lock);
	/* A watch of the GPU beside its vendor's driver tells nothing of it. */
	gdev->watch_seq++;
	if (!was)
		return;
	pci_info(gdev->pdev, "back from %s, reset: out of PCIe error recovery\n",
		 gpupart_passthrough);
	gdev->error = 0;
	__gpupart_nl_dev_error(gdev, GPUPART_ERROR_RECOVERED);
}

/**
 * __gpupart_dda_settle() - the end of a handover: the record goes where the PF is
 * @gdev: the record, giving or returning
 * @vm: the VM a giving handover was for, NULL for a return
 *
 * A VM's claim stands only where the passthrough driver has the GPU for
 * it; elsewhere it is dropped, silently, since the VM was never told it
 * had the GPU.
 *
 * Context: the PF's device lock and gpupart_lock held.
 * Return: the record's new state; gone means the caller is to drop it,
 * with no lock held (new: it was gone already, nothing to drop).
 */
u32 __gpupart_dda_settle(struct gpupart_dev *gdev, struct gpupart_vm *vm)
{
	u32 state;

	lockdep_assert_held(&gpupart_lock);
	state = __gpupart_dda_where(gdev, vm);

	if (state != GPUPART_DEV_PASSED && vm && gdev->dda_vm == vm) {
		gdev->dda_vm = NULL;
		__gpupart_vm_unhold(vm);
	}
	/* Nothing forgets a record under way; should it, it is not forgotten twice. */
	if (WARN_ON_ONCE(gpupart_dev_gone(gdev)))
		return GPUPART_DEV_NEW;
	switch (state) {
	case GPUPART_DEV_GONE:
		__gpupart_dev_forget(gdev, GPUPART_REVOKE_REASON_DEVICE_REMOVED);
		list_del_init(&gdev->node);
		break;
	case GPUPART_DEV_RETURNING:
		__gpupart_dda_return(gdev);
		break;
	default:
		__gpupart_dev_set_state(gdev, state);
		break;
	}
	return state;
}

/*
 * Take a released whole GPU back from its VM, once its VMM let go of it
 * (checked once a second, as for partitions): the passthrough driver lets
 * go of the PF, which is reset (a failed reset is logged: the GPU
 * rejoins the host regardless, as nothing else could use it) and bound to
 * gpupart again. A PF deleted meanwhile is forgotten. @gdev is returning,
 * with no VM, and holds a reference on the record and on gpupart for this
 * work, which drops them.
 */
static void gpupart_dda_return_work(struct work_struct *work)
{
	struct gpupart_dev *gdev = container_of(to_delayed_work(work), struct gpupart_dev,
						return_work);
	struct pci_dev *pdev = gdev->pdev;
	u32 state;
	int rc;

	/*
	 * The tests unplug the GPU here (handover_delay_ms): before the
	 * checks below, so that nothing opens it between them and the unbind.
	 */
	if (READ_ONCE(gpupart_handover_delay_ms))
		msleep(READ_ONCE(gpupart_handover_delay_ms));
	/*
	 * A host driver (gpupart itself, after a handover that ended with an
	 * error) is no VMM, but would count as one: it goes first. Then not
	 * while a VMM still has it, nor may one come: see gpupart_own().
	 */
	if (gpupart_host_driver(pdev))
		device_release_driver(&pdev->dev);
	if (gpupart_own(&gdev->own)) {
		gpupart_queue(&gdev->return_work, HZ);
		return;
	}
	/*
	 * From the unbind on, only gpupart binds it, as the handover below
	 * will say: the pin it found went with the way out (override_kept).
	 */
	if (gdev->override_kept && gpupart_set_driver_override(pdev, gdev->home))
		pci_warn(pdev, "could not reserve for %s before taking it back\n", gdev->home);
	device_release_driver(&pdev->dev);
	gpupart_disown(&gdev->own);
	/*
	 * A PF unplugged or deleted while its VMM held it reads all ones:
	 * its reset would poll for a minute in pci_dev_wait(). Under the
	 * device lock it is neither probed nor deleted meanwhile; user
	 * space's config access waits, as for pci_reset_function().
	 */
	pci_dev_lock(pdev);
	if (device_is_registered(&pdev->dev) && pci_device_is_present(pdev))
		rc = pci_reset_function_locked(pdev);
	else
		rc = -ENODEV;
	pci_dev_unlock(pdev);
	if (rc && rc != -ENODEV)
		pci_warn(pdev, "reset after DDA failed (%d)\n", rc);
	mutex_lock(&gpupart_lock);
	gdev->return_reset_ok = !rc;
	mutex_unlock(&gpupart_lock);
	rc = gpupart_pci_handover(gdev, gdev->home);
	if (rc && device_is_registered(&pdev->dev))
		pci_warn(pdev, "could not take the GPU back from %s\n",
			 gpupart_passthrough);

	device_lock(&pdev->dev);
	mutex_lock(&gpupart_lock);
	state = __gpupart_dda_settle(gdev, NULL);
	if (state != GPUPART_DEV_GONE && state != GPUPART_DEV_NEW)
		__gpupart_nl_dev_notify(gdev, GPUPART_CMD_DEV_CHANGE_NTF);
	mutex_unlock(&gpupart_lock);
	device_unlock(&pdev->dev);
	if (state == GPUPART_DEV_GONE)
		gpupart_dev_drop(gdev);
	gpupart_dev_put(gdev);
	/* gpupart's exit destroys the workqueue, which waits for this. */
	module_put(THIS_MODULE);
}

/**
 * gpupart_dda_init() - set up a new record's return work
 * @gdev: the record, not yet in the registry
 */
void gpupart_dda_init(struct gpupart_dev *gdev)
{
	INIT_DELAYED_WORK(&gdev->return_work, gpupart_dda_return_work);
}

/* The reset of a GPU bound back by hand, under its device lock. */
static int gpupart_dda_reset_back(struct pci_dev *pdev)
{
	int rc = pci_reset_function_locked(pdev);

	if (rc)
		pci_warn(pdev, "reset as it came back from %s failed (%d)\n",
			 gpupart_passthrough, rc);
	return rc;
}

/**
 * gpupart_dda_binding() - a vendor's driver is about to bind a GPU held beside it
 * @pdev: the PF, its device lock held, not yet probed
 *
 * A GPU bound by hand while a VM had it, or left with no driver by a
 * handover, is reset as gpupart's own probe would reset it (see
 * gpupart_dda_probe()); here, before the vendor's driver probes it, so
 * that gpupart never touches a device that driver has set up.
 */
void gpupart_dda_binding(struct pci_dev *pdev)
{
	struct gpupart_dev *gdev;
	bool away;

	mutex_lock(&gpupart_lock);
	gdev = __gpupart_dev_of(pdev);
	away = gdev && gpupart_dev_away(gdev->state);
	mutex_unlock(&gpupart_lock);
	if (away)
		gpupart_dda_reset_back(pdev);
}

/**
 * gpupart_dda_probe() - the record kept for a GPU coming back to gpupart
 * @pdev: the PF being probed, its device lock held
 * @reset: reset a GPU bound by hand: false when gpupart_dda_binding() did
 *	before its vendor's driver probed it
 *
 * Within a handover the handover's end moves the record on. Outside one
 * the GPU was bound to gpupart (or its vendor's driver) by hand: it is
 * reset, as a return would have reset it, and the VM it was passed to, if
 * any, loses it.
 *
 * Return: the record, or NULL for a new GPU.
 */
struct gpupart_dev *gpupart_dda_probe(struct pci_dev *pdev, bool reset)
{
	struct gpupart_dev *gdev;
	char *override = NULL;
	bool away;
	int rc;

	mutex_lock(&gpupart_lock);
	gdev = __gpupart_dev_of(pdev);
	away = gdev && gpupart_dev_away(gdev->state);
	/*
	 * Taken back, and return_work's reset worked (not so when this is
	 * an administrator's bind while it waits). Under the device lock no
	 * error report comes meanwhile; one after it is gpupart's, acted on
	 * as ever.
	 */
	if (gdev && gdev->state == GPUPART_DEV_RETURNING && gdev->return_reset_ok &&
	    pci_device_is_present(pdev))
		__gpupart_dda_recovered(gdev);
	mutex_unlock(&gpupart_lock);
	if (!away)
		return gdev;

	/*
	 * Meanwhile a release may take it back (returning): its work waits
	 * for this probe's device lock, and the second look below leaves it.
	 */
	rc = reset ? gpupart_dda_reset_back(pdev) : 0;
	mutex_lock(&gpupart_lock);
	if (gpupart_dev_away(gdev->state)) {
		/* Its VM, if any; an away GPU is in mode dda, with no partitions. */
		__gpupart_dev_revoke(gdev, GPUPART_REVOKE_REASON_DEVICE_REMOVED);
		if (!rc)
			__gpupart_dda_recovered(gdev);
		__gpupart_dev_set_state(gdev, GPUPART_DEV_HOST);
		__gpupart_nl_dev_notify(gdev, GPUPART_CMD_DEV_CHANGE_NTF);
		/*
		 * Whoever bound it by hand set its driver_override to do so:
		 * it is theirs now, and what gpupart kept is forgotten.
		 */
		override = gdev->override;
		gdev->override = NULL;
		gdev->override_kept = false;
	}
	mutex_unlock(&gpupart_lock);
	kfree(override);
	return gdev;
}

/**
 * __gpupart_dda_remove() - whether remove() is a handover's
 * @gdev: the GPU gpupart is being unbound from
 *
 * Claims are made under the PF's device lock, which remove() holds: when
 * this says no, no claim comes before remove() forgets the record.
 *
 * Context: caller holds gpupart_lock.
 * Return: true when the GPU is being handed over: its record stays,
 * whichever way the handover was going: the GPU may be unbound or deleted
 * at the very end of a way back, after probe() found the record. The
 * handover's end finds out where the PF is.
 */
bool __gpupart_dda_remove(struct gpupart_dev *gdev)
{
	lockdep_assert_held(&gpupart_lock);
	return gpupart_dev_moving(gdev->state);
}

/* Records forgotten in the bus notifier, for gone_work to drop. */
static LIST_HEAD(gpupart_let_go);

/**
 * __gpupart_dda_let_go() - have gone_work drop a record forgotten in the notifier
 * @gdev: the record, out of the registry (__gpupart_dev_let_go())
 *
 * Context: caller holds gpupart_lock.
 */
void __gpupart_dda_let_go(struct gpupart_dev *gdev)
{
	lockdep_assert_held(&gpupart_lock);
	list_move_tail(&gdev->node, &gpupart_let_go);
	schedule_work(&gpupart_gone_work);
}

/*
 * The bus notifier cannot wait for a GPU's mode_lock (it runs under the
 * notifier rwsem, which pci_enable_sriov() takes under a mode_lock), so
 * it schedules this work. The rescan/remove lock, taken first with
 * nothing held, makes the work wait until the removal is complete.
 */
static void gpupart_gone_work_fn(struct work_struct *work)
{
	struct gpupart_dev *gdev, *tmp;
	LIST_HEAD(gone);

	mutex_lock(&gpupart_lock);
	list_splice_init(&gpupart_let_go, &gone);
	mutex_unlock(&gpupart_lock);
	list_for_each_entry_safe(gdev, tmp, &gone, node) {
		list_del_init(&gdev->node);
		gpupart_parts_shelve(gdev->pdev, gdev->gone_parts, gdev->gone_count);
		gpupart_parts_free(gdev->gone_parts, gdev->gone_count);
		gdev->gone_parts = NULL;
		gpupart_dev_drop(gdev);
	}

	pci_lock_rescan_remove();
	/* GPUs whose partitions' VFs went outside gpupart, one at a time. */
	for (;;) {
		mutex_lock(&gpupart_lock);
		list_for_each_entry(gdev, &gpupart_devs, node)
			if (gdev->vfs_lost)
				break;
		if (list_entry_is_head(gdev, &gpupart_devs, node)) {
			mutex_unlock(&gpupart_lock);
			break;
		}
		gdev->vfs_lost = false;
		__gpupart_dev_get(gdev);
		mutex_unlock(&gpupart_lock);
		gpupart_dev_vfs_lost(gdev);
		gpupart_dev_put(gdev);
	}
	mutex_lock(&gpupart_lock);
	list_for_each_entry_safe(gdev, tmp, &gpupart_devs, node) {
		if (!__gpupart_dda_gone(gdev))
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

/**
 * gpupart_dda_exit() - forget the GPUs another driver kept, at unload
 *
 * No VM holds anything (each VM pins the module), so the only records left
 * once the PCI driver is unregistered are GPUs that a failed handover left
 * with another driver or none. They are forgotten. One with a driver gets
 * back the driver_override it had before gpupart handed it over; one with
 * none keeps "gpupart", so that no host driver takes it before gpupart is
 * loaded again and does.
 *
 * Context: the PCI driver and the bus notifier are unregistered.
 */
void gpupart_dda_exit(void)
{
	struct gpupart_dev *gdev, *tmp;
	LIST_HEAD(left);

	flush_work(&gpupart_gone_work);
	mutex_lock(&gpupart_lock);
	list_for_each_entry_safe(gdev, tmp, &gpupart_devs, node) {
		__gpupart_dev_forget(gdev, GPUPART_REVOKE_REASON_DEVICE_REMOVED);
		list_move(&gdev->node, &left);
	}
	mutex_unlock(&gpupart_lock);
	list_for_each_entry_safe(gdev, tmp, &left, node) {
		struct pci_dev *pdev = gdev->pdev;
		bool driven;

		device_lock(&pdev->dev);
		driven = pdev->dev.driver;
		device_unlock(&pdev->dev);
		if (driven) {
			pci_warn(pdev, "not bound to gpupart at unload; left with its driver\n");
			if (gdev->override_kept)
				gpupart_set_driver_override(pdev, gdev->override ?: "");
		} else {
			pci_warn(pdev, "not bound to %s at unload; left reserved for it (driver_override)\n",
				 gdev->home);
			gpupart_set_driver_override(pdev, gdev->home);
		}
		list_del_init(&gdev->node);
		gpupart_dev_drop(gdev);
	}
}
