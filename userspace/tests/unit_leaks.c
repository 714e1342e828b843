// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests: suspected leaks grouped by creator comm, container (or unit,
 * else cgroup) and how the creator ended; their JSON and Prometheus forms.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "report.h"
#include "tap.h"

#define ID1 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define ID2 "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"
#define DOCKER1 "/system.slice/docker-" ID1 ".scope"
#define POD "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-" \
	"pod1b2c3d4e_5f60_7182_93a4_b5c6d7e8f901.slice/cri-containerd-" ID2 ".scope"
#define DEAD(cm, cg, k, nm, died, age) { .pid = 9, .state = SW_STATE_DEAD, \
	.age_s = (age), .died_s = (died), .exit = { (k), nm }, .comm = (cm), \
	.cgroup = (cg) }

static struct sw_modrow rows[] = {
	/* 0, 1: same comm and unit, different exit: two groups */
	DEAD("dockerd", "/system.slice/docker.service", SW_END_SIGNAL, "SIGKILL", 180, 3000),
	DEAD("dockerd", "/system.slice/docker.service", SW_END_STATUS, "status:1", 100, 1000),
	/* 2, 3: one container, two cgroups: one group, the latest death */
	DEAD("dmsetup", DOCKER1, SW_END_OOM, "oom-kill", 50, 900),
	DEAD("dmsetup", DOCKER1 "/sub", SW_END_OOM, "oom-kill", 40, 950),
	/* 4: another container */
	DEAD("dmsetup", POD, SW_END_OOM, "oom-kill", 30, 800),
	/* 5, 6: neither container nor unit: the cgroup tells them apart */
	DEAD("dmsetup", "/", SW_END_SIGNAL, "SIGKILL", 20, 700),
	DEAD("dmsetup", "/x", SW_END_SIGNAL, "SIGKILL", 20, 700),
	/* 7, 8: hidden and unknown ends, nothing else known */
	DEAD("-", "-", SW_END_NONE, "", SW_UNKNOWN, 600),
	DEAD("-", "-", SW_END_UNKNOWN, "", SW_UNKNOWN, 500),
	/* 9: a name made to break the text format, and not UTF-8 */
	DEAD("a\"b\\c\nd\377", "/system.slice/x.service", SW_END_SIGNAL, "SIG42", 10, 400),
	/* 10: the first again, in the same unit: joins group 0 */
	DEAD("dockerd", "/system.slice/docker.service/inner", SW_END_SIGNAL, "SIGKILL", 120, 2000),
};
#define N (sizeof(rows) / sizeof(rows[0]))

static void build_of(struct sw_report *r, struct sw_nsview *v, struct sw_set *sets,
		     const struct sw_modrow *of, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		sets[i] = (struct sw_set){ .key = 0x0d4d0001 + (uint32_t)i,
			.semid = (int)i, .nsems = 1, .creator = &of[i] };
	*v = (struct sw_nsview){ .ino = 4026531839ULL, .sets = sets, .n_sets = n,
		.sems = n, .lim = { 32000, 1024000000, 500, 32000 } };
	*r = (struct sw_report){ .views = v, .n_views = 1, .now = 100000,
		.rules = { .prefix = SW_DM_PREFIX, .age_s = 600 }, .ipcmni = 32768 };
	sw_report_build(r);
}

static void build(struct sw_report *r, struct sw_nsview *v, struct sw_set *sets)
{
	build_of(r, v, sets, rows, N);
}

static const struct sw_leakgroup *group(const struct sw_report *r,
					const char *comm, const char *exit,
					const char *cgroup)
{
	size_t i;

	for (i = 0; i < r->n_lg; i++)
		if (!strcmp(r->lg[i].comm, comm) && !strcmp(r->lg[i].exit->name, exit) &&
		    !strcmp(r->lg[i].cgroup, cgroup))
			return &r->lg[i];
	return NULL;
}

static void test_lgroups(const struct sw_report *r)
{
	const struct sw_leakgroup *g;

	ok(r->leaks == N && r->n_lg == 9, "leaks: %zu sets in %zu groups (want %zu in 9)",
	   r->leaks, r->n_lg, N);
	g = group(r, "dockerd", "SIGKILL", "/system.slice/docker.service");
	ok(g && g->sets == 2 && g->oldest_s == 3000 && g->died_s == 120 &&
	   !strcmp(g->ctr.unit, "docker.service") && g == &r->lg[0],
	   "leaks: one unit, same comm and exit: one group, first, latest death");
	g = group(r, "dockerd", "status:1", "/system.slice/docker.service");
	ok(g && g->sets == 1 && g->exit->kind == SW_END_STATUS,
	   "leaks: same comm and unit, another exit: another group");
	g = group(r, "dmsetup", "oom-kill", DOCKER1 "/sub");
	ok(g && g->sets == 2 && g->oldest_s == 950 && g->died_s == 40 &&
	   g->ctr.runtime == SW_RT_DOCKER && !strcmp(g->ctr.id, "0123456789ab"),
	   "leaks: one container, two cgroups: one group, the oldest set's cgroup");
	g = group(r, "dmsetup", "oom-kill", POD);
	ok(g && g->sets == 1 && !strcmp(g->ctr.pod, "1b2c3d4e-5f60-7182-93a4-b5c6d7e8f901"),
	   "leaks: another container (a pod's): another group");
	ok(group(r, "dmsetup", "SIGKILL", "/") && group(r, "dmsetup", "SIGKILL", "/x"),
	   "leaks: no container or unit: grouped by cgroup");
	g = group(r, "-", "", "-");
	ok(g && g->sets == 1 && g + 1 < r->lg + r->n_lg && !strcmp(g[1].comm, "-") &&
	   g[1].exit->kind + g->exit->kind == SW_END_NONE + SW_END_UNKNOWN,
	   "leaks: a hidden end and an unknown end are two groups");
}

