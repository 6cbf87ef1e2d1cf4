/* SPDX-License-Identifier: MIT */
/* /proc/PID/smaps_rollup (ctprof_parse_smaps_rollup). */
#include "fuzz_thread.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctprof_kvmap m = { 0 };
	char *buf = fuzz_copy(data, size);

	if (!buf)
		return 0;
	if (ctprof_parse_smaps_rollup(buf, size, &m) == 0)
		fuzz_kvmap_check(&m);
	ctprof_kvmap_clear(&m);
	free(buf);
	return 0;
}
