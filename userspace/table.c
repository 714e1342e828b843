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
int sw_table_map(char **names, int n, const struct sw_colspec *spec,
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
	int i;

	for (i = 0; i < 3; i++) {
		if (!strcmp(f, names[i])) {
			*v = i;
			return 0;
		}
	}
	return -EINVAL;
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
	memset(x, 0, sizeof(*x));
	if (!strcmp(f, "?"))
		return 0;
	if (!strcmp(f, "-")) {
		x->kind = SW_END_NONE;
		return 0;
	}
	if (strlen(f) >= sizeof(x->name))
		return -EINVAL;
	if (!strcmp(f, "oom-kill"))
		x->kind = SW_END_OOM;
	else if (!strncmp(f, "status:", 7) && canonical(f + 7, 0, 255))
		x->kind = SW_END_STATUS;
	else if (signal_name(f))
		x->kind = SW_END_SIGNAL;
	else
		return -EINVAL;
	strcpy(x->name, f);
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
	if (sw_unescape_to(f, *strs))
		return -EINVAL;
	*dst = *strs;
	*strs += strlen(*strs) + 1;
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
 * Fill one row; for -EBADMSG *bad is the index in spec of the column whose
 * value is bad. String columns are unescaped into *strs, one block for all
 * rows instead of a malloc() each: it needs room for each field and its NUL
 * (a file's length covers all its fields), and is advanced past them.
 */
int sw_table_row(char **fields, const struct sw_colspec *spec, int nspec,
		 const int *map, void *row, char **strs, int *bad)
{
	int i, ret;

	for (i = 0; i < nspec; i++) {
		void *dst = (char *)row + spec[i].off;

		if (map[i] < 0) {
			absent_field(spec[i].kind, dst);
			continue;
		}
		*bad = i;
		ret = parse_field(fields[map[i]], spec[i].kind, dst, strs);
		if (ret)
			return -EBADMSG;
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
