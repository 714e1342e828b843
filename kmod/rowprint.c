// SPDX-License-Identifier: GPL-2.0
/*
 * One set as a row of the `watched` table (and of debugfs `sets`). Rows are printed
 * with small helpers instead of seq_printf(): at tens of thousands of rows, parsing the
 * format was half the cost of a read.
 */
#include <linux/kernel.h>
#include <linux/seq_file.h>
#include <linux/signal.h>
#include <linux/string.h>
#include <linux/uidgid.h>
#include <linux/user_namespace.h>
#include "semwatch.h"
#include "view.h"

/* The state column, padded: "%-7s ", SW_STATE_COL bytes each. */
#define SW_STATE_COL 8
static const char sw_state_cols[][SW_STATE_COL + 1] = {
	[SW_UNKNOWN] = "unknown ",
	[SW_ALIVE] = "alive   ",
	[SW_DEAD] = "dead    ",
};

void sw_show_row_header(struct seq_file *m)
{
	seq_printf(m, "%8s %-16s %-7s %-10s %7s %7s %10s %10s %6s %5s %5s %s\n", "pid",
		   "comm", "state", "exit", "died_s", "age_s", "ns", "key", "semid", "nsems",
		   "uid", "cgroup");
}

/* Fatal signals by name; the numbers are the architecture's own. */
static const char *const sw_signal_names[] = {
	[SIGHUP] = "SIGHUP", [SIGINT] = "SIGINT", [SIGQUIT] = "SIGQUIT",
	[SIGILL] = "SIGILL", [SIGTRAP] = "SIGTRAP", [SIGABRT] = "SIGABRT",
	[SIGBUS] = "SIGBUS", [SIGFPE] = "SIGFPE", [SIGKILL] = "SIGKILL",
	[SIGUSR1] = "SIGUSR1", [SIGSEGV] = "SIGSEGV", [SIGUSR2] = "SIGUSR2",
	[SIGPIPE] = "SIGPIPE", [SIGALRM] = "SIGALRM", [SIGTERM] = "SIGTERM",
	[SIGSTKFLT] = "SIGSTKFLT", [SIGCHLD] = "SIGCHLD", [SIGCONT] = "SIGCONT",
	[SIGSTOP] = "SIGSTOP", [SIGTSTP] = "SIGTSTP", [SIGTTIN] = "SIGTTIN",
	[SIGTTOU] = "SIGTTOU", [SIGURG] = "SIGURG", [SIGXCPU] = "SIGXCPU",
	[SIGXFSZ] = "SIGXFSZ", [SIGVTALRM] = "SIGVTALRM", [SIGPROF] = "SIGPROF",
	[SIGWINCH] = "SIGWINCH", [SIGIO] = "SIGIO", [SIGPWR] = "SIGPWR",
	[SIGSYS] = "SIGSYS",
};

/* @s at @p, without its NUL; returns the end. */
static char *sw_put_str(char *p, const char *s)
{
	size_t n = strlen(s);

	memcpy(p, s, n);
	return p + n;
}

/*
 * @num in decimal at @p, right-aligned in @width columns; returns the end. Written in
 * place, with no buffer on the stack: with INIT_STACK_ALL_ZERO, zeroing and copying one
 * made a read of many rows an eighth slower.
 */
static char *sw_put_num(char *p, u64 num, unsigned int width)
{
	unsigned int len = 1;
	char *end;
	u64 t;

	for (t = num; t >= 10; t /= 10)
		len++;
	for (; width > len; width--)
		*p++ = ' ';
	end = p + len;
	p = end;
	do {
		*--p = '0' + num % 10;
		num /= 10;
	} while (num);
	return end;
}

/* How the creator ended at @p, at most SW_EXIT_NAME_LEN - 1 bytes; returns the end. */
static char *sw_put_exit_name(char *p, u32 exit)
{
	unsigned int sig = exit & 0x7f;

	if (exit & SW_EXIT_OOM)
		return sw_put_str(p, "oom-kill");
	if (sig < ARRAY_SIZE(sw_signal_names) && sw_signal_names[sig])
		return sw_put_str(p, sw_signal_names[sig]);
	if (sig)
		return sw_put_num(sw_put_str(p, "SIG"), sig, 0);
	return sw_put_num(sw_put_str(p, "status:"), (exit >> 8) & 0xff, 0);
}

