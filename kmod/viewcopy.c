// SPDX-License-Identifier: GPL-2.0
/*
 * Filling a view: one visit of the records sums each one the reader may see into its
 * prefix and copies only those the file prints, so a million tracked sets of other
 * prefixes cost /proc/semwatch a pass over them, not a copy and a sort.
 */
#include <linux/hash.h>
#include <linux/once.h>
#include <linux/siphash.h>
#include <linux/lockdep.h>
#include <linux/log2.h>
#include <linux/minmax.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include "semwatch.h"
#include "view.h"

/*
 * A copy is sized for the rows the file prints, plus room for creations while it is
 * taken. If more arrive, it is sized again for what was seen; after SW_COPY_TRIES the
 * file says how many it left out. /proc/semwatch prints the watched prefix's rows
 * only: every other record is just summed into its prefix, never copied or sorted.
 */
#define SW_COPY_TRIES 4
#define SW_ROWS_SLACK 32
/*
 * The prefix table is kept at most half full, and keyed: keys are chosen by whoever
 * makes a set, and a probe chain is walked under sw_lock.
 */
#define SW_PREFIX_SLOTS_MIN 64
static hsiphash_key_t sw_sums_key;

/*
 * What the last host-wide /proc/semwatch open needed: the next one starts from there,
 * so that one pass over the records usually does. Only a first guess: any value is
 * safe. A reader in one namespace starts from that namespace's count instead.
 */
static unsigned int sw_view_rows_hint, sw_view_prefixes_hint;

/* The per-prefix sums, an open-addressed table filled while the records are visited. */
struct sw_sums {
	struct sw_prefix_row *slot;	/* a slot with sets == 0 is free */
	u32 mask;			/* slots - 1 */
	unsigned int used;
	unsigned int unsummed;		/* records whose prefix found no room */
	struct sw_prefix_row *last;	/* the last record's: runs of one prefix are common */
};

struct sw_copy {
	struct sw_view *v;
	const struct sw_reader *rd;
	struct sw_sums sums;
	bool all_rows;			/* a row per record, not only the watched ones */
	unsigned int seen;		/* records the reader may see */
	unsigned int wanted;		/* of those, rows the file prints, copied or not */
};

static void sw_prefix_add(struct sw_prefix_row *p, const struct sw_record *r,
			  enum sw_state state)
{
	p->sets++;
	p->sems += r->nsems;
	if (!r->nsems)
		p->sems_partial = true;
	if (r->ctime && (!p->oldest || r->ctime < p->oldest))
		p->oldest = r->ctime;
	if (state == SW_ALIVE)
		p->alive++;
	else if (state == SW_DEAD)
		p->dead++;
	else
		p->unknown++;
}

/* The prefix's slot, taken if it is new; NULL when the table would be over half full. */
static struct sw_prefix_row *sw_sums_slot(struct sw_sums *sums, u32 prefix)
{
	u32 i;

	if (sums->last && sums->last->prefix == prefix)
		return sums->last;
	for (i = hsiphash_1u32(prefix, &sw_sums_key) & sums->mask; sums->slot[i].sets;
	     i = (i + 1) & sums->mask)
		if (sums->slot[i].prefix == prefix)
			return sums->last = &sums->slot[i];
	if (2 * (sums->used + 1) > sums->mask + 1)
		return NULL;
	sums->used++;
	sums->slot[i].prefix = prefix;
	return sums->last = &sums->slot[i];
}

static void sw_row_from_record(struct sw_row *row, const struct sw_record *r,
			       const struct sw_reader *rd, enum sw_state state)
{
	row->ctime = r->ctime;
	row->key = r->key;
	row->id = r->id;
	row->nsems = r->nsems;
	row->ns_inum = r->ns_inum;
	row->uid = r->uid;
	row->state = state;
	row->pid = sw_reader_pid(rd, r->creator);
	/* A creator outside the reader's PID namespace is not named either. */
	if (row->pid == SW_PID_HIDDEN)
		row->comm[0] = '\0';
	else
		memcpy(row->comm, r->comm, sizeof(row->comm));
	row->cgid = sw_record_cgid(r);
	row->exit = r->exit;
	row->died = r->died;
}

