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
#include "semwatch.h"
#include "view.h"

/* The state column, padded: "%-7s " */
static const char *const sw_state_cols[] = {
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

/* @prefix then @num in decimal, in @buf; cut short to fit @len. */
static void sw_name_num(char *buf, size_t len, const char *prefix, unsigned int num)
{
	char digits[10];
	size_t i = 0, n = 0;

	if (!len)
		return;
	do {
		digits[n++] = '0' + num % 10;
		num /= 10;
	} while (num);
	for (; *prefix && i + 1 < len; prefix++)
		buf[i++] = *prefix;
	while (n && i + 1 < len)
		buf[i++] = digits[--n];
	buf[i] = '\0';
}

/*
 * How the creating process ended, as SIGKILL, oom-kill or status:N, in @buf. A core
 * dump is not marked: the signal says enough for a leak.
 */
const char *sw_exit_name(u32 exit, char *buf, size_t len)
{
	unsigned int sig = exit & 0x7f;

	if (exit & SW_EXIT_OOM)
		return "oom-kill";
	if (sig < ARRAY_SIZE(sw_signal_names) && sw_signal_names[sig])
		return sw_signal_names[sig];
	/* By hand, not snprintf(): this runs for every row of a dead creator. */
	if (sig)
		sw_name_num(buf, len, "SIG", sig);
	else
		sw_name_num(buf, len, "status:", (exit >> 8) & 0xff);
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

/*
 * The same, into @m, through a small buffer: a path may be SW_PATH_MAX long, and a
 * seq_write() per byte was a tenth of the cost of reading many rows.
 */
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
 * A number right-aligned in WIDTH columns, then a space: what "%*llu " prints, without
 * vsnprintf()'s parsing, which was half the cost of reading a table of many rows.
 */
static void sw_put_dec(struct seq_file *m, u64 num, int width)
{
	char buf[24];
	int i = sizeof(buf);

	buf[--i] = ' ';
	do {
		buf[--i] = '0' + num % 10;
		num /= 10;
	} while (num);
	while (i > (int)sizeof(buf) - 1 - width)
		buf[--i] = ' ';
	seq_write(m, buf + i, sizeof(buf) - i);
}

/* A placeholder ("?" or "-") right-aligned in WIDTH columns, then a space. */
static void sw_put_mark(struct seq_file *m, char mark, int width)
{
	char buf[24];

	memset(buf, ' ', width + 1);
	buf[width - 1] = mark;
	seq_write(m, buf, width + 1);
}

/* "0x%08x " */
static void sw_put_key(struct seq_file *m, u32 key)
{
	char buf[11];
	int i;

	buf[0] = '0';
	buf[1] = 'x';
	for (i = 9; i >= 2; i--, key >>= 4)
		buf[i] = hex_asc[key & 0xf];
	buf[10] = ' ';
	seq_write(m, buf, sizeof(buf));
}

/* The exit and died_s columns: "-" while the creator lives or is hidden, "?" unknown. */
static void sw_show_exit(struct seq_file *m, const struct sw_view *v,
			 const struct sw_row *row)
{
	char buf[16];

	if (row->state == SW_ALIVE || row->pid == SW_PID_HIDDEN) {
		seq_puts(m, "-          ");
		sw_put_mark(m, '-', 7);
	} else if (row->state == SW_DEAD && (row->exit & SW_EXIT_NOTED)) {
		seq_setwidth(m, 10);	/* "%-10s ", without vsnprintf() */
		seq_puts(m, sw_exit_name(row->exit, buf, sizeof(buf)));
		seq_pad(m, ' ');
		sw_put_dec(m, max_t(time64_t, v->now - row->died, 0), 7);
	} else {
		seq_puts(m, "?          ");
		sw_put_mark(m, '?', 7);
	}
}

/* One set: the columns of the `watched` table. */
void sw_show_row(struct seq_file *m, const struct sw_view *v, const struct sw_row *row)
{
	const struct sw_path *p = sw_reader_row_path(v, row);

	if (row->pid == SW_PID_HIDDEN)
		sw_put_mark(m, '-', 8);
	else if (row->pid)
		sw_put_dec(m, row->pid, 8);
	else
		sw_put_mark(m, '?', 8);
	seq_setwidth(m, 16);
	if (row->pid == SW_PID_HIDDEN)
		seq_putc(m, '-');
	else
		sw_show_field(m, row->comm);
	seq_pad(m, ' ');
	seq_puts(m, sw_state_cols[row->state]);
	sw_show_exit(m, v, row);
	if (row->ctime)
		sw_put_dec(m, max_t(time64_t, v->now - row->ctime, 0), 7);
	else
		sw_put_mark(m, '?', 7);
	sw_put_dec(m, row->ns_inum, 10);
	sw_put_key(m, (u32)row->key);
	sw_put_dec(m, row->id, 6);
	if (row->nsems)
		sw_put_dec(m, row->nsems, 5);
	else
		sw_put_mark(m, '?', 5);
	sw_put_dec(m, from_kuid_munged(seq_user_ns(m), row->uid), 5);
	if (p && p->hidden)
		seq_putc(m, '-');
	else
		sw_show_field(m, p ? p->path : NULL);
	seq_putc(m, '\n');
}

