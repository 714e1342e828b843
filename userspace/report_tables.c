// SPDX-License-Identifier: GPL-2.0
/*
 * semwatch report's tables: pressure per namespace, sets per key prefix,
 * the sets of the watched prefix, suspected leaks, advice; with --json a
 * summary first. Unknown values are "?" for people and null in JSON.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libsmartcols.h>

#include "report.h"

enum { S_NS, S_KEY, S_SEMID, S_NSEMS, S_AGE, S_IDLE, S_PID, S_COMM, S_STATE,
       S_EXIT, S_DIED, S_CGROUP, S_WAITERS, S_LASTOP_PID, S_LASTOP_COMM,
       S_LEAK, S_PERMS, S_UID, S_CUID, S_N };
/*
 * AGE_S: since creation; IDLE_S: since ctime/otime, what reap judges
 * (select.c); EXIT and DIED_S: how and when the creator ended; LASTOP_*:
 * a hint for unknown creators, the last operator (report_stuck.c).
 */
const char *const report_set_cols[] = { "NS:n", "KEY", "SEMID:n", "NSEMS:n",
	"AGE_S:n", "IDLE_S:n", "PID:n", "COMM:t", "STATE", "EXIT", "DIED_S:n",
	"CGROUP:t", "WAITERS:n", "LASTOP_PID:n", "LASTOP_COMM:t", "LEAK:b",
	"PERMS", "UID:n", "CUID:n" };
const int report_n_set_cols = S_N, report_n_set_default = S_LEAK + 1;

static struct libscols_table *t_pressure(const struct sw_report *r, bool json)
{
	static const char *const cols[] = { "NS:n", "SETS:n", "SEMMNI:n",
		"SETS_PCT:n", "SEMS:n", "SEMMNS:n", "SEMS_PCT:n", "SEMMSL:n",
		"SEMOPM:n", "WARNING:b" };
	struct libscols_table *t = sw_table("namespaces",
		"Pressure per IPC namespace (warning from 80%)", json, cols, 10);
	size_t i;

	for (i = 0; t && i < r->n_views; i++) {
		const struct sw_nsview *v = &r->views[i];
		struct libscols_line *l = sw_row(t);

		sw_cell(l, 0, "%llu", v->ino);
		sw_cell(l, 1, "%zu", v->n_sets);
		sw_cell(l, 2, "%lld", v->lim.semmni);
		sw_cell(l, 3, "%.1f", sw_pct((long long)v->n_sets, v->lim.semmni));
		sw_cell(l, 4, "%llu", v->sems);
		sw_cell(l, 5, "%lld", v->lim.semmns);
		sw_cell(l, 6, "%.1f", sw_pct((long long)v->sems, v->lim.semmns));
		sw_cell(l, 7, "%lld", v->lim.semmsl);
		sw_cell(l, 8, "%lld", v->lim.semopm);
		sw_cell_bool(l, 9, sw_pressure(v), json, "WARNING", "ok");
	}
	return t;
}

static struct libscols_table *t_prefixes(const struct sw_report *r,
					 const struct sw_outopts *o)
{
	static const char *const cols[] = { "NS:n", "PREFIX", "LABEL",
		"SETS:n", "SEMS:n", "OLDEST_S:n", "LEAKS:n" };
	struct libscols_table *t = sw_table("prefixes", "Sets per key prefix",
					    o->json, cols, 7);
	size_t i;

	for (i = 0; t && i < r->n_pc; i++) {
		const struct sw_pcount *p = &r->pc[i];
		const char *label = sw_prefix_label(p->prefix);
		struct libscols_line *l = sw_row(t);

		sw_cell(l, 0, "%llu", p->ns);
		sw_cell(l, 1, "0x%04x", p->prefix);
		if (label || !o->json)
			sw_cell(l, 2, "%s", label ? label : "-");
		sw_cell(l, 3, "%zu", p->sets);
		sw_cell(l, 4, "%llu", p->sems);
		sw_cell_age(l, 5, p->oldest_s, o);
		sw_cell(l, 6, "%zu", p->leaks);
	}
	return t;
}

/* How a group's creators ended, for people: "killed by SIGKILL". */
static void exit_phrase(const struct sw_exit *x, char *buf, size_t len)
{
	switch (x->kind) {
	case SW_END_SIGNAL:
		snprintf(buf, len, "killed by %s", x->name);
		break;
	case SW_END_OOM:
		snprintf(buf, len, "killed by the OOM killer");
		break;
	case SW_END_STATUS:
		snprintf(buf, len, "exited with status %s", x->name + 7);
		break;
	case SW_END_NONE:	/* dead, but not visible in our PID namespace */
		snprintf(buf, len, "? (other PID namespace)");
		break;
	default:
		snprintf(buf, len, "?");
	}
}

