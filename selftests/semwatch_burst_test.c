// SPDX-License-Identifier: GPL-2.0
/*
 * Issue 12 "Must show", item 4: sets created during a read never make the
 * file silently incomplete.
 *
 * burst.creations_during_reads. 20000 "old" sets of the watched prefix
 * 0x5e73, made 256 at a time with a pause after each chunk (the module takes
 * a record for each new set from a pool of 1024 that its deferred work
 * refills; a tight loop of 20000 creations outruns it, and the creations it
 * finds the pool empty for are counted in `dropped` and never tracked: known
 * behaviour, not what this test is about). A quiet baseline read must show
 * every old set, with `dropped` as it was before the set-up. Then this
 * process reads /proc/semwatch over and over while two burster
 * children create sets (prefixes 0x5e74 and 0x5e76) during the reads' open()
 * (where the module takes its copy). For every read, parsed whole:
 *  - the file ends with its `end` line and has a numeric `truncated`;
 *  - truncated == 0 and every old set (key and semid) is in `watched`, or
 *    truncated > 0 (explicit; counted and printed);
 * and the overshoot of every read, the sum of the prefixes' `sets` minus the
 * header's `tracked` (sets that arrived while the copy was taken), is
 * recorded. The format 1 copy had room for tracked + 256 rows only, so a
 * complete read with an overshoot over 256 is one that scheme would have cut
 * short: at least one such read is required. If none comes, the burst was too
 * weak, and the test fails (it does not skip).
 *
 * The burst is timed, not hoped for: the bursters are SCHED_FIFO on this
 * process's CPU (this process is pinned there), woken by a byte before each
 * open() and then sleeping a delay, so that they preempt the reader at that
 * point of its open() and create up to 700 sets each before it runs again.
 * Each burster's delay is drawn from a window that starts as the length of a
 * quiet open() and narrows to where the copy is taken: if all of a burst's
 * sets are in the copy, it came too early; if none, too late; if some, it hit
 * the copy (1 draw in 4 still explores the whole open()). After each read the
 * bursters remove their sets (so at most 21400 exist at once, within SEMMNI),
 * and the next read starts. Burst sets may be dropped when a burst empties
 * the pool (the growth of `dropped` is printed); old sets may never be missing
 * from a read that says `truncated: 0`.
 */
#include "sw_test.h"
#include <poll.h>
#include <sys/mman.h>
#include <sys/resource.h>

/* The harness _exit()s each test's child: keep ksft_print_msg() lines. */
static void __attribute__((constructor)) linebuffered_stdout(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
}

#define OLD_PREFIX 0x5e73
#define BURST_PREFIX(b) (0x5e74 + 2 * (b))	/* 0x5e75 is semwatch_memory_test's */
#define OLD_SETS 20000
#define BURSTERS 2
#define BURST_CHUNK 700		/* per burster and read; < 4096 (key bits) */
#define OLD_SCHEME_SLACK 256
#define READ_SECS 75		/* at most; less when making the old sets was slow */
#define TEST_SECS 170
#define MAX_READS 400
#define WANT_PROOFS 3

struct burst_share {
	volatile int in_open;		/* the reader is inside open() */
	volatile int delay_us[BURSTERS];
	volatile int rt[BURSTERS];	/* 1: SCHED_FIFO, 0: fell back to nice -20 */
	volatile int made_now[BURSTERS];	/* during this read */
	volatile long made;
};

static struct burst_share *sh;

