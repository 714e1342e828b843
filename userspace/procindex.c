// SPDX-License-Identifier: GPL-2.0
/*
 * The index of a parsed /proc/semwatch's watched rows by (ns, semid), which
 * joins each set the kernel lists to its row in one probe.
 */
#include <errno.h>
#include <stdlib.h>

#include "semwatch.h"

static size_t row_hash(unsigned long long ns, int semid, size_t mask)
{
	return (size_t)((ns * 0x9e3779b97f4a7c15ULL ^ (unsigned int)semid) *
			0xff51afd7ed558ccdULL >> 20) & mask;
}

/* The slot holding (ns, semid), or the empty slot where it would go. */
static size_t row_slot(const struct sw_module *m, unsigned long long ns, int semid)
{
	size_t h = row_hash(ns, semid, m->index_mask);
	const struct sw_modrow *r;

	for (; m->index[h]; h = (h + 1) & m->index_mask) {
		r = &m->rows[m->index[h] - 1];
		if (r->ns == ns && r->semid == semid)
			break;
	}
	return h;
}

/*
 * An open-addressing index of the rows by (ns, semid), twice as many slots as
 * rows: sets are joined to rows in one probe each, without sorting the rows.
 * Slots hold row number + 1 (0: empty). The module lists a set once, so a
 * repeated (ns, semid) is garbled input (-EEXIST): whichever row won could
 * be the stale one.
 */
int sw_proc_index(struct sw_module *m)
{
	size_t n = 64, i, h;

	while (n < 2 * m->n_rows)
		n *= 2;
	m->index = calloc(n, sizeof(*m->index));
	if (!m->index)
		return -ENOMEM;
	m->index_mask = n - 1;
	for (i = 0; i < m->n_rows; i++) {
		h = row_slot(m, m->rows[i].ns, m->rows[i].semid);
		if (m->index[h])
			return -EEXIST;
		m->index[h] = i + 1;
	}
	return 0;
}

const struct sw_modrow *sw_proc_find(const struct sw_module *m,
				     unsigned long long ns, int semid,
				     uint32_t key)
{
	const struct sw_modrow *r;
	size_t h;

	if (!m || !m->index)
		return NULL;
	h = row_slot(m, ns, semid);
	if (!m->index[h])
		return NULL;
	r = &m->rows[m->index[h] - 1];
	/* same id but another key: a stale row; trust neither */
	return r->key == key ? r : NULL;
}
