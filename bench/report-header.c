// SPDX-License-Identifier: GPL-2.0
/*
 * report: the top of the report, down to the headline table. The headline
 * picks one figure per measure and kernel out of the sections below it.
 */
#include "report.h"

#include <stdlib.h>
#include <string.h>

/* One row of the headline table: a measure and its value per kernel. */
struct headline {
	char *measure;
	char **value;		/* per kernel; NULL prints n/a */
};

static struct headline *headlines;
static size_t nheadlines, cap_headlines;

static struct text min_median(struct text min, struct text median)
{
	return textf("%s (median %s)", min.s, median.s);
}

static struct text ratio_pair(struct stats a, struct stats b)
{
	return min_median(fmt_ratio(ratio(a.min, b.min)), fmt_ratio(ratio(a.median, b.median)));
}

/* Measures keep the order they were first seen in, over all kernels. */
static void headline(const struct bench_run *run, size_t kernel, struct text measure,
		     struct text value)
{
	size_t i;

	for (i = 0; i < nheadlines && strcmp(headlines[i].measure, measure.s); i++)
		;
	if (i == nheadlines) {
		headlines = grow(headlines, &cap_headlines, nheadlines + 1, sizeof(*headlines));
		headlines[i].measure = xstrdup(measure.s);
		headlines[i].value = calloc(run->nkernels, sizeof(char *));
		if (!headlines[i].value)
			fatal("out of memory");
		nheadlines++;
	}
	headlines[i].value[kernel] = xstrdup(value.s);
}

static const char *const hooks[] = { "kprobe", "tracepoint" };

/* The tax and the creation rate at the first loop size measured. */
static void headline_loops(const struct bench_run *run, size_t k, const struct guest_log *m)
{
	static const char *const tax[][2] = { { "tax-getppid", "getppid" },
					      { "tax-zero", "read /dev/zero" } };
	static const char *const kinds[] = { "private", "cookie" };
	struct stats base, s;
	long long n;
	size_t w, c;

	for (w = 0; w < 2; w++) {
		if (!has_case(m, tax[w][0], "none") || !first_n_of(m, tax[w][0], &n))
			continue;
		base = stats_of(m, tax[w][0], "none", n);
		for (c = 0; c < 2; c++) {
			s = stats_of(m, tax[w][0], hooks[c], n);
			if (s.have)
				headline(run, k, textf("syscall tax, %s, hook=%s", tax[w][1], hooks[c]),
					 min_median(fmt_pct(ratio(s.min, base.min)),
						    fmt_pct(ratio(s.median, base.median))));
		}
	}
	for (w = 0; w < 2; w++) {
		struct text part = textf("churn-%s", kinds[w]);

		if (!first_n_of(m, part.s, &n))
			continue;
		base = stats_of(m, part.s, "none", n);
		for (c = 0; c < 2; c++) {
			s = stats_of(m, part.s, hooks[c], n);
			if (s.have && base.have)
				headline(run, k, textf("creation rate, %s, hook=%s (× no module)",
						       kinds[w], hooks[c]), ratio_pair(base, s));
		}
	}
}

/* A headline "A ÷ B" for one size, if both cases were measured. */
static void headline_ratio(const struct bench_run *run, size_t k, const struct guest_log *m,
			   const char *part, const char *a, const char *b, long long n,
			   struct text measure)
{
	struct stats x = stats_of(m, part, a, n), y = stats_of(m, part, b, n);

	if (x.have && y.have)
		headline(run, k, measure, ratio_pair(x, y));
}

static void headline_read_reap(const struct bench_run *run, size_t k, const struct guest_log *m)
{
	struct sorted_ns ns = ns_of(m, "read-proc");
	struct stats a, a0;
	long long n, lo;
	size_t i;

	if (ns.count) {
		n = ns.n[ns.count - 1], lo = ns.n[0];
		headline_ratio(run, k, m, "read-proc", "semwatch", "sysvipc", n,
			       textf("read /proc/semwatch ÷ /proc/sysvipc/sem at %lld sets", n));
		a = stats_of(m, "read-proc", "semwatch", n);
		a0 = stats_of(m, "read-proc", "semwatch", lo);
		if (a.have && a0.have)
			headline(run, k, textf("/proc/semwatch cost per set, %lld ÷ %lld sets", n, lo),
				 fmt_ratio(ratio(a.min / n, a0.min / lo)));
	}
	ns = ns_of(m, "reap");
	for (i = 0; i < ns.count; i++)
		headline_ratio(run, k, m, "reap", "semwatch", "dmsetup", ns.n[i],
			       textf("semwatch reap ÷ dmsetup udevcomplete_all, %lld sets", ns.n[i]));
}

