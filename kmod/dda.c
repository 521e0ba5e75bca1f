// SPDX-License-Identifier: GPL-2.0
/*
 * DDA: a whole GPU passed through to one VM, and releasing a VM, which
 * gives its whole GPUs back. The PF leaves the host: it is handed to the
 * passthrough driver (vfio-pci) and taken back on release, reset, before
 * it rejoins the host. Taking it back waits for the VM's VMM to let go of
 * the GPU, so it runs in the GPU's return_work, not in the request: a
 * release answers at once.
 * gpupart keeps the GPU's record while the PF is bound to the passthrough
 * driver, so the GPU cannot be partitioned, or given to another VM,
 * behind the VM's back.
 *
 * Handing over means unbinding gpupart from the PF, which calls remove():
 * no lock of ours may be held, so the record's state (giving, returning:
 * see core.c) marks the GPU meanwhile, and remove() and probe() keep and
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
static noinline int gpupart_pci_handover(struct gpupart_dev *gdev, const char *driver)
{
	struct pci_dev *pdev = gdev->pdev;
	bool home = !strcmp(driver, KBUILD_MODNAME), ok;
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

/* A GPU in mode dda that gpupart has and no VM holds, healthy. */
static bool __gpupart_dda_free(const struct gpupart_dev *gdev)
{
	lockdep_assert_held(&gpupart_lock);
	return gdev->mode == GPUPART_MODE_DDA && !gdev->dda_vm &&
	       gdev->state == GPUPART_DEV_HOST && !gpupart_in_error(gdev);
}

/* A GPU in mode dda that no VM holds: @want, or the first one free. */
static struct gpupart_dev *__gpupart_dda_pick(struct gpupart_dev *want,
					      struct netlink_ext_ack *extack)
{
	struct gpupart_dev *gdev;

	lockdep_assert_held(&gpupart_lock);
	if (want) {
		const char *pci = pci_name(want->pdev);

		if (want->mode != GPUPART_MODE_DDA) {
			gpupart_refuse(want->pdev, extack, "%s is not in mode dda; set it first",
				       pci);
			return ERR_PTR(-EINVAL);
		}
		if (want->dda_vm || gpupart_dev_gone(want)) {
			gpupart_refuse(want->pdev, extack, "%s is held by VM %s",
				       pci, want->dda_vm ? want->dda_vm->name : "");
			return ERR_PTR(-EBUSY);
		}
		if (want->state == GPUPART_DEV_STRANDED) {
			gpupart_refuse(want->pdev, extack,
				       "%s is not bound to gpupart since a failed handover; bind it again first",
				       pci);
			return ERR_PTR(-EBUSY);
		}
		if (want->state != GPUPART_DEV_HOST) {
			gpupart_refuse(want->pdev, extack,
				       "%s is being taken back from its last VM; try again",
				       pci);
			return ERR_PTR(-EBUSY);
		}
		if (gpupart_in_error(want)) {
			gpupart_refuse(want->pdev, extack,
				       "%s is out of service after a PCIe error",
				       pci);
			return ERR_PTR(-EIO);
		}
		return want;
	}
	list_for_each_entry(gdev, &gpupart_devs, node)
		if (__gpupart_dda_free(gdev))
			return gdev;
	gpupart_refuse(NULL, extack, "no GPU in mode dda is free");
	return ERR_PTR(-ENOSPC);
}

/*
 * Taken back from the passthrough driver by return_work, which owns a
 * reference on the record and on gpupart until it is done.
 */
static void __gpupart_dda_return(struct gpupart_dev *gdev)
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
	if (drv && !strcmp(drv, KBUILD_MODNAME))
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
	if (!was)
		return;
	pci_info(gdev->pdev, "back from %s, reset: out of PCIe error recovery\n",
		 gpupart_passthrough);
	gdev->error = 0;
	__gpupart_nl_dev_error(gdev, GPUPART_ERROR_RECOVERED);
}

