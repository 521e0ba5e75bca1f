/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gpupart: GPU partitioning for Linux/KVM hypervisor hosts.
 * Internal declarations shared by the module's files.
 */
#ifndef _GPUPART_H
#define _GPUPART_H

#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/types.h>
#include <linux/workqueue.h>
#include <net/genetlink.h>
#include <linux/gpupart.h>

#include "gpupart_nl.h"
#include "dev_fsm.h"

#include "compat.h"

/*
 * Layout
 *
 * Each file uses only the files above it in this list, never one below:
 *
 *   models.c    the built-in table and what follows from a GPU's identity
 *   compat.c    what differs between the kernels gpupart builds on
 *   own.c       the IOMMU groups gpupart owns while it unbinds a driver
 *   way.c       how gpupart holds a GPU: the operations that differ
 *   debugfs.c   the model table and every fault-injection knob
 *   core.c      the registry: records found and counted, VMs, the
 *               placement policy, the locks
 *   family.c    the generic netlink family, and the GPU a request names
 *   msg.c       every message: replies, dump entries, events
 *   part.c      a partition's life: release, reset, quarantine
 *   dev.c       a GPU record's life: its states, its entry, its end and
 *               what its VMs lose then
 *   mode.c      the mode policy behind DEV_SET and sriov_numvfs
 *   dda.c       a whole GPU's PF handed to the passthrough driver and
 *               taken back
 *   vm.c        what VMs are given and give back: a partition, whole GPUs
 *   err.c       PCIe error recovery
 *   watch.c     PCIe errors of a GPU held beside its vendor's driver
 *   pci.c       the PCI driver: probe and remove, register and unregister
 *   nl_dev.c, nl_host.c, nl_vm.c   the requests, by object
 *   gpupart_nl.c  policies and ops, generated from the spec
 *   main.c      load and unload
 *
 * "make lint" checks the order (scripts/kmod-deps.py).
 */

