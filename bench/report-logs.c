// SPDX-License-Identifier: GPL-2.0
/*
 * report: reading the guest logs. A line the report would need and cannot
 * trust is fatal (file and line named), so that no table is ever built from
 * half a log.
 */
#include "report.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Values stay below 2^53 so that they and their sums convert to double
 * exactly: every ratio is then rounded once, as Python's integers were. */
#define MAX_VALUE ((1LL << 53) - 1)

struct where {
	const char *path;
	unsigned int line;
};

/* The length of the valid UTF-8 sequence at in, or 0 and in *invalid the
 * length of the invalid start that one U+FFFD replaces. */
static size_t utf8_valid(const unsigned char *in, size_t *invalid)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t need = 0, got;

	if (*in < 0x80)
		return 1;
	if (*in >= 0xc2 && *in <= 0xdf)
		need = 1;
	else if (*in >= 0xe0 && *in <= 0xef)
		need = 2;
	else if (*in >= 0xf0 && *in <= 0xf4)
		need = 3;
	/* No overlong forms, surrogates or code points beyond U+10FFFF. */
	if (*in == 0xe0 || *in == 0xf0)
		lo = *in == 0xe0 ? 0xa0 : 0x90;
	if (*in == 0xed || *in == 0xf4)
		hi = *in == 0xed ? 0x9f : 0x8f;
	for (got = 0; got < need && in[got + 1] >= lo && in[got + 1] <= hi; got++)
		lo = 0x80, hi = 0xbf;
	if (need && got == need)
		return need + 1;
	*invalid = got + 1;
	return 0;
}

/* Guest output may hold any byte: invalid UTF-8 becomes U+FFFD, one per
 * maximal invalid subsequence (Python's "replace"), so the report stays
 * valid UTF-8. */
static char *utf8_repair(const char *s)
{
	const unsigned char *in = (const unsigned char *)s;
	char *fixed = malloc(3 * strlen(s) + 1), *to = fixed;
	size_t valid, invalid;

	if (!fixed)
		fatal("out of memory");
	while (*in) {
		valid = utf8_valid(in, &invalid);
		if (valid) {
			memcpy(to, in, valid);
			to += valid, in += valid;
		} else {
			memcpy(to, "\xef\xbf\xbd", 3);
			to += 3, in += invalid;
		}
	}
	*to = '\0';
	return fixed;
}

/* The key=value words of an @R or @M line (later keys win, as in a dict). */
static struct meta parse_fields(const struct where *w, char *s, bool all)
{
	struct meta m = { 0 };
	size_t cap = 0;
	char *word, *eq;

	for (word = strtok(s, WHITESPACE); word; word = strtok(NULL, WHITESPACE)) {
		eq = strchr(word, '=');
		if (!eq && all)
			fatal("%s:%u: \"%s\" is not key=value", w->path, w->line, word);
		if (!eq)
			continue;
		*eq = '\0';
		m.fields = grow(m.fields, &cap, m.count + 1, sizeof(*m.fields));
		m.fields[m.count++] = (struct field){ xstrdup(word), xstrdup(eq + 1) };
	}
	return m;
}

static long long checked_int(const struct where *w, const struct meta *m,
			     const char *key, long long min, long long max)
{
	const char *value = meta_get(m, key), *digits;
	long long v;
	char *end;

	if (!value)
		fatal("%s:%u: %s= is missing", w->path, w->line, key);
	digits = value + (*value == '+' || *value == '-');
	errno = 0;
	v = strtoll(value, &end, 10);
	if (*digits < '0' || *digits > '9' || *end)
		fatal("%s:%u: %s=%s is not an integer", w->path, w->line, key, value);
	if (errno || v < min || v > max)
		fatal("%s:%u: %s=%s is out of range [%lld, %lld]", w->path, w->line,
		      key, value, min, max);
	return v;
}

static void add_sample(struct guest_log *g, const char *part, const char *case_name,
		       long long n, long long ns)
{
	struct series *s = NULL;
	size_t i;

	for (i = 0; i < g->nseries && !s; i++)
		if (g->series[i].n == n && !strcmp(g->series[i].part, part) &&
		    !strcmp(g->series[i].case_name, case_name))
			s = &g->series[i];
	if (!s) {
		g->series = grow(g->series, &g->cap_series, g->nseries + 1, sizeof(*s));
		s = &g->series[g->nseries++];
		*s = (struct series){ .part = xstrdup(part), .case_name = xstrdup(case_name), .n = n };
	}
	s->ns = grow(s->ns, &s->cap, s->reps + 1, sizeof(*s->ns));
	s->ns[s->reps++] = ns;
}

