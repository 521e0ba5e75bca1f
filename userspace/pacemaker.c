// SPDX-License-Identifier: GPL-2.0
/*
 * gpupartctl cluster utilization and cluster cib: Pacemaker places the VMs
 * of a cluster and restarts them after a host fails; gpupart only tells it
 * what each host can hold.
 *
 * Capacity is node utilization: gpupart_partitions (the partitions of the
 * partitioned GPUs that are not quarantined) and gpupart_dda (the GPUs
 * reserved for passthrough), on GPUs whose error recovery did not fail.
 * Each gpupart resource uses one unit of one of them, so with
 * placement-strategy "balanced" Pacemaker never places more VMs on a host
 * than it has partitions, and leaves a VM stopped when no host has room.
 */
#include <errno.h>
#include <getopt.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gpupartctl.h"
#include "hosts.h"
#include "pacemaker.h"
#include "print.h"

extern char **environ;

/* ---- running Pacemaker's own tools ---- */

/*
 * Runs @argv (found in PATH) with its standard output into @out (of @len,
 * the last newline cut), or to ours when @out is NULL. Return: 0, or -1
 * with the reason on stderr.
 */
static int run(char *const argv[], char *out, size_t len)
{
	posix_spawn_file_actions_t fa;
	int fds[2] = { -1, -1 }, status, rc;
	size_t got = 0;
	ssize_t n;
	pid_t pid;

	if (out && pipe(fds)) {
		perror("gpupartctl: pipe");
		return -1;
	}
	posix_spawn_file_actions_init(&fa);
	if (out) {
		posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
		posix_spawn_file_actions_addclose(&fa, fds[0]);
	}
	rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (out)
		close(fds[1]);
	if (rc) {
		fprintf(stderr, "Error: cannot run %s: %s%s\n", argv[0], strerror(rc),
			rc == ENOENT ? " (install pacemaker-cli-utils)" : "");
		if (out)
			close(fds[0]);
		return -1;
	}
	while (out && got + 1 < len &&
	       (n = read(fds[0], out + got, len - 1 - got)) > 0)
		got += n;
	if (out) {
		close(fds[0]);
		out[got] = '\0';
		if (got && out[got - 1] == '\n')
			out[got - 1] = '\0';
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status)) {
		fprintf(stderr, "Error: %s failed\n", argv[0]);
		return -1;
	}
	return 0;
}

/* ---- cluster utilization ---- */

/* The capacity of the host gpupart runs on; 0 when gpupart is not loaded. */
static int util_live(struct capacity *cap)
{
	struct dev_list l = { 0 };
	struct cfg_dev *devs;
	struct gpnl nl;
	unsigned int i;
	int rc;

	memset(cap, 0, sizeof(*cap));
	rc = gpnl_open(&nl);
	if (rc == -ENOENT) {
		fprintf(stderr, "gpupartctl: gpupart is not loaded: no GPU capacity here\n");
		return 0;
	}
	if (rc) {
		fprintf(stderr, "Error: cannot open a generic netlink socket: %s\n",
			strerror(-rc));
		return rc;
	}
	rc = gpnl_dev_get(&nl, NULL, dev_collect, &l);
	if (rc) {
		fprintf(stderr, "Error: %s\n", nl.err[0] ? nl.err : strerror(-rc));
		gpnl_close(&nl);
		free(l.devs);
		return rc;
	}
	gpnl_close(&nl);
	devs = calloc(l.n + 1, sizeof(*devs));
	if (!devs) {
		free(l.devs);
		return -ENOMEM;
	}
	for (i = 0; i < l.n; i++)
		cfg_dev_from_host(&l.devs[i], &devs[i]);
	capacity_of(devs, l.n, cap);
	free(devs);
	free(l.devs);
	return 0;
}

static int util_update(const char *node, const struct capacity *cap)
{
	char parts[16], dda[16];
	char *const set_parts[] = { "crm_attribute", "--node", (char *)node,
		"--name", UTIL_PARTITIONS, "--utilization", "--update", parts, NULL };
	char *const set_dda[] = { "crm_attribute", "--node", (char *)node,
		"--name", UTIL_DDA, "--utilization", "--update", dda, NULL };

	snprintf(parts, sizeof(parts), "%u", cap->partitions);
	snprintf(dda, sizeof(dda), "%u", cap->dda);
	if (run(set_parts, NULL, 0) || run(set_dda, NULL, 0))
		return -1;
	return 0;
}

