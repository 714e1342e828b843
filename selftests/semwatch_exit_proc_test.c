// SPDX-License-Identifier: GPL-2.0
/*
 * How a creator ended, continued (see semwatch_exit_test.c): the ends that
 * take more than a signal or an exit. The OOM killer's choice reads
 * `oom-kill`; an execve(), even from a non-leader thread, ends no process;
 * nor does the creating thread's exit or a leader's pthread_exit() while
 * another thread lives on: the row stays alive with `-` until the whole
 * process ends.
 */
#include "sw_exit.h"
#include <dirent.h>
#include <pthread.h>
#include <sys/mman.h>

#define EX_OOM_CG_MAX "16M"

/* Child: join the cgroup, be the OOM killer's choice, create, wait, then eat memory. */
static void body_oom(int res, int hold, void *arg)
{
	const size_t chunk = 1 << 20;
	uint32_t key = 0;
	int e = sw_cg_join(arg), id;

	if (e) {
		ex_report(res, -e, 0);
		_exit(EX_BROKEN);
	}
	/* No doubt about the victim, even if the test runs with a lowered score. */
	sw_cg_write("/proc/self", "oom_score_adj", "1000");
	id = ex_mkset(EX_PREFIX, &key);
	ex_report(res, id, key);
	if (id < 0)
		_exit(EX_BROKEN);
	ex_hold(hold);
	for (int i = 0; i < 1024; i++) {
		char *p = mmap(NULL, chunk, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			_exit(EX_NOMEM);
		memset(p, 0x5a, chunk);
	}
	_exit(EX_SURVIVED);
}

/*
 * The OOM killer's choice (a SIGKILL) reads oom-kill: the child is alone in
 * a cgroup v2 with memory.max 16M and no swap, and touches memory until killed.
 */
TEST_F_TIMEOUT(exitrec, oom_kill, 90)
{
	struct ex_kid k;
	struct ex_res r;
	char *ctl, ev[192];
	pid_t pid;
	int st;

	if (!sw_cg_v2())
		SKIP(return, "no cgroup v2 hierarchy at " SW_CG);
	ctl = sw_slurp(SW_CG "/cgroup.controllers");
	if (!ctl || !strstr(ctl, "memory")) {
		free(ctl);
		SKIP(return, "cgroup v2 without the memory controller (" SW_CG
		     "/cgroup.controllers)");
	}
	free(ctl);
	ctl = sw_slurp(SW_CG "/cgroup.subtree_control");
	ASSERT_NE(NULL, ctl);
	if (!strstr(ctl, "memory")) {
		free(ctl);
		ASSERT_EQ(0, sw_cg_write(SW_CG, "cgroup.subtree_control", "+memory"));
		self->memctl_added = 1;
	} else {
		free(ctl);
	}
	snprintf(self->cg, sizeof(self->cg), SW_CG "/sw-exit-oom-%d", getpid());
	ASSERT_EQ(0, mkdir(self->cg, 0755)) TH_LOG("mkdir %s: %s", self->cg, strerror(errno));
	self->made_cg = 1;
	ASSERT_EQ(0, sw_cg_write(self->cg, "memory.max", EX_OOM_CG_MAX));
	sw_cg_write(self->cg, "memory.swap.max", "0");	/* absent without swap accounting */

	ASSERT_EQ(0, ex_spawn(&self->c, &k, "sw-oomed", body_oom, self->cg, &r))
		TH_LOG("creator in %s: %s", self->cg, strerror(r.err ? r.err : EPROTO));
	sw_track(&self->c, r.semid);
	pid = k.c->pid;
	ex_check(_metadata, r.key, pid, "sw-oomed", "alive", "-");
	ex_let_go(&k);
	st = ex_reap(&k, 60);
	ASSERT_TRUE(st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL) {
		ex_log_status(_metadata, st);
		if (st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == EX_SURVIVED)
			TH_LOG("1 GiB touched without an OOM kill: swap not limited?");
	}
	snprintf(ev, sizeof(ev), "%s/memory.events", self->cg);
	EXPECT_LE(1, sw_file_num(ev, "oom_kill")) TH_LOG("%s counts no OOM kill", ev);
	ex_check(_metadata, r.key, pid, "sw-oomed", "dead", "oom-kill");
}

/* Child: create, report, then become /bin/sleep (the report pipe closes on exec). */
static void body_exec(int res, int hold SW_UNUSED, void *arg SW_UNUSED)
{
	char *const argv[] = { "sleep", "30", NULL };
	uint32_t key = 0;
	int id = ex_mkset(EX_PREFIX, &key);

	ex_report(res, id, key);
	if (id < 0)
		_exit(EX_BROKEN);
	execv("/bin/sleep", argv);
	ex_report(res, -errno, 0);
	_exit(EX_BROKEN);
}

/* The report pipe reaches EOF: the child exec'ed (it is then checked to be sleep). */
static int ex_wait_exec(struct __test_metadata *_metadata, struct ex_kid *k)
{
	struct ex_res after;
	char p[64], *comm = NULL;
	ssize_t n = read(k->res, &after, sizeof(after));

	if (n != 0) {
		TH_LOG("exec failed: %s", n == sizeof(after) ? strerror(after.err) : "bad report");
		return -1;
	}
	snprintf(p, sizeof(p), "/proc/%d/comm", k->c->pid);
	for (int i = 0; i < 250; i++) {
		free(comm);
		comm = sw_slurp(p);
		if (comm && !strcmp(comm, "sleep\n"))
			break;
		usleep(20000);
	}
	n = comm && !strcmp(comm, "sleep\n") ? 0 : -1;
	if (n)
		TH_LOG("child's comm after exec: %s", comm ? comm : "(gone)");
	free(comm);
	return n;
}

/* execve() ends no process: alive and `-` after it; the end after it is recorded. */
TEST_F(exitrec, exec_keeps_record)
{
	struct ex_kid k;
	struct ex_res r;
	pid_t pid;
	int st;

	if (access("/bin/sleep", X_OK))
		SKIP(return, "no /bin/sleep to exec");
	ASSERT_EQ(0, ex_spawn(&self->c, &k, "sw-execer", body_exec, NULL, &r));
	sw_track(&self->c, r.semid);
	pid = k.c->pid;
	ASSERT_EQ(0, ex_wait_exec(_metadata, &k));
	/* comm is the creator's at creation, not after the exec. */
	ex_check(_metadata, r.key, pid, "sw-execer", "alive", "-");
	ASSERT_EQ(0, kill(pid, SIGTERM));
	st = ex_reap(&k, 10);
	ASSERT_TRUE(st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM)
		ex_log_status(_metadata, st);
	ex_check(_metadata, r.key, pid, "sw-execer", "dead", "SIGTERM");
}

struct ex_thr { int res; };

static void *exec_thread(void *arg)
{
	struct ex_thr *t = arg;

	body_exec(t->res, -1, NULL);
	return NULL;
}

/* Child: a non-leader thread creates and execs (the old leader goes away in the exec). */
static void body_exec_from_thread(int res, int hold SW_UNUSED, void *arg SW_UNUSED)
{
	static struct ex_thr t;
	pthread_t th;

	t.res = res;
	if (pthread_create(&th, NULL, exec_thread, &t))
		_exit(EX_BROKEN);
	for (;;)
		pause();
}

/* The same when a non-leader thread execs: the exec takes the leader's place, nobody died. */
TEST_F(exitrec, exec_from_thread_keeps_record)
{
	struct ex_kid k;
	struct ex_res r;
	pid_t pid;
	int st;

	if (access("/bin/sleep", X_OK))
		SKIP(return, "no /bin/sleep to exec");
	ASSERT_EQ(0, ex_spawn(&self->c, &k, "sw-threxec", body_exec_from_thread, NULL, &r));
	sw_track(&self->c, r.semid);
	pid = k.c->pid;
	ASSERT_EQ(0, ex_wait_exec(_metadata, &k));
	ex_check(_metadata, r.key, pid, "sw-threxec", "alive", "-");
	ASSERT_EQ(0, kill(pid, SIGTERM));
	st = ex_reap(&k, 10);
	ASSERT_TRUE(st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM)
		ex_log_status(_metadata, st);
	ex_check(_metadata, r.key, pid, "sw-threxec", "dead", "SIGTERM");
}

/* Threads of this process, from /proc/self/task; -1 if unreadable. */
static int ex_nthreads(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

struct ex_mk { int semid; uint32_t key; };

static void *thread_make_and_exit(void *arg)
{
	struct ex_mk *m = arg;

	m->semid = ex_mkset(EX_PREFIX, &m->key);
	pthread_exit(NULL);
}

/*
 * Child: a non-leader thread creates and pthread_exit()s; once it is gone
 * for good (not only joined: gone from /proc/self/task, so past its exit
 * hooks), report, wait, then _exit(*arg).
 */
static void body_thread_made(int res, int hold, void *arg)
{
	static struct ex_mk m;
	pthread_t th;
	int i = 0;

	if (pthread_create(&th, NULL, thread_make_and_exit, &m) || pthread_join(th, NULL))
		_exit(EX_BROKEN);
	while (ex_nthreads() != 1 && i++ < 250)
		usleep(20000);
	ex_report(res, ex_nthreads() == 1 ? m.semid : -ETIMEDOUT, m.key);
	if (m.semid < 0)
		_exit(EX_BROKEN);
	ex_hold(hold);
	_exit(*(int *)arg);
}

/* The creating thread's end is not the process's: alive, `-`; then exit(5) is status:5. */
TEST_F(exitrec, creating_thread_exits_first)
{
	int code = 5, st;
	struct ex_kid k;
	struct ex_res r;
	pid_t pid;

	ASSERT_EQ(0, ex_spawn(&self->c, &k, "sw-mtexit", body_thread_made, &code, &r));
	sw_track(&self->c, r.semid);
	pid = k.c->pid;
	/* pid is the tgid; the comm the thread inherited from the leader. */
	ex_check(_metadata, r.key, pid, "sw-mtexit", "alive", "-");
	ex_let_go(&k);
	st = ex_reap(&k, 10);
	ASSERT_TRUE(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == code)
		ex_log_status(_metadata, st);
	ex_check(_metadata, r.key, pid, "sw-mtexit", "dead", "status:5");
}

struct ex_lead { int res, hold, semid, code; uint32_t key; pid_t tgid; };

/* 1 once the thread group leader is a zombie (it exited; the process lives on). */
static int ex_leader_gone(pid_t tgid)
{
	char p[64], *buf, *s;
	int z;

	snprintf(p, sizeof(p), "/proc/self/task/%d/stat", tgid);
	buf = sw_slurp(p);
	if (!buf)
		return errno == ENOENT || errno == ESRCH;
	s = strrchr(buf, ')');
	z = s && (s[2] == 'Z' || s[2] == 'X');
	free(buf);
	return z;
}

static void *last_thread(void *arg)
{
	struct ex_lead *l = arg;
	int i = 0;

	while (!ex_leader_gone(l->tgid) && i++ < 250)
		usleep(20000);
	ex_report(l->res, ex_leader_gone(l->tgid) ? l->semid : -ETIMEDOUT, l->key);
	ex_hold(l->hold);
	_exit(l->code);
}

/* Child: the leader creates, starts the last thread, and pthread_exit()s. */
static void body_leader_first(int res, int hold, void *arg)
{
	static struct ex_lead l;
	pthread_t th;

	l.res = res;
	l.hold = hold;
	l.code = *(int *)arg;
	l.tgid = getpid();
	l.semid = ex_mkset(EX_PREFIX, &l.key);
	if (l.semid < 0) {
		ex_report(res, l.semid, 0);
		_exit(EX_BROKEN);
	}
	if (pthread_create(&th, NULL, last_thread, &l))
		_exit(EX_BROKEN);
	pthread_exit(NULL);
}

/*
 * The leader (here also the creator) ends first with pthread_exit(): the
 * process lives on in its other thread, alive and `-`; its exit(7) ends it:
 * status:7.
 */
TEST_F(exitrec, leader_exits_first)
{
	int code = 7, st;
	struct ex_kid k;
	struct ex_res r;
	pid_t pid;

	ASSERT_EQ(0, ex_spawn(&self->c, &k, "sw-leadexit", body_leader_first, &code, &r));
	sw_track(&self->c, r.semid);
	pid = k.c->pid;
	ex_check(_metadata, r.key, pid, "sw-leadexit", "alive", "-");
	ex_let_go(&k);
	st = ex_reap(&k, 10);
	ASSERT_TRUE(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == code)
		ex_log_status(_metadata, st);
	ex_check(_metadata, r.key, pid, "sw-leadexit", "dead", "status:7");
}

SW_TEST_MAIN()
