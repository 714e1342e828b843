// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests (TAP): parsers, number rules, selection rules, report
 * model and Prometheus output. They need no module, no VM and no root.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "semwatch.h"

#include "tap.h"

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

/* Replace the first occurrence of from with to in the sample. */
static int parse_edit(const char *from, const char *to, struct sw_perr *e)
{
	char buf[4096];
	const char *p = strstr(sample, from);
	struct sw_module m;
	int ret;

	if (!p)
		return 12345;
	snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(p - sample), sample, to,
		 p + strlen(from));
	ret = parse(buf, strlen(buf), &m, e);
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
		{ "semwatch-format: 1", "semwatch-format: 2", "format 2", -EPROTONOSUPPORT },
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
	};
	struct sw_perr e;
	size_t i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		int ret = parse_edit(c[i].from, c[i].to, &e);

		ok(ret == c[i].want, "garbled: %s (got %d)", c[i].name, ret);
	}
	{
		struct sw_module m;

		ok(parse("semwatch-format: 1\0\n", 20, &m, &e) == -EBADMSG,
		   "NUL byte rejected");
	}
}

static void test_numbers(void)
{
	long long v;
	uint32_t p;
	char *s;

	ok(!sw_parse_minutes("10", &v) && v == 10, "minutes 10");
	ok(!sw_parse_minutes("0", &v) && v == 0, "minutes 0");
	ok(sw_parse_minutes("-1", &v), "minutes -1 rejected");
	ok(sw_parse_minutes("+1", &v), "minutes +1 rejected");
	ok(sw_parse_minutes(" 1", &v), "leading space rejected");
	ok(sw_parse_minutes("1x", &v), "trailing junk rejected");
	ok(sw_parse_minutes("", &v), "empty rejected");
	ok(sw_parse_minutes("1.5", &v), "fraction rejected");
	ok(sw_parse_minutes("0x10", &v), "hex minutes rejected");
	ok(sw_parse_minutes("99999999999999999999", &v) == -ERANGE, "overflow rejected");
	ok(sw_parse_minutes("1000000001", &v) == -ERANGE, "minutes above 10^9 rejected");
	ok(!sw_parse_prefix("0x0d4d", &p) && p == 3405, "prefix 0x0d4d");
	ok(!sw_parse_prefix("3405", &p) && p == 3405, "prefix 3405");
	ok(sw_parse_prefix("0x10000", &p), "prefix over 16 bits rejected");
	ok(sw_parse_prefix("-1", &p), "negative prefix rejected");
	ok(!sw_unescape("a\\040b\\134c", &s) && !strcmp(s, "a b\\c"), "octal unescape");
	free(s);
	ok(sw_unescape("a\\9", &s) == -EINVAL, "bad escape rejected");
	ok(sw_unescape("a\\400", &s) == -EINVAL, "escape > 255 rejected");
}

int main(void)
{
	test_sample();
	test_truncated();
	test_garbled();
	test_numbers();
	test_select();
	test_model();
	test_prom();
	printf("1..%d\n", n_test);
	return n_fail ? 1 : 0;
}
