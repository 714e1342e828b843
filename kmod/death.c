// SPDX-License-Identifier: GPL-2.0
/*
 * How a creator ended: its exit status or fatal signal, whether the OOM killer chose it,
 * and when. A probe on the sched_process_exit tracepoint sees every thread that exits,
 * and almost none of them created a tracked set, so it answers "not a creator" with one
 * atomic read and one table load. sw_creators keeps, per hash of the process's struct
 * pid, how many records await the end of a creator hashed there, and which creator
 * that is: its tag (the rest of the hash), or "mixed" once two creators share the slot.
 * An exit whose slot is empty or holds another creator's tag stops there; with 1000
 * live creators in 8192 slots, under 1% of exits find a mixed slot. Only the last
 * thread of a process that may own records takes sw_lock, to push its death on a
 * small stack.
 *
 * Finding a process's records needs a walk of the table, which a hook may not do under
 * a raw lock, so the deferred work and readers (before they copy) pop the stack and
 * stamp the records in process context, a batch of buckets at a time. A death stays on
 * the stack with a reference on its struct pid, so that the pointer it is matched by
 * cannot be reused meanwhile. A death the full stack cannot take is lost: its records
 * show the creator dead, how unknown.
 */
#include <linux/hash.h>
#include <linux/lockdep.h>
#include <linux/mutex.h>
#include <linux/oom.h>
#include <linux/pid.h>
#include <linux/sched/signal.h>
#include <linux/sort.h>
#include <linux/bsearch.h>
#include <linux/timekeeping.h>
#include <linux/tracepoint.h>
#include <trace/events/sched.h>
#include "semwatch.h"

#define SW_CREATOR_BITS 13
#define SW_TAG_MIXED U32_MAX
#define SW_DEATHS_MAX 256

struct sw_death {
	struct pid *pid;	/* referenced */
	u32 exit;
	u32 when;
};

/*
 * Under sw_lock; the exit probe reads a slot without it (see sw_process_exit()). A
 * slot is one u64, so that the probe reads its count and tag together: the count of
 * records in the low half, the tag in the high half (0 while the count is 0).
 */
static u64 sw_creators[1 << SW_CREATOR_BITS];
static struct sw_death sw_deaths[SW_DEATHS_MAX];
static unsigned int sw_ndeaths;
/*
 * Serialises the emptying of sw_deaths, as sw_resolve_lock does for paths, and guards
 * sw_stamping, where the deaths are stamped from.
 */
static DEFINE_MUTEX(sw_death_lock);
static struct sw_death sw_stamping[SW_DEATHS_MAX];

static struct tracepoint *sw_exit_tp;
static bool sw_exit_registered;

/* @pid's slot, and in @tag what tells it from the other pids of that slot. */
static u64 *sw_creator_slot(const struct pid *pid, u32 *tag)
{
	u32 h = hash_ptr(pid, 32);

	*tag = clamp_t(u32, h, 1, SW_TAG_MIXED - 1);
	return &sw_creators[h >> (32 - SW_CREATOR_BITS)];
}

/* Caller holds sw_lock: @r has just got its creator, who is running (a hook). */
void sw_death_watch(const struct sw_record *r)
{
	u32 tag, n, kept;
	u64 *slot = sw_creator_slot(r->creator, &tag);

	lockdep_assert_held(&sw_lock);
	n = (u32)*slot;
	kept = *slot >> 32;
	if (n && kept != tag)
		tag = SW_TAG_MIXED;
	WRITE_ONCE(*slot, (u64)tag << 32 | (n + 1));
}

/* Caller holds sw_lock: @r leaves the table or has its creator's end noted. */
void sw_death_unwatch(const struct sw_record *r)
{
	u32 tag, n;
	u64 *slot;

	lockdep_assert_held(&sw_lock);
	if (!r->creator || (r->exit & SW_EXIT_NOTED))
		return;
	slot = sw_creator_slot(r->creator, &tag);
	n = (u32)*slot - 1;
	/* A mixed slot stays mixed until it empties: who is left is not known. */
	WRITE_ONCE(*slot, n ? (*slot & ~(u64)U32_MAX) | n : 0);
}

/*
 * What wait() reports for the process, as its last thread leaves it. Without a group
 * exit (the last thread called the raw exit system call after the leader left), wait()
 * reports the leader's status; this one is the last thread's.
 *
 * The OOM killer also marks a process that was exiting already: only a SIGKILL death
 * of a marked process is its doing.
 */
static u32 sw_exit_word(struct task_struct *tsk)
{
	const struct signal_struct *sig = tsk->signal;
	int code = READ_ONCE(sig->flags) & SIGNAL_GROUP_EXIT ?
		READ_ONCE(sig->group_exit_code) : tsk->exit_code;
	u32 word = SW_EXIT_NOTED | (code & SW_EXIT_STATUS);

	if ((code & 0x7f) == SIGKILL && tsk_is_oom_victim(tsk))
		word |= SW_EXIT_OOM;
	return word;
}

