// SPDX-License-Identifier: GPL-2.0
/*
 * JSON through json-c. A report's tables become one object: each table an
 * array of objects under its name, keyed by the lowercased column names,
 * typed by the column (number, boolean, string); a cell without data is null.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <libsmartcols.h>

#include "semwatch.h"

/*
 * An integer as json-c prints it ("%" PRId64), by hand: json-c's snprintf()
 * per number was most of the cost of printing a document of many rows.
 */
static int int_to_json(struct json_object *o, struct printbuf *pb, int level,
		       int flags)
{
	char buf[24];
	char *end = sw_put_ll(buf, json_object_get_int64(o));

	(void)level;
	(void)flags;
	return printbuf_memappend(pb, buf, (int)(end - buf));
}

static struct json_object *number(const char *s)
{
	struct json_object *o;
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (!errno && *s && !*end) {
		o = json_object_new_int64(v);
		if (o)
			json_object_set_serializer(o, int_to_json, NULL, NULL);
		return o;
	}
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

static struct json_object *value(int json_type, const char *s)
{
	if (!s)
		return NULL;	/* json-c's null */
	switch (json_type) {
	case SCOLS_JSON_NUMBER:
		return number(s);
	case SCOLS_JSON_BOOLEAN:
		return json_object_new_boolean(!strcmp(s, "true"));
	default:
		return string(s);
	}
}

/* More than any table of ours has (the sets table: 19). */
#define SW_MAX_JSON_COLS 32

/* A table's visible columns, looked up once: libsmartcols walks a list. */
struct jcols {
	size_t n, idx[SW_MAX_JSON_COLS];
	int type[SW_MAX_JSON_COLS];
	char key[SW_MAX_JSON_COLS][64];	/* lowercased; outlives the document */
	unsigned int add_flags;	/* json_object_object_add_ex() */
};

static void lower(const char *in, char *out, size_t len)
{
	size_t i;

	for (i = 0; in[i] && i + 1 < len; i++)
		out[i] = (char)tolower((unsigned char)in[i]);
	out[i] = '\0';
}

/*
 * The keys are constant (they live in jc until the document is released)
 * and, when no two columns share a name, new to each object: no copy and no
 * lookup per cell. A repeated name keeps json-c's replacing add, as before.
 */
static int columns(struct libscols_table *t, struct jcols *jc)
{
	size_t i, j, n = scols_table_get_ncols(t);
	bool unique = true;

	jc->n = 0;
	for (i = 0; i < n; i++) {
		struct libscols_column *c = scols_table_get_column(t, i);

		if (scols_column_get_flags(c) & SCOLS_FL_HIDDEN)
			continue;
		if (jc->n == SW_MAX_JSON_COLS)
			return -E2BIG;
		jc->idx[jc->n] = i;
		jc->type[jc->n] = scols_column_get_json_type(c);
		lower(scols_column_get_name(c), jc->key[jc->n], sizeof(jc->key[0]));
		for (j = 0; j < jc->n; j++)
			unique = unique && strcmp(jc->key[j], jc->key[jc->n]);
		jc->n++;
	}
	jc->add_flags = JSON_C_OBJECT_ADD_CONSTANT_KEY |
			(unique ? JSON_C_OBJECT_ADD_KEY_IS_NEW : 0);
	return 0;
}

static int row(const struct jcols *jc, struct libscols_line *l,
	       struct json_object *arr)
{
	struct json_object *o = json_object_new_object();
	size_t i;

	if (!o || json_object_array_add(arr, o)) {
		json_object_put(o);
		return -ENOMEM;
	}
	for (i = 0; i < jc->n; i++)
		if (json_object_object_add_ex(o, jc->key[i], value(jc->type[i],
		    scols_cell_get_data(scols_line_get_cell(l, jc->idx[i]))),
		    jc->add_flags))
			return -ENOMEM;
	return 0;
}

static int table(struct libscols_table *t, struct jcols *jc,
		 struct json_object *doc)
{
	struct json_object *arr = json_object_new_array();
	struct libscols_iter *it = scols_new_iter(SCOLS_ITER_FORWARD);
	struct libscols_line *l;
	int ret = arr && it ? columns(t, jc) : -ENOMEM;

	if (!ret && json_object_object_add(doc, scols_table_get_name(t), arr))
		ret = -ENOMEM;
	else if (ret)
		json_object_put(arr);
	while (!ret && !scols_table_next_line(t, it, &l))
		ret = row(jc, l, arr);
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
	struct jcols *jc = calloc((size_t)n, sizeof(*jc));	/* the keys */
	int i, ret = doc && jc ? 0 : -ENOMEM;

	for (i = 0; !ret && i < n; i++)
		ret = table(tabs[i], &jc[i], doc);
	if (ret)
		json_object_put(doc);
	else
		ret = sw_json_print(doc);	/* releases doc: then the keys */
	free(jc);
	return ret;
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
