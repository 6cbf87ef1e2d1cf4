/* SPDX-License-Identifier: MIT */
/* A gate policy document (ctprof_gateset_policy). */
#include <errno.h>

#include <ctprof/verdict.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctprof_gateset *gs = ctprof_gateset_new();
	struct ctprof_error err = { 0 };
	char *json = fuzz_copy(data, size);
	int rc;

	if (!gs || !json) {
		ctprof_gateset_free(gs);
		free(json);
		return 0;
	}
	rc = ctprof_gateset_policy(gs, json, size, "policy.json", &err);
	FUZZ_CHECK(rc <= 0);
	if (rc)
		FUZZ_CHECK(strstr(err.msg, "policy.json") != NULL);
	ctprof_gateset_free(gs);
	free(json);
	return 0;
}
