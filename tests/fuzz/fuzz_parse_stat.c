/* SPDX-License-Identifier: MIT */
/* /proc/PID/task/TID/stat (ctprof_parse_stat). */
#include "fuzz_thread.h"

static size_t first_line_len(const char *buf, size_t size)
{
	const char *nl = memchr(buf, '\n', size);

	return nl ? (size_t)(nl - buf) : size;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctprof_thread t;
	char *buf = fuzz_copy(data, size);

	if (!buf || ctprof_thread_init(&t)) {
		free(buf);
		return 0;
	}
	/* false exactly when the first line has no ')' (the comm's end) */
	FUZZ_CHECK(ctprof_parse_stat(buf, size, &t) ==
		   (memchr(buf, ')', first_line_len(buf, size)) != NULL));
	fuzz_thread_check(&t);
	ctprof_thread_clear(&t);
	free(buf);
	return 0;
}
