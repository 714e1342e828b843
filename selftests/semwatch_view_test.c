// SPDX-License-Identifier: GPL-2.0
/*
 * Issue 12 "Must show", items 1 and 2: every reader sees its own world.
 *
 * view.namespaces (item 1). A "container": a child that moved into cgroup
 * /sw-tenant-a and unshared its PID, IPC and cgroup namespaces; its PID 1
 * moves to /sw-tenant-a/inner and creates a 0x0d4d set. A sibling container
 * in /sw-tenant-b with a set of its own, and a set of the test's own in the
 * host. Then:
 *  - the host (this process) sees the creator's host PID and the cgroup
 *    /sw-tenant-a/inner;
 *  - a reader in the container's IPC, PID and cgroup namespaces sees only
 *    that namespace, the creator as the PID getpid() gave it there (1) and
 *    the cgroup /inner;
 *  - a reader in the sibling's namespaces sees only the sibling's namespace
 *    and set: no row with the container's key or namespace;
 *  - a reader in the container's IPC namespace but the host's PID and cgroup
 *    namespaces sees the host PID and the full path;
 *  - a reader in the host's IPC namespace but fresh PID and cgroup namespaces
 *    (rooted at /sw-tenant-a) sees `-` for what lies outside them: the test's
 *    own set has pid `-` and cgroup `-`, the container's set pid `-` and
 *    cgroup /inner; its own set shows pid 1 (its getpid()) and cgroup /.
 * view.debugfs_initial_namespaces_only (item 2). debugfs `sets` and `events`
 * open for root in the initial namespaces and fail with EPERM from a child
 * IPC, PID, cgroup or user namespace (the last only where the kernel has user
 * namespaces). debugfs is mounted if it is not.
 */
#include "sw_test.h"
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/vfs.h>

#define TENANT_A SW_CG "/sw-tenant-a"
#define TENANT_A_IN TENANT_A "/inner"
#define TENANT_B SW_CG "/sw-tenant-b"
#define DEBUGFS "/sys/kernel/debug"
#define NS_ALL (CLONE_NEWIPC | CLONE_NEWPID | CLONE_NEWCGROUP)

/* A container: outer moved to a cgroup and unshared; init is its PID 1 (a host pid). */
struct box { pid_t outer, init; int nspid, semid; };
struct box_res { int err, nspid, semid; pid_t init; };

static void res_write(int fd, const void *r, size_t len)
{
	if (write(fd, r, len) != (ssize_t)len)
		_exit(2);
}

/* 0, or -errno of the step that failed. sub: where PID 1 moves before it creates. */
static int box_start(struct box *b, const char *dir, const char *sub, uint32_t key,
		     const char *comm)
{
	struct box_res r = { .err = EPROTO, .semid = -1 };
	int res[2];

	if (pipe(res))
		return -errno;
	b->outer = fork();
	if (b->outer == 0) {
		int in[2];
		pid_t init;

		close(res[0]);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		/* The cgroup namespace's root is the cgroup we are in at unshare(). */
		r.err = sw_cg_join(dir);
		if (!r.err && (unshare(NS_ALL) || pipe(in)))
			r.err = errno;
		if (r.err) {
			res_write(res[1], &r, sizeof(r));
			_exit(1);
		}
		init = fork();
		if (init == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			prctl(PR_SET_NAME, comm);
			r.err = sub ? sw_cg_join(sub) : 0;
			r.nspid = getpid();
			if (!r.err) {
				r.semid = semget(key, 1, IPC_CREAT | IPC_EXCL | 0600);
				r.err = r.semid < 0 ? errno : 0;
			}
			res_write(in[1], &r, sizeof(r));
			for (;;)
				pause();
		}
		if (init < 0 || read(in[0], &r, sizeof(r)) != sizeof(r))
			r.err = EPROTO;
		r.init = init;
		res_write(res[1], &r, sizeof(r));
		waitpid(init, NULL, 0);
		_exit(0);
	}
	close(res[1]);
	if (b->outer < 0 || read(res[0], &r, sizeof(r)) != sizeof(r))
		r.err = EPROTO;
	close(res[0]);
	b->init = r.init;
	b->nspid = r.nspid;
	b->semid = r.semid;
	return -r.err;
}

