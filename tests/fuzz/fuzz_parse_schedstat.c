/* SPDX-License-Identifier: MIT */
/* /proc/PID/task/TID/schedstat (ctprof_parse_schedstat). */
#include "fuzz_thread.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctprof_thread t;
	char *buf = fuzz_copy(data, size);

	if (!buf || ctprof_thread_init(&t)) {
		free(buf);
		return 0;
	}
	ctprof_parse_schedstat(buf, size, &t);
	fuzz_thread_check(&t);
	ctprof_thread_clear(&t);
	free(buf);
	return 0;
}
