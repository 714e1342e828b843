// SPDX-License-Identifier: GPL-2.0
/*
 * JSON through json-c. A report's tables become one object: each table an
 * array of objects under its name, keyed by the lowercased column names,
 * typed by the column (number, boolean, string); a cell without data is null.
 */
#include <errno.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <libsmartcols.h>

#include "semwatch.h"

static struct json_object *number(const char *s)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (!errno && *s && !*end)
		return json_object_new_int64(v);
	return json_object_new_double(strtod(s, NULL));	/* "12.5" */
}

/*
 * A string as is when it is UTF-8, which JSON requires; else with U+FFFD for
 * each stray byte (a \ooo form could not be told from a name spelt so).
 */
static struct json_object *string(const char *s)
{
	struct json_object *o;
	char *fixed;

	if (sw_utf8_valid(s))
		return json_object_new_string(s);
	fixed = sw_utf8_fix(s);
	o = fixed ? json_object_new_string(fixed) : NULL;
	free(fixed);
	return o;
}

static struct json_object *value(struct libscols_column *c, const char *s)
{
	if (!s)
		return NULL;	/* json-c's null */
	switch (scols_column_get_json_type(c)) {
	case SCOLS_JSON_NUMBER:
		return number(s);
	case SCOLS_JSON_BOOLEAN:
		return json_object_new_boolean(!strcmp(s, "true"));
	default:
		return string(s);
	}
}

static void lower(const char *in, char *out, size_t len)
{
	size_t i;

	for (i = 0; in[i] && i + 1 < len; i++)
		out[i] = (char)tolower((unsigned char)in[i]);
	out[i] = '\0';
}

static int row(struct libscols_table *t, struct libscols_line *l,
	       struct json_object *arr)
{
	struct json_object *o = json_object_new_object();
	struct libscols_column *c;
	size_t i, n = scols_table_get_ncols(t);
	char key[64];

	if (!o || json_object_array_add(arr, o)) {
		json_object_put(o);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		c = scols_table_get_column(t, i);
		if (scols_column_get_flags(c) & SCOLS_FL_HIDDEN)
			continue;
		lower(scols_column_get_name(c), key, sizeof(key));
		if (json_object_object_add(o, key, value(c,
		    scols_cell_get_data(scols_line_get_cell(l, i)))))
			return -ENOMEM;
	}
	return 0;
}

static int table(struct libscols_table *t, struct json_object *doc)
{
	struct json_object *arr = json_object_new_array();
	struct libscols_iter *it = scols_new_iter(SCOLS_ITER_FORWARD);
	struct libscols_line *l;
	int ret = arr && it ? 0 : -ENOMEM;

	if (!ret && json_object_object_add(doc, scols_table_get_name(t), arr))
		ret = -ENOMEM;
	else if (ret)
		json_object_put(arr);
	while (!ret && !scols_table_next_line(t, it, &l))
		ret = row(t, l, arr);
	scols_free_iter(it);
	return ret;
}

/* Print a JSON document on stdout; doc is released. */
int sw_json_print(struct json_object *doc)
{
	const char *s = json_object_to_json_string_ext(doc,
		JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
		JSON_C_TO_STRING_NOSLASHESCAPE);
	int ret = s ? 0 : -ENOMEM;

	if (s && (fputs(s, stdout) == EOF || putchar('\n') == EOF))
		ret = -EIO;
	json_object_put(doc);
	if (fflush(stdout) && !ret)
		ret = -errno;
	return ret;
}

int sw_json_print_tables(struct libscols_table **tabs, int n)
{
	struct json_object *doc = json_object_new_object();
	int i, ret = doc ? 0 : -ENOMEM;

	for (i = 0; !ret && i < n; i++)
		ret = table(tabs[i], doc);
	if (ret) {
		json_object_put(doc);
		return ret;
	}
	return sw_json_print(doc);
}

/* A string member, null when s is NULL. */
int sw_json_str(struct json_object *o, const char *key, const char *s)
{
	return json_object_object_add(o, key, s ? string(s) : NULL) ? -ENOMEM : 0;
}

/* An integer member, null when v is negative (unknown). */
int sw_json_int(struct json_object *o, const char *key, long long v)
{
	return json_object_object_add(o, key, v < 0 ? NULL :
				      json_object_new_int64(v)) ? -ENOMEM : 0;
}
