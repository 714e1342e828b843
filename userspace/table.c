// SPDX-License-Identifier: GPL-2.0
/*
 * Rows of white-space separated fields addressed by column name, for the
 * /proc/semwatch parser. Columns are looked up by their header name so that a
 * module adding a column does not break us.
 */
#include <endian.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "semwatch.h"

/* Blanks, and bytes that end a field: blanks and the line's NUL. */
static const bool blank[256] = { [' '] = true, ['\t'] = true };
static const bool field_end[256] = { ['\0'] = true, [' '] = true,
				     ['\t'] = true };

/*
 * Split in place on blanks; returns the field count, or -E2BIG. One table
 * lookup per byte: the module pads its columns, so a row is mostly blanks.
 */
int sw_split(char *line, char **fields, int max)
{
	int n = 0;
	char *p = line;

	for (;;) {
		while (blank[(unsigned char)*p])
			p++;
		if (!*p)
			return n;
		if (n == max)
			return -E2BIG;
		fields[n++] = p;
		while (!field_end[(unsigned char)*p])
			p++;
		if (*p)
			*p++ = '\0';
	}
}

/*
 * map[i] = index of spec[i].name among the header names, -1 for an optional
 * column that is absent. -EBADMSG for a missing required column or a column
 * given twice: *bad is then its index in spec.
 */
static int table_map(char **names, int n, const struct sw_colspec *spec,
		     int nspec, int *map, int *bad)
{
	int i, j;

	for (i = 0; i < nspec; i++) {
		map[i] = -1;
		*bad = i;
		for (j = 0; j < n; j++) {
			if (strcmp(names[j], spec[i].name))
				continue;
			if (map[i] >= 0)
				return -EBADMSG;	/* duplicate column */
			map[i] = j;
		}
		if (map[i] < 0 && !spec[i].optional)
			return -EBADMSG;
	}
	return 0;
}

/*
 * The plan for a table whose header line has the n column names: spec may be
 * NULL (a table we do not know: its rows are only counted). Errors as
 * table_map().
 */
int sw_table_plan(struct sw_tplan *tp, char **names, int n,
		  const struct sw_colspec *spec, int nspec, int *bad)
{
	int i;

	if (n < 1 || n > SW_MAXF || nspec > SW_MAXF)
		return -EINVAL;
	tp->spec = spec;
	tp->nspec = nspec;
	tp->nfields = n;
	memset(tp->col, -1, sizeof(tp->col));
	if (table_map(names, n, spec, nspec, tp->map, bad))
		return -EBADMSG;
	for (i = 0; i < nspec; i++)
		if (tp->map[i] >= 0)
			tp->col[tp->map[i]] = (signed char)i;
	return 0;
}

static int parse_opt(const char *f, long long *v)
{
	unsigned long long u;
	int ret;

	if ((f[0] == '?' || f[0] == '-') && !f[1]) {	/* "?" or "-" */
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
	int i = f[0] == 'd' ? SW_STATE_DEAD :
		f[0] == 'a' ? SW_STATE_ALIVE : SW_STATE_UNKNOWN;

	if (strcmp(f, names[i]))
		return -EINVAL;
	*v = i;
	return 0;
}

/* A decimal number as the kernel prints it: no sign, no leading zero. */
static bool canonical(const char *f, unsigned long long min,
		      unsigned long long max)
{
	unsigned long long u;

	return (f[0] != '0' || !f[1]) && !sw_parse_ull(f, 10, max, &u) &&
	       u >= min;
}

/*
 * A signal as the module names it (kmod/rowprint.c sw_signal_names[]: the
 * same names, whatever their numbers on the architecture), or SIG and the
 * number of one it has no name for ("SIG42").
 */
static bool signal_name(const char *f)
{
	static const char *const names[] = {
		"SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT",
		"SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2",
		"SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT", "SIGCHLD",
		"SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG",
		"SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH",
		"SIGIO", "SIGPWR", "SIGSYS",
	};
	size_t i;

	if (strncmp(f, "SIG", 3))
		return false;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(f, names[i]))
			return true;
	return canonical(f + 3, 1, 127);
}

/*
 * The exit column: "-" (the creator lives, or is not visible in the reader's
 * PID namespace), "?" (not known), SIGNAME, SIGn, "oom-kill" or "status:N".
 */
int sw_parse_exit(const char *f, struct sw_exit *x)
{
	size_t len = strlen(f);

	memset(x, 0, sizeof(*x));
	if (len == 1 && (f[0] == '?' || f[0] == '-')) {
		x->kind = f[0] == '-' ? SW_END_NONE : SW_END_UNKNOWN;
		return 0;
	}
	if (len >= sizeof(x->name))
		return -EINVAL;
	if (!strncmp(f, "status:", 7))	/* first: the likeliest end */
		x->kind = canonical(f + 7, 0, 255) ? SW_END_STATUS :
			  SW_END_UNKNOWN;
	else if (!strcmp(f, "oom-kill"))
		x->kind = SW_END_OOM;
	else if (signal_name(f))
		x->kind = SW_END_SIGNAL;
	if (x->kind == SW_END_UNKNOWN)
		return -EINVAL;
	memcpy(x->name, f, len + 1);
	return 0;
}