/*
 * How the creating process ended, as SIGKILL, oom-kill or status:N, in @buf. A core
 * dump is not marked: the signal says enough for a leak.
 */
const char *sw_exit_name(u32 exit, char *buf, size_t len)
{
	if (WARN_ON_ONCE(len < SW_EXIT_NAME_LEN))
		return "?";
	*sw_put_exit_name(buf, exit) = '\0';
	return buf;
}

/* \ooo: three octal digits. */
static int sw_octal(char *dst, unsigned char c)
{
	dst[0] = '\\';
	dst[1] = '0' + (c >> 6);
	dst[2] = '0' + ((c >> 3) & 7);
	dst[3] = '0' + (c & 7);
	return 4;
}

/* One byte of a field: outside printable ASCII, the space and the backslash as \ooo. */
static int sw_escape_byte(char *dst, unsigned char c)
{
	if (c <= ' ' || c >= 0x7f || c == '\\')
		return sw_octal(dst, c);
	*dst = c;
	return 1;
}

/*
 * A comm or a cgroup path as one field, in @dst (room for 4 * strlen(@s) + 2 bytes):
 * every byte escaped by sw_escape_byte(), so that a field never holds white space or a
 * control character. Empty is "?" (unknown); a value that reads "?" or "-" is escaped
 * whole. Returns the length.
 */
size_t sw_escape_field(char *dst, const char *s)
{
	char *p = dst;

	if (!s || !*s)
		return strscpy(dst, "?", 2);
	if ((s[0] == '?' || s[0] == '-') && !s[1])
		p += sw_octal(p, s[0]);
	else
		for (; *s; s++)
			p += sw_escape_byte(p, *s);
	*p = '\0';
	return p - dst;
}

/* The same, into @m, through a small buffer rather than a seq_write() per byte. */
void sw_show_field(struct seq_file *m, const char *s)
{
	char buf[128];
	size_t n = 0;

	if (!s || !*s || ((s[0] == '?' || s[0] == '-') && !s[1])) {
		seq_write(m, buf, sw_escape_field(buf, s));
		return;
	}
	for (; *s; s++) {
		n += sw_escape_byte(buf + n, *s);
		if (n > sizeof(buf) - 4) {	/* room for one more escaped byte */
			seq_write(m, buf, n);
			n = 0;
		}
	}
	seq_write(m, buf, n);
}

/*
 * A row is written straight into the seq_file's buffer, as one seq_write() would copy
 * it: the calls per column were most of the cost of reading many rows. Whatever the
 * values, the columns before the cgroup take at most 238 bytes: seven numbers of at
 * most 20 digits (a u64) and their spaces (147); the comm, 15 bytes escaped to 4 each,
 * and its space (61); the state (8), the exit (11) and the key (11). The short forms of
 * the cgroup ("-", "?", "\077" and a NUL) take 5 more and the newline 1: SW_ROW_ROOM
 * covers them. A path, up to 4 * SW_PATH_MAX escaped, is checked byte by byte.
 */
#define SW_ROW_ROOM 256

/* @mark ("?" or "-") right-aligned in @width columns, then a space. */
static char *sw_put_mark(char *p, char mark, unsigned int width)
{
	memset(p, ' ', width + 1);
	p[width - 1] = mark;
	return p + width + 1;
}

/* @num right-aligned in @width columns, then a space. */
static char *sw_put_col(char *p, u64 num, unsigned int width)
{
	p = sw_put_num(p, num, width);
	*p++ = ' ';
	return p;
}

/* @s, escaped as sw_escape_field() does, left-aligned in @width columns, then a space. */
static char *sw_put_field_col(char *p, const char *s, unsigned int width)
{
	size_t n = sw_escape_field(p, s);

	for (; n < width; n++)
		p[n] = ' ';
	p[n] = ' ';
	return p + n + 1;
}

