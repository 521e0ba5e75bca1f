// SPDX-License-Identifier: GPL-2.0
/*
 * A partition's life. A partition reaches a VM only when nothing of its
 * last tenant can still touch it: its VF is no longer open through its
 * driver, and it was reset since. Every change of its state goes through
 * __gpupart_part_set(), which refuses any step the table in part_fsm.h
 * does not allow:
 *
 *          (enabled)        (found enabled at probe)
 *              |                      |
 *              v                      v
 *   +------> free ---assign---> assigned ---release, revoke---> releasing
 *   |          |                                                 |  |
 *   |     PCIe error      +---- clear, recovered ----------------+  |
 *   |          v          |                                         |
 *   |      quarantined <--+---- reset failed ----+                  |
 *   |          ^                                 |        driver let go
 *   |          +-- found marked at probe, -+     |                  |
 *   |              group shared                  |                  |
 *   |                                            |                  v
 *   +--------------- reset worked ------------- scrubbing <---------+
 *
 * Releasing: nothing may bind the VF any more (driver_override
 * "gpupart-releasing"), and gpupart waits until no VMM has it: until it
 * can take the DMA ownership of the VF's IOMMU group itself, which a
 * VMM's VFIO container or iommufd holds while it has the VF; tried once a
 * second (gpupart_own()). Until then the partition is listed as releasing
 * and nobody gets it. Only then is the VF's driver unbound, which returns
 * at once with no user left and no VMM able to come (own.c; on a kernel
 * with VFIO's device cdev, a process that opened the cdev and never bound
 * it still holds the unbind until it closes it): unbinding vfio-pci
 * from a device still in use would ask the VMM to let go and wait for
 * it, holding the VF's device lock all along (stalling the PCI core's AER
 * walks and removals), and on Debian's 6.1 vfio's own teardown then frees
 * the VMM's container under it (vfio_fops_release() reads the IOMMU data
 * that the device's unregistration freed). The VMM's orchestrator stops
 * it: a release follows the VM's end, a revocation is an event. Then the
 * VF is reset with no driver bound (scrubbing), bound to the passthrough
 * driver again and free. A failed reset leaves it with no driver and
 * driver_override "gpupart-quarantined", so that nothing binds it, and so
 * that a later probe, after an unbind or a reload, knows it is
 * quarantined. So is a VF that shares its IOMMU group with another
 * device (gpupart_vf_peer()), which only adoption can bring, at once:
 * it is no VM's alone, whatever a reset would do.
 *
 * The steps after a release run in the partition's own work item, beside
 * every other partition's, on an unbound workqueue: a request never waits
 * for a tenant, and N partitions released together are free again after
 * about one reset. While any partition is releasing or scrubbing, gpupart
 * holds a reference on itself: rmmod says "in use" until the last tenant
 * let go, instead of waiting for it.
 */
#include <linux/delay.h>
#include <linux/error-injection.h>
#include <linux/iommu.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "gpupart.h"
#include "part_fsm.h"

static struct workqueue_struct *gpupart_part_wq;

static atomic_t gpupart_resets_now = ATOMIC_INIT(0);

static void gpupart_resets_count(void)
{
	int now = atomic_inc_return(&gpupart_resets_now);
	int max = atomic_read(&gpupart_resets_max);
	int seen;

	while (now > max) {
		seen = atomic_cmpxchg(&gpupart_resets_max, max, now);
		if (seen == max)
			break;
		max = seen;
	}
}

/**
 * gpupart_vf_answers() - whether a VF answers config reads
 * @vf: the VF
 *
 * A VF's Vendor ID reads all ones by definition (SR-IOV), so this reads
 * its class: all ones there too is no function (its PF's reset took it,
 * VF Enable still set). Does not sleep.
 *
 * Return: true when it answers.
 */
bool gpupart_vf_answers(struct pci_dev *vf)
{
	u32 class;

	return !pci_read_config_dword(vf, PCI_CLASS_REVISION, &class) && class != ~0u;
}

