// SPDX-License-Identifier: GPL-2.0
/*
 * Issue 8, security, each check an assertion:
 *  - nobody (uid 65534) can neither read nor write /proc/semwatch (default
 *    mode 0600), nor open the debugfs files; root without CAP_SYS_ADMIN
 *    cannot write it; with proc_mode=0644 nobody may read but not write;
 *  - a process in a child IPC namespace sees only its own sets and its own
 *    namespace row, and cannot change the settings; it cannot open the
 *    debugfs files at all (format 2, issue 12: EPERM outside the initial
 *    namespaces);
 *  - no output (module files, the CLI's text/JSON/Prometheus output, the
 *    module's kernel log lines) holds a kernel address (16 hex digits ffff...);
 *  - `semwatch reap` refuses when not root and when run setuid or setgid;
 *    `semwatch report --prometheus=PATH` refuses a world-writable directory
 *    without the sticky bit and a symlinked target. Exit status 3 is the
 *    CLI's documented "runtime error" (userspace/semwatch.h).
 */
#include "sw_test.h"

/*
 * The harness ends each test's child with _exit(), which drops buffered
 * stdout: keep ksft_print_msg() lines (the counts) by line-buffering.
 */
static void __attribute__((constructor)) linebuffered_stdout(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
}
#include <sys/klog.h>
#include <sys/statvfs.h>
#include <linux/capability.h>
#include <ctype.h>
#include <grp.h>

#define NOBODY 65534
#define SEC_EXIT_ERROR 3

/* In a child: become nobody (all ids, no supplementary groups). */
static int sec_become_nobody(void)
{
	return setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
	       setresuid(NOBODY, NOBODY, NOBODY) ? -1 : 0;
}

/* Drop CAP_SYS_ADMIN from every set of the calling process (stays uid 0). */
static int sec_drop_sys_admin(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return -1;
	d[CAP_SYS_ADMIN / 32].effective &= ~(1u << (CAP_SYS_ADMIN % 32));
	d[CAP_SYS_ADMIN / 32].permitted &= ~(1u << (CAP_SYS_ADMIN % 32));
	d[CAP_SYS_ADMIN / 32].inheritable &= ~(1u << (CAP_SYS_ADMIN % 32));
	return syscall(SYS_capset, &h, d) ? -1 : 0;
}

enum sec_who { AS_NOBODY, AS_ROOT_NO_SYS_ADMIN };

/*
 * In a child as @who: open @path with @flags and, for writes, write a valid
 * command. Returns 0 when everything succeeded, else the first errno.
 */
static int sec_try(enum sec_who who, const char *path, int flags)
{
	int p[2], e = EPROTO, st;
	pid_t pid;

	if (pipe(p))
		return EPROTO;
	pid = fork();
	if (pid == 0) {
		int fd, err = 0;

		if (who == AS_NOBODY ? sec_become_nobody() : sec_drop_sys_admin())
			err = EPROTO;
		fd = err ? -1 : open(path, flags);
		if (!err && fd < 0)
			err = errno;
		if (!err && (flags & O_ACCMODE) != O_RDONLY &&
		    write(fd, "watch_prefix 0x0d4d", 19) != 19)
			err = errno;
		if (!err && (flags & O_ACCMODE) != O_WRONLY) {
			char b[64];

			if (read(fd, b, sizeof(b)) < 0)
				err = errno;
		}
		if (write(p[1], &err, sizeof(err)) != sizeof(err))
			_exit(2);
		_exit(0);
	}
	close(p[1]);
	if (read(p[0], &e, sizeof(e)) != sizeof(e))
		e = EPROTO;
	close(p[0]);
	waitpid(pid, &st, 0);
	return e;
}

