// SPDX-License-Identifier: GPL-2.0
/*
 * Issue 8, stress: churn, readers and module reloads at once, then an exact
 * comparison of the module's view with /proc/sysvipc/sem in every live IPC
 * namespace.
 *
 * For SEMWATCH_STRESS_SECS (default 45) seconds:
 *  - churners create and remove sets in a tight loop: some in the initial
 *    namespace, some in child namespaces that are created (unshare) and torn
 *    down over and over, and some in "anchor" namespaces that live to the end;
 *  - readers loop over /proc/semwatch and debugfs `sets` and `events` (one of
 *    them from its own IPC namespace, where /proc/semwatch must show only that
 *    namespace and debugfs must refuse it with EPERM: format 2, issue 12);
 *  - this process unloads and reloads the module, alternating hook=kprobe and
 *    hook=tracepoint.
 * Then the module is reloaded with hook=$SEMWATCH_HOOK, the churn runs a few
 * seconds more, everything stops, and:
 *  - the initial namespace's sets (key, semid) equal its debugfs `sets` rows;
 *  - each anchor dumps its /proc/sysvipc/sem and /proc/semwatch from inside
 *    its namespace; the host's debugfs `sets` rows of that namespace must
 *    match its sysvipc exactly, its /proc/semwatch must count the same sets,
 *    and its own open of debugfs `sets` must fail with EPERM;
 *  - no row names a namespace that is gone (torn down: no stale record);
 *  - every set created after the last reload has a creator (not `?`).
 * Keys are 0x53TTwccc: TT is the reload generation the churner saw when it
 * called semget (0xff after the final reload), w the churner, ccc a counter.
 */
#include "sw_test.h"

/*
 * The harness ends each test's child with _exit(), which drops buffered
 * stdout: keep ksft_print_msg() lines (the counts) by line-buffering.
 */
static void __attribute__((constructor)) linebuffered_stdout(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
}
#include <dirent.h>
#include <sys/mman.h>
#include <sys/utsname.h>

#define ST_INIT_CHURNERS	2
#define ST_NS_CHURNERS		2
#define ST_ANCHORS		2
#define ST_READERS		4
#define ST_WINDOW		48
#define ST_FINAL_TAG		0xff
#define ST_KEY(tag, w, c)	(0x53000000u | (tag) << 16 | (w) << 12 | ((c) & 0xfff))
#define ST_KEY_TAG(k)		(((k) >> 16) & 0xff)
#define ST_IS_OURS(k)		(((k) >> 24) == 0x53)
/* Three keys in four are made with IPC_EXCL; the key itself says which. */
#define ST_KEY_EXCL(k)		(((k) & 3) != 0)

struct st_counts {
	long creates, create_fail, eexist, removes, ns_cycles;
	long reads_ok, reads_gone, reads_cut, bad_format, foreign_rows, kaddr;
	long dbg_refused, dbg_not_refused;
};

struct st_shared {
	volatile int stop_churn, stop_read, tag;
	volatile int unloading;	/* readers leave debugfs alone: open files pin the module */
	struct st_counts c[16];
	char first_problem[256];
	volatile int problem_taken;
};

static struct st_shared *sh;

static void st_problem(const char *fmt, const char *a, long b)
{
	if (__atomic_exchange_n(&sh->problem_taken, 1, __ATOMIC_SEQ_CST))
		return;
	snprintf(sh->first_problem, sizeof(sh->first_problem), fmt, a, b);
}

static int st_secs(void)
{
	const char *e = getenv("SEMWATCH_STRESS_SECS");
	int s = e && *e ? atoi(e) : 45;

	return s < 5 ? 5 : s;
}

/* --- churn */

static uint64_t st_rng;

static unsigned int st_rand(void)
{
	st_rng ^= st_rng << 13;
	st_rng ^= st_rng >> 7;
	st_rng ^= st_rng << 17;
	return (unsigned int)st_rng;
}

/* Create/remove for as long as *stop is 0 or ops runs out (-1: unbounded). */
static void st_churn(int w, struct st_counts *c, long ops, int keep)
{
	int win[ST_WINDOW], n = 0;
	unsigned int ctr = st_rand();

	while (!sh->stop_churn && ops-- != 0) {
		unsigned int tag = __atomic_load_n(&sh->tag, __ATOMIC_ACQUIRE);
		uint32_t key = ST_KEY(tag, w, ctr++);
		int flags = 0600 | IPC_CREAT | (ST_KEY_EXCL(key) ? IPC_EXCL : 0);
		int id = semget(key, 1 + st_rand() % 4, flags);

		if (id >= 0) {
			c->creates++;
			if (n == ST_WINDOW || (n && st_rand() % 3 == 0)) {
				int i = st_rand() % n;

				if (!semctl(win[i], 0, IPC_RMID))
					c->removes++;
				win[i] = win[--n];
			}
			win[n++] = id;
		} else if (errno == EEXIST) {
			c->eexist++;
		} else {
			c->create_fail++;
		}
		if (st_rand() % 512 == 0) {
			while (n)
				if (!semctl(win[--n], 0, IPC_RMID))
					c->removes++;
		}
	}
	if (!keep)
		while (n)
			if (!semctl(win[--n], 0, IPC_RMID))
				c->removes++;
}