/* "0x%08x " */
static char *sw_put_key(char *p, u32 key)
{
	int i;

	p[0] = '0';
	p[1] = 'x';
	for (i = 9; i >= 2; i--, key >>= 4)
		p[i] = hex_asc[key & 0xf];
	p[10] = ' ';
	return p + 11;
}

/* The exit and died_s columns: "-" while the creator lives or is hidden, "?" unknown. */
static char *sw_put_exit(char *p, const struct sw_view *v, const struct sw_row *row)
{
	char *name = p;

	if (row->state == SW_ALIVE || row->pid == SW_PID_HIDDEN)
		return sw_put_mark(sw_put_str(p, "-          "), '-', 7);
	if (row->state != SW_DEAD || !(row->exit & SW_EXIT_NOTED))
		return sw_put_mark(sw_put_str(p, "?          "), '?', 7);
	p = sw_put_exit_name(p, row->exit);
	while (p < name + 10)
		*p++ = ' ';
	*p++ = ' ';
	return sw_put_col(p, max_t(time64_t, v->now - row->died, 0), 7);
}

/* The cgroup column, escaped as sw_escape_field() does; NULL if it reaches @end. */
static char *sw_put_path(char *p, const char *end, const struct sw_path *path)
{
	const char *s = path ? path->path : NULL;

	if (path && path->hidden) {
		*p = '-';
		return p + 1;
	}
	if (!s || !*s || ((s[0] == '?' || s[0] == '-') && !s[1]))
		return p + sw_escape_field(p, s);
	for (; *s; s++) {
		if (end - p < 4)
			return NULL;
		p += sw_escape_byte(p, *s);
	}
	return p;
}

/* "-" (hidden) left-aligned in @width columns, then a space. */
static char *sw_put_dash_col(char *p, unsigned int width)
{
	memset(p, ' ', width + 1);
	*p = '-';
	return p + width + 1;
}

/* The columns before the cgroup; the uid as @user_ns sees it. */
static char *sw_put_row_fixed(char *p, const struct sw_view *v, const struct sw_row *row,
			      struct user_namespace *user_ns)
{
	bool hidden = row->pid == SW_PID_HIDDEN;

	if (hidden || !row->pid)
		p = sw_put_mark(p, hidden ? '-' : '?', 8);
	else
		p = sw_put_col(p, row->pid, 8);
	p = hidden ? sw_put_dash_col(p, 16) : sw_put_field_col(p, row->comm, 16);
	memcpy(p, sw_state_cols[row->state], SW_STATE_COL);
	p += SW_STATE_COL;
	p = sw_put_exit(p, v, row);
	if (row->ctime)
		p = sw_put_col(p, max_t(time64_t, v->now - row->ctime, 0), 7);
	else
		p = sw_put_mark(p, '?', 7);
	p = sw_put_col(p, row->ns_inum, 10);
	p = sw_put_key(p, (u32)row->key);
	p = sw_put_col(p, row->id, 6);
	if (row->nsems)
		p = sw_put_col(p, row->nsems, 5);
	else
		p = sw_put_mark(p, '?', 5);
	/* The initial namespace maps every uid to itself: no extent to search. */
	if (user_ns == &init_user_ns && uid_valid(row->uid))
		return sw_put_col(p, __kuid_val(row->uid), 5);
	return sw_put_col(p, from_kuid_munged(user_ns, row->uid), 5);
}

/*
 * One set: the columns of the `watched` table. A row that does not fit in what is left
 * of the buffer overflows it: seq_file hands out what it holds and prints the row
 * again, into a buffer twice as large if it did not fit an empty one.
 */
void sw_show_row(struct seq_file *m, const struct sw_view *v, const struct sw_row *row)
{
	char *buf, *p;
	size_t room = seq_get_buf(m, &buf);

	if (room < SW_ROW_ROOM) {
		seq_commit(m, -1);
		return;
	}
	p = sw_put_row_fixed(buf, v, row, seq_user_ns(m));
	/* Room for the newline, and one byte more: a full buffer reads as overflowed. */
	p = sw_put_path(p, buf + room - 2, sw_reader_row_path(v, row));
	if (!p) {
		seq_commit(m, -1);
		return;
	}
	*p++ = '\n';
	seq_commit(m, p - buf);
}
