/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the kernels semwatch builds for, and every assumption about
 * something the kernel keeps private, lives in this one file.
 */
#ifndef SEMWATCH_COMPAT_H
#define SEMWATCH_COMPAT_H

#include <linux/ipc.h>
#include <linux/ipc_namespace.h>
#include <linux/nsproxy.h>
#include <linux/sched/task.h>

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
 * sets that predate the module (their size and ctime), only when this guard holds and
 * the `layout` parameter allows, and every value read through it is checked for
 * plausibility first (ipcns.c). Elsewhere the fallback shows those values as unknown.
 * Kbuild defines SW_SEM_LAYOUT_SERIES for the kernel series 6.1 to 6.12, the range
 * this mirror was checked against (the preprocessor cannot compare release strings,
 * and that keeps LINUX_VERSION_CODE arithmetic out of the code).
 */
#if defined(SW_SEM_LAYOUT_SERIES) && \
	!defined(CONFIG_RANDSTRUCT) && !defined(CONFIG_GCC_PLUGIN_RANDSTRUCT)
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

#endif /* SEMWATCH_COMPAT_H */