/*
 * Locking
 *
 * The order, outermost first. Nothing is taken against it, and nothing
 * of gpupart's is held while a lock above it is waited for.
 *
 * 1. pci_rescan_remove_lock and the PF's device lock: the PCI core's.
 *    It takes them in both orders itself (removal and hot-unplug: rescan
 *    lock, then device lock; Debian 6.1's sriov_numvfs_store: device lock,
 *    then rescan lock), so gpupart takes the device lock of a PF only
 *    with nothing of its own held (the DDA handover and return_work, in
 *    the driver core and to read where the handover ended, then 4) and
 *    the rescan lock likewise (DEV_SET, gone_work). DEV_SET holds the
 *    rescan lock across pci_enable_sriov() and pci_disable_sriov(), as
 *    sriov_numvfs_store() does since a5338e365c45. Assumed: the PCI core
 *    does not take it again inside them. 05703271c3cd did (in
 *    sriov_add_vfs() and sriov_del_vfs()) until 2fa119c0e5e5 reverted
 *    it; on a kernel with the first and not the second, DEV_SET would
 *    wait for itself: Kbuild refuses those stable releases (6.1.157 to
 *    .164, 6.12.54 to .74).
 * 2. A GPU's mode_lock (gdev->mode_lock): serialises the GPU's mode
 *    changes, SR-IOV enable and disable with them; never two GPUs' at
 *    once, so that one GPU's change waits for nothing of another's
 *    (the PCI core's error walks pair each GPU's device lock with
 *    pci_bus_sem: a host-wide lock would pair different GPUs). The
 *    host's homogeneity is checked and made in one step all the same:
 *    a change to mode partition under way counts as made (@count_to)
 *    for every other GPU's check. remove() takes it, so no mode change
 *    runs on a GPU being removed. pci_enable_sriov() and
 *    pci_disable_sriov() run under it and take pci_bus_sem, the bus
 *    notifier rwsem and the VFs' device locks.
 * 3. A VF's device lock: the partitions' work unbinds the VF's driver,
 *    resets and binds it. It unbinds only once no VMM has the VF (see
 *    part.c), so the unbinding never waits for a tenant while it holds
 *    the lock. The work does not start while the GPU is in error recovery.
 * 3a. gpupart_owner_lock (own.c): the IOMMU groups gpupart owns while a
 *    partition's work or a DDA return unbinds a driver. Taken there with
 *    nothing else held, and by gone_work under a let-go PF's device lock
 *    (gpupart_parts_shelve()); as holders list and unlist their devices (under
 *    2, or the PF's device lock at probe and remove, or genetlink's
 *    cb_lock when a request drops the last reference to a record); and
 *    in the bus notifier as any PCI device is deleted (under the notifier
 *    rwsem, the rescan lock and the PF's locks). It nests only 3b.
 * 3b. A VF's IOMMU group mutex, the IOMMU core's: gpupart_vf_peer()
 *    walks the group as the partitions are made (under 2, or the PF's
 *    device lock at probe), with nothing of gpupart's held, and
 *    gpupart claims and gives up the group's DMA under 3a. The IOMMU
 *    core calls nothing of gpupart's with it held.
 * 4. gpupart_lock: the registry (GPUs, VMs, the placement policy) and
 *    every record's state. A leaf: held only to read or change state,
 *    send an event or allocate; never across a PCI call that sleeps on a
 *    lock, a work item or another lock of this list. So the PCI core,
 *    holding any lock above while it calls into gpupart, always gets it.
 * 5. gdev->err_lock (spinlock): what the PCIe error callbacks report.
 * 6. gpupart_watch_lock (spinlock, watch.c): the errors the aer_event
 *    tracepoint logged, kept for the watch; taken alone, with interrupts
 *    off, in whatever context the kernel logs an error.
 *
 * Functions named __gpupart_*() need gpupart_lock held and say so with
 * lockdep_assert_held(); the others take what they need themselves.
 *
 * genl_mutex is not taken: the family is parallel_ops. gpupart guards its
 * own state, and a request that waits (a handover, the rescan lock) must
 * not stop every other generic netlink family of the host. No request
 * waits for a tenant: what waits for a VMM to let go (a partition's
 * release, a whole GPU's return) runs in a work item. pre_doit pins the
 * module and the GPU a request names for the request's duration; it does
 * not lock: DEV_SET and DDA assignment wait for locks 1 and 2, which
 * gpupart_lock must never be held across, so each handler takes
 * gpupart_lock for its critical sections.
 *
 * Work items: the partitions' work, err_work and the watch's (a GPU's
 * watch_work, and the one that reads the tracepoint's reports) take only
 * locks 3 to 6; a record's watch_work is cancelled before its err_work;
 * remove() waits for them under locks 1 and 2 (a partition waiting for
 * its VMM is between two runs of its work, and is cancelled). return_work
 * takes a PF's device lock through the driver core, then 4; nothing waits
 * for it but module exit, which it keeps away with a reference on
 * gpupart. gone_work takes the device lock of a PF its vendor's driver
 * let go of, with nothing held, and under it 3, 3a (3b) and 4 to mark
 * and claim the VFs left enabled, then 3 and 3a without it to unbind
 * them; then the rescan lock and under it 2 and 4; never the two locks
 * of 1 at once; only module exit waits for it, holding nothing, before
 * it clears the VFs' marks.
 *
 * Lifetime: a GPU's record (struct gpupart_dev) and a VM (struct
 * gpupart_vm) are counted (@ref). The registry holds one reference on
 * each, and so does anyone who uses one with gpupart_lock dropped; a
 * record out of the registry stays readable until its last reference
 * goes. Each record holds a reference on its PF, and each partition one
 * on its VF, for its whole life, so a pci_dev outlives every record that
 * points at it. A VM is in the registry while it holds something: every
 * partition and whole GPU it holds counts in its @holds.
 */

/**
 * struct gpupart_model - a partitionable GPU model from the built-in table
 * @name: marketing name, e.g. "A16"
 * @fb_bytes: framebuffer of one GPU (one PCI function)
 * @counts: valid partition counts, ascending, 0-terminated; a count is one
 *	whose share of the framebuffer is one of the vendor's profile sizes
 * @vf_driver: the driver a partition's VF needs, held beside the vendor's
 *	PF driver (NVIDIA's host driver is its VFs' VFIO driver too); NULL:
 *	the passthrough driver
 */
