// SPDX-License-Identifier: GPL-2.0
/*
 * semwatch report: pressure per namespace, sets per key prefix, suspected
 * leaks grouped by creator, and what to do about them (report_tables.c), or
 * the same as Prometheus metrics (prom.c).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

#define DEFAULT_PROM "/var/lib/prometheus/node-exporter/semwatch.prom"

enum { O_PROM = CLI_LONG_ONLY, O_ALL, O_NOTRUNC, O_TIME };

static const struct cli_opt report_opts[] = {
	{ "older-than", 'a', required_argument, "MIN",
	  "leaks: ctime and otime MIN minutes old (default 10)" },
	{ "prefix", 'p', required_argument, "P",
	  "the 16-bit key prefix to watch (default 0x0d4d)" },
	{ "all-namespaces", 'A', no_argument, NULL,
	  "every IPC namespace, not only ours (root)" },
	{ "json", 'J', no_argument, NULL, "print one JSON document" },
	{ "prometheus", O_PROM, optional_argument, "PATH",
	  "write Prometheus metrics to PATH ('-': stdout)" },
	{ "verbose", 'v', no_argument, NULL,
	  "also list every set of the prefix (the sets table)" },
	{ "output", 'o', required_argument, "LIST",
	  "columns of the sets table (implies -v), as listed above" },
	{ "output-all", O_ALL, no_argument, NULL,
	  "every column of the sets table (implies -v)" },
	{ "raw", 'r', no_argument, NULL, "tables in raw format" },
	{ "noheadings", 'n', no_argument, NULL,
	  "no column headings or table titles" },
	{ "notruncate", O_NOTRUNC, no_argument, NULL,
	  "never truncate COMM, CGROUP and the like" },
	{ "time-format", O_TIME, required_argument, "FORMAT",
	  "ages as 'human' (13m32s, default) or 'seconds'" },
	{ NULL, 0, 0, NULL, NULL },
};

static const char *const report_exits[] = {
	"0  no suspected leak",
	"1  suspected leaks found, old sets whose creator is unknown, or",
	"   stuck cookies (waited on, creator alive: see Stuck cookies)",
	"2  usage error",
	"3  runtime error (unreadable or garbled input, failing system call)",
	NULL,
};

const struct cli_cmd report_command = {
	.name = "report", .args = "[options]",
	.brief = "pressure, sets per prefix, suspected leaks (default)",
	.summary = "Show the semaphore pressure of each IPC namespace, the sets per\n"
		   "key prefix and the suspected leaks with their creators (default).\n"
		   "Columns of the sets table (-o): NS, KEY, SEMID, NSEMS, AGE_S,\n"
		   "IDLE_S, PID, COMM, STATE, EXIT, DIED_S, CGROUP, WAITERS,\n"
		   "LASTOP_PID, LASTOP_COMM (last operator, not the creator: a hint\n"
		   "for unknown creators), LEAK (default); PERMS, UID, CUID.",
	.exits = report_exits, .opts = report_opts,
};

static int columns(const char *list, struct ropts *o)
{
	char bad[64];
	int ret = sw_colsel_parse(list, report_set_cols, report_n_set_cols,
				  &o->sets, bad, sizeof(bad));

	if (ret == -E2BIG)
		return cli_usage_error("--output: too many columns");
	if (ret == -EEXIST)
		return cli_usage_error("--output: column '%s' given twice", bad);
	if (ret)
		return cli_usage_error("--output: unknown column '%s'", bad);
	o->verbose = true;
	return 0;
}

static int time_format(const char *v, struct ropts *o)
{
	if (strcmp(v, "seconds") && strcmp(v, "human"))
		return cli_usage_error("--time-format: '%s' is neither 'seconds' "
				       "nor 'human'", v);
	o->out.seconds = !strcmp(v, "seconds");
	return 0;
}

/* One option; bare: where an argument would be --prometheus's lost path. */
static int option(int c, struct sw_report *r, struct ropts *o,
		  long long *min, int *bare)
{
	switch (c) {
	case 'a': return cli_parse_age("--older-than", optarg, min);
	case 'p': return cli_parse_prefix("--prefix", optarg, &r->rules.prefix);
	case 'A': r->all_ns = true; return 0;
	case 'J': o->out.json = true; return 0;
	case O_PROM:
		o->prom = optarg ? optarg : DEFAULT_PROM;
		*bare = optarg ? -1 : optind;
		return 0;
	case 'v': o->verbose = true; return 0;
	case 'o': return columns(optarg, o);
	case O_ALL:
		sw_colsel_all(&o->sets, report_n_set_cols);
		o->verbose = true;
		return 0;
	case 'r': o->out.raw = true; return 0;
	case 'n': o->out.noheadings = true; return 0;
	case O_NOTRUNC: o->out.notruncate = true; return 0;
	case O_TIME: return time_format(optarg, o);
	}
	return cli_usage_error("unhandled option");	/* a table entry too many */
}