/* What a row holds for an optional column the table lacks. */
static void absent_field(enum sw_fkind kind, void *dst)
{
	switch (kind) {
	case SW_F_OPT:
		*(long long *)dst = SW_UNKNOWN;
		break;
	case SW_F_EXIT:
		memset(dst, 0, sizeof(struct sw_exit));	/* SW_END_UNKNOWN */
		break;
	case SW_F_STR:
		*(char **)dst = NULL;
		break;
	default:	/* zero, as the caller cleared the row */
		break;
	}
}

/* A string goes to *strs, which is then advanced past it and its NUL. */
static int parse_str(const char *f, char **dst, char **strs)
{
	int n = sw_unescape_to(f, *strs);

	if (n < 0)
		return -EINVAL;
	*dst = *strs;
	*strs += n + 1;
	return 0;
}

static int parse_field(const char *f, enum sw_fkind kind, void *dst,
		       char **strs)
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
		return parse_str(f, dst, strs);
	case SW_F_STATE:
		return parse_state(f, dst);
	case SW_F_EXIT:
		return sw_parse_exit(f, dst);
	}
	return -EINVAL;
}

/*
 * A number of a column that holds one, as the module writes most of them: up
 * to 19 decimal digits (no overflow check needed) or 0x and up to 8 hex
 * digits, ended by a blank or the NUL. Stored as parse_field() would; *end is
 * the byte after it. false for anything else, which parse_field() then judges.
 */
static bool quick_number(const char *f, enum sw_fkind kind, void *dst,
			 char **end)
{
	unsigned long long v = 0, max;
	const char *s = f;
	unsigned int d;
	int h;

	if (kind == SW_F_HEX32) {
		if (f[0] != '0' || f[1] != 'x')
			return false;
		for (s = f + 2; s - f < 10 && (h = sw_digit_value(*s, 16)) >= 0; s++)
			v = v << 4 | (unsigned int)h;
		if (s == f + 2 || !field_end[(unsigned char)*s])
			return false;
		*(uint32_t *)dst = (uint32_t)v;
		*end = (char *)s;
		return true;
	}
	if (kind != SW_F_ULL && kind != SW_F_OPT && kind != SW_F_INT)
		return false;
	for (; (d = (unsigned char)*s - '0') <= 9; s++)
		v = v * 10 + d;	/* past 19 digits it wraps, and is not used */
	max = kind == SW_F_INT ? INT_MAX :
	      kind == SW_F_OPT ? LLONG_MAX : ULLONG_MAX;
	if (s == f || s - f > 19 || !field_end[(unsigned char)*s] || v > max)
		return false;
	if (kind == SW_F_INT)
		*(int *)dst = (int)v;
	else
		*(unsigned long long *)dst = v;	/* long long shares it */
	*end = (char *)s;
	return true;
}

/*
 * Past the blanks at p, in a line that ends at end. The module pads its
 * columns with spaces: eight bytes at a time while they are all spaces.
 */
static char *skip_blanks(char *p, const char *end)
{
	uint64_t w;

	while (end - p >= 8) {
		memcpy(&w, p, sizeof(w));
		/* spaces become zero bytes, the first byte the lowest */
		w = le64toh(w) ^ 0x2020202020202020ull;
		if (w) {
			p += __builtin_ctzll(w) / 8;
			break;
		}
		p += 8;
	}
	while (blank[(unsigned char)*p])
		p++;
	return p;
}

/*
 * The field at *pp, parsed into dst unless kind is -1; it is NUL-terminated
 * and *pp moved past it. Returns parse_field()'s answer.
 */
static int take_field(char **pp, int kind, void *dst, char **strs)
{
	char *f = *pp, *e;
	int ret = 0;

	if (kind >= 0 && quick_number(f, (enum sw_fkind)kind, dst, &e)) {
		kind = -1;
	} else {
		for (e = f; !field_end[(unsigned char)*e]; e++)
			;
	}
	if (*e)
		*e++ = '\0';
	if (kind >= 0)
		ret = parse_field(f, (enum sw_fkind)kind, dst, strs);
	*pp = e;
	return ret;
}

/*
 * Split one row (len bytes and a NUL) in place into fields[] and fill row
 * (NULL for a table we only count) in the same pass: splitting, then parsing
 * each field again, was most of the cost of a file of many rows. -E2BIG when
 * the row has not tp->nfields fields; else -EBADMSG for a bad value, *bad
 * then being its index in tp->spec (the first bad one in spec's order,
 * whatever the order of the columns in the file). String columns are unescaped into *strs, one block for
 * all rows instead of a malloc() each: it needs room for each field and its
 * NUL (a file's length covers all its fields), and is advanced past them.
 */
int sw_table_line(const struct sw_tplan *tp, char *line, size_t len,
		  char **fields, void *row, char **strs, int *bad)
{
	const char *end = line + len;
	int i, n = 0, c, ret = 0;
	char *p = line;

	for (;;) {
		p = skip_blanks(p, end);
		if (!*p)
			break;
		if (n == tp->nfields)
			return -E2BIG;
		fields[n] = p;
		c = row ? tp->col[n] : -1;
		if (take_field(&p, c < 0 ? -1 : (int)tp->spec[c].kind,
			       c < 0 ? NULL : (char *)row + tp->spec[c].off,
			       strs) && (!ret || c < *bad)) {
			*bad = c;
			ret = -EBADMSG;
		}
		n++;
	}
	if (n != tp->nfields)
		return -E2BIG;
	for (i = 0; row && !ret && i < tp->nspec; i++)
		if (tp->map[i] < 0)
			absent_field(tp->spec[i].kind,
				     (char *)row + tp->spec[i].off);
	return ret;
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
