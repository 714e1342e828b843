// SPDX-License-Identifier: GPL-2.0
/*
 * Issue 4: debugfs /sys/kernel/debug/semwatch/sets lists every tracked set of
 * every prefix; events is a ring of creations and removals with pid/comm.
 */
#include "sw_test.h"

FIXTURE(dbg) { struct sw_ctx c; char comm[16]; };

FIXTURE_SETUP(dbg)
{
	ASSERT_EQ(0, sw_save(&self->c.st));
	if (access("/sys/kernel/debug/semwatch", F_OK)) {
		/* Only an unmounted debugfs excuses a missing directory. */
		ASSERT_NE(0, access("/sys/kernel/debug/tracing", F_OK))
			TH_LOG("debugfs is mounted but has no semwatch/");
		SKIP(return, "debugfs not mounted");
	}
	snprintf(self->comm, sizeof(self->comm), "sw-debugfs");
	ASSERT_EQ(0, prctl(PR_SET_NAME, self->comm));
}

FIXTURE_TEARDOWN(dbg) { EXPECT_EQ(0, sw_cleanup(&self->c)); }

/* Every tracked set, not just the watched prefix; count equals `tracked`. */
TEST_F(dbg, sets_lists_every_prefix)
{
	uint32_t keys[3] = { sw_key(0x5e71, 0x70), sw_key(0x5e72, 0x70), IPC_PRIVATE };
	struct sw_snap s, d;
	struct sw_tab *t;
	int ids[3], r;

	if (_metadata->skip)
		return;
	for (int i = 0; i < 3; i++)
		ASSERT_LE(0, ids[i] = sw_track(&self->c, sw_mkset(keys[i], i + 1)));
	ASSERT_EQ(0, sw_snap(&s));
	ASSERT_EQ(0, sw_snap_file(&d, SW_DBG_SETS));
	t = sw_tab(&d, "");
	EXPECT_EQ(sw_num(sw_hdr(&s, "tracked")), t->nrows);
	for (int i = 0; i < 3; i++) {
		r = sw_find(t, "semid", ids[i]);
		ASSERT_LE(0, r) TH_LOG("semid %d not in sets", ids[i]);
		EXPECT_EQ(keys[i], sw_ncell(t, r, "key"));
		EXPECT_EQ(getpid(), sw_ncell(t, r, "pid"));
		EXPECT_STREQ(self->comm, sw_cell(t, r, "comm"));
		EXPECT_STREQ("alive", sw_cell(t, r, "state"));
		EXPECT_EQ(i + 1, sw_ncell(t, r, "nsems"));
		EXPECT_EQ(sw_ns_ino(0), sw_ncell(t, r, "ns"));
	}
	sw_free(&d);
	sw_free(&s);
}

/* Every set of the initial namespace appears in sets (found or created). */
TEST_F(dbg, sets_matches_sysvipc)
{
	static struct sw_ipc ipc[4096];
	struct sw_snap d;
	struct sw_tab *t;
	int n;

	if (_metadata->skip)
		return;
	ASSERT_LE(0, sw_track(&self->c, sw_mkset(sw_key(0x5e71, 0x71), 1)));
	n = sw_sysvipc(ipc, 4096);
	ASSERT_EQ(0, sw_snap_file(&d, SW_DBG_SETS));
	t = sw_tab(&d, "");
	for (int i = 0; i < n; i++) {
		int r = sw_find(t, "semid", ipc[i].semid);

		EXPECT_LE(0, r) TH_LOG("semid %d (key 0x%08x) untracked", ipc[i].semid, ipc[i].key);
		if (r >= 0)
			EXPECT_EQ(ipc[i].key, sw_ncell(t, r, "key"));
	}
	sw_free(&d);
}

/* Last event row matching (op, semid), or -1. */
static int find_event(struct sw_tab *t, const char *op, int semid)
{
	for (int i = t->nrows - 1; i >= 0; i--)
		if (!strcmp(sw_cell(t, i, "op"), op) && sw_ncell(t, i, "semid") == semid)
			return i;
	return -1;
}

TEST_F(dbg, events_create_and_remove)
{
	uint32_t key = sw_key(0x5e71, 0x72);
	long long now = time(NULL);
	struct sw_snap d;
	struct sw_tab *t;
	int id, c, r;

	if (_metadata->skip)
		return;
	id = sw_mkset(key, 2);
	ASSERT_LE(0, id);
	ASSERT_EQ(0, semctl(id, 0, IPC_RMID));
	ASSERT_EQ(0, sw_snap_file(&d, SW_DBG_EVENTS));
	t = sw_tab(&d, "");
	EXPECT_GE(1024, t->nrows);
	for (int i = 1; i < t->nrows; i++)
		EXPECT_LT(sw_ncell(t, i - 1, "seq"), sw_ncell(t, i, "seq"));
	c = find_event(t, "create", id);
	r = find_event(t, "remove", id);
	ASSERT_LE(0, c);
	ASSERT_LE(0, r);
	EXPECT_LT(c, r);
	EXPECT_EQ(getpid(), sw_ncell(t, c, "pid"));
	EXPECT_STREQ(self->comm, sw_cell(t, c, "comm"));
	EXPECT_EQ(getpid(), sw_ncell(t, r, "pid"));	/* we removed it too */
	EXPECT_EQ(key, sw_ncell(t, c, "key"));
	EXPECT_EQ(key, sw_ncell(t, r, "key"));
	EXPECT_EQ(sw_ns_ino(0), sw_ncell(t, c, "ns"));
	/* Seconds since the epoch, so close to our clock. */
	EXPECT_GE(5, llabs(sw_ncell(t, c, "time") - now));
	sw_free(&d);
}

SW_TEST_MAIN()
