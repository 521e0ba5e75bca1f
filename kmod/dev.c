// SPDX-License-Identifier: GPL-2.0
/*
 * A GPU record's life: its states and the one writer of them, its entry
 * into the registry, and its end: what its VMs lose and are told when it
 * goes or fails (revoked), and the record forgotten and dropped. Finding
 * a record and counting its references are the registry's (core.c); the
 * steps a handover makes are dda.c's, the partitions' part.c's.
 */
#include <linux/pci.h>
#include <linux/workqueue.h>

#include "gpupart.h"

/* Domain, bus and devfn in one number that sorts as the PCI address does. */
static u64 gpupart_dev_key(const struct gpupart_dev *gdev)
{
	const struct pci_dev *pdev = gdev->pdev;

	return (u64)pci_domain_nr(pdev->bus) << 16 |
	       pdev->bus->number << 8 | pdev->devfn;
}

/*
 * A GPU record's life. Who has the PF decides; a handover (dda.c) moves
 * it from gpupart to the passthrough driver and back, and where it ended
 * is read off the PF under its device lock, never inferred from what the
 * handover's calls returned.
 *
 *   new        --> host        probed
 *   host       --> giving      claimed for a VM (DDA)
 *   giving     --> passed      the passthrough driver has it for its VM
 *              --> returning   it has it, but the VM lost its claim meanwhile
 *              --> host        gpupart has it again: the handover failed
 *              --> stranded    nobody has it
 *   passed     --> returning   released
 *              --> host        bound to gpupart by hand: reset, VM revoked
 *   returning  --> host        taken back and reset
 *              --> stranded    gpupart could not take it back
 *   stranded   --> host        bound to gpupart by hand
 *   host, passed, stranded --> gone    deleted, unbound outside a
 *                                      handover, or gpupart unloaded
 *   giving, returning      --> gone    deleted while handed over
 *
 * dev_fsm.h holds the table; selftests/host/fsm_test.sh checks it.
 */

/**
 * __gpupart_dev_set_state() - move a GPU's record to a new state
 * @gdev: the record
 * @state: enum gpupart_dev_state
 *
 * The one writer of a record's state. A step dev_fsm.h does not allow is
 * refused, with a warning: it is a bug in gpupart. Callers send the
 * events, which depend on why the record moved.
 *
 * Context: caller holds gpupart_lock.
 * Return: 0, or -EINVAL for a step that is not allowed.
 */
int __gpupart_dev_set_state(struct gpupart_dev *gdev, u32 state)
{
	lockdep_assert_held(&gpupart_lock);
	if (WARN(!gpupart_dev_may(gdev->state, state),
		 "gpupart: %s: %u -> %u is not a step of a GPU's life\n",
		 pci_name(gdev->pdev), gdev->state, state))
		return -EINVAL;
	gdev->state = state;
	/* A claim, a handover's end, a return: what a dump shows changed. */
	__gpupart_changed();
	return 0;
}

/**
 * __gpupart_dev_add() - put a probed GPU's record in the registry
 * @gdev: the record, fully initialised; the registry takes its reference
 *
 * The registry is kept sorted by PCI address so that dumps, and every
 * choice that breaks ties by address, are stable.
 *
 * Context: caller holds gpupart_lock.
 */
void __gpupart_dev_add(struct gpupart_dev *gdev)
{
	struct gpupart_dev *pos;

	lockdep_assert_held(&gpupart_lock);
	list_for_each_entry(pos, &gpupart_devs, node)
		if (gpupart_dev_key(pos) > gpupart_dev_key(gdev))
			break;
	list_add_tail(&gdev->node, &pos->node);
	/* The step to host tells a dump under way (__gpupart_changed()). */
	__gpupart_dev_set_state(gdev, GPUPART_DEV_HOST);
}

/**
 * gpupart_dev_drop() - the registry lets go of a forgotten record
 * @gdev: the record, out of the registry and gone
 *
 * Its work items are waited for (none can be queued again: gone); then
 * the registry's reference goes.
 *
 * Context: no gpupart lock held: the work items take gpupart_lock.
 */
void gpupart_dev_drop(struct gpupart_dev *gdev)
{
	/* Its partitions, and their resets, went when remove() ran. */
	cancel_delayed_work_sync(&gdev->watch_work);
	cancel_work_sync(&gdev->err_work);
	gpupart_dev_put(gdev);
}

/**
 * __gpupart_dev_revoke() - take back what VMs hold of a GPU that is lost
 * @gdev: the device, going away or failed
 * @reason: enum gpupart_revoke_reason, for the event
 *
 * remove() cannot refuse, so every VM holding part of the GPU loses it and
 * is told, once, with the reason: its orchestrator restarts it elsewhere.
 * A revoked partition is released as any other: its VMM may still have it
 * open, and nobody gets it before it let go and the partition was reset.
 *
 * Context: caller holds gpupart_lock.
 */
void __gpupart_dev_revoke(struct gpupart_dev *gdev, u32 reason)
{
	struct gpupart_vm *vm;
	u32 i;

	lockdep_assert_held(&gpupart_lock);
	for (i = 0; i < gdev->count; i++) {
		vm = gdev->parts[i].vm;
		if (!vm)
			continue;
		__gpupart_nl_vm_revoke(vm, gdev, reason);
		vm->part = NULL;
		__gpupart_part_release(&gdev->parts[i]);
		__gpupart_vm_unhold(vm);
	}
	vm = gdev->dda_vm;
	if (vm) {
		__gpupart_nl_vm_revoke(vm, gdev, reason);
		gdev->dda_vm = NULL;
		__gpupart_vm_unhold(vm);
	}
}

/**
 * __gpupart_dev_forget() - take a record out of service for good
 * @gdev: the record, in the registry
 * @reason: enum gpupart_revoke_reason, for its VMs
 *
 * Listeners are told, with the device as it was; every VM holding part of
 * it loses that, and is told. The caller unlinks @gdev->node (it may keep
 * it on a list of its own) and then calls gpupart_dev_drop().
 *
 * Context: caller holds gpupart_lock.
 */
void __gpupart_dev_forget(struct gpupart_dev *gdev, u32 reason)
{
	lockdep_assert_held(&gpupart_lock);
	__gpupart_dev_set_state(gdev, GPUPART_DEV_GONE);
	__gpupart_nl_dev_notify(gdev, GPUPART_CMD_DEV_DEL_NTF);
	__gpupart_dev_revoke(gdev, reason);
}
