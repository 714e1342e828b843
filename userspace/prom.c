// SPDX-License-Identifier: GPL-2.0
/*
 * node_exporter textfile metrics. The collector reads the directory at any
 * moment, so the file is replaced atomically (temporary file + rename). Its
 * temporary name does not end in .prom, so the collector never reads it.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "semwatch.h"

static void head(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP semwatch_%s %s\n# TYPE semwatch_%s %s\n",
		name, help, name, type);
}

enum { NS_SETS, NS_SEMS, NS_SEMMNI, NS_SEMMNS, NS_SEMMSL, NS_STUCK };

/* Sets of @v that reap never takes, not even with --force (select.c). */
static long long ns_stuck(const struct sw_report *r, const struct sw_nsview *v)
{
	long long n = 0;
	size_t j;

	for (j = 0; j < v->n_sets; j++)
		n += sw_is_stuck(&v->sets[j], &r->rules, r->now);
	return n;
}

static long long ns_value(const struct sw_report *r, const struct sw_nsview *v,
			  int k)
{
	switch (k) {
	case NS_SETS: return (long long)v->n_sets;
	case NS_SEMS: return (long long)v->sems;
	case NS_SEMMNI: return v->lim.semmni;
	case NS_SEMMNS: return v->lim.semmns;
	case NS_STUCK: return ns_stuck(r, v);
	default: return v->lim.semmsl;
	}
}

/* One gauge with an ns label, one sample per namespace. */
static void per_ns(FILE *f, const struct sw_report *r, const char *name,
		   const char *help, int k)
{
	size_t i;

	head(f, name, "gauge", help);
	for (i = 0; i < r->n_views; i++)
		fprintf(f, "semwatch_%s{ns=\"%llu\"} %lld\n", name,
			r->views[i].ino, ns_value(r, &r->views[i], k));
}

/* The labels of a prefix's samples; label only when the prefix has a name. */
static void prefix_labels(FILE *f, const struct sw_pcount *p)
{
	const char *label = sw_prefix_label(p->prefix);

	fprintf(f, "{ns=\"%llu\",prefix=\"0x%04x\"", p->ns, p->prefix);
	if (label)
		fprintf(f, ",label=\"%s\"", label);
	fputc('}', f);
}

static void prefixes(FILE *f, const struct sw_report *r)
{
	static const char *const what[] = { "sets", "semaphores",
					    "oldest_age_seconds" };
	static const char *const help[] = { "Semaphore sets per key prefix.",
		"Semaphores in the sets of a key prefix.",
		"Age of the oldest set of a key prefix." };
	char name[64];
	size_t i;
	int k;

	for (k = 0; k < 3; k++) {
		snprintf(name, sizeof(name), "prefix_%s", what[k]);
		head(f, name, "gauge", help[k]);
		for (i = 0; i < r->n_pc; i++) {
			const struct sw_pcount *p = &r->pc[i];
			long long v = k == 0 ? (long long)p->sets :
				      k == 1 ? (long long)p->sems : p->oldest_s;

			if (v < 0)
				continue;	/* unknown: no sample */
			fprintf(f, "semwatch_%s", name);
			prefix_labels(f, p);
			fprintf(f, " %lld\n", v);
		}
	}
}

/*
 * One label, its value escaped as the text format wants (backslash, quote,
 * newline) and made UTF-8 (U+FFFD for stray bytes), which Prometheus
 * requires. An empty value, or "-" and "?" (hidden, unknown), is no label:
 * PromQL reads an absent label as "".
 */
static int label(FILE *f, const char *name, const char *v)
{
	char *fixed = NULL;

	if (!v || !*v || !strcmp(v, "-") || !strcmp(v, "?"))
		return 0;
	if (!sw_utf8_valid(v) && !(v = fixed = sw_utf8_fix(v)))
		return -ENOMEM;
	fprintf(f, ",%s=\"", name);
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			fputc('\\', f);
		if (*v == '\n')
			fputs("\\n", f);
		else
			fputc(*v, f);
	}
	fputc('"', f);
	free(fixed);
	return 0;
}

/*
 * A group's labels: who made the sets, where it ran, how it ended. Outside a
 * container or unit, the cgroup tells the groups apart.
 */
