// SPDX-License-Identifier: GPL-2.0
/*
 * PCIe errors of a GPU held beside its vendor's driver. The PCI core calls
 * the error handlers of the PF's driver, the vendor's, never gpupart's; so
 * gpupart watches, and tells err.c what it saw as a handler would
 * (gpupart_err_post()): a GPU held either way is taken out of service,
 * its VMs revoked on a fatal error, and back, by the same code.
 *
 * It learns of an error two ways. The RAS tracepoint aer_event, which the
 * AER and firmware-first paths log just before the core's recovery starts:
 * an error is the GPU's when recovery from it walks the GPU, that is when
 * the bridge pcie_do_recovery() starts from is the GPU's or above it. And
 * the PF's error_state, which the core sets for every device it walks:
 * frozen from the start of a fatal recovery to its slot reset (6.12) or
 * its resume (6.1), perm_failure when it failed. A poll of it once a
 * second finds the recoveries no tracepoint announced (DPC triggered by an
 * error from below logs none), and a second recovery of a GPU after the
 * first one ended.
 *
 * A watch follows one recovery: fatal from the first time the PF is seen
 * frozen, whatever the log said; over once the PF is no longer frozen
 * after it was, or a second after a report that never froze it (a
 * non-fatal error's end leaves no trace), or after 5 s of a fatal report
 * that never froze it. Then the GPU must answer with its VFs; the vendor
 * driver restores them after the core's state says normal (its slot_reset
 * on 6.12), so they are given 2 s. A recovery the PCI core gives up
 * without marking the PF failed ("AER: device recovery failed", as when a
 * VF with no driver votes NO_AER_DRIVER) leaves the PF frozen and the GPU
 * in error, as a GPU gpupart drives stays then; the watch goes on, slower,
 * until the vendor's driver lets go.
 */
#include <linux/aer.h>
#include <linux/jiffies.h>
#include <linux/pci.h>
#include <linux/spinlock.h>
#include <linux/tracepoint.h>
#include <linux/workqueue.h>

#include "gpupart.h"

#define GPUPART_WATCH_POLL_MS		50
#define GPUPART_WATCH_SETTLE_MS		1000
#define GPUPART_WATCH_START_MS		5000
#define GPUPART_WATCH_VFS_MS		2000
#define GPUPART_WATCH_REPORTS		8

struct gpupart_watch_report {
	char dev[32];
	bool fatal;
};

/*
 * What the tracepoint saw, for the reports work. A raw spinlock: the
 * probe runs with preemption off, where PREEMPT_RT's spinlock would sleep.
 * More devices in one burst than there is room for: every GPU counts as
 * reported (@gpupart_watch_all).
 */
static DEFINE_RAW_SPINLOCK(gpupart_watch_lock);
static struct gpupart_watch_report gpupart_watch_reports[GPUPART_WATCH_REPORTS];
static unsigned int gpupart_watch_n;
static bool gpupart_watch_all;
static struct tracepoint *gpupart_watch_tp;
/* The poll may run: from init to exit. Guarded by gpupart_lock. */
static bool gpupart_watch_on;

static void gpupart_watch_reported(struct work_struct *work);
static DECLARE_WORK(gpupart_watch_reports_work, gpupart_watch_reported);
static void gpupart_watch_poll(struct work_struct *work);
static DECLARE_DELAYED_WORK(gpupart_watch_poll_work, gpupart_watch_poll);

/*
 * The aer_event probe, of the tracepoint's own prototype (the last
 * argument's type differs between kernels: compat.h). Runs where the error
 * is logged, a threaded interrupt handler or a work item: it only keeps
 * the report, one for each device that logged any, the worst kept.
 */
static void gpupart_watch_probe(void *data, const char *dev_name, const u32 status,
				const u8 severity, const u8 tlp_header_valid,
				gpupart_aer_tlp_log *tlp)
{
	struct gpupart_watch_report *r = gpupart_watch_reports;
	unsigned long flags;
	unsigned int i;

	if (severity == AER_CORRECTABLE)
		return;
	raw_spin_lock_irqsave(&gpupart_watch_lock, flags);
	for (i = 0; i < gpupart_watch_n && strcmp(r[i].dev, dev_name); i++)
		;
	if (i == GPUPART_WATCH_REPORTS) {
		gpupart_watch_all = true;
	} else {
		if (i == gpupart_watch_n) {
			strscpy(r[i].dev, dev_name, sizeof(r[i].dev));
			r[i].fatal = false;
			gpupart_watch_n++;
		}
		r[i].fatal |= severity == AER_FATAL;
	}
	raw_spin_unlock_irqrestore(&gpupart_watch_lock, flags);
	schedule_work(&gpupart_watch_reports_work);
}

/*
 * Whether recovery from an error @reporter logged walks GPU @pdev: it
 * starts from the reporter when that is a port or a Root Complex device,
 * else from the bridge above it, and walks everything below.
 */
