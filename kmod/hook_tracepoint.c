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

static void sw_find_sys_exit(struct tracepoint *tp, void *found)
{
	if (!strcmp(tp->name, "sys_exit"))
		*(struct tracepoint **)found = tp;
}

static void sw_sys_exit(void *data, struct pt_regs *regs, long ret)
{
	struct sw_semget_args a;

	if (ret < 0 || !sw_semget_args(regs, &a))
		return;
	/* Only these guarantee that this very call created the set. */
	if (a.key == IPC_PRIVATE || ((a.flags & IPC_CREAT) && (a.flags & IPC_EXCL)))
		sw_track_current(ret, &a, SW_CREATED);
	else if (!(a.flags & IPC_CREAT))
		return;
	/*
	 * Without IPC_EXCL the call may have opened an older set. An untracked set is new
	 * only if every set is tracked: none was dropped and the start-up scan saw all.
	 */
	else if (!sw_dropped_count() && sw_scan_was_complete())
		sw_track_current(ret, &a, SW_MAYBE_CREATED);
	else
		sw_track_current(ret, NULL, SW_FOUND);
}

int sw_tracepoint_hook_register(void)
{
	for_each_kernel_tracepoint(sw_find_sys_exit, &sw_sys_exit_tp);
	if (!sw_sys_exit_tp)
		return -ENOENT;
	return tracepoint_probe_register(sw_sys_exit_tp, sw_sys_exit, NULL);
}

void sw_tracepoint_hook_unregister(void)
{
	tracepoint_probe_unregister(sw_sys_exit_tp, sw_sys_exit, NULL);
	tracepoint_synchronize_unregister();
}
