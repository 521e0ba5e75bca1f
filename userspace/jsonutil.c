// SPDX-License-Identifier: GPL-2.0
/*
 * Reading the JSON gpupartctl itself writes (config save, dev show -j):
 * members checked for their type as they are taken.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include "jsonutil.h"

json_object *json_read_file(const char *file)
{
	struct json_tokener *tok;
	json_object *root;
	size_t len = 0;
	char *buf;
	ssize_t n;
	int fd;

	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "Error: %s: %s\n", file, strerror(errno));
		return NULL;
	}
	/* Read at most one byte more than allowed: any file, /dev/zero too. */
	buf = malloc(JSON_FILE_MAX + 1);
	if (!buf) {
		close(fd);
		fprintf(stderr, "Error: %s: %s\n", file, strerror(ENOMEM));
		return NULL;
	}
	while (len <= JSON_FILE_MAX &&
	       (n = read(fd, buf + len, JSON_FILE_MAX + 1 - len)) > 0)
		len += n;
	close(fd);
	if (n < 0 && len <= JSON_FILE_MAX) {
		fprintf(stderr, "Error: %s: %s\n", file, strerror(errno));
		free(buf);
		return NULL;
	}
	if (len > JSON_FILE_MAX) {
		fprintf(stderr, "Error: %s: larger than %d MiB, the most gpupartctl reads\n",
			file, JSON_FILE_MAX >> 20);
		free(buf);
		return NULL;
	}
	tok = json_tokener_new_ex(JSON_DEPTH_MAX);
	if (!tok) {
		free(buf);
		fprintf(stderr, "Error: %s: %s\n", file, strerror(ENOMEM));
		return NULL;
	}
	root = json_tokener_parse_ex(tok, buf, len);
	if (!root || json_tokener_get_parse_end(tok) != len) {
		enum json_tokener_error err = json_tokener_get_error(tok);

		if (err == json_tokener_error_depth)
			fprintf(stderr, "Error: %s: nested deeper than %d levels\n",
				file, JSON_DEPTH_MAX);
		else if (root || err == json_tokener_continue)
			fprintf(stderr, "Error: %s: not one JSON document (byte %zu)\n",
				file, json_tokener_get_parse_end(tok));
		else
			fprintf(stderr, "Error: %s: not JSON: %s at byte %zu\n", file,
				json_tokener_error_desc(err),
				json_tokener_get_parse_end(tok));
		json_object_put(root);
		root = NULL;
	}
	json_tokener_free(tok);
	free(buf);
	return root;
}

bool pci_addr_ok(const char *s)
{
	size_t dom = strspn(s, "0123456789abcdef");
	unsigned int i;

	/*
	 * As the kernel names a PCI function ("%04x:%02x:%02x.%d"): a domain
	 * of 4 to 8 hex digits, zero-padded to 4 and no further (VMD and
	 * Hyper-V hosts have 5-digit ones), then bus, device 0-1f, function
	 * 0-7.
	 */
	if (dom < 4 || dom > 8 || (dom > 4 && s[0] == '0'))
		return false;
	s += dom;
	if (strlen(s) != 8)
		return false;
	for (i = 0; i < 8; i++) {
		if (i == 0 || i == 3 ? s[i] != ':' : i == 6 ? s[i] != '.' :
		    !isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
			return false;
	}
	return s[4] <= '1' && s[7] <= '7';
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
