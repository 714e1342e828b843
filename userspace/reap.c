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

#include <json-c/json.h>

#include "reap.h"

enum { O_JSON = CLI_LONG_ONLY };

static const struct cli_opt reap_opts[] = {
	{ "older-than", 'a', required_argument, "MIN",
	  "only sets whose ctime and otime are MIN minutes old (default 0)" },
	{ "prefix", 'p', required_argument, "P",
	  "the 16-bit key prefix to reap (default 0x0d4d)" },
	{ "yes", 'y', no_argument, NULL, "do not ask for confirmation" },
	{ "dry-run", 'n', no_argument, NULL,
	  "only print what would be destroyed" },
	{ "all-namespaces", 'A', no_argument, NULL,
	  "every IPC namespace, not only ours" },
	{ "force", 'f', no_argument, NULL,
	  "waive the safety checks (creator dead, no waiters) as dmsetup, "
	  "but keep stuck cookies" },
	{ "json", 'J', no_argument, NULL,
	  "print one JSON document: every set considered, its verdict" },
	{ NULL, 0, 0, NULL, NULL },
};

static const char *const reap_exits[] = {
	"0  every eligible set destroyed; the only sets kept were too young,",
	"   alive or waited on",
	"1  sets kept as unsafe: creator unknown, stuck, changed before",
	"   removal, removal failed",
	"2  usage error",
	"3  runtime error (not root, unreadable or garbled input)",
	"4  the answer at the prompt was not yes: nothing destroyed",
	NULL,
};

const struct cli_cmd reap_command = {
	.name = "reap", .args = "[options]",
	.brief = "destroy leaked sets, like dmsetup udevcomplete_all, made safe",
	.summary = "Destroy the leaked sets of a key prefix, as dmsetup udevcomplete_all\n"
		   "does, but only those whose creator is dead and that nobody waits on.\n"
		   "A stuck cookie (its creator alive and waiting for udev) is never\n"
		   "destroyed: the command that releases it is printed. Only root may reap.",
	.exits = reap_exits, .opts = reap_opts,
};

static int option(int o, struct reap *c, long long *min, bool *json)
{
	switch (o) {
	case 'a': return cli_parse_age("--older-than", optarg, min);
	case 'p': return cli_parse_prefix("--prefix", optarg, &c->rules.prefix);
	case 'y': c->yes = true; return 0;
	case 'n': c->dry_run = true; return 0;
	case 'A': c->all_ns = true; return 0;
	case 'f': c->rules.force = true; return 0;
	case 'J': *json = true; return 0;
	}
	return cli_usage_error("unhandled option");
}

static int parse_opts(int argc, char **argv, struct reap *c)
{
	long long min = 0;	/* dmsetup's default age */
	bool json = false;
	int o, ret;

	while ((o = cli_next(argc, argv, &reap_command)) >= 0)
		if ((ret = option(o, c, &min, &json)))
			return ret;
	if (o != -1)
		return o;
	if ((ret = cli_no_args(argc, argv, &reap_command)))
		return ret;
	c->rules.age_s = min * 60;
	return json ? reap_json_start(c) : 0;
}

