// SPDX-License-Identifier: GPL-2.0
/*
 * semwatch reap's closing lines in text: the counts of each reason a set was
 * kept, why creators are unknown, and dmsetup's summary line.
 */
#include <stdio.h>

#include "reap.h"

/*
 * Why creators are unknown: "creator unknown" alone is no answer. m is the
 * last /proc/semwatch read, even if the module was unloaded since.
 */
static void why_unknown(const struct reap *c)
{
	const struct sw_module *m = c->have_buf ? &c->modbuf : NULL;
	char cmd[256];

	if (c->unknown[SW_WHY_UNWATCHED] && m) {
		sw_watch_cmd(m, c->rules.prefix, cmd, sizeof(cmd));
		printf("Creator unknown for %zu: semwatch.ko lists prefix 0x%x "
		       "(%u bits), not 0x%x. It records every set: run, as root in "
		       "the initial IPC namespace, %s; then reap again.\n",
		       c->unknown[SW_WHY_UNWATCHED], m->watch_prefix,
		       m->prefix_bits, c->rules.prefix, cmd);
	}
	if (c->unknown[SW_WHY_BEFORE])
		printf("Creator unknown for %zu: made before semwatch.ko was "
		       "loaded%s.\n", c->unknown[SW_WHY_BEFORE],
		       m && m->dropped ? ", or not recorded (dropped)" : "");
	if (c->unknown[SW_WHY_NO_MODULE])
		printf("Creator unknown for %zu: semwatch.ko is not loaded.\n",
		       c->unknown[SW_WHY_NO_MODULE]);
	if (c->skipped[SW_SKIP_UNKNOWN])
		puts("--force reaps sets of unknown creators as dmsetup "
		     "udevcomplete_all does, without knowing whether they run.");
}

void reap_text_summary(const struct reap *c)
{
	size_t k, m = 0;
	const char *sep = "Skipped: ";

	for (k = 1; k < SW_SKIP_MAX; k++) {
		if (!c->skipped[k])
			continue;
		printf("%s%zu %s", sep, c->skipped[k], sw_skip_name((enum sw_skip)k));
		sep = ", ";
		m += c->skipped[k];
	}
	if (m)
		puts(".");
	stuck_reap_note(c->skipped[SW_SKIP_STUCK]);
	why_unknown(c);
	printf("%zu semaphores with keys prefixed by %u (0x%x) %s. %zu skipped.\n",
	       c->destroyed, c->rules.prefix, c->rules.prefix,
	       c->dry_run ? "would be destroyed (dry run)" : "destroyed", m);
}
