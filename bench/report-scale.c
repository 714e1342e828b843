// SPDX-License-Identifier: GPL-2.0
/*
 * report: section 5 (memory per set), section 6 (beyond the default limit),
 * the hand-written notes and the errors and anomalies of every guest.
 */
#include "report.h"

#include <math.h>
#include <string.h>

static const char *const memory_cases[] = { "none", "kprobe" };

/* The per-set slab growth rows; NAN medians when a case was not measured. */
static void memory_rows(const struct guest_log *m, long long n, double slab_median[2],
			double avail_median[2])
{
	long long *slab, *avail;
	size_t c, count;

	for (c = 0; c < 2; c++) {
		slab_median[c] = avail_median[c] = NAN;
		count = mem_values(m, memory_cases[c], "slab", &slab);
		mem_values(m, memory_cases[c], "avail", &avail);
		if (!count)
			continue;
		slab_median[c] = median_of(slab, count);
		avail_median[c] = median_of(avail, count);
		emit_row(5, memory_cases[c], textf("%zu", count).s, textf("%.0f", (double)slab[0] / n).s,
			 textf("%.0f", slab_median[c] / n).s, textf("%.0f", avail_median[c] / n).s);
	}
}

static void memory_table(const struct guest_log *m, long long n)
{
	static const char *const head[] = { "case", "reps", "SUnreclaim Δ/set min (B)",
					    "SUnreclaim Δ/set median (B)",
					    "MemAvailable drop/set median (B)" };
	double slab[2], avail[2];

	emit_table_head(head, COUNT(head));
	memory_rows(m, n, slab, avail);
	if (!isnan(slab[0]) && !isnan(slab[1]))
		emit_row(5, "**module (kprobe − none)**", "", "",
			 textf("**%.0f**", (slab[1] - slab[0]) / n).s,
			 textf("%.0f", (avail[1] - avail[0]) / n).s);
	blank();
}

static void memory_notes(const struct guest_log *m)
{
	const struct meta *slab = first_meta(m, "memslab");
	size_t i;

	for (i = 0; i < m->info.count; i++)
		if (!strncmp(m->info.text[i], "mem: ", 5))
			emit("- %s", m->info.text[i] + 5);
	if (slab)
		emit("- `sw_record`: object_size %s B, slab_size %s B, %s objects per order-%s slab = %.0f B of slab page per record.",
		     meta_get(slab, "object_size"), meta_get(slab, "slab_size"),
		     meta_get(slab, "objs_per_slab"), meta_get(slab, "order"),
		     (double)(4096LL << meta_int(slab, "order")) / meta_int(slab, "objs_per_slab"));
	blank();
}

static void emit_memory(const struct bench_run *run)
{
	const struct meta *mem;
	long long n;
	size_t k;

	emit("## 5. Kernel memory per tracked set");
	blank();
	emit("`SUnreclaim` from /proc/meminfo (unreclaimable slab: where both `struct sem_array` and the module's records live) before and after creating N cookie sets, with no module and with `hook=kprobe`, interleaved; the module's cost is the difference of the two medians divided by N. `MemAvailable` is shown as a cross-check (noisier: page cache over 9p comes and goes). The creator's `struct pid` is shared by all sets of one process and the cgroup path is interned per cgroup, so with one creating process they add nothing per set.");
	blank();
	for (k = 0; k < run->nkernels; k++) {
		mem = first_meta(run->main_log[k], "mem");
		if (!mem)
			continue;
		n = meta_int(mem, "n");
		emit("`%s`, %lld sets:", run->kernel[k], n);
		blank();
		memory_table(run->main_log[k], n);
		memory_notes(run->main_log[k]);
	}
}

static void big_rows(const struct guest_log *b, long long n)
{
	static const char *const reads[][2] = {
		{ "sysvipc", "read /proc/sysvipc/sem" },
		{ "semwatch", "read /proc/semwatch (cookie rows)" },
		{ "semwatch-allrows", "read /proc/semwatch (every set a row)" },
		{ "semwatch-report", "`semwatch report`" },
		{ "lsipc", "`lsipc -s`" },
	};
	static const char *const reaps[][2] = {
		{ "semwatch", "`semwatch reap --yes --force` (10,000 cookies)" },
		{ "dmsetup", "`dmsetup udevcomplete_all --yes` (10,000 cookies)" },
	};
	struct stats base = stats_of(b, "big-read", "sysvipc", n), s, reap[2];
	size_t i;

	for (i = 0; i < COUNT(reads); i++) {
		s = stats_of(b, "big-read", reads[i][0], n);
		if (s.have)
			emit_read_row(n, reads[i][1], s, base);
	}
	for (i = 0; i < COUNT(reaps); i++) {
		reap[i] = stats_of(b, "big-reap", reaps[i][0], n);
		if (!reap[i].have)
			continue;
		emit_row(8, textf("%lld", n).s, reaps[i][1], textf("%zu", reap[i].reps).s,
			 fmt_secs(reap[i].min).s, fmt_secs(reap[i].median).s,
			 fmt_us(reap[i].min / n).s, "", "");
	}
	if (reap[0].have && reap[1].have)
		emit_row(8, textf("%lld", n).s, "**reap: semwatch ÷ dmsetup**", "",
			 fmt_ratio(ratio(reap[0].min, reap[1].min)).s,
			 fmt_ratio(ratio(reap[0].median, reap[1].median)).s, "", "", "");
}

