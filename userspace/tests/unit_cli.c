// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests: numbers of the command line (--older-than, --prefix), column
 * lists (-o), option tables, ages, JSON of a table.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libsmartcols.h>

#include "cli.h"
#include "tap.h"

/* --older-than MINUTES and --prefix PREFIX */
static void test_numbers(void)
{
	long long v;
	uint32_t p;

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
	{	/* the edges of 64 bits, where the overflow check decides */
		unsigned long long u;

		ok(!sw_parse_ull("18446744073709551615", 10, ULLONG_MAX, &u) &&
		   u == ULLONG_MAX, "2^64-1 decimal");
		ok(sw_parse_ull("18446744073709551616", 10, ULLONG_MAX, &u) ==
		   -ERANGE, "2^64 decimal rejected");
		ok(!sw_parse_ull("ffffffffffffffff", 16, ULLONG_MAX, &u) &&
		   u == ULLONG_MAX, "2^64-1 hex");
		ok(sw_parse_ull("10000000000000000", 16, ULLONG_MAX, &u) ==
		   -ERANGE, "2^64 hex rejected");
		ok(sw_parse_ull("1a", 10, ULLONG_MAX, &u) == -EINVAL,
		   "hex digit in a decimal rejected");
		ok(!sw_parse_ull("0D4d", 16, ULLONG_MAX, &u) && u == 0xd4d,
		   "hex of either case");
	}
	ok(!sw_parse_prefix("0x0d4d", &p) && p == 3405, "prefix 0x0d4d");
	ok(!sw_parse_prefix("3405", &p) && p == 3405, "prefix 3405");
	ok(sw_parse_prefix("0x10000", &p), "prefix over 16 bits rejected");
	ok(sw_parse_prefix("-1", &p), "negative prefix rejected");
}

static const char *const cols[] = { "NS:n", "KEY", "COMM:t", "LEAK:b" };

static void test_colsel(void)
{
	struct sw_colsel sel;
	char bad[16] = "";

	ok(!sw_colsel_parse("key,Comm,NS", cols, 4, &sel, bad, sizeof(bad)) &&
	   sel.n == 3 && sel.id[0] == 1 && sel.id[1] == 2 && sel.id[2] == 0,
	   "-o: case-insensitive names, in the given order");
	ok(sw_colsel_pos(&sel, 2) == 1 && sw_colsel_pos(&sel, 3) == -1,
	   "-o: positions of chosen and unchosen columns");
	ok(sw_colsel_parse("key,bogus", cols, 4, &sel, bad, sizeof(bad)) == -EINVAL &&
	   !strcmp(bad, "bogus"), "-o: an unknown column is named");
	ok(sw_colsel_parse("key,", cols, 4, &sel, bad, sizeof(bad)) == -EINVAL &&
	   !strcmp(bad, ""), "-o: an empty name is refused");
	ok(sw_colsel_parse("ke", cols, 4, &sel, bad, sizeof(bad)) == -EINVAL,
	   "-o: no prefix matching");
	sw_colsel_all(&sel, 4);
	ok(sel.n == 4 && sel.id[3] == 3, "--output-all: every column");
}

static void test_ages(void)
{
	char b[32];

	sw_age_str(812, b, sizeof(b));
	ok(!strcmp(b, "13m32s"), "age 812 s is 13m32s");
	sw_age_str(-1, b, sizeof(b));
	ok(!strcmp(b, "?"), "unknown age is ?");
	sw_age_str(90061, b, sizeof(b));
	ok(!strcmp(b, "1d01h"), "age of a day and more");
}

/* Every option has a help line and a unique key; -h and -V are free. */
static void test_tables(const struct cli_cmd *c)
{
	const struct cli_opt *o, *p;
	int n = 0, bad = 0;

	for (o = c->opts; o->name; o++, n++) {
		bad += !o->help || !*o->help || o->key == 'h' || o->key == 'V';
		bad += o->arg != 0 && !o->argname;
		for (p = o + 1; p->name; p++)
			bad += p->key == o->key || !strcmp(p->name, o->name);
	}
	ok(!bad && n > 0 && n < 30, "%s: %d options, each with help, unique",
	   c->name, n);
}

static void test_json(void)
{
	struct sw_outopts o = { .json = true };
	struct libscols_table *t = sw_table("t", "title", true, cols, 4);
	struct libscols_line *l = sw_row(t);
	char *buf = NULL;
	size_t len = 0;
	FILE *saved = stdout, *mem = open_memstream(&buf, &len);
	int ret;

	sw_cell(l, 0, "%d", 42);
	sw_cell(l, 1, "%s", "a\"b\n");
	sw_cell_bool(l, 3, true, true, NULL, NULL);
	sw_cell(l, -1, "%s", "not selected: ignored");
	stdout = mem;
	ret = sw_print(&t, 1, &o);
	stdout = saved;
	fclose(mem);
	ok(!ret, "a table prints as JSON");	/* not into mem: TAP is ours */
	ok(buf && strstr(buf, "\"ns\": 42") && strstr(buf, "\"key\": \"a\\\"b\\n\"") &&
	   strstr(buf, "\"comm\": null") && strstr(buf, "\"leak\": true"),
	   "JSON: number, quoted string, null, boolean");
	free(buf);
	scols_unref_table(t);
}

void test_cli(void)
{
	test_numbers();
	test_colsel();
	test_ages();
	test_tables(&report_command);
	test_tables(&reap_command);
	test_json();
}
