// SPDX-License-Identifier: GPL-2.0
/*
 * Issues 4 and 8: the summary lines of /proc/semwatch, the max_records cap
 * with its dropped counter, and insmod refusing invalid parameters while
 * leaving nothing behind. Issue 12: format 2's header (`truncated: 0` as its
 * last line) and the blank line plus `end` that close the file.
 */
#include "sw_test.h"

FIXTURE(hdr) { struct sw_ctx c; };
FIXTURE_SETUP(hdr) { ASSERT_EQ(0, sw_save(&self->c.st)); }
FIXTURE_TEARDOWN(hdr) { EXPECT_EQ(0, sw_cleanup(&self->c)); }

static long long sum_col(struct sw_tab *t, const char *col)
{
	long long sum = 0;

	for (int i = 0; i < t->nrows; i++)
		sum += sw_ncell(t, i, col);
	return sum;
}

TEST_F(hdr, summary_lines)
{
	const char *hook = getenv("SEMWATCH_HOOK");
	char *raw = sw_slurp(SW_PROC);
	struct sw_snap s;

	ASSERT_NE(NULL, raw);
	/* The version line comes first, so readers can check it before parsing. */
	ASSERT_EQ(0, strncmp(raw, "semwatch-format: 2\n", 19));
	/* The file ends with a blank line and `end`: a cut file is always seen. */
	ASSERT_LE(6, strlen(raw));
	EXPECT_STREQ("\n\nend\n", raw + strlen(raw) - 6);
	ASSERT_EQ(0, sw_parse(&s, raw));
	ASSERT_EQ(0, sw_incomplete(&s));
	EXPECT_EQ(1, s.ended);
	/* Nine header lines; `truncated` is the last, and 0 when nothing floods. */
	EXPECT_EQ(9, s.nkv);
	EXPECT_STREQ("semwatch-format", s.key[0]);
	EXPECT_STREQ("truncated", s.key[s.nkv - 1]);
	EXPECT_STREQ("0", sw_hdr(&s, "truncated"));
	if (hook && strcmp(hook, "auto")) {
		EXPECT_STREQ(hook, sw_hdr(&s, "hook"));
	} else {
		EXPECT_TRUE(!strcmp(sw_hdr(&s, "hook"), "kprobe") ||
			    !strcmp(sw_hdr(&s, "hook"), "tracepoint"));
	}
	EXPECT_STRNE(SW_MISSING, sw_hdr(&s, "removal"));
	EXPECT_STRNE("", sw_hdr(&s, "removal"));
	EXPECT_LE(0, sw_num(sw_hdr(&s, "dropped")));
	EXPECT_EQ(262144, sw_num(sw_hdr(&s, "max_records")));
	EXPECT_EQ(sw_num(sw_hdr(&s, "tracked")), sum_col(sw_tab(&s, "prefixes"), "sets"));
	/* Namespace use is the kernel's count: equal when nothing was dropped. */
	if (sw_num(sw_hdr(&s, "dropped")) == 0)
		EXPECT_EQ(sw_num(sw_hdr(&s, "tracked")),
			  sum_col(sw_tab(&s, "namespaces"), "sets"));
	EXPECT_LE(1, sw_tab(&s, "namespaces")->nrows);
	/* All three tables are present, with the documented columns. */
	EXPECT_STREQ("ns", sw_tab(&s, "namespaces")->hdr.f[0]);
	EXPECT_STREQ("prefix", sw_tab(&s, "prefixes")->hdr.f[0]);
	EXPECT_EQ(8, sw_tab(&s, "prefixes")->hdr.n);
	EXPECT_EQ(12, sw_tab(&s, "watched")->hdr.n);
	EXPECT_STREQ("exit", sw_tab(&s, "watched")->hdr.f[3]);
	EXPECT_STREQ("died_s", sw_tab(&s, "watched")->hdr.f[4]);
	EXPECT_STREQ("cgroup", sw_tab(&s, "watched")->hdr.f[11]);
	sw_free(&s);
}

