// SPDX-License-Identifier: GPL-2.0
/*
 * swbench: the timed workloads of `make bench` (run in the guest by
 * scripts/bench-guest.sh). Every timed subcommand prints one line: the elapsed
 * wall-clock time in nanoseconds (CLOCK_MONOTONIC) of the measured part only.
 *
 *   swbench getppid N            N getppid() calls
 *   swbench zero N               N read()s of 4 KiB from /dev/zero
 *   swbench churn N private|cookie
 *                                create and remove N sets, one at a time
 *                                (cookie: key 0x0d4dXXXX with IPC_CREAT|IPC_EXCL|0600
 *                                as libdevmapper does; its SETVAL 1 is left out so
 *                                that only creation and removal are timed)
 *   swbench suite NG NZ NC       getppid NG, zero NZ, churn NC private, churn NC
 *                                cookie, in that order, one line each (one exec
 *                                instead of four)
 *   swbench readfile PATH        read PATH to EOF in 64 KiB chunks
 *   swbench run CMD [ARGS...]    fork+exec CMD, stdout/stderr to /dev/null,
 *                                stdin from /dev/null; fails if CMD fails
 *                                (exit status 0 and 1 are accepted: semwatch
 *                                report/reap exit 1 when leaks were found/kept)
 *   swbench runy CMD [ARGS...]   the same with "y\n" on stdin
 *   swbench forkexit N           N times: fork, the child _exit(0)s at once, waitpid
 *                                (pinned to one CPU: the child runs where its
 *                                parent waits, with no idle vCPU in between)
 * Untimed helpers:
 *   swbench leak N cookie|private [FIRST]
 *                                create N sets and leave them (this process then
 *                                exits, so their creator is dead); cookie keys
 *                                are 0x0d4d0000 + FIRST + i (i < 65536)
 *   swbench count                number of sets visible (SEM_INFO semusz)
 *   swbench rmall                remove every set in this namespace
 *   swbench hold N               N child processes create one IPC_PRIVATE set each
 *                                and stay alive (live creators); prints "ready"
 *                                once all have, and on SIGTERM lets them exit and
 *                                reaps them
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define COOKIE_PREFIX 0x0d4d0000u

union semun {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
	struct seminfo *__buf;
};

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "swbench: %s: %s\n", what, strerror(errno));
	exit(2);
}

static long arg_long(const char *s)
{
	char *end;
	long v = strtol(s, &end, 0);

	if (*s == '\0' || *end != '\0' || v < 0) {
		fprintf(stderr, "swbench: bad number %s\n", s);
		exit(2);
	}
	return v;
}

static int make_set(int cookie, unsigned int i)
{
	int id;

	if (!cookie) {
		id = semget(IPC_PRIVATE, 1, 0600 | IPC_CREAT);
		if (id < 0)
			die("semget(IPC_PRIVATE)");
		return id;
	}
	id = semget((key_t)(COOKIE_PREFIX | (i & 0xffff)), 1, 0600 | IPC_CREAT | IPC_EXCL);
	if (id < 0)
		die("semget(0x0d4d key, IPC_EXCL)");
	return id;
}

static int kind(const char *s)
{
	if (!strcmp(s, "cookie"))
		return 1;
	if (!strcmp(s, "private"))
		return 0;
	fprintf(stderr, "swbench: kind must be private or cookie\n");
	exit(2);
}

static int cmd_run(char **argv, int yes)
{
	long long t0 = now_ns(), t1;
	int st, fds[2] = { -1, -1 };
	pid_t pid;

	if (yes && pipe(fds))
		die("pipe");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		if (yes) {
			dup2(fds[0], 0);
			close(fds[0]);
			close(fds[1]);
		} else {
			dup2(null, 0);
		}
		dup2(null, 1);
		dup2(null, 2);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (yes) {
		close(fds[0]);
		if (write(fds[1], "y\n", 2) != 2)
			die("write");
		close(fds[1]);
	}
	if (waitpid(pid, &st, 0) < 0)
		die("waitpid");
	t1 = now_ns();
	if (!WIFEXITED(st) || WEXITSTATUS(st) > 1) {
		fprintf(stderr, "swbench: %s failed (status 0x%x)\n", argv[0], st);
		return 1;
	}
	printf("%lld\n", t1 - t0);
	return 0;
}

static char buf[65536];

static long long w_forkexit(long n)
{
	long long t0;
	cpu_set_t one;
	long i;
	pid_t pid;
	int st;

	CPU_ZERO(&one);
	CPU_SET(sched_getcpu(), &one);
	if (sched_setaffinity(0, sizeof(one), &one))
		die("sched_setaffinity");
	t0 = now_ns();
	for (i = 0; i < n; i++) {
		pid = fork();
		if (pid < 0)
			die("fork");
		if (pid == 0)
			_exit(0);
		if (waitpid(pid, &st, 0) < 0)
			die("waitpid");
		if (!WIFEXITED(st) || WEXITSTATUS(st)) {
			fprintf(stderr, "swbench: child status 0x%x\n", st);
			exit(2);
		}
	}
	return now_ns() - t0;
}

static int cmd_hold(long n)
{
	int ready[2], release[2], sig;
	sigset_t term;
	char c;
	long i;

	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	sigprocmask(SIG_BLOCK, &term, NULL);
	if (pipe(ready) || pipe(release))
		die("pipe");
	for (i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid < 0)
			die("fork");
		if (pid == 0) {
			close(ready[0]);
			close(release[1]);
			make_set(0, 0);
			if (write(ready[1], "", 1) != 1)
				_exit(1);
			close(ready[1]);
			/* EOF once the holder closes its end: on SIGTERM or its death */
			while (read(release[0], &c, 1) < 0 && errno == EINTR)
				;
			_exit(0);
		}
	}
	close(ready[1]);
	close(release[0]);
	for (i = 0; i < n; i++)
		if (read(ready[0], &c, 1) != 1) {
			fprintf(stderr, "swbench: hold: only %ld of %ld children ready\n", i, n);
			return 2;
		}
	printf("ready\n");
	fflush(stdout);
	sigwait(&term, &sig);
	close(release[1]);
	while (wait(NULL) > 0)
		;
	return 0;
}

