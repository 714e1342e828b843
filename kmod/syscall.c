// SPDX-License-Identifier: GPL-2.0
/*
 * Decodes the semget() that current is making, from its saved user registers. A 64-bit
 * task calls semget; a 32-bit one calls the i386 semget or ipc(SEMGET, ...).
 */
#include <linux/compat.h>
#include <linux/sched/task_stack.h>
#include <asm/syscall.h>
#include <asm/unistd.h>
#include "semwatch.h"
#include "compat/compat.h"

static bool sw_decode_ia32(long nr, const unsigned long *args, struct sw_semget_args *a)
{
	if (nr == SW_IA32_NR_SEMGET) {
		a->key = (key_t)args[0];
		a->nsems = (int)args[1];
		a->flags = (int)args[2];
		return true;
	}
	if (nr == SW_IA32_NR_IPC && (args[0] & 0xffff) == SW_IPC_CALL_SEMGET) {
		a->key = (key_t)args[1];
		a->nsems = (int)args[2];
		a->flags = (int)args[3];
		return true;
	}
	return false;
}

/* Cheap enough for every syscall exit: the arguments are fetched only for semget. */
bool sw_semget_args(struct pt_regs *regs, struct sw_semget_args *a)
{
	long nr = syscall_get_nr(current, regs);
	unsigned long args[6];

	if (in_ia32_syscall()) {
		if (nr != SW_IA32_NR_SEMGET && nr != SW_IA32_NR_IPC)
			return false;
		syscall_get_arguments(current, regs, args);
		return sw_decode_ia32(nr, args, a);
	}
#ifdef __X32_SYSCALL_BIT
	nr &= ~(long)__X32_SYSCALL_BIT;
#endif
	if (nr != __NR_semget)
		return false;
	syscall_get_arguments(current, regs, args);
	a->key = (key_t)args[0];
	a->nsems = (int)args[1];
	a->flags = (int)args[2];
	return true;
}
