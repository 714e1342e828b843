/* SPDX-License-Identifier: GPL-2.0 */
/*
 * semwatch(8): shared types. Functions return 0 or a negative errno; only the
 * subcommand entry points print errors and pick an exit status.
 */
#ifndef SEMWATCH_H
#define SEMWATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "container.h"

/* Exit statuses, documented in README.md "The semwatch command". */
enum {
	SW_EXIT_OK = 0,		/* report: no leak; reap: only safe keeps */
	SW_EXIT_FOUND = 1,	/* report: leaks found; reap: kept as unsafe */
	SW_EXIT_USAGE = 2,	/* bad flag or number */
	SW_EXIT_ERROR = 3,	/* runtime error: unreadable/garbled input, not root */
	SW_EXIT_DECLINED = 4,	/* reap: not confirmed at the prompt */
};

#define SW_DM_PREFIX 0x0d4d	/* libdevmapper's udev cookie prefix */
#define SW_UNKNOWN (-1LL)	/* "?" or "-" in /proc/semwatch */

/* Parse error position, filled in by the parsers for the error message. */
struct sw_perr {
	unsigned int line;
	const char *what;	/* static, or points to msg */
	char msg[96];		/* a message that carries a number */
};

enum sw_state { SW_STATE_UNKNOWN, SW_STATE_ALIVE, SW_STATE_DEAD };

/* How a creator ended: the "exit" column (optional: older modules lack it). */
enum sw_end {
	SW_END_UNKNOWN,		/* "?", or no such column */
	SW_END_NONE,		/* "-": alive, or not visible in our PID namespace */
	SW_END_SIGNAL,		/* "SIGKILL", "SIG42" */
	SW_END_OOM,		/* "oom-kill" */
	SW_END_STATUS,		/* "status:N", a normal exit */
};
struct sw_exit {
	int kind;		/* enum sw_end */
	char name[16];		/* as written ("SIGKILL"); "" for UNKNOWN, NONE */
};

/* /proc/semwatch "watched" row. */
struct sw_modrow {
	long long pid, age_s, nsems, uid;
	long long died_s;	/* since the creator ended; SW_UNKNOWN: "?", "-" */
	unsigned long long ns;
	uint32_t key;
	int semid;
	int state;		/* enum sw_state */
	struct sw_exit exit;
	char *comm, *cgroup;	/* unescaped */
};

/* /proc/semwatch "namespaces" row. */
struct sw_modns {
	unsigned long long ns;
	long long semmsl, semmns, semopm, semmni, sets, sems;
};

/* /proc/semwatch "prefixes" row. */
struct sw_modprefix {
	uint32_t prefix;
	long long sets, sems, oldest_s, alive, dead, unknown;
	char *label;
};

struct sw_module {
	int format;		/* semwatch-format: 1 or 2 */
	char hook[32], removal[32];
	uint32_t watch_prefix;
	unsigned int prefix_bits;
	long long tracked, dropped, max_records;
	long long truncated;	/* format 2; always 0 once parsed */
	struct sw_modns *ns;
	size_t n_ns;
	struct sw_modprefix *prefixes;
	size_t n_prefixes;
	struct sw_modrow *rows;	/* in the file's order */
	size_t n_rows;
	size_t *index, index_mask;	/* rows by (ns, semid): sw_proc_find() */
	char *strings;	/* the rows' comm, cgroup and label: one block */
};

/* One set as SEM_STAT_ANY shows it, plus what semwatch learned about it. */
struct sw_set {
	uint32_t key;
	int semid, slot;		/* slot: its index, for the re-check */
	unsigned int perms, nsems, uid, cuid;
	long long otime, ctime;
	const struct sw_modrow *creator;	/* NULL: not known */
	long long waiters;			/* GETZCNT+GETNCNT, -1 unknown */
	long long zcnt;		/* GETZCNT alone (wait for zero), -1 unknown */
	long long semval;	/* GETVAL of semaphore 0, -1 unknown */
	/* GETPID of semaphore 0: the LAST OPERATOR, never the creator; 0 none */
	long long lastop_pid;
	char lastop_comm[16];	/* its comm while it runs; "" unknown */
};

