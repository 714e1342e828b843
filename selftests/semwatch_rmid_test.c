// SPDX-License-Identifier: GPL-2.0
/*
 * Issue 4 "Must show": a set removed with IPC_RMID disappears; an id reused
 * afterwards is attributed to its new creator, never the old one.
 */
#include "sw_test.h"

struct mk { uint32_t key; int nsems; int next_id; };

/* Creator child; next_id >= 0 steers the id via sem_next_id first. */
static int mk_one(void *arg, int *out, int max SW_UNUSED)
{
	struct mk *m = arg;

	if (m->next_id >= 0) {
		char b[16];
		int fd = open("/proc/sys/kernel/sem_next_id", O_WRONLY), n;

		n = snprintf(b, sizeof(b), "%d", m->next_id);
		if (fd < 0 || write(fd, b, n) != n)
			return -ENOSYS;
		close(fd);
	}
	out[0] = sw_mkset(m->key, m->nsems);
	return out[0] < 0 ? out[0] : 1;
}

FIXTURE(rmid) { struct sw_ctx c; };
FIXTURE_SETUP(rmid)
{
	ASSERT_EQ(0, sw_save(&self->c.st));
	ASSERT_EQ(0, sw_cmd("watch_prefix 0x5e71"));
}
FIXTURE_TEARDOWN(rmid) { EXPECT_EQ(0, sw_cleanup(&self->c)); }

static int listed(struct __test_metadata *_metadata, const char *path, int semid)
{
	struct sw_snap s;
	int n;

	if (access(path, R_OK))
		return 0;
	EXPECT_EQ(0, sw_snap_file(&s, path));
	n = sw_count(sw_tab(&s, strcmp(path, SW_PROC) ? "" : "watched"), "semid", semid);
	sw_free(&s);
	return n;
}

TEST_F(rmid, removed_row_disappears)
{
	uint32_t key = sw_key(0x5e71, 0x40);
	int id = sw_track(&self->c, sw_mkset(key, 1));
	int dbg = !access(SW_DBG_SETS, R_OK);

	ASSERT_LE(0, id);
	ASSERT_EQ(1, listed(_metadata, SW_PROC, id));
	if (dbg)
		ASSERT_EQ(1, listed(_metadata, SW_DBG_SETS, id));
	ASSERT_EQ(0, semctl(id, 0, IPC_RMID));
	/* Removal is hooked synchronously: gone as soon as semctl returns. */
	EXPECT_EQ(0, listed(_metadata, SW_PROC, id));
	if (dbg)
		EXPECT_EQ(0, listed(_metadata, SW_DBG_SETS, id));
}

/*
 * Same key and the very same semid (index and sequence) for a new creator:
 * in a private namespace, sem_next_id hands the freed id out again.
 */
TEST_F(rmid, reused_id_has_new_creator)
{
	struct mk m = { .key = sw_key(0x5e71, 0x41), .nsems = 1, .next_id = -1 };
	struct sw_child *old = &self->c.kids[self->c.nkids++];
	struct sw_child *new = &self->c.kids[self->c.nkids++];
	struct sw_snap s;
	struct sw_tab *w;
	pid_t oldpid;
	int id, id2, r;

	ASSERT_EQ(0, unshare(CLONE_NEWIPC));
	ASSERT_EQ(1, sw_spawn(old, "sw-old", mk_one, &m, &id, 1));
	oldpid = old->pid;
	ASSERT_EQ(0, sw_release(old));
	ASSERT_EQ(0, semctl(id, 0, IPC_RMID));

	m.next_id = id;
	m.nsems = 2;
	r = sw_spawn(new, "sw-new", mk_one, &m, &id2, 1);
	if (r == -ENOSYS)
		SKIP(return, "no sem_next_id (CONFIG_CHECKPOINT_RESTORE)");
	ASSERT_EQ(1, r);
	sw_track(&self->c, id2);
	ASSERT_EQ(id, id2) TH_LOG("kernel did not reuse semid %d", id);

	ASSERT_EQ(0, sw_snap(&s));
	w = sw_tab(&s, "watched");
	EXPECT_EQ(1, sw_count(w, "semid", id));
	EXPECT_EQ(0, sw_count(w, "pid", oldpid));
	r = sw_find_set(w, m.key, sw_ns_ino(0));
	ASSERT_LE(0, r);
	EXPECT_EQ(new->pid, sw_ncell(w, r, "pid"));
	EXPECT_STREQ("sw-new", sw_cell(w, r, "comm"));
	EXPECT_STREQ("alive", sw_cell(w, r, "state"));
	EXPECT_EQ(2, sw_ncell(w, r, "nsems"));
	sw_free(&s);
}

/*
 * Index reuse without sem_next_id: ipc_idr_alloc cycles through the first
 * 64 indices of an almost empty namespace, so create/remove until the old
 * index comes round again (with a new sequence number).
 */
TEST_F(rmid, reused_index_has_new_creator)
{
	struct mk m = { .key = sw_key(0x5e71, 0x42), .nsems = 1, .next_id = -1 };
	struct sw_child *old = &self->c.kids[self->c.nkids++];
	struct sw_snap s;
	struct sw_tab *w;
	pid_t oldpid;
	int id, id2 = -1, r, tries;

	ASSERT_EQ(0, unshare(CLONE_NEWIPC));
	ASSERT_EQ(1, sw_spawn(old, "sw-old", mk_one, &m, &id, 1));
	oldpid = old->pid;
	ASSERT_EQ(0, sw_release(old));
	ASSERT_EQ(0, semctl(id, 0, IPC_RMID));
	for (tries = 0; tries < 1000; tries++) {
		id2 = sw_mkset(sw_key(0x5e71, 0x43), 3);
		ASSERT_LE(0, id2);
		if (id2 % 32768 == id % 32768)
			break;
		ASSERT_EQ(0, semctl(id2, 0, IPC_RMID));
	}
	sw_track(&self->c, id2);
	ASSERT_EQ(id % 32768, id2 % 32768) TH_LOG("index of %d never reused", id);
	ASSERT_NE(id, id2);
	ASSERT_EQ(0, sw_snap(&s));
	w = sw_tab(&s, "watched");
	EXPECT_EQ(0, sw_count(w, "semid", id));
	EXPECT_EQ(0, sw_count(w, "pid", oldpid));
	EXPECT_EQ(-1, sw_find_set(w, m.key, 0));
	r = sw_find(w, "semid", id2);
	ASSERT_LE(0, r);
	EXPECT_EQ(3, sw_ncell(w, r, "nsems"));
	EXPECT_EQ(getpid(), sw_ncell(w, r, "pid"));
	sw_free(&s);
}

SW_TEST_MAIN()
