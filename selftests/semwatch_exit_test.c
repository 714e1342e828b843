// SPDX-License-Identifier: GPL-2.0
/*
 * How a creator ended: the `exit` and `died_s` columns of the watched table.
 *
 * A child with a known comm creates a 0x0d4d set (random low 16 bits) and then
 * ends in a chosen way; once it is reaped, its row must say how: `SIG<NAME>`
 * (`SIG<n>` past 31), `status:N`, with died_s a few seconds at most; while
 * it lives, `-` in both columns. A reader that cannot see the creator
 * (another PID namespace) gets `-`; a set older than the module `?`.
 * The OOM kill, execve() and the multi-threaded ends are in
 * semwatch_exit_proc_test.c; the shared helpers in sw_exit.h.
 */
#include "sw_exit.h"

static const char *const ex_cols[] = {
	"pid", "comm", "state", "exit", "died_s", "age_s", "ns", "key", "semid",
	"nsems", "uid", "cgroup",
};

/* Child: create, report, wait to be let go, then _exit(*arg) (or get killed meanwhile). */
static void body_make_then_exit(int res, int hold, void *arg)
{
	uint32_t key = 0;
	int id = ex_mkset(EX_PREFIX, &key);

	ex_report(res, id, key);
	if (id < 0)
		_exit(EX_BROKEN);
	ex_hold(hold);
	_exit(arg ? *(int *)arg : 0);
}

/* The watched table has the two new columns, between state and age_s. */
TEST_F(exitrec, header_columns)
{
	int n = ARRAY_SIZE(ex_cols);
	struct sw_snap s;
	struct sw_tab *w;

	ASSERT_EQ(0, sw_snap(&s));
	w = sw_tab(&s, "watched");
	EXPECT_EQ(n, w->hdr.n);
	for (int i = 0; i < n && i < w->hdr.n; i++)
		EXPECT_STREQ(ex_cols[i], w->hdr.f[i]);
	sw_free(&s);
}

/* A living creator, child or this very process: `-` in both columns. */
TEST_F(exitrec, alive_creator_dashes)
{
	struct ex_kid k;
	struct ex_res r;
	uint32_t key;
	char comm[17] = { 0 };
	int id;

	ASSERT_EQ(0, ex_spawn(&self->c, &k, "sw-alive", body_make_then_exit, NULL, &r));
	sw_track(&self->c, r.semid);
	id = sw_track(&self->c, ex_mkset(EX_PREFIX, &key));
	ASSERT_LE(0, id);
	prctl(PR_GET_NAME, (unsigned long)comm);
	ex_check(_metadata, r.key, k.c->pid, "sw-alive", "alive", "-");
	ex_check(_metadata, key, getpid(), comm, "alive", "-");
}

/* Killed by a signal's default action while blocked: SIG<NAME>, or SIG<n> past 31. */
FIXTURE(sig) { struct sw_ctx c; };
FIXTURE_VARIANT(sig) { int sig; const char *want; };
FIXTURE_VARIANT_ADD(sig, sigkill) { .sig = SIGKILL, .want = "SIGKILL" };
FIXTURE_VARIANT_ADD(sig, sigterm) { .sig = SIGTERM, .want = "SIGTERM" };
FIXTURE_VARIANT_ADD(sig, sighup) { .sig = SIGHUP, .want = "SIGHUP" };
FIXTURE_VARIANT_ADD(sig, sigusr1) { .sig = SIGUSR1, .want = "SIGUSR1" };
FIXTURE_VARIANT_ADD(sig, sig40) { .sig = 40, .want = "SIG40" };
FIXTURE_VARIANT_ADD(sig, sig64) { .sig = 64, .want = "SIG64" };
FIXTURE_SETUP(sig) { ASSERT_EQ(0, sw_save(&self->c.st)); }
FIXTURE_TEARDOWN(sig) { EXPECT_EQ(0, sw_cleanup(&self->c)); }

TEST_F(sig, killed)
{
	struct ex_kid k;
	struct ex_res r;
	pid_t pid;
	int st;

	ASSERT_EQ(0, ex_spawn(&self->c, &k, "sw-signalled", body_make_then_exit, NULL, &r));
	sw_track(&self->c, r.semid);
	pid = k.c->pid;
	ex_check(_metadata, r.key, pid, "sw-signalled", "alive", "-");
	ASSERT_EQ(0, kill(pid, variant->sig));
	st = ex_reap(&k, 10);
	ASSERT_TRUE(st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == variant->sig)
		ex_log_status(_metadata, st);
	ex_check(_metadata, r.key, pid, "sw-signalled", "dead", variant->want);
}

/* A normal exit: status:N. */
FIXTURE(status) { struct sw_ctx c; };
FIXTURE_VARIANT(status) { int code; const char *want; };
FIXTURE_VARIANT_ADD(status, exit3) { .code = 3, .want = "status:3" };
FIXTURE_VARIANT_ADD(status, exit0) { .code = 0, .want = "status:0" };
FIXTURE_VARIANT_ADD(status, exit255) { .code = 255, .want = "status:255" };
FIXTURE_SETUP(status) { ASSERT_EQ(0, sw_save(&self->c.st)); }
FIXTURE_TEARDOWN(status) { EXPECT_EQ(0, sw_cleanup(&self->c)); }