/*
 * One line a reading: "node N gpupart_partitions P gpupart_dda D" (the
 * node only when one was named), so that the journal of
 * gpupart-utilization.service shows each capacity it set; in JSON an
 * object, its node null when none was named.
 */
static void util_print(const char *node, const struct capacity *cap)
{
	print_line_begin();
	if (node || print_json())
		print_str("node", "node", node);
	print_uint(UTIL_PARTITIONS, UTIL_PARTITIONS, cap->partitions);
	print_uint(UTIL_DDA, UTIL_DDA, cap->dda);
	print_line_end();
}

/* What the events since the last read call for. */
struct util_next {
	bool reread;	/* a GPU, a partition or gpupart itself changed */
	bool rejoin;	/* gpupart is back: join its group anew */
};

static void util_event(const struct gpnl_event *ev, void *arg)
{
	struct util_next *next = arg;

	/* VMs come and go within the capacity; everything else may change it. */
	if (ev->what != GPNL_EV_VM)
		next->reread = true;
	if (ev->what == GPNL_EV_FAMILY && !strcmp(ev->name, "family-new"))
		next->rejoin = true;
}

/*
 * Reads the capacity again after every event that may change it and
 * updates (or prints) it when it changed. Runs until killed; a lost event
 * (an overrun) only means one more read. Waits for gpupart while it is
 * not loaded, as after it is unloaded: a host whose module is missing
 * keeps capacity 0 until the module comes.
 */
static int util_follow(struct ctl *ctl, const char *node, bool update,
		       struct capacity *last)
{
	struct util_next next;
	struct capacity cap;
	bool waited;
	int rc;

	rc = ctl_monitor_join(ctl, &waited);
	if (rc)
		return ctl_fail(ctl, rc);
	print_init(print_json(), false);
	/* What changed before the join was seen by no event: read once more. */
	next = (struct util_next){ .reread = true };
	for (;;) {
		if (next.rejoin && (rc = gpnl_monitor_rejoin(&ctl->nl)))
			return ctl_fail(ctl, rc);
		/* The cluster may be back for the next event, when an update failed. */
		if (next.reread && !util_live(&cap) && memcmp(&cap, last, sizeof(cap)) &&
		    (!update || !util_update(node, &cap))) {
			*last = cap;
			util_print(node, &cap);
		}
		next = (struct util_next){ 0 };
		rc = gpnl_events(&ctl->nl, -1, util_event, &next);
		if (rc == -ENOBUFS)
			next.reread = true;
		else if (rc < 0)
			return ctl_fail(ctl, rc);
	}
}

int cluster_utilization(struct ctl *ctl, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "update", no_argument, NULL, 'u' },
		{ "node", required_argument, NULL, 'n' },
		{ "follow", no_argument, NULL, 'f' },
		{ }
	};
	char local[256], *argv0[] = { "crm_node", "-n", NULL };
	bool update = false, follow = false;
	const char *node = NULL;
	struct capacity cap;
	struct host *h;
	int c;

	/* getopt wants a program name first: the command's own, "utilization". */
	optind = 0;
	while ((c = getopt_long(argc + 1, argv - 1, "+", opts, NULL)) != -1) {
		switch (c) {
		case 'u':
			update = true;
			break;
		case 'n':
			node = optarg;
			break;
		case 'f':
			follow = true;
			break;
		default:
			return ctl_usage_error(&ctl_cluster, "cluster utilization takes --update, --node NODE, --follow and a FILE");
		}
	}
	argc -= optind - 1;
	argv += optind - 1;
	if (argc > 1 || (argc && follow))
		return ctl_usage_error(&ctl_cluster, "cluster utilization reads one FILE, and --follow none");
	if (!node && update) {
		if (run(argv0, local, sizeof(local)) || !*local) {
			fprintf(stderr, "Error: crm_node -n did not name this node; give --node NODE\n");
			return EXIT_FAIL;
		}
		node = local;
	}
	if (argc) {
		h = hosts_load(argv, 1);
		if (!h)
			return errno == ENOMEM ? EXIT_FAIL : EXIT_USAGE;
		capacity_of(h->devs, h->n_devs, &cap);
		hosts_free(h, 1);
	} else if (util_live(&cap)) {
		return EXIT_FAIL;
	}
	if (update && util_update(node, &cap))
		return EXIT_FAIL;
	util_print(node, &cap);
	return follow ? util_follow(ctl, node, update, &cap) : EXIT_OK;
}

