/* SPDX-License-Identifier: GPL-2.0 */
/* semwatch reap: its state, shared by reap.c and reap_json.c. */
#ifndef SEMWATCH_REAP_H
#define SEMWATCH_REAP_H

#include "cli.h"

struct reap {
	struct sw_rules rules;
	bool yes, dry_run, all_ns;
	enum sw_audit_sink sink;	/* opened at the first destroyed set */
	const struct sw_module *mod;	/* &modbuf, or NULL: no module */
	struct sw_module modbuf;	/* the last file read, if have_buf */
	bool have_buf;
	int loads;			/* reads of /proc/semwatch so far */
	const char *pause;	/* SEMWATCH_TEST_PAUSE_BEFORE_RMID */
	time_t now;
	unsigned long long home;	/* our IPC namespace: where the user is; 0 unknown */
	size_t destroyed, skipped[SW_SKIP_MAX];
	size_t unknown[SW_WHY_MAX];	/* SW_SKIP_UNKNOWN, by why */
	struct json_object *json;	/* --json: the sets considered */
};

/* reap_json.c */
int reap_json_start(struct reap *c);
int reap_json_set(struct reap *c, unsigned long long ns,
		  const struct sw_set *s, enum sw_skip v);
int reap_json_print(struct reap *c, bool declined);

/* reap_text.c */
void reap_text_summary(const struct reap *c);

#endif
