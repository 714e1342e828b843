// SPDX-License-Identifier: GPL-2.0
/*
 * The content of a report: per-prefix counts, leaks grouped by creator and
 * the sysctl advice. Formats (table, JSON, Prometheus) only render this.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "semwatch.h"

double sw_pct(long long used, long long limit)
{
	return limit > 0 ? 100.0 * (double)used / (double)limit : 0.0;
}

/* Warn from 80% of SEMMNI (sets) or SEMMNS (semaphores). */
bool sw_pressure(const struct sw_nsview *v)
{
	return sw_pct((long long)v->n_sets, v->lim.semmni) >= 80.0 ||
	       sw_pct((long long)v->sems, v->lim.semmns) >= 80.0;
}

/*
 * Room for twice the current use, within the kernel's ceilings (SEMMNI <=
 * IPCMNI, the rest <= INT_MAX). Returns false when nothing can be raised.
 */
bool sw_sysctl_advice(const struct sw_nsview *v, long long ipcmni,
		      char *buf, size_t len)
{
	long long mni = v->lim.semmni, mns = v->lim.semmns;
	long long want_mni = 2 * (long long)v->n_sets;
	long long want_mns = 2 * (long long)v->sems;

	if (want_mni > mni)
		mni = want_mni < ipcmni ? want_mni : ipcmni;
	if (want_mns > mns)
		mns = want_mns < INT_MAX ? want_mns : INT_MAX;
	if (mni == v->lim.semmni && mns == v->lim.semmns)
		return false;
	snprintf(buf, len, "sysctl -w kernel.sem=\"%lld %lld %lld %lld\"",
		 v->lim.semmsl, mns, v->lim.semopm, mni);
	return true;
}

static int cmp_key(const void *a, const void *b)
{
	const struct sw_set *x = a, *y = b;

	return (x->key > y->key) - (x->key < y->key);
}

static int count_prefixes(struct sw_report *r, struct sw_nsview *v,
			  size_t *cap)
{
	struct sw_pcount *pc = NULL;
	size_t i;

	if (v->n_sets)		/* sets is NULL then, which qsort() may not get */
		qsort(v->sets, v->n_sets, sizeof(*v->sets), cmp_key);
	for (i = 0; i < v->n_sets; i++) {
		const struct sw_set *s = &v->sets[i];
		long long age = sw_set_age(s, r->now);

		if (!pc || pc->prefix != s->key >> 16) {
			if (sw_grow((void **)&r->pc, cap, r->n_pc, sizeof(*pc)))
				return -ENOMEM;
			pc = &r->pc[r->n_pc++];
			memset(pc, 0, sizeof(*pc));
			pc->ns = v->ino;
			pc->prefix = s->key >> 16;
			pc->oldest_s = SW_UNKNOWN;
		}
		pc->sets++;
		pc->sems += s->nsems;
		pc->leaks += sw_is_leak(s, &r->rules, r->now);
		if (age > pc->oldest_s)
			pc->oldest_s = age;
	}
	return 0;
}

