// SPDX-License-Identifier: GPL-2.0
/* Unit tests: selection rules, report model, Prometheus. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "semwatch.h"
#include "tap.h"

static struct sw_modrow dead = { .pid = 7, .state = SW_STATE_DEAD, .age_s = 900,
				 .comm = "dmsetup", .cgroup = "/a" };
static struct sw_modrow alive = { .pid = 8, .state = SW_STATE_ALIVE, .age_s = 900,
				  .comm = "dmsetup", .cgroup = "/a" };
static struct sw_modrow preexisting = { .pid = -1, .state = SW_STATE_UNKNOWN,
					.age_s = -1, .comm = "?", .cgroup = "?" };

static struct sw_set mkset(uint32_t key, long long ctime, long long otime,
			   const struct sw_modrow *c, long long waiters)
{
	return (struct sw_set){ .key = key, .nsems = 1, .ctime = ctime,
		.otime = otime, .creator = c, .waiters = waiters };
}

void test_select(void)
{
	struct sw_rules r = { .prefix = SW_DM_PREFIX, .age_s = 600 };
	time_t now = 100000;
	struct sw_set s;

	s = mkset(0x0d4e0001, 0, 0, &dead, 0);
	ok(sw_reap_verdict(&s, &r, now) == SW_NOT_SELECTED, "other prefix not selected");
	s = mkset(0x0d4d0001, now - 599, 0, &dead, 0);
	ok(sw_reap_verdict(&s, &r, now) == SW_SKIP_YOUNG, "ctime too young");
	s = mkset(0x0d4d0001, now - 600, 0, &dead, 0);
	ok(sw_reap_verdict(&s, &r, now) == SW_TAKE, "ctime exactly the age: taken (dmsetup)");
	s = mkset(0x0d4d0001, now - 9999, now - 10, &dead, 0);
	ok(sw_reap_verdict(&s, &r, now) == SW_SKIP_YOUNG, "recent otime: too young");
	s = mkset(0x0d4d0001, now - 9999, 0, NULL, 0);
	ok(sw_reap_verdict(&s, &r, now) == SW_SKIP_UNKNOWN, "no module: creator unknown, kept");
	s.creator = &preexisting;
	ok(sw_reap_verdict(&s, &r, now) == SW_SKIP_UNKNOWN, "pre-existing set: kept");
	s.creator = &alive;
	ok(sw_reap_verdict(&s, &r, now) == SW_SKIP_ALIVE, "creator alive: kept");
	s = mkset(0x0d4d0001, now - 9999, 0, &dead, 1);
	ok(sw_reap_verdict(&s, &r, now) == SW_SKIP_WAITERS, "waiters: kept");
	s.waiters = -1;
	ok(sw_reap_verdict(&s, &r, now) == SW_SKIP_WAITERS, "unknown waiters: kept");
	s.waiters = 0;
	ok(sw_reap_verdict(&s, &r, now) == SW_TAKE, "dead, old, no waiters: taken");
	r.force = true;
	s = mkset(0x0d4d0001, now - 9999, 0, &alive, 3);
	ok(sw_reap_verdict(&s, &r, now) == SW_TAKE, "--force waives alive and waiters");
	s = mkset(0x0d4d0001, now, 0, NULL, 0);
	ok(sw_reap_verdict(&s, &r, now) == SW_SKIP_YOUNG, "--force keeps the age rule");
	r.force = false;
	r.age_s = 0;
	s = mkset(0x0d4d0001, now, now, &dead, 0);
	ok(sw_reap_verdict(&s, &r, now) == SW_TAKE, "age 0 takes a set made this second");
	r.age_s = 600;
	s = mkset(0x0d4d0001, now - 10, 0, &dead, 0);
	ok(!sw_is_leak(&s, &r, now), "a leak is judged by ctime/otime, as reap "
	   "judges (changed 10 s ago, created 900 s ago: no leak)");
	s = mkset(0x0d4d0001, now - 700, 0, &dead, 0);
	ok(sw_is_leak(&s, &r, now), "dead creator, idle 700 s, no waiters: leak");
	s.creator = &alive;
	ok(!sw_is_leak(&s, &r, now), "alive creator is no leak");
	s = mkset(0x0d4d0001, now - 9999, 0, NULL, 0);
	ok(!sw_is_leak(&s, &r, now), "unknown creator is no leak");
	ok(sw_has_prefix(0x0d4dffff, 0x0d4d) && !sw_has_prefix(0x0d4c0000, 0x0d4d),
	   "prefix is key >> 16");
}

static struct sw_modrow other = { .pid = 9, .state = SW_STATE_DEAD, .age_s = 5000,
				  .comm = "dockerd", .cgroup = "/docker" };

static void fill(struct sw_report *r, struct sw_nsview *v, struct sw_set *sets)
{
	sets[0] = mkset(0x0d4d0001, 0, 0, &dead, 0);
	sets[1] = mkset(0x0d4d0002, 0, 0, &dead, 0);
	sets[2] = mkset(0x0d4d0003, 0, 0, &other, 0);
	sets[3] = mkset(0x0d4d0004, 0, 0, &alive, 0);
	sets[4] = mkset(0x12340001, 90000, 0, NULL, SW_UNKNOWN);
	*v = (struct sw_nsview){ .ino = 4026531839ULL, .sets = sets, .n_sets = 5,
		.sems = 5, .lim = { 32000, 1024000000, 500, 32000 } };
	*r = (struct sw_report){ .views = v, .n_views = 1, .now = 100000,
		.rules = { .prefix = SW_DM_PREFIX, .age_s = 600 }, .ipcmni = 32768 };
}

void test_model(void)
{
	struct sw_set sets[5];
	struct sw_nsview v;
	struct sw_report r;
	char buf[128];

	fill(&r, &v, sets);
	ok(!sw_report_build(&r), "report model builds");
	ok(r.leaks == 3 && r.n_lg == 2 && r.leak_oldest_s == 5000, "3 leaks in 2 groups");
	ok(r.n_lg == 2 && !strcmp(r.lg[0].comm, "dmsetup") && r.lg[0].sets == 2 &&
	   r.lg[0].oldest_s == 900 && !strcmp(r.lg[1].cgroup, "/docker"),
	   "groups by comm and cgroup, with oldest age");
	ok(r.n_pc == 2 && r.pc[0].prefix == 0x0d4d && r.pc[0].sets == 4 &&
	   r.pc[0].leaks == 3 && r.pc[1].prefix == 0x1234 && r.pc[1].oldest_s == 10000,
	   "per-prefix counts");
	free(r.pc);
	free(r.lg);
	v.n_sets = 25600;	/* 80% of 32000 */
	ok(sw_pressure(&v), "80%% of SEMMNI warns");
	v.n_sets = 25599;
	ok(!sw_pressure(&v), "below 80%% does not warn");
	v.n_sets = 28800;
	ok(sw_sysctl_advice(&v, 32768, buf, sizeof(buf)) &&
	   !strcmp(buf, "sysctl -w kernel.sem=\"32000 1024000000 500 32768\""),
	   "sysctl advice capped at IPCMNI: %s", buf);
	v.lim.semmni = 32768;
	ok(!sw_sysctl_advice(&v, 32768, buf, sizeof(buf)), "no sysctl advice at the ceiling");
	v.lim = (struct sw_limits){ 250, 32000, 32, 128 };
	v.n_sets = 120;
	v.sems = 120;
	ok(sw_sysctl_advice(&v, 32768, buf, sizeof(buf)) &&
	   !strcmp(buf, "sysctl -w kernel.sem=\"250 32000 32 240\""),
	   "sysctl advice doubles the room: %s", buf);
}

