// SPDX-License-Identifier: GPL-2.0
/*
 * Which sets reap destroys and which report calls leaks. Pure functions of a
 * snapshot, so the unit tests can pin every rule down.
 */
#include "semwatch.h"

bool sw_has_prefix(uint32_t key, uint32_t prefix)
{
	return key >> 16 == prefix;	/* dmsetup: key >> 16 == DM_COOKIE_MAGIC */
}

/* Seconds since creation when the module knows it, else since ctime. */
long long sw_set_age(const struct sw_set *s, time_t now)
{
	if (s->creator && s->creator->age_s >= 0)
		return s->creator->age_s;
	return (long long)now - s->ctime;
}

/*
 * dmsetup udevcomplete_all's rule first (prefix, then ctime and otime both
 * older than the age), then our safety checks, each waived by --force.
 */
enum sw_skip sw_reap_verdict(const struct sw_set *s, const struct sw_rules *r,
			     time_t now)
{
	if (!sw_has_prefix(s->key, r->prefix))
		return SW_NOT_SELECTED;
	if (s->ctime + r->age_s > (long long)now ||
	    s->otime + r->age_s > (long long)now)
		return SW_SKIP_YOUNG;
	if (r->force)
		return SW_TAKE;
	if (!s->creator || s->creator->state == SW_STATE_UNKNOWN)
		return SW_SKIP_UNKNOWN;
	if (s->creator->state == SW_STATE_ALIVE)
		return SW_SKIP_ALIVE;
	/* unknown waiters (semctl failed) are not "no waiters" */
	if (s->waiters != 0)
		return SW_SKIP_WAITERS;
	return SW_TAKE;
}

/* report: watched prefix, creator dead, old enough, nobody waiting. */
bool sw_is_leak(const struct sw_set *s, const struct sw_rules *r, time_t now)
{
	return sw_has_prefix(s->key, r->prefix) && s->creator &&
	       s->creator->state == SW_STATE_DEAD && s->waiters == 0 &&
	       sw_set_age(s, now) >= r->age_s;
}

const char *sw_skip_name(enum sw_skip k)
{
	static const char *const names[] = {
		[SW_TAKE] = "destroyed",
		[SW_SKIP_YOUNG] = "too young",
		[SW_SKIP_ALIVE] = "creator alive",
		[SW_SKIP_UNKNOWN] = "creator unknown",
		[SW_SKIP_WAITERS] = "waiters",
		[SW_SKIP_CHANGED] = "changed before removal",
		[SW_SKIP_FAILED] = "removal failed",
	};

	return k < SW_SKIP_MAX ? names[k] : "not selected";
}

const char *sw_state_name(const struct sw_set *s)
{
	if (!s->creator)
		return "unknown";
	return s->creator->state == SW_STATE_ALIVE ? "alive" :
	       s->creator->state == SW_STATE_DEAD ? "dead" : "unknown";
}

const char *sw_prefix_label(uint32_t prefix)
{
	return prefix == SW_DM_PREFIX ? "dm-udev-cookie" : "-";
}