TEST(nobody_cannot_read_or_write_proc)
{
	struct stat st;

	ASSERT_EQ(0, stat(SW_PROC, &st));
	/* The suite loads the module with the default proc_mode. */
	ASSERT_EQ(0600, st.st_mode & 07777);
	ASSERT_EQ(0, st.st_uid);
	EXPECT_EQ(EACCES, sec_try(AS_NOBODY, SW_PROC, O_RDONLY));
	EXPECT_EQ(EACCES, sec_try(AS_NOBODY, SW_PROC, O_WRONLY));
	EXPECT_EQ(EACCES, sec_try(AS_NOBODY, SW_PROC, O_RDWR));
	/* Sanity: the same as root works. */
	EXPECT_EQ(0, sec_try(AS_ROOT_NO_SYS_ADMIN, SW_PROC, O_RDONLY));
}

TEST(root_without_cap_sys_admin_cannot_write)
{
	/* uid 0 owns the file, so open succeeds; the write itself is refused. */
	EXPECT_EQ(EPERM, sec_try(AS_ROOT_NO_SYS_ADMIN, SW_PROC, O_WRONLY));
}

TEST(nobody_cannot_open_debugfs)
{
	static const char *const files[] = { SW_DBG_SETS, SW_DBG_EVENTS };

	for (int i = 0; i < 2; i++) {
		if (access(files[i], F_OK))
			SKIP(return, "%s missing", files[i]);
		EXPECT_EQ(EACCES, sec_try(AS_NOBODY, files[i], O_RDONLY))
			TH_LOG("%s", files[i]);
		EXPECT_EQ(EACCES, sec_try(AS_NOBODY, files[i], O_WRONLY))
			TH_LOG("%s", files[i]);
	}
}

/* TEST_F_TIMEOUT needs a fixture: this one only restores the module. */
FIXTURE(slow) { int unused; };
FIXTURE_SETUP(slow) { self->unused = 0; }
FIXTURE_TEARDOWN(slow)
{
	if (access(SW_PROC, F_OK) && sw_can_reload())
		EXPECT_EQ(0, sw_reload(""));
}

TEST_F_TIMEOUT(slow, readable_mode_still_refuses_writes, 90)
{
	struct stat st;
	int e;

	if (!sw_can_reload())
		SKIP(return, "SEMWATCH_KO/SEMWATCH_HOOK not set");
	ASSERT_EQ(0, sw_reload("proc_mode=0644"));
	e = stat(SW_PROC, &st);
	EXPECT_EQ(0, e);
	EXPECT_EQ(0644, st.st_mode & 07777);
	EXPECT_EQ(0, sec_try(AS_NOBODY, SW_PROC, O_RDONLY));
	EXPECT_EQ(EACCES, sec_try(AS_NOBODY, SW_PROC, O_WRONLY));
	EXPECT_EQ(EPERM, sec_try(AS_ROOT_NO_SYS_ADMIN, SW_PROC, O_WRONLY));
	ASSERT_EQ(0, sw_reload(""));
	ASSERT_EQ(0, stat(SW_PROC, &st));
	EXPECT_EQ(0600, st.st_mode & 07777);
}

/* --- child IPC namespace */

struct sec_ns_result {
	long long ns;
	int ns_rows, ns_row_is_mine, ns_sets;
	int watched_mine, watched_other, watched_foreign_ns;
	int sets_errno, events_errno;
	int prefix_sets;
	int write_errno, parse_failed;
};

