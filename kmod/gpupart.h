/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gpupart: GPU partitioning for Linux/KVM hypervisor hosts.
 * Internal declarations shared by the module's files.
 */
#ifndef _GPUPART_H
#define _GPUPART_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/types.h>
#include <net/genetlink.h>
#include <linux/gpupart.h>

#include "compat.h"

/**
 * struct gpupart_model - a partitionable GPU model from the built-in table
 * @name: marketing name, e.g. "A16"
 * @fb_bytes: framebuffer of one GPU (one PCI function)
 * @counts: valid partition counts, ascending, 0-terminated; a count is one
 *	whose share of the framebuffer is one of the vendor's profile sizes
 */
struct gpupart_model {
	const char *name;
	u64 fb_bytes;
	u8 counts[12];
};

/**
 * struct gpupart_dev - a GPU (PCI physical function) bound to gpupart
 * @node: entry in the registry, sorted by PCI address
 * @pdev: the physical function; gpupart is its driver
 * @model: built-in model, or NULL for devices added with the ids= parameter
 * @total_vfs: the device's sriov_totalvfs, read at probe
 * @mode: current mode
 *
 * Context: the registry lock (gpupart_lock) guards @node and @mode; the
 * other fields are set at probe and never change.
 */
struct gpupart_dev {
	struct list_head node;
	struct pci_dev *pdev;
	const struct gpupart_model *model;
	u16 total_vfs;
	enum gpupart_mode mode;
};

/* core.c: the registry of bound devices */
extern struct mutex gpupart_lock;
extern struct list_head gpupart_devs;

void gpupart_dev_register(struct gpupart_dev *gdev);
void gpupart_dev_unregister(struct gpupart_dev *gdev);
struct gpupart_dev *__gpupart_dev_find(const char *pci_addr);
u32 gpupart_next_count(const struct gpupart_dev *gdev, u32 after);
const char *gpupart_dev_model_name(const struct gpupart_dev *gdev);

/* models.c: the built-in table */
extern const struct pci_device_id gpupart_pci_ids[];
const struct gpupart_model *gpupart_model_of(const struct pci_device_id *id);

/* pci.c: the PCI driver */
int gpupart_pci_init(void);
void gpupart_pci_exit(void);

/* netlink.c and nl_ops.c: the generic netlink family */
extern struct genl_family gpupart_nl_family;
int gpupart_nl_dev_get_doit(struct sk_buff *skb, struct genl_info *info);
int gpupart_nl_dev_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb);

/* debugfs.c */
void gpupart_debugfs_init(void);
void gpupart_debugfs_exit(void);

#endif /* _GPUPART_H */
