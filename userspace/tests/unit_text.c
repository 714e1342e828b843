// SPDX-License-Identifier: GPL-2.0
/* Unit tests (TAP): the text helpers, \ooo escapes and UTF-8 for JSON. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>

#include "semwatch.h"
#include "tap.h"

static void test_escapes(void)
{
	char in[16], *s;
	int c, bad = 0;

	ok(!sw_unescape("a\\040b\\134c", &s) && !strcmp(s, "a b\\c"), "octal unescape");
	free(s);
	ok(sw_unescape("a\\9", &s) == -EINVAL, "bad escape rejected");
	ok(sw_unescape("a\\400", &s) == -EINVAL, "escape > 255 rejected");
	ok(sw_unescape("\\000", &s) == -EINVAL, "escaped NUL rejected");
	ok(sw_unescape("a\\07", &s) == -EINVAL, "short escape rejected");
	ok(sw_unescape("a\\", &s) == -EINVAL, "trailing backslash rejected");
	for (c = 1; c < 256; c++) {	/* every byte but NUL round-trips */
		snprintf(in, sizeof(in), "x\\%03oy", c);
		if (sw_unescape(in, &s)) {
			bad++;
			continue;
		}
		bad += strlen(s) != 3 || s[0] != 'x' ||
		       (unsigned char)s[1] != c || s[2] != 'y';
		free(s);
	}
	ok(!bad, "\\001..\\377 each decode to their byte (%d wrong)", bad);
	s = sw_escape("x\ndestroyed k=1 /my app\\");
	ok(s && !strcmp(s, "x\\012destroyed\\040k=1\\040/my\\040app\\134"),
	   "escape: newline, space and backslash as \\ooo (%s)", s ? s : "NULL");
	free(s);
	s = sw_escape("?");
	ok(s && !strcmp(s, "?"), "escape: the module's lone \"?\" (unknown) stays a mark");
	free(s);
	for (bad = 0, c = 1; c < 256; c++) {	/* escape, then unescape: the same byte */
		char one[2] = { (char)c, 0 }, *e = sw_escape(one), *u = NULL;

		bool esc = c < 0x21 || c > 0x7e || c == '\\';

		bad += !e || sw_unescape(e, &u) || strcmp(u, one) ||
		       strlen(e) != (esc ? 4 : 1) || (esc && e[0] != '\\');
		free(e);
		free(u);
	}
	ok(!bad, "escape: \\001..\\377 round-trip through unescape (%d wrong)", bad);
}

/* JSON strings must be UTF-8: which comm bytes may go into one as they are. */
static void test_utf8(void)
{
	static const char *const good[] = { "dmsetup", "a\001\t\n\177", "caf\xc3\xa9",
		"\xe2\x82\xac", "\xed\x9f\xbf", "\xf0\x90\x80\x80", "\xf4\x8f\xbf\xbf" };
	static const char *const bad[] = { "\xc0\xaf", "\xc3", "\xe0\x80\xaf",
		"\xed\xa0\x80", "\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "a\xffz",
		"\xe2\x82", "\x80" };
	size_t i, wrong = 0;
	char *fixed;

	for (i = 0; i < sizeof(good) / sizeof(*good); i++)
		wrong += !sw_utf8_valid(good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		wrong += sw_utf8_valid(bad[i]);
	ok(!wrong, "utf8: well-formed accepted; overlong, surrogate, past U+10FFFF, "
	   "cut and stray bytes refused (%zu wrong)", wrong);
	fixed = sw_utf8_fix("a\xff\xc3\xa9\xe2\x82z");
	ok(fixed && !strcmp(fixed, "a\xef\xbf\xbd\xc3\xa9\xef\xbf\xbd\xef\xbf\xbdz"),
	   "utf8: each stray byte becomes U+FFFD, the rest stays");
	free(fixed);
}

void test_text(void)
{
	test_escapes();
	test_utf8();
}
