// SPDX-License-Identifier: GPL-2.0
/*
 * Issue 4 "Must show": per-prefix counts equal what /proc/sysvipc/sem
 * implies, for several prefixes at once, and the namespace summary row
 * matches the namespace's limits and use. Issue 16: with every key its own
 * prefix, more prefixes than fit the sums' first table still all count, and
 * only the watched one has rows.
 */
#include "sw_test.h"

#define MAXSETS 4096
/* More prefixes than a view's first table of sums holds (32), within SW_MAXIDS. */
#define MANY 120

FIXTURE(prefix) { struct sw_ctx c; struct sw_ipc ipc[MAXSETS]; };
FIXTURE_SETUP(prefix) { ASSERT_EQ(0, sw_save(&self->c.st)); }
FIXTURE_TEARDOWN(prefix) { EXPECT_EQ(0, sw_cleanup(&self->c)); }

/* 3 sets of prefix A (nsems 1..3), 2 of B (nsems 4), 1 IPC_PRIVATE (nsems 2). */
static void make_mix(struct __test_metadata *_metadata, struct sw_ctx *c)
{
	for (int i = 0; i < 3; i++)
		ASSERT_LE(0, sw_track(c, sw_mkset(sw_key(0x5e71, 0x10 + i), i + 1)));
	for (int i = 0; i < 2; i++)
		ASSERT_LE(0, sw_track(c, sw_mkset(sw_key(0x5e72, 0x10 + i), 4)));
	ASSERT_LE(0, sw_track(c, sw_mkset(IPC_PRIVATE, 2)));
}

/*
 * Compare the prefixes row of every prefix present in /proc/sysvipc/sem
 * (sets, sems) with the module's; all sets are the caller's, so all alive.
 */
static void check_prefixes(struct __test_metadata *_metadata, struct sw_snap *s,
			   struct sw_ipc *ipc, int n, int bits, int exact)
{
	struct sw_tab *p = sw_tab(s, "prefixes");
	long long total = 0;

	for (int i = 0; i < n; i++) {
		uint32_t pre = bits == 32 ? ipc[i].key : ipc[i].key >> (32 - bits);
		int sets = 0, sems = 0, r = sw_find(p, "prefix", pre);

		for (int j = 0; j < n; j++)
			if ((bits == 32 ? ipc[j].key : ipc[j].key >> (32 - bits)) == pre)
				sets++, sems += ipc[j].nsems;
		ASSERT_LE(0, r) TH_LOG("no prefixes row for 0x%x", pre);
		EXPECT_EQ(sets, sw_ncell(p, r, "sets")) TH_LOG("prefix 0x%x", pre);
		EXPECT_EQ(sems, sw_ncell(p, r, "sems")) TH_LOG("prefix 0x%x", pre);
		EXPECT_EQ(sets, sw_ncell(p, r, "alive") + sw_ncell(p, r, "dead") +
				sw_ncell(p, r, "unknown"));
	}
	for (int r = 0; r < p->nrows; r++)
		total += sw_ncell(p, r, "sets");
	if (exact)
		EXPECT_EQ(n, total);
}

/* Limits row of the reader's namespace must be its kernel.sem values. */
static void check_ns_row(struct __test_metadata *_metadata, struct sw_snap *s,
			 struct sw_ipc *ipc, int n)
{
	struct sw_tab *t = sw_tab(s, "namespaces");
	int r = sw_find(t, "ns", sw_ns_ino(0)), lim[4], sems = 0;
	FILE *f = fopen("/proc/sys/kernel/sem", "r");

	ASSERT_NE(NULL, f);
	ASSERT_EQ(4, fscanf(f, "%d %d %d %d", &lim[0], &lim[1], &lim[2], &lim[3]));
	fclose(f);
	ASSERT_LE(0, r);
	EXPECT_EQ(lim[0], sw_ncell(t, r, "semmsl"));
	EXPECT_EQ(lim[1], sw_ncell(t, r, "semmns"));
	EXPECT_EQ(lim[2], sw_ncell(t, r, "semopm"));
	EXPECT_EQ(lim[3], sw_ncell(t, r, "semmni"));
	for (int i = 0; i < n; i++)
		sems += ipc[i].nsems;
	EXPECT_EQ(n, sw_ncell(t, r, "sets"));
	EXPECT_EQ(sems, sw_ncell(t, r, "sems"));
}

/* A reader alone in a fresh namespace: its view must equal sysvipc exactly. */
TEST_F(prefix, counts_in_fresh_namespace)
{
	struct sw_snap s;
	struct sw_tab *p;
	int n;

	ASSERT_EQ(0, unshare(CLONE_NEWIPC));
	make_mix(_metadata, &self->c);
	n = sw_sysvipc(self->ipc, MAXSETS);
	ASSERT_EQ(6, n);
	ASSERT_EQ(0, sw_snap(&s));
	ASSERT_EQ(1, sw_tab(&s, "namespaces")->nrows);
	check_ns_row(_metadata, &s, self->ipc, n);
	check_prefixes(_metadata, &s, self->ipc, n, 16, 1);
	p = sw_tab(&s, "prefixes");
	EXPECT_EQ(3, p->nrows);		/* 0x0000 (private), A, B */
	EXPECT_EQ(3, sw_ncell(p, sw_find(p, "prefix", 0x5e71), "sets"));
	EXPECT_EQ(6, sw_ncell(p, sw_find(p, "prefix", 0x5e71), "sems"));
	EXPECT_EQ(8, sw_ncell(p, sw_find(p, "prefix", 0x5e72), "sems"));
	EXPECT_EQ(3, sw_ncell(p, sw_find(p, "prefix", 0x5e71), "alive"));
	EXPECT_STREQ("-", sw_cell(p, sw_find(p, "prefix", 0x5e71), "label"));
	EXPECT_LE(0, sw_ncell(p, sw_find(p, "prefix", 0x5e72), "oldest_s"));
	EXPECT_GE(30, sw_ncell(p, sw_find(p, "prefix", 0x5e72), "oldest_s"));
	EXPECT_EQ(0, sw_tab(&s, "watched")->nrows);	/* no 0x0d4d set here */
	/* Sorted by prefix. */
	for (int i = 1; i < p->nrows; i++)
		EXPECT_LT(sw_ncell(p, i - 1, "prefix"), sw_ncell(p, i, "prefix"));
	sw_free(&s);
}

