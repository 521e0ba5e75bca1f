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
#define GPNL_MAX_PARTS	128
#define GPNL_VM_MAX	GPUPART_VM_NAME_MAX_LEN

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

/* One partition, as DEV_GET reports it. */
struct gpnl_part {
	uint32_t index;
	char vf[GPUPART_PCI_ADDR_MAX_LEN + 1];
	uint32_t state;
	bool has_fb;
	uint64_t fb_bytes;
	char vm[GPNL_VM_MAX + 1];	/* "" when no VM holds it */
	char profile[32];		/* its vendor profile, or "" */
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
	char vm[GPNL_VM_MAX + 1];	/* mode dda: the VM holding it, or "" */
	uint32_t count;
	struct gpnl_part parts[GPNL_MAX_PARTS];
	unsigned int n_parts;
	uint32_t error;		/* enum gpupart_error, 0 when healthy */
	bool releasing;		/* mode dda: being taken back from its last VM */
	uint32_t hold;		/* enum gpupart_hold */
	char pf_driver[64];	/* the PF's driver, or "" */
	uint32_t unadopted;	/* VFs enabled outside gpupart */
};

/* One GPU resource a VM holds: a partition, or (no index) a whole GPU. */
struct gpnl_assign {
	char dev[GPUPART_PCI_ADDR_MAX_LEN + 1];
	bool has_index;
	uint32_t index;
	char vf[GPUPART_PCI_ADDR_MAX_LEN + 1];
	char profile[32];	/* a partition's vendor profile, or "" */
};

#define GPNL_MAX_ASSIGN	32

/* A VM, as VM_GET reports it. */
struct gpnl_vm {
	char name[GPNL_VM_MAX + 1];
	uint32_t kind;
	struct gpnl_assign a[GPNL_MAX_ASSIGN];
	unsigned int n;
};

/* The host's partitioning, as HOST_GET reports it. */
struct gpnl_host {
	uint32_t placement;
	bool homogeneous;
	uint32_t partitioned;
	bool has_model;		/* the fields below are valid */
	uint16_t vendor, device, subsys_vendor, subsys_device;
	char model[64];
	uint32_t count;
};

/* A notification from the monitor group: one of dev, vm or part is set. */
struct gpnl_event {
	uint8_t cmd;
	const char *name;	/* the spec's name, e.g. "dev-change" */
	/* GPNL_EV_FAMILY: the family went away (rmmod) or came back */
	enum { GPNL_EV_DEV, GPNL_EV_VM, GPNL_EV_PART, GPNL_EV_FAMILY } what;
	uint32_t reason;	/* vm-revoke: enum gpupart_revoke_reason */
	struct gpnl_dev dev;
	struct gpnl_vm vm;
	struct gpnl_assign part;
};

/* Called once per reply message; return 0 to go on, negative to stop. */
typedef int (*gpnl_cb)(struct nlmsghdr *nlh, void *arg);

/* 0, -ENOENT when the family is not registered, or another -errno. */
int gpnl_open(struct gpnl *nl);
/*
 * gpnl_open(), waiting for as long as it takes while the family is not
 * registered (gpupart not loaded); @waiting, when not NULL, is called
 * once before the wait. Return: 0 or another -errno of gpnl_open().
 */
int gpnl_open_wait(struct gpnl *nl, void (*waiting)(void *arg), void *arg);
void gpnl_close(struct gpnl *nl);
struct nl_msg *gpnl_msg(struct gpnl *nl, uint8_t cmd, int flags);
/* Sends @msg (and frees it); 0 or the kernel's -errno, text in nl->err. */
int gpnl_exec(struct gpnl *nl, struct nl_msg *msg, gpnl_cb cb, void *arg);

int gpnl_dev_parse(struct nlmsghdr *nlh, struct gpnl_dev *dev);
/*
 * DEV_GET for one device (@pci) or, with @pci NULL, a dump. A dump is read
 * whole before @each sees any of it, and read again when the kernel marks
 * it interrupted; -EAGAIN (text in nl->err) when it was every time.
 */
