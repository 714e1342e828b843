// SPDX-License-Identifier: GPL-2.0
/*
 * Issues 4 and 8: invalid writes get EINVAL and change nothing; valid ones
 * work; non-root can neither read nor write; no output shows a kernel
 * address.
 */
#include "sw_test.h"
#include <ctype.h>

FIXTURE(wr) { struct sw_ctx c; };
FIXTURE_SETUP(wr)
{
	ASSERT_EQ(0, sw_save(&self->c.st));
	/* Known start: the defaults the module loads with. */
	ASSERT_EQ(0, sw_cmd("watch_prefix 0x0d4d"));
	ASSERT_EQ(0, sw_cmd("prefix_bits 16"));
}
FIXTURE_TEARDOWN(wr) { EXPECT_EQ(0, sw_cleanup(&self->c)); }

/* The whole name: value block, to prove an invalid write changed nothing. */
static char *settings(void)
{
	struct sw_snap s;
	char *out = malloc(256);

	if (!out || sw_snap(&s))
		return out;
	snprintf(out, 256, "%s %s %s", sw_hdr(&s, "watch_prefix"),
		 sw_hdr(&s, "prefix_bits"), sw_hdr(&s, "max_records"));
	sw_free(&s);
	return out;
}

struct bad { const char *what; const char *buf; size_t len; };
#define BAD(w, s) { w, s, sizeof(s) - 1 }

TEST_F(wr, invalid_writes_einval_and_no_change)
{
	static char longline[201], line64[65];
	struct bad bad[] = {
		BAD("unknown command", "frobnicate 1"),
		BAD("no value", "watch_prefix"),
		BAD("no value, space", "watch_prefix \n"),
		BAD("prefix too wide", "watch_prefix 0x1ffff"),
		BAD("negative", "watch_prefix -1"),
		BAD("trailing junk", "watch_prefix 12abc"),
		BAD("two values", "watch_prefix 0x5e71 0x5e72"),
		BAD("overflow", "watch_prefix 99999999999999999999999"),
		BAD("bits 0", "prefix_bits 0"),
		BAD("bits 33", "prefix_bits 33"),
		BAD("0x0d4d does not fit 8 bits", "prefix_bits 8"),
		BAD("bits junk", "prefix_bits 16x"),
		BAD("binary", "\x01\xff\xfe\x80garbage\x7f"),
		BAD("embedded NUL", "watch_prefix 0x5e71\0junk"),
		{ "200-byte line", longline, 200 },
		{ "64-byte line", line64, 64 },
		{ "empty write", "", 0 },
	};
	char *before = settings(), *after;

	/* Numerically valid, but longer than the 63-byte limit. */
	snprintf(longline, sizeof(longline), "watch_prefix 0x%0*d5e71", 200 - 19, 0);
	snprintf(line64, sizeof(line64), "watch_prefix 0x%0*d5e71", 64 - 19, 0);
	ASSERT_EQ(200U, strlen(longline));
	ASSERT_EQ(64U, strlen(line64));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(EINVAL, sw_write(bad[i].buf, bad[i].len))
			TH_LOG("write of %s", bad[i].what);
		after = settings();
		EXPECT_STREQ(before, after) TH_LOG("after %s", bad[i].what);
		free(after);
	}
	free(before);
}

TEST_F(wr, valid_writes)
{
	char line63[64];
	struct sw_snap s;

	ASSERT_EQ(0, sw_cmd("watch_prefix 0x5e71"));
	ASSERT_EQ(0, sw_snap(&s));
	EXPECT_STREQ("0x5e71", sw_hdr(&s, "watch_prefix"));
	sw_free(&s);
	/* As `echo` writes it: decimal, trailing newline. */
	ASSERT_EQ(0, sw_cmd("watch_prefix 3405\n"));
	ASSERT_EQ(0, sw_snap(&s));
	EXPECT_STREQ("0x0d4d", sw_hdr(&s, "watch_prefix"));
	sw_free(&s);
	/* Width change: the prefix must fit, so narrow the prefix first. */
	ASSERT_EQ(0, sw_cmd("watch_prefix 0xd"));
	ASSERT_EQ(0, sw_cmd("prefix_bits 4"));
	ASSERT_EQ(EINVAL, sw_cmd("watch_prefix 0x10"));
	ASSERT_EQ(0, sw_cmd("prefix_bits 32\n"));
	ASSERT_EQ(0, sw_cmd("watch_prefix 0xffffffff"));
	ASSERT_EQ(0, sw_snap(&s));
	EXPECT_EQ(32, sw_num(sw_hdr(&s, "prefix_bits")));
	EXPECT_EQ(0xffffffffLL, sw_num(sw_hdr(&s, "watch_prefix")));
	sw_free(&s);
	ASSERT_EQ(0, sw_cmd("watch_prefix 0"));
	ASSERT_EQ(0, sw_cmd("prefix_bits 16"));
	/* Exactly 63 bytes (with the newline) is still accepted. */
	snprintf(line63, sizeof(line63), "watch_prefix 0x%0*d5e71\n", 63 - 20, 0);
	ASSERT_EQ(63U, strlen(line63));
	ASSERT_EQ(0, sw_cmd(line63));
	ASSERT_EQ(0, sw_snap(&s));
	EXPECT_STREQ("0x5e71", sw_hdr(&s, "watch_prefix"));
	sw_free(&s);
}