/*
 * A bare FLR, without pci_reset_function()'s save and restore of config
 * space: the next tenant gets the function in its reset state. The device
 * lock keeps drivers out, the config access lock keeps user space out. A
 * VF that is gone or does not answer, or whose PF no longer answers, is
 * not reset: the PCI core would poll it for a minute. Nor is one that a
 * driver is bound to.
 */
static noinline int gpupart_flr(struct pci_dev *vf)
{
	u32 delay = READ_ONCE(gpupart_reset_delay_ms);
	u32 cap = 0;
	int rc;

	if (gpupart_fault(&gpupart_fail_reset))
		return -EIO;
	pcie_capability_read_dword(vf, PCI_EXP_DEVCAP, &cap);
	if (!(cap & PCI_EXP_DEVCAP_FLR) || vf->dev_flags & PCI_DEV_FLAGS_NO_FLR_RESET)
		return -ENOTTY;
	gpupart_resets_count();
	if (delay)
		msleep(delay);
	device_lock(&vf->dev);
	if (!device_is_registered(&vf->dev) || !pci_device_is_present(pci_physfn(vf)) ||
	    !gpupart_vf_answers(vf)) {
		rc = -ENODEV;
	} else if (vf->dev.driver) {
		/* Bound behind gpupart's back: whoever did may have it open. */
		rc = -EBUSY;
	} else {
		pci_cfg_access_lock(vf);
		rc = pcie_flr(vf);
		pci_cfg_access_unlock(vf);
	}
	device_unlock(&vf->dev);
	atomic_dec(&gpupart_resets_now);
	return rc;
}

/* The fault tests fail resets here too (fail_function). */
ALLOW_ERROR_INJECTION(gpupart_flr, ERRNO);

/**
 * __gpupart_part_set() - move a partition to a new state
 * @part: the partition
 * @state: enum gpupart_partition_state
 *
 * The one writer of a partition's state. A step part_fsm.h does not allow
 * is refused, with a warning: it is a bug in gpupart. Listeners hear of
 * the GPU's change, and of a partition that became free or quarantined;
 * a new partition and an assignment are told by their callers.
 *
 * Context: caller holds gpupart_lock.
 * Return: 0, or -EINVAL for a step that is not allowed.
 */
int __gpupart_part_set(struct gpupart_partition *part, u32 state)
{
	u32 from = part->state;

	lockdep_assert_held(&gpupart_lock);
	if (WARN(!gpupart_part_may(from, state),
		 "gpupart: partition %u of %s: %u -> %u is not a step of its life\n",
		 part->index, pci_name(part->gdev->pdev), from, state))
		return -EINVAL;
	part->state = state;
	if (!gpupart_part_busy(from) && gpupart_part_busy(state))
		__module_get(THIS_MODULE);
	else if (gpupart_part_busy(from) && !gpupart_part_busy(state))
		module_put(THIS_MODULE);
	/*
	 * Born with its GPU's mode change, or assigned: those have events of
	 * their own. A GPU out of the registry was announced gone already.
	 */
	if (!from || state == GPUPART_PARTITION_STATE_ASSIGNED || gpupart_dev_gone(part->gdev))
		return 0;
	if (state == GPUPART_PARTITION_STATE_FREE && from == GPUPART_PARTITION_STATE_SCRUBBING)
		__gpupart_nl_part_notify(part->gdev, part->index,
					 GPUPART_CMD_PARTITION_SCRUBBED_NTF);
	else if (state == GPUPART_PARTITION_STATE_QUARANTINED)
		__gpupart_nl_part_notify(part->gdev, part->index,
					 GPUPART_CMD_PARTITION_QUARANTINED_NTF);
	__gpupart_nl_dev_notify(part->gdev, GPUPART_CMD_DEV_CHANGE_NTF);
	return 0;
}

/*
 * Whether @part is still its GPU's and in @state: its GPU may have let go
 * of its partitions (remove(), a mode change) before the work ran.
 */
