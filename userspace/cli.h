/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers for the subcommands' edges: options, help, messages, exit statuses. */
#ifndef SEMWATCH_CLI_H
#define SEMWATCH_CLI_H

#include <stdio.h>

#include "semwatch.h"

/* opts.c: one table per command drives getopt_long() and --help. */
enum { CLI_LONG_ONLY = 256 };	/* keys of options without a short letter */
struct cli_opt {
	const char *name;	/* long name, without "--" */
	int key;		/* short letter, or CLI_LONG_ONLY + n */
	int arg;		/* no_argument, required_argument, optional_argument */
	const char *argname;	/* "MIN", "LIST", "PATH" */
	const char *help;	/* one line */
};
struct cli_cmd {
	const char *name;	/* "report" */
	const char *args;	/* "[options]" */
	const char *brief;	/* one line, for `semwatch help` */
	const char *summary;	/* a paragraph, for `semwatch help COMMAND` */
	const char *const *exits;	/* "N  meaning" lines, NULL-terminated */
	const struct cli_opt *opts;	/* ends with a { NULL } entry */
};
extern const struct cli_cmd report_command, reap_command;

/* The next option's key; -1 at the end; -ECANCELED after --help/--version
 * (printed: exit 0); -EINVAL after a usage error (printed: exit 2). */
int cli_next(int argc, char **argv, const struct cli_cmd *c);
/* -EINVAL (printed) when an argument is left after the options. */
int cli_no_args(int argc, char **argv, const struct cli_cmd *c);
void cli_help(FILE *f, const struct cli_cmd *c);
void cli_version(void);

/* cli.c: every message starts "semwatch CMD: " once cli_set_cmd() named it. */
void cli_set_cmd(const char *name);
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int cli_parse_age(const char *opt, const char *val, long long *min);
int cli_parse_prefix(const char *opt, const char *val, uint32_t *prefix);
int cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int cli_perr(const char *what, int err, const struct sw_perr *e);
/* Prints "semwatch CMD: what: strerror(-err)" and returns SW_EXIT_ERROR. */
int cli_errno(int err, const char *what);
void cli_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* 1 loaded, 0 not (note printed), <0 error (printed). lenient: EACCES and
 * EPERM are "not loaded" too (report's non-root view). */
int cli_load_module(struct sw_module *m, bool lenient);
long long cli_ipcmni(void);
struct libscols_table *report_advice(const struct sw_report *r, bool json);

/* report_stuck.c: stuck cookies (select.c: sw_is_stuck) and their release */
#define SW_RELEASE_LEN 192
int sw_release_for(const struct sw_set *s, unsigned long long ns,
		   unsigned long long home, char *buf, size_t len);
size_t report_n_stuck(const struct sw_report *r);
size_t report_stuck_first(const struct sw_report *r, char *cmd, size_t len);
void stuck_release_line(const struct sw_set *s, unsigned long long ns,
			unsigned long long home);
void stuck_reap_note(size_t n);

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
char *sw_audit_line(const struct sw_audit_rec *r);
enum sw_audit_sink sw_audit_open(void);
void sw_audit_destroyed(enum sw_audit_sink sink, const struct sw_audit_rec *r,
			const char *line);
void sw_audit_close(enum sw_audit_sink sink);

#endif