static void parse_result(struct guest_log *g, const struct where *w, char *s)
{
	struct meta m = parse_fields(w, s, true);
	const char *part = meta_get(&m, "part"), *case_name = meta_get(&m, "case");
	long long n, ns;

	if (!part || !case_name)
		fatal("%s:%u: @R line without part= or case=", w->path, w->line);
	/* Per-set and per-call figures divide by n; a zero time is no measurement. */
	n = checked_int(w, &m, "n", 1, MAX_VALUE);
	ns = checked_int(w, &m, "ns", 1, MAX_VALUE);
	add_sample(g, part, case_name, n, ns);
}

/* The @M parts the report reads, and the keys it reads as numbers. */
static const struct meta_schema {
	const char *part;
	const char *ints[7];
} meta_schemas[] = {
	{ "mem", { "n", "slab", "avail" } },
	{ "memslab", { "object_size", "slab_size", "objs_per_slab", "order" } },
	{ "readcheck", { "n", "tracked", "watched_rows", "sysvipc_rows",
			 "semwatch_bytes", "sysvipc_bytes" } },
	{ "ipcs-timeout", { "n", "timeout_s" } },
	{ "bigcheck", { "n", "tracked", "sysvipc_rows", "ns_sets", "dropped" } },
	{ "bigrows", { "n", "rows" } },
};

static void check_meta(const struct where *w, const struct meta *m)
{
	const struct meta_schema *schema;
	const char *key;
	size_t i, k;

	for (i = 0; i < sizeof(meta_schemas) / sizeof(meta_schemas[0]); i++) {
		schema = &meta_schemas[i];
		if (!meta_is(m, schema->part))
			continue;
		for (k = 0; k < 7 && (key = schema->ints[k]); k++) {
			/* Set counts and slab geometry are divisors; order is a shift. */
			bool divisor = !strcmp(key, "n") || !strcmp(key, "objs_per_slab");

			checked_int(w, m, key, divisor ? 1 : -MAX_VALUE,
				    !strcmp(key, "order") ? 30 : MAX_VALUE);
		}
		if (!strcmp(schema->part, "mem") && !meta_get(m, "case"))
			fatal("%s:%u: @M part=mem without case=", w->path, w->line);
	}
}

static void parse_line(struct guest_log *g, const struct where *w, const char *raw)
{
	char *s = strip(utf8_repair(raw));

	if (!strncmp(s, "@R ", 3)) {
		parse_result(g, w, s + 3);
	} else if (!strncmp(s, "@M ", 3)) {
		g->meta = grow(g->meta, &g->cap_meta, g->nmeta + 1, sizeof(*g->meta));
		g->meta[g->nmeta] = parse_fields(w, s + 3, false);
		check_meta(w, &g->meta[g->nmeta++]);
	} else if (!strncmp(s, "@I ", 3)) {
		lines_add(&g->info, s + 3);
		g->done |= !strcmp(s + 3, "done");
	} else if (!strncmp(s, "@E ", 3)) {
		lines_add(&g->errors, s + 3);
	}
}

struct guest_log *read_guest_log(const char *path)
{
	char *text = read_text(path), *line, *end;
	struct where w = { path, 0 };
	struct guest_log *g;

	if (!text)
		return NULL;
	g = calloc(1, sizeof(*g));
	if (!g)
		fatal("out of memory");
	for (line = text; *line; line = end + 1) {
		w.line++;
		end = strchr(line, '\n');
		if (!end)
			break;
		*end = '\0';
		parse_line(g, &w, line);
	}
	/* A guest killed mid-line leaves half a line: drop it, the report says
	 * that guest did not finish. After "@I done" it can only be damage. */
	if (*line && *strip(line) && g->done)
		fatal("%s:%u: last line cut short (no newline): the log is truncated",
		      path, w.line);
	if (*line && *strip(line))
		fprintf(stderr, "report: %s:%u: ignoring the unfinished last line of a guest that did not finish\n",
			path, w.line);
	return g;
}
