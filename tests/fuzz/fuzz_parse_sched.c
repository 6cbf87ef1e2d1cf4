/* SPDX-License-Identifier: MIT */
/* /proc/PID/task/TID/sched (ctprof_parse_sched) and its dotted ms.ns values. */
#include "fuzz_thread.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctprof_thread t;
	char *buf = fuzz_copy(data, size);
	uint64_t ns = 0;

	if (!buf || ctprof_thread_init(&t)) {
		free(buf);
		return 0;
	}
	ctprof_parse_sched(buf, size, &t);
	fuzz_thread_check(&t);
	ctprof_thread_clear(&t);
	/* the whole input as one value: OK, NEGATIVE or MALFORMED, nothing else */
	switch (ctprof_parse_pn(buf, size, &ns)) {
	case CTPROF_PN_OK:
	case CTPROF_PN_NEGATIVE:
	case CTPROF_PN_MALFORMED:
		break;
	default:
		FUZZ_CHECK(!"ctprof_parse_pn result in range");
	}
	free(buf);
	return 0;
}
