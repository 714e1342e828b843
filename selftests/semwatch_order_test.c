// SPDX-License-Identifier: GPL-2.0
/*
 * The documented order of the rows, over enough sets that the module's radix sort
 * (kmod/rowsort.c) orders on several key bytes: the watched table oldest first, then
 * by namespace and id; debugfs's sets by prefix first. Unknown ages ("?") sort first.
 */
#include "sw_test.h"

#include <limits.h>

#define ORDER_PREFIX 0x5e7d
#define ORDER_N 600

FIXTURE(order) { struct sw_ctx c; int ids[ORDER_N]; int made; };

/* ORDER_N sets in two bursts a second apart, paced so that no record is dropped. */
FIXTURE_SETUP(order)
{
	long long tracked, dropped0, dropped1;

	ASSERT_EQ(0, sw_save(&self->c.st));
	ASSERT_EQ(0, sw_counts(&tracked, &dropped0));
	for (int i = 0; i < ORDER_N; i++) {
		self->ids[i] = sw_mkset(ORDER_PREFIX << 16 | i, 1);
		ASSERT_LE(0, self->ids[i]);
		self->made++;
		if (i == ORDER_N / 2)
			usleep(1100000);
		else if (i % 200 == 199)
			usleep(2000);	/* the deferred work refills the record pool */
	}
	ASSERT_EQ(0, sw_counts(&tracked, &dropped1));
	ASSERT_EQ(dropped0, dropped1) TH_LOG("records dropped while making the sets");
}

FIXTURE_TEARDOWN(order)
{
	for (int i = 0; i < self->made; i++)
		semctl(self->ids[i], 0, IPC_RMID);
	EXPECT_EQ(0, sw_cleanup(&self->c));
}

static long long age_of(struct sw_tab *t, int row)
{
	return strcmp(sw_cell(t, row, "age_s"), "?") ? sw_ncell(t, row, "age_s") : LLONG_MAX;
}

/* <0, 0, >0: row a sorts before, with, after row b, by age then namespace and id. */
static int age_order(struct sw_tab *t, int a, int b)
{
	long long x, y;

	x = age_of(t, a);
	y = age_of(t, b);
	if (x != y)
		return x > y ? -1 : 1;	/* older first */
	x = sw_ncell(t, a, "ns");
	y = sw_ncell(t, b, "ns");
	if (x != y)
		return x < y ? -1 : 1;
	x = sw_ncell(t, a, "semid");
	y = sw_ncell(t, b, "semid");
	return x < y ? -1 : x > y;
}

TEST_F(order, watched_oldest_first_then_ns_and_id)
{
	struct sw_snap s;
	struct sw_tab *w;
	int ages = 1;

	ASSERT_EQ(0, sw_cmdf("watch_prefix 0x%lx", ORDER_PREFIX));
	ASSERT_EQ(0, sw_snap(&s));
	w = sw_tab(&s, "watched");
	ASSERT_EQ(ORDER_N, w->nrows);
	for (int i = 0; i < ORDER_N; i++)
		EXPECT_LE(0, sw_find(w, "semid", self->ids[i]));
	for (int i = 1; i < w->nrows; i++) {
		EXPECT_GT(0, age_order(w, i - 1, i)) TH_LOG("rows %d and %d out of order", i - 1, i);
		ages += age_of(w, i - 1) != age_of(w, i);
	}
	EXPECT_LE(2, ages) TH_LOG("one creation time only: the order by age is untested");
	sw_free(&s);
}

TEST_F(order, debugfs_sets_by_prefix_then_age)
{
	struct sw_snap d;
	struct sw_tab *t;
	long long p0, p1;

	if (access(SW_DBG_SETS, F_OK)) {
		ASSERT_NE(0, access("/sys/kernel/debug/tracing", F_OK))
			TH_LOG("debugfs is mounted but has no semwatch/sets");
		SKIP(return, "debugfs not mounted");
	}
	ASSERT_EQ(0, sw_snap_file(&d, SW_DBG_SETS));
	t = sw_tab(&d, "");
	ASSERT_LE(ORDER_N, t->nrows);
	for (int i = 1; i < t->nrows; i++) {
		p0 = (uint32_t)sw_ncell(t, i - 1, "key") >> 16;
		p1 = (uint32_t)sw_ncell(t, i, "key") >> 16;
		EXPECT_LE(p0, p1) TH_LOG("rows %d and %d: prefixes out of order", i - 1, i);
		if (p0 == p1)
			EXPECT_GT(0, age_order(t, i - 1, i))
				TH_LOG("rows %d and %d out of order", i - 1, i);
	}
	sw_free(&d);
}

SW_TEST_MAIN()