static void headline_memory(const struct bench_run *run, size_t k, const struct guest_log *m)
{
	const struct meta *mem = first_meta(m, "mem"), *slab = first_meta(m, "memslab");
	long long *none, *kprobe, n;
	size_t nnone, nkprobe;
	struct text object = textf("%s", "");
	double per_set;

	if (!mem)
		return;
	n = meta_int(mem, "n");
	nnone = mem_values(m, "none", "slab", &none);
	nkprobe = mem_values(m, "kprobe", "slab", &kprobe);
	if (!nnone || !nkprobe)
		return;
	per_set = (median_of(kprobe, nkprobe) - median_of(none, nnone)) / n;
	if (slab)
		object = textf("%s-byte object, ", meta_get(slab, "object_size"));
	headline(run, k, textf("kernel memory per tracked set (%lld sets)", n),
		 textf("%s%.0f B measured", object.s, per_set));
}

static void headline_big(const struct bench_run *run, size_t k, const struct guest_log *b)
{
	struct sorted_ns ns = ns_of(b, "big-read");
	size_t i;

	for (i = 0; i < b->nmeta; i++)
		if (meta_is(&b->meta[i], "bigcheck"))
			headline(run, k, textf("ipcmni_extend, %s sets: module counts = /proc/sysvipc/sem",
					       meta_get(&b->meta[i], "n")),
				 textf("%s", bigcheck_ok(&b->meta[i]) ? "yes" : "**no**"));
	for (i = 0; i < ns.count; i++) {
		headline_ratio(run, k, b, "big-read", "semwatch-allrows", "sysvipc", ns.n[i],
			       textf("ipcmni_extend, %lld sets: read /proc/semwatch (a row per set) ÷ /proc/sysvipc/sem",
				     ns.n[i]));
		headline_ratio(run, k, b, "big-reap", "semwatch", "dmsetup", ns.n[i],
			       textf("ipcmni_extend, %lld sets: semwatch reap ÷ dmsetup (10,000 cookies)",
				     ns.n[i]));
	}
}

static const char *target(const char *measure)
{
	if (!strncmp(measure, "syscall tax", 11))
		return strstr(measure, "kprobe") ? "≤ +1%" : "reported";
	if (!strncmp(measure, "creation", 8))
		return "≥ 0.90";
	if (!strncmp(measure, "read /proc", 10))
		return "≤ 2.00";
	if (strstr(measure, "cost per set"))
		return "1.00 (flat)";
	if (!strncmp(measure, "semwatch reap", 13))
		return "≤ 1.00";
	if (!strncmp(measure, "kernel memory", 13))
		return "≤ 128 B";
	if (strstr(measure, "counts"))
		return "yes";
	return "(growth)";
}

static void emit_headline_table(const struct bench_run *run)
{
	size_t i, k;

	emit("## Headline ratios");
	blank();
	row_begin();
	cell("measure");
	cell("target");
	for (k = 0; k < run->nkernels; k++)
		cell("`%s`", run->kernel[k]);
	row_end();
	emit_separator(2 + run->nkernels);
	for (i = 0; i < nheadlines; i++) {
		row_begin();
		cell("%s", headlines[i].measure);
		cell("%s", target(headlines[i].measure));
		for (k = 0; k < run->nkernels; k++)
			cell("%s", headlines[i].value[k] ? headlines[i].value[k] : "n/a");
		row_end();
	}
	blank();
	emit("Tax is the extra time of the loop over no module; creation rate is sets per second relative to no module (> 1 is faster); the rest are time ratios (< 1 is faster).");
	blank();
}

