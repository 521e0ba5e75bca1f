// SPDX-License-Identifier: GPL-2.0
/*
 * What VMs are given and give back: one partition, or whole GPUs (DDA),
 * never both. Partitions are chosen by the kernel, by the host's
 * placement policy, or given back to the VM that held them when a saved
 * configuration is restored; a whole GPU is the one named or the first
 * free one, handed over to the passthrough driver by dda.c. Releasing a
 * VM lets go of either kind; what follows (a partition's scrub, a whole
 * GPU's return) runs in the background.
 */
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/pci.h>
#include <linux/string.h>

#include "gpupart.h"

/* A partitioned GPU that may give a partition to a new VM. */
static bool __gpupart_takes_tenants(const struct gpupart_dev *gdev)
{
	lockdep_assert_held(&gpupart_lock);
	return gdev->mode == GPUPART_MODE_PARTITION && !gpupart_dev_gone(gdev) &&
	       !gpupart_in_error(gdev);
}

/*
 * The partition placement chooses: on the partitioned GPU with the most
 * (spread) or fewest (pack) free ones; the list is sorted by PCI address
 * and only a strictly better GPU replaces the one found first, which
 * breaks ties by address.
 */
static struct gpupart_partition *__gpupart_pick(void)
{
	const struct device_driver *drv;
	struct gpupart_partition *best = NULL, *first;
	u32 best_free = 0, free, i;
	struct gpupart_dev *gdev;

	lockdep_assert_held(&gpupart_lock);
	list_for_each_entry(gdev, &gpupart_devs, node) {
		if (!__gpupart_takes_tenants(gdev))
			continue;
		drv = gpupart_passthrough_drv(gdev);
		/* Readiness can change meanwhile: the first is kept as counted. */
		for (first = NULL, free = 0, i = 0; i < gdev->count; i++) {
			if (!gpupart_part_ready(&gdev->parts[i], drv))
				continue;
			if (!free++)
				first = &gdev->parts[i];
		}
		if (!free)
			continue;
		if (!best || (gpupart_placement == GPUPART_PLACEMENT_PACK ?
			      free < best_free : free > best_free)) {
			best = first;
			best_free = free;
		}
	}
	return best;
}

/*
 * The partition at VF @vf, if it can be given out: the one a restore asks
 * for. With @exact, say why not in @extack: no other will do.
 */
static struct gpupart_partition *__gpupart_pick_vf(const char *vf, bool exact,
						   struct netlink_ext_ack *extack)
{
	static const char *const state[] = {
		[GPUPART_PARTITION_STATE_ASSIGNED] = "assigned",
		[GPUPART_PARTITION_STATE_RELEASING] = "releasing",
		[GPUPART_PARTITION_STATE_SCRUBBING] = "scrubbing",
		[GPUPART_PARTITION_STATE_QUARANTINED] = "quarantined",
	};
	struct gpupart_partition *p;
	struct gpupart_dev *gdev;
	u32 i;

	lockdep_assert_held(&gpupart_lock);
	list_for_each_entry(gdev, &gpupart_devs, node) {
		for (i = 0; i < gdev->count; i++) {
			p = &gdev->parts[i];
			if (strcmp(pci_name(p->vf), vf))
				continue;
			if (__gpupart_takes_tenants(gdev) &&
			    gpupart_part_ready(p, gpupart_passthrough_drv(gdev)))
				return p;
			if (!exact)
				return NULL;
			if (!__gpupart_takes_tenants(gdev))
				gpupart_refuse(gdev->pdev, extack,
					       "VF %s is not free: its GPU takes no VM now", vf);
			else if (p->state != GPUPART_PARTITION_STATE_FREE)
				gpupart_refuse(gdev->pdev, extack, "VF %s is not free: it is %s",
					       vf, state[p->state]);
			else
				gpupart_refuse(gdev->pdev, extack,
					       "VF %s is not free: it is not bound to %s",
					       vf, gdev->vf_driver);
			return NULL;
		}
	}
	if (exact)
		gpupart_refuse(NULL, extack, "VF %s is no partition of a partitioned GPU", vf);
	return NULL;
}