struct sw_limits {
	long long semmsl, semmns, semopm, semmni;
};

/* Everything known about one IPC namespace. */
struct sw_nsview {
	unsigned long long ino;
	struct sw_limits lim;
	struct sw_set *sets;
	size_t n_sets;
	unsigned long long sems;
};

/* util.c */
/* A digit's value in base 10 or 16 (either case), or -1. */
static inline int sw_digit_value(char c, int base)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (base == 16 && ((c | 0x20) >= 'a' && (c | 0x20) <= 'f'))
		return (c | 0x20) - 'a' + 10;
	return -1;
}

int sw_parse_ull(const char *s, int base, unsigned long long max,
		 unsigned long long *out);
/* The largest --older-than: minutes * 60 fits any time_t math. */
#define SW_MAX_MINUTES 1000000000LL
int sw_parse_minutes(const char *s, long long *minutes);
int sw_parse_prefix(const char *s, uint32_t *prefix);
int sw_unescape(const char *in, char **out);
int sw_unescape_to(const char *in, char *out);
char *sw_escape(const char *in);
char *sw_put_digits(char *p, unsigned long long v, unsigned int base,
		    int width);
char *sw_put_ll(char *p, long long v);
bool sw_utf8_valid(const char *s);
char *sw_utf8_fix(const char *in);
int sw_read_file(const char *path, char **buf, size_t *len);
const char *sw_test_hook(const char *name);
char *sw_strdup(const char *s);
void sw_perr_set(struct sw_perr *e, unsigned int line, const char *what);

/* table.c: column-addressed rows of whitespace-separated fields */
enum sw_fkind { SW_F_ULL, SW_F_OPT, SW_F_HEX32, SW_F_INT, SW_F_STR,
		SW_F_STATE, SW_F_EXIT };
struct sw_colspec {
	const char *name;
	enum sw_fkind kind;
	size_t off;
	bool optional;		/* absent: unknown (OPT, EXIT) or NULL (STR) */
};
#define SW_MAXF 64		/* fields in a line of /proc/semwatch */
/* A table's columns as its header line has them, for sw_table_line(). */
struct sw_tplan {
	const struct sw_colspec *spec;
	int nspec;
	int nfields;			/* fields in each row */
	int map[SW_MAXF];		/* spec index: field index, or -1 */
	signed char col[SW_MAXF];	/* field index: spec index, or -1 */
};
int sw_split(char *line, char **fields, int max);
int sw_table_plan(struct sw_tplan *tp, char **names, int n,
		  const struct sw_colspec *spec, int nspec, int *bad);
int sw_table_line(const struct sw_tplan *tp, char *line, size_t len,
		  char **fields, void *row, char **strs, int *bad);
int sw_parse_exit(const char *f, struct sw_exit *x);
int sw_grow(void **arr, size_t *cap, size_t n, size_t size);

/* procfile.c */
int sw_proc_parse(char *buf, size_t len, struct sw_module *m,
		  struct sw_perr *e);
int sw_proc_load(const char *path, struct sw_module *m, struct sw_perr *e);
void sw_proc_free(struct sw_module *m);
/* procexit.c */
const char *sw_row_end_error(const char *pid_f, const char *exit_f,
			     const char *died_f, const struct sw_modrow *r);
/* procindex.c */
int sw_proc_index(struct sw_module *m);
const struct sw_modrow *sw_proc_find(const struct sw_module *m,
				     unsigned long long ns, int semid,
				     uint32_t key);

/* sysvipc.c */
#define SW_ANY_PREFIX UINT32_MAX
int sw_sem_limits(struct sw_limits *lim);
int sw_sem_scan(uint32_t prefix, struct sw_set **sets, size_t *n);
int sw_sem_count(struct sw_set *s);
int sw_sem_lastop(struct sw_set *s);
int sw_sem_recheck(const struct sw_set *s);
int sw_ns_self(unsigned long long *ino);

