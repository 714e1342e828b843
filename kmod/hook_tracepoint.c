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

static void sw_find_sys_exit(struct tracepoint *tp, void *found)
{
	if (!strcmp(tp->name, "sys_exit"))
		*(struct tracepoint **)found = tp;
}

static void sw_sys_exit(void *data, struct pt_regs *regs, long ret)
{
	struct sw_semget_args a;

	/* ENOSPC: the table may be full (pressure.c). */
	if ((ret < 0 && ret != -ENOSPC) || !sw_semget_args(regs, &a))
		return;
	if (ret < 0 || a.key == IPC_PRIVATE || (a.flags & IPC_CREAT))
		sw_pressure_created();
	if (ret < 0)
		return;
	/* Only these prove that this very call created the set. */
	if (a.key == IPC_PRIVATE || ((a.flags & IPC_CREAT) && (a.flags & IPC_EXCL)))
		sw_track_current(ret, &a, SW_CREATED);
	/*
	 * Without IPC_EXCL the call may have opened a set that another task created, and
	 * that task's sys_exit may come later: nothing here tells which. The set is listed
	 * with its creator unknown rather than with a creator that may be wrong.
	 */
	else if (a.flags & IPC_CREAT)
		sw_track_current(ret, NULL, SW_FOUND);
}

int sw_tracepoint_hook_prepare(void)
{
	for_each_kernel_tracepoint(sw_find_sys_exit, &sw_sys_exit_tp);
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
