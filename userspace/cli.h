/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers for the subcommands' edges: messages and exit statuses. */
#ifndef SEMWATCH_CLI_H
#define SEMWATCH_CLI_H

#include "semwatch.h"

/* These print one message and return -EINVAL (usage) or -ECANCELED. */
int cli_usage(const char *usage);
int cli_bad_number(const char *opt, const char *val);
int cli_error(int unused, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int cli_perr(const char *what, int err, const struct sw_perr *e);
/* Prints "semwatch: what: strerror(-err)" and returns SW_EXIT_ERROR. */
int cli_errno(int err, const char *what);
void cli_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int cli_load_module(struct sw_module *m);
long long cli_ipcmni(void);
struct libscols_table *report_advice(const struct sw_report *r, bool json);

/* audit.c: the record of each set the reaper destroyed. */
/* UNOPENED (0): sw_audit_open() not called yet; NONE: nowhere to record. */
enum sw_audit_sink { SW_AUDIT_UNOPENED, SW_AUDIT_NONE, SW_AUDIT_SYSLOG, SW_AUDIT_JOURNAL };
struct sw_audit_rec {
	uint32_t key;
	int semid;
	unsigned long long ns;
	long long pid, age_s;		/* pid -1: creator unknown */
	const char *comm, *state, *cgroup;	/* escaped (sw_escape) */
	bool forced;
};
enum sw_audit_sink sw_audit_open(void);
void sw_audit_destroyed(enum sw_audit_sink sink, const struct sw_audit_rec *r,
			const char *line);
void sw_audit_close(enum sw_audit_sink sink);

#endif
