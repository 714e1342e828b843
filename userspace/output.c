// SPDX-License-Identifier: GPL-2.0
/*
 * Output through libsmartcols, as lsipc does: it aligns the human tables and
 * quotes JSON strings correctly. It prints one JSON object per table, so the
 * objects are spliced into the single document that --json promises.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libsmartcols.h>

#include "semwatch.h"

/* cols[i] is "NAME" (string), "NAME:n" (number) or "NAME:b" (boolean). */
struct libscols_table *sw_table(const char *name, const char *title,
				bool json, const char *const *cols, int n)
{
	struct libscols_table *t = scols_new_table();
	int i;

	if (!t)
		return NULL;
	scols_table_enable_json(t, json);
	scols_table_set_name(t, name);	/* JSON key; lowercased columns too */
	if (title && !json)
		scols_cell_set_data(scols_table_get_title(t), title);
	for (i = 0; i < n; i++) {
		char buf[64];
		const char *colon = strchr(cols[i], ':');
		size_t len = colon ? (size_t)(colon - cols[i]) : strlen(cols[i]);
		struct libscols_column *c;

		snprintf(buf, sizeof(buf), "%.*s", (int)len, cols[i]);
		c = scols_table_new_column(t, buf, 0,
					   colon && colon[1] == 'n' ? SCOLS_FL_RIGHT : 0);
		if (!c) {
			scols_unref_table(t);
			return NULL;
		}
		if (colon)
			scols_column_set_json_type(c, colon[1] == 'n' ?
				SCOLS_JSON_NUMBER : SCOLS_JSON_BOOLEAN);
	}
	return t;
}

struct libscols_line *sw_row(struct libscols_table *t)
{
	return scols_table_new_line(t, NULL);
}

int sw_cell(struct libscols_line *l, int col, const char *fmt, ...)
{
	char *s;
	va_list ap;
	int ret;

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

/* Unknown numbers are null in JSON and "?" for people. */
int sw_cell_num(struct libscols_line *l, int col, long long v, bool json)
{
	if (v < 0)
		return json ? 0 : sw_cell(l, col, "?");
	return sw_cell(l, col, "%lld", v);
}

/* libsmartcols prints JSON true for any data but "", "0" and "n..."/"N...". */
int sw_cell_bool(struct libscols_line *l, int col, bool v, bool json,
		 const char *yes, const char *no)
{
	if (json)
		return sw_cell(l, col, "%d", v);
	return sw_cell(l, col, "%s", v ? yes : no);
}

/* Strip a table's "{\n" ... "}\n" so several can share one object. */
static int json_body(struct libscols_table *t, char **body)
{
	char *s, *end;

	if (scols_print_table_to_string(t, &s))
		return -ENOMEM;
	end = strrchr(s, '}');
	if (strncmp(s, "{\n", 2) || !end) {
		free(s);
		return -EPROTO;
	}
	*end = '\0';
	memmove(s, s + 2, strlen(s + 2) + 1);
	/* drop the newline libsmartcols left before the closing brace */
	end = s + strlen(s);
	while (end > s && end[-1] == '\n')
		*--end = '\0';
	*body = s;
	return 0;
}

/* libsmartcols prints nothing at all for a table without lines. */
static void print_human(struct libscols_table *t, int i)
{
	if (i)
		fputc('\n', stdout);
	if (scols_table_get_nlines(t)) {
		scols_print_table(t);
		return;
	}
	printf("%s: none\n", scols_cell_get_data(scols_table_get_title(t)));
}

int sw_print(struct libscols_table **tabs, int n, bool json)
{
	char *body;
	int i, ret;

	if (json)
		fputs("{\n", stdout);
	for (i = 0; i < n; i++) {
		if (!json) {
			print_human(tabs[i], i);
			continue;
		}
		ret = json_body(tabs[i], &body);
		if (ret)
			return ret;
		printf("%s%s\n", body, i + 1 < n ? "," : "");
		free(body);
	}
	if (json)
		fputs("}\n", stdout);
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