/* Runs under sw_lock (sw_records_visit). */
static bool sw_copy_record(struct sw_record *r, void *arg)
{
	struct sw_copy *c = arg;
	struct sw_view *v = c->v;
	u32 prefix = sw_prefix_of(r->key, v->prefix_bits);
	struct sw_prefix_row *p;
	enum sw_state state;

	lockdep_assert_held(&sw_lock);
	if (c->rd->only && (r->ns != c->rd->only || r->ns_inum != c->rd->only_inum))
		return true;
	c->seen++;
	state = sw_creator_state(r);
	p = sw_sums_slot(&c->sums, prefix);
	if (p)
		sw_prefix_add(p, r, state);
	else
		c->sums.unsummed++;
	if (!c->all_rows && prefix != v->watch_prefix)
		return true;
	if (c->wanted++ < v->cap_rows)
		sw_row_from_record(&v->rows[v->n_rows++], r, c->rd, state);
	return true;
}

/* The rows' order; rowsort.c sorts by the same key. */
static int sw_row_cmp(const void *a, const void *b, const void *priv)
{
	const struct sw_row *x = a, *y = b;
	unsigned int bits = *(const unsigned int *)priv;
	u32 px = sw_prefix_of(x->key, bits), py = sw_prefix_of(y->key, bits);

	if (px != py)
		return px < py ? -1 : 1;
	if (x->ctime != y->ctime)
		return x->ctime < y->ctime ? -1 : 1;
	if (x->ns_inum != y->ns_inum)
		return x->ns_inum < y->ns_inum ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static int sw_prefix_cmp(const void *a, const void *b)
{
	u32 x = ((const struct sw_prefix_row *)a)->prefix;
	u32 y = ((const struct sw_prefix_row *)b)->prefix;

	return x < y ? -1 : x > y;
}

/* By a radix sort of keys (rowsort.c); without memory for them, by sort_r() in place. */
static void sw_view_sort(struct sw_view *v)
{
	if (sw_rows_sort(v->rows, v->n_rows, v->prefix_bits))
		sort_r(v->rows, v->n_rows, sizeof(*v->rows), sw_row_cmp, NULL,
		       &v->prefix_bits);
}

/*
 * The table's used slots, moved to its front and sorted, become the prefix rows: in
 * an array of their size, which the open keeps, unless there is no memory for one.
 */
static void sw_view_take_sums(struct sw_view *v, struct sw_sums *sums)
{
	struct sw_prefix_row *rows;
	u32 i, n = 0;

	for (i = 0; i <= sums->mask; i++)
		if (sums->slot[i].sets)
			sums->slot[n++] = sums->slot[i];
	sort(sums->slot, n, sizeof(*sums->slot), sw_prefix_cmp, NULL);
	rows = sw_view_alloc(max(n, 1U), sizeof(*rows));
	if (rows) {
		memcpy(rows, sums->slot, n * sizeof(*rows));
		kvfree(sums->slot);
	}
	v->prefixes = rows ?: sums->slot;
	v->n_prefixes = n;
	sums->slot = NULL;
}

/* Rows are sorted by prefix: the watched ones are one run. */
static void sw_view_find_watched(struct sw_view *v)
{
	unsigned int i;

	for (i = 0; i < v->n_rows; i++) {
		if (sw_prefix_of(v->rows[i].key, v->prefix_bits) != v->watch_prefix)
			continue;
		if (!v->n_watched)
			v->watched_first = i;
		v->n_watched++;
	}
}

/* A reader in one namespace needs rows for that namespace's sets only. */
static unsigned int sw_view_expected(const struct sw_view *v, const struct sw_reader *rd)
{
	if (!rd->only)
		return sw_tracked_count();
	return v->n_ns ? max(v->ns[0].sets, 0) : 0;
}

static unsigned int sw_with_slack(unsigned int n)
{
	return min_t(u64, (u64)n + max(SW_ROWS_SLACK, n / 8), INT_MAX);
}

/*
 * An empty table with room for @n prefixes and a quarter more, at most half full;
 * never more than the prefix width allows. The table in hand is reused if it is big
 * enough, and kept if a bigger one cannot be had: its next visit says what it lacks.
 */
static int sw_sums_alloc(struct sw_sums *sums, unsigned int n, unsigned int bits)
{
	u64 most = bits >= 32 ? U32_MAX : 1ULL << bits;
	u64 want = min_t(u64, n + n / 4 + 1, most) * 2;
	u32 slots = roundup_pow_of_two(clamp_t(u64, want, SW_PREFIX_SLOTS_MIN, SZ_1G));
	struct sw_prefix_row *slot = NULL;

	if (!sums->slot || slots > sums->mask + 1)
		slot = sw_view_alloc(slots, sizeof(*slot));
	if (slot) {
		kvfree(sums->slot);
		sums->slot = slot;
		sums->mask = slots - 1;
	} else if (!sums->slot) {
		return -ENOMEM;
	}
	memset(sums->slot, 0, (sums->mask + 1) * sizeof(*sums->slot));
	sums->used = 0;
	sums->unsummed = 0;
	sums->last = NULL;
	return 0;
}

/*
 * Rows for @want: a bigger copy replaces a short one only once it is allocated; if
 * that fails, the short copy is kept, and the file says what it lacks.
 */
static int sw_view_rows_alloc(struct sw_view *v, unsigned int want)
{
	unsigned int cap = sw_with_slack(want);
	struct sw_row *rows;

	if (v->rows && cap <= v->cap_rows)
		return 0;
	rows = sw_view_alloc(cap, sizeof(*rows));
	if (!rows)
		return v->rows ? 0 : -ENOMEM;
	kvfree(v->rows);
	v->rows = rows;
	v->cap_rows = cap;
	return 0;
}

/*
 * One visit sums every record the reader may see into its prefix and copies the rows
 * the file prints. The hints make the first visit usually the only one. A visit whose
 * table filled up counted the records left out: the next is sized for as many
 * prefixes as the last one met, used or left out. After SW_COPY_TRIES, rows and
 * sums missing are counted in `truncated`.
 */
int sw_view_copy_records(struct sw_view *v, const struct sw_reader *rd, bool all_rows)
{
	struct sw_copy c = { .v = v, .rd = rd, .all_rows = all_rows };
	unsigned int expected = sw_view_expected(v, rd), try;
	bool guess = !all_rows && !rd->only;
	unsigned int rows_want = guess ? READ_ONCE(sw_view_rows_hint) : expected;
	unsigned int sums_want = rd->only ? expected : READ_ONCE(sw_view_prefixes_hint);
	int err;

	get_random_once(&sw_sums_key, sizeof(sw_sums_key));
	for (try = 0; try < SW_COPY_TRIES; try++) {
		err = sw_view_rows_alloc(v, rows_want);
		if (!err)
			err = sw_sums_alloc(&c.sums, sums_want, v->prefix_bits);
		if (err)
			return err;	/* nothing in hand: the caller frees v->rows */
		v->n_rows = 0;
		v->tracked = rd->only ? 0 : sw_tracked_count();
		c.seen = 0;
		c.wanted = 0;
		sw_records_visit(sw_copy_record, &c);
		if (c.sums.unsummed)
			sums_want = c.sums.used + c.sums.unsummed;
		/* rows_want >= wanted with too few rows: a bigger copy could not be had */
		else if (c.wanted <= v->cap_rows || rows_want >= c.wanted)
			break;
		rows_want = max(rows_want, c.wanted);
	}
	v->truncated = c.wanted - v->n_rows + c.sums.unsummed;
	if (rd->only) {
		v->tracked = c.seen;
	} else {
		if (!all_rows)
			WRITE_ONCE(sw_view_rows_hint, c.wanted);
		WRITE_ONCE(sw_view_prefixes_hint, c.sums.used + c.sums.unsummed);
	}
	sw_view_take_sums(v, &c.sums);
	sw_view_sort(v);
	sw_view_find_watched(v);
	return 0;
}
