// SPDX-License-Identifier: GPL-2.0
/*
 * cli_semctl: the System V semaphore steps of the cli_*_test.sh tests, as a
 * program because a python3 start costs seconds to tens of seconds in a TCG
 * guest. Same interface as userspace/tests/semctl.py:
 *   cli_semctl mk KEY [NSEMS [VAL]]   create (IPC_EXCL), print the semid
 *   cli_semctl rm SEMID               IPC_RMID
 *   cli_semctl exists SEMID KEY       exit 0 if SEMID is alive with KEY
 *   cli_semctl nextid SEMID           next semget() here gets SEMID
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/sem.h>

static int mk(int argc, char **argv)
{
	key_t key = (key_t)strtoul(argv[2], NULL, 0);
	int nsems = argc > 3 ? atoi(argv[3]) : 1;
	int id = semget(key, nsems, IPC_CREAT | IPC_EXCL | 0600);

	if (id < 0 || (argc > 4 && semctl(id, 0, SETVAL, atoi(argv[4])) < 0)) {
		perror("semget/SETVAL");
		return 1;
	}
	printf("%d\n", id);
	return 0;
}

int main(int argc, char **argv)
{
	struct semid_ds ds;
	FILE *f;

	if (argc >= 3 && !strcmp(argv[1], "mk"))
		return mk(argc, argv);
	if (argc == 3 && !strcmp(argv[1], "rm"))
		return semctl(atoi(argv[2]), 0, IPC_RMID) < 0;
	if (argc == 4 && !strcmp(argv[1], "exists"))
		return semctl(atoi(argv[2]), 0, IPC_STAT, &ds) < 0 ||
		       (unsigned int)ds.sem_perm.__key != strtoul(argv[3], NULL, 0);
	if (argc == 3 && !strcmp(argv[1], "nextid")) {
		f = fopen("/proc/sys/kernel/sem_next_id", "w");
		return !f || fprintf(f, "%s", argv[2]) < 0 || fclose(f);
	}
	fprintf(stderr, "usage: cli_semctl mk|rm|exists|nextid ...\n");
	return 2;
}
