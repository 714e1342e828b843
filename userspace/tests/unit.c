// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests (TAP): parsers, number rules, selection rules, report
 * model and Prometheus output. They need no module, no VM and no root.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "semwatch.h"

#include "tap.h"

/* unit_container.c; kept here, not in tap.h, to stay out of others' files. */
void test_container(void);
/* unit_exit.c, unit_leaks.c: the creator's end, leak groups */
void test_exit(void);
void test_leaks(void);
/* unit_stuck.c: stuck cookies, their release command, last-operator hints */
void test_stuck(void);

static int n_test, n_fail;

void ok(int cond, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", cond ? "" : "not ", ++n_test);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	n_fail += !cond;
}

static const char sample[] =
	"semwatch-format: 1\n"
	"hook: kprobe\n"
	"removal: kprobe\n"
	"watch_prefix: 0x0d4d\n"
	"prefix_bits: 16\n"
	"tracked: 3\n"
	"dropped: 0\n"
	"max_records: 262144\n"
	"\n"
	"namespaces:\n"
	"        ns semmsl     semmns semopm semmni  sets  sems\n"
	"4026531839  32000 1024000000    500  32000     3     3\n"
	"\n"
	"prefixes:\n"
	"    prefix   sets   sems oldest_s  alive   dead unknown label\n"
	"    0x0d4d      2      2      812      0      1       1 dm-udev-cookie\n"
	"    0x1234      1      1       30      1      0       0 -\n"
	"\n"
	"watched:\n"
	"     pid comm             state   age_s         ns        key  semid nsems   uid cgroup\n"
	"       ? ?                unknown   812 4026531839 0x0d4d71a3      0     1     0 ?\n"
	"    1234 dmsetup          dead       41 4026531839 0x0d4d3358      1     1     0 /system.slice/ssh.service\n";

/* Format 2: "truncated:" header, "-" pid and cgroup, "end" line. */
static const char sample2[] =
	"semwatch-format: 2\n"
	"hook: kprobe\n"
	"removal: kprobe\n"
	"watch_prefix: 0x0d4d\n"
	"prefix_bits: 16\n"
	"tracked: 3\n"
	"dropped: 0\n"
	"max_records: 262144\n"
	"truncated: 0\n"
	"\n"
	"namespaces:\n"
	"        ns semmsl     semmns semopm semmni   sets       sems\n"
	"4026531839    250   32000     32    128      3          3\n"
	"\n"
	"prefixes:\n"
	"    prefix   sets     sems oldest_s  alive   dead unknown label\n"
	"    0x0d4d      3        3       12      1      1       1 dm-udev-cookie\n"
	"\n"
	"watched:\n"
	"     pid comm             state     age_s         ns        key  semid nsems   uid cgroup\n"
	"       2 dmsetup          alive        12 4026531839 0x0d4d1234      0     1     0 /\n"
	"       - dm\\001x          dead         10 4026531839 0x0d4d1235      1     1     0 -\n"
	"       ? ?                unknown       ? 4026531839 0x0d4d1236      2     ?     0 ?\n"
	"\n"
	"end\n";

/* Parse a copy of text (the parser writes into its buffer). */
static int parse(const char *text, size_t len, struct sw_module *m,
		 struct sw_perr *e)
{
	char *buf = malloc(len + 1);
	int ret;

	memcpy(buf, text, len);
	buf[len] = '\0';
	ret = sw_proc_parse(buf, len, m, e);
	free(buf);
	return ret;
}

static int parse_str(const char *text, struct sw_module *m)
{
	struct sw_perr e = { 0 };

	return parse(text, strlen(text), m, &e);
}

