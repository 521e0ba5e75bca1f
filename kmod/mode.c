// SPDX-License-Identifier: GPL-2.0
/*
 * Device modes: the one policy behind both doors, the DEV_SET netlink
 * command and the sriov_numvfs sysfs file.
 *
 * A GPU is in mode none, partition (N VFs, one partition each) or dda, and
 * moves only through none. All partitioned GPUs of a host have the same
 * model and partition count. A refusal changes nothing and says why in
 * @why, a GPUPART_EXTACK_LEN buffer: the netlink door returns it as the
 * extack message, the sysfs door logs it.
 */
#include <linux/kernel.h>
#include <linux/pci.h>
#include <linux/slab.h>

#include "gpupart.h"

/* "1,2,4,8": the valid counts, for a refusal's text. */
static void gpupart_counts_str(const struct gpupart_dev *gdev, char *buf,
			       size_t len)
{
	size_t off = 0;
	u32 c = 0;

	buf[0] = '\0';
	while ((c = gpupart_next_count(gdev, c)) && off < len)
		off += scnprintf(buf + off, len - off, "%s%u", off ? "," : "", c);
}

static int gpupart_check_count(const struct gpupart_dev *gdev, u32 count,
			       char *why)
{
	char valid[32];

	if (count > gdev->total_vfs) {
		WHY("%u partitions exceed the device's %u VFs", count,
		    gdev->total_vfs);
		return -ERANGE;
	}
	if (!gpupart_count_valid(gdev, count)) {
		gpupart_counts_str(gdev, valid, sizeof(valid));
		WHY("%u is not a valid partition count here; valid: %s", count,
		    valid);
		return -EINVAL;
	}
	return 0;
}

/* Every partitioned GPU of the host has one model and one count. */
static int __gpupart_check_homogeneous(const struct gpupart_dev *gdev,
				       u32 count, char *why)
{
	const struct gpupart_dev *o;

	list_for_each_entry(o, &gpupart_devs, node) {
		if (o == gdev || o->mode != GPUPART_MODE_PARTITION)
			continue;
		if (!gpupart_same_model(o, gdev)) {
			WHY("%s is partitioned and is %04x:%04x/%04x:%04x; models must not mix",
			    pci_name(o->pdev), o->pdev->vendor, o->pdev->device,
			    o->pdev->subsystem_vendor, o->pdev->subsystem_device);
			return -EINVAL;
		}
		if (o->count != count) {
			WHY("%s has %u partitions; all GPUs must have the same count",
			    pci_name(o->pdev), o->count);
			return -EINVAL;
		}
	}
	return 0;
}

/* A partition a VM holds, or one being scrubbed, keeps the GPU as it is. */
static int __gpupart_check_idle(const struct gpupart_dev *gdev, char *why)
{
	u32 i;

	for (i = 0; i < gdev->count; i++) {
		const struct gpupart_partition *p = &gdev->parts[i];

		if (p->state == GPUPART_PARTITION_STATE_ASSIGNED) {
			WHY("partition %u is assigned to VM %s; release it first",
			    i, p->vm);
			return -EBUSY;
		}
		if (p->state == GPUPART_PARTITION_STATE_SCRUBBING) {
			WHY("partition %u is being scrubbed; try again shortly", i);
			return -EBUSY;
		}
	}
	return 0;
}

static void gpupart_parts_put(struct gpupart_partition *parts, u32 n)
{
	u32 i;

	for (i = 0; i < n; i++)
		pci_dev_put(parts[i].vf);
	kfree(parts);
}

/*
 * The VFs pci_enable_sriov() made (or found), as free partitions, indexed
 * by VF number. Found by walking the PCI devices, as 6.1 does not export
 * the VF bus number helper.
 */
static struct gpupart_partition *gpupart_parts_get(struct pci_dev *pdev, u32 n)
{
	struct gpupart_partition *parts;
	struct pci_dev *vf = NULL;
	u32 found = 0, i;
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
		found++;
	}
	if (found != n) {
		for (i = 0; i < n; i++)
			pci_dev_put(parts[i].vf);
		kfree(parts);
		return NULL;
	}
	for (i = 0; i < n; i++)
		parts[i].state = GPUPART_PARTITION_STATE_FREE;
	return parts;
}

static int __gpupart_partition(struct gpupart_dev *gdev, u32 count, char *why)
{
	struct pci_dev *pdev = gdev->pdev;
	struct gpupart_partition *parts;
	int rc;

	rc = pci_enable_sriov(pdev, count);
	if (rc) {
		WHY("enabling %u VFs failed (%d)", count, rc);
		return rc;
	}
	parts = gpupart_parts_get(pdev, count);
	if (!parts) {
		pci_disable_sriov(pdev);
		WHY("the %u VFs could not be taken as partitions", count);
		return -ENOMEM;
	}
	/* The VFs exist: an injected failure here unwinds them for real. */
	if (gpupart_fault(&gpupart_fail_enable)) {
		gpupart_parts_put(parts, count);
		pci_disable_sriov(pdev);
		WHY("setting up %u partitions failed (injected fault)", count);
		return -EIO;
	}
	gdev->parts = parts;
	gdev->count = count;
	gdev->mode = GPUPART_MODE_PARTITION;
	return 0;
}

