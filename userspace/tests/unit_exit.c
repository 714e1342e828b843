// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests: the watched table's optional "exit" and "died_s" columns (how
 * and when a creator ended), with and without them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "semwatch.h"
#include "tap.h"

#define NS "4026531839"
#define HEAD "semwatch-format: 2\nhook: kprobe\nremoval: kprobe\n" \
	"watch_prefix: 0x0d4d\nprefix_bits: 16\ntracked: 7\ndropped: 0\n" \
	"max_records: 262144\ntruncated: 0\n\nnamespaces:\n" \
	"        ns semmsl semmns semopm semmni sets sems\n" \
	NS " 250 32000 32 128 7 7\n\nprefixes:\n" \
	"prefix sets sems oldest_s alive dead unknown label\n" \
	"0x0d4d 7 7 90 1 5 1 dm-udev-cookie\n\nwatched:\n"

/* Every shape the module writes, as it writes them. */
static const char sample[] = HEAD
	"     pid comm             state   exit       died_s   age_s         ns        key  semid nsems   uid cgroup\n"
	"       2 dmsetup          alive   -                -      90 " NS " 0x0d4d0001      0     1     0 /\n"
	"      30 dmsetup          dead    SIGKILL        180      80 " NS " 0x0d4d0002      1     1     0 /a\n"
	"      31 dmsetup          dead    SIG42            7      70 " NS " 0x0d4d0003      2     1     0 /a\n"
	"      32 lvm              dead    oom-kill         0      60 " NS " 0x0d4d0004      3     1     0 /a\n"
	"      33 lvm              dead    status:0        12      50 " NS " 0x0d4d0005      4     1     0 /a\n"
	"       - -                dead    -                -      40 " NS " 0x0d4d0006      5     1     0 -\n"
	"       ? ?                unknown ?                ?       ? " NS " 0x0d4d0007      6     ?     0 ?\n"
	"      34 dmsetup          dead    SIGUSR1          3      30 " NS " 0x0d4d0008      7     1     0 /a\n"
	"      35 dmsetup          dead    SIGUSR2          4      30 " NS " 0x0d4d0009      8     1     0 /a\n"
	"\nend\n";

static int parse(const char *text, struct sw_module *m, struct sw_perr *e)
{
	char *buf = strdup(text);
	int ret = sw_proc_parse(buf, strlen(buf), m, e);

	free(buf);
	return ret;
}

/* Parse sample with the first from replaced by to; frees what parsed. */
static int parse_edit(const char *from, const char *to, struct sw_perr *e)
{
	char buf[4096];
	const char *p = strstr(sample, from);
	struct sw_module m;
	int ret;

	if (!p)
		return 12345;
	snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(p - sample), sample, to,
		 p + strlen(from));
	e->what = NULL;
	ret = parse(buf, &m, e);
	if (!ret)
		sw_proc_free(&m);
	return ret;
}

static const struct sw_modrow *row(const struct sw_module *m, int semid)
{
	return sw_proc_find(m, 4026531839ULL, semid, 0x0d4d0001 + (uint32_t)semid);
}

static bool is_end(const struct sw_modrow *r, int kind, const char *name,
		   long long died_s)
{
	return r && r->exit.kind == kind && !strcmp(r->exit.name, name) &&
	       r->died_s == died_s;
}

static void test_shapes(void)
{
	struct sw_module m;
	struct sw_perr e = { 0 };
	int ret = parse(sample, &m, &e);

	ok(ret == 0, "exit/died_s: a table with every shape parses (%s)",
	   ret ? e.what : "");
	if (ret)
		return;
	ok(is_end(row(&m, 0), SW_END_NONE, "", SW_UNKNOWN) &&
	   row(&m, 0)->state == SW_STATE_ALIVE, "exit '-': alive, no time");
	ok(is_end(row(&m, 1), SW_END_SIGNAL, "SIGKILL", 180), "exit SIGKILL, died 180 s ago");
	ok(is_end(row(&m, 2), SW_END_SIGNAL, "SIG42", 7), "exit SIG42: a signal by number");
	ok(is_end(row(&m, 3), SW_END_OOM, "oom-kill", 0), "exit oom-kill, died 0 s ago");
	ok(is_end(row(&m, 4), SW_END_STATUS, "status:0", 12), "exit status:0");
	ok(is_end(row(&m, 5), SW_END_NONE, "", SW_UNKNOWN) &&
	   row(&m, 5)->state == SW_STATE_DEAD && row(&m, 5)->pid == SW_UNKNOWN,
	   "exit '-' of a dead creator: hidden, told apart from '?'");
	ok(is_end(row(&m, 6), SW_END_UNKNOWN, "", SW_UNKNOWN), "exit '?': unknown");
	ok(is_end(row(&m, 7), SW_END_SIGNAL, "SIGUSR1", 3) &&
	   is_end(row(&m, 8), SW_END_SIGNAL, "SIGUSR2", 4),
	   "exit SIGUSR1, SIGUSR2: names the module prints");
	ok(row(&m, 1)->age_s == 80 && !strcmp(row(&m, 1)->cgroup, "/a") &&
	   row(&m, 6)->nsems == SW_UNKNOWN, "the columns after them still line up");
	sw_proc_free(&m);
}

