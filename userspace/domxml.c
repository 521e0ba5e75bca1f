// SPDX-License-Identifier: GPL-2.0
/*
 * A VM's GPU resources written into its libvirt domain XML, so that a VM
 * started from that file (by virsh, or by Pacemaker's VirtualDomain) gets
 * the partition placed on the host it starts on.
 *
 * Each resource becomes
 *   <hostdev mode="subsystem" type="pci" managed="no">
 *     <source><address domain=.. bus=.. slot=.. function=../></source>
 *     <alias name="ua-gpupartN"/>
 *   </hostdev>
 * managed="no": gpupart binds partitions and DDA GPUs to vfio-pci itself,
 * and libvirt must not hand them back to a host driver when the VM stops.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "domxml.h"
#include "jsonutil.h"

static bool is(xmlNodePtr n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && !xmlStrcmp(n->name, BAD_CAST name);
}

static xmlNodePtr first(xmlNodePtr parent, const char *name)
{
	xmlNodePtr n;

	for (n = parent ? parent->children : NULL; n; n = n->next)
		if (is(n, name))
			return n;
	return NULL;
}

static bool prop_is(xmlNodePtr n, const char *name, const char *prefix)
{
	xmlChar *v = n ? xmlGetProp(n, BAD_CAST name) : NULL;
	bool yes = v && !strncmp((const char *)v, prefix, strlen(prefix));

	xmlFree(v);
	return yes;
}

/* The PCI address of a <hostdev type="pci">, as the kernel writes it. */
static bool hostdev_addr(xmlNodePtr h, char *buf, size_t len)
{
	xmlNodePtr a = first(first(h, "source"), "address");
	const char *keys[] = { "domain", "bus", "slot", "function" };
	unsigned long v[4];
	unsigned int i;

	if (!a || !prop_is(h, "type", "pci"))
		return false;
	for (i = 0; i < 4; i++) {
		xmlChar *s = xmlGetProp(a, BAD_CAST keys[i]);
		char *end;

		v[i] = s ? strtoul((const char *)s, &end, 0) : 0;
		if (!s || *end) {
			xmlFree(s);
			return false;
		}
		xmlFree(s);
	}
	snprintf(buf, len, "%04lx:%02lx:%02lx.%lx", v[0], v[1], v[2], v[3]);
	return true;
}

static bool held(const struct gpnl_vm *vm, const char *addr)
{
	unsigned int i;

	for (i = 0; i < vm->n; i++)
		if (!strcmp(vm->a[i].has_index ? vm->a[i].vf : vm->a[i].dev, addr))
			return true;
	return false;
}

/* Drops gpupart's earlier hostdevs, and any other naming what @vm holds. */
static void drop_hostdevs(xmlNodePtr devices, const struct gpnl_vm *vm)
{
	xmlNodePtr n, next;
	char addr[32];

	for (n = devices->children; n; n = next) {
		next = n->next;
		if (!is(n, "hostdev"))
			continue;
		if (prop_is(first(n, "alias"), "name", DOMXML_ALIAS) ||
		    (hostdev_addr(n, addr, sizeof(addr)) && held(vm, addr))) {
			xmlUnlinkNode(n);
			xmlFreeNode(n);
		}
	}
}

static int add_hostdev(xmlNodePtr devices, const char *pci, unsigned int i)
{
	unsigned int dom, bus, slot, fn;
	xmlNodePtr h, a;
	char buf[32];

	if (sscanf(pci, "%x:%x:%x.%x", &dom, &bus, &slot, &fn) != 4)
		return -1;
	h = xmlNewChild(devices, NULL, BAD_CAST "hostdev", NULL);
	xmlNewProp(h, BAD_CAST "mode", BAD_CAST "subsystem");
	xmlNewProp(h, BAD_CAST "type", BAD_CAST "pci");
	xmlNewProp(h, BAD_CAST "managed", BAD_CAST "no");
	a = xmlNewChild(xmlNewChild(h, NULL, BAD_CAST "source", NULL), NULL,
			BAD_CAST "address", NULL);
	snprintf(buf, sizeof(buf), "0x%04x", dom);
	xmlNewProp(a, BAD_CAST "domain", BAD_CAST buf);
	snprintf(buf, sizeof(buf), "0x%02x", bus);
	xmlNewProp(a, BAD_CAST "bus", BAD_CAST buf);
	snprintf(buf, sizeof(buf), "0x%02x", slot);
	xmlNewProp(a, BAD_CAST "slot", BAD_CAST buf);
	snprintf(buf, sizeof(buf), "0x%x", fn);
	xmlNewProp(a, BAD_CAST "function", BAD_CAST buf);
	snprintf(buf, sizeof(buf), DOMXML_ALIAS "%u", i);
	a = xmlNewChild(h, NULL, BAD_CAST "alias", NULL);
	xmlNewProp(a, BAD_CAST "name", BAD_CAST buf);
	return 0;
}

