// SPDX-License-Identifier: GPL-2.0
/*
 * semwatch reap --json: every set of the prefix that was considered, with its
 * verdict, and the counts of the summary line. comm and cgroup are as the
 * creator set them: JSON's quoting is their escaping. Unknown is null. A
 * stuck cookie has its release command ("release").
 */
#include <errno.h>
#include <stdio.h>

#include <json-c/json.h>

#include "reap.h"

int reap_json_start(struct reap *c)
{
	c->json = json_object_new_array();
	return c->json ? 0 : -ENOMEM;
}

static const char *verdict(const struct reap *c, enum sw_skip v)
{
	if (v != SW_TAKE)
		return "kept";
	return c->dry_run ? "would destroy" : "destroyed";
}

/* A stuck cookie's release command; null for any other set. */
static int release(struct json_object *o, const struct reap *c,
		   unsigned long long ns, const struct sw_set *s, enum sw_skip v)
{
	char cmd[SW_RELEASE_LEN];
	bool have = v == SW_SKIP_STUCK &&
		    !sw_release_for(s, ns, c->home, cmd, sizeof(cmd));

	return sw_json_str(o, "release", have ? cmd : NULL);
}

static int fill(struct json_object *o, const struct reap *c,
		unsigned long long ns, const struct sw_set *s, enum sw_skip v)
{
	const struct sw_modrow *m = s->creator;
	char key[16];
	int ret;

	snprintf(key, sizeof(key), "0x%08x", s->key);
	ret = sw_json_str(o, "verdict", verdict(c, v));
	ret = ret ? ret : sw_json_str(o, "reason", v == SW_TAKE ? NULL :
				      sw_skip_name(v));
	/* why nobody knows the creator: no-module, not-watched, not-recorded */
	ret = ret ? ret : sw_json_str(o, "unknown_why", v != SW_SKIP_UNKNOWN ? NULL :
				      sw_why_name(sw_unknown_why(c->mod, s)));
	ret = ret ? ret : release(o, c, ns, s, v);
	ret = ret ? ret : sw_json_str(o, "key", key);
	ret = ret ? ret : sw_json_int(o, "semid", s->semid);
	ret = ret ? ret : sw_json_int(o, "ns", (long long)ns);
	ret = ret ? ret : sw_json_int(o, "creator_pid", m ? m->pid : -1);
	ret = ret ? ret : sw_json_str(o, "comm", m ? m->comm : NULL);
	ret = ret ? ret : sw_json_str(o, "state", m && m->state != SW_STATE_UNKNOWN ?
				      sw_state_name(s) : NULL);
	ret = ret ? ret : sw_json_str(o, "cgroup", m ? m->cgroup : NULL);
	ret = ret ? ret : sw_json_int(o, "age_s", sw_set_age(s, c->now));
	ret = ret ? ret : sw_json_int(o, "idle_s", sw_set_idle(s, c->now));
	return ret;
}

int reap_json_set(struct reap *c, unsigned long long ns,
		  const struct sw_set *s, enum sw_skip v)
{
	struct json_object *o;

	if (!c->json)
		return 0;
	o = json_object_new_object();
	if (!o || json_object_array_add(c->json, o)) {
		json_object_put(o);
		return -ENOMEM;
	}
	return fill(o, c, ns, s, v);
}

static struct json_object *summary(const struct reap *c, bool declined)
{
	struct json_object *o = json_object_new_object();
	struct json_object *by = json_object_new_object();
	size_t k, m = 0;
	int ret = o && by ? 0 : -ENOMEM;

	for (k = 1; !ret && k < SW_SKIP_MAX; k++) {
		m += c->skipped[k];
		ret = sw_json_int(by, sw_skip_name((enum sw_skip)k),
				  (long long)c->skipped[k]);
	}
	ret = ret ? ret : sw_json_int(o, "destroyed", (long long)c->destroyed);
	ret = ret ? ret : sw_json_int(o, "skipped", (long long)m);
	if (!ret && json_object_object_add(o, "skipped_by_reason", by))
		ret = -ENOMEM;
	else if (!ret)
		by = NULL;
	if (!ret && json_object_object_add(o, "declined",
					   json_object_new_boolean(declined)))
		ret = -ENOMEM;
	json_object_put(by);
	if (ret) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

static int add(struct json_object *doc, const char *key, struct json_object *v)
{
	if (!v || json_object_object_add(doc, key, v)) {
		json_object_put(v);
		return -ENOMEM;
	}
	return 0;
}

/* The document, on stdout: prefix, older_than_s, dry_run, force, sets, summary. */
int reap_json_print(struct reap *c, bool declined)
{
	struct json_object *doc = json_object_new_object();
	char prefix[16];
	int ret = doc ? 0 : -ENOMEM;

	snprintf(prefix, sizeof(prefix), "0x%04x", c->rules.prefix);
	ret = ret ? ret : sw_json_str(doc, "prefix", prefix);
	ret = ret ? ret : sw_json_int(doc, "older_than_s", c->rules.age_s);
	ret = ret ? ret : add(doc, "dry_run", json_object_new_boolean(c->dry_run));
	ret = ret ? ret : add(doc, "force", json_object_new_boolean(c->rules.force));
	if (ret)
		json_object_put(c->json);
	else
		ret = add(doc, "sets", c->json);
	c->json = NULL;		/* doc owns it now, or it was released */
	ret = ret ? ret : add(doc, "summary", summary(c, declined));
	if (ret) {
		json_object_put(doc);
		return ret;
	}
	return sw_json_print(doc);
}
