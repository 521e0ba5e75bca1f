// SPDX-License-Identifier: GPL-2.0
/*
 * gpupartctl monitor: one line per event of the monitor group.
 */
#include <errno.h>
#include <stdio.h>

#include "gpupartctl.h"
#include "print.h"

/*
 * One line per event, in text "NAME WORDS..." and in JSON an object with
 * "event" and what it is about.
 */
static void monitor_vm(const struct gpnl_event *ev)
{
	const struct gpnl_vm *vm = &ev->vm;
	unsigned int i;

	print_line_begin();
	print_str("event", "", ev->name);
	print_str(NULL, "", vm->name);
	print_str(NULL, "", gpnl_kind_name(vm->kind));
	for (i = 0; i < vm->n; i++) {
		print_str(NULL, "", vm->a[i].dev);
		if (vm->a[i].has_index) {
			print_uint(NULL, "partition", vm->a[i].index);
			print_str(NULL, "vf", vm->a[i].vf);
		}
	}
	if (ev->reason)
		print_str("reason", "reason", gpnl_reason_name(ev->reason));
	print_arr_begin("assignments");
	for (i = 0; i < vm->n; i++) {
		print_obj_begin(NULL);
		vm_assign_fields(vm, &vm->a[i]);
		print_obj_end();
	}
	print_arr_end();
	print_line_end();
}

static void monitor_part(const struct gpnl_event *ev)
{
	const struct gpnl_assign *a = &ev->part;

	print_line_begin();
	print_str("event", "", ev->name);
	print_str("device", "", a->dev);
	print_uint("partition", "partition", a->index);
	print_str("vf", "vf", a->vf);
	print_line_end();
}

/* A line of the monitor's own: family-del, family-new, overrun, resync. */
static void monitor_note(const char *event, const char *text)
{
	print_line_begin();
	print_str("event", "", event);
	print_str(NULL, "", text);
	print_line_end();
}

static void monitor_print(const struct gpnl_event *ev, void *arg)
{
	const struct gpnl_dev *d = &ev->dev;
	bool *family_new = arg;

	if (ev->what == GPNL_EV_FAMILY) {
		if (ev->name[7] == 'n') {
			*family_new = true;
			monitor_note(ev->name, "gpupart is back");
		} else {
			monitor_note(ev->name, "gpupart was unloaded; waiting for it to return");
		}
		return;
	}
	if (ev->what == GPNL_EV_VM) {
		monitor_vm(ev);
		return;
	}
	if (ev->what == GPNL_EV_PART) {
		monitor_part(ev);
		return;
	}
	print_line_begin();
	print_str("event", "", ev->name);
	print_str(NULL, "", d->pci);
	print_str(NULL, "mode", gpnl_mode_name(d->mode));
	print_uint(NULL, "count", d->count);
	if (d->error)
		print_str(NULL, "error", gpnl_error_name(d->error));
	print_obj_begin("device");
	dev_fields(d);
	print_obj_end();
	print_line_end();
}

static int monitor_sync_dev(const struct gpnl_dev *dev, void *arg)
{
	struct gpnl_event ev = { .name = "dev-sync", .what = GPNL_EV_DEV };

	(void)arg;
	ev.dev = *dev;
	monitor_print(&ev, NULL);
	return 0;
}

static int monitor_sync_vm(const struct gpnl_vm *vm, void *arg)
{
	struct gpnl_event ev = { .name = "vm-sync", .what = GPNL_EV_VM };

	(void)arg;
	ev.vm = *vm;
	monitor_print(&ev, NULL);
	return 0;
}

/*
 * Events were lost, or gpupart came back: the state as it is now, as
 * "resync", then a dev-sync line per GPU and a vm-sync line per VM, read
 * on a socket of its own (the monitor's carries events only).
 */
static int monitor_resync(void)
{
	struct gpnl nl;
	int rc;

	rc = gpnl_open(&nl);
	if (rc)
		return rc;
	monitor_note("resync", "the state as it is now follows");
	rc = gpnl_dev_get(&nl, NULL, monitor_sync_dev, NULL);
	if (!rc)
		rc = gpnl_vm_get(&nl, NULL, monitor_sync_vm, NULL);
	gpnl_close(&nl);
	return rc;
}

/*
 * Runs until killed. An overrun (the socket could not take events as fast
 * as they came) is said, then the state is read again. When gpupart is
 * unloaded the monitor says so and waits; when it is loaded again, the
 * monitor joins its group anew and reads the state. Started while gpupart
 * is not loaded, it waits for it the same way.
 */
static int monitor_run(struct ctl *ctl, int argc, char **argv)
{
	bool family_new, waited;
	int rc;

	if (argc)
		return ctl_usage_error(&ctl_monitor, "unexpected argument \"%s\"", argv[0]);
	rc = ctl_monitor_join(ctl, &waited);
	if (rc)
		return ctl_fail(ctl, rc);
	/* Pretty JSON would break the one-object-per-line contract. */
	print_init(ctl->json, false);
	if (waited) {
		monitor_note("family-new", "gpupart is loaded");
		rc = monitor_resync();
		if (rc < 0)
			return ctl_fail(ctl, rc);
	}
	for (;;) {
		family_new = false;
		rc = gpnl_events(&ctl->nl, -1, monitor_print, &family_new);
		if (rc == -ENOBUFS) {
			monitor_note("overrun", "events were lost: the socket overran");
			rc = monitor_resync();
		} else if (rc >= 0 && family_new) {
			rc = gpnl_monitor_rejoin(&ctl->nl);
			if (!rc)
				rc = monitor_resync();
		}
		if (rc < 0)
			return ctl_fail(ctl, rc);
	}
}

static const struct ctl_cmd monitor_cmds[] = {
	{ "", "", "print events as they happen: dev-add, dev-del, dev-change, vm-assign, vm-release, vm-revoke, partition-scrubbed, partition-quarantined, dev-error", monitor_run },
	{ }
};

const struct ctl_object ctl_monitor = {
	.name = "monitor",
	.help = "events, one line (or JSON object) each",
	.cmds = monitor_cmds,
};