static char *group_labels(const struct sw_report *r,
			  const struct sw_leakgroup *g)
{
	static const char *const names[] = { "comm", "exit", "runtime",
		"container", "pod", "unit", "cgroup" };
	const struct sw_container *c = &g->ctr;
	const char *vals[] = { g->comm, g->exit->name,
		sw_runtime_name(c->runtime), c->id, c->pod, c->unit,
		c->runtime == SW_RT_NONE && !c->unit[0] ? g->cgroup : NULL };
	char *buf = NULL;
	size_t len, i;
	FILE *f = open_memstream(&buf, &len);
	int ret = 0;

	if (!f)
		return NULL;
	fprintf(f, "{prefix=\"0x%04x\"", r->rules.prefix);
	for (i = 0; !ret && i < sizeof(names) / sizeof(names[0]); i++)
		ret = label(f, names[i], vals[i]);
	fputc('}', f);
	if (fclose(f) || ret) {
		free(buf);
		return NULL;
	}
	return buf;
}

struct gsample {
	char *labels;
	size_t sets;
};

static int cmp_gsample(const void *a, const void *b)
{
	return strcmp(((const struct gsample *)a)->labels,
		      ((const struct gsample *)b)->labels);
}

/*
 * Leaks per group. Groups the labels cannot tell apart (unknown and hidden
 * exits, a comm "-") are summed: a series appears once per file.
 */
static int leak_groups(FILE *f, const struct sw_report *r)
{
	struct gsample *g = calloc(r->n_lg + 1, sizeof(*g));
	size_t i, j;
	int ret = g ? 0 : -ENOMEM;

	head(f, "suspected_leaked_sets_by_creator", "gauge", "Suspected leaks "
	     "by creator comm, container or unit, and how the creator ended.");
	for (i = 0; !ret && i < r->n_lg; i++) {
		g[i].sets = r->lg[i].sets;
		if (!(g[i].labels = group_labels(r, &r->lg[i])))
			ret = -ENOMEM;
	}
	if (!ret)
		qsort(g, r->n_lg, sizeof(*g), cmp_gsample);
	/* one sample per run of equal labels; every entry keeps its own */
	for (i = 0; !ret && i < r->n_lg; i = j) {
		size_t sets = 0;

		for (j = i; j < r->n_lg && !strcmp(g[i].labels, g[j].labels); j++)
			sets += g[j].sets;
		fprintf(f, "semwatch_suspected_leaked_sets_by_creator%s %zu\n",
			g[i].labels, sets);
	}
	for (i = 0; g && i < r->n_lg; i++)
		free(g[i].labels);
	free(g);
	return ret;
}

static void leaks(FILE *f, const struct sw_report *r)
{
	size_t i, j;

	head(f, "suspected_leaked_sets", "gauge", "Sets of the watched prefix "
	     "whose creator is dead, older than the threshold, without waiters.");
	for (i = 0; i < r->n_views; i++) {
		size_t n = 0;

		for (j = 0; j < r->views[i].n_sets; j++)
			n += sw_is_leak(&r->views[i].sets[j], &r->rules, r->now);
		fprintf(f, "semwatch_suspected_leaked_sets{ns=\"%llu\","
			"prefix=\"0x%04x\"} %zu\n", r->views[i].ino,
			r->rules.prefix, n);
	}
	head(f, "suspected_leak_oldest_age_seconds", "gauge",
	     "Age of the oldest suspected leaked set (0 when none).");
	fprintf(f, "semwatch_suspected_leak_oldest_age_seconds %lld\n",
		r->leak_oldest_s < 0 ? 0 : r->leak_oldest_s);
	head(f, "oldest_leak_created_timestamp_seconds", "gauge", "When the "
	     "oldest suspected leaked set was created (Unix time; no sample "
	     "when none).");
	if (r->leak_oldest_s >= 0)
		fprintf(f, "semwatch_oldest_leak_created_timestamp_seconds %lld\n",
			(long long)r->now - r->leak_oldest_s);
	head(f, "unattributed_sets", "gauge", "Old sets of the watched prefix "
	     "without waiters whose creator is unknown.");
	fprintf(f, "semwatch_unattributed_sets{prefix=\"0x%04x\"} %zu\n",
		r->rules.prefix, r->unattributed);
}