/* open() of path: 0 if it opened, else its errno. */
static int sec_open_errno(const char *path)
{
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

/* In the child namespace: look at /proc/semwatch, try the debugfs files. */
static void sec_ns_look(uint32_t mine, uint32_t other, struct sec_ns_result *r)
{
	struct sw_snap s;
	struct sw_tab *t;

	r->ns = sw_ns_ino(0);
	if (sw_snap(&s)) {
		r->parse_failed = 1;
		return;
	}
	t = sw_tab(&s, "namespaces");
	r->ns_rows = t->nrows;
	r->ns_row_is_mine = sw_ncell(t, 0, "ns") == r->ns;
	r->ns_sets = sw_ncell(t, 0, "sets");
	t = sw_tab(&s, "watched");
	for (int i = 0; i < t->nrows; i++) {
		r->watched_mine += sw_ncell(t, i, "key") == mine;
		r->watched_other += sw_ncell(t, i, "key") == other;
		r->watched_foreign_ns += sw_ncell(t, i, "ns") != r->ns;
	}
	t = sw_tab(&s, "prefixes");
	for (int i = 0; i < t->nrows; i++)
		r->prefix_sets += sw_ncell(t, i, "sets");
	sw_free(&s);
	/* debugfs shows every namespace: refused to anyone outside the initial ones. */
	r->sets_errno = sec_open_errno(SW_DBG_SETS);
	r->events_errno = sec_open_errno(SW_DBG_EVENTS);
	r->write_errno = sw_cmd("watch_prefix 0x0d4d");
}

TEST(child_namespace_sees_only_its_own)
{
	uint32_t other = 0x0d4d0000 | (getpid() & 0xfff) << 4 | 1;
	uint32_t mine = 0x0d4d0000 | (getpid() & 0xfff) << 4 | 2;
	struct sec_ns_result r = {};
	int other_id, p[2], st;
	pid_t pid;

	other_id = sw_mkset(other, 1);
	ASSERT_LE(0, other_id);
	ASSERT_EQ(0, pipe(p));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct sec_ns_result cr = {};
		int id = -1;

		if (!unshare(CLONE_NEWIPC) && (id = sw_mkset(mine, 2)) >= 0)
			sec_ns_look(mine, other, &cr);
		else
			cr.parse_failed = 3;
		if (id >= 0)
			semctl(id, 0, IPC_RMID);
		if (write(p[1], &cr, sizeof(cr)) != sizeof(cr))
			_exit(2);
		_exit(0);
	}
	close(p[1]);
	ASSERT_EQ(sizeof(r), read(p[0], &r, sizeof(r)));
	close(p[0]);
	waitpid(pid, &st, 0);
	semctl(other_id, 0, IPC_RMID);

	ASSERT_EQ(0, r.parse_failed);
	EXPECT_NE(sw_ns_ino(0), r.ns);
	/* /proc/semwatch: one namespace row, its own, with its one set. */
	EXPECT_EQ(1, r.ns_rows);
	EXPECT_EQ(1, r.ns_row_is_mine);
	EXPECT_EQ(1, r.ns_sets);
	EXPECT_EQ(1, r.prefix_sets);
	EXPECT_EQ(1, r.watched_mine);
	EXPECT_EQ(0, r.watched_other);
	EXPECT_EQ(0, r.watched_foreign_ns);
	/* debugfs: not even opened (ENOENT only if debugfs is not mounted). */
	if (!access(SW_DBG_SETS, F_OK)) {
		EXPECT_EQ(EPERM, r.sets_errno) TH_LOG("debugfs sets: %s", strerror(r.sets_errno));
		EXPECT_EQ(EPERM, r.events_errno) TH_LOG("debugfs events: %s", strerror(r.events_errno));
	}
	/* Root of a child namespace may not change global settings. */
	EXPECT_EQ(EPERM, r.write_errno);
}

/*
 * Root of a container that shares the host's IPC namespace but not its PID one (a
 * hostIPC pod) sees only the host's sets, and may not change the global settings.
 */
