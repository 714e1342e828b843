// SPDX-License-Identifier: GPL-2.0
/*
 * Issue 8, hostile input on the kernel side:
 *  - a bounded random-write loop into /proc/semwatch (fixed, printed seed):
 *    random bytes, overlong lines, NULs, partial writes, faulting buffers,
 *    valid-looking commands with bad numbers, from several concurrent writer
 *    processes (invalid input only, so the state must never move), then a
 *    single writer mixing in valid commands while a model of the module's
 *    parser predicts every result and the header state;
 *  - writes to the debugfs files always fail;
 *  - invalid module parameters make insmod fail with EINVAL, leave nothing
 *    registered and log a `semwatch:` line naming the parameter.
 * SEMWATCH_FUZZ_SEED and SEMWATCH_FUZZ_WRITES override the seed and count.
 */
#include "sw_test.h"

/*
 * The harness ends each test's child with _exit(), which drops buffered
 * stdout: keep ksft_print_msg() lines (the counts) by line-buffering.
 */
static void __attribute__((constructor)) linebuffered_stdout(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
}
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/mman.h>

#define FW_WRITERS	4
#define FW_MAXLEN	4200

/* --- a model of kmod/procfs.c's parser and main.c's settings, from README */

struct fw_state { unsigned int prefix, bits; };

/* The kernel's isspace() (lib/ctype.c): 0xa0 counts as a space. */
static int k_isspace(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r') || c == 0xa0;
}

static int k_isxdigit(unsigned char c)
{
	return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}

/* kstrtouint(): 0 and *out, or -1 for anything the spec calls invalid. */
static int k_strtouint(const char *s, unsigned int base, unsigned int *out)
{
	unsigned long long v = 0;
	int n = 0, over = 0;

	if (*s == '+')
		s++;
	if (base == 0) {
		if (s[0] == '0')
			base = ((s[1] | 0x20) == 'x' && k_isxdigit(s[2])) ? 16 : 8;
		else
			base = 10;
	}
	if (base == 16 && s[0] == '0' && (s[1] | 0x20) == 'x')
		s += 2;
	for (;; s++, n++) {
		unsigned int d;
		unsigned char c = *s;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			d = (c | 0x20) - 'a' + 10;
		else
			break;
		if (d >= base)
			break;
		if (v > (0xffffffffULL - d) / base)
			over = 1;
		else
			v = v * base + d;
	}
	if (!n || over)
		return -1;
	if (*s == '\n')
		s++;
	if (*s)
		return -1;
	*out = (unsigned int)v;
	return 0;
}

static int fw_fits(unsigned int prefix, unsigned int bits)
{
	return bits >= 1 && bits <= 32 && (bits == 32 || !(prefix >> bits));
}

/* Expected errno of one write(buf, len) (0: accepted), updating *st if valid. */
static int fw_model(const unsigned char *buf, size_t len, struct fw_state *st)
{
	char line[64], *s, *end, *value;
	unsigned int n;

	if (len == 0 || len > 63)
		return EINVAL;
	if (memchr(buf, 0, len))
		return EINVAL;
	memcpy(line, buf, len);
	line[len] = 0;
	end = line + len - 1;
	while (end >= line && k_isspace(*end))
		*end-- = 0;
	for (s = line; k_isspace(*s); s++)
		;
	value = strchr(s, ' ');
	if (!value)
		return EINVAL;
	*value++ = 0;
	while (k_isspace(*value))
		value++;
	if (!strcmp(s, "watch_prefix")) {
		if (k_strtouint(value, 0, &n) || !fw_fits(n, st->bits))
			return EINVAL;
		st->prefix = n;
		return 0;
	}
	if (!strcmp(s, "prefix_bits")) {
		if (k_strtouint(value, 10, &n) || !fw_fits(st->prefix, n))
			return EINVAL;
		st->bits = n;
		return 0;
	}
	return EINVAL;
}

/* --- input generators (xorshift64*, so a seed replays exactly) */

static uint64_t fw_rng;

