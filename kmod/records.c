// SPDX-License-Identifier: GPL-2.0
/*
 * The table of tracked sets, keyed by (namespace, semid). See semwatch.h for locking.
 */
#include <linux/hash.h>
#include <linux/ipc.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include "semwatch.h"

DEFINE_SPINLOCK(sw_lock);

static struct hlist_head *sw_table;
static unsigned int sw_table_bits;
static struct kmem_cache *sw_record_cache;
/* One freed record kept for the next insert: sets are often created and removed in turn. */
static struct sw_record *sw_spare;
static unsigned int sw_tracked;
static atomic_long_t sw_dropped = ATOMIC_LONG_INIT(0);

/* Buckets visited per hold of sw_lock, so that a reader never stalls the hooks long. */
#define SW_VISIT_BATCH 64

static struct hlist_head *sw_bucket(const struct ipc_namespace *ns, int id)
{
	return &sw_table[hash_long((unsigned long)ns ^ (unsigned int)id, sw_table_bits)];
}

static struct sw_record *sw_lookup(const struct ipc_namespace *ns, int id)
{
	struct sw_record *r;

	hlist_for_each_entry(r, sw_bucket(ns, id), node)
		if (r->ns == ns && r->id == id)
			return r;
	return NULL;
}

static void sw_record_fill(struct sw_record *r, const struct sw_setinfo *s)
{
	r->ns = s->ns;
	r->ns_inum = s->ns_inum;
	r->key = s->key;
	r->id = s->id;
	r->nsems = s->nsems;
	r->uid = s->uid;
	r->ctime = s->ctime;
}

static struct sw_record *sw_record_alloc(void)
{
	struct sw_record *r = xchg(&sw_spare, NULL);

	if (!r)
		return kmem_cache_zalloc(sw_record_cache, GFP_NOWAIT | __GFP_NOWARN);
	memset(r, 0, sizeof(*r));
	return r;
}

static void sw_record_free(struct sw_record *r)
{
	if (r && cmpxchg(&sw_spare, NULL, r))
		kmem_cache_free(sw_record_cache, r);
}

/* Called with sw_lock held. Returns whether @r was (re)attributed. */
static bool sw_record_update(struct sw_record *r, const struct sw_setinfo *s,
			     struct sw_creator *c, enum sw_origin origin)
{
	/*
	 * newary() returning an id that is already tracked means the removal of the set
	 * that had it was missed (a probe hit nested in another is skipped): the old record
	 * is stale, so the new one wins. A semget() without IPC_EXCL may only have opened
	 * the set.
	 */
	if (origin != SW_CREATED)
		return false;
	sw_creator_detach(r);
	sw_record_fill(r, s);
	sw_creator_attach(r, c);
	return true;
}

void sw_track(const struct sw_setinfo *s, struct kern_ipc_perm *perm, enum sw_origin origin)
{
	struct sw_creator c = {};
	struct sw_record *r, *fresh;

	if (origin != SW_FOUND)
		sw_creator_capture(&c);
	fresh = sw_record_alloc();

	/* The set's lock orders this against freeary(): see semwatch.h. */
	spin_lock(&perm->lock);
	spin_lock(&sw_lock);
	if (perm->deleted)
		goto unlock;
	r = sw_lookup(s->ns, s->id);
	if (r) {
		if (sw_record_update(r, s, &c, origin))
			sw_event_log(SW_OP_CREATE, r);
		goto unlock;
	}
	if (!fresh || sw_tracked >= READ_ONCE(sw_max_records)) {
		atomic_long_inc(&sw_dropped);
		goto unlock;
	}
	r = fresh;
	fresh = NULL;
	sw_record_fill(r, s);
	if (origin != SW_FOUND)
		sw_creator_attach(r, &c);
	hlist_add_head(&r->node, sw_bucket(s->ns, s->id));
	sw_tracked++;
	sw_event_log(origin == SW_FOUND ? SW_OP_FOUND : SW_OP_CREATE, r);
unlock:
	spin_unlock(&sw_lock);
	spin_unlock(&perm->lock);
	sw_record_free(fresh);
	sw_creator_drop(&c);
}

void sw_untrack(const struct ipc_namespace *ns, int id)
{
	struct sw_record *r;

	spin_lock(&sw_lock);
	r = sw_lookup(ns, id);
	if (r) {
		sw_event_log(SW_OP_REMOVE, r);
		hlist_del(&r->node);
		sw_tracked--;
		sw_creator_detach(r);
	}
	spin_unlock(&sw_lock);
	sw_record_free(r);
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
		spin_lock(&sw_lock);
		for (; b < end; b++) {
			hlist_for_each_entry(r, &sw_table[b], node) {
				if (!fn(r, arg)) {
					spin_unlock(&sw_lock);
					return;
				}
			}
		}
		spin_unlock(&sw_lock);
		cond_resched();
	}
}

int sw_records_init(void)
{
	unsigned long want = roundup_pow_of_two(max(sw_max_records, 4U)) / 4;

	sw_table_bits = clamp_t(unsigned int, ilog2(want), 8, 20);
	sw_table = kvcalloc(1U << sw_table_bits, sizeof(*sw_table), GFP_KERNEL);
	if (!sw_table)
		return -ENOMEM;
	sw_record_cache = KMEM_CACHE(sw_record, 0);
	if (!sw_record_cache) {
		kvfree(sw_table);
		return -ENOMEM;
	}
	return 0;
}

/* Called after every hook is gone, so only readers could race, and none remain. */
void sw_records_exit(void)
{
	unsigned int b, nbuckets = 1U << sw_table_bits;
	struct hlist_node *tmp;
	struct sw_record *r;

	for (b = 0; b < nbuckets; b++) {
		spin_lock(&sw_lock);
		hlist_for_each_entry_safe(r, tmp, &sw_table[b], node) {
			hlist_del(&r->node);
			sw_creator_detach(r);
			kmem_cache_free(sw_record_cache, r);
		}
		spin_unlock(&sw_lock);
	}
	sw_tracked = 0;
	if (sw_spare)
		kmem_cache_free(sw_record_cache, sw_spare);
	kmem_cache_destroy(sw_record_cache);
	kvfree(sw_table);
}
