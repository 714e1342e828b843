/* SPDX-License-Identifier: GPL-2.0 */
#ifndef SEMWATCH_TAP_H
#define SEMWATCH_TAP_H
void ok(int cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void test_select(void);
void test_model(void);
void test_prom(void);
void test_cli(void);
void test_text(void);
#endif
