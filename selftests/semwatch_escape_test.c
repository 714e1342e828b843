// SPDX-License-Identifier: GPL-2.0
/*
 * Issue 12 "Must show", item 5: comm and cgroup fields never carry control
 * bytes, white space or anything but printable ASCII.
 *
 * escape.comm_and_cgroup. Creators whose comm (PR_SET_NAME, at most 15 bytes)
 * holds, across them, every byte 0x01..0x1f, 0x7f, the space, the backslash,
 * 0x80 and 0xff, or is exactly "?", "-", " " or "\", each create a watched
 * set; one more creator lives in a cgroup named "sw\001\033\177 x\y\r\t\200"
 * (cgroup names may hold neither '\n' nor '/'). Then, in /proc/semwatch and
 * (when mounted) debugfs `sets` and `events`:
 *  - the raw text holds no byte outside 0x20..0x7e but the '\n' line ends;
 *  - each comm or cgroup field is the exact escaping: every byte outside
 *    0x21..0x7e, and the backslash, as \ooo (three octal digits), nothing else
 *    escaped, and a value of exactly "?" or "-" escaped whole ("?" is \077);
 *  - un-escaping the field gives back the original bytes.
 * The CLI's round trip of such a comm (JSON): cli_escape_test.sh.
 */
#include "sw_test.h"

#define NCOMMS 8
#define ESC_CG_NAME "sw\001\033\177 x\\y\r\t\200"
#define ESC_CG SW_CG "/" ESC_CG_NAME

struct esc_mk { const char *dir; uint32_t key; };

/* In the creator: optionally move to a cgroup, then create one set. */
static int esc_make(void *arg, int *out, int max SW_UNUSED)
{
	struct esc_mk *m = arg;

	if (m->dir && sw_cg_join(m->dir))
		return -EIO;
	out[0] = sw_mkset(m->key, 1);
	return out[0] < 0 ? out[0] : 1;
}

/* Exact: plain bytes are 0x21..0x7e but '\'; each \ooo stands for a byte that must be escaped. */
static int esc_canonical(const char *f)
{
	if (!strcmp(f, "\\077") || !strcmp(f, "\\055"))
		return 1;	/* "?" or "-" escaped whole */
	for (; *f; f++) {
		unsigned int v;

		if (*f != '\\') {
			if ((unsigned char)*f < 0x21 || (unsigned char)*f > 0x7e)
				return 0;
			continue;
		}
		for (int i = 1; i <= 3; i++)
			if (f[i] < '0' || f[i] > '7')
				return 0;
		v = (f[1] - '0') << 6 | (f[2] - '0') << 3 | (f[3] - '0');
		if (v > 0377 || (v >= 0x21 && v <= 0x7e && v != '\\'))
			return 0;
		f += 3;
	}
	return 1;
}

/* First byte of text that is neither printable ASCII nor a line end; -1 if none. */
static long esc_bad_byte(const char *text)
{
	for (const unsigned char *p = (const unsigned char *)text; *p; p++)
		if (*p != '\n' && (*p < 0x20 || *p > 0x7e))
			return p - (const unsigned char *)text;
	return -1;
}

/* The field must be canonical, equal to the escaping of want, and un-escape to want. */
static void esc_check(struct __test_metadata *_metadata, const char *where,
		      const char *field, const char *want)
{
	char esc[4 * 64 + 1], raw[256];
	int n;

	EXPECT_TRUE(esc_canonical(field)) TH_LOG("%s: '%s' is not exact \\ooo escaping", where, field);
	EXPECT_STREQ(sw_escape(want, strlen(want), esc), field) TH_LOG("%s", where);
	n = sw_unescape(field, raw, sizeof(raw));
	EXPECT_EQ((int)strlen(want), n) TH_LOG("%s: '%s' un-escapes to %d bytes", where, field, n);
	if (n == (int)strlen(want))
		EXPECT_EQ(0, memcmp(want, raw, n)) TH_LOG("%s: '%s' un-escapes wrongly", where, field);
}

FIXTURE(escape) { struct sw_ctx c; int made_cg; };

FIXTURE_SETUP(escape)
{
	ASSERT_EQ(0, sw_save(&self->c.st));
	ASSERT_EQ(0, sw_cmd("watch_prefix 0x0d4d"));
}

FIXTURE_TEARDOWN(escape)
{
	if (self->made_cg)
		EXPECT_EQ(0, sw_cg_rmdir(ESC_CG));
	EXPECT_EQ(0, sw_cleanup(&self->c));
}