static void box_stop(struct box *b)
{
	if (b->init > 0)
		kill(b->init, SIGKILL);	/* PID 1: its namespace goes with it */
	if (b->outer > 0)
		waitpid(b->outer, NULL, 0);
	memset(b, 0, sizeof(*b));
}

/*
 * A reader: moves to cgroup cg, joins the namespaces (join) of nsof, unshares
 * unsh, then (new PID namespaces take children only) forks the process that
 * optionally creates a set of key mkkey and reads /proc/semwatch.
 */
struct rd { pid_t nsof; int join, unsh; const char *cg; uint32_t mkkey; };
struct rd_res { int err, nspid, semid; };

static char *read_as(const struct rd *rd, struct rd_res *out)
{
	static const struct { int flag; const char *name; } ns[] = {
		{ CLONE_NEWIPC, "ipc" }, { CLONE_NEWCGROUP, "cgroup" }, { CLONE_NEWPID, "pid" },
	};
	struct rd_res r = { .semid = -1 };
	char *buf = NULL;
	int p[2];
	pid_t pid;

	*out = (struct rd_res){ .err = EPROTO, .semid = -1 };
	if (pipe(p))
		return NULL;
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		r.err = rd->cg ? sw_cg_join(rd->cg) : 0;
		for (int i = 0; i < 3 && !r.err; i++) {
			char path[64];
			int fd;

			if (!(rd->join & ns[i].flag))
				continue;
			snprintf(path, sizeof(path), "/proc/%d/ns/%s", rd->nsof, ns[i].name);
			fd = open(path, O_RDONLY | O_CLOEXEC);
			if (fd < 0 || setns(fd, ns[i].flag))
				r.err = errno;
			if (fd >= 0)
				close(fd);
		}
		if (!r.err && rd->unsh && unshare(rd->unsh))
			r.err = errno;
		pid = r.err ? -1 : fork();
		if (pid == 0) {
			r.nspid = getpid();
			if (rd->mkkey) {
				r.semid = sw_mkset(rd->mkkey, 1);
				r.err = r.semid < 0 ? -r.semid : 0;
			}
			buf = r.err ? NULL : sw_slurp(SW_PROC);
			if (!r.err && !buf)
				r.err = errno;
			res_write(p[1], &r, sizeof(r));
			if (buf)
				res_write(p[1], buf, strlen(buf));
			_exit(0);
		}
		if (pid < 0)
			res_write(p[1], &r, sizeof(r));
		close(p[1]);
		waitpid(pid, NULL, 0);
		_exit(0);
	}
	close(p[1]);
	if (pid > 0 && read(p[0], &r, sizeof(r)) == sizeof(r))
		*out = r;
	if (!out->err)
		buf = sw_slurp_fd(p[0]);
	close(p[0]);
	waitpid(pid, NULL, 0);
	return buf;
}

/* Parse a reader's view; complete (end line, truncated: 0) or logged and -1. */
static int view_parse(struct __test_metadata *_metadata, struct sw_snap *s, char *buf,
		      const char *who)
{
	char *copy = strdup(buf), *cur = copy, *line;

	if (!sw_parse(s, buf) && !sw_incomplete(s)) {
		free(copy);
		return 0;
	}
	TH_LOG("%s: view unparsable, cut or truncated:", who);
	while (copy && (line = sw_nextline(&cur)))
		fprintf(stderr, "#   %s\n", line);
	free(copy);
	return -1;
}

FIXTURE(view) { struct sw_ctx c; struct box a, b; int made_cg, mounted; };

FIXTURE_SETUP(view)
{
	ASSERT_EQ(0, sw_save(&self->c.st));
	ASSERT_EQ(0, sw_cmd("watch_prefix 0x0d4d"));
}

FIXTURE_TEARDOWN(view)
{
	box_stop(&self->a);
	box_stop(&self->b);
	if (self->made_cg) {
		EXPECT_EQ(0, sw_cg_rmdir(TENANT_A_IN));
		EXPECT_EQ(0, sw_cg_rmdir(TENANT_A));
		EXPECT_EQ(0, sw_cg_rmdir(TENANT_B));
	}
	if (self->mounted)
		umount2(DEBUGFS, MNT_DETACH);
	EXPECT_EQ(0, sw_cleanup(&self->c));
}

