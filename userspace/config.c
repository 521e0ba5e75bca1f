// SPDX-License-Identifier: GPL-2.0
/*
 * gpupartctl config: the host's configuration as a declarative file, saved
 * and applied, so that it survives a reboot or a module reload.
 *
 * Both sides of an apply are a struct cfg, one read from the file and one
 * from the kernel; the plan is the difference, worked out and checked in
 * full before the first change.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <json-c/json.h>

#include "gpupartctl.h"
#include "config.h"
#include "jsonutil.h"

#define CFG_FORMAT	"gpupart-config"
#define CFG_VERSION	1

/* One assignment: a VM's partition (with its VF) or one of its whole GPUs. */
struct cfg_vm {
	char name[GPNL_VM_MAX + 1];
	uint32_t kind;
	char dev[GPUPART_PCI_ADDR_MAX_LEN + 1];
	char vf[GPUPART_PCI_ADDR_MAX_LEN + 1];
};

struct cfg {
	uint32_t placement;
	struct cfg_dev *devs;
	unsigned int n_devs;
	struct cfg_vm *vms;
	unsigned int n_vms;
	struct dev_list host;		/* the GPUs, when read from the host */
};

static void cfg_free(struct cfg *c)
{
	free(c->devs);
	free(c->vms);
	free(c->host.devs);
	memset(c, 0, sizeof(*c));
}

static void *grow(void *p, unsigned int n, size_t size)
{
	return realloc(p, (n + 1) * size);
}

/* ---- the host ---- */

static int cfg_add_vm(struct cfg *c, const char *name, uint32_t kind,
		      const char *dev, const char *vf)
{
	struct cfg_vm *v = grow(c->vms, c->n_vms, sizeof(*v));

	if (!v)
		return -ENOMEM;
	c->vms = v;
	v = &c->vms[c->n_vms++];
	memset(v, 0, sizeof(*v));
	snprintf(v->name, sizeof(v->name), "%s", name);
	v->kind = kind;
	snprintf(v->dev, sizeof(v->dev), "%s", dev);
	snprintf(v->vf, sizeof(v->vf), "%s", vf ? vf : "");
	return 0;
}

static int cfg_add_host_vm(const struct gpnl_vm *vm, void *arg)
{
	unsigned int i;
	int rc;

	for (i = 0; i < vm->n; i++) {
		rc = cfg_add_vm(arg, vm->name, vm->kind, vm->a[i].dev,
				vm->a[i].has_index ? vm->a[i].vf : NULL);
		if (rc)
			return rc;
	}
	return 0;
}

static int cfg_from_host(struct ctl *ctl, struct cfg *c)
{
	struct gpnl_host h;
	unsigned int i;
	int rc;

	memset(c, 0, sizeof(*c));
	rc = gpnl_dev_get(&ctl->nl, NULL, dev_collect, &c->host);
	if (!rc)
		rc = gpnl_vm_get(&ctl->nl, NULL, cfg_add_host_vm, c);
	if (!rc)
		rc = gpnl_host_get(&ctl->nl, &h);
	c->n_devs = c->host.n;
	if (!rc && c->n_devs && !(c->devs = calloc(c->n_devs, sizeof(*c->devs))))
		rc = -ENOMEM;
	if (rc)
		return rc;
	c->placement = h.placement;
	for (i = 0; i < c->n_devs; i++)
		cfg_dev_from_host(&c->host.devs[i], &c->devs[i]);
	return 0;
}

void cfg_dev_from_host(const struct gpnl_dev *d, struct cfg_dev *cd)
{
	unsigned int i;

	snprintf(cd->pci, sizeof(cd->pci), "%s", d->pci);
	cd->vendor = d->vendor;
	cd->device = d->device;
	cd->subsys_vendor = d->subsys_vendor;
	cd->subsys_device = d->subsys_device;
	snprintf(cd->model, sizeof(cd->model), "%s", d->model);
	cd->mode = d->mode;
	cd->count = d->count;
	cd->error = d->error;
	cd->quarantined = 0;
	for (i = 0; i < d->n_parts; i++)
		cd->quarantined += d->parts[i].state == GPUPART_PARTITION_STATE_QUARANTINED;
	cd->host = d;
}