/* tracked follows creations and removals one for one. */
TEST_F(hdr, tracked_counts_sets)
{
	struct sw_snap s;
	long long t0, t1, t2;
	int id;

	ASSERT_EQ(0, sw_snap(&s));
	t0 = sw_num(sw_hdr(&s, "tracked"));
	sw_free(&s);
	id = sw_track(&self->c, sw_mkset(sw_key(0x5e71, 0x80), 1));
	ASSERT_LE(0, id);
	ASSERT_EQ(0, sw_snap(&s));
	t1 = sw_num(sw_hdr(&s, "tracked"));
	sw_free(&s);
	ASSERT_EQ(0, semctl(id, 0, IPC_RMID));
	ASSERT_EQ(0, sw_snap(&s));
	t2 = sw_num(sw_hdr(&s, "tracked"));
	sw_free(&s);
	EXPECT_EQ(t0 + 1, t1);
	EXPECT_EQ(t0, t2);
}

TEST_F_TIMEOUT(hdr, max_records_caps_and_counts_drops, 90)
{
	struct sw_snap s;
	long long t0, d0;
	int ids[10], r;

	if (!sw_can_reload())
		SKIP(return, "SEMWATCH_KO/SEMWATCH_HOOK unset: cannot reload");
	self->c.reloaded = 1;
	ASSERT_EQ(0, sw_reload("max_records=5 watch_prefix=0x5e71"));
	ASSERT_EQ(0, sw_snap(&s));
	EXPECT_EQ(5, sw_num(sw_hdr(&s, "max_records")));
	t0 = sw_num(sw_hdr(&s, "tracked"));
	d0 = sw_num(sw_hdr(&s, "dropped"));
	sw_free(&s);
	ASSERT_GT(5, t0) TH_LOG("too many sets at load to test the cap");
	ASSERT_LE(0, d0);
	for (int i = 0; i < 10; i++)
		ASSERT_LE(0, ids[i] = sw_track(&self->c, sw_mkset(sw_key(0x5e71, 0x90 + i), 1)));
	ASSERT_EQ(0, sw_snap(&s));
	EXPECT_EQ(5, sw_num(sw_hdr(&s, "tracked")));
	EXPECT_EQ(d0 + 10 - (5 - t0), sw_num(sw_hdr(&s, "dropped")));
	EXPECT_EQ(5 - t0, sw_tab(&s, "watched")->nrows);
	sw_free(&s);

	/* Removing sets frees records; a new set is tracked again. */
	for (int i = 0; i < 10; i++)
		ASSERT_EQ(0, semctl(ids[i], 0, IPC_RMID));
	self->c.nids = 0;
	ASSERT_EQ(0, sw_snap(&s));
	EXPECT_EQ(t0, sw_num(sw_hdr(&s, "tracked")));
	EXPECT_EQ(0, sw_tab(&s, "watched")->nrows);
	sw_free(&s);
	ids[0] = sw_track(&self->c, sw_mkset(sw_key(0x5e71, 0x9f), 2));
	ASSERT_LE(0, ids[0]);
	ASSERT_EQ(0, sw_snap(&s));
	r = sw_find(sw_tab(&s, "watched"), "semid", ids[0]);
	ASSERT_LE(0, r);
	EXPECT_EQ(getpid(), sw_ncell(sw_tab(&s, "watched"), r, "pid"));
	EXPECT_EQ(t0 + 1, sw_num(sw_hdr(&s, "tracked")));
	sw_free(&s);
}

/* In a fresh IPC namespace: *arg sets of prefix 0x5e71, their ids out. */
static int make_guest_sets(void *arg, int *out, int max)
{
	int n = *(int *)arg;

	if (unshare(CLONE_NEWIPC))
		return -errno;
	for (int i = 0; i < n && i < max; i++)
		if ((out[i] = sw_mkset(sw_key(0x5e71, 0xa0 + i), 1)) < 0)
			return out[i];
	return n;
}

/*
 * A quarter of max_records is the initial IPC namespace's: sets of other
 * namespaces, which any user may make, fill three quarters at most.
 */