/* A module from before these columns: everything works, the end unknown. */
static void test_absent(void)
{
	char buf[4096], *p = buf;
	const char *s = sample;
	struct sw_module m;
	struct sw_perr e = { 0 };
	int ret;

	/* drop the 4th and 5th field of every line of the watched table */
	while (*s) {
		const char *nl = strchr(s, '\n') + 1, *hit = strstr(s, " " NS " 0x");
		char f[12][128];

		if ((hit && hit < nl) || !strncmp(s, "     pid", 8)) {
			sscanf(s, "%127s %127s %127s %127s %127s %127s %127s %127s "
			       "%127s %127s %127s %127s", f[0], f[1], f[2], f[3],
			       f[4], f[5], f[6], f[7], f[8], f[9], f[10], f[11]);
			p += sprintf(p, "%s %s %s %s %s %s %s %s %s %s\n", f[0],
				     f[1], f[2], f[5], f[6], f[7], f[8], f[9],
				     f[10], f[11]);
		} else {
			p += sprintf(p, "%.*s", (int)(nl - s), s);
		}
		s = nl;
	}
	ret = parse(buf, &m, &e);
	ok(ret == 0 && !strstr(buf, "died_s"), "exit/died_s absent: the file parses (%s)",
	   ret ? e.what : "");
	if (ret)
		return;
	ok(is_end(row(&m, 1), SW_END_UNKNOWN, "", SW_UNKNOWN) &&
	   is_end(row(&m, 0), SW_END_UNKNOWN, "", SW_UNKNOWN) &&
	   row(&m, 1)->age_s == 80 && row(&m, 1)->state == SW_STATE_DEAD,
	   "exit/died_s absent: every end unknown, the rest as before");
	sw_proc_free(&m);
}

static void test_bad(void)
{
	static const struct { const char *from, *to, *what; } c[] = {
		{ "SIGKILL ", "SIGkill ", "bad exit value" },
		{ "SIGKILL ", "SIG ", "bad exit value" },
		{ "SIGKILL ", "SIG0 ", "bad exit value" },
		{ "SIGKILL ", "SIG128 ", "bad exit value" },
		{ "SIGKILL ", "SIG09 ", "bad exit value" },
		{ "SIGKILL ", "SIGKILL9 ", "bad exit value" },
		{ "SIGKILL ", "SIGABCDEFGHIJKLMN ", "bad exit value" },
		{ "SIGKILL ", "sigkill ", "bad exit value" },
		{ "SIGKILL ", "KILL ", "bad exit value" },
		{ "SIGKILL ", "9 ", "bad exit value" },
		{ "oom-kill ", "oom ", "bad exit value" },
		{ "oom-kill ", "OOM-KILL ", "bad exit value" },
		{ "status:0 ", "status: ", "bad exit value" },
		{ "status:0 ", "status:256 ", "bad exit value" },
		{ "status:0 ", "status:01 ", "bad exit value" },
		{ "status:0 ", "status:-1 ", "bad exit value" },
		{ "status:0 ", "status:x ", "bad exit value" },
		{ "status:0 ", "exited ", "bad exit value" },
		{ "-                -      90", "--               -      90", "bad exit value" },
		{ "SIGKILL        180", "SIGKILL        18x", "bad value in column 'died_s'" },
		{ "SIGKILL        180", "SIGKILL        -180", "bad value in column 'died_s'" },
		{ "SIGKILL        180", "SIGKILL          ?", "exit and died_s disagree" },
		{ "SIGKILL        180", "SIGKILL          -", "exit and died_s disagree" },
		{ "-                -      90", "-                5      90", "exit and died_s disagree" },
		{ "?                ?       ?", "?                -       ?", "exit and died_s disagree" },
		{ "-                -      40", "-                ?      40", "exit and died_s disagree" },
		{ "exit       died_s", "exit       exit  ", "column 'exit' given twice" },
		{ "state   exit", "statf   exit", "missing column 'state'" },
		{ "    12      50 ", "    12      5x ", "bad value in column 'age_s'" },
	};
	struct sw_perr e;
	size_t i;
	int ret;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		ret = parse_edit(c[i].from, c[i].to, &e);
		ok(ret == -EBADMSG && e.what && strstr(e.what, c[i].what),
		   "exit/died_s: '%s' rejected: %s (got %d: %s)", c[i].to,
		   c[i].what, ret, e.what ? e.what : "");
	}
}

