/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared helpers of the exit-record kselftests (semwatch_exit_test.c,
 * semwatch_exit_proc_test.c): creator children with a known comm that make
 * a 0x0d4d set (random low 16 bits), report it over a pipe and then end in a
 * chosen way; checks of the `exit` and `died_s` columns of their watched row;
 * the exitrec fixture. Header-only, like sw_test.h.
 */
#ifndef SW_EXIT_H
#define SW_EXIT_H

#include "sw_test.h"
#include <sys/random.h>

#define EX_PREFIX 0x0d4d
/* Exit codes of a creator child that went wrong (not an end under test). */
#define EX_BROKEN 111
#define EX_NOMEM 112
#define EX_SURVIVED 113

/* What a creator child reports once its set exists. */
struct ex_res { int err, semid; uint32_t key; };

/* Parent side: the child (registered in the context for cleanup) and its report pipe. */
struct ex_kid { struct sw_child *c; int res; };

/* Child side: runs in the child, must not return (the child then exits EX_BROKEN). */
typedef void (*ex_body)(int res, int hold, void *arg);

static inline uint32_t ex_rand16(void)
{
	uint16_t v;

	if (getrandom(&v, sizeof(v), 0) != sizeof(v))
		v = (uint16_t)(getpid() * 2654435761u ^ time(NULL));
	return v;
}

/* A new set of prefix with random low 16 bits, in the calling thread; id or -errno. */
static inline int ex_mkset(uint32_t prefix, uint32_t *key)
{
	for (int i = 0; i < 64; i++) {
		int id;

		*key = prefix << 16 | ex_rand16();
		id = semget((key_t)*key, 1, IPC_CREAT | IPC_EXCL | 0600);
		if (id >= 0)
			return id;
		if (errno != EEXIST)
			return -errno;
	}
	return -EEXIST;
}

static inline void ex_report(int fd, int semid, uint32_t key)
{
	struct ex_res r = { .err = semid < 0 ? -semid : 0, .semid = semid, .key = key };

	if (write(fd, &r, sizeof(r)) != sizeof(r))
		_exit(EX_BROKEN);
}

/* Block until the parent closes its end of the hold pipe. */
static inline void ex_hold(int fd)
{
	char ch;

	while (read(fd, &ch, 1) > 0)
		;
}

/*
 * Fork a creator child named comm that runs body. The child keeps only its
 * two pipe ends (so that no sibling holds another child's hold pipe open),
 * default dispositions and an empty signal mask, and dies with the test.
 * Waits for its report; 0, or -errno (of the child's creation, or EPROTO).
 */
static inline int ex_spawn(struct sw_ctx *ctx, struct ex_kid *k, const char *comm,
			   ex_body body, void *arg, struct ex_res *r)
{
	int res[2], hold[2];
	struct sw_child *c;
	sigset_t none;

	memset(r, 0, sizeof(*r));
	r->semid = -1;
	k->c = NULL;
	k->res = -1;
	if (ctx->nkids == (int)ARRAY_SIZE(ctx->kids))
		return -ENOSPC;
	if (pipe2(res, O_CLOEXEC))
		return -errno;
	if (pipe2(hold, O_CLOEXEC)) {
		close(res[0]);
		close(res[1]);
		return -errno;
	}
	fflush(NULL);
	c = &ctx->kids[ctx->nkids++];
	c->pid = fork();
	if (c->pid == 0) {
		for (int fd = 3; fd < 1024; fd++)
			if (fd != res[1] && fd != hold[0])
				close(fd);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (int s = 1; s < 65; s++)
			if (s != SIGKILL && s != SIGSTOP)
				signal(s, SIG_DFL);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		prctl(PR_SET_NAME, comm);
		body(res[1], hold[0], arg);
		_exit(EX_BROKEN);
	}
	close(res[1]);
	close(hold[0]);
	c->hold = hold[1];
	k->c = c;
	k->res = res[0];
	if (c->pid < 0) {
		c->pid = 0;
		return -EAGAIN;
	}
	if (read(res[0], r, sizeof(*r)) != sizeof(*r))
		return -EPROTO;
	return r->err ? -r->err : 0;
}