static uint64_t fw_rand(void)
{
	fw_rng ^= fw_rng >> 12;
	fw_rng ^= fw_rng << 25;
	fw_rng ^= fw_rng >> 27;
	return fw_rng * 0x2545F4914F6CDD1DULL;
}

static unsigned int fw_below(unsigned int n) { return fw_rand() % n; }

static const char *const fw_numbers[] = {
	"-1", "0x", "0x1g", "1e3", "", " ", "0xffffffff1", "99999999999",
	"4294967296", "0b101", "1.5", "0x-1", "++1", "+", "0x+1", "09", "0X",
	"\xc2\xa0" "5", "0x1ffff", "65536", "0xd4d 1", "0xd4d\t", "5\n5",
	"99999999999999999999999", "18446744073709551616", "-0", "0x0d4d\x01",
	"0", "1", "8", "16", "32", "33", "0x0d4d", "3405", "+16", "0xffffffff",
	"0xdead", "0x5e71", "0xd", "15", "4", "0x7fff", "017",
};

static const char *const fw_commands[] = {
	"watch_prefix", "prefix_bits", "watch_prefixx", "WATCH_PREFIX",
	"prefix_bit", "watch_prefix\t", "prefix-bits", "watch", "", "\n",
	"watch_prefix\xa0",
};

enum fw_kind { FW_RANDOM, FW_OVERLONG, FW_NUL, FW_NUMBER, FW_PARTIAL,
	       FW_SPACES, FW_FAULT, FW_KINDS };
static const char *const fw_kind_names[] = {
	"random", "overlong", "nul", "number", "partial", "spaces", "fault",
};

/* A command-like line: COMMAND SEP NUMBER, with optional padding. */
static size_t fw_commandish(unsigned char *b, size_t cap)
{
	static const char *const pads[] = { "", " ", "\n", "\t", "  \n", "\xa0", "\r\n" };
	int n = snprintf((char *)b, cap, "%s%s%s%s%s",
			 pads[fw_below(7)], fw_commands[fw_below(11)],
			 fw_below(8) ? " " : "  ",
			 fw_numbers[fw_below(sizeof(fw_numbers) / sizeof(fw_numbers[0]))],
			 pads[fw_below(7)]);

	return n < 0 ? 0 : (size_t)n >= cap ? cap - 1 : (size_t)n;
}

/*
 * Fills b with one write's bytes; returns its length. *fault says the write
 * should use a buffer whose tail is unmapped.
 */
static size_t fw_gen(enum fw_kind k, unsigned char *b, int *fault)
{
	size_t len, i;

	*fault = 0;
	switch (k) {
	case FW_RANDOM:
		len = 1 + fw_below(fw_below(4) ? 64 : 300);
		for (i = 0; i < len; i++)
			b[i] = fw_rand();
		return len;
	case FW_OVERLONG:
		len = fw_commandish(b, 64);
		memset(b + len, fw_below(2) ? ' ' : '0', FW_MAXLEN);
		return 64 + fw_below(FW_MAXLEN - 64);
	case FW_NUL:
		len = fw_commandish(b, 64);
		if (!len)
			len = 1;
		b[fw_below(len)] = 0;
		return len;
	case FW_PARTIAL:
		/* One chunk of a command split across writes. */
		len = fw_commandish(b, 64);
		if (len > 1) {
			size_t cut = 1 + fw_below(len - 1);

			if (fw_below(2))
				memmove(b, b + cut, len - cut), len -= cut;
			else
				len = cut;
		}
		return len;
	case FW_SPACES:
		len = 1 + fw_below(63);
		for (i = 0; i < len; i++)
			b[i] = " \t\n\r\v\f\xa0"[fw_below(7)];
		return len;
	case FW_FAULT:
		*fault = 1;
		return fw_commandish(b, 64);
	default:
		return fw_commandish(b, 64);
	}
}

/* --- the module side */

static int fw_state_read(struct fw_state *st)
{
	struct sw_snap s;
	long long p, b;

	if (sw_snap(&s))
		return -1;
	p = sw_num(sw_hdr(&s, "watch_prefix"));
	b = sw_num(sw_hdr(&s, "prefix_bits"));
	sw_free(&s);
	if (p < 0 || b < 0)
		return -1;
	st->prefix = p;
	st->bits = b;
	return 0;
}

