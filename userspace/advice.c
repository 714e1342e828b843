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
static void reap_cmd(const struct sw_report *r, char *buf, size_t len)
{
	char prefix[32] = "";

	if (r->rules.prefix != SW_DM_PREFIX)
		snprintf(prefix, sizeof(prefix), " --prefix 0x%04x", r->rules.prefix);
	snprintf(buf, len, "semwatch reap --older-than %lld%s%s",
		 r->rules.age_s / 60, prefix, r->all_ns ? " --all-namespaces" : "");
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
	char cmd[160];

	if (!t)
		return NULL;
	reap_cmd(r, cmd, sizeof(cmd));
	if (r->leaks)
		add(t, "reap", 0, "remove the suspected leaks (add --dry-run "
		    "to see them first)", cmd);
	if (r->unattributed && !r->mod)
		add(t, "load-module", 0, "old sets without waiters whose "
		    "creator is unknown: load semwatch.ko to know who made "
		    "them and whether it still runs", NULL);
	limits(t, r);
	if (!r->leaks && !scols_table_get_nlines(t))
		add(t, "none", 0, "nothing to do", NULL);
	return t;
}