/* Caller holds sw_lock. */
static bool sw_death_queued(const struct pid *pid)
{
	unsigned int i;

	lockdep_assert_held(&sw_lock);
	for (i = 0; i < sw_ndeaths; i++)
		if (sw_deaths[i].pid == pid)
			return true;
	return false;
}

/*
 * do_exit(), every thread, preemption disabled. By now the thread has counted itself
 * out of signal->live and set its exit_code. A creator's records were counted in
 * sw_creators before this thread or a sibling decremented live (a full barrier), so a
 * read here that says "none of mine" is exact: while the slot counts any record of
 * this process, its tag is this process's or mixed (a collision only costs the
 * lock). Two threads leaving together may both see live at zero: the first to take
 * the lock notes the process.
 */
static void sw_process_exit(void *data, struct task_struct *tsk)
{
	struct pid *pid;
	u32 tag, kept;
	u64 slot;

	if (atomic_read(&tsk->signal->live))
		return;
	pid = task_tgid(tsk);
	slot = READ_ONCE(*sw_creator_slot(pid, &tag));
	kept = slot >> 32;
	if (!(u32)slot || (kept != tag && kept != SW_TAG_MIXED))
		return;
	raw_spin_lock(&sw_lock);
	if (sw_ndeaths < SW_DEATHS_MAX && !sw_death_queued(pid)) {
		/*
		 * The exiting task is still attached to its thread-group pid (it is
		 * released after this tracepoint): the reference cannot be the first.
		 */
		sw_deaths[sw_ndeaths++] = (struct sw_death){
			get_pid(pid), sw_exit_word(tsk), (u32)ktime_get_real_seconds(),
		};
		sw_defer_kick();
	}
	raw_spin_unlock(&sw_lock);
}

static int sw_death_cmp(const void *a, const void *b)
{
	const struct pid *x = ((const struct sw_death *)a)->pid;
	const struct pid *y = ((const struct sw_death *)b)->pid;

	return x < y ? -1 : x > y;
}

struct sw_death_batch {
	struct sw_death *d;
	unsigned int n;
};

/* Runs under sw_lock (sw_records_visit). */
static bool sw_death_stamp(struct sw_record *r, void *arg)
{
	const struct sw_death_batch *b = arg;
	struct sw_death key = { .pid = r->creator };
	const struct sw_death *d;

	lockdep_assert_held(&sw_lock);
	if (!r->creator || (r->exit & SW_EXIT_NOTED))
		return true;
	d = bsearch(&key, b->d, b->n, sizeof(*b->d), sw_death_cmp);
	if (d) {
		sw_death_unwatch(r);
		r->exit = d->exit;
		r->died = d->when;
	}
	return true;
}

/* Caller holds sw_death_lock. Takes every death off the stack into @b. */
static void sw_deaths_pop(struct sw_death_batch *b)
{
	lockdep_assert_held(&sw_death_lock);
	raw_spin_lock(&sw_lock);
	b->n = sw_ndeaths;
	memcpy(b->d, sw_deaths, sw_ndeaths * sizeof(*b->d));
	sw_ndeaths = 0;
	raw_spin_unlock(&sw_lock);
}

/*
 * Process context (the deferred work, and readers before they copy): stamps the records
 * of every process whose death is on the stack. Returns 0 once every death pending on
 * entry is stamped, or -EINTR if @killable and a fatal signal came while waiting for
 * another caller.
 */
int sw_deaths_resolve(bool killable)
{
	struct sw_death_batch b = { .d = sw_stamping };
	unsigned int i;

	/* As for paths: the work may skip an empty stack, a reader must wait. */
	raw_spin_lock(&sw_lock);
	i = sw_ndeaths;
	raw_spin_unlock(&sw_lock);
	if (!i && !killable)
		return 0;
	if (!killable)
		mutex_lock(&sw_death_lock);
	else if (mutex_lock_killable(&sw_death_lock))
		return -EINTR;
	sw_deaths_pop(&b);
	if (b.n) {
		sort(b.d, b.n, sizeof(*b.d), sw_death_cmp, NULL);
		sw_records_visit(sw_death_stamp, &b);
	}
	for (i = 0; i < b.n; i++)
		put_pid(b.d[i].pid);
	mutex_unlock(&sw_death_lock);
	return 0;
}

int sw_death_hook_register(void)
{
	int err;

	check_trace_callback_type_sched_process_exit(sw_process_exit);
	sw_exit_tp = sw_tracepoint_find("sched_process_exit");
	if (!sw_exit_tp)
		return -ENOENT;
	err = tracepoint_probe_register(sw_exit_tp, sw_process_exit, NULL);
	sw_exit_registered = !err;
	return err;
}

/* After it, no probe runs; the deaths it left are dropped by sw_death_exit(). */
void sw_death_hook_unregister(void)
{
	if (!sw_exit_registered)
		return;
	tracepoint_probe_unregister(sw_exit_tp, sw_process_exit, NULL);
	tracepoint_synchronize_unregister();
	sw_exit_registered = false;
}

/* Every hook, reader and the deferred work are gone. */
void sw_death_exit(void)
{
	while (sw_ndeaths)
		put_pid(sw_deaths[--sw_ndeaths].pid);
	memset(sw_creators, 0, sizeof(sw_creators));
}
