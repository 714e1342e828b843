// SPDX-License-Identifier: GPL-2.0
/* Strict number parsing, octal unescaping and whole-file reads. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "semwatch.h"

/* /proc/semwatch holds one row per tracked set (max_records 262144). */
#define SW_MAX_FILE (256u << 20)

/*
 * strtoull() accepts leading space, a sign (and negates!) and stops at junk;
 * none of that is acceptable for a command line or a kernel file.
 */
int sw_parse_ull(const char *s, int base, unsigned long long max,
		 unsigned long long *out)
{
	unsigned long long v;
	char *end;

	if (!s || !isxdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, base);
	if (errno == ERANGE || v > max)
		return -ERANGE;
	if (errno || end == s || *end)
		return -EINVAL;
	*out = v;
	return 0;
}

/* Minutes, decimal only; capped so that minutes * 60 fits any time_t math. */
int sw_parse_minutes(const char *s, long long *minutes)
{
	unsigned long long v;
	int ret = sw_parse_ull(s, 10, 1000000000ULL, &v);

	if (ret)
		return ret;
	*minutes = (long long)v;
	return 0;
}

/* A 16-bit key prefix as a C number (0x0d4d, 3405), like dmsetup's. */
int sw_parse_prefix(const char *s, uint32_t *prefix)
{
	unsigned long long v;
	int ret = sw_parse_ull(s, 0, 0xffff, &v);

	if (ret)
		return ret;
	*prefix = (uint32_t)v;
	return 0;
}

static int octal3(const char *p)
{
	int i, v = 0;

	for (i = 0; i < 3; i++) {
		if (p[i] < '0' || p[i] > '7')
			return -1;
		v = v * 8 + (p[i] - '0');
	}
	return v > 255 ? -1 : v;
}

/* Undo the module's \ooo escaping of comm and cgroup (as /proc/mounts). */
int sw_unescape(const char *in, char **out)
{
	char *o = malloc(strlen(in) + 1);
	size_t j = 0;

	if (!o)
		return -ENOMEM;
	while (*in) {
		int c = (unsigned char)*in;

		if (c == '\\') {
			c = octal3(in + 1);
			if (c <= 0) {	/* bad escape, or an embedded NUL */
				free(o);
				return -EINVAL;
			}
			in += 3;
		}
		o[j++] = (char)c;
		in++;
	}
	o[j] = '\0';
	*out = o;
	return 0;
}

/*
 * The module's escaping, for text that goes out again: every byte below 0x21
 * or above 0x7e, and the backslash, as \ooo. A lone "?" or "-" is left as it
 * is: the parser cannot tell the module's "unknown" and "hidden" from a name
 * escaped whole, and these marks are by far the likelier. Returns a
 * malloc()ed string, or NULL when out of memory.
 */
char *sw_escape(const char *in)
{
	char *out = malloc(4 * strlen(in) + 1), *o = out;

	for (; o && *in; in++) {
		unsigned char c = (unsigned char)*in;

		if (c < 0x21 || c > 0x7e || c == '\\')
			o += sprintf(o, "\\%03o", c);
		else
			*o++ = (char)c;
	}
	if (o)
		*o = '\0';
	return out;
}

/* Read a whole (proc) file; a NUL-terminated copy is returned in *buf. */
int sw_read_file(const char *path, char **buf, size_t *len)
{
	size_t cap = 65536, n = 0;
	char *b = malloc(cap + 1), *nb;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t r;

	if (fd < 0 || !b) {
		r = fd < 0 ? -errno : -ENOMEM;
		goto fail;
	}
	while ((r = read(fd, b + n, cap - n)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			r = -errno;
			goto fail;
		}
		n += (size_t)r;
		if (n == cap) {
			if (cap >= SW_MAX_FILE || !(nb = realloc(b, 2 * cap + 1))) {
				r = cap >= SW_MAX_FILE ? -EFBIG : -ENOMEM;
				goto fail;
			}
			b = nb;
			cap *= 2;
		}
	}
	close(fd);
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	free(b);
	return (int)r;
}

/* Tests point semwatch at synthetic files through the environment. */
const char *sw_path(const char *env, const char *def)
{
	const char *p = getenv(env);

	return p && *p ? p : def;
}

char *sw_strdup(const char *s)
{
	return strdup(s ? s : "?");
}

void sw_perr_set(struct sw_perr *e, unsigned int line, const char *what)
{
	if (e) {
		e->line = line;
		e->what = what;
	}
}