TEST_F(view, namespaces)
{
	uint32_t kh = sw_key(0x0d4d, 0x60), ka = sw_key(0x0d4d, 0x61);
	uint32_t kb = sw_key(0x0d4d, 0x62), kf = sw_key(0x0d4d, 0x63);
	static const char *const dirs[] = { TENANT_A, TENANT_A_IN, TENANT_B };
	long long host = sw_ns_ino(0), nsa, nsb;
	struct rd_res rr;
	struct sw_snap s;
	struct sw_tab *w;
	char *buf;
	int r;

	if (!sw_cg_v2())
		SKIP(return, "no cgroup v2 hierarchy at " SW_CG);
	ASSERT_EQ(0, prctl(PR_SET_NAME, "sw-viewhost"));
	ASSERT_LE(0, sw_track(&self->c, sw_mkset(kh, 1)));
	self->made_cg = 1;
	for (int i = 0; i < 3; i++) {
		ASSERT_TRUE(!mkdir(dirs[i], 0755) || errno == EEXIST) TH_LOG("mkdir %s", dirs[i]);
	}
	ASSERT_EQ(0, box_start(&self->a, TENANT_A, TENANT_A_IN, ka, "sw-tenant-a"));
	ASSERT_EQ(0, box_start(&self->b, TENANT_B, NULL, kb, "sw-tenant-b"));
	EXPECT_EQ(1, self->a.nspid);
	EXPECT_EQ(1, self->b.nspid);
	nsa = sw_ns_ino(self->a.init);
	nsb = sw_ns_ino(self->b.init);
	ASSERT_NE(host, nsa);
	ASSERT_NE(host, nsb);
	ASSERT_NE(nsa, nsb);

	/* The host: host PIDs, full paths. */
	ASSERT_EQ(0, sw_snap(&s));
	w = sw_tab(&s, "watched");
	r = sw_find_set(w, ka, nsa);
	ASSERT_LE(0, r) sw_dump(SW_PROC);
	EXPECT_EQ(self->a.init, sw_ncell(w, r, "pid"));
	EXPECT_STREQ("sw-tenant-a", sw_cell(w, r, "comm"));
	EXPECT_STREQ("alive", sw_cell(w, r, "state"));
	EXPECT_STREQ("/sw-tenant-a/inner", sw_cell(w, r, "cgroup"));
	r = sw_find_set(w, kh, host);
	ASSERT_LE(0, r);
	EXPECT_EQ(getpid(), sw_ncell(w, r, "pid"));
	sw_free(&s);

	/* Inside the container: its namespace only, its PIDs, its cgroup root. */
	buf = read_as(&(struct rd){ .nsof = self->a.init, .join = NS_ALL, .cg = TENANT_A }, &rr);
	ASSERT_NE(NULL, buf) TH_LOG("reader in the container: %s", strerror(rr.err));
	ASSERT_EQ(0, view_parse(_metadata, &s, buf, "reader in the container"));
	EXPECT_EQ(1, sw_tab(&s, "namespaces")->nrows);
	EXPECT_EQ(nsa, sw_ncell(sw_tab(&s, "namespaces"), 0, "ns"));
	EXPECT_EQ(1, sw_num(sw_hdr(&s, "tracked")));
	EXPECT_STREQ("-", sw_hdr(&s, "dropped"));	/* a host-wide count */
	w = sw_tab(&s, "watched");
	EXPECT_EQ(1, w->nrows);
	r = sw_find_set(w, ka, nsa);
	ASSERT_LE(0, r);
	EXPECT_EQ(self->a.nspid, sw_ncell(w, r, "pid"));
	EXPECT_EQ(self->a.semid, sw_ncell(w, r, "semid"));
	EXPECT_STREQ("sw-tenant-a", sw_cell(w, r, "comm"));
	EXPECT_STREQ("alive", sw_cell(w, r, "state"));
	EXPECT_STREQ("/inner", sw_cell(w, r, "cgroup"));
	sw_free(&s);

	/* The sibling container: nothing of the first one, not even a count. */
	buf = read_as(&(struct rd){ .nsof = self->b.init, .join = NS_ALL, .cg = TENANT_B }, &rr);
	ASSERT_NE(NULL, buf) TH_LOG("reader in the sibling: %s", strerror(rr.err));
	ASSERT_EQ(0, view_parse(_metadata, &s, buf, "reader in the sibling"));
	EXPECT_EQ(1, sw_tab(&s, "namespaces")->nrows);
	EXPECT_EQ(nsb, sw_ncell(sw_tab(&s, "namespaces"), 0, "ns"));
	w = sw_tab(&s, "watched");
	EXPECT_EQ(1, w->nrows);
	EXPECT_EQ(-1, sw_find_set(w, ka, 0));
	EXPECT_EQ(-1, sw_find_set(w, kh, 0));
	EXPECT_EQ(-1, sw_find(w, "ns", nsa));
	r = sw_find_set(w, kb, nsb);
	ASSERT_LE(0, r);
	EXPECT_EQ(self->b.nspid, sw_ncell(w, r, "pid"));
	EXPECT_STREQ("/", sw_cell(w, r, "cgroup"));
	w = sw_tab(&s, "prefixes");
	EXPECT_EQ(1, sw_ncell(w, sw_find(w, "prefix", 0x0d4d), "sets"));
	sw_free(&s);

	/* The container's IPC namespace, the host's PID and cgroup namespaces. */
	buf = read_as(&(struct rd){ .nsof = self->a.init, .join = CLONE_NEWIPC }, &rr);
	ASSERT_NE(NULL, buf) TH_LOG("reader in the container's IPC namespace: %s",
				    strerror(rr.err));
	ASSERT_EQ(0, view_parse(_metadata, &s, buf, "reader in the container's IPC namespace"));
	w = sw_tab(&s, "watched");
	r = sw_find_set(w, ka, nsa);
	ASSERT_LE(0, r);
	EXPECT_EQ(self->a.init, sw_ncell(w, r, "pid"));
	EXPECT_STREQ("/sw-tenant-a/inner", sw_cell(w, r, "cgroup"));
	sw_free(&s);

	/* The host's IPC and PID namespaces, a fresh cgroup one: every namespace. */
	buf = read_as(&(struct rd){ .unsh = CLONE_NEWCGROUP, .cg = TENANT_A }, &rr);
	ASSERT_NE(NULL, buf) TH_LOG("reader in a fresh cgroup namespace: %s", strerror(rr.err));
	ASSERT_EQ(0, view_parse(_metadata, &s, buf, "reader in a fresh cgroup namespace"));
	w = sw_tab(&s, "watched");
	r = sw_find_set(w, ka, nsa);
	ASSERT_LE(0, r) TH_LOG("a reader in the host's PID namespace sees every namespace");
	EXPECT_EQ(self->a.init, sw_ncell(w, r, "pid"));
	EXPECT_STREQ("/inner", sw_cell(w, r, "cgroup"));
	r = sw_find_set(w, kh, host);
	ASSERT_LE(0, r);
	EXPECT_STREQ("-", sw_cell(w, r, "cgroup"));
	sw_free(&s);

	/*
	 * The host's IPC namespace, fresh PID and cgroup ones (a hostIPC pod): the host's
	 * sets, as ipcs shows them, and nothing of the other namespaces.
	 */
	buf = read_as(&(struct rd){ .unsh = CLONE_NEWPID | CLONE_NEWCGROUP, .cg = TENANT_A,
				    .mkkey = kf }, &rr);
	sw_track(&self->c, rr.semid);
	ASSERT_NE(NULL, buf) TH_LOG("reader in fresh PID and cgroup namespaces: %s",
				    strerror(rr.err));
	ASSERT_EQ(0, view_parse(_metadata, &s, buf, "reader in fresh PID and cgroup namespaces"));
	EXPECT_EQ(1, sw_tab(&s, "namespaces")->nrows);
	EXPECT_EQ(host, sw_ncell(sw_tab(&s, "namespaces"), 0, "ns"));
	EXPECT_STREQ("-", sw_hdr(&s, "dropped"));
	w = sw_tab(&s, "watched");
	EXPECT_EQ(-1, sw_find_set(w, ka, 0));
	EXPECT_EQ(-1, sw_find_set(w, kb, 0));
	EXPECT_EQ(-1, sw_find(w, "ns", nsa));
	r = sw_find_set(w, kh, host);
	ASSERT_LE(0, r) TH_LOG("the test's own set is missing");
	EXPECT_STREQ("-", sw_cell(w, r, "pid"));
	EXPECT_STREQ("-", sw_cell(w, r, "comm"));	/* not named either */
	EXPECT_STREQ("alive", sw_cell(w, r, "state"));
	EXPECT_STREQ("-", sw_cell(w, r, "cgroup"));
	r = sw_find_set(w, kf, host);
	ASSERT_LE(0, r);
	EXPECT_EQ(rr.nspid, sw_ncell(w, r, "pid"));
	EXPECT_EQ(1, rr.nspid);
	EXPECT_STREQ("/", sw_cell(w, r, "cgroup"));
	sw_free(&s);
}

