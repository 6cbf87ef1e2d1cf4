// SPDX-License-Identifier: MIT
/*
 * Gate options shared by `run` and `ab` (--gate, --policy, --default-gates,
 * --tap-version, --junit) and their small helpers: durations and writing
 * a file whole.
 */
#include "gatecli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int gatecli_add_spec(struct gatecli *g, const char *spec)
{
	const char **t = realloc(g->specs, (g->n_specs + 1) * sizeof(*t));

	if (!t)
		return -ENOMEM;
	t[g->n_specs++] = spec;
	g->specs = t;
	return 0;
}

bool gatecli_active(const struct gatecli *g)
{
	return g->n_specs || g->policy || g->defaults;
}

int gatecli_build(const struct gatecli *g, const char *cmd, bool tap_needs_gates,
		  struct ctprof_gateset **out, int *tap)
{
	struct ctprof_error err = { 0 };
	struct ctprof_gateset *gs;
	size_t i;

	*out = NULL;
	*tap = 13;
	if (g->tap_version) {
		if (strcmp(g->tap_version, "13") == 0)
			*tap = 13;
		else if (strcmp(g->tap_version, "14") == 0)
			*tap = 14;
		else
			return harness_usage_error(cmd, "--tap-version: invalid value '%s' (13 or 14)",
						   g->tap_version);
	}
	if (!gatecli_active(g)) {
		if (tap_needs_gates && (g->junit || g->tap_version))
			return harness_usage_error(cmd, "%s needs --gate, --policy or "
						   "--default-gates", g->junit ? "--junit" :
						   "--tap-version");
		return EXIT_OK;
	}
	gs = ctprof_gateset_new();
	if (!gs) {
		harness_err("%s: out of memory", cmd);
		return EXIT_USAGE;
	}
	if (g->policy && ctprof_gateset_load_policy(gs, g->policy, &err) < 0) {
		harness_err("%s", err.msg);
		ctprof_gateset_free(gs);
		return EXIT_USAGE;
	}
	for (i = 0; i < g->n_specs; i++) {
		if (ctprof_gateset_add(gs, g->specs[i], &err) < 0) {
			ctprof_gateset_free(gs);
			return harness_usage_error(cmd, "--gate: %s", err.msg);
		}
	}
	if (g->defaults && ctprof_gateset_add_defaults(gs, &err) < 0) {
		ctprof_gateset_free(gs);
		return harness_usage_error(cmd, "--default-gates: %s", err.msg);
	}
	if (!gs->n) {
		ctprof_gateset_free(gs);
		return harness_usage_error(cmd, "the policy %s has no gates", g->policy);
	}
	*out = gs;
	return EXIT_OK;
}

void gatecli_free(struct gatecli *g)
{
	free(g->specs);
	g->specs = NULL;
	g->n_specs = 0;
}

int harness_parse_duration_ms(const char *s, unsigned *out)
{
	static const struct {
		const char *suf;
		double mul;
	} units[] = { { "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "h", 3600000 }, { "", 1000 } };
	char *end;
	double v;
	size_t i;

	if (!s || !*s || *s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || v < 0)
		return -EINVAL;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].suf) == 0) {
			double ms = v * units[i].mul;

			if (ms > 4e9 || (ms > 0 && ms < 1))
				return -ERANGE;
			*out = (unsigned)ms;
			return 0;
		}
	}
	return -EINVAL;
}

int harness_write_file(const char *path, const char *text, size_t len)
{
	struct ctprof_error err = { 0 };

	/* atomic: never a partial report, not even when interrupted (issue 8) */
	if (ctprof_file_write_atomic(path, text, len, &err) < 0) {
		harness_err("%s", err.msg);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}
