// SPDX-License-Identifier: GPL-2.0
/*
 * report: files, commands and the host. What the report says about the run
 * besides the guests' figures (the host, the QEMU command, the commit, the
 * notes scripts/bench.sh left in LOGDIR) is descriptive, so a missing piece
 * reads "?" (or is left out) rather than stopping the report. Memory is
 * never freed: the program runs once and exits.
 */
#include "report.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define COMMAND_TIMEOUT_MS 20000
#define SIZE_CHARS "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"	/* as in -m 2G */
void fatal(const char *fmt, ...)
{
	va_list ap;

	fputs("report: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

void *grow(void *array, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap : 8;

	if (need <= *cap)
		return array;
	while (n < need)
		n *= 2;
	array = realloc(array, n * size);
	if (!array)
		fatal("out of memory");
	*cap = n;
	return array;
}

char *xstrdup(const char *s)
{
	char *copy = strdup(s);

	if (!copy)
		fatal("out of memory");
	return copy;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int len;

	va_start(ap, fmt);
	len = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (len < 0)
		fatal("out of memory");
	return s;
}

void lines_add(struct lines *l, char *text)
{
	l->text = grow(l->text, &l->cap, l->count + 1, sizeof(*l->text));
	l->text[l->count++] = text;
}

/* A whole text file with "\r\n" and "\r" turned into "\n" (Python's
 * universal newlines: a guest's serial line may end either way), or NULL if
 * it does not exist. */
char *read_text(const char *path)
{
	FILE *f = fopen(path, "r");
	char *text = NULL, *from, *to;
	size_t cap = 0, len = 0, got;

	if (!f && (errno == ENOENT || errno == ENOTDIR))
		return NULL;
	if (!f)
		fatal("%s: %s", path, strerror(errno));
	do {
		text = grow(text, &cap, len + 4096 + 1, 1);
		got = fread(text + len, 1, cap - len - 1, f);
		len += got;
	} while (got > 0);
	if (ferror(f))
		fatal("%s: %s", path, strerror(errno));
	fclose(f);
	if (memchr(text, '\0', len))
		fatal("%s: contains a NUL byte: not a text file", path);
	text[len] = '\0';
	for (from = to = text; *from; from++)
		if (*from != '\r')
			*to++ = *from;
		else if (from[1] != '\n')
			*to++ = '\n';
	*to = '\0';
	return text;
}

char *rstrip(char *s)
{
	size_t len = strlen(s);

	while (len > 0 && strchr(WHITESPACE, s[len - 1]))
		s[--len] = '\0';
	return s;
}

char *strip(char *s)
{
	return rstrip(s + strspn(s, WHITESPACE));
}

/* Python's str.splitlines() on ASCII: the line breaks it knows, no empty
 * last line. Cuts text in place. */
void split_lines(char *text, struct lines *out)
{
	char *line = text;
	size_t len;

	while (*line) {
		len = strcspn(line, "\n\v\f\x1c\x1d\x1e");
		lines_add(out, line);
		if (!line[len])
			break;
		line[len] = '\0';
		line += len + 1;
	}
}


/* LOGDIR/name stripped of surrounding space, or NULL if it does not exist. */
static char *logdir_text(const char *logdir, const char *name)
{
	char *text = read_text(xasprintf("%s/%s", logdir, name));

	return text ? strip(text) : NULL;
}

/* The stdout of a command, stripped; "?" if it cannot start or hangs. */
static const char *command_output(char *const argv[])
{
	posix_spawn_file_actions_t actions;
	struct pollfd out = { .events = POLLIN };
	char *text = NULL;
	size_t cap = 0, len = 0;
	int fds[2], timed_out = 0, spawn_error;
	ssize_t got = 1;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC))
		return "?";
	posix_spawn_file_actions_init(&actions);
	posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
	posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
	spawn_error = posix_spawnp(&pid, argv[0], &actions, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&actions);
	close(fds[1]);
	out.fd = fds[0];
	while (!spawn_error && got > 0 && !timed_out) {
		text = grow(text, &cap, len + 4096 + 1, 1);
		timed_out = poll(&out, 1, COMMAND_TIMEOUT_MS) <= 0;
		got = timed_out ? 0 : read(fds[0], text + len, cap - len - 1);
		len += got > 0 ? (size_t)got : 0;
	}
	close(fds[0]);
	if (spawn_error)
		return "?";
	if (timed_out)
		kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	if (timed_out || got < 0)
		return "?";
	text[len] = '\0';
	return strip(text);
}

static const char *cpu_model(void)
{
	char *cpuinfo = read_text("/proc/cpuinfo"), *colon;
	struct lines lines = { 0 };
	size_t i;

	if (cpuinfo)
		split_lines(cpuinfo, &lines);
	for (i = 0; i < lines.count; i++) {
		if (strncmp(lines.text[i], "model name", 10))
			continue;
		colon = strchr(lines.text[i], ':');
		return colon ? strip(colon + 1) : "?";
	}
	return "?";
}

