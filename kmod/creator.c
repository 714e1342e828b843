// SPDX-License-Identifier: GPL-2.0
/*
 * Who created a set: a struct pid reference (exact liveness across PID reuse), the comm,
 * and the cgroup v2 path. Paths are interned per cgroup, because a container that leaks
 * cookies leaks many from the same cgroup, and a record has room for a pointer only.
 * A path is computed once per entry, so a cgroup renamed while its entry lives keeps its
 * old path. Cgroup ids are never reused, so a removed cgroup's entry is never matched
 * again; it is freed when no record refers to it and it ages out of the idle entries.
 */
#include <linux/cgroup.h>
#include <linux/hashtable.h>
#include <linux/overflow.h>
#include <linux/percpu.h>
#include <linux/pid.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include "semwatch.h"

/* Longer paths are kept truncated; the common ones (systemd, docker, k8s) fit. */
#define SW_PATH_MAX 1024
/*
 * Entries no record refers to that are kept, least recently released first out. Without
 * them, creating and removing sets one at a time (dm cookies) would compute the path and
 * allocate an entry for every set: most of the module's cost per set.
 */
#define SW_CGROUP_IDLE_MAX 16

/* Under sw_lock. */
struct sw_cgroup {
	struct hlist_node node;
	struct list_head idle;	/* on sw_cgroups_idle while refs is 0 */
	u64 id;
	unsigned int refs;
	char path[];
};

static DEFINE_HASHTABLE(sw_cgroups, 8);
static LIST_HEAD(sw_cgroups_idle);
static unsigned int sw_cgroups_nidle;
static char __percpu *sw_path_buf;

static struct sw_cgroup *sw_cgroup_lookup(u64 id)
{
	struct sw_cgroup *cg;

	hash_for_each_possible(sw_cgroups, cg, node, id)
		if (cg->id == id)
			return cg;
	return NULL;
}

/* Called under rcu_read_lock(), which keeps @cgrp and its kernfs node alive. */
static struct sw_cgroup *sw_cgroup_alloc(struct cgroup *cgrp)
{
	struct sw_cgroup *cg = NULL;
	char *buf = get_cpu_ptr(sw_path_buf);
	int len = cgroup_path(cgrp, buf, SW_PATH_MAX);

	/* Older kernels return the untruncated length, newer ones -E2BIG. */
	if (len == -E2BIG || len >= SW_PATH_MAX)
		len = strlen(buf);
	if (len >= 0)
		cg = kmalloc(struct_size(cg, path, len + 1), GFP_NOWAIT | __GFP_NOWARN);
	if (cg) {
		memcpy(cg->path, buf, len + 1);
		cg->id = cgroup_id(cgrp);
		cg->refs = 1;
	}
	put_cpu_ptr(sw_path_buf);
	return cg;
}

static struct sw_cgroup *sw_cgroup_of_current(void)
{
	struct sw_cgroup *cg, *fresh = NULL;
	struct cgroup *cgrp;

	rcu_read_lock();
	cgrp = task_dfl_cgroup(current);
	spin_lock(&sw_lock);
	cg = sw_cgroup_get(sw_cgroup_lookup(cgroup_id(cgrp)));
	spin_unlock(&sw_lock);
	if (!cg)
		fresh = sw_cgroup_alloc(cgrp);
	rcu_read_unlock();
	if (!fresh)
		return cg;

	spin_lock(&sw_lock);
	cg = sw_cgroup_get(sw_cgroup_lookup(fresh->id));
	if (!cg) {
		hash_add(sw_cgroups, &fresh->node, fresh->id);
		cg = fresh;
		fresh = NULL;
	}
	spin_unlock(&sw_lock);
	kfree(fresh);
	return cg;
}

/* Caller holds sw_lock. */
struct sw_cgroup *sw_cgroup_get(struct sw_cgroup *cg)
{
	if (cg && !cg->refs++) {
		list_del(&cg->idle);
		sw_cgroups_nidle--;
	}
	return cg;
}

/* Caller holds sw_lock. An unused entry is kept; the oldest beyond the limit is freed. */
static void sw_cgroup_put_locked(struct sw_cgroup *cg)
{
	if (!cg || --cg->refs)
		return;
	list_add_tail(&cg->idle, &sw_cgroups_idle);
	if (sw_cgroups_nidle < SW_CGROUP_IDLE_MAX) {
		sw_cgroups_nidle++;
		return;
	}
	cg = list_first_entry(&sw_cgroups_idle, struct sw_cgroup, idle);
	list_del(&cg->idle);
	hash_del(&cg->node);
	kfree(cg);
}

void sw_cgroup_put(struct sw_cgroup *cg)
{
	if (!cg)
		return;
	spin_lock(&sw_lock);
	sw_cgroup_put_locked(cg);
	spin_unlock(&sw_lock);
}

const char *sw_cgroup_path(const struct sw_cgroup *cg)
{
	return cg ? cg->path : NULL;
}

/* Runs in the creator's context, without sw_lock. */
void sw_creator_capture(struct sw_creator *c)
{
	c->pid = get_pid(task_tgid(current));
	/* Not get_task_comm(): it takes task_lock, which may not nest inside sw_lock. */
	memcpy(c->comm, current->comm, sizeof(c->comm));
	c->comm[sizeof(c->comm) - 1] = '\0';
	c->cgroup = sw_cgroup_of_current();
}

/* Releases what sw_creator_attach() did not take over. Without sw_lock. */
void sw_creator_drop(struct sw_creator *c)
{
	put_pid(c->pid);
	sw_cgroup_put(c->cgroup);
	c->pid = NULL;
	c->cgroup = NULL;
}

/* Caller holds sw_lock. Moves @c's references into @r. */
void sw_creator_attach(struct sw_record *r, struct sw_creator *c)
{
	r->creator = c->pid;
	r->cgroup = c->cgroup;
	memcpy(r->comm, c->comm, sizeof(r->comm));
	c->pid = NULL;
	c->cgroup = NULL;
}

/* Caller holds sw_lock. */
void sw_creator_detach(struct sw_record *r)
{
	put_pid(r->creator);
	sw_cgroup_put_locked(r->cgroup);
	r->creator = NULL;
	r->cgroup = NULL;
	r->comm[0] = '\0';
}

/* Dead means every thread of the creating process has exited. */
enum sw_state sw_creator_state(const struct sw_record *r)
{
	struct task_struct *t;
	bool alive;

	if (!r->creator)
		return SW_UNKNOWN;
	rcu_read_lock();
	t = pid_task(r->creator, PIDTYPE_TGID);
	alive = t && atomic_read(&t->signal->live) > 0;
	rcu_read_unlock();
	return alive ? SW_ALIVE : SW_DEAD;
}

int sw_creator_init(void)
{
	sw_path_buf = __alloc_percpu(SW_PATH_MAX, 1);
	return sw_path_buf ? 0 : -ENOMEM;
}

void sw_creator_exit(void)
{
	struct sw_cgroup *cg, *tmp;

	/* Every record has gone, and with them every cgroup reference: all are idle. */
	list_for_each_entry_safe(cg, tmp, &sw_cgroups_idle, idle) {
		hash_del(&cg->node);
		kfree(cg);
	}
	WARN_ON_ONCE(!hash_empty(sw_cgroups));
	free_percpu(sw_path_buf);
}