static int parse_opts(int argc, char **argv, struct sw_report *r,
		      struct ropts *o)
{
	long long min = 10;
	int c, ret, bare = -1;

	sw_colsel_all(&o->sets, report_n_set_default);
	while ((c = cli_next(argc, argv, &report_command)) >= 0)
		if ((ret = option(c, r, o, &min, &bare)))
			return ret;
	if (c != -1)
		return c;
	if (optind < argc && optind == bare)
		return cli_usage_error("--prometheus takes its path as "
				       "--prometheus=PATH (unexpected argument "
				       "'%s')", argv[optind]);
	if ((ret = cli_no_args(argc, argv, &report_command)))
		return ret;
	if (o->out.json && o->prom)
		return cli_usage_error("--json and --prometheus exclude each other");
	if (o->verbose && o->prom)
		return cli_usage_error("--prometheus writes metrics, not the "
				       "sets table (-v, -o, --output-all)");
	r->rules.age_s = min * 60;
	return 0;
}

static int collect(unsigned long long ino, void *arg)
{
	struct sw_report *r = arg;
	struct sw_perr e = { 0 };
	int ret;

	if (sw_grow((void **)&r->views, &r->cap_views, r->n_views,
		    sizeof(*r->views)))
		return -ENOMEM;
	ret = sw_snapshot(ino, r->mod, SW_ANY_PREFIX, &r->views[r->n_views],
			  &e);
	if (ret)
		return cli_perr("namespace snapshot", ret, &e);
	/* semids are the namespace's own: count while inside it */
	sw_snapshot_waiters(&r->views[r->n_views], &r->rules, r->now);
	sw_snapshot_lastop(&r->views[r->n_views], r->rules.prefix);
	r->n_views++;
	return 0;
}

static int prometheus(const struct sw_report *r, const char *path)
{
	struct sw_perr e = { 0 };
	char *prom = NULL;
	size_t len;
	int ret = sw_prom_render(r, &prom, &len);

	if (!ret)
		ret = sw_prom_write(path, prom, len, &e);
	free(prom);
	if (ret)
		cli_perr(path, ret, &e);
	return ret ? SW_EXIT_ERROR : 0;
}

static int run(struct sw_report *r, const struct ropts *o)
{
	int ret;

	r->now = sw_now();
	r->ipcmni = cli_ipcmni();
	ret = sw_for_each_ns(r->all_ns, collect, r);
	if (ret)
		return cli_errno(ret, "cannot read the IPC namespaces");
	if ((ret = sw_report_build(r)))
		return cli_errno(ret, "cannot build the report");
	if (o->prom)
		ret = prometheus(r, o->prom);
	else if ((ret = report_output(r, o)))
		ret = cli_errno(ret, "cannot print the report");
	if (ret)
		return ret;
	/* "none" is only an answer when every old set could be judged */
	return r->leaks || r->unattributed || report_n_stuck(r) ?
	       SW_EXIT_FOUND : SW_EXIT_OK;
}

int cmd_report(int argc, char **argv)
{
	struct sw_report r = { .rules.prefix = SW_DM_PREFIX };
	struct sw_module m;
	struct ropts o = { 0 };
	int ret;

	cli_set_cmd("report");
	ret = parse_opts(argc, argv, &r, &o);
	if (ret)
		return ret == -ECANCELED ? SW_EXIT_OK : SW_EXIT_USAGE;
	ret = cli_load_module(&m, true);
	if (ret < 0)
		return SW_EXIT_ERROR;
	r.mod = ret ? &m : NULL;
	ret = run(&r, &o);
	sw_report_free(&r);
	if (r.mod)
		sw_proc_free(&m);
	return ret;
}
