// SPDX-License-Identifier: GPL-2.0
/*
 * gpupartctl monitor: one line per event of the monitor group.
 */
#include <stdio.h>

#include "gpupartctl.h"
#include "print.h"

static void monitor_vm(const struct gpnl_event *ev)
{
	const struct gpnl_vm *vm = &ev->vm;
	unsigned int i;

	if (!print_json()) {
		printf("%s %s %s", ev->name, vm->name, gpnl_kind_name(vm->kind));
		for (i = 0; i < vm->n; i++) {
			if (vm->a[i].has_index)
				printf(" %s partition %u vf %s", vm->a[i].dev,
				       vm->a[i].index, vm->a[i].vf);
			else
				printf(" %s", vm->a[i].dev);
		}
		if (ev->reason)
			printf(" reason %s", gpnl_reason_name(ev->reason));
		printf("\n");
		fflush(stdout);
		return;
	}
	print_obj_begin(NULL);
	print_str("event", NULL, ev->name);
	if (ev->reason)
		print_str("reason", NULL, gpnl_reason_name(ev->reason));
	print_arr_begin("assignments");
	for (i = 0; i < vm->n; i++) {
		print_obj_begin(NULL);
		vm_assign_fields(vm, &vm->a[i]);
		print_obj_end();
	}
	print_arr_end();
	print_obj_end();
	print_end();
}

static void monitor_part(const struct gpnl_event *ev)
{
	const struct gpnl_assign *a = &ev->part;

	if (!print_json()) {
		printf("%s %s partition %u vf %s\n", ev->name, a->dev, a->index, a->vf);
		fflush(stdout);
		return;
	}
	print_obj_begin(NULL);
	print_str("event", NULL, ev->name);
	print_str("device", NULL, a->dev);
	print_uint("partition", NULL, a->index);
	print_str("vf", NULL, a->vf);
	print_obj_end();
	print_end();
}

static void monitor_print(const struct gpnl_event *ev, void *arg)
{
	const struct gpnl_dev *d = &ev->dev;

	(void)arg;
	if (ev->what == GPNL_EV_VM) {
		monitor_vm(ev);
		return;
	}
	if (ev->what == GPNL_EV_PART) {
		monitor_part(ev);
		return;
	}
	if (!print_json()) {
		printf("%s %s mode %s count %u", ev->name, d->pci,
		       gpnl_mode_name(d->mode), d->count);
		if (d->error)
			printf(" error %s", gpnl_error_name(d->error));
		printf("\n");
		fflush(stdout);
		return;
	}
	print_obj_begin(NULL);
	print_str("event", NULL, ev->name);
	print_obj_begin("device");
	dev_fields(d);
	print_obj_end();
	print_obj_end();
	print_end();
}

static int monitor_run(struct ctl *ctl, int argc, char **argv)
{
	int rc;

	if (argc)
		return ctl_usage_error(&ctl_monitor, "unexpected argument \"%s\"", argv[0]);
	if (!ctl_connect(ctl))
		return EXIT_FAIL;
	rc = gpnl_monitor(&ctl->nl);
	if (rc)
		return ctl_fail(ctl, rc);
	/* Pretty JSON would break the one-object-per-line contract. */
	print_init(ctl->json, false);
	for (;;) {
		rc = gpnl_events(&ctl->nl, -1, monitor_print, NULL);
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
