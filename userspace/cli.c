// SPDX-License-Identifier: GPL-2.0
/* The one place that turns error codes into messages. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cli_usage(const char *usage)
{
	fputs(usage, stderr);
	return -EINVAL;
}

int cli_bad_number(const char *opt, const char *val)
{
	fprintf(stderr, "semwatch: %s: invalid value '%s' (expected a "
		"non-negative integer%s)\n", opt, val,
		strcmp(opt, "--prefix") ? " of minutes" : " up to 0xffff");
	return -EINVAL;
}

int cli_error(int unused, const char *fmt, ...)
{
	va_list ap;

	(void)unused;
	fputs("semwatch: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -EINVAL;
}

void cli_note(const char *fmt, ...)
{
	va_list ap;

	fputs("semwatch: note: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cli_perr(const char *what, int err, const struct sw_perr *e)
{
	if (err == -EBADMSG && e->line)
		fprintf(stderr, "semwatch: %s: line %u: %s\n", what, e->line, e->what);
	else if (err == -EBADMSG || err == -EPROTONOSUPPORT)
		fprintf(stderr, "semwatch: %s: %s\n", what,
			e->what ? e->what : "garbled");
	else
		fprintf(stderr, "semwatch: %s: %s%s%s\n", what,
			e->what ? e->what : "", e->what ? ": " : "",
			strerror(-err));
	return -ECANCELED;
}

int cli_errno(int err, const char *what)
{
	if (err != -ECANCELED)	/* else already reported */
		fprintf(stderr, "semwatch: %s: %s\n", what, strerror(-err));
	return SW_EXIT_ERROR;
}

/*
 * 1: loaded, 0: not loaded (with the one-line note), <0: error reported.
 * A garbled file is an error, not "no module": reap must not guess.
 */
int cli_load_module(struct sw_module *m)
{
	const char *path = sw_path("SEMWATCH_PROC", "/proc/semwatch");
	struct sw_perr e = { 0 };
	int ret = sw_proc_load(path, m, &e);

	if (!ret)
		return 1;
	if (ret == -ENOENT) {
		cli_note("%s not found: creators unknown (attribution needs "
			 "semwatch.ko)", path);
		return 0;
	}
	if (ret == -EACCES || ret == -EPERM)
		fprintf(stderr, "semwatch: %s: %s (it is readable by root only)\n",
			path, strerror(-ret));
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