/* Every sample line's metric has HELP and TYPE lines before it. */
static int prom_well_formed(const char *text)
{
	char *copy = strdup(text), *line, *save = NULL, typed[64][80];
	int n = 0, i, good = 1;

	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[80];

		if (sscanf(line, "# TYPE %79s", name) == 1 && n < 64) {
			strcpy(typed[n++], name);
			continue;
		}
		if (line[0] == '#')
			continue;
		sscanf(line, "%79[a-z_]", name);
		for (i = 0; i < n && strcmp(typed[i], name); i++)
			;
		good &= i < n && !strncmp(name, "semwatch_", 9);
	}
	free(copy);
	return good;
}

static void test_prom_write(const char *text, size_t len)
{
	char dir[] = "/tmp/semwatch-unit.XXXXXX", path[64], link[64];
	struct sw_perr e = { 0 };
	struct stat st;

	if (!mkdtemp(dir))
		return;
	snprintf(path, sizeof(path), "%s/semwatch.prom", dir);
	ok(!sw_prom_write(path, text, len, &e) && !stat(path, &st) &&
	   (st.st_mode & 0777) == 0644 && (size_t)st.st_size == len,
	   "prometheus file written, mode 0644");
	snprintf(link, sizeof(link), "%s/link.prom", dir);
	ok(!symlink(path, link) && sw_prom_write(link, text, len, &e) == -EPERM,
	   "symlinked target refused");
	ok(!chmod(dir, 0777), "test directory made world-writable");
	ok(sw_prom_write(path, text, len, &e) == -EPERM,
	   "world-writable directory without sticky bit refused");
	ok(!chmod(dir, 01777), "test directory made sticky");
	ok(!sw_prom_write(path, text, len, &e), "sticky world-writable directory accepted");
	ok(sw_prom_write("/nonexistent/dir/x.prom", text, len, &e) == -ENOENT,
	   "missing directory reported");
	unlink(link);
	unlink(path);
	rmdir(dir);
}