struct gpupart_model {
	const char *name;
	u64 fb_bytes;
	u8 counts[12];
	const char *vf_driver;
};

struct gpupart_dev;

/**
 * struct gpupart_way - the operations that differ with how a GPU is held
 * @lock: take the PCI core's locks that a request's mode change holds
 * @unlock: drop them
 * @sriov_on: enable @count VFs; called with @lock's locks and the GPU's
 *	mode_lock held
 * @sriov_off: disable the VFs, likewise
 *
 * See way.c. What else differs is data of the record: the driver the PF
 * is bound to when at home (@home), the one its VFs go to (@vf_driver).
 */
struct gpupart_way {
	void (*lock)(struct gpupart_dev *gdev);
	void (*unlock)(struct gpupart_dev *gdev);
	int (*sriov_on)(struct gpupart_dev *gdev, u32 count);
	void (*sriov_off)(struct gpupart_dev *gdev);
};

/**
 * struct gpupart_owned - a device whose IOMMU group gpupart may own (own.c)
 * @node: in gpupart's list of such devices, for the bus notifier
 * @pdev: the device
 * @group: its group while gpupart owns it (referenced), else NULL
 * @deleted: the device is being deleted: never claimed again
 *
 * Context: gpupart_owner_lock (own.c) guards @node, @group and @deleted.
 */
struct gpupart_owned {
	struct list_head node;
	struct pci_dev *pdev;
	struct iommu_group *group;
	bool deleted;
};

/**
 * struct gpupart_partition - one partition: an SR-IOV virtual function
 * @vf: the VF, referenced while the partition exists
 * @state: what the partition is doing
 * @vm: the VM holding it, or NULL
 * @gdev: the GPU it is part of
 * @index: its VF index, its place in @gdev's partitions
 * @found: enabled before gpupart bound the GPU and not yet released: a
 *	driver_override mark may say it was quarantined before
 * @held: quarantined while free by a PCIe error, not by a failed reset:
 *	recovery returns it to service
 * @shared: its VF is not alone in its IOMMU group (gpupart_vf_peer()):
 *	quarantined, never free
 * @with_pf: @shared, and its PF is in that group
 * @vmm_kept: its GPU let go of, a VMM has its VF: gpupart_parts_shelve()
 *	leaves it bound
 * @own: its VF, for gpupart_own() while its driver is unbound
 * @work: the steps after a release (part.c), beside every other partition's
 *
 * Context: gpupart_lock guards every field but @vf, @gdev, @index,
 * @shared, @with_pf and @own, set when it is made, and @vmm_kept, the
 * shelving's own once the GPU is forgotten; @state changes only through
 * __gpupart_part_set().
 */
struct gpupart_partition {
	struct pci_dev *vf;
	u32 state;
	struct gpupart_vm *vm;
	struct gpupart_dev *gdev;
	u32 index;
	bool found;
	bool held;
	bool shared;
	bool with_pf;
	bool vmm_kept;
	struct gpupart_owned own;
	struct delayed_work work;
};