static const char *nonempty(const char *s)
{
	return s && *s ? s : NULL;
}

/* COMM CONTAINER EXIT DIED_S SETS OLDEST_S CGROUP, and in JSON the parts. */
static void leak_row(struct libscols_line *l, const struct sw_leakgroup *g,
		     const struct sw_outopts *o)
{
	char label[320], how[48];

	sw_container_label(&g->ctr, label, sizeof(label));
	sw_cell_text(l, 0, g->comm, o);
	if (g->ctr.runtime != SW_RT_NONE)	/* hex ids and fixed words */
		sw_cell(l, 1, "%s", label);
	else	/* a unit's name, from the cgroup path */
		sw_cell_text(l, 1, nonempty(label) ? label : o->json ? NULL : "-", o);
	if (o->json) {
		sw_cell_text(l, 2, nonempty(g->exit->name), o);
	} else {
		exit_phrase(g->exit, how, sizeof(how));
		sw_cell(l, 2, "%s", how);
	}
	sw_cell_age(l, 3, g->died_s, o);
	sw_cell(l, 4, "%zu", g->sets);
	sw_cell_age(l, 5, g->oldest_s, o);
	sw_cell_text(l, 6, g->cgroup, o);
	if (!o->json)
		return;
	sw_cell_text(l, 7, sw_runtime_name(g->ctr.runtime), o);
	sw_cell_text(l, 8, nonempty(g->ctr.id), o);
	sw_cell_text(l, 9, nonempty(g->ctr.pod), o);
	sw_cell_text(l, 10, nonempty(g->ctr.unit), o);
}

static struct libscols_table *t_leaks(const struct sw_report *r,
				      const struct sw_outopts *o)
{
	static const char *const cols[] = { "COMM:t", "CONTAINER:t", "EXIT",
		"DIED_S:n", "SETS:n", "OLDEST_S:n", "CGROUP:t",
		/* JSON only */ "RUNTIME", "CONTAINER_ID", "POD", "UNIT" };
	char title[256], unknown[96] = "";
	struct libscols_table *t;
	size_t i;

	/* never a bare "none" when some sets could not be judged */
	if (r->unattributed)
		snprintf(unknown, sizeof(unknown), "; %zu more cannot be judged: "
			 "creator unknown, see Advice", r->unattributed);
	snprintf(title, sizeof(title), "Suspected leaks (prefix 0x%04x, creator "
		 "dead, unchanged for %lld min, no waiters%s)", r->rules.prefix,
		 r->rules.age_s / 60, unknown);
	t = sw_table("leaks", title, o->json, cols, o->json ? 11 : 7);
	if (t && r->unattributed)
		scols_cell_set_userdata(scols_table_get_title(t),
					(void *)"none attributable");
	for (i = 0; t && i < r->n_lg; i++)
		leak_row(sw_row(t), &r->lg[i], o);
	return t;
}

/* EXIT and DIED_S of a set: "-" while its creator lives (or is hidden). */
static void set_exit(struct libscols_line *l, int xcol, int dcol,
		     const struct sw_modrow *c, const struct sw_outopts *o)
{
	int kind = c ? c->exit.kind : SW_END_UNKNOWN;

	if (kind > SW_END_NONE) {
		sw_cell_str(l, xcol, c->exit.name);
		sw_cell_age(l, dcol, c->died_s, o);
	} else if (!o->json) {
		sw_cell_str(l, xcol, kind == SW_END_NONE ? "-" : "?");
		sw_cell_str(l, dcol, kind == SW_END_NONE ? "-" : "?");
	}
}