/* ---- cluster cib ---- */

/* A VM of the cluster: a gpupart resource NAME-gpu and a VirtualDomain NAME. */
struct cib_vm {
	const char *name;
	uint32_t kind;
};

/*
 * The CIB is written as it is made, element by element: every value goes
 * through xml_text(), so a path with "&" or a quote stays well-formed.
 */
struct xw {
	FILE *f;
	int depth;
};

static void xml_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		default:
			fputc(*s, f);
		}
	}
}

/* <NAME KEY="VALUE"...> (or <.../> for a @leaf); pairs end with NULL. */
static void tag(struct xw *w, bool leaf, const char *name, ...)
{
	const char *k, *v;
	va_list ap;

	fprintf(w->f, "%*s<%s", w->depth * 2, "", name);
	va_start(ap, name);
	while ((k = va_arg(ap, const char *))) {
		v = va_arg(ap, const char *);
		fprintf(w->f, " %s=\"", k);
		xml_text(w->f, v);
		fputc('"', w->f);
	}
	va_end(ap);
	fputs(leaf ? "/>\n" : ">\n", w->f);
	w->depth += !leaf;
}

static void end(struct xw *w, const char *name)
{
	w->depth--;
	fprintf(w->f, "%*s</%s>\n", w->depth * 2, "", name);
}

/* <SET id="OWNER-SET">, its nvpairs id'd after it: vm1-gpu-utilization-... */
static void nvset(struct xw *w, char *id, size_t len, const char *set,
		  const char *owner)
{
	snprintf(id, len, "%s-%s", owner, set);
	tag(w, false, set, "id", id, NULL);
}

static void nvpair(struct xw *w, const char *set_id, const char *name,
		   const char *value)
{
	char id[512];

	snprintf(id, sizeof(id), "%s-%s", set_id, name);
	tag(w, true, "nvpair", "id", id, "name", name, "value", value, NULL);
}

static void op(struct xw *w, const char *rsc, const char *name,
	       const char *interval, const char *timeout)
{
	char id[256];

	snprintf(id, sizeof(id), "%s-%s-%s", rsc, name, interval);
	tag(w, true, "op", "id", id, "name", name, "interval", interval,
	    "timeout", timeout, NULL);
}

static void cib_vm(struct xw *w, const struct cib_vm *vm, const char *dir)
{
	char gpu[GPNL_VM_MAX + 8], xml[4096], id[128];
	bool dda = vm->kind == GPUPART_KIND_DDA;

	snprintf(gpu, sizeof(gpu), "%s-gpu", vm->name);
	snprintf(xml, sizeof(xml), "%s/%s.xml", dir, vm->name);

	tag(w, false, "primitive", "id", gpu, "class", "ocf", "provider", "gpupart",
	    "type", "partition", NULL);
	nvset(w, id, sizeof(id), "instance_attributes", gpu);
	nvpair(w, id, "vm", vm->name);
	nvpair(w, id, "kind", dda ? "dda" : "partition");
	nvpair(w, id, "domain_xml", xml);
	end(w, "instance_attributes");
	/* A GPU that failed once is not trusted again until cleaned up. */
	nvset(w, id, sizeof(id), "meta_attributes", gpu);
	nvpair(w, id, "migration-threshold", "1");
	end(w, "meta_attributes");
	nvset(w, id, sizeof(id), "utilization", gpu);
	nvpair(w, id, dda ? UTIL_DDA : UTIL_PARTITIONS, "1");
	end(w, "utilization");
	tag(w, false, "operations", NULL);
	op(w, gpu, "start", "0s", "60s");
	op(w, gpu, "stop", "0s", "120s");
	op(w, gpu, "monitor", "10s", "20s");
	end(w, "operations");
	end(w, "primitive");

	tag(w, false, "primitive", "id", vm->name, "class", "ocf",
	    "provider", "heartbeat", "type", "VirtualDomain", NULL);
	nvset(w, id, sizeof(id), "instance_attributes", vm->name);
	nvpair(w, id, "config", xml);
	nvpair(w, id, "hypervisor", "qemu:///system");
	end(w, "instance_attributes");
	/* No live migration: a VM moves by stop and start elsewhere. */
	nvset(w, id, sizeof(id), "meta_attributes", vm->name);
	nvpair(w, id, "allow-migrate", "false");
	end(w, "meta_attributes");
	tag(w, false, "operations", NULL);
	op(w, vm->name, "start", "0s", "90s");
	op(w, vm->name, "stop", "0s", "90s");
	op(w, vm->name, "monitor", "10s", "30s");
	end(w, "operations");
	end(w, "primitive");
}

