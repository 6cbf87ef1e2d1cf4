/* SPDX-License-Identifier: MIT */
/* The gate grammar (ctprof_gateset_add): each input line is one gate spec. */
#include <errno.h>

#include <ctprof/verdict.h>

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctprof_gateset *gs = ctprof_gateset_new();
	char *text = fuzz_cstr(data, size), *line, *save = NULL;

	if (!gs || !text) {
		ctprof_gateset_free(gs);
		free(text);
		return 0;
	}
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct ctprof_error err = { 0 };
		size_t n = gs->n;
		int rc = ctprof_gateset_add(gs, line, &err);

		FUZZ_CHECK(rc == 0 || rc == -EINVAL || rc == -ENOMEM);
		if (rc == 0) {
			FUZZ_CHECK(gs->n == n + 1);
		} else {
			FUZZ_CHECK(gs->n == n);
			FUZZ_CHECK(err.msg[0] != '\0');
		}
	}
	ctprof_gateset_free(gs);
	free(text);
	return 0;
}
