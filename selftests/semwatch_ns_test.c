// SPDX-License-Identifier: GPL-2.0
/*
 * Issue 4 "Must show": a set made after unshare(CLONE_NEWIPC) shows its own
 * namespace; a reader in that namespace sees only it; tearing the namespace
 * down (no syscall runs) drops its records. Issue 8: a container's root can
 * neither see the host's sets nor change the module's settings.
 */
#include "sw_test.h"
#include <pthread.h>

/* Child: new IPC namespace with its own limits, one 0x5e71 and one 0x0d4d set. */
static int ns_child(void *arg, int *out, int max SW_UNUSED)
{
	uint32_t *keys = arg;
	int fd;

	if (unshare(CLONE_NEWIPC))
		return -errno;
	fd = open("/proc/sys/kernel/sem", O_WRONLY);
	if (fd < 0 || write(fd, "250 32000 32 128", 16) != 16)
		return -EIO;
	close(fd);
	out[0] = sw_ns_ino(0);
	out[1] = sw_mkset(keys[0], 2);
	out[2] = sw_mkset(keys[1], 1);
	return out[1] < 0 || out[2] < 0 ? -EIO : 3;
}

FIXTURE(ns) { struct sw_ctx c; uint32_t keys[2]; struct sw_child *kid; int res[3]; };

FIXTURE_SETUP(ns)
{
	ASSERT_EQ(0, sw_save(&self->c.st));
	self->keys[0] = sw_key(0x5e71, 0x30);
	self->keys[1] = sw_key(0x0d4d, 0x30);
	self->kid = &self->c.kids[self->c.nkids++];
	/* The same key in the parent's namespace must stay apart. */
	ASSERT_LE(0, sw_track(&self->c, sw_mkset(self->keys[0], 1)));
	ASSERT_EQ(0, sw_cmd("watch_prefix 0x5e71"));
	ASSERT_EQ(3, sw_spawn(self->kid, "sw-nschild", ns_child, self->keys, self->res, 3));
	ASSERT_NE(sw_ns_ino(0), (unsigned int)self->res[0]);
}

FIXTURE_TEARDOWN(ns) { EXPECT_EQ(0, sw_cleanup(&self->c)); }

TEST_F(ns, own_namespace_in_host_view)
{
	long long cns = (unsigned int)self->res[0];
	struct sw_snap s;
	struct sw_tab *t;
	int r;

	ASSERT_EQ(0, sw_snap(&s));
	t = sw_tab(&s, "namespaces");
	ASSERT_LE(0, sw_find(t, "ns", sw_ns_ino(0)));
	r = sw_find(t, "ns", cns);
	ASSERT_LE(0, r) TH_LOG("child namespace %lld has no row", cns);
	EXPECT_EQ(250, sw_ncell(t, r, "semmsl"));
	EXPECT_EQ(32000, sw_ncell(t, r, "semmns"));
	EXPECT_EQ(32, sw_ncell(t, r, "semopm"));
	EXPECT_EQ(128, sw_ncell(t, r, "semmni"));
	EXPECT_EQ(2, sw_ncell(t, r, "sets"));
	EXPECT_EQ(3, sw_ncell(t, r, "sems"));

	t = sw_tab(&s, "watched");
	r = sw_find_set(t, self->keys[0], cns);
	ASSERT_LE(0, r);
	EXPECT_EQ(self->kid->pid, sw_ncell(t, r, "pid"));
	EXPECT_STREQ("sw-nschild", sw_cell(t, r, "comm"));
	EXPECT_EQ(self->res[1], sw_ncell(t, r, "semid"));
	EXPECT_EQ(2, sw_ncell(t, r, "nsems"));
	r = sw_find_set(t, self->keys[0], sw_ns_ino(0));
	ASSERT_LE(0, r);
	EXPECT_EQ(getpid(), sw_ncell(t, r, "pid"));
	EXPECT_EQ(1, sw_ncell(t, r, "nsems"));
	sw_free(&s);
}