static void big_notes(const struct guest_log *b)
{
	const struct meta *x;
	size_t i;

	for (i = 0; i < b->nmeta; i++) {
		x = &b->meta[i];
		if (meta_is(x, "bigcheck"))
			emit("- %s sets: tracked %s, /proc/sysvipc/sem rows %s, namespace row %s, dropped %s: %s.",
			     meta_get(x, "n"), meta_get(x, "tracked"), meta_get(x, "sysvipc_rows"),
			     meta_get(x, "ns_sets"), meta_get(x, "dropped"),
			     bigcheck_ok(x) ? "**counts match**" : "**MISMATCH**");
		if (meta_is(x, "bigrows"))
			emit("- %s sets with every set a row: %s rows in `watched`.",
			     meta_get(x, "n"), meta_get(x, "rows"));
	}
	for (i = 0; i < b->info.count; i++)
		if (!strncmp(b->info.text[i], "big: ", 5))
			emit("- %s", b->info.text[i] + 5);
	blank();
}

static void emit_big_intro(const struct run_facts *f)
{
	size_t i;

	emit("## 6. Beyond the default limit (`ipcmni_extend`)");
	blank();
	emit("Booted with `ipcmni_extend` (index space 16M), `kernel.sem=\"250 1024000000 500 4000000\"`, module loaded with `hook=kprobe max_records=4194304` (the default `max_records` is 262144; beyond it creations count as `dropped`). Of the N sets, 10,000 are 0x0d4d cookies (there are only 65,536 such keys) and the rest `IPC_PRIVATE`. Reading /proc/semwatch is timed with the default watch prefix (a row per cookie) and with every set a row (`watch_prefix 0`, `prefix_bits 1`). Reaping removes the 10,000 cookies among the N sets and they are made again before the next run.");
	if (f->big_skipped) {
		blank();
		blank();
		emit("**Skipped in this run to stay within the 30-minute budget** (scripts/bench.sh checks the time left before each of these boots):");
		blank();
		for (i = 0; i < f->skipped.count; i++)
			emit("- %s", f->skipped.text[i]);
	}
	blank();
	emit("1,000,000 sets run only on the last kernel, with fewer repetitions (`reps`), and only when the budget leaves room.");
	blank();
}

static void emit_big(const struct bench_run *run)
{
	static const char *const head[] = { "sets", "what", "reps", "min", "median",
					    "µs/set (all sets)", "÷ /proc/sysvipc/sem (min)",
					    "(median)" };
	struct sorted_ns ns;
	size_t k, i;

	emit_big_intro(&run->facts);
	for (k = 0; k < run->nkernels; k++) {
		if (!run->big_log[k]) {
			emit("`%s`: not run.", run->kernel[k]);
			blank();
			continue;
		}
		emit_kernel_title(run->kernel[k]);
		emit_table_head(head, COUNT(head));
		ns = ns_of(run->big_log[k], "big-read");
		for (i = 0; i < ns.count; i++)
			big_rows(run->big_log[k], ns.n[i]);
		blank();
		big_notes(run->big_log[k]);
	}
}

static void emit_anomalies(const struct bench_run *run)
{
	static const char *const kinds[] = { "main", "big" };
	const struct guest_log *g;
	bool none = true;
	size_t kind, k, i;

	emit("## Errors and anomalies");
	blank();
	for (kind = 0; kind < 2; kind++)
		for (k = 0; k < run->nkernels; k++) {
			g = kind ? run->big_log[k] : run->main_log[k];
			none &= !g || (g->done && !g->errors.count);
		}
	if (none)
		emit("None: every run completed and every check passed.");
	for (kind = 0; kind < 2; kind++)
		for (k = 0; k < run->nkernels; k++) {
			g = kind ? run->big_log[k] : run->main_log[k];
			for (i = 0; g && i < g->errors.count; i++)
				emit("- %s boot, `%s`: %s", kinds[kind], run->kernel[k], g->errors.text[i]);
		}
	for (kind = 0; kind < 2; kind++)
		for (k = 0; k < run->nkernels; k++) {
			g = kind ? run->big_log[k] : run->main_log[k];
			if (g && !g->done)
				emit("- %s-%s: the guest did not finish (timeout or crash); its figures are partial.",
				     kinds[kind], run->kernel[k]);
		}
	blank();
}

void emit_scale_sections(const struct bench_run *run)
{
	emit_memory(run);
	emit_big(run);
	if (run->facts.notes) {
		emit("%s", run->facts.notes);
		blank();
	}
	emit_anomalies(run);
}