/* report_output()'s JSON document, parsed. */
static struct json_object *report_json(const struct sw_report *r)
{
	struct ropts o = { .out = { .json = true } };
	FILE *saved = stdout, *mem;
	struct json_object *doc;
	char *buf = NULL;
	size_t len = 0;

	sw_colsel_all(&o.sets, report_n_set_default);
	mem = open_memstream(&buf, &len);
	stdout = mem;
	report_output(r, &o);
	stdout = saved;
	fclose(mem);
	doc = json_tokener_parse(buf);
	free(buf);
	return doc;
}

static const char *jstr(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return "(missing)";
	return v ? json_object_get_string(v) : NULL;	/* NULL: null */
}

static bool jeq(struct json_object *o, const char *key, const char *want)
{
	const char *v = jstr(o, key);

	return want ? v && !strcmp(v, want) : !v;
}

static void test_ljson(const struct sw_report *r)
{
	struct json_object *doc = report_json(r), *leaks, *sets, *g;

	ok(doc && json_object_object_get_ex(doc, "leaks", &leaks) &&
	   json_object_array_length(leaks) == r->n_lg, "JSON: one leaks element per group");
	if (!doc)
		return;
	g = json_object_array_get_idx(leaks, 0);
	ok(jeq(g, "comm", "dockerd") && jeq(g, "exit", "SIGKILL") &&
	   jeq(g, "died_s", "120") && jeq(g, "sets", "2") && jeq(g, "oldest_s", "3000") &&
	   jeq(g, "container", "docker.service") && jeq(g, "unit", "docker.service") &&
	   jeq(g, "runtime", NULL) && jeq(g, "container_id", NULL) && jeq(g, "pod", NULL) &&
	   jeq(g, "cgroup", "/system.slice/docker.service") &&
	   json_object_is_type(json_object_object_get(g, "died_s"), json_type_int),
	   "JSON: a unit's group: exit, died_s (number), unit, null container parts");
	g = json_object_array_get_idx(leaks, 1);
	ok(jeq(g, "comm", "dmsetup") && jeq(g, "exit", "oom-kill") &&
	   jeq(g, "runtime", "docker") && jeq(g, "container_id", "0123456789ab") &&
	   jeq(g, "container", "docker:0123456789ab") && jeq(g, "unit", NULL),
	   "JSON: a container's group: runtime, container_id, label");
	g = json_object_array_get_idx(leaks, 6);	/* hidden: 600 s old */
	ok(jeq(g, "comm", "-") && jeq(g, "exit", NULL) && jeq(g, "died_s", NULL) &&
	   jeq(g, "container", NULL), "JSON: an unknown end is null, and so is its time");
	json_object_object_get_ex(doc, "sets", &sets);
	g = json_object_array_get_idx(sets, 0);
	ok(g && jeq(g, "exit", "SIGKILL") && jeq(g, "died_s", "180") &&
	   jeq(json_object_array_get_idx(sets, 7), "exit", NULL),
	   "JSON: sets carry exit and died_s");
	json_object_put(doc);
}

static void test_lprom(const struct sw_report *r)
{
	const char *m = "semwatch_suspected_leaked_sets_by_creator";
	char *out = NULL, *p, want[256];
	size_t len, n = 0;

	ok(!sw_prom_render(r, &out, &len), "prometheus with leak groups renders");
	if (!out)
		return;
	snprintf(want, sizeof(want), "%s{prefix=\"0x0d4d\",comm=\"dockerd\","
		 "exit=\"SIGKILL\",unit=\"docker.service\"} 2\n", m);
	ok(strstr(out, want) != NULL, "prometheus: a unit's group: comm, exit, unit");
	snprintf(want, sizeof(want), "%s{prefix=\"0x0d4d\",comm=\"dmsetup\","
		 "exit=\"oom-kill\",runtime=\"containerd\",container=\"fedcba987654\","
		 "pod=\"1b2c3d4e-5f60-7182-93a4-b5c6d7e8f901\"} 1\n", m);
	ok(strstr(out, want) != NULL, "prometheus: a pod's group: runtime, container, pod");
	snprintf(want, sizeof(want), "%s{prefix=\"0x0d4d\",comm=\"dmsetup\","
		 "exit=\"SIGKILL\",cgroup=\"/x\"} 1\n", m);
	ok(strstr(out, want) != NULL, "prometheus: no container or unit: the cgroup label");
	snprintf(want, sizeof(want), "%s{prefix=\"0x0d4d\",comm=\"a\\\"b\\\\c\\nd\xef\xbf\xbd\","
		 "exit=\"SIG42\",unit=\"x.service\"} 1\n", m);
	ok(strstr(out, want) != NULL, "prometheus: label values escaped (\\\\, \\\", \\n), "
	   "made UTF-8");
	snprintf(want, sizeof(want), "%s{prefix=\"0x0d4d\"} 2\n", m);
	ok(strstr(out, want) != NULL, "prometheus: hidden and unknown ends, alike "
	   "in labels, are one sample");
	for (p = out; (p = strstr(p, "\n" "semwatch_suspected_leaked_sets_by_creator{")); p++)
		n++;
	ok(n == r->n_lg - 1 && !strstr(out, "=\"-\"") && !strstr(out, "=\"?\"") &&
	   !strstr(out, "=\"\""), "prometheus: %zu samples, no placeholder or "
	   "empty label value", n);
	free(out);
}

