// SPDX-License-Identifier: GPL-2.0
/*
 * Who created a set: a struct pid reference (exact liveness across PID reuse), the comm,
 * and the cgroup v2 path. Paths are interned per cgroup, because a container that leaks
 * cookies leaks many from the same cgroup, and a record has room for a pointer only.
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

struct sw_cgroup {
	struct hlist_node node;
	u64 id;
	unsigned int refs;	/* under sw_lock */
	char path[];
};

static DEFINE_HASHTABLE(sw_cgroups, 8);
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
	cg = sw_cgroup_lookup(cgroup_id(cgrp));
	if (cg)
		cg->refs++;
	spin_unlock(&sw_lock);
	if (!cg)
		fresh = sw_cgroup_alloc(cgrp);
	rcu_read_unlock();
	if (!fresh)
		return cg;

	spin_lock(&sw_lock);
	cg = sw_cgroup_lookup(fresh->id);
	if (cg) {
		cg->refs++;
	} else {
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
	if (cg)
		cg->refs++;
	return cg;
}

static void sw_cgroup_put_locked(struct sw_cgroup *cg)
{
	if (cg && !--cg->refs) {
		hash_del(&cg->node);
		kfree(cg);
	}
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
	/* Every record has gone, and with them every cgroup reference. */
	WARN_ON_ONCE(!hash_empty(sw_cgroups));
	free_percpu(sw_path_buf);
}
