// SPDX-License-Identifier: GPL-2.0
/*
 * DDA: a whole GPU passed through to one VM. The PF leaves the host: it is
 * handed to the passthrough driver (vfio-pci) and taken back on release,
 * reset, before it rejoins the host. gpupart keeps the GPU's record while
 * the PF is bound to the passthrough driver, so the GPU cannot be
 * partitioned, or given to another VM, behind the VM's back.
 *
 * Handing over means unbinding gpupart from the PF, which calls remove():
 * no lock of ours may be held, so @moving marks the GPU meanwhile, and
 * remove() and probe() keep and find the record.
 */
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/slab.h>

#include "gpupart.h"

/* A GPU in mode dda that no VM holds: the named one, or the first. */
static struct gpupart_dev *__gpupart_dda_pick(const char *pci, char *why)
{
	struct gpupart_dev *gdev;

	if (pci) {
		gdev = __gpupart_dev_find(pci);
		if (!gdev) {
			WHY("no GPU bound to gpupart at %s", pci);
			return ERR_PTR(-ENODEV);
		}
		if (gdev->mode != GPUPART_MODE_DDA) {
			WHY("%s is not in mode dda; set it first", pci);
			return ERR_PTR(-EINVAL);
		}
		if (gdev->dda_vm[0] || gdev->moving || gdev->dying) {
			WHY("%s is held by VM %s", pci, gdev->dda_vm);
			return ERR_PTR(-EBUSY);
		}
		if (gpupart_in_error(gdev)) {
			WHY("%s is out of service after a PCIe error", pci);
			return ERR_PTR(-EIO);
		}
		return gdev;
	}
	list_for_each_entry(gdev, &gpupart_devs, node)
		if (gdev->mode == GPUPART_MODE_DDA && !gdev->dda_vm[0] &&
		    !gdev->moving && !gdev->dying && !gpupart_in_error(gdev))
			return gdev;
	WHY("no GPU in mode dda is free");
	return ERR_PTR(-ENOSPC);
}

/*
 * The end of a handover, under gpupart_lock: the PF may have been deleted
 * while it moved, when neither remove() nor gone_work could forget it.
 * Return: true when the caller is to drop the record.
 */
static bool __gpupart_dda_settle(struct gpupart_dev *gdev)
{
	gdev->moving = false;
	if (!__gpupart_dev_gone(gdev))
		return false;
	__gpupart_dev_forget(gdev, GPUPART_REVOKE_REASON_DEVICE_REMOVED);
	list_del_init(&gdev->node);
	return true;
}

/**
 * gpupart_vm_assign_dda() - give a VM a whole GPU
 * @name: a valid VM name
 * @pci: the GPU wanted, or NULL for any GPU in mode dda that is free
 * @why: GPUPART_EXTACK_LEN bytes for the reason of a refusal
 * @reply: the VM_ASSIGN reply, filled in the critical section that
 *	records the assignment, so it says what was assigned
 * @info: the request
 *
 * A VM may hold several whole GPUs, but not a partition too. When the
 * passthrough driver does not take the PF, gpupart takes it back and
 * nothing changed.
 *
 * Context: no lock held; sleeps on the PF's device lock in the driver core,
 * which remove() never holds while it waits for a handover.
 * Return: 0; -ENOENT when the passthrough driver is not loaded; -EBUSY,
 * -EINVAL, -ENODEV or -ENOSPC from the choice; -EIO when the handover
 * failed; -ENODEV when the GPU went away meanwhile.
 */
int gpupart_vm_assign_dda(const char *name, const char *pci, char *why,
			  struct sk_buff *reply, struct genl_info *info)
{
	struct gpupart_dev *gdev;
	struct gpupart_vm *vm;
	struct pci_dev *pdev;
	int rc, back = 0;
	bool gone;

