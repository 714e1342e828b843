// SPDX-License-Identifier: GPL-2.0
/*
 * Issue 4 "Must show": a child with a known comm creates 0x0d4d sets;
 * /proc/semwatch shows its pid, comm, `alive` while it lives and `dead`
 * after it exits, with the right ns, uid, nsems, semid, cgroup and age.
 */
#include "sw_test.h"
#include <pthread.h>

/* What a creator child makes: n sets (key, nsems), optionally as uid. */
struct mk { uint32_t key[4]; int nsems[4]; int n; uid_t uid; };

static int mk_sets(void *arg, int *out, int max)
{
	struct mk *m = arg;

	if (m->uid && setresuid(m->uid, m->uid, m->uid))
		return -errno;
	for (int i = 0; i < m->n && i < max; i++) {
		out[i] = sw_mkset(m->key[i], m->nsems[i]);
		if (out[i] < 0)
			return out[i];
	}
	return m->n;
}

/* Opens (never creates) an existing key three ways, as libdm's joiners do. */
static int open_only(void *arg, int *out, int max SW_UNUSED)
{
	uint32_t key = *(uint32_t *)arg;

	out[0] = semget(key, 0, 0);
	out[1] = semget(key, 1, IPC_CREAT | 0600);
	out[2] = semget(key, 1, IPC_CREAT | IPC_EXCL | 0600) < 0 ? errno : 0;
	return 3;
}

FIXTURE(creator) { struct sw_ctx c; };
FIXTURE_SETUP(creator) { ASSERT_EQ(0, sw_save(&self->c.st)); }
FIXTURE_TEARDOWN(creator) { EXPECT_EQ(0, sw_cleanup(&self->c)); }

/* Assert the watched row of key: creator pid/comm/state and the set's facts. */
static void check_row(struct __test_metadata *_metadata, uint32_t key,
		      int semid, int nsems, pid_t pid, const char *comm,
		      const char *state, uid_t uid)
{
	struct sw_snap s;
	struct sw_tab *w;
	int r;

	ASSERT_EQ(0, sw_snap(&s));
	w = sw_tab(&s, "watched");
	r = sw_find_set(w, key, sw_ns_ino(0));
	ASSERT_LE(0, r) {
		TH_LOG("no watched row for key 0x%08x", key);
		sw_dump(SW_PROC);
	}
	EXPECT_EQ(pid, sw_ncell(w, r, "pid"));
	EXPECT_STREQ(comm, sw_cell(w, r, "comm"));
	EXPECT_STREQ(state, sw_cell(w, r, "state"));
	EXPECT_EQ(semid, sw_ncell(w, r, "semid"));
	EXPECT_EQ(nsems, sw_ncell(w, r, "nsems"));
	EXPECT_EQ(uid, sw_ncell(w, r, "uid"));
	/* age_s is a count of seconds since a creation moments ago. */
	EXPECT_LE(0, sw_ncell(w, r, "age_s"));
	EXPECT_GE(30, sw_ncell(w, r, "age_s"));
	sw_free(&s);
}

TEST_F(creator, alive_then_dead)
{
	struct mk m = { .key = { sw_key(0x0d4d, 1), sw_key(0x0d4d, 2) },
			.nsems = { 3, 1 }, .n = 2 };
	struct sw_child *kid = &self->c.kids[self->c.nkids++];
	char want_cg[512];
	struct sw_snap s;
	struct sw_tab *w;
	int ids[2], r;
	pid_t pid;

	ASSERT_EQ(2, sw_spawn(kid, "sw-creator", mk_sets, &m, ids, 2));
	sw_track(&self->c, ids[0]);
	sw_track(&self->c, ids[1]);
	ASSERT_EQ(0, sw_cgroup(kid->pid, want_cg, sizeof(want_cg)));
	for (int i = 0; i < 2; i++)
		check_row(_metadata, m.key[i], ids[i], m.nsems[i], kid->pid,
			  "sw-creator", "alive", 0);

	/* ns and cgroup: the creator's, as /proc shows them. */
	ASSERT_EQ(0, sw_snap(&s));
	w = sw_tab(&s, "watched");
	r = sw_find_set(w, m.key[0], 0);
	ASSERT_LE(0, r);
	EXPECT_EQ(sw_ns_ino(0), sw_ncell(w, r, "ns"));
	EXPECT_STREQ(want_cg, sw_cell(w, r, "cgroup"));
	w = sw_tab(&s, "prefixes");
	EXPECT_STREQ("dm-udev-cookie", sw_cell(w, sw_find(w, "prefix", 0x0d4d), "label"));
	sw_free(&s);

	pid = kid->pid;
	ASSERT_EQ(0, sw_release(kid));	/* exited and reaped */
	for (int i = 0; i < 2; i++)
		check_row(_metadata, m.key[i], ids[i], m.nsems[i], pid,
			  "sw-creator", "dead", 0);
}

