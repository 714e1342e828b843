/* SPDX-License-Identifier: GPL-2.0 */
/*
 * semwatch: who created each System V semaphore set, and is it still alive.
 *
 * Locking
 * =======
 * sw_lock (spinlock, records.c) protects:
 *  - the record hash table and every field of every struct sw_record;
 *  - sw_tracked, the interned cgroup table (creator.c), its reference counts and its
 *    list of idle entries (no record refers to them; the 16 last released are kept);
 *  - the event ring (events.c).
 * It is taken in process context only: the return probe on newary(), the probe on
 * freeary()'s entry and the sys_exit tracepoint probe (all with preemption disabled),
 * the start-up scan, and readers. Nothing sleeps under it, and no other lock is taken
 * inside it but rcu_read_lock(). The cgroup path is computed before it is taken, and the
 * creator's comm is copied without get_task_comm(), whose task_lock() would nest inside.
 *
 * Lock order: ids->rwsem (held by the kernel around newary() and freeary(), and for
 * read by the start-up scan) -> a set's kern_ipc_perm.lock (held by the kernel across
 * freeary(); taken by sw_track()) -> sw_lock. The scan takes a namespace's rwsem with a
 * trylock under task_lock() of a task in it, then drops task_lock() before walking.
 *
 * sw_spare (records.c), one freed record kept for the next insert, has no lock: it is
 * taken with xchg() and given back with cmpxchg(), so each owner has it alone.
 *
 * sw_config_lock (mutex, procfs.c) serialises writes of watch_prefix and prefix_bits.
 * Each write keeps the pair valid, so readers may read either with READ_ONCE().
 *
 * Lifetimes:
 *  - A record's ns pointer is an identity, never dereferenced: nothing pins the
 *    namespace. A namespace is dereferenced only when it is current's, init's, or
 *    that of a task whose task_lock() is held.
 *  - A kern_ipc_perm is dereferenced only under rcu_read_lock(): sets are freed after
 *    a grace period.
 *  - A removal must never be followed by a late insert of the same set. In tracepoint
 *    mode the insert runs at semget()'s exit, after ids->rwsem is dropped, so another
 *    task's IPC_RMID can come between. The removal probe runs at freeary()'s entry,
 *    before the kernel sets `deleted`; but the kernel holds the set's lock from before
 *    that entry until after `deleted` is set. sw_track() checks `deleted` under the same
 *    lock, as the kernel itself does after looking a set up: either the insert comes
 *    first and the removal finds the record, or the insert sees `deleted` and is
 *    skipped. sw_track() only reads the set, so that lock alone (sem.c's global lock)
 *    is enough, as in ipc_findkey(); the per-semaphore locks are not needed. In kprobe
 *    mode the insert runs inside newary(), under ids->rwsem, which excludes freeary().
 *  - A record holds a struct pid reference on its creator, so "alive" stays exact when
 *    the PID number is reused.
 */
#ifndef SEMWATCH_H
#define SEMWATCH_H

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

/* Module parameters (main.c). */
extern unsigned int sw_watch_prefix;
extern unsigned int sw_prefix_bits;
extern unsigned int sw_max_records;
extern unsigned int sw_proc_mode;
extern bool sw_layout;

extern spinlock_t sw_lock;

enum sw_state { SW_UNKNOWN, SW_ALIVE, SW_DEAD };

/* One tracked semaphore set. */
struct sw_record {
	struct hlist_node node;
	const struct ipc_namespace *ns;	/* identity only */
	struct pid *creator;		/* NULL: set predates the module */
	struct sw_cgroup *cgroup;	/* NULL: unknown */
	time64_t ctime;			/* 0: unknown */
	key_t key;
	int id;
	unsigned int ns_inum;
	int nsems;			/* 0: unknown */
	kuid_t uid;
	char comm[TASK_COMM_LEN];
};

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
 * SW_CREATED: current just created the set (newary() returned).
 * SW_MAYBE_CREATED: current's semget() returned it with IPC_CREAT and every set is
 *	tracked; it is new unless already tracked.
 * SW_FOUND: the set was there before the module; creator unknown.
 */
enum sw_origin { SW_CREATED, SW_MAYBE_CREATED, SW_FOUND };

/* The creator fields of a record, captured in the creator's context. */
struct sw_creator {
	struct pid *pid;
	struct sw_cgroup *cgroup;
	char comm[TASK_COMM_LEN];
};

/* records.c */
int sw_records_init(void);
void sw_records_exit(void);
void sw_track(const struct sw_setinfo *s, struct kern_ipc_perm *perm, enum sw_origin origin);
void sw_untrack(const struct ipc_namespace *ns, int id);
void sw_count_dropped(void);
unsigned int sw_tracked_count(void);
unsigned long sw_dropped_count(void);
typedef bool (*sw_visit_fn)(const struct sw_record *r, void *arg);
void sw_records_visit(sw_visit_fn fn, void *arg);

/* creator.c */
int sw_creator_init(void);
void sw_creator_exit(void);
void sw_creator_capture(struct sw_creator *c);
void sw_creator_drop(struct sw_creator *c);
void sw_creator_attach(struct sw_record *r, struct sw_creator *c);
void sw_creator_detach(struct sw_record *r);
enum sw_state sw_creator_state(const struct sw_record *r);
struct sw_cgroup *sw_cgroup_get(struct sw_cgroup *cg);
void sw_cgroup_put(struct sw_cgroup *cg);
const char *sw_cgroup_path(const struct sw_cgroup *cg);

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
bool sw_scan_was_complete(void);
int sw_ns_collect(struct sw_ns_row *rows, int max, bool all);

/* hook_kprobe.c */
int sw_removal_hook_register(void);
void sw_removal_hook_unregister(void);
int sw_kprobe_hook_register(void);
void sw_kprobe_hook_unregister(void);
unsigned long sw_kprobe_missed(void);

/* hook_tracepoint.c */
int sw_tracepoint_hook_register(void);
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