static void test_sample(void)
{
	struct sw_module m;
	const struct sw_modrow *r;
	int ret = parse_str(sample, &m);

	ok(ret == 0, "sample /proc/semwatch parses");
	if (ret)
		return;
	ok(m.format == 1 && !strcmp(m.hook, "kprobe") && m.watch_prefix == 0x0d4d &&
	   m.prefix_bits == 16 && m.tracked == 3 && m.max_records == 262144,
	   "header values");
	ok(m.n_ns == 1 && m.ns[0].ns == 4026531839ULL && m.ns[0].semmni == 32000,
	   "namespaces table");
	ok(m.n_prefixes == 2 && m.prefixes[0].oldest_s == 812 &&
	   !strcmp(m.prefixes[1].label, "-") && m.prefixes[1].alive == 1,
	   "prefixes table");
	r = sw_proc_find(&m, 4026531839ULL, 1, 0x0d4d3358);
	ok(r && r->pid == 1234 && r->state == SW_STATE_DEAD && r->age_s == 41 &&
	   !strcmp(r->comm, "dmsetup") && !strcmp(r->cgroup, "/system.slice/ssh.service"),
	   "watched row found by ns and semid");
	r = sw_proc_find(&m, 4026531839ULL, 0, 0x0d4d71a3);
	ok(r && r->pid == SW_UNKNOWN && r->state == SW_STATE_UNKNOWN, "'?' fields are unknown");
	ok(!sw_proc_find(&m, 4026531839ULL, 1, 0x0d4d0000), "same semid, other key: no match");
	ok(!sw_proc_find(&m, 1, 1, 0x0d4d3358), "other namespace: no match");
	sw_proc_free(&m);
}

/* Every cut that is not at a line end, or that loses a table, must fail. */
static void test_truncated(void)
{
	size_t len = strlen(sample), cut, bad = 0, wrong = 0;
	const char *cols = strstr(sample, "     pid comm");
	size_t need = (size_t)(strchr(cols, '\n') - sample) + 1;
	struct sw_module m;
	struct sw_perr e;

	for (cut = 0; cut < len; cut++) {
		int ret = parse(sample, cut, &m, &e);
		bool must_fail = cut < need || sample[cut - 1] != '\n';

		if (!ret)
			sw_proc_free(&m);
		bad += must_fail && ret != 0;
		wrong += must_fail && ret == 0;
	}
	ok(wrong == 0 && bad > 0, "every truncation of the sample is rejected "
	   "(%zu rejected, %zu accepted wrongly)", bad, wrong);
	ok(parse_str("semwatch-format: 1\n", &m) == -EBADMSG,
	   "header-only file (the stub module) is rejected");
	ok(parse_str("", &m) == -EBADMSG, "empty file is rejected");
}

/* Parse base with the first from replaced by to; *m is kept on success. */
static int parse_edit_in(const char *base, const char *from, const char *to,
			 struct sw_module *m, struct sw_perr *e)
{
	char buf[4096];
	const char *p = strstr(base, from);

	if (!p)
		return 12345;
	snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(p - base), base, to,
		 p + strlen(from));
	return parse(buf, strlen(buf), m, e);
}

static int parse_edit(const char *base, const char *from, const char *to,
		      struct sw_perr *e)
{
	struct sw_module m;
	int ret = parse_edit_in(base, from, to, &m, e);

	if (!ret)
		sw_proc_free(&m);
	return ret;
}

