// SPDX-License-Identifier: GPL-2.0
/*
 * gpupartctl vm: what VMs hold. Partitions are placed by the kernel.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "gpupartctl.h"
#include "print.h"

/* One GPU resource of a VM: the keys of vm assign -j and vm show -j. */
void vm_assign_fields(const struct gpnl_vm *vm, const struct gpnl_assign *a)
{
	print_str("vm", "VM", vm->name);
	print_str("kind", "KIND", gpnl_kind_name(vm->kind));
	print_str("device", "DEVICE", a->dev);
	if (a->has_index)
		print_uint("partition", "PARTITION", a->index);
	else
		print_str("partition", "PARTITION", NULL);
	print_str("vf", "VF", a->vf[0] ? a->vf : NULL);
	print_str("profile", "PROFILE", a->profile[0] ? a->profile : NULL);
}

static int vm_assign(struct ctl *ctl, int argc, char **argv)
{
	const char *dev = NULL, *vf = NULL;
	struct gpnl_vm vm;
	bool dda = false;
	int applied = 0;
	struct ctl_arg args[] = {
		CTL_FLAG("dda", &dda),
		CTL_STR("dev", &dev),
		CTL_STR("vf", &vf),
		{ }
	};
	int rc;

	if (argc < 1)
		return ctl_usage_error(&ctl_vm, "vm assign needs a NAME");
	rc = ctl_args(&ctl_vm, "assign", args, argc - 1, argv + 1);
	if (rc != EXIT_OK)
		return rc;
	if (vf && (dda || dev))
		return ctl_usage_error(&ctl_vm, "vm assign NAME vf takes one VF address");
	if (dev && !dda)
		return ctl_usage_error(&ctl_vm, "vm assign NAME dev DEV needs dda: a partition is placed by the kernel");
	if (!ctl_connect(ctl))
		return EXIT_FAIL;
	/* A caller that names a VF gets that one or none, never another. */
	profile_lock();
	if (vf)
		rc = gpnl_vm_assign_vf(&ctl->nl, argv[0], vf, &vm);
	else
		rc = gpnl_vm_assign(&ctl->nl, argv[0], dda ? GPUPART_KIND_DDA : 0, dev, NULL, &vm);
	if (!rc && vm.n)
		applied = profile_apply(ctl, argv[0], &vm.a[vm.n - 1]);
	profile_unlock();
	if (rc)
		return ctl_fail(ctl, rc);
	if (!vm.n) {
		fprintf(stderr, "Error: the kernel's reply names no assignment\n");
		return EXIT_FAIL;
	}
	if (applied)
		return applied;
	/* The reply carries the new resource only. */
	if (!print_json()) {
		const struct gpnl_assign *a = &vm.a[vm.n - 1];

		if (a->has_index)
			printf("vm %s: partition %u of %s, VF %s\n", vm.name,
			       a->index, a->dev, a->vf);
		else
			printf("vm %s: whole GPU %s\n", vm.name, a->dev);
		return EXIT_OK;
	}
	print_obj_begin(NULL);
	vm_assign_fields(&vm, &vm.a[vm.n - 1]);
	print_obj_end();
	print_end();
	return EXIT_OK;
}

static int vm_release(struct ctl *ctl, int argc, char **argv)
{
	int rc;

	if (argc != 1)
		return ctl_usage_error(&ctl_vm, "vm release takes one NAME");
	if (!ctl_connect(ctl))
		return EXIT_FAIL;
	profile_lock();
	profile_clear(ctl, argv[0]);
	rc = gpnl_vm_release(&ctl->nl, argv[0]);
	profile_unlock();
	return rc ? ctl_fail(ctl, rc) : EXIT_OK;
}

static int vm_print(const struct gpnl_vm *vm, void *arg)
{
	unsigned int i;

	(void)arg;
	for (i = 0; i < vm->n; i++) {
		print_obj_begin(NULL);
		vm_assign_fields(vm, &vm->a[i]);
		print_obj_end();
	}
	return 0;
}

struct vm_list {
	struct gpnl_vm *vms;
	unsigned int n;
};

