// SPDX-License-Identifier: GPL-2.0
/*
 * A fixed ring of the latest creations and removals, for debugfs. Removals name the
 * process that removed the set (a kworker for namespace teardown), which is often the
 * question after "who created it".
 */
#include <linux/lockdep.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include "semwatch.h"

#define SW_EVENTS 1024

struct sw_event {
	u64 seq;
	time64_t time;
	key_t key;
	int id;
	unsigned int ns_inum;
	pid_t pid;		/* 0: none (op found) */
	u8 op;
	char comm[TASK_COMM_LEN];
};

/* Under sw_lock. */
static struct sw_event sw_events[SW_EVENTS];
static u64 sw_event_seq;

static const char *const sw_op_names[] = {
	[SW_OP_CREATE] = "create",
	[SW_OP_REMOVE] = "remove",
	[SW_OP_FOUND] = "found",
};

/* Caller holds sw_lock. */
void sw_event_log(enum sw_op op, const struct sw_record *r)
{
	struct sw_event *e = &sw_events[sw_event_seq % SW_EVENTS];

	lockdep_assert_held(&sw_lock);
	e->seq = ++sw_event_seq;
	e->time = ktime_get_real_seconds();
	e->op = op;
	e->key = r->key;
	e->id = r->id;
	e->ns_inum = r->ns_inum;
	if (op == SW_OP_FOUND) {
		e->pid = 0;
		e->comm[0] = '\0';
		return;
	}
	e->pid = task_tgid_nr(current);
	memcpy(e->comm, current->comm, sizeof(e->comm));
	e->comm[sizeof(e->comm) - 1] = '\0';
}

/* One copy of the ring (about 50 KiB) under sw_lock: a few microseconds. */
static unsigned int sw_events_copy(struct sw_event *out)
{
	unsigned int n, first, i;

	raw_spin_lock(&sw_lock);
	n = min_t(u64, sw_event_seq, SW_EVENTS);
	first = (sw_event_seq - n) % SW_EVENTS;
	for (i = 0; i < n; i++)
		out[i] = sw_events[(first + i) % SW_EVENTS];
	raw_spin_unlock(&sw_lock);
	return n;
}

static void sw_event_show(struct seq_file *m, const struct sw_event *e)
{
	seq_printf(m, "%8llu %11lld %-6s ", e->seq, e->time, sw_op_names[e->op]);
	if (e->pid)
		seq_printf(m, "%8d ", e->pid);
	else
		seq_printf(m, "%8s ", "?");
	sw_show_field(m, e->comm);
	seq_printf(m, " %10u 0x%08x %d\n", e->ns_inum, (u32)e->key, e->id);
}

int sw_events_show(struct seq_file *m, void *unused)
{
	struct sw_event *copy;
	unsigned int i, n;

	copy = kvmalloc_array(SW_EVENTS, sizeof(*copy), GFP_KERNEL);
	if (!copy)
		return -ENOMEM;
	n = sw_events_copy(copy);
	seq_printf(m, "%8s %11s %-6s %8s %s %10s %10s %s\n",
		   "seq", "time", "op", "pid", "comm", "ns", "key", "semid");
	for (i = 0; i < n; i++)
		sw_event_show(m, &copy[i]);
	kvfree(copy);
	return 0;
}