/* A page of bytes followed by an inaccessible page, for EFAULT writes. */
static unsigned char *fw_fault_page(void)
{
	long pg = sysconf(_SC_PAGESIZE);
	unsigned char *p = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	if (mprotect(p + pg, pg, PROT_NONE))
		return NULL;
	return p + pg;		/* the end of the readable page */
}

/* One write of len bytes; errno or 0. Fault writes have only half mapped. */
static int fw_write(int fd, const unsigned char *b, size_t len, int fault,
		    unsigned char *page_end)
{
	const unsigned char *src = b;
	ssize_t w;

	if (fault && len) {
		size_t mapped = len / 2;

		memcpy(page_end - mapped, b, mapped);
		src = page_end - mapped;
	}
	w = write(fd, src, len);
	if (w < 0)
		return errno;
	return w == (ssize_t)len ? 0 : EIO;
}

struct fw_stats {
	long writes, accepted, wrong, per_kind[FW_KINDS];
	char first_wrong[160];
};

static void fw_note_wrong(struct fw_stats *s, enum fw_kind k, const unsigned char *b,
			  size_t len, int want, int got)
{
	char hex[80];
	size_t i, o = 0;

	if (s->wrong++)
		return;
	for (i = 0; i < len && o + 3 < sizeof(hex); i++)
		o += snprintf(hex + o, sizeof(hex) - o, "%02x", b[i]);
	snprintf(s->first_wrong, sizeof(s->first_wrong),
		 "%s len %zu want %d got %d: %s", fw_kind_names[k], len, want, got, hex);
}

static uint64_t fw_seed(void)
{
	const char *e = getenv("SEMWATCH_FUZZ_SEED");

	return e && *e ? strtoull(e, NULL, 0) : 0x5e3a7c1100d4dULL;
}

static long fw_count(void)
{
	const char *e = getenv("SEMWATCH_FUZZ_WRITES");
	long n = e && *e ? atol(e) : 20000;

	return n < FW_WRITERS * 2 ? FW_WRITERS * 2 : n;
}

/*
 * Concurrent writers: invalid input only, so every write must fail with
 * EINVAL (EFAULT for a faulting buffer) and the state never move.
 */
static void fw_writer(int idx, long n, const struct fw_state *fixed,
		      struct fw_stats *out)
{
	static unsigned char b[FW_MAXLEN + 64];
	unsigned char *page_end = fw_fault_page();
	struct fw_stats s = {};
	int fd = -1;

	fw_rng = fw_seed() + 0x9e3779b97f4a7c15ULL * (idx + 1);
	while (s.writes < n) {
		enum fw_kind k = fw_below(FW_KINDS);
		struct fw_state st = *fixed;
		int fault, want, got;
		size_t len = fw_gen(k, b, &fault);

		if (fault && !page_end)
			continue;
		want = fw_model(b, len, &st);
		if (!want)
			continue;	/* valid by chance: not for this phase */
		if (fault && len >= 1 && len <= 63)
			want = EFAULT;
		/* Sometimes one fd for many writes, sometimes read-write. */
		if (fd < 0 || !fw_below(4)) {
			if (fd >= 0)
				close(fd);
			fd = open(SW_PROC, fw_below(3) ? O_WRONLY : O_RDWR);
			if (fd < 0) {
				fw_note_wrong(&s, k, b, 0, 0, -errno);
				break;
			}
		}
		got = fw_write(fd, b, len, fault, page_end);
		s.writes++;
		s.per_kind[k]++;
		if (!got)
			s.accepted++;
		if (got != want)
			fw_note_wrong(&s, k, b, len, want, got);
	}
	if (fd >= 0)
		close(fd);
	*out = s;
}