static long long w_getppid(long n)
{
	long long t0 = now_ns();
	long i;

	for (i = 0; i < n; i++)
		syscall(SYS_getppid);
	return now_ns() - t0;
}

static long long w_zero(long n)
{
	int fd = open("/dev/zero", O_RDONLY);
	long long t0;
	long i;

	if (fd < 0)
		die("/dev/zero");
	t0 = now_ns();
	for (i = 0; i < n; i++)
		if (read(fd, buf, 4096) != 4096)
			die("read /dev/zero");
	t0 = now_ns() - t0;
	close(fd);
	return t0;
}

static long long w_churn(long n, int cookie)
{
	long long t0 = now_ns();
	long i;
	int id;

	for (i = 0; i < n; i++) {
		id = make_set(cookie, (unsigned int)i);
		if (semctl(id, 0, IPC_RMID) < 0)
			die("semctl(IPC_RMID)");
	}
	return now_ns() - t0;
}

int main(int argc, char **argv)
{
	long long t0, t1;
	long i, n;
	int fd, id;

	if (argc < 2)
		goto usage;
	if (!strcmp(argv[1], "getppid") && argc == 3) {
		t0 = 0;
		t1 = w_getppid(arg_long(argv[2]));
	} else if (!strcmp(argv[1], "zero") && argc == 3) {
		t0 = 0;
		t1 = w_zero(arg_long(argv[2]));
	} else if (!strcmp(argv[1], "churn") && argc == 4) {
		int cookie = kind(argv[3]);

		t0 = 0;
		t1 = w_churn(arg_long(argv[2]), cookie);
	} else if (!strcmp(argv[1], "suite") && argc == 5) {
		long ng = arg_long(argv[2]), nz = arg_long(argv[3]), nc = arg_long(argv[4]);

		printf("%lld\n", w_getppid(ng));
		printf("%lld\n", w_zero(nz));
		printf("%lld\n", w_churn(nc, 0));
		printf("%lld\n", w_churn(nc, 1));
		return 0;
	} else if (!strcmp(argv[1], "forkexit") && argc == 3) {
		t0 = 0;
		t1 = w_forkexit(arg_long(argv[2]));
	} else if (!strcmp(argv[1], "readfile") && argc == 3) {
		ssize_t r;

		t0 = now_ns();
		fd = open(argv[2], O_RDONLY);
		if (fd < 0)
			die(argv[2]);
		while ((r = read(fd, buf, sizeof(buf))) > 0)
			;
		if (r < 0)
			die(argv[2]);
		close(fd);
		t1 = now_ns();
	} else if ((!strcmp(argv[1], "run") || !strcmp(argv[1], "runy")) && argc >= 3) {
		return cmd_run(argv + 2, argv[1][3] == 'y');
	} else if (!strcmp(argv[1], "leak") && (argc == 4 || argc == 5)) {
		int cookie = kind(argv[3]);
		long first = argc == 5 ? arg_long(argv[4]) : 0;

		n = arg_long(argv[2]);
		if (cookie && first + n > 65536) {
			fprintf(stderr, "swbench: only 65536 keys have the 0x0d4d prefix\n");
			return 2;
		}
		for (i = 0; i < n; i++) {
			make_set(cookie, (unsigned int)(first + i));
			/* a breath per 256, as real device operations leave the module's
			 * deferred work to refill its record pool: none goes unrecorded */
			if (i % 256 == 255)
				usleep(1000);
		}
		return 0;
	} else if (!strcmp(argv[1], "hold") && argc == 3) {
		return cmd_hold(arg_long(argv[2]));
	} else if (!strcmp(argv[1], "count") && argc == 2) {
		struct seminfo si;

		if (semctl(0, 0, SEM_INFO, (union semun){ .__buf = &si }) < 0)
			die("SEM_INFO");
		printf("%d\n", si.semusz);
		return 0;
	} else if (!strcmp(argv[1], "rmall") && argc == 2) {
		struct semid_ds ds;
		int max = semctl(0, 0, SEM_INFO, (union semun){ .__buf = &(struct seminfo){ 0 } });

		if (max < 0)
			die("SEM_INFO");
		for (i = 0; i <= max; i++) {
			id = semctl((int)i, 0, SEM_STAT, (union semun){ .buf = &ds });
			if (id >= 0 && semctl(id, 0, IPC_RMID) < 0)
				die("IPC_RMID");
		}
		return 0;
	} else {
		goto usage;
	}
	printf("%lld\n", t1 - t0);
	return 0;
usage:
	fprintf(stderr, "usage: see the comment at the top of bench/swbench.c\n");
	return 2;
}