void test_prom(void)
{
	struct sw_module m = { .format = 1, .tracked = 5, .dropped = 2 };
	struct sw_set sets[5];
	struct sw_nsview v;
	struct sw_report r;
	size_t len;
	char *out;

	fill(&r, &v, sets);
	r.mod = &m;
	sw_report_build(&r);
	ok(!sw_prom_render(&r, &out, &len), "prometheus renders");
	ok(prom_well_formed(out), "every sample has TYPE, semwatch_ prefix");
	ok(strstr(out, "semwatch_module_loaded 1\n") &&
	   strstr(out, "semwatch_suspected_leaked_sets{ns=\"4026531839\",prefix=\"0x0d4d\"} 3\n") &&
	   strstr(out, "semwatch_suspected_leak_oldest_age_seconds 5000\n") &&
	   strstr(out, "semwatch_sets_limit{ns=\"4026531839\"} 32000\n") &&
	   strstr(out, "semwatch_dropped_records_total 2\n") &&
	   strstr(out, "# TYPE semwatch_dropped_records_total counter\n"),
	   "prometheus samples");
	ok(strstr(out, "semwatch_build_info{version=\"" SW_VERSION "\"} 1\n") &&
	   strstr(out, "semwatch_oldest_leak_created_timestamp_seconds ") &&
	   !strstr(out, "label=\"-\""),
	   "prometheus: build_info, leak creation time, no placeholder label");
	test_prom_write(out, len);
	free(out);
	free(r.pc);
	free(r.lg);
	r.mod = NULL;
	r.pc = NULL;
	r.lg = NULL;
	r.n_pc = r.n_lg = r.leaks = 0;
	sw_report_build(&r);
	sw_prom_render(&r, &out, &len);
	ok(strstr(out, "semwatch_module_loaded 0\n") && !strstr(out, "tracked_sets"),
	   "prometheus without the module");
	free(out);
	free(r.pc);
	free(r.lg);
}
