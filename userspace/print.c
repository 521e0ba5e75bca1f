// SPDX-License-Identifier: GPL-2.0
/*
 * Output for gpupartctl: a JSON writer and a text table behind one API.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "print.h"

#define MAX_COLS	16
#define CELL_LEN	96

static bool json, pretty;
static int depth;
static bool first;		/* no member written yet at this depth */

/* The text table: headings from the first row, every row's cells. */
static char heads[MAX_COLS][CELL_LEN];
static char (*cells)[MAX_COLS][CELL_LEN];
static unsigned int ncols, nrows, col;

void print_init(bool j, bool p)
{
	json = j;
	pretty = p;
	depth = 0;
	first = true;
}

static void json_sep(void)
{
	if (!first)
		putchar(',');
	if (pretty && depth) {
		printf("\n%*s", depth * 2, "");
	}
	first = false;
}

static void json_key(const char *key)
{
	json_sep();
	if (key)
		printf(pretty ? "\"%s\": " : "\"%s\":", key);
}

static void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void json_open(const char *key, char c)
{
	json_key(key);
	putchar(c);
	depth++;
	first = true;
}

static void json_close(char c)
{
	depth--;
	if (pretty && !first)
		printf("\n%*s", depth * 2, "");
	putchar(c);
	first = false;
}

/* Text mode: add one cell to the current row. */
static void cell(const char *head, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void cell(const char *head, const char *fmt, ...)
{
	va_list ap;

	if (col >= MAX_COLS)
		return;
	if (nrows == 1)
		snprintf(heads[col], CELL_LEN, "%s", head);
	va_start(ap, fmt);
	vsnprintf(cells[nrows - 1][col], CELL_LEN, fmt, ap);
	va_end(ap);
	col++;
	if (col > ncols)
		ncols = col;
}

void print_list_begin(const char *key)
{
	if (json) {
		json_open(NULL, '{');
		json_open(key, '[');
		return;
	}
	free(cells);
	cells = NULL;
	ncols = nrows = 0;
}

void print_list_end(void)
{
	unsigned int w[MAX_COLS] = { 0 }, r, c;

	if (json) {
		json_close(']');
		json_close('}');
		putchar('\n');
		return;
	}
	for (c = 0; c < ncols; c++) {
		w[c] = strlen(heads[c]);
		for (r = 0; r < nrows; r++)
			if (strlen(cells[r][c]) > w[c])
				w[c] = strlen(cells[r][c]);
	}
	for (r = 0; r <= nrows && nrows; r++) {
		for (c = 0; c < ncols; c++) {
			const char *s = r ? cells[r - 1][c] : heads[c];

			printf(c + 1 < ncols ? "%-*s  " : "%-*s", c + 1 < ncols ? (int)w[c] : 0, s);
		}
		putchar('\n');
	}
	free(cells);
	cells = NULL;
}

void print_row_begin(void)
{
	if (json) {
		json_open(NULL, '{');
		return;
	}
	cells = realloc(cells, (nrows + 1) * sizeof(*cells));
	if (!cells) {
		perror("gpupartctl");
		exit(1);
	}
	memset(cells[nrows], 0, sizeof(*cells));
	nrows++;
	col = 0;
}

void print_row_end(void)
{
	if (json)
		json_close('}');
}

void print_str(const char *key, const char *head, const char *val)
{
	if (!json) {
		cell(head, "%s", val ? val : "-");
		return;
	}
	json_key(key);
	if (val)
		json_string(val);
	else
		fputs("null", stdout);
}

void print_uint(const char *key, const char *head, uint64_t val)
{
	if (!json) {
		cell(head, "%" PRIu64, val);
		return;
	}
	json_key(key);
	printf("%" PRIu64, val);
}

void print_hex16(const char *key, const char *head, uint16_t val)
{
	char buf[8];

	snprintf(buf, sizeof(buf), "%04x", val);
	print_str(key, head, buf);
}

void print_bytes(const char *key, const char *head, bool known, uint64_t val)
{
	static const char units[] = "BKMGTPE";
	unsigned int u = 0;
	uint64_t v = val;

	if (json) {
		json_key(key);
		if (known)
			printf("%" PRIu64, val);
		else
			fputs("null", stdout);
		return;
	}
	if (!known) {
		cell(head, "-");
		return;
	}
	while (v >= 1024 && !(v % 1024) && u < sizeof(units) - 2) {
		v /= 1024;
		u++;
	}
	cell(head, "%" PRIu64 "%c", v, u ? units[u] : 'B');
}

void print_uint_list(const char *key, const char *head,
		     const uint32_t *val, unsigned int n)
{
	char buf[CELL_LEN];
	unsigned int i;
	size_t len = 0;

	if (json) {
		json_key(key);
		putchar('[');
		for (i = 0; i < n; i++)
			printf(i ? ",%u" : "%u", val[i]);
		putchar(']');
		return;
	}
	buf[0] = '\0';
	for (i = 0; i < n && len < sizeof(buf); i++)
		len += snprintf(buf + len, sizeof(buf) - len, i ? ",%u" : "%u",
				val[i]);
	cell(head, "%s", n ? buf : "-");
}