TEST(host_ipc_container_may_not_write)
{
	char before[32], after[32];
	int p[2], st, err = -1;
	struct sw_snap s;
	pid_t pid;

	ASSERT_EQ(0, sw_snap(&s));
	snprintf(before, sizeof(before), "%s", sw_hdr(&s, "watch_prefix"));
	sw_free(&s);
	ASSERT_EQ(0, pipe(p));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		pid_t kid;

		close(p[0]);
		if (unshare(CLONE_NEWPID))
			_exit(3);
		kid = fork();	/* the new PID namespace's first task */
		if (kid == 0) {
			int e = sw_cmd("watch_prefix 0x1234");

			_exit(write(p[1], &e, sizeof(e)) == sizeof(e) ? 0 : 2);
		}
		waitpid(kid, &st, 0);
		_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 4);
	}
	close(p[1]);
	ASSERT_EQ(sizeof(err), read(p[0], &err, sizeof(err)));
	close(p[0]);
	waitpid(pid, &st, 0);
	ASSERT_EQ(0, sw_snap(&s));
	snprintf(after, sizeof(after), "%s", sw_hdr(&s, "watch_prefix"));
	sw_free(&s);
	if (strcmp(before, after))	/* put it back for the tests after this one */
		sw_cmdf("watch_prefix %#lx", strtoul(before, NULL, 0));
	EXPECT_EQ(EPERM, err) TH_LOG("write from a fresh PID namespace: %s", strerror(err));
	EXPECT_STREQ(before, after);
}

/* --- kernel addresses */

/* A 16-hex-digit token starting ffff (a kernel pointer); returns it or NULL. */
static const char *sec_kaddr(const char *buf)
{
	for (const char *p = buf; (p = strcasestr(p, "ffff")); p++) {
		int n = 0;

		if (p > buf && isxdigit((unsigned char)p[-1]))
			continue;
		while (isxdigit((unsigned char)p[n]))
			n++;
		if (n == 16)
			return p;
	}
	return NULL;
}

static int sec_check_text(struct __test_metadata *_metadata, const char *what,
			  const char *buf)
{
	const char *k = buf ? sec_kaddr(buf) : NULL;

	if (k)
		TH_LOG("%s shows a kernel address: %.40s", what, k);
	return !!k;
}

/* Run a shell command, capturing its stdout+stderr. */
static char *sec_run(const char *cmd, int *status)
{
	FILE *f = popen(cmd, "r");
	char *buf;

	if (!f)
		return NULL;
	buf = sw_slurp_fd(fileno(f));
	*status = pclose(f);
	return buf;
}

TEST_F_TIMEOUT(slow, no_kernel_address_in_any_output, 90)
{
	static const char *const files[] = {
		SW_PROC, SW_DBG_SETS, SW_DBG_EVENTS,
		"/sys/module/semwatch/parameters/hook",
		"/sys/module/semwatch/parameters/watch_prefix",
		"/sys/module/semwatch/parameters/prefix_bits",
		"/sys/module/semwatch/parameters/max_records",
		"/sys/module/semwatch/parameters/proc_mode",
		"/sys/module/semwatch/parameters/layout",
	};
	const char *bin = getenv("SEMWATCH_BIN");
	int ids[4], found = 0, checked = 0, st;
	char cmd[512], *buf;

	for (int i = 0; i < 4; i++)
		ids[i] = sw_mkset(sw_key(i < 2 ? 0x0d4d : 0x5e72, i), 1 + i);
	/* One set in a child namespace, read from there too. */
	for (unsigned int i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		buf = sw_slurp(files[i]);
		if (!buf)
			continue;
		checked++;
		found += sec_check_text(_metadata, files[i], buf);
		free(buf);
	}
	{
		int p[2];
		pid_t pid;

		ASSERT_EQ(0, pipe(p));
		pid = fork();
		if (pid == 0) {
			char *b = NULL;
			int id = -1;

			close(p[0]);
			if (!unshare(CLONE_NEWIPC) && (id = sw_mkset(sw_key(0x0d4d, 9), 1)) >= 0)
				b = sw_slurp(SW_PROC);
			if (b && write(p[1], b, strlen(b)) < 0)
				_exit(2);
			if (id >= 0)
				semctl(id, 0, IPC_RMID);
			_exit(b ? 0 : 1);
		}
		close(p[1]);
		buf = sw_slurp_fd(p[0]);
		close(p[0]);
		waitpid(pid, &st, 0);
		EXPECT_TRUE(buf && *buf);
		checked++;
		found += sec_check_text(_metadata, "/proc/semwatch in a child namespace", buf);
		free(buf);
	}
	if (bin && !access(bin, X_OK)) {
		static const char *const args[] = {
			"report", "report --verbose", "report --json", "report --all-namespaces",
			"report --prometheus=/dev/stdout", "reap --dry-run",
		};

		for (unsigned int i = 0; i < sizeof(args) / sizeof(args[0]); i++) {
			snprintf(cmd, sizeof(cmd), "%s %s 2>&1", bin, args[i]);
			buf = sec_run(cmd, &st);
			checked++;
			found += sec_check_text(_metadata, cmd, buf);
			free(buf);
		}
	} else {
		TH_LOG("SEMWATCH_BIN not set or not built: CLI output not checked");
	}
	/* The module's own kernel log lines. */
	{
		int size = klogctl(10, NULL, 0), n, lines = 0;
		char *log = malloc(size > 0 ? size + 1 : 1 << 20), *cur, *line;

		ASSERT_NE(NULL, log);
		n = klogctl(3, log, size > 0 ? size : 1 << 20);
		ASSERT_LE(0, n);
		log[n] = 0;
		for (cur = log; (line = sw_nextline(&cur));) {
			if (!strstr(line, "semwatch"))
				continue;
			lines++;
			found += sec_check_text(_metadata, "kernel log", line);
		}
		free(log);
		checked++;
		ksft_print_msg("security: %d kernel log lines about semwatch checked\n", lines);
	}
	for (int i = 0; i < 4; i++)
		if (ids[i] >= 0)
			semctl(ids[i], 0, IPC_RMID);
	ksft_print_msg("security: %d outputs checked for kernel addresses, %d found\n",
		       checked, found);
	EXPECT_EQ(0, found);
	EXPECT_LE(10, checked);
}

