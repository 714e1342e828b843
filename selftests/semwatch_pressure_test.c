// SPDX-License-Identifier: GPL-2.0
/*
 * A namespace running out of semaphore sets is reported in the kernel log,
 * once per crossing: a line when its sets reach 90% of SEMMNI and one when
 * they reach SEMMNI, naming the watched-prefix sets and the largest group of
 * them whose creator is dead (by comm and how it ended):
 *
 *   semwatch: ipc ns <inum>: 9/10 sets (90% of SEMMNI); 7 are 0x0d4d cookies,
 *   3 of them from sw-leaker killed by SIGKILL; see semwatch report
 *
 * Each test runs in a private IPC namespace (the test process unshares it)
 * with SEMMNI 10, reads /dev/kmsg from its end and counts only the lines of
 * its own namespace. The module prints from its deferred work: a line is
 * waited for up to 5 s, its absence for 1 to 2 s.
 */
#include "sw_test.h"
#include <sys/random.h>

#define PR_MNI 10
#define PR_OTHER 0x5e77		/* a prefix not watched (unless a test says so) */
#define PR_WAIT_MS 5000		/* for a line to come */
#define PR_SETTLE_MS 1000	/* after it, for a second one that must not */
#define PR_QUIET_MS 2000	/* for no line at all */
#define PR_LINE 512
#define PR_MAXLINES 8

static uint32_t pr_rand16(void)
{
	uint16_t v;

	if (getrandom(&v, sizeof(v), 0) != sizeof(v))
		v = (uint16_t)(getpid() * 2654435761u ^ time(NULL));
	return v;
}

/* A new set of prefix with random low 16 bits; id or -errno (ENOSPC: no room). */
static int pr_mkset(uint32_t prefix)
{
	for (int i = 0; i < 64; i++) {
		int id = semget((key_t)(prefix << 16 | pr_rand16()), 1,
				IPC_CREAT | IPC_EXCL | 0600);

		if (id >= 0)
			return id;
		if (errno != EEXIST)
			return -errno;
	}
	return -EEXIST;
}

static int pr_scale(void)
{
	const char *s = getenv("SEMWATCH_TIMEOUT_SCALE");
	int k = s ? atoi(s) : 1;

	return k < 1 ? 1 : k > 20 ? 20 : k;
}

static long long pr_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* /dev/kmsg escapes bytes as \xNN: undo it in place. */
static void pr_kmsg_unescape(char *s)
{
	char *o = s;

	while (*s) {
		unsigned int v;

		if (s[0] == '\\' && s[1] == 'x' && sscanf(s + 2, "%2x", &v) == 1) {
			*o++ = (char)v;
			s += 4;
		} else {
			*o++ = *s++;
		}
	}
	*o = 0;
}

/*
 * Collect the log lines containing match that arrive within wait_ms; once one
 * came, wait only settle_ms more. Up to PR_MAXLINES are kept in lines; returns
 * how many came (all of them), or -errno.
 */
static int pr_collect(int fd, const char *match, char lines[][PR_LINE], int wait_ms,
		      int settle_ms)
{
	long long end = pr_ms() + wait_ms;
	char rec[16384];
	int n = 0;

	while (pr_ms() < end) {
		ssize_t len = read(fd, rec, sizeof(rec) - 1);
		char *msg, *nl;

		if (len < 0 && errno == EAGAIN) {
			usleep(20000);
			continue;
		}
		if (len < 0 && errno == EPIPE)	/* overwritten before we read it */
			continue;
		if (len < 0)
			return -errno;
		rec[len] = 0;
		msg = strchr(rec, ';');
		if (!msg)
			continue;
		msg++;
		nl = strchr(msg, '\n');
		if (nl)
			*nl = 0;
		pr_kmsg_unescape(msg);
		if (!strstr(msg, match))
			continue;
		if (n < PR_MAXLINES)
			snprintf(lines[n], PR_LINE, "%s", msg);
		if (!n++ && pr_ms() + settle_ms < end)
			end = pr_ms() + settle_ms;
	}
	return n;
}

