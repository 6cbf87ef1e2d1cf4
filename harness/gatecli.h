/* SPDX-License-Identifier: MIT */
/* Gate options shared by run and ab; durations; whole-file writes. */
#ifndef CTPROF_HARNESS_GATECLI_H
#define CTPROF_HARNESS_GATECLI_H

#include "harness.h"

struct gatecli {
	const char **specs;
	size_t n_specs;
	const char *policy, *junit, *tap_version;
	bool defaults;
};

int gatecli_add_spec(struct gatecli *g, const char *spec);
bool gatecli_active(const struct gatecli *g);
/*
 * Build the gateset before any input is read (*out NULL when no gate option
 * was given): EXIT_OK or EXIT_USAGE. tap_needs_gates: --tap-version or
 * --junit without a gate is a usage error (compare reports only gates;
 * run and ab always have steps to report).
 */
int gatecli_build(const struct gatecli *g, const char *cmd, bool tap_needs_gates,
		  struct ctprof_gateset **out, int *tap);
void gatecli_free(struct gatecli *g);

/* "500ms", "30s", "2m", "1h", bare seconds ("1.5"); 0 or -EINVAL/-ERANGE. */
int harness_parse_duration_ms(const char *s, unsigned *out);
/* Write a whole file; EXIT_OK or EXIT_USAGE after one error line. */
int harness_write_file(const char *path, const char *text, size_t len);

#endif
