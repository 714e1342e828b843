// SPDX-License-Identifier: GPL-2.0
/*
 * Who created a set: a struct pid reference (exact liveness across PID reuse), the comm,
 * and the cgroup v2 id and path. Paths are interned per cgroup, because a container that
 * leaks cookies leaks many from the same cgroup, and kept while a record refers to them,
 * so a leak stays attributed after its container's cgroup is gone.
 *
 * A hook may not compute a path (cgroup_path() takes kernfs locks that sleep on
 * PREEMPT_RT), so a hook only looks the id up. On a miss it pins the cgroup and queues
 * it; the deferred work reads the path and attaches it to the record. Directories of
 * the cgroup v2 hierarchy cannot be renamed, so a kept path stays right; readers cut it
 * to their own cgroup namespace (reader.c). Cgroup ids are never reused.
 */
#include <linux/cgroup.h>
#include <linux/hashtable.h>
#include <linux/lockdep.h>
#include <linux/mutex.h>
#include <linux/overflow.h>
#include <linux/pid.h>
#include <linux/rcupdate.h>
#include <linux/refcount.h>
#include <linux/sched/signal.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/string.h>
#include "semwatch.h"
#include "compat/compat.h"

/*
 * Entries no record refers to that are kept, least recently released first out. Without
 * them, creating and removing sets one at a time (dm cookies) would queue a path lookup
 * for every set.
 */
#define SW_CGROUP_IDLE_MAX 16
/* Cgroups waiting for the deferred work (a stack); a record beyond them keeps its id only. */
#define SW_PENDING_MAX 64
/*
 * Memory the kept paths may take: 64 bytes per record of max_records (16 MiB by
 * default), at least 1 MiB. A user may make cgroups with long paths, a set in each, and
 * remove the cgroups: each set would pin its own path of up to 1 KiB (2 in the slab),
 * charged to no one. Beyond the budget a record keeps its cgroup's id only. As with
 * records, a quarter is kept for paths first asked for by sets of the initial IPC
 * namespace.
 */
#define SW_PATH_BYTES_PER_RECORD 64
#define SW_PATH_BYTES_MIN SZ_1M

/* Under sw_lock. */
struct sw_cgroup {
	struct hlist_node node;
	struct list_head idle;	/* on sw_cgroups_idle while refs is 0 */
	u64 id;
	unsigned int refs;
	unsigned int bytes;	/* as allocated, counted in sw_cgroup_bytes */
	bool guest;		/* counted in sw_cgroup_guest_bytes too */
	char path[];
};

/* A record whose cgroup has no entry yet, and a reference on that cgroup. */
struct sw_pending {
	const struct ipc_namespace *ns;
	int id;
	struct cgroup *cgrp;
};

static DEFINE_HASHTABLE(sw_cgroups, 8);
static LIST_HEAD(sw_cgroups_idle);
static unsigned int sw_cgroups_nidle;
static unsigned long sw_cgroup_bytes, sw_cgroup_guest_bytes;
static struct sw_pending sw_pending[SW_PENDING_MAX];
static unsigned int sw_npending;
/*
 * Serialises the emptying of sw_pending. A reader that finds the stack empty must also
 * find hashed the path of what the deferred work popped a moment before.
 */
static DEFINE_MUTEX(sw_resolve_lock);

/* Caller holds sw_lock. */
static struct sw_cgroup *sw_cgroup_lookup(u64 id)
{
	struct sw_cgroup *cg;

	lockdep_assert_held(&sw_lock);
	hash_for_each_possible(sw_cgroups, cg, node, id)
		if (cg->id == id)
			return cg;
	return NULL;
}

/* Caller holds sw_lock. */
struct sw_cgroup *sw_cgroup_get(struct sw_cgroup *cg)
{
	lockdep_assert_held(&sw_lock);
	if (cg && !cg->refs++) {
		list_del(&cg->idle);
		sw_cgroups_nidle--;
	}
	return cg;
}