FIXTURE(fw) { struct sw_state st; };
FIXTURE_SETUP(fw)
{
	ASSERT_EQ(0, sw_save(&self->st));
	ASSERT_EQ(0, sw_cmd("watch_prefix 0x0d4d"));
	ASSERT_EQ(0, sw_cmd("prefix_bits 16"));
}
FIXTURE_TEARDOWN(fw)
{
	if (!access(SW_PROC, F_OK))
		EXPECT_EQ(0, sw_restore(&self->st));
}

TEST_F_TIMEOUT(fw, random_writes, 120)
{
	long total = fw_count(), per = total / 2 / FW_WRITERS, serial = total - per * FW_WRITERS;
	struct fw_state fixed = { 0x0d4d, 16 }, now, model = fixed;
	struct fw_stats *shared, sum = {};
	static unsigned char b[FW_MAXLEN + 64];
	unsigned char *page_end = fw_fault_page();
	pid_t pids[FW_WRITERS];
	long valid = 0, checks = 0;
	int i, k;

	ksft_print_msg("fuzzwrite: seed 0x%llx, %ld writes (%d writers x %ld, then %ld serial)\n",
		       (unsigned long long)fw_seed(), per * FW_WRITERS + serial, FW_WRITERS,
		       per, serial);
	ASSERT_EQ(0, fw_state_read(&now));
	ASSERT_EQ(fixed.prefix, now.prefix);
	ASSERT_EQ(fixed.bits, now.bits);

	/* Phase 1: concurrent writers of invalid input; the parent watches the state. */
	shared = mmap(NULL, sizeof(*shared) * FW_WRITERS, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, shared);
	for (i = 0; i < FW_WRITERS; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (!pids[i]) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			fw_writer(i, per, &fixed, &shared[i]);
			_exit(0);
		}
	}
	for (;;) {
		int alive = 0, st;

		for (i = 0; i < FW_WRITERS; i++)
			if (pids[i] > 0 && waitpid(pids[i], &st, WNOHANG) == 0)
				alive++;
			else if (pids[i] > 0) {
				EXPECT_TRUE(WIFEXITED(st) && !WEXITSTATUS(st));
				pids[i] = 0;
			}
		if (!alive)
			break;
		ASSERT_EQ(0, fw_state_read(&now));
		checks++;
		EXPECT_EQ(fixed.prefix, now.prefix);
		EXPECT_EQ(fixed.bits, now.bits);
		usleep(20000);
	}
	for (i = 0; i < FW_WRITERS; i++) {
		sum.writes += shared[i].writes;
		sum.accepted += shared[i].accepted;
		sum.wrong += shared[i].wrong;
		for (k = 0; k < FW_KINDS; k++)
			sum.per_kind[k] += shared[i].per_kind[k];
		if (shared[i].wrong)
			TH_LOG("writer %d: %ld unexpected results, first: %s", i,
			       shared[i].wrong, shared[i].first_wrong);
	}
	ksft_print_msg("fuzzwrite: concurrent: %ld writes, %ld accepted, %ld unexpected, %ld state checks\n",
		       sum.writes, sum.accepted, sum.wrong, checks);
	for (k = 0; k < FW_KINDS; k++)
		ksft_print_msg("fuzzwrite:   %-8s %ld\n", fw_kind_names[k], sum.per_kind[k]);
	EXPECT_EQ(per * FW_WRITERS, sum.writes);
	EXPECT_EQ(0, sum.accepted);
	EXPECT_EQ(0, sum.wrong);
	ASSERT_EQ(0, fw_state_read(&now));
	EXPECT_EQ(fixed.prefix, now.prefix);
	EXPECT_EQ(fixed.bits, now.bits);
	munmap(shared, sizeof(*shared) * FW_WRITERS);

	/* Phase 2: one writer, valid commands too; the model predicts each result. */
	memset(&sum, 0, sizeof(sum));
	fw_rng = fw_seed();
	while (sum.writes < serial) {
		enum fw_kind k = fw_below(FW_KINDS + 3);	/* extra weight: commands */
		struct fw_state next = model;
		int fault = 0, want, got, fd;
		size_t len;

		len = k >= FW_KINDS ? fw_commandish(b, 64) : fw_gen(k, b, &fault);
		if (k >= FW_KINDS)
			k = FW_NUMBER;
		if (fault && !page_end)
			continue;
		want = fw_model(b, len, &next);
		if (fault && len >= 1 && len <= 63)
			want = EFAULT, next = model;
		fd = open(SW_PROC, O_WRONLY);
		ASSERT_LE(0, fd);
		got = fw_write(fd, b, len, fault, page_end);
		close(fd);
		sum.writes++;
		sum.per_kind[k]++;
		if (!got)
			sum.accepted++;
		if (!want)
			valid++;
		if (got != want)
			fw_note_wrong(&sum, k, b, len, want, got);
		if (!got)
			model = next;
		if (got != want || !(sum.writes % 64)) {
			ASSERT_EQ(0, fw_state_read(&now));
			checks++;
			if (now.prefix != model.prefix || now.bits != model.bits) {
				TH_LOG("after write %ld: module has %#x/%u, model %#x/%u",
				       sum.writes, now.prefix, now.bits, model.prefix, model.bits);
				model = now;
				sum.wrong++;
			}
		}
	}
	if (sum.wrong)
		TH_LOG("serial: %ld unexpected results, first: %s", sum.wrong, sum.first_wrong);
	ksft_print_msg("fuzzwrite: serial: %ld writes, %ld valid by the model, %ld accepted, %ld unexpected\n",
		       sum.writes, valid, sum.accepted, sum.wrong);
	EXPECT_EQ(0, sum.wrong);
	EXPECT_LT(0, valid);
	ASSERT_EQ(0, fw_state_read(&now));
	EXPECT_EQ(model.prefix, now.prefix);
	EXPECT_EQ(model.bits, now.bits);
}

