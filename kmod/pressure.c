// SPDX-License-Identifier: GPL-2.0
/*
 * A warning where admins look. When a namespace's sets reach 90% of SEMMNI, and again
 * when it is full, one kernel log line says so, next to libdevmapper's own
 * "dm_task_set_cookie failed": the counts, and the largest group of leaked sets of the
 * watched prefix with its creator's comm and how it ended.
 *
 * Hooks see every creation, and every one that failed for want of room (a table full of
 * leaks never creates again), and compare the namespace's level with the last one seen.
 * A rise is noted on a small stack for the deferred work, which counts the records and
 * prints; a fall re-arms. So a line comes once per crossing, not per creation. Only
 * namespaces at 90% or more keep a level; a namespace that dies there leaves its slot
 * until its address is reused and seen below 90%.
 */
#include <linux/ipc_namespace.h>
#include <linux/lockdep.h>
#include <linux/mm.h>
#include <linux/ratelimit.h>
#include <linux/sched.h>
#include <linux/sort.h>
#include <linux/string.h>
#include "semwatch.h"
#include "view.h"
#include "compat/compat.h"

enum sw_level { SW_LEVEL_LOW, SW_LEVEL_HIGH, SW_LEVEL_FULL };

#define SW_HOT_NS_MAX	32
#define SW_NOTES_MAX	16

struct sw_hot_ns {
	const struct ipc_namespace *ns;	/* identity only; NULL: free slot */
	unsigned int inum;
	enum sw_level level;
};

struct sw_pressure_note {
	const struct ipc_namespace *ns;	/* identity only */
	unsigned int inum;
	int sets, semmni;
	enum sw_level level;
};

/* Under sw_lock; sw_nhot is read without it to skip the lock below 90%. */
static struct sw_hot_ns sw_hot[SW_HOT_NS_MAX];
static unsigned int sw_nhot, sw_hot_evict;
static struct sw_pressure_note sw_notes[SW_NOTES_MAX];
static unsigned int sw_nnotes;

/* One budget for every namespace: a user may make namespaces, not flood the log. */
static DEFINE_RATELIMIT_STATE(sw_pressure_rs, 5 * HZ, 10);

/* The level @sets reach: full, 90% and up, or below. */
static enum sw_level sw_level_of(int sets, int semmni)
{
	if (sets >= semmni)
		return SW_LEVEL_FULL;
	return (s64)sets * 10 >= (s64)semmni * 9 ? SW_LEVEL_HIGH : SW_LEVEL_LOW;
}

/*
 * The level kept after @sets are seen at @kept: a rise is taken at once, a fall only
 * well below the line (95% for full, 85% for 90%), so that one set made and removed
 * at the line, as every cookie is, does not make a line each time.
 */
static enum sw_level sw_level_next(enum sw_level kept, int sets, int semmni)
{
	enum sw_level now = sw_level_of(sets, semmni);
	int margin = kept == SW_LEVEL_FULL ? 95 : 85;

	if (now >= kept || (s64)sets * 100 >= (s64)semmni * margin)
		return max(now, kept);
	return now;
}

/* Caller holds sw_lock. The slot of @ns, or NULL. */
static struct sw_hot_ns *sw_hot_find(const struct ipc_namespace *ns, unsigned int inum)
{
	unsigned int i;

	lockdep_assert_held(&sw_lock);
	for (i = 0; i < SW_HOT_NS_MAX; i++)
		if (sw_hot[i].ns == ns && sw_hot[i].inum == inum)
			return &sw_hot[i];
	return NULL;
}

/*
 * Caller holds sw_lock. A slot for @ns: a free one or, with all taken (namespaces that
 * died at 90% and up leave none behind, but a user may make many), one in turn.
 */
static struct sw_hot_ns *sw_hot_take(const struct ipc_namespace *ns, unsigned int inum)
{
	struct sw_hot_ns *h = sw_hot_find(NULL, 0);

	lockdep_assert_held(&sw_lock);
	if (!h) {
		h = &sw_hot[sw_hot_evict++ % SW_HOT_NS_MAX];
		WRITE_ONCE(sw_nhot, sw_nhot - 1);
	}
	*h = (struct sw_hot_ns){ ns, inum, SW_LEVEL_LOW };
	WRITE_ONCE(sw_nhot, sw_nhot + 1);
	return h;
}

/* Caller holds sw_lock. Keeps @level for slot @h; a slot back at low is freed. */
static void sw_hot_set(struct sw_hot_ns *h, enum sw_level level)
{
	lockdep_assert_held(&sw_lock);
	h->level = level;
	if (level == SW_LEVEL_LOW) {
		h->ns = NULL;
		h->inum = 0;
		WRITE_ONCE(sw_nhot, sw_nhot - 1);
	}
}

