/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SEMWATCH_VIEW_H
#define SEMWATCH_VIEW_H

#include "semwatch.h"

/* Characters escaped as \ooo in comm and cgroup, so that fields never contain space. */
#define SW_ESCAPE " \t\n\\"

/* A record as copied for one reader. */
struct sw_row {
	time64_t ctime;
	key_t key;
	int id;
	int nsems;
	unsigned int ns_inum;
	kuid_t uid;
	pid_t pid;			/* 0: unknown */
	u8 state;			/* enum sw_state */
	char comm[TASK_COMM_LEN];
	struct sw_cgroup *cgroup;	/* holds a reference */
};

struct sw_prefix_row {
	u32 prefix;
	unsigned int sets, alive, dead, unknown;
	u64 sems;
	bool sems_partial;		/* some set's size is unknown */
	time64_t oldest;		/* 0: no age known */
};

struct sw_view;

/* What one file shows of a view: a number of items, each printed by show(). */
struct sw_view_file {
	loff_t (*items)(const struct sw_view *v);
	void (*show)(struct seq_file *m, const struct sw_view *v, loff_t i);
};

struct sw_view {
	const struct sw_view_file *file;
	unsigned int watch_prefix, prefix_bits, tracked;
	unsigned long dropped;
	time64_t now;
	struct sw_ns_row *ns;
	unsigned int n_ns;
	struct sw_prefix_row *prefixes;
	unsigned int n_prefixes;
	struct sw_row *rows;		/* sorted by prefix, then age */
	unsigned int n_rows, cap_rows;
	unsigned int watched_first, n_watched;
};

int sw_view_open(struct file *file, const struct sw_view_file *vf);
int sw_view_release(struct inode *inode, struct file *file);
void sw_show_row_header(struct seq_file *m);
void sw_show_row(struct seq_file *m, const struct sw_view *v, const struct sw_row *row);

#endif /* SEMWATCH_VIEW_H */
