// SPDX-License-Identifier: GPL-2.0
/*
 * Tables through libsmartcols, as lsipc prints them: aligned for people, or
 * raw, without headings, untruncated. The same tables are turned into JSON
 * by json.c. Column specs are "NAME" (string), "NAME:t" (string that may be
 * truncated to fit the terminal), "NAME:n" (number), "NAME:b" (boolean).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libsmartcols.h>

#include "semwatch.h"

static int add_column(struct libscols_table *t, const char *spec)
{
	const char *colon = strchr(spec, ':');
	char kind = colon ? colon[1] : 's';
	size_t len = colon ? (size_t)(colon - spec) : strlen(spec);
	struct libscols_column *c;
	char name[64];

	snprintf(name, sizeof(name), "%.*s", (int)len, spec);
	c = scols_table_new_column(t, name, 0, kind == 'n' ? SCOLS_FL_RIGHT :
				   kind == 't' ? SCOLS_FL_TRUNC : 0);
	if (!c)
		return -ENOMEM;
	if (kind == 'n' || kind == 'b')
		scols_column_set_json_type(c, kind == 'n' ? SCOLS_JSON_NUMBER :
					   SCOLS_JSON_BOOLEAN);
	return 0;
}

struct libscols_table *sw_table_sel(const char *name, const char *title,
				    bool json, const char *const *cols,
				    const struct sw_colsel *sel)
{
	struct libscols_table *t = scols_new_table();
	int i;

	if (!t)
		return NULL;
	scols_table_set_name(t, name);	/* the JSON key */
	if (title && !json)
		scols_cell_set_data(scols_table_get_title(t), title);
	for (i = 0; i < sel->n; i++) {
		if (add_column(t, cols[sel->id[i]])) {
			scols_unref_table(t);
			return NULL;
		}
	}
	return t;
}

struct libscols_table *sw_table(const char *name, const char *title,
				bool json, const char *const *cols, int n)
{
	struct sw_colsel all;

	sw_colsel_all(&all, n);
	return sw_table_sel(name, title, json, cols, &all);
}

struct libscols_line *sw_row(struct libscols_table *t)
{
	return scols_table_new_line(t, NULL);
}

/* col < 0: a column that was not selected, nothing to do. */
int sw_cell(struct libscols_line *l, int col, const char *fmt, ...)
{
	char *s;
	va_list ap;
	int ret;

	if (col < 0 || !l)
		return 0;
	va_start(ap, fmt);
	ret = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (ret < 0)
		return -ENOMEM;
	ret = scols_line_refer_data(l, (size_t)col, s);	/* takes ownership */
	if (ret)
		free(s);
	return ret;
}

/* A string cell, copied: no format to parse. */
int sw_cell_str(struct libscols_line *l, int col, const char *s)
{
	if (col < 0 || !l)
		return 0;
	return scols_line_set_data(l, (size_t)col, s);
}

/*
 * prefix, then v in base 8, 10 or 16 with at least width digits (zero-padded),
 * as "0x%08x" or "%llu" print it: by hand, since a table of many rows is
 * mostly numbers and vasprintf() was most of its cost.
 */
int sw_cell_digits(struct libscols_line *l, int col, const char *prefix,
		   unsigned long long v, unsigned int base, int width)
{
	char buf[48];
	size_t n = strlen(prefix);

	if (width < 0 || n + (size_t)(width > 22 ? width : 22) + 1 > sizeof(buf))
		return -EINVAL;
	memcpy(buf, prefix, n);
	sw_put_digits(buf + n, v, base, width);
	return sw_cell_str(l, col, buf);
}

/* Unknown numbers are null in JSON and "?" for people. */
int sw_cell_num(struct libscols_line *l, int col, long long v, bool json)
{
	if (v < 0)
		return json ? 0 : sw_cell_str(l, col, "?");
	return sw_cell_digits(l, col, "", (unsigned long long)v, 10, 1);
}

int sw_cell_bool(struct libscols_line *l, int col, bool v, bool json,
		 const char *yes, const char *no)
{
	if (json)
		return sw_cell_str(l, col, v ? "true" : "false");
	return sw_cell_str(l, col, v ? yes : no);
}

/* An age: seconds in JSON, else as --time-format says. */
int sw_cell_age(struct libscols_line *l, int col, long long s,
		const struct sw_outopts *o)
{
	char buf[32];

	if (o->json || o->seconds)
		return sw_cell_num(l, col, s, o->json);
	sw_age_str(s, buf, sizeof(buf));
	return sw_cell_str(l, col, buf);
}

/*
 * A process's or a user's text: as is in JSON (its quoting escapes) and in
 * --raw (libsmartcols escapes as \xHH there), else escaped as reap and
 * /proc/semwatch do (\ooo), so that a name can neither end a line nor forge
 * a column. NULL is unknown: "?" for people, null in JSON.
 */
int sw_cell_text(struct libscols_line *l, int col, const char *s,
		 const struct sw_outopts *o)
{
	char *t;
	int ret;

	if (!s)
		return o->json ? 0 : sw_cell_str(l, col, "?");
	if (o->json || o->raw)
		return sw_cell_str(l, col, s);
	if (col < 0 || !l)
		return 0;
	t = sw_escape(s);
	if (!t)
		return -ENOMEM;
	ret = scols_line_refer_data(l, (size_t)col, t);	/* takes ownership */
	if (ret)
		free(t);
	return ret;
}

static void apply(struct libscols_table *t, const struct sw_outopts *o)
{
	struct libscols_iter *it = scols_new_iter(SCOLS_ITER_FORWARD);
	struct libscols_column *c;

	scols_table_enable_raw(t, o->raw);
	scols_table_enable_noheadings(t, o->noheadings);
	while (it && o->notruncate && !scols_table_next_column(t, it, &c))
		scols_column_set_flags(c, scols_column_get_flags(c) &
				       ~SCOLS_FL_TRUNC);
	scols_free_iter(it);
}

/* libsmartcols prints nothing at all for a table without lines. */
static void print_human(struct libscols_table *t, int i,
			const struct sw_outopts *o)
{
	const char *title = scols_cell_get_data(scols_table_get_title(t));
	/* what an empty table says: "none", unless its maker knows better */
	const char *empty = scols_cell_get_userdata(scols_table_get_title(t));

	if (o->noheadings)
		scols_cell_set_data(scols_table_get_title(t), NULL);
	if (i)
		fputc('\n', stdout);
	apply(t, o);
	if (scols_table_get_nlines(t))
		scols_print_table(t);
	else if (!o->noheadings)
		printf("%s: %s\n", title ? title : scols_table_get_name(t),
		       empty ? empty : "none");
}

int sw_print(struct libscols_table **tabs, int n, const struct sw_outopts *o)
{
	int i;

	if (o->json)
		return sw_json_print_tables(tabs, n);
	for (i = 0; i < n; i++)
		print_human(tabs[i], i, o);
	return fflush(stdout) ? -errno : 0;
}

/* 812 -> "13m32s"; ages of leaked cookies span seconds to months. */
void sw_age_str(long long s, char *buf, size_t len)
{
	if (s < 0)
		snprintf(buf, len, "?");
	else if (s < 60)
		snprintf(buf, len, "%llds", s);
	else if (s < 3600)
		snprintf(buf, len, "%lldm%02llds", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, len, "%lldh%02lldm", s / 3600, s % 3600 / 60);
	else
		snprintf(buf, len, "%lldd%02lldh", s / 86400, s % 86400 / 3600);
}
