// SPDX-License-Identifier: GPL-2.0
/*
 * What the kernel tells anyone without the module: /proc/sysvipc/sem,
 * /proc/sys/kernel/sem and semctl(). All of these describe the IPC namespace
 * of the calling task, which is why nsenter.c moves us around.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sem.h>
#include <sys/stat.h>

#include "semwatch.h"

#define MAXF 32

#define C(n, k, f) { n, SW_F_##k, offsetof(struct sw_set, f) }
static const struct sw_colspec sem_cols[] = {
	C("key", SKEY, key), C("semid", INT, semid), C("perms", OCT, perms),
	C("nsems", U32, nsems), C("uid", U32, uid), C("cuid", U32, cuid),
	C("otime", OPT, otime), C("ctime", OPT, ctime),
};
#undef C
#define NCOLS ((int)(sizeof(sem_cols) / sizeof(sem_cols[0])))

static int sem_row(char *line, int nf, const int *map, struct sw_set *s)
{
	char *f[MAXF];

	if (sw_split(line, f, MAXF) != nf)
		return -EBADMSG;
	memset(s, 0, sizeof(*s));
	s->waiters = SW_UNKNOWN;
	return sw_table_row(f, sem_cols, NCOLS, map, s);
}

/* Parse /proc/sysvipc/sem (buf is modified). */
int sw_sysvipc_parse(char *buf, size_t len, struct sw_set **sets,
		     size_t *n, struct sw_perr *e)
{
	char *p = buf, *nl, *f[MAXF];
	size_t cap = 0;
	unsigned int line = 0;
	int map[NCOLS], nf = -1, ret = 0;

	*sets = NULL;
	*n = 0;
	if (memchr(buf, '\0', len) || (len && buf[len - 1] != '\n'))
		ret = -EBADMSG;
	while (!ret && p < buf + len) {
		nl = strchr(p, '\n');
		*nl = '\0';
		line++;
		if (nf < 0) {
			nf = sw_split(p, f, MAXF);
			ret = nf > 0 ? sw_table_map(f, nf, sem_cols, NCOLS, map)
				     : -EBADMSG;
		} else if (!(ret = sw_grow((void **)sets, &cap, *n, sizeof(**sets)))) {
			ret = sem_row(p, nf, map, &(*sets)[*n]);
			*n += !ret;
		}
		p = nl + 1;
	}
	if (!ret && nf < 0)
		ret = -EBADMSG;		/* not even a header */
	if (ret) {
		sw_perr_set(e, line, "garbled /proc/sysvipc/sem");
		free(*sets);
		*sets = NULL;
		*n = 0;
	}
	return ret;
}

/* /proc/sys/kernel/sem: "SEMMSL SEMMNS SEMOPM SEMMNI". */
int sw_limits_parse(const char *buf, struct sw_limits *lim)
{
	long long *v[4] = { &lim->semmsl, &lim->semmns, &lim->semopm,
			    &lim->semmni };
	char copy[256], *f[5];
	unsigned long long u;
	int i, n;

	if (strlen(buf) >= sizeof(copy))
		return -EBADMSG;
	strcpy(copy, buf);
	copy[strcspn(copy, "\n")] = '\0';
	n = sw_split(copy, f, 5);
	if (n != 4)
		return -EBADMSG;
	for (i = 0; i < 4; i++) {
		if (sw_parse_ull(f[i], 10, INT32_MAX, &u))
			return -EBADMSG;
		*v[i] = (long long)u;
	}
	return 0;
}

/* What SEM_STAT says about a set, in /proc/sysvipc/sem's terms. */
static void from_stat(int semid, const struct semid_ds *ds, struct sw_set *s)
{
	memset(s, 0, sizeof(*s));
	s->key = (uint32_t)ds->sem_perm.__key;
	s->semid = semid;
	s->perms = ds->sem_perm.mode;
	s->nsems = (unsigned int)ds->sem_nsems;
	s->uid = ds->sem_perm.uid;
	s->cuid = ds->sem_perm.cuid;
	s->otime = (long long)ds->sem_otime;
	s->ctime = (long long)ds->sem_ctime;
	s->waiters = SW_UNKNOWN;
}

/*
 * The sets of one prefix, found as dmsetup udevcomplete_all finds them: one
 * SEM_STAT per slot up to SEM_INFO's highest index. Reading
 * /proc/sysvipc/sem instead costs the kernel twice as much per set (it
 * formats every set of every prefix as text) and us a parse of that text.
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
		id = semctl(i, 0, SEM_STAT, &ds);
		if (id < 0) {	/* an empty slot, or one emptied meanwhile */
			if (errno != EINVAL && errno != EIDRM)
				ret = -errno;
			continue;
		}
		if (!sw_has_prefix((uint32_t)ds.sem_perm.__key, prefix))
			continue;
		ret = sw_grow((void **)sets, &cap, *n, sizeof(**sets));
		if (!ret)
			from_stat(id, &ds, &(*sets)[(*n)++]);
	}
	if (ret) {
		free(*sets);
		*sets = NULL;
		*n = 0;
	}
	return ret;
}

/* Tasks sleeping in semop() on any semaphore of the set. */
int sw_sem_waiters(int semid, unsigned int nsems, long long *waiters)
{
	unsigned int i;
	long long sum = 0;
	int z, n;

	for (i = 0; i < nsems; i++) {
		z = semctl(semid, (int)i, GETZCNT);
		n = semctl(semid, (int)i, GETNCNT);
		if (z < 0 || n < 0)
			return -errno;
		sum += z + n;
	}
	*waiters = sum;
	return 0;
}

/* The idr index of an id: low 15 bits, or 24 with ipcmni_extend. */
static int sem_index(int semid)
{
	static int shift;
	char *cmd;
	size_t len;

	if (!shift) {
		shift = 15;
		if (!sw_read_file("/proc/cmdline", &cmd, &len)) {
			if (strstr(cmd, "ipcmni_extend"))
				shift = 24;
			free(cmd);
		}
	}
	return semid & ((1 << shift) - 1);
}

/*
 * Right before IPC_RMID: SEM_STAT the slot again and insist on the same id
 * (a new set in the same slot gets a new sequence number), the same key and
 * the same ctime. Anything else means our selection is stale.
 */
int sw_sem_recheck(const struct sw_set *s)
{
	struct semid_ds ds;
	int id = semctl(sem_index(s->semid), 0, SEM_STAT, &ds);

	if (id < 0)
		return errno == EINVAL || errno == EIDRM ? -ESTALE : -errno;
	if (id != s->semid || (uint32_t)ds.sem_perm.__key != s->key ||
	    (long long)ds.sem_ctime != s->ctime)
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
