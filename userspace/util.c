// SPDX-License-Identifier: GPL-2.0
/* Strict number parsing, octal unescaping and whole-file reads. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "semwatch.h"

/* /proc/semwatch holds one row per tracked set (max_records 262144). */
#define SW_MAX_FILE (256u << 20)

/*
 * Digits only, decimal or hexadecimal, as the module prints them: strtoull()'s
 * generality was the largest single cost of parsing a table of many rows.
 * Overflow is the compiler's checked arithmetic, not a division per digit.
 */
static inline int parse_digits(const char *s, int base,
			       unsigned long long max, unsigned long long *out)
{
	unsigned long long v = 0;
	unsigned int d;
	int h;

	for (;; s++) {
		d = (unsigned int)(unsigned char)*s - '0';
		if (d > 9) {	/* the module's numbers are mostly decimal */
			if (base != 16 || (h = sw_digit_value(*s, 16)) < 0)
				break;
			d = (unsigned int)h;
		}
		if (__builtin_mul_overflow(v, (unsigned int)base, &v) ||
		    __builtin_add_overflow(v, d, &v))
			return -ERANGE;
	}
	if (v > max)
		return -ERANGE;
	if (*s)
		return -EINVAL;
	*out = v;
	return 0;
}

/*
 * strtoull() accepts leading space, a sign (and negates!) and stops at junk;
 * none of that is acceptable for a command line or a kernel file. The first
 * character must be a hexadecimal digit (isxdigit() of the C locale, without
 * its per-call table lookup), whatever the base, as before.
 */
int sw_parse_ull(const char *s, int base, unsigned long long max,
		 unsigned long long *out)
{
	unsigned long long v;
	char *end;

	if (!s || sw_digit_value(s[0], 16) < 0)
		return -EINVAL;
	if (base == 10)	/* a constant base: the compiler specialises each */
		return parse_digits(s, 10, max, out);
	if (base == 16)
		return parse_digits(s, 16, max, out);
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
	int ret = sw_parse_ull(s, 10, SW_MAX_MINUTES, &v);

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

/*
 * Undo the module's \ooo escaping of comm and cgroup (as /proc/mounts) into
 * out, which has room for strlen(in) + 1 bytes: the text never grows.
 * Returns the length written, or -EINVAL.
 */
int sw_unescape_to(const char *in, char *out)
{
	int j = 0;

	while (*in) {
		int c = (unsigned char)*in;

		if (c == '\\') {
			c = octal3(in + 1);
			if (c <= 0)	/* bad escape, or an embedded NUL */
				return -EINVAL;
			in += 3;
		}
		out[j++] = (char)c;
		in++;
	}
	out[j] = '\0';
	return j;
}

/* As sw_unescape_to(), into a malloc()ed string. */
int sw_unescape(const char *in, char **out)
{
	char *o = malloc(strlen(in) + 1);

	if (!o)
		return -ENOMEM;
	if (sw_unescape_to(in, o) < 0) {
		free(o);
		return -EINVAL;
	}
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

/*
 * v at p as "%llu" (base 10), "%0*llo" or "%0*llx" (bases 8 and 16, width
 * digits at least) print it; returns the end, where a NUL is written. Room:
 * 23 bytes (a u64 in octal, and the NUL) and width + 1. For lines and cells
 * printed by the thousand, where printf() dominated.
 */
char *sw_put_digits(char *p, unsigned long long v, unsigned int base,
		    int width)
{
	unsigned long long t;
	int n = 1, i;

	for (t = v; t >= base; t /= base)
		n++;
	if (n < width)
		n = width;
	for (i = n; i-- > 0; v /= base)
		p[i] = "0123456789abcdef"[v % base];
	p[n] = '\0';
	return p + n;
}

/* v at p as "%lld" prints it; returns the end (NUL written). Room: 21. */
char *sw_put_ll(char *p, long long v)
{
	if (v < 0)
		*p++ = '-';
	return sw_put_digits(p, v < 0 ? -(unsigned long long)v :
			     (unsigned long long)v, 10, 1);
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

/*
 * The length of the well-formed UTF-8 sequence (RFC 3629) at s, or 0: no
 * overlong forms, no surrogates, nothing past U+10FFFF.
 */
static int utf8_seq(const unsigned char *s)
{
	unsigned char lo, hi;
	int n, i;

	if (*s < 0x80)
		return 1;
	n = *s >= 0xc2 && *s <= 0xdf ? 2 : *s >= 0xe0 && *s <= 0xef ? 3 :
	    *s >= 0xf0 && *s <= 0xf4 ? 4 : 0;
	/* the second byte's range excludes the overlong and the out of range */
	lo = *s == 0xe0 ? 0xa0 : *s == 0xf0 ? 0x90 : 0x80;
	hi = *s == 0xed ? 0x9f : *s == 0xf4 ? 0x8f : 0xbf;
	if (!n || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

bool sw_utf8_valid(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	int n;

	for (; *s; s += n)
		if (!(n = utf8_seq(s)))
			return false;
	return true;
}

/*
 * @in with each byte that is not part of well-formed UTF-8 replaced by U+FFFD,
 * as JSON strings must be Unicode and a comm or a path need not be. malloc()ed.
 */
char *sw_utf8_fix(const char *in)
{
	const unsigned char *s = (const unsigned char *)in;
	char *out = malloc(3 * strlen(in) + 1), *o = out;
	int n;

	for (; out && *s; s += n ? n : 1) {
		n = utf8_seq(s);
		memcpy(o, n ? (const char *)s : "\xef\xbf\xbd", n ? n : 3);
		o += n ? n : 3;
	}
	if (out)
		*o = '\0';
	return out;
}

/*
 * A test hook's value from the environment, in test builds only (semwatch-test,
 * built with -DSW_TEST_HOOKS): the shipped binary has none, so nothing in its
 * environment can point it at another file or make it wait.
 */
const char *sw_test_hook(const char *name)
{
#ifdef SW_TEST_HOOKS
	const char *p = getenv(name);

	return p && *p ? p : NULL;
#else
	(void)name;
	return NULL;
#endif
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