/* exit against pid and state: what the module cannot write is rejected. */
static void test_state(void)
{
	static const struct { const char *from, *to, *what; } bad[] = {
		{ "alive   -                -      90", "alive   SIGKILL        180      90",
		  "exit of an alive creator is not '-' or '?'" },
		{ "alive   -                -      90", "alive   status:0         1      90",
		  "exit of an alive creator is not '-' or '?'" },
		{ "dead    SIGKILL        180", "dead    -                -",
		  "exit '-' of a dead creator whose pid is shown" },
		{ "       ? ?                unknown ?                ?",
		  "       ? ?                dead    -                -",
		  "exit '-' of a dead creator whose pid is shown" },
		{ "       - -                dead    -                -",
		  "       - -                dead    SIGKILL        180",
		  "exit of a hidden creator (pid '-') is not '-'" },
		{ "       - -                dead    -                -",
		  "       - -                dead    ?                ?",
		  "exit of a hidden creator (pid '-') is not '-'" },
		{ "unknown ?                ?", "unknown oom-kill         5",
		  "exit of a creator in state unknown is not '?'" },
		{ "unknown ?                ?", "unknown -                -",
		  "exit of a creator in state unknown is not '?'" },
	};
	/* what the module writes (kmod/rowprint.c sw_show_exit), and alive + '?' */
	static const struct { const char *from, *to; } good[] = {
		{ "alive   -                -", "alive   ?                ?" },
		{ "dead    SIGKILL        180", "dead    ?                ?" },
		{ "       - -                dead    -", "       - -                alive   -" },
		{ "       - -                dead    -", "       - -                unknown -" },
		{ "       2 dmsetup          alive", "       ? dmsetup          alive" },
	};
	struct sw_perr e;
	size_t i;
	int ret;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ret = parse_edit(bad[i].from, bad[i].to, &e);
		ok(ret == -EBADMSG && e.what && strstr(e.what, bad[i].what),
		   "exit/state: '%s' rejected: %s (got %d: %s)", bad[i].to,
		   bad[i].what, ret, e.what ? e.what : "");
	}
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ret = parse_edit(good[i].from, good[i].to, &e);
		ok(ret == 0, "exit/state: '%s' accepted (got %d: %s)", good[i].to,
		   ret, ret && e.what ? e.what : "");
	}
}

/* One of the pair without the other: the header is garbled. */
static void test_half(void)
{
	char buf[4096];
	struct sw_module m;
	struct sw_perr e = { 0 };
	int ret;

	snprintf(buf, sizeof(buf), "%s", sample);
	memcpy(strstr(buf, "died_s"), "dead_s", 6);
	ret = parse(buf, &m, &e);
	if (!ret)
		sw_proc_free(&m);
	ok(ret == -EBADMSG && e.what && strstr(e.what, "'exit' without 'died_s'"),
	   "exit/died_s: exit without died_s rejected (%s)", e.what ? e.what : "");
}

static void test_parse_exit(void)
{
	static const char *const good[] = { "SIGTERM", "SIGSTKFLT", "SIG1",
		"SIG127", "SIG64", "SIGUSR1", "SIGUSR2", "status:255", "status:7",
		"oom-kill", "-", "?" };
	static const int kinds[] = { SW_END_SIGNAL, SW_END_SIGNAL, SW_END_SIGNAL,
		SW_END_SIGNAL, SW_END_SIGNAL, SW_END_SIGNAL, SW_END_SIGNAL,
		SW_END_STATUS, SW_END_STATUS, SW_END_OOM, SW_END_NONE, SW_END_UNKNOWN };
	/* kmod/rowprint.c sw_signal_names[], every one */
	static const char *const module[] = { "SIGHUP", "SIGINT", "SIGQUIT",
		"SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE", "SIGKILL",
		"SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM",
		"SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN",
		"SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF",
		"SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS" };
	/* names the module never prints: aliases, real-time, lower case */
	static const char *const alien[] = { "SIGIOT", "SIGPOLL", "SIGCLD",
		"SIGRTMIN", "SIGUSR3", "SIGUsr1", "SIGEMT", "SIGLOST", "SIGINFO" };
	struct sw_exit x;
	size_t i, bad = 0;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		bad += sw_parse_exit(good[i], &x) || x.kind != kinds[i] ||
		       (kinds[i] > SW_END_NONE ? strcmp(x.name, good[i]) : !!x.name[0]);
	ok(!bad, "sw_parse_exit: every shape, its kind and name (%zu bad)", bad);
	for (i = bad = 0; i < sizeof(module) / sizeof(module[0]); i++)
		bad += sw_parse_exit(module[i], &x) || x.kind != SW_END_SIGNAL;
	ok(!bad, "sw_parse_exit: each of the module's %zu signal names (%zu bad)",
	   sizeof(module) / sizeof(module[0]), bad);
	for (i = bad = 0; i < sizeof(alien) / sizeof(alien[0]); i++)
		bad += sw_parse_exit(alien[i], &x) != -EINVAL;
	ok(!bad, "sw_parse_exit: names the module never prints rejected (%zu bad)",
	   bad);
	ok(sw_parse_exit("", &x) == -EINVAL && sw_parse_exit("SIG+1", &x) == -EINVAL &&
	   sw_parse_exit("status:1 ", &x) == -EINVAL && sw_parse_exit("?" "?", &x) == -EINVAL,
	   "sw_parse_exit: empty, sign, trailing blank, a double mark rejected");
}

void test_exit(void)
{
	test_shapes();
	test_absent();
	test_bad();
	test_state();
	test_half();
	test_parse_exit();
}
