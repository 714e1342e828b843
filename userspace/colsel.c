// SPDX-License-Identifier: GPL-2.0
/*
 * -o/--output LIST: which columns of a table to show, in which order, by
 * case-insensitive name ("key,SEMID,Comm"), as lsipc takes them.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "semwatch.h"

void sw_colsel_all(struct sw_colsel *sel, int n)
{
	int i;

	sel->n = n < SW_MAX_COLS ? n : SW_MAX_COLS;
	for (i = 0; i < sel->n; i++)
		sel->id[i] = i;
}

/* The column named by the n bytes at name, or -1. */
static int lookup(const char *name, size_t n, const char *const *cols,
		  int ncols)
{
	int i;

	for (i = 0; i < ncols; i++) {
		const char *colon = strchr(cols[i], ':');
		size_t len = colon ? (size_t)(colon - cols[i]) : strlen(cols[i]);

		if (len == n && !strncasecmp(name, cols[i], n))
			return i;
	}
	return -1;
}

/*
 * Parse LIST into sel. -EINVAL: an unknown or empty name, copied to bad;
 * -EEXIST: a name given twice (one JSON key, one cell), copied to bad;
 * -E2BIG: more names than SW_MAX_COLS.
 */
int sw_colsel_parse(const char *list, const char *const *cols, int ncols,
		    struct sw_colsel *sel, char *bad, size_t badlen)
{
	const char *p = list;

	sel->n = 0;
	for (;;) {
		size_t n = strcspn(p, ",");
		int id = lookup(p, n, cols, ncols);

		if (id < 0 || sw_colsel_pos(sel, id) >= 0) {
			snprintf(bad, badlen, "%.*s", (int)n, p);
			return id < 0 ? -EINVAL : -EEXIST;
		}
		if (sel->n == SW_MAX_COLS)
			return -E2BIG;
		sel->id[sel->n++] = id;
		if (!p[n])
			return 0;
		p += n + 1;
	}
}

/* The position of column id in the table, or -1 when not selected. */
int sw_colsel_pos(const struct sw_colsel *sel, int id)
{
	int i;

	for (i = 0; i < sel->n; i++)
		if (sel->id[i] == id)
			return i;
	return -1;
}