/* ---- the file: writing ---- */

static json_object *hex16(uint16_t v)
{
	char buf[8];

	snprintf(buf, sizeof(buf), "%04x", v);
	return json_object_new_string(buf);
}

static json_object *cfg_to_json(const struct cfg *c)
{
	json_object *root = json_object_new_object();
	json_object *devs = json_object_new_array();
	json_object *vms = json_object_new_array();
	unsigned int i;

	json_object_object_add(root, "format", json_object_new_string(CFG_FORMAT));
	json_object_object_add(root, "version", json_object_new_int(CFG_VERSION));
	json_object_object_add(root, "placement",
			       json_object_new_string(gpnl_placement_name(c->placement)));
	for (i = 0; i < c->n_devs; i++) {
		const struct cfg_dev *d = &c->devs[i];
		json_object *o = json_object_new_object();

		json_object_object_add(o, "pci", json_object_new_string(d->pci));
		json_object_object_add(o, "vendor", hex16(d->vendor));
		json_object_object_add(o, "device", hex16(d->device));
		json_object_object_add(o, "subsystem_vendor", hex16(d->subsys_vendor));
		json_object_object_add(o, "subsystem_device", hex16(d->subsys_device));
		json_object_object_add(o, "model", json_object_new_string(d->model));
		json_object_object_add(o, "mode",
				       json_object_new_string(gpnl_mode_name(d->mode)));
		json_object_object_add(o, "partition_count", json_object_new_int64(d->count));
		json_object_array_add(devs, o);
	}
	json_object_object_add(root, "devices", devs);
	for (i = 0; i < c->n_vms; i++) {
		const struct cfg_vm *v = &c->vms[i];
		json_object *o = json_object_new_object();

		json_object_object_add(o, "vm", json_object_new_string(v->name));
		json_object_object_add(o, "kind",
				       json_object_new_string(gpnl_kind_name(v->kind)));
		json_object_object_add(o, "device", json_object_new_string(v->dev));
		if (v->vf[0])
			json_object_object_add(o, "vf", json_object_new_string(v->vf));
		json_object_array_add(vms, o);
	}
	json_object_object_add(root, "vms", vms);
	return root;
}

static int config_save(struct ctl *ctl, int argc, char **argv)
{
	const int flags = JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
			  JSON_C_TO_STRING_NOSLASHESCAPE;
	const char *file = argc ? argv[0] : NULL;
	char tmp[4096];
	struct cfg c;
	json_object *root;
	FILE *f = stdout;
	int rc;

	if (argc > 1)
		return ctl_usage_error(&ctl_config, "unexpected argument \"%s\"", argv[1]);
	if (!ctl_connect(ctl))
		return EXIT_FAIL;
	rc = cfg_from_host(ctl, &c);
	if (rc) {
		cfg_free(&c);
		return ctl_fail(ctl, rc);
	}
	root = cfg_to_json(&c);
	cfg_free(&c);
	/* A new file appears whole or not at all: written aside, then renamed. */
	if (file) {
		snprintf(tmp, sizeof(tmp), "%s.tmp", file);
		f = fopen(tmp, "w");
		if (!f) {
			fprintf(stderr, "Error: %s: %s\n", tmp, strerror(errno));
			json_object_put(root);
			return EXIT_FAIL;
		}
	}
	rc = fprintf(f, "%s\n", json_object_to_json_string_ext(root, flags)) < 0;
	json_object_put(root);
	if (!file)
		return fflush(stdout) || rc ? EXIT_FAIL : EXIT_OK;
	if (fclose(f) || rc || rename(tmp, file)) {
		fprintf(stderr, "Error: %s: %s\n", file, strerror(errno));
		unlink(tmp);
		return EXIT_FAIL;
	}
	return EXIT_OK;
}

/* ---- the file: reading and checking ---- */