/* Child: create a fresh key with IPC_CREAT only, as an opener would call. */
static int creat_only(void *arg, int *out, int max SW_UNUSED)
{
	uint32_t key = *(uint32_t *)arg;

	semctl(semget(key, 0, 0), 0, IPC_RMID);
	out[0] = semget(key, 1, IPC_CREAT | 0600);
	return out[0] < 0 ? -errno : 1;
}

/*
 * A semget() with IPC_CREAT alone may have opened someone else's set. hook=kprobe sees
 * the creation itself and names the creator; hook=tracepoint cannot tell, so it must
 * not name anyone.
 */
TEST_F(creator, creat_without_excl)
{
	uint32_t key = sw_key(0x0d4d, 9);
	struct sw_child *kid = &self->c.kids[self->c.nkids++];
	struct sw_snap s;
	struct sw_tab *w;
	int id, r;

	ASSERT_EQ(1, sw_spawn(kid, "sw-creatonly", creat_only, &key, &id, 1));
	sw_track(&self->c, id);
	ASSERT_EQ(0, sw_snap(&s));
	w = sw_tab(&s, "watched");
	r = sw_find_set(w, key, sw_ns_ino(0));
	ASSERT_LE(0, r) sw_dump(SW_PROC);
	if (!strcmp(sw_hdr(&s, "hook"), "tracepoint")) {
		EXPECT_STREQ("?", sw_cell(w, r, "pid"));
		EXPECT_STREQ("unknown", sw_cell(w, r, "state"));
	} else {
		EXPECT_STREQ("kprobe", sw_hdr(&s, "hook"));
		EXPECT_EQ(kid->pid, sw_ncell(w, r, "pid"));
		EXPECT_STREQ("sw-creatonly", sw_cell(w, r, "comm"));
	}
	sw_free(&s);
}

TEST_F(creator, dead_counts_in_prefix_row)
{
	struct mk m = { .key = { sw_key(0x0d4d, 3) }, .nsems = { 1 }, .n = 1 };
	struct sw_child *kid = &self->c.kids[self->c.nkids++];
	long long alive0, dead0;
	struct sw_snap s;
	struct sw_tab *p;
	int id, r;

	ASSERT_EQ(0, sw_snap(&s));
	p = sw_tab(&s, "prefixes");
	r = sw_find(p, "prefix", 0x0d4d);
	alive0 = r < 0 ? 0 : sw_ncell(p, r, "alive");
	dead0 = r < 0 ? 0 : sw_ncell(p, r, "dead");
	sw_free(&s);

	ASSERT_EQ(1, sw_spawn(kid, "sw-counted", mk_sets, &m, &id, 1));
	sw_track(&self->c, id);
	ASSERT_EQ(0, sw_snap(&s));
	p = sw_tab(&s, "prefixes");
	r = sw_find(p, "prefix", 0x0d4d);
	ASSERT_LE(0, r);
	EXPECT_EQ(alive0 + 1, sw_ncell(p, r, "alive"));
	EXPECT_EQ(dead0, sw_ncell(p, r, "dead"));
	sw_free(&s);

	ASSERT_EQ(0, sw_release(kid));
	ASSERT_EQ(0, sw_snap(&s));
	p = sw_tab(&s, "prefixes");
	r = sw_find(p, "prefix", 0x0d4d);
	ASSERT_LE(0, r);
	EXPECT_EQ(alive0, sw_ncell(p, r, "alive"));
	EXPECT_EQ(dead0 + 1, sw_ncell(p, r, "dead"));
	sw_free(&s);
}

/*
 * Owner uid is the creator's euid; space, tab, backslash, newline in comm are
 * \ooo octal (format 2 escapes every byte outside 0x21..0x7e and the backslash;
 * semwatch_escape_test covers all of them).
 */