/* Caller holds sw_lock. Queues a line for a rise, merged with the same one queued. */
static bool sw_note_queue(const struct sw_pressure_note *note)
{
	unsigned int i;

	lockdep_assert_held(&sw_lock);
	for (i = 0; i < sw_nnotes; i++) {
		if (sw_notes[i].ns == note->ns && sw_notes[i].inum == note->inum &&
		    sw_notes[i].level == note->level) {
			sw_notes[i] = *note;
			return true;
		}
	}
	if (sw_nnotes == SW_NOTES_MAX)
		return false;
	sw_notes[sw_nnotes++] = *note;
	sw_defer_kick();
	return true;
}

/*
 * Caller holds sw_lock. @ns holds @sets. A rise is kept only once its line is queued,
 * so that a full queue delays the line instead of losing it.
 */
static void sw_pressure_seen(const struct ipc_namespace *ns, int sets, int semmni,
			     bool creation)
{
	unsigned int inum = ns->ns.inum;
	struct sw_hot_ns *h = sw_hot_find(ns, inum);
	enum sw_level kept = h ? h->level : SW_LEVEL_LOW;
	enum sw_level next = sw_level_next(kept, sets, semmni);
	struct sw_pressure_note note = { ns, inum, sets, semmni, next };

	lockdep_assert_held(&sw_lock);
	if (next == kept || (next > kept && !creation))
		return;
	if (next > kept && !sw_note_queue(&note))
		return;
	if (!h)
		h = sw_hot_take(ns, inum);
	sw_hot_set(h, next);
}

/* Reads @ns's use and limit. Legal in a hook; @ns is current's or being freed from. */
static void sw_pressure_read(const struct ipc_namespace *ns, int *sets, int *semmni)
{
	*sets = READ_ONCE(ns->ids[SW_IPC_SEM_IDS].in_use);
	*semmni = READ_ONCE(ns->sem_ctls[3]);
}

/*
 * A hook, after a creation in current's namespace, or one that failed with ENOSPC:
 * then the set table may be full.
 */
void sw_pressure_created(void)
{
	const struct ipc_namespace *ns = current->nsproxy->ipc_ns;
	int sets, semmni;

	sw_pressure_read(ns, &sets, &semmni);
	if (semmni <= 0 || (sw_level_of(sets, semmni) == SW_LEVEL_LOW && !READ_ONCE(sw_nhot)))
		return;
	raw_spin_lock(&sw_lock);
	sw_pressure_seen(ns, sets, semmni, true);
	raw_spin_unlock(&sw_lock);
}

/*
 * A hook, at a removal from @ns, whose set count does not yet (@counted) or does no
 * longer include the set. Only re-arms: a namespace torn down frees its slot.
 */
void sw_pressure_removed(const struct ipc_namespace *ns, bool counted)
{
	int sets, semmni;

	if (!READ_ONCE(sw_nhot))
		return;
	sw_pressure_read(ns, &sets, &semmni);
	if (semmni <= 0)
		return;
	raw_spin_lock(&sw_lock);
	sw_pressure_seen(ns, sets - counted, semmni, false);
	raw_spin_unlock(&sw_lock);
}

/*
 * Process context: the log refused @note's line (rate limit), so its rise is taken
 * back, and the next creation at that level queues the line again.
 */
static void sw_pressure_unsee(const struct sw_pressure_note *note)
{
	struct sw_hot_ns *h;

	raw_spin_lock(&sw_lock);
	h = sw_hot_find(note->ns, note->inum);
	if (h && h->level == note->level)
		sw_hot_set(h, note->level - 1);
	raw_spin_unlock(&sw_lock);
}

/* A leaked set's group: its creator's comm and how the creator ended. */
struct sw_leak_key {
	char comm[TASK_COMM_LEN];
	u32 exit;
};

struct sw_pressure_count {
	const struct sw_pressure_note *note;
	unsigned int watch_prefix, prefix_bits;
	unsigned int watched;
	struct sw_leak_key *keys;
	unsigned int n, cap;
};

/* Runs under sw_lock (sw_records_visit). */
static bool sw_pressure_count_one(struct sw_record *r, void *arg)
{
	struct sw_pressure_count *c = arg;

	lockdep_assert_held(&sw_lock);
	if (r->ns != c->note->ns || r->ns_inum != c->note->inum ||
	    sw_prefix_of(r->key, c->prefix_bits) != c->watch_prefix)
		return true;
	c->watched++;
	if (c->n < c->cap && sw_creator_state(r) == SW_DEAD) {
		/* Padded: keys are compared whole. */
		strscpy_pad(c->keys[c->n].comm, r->comm, TASK_COMM_LEN);
		c->keys[c->n++].exit = r->exit & SW_EXIT_NOTED ? r->exit : 0;
	}
	return true;
}

