// SPDX-License-Identifier: GPL-2.0
/*
 * The built-in table of partitionable GPUs: the NVIDIA models named by the
 * Azure Local / Windows Server GPU partitioning feature.
 *
 * A count is valid when the framebuffer split evenly by it gives one of the
 * vendor's vGPU profile sizes; counts above sriov_totalvfs are dropped at run
 * time (one VF per partition). What follows from a GPU's identity is
 * here too: its model name, its valid counts, whether two GPUs are the
 * same model.
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/sizes.h>

#include "gpupart.h"

enum gpupart_model_index {
	GPUPART_UNKNOWN,	/* driver_data 0: added with ids= */
	GPUPART_A2,
	GPUPART_A16,
	GPUPART_A10,
	GPUPART_A40,
	GPUPART_L2,
	GPUPART_L4,
	GPUPART_L40,
	GPUPART_L40S,
	GPUPART_NR_MODELS,
};

/* Profiles of 1, 2, 4, 8 and 16 GiB on a 16 GiB board. */
#define COUNTS_16G	{ 1, 2, 4, 8, 16 }
/* Profiles of 1, 2, 3, 4, 6, 8, 12 and 24 GiB on a 24 GiB board. */
#define COUNTS_24G	{ 1, 2, 3, 4, 6, 8, 12, 24 }
/* Profiles of 1, 2, 3, 4, 6, 8, 12, 16, 24 and 48 GiB on a 48 GiB board. */
#define COUNTS_48G	{ 1, 2, 3, 4, 6, 8, 12, 16, 24, 48 }

/*
 * NVIDIA's vGPU host driver (vGPU 17 and later) is its VFs' VFIO driver:
 * vfio-pci refuses them, so partitions go to nvidia.ko.
 */
static const struct gpupart_model gpupart_models[GPUPART_NR_MODELS] = {
	[GPUPART_A2]	= { "A2",   16ULL * SZ_1G, COUNTS_16G, "nvidia" },
	[GPUPART_A16]	= { "A16",  16ULL * SZ_1G, COUNTS_16G, "nvidia" },
	[GPUPART_A10]	= { "A10",  24ULL * SZ_1G, COUNTS_24G, "nvidia" },
	[GPUPART_A40]	= { "A40",  48ULL * SZ_1G, COUNTS_48G, "nvidia" },
	[GPUPART_L2]	= { "L2",   24ULL * SZ_1G, COUNTS_24G, "nvidia" },
	[GPUPART_L4]	= { "L4",   24ULL * SZ_1G, COUNTS_24G, "nvidia" },
	[GPUPART_L40]	= { "L40",  48ULL * SZ_1G, COUNTS_48G, "nvidia" },
	[GPUPART_L40S]	= { "L40S", 48ULL * SZ_1G, COUNTS_48G, "nvidia" },
};

#define GPUPART_NV(dev, model) \
	{ PCI_DEVICE(PCI_VENDOR_ID_NVIDIA, dev), .driver_data = model }
#define GPUPART_NV_SUB(dev, sub, model) \
	{ PCI_DEVICE_SUB(PCI_VENDOR_ID_NVIDIA, dev, PCI_VENDOR_ID_NVIDIA, sub), \
	  .driver_data = model }

/*
 * A2 and A16 share device ID 25b6; only the subsystem ID tells them apart.
 * Every other model is matched on its device ID, whatever board (subsystem)
 * it ships on. Each needs its vendor's PF driver to make a VF usable, so
 * gpupart holds these beside that driver (pci.c), unless ids= names them;
 * the table still loads gpupart when such a GPU is found.
 */
const struct pci_device_id gpupart_pci_ids[] = {
	GPUPART_NV_SUB(0x25b6, 0x157e, GPUPART_A2),
	GPUPART_NV_SUB(0x25b6, 0x14a9, GPUPART_A16),
	GPUPART_NV(0x2236, GPUPART_A10),
	GPUPART_NV(0x2235, GPUPART_A40),
	GPUPART_NV(0x27b6, GPUPART_L2),
	GPUPART_NV(0x27b8, GPUPART_L4),
	GPUPART_NV(0x26b5, GPUPART_L40),
	GPUPART_NV(0x26b9, GPUPART_L40S),
	{ }
};
MODULE_DEVICE_TABLE(pci, gpupart_pci_ids);

/**
 * gpupart_model_of_id() - the model a table entry stands for
 * @id: the entry
 *
 * Return: the model, or NULL for no entry of the built-in table.
 */
const struct gpupart_model *gpupart_model_of_id(const struct pci_device_id *id)
{
	if (!id || id->driver_data == GPUPART_UNKNOWN ||
	    id->driver_data >= GPUPART_NR_MODELS)
		return NULL;
	return &gpupart_models[id->driver_data];
}