static int pin_to(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

/* Tokens: 'g' a read begins (sleep delay_us, then create while in_open), 'r' remove, ack. */
static void burster(int b, int cpu, int tok, int ack)
{
	struct sched_param sp = { .sched_priority = 1 };
	int ids[BURST_CHUNK], n = 0;
	char ch;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	prctl(PR_SET_NAME, "sw-burster");
	pin_to(cpu);
	sh->rt[b] = !sched_setscheduler(0, SCHED_FIFO, &sp);
	if (!sh->rt[b])
		setpriority(PRIO_PROCESS, 0, -20);
	while (read(tok, &ch, 1) == 1) {
		if (ch == 'g') {
			usleep(sh->delay_us[b]);
			for (int i = n; i < BURST_CHUNK && sh->in_open; i++) {
				int id = semget(BURST_PREFIX(b) << 16 | i, 1,
						IPC_CREAT | IPC_EXCL | 0600);

				if (id >= 0) {
					ids[n++] = id;
					sh->made_now[b]++;
					__atomic_add_fetch(&sh->made, 1, __ATOMIC_RELAXED);
				}
			}
		} else if (ch == 'r') {
			while (n)
				semctl(ids[--n], 0, IPC_RMID);
			if (write(ack, "k", 1) != 1)
				break;
		}
	}
	while (n)
		semctl(ids[--n], 0, IPC_RMID);
	_exit(0);
}

static long long us_since(const struct timespec *a)
{
	struct timespec b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return (b.tv_sec - a->tv_sec) * 1000000LL + (b.tv_nsec - a->tv_nsec) / 1000;
}

/* What one read showed. judge() owns buf: sw_free() frees it, parsed or not. */
struct verdict {
	int parsed, ended, old_seen;
	long long truncated, overshoot, burst_rows, dropped, rows[BURSTERS];
};

static void judge(char *buf, const int *old_ids, unsigned char *seen, struct verdict *v)
{
	struct sw_snap s;
	struct sw_tab *t;
	long long sum = 0;

	memset(v, 0, sizeof(*v));
	v->truncated = v->overshoot = -1;
	if (sw_parse(&s, buf)) {
		sw_free(&s);
		return;
	}
	v->parsed = 1;
	v->ended = s.ended;
	v->truncated = sw_num(sw_hdr(&s, "truncated"));
	v->dropped = sw_num(sw_hdr(&s, "dropped"));
	t = sw_tab(&s, "prefixes");
	for (int i = 0; i < t->nrows; i++) {
		sum += sw_ncell(t, i, "sets");
		for (int b = 0; b < BURSTERS; b++)
			if (sw_ncell(t, i, "prefix") == BURST_PREFIX(b)) {
				v->rows[b] = sw_ncell(t, i, "sets");
				v->burst_rows += v->rows[b];
			}
	}
	v->overshoot = sum - sw_num(sw_hdr(&s, "tracked"));
	memset(seen, 0, OLD_SETS);
	t = sw_tab(&s, "watched");
	for (int i = 0; i < t->nrows; i++) {
		long long key = sw_ncell(t, i, "key");
		int k = key & 0xffff;

		if (key >> 16 == OLD_PREFIX && k < OLD_SETS && !seen[k] &&
		    sw_ncell(t, i, "semid") == old_ids[k]) {
			seen[k] = 1;
			v->old_seen++;
		}
	}
	sw_free(&s);
}

/* n acks on fd, each within 10 s (a dead burster must not hang the test); how many came. */
static int wait_acks(int fd, int n)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int got = 0;
	char ch;

	while (got < n && poll(&p, 1, 10000) == 1 && read(fd, &ch, 1) == 1)
		got++;
	return got;
}

FIXTURE(burst) {
	struct sw_ctx c;
	char sem_saved[64];
	pid_t kids[BURSTERS];
	int tok[BURSTERS], ack;
	int *old_ids;
	unsigned char *seen;
};

static const uint32_t ours[] = { OLD_PREFIX, BURST_PREFIX(0), BURST_PREFIX(1) };

FIXTURE_SETUP(burst)
{
	ASSERT_EQ(0, sw_save(&self->c.st));
	sw_rm_prefixes(ours, 3);	/* left by a crashed run */
}

