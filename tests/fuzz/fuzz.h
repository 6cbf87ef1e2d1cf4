/* SPDX-License-Identifier: MIT */
/*
 * Shared by the libFuzzer targets (tests/fuzz/fuzz_*.c). Each target defines
 * LLVMFuzzerTestOneInput; it is linked either with libFuzzer (CTPROF_FUZZ=ON,
 * clang) or with replay_main.c, which feeds it the files of the corpus and
 * regression directories in every normal build.
 *
 * FUZZ_CHECK states an invariant the library documents for the entry point;
 * a violation aborts, which libFuzzer reports as a crash and the replay as a
 * failed test.
 */
#ifndef CTPROF_TESTS_FUZZ_H
#define CTPROF_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                               \
	do {                                                                           \
		if (!(cond)) {                                                         \
			fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__,     \
				__LINE__, #cond);                                      \
			abort();                                                       \
		}                                                                      \
	} while (0)

/* A malloc'd copy of exactly size bytes (so ASan sees any read past the end). */
static inline char *fuzz_copy(const uint8_t *data, size_t size)
{
	char *p = calloc(1, size ? size : 1);

	if (p && size)
		memcpy(p, data, size);
	return p;
}

/* A malloc'd NUL-terminated copy (for C-string entry points). */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
	char *p = malloc(size + 1);

	if (p) {
		if (size)
			memcpy(p, data, size);
		p[size] = '\0';
	}
	return p;
}

#endif
