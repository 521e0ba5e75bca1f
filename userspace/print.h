/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One printing path for text and JSON: each field is handed over once, with
 * its JSON key and its column heading, and shows in both outputs.
 */
#ifndef PRINT_H
#define PRINT_H

#include <stdbool.h>
#include <stdint.h>

void print_init(bool json, bool pretty);

/* A list of objects: a JSON array under @key, or a text table. */
void print_list_begin(const char *key);
void print_list_end(void);
/* One object in the list: a JSON object, or a table row. */
void print_row_begin(void);
void print_row_end(void);

void print_str(const char *key, const char *head, const char *val);
void print_uint(const char *key, const char *head, uint64_t val);
/* A 16-bit ID: "1b36" in both outputs. */
void print_hex16(const char *key, const char *head, uint16_t val);
/* A size in bytes: a number (or null) in JSON, "16G" (or "-") in text. */
void print_bytes(const char *key, const char *head, bool known, uint64_t val);
void print_uint_list(const char *key, const char *head,
		     const uint32_t *val, unsigned int n);

#endif