static void module(FILE *f, const struct sw_report *r)
{
	head(f, "build_info", "gauge", "The version of semwatch, in a label.");
	fprintf(f, "semwatch_build_info{version=\"%s\"} 1\n", SW_VERSION);
	head(f, "module_loaded", "gauge",
	     "Whether semwatch.ko is loaded (1) or not (0).");
	fprintf(f, "semwatch_module_loaded %d\n", r->mod != NULL);
	if (!r->mod)
		return;
	head(f, "tracked_sets", "gauge", "Sets tracked by semwatch.ko.");
	fprintf(f, "semwatch_tracked_sets %lld\n", r->mod->tracked);
	if (r->mod->dropped == SW_UNKNOWN)	/* host-wide: not shown in a container */
		return;
	head(f, "dropped_records_total", "counter",
	     "Set creations semwatch.ko could not record.");
	fprintf(f, "semwatch_dropped_records_total %lld\n", r->mod->dropped);
}

int sw_prom_render(const struct sw_report *r, char **out, size_t *len)
{
	FILE *f = open_memstream(out, len);
	int ret;

	if (!f)
		return -ENOMEM;
	module(f, r);
	per_ns(f, r, "sets", "Semaphore sets in the IPC namespace.",
	       NS_SETS);
	per_ns(f, r, "semaphores", "Semaphores in the IPC namespace.",
	       NS_SEMS);
	per_ns(f, r, "sets_limit", "SEMMNI: the most sets allowed.",
	       NS_SEMMNI);
	per_ns(f, r, "semaphores_limit", "SEMMNS: the most semaphores allowed.",
	       NS_SEMMNS);
	per_ns(f, r, "semaphores_per_set_limit", "SEMMSL: the most semaphores "
	       "per set.", NS_SEMMSL);
	per_ns(f, r, "stuck_cookies", "Stuck dm udev cookies: waited on by a "
	       "live creator, idle; never reaped, not even with --force.",
	       NS_STUCK);
	prefixes(f, r);
	leaks(f, r);
	ret = leak_groups(f, r);
	head(f, "last_run_timestamp_seconds", "gauge",
	     "When semwatch wrote this file.");
	fprintf(f, "semwatch_last_run_timestamp_seconds %lld\n", (long long)r->now);
	if (fclose(f) || ret) {
		free(*out);
		*out = NULL;
		return -ENOMEM;
	}
	return 0;
}

/* Refuse places where another user could swap the file under us. */
static int check_target(const char *path, const char *dir, struct sw_perr *e)
{
	struct stat st;

	if (stat(dir, &st))
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	if ((st.st_mode & S_IWOTH) && !(st.st_mode & S_ISVTX)) {
		sw_perr_set(e, 0, "refusing a world-writable directory without "
			    "the sticky bit");
		return -EPERM;
	}
	if (!lstat(path, &st) && !S_ISREG(st.st_mode)) {
		sw_perr_set(e, 0, S_ISLNK(st.st_mode) ? "refusing a symlinked "
			    "target" : "target is not a regular file");
		return -EPERM;
	}
	return 0;
}

static int write_all(int fd, const char *p, size_t len)
{
	ssize_t w;

	while (len) {
		w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		len -= (size_t)w;
	}
	return fsync(fd) ? -errno : 0;
}

static int replace(const char *path, const char *dir, const char *data,
		   size_t len)
{
	char *tmp = NULL, *base = strdup(path);
	int fd, ret;

	if (!base || asprintf(&tmp, "%s/.%s.XXXXXX", dir, basename(base)) < 0) {
		free(base);
		return -ENOMEM;
	}
	free(base);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		free(tmp);
		return ret;
	}
	ret = fchmod(fd, 0644) ? -errno : write_all(fd, data, len);
	if (close(fd) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret)
		unlink(tmp);
	free(tmp);
	return ret;
}

/* "-" writes to standard output. */
int sw_prom_write(const char *path, const char *data, size_t len,
		  struct sw_perr *e)
{
	char *copy, *dir;
	int ret;

	if (!strcmp(path, "-"))
		return fwrite(data, 1, len, stdout) == len && !fflush(stdout) ?
		       0 : -EIO;
	copy = strdup(path);
	if (!copy)
		return -ENOMEM;
	dir = dirname(copy);
	ret = check_target(path, dir, e);
	if (!ret)
		ret = replace(path, dir, data, len);
	free(copy);
	return ret;
}