/*
 * The end of a handover: the record goes where the PF is. A VM's claim
 * stands only where the passthrough driver has the GPU for it; elsewhere
 * it is dropped, silently, since the VM was never told it had the GPU.
 * Context: the PF's device lock and gpupart_lock held.
 * Return: the record's new state; gone means the caller is to drop it,
 * with no lock held (new: it was gone already, nothing to drop).
 */
static u32 __gpupart_dda_settle(struct gpupart_dev *gdev, struct gpupart_vm *vm)
{
	u32 state = __gpupart_dda_where(gdev, vm);

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
 * Claim @gdev for @name, which may hold whole GPUs already: the VM is
 * referenced for the caller, who hands the GPU over with no lock held.
 */
static struct gpupart_vm *__gpupart_dda_claim(const char *name,
					      struct gpupart_dev *want,
					      struct gpupart_dev **gdevp,
					      struct netlink_ext_ack *extack)
{
	struct gpupart_vm *vm = __gpupart_vm_find(name);
	struct gpupart_dev *gdev;

	lockdep_assert_held(&gpupart_lock);
	if (vm && vm->kind == GPUPART_KIND_PARTITION) {
		gpupart_refuse(NULL, extack,
			       "VM %s holds a partition; it cannot also hold a whole GPU",
			       name);
		return ERR_PTR(-EBUSY);
	}
	gdev = __gpupart_dda_pick(want, extack);
	if (IS_ERR(gdev))
		return ERR_CAST(gdev);
	if (!vm)
		vm = __gpupart_vm_new(name, GPUPART_KIND_DDA);
	if (!vm) {
		gpupart_refuse(NULL, extack, "out of memory");
		return ERR_PTR(-ENOMEM);
	}
	gdev->dda_vm = vm;
	__gpupart_vm_hold(vm);
	__gpupart_dev_set_state(gdev, GPUPART_DEV_GIVING);
	*gdevp = __gpupart_dev_get(gdev);
	return __gpupart_vm_get(vm);
}

/*
 * The claim is made under the PF's device lock, which remove() holds from
 * its "not a handover" to its forgetting the record: no claim comes in
 * between. The GPU is chosen first (@want, or the first free one), then
 * claimed if it is still free once its lock is held; when any GPU would
 * do and another request took that one meanwhile, the choice is made
 * again.
 */
static struct gpupart_vm *gpupart_dda_claim(const char *name, struct gpupart_dev *want,
					    struct gpupart_dev **gdevp,
					    struct netlink_ext_ack *extack)
{
	struct gpupart_dev *cand;
	struct gpupart_vm *vm;

	for (;;) {
		mutex_lock(&gpupart_lock);
		cand = __gpupart_dda_pick(want, extack);
		if (!IS_ERR(cand))
			__gpupart_dev_get(cand);
		mutex_unlock(&gpupart_lock);
		if (IS_ERR(cand))
			return ERR_CAST(cand);
		device_lock(&cand->pdev->dev);
		mutex_lock(&gpupart_lock);
		/* Taken meanwhile, by a request that got on: choose again. */
		if (!want && !__gpupart_dda_free(cand))
			vm = ERR_PTR(-EAGAIN);
		else
			vm = __gpupart_dda_claim(name, cand, gdevp, extack);
		mutex_unlock(&gpupart_lock);
		device_unlock(&cand->pdev->dev);
		gpupart_dev_put(cand);
		if (PTR_ERR(vm) != -EAGAIN)
			return vm;
	}
}

/**
 * gpupart_vm_assign_dda() - give a VM a whole GPU
 * @name: a valid VM name
 * @want: the GPU wanted (referenced by the request), or NULL for any GPU
 *	in mode dda that is free
 * @reply: the VM_ASSIGN reply, filled in the critical section that
 *	records the assignment, so it says what was assigned
 * @info: the request
 *
 * A VM may hold several whole GPUs, but not a partition too. When the
 * passthrough driver does not take the PF, gpupart takes it back and
 * nothing changed.
 *
 * Context: no lock held; sleeps on the PF's device lock, to claim the GPU,
 * in the driver core, and to read where the handover ended; remove()
 * never waits for a handover, nor for the GPU's mode_lock when it is one.
 * Return: 0; -ENOENT when the passthrough driver is not loaded; -EBUSY,
 * -EINVAL or -ENOSPC from the choice; -EIO when the handover failed;
 * -ENODEV when the GPU went away meanwhile.
 */
int gpupart_vm_assign_dda(const char *name, struct gpupart_dev *want,
			  struct sk_buff *reply, struct genl_info *info)
{
	struct netlink_ext_ack *extack = info->extack;
	struct gpupart_dev *gdev = NULL;
	struct gpupart_vm *vm;
	struct pci_dev *pdev;
	u32 state;
	int rc;

	if (!gpupart_passthrough[0] || !driver_find(gpupart_passthrough, &pci_bus_type)) {
		gpupart_refuse(NULL, extack, "passthrough driver %s is not loaded",
			       gpupart_passthrough[0] ? gpupart_passthrough : "(none set)");
		return -ENOENT;
	}
	vm = gpupart_dda_claim(name, want, &gdev, extack);
	if (IS_ERR(vm))
		return PTR_ERR(vm);
	pdev = gdev->pdev;
	/* The fault tests land a PCIe error here (handover_delay_ms). */
	if (READ_ONCE(gpupart_handover_delay_ms))
		msleep(READ_ONCE(gpupart_handover_delay_ms));

	rc = gpupart_pci_handover(gdev, gpupart_passthrough);
	if (rc)
		/* Back to gpupart; probe() finds the record. */
		gpupart_pci_handover(gdev, KBUILD_MODNAME);

	device_lock(&pdev->dev);
	mutex_lock(&gpupart_lock);
	state = __gpupart_dda_settle(gdev, vm);
	switch (state) {
	case GPUPART_DEV_PASSED:
		rc = __gpupart_nl_vm_assigned(reply, info, vm, gdev);
		break;
	case GPUPART_DEV_HOST:
		gpupart_refuse(pdev, extack, "%s did not take %s (%d); it stays with the host",
			       gpupart_passthrough, pci_name(pdev), rc);
		rc = -EIO;
		break;
	case GPUPART_DEV_RETURNING:
		/* A fatal PCIe error meanwhile revoked the VM's claim. */
		gpupart_refuse(pdev, extack, "%s failed while it was handed over; it is taken back",
			       pci_name(pdev));
		rc = -EIO;
		break;
	case GPUPART_DEV_STRANDED:
		gpupart_refuse(pdev, extack,
			       "%s did not take %s (%d), nor did gpupart take it back",
			       gpupart_passthrough, pci_name(pdev), rc);
		rc = -EIO;
		break;
	default:
		gpupart_refuse(pdev, extack, "%s was removed while it was handed over",
			       pci_name(pdev));
		rc = -ENODEV;
		break;
	}
	mutex_unlock(&gpupart_lock);
	device_unlock(&pdev->dev);
	if (state == GPUPART_DEV_GONE)
		gpupart_dev_drop(gdev);
	gpupart_dev_put(gdev);
	gpupart_vm_put(vm);
	return rc;
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
	 * A host driver (gpupart itself, after a handover that ended with an
	 * error) is no VMM, but would count as one: it goes first. Then not
	 * while a VMM still has it: see gpupart_in_use() and part.c.
	 */
	if (gpupart_host_driver(pdev))
		device_release_driver(&pdev->dev);
	if (gpupart_in_use(pdev)) {
		gpupart_queue(&gdev->return_work, HZ);
		return;
	}
	/* The tests unplug the GPU here (handover_delay_ms). */
	if (READ_ONCE(gpupart_handover_delay_ms))
		msleep(READ_ONCE(gpupart_handover_delay_ms));
	device_release_driver(&pdev->dev);
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
	rc = gpupart_pci_handover(gdev, KBUILD_MODNAME);
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

/* Whether a whole GPU is being handed over to @vm: released only after. */
static bool __gpupart_dda_giving(const struct gpupart_vm *vm)
{
	const struct gpupart_dev *gdev;

	lockdep_assert_held(&gpupart_lock);
	list_for_each_entry(gdev, &gpupart_devs, node)
		if (gdev->state == GPUPART_DEV_GIVING && gdev->dda_vm == vm)
			return true;
	return false;
}

/**
 * gpupart_vm_release() - release everything a VM holds
 * @name: the VM's name, valid
 * @extack: for the reason of a refusal
 *
 * Nothing waits for its last tenant here: its partition is releasing
 * (part.c), its whole GPUs are released to their return_work, which takes
 * them back from the passthrough driver, resets them and returns them to
 * the host. The VM leaves the registry at once. The monitor hears what it
 * held first.
 *
 * Context: no lock held.
 * Return: 0, -ENOENT when the VM holds nothing, -EBUSY while one of its
 * GPUs is still being handed over to it.
 */
int gpupart_vm_release(const char *name, struct netlink_ext_ack *extack)
{
	struct gpupart_dev *gdev;
	struct gpupart_vm *vm;

	mutex_lock(&gpupart_lock);
	vm = __gpupart_vm_find(name);
	if (!vm) {
		mutex_unlock(&gpupart_lock);
		gpupart_refuse(NULL, extack, "VM %s holds nothing", name);
		return -ENOENT;
	}
	if (__gpupart_dda_giving(vm)) {
		mutex_unlock(&gpupart_lock);
		gpupart_refuse(NULL, extack, "a GPU is being handed to VM %s; try again", name);
		return -EBUSY;
	}
	/* The event says what it held, so it goes before the release. */
	__gpupart_nl_vm_notify(vm, NULL, GPUPART_CMD_VM_RELEASE_NTF);
	if (vm->kind == GPUPART_KIND_PARTITION) {
		__gpupart_vm_release_partition(vm);
		mutex_unlock(&gpupart_lock);
		return 0;
	}
	/* Referenced: its last GPU takes it out of the registry. */
	__gpupart_vm_get(vm);
	list_for_each_entry(gdev, &gpupart_devs, node) {
		if (gdev->dda_vm != vm)
			continue;
		gdev->dda_vm = NULL;
		__gpupart_dda_return(gdev);
		__gpupart_vm_unhold(vm);
	}
	mutex_unlock(&gpupart_lock);
	gpupart_vm_put(vm);
	return 0;
}

/**
 * gpupart_dda_probe() - the record kept for a GPU coming back to gpupart
 * @pdev: the PF being probed, its device lock held
 *
 * Within a handover the handover's end moves the record on. Outside one
 * the GPU was bound to gpupart by hand: it is reset, as a return would
 * have reset it, and the VM it was passed to, if any, loses it.
 *
 * Return: the record, or NULL for a new GPU.
 */
struct gpupart_dev *gpupart_dda_probe(struct pci_dev *pdev)
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
	rc = pci_reset_function_locked(pdev);
	if (rc)
		pci_warn(pdev, "reset as it came back from %s failed (%d)\n",
			 gpupart_passthrough, rc);
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

/*
 * The bus notifier cannot take gpupart_lock (it runs under the notifier
 * rwsem, which pci_enable_sriov() takes under a GPU's mode_lock), so it
 * schedules this work. The rescan/remove lock, taken first with nothing
 * held, makes the work wait until the removal is complete.
 */
static void gpupart_gone_work_fn(struct work_struct *work)
{
	struct gpupart_dev *gdev, *tmp;
	LIST_HEAD(gone);

	pci_lock_rescan_remove();
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
			pci_warn(pdev, "not bound to gpupart at unload; left reserved for gpupart (driver_override)\n");
			gpupart_set_driver_override(pdev, KBUILD_MODNAME);
		}
		list_del_init(&gdev->node);
		gpupart_dev_drop(gdev);
	}
}