/* snapshot.c */
int sw_snapshot(unsigned long long ino, const struct sw_module *m,
		uint32_t prefix, struct sw_nsview *v, struct sw_perr *e);
void sw_snapshot_join(struct sw_nsview *v, const struct sw_module *m);
struct sw_rules;
void sw_snapshot_waiters(struct sw_nsview *v, const struct sw_rules *r,
			 time_t now);
void sw_snapshot_lastop(struct sw_nsview *v, uint32_t prefix);
int sw_parse_pidstat(const char *buf, char *comm, size_t len,
		     unsigned long long *start_ticks);
void sw_nsview_free(struct sw_nsview *v);

/* nsenter.c */
typedef int (*sw_ns_fn)(unsigned long long ino, void *arg);
int sw_for_each_ns(bool all, sw_ns_fn fn, void *arg);

/* select.c */
enum sw_skip {
	SW_TAKE,		/* destroy */
	SW_SKIP_YOUNG,		/* ctime or otime within --older-than */
	SW_SKIP_ALIVE,		/* creator still running */
	SW_SKIP_STUCK,		/* a cookie waited on, creator alive: never */
	SW_SKIP_UNKNOWN,	/* creator not known (no module, pre-existing) */
	SW_SKIP_WAITERS,	/* a task sleeps on it */
	SW_SKIP_CHANGED,	/* gone or replaced before IPC_RMID */
	SW_SKIP_FAILED,		/* IPC_RMID failed */
	SW_SKIP_MAX,
	SW_NOT_SELECTED,	/* other prefix: not counted, as in dmsetup */
};
struct sw_rules {
	uint32_t prefix;	/* key >> 16 */
	long long age_s;
	bool force;
};
/* Why a set's creator is unknown. */
enum sw_why { SW_WHY_NO_MODULE, SW_WHY_UNWATCHED, SW_WHY_BEFORE, SW_WHY_MAX };
bool sw_has_prefix(uint32_t key, uint32_t prefix);
bool sw_watched(const struct sw_module *m, uint32_t key);
enum sw_why sw_unknown_why(const struct sw_module *m, const struct sw_set *s);
void sw_watch_cmd(const struct sw_module *m, uint32_t prefix, char *buf,
		  size_t len);
const char *sw_why_name(enum sw_why w);
long long sw_set_idle(const struct sw_set *s, time_t now);
enum sw_skip sw_reap_verdict(const struct sw_set *s, const struct sw_rules *r,
			     time_t now);
enum sw_skip sw_safe_verdict(const struct sw_set *s, const struct sw_rules *r,
			     time_t now);
bool sw_is_leak(const struct sw_set *s, const struct sw_rules *r, time_t now);
long long sw_set_age(const struct sw_set *s, time_t now);
const char *sw_skip_name(enum sw_skip k);
const char *sw_state_name(const struct sw_set *s);
const char *sw_prefix_label(uint32_t prefix);	/* NULL: no name */
/*
 * Stuck cookies: waited on, creator alive, idle (select.c). Whatever
 * --older-than says, a cookie idle less than udev's default event timeout
 * (180 s) is in flight: a slow udev worker may still complete it.
 */
#define SW_STUCK_MIN_IDLE_S 180
time_t sw_now(void);
bool sw_stuck_candidate(const struct sw_set *s, const struct sw_rules *r,
			time_t now);
bool sw_is_stuck(const struct sw_set *s, const struct sw_rules *r, time_t now);
int sw_release_cmd(char *buf, size_t len, uint32_t key, long long nspid,
		   long long count);
bool sw_lastop_plausible(long long started_ago, long long idle);

