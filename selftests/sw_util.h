/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Process, namespace and module helpers for the semwatch kselftests
 * (included by sw_test.h): creator children with a chosen comm, readers in
 * another IPC namespace, saving/restoring the module state, reloading it.
 */
#ifndef SW_UTIL_H
#define SW_UTIL_H

/* Write one command in one write(); 0 or errno. */
static inline int sw_write(const char *buf, size_t len)
{
	int fd = open(SW_PROC, O_WRONLY), e = 0;

	if (fd < 0)
		return errno;
	if (write(fd, buf, len) != (ssize_t)len)
		e = errno ? errno : EIO;
	close(fd);
	return e;
}

static inline int sw_cmd(const char *cmd) { return sw_write(cmd, strlen(cmd)); }

static inline int sw_cmdf(const char *fmt, unsigned long v)
{
	char b[64];

	snprintf(b, sizeof(b), fmt, v);
	return sw_cmd(b);
}

/* Test keys: a test prefix, 8 bits of the pid (distinct per test), a counter. */
static inline uint32_t sw_key(uint32_t prefix, int n)
{
	return prefix << 16 | (getpid() & 0xff) << 8 | (n & 0xff);
}

/* Create a set exclusively, removing a stale one left by an earlier crash. */
static inline int sw_mkset(uint32_t key, int nsems)
{
	int id = semget(key, nsems, IPC_CREAT | IPC_EXCL | 0600);

	if (id < 0 && errno == EEXIST && key != IPC_PRIVATE) {
		semctl(semget(key, 0, 0), 0, IPC_RMID);
		id = semget(key, nsems, IPC_CREAT | IPC_EXCL | 0600);
	}
	return id < 0 ? -errno : id;
}

static inline long long sw_ns_ino(pid_t pid)
{
	char p[64];
	struct stat st;

	snprintf(p, sizeof(p), "/proc/%d/ns/ipc", pid ? pid : getpid());
	return stat(p, &st) ? 0 : st.st_ino;
}

/* The "0::" line of /proc/PID/cgroup (cgroup v2 path). */
static inline int sw_cgroup(pid_t pid, char *out, size_t len)
{
	char p[64], *buf, *l;

	snprintf(p, sizeof(p), "/proc/%d/cgroup", pid);
	buf = sw_slurp(p);
	if (!buf)
		return -1;
	l = strstr(buf, "0::");
	if (l && (l == buf || l[-1] == '\n')) {
		snprintf(out, len, "%.*s", (int)strcspn(l + 3, "\n"), l + 3);
		free(buf);
		return 0;
	}
	free(buf);
	return -1;
}

/* cgroup v2, mounted where the suite's guest mounts it. */
#define SW_CG "/sys/fs/cgroup"

static inline int sw_cg_v2(void)
{
	return !access(SW_CG "/cgroup.procs", F_OK) && !access(SW_CG "/cgroup.controllers", F_OK);
}

