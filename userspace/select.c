// SPDX-License-Identifier: GPL-2.0
/*
 * Which sets reap destroys, which report calls leaks and which stuck. Pure
 * functions of a snapshot (the clock aside), so the unit tests can pin every
 * rule down.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

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
 * --force but the first: a stuck cookie is kept, always.
 */
enum sw_skip sw_reap_verdict(const struct sw_set *s, const struct sw_rules *r,
			     time_t now)
{
	if (!sw_has_prefix(s->key, r->prefix))
		return SW_NOT_SELECTED;
	if (sw_set_idle(s, now) < r->age_s)
		return SW_SKIP_YOUNG;
	/* not even --force: destroying it would only wake the waiter early */
	if (sw_is_stuck(s, r, now))
		return SW_SKIP_STUCK;
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
		[SW_SKIP_STUCK] = "stuck",
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

/*
 * The clock report and reap judge ages by. The test build may move it
 * (SEMWATCH_TEST_CLOCK_SKEW=SECONDS), so that its tests need not wait.
 */
time_t sw_now(void)
{
	const char *skew = sw_test_hook("SEMWATCH_TEST_CLOCK_SKEW");

	return time(NULL) + (time_t)(skew ? strtoll(skew, NULL, 10) : 0);
}

/*
 * Stuck, not leaked: a libdevmapper cookie whose creator still runs, idle
 * for --older-than and for at least SW_STUCK_MIN_IDLE_S, udev's event timeout
 * (before that it is in flight: udev may still be on it), that a task waits
 * on for zero. That
 * is how dm_udev_wait() waits for udev's `dmsetup udevcomplete`, which will
 * never come when udev runs in another IPC namespace or its worker was
 * killed. Only GETZCNT counts: a GETNCNT waiter is not waiting for udev.
 * The candidate test tells whom it is worth counting the waiters of.
 */
bool sw_stuck_candidate(const struct sw_set *s, const struct sw_rules *r,
			time_t now)
{
	long long idle = sw_set_idle(s, now);

	return sw_has_prefix(s->key, r->prefix) &&
	       sw_has_prefix(s->key, SW_DM_PREFIX) && s->creator &&
	       s->creator->state == SW_STATE_ALIVE && idle >= r->age_s &&
	       idle >= SW_STUCK_MIN_IDLE_S;
}

/* Unknown waiters (-1) are not proof of one: no stuck verdict on them. */
bool sw_is_stuck(const struct sw_set *s, const struct sw_rules *r, time_t now)
{
	return sw_stuck_candidate(s, r, now) && s->zcnt > 0;
}

/*
 * The command that does what udev would have done (dmsetup(8):
 * `udevcomplete COOKIE` subtracts one from the cookie's semaphore), once per
 * pending event (@count, its value), after which the waiter wakes and
 * removes the set. It must run in the cookie's IPC namespace: through
 * nsenter and a process in it (@nspid), unless we are there (@nspid 0).
 * -ENOSPC if @buf is too small.
 */
int sw_release_cmd(char *buf, size_t len, uint32_t key, long long nspid,
		   long long count)
{
	char one[96];
	int n;

	if (nspid > 0)
		snprintf(one, sizeof(one), "nsenter --ipc=/proc/%lld/ns/ipc "
			 "dmsetup udevcomplete 0x%08x", nspid, key);
	else
		snprintf(one, sizeof(one), "dmsetup udevcomplete 0x%08x", key);
	if (count > 1)
		n = snprintf(buf, len, "for i in $(seq %lld); do %s; done",
			     count, one);
	else
		n = snprintf(buf, len, "%s", one);
	return n < 0 || (size_t)n >= len ? -ENOSPC : 0;
}

/*
 * Could the process that started @started_ago seconds ago be a set's last
 * operator, when the set last changed @idle seconds ago? Not if it started
 * after that (give or take the clocks' whole seconds): its PID was reused.
 */
bool sw_lastop_plausible(long long started_ago, long long idle)
{
	return started_ago >= 0 && started_ago + 2 >= idle;
}
