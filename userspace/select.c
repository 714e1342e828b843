// SPDX-License-Identifier: GPL-2.0
/*
 * Which sets reap destroys and which report calls leaks. Pure functions of a
 * snapshot, so the unit tests can pin every rule down.
 */
#include <stdio.h>

#include "semwatch.h"

bool sw_has_prefix(uint32_t key, uint32_t prefix)
{
	return key >> 16 == prefix;	/* dmsetup: key >> 16 == DM_COOKIE_MAGIC */
}

/*
 * The two ages, each defined here only. Age: seconds since creation, by the
 * module's clock, else since ctime (which creation sets, and semctl() changes
 * move on: a lower bound). Idle: seconds since the last change or operation
 * (ctime and otime), the one that dmsetup udevcomplete_all and reap judge by,
 * and so report too.
 */
long long sw_set_age(const struct sw_set *s, time_t now)
{
	if (s->creator && s->creator->age_s >= 0)
		return s->creator->age_s;
	return (long long)now - s->ctime;
}

long long sw_set_idle(const struct sw_set *s, time_t now)
{
	return (long long)now - (s->ctime > s->otime ? s->ctime : s->otime);
}

/*
 * The module records every set, but lists (with its creator) only those whose
 * key its watch_prefix covers.
 */
bool sw_watched(const struct sw_module *m, uint32_t key)
{
	unsigned int bits = m ? m->prefix_bits : 0;

	if (!bits)
		return false;
	return (bits >= 32 ? key : key >> (32 - bits)) == m->watch_prefix;
}

/*
 * The commands that make the module list @prefix's sets (root, in the initial
 * IPC namespace): the creators of sets it already holds then show at once.
 * With another width the prefix must fit at each step: widen, set, narrow.
 */
void sw_watch_cmd(const struct sw_module *m, uint32_t prefix, char *buf,
		  size_t len)
{
	if (m->prefix_bits == 16)
		snprintf(buf, len, "echo 'watch_prefix 0x%04x' > /proc/semwatch",
			 prefix);
	else
		snprintf(buf, len, "echo 'prefix_bits 32' > /proc/semwatch && "
			 "echo 'watch_prefix 0x%04x' > /proc/semwatch && "
			 "echo 'prefix_bits 16' > /proc/semwatch", prefix);
}

/* Why nobody can say who made @s (its creator is unknown). */
enum sw_why sw_unknown_why(const struct sw_module *m, const struct sw_set *s)
{
	if (!m)
		return SW_WHY_NO_MODULE;
	if (!sw_watched(m, s->key))
		return SW_WHY_UNWATCHED;
	return SW_WHY_BEFORE;
}

const char *sw_why_name(enum sw_why w)
{
	static const char *const names[] = {
		[SW_WHY_NO_MODULE] = "no-module",
		[SW_WHY_UNWATCHED] = "not-watched",
		[SW_WHY_BEFORE] = "not-recorded",
	};

	return w < SW_WHY_MAX ? names[w] : "?";
}

/*
 * dmsetup udevcomplete_all's rule first (prefix, then ctime and otime both
 * older than the age: the idle time), then our safety checks, each waived by
 * --force.
 */
enum sw_skip sw_reap_verdict(const struct sw_set *s, const struct sw_rules *r,
			     time_t now)
{
	if (!sw_has_prefix(s->key, r->prefix))
		return SW_NOT_SELECTED;
	if (sw_set_idle(s, now) < r->age_s)
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

/* What reap without --force decides, whatever r->force says: report's view. */
enum sw_skip sw_safe_verdict(const struct sw_set *s, const struct sw_rules *r,
			     time_t now)
{
	struct sw_rules safe = *r;

	safe.force = false;
	return sw_reap_verdict(s, &safe, now);
}

/* report: exactly what reap without --force takes (its re-check aside). */
bool sw_is_leak(const struct sw_set *s, const struct sw_rules *r, time_t now)
{
	return sw_safe_verdict(s, r, now) == SW_TAKE;
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
	return prefix == SW_DM_PREFIX ? "dm-udev-cookie" : NULL;
}