static bool gpupart_watch_covers(struct pci_dev *pdev, struct pci_dev *reporter)
{
	int type = pci_pcie_type(reporter);
	struct pci_dev *bridge = reporter, *up;

	if (type != PCI_EXP_TYPE_ROOT_PORT && type != PCI_EXP_TYPE_DOWNSTREAM &&
	    type != PCI_EXP_TYPE_RC_EC && type != PCI_EXP_TYPE_RC_END)
		bridge = pci_upstream_bridge(reporter);
	if (!bridge)
		return reporter == pdev;
	for (up = pdev; up; up = pci_upstream_bridge(up))
		if (up == bridge)
			return true;
	return false;
}

/* A GPU held beside its vendor's driver whose errors are gpupart's now. */
static bool __gpupart_watched(const struct gpupart_dev *gdev)
{
	lockdep_assert_held(&gpupart_lock);
	return gdev->way == &gpupart_way_vendor && gpupart_dev_errs_ours(gdev->state) &&
	       gdev->error != GPUPART_ERROR_FAILED;
}

/* An error of @gdev: reported to err.c, and its recovery followed anew. */
static void __gpupart_watch_start(struct gpupart_dev *gdev, bool fatal)
{
	lockdep_assert_held(&gpupart_lock);
	pci_warn(gdev->pdev, "PCIe %s error, recovered by %s: no new assignment until it recovers%s\n",
		 fatal ? "fatal" : "non-fatal", gdev->home,
		 fatal ? "; its VMs lose their partitions" : "");
	gpupart_err_post(gdev, fatal ? GPUPART_ERROR_FATAL : GPUPART_ERROR_NON_FATAL,
			 false, false);
	gdev->watch_seq++;
	gdev->watch_fatal |= fatal;
	gdev->watch_frozen = false;
	gdev->watch_from = jiffies;
	gdev->watch_end = 0;
	gdev->watching = true;
	gpupart_queue(&gdev->watch_work, msecs_to_jiffies(GPUPART_WATCH_POLL_MS));
}

/* The reports since the last run, each given to the GPUs it concerns. */
static void gpupart_watch_reported(struct work_struct *work)
{
	struct gpupart_watch_report reports[GPUPART_WATCH_REPORTS];
	struct gpupart_dev *gdev;
	struct pci_dev *reporter;
	struct device *dev;
	unsigned int i, n;
	bool all;

	raw_spin_lock_irq(&gpupart_watch_lock);
	n = gpupart_watch_n;
	memcpy(reports, gpupart_watch_reports, n * sizeof(reports[0]));
	all = gpupart_watch_all;
	gpupart_watch_n = 0;
	gpupart_watch_all = false;
	raw_spin_unlock_irq(&gpupart_watch_lock);

	if (all) {
		mutex_lock(&gpupart_lock);
		list_for_each_entry(gdev, &gpupart_devs, node)
			if (__gpupart_watched(gdev))
				__gpupart_watch_start(gdev, false);
		mutex_unlock(&gpupart_lock);
		return;
	}
	for (i = 0; i < n; i++) {
		dev = bus_find_device_by_name(&pci_bus_type, NULL, reports[i].dev);
		if (!dev)
			continue;
		reporter = to_pci_dev(dev);
		mutex_lock(&gpupart_lock);
		list_for_each_entry(gdev, &gpupart_devs, node)
			if (__gpupart_watched(gdev) && gpupart_watch_covers(gdev->pdev, reporter))
				__gpupart_watch_start(gdev, reports[i].fatal);
		mutex_unlock(&gpupart_lock);
		put_device(dev);
	}
}

/*
 * Once a second while any GPU is held beside its vendor's driver: a PF in
 * recovery that no watch follows.
 */
static void gpupart_watch_poll(struct work_struct *work)
{
	struct gpupart_dev *gdev;
	bool any = false;

	mutex_lock(&gpupart_lock);
	list_for_each_entry(gdev, &gpupart_devs, node) {
		if (gdev->way != &gpupart_way_vendor)
			continue;
		any = true;
		if (__gpupart_watched(gdev) && !gdev->watching &&
		    pci_channel_offline(gdev->pdev))
			__gpupart_watch_start(gdev, true);
	}
	if (any && gpupart_watch_on)
		gpupart_queue(&gpupart_watch_poll_work, HZ);
	mutex_unlock(&gpupart_lock);
}

/**
 * gpupart_watch_kick() - a GPU is held beside its vendor's driver now
 *
 * The poll runs while any is.
 *
 * Context: takes gpupart_lock.
 */
void gpupart_watch_kick(void)
{
	mutex_lock(&gpupart_lock);
	if (gpupart_watch_on)
		gpupart_queue(&gpupart_watch_poll_work, HZ);
	mutex_unlock(&gpupart_lock);
}

/**
 * gpupart_watch_work() - follow the vendor driver's recovery of a GPU
 * @work: the GPU's watch_work
 *
 * Until the recovery is over: then the GPU is recovered if it answers
 * with its VFs as they were, and failed if not, or if the PCI core gave
 * it up. The GPU is looked at without gpupart_lock, which is never held
 * across a PCI call that may sleep; the result is told only if no new
 * error came meanwhile (@watch_seq), which restarts the watch instead.
 */