/* @doc into a new file beside @file, then renamed over it, keeping its mode. */
static int save(xmlDocPtr doc, const char *file, mode_t mode)
{
	char *tmp;
	int fd, rc = -1;

	if (asprintf(&tmp, "%s.gpupart-XXXXXX", file) < 0)
		return -1;
	fd = mkstemp(tmp);
	if (fd < 0) {
		fprintf(stderr, "Error: %s: cannot write beside it: %s\n", file, strerror(errno));
		free(tmp);
		return -1;
	}
	if (fchmod(fd, mode & 07777) == 0 &&
	    xmlSaveFormatFileEnc(tmp, doc, "UTF-8", 1) >= 0 &&
	    rename(tmp, file) == 0)
		rc = 0;
	else
		fprintf(stderr, "Error: %s: cannot write it: %s\n", file, strerror(errno));
	close(fd);
	if (rc)
		unlink(tmp);
	free(tmp);
	return rc;
}

/* @file read and checked: a regular libvirt domain XML; NULL after saying why. */
static xmlDocPtr domxml_read(const char *file, struct stat *st)
{
	xmlNodePtr root;
	xmlDocPtr doc;

	if (stat(file, st)) {
		fprintf(stderr, "Error: %s: %s\n", file, strerror(errno));
		return NULL;
	}
	if (!S_ISREG(st->st_mode)) {
		fprintf(stderr, "Error: %s: not a regular file\n", file);
		return NULL;
	}
	if (st->st_size > JSON_FILE_MAX) {
		fprintf(stderr, "Error: %s: larger than %u bytes; not a domain XML\n",
			file, JSON_FILE_MAX);
		return NULL;
	}
	/* No network, no external entities: the file is data, not a program. */
	doc = xmlReadFile(file, NULL, XML_PARSE_NONET | XML_PARSE_NOBLANKS |
			  XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!doc) {
		fprintf(stderr, "Error: %s: not well-formed XML\n", file);
		return NULL;
	}
	root = xmlDocGetRootElement(doc);
	if (!root || !is(root, "domain")) {
		fprintf(stderr, "Error: %s: not a libvirt domain (the root element is <%s>)\n",
			file, root ? (const char *)root->name : "");
		xmlFreeDoc(doc);
		return NULL;
	}
	return doc;
}

int domxml_check(const char *file)
{
	struct stat st;
	xmlDocPtr doc = domxml_read(file, &st);

	if (!doc)
		return -1;
	xmlFreeDoc(doc);
	return 0;
}

int domxml_write(const char *file, const struct gpnl_vm *vm)
{
	xmlNodePtr root, devices;
	struct stat st;
	xmlDocPtr doc;
	unsigned int i;
	int rc = -1;

	doc = domxml_read(file, &st);
	if (!doc)
		return -1;
	root = xmlDocGetRootElement(doc);
	devices = first(root, "devices");
	if (!devices)
		devices = xmlNewChild(root, NULL, BAD_CAST "devices", NULL);
	drop_hostdevs(devices, vm);
	for (i = 0; i < vm->n; i++) {
		if (add_hostdev(devices, vm->a[i].has_index ? vm->a[i].vf : vm->a[i].dev, i)) {
			fprintf(stderr, "Error: the kernel named an address that is not one\n");
			goto out;
		}
	}
	rc = save(doc, file, st.st_mode);
out:
	xmlFreeDoc(doc);
	return rc;
}

int domxml_sources(const char *xml, size_t len, FILE *out)
{
	xmlNodePtr root, devices, n;
	char addr[32];
	xmlDocPtr doc;
	int rc = 0, pass;

	doc = xmlReadMemory(xml, len, "domain.xml", NULL, XML_PARSE_NONET |
			    XML_PARSE_NOBLANKS | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!doc) {
		fprintf(stderr, "Error: the domain XML is not well-formed\n");
		return -1;
	}
	root = xmlDocGetRootElement(doc);
	if (!root || !is(root, "domain")) {
		fprintf(stderr, "Error: not a libvirt domain (the root element is <%s>)\n",
			root ? (const char *)root->name : "");
		rc = -1;
		goto out;
	}
	devices = first(root, "devices");
	/* Every one read first: one we cannot read could be a partition. */
	for (pass = 0; pass < 2; pass++) {
		for (n = devices ? devices->children : NULL; n; n = n->next) {
			if (!is(n, "hostdev") || !prop_is(n, "type", "pci"))
				continue;
			if (!hostdev_addr(n, addr, sizeof(addr))) {
				fprintf(stderr, "Error: a PCI <hostdev> without a readable <source> address\n");
				rc = -1;
				goto out;
			}
			if (pass)
				fprintf(out, "%s %s\n", addr,
					prop_is(n, "managed", "yes") ? "managed" : "unmanaged");
		}
	}
out:
	xmlFreeDoc(doc);
	return rc;
}
