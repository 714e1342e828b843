// SPDX-License-Identifier: GPL-2.0
/*
 * --all-namespaces: every IPC namespace that some process lives in, found
 * through /proc/PID/ns/ipc, visited once each (deduplicated by inode) with
 * setns(), and back to our own afterwards.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "semwatch.h"

struct nsent {
	unsigned long long ino;
	pid_t pid;
};

static int cmp_ns(const void *a, const void *b)
{
	const struct nsent *x = a, *y = b;

	return (x->ino > y->ino) - (x->ino < y->ino);
}

static int list_ns(struct nsent **out, size_t *n)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	size_t cap = 0;
	char path[300];
	struct stat st;

	*out = NULL;
	*n = 0;
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/ns/ipc", de->d_name);
		if (stat(path, &st))	/* exited, or a kernel thread */
			continue;
		if (sw_grow((void **)out, &cap, *n, sizeof(**out))) {
			closedir(d);
			return -ENOMEM;
		}
		(*out)[*n].ino = (unsigned long long)st.st_ino;
		(*out)[(*n)++].pid = (pid_t)atoi(de->d_name);
	}
	closedir(d);
	return 0;
}

/* Enter ns e, checking that the pid was not reused for another namespace. */
static int enter(const struct nsent *e)
{
	char path[64];
	struct stat st;
	int fd, ret = 0;

	snprintf(path, sizeof(path), "/proc/%d/ns/ipc", (int)e->pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || (unsigned long long)st.st_ino != e->ino)
		ret = -ESRCH;
	else if (setns(fd, CLONE_NEWIPC))
		ret = -errno;
	close(fd);
	return ret;
}

static int visit_all(sw_ns_fn fn, void *arg, int home)
{
	struct nsent *v = NULL;
	size_t n = 0, i;
	int ret = list_ns(&v, &n);

	if (ret)
		return ret;
	qsort(v, n, sizeof(*v), cmp_ns);
	for (i = 0; i < n && !ret; i++) {
		if (i && v[i].ino == v[i - 1].ino)
			continue;
		ret = enter(&v[i]);
		if (ret == -ENOENT || ret == -ESRCH) {	/* it died: no ns left */
			ret = 0;
			continue;
		}
		if (!ret)
			ret = fn(v[i].ino, arg);
		if (setns(home, CLONE_NEWIPC) && !ret)
			ret = -errno;
	}
	free(v);
	return ret;
}

int sw_for_each_ns(bool all, sw_ns_fn fn, void *arg)
{
	unsigned long long self;
	int home, ret = sw_ns_self(&self);

	if (ret)
		return ret;
	if (!all)
		return fn(self, arg);
	home = open("/proc/self/ns/ipc", O_RDONLY | O_CLOEXEC);
	if (home < 0)
		return -errno;
	ret = visit_all(fn, arg, home);
	close(home);
	return ret;
}
