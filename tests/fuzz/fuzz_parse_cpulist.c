/* SPDX-License-Identifier: MIT */
/* cpulists ("0-3,8"): Cpus_allowed_list, sysfs online/possible (ctprof_parse_cpulist). */
#include <errno.h>

#include "fuzz_thread.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctprof_cpuset s = { 0 };
	char *buf = fuzz_copy(data, size);
	int rc;

	if (!buf)
		return 0;
	rc = ctprof_parse_cpulist(buf, size, &s);
	FUZZ_CHECK(rc == 0 || rc == -EINVAL || rc == -E2BIG || rc == -ENOMEM);
	if (rc == 0) {
		fuzz_cpuset_check(&s);
		free(s.cpus);
	} else {
		FUZZ_CHECK(s.cpus == NULL && s.n == 0);
	}
	free(buf);
	return 0;
}