static int vm_collect(const struct gpnl_vm *vm, void *arg)
{
	struct vm_list *l = arg;
	struct gpnl_vm *vms = realloc(l->vms, (l->n + 1) * sizeof(*vms));

	if (!vms)
		return -ENOMEM;
	vms[l->n++] = *vm;
	l->vms = vms;
	return 0;
}

/* @n VMs as vm show prints them. */
static void vm_print_all(const struct gpnl_vm *vms, unsigned int n)
{
	unsigned int i;

	print_obj_begin(NULL);
	print_arr_begin("vms");
	for (i = 0; i < n; i++)
		vm_print(&vms[i], NULL);
	print_arr_end();
	print_obj_end();
	print_end();
}

static int vm_show(struct ctl *ctl, int argc, char **argv)
{
	struct vm_list l = { 0 };
	int rc;

	if (argc > 1)
		return ctl_usage_error(&ctl_vm, "unexpected argument \"%s\"", argv[1]);
	if (!ctl_connect(ctl))
		return EXIT_FAIL;
	rc = gpnl_vm_get(&ctl->nl, argc ? argv[0] : NULL, vm_collect, &l);
	if (rc) {
		free(l.vms);
		return ctl_fail(ctl, rc);
	}
	vm_print_all(l.vms, l.n);
	free(l.vms);
	return EXIT_OK;
}

/* The one VM @name, in @vm; -ENOENT when it holds nothing. */
static int vm_get_one(struct ctl *ctl, const char *name, struct gpnl_vm *vm)
{
	struct vm_list l = { 0 };
	int rc;

	rc = gpnl_vm_get(&ctl->nl, name, vm_collect, &l);
	if (!rc && l.n != 1)
		rc = -EPROTO;
	if (!rc)
		*vm = l.vms[0];
	free(l.vms);
	return rc;
}

/* Why @a of @vm cannot be used, or NULL when it can. */
static const char *vm_unusable(struct ctl *ctl, const struct gpnl_vm *vm,
			       const struct gpnl_assign *a, char *why, size_t len)
{
	struct dev_list l = { 0 };
	const struct gpnl_dev *d;
	unsigned int i;

	if (gpnl_dev_get(&ctl->nl, a->dev, dev_collect, &l) || l.n != 1) {
		free(l.devs);
		snprintf(why, len, "GPU %s is gone", a->dev);
		return why;
	}
	d = &l.devs[0];
	if (d->error == GPUPART_ERROR_FAILED || d->error == GPUPART_ERROR_FATAL) {
		snprintf(why, len, "GPU %s failed (PCIe error: %s)", a->dev,
			 gpnl_error_name(d->error));
	} else if (!a->has_index) {
		if (d->mode != GPUPART_MODE_DDA || strcmp(d->vm, vm->name))
			snprintf(why, len, "GPU %s is not passed through to it", a->dev);
	} else {
		for (i = 0; i < d->n_parts && d->parts[i].index != a->index; i++)
			;
		if (i == d->n_parts)
			snprintf(why, len, "partition %u of GPU %s is gone", a->index, a->dev);
		else if (d->parts[i].state != GPUPART_PARTITION_STATE_ASSIGNED ||
			 strcmp(d->parts[i].vm, vm->name))
			snprintf(why, len, "partition %u of GPU %s is %s", a->index,
				 a->dev, gpnl_state_name(d->parts[i].state));
	}
	free(l.devs);
	return *why ? why : NULL;
}

/*
 * vm check NAME [kind partition|dda]: does the VM hold what it needs, in
 * a state it can use? For cluster managers: exit 0 yes, 1 no (with why),
 * 3 when it holds nothing at all, 4 when gpupart cannot be asked (not
 * loaded, or the request failed): then nothing is known of the VM.
 */