int gpnl_dev_get(struct gpnl *nl, const char *pci,
		 int (*each)(const struct gpnl_dev *dev, void *arg), void *arg);

/* DEV_SET; @count is sent only when @with_count. */
int gpnl_dev_set(struct gpnl *nl, const char *pci, uint32_t mode,
		 uint32_t count, bool with_count);
int gpnl_host_get(struct gpnl *nl, struct gpnl_host *host);

/*
 * VM_ASSIGN, the one call for every kind of request; 0 or NULL is not sent.
 * @kind: GPUPART_KIND_PARTITION (the default) or GPUPART_KIND_DDA
 * @dev: kind dda, the GPU to take (else any free one)
 * @restore_vf: restoring a saved configuration, the partition's VF; when
 *	it is not free the kernel places the VM by policy: compare @out
 * @out: what the VM was given, from the kernel's reply; may be NULL
 */
int gpnl_vm_assign(struct gpnl *nl, const char *name, uint32_t kind,
		   const char *dev, const char *restore_vf, struct gpnl_vm *out);
/* The partition at @vf, or none: refused with the reason when it is not free. */
int gpnl_vm_assign_vf(struct gpnl *nl, const char *name, const char *vf,
		      struct gpnl_vm *out);
int gpnl_vm_release(struct gpnl *nl, const char *name);
/* VM_GET for one VM (@name) or, with @name NULL, a dump (as gpnl_dev_get()). */
int gpnl_vm_get(struct gpnl *nl, const char *name,
		int (*each)(const struct gpnl_vm *vm, void *arg), void *arg);
int gpnl_vm_parse(struct nlmsghdr *nlh, struct gpnl_vm *vm);
int gpnl_host_set(struct gpnl *nl, uint32_t placement);
int gpnl_partition_clear(struct gpnl *nl, const char *dev, uint32_t index);

/*
 * Join the monitor group, and nlctrl's, for family-del and family-new: the
 * socket then receives only events. -EPERM when reading is restricted.
 */
int gpnl_monitor(struct gpnl *nl);
/* After family-new: the family's new id, and its monitor group again. */
int gpnl_monitor_rejoin(struct gpnl *nl);
/*
 * Wait up to @timeout_ms (-1: for ever) for events and hand each to @each.
 * Return: the number of events handled (0: timed out), -ENOBUFS when the
 * socket overran and events were lost, or another -errno.
 */
int gpnl_events(struct gpnl *nl, int timeout_ms,
		void (*each)(const struct gpnl_event *ev, void *arg), void *arg);

/**
 * struct gpnl_names - the names of one uAPI enum, as the spec spells them
 * @names: by value; NULL where a value has no name (0)
 * @n: entries in @names
 */
struct gpnl_names {
	const char *const *names;
	uint32_t n;
};

extern const struct gpnl_names gpnl_modes, gpnl_states, gpnl_kinds,
	gpnl_placements, gpnl_reasons, gpnl_errors, gpnl_event_names, gpnl_holds;

/* A value's name, "unknown" when it has none. */
const char *gpnl_name(const struct gpnl_names *t, uint32_t v);
/* A name's value; 0 when the name is unknown. */
uint32_t gpnl_value(const struct gpnl_names *t, const char *name);

static inline const char *gpnl_mode_name(uint32_t v) { return gpnl_name(&gpnl_modes, v); }
static inline const char *gpnl_state_name(uint32_t v) { return gpnl_name(&gpnl_states, v); }
static inline const char *gpnl_kind_name(uint32_t v) { return gpnl_name(&gpnl_kinds, v); }
static inline const char *gpnl_reason_name(uint32_t v) { return gpnl_name(&gpnl_reasons, v); }
static inline const char *gpnl_placement_name(uint32_t v) { return gpnl_name(&gpnl_placements, v); }
/* NULL for 0 (no error). */
const char *gpnl_error_name(uint32_t error);

#endif
