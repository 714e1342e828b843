// SPDX-License-Identifier: GPL-2.0
/*
 * A return probe on ipc/sem.c's newary() and a probe on freeary()'s entry. newary() runs
 * only when a set is created, so this hook costs nothing on other system calls. freeary()
 * is the one exit of every set: IPC_RMID and namespace teardown, which runs no system
 * call, alike.
 */
#include <linux/kprobes.h>
#include <linux/ptrace.h>
#include <linux/sched/task_stack.h>
#include "semwatch.h"

/*
 * newary() runs with the namespace's ids->rwsem held for write, so at most one instance
 * per namespace is in flight; it may sleep, so a few per CPU are plenty.
 */
#define SW_MAXACTIVE 256

static int sw_newary_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	int id = (int)regs_return_value(regs);
	struct sw_semget_args a;
	bool known;

	if (id < 0)
		return 0;
	known = sw_semget_args(task_pt_regs(current), &a);
	sw_track_current(id, known ? &a : NULL, SW_CREATED);
	return 0;
}

static struct kretprobe sw_newary_probe = {
	.kp.symbol_name = "newary",
	.handler = sw_newary_return,
	.maxactive = SW_MAXACTIVE,
};

/*
 * freeary(ns, perm) is entered with the set's lock held, and keeps it until the set is
 * marked deleted. sw_track() checks `deleted` under that lock, so no insert of this set
 * can come after this removal (see semwatch.h).
 */
static int sw_freeary_entry(struct kprobe *p, struct pt_regs *regs)
{
	const struct kern_ipc_perm *perm;

	perm = (const struct kern_ipc_perm *)regs_get_kernel_argument(regs, 1);
	sw_untrack((const struct ipc_namespace *)regs_get_kernel_argument(regs, 0), perm->id);
	return 0;
}

static struct kprobe sw_freeary_probe = {
	.symbol_name = "freeary",
	.pre_handler = sw_freeary_entry,
};

static bool sw_newary_registered;

int sw_removal_hook_register(void)
{
	return register_kprobe(&sw_freeary_probe);
}

void sw_removal_hook_unregister(void)
{
	unregister_kprobe(&sw_freeary_probe);
	if (sw_freeary_probe.nmissed)
		pr_warn("%lu removals were missed\n", sw_freeary_probe.nmissed);
}

int sw_kprobe_hook_register(void)
{
	int err = register_kretprobe(&sw_newary_probe);

	sw_newary_registered = !err;
	return err;
}

void sw_kprobe_hook_unregister(void)
{
	unregister_kretprobe(&sw_newary_probe);
	sw_newary_registered = false;
}

/* Creations whose return the probe could not catch. */
unsigned long sw_kprobe_missed(void)
{
	return sw_newary_registered ? READ_ONCE(sw_newary_probe.nmissed) : 0;
}
