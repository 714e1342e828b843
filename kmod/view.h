/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SEMWATCH_VIEW_H
#define SEMWATCH_VIEW_H

#include "semwatch.h"

/*
 * Memory a view takes is charged to the reader's memory cgroup, and a reader over its
 * limit gets ENOMEM instead of the OOM killer: one open costs at most what it shows.
 * Arrays come from sw_view_alloc() (freed with kvfree()).
 */
#define SW_VIEW_GFP (GFP_KERNEL_ACCOUNT | __GFP_RETRY_MAYFAIL | __GFP_NOWARN)

/* v->dropped for a reader that may not see the host-wide count. */
#define SW_DROPPED_HIDDEN ULONG_MAX

/* A creator that the reader's PID namespace cannot see. */
#define SW_PID_HIDDEN (-1)

/* A cgroup's path for one reader (reader.c), shared by the rows of that cgroup. */
struct sw_path {
	u64 cgid;			/* first: searched for as a u64 */
	char *path;			/* NULL: unknown */
	bool hidden;			/* outside the reader's cgroup namespace */
};

/* A record as copied for one reader, in the reader's terms. */
struct sw_row {
	time64_t ctime;
	key_t key;
	int id;
	int nsems;
	unsigned int ns_inum;
	kuid_t uid;
	pid_t pid;			/* 0: unknown; SW_PID_HIDDEN: not in the reader's */
	u8 state;			/* enum sw_state */
	u32 exit, died;			/* as in struct sw_record */
	char comm[TASK_COMM_LEN];
	u64 cgid;			/* 0: unknown */
};

/* What one reader sees: see reader.c. */
struct sw_reader {
	const struct ipc_namespace *only;	/* NULL: every namespace */
	unsigned int only_inum;
	struct pid_namespace *pid_ns;
	struct cgroup_namespace *cgroup_ns;
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
	bool all_rows;			/* a row per record, not the watched prefix's only */
	loff_t (*items)(const struct sw_view *v);
	void (*show)(struct seq_file *m, const struct sw_view *v, loff_t i);
};

struct sw_view {
	const struct sw_view_file *file;
	unsigned int watch_prefix, prefix_bits, tracked;
	unsigned int truncated;		/* rows the reader may see but did not get */
	unsigned long dropped;
	time64_t now;
	struct sw_ns_row *ns;
	unsigned int n_ns;
	struct sw_prefix_row *prefixes;
	unsigned int n_prefixes;
	struct sw_row *rows;		/* sorted by prefix, then age */
	unsigned int n_rows, cap_rows;	/* printed rows only (file->all_rows) */
	struct sw_path *paths;		/* one per cgroup of the rows, sorted by cgid */
	unsigned int n_paths;
	unsigned int watched_first, n_watched;
};

static inline u32 sw_prefix_of(key_t key, unsigned int bits)
{
	return bits >= 32 ? (u32)key : (u32)key >> (32 - bits);
}

int sw_view_open(struct file *file, const struct sw_view_file *vf);
int sw_view_release(struct inode *inode, struct file *file);
void sw_show_row_header(struct seq_file *m);
void sw_show_row(struct seq_file *m, const struct sw_view *v, const struct sw_row *row);
void *sw_view_alloc(size_t n, size_t size);

/* viewcopy.c */
int sw_view_copy_records(struct sw_view *v, const struct sw_reader *rd, bool all_rows);

/* rowsort.c */
int sw_rows_sort(struct sw_row *rows, u32 n, unsigned int prefix_bits);

/* reader.c */
bool sw_reader_sees_all(void);
bool sw_reader_initial(void);
void sw_reader_from_current(struct sw_reader *rd);
pid_t sw_reader_pid(const struct sw_reader *rd, struct pid *creator);
int sw_reader_paths(struct sw_view *v, const struct sw_reader *rd);
const struct sw_path *sw_reader_row_path(const struct sw_view *v, const struct sw_row *row);
void sw_reader_paths_free(struct sw_view *v);

#endif /* SEMWATCH_VIEW_H */
