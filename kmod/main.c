// SPDX-License-Identifier: GPL-2.0
/* Temporary stub so the build and VM harness can be brought up; replaced by the real module. */
#include <linux/module.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>

static struct proc_dir_entry *sw_proc;

static int sw_show(struct seq_file *m, void *v)
{
	seq_puts(m, "semwatch-format: 1\n");
	return 0;
}

static int __init sw_init(void)
{
	sw_proc = proc_create_single("semwatch", 0600, NULL, sw_show);
	return sw_proc ? 0 : -ENOMEM;
}

static void __exit sw_exit(void)
{
	proc_remove(sw_proc);
}

module_init(sw_init);
module_exit(sw_exit);
MODULE_LICENSE("GPL");