/* model.c: what a report says, independent of its format */
struct sw_pcount {
	unsigned long long ns;
	uint32_t prefix;
	size_t sets, leaks;
	unsigned long long sems;
	long long oldest_s;
};
/* Leaks by creator comm, container (or unit, else cgroup) and exit. */
struct sw_leakgroup {
	const char *comm, *cgroup;	/* cgroup: of the group's oldest set */
	const struct sw_exit *exit;
	struct sw_container ctr;
	size_t sets;
	long long oldest_s;
	long long died_s;		/* the latest death; SW_UNKNOWN */
};
struct sw_report {
	const struct sw_module *mod;	/* NULL: module not loaded */
	struct sw_nsview *views;
	size_t n_views, cap_views;
	struct sw_rules rules;		/* prefix and --older-than */
	time_t now;
	bool all_ns;
	struct sw_pcount *pc;
	size_t n_pc;
	struct sw_leakgroup *lg;
	size_t n_lg;
	size_t leaks, unattributed;	/* unattributed: sum of unknown[] */
	size_t unknown[SW_WHY_MAX];	/* would be leaks but for the creator */
	size_t old;			/* what reap --force takes: prefix, idle */
	long long leak_oldest_s;
	long long ipcmni;		/* ceiling of SEMMNI */
};
int sw_report_build(struct sw_report *r);
void sw_report_free(struct sw_report *r);
double sw_pct(long long used, long long limit);
bool sw_pressure(const struct sw_nsview *v);
bool sw_sysctl_advice(const struct sw_nsview *v, long long ipcmni,
		      char *buf, size_t len);

/* output.c: libsmartcols tables, for people or (json.c) as JSON */
struct libscols_table;
struct libscols_line;
struct json_object;
struct sw_outopts {
	bool json, raw, noheadings, notruncate;
	bool seconds;		/* --time-format=seconds: ages as numbers */
};
#define SW_MAX_COLS 24
struct sw_colsel {		/* colsel.c: the columns -o chose, in order */
	int id[SW_MAX_COLS];
	int n;
};
struct libscols_table *sw_table(const char *name, const char *title,
				bool json, const char *const *cols, int n);
struct libscols_table *sw_table_sel(const char *name, const char *title,
				    bool json, const char *const *cols,
				    const struct sw_colsel *sel);
int sw_cell(struct libscols_line *l, int col, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int sw_cell_str(struct libscols_line *l, int col, const char *s);
int sw_cell_digits(struct libscols_line *l, int col, const char *prefix,
		   unsigned long long v, unsigned int base, int width);
int sw_cell_num(struct libscols_line *l, int col, long long v, bool json);
int sw_cell_bool(struct libscols_line *l, int col, bool v, bool json,
		 const char *yes, const char *no);
int sw_cell_age(struct libscols_line *l, int col, long long s,
		const struct sw_outopts *o);
int sw_cell_text(struct libscols_line *l, int col, const char *s,
		 const struct sw_outopts *o);
struct libscols_line *sw_row(struct libscols_table *t);
int sw_print(struct libscols_table **tabs, int n, const struct sw_outopts *o);
void sw_age_str(long long s, char *buf, size_t len);
void sw_colsel_all(struct sw_colsel *sel, int n);
int sw_colsel_parse(const char *list, const char *const *cols, int ncols,
		    struct sw_colsel *sel, char *bad, size_t badlen);
int sw_colsel_pos(const struct sw_colsel *sel, int id);
/* json.c */
int sw_json_print(struct json_object *doc);
int sw_json_print_tables(struct libscols_table **tabs, int n);
int sw_json_str(struct json_object *o, const char *key, const char *s);
int sw_json_int(struct json_object *o, const char *key, long long v);

/* prom.c */
int sw_prom_render(const struct sw_report *r, char **out, size_t *len);
int sw_prom_write(const char *path, const char *data, size_t len,
		  struct sw_perr *e);

/* report.c / reap.c */
int cmd_report(int argc, char **argv);
int cmd_reap(int argc, char **argv);

#endif
