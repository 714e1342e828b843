// SPDX-License-Identifier: GPL-2.0
/*
 * The table of tracked sets, keyed by (namespace, semid), and the pool its records come
 * from. Hooks may not allocate (see semwatch.h), so inserts take a record from a pool
 * that the deferred work keeps filled, and removals give it back. A removal whose
 * creator reference would be the last one parks the record on the retired list instead,
 * for the deferred work to drop that reference.
 */
#include <linux/ipc.h>
#include <linux/lockdep.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/random.h>
#include <linux/rcupdate.h>
#include <linux/siphash.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include "semwatch.h"
#include "compat/compat.h"

DEFINE_RAW_SPINLOCK(sw_lock);

static struct hlist_head *sw_table;
static unsigned int sw_table_bits;
static struct kmem_cache *sw_record_cache;
static unsigned int sw_tracked;
/* Of sw_tracked, the sets of IPC namespaces other than the initial one. */
static unsigned int sw_tracked_guests;
static atomic_long_t sw_dropped = ATOMIC_LONG_INIT(0);

/*
 * Free records. Below SW_POOL_LOW the deferred work fills the pool up to SW_POOL_FULL;
 * above SW_POOL_HIGH (removals give records back) it frees the excess. A burst of more
 * than SW_POOL_FULL creations faster than the work can run is counted as dropped.
 */
#define SW_POOL_FULL	1024
#define SW_POOL_LOW	(SW_POOL_FULL * 3 / 4)
#define SW_POOL_HIGH	(SW_POOL_FULL * 2)
static HLIST_HEAD(sw_pool);
static unsigned int sw_pool_size;
static HLIST_HEAD(sw_retired);

/* Buckets visited per hold of sw_lock, so that a reader never stalls the hooks long. */
#define SW_VISIT_BATCH 64
/* Records moved per hold of sw_lock by the deferred work. */
#define SW_MOVE_BATCH 64

/*
 * Keyed, because a container's root may choose set ids (kernel.sem_next_id): with a
 * plain hash it could chain its sets into one bucket, which every hook then walks under
 * the raw lock. hsiphash is the kernel's keyed hash for hash tables whose values are
 * never shown: half the rounds of siphash, which took half of what the hooks cost.
 */
static hsiphash_key_t sw_hash_key;

static struct hlist_head *sw_bucket(const struct ipc_namespace *ns, int id)
{
	u64 p = (uintptr_t)ns;
	u32 h = hsiphash_3u32((u32)p, (u32)(p >> 32), (u32)id, &sw_hash_key);

	return &sw_table[h & ((1U << sw_table_bits) - 1)];
}

/* Caller holds sw_lock. */
static struct sw_record *sw_bucket_find(struct hlist_head *bucket,
					const struct ipc_namespace *ns, int id)
{
	struct sw_record *r;

	lockdep_assert_held(&sw_lock);
	hlist_for_each_entry(r, bucket, node)
		if (r->ns == ns && r->id == id)
			return r;
	return NULL;
}

/* Caller holds sw_lock. */
struct sw_record *sw_record_lookup(const struct ipc_namespace *ns, int id)
{
	return sw_bucket_find(sw_bucket(ns, id), ns, id);
}

/* Caller holds sw_lock. */
static struct sw_record *sw_pool_take(void)
{
	struct sw_record *r;

	lockdep_assert_held(&sw_lock);
	if (hlist_empty(&sw_pool)) {
		sw_defer_kick();
		return NULL;
	}
	r = hlist_entry(sw_pool.first, struct sw_record, node);
	hlist_del(&r->node);
	if (--sw_pool_size < SW_POOL_LOW)
		sw_defer_kick();
	return r;
}

/* Caller holds sw_lock. @r has no creator or cgroup reference left. */
static void sw_pool_give(struct sw_record *r)
{
	lockdep_assert_held(&sw_lock);
	hlist_add_head(&r->node, &sw_pool);
	if (++sw_pool_size > SW_POOL_HIGH)
		sw_defer_kick();
}

/*
 * Caller holds sw_lock. Any user may make IPC namespaces and fill them with sets: they
 * get sw_guest_share() of max_records, so that the host's sets always find room.
 */
static bool sw_room_for(const struct ipc_namespace *ns)
{
	lockdep_assert_held(&sw_lock);
	if (sw_tracked >= sw_max_records)
		return false;
	return ns == sw_init_ipc_ns() || sw_tracked_guests < sw_guest_share(sw_max_records);
}