TEST_F_TIMEOUT(hdr, max_records_keeps_a_quarter_for_the_host, 90)
{
	struct sw_child guest = { 0 };
	int ids[8], n = 8, id;
	long long t0 = -1, d0 = -1, nsg, n64 = -1;
	struct sw_snap s;

	if (!sw_can_reload())
		SKIP(return, "SEMWATCH_KO/SEMWATCH_HOOK unset: cannot reload");
	self->c.reloaded = 1;
	ASSERT_EQ(0, sw_reload("max_records=8 watch_prefix=0x5e71"));
	ASSERT_EQ(0, sw_counts(&t0, &d0));
	ASSERT_GE(1, t0) TH_LOG("too many sets at load to test the reserve");
	/* ... and those are the host's: no other namespace has a set. */
	ASSERT_EQ(0, sw_snap(&s));
	for (int i = 0; i < sw_tab(&s, "namespaces")->nrows; i++)
		if (sw_ncell(sw_tab(&s, "namespaces"), i, "ns") != sw_ns_ino(0))
			ASSERT_EQ(0, sw_ncell(sw_tab(&s, "namespaces"), i, "sets"));
	sw_free(&s);
	ASSERT_EQ(n, sw_spawn(&guest, "sw-guest", make_guest_sets, &n, ids, n));
	nsg = sw_ns_ino(guest.pid);
	ASSERT_EQ(0, sw_snap(&s));
	EXPECT_EQ(6, sw_count(sw_tab(&s, "watched"), "ns", nsg)) sw_dump(SW_PROC);
	EXPECT_EQ(t0 + 6, sw_num(sw_hdr(&s, "tracked")));
	EXPECT_EQ(d0 + 2, sw_num(sw_hdr(&s, "dropped")));
	sw_free(&s);
	/* The host's own set still finds room. */
	id = sw_track(&self->c, sw_mkset(sw_key(0x5e71, 0xb0), 1));
	ASSERT_LE(0, id);
	ASSERT_EQ(0, sw_snap(&s));
	EXPECT_LE(0, sw_find(sw_tab(&s, "watched"), "semid", id)) sw_dump(SW_PROC);
	EXPECT_EQ(t0 + 7, sw_num(sw_hdr(&s, "tracked")));
	sw_free(&s);
	/* The namespace goes with its last task (freed by a worker), its records too. */
	sw_release(&guest);
	for (int i = 0; i < 400 && !sw_counts(&n64, &d0) && n64 != t0 + 1; i++)
		usleep(50000);	/* 20 s: free_ipc() waits for an RCU grace period */
	EXPECT_EQ(t0 + 1, n64);
}

TEST_F_TIMEOUT(hdr, invalid_parameters_refused, 90)
{
	const char *hook = getenv("SEMWATCH_HOOK");
	const char *bad[] = {
		"hook=bogus", "prefix_bits=0", "prefix_bits=33", "max_records=0",
		"max_records=abc", "watch_prefix=0x1ffff", "watch_prefix=-1",
		"layout=2", "proc_mode=0666", "proc_mode=0602", "proc_mode=01600",
	};
	char p[128];

	if (!sw_can_reload())
		SKIP(return, "SEMWATCH_KO/SEMWATCH_HOOK unset: cannot reload");
	self->c.reloaded = 1;
	ASSERT_EQ(0, sw_unload());
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		/* hook= first so that a later hook=bogus overrides it. */
		snprintf(p, sizeof(p), "hook=%s %s", hook, bad[i]);
		EXPECT_EQ(EINVAL, sw_load(p)) TH_LOG("insmod semwatch.ko %s", p);
		EXPECT_NE(0, access(SW_PROC, F_OK)) TH_LOG("%s left " SW_PROC, bad[i]);
		EXPECT_NE(0, access("/sys/module/semwatch", F_OK));
		EXPECT_NE(0, access("/sys/kernel/debug/semwatch", F_OK));
		sw_unload();	/* in case it loaded anyway */
	}
	/* And the module still loads fine afterwards. */
	ASSERT_EQ(0, sw_reload(""));
	ASSERT_EQ(0, access(SW_PROC, R_OK));
}

/* Child: open (never create) an existing key, the way libdm joiners do. */
static int open_key(void *arg, int *out, int max SW_UNUSED)
{
	out[0] = semget(*(uint32_t *)arg, 1, IPC_CREAT | 0600);
	return out[0] < 0 ? -errno : 1;
}

static int make_key(void *arg, int *out, int max SW_UNUSED)
{
	out[0] = sw_mkset(*(uint32_t *)arg, 1);
	return out[0] < 0 ? out[0] : 1;
}

