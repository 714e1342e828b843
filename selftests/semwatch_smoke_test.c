// SPDX-License-Identifier: GPL-2.0
/*
 * Smoke test: the module is loaded and /proc/semwatch speaks format 2 (issue
 * 12) and is private to root. Skips (exit 4) unless run as root with the module loaded.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"

#define SW_PROC "/proc/semwatch"

TEST(format_line)
{
	char line[128] = "";
	FILE *f = fopen(SW_PROC, "r");

	ASSERT_NE(NULL, f) TH_LOG("open %s: %s", SW_PROC, strerror(errno));
	ASSERT_NE(NULL, fgets(line, sizeof(line), f));
	fclose(f);
	EXPECT_STREQ("semwatch-format: 2\n", line);
}

TEST(mode_0600_root)
{
	struct stat st;

	ASSERT_EQ(0, stat(SW_PROC, &st));
	EXPECT_EQ(0600, st.st_mode & 07777);
	EXPECT_EQ(0, st.st_uid);
	EXPECT_EQ(0, st.st_gid);
	EXPECT_TRUE(S_ISREG(st.st_mode));
}

int main(int argc, char **argv)
{
	if (geteuid() != 0 || access(SW_PROC, F_OK) != 0) {
		ksft_print_header();
		ksft_exit_skip("needs root and the semwatch module loaded\n");
	}
	return test_harness_run(argc, argv);
}
