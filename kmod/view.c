// SPDX-License-Identifier: GPL-2.0
/*
 * A view is what one open() of /proc/semwatch or debugfs `sets` shows: a copy of the
 * records the reader may see, sorted and summed per prefix, plus the namespaces' limits.
 * Copying at open keeps the output self-consistent and sw_lock held only briefly.
 */
#include <linux/cred.h>
#include <linux/ipc_namespace.h>
#include <linux/lockdep.h>
#include <linux/mm.h>
#include <linux/nsproxy.h>
#include <linux/seq_file.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/timekeeping.h>
#include "semwatch.h"
#include "view.h"
#include "compat/compat.h"

/* Records created while the copy is taken are left for the next open. */
#define SW_ROWS_SLACK 256
#define SW_NS_ROWS_MAX SZ_1M

static u32 sw_prefix_of(key_t key, unsigned int bits)
{
	return bits >= 32 ? (u32)key : (u32)key >> (32 - bits);
}

struct sw_copy {
	struct sw_view *v;
	const struct ipc_namespace *only;	/* NULL: every namespace */
	unsigned int only_inum;
};

/* Runs under sw_lock (sw_records_visit). */
static bool sw_copy_record(const struct sw_record *r, void *arg)
{
	struct sw_copy *c = arg;
	struct sw_view *v = c->v;
	struct sw_row *row;

	lockdep_assert_held(&sw_lock);
	if (c->only && (r->ns != c->only || r->ns_inum != c->only_inum))
		return true;
	if (v->n_rows == v->cap_rows)
		return false;
	row = &v->rows[v->n_rows++];
	row->ctime = r->ctime;
	row->key = r->key;
	row->id = r->id;
	row->nsems = r->nsems;
	row->ns_inum = r->ns_inum;
	row->uid = r->uid;
	row->state = sw_creator_state(r);
	row->pid = r->creator ? pid_nr(r->creator) : 0;
	memcpy(row->comm, r->comm, sizeof(row->comm));
	row->cgroup = sw_cgroup_get(r->cgroup);
	return true;
}

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

/* Rows are sorted by prefix: one pass sums each run. */
static int sw_view_sum_prefixes(struct sw_view *v)
{
	unsigned int i, n = 0;
	u32 prefix;

	for (i = 0; i < v->n_rows; i++)
		if (!i || sw_prefix_of(v->rows[i].key, v->prefix_bits) !=
			  sw_prefix_of(v->rows[i - 1].key, v->prefix_bits))
			n++;
	v->prefixes = kvcalloc(max(n, 1U), sizeof(*v->prefixes), GFP_KERNEL);
	if (!v->prefixes)
		return -ENOMEM;
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

static int sw_view_copy_records(struct sw_view *v, struct sw_copy *c)
{
	v->cap_rows = sw_tracked_count() + SW_ROWS_SLACK;
	v->rows = kvmalloc_array(v->cap_rows, sizeof(*v->rows), GFP_KERNEL);
	if (!v->rows)
		return -ENOMEM;
	sw_records_visit(sw_copy_record, c);
	sort_r(v->rows, v->n_rows, sizeof(*v->rows), sw_row_cmp, NULL, &v->prefix_bits);
	return sw_view_sum_prefixes(v);
}

static int sw_view_collect_ns(struct sw_view *v, bool all)
{
	int cap, n = -ENOSPC;

	for (cap = 64; n == -ENOSPC && cap <= SW_NS_ROWS_MAX; cap *= 4) {
		kvfree(v->ns);
		v->ns = kvmalloc_array(cap, sizeof(*v->ns), GFP_KERNEL);
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
	unsigned int i;

	for (i = 0; i < v->n_rows; i++)
		sw_cgroup_put(v->rows[i].cgroup);
	kvfree(v->rows);
	kvfree(v->prefixes);
	kvfree(v->ns);
	kfree(v);
}

static struct sw_view *sw_view_build(void)
{
	struct ipc_namespace *mine = current->nsproxy->ipc_ns;
	bool all = mine == sw_init_ipc_ns();
	struct sw_copy c = { .only = all ? NULL : mine, .only_inum = mine->ns.inum };
	struct sw_view *v;
	int err;

	v = kzalloc(sizeof(*v), GFP_KERNEL);
	if (!v)
		return ERR_PTR(-ENOMEM);
	c.v = v;
	/* Paths that hooks queued moments ago are shown now, not on the next read. */
	sw_cgroups_resolve();
	sw_config_get(&v->watch_prefix, &v->prefix_bits);
	v->now = ktime_get_real_seconds();
	v->tracked = sw_tracked_count();
	v->dropped = sw_dropped_count();
	err = sw_view_collect_ns(v, all);
	if (!err)
		err = sw_view_copy_records(v, &c);
	if (err) {
		sw_view_free(v);
		return ERR_PTR(err);
	}
	return v;
}

static const char *const sw_state_names[] = {
	[SW_UNKNOWN] = "unknown",
	[SW_ALIVE] = "alive",
	[SW_DEAD] = "dead",
};

void sw_show_row_header(struct seq_file *m)
{
	seq_printf(m, "%8s %-16s %-7s %7s %10s %10s %6s %5s %5s %s\n", "pid", "comm",
		   "state", "age_s", "ns", "key", "semid", "nsems", "uid", "cgroup");
}

/* One set: the columns of the `watched` table. */
void sw_show_row(struct seq_file *m, const struct sw_view *v, const struct sw_row *row)
{
	const char *cgroup = sw_cgroup_path(row->cgroup);

	if (row->pid)
		seq_printf(m, "%8d ", row->pid);
	else
		seq_printf(m, "%8s ", "?");
	seq_setwidth(m, 16);
	if (row->comm[0])
		seq_escape(m, row->comm, SW_ESCAPE);
	else
		seq_putc(m, '?');
	seq_pad(m, ' ');
	seq_printf(m, "%-7s ", sw_state_names[row->state]);
	if (row->ctime)
		seq_printf(m, "%7lld ", max_t(time64_t, v->now - row->ctime, 0));
	else
		seq_printf(m, "%7s ", "?");
	seq_printf(m, "%10u 0x%08x %6d ", row->ns_inum, (u32)row->key, row->id);
	if (row->nsems)
		seq_printf(m, "%5d ", row->nsems);
	else
		seq_printf(m, "%5s ", "?");
	seq_printf(m, "%5u ", from_kuid_munged(seq_user_ns(m), row->uid));
	if (cgroup && cgroup[0])
		seq_escape(m, cgroup, SW_ESCAPE);
	else
		seq_putc(m, '?');
	seq_putc(m, '\n');
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