/* --- the CLI's privilege checks */

/* Run argv as nobody (or as is, if !drop); exit status, output in *out. */
static int sec_exec(int drop, char *const argv[], char **out)
{
	int p[2], st;
	pid_t pid;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(p[1], 1);
		dup2(p[1], 2);
		close(p[0]);
		if (drop && sec_become_nobody())
			_exit(126);
		execv(argv[0], argv);
		_exit(127);
	}
	close(p[1]);
	*out = sw_slurp_fd(p[0]);
	close(p[0]);
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

FIXTURE(cli) { char dir[64]; const char *bin; };
FIXTURE_SETUP(cli)
{
	self->bin = getenv("SEMWATCH_BIN");
	self->dir[0] = 0;
	if (!self->bin || access(self->bin, X_OK))
		SKIP(return, "SEMWATCH_BIN not set or not built");
	snprintf(self->dir, sizeof(self->dir), "/tmp/semwatch-sec.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	ASSERT_EQ(0, chmod(self->dir, 0755));
}
FIXTURE_TEARDOWN(cli)
{
	char cmd[128];

	if (!self->dir[0])
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", self->dir);
	if (system(cmd))
		TH_LOG("cannot remove %s", self->dir);
}

TEST_F(cli, reap_refuses_non_root)
{
	char *argv[] = { (char *)self->bin, "reap", "--yes", NULL }, *out;
	int rc;

	if (!self->dir[0])
		return;		/* skipped in setup (6.1's harness still runs the body) */
	rc = sec_exec(1, argv, &out);
	EXPECT_EQ(SEC_EXIT_ERROR, rc) TH_LOG("output: %s", out);
	EXPECT_NE(NULL, out && strstr(out, "root")) TH_LOG("output: %s", out);
	free(out);
}

static int sec_copy(const char *from, const char *to, mode_t mode)
{
	char *buf;
	int in = open(from, O_RDONLY), outfd, ok;
	struct stat st;

	if (in < 0 || fstat(in, &st))
		return -1;
	buf = malloc(st.st_size);
	ok = buf && read(in, buf, st.st_size) == st.st_size;
	close(in);
	outfd = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0700);
	ok = ok && outfd >= 0 && write(outfd, buf, st.st_size) == st.st_size;
	free(buf);
	if (outfd >= 0)
		close(outfd);
	/* chown clears set-id bits, so chmod after it. */
	return ok && !chown(to, 0, 0) && !chmod(to, mode) ? 0 : -1;
}

