// SPDX-License-Identifier: GPL-2.0
/*
 * Parser for /proc/semwatch, formats 1 and 2 (specified in README.md). It is
 * strict: a truncated or garbled file is an error, never a partial answer,
 * because reap trusts the creator states it reads here. Format 2 adds the
 * header "truncated: N" (N > 0: the module left sets out, an error) and ends
 * with a blank line and the line "end", so that a cut file is always seen.
 * Rows parse alike in both: a number that is "?" or "-" is unknown, and comm,
 * cgroup and label are \ooo-unescaped (so "\077" is a literal "?"). The
 * watched table's "exit" and "died_s" are optional (modules before them lack
 * them; the creator's end is then unknown), but checked when present: exit
 * against died_s, and against pid and state (an end the module cannot write,
 * as a named exit of a live creator, is an error).
 */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "semwatch.h"

enum { T_NS, T_PREFIXES, T_WATCHED, T_MAX };

#define C(t, n, k, f) { n, SW_F_##k, offsetof(struct t, f), false }
#define O(t, n, k, f) { n, SW_F_##k, offsetof(struct t, f), true }
static const struct sw_colspec ns_cols[] = {
	C(sw_modns, "ns", ULL, ns), C(sw_modns, "semmsl", OPT, semmsl),
	C(sw_modns, "semmns", OPT, semmns), C(sw_modns, "semopm", OPT, semopm),
	C(sw_modns, "semmni", OPT, semmni), C(sw_modns, "sets", OPT, sets),
	C(sw_modns, "sems", OPT, sems),
};
static const struct sw_colspec prefix_cols[] = {
	C(sw_modprefix, "prefix", HEX32, prefix),
	C(sw_modprefix, "sets", OPT, sets), C(sw_modprefix, "sems", OPT, sems),
	C(sw_modprefix, "oldest_s", OPT, oldest_s),
	C(sw_modprefix, "alive", OPT, alive), C(sw_modprefix, "dead", OPT, dead),
	C(sw_modprefix, "unknown", OPT, unknown),
	C(sw_modprefix, "label", STR, label),
};
static const struct sw_colspec watched_cols[] = {
	C(sw_modrow, "pid", OPT, pid), C(sw_modrow, "comm", STR, comm),
	C(sw_modrow, "state", STATE, state), O(sw_modrow, "exit", EXIT, exit),
	O(sw_modrow, "died_s", OPT, died_s), C(sw_modrow, "age_s", OPT, age_s),
	C(sw_modrow, "ns", ULL, ns), C(sw_modrow, "key", HEX32, key),
	C(sw_modrow, "semid", INT, semid), C(sw_modrow, "nsems", OPT, nsems),
	C(sw_modrow, "uid", OPT, uid), C(sw_modrow, "cgroup", STR, cgroup),
};
#undef C
#undef O
enum { W_PID = 0, W_EXIT = 3, W_DIED = 4 };	/* places in watched_cols[] */

static const struct {
	const char *name;
	const struct sw_colspec *cols;
	int ncols;
	size_t size;
} tables[T_MAX] = {
	[T_NS] = { "namespaces", ns_cols, 7, sizeof(struct sw_modns) },
	[T_PREFIXES] = { "prefixes", prefix_cols, 8, sizeof(struct sw_modprefix) },
	[T_WATCHED] = { "watched", watched_cols, 12, sizeof(struct sw_modrow) },
};

struct pstate {
	struct sw_module *m;
	struct sw_perr *e;
	unsigned int line;
	int table;		/* -1: header block; T_MAX: unknown table */
	bool need_columns;	/* next line is the column header */
	bool seen[T_MAX];
	bool have_format, have_prefix, have_bits, have_truncated;
	bool ended;		/* format 2: the "end" line was read */
	struct sw_tplan plan;	/* the current table's columns */
	size_t cap[T_MAX];
	char *strs;		/* the next free byte of m->strings */
};

static int fail(struct pstate *ps, const char *what)
{
	sw_perr_set(ps->e, ps->line, what);
	return -EBADMSG;
}

static void **table_array(struct sw_module *m, int t, size_t **n)
{
	switch (t) {
	case T_NS:
		*n = &m->n_ns;
		return (void **)&m->ns;
	case T_PREFIXES:
		*n = &m->n_prefixes;
		return (void **)&m->prefixes;
	default:
		*n = &m->n_rows;
		return (void **)&m->rows;
	}
}

/* Known at once, so that a later format is reported as such, not as garbled. */
static int format_value(struct pstate *ps, const char *val)
{
	unsigned long long u;

	if (ps->have_format)
		return fail(ps, "semwatch-format line twice");
	if (sw_parse_ull(val, 10, 1000, &u))
		return fail(ps, "bad header value");
	if (u != 1 && u != 2) {
		sw_perr_set(ps->e, ps->line, "unsupported semwatch-format");
		return -EPROTONOSUPPORT;
	}
	ps->m->format = (int)u;
	ps->have_format = true;
	return 0;
}

