// SPDX-License-Identifier: GPL-2.0
/*
 * A reader sees its own world. A reader outside the host's IPC, PID or user namespace
 * sees only the sets of its own IPC namespace; every reader sees creators by their PIDs
 * in its PID namespace, and cgroups by their paths in its cgroup namespace, as the
 * kernel's own /proc files do.
 * Nothing here runs in a hook: PIDs are translated while a view copies records (under
 * sw_lock, which pid_nr_ns() allows), paths after the copy, in process context, once
 * per distinct cgroup.
 */
#include <linux/bsearch.h>
#include <linux/build_bug.h>
#include <linux/cgroup.h>
#include <linux/err.h>
#include <linux/ipc_namespace.h>
#include <linux/kernel.h>
#include <linux/lockdep.h>
#include <linux/mm.h>
#include <linux/nsproxy.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/stddef.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/user_namespace.h>
#include "semwatch.h"
#include "view.h"
#include "compat/compat.h"

/*
 * Every IPC namespace is shown only to a reader in the host's IPC, PID and user
 * namespaces, and only such a writer may change the global settings. A container that
 * shares the host's IPC namespace (docker --ipc=host, a hostIPC pod) sees the host's
 * sets, as ipcs does there, but not the other containers', whose processes it cannot
 * see either. The cgroup namespace only changes the paths.
 */
bool sw_reader_sees_all(void)
{
	return current->nsproxy->ipc_ns == sw_init_ipc_ns() &&
	       task_active_pid_ns(current) == &init_pid_ns &&
	       current_user_ns() == &init_user_ns;
}

/* Debugfs shows every path too, so only a reader in all the initial namespaces may open it. */
bool sw_reader_initial(void)
{
	return sw_reader_sees_all() && current->nsproxy->cgroup_ns == sw_init_cgroup_ns();
}

/* current's namespaces, valid while current is in the open() that builds the view. */
void sw_reader_from_current(struct sw_reader *rd)
{
	struct ipc_namespace *ipc = current->nsproxy->ipc_ns;

	rd->only = sw_reader_sees_all() ? NULL : ipc;
	rd->only_inum = ipc->ns.inum;
	rd->pid_ns = task_active_pid_ns(current);
	rd->cgroup_ns = current->nsproxy->cgroup_ns;
}

/* Caller holds sw_lock, under which a record keeps its @creator referenced. */
pid_t sw_reader_pid(const struct sw_reader *rd, struct pid *creator)
{
	pid_t nr;

	lockdep_assert_held(&sw_lock);
	if (!creator)
		return 0;
	nr = pid_nr_ns(creator, rd->pid_ns);
	return nr ? nr : SW_PID_HIDDEN;
}

/*
 * The reader's cgroup namespace root as a path from the hierarchy's root ("" for the
 * root itself), computed as the kept paths are. NULL if it cannot be read.
 */
static const char *sw_reader_root(const struct sw_reader *rd, char *buf)
{
	int len;

	buf[0] = '\0';
	if (rd->cgroup_ns == sw_init_cgroup_ns())
		return buf;
	len = cgroup_path(sw_cgroup_ns_root(rd->cgroup_ns), buf, SW_PATH_MAX);
	if (len < 0 || len >= SW_PATH_MAX - 1)
		return NULL;
	if (!strcmp(buf, "/"))
		buf[0] = '\0';
	return buf;
}

/*
 * @kept cut to the reader's @root; ERR_PTR(-ENOENT) if it lies outside, NULL (unknown)
 * if the root could not be read.
 */
static char *sw_reader_cut(const char *kept, const char *root)
{
	size_t rootlen;

	if (!root)
		return NULL;
	rootlen = strlen(root);
	if (strncmp(kept, root, rootlen) || (kept[rootlen] && kept[rootlen] != '/'))
		return ERR_PTR(-ENOENT);
	return kstrdup(kept[rootlen] ? kept + rootlen : "/", SW_VIEW_GFP) ?: ERR_PTR(-ENOMEM);
}

/*
 * The path of cgroup @id as the reader's namespace shows it. ERR_PTR(-ENOENT): outside
 * the reader's namespace. NULL: unknown (no kept path, and the cgroup is gone or its
 * path too long, or the reader's own root could not be read).
 */