/* Write str to dir/file in one write(); 0 or errno. */
static inline int sw_cg_write(const char *dir, const char *file, const char *str)
{
	char p[512];
	int fd, e = 0;

	snprintf(p, sizeof(p), "%s/%s", dir, file);
	fd = open(p, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	if (write(fd, str, strlen(str)) != (ssize_t)strlen(str))
		e = errno ? errno : EIO;
	close(fd);
	return e;
}

/* Move the calling process into cgroup dir ("0" is the writer itself); 0 or errno. */
static inline int sw_cg_join(const char *dir)
{
	return sw_cg_write(dir, "cgroup.procs", "0");
}

/* A cgroup is removable shortly after its last process is reaped: retry for 5 s. */
static inline int sw_cg_rmdir(const char *dir)
{
	for (int i = 0; i < 250; i++) {
		if (!rmdir(dir) || errno == ENOENT)
			return 0;
		if (errno != EBUSY)
			return errno;
		usleep(20000);
	}
	return EBUSY;
}

/*
 * A child with a chosen comm: runs fn (which may create sets and reports up
 * to max ints), then blocks on a pipe until released, so the test decides
 * when the creator dies.
 */
typedef int (*sw_fn)(void *arg, int *out, int max);
struct sw_child { pid_t pid; int hold; };

static inline int sw_spawn(struct sw_child *c, const char *comm, sw_fn fn,
			   void *arg, int *out, int max)
{
	int res[2], hold[2], n = -EPROTO;

	if (pipe(res) || pipe(hold))
		return -errno;
	c->pid = fork();
	if (c->pid == 0) {
		int buf[65], k;
		char ch;

		close(res[0]);
		close(hold[1]);
		prctl(PR_SET_NAME, comm);
		k = fn(arg, buf + 1, max < 64 ? max : 64);
		buf[0] = k;
		if (write(res[1], buf, sizeof(int) * (1 + (k > 0 ? k : 0))) < 0)
			_exit(2);
		while (read(hold[0], &ch, 1) > 0)
			;
		_exit(0);
	}
	close(res[1]);
	close(hold[0]);
	c->hold = hold[1];
	if (c->pid > 0 && read(res[0], &n, sizeof(n)) == sizeof(n) && n > 0 &&
	    read(res[0], out, n * sizeof(int)) != (ssize_t)(n * sizeof(int)))
		n = -EPROTO;
	close(res[0]);
	return n;
}

/* Let the child exit and reap it; returns its wait status. */
static inline int sw_release(struct sw_child *c)
{
	int st = -1;

	if (c->pid <= 0)
		return -1;
	close(c->hold);
	waitpid(c->pid, &st, 0);
	c->pid = 0;
	return st;
}

/*
 * Read a file from inside another process's IPC namespace (a reader "in
 * the container"): a forked helper setns()es and sends the bytes back.
 * Returns a malloc'd buffer, or NULL with errno = the helper's error.
 */
static inline char *sw_read_in_ns(pid_t nspid, const char *path)
{
	int p[2], err = 0;
	char nsp[64], *buf;
	pid_t pid;

	if (pipe(p))
		return NULL;
	pid = fork();
	if (pid == 0) {
		int fd, e = 0;

		snprintf(nsp, sizeof(nsp), "/proc/%d/ns/ipc", nspid);
		fd = open(nsp, O_RDONLY);
		if (fd < 0 || setns(fd, CLONE_NEWIPC))
			e = errno;
		buf = e ? NULL : sw_slurp(path);
		if (!e && !buf)
			e = errno;
		if (write(p[1], &e, sizeof(e)) < 0 ||
		    (buf && write(p[1], buf, strlen(buf)) < 0))
			_exit(2);
		_exit(0);
	}
	close(p[1]);
	if (read(p[0], &err, sizeof(err)) != sizeof(err))
		err = EPROTO;
	buf = err ? NULL : sw_slurp_fd(p[0]);
	close(p[0]);
	waitpid(pid, NULL, 0);
	errno = err;
	return buf;
}

/* Settings a test may change, restored in teardown for the tests after it. */
struct sw_state { char watch[32], bits[16]; int nsfd; long taint; };

/* Kernel taint: a WARN sets W (512), an Oops sets D (128). */
static inline long sw_taint(void)
{
	long t = -1;
	FILE *f = fopen("/proc/sys/kernel/tainted", "r");

	if (f) {
		if (fscanf(f, "%ld", &t) != 1)
			t = -1;
		fclose(f);
	}
	return t & (512 | 128);
}

static inline int sw_save(struct sw_state *st)
{
	struct sw_snap s;

	memset(st, 0, sizeof(*st));
	/* Tests may unshare; only the initial namespace may write settings. */
	st->nsfd = open("/proc/self/ns/ipc", O_RDONLY | O_CLOEXEC);
	st->taint = sw_taint();
	if (sw_snap(&s))
		return -1;
	snprintf(st->watch, sizeof(st->watch), "%s", sw_hdr(&s, "watch_prefix"));
	snprintf(st->bits, sizeof(st->bits), "%s", sw_hdr(&s, "prefix_bits"));
	sw_free(&s);
	return strcmp(st->watch, SW_MISSING) && strcmp(st->bits, SW_MISSING) ? 0 : -1;
}

static inline int sw_restore(struct sw_state *st)
{
	char b[64];
	int e;

	if (!st->watch[0] || access(SW_PROC, F_OK))
		return 0;
	if (st->nsfd > 0 && setns(st->nsfd, CLONE_NEWIPC))
		return errno;
	/* Prefix 0 fits any width, so the width can change first. */
	sw_cmd("watch_prefix 0");
	snprintf(b, sizeof(b), "prefix_bits %s", st->bits);
	e = sw_cmd(b);
	snprintf(b, sizeof(b), "watch_prefix %s", st->watch);
	return e ? e : sw_cmd(b);
}

/* Everything a test must undo even when an ASSERT bails out. */
#define SW_MAXIDS 128
struct sw_ctx {
	int ids[SW_MAXIDS], nids;
	struct sw_child kids[8];
	int nkids;
	struct sw_state st;
	int reloaded;		/* module parameters changed: reload at the end */
};

static inline int sw_track(struct sw_ctx *c, int id)
{
	if (id >= 0 && c->nids < SW_MAXIDS)
		c->ids[c->nids++] = id;
	return id;
}

static inline int sw_reload(const char *extra);

/* Undo everything; 0, or the errno of a failed restore. */
static inline int sw_cleanup(struct sw_ctx *c)
{
	int e;

	for (int i = 0; i < c->nkids; i++) {
		if (c->kids[i].pid > 0)
			kill(c->kids[i].pid, SIGKILL);
		sw_release(&c->kids[i]);
	}
	for (int i = 0; i < c->nids; i++)
		semctl(c->ids[i], 0, IPC_RMID);
	e = c->reloaded ? sw_reload("") : sw_restore(&c->st);
	/* Every test doubles as a check that the kernel neither warned nor oopsed. */
	if (!e && c->st.watch[0] && sw_taint() != c->st.taint) {
		fprintf(stderr, "# kernel tainted W/D during this test (see dmesg)\n");
		e = ENOTRECOVERABLE;
	}
	return e;
}

/* Module reloads use the syscalls, so no insmod binary is needed. */
static inline int sw_can_reload(void)
{
	const char *ko = getenv("SEMWATCH_KO");

	return ko && getenv("SEMWATCH_HOOK") && !access(ko, R_OK);
}

static inline int sw_unload(void)
{
	for (int i = 0; i < 100; i++) {
		if (!syscall(__NR_delete_module, "semwatch", O_NONBLOCK) ||
		    errno == ENOENT)
			return 0;
		if (errno != EAGAIN && errno != EBUSY)
			return errno;
		usleep(50000);
	}
	return EBUSY;
}

/* finit_module with these parameters; 0 or errno. */
static inline int sw_load(const char *params)
{
	int fd = open(getenv("SEMWATCH_KO"), O_RDONLY | O_CLOEXEC), e = 0;

	if (fd < 0)
		return errno;
	if (syscall(__NR_finit_module, fd, params, 0))
		e = errno;
	close(fd);
	return e;
}

/* Reload with the suite's hook plus extra parameters; 0 or errno. */
static inline int sw_reload(const char *extra)
{
	char p[256];
	int e = sw_unload();

	if (e)
		return e;
	snprintf(p, sizeof(p), "hook=%s %s", getenv("SEMWATCH_HOOK"), extra);
	return sw_load(p);
}

/*
 * Tests with tens of thousands of sets: SEMMNI (kernel.sem's 4th field, 32000
 * by default, at most 32768) must leave room for need sets. Saves the old
 * value in saved (for sw_sem_restore) when it changes it; 0 or errno.
 */
static inline int sw_sem_need(char *saved, size_t len, int need)
{
	char *cur = sw_slurp("/proc/sys/kernel/sem"), b[64];
	int msl, mns, opm, mni, e = 0;

	if (!cur || sscanf(cur, "%d %d %d %d", &msl, &mns, &opm, &mni) != 4) {
		free(cur);
		return EPROTO;
	}
	free(cur);
	if (mni >= need && mns >= need)
		return 0;
	snprintf(saved, len, "%d %d %d %d", msl, mns, opm, mni);
	snprintf(b, sizeof(b), "%d %d %d %d", msl, mns > need ? mns : need, opm,
		 need > 32768 ? 32768 : need > mni ? need : mni);
	e = sw_cg_write("/proc/sys/kernel", "sem", b);
	return e ? e : need > 32768 ? ENOSPC : 0;
}

static inline void sw_sem_restore(char *saved)
{
	if (saved[0])
		sw_cg_write("/proc/sys/kernel", "sem", saved);
	saved[0] = 0;
}

/* Remove every set of this IPC namespace whose 16-bit key prefix is listed; how many. */
static inline int sw_rm_prefixes(const uint32_t *prefix, int nprefix)
{
	int max = 65536, n, gone = 0;
	struct sw_ipc *ipc = malloc(max * sizeof(*ipc));

	n = ipc ? sw_sysvipc(ipc, max) : 0;
	for (int i = 0; i < n; i++)
		for (int j = 0; j < nprefix; j++)
			if (ipc[i].key >> 16 == prefix[j] && !semctl(ipc[i].semid, 0, IPC_RMID))
				gone++;
	free(ipc);
	return gone;
}

/* A number from a "name value" or "name: value kB" line of a /proc or cgroup file. */
static inline long long sw_file_num(const char *path, const char *name)
{
	char *buf = sw_slurp(path), *l;
	size_t len = strlen(name);
	long long v = -1;

	for (l = buf; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (!strncmp(l, name, len) && (l[len] == ' ' || l[len] == ':')) {
			v = strtoll(l + len + 1 + strspn(l + len + 1, " :"), NULL, 10);
			break;
		}
	free(buf);
	return v;
}

/* Header `tracked` and `dropped` of /proc/semwatch; 0, or -errno / -EBADMSG. */
static inline int sw_counts(long long *tracked, long long *dropped)
{
	char *buf = sw_slurp(SW_PROC);
	struct sw_snap s;
	int e = 0;

	if (!buf)
		return errno ? -errno : -EIO;
	if (sw_parse(&s, buf)) {
		e = -EBADMSG;
	} else {
		*tracked = sw_num(sw_hdr(&s, "tracked"));
		*dropped = sw_num(sw_hdr(&s, "dropped"));
		if (*tracked < 0 || *dropped < 0)
			e = -EBADMSG;
	}
	sw_free(&s);	/* frees buf, parsed or not */
	return e;
}

/*
 * Many sets, all tracked. The module takes a record for each new set from a
 * pool of 1024 that its deferred work refills (kmod/records.c SW_POOL_*): a
 * tight loop of thousands of creations outruns the refill, and the creations
 * it finds the pool empty for are counted in `dropped` and never tracked. So
 * sw_mksets_paced() creates SW_PACE_CHUNK sets at a time (a quarter of the
 * pool), then pauses and reads the header, and stops as soon as `dropped` grew.
 * 10 ms: with 2 ms, a guest on a host running five QEMUs (make check beside make
 * bench) once dropped 100 of 20,000: its refill, 256 allocations under TCG, did
 * not get enough of the host in time.
 */
#define SW_PACE_CHUNK 256
#define SW_PACE_PAUSE_US 10000
struct sw_paced {
	int made;			/* sets created (they exist: the caller removes them) */
	long long tracked0, dropped0;	/* header before the first creation */
	long long tracked, dropped;	/* header after the last chunk */
};

/*
 * Sets with keys prefix << 16 | i, i < n (n <= 65536), one semaphore each;
 * ids[i] (when ids) gets each id. 0; -errno of a failed semget() or header
 * read; -EOVERFLOW when `dropped` grew (p says where).
 */
static inline int sw_mksets_paced(uint32_t prefix, int n, int *ids, struct sw_paced *p)
{
	int e;

	memset(p, 0, sizeof(*p));
	e = sw_counts(&p->tracked0, &p->dropped0);
	if (e)
		return e;
	p->tracked = p->tracked0;
	p->dropped = p->dropped0;
	while (p->made < n) {
		int end = p->made + SW_PACE_CHUNK < n ? p->made + SW_PACE_CHUNK : n;

		for (; p->made < end; p->made++) {
			int id = sw_mkset(prefix << 16 | p->made, 1);

			if (id < 0)
				return id;
			if (ids)
				ids[p->made] = id;
		}
		usleep(SW_PACE_PAUSE_US);	/* the deferred work refills the pool */
		e = sw_counts(&p->tracked, &p->dropped);
		if (e)
			return e;
		if (p->dropped != p->dropped0)
			return -EOVERFLOW;
	}
	return 0;
}

#endif /* SW_UTIL_H */