static int sw_leak_key_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct sw_leak_key));
}

/* Between groups of one size, a kill explains a leak better than an exit. */
static int sw_leak_rank(u32 exit)
{
	if (exit & SW_EXIT_OOM)
		return 2;
	return (exit & 0x7f) ? 1 : 0;
}

/* The largest run of equal keys, sorted in place; its count, 0 if none. */
static unsigned int sw_largest_group(struct sw_leak_key *keys, unsigned int n,
				     const struct sw_leak_key **best)
{
	unsigned int i, run = 0, most = 0;

	sort(keys, n, sizeof(*keys), sw_leak_key_cmp, NULL);
	for (i = 0; i < n; i++) {
		run = i && !sw_leak_key_cmp(&keys[i], &keys[i - 1]) ? run + 1 : 1;
		if (run > most || (run == most &&
				   sw_leak_rank(keys[i].exit) > sw_leak_rank((*best)->exit))) {
			most = run;
			*best = &keys[i];
		}
	}
	return most;
}

/* "killed by SIGKILL", "that exited with status 1", ... */
static const char *sw_how_ended(u32 exit, char *buf, size_t len)
{
	char name[SW_EXIT_NAME_LEN];

	if (!exit)
		return "whose end was not seen";
	if (exit & SW_EXIT_OOM)
		return "killed by the OOM killer";
	if (!(exit & 0x7f)) {
		snprintf(buf, len, "that exited with status %u", (exit >> 8) & 0xff);
		return buf;
	}
	snprintf(buf, len, "killed by %s", sw_exit_name(exit, name, sizeof(name)));
	return buf;
}

static void sw_pressure_print(const struct sw_pressure_count *c,
			      const struct sw_leak_key *best, unsigned int most)
{
	const struct sw_pressure_note *note = c->note;
	char what[32], how[48], group[160] = "", comm[4 * TASK_COMM_LEN + 2];

	if (c->prefix_bits == 16 && c->watch_prefix == SW_DM_COOKIE_PREFIX)
		strscpy(what, "0x0d4d cookies", sizeof(what));
	else
		snprintf(what, sizeof(what), "0x%0*x sets", (c->prefix_bits + 3) / 4,
			 c->watch_prefix);
	/* Escaped as /proc/semwatch does: a comm cannot forge the rest of the line. */
	if (most) {
		sw_escape_field(comm, best->comm);
		snprintf(group, sizeof(group), ", %u of them from %s %s", most, comm,
			 sw_how_ended(best->exit, how, sizeof(how)));
	}
	pr_warn("ipc ns %u: %d/%d sets (%s); %u are %s%s; see semwatch report\n",
		note->inum, note->sets, note->semmni,
		note->level == SW_LEVEL_FULL ? "SEMMNI" : "90% of SEMMNI",
		c->watched, what, group);
}

/* Process context: counts what one note's namespace holds and prints its line. */
static void sw_pressure_report(const struct sw_pressure_note *note)
{
	struct sw_pressure_count c = { .note = note };
	const struct sw_leak_key *best = NULL;
	unsigned int most = 0;

	if (!__ratelimit(&sw_pressure_rs)) {
		sw_pressure_unsee(note);
		return;
	}
	sw_config_get(&c.watch_prefix, &c.prefix_bits);
	/* Sized for the namespace's sets; without the memory, the line has no group. */
	c.cap = min_t(unsigned int, sw_tracked_count(), max(note->sets, 0)) + 64;
	c.keys = kvmalloc_array(c.cap, sizeof(*c.keys), GFP_KERNEL | __GFP_NOWARN);
	if (!c.keys)
		c.cap = 0;
	sw_records_visit(sw_pressure_count_one, &c);
	if (c.n)
		most = sw_largest_group(c.keys, c.n, &best);
	sw_pressure_print(&c, best, most);
	kvfree(c.keys);
}

/* Process context (the deferred work, after deaths are stamped): prints noted lines. */
void sw_pressure_flush(void)
{
	/* Only the deferred work prints, and a work item never runs twice at once. */
	static struct sw_pressure_note notes[SW_NOTES_MAX];
	unsigned int i, n;

	raw_spin_lock(&sw_lock);
	n = sw_nnotes;
	memcpy(notes, sw_notes, n * sizeof(*notes));
	sw_nnotes = 0;
	raw_spin_unlock(&sw_lock);
	/* In the order they came: a namespace's 90% line before its full one. */
	for (i = 0; i < n; i++) {
		sw_pressure_report(&notes[i]);
		cond_resched();
	}
}
