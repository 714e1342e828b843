// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests (TAP): the stuck verdict (select.c), the release command and
 * its namespace (report_stuck.c), the last-operator hint's /proc parsing,
 * stuck sets in the report: not in reap --force's count (model.c), and the
 * stuck_cookies metric (prom.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "tap.h"

static struct sw_modrow alive = { .pid = 8, .state = SW_STATE_ALIVE, .age_s = 900,
				  .comm = "dmsetup", .cgroup = "/a" };
static struct sw_modrow dead = { .pid = 7, .state = SW_STATE_DEAD, .age_s = 900,
				 .comm = "dmsetup", .cgroup = "/a" };

/* A cookie idle for @idle s at 100000, with @zcnt waiting for zero. */
static struct sw_set cookie(long long idle, const struct sw_modrow *c,
			    long long zcnt, long long ncnt)
{
	return (struct sw_set){ .key = 0x0d4d1234, .nsems = 1,
		.ctime = 100000 - idle - 50, .otime = 100000 - idle,
		.creator = c, .zcnt = zcnt, .semval = 1,
		.waiters = zcnt < 0 ? SW_UNKNOWN : zcnt + ncnt };
}

static void test_verdict(void)
{
	struct sw_rules r = { .prefix = SW_DM_PREFIX, .age_s = 600 };
	time_t now = 100000;
	struct sw_set s;

	s = cookie(700, &alive, 1, 0);
	ok(sw_reap_verdict(&s, &r, now) == SW_SKIP_STUCK && sw_is_stuck(&s, &r, now) &&
	   !sw_is_leak(&s, &r, now), "alive + idle + waiting for zero: stuck, no leak");
	s = cookie(700, &dead, 0, 0);
	ok(sw_reap_verdict(&s, &r, now) == SW_TAKE && sw_is_leak(&s, &r, now) &&
	   !sw_is_stuck(&s, &r, now), "dead + idle + no waiter: a leak, not stuck");
	s = cookie(700, &dead, 1, 0);
	ok(sw_reap_verdict(&s, &r, now) == SW_SKIP_WAITERS,
	   "dead creator, someone waits: kept for waiters, not stuck");
	s = cookie(700, &alive, 0, 0);
	ok(sw_reap_verdict(&s, &r, now) == SW_SKIP_ALIVE && !sw_is_stuck(&s, &r, now),
	   "alive, nobody waits: creator alive (kept), not stuck");
	s = cookie(700, &alive, 0, 2);
	ok(sw_reap_verdict(&s, &r, now) == SW_SKIP_ALIVE,
	   "alive, only GETNCNT waiters: not waiting for udev, not stuck");
	s = cookie(700, &alive, SW_UNKNOWN, 0);
	ok(sw_reap_verdict(&s, &r, now) == SW_SKIP_ALIVE && sw_stuck_candidate(&s, &r, now),
	   "alive, waiters not counted: a candidate, not stuck");
	s = cookie(599, &alive, 1, 0);
	ok(sw_reap_verdict(&s, &r, now) == SW_SKIP_YOUNG && !sw_stuck_candidate(&s, &r, now),
	   "idle less than --older-than: too young, not stuck");
	s = cookie(700, NULL, 1, 0);
	ok(sw_reap_verdict(&s, &r, now) == SW_SKIP_UNKNOWN && !sw_is_stuck(&s, &r, now),
	   "creator unknown, someone waits: creator unknown, not stuck");
	r.force = true;
	s = cookie(700, &alive, 1, 0);
	ok(sw_reap_verdict(&s, &r, now) == SW_SKIP_STUCK, "--force keeps a stuck cookie");
	s = cookie(700, &alive, 0, 0);
	ok(sw_reap_verdict(&s, &r, now) == SW_TAKE, "--force still takes an alive idle one");
	r.force = false;
	r.age_s = 0;
	s = cookie(SW_STUCK_MIN_IDLE_S - 1, &alive, 1, 0);
	ok(sw_reap_verdict(&s, &r, now) == SW_SKIP_ALIVE,
	   "--older-than 0, idle %d s: in flight, creator alive", SW_STUCK_MIN_IDLE_S - 1);
	s = cookie(SW_STUCK_MIN_IDLE_S, &alive, 1, 0);
	ok(sw_reap_verdict(&s, &r, now) == SW_SKIP_STUCK,
	   "--older-than 0, idle %d s: stuck", SW_STUCK_MIN_IDLE_S);
	s = cookie(179, &alive, 1, 0);
	ok(SW_STUCK_MIN_IDLE_S >= 180 && !sw_is_stuck(&s, &r, now),
	   "idle 179 s: within udev's 180 s event timeout, a slow worker, not stuck");
	r.prefix = 0x1234;
	s = cookie(700, &alive, 1, 0);
	s.key = 0x12340001;
	ok(sw_reap_verdict(&s, &r, now) == SW_SKIP_ALIVE,
	   "another prefix: nobody waits for udev there, creator alive");
	ok(!strcmp(sw_skip_name(SW_SKIP_STUCK), "stuck"), "skip reason 'stuck'");
}

static void test_release(void)
{
	char buf[SW_RELEASE_LEN], small[40];

	ok(!sw_release_cmd(buf, sizeof(buf), 0x0d4d1234, 0, 1) &&
	   !strcmp(buf, "dmsetup udevcomplete 0x0d4d1234"),
	   "release in our namespace: %s", buf);
	ok(!sw_release_cmd(buf, sizeof(buf), 0x0d4d00ab, 4242, 1) &&
	   !strcmp(buf, "nsenter --ipc=/proc/4242/ns/ipc dmsetup udevcomplete 0x0d4d00ab"),
	   "release in another namespace: %s", buf);
	ok(!sw_release_cmd(buf, sizeof(buf), 0x0d4d00ab, 4242, 3) &&
	   !strcmp(buf, "for i in $(seq 3); do nsenter --ipc=/proc/4242/ns/ipc "
		   "dmsetup udevcomplete 0x0d4d00ab; done"),
	   "three pending events: three udevcomplete: %s", buf);
	ok(!sw_release_cmd(buf, sizeof(buf), 0x0d4d1234, 0, SW_UNKNOWN) &&
	   !strcmp(buf, "dmsetup udevcomplete 0x0d4d1234"), "value unknown: once");
	ok(sw_release_cmd(small, sizeof(small), 0x0d4d1234, 4242, 1) == -ENOSPC,
	   "a short buffer is -ENOSPC, not a cut command");
}

static void test_release_ns(void)
{
	struct sw_modrow me = { .pid = getpid(), .state = SW_STATE_ALIVE };
	struct sw_modrow gone = { .pid = 999999999, .state = SW_STATE_ALIVE };
	struct sw_set s = { .key = 0x0d4d1234, .creator = &me, .semval = 1 };
	unsigned long long ns = 0;
	char buf[SW_RELEASE_LEN], want[SW_RELEASE_LEN];
	int ret = sw_ns_self(&ns);

	ok(!ret && ns, "our IPC namespace: %llu", ns);
	ok(!sw_release_for(&s, ns, ns, buf, sizeof(buf)) &&
	   !strcmp(buf, "dmsetup udevcomplete 0x0d4d1234"),
	   "a cookie of our own namespace: plain dmsetup");
	snprintf(want, sizeof(want), "nsenter --ipc=/proc/%d/ns/ipc dmsetup "
		 "udevcomplete 0x0d4d1234", (int)getpid());
	ok(!sw_release_for(&s, ns, ns + 1, buf, sizeof(buf)) && !strcmp(buf, want),
	   "seen from elsewhere: nsenter through the creator: %s", buf);
	ok(!sw_release_for(&s, ns, 0, buf, sizeof(buf)) && !strcmp(buf, want),
	   "our namespace unknown (0, as reap falls back to): nsenter all the same");
	s.creator = &gone;
	ok(!sw_release_for(&s, ns, ns + 1, buf, sizeof(buf)) &&
	   !strncmp(buf, "nsenter --ipc=/proc/", 20),
	   "creator not visible: through another process of the namespace");
	ok(sw_release_for(&s, 1, ns, buf, sizeof(buf)) == -ESRCH,
	   "a namespace without a visible process: -ESRCH");
}

static void test_pidstat(void)
{
	static const char rest[] = " S 1 1 1 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 4567 "
				   "12345 67 18446744073709551615\n";
	char buf[1024], comm[16];
	unsigned long long t = 0;
	FILE *f;
	int ret;

	snprintf(buf, sizeof(buf), "123 (udevd)%s", rest);
	ret = sw_parse_pidstat(buf, comm, sizeof(comm), &t);
	ok(!ret && !strcmp(comm, "udevd") && t == 4567,
	   "/proc/PID/stat: comm and starttime (%s, %llu)", comm, t);
	snprintf(buf, sizeof(buf), "77 (a) (b c\n)%s", rest);
	ok(!sw_parse_pidstat(buf, comm, sizeof(comm), &t) &&
	   !strcmp(comm, "a) (b c\n") && t == 4567,
	   "a comm with ')', spaces and a newline ends at the last ')'");
	ok(sw_parse_pidstat("123 (udevd S 1", comm, sizeof(comm), &t) == -EINVAL &&
	   sw_parse_pidstat("123 (x) S 1 2 3", comm, sizeof(comm), &t) == -EINVAL,
	   "no ')' or too few fields: -EINVAL");
	f = fopen("/proc/self/stat", "r");
	buf[0] = '\0';
	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = '\0';
		fclose(f);
	}
	ok(!sw_parse_pidstat(buf, comm, sizeof(comm), &t) && !strcmp(comm, "unit_test") &&
	   t > 0, "our own /proc/self/stat (%s)", comm);
	ok(sw_lastop_plausible(100, 50) && sw_lastop_plausible(49, 50) &&
	   !sw_lastop_plausible(10, 50) && !sw_lastop_plausible(-ENOENT, 0),
	   "a process younger than the set's last change was not its last operator");
}

