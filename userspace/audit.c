// SPDX-License-Identifier: GPL-2.0
/*
 * The reaper's audit trail: one record per destroyed set. Where journald
 * listens, a structured entry (MESSAGE plus SEMWATCH_* fields, tagged
 * "semwatch" for `journalctl -t semwatch`); else the same MESSAGE as a
 * syslog line; else a note that stdout is the only record. comm and cgroup
 * arrive escaped, so no field can hold a newline or a forged record.
 */
#define SD_JOURNAL_SUPPRESS_LOCATION	/* no CODE_FILE= of this file */
#include <errno.h>
#include <paths.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#include "cli.h"

#define SW_JOURNAL_SOCKET "/run/systemd/journal/socket"

/*
 * Whether anyone listens on the AF_UNIX socket PATH, tried once as glibc's
 * syslog() would (datagram, then stream). glibc retries socket(), connect()
 * and close() on every call while nothing listens (minimal guests, many
 * containers): three system calls per destroyed set, for nothing.
 */
static bool listening(const char *path)
{
	static const int types[] = { SOCK_DGRAM, SOCK_STREAM };
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int i, fd, err = EPROTOTYPE;

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	for (i = 0; i < 2 && err == EPROTOTYPE; i++) {
		fd = socket(AF_UNIX, types[i] | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return false;
		err = connect(fd, (struct sockaddr *)&a, sizeof(a)) ? errno : 0;
		close(fd);
	}
	return !err;
}

/*
 * syslog: connected once (LOG_NDELAY), with the pid in the ident instead of
 * LOG_PID: the same "semwatch[PID]: " line without a getpid() per message.
 */
enum sw_audit_sink sw_audit_open(void)
{
	static char ident[32];

	if (listening(SW_JOURNAL_SOCKET))
		return SW_AUDIT_JOURNAL;
	if (!listening(_PATH_LOG)) {
		cli_note("no journal or syslog at %s: the destroyed sets are "
			 "listed on stdout only", _PATH_LOG);
		return SW_AUDIT_NONE;
	}
	snprintf(ident, sizeof(ident), "semwatch[%d]", (int)getpid());
	openlog(ident, LOG_NDELAY, LOG_AUTHPRIV);
	return SW_AUDIT_SYSLOG;
}

/*
 * The set's key=value line, as printed and audited: "key=0x%08x semid=%d
 * ns=%llu creator_pid=%lld comm=%s state=%s cgroup=%s age_s=%lld", built
 * by hand (thousands at once, printf() was most of reap's own time).
 * malloc()ed; NULL when out of memory.
 */
char *sw_audit_line(const struct sw_audit_rec *r)
{
	char *line = malloc(strlen(r->comm) + strlen(r->state) +
			    strlen(r->cgroup) + 160), *p = line;

	if (!line)
		return NULL;
	p = sw_put_digits(stpcpy(p, "key=0x"), r->key, 16, 8);
	p = sw_put_ll(stpcpy(p, " semid="), r->semid);
	p = sw_put_digits(stpcpy(p, " ns="), r->ns, 10, 1);
	p = sw_put_ll(stpcpy(p, " creator_pid="), r->pid);
	p = stpcpy(stpcpy(p, " comm="), r->comm);
	p = stpcpy(stpcpy(p, " state="), r->state);
	p = stpcpy(stpcpy(p, " cgroup="), r->cgroup);
	sw_put_ll(stpcpy(p, " age_s="), r->age_s);
	return line;
}

void sw_audit_destroyed(enum sw_audit_sink sink, const struct sw_audit_rec *r,
			const char *line)
{
	const char *forced = r->forced ? " (forced)" : "";

	if (sink == SW_AUDIT_NONE || sink == SW_AUDIT_UNOPENED)
		return;
	if (sink == SW_AUDIT_SYSLOG) {
		syslog(LOG_NOTICE, "destroyed semaphore set %s%s", line, forced);
		return;
	}
	if (sd_journal_send("MESSAGE=destroyed semaphore set %s%s", line, forced,
			"PRIORITY=%d", LOG_NOTICE,
			"SYSLOG_FACILITY=%d", LOG_AUTHPRIV >> 3,
			"SYSLOG_IDENTIFIER=semwatch",
			"SEMWATCH_ACTION=destroyed",
			"SEMWATCH_KEY=0x%08x", r->key,
			"SEMWATCH_SEMID=%d", r->semid,
			"SEMWATCH_NS=%llu", r->ns,
			"SEMWATCH_CREATOR_PID=%lld", r->pid,
			"SEMWATCH_COMM=%s", r->comm,
			"SEMWATCH_STATE=%s", r->state,
			"SEMWATCH_CGROUP=%s", r->cgroup,
			"SEMWATCH_AGE_S=%lld", r->age_s,
			"SEMWATCH_FORCED=%d", r->forced,
			NULL) < 0)	/* journald gone: syslog() opens /dev/log */
		syslog(LOG_AUTHPRIV | LOG_NOTICE, "destroyed semaphore set %s%s",
		       line, forced);
}

void sw_audit_close(enum sw_audit_sink sink)
{
	if (sink == SW_AUDIT_SYSLOG)
		closelog();
}