/* Let the child go on (it sees EOF on its hold pipe). */
static inline void ex_let_go(struct ex_kid *k)
{
	if (k->c && k->c->hold >= 0) {
		close(k->c->hold);
		k->c->hold = -1;
	}
}

/* Reap the child within secs seconds; its wait status, or -1 (still running). */
static inline int ex_reap(struct ex_kid *k, int secs)
{
	int st;

	for (int i = 0; k->c && k->c->pid > 0 && i < secs * 50; i++) {
		pid_t p = waitpid(k->c->pid, &st, WNOHANG);

		if (p == k->c->pid) {
			k->c->pid = 0;
			ex_let_go(k);
			if (k->res >= 0)
				close(k->res);
			k->res = -1;
			return st;
		}
		if (p < 0)
			return -1;
		usleep(20000);
	}
	return -1;
}

static inline void ex_log_status(struct __test_metadata *_metadata, int st)
{
	if (st == -1)
		TH_LOG("creator not reaped in time");
	else if (WIFSIGNALED(st))
		TH_LOG("creator killed by signal %d", WTERMSIG(st));
	else if (WIFEXITED(st))
		TH_LOG("creator exited with status %d", WEXITSTATUS(st));
}

/*
 * Check the watched row of key in snapshot s: pid, comm (NULL: any), state,
 * exit, and died_s: "-" when exit is "-" or "?" (then the same), else a
 * number from 0 to 5 and no more than age_s. Returns died_s (-1 if not a number).
 */
static inline long long ex_check_in(struct __test_metadata *_metadata,
				    struct sw_snap *s, uint32_t key, const char *pid,
				    const char *comm, const char *state,
				    const char *exit)
{
	struct sw_tab *w = sw_tab(s, "watched");
	int r = sw_find_set(w, key, 0);
	long long died;

	EXPECT_LE(0, r) TH_LOG("no watched row for key 0x%08x", key);
	if (r < 0)
		return -1;
	if (pid)
		EXPECT_STREQ(pid, sw_cell(w, r, "pid"));
	if (comm)
		EXPECT_STREQ(comm, sw_cell(w, r, "comm"));
	EXPECT_STREQ(state, sw_cell(w, r, "state"));
	EXPECT_STREQ(exit, sw_cell(w, r, "exit"));
	if (!strcmp(exit, "-") || !strcmp(exit, "?")) {
		EXPECT_STREQ(exit, sw_cell(w, r, "died_s"));
		return -1;
	}
	died = sw_ncell(w, r, "died_s");
	EXPECT_LE(0, died) TH_LOG("died_s is \"%s\"", sw_cell(w, r, "died_s"));
	EXPECT_GE(5, died);
	if (sw_ncell(w, r, "age_s") >= 0)
		EXPECT_GE(sw_ncell(w, r, "age_s"), died);
	return died;
}

/* The same on a fresh read of /proc/semwatch (dumped on a mismatch). */
static inline long long ex_check(struct __test_metadata *_metadata, uint32_t key,
				 pid_t pid, const char *comm, const char *state,
				 const char *exit)
{
	int failed = !_metadata->passed;
	struct sw_snap s;
	char p[16];
	long long died;

	snprintf(p, sizeof(p), "%d", pid);
	if (sw_snap(&s)) {
		EXPECT_TRUE(0) TH_LOG("cannot read " SW_PROC);
		return -1;
	}
	died = ex_check_in(_metadata, &s, key, p, comm, state, exit);
	sw_free(&s);
	if (!failed && !_metadata->passed)
		sw_dump(SW_PROC);
	return died;
}

/* The fixture of both programs; cg, made_cg, memctl_added serve oom_kill. */
FIXTURE(exitrec) {
	struct sw_ctx c;
	char cg[128];
	int made_cg, memctl_added;
};

FIXTURE_SETUP(exitrec) { ASSERT_EQ(0, sw_save(&self->c.st)); }

FIXTURE_TEARDOWN(exitrec)
{
	EXPECT_EQ(0, sw_cleanup(&self->c));	/* kills the children first */
	if (self->made_cg)
		EXPECT_EQ(0, sw_cg_rmdir(self->cg));
	/* Only if no other cgroup uses it; then the hierarchy is as we found it. */
	if (self->memctl_added)
		sw_cg_write(SW_CG, "cgroup.subtree_control", "-memory");
}

#endif /* SW_EXIT_H */