static int vm_check(struct ctl *ctl, int argc, char **argv)
{
	char why[128] = "";
	const char *bad = NULL;
	struct gpnl_vm vm;
	uint32_t kind = 0;
	struct ctl_arg args[] = {
		CTL_ENUM("kind", &gpnl_kinds, &kind),
		{ }
	};
	unsigned int i;
	int rc;

	if (argc < 1)
		return ctl_usage_error(&ctl_vm, "vm check takes: NAME [kind partition|dda]");
	rc = ctl_args(&ctl_vm, "check", args, argc - 1, argv + 1);
	if (rc != EXIT_OK)
		return rc;
	if (!ctl_connect(ctl))
		return EXIT_UNKNOWN;
	rc = vm_get_one(ctl, argv[0], &vm);
	if (rc == -ENOENT) {
		fprintf(stderr, "vm %s holds nothing\n", argv[0]);
		return EXIT_NOTHING;
	}
	if (rc) {
		ctl_fail(ctl, rc);
		return EXIT_UNKNOWN;
	}
	if (kind && vm.kind != kind) {
		snprintf(why, sizeof(why), "it holds %s, not %s",
			 vm.kind == GPUPART_KIND_DDA ? "whole GPUs" : "a partition",
			 kind == GPUPART_KIND_DDA ? "whole GPUs" : "a partition");
		bad = why;
	}
	for (i = 0; i < vm.n && !bad; i++)
		bad = vm_unusable(ctl, &vm, &vm.a[i], why, sizeof(why));
	if (bad)
		fprintf(stderr, "Error: %s\n", bad);
	print_obj_begin(NULL);
	print_str("vm", "VM", vm.name);
	print_str("kind", "KIND", gpnl_kind_name(vm.kind));
	print_bool("usable", "USABLE", !bad);
	print_str("reason", "REASON", bad);
	print_obj_end();
	print_end();
	return bad ? EXIT_FAIL : EXIT_OK;
}

/*
 * vm profile NAME: the vendor profile of each partition VM NAME holds,
 * applied again (after a gpupartctl killed between its assignment and
 * the apply). Exit 0 when each carries its profile or needs none, 1 when
 * the hook could not (the VM keeps what it holds), 3 when it holds
 * nothing.
 */
static int vm_profile(struct ctl *ctl, int argc, char **argv)
{
	struct gpnl_vm vm;
	int rc;

	if (argc != 1)
		return ctl_usage_error(&ctl_vm, "vm profile takes one NAME");
	if (!ctl_connect(ctl))
		return EXIT_FAIL;
	/* No release or other apply of the same VF meanwhile. */
	profile_lock();
	rc = vm_get_one(ctl, argv[0], &vm);
	if (!rc && profile_again(&vm))
		rc = 1;
	profile_unlock();
	if (rc == -ENOENT) {
		fprintf(stderr, "vm %s holds nothing\n", argv[0]);
		return EXIT_NOTHING;
	}
	if (rc == 1)
		return EXIT_FAIL;
	if (rc)
		return ctl_fail(ctl, rc);
	vm_print_all(&vm, 1);
	return EXIT_OK;
}

static const struct ctl_cmd vm_cmds[] = {
	{ "show", "[NAME]", "list VMs and what they hold, or one VM", vm_show },
	{ "assign", "NAME [ vf VF | dda [ dev DEV ] ]",
	  "give VM NAME a free partition, placed by the kernel; with vf, the partition at VF or none (a VM whose definition names its VF), refused with the reason when it is not free; with dda, a whole GPU in mode dda", vm_assign },
	{ "release", "NAME", "release what VM NAME holds; partitions are scrubbed before reuse", vm_release },
	{ "profile", "NAME",
	  "apply again the vendor profile of each partition VM NAME holds (one a killed gpupartctl left without it); 1 when the hook cannot, 3 when it holds nothing", vm_profile },
	{ "check", "NAME [ kind { partition | dda } ]",
	  "exit 0 when VM NAME holds a usable partition or GPU (of that kind), 1 when what it holds is not usable (a quarantined partition, a failed GPU), saying why, 3 when it holds nothing, 4 when gpupart cannot be asked (not loaded)", vm_check },
	{ }
};

const struct ctl_object ctl_vm = {
	.name = "vm",
	.help = "VMs and the GPU resources they hold",
	.cmds = vm_cmds,
};
