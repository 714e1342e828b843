// SPDX-License-Identifier: GPL-2.0
/* semwatch: who created each System V semaphore set, and reaping the leaks. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "semwatch.h"

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} commands[] = {
	{ "report", cmd_report, "leak report (default)" },
	{ "reap", cmd_reap, "destroy leaked sets, like dmsetup udevcomplete_all" },
};

static int usage(FILE *f, int status)
{
	size_t i;

	fputs("Usage: semwatch [COMMAND] [OPTIONS]\n\nCommands:\n", f);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].help);
	fputs("\n'semwatch COMMAND --help' lists the options. Exit status: 0 no "
	      "leak / nothing kept,\n1 leaks found / sets kept, 2 usage error, "
	      "3 runtime error.\n", f);
	return status;
}

int main(int argc, char **argv)
{
	size_t i;

	/* Never act for someone else: root-only files and IPC_RMID. */
	if (getuid() != geteuid() || getgid() != getegid()) {
		fputs("semwatch: refusing to run setuid or setgid\n", stderr);
		return SW_EXIT_ERROR;
	}
	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")))
		return usage(stdout, SW_EXIT_OK);
	if (argc < 2 || argv[1][0] == '-')	/* report is the default */
		return cmd_report(argc, argv);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "semwatch: unknown command '%s'\n", argv[1]);
	return usage(stderr, SW_EXIT_USAGE);
}
