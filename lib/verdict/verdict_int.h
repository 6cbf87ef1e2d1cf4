/* SPDX-License-Identifier: MIT */
/* Internal API of lib/verdict. */
#ifndef CTPROF_LIB_VERDICT_INT_H
#define CTPROF_LIB_VERDICT_INT_H

#include <ctprof/verdict.h>

#include "../util/util.h"

#define VERDICT_MAX_GATES 4096
#define VERDICT_MAX_SPEC 4096
#define VERDICT_MAX_POLICY (1 << 20)

/* The defaults floor of g's polarity whose unit fits g; false when none does. */
CTPROF_HIDDEN bool verdict_default_floor(const struct ctprof_gateset *gs,
					 const struct ctprof_gate *g, double *v,
					 const char **text);

/*
 * Repeated runs (eval.c): evaluate every gate over na baseline and nb >= 1
 * candidate runs (arguments checked by ctprof_verdict_repeat()).
 */
CTPROF_HIDDEN int verdict_eval_runs(const struct ctprof_gateset *gs,
				    const struct ctprof_groupset *const *a, size_t na,
				    const struct ctprof_groupset *const *b, size_t nb,
				    double max_noise, struct ctprof_verdict **out,
				    struct ctprof_error *err);
/*
 * ktstr's noise rule on a repeated point already judged on the sides'
 * means (repeat.c): NOISY or WITHIN_NOISE, else unchanged.
 */
CTPROF_HIDDEN void verdict_noise_rule(const struct ctprof_gate *g, bool compare,
				      double max_noise, struct ctprof_vpoint *p);

#endif
