#!/usr/bin/awk -f
# The figures of bench/results.md, from the guests' logs (bench/report.sh runs it
# on LOGDIR/BOOT-KVER/output.log, BOOT being mem, main or big, with -v kernels="KVER ...").
# Prints the headline table, then sections 1 to 8 per kernel, then the errors.
# Every figure is a median of the runs of one case in one boot; a ratio divides
# two medians of the same boot; spread is (max - min) / median of a case's runs.
# Portable awk (Debian's default is mawk): no gawk extensions.

function median(key,   n, i, j, t, v) {
	n = cnt[key]
	if (!n) return ""
	for (i = 1; i <= n; i++) v[i] = val[key, i]
	for (i = 2; i <= n; i++)	# insertion sort: a handful of repetitions
		for (j = i; j > 1 && v[j - 1] > v[j]; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
	return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
}
function spread(key,   i, lo, hi, m) {
	if (!cnt[key]) return "–"
	lo = hi = val[key, 1]
	for (i = 2; i <= cnt[key]; i++) {
		if (val[key, i] < lo) lo = val[key, i]
		if (val[key, i] > hi) hi = val[key, i]
	}
	m = median(key)
	return m ? sprintf("%.1f%%", 100 * (hi - lo) / m) : "–"
}
# med(k, part, case, n): the median of those runs ("" if none)
function med(k, p, c, n) { return median(k SUBSEP p SUBSEP c SUBSEP n) }
function spr(k, p, c, n) { return spread(k SUBSEP p SUBSEP c SUBSEP n) }
function reps(k, p, c, n) { return cnt[k SUBSEP p SUBSEP c SUBSEP n] + 0 }
function div(a, b) { return a == "" || b == "" || !b ? "" : a / b }
function f2(x) { return x == "" ? "–" : sprintf("%.3f", x) }
function pct(x) { return x == "" ? "–" : sprintf("%+.2f%%", 100 * (x - 1)) }
function t(ns) {
	if (ns == "") return "–"
	if (ns >= 1e9) return sprintf("%.3f s", ns / 1e9)
	if (ns >= 1e6) return sprintf("%.2f ms", ns / 1e6)
	return sprintf("%.1f µs", ns / 1e3)
}
function clockname(k, b,   c) {
	c = clock[b, k]
	return c == "wall" ? "*wall*" : c == "icount-1cpu" ? "icount, 1 CPU" : c == "" ? "not run" : c
}
function kheader(k, b) { print "\n`" k "` (" clockname(k, b) "):\n" }
# verdict(x, op, target): met / **missed** for a ratio x against a target
function verdict(x, op, target) {
	if (x == "") return ""
	if (op == "<=") return x <= target ? " met" : " **missed**"
	return x >= target ? " met" : " **missed**"
}
# A headline row from cell[KVER]; fmt "r" ratio, "p" tax, "b" bytes; op and goal
# the target ("" op: reported only); b the boot, for the wall-clock mark.
function head(label, target, fmt, op, goal, b,   i, s, x) {
	s = "| " label " | " target " |"
	for (i = 1; i <= nk; i++) {
		x = cell[ks[i]]
		if (x == "") { s = s " n/a |"; continue }
		s = s " " (fmt == "p" ? pct(x) : fmt == "b" ? sprintf("%.1f B", x) : f2(x))
		s = s (op == "" ? "" : verdict(x, op, goal)) \
		    (clock[b, ks[i]] == "wall" ? " *wall*" : "") " |"
	}
	print s
	delete cell
}

FNR == 1 {
	n = split(FILENAME, pp, "/"); b = pp[n - 1]; k = b; sub(/^[a-z]+-/, "", k); b = substr(b, 1, index(b, "-") - 1)
	dir = FILENAME; sub(/\/[^\/]*$/, "", dir)
	clock[b, k] = (getline c < (dir "/clock")) > 0 ? c : "icount"
	close(dir "/clock")
}
{ sub(/\r$/, "") }
/^@[RM] / {
	delete f
	for (i = 2; i <= NF; i++) { eq = index($i, "="); f[substr($i, 1, eq - 1)] = substr($i, eq + 1) }
}
/^@R / {
	key = k SUBSEP f["part"] SUBSEP f["case"] SUBSEP f["n"]
	val[key, ++cnt[key]] = f["ns"] + 0	# a number: substr() gives strings, which compare as text
	if (!((k, f["part"], f["n"]) in seen)) { seen[k, f["part"], f["n"]]; nl[k, f["part"]] = nl[k, f["part"]] " " f["n"] }
}
/^@M part=mem / { slab[k, f["case"], ++nmem[k, f["case"]]] = f["slab"] / f["n"]; avail[k, f["case"], nmem[k, f["case"]]] = f["avail"] / f["n"]; memn[k] = f["n"] }
/^@M part=memslab / { memslab[k] = substr($0, 17) }
/^@M part=(readcheck|bigcheck|bignone|bigrows|clicheck|exitalive) / { checks[k, f["part"]] = checks[k, f["part"]] "; " substr($0, 4) }
/^@M part=exitcheck / { exithook[k] = f["exit_hook"] }
/^@M part=sizes / { sizes[b] = substr($0, 16) }
/^@I big: / { checks[k, "bigcheck"] = checks[k, "bigcheck"] "; " substr($0, 9) }
/^@I done/ { done[b, k] = 1 }
/^@E / { errors = errors "\n- `" k "` (" b "): " substr($0, 4) }

# The median of a kernel's memory deltas per set for a case
function memmed(k, c,   i, key) {
	for (i = 1; i <= nmem[k, c]; i++) { key = "mem" SUBSEP k SUBSEP c; val[key, i] = slab[k, c, i] }
	cnt[key] = nmem[k, c]
	return median(key)
}
function cases(k, p, n, what, perunit,   c, i, base, m) {
	base = med(k, p, "none", n)
	for (i = 1; i <= 3; i++) {
		c = i == 1 ? "none" : i == 2 ? "kprobe" : "tracepoint"
		m = med(k, p, c, n)
		if (m == "") continue
		printf "| %s | %s | %d | %s | %s | %s | %s |\n", what, c, reps(k, p, c, n), t(m),
		       perunit == "call" ? sprintf("%.0f", m / n) : sprintf("%.0f", n / m * 1e9),
		       spr(k, p, c, n), perunit == "call" ? pct(div(m, base)) : f2(div(base, m))
	}
}
# sec2(heading, columns, part1, label1, part2, label2, unit): a section of two
# workloads of the main boot, a table per kernel (sections 1 and 2).
function sec2(heading, columns, p1, l1, p2, l2, unit,   i, k, n) {
	print heading
	for (i = 1; i <= nk; i++) {
		k = ks[i]; kheader(k, "main")
		print columns
		n = substr(nl[k, p1], 2); cases(k, p1, n, l1 n, unit)
		n = substr(nl[k, p2], 2); cases(k, p2, n, l2 n, unit)
	}
}
function sec_tax() {
	sec2("\n## 1. Syscall tax on unrelated system calls\n\nA loop of N calls, per case; tax is the median over the no-module median (+0.00% = none; target for `hook=kprobe`: at most +1%).",
	     "| workload | case | reps | median | ns per call | spread | tax |\n| --- | --- | ---: | ---: | ---: | ---: | ---: |",
	     "tax-getppid", "getppid() ×", "tax-zero", "read(/dev/zero, 4 KiB) ×", "call")
}
function sec_churn() {
	sec2("\n## 2. Creation path: create and remove sets one by one\n\n`semget` + `semctl(IPC_RMID)` per set; *private* is `IPC_PRIVATE`, *cookie* is key `0x0d4d0000 + i` with `IPC_CREAT|IPC_EXCL|0600` as libdevmapper makes its udev cookies. Rate × no module: the no-module median over the case's (target ≥ 0.85 with either hook).",
	     "| sets | case | reps | median | sets/s | spread | rate × no module |\n| --- | --- | ---: | ---: | ---: | ---: | ---: |",
	     "churn-private", "private ×", "churn-cookie", "cookie ×", "set")
}
function rowsof(k, p, list, base,   m, ni, nn, ci, cn, c, name, x) {
	nn = split(substr(nl[k, p], 2), ns, " "); cn = split(list, cl, ",")
	for (ni = 1; ni <= nn; ni++)
		for (ci = 1; ci <= cn; ci++) {
			split(cl[ci], name, "="); c = name[1]
			m = med(k, p, c, ns[ni])
			if (m == "") continue
			x = base == "" ? "" : div(m, med(k, p, base, ns[ni]))
			printf "| %d | %s | %d | %s | %.2f | %s | %s |\n", ns[ni], name[2], reps(k, p, c, ns[ni]), t(m),
			       ns[ni] ? m / ns[ni] / 1000 : 0, spr(k, p, c, ns[ni]), f2(x)
		}
}
function checkline(k, p) { if (checks[k, p] != "") print "\nChecks: " substr(checks[k, p], 3) "." }
function sec_read(   i, k) {
	print "\n## 3. Read cost versus set count\n\n`hook=kprobe`; every set a leaked 0x0d4d cookie (one `watched` row each, so both files have a line per set). Files are read to the end in 64 KiB `read()`s; tools run with output to /dev/null."
	for (i = 1; i <= nk; i++) {
		k = ks[i]; kheader(k, "main")
		print "| sets | what | reps | median | µs per set | spread | ÷ /proc/sysvipc/sem |\n| ---: | --- | ---: | ---: | ---: | ---: | ---: |"
		rowsof(k, "read-proc", "sysvipc=read /proc/sysvipc/sem,semwatch=read /proc/semwatch", "sysvipc")
		rowsof(k, "read-tool", "semwatch-report=`semwatch report`,lsipc=`lsipc -s`,ipcs=`ipcs -s`", "")
		checkline(k, "readcheck")
	}
}
function sec_reap(   i, k, nn, j, a, d) {
	print "\n## 4. Reaping leaked cookies\n\nN cookie sets made by a process that exits (dead creators); `semwatch reap --yes --force` and `dmsetup udevcomplete_all --yes` each on fresh sets, and each must leave 0 sets (checked)."
	for (i = 1; i <= nk; i++) {
		k = ks[i]; kheader(k, "main")
		print "| sets | reps | semwatch | spread | dmsetup | spread | semwatch ÷ dmsetup |\n| ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
		nn = split(substr(nl[k, "reap"], 2), ns, " ")
		for (j = 1; j <= nn; j++) {
			a = med(k, "reap", "semwatch", ns[j]); d = med(k, "reap", "dmsetup", ns[j])
			printf "| %d | %d | %s | %s | %s | %s | %s |\n", ns[j], reps(k, "reap", "semwatch", ns[j]), t(a),
			       spr(k, "reap", "semwatch", ns[j]), t(d), spr(k, "reap", "dmsetup", ns[j]), f2(div(a, d))
		}
	}
}
function sec_mem(   i, k, j, c) {
	print "\n## 5. Kernel memory per tracked set\n\n`SUnreclaim` (/proc/meminfo) before and after creating N cookie sets, without the module and with `hook=kprobe`; the module's cost is the difference of the two medians ÷ N (target ≤ 96 B). `MemAvailable` is a cross-check (noisier: page cache comes and goes)."
	for (i = 1; i <= nk; i++) {
		k = ks[i]; kheader(k, "mem")
		print "| case | reps | sets | SUnreclaim Δ per set (median, B) | MemAvailable drop per set (first run, B) |\n| --- | ---: | ---: | ---: | ---: |"
		for (j = 1; j <= 2; j++) {
			c = j == 1 ? "none" : "kprobe"
			if (nmem[k, c]) printf "| %s | %d | %d | %.1f | %.1f |\n", c, nmem[k, c], memn[k], memmed(k, c), avail[k, c, 1]
		}
		if (nmem[k, "none"] && nmem[k, "kprobe"])
			printf "| **module (kprobe − none)** | | | **%.1f** | |\n", memmed(k, "kprobe") - memmed(k, "none")
		if (memslab[k] != "") print "\n`sw_record` cache: " memslab[k]
	}
}
function sec_big(   i, k) {
	print "\n## 6. Beyond the default limit (`ipcmni_extend`)\n\nBooted with `ipcmni_extend`, `kernel.sem` SEMMNI 4000000, module `hook=kprobe max_records=4194304`. Of N sets, the cookies are 0x0d4d keys and the rest `IPC_PRIVATE`. /proc/semwatch is read with the default watched prefix (a row per cookie), with a prefix no set has (`watch_prefix 0xffff`: header and per-prefix summary only, so the cost of open with nothing printed; n = 0 is the file with no set at all) and with every set a row (`watch_prefix 0`, `prefix_bits 1`). Reaping removes the cookies among the N sets; they are made again before the next run."
	for (i = 1; i <= nk; i++) {
		k = ks[i]; kheader(k, "big")
		if (!clock["big", k]) { print "Not run."; continue }
		print "| sets | what | reps | median | µs per set | spread | ÷ /proc/sysvipc/sem |\n| ---: | --- | ---: | ---: | ---: | ---: | ---: |"
		rowsof(k, "big-read", "sysvipc=read /proc/sysvipc/sem,semwatch=read /proc/semwatch (cookie rows),semwatch-none=read /proc/semwatch (no row: prefix 0xffff),semwatch-allrows=read /proc/semwatch (every set a row),semwatch-report=`semwatch report`,lsipc=`lsipc -s`", "sysvipc")
		rowsof(k, "big-reap", "semwatch=`semwatch reap --yes --force`,dmsetup=`dmsetup udevcomplete_all --yes`", "")
		checkline(k, "bigcheck"); checkline(k, "bignone"); checkline(k, "bigrows")
	}
}
function sec_cli(   i, k, n, r, l) {
	print "\n## 7. The command against lsipc and dmsetup\n\nN cookie sets made by a process that exits, `hook=kprobe`; each reap runs on N fresh sets and must leave 0. Targets (issue #14): `semwatch report` at least 10× faster than `lsipc -s`; `semwatch reap` no slower than `dmsetup udevcomplete_all`.\n"
	print "| kernel | clock | sets | `semwatch report` | `lsipc -s` | lsipc ÷ report | `reap --yes` | `reap --yes --force` | `dmsetup udevcomplete_all --yes` | reap ÷ dmsetup | read /proc/semwatch | read /proc/sysvipc/sem |\n| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
	for (i = 1; i <= nk; i++) {
		k = ks[i]; n = substr(nl[k, "cli"], 2)
		if (n == "") { print "| " k " | not run | | | | | | | | | | |"; continue }
		r = med(k, "cli", "report", n); l = med(k, "cli", "lsipc", n)
		printf "| %s | %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", k, clockname(k, "main"), n, t(r), t(l),
		       f2(div(l, r)), t(med(k, "cli", "reap", n)), t(med(k, "cli", "reap-force", n)), t(med(k, "cli", "dmsetup", n)),
		       f2(div(med(k, "cli", "reap", n), med(k, "cli", "dmsetup", n))), t(med(k, "cli", "read-semwatch", n)), t(med(k, "cli", "read-sysvipc", n))
	}
}
function sec_exit(   i, k, n, p, c, j, base) {
	print "\n## 8. Process-exit tax: fork + exit + wait\n\nEach run forks N children that `_exit(0)` at once and waits for each (one CPU, address-space randomisation off); then the same with live creators: other processes alive during the run that each created one set (tracked when the module is loaded). A tax is the case's median over the no-module median (target ≤ +1%)."
	for (i = 1; i <= nk; i++) {
		k = ks[i]; kheader(k, "main")
		if (exithook[k] == "no") print "*The module has no `sched_process_exit` hook: these are the baseline, not the exit hook's tax.*\n"
		print "| variant | case | reps | median per fork+exit+wait | spread | tax |\n| --- | --- | ---: | ---: | ---: | ---: |"
		for (p = 1; p <= 2; p++) {
			pn = p == 1 ? "exit" : "exit-alive"; n = substr(nl[k, pn], 2); base = med(k, pn, "none", n)
			for (j = 1; j <= 3; j++) {
				c = j == 1 ? "none" : j == 2 ? "kprobe" : "tracepoint"
				if (reps(k, pn, c, n)) printf "| %s | %s | %d | %s | %s | %s |\n", p == 1 ? "alone" : "live creators",
					c, reps(k, pn, c, n), t(med(k, pn, c, n) / n), spr(k, pn, c, n), pct(div(med(k, pn, c, n), base))
			}
		}
		checkline(k, "exitalive")
	}
}

function first(k, p) { return substr(nl[k, p], 2) + 0 }
function churn(p, c,   i, n) {
	for (i = 1; i <= nk; i++) { n = first(ks[i], p); cell[ks[i]] = div(med(ks[i], p, "none", n), med(ks[i], p, c, n)) }
}
function tax(p, c,   i, n) {
	for (i = 1; i <= nk; i++) { n = first(ks[i], p); cell[ks[i]] = div(med(ks[i], p, c, n), med(ks[i], p, "none", n)) }
}
function headline(   i, k, j, n, lo, hi, nb, bn, c) {
	print "## Headline\n\nPer kernel: the ratio, then met or **missed** against the target. A ratio divides two medians of the same boot. *wall* marks a figure timed by the wall clock (the kernel did not boot under `-icount`), which moves with the host's load.\n"
	printf "| measure | target |"; for (i = 1; i <= nk; i++) printf " `%s` |", ks[i]
	printf "\n| --- | --- |"; for (i = 1; i <= nk; i++) printf " --- |"; print ""
	for (j = 1; j <= 4; j++) {
		c = j % 2 ? "kprobe" : "tracepoint"; n = j <= 2 ? "private" : "cookie"
		churn("churn-" n, c); head("creation rate × no module, " n ", hook=" c, "≥ 0.85", "r", ">=", 0.85, "main")
	}
	for (j = 1; j <= 4; j++) {
		c = j % 2 ? "kprobe" : "tracepoint"; n = j <= 2 ? "getppid" : "zero"
		tax("tax-" n, c)
		head("syscall tax, " (n == "zero" ? "read(/dev/zero)" : n) ", hook=" c, c == "kprobe" ? "≤ +1%" : "reported", "p", c == "kprobe" ? "<=" : "", 1.01, "main")
	}
	# The ipcmni_extend counts of any kernel, smallest first (0 is the empty file).
	for (i = 1; i <= nk; i++) {
		split(substr(nl[ks[i], "big-read"], 2), bl, " ")
		for (j in bl) if (bl[j] > 0 && !(bl[j] in hasn)) { hasn[bl[j]]; bn[++nb] = bl[j] }
	}
	for (j = 2; j <= nb; j++) for (i = j; i > 1 && bn[i - 1] > bn[i]; i--) { c = bn[i]; bn[i] = bn[i - 1]; bn[i - 1] = c }
	for (j = 1; j <= nb; j++) {
		for (i = 1; i <= nk; i++) cell[ks[i]] = div(med(ks[i], "big-read", "semwatch-allrows", bn[j]), med(ks[i], "big-read", "sysvipc", bn[j]))
		head("read /proc/semwatch (every set a row) ÷ /proc/sysvipc/sem, " bn[j] " sets", "≤ 1.5", "r", "<=", 1.5, "big")
	}
	if (nb > 1) {
		lo = bn[1]; hi = bn[nb]
		# Flat: the cost per tracked set stays the same from lo to hi sets.
		for (i = 1; i <= nk; i++) cell[ks[i]] = div(div(med(ks[i], "big-read", "semwatch-none", hi), hi), div(med(ks[i], "big-read", "semwatch-none", lo), lo))
		head("open+read /proc/semwatch with no row printed (the summary alone): cost per set, " hi " ÷ " lo " sets", "≤ 1.10 (flat)", "r", "<=", 1.10, "big")
	}
	for (i = 1; i <= nk && nb; i++) cell[ks[i]] = div(med(ks[i], "big-read", "semwatch-none", bn[nb]), med(ks[i], "big-read", "sysvipc", bn[nb]))
	if (nb) head("the same at " bn[nb] " sets ÷ /proc/sysvipc/sem", "reported", "r", "", 0, "big")
	for (i = 1; i <= nk; i++) { k = ks[i]; cell[k] = nmem[k, "none"] && nmem[k, "kprobe"] ? memmed(k, "kprobe") - memmed(k, "none") : "" }
	head("kernel memory per tracked set (SUnreclaim delta)", "≤ 96 B", "b", "<=", 96, "mem")
	for (i = 1; i <= nk; i++) { n = first(ks[i], "cli"); cell[ks[i]] = div(med(ks[i], "cli", "lsipc", n), med(ks[i], "cli", "report", n)) }
	head("`lsipc -s` ÷ `semwatch report`, " n " sets (issue #14)", "≥ 10", "r", ">=", 10, "main")
	for (i = 1; i <= nk; i++) { n = first(ks[i], "cli"); cell[ks[i]] = div(med(ks[i], "cli", "reap", n), med(ks[i], "cli", "dmsetup", n)) }
	head("`semwatch reap` ÷ `dmsetup udevcomplete_all`, " n " sets (issue #14)", "≤ 1", "r", "<=", 1, "main")
	for (j = 1; j <= 2; j++) {
		c = j == 1 ? "kprobe" : "tracepoint"
		tax("exit", c); head("process-exit tax, fork+exit+wait, hook=" c, "≤ +1%", "p", "<=", 1.01, "main")
	}
	print "\nTax: the loop's extra time over no module; creation rate: sets per second over no module's (> 1 is faster); the rest are time ratios."
}
END {
	nk = split(kernels, ks, " ")
	headline()
	sec_tax(); sec_churn(); sec_read(); sec_reap(); sec_mem(); sec_big(); sec_cli(); sec_exit()
	for (i = 1; i <= nk; i++) {
		for (j = 1; j <= 3; j++) {
			b = j == 1 ? "mem" : j == 2 ? "main" : "big"
			if (clock[b, ks[i]] != "" && !done[b, ks[i]]) errors = errors "\n- `" ks[i] "` (" b "): the guest did not finish (no `@I done`)"
		}
	}
	print "\n## Errors and anomalies\n"
	print errors == "" ? "None: every guest finished and every check passed." : "Lines `@E` of the guests, and guests that did not finish:\n" substr(errors, 2)
}