/*
 * Whether free partition @p's VF answers; one that does not is quarantined
 * (an administrator clears it): a reset of its PF that gpupart did not see
 * took it, VF Enable still set, and its PF's driver did not bring it back
 * (nvme's reset_done on QEMU's NVMe does not). No VM gets a dead VF.
 */
static bool __gpupart_part_answers(struct gpupart_partition *p)
{
	lockdep_assert_held(&gpupart_lock);
	if (gpupart_vf_answers(p->vf))
		return true;
	pci_warn(p->vf, "does not answer, free as it was: quarantined\n");
	__gpupart_part_set(p, GPUPART_PARTITION_STATE_QUARANTINED);
	return false;
}

/* "No free partition", with the numbers an operator needs. */
static void __gpupart_refuse_full(struct netlink_ext_ack *extack)
{
	u32 gpus = 0, parts = 0, n[GPUPART_PARTITION_STATE_MAX + 1] = { 0 }, i;
	const char *vf_driver = NULL;
	struct gpupart_dev *gdev;

	lockdep_assert_held(&gpupart_lock);
	list_for_each_entry(gdev, &gpupart_devs, node) {
		if (gdev->mode != GPUPART_MODE_PARTITION)
			continue;
		/* One model, so one VF driver, unless adoption brought another. */
		if (!vf_driver)
			vf_driver = gdev->vf_driver;
		gpus++;
		parts += gdev->count;
		for (i = 0; i < gdev->count; i++)
			n[gdev->parts[i].state]++;
	}
	if (!gpus)
		gpupart_refuse(NULL, extack,
			       "no GPU is partitioned; set one to mode partition first");
	else if (n[GPUPART_PARTITION_STATE_ASSIGNED] == parts)
		gpupart_refuse(NULL, extack, "all %u partitions on %u GPUs are assigned",
			       parts, gpus);
	else if (n[GPUPART_PARTITION_STATE_FREE])
		gpupart_refuse(NULL, extack, "no free partition: %u free VFs are not bound to %s",
			       n[GPUPART_PARTITION_STATE_FREE], vf_driver);
	else
		gpupart_refuse(NULL, extack,
			       "no free partition: %u assigned, %u releasing, %u scrubbing, %u quarantined",
			       n[GPUPART_PARTITION_STATE_ASSIGNED],
			       n[GPUPART_PARTITION_STATE_RELEASING],
			       n[GPUPART_PARTITION_STATE_SCRUBBING],
			       n[GPUPART_PARTITION_STATE_QUARANTINED]);
}

/**
 * __gpupart_vm_assign_partition() - give a VM one free partition
 * @name: a valid VM name
 * @restore_vf: NULL, or the VF of the partition a restored configuration
 *	gives the VM; taken when it is free, else placement chooses
 * @exact: with @restore_vf, that partition or none
 * @extack: for the reason of a refusal
 * @vmp: set to the VM, which holds the partition in @vmp->part
 *
 * Placement chooses the partition, except when a configuration is being
 * restored: VM definitions name their partition's VF by PCI address, so
 * the VM gets the same one back where it can.
 *
 * Context: caller holds gpupart_lock.
 * Return: 0; -EEXIST when the VM already holds a partition, -EBUSY when it
 * holds whole GPUs or the exact partition asked for is not free, -ENOSPC
 * when no partition is free, -ENOMEM.
 */
int __gpupart_vm_assign_partition(const char *name, const char *restore_vf,
				  bool exact, struct netlink_ext_ack *extack,
				  struct gpupart_vm **vmp)
{
	struct gpupart_vm *vm = __gpupart_vm_find(name);
	struct gpupart_partition *p = NULL;