TEST_F(status, exited)
{
	int code = variant->code, st;
	struct ex_kid k;
	struct ex_res r;
	pid_t pid;

	ASSERT_EQ(0, ex_spawn(&self->c, &k, "sw-exiter", body_make_then_exit, &code, &r));
	sw_track(&self->c, r.semid);
	pid = k.c->pid;
	ex_let_go(&k);
	st = ex_reap(&k, 10);
	ASSERT_TRUE(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == code)
		ex_log_status(_metadata, st);
	ex_check(_metadata, r.key, pid, "sw-exiter", "dead", variant->want);
}

/* died_s counts the seconds since the death (whole seconds: wait past two). */
TEST_F(exitrec, died_s_counts_up)
{
	struct ex_kid k;
	struct ex_res r;
	long long d0, d1;
	pid_t pid;
	int st;

	ASSERT_EQ(0, ex_spawn(&self->c, &k, "sw-counted", body_make_then_exit, NULL, &r));
	sw_track(&self->c, r.semid);
	pid = k.c->pid;
	ASSERT_EQ(0, kill(pid, SIGKILL));
	st = ex_reap(&k, 10);
	ASSERT_TRUE(st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL)
		ex_log_status(_metadata, st);
	d0 = ex_check(_metadata, r.key, pid, "sw-counted", "dead", "SIGKILL");
	usleep(2100000);
	d1 = ex_check(_metadata, r.key, pid, "sw-counted", "dead", "SIGKILL");
	ASSERT_LE(0, d0);
	EXPECT_LE(d0 + 2, d1);
	EXPECT_GE(d0 + 4, d1);
}

/* /proc/semwatch as read from a fresh PID namespace (a grandchild is its PID 1). */
static char *ex_read_in_new_pidns(void)
{
	char *buf = NULL;
	int p[2], err = EPROTO;
	pid_t pid;

	if (pipe(p))
		return NULL;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		pid_t in;

		close(p[0]);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		err = unshare(CLONE_NEWPID) ? errno : 0;
		in = err ? -1 : fork();
		if (in < 0 && !err)
			err = errno;
		if (in == 0) {
			buf = sw_slurp(SW_PROC);
			err = buf ? 0 : errno;
			if (write(p[1], &err, sizeof(err)) != sizeof(err) ||
			    (buf && write(p[1], buf, strlen(buf)) < 0))
				_exit(2);
			_exit(0);
		}
		if (in < 0 && write(p[1], &err, sizeof(err)) != sizeof(err))
			_exit(2);
		close(p[1]);
		if (in > 0)
			waitpid(in, NULL, 0);
		_exit(0);
	}
	close(p[1]);
	if (pid > 0 && read(p[0], &err, sizeof(err)) == sizeof(err) && !err)
		buf = sw_slurp_fd(p[0]);
	close(p[0]);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	errno = err;
	return buf;
}

/* A reader that cannot see the creator learns only that it is dead: `-`, not how. */
TEST_F(exitrec, hidden_creator_dashes)
{
	struct sw_snap s;
	struct ex_kid k;
	struct ex_res r;
	char *buf;
	pid_t pid;
	int st;

	ASSERT_EQ(0, ex_spawn(&self->c, &k, "sw-hidden", body_make_then_exit, NULL, &r));
	sw_track(&self->c, r.semid);
	pid = k.c->pid;
	ASSERT_EQ(0, kill(pid, SIGKILL));
	st = ex_reap(&k, 10);
	ASSERT_TRUE(st != -1 && WIFSIGNALED(st)) ex_log_status(_metadata, st);
	ex_check(_metadata, r.key, pid, "sw-hidden", "dead", "SIGKILL");

	buf = ex_read_in_new_pidns();
	ASSERT_NE(NULL, buf) TH_LOG("read from a new PID namespace: %s", strerror(errno));
	ASSERT_EQ(0, sw_parse(&s, buf));
	EXPECT_EQ(0, sw_incomplete(&s));
	ex_check_in(_metadata, &s, r.key, "-", "-", "dead", "-");
	sw_free(&s);
}

/* A set older than the module: creator unknown, and so how it ended: `?`. */
TEST_F_TIMEOUT(exitrec, preexisting_set_unknown, 90)
{
	uint32_t key;
	struct sw_snap s;

	if (!sw_can_reload())
		SKIP(return, "SEMWATCH_KO/SEMWATCH_HOOK unset: cannot reload");
	ASSERT_LE(0, sw_track(&self->c, ex_mkset(EX_PREFIX, &key)));
	self->c.reloaded = 1;
	ASSERT_EQ(0, sw_reload(""));
	ASSERT_EQ(0, sw_snap(&s));
	ex_check_in(_metadata, &s, key, "?", "?", "unknown", "?");
	sw_free(&s);
}

SW_TEST_MAIN()
