/* SPDX-License-Identifier: GPL-2.0 */
#ifndef DOMXML_H
#define DOMXML_H

#include "gpnl.h"

/* The alias that marks the <hostdev> elements gpupart writes ("ua-" is
 * libvirt's prefix for user aliases); the first is ua-gpupart0. */
#define DOMXML_ALIAS	"ua-gpupart"

/*
 * Whether domxml_write() can take @file: it exists, is a regular file,
 * well-formed and a libvirt domain. Return: 0, or -1 with the reason on
 * stderr.
 */
int domxml_check(const char *file);

/*
 * Writes what @vm holds into the libvirt domain XML @file as PCI
 * <hostdev> elements, replacing those gpupart wrote before and any other
 * that names the same device; the rest of the file is kept. The file is
 * replaced atomically. Return: 0, or -1 with the reason on stderr.
 */
int domxml_write(const char *file, const struct gpnl_vm *vm);

/*
 * Prints the host address of each PCI <hostdev> of the domain XML @xml
 * (@len bytes), from its <source>, never the guest address libvirt adds
 * after it: "0000:01:00.1 managed" or "... unmanaged", a line each.
 * Return: 0, or -1 with the reason on stderr (and nothing printed for a
 * hostdev it cannot read).
 */
int domxml_sources(const char *xml, size_t len, FILE *out);

#endif