static bool __gpupart_part_is(struct gpupart_partition *part, u32 state)
{
	struct gpupart_dev *gdev = part->gdev;

	lockdep_assert_held(&gpupart_lock);
	return !gpupart_dev_gone(gdev) && part->index < gdev->count &&
	       &gdev->parts[part->index] == part && part->state == state;
}

/*
 * driver_override marks no driver has the name of, so that nothing binds
 * the VF: while it is released and reset, and after a failed reset. They
 * outlive gpupart's record: a probe that finds a VF enabled resets it,
 * unless it is marked quarantined.
 */
#define GPUPART_RELEASING_MARK "gpupart-releasing"
#define GPUPART_QUARANTINE_MARK "gpupart-quarantined"

/**
 * gpupart_host_driver() - whether a host driver (not a VMM's) has a device
 * @pdev: a VF, or a whole GPU's PF
 *
 * A driver that uses the DMA API (not driver_managed_dma, as vfio-pci
 * is) counts as an owner of the device's IOMMU group, so gpupart_own()
 * is refused while it is bound: it is unbound before that is asked.
 *
 * Context: takes the device's lock.
 * Return: true while such a driver is bound.
 */
bool gpupart_host_driver(struct pci_dev *pdev)
{
	bool host;

	device_lock(&pdev->dev);
	host = pdev->dev.driver && !to_pci_driver(pdev->dev.driver)->driver_managed_dma;
	device_unlock(&pdev->dev);
	return host;
}

struct gpupart_peer {
	struct device *self;
	char *name;
	size_t len;
};

static int gpupart_peer_of(struct device *dev, void *data)
{
	struct gpupart_peer *p = data;

	if (dev == p->self)
		return 0;
	strscpy(p->name, dev_name(dev), p->len);
	return 1;
}

/**
 * gpupart_vf_peer() - another device in a VF's IOMMU group
 * @vf: the VF
 * @name: where to write that device's name
 * @len: room at @name
 *
 * VFIO gives a VMM a whole IOMMU group, and the IOMMU keeps its devices
 * apart only from devices outside it (the group exists because no ACS
 * separates them). A VF that is not alone in its group cannot be one VM's
 * alone: its VM could reach the others, and they it. Without an IOMMU the
 * VF has no group, and VFIO none either.
 *
 * Return: the group's id when the VF shares it, with @name filled; else -1.
 */
int gpupart_vf_peer(struct pci_dev *vf, char *name, size_t len)
{
	struct iommu_group *group = iommu_group_get(&vf->dev);
	struct gpupart_peer p = { .self = &vf->dev, .name = name, .len = len };
	int id = -1;

	strscpy(name, "a device gone since", len);
	if (!group)
		return -1;
	if (iommu_group_for_each_dev(group, &p, gpupart_peer_of))
		id = iommu_group_id(group);
	iommu_group_put(group);
	return id;
}

/* Whether @a and @b are in one IOMMU group. */
static bool gpupart_same_group(struct pci_dev *a, struct pci_dev *b)
{
	struct iommu_group *ga = iommu_group_get(&a->dev);
	struct iommu_group *gb = iommu_group_get(&b->dev);
	bool same = ga && ga == gb;

	iommu_group_put(ga);
	iommu_group_put(gb);
	return same;
}

static int gpupart_part_override(struct pci_dev *vf, const char *drv)
{
	int rc = gpupart_set_driver_override(vf, drv);

	if (rc)
		pci_warn(vf, "could not set driver_override (%d)\n", rc);
	return rc;
}

/*
 * Where a reset VF goes: its driver_override says the passthrough driver
 * (none: any driver), and it is bound; after a failed reset, to no driver.
 */
static void gpupart_part_rebind(struct gpupart_partition *part, bool clean)
{
	struct pci_dev *vf = part->vf;
	const char *drv = part->gdev->vf_driver;

	if (gpupart_part_override(vf, clean ? drv : GPUPART_QUARANTINE_MARK))
		return;
	if (clean && device_attach(&vf->dev) < 0)
		pci_warn(vf, "could not bind %s\n", drv);
}

