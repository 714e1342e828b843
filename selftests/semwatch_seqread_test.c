// SPDX-License-Identifier: GPL-2.0
/*
 * Issue 4 "Reads are seq_file-based": output of many pages read in small
 * or odd-sized chunks is the same as one big read -- no row lost, doubled or
 * cut where a seq_file buffer ends.
 */
#include "sw_test.h"

#define NSETS 300

FIXTURE(seq) { struct sw_ctx c; };

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

FIXTURE_TEARDOWN(seq) { EXPECT_EQ(0, sw_cleanup(&self->c)); }

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
	mask_ages(whole);
	for (size_t i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		char *part = read_chunked(path, chunks[i]);

		ASSERT_NE(NULL, part);
		mask_ages(part);
		EXPECT_EQ(strlen(whole), strlen(part)) TH_LOG("%s in %zu-byte reads", path, chunks[i]);
		EXPECT_STREQ(whole, part) TH_LOG("%s in %zu-byte reads", path, chunks[i]);
		free(part);
	}
	free(whole);
}

TEST_F(seq, proc_chunked_reads)
{
	struct sw_snap s;

	compare_chunked(_metadata, SW_PROC, NSETS);
	ASSERT_EQ(0, sw_snap(&s));
	EXPECT_EQ(NSETS, sw_tab(&s, "watched")->nrows);
	sw_free(&s);
}

TEST_F(seq, debugfs_chunked_reads)
{
	if (access(SW_DBG_SETS, R_OK))
		SKIP(return, "debugfs not mounted");
	compare_chunked(_metadata, SW_DBG_SETS, NSETS);
}

SW_TEST_MAIN()