/*
 * Every other file operation on every kind of open: seeks, positioned writes,
 * ioctls, zero-length reads. Each may succeed or fail, but the caller must
 * survive (a write-only open has no seq_file behind it) and the settings
 * must not move.
 */
TEST_F(fw, other_syscalls_on_every_open)
{
	static const int modes[] = { O_WRONLY, O_RDWR, O_RDONLY };
	static const char *const names[] = { "O_WRONLY", "O_RDWR", "O_RDONLY" };
	struct fw_state now;
	long calls = 0;

	for (int m = 0; m < 3; m++) {
		int fd = open(SW_PROC, modes[m]), n;
		char b[16];

		ASSERT_LE(0, fd) TH_LOG("open %s", names[m]);
		TH_LOG("%s: lseek", names[m]);
		lseek(fd, 0, SEEK_SET);
		lseek(fd, 7, SEEK_CUR);
		lseek(fd, 0, SEEK_END);
		lseek(fd, -1, SEEK_SET);
		calls += 4;
		pwrite(fd, "frob 1", 6, 3);
		pread(fd, b, sizeof(b), 1 << 20);
		read(fd, b, 0);
		ioctl(fd, FIONREAD, &n);
		calls += 4;
		close(fd);
	}
	ksft_print_msg("fuzzwrite: %ld seeks, positioned I/O and ioctls survived\n", calls);
	ASSERT_EQ(0, fw_state_read(&now));
	EXPECT_EQ(0x0d4d, now.prefix);
	EXPECT_EQ(16, now.bits);
}

/* debugfs files have no write method: open for writing or the write fails. */
TEST(debugfs_writes_fail)
{
	static const char *const files[] = { SW_DBG_SETS, SW_DBG_EVENTS };
	static const char *const inputs[] = { "watch_prefix 0x5e71\n", "", "x", "\0\0\0" };
	char big[8192];
	long tries = 0, refused_open = 0, failed_write = 0;

	memset(big, 'A', sizeof(big));
	for (unsigned int f = 0; f < 2; f++) {
		if (access(files[f], F_OK))
			SKIP(return, "%s missing (debugfs not mounted?)", files[f]);
		for (unsigned int i = 0; i < 5; i++) {
			const char *in = i < 4 ? inputs[i] : big;
			size_t len = i < 4 ? strlen(in) + (i == 3 ? 3 : 0) : sizeof(big);
			int fd = open(files[f], i & 1 ? O_RDWR : O_WRONLY);
			ssize_t w;

			tries++;
			if (fd < 0) {
				refused_open++;
				continue;
			}
			w = write(fd, in, len);
			EXPECT_GT(0, w) TH_LOG("write of %zu bytes to %s returned %zd",
					       len, files[f], w);
			failed_write += w < 0;
			close(fd);
		}
	}
	ksft_print_msg("fuzzwrite: debugfs: %ld writes tried, %ld opens refused, %ld writes failed\n",
		       tries, refused_open, failed_write);
	EXPECT_EQ(tries, refused_open + failed_write);
}