TEST_F(cli, refuses_setuid_and_setgid)
{
	static const struct { mode_t mode; const char *what; } modes[] = {
		{ 04755, "setuid root" }, { 02755, "setgid root" },
	};
	static const char *const cmds[] = { "reap", "report" };
	struct statvfs vfs;
	char path[128];

	if (!self->dir[0])
		return;
	ASSERT_EQ(0, statvfs(self->dir, &vfs));
	if (vfs.f_flag & ST_NOSUID)
		SKIP(return, "%s is mounted nosuid", self->dir);
	snprintf(path, sizeof(path), "%s/semwatch", self->dir);
	for (unsigned int m = 0; m < 2; m++) {
		ASSERT_EQ(0, sec_copy(self->bin, path, modes[m].mode));
		for (unsigned int c = 0; c < 2; c++) {
			char *argv[] = { path, (char *)cmds[c], NULL }, *out;
			int rc = sec_exec(1, argv, &out);

			EXPECT_EQ(SEC_EXIT_ERROR, rc)
				TH_LOG("%s %s as nobody: %s", modes[m].what, cmds[c], out);
			EXPECT_NE(NULL, out && strstr(out, "setuid"))
				TH_LOG("%s %s as nobody: %s", modes[m].what, cmds[c], out);
			free(out);
		}
	}
}

TEST_F(cli, prometheus_refuses_unsafe_paths)
{
	char wdir[128], target[160], arg[200], link[160], real[160], *out;
	char *argv[] = { (char *)self->bin, "report", arg, NULL };
	struct stat st;
	int rc;

	if (!self->dir[0])
		return;
	/* World-writable directory without the sticky bit. */
	snprintf(wdir, sizeof(wdir), "%s/open", self->dir);
	ASSERT_EQ(0, mkdir(wdir, 0777));
	ASSERT_EQ(0, chmod(wdir, 0777));
	snprintf(target, sizeof(target), "%s/semwatch.prom", wdir);
	snprintf(arg, sizeof(arg), "--prometheus=%s", target);
	rc = sec_exec(0, argv, &out);
	EXPECT_EQ(SEC_EXIT_ERROR, rc) TH_LOG("world-writable dir: %s", out);
	EXPECT_NE(0, stat(target, &st)) TH_LOG("file written into a world-writable dir");
	free(out);
	/* With the sticky bit it is accepted (report exits 0 or 1). */
	ASSERT_EQ(0, chmod(wdir, 01777));
	rc = sec_exec(0, argv, &out);
	EXPECT_GE(1, rc) TH_LOG("sticky world-writable dir: %s", out);
	EXPECT_EQ(0, stat(target, &st));
	free(out);

	/* A symlink at the target path, pointing at a file it would clobber. */
	snprintf(real, sizeof(real), "%s/precious", self->dir);
	snprintf(link, sizeof(link), "%s/link.prom", self->dir);
	{
		int fd = open(real, O_WRONLY | O_CREAT, 0644);

		ASSERT_LE(0, fd);
		ASSERT_EQ(4, write(fd, "keep", 4));
		close(fd);
	}
	ASSERT_EQ(0, symlink(real, link));
	snprintf(arg, sizeof(arg), "--prometheus=%s", link);
	rc = sec_exec(0, argv, &out);
	EXPECT_EQ(SEC_EXIT_ERROR, rc) TH_LOG("symlinked target: %s", out);
	free(out);
	ASSERT_EQ(0, lstat(link, &st));
	EXPECT_TRUE(S_ISLNK(st.st_mode));
	ASSERT_EQ(0, stat(real, &st));
	EXPECT_EQ(4, st.st_size);
}

SW_TEST_MAIN()