/* Caller holds sw_lock. Never frees: the deferred work trims the idle entries. */
static void sw_cgroup_put_locked(struct sw_cgroup *cg)
{
	lockdep_assert_held(&sw_lock);
	if (!cg || --cg->refs)
		return;
	list_add_tail(&cg->idle, &sw_cgroups_idle);
	if (++sw_cgroups_nidle > SW_CGROUP_IDLE_MAX)
		sw_defer_kick();
}

void sw_cgroup_put(struct sw_cgroup *cg)
{
	if (!cg)
		return;
	raw_spin_lock(&sw_lock);
	sw_cgroup_put_locked(cg);
	raw_spin_unlock(&sw_lock);
}

/* Process context: the entry of cgroup @id, with a reference, or NULL. */
struct sw_cgroup *sw_cgroup_find_get(u64 id)
{
	struct sw_cgroup *cg;

	raw_spin_lock(&sw_lock);
	cg = sw_cgroup_get(sw_cgroup_lookup(id));
	raw_spin_unlock(&sw_lock);
	return cg;
}

/*
 * No lock: an entry's id never changes. The caller holds a reference, or sw_lock and a
 * record that holds one.
 */
u64 sw_cgroup_id(const struct sw_cgroup *cg)
{
	return cg->id;
}

/*
 * A record's path entry, or NULL (see struct sw_record's cg). Entries are kmalloc()ed,
 * so their address has bit 0 clear; a cgroup id is below 2^63 (kernfs: a 32-bit
 * generation over a 32-bit inode number), so (id << 1 | 1) loses nothing.
 */
static struct sw_cgroup *sw_record_cg(const struct sw_record *r)
{
	return r->cg & 1 ? NULL : (struct sw_cgroup *)(uintptr_t)r->cg;
}

static void sw_record_cg_set(struct sw_record *r, struct sw_cgroup *cg, u64 id)
{
	BUILD_BUG_ON(__alignof__(struct sw_cgroup) < 2);
	if (cg)
		r->cg = (uintptr_t)cg;
	else
		r->cg = id && !(id >> 63) ? id << 1 | 1 : 0;
}

/* No lock: a path never changes once its entry exists, and the caller holds a reference. */
const char *sw_cgroup_path(const struct sw_cgroup *cg)
{
	return cg ? cg->path : NULL;
}

/* Caller holds sw_lock and rcu_read_lock(), which keeps @cgrp valid: see attach. */
static void sw_cgroup_request(struct sw_record *r, struct cgroup *cgrp)
{
	lockdep_assert_held(&sw_lock);
	RCU_LOCKDEP_WARN(!rcu_read_lock_held(), "needs rcu_read_lock()");
	if (sw_npending == SW_PENDING_MAX || !cgroup_tryget(cgrp))
		return;
	sw_pending[sw_npending++] = (struct sw_pending){ r->ns, r->id, cgrp };
	sw_defer_kick();
}

/* Caller holds sw_lock and rcu_read_lock(), in the creator's context: a hook. */
void sw_creator_attach(struct sw_record *r)
{
	struct sw_cgroup *cg;
	struct cgroup *cgrp;
	u64 id;

	lockdep_assert_held(&sw_lock);
	RCU_LOCKDEP_WARN(!rcu_read_lock_held(), "needs rcu_read_lock()");
	r->creator = get_pid(task_tgid(current));
	sw_death_watch(r);
	/* Not get_task_comm(): its task_lock() is a sleeping lock on PREEMPT_RT. */
	memcpy(r->comm, current->comm, sizeof(r->comm));
	r->comm[sizeof(r->comm) - 1] = '\0';
	cgrp = task_dfl_cgroup(current);
	id = cgroup_id(cgrp);
	cg = sw_cgroup_get(sw_cgroup_lookup(id));
	sw_record_cg_set(r, cg, id);
	if (!cg)
		sw_cgroup_request(r, cgrp);
}

