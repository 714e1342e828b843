// SPDX-License-Identifier: GPL-2.0
/*
 * A view is what one open() of /proc/semwatch or debugfs `sets` shows: a copy of the
 * records the reader may see, in the reader's terms (reader.c), sorted and summed per
 * prefix, plus the namespaces' limits. Copying at open keeps the output self-consistent
 * and sw_lock held only briefly; the copy is charged to the reader (SW_VIEW_GFP).
 */
#include <linux/cred.h>
#include <linux/ipc_namespace.h>
#include <linux/lockdep.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/nsproxy.h>
#include <linux/seq_file.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/timekeeping.h>
#include <linux/vmalloc.h>
#include "semwatch.h"
#include "view.h"
#include "compat/compat.h"

/*
 * A copy is sized for the records the reader may see, plus room for creations while it
 * is taken. If more arrive, it is sized again for what was seen; after SW_COPY_TRIES
 * the file says how many it left out.
 */
#define SW_COPY_TRIES 4
#define SW_ROWS_SLACK 256
#define SW_NS_ROWS_MAX SZ_1M

struct sw_copy {
	struct sw_view *v;
	const struct sw_reader *rd;
	unsigned int seen;		/* records the reader may see, copied or not */
};

/* Runs under sw_lock (sw_records_visit). */
static bool sw_copy_record(struct sw_record *r, void *arg)
{
	struct sw_copy *c = arg;
	struct sw_view *v = c->v;
	struct sw_row *row;

	lockdep_assert_held(&sw_lock);
	if (c->rd->only && (r->ns != c->rd->only || r->ns_inum != c->rd->only_inum))
		return true;
	if (c->seen++ >= v->cap_rows)
		return true;
	row = &v->rows[v->n_rows++];
	row->ctime = r->ctime;
	row->key = r->key;
	row->id = r->id;
	row->nsems = r->nsems;
	row->ns_inum = r->ns_inum;
	row->uid = r->uid;
	row->state = sw_creator_state(r);
	row->pid = sw_reader_pid(c->rd, r->creator);
	/* A creator outside the reader's PID namespace is not named either. */
	if (row->pid == SW_PID_HIDDEN)
		row->comm[0] = '\0';
	else
		memcpy(row->comm, r->comm, sizeof(row->comm));
	row->cgid = r->cgid;
	row->exit = r->exit;
	row->died = r->died;
	return true;
}

/*
 * An array for a view. kmalloc() is tried without retrying hard, as kvmalloc() would,
 * then vmalloc() with __GFP_RETRY_MAYFAIL: over the reader's memory cgroup limit, both
 * fail instead of invoking its OOM killer.
 */
