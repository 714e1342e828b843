// SPDX-License-Identifier: GPL-2.0
/* libFuzzer harness: the /proc/semwatch parser. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "semwatch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sw_module m;
	struct sw_perr e;
	char *buf = malloc(size + 1);

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	if (!sw_proc_parse(buf, size, &m, &e)) {
		/* a parsed file must be internally usable */
		if (m.n_rows)
			sw_proc_find(&m, m.rows[0].ns, m.rows[0].semid, m.rows[0].key);
		sw_proc_free(&m);
	}
	free(buf);
	return 0;
}
