// SPDX-License-Identifier: GPL-2.0
/*
 * mkset KEY NSEMS: create (or open) a System V semaphore set and print its
 * semid. preload.sh uses it to make a set before semwatch.ko is loaded; it is
 * a program rather than a script because the guest chroot has no tool that
 * creates a semaphore set.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/sem.h>

int main(int argc, char **argv)
{
	int id;

	if (argc != 3) {
		fprintf(stderr, "usage: mkset KEY NSEMS\n");
		return 2;
	}
	id = semget((key_t)strtoul(argv[1], NULL, 0), atoi(argv[2]), IPC_CREAT | 0600);
	if (id < 0) {
		perror("semget");
		return 1;
	}
	printf("%d\n", id);
	return 0;
}
