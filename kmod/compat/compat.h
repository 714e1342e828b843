/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the kernels semwatch builds for, and every assumption about
 * something the kernel keeps private, lives in this one file.
 *
 * Supported series
 * ================
 * semwatch probes two static functions of ipc/sem.c by argument position, reads the
 * start of the private struct sem_array, and decodes semget() from the i386 system call
 * numbers. Those were checked, line by line, in the Debian sources of exactly these
 * series: 6.1 and 6.12. Any other series fails to build here (and DKMS skips it, see
 * dkms.conf) instead of producing a module that probes the wrong thing. To add a series,
 * in its ipc/sem.c, ipc/util.c, ipc/util.h and ipc/namespace.c check that:
 *  - newary(ns, params) returns the new id, and is called with ids->rwsem held for
 *    write (ipcget_new());
 *  - freeary(ns, perm) takes the namespace first and the set second, is entered with
 *    the set locked and the rwsem held for write, and sets perm->deleted (ipc_rmid());
 *  - the fields of struct sem_array up to sem_nsems are as in struct sw_sem_array_head;
 *  - IPC_SEM_IDS, IPCMNI_SHIFT and IPCMNI_EXTEND_SHIFT are unchanged;
 *  - ipcns_operations has get() and put(), and free_ipc_ns() tears sets down through
 *    freeary();
 *  - the sched_process_exit tracepoint takes (struct task_struct *) and fires in
 *    do_exit() after the thread has decremented signal->live and set exit_code, and
 *    SIGNAL_GROUP_EXIT, group_exit_code and tsk_is_oom_victim() mean what death.c
 *    reads them as;
 * then add the series below and in dkms.conf, and run `make check` on its kernels.
 */
#ifndef SEMWATCH_COMPAT_H
#define SEMWATCH_COMPAT_H

#include <linux/cgroup.h>
#include <linux/ipc.h>
#include <linux/ipc_namespace.h>
#include <linux/nsproxy.h>
#include <linux/proc_ns.h>
#include <linux/sched/task.h>

/* Kbuild defines SW_SERIES to the kernel's VERSION.PATCHLEVEL, as 601 or 612. */
#if SW_SERIES != 601 && SW_SERIES != 612
#error "semwatch: kernel series not checked (supported: 6.1, 6.12); see compat.h"
#endif

/* Argument positions of freeary(struct ipc_namespace *, struct kern_ipc_perm *). */
#define SW_FREEARY_ARG_NS	0
#define SW_FREEARY_ARG_PERM	1

/*
 * From ipc/util.h, which modules cannot include. An id is (seq << shift) + index; the
 * shift is 15, or 24 when booted with ipcmni_extend. The shift in use is not exported,
 * so lookups try both and keep only an exact id match (ipcns.c).
 */
#define SW_IPC_SEM_IDS		0
#define SW_IPCMNI_SHIFT		15
#define SW_IPCMNI_EXTEND_SHIFT	24

/* i386 system call numbers, used for 32-bit tasks (arch/x86 syscall_32.tbl). */
#define SW_IA32_NR_IPC		117
#define SW_IA32_NR_SEMGET	393
#define SW_IPC_CALL_SEMGET	2

/*
 * struct sem_array is private to ipc/sem.c. This mirrors the fields it starts with, as
 * checked in the Debian 6.1 and 6.12 sources (identical in both). It is used only for
 * sets whose size the hook did not see (their size and ctime), only when the `layout`
 * parameter allows, and every value read through it is checked for plausibility first
 * (ipcns.c). With struct randomisation the fallback shows those values as unknown.
 */
#if !defined(CONFIG_RANDSTRUCT) && !defined(CONFIG_GCC_PLUGIN_RANDSTRUCT)
#define SW_SEM_LAYOUT_KNOWN 1
struct sw_sem_array_head {
	struct kern_ipc_perm sem_perm;
	time64_t sem_ctime;
	struct list_head pending_alter;
	struct list_head pending_const;
	struct list_head list_id;
	int sem_nsems;
};
#else
#define SW_SEM_LAYOUT_KNOWN 0
#endif

/*
 * init_ipc_ns is exported only by some distributions. init_task's nsproxy is the
 * initial one on every kernel and never changes.
 */
static inline struct ipc_namespace *sw_init_ipc_ns(void)
{
	return init_task.nsproxy->ipc_ns;
}

/* init_cgroup_ns is not exported either; the same holds for it. */
static inline struct cgroup_namespace *sw_init_cgroup_ns(void)
{
	return init_task.nsproxy->cgroup_ns;
}

/*
 * The cgroup a cgroup namespace is rooted at, on the default hierarchy. The kernel's
 * own helper for this is static; struct cgroup_namespace and struct css_set are
 * public, and a namespace's root_cset is fixed for its lifetime.
 */
static inline struct cgroup *sw_cgroup_ns_root(struct cgroup_namespace *ns)
{
	return ns->root_cset->dfl_cgrp;
}

/*
 * Drops a reference taken with get_ipc_ns(). put_ipc_ns() is exported by 6.12 but not
 * by 6.1, so this goes through the namespace's own operations on both, as nsfs does
 * when a file that pins a namespace is closed. Without CONFIG_IPC_NS, get_ipc_ns()
 * takes no reference.
 */
static inline void sw_put_ipc_ns(struct ipc_namespace *ns)
{
#ifdef CONFIG_IPC_NS
	ns->ns.ops->put(&ns->ns);
#endif
}

#endif /* SEMWATCH_COMPAT_H */
