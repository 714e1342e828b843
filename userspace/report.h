/* SPDX-License-Identifier: GPL-2.0 */
/* semwatch report: what its options chose, shared by its files. */
#ifndef SEMWATCH_REPORT_H
#define SEMWATCH_REPORT_H

#include "cli.h"

struct ropts {
	struct sw_outopts out;
	bool verbose;		/* -v, or implied by -o/--output-all */
	struct sw_colsel sets;	/* columns of the sets table */
	const char *prom;	/* NULL: no Prometheus output */
};

/* report_tables.c */
extern const char *const report_set_cols[];
extern const int report_n_set_cols, report_n_set_default;
int report_output(const struct sw_report *r, const struct ropts *o);

/* report_stuck.c */
struct libscols_table *report_stuck(const struct sw_report *r,
				    const struct sw_outopts *o);
struct libscols_line;
void report_lastop_cells(struct libscols_line *l, const struct sw_set *s,
			 int pid_col, int comm_col, const struct sw_outopts *o);

#endif
