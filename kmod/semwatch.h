/* SPDX-License-Identifier: GPL-2.0 */
/*
 * semwatch: who created each System V semaphore set, and is it still alive.
 *
 * Contexts
 * ========
 * Every hook runs with preemption disabled: the return probe on newary(), the probe on
 * freeary() (an entry probe with hook=kprobe, a return probe with hook=tracepoint), the
 * sys_exit tracepoint probe and the sched_process_exit tracepoint probe. On PREEMPT_RT
 * a spinlock_t sleeps there, and the slab allocator, cgroup_path() and put_pid()'s free
 * may not be called. So a hook takes only sw_lock (a raw spinlock), takes records from
 * a pool filled beforehand, takes only references that it can drop without freeing,
 * and hands everything else to the deferred work (defer.c), which runs in process
 * context.
 *
 * Locking
 * =======
 * sw_lock (raw spinlock, records.c) protects:
 *  - the record hash table, every field of every struct sw_record, sw_tracked;
 *  - the record pool and the list of retired records (records.c);
 *  - the cgroup path cache, its reference counts, its idle list and the stack of
 *    cgroups waiting for a path (creator.c);
 *  - the event ring (events.c);
 *  - the per-pid counts of creators not yet seen to end, and the stack of deaths
 *    waiting to be stamped on records (death.c).
 * Holders never sleep, allocate or free, and take no other lock inside it (queueing the
 * deferred work takes the workqueue's raw pool lock). Readers hold it for a bounded
 * batch at a time. Every "caller holds sw_lock" is asserted with lockdep.
 *
 * Lock order: ids->rwsem (held by the kernel around newary() and freeary(), and for
 * read by the start-up scan) -> sw_lock. Readers (view.c, reader.c) take the cgroup
 * and kernfs locks, and allocate, only with sw_lock dropped.
 *
 * sw_resolve_lock (mutex, creator.c) is held around emptying the stack of cgroups waiting
 * for a path, by the deferred work and by readers (in open(), killably), so that a
 * reader never overtakes a path the work has taken off the stack but not yet hashed.
 * It sleeps: never taken in a hook, nor with sw_lock or sw_config_lock held. Inside it,
 * one at a time: kernfs_rename_lock (cgroup_path()), reclaim (GFP_KERNEL), sw_lock.
 * The work may wait on a reader here, so it refills the record pool first.
 *
 * sw_death_lock (mutex, death.c) is held around emptying the stack of deaths and
 * stamping them, by the deferred work and by readers (in open(), killably), for the same
 * reason: a reader must not copy a record whose death the work has popped but not
 * yet stamped. Inside it: sw_lock, and put_pid()'s free.
 *
 * sw_config_lock (mutex, main.c) serialises writes of watch_prefix and prefix_bits, and
 * readers that need the pair (sw_config_get()). Each write keeps the pair valid.
 *
 * Lifetimes
 * =========
 *  - A record's ns pointer is an identity, never dereferenced. A namespace is
 *    dereferenced only when it is current's, init's, that of a task whose task_lock()
 *    is held, one the start-up scan holds a reference on (taken and dropped through
 *    the namespace's own proc_ns_operations, as setns() does), or the one a removal
 *    probe's freeary() call is removing from (its teardown waits for that call). No
 *    lock is relied on to keep a namespace alive.
 *  - A kern_ipc_perm is dereferenced only under rcu_read_lock(): sets are freed after
 *    a grace period.
 *  - A removal must never be followed by a late insert of the same set. Every insert
 *    checks the set's `deleted` under sw_lock. With hook=kprobe the insert runs inside
 *    newary(), under ids->rwsem held for write, which excludes freeary(): no race. The
 *    start-up scan holds the rwsem for read: no race either. With hook=tracepoint the
 *    insert runs at semget()'s exit, after the rwsem is dropped, so another task's
 *    IPC_RMID can come between; there the removal probe runs at freeary()'s return,
 *    after the kernel set `deleted`. Either the insert takes sw_lock first and the
 *    removal finds the record, or the removal does and the insert sees `deleted`.
 *  - A record holds a struct pid reference on its creator, so "alive" stays exact when
 *    the PID number is reused. A hook drops it only when it is not the last one; the
 *    last is dropped by the deferred work.
 *  - A death waiting on the stack holds a reference on the process's struct pid, so
 *    that the pointer it is matched by is not reused meanwhile. The probe takes it
 *    while the exiting task is still attached to that pid (never the first); it is
 *    dropped in process context.
 *  - A cgroup waiting for its path is held by a reference (taken with a tryget, legal
 *    in any context) until the deferred work has read the path and dropped it.
 *  - A cgroup path entry's path never changes once the entry is hashed, so whoever
 *    holds a reference on the entry may read the path without sw_lock.
 *  - A view (one open) holds no reference on records: it sums them per prefix and
 *    copies the rows it prints, translating the creator's PID under sw_lock, and
 *    holds a path entry only while it reads it.
 */
