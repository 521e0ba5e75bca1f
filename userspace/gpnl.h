/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libgpupart: a small client of the gpupart generic netlink family, used by
 * gpupartctl and by the selftests.
 */
#ifndef GPNL_H
#define GPNL_H

#include <stdbool.h>
#include <stdint.h>
#include <netlink/genl/genl.h>
#include <linux/gpupart.h>

#define GPNL_MAX_COUNTS	64

/**
 * struct gpnl - a connection to the gpupart family
 * @sk: the netlink socket
 * @family: resolved family id
 * @err: the kernel's extended-ack text for the last failed request, or ""
 */
struct gpnl {
	struct nl_sock *sk;
	int family;
	char err[256];
};

/* One device, as DEV_GET reports it. */
struct gpnl_dev {
	char pci[GPUPART_PCI_ADDR_MAX_LEN + 1];
	uint16_t vendor, device, subsys_vendor, subsys_device;
	char model[64];
	uint32_t total_vfs;
	bool has_fb;
	uint64_t fb_bytes;
	uint32_t counts[GPNL_MAX_COUNTS];
	unsigned int n_counts;
	uint32_t mode;
};

/* Called once per reply message; return 0 to go on, negative to stop. */
typedef int (*gpnl_cb)(struct nlmsghdr *nlh, void *arg);

/* 0, -ENOENT when the family is not registered, or another -errno. */
int gpnl_open(struct gpnl *nl);
void gpnl_close(struct gpnl *nl);
struct nl_msg *gpnl_msg(struct gpnl *nl, uint8_t cmd, int flags);
/* Sends @msg (and frees it); 0 or the kernel's -errno, text in nl->err. */
int gpnl_exec(struct gpnl *nl, struct nl_msg *msg, gpnl_cb cb, void *arg);

int gpnl_dev_parse(struct nlmsghdr *nlh, struct gpnl_dev *dev);
/* DEV_GET for one device (@pci) or, with @pci NULL, a dump. */
int gpnl_dev_get(struct gpnl *nl, const char *pci,
		 int (*each)(const struct gpnl_dev *dev, void *arg), void *arg);

const char *gpnl_mode_name(uint32_t mode);

#endif