/* Caller holds sw_lock. The creator reference must be gone already. */
void sw_creator_detach(struct sw_record *r)
{
	lockdep_assert_held(&sw_lock);
	WARN_ON_ONCE(r->creator);
	sw_cgroup_put_locked(sw_record_cg(r));
	r->cg = 0;
	r->comm[0] = '\0';
}

/*
 * Caller holds sw_lock. Drops the creator reference unless it is the last one, whose
 * put_pid() would free: returns false then, and the reference stays for process context.
 */
bool sw_creator_put_unless_last(struct sw_record *r)
{
	lockdep_assert_held(&sw_lock);
	if (r->creator && !refcount_dec_not_one(&r->creator->count))
		return false;
	r->creator = NULL;
	return true;
}

/* Dead means every thread of the creating process has exited. */
enum sw_state sw_creator_state(const struct sw_record *r)
{
	struct task_struct *t;
	bool alive;

	if (!r->creator)
		return SW_UNKNOWN;
	rcu_read_lock();
	t = pid_task(r->creator, PIDTYPE_TGID);
	alive = t && atomic_read(&t->signal->live) > 0;
	rcu_read_unlock();
	return alive ? SW_ALIVE : SW_DEAD;
}

/* Caller holds sw_lock. Whether @size more bytes fit in what the kept paths may take. */
static bool sw_cgroup_fits(size_t size, bool guest)
{
	unsigned long budget = max_t(unsigned long,
				     (unsigned long)sw_max_records * SW_PATH_BYTES_PER_RECORD,
				     SW_PATH_BYTES_MIN);

	lockdep_assert_held(&sw_lock);
	if (sw_cgroup_bytes + size > budget)
		return false;
	return !guest || sw_cgroup_guest_bytes + size <= sw_guest_share(budget);
}

/* Caller holds sw_lock. Counts @cg in the bytes kept, or out of them. */
static void sw_cgroup_count(const struct sw_cgroup *cg, bool in)
{
	unsigned long *guest = cg->guest ? &sw_cgroup_guest_bytes : NULL;

	lockdep_assert_held(&sw_lock);
	if (in) {
		sw_cgroup_bytes += cg->bytes;
		if (guest)
			*guest += cg->bytes;
	} else {
		sw_cgroup_bytes -= cg->bytes;
		if (guest)
			*guest -= cg->bytes;
	}
}

/*
 * Process context: a new entry for @cgrp's path, if the budget has room for it. A dead
 * cgroup that is still referenced keeps its old path.
 */
static struct sw_cgroup *sw_cgroup_alloc(struct cgroup *cgrp, char *buf, bool guest)
{
	struct sw_cgroup *cg;
	int len = cgroup_path(cgrp, buf, SW_PATH_MAX);
	size_t size;
	bool fits;

	/* A path that fills the buffer may have been cut: better none than a wrong one. */
	if (len < 0 || len >= SW_PATH_MAX - 1)
		return NULL;
	size = kmalloc_size_roundup(struct_size(cg, path, len + 1));
	raw_spin_lock(&sw_lock);
	fits = sw_cgroup_fits(size, guest);
	raw_spin_unlock(&sw_lock);
	cg = fits ? kmalloc(size, GFP_KERNEL) : NULL;
	if (cg) {
		memcpy(cg->path, buf, len + 1);
		cg->id = cgroup_id(cgrp);
		cg->refs = 0;
		cg->bytes = size;
		cg->guest = guest;
	}
	return cg;
}

/*
 * Caller holds sw_resolve_lock: the path of one pending record's cgroup, hashed (where
 * readers look it up by id) and attached to the record, before the lock is dropped.
 */
