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
#include <libxml/tree.h>

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

static void util_print(const char *node, const struct capacity *cap)
{
	print_obj_begin(NULL);
	print_str("node", "NODE", node);
	print_uint(UTIL_PARTITIONS, "GPUPART_PARTITIONS", cap->partitions);
	print_uint(UTIL_DDA, "GPUPART_DDA", cap->dda);
	print_obj_end();
	print_end();
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
 * (an overrun) only means one more read.
 */
static int util_follow(struct ctl *ctl, const char *node, bool update,
		       struct capacity *last)
{
	struct util_next next;
	struct capacity cap;
	int rc;

	if (!ctl_connect(ctl))
		return EXIT_FAIL;
	rc = gpnl_monitor(&ctl->nl);
	if (rc)
		return ctl_fail(ctl, rc);
	print_init(print_json(), false);
	for (;;) {
		next = (struct util_next){ 0 };
		rc = gpnl_events(&ctl->nl, -1, util_event, &next);
		if (rc == -ENOBUFS)
			next.reread = true;
		else if (rc < 0)
			return ctl_fail(ctl, rc);
		if (next.rejoin && (rc = gpnl_monitor_rejoin(&ctl->nl)))
			return ctl_fail(ctl, rc);
		if (!next.reread || util_live(&cap))
			continue;
		if (!memcmp(&cap, last, sizeof(cap)))
			continue;
		if (update && util_update(node, &cap))
			continue;	/* the cluster may be back for the next event */
		*last = cap;
		util_print(node, &cap);
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

static xmlNodePtr child(xmlNodePtr parent, const char *name)
{
	return xmlNewChild(parent, NULL, BAD_CAST name, NULL);
}

static void attr(xmlNodePtr node, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void attr(xmlNodePtr node, const char *name, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	xmlNewProp(node, BAD_CAST name, BAD_CAST buf);
}

/* <SET id="OWNER-SET"> with nvpairs id'd after it, e.g. vm1-gpu-utilization. */
static xmlNodePtr nvset(xmlNodePtr parent, const char *set, const char *owner)
{
	xmlNodePtr s = child(parent, set);

	attr(s, "id", "%s-%s", owner, set);
	return s;
}

static void nvpair(xmlNodePtr set, const char *name, const char *value)
{
	xmlNodePtr p = child(set, "nvpair");
	xmlChar *owner = xmlGetProp(set, BAD_CAST "id");

	attr(p, "id", "%s-%s", (const char *)owner, name);
	attr(p, "name", "%s", name);
	attr(p, "value", "%s", value);
	xmlFree(owner);
}

static void op(xmlNodePtr ops, const char *rsc, const char *name,
	       const char *interval, const char *timeout)
{
	xmlNodePtr o = child(ops, "op");

	attr(o, "id", "%s-%s-%s", rsc, name, interval);
	attr(o, "name", "%s", name);
	attr(o, "interval", "%s", interval);
	attr(o, "timeout", "%s", timeout);
}

static void primitive_common(xmlNodePtr p, const char *id, const char *class,
			     const char *provider, const char *type)
{
	attr(p, "id", "%s", id);
	attr(p, "class", "%s", class);
	attr(p, "provider", "%s", provider);
	attr(p, "type", "%s", type);
}

static void cib_vm(xmlNodePtr rscs, xmlNodePtr cons, const struct cib_vm *vm,
		   const char *dir)
{
	xmlNodePtr p, s, o;
	char gpu[GPNL_VM_MAX + 8], xml[4096];
	bool dda = vm->kind == GPUPART_KIND_DDA;

	snprintf(gpu, sizeof(gpu), "%s-gpu", vm->name);
	snprintf(xml, sizeof(xml), "%s/%s.xml", dir, vm->name);

	p = child(rscs, "primitive");
	primitive_common(p, gpu, "ocf", "gpupart", "partition");
	s = nvset(p, "instance_attributes", gpu);
	nvpair(s, "vm", vm->name);
	nvpair(s, "kind", dda ? "dda" : "partition");
	nvpair(s, "domain_xml", xml);
	/* A GPU that failed once is not trusted again until cleaned up. */
	s = nvset(p, "meta_attributes", gpu);
	nvpair(s, "migration-threshold", "1");
	s = nvset(p, "utilization", gpu);
	nvpair(s, dda ? UTIL_DDA : UTIL_PARTITIONS, "1");
	s = child(p, "operations");
	op(s, gpu, "start", "0s", "60s");
	op(s, gpu, "stop", "0s", "120s");
	op(s, gpu, "monitor", "10s", "20s");

	p = child(rscs, "primitive");
	primitive_common(p, vm->name, "ocf", "heartbeat", "VirtualDomain");
	s = nvset(p, "instance_attributes", vm->name);
	nvpair(s, "config", xml);
	nvpair(s, "hypervisor", "qemu:///system");
	/* No live migration: a VM moves by stop and start elsewhere. */
	s = nvset(p, "meta_attributes", vm->name);
	nvpair(s, "allow-migrate", "false");
	s = child(p, "operations");
	op(s, vm->name, "start", "0s", "90s");
	op(s, vm->name, "stop", "0s", "90s");
	op(s, vm->name, "monitor", "10s", "30s");

	o = child(cons, "rsc_order");
	attr(o, "id", "order-%s-then-%s", gpu, vm->name);
	attr(o, "first", "%s", gpu);
	attr(o, "then", "%s", vm->name);
	attr(o, "kind", "Mandatory");
	o = child(cons, "rsc_colocation");
	attr(o, "id", "colocation-%s-with-%s", vm->name, gpu);
	attr(o, "rsc", "%s", vm->name);
	attr(o, "with-rsc", "%s", gpu);
	attr(o, "score", "INFINITY");
}

static void cib_node(xmlNodePtr nodes, unsigned int id, const struct host *h)
{
	xmlNodePtr n = child(nodes, "node"), u;
	struct capacity cap;
	char owner[32], val[16];

	capacity_of(h->devs, h->n_devs, &cap);
	attr(n, "id", "%u", id);
	attr(n, "uname", "%s", h->name);
	snprintf(owner, sizeof(owner), "nodes-%u", id);
	u = nvset(n, "utilization", owner);
	snprintf(val, sizeof(val), "%u", cap.partitions);
	nvpair(u, UTIL_PARTITIONS, val);
	snprintf(val, sizeof(val), "%u", cap.dda);
	nvpair(u, UTIL_DDA, val);
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
	fprintf(stderr, "%s %s %s %s %s\n", h->name, d->pci, what, got, want);
}

static xmlDocPtr cib_doc(const struct host *hosts, unsigned int n,
			 const struct cib_vm *vms, unsigned int n_vms,
			 const char *dir)
{
	xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
	xmlNodePtr cib, conf, s, nodes, rscs, cons;
	unsigned int i;

	cib = xmlNewNode(NULL, BAD_CAST "cib");
	xmlDocSetRootElement(doc, cib);
	/*
	 * Without a feature set the scheduler reads fail counts as Pacemaker
	 * before 1.1.17 wrote them, one per resource, and migration-threshold
	 * never sees a monitor's failure. 3.0.14 is 1.1.17's; a live cluster
	 * raises it to its own.
	 */
	attr(cib, "crm_feature_set", "3.0.14");
	attr(cib, "validate-with", "pacemaker-3.9");
	attr(cib, "admin_epoch", "0");
	attr(cib, "epoch", "1");
	attr(cib, "num_updates", "0");
	conf = child(cib, "configuration");
	s = nvset(child(conf, "crm_config"), "cluster_property_set", "cib-bootstrap-options");
	xmlSetProp(s, BAD_CAST "id", BAD_CAST "cib-bootstrap-options");
	nvpair(s, "placement-strategy", "balanced");
	nodes = child(conf, "nodes");
	for (i = 0; i < n; i++)
		cib_node(nodes, i + 1, &hosts[i]);
	rscs = child(conf, "resources");
	cons = child(conf, "constraints");
	for (i = 0; i < n_vms; i++)
		cib_vm(rscs, cons, &vms[i], dir);
	child(cib, "status");
	return doc;
}

int cluster_cib(struct ctl *ctl, int argc, char **argv)
{
	const char *dir = "/etc/libvirt/qemu";
	struct cib_vm *vms = NULL;
	unsigned int n_vms, diffs;
	struct host *hosts;
	struct kind ref;
	xmlDocPtr doc;
	int rc;

	(void)ctl;
	if (argc >= 2 && !strcmp(argv[0], "domains")) {
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
	doc = cib_doc(hosts, argc, vms, n_vms, dir);
	rc = xmlSaveFormatFileEnc("-", doc, "UTF-8", 1) < 0 ? EXIT_FAIL : EXIT_OK;
	xmlFreeDoc(doc);
	free(vms);
	hosts_free(hosts, argc);
	return rc;
}