/* dmsetup's _yes_no_prompt(): the last y/n on a line wins, EOF is no. */
static bool ask(const struct reap *c)
{
	FILE *out = c->json ? stderr : stdout;	/* stdout holds the JSON */
	int ch = 0, ret = 0;

	fprintf(stderr, "WARNING: This operation will destroy all semaphores "
		"older than %lld minutes with keys that have a prefix %u (0x%x).\n",
		c->rules.age_s / 60, c->rules.prefix, c->rules.prefix);
	do {
		if (ch == '\n' || !ch) {
			fputs("Do you really want to continue? [y/n]: ", out);
			fflush(out);
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
		fputc('\n', out);
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
	if (comm && cgroup)
		line = sw_audit_line(r);
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

/*
 * Re-check, then remove; returns the verdict that really applied. The
 * waiters are counted afresh: without --force none may wait, and a stuck
 * cookie is kept even with it (--force counts only an alive creator's).
 */
static enum sw_skip destroy(const struct reap *c, struct sw_set *s)
{
	bool counted = false;

	test_pause(c->pause, s);
	if (sw_sem_recheck(s))
		return SW_SKIP_CHANGED;
	if (!c->rules.force || sw_stuck_candidate(s, &c->rules, c->now))
		counted = !sw_sem_count(s);	/* failed: unknown, not stuck */
	if (sw_is_stuck(s, &c->rules, c->now))
		return SW_SKIP_STUCK;
	if (!c->rules.force && (!counted || s->waiters))
		return SW_SKIP_WAITERS;
	if (semctl(s->semid, 0, IPC_RMID) == 0)
		return SW_TAKE;
	return errno == EINVAL || errno == EIDRM ? SW_SKIP_CHANGED : SW_SKIP_FAILED;
}

/*
 * The rules, with the waiters counted only where they decide: for a set that
 * every other rule would take, and for a cookie that may be stuck (its
 * creator alive). Outside a dry run destroy() counts the former after its
 * re-check (two semctl() calls per semaphore, so only once), and an unknown
 * count here means "not counted yet", not "has waiters".
 */
static enum sw_skip verdict(const struct reap *c, struct sw_set *s)
{
	enum sw_skip v;

	if (sw_stuck_candidate(s, &c->rules, c->now))
		sw_sem_count(s);
	v = sw_reap_verdict(s, &c->rules, c->now);
	if (v != SW_SKIP_WAITERS || s->waiters != SW_UNKNOWN)
		return v;
	if (!c->dry_run)
		return SW_TAKE;
	/* a set that vanished meanwhile keeps waiters unknown: kept */
	sw_sem_count(s);
	return sw_reap_verdict(s, &c->rules, c->now);
}

/* The text line (not with --json) and the counts of one verdict. */
static void record(struct reap *c, enum sw_skip v, const char *what)
{
	if (v == SW_TAKE)
		c->destroyed++;
	else
		c->skipped[v]++;
	if (c->json || v == SW_SKIP_YOUNG)	/* young: never listed (dmsetup) */
		return;
	if (v != SW_TAKE) {
		printf("kept (%s) %s\n", sw_skip_name(v), what);
		return;
	}
	/* one line per destroyed set, thousands at once: no format to parse */
	fputs(c->dry_run ? "would destroy " : "destroyed ", stdout);
	fputs(what, stdout);
	putchar('\n');
}

static void one_set(struct reap *c, unsigned long long ns, struct sw_set *s)
{
	enum sw_skip v = verdict(c, s);
	struct sw_audit_rec r;
	char *what;

	if (v == SW_NOT_SELECTED)
		return;
	if (v == SW_SKIP_YOUNG && !c->json) {	/* counted, never listed */
		record(c, v, NULL);
		return;
	}
	what = describe(c, ns, s, &r);
	if (!what) {		/* not destroyed unrecorded */
		v = SW_SKIP_FAILED;
		record(c, v, "(out of memory)");
		reap_json_set(c, ns, s, v);
		return;
	}
	if (v == SW_TAKE && !c->dry_run && (v = destroy(c, s)) == SW_TAKE) {
		if (c->sink == SW_AUDIT_UNOPENED)
			c->sink = sw_audit_open();
		/* recorded before stdout, which a closed pipe may cut short */
		sw_audit_destroyed(c->sink, &r, what);
	}
	if (v == SW_SKIP_UNKNOWN)
		c->unknown[sw_unknown_why(c->mod, s)]++;
	record(c, v, what);
	if (v == SW_SKIP_STUCK && !c->json)
		stuck_release_line(s, ns, c->home);
	reap_json_set(c, ns, s, v);
	forget(&r, what);
}

/*
 * Reads /proc/semwatch after the namespace's scan, so that each row it joins
 * describes a set that existed at the scan: a row read before could be a
 * removed set's, whose namespace inode, semid and key a new set has taken
 * since, with a living creator. In another IPC namespace the module lists
 * only that namespace's sets. Once a read finds no module, the rest of the
 * run has none; modbuf keeps the last file read, for the closing lines.
 * Returns -ECANCELED (reported) on a bad file.
 */
static int reap_load_module(struct reap *c)
{
	struct sw_module m;
	int ret;

	if (c->loads++ && !c->mod)
		return 0;
	ret = cli_load_module(&m, false);
	if (ret < 0)
		return -ECANCELED;	/* reported */
	c->mod = NULL;
	if (ret) {
		if (c->have_buf)
			sw_proc_free(&c->modbuf);
		c->modbuf = m;
		c->have_buf = true;
		c->mod = &c->modbuf;
	} else if (!c->rules.force) {
		cli_note("keeping every set whose creator is unknown (--force "
			 "reaps them like dmsetup)");
	}
	return 0;
}

static int reap_ns(unsigned long long ino, void *arg)
{
	struct reap *c = arg;
	struct sw_perr e = { 0 };
	struct sw_nsview v;
	size_t i;
	int ret = sw_snapshot(ino, NULL, c->rules.prefix, &v, &e);

	if (ret)
		return cli_perr("namespace snapshot", ret, &e);
	ret = reap_load_module(c);
	if (ret) {
		sw_nsview_free(&v);
		return ret;
	}
	sw_snapshot_join(&v, c->mod);
	c->now = sw_now();
	for (i = 0; i < v.n_sets; i++)
		one_set(c, ino, &v.sets[i]);
	sw_nsview_free(&v);
	return 0;
}

/* Kept for a reason that needs someone to look: exit status 1. */
static size_t unsafe(const struct reap *c)
{
	return c->skipped[SW_SKIP_UNKNOWN] + c->skipped[SW_SKIP_STUCK] +
	       c->skipped[SW_SKIP_CHANGED] + c->skipped[SW_SKIP_FAILED];
}

static int declined(struct reap *c)
{
	int ret = 0;

	if (c->json)
		ret = reap_json_print(c, true);
	else
		printf("Semaphores with keys prefixed by %u (0x%x) NOT destroyed.\n",
		       c->rules.prefix, c->rules.prefix);
	return ret ? cli_errno(ret, "cannot print") : SW_EXIT_DECLINED;
}

static int print_closing(struct reap *c)
{
	if (c->json)
		return reap_json_print(c, false);
	reap_text_summary(c);
	return 0;
}

static int run(struct reap *c)
{
	int ret, out = 0;

	/*
	 * A bad file or a missing module is said before the prompt, and before
	 * the first of several namespaces is reaped. The rows that decide are
	 * read again after each namespace's scan (reap_ns()).
	 */
	if ((c->all_ns || (!c->yes && !c->dry_run)) && reap_load_module(c))
		return SW_EXIT_ERROR;
	if (!c->yes && !c->dry_run && !ask(c))
		return declined(c);
	/* for the release hints only: unknown (0), every hint is nsenter's */
	if (sw_ns_self(&c->home))
		c->home = 0;
	ret = sw_for_each_ns(c->all_ns, reap_ns, c);
	sw_audit_close(c->sink);
	/* after an error, the closing lines only if something was destroyed */
	if (!ret || c->destroyed)
		out = print_closing(c);
	/* without a journal or syslog, stdout is the only record */
	if (!out && (fflush(stdout) || ferror(stdout)))
		out = -EIO;
	if (ret)
		return cli_errno(ret, "cannot reap");
	if (out)
		return cli_errno(out, "cannot print");
	return unsafe(c) ? SW_EXIT_FOUND : SW_EXIT_OK;
}

int cmd_reap(int argc, char **argv)
{
	struct reap c = { .rules.prefix = SW_DM_PREFIX,
		.pause = sw_test_hook("SEMWATCH_TEST_PAUSE_BEFORE_RMID") };
	int ret;

	cli_set_cmd("reap");
	ret = parse_opts(argc, argv, &c);
	if (ret)
		ret = ret == -ECANCELED ? SW_EXIT_OK : ret == -EINVAL ?
		      SW_EXIT_USAGE : cli_errno(ret, "cannot start");
	else if (geteuid() != 0)
		ret = cli_error("only root may reap") ? SW_EXIT_ERROR : 0;
	else
		ret = run(&c);
	if (c.have_buf)
		sw_proc_free(&c.modbuf);
	json_object_put(c.json);
	return ret;
}