/* Stop and reap the bursters still running; safe on every path. */
static void stop_bursters(FIXTURE_DATA(burst) *self)
{
	for (int b = 0; b < BURSTERS; b++)
		if (self->kids[b] > 0) {
			kill(self->kids[b], SIGKILL);
			waitpid(self->kids[b], NULL, 0);
			self->kids[b] = 0;
		}
}

FIXTURE_TEARDOWN(burst)
{
	stop_bursters(self);
	free(self->old_ids);
	free(self->seen);
	ksft_print_msg("burst: removed %d sets\n", sw_rm_prefixes(ours, 3));
	sw_sem_restore(self->sem_saved);
	EXPECT_EQ(0, sw_cleanup(&self->c));
}

/* Sets in this IPC namespace now (/proc/sysvipc/sem); -1 if unreadable. */
static int sets_now(void)
{
	struct sw_ipc *ipc = malloc(65536 * sizeof(*ipc));
	int n = ipc ? sw_sysvipc(ipc, 65536) : -1;

	free(ipc);
	return n < 0 ? -1 : n;
}

TEST_F_TIMEOUT(burst, creations_during_reads, TEST_SECS)
{
	long long quiet = -1, max_over = -1, max_rows = 0, open_us, budget_us;
	long long dropped_base, dropped_last, max_drop = 0;
	long long lo[BURSTERS], hi[BURSTERS];
	int reads = 0, proofs = 0, truncated = 0, cut = 0, incomplete = 0, landed = 0;
	int cpu = sched_getcpu(), ackp[2], existing, e;
	struct timespec start, t0, t;
	struct sw_paced pc;
	struct verdict v = { 0 };
	char *buf;

	/* A dead burster makes write() fail (and the ASSERT say so), not kill this process. */
	signal(SIGPIPE, SIG_IGN);
	clock_gettime(CLOCK_MONOTONIC, &start);
	self->old_ids = malloc(OLD_SETS * sizeof(*self->old_ids));
	self->seen = malloc(OLD_SETS);
	ASSERT_TRUE(self->old_ids && self->seen);
	ASSERT_LE(0, cpu);
	ASSERT_EQ(0, pin_to(cpu));
	existing = sets_now();
	ASSERT_LE(0, existing);
	ASSERT_EQ(0, sw_sem_need(self->sem_saved, sizeof(self->sem_saved),
				 existing + OLD_SETS + BURSTERS * BURST_CHUNK + 1500))
		TH_LOG("no room for %d sets more than the %d there are (SEMMNI is at most 32768)",
		       OLD_SETS + BURSTERS * BURST_CHUNK, existing);

	/* Paced, so that the record pool keeps up: no old set may be dropped. */
	e = sw_mksets_paced(OLD_PREFIX, OLD_SETS, self->old_ids, &pc);
	ASSERT_EQ(0, e)
		TH_LOG("making the old sets: %s after %d of %d (tracked %lld -> %lld, dropped %lld -> %lld)",
		       e == -EOVERFLOW ? "the module dropped creations (record pool ran dry)" :
		       strerror(-e), pc.made, OLD_SETS, pc.tracked0, pc.tracked,
		       pc.dropped0, pc.dropped);
	ASSERT_EQ(0, sw_cmd("watch_prefix 0x5e73"));

	/* A quiet baseline read: every old set, nothing dropped during the set-up. */
	buf = sw_slurp(SW_PROC);
	ASSERT_NE(NULL, buf) TH_LOG("read %s: %s", SW_PROC, strerror(errno));
	judge(buf, self->old_ids, self->seen, &v);
	ASSERT_TRUE(v.parsed && v.ended && v.truncated == 0)
		TH_LOG("baseline read: %s", !v.parsed ? "unparsable" : !v.ended ?
		       "no end line: cut" : "truncated is not 0");
	ASSERT_EQ(pc.dropped0, v.dropped)
		TH_LOG("header dropped grew from %lld to %lld while the old sets were made: the set-up outran the record pool",
		       pc.dropped0, v.dropped);
	ASSERT_EQ(OLD_SETS, v.old_seen)
		TH_LOG("quiet baseline read shows %d of %d old sets (tracked %lld, dropped %lld)",
		       v.old_seen, OLD_SETS, pc.tracked, v.dropped);
	dropped_base = dropped_last = v.dropped;
	ksft_print_msg("burst: %d old sets made in %lld ms, all tracked (tracked %lld -> %lld, dropped %lld -> %lld)\n",
		       OLD_SETS, us_since(&start) / 1000, pc.tracked0, pc.tracked,
		       pc.dropped0, v.dropped);

	/* A quiet open(): the span the bursters' delays are drawn over. */
	for (int i = 0; i < 3; i++) {
		int fd;

		clock_gettime(CLOCK_MONOTONIC, &t);
		fd = open(SW_PROC, O_RDONLY);
		open_us = us_since(&t);
		ASSERT_LE(0, fd);
		close(fd);
		quiet = quiet < 0 || open_us < quiet ? open_us : quiet;
	}

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, sh);
	memset((void *)sh, 0, sizeof(*sh));
	ASSERT_EQ(0, pipe(ackp));
	self->ack = ackp[0];
	for (int b = 0; b < BURSTERS; b++) {
		int p[2];

		ASSERT_EQ(0, pipe(p));
		self->kids[b] = fork();
		ASSERT_LE(0, self->kids[b]);
		if (self->kids[b] == 0) {
			close(p[1]);
			close(ackp[0]);
			for (int j = 0; j < b; j++)
				close(self->tok[j]);	/* each burster sees EOF when its token pipe closes */
			burster(b, cpu, p[0], ackp[1]);
		}
		close(p[0]);
		self->tok[b] = p[1];
	}
	close(ackp[1]);
	srandom(getpid());
	for (int b = 0; b < BURSTERS; b++) {
		lo[b] = 0;
		hi[b] = quiet + quiet / 4 + 1;
	}

	/* Leave the teardown as long as making the old sets took, and 20 s to spare. */
	budget_us = (TEST_SECS - 20) * 1000000LL - 2 * us_since(&start);
	budget_us = budget_us > READ_SECS * 1000000LL ? READ_SECS * 1000000LL :
		    budget_us < 10000000 ? 10000000 : budget_us;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (reads < MAX_READS && us_since(&t0) < budget_us &&
	       !(proofs >= WANT_PROOFS && reads >= 10)) {
		long made0 = sh->made;
		int fd;

		for (int b = 0; b < BURSTERS; b++) {
			int all = random() % 4 == 0;

			sh->delay_us[b] = all ? random() % (quiet + quiet / 4 + 1) :
				lo[b] + random() % (hi[b] - lo[b] + 1);
			sh->made_now[b] = 0;
		}
		sh->in_open = 1;
		for (int b = 0; b < BURSTERS; b++) {
			ASSERT_EQ(1, write(self->tok[b], "g", 1))
				TH_LOG("burster %d: %s", b, strerror(errno));
		}
		clock_gettime(CLOCK_MONOTONIC, &t);
		fd = open(SW_PROC, O_RDONLY);
		sh->in_open = 0;
		open_us = us_since(&t);
		ASSERT_LE(0, fd) TH_LOG("open %s: %s", SW_PROC, strerror(errno));
		buf = sw_slurp_fd(fd);
		close(fd);
		ASSERT_NE(NULL, buf);
		reads++;
		landed += sh->made > made0;
		judge(buf, self->old_ids, self->seen, &v);	/* frees buf */
		if (!v.parsed || !v.ended || v.truncated < 0) {
			if (cut++ < 3)
				TH_LOG("read %d: %s", reads, !v.parsed ? "unparsable" :
				       !v.ended ? "no end line: cut" : "no truncated header");
		} else if (v.truncated > 0) {
			if (truncated++ < 5)
				TH_LOG("read %d: truncated: %lld (explicit)", reads, v.truncated);
		} else if (v.old_seen != OLD_SETS) {
			if (incomplete++ < 3)
				TH_LOG("read %d says truncated: 0, yet shows %d of %d old sets (overshoot %lld, open %lld us)",
				       reads, v.old_seen, OLD_SETS, v.overshoot, open_us);
		} else if (v.overshoot > OLD_SCHEME_SLACK && proofs++ < 5) {
			TH_LOG("read %d: complete with %lld sets more than tracked (%lld burst rows; open %lld us)",
			       reads, v.overshoot, v.burst_rows, open_us);
		}
		if (v.parsed && v.dropped >= 0) {
			max_drop = v.dropped - dropped_last > max_drop ? v.dropped - dropped_last :
				   max_drop;
			dropped_last = v.dropped;
		}
		/* Narrow each burster's window: all in the copy is early, none is late. */
		for (int b = 0; b < BURSTERS && v.parsed; b++) {
			long long d = sh->delay_us[b];

			if (d <= lo[b] || d >= hi[b])
				continue;	/* an exploring draw */
			if (sh->made_now[b] && v.rows[b] >= sh->made_now[b])
				lo[b] = d;
			else if (!sh->made_now[b] || !v.rows[b])
				hi[b] = d;
			if (hi[b] - lo[b] < 100) {	/* lost the spot (jitter): widen */
				lo[b] = lo[b] > 200 ? lo[b] - 200 : 0;
				hi[b] += 200;
			}
		}
		max_over = v.overshoot > max_over ? v.overshoot : max_over;
		max_rows = v.burst_rows > max_rows ? v.burst_rows : max_rows;
		/* The burst's sets go before the next read: at most 21400 at a time. */
		for (int b = 0; b < BURSTERS; b++) {
			ASSERT_EQ(1, write(self->tok[b], "r", 1))
				TH_LOG("burster %d: %s", b, strerror(errno));
		}
		ASSERT_EQ(BURSTERS, wait_acks(self->ack, BURSTERS))
			TH_LOG("a burster did not remove its sets within 10 s");
	}
	/* EOF on its token pipe: a burster removes what it holds and exits. */
	for (int b = 0; b < BURSTERS; b++) {
		close(self->tok[b]);
		waitpid(self->kids[b], NULL, 0);
		self->kids[b] = 0;
	}
	close(self->ack);
	ksft_print_msg("burst: delay windows at the end: [%lld, %lld] and [%lld, %lld] us\n",
		       lo[0], hi[0], lo[1], hi[1]);
	ksft_print_msg("burst: %d reads in %lld s (quiet open %lld us, bursters %s), sets made during %d of them (%ld in all): %d complete with overshoot > %d, %d truncated (explicit), %d cut or unparsable, %d silently incomplete; max overshoot %lld, max burst rows in one copy %lld\n",
		       reads, us_since(&t0) / 1000000, quiet,
		       sh->rt[0] && sh->rt[1] ? "SCHED_FIFO" : "NOT all SCHED_FIFO", landed,
		       sh->made, proofs, OLD_SCHEME_SLACK, truncated, cut, incomplete, max_over,
		       max_rows);
	ksft_print_msg("burst: dropped %lld -> %lld during the bursts (+%lld, at most +%lld between two reads): burst sets the emptied record pool had no record for; 0 old sets dropped\n",
		       dropped_base, dropped_last, dropped_last - dropped_base, max_drop);
	EXPECT_EQ(0, cut);
	EXPECT_EQ(0, incomplete);
	EXPECT_LT(0, proofs) TH_LOG("burst too weak: no complete read had more than %d sets arrive during its copy (max overshoot %lld): more old sets, bursters or BURST_CHUNK",
				   OLD_SCHEME_SLACK, max_over);
}

SW_TEST_MAIN()