void gpupart_watch_work(struct work_struct *work)
{
	struct gpupart_dev *gdev = container_of(to_delayed_work(work),
						struct gpupart_dev, watch_work);
	struct pci_dev *pdev = gdev->pdev;
	pci_channel_state_t state = READ_ONCE(pdev->error_state);
	unsigned long poll = msecs_to_jiffies(GPUPART_WATCH_POLL_MS);
	bool over, failed, back;
	unsigned int since;
	u32 seq;

	mutex_lock(&gpupart_lock);
	if (!__gpupart_watched(gdev)) {
		gdev->watching = false;
		goto out;
	}
	seq = gdev->watch_seq;
	since = jiffies_to_msecs(jiffies - gdev->watch_from);
	if (state == pci_channel_io_frozen) {
		gdev->watch_frozen = true;
		/* The link is reset, whatever the log said: VMs lose theirs. */
		if (!gdev->watch_fatal) {
			gdev->watch_fatal = true;
			gpupart_err_post(gdev, GPUPART_ERROR_FATAL, false, false);
		}
	}
	if (state == pci_channel_io_perm_failure)
		over = true;
	else if (state == pci_channel_io_frozen)
		over = false;
	else if (gdev->watch_fatal)
		over = gdev->watch_frozen || since >= GPUPART_WATCH_START_MS;
	else
		over = since >= GPUPART_WATCH_SETTLE_MS;
	if (!over) {
		/* A recovery the PCI core gave up leaves the PF frozen: slower. */
		if (since >= GPUPART_WATCH_START_MS)
			poll = HZ;
		gdev->watch_end = 0;
		gpupart_queue(&gdev->watch_work, poll);
		goto out;
	}
	if (!gdev->watch_end)
		gdev->watch_end = jiffies;
	mutex_unlock(&gpupart_lock);

	failed = state == pci_channel_io_perm_failure ||
		 gpupart_fault(&gpupart_fail_recovery) || !pci_device_is_present(pdev);
	back = !failed && gpupart_vfs_back(pdev);

	mutex_lock(&gpupart_lock);
	if (gdev->watch_seq != seq || !__gpupart_watched(gdev)) {
		/* Restarted by a new error, or no longer gpupart's: its next run says. */
		if (__gpupart_watched(gdev))
			gpupart_queue(&gdev->watch_work, poll);
		else
			gdev->watching = false;
		goto out;
	}
	if (!failed && !back &&
	    jiffies_to_msecs(jiffies - gdev->watch_end) < GPUPART_WATCH_VFS_MS) {
		gpupart_queue(&gdev->watch_work, poll);
		goto out;
	}
	if (!failed && !back) {
		pci_err(pdev, "its VFs did not come back from the reset\n");
		failed = true;
	}
	gdev->watching = false;
	gdev->watch_fatal = false;
	gdev->watch_frozen = false;
	gpupart_err_post(gdev, 0, failed, !failed);
out:
	mutex_unlock(&gpupart_lock);
}

static void gpupart_watch_find(struct tracepoint *tp, void *priv)
{
	if (!strcmp(tp->name, "aer_event"))
		*(struct tracepoint **)priv = tp;
}

/**
 * gpupart_watch_init() - watch the PCIe errors the kernel logs
 *
 * aer_event is not exported (ras.c exports the other RAS events), so it is
 * found by name. Without it (a kernel without PCIEAER) only the
 * once-a-second look at GPUs held beside their vendor's driver remains,
 * and the log says so.
 */
void gpupart_watch_init(void)
{
	struct tracepoint *tp = NULL;

	mutex_lock(&gpupart_lock);
	gpupart_watch_on = true;
	mutex_unlock(&gpupart_lock);
	gpupart_watch_kick();
	for_each_kernel_tracepoint(gpupart_watch_find, &tp);
	if (!tp || tracepoint_probe_register(tp, gpupart_watch_probe, NULL)) {
		pr_warn("gpupart: no aer_event tracepoint: PCIe errors of GPUs held beside their vendor's driver are seen only once a second\n");
		return;
	}
	gpupart_watch_tp = tp;
}

/**
 * gpupart_watch_exit() - stop watching; no report is acted on after it
 *
 * The GPUs' own watch_work is cancelled as each record goes.
 */
void gpupart_watch_exit(void)
{
	mutex_lock(&gpupart_lock);
	gpupart_watch_on = false;
	mutex_unlock(&gpupart_lock);
	cancel_delayed_work_sync(&gpupart_watch_poll_work);
	if (!gpupart_watch_tp)
		return;
	tracepoint_probe_unregister(gpupart_watch_tp, gpupart_watch_probe, NULL);
	tracepoint_synchronize_unregister();
	cancel_work_sync(&gpupart_watch_reports_work);
}
