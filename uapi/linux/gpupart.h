/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/*
 * gpupart: GPU partitioning for Linux/KVM hypervisor hosts.
 *
 * Generic netlink interface. Documentation/netlink/specs/gpupart.yaml
 * describes the same family; the selftests fail when the two drift apart.
 * Values are append-only: never renumber.
 */
#ifndef _UAPI_LINUX_GPUPART_H
#define _UAPI_LINUX_GPUPART_H

#define GPUPART_FAMILY_NAME	"gpupart"
#define GPUPART_FAMILY_VERSION	1

/* Longest PCI address string accepted, "DDDDD:BB:DD.F" without the NUL. */
#define GPUPART_PCI_ADDR_MAX_LEN	16

/**
 * enum gpupart_mode - what a GPU is used for
 * @GPUPART_MODE_NONE: owned by the host, SR-IOV off, nothing assigned
 * @GPUPART_MODE_PARTITION: SR-IOV on, one partition per virtual function
 * @GPUPART_MODE_DDA: the whole GPU is reserved for passthrough to one VM
 */
enum gpupart_mode {
	GPUPART_MODE_NONE = 1,
	GPUPART_MODE_PARTITION,
	GPUPART_MODE_DDA,

	/* private: */
	__GPUPART_MODE_MAX,
	GPUPART_MODE_MAX = (__GPUPART_MODE_MAX - 1)
};

enum {
	GPUPART_A_PCI_ADDR = 1,
	GPUPART_A_VENDOR,
	GPUPART_A_DEVICE,
	GPUPART_A_SUBSYS_VENDOR,
	GPUPART_A_SUBSYS_DEVICE,
	GPUPART_A_MODEL,
	GPUPART_A_TOTAL_VFS,
	GPUPART_A_FB_BYTES,
	GPUPART_A_VALID_COUNT,
	GPUPART_A_MODE,
	GPUPART_A_PAD,

	__GPUPART_A_MAX,
	GPUPART_A_MAX = (__GPUPART_A_MAX - 1)
};

enum {
	GPUPART_CMD_DEV_GET = 1,

	__GPUPART_CMD_MAX,
	GPUPART_CMD_MAX = (__GPUPART_CMD_MAX - 1)
};

#endif /* _UAPI_LINUX_GPUPART_H */
