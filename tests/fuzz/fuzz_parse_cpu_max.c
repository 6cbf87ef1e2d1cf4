/* SPDX-License-Identifier: MIT */
/* cgroup cpu.max ("max 100000" / "50000 100000") (ctprof_parse_cpu_max). */
#include "fuzz_thread.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctprof_cgroup_cpu cpu;
	char *buf = fuzz_copy(data, size);

	if (!buf)
		return 0;
	memset(&cpu, 0xa5, sizeof(cpu));
	ctprof_parse_cpu_max(buf, size, &cpu);
	/* always decided: a quota or unset (v 0), and some period */
	FUZZ_CHECK(cpu.max_quota_us.set || cpu.max_quota_us.v == 0);
	if (size == 0)
		FUZZ_CHECK(!cpu.max_quota_us.set && cpu.max_period_us == 100000);
	free(buf);
	return 0;
}