/* Caller holds sw_lock. Unlinks @r from the table and recycles it. */
static void sw_record_remove(struct sw_record *r)
{
	lockdep_assert_held(&sw_lock);
	hlist_del(&r->node);
	sw_tracked--;
	if (r->ns != sw_init_ipc_ns())
		sw_tracked_guests--;
	sw_death_unwatch(r);
	if (sw_creator_put_unless_last(r)) {
		sw_creator_detach(r);
		sw_pool_give(r);
		return;
	}
	hlist_add_head(&r->node, &sw_retired);
	sw_defer_kick();
}

static void sw_record_fill(struct sw_record *r, const struct sw_setinfo *s)
{
	memset(r, 0, sizeof(*r));
	r->ns = s->ns;
	r->ns_inum = s->ns_inum;
	r->key = s->key;
	r->id = s->id;
	r->nsems = s->nsems;
	r->uid = s->uid;
	r->ctime = clamp_t(time64_t, s->ctime, 0, U32_MAX);
}

/*
 * Records a set that current created (SW_CREATED) or that was found (SW_FOUND). The
 * caller holds rcu_read_lock(), which keeps @perm readable. Legal in a hook.
 */
void sw_track(const struct sw_setinfo *s, const struct kern_ipc_perm *perm,
	      enum sw_origin origin)
{
	/* Hashed once, outside the lock: the key never changes once loaded. */
	struct hlist_head *bucket = sw_bucket(s->ns, s->id);
	struct sw_record *r;

	RCU_LOCKDEP_WARN(!rcu_read_lock_held(), "needs rcu_read_lock()");
	raw_spin_lock(&sw_lock);
	/* Ordered against the removal probe by sw_lock: see semwatch.h. */
	if (READ_ONCE(perm->deleted))
		goto unlock;
	r = sw_bucket_find(bucket, s->ns, s->id);
	if (r) {
		/*
		 * A creation of a tracked id: with hook=kprobe the removal of the set that
		 * had it was missed (a probe hit nested in another is skipped), so the old
		 * record is stale; with hook=tracepoint it may also be a "found" record of
		 * the same set, made when the hook saw it opened. The creation wins.
		 */
		if (origin != SW_CREATED)
			goto unlock;
		sw_record_remove(r);
	}
	r = sw_room_for(s->ns) ? sw_pool_take() : NULL;
	if (!r) {
		atomic_long_inc(&sw_dropped);
		goto unlock;
	}
	sw_record_fill(r, s);
	if (origin == SW_CREATED)
		sw_creator_attach(r);
	hlist_add_head(&r->node, bucket);
	sw_tracked++;
	if (s->ns != sw_init_ipc_ns())
		sw_tracked_guests++;
	sw_event_log(origin == SW_FOUND ? SW_OP_FOUND : SW_OP_CREATE, r);
unlock:
	raw_spin_unlock(&sw_lock);
}

/* Legal in a hook. */
void sw_untrack(const struct ipc_namespace *ns, int id)
{
	struct hlist_head *bucket = sw_bucket(ns, id);
	struct sw_record *r;

	raw_spin_lock(&sw_lock);
	r = sw_bucket_find(bucket, ns, id);
	if (r) {
		sw_event_log(SW_OP_REMOVE, r);
		sw_record_remove(r);
	}
	raw_spin_unlock(&sw_lock);
}

void sw_count_dropped(void)
{
	atomic_long_inc(&sw_dropped);
}

unsigned int sw_tracked_count(void)
{
	return READ_ONCE(sw_tracked);
}

unsigned long sw_dropped_count(void)
{
	return atomic_long_read(&sw_dropped) + sw_kprobe_missed();
}

/* Process context: fills the pool up to SW_POOL_FULL, a batch per hold of the lock. */
void sw_pool_fill(void)
{
	HLIST_HEAD(batch);
	struct sw_record *r;
	struct hlist_node *tmp;
	unsigned int want, n;

	do {
		raw_spin_lock(&sw_lock);
		want = sw_pool_size < SW_POOL_FULL ? SW_POOL_FULL - sw_pool_size : 0;
		raw_spin_unlock(&sw_lock);
		for (n = 0; n < min_t(unsigned int, want, SW_MOVE_BATCH); n++) {
			r = kmem_cache_alloc(sw_record_cache, GFP_KERNEL | __GFP_NOWARN);
			if (!r)
				break;
			hlist_add_head(&r->node, &batch);
		}
		raw_spin_lock(&sw_lock);
		hlist_for_each_entry_safe(r, tmp, &batch, node) {
			hlist_del(&r->node);
			hlist_add_head(&r->node, &sw_pool);
			sw_pool_size++;
		}
		raw_spin_unlock(&sw_lock);
		cond_resched();
	} while (n == SW_MOVE_BATCH);
}