static void cib_constraints(struct xw *w, const struct cib_vm *vm)
{
	char gpu[GPNL_VM_MAX + 8], id[256];

	snprintf(gpu, sizeof(gpu), "%s-gpu", vm->name);
	snprintf(id, sizeof(id), "order-%s-then-%s", gpu, vm->name);
	tag(w, true, "rsc_order", "id", id, "first", gpu, "then", vm->name,
	    "kind", "Mandatory", NULL);
	snprintf(id, sizeof(id), "colocation-%s-with-%s", vm->name, gpu);
	tag(w, true, "rsc_colocation", "id", id, "rsc", vm->name, "with-rsc", gpu,
	    "score", "INFINITY", NULL);
}

static void cib_node(struct xw *w, unsigned int n, const struct host *h)
{
	char num[16], owner[32], id[64], val[16];
	struct capacity cap;

	capacity_of(h->devs, h->n_devs, &cap);
	snprintf(num, sizeof(num), "%u", n);
	tag(w, false, "node", "id", num, "uname", h->name, NULL);
	snprintf(owner, sizeof(owner), "nodes-%u", n);
	nvset(w, id, sizeof(id), "utilization", owner);
	snprintf(val, sizeof(val), "%u", cap.partitions);
	nvpair(w, id, UTIL_PARTITIONS, val);
	snprintf(val, sizeof(val), "%u", cap.dda);
	nvpair(w, id, UTIL_DDA, val);
	end(w, "utilization");
	end(w, "node");
}

/* An XML ID, as Pacemaker's ids must be: a letter or _, then A-Z a-z 0-9 . _ - */
static bool cib_id_ok(const char *s)
{
	if (!(*s >= 'A' && *s <= 'Z') && !(*s >= 'a' && *s <= 'z') && *s != '_')
		return false;
	return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") ==
	       strlen(s);
}

/* The VMs of all hosts, once each; NULL with the reason said on failure. */
static struct cib_vm *cib_vms(const struct host *hosts, unsigned int n,
			      unsigned int *n_vms)
{
	struct cib_vm *vms = NULL, *v;
	unsigned int i, j, k;
	char gpu[GPNL_VM_MAX + 8];

	*n_vms = 0;
	for (i = 0; i < n; i++) {
		for (j = 0; j < hosts[i].n_vms; j++) {
			const struct host_vm *hv = &hosts[i].vms[j];

			for (k = 0; k < *n_vms && strcmp(vms[k].name, hv->name); k++)
				;
			if (k < *n_vms && vms[k].kind != hv->kind) {
				fprintf(stderr, "gpupartctl: VM %s holds a partition on one host and a whole GPU on another\n",
					hv->name);
				goto bad;
			}
			if (k < *n_vms)
				continue;
			if (!cib_id_ok(hv->name)) {
				fprintf(stderr, "gpupartctl: %s: VM %s cannot name a Pacemaker resource: an id starts with a letter or _ and holds only A-Z a-z 0-9 . _ -\n",
					hosts[i].name, hv->name);
				goto bad;
			}
			v = realloc(vms, (*n_vms + 1) * sizeof(*v));
			if (!v)
				goto bad;
			vms = v;
			vms[(*n_vms)++] = (struct cib_vm){ hv->name, hv->kind };
		}
	}
	/* VM "a" makes "a-gpu": no other VM may be called that. */
	for (i = 0; i < *n_vms; i++) {
		snprintf(gpu, sizeof(gpu), "%s-gpu", vms[i].name);
		for (k = 0; k < *n_vms; k++) {
			if (!strcmp(vms[k].name, gpu)) {
				fprintf(stderr, "gpupartctl: VMs %s and %s would share the resource id %s\n",
					vms[i].name, vms[k].name, gpu);
				goto bad;
			}
		}
	}
	return vms ? vms : calloc(1, sizeof(*vms));
bad:
	free(vms);
	return NULL;
}

