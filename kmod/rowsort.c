// SPDX-License-Identifier: GPL-2.0
/*
 * The order of a view's rows: by prefix, then creation time (oldest first), then
 * namespace and id, as sw_row_cmp() in viewcopy.c defines it.
 *
 * A comparison sort is the largest cost of opening a big view: the heapsort of
 * sort_r() spent 47 ms of a 116 ms read of 32,000 rows (6.12, QEMU -icount, so
 * instructions), and n log n grows with ipcmni_extend's million. The order is a
 * 16-byte key instead, radix-sorted a byte at a time from the least significant,
 * skipping the bytes that every key shares (the namespace, the prefix and most of
 * the time, usually): a pass over the rows per byte that differs.
 */
#include <linux/minmax.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "view.h"

struct sw_rowkey {
	u64 hi;			/* prefix << 32 | creation time */
	u64 lo;			/* namespace << 32 | id */
	u32 row;		/* where the row is; once sorted, where it goes */
};

#define SW_KEY_BYTES 16

static u8 sw_key_byte(const struct sw_rowkey *k, unsigned int b)
{
	return b < 8 ? k->lo >> (8 * b) : k->hi >> (8 * (b - 8));
}

/* Times past 2106 (u32 seconds) sort with 2106: no view holds one. */
static struct sw_rowkey sw_row_key(const struct sw_row *row, unsigned int prefix_bits,
				   u32 i)
{
	u64 ctime = clamp_t(time64_t, row->ctime, 0, U32_MAX);

	return (struct sw_rowkey){
		.hi = (u64)sw_prefix_of(row->key, prefix_bits) << 32 | ctime,
		.lo = (u64)row->ns_inum << 32 | (u32)row->id,
		.row = i,
	};
}

/* One stable counting pass on byte B, from src to dst, with count[] for scratch. */
static void sw_key_pass(const struct sw_rowkey *src, struct sw_rowkey *dst, u32 n,
			unsigned int b, u32 *count)
{
	u32 i, sum = 0, c;

	memset(count, 0, 256 * sizeof(*count));
	for (i = 0; i < n; i++)
		count[sw_key_byte(&src[i], b)]++;
	for (i = 0; i < 256; i++) {
		c = count[i];
		count[i] = sum;
		sum += c;
	}
	for (i = 0; i < n; i++)
		dst[count[sw_key_byte(&src[i], b)]++] = src[i];
}

/* Moves each row once, along the permutation's cycles: keys[j].row goes to j. */
static void sw_rows_permute(struct sw_row *rows, struct sw_rowkey *keys, u32 n)
{
	struct sw_row tmp;
	u32 i, j, k;

	for (i = 0; i < n; i++) {
		if (keys[i].row == i)
			continue;
		tmp = rows[i];
		for (j = i; (k = keys[j].row) != i; j = k) {
			rows[j] = rows[k];
			keys[j].row = j;
		}
		rows[j] = tmp;
		keys[j].row = j;
	}
}

/* Process context. -ENOMEM leaves the rows as they were. */
int sw_rows_sort(struct sw_row *rows, u32 n, unsigned int prefix_bits)
{
	struct sw_rowkey any = {};			/* bits set in some key */
	struct sw_rowkey all = { .hi = ~0ULL, .lo = ~0ULL };	/* set in every key */
	struct sw_rowkey diff;				/* bits that differ */
	struct sw_rowkey *keys, *a, *t;
	unsigned int b;
	u32 *count, i;

	if (n < 2)
		return 0;
	keys = sw_view_alloc((size_t)n * 2, sizeof(*keys));
	count = sw_view_alloc(256, sizeof(*count));
	if (!keys || !count) {
		kvfree(keys);
		kvfree(count);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		keys[i] = sw_row_key(&rows[i], prefix_bits, i);
		any.hi |= keys[i].hi;
		any.lo |= keys[i].lo;
		all.hi &= keys[i].hi;
		all.lo &= keys[i].lo;
	}
	diff.hi = any.hi ^ all.hi;
	diff.lo = any.lo ^ all.lo;
	a = keys;
	t = keys + n;
	for (b = 0; b < SW_KEY_BYTES; b++) {
		if (!sw_key_byte(&diff, b))
			continue;	/* every key has this byte */
		sw_key_pass(a, t, n, b, count);
		swap(a, t);
	}
	sw_rows_permute(rows, a, n);
	kvfree(keys);
	kvfree(count);
	return 0;
}