/* Occurrences of @needle in @hay. */
static int count_str(const char *hay, const char *needle)
{
	int n = 0;

	for (; (hay = strstr(hay, needle)); hay += strlen(needle))
		n++;
	return n;
}

/*
 * A report of two namespaces: one with a stuck cookie, a leak, an idle set
 * of a live creator and a young one; one with a leak only. reap --force
 * would take the three idle sets that are not stuck, never the stuck one;
 * the metric counts the stuck one per namespace, a zero where there is none.
 */
static void test_stuck_report(void)
{
	struct sw_set a[4], b[1];
	struct sw_nsview v[2];
	struct sw_report r;
	struct sw_rules force;
	size_t i, j, taken = 0, len = 0;
	char *out = NULL;

	a[0] = cookie(700, &alive, 1, 0);
	a[1] = cookie(700, &dead, 0, 0);
	a[2] = cookie(700, &alive, 0, 0);
	a[3] = cookie(100, &alive, 1, 0);
	b[0] = cookie(900, &dead, 0, 0);
	for (i = 0; i < 4; i++)
		a[i].key += (uint32_t)i;
	v[0] = (struct sw_nsview){ .ino = 4026531839ULL, .sets = a, .n_sets = 4,
		.sems = 4, .lim = { 32000, 1024000000, 500, 32000 } };
	v[1] = (struct sw_nsview){ .ino = 4026532000ULL, .sets = b, .n_sets = 1,
		.sems = 1, .lim = { 32000, 1024000000, 500, 32000 } };
	r = (struct sw_report){ .views = v, .n_views = 2, .now = 100000,
		.rules = { .prefix = SW_DM_PREFIX, .age_s = 600 }, .ipcmni = 32768 };
	ok(!sw_report_build(&r), "stuck report model builds");
	force = r.rules;
	force.force = true;
	for (i = 0; i < r.n_views; i++)
		for (j = 0; j < r.views[i].n_sets; j++)
			taken += sw_reap_verdict(&r.views[i].sets[j], &force, r.now) == SW_TAKE;
	ok(r.old == 3 && r.old == taken && r.leaks == 2,
	   "old sets (what reap --force takes): %zu, the stuck one not among them "
	   "(--force takes %zu)", r.old, taken);
	ok(!sw_prom_render(&r, &out, &len), "prometheus with a stuck cookie renders");
	ok(out && strstr(out, "# TYPE semwatch_stuck_cookies gauge\n") &&
	   strstr(out, "# HELP semwatch_stuck_cookies ") &&
	   strstr(out, "\nsemwatch_stuck_cookies{ns=\"4026531839\"} 1\n") &&
	   strstr(out, "\nsemwatch_stuck_cookies{ns=\"4026532000\"} 0\n") &&
	   count_str(out, "\nsemwatch_stuck_cookies{") == 2,
	   "prometheus: stuck_cookies, one sample per namespace, zero included");
	free(out);
	free(r.pc);
	free(r.lg);
}

void test_stuck(void)
{
	test_verdict();
	test_release();
	test_release_ns();
	test_pidstat();
	test_stuck_report();
}
