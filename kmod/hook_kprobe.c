// SPDX-License-Identifier: GPL-2.0
/*
 * A return probe on ipc/sem.c's newary() and a probe on freeary(). newary() runs only
 * when a set is created, so this hook costs nothing on other system calls. freeary() is
 * the one exit of every set: IPC_RMID and namespace teardown, which runs no system call,
 * alike. Both functions are static: compat/compat.h names the kernel series whose
 * argument order was checked.
 */
#include <linux/ipc_namespace.h>
#include <linux/kprobes.h>
#include <linux/lockdep.h>
#include <linux/nsproxy.h>
#include <linux/ptrace.h>
#include <linux/sched/task_stack.h>
#include "semwatch.h"
#include "compat/compat.h"

/*
 * newary() runs with the namespace's ids->rwsem held for write, so at most one instance
 * per namespace is in flight; it may sleep, so a few per CPU are plenty. The same holds
 * for freeary().
 */
#define SW_MAXACTIVE 256

static int sw_newary_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	int id = (int)regs_return_value(regs);
	struct sw_semget_args a;
	bool known;

	/* The exclusion against freeary() that semwatch.h relies on. */
	lockdep_assert_held_write(&current->nsproxy->ipc_ns->ids[SW_IPC_SEM_IDS].rwsem);
	if (id >= 0) {
		known = sw_semget_args(task_pt_regs(current), &a);
		sw_track_current(id, known ? &a : NULL, SW_CREATED);
	}
	/* After the insert: the line it may queue counts this set (seen missing on RT). */
	if (id >= 0 || id == -ENOSPC)
		sw_pressure_created();
	return 0;
}

static struct kretprobe sw_newary_probe = {
	.kp.symbol_name = "newary",
	.kp.flags = KPROBE_FLAG_DISABLED,
	.handler = sw_newary_return,
	.maxactive = SW_MAXACTIVE,
};

static const struct ipc_namespace *sw_freeary_ns(struct pt_regs *regs)
{
	return (const struct ipc_namespace *)regs_get_kernel_argument(regs, SW_FREEARY_ARG_NS);
}

static int sw_freeary_id(struct pt_regs *regs)
{
	return ((const struct kern_ipc_perm *)
		regs_get_kernel_argument(regs, SW_FREEARY_ARG_PERM))->id;
}

/* hook=kprobe: freeary()'s entry. Inserts run under the same rwsem (see semwatch.h). */
static int sw_freeary_entry(struct kprobe *p, struct pt_regs *regs)
{
	const struct ipc_namespace *ns = sw_freeary_ns(regs);

	lockdep_assert_held_write(&ns->ids[SW_IPC_SEM_IDS].rwsem);
	sw_untrack(ns, sw_freeary_id(regs));
	sw_pressure_removed(ns, true);
	return 0;
}

static struct kprobe sw_freeary_probe = {
	.symbol_name = "freeary",
	.pre_handler = sw_freeary_entry,
};

/*
 * hook=tracepoint: freeary()'s return, after the kernel set `deleted`, which a late
 * insert checks under sw_lock (see semwatch.h). The set is freed by then, so its id is
 * read at the entry.
 */
struct sw_freeary_call {
	const struct ipc_namespace *ns;
	int id;
};

static int sw_freeary_enter(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct sw_freeary_call *call = (struct sw_freeary_call *)ri->data;

	call->ns = sw_freeary_ns(regs);
	call->id = sw_freeary_id(regs);
	return 0;
}

static int sw_freeary_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	const struct sw_freeary_call *call = (const struct sw_freeary_call *)ri->data;

	sw_untrack(call->ns, call->id);
	sw_pressure_removed(call->ns, false);
	return 0;
}

static struct kretprobe sw_freeary_retprobe = {
	.kp.symbol_name = "freeary",
	.entry_handler = sw_freeary_enter,
	.handler = sw_freeary_return,
	.data_size = sizeof(struct sw_freeary_call),
	.maxactive = SW_MAXACTIVE,
};

static bool sw_newary_registered, sw_removal_at_return;

int sw_removal_hook_register(bool at_return)
{
	sw_removal_at_return = at_return;
	if (at_return)
		return register_kretprobe(&sw_freeary_retprobe);
	return register_kprobe(&sw_freeary_probe);
}

void sw_removal_hook_unregister(void)
{
	unsigned long missed;

	if (sw_removal_at_return) {
		unregister_kretprobe(&sw_freeary_retprobe);
		missed = sw_freeary_retprobe.nmissed + sw_freeary_retprobe.kp.nmissed;
	} else {
		unregister_kprobe(&sw_freeary_probe);
		missed = sw_freeary_probe.nmissed;
	}
	if (missed)
		pr_warn("%lu removals were missed\n", missed);
}

/* Places the probe, disabled, so that the removal probe can be placed before it fires. */
int sw_newary_hook_prepare(void)
{
	int err = register_kretprobe(&sw_newary_probe);

	sw_newary_registered = !err;
	return err;
}

int sw_newary_hook_enable(void)
{
	return enable_kretprobe(&sw_newary_probe);
}

void sw_newary_hook_unregister(void)
{
	unregister_kretprobe(&sw_newary_probe);
	sw_newary_registered = false;
}

/* Creations whose return the probe could not catch, or whose entry it missed. */
unsigned long sw_kprobe_missed(void)
{
	if (!sw_newary_registered)
		return 0;
	return READ_ONCE(sw_newary_probe.nmissed) + READ_ONCE(sw_newary_probe.kp.nmissed);
}