void cfg_bad(struct cfg_err *e, const char *fmt, ...)
{
	va_list ap;

	if (!e->n++)
		fprintf(stderr, "Error: %s is not valid:\n", e->file);
	/* A file of thousands of bad entries: the first ones say enough. */
	if (e->n > CFG_BAD_MAX) {
		if (e->n == CFG_BAD_MAX + 1)
			fprintf(stderr, "  - and more: only the first %d problems are shown\n",
				CFG_BAD_MAX);
		return;
	}
	fprintf(stderr, "  - ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
}

/* The kernel's rule, so a bad name is caught before anything changes. */
bool cfg_vm_name_ok(const char *s)
{
	size_t n = strlen(s), i;

	if (!n || n > GPNL_VM_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("._:@-", s[i]))
			return false;
	return true;
}

void cfg_read_dev(json_object *o, unsigned int i, struct cfg_dev *d,
		  struct cfg_err *e)
{
	char mode[16], state[16];
	json_object *v;
	size_t k;
	int64_t n;

	if (!json_object_is_type(o, json_type_object)) {
		cfg_bad(e, "devices[%u]: not an object", i);
		return;
	}
	if (!str_member(o, "pci", d->pci, sizeof(d->pci)) || !pci_addr_ok(d->pci))
		cfg_bad(e, "devices[%u].pci: a PCI address like \"0000:01:00.0\" is required", i);
	if (!hex16_member(o, "vendor", &d->vendor) ||
	    !hex16_member(o, "device", &d->device) ||
	    !hex16_member(o, "subsystem_vendor", &d->subsys_vendor) ||
	    !hex16_member(o, "subsystem_device", &d->subsys_device))
		cfg_bad(e, "devices[%u]: vendor, device, subsystem_vendor and subsystem_device must be 4 hex digits", i);
	if (!str_member(o, "model", d->model, sizeof(d->model)))
		snprintf(d->model, sizeof(d->model), "?");
	if (!str_member(o, "mode", mode, sizeof(mode)) || !(d->mode = gpnl_value(&gpnl_modes, mode)))
		cfg_bad(e, "devices[%u].mode: must be none, partition or dda", i);
	if (!json_object_object_get_ex(o, "partition_count", &v) ||
	    !json_object_is_type(v, json_type_int) ||
	    (n = json_object_get_int64(v)) < 0 || n > GPNL_MAX_PARTS) {
		cfg_bad(e, "devices[%u].partition_count: a number from 0 to %u is required",
			i, GPNL_MAX_PARTS);
		return;
	}
	d->count = n;
	if ((d->mode == GPUPART_MODE_PARTITION) != (d->count > 0))
		cfg_bad(e, "devices[%u]: a partition_count above 0 goes with mode partition, and only with it", i);
	/* What dev show -j adds: partitions out of service, a failed GPU. */
	if (json_object_object_get_ex(o, "partitions", &v) &&
	    json_object_is_type(v, json_type_array)) {
		for (k = 0; k < json_object_array_length(v); k++)
			if (str_member(json_object_array_get_idx(v, k), "state",
				       state, sizeof(state)) &&
			    !strcmp(state, gpnl_state_name(GPUPART_PARTITION_STATE_QUARANTINED)))
				d->quarantined++;
	}
	if (str_member(o, "error", state, sizeof(state)) &&
	    !strcmp(state, gpnl_error_name(GPUPART_ERROR_FAILED)))
		d->error = GPUPART_ERROR_FAILED;
}

static void cfg_read_vm(json_object *o, unsigned int i, struct cfg_vm *v,
			struct cfg_err *e)
{
	char kind[16], name[256];

	if (!json_object_is_type(o, json_type_object)) {
		cfg_bad(e, "vms[%u]: not an object", i);
		return;
	}
	if (!str_member(o, "vm", name, sizeof(name)) || !cfg_vm_name_ok(name))
		cfg_bad(e, "vms[%u].vm: 1 to %u characters of A-Z a-z 0-9 . _ : @ - are required",
			i, GPNL_VM_MAX);
	else
		snprintf(v->name, sizeof(v->name), "%.*s", GPNL_VM_MAX, name);
	if (!str_member(o, "kind", kind, sizeof(kind)) ||
	    !(v->kind = gpnl_value(&gpnl_kinds, kind)))
		cfg_bad(e, "vms[%u].kind: must be partition or dda", i);
	if (!str_member(o, "device", v->dev, sizeof(v->dev)) || !pci_addr_ok(v->dev))
		cfg_bad(e, "vms[%u].device: a PCI address like \"0000:01:00.0\" is required", i);
	if (v->kind == GPUPART_KIND_PARTITION &&
	    (!str_member(o, "vf", v->vf, sizeof(v->vf)) || !pci_addr_ok(v->vf)))
		cfg_bad(e, "vms[%u].vf: a partition's VF address is required", i);
}

static const struct cfg_dev *cfg_dev_find(const struct cfg *c, const char *pci)
{
	unsigned int i;

	for (i = 0; i < c->n_devs; i++)
		if (!strcmp(c->devs[i].pci, pci))
			return &c->devs[i];
	return NULL;
}

/* What the file says must hold together on its own. */
static void cfg_check(const struct cfg *c, struct cfg_err *e)
{
	const struct cfg_dev *first = NULL, *d;
	unsigned int i, j;

	for (i = 0; i < c->n_devs; i++) {
		d = &c->devs[i];
		for (j = 0; j < i; j++)
			if (!strcmp(c->devs[j].pci, d->pci))
				cfg_bad(e, "devices[%u]: %s is listed twice", i, d->pci);
		if (d->mode != GPUPART_MODE_PARTITION)
			continue;
		if (!first) {
			first = d;
		} else if (d->count != first->count || d->vendor != first->vendor ||
			   d->device != first->device ||
			   d->subsys_vendor != first->subsys_vendor ||
			   d->subsys_device != first->subsys_device) {
			cfg_bad(e, "devices[%u]: partitioned GPUs must be the same model with the same count (%s differs from %s)",
				i, d->pci, first->pci);
		}
	}
	for (i = 0; i < c->n_vms; i++) {
		const struct cfg_vm *v = &c->vms[i];

		if (!v->name[0] || !v->kind)
			continue;
		d = cfg_dev_find(c, v->dev);
		if (!d)
			cfg_bad(e, "vms[%u]: device %s is not in devices", i, v->dev);
		else if (v->kind == GPUPART_KIND_PARTITION ?
			 d->mode != GPUPART_MODE_PARTITION : d->mode != GPUPART_MODE_DDA)
			cfg_bad(e, "vms[%u]: device %s is not in mode %s", i, v->dev,
				gpnl_kind_name(v->kind));
		/* Each entry's conflict is told once, with the first it meets. */
		for (j = 0; j < i; j++) {
			const struct cfg_vm *w = &c->vms[j];

			if (!strcmp(w->name, v->name) &&
			    (v->kind == GPUPART_KIND_PARTITION || w->kind != v->kind)) {
				cfg_bad(e, "vms[%u]: VM %s is listed twice (vms[%u]); only whole GPUs can add up",
					i, v->name, j);
				break;
			}
			if (v->kind == GPUPART_KIND_PARTITION && !strcmp(w->vf, v->vf)) {
				cfg_bad(e, "vms[%u]: VF %s is given to vms[%u] already", i, v->vf, j);
				break;
			}
			if (v->kind == GPUPART_KIND_DDA && w->kind == GPUPART_KIND_DDA &&
			    !strcmp(w->dev, v->dev)) {
				cfg_bad(e, "vms[%u]: GPU %s is given to vms[%u] already", i, v->dev, j);
				break;
			}
		}
	}
}

static int cfg_read(const char *file, struct cfg *c)
{
	struct cfg_err e = { .file = file };
	json_object *root, *v, *devs = NULL, *vms = NULL;
	char buf[32];
	size_t i;
	int rc = EXIT_FAIL;

	memset(c, 0, sizeof(*c));
	root = json_read_file(file);
	if (!root)
		return EXIT_FAIL;
	if (!json_object_is_type(root, json_type_object) ||
	    !str_member(root, "format", buf, sizeof(buf)) || strcmp(buf, CFG_FORMAT)) {
		cfg_bad(&e, "not a gpupart configuration (\"format\": \"%s\" is missing)", CFG_FORMAT);
		goto out;
	}
	if (!json_object_object_get_ex(root, "version", &v) ||
	    !json_object_is_type(v, json_type_int) ||
	    json_object_get_int(v) != CFG_VERSION) {
		cfg_bad(&e, "version: this gpupartctl reads version %d", CFG_VERSION);
		goto out;
	}
	if (!str_member(root, "placement", buf, sizeof(buf)) ||
	    !(c->placement = gpnl_value(&gpnl_placements, buf)))
		cfg_bad(&e, "placement: must be spread or pack");
	if (!json_object_object_get_ex(root, "devices", &devs) ||
	    !json_object_is_type(devs, json_type_array) ||
	    !json_object_object_get_ex(root, "vms", &vms) ||
	    !json_object_is_type(vms, json_type_array)) {
		cfg_bad(&e, "devices and vms: arrays are required");
		goto out;
	}
	c->n_devs = json_object_array_length(devs);
	c->n_vms = json_object_array_length(vms);
	c->devs = calloc(c->n_devs + 1, sizeof(*c->devs));
	c->vms = calloc(c->n_vms + 1, sizeof(*c->vms));
	if (!c->devs || !c->vms) {
		fprintf(stderr, "Error: out of memory\n");
		goto out;
	}
	for (i = 0; i < c->n_devs; i++)
		cfg_read_dev(json_object_array_get_idx(devs, i), i, &c->devs[i], &e);
	for (i = 0; i < c->n_vms; i++)
		cfg_read_vm(json_object_array_get_idx(vms, i), i, &c->vms[i], &e);
	cfg_check(c, &e);
	if (!e.n)
		rc = EXIT_OK;
out:
	json_object_put(root);
	if (rc)
		cfg_free(c);
	return rc;
}

/* ---- apply ---- */

enum step_kind { STEP_PLACEMENT, STEP_NONE, STEP_MODE, STEP_ASSIGN };

struct step {
	enum step_kind kind;
	const struct cfg_dev *dev;	/* STEP_NONE, STEP_MODE: the file's */
	const struct cfg_vm *vm;	/* STEP_ASSIGN */
};

struct plan {
	struct step *steps;
	unsigned int n;
	int problems;
};

static void plan_add(struct plan *p, enum step_kind kind,
		     const struct cfg_dev *dev, const struct cfg_vm *vm)
{
	struct step *s = grow(p->steps, p->n, sizeof(*s));

	if (!s) {
		p->problems++;
		fprintf(stderr, "Error: out of memory\n");
		return;
	}
	p->steps = s;
	p->steps[p->n++] = (struct step){ kind, dev, vm };
}

static void __attribute__((format(printf, 3, 4)))
plan_bad(struct plan *p, const char *head, const char *fmt, ...)
{
	va_list ap;

	if (!p->problems++)
		fprintf(stderr, "Error: %s\n", head);
	fprintf(stderr, "  - ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
}

static const struct cfg_vm *cfg_vm_find(const struct cfg *c, const struct cfg_vm *v)
{
	unsigned int i;

	for (i = 0; i < c->n_vms; i++) {
		const struct cfg_vm *w = &c->vms[i];

		if (!strcmp(w->name, v->name) && w->kind == v->kind &&
		    !strcmp(w->dev, v->dev) && !strcmp(w->vf, v->vf))
			return w;
	}
	return NULL;
}

static bool host_has_vm_on(const struct cfg *host, const char *pci)
{
	unsigned int i;

	for (i = 0; i < host->n_vms; i++)
		if (!strcmp(host->vms[i].dev, pci))
			return true;
	return false;
}

static bool count_valid(const struct gpnl_dev *d, uint32_t count)
{
	unsigned int i;

	for (i = 0; i < d->n_counts; i++)
		if (d->counts[i] == count)
			return true;
	return false;
}

/* The file's GPUs against the host's: every difference, listed. */
static void plan_match(struct plan *p, const struct cfg *want, const struct cfg *host,
		       const char *file)
{
	char head[512];
	unsigned int i;

	snprintf(head, sizeof(head), "%s does not match this host's GPUs:", file);
	for (i = 0; i < want->n_devs; i++) {
		const struct cfg_dev *w = &want->devs[i], *h = cfg_dev_find(host, w->pci);

		if (!h) {
			plan_bad(p, head, "%s (%s): in the file, not bound to gpupart here",
				 w->pci, w->model);
			continue;
		}
		if (w->vendor != h->vendor || w->device != h->device ||
		    w->subsys_vendor != h->subsys_vendor || w->subsys_device != h->subsys_device)
			plan_bad(p, head, "%s: the file has %04x:%04x (subsystem %04x:%04x), this host %04x:%04x (subsystem %04x:%04x)",
				 w->pci, w->vendor, w->device, w->subsys_vendor, w->subsys_device,
				 h->vendor, h->device, h->subsys_vendor, h->subsys_device);
		else if (w->mode == GPUPART_MODE_PARTITION && !count_valid(h->host, w->count))
			plan_bad(p, head, "%s: %u partitions is not a valid count for this GPU",
				 w->pci, w->count);
	}
	for (i = 0; i < host->n_devs; i++)
		if (!cfg_dev_find(want, host->devs[i].pci))
			plan_bad(p, head, "%s (%s): bound to gpupart here, not in the file",
				 host->devs[i].pci, host->devs[i].model);
}

static void plan_make(struct plan *p, const struct cfg *want, const struct cfg *host,
		      const char *file)
{
	const char *head = "applying it would take from VMs running here:";
	unsigned int i;

	plan_match(p, want, host, file);
	if (p->problems)
		return;
	/* VMs already holding what the file gives them stay; others block. */
	for (i = 0; i < host->n_vms; i++) {
		const struct cfg_vm *h = &host->vms[i];

		if (!cfg_vm_find(want, h))
			plan_bad(p, head, "VM %s holds %s %s, which the file does not give it; release it first",
				 h->name, h->vf[0] ? "VF" : "GPU", h->vf[0] ? h->vf : h->dev);
	}
	if (want->placement != host->placement)
		plan_add(p, STEP_PLACEMENT, NULL, NULL);
	for (i = 0; i < want->n_devs; i++) {
		const struct cfg_dev *w = &want->devs[i], *h = cfg_dev_find(host, w->pci);

		if (w->mode == h->mode && w->count == h->count)
			continue;
		if (host_has_vm_on(host, w->pci))
			plan_bad(p, head, "%s is in use; it cannot change to mode %s",
				 w->pci, gpnl_mode_name(w->mode));
		/* Through none first, all of them, so homogeneity holds throughout. */
		if (h->mode != GPUPART_MODE_NONE)
			plan_add(p, STEP_NONE, w, NULL);
	}
	for (i = 0; i < want->n_devs; i++) {
		const struct cfg_dev *w = &want->devs[i], *h = cfg_dev_find(host, w->pci);

		if ((w->mode != h->mode || w->count != h->count) &&
		    w->mode != GPUPART_MODE_NONE)
			plan_add(p, STEP_MODE, w, NULL);
	}
	for (i = 0; i < want->n_vms; i++)
		if (!cfg_vm_find(host, &want->vms[i]))
			plan_add(p, STEP_ASSIGN, NULL, &want->vms[i]);
}

static void step_print(const struct cfg *want, const struct step *s)
{
	switch (s->kind) {
	case STEP_PLACEMENT:
		printf("host set placement %s\n", gpnl_placement_name(want->placement));
		break;
	case STEP_NONE:
		printf("dev set %s mode none\n", s->dev->pci);
		break;
	case STEP_MODE:
		if (s->dev->mode == GPUPART_MODE_PARTITION)
			printf("dev set %s mode partition count %u\n", s->dev->pci, s->dev->count);
		else
			printf("dev set %s mode %s\n", s->dev->pci, gpnl_mode_name(s->dev->mode));
		break;
	case STEP_ASSIGN:
		if (s->vm->kind == GPUPART_KIND_PARTITION)
			printf("vm assign %s (partition at VF %s)\n", s->vm->name, s->vm->vf);
		else
			printf("vm assign %s dda dev %s\n", s->vm->name, s->vm->dev);
		break;
	}
}

static int step_run(struct ctl *ctl, const struct cfg *want, const struct step *s)
{
	struct gpnl_vm got;
	int rc = 0;

	switch (s->kind) {
	case STEP_PLACEMENT:
		return gpnl_host_set(&ctl->nl, want->placement);
	case STEP_NONE:
		return gpnl_dev_set(&ctl->nl, s->dev->pci, GPUPART_MODE_NONE, 0, false);
	case STEP_MODE:
		return gpnl_dev_set(&ctl->nl, s->dev->pci, s->dev->mode, s->dev->count,
				    s->dev->mode == GPUPART_MODE_PARTITION);
	case STEP_ASSIGN:
		if (s->vm->kind == GPUPART_KIND_DDA)
			return gpnl_vm_assign(&ctl->nl, s->vm->name, GPUPART_KIND_DDA,
					      s->vm->dev, NULL, NULL);
		profile_lock();
		rc = gpnl_vm_assign(&ctl->nl, s->vm->name, 0, NULL, s->vm->vf, &got);
		if (!rc && got.n && strcmp(got.a[0].vf, s->vm->vf))
			fprintf(stderr, "Warning: VF %s was not free; VM %s got VF %s of %s instead\n",
				s->vm->vf, s->vm->name, got.a[0].vf, got.a[0].dev);
		/* Its profile, or no VM: it said why. */
		if (!rc && got.n && profile_apply(ctl, s->vm->name, &got.a[0]))
			rc = -EIO;
		profile_unlock();
		return rc;
	}
	return -EINVAL;
}

static int config_apply(struct ctl *ctl, int argc, char **argv)
{
	struct cfg want, host;
	struct plan p = { 0 };
	bool dry = false;
	const char *file = NULL;
	unsigned int i;
	int rc, i_arg;

	for (i_arg = 0; i_arg < argc; i_arg++) {
		if (!strcmp(argv[i_arg], "--dry-run"))
			dry = true;
		else if (!file)
			file = argv[i_arg];
		else
			return ctl_usage_error(&ctl_config, "unexpected argument \"%s\"", argv[i_arg]);
	}
	if (!file)
		return ctl_usage_error(&ctl_config, "config apply needs a FILE");
	if (cfg_read(file, &want))
		return EXIT_FAIL;
	if (!ctl_connect(ctl)) {
		cfg_free(&want);
		return EXIT_FAIL;
	}
	rc = cfg_from_host(ctl, &host);
	if (rc) {
		cfg_free(&want);
		cfg_free(&host);
		return ctl_fail(ctl, rc);
	}
	plan_make(&p, &want, &host, file);
	rc = EXIT_OK;
	if (p.problems) {
		fprintf(stderr, "Nothing was changed.\n");
		rc = EXIT_FAIL;
	} else if (!p.n) {
		printf("nothing to change: this host matches %s\n", file);
	} else if (dry) {
		printf("would run (dry run, nothing changed):\n");
		for (i = 0; i < p.n; i++) {
			printf("  ");
			step_print(&want, &p.steps[i]);
		}
	} else {
		for (i = 0; i < p.n && rc == EXIT_OK; i++) {
			step_print(&want, &p.steps[i]);
			fflush(stdout);
			int err = step_run(ctl, &want, &p.steps[i]);

			if (err)
				rc = ctl_fail(ctl, err);
		}
		if (rc)
			fprintf(stderr, "Stopped after %u of %u steps; the steps above it were applied.\n",
				i - 1, p.n);
	}
	free(p.steps);
	cfg_free(&want);
	cfg_free(&host);
	return rc;
}

static const struct ctl_cmd config_cmds[] = {
	{ "save", "[FILE]",
	  "write the host's configuration (modes, counts, placement, VM assignments) as JSON, to FILE or stdout",
	  config_save },
	{ "apply", "FILE [--dry-run]",
	  "make the host match FILE: modes and counts, then each VM on its saved partition; --dry-run prints the plan only",
	  config_apply },
	{ }
};

const struct ctl_object ctl_config = {
	.name = "config",
	.help = "the host's configuration, saved to and applied from a file",
	.cmds = config_cmds,
};
