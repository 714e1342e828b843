// SPDX-License-Identifier: GPL-2.0
/*
 * Reading IPC namespaces: finding a set by id, the start-up scan of sets that predate
 * the module, and per-namespace limits and use. See semwatch.h for what keeps a
 * namespace alive while it is read here.
 */
#include <linux/idr.h>
#include <linux/lockdep.h>
#include <linux/rcupdate.h>
#include <linux/ipc_namespace.h>
#include <linux/mm.h>
#include <linux/nsproxy.h>
#include <linux/rwsem.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/timekeeping.h>
#include "semwatch.h"
#include "compat/compat.h"

/*
 * Cleared for good the first time the load-time scan reads an impossible value through
 * the private layout. Only the scan judges: it holds the rwsem that newary() holds for
 * write, so a set is never half made under it. A hook reads without it, and an odd
 * value there is only left unknown.
 */
static bool sw_layout_plausible = true;
/* A ctime this far ahead is not a clock step but a misread (a year and a day). */
#define SW_CTIME_AHEAD_MAX	(366 * 24 * 3600)
#define SW_SCAN_MAX_NS		4096

/* Caller holds rcu_read_lock() and keeps @ns alive. */
static struct kern_ipc_perm *sw_sem_find(struct ipc_namespace *ns, int id)
{
	static const unsigned int shifts[] = { SW_IPCMNI_SHIFT, SW_IPCMNI_EXTEND_SHIFT };
	struct idr *idr = &ns->ids[SW_IPC_SEM_IDS].ipcs_idr;
	struct kern_ipc_perm *perm;
	int i;

	RCU_LOCKDEP_WARN(!rcu_read_lock_held(), "needs rcu_read_lock()");
	for (i = 0; i < ARRAY_SIZE(shifts); i++) {
		perm = idr_find(idr, id & ((1 << shifts[i]) - 1));
		if (perm && READ_ONCE(perm->id) == id)
			return perm;
	}
	return NULL;
}

/*
 * Size and ctime of a set that predates the module, when they can be read safely;
 * @judge: an impossible value rules the layout out (the scan, see sw_layout_plausible).
 */
static void sw_sem_read_layout(struct ipc_namespace *ns, struct kern_ipc_perm *perm,
			       struct sw_setinfo *s, bool judge)
{
#if SW_SEM_LAYOUT_KNOWN
	const struct sw_sem_array_head *sma;
	int nsems, used;
	time64_t ctime;

	if (judge)	/* the scan's hold of the rwsem is what makes a verdict fair */
		lockdep_assert_held(&ns->ids[SW_IPC_SEM_IDS].rwsem);
	if (!sw_layout || !READ_ONCE(sw_layout_plausible))
		return;
	sma = container_of(perm, struct sw_sem_array_head, sem_perm);
	nsems = READ_ONCE(sma->sem_nsems);
	ctime = READ_ONCE(sma->sem_ctime);
	used = READ_ONCE(ns->used_sems);
	/* freeary() sets `deleted` before it lowers used_sems. */
	smp_rmb();
	if (READ_ONCE(perm->deleted))
		return;
	if (nsems < 1 || nsems > used || ctime < 1 ||
	    ctime > ktime_get_real_seconds() + SW_CTIME_AHEAD_MAX) {
		if (!judge)
			return;
		WRITE_ONCE(sw_layout_plausible, false);
		pr_warn("struct sem_array is not laid out as expected; sizes and ages of sets older than the module are unknown\n");
		return;
	}
	s->nsems = nsems;
	s->ctime = ctime;
#endif
}

/* Records the set @id that current's semget() created or opened. */
void sw_track_current(int id, const struct sw_semget_args *a, enum sw_origin origin)
{
	struct ipc_namespace *ns = current->nsproxy->ipc_ns;
	struct kern_ipc_perm *perm;
	struct sw_setinfo s = {
		.ns = ns,
		.ns_inum = ns->ns.inum,
		.id = id,
		.ctime = origin == SW_FOUND ? 0 : ktime_get_real_seconds(),
	};

	rcu_read_lock();
	perm = sw_sem_find(ns, id);
	if (perm) {
		s.key = READ_ONCE(perm->key);
		s.uid = perm->cuid;
		if (a)
			s.nsems = a->nsems;
		else
			sw_sem_read_layout(ns, perm, &s, false);
		sw_track(&s, perm, origin);
	} else if (origin == SW_CREATED) {
		sw_count_dropped();
	}
	rcu_read_unlock();
}

/* Sets recorded per pool refill: far fewer than the pool holds. */
#define SW_SCAN_BATCH 64

/*
 * Records every set of @ns, on which the caller holds a reference. The rwsem, held for
 * read, keeps creations and removals out for the walk; it is not what keeps @ns alive.
 */
