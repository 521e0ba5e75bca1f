// SPDX-License-Identifier: GPL-2.0
/*
 * debugfs: <debugfs>/gpupart/models lists the built-in table, so that tests
 * can check names, framebuffer sizes and counts without the hardware; the
 * fail_* files inject faults into paths the test bed cannot make fail
 * (Debian's kernel has no fault injection framework); reset_delay_ms makes
 * each partition reset as slow as asked, and resets_max says how many ran
 * at once, so that a test sees resets overlap without timing them.
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "gpupart.h"

static struct dentry *gpupart_debugfs_root;

/*
 * The knobs, all here, read where the faults are injected: mode.c
 * (fail_enable), part.c (fail_reset, reset_delay_ms, release_delay_ms,
 * resets_max), err.c
 * (fail_recovery).
 */
/* fail_enable: how many of the next partition set-ups fail after SR-IOV is on. */
atomic_t gpupart_fail_enable = ATOMIC_INIT(0);
/* fail_reset: how many of the next partition resets fail. */
atomic_t gpupart_fail_reset = ATOMIC_INIT(0);
/* fail_recovery: how many of the next recovery checks find the GPU dead. */
atomic_t gpupart_fail_recovery = ATOMIC_INIT(0);
/* reset_delay_ms: each reset first waits this long, as a slow GPU's would. */
u32 gpupart_reset_delay_ms;
/*
 * handover_delay_ms: a DDA assignment waits this long between its claim and
 * the handover, and a DDA return between the VMM letting go and taking the
 * GPU back: for a test to land a PCIe error or an unplug in between.
 */
u32 gpupart_handover_delay_ms;
/*
 * release_delay_ms: a partition's release waits this long between finding
 * that no VMM has its VF and unbinding the VF's driver: for a test to start
 * a VMM in between.
 */
u32 gpupart_release_delay_ms;
/* resets_max: the most resets seen under way at once (the tests reset it). */
atomic_t gpupart_resets_max = ATOMIC_INIT(0);

/**
 * gpupart_fault() - whether to inject a fault now
 * @knob: a fail_* counter; each injected fault uses up one
 *
 * Return: true when the caller is to fail.
 */
bool gpupart_fault(atomic_t *knob)
{
	return atomic_dec_if_positive(knob) >= 0;
}

static void gpupart_id_show(struct seq_file *s, u32 id)
{
	if (id == PCI_ANY_ID)
		seq_puts(s, "*");
	else
		seq_printf(s, "%04x", id);
}

/* One line per table entry: model vendor:device subvendor:subdevice fb counts */
static int gpupart_models_show(struct seq_file *s, void *unused)
{
	const struct pci_device_id *id;

	for (id = gpupart_pci_ids; id->vendor; id++) {
		const struct gpupart_model *m = gpupart_model_of_id(id);
		const u8 *c;

		if (!m)
			continue;
		seq_printf(s, "%s %04x:%04x ", m->name, id->vendor, id->device);
		gpupart_id_show(s, id->subvendor);
		seq_puts(s, ":");
		gpupart_id_show(s, id->subdevice);
		seq_printf(s, " %llu ", m->fb_bytes);
		for (c = m->counts; *c; c++)
			seq_printf(s, "%s%u", c == m->counts ? "" : ",", *c);
		seq_puts(s, "\n");
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(gpupart_models);

/**
 * gpupart_debugfs_init() - create <debugfs>/gpupart
 *
 * debugfs is optional: failures are ignored, as the debugfs API asks.
 */
void gpupart_debugfs_init(void)
{
	gpupart_debugfs_root = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("models", 0444, gpupart_debugfs_root, NULL,
			    &gpupart_models_fops);
	debugfs_create_atomic_t("fail_enable", 0600, gpupart_debugfs_root,
				&gpupart_fail_enable);
	debugfs_create_atomic_t("fail_reset", 0600, gpupart_debugfs_root,
				&gpupart_fail_reset);
	debugfs_create_atomic_t("fail_recovery", 0600, gpupart_debugfs_root,
				&gpupart_fail_recovery);
	debugfs_create_u32("reset_delay_ms", 0600, gpupart_debugfs_root,
			   &gpupart_reset_delay_ms);
	debugfs_create_u32("handover_delay_ms", 0600, gpupart_debugfs_root,
			   &gpupart_handover_delay_ms);
	debugfs_create_u32("release_delay_ms", 0600, gpupart_debugfs_root,
			   &gpupart_release_delay_ms);
	debugfs_create_atomic_t("resets_max", 0600, gpupart_debugfs_root,
				&gpupart_resets_max);
	debugfs_create_u32("stand_in_model", 0600, gpupart_debugfs_root,
			   &gpupart_stand_in_model);
}

/**
 * gpupart_debugfs_exit() - remove <debugfs>/gpupart
 */
void gpupart_debugfs_exit(void)
{
	debugfs_remove_recursive(gpupart_debugfs_root);
}
