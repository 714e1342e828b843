// SPDX-License-Identifier: GPL-2.0
/*
 * Stuck cookies (select.c: sw_is_stuck): a live process waits for udev,
 * which will never complete its cookie. Here: the command that releases one,
 * as report's table, its advice and reap print it; and the last-operator
 * hint cells of report's sets table.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <libsmartcols.h>

#include "report.h"

/* Is process @pid in IPC namespace @ns? */
static bool in_ns(long long pid, unsigned long long ns)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%lld/ns/ipc", pid);
	return pid > 0 && !stat(path, &st) && (unsigned long long)st.st_ino == ns;
}

/*
 * A process nsenter can enter namespace @ns through: the creator (alive, or
 * the set would not be stuck), unless it moved to another IPC namespace or
 * our PID namespace cannot see it; then the first one /proc shows in @ns.
 */
static long long ns_pid(long long creator, unsigned long long ns)
{
	struct dirent *de;
	long long pid = -ESRCH;
	DIR *d;

	if (in_ns(creator, ns))
		return creator;
	d = opendir("/proc");
	if (!d)
		return -errno;
	while (pid < 0 && (de = readdir(d)))
		if (isdigit((unsigned char)de->d_name[0]) &&
		    in_ns(atoll(de->d_name), ns))
			pid = atoll(de->d_name);
	closedir(d);
	return pid;
}

/*
 * The release command of stuck cookie @s of namespace @ns, for a user in
 * namespace @home (ours). -ESRCH: no process of @ns is visible here.
 */
int sw_release_for(const struct sw_set *s, unsigned long long ns,
		   unsigned long long home, char *buf, size_t len)
{
	long long pid = 0;

	if (ns != home) {
		pid = ns_pid(s->creator ? s->creator->pid : -1, ns);
		if (pid < 0)
			return (int)pid;
	}
	return sw_release_cmd(buf, len, s->key, pid, s->semval);
}

/* reap: after a stuck cookie's "kept (stuck)" line, how to release it. */
void stuck_release_line(const struct sw_set *s, unsigned long long ns,
			unsigned long long home)
{
	char cmd[SW_RELEASE_LEN];

	if (sw_release_for(s, ns, home, cmd, sizeof(cmd)))
		printf("release: in IPC namespace %llu (none of its processes is "
		       "visible here): dmsetup udevcomplete 0x%08x\n", ns, s->key);
	else
		printf("release: %s\n", cmd);
}

/* reap: under its Skipped line, what the stuck ones are. */
void stuck_reap_note(size_t n)
{
	if (n)
		printf("Stuck cookies: %zu, waited on by a live process and never "
		       "completed by udev (udev in another IPC namespace, or its "
		       "worker killed). Never reaped, not even with --force: "
		       "release each with its 'release:' command, which does what "
		       "udev would have done.\n", n);
}

size_t report_n_stuck(const struct sw_report *r)
{
	size_t i, j, n = 0;

	for (i = 0; i < r->n_views; i++)
		for (j = 0; j < r->views[i].n_sets; j++)
			n += sw_is_stuck(&r->views[i].sets[j], &r->rules, r->now);
	return n;
}

/* How many are stuck; the first one's release command in @cmd ("" if none). */
size_t report_stuck_first(const struct sw_report *r, char *cmd, size_t len)
{
	unsigned long long home = 0;
	size_t i, j, n = 0;

	cmd[0] = '\0';
	sw_ns_self(&home);
	for (i = 0; i < r->n_views; i++)
		for (j = 0; j < r->views[i].n_sets; j++) {
			const struct sw_set *s = &r->views[i].sets[j];

			if (sw_is_stuck(s, &r->rules, r->now) && !n++ &&
			    sw_release_for(s, r->views[i].ino, home, cmd, len))
				cmd[0] = '\0';
		}
	return n;
}

static void stuck_row(struct libscols_line *l, const struct sw_report *r,
		      const struct sw_nsview *v, const struct sw_set *s,
		      unsigned long long home, const struct sw_outopts *o)
{
	const struct sw_modrow *c = s->creator;	/* alive: known */
	char cmd[SW_RELEASE_LEN];

	sw_cell(l, 0, "%llu", v->ino);
	sw_cell(l, 1, "0x%08x", s->key);
	sw_cell(l, 2, "%d", s->semid);
	sw_cell_num(l, 3, c->pid, o->json);
	sw_cell_text(l, 4, c->comm, o);
	sw_cell_text(l, 5, c->cgroup, o);
	sw_cell_age(l, 6, sw_set_idle(s, r->now), o);
	sw_cell_num(l, 7, s->zcnt, o->json);
	sw_cell_num(l, 8, s->semval, o->json);
	if (!sw_release_for(s, v->ino, home, cmd, sizeof(cmd)))
		sw_cell(l, 9, "%s", cmd);
	else if (!o->json)
		sw_cell(l, 9, "?");
}

/*
 * "Stuck cookies": one row per stuck set, with the exact command that
 * releases it (JSON: "stuck"). WAITERS counts those waiting for zero
 * (GETZCNT), VALUE the udev events still pending (GETVAL).
 */
struct libscols_table *report_stuck(const struct sw_report *r,
				    const struct sw_outopts *o)
{
	static const char *const cols[] = { "NS:n", "KEY", "SEMID:n", "PID:n",
		"COMM:t", "CGROUP:t", "IDLE_S:n", "WAITERS:n", "VALUE:n",
		"COMMAND" };
	long long idle = r->rules.age_s > SW_STUCK_MIN_IDLE_S ?
			 r->rules.age_s : SW_STUCK_MIN_IDLE_S;
	unsigned long long home = 0;
	struct libscols_table *t;
	char title[96];
	size_t i, j;

	snprintf(title, sizeof(title), "Stuck cookies: waited on, creator alive, "
		 "idle for %lld min or more", idle / 60);
	t = sw_table("stuck", title, o->json, cols, 10);
	sw_ns_self(&home);
	for (i = 0; t && i < r->n_views; i++)
		for (j = 0; j < r->views[i].n_sets; j++)
			if (sw_is_stuck(&r->views[i].sets[j], &r->rules, r->now))
				stuck_row(sw_row(t), r, &r->views[i],
					  &r->views[i].sets[j], home, o);
	return t;
}

/*
 * The sets table's LASTOP_PID and LASTOP_COMM: who last operated on a set
 * whose creator is unknown (a hint, never the creator). "-": no hint (creator
 * known, or no operation yet); a PID with "?": that process has exited, or
 * its PID now names a process younger than the set's last change.
 */
void report_lastop_cells(struct libscols_line *l, const struct sw_set *s,
			 int pid_col, int comm_col, const struct sw_outopts *o)
{
	if (s->lastop_pid <= 0) {
		if (!o->json) {
			sw_cell_str(l, pid_col, "-");
			sw_cell_str(l, comm_col, "-");
		}
		return;
	}
	sw_cell_num(l, pid_col, s->lastop_pid, o->json);	/* > 0 here */
	sw_cell_text(l, comm_col, s->lastop_comm[0] ? s->lastop_comm : NULL, o);
}
