// SPDX-License-Identifier: GPL-2.0
/*
 * Container identity from a cgroup v2 path's shape. The path is the one the
 * module recorded when the set was created, so the container may be long gone:
 * nothing here asks a runtime, reads /proc or touches the file system.
 *
 * The names copied out (unit) may hold any byte a cgroup name can; they are
 * escaped by the output layer, as the paths themselves are, not here.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "container.h"

#define ID_LEN 64			/* a full container id, in lowercase hex */
#define SHORT_LEN (sizeof(((struct sw_container *)0)->id) - 1)
#define POD_LEN (sizeof(((struct sw_container *)0)->pod) - 1)
#define HEX "0123456789abcdef"

/* <prefix><id>, with ".scope" (systemd driver) or without (cgroupfs). */
static const struct {
	const char *prefix;
	enum sw_runtime rt;
} scopes[] = {
	{ "docker-", SW_RT_DOCKER },
	{ "cri-containerd-", SW_RT_CONTAINERD },
	{ "crio-", SW_RT_CRIO },
	{ "libpod-", SW_RT_PODMAN },
};

/*
 * Cgroups of the unit types that run processes: a slice only groups units.
 * .socket, .mount and .swap run ExecStartPre=, mount(8), swapon(8) in theirs.
 */
static const char *const unit_suffixes[] = {
	".service", ".scope", ".socket", ".mount", ".swap",
};

/* What the components walked so far say about the next one. */
struct walk {
	const char *prev;		/* the previous component: /docker/<id> */
	size_t prev_n;
	bool kube;			/* under kubepods: "pod<uid>" is a pod */
	bool in_pod;			/* the previous component was a pod */
	char pod[POD_LEN + 1];		/* its uid, with dashes */
};

static bool ends_with(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);

	return n > k && !memcmp(s + n - k, suffix, k);
}

static bool is_id(const char *s, size_t n)
{
	size_t i;

	if (n != ID_LEN)
		return false;
	for (i = 0; i < n; i++)	/* strchr() would find a NUL in HEX */
		if (!s[i] || !strchr(HEX, s[i]))
			return false;
	return true;
}

/* The runtime whose naming @s (not NUL-terminated) follows, with its id. */
static enum sw_runtime scope_runtime(const char *s, size_t n, const char **id)
{
	size_t i, p;

	if (ends_with(s, n, ".scope"))
		n -= strlen(".scope");
	for (i = 0; i < sizeof(scopes) / sizeof(scopes[0]); i++) {
		p = strlen(scopes[i].prefix);
		/* crio-conmon-<id>, libpod-conmon-<id>: "conmon-" is no id. */
		if (n > p && !memcmp(s, scopes[i].prefix, p) && is_id(s + p, n - p)) {
			*id = s + p;
			return scopes[i].rt;
		}
	}
	return SW_RT_NONE;
}

/*
 * A pod's cgroup: kubepods[-<qos>]-pod<uid>.slice (systemd driver, with '_'
 * for '-') or pod<uid> anywhere under kubepods (cgroupfs). The uid is a UUID,
 * or 32 hex digits for a static pod (the hash of its manifest).
 */
static bool pod_uid(const char *s, size_t n, bool kube, char *uid)
{
	const char *last;
	size_t i;
	bool dash;

	if (n > 9 && !memcmp(s, "kubepods-", 9) && ends_with(s, n, ".slice")) {
		n -= strlen(".slice");
		last = memrchr(s, '-', n);	/* the uid has '_' for '-' here */
		n -= last + 1 - s;
		s = last + 1;
	} else if (!kube) {
		return false;
	}
	if (n < 3 || memcmp(s, "pod", 3))
		return false;
	s += 3;
	n -= 3;
	if (n != POD_LEN && n != 32)
		return false;
	for (i = 0; i < n; i++) {
		uid[i] = s[i] == '_' ? '-' : s[i];
		dash = n == POD_LEN && (i == 8 || i == 13 || i == 18 || i == 23);
		if (dash ? uid[i] != '-' : (!uid[i] || !strchr(HEX, uid[i])))
			return false;
	}
	uid[n] = '\0';
	return true;
}

/* One component, @s of @n bytes: a container, a pod, a unit, or nothing. */
static void walk_one(struct walk *w, const char *s, size_t n,
		     struct sw_container *c)
{
	const char *id = NULL;
	enum sw_runtime rt = scope_runtime(s, n, &id);
	size_t i;

	if (rt == SW_RT_NONE && is_id(s, n)) {
		/* A bare id is a container only where a runtime puts one. */
		if (w->prev_n == 6 && !memcmp(w->prev, "docker", 6))
			rt = SW_RT_DOCKER;
		else if (w->in_pod)
			rt = SW_RT_KUBERNETES;
		id = s;
	}
	if (rt != SW_RT_NONE) {
		/* The innermost container wins: it is the one the task ran in. */
		c->runtime = rt;
		memcpy(c->id, id, SHORT_LEN);
		c->id[SHORT_LEN] = '\0';
		strcpy(c->pod, w->in_pod ? w->pod : "");
		c->unit[0] = '\0';
		w->in_pod = false;
		return;
	}
	w->in_pod = pod_uid(s, n, w->kube, w->pod);
	w->kube |= n >= 8 && !memcmp(s, "kubepods", 8);
	if (c->runtime != SW_RT_NONE)
		return;		/* a unit inside a container is the container's */
	for (i = 0; i < sizeof(unit_suffixes) / sizeof(unit_suffixes[0]); i++) {
		if (!ends_with(s, n, unit_suffixes[i]))
			continue;
		/* The innermost unit, whole or not at all: never a truncated name. */
		if (n < sizeof(c->unit)) {
			memcpy(c->unit, s, n);
			c->unit[n] = '\0';
		} else {
			c->unit[0] = '\0';
		}
		break;
	}
}

void sw_container_parse(const char *path, struct sw_container *c)
{
	struct walk w = { 0 };
	size_t n;

	memset(c, 0, sizeof(*c));
	if (!path)
		return;
	for (;;) {
		path += strspn(path, "/");
		n = strcspn(path, "/");
		if (!n)
			break;
		walk_one(&w, path, n, c);
		w.prev = path;
		w.prev_n = n;
		path += n;
	}
}

const char *sw_runtime_name(enum sw_runtime rt)
{
	switch (rt) {
	case SW_RT_DOCKER:
		return "docker";
	case SW_RT_CONTAINERD:
		return "containerd";
	case SW_RT_CRIO:
		return "cri-o";
	case SW_RT_PODMAN:
		return "podman";
	case SW_RT_KUBERNETES:
		return "kubernetes";
	case SW_RT_NONE:
		break;
	}
	return NULL;
}

int sw_container_label(const struct sw_container *c, char *buf, size_t len)
{
	const char *rt = sw_runtime_name(c->runtime);

	if (!rt)
		return snprintf(buf, len, "%s", c->unit);
	if (c->pod[0])
		return snprintf(buf, len, "pod %s %s:%s", c->pod, rt, c->id);
	return snprintf(buf, len, "%s:%s", rt, c->id);
}