/* Process context: frees what the pool holds beyond SW_POOL_FULL. */
void sw_pool_trim(void)
{
	HLIST_HEAD(batch);
	struct sw_record *r;
	struct hlist_node *tmp;
	unsigned int n;

	do {
		raw_spin_lock(&sw_lock);
		for (n = 0; n < SW_MOVE_BATCH && sw_pool_size > SW_POOL_FULL; n++) {
			r = hlist_entry(sw_pool.first, struct sw_record, node);
			hlist_del(&r->node);
			sw_pool_size--;
			hlist_add_head(&r->node, &batch);
		}
		raw_spin_unlock(&sw_lock);
		hlist_for_each_entry_safe(r, tmp, &batch, node)
			kmem_cache_free(sw_record_cache, r);
		INIT_HLIST_HEAD(&batch);
		cond_resched();
	} while (n == SW_MOVE_BATCH);
}

/* Process context: drops the last creator references of removed records. */
void sw_retired_release(void)
{
	struct sw_record *r;
	struct pid *pid;

	for (;;) {
		raw_spin_lock(&sw_lock);
		r = hlist_empty(&sw_retired) ? NULL :
			hlist_entry(sw_retired.first, struct sw_record, node);
		if (r) {
			hlist_del(&r->node);
			pid = r->creator;
			r->creator = NULL;
			sw_creator_detach(r);
			sw_pool_give(r);
		}
		raw_spin_unlock(&sw_lock);
		if (!r)
			return;
		put_pid(pid);
		cond_resched();
	}
}

/*
 * Calls @fn on every record with sw_lock held, dropping the lock between batches of
 * buckets. A record is seen at most once; one added or removed meanwhile may be missed.
 * Stops early when @fn returns false.
 */
void sw_records_visit(sw_visit_fn fn, void *arg)
{
	unsigned int nbuckets = 1U << sw_table_bits;
	unsigned int b, end;
	struct sw_record *r;

	for (b = 0; b < nbuckets; b = end) {
		end = min(b + SW_VISIT_BATCH, nbuckets);
		raw_spin_lock(&sw_lock);
		for (; b < end; b++) {
			hlist_for_each_entry(r, &sw_table[b], node) {
				if (!fn(r, arg)) {
					raw_spin_unlock(&sw_lock);
					return;
				}
			}
		}
		raw_spin_unlock(&sw_lock);
		cond_resched();
	}
}

int sw_records_init(void)
{
	unsigned long want = roundup_pow_of_two(max(sw_max_records, 4U)) / 4;

	sw_table_bits = clamp_t(unsigned int, ilog2(want), 8, 20);
	get_random_bytes(&sw_hash_key, sizeof(sw_hash_key));
	sw_table = kvcalloc(1U << sw_table_bits, sizeof(*sw_table), GFP_KERNEL);
	if (!sw_table)
		return -ENOMEM;
	sw_record_cache = KMEM_CACHE(sw_record, 0);
	if (!sw_record_cache) {
		kvfree(sw_table);
		return -ENOMEM;
	}
	sw_pool_fill();
	return 0;
}

static void sw_free_list(struct hlist_head *list)
{
	struct hlist_node *tmp;
	struct sw_record *r;

	hlist_for_each_entry_safe(r, tmp, list, node) {
		hlist_del(&r->node);
		put_pid(r->creator);
		r->creator = NULL;
		raw_spin_lock(&sw_lock);
		sw_creator_detach(r);
		raw_spin_unlock(&sw_lock);
		kmem_cache_free(sw_record_cache, r);
	}
}

/* Called after every hook and the deferred work are gone: nothing else runs. */
void sw_records_exit(void)
{
	unsigned int b, nbuckets = 1U << sw_table_bits;

	for (b = 0; b < nbuckets; b++) {
		sw_free_list(&sw_table[b]);
		cond_resched();
	}
	sw_free_list(&sw_retired);
	/* Pooled records hold nothing. */
	while (!hlist_empty(&sw_pool)) {
		struct sw_record *r = hlist_entry(sw_pool.first, struct sw_record, node);

		hlist_del(&r->node);
		kmem_cache_free(sw_record_cache, r);
	}
	sw_tracked = 0;
	sw_tracked_guests = 0;
	sw_pool_size = 0;
	kmem_cache_destroy(sw_record_cache);
	kvfree(sw_table);
}