static char *sw_reader_path(const struct sw_reader *rd, u64 id, char *buf, const char *root)
{
	struct sw_cgroup *cg = sw_cgroup_find_get(id);
	struct cgroup *cgrp;
	char *path = NULL;
	int len;

	if (cg)
		path = sw_reader_cut(sw_cgroup_path(cg), root);
	sw_cgroup_put(cg);
	if (cg)
		return path;
	/*
	 * No path kept (too many new cgroups at once, or a long path): read it as the
	 * kept ones are read, if the cgroup lives and is in current's cgroup namespace.
	 */
	cgrp = cgroup_get_from_id(id);
	if (IS_ERR(cgrp))
		return NULL;
	len = cgroup_path(cgrp, buf, SW_PATH_MAX);
	cgroup_put(cgrp);
	if (len < 0 || len >= SW_PATH_MAX - 1)
		return NULL;
	return sw_reader_cut(buf, root);
}

/* Rows' cgroup ids are looked up in v->paths as plain u64 keys. */
static_assert(offsetof(struct sw_path, cgid) == 0);

static int sw_cgid_cmp(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

/* v->paths: the distinct cgroups of the rows, sorted by id. */
static int sw_reader_collect(struct sw_view *v)
{
	unsigned int i, n = 0, d = 0;
	u64 *ids;

	ids = sw_view_alloc(max(v->n_rows, 1U), sizeof(*ids));
	if (!ids)
		return -ENOMEM;
	/* Neighbouring rows mostly share a creator: sort only the runs' ids. */
	for (i = 0; i < v->n_rows; i++)
		if (v->rows[i].cgid && (!n || ids[n - 1] != v->rows[i].cgid))
			ids[n++] = v->rows[i].cgid;
	sort(ids, n, sizeof(*ids), sw_cgid_cmp, NULL);
	for (i = 0; i < n; i++)
		if (!d || ids[d - 1] != ids[i])
			ids[d++] = ids[i];
	/* Usually a handful: only those stay while the file is open. */
	v->paths = sw_view_alloc(max(d, 1U), sizeof(*v->paths));
	for (i = 0; v->paths && i < d; i++)
		v->paths[i] = (struct sw_path){ .cgid = ids[i] };
	v->n_paths = v->paths ? d : 0;
	kvfree(ids);
	return v->paths ? 0 : -ENOMEM;
}

/* Process context: the path of every row's cgroup in the reader's cgroup namespace. */
int sw_reader_paths(struct sw_view *v, const struct sw_reader *rd)
{
	const char *root;
	struct sw_path *p;
	unsigned int i;
	char *buf;
	int err;

	might_sleep();
	err = sw_reader_collect(v);
	if (err)
		return err;
	buf = kmalloc(2 * SW_PATH_MAX, SW_VIEW_GFP);
	if (!buf)
		return -ENOMEM;
	root = sw_reader_root(rd, buf + SW_PATH_MAX);
	for (i = 0; !err && i < v->n_paths; i++) {
		p = &v->paths[i];
		p->path = sw_reader_path(rd, p->cgid, buf, root);
		p->hidden = PTR_ERR_OR_ZERO(p->path) == -ENOENT;
		err = PTR_ERR_OR_ZERO(p->path) == -ENOMEM ? -ENOMEM : 0;
		if (IS_ERR(p->path))
			p->path = NULL;
		cond_resched();
	}
	kfree(buf);
	return err;
}

/* The path of a row's cgroup; NULL: unknown. Inline: it runs for every printed row. */
const struct sw_path *sw_reader_row_path(const struct sw_view *v, const struct sw_row *row)
{
	if (!row->cgid)
		return NULL;
	return __inline_bsearch(&row->cgid, v->paths, v->n_paths, sizeof(*v->paths),
				sw_cgid_cmp);
}

void sw_reader_paths_free(struct sw_view *v)
{
	unsigned int i;

	for (i = 0; i < v->n_paths; i++)
		kfree(v->paths[i].path);
	kvfree(v->paths);
	v->paths = NULL;
	v->n_paths = 0;
}
