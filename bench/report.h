/* SPDX-License-Identifier: GPL-2.0 */
/*
 * report: turns the guest logs of `make bench` into bench/results.md.
 *
 *   report LOGDIR "KVER1 KVER2 ..."   markdown on stdout
 *
 * LOGDIR is what scripts/bench.sh wrote: main-<kver>/output.log and
 * big-<kver>/output.log (the @R/@M/@I/@E lines of scripts/bench-guest.sh) and
 * the host's notes on the run (seconds, load-start, load-end, commands, commit,
 * qemu-cmd, big-skipped).
 *
 *   report.c           main, the output helpers
 *   report-header.c    title, machine and method, commands, headline table
 *   report-times.c     sections 1 to 4: the timed workloads
 *   report-scale.c     sections 5 and 6, the notes, errors and anomalies
 *   report-logs.c      reading and checking output.log
 *   report-stats.c     the figures of a parsed log: minimum, median, ...
 *   report-host.c      helpers, text files, the host and the run
 *
 * It replaced scripts/bench-report.py and keeps its output byte for byte (the
 * same rounding, medians, row order and text handling, as the comments that
 * name Python say), so a report remade from old logs differs only in the
 * command it names for remaking it.
 *
 * The whole report is composed in memory and written only once nothing can
 * fail any more: a bad log gives one message on stderr and no report at all.
 */
#ifndef SEMWATCH_BENCH_REPORT_H
#define SEMWATCH_BENCH_REPORT_H

#define _GNU_SOURCE
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

#define PRINTF_LIKE(fmt, args) __attribute__((format(printf, fmt, args)))

/* The repetitions of one measurement: every "@R part=P case=C n=N" line. */
struct series {
	char *part;
	char *case_name;
	long long n;
	long long *ns;
	size_t reps, cap;
};

struct field {
	char *key;
	char *value;
};

/* One "@M key=value ..." line. */
struct meta {
	struct field *fields;
	size_t count;
};

struct lines {
	char **text;
	size_t count, cap;
};

/* One guest boot: <LOGDIR>/<main|big>-<kver>/output.log. */
struct guest_log {
	/* In order of first appearance: a few figures take the first one. */
	struct series *series;
	size_t nseries, cap_series;
	struct meta *meta;
	size_t nmeta, cap_meta;
	struct lines info;	/* "@I" texts */
	struct lines errors;	/* "@E" texts */
	bool done;		/* "@I done": the guest ran to the end */
};

/* Minimum and median of a series; NAN in both when there is none. */
struct stats {
	bool have;
	double min, median;
	size_t reps;
};

struct sorted_ns {
	long long *n;
	size_t count;
};

/* Everything the report says about the run apart from output.log. */
struct run_facts {
	const char *cpu;
	long ncpu;
	const char *qemu_version;	/* first line of --version, "?" or "" */
	const char *qemu_cmd;		/* "" when not found */
	const char *commit;
	const char *seconds;		/* the whole run, or "?" */
	const char *load_start, *load_end;	/* uptime's load averages */
	struct lines commands;		/* "<name> <command>" lines */
	bool big_skipped;
	struct lines skipped;		/* why boots were skipped */
	const char *notes;		/* bench/notes.md without trailing space */
	time_t run_end;
	const char *logdir_name;
};

struct bench_run {
	const char *logdir;
	char **kernel;
	size_t nkernels;
	struct guest_log **main_log;	/* per kernel; NULL: no output.log */
	struct guest_log **big_log;
	struct run_facts facts;
};

/* A short formatted string returned by value (valid to the end of the call). */
struct text {
	char s[256];
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
/* Python's str.strip() and str.split() whitespace, as far as ASCII goes. */
#define WHITESPACE " \t\n\v\f\r\x1c\x1d\x1e\x1f"

/* report.c: the output, composed in memory. */
void emit(const char *fmt, ...) PRINTF_LIKE(1, 2);
void emit_inline(const char *fmt, ...) PRINTF_LIKE(1, 2);	/* no newline */
void blank(void);						/* an empty line */
void emit_kernel_title(const char *kernel);
void emit_table_head(const char *const head[], size_t count);
void emit_separator(size_t count);
void emit_row(size_t count, ...);	/* count cells, each a const char * */
void row_begin(void);
void cell(const char *fmt, ...) PRINTF_LIKE(1, 2);
void row_end(void);
struct text textf(const char *fmt, ...) PRINTF_LIKE(1, 2);
struct text fmt_secs(double ns);
struct text fmt_us(double ns);
struct text fmt_ratio(double r);
struct text fmt_pct(double r);
double ratio(double a, double b);

/* report-header.c: the title, machine and method, commands, headline table. */
void emit_header(const struct bench_run *run);

/* report-times.c: sections 1 to 4. */
void emit_time_sections(const struct bench_run *run);
void emit_read_row(long long n, const char *label, struct stats s, struct stats base);

/* report-scale.c: sections 5 and 6, the notes, the anomalies. */
void emit_scale_sections(const struct bench_run *run);

/* report-logs.c */
struct guest_log *read_guest_log(const char *path);

/* report-stats.c */
struct stats stats_of(const struct guest_log *g, const char *part,
		      const char *case_name, long long n);
bool first_n_of(const struct guest_log *g, const char *part, long long *n);
bool has_case(const struct guest_log *g, const char *part, const char *case_name);
struct sorted_ns ns_of(const struct guest_log *g, const char *part);
double median_of(long long *v, size_t count);
const char *meta_get(const struct meta *m, const char *key);
long long meta_int(const struct meta *m, const char *key);
bool meta_is(const struct meta *m, const char *part);
const struct meta *first_meta(const struct guest_log *g, const char *part);
size_t mem_values(const struct guest_log *g, const char *case_name, const char *key,
		  long long **values);
bool bigcheck_ok(const struct meta *m);

/* report-host.c: helpers, text files, facts about the host and the run. */
void fatal(const char *fmt, ...) PRINTF_LIKE(1, 2) __attribute__((noreturn));
void *grow(void *array, size_t *cap, size_t need, size_t size);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) PRINTF_LIKE(1, 2);
void lines_add(struct lines *l, char *text);
char *read_text(const char *path);
char *strip(char *s);
char *rstrip(char *s);
void split_lines(char *text, struct lines *out);
void gather_facts(struct run_facts *f, const char *logdir);

#endif