#ifndef SEMWATCH_H
#define SEMWATCH_H

#include <linux/bits.h>
#include <linux/build_bug.h>
#include <linux/types.h>
#include <linux/list.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/uidgid.h>

struct ipc_namespace;
struct kern_ipc_perm;
struct pid;
struct pt_regs;
struct seq_file;
struct sw_cgroup;
struct tracepoint;

/*
 * Longest cgroup path kept or shown; a longer one shows as `?`. Kept paths are not
 * charged to anyone, so they stay small: docker, systemd and kubepods paths all fit.
 */
#define SW_PATH_MAX 1024

/* libdevmapper's udev cookies: keys 0x0d4dXXXX. */
#define SW_DM_COOKIE_PREFIX 0x0d4d

/* Module parameters (main.c). */
extern unsigned int sw_watch_prefix;
extern unsigned int sw_prefix_bits;
extern unsigned int sw_max_records;
extern unsigned int sw_proc_mode;
extern bool sw_layout;

extern raw_spinlock_t sw_lock;

/*
 * What the sets of IPC namespaces other than the initial one may take of something any
 * user could fill (records, kept cgroup paths): three quarters, the rest being the
 * host's, where its own cookies live.
 */
static inline unsigned long sw_guest_share(unsigned long total)
{
	return total - total / 4;
}

enum sw_state { SW_UNKNOWN, SW_ALIVE, SW_DEAD };

/* One tracked semaphore set. */
struct sw_record {
	struct hlist_node node;		/* hash bucket, pool or retired list */
	const struct ipc_namespace *ns;	/* identity only */
	struct pid *creator;		/* NULL: set predates the module */
	/*
	 * The creator's cgroup v2, in one word (creator.c): 0 when unknown; the id
	 * as (id << 1 | 1) while its path is not known; else the path entry, which
	 * holds the id. Read it with sw_record_cgid().
	 */
	u64 cg;
	/*
	 * Seconds since the epoch, as u32 (until 2106), to keep a record within 88
	 * bytes: ctime (0: unknown) and, with SW_EXIT_NOTED in exit, when the creator
	 * ended.
	 */
	u32 ctime;
	u32 died;
	u32 exit;			/* how the creator ended: SW_EXIT_* (death.c) */
	key_t key;
	int id;
	unsigned int ns_inum;
	int nsems;			/* 0: unknown */
	kuid_t uid;
	char comm[TASK_COMM_LEN];
};

/*
 * 88 bytes: 46 records per 4 KiB slab (89 bytes a set), where 96 bytes took 42
 * (97.5 bytes a set).
 */
static_assert(!IS_ENABLED(CONFIG_64BIT) || sizeof(struct sw_record) == 88);

/*
 * struct sw_record's exit: 0 until the creating process is seen to end, then the status
 * wait() reports (exit code << 8, or the fatal signal, | 0x80 for a core dump), with
 * SW_EXIT_OOM if the OOM killer chose it.
 */
#define SW_EXIT_STATUS	0xffffU
#define SW_EXIT_OOM	BIT(30)
#define SW_EXIT_NOTED	BIT(31)

/* What is known about a set when it is seen, before any creator is attached. */
struct sw_setinfo {
	const struct ipc_namespace *ns;
	unsigned int ns_inum;
	key_t key;
	int id;
	int nsems;
	kuid_t uid;
	time64_t ctime;
};

/*
 * SW_CREATED: current just created the set (newary() returned, or a semget() that can
 *	only have created it).
 * SW_FOUND: the set was there before the module, or current may only have opened it;
 *	creator unknown.
 */
enum sw_origin { SW_CREATED, SW_FOUND };

/* records.c */
int sw_records_init(void);
void sw_records_exit(void);
void sw_track(const struct sw_setinfo *s, const struct kern_ipc_perm *perm,
	      enum sw_origin origin);