static void sw_scan_ns(struct ipc_namespace *ns)
{
	struct ipc_ids *ids = &ns->ids[SW_IPC_SEM_IDS];
	struct kern_ipc_perm *perm;
	unsigned int seen = 0;
	int idx;

	down_read(&ids->rwsem);
	for (idx = 0;; idx++) {
		if (seen++ % SW_SCAN_BATCH == 0)
			sw_pool_fill();
		rcu_read_lock();
		perm = idr_get_next(&ids->ipcs_idr, &idx);
		if (perm) {
			struct sw_setinfo s = {
				.ns = ns,
				.ns_inum = ns->ns.inum,
				.key = perm->key,
				.id = perm->id,
				.uid = perm->cuid,
			};

			sw_sem_read_layout(ns, perm, &s, true);
			sw_track(&s, perm, SW_FOUND);
		}
		rcu_read_unlock();
		if (!perm)
			break;
		cond_resched();
	}
	up_read(&ids->rwsem);
}

/* Namespaces already scanned, by address. */
struct sw_seen {
	const struct ipc_namespace **ns;
	unsigned int n;
};

static bool sw_seen_has(const struct sw_seen *seen, const struct ipc_namespace *ns)
{
	unsigned int i;

	for (i = 0; i < seen->n; i++)
		if (seen->ns[i] == ns)
			return true;
	return false;
}

/*
 * Returns, with a reference, a namespace some thread is in that is not yet scanned, or
 * NULL: any thread, since unshare(CLONE_NEWIPC) needs no single-threaded process. The
 * task list cannot be walked across a sleep, so each call starts over. A namespace
 * freed after its scan may come back at the same address; every set of such a new
 * namespace was created after the hooks were placed, so skipping it loses nothing.
 */
static struct ipc_namespace *sw_next_ns(struct sw_seen *seen)
{
	struct ipc_namespace *found = NULL, *ns;
	struct task_struct *g, *p;

	rcu_read_lock();
	for_each_process_thread(g, p) {
		task_lock(p);
		ns = p->nsproxy ? p->nsproxy->ipc_ns : NULL;
		if (ns && !sw_seen_has(seen, ns))
			found = get_ipc_ns(ns);
		task_unlock(p);
		if (found)
			goto out;
	}
out:
	rcu_read_unlock();
	return found;
}

/*
 * Finds the sets that predate the module in the initial namespace and in every
 * namespace some task is in. Runs after the hooks are placed, so a set created
 * meanwhile is tracked either way.
 */
int sw_scan_existing(void)
{
	struct ipc_namespace *ns = sw_init_ipc_ns();
	struct sw_seen seen = {};

	seen.ns = kvmalloc_array(SW_SCAN_MAX_NS, sizeof(*seen.ns), GFP_KERNEL);
	if (!seen.ns)
		return -ENOMEM;
	seen.ns[seen.n++] = ns;
	sw_scan_ns(ns);
	while (seen.n < SW_SCAN_MAX_NS && (ns = sw_next_ns(&seen))) {
		seen.ns[seen.n++] = ns;
		sw_scan_ns(ns);
		sw_put_ipc_ns(ns);
	}
	if (seen.n == SW_SCAN_MAX_NS)
		pr_warn("more than %d IPC namespaces; older sets of the rest are not listed\n",
			SW_SCAN_MAX_NS);
	kvfree(seen.ns);
	return 0;
}

static void sw_ns_row_fill(struct sw_ns_row *row, struct ipc_namespace *ns)
{
	row->ns = ns;
	row->inum = ns->ns.inum;
	row->semmsl = READ_ONCE(ns->sem_ctls[0]);
	row->semmns = READ_ONCE(ns->sem_ctls[1]);
	row->semopm = READ_ONCE(ns->sem_ctls[2]);
	row->semmni = READ_ONCE(ns->sem_ctls[3]);
	row->sets = READ_ONCE(ns->ids[SW_IPC_SEM_IDS].in_use);
	row->sems = READ_ONCE(ns->used_sems);
}

/* Caller holds task_lock() of @p. Returns -ENOSPC when @rows is full. */
static int sw_ns_add(struct sw_ns_row *rows, int *n, int max, struct task_struct *p)
{
	struct ipc_namespace *ns = p->nsproxy->ipc_ns;
	int i;

	lockdep_assert_held(&p->alloc_lock);

	for (i = *n - 1; i >= 0; i--)
		if (rows[i].ns == ns)
			return 0;
	if (*n == max)
		return -ENOSPC;
	sw_ns_row_fill(&rows[(*n)++], ns);
	return 0;
}

/*
 * Fills @rows with current's namespace or, if @all, every namespace some thread is in.
 * Returns the count, or -ENOSPC if @max rows are not enough.
 */
int sw_ns_collect(struct sw_ns_row *rows, int max, bool all)
{
	struct task_struct *g, *p;
	int n = 0, err = 0;

	if (max < 1)
		return -ENOSPC;
	if (!all) {
		sw_ns_row_fill(rows, current->nsproxy->ipc_ns);
		return 1;
	}
	sw_ns_row_fill(&rows[n++], sw_init_ipc_ns());
	rcu_read_lock();
	for_each_process_thread(g, p) {
		task_lock(p);
		if (p->nsproxy)
			err = sw_ns_add(rows, &n, max, p);
		task_unlock(p);
		if (err)
			goto out;
	}
out:
	rcu_read_unlock();
	return err ? err : n;
}
