// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/debug/semwatch: `sets` lists every tracked set of every prefix, `events`
 * the latest creations and removals. Both are root-only. debugfs is optional: the
 * module works without it.
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include "semwatch.h"
#include "view.h"

static struct dentry *sw_debugfs_dir;

static void *sw_sets_start(struct seq_file *m, loff_t *pos)
{
	const struct sw_view *v = m->private;

	return *pos <= v->n_rows ? pos : NULL;
}

static void *sw_sets_next(struct seq_file *m, void *p, loff_t *pos)
{
	++*pos;
	return sw_sets_start(m, pos);
}

static void sw_sets_stop(struct seq_file *m, void *p)
{
}

/* Item 0 is the column header, item i the (i - 1)th set. */
static int sw_sets_show(struct seq_file *m, void *p)
{
	const struct sw_view *v = m->private;
	loff_t i = *(loff_t *)p;

	if (i == 0)
		sw_show_row_header(m);
	else
		sw_show_row(m, v, &v->rows[i - 1]);
	return 0;
}

static const struct seq_operations sw_sets_seq_ops = {
	.start = sw_sets_start,
	.next = sw_sets_next,
	.stop = sw_sets_stop,
	.show = sw_sets_show,
};

static int sw_sets_open(struct inode *inode, struct file *file)
{
	struct sw_view *v = sw_view_build();
	int err;

	if (IS_ERR(v))
		return PTR_ERR(v);
	err = seq_open(file, &sw_sets_seq_ops);
	if (err) {
		sw_view_free(v);
		return err;
	}
	((struct seq_file *)file->private_data)->private = v;
	return 0;
}

static int sw_sets_release(struct inode *inode, struct file *file)
{
	struct seq_file *m = file->private_data;

	sw_view_free(m->private);
	return seq_release(inode, file);
}

static const struct file_operations sw_sets_fops = {
	.owner = THIS_MODULE,
	.open = sw_sets_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = sw_sets_release,
};

static int sw_events_open(struct inode *inode, struct file *file)
{
	return single_open(file, sw_events_show, NULL);
}

static const struct file_operations sw_events_fops = {
	.owner = THIS_MODULE,
	.open = sw_events_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
};

/* Failures are not checked, as debugfs asks: the rest of the module works regardless. */
void sw_debugfs_init(void)
{
	sw_debugfs_dir = debugfs_create_dir("semwatch", NULL);
	debugfs_create_file("sets", 0400, sw_debugfs_dir, NULL, &sw_sets_fops);
	debugfs_create_file("events", 0400, sw_debugfs_dir, NULL, &sw_events_fops);
}

void sw_debugfs_exit(void)
{
	debugfs_remove(sw_debugfs_dir);
}