TEST_F(creator, uid_and_escaped_comm)
{
	struct mk m = { .key = { sw_key(0x0d4d, 4) }, .nsems = { 2 }, .n = 1,
			.uid = 4242 };
	struct sw_child *kid = &self->c.kids[self->c.nkids++];
	int id;

	ASSERT_EQ(1, sw_spawn(kid, "sw c\tr\\e\nat", mk_sets, &m, &id, 1));
	sw_track(&self->c, id);
	check_row(_metadata, m.key[0], id, 2, kid->pid, "sw\\040c\\011r\\134e\\012at",
		  "alive", 4242);
}

/* Opening an existing set (semget without creating) must not re-attribute it. */
TEST_F(creator, open_is_not_creation)
{
	struct mk m = { .key = { sw_key(0x0d4d, 5) }, .nsems = { 1 }, .n = 1 };
	struct sw_child *maker = &self->c.kids[self->c.nkids++];
	struct sw_child *opener = &self->c.kids[self->c.nkids++];
	int id, res[3];

	ASSERT_EQ(1, sw_spawn(maker, "sw-maker", mk_sets, &m, &id, 1));
	sw_track(&self->c, id);
	ASSERT_EQ(3, sw_spawn(opener, "sw-opener", open_only, &m.key[0], res, 3));
	ASSERT_EQ(id, res[0]);
	ASSERT_EQ(id, res[1]);
	ASSERT_EQ(EEXIST, res[2]);
	check_row(_metadata, m.key[0], id, 1, maker->pid, "sw-maker", "alive", 0);
}

/*
 * A recycled PID must not make a dead creator look alive: after the creator
 * dies, steer the next pid onto its number with ns_last_pid.
 */
TEST_F(creator, recycled_pid_stays_dead)
{
	struct mk m = { .key = { sw_key(0x0d4d, 6) }, .nsems = { 1 }, .n = 1 };
	struct sw_child *kid = &self->c.kids[self->c.nkids++];
	struct sw_child *again = &self->c.kids[self->c.nkids++];
	char buf[32];
	pid_t old;
	int id, fd, dummy;

	ASSERT_EQ(1, sw_spawn(kid, "sw-recycled", mk_sets, &m, &id, 1));
	sw_track(&self->c, id);
	old = kid->pid;
	ASSERT_EQ(0, sw_release(kid));
	for (int tries = 0; tries < 20 && again->pid != old; tries++) {
		if (again->pid > 0) {
			kill(again->pid, SIGKILL);
			sw_release(again);
		}
		fd = open("/proc/sys/kernel/ns_last_pid", O_WRONLY);
		if (fd < 0)
			SKIP(return, "no ns_last_pid: cannot force pid reuse");
		snprintf(buf, sizeof(buf), "%d", old - 1);
		ASSERT_LT(0, write(fd, buf, strlen(buf)));
		close(fd);
		ASSERT_EQ(0, sw_spawn(again, "sw-recycled", mk_sets,
				      &(struct mk){ .n = 0 }, &dummy, 1));
	}
	ASSERT_EQ(old, again->pid) TH_LOG("could not recycle pid %d", old);
	check_row(_metadata, m.key[0], id, 1, old, "sw-recycled", "dead", 0);
}

/* Child: move into cgroup dir (a cgroup v2 directory), then create. */
struct cg { const char *dir; struct mk m; };

static int cg_join(const char *dir)
{
	char p[256];
	int fd, n;

	snprintf(p, sizeof(p), "%s/cgroup.procs", dir);
	fd = open(p, O_WRONLY);
	n = snprintf(p, sizeof(p), "%d", getpid());
	if (fd < 0 || write(fd, p, n) != n)
		return -EIO;
	close(fd);
	return 0;
}

static int cg_sets(void *arg, int *out, int max)
{
	struct cg *c = arg;

	if (cg_join(c->dir))
		return -EIO;
	/* As Docker does (cgroupns=private): inside, the path reads "/". */
	if (unshare(CLONE_NEWCGROUP))
		return -errno;
	return mk_sets(&c->m, out, max);
}

/*
 * The cgroup v2 path is the creator's (Docker's container) as the reader sees
 * it: this reader is the host (initial cgroup namespace), so the full path,
 * though the creator made the set from a private cgroup namespace; white space
 * is escaped. Readers in other cgroup namespaces: semwatch_view_test.
 */