static bool same_str(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static bool same_exit(const struct sw_exit *a, const struct sw_exit *b)
{
	return a->kind == b->kind && !strcmp(a->name, b->name);
}

/*
 * The same place: the same container (runtime, id, pod) or, outside one, the
 * same systemd unit; where the path names neither, the same cgroup.
 */
static bool same_place(const struct sw_leakgroup *g,
		       const struct sw_container *c, const char *cgroup)
{
	const struct sw_container *d = &g->ctr;

	if (c->runtime != d->runtime || strcmp(c->id, d->id) ||
	    strcmp(c->pod, d->pod) || strcmp(c->unit, d->unit))
		return false;
	return c->runtime != SW_RT_NONE || c->unit[0] ||
	       same_str(cgroup, g->cgroup);
}

static struct sw_leakgroup *leak_group(struct sw_report *r,
				       const struct sw_modrow *c, size_t *cap)
{
	struct sw_container ctr;
	size_t i;

	sw_container_parse(c->cgroup, &ctr);
	for (i = 0; i < r->n_lg; i++)
		if (same_str(r->lg[i].comm, c->comm) &&
		    same_exit(r->lg[i].exit, &c->exit) &&
		    same_place(&r->lg[i], &ctr, c->cgroup))
			return &r->lg[i];
	if (sw_grow((void **)&r->lg, cap, r->n_lg, sizeof(*r->lg)))
		return NULL;
	r->lg[r->n_lg] = (struct sw_leakgroup){ .comm = c->comm,
		.cgroup = c->cgroup, .exit = &c->exit, .ctr = ctr,
		.oldest_s = SW_UNKNOWN, .died_s = SW_UNKNOWN };
	return &r->lg[r->n_lg++];
}

static int add_leak(struct sw_report *r, const struct sw_set *s, size_t *cap)
{
	const struct sw_modrow *c = s->creator;
	long long age = sw_set_age(s, r->now);
	struct sw_leakgroup *g = leak_group(r, c, cap);

	if (!g)
		return -ENOMEM;
	g->sets++;
	if (age > g->oldest_s) {
		g->oldest_s = age;
		g->cgroup = c->cgroup;
	}
	/* the latest death: whether creators still die so */
	if (c->died_s >= 0 && (g->died_s < 0 || c->died_s < g->died_s))
		g->died_s = c->died_s;
	if (age > r->leak_oldest_s)
		r->leak_oldest_s = age;
	r->leaks++;
	return 0;
}

static int cmp_str(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

/*
 * Most sets first, then the oldest, then by name: the order people read.
 * Then by how the creator ended, the container's label and the cgroup, so
 * that no two groups compare equal and the order does not hang on qsort().
 */
static int cmp_group(const void *a, const void *b)
{
	const struct sw_leakgroup *x = a, *y = b;
	char lx[320], ly[320];
	int c;

	if (x->sets != y->sets)
		return x->sets < y->sets ? 1 : -1;
	if (x->oldest_s != y->oldest_s)
		return x->oldest_s < y->oldest_s ? 1 : -1;
	if ((c = cmp_str(x->comm, y->comm)) ||
	    (c = strcmp(x->exit->name, y->exit->name)))
		return c;
	if (x->exit->kind != y->exit->kind)
		return x->exit->kind < y->exit->kind ? -1 : 1;
	sw_container_label(&x->ctr, lx, sizeof(lx));
	sw_container_label(&y->ctr, ly, sizeof(ly));
	if ((c = strcmp(lx, ly)))
		return c;
	if (x->ctr.runtime != y->ctr.runtime)
		return x->ctr.runtime < y->ctr.runtime ? -1 : 1;
	return cmp_str(x->cgroup, y->cgroup);
}

/*
 * A leak but for its creator, which nobody knows: old enough, no waiters,
 * nothing else keeps it. Counted by why it is unknown, for the advice.
 */
static void add_unattributed(struct sw_report *r, const struct sw_set *s)
{
	if (sw_safe_verdict(s, &r->rules, r->now) != SW_SKIP_UNKNOWN ||
	    s->waiters != 0)
		return;
	r->unknown[sw_unknown_why(r->mod, s)]++;
	r->unattributed++;
}

int sw_report_build(struct sw_report *r)
{
	size_t pcap = 0, lcap = 0, i, j;
	int ret;

	r->leak_oldest_s = SW_UNKNOWN;
	for (i = 0; i < r->n_views; i++) {
		struct sw_nsview *v = &r->views[i];

		ret = count_prefixes(r, v, &pcap);
		for (j = 0; !ret && j < v->n_sets; j++) {
			/* what reap --force takes (never a stuck set): its advice says it */
			r->old += sw_has_prefix(v->sets[j].key, r->rules.prefix) &&
				  sw_set_idle(&v->sets[j], r->now) >= r->rules.age_s &&
				  !sw_is_stuck(&v->sets[j], &r->rules, r->now);
			if (sw_is_leak(&v->sets[j], &r->rules, r->now))
				ret = add_leak(r, &v->sets[j], &lcap);
			else
				add_unattributed(r, &v->sets[j]);
		}
		if (ret)
			return ret;
	}
	if (r->n_lg > 1)
		qsort(r->lg, r->n_lg, sizeof(*r->lg), cmp_group);
	return 0;
}

void sw_report_free(struct sw_report *r)
{
	size_t i;

	for (i = 0; i < r->n_views; i++)
		sw_nsview_free(&r->views[i]);
	free(r->views);
	free(r->pc);
	free(r->lg);
	r->views = NULL;
	r->pc = NULL;
	r->lg = NULL;
	r->n_views = r->n_pc = r->n_lg = 0;
}