/* A reader inside the child's namespace sees that namespace only. */
TEST_F(ns, reader_in_namespace_sees_only_it)
{
	long long cns = (unsigned int)self->res[0];
	char *buf = sw_read_in_ns(self->kid->pid, SW_PROC);
	struct sw_snap s;
	struct sw_tab *t;
	long long sets = 0;

	ASSERT_NE(NULL, buf) TH_LOG("read in namespace: %s", strerror(errno));
	ASSERT_EQ(0, sw_parse(&s, buf));
	ASSERT_EQ(0, sw_incomplete(&s));
	t = sw_tab(&s, "namespaces");
	ASSERT_EQ(1, t->nrows);
	EXPECT_EQ(cns, sw_ncell(t, 0, "ns"));
	t = sw_tab(&s, "watched");
	ASSERT_EQ(1, t->nrows);		/* not the parent's set of the same key */
	EXPECT_EQ(cns, sw_ncell(t, 0, "ns"));
	EXPECT_EQ(self->res[1], sw_ncell(t, 0, "semid"));
	t = sw_tab(&s, "prefixes");
	for (int i = 0; i < t->nrows; i++)
		sets += sw_ncell(t, i, "sets");
	EXPECT_EQ(2, sets);
	EXPECT_EQ(1, sw_ncell(t, sw_find(t, "prefix", 0x0d4d), "sets"));
	EXPECT_EQ(1, sw_ncell(t, sw_find(t, "prefix", 0x5e71), "sets"));
	sw_free(&s);
}

/* Root of a child IPC namespace may not change module-wide settings. */
TEST_F(ns, writer_in_namespace_refused)
{
	int p[2], err = 0;
	struct sw_snap s;
	pid_t pid;

	ASSERT_EQ(0, pipe(p));
	pid = fork();
	if (pid == 0) {
		char nsp[64];
		int fd;

		snprintf(nsp, sizeof(nsp), "/proc/%d/ns/ipc", self->kid->pid);
		fd = open(nsp, O_RDONLY);
		err = fd < 0 || setns(fd, CLONE_NEWIPC) ? -1 : sw_cmd("watch_prefix 0x1234");
		_exit(write(p[1], &err, sizeof(err)) == sizeof(err) ? 0 : 1);
	}
	ASSERT_EQ((ssize_t)sizeof(err), read(p[0], &err, sizeof(err)));
	waitpid(pid, NULL, 0);
	EXPECT_NE(-1, err);		/* setns worked */
	EXPECT_NE(0, err);		/* and the write failed */
	ASSERT_EQ(0, sw_snap(&s));
	EXPECT_STREQ("0x5e71", sw_hdr(&s, "watch_prefix"));
	sw_free(&s);
}

/* Child: join the namespace of pid arg[0] and open key arg[1] with IPC_CREAT. */
static int ns_opener(void *arg, int *out, int max SW_UNUSED)
{
	int *a = arg, fd;
	char p[64];

	snprintf(p, sizeof(p), "/proc/%d/ns/ipc", a[0]);
	fd = open(p, O_RDONLY);
	if (fd < 0 || setns(fd, CLONE_NEWIPC))
		return -errno;
	out[0] = semget((key_t)a[1], 1, IPC_CREAT | 0600);
	return out[0] < 0 ? -errno : 1;
}

/*
 * A container's set older than the module (here: older than a reload) is
 * opened by a libdm-style joiner (IPC_CREAT, no IPC_EXCL). Whether or not
 * the load found it, the joiner did not create it.
 */
TEST_F_TIMEOUT(ns, preexisting_in_namespace_not_misattributed, 90)
{
	long long cns = (unsigned int)self->res[0];
	struct sw_child *opener = &self->c.kids[self->c.nkids++];
	int arg[2] = { self->kid->pid, (int)self->keys[0] }, id, r;
	struct sw_snap s;
	struct sw_tab *w;

	if (!sw_can_reload())
		SKIP(return, "SEMWATCH_KO/SEMWATCH_HOOK unset: cannot reload");
	self->c.reloaded = 1;
	ASSERT_EQ(0, sw_reload("watch_prefix=0x5e71"));
	ASSERT_EQ(1, sw_spawn(opener, "sw-nsopener", ns_opener, arg, &id, 1));
	ASSERT_EQ(self->res[1], id);
	ASSERT_EQ(0, sw_snap(&s));
	w = sw_tab(&s, "watched");
	r = sw_find_set(w, self->keys[0], cns);
	if (r >= 0) {
		EXPECT_STREQ("unknown", sw_cell(w, r, "state")) sw_dump(SW_PROC);
		EXPECT_NE(opener->pid, sw_ncell(w, r, "pid"));
	}
	sw_free(&s);
}

