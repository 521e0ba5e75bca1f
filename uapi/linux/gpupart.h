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

#define GPUPART_MCGRP_MONITOR	"monitor"

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

/**
 * enum gpupart_partition_state - what a partition is doing
 * @GPUPART_PARTITION_STATE_FREE: clean and available for assignment
 * @GPUPART_PARTITION_STATE_ASSIGNED: held by a VM
 * @GPUPART_PARTITION_STATE_SCRUBBING: released, being reset before reuse
 * @GPUPART_PARTITION_STATE_QUARANTINED: a reset failed; never assigned
 *	until an administrator clears it
 */
enum gpupart_partition_state {
	GPUPART_PARTITION_STATE_FREE = 1,
	GPUPART_PARTITION_STATE_ASSIGNED,
	GPUPART_PARTITION_STATE_SCRUBBING,
	GPUPART_PARTITION_STATE_QUARANTINED,

	/* private: */
	__GPUPART_PARTITION_STATE_MAX,
	GPUPART_PARTITION_STATE_MAX = (__GPUPART_PARTITION_STATE_MAX - 1)
};

/**
 * enum gpupart_kind - what a VM holds
 * @GPUPART_KIND_PARTITION: one partition of a partitioned GPU
 * @GPUPART_KIND_DDA: whole GPUs, passed through (Discrete Device Assignment)
 */
enum gpupart_kind {
	GPUPART_KIND_PARTITION = 1,
	GPUPART_KIND_DDA,

	/* private: */
	__GPUPART_KIND_MAX,
	GPUPART_KIND_MAX = (__GPUPART_KIND_MAX - 1)
};

/**
 * enum gpupart_placement - how VM_ASSIGN picks a partition
 * @GPUPART_PLACEMENT_SPREAD: on the GPU with the most free partitions
 * @GPUPART_PLACEMENT_PACK: on the GPU with the fewest that still has one
 */
enum gpupart_placement {
	GPUPART_PLACEMENT_SPREAD = 1,
	GPUPART_PLACEMENT_PACK,

	/* private: */
	__GPUPART_PLACEMENT_MAX,
	GPUPART_PLACEMENT_MAX = (__GPUPART_PLACEMENT_MAX - 1)
};

/**
 * enum gpupart_revoke_reason - why a VM lost what it held
 * @GPUPART_REVOKE_REASON_DEVICE_REMOVED: the GPU went away (hot-unplug,
 *	sysfs remove, unbinding)
 * @GPUPART_REVOKE_REASON_DEVICE_ERROR: the GPU failed
 */
enum gpupart_revoke_reason {
	GPUPART_REVOKE_REASON_DEVICE_REMOVED = 1,
	GPUPART_REVOKE_REASON_DEVICE_ERROR,

	/* private: */
	__GPUPART_REVOKE_REASON_MAX,
	GPUPART_REVOKE_REASON_MAX = (__GPUPART_REVOKE_REASON_MAX - 1)
};

/**
 * enum gpupart_error - a PCIe error on a GPU, and how recovery went
 * @GPUPART_ERROR_NON_FATAL: an uncorrectable, non-fatal error; the GPU is
 *	recovering, VMs keep their partitions, free ones are quarantined
 * @GPUPART_ERROR_FATAL: a fatal error; the link is reset, every VM on the
 *	GPU lost what it held
 * @GPUPART_ERROR_FAILED: recovery failed; the GPU stays out of service
 *	until it is unbound and bound again (or removed and rescanned)
 * @GPUPART_ERROR_RECOVERED: recovery worked; quarantined partitions are
 *	scrubbed and return to service (events only)
 */
enum gpupart_error {
	GPUPART_ERROR_NON_FATAL = 1,
	GPUPART_ERROR_FATAL,
	GPUPART_ERROR_FAILED,
	GPUPART_ERROR_RECOVERED,

	/* private: */
	__GPUPART_ERROR_MAX,
	GPUPART_ERROR_MAX = (__GPUPART_ERROR_MAX - 1)
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
	GPUPART_A_PARTITION_COUNT,
	GPUPART_A_PARTITION,
	GPUPART_A_HOMOGENEOUS,
	GPUPART_A_PARTITIONED_GPUS,
	GPUPART_A_VM,
	GPUPART_A_KIND,
	GPUPART_A_PLACEMENT,
	GPUPART_A_ASSIGNMENT,
	GPUPART_A_INDEX,
	GPUPART_A_REASON,
	GPUPART_A_ERROR,
	GPUPART_A_RESTORE_VF,

	__GPUPART_A_MAX,
	GPUPART_A_MAX = (__GPUPART_A_MAX - 1)
};

enum {
	GPUPART_A_PARTITION_INDEX = 1,
	GPUPART_A_PARTITION_VF,
	GPUPART_A_PARTITION_STATE,
	GPUPART_A_PARTITION_FB_BYTES,
	GPUPART_A_PARTITION_VM,
	GPUPART_A_PARTITION_PAD,

	__GPUPART_A_PARTITION_MAX,
	GPUPART_A_PARTITION_MAX = (__GPUPART_A_PARTITION_MAX - 1)
};

enum {
	GPUPART_A_ASSIGNMENT_DEV = 1,
	GPUPART_A_ASSIGNMENT_INDEX,
	GPUPART_A_ASSIGNMENT_VF,

	__GPUPART_A_ASSIGNMENT_MAX,
	GPUPART_A_ASSIGNMENT_MAX = (__GPUPART_A_ASSIGNMENT_MAX - 1)
};

enum {
	GPUPART_CMD_DEV_GET = 1,
	GPUPART_CMD_DEV_SET,
	GPUPART_CMD_HOST_GET,
	GPUPART_CMD_DEV_ADD_NTF,
	GPUPART_CMD_DEV_DEL_NTF,
	GPUPART_CMD_DEV_CHANGE_NTF,
	GPUPART_CMD_VM_ASSIGN,
	GPUPART_CMD_VM_RELEASE,
	GPUPART_CMD_VM_GET,
	GPUPART_CMD_HOST_SET,
	GPUPART_CMD_PARTITION_CLEAR,
	GPUPART_CMD_VM_ASSIGN_NTF,
	GPUPART_CMD_VM_RELEASE_NTF,
	GPUPART_CMD_PARTITION_SCRUBBED_NTF,
	GPUPART_CMD_PARTITION_QUARANTINED_NTF,
	GPUPART_CMD_VM_REVOKE_NTF,
	GPUPART_CMD_DEV_ERROR_NTF,

	__GPUPART_CMD_MAX,
	GPUPART_CMD_MAX = (__GPUPART_CMD_MAX - 1)
};

#endif /* _UAPI_LINUX_GPUPART_H */
