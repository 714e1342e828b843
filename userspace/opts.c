// SPDX-License-Identifier: GPL-2.0
/*
 * Options and help from one table per command: getopt_long()'s arrays are
 * built from it, and so is --help, so that no option can go undocumented.
 * getopt's own messages are off: ours name the command and say what is wrong.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

#ifndef SW_VERSION
#error "SW_VERSION is passed by the Makefile (from ../VERSION)"
#endif

#define MAX_OPTS 32
enum { KEY_HELP = 'h', KEY_VERSION = 'V' };

static const struct cli_opt common[] = {
	{ "help", KEY_HELP, no_argument, NULL, "display this help" },
	{ "version", KEY_VERSION, no_argument, NULL, "display the version" },
	{ NULL, 0, 0, NULL, NULL },
};

static struct option longs[MAX_OPTS + 1];
static char shorts[3 * MAX_OPTS + 3];
static const struct cli_cmd *built;

static void add(const struct cli_opt *o, size_t *n, size_t *s)
{
	if (*n == MAX_OPTS)
		return;		/* caught by the unit test of every table */
	longs[(*n)++] = (struct option){ o->name, o->arg, NULL, o->key };
	if (o->key >= CLI_LONG_ONLY)
		return;
	shorts[(*s)++] = (char)o->key;
	if (o->arg != no_argument)
		shorts[(*s)++] = ':';
	if (o->arg == optional_argument)
		shorts[(*s)++] = ':';
}

static void build(const struct cli_cmd *c)
{
	size_t n = 0, s = 0;
	const struct cli_opt *o;

	shorts[s++] = '+';	/* stop at the first argument */
	shorts[s++] = ':';	/* ':' for a missing argument */
	for (o = c->opts; o->name; o++)
		add(o, &n, &s);
	for (o = common; o->name; o++)
		add(o, &n, &s);
	shorts[s] = '\0';
	memset(&longs[n], 0, sizeof(longs[n]));
	built = c;
}

static const struct cli_opt *find(const struct cli_cmd *c, int key)
{
	const struct cli_opt *o;

	for (o = c->opts; o->name; o++)
		if (o->key == key)
			return o;
	for (o = common; o->name; o++)
		if (o->key == key)
			return o;
	return NULL;
}

static int bad_option(char **argv, const struct cli_cmd *c, int ret)
{
	const struct cli_opt *o = optopt ? find(c, optopt) : NULL;
	const char *arg = argv[optind - 1];

	if (ret == ':' && o)
		return cli_usage_error("option --%s needs a value (%s)",
				       o->name, o->argname);
	if (o)	/* --flag=value for a flag */
		return cli_usage_error("option '%s' takes no value", arg);
	if (optopt)
		return cli_usage_error("unknown option '-%c'", optopt);
	return cli_usage_error("unknown option '%s'", arg);
}

int cli_next(int argc, char **argv, const struct cli_cmd *c)
{
	int ret;

	if (built != c)
		build(c);
	opterr = 0;
	ret = getopt_long(argc, argv, shorts, longs, NULL);
	if (ret == '?' || ret == ':')
		return bad_option(argv, c, ret);
	if (ret == KEY_HELP) {
		cli_help(stdout, c);
		return -ECANCELED;
	}
	if (ret == KEY_VERSION) {
		cli_version();
		return -ECANCELED;
	}
	return ret;
}

int cli_no_args(int argc, char **argv, const struct cli_cmd *c)
{
	(void)c;
	if (optind < argc)
		return cli_usage_error("unexpected argument '%s'", argv[optind]);
	return 0;
}

static void help_line(FILE *f, const struct cli_opt *o)
{
	char buf[64];
	int n = 0;

	if (o->key < CLI_LONG_ONLY)
		n = snprintf(buf, sizeof(buf), "-%c, ", o->key);
	else
		n = snprintf(buf, sizeof(buf), "    ");
	if (o->arg == required_argument)
		snprintf(buf + n, sizeof(buf) - (size_t)n, "--%s %s", o->name,
			 o->argname);
	else if (o->arg == optional_argument)
		snprintf(buf + n, sizeof(buf) - (size_t)n, "--%s[=%s]", o->name,
			 o->argname);
	else
		snprintf(buf + n, sizeof(buf) - (size_t)n, "--%s", o->name);
	if (strlen(buf) < 26)
		fprintf(f, " %-26s%s\n", buf, o->help);
	else	/* the help on the next line, in the same column */
		fprintf(f, " %s\n %-26s%s\n", buf, "", o->help);
}

void cli_help(FILE *f, const struct cli_cmd *c)
{
	const struct cli_opt *o;
	const char *const *e;

	fprintf(f, "Usage:\n semwatch %s %s\n\n%s\n\nOptions:\n", c->name,
		c->args, c->summary);
	for (o = c->opts; o->name; o++) {
		help_line(f, o);
	}
	fputc('\n', f);
	for (o = common; o->name; o++) {
		help_line(f, o);
	}
	fputs("\nExit status:\n", f);
	for (e = c->exits; *e; e++)
		fprintf(f, " %s\n", *e);
	fputs("\nFor more details see semwatch(8).\n", f);
}

void cli_version(void)
{
	printf("semwatch %s\n", SW_VERSION);
}