void sw_untrack(const struct ipc_namespace *ns, int id);
void sw_count_dropped(void);
unsigned int sw_tracked_count(void);
unsigned long sw_dropped_count(void);
typedef bool (*sw_visit_fn)(struct sw_record *r, void *arg);
void sw_records_visit(sw_visit_fn fn, void *arg);
void sw_pool_fill(void);
void sw_pool_trim(void);
void sw_retired_release(void);
struct sw_record *sw_record_lookup(const struct ipc_namespace *ns, int id);

/* creator.c */
void sw_creator_exit(void);
void sw_creator_attach(struct sw_record *r);
void sw_creator_detach(struct sw_record *r);
bool sw_creator_put_unless_last(struct sw_record *r);
enum sw_state sw_creator_state(const struct sw_record *r);
struct sw_cgroup *sw_cgroup_get(struct sw_cgroup *cg);
void sw_cgroup_put(struct sw_cgroup *cg);
struct sw_cgroup *sw_cgroup_find_get(u64 id);
u64 sw_cgroup_id(const struct sw_cgroup *cg);
const char *sw_cgroup_path(const struct sw_cgroup *cg);
int sw_cgroups_resolve(bool killable);
void sw_cgroups_trim(void);

/* The creator's cgroup v2 id, 0 if unknown. Caller holds sw_lock or owns @r. */
static inline u64 sw_record_cgid(const struct sw_record *r)
{
	if (r->cg & 1)
		return r->cg >> 1;
	return r->cg ? sw_cgroup_id((const struct sw_cgroup *)(uintptr_t)r->cg) : 0;
}

/* death.c */
void sw_death_watch(const struct sw_record *r);
void sw_death_unwatch(const struct sw_record *r);
int sw_deaths_resolve(bool killable);
int sw_death_hook_register(void);
void sw_death_hook_unregister(void);
void sw_death_exit(void);

/* pressure.c */
void sw_pressure_created(void);
void sw_pressure_removed(const struct ipc_namespace *ns, bool counted);
void sw_pressure_flush(void);

/* defer.c */
int sw_defer_start(void);
void sw_defer_kick(void);
void sw_defer_stop(void);

/* rowprint.c */
size_t sw_escape_field(char *dst, const char *s);
void sw_show_field(struct seq_file *m, const char *s);
/* The longest name sw_exit_name() writes, "status:255", and its NUL. */
#define SW_EXIT_NAME_LEN 11
const char *sw_exit_name(u32 exit, char *buf, size_t len);

/* events.c */
enum sw_op { SW_OP_CREATE, SW_OP_REMOVE, SW_OP_FOUND };
void sw_event_log(enum sw_op op, const struct sw_record *r);
int sw_events_show(struct seq_file *m, void *unused);

/* syscall.c */
struct sw_semget_args {
	key_t key;
	int nsems;
	int flags;
};

bool sw_semget_args(struct pt_regs *regs, struct sw_semget_args *a);

/* ipcns.c */
struct sw_ns_row {
	const struct ipc_namespace *ns;	/* identity only */
	unsigned int inum;
	int semmsl, semmns, semopm, semmni;
	int sets, sems;
};

void sw_track_current(int id, const struct sw_semget_args *a, enum sw_origin origin);
int sw_scan_existing(void);
int sw_ns_collect(struct sw_ns_row *rows, int max, bool all);

/* hook_tracepoint.c */
struct tracepoint *sw_tracepoint_find(const char *name);

/* hook_kprobe.c */
int sw_newary_hook_prepare(void);
int sw_newary_hook_enable(void);
void sw_newary_hook_unregister(void);
int sw_removal_hook_register(bool at_return);
void sw_removal_hook_unregister(void);
unsigned long sw_kprobe_missed(void);

/* hook_tracepoint.c */
int sw_tracepoint_hook_prepare(void);
int sw_tracepoint_hook_enable(void);
void sw_tracepoint_hook_unregister(void);

/* main.c */
const char *sw_hook_name(void);
void sw_config_get(unsigned int *prefix, unsigned int *bits);
int sw_config_set_prefix(unsigned int prefix);
int sw_config_set_bits(unsigned int bits);

/* procfs.c, debugfs.c */
int sw_procfs_init(void);
void sw_procfs_exit(void);
void sw_debugfs_init(void);
void sw_debugfs_exit(void);

#endif /* SEMWATCH_H */