/* pos[S_x]: where column S_x is in the sets table, -1 when not selected. */
static void set_row(struct libscols_table *t, const struct sw_report *r,
		    const struct sw_nsview *v, const struct sw_set *s,
		    const struct ropts *o, const int *pos)
{
	const struct sw_modrow *c = s->creator;
	const char *state = sw_state_name(s);
	struct libscols_line *l = sw_row(t);
	bool json = o->out.json;

	sw_cell_digits(l, pos[S_NS], "", v->ino, 10, 1);
	sw_cell_digits(l, pos[S_KEY], "0x", s->key, 16, 8);
	/* a semid is never negative: semctl() returned it */
	sw_cell_digits(l, pos[S_SEMID], "", (unsigned int)s->semid, 10, 1);
	sw_cell_digits(l, pos[S_NSEMS], "", s->nsems, 10, 1);
	sw_cell_age(l, pos[S_AGE], sw_set_age(s, r->now), &o->out);
	sw_cell_age(l, pos[S_IDLE], sw_set_idle(s, r->now), &o->out);
	sw_cell_num(l, pos[S_PID], c ? c->pid : SW_UNKNOWN, json);
	sw_cell_text(l, pos[S_COMM], c ? c->comm : NULL, &o->out);
	if (strcmp(state, "unknown") || !json)
		sw_cell_str(l, pos[S_STATE], state);
	set_exit(l, pos[S_EXIT], pos[S_DIED], c, &o->out);
	sw_cell_text(l, pos[S_CGROUP], c ? c->cgroup : NULL, &o->out);
	sw_cell_num(l, pos[S_WAITERS], s->waiters, json);
	report_lastop_cells(l, s, pos[S_LASTOP_PID], pos[S_LASTOP_COMM], &o->out);
	sw_cell_bool(l, pos[S_LEAK], sw_is_leak(s, &r->rules, r->now), json,
		     "yes", "no");
	sw_cell_digits(l, pos[S_PERMS], "", s->perms & 0777, 8, 3);
	sw_cell_digits(l, pos[S_UID], "", s->uid, 10, 1);
	sw_cell_digits(l, pos[S_CUID], "", s->cuid, 10, 1);
}

static struct libscols_table *t_sets(const struct sw_report *r,
				     const struct ropts *o)
{
	char title[64];
	struct libscols_table *t;
	int pos[S_N], id;
	size_t i, j;

	for (id = 0; id < S_N; id++)	/* once, not for every cell */
		pos[id] = sw_colsel_pos(&o->sets, id);
	snprintf(title, sizeof(title), "Sets with prefix 0x%04x", r->rules.prefix);
	t = sw_table_sel("sets", title, o->out.json, report_set_cols, &o->sets);
	for (i = 0; t && i < r->n_views; i++)
		for (j = 0; j < r->views[i].n_sets; j++)
			if (sw_has_prefix(r->views[i].sets[j].key, r->rules.prefix))
				set_row(t, r, &r->views[i], &r->views[i].sets[j],
					o, pos);
	return t;
}

static struct libscols_table *t_summary(const struct sw_report *r)
{
	static const char *const cols[] = { "FORMAT_VERSION:n", "MODULE:b",
		"HOOK", "PREFIX", "OLDER_THAN_S:n", "TRACKED:n", "DROPPED:n",
		"SUSPECTED_LEAKS:n", "OLDEST_LEAK_S:n", "UNATTRIBUTED:n",
		"VERSION" };
	struct libscols_table *t = sw_table("semwatch", NULL, true, cols, 11);
	struct libscols_line *l = t ? sw_row(t) : NULL;
	const struct sw_module *m = r->mod;

	if (!l)
		return t;
	if (m) {
		sw_cell(l, 0, "%d", m->format);
		sw_cell(l, 2, "%s", m->hook);
		sw_cell_num(l, 5, m->tracked, true);
		sw_cell_num(l, 6, m->dropped, true);
	}
	sw_cell_bool(l, 1, m != NULL, true, NULL, NULL);
	sw_cell(l, 3, "0x%04x", r->rules.prefix);
	sw_cell(l, 4, "%lld", r->rules.age_s);
	sw_cell(l, 7, "%zu", r->leaks);
	sw_cell_num(l, 8, r->leak_oldest_s, true);
	sw_cell(l, 9, "%zu", r->unattributed);
	sw_cell(l, 10, "%s", SW_VERSION);
	return t;
}

int report_output(const struct sw_report *r, const struct ropts *o)
{
	struct libscols_table *t[7];
	bool json = o->out.json;
	int n = 0, i, ret;

	if (json)
		t[n++] = t_summary(r);
	t[n++] = t_pressure(r, json);
	t[n++] = t_prefixes(r, &o->out);
	if (json || o->verbose)
		t[n++] = t_sets(r, o);
	t[n++] = t_leaks(r, &o->out);
	if (json || report_n_stuck(r))	/* report_stuck.c */
		t[n++] = report_stuck(r, &o->out);
	t[n++] = report_advice(r, json);
	for (i = 0, ret = 0; i < n; i++)
		if (!t[i])
			ret = -ENOMEM;
	if (!ret)
		ret = sw_print(t, n, &o->out);
	for (i = 0; i < n; i++)
		scols_unref_table(t[i]);
	return ret;
}