/* The test's namespace and its log lines. */
struct pr_log {
	int kmsg;
	long long ns;
	char match[64];
	char lines[PR_MAXLINES][PR_LINE];
};

FIXTURE(pressure) { struct sw_ctx c; struct pr_log log; };

FIXTURE_SETUP(pressure)
{
	ASSERT_EQ(0, sw_save(&self->c.st));
	self->log.kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	ASSERT_LE(0, self->log.kmsg) TH_LOG("/dev/kmsg: %s", strerror(errno));
}

FIXTURE_TEARDOWN(pressure)
{
	/* Removes the sets of the private namespace, then goes back to the first one. */
	EXPECT_EQ(0, sw_cleanup(&self->c));
	if (self->log.kmsg > 0)
		close(self->log.kmsg);
}

/* Into a new IPC namespace with SEMMNI 10 (kernel.sem is per namespace). */
static void pr_enter_ns(struct __test_metadata *_metadata, struct pr_log *log)
{
	int msl, mns, opm, mni, n;
	char *cur, b[64];
	struct sw_snap s;
	struct sw_tab *t;

	ASSERT_EQ(0, unshare(CLONE_NEWIPC));
	cur = sw_slurp("/proc/sys/kernel/sem");
	ASSERT_NE(NULL, cur);
	n = sscanf(cur, "%d %d %d %d", &msl, &mns, &opm, &mni);
	free(cur);
	ASSERT_EQ(4, n);
	snprintf(b, sizeof(b), "%d %d %d %d", msl, mns, opm, PR_MNI);
	ASSERT_EQ(0, sw_cg_write("/proc/sys/kernel", "sem", b));
	log->ns = sw_ns_ino(0);
	ASSERT_NE(0, log->ns);
	snprintf(log->match, sizeof(log->match), "semwatch: ipc ns %lld:", log->ns);
	/* A reader here sees this namespace only: empty, SEMMNI 10. */
	ASSERT_EQ(0, sw_snap(&s));
	t = sw_tab(&s, "namespaces");
	ASSERT_EQ(1, t->nrows);
	EXPECT_EQ(log->ns, sw_ncell(t, 0, "ns"));
	EXPECT_EQ(PR_MNI, sw_ncell(t, 0, "semmni"));
	EXPECT_EQ(0, sw_ncell(t, 0, "sets"));
	sw_free(&s);
}

/* Sets of this namespace, as the module counts them. */
static long long pr_sets(void)
{
	struct sw_snap s;
	long long n;

	if (sw_snap(&s))
		return -1;
	n = sw_ncell(sw_tab(&s, "namespaces"), 0, "sets");
	sw_free(&s);
	return n;
}

/*
 * A child named comm creates n sets of prefix (their ids go to ids, tracked),
 * then either is killed by SIGKILL (code < 0) or _exit(code)s; reaped.
 * Returns 0, or -errno.
 */
static int pr_creator(struct sw_ctx *ctx, const char *comm, uint32_t prefix, int n,
		      int code, int *ids)
{
	int res[2], hold[2], got = -EPROTO, st = -1;
	pid_t pid;

	if (pipe2(res, O_CLOEXEC))
		return -errno;
	if (pipe2(hold, O_CLOEXEC)) {
		close(res[0]);
		close(res[1]);
		return -errno;
	}
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		int out[1 + PR_MNI] = { 0 };
		char ch;

		for (int fd = 3; fd < 1024; fd++)
			if (fd != res[1] && fd != hold[0])
				close(fd);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		prctl(PR_SET_NAME, comm);
		for (int i = 0; i < n && i < PR_MNI && !out[0]; i++) {
			out[1 + i] = pr_mkset(prefix);
			if (out[1 + i] < 0)
				out[0] = out[1 + i];
		}
		if (write(res[1], out, sizeof(out)) != sizeof(out))
			_exit(2);
		while (read(hold[0], &ch, 1) > 0)
			;
		_exit(code < 0 ? 0 : code);
	}
	close(res[1]);
	close(hold[0]);
	if (pid > 0) {
		int out[1 + PR_MNI];

		if (read(res[0], out, sizeof(out)) == sizeof(out)) {
			got = out[0];
			for (int i = 0; i < n && i < PR_MNI && !got; i++)
				ids[i] = sw_track(ctx, out[1 + i]);
		}
		if (code < 0)
			kill(pid, SIGKILL);
		close(hold[1]);
		waitpid(pid, &st, 0);
		if (!got && (code < 0 ? !WIFSIGNALED(st) || WTERMSIG(st) != SIGKILL :
			     !WIFEXITED(st) || WEXITSTATUS(st) != code))
			got = -ECHILD;
	} else {
		got = -errno;
		close(hold[1]);
	}
	close(res[0]);
	return got;
}