/* Sets missing from the tables: the file is incomplete, reap must not act. */
static int truncated_value(struct pstate *ps, const char *val)
{
	struct sw_perr *e = ps->e;
	unsigned long long u;

	if (sw_parse_ull(val, 10, LLONG_MAX, &u))
		return fail(ps, "bad header value");
	ps->m->truncated = (long long)u;
	ps->have_truncated = true;
	if (!u)
		return 0;
	if (!e)
		return fail(ps, "module left sets out (truncated); try again");
	snprintf(e->msg, sizeof(e->msg),
		 "module left %llu sets out (truncated: %llu); try again",
		 u, u);
	return fail(ps, e->msg);
}

static int header_value(struct pstate *ps, const char *name, char *val)
{
	struct sw_module *m = ps->m;
	unsigned long long u;
	int ret = 0;

	if (!strcmp(name, "semwatch-format"))
		return format_value(ps, val);
	if (!strcmp(name, "truncated"))
		return truncated_value(ps, val);
	if (!strcmp(name, "hook") || !strcmp(name, "removal")) {
		char *dst = name[0] == 'h' ? m->hook : m->removal;

		if (strlen(val) >= sizeof(m->hook))
			return fail(ps, "header value too long");
		strcpy(dst, val);
	} else if (!strcmp(name, "watch_prefix")) {
		ret = sw_parse_ull(val, 0, UINT32_MAX, &u);
		m->watch_prefix = (uint32_t)u;
		ps->have_prefix = !ret;
	} else if (!strcmp(name, "prefix_bits")) {
		ret = sw_parse_ull(val, 10, 32, &u);
		m->prefix_bits = (unsigned int)u;
		ps->have_bits = !ret && u > 0;
	} else {
		long long *dst = !strcmp(name, "tracked") ? &m->tracked :
			!strcmp(name, "dropped") ? &m->dropped :
			!strcmp(name, "max_records") ? &m->max_records : NULL;

		if (!dst)	/* later headers of a format are compatible */
			return 0;
		/* A reader in a container is not shown the host-wide count. */
		if (dst == &m->dropped && !strcmp(val, "-")) {
			*dst = SW_UNKNOWN;
			return 0;
		}
		ret = sw_parse_ull(val, 10, LLONG_MAX, &u);
		*dst = (long long)u;
	}
	return ret ? fail(ps, "bad header value") : 0;
}

static bool is_header_name(const char *name)
{
	static const char *const names[] = { "semwatch-format", "hook",
		"removal", "watch_prefix", "prefix_bits", "tracked", "dropped",
		"max_records", "truncated" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(name, names[i]))
			return true;
	return false;
}

/* "name: value", or "name:" which starts a table. */
static int header_line(struct pstate *ps, char *line)
{
	char *f[SW_MAXF];
	size_t len;
	int n = sw_split(line, f, SW_MAXF), t;

	if (n < 1 || n > 2 || (len = strlen(f[0])) < 2 || f[0][len - 1] != ':')
		return fail(ps, "expected 'name: value' or 'table:'");
	f[0][len - 1] = '\0';
	if (n == 2) {
		if (ps->table >= 0)
			return fail(ps, "header line after a table");
		return header_value(ps, f[0], f[1]);
	}
	if (is_header_name(f[0]))
		return fail(ps, "header line without a value");
	for (t = 0; t < T_MAX && strcmp(f[0], tables[t].name); t++)
		;
	if (t < T_MAX && ps->seen[t])
		return fail(ps, "table appears twice");
	if (t < T_MAX)
		ps->seen[t] = true;
	ps->table = t;
	ps->need_columns = true;
	return 0;
}

/* A message that names a column: "missing column 'state'". */
static int fail_col(struct pstate *ps, const char *fmt, const char *name)
{
	if (!ps->e)
		return fail(ps, "bad column");
	snprintf(ps->e->msg, sizeof(ps->e->msg), fmt, name);
	return fail(ps, ps->e->msg);
}

static int columns_line(struct pstate *ps, char *line)
{
	const struct sw_colspec *spec = NULL;
	char *f[SW_MAXF];
	int n = sw_split(line, f, SW_MAXF), nspec = 0, bad, ret;

	ps->need_columns = false;
	if (n <= 0)
		return fail(ps, "bad column header");
	if (ps->table != T_MAX) {
		spec = tables[ps->table].cols;
		nspec = tables[ps->table].ncols;
	}
	ret = sw_table_plan(&ps->plan, f, n, spec, nspec, &bad);
	if (ret == -EBADMSG)
		return fail_col(ps, ps->plan.map[bad] < 0 ?
				"missing column '%s'" :
				"column '%s' given twice", spec[bad].name);
	if (ret)
		return fail(ps, "bad column header");
	if (ps->table == T_WATCHED &&
	    (ps->plan.map[W_EXIT] < 0) != (ps->plan.map[W_DIED] < 0))
		return fail(ps, "column 'exit' without 'died_s' or the reverse");
	return 0;
}

