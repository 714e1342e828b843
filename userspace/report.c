// SPDX-License-Identifier: GPL-2.0
/*
 * semwatch report: pressure per namespace, sets per key prefix, suspected
 * leaks grouped by creator, and what to do about them.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libsmartcols.h>

#include "semwatch.h"
#include "cli.h"

#define DEFAULT_PROM "/var/lib/prometheus/node-exporter/semwatch.prom"

struct ropts {
	bool json, verbose;
	const char *prom;	/* NULL: no Prometheus output */
};

static const char report_usage[] =
	"Usage: semwatch [report] [--older-than MIN] [--prefix P] [--all-namespaces]\n"
	"                [--json | --prometheus[=PATH]] [--verbose]\n";

static int parse_opts(int argc, char **argv, struct sw_report *r,
		      struct ropts *o)
{
	static const struct option lo[] = {
		{ "older-than", required_argument, NULL, 'o' },
		{ "prefix", required_argument, NULL, 'p' },
		{ "all-namespaces", no_argument, NULL, 'A' },
		{ "json", no_argument, NULL, 'J' },
		{ "prometheus", optional_argument, NULL, 'P' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	long long min = 10;
	int c;

	while ((c = getopt_long(argc, argv, "+o:p:AJvh", lo, NULL)) != -1) {
		switch (c) {
		case 'o':
			if (sw_parse_minutes(optarg, &min))
				return cli_bad_number("--older-than", optarg);
			break;
		case 'p':
			if (sw_parse_prefix(optarg, &r->rules.prefix))
				return cli_bad_number("--prefix", optarg);
			break;
		case 'A': r->all_ns = true; break;
		case 'J': o->json = true; break;
		case 'P': o->prom = optarg ? optarg : DEFAULT_PROM; break;
		case 'v': o->verbose = true; break;
		case 'h': fputs(report_usage, stdout); return -ECANCELED;
		default: return cli_usage(report_usage);
		}
	}
	if (optind < argc)
		return cli_usage(report_usage);
	if (o->json && o->prom)
		return cli_error(SW_EXIT_USAGE, "--json and --prometheus exclude each other");
	r->rules.age_s = min * 60;
	return 0;
}

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

static struct libscols_table *t_prefixes(const struct sw_report *r, bool json)
{
	static const char *const cols[] = { "NS:n", "PREFIX", "LABEL",
		"SETS:n", "SEMS:n", "OLDEST_S:n", "LEAKS:n" };
	struct libscols_table *t = sw_table("prefixes", "Sets per key prefix",
					    json, cols, 7);
	char age[32];
	size_t i;

	for (i = 0; t && i < r->n_pc; i++) {
		const struct sw_pcount *p = &r->pc[i];
		struct libscols_line *l = sw_row(t);

		sw_cell(l, 0, "%llu", p->ns);
		sw_cell(l, 1, "0x%04x", p->prefix);
		sw_cell(l, 2, "%s", sw_prefix_label(p->prefix));
		sw_cell(l, 3, "%zu", p->sets);
		sw_cell(l, 4, "%llu", p->sems);
		sw_age_str(p->oldest_s, age, sizeof(age));
		if (json)
			sw_cell_num(l, 5, p->oldest_s, json);
		else
			sw_cell(l, 5, "%s", age);
		sw_cell(l, 6, "%zu", p->leaks);
	}
	return t;
}

static struct libscols_table *t_leaks(const struct sw_report *r, bool json)
{
	static const char *const cols[] = { "COMM", "CGROUP", "SETS:n",
					    "OLDEST_S:n" };
	char title[160], age[32];
	struct libscols_table *t;
	size_t i;

	snprintf(title, sizeof(title), "Suspected leaks (prefix 0x%04x, creator "
		 "dead, older than %lld min, no waiters)", r->rules.prefix,
		 r->rules.age_s / 60);
	t = sw_table("leaks", title, json, cols, 4);
	for (i = 0; t && i < r->n_lg; i++) {
		struct libscols_line *l = sw_row(t);

		sw_cell(l, 0, "%s", r->lg[i].comm);
		sw_cell(l, 1, "%s", r->lg[i].cgroup);
		sw_cell(l, 2, "%zu", r->lg[i].sets);
		sw_age_str(r->lg[i].oldest_s, age, sizeof(age));
		if (json)
			sw_cell_num(l, 3, r->lg[i].oldest_s, json);
		else
			sw_cell(l, 3, "%s", age);
	}
	return t;
}

static void set_row(struct libscols_table *t, const struct sw_report *r,
		    const struct sw_nsview *v, const struct sw_set *s, bool json)
{
	const struct sw_modrow *c = s->creator;
	struct libscols_line *l = sw_row(t);
	bool leak = sw_is_leak(s, &r->rules, r->now);
	char age[32];

	sw_cell(l, 0, "%llu", v->ino);
	sw_cell(l, 1, "0x%08x", s->key);
	sw_cell(l, 2, "%d", s->semid);
	sw_cell(l, 3, "%u", s->nsems);
	if (json) {
		sw_cell_num(l, 4, sw_set_age(s, r->now), json);
	} else {
		sw_age_str(sw_set_age(s, r->now), age, sizeof(age));
		sw_cell(l, 4, "%s", age);
	}
	sw_cell_num(l, 5, c ? c->pid : SW_UNKNOWN, json);
	if (c || !json) {
		sw_cell(l, 6, "%s", c ? c->comm : "?");
		sw_cell(l, 8, "%s", c ? c->cgroup : "?");
	}
	sw_cell(l, 7, "%s", sw_state_name(s));
	sw_cell_num(l, 9, s->waiters, json);
	sw_cell_bool(l, 10, leak, json, "yes", "no");
}

static struct libscols_table *t_sets(const struct sw_report *r, bool json)
{
	static const char *const cols[] = { "NS:n", "KEY", "SEMID:n",
		"NSEMS:n", "AGE_S:n", "PID:n", "COMM", "STATE", "CGROUP",
		"WAITERS:n", "LEAK:b" };
	char title[64];
	struct libscols_table *t;
	size_t i, j;

	snprintf(title, sizeof(title), "Sets with prefix 0x%04x", r->rules.prefix);
	t = sw_table("sets", title, json, cols, 11);
	for (i = 0; t && i < r->n_views; i++)
		for (j = 0; j < r->views[i].n_sets; j++)
			if (sw_has_prefix(r->views[i].sets[j].key, r->rules.prefix))
				set_row(t, r, &r->views[i], &r->views[i].sets[j], json);
	return t;
}

static struct libscols_table *t_summary(const struct sw_report *r)
{
	static const char *const cols[] = { "FORMAT_VERSION:n", "MODULE:b",
		"HOOK", "PREFIX", "OLDER_THAN_S:n", "TRACKED:n", "DROPPED:n",
		"SUSPECTED_LEAKS:n", "OLDEST_LEAK_S:n", "UNATTRIBUTED:n" };
	struct libscols_table *t = sw_table("semwatch", NULL, true, cols, 10);
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
	return t;
}

static int output(const struct sw_report *r, const struct ropts *o)
{
	struct libscols_table *t[7];
	int n = 0, i, ret;

	if (o->json)
		t[n++] = t_summary(r);
	t[n++] = t_pressure(r, o->json);
	t[n++] = t_prefixes(r, o->json);
	if (o->json || o->verbose)
		t[n++] = t_sets(r, o->json);
	t[n++] = t_leaks(r, o->json);
	t[n++] = report_advice(r, o->json);
	for (i = 0, ret = 0; i < n; i++)
		if (!t[i])
			ret = -ENOMEM;
	if (!ret)
		ret = sw_print(t, n, o->json);
	for (i = 0; i < n; i++)
		scols_unref_table(t[i]);
	return ret;
}

static int collect(unsigned long long ino, void *arg)
{
	struct sw_report *r = arg;
	struct sw_perr e = { 0 };
	int ret;

	if (sw_grow((void **)&r->views, &r->cap_views, r->n_views,
		    sizeof(*r->views)))
		return -ENOMEM;
	ret = sw_snapshot(ino, r->mod, r->rules.prefix, &r->views[r->n_views],
			  &e);
	if (ret)
		return cli_perr("namespace snapshot", ret, &e);
	r->n_views++;
	return 0;
}

static int run(struct sw_report *r, const struct ropts *o)
{
	struct sw_perr e = { 0 };
	char *prom = NULL;
	size_t len;
	int ret;

	r->now = time(NULL);
	r->ipcmni = cli_ipcmni();
	ret = sw_for_each_ns(r->all_ns, collect, r);
	if (ret)
		return ret == -ECANCELED ? SW_EXIT_ERROR :
		       cli_errno(ret, "cannot read the IPC namespaces");
	if ((ret = sw_report_build(r)))
		return cli_errno(ret, "report");
	if (!o->prom) {
		ret = output(r, o);
		if (ret)
			return cli_errno(ret, "output");
	} else {
		ret = sw_prom_render(r, &prom, &len);
		if (!ret)
			ret = sw_prom_write(o->prom, prom, len, &e);
		free(prom);
		if (ret)
			return cli_errno(cli_perr(o->prom, ret, &e), o->prom);
	}
	return r->leaks ? SW_EXIT_FOUND : SW_EXIT_OK;
}

int cmd_report(int argc, char **argv)
{
	struct sw_report r = { .rules.prefix = SW_DM_PREFIX };
	struct sw_module m;
	struct ropts o = { 0 };
	int ret = parse_opts(argc, argv, &r, &o);

	if (ret)
		return ret == -ECANCELED ? SW_EXIT_OK : SW_EXIT_USAGE;
	ret = cli_load_module(&m);
	if (ret < 0)
		return SW_EXIT_ERROR;
	r.mod = ret ? &m : NULL;
	ret = run(&r, &o);
	sw_report_free(&r);
	if (r.mod)
		sw_proc_free(&m);
	return ret;
}