/* Open path from a child that unshared flag (and, for PID, from its child). */
struct dbg_try { int unshare_err, open_err; };

static struct dbg_try dbg_try(int flag, const char *path)
{
	struct dbg_try t = { EPROTO, EPROTO };
	int p[2];
	pid_t pid;

	if (pipe(p))
		return t;
	pid = fork();
	if (pid == 0) {
		pid_t kid;

		t.unshare_err = unshare(flag) ? errno : 0;
		kid = t.unshare_err ? -1 : fork();
		if (kid == 0) {
			int fd = open(path, O_RDONLY);

			t.open_err = fd < 0 ? errno : 0;
			res_write(p[1], &t, sizeof(t));
			_exit(0);
		}
		if (kid < 0)
			res_write(p[1], &t, sizeof(t));
		waitpid(kid, NULL, 0);
		_exit(0);
	}
	close(p[1]);
	if (pid < 0 || read(p[0], &t, sizeof(t)) != sizeof(t))
		t = (struct dbg_try){ EPROTO, EPROTO };
	close(p[0]);
	waitpid(pid, NULL, 0);
	return t;
}

TEST_F(view, debugfs_initial_namespaces_only)
{
	static const struct { int flag; const char *name; } ns[] = {
		{ CLONE_NEWIPC, "IPC" }, { CLONE_NEWPID, "PID" },
		{ CLONE_NEWCGROUP, "cgroup" }, { CLONE_NEWUSER, "user" },
	};
	static const char *const files[] = { SW_DBG_SETS, SW_DBG_EVENTS };
	struct statfs fs;
	char buf[256];

	if (access(SW_DBG_SETS, F_OK)) {
		ASSERT_FALSE(!statfs(DEBUGFS, &fs) && fs.f_type == DEBUGFS_MAGIC)
			TH_LOG("debugfs is mounted at " DEBUGFS " but has no semwatch/sets");
		if (mount("none", DEBUGFS, "debugfs", 0, NULL))
			SKIP(return, "debugfs not mounted, and mounting it failed: %s",
			     strerror(errno));
		self->mounted = 1;
		ASSERT_EQ(0, access(SW_DBG_SETS, F_OK)) TH_LOG("debugfs mounted, no semwatch/sets");
	}
	for (int f = 0; f < 2; f++) {
		int fd = open(files[f], O_RDONLY);

		ASSERT_LE(0, fd) TH_LOG("%s from the initial namespaces: %s", files[f],
					strerror(errno));
		EXPECT_LT(0, read(fd, buf, sizeof(buf)));
		close(fd);
		for (int i = 0; i < 4; i++) {
			struct dbg_try t = dbg_try(ns[i].flag, files[f]);

			/*
			 * The check-debug kernels are built without user namespaces, and a
			 * chrooted task (the QEMU guest runs the suite in one) may not
			 * create one.
			 */
			if (ns[i].flag == CLONE_NEWUSER &&
			    (t.unshare_err == EINVAL || t.unshare_err == EPERM)) {
				TH_LOG("unshare(user): %s: that case not checked",
				       strerror(t.unshare_err));
				continue;
			}
			ASSERT_EQ(0, t.unshare_err) TH_LOG("unshare(%s): %s", ns[i].name,
							   strerror(t.unshare_err));
			/* In a user namespace the 0400 mode may refuse first (EACCES). */
			EXPECT_TRUE(t.open_err == EPERM ||
				    (ns[i].flag == CLONE_NEWUSER && t.open_err == EACCES))
				TH_LOG("%s from a child %s namespace: %s", files[f], ns[i].name,
				       t.open_err ? strerror(t.open_err) : "opened");
		}
	}
}

SW_TEST_MAIN()