/* The repository holds this program as build/bench/report. */
static const char *repo_dir(void)
{
	char exe[PATH_MAX], *slash;
	ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	int up;

	if (len < 0)
		fatal("/proc/self/exe: cannot find this program's directory");
	exe[len] = '\0';
	for (up = 0; up < 3; up++) {
		slash = strrchr(exe, '/');
		if (!slash)
			break;
		*slash = '\0';
	}
	if (up < 3 || access(xasprintf("%s/scripts/bench.sh", exe), F_OK))
		fatal("cannot find the repository: run the report as build/bench/report in it");
	return xstrdup(exe);
}

/* "qemu-system-x86_64 -accel.*?-m [0-9A-Z]+" within one line, or NULL. */
static const char *find_qemu_cmd(const char *text)
{
	static const char start[] = "qemu-system-x86_64 -accel";
	const char *at, *m, *eol, *end;

	for (at = strstr(text, start); at; at = strstr(at + 1, start)) {
		eol = at + strcspn(at, "\n");
		for (m = at + strlen(start); m < eol; m++) {
			if (strncmp(m, "-m ", 3) || !m[3] || !strchr(SIZE_CHARS, m[3]))
				continue;
			end = m + 3 + strspn(m + 3, SIZE_CHARS);
			return strndup(at, end - at);
		}
	}
	return NULL;
}

/* What scripts/bench.sh saved, or else what scripts/vm.sh would run now. */
static const char *qemu_cmd(const char *logdir, const char *repo)
{
	const char *sources[] = { xasprintf("%s/qemu-cmd", logdir),
				  xasprintf("%s/scripts/vm.sh", repo) };
	const char *found;
	char *text;
	size_t i;

	for (i = 0; i < 2; i++) {
		text = read_text(sources[i]);
		found = text ? find_qemu_cmd(text) : NULL;
		if (found)
			return found;
	}
	return "";
}

/* The last part of LOGDIR made absolute, without resolving symlinks. */
static const char *logdir_name(const char *logdir)
{
	char *cwd = logdir[0] == '/' ? "" : getcwd(NULL, 0), *path, *part, *save;
	struct lines kept = { 0 };

	if (!cwd)
		fatal("cannot get the current directory");
	path = xasprintf("%s/%s", cwd, logdir);
	for (part = strtok_r(path, "/", &save); part; part = strtok_r(NULL, "/", &save)) {
		if (!strcmp(part, ".."))
			kept.count -= kept.count > 0;
		else if (strcmp(part, "."))
			lines_add(&kept, part);
	}
	return kept.count ? kept.text[kept.count - 1] : "";
}

/* uptime's output after its last "load average:". */
static const char *load_average(const char *logdir, const char *name)
{
	char *text = logdir_text(logdir, name), *after;

	if (!text)
		return "?";
	while ((after = strstr(text, "load average:")))
		text = after + strlen("load average:");
	return strip(text);
}

static void gather_logdir_notes(struct run_facts *f, const char *logdir)
{
	struct stat st;
	char *text;

	f->seconds = logdir_text(logdir, "seconds");
	if (!f->seconds)
		f->seconds = "?";
	f->run_end = stat(xasprintf("%s/seconds", logdir), &st) ? time(NULL) : st.st_mtime;
	f->load_start = load_average(logdir, "load-start");
	f->load_end = load_average(logdir, "load-end");
	text = read_text(xasprintf("%s/commands", logdir));
	if (text)
		split_lines(text, &f->commands);
	text = read_text(xasprintf("%s/big-skipped", logdir));
	f->big_skipped = text != NULL;
	if (text)
		split_lines(text, &f->skipped);
	f->logdir_name = logdir_name(logdir);
}

void gather_facts(struct run_facts *f, const char *logdir)
{
	const char *repo = repo_dir();
	char *notes = read_text(xasprintf("%s/bench/notes.md", repo));
	char *version = xstrdup(command_output((char *[]){ "qemu-system-x86_64", "--version",
							   NULL }));

	gather_logdir_notes(f, logdir);
	f->cpu = cpu_model();
	f->ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	version[strcspn(version, "\n\v\f\x1c\x1d\x1e")] = '\0';
	f->qemu_version = version;
	f->qemu_cmd = qemu_cmd(logdir, repo);
	f->commit = logdir_text(logdir, "commit");
	if (!f->commit)
		f->commit = command_output((char *[]){ "git", "-C", (char *)repo, "rev-parse",
						     "--short", "HEAD", NULL });
	f->notes = notes ? rstrip(notes) : NULL;
}
