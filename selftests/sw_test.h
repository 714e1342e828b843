/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared helpers for the semwatch kselftests: parse /proc/semwatch and the
 * debugfs files, read /proc/sysvipc/sem, create sets, run creator children
 * with a chosen comm, reload the module. Header-only because the harness
 * builds every *_test.c as one translation unit.
 */
#ifndef SW_TEST_H
#define SW_TEST_H

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ipc.h>
#include <sys/prctl.h>
#include <sys/sem.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "kselftest_harness.h"

#define SW_PROC "/proc/semwatch"
#define SW_DBG_SETS "/sys/kernel/debug/semwatch/sets"
#define SW_DBG_EVENTS "/sys/kernel/debug/semwatch/events"
#define SW_MAXCOL 16
#define SW_MAXKV 32
#define SW_MAXTAB 8
#define SW_MISSING "<missing>"
#define SW_UNUSED __attribute__((unused))

/* One parsed table: header row of column names, then rows of fields. */
struct sw_row { int n; char *f[SW_MAXCOL]; };
struct sw_tab { const char *name; struct sw_row hdr; struct sw_row *rows; int nrows, cap; };
struct sw_snap {
	char *buf;			/* owns every string below */
	int ended;			/* format 2: the final `end` line was read */
	int nkv;
	char *key[SW_MAXKV], *val[SW_MAXKV];
	int ntab;
	struct sw_tab tab[SW_MAXTAB];
};

/* The suite refuses to run without root or the module: a whole-program skip. */
static inline void sw_require(void)
{
	/* test_harness_run prints the TAP header itself; only a skip needs one. */
	if (geteuid() != 0) {
		ksft_print_header();
		ksft_exit_skip("semwatch tests need root\n");
	}
	if (access(SW_PROC, F_OK) != 0) {
		ksft_print_header();
		ksft_exit_skip("semwatch.ko not loaded (" SW_PROC " missing)\n");
	}
}

/*
 * A slow kernel (the debug lane: TCG, KASAN, lockdep) sets
 * SEMWATCH_TIMEOUT_SCALE=K to give every case K times its own time limit,
 * as SEMWATCH_TIMEOUT does for whole programs. The harness keeps each case's
 * limit in its registered metadata, which 6.1's and 6.12's headers share.
 */
static inline void sw_scale_timeouts(void)
{
	const char *s = getenv("SEMWATCH_TIMEOUT_SCALE");
	struct __fixture_metadata *f;
	struct __test_metadata *t;
	int k = s ? atoi(s) : 1;

	if (k < 2 || k > 20)
		return;
	for (f = __fixture_list; f; f = f->next)
		for (t = f->tests; t; t = t->next)
			t->timeout *= k;
}

#define SW_TEST_MAIN() \
	int main(int argc, char **argv) \
	{ sw_require(); sw_scale_timeouts(); return test_harness_run(argc, argv); }

/* Read all of fd (proc files report size 0, so grow as we go). */
static inline char *sw_slurp_fd(int fd)
{
	size_t cap = 65536, len = 0;
	char *buf = malloc(cap);
	ssize_t n;

	if (!buf)
		return NULL;
	while ((n = read(fd, buf + len, cap - len - 1)) > 0) {
		len += n;
		if (cap - len < 4096)
			buf = realloc(buf, cap *= 2);
	}
	buf[len] = 0;
	if (n < 0) {
		int e = errno;

		free(buf);
		errno = e;
		return NULL;
	}
	return buf;
}

static inline char *sw_slurp(const char *path)
{
	int fd = open(path, O_RDONLY), e;
	char *buf;

	if (fd < 0)
		return NULL;
	buf = sw_slurp_fd(fd);
	e = errno;
	close(fd);
	errno = e;
	return buf;
}

/* Next line of a buffer, NUL-terminated in place; "" for a blank line. */
static inline char *sw_nextline(char **cur)
{
	char *l = *cur, *nl;

	if (!*l)
		return NULL;
	nl = strchr(l, '\n');
	if (nl) {
		*nl = 0;
		*cur = nl + 1;
	} else {
		*cur = l + strlen(l);
	}
	return l;
}

/* Split one line in place into whitespace-separated fields. */
static inline void sw_split(char *line, struct sw_row *r)
{
	char *save = NULL, *tok;

	r->n = 0;
	for (tok = strtok_r(line, " \t", &save); tok && r->n < SW_MAXCOL;
	     tok = strtok_r(NULL, " \t", &save))
		r->f[r->n++] = tok;
}

/* Rows grow geometrically: a burst test parses tens of thousands per read. */
static inline void sw_add_row(struct sw_tab *t, char *line)
{
	if (t->nrows == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 64;
		t->rows = realloc(t->rows, t->cap * sizeof(*t->rows));
		if (!t->rows)
			abort();
	}
	sw_split(line, &t->rows[t->nrows++]);
}

