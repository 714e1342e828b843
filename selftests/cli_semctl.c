// SPDX-License-Identifier: GPL-2.0
/*
 * cli_semctl: the System V semaphore steps of the CLI tests (the VM's
 * selftests/cli_*_test.sh and the host's userspace/tests/cli_host_ns.sh), as
 * a program because a script interpreter's start costs seconds in a TCG guest.
 *   cli_semctl mk KEY [NSEMS [VAL]]   create (IPC_EXCL), print the semid
 *   cli_semctl mkcomm COMM KEY        the same as "mk KEY", with the calling
 *                                     thread's comm set to COMM first
 *                                     (PR_SET_NAME: at most 15 bytes kept)
 *   cli_semctl mkhold COMM KEY        "mkcomm COMM KEY", then wait for a
 *                                     signal, every one of them at its
 *                                     default action and unblocked: ends
 *                                     killed by the first fatal one
 *   cli_semctl mkexit COMM KEY STATUS "mkcomm COMM KEY", then _exit(STATUS)
 *   cli_semctl mkhog COMM KEY         "mkcomm COMM KEY", then touch new
 *                                     memory 1 MiB at a time: for the OOM
 *                                     killer in a memory-limited cgroup
 *                                     (exit 2 if 1 GiB was touched alive)
 *   cli_semctl rm SEMID               IPC_RMID
 *   cli_semctl touch SEMID            SETVAL semaphore 0 to 0: the set's
 *                                     ctime becomes now
 *   cli_semctl up SEMID               semop +1 on semaphore 0: the set's
 *                                     otime becomes now
 *   cli_semctl exists SEMID KEY       exit 0 if SEMID is alive with KEY
 *   cli_semctl wait KEY               create KEY with value 1, print the
 *                                     semid, sleep until it is 0 (or removed)
 *   cli_semctl waitzero SEMID         sleep until semaphore 0 of SEMID is 0
 *                                     (or the set is removed)
 *   cli_semctl zcnt SEMID             print how many wait for semaphore 0
 *                                     of SEMID to be 0 (GETZCNT)
 *   cli_semctl nextid SEMID           next semget() here gets SEMID
 * KEY, NSEMS and VAL are decimal or 0x/0o/0b-prefixed, SEMID decimal. Exit 0,
 * or 1 on any error, bad usage included, with a message on stderr (none when
 * "exists" finds no such set). Arguments past those shown are ignored, but
 * make the mk* commands fail.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/sem.h>
#include <unistd.h>

static void die(const char *what)
{
	fprintf(stderr, "%s: %s\n", what, strerror(errno));
	exit(1);
}

/*
 * S as Python's int(S, 0) when PREFIXED, else int(S) (decimal), wrapped to
 * 64 bits, then cut to the C type by the caller. Exit 1 if S is not one.
 */
static unsigned long long num(const char *s, int prefixed)
{
	const char *p = s + (*s == '+' || *s == '-');
	const char *digits = "0123456789";
	unsigned long long v;
	int base = 10;

	if (prefixed && p[0] == '0' && p[1] && strchr("xXoObB", p[1])) {
		base = strchr("xX", p[1]) ? 16 : strchr("oO", p[1]) ? 8 : 2;
		digits = base == 16 ? "0123456789abcdefABCDEF" : base == 8 ? "01234567" : "01";
		p += 2;
	} else if (prefixed && p[0] == '0') {
		digits = "0";	/* "010" is neither octal nor decimal */
	}
	errno = 0;
	v = strtoull(p, NULL, base);
	if (!*p || p[strspn(p, digits)] || errno || (*s == '-' && v > 1ULL << 63)) {
		fprintf(stderr, "cli_semctl: not a number: '%s'\n", s);
		exit(1);
	}
	return *s == '-' ? -v : v;
}

static int mk(int key, int nsems, int setval, int val)
{
	int id = semget(key, nsems, IPC_CREAT | IPC_EXCL | 0600);

	if (id < 0)
		die("semget");
	if (setval && semctl(id, 0, SETVAL, val) < 0)
		die("semctl SETVAL");
	printf("%d\n", id);
	fflush(stdout);
	return id;
}

/* "mkcomm COMM KEY" and its variants: set the comm, then create KEY. */
static int mkcomm(const char *comm, const char *key)
{
	if (prctl(PR_SET_NAME, comm))
		die("prctl PR_SET_NAME");
	return mk((int)num(key, 1), 1, 0, 0);
}