/* The creator of set id shows how it ended: the death is applied before the next step. */
static void pr_check_dead(struct __test_metadata *_metadata, int id, const char *comm,
			  const char *exit)
{
	struct sw_snap s;
	struct sw_tab *w;
	int r;

	ASSERT_EQ(0, sw_snap(&s));
	w = sw_tab(&s, "watched");
	r = sw_find(w, "semid", id);
	ASSERT_LE(0, r) sw_dump(SW_PROC);
	EXPECT_STREQ(comm, sw_cell(w, r, "comm"));
	EXPECT_STREQ("dead", sw_cell(w, r, "state"));
	EXPECT_STREQ(exit, sw_cell(w, r, "exit"));
	sw_free(&s);
}

/* Create a set in this process (tracked); the namespace must then hold `sets` of them. */
static void pr_mk(struct __test_metadata *_metadata, struct sw_ctx *c, uint32_t prefix,
		  int sets)
{
	int id = sw_track(c, pr_mkset(prefix));

	ASSERT_LE(0, id) TH_LOG("set %d: %s", sets, strerror(-id));
	ASSERT_EQ(sets, pr_sets());
}

#define PR_MK(prefix, sets) pr_mk(_metadata, &self->c, prefix, sets)

/* The namespace's lines that come now: exactly want of them (0 or 1), the one equal to line. */
static void pr_expect(struct __test_metadata *_metadata, struct pr_log *log, int want,
		      const char *line, const char *when)
{
	int n = want ? pr_collect(log->kmsg, log->match, log->lines,
				  PR_WAIT_MS * pr_scale(), PR_SETTLE_MS) :
		       pr_collect(log->kmsg, log->match, log->lines, PR_QUIET_MS, 0);

	EXPECT_EQ(want, n) {
		TH_LOG("%s: %d line(s) of namespace %lld, want %d%s", when, n, log->ns, want,
		       want ? ":" : "");
		if (want)
			TH_LOG("  want: %s", line);
		for (int i = 0; i < n && i < PR_MAXLINES; i++)
			TH_LOG("  got:  %s", log->lines[i]);
	}
	if (want && n >= 1)
		EXPECT_STREQ(line, log->lines[0]) TH_LOG("%s", when);
}

static void pr_line(char *buf, size_t len, long long ns, int sets, int full, int n,
		    const char *what, const char *clause)
{
	snprintf(buf, len,
		 "semwatch: ipc ns %lld: %d/%d sets (%s); %d are %s%s; see semwatch report",
		 ns, sets, PR_MNI, full ? "SEMMNI" : "90% of SEMMNI", n, what, clause);
}

/*
 * The whole cycle with 0x0d4d cookies: three from sw-leaker (SIGKILL), two
 * from sw-exiter (exit 2, a smaller group), the rest this process's (alive)
 * or of another prefix. 8 sets: no line; 9: the 90% line; 10: the 100% line;
 * failed creations: nothing; down to 4, one more (re-arms), up to 9: a new
 * 90% line.
 */
