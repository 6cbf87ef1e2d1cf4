/* SPDX-License-Identifier: MIT */
/* cgroup memory.stat / memory.events ("key u64" lines) (ctprof_parse_kv_counters). */
#include "fuzz_thread.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctprof_kvmap m = { 0 };
	char *buf = fuzz_copy(data, size);

	if (!buf)
		return 0;
	if (ctprof_parse_kv_counters(buf, size, &m) == 0)
		fuzz_kvmap_check(&m);
	else
		FUZZ_CHECK(m.n == 0);
	ctprof_kvmap_clear(&m);
	free(buf);
	return 0;
}