static void test_garbled(void)
{
	static const struct { const char *from, *to, *name; int want; } c[] = {
		{ "dead  ", "zombie", "unknown state", -EBADMSG },
		{ "0x0d4d3358", "0d4d3358", "key without 0x", -EBADMSG },
		{ "0x0d4d3358", "0x1d4d33580", "key over 32 bits", -EBADMSG },
		{ "    1234 dmsetup", "    -1234 dmsetup", "negative pid", -EBADMSG },
		{ "    1234 dmsetup", "    12x4 dmsetup", "junk in a number", -EBADMSG },
		{ " /system.slice/ssh.service", " /sys\\04x", "bad octal escape", -EBADMSG },
		{ " /system.slice/ssh.service", " /a\\000b", "escaped NUL", -EBADMSG },
		{ " /system.slice/ssh.service", " /a b", "extra field", -EBADMSG },
		{ "     1     0 ?\n", "     1 ?\n", "missing field", -EBADMSG },
		{ "semwatch-format: 1", "semwatch-format: 3", "format 3", -EPROTONOSUPPORT },
		{ "semwatch-format: 1", "semwatch-format: 2", "format 2 without its headers", -EBADMSG },
		{ "ssh.service\n", "ssh.service\n\nend\n", "format 1 has no end line", -EBADMSG },
		{ "dropped: 0\n", "dropped: 0\ntruncated: 0\n", "format 1 with truncated: 0", 0 },
		{ "dropped: 0\n", "dropped: 0\ntruncated: 3\n", "format 1 with truncated: 3", -EBADMSG },
		{ "semwatch-format: 1", "semwatch-format: x", "bad format", -EBADMSG },
		{ "prefix_bits: 16", "prefix_bits: 33", "prefix_bits > 32", -EBADMSG },
		{ "prefix_bits: 16", "prefix_bits: 0", "prefix_bits 0", -EBADMSG },
		{ "watch_prefix: 0x0d4d\n", "", "no watch_prefix", -EBADMSG },
		{ "watched:", "prefixes:", "table twice", -EBADMSG },
		{ "namespaces:\n", "namespaces\n", "table name without colon", -EBADMSG },
		{ "  state", "  statf", "missing column", -EBADMSG },
		{ "semid nsems", "semid semid", "duplicate column", -EBADMSG },
		{ "tracked: 3", "tracked: -3", "negative header", -EBADMSG },
		{ "tracked: 3", "tracked:", "header without value", -EBADMSG },
		{ "dropped: 0\n", "dropped: 0\nfuture_header: 7\n", "unknown header ignored", 0 },
		{ "\nwatched:", "\nextra:\na b\n1 2\n\nwatched:", "unknown table skipped", 0 },
		{ "\nwatched:", "\nhook: x\nwatched:", "header after a table", -EBADMSG },
		{ "cgroup\n", "cgroup\n\n", "blank line ends the table", -EBADMSG },
		{ "dmsetup", "dm\\040setup", "escaped space", 0 },
		{ "ns semmsl", "ns semmsl extra", "column count mismatch", -EBADMSG },
		{ "0x0d4d3358", "0x0x0d4d3358", "key with two 0x", -EBADMSG },
		{ "0x0d4d3358", "0x0d4d3358g", "key with a stray letter", -EBADMSG },
		{ "0x0d4d3358", "0x0D4D3358", "key in capitals", 0 },
	};
	struct sw_perr e;
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		int ret = parse_edit(sample, c[i].from, c[i].to, &e);

		ok(ret == c[i].want, "garbled: %s (got %d)", c[i].name, ret);
	}
	{
		struct sw_module m;

		ok(parse("semwatch-format: 1\0\n", 20, &m, &e) == -EBADMSG,
		   "NUL byte rejected");
	}
}

static void test_v2(void)
{
	struct sw_module m;
	const struct sw_modrow *r;
	int ret = parse_str(sample2, &m);
	char *v;

	ok(ret == 0, "format 2 sample parses");
	if (ret)
		return;
	r = sw_proc_find(&m, 4026531839ULL, 0, 0x0d4d1234);
	ok(m.format == 2 && m.truncated == 0 && m.tracked == 3 && m.n_ns == 1 &&
	   m.n_prefixes == 1 && m.n_rows == 3 && r && r->pid == 2 &&
	   r->state == SW_STATE_ALIVE && !strcmp(r->cgroup, "/"),
	   "format 2: headers, truncated 0, tables and a visible creator");
	r = sw_proc_find(&m, 4026531839ULL, 1, 0x0d4d1235);
	ok(r && r->pid == SW_UNKNOWN && r->state == SW_STATE_DEAD &&
	   r->age_s == 10 && !strcmp(r->comm, "dm\001x") &&
	   !strcmp(r->cgroup, "-"),
	   "format 2: pid '-' is unknown, state dead and comm kept");
	r = sw_proc_find(&m, 4026531839ULL, 2, 0x0d4d1236);
	ok(r && r->pid == SW_UNKNOWN && r->age_s == SW_UNKNOWN &&
	   r->nsems == SW_UNKNOWN && r->state == SW_STATE_UNKNOWN,
	   "format 2: '?' fields are unknown");
	sw_proc_free(&m);
	/* A reader in a container is not shown the host-wide drop count. */
	v = strdup(sample2);
	memcpy(strstr(v, "dropped: 0"), "dropped: -", 10);
	ok(parse_str(v, &m) == 0 && m.dropped == SW_UNKNOWN,
	   "format 2: dropped '-' is unknown");
	sw_proc_free(&m);
	free(v);
}

