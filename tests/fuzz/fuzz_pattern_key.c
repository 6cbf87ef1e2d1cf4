/* SPDX-License-Identifier: MIT */
/* ktstr's token normalizer (ctprof_pattern_key) and the cgroup normalization over it. */
#include <ctprof/compare.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *name = fuzz_cstr(data, size), *k, *c;

	if (!name)
		return 0;
	k = ctprof_pattern_key(name);
	FUZZ_CHECK(k != NULL);
	c = ctprof_cgroup_normalize(name);
	FUZZ_CHECK(c != NULL);
	free(k);
	free(c);
	free(name);
	return 0;
}
