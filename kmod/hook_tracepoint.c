// SPDX-License-Identifier: GPL-2.0
/*
 * A probe on the raw sys_exit tracepoint, for kernels where newary() cannot be probed.
 * Enabling it puts every system call of every task on the slow path (the README gives
 * the measured cost), so `hook=auto` prefers the kprobe.
 */
#include <linux/ipc.h>
#include <linux/string.h>
#include <linux/tracepoint.h>
#include "semwatch.h"

static struct tracepoint *sw_sys_exit_tp;
static bool sw_sys_exit_registered;

struct sw_tp_search {
	const char *name;
	struct tracepoint *found;
};

static void sw_tp_match(struct tracepoint *tp, void *arg)
{
	struct sw_tp_search *search = arg;

	if (!strcmp(tp->name, search->name))
		search->found = tp;
}

/* The kernel's tracepoint @name, or NULL: modules may not name them directly. */
struct tracepoint *sw_tracepoint_find(const char *name)
{
	struct sw_tp_search search = { name, NULL };

	for_each_kernel_tracepoint(sw_tp_match, &search);
	return search.found;
}

static void sw_sys_exit(void *data, struct pt_regs *regs, long ret)
{
	struct sw_semget_args a;

	/* ENOSPC: the table may be full (pressure.c). */
	if ((ret < 0 && ret != -ENOSPC) || !sw_semget_args(regs, &a))
		return;
	/* Only these prove that this very call created the set. */
	if (ret >= 0 && (a.key == IPC_PRIVATE || ((a.flags & IPC_CREAT) && (a.flags & IPC_EXCL))))
		sw_track_current(ret, &a, SW_CREATED);
	/*
	 * Without IPC_EXCL the call may have opened a set that another task created, and
	 * that task's sys_exit may come later: nothing here tells which. The set is listed
	 * with its creator unknown rather than with a creator that may be wrong.
	 */
	else if (ret >= 0 && (a.flags & IPC_CREAT))
		sw_track_current(ret, NULL, SW_FOUND);
	/* After the insert, as in hook_kprobe.c: the line counts this set. */
	if (ret < 0 || a.key == IPC_PRIVATE || (a.flags & IPC_CREAT))
		sw_pressure_created();
}

int sw_tracepoint_hook_prepare(void)
{
	sw_sys_exit_tp = sw_tracepoint_find("sys_exit");
	return sw_sys_exit_tp ? 0 : -ENOENT;
}

int sw_tracepoint_hook_enable(void)
{
	int err = tracepoint_probe_register(sw_sys_exit_tp, sw_sys_exit, NULL);

	sw_sys_exit_registered = !err;
	return err;
}

/* Removing a probe that was never added would WARN: the load may fail before it is. */
void sw_tracepoint_hook_unregister(void)
{
	if (!sw_sys_exit_registered)
		return;
	tracepoint_probe_unregister(sw_sys_exit_tp, sw_sys_exit, NULL);
	tracepoint_synchronize_unregister();
	sw_sys_exit_registered = false;
}