/* In format 2 every cut is rejected, even at a line end: "end" is missing. */
static void test_v2_truncated(void)
{
	size_t len = strlen(sample2), cut, wrong = 0;
	struct sw_module m;
	struct sw_perr e;

	for (cut = 0; cut < len; cut++) {
		if (parse(sample2, cut, &m, &e) == 0) {
			sw_proc_free(&m);
			wrong++;
		}
	}
	ok(wrong == 0, "every truncation of the format 2 sample is rejected "
	   "(%zu accepted wrongly)", wrong);
}

static void test_v2_garbled(void)
{
	static const struct {
		const char *from, *to, *name, *what;
		int want;
	} c[] = {
		{ "\nend\n", "\n", "no end", "truncated?", -EBADMSG },
		{ "truncated: 0", "truncated: 3", "truncated: 3",
		  "module left 3 sets out (truncated: 3); try again", -EBADMSG },
		{ "truncated: 0\n", "", "no truncated", "missing truncated line", -EBADMSG },
		{ "end\n", "end\nx\n", "line after end", "after 'end'", -EBADMSG },
		{ "end\n", "end\n\n", "blank line after end", "after 'end'", -EBADMSG },
		{ "end\n", "end\nend\n", "end twice", "after 'end'", -EBADMSG },
		{ "\n\nend\n", "\nend\n", "end without a blank line", NULL, -EBADMSG },
		{ "end\n", "end \n", "end with a blank", NULL, -EBADMSG },
		{ "\nnamespaces:", "\nend\n\nnamespaces:", "end in the header", NULL, -EBADMSG },
		{ "\nwatched:", "\nend\n\nwatched:", "end before a table", NULL, -EBADMSG },
		{ "truncated: 0", "truncated: x", "bad truncated", NULL, -EBADMSG },
		{ "truncated: 0", "truncated:", "truncated without value", NULL, -EBADMSG },
		{ "truncated: 0\n", "truncated: 0\nlater: 1\n", "unknown header", NULL, 0 },
		{ "hook: kprobe\n", "semwatch-format: 2\n", "format twice", "twice", -EBADMSG },
		{ "semwatch-format: 2", "semwatch-format: 3", "format 3",
		  "unsupported semwatch-format", -EPROTONOSUPPORT },
		{ "dm\\001x", "dm\\000x", "escaped NUL", NULL, -EBADMSG },
		{ "dm\\001x", "dm\\01x", "short escape", NULL, -EBADMSG },
		{ "0x0d4d1235      1", "0x0d4d1235      0", "a semid twice",
		  "listed twice", -EBADMSG },
		{ "0x0d4d1236      2", "0x0d4d1234      0", "a set twice",
		  "listed twice", -EBADMSG },
	};
	struct sw_perr e;
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		int ret;

		e.what = NULL;
		ret = parse_edit(sample2, c[i].from, c[i].to, &e);
		ok(ret == c[i].want && (!c[i].what || (e.what && strstr(e.what, c[i].what))),
		   "format 2 garbled: %s (got %d: %s)", c[i].name, ret,
		   ret && e.what ? e.what : "");
	}
}

/* Row semid 0 of sample2 with from replaced by to; free *m afterwards. */
static const struct sw_modrow *v2_row0(const char *from, const char *to,
				       struct sw_module *m)
{
	struct sw_perr e;

	memset(m, 0, sizeof(*m));
	if (parse_edit_in(sample2, from, to, m, &e))
		return NULL;
	return sw_proc_find(m, 4026531839ULL, 0, 0x0d4d1234);
}