/* Teardown runs from a workqueue without any syscall: poll for the records. */
TEST_F(ns, teardown_drops_records)
{
	long long cns = (unsigned int)self->res[0];
	struct sw_snap s, d;
	int left = 1, dbg = !access(SW_DBG_SETS, R_OK);

	ASSERT_EQ(0, sw_snap(&s));
	ASSERT_LE(0, sw_find(sw_tab(&s, "namespaces"), "ns", cns));
	sw_free(&s);
	ASSERT_EQ(0, sw_release(self->kid));
	for (int i = 0; i < 100 && left; i++) {
		usleep(100000);
		ASSERT_EQ(0, sw_snap(&s));
		left = sw_find(sw_tab(&s, "namespaces"), "ns", cns) >= 0 ||
		       sw_find(sw_tab(&s, "watched"), "ns", cns) >= 0;
		if (dbg) {
			ASSERT_EQ(0, sw_snap_file(&d, SW_DBG_SETS));
			left |= sw_find(sw_tab(&d, ""), "ns", cns) >= 0;
			sw_free(&d);
		}
		sw_free(&s);
	}
	EXPECT_EQ(0, left) TH_LOG("records of namespace %lld outlived it", cns);
	/* The parent's set of the same key is untouched. */
	ASSERT_EQ(0, sw_snap(&s));
	EXPECT_LE(0, sw_find_set(sw_tab(&s, "watched"), self->keys[0], sw_ns_ino(0)));
	sw_free(&s);
}

/* A thread that moves alone into a new IPC namespace, makes a set there, and stays. */
struct lone { uint32_t key; int pipe[2]; };

static void *lone_thread(void *arg)
{
	struct lone *l = arg;
	int out[2] = { -1, -1 };
	struct stat st;

	if (!unshare(CLONE_NEWIPC) && !stat("/proc/thread-self/ns/ipc", &st)) {
		out[0] = semget(l->key, 2, IPC_CREAT | IPC_EXCL | 0600);
		out[1] = (int)st.st_ino;
	}
	if (write(l->pipe[1], out, sizeof(out)) != sizeof(out))
		return NULL;
	pause();
	return NULL;
}

/*
 * unshare(CLONE_NEWIPC) needs no single-threaded process, so a namespace may hold
 * only a non-leader thread. The start-up scan must still find its sets: here they
 * were made before a reload.
 */
TEST_F_TIMEOUT(ns, scan_finds_namespace_of_a_lone_thread, 90)
{
	struct lone l = { .key = sw_key(0x5e71, 0x7a) };
	struct sw_snap s;
	pthread_t t;
	int got[2], r;
	pid_t pid;

	if (!sw_can_reload())
		SKIP(return, "SEMWATCH_KO/SEMWATCH_HOOK unset: cannot reload");
	ASSERT_EQ(0, pipe(l.pipe));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		if (pthread_create(&t, NULL, lone_thread, &l))
			_exit(1);
		pause();
		_exit(0);
	}
	ASSERT_EQ(sizeof(got), read(l.pipe[0], got, sizeof(got)));
	EXPECT_LE(0, got[0]);
	EXPECT_NE((int)sw_ns_ino(0), got[1]);
	self->c.reloaded = 1;
	EXPECT_EQ(0, sw_reload("watch_prefix=0x5e71"));
	ASSERT_EQ(0, sw_snap(&s));
	r = sw_find_set(sw_tab(&s, "watched"), l.key, (unsigned int)got[1]);
	EXPECT_LE(0, r) {
		TH_LOG("set 0x%08x of the lone thread's namespace %u not found", l.key,
		       (unsigned int)got[1]);
		sw_dump(SW_PROC);
	}
	if (r >= 0)
		EXPECT_EQ(2, sw_ncell(sw_tab(&s, "watched"), r, "nsems"));
	sw_free(&s);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

SW_TEST_MAIN()
