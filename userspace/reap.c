// SPDX-License-Identifier: GPL-2.0
/*
 * semwatch reap: dmsetup udevcomplete_all's selection, plus safety checks
 * (creator dead, no waiters) that only --force waives, and a re-check of
 * each set right before IPC_RMID.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sem.h>
#include <unistd.h>

#include "cli.h"

struct reap {
	struct sw_rules rules;
	bool yes, dry_run, all_ns;
	enum sw_audit_sink sink;	/* opened at the first destroyed set */
	const struct sw_module *mod;
	const char *pause;	/* SEMWATCH_TEST_PAUSE_BEFORE_RMID */
	time_t now;
	size_t destroyed, skipped[SW_SKIP_MAX];
};

static const char reap_usage[] =
	"Usage: semwatch reap [--older-than MIN] [--prefix P] [--yes] [--dry-run]\n"
	"                     [--all-namespaces] [--force]\n";

static int parse_opts(int argc, char **argv, struct reap *c)
{
	static const struct option lo[] = {
		{ "older-than", required_argument, NULL, 'o' },
		{ "prefix", required_argument, NULL, 'p' },
		{ "yes", no_argument, NULL, 'y' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "all-namespaces", no_argument, NULL, 'A' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	long long min = 0;	/* dmsetup's default age */
	int o;

	while ((o = getopt_long(argc, argv, "+o:p:ynAfh", lo, NULL)) != -1) {
		switch (o) {
		case 'o':
			if (sw_parse_minutes(optarg, &min))
				return cli_bad_number("--older-than", optarg);
			break;
		case 'p':
			if (sw_parse_prefix(optarg, &c->rules.prefix))
				return cli_bad_number("--prefix", optarg);
			break;
		case 'y': c->yes = true; break;
		case 'n': c->dry_run = true; break;
		case 'A': c->all_ns = true; break;
		case 'f': c->rules.force = true; break;
		case 'h': fputs(reap_usage, stdout); return -ECANCELED;
		default: return cli_usage(reap_usage);
		}
	}
	if (optind < argc)
		return cli_usage(reap_usage);
	c->rules.age_s = min * 60;
	return 0;
}

/* dmsetup's _yes_no_prompt(): the last y/n on a line wins, EOF is no. */
static bool ask(const struct reap *c)
{
	int ch = 0, ret = 0;

	fprintf(stderr, "WARNING: This operation will destroy all semaphores "
		"older than %lld minutes with keys that have a prefix %u (0x%x).\n",
		c->rules.age_s / 60, c->rules.prefix, c->rules.prefix);
	do {
		if (ch == '\n' || !ch) {
			fputs("Do you really want to continue? [y/n]: ", stdout);
			fflush(stdout);
		}
		ch = getchar();
		if (ch == EOF) {
			ret = 'n';
			break;
		}
		if (ch == 'y' || ch == 'Y' || ch == 'n' || ch == 'N')
			ret = ch | 0x20;
	} while (!ret || ch != '\n');
	if (ch != '\n')
		putchar('\n');
	return ret == 'y';
}

/* Test hook: announce the set in FILE, wait until the test deletes it. */
static void test_pause(const char *path, const struct sw_set *s)
{
	FILE *f;
	int i;

	if (!path || !*path || !(f = fopen(path, "w")))
		return;
	fprintf(f, "%d\n", s->semid);
	fclose(f);
	for (i = 0; i < 6000 && !access(path, F_OK); i++)
		usleep(10000);
}

/*
 * The set's key=value line, as printed and audited, and its audit record:
 * comm and cgroup escaped, so that neither can end the line or forge one.
 * Returns a malloc()ed line (free with forget()), or NULL when out of memory.
 */
static char *describe(const struct reap *c, unsigned long long ns,
		      const struct sw_set *s, struct sw_audit_rec *r)
{
	const struct sw_modrow *m = s->creator;
	char *comm = m ? sw_escape(m->comm) : sw_strdup("?");
	char *cgroup = m ? sw_escape(m->cgroup) : sw_strdup("?");
	char *line = NULL;

	*r = (struct sw_audit_rec){ .key = s->key, .semid = s->semid, .ns = ns,
		.pid = m ? m->pid : -1LL, .age_s = sw_set_age(s, c->now),
		.comm = comm, .state = sw_state_name(s), .cgroup = cgroup,
		.forced = c->rules.force };
	if (comm && cgroup &&
	    asprintf(&line, "key=0x%08x semid=%d ns=%llu creator_pid=%lld "
		     "comm=%s state=%s cgroup=%s age_s=%lld", r->key, r->semid,
		     ns, r->pid, comm, r->state, cgroup, r->age_s) < 0)
		line = NULL;
	if (!line) {
		free(comm);
		free(cgroup);
	}
	return line;
}

static void forget(struct sw_audit_rec *r, char *line)
{
	free((char *)r->comm);
	free((char *)r->cgroup);
	free(line);
}

/* Re-check, then remove; returns the verdict that really applied. */
static enum sw_skip destroy(const struct reap *c, const struct sw_set *s)
{
	long long waiters = -1;

	test_pause(c->pause, s);
	if (sw_sem_recheck(s))
		return SW_SKIP_CHANGED;
	if (!c->rules.force &&
	    (sw_sem_waiters(s->semid, s->nsems, &waiters) || waiters))
		return SW_SKIP_WAITERS;
	if (semctl(s->semid, 0, IPC_RMID) == 0)
		return SW_TAKE;
	return errno == EINVAL || errno == EIDRM ? SW_SKIP_CHANGED : SW_SKIP_FAILED;
}

/*
 * The rules, with the waiters counted only where they decide: for a set that
 * every other rule would take. Outside a dry run destroy() counts them after
 * its re-check (two semctl() calls per semaphore, so only once), and an
 * unknown count here means "not counted yet", not "has waiters".
 */
static enum sw_skip verdict(const struct reap *c, struct sw_set *s)
{
	enum sw_skip v = sw_reap_verdict(s, &c->rules, c->now);

	if (v != SW_SKIP_WAITERS || s->waiters != SW_UNKNOWN)
		return v;
	if (!c->dry_run)
		return SW_TAKE;
	/* a set that vanished meanwhile keeps waiters unknown: kept */
	sw_sem_waiters(s->semid, s->nsems, &s->waiters);
	return sw_reap_verdict(s, &c->rules, c->now);
}

static void one_set(struct reap *c, unsigned long long ns, struct sw_set *s)
{
	enum sw_skip v = verdict(c, s);
	struct sw_audit_rec r;
	char *what;

	if (v == SW_NOT_SELECTED)
		return;
	if (v == SW_SKIP_YOUNG) {	/* counted, never listed (dmsetup) */
		c->skipped[v]++;
		return;
	}
	what = describe(c, ns, s, &r);
	if (!what) {		/* not destroyed unrecorded */
		c->skipped[SW_SKIP_FAILED]++;
		printf("kept (%s) key=0x%08x semid=%d: out of memory\n",
		       sw_skip_name(SW_SKIP_FAILED), s->key, s->semid);
		return;
	}
	if (v == SW_TAKE && c->dry_run) {
		printf("would destroy %s\n", what);
	} else if (v == SW_TAKE && (v = destroy(c, s)) == SW_TAKE) {
		if (c->sink == SW_AUDIT_UNOPENED)
			c->sink = sw_audit_open();
		/* recorded before stdout, which a closed pipe may cut short */
		sw_audit_destroyed(c->sink, &r, what);
		printf("destroyed %s\n", what);
	}
	if (v == SW_TAKE)
		c->destroyed++;
	else
		c->skipped[v]++;
	if (v != SW_TAKE)
		printf("kept (%s) %s\n", sw_skip_name(v), what);
	forget(&r, what);
}

static int reap_ns(unsigned long long ino, void *arg)
{
	struct reap *c = arg;
	struct sw_perr e = { 0 };
	struct sw_nsview v;
	size_t i;
	int ret = sw_snapshot_prefix(ino, c->mod, c->rules.prefix, &v);

	if (ret)
		return cli_perr("namespace snapshot", ret, &e);
	c->now = time(NULL);
	for (i = 0; i < v.n_sets; i++)
		one_set(c, ino, &v.sets[i]);
	sw_nsview_free(&v);
	return 0;
}

static size_t summary(const struct reap *c)
{
	size_t k, m = 0;
	const char *sep = "Skipped: ";

	for (k = 1; k < SW_SKIP_MAX; k++) {
		if (!c->skipped[k])
			continue;
		printf("%s%zu %s", sep, c->skipped[k], sw_skip_name((enum sw_skip)k));
		sep = ", ";
		m += c->skipped[k];
	}
	if (m)
		puts(".");
	printf("%zu semaphores with keys prefixed by %u (0x%x) %s. %zu skipped.\n",
	       c->destroyed, c->rules.prefix, c->rules.prefix,
	       c->dry_run ? "would be destroyed (dry run)" : "destroyed", m);
	return m;
}

static int run(struct reap *c)
{
	int ret;

	if (!c->mod && !c->rules.force)
		cli_note("keeping every set whose creator is unknown (--force "
			 "reaps them like dmsetup)");
	if (!c->yes && !c->dry_run && !ask(c)) {
		printf("Semaphores with keys prefixed by %u (0x%x) NOT destroyed.\n",
		       c->rules.prefix, c->rules.prefix);
		return SW_EXIT_FOUND;
	}
	ret = sw_for_each_ns(c->all_ns, reap_ns, c);
	sw_audit_close(c->sink);
	if (summary(c) && !ret)
		return SW_EXIT_FOUND;
	return ret ? cli_errno(ret, "reap") : SW_EXIT_OK;
}

int cmd_reap(int argc, char **argv)
{
	struct reap c = { .rules.prefix = SW_DM_PREFIX,
		.pause = getenv("SEMWATCH_TEST_PAUSE_BEFORE_RMID") };
	struct sw_module m;
	int ret = parse_opts(argc, argv, &c);

	if (ret)
		return ret == -ECANCELED ? SW_EXIT_OK : SW_EXIT_USAGE;
	if (geteuid() != 0) {
		fputs("semwatch: reap: only root may reap\n", stderr);
		return SW_EXIT_ERROR;
	}
	ret = cli_load_module(&m);
	if (ret < 0)
		return SW_EXIT_ERROR;
	c.mod = ret ? &m : NULL;
	ret = run(&c);
	if (c.mod)
		sw_proc_free(&m);
	return ret;
}