TEST_F(escape, comm_and_cgroup)
{
	char comms[NCOMMS][16], specials[40], *raw, *text;
	struct esc_mk mk = { 0 };
	struct sw_child kid;
	int ids[NCOMMS + 1], nspecial = 0, cg_id, r;
	uint32_t cg_key = sw_key(0x0d4d, 0xef);
	struct sw_snap s;
	struct sw_tab *w;
	long bad;

	/* Every byte to escape, 12 to a comm, between two plain ones (and a digit after). */
	for (int c = 0x01; c <= 0x1f; c++)
		specials[nspecial++] = c;
	specials[nspecial++] = 0x7f;
	specials[nspecial++] = ' ';
	specials[nspecial++] = '\\';
	specials[nspecial++] = (char)0x80;
	specials[nspecial++] = (char)0xff;
	for (int i = 0; i < 3; i++) {
		comms[i][0] = 'c';
		comms[i][1] = '0' + i;
		memcpy(comms[i] + 2, specials + 12 * i, 12);
		comms[i][14] = '7';
		comms[i][15] = 0;
	}
	ASSERT_EQ(36, nspecial);
	strcpy(comms[3], "?");
	strcpy(comms[4], "-");
	strcpy(comms[5], " ");
	strcpy(comms[6], "\\");
	strcpy(comms[7], "x?y-z");

	for (int i = 0; i < NCOMMS; i++) {
		mk.key = sw_key(0x0d4d, 0xe0 + i);
		r = sw_spawn(&kid, comms[i], esc_make, &mk, &ids[i], 1);
		sw_release(&kid);
		ASSERT_EQ(1, r) TH_LOG("creator %d: %s", i, strerror(-r));
		sw_track(&self->c, ids[i]);
	}
	if (sw_cg_v2()) {
		self->made_cg = 1;
		ASSERT_TRUE(!mkdir(ESC_CG, 0755) || errno == EEXIST);
		mk = (struct esc_mk){ .dir = ESC_CG, .key = cg_key };
		r = sw_spawn(&kid, "sw-esc-cg", esc_make, &mk, &cg_id, 1);
		sw_release(&kid);	/* so the cgroup can go in teardown */
		ASSERT_EQ(1, r) TH_LOG("creator in the cgroup: %s", strerror(-r));
		sw_track(&self->c, cg_id);
	} else {
		TH_LOG("no cgroup v2 at " SW_CG ": cgroup escaping not checked");
	}

	raw = sw_slurp(SW_PROC);
	ASSERT_NE(NULL, raw);
	bad = esc_bad_byte(raw);
	EXPECT_EQ(-1, bad) TH_LOG("byte 0x%02x at offset %ld of " SW_PROC, bad < 0 ? 0 :
				  (unsigned char)raw[bad], bad);
	text = strdup(raw);
	ASSERT_EQ(0, sw_parse(&s, raw));
	ASSERT_EQ(0, sw_incomplete(&s));
	w = sw_tab(&s, "watched");
	for (int i = 0; i < NCOMMS; i++) {
		char where[64];

		r = sw_find_set(w, sw_key(0x0d4d, 0xe0 + i), sw_ns_ino(0));
		ASSERT_LE(0, r) TH_LOG("no watched row for creator %d", i);
		snprintf(where, sizeof(where), SW_PROC " comm of creator %d", i);
		esc_check(_metadata, where, sw_cell(w, r, "comm"), comms[i]);
	}
	/* The spec's own words, not only our escaping function's. */
	EXPECT_STREQ("\\077", sw_cell(w, sw_find_set(w, sw_key(0x0d4d, 0xe3), 0), "comm"));
	EXPECT_STREQ("\\055", sw_cell(w, sw_find_set(w, sw_key(0x0d4d, 0xe4), 0), "comm"));
	EXPECT_STREQ("\\040", sw_cell(w, sw_find_set(w, sw_key(0x0d4d, 0xe5), 0), "comm"));
	EXPECT_STREQ("\\134", sw_cell(w, sw_find_set(w, sw_key(0x0d4d, 0xe6), 0), "comm"));
	EXPECT_STREQ("x?y-z", sw_cell(w, sw_find_set(w, sw_key(0x0d4d, 0xe7), 0), "comm"));
	if (self->made_cg) {
		r = sw_find_set(w, cg_key, 0);
		ASSERT_LE(0, r);
		EXPECT_STREQ("sw-esc-cg", sw_cell(w, r, "comm"));
		EXPECT_STREQ("/sw\\001\\033\\177\\040x\\134y\\015\\011\\200", sw_cell(w, r, "cgroup"));
		esc_check(_metadata, SW_PROC " cgroup", sw_cell(w, r, "cgroup"), "/" ESC_CG_NAME);
	}
	sw_free(&s);

	/* debugfs prints the same fields, and events the creators' comm. */
	if (access(SW_DBG_SETS, R_OK))
		TH_LOG("debugfs not mounted: its sets and events not checked");
	for (int f = 0; f < 2 && !access(SW_DBG_SETS, R_OK); f++) {
		const char *path = f ? SW_DBG_EVENTS : SW_DBG_SETS;
		struct sw_tab *t;

		free(text);
		text = sw_slurp(path);
		ASSERT_NE(NULL, text) TH_LOG("%s: %s", path, strerror(errno));
		bad = esc_bad_byte(text);
		EXPECT_EQ(-1, bad) TH_LOG("byte 0x%02x at offset %ld of %s", bad < 0 ? 0 :
					  (unsigned char)text[bad], bad, path);
		ASSERT_EQ(0, sw_snap_file(&s, path));
		t = sw_tab(&s, "");
		for (int i = 0; i < NCOMMS; i++) {
			char where[96];

			r = -1;	/* the latest row of this set (ids are reused) */
			for (int j = t->nrows - 1; j >= 0 && r < 0; j--)
				if (sw_ncell(t, j, "semid") == ids[i] &&
				    sw_ncell(t, j, "key") == sw_key(0x0d4d, 0xe0 + i) &&
				    (!f || !strcmp(sw_cell(t, j, "op"), "create")))
					r = j;
			ASSERT_LE(0, r) TH_LOG("%s: no row for set %d", path, ids[i]);
			snprintf(where, sizeof(where), "%s comm of creator %d", path, i);
			esc_check(_metadata, where, sw_cell(t, r, "comm"), comms[i]);
		}
		sw_free(&s);
	}
	free(text);
}

SW_TEST_MAIN()
