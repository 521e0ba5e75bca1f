/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	Documentation/netlink/specs/gpupart.yaml */
/* YNL-GEN uapi header */

#ifndef _UAPI_LINUX_GPUPART_H
#define _UAPI_LINUX_GPUPART_H

#define GPUPART_FAMILY_NAME	"gpupart"
#define GPUPART_FAMILY_VERSION	1

#define GPUPART_PCI_ADDR_MAX_LEN	16
#define GPUPART_VM_NAME_MAX_LEN		64

/**
 * enum gpupart_mode - What a GPU is used for.
 * @GPUPART_MODE_NONE: Owned by the host, SR-IOV off, nothing assigned.
 * @GPUPART_MODE_PARTITION: SR-IOV on, one partition per virtual function.
 * @GPUPART_MODE_DDA: The whole GPU is reserved for passthrough to one VM.
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
 * enum gpupart_partition_state - What a partition is doing.
 * @GPUPART_PARTITION_STATE_FREE: Clean and available for assignment.
 * @GPUPART_PARTITION_STATE_ASSIGNED: Held by a VM.
 * @GPUPART_PARTITION_STATE_SCRUBBING: Nothing holds its VF any more; being
 *   reset before reuse.
 * @GPUPART_PARTITION_STATE_QUARANTINED: A reset failed; never assigned until
 *   an administrator clears it. Its VF is bound to no driver, and its
 *   driver_override says gpupart-quarantined, which outlives gpupart's record
 *   of it.
 * @GPUPART_PARTITION_STATE_RELEASING: No VM holds it, but a VMM may still have
 *   its VF: nothing may bind the VF, and once no VMM has it (no VFIO container
 *   or iommufd owns its IOMMU group) its driver is unbound and it is reset
 *   (scrubbing). Also the state of VFs found enabled when gpupart binds a GPU.
 */
enum gpupart_partition_state {
	GPUPART_PARTITION_STATE_FREE = 1,
	GPUPART_PARTITION_STATE_ASSIGNED,
	GPUPART_PARTITION_STATE_SCRUBBING,
	GPUPART_PARTITION_STATE_QUARANTINED,
	GPUPART_PARTITION_STATE_RELEASING,

	/* private: */
	__GPUPART_PARTITION_STATE_MAX,
	GPUPART_PARTITION_STATE_MAX = (__GPUPART_PARTITION_STATE_MAX - 1)
};

/**
 * enum gpupart_kind - What a VM holds.
 * @GPUPART_KIND_PARTITION: One partition of a partitioned GPU.
 * @GPUPART_KIND_DDA: Whole GPUs, passed through (Discrete Device Assignment).
 */
enum gpupart_kind {
	GPUPART_KIND_PARTITION = 1,
	GPUPART_KIND_DDA,

	/* private: */
	__GPUPART_KIND_MAX,
	GPUPART_KIND_MAX = (__GPUPART_KIND_MAX - 1)
};

/**
 * enum gpupart_placement - How VM_ASSIGN picks a partition.
 * @GPUPART_PLACEMENT_SPREAD: On the partitioned GPU with the most free
 *   partitions, ties broken by PCI address: load is balanced.
 * @GPUPART_PLACEMENT_PACK: On the GPU with the fewest free partitions that
 *   still has one, ties broken by PCI address: whole GPUs stay free.
 */
enum gpupart_placement {
	GPUPART_PLACEMENT_SPREAD = 1,
	GPUPART_PLACEMENT_PACK,

	/* private: */
	__GPUPART_PLACEMENT_MAX,
	GPUPART_PLACEMENT_MAX = (__GPUPART_PLACEMENT_MAX - 1)
};