/*
 * A VF that shares its IOMMU group (only adoption brings one) is no VM's
 * alone: quarantined at once, with no reset. Its driver is unbound when no
 * VMM can have it: gpupart owns the group, or the PF's own driver (one
 * that uses the DMA API) does, being in it. Otherwise it stays bound, and
 * marked all the same.
 */
static void gpupart_part_shared(struct gpupart_partition *part)
{
	struct pci_dev *vf = part->vf;

	gpupart_part_override(vf, GPUPART_QUARANTINE_MARK);
	if (gpupart_host_driver(vf))
		device_release_driver(&vf->dev);
	if (!gpupart_own(&part->own) || part->with_pf)
		device_release_driver(&vf->dev);
	gpupart_disown(&part->own);
	mutex_lock(&gpupart_lock);
	if (__gpupart_part_is(part, GPUPART_PARTITION_STATE_RELEASING)) {
		pci_warn(vf, "partition %u shares its IOMMU group: quarantined\n", part->index);
		__gpupart_part_set(part, GPUPART_PARTITION_STATE_QUARANTINED);
	}
	mutex_unlock(&gpupart_lock);
}

/*
 * The steps after a release, for one partition: wait until no VMM has the
 * VF, unbind its driver, reset it, bind it again. Each step starts only if
 * the partition is still where the last one left it; a GPU in PCIe error
 * recovery is left alone, and its recovery queues this again.
 */
static void gpupart_part_work(struct work_struct *work)
{
	struct gpupart_partition *part = container_of(to_delayed_work(work),
						      struct gpupart_partition, work);
	struct pci_dev *vf = part->vf;
	bool found, marked;
	int rc;

	mutex_lock(&gpupart_lock);
	if (!__gpupart_part_is(part, GPUPART_PARTITION_STATE_RELEASING) ||
	    gpupart_in_error(part->gdev)) {
		mutex_unlock(&gpupart_lock);
		return;
	}
	found = part->found;
	part->found = false;
	mutex_unlock(&gpupart_lock);

	if (part->shared) {
		gpupart_part_shared(part);
		return;
	}
	marked = found && gpupart_driver_override_is(vf, GPUPART_QUARANTINE_MARK);
	if (!marked) {
		/* No driver binds it from now until it is reset, not even vfio-pci. */
		gpupart_part_override(vf, GPUPART_RELEASING_MARK);
		/* A host driver is no VMM, but its DMA use counts as an owner. */
		if (gpupart_host_driver(vf))
			device_release_driver(&vf->dev);
		/* Someone owns the VF's group: a VMM has it. Look again in a second. */
		if (gpupart_own(&part->own)) {
			gpupart_queue(&part->work, HZ);
			return;
		}
		if (READ_ONCE(gpupart_release_delay_ms))
			msleep(READ_ONCE(gpupart_release_delay_ms));
		device_release_driver(&vf->dev);
		gpupart_disown(&part->own);
	}

	mutex_lock(&gpupart_lock);
	if (!__gpupart_part_is(part, GPUPART_PARTITION_STATE_RELEASING)) {
		mutex_unlock(&gpupart_lock);
		return;
	}
	if (marked) {
		pci_info(vf, "partition %u was quarantined before; it stays so\n", part->index);
		__gpupart_part_set(part, GPUPART_PARTITION_STATE_QUARANTINED);
		mutex_unlock(&gpupart_lock);
		return;
	}
	/* An error came while the driver let go: reset once it is over. */
	if (gpupart_in_error(part->gdev)) {
		mutex_unlock(&gpupart_lock);
		return;
	}
	__gpupart_part_set(part, GPUPART_PARTITION_STATE_SCRUBBING);
	mutex_unlock(&gpupart_lock);

	rc = gpupart_flr(vf);
	gpupart_part_rebind(part, !rc);

	mutex_lock(&gpupart_lock);
	if (__gpupart_part_is(part, GPUPART_PARTITION_STATE_SCRUBBING)) {
		if (rc)
			pci_warn(vf, "reset failed (%d): partition %u quarantined\n",
				 rc, part->index);
		__gpupart_part_set(part, rc ? GPUPART_PARTITION_STATE_QUARANTINED :
					      GPUPART_PARTITION_STATE_FREE);
	}
	mutex_unlock(&gpupart_lock);
}