/*
 * The test bed's knob (debugfs stand_in_model): a GPU the table does not
 * list, bound from now on, is taken for the table's model at this place
 * in <debugfs>/gpupart/models (1 the first; 0, the default: none), so
 * that what follows from a model (counts, framebuffer, profiles) can be
 * tested on the stand-ins.
 */
u32 gpupart_stand_in_model;

/**
 * gpupart_model_of() - the built-in model of a GPU
 * @pdev: its PF
 *
 * Return: the model, or NULL for a GPU the table does not list (added
 * with ids= or vendor_ids=).
 */
const struct gpupart_model *gpupart_model_of(struct pci_dev *pdev)
{
	const struct gpupart_model *m = gpupart_model_of_id(pci_match_id(gpupart_pci_ids, pdev));
	u32 i = READ_ONCE(gpupart_stand_in_model);

	if (m || !i || i >= ARRAY_SIZE(gpupart_pci_ids))
		return m;
	return gpupart_model_of_id(&gpupart_pci_ids[i - 1]);
}

/**
 * gpupart_profile() - the vendor profile that gives a partition its share
 * @gdev: the GPU, partitioned
 * @buf: where the name goes
 * @len: room at @buf
 *
 * NVIDIA names a vGPU type by the model and its framebuffer in GiB, with
 * the series' letter: a count of 4 on a 16 GiB A16 is A16-4Q (the
 * Q-series, virtual workstations, which has every size the table's counts
 * give). The vendor's own type for that name is the profile hook's to
 * find (Documentation/gpupart.rst, "Vendor profiles").
 *
 * Return: true when the model names one, with @buf filled.
 */
bool gpupart_profile(const struct gpupart_dev *gdev, char *buf, size_t len)
{
	u64 share;

	if (!gdev->model || !gdev->count)
		return false;
	/* Every type is whole GiB: a share that is not has no name. */
	share = div_u64(gdev->model->fb_bytes, gdev->count);
	if (share * gdev->count != gdev->model->fb_bytes || share & (SZ_1G - 1))
		return false;
	snprintf(buf, len, "%s-%lluQ", gdev->model->name, share >> 30);
	return true;
}

/**
 * gpupart_next_count() - walk a device's valid partition counts
 * @gdev: the device
 * @after: 0 to start, else the count returned last
 *
 * Built-in models take their counts from the table; devices added with
 * ids= have no known framebuffer, so every power of two is valid for them.
 * Either way a count above sriov_totalvfs is not, as each partition is a VF.
 *
 * Return: the smallest valid count above @after, or 0 when there is none.
 */
u32 gpupart_next_count(const struct gpupart_dev *gdev, u32 after)
{
	const u8 *c;
	u32 next;

	if (!gdev->model) {
		next = after ? after * 2 : 1;
		return next <= gdev->total_vfs ? next : 0;
	}
	for (c = gdev->model->counts; *c; c++)
		if (*c > after)
			return *c <= gdev->total_vfs ? *c : 0;
	return 0;
}

/**
 * gpupart_dev_model_name() - the model name a user sees
 * @gdev: the device
 *
 * Return: the built-in model's name, or "unknown".
 */
const char *gpupart_dev_model_name(const struct gpupart_dev *gdev)
{
	return gdev->model ? gdev->model->name : "unknown";
}

/**
 * gpupart_count_valid() - whether a device can be split into @count
 * @gdev: the device
 * @count: partition count asked for
 *
 * Return: true when @count is one of the device's valid partition counts.
 */
bool gpupart_count_valid(const struct gpupart_dev *gdev, u32 count)
{
	u32 c = 0;

	while ((c = gpupart_next_count(gdev, c)))
		if (c == count)
			return true;
	return false;
}

/**
 * gpupart_same_model() - whether two devices are the same GPU model
 * @a: one device
 * @b: the other
 *
 * Vendor, device and subsystem IDs all count: A2 and A16 differ only in
 * their subsystem.
 *
 * Return: true when all four IDs match.
 */
bool gpupart_same_model(const struct gpupart_dev *a, const struct gpupart_dev *b)
{
	return a->pdev->vendor == b->pdev->vendor &&
	       a->pdev->device == b->pdev->device &&
	       a->pdev->subsystem_vendor == b->pdev->subsystem_vendor &&
	       a->pdev->subsystem_device == b->pdev->subsystem_device;
}

/**
 * gpupart_counts_str() - a GPU's valid counts, "1,2,4,8", for a refusal
 * @gdev: the device
 * @buf: where the text goes
 * @len: room in @buf
 */
void gpupart_counts_str(const struct gpupart_dev *gdev, char *buf, size_t len)
{
	size_t off = 0;
	u32 c = 0;

	buf[0] = '\0';
	while ((c = gpupart_next_count(gdev, c)) && off < len)
		off += scnprintf(buf + off, len - off, "%s%u", off ? "," : "", c);
}
