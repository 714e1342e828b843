// SPDX-License-Identifier: GPL-2.0
/*
 * A view is what one open() of /proc/semwatch or debugfs `sets` shows: the records the
 * reader may see summed per prefix, a copy of those the file prints (the watched
 * prefix's, or all for `sets`) in the reader's terms (reader.c), sorted, plus the
 * namespaces' limits. Sums and copy come from one visit, so they agree; sw_lock is
 * held a batch at a time; the memory is charged to the reader (SW_VIEW_GFP).
 */
#include <linux/cred.h>
#include <linux/ipc_namespace.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/nsproxy.h>
#include <linux/seq_file.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/vmalloc.h>
#include "semwatch.h"
#include "view.h"
#include "compat/compat.h"

#define SW_NS_ROWS_MAX SZ_1M

/*
 * An array for a view. Up to PAGE_ALLOC_COSTLY_ORDER, kmalloc() is tried without
 * retrying hard, as kvmalloc() would, then vmalloc(). A bigger one comes from vmalloc()
 * at once: kmalloc() would round it up to a power of two of pages, every one zeroed
 * (init_on_alloc; vmalloc() zeroes only the pages it needs), which was a tenth of the
 * cost of reading 32,000 rows. With
 * __GFP_RETRY_MAYFAIL, over the reader's memory cgroup limit both fail instead of
 * invoking its OOM killer.
 */
void *sw_view_alloc(size_t n, size_t size)
{
	size_t bytes = array_size(n, size);
	void *p = NULL;

	if (bytes == SIZE_MAX || bytes > INT_MAX)
		return NULL;
	if (bytes <= PAGE_SIZE)
		return kmalloc(bytes, SW_VIEW_GFP);
	if (bytes <= PAGE_SIZE << PAGE_ALLOC_COSTLY_ORDER)
		p = kmalloc(bytes, GFP_KERNEL_ACCOUNT | __GFP_NORETRY | __GFP_NOWARN);
	return p ?: __vmalloc(bytes, SW_VIEW_GFP);
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

static struct sw_view *sw_view_build(const struct sw_view_file *vf)
{
	struct sw_reader rd;
	struct sw_view *v;
	int err;

	v = kzalloc(sizeof(*v), SW_VIEW_GFP);
	if (!v)
		return ERR_PTR(-ENOMEM);
	v->file = vf;
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
		err = sw_view_copy_records(v, &rd, vf->all_rows);
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
		v = sw_view_build(vf);
		if (IS_ERR(v))
			return PTR_ERR(v);
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
