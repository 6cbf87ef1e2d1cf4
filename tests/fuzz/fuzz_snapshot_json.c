/* SPDX-License-Identifier: MIT */
/* The snapshot JSON parser and shape checks (the decompressed payload). */
#include "fuzz_snap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctprof_error err = { 0 };
	struct ctprof_snapshot *snap = NULL;
	char *json = fuzz_copy(data, size);
	int rc;

	if (!json)
		return 0;
	rc = ctprof_snapshot_from_json(json, size, FUZZ_SNAP_NAME, &snap, &err);
	free(json);
	fuzz_snap_check(rc, snap, &err);
	return 0;
}