/*
 * Churners and readers run niced: this process must still get the CPU to
 * unload and reload the module while they spin (TCG has 2 slow CPUs).
 */
static void st_child_init(int w, const char *comm)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (nice(w >= 100 ? 5 : 10) < 0)
		perror("nice");
	prctl(PR_SET_NAME, comm);
	st_rng = 0x5e57a11ULL * (w + 1) ^ (uint64_t)getpid() << 20;
}

/* Churner in the initial namespace; leaves its last window in place. */
static void st_init_churner(int w)
{
	st_child_init(w, "swst-churn");
	st_churn(w, &sh->c[w], -1, 1);
	_exit(0);
}

/* Churner whose namespaces come and go: each short-lived child unshares. */
static void st_ns_churner(int w)
{
	st_child_init(w, "swst-nsloop");
	while (!sh->stop_churn) {
		pid_t pid = fork();

		if (pid == 0) {
			prctl(PR_SET_NAME, "swst-nschurn");
			if (unshare(CLONE_NEWIPC))
				_exit(1);
			st_churn(w, &sh->c[w], 100 + st_rand() % 400, 1);
			_exit(0);	/* the namespace dies with its sets */
		}
		if (pid < 0 || waitpid(pid, NULL, 0) < 0)
			break;
		sh->c[w].ns_cycles++;
	}
	_exit(0);
}

/* --- readers */

static int st_has_kaddr(const char *buf)
{
	for (const char *p = buf; (p = strstr(p, "ffff")); p++) {
		int n = 0;

		while (n < 17 && ((p[n] >= '0' && p[n] <= '9') || (p[n] >= 'a' && p[n] <= 'f')))
			n++;
		if (n == 16 && (p == buf || !((p[-1] >= '0' && p[-1] <= '9') ||
					      (p[-1] >= 'a' && p[-1] <= 'f'))))
			return 1;
	}
	return 0;
}

/* Read a whole file; 0 ok, 1 module gone (ENOENT at open), 2 cut short. */
static int st_read(const char *path, char **out)
{
	int fd = open(path, O_RDONLY), e;

	*out = NULL;
	if (fd < 0)
		return errno == ENOENT ? 1 : 2;
	*out = sw_slurp_fd(fd);
	e = errno;
	close(fd);
	return *out ? 0 : e == ENOENT ? 1 : 2;
}

static void st_reader(int r)
{
	static const char *const files[] = { SW_PROC, SW_DBG_SETS, SW_DBG_EVENTS };
	struct st_counts *c = &sh->c[ST_INIT_CHURNERS + ST_NS_CHURNERS + ST_ANCHORS + r];
	long long myns = 0;
	int i = r;

	st_child_init(100 + r, "swst-reader");
	/* The last reader lives in a namespace of its own, with no sets. */
	if (r == ST_READERS - 1) {
		if (unshare(CLONE_NEWIPC))
			_exit(1);
		myns = sw_ns_ino(0);
	}
	while (!sh->stop_read) {
		const char *path = files[i++ % 3];
		struct sw_snap s;
		char *buf;
		int rc;

		if (sh->unloading && path != files[0])
			path = files[0];
		/* debugfs shows every namespace: a reader outside the initial ones gets EPERM. */
		if (myns && path != files[0]) {
			int fd = open(path, O_RDONLY);

			if (fd >= 0) {
				c->dbg_not_refused++;
				st_problem("%s opened from a child IPC namespace (%ld)", path, 0);
				close(fd);
			} else if (errno == EPERM) {
				c->dbg_refused++;
			} else if (errno != ENOENT && errno != ENXIO && errno != EIO) {
				/* Those three: an unload under way (seen: ENXIO, debug 6.12-rt). */
				c->dbg_not_refused++;
				st_problem("%s from a child IPC namespace: errno %ld, not EPERM",
					   path, errno);
			}
			usleep(500 + st_rand() % 3000);
			continue;
		}
		rc = st_read(path, &buf);
		if (rc) {
			usleep(500 + st_rand() % 3000);
			/* Unloads race with open and read: ENOENT, ENXIO, EIO. */
			if (rc == 1)
				c->reads_gone++;
			else
				c->reads_cut++;
			continue;
		}
		c->reads_ok++;
		if (st_has_kaddr(buf)) {
			c->kaddr++;
			st_problem("kernel address in %s (%ld)", path, 0);
		}
		if (path == files[2]) {
			free(buf);
			continue;
		}
		if (path == files[0] ? sw_parse(&s, buf) || sw_incomplete(&s) :
		    sw_parse_plain(&s, buf, "pid")) {
			c->bad_format++;
			st_problem("%s: unparsable output (%ld)", path, 0);
			sw_free(&s);
			continue;
		}
		if (myns) {
			struct sw_tab *t = path == files[0] ? sw_tab(&s, "namespaces") : &s.tab[0];

			for (int k = 0; k < t->nrows; k++)
				if (sw_ncell(t, k, "ns") != myns) {
					c->foreign_rows++;
					st_problem("%s: a reader in its own namespace sees ns %ld",
						   path, sw_ncell(t, k, "ns"));
				}
		}
		sw_free(&s);
		/* Pauses between reads let an unload find the module unused. */
		usleep(500 + st_rand() % 3000);
	}
	_exit(0);
}

