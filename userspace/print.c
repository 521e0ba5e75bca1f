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

/* Text: the table being collected; headings come from its first row. */
static struct {
	bool open;		/* collecting rows */
	bool single;		/* opened by an object outside an array */
	int arr_depth;		/* nesting of arrays inside the table */
	char heads[MAX_COLS][CELL_LEN];
	char (*cells)[MAX_COLS][CELL_LEN];
	unsigned int ncols, nrows, col;
	bool printed_one;	/* a table was printed before: blank line */
	bool line;		/* a line of words is being printed */
	int line_nest;		/* objects and arrays open inside it */
	unsigned int words;	/* words printed on it */
} t;

void print_init(bool j, bool p)
{
	json = j;
	pretty = p;
	depth = 0;
	first = true;
}

bool print_json(void)
{
	return json;
}

static void json_key(const char *key)
{
	if (!first)
		putchar(',');
	if (pretty && depth)
		printf("\n%*s", depth * 2, "");
	first = false;
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

static void table_begin(bool single)
{
	memset(&t.heads, 0, sizeof(t.heads));
	t.open = true;
	t.single = single;
	t.arr_depth = 0;
	t.cells = NULL;
	t.ncols = t.nrows = 0;
}

static void table_row(void)
{
	t.cells = realloc(t.cells, (t.nrows + 1) * sizeof(*t.cells));
	if (!t.cells) {
		perror("gpupartctl");
		exit(1);
	}
	memset(t.cells[t.nrows], 0, sizeof(*t.cells));
	t.nrows++;
	t.col = 0;
}

static void table_print(void)
{
	unsigned int w[MAX_COLS] = { 0 }, r, c;

	for (c = 0; c < t.ncols; c++) {
		w[c] = strlen(t.heads[c]);
		for (r = 0; r < t.nrows; r++)
			if (strlen(t.cells[r][c]) > w[c])
				w[c] = strlen(t.cells[r][c]);
	}
	if (t.nrows && t.printed_one)
		putchar('\n');
	for (r = 0; t.nrows && r <= t.nrows; r++) {
		for (c = 0; c < t.ncols; c++) {
			const char *s = r ? t.cells[r - 1][c] : t.heads[c];

			if (c + 1 < t.ncols)
				printf("%-*s  ", (int)w[c], s);
			else
				printf("%s", s);
		}
		putchar('\n');
	}
	if (t.nrows)
		t.printed_one = true;
	free(t.cells);
	t.cells = NULL;
	t.open = false;
}

static void cell(const char *head, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void cell(const char *head, const char *fmt, ...)
{
	va_list ap;

	/* A line: its own fields as words, "head value" or a bare value. */
	if (t.line) {
		if (!head || t.line_nest)
			return;
		printf("%s%s%s", t.words++ ? " " : "", head, *head ? " " : "");
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		return;
	}

	/* Fields of arrays nested in a row do not fit a table. */
	if (!head || !t.open || !t.nrows || t.arr_depth || t.col >= MAX_COLS)
		return;
	if (t.nrows == 1)
		snprintf(t.heads[t.col], CELL_LEN, "%s", head);
	va_start(ap, fmt);
	vsnprintf(t.cells[t.nrows - 1][t.col], CELL_LEN, fmt, ap);
	va_end(ap);
	t.col++;
	if (t.col > t.ncols)
		t.ncols = t.col;
}

void print_obj_begin(const char *key)
{
	if (!json && t.line) {
		t.line_nest++;
		return;
	}
	if (json) {
		json_open(key, '{');
		return;
	}
	if (!t.open && key) {
		table_begin(true);
		table_row();
	} else if (t.open && !t.arr_depth && !t.single) {
		table_row();
	}
}

void print_obj_end(void)
{
	if (!json && t.line) {
		t.line_nest--;
		return;
	}
	if (json) {
		json_close('}');
		return;
	}
	if (t.open && t.single)
		table_print();
}

void print_arr_begin(const char *key)
{
	if (!json && t.line) {
		t.line_nest++;
		return;
	}
	if (json) {
		json_open(key, '[');
		return;
	}
	if (t.open)
		t.arr_depth++;
	else
		table_begin(false);
}

void print_arr_end(void)
{
	if (!json && t.line) {
		t.line_nest--;
		return;
	}
	if (json) {
		json_close(']');
		return;
	}
	if (t.arr_depth)
		t.arr_depth--;
	else if (t.open)
		table_print();
}

void print_line_begin(void)
{
	if (json) {
		json_open(NULL, '{');
		return;
	}
	t.line = true;
	t.line_nest = 0;
	t.words = 0;
}

void print_line_end(void)
{
	if (json)
		json_close('}');
	else
		putchar('\n');
	t.line = false;
	print_end();
}

void print_end(void)
{
	if (json)
		putchar('\n');
	depth = 0;
	first = true;
	fflush(stdout);
}

void print_str(const char *key, const char *head, const char *val)
{
	if (!json) {
		cell(head, "%s", val ? val : "-");
		return;
	}
	if (!key)
		return;
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
	if (!key)
		return;
	json_key(key);
	printf("%" PRIu64, val);
}

void print_bool(const char *key, const char *head, bool val)
{
	if (!json) {
		cell(head, "%s", val ? "yes" : "no");
		return;
	}
	if (!key)
		return;
	json_key(key);
	fputs(val ? "true" : "false", stdout);
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
		if (!key)
			return;
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
	cell(head, "%" PRIu64 "%c", v, units[u]);
}

void print_uint_list(const char *key, const char *head,
		     const uint32_t *val, unsigned int n)
{
	char buf[CELL_LEN];
	unsigned int i;
	size_t len = 0;

	if (json) {
		if (!key)
			return;
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