/**
 * struct gpupart_dev - a GPU (PCI physical function) bound to gpupart
 * @node: entry in the registry, sorted by PCI address
 * @ref: references: the registry's, and those of users outside gpupart_lock
 * @pdev: the physical function, referenced for the record's whole life
 * @model: built-in model, or NULL for devices added with the ids= parameter
 * @way: how gpupart holds it (way.c)
 * @home: the driver that has the PF when no VM does
 * @vf_driver: the driver its partitions are reserved for and bound to;
 *	empty: any
 * @total_vfs: the device's sriov_totalvfs, read at probe
 * @mode: current mode
 * @count: number of partitions in mode partition, else 0
 * @parts: the @count partitions, by VF index
 * @state: enum gpupart_dev_state: who has the PF (see dev.c); changes
 *	only through __gpupart_dev_set_state(). Away from gpupart, the
 *	record stays, so that nobody partitions the GPU behind its VM's back
 * @adopted: the VFs were enabled before gpupart bound the device, so
 *	unbinding leaves them enabled
 * @unadopted: VFs enabled outside gpupart while it held the GPU (its
 *	vendor driver's sriov_numvfs), reserved for no driver: the GPU takes
 *	no mode change but to none, or to partition with that very count
 *	(adopting them)
 * @vfs_lost: a partition's VF was deleted outside gpupart: gone_work
 *	revokes the partitions
 * @gone_parts: the partitions of a record forgotten in the bus notifier
 *	(its vendor driver let go), freed by gone_work
 * @gone_count: how many
 * @dda_vm: in mode dda, the VM the whole GPU is assigned to, or NULL;
 *	set only while the record is giving or passed
 * @error: enum gpupart_error while a PCIe error is being recovered from
 *	or recovery failed, else 0; no new assignment, no mode change then
 * @own: the PF, for gpupart_own() while @return_work unbinds its driver
 * @return_work: takes a released whole GPU back from the passthrough
 *	driver, however long its VMM keeps it open (dda.c)
 * @return_reset_ok: return_work's reset of the PF worked: the probe that
 *	takes the GPU back ends any PCIe error recovery only then
 * @override: the PF's driver_override as it was when a handover first
 *	took the GPU away from gpupart (an administrator's or driverctl's
 *	pin, or NULL), put back once gpupart has it again; touched only
 *	by the handover under way (the record giving or returning), by the
 *	probe of a GPU bound back by hand (away: no handover is under way)
 *	and at unload
 * @override_kept: @override holds what was there
 * @mode_lock: serialises this GPU's mode changes; see "Locking"
 * @count_to: while a change to mode partition is under way, its count,
 *	which other GPUs' homogeneity checks count as made; else 0
 * @err_work: acts on what the PCI core's error callbacks reported
 * @err_lock: guards @err_seen, @err_failed and @err_resumed, which the
 *	error callbacks set for @err_work; @err_seen is also read without it
 * @err_seen: the worst error (enum gpupart_error) reported and not yet
 *	acted on, else 0
 * @err_failed: recovery failed, not yet acted on
 * @err_resumed: recovery succeeded, not yet acted on
 * @watch_work: held beside a vendor's driver, follows that driver's
 *	recovery from a PCIe error (watch.c)
 * @watch_seq: bumped by each error it is told of, and when a DDA return
 *	ends recovery: a result computed across a change is not told
 * @watch_from: when the last error it follows was reported (jiffies)
 * @watch_end: when it first saw the recovery over, or 0
 * @watching: @watch_work follows a recovery
 * @watch_fatal: that recovery is from a fatal error
 * @watch_frozen: the PCI core froze the PF for it: its end is resume's
 *
 * Context: the registry lock (gpupart_lock) guards @node, @mode, @count,
 * @parts, @state, @adopted, @unadopted, @vfs_lost, @dda_vm,
 * @return_reset_ok, @count_to, @error and @watch_*; @pdev, @model, @way, @home,
 * @vf_driver and @total_vfs are set at probe and never change. Changing @mode, @count
 * or @parts also needs @mode_lock. See "Locking" above.
 */
struct gpupart_dev {
	struct list_head node;
	struct kref ref;
	struct pci_dev *pdev;
	const struct gpupart_model *model;
	const struct gpupart_way *way;
	char home[32];
	char vf_driver[32];
	u16 total_vfs;
	enum gpupart_mode mode;
	u32 count;
	struct gpupart_partition *parts;
	u32 state;
	bool adopted;
	u32 unadopted;
	bool vfs_lost;
	struct gpupart_partition *gone_parts;
	u32 gone_count;
	struct gpupart_vm *dda_vm;
	u32 error;
	struct delayed_work return_work;
	struct gpupart_owned own;
	bool return_reset_ok;
	char *override;
	bool override_kept;
	struct mutex mode_lock;	/* see "Locking" */
	u32 count_to;
	struct work_struct err_work;
	spinlock_t err_lock;	/* the error callbacks' reports, see above */
	u32 err_seen;
	bool err_failed;
	bool err_resumed;
	struct delayed_work watch_work;
	u32 watch_seq;
	unsigned long watch_from;
	unsigned long watch_end;
	bool watching;
	bool watch_fatal;
	bool watch_frozen;
};

