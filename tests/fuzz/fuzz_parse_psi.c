/* SPDX-License-Identifier: MIT */
/* A PSI file ("some avg10=... total=..." / "full ...") (ctprof_parse_psi). */
#include "fuzz_thread.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctprof_psi_resource r;
	char *buf = fuzz_copy(data, size);

	if (!buf)
		return 0;
	memset(&r, 0, sizeof(r));
	ctprof_parse_psi(buf, size, &r);
	free(buf);
	return 0;
}