static int bad_value(struct pstate *ps, const struct sw_colspec *c)
{
	if (c->kind == SW_F_EXIT)
		return fail(ps, "bad exit value (want SIGNAME, SIGn, oom-kill, "
			    "status:N, - or ?)");
	return fail_col(ps, "bad value in column '%s'", c->name);
}

static int row_line(struct pstate *ps, char *line, size_t len)
{
	const int *map = ps->plan.map;
	int t = ps->table, ret, bad;
	char *f[SW_MAXF], *row = NULL;
	const char *why;
	size_t *n;
	void **arr;

	if (t != T_MAX) {
		arr = table_array(ps->m, t, &n);
		if (sw_grow(arr, &ps->cap[t], *n, tables[t].size))
			return -ENOMEM;
		row = (char *)*arr + *n * tables[t].size;
		memset(row, 0, tables[t].size);
		(*n)++;
	}
	ret = sw_table_line(&ps->plan, line, len, f, row, &ps->strs, &bad);
	if (ret == -E2BIG)
		return fail(ps, "wrong number of fields");
	if (ret)
		return bad_value(ps, &tables[t].cols[bad]);
	if (t != T_WATCHED)
		return 0;
	if (map[W_EXIT] < 0)	/* a module older than the command */
		return 0;
	why = sw_row_end_error(f[map[W_PID]], f[map[W_EXIT]], f[map[W_DIED]],
			       (const struct sw_modrow *)row);
	return why ? fail(ps, why) : 0;
}

static int one_line(struct pstate *ps, char *line, size_t len)
{
	if (ps->ended)
		return fail(ps, "line after 'end'");
	if (!*line) {		/* a blank line ends a table */
		if (ps->need_columns)
			return fail(ps, "table without column header");
		if (ps->table >= 0)
			ps->table = T_MAX + 1;
		return 0;
	}
	if (ps->need_columns)
		return columns_line(ps, line);
	if (ps->table >= 0 && ps->table <= T_MAX)
		return row_line(ps, line, len);
	/* format 2: after a table and its blank line; format 1 has no end */
	if (ps->m->format == 2 && ps->table == T_MAX + 1 &&
	    !strcmp(line, "end")) {
		ps->ended = true;
		return 0;
	}
	return header_line(ps, line);
}

static int finish(struct pstate *ps)
{
	int t, ret;

	ps->line = 0;
	if (!ps->have_format)	/* format_value() took only 1 and 2 */
		return fail(ps, "no semwatch-format line");
	if (ps->m->format == 2 && !ps->have_truncated)
		return fail(ps, "missing truncated line");
	if (!ps->have_prefix || !ps->have_bits)
		return fail(ps, "missing watch_prefix or prefix_bits (truncated?)");
	if (ps->m->format == 2 && !ps->ended)
		return fail(ps, "no 'end' line: the file was cut (truncated?)");
	if (ps->need_columns)
		return fail(ps, "table without column header (truncated?)");
	for (t = 0; t < T_MAX; t++)
		if (!ps->seen[t])
			return fail(ps, "a table is missing (truncated?)");
	ret = sw_proc_index(ps->m);
	return ret == -EEXIST ? fail(ps, "a set is listed twice") : ret;
}

/* Parse buf (modified in place). On error *m is freed and e says where. */
int sw_proc_parse(char *buf, size_t len, struct sw_module *m,
		  struct sw_perr *e)
{
	struct pstate ps = { .m = m, .e = e, .table = -1 };
	char *p = buf, *nl;
	int ret = 0;

	memset(m, 0, sizeof(*m));
	/* every string field, unescaped, fits in the file's own length */
	m->strings = ps.strs = malloc(len + 1);
	if (!m->strings)
		ret = -ENOMEM;
	else if (memchr(buf, '\0', len))
		ret = fail(&ps, "NUL byte in file");
	else if (len && buf[len - 1] != '\n')
		ret = fail(&ps, "last line not terminated (truncated?)");
	while (!ret && p < buf + len) {
		nl = strchr(p, '\n');
		*nl = '\0';
		ps.line++;
		ret = one_line(&ps, p, (size_t)(nl - p));
		p = nl + 1;
	}
	if (!ret)
		ret = finish(&ps);
	if (ret)
		sw_proc_free(m);
	return ret;
}

/* -ENOENT means the module is not loaded. */
int sw_proc_load(const char *path, struct sw_module *m, struct sw_perr *e)
{
	size_t len;
	char *buf;
	int ret = sw_read_file(path, &buf, &len);

	if (ret)
		return ret;
	ret = sw_proc_parse(buf, len, m, e);
	free(buf);
	return ret;
}

void sw_proc_free(struct sw_module *m)
{
	free(m->strings);	/* every row's comm, cgroup and label */
	free(m->rows);
	free(m->index);
	free(m->prefixes);
	free(m->ns);
	memset(m, 0, sizeof(*m));
}
