// SPDX-License-Identifier: GPL-2.0
/*
 * Issue 4 "Must show", real libdevmapper: `dmsetup create` blocks on its udev
 * cookie (no udev runs in the guest); killed with -9 it leaks the 0x0d4d set
 * exactly as in the field. /proc/semwatch must name that dmsetup as the dead
 * creator.
 */
#include "sw_test.h"

#define DEV "swtest"

FIXTURE(dm)
{
	struct sw_ctx c;
	int made_control;	/* we created /run/udev/control */
	pid_t dmpid;
};

/* Run a command quietly; its exit status, or -1. */
static int run(const char *cmd)
{
	char b[512];
	int st;

	snprintf(b, sizeof(b), "PATH=/usr/sbin:/sbin:/usr/bin:/bin; %s >/dev/null 2>&1", cmd);
	st = system(b);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

FIXTURE_SETUP(dm)
{
	ASSERT_EQ(0, sw_save(&self->c.st));
	if (run("command -v dmsetup"))
		SKIP(return, "dmsetup not installed");
	if (run("modprobe dm-mod && modprobe dm-zero") ||
	    access("/dev/mapper/control", F_OK))
		SKIP(return, "device-mapper (dm-mod, dm-zero) unavailable");
	/* libdevmapper makes no cookie unless udev looks alive. */
	mkdir("/run/udev", 0755);
	if (access("/run/udev/control", F_OK)) {
		int fd = open("/run/udev/control", O_CREAT | O_WRONLY, 0644);

		ASSERT_LE(0, fd);
		close(fd);
		self->made_control = 1;
	}
	run("dmsetup remove --noudevsync " DEV);	/* left over from a crash */
}

FIXTURE_TEARDOWN(dm)
{
	if (self->dmpid > 0) {
		kill(self->dmpid, SIGKILL);
		waitpid(self->dmpid, NULL, 0);
	}
	run("dmsetup remove --noudevsync " DEV);
	if (self->made_control)
		unlink("/run/udev/control");
	EXPECT_EQ(0, sw_cleanup(&self->c));
}

static pid_t start_dmsetup(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		execl("/bin/sh", "sh", "-c", "PATH=/usr/sbin:/sbin:$PATH exec dmsetup create "
		      DEV " --table '0 8 zero'", (char *)NULL);
		_exit(127);
	}
	return pid;
}

/* Wait up to 20 s for a 0x0d4d set absent from before[]; its index or -1. */
static int new_cookie(struct sw_ipc *now, struct sw_ipc *before, int nb)
{
	for (int tries = 0; tries < 200; tries++) {
		int n = sw_sysvipc(now, 4096);

		for (int i = 0; i < n; i++) {
			int seen = 0;

			if (now[i].key >> 16 != 0x0d4d)
				continue;
			for (int j = 0; j < nb; j++)
				seen |= before[j].semid == now[i].semid;
			if (!seen)
				return i;
		}
		usleep(100000);
	}
	return -1;
}

static void check_cookie(struct __test_metadata *_metadata, struct sw_ipc *ck,
			 pid_t pid, const char *state)
{
	struct sw_snap s;
	struct sw_tab *w;
	int r;

	ASSERT_EQ(0, sw_snap(&s));
	w = sw_tab(&s, "watched");
	r = sw_find_set(w, ck->key, sw_ns_ino(0));
	ASSERT_LE(0, r) {
		TH_LOG("cookie 0x%08x (semid %d) not in watched", ck->key, ck->semid);
		sw_dump(SW_PROC);
		sw_dump(SW_DBG_EVENTS);
	}
	EXPECT_EQ(pid, sw_ncell(w, r, "pid"));
	EXPECT_STREQ("dmsetup", sw_cell(w, r, "comm"));
	EXPECT_STREQ(state, sw_cell(w, r, "state"));
	EXPECT_EQ(ck->semid, sw_ncell(w, r, "semid"));
	EXPECT_EQ(1, sw_ncell(w, r, "nsems"));
	EXPECT_STREQ("dm-udev-cookie", sw_cell(sw_tab(&s, "prefixes"),
		     sw_find(sw_tab(&s, "prefixes"), "prefix", 0x0d4d), "label"));
	sw_free(&s);
}

TEST_F_TIMEOUT(dm, killed_dmsetup_leaks_dead_cookie, 120)
{
	static struct sw_ipc before[4096], now[4096];
	int nb, i, st;
	pid_t pid;

	if (_metadata->skip)
		return;		/* the 6.1 harness runs the body after a setup SKIP */
	nb = sw_sysvipc(before, 4096);
	ASSERT_LE(0, nb);
	self->dmpid = start_dmsetup();
	ASSERT_LT(0, self->dmpid);
	i = new_cookie(now, before, nb);
	ASSERT_LE(0, i) TH_LOG("dmsetup made no cookie (is it still running? %d)",
			       waitpid(self->dmpid, &st, WNOHANG));
	sw_track(&self->c, now[i].semid);
	/* Still waiting on the cookie: alive. */
	ASSERT_EQ(0, waitpid(self->dmpid, &st, WNOHANG));
	check_cookie(_metadata, &now[i], self->dmpid, "alive");

	pid = self->dmpid;
	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	self->dmpid = 0;	/* reaped: teardown must not signal a reused pid */
	ASSERT_TRUE(WIFSIGNALED(st));
	/* The leak as in the field: the set outlives its creator. */
	ASSERT_EQ(now[i].semid, semget(now[i].key, 0, 0));
	check_cookie(_metadata, &now[i], pid, "dead");
}

SW_TEST_MAIN()