/* Try open(path, flags) as nobody; returns the errno (0 if it opened). */
static int errno_as_nobody(const char *path, int flags)
{
	int p[2], e = EPROTO;
	pid_t pid;

	if (pipe(p))
		return EPROTO;
	pid = fork();
	if (pid == 0) {
		int fd;

		e = setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534)
			? EPROTO : 0;
		fd = e ? -1 : open(path, flags);
		if (!e)
			e = fd < 0 ? errno : 0;
		/* An open that succeeded must still not let data through. */
		if (fd >= 0 && flags == O_RDONLY && read(fd, &(char[64]){ 0 }, 64) < 0)
			e = errno;
		if (fd >= 0 && flags == O_WRONLY && write(fd, "watch_prefix 1", 14) < 0)
			e = errno;
		_exit(write(p[1], &e, sizeof(e)) == sizeof(e) ? 0 : 1);
	}
	close(p[1]);
	if (read(p[0], &e, sizeof(e)) != sizeof(e))
		e = EPROTO;
	close(p[0]);
	waitpid(pid, NULL, 0);
	return e;
}

#define REFUSED(e) ((e) == EACCES || (e) == EPERM)

TEST_F(wr, nonroot_refused)
{
	const char *dbg[] = { SW_DBG_SETS, SW_DBG_EVENTS };
	char *before = settings(), *after;
	struct stat st;
	int e;

	ASSERT_EQ(0, stat(SW_PROC, &st));
	EXPECT_EQ(0600U, st.st_mode & 07777);
	EXPECT_EQ(0U, st.st_uid);
	e = errno_as_nobody(SW_PROC, O_RDONLY);
	EXPECT_TRUE(REFUSED(e)) TH_LOG("non-root read: %s", strerror(e));
	e = errno_as_nobody(SW_PROC, O_WRONLY);
	EXPECT_TRUE(REFUSED(e)) TH_LOG("non-root write: %s", strerror(e));
	for (int i = 0; i < 2; i++) {
		if (access(dbg[i], F_OK))
			continue;
		e = errno_as_nobody(dbg[i], O_RDONLY);
		EXPECT_TRUE(REFUSED(e)) TH_LOG("non-root read of %s: %s", dbg[i], strerror(e));
	}
	after = settings();
	EXPECT_STREQ(before, after);
	free(before);
	free(after);
}

/* A root-opened fd handed to a process that dropped root: write refused. */
TEST_F(wr, inherited_fd_write_refused)
{
	int fd = open(SW_PROC, O_WRONLY), st;
	char *before = settings(), *after;
	pid_t pid;

	ASSERT_LE(0, fd);
	pid = fork();
	if (pid == 0) {
		if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
			_exit(100);
		_exit(write(fd, "watch_prefix 0x1234", 19) < 0 ? errno : 0);
	}
	close(fd);
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_TRUE(WIFEXITED(st));
	EXPECT_TRUE(REFUSED(WEXITSTATUS(st))) TH_LOG("write gave %d", WEXITSTATUS(st));
	after = settings();
	EXPECT_STREQ(before, after);
	free(before);
	free(after);
}

/* proc_mode=0644 lets anyone read, but writing still needs root. */
TEST_F_TIMEOUT(wr, proc_mode_0644_still_root_writes, 60)
{
	char *before, *after;
	struct stat st;

	if (!sw_can_reload())
		SKIP(return, "SEMWATCH_KO/SEMWATCH_HOOK unset: cannot reload");
	self->c.reloaded = 1;
	ASSERT_EQ(0, sw_reload("proc_mode=0644"));
	ASSERT_EQ(0, stat(SW_PROC, &st));
	EXPECT_EQ(0644U, st.st_mode & 07777);
	EXPECT_EQ(0, errno_as_nobody(SW_PROC, O_RDONLY));
	before = settings();
	/* Opening for write is refused by the mode; write(2) is never reached. */
	EXPECT_TRUE(REFUSED(errno_as_nobody(SW_PROC, O_WRONLY)));
	after = settings();
	EXPECT_STREQ(before, after);
	free(before);
	free(after);
}

/* True if buf has a run of >= 12 hex digits starting ffff (or any of 16). */
static int has_kernel_address(const char *buf, char *what, size_t len)
{
	for (const char *p = buf; *p; p++) {
		size_t n = 0;

		if (p > buf && isxdigit((unsigned char)p[-1]))
			continue;
		while (isxdigit((unsigned char)p[n]))
			n++;
		if ((n >= 12 && !strncasecmp(p, "ffff", 4)) || n >= 16) {
			snprintf(what, len, "%.*s", (int)n, p);
			return 1;
		}
	}
	return 0;
}

TEST_F(wr, no_kernel_addresses)
{
	const char *files[] = { SW_PROC, SW_DBG_SETS, SW_DBG_EVENTS };
	char what[64];

	/* Make sure there are rows of every kind: alive, removed, watched. */
	ASSERT_LE(0, sw_track(&self->c, sw_mkset(sw_key(0x0d4d, 0x50), 2)));
	ASSERT_LE(0, sw_mkset(sw_key(0x0d4d, 0x51), 1));
	ASSERT_EQ(0, semctl(semget(sw_key(0x0d4d, 0x51), 0, 0), 0, IPC_RMID));
	for (int i = 0; i < 3; i++) {
		char *buf = sw_slurp(files[i]);

		if (!buf && i > 0 && errno == ENOENT)
			continue;	/* debugfs not mounted */
		ASSERT_NE(NULL, buf) TH_LOG("%s: %s", files[i], strerror(errno));
		EXPECT_FALSE(has_kernel_address(buf, what, sizeof(what)))
			TH_LOG("%s shows %s", files[i], what);
		free(buf);
	}
}

SW_TEST_MAIN()