/*
 * Two groups whose labels are alike (hidden and unknown end, one comm and
 * unit) sort first, a third follows: one sample of 2, one of 1, and each
 * label string freed once (ASan).
 */
static void test_lprom_merge(void)
{
	static struct sw_modrow alike[] = {
		DEAD("a", "/system.slice/x.service", SW_END_NONE, "", SW_UNKNOWN, 900),
		DEAD("a", "/system.slice/x.service", SW_END_UNKNOWN, "", SW_UNKNOWN, 800),
		DEAD("b", "/system.slice/x.service", SW_END_SIGNAL, "SIGKILL", 10, 700),
	};
	const char *m = "semwatch_suspected_leaked_sets_by_creator";
	char *out = NULL, *p, want[2][160];
	struct sw_set sets[3];
	struct sw_nsview v;
	struct sw_report r;
	size_t len, n = 0;

	build_of(&r, &v, sets, alike, 3);
	snprintf(want[0], sizeof(want[0]), "\n%s{prefix=\"0x0d4d\",comm=\"a\","
		 "unit=\"x.service\"} 2\n", m);
	snprintf(want[1], sizeof(want[1]), "\n%s{prefix=\"0x0d4d\",comm=\"b\","
		 "exit=\"SIGKILL\",unit=\"x.service\"} 1\n", m);
	ok(r.n_lg == 3 && !sw_prom_render(&r, &out, &len) && out,
	   "prometheus: three groups, two alike, render (%zu groups)", r.n_lg);
	for (p = out; p && (p = strstr(p, "\n" "semwatch_suspected_leaked_sets_by_creator{")); p++)
		n++;
	ok(out && (p = strstr(out, want[0])) && strstr(p, want[1]) && n == 2,
	   "prometheus: alike groups sorted first are one sample, the next follows "
	   "(%zu samples)", n);
	free(out);
	free(r.pc);
	free(r.lg);
}

/* Groups alike but for their end's kind, unit or cgroup: one order, any input. */
static void test_lorder(void)
{
	static struct sw_modrow fwd[] = {
		DEAD("dmsetup", "/x", SW_END_SIGNAL, "SIGKILL", 20, 700),
		DEAD("dmsetup", "/system.slice/b.service", SW_END_SIGNAL, "SIGKILL", 20, 700),
		DEAD("-", "-", SW_END_NONE, "", SW_UNKNOWN, 700),
		DEAD("dmsetup", "/", SW_END_SIGNAL, "SIGKILL", 20, 700),
		DEAD("dmsetup", "/system.slice/a.service", SW_END_SIGNAL, "SIGKILL", 20, 700),
		DEAD("-", "-", SW_END_UNKNOWN, "", SW_UNKNOWN, 700),
	};
	/* comm, then the end's kind (unknown before hidden), unit, cgroup */
	static const char *const want[] = { "-", "-", "/", "/x",
		"/system.slice/a.service", "/system.slice/b.service" };
	struct sw_modrow rev[6];
	struct sw_set sets[6];
	struct sw_nsview v;
	struct sw_report r;
	size_t i, pass, bad;

	for (i = 0; i < 6; i++)
		rev[i] = fwd[5 - i];
	for (pass = 0; pass < 2; pass++) {
		build_of(&r, &v, sets, pass ? rev : fwd, 6);
		bad = r.n_lg != 6 || r.lg[0].exit->kind != SW_END_UNKNOWN ||
		      r.lg[1].exit->kind != SW_END_NONE;
		for (i = 0; !bad && i < 6; i++)
			bad = strcmp(r.lg[i].cgroup, want[i]);
		ok(!bad, "leaks: ties broken by end, unit, cgroup (%s input)",
		   pass ? "reversed" : "forward");
		free(r.pc);
		free(r.lg);
	}
}

void test_leaks(void)
{
	struct sw_set sets[N];
	struct sw_nsview v;
	struct sw_report r;

	build(&r, &v, sets);
	test_lgroups(&r);
	test_ljson(&r);
	test_lprom(&r);
	free(r.pc);
	free(r.lg);
	test_lprom_merge();
	test_lorder();
}
