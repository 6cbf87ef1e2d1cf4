/* SPDX-License-Identifier: MIT */
/* The snapshot file loader: bounded zstd decompression, JSON, shape. */
#include "snapshot/codec.h"

#include "fuzz_snap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctprof_error err = { 0 };
	struct ctprof_snapshot *snap = NULL;
	int rc = ctprof_snapshot_load_buf(data, size, FUZZ_SNAP_NAME, &snap, &err);

	fuzz_snap_check(rc, snap, &err);
	return 0;
}