/* comm and cgroup decode to exactly the bytes the module escaped. */
static void test_v2_escapes(void)
{
	static const char comm[] = "\001\002\003\011\012\015\033\040\134\177\200\377";
	const struct sw_modrow *r;
	struct sw_module m;

	r = v2_row0("dmsetup          alive        12 4026531839 0x0d4d1234      0     1     0 /\n",
		    "\\001\\002\\003\\011\\012\\015\\033\\040\\134\\177\\200\\377 alive 12 4026531839 0x0d4d1234 0 1 0 /a\\040b\\012c\n", &m);
	ok(r && strlen(r->comm) == sizeof(comm) - 1 && !strcmp(r->comm, comm) &&
	   !strcmp(r->cgroup, "/a b\nc"), "format 2: escaped comm and cgroup decode exactly");
	sw_proc_free(&m);
	r = v2_row0(" dmsetup ", " \\077 ", &m);
	ok(r && !strcmp(r->comm, "?"), "format 2: comm \\077 is a literal '?'");
	sw_proc_free(&m);
}

/*
 * Numbers at their limits, and blanks of every width: the row parser takes
 * the usual numbers on a fast path and must judge every other one as before.
 */
static void test_v2_numbers(void)
{
	static const char row0[] = "       2 dmsetup          alive        12 "
				   "4026531839 0x0d4d1234      0     1     0 /\n";
	static const struct { const char *to, *what; } bad[] = {
		{ "9223372036854775808 d alive 12 1 0x1 0 1 0 /\n", "'pid'" },
		{ "2 d alive 12 18446744073709551616 0x1 0 1 0 /\n", "'ns'" },
		{ "2 d alive 12 1 0x1 2147483648 1 0 /\n", "'semid'" },
		{ "2 d alive 12 1 0x100000000 0 1 0 /\n", "'key'" },
		{ "2 d alive 12 1 0x 0 1 0 /\n", "'key'" },
		{ "2 d alive 12a 1 0x1 0 1 0 /\n", "'age_s'" },
		{ "2 d alive 12 1 0x1 0 1 0 / x\n", "number of fields" },
	};
	const struct sw_modrow *r;
	struct sw_module m;
	struct sw_perr e;
	size_t i, nbad = 0;

	r = parse_edit_in(sample2, row0, "9223372036854775807 d alive 12 "
			  "18446744073709551615 0x0D4D1234 2147483647 1 0 /\n",
			  &m, &e) ? NULL : &m.rows[0];
	ok(r && r->pid == LLONG_MAX && r->ns == ULLONG_MAX &&
	   r->key == 0x0d4d1234 && r->semid == INT_MAX,
	   "format 2: numbers at their limits, upper-case hex");
	if (r)
		sw_proc_free(&m);
	r = parse_edit_in(sample2, row0, "\t0002\td\t\talive                    "
			  "0000000000000000000012 7 0x000000001 0 1 0\t/\n",
			  &m, &e) ? NULL : &m.rows[0];
	ok(r && r->pid == 2 && r->age_s == 12 && r->ns == 7 && r->key == 1 &&
	   !strcmp(r->comm, "d") && !strcmp(r->cgroup, "/"),
	   "format 2: tabs, long blank runs and leading zeros");
	if (r)
		sw_proc_free(&m);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		e.what = NULL;
		nbad += parse_edit(sample2, row0, bad[i].to, &e) != -EBADMSG ||
			!e.what || !strstr(e.what, bad[i].what);
	}
	ok(!nbad, "format 2: numbers past their limits rejected (%zu wrong)",
	   nbad);
	/* Two bad values: the first in the parser's column order is named. */
	e.what = NULL;
	ok(parse_edit(sample2, "     pid comm             state     age_s "
		      "        ns        key  semid nsems   uid cgroup\n"
		      "       2 dmsetup          alive        12 ",
		      "age_s pid comm state ns key semid nsems uid cgroup\n"
		      "x y dmsetup alive ", &e) == -EBADMSG && e.what &&
	   strstr(e.what, "'pid'"), "format 2: of two bad values, column 'pid' "
	   "is named, whatever the column order (%s)", e.what ? e.what : "");
}

int main(void)
{
	test_sample();
	test_truncated();
	test_garbled();
	test_v2();
	test_v2_truncated();
	test_v2_garbled();
	test_v2_escapes();
	test_v2_numbers();
	test_text();
	test_select();
	test_model();
	test_prom();
	test_cli();
	test_container();
	test_exit();
	test_leaks();
	test_stuck();
	printf("1..%d\n", n_test);
	return n_fail ? 1 : 0;
}
