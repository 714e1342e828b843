// SPDX-License-Identifier: GPL-2.0
/* Without libFuzzer: run the harness once over each file named (corpus). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "semwatch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		size_t len;
		char *buf;

		if (sw_read_file(argv[i], &buf, &len)) {
			perror(argv[i]);
			return 1;
		}
		LLVMFuzzerTestOneInput((const uint8_t *)buf, len);
		free(buf);
	}
	printf("fuzz: %d inputs ok\n", argc - 1);
	return 0;
}