static void emit_machine(const struct bench_run *run)
{
	const struct run_facts *f = &run->facts;
	size_t k;

	emit("## Machine and method");
	blank();
	emit_inline("- Host CPU: %s (", f->cpu);
	if (f->ncpu >= 1)
		emit_inline("%ld", f->ncpu);
	else
		emit_inline("?");
	emit(" CPUs, from /proc/cpuinfo). **The host was shared** with other jobs during the run (load average at start: `%s`, at end: `%s`), so absolute times are noisy; the ratios compare runs interleaved in the same guest boot, which spreads that noise over every case alike, and the minimum is the least disturbed run.",
	     f->load_start, f->load_end);
	emit("- Guest: %s, `%s` (scripts/vm.sh): TCG, pure emulation without hardware virtualisation, so everything is 10 to 100 times slower than on hardware; only ratios mean something. %sThe command runs as root in a chroot of the host's root file system (9p, read-only), so the tools are Debian 12's own: util-linux `ipcs`/`lsipc`, `/usr/sbin/dmsetup`.",
	     f->qemu_version[0] ? f->qemu_version : "QEMU",
	     f->qemu_cmd[0] ? f->qemu_cmd : "qemu-system-x86_64 -accel tcg",
	     strstr(f->qemu_cmd, "thread=single") ? "With `thread=single` both vCPUs share one host thread, so work the kernel does on the other vCPU (RCU callbacks, module unloading, kworkers) slows the measured task down. " : "");
	emit_inline("- Kernels: ");
	for (k = 0; k < run->nkernels; k++)
		emit_inline("%s`%s`", k ? ", " : "", run->kernel[k]);
	emit(" (scripts/kernels.sh), one boot each for sections 1 to 5, one more boot each with `ipcmni_extend` for section 6.");
	emit("- Each figure is the minimum and the median over the repetitions shown (`reps`), runs interleaved A B C A B C …; a ratio is min ÷ min (median ÷ median in brackets) against the baseline measured in the same boot. Times are wall-clock (CLOCK_MONOTONIC in the guest) measured by bench/swbench.c around the workload only.");
	emit("- `kernel.sem` is set to `250 1024000000 500 32000` (SEMMNI 32000, the default) for sections 1 to 5 and to `250 1024000000 500 4000000` with `ipcmni_extend` for section 6.");
	emit("- There is no \"module loaded with no hook\" mode: the module always places its removal kprobe and one creation hook, so the cases are *no module*, `hook=kprobe`, `hook=tracepoint`.");
	blank();
}

static void emit_title(const struct bench_run *run)
{
	const struct run_facts *f = &run->facts;
	char finished[64];
	const char *command;
	size_t i, k;

	strftime(finished, sizeof(finished), "%Y-%m-%d %H:%M UTC", gmtime(&f->run_end));
	emit("# semwatch benchmark results");
	blank();
	emit("Written by `make bench` (scripts/bench.sh); run finished %s, commit %s plus the uncommitted work tree of that time; the whole run took %s s (logs: build/logs/%s/).",
	     finished, f->commit, f->seconds, f->logdir_name);
	blank();
	emit_machine(run);
	emit("Commands (from the host, as root; `make bench` runs them all):");
	blank();
	emit("```");
	/* Each line of LOGDIR/commands starts with the guest's name. */
	for (i = 0; i < f->commands.count; i++) {
		command = strchr(f->commands.text[i], ' ');
		emit("%s", command ? command + 1 : f->commands.text[i]);
	}
	/* How to remake this file from the same logs. */
	emit_inline("build/bench/report build/logs/bench-<time> '");
	for (k = 0; k < run->nkernels; k++)
		emit_inline("%s%s", k ? " " : "", run->kernel[k]);
	emit("' > bench/results.md");
	emit("```");
	blank();
}

static void collect_headlines(const struct bench_run *run)
{
	size_t k;

	for (k = 0; k < run->nkernels; k++)
		if (run->main_log[k]) {
			headline_loops(run, k, run->main_log[k]);
			headline_read_reap(run, k, run->main_log[k]);
			headline_memory(run, k, run->main_log[k]);
		}
	for (k = 0; k < run->nkernels; k++)
		if (run->big_log[k])
			headline_big(run, k, run->big_log[k]);
}

void emit_header(const struct bench_run *run)
{
	collect_headlines(run);
	emit_title(run);
	emit_headline_table(run);
}
