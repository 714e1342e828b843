// SPDX-License-Identifier: GPL-2.0
/*
 * The deferred work: everything a hook may not do (see semwatch.h), done soon after in
 * process context. Hooks kick it; it drops the last creator references of removed
 * records, reads the paths of new cgroups, stamps creators' deaths on their records,
 * and keeps the record pool and the idle
 * cgroup entries within their bounds. Its queue is unbound, so that a burst of creations
 * on one CPU does not keep it from running on another, and high-priority, so that the
 * pool is refilled before a busy creator empties it. (On PREEMPT_RT, real-time creators
 * can still starve it; their creations beyond the pool then count as dropped.)
 */
#include <linux/workqueue.h>
#include "semwatch.h"

static struct workqueue_struct *sw_defer_wq;
static bool sw_defer_on;

static void sw_defer_run(struct work_struct *work)
{
	sw_retired_release();
	/* first: a reader may hold up the paths, and a burst must not find the pool empty */
	sw_pool_fill();
	sw_cgroups_resolve(false);
	sw_deaths_resolve(false);
	sw_pressure_flush();
	sw_pool_trim();
	sw_cgroups_trim();
}

static DECLARE_WORK(sw_defer_work, sw_defer_run);

int sw_defer_start(void)
{
	sw_defer_wq = alloc_workqueue("semwatch", WQ_UNBOUND | WQ_HIGHPRI, 0);
	if (!sw_defer_wq)
		return -ENOMEM;
	WRITE_ONCE(sw_defer_on, true);
	return 0;
}

/* Legal in a hook: queue_work() takes only raw locks. */
void sw_defer_kick(void)
{
	if (READ_ONCE(sw_defer_on))
		queue_work(sw_defer_wq, &sw_defer_work);
}

/*
 * Called once no hook or reader can kick any more. What the work had left to do is
 * undone by sw_records_exit() and sw_creator_exit().
 */
void sw_defer_stop(void)
{
	WRITE_ONCE(sw_defer_on, false);
	cancel_work_sync(&sw_defer_work);
	destroy_workqueue(sw_defer_wq);
}