/**
 * __gpupart_part_queue() - have the GPU's releasing partitions worked on
 * @gdev: the device
 *
 * Each at once, beside the others; one queued already is not queued
 * again. Not while the GPU is out of the registry or in error recovery.
 *
 * Context: caller holds gpupart_lock.
 */
void __gpupart_part_queue(struct gpupart_dev *gdev)
{
	u32 i;

	lockdep_assert_held(&gpupart_lock);
	if (gpupart_dev_gone(gdev) || gpupart_in_error(gdev))
		return;
	for (i = 0; i < gdev->count; i++)
		if (gdev->parts[i].state == GPUPART_PARTITION_STATE_RELEASING)
			gpupart_queue(&gdev->parts[i].work, 0);
}

/**
 * __gpupart_part_release() - a partition's tenant is gone from gpupart's view
 * @part: an assigned partition; its VM is let go by the caller
 *
 * The partition is releasing from now on, and free only once its VF's
 * driver let go of it and it was reset.
 *
 * Context: caller holds gpupart_lock.
 */
void __gpupart_part_release(struct gpupart_partition *part)
{
	lockdep_assert_held(&gpupart_lock);
	part->vm = NULL;
	part->held = false;
	if (!__gpupart_part_set(part, GPUPART_PARTITION_STATE_RELEASING))
		__gpupart_part_queue(part->gdev);
}

/**
 * gpupart_part_ready() - whether a free partition can be handed out
 * @part: the partition
 * @drv: gpupart_passthrough_drv() of its GPU
 *
 * Its VF must be bound to its GPU's VF driver (when one is set): a VF
 * that an administrator bound to a host driver is not a VM's to get. The
 * VF's driver is compared, not read: it may be unbinding meanwhile.
 *
 * Context: caller holds gpupart_lock; the answer is a snapshot.
 * Return: true when it may be assigned.
 */
bool gpupart_part_ready(const struct gpupart_partition *part,
			const struct device_driver *drv)
{
	if (part->state != GPUPART_PARTITION_STATE_FREE)
		return false;
	return IS_ERR(drv) || (drv && READ_ONCE(part->vf->dev.driver) == drv);
}

/**
 * gpupart_parts_new() - a GPU's VFs as partitions
 * @gdev: the GPU
 * @n: how many VFs are enabled
 * @found: they were enabled before gpupart bound the GPU: what they went
 *	through is not known, so each is released (and reset) before use
 *
 * Found by walking the PCI devices, as 6.1 does not export the VF bus
 * number helper. The caller makes them @gdev's, under gpupart_lock.
 *
 * Context: caller holds @gdev->mode_lock or is probing @gdev.
 * Return: the partitions, by VF index, or NULL when not every VF could be
 * found or memory is short.
 */
noinline struct gpupart_partition *gpupart_parts_new(struct gpupart_dev *gdev,
						     u32 n, bool found)
{
	struct pci_dev *pdev = gdev->pdev;
	struct gpupart_partition *parts;
	struct pci_dev *vf = NULL;
	char peer[32];
	u32 got = 0, i;
	int id;

	parts = kcalloc(n, sizeof(*parts), GFP_KERNEL);
	if (!parts)
		return NULL;
	while ((vf = pci_get_device(PCI_ANY_ID, PCI_ANY_ID, vf))) {
		if (!vf->is_virtfn || pci_physfn(vf) != pdev)
			continue;
		id = pci_iov_vf_id(vf);
		if (id < 0 || id >= n || parts[id].vf)
			continue;
		parts[id].vf = pci_dev_get(vf);
		got++;
	}
	if (got != n) {
		for (i = 0; i < n; i++)
			pci_dev_put(parts[i].vf);
		kfree(parts);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		parts[i].shared = gpupart_vf_peer(parts[i].vf, peer, sizeof(peer)) >= 0;
		parts[i].with_pf = parts[i].shared && gpupart_same_group(parts[i].vf, pdev);
		gpupart_owned_add(&parts[i].own, parts[i].vf);
	}
	mutex_lock(&gpupart_lock);
	for (i = 0; i < n; i++) {
		parts[i].gdev = gdev;
		parts[i].index = i;
		parts[i].found = found;
		INIT_DELAYED_WORK(&parts[i].work, gpupart_part_work);
		__gpupart_part_set(&parts[i], found ? GPUPART_PARTITION_STATE_RELEASING :
						      GPUPART_PARTITION_STATE_FREE);
	}
	mutex_unlock(&gpupart_lock);
	return parts;
}