/* mkhold: nothing inherited may ignore or hold back the signal that ends it. */
static void default_signals(void)
{
	sigset_t none;
	int s;

	for (s = 1; s < NSIG; s++)
		if (s != SIGKILL && s != SIGSTOP)
			signal(s, SIG_DFL);	/* EINVAL for libc's own: harmless */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

/* mkhog: 1 MiB at a time, each page written, until the OOM killer strikes. */
static int hog(void)
{
	const size_t chunk = 1 << 20;
	char *p;
	int i;

	for (i = 0; i < 1024; i++) {
		p = mmap(NULL, chunk, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			die("mmap");
		memset(p, 0x5a, chunk);
	}
	fprintf(stderr, "cli_semctl: 1 GiB touched without an OOM kill\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";
	struct sembuf zero = { .sem_num = 0, .sem_op = 0, .sem_flg = 0 };
	struct sembuf up = { .sem_num = 0, .sem_op = 1, .sem_flg = 0 };
	struct semid_ds ds;
	FILE *f;
	int id;

	if (!strcmp(cmd, "mk") && argc >= 3 && argc <= 5) {
		mk((int)num(argv[2], 1), argc > 3 ? (int)num(argv[3], 1) : 1, argc > 4,
		   argc > 4 ? (int)num(argv[4], 1) : 0);
		return 0;
	}
	if (!strcmp(cmd, "mkcomm") && argc == 4) {
		mkcomm(argv[2], argv[3]);
		return 0;
	}
	if (!strcmp(cmd, "mkhold") && argc == 4) {
		default_signals();
		mkcomm(argv[2], argv[3]);
		for (;;)
			pause();
	}
	if (!strcmp(cmd, "mkexit") && argc == 5) {
		id = (int)num(argv[4], 1);	/* a bad STATUS fails before the set is made */
		mkcomm(argv[2], argv[3]);
		_exit(id);			/* mk() flushed stdout */
	}
	if (!strcmp(cmd, "mkhog") && argc == 4) {
		mkcomm(argv[2], argv[3]);
		return hog();
	}
	if (!strcmp(cmd, "rm") && argc >= 3) {
		if (semctl((int)num(argv[2], 0), 0, IPC_RMID) < 0)
			die("semctl IPC_RMID");
		return 0;
	}
	if (!strcmp(cmd, "touch") && argc >= 3) {
		if (semctl((int)num(argv[2], 0), 0, SETVAL, 0) < 0)
			die("semctl SETVAL");
		return 0;
	}
	if (!strcmp(cmd, "up") && argc >= 3) {
		if (semop((int)num(argv[2], 0), &up, 1) < 0)
			die("semop");
		return 0;
	}
	if (!strcmp(cmd, "exists") && argc >= 3) {
		if (semctl((int)num(argv[2], 0), 0, IPC_STAT, &ds) < 0)
			return 1;
		return argc < 4 || (unsigned int)ds.sem_perm.__key != num(argv[3], 1);
	}
	if (!strcmp(cmd, "wait") && argc >= 3) {
		id = mk((int)num(argv[2], 1), 1, 1, 1);
		semop(id, &zero, 1);	/* returns at 0, or with EIDRM on removal */
		return 0;
	}
	if (!strcmp(cmd, "waitzero") && argc >= 3) {
		if (semop((int)num(argv[2], 0), &zero, 1) < 0 && errno != EIDRM)
			die("semop");
		return 0;
	}
	if (!strcmp(cmd, "zcnt") && argc >= 3) {
		id = semctl((int)num(argv[2], 0), 0, GETZCNT);
		if (id < 0)
			die("semctl GETZCNT");
		printf("%d\n", id);
		return 0;
	}
	if (!strcmp(cmd, "nextid") && argc >= 3) {
		f = fopen("/proc/sys/kernel/sem_next_id", "w");
		if (!f || fputs(argv[2], f) < 0 || fclose(f))
			die("/proc/sys/kernel/sem_next_id");
		return 0;
	}
	fprintf(stderr, "usage: cli_semctl mk KEY [NSEMS [VAL]] | mkcomm COMM KEY | rm SEMID |\n"
		"                  mkhold COMM KEY | mkexit COMM KEY STATUS | mkhog COMM KEY |\n"
		"                  touch SEMID |\n"
		"                  exists SEMID KEY |\n"
		"                  wait KEY | waitzero SEMID | zcnt SEMID | nextid SEMID\n");
	return 1;
}