/* --- invalid module parameters */

static char *fw_dmesg(void)
{
	int size = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0), n;
	char *buf;

	if (size <= 0)
		size = 1 << 20;
	buf = malloc(size + 1);
	if (!buf)
		return NULL;
	n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, size);
	if (n < 0) {
		free(buf);
		return NULL;
	}
	buf[n] = 0;
	return buf;
}

/* Lines containing both "semwatch:" and needle. */
static int fw_dmesg_count(const char *needle)
{
	char *buf = fw_dmesg(), *cur, *line;
	int n = 0;

	if (!buf)
		return -1;
	for (cur = buf; (line = sw_nextline(&cur));)
		n += strstr(line, "semwatch:") && strstr(line, needle);
	free(buf);
	return n;
}

FIXTURE(param) { int unloaded; };
FIXTURE_SETUP(param)
{
	if (!sw_can_reload())
		SKIP(return, "SEMWATCH_KO/SEMWATCH_HOOK not set");
	ASSERT_EQ(0, sw_unload());
	self->unloaded = 1;
}
FIXTURE_TEARDOWN(param)
{
	if (self->unloaded && access(SW_PROC, F_OK))
		EXPECT_EQ(0, sw_reload(""));
}

TEST_F_TIMEOUT(param, invalid_parameters_refused, 120)
{
	static const struct { const char *params, *needle; } bad[] = {
		{ "hook=bogus", "hook=bogus" },
		{ "hook=", "hook=" },
		{ "prefix_bits=0", "prefix_bits=0" },
		{ "prefix_bits=33", "prefix_bits=33" },
		{ "watch_prefix=0x1ffff", "watch_prefix=0x1ffff" },
		{ "prefix_bits=8", "prefix_bits=8" },	/* 0x0d4d does not fit */
		{ "max_records=0", "max_records=0" },
		{ "max_records=16777217", "max_records=16777217" },
		{ "proc_mode=0777", "proc_mode=0777" },
		{ "proc_mode=0200", "proc_mode=0200" },
		{ "prefix_bits=-1", "prefix_bits" },
		{ "max_records=12abc", "max_records" },
		{ "layout=maybe", "layout" },
	};
	char p[128];

	if (!self->unloaded)
		return;		/* skipped in setup (6.1's harness still runs the body) */
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int before = fw_dmesg_count(bad[i].needle), e;

		snprintf(p, sizeof(p), "hook=%s %s", getenv("SEMWATCH_HOOK"), bad[i].params);
		if (!strncmp(bad[i].params, "hook=", 5))
			snprintf(p, sizeof(p), "%s", bad[i].params);
		e = sw_load(p);
		EXPECT_EQ(EINVAL, e) TH_LOG("insmod semwatch.ko %s", p);
		if (!e)
			ASSERT_EQ(0, sw_unload());
		EXPECT_NE(0, access(SW_PROC, F_OK)) TH_LOG("%s: /proc/semwatch left", p);
		EXPECT_NE(0, access("/sys/module/semwatch", F_OK)) TH_LOG("%s: module left", p);
		EXPECT_NE(0, access(SW_DBG_SETS, F_OK)) TH_LOG("%s: debugfs left", p);
		EXPECT_LT(before, fw_dmesg_count(bad[i].needle))
			TH_LOG("%s: no new 'semwatch:' kernel log line naming %s", p, bad[i].needle);
	}
	ASSERT_EQ(0, sw_reload(""));
	ASSERT_EQ(0, access(SW_PROC, F_OK));
}

SW_TEST_MAIN()
