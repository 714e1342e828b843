// SPDX-License-Identifier: GPL-2.0
/*
 * One IPC namespace as seen from inside it, the same way for report and reap:
 * its limits (IPC_INFO), its sets (SEM_INFO + SEM_STAT, as dmsetup finds
 * them), each joined once with its /proc/semwatch row. No per-set syscall
 * here: waiters are counted later, and only for the sets whose fate they
 * decide (sw_snapshot_waiters() for report, reap's own re-check for reap).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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
	for (i = 0; i < v->n_sets; i++)
		v->sems += v->sets[i].nsems;
	sw_snapshot_join(v, m);
	return 0;
}

/* Joins each set to its /proc/semwatch row, if m has one (m may be NULL). */
void sw_snapshot_join(struct sw_nsview *v, const struct sw_module *m)
{
	size_t i;

	for (i = 0; i < v->n_sets; i++)
		v->sets[i].creator = sw_proc_find(m, v->ino, v->sets[i].semid,
						  v->sets[i].key);
}

/*
 * Counts the waiters of each set that reap without --force would take but for
 * them, or keep only for an unknown creator (whether anyone waits on those
 * matters to whoever thinks of --force), or that may be stuck (creator alive:
 * does it wait for udev?): two semctl() calls per semaphore. A set that
 * vanished meanwhile keeps its waiters unknown, so it is no leak, nor stuck.
 */
void sw_snapshot_waiters(struct sw_nsview *v, const struct sw_rules *r,
			 time_t now)
{
	enum sw_skip k;
	size_t i;

	for (i = 0; i < v->n_sets; i++) {
		struct sw_set *s = &v->sets[i];

		k = sw_safe_verdict(s, r, now);
		if (k == SW_SKIP_WAITERS || k == SW_SKIP_UNKNOWN ||
		    sw_stuck_candidate(s, r, now))
			sw_sem_count(s);
	}
}

/*
 * /proc/PID/stat: "PID (COMM) S PPID ...", COMM as the task named itself
 * (any byte but NUL, ")" and newlines included, so it ends at the LAST
 * ")"), starttime the 20th field after it, in clock ticks since boot.
 */
int sw_parse_pidstat(const char *buf, char *comm, size_t len,
		     unsigned long long *start_ticks)
{
	const char *open = strchr(buf, '('), *close = strrchr(buf, ')'), *p;
	int field;

	if (!open || !close || close < open || !len)
		return -EINVAL;
	snprintf(comm, len, "%.*s", (int)(close - open - 1), open + 1);
	for (p = close + 1, field = 2; *p && field < 22; p++)
		if (*p == ' ')
			field++;
	if (field != 22 || sscanf(p, "%llu", start_ticks) != 1)
		return -EINVAL;
	return 0;
}

/* Seconds since process @pid started; its comm in @comm. */
static long long proc_started(long long pid, char *comm, size_t len)
{
	char path[64], buf[1024];
	unsigned long long ticks;
	struct timespec boot;
	long hz = sysconf(_SC_CLK_TCK);
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%lld/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;	/* exited */
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0 || hz <= 0 || clock_gettime(CLOCK_BOOTTIME, &boot))
		return -EIO;
	buf[n] = '\0';
	if (sw_parse_pidstat(buf, comm, len, &ticks))
		return -EINVAL;
	return (long long)boot.tv_sec - (long long)(ticks / (unsigned long)hz);
}

/*
 * The hint for sets of @prefix whose creator nobody knows: the last operator
 * (GETPID) and, while it runs and may have been the one (it started before
 * the set's last change: else its PID was reused), its comm. Not the
 * creator: for a cookie that is most often udev's dmsetup udevcomplete.
 */
void sw_snapshot_lastop(struct sw_nsview *v, uint32_t prefix)
{
	time_t now = time(NULL);	/* the real clock, as /proc's */
	long long started;
	size_t i;

	for (i = 0; i < v->n_sets; i++) {
		struct sw_set *s = &v->sets[i];

		if (!sw_has_prefix(s->key, prefix) ||
		    (s->creator && s->creator->state != SW_STATE_UNKNOWN) ||
		    sw_sem_lastop(s) || s->lastop_pid <= 0)
			continue;
		started = proc_started(s->lastop_pid, s->lastop_comm,
				       sizeof(s->lastop_comm));
		if (!sw_lastop_plausible(started, sw_set_idle(s, now)))
			s->lastop_comm[0] = '\0';
	}
}

void sw_nsview_free(struct sw_nsview *v)
{
	free(v->sets);
	memset(v, 0, sizeof(*v));
}
