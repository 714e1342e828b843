// SPDX-License-Identifier: GPL-2.0
/*
 * What the kernel tells anyone without the module: semctl()'s IPC_INFO,
 * SEM_INFO and SEM_STAT, as ipcs and dmsetup use them. All of these describe
 * the IPC namespace of the calling task, which is why nsenter.c moves us around.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sem.h>
#include <sys/stat.h>

#include "semwatch.h"

#ifndef SEM_STAT_ANY
#define SEM_STAT_ANY 20	/* <linux/sem.h>, Linux 4.17 */
#endif

/* IPC_INFO: the namespace's limits, as ipcs -l reads them. */
int sw_sem_limits(struct sw_limits *lim)
{
	struct seminfo si;

	if (semctl(0, 0, IPC_INFO, &si) < 0)
		return -errno;
	*lim = (struct sw_limits){ .semmsl = si.semmsl, .semmns = si.semmns,
		.semopm = si.semopm, .semmni = si.semmni };
	return 0;
}

/* What SEM_STAT_ANY says about a set. */
static void from_stat(int slot, int semid, const struct semid_ds *ds,
		      struct sw_set *s)
{
	memset(s, 0, sizeof(*s));
	s->slot = slot;
	s->key = (uint32_t)ds->sem_perm.__key;
	s->semid = semid;
	s->perms = ds->sem_perm.mode;
	s->nsems = (unsigned int)ds->sem_nsems;
	s->uid = ds->sem_perm.uid;
	s->cuid = ds->sem_perm.cuid;
	s->otime = (long long)ds->sem_otime;
	s->ctime = (long long)ds->sem_ctime;
	s->waiters = s->zcnt = s->semval = SW_UNKNOWN;
}

/*
 * The sets of one prefix (or all, SW_ANY_PREFIX), found as dmsetup
 * udevcomplete_all finds them: one stat per slot up to SEM_INFO's highest
 * index. SEM_STAT_ANY (Linux 4.17), as ipcs uses it, so that a user who may
 * not read a set still counts it. Reading /proc/sysvipc/sem instead costs the
 * kernel twice as much per set (it formats every set as text) and us a parse.
 */
int sw_sem_scan(uint32_t prefix, struct sw_set **sets, size_t *n)
{
	struct seminfo si;
	struct semid_ds ds;
	size_t cap = 0;
	int max = semctl(0, 0, SEM_INFO, &si), i, id, ret = 0;

	*sets = NULL;
	*n = 0;
	if (max < 0)
		return -errno;
	for (i = 0; i <= max && !ret; i++) {
		id = semctl(i, 0, SEM_STAT_ANY, &ds);
		if (id < 0) {	/* an empty slot, or one emptied meanwhile */
			if (errno != EINVAL && errno != EIDRM)
				ret = -errno;
			continue;
		}
		if (prefix != SW_ANY_PREFIX &&
		    !sw_has_prefix((uint32_t)ds.sem_perm.__key, prefix))
			continue;
		ret = sw_grow((void **)sets, &cap, *n, sizeof(**sets));
		if (!ret)
			from_stat(i, id, &ds, &(*sets)[(*n)++]);
	}
	if (ret) {
		free(*sets);
		*sets = NULL;
		*n = 0;
	}
	return ret;
}

/*
 * Tasks sleeping in semop() on any semaphore of the set: all of them
 * (GETZCNT + GETNCNT), those waiting for zero alone (GETZCNT: how a
 * libdevmapper waiter waits for udev), and semaphore 0's value (GETVAL: a
 * cookie's udev events still pending). Unknown (-1) unless all succeed.
 */
int sw_sem_count(struct sw_set *s)
{
	long long sum = 0, zsum = 0;
	unsigned int i;
	int z, n, val = semctl(s->semid, 0, GETVAL);

	s->waiters = s->zcnt = s->semval = SW_UNKNOWN;
	if (val < 0)
		return -errno;
	for (i = 0; i < s->nsems; i++) {
		z = semctl(s->semid, (int)i, GETZCNT);
		n = semctl(s->semid, (int)i, GETNCNT);
		if (z < 0 || n < 0)
			return -errno;
		sum += z + n;
		zsum += z;
	}
	s->waiters = sum;
	s->zcnt = zsum;
	s->semval = val;
	return 0;
}

/*
 * GETPID of semaphore 0: the last task to operate on it (semop, SETVAL,
 * SETALL), in our PID namespace; 0 if none did, or it is not visible here.
 * Semaphore 0 because a cookie has only that one, and because the kernel
 * keeps no per-semaphore time we could pick "the most recent" by.
 */
int sw_sem_lastop(struct sw_set *s)
{
	int pid = semctl(s->semid, 0, GETPID);

	s->lastop_pid = 0;
	if (pid < 0)
		return -errno;
	s->lastop_pid = pid;
	return 0;
}

/*
 * Right before IPC_RMID: stat the slot again and insist on the same id
 * (a new set in the same slot gets a new sequence number), the same key,
 * ctime and otime (a semop() since may have made it too young). Anything
 * else means our selection is stale.
 */
int sw_sem_recheck(const struct sw_set *s)
{
	struct semid_ds ds;
	int id = semctl(s->slot, 0, SEM_STAT_ANY, &ds);

	if (id < 0)
		return errno == EINVAL || errno == EIDRM ? -ESTALE : -errno;
	if (id != s->semid || (uint32_t)ds.sem_perm.__key != s->key ||
	    (long long)ds.sem_ctime != s->ctime ||
	    (long long)ds.sem_otime != s->otime)
		return -ESTALE;
	return 0;
}

int sw_ns_self(unsigned long long *ino)
{
	struct stat st;

	if (stat("/proc/self/ns/ipc", &st))
		return -errno;
	*ino = (unsigned long long)st.st_ino;
	return 0;
}