/* A container without sets still sees its own limits and zero use. */
TEST_F(prefix, empty_namespace_row)
{
	struct sw_snap s;

	ASSERT_EQ(0, unshare(CLONE_NEWIPC));
	ASSERT_EQ(0, sw_snap(&s));
	check_ns_row(_metadata, &s, self->ipc, 0);
	EXPECT_EQ(1, sw_tab(&s, "namespaces")->nrows);
	EXPECT_EQ(0, sw_tab(&s, "prefixes")->nrows);
	EXPECT_EQ(0, sw_tab(&s, "watched")->nrows);
	sw_free(&s);
}

/*
 * The initial namespace: the module tracks sets found at load plus every
 * set made since, so when it is the only namespace its view is exact.
 */
TEST_F(prefix, counts_in_initial_namespace)
{
	struct sw_snap s;
	int n, only;

	make_mix(_metadata, &self->c);
	n = sw_sysvipc(self->ipc, MAXSETS);
	ASSERT_LE(6, n);
	ASSERT_EQ(0, sw_snap(&s));
	only = sw_tab(&s, "namespaces")->nrows == 1;
	check_ns_row(_metadata, &s, self->ipc, n);
	check_prefixes(_metadata, &s, self->ipc, n, 16, only);
	if (only)
		EXPECT_EQ(n, sw_num(sw_hdr(&s, "tracked")));
	sw_free(&s);
}

/* Width 8 merges A and B into prefix 0x5e; the watched prefix follows. */
TEST_F(prefix, prefix_bits_8)
{
	struct sw_snap s;
	struct sw_tab *w;
	int n, mine = 0;

	make_mix(_metadata, &self->c);
	ASSERT_EQ(0, sw_cmd("watch_prefix 0x5e"));
	ASSERT_EQ(0, sw_cmd("prefix_bits 8"));
	n = sw_sysvipc(self->ipc, MAXSETS);
	ASSERT_EQ(0, sw_snap(&s));
	EXPECT_EQ(8, sw_num(sw_hdr(&s, "prefix_bits")));
	EXPECT_EQ(0x5e, sw_num(sw_hdr(&s, "watch_prefix")));
	check_prefixes(_metadata, &s, self->ipc, n, 8,
		       sw_tab(&s, "namespaces")->nrows == 1);
	w = sw_tab(&s, "watched");
	for (int i = 0; i < w->nrows; i++) {
		EXPECT_EQ(0x5e, sw_ncell(w, i, "key") >> 24);
		mine += sw_ncell(w, i, "pid") == getpid();
	}
	EXPECT_EQ(5, mine);
	sw_free(&s);
}

/*
 * Width 32 in the initial namespace: MANY new prefixes after a host-wide view that
 * saw only the few sets already there, so the next view's first table of sums is too
 * small and it sums again in a bigger one (a reader in a child namespace starts from
 * its own count instead). Every prefix counts; the watched one is one key, one row.
 */
TEST_F(prefix, many_prefixes_width_32)
{
	uint32_t watched;
	struct sw_snap s;
	struct sw_tab *p, *w;
	int n;

	watched = sw_key(0x5e73, 7);
	ASSERT_EQ(0, sw_cmd("prefix_bits 32"));
	ASSERT_EQ(0, sw_cmdf("watch_prefix %#lx", watched));
	ASSERT_EQ(0, sw_snap(&s));
	ksft_print_msg("prefix: %d prefixes before\n", sw_tab(&s, "prefixes")->nrows);
	fflush(stdout);	/* the harness _exit()s the test's child */
	sw_free(&s);
	for (int i = 0; i < MANY; i++)
		ASSERT_LE(0, sw_track(&self->c, sw_mkset(sw_key(0x5e73, i), 1 + i % 3)));
	n = sw_sysvipc(self->ipc, MAXSETS);
	ASSERT_LE(MANY, n);
	ASSERT_EQ(0, sw_snap(&s));
	EXPECT_EQ(0, sw_num(sw_hdr(&s, "truncated")));
	check_prefixes(_metadata, &s, self->ipc, n, 32, sw_tab(&s, "namespaces")->nrows == 1);
	p = sw_tab(&s, "prefixes");
	EXPECT_LE(MANY, p->nrows);
	for (int i = 1; i < p->nrows; i++)
		EXPECT_LT(sw_ncell(p, i - 1, "prefix"), sw_ncell(p, i, "prefix"));
	w = sw_tab(&s, "watched");
	ASSERT_EQ(1, w->nrows);
	EXPECT_EQ(watched, (uint32_t)sw_ncell(w, 0, "key"));
	EXPECT_EQ(getpid(), sw_ncell(w, 0, "pid"));
	sw_free(&s);
}

SW_TEST_MAIN()