TEST_F(creator, cgroup_path)
{
	struct cg c = { .dir = "/sys/fs/cgroup/sw test",
			.m = { .key = { sw_key(0x0d4d, 7) }, .nsems = { 1 }, .n = 1 } };
	struct sw_child *kid = &self->c.kids[self->c.nkids++];
	struct sw_snap s;
	struct sw_tab *w;
	int id, r;

	if (access("/sys/fs/cgroup/cgroup.procs", F_OK))
		SKIP(return, "no cgroup v2 hierarchy at /sys/fs/cgroup");
	ASSERT_TRUE(!mkdir(c.dir, 0755) || errno == EEXIST);
	r = sw_spawn(kid, "sw-cgroup", cg_sets, &c, &id, 1);
	sw_release(kid);	/* leave the cgroup empty so it can go */
	rmdir(c.dir);
	ASSERT_EQ(1, r);
	sw_track(&self->c, id);
	ASSERT_EQ(0, sw_snap(&s));
	w = sw_tab(&s, "watched");
	r = sw_find_set(w, c.m.key[0], 0);
	ASSERT_LE(0, r);
	EXPECT_STREQ("/sw\\040test", sw_cell(w, r, "cgroup"));
	EXPECT_STREQ("dead", sw_cell(w, r, "state"));
	sw_free(&s);
}

/*
 * The path read right after the cgroup is gone: the deferred work may still be reading
 * it, and the reader must wait for it, as no one can read it any more. Each round is a
 * new cgroup, so that no path is cached yet.
 */
TEST_F(creator, cgroup_path_read_at_once)
{
	char dir[64];
	struct cg c = { .dir = dir,
			.m = { .key = { sw_key(0x0d4d, 9) }, .nsems = { 1 }, .n = 1 } };
	struct sw_child kid = { 0 };
	struct sw_snap s;
	struct sw_tab *w;
	int id, r;

	if (access("/sys/fs/cgroup/cgroup.procs", F_OK))
		SKIP(return, "no cgroup v2 hierarchy at /sys/fs/cgroup");
	for (int i = 0; i < 32; i++) {
		snprintf(dir, sizeof(dir), "/sys/fs/cgroup/sw-at-once-%d", i);
		ASSERT_TRUE(!mkdir(dir, 0755) || errno == EEXIST);
		r = sw_spawn(&kid, "sw-at-once", cg_sets, &c, &id, 1);
		sw_release(&kid);
		ASSERT_EQ(0, rmdir(dir)) TH_LOG("rmdir %s: %s", dir, strerror(errno));
		ASSERT_EQ(1, r);
		sw_track(&self->c, id);
		ASSERT_EQ(0, sw_snap(&s));
		w = sw_tab(&s, "watched");
		r = sw_find_set(w, c.m.key[0], 0);
		semctl(id, 0, IPC_RMID);
		EXPECT_LE(0, r);
		if (r >= 0)
			EXPECT_STREQ(dir + strlen("/sys/fs/cgroup"), sw_cell(w, r, "cgroup"))
				TH_LOG("round %d", i);
		sw_free(&s);
	}
}

static void *thread_create(void *arg)
{
	prctl(PR_SET_NAME, "sw-thread");
	*(int *)arg = sw_mkset(sw_key(0x0d4d, 8), 1);
	return NULL;
}

/* A set made by a non-leader thread is the process's: pid is the tgid. */
TEST_F(creator, thread_creator_is_tgid)
{
	char comm[17] = { 0 };
	struct sw_snap s;
	struct sw_tab *w;
	pthread_t t;
	int id = -1, r;

	prctl(PR_GET_NAME, (unsigned long)comm);
	ASSERT_EQ(0, pthread_create(&t, NULL, thread_create, &id));
	ASSERT_EQ(0, pthread_join(t, NULL));
	ASSERT_LE(0, sw_track(&self->c, id));
	ASSERT_EQ(0, sw_snap(&s));
	w = sw_tab(&s, "watched");
	r = sw_find_set(w, sw_key(0x0d4d, 8), 0);
	ASSERT_LE(0, r);
	EXPECT_EQ(getpid(), sw_ncell(w, r, "pid"));
	/* The process lives on though the creating thread has exited. */
	EXPECT_STREQ("alive", sw_cell(w, r, "state"));
	EXPECT_TRUE(!strcmp(sw_cell(w, r, "comm"), "sw-thread") ||
		    !strcmp(sw_cell(w, r, "comm"), comm));
	sw_free(&s);
}