/*
 * The driver_override of a VF enabled outside gpupart (its vendor
 * driver's sriov_numvfs): no driver has the name, so none binds it.
 */
#define GPUPART_UNADOPTED_MARK "gpupart-unadopted"

/*
 * Whether PCIe errors of a GPU in @state are gpupart's to act on: while it
 * has the PF, is handing it over (the claim goes, and the handover's end
 * takes it back) or has it back (returning, probed again). A report after
 * the PF passed to the passthrough driver is that driver's, and its VM's.
 */
static inline bool gpupart_dev_errs_ours(u32 state)
{
	return state == GPUPART_DEV_HOST || state == GPUPART_DEV_GIVING ||
	       state == GPUPART_DEV_RETURNING;
}

/* Out of the registry for good: nothing new is done with it. */
static inline bool gpupart_dev_gone(const struct gpupart_dev *gdev)
{
	return gdev->state == GPUPART_DEV_GONE;
}

/**
 * gpupart_in_error() - whether a GPU is out of service for a PCIe error
 * @gdev: the device
 *
 * True from the moment the PCI core reports the error, before err_work
 * has acted on it.
 *
 * Context: caller holds gpupart_lock.
 * Return: true while the GPU takes no new assignment.
 */
static inline bool gpupart_in_error(const struct gpupart_dev *gdev)
{
	return gdev->error || READ_ONCE(gdev->err_seen);
}

/**
 * struct gpupart_vm - a VM that holds GPU resources
 * @node: entry in gpupart_vms, sorted by name
 * @ref: references: the registry's, and those of users outside gpupart_lock
 * @holds: partitions and whole GPUs that point at it; it leaves the
 *	registry when the last is released or revoked
 * @kind: what it holds: one partition, or whole GPUs
 * @part: kind partition, the partition it holds
 * @name: as the caller named it; the only place a VM is known by name
 *
 * Context: gpupart_lock guards the list and every field but @ref.
 */
struct gpupart_vm {
	struct list_head node;
	struct kref ref;
	unsigned int holds;
	enum gpupart_kind kind;
	struct gpupart_partition *part;
	char name[GPUPART_VM_NAME_MAX_LEN + 1];
};

/* models.c: the built-in table, and what follows from a GPU's identity */
extern const struct pci_device_id gpupart_pci_ids[];
const struct gpupart_model *gpupart_model_of_id(const struct pci_device_id *id);
const struct gpupart_model *gpupart_model_of(struct pci_dev *pdev);
extern u32 gpupart_stand_in_model;
bool gpupart_profile(const struct gpupart_dev *gdev, char *buf, size_t len);
const char *gpupart_dev_model_name(const struct gpupart_dev *gdev);
u32 gpupart_next_count(const struct gpupart_dev *gdev, u32 after);
bool gpupart_count_valid(const struct gpupart_dev *gdev, u32 count);
void gpupart_counts_str(const struct gpupart_dev *gdev, char *buf, size_t len);
bool gpupart_same_model(const struct gpupart_dev *a, const struct gpupart_dev *b);

/* way.c: how gpupart holds a GPU */
extern char gpupart_passthrough[32];
extern const struct gpupart_way gpupart_way_driver;
extern const struct gpupart_way gpupart_way_vendor;
void gpupart_way_driver_init(struct gpupart_dev *gdev);
void gpupart_way_vendor_init(struct gpupart_dev *gdev, const struct device_driver *drv);
const struct device_driver *gpupart_passthrough_drv(const struct gpupart_dev *gdev);

/* debugfs.c: the model table, and every fault knob */
void gpupart_debugfs_init(void);
void gpupart_debugfs_exit(void);
bool gpupart_fault(atomic_t *knob);
extern atomic_t gpupart_fail_enable;
extern atomic_t gpupart_fail_reset;
extern atomic_t gpupart_fail_recovery;
extern u32 gpupart_reset_delay_ms;
extern u32 gpupart_handover_delay_ms;
extern u32 gpupart_release_delay_ms;
extern atomic_t gpupart_resets_max;

