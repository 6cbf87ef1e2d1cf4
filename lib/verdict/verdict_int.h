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

#endif