static void sw_cgroup_resolve(const struct sw_pending *p, char *buf)
{
	bool guest = p->ns != sw_init_ipc_ns();
	struct sw_cgroup *fresh, *cg;
	u64 id = cgroup_id(p->cgrp);
	struct sw_record *r;

	lockdep_assert_held(&sw_resolve_lock);
	/* Only resolvers add to the bytes kept, and this lock makes them one at a time. */
	fresh = sw_cgroup_alloc(p->cgrp, buf, guest);
	raw_spin_lock(&sw_lock);
	cg = sw_cgroup_lookup(id);
	if (!cg && fresh) {
		sw_cgroup_count(fresh, true);
		hash_add(sw_cgroups, &fresh->node, id);
		list_add_tail(&fresh->idle, &sw_cgroups_idle);
		sw_cgroups_nidle++;
		cg = fresh;
		fresh = NULL;
	}
	r = sw_record_lookup(p->ns, p->id);
	if (cg && r && !sw_record_cg(r) && sw_record_cgid(r) == id)
		sw_record_cg_set(r, sw_cgroup_get(cg), id);
	raw_spin_unlock(&sw_lock);
	kfree(fresh);
}

/* Caller holds sw_resolve_lock. Empties the pending stack, hashing each path. */
static void sw_cgroups_resolve_locked(char *buf)
{
	struct sw_pending p;

	lockdep_assert_held(&sw_resolve_lock);
	for (;;) {
		raw_spin_lock(&sw_lock);
		p.cgrp = NULL;
		if (sw_npending)
			p = sw_pending[--sw_npending];
		raw_spin_unlock(&sw_lock);
		if (!p.cgrp)
			return;
		sw_cgroup_resolve(&p, buf);
		cgroup_put(p.cgrp);
		cond_resched();
	}
}

/*
 * Process context (the deferred work, and readers): empties the pending stack. Returns
 * 0 once every cgroup that was pending on entry has its path hashed, or never will;
 * -EINTR if @killable and a fatal signal came while waiting for another resolver;
 * -ENOMEM with nothing popped, so that the next call still finds every entry.
 */
int sw_cgroups_resolve(bool killable)
{
	unsigned int pending;
	char *buf;

	/*
	 * The work has nothing to do on an empty stack (a hook that pushes kicks it
	 * again). A reader must wait all the same: a resolver may hold what it popped.
	 */
	raw_spin_lock(&sw_lock);
	pending = sw_npending;
	raw_spin_unlock(&sw_lock);
	if (!pending && !killable)
		return 0;
	buf = kmalloc(SW_PATH_MAX, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	if (!killable) {
		mutex_lock(&sw_resolve_lock);
	} else if (mutex_lock_killable(&sw_resolve_lock)) {
		kfree(buf);
		return -EINTR;
	}
	sw_cgroups_resolve_locked(buf);
	mutex_unlock(&sw_resolve_lock);
	kfree(buf);
	return 0;
}

/* Process context: frees the idle entries beyond SW_CGROUP_IDLE_MAX, oldest first. */
void sw_cgroups_trim(void)
{
	struct sw_cgroup *cg;

	for (;;) {
		raw_spin_lock(&sw_lock);
		cg = NULL;
		if (sw_cgroups_nidle > SW_CGROUP_IDLE_MAX) {
			cg = list_first_entry(&sw_cgroups_idle, struct sw_cgroup, idle);
			list_del(&cg->idle);
			hash_del(&cg->node);
			sw_cgroups_nidle--;
			sw_cgroup_count(cg, false);
		}
		raw_spin_unlock(&sw_lock);
		if (!cg)
			return;
		kfree(cg);
	}
}

/*
 * Every record, reader and the deferred work are gone: every entry is idle, and what
 * still pends (the work was cancelled before it ran) is dropped.
 */
void sw_creator_exit(void)
{
	struct sw_cgroup *cg, *tmp;

	while (sw_npending)
		cgroup_put(sw_pending[--sw_npending].cgrp);
	list_for_each_entry_safe(cg, tmp, &sw_cgroups_idle, idle) {
		hash_del(&cg->node);
		kfree(cg);
	}
	sw_cgroups_nidle = 0;
	sw_cgroup_bytes = 0;
	sw_cgroup_guest_bytes = 0;
	WARN_ON_ONCE(!hash_empty(sw_cgroups));
}