/* "name: value" into the snapshot's header list; -1 if it is not one. */
static inline int sw_add_kv(struct sw_snap *s, char *line)
{
	char *c = strstr(line, ": ");

	if (!c || s->nkv == SW_MAXKV)
		return -1;
	*c = 0;
	s->key[s->nkv] = line;
	s->val[s->nkv++] = c + 2;
	return 0;
}

/*
 * Parse the /proc/semwatch format (README): "name: value" lines up to the
 * first blank line, then tables "name:" / column header / rows / blank line.
 * Format 2 ends with a blank line and the line `end` (s->ended); nothing may
 * follow it. Format 1 (no `end`) still parses; sw_incomplete() rejects it.
 */
static inline int sw_parse(struct sw_snap *s, char *buf)
{
	char *line, *cur = buf;
	struct sw_tab *t = NULL;
	int in_hdr = 1, want_cols = 0;

	memset(s, 0, sizeof(*s));
	s->buf = buf;
	while ((line = sw_nextline(&cur))) {
		if (s->ended) {
			return -1;
		} else if (!*line) {
			in_hdr = 0;
			t = NULL;
		} else if (in_hdr) {
			if (sw_add_kv(s, line))
				return -1;
		} else if (!t && !strcmp(line, "end")) {
			s->ended = 1;
		} else if (!t) {
			size_t l = strlen(line);

			if (line[l - 1] != ':' || s->ntab == SW_MAXTAB)
				return -1;
			line[l - 1] = 0;
			t = &s->tab[s->ntab++];
			t->name = line;
			want_cols = 1;
		} else if (want_cols) {
			sw_split(line, &t->hdr);
			want_cols = 0;
		} else {
			sw_add_row(t, line);
		}
	}
	return 0;
}

/*
 * debugfs files are one table: optional title lines, then a header whose
 * first column is first_col, then rows. Stored as table "". Title lines of
 * the form "name: value" (`sets` prints "truncated: N" when N > 0) are kept
 * as header values, for sw_hdr().
 */
static inline int sw_parse_plain(struct sw_snap *s, char *buf, const char *first_col)
{
	char *line, *cur = buf;
	struct sw_tab *t = &s->tab[0];

	memset(s, 0, sizeof(*s));
	s->buf = buf;
	s->ntab = 1;
	t->name = "";
	while ((line = sw_nextline(&cur))) {
		if (!*line)
			continue;
		if (t->hdr.n) {
			sw_add_row(t, line);
			continue;
		}
		if (!sw_add_kv(s, line))
			continue;
		sw_split(line, &t->hdr);
		if (t->hdr.n && strcmp(t->hdr.f[0], first_col))
			t->hdr.n = 0;
	}
	return t->hdr.n ? 0 : -1;
}

static inline const char *sw_hdr(struct sw_snap *s, const char *name);

static inline void sw_free(struct sw_snap *s)
{
	for (int i = 0; i < s->ntab; i++)
		free(s->tab[i].rows);
	free(s->buf);
	memset(s, 0, sizeof(*s));
}

/*
 * Every table must be there with its column header, so that "no row found"
 * can never come from a missing table; the file must end with `end` (format
 * 2: else it was cut) and say `truncated: 0` (else sets are missing from it).
 */
static inline int sw_incomplete(struct sw_snap *s)
{
	static const char *const names[] = { "namespaces", "prefixes", "watched" };
	int found = 0;

	for (int i = 0; i < s->ntab; i++)
		for (int j = 0; j < 3; j++)
			found += !strcmp(s->tab[i].name, names[j]) && s->tab[i].hdr.n > 1;
	return found != 3 || s->nkv < 9 || !s->ended ||
	       strcmp(sw_hdr(s, "truncated"), "0");
}

/* Read and parse; returns 0, or -errno / -EBADMSG on a format error. */
static inline int sw_snap_file(struct sw_snap *s, const char *path)
{
	char *buf = sw_slurp(path);

	memset(s, 0, sizeof(*s));
	if (!buf)
		return -errno;
	if (!strcmp(path, SW_PROC) ? sw_parse(s, buf) || sw_incomplete(s) :
	    sw_parse_plain(s, buf, strstr(path, "events") ? "seq" : "pid")) {
		fprintf(stderr, "# cannot parse %s, or cut (end line %s, truncated: %s):\n%s\n",
			path, s->ended ? "seen" : "missing", sw_hdr(s, "truncated"), buf);
		return -EBADMSG;
	}
	/* debugfs `sets` says "truncated: N" only when it left sets out. */
	if (strcmp(sw_hdr(s, "truncated"), SW_MISSING) && strcmp(sw_hdr(s, "truncated"), "0")) {
		fprintf(stderr, "# %s left sets out (truncated: %s)\n", path, sw_hdr(s, "truncated"));
		return -EBADMSG;
	}
	return 0;
}
#define sw_snap(s) sw_snap_file(s, SW_PROC)

