// SPDX-License-Identifier: GPL-2.0
/*
 * Rows of white-space separated fields addressed by column name, for the
 * /proc/semwatch parser. Columns are looked up by their header name so that a
 * module adding a column does not break us.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "semwatch.h"

/* Split in place on blanks; returns the field count, or -E2BIG. */
int sw_split(char *line, char **fields, int max)
{
	int n = 0;
	char *p = line;

	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			return n;
		if (n == max)
			return -E2BIG;
		fields[n++] = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		if (*p)
			*p++ = '\0';
	}
}

/* map[i] = index of spec[i].name among the header names; all are required. */
int sw_table_map(char **names, int n, const struct sw_colspec *spec,
		 int nspec, int *map)
{
	int i, j;

	for (i = 0; i < nspec; i++) {
		map[i] = -1;
		for (j = 0; j < n; j++) {
			if (strcmp(names[j], spec[i].name))
				continue;
			if (map[i] >= 0)
				return -EBADMSG;	/* duplicate column */
			map[i] = j;
		}
		if (map[i] < 0)
			return -EBADMSG;
	}
	return 0;
}

static int parse_opt(const char *f, long long *v)
{
	unsigned long long u;
	int ret;

	if (!strcmp(f, "?") || !strcmp(f, "-")) {
		*v = SW_UNKNOWN;
		return 0;
	}
	ret = sw_parse_ull(f, 10, LLONG_MAX, &u);
	*v = (long long)u;
	return ret;
}

static int parse_hex32(const char *f, uint32_t *v)
{
	unsigned long long u;
	int ret;

	if (strncmp(f, "0x", 2))
		return -EINVAL;
	ret = sw_parse_ull(f + 2, 16, UINT32_MAX, &u);
	*v = (uint32_t)u;
	return ret;
}

static int parse_state(const char *f, int *v)
{
	static const char *const names[] = {
		[SW_STATE_UNKNOWN] = "unknown",
		[SW_STATE_ALIVE] = "alive",
		[SW_STATE_DEAD] = "dead",
	};
	int i;

	for (i = 0; i < 3; i++) {
		if (!strcmp(f, names[i])) {
			*v = i;
			return 0;
		}
	}
	return -EINVAL;
}

static int parse_field(const char *f, enum sw_fkind kind, void *dst)
{
	unsigned long long u;
	int ret;

	switch (kind) {
	case SW_F_ULL:
		return sw_parse_ull(f, 10, ULLONG_MAX, dst);
	case SW_F_OPT:
		return parse_opt(f, dst);
	case SW_F_HEX32:
		return parse_hex32(f, dst);
	case SW_F_INT:
		ret = sw_parse_ull(f, 10, INT_MAX, &u);
		*(int *)dst = (int)u;
		return ret;
	case SW_F_STR:
		return sw_unescape(f, dst);
	case SW_F_STATE:
		return parse_state(f, dst);
	}
	return -EINVAL;
}

/* Fill one row; on failure strings already set are freed by the caller. */
int sw_table_row(char **fields, const struct sw_colspec *spec, int nspec,
		 const int *map, void *row)
{
	int i, ret;

	for (i = 0; i < nspec; i++) {
		ret = parse_field(fields[map[i]], spec[i].kind,
				  (char *)row + spec[i].off);
		if (ret)
			return ret == -ENOMEM ? ret : -EBADMSG;
	}
	return 0;
}

/* Grow *arr so that it holds at least n + 1 elements. */
int sw_grow(void **arr, size_t *cap, size_t n, size_t size)
{
	size_t ncap = *cap ? *cap * 2 : 64;
	void *p;

	if (n < *cap)
		return 0;
	p = realloc(*arr, ncap * size);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}