void *sw_view_alloc(size_t n, size_t size)
{
	size_t bytes = array_size(n, size);
	void *p;

	if (bytes == SIZE_MAX || bytes > INT_MAX)
		return NULL;
	if (bytes <= PAGE_SIZE)
		return kmalloc(bytes, SW_VIEW_GFP);
	p = kmalloc(bytes, GFP_KERNEL_ACCOUNT | __GFP_NORETRY | __GFP_NOWARN);
	return p ?: __vmalloc(bytes, SW_VIEW_GFP);
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

static void sw_prefix_add(struct sw_prefix_row *p, const struct sw_row *row)
{
	p->sets++;
	p->sems += row->nsems;
	if (!row->nsems)
		p->sems_partial = true;
	if (row->ctime && (!p->oldest || row->ctime < p->oldest))
		p->oldest = row->ctime;
	if (row->state == SW_ALIVE)
		p->alive++;
	else if (row->state == SW_DEAD)
		p->dead++;
	else
		p->unknown++;
}

/* By a radix sort of keys (rowsort.c); without memory for them, by sort_r() in place. */
static void sw_view_sort(struct sw_view *v)
{
	if (sw_rows_sort(v->rows, v->n_rows, v->prefix_bits))
		sort_r(v->rows, v->n_rows, sizeof(*v->rows), sw_row_cmp, NULL,
		       &v->prefix_bits);
}

/* Rows are sorted by prefix: one pass sums each run. */
static int sw_view_sum_prefixes(struct sw_view *v)
{
	unsigned int i, n = 0;
	u32 prefix;

	for (i = 0; i < v->n_rows; i++)
		if (!i || sw_prefix_of(v->rows[i].key, v->prefix_bits) !=
			  sw_prefix_of(v->rows[i - 1].key, v->prefix_bits))
			n++;
	v->prefixes = sw_view_alloc(max(n, 1U), sizeof(*v->prefixes));
	if (!v->prefixes)
		return -ENOMEM;
	memset(v->prefixes, 0, max(n, 1U) * sizeof(*v->prefixes));
	for (i = 0; i < v->n_rows; i++) {
		prefix = sw_prefix_of(v->rows[i].key, v->prefix_bits);
		if (!v->n_prefixes || v->prefixes[v->n_prefixes - 1].prefix != prefix)
			v->prefixes[v->n_prefixes++].prefix = prefix;
		sw_prefix_add(&v->prefixes[v->n_prefixes - 1], &v->rows[i]);
		if (prefix == v->watch_prefix) {
			if (!v->n_watched)
				v->watched_first = i;
			v->n_watched++;
		}
	}
	return 0;
}

/* A reader in one namespace needs rows for that namespace's sets only. */
static unsigned int sw_view_expected(const struct sw_view *v, const struct sw_reader *rd)
{
	if (!rd->only)
		return sw_tracked_count();
	return v->n_ns ? max(v->ns[0].sets, 0) : 0;
}

/*
 * Copies the records the reader may see. A bigger copy replaces a short one only once
 * it is allocated: if that fails, the short copy is shown and says what it lacks.
 */
static int sw_view_copy_records(struct sw_view *v, const struct sw_reader *rd)
{
	struct sw_copy c = { .v = v, .rd = rd };
	unsigned int want = sw_view_expected(v, rd), cap, try;
	struct sw_row *rows;

	for (try = 0; try < SW_COPY_TRIES; try++) {
		cap = want + max(SW_ROWS_SLACK, want / 8);
		rows = sw_view_alloc(cap, sizeof(*rows));
		if (!rows && !v->rows)
			return -ENOMEM;
		if (!rows)
			break;
		kvfree(v->rows);
		v->rows = rows;
		v->cap_rows = cap;
		v->n_rows = 0;
		v->tracked = rd->only ? 0 : sw_tracked_count();
		c.seen = 0;
		sw_records_visit(sw_copy_record, &c);
		if (c.seen <= v->cap_rows)
			break;
		want = c.seen;
	}
	v->truncated = c.seen - v->n_rows;
	if (rd->only)
		v->tracked = c.seen;
	sw_view_sort(v);
	return sw_view_sum_prefixes(v);
}

static int sw_view_collect_ns(struct sw_view *v, bool all)
{
	int cap, n = -ENOSPC;

	for (cap = 64; n == -ENOSPC && cap <= SW_NS_ROWS_MAX; cap *= 4) {
		kvfree(v->ns);
		v->ns = sw_view_alloc(cap, sizeof(*v->ns));
		if (!v->ns)
			return -ENOMEM;
		n = sw_ns_collect(v->ns, cap, all);
	}
	if (n < 0)
		return n;
	v->n_ns = n;
	return 0;
}

static void sw_view_free(struct sw_view *v)
{
	sw_reader_paths_free(v);
	kvfree(v->rows);
	kvfree(v->prefixes);
	kvfree(v->ns);
	kfree(v);
}

static struct sw_view *sw_view_build(void)
{
	struct sw_reader rd;
	struct sw_view *v;
	int err;

	v = kzalloc(sizeof(*v), SW_VIEW_GFP);
	if (!v)
		return ERR_PTR(-ENOMEM);
	sw_reader_from_current(&rd);
	sw_config_get(&v->watch_prefix, &v->prefix_bits);
	v->now = ktime_get_real_seconds();
	/* Drops are counted for the whole host: not for a container's eyes. */
	v->dropped = rd.only ? SW_DROPPED_HIDDEN : sw_dropped_count();
	/* Deaths the work has not stamped yet are shown now, as paths are below. */
	err = sw_deaths_resolve(true);
	if (!err)
		err = sw_view_collect_ns(v, !rd.only);
	if (!err)
		err = sw_view_copy_records(v, &rd);
	/*
	 * Every copied record whose cgroup has no path yet is on the pending stack, or
	 * with whoever holds sw_resolve_lock: resolved, its path is shown now, not on the
	 * next read (the cgroup may be gone by then).
	 */
	if (!err) {
		err = sw_cgroups_resolve(true);
		if (err == -ENOMEM)	/* unresolved paths are read directly, or unknown */
			err = 0;
	}
	if (!err)
		err = sw_reader_paths(v, &rd);
	if (err) {
		sw_view_free(v);
		return ERR_PTR(err);
	}
	return v;
}

/* A write-only open has no view, so it reads as empty (and seeks like any seq_file). */
static void *sw_view_start(struct seq_file *m, loff_t *pos)
{
	const struct sw_view *v = m->private;

	return v && *pos < v->file->items(v) ? pos : NULL;
}

static void *sw_view_next(struct seq_file *m, void *p, loff_t *pos)
{
	++*pos;
	return sw_view_start(m, pos);
}

static void sw_view_stop(struct seq_file *m, void *p)
{
}

static int sw_view_show(struct seq_file *m, void *p)
{
	const struct sw_view *v = m->private;

	v->file->show(m, v, *(loff_t *)p);
	return 0;
}

static const struct seq_operations sw_view_seq_ops = {
	.start = sw_view_start,
	.next = sw_view_next,
	.stop = sw_view_stop,
	.show = sw_view_show,
};

/* Only readers pay for a view; a write-only open just sends a command. */
int sw_view_open(struct file *file, const struct sw_view_file *vf)
{
	struct sw_view *v = NULL;
	int err;

	if (file->f_mode & FMODE_READ) {
		v = sw_view_build();
		if (IS_ERR(v))
			return PTR_ERR(v);
		v->file = vf;
	}
	err = seq_open(file, &sw_view_seq_ops);
	if (err) {
		if (v)
			sw_view_free(v);
		return err;
	}
	((struct seq_file *)file->private_data)->private = v;
	return 0;
}

int sw_view_release(struct inode *inode, struct file *file)
{
	struct seq_file *m = file->private_data;

	if (m->private)
		sw_view_free(m->private);
	return seq_release(inode, file);
}
