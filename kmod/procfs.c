// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/semwatch: a header, then the namespaces, prefixes and watched tables. The format
 * is documented in README.md; anything that changes a column bumps semwatch-format.
 */
#include <linux/capability.h>
#include <linux/nsproxy.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include "semwatch.h"
#include "view.h"
#include "compat/compat.h"

#define SW_FORMAT_VERSION 2
/* Longest command accepted by a write, including its newline. */
#define SW_WRITE_MAX 63

static struct proc_dir_entry *sw_proc;

/* 0x followed by as many hex digits as the prefix width needs. */
static void sw_show_prefix(struct seq_file *m, int width, u32 prefix, unsigned int bits)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "0x%0*x", (int)DIV_ROUND_UP(bits, 4), prefix);
	seq_printf(m, "%*s", width, buf);
}

static void sw_show_header(struct seq_file *m, const struct sw_view *v)
{
	seq_printf(m, "semwatch-format: %d\nhook: %s\nremoval: kprobe\nwatch_prefix: ",
		   SW_FORMAT_VERSION, sw_hook_name());
	sw_show_prefix(m, 0, v->watch_prefix, v->prefix_bits);
	seq_printf(m, "\nprefix_bits: %u\ntracked: %u\n", v->prefix_bits, v->tracked);
	if (v->dropped == SW_DROPPED_HIDDEN)
		seq_puts(m, "dropped: -\n");
	else
		seq_printf(m, "dropped: %lu\n", v->dropped);
	seq_printf(m, "max_records: %u\n", READ_ONCE(sw_max_records));
	seq_printf(m, "truncated: %u\n", v->truncated);
	seq_printf(m, "\nnamespaces:\n%10s %6s %10s %6s %6s %6s %10s\n", "ns", "semmsl",
		   "semmns", "semopm", "semmni", "sets", "sems");
}

static void sw_show_ns(struct seq_file *m, const struct sw_ns_row *ns)
{
	seq_printf(m, "%10u %6d %10d %6d %6d %6d %10d\n", ns->inum, ns->semmsl,
		   ns->semmns, ns->semopm, ns->semmni, ns->sets, ns->sems);
}

static void sw_show_prefixes_header(struct seq_file *m)
{
	seq_printf(m, "\nprefixes:\n%10s %6s %8s %8s %6s %6s %7s %s\n", "prefix", "sets",
		   "sems", "oldest_s", "alive", "dead", "unknown", "label");
}

static void sw_show_prefix_row(struct seq_file *m, const struct sw_view *v,
			       const struct sw_prefix_row *p)
{
	bool cookie = v->prefix_bits == 16 && p->prefix == SW_DM_COOKIE_PREFIX;

	sw_show_prefix(m, 10, p->prefix, v->prefix_bits);
	seq_printf(m, " %6u ", p->sets);
	if (p->sems_partial)
		seq_printf(m, "%8s ", "-");
	else
		seq_printf(m, "%8llu ", p->sems);
	if (p->oldest)
		seq_printf(m, "%8lld ", max_t(time64_t, v->now - p->oldest, 0));
	else
		seq_printf(m, "%8s ", "-");
	seq_printf(m, "%6u %6u %7u %s\n", p->alive, p->dead, p->unknown,
		   cookie ? "dm-udev-cookie" : "-");
}

/*
 * Output items, in order: the header (which ends with the namespaces heading), one per
 * namespace, the prefixes heading, one per prefix, the watched heading, one per set,
 * and the end marker, by which a reader knows that it has the whole file.
 */
static void sw_proc_show_item(struct seq_file *m, const struct sw_view *v, loff_t i)
{
	loff_t ns_end = 1 + v->n_ns;
	loff_t prefixes_end = ns_end + 1 + v->n_prefixes;

	if (i == 0) {
		sw_show_header(m, v);
	} else if (i < ns_end) {
		sw_show_ns(m, &v->ns[i - 1]);
	} else if (i == ns_end) {
		sw_show_prefixes_header(m);
	} else if (i < prefixes_end) {
		sw_show_prefix_row(m, v, &v->prefixes[i - ns_end - 1]);
	} else if (i == prefixes_end) {
		seq_puts(m, "\nwatched:\n");
		sw_show_row_header(m);
	} else if (i <= prefixes_end + v->n_watched) {
		sw_show_row(m, v, &v->rows[v->watched_first + (i - prefixes_end - 1)]);
	} else {
		seq_puts(m, "\nend\n");
	}
}

static loff_t sw_proc_items(const struct sw_view *v)
{
	return 4 + (loff_t)v->n_ns + v->n_prefixes + v->n_watched;
}

static const struct sw_view_file sw_proc_file = {
	.items = sw_proc_items,
	.show = sw_proc_show_item,
};

static int sw_proc_open(struct inode *inode, struct file *file)
{
	return sw_view_open(file, &sw_proc_file);
}

static int sw_proc_command(char *line)
{
	char *value = strchr(line, ' ');
	unsigned int n;

	if (!value)
		return -EINVAL;
	*value++ = '\0';
	value = skip_spaces(value);
	/* kstrtouint() says -ERANGE on overflow; to the writer it is just a bad number. */
	if (!strcmp(line, "watch_prefix"))
		return kstrtouint(value, 0, &n) ? -EINVAL : sw_config_set_prefix(n);
	if (!strcmp(line, "prefix_bits"))
		return kstrtouint(value, 10, &n) ? -EINVAL : sw_config_set_bits(n);
	return -EINVAL;
}

static ssize_t sw_proc_write(struct file *file, const char __user *ubuf, size_t count,
			     loff_t *ppos)
{
	char buf[SW_WRITE_MAX + 1];
	int err;

	/* The settings are global: only the host's root, who sees every namespace. */
	if (!capable(CAP_SYS_ADMIN) || !sw_reader_sees_all())
		return -EPERM;
	if (count == 0 || count > SW_WRITE_MAX)
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	if (strlen(buf) != count)
		return -EINVAL;
	err = sw_proc_command(strim(buf));
	return err ? err : count;
}

static const struct proc_ops sw_proc_ops = {
	.proc_open = sw_proc_open,
	.proc_read = seq_read,
	.proc_lseek = seq_lseek,
	.proc_write = sw_proc_write,
	.proc_release = sw_view_release,
};

int sw_procfs_init(void)
{
	sw_proc = proc_create("semwatch", sw_proc_mode, NULL, &sw_proc_ops);
	return sw_proc ? 0 : -ENOMEM;
}

void sw_procfs_exit(void)
{
	proc_remove(sw_proc);
}