/*
 * A set the module could not record (cap reached) is later opened with
 * IPC_CREAT (no IPC_EXCL) once there is room again: the opener did not
 * create it and must not be listed as its creator.
 */
TEST_F_TIMEOUT(hdr, opened_untracked_set_not_attributed, 90)
{
	uint32_t key = sw_key(0x5e71, 0xa0);
	struct sw_child *maker = &self->c.kids[self->c.nkids++];
	struct sw_child *opener = &self->c.kids[self->c.nkids++];
	struct sw_snap s;
	struct sw_tab *w;
	long long t0;
	int id, id2, filler = -1, r;

	if (!sw_can_reload())
		SKIP(return, "SEMWATCH_KO/SEMWATCH_HOOK unset: cannot reload");
	self->c.reloaded = 1;
	ASSERT_EQ(0, sw_reload("max_records=5 watch_prefix=0x5e71"));
	ASSERT_EQ(0, sw_snap(&s));
	t0 = sw_num(sw_hdr(&s, "tracked"));
	sw_free(&s);
	ASSERT_GT(5, t0);
	for (int i = 0; i < 5 - t0; i++)
		ASSERT_LE(0, filler = sw_track(&self->c, sw_mkset(sw_key(0x5e72, 0xa0 + i), 1)));
	ASSERT_EQ(1, sw_spawn(maker, "sw-maker", make_key, &key, &id, 1));
	sw_track(&self->c, id);
	ASSERT_EQ(0, sw_release(maker));
	ASSERT_EQ(0, semctl(filler, 0, IPC_RMID));	/* room for one record */
	ASSERT_EQ(1, sw_spawn(opener, "sw-opener", open_key, &key, &id2, 1));
	ASSERT_EQ(id, id2);
	ASSERT_EQ(0, sw_snap(&s));
	w = sw_tab(&s, "watched");
	r = sw_find(w, "semid", id);
	EXPECT_TRUE(r < 0 || sw_ncell(w, r, "pid") != opener->pid) {
		TH_LOG("set %d listed with the opener %d as its creator", id, opener->pid);
		sw_dump(SW_PROC);
	}
	sw_free(&s);
}

/* Unload while readers hold the files open: no crash, the reads just end. */
TEST_F_TIMEOUT(hdr, unload_with_open_readers, 60)
{
	char buf[64];
	int fd, dfd;

	if (!sw_can_reload())
		SKIP(return, "SEMWATCH_KO/SEMWATCH_HOOK unset: cannot reload");
	self->c.reloaded = 1;
	fd = open(SW_PROC, O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ((ssize_t)sizeof(buf), read(fd, buf, sizeof(buf)));
	dfd = open(SW_DBG_SETS, O_RDONLY);
	if (dfd >= 0)
		ASSERT_EQ((ssize_t)sizeof(buf), read(dfd, buf, sizeof(buf)));
	/* debugfs files pin the module (fops owner): unloading waits or fails. */
	if (dfd >= 0 && !syscall(__NR_delete_module, "semwatch", O_NONBLOCK))
		EXPECT_GE(0, read(dfd, buf, sizeof(buf)));
	if (dfd >= 0)
		close(dfd);
	ASSERT_EQ(0, sw_unload());
	ASSERT_NE(0, access(SW_PROC, F_OK));
	/* The rest of a read of a removed proc file fails (EIO) or ends. */
	EXPECT_GE(0, read(fd, buf, sizeof(buf)));
	close(fd);
	ASSERT_EQ(0, sw_reload(""));
	ASSERT_EQ(0, access(SW_PROC, R_OK));
}

/* auto picks the kprobe where it can be placed (Debian kernels: always). */
TEST_F_TIMEOUT(hdr, auto_prefers_kprobe, 60)
{
	struct sw_snap s;

	if (!sw_can_reload())
		SKIP(return, "SEMWATCH_KO/SEMWATCH_HOOK unset: cannot reload");
	self->c.reloaded = 1;
	ASSERT_EQ(0, sw_unload());
	ASSERT_EQ(0, sw_load("hook=auto"));
	ASSERT_EQ(0, sw_snap(&s));
	EXPECT_STREQ("kprobe", sw_hdr(&s, "hook"));
	sw_free(&s);
}

SW_TEST_MAIN()
