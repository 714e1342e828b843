// SPDX-License-Identifier: GPL-2.0
/*
 * The one place that turns error codes into messages. Every message of a
 * subcommand starts with "semwatch CMD: ", so that a script's log says which
 * of several semwatch runs complained.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char *cmd_name;

void cli_set_cmd(const char *name)
{
	cmd_name = name;
}

static void prefix(void)
{
	if (cmd_name)
		fprintf(stderr, "semwatch %s: ", cmd_name);
	else
		fputs("semwatch: ", stderr);
}

static void vmsg(const char *fmt, va_list ap)
{
	prefix();
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

int cli_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	return -ECANCELED;
}

/* A usage error, then where to read more; the caller exits 2. */
int cli_usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	fprintf(stderr, "Try 'semwatch %s%s--help' for more information.\n",
		cmd_name ? cmd_name : "", cmd_name ? " " : "");
	return -EINVAL;
}

int cli_parse_age(const char *opt, const char *val, long long *min)
{
	int ret = sw_parse_minutes(val, min);

	if (ret == -ERANGE)
		return cli_usage_error("%s: %s is more than the limit of %lld "
				       "minutes", opt, val, SW_MAX_MINUTES);
	if (ret)
		return cli_usage_error("%s: invalid value '%s' (expected a "
				       "non-negative integer of minutes)", opt, val);
	return 0;
}

int cli_parse_prefix(const char *opt, const char *val, uint32_t *p)
{
	int ret = sw_parse_prefix(val, p);

	if (ret == -ERANGE)
		return cli_usage_error("%s: %s is more than the limit of 0xffff "
				       "(a 16-bit prefix)", opt, val);
	if (ret)
		return cli_usage_error("%s: invalid value '%s' (expected a "
				       "number such as 0x0d4d or 3405)", opt, val);
	return 0;
}

void cli_note(const char *fmt, ...)
{
	va_list ap;

	prefix();
	fputs("note: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cli_perr(const char *what, int err, const struct sw_perr *e)
{
	if (err == -EBADMSG && e->line)
		return cli_error("%s: line %u: %s", what, e->line, e->what);
	if (err == -EBADMSG || err == -EPROTONOSUPPORT)
		return cli_error("%s: %s", what, e->what ? e->what : "garbled");
	return cli_error("%s: %s%s%s", what, e->what ? e->what : "",
			 e->what ? ": " : "", strerror(-err));
}

int cli_errno(int err, const char *what)
{
	if (err != -ECANCELED)	/* else already reported */
		cli_error("%s: %s", what, strerror(-err));
	return SW_EXIT_ERROR;
}

/*
 * 1: loaded, 0: not loaded (with the one-line note), <0: error reported.
 * A garbled file is an error, not "no module": reap must not guess.
 */
int cli_load_module(struct sw_module *m, bool lenient)
{
	const char *hook = sw_test_hook("SEMWATCH_PROC");
	const char *path = hook ? hook : "/proc/semwatch";
	struct sw_perr e = { 0 };
	int ret = sw_proc_load(path, m, &e);
	bool denied = ret == -EACCES || ret == -EPERM;

	if (!ret)
		return 1;
	if (ret == -ENOENT) {
		cli_note("%s not found: creators unknown (attribution needs "
			 "semwatch.ko)", path);
		return 0;
	}
	if (denied && lenient) {
		cli_note("%s: %s: creators unknown (it is readable by root "
			 "only)", path, strerror(-ret));
		return 0;
	}
	if (denied)
		cli_error("%s: %s (it is readable by root only)", path,
			  strerror(-ret));
	else
		cli_perr(path, ret, &e);
	return ret;
}

/* SEMMNI cannot exceed IPCMNI: 32768, or 2^24 with ipcmni_extend. */
long long cli_ipcmni(void)
{
	long long v = 32768;
	size_t len;
	char *cmd;

	if (!sw_read_file("/proc/cmdline", &cmd, &len)) {
		if (strstr(cmd, "ipcmni_extend"))
			v = 1LL << 24;
		free(cmd);
	}
	return v;
}
