/* SPDX-License-Identifier: GPL-2.0 */
#ifndef JSONUTIL_H
#define JSONUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

/* A PCI address as the kernel prints it: 0000:01:00.0, lower-case hex. */
/*
 * What gpupartctl reads of a file: a configuration of a thousand GPUs and
 * ten thousand VMs is well under 4 MiB, and gpupartctl writes no document
 * deeper than 4 levels.
 */
#define JSON_FILE_MAX	(4 << 20)
#define JSON_DEPTH_MAX	16

/*
 * One JSON document from @file, or NULL with the reason on stderr: it
 * cannot be read, is larger than JSON_FILE_MAX, nested deeper than
 * JSON_DEPTH_MAX, not JSON, or more than one document.
 */
json_object *json_read_file(const char *file);

bool pci_addr_ok(const char *s);
/* String member @key copied to @out (of @len); NULL when absent, not a
 * string, or too long. */
const char *str_member(json_object *o, const char *key, char *out, size_t len);
/* A 16-bit ID written as 4 hex digits, e.g. "10de". */
bool hex16_member(json_object *o, const char *key, uint16_t *out);

#endif
