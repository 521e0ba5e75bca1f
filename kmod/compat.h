/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place where the differences between the kernels gpupart targets
 * (6.1 and 6.12) are wrapped, so the rest of the code reads as one kernel.
 */
#ifndef _GPUPART_COMPAT_H
#define _GPUPART_COMPAT_H

#include <linux/device.h>
#include <linux/netlink.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/string.h>

/* Longest formatted extack message, as the 6.2+ kernels allow. */
#define GPUPART_EXTACK_LEN	80

/* Kernels 6.2 and later format extack messages themselves. */
#ifdef NL_SET_ERR_MSG_FMT

#define gpupart_extack_fmt(extack, fmt, ...) \
	NL_SET_ERR_MSG_FMT(extack, fmt, ##__VA_ARGS__)

#else

const char *gpupart_extack_msg(const char *fmt, ...) __printf(1, 2);

/*
 * 6.1 has no formatted extack: the ack copies extack->_msg after the
 * handler returned, so the text must outlive the handler. Each is the
 * requesting task's until it returns to user space; see compat.c.
 */
#define gpupart_extack_fmt(extack, fmt, ...) do {			\
	struct netlink_ext_ack *__ea = (extack);			\
									\
	if (__ea)							\
		__ea->_msg = gpupart_extack_msg(fmt, ##__VA_ARGS__);	\
} while (0)

#endif

/*
 * pre_doit and post_doit are handed the split ops from 6.2 on, the full ops
 * before. Kbuild looks for the type in the headers.
 */
#ifdef GPUPART_HAVE_GENL_SPLIT_OPS
#define gpupart_genl_ops genl_split_ops
#else
#define gpupart_genl_ops genl_ops
#endif

/*
 * driver_override moved from struct pci_dev into struct device, with its
 * own setter (6.12 stable has it, 6.1 does not). A kernel version cannot
 * tell, as stable trees took the change, so Kbuild looks for the setter
 * in the headers. "" clears the override.
 */
#ifdef GPUPART_HAVE_DEVICE_DRIVER_OVERRIDE
static inline int gpupart_set_driver_override(struct pci_dev *pdev, const char *drv)
{
	return device_set_driver_override(&pdev->dev, drv);
}
#else
static inline int gpupart_set_driver_override(struct pci_dev *pdev, const char *drv)
{
	return driver_set_override(&pdev->dev, &pdev->driver_override, drv,
				   strlen(drv));
}
#endif

/*
 * Whether a device's driver_override is @drv. Before the setter above,
 * the string is the PCI device's and the device lock guards it.
 */
#ifdef GPUPART_HAVE_DEVICE_DRIVER_OVERRIDE
static inline bool gpupart_driver_override_is(struct pci_dev *pdev, const char *drv)
{
	struct device *dev = &pdev->dev;
	bool is;

	spin_lock(&dev->driver_override.lock);
	is = dev->driver_override.name && !strcmp(dev->driver_override.name, drv);
	spin_unlock(&dev->driver_override.lock);
	return is;
}
#else
static inline bool gpupart_driver_override_is(struct pci_dev *pdev, const char *drv)
{
	bool is;

	device_lock(&pdev->dev);
	is = pdev->driver_override && !strcmp(pdev->driver_override, drv);
	device_unlock(&pdev->dev);
	return is;
}
#endif

/* A copy of a device's driver_override, NULL when it has none. */
#ifdef GPUPART_HAVE_DEVICE_DRIVER_OVERRIDE
static inline int gpupart_driver_override_dup(struct pci_dev *pdev, char **copy)
{
	struct device *dev = &pdev->dev;
	bool had;

	spin_lock(&dev->driver_override.lock);
	had = dev->driver_override.name;
	*copy = had ? kstrdup(dev->driver_override.name, GFP_ATOMIC) : NULL;
	spin_unlock(&dev->driver_override.lock);
	return had && !*copy ? -ENOMEM : 0;
}
#else
static inline int gpupart_driver_override_dup(struct pci_dev *pdev, char **copy)
{
	int rc = 0;

	device_lock(&pdev->dev);
	*copy = NULL;
	if (pdev->driver_override) {
		*copy = kstrdup(pdev->driver_override, GFP_KERNEL);
		rc = *copy ? 0 : -ENOMEM;
	}
	device_unlock(&pdev->dev);
	return rc;
}
#endif

struct pci_dev;

/*
 * The type of aer_event's TLP header argument: struct pcie_tlp_log from
 * 6.7 on, struct aer_header_log_regs before (Kbuild reads ras_event.h).
 */
#ifdef GPUPART_AER_TLP_PCIE_TLP_LOG
struct pcie_tlp_log;
#define gpupart_aer_tlp_log struct pcie_tlp_log
#else
struct aer_header_log_regs;
#define gpupart_aer_tlp_log struct aer_header_log_regs
#endif

/**
 * gpupart_refuse() - say why a request was refused
 * @pdev: the device the refusal is about, or NULL
 * @extack: the request's, or NULL where there is no request (the
 *	sriov_numvfs door)
 * @fmt: printf format of the reason
 *
 * As the kernel's BOND_NL_ERR() does: the reason goes into the extack,
 * or, without one, into the kernel log, ratelimited ("refused: ...").
 * Either way it is cut at GPUPART_EXTACK_LEN - 1 bytes.
 */
void gpupart_refuse(struct pci_dev *pdev, struct netlink_ext_ack *extack,
		    const char *fmt, ...) __printf(3, 4);

#endif /* _GPUPART_COMPAT_H */
