// SPDX-License-Identifier: GPL-2.0
/*
 * cli_semctl: the System V semaphore steps of the CLI tests (the VM's
 * selftests/cli_*_test.sh and the host's userspace/tests/cli_host_ns.sh), as
 * a program because a script interpreter's start costs seconds in a TCG guest.
 *   cli_semctl mk KEY [NSEMS [VAL]]   create (IPC_EXCL), print the semid
 *   cli_semctl mkcomm COMM KEY        the same as "mk KEY", with the calling
 *                                     thread's comm set to COMM first
 *                                     (PR_SET_NAME: at most 15 bytes kept)
 *   cli_semctl rm SEMID               IPC_RMID
 *   cli_semctl touch SEMID            SETVAL semaphore 0 to 0: the set's
 *                                     ctime becomes now
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
 * make mk and mkcomm fail.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/prctl.h>
#include <sys/sem.h>

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

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";
	struct sembuf zero = { .sem_num = 0, .sem_op = 0, .sem_flg = 0 };
	struct semid_ds ds;
	FILE *f;
	int id;

	if (!strcmp(cmd, "mk") && argc >= 3 && argc <= 5) {
		mk((int)num(argv[2], 1), argc > 3 ? (int)num(argv[3], 1) : 1, argc > 4,
		   argc > 4 ? (int)num(argv[4], 1) : 0);
		return 0;
	}
	if (!strcmp(cmd, "mkcomm") && argc == 4) {
		if (prctl(PR_SET_NAME, argv[2]))
			die("prctl PR_SET_NAME");
		mk((int)num(argv[3], 1), 1, 0, 0);
		return 0;
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
		"                  touch SEMID |\n"
		"                  exists SEMID KEY |\n"
		"                  wait KEY | waitzero SEMID | zcnt SEMID | nextid SEMID\n");
	return 1;
}