/* --- anchors: long-lived namespaces, dumped from inside at the end */

struct st_anchor { pid_t pid; int cmd, done; long long ns; };

static int st_copy(const char *from, const char *dir, const char *name)
{
	char p[256], *buf = sw_slurp(from);
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "w");
	if (!f)
		return -1;
	if (buf)
		fputs(buf, f);
	free(buf);
	return fclose(f) || !buf ? -1 : 0;
}

static void st_anchor(int w, int cmd, int done, const char *dir)
{
	char ch, sub[200];
	int ok = 0;

	st_child_init(w, "swst-anchor");
	if (unshare(CLONE_NEWIPC))
		_exit(1);
	snprintf(sub, sizeof(sub), "%s/anchor%d", dir, w);
	mkdir(sub, 0700);
	if (write(done, "r", 1) != 1)
		_exit(1);
	/* 'c': churn until told to stop; 'd': dump; 'q': quit. */
	while (read(cmd, &ch, 1) == 1) {
		if (ch == 'c') {
			st_churn(w, &sh->c[w], -1, 1);
		} else if (ch == 'd') {
			int fd = open(SW_DBG_SETS, O_RDONLY), dbg = fd < 0 ? errno : 0;
			char p[256];
			FILE *f;

			if (fd >= 0)
				close(fd);
			ok = !st_copy("/proc/sysvipc/sem", sub, "sem") &&
			     !st_copy(SW_PROC, sub, "proc");
			snprintf(p, sizeof(p), "%s/ns", sub);
			f = fopen(p, "w");
			/* The namespace, then the errno of its open of debugfs `sets`. */
			if (!f || fprintf(f, "%lld %d\n", sw_ns_ino(0), dbg) < 0)
				ok = 0;
			if (f && fclose(f))
				ok = 0;
		} else if (ch == 'q') {
			break;
		}
		if (ch != 'c' && write(done, ok ? "y" : "n", 1) != 1)
			_exit(1);
	}
	_exit(0);
}

/* --- comparison */

struct st_set { uint32_t key; int semid; };

static int st_cmp(const void *a, const void *b)
{
	const struct st_set *x = a, *y = b;

	return x->semid != y->semid ? (x->semid < y->semid ? -1 : 1) :
	       x->key != y->key ? (x->key < y->key ? -1 : 1) : 0;
}

/* Parse /proc/sysvipc/sem text into (key, semid) pairs. */
static int st_sysvipc(char *buf, struct st_set **out)
{
	char *line, *cur = buf;
	int n = 0, cap = 1024;

	*out = malloc(cap * sizeof(**out));
	sw_nextline(&cur);	/* header */
	while ((line = sw_nextline(&cur))) {
		long long key;
		int semid;

		if (sscanf(line, "%lld %d", &key, &semid) != 2)
			continue;
		if (n == cap)
			*out = realloc(*out, (cap *= 2) * sizeof(**out));
		(*out)[n].key = (uint32_t)key;
		(*out)[n++].semid = semid;
	}
	qsort(*out, n, sizeof(**out), st_cmp);
	return n;
}

struct st_verdict { int missing, extra, dup, no_creator, guessed, final_sets; };

/*
 * With hook=tracepoint a semget() without IPC_EXCL may have opened the set, so the
 * module must not name a creator for it; every other set made after the last reload
 * must have one.
 */
static int st_final_tracepoint;

/*
 * Compare one namespace: kernel sets vs the `sets` rows with that ns.
 * Logs the first few differences.
 */
static void st_compare(struct __test_metadata *_metadata, const char *what,
		       struct st_set *k, int nk, struct sw_tab *t, long long ns,
		       struct st_verdict *v)
{
	struct st_set *m = malloc((t->nrows + 1) * sizeof(*m));
	int nm = 0, i = 0, j = 0;