/* Show a file in the test log (as KTAP comments) to explain a failure. */
static inline void sw_dump(const char *path)
{
	char *buf = sw_slurp(path), *cur = buf, *line;

	fprintf(stderr, "# --- %s%s\n", path, buf ? "" : " (unreadable)");
	while (buf && (line = sw_nextline(&cur)))
		fprintf(stderr, "#   %s\n", line);
	free(buf);
}

static inline const char *sw_hdr(struct sw_snap *s, const char *name)
{
	for (int i = 0; i < s->nkv; i++)
		if (!strcmp(s->key[i], name))
			return s->val[i];
	return SW_MISSING;
}

static inline struct sw_tab *sw_tab(struct sw_snap *s, const char *name)
{
	static struct sw_tab empty;

	for (int i = 0; i < s->ntab; i++)
		if (!strcmp(s->tab[i].name, name))
			return &s->tab[i];
	memset(&empty, 0, sizeof(empty));
	return &empty;
}

/* Cell by column name; never NULL so ASSERT_STREQ can print it. */
static inline const char *sw_cell(struct sw_tab *t, int row, const char *col)
{
	for (int i = 0; i < t->hdr.n; i++)
		if (!strcmp(t->hdr.f[i], col))
			return row >= 0 && row < t->nrows && i < t->rows[row].n ?
			       t->rows[row].f[i] : SW_MISSING;
	return SW_MISSING;
}

/* Strict integer (C notation: decimal or 0x hex); -1 when not a number. */
static inline long long sw_num(const char *str)
{
	char *end;
	long long v;

	if (!str || !*str || *str == '-' || *str == '+' || *str == ' ')
		return -1;
	errno = 0;
	v = strtoll(str, &end, 0);
	return errno || *end ? -1 : v;
}

#define sw_ncell(t, row, col) sw_num(sw_cell(t, row, col))

/*
 * Format 2's escaping of comm and cgroup: every byte outside 0x21..0x7e, and
 * the backslash, as \ooo; a value that is exactly "?" or "-" is escaped whole
 * (those alone mean unknown / not visible). out needs 4 * len + 1 bytes.
 */
static inline char *sw_escape(const char *in, size_t len, char *out)
{
	int whole = len == 1 && (in[0] == '?' || in[0] == '-');
	char *o = out;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = in[i];

		if (whole || c < 0x21 || c > 0x7e || c == '\\')
			o += sprintf(o, "\\%03o", c);
		else
			*o++ = c;
	}
	*o = 0;
	return out;
}

/* Undo sw_escape; length of the result, or -1 if in is not well formed. */
static inline int sw_unescape(const char *in, char *out, size_t cap)
{
	size_t n = 0;

	for (; *in; n++) {
		unsigned int v = (unsigned char)*in;

		if (n + 1 >= cap)
			return -1;
		if (v == '\\') {
			for (int i = 1; i <= 3; i++)
				if (in[i] < '0' || in[i] > '7')
					return -1;
			v = (in[1] - '0') << 6 | (in[2] - '0') << 3 | (in[3] - '0');
			if (v > 0377)
				return -1;
			in += 4;
		} else {
			in++;
		}
		out[n] = (char)v;
	}
	out[n] = 0;
	return (int)n;
}

/* Row whose column col holds the number v (any notation); -1 if none. */
static inline int sw_find(struct sw_tab *t, const char *col, long long v)
{
	for (int i = 0; i < t->nrows; i++)
		if (sw_ncell(t, i, col) == v)
			return i;
	return -1;
}

static inline int sw_count(struct sw_tab *t, const char *col, long long v)
{
	int n = 0;

	for (int i = 0; i < t->nrows; i++)
		n += sw_ncell(t, i, col) == v;
	return n;
}

/* Row for (key, ns), ns 0 = any namespace. */
static inline int sw_find_set(struct sw_tab *t, uint32_t key, long long ns)
{
	for (int i = 0; i < t->nrows; i++)
		if (sw_ncell(t, i, "key") == key &&
		    (!ns || sw_ncell(t, i, "ns") == ns))
			return i;
	return -1;
}

/* A row of /proc/sysvipc/sem (the reader's namespace only). */
struct sw_ipc { uint32_t key; int semid, nsems; unsigned int uid; long long ctime; };

static inline int sw_sysvipc(struct sw_ipc *out, int max)
{
	char *buf = sw_slurp("/proc/sysvipc/sem"), *line, *save = NULL;
	int n = 0;

	if (!buf)
		return -errno;
	line = strtok_r(buf, "\n", &save);	/* column header */
	while ((line = strtok_r(NULL, "\n", &save)) && n < max) {
		long long key, ot, ct;
		unsigned int perms, gid, cuid, cgid;

		if (sscanf(line, "%lld %d %o %d %u %u %u %u %lld %lld", &key,
			   &out[n].semid, &perms, &out[n].nsems, &out[n].uid,
			   &gid, &cuid, &cgid, &ot, &ct) != 10)
			continue;
		out[n].key = (uint32_t)key;	/* printed as signed int */
		out[n++].ctime = ct;
	}
	free(buf);
	return n;
}

#include "sw_util.h"

#endif /* SW_TEST_H */
