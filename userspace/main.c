// SPDX-License-Identifier: GPL-2.0
/* semwatch: who created each System V semaphore set, and reaping the leaks. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const struct {
	const struct cli_cmd *spec;
	int (*fn)(int argc, char **argv);
} commands[] = {
	{ &report_command, cmd_report },
	{ &reap_command, cmd_reap },
};
#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static int usage(FILE *f, int status)
{
	size_t i;

	fputs("Usage:\n semwatch [COMMAND] [options]\n semwatch help [COMMAND]\n"
	      "\nReport and reap leaked System V semaphore sets, with their "
	      "creators.\n\nCommands:\n", f);
	for (i = 0; i < N_COMMANDS; i++)
		fprintf(f, " %-8s %s\n", commands[i].spec->name,
			commands[i].spec->brief);
	fputs(" help     this text, or a command's options\n\nOptions:\n"
	      " -h, --help     display this help\n"
	      " -V, --version  display the version\n\nExit status:\n"
	      " 0  report: no suspected leak; reap: every eligible set destroyed,\n"
	      "    the only sets kept were too young, alive or waited on\n"
	      " 1  report: suspected leaks, old sets of unknown creator, or\n"
	      "    stuck cookies; reap: sets kept as unsafe (creator unknown,\n"
	      "    stuck, changed before removal, removal failed)\n"
	      " 2  usage error\n 3  runtime error\n"
	      " 4  reap: the answer at the prompt was not yes (nothing destroyed)\n"
	      "\n'semwatch help COMMAND' lists a command's options; "
	      "see semwatch(8).\n", f);
	return status;
}

static int find(const char *name)
{
	size_t i;

	for (i = 0; i < N_COMMANDS; i++)
		if (!strcmp(name, commands[i].spec->name))
			return (int)i;
	return -1;
}

static int help(int argc, char **argv)
{
	int i;

	if (argc < 3)
		return usage(stdout, SW_EXIT_OK);
	if (argc > 3) {
		fprintf(stderr, "semwatch help: unexpected argument '%s'\n", argv[3]);
		return SW_EXIT_USAGE;
	}
	i = find(argv[2]);
	if (i < 0) {
		fprintf(stderr, "semwatch help: unknown command '%s'\n", argv[2]);
		return usage(stderr, SW_EXIT_USAGE);
	}
	cli_help(stdout, commands[i].spec);
	return SW_EXIT_OK;
}

int main(int argc, char **argv)
{
	const char *a = argc > 1 ? argv[1] : "";
	int i;

	/* Never act for someone else: root-only files and IPC_RMID. */
	if (getuid() != geteuid() || getgid() != getegid()) {
		fputs("semwatch: refusing to run setuid or setgid\n", stderr);
		return SW_EXIT_ERROR;
	}
	if (!strcmp(a, "-h") || !strcmp(a, "--help"))
		return usage(stdout, SW_EXIT_OK);
	if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
		cli_version();
		return SW_EXIT_OK;
	}
	if (!strcmp(a, "help"))
		return help(argc, argv);
	if (argc < 2 || a[0] == '-')	/* report is the default */
		return cmd_report(argc, argv);
	i = find(a);
	if (i >= 0)
		return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "semwatch: unknown command '%s'\n", a);
	return usage(stderr, SW_EXIT_USAGE);
}
