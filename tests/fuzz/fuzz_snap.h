/* SPDX-License-Identifier: MIT */
/* Shared by fuzz_snapshot_zst.c and fuzz_snapshot_json.c. */
#ifndef CTPROF_TESTS_FUZZ_SNAP_H
#define CTPROF_TESTS_FUZZ_SNAP_H

#include <ctprof/snapshot.h>

#include "fuzz.h"

#define FUZZ_SNAP_NAME "fuzz.ctprof.zst"

/*
 * What the loader promises for any input: a failure is a negative errno
 * whose message starts with the name (DESIGN.md §5, §8); a success writes
 * back to JSON that loads again and is a fixed point of load -> write.
 */
static inline void fuzz_snap_check(int rc, struct ctprof_snapshot *snap,
				   const struct ctprof_error *err)
{
	struct ctprof_error e2 = { 0 };
	struct ctprof_snapshot *again = NULL;
	char *j1 = NULL, *j2 = NULL;
	size_t l1 = 0, l2 = 0;

	if (rc) {
		FUZZ_CHECK(rc < 0 && !snap);
		FUZZ_CHECK(strncmp(err->msg, FUZZ_SNAP_NAME ": ", strlen(FUZZ_SNAP_NAME) + 2) == 0);
		return;
	}
	FUZZ_CHECK(snap != NULL);
	FUZZ_CHECK(ctprof_snapshot_to_json(snap, &j1, &l1, &e2) == 0);
	FUZZ_CHECK(strlen(j1) == l1);
	if (ctprof_snapshot_from_json(j1, l1, "again", &again, &e2) != 0) {
		fprintf(stderr, "reload of the written JSON failed: %s\n", e2.msg);
		FUZZ_CHECK(!"written JSON loads again");
	}
	FUZZ_CHECK(ctprof_snapshot_to_json(again, &j2, &l2, &e2) == 0);
	FUZZ_CHECK(l1 == l2 && memcmp(j1, j2, l1) == 0);
	FUZZ_CHECK(again->schema == CTPROF_SCHEMA_NEW || again->schema == snap->schema);
	free(j1);
	free(j2);
	ctprof_snapshot_free(again);
	ctprof_snapshot_free(snap);
}

#endif
