// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/debug/semwatch: `sets` lists every tracked set of every prefix, `events`
 * the latest creations and removals. Both show every namespace, so both are for root
 * in the initial namespaces only: the mode keeps other users out, the open keeps out
 * containers that can see debugfs. debugfs is optional: the module works without it.
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include "semwatch.h"
#include "view.h"

static struct dentry *sw_debugfs_dir;

static loff_t sw_sets_items(const struct sw_view *v)
{
	return 1 + (loff_t)v->n_rows;
}

/* Item 0: rows missing, and the column header. Item i: the (i - 1)th set. */
static void sw_sets_show(struct seq_file *m, const struct sw_view *v, loff_t i)
{
	if (i == 0)
		seq_printf(m, "truncated: %u\n", v->truncated);
	if (i == 0)
		sw_show_row_header(m);
	else
		sw_show_row(m, v, &v->rows[i - 1]);
}

static const struct sw_view_file sw_sets_file = {
	.all_rows = true,
	.items = sw_sets_items,
	.show = sw_sets_show,
};

static int sw_sets_open(struct inode *inode, struct file *file)
{
	if (!sw_reader_initial())
		return -EPERM;
	return sw_view_open(file, &sw_sets_file);
}

static const struct file_operations sw_sets_fops = {
	.owner = THIS_MODULE,
	.open = sw_sets_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = sw_view_release,
};

static int sw_events_open(struct inode *inode, struct file *file)
{
	if (!sw_reader_initial())
		return -EPERM;
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