	if (!gpupart_passthrough[0] || !driver_find(gpupart_passthrough, &pci_bus_type)) {
		WHY("passthrough driver %s is not loaded",
		    gpupart_passthrough[0] ? gpupart_passthrough : "(none set)");
		return -ENOENT;
	}
	mutex_lock(&gpupart_lock);
	vm = __gpupart_vm_find(name);
	if (vm && vm->kind == GPUPART_KIND_PARTITION) {
		WHY("VM %s holds a partition; it cannot also hold a whole GPU", name);
		rc = -EBUSY;
		goto out_unlock;
	}
	gdev = __gpupart_dda_pick(pci, why);
	if (IS_ERR(gdev)) {
		rc = PTR_ERR(gdev);
		goto out_unlock;
	}
	if (!vm && !__gpupart_vm_add(name, GPUPART_KIND_DDA)) {
		WHY("out of memory");
		rc = -ENOMEM;
		goto out_unlock;
	}
	strscpy(gdev->dda_vm, name, sizeof(gdev->dda_vm));
	gdev->moving = true;
	__gpupart_dev_get(gdev);
	pdev = gdev->pdev;
	mutex_unlock(&gpupart_lock);

	rc = gpupart_pci_handover(pdev, gpupart_passthrough);
	if (rc)
		/* Back to gpupart; probe() finds the record. */
		back = gpupart_pci_handover(pdev, KBUILD_MODNAME);

	mutex_lock(&gpupart_lock);
	/* Not gpupart's now: the passthrough driver's, or nobody's. */
	gdev->passed = !rc || back;
	vm = __gpupart_vm_find(name);
	if (rc && back)
		WHY("%s did not take %s (%d), nor did gpupart take it back",
		    gpupart_passthrough, pci_name(pdev), rc);
	else if (rc)
		WHY("%s did not take %s (%d); it stays with the host",
		    gpupart_passthrough, pci_name(pdev), rc);
	/* A fatal PCIe error meanwhile revoked the VM's claim. */
	if (!rc && (strcmp(gdev->dda_vm, name) || !vm)) {
		WHY("%s failed while it was handed over", pci_name(pdev));
		rc = -EIO;
	}
	if (rc) {
		if (!strcmp(gdev->dda_vm, name))
			gdev->dda_vm[0] = '\0';
		if (vm && !__gpupart_vm_holds(vm))
			__gpupart_vm_del(vm);
	}
	gone = __gpupart_dda_settle(gdev);
	if (gone && !rc) {
		WHY("%s was removed while it was handed over", pci_name(pdev));
		rc = -ENODEV;
	}
	if (!rc)
		rc = __gpupart_nl_vm_assigned(reply, info, vm, gdev);
	mutex_unlock(&gpupart_lock);
	if (gone)
		gpupart_dev_drop(gdev);
	gpupart_dev_put(gdev);
	return rc;

out_unlock:
	mutex_unlock(&gpupart_lock);
	return rc;
}

/**
 * gpupart_dda_return() - take a released whole GPU back from its VM
 * @gdev: the GPU, marked @moving by the caller with its VM released; the
 *	caller holds a reference
 *
 * The passthrough driver lets go of the PF, which is reset (a failed reset
 * is logged: the GPU rejoins the host regardless, as nothing else could
 * use it) and bound to gpupart again. A PF deleted meanwhile is forgotten.
 *
 * Context: no lock held; sleeps on the PF's device lock, see
 * gpupart_vm_assign_dda().
 */
void gpupart_dda_return(struct gpupart_dev *gdev)
{
	struct pci_dev *pdev = gdev->pdev;
	bool gone;
	int rc;

	device_release_driver(&pdev->dev);
	rc = pci_reset_function(pdev);
	if (rc && device_is_registered(&pdev->dev))
		pci_warn(pdev, "reset after DDA failed (%d)\n", rc);
	rc = gpupart_pci_handover(pdev, KBUILD_MODNAME);
	if (rc && device_is_registered(&pdev->dev))
		pci_warn(pdev, "could not take the GPU back from %s\n",
			 gpupart_passthrough);

	mutex_lock(&gpupart_lock);
	gdev->dda_vm[0] = '\0';
	/* probe() cleared it when gpupart took the GPU back. */
	gdev->passed = rc != 0;
	gone = __gpupart_dda_settle(gdev);
	if (!gone)
		__gpupart_nl_dev_notify(gdev, GPUPART_CMD_DEV_CHANGE_NTF);
	mutex_unlock(&gpupart_lock);
	if (gone)
		gpupart_dev_drop(gdev);
}
