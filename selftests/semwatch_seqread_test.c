// SPDX-License-Identifier: GPL-2.0
/*
 * Issue 4 "Reads are seq_file-based": output of many pages read in small
 * or odd-sized chunks is the same as one big read -- no row lost, doubled or
 * cut where a seq_file buffer ends.
 */
#include "sw_test.h"

#define NSETS 300

/* home: our own IPC namespace, while a debugfs read goes back to the initial one. */
FIXTURE(seq) { struct sw_ctx c; int home; };

FIXTURE_SETUP(seq)
{
	ASSERT_EQ(0, sw_save(&self->c.st));
	ASSERT_EQ(0, sw_cmd("watch_prefix 0x5e71"));
	/* A namespace of our own, so no other test's sets change the output. */
	ASSERT_EQ(0, unshare(CLONE_NEWIPC));
	for (int i = 0; i < NSETS; i++)
		ASSERT_LE(0, sw_track(&self->c, sw_mkset(0x5e710000 | (getpid() & 0x3f) << 10 | i,
							 1 + i % 3)));
}

FIXTURE_TEARDOWN(seq)
{
	/* Remove our sets in our namespace, not ids that mean other sets in the initial one. */
	if (self->home > 0)
		EXPECT_EQ(0, setns(self->home, CLONE_NEWIPC));
	EXPECT_EQ(0, sw_cleanup(&self->c));
}

/* The whole file through read(2) calls of `chunk` bytes. */
static char *read_chunked(const char *path, size_t chunk)
{
	size_t cap = 1 << 20, len = 0;
	char *buf = malloc(cap);
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0 || !buf)
		return NULL;
	while (len + chunk < cap && (n = read(fd, buf + len, chunk)) > 0)
		len += n;
	close(fd);
	buf[len] = 0;
	return buf;
}

/*
 * Blank out age columns (`age_s`, `oldest_s`): a second may tick between
 * the two reads. Everything else must be byte-for-byte equal.
 */
static void mask_ages(char *buf)
{
	for (char *l = buf; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		struct sw_row r;
		char line[512], *nl = strchr(l, '\n');
		size_t len = nl ? (size_t)(nl - l) : strlen(l);

		snprintf(line, sizeof(line), "%.*s", (int)len, l);
		sw_split(line, &r);
		/* watched/sets rows: age is the 4th field; prefixes: oldest_s the 4th. */
		if (r.n >= 8 && (sw_num(r.f[3]) >= 0 || !strcmp(r.f[3], "?") ||
				 !strcmp(r.f[3], "-"))) {
			/* From the end of field 3 on, so a wider number still lines up. */
			char *from = l + (r.f[2] - line) + strlen(r.f[2]);
			char *to = l + (r.f[3] - line) + strlen(r.f[3]);

			memset(from, '#', to - from);
		}
	}
}

/*
 * debugfs lists every namespace, and other tests' namespaces may still be torn down
 * (that runs from a workqueue): a chunked read counts only when one big read before
 * and one after it agree, so that the file did not change around it.
 */
static char *read_stable(const char *path, size_t chunk, char **whole)
{
	for (int try = 0; try < 20; try++) {
		char *before = read_chunked(path, 1 << 19), *part, *after;

		part = read_chunked(path, chunk);
		after = read_chunked(path, 1 << 19);
		if (!before || !part || !after)
			return NULL;
		mask_ages(before);
		mask_ages(part);
		mask_ages(after);
		if (!strcmp(before, after) || try == 19) {
			free(after);
			*whole = before;
			return part;
		}
		free(after);
		free(before);
		free(part);
		usleep(100000);
	}
	return NULL;
}

static void compare_chunked(struct __test_metadata *_metadata, const char *path,
			    int min_rows)
{
	static const size_t chunks[] = { 1, 7, 100, 4095, 4097 };
	char *whole = read_chunked(path, 1 << 19);
	int lines = 0;

	ASSERT_NE(NULL, whole);
	for (char *p = whole; *p; p++)
		lines += *p == '\n';
	ASSERT_LE(min_rows, lines);
	ASSERT_LT(3 * 4096, strlen(whole));	/* several seq_file pages */
	free(whole);
	for (size_t i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		char *part = read_stable(path, chunks[i], &whole);

		ASSERT_NE(NULL, part);
		EXPECT_EQ(strlen(whole), strlen(part)) TH_LOG("%s in %zu-byte reads", path, chunks[i]);
		EXPECT_EQ(0, strcmp(whole, part)) TH_LOG("%s in %zu-byte reads differ", path,
							 chunks[i]);
		free(part);
		free(whole);
	}
}

TEST_F(seq, proc_chunked_reads)
{
	struct sw_snap s;

	compare_chunked(_metadata, SW_PROC, NSETS);
	ASSERT_EQ(0, sw_snap(&s));
	EXPECT_EQ(NSETS, sw_tab(&s, "watched")->nrows);
	sw_free(&s);
}

/*
 * debugfs refuses readers outside the initial namespaces (format 2), so read it
 * from the initial IPC namespace; the fd on ours keeps it and its sets alive,
 * and the initial namespace's view lists them too.
 */
TEST_F(seq, debugfs_chunked_reads)
{
	if (access(SW_DBG_SETS, R_OK))
		SKIP(return, "debugfs not mounted");
	self->home = open("/proc/self/ns/ipc", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, self->home);
	ASSERT_LT(0, self->c.st.nsfd);
	ASSERT_EQ(0, setns(self->c.st.nsfd, CLONE_NEWIPC));
	compare_chunked(_metadata, SW_DBG_SETS, NSETS);
}

SW_TEST_MAIN()
