// SPDX-License-Identifier: GPL-2.0
/*
 * The cgroup paths the module keeps take at most 64 bytes per record of max_records,
 * 1 MiB at least. A user who makes a set in each of many cgroups with long paths and
 * then removes the cgroups must not make the module keep a path per set, charged to
 * no one: beyond the budget a set keeps its cgroup's id only, and shows "?" once the
 * cgroup is gone.
 */
#include "sw_test.h"

#define CG_ROOT "/sys/fs/cgroup/sw-budget"
#define PREFIX 0x5e73
#define NSETS 700
/* Paths of 982 bytes: a 2 KiB slab object each, so 1 MiB keeps 512 of them. */
#define KEPT_MAX 512
#define BATCH 32	/* under the module's 64 pending cgroups between two reads */

FIXTURE(budget) { struct sw_ctx c; char dirs[4][1024]; int ndirs; };

FIXTURE_SETUP(budget)
{
	ASSERT_EQ(0, sw_save(&self->c.st));
}

FIXTURE_TEARDOWN(budget)
{
	uint32_t prefix = PREFIX;
	char leaf[1100];

	sw_rm_prefixes(&prefix, 1);
	/* The leaves too, should the test have stopped half way (ENOENT otherwise). */
	for (int i = 0; self->ndirs == 4 && i < NSETS; i++)
		if (snprintf(leaf, sizeof(leaf), "%s/%03d", self->dirs[3], i) < (int)sizeof(leaf))
			rmdir(leaf);
	while (self->ndirs)
		rmdir(self->dirs[--self->ndirs]);
	rmdir(CG_ROOT);
	EXPECT_EQ(0, sw_cleanup(&self->c));
}

/*
 * CG_ROOT/a{250}/b{250}/c{250}/d{214}: the parent of every set's own cgroup, NNN.
 * A set's path, /sw-budget/.../NNN, is then 982 bytes.
 */
static int make_parents(FIXTURE_DATA(budget) *self)
{
	static const char names[4] = { 'a', 'b', 'c', 'd' };
	static const int lens[4] = { 250, 250, 250, 214 };
	const char *up = CG_ROOT;

	if (mkdir(CG_ROOT, 0755) && errno != EEXIST)
		return -errno;
	for (int i = 0; i < 4; i++) {
		int n = snprintf(self->dirs[i], sizeof(self->dirs[i]), "%s/", up);

		memset(self->dirs[i] + n, names[i], lens[i]);
		self->dirs[i][n + lens[i]] = '\0';
		if (mkdir(self->dirs[i], 0755) && errno != EEXIST)
			return -errno;
		self->ndirs = i + 1;
		up = self->dirs[i];
	}
	return 0;
}

/* A child in cgroup @dir makes set @i and exits; 0 or -1. */
static int set_in(const char *dir, int i)
{
	char procs[1100];
	int st;
	pid_t pid;

	if (snprintf(procs, sizeof(procs), "%s/cgroup.procs", dir) >= (int)sizeof(procs))
		return -1;
	pid = fork();
	if (pid == 0) {
		int fd = open(procs, O_WRONLY);

		_exit(fd < 0 || write(fd, "0", 1) != 1 ||
		      sw_mkset(PREFIX << 16 | i, 1) < 0);	/* i < 65536 */
	}
	return pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	       !WEXITSTATUS(st) ? 0 : -1;
}

/*
 * NSETS sets, each made in its own cgroup under @parent, which is then removed:
 * BATCH at a time, with a read of /proc/semwatch before the removal, which resolves
 * the pending paths (no one can read them afterwards). 0, or -1 and errno.
 */
static int make_sets(const char *parent)
{
	char leaf[BATCH][1100], *buf;
	int made = 0;

	while (made < NSETS) {
		int n = 0, err = 0;

		for (; n < BATCH && made < NSETS && !err; n++, made++)
			err = snprintf(leaf[n], sizeof(leaf[n]), "%s/%03d", parent, made) >=
			      (int)sizeof(leaf[n]) || mkdir(leaf[n], 0755) || set_in(leaf[n], made);
		buf = sw_slurp(SW_PROC);
		free(buf);
		while (n)
			err |= rmdir(leaf[--n]) && errno != ENOENT;
		if (err || !buf)
			return -1;
	}
	return 0;
}

/* The watched rows of namespace @ns (0: the host's) whose path was kept, and the rest. */
static void count_paths(struct __test_metadata *_metadata, long long ns, int *kept, int *lost)
{
	struct sw_snap s;
	struct sw_tab *w;

	*kept = *lost = 0;
	ASSERT_EQ(0, sw_snap(&s));
	w = sw_tab(&s, "watched");
	for (int r = 0; r < w->nrows; r++) {
		const char *cg = sw_cell(w, r, "cgroup");

		if (sw_ncell(w, r, "ns") != (ns ? ns : sw_ns_ino(0)))
			continue;
		*kept += !strncmp(cg, "/sw-budget/", 11);
		*lost += !strcmp(cg, "?");
	}
	sw_free(&s);
}

/* Can the test run here: a cgroup v2 hierarchy, and a module it may reload. */
static bool can_run(void)
{
	return !access("/sys/fs/cgroup/cgroup.procs", F_OK) && sw_can_reload();
}

#define START() do {								\
	if (!can_run())								\
		SKIP(return, "no cgroup v2 at /sys/fs/cgroup, or SEMWATCH_KO unset");	\
	self->c.reloaded = 1;							\
	ASSERT_EQ(0, sw_reload("max_records=1024 watch_prefix=0x5e73"));	\
	ASSERT_EQ(0, make_parents(self)) TH_LOG("mkdir: %s", strerror(errno));	\
} while (0)

TEST_F_TIMEOUT(budget, removed_cgroups_keep_a_bounded_number_of_paths, 170)
{
	int kept, lost;

	START();
	ASSERT_EQ(0, make_sets(self->dirs[3])) TH_LOG("%s", strerror(errno));
	count_paths(_metadata, 0, &kept, &lost);
	EXPECT_EQ(NSETS, kept + lost);
	EXPECT_GE(KEPT_MAX, kept) TH_LOG("%d paths kept: over the 1 MiB budget", kept);
	/* The rest of the budget is the paths of the few other cgroups in use. */
	EXPECT_LE(KEPT_MAX - 32, kept);
}

/* In a fresh IPC namespace, which it holds until released: make_sets(). */
static int guest_sets(void *arg, int *out, int max SW_UNUSED)
{
	if (unshare(CLONE_NEWIPC))
		return -errno;
	out[0] = make_sets(arg) ? -errno : 0;
	return 1;
}

/* Sets of other IPC namespaces get three quarters of the budget: 384 paths. */
TEST_F_TIMEOUT(budget, other_namespaces_keep_three_quarters, 170)
{
	struct sw_child guest = { 0 };
	int res = -1, kept, lost;

	START();
	ASSERT_EQ(1, sw_spawn(&guest, "sw-guest", guest_sets, self->dirs[3], &res, 1));
	EXPECT_EQ(0, res) TH_LOG("in the guest: %s", strerror(-res));
	count_paths(_metadata, sw_ns_ino(guest.pid), &kept, &lost);
	sw_release(&guest);
	EXPECT_EQ(NSETS, kept + lost);
	EXPECT_GE(KEPT_MAX * 3 / 4, kept) TH_LOG("%d paths kept for a guest", kept);
	EXPECT_LE(KEPT_MAX * 3 / 4 - 32, kept);
}

SW_TEST_MAIN()