/* core.c: the registry: records found and counted, VMs, placement */
extern struct mutex gpupart_lock;
extern struct list_head gpupart_devs;
extern struct list_head gpupart_vms;
extern enum gpupart_placement gpupart_placement;
int gpupart_placement_init(void);
struct gpupart_dev *gpupart_dev_alloc(struct pci_dev *pdev);
void gpupart_dev_put(struct gpupart_dev *gdev);
struct gpupart_dev *__gpupart_dev_get(struct gpupart_dev *gdev);
void __gpupart_changed(void);
unsigned int __gpupart_generation(void);
struct gpupart_dev *__gpupart_dev_find(const char *pci_addr);
struct gpupart_dev *__gpupart_dev_of(const struct pci_dev *pdev);
const struct gpupart_dev *__gpupart_host_state(bool *homogeneous, u32 *n);
struct gpupart_vm *__gpupart_vm_find(const char *name);
struct gpupart_vm *__gpupart_vm_new(const char *name, enum gpupart_kind kind);
void __gpupart_vm_hold(struct gpupart_vm *vm);
void __gpupart_vm_unhold(struct gpupart_vm *vm);
struct gpupart_vm *__gpupart_vm_get(struct gpupart_vm *vm);
void gpupart_vm_put(struct gpupart_vm *vm);

/* family.c: the generic netlink family */
extern struct genl_family gpupart_nl_family;
int gpupart_nl_register(const struct genl_ops *ops, unsigned int n_ops);
void gpupart_nl_unregister(void);

/* msg.c: replies, dump entries and events */
int gpupart_nl_reply(struct sk_buff *msg, struct genl_info *info, int rc);
int gpupart_nl_dump_list(struct sk_buff *skb, struct netlink_callback *cb,
			 struct list_head *head,
			 int (*put)(struct sk_buff *skb, struct list_head *entry,
				    struct netlink_callback *cb));
int gpupart_dev_dump_msg(struct sk_buff *msg, const struct gpupart_dev *gdev,
			 struct netlink_callback *cb);
int gpupart_dev_msg(struct sk_buff *msg, const struct gpupart_dev *gdev,
		    u32 portid, u32 seq, int flags, u8 cmd);
size_t gpupart_dev_msg_size(const struct gpupart_dev *gdev);
int __gpupart_host_fill(struct sk_buff *msg);
int gpupart_vm_msg(struct sk_buff *msg, const struct gpupart_vm *vm,
		   const struct gpupart_dev *only, u32 portid, u32 seq,
		   int flags, u8 cmd);
void __gpupart_nl_dev_notify(const struct gpupart_dev *gdev, u8 cmd);
void __gpupart_nl_dev_error(struct gpupart_dev *gdev, u32 what);
void __gpupart_nl_vm_notify(const struct gpupart_vm *vm,
			    const struct gpupart_dev *only, u8 cmd);
void __gpupart_nl_part_notify(const struct gpupart_dev *gdev, u32 idx, u8 cmd);
void __gpupart_nl_vm_revoke(const struct gpupart_vm *vm,
			    const struct gpupart_dev *gdev, u32 reason);
int __gpupart_nl_vm_assigned(struct sk_buff *reply, struct genl_info *info,
			     const struct gpupart_vm *vm,
			     const struct gpupart_dev *gdev);

