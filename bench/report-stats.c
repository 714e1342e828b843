// SPDX-License-Identifier: GPL-2.0
/*
 * report: the figures the sections ask of a parsed guest log. A log that
 * is absent (NULL) simply has no figures.
 */
#include "report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int compare_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

/* Sorts v. As Python's statistics.median: the mean of the middle two. */
double median_of(long long *v, size_t count)
{
	qsort(v, count, sizeof(*v), compare_ll);
	if (count % 2)
		return (double)v[count / 2];
	return (double)(v[count / 2 - 1] + v[count / 2]) / 2;
}

static const struct series *find_series(const struct guest_log *g, const char *part,
					const char *case_name, long long n)
{
	size_t i;

	for (i = 0; g && i < g->nseries; i++)
		if (g->series[i].n == n && !strcmp(g->series[i].part, part) &&
		    !strcmp(g->series[i].case_name, case_name))
			return &g->series[i];
	return NULL;
}

struct stats stats_of(const struct guest_log *g, const char *part,
		      const char *case_name, long long n)
{
	const struct series *s = find_series(g, part, case_name, n);
	struct stats st = { false, NAN, NAN, 0 };
	long long *copy;

	if (!s)
		return st;
	copy = malloc(s->reps * sizeof(*copy));
	if (!copy)
		fatal("out of memory");
	memcpy(copy, s->ns, s->reps * sizeof(*copy));
	st = (struct stats){ true, NAN, median_of(copy, s->reps), s->reps };
	st.min = (double)copy[0];
	free(copy);
	return st;
}

bool first_n_of(const struct guest_log *g, const char *part, long long *n)
{
	size_t i;

	for (i = 0; g && i < g->nseries; i++)
		if (!strcmp(g->series[i].part, part)) {
			*n = g->series[i].n;
			return true;
		}
	return false;
}

bool has_case(const struct guest_log *g, const char *part, const char *case_name)
{
	size_t i;

	for (i = 0; g && i < g->nseries; i++)
		if (!strcmp(g->series[i].part, part) && !strcmp(g->series[i].case_name, case_name))
			return true;
	return false;
}

/* The distinct set counts measured for a part, ascending. */
struct sorted_ns ns_of(const struct guest_log *g, const char *part)
{
	struct sorted_ns out = { NULL, 0 };
	size_t i, cap = 0, kept = 0;

	for (i = 0; g && i < g->nseries; i++)
		if (!strcmp(g->series[i].part, part)) {
			out.n = grow(out.n, &cap, out.count + 1, sizeof(*out.n));
			out.n[out.count++] = g->series[i].n;
		}
	if (out.count)
		qsort(out.n, out.count, sizeof(*out.n), compare_ll);
	for (i = 0; i < out.count; i++)
		if (!kept || out.n[kept - 1] != out.n[i])
			out.n[kept++] = out.n[i];
	out.count = kept;
	return out;
}

const struct meta *first_meta(const struct guest_log *g, const char *part)
{
	size_t i;

	for (i = 0; g && i < g->nmeta; i++)
		if (meta_is(&g->meta[i], part))
			return &g->meta[i];
	return NULL;
}

/* One key of every "@M part=mem case=C" line, in log order (any n). */
size_t mem_values(const struct guest_log *g, const char *case_name, const char *key,
		  long long **values)
{
	size_t i, count = 0, cap = 0;

	*values = NULL;
	for (i = 0; g && i < g->nmeta; i++)
		if (meta_is(&g->meta[i], "mem") &&
		    !strcmp(meta_get(&g->meta[i], "case"), case_name)) {
			*values = grow(*values, &cap, count + 1, sizeof(**values));
			(*values)[count++] = meta_int(&g->meta[i], key);
		}
	return count;
}

/* Compares the texts, not the numbers, as the Python generator did. */
bool bigcheck_ok(const struct meta *m)
{
	const char *n = meta_get(m, "n");

	return !strcmp(meta_get(m, "tracked"), n) && !strcmp(n, meta_get(m, "sysvipc_rows")) &&
	       !strcmp(n, meta_get(m, "ns_sets")) && !strcmp(meta_get(m, "dropped"), "0");
}

const char *meta_get(const struct meta *m, const char *key)
{
	size_t i;

	for (i = m->count; i-- > 0;)
		if (!strcmp(m->fields[i].key, key))
			return m->fields[i].value;
	return NULL;
}

bool meta_is(const struct meta *m, const char *part)
{
	const char *value = meta_get(m, "part");

	return value && !strcmp(value, part);
}

/* Only for keys that read_guest_log() has checked. */
long long meta_int(const struct meta *m, const char *key)
{
	return strtoll(meta_get(m, key), NULL, 10);
}