TEST_F_TIMEOUT(pressure, cookie_lines, 90)
{
	const char *clause = ", 3 of them from sw-leaker killed by SIGKILL";
	int leak[3], exited[2], mine[5], nmine = 0;
	char want[PR_LINE];

	pr_enter_ns(_metadata, &self->log);
	ASSERT_EQ(0, pr_creator(&self->c, "sw-leaker", 0x0d4d, 3, -1, leak));
	ASSERT_EQ(0, pr_creator(&self->c, "sw-exiter", 0x0d4d, 2, 2, exited));
	pr_check_dead(_metadata, leak[0], "sw-leaker", "SIGKILL");
	pr_check_dead(_metadata, exited[0], "sw-exiter", "status:2");
	ASSERT_EQ(5, pr_sets());
	ASSERT_LE(0, lseek(self->log.kmsg, 0, SEEK_END));

	/* 6, 7, 8: a cookie of this (living) process, two of another prefix. */
	mine[nmine++] = sw_track(&self->c, pr_mkset(0x0d4d));
	mine[nmine++] = sw_track(&self->c, pr_mkset(PR_OTHER));
	mine[nmine++] = sw_track(&self->c, pr_mkset(PR_OTHER));
	for (int i = 0; i < nmine; i++)
		ASSERT_LE(0, mine[i]);
	ASSERT_EQ(8, pr_sets());
	pr_expect(_metadata, &self->log, 0, NULL, "8 of 10 sets");

	/* 9: a cookie; 7 cookies, the largest dead group sw-leaker's 3. */
	mine[nmine] = sw_track(&self->c, pr_mkset(0x0d4d));
	ASSERT_LE(0, mine[nmine++]);
	ASSERT_EQ(9, pr_sets());
	pr_line(want, sizeof(want), self->log.ns, 9, 0, 7, "0x0d4d cookies", clause);
	pr_expect(_metadata, &self->log, 1, want, "9 of 10 sets");

	/* 10: another prefix; full. */
	mine[nmine] = sw_track(&self->c, pr_mkset(PR_OTHER));
	ASSERT_LE(0, mine[nmine++]);
	ASSERT_EQ(10, pr_sets());
	pr_line(want, sizeof(want), self->log.ns, 10, 1, 7, "0x0d4d cookies", clause);
	pr_expect(_metadata, &self->log, 1, want, "10 of 10 sets");

	/* Full already: failed creations print nothing more. */
	EXPECT_EQ(-ENOSPC, pr_mkset(0x0d4d));
	EXPECT_EQ(-ENOSPC, pr_mkset(PR_OTHER));
	pr_expect(_metadata, &self->log, 0, NULL, "semget failing with ENOSPC at 10 of 10 sets");

	/* Down to 4 (sw-leaker's 3, one of sw-exiter's). */
	for (int i = 0; i < nmine; i++)
		ASSERT_EQ(0, semctl(mine[i], 0, IPC_RMID));
	ASSERT_EQ(0, semctl(exited[1], 0, IPC_RMID));
	ASSERT_EQ(4, pr_sets());
	/* 5 re-arms; 6, 7, 8 stay below 90%. */
	PR_MK(PR_OTHER, 5);
	PR_MK(0x0d4d, 6);
	PR_MK(PR_OTHER, 7);
	PR_MK(0x0d4d, 8);
	pr_expect(_metadata, &self->log, 0, NULL, "back from 4 to 8 of 10 sets");
	/* 9 again: 3 + 1 + 2 cookies. */
	PR_MK(PR_OTHER, 9);
	pr_line(want, sizeof(want), self->log.ns, 9, 0, 6, "0x0d4d cookies", clause);
	pr_expect(_metadata, &self->log, 1, want, "9 of 10 sets again");
}

/*
 * Another watched prefix is named as such, and an exit status is worded
 * `that exited with status N`: the largest dead group is sw-exiter's 3
 * (exit 4), not sw-leaker's 1 (SIGKILL).
 */