	lockdep_assert_held(&gpupart_lock);
	if (vm && vm->kind == GPUPART_KIND_DDA) {
		gpupart_refuse(NULL, extack,
			       "VM %s holds whole GPUs; it cannot also hold a partition",
			       name);
		return -EBUSY;
	}
	if (vm) {
		gpupart_refuse(NULL, extack, "VM %s already holds partition %u of %s",
			       name, vm->part->index, pci_name(vm->part->gdev->pdev));
		return -EEXIST;
	}
	if (restore_vf) {
		p = __gpupart_pick_vf(restore_vf, exact, extack);
		if (p && !__gpupart_part_answers(p)) {
			if (exact) {
				gpupart_refuse(p->gdev->pdev, extack,
					       "VF %s does not answer: quarantined", restore_vf);
				return -EBUSY;
			}
			p = NULL;
		}
	}
	if (!p && exact)
		return -EBUSY;
	while (!p) {
		p = __gpupart_pick();
		if (!p)
			break;
		if (!__gpupart_part_answers(p))
			p = NULL;
	}
	if (!p) {
		__gpupart_refuse_full(extack);
		return -ENOSPC;
	}
	vm = __gpupart_vm_new(name, GPUPART_KIND_PARTITION);
	if (!vm) {
		gpupart_refuse(NULL, extack, "out of memory");
		return -ENOMEM;
	}
	__gpupart_part_set(p, GPUPART_PARTITION_STATE_ASSIGNED);
	p->vm = vm;
	vm->part = p;
	__gpupart_vm_hold(vm);
	*vmp = vm;
	return 0;
}

/**
 * __gpupart_vm_release_partition() - a VM lets go of its partition
 * @vm: the VM, of kind partition; it leaves the registry
 *
 * The partition is releasing: free only once whoever has its VF open let
 * go of it and it was reset, off the caller's path (part.c).
 *
 * Context: caller holds gpupart_lock.
 */
void __gpupart_vm_release_partition(struct gpupart_vm *vm)
{
	struct gpupart_partition *p = vm->part;

	lockdep_assert_held(&gpupart_lock);
	if (!p)
		return;
	vm->part = NULL;
	__gpupart_part_release(p);
	__gpupart_vm_unhold(vm);
}

/* A GPU in mode dda that gpupart has and no VM holds, healthy. */
static bool __gpupart_dda_free(const struct gpupart_dev *gdev)
{
	lockdep_assert_held(&gpupart_lock);
	return gdev->mode == GPUPART_MODE_DDA && !gdev->dda_vm && !gdev->unadopted &&
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
		/* A VM would get their PF: they are no VM's until adopted. */
		if (want->unadopted) {
			gpupart_refuse(want->pdev, extack,
				       "%s has %u VFs enabled via %s; set mode none first",
				       pci, want->unadopted, want->home);
			return ERR_PTR(-EBUSY);
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
 * @extack: for the reason of a refusal
 * @assigned: called in the critical section that records the assignment
 *	(gpupart_lock held), so that the reply it builds says what was
 *	assigned; its error is returned
 * @arg: for @assigned
 *
 * A VM may hold several whole GPUs, but not a partition too. When the
 * passthrough driver does not take the PF, gpupart takes it back and
 * nothing changed.
 *
 * Context: no lock held; sleeps on the PF's device lock, to claim the GPU,
 * in the driver core, and to read where the handover ended; remove()
 * never waits for a handover, nor for the GPU's mode_lock when it is one.
 * Return: 0 or @assigned's error; -ENOENT when the passthrough driver is
 * not loaded; -EBUSY,
 * -EINVAL or -ENOSPC from the choice; -EIO when the handover failed;
 * -ENODEV when the GPU went away meanwhile.
 */
int gpupart_vm_assign_dda(const char *name, struct gpupart_dev *want,
			  struct netlink_ext_ack *extack,
			  int (*assigned)(void *arg, const struct gpupart_vm *vm,
					  const struct gpupart_dev *gdev),
			  void *arg)
{
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
		gpupart_pci_handover(gdev, gdev->home);

	device_lock(&pdev->dev);
	mutex_lock(&gpupart_lock);
	state = __gpupart_dda_settle(gdev, vm);
	switch (state) {
	case GPUPART_DEV_PASSED:
		rc = assigned(arg, vm, gdev);
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