/**
 * __gpupart_dev_release() - drop a GPU's partitions
 * @gdev: the device
 *
 * Disables SR-IOV unless the VFs were adopted and are to be left as found,
 * which only unbinding does; an administrator's request to leave mode
 * partition always disables them.
 *
 * Context: caller holds the PF's device lock and gpupart_lock.
 */
void __gpupart_dev_release(struct gpupart_dev *gdev)
{
	lockdep_assert_held(&gpupart_lock);
	if (gdev->count && !gdev->adopted)
		pci_disable_sriov(gdev->pdev);
	gpupart_parts_put(gdev->parts, gdev->count);
	gdev->parts = NULL;
	gdev->count = 0;
	gdev->adopted = false;
	gdev->mode = GPUPART_MODE_NONE;
}

/**
 * __gpupart_dev_set() - move a GPU to a mode, if the rules allow it
 * @gdev: the device
 * @mode: the mode wanted
 * @count: partitions wanted in mode partition; ignored otherwise
 * @why: GPUPART_EXTACK_LEN bytes for the reason of a refusal
 *
 * Setting the mode a GPU already has (with the same count) succeeds and
 * changes nothing, so that applying a configuration twice is harmless.
 *
 * Context: caller holds the PF's device lock, then gpupart_lock.
 * Return: 1 when the mode changed, 0 when nothing had to, or a negative
 * errno with @why filled in: -EBUSY for a transition that must go through
 * none or is blocked by a VM, -EINVAL or -ERANGE for a bad count, -EINVAL
 * for breaking homogeneity, or what enabling SR-IOV failed with.
 */
int __gpupart_dev_set(struct gpupart_dev *gdev, enum gpupart_mode mode,
		      u32 count, char *why)
{
	int rc;

	device_lock_assert(&gdev->pdev->dev);
	lockdep_assert_held(&gpupart_lock);

	if (gdev->moving) {
		WHY("the GPU is being handed over to or from a VM; try again");
		return -EBUSY;
	}
	if (gdev->error == GPUPART_ERROR_FAILED) {
		WHY("the GPU failed after a PCIe error; unbind and bind it again");
		return -EIO;
	}
	if (gpupart_in_error(gdev)) {
		WHY("the GPU is recovering from a PCIe error; try again");
		return -EBUSY;
	}
	if (mode == gdev->mode &&
	    (mode != GPUPART_MODE_PARTITION || count == gdev->count))
		return 0;

	switch (gdev->mode) {
	case GPUPART_MODE_PARTITION:
		if (mode != GPUPART_MODE_NONE) {
			WHY("partitioned into %u; set mode none first", gdev->count);
			return -EBUSY;
		}
		rc = __gpupart_check_idle(gdev, why);
		if (rc)
			return rc;
		/* Asked for: the VFs go, adopted or not. */
		gdev->adopted = false;
		__gpupart_dev_release(gdev);
		return 1;
	case GPUPART_MODE_DDA:
		if (mode != GPUPART_MODE_NONE) {
			WHY("reserved for DDA; set mode none first");
			return -EBUSY;
		}
		if (gdev->dda_vm[0]) {
			WHY("passed through to VM %s; release it first", gdev->dda_vm);
			return -EBUSY;
		}
		gdev->mode = GPUPART_MODE_NONE;
		return 1;
	default:
		break;
	}

	if (mode == GPUPART_MODE_DDA) {
		gdev->mode = GPUPART_MODE_DDA;
		return 1;
	}
	rc = gpupart_check_count(gdev, count, why);
	if (!rc)
		rc = __gpupart_check_homogeneous(gdev, count, why);
	if (!rc)
		rc = __gpupart_partition(gdev, count, why);
	return rc ? rc : 1;
}

/**
 * gpupart_dev_adopt() - take VFs enabled before gpupart bound the device
 * @gdev: the device, not yet in the registry
 * @num_vfs: how many VFs are enabled
 *
 * Disabling them could pull a device from under a running VM, so they are
 * kept as partitions (mode partition), and left enabled when gpupart
 * unbinds. If they break the host's homogeneity, HOST_GET says so until an
 * administrator sets the GPU to mode none.
 *
 * Context: probe; the device lock is held.
 * Return: 0 or -ENOMEM.
 */
int gpupart_dev_adopt(struct gpupart_dev *gdev, u16 num_vfs)
{
	gdev->parts = gpupart_parts_get(gdev->pdev, num_vfs);
	if (!gdev->parts)
		return -ENOMEM;
	gdev->count = num_vfs;
	gdev->adopted = true;
	gdev->mode = GPUPART_MODE_PARTITION;
	pci_info(gdev->pdev, "adopting %u VFs enabled before gpupart bound it\n",
		 num_vfs);
	return 0;
}