	for (int r = 0; r < t->nrows; r++) {
		if (sw_ncell(t, r, "ns") != ns)
			continue;
		m[nm].key = (uint32_t)sw_ncell(t, r, "key");
		m[nm].semid = (int)sw_ncell(t, r, "semid");
		if (ST_IS_OURS(m[nm].key) && ST_KEY_TAG(m[nm].key) == ST_FINAL_TAG) {
			int provable = ST_KEY_EXCL(m[nm].key) || !st_final_tracepoint;
			int named = strcmp(sw_cell(t, r, "pid"), "?") &&
				    strcmp(sw_cell(t, r, "comm"), "?");

			v->final_sets++;
			if (provable && !named && v->no_creator++ < 5)
				TH_LOG("%s: set 0x%08x id %d made after the last reload has no creator",
				       what, m[nm].key, m[nm].semid);
			if (!provable && named && v->guessed++ < 5)
				TH_LOG("%s: set 0x%08x id %d made without IPC_EXCL names creator %s",
				       what, m[nm].key, m[nm].semid, sw_cell(t, r, "pid"));
		}
		nm++;
	}
	qsort(m, nm, sizeof(*m), st_cmp);
	for (int r = 1; r < nm; r++)
		if (!st_cmp(&m[r - 1], &m[r]) && v->dup++ < 5)
			TH_LOG("%s: set id %d listed twice", what, m[r].semid);
	while (i < nk || j < nm) {
		int c = i == nk ? 1 : j == nm ? -1 : st_cmp(&k[i], &m[j]);

		if (c < 0) {
			if (v->missing++ < 5)
				TH_LOG("%s: set 0x%08x id %d not tracked", what, k[i].key, k[i].semid);
			i++;
		} else if (c > 0) {
			if (v->extra++ < 5)
				TH_LOG("%s: stale record 0x%08x id %d", what, m[j].key, m[j].semid);
			j++;
		} else {
			i++, j++;
		}
	}
	ksft_print_msg("stress: %s (ns %lld): %d sets, %d rows\n", what, ns, nk, nm);
	free(m);
}

/* --- module reloads */

/* Readers holding a debugfs file open pin the module: retry for up to 20 s. */
static int st_unload(long *busy)
{
	for (int i = 0; i < 10000; i++) {
		if (!syscall(__NR_delete_module, "semwatch", O_NONBLOCK) || errno == ENOENT)
			return 0;
		if (errno != EAGAIN && errno != EBUSY)
			return errno;
		(*busy)++;
		usleep(2000);
	}
	return EBUSY;
}

static void st_stop_all(pid_t *pids, int n)
{
	for (int i = 0; i < n; i++)
		if (pids[i] > 0)
			kill(pids[i], SIGKILL);
	for (int i = 0; i < n; i++)
		if (pids[i] > 0)
			waitpid(pids[i], NULL, 0);
}

/* Remove every set of ours in the caller's namespace. */
static void st_cleanup_sets(void)
{
	char *buf = sw_slurp("/proc/sysvipc/sem");
	struct st_set *s;
	int n;

	if (!buf)
		return;
	n = st_sysvipc(buf, &s);
	for (int i = 0; i < n; i++)
		if (ST_IS_OURS(s[i].key))
			semctl(s[i].semid, 0, IPC_RMID);
	free(s);
	free(buf);
}

FIXTURE(stress) {
	pid_t pids[32];
	int npids;
	char dir[64];
};
FIXTURE_SETUP(stress)
{
	if (!sw_can_reload())
		SKIP(return, "SEMWATCH_KO/SEMWATCH_HOOK not set");
	if (access(SW_DBG_SETS, R_OK))
		SKIP(return, "debugfs semwatch/sets missing");
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, sh);
	memset(sh, 0, sizeof(*sh));
	snprintf(self->dir, sizeof(self->dir), "/tmp/semwatch-stress.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	st_cleanup_sets();
}
FIXTURE_TEARDOWN(stress)
{
	char cmd[128];

	if (!sh)
		return;
	sh->stop_churn = sh->stop_read = 1;
	st_stop_all(self->pids, self->npids);
	st_cleanup_sets();
	if (access(SW_PROC, F_OK))
		EXPECT_EQ(0, sw_reload(""));
	snprintf(cmd, sizeof(cmd), "rm -rf %s", self->dir);
	if (system(cmd))
		TH_LOG("could not remove %s", self->dir);
}

