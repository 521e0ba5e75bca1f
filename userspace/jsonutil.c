// SPDX-License-Identifier: GPL-2.0
/*
 * Reading the JSON gpupartctl itself writes (config save, dev show -j):
 * members checked for their type as they are taken.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"

bool pci_addr_ok(const char *s)
{
	unsigned int i;

	if (strlen(s) != 12)
		return false;
	for (i = 0; i < 12; i++) {
		if (i == 4 || i == 7 ? s[i] != ':' : i == 10 ? s[i] != '.' :
		    !isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
			return false;
	}
	return true;
}

const char *str_member(json_object *o, const char *key, char *out, size_t len)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string) ||
	    (size_t)json_object_get_string_len(v) >= len)
		return NULL;
	snprintf(out, len, "%s", json_object_get_string(v));
	return out;
}

bool hex16_member(json_object *o, const char *key, uint16_t *out)
{
	char buf[8], *end;
	unsigned long v;

	if (!str_member(o, key, buf, sizeof(buf)) || strlen(buf) != 4)
		return false;
	v = strtoul(buf, &end, 16);
	if (*end)
		return false;
	*out = v;
	return true;
}
