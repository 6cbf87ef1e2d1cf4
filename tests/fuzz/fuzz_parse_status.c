/* SPDX-License-Identifier: MIT */
/* /proc/PID/task/TID/status (ctprof_parse_status), leader and non-leader. */
#include "fuzz_thread.h"

static void one(const char *buf, size_t size, bool leader, bool affinity)
{
	struct ctprof_thread t;

	if (ctprof_thread_init(&t))
		return;
	ctprof_parse_status(buf, size, &t, leader, affinity);
	fuzz_thread_check(&t);
	FUZZ_CHECK(t.state != '\0' && (unsigned char)t.state < 0x80);
	if (!leader)
		FUZZ_CHECK(t.nr_threads == 0);
	if (!affinity)
		FUZZ_CHECK(t.cpu_affinity.n == 0);
	if (t.cpu_affinity.n)
		fuzz_cpuset_check(&t.cpu_affinity);
	ctprof_thread_clear(&t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = fuzz_copy(data, size);

	if (!buf)
		return 0;
	one(buf, size, true, true);
	one(buf, size, false, false);
	free(buf);
	return 0;
}
