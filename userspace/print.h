/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One printing path for text and JSON: each field is handed over once, with
 * its JSON key and its column heading, and shows in both outputs.
 *
 * JSON: objects and arrays nest as called. Text: an array is a table, each
 * object in it a row; an object outside any array is a table of one row.
 * A field with no key is text only, one with no heading JSON only.
 *
 * A line (the monitor's events) is an object in JSON and one line of words
 * in text: each of its own fields is "heading value", or the bare value
 * when the heading is ""; fields of objects and arrays inside it are JSON
 * only.
 */
#ifndef PRINT_H
#define PRINT_H

#include <stdbool.h>
#include <stdint.h>

void print_init(bool json, bool pretty);
bool print_json(void);

void print_obj_begin(const char *key);
void print_obj_end(void);
void print_arr_begin(const char *key);
void print_arr_end(void);
/* A line: begin, its fields, end; the end is print_end()'s too. */
void print_line_begin(void);
void print_line_end(void);
/* End of one document: a newline after JSON, and stdout flushed. */
void print_end(void);

void print_str(const char *key, const char *head, const char *val);
void print_uint(const char *key, const char *head, uint64_t val);
void print_bool(const char *key, const char *head, bool val);
/* A 16-bit ID: "1b36" in both outputs. */
void print_hex16(const char *key, const char *head, uint16_t val);
/* A size in bytes: a number (or null) in JSON, "16G" (or "-") in text. */
void print_bytes(const char *key, const char *head, bool known, uint64_t val);
void print_uint_list(const char *key, const char *head,
		     const uint32_t *val, unsigned int n);

#endif
