// SPDX-License-Identifier: GPL-2.0
/*
 * semwatch: records who creates each System V semaphore set, so that leaked sets (above
 * all libdevmapper's 0x0d4d udev cookies) can be traced to a process and a container.
 */
#include <linux/capability.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/sizes.h>
#include <linux/string.h>
#include "semwatch.h"

static char *hook = "auto";
module_param(hook, charp, 0444);
MODULE_PARM_DESC(hook, "creation hook: auto (kprobe if possible), kprobe or tracepoint");

unsigned int sw_watch_prefix = SW_DM_COOKIE_PREFIX;
module_param_named(watch_prefix, sw_watch_prefix, uint, 0444);
MODULE_PARM_DESC(watch_prefix, "key prefix listed set by set (default 0x0d4d, device-mapper udev cookies)");

unsigned int sw_prefix_bits = 16;
module_param_named(prefix_bits, sw_prefix_bits, uint, 0444);
MODULE_PARM_DESC(prefix_bits, "width of a key prefix in bits, 1-32 (default 16)");

unsigned int sw_max_records = 262144;
module_param_named(max_records, sw_max_records, uint, 0444);
MODULE_PARM_DESC(max_records, "most sets tracked at once, 1-16777216 (default 262144)");

unsigned int sw_proc_mode = 0600;
module_param_named(proc_mode, sw_proc_mode, uint, 0444);
MODULE_PARM_DESC(proc_mode, "mode of /proc/semwatch, owner root, at most 0644 (default 0600)");

bool sw_layout = true;
module_param_named(layout, sw_layout, bool, 0444);
MODULE_PARM_DESC(layout, "read sizes and ages of sets older than the module from struct sem_array (default 1)");

#define SW_MAX_RECORDS_LIMIT SZ_16M

static DEFINE_MUTEX(sw_config_lock);
static bool sw_use_kprobe;

const char *sw_hook_name(void)
{
	return sw_use_kprobe ? "kprobe" : "tracepoint";
}

static bool sw_prefix_fits(unsigned int prefix, unsigned int bits)
{
	return bits >= 1 && bits <= 32 && (bits == 32 || !(prefix >> bits));
}

void sw_config_get(unsigned int *prefix, unsigned int *bits)
{
	mutex_lock(&sw_config_lock);
	*prefix = sw_watch_prefix;
	*bits = sw_prefix_bits;
	mutex_unlock(&sw_config_lock);
}

int sw_config_set_prefix(unsigned int prefix)
{
	int err = -EINVAL;

	mutex_lock(&sw_config_lock);
	if (sw_prefix_fits(prefix, sw_prefix_bits)) {
		WRITE_ONCE(sw_watch_prefix, prefix);
		err = 0;
	}
	mutex_unlock(&sw_config_lock);
	return err;
}

int sw_config_set_bits(unsigned int bits)
{
	int err = -EINVAL;

	mutex_lock(&sw_config_lock);
	if (sw_prefix_fits(sw_watch_prefix, bits)) {
		WRITE_ONCE(sw_prefix_bits, bits);
		err = 0;
	}
	mutex_unlock(&sw_config_lock);
	return err;
}

static int sw_check_params(void)
{
	if (strcmp(hook, "auto") && strcmp(hook, "kprobe") && strcmp(hook, "tracepoint")) {
		pr_err("hook=%s: must be auto, kprobe or tracepoint\n", hook);
		return -EINVAL;
	}
	if (!sw_prefix_fits(sw_watch_prefix, sw_prefix_bits)) {
		pr_err("prefix_bits=%u watch_prefix=%#x: bits must be 1-32 and the prefix fit in them\n",
		       sw_prefix_bits, sw_watch_prefix);
		return -EINVAL;
	}
	if (sw_max_records < 1 || sw_max_records > SW_MAX_RECORDS_LIMIT) {
		pr_err("max_records=%u: must be 1-%u\n", sw_max_records, SW_MAX_RECORDS_LIMIT);
		return -EINVAL;
	}
	if ((sw_proc_mode & ~0644) || !(sw_proc_mode & 0400)) {
		pr_err("proc_mode=%#o: must be readable by its owner and at most 0644\n",
		       sw_proc_mode);
		return -EINVAL;
	}
	return 0;
}

/* Picks the creation hook and places it, not yet firing. */
static int sw_creation_hook_prepare(void)
{
	int err;

	if (strcmp(hook, "tracepoint")) {
		err = sw_newary_hook_prepare();
		sw_use_kprobe = !err;
		if (!err)
			return 0;
		if (!strcmp(hook, "kprobe")) {
			pr_err("cannot load: cannot probe newary (%d)\n", err);
			return err;
		}
		pr_info("cannot probe newary (%d); using the sys_exit tracepoint\n", err);
	}
	err = sw_tracepoint_hook_prepare();
	if (err)
		pr_err("cannot load: no sys_exit tracepoint (%d)\n", err);
	return err;
}

static int sw_creation_hook_enable(void)
{
	int err = sw_use_kprobe ? sw_newary_hook_enable() : sw_tracepoint_hook_enable();

	if (err)
		pr_err("cannot load: cannot enable the %s hook (%d)\n", sw_hook_name(), err);
	return err;
}

static void sw_creation_hook_unregister(void)
{
	if (sw_use_kprobe)
		sw_newary_hook_unregister();
	else
		sw_tracepoint_hook_unregister();
}

static int __init sw_init(void)
{
	int err;

	err = sw_check_params();
	if (err)
		return err;
	err = sw_records_init();
	if (err)
		return err;
	err = sw_defer_start();
	if (err)
		goto err_defer;
	err = sw_creation_hook_prepare();
	if (err)
		goto err_prepare;
	/*
	 * Removal before creation fires: a set created and removed in between would leave
	 * a stale record. hook=tracepoint removes at freeary()'s return (see semwatch.h).
	 */
	err = sw_removal_hook_register(!sw_use_kprobe);
	if (err) {
		pr_err("cannot load: cannot probe freeary (%d); removals would go unseen\n", err);
		goto err_removal;
	}
	/* Before creation fires: a creator may not end unseen once it has a record. */
	err = sw_death_hook_register();
	if (err) {
		pr_err("cannot load: no sched_process_exit tracepoint (%d)\n", err);
		goto err_death;
	}
	err = sw_creation_hook_enable();
	if (err)
		goto err_enable;
	err = sw_scan_existing();
	if (err)
		goto err_enable;
	err = sw_procfs_init();
	if (err)
		goto err_enable;
	sw_debugfs_init();
	pr_info("tracking semaphore sets with the %s hook\n", sw_hook_name());
	return 0;

err_enable:
	sw_death_hook_unregister();
err_death:
	sw_removal_hook_unregister();
err_removal:
	sw_creation_hook_unregister();
err_prepare:
	sw_defer_stop();
err_defer:
	sw_records_exit();
	sw_creator_exit();
	sw_death_exit();
	return err;
}

static void __exit sw_exit(void)
{
	/* Readers first (removal waits for open files), then the hooks, then the data. */
	sw_debugfs_exit();
	sw_procfs_exit();
	sw_creation_hook_unregister();
	sw_death_hook_unregister();
	sw_removal_hook_unregister();
	sw_defer_stop();
	sw_records_exit();
	sw_creator_exit();
	sw_death_exit();
}

module_init(sw_init);
module_exit(sw_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Records the creator of every System V semaphore set");
MODULE_VERSION(SEMWATCH_VERSION);