/* part.c: a partition's life */
void gpupart_queue(struct delayed_work *work, unsigned long delay);
int gpupart_vf_peer(struct pci_dev *vf, char *name, size_t len);
void gpupart_owned_add(struct gpupart_owned *o, struct pci_dev *pdev);
void gpupart_owned_del(struct gpupart_owned *o);
int gpupart_own(struct gpupart_owned *o);
void gpupart_disown(struct gpupart_owned *o);
void gpupart_owned_deleted(struct pci_dev *pdev);
void gpupart_owned_removed(struct pci_dev *pdev);
void gpupart_owned_exit(void);
bool gpupart_host_driver(struct pci_dev *pdev);
int gpupart_part_init(void);
void gpupart_part_exit(void);
int __gpupart_part_set(struct gpupart_partition *part, u32 state);
void __gpupart_part_queue(struct gpupart_dev *gdev);
void __gpupart_part_release(struct gpupart_partition *part);
bool gpupart_vf_answers(struct pci_dev *vf);
bool gpupart_part_ready(const struct gpupart_partition *part,
			const struct device_driver *drv);
struct gpupart_partition *gpupart_parts_new(struct gpupart_dev *gdev, u32 n,
					    bool found);
void gpupart_parts_free(struct gpupart_partition *parts, u32 n);
void gpupart_parts_shelve(struct pci_dev *pf, struct gpupart_partition *parts, u32 n);
int gpupart_partition_clear(struct gpupart_dev *gdev, u32 idx,
			    struct netlink_ext_ack *extack);

/* dev.c: a GPU record's life */
int __gpupart_dev_set_state(struct gpupart_dev *gdev, u32 state);
void __gpupart_dev_add(struct gpupart_dev *gdev);
void __gpupart_dev_revoke(struct gpupart_dev *gdev, u32 reason);
void __gpupart_dev_forget(struct gpupart_dev *gdev, u32 reason);
void gpupart_dev_drop(struct gpupart_dev *gdev);

/* mode.c: the one policy behind DEV_SET and sriov_numvfs */
int gpupart_dev_set(struct gpupart_dev *gdev, enum gpupart_mode mode,
		    u32 count, struct netlink_ext_ack *extack);
int gpupart_dev_adopt(struct gpupart_dev *gdev, u16 num_vfs);
void gpupart_dev_release(struct gpupart_dev *gdev);
void gpupart_dev_vfs_lost(struct gpupart_dev *gdev);
void __gpupart_dev_let_go(struct gpupart_dev *gdev);

/* dda.c: a whole GPU's PF handed to the passthrough driver and back */
extern struct work_struct gpupart_gone_work;
int gpupart_pci_handover(struct gpupart_dev *gdev, const char *driver);
void __gpupart_dda_return(struct gpupart_dev *gdev);
u32 __gpupart_dda_settle(struct gpupart_dev *gdev, struct gpupart_vm *vm);
void gpupart_dda_init(struct gpupart_dev *gdev);
struct gpupart_dev *gpupart_dda_probe(struct pci_dev *pdev, bool reset);
void gpupart_dda_binding(struct pci_dev *pdev);
bool __gpupart_dda_remove(struct gpupart_dev *gdev);
void gpupart_dda_exit(void);
void __gpupart_dda_let_go(struct gpupart_dev *gdev);

/* vm.c: what VMs are given and give back, of both kinds */
int __gpupart_vm_assign_partition(const char *name, const char *restore_vf,
				  bool exact, struct netlink_ext_ack *extack,
				  struct gpupart_vm **vmp);
void __gpupart_vm_release_partition(struct gpupart_vm *vm);
int gpupart_vm_assign_dda(const char *name, struct gpupart_dev *want,
			  struct netlink_ext_ack *extack,
			  int (*assigned)(void *arg, const struct gpupart_vm *vm,
					  const struct gpupart_dev *gdev),
			  void *arg);
int gpupart_vm_release(const char *name, struct netlink_ext_ack *extack);

/* err.c: PCIe error recovery */
extern const struct pci_error_handlers gpupart_err_handlers;
void gpupart_err_work(struct work_struct *work);
void gpupart_err_post(struct gpupart_dev *gdev, u32 seen, bool failed, bool resumed);
bool gpupart_vfs_back(struct pci_dev *pdev);

/* watch.c */
void gpupart_watch_work(struct work_struct *work);
void gpupart_watch_kick(void);
void gpupart_watch_init(void);
void gpupart_watch_exit(void);

/* pci.c: the PCI driver */
int gpupart_pci_init(void);
void gpupart_pci_exit(void);

#endif /* _GPUPART_H */