/**
 * enum gpupart_revoke_reason - Why a VM lost what it held.
 * @GPUPART_REVOKE_REASON_DEVICE_REMOVED: The GPU went away (hot-unplug, sysfs
 *   remove, unbinding).
 * @GPUPART_REVOKE_REASON_DEVICE_ERROR: The GPU had a fatal PCIe error, or did
 *   not recover from one.
 * @GPUPART_REVOKE_REASON_VFS_DISABLED: The GPU's VFs were disabled outside
 *   gpupart: through its vendor driver's sriov_numvfs, for a GPU held beside
 *   that driver.
 */
enum gpupart_revoke_reason {
	GPUPART_REVOKE_REASON_DEVICE_REMOVED = 1,
	GPUPART_REVOKE_REASON_DEVICE_ERROR,
	GPUPART_REVOKE_REASON_VFS_DISABLED,

	/* private: */
	__GPUPART_REVOKE_REASON_MAX,
	GPUPART_REVOKE_REASON_MAX = (__GPUPART_REVOKE_REASON_MAX - 1)
};

/**
 * enum gpupart_hold - How gpupart holds a GPU.
 * @GPUPART_HOLD_DRIVER: As its PF driver: gpupart is bound to the PF and
 *   enables SR-IOV itself (GPUs named with the ids= parameter).
 * @GPUPART_HOLD_VENDOR: Beside its vendor's PF driver, which stays bound to
 *   the PF: gpupart enables and disables SR-IOV through that driver's
 *   sriov_configure (the built-in table's GPUs, and those named with
 *   vendor_ids=).
 */
enum gpupart_hold {
	GPUPART_HOLD_DRIVER = 1,
	GPUPART_HOLD_VENDOR,

	/* private: */
	__GPUPART_HOLD_MAX,
	GPUPART_HOLD_MAX = (__GPUPART_HOLD_MAX - 1)
};

/**
 * enum gpupart_error - A PCIe error on a GPU, and how recovery went.
 * @GPUPART_ERROR_NON_FATAL: An uncorrectable, non-fatal error: the GPU is
 *   recovering. VMs keep their partitions; free ones are quarantined; no new
 *   assignment.
 * @GPUPART_ERROR_FATAL: A fatal error: the link is reset and every VM on the
 *   GPU lost what it held (vm-revoke-ntf, reason device-error).
 * @GPUPART_ERROR_FAILED: Recovery failed: VMs lost what they held and the GPU
 *   stays out of service until it is unbound and bound again, or removed and
 *   rescanned.
 * @GPUPART_ERROR_RECOVERED: Recovery worked: quarantined partitions are reset
 *   and return to service (dev-error-ntf only).
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
	GPUPART_A_RELEASING,
	GPUPART_A_EXACT,
	GPUPART_A_HOLD,
	GPUPART_A_PF_DRIVER,
	GPUPART_A_UNADOPTED_VFS,

	__GPUPART_A_MAX,
	GPUPART_A_MAX = (__GPUPART_A_MAX - 1)
};

enum {
	GPUPART_A_ASSIGNMENT_DEV = 1,
	GPUPART_A_ASSIGNMENT_INDEX,
	GPUPART_A_ASSIGNMENT_VF,
	GPUPART_A_ASSIGNMENT_PROFILE,

	__GPUPART_A_ASSIGNMENT_MAX,
	GPUPART_A_ASSIGNMENT_MAX = (__GPUPART_A_ASSIGNMENT_MAX - 1)
};

enum {
	GPUPART_A_PARTITION_INDEX = 1,
	GPUPART_A_PARTITION_VF,
	GPUPART_A_PARTITION_STATE,
	GPUPART_A_PARTITION_FB_BYTES,
	GPUPART_A_PARTITION_VM,
	GPUPART_A_PARTITION_PAD,
	GPUPART_A_PARTITION_PROFILE,

	__GPUPART_A_PARTITION_MAX,
	GPUPART_A_PARTITION_MAX = (__GPUPART_A_PARTITION_MAX - 1)
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

#define GPUPART_MCGRP_MONITOR	"monitor"

#endif /* _UAPI_LINUX_GPUPART_H */