TEST_F_TIMEOUT(stress, churn_readers_reloads, 170)
{
	int secs = st_secs(), nchurn = ST_INIT_CHURNERS + ST_NS_CHURNERS, err;
	struct st_anchor an[ST_ANCHORS];
	long reloads[2] = { 0, 0 }, busy = 0, load_fail = 0, ms_unload = 0, ms_load = 0;
	struct timespec a, b;
	static const char *const hooks[] = { "kprobe", "tracepoint" };
	const char *final_hook = getenv("SEMWATCH_HOOK");
	struct st_counts tot = {};
	struct timespec t0, t1;
	char params[64];
	int gen = 0;

	st_final_tracepoint = final_hook && !strcmp(final_hook, "tracepoint");
	if (!sh)
		return;		/* skipped in setup (6.1's harness still runs the body) */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* Workers: 0-1 initial-namespace churners, 2-3 namespace churners, 4-5 anchors, readers. */
	for (int w = 0; w < nchurn; w++) {
		pid_t p = fork();

		ASSERT_LE(0, p);
		if (!p) {
			if (w < ST_INIT_CHURNERS)
				st_init_churner(w);
			st_ns_churner(w);
		}
		self->pids[self->npids++] = p;
	}
	for (int a = 0; a < ST_ANCHORS; a++) {
		int cmd[2], done[2];
		char ch;

		ASSERT_EQ(0, pipe(cmd));
		ASSERT_EQ(0, pipe(done));
		an[a].pid = fork();
		ASSERT_LE(0, an[a].pid);
		if (!an[a].pid) {
			close(cmd[1]);
			close(done[0]);
			st_anchor(nchurn + a, cmd[0], done[1], self->dir);
		}
		close(cmd[0]);
		close(done[1]);
		an[a].cmd = cmd[1];
		an[a].done = done[0];
		self->pids[self->npids++] = an[a].pid;
		ASSERT_EQ(1, read(an[a].done, &ch, 1));
		an[a].ns = sw_ns_ino(an[a].pid);
		ASSERT_EQ(1, write(an[a].cmd, "c", 1));
	}
	for (int r = 0; r < ST_READERS; r++) {
		pid_t p = fork();

		ASSERT_LE(0, p);
		if (!p)
			st_reader(r);
		self->pids[self->npids++] = p;
	}

	/* Reload loop: alternate the hooks, random dwell times. */
	st_rng = 0x5eed;
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &t1);
		/* At least one reload with each hook, however slow the kernel. */
		if (t1.tv_sec - t0.tv_sec >= secs && reloads[0] && reloads[1])
			break;
		usleep(500000 + st_rand() % 2000000);	/* loaded for a while */
		sh->unloading = 1;
		clock_gettime(CLOCK_MONOTONIC, &a);
		err = st_unload(&busy);
		clock_gettime(CLOCK_MONOTONIC, &b);
		ms_unload += (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
		sh->unloading = 0;
		ASSERT_EQ(0, err) TH_LOG("delete_module: %s", strerror(err));
		__atomic_store_n(&sh->tag, (++gen % 0xfe) + 1, __ATOMIC_RELEASE);
		usleep(st_rand() % 100000);	/* churn with no module at all */
		snprintf(params, sizeof(params), "hook=%s", hooks[gen & 1]);
		clock_gettime(CLOCK_MONOTONIC, &a);
		err = sw_load(params);
		clock_gettime(CLOCK_MONOTONIC, &b);
		ms_load += (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
		if (err) {
			load_fail++;
			TH_LOG("finit_module %s: %s", params, strerror(err));
		}
		ASSERT_EQ(0, err);
		reloads[gen & 1]++;
	}

	/* The final load: from now on every new set must get a creator. */
	sh->unloading = 1;
	ASSERT_EQ(0, st_unload(&busy));
	sh->unloading = 0;
	snprintf(params, sizeof(params), "hook=%s", final_hook);
	ASSERT_EQ(0, sw_load(params));
	__atomic_store_n(&sh->tag, ST_FINAL_TAG, __ATOMIC_RELEASE);
	sleep(3);
	sh->stop_churn = 1;
	/* Churners exit; namespace churners' last namespaces are torn down. */
	for (int i = 0; i < nchurn; i++) {
		waitpid(self->pids[i], NULL, 0);
		self->pids[i] = 0;
	}
	sleep(1);
	sh->stop_read = 1;
	for (int i = nchurn + ST_ANCHORS; i < self->npids; i++) {
		int st;

		waitpid(self->pids[i], &st, 0);
		EXPECT_TRUE(WIFEXITED(st) && !WEXITSTATUS(st));
		self->pids[i] = 0;
	}

	for (int w = 0; w < 16; w++) {
		struct st_counts *c = &sh->c[w];

		tot.creates += c->creates;
		tot.create_fail += c->create_fail;
		tot.eexist += c->eexist;
		tot.removes += c->removes;
		tot.ns_cycles += c->ns_cycles;
		tot.reads_ok += c->reads_ok;
		tot.reads_gone += c->reads_gone;
		tot.reads_cut += c->reads_cut;
		tot.bad_format += c->bad_format;
		tot.foreign_rows += c->foreign_rows;
		tot.kaddr += c->kaddr;
		tot.dbg_refused += c->dbg_refused;
		tot.dbg_not_refused += c->dbg_not_refused;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	{
		struct utsname u;

		uname(&u);
		ksft_print_msg("stress: kernel %s, final hook %s, %ld s: creates %ld, removes %ld, eexist %ld, create errors %ld, namespaces created+torn down %ld\n",
			       u.release, final_hook, (long)(t1.tv_sec - t0.tv_sec), tot.creates,
			       tot.removes, tot.eexist, tot.create_fail, tot.ns_cycles);
	}
	ksft_print_msg("stress: reloads %ld (kprobe %ld, tracepoint %ld, unload busy retries %ld); reads ok %ld, module absent %ld, cut short %ld\n",
		       reloads[0] + reloads[1], reloads[0], reloads[1], busy, tot.reads_ok,
		       tot.reads_gone, tot.reads_cut);
	ksft_print_msg("stress: time in delete_module %ld ms, in finit_module %ld ms\n",
		       ms_unload, ms_load);
	ksft_print_msg("stress: debugfs opens from a child namespace: %ld refused (EPERM), %ld not\n",
		       tot.dbg_refused, tot.dbg_not_refused);
	if (sh->first_problem[0])
		TH_LOG("first problem seen by a worker: %s", sh->first_problem);
	EXPECT_EQ(0, tot.bad_format);
	EXPECT_EQ(0, tot.foreign_rows);
	EXPECT_EQ(0, tot.kaddr);
	EXPECT_EQ(0, tot.dbg_not_refused);
	EXPECT_LT(0, tot.dbg_refused);
	EXPECT_LT(0, tot.creates);
	EXPECT_LT(0, tot.ns_cycles);
	EXPECT_LT(0, reloads[0]);
	EXPECT_LT(0, reloads[1]);
	EXPECT_LT(0, tot.reads_ok);

	/* Anchors dump from inside their namespaces. */
	for (int a = 0; a < ST_ANCHORS; a++) {
		char ch = 0;

		ASSERT_EQ(1, write(an[a].cmd, "d", 1));
		ASSERT_EQ(1, read(an[a].done, &ch, 1));
		EXPECT_EQ('y', ch) TH_LOG("anchor %d could not dump its view", a);
	}

	/*
	 * Every namespace but the initial one and the anchors' is gone; its
	 * teardown runs from a workqueue, so give stale rows a while to go.
	 */
	{
		struct sw_snap s;
		long long init_ns = sw_ns_ino(0);
		struct sw_tab *t;
		struct st_set *k;
		struct st_verdict v = {};
		char *buf;
		int nk, foreign = 0, tries;

		for (tries = 0; tries < 100; tries++) {
			ASSERT_EQ(0, sw_snap_file(&s, SW_DBG_SETS));
			t = &s.tab[0];
			foreign = 0;
			for (int r = 0; r < t->nrows; r++) {
				long long ns = sw_ncell(t, r, "ns");
				int known = ns == init_ns;

				for (int a = 0; a < ST_ANCHORS; a++)
					known |= ns == an[a].ns;
				foreign += !known;
			}
			if (!foreign)
				break;
			sw_free(&s);
			usleep(200000);
		}
		EXPECT_EQ(0, foreign) {
			TH_LOG("%d rows name namespaces that are gone (after %d s)", foreign, tries / 5);
			sw_dump(SW_DBG_SETS);
		}
		ksft_print_msg("stress: dead namespaces' records gone after %d.%d s\n",
			       tries / 5, tries % 5 * 2);

		buf = sw_slurp("/proc/sysvipc/sem");
		ASSERT_NE(NULL, buf);
		nk = st_sysvipc(buf, &k);
		st_compare(_metadata, "initial namespace", k, nk, t, init_ns, &v);
		free(k);
		free(buf);
		sw_free(&s);

		for (int a = 0; a < ST_ANCHORS; a++) {
			char p[256], what[32], *nsb;
			struct sw_snap ps;
			struct sw_tab *nst;
			long long ns;
			int dbg = -1;

			snprintf(what, sizeof(what), "anchor %d", a);
			snprintf(p, sizeof(p), "%s/anchor%d/ns", self->dir, ST_INIT_CHURNERS + ST_NS_CHURNERS + a);
			nsb = sw_slurp(p);
			ASSERT_NE(NULL, nsb);
			ASSERT_EQ(2, sscanf(nsb, "%lld %d", &ns, &dbg));
			free(nsb);
			EXPECT_EQ(an[a].ns, ns);
			EXPECT_EQ(EPERM, dbg) TH_LOG("%s: its open of debugfs sets: %s", what, strerror(dbg));
			snprintf(p, sizeof(p), "%s/anchor%d/sem", self->dir, ST_INIT_CHURNERS + ST_NS_CHURNERS + a);
			buf = sw_slurp(p);
			ASSERT_NE(NULL, buf);
			nk = st_sysvipc(buf, &k);
			free(buf);
			/* The host's debugfs view of that namespace (st_compare filters by ns). */
			ASSERT_EQ(0, sw_snap_file(&s, SW_DBG_SETS));
			st_compare(_metadata, what, k, nk, &s.tab[0], ns, &v);
			/* Its /proc/semwatch: one namespace row, its own, with the same count. */
			snprintf(p, sizeof(p), "%s/anchor%d/proc", self->dir, ST_INIT_CHURNERS + ST_NS_CHURNERS + a);
			buf = sw_slurp(p);
			ASSERT_NE(NULL, buf);
			ASSERT_EQ(0, sw_parse(&ps, buf));
			EXPECT_EQ(0, sw_incomplete(&ps)) TH_LOG("%s: its /proc/semwatch is cut or truncated", what);
			nst = sw_tab(&ps, "namespaces");
			EXPECT_EQ(1, nst->nrows);
			EXPECT_EQ(ns, sw_ncell(nst, 0, "ns"));
			EXPECT_EQ(nk, sw_ncell(nst, 0, "sets"));
			free(k);
			sw_free(&ps);
			sw_free(&s);
		}
		ksft_print_msg("stress: after the churn: %d not tracked, %d stale, %d listed twice, %d of %d sets made after the last reload without a creator, %d with an unprovable one\n",
			       v.missing, v.extra, v.dup, v.no_creator, v.final_sets, v.guessed);
		EXPECT_EQ(0, v.missing);
		EXPECT_EQ(0, v.extra);
		EXPECT_EQ(0, v.dup);
		EXPECT_EQ(0, v.no_creator);
		EXPECT_EQ(0, v.guessed);
		EXPECT_LT(0, v.final_sets);
	}
	for (int a = 0; a < ST_ANCHORS; a++) {
		if (write(an[a].cmd, "q", 1) != 1)
			TH_LOG("anchor %d gone early", a);
		close(an[a].cmd);
		close(an[a].done);
	}
}

/*
 * --- failslab: with slab allocations failing for this task only, creation
 * tracking degrades to `dropped` and readers to ENOMEM, never worse. Needs
 * CONFIG_FAILSLAB + CONFIG_FAULT_INJECTION_DEBUG_FS (the check-debug kernel);
 * skipped elsewhere. The check-debug lane runs a kmemleak scan afterwards.
 */
#define FS_DIR "/sys/kernel/debug/failslab"
static const char *const fs_knobs[] = {
	"probability", "interval", "times", "space", "verbose", "task-filter",
	"ignore-gfp-wait", "cache-filter",
};
#define FS_NKNOBS (sizeof(fs_knobs) / sizeof(fs_knobs[0]))

/*
 * While this task's own allocations are being failed on purpose, the open()
 * of a knob can fail with ENOMEM too; that is the injection working, so try
 * again (at probability 20, 50 tries all failing has odds of 1e-35).
 */
static int fs_write(const char *path, const char *val)
{
	ssize_t len = (ssize_t)strlen(val);

	for (int try = 0; try < 50; try++) {
		int fd = open(path, O_WRONLY);
		ssize_t n;

		if (fd < 0 && errno == ENOMEM)
			continue;
		if (fd < 0)
			return -1;
		n = write(fd, val, len);
		close(fd);
		if (n == len)
			return 0;
		if (n >= 0 || errno != ENOMEM)
			return -1;
	}
	return -1;
}

static int fs_set(const char *knob, const char *val)
{
	char p[128];

	snprintf(p, sizeof(p), "%s/%s", FS_DIR, knob);
	return fs_write(p, val);
}

static int fs_self(const char *file, const char *val)
{
	char p[64];

	snprintf(p, sizeof(p), "/proc/thread-self/%s", file);
	return fs_write(p, val);
}

static long long fs_dropped(void)
{
	struct sw_snap s;
	long long d;

	if (sw_snap(&s))
		return -1;
	d = sw_num(sw_hdr(&s, "dropped"));
	sw_free(&s);
	return d;
}

FIXTURE(failslab) { char saved[FS_NKNOBS][32]; int saved_ok; int ids[2048]; int nids; };
FIXTURE_SETUP(failslab)
{
	if (access(FS_DIR, F_OK))
		SKIP(return, "no " FS_DIR " (kernel without CONFIG_FAILSLAB)");
	for (unsigned int i = 0; i < FS_NKNOBS; i++) {
		char p[128], *v;

		snprintf(p, sizeof(p), "%s/%s", FS_DIR, fs_knobs[i]);
		v = sw_slurp(p);
		ASSERT_NE(NULL, v);
		snprintf(self->saved[i], sizeof(self->saved[i]), "%.*s",
			 (int)strcspn(v, "\n"), v);
		free(v);
	}
	self->saved_ok = 1;
	st_cleanup_sets();
}
FIXTURE_TEARDOWN(failslab)
{
	fs_self("make-it-fail", "0");
	fs_self("fail-nth", "0");
	for (unsigned int i = 0; self->saved_ok && i < FS_NKNOBS; i++)
		fs_set(fs_knobs[i], self->saved[i]);
	for (int i = 0; i < self->nids; i++)
		semctl(self->ids[i], 0, IPC_RMID);
	if (access(SW_PROC, F_OK) && sw_can_reload())
		EXPECT_EQ(0, sw_reload(""));
}

/*
 * The hooks allocate nothing (records come from a pool the module's worker fills), so
 * allocations failing in the creating task may fail semget() itself but never lose a
 * set it made: each is tracked, with its creator, and nothing is dropped. Readers
 * allocate, and may only fail cleanly.
 */
TEST_F_TIMEOUT(failslab, creation_survives_failing_allocations, 170)
{
	long long d0, d1;
	long nth_tries = 0, created = 0, sem_fail = 0, reads = 0, read_ok = 0, read_nomem = 0;
	struct sw_snap s;
	int rows = 0, no_creator = 0;
	unsigned int ctr = 0;

	if (!self->saved_ok)
		return;		/* skipped in setup */
	d0 = fs_dropped();
	ASSERT_LE(0, d0);
	/* Only non-sleeping allocations (what a probe could make) may fail. */
	ASSERT_EQ(0, fs_set("verbose", "0"));
	ASSERT_EQ(0, fs_set("cache-filter", "N"));
	ASSERT_EQ(0, fs_set("ignore-gfp-wait", "Y"));
	ASSERT_EQ(0, fs_set("space", "0"));
	ASSERT_EQ(0, fs_set("interval", "1"));
	ASSERT_EQ(0, fs_set("times", "-1"));

	/* 1. fail-nth: the nth failable allocation of each semget() fails. */
	for (int nth = 1; nth <= 4; nth++) {
		for (int rep = 0; rep < 25 && self->nids < 2048; rep++) {
			char v[16];
			int id;

			snprintf(v, sizeof(v), "%d", nth);
			ASSERT_EQ(0, fs_self("fail-nth", v));
			id = semget(ST_KEY(0xfe, 0xf, ctr++), 1, IPC_CREAT | IPC_EXCL | 0600);
			fs_self("fail-nth", "0");
			nth_tries++;
			if (id >= 0)
				self->ids[self->nids++] = id, created++;
			else
				sem_fail++;
		}
	}
	/* 2. Probability 50 for this task only. */
	ASSERT_EQ(0, fs_set("task-filter", "Y"));
	ASSERT_EQ(0, fs_set("probability", "50"));
	ASSERT_EQ(0, fs_self("make-it-fail", "1"));
	for (int i = 0; i < 400 && self->nids < 2048; i++) {
		int id = semget(ST_KEY(0xfe, 0xf, ctr++), 1 + i % 3, IPC_CREAT | IPC_EXCL | 0600);

		if (id >= 0)
			self->ids[self->nids++] = id, created++;
		else
			sem_fail++;
	}
	/* 3. Every allocation of this task may fail, sleeping ones too: readers. */
	ASSERT_EQ(0, fs_set("probability", "20"));
	ASSERT_EQ(0, fs_set("ignore-gfp-wait", "N"));
	for (int i = 0; i < 200; i++) {
		const char *path = i % 2 ? SW_DBG_SETS : SW_PROC;
		char *buf = sw_slurp(path);

		reads++;
		if (buf) {
			read_ok++;
			free(buf);
		} else {
			read_nomem += errno == ENOMEM;
			EXPECT_EQ(ENOMEM, errno) TH_LOG("reading %s under failslab", path);
		}
	}
	ASSERT_EQ(0, fs_self("make-it-fail", "0"));
	ASSERT_EQ(0, fs_set("probability", "0"));
	ASSERT_EQ(0, fs_set("ignore-gfp-wait", "Y"));

	d1 = fs_dropped();
	ASSERT_LE(0, d1);
	ASSERT_EQ(0, sw_snap_file(&s, SW_DBG_SETS));
	for (int r = 0; r < s.tab[0].nrows; r++) {
		long long key = sw_ncell(&s.tab[0], r, "key");

		if (key < 0 || ST_KEY_TAG((uint32_t)key) != 0xfe || !ST_IS_OURS((uint32_t)key))
			continue;
		rows++;
		no_creator += !strcmp(sw_cell(&s.tab[0], r, "pid"), "?");
	}
	sw_free(&s);
	ksft_print_msg("failslab: %ld fail-nth semgets, %ld sets created, %ld semget failures; dropped %lld -> %lld; %d tracked; reads %ld: %ld ok, %ld ENOMEM\n",
		       nth_tries, created, sem_fail, d0, d1, rows, reads, read_ok, read_nomem);
	/* Each set made is tracked, with its creator; none is dropped. */
	EXPECT_EQ(d0, d1);
	EXPECT_EQ(created, rows);
	EXPECT_EQ(0, no_creator);
	EXPECT_LT(0, rows);
	/* And removal leaves nothing behind. */
	for (int i = 0; i < self->nids; i++)
		semctl(self->ids[i], 0, IPC_RMID);
	self->nids = 0;
	ASSERT_EQ(0, sw_snap_file(&s, SW_DBG_SETS));
	rows = 0;
	for (int r = 0; r < s.tab[0].nrows; r++)
		rows += ST_IS_OURS((uint32_t)sw_ncell(&s.tab[0], r, "key"));
	sw_free(&s);
	EXPECT_EQ(0, rows);
}

SW_TEST_MAIN()