/* cluster check's rows, on stderr: standard output is for the CIB alone. */
static void cib_difference(const struct host *h, const struct cfg_dev *d,
			   const char *what, const char *got, const char *want)
{
	static bool said;

	if (!said)
		fprintf(stderr, "gpupartctl: the cluster is not homogeneous; no CIB written\n"
			"HOST PCI DIFFERENCE VALUE REFERENCE\n");
	said = true;
	fprintf(stderr, "%s %s %s %s %s\n", h->name, d ? d->pci : "-", what, got, want);
}

static void cib_write(FILE *f, const struct host *hosts, unsigned int n,
		      const struct cib_vm *vms, unsigned int n_vms,
		      const char *dir)
{
	struct xw w = { .f = f };
	unsigned int i;

	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
	/*
	 * Without a feature set the scheduler reads fail counts as Pacemaker
	 * before 1.1.17 wrote them, one per resource, and migration-threshold
	 * never sees a monitor's failure. 3.0.14 is 1.1.17's; a live cluster
	 * raises it to its own.
	 */
	tag(&w, false, "cib", "crm_feature_set", "3.0.14", "validate-with", "pacemaker-3.9",
	    "admin_epoch", "0", "epoch", "1", "num_updates", "0", NULL);
	tag(&w, false, "configuration", NULL);
	tag(&w, false, "crm_config", NULL);
	tag(&w, false, "cluster_property_set", "id", "cib-bootstrap-options", NULL);
	nvpair(&w, "cib-bootstrap-options", "placement-strategy", "balanced");
	end(&w, "cluster_property_set");
	end(&w, "crm_config");
	tag(&w, false, "nodes", NULL);
	for (i = 0; i < n; i++)
		cib_node(&w, i + 1, &hosts[i]);
	end(&w, "nodes");
	tag(&w, false, "resources", NULL);
	for (i = 0; i < n_vms; i++)
		cib_vm(&w, &vms[i], dir);
	end(&w, "resources");
	tag(&w, false, "constraints", NULL);
	for (i = 0; i < n_vms; i++)
		cib_constraints(&w, &vms[i]);
	end(&w, "constraints");
	end(&w, "configuration");
	tag(&w, true, "status", NULL);
	end(&w, "cib");
}

int cluster_cib(struct ctl *ctl, int argc, char **argv)
{
	const char *dir = "/etc/libvirt/qemu";
	struct cib_vm *vms = NULL;
	unsigned int n_vms, diffs;
	struct host *hosts;
	struct kind ref;
	int rc;

	(void)ctl;
	if (argc >= 1 && !strcmp(argv[0], "domains")) {
		if (argc < 2)
			return ctl_usage_error(&ctl_cluster, "domains needs a directory: cluster cib domains DIR FILE...");
		dir = argv[1];
		if (*dir != '/')
			return ctl_usage_error(&ctl_cluster, "domains takes an absolute directory, not \"%s\"",
					       dir);
		argc -= 2;
		argv += 2;
	}
	if (argc < 1)
		return ctl_usage_error(&ctl_cluster, "cluster cib needs at least one FILE");
	hosts = hosts_load(argv, argc);
	if (!hosts)
		return errno == ENOMEM ? EXIT_FAIL : EXIT_USAGE;
	cluster_reference(hosts, argc, &ref);
	diffs = cluster_compare(hosts, argc, &ref, cib_difference);
	if (diffs) {
		hosts_free(hosts, argc);
		return EXIT_FAIL;
	}
	vms = cib_vms(hosts, argc, &n_vms);
	if (!vms) {
		hosts_free(hosts, argc);
		return EXIT_USAGE;
	}
	cib_write(stdout, hosts, argc, vms, n_vms, dir);
	rc = fflush(stdout) || ferror(stdout) ? EXIT_FAIL : EXIT_OK;
	free(vms);
	hosts_free(hosts, argc);
	return rc;
}
