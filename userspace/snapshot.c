// SPDX-License-Identifier: GPL-2.0
/*
 * One IPC namespace as seen from inside it, the same way for report and reap:
 * its limits (IPC_INFO), its sets (SEM_INFO + SEM_STAT, as dmsetup finds
 * them), each joined once with its /proc/semwatch row. No per-set syscall
 * here: waiters are counted later, and only for the sets whose fate they
 * decide (sw_snapshot_waiters() for report, reap's own re-check for reap).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "semwatch.h"

int sw_snapshot(unsigned long long ino, const struct sw_module *m,
		uint32_t prefix, struct sw_nsview *v, struct sw_perr *e)
{
	size_t i;
	int ret;

	memset(v, 0, sizeof(*v));
	v->ino = ino;
	ret = sw_sem_limits(&v->lim);
	if (ret) {
		sw_perr_set(e, 0, "semctl(IPC_INFO)");
		return ret;
	}
	ret = sw_sem_scan(prefix, &v->sets, &v->n_sets);
	if (ret) {
		sw_perr_set(e, 0, "semctl(SEM_STAT)");
		return ret;
	}
	for (i = 0; i < v->n_sets; i++) {
		v->sems += v->sets[i].nsems;
		v->sets[i].creator = sw_proc_find(m, ino, v->sets[i].semid,
						  v->sets[i].key);
	}
	return 0;
}

/*
 * Counts the waiters of each set that reap without --force would take but for
 * them, or keep only for an unknown creator (whether anyone waits on those
 * matters to whoever thinks of --force): two semctl() calls per semaphore. A
 * set that vanished meanwhile keeps its waiters unknown, so it is no leak.
 */
void sw_snapshot_waiters(struct sw_nsview *v, const struct sw_rules *r,
			 time_t now)
{
	enum sw_skip k;
	size_t i;

	for (i = 0; i < v->n_sets; i++) {
		struct sw_set *s = &v->sets[i];

		k = sw_safe_verdict(s, r, now);
		if (k == SW_SKIP_WAITERS || k == SW_SKIP_UNKNOWN)
			sw_sem_waiters(s->semid, s->nsems, &s->waiters);
	}
}

void sw_nsview_free(struct sw_nsview *v)
{
	free(v->sets);
	memset(v, 0, sizeof(*v));
}