/* The fault tests fail this allocation here (fail_function). */
ALLOW_ERROR_INJECTION(gpupart_parts_new, NULL);

/**
 * gpupart_parts_free() - partitions a GPU let go of, gone
 * @parts: the partitions, out of their GPU's record, by VF index
 * @n: how many
 *
 * A step under way is waited for (it finds its partition gone and stops),
 * one not started is cancelled, before the VFs can be disabled. A
 * partition waiting for its VMM waits in no step: it is cancelled.
 *
 * Context: not gpupart_lock, which the work takes; callers hold
 * the GPU's mode_lock.
 */
void gpupart_parts_free(struct gpupart_partition *parts, u32 n)
{
	u32 i;

	for (i = 0; i < n; i++) {
		cancel_delayed_work_sync(&parts[i].work);
		/* Its work will not run: the reference it held goes. */
		if (gpupart_part_busy(parts[i].state))
			module_put(THIS_MODULE);
		gpupart_owned_del(&parts[i].own);
		pci_dev_put(parts[i].vf);
	}
	kfree(parts);
}

/**
 * gpupart_parts_shelve() - VFs left enabled by a vendor driver that let go
 * @pf: their PF, referenced by its record
 * @parts: the partitions of a record forgotten as that driver unbound the
 *	PF (__gpupart_dev_let_go()), by VF index
 * @n: how many
 *
 * Nothing holds the GPU any more, yet its VFs stay enabled, bound to the
 * driver a partition went to: any VMM could open a free one outside the
 * rules. Each is reserved for no driver instead, as a VF enabled outside
 * gpupart is, and its driver unbound once gpupart owns its group (no VMM
 * has it). One a VMM still has (a revoked partition's) stays bound to
 * its driver, even once that VMM lets go, until its vendor driver binds
 * the PF again and adoption resets it: unbinding it would wait for the
 * tenant, and nothing of gpupart's is left to look again later.
 * A quarantined one keeps its mark: adoption keeps it quarantined. A
 * host driver (one that uses the DMA API owns the group) is unbound
 * first, as in a release.
 *
 * Not when the vendor driver bound the PF again meanwhile (a new record
 * adopted the VFs): the marks are set and the groups claimed under the
 * PF's device lock, which orders this with that bind. The drivers are
 * unbound after it is dropped: an unbind that waits (a VMM gpupart could
 * not keep off, see gpupart_own()) must not hold the PF, and an
 * adoption's work meanwhile waits for the claims to go.
 *
 * Context: gone_work, holding nothing; takes the PF's device lock.
 */