TEST_F_TIMEOUT(pressure, other_prefix_and_exit_status, 60)
{
	int exited[3], leak[1];
	char want[PR_LINE];

	ASSERT_EQ(0, sw_cmd("watch_prefix 0x5e77"));	/* in the initial namespace */
	pr_enter_ns(_metadata, &self->log);
	ASSERT_EQ(0, pr_creator(&self->c, "sw-exiter", PR_OTHER, 3, 4, exited));
	ASSERT_EQ(0, pr_creator(&self->c, "sw-leaker", PR_OTHER, 1, -1, leak));
	pr_check_dead(_metadata, exited[0], "sw-exiter", "status:4");
	pr_check_dead(_metadata, leak[0], "sw-leaker", "SIGKILL");
	ASSERT_LE(0, lseek(self->log.kmsg, 0, SEEK_END));
	/* Cookies are not watched now: 5 and 6; then 7, 8 of 0x5e77. */
	PR_MK(0x0d4d, 5);
	PR_MK(0x0d4d, 6);
	PR_MK(PR_OTHER, 7);
	PR_MK(PR_OTHER, 8);
	pr_expect(_metadata, &self->log, 0, NULL, "8 of 10 sets");
	PR_MK(PR_OTHER, 9);
	pr_line(want, sizeof(want), self->log.ns, 9, 0, 7, "0x5e77 sets",
		", 3 of them from sw-exiter that exited with status 4");
	pr_expect(_metadata, &self->log, 1, want, "9 of 10 sets");
}

/* No watched set has a dead creator (the dead one made sets of another prefix): no clause. */
TEST_F_TIMEOUT(pressure, no_dead_creator_no_clause, 60)
{
	char want[PR_LINE];
	int leak[2];

	pr_enter_ns(_metadata, &self->log);
	ASSERT_EQ(0, pr_creator(&self->c, "sw-leaker", PR_OTHER, 2, -1, leak));
	ASSERT_EQ(2, pr_sets());
	ASSERT_LE(0, lseek(self->log.kmsg, 0, SEEK_END));
	PR_MK(0x0d4d, 3);
	PR_MK(0x0d4d, 4);
	PR_MK(PR_OTHER, 5);
	PR_MK(0x0d4d, 6);
	PR_MK(PR_OTHER, 7);
	PR_MK(PR_OTHER, 8);
	PR_MK(PR_OTHER, 9);
	pr_line(want, sizeof(want), self->log.ns, 9, 0, 3, "0x0d4d cookies", "");
	pr_expect(_metadata, &self->log, 1, want, "9 of 10 sets");
}

/*
 * The comm is escaped as in /proc/semwatch: every byte outside printable
 * ASCII, the space and the backslash as \ooo; /dev/kmsg's own \xNN is undone.
 */
TEST_F_TIMEOUT(pressure, escaped_comm, 60)
{
	char want[PR_LINE];
	int leak[2];

	pr_enter_ns(_metadata, &self->log);
	ASSERT_EQ(0, pr_creator(&self->c, "sw\tleak\001", 0x0d4d, 2, -1, leak));
	pr_check_dead(_metadata, leak[0], "sw\\011leak\\001", "SIGKILL");
	ASSERT_LE(0, lseek(self->log.kmsg, 0, SEEK_END));
	PR_MK(0x0d4d, 3);
	PR_MK(PR_OTHER, 4);
	PR_MK(PR_OTHER, 5);
	PR_MK(PR_OTHER, 6);
	PR_MK(PR_OTHER, 7);
	PR_MK(PR_OTHER, 8);
	PR_MK(PR_OTHER, 9);
	pr_line(want, sizeof(want), self->log.ns, 9, 0, 3, "0x0d4d cookies",
		", 2 of them from sw\\011leak\\001 killed by SIGKILL");
	pr_expect(_metadata, &self->log, 1, want, "9 of 10 sets");
}

SW_TEST_MAIN()