/* watched is sorted oldest first (ages are whole seconds: wait past one). */
TEST_F(creator, watched_oldest_first)
{
	uint32_t k1 = sw_key(0x5e71, 9), k2 = sw_key(0x5e71, 10);
	struct sw_snap s;
	struct sw_tab *w;
	int r1, r2;

	ASSERT_LE(0, sw_track(&self->c, sw_mkset(k2, 1)));	/* k2 is older */
	usleep(2100000);
	ASSERT_LE(0, sw_track(&self->c, sw_mkset(k1, 1)));
	ASSERT_EQ(0, sw_cmd("watch_prefix 0x5e71"));
	ASSERT_EQ(0, sw_snap(&s));
	w = sw_tab(&s, "watched");
	r1 = sw_find_set(w, k1, 0);
	r2 = sw_find_set(w, k2, 0);
	ASSERT_LE(0, r1);
	ASSERT_LE(0, r2);
	EXPECT_LT(r2, r1);
	EXPECT_LE(2, sw_ncell(w, r2, "age_s") - sw_ncell(w, r1, "age_s"));
	for (int i = 1; i < w->nrows; i++)
		if (strcmp(sw_cell(w, i, "age_s"), "?") && strcmp(sw_cell(w, i - 1, "age_s"), "?"))
			EXPECT_GE(sw_ncell(w, i - 1, "age_s"), sw_ncell(w, i, "age_s"));
	sw_free(&s);
}

/* Child: in a new pid namespace, a grandchild creates the set and exits. */
static int pidns_sets(void *arg, int *out, int max SW_UNUSED)
{
	int p[2], res[2] = { -1, -1 };
	pid_t pid;

	if (unshare(CLONE_NEWPID) || pipe(p))
		return -errno;
	pid = fork();
	if (pid == 0) {
		res[0] = sw_mkset(*(uint32_t *)arg, 1);
		res[1] = getpid();	/* 1: the namespace's init */
		_exit(write(p[1], res, sizeof(res)) == sizeof(res) ? 0 : 1);
	}
	if (pid < 0 || read(p[0], res, sizeof(res)) != sizeof(res))
		return -EIO;
	waitpid(pid, NULL, 0);
	out[0] = res[0];
	out[1] = pid;		/* as the initial pid namespace numbers it */
	out[2] = res[1];
	return res[0] < 0 ? res[0] : 3;
}

/*
 * pid is the creator's tgid in the reader's pid namespace: this reader is the
 * host, so not the creator's own view (1). Other readers: semwatch_view_test.
 */
TEST_F(creator, pid_from_initial_pid_namespace)
{
	uint32_t key = sw_key(0x0d4d, 11);
	struct sw_child *kid = &self->c.kids[self->c.nkids++];
	int res[3];

	ASSERT_EQ(3, sw_spawn(kid, "sw-pidns", pidns_sets, &key, res, 3));
	sw_track(&self->c, res[0]);
	ASSERT_EQ(1, res[2]);
	ASSERT_NE(1, res[1]);
	check_row(_metadata, key, res[0], 1, res[1], "sw-pidns", "dead", 0);
}

/* Root may watch its own prefix at run time; rows of 0x0d4d then leave. */
TEST_F(creator, watch_own_prefix)
{
	uint32_t key = sw_key(0x5e71, 1);
	char comm[17] = { 0 };
	struct sw_snap s;
	struct sw_tab *w;
	int id;

	id = sw_track(&self->c, sw_mkset(key, 2));
	ASSERT_LE(0, id);
	ASSERT_EQ(0, sw_cmd("watch_prefix 0x5e71"));
	ASSERT_EQ(0, sw_snap(&s));
	EXPECT_STREQ("0x5e71", sw_hdr(&s, "watch_prefix"));
	w = sw_tab(&s, "watched");
	for (int i = 0; i < w->nrows; i++)
		EXPECT_EQ(0x5e71, sw_ncell(w, i, "key") >> 16);
	sw_free(&s);
	prctl(PR_GET_NAME, (unsigned long)comm);
	check_row(_metadata, key, id, 2, getpid(), comm, "alive", 0);
}

SW_TEST_MAIN()