void gpupart_parts_shelve(struct pci_dev *pf, struct gpupart_partition *parts, u32 n)
{
	u32 i, kept = 0;
	bool held;

	/* A step under way would bind the VF again: over first. */
	for (i = 0; i < n; i++)
		cancel_delayed_work_sync(&parts[i].work);
	device_lock(&pf->dev);
	mutex_lock(&gpupart_lock);
	held = __gpupart_dev_of(pf);
	mutex_unlock(&gpupart_lock);
	for (i = 0; !held && i < n; i++) {
		struct pci_dev *vf = parts[i].vf;

		if (!gpupart_driver_override_is(vf, GPUPART_QUARANTINE_MARK))
			gpupart_part_override(vf, GPUPART_UNADOPTED_MARK);
		if (gpupart_host_driver(vf))
			device_release_driver(&vf->dev);
		parts[i].vmm_kept = gpupart_own(&parts[i].own);
		kept += parts[i].vmm_kept;
	}
	device_unlock(&pf->dev);
	for (i = 0; !held && i < n; i++) {
		if (parts[i].vmm_kept)
			continue;
		device_release_driver(&parts[i].vf->dev);
		gpupart_disown(&parts[i].own);
	}
	if (kept)
		pci_warn(pf, "%u VFs a VMM has stay bound until the PF is held again\n", kept);
}

/**
 * gpupart_queue() - run a step of a release on gpupart's workqueue
 * @work: a partition's steps, or a whole GPU's return
 * @delay: jiffies to wait first: 0, or a second to look again for a VMM
 *
 * gpupart's exit destroys the workqueue, which waits for such work: work
 * that holds a reference on gpupart may drop it and still return safely.
 */
void gpupart_queue(struct delayed_work *work, unsigned long delay)
{
	queue_delayed_work(gpupart_part_wq, work, delay);
}

/**
 * gpupart_part_init() - the workqueue the partitions' steps run on
 *
 * Unbound, so that steps sleeping in a reset or waiting for a tenant do
 * not wait for a CPU's worker: as many run at once as partitions need.
 * Whole GPUs' returns run on it too.
 *
 * Return: 0 or -ENOMEM.
 */
int gpupart_part_init(void)
{
	gpupart_part_wq = alloc_workqueue("gpupart_part", WQ_UNBOUND, 0);
	return gpupart_part_wq ? 0 : -ENOMEM;
}

/**
 * gpupart_part_exit() - destroy the workqueue, every GPU gone
 */
void gpupart_part_exit(void)
{
	destroy_workqueue(gpupart_part_wq);
}

/**
 * gpupart_partition_clear() - return a quarantined partition to service
 * @gdev: the device
 * @idx: the partition
 * @extack: for the reason of a refusal
 *
 * The partition is released and reset again in the background; it is
 * free only if that reset works, else quarantined again, and an event
 * says which.
 *
 * Context: caller holds a reference on @gdev, no gpupart lock.
 * Return: 0, -EINVAL when there is no such partition or it is not
 * quarantined, -EBUSY while the GPU is in PCIe error recovery, -ENODEV
 * when the GPU was removed.
 */
int gpupart_partition_clear(struct gpupart_dev *gdev, u32 idx,
			    struct netlink_ext_ack *extack)
{
	int rc = 0;

	mutex_lock(&gpupart_lock);
	if (gpupart_dev_gone(gdev)) {
		gpupart_refuse(gdev->pdev, extack, "the GPU was removed");
		rc = -ENODEV;
	} else if (gpupart_in_error(gdev)) {
		gpupart_refuse(gdev->pdev, extack, "the GPU is out of service after a PCIe error");
		rc = -EBUSY;
	} else if (idx >= gdev->count) {
		gpupart_refuse(gdev->pdev, extack, "the GPU has no partition %u", idx);
		rc = -EINVAL;
	} else if (gdev->parts[idx].state != GPUPART_PARTITION_STATE_QUARANTINED) {
		gpupart_refuse(gdev->pdev, extack, "partition %u is not quarantined", idx);
		rc = -EINVAL;
	} else if (gdev->parts[idx].shared) {
		gpupart_refuse(gdev->pdev, extack,
			       "partition %u shares its IOMMU group: no VM may have it", idx);
		rc = -EOPNOTSUPP;
	} else {
		gdev->parts[idx].held = false;
		gdev->parts[idx].found = false;
		rc = __gpupart_part_set(&gdev->parts[idx], GPUPART_PARTITION_STATE_RELEASING);
		__gpupart_part_queue(gdev);
	}
	mutex_unlock(&gpupart_lock);
	return rc;
}
