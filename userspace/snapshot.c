// SPDX-License-Identifier: GPL-2.0
/*
 * One IPC namespace as seen from inside it: its sets and limits, each set
 * joined with its /proc/semwatch row and, for the selected prefix, its
 * waiters (report); or just the prefix's sets and their rows (reap).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "semwatch.h"

static int read_limits(struct sw_limits *lim)
{
	const char *path = sw_path("SEMWATCH_SYSCTL_SEM", "/proc/sys/kernel/sem");
	size_t len;
	char *buf;
	int ret = sw_read_file(path, &buf, &len);

	if (ret)
		return ret;
	ret = sw_limits_parse(buf, lim);
	free(buf);
	return ret;
}

static int read_sets(struct sw_nsview *v, struct sw_perr *e)
{
	const char *path = sw_path("SEMWATCH_SYSVIPC", "/proc/sysvipc/sem");
	size_t len;
	char *buf;
	int ret = sw_read_file(path, &buf, &len);

	if (ret)
		return ret;
	ret = sw_sysvipc_parse(buf, len, &v->sets, &v->n_sets, e);
	free(buf);
	return ret;
}

/* Waiters only for the prefix we judge: two semctl() calls per semaphore. */
static void enrich(struct sw_nsview *v, const struct sw_module *m,
		   uint32_t prefix)
{
	size_t i;

	for (i = 0; i < v->n_sets; i++) {
		struct sw_set *s = &v->sets[i];

		v->sems += s->nsems;
		s->creator = sw_proc_find(m, v->ino, s->semid, s->key);
		if (!sw_has_prefix(s->key, prefix))
			continue;
		/* a set that vanished meanwhile keeps waiters unknown */
		if (getenv("SEMWATCH_SYSVIPC"))
			s->waiters = 0;	/* synthetic file: no real set */
		else
			sw_sem_waiters(s->semid, s->nsems, &s->waiters);
	}
}

int sw_snapshot(unsigned long long ino, const struct sw_module *m,
		uint32_t prefix, struct sw_nsview *v, struct sw_perr *e)
{
	int ret;

	memset(v, 0, sizeof(*v));
	v->ino = ino;
	ret = read_limits(&v->lim);
	if (ret) {
		sw_perr_set(e, 0, "cannot read /proc/sys/kernel/sem");
		return ret;
	}
	ret = read_sets(v, e);
	if (ret) {
		if (ret != -EBADMSG)
			sw_perr_set(e, 0, "cannot read /proc/sysvipc/sem");
		return ret;
	}
	enrich(v, m, prefix);
	return 0;
}

/*
 * What reap needs, and no more: the prefix's sets (SEM_STAT, as dmsetup
 * finds them) with their creators. No limits, no other prefixes, and no
 * waiters: reap counts those only for a set it is about to remove (after
 * the re-check, where a count taken here would be stale anyway) or, in a
 * dry run, would remove.
 */
int sw_snapshot_prefix(unsigned long long ino, const struct sw_module *m,
		       uint32_t prefix, struct sw_nsview *v)
{
	size_t i;
	int ret;

	memset(v, 0, sizeof(*v));
	v->ino = ino;
	ret = sw_sem_scan(prefix, &v->sets, &v->n_sets);
	for (i = 0; !ret && i < v->n_sets; i++) {
		v->sems += v->sets[i].nsems;
		v->sets[i].creator = sw_proc_find(m, ino, v->sets[i].semid,
						  v->sets[i].key);
	}
	return ret;
}

void sw_nsview_free(struct sw_nsview *v)
{
	free(v->sets);
	memset(v, 0, sizeof(*v));
}
