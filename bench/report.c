// SPDX-License-Identifier: GPL-2.0
/*
 * report LOGDIR "KVER1 KVER2 ...": bench/results.md from the logs of one
 * `make bench` run (see report.h). This file: main and the output helpers.
 */
#include "report.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static FILE *out;

void emit_inline(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
}

void emit(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	fputc('\n', out);
}

void blank(void)
{
	fputc('\n', out);
}

void row_begin(void)
{
	fputc('|', out);
}

void cell(const char *fmt, ...)
{
	va_list ap;

	fputc(' ', out);
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	fputs(" |", out);
}

void row_end(void)
{
	fputc('\n', out);
}

/* A table row of count cells, each a const char *. */
void emit_row(size_t count, ...)
{
	va_list ap;

	va_start(ap, count);
	row_begin();
	while (count--)
		cell("%s", va_arg(ap, const char *));
	row_end();
	va_end(ap);
}

void emit_separator(size_t count)
{
	row_begin();
	while (count--)
		cell("---");
	row_end();
}

void emit_table_head(const char *const head[], size_t count)
{
	size_t i;

	row_begin();
	for (i = 0; i < count; i++)
		cell("%s", head[i]);
	row_end();
	emit_separator(count);
}

struct text textf(const char *fmt, ...)
{
	struct text t;
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(t.s, sizeof(t.s), fmt, ap);
	va_end(ap);
	if (len < 0 || (size_t)len >= sizeof(t.s))
		fatal("a table cell would be longer than %zu bytes", sizeof(t.s) - 1);
	return t;
}

/* printf's %f rounds the exact binary value half to even, as Python's
 * format() does, so the figures come out digit for digit the same. */
struct text fmt_secs(double ns)
{
	if (isnan(ns))
		return textf("n/a");
	if (ns / 1e9 >= 10)
		return textf("%.1f s", ns / 1e9);
	if (ns / 1e9 >= 0.1)
		return textf("%.2f s", ns / 1e9);
	return textf("%.1f ms", ns / 1e6);
}

struct text fmt_us(double ns)
{
	return isnan(ns) ? textf("n/a") : textf("%.1f", ns / 1e3);
}

struct text fmt_ratio(double r)
{
	return isnan(r) ? textf("n/a") : textf("%.2f", r);
}

struct text fmt_pct(double r)
{
	return isnan(r) ? textf("n/a") : textf("%+.1f%%", (r - 1) * 100);
}

/* NAN stands for a figure that was not measured. */
double ratio(double a, double b)
{
	return isnan(a) || isnan(b) || b == 0 ? NAN : a / b;
}

void emit_kernel_title(const char *kernel)
{
	emit("`%s`:", kernel);
	blank();
}

static bool is_directory(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

/* A kernel without its main-<kver> directory was not part of this run:
 * most likely LOGDIR or the kernel list is wrong. */
static void read_logs(struct bench_run *run, char *kernels)
{
	char *k, *save;
	size_t cap = 0, i;

	if (!is_directory(run->logdir))
		fatal("%s: no such directory (expected the logs of a `make bench` run)", run->logdir);
	for (k = strtok_r(kernels, WHITESPACE, &save); k; k = strtok_r(NULL, WHITESPACE, &save)) {
		run->kernel = grow(run->kernel, &cap, run->nkernels + 1, sizeof(char *));
		run->kernel[run->nkernels++] = k;
	}
	if (!run->nkernels)
		fatal("no kernel versions given");
	run->main_log = calloc(run->nkernels, sizeof(*run->main_log));
	run->big_log = calloc(run->nkernels, sizeof(*run->big_log));
	if (!run->main_log || !run->big_log)
		fatal("out of memory");
	for (i = 0; i < run->nkernels; i++) {
		const char *dir = xasprintf("%s/main-%s", run->logdir, run->kernel[i]);

		if (!is_directory(dir))
			fatal("%s: no such directory: was %s part of this run?", dir, run->kernel[i]);
		run->main_log[i] = read_guest_log(xasprintf("%s/output.log", dir));
		run->big_log[i] = read_guest_log(xasprintf("%s/big-%s/output.log", run->logdir,
							   run->kernel[i]));
	}
}

/* Composed in memory, so that a failure leaves stdout empty. */
static void write_report(const struct bench_run *run)
{
	char *report;
	size_t len;

	out = open_memstream(&report, &len);
	if (!out)
		fatal("out of memory");
	emit_header(run);
	emit_time_sections(run);
	emit_scale_sections(run);
	if (fclose(out))
		fatal("out of memory");
	if (fwrite(report, 1, len, stdout) != len || fflush(stdout))
		fatal("writing the report: %s", strerror(errno));
}

int main(int argc, char **argv)
{
	struct bench_run run = { 0 };

	if (argc != 3)
		fatal("usage: report LOGDIR \"KVER1 KVER2 ...\"");
	run.logdir = argv[1];
	read_logs(&run, argv[2]);
	gather_facts(&run.facts, run.logdir);
	write_report(&run);
	return 0;
}
