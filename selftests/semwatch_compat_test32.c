// SPDX-License-Identifier: GPL-2.0
/*
 * Issue 4 "Must show": 32-bit compat. Built -m32 -static (the Makefile skips
 * this file when the toolchain cannot). An i386 task reaches semget through
 * ipc(SEMGET) or through the i386 semget syscall (393); the tracepoint hook
 * must decode both, the kprobe sees them as any creation.
 */
#include "sw_test.h"

#ifndef __i386__
#error "semwatch_compat_test32.c must be built with -m32"
#endif

#define I386_NR_IPC	117
#define I386_NR_SEMGET	393
#define IPC_CALL_SEMGET	2

FIXTURE(compat) { struct sw_ctx c; char comm[16]; };
FIXTURE_SETUP(compat)
{
	ASSERT_EQ(0, sw_save(&self->c.st));
	ASSERT_EQ(0, sw_cmd("watch_prefix 0x5e71"));
	snprintf(self->comm, sizeof(self->comm), "sw-compat32");
	ASSERT_EQ(0, prctl(PR_SET_NAME, self->comm));
}
FIXTURE_TEARDOWN(compat) { EXPECT_EQ(0, sw_cleanup(&self->c)); }

static void check_created(struct __test_metadata *_metadata, FIXTURE_DATA(compat) *self,
			  uint32_t key, int id, int nsems)
{
	struct sw_snap s;
	struct sw_tab *w;
	int r;

	ASSERT_LE(0, id) TH_LOG("semget: %s", strerror(errno));
	sw_track(&self->c, id);
	ASSERT_EQ(0, sw_snap(&s));
	w = sw_tab(&s, "watched");
	r = sw_find_set(w, key, sw_ns_ino(0));
	ASSERT_LE(0, r) TH_LOG("32-bit creation of 0x%08x not recorded", key);
	EXPECT_EQ(getpid(), sw_ncell(w, r, "pid"));
	EXPECT_STREQ(self->comm, sw_cell(w, r, "comm"));
	EXPECT_STREQ("alive", sw_cell(w, r, "state"));
	EXPECT_EQ(id, sw_ncell(w, r, "semid"));
	EXPECT_EQ(nsems, sw_ncell(w, r, "nsems"));
	sw_free(&s);
}

TEST_F(compat, ipc_semget)
{
	uint32_t key = sw_key(0x5e71, 0x60);
	int id;

	id = syscall(I386_NR_IPC, IPC_CALL_SEMGET, key, 3, IPC_CREAT | IPC_EXCL | 0600, 0, 0);
	check_created(_metadata, self, key, id, 3);
	/* Opening it again through ipc() is no creation: the record stays. */
	ASSERT_EQ(id, syscall(I386_NR_IPC, IPC_CALL_SEMGET, key, 0, 0, 0, 0));
	check_created(_metadata, self, key, id, 3);
}

TEST_F(compat, direct_semget)
{
	uint32_t key = sw_key(0x5e71, 0x61);

	check_created(_metadata, self, key,
		      syscall(I386_NR_SEMGET, key, 2, IPC_CREAT | IPC_EXCL | 0600), 2);
}

TEST_F(compat, libc_semget)
{
	uint32_t key = sw_key(0x5e71, 0x62);

	check_created(_metadata, self, key, semget(key, 4, IPC_CREAT | IPC_EXCL | 0600), 4);
}

/* IPC_PRIVATE via ipc(): shows up in the private prefix 0x0000 counts. */
TEST_F(compat, ipc_private)
{
	struct sw_snap s;
	struct sw_tab *p;
	long long before;
	int id;

	ASSERT_EQ(0, unshare(CLONE_NEWIPC));
	ASSERT_EQ(0, sw_snap(&s));
	p = sw_tab(&s, "prefixes");
	before = sw_find(p, "prefix", 0) < 0 ? 0 : sw_ncell(p, sw_find(p, "prefix", 0), "sets");
	sw_free(&s);
	id = syscall(I386_NR_IPC, IPC_CALL_SEMGET, IPC_PRIVATE, 5, 0600, 0, 0);
	ASSERT_LE(0, sw_track(&self->c, id));
	ASSERT_EQ(0, sw_snap(&s));
	p = sw_tab(&s, "prefixes");
	ASSERT_LE(0, sw_find(p, "prefix", 0));
	EXPECT_EQ(before + 1, sw_ncell(p, sw_find(p, "prefix", 0), "sets"));
	EXPECT_EQ(5, sw_ncell(p, sw_find(p, "prefix", 0), "sems"));
	sw_free(&s);
}

SW_TEST_MAIN()
