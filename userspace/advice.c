// SPDX-License-Identifier: GPL-2.0
/* Plain advice at the end of a report: the exact command to run. */
#include <stdio.h>

#include <libsmartcols.h>

#include "cli.h"

static void add(struct libscols_table *t, const char *kind,
		unsigned long long ns, const char *text, const char *cmd)
{
	struct libscols_line *l = sw_row(t);

	sw_cell(l, 0, "%s", kind);
	if (ns)
		sw_cell(l, 1, "%llu", ns);
	sw_cell(l, 2, "%s", text);
	if (cmd)
		sw_cell(l, 3, "%s", cmd);
}

/* The reap command that removes what this report calls leaks. */
static void reap_cmd(const struct sw_report *r, bool force, char *buf, size_t len)
{
	char prefix[32] = "";

	if (r->rules.prefix != SW_DM_PREFIX)
		snprintf(prefix, sizeof(prefix), " --prefix 0x%04x", r->rules.prefix);
	snprintf(buf, len, "semwatch reap --older-than %lld%s%s%s",
		 r->rules.age_s / 60, prefix, r->all_ns ? " --all-namespaces" : "",
		 force ? " --force" : "");
}

/*
 * Old sets without waiters that no one can say are leaks, by why. Where the
 * module cannot tell, the only cure is dmsetup's blind rule: the advice says
 * how many sets --force would take in all, not only these.
 */
static void unknown(struct libscols_table *t, const struct sw_report *r)
{
	const struct sw_module *m = r->mod;
	char text[512], force[160], blind[160];

	reap_cmd(r, true, force, sizeof(force));
	snprintf(blind, sizeof(blind), "; --force would destroy all %zu old sets "
		 "of the prefix blind, as dmsetup udevcomplete_all does", r->old);
	if (r->unknown[SW_WHY_NO_MODULE]) {
		snprintf(text, sizeof(text), "%zu old sets without waiters, creator "
			 "unknown: load semwatch.ko to know who makes them and "
			 "whether it still runs%s", r->unknown[SW_WHY_NO_MODULE], blind);
		add(t, "load-module", 0, text, force);
	}
	if (r->unknown[SW_WHY_UNWATCHED]) {
		snprintf(text, sizeof(text), "%zu old sets without waiters, creator "
			 "not listed: semwatch.ko lists prefix 0x%x (%u bits), not "
			 "0x%04x. It records every set: list 0x%04x (root, initial IPC "
			 "namespace; 0x%x is then no longer listed) and run report again",
			 r->unknown[SW_WHY_UNWATCHED], m->watch_prefix, m->prefix_bits,
			 r->rules.prefix, r->rules.prefix, m->watch_prefix);
		sw_watch_cmd(m, r->rules.prefix, force, sizeof(force));
		add(t, "watch-prefix", 0, text, force);
		reap_cmd(r, true, force, sizeof(force));
	}
	if (r->unknown[SW_WHY_BEFORE]) {
		snprintf(text, sizeof(text), "%zu old sets without waiters, creator "
			 "unknown: made before semwatch.ko was loaded%s%s",
			 r->unknown[SW_WHY_BEFORE],
			 m && m->dropped ? ", or not recorded (dropped)" : "", blind);
		add(t, "unattributed", 0, text, force);
	}
}

/*
 * Stuck cookies are never reaped: what to run instead is in their table;
 * for one alone, here too.
 */
static void stuck(struct libscols_table *t, const struct sw_report *r)
{
	char cmd[SW_RELEASE_LEN], text[400];
	size_t n = report_stuck_first(r, cmd, sizeof(cmd));

	if (!n)
		return;
	snprintf(text, sizeof(text), "stuck cookies: %zu, each waited on by a "
		 "live process for udev, which will never complete it (udev in "
		 "another IPC namespace, or its worker killed): run each one's "
		 "COMMAND under Stuck cookies, as udev would have; reap keeps them", n);
	add(t, "release-stuck", 0, text, n == 1 && cmd[0] ? cmd : NULL);
}

static void limits(struct libscols_table *t, const struct sw_report *r)
{
	char cmd[160], text[160];
	size_t i;

	for (i = 0; i < r->n_views; i++) {
		const struct sw_nsview *v = &r->views[i];

		if (!sw_pressure(v))
			continue;
		if (sw_sysctl_advice(v, r->ipcmni, cmd, sizeof(cmd))) {
			snprintf(text, sizeof(text), "raise the limits in "
				 "namespace %llu (run inside it)", v->ino);
			add(t, "raise-limits", v->ino, text, cmd);
		} else {
			add(t, "at-ceiling", v->ino, "kernel.sem is at its "
			    "ceiling: find and remove what holds the sets", NULL);
		}
	}
}

struct libscols_table *report_advice(const struct sw_report *r, bool json)
{
	static const char *const cols[] = { "KIND", "NS:n", "TEXT", "COMMAND" };
	struct libscols_table *t = sw_table("advice", "Advice", json, cols, 4);
	char cmd[160], text[96];

	if (!t)
		return NULL;
	reap_cmd(r, false, cmd, sizeof(cmd));
	if (r->leaks) {
		snprintf(text, sizeof(text), "remove the %zu suspected leaks (add "
			 "--dry-run to see them first)", r->leaks);
		add(t, "reap", 0, text, cmd);
	}
	stuck(t, r);
	unknown(t, r);
	limits(t, r);
	if (!r->leaks && !scols_table_get_nlines(t))
		add(t, "none", 0, "nothing to do", NULL);
	return t;
}
