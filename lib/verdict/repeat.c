/* SPDX-License-Identifier: MIT */
/*
 * Verdicts over repeated runs: per-side summaries (n, mean, min, max,
 * spread) and ktstr's noise rule (compare-engine.md §13.6). The groups,
 * values and limit rules are eval.c's (verdict_eval_runs); this file holds
 * the arguments, the summaries and the rule applied to the judged means.
 */
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <string.h>

#include <ctprof/verdict.h>

#include "verdict_int.h"

#define ZERO_EPS 1e-9
#define DEFAULT_MAX_NOISE 0.01
#define MAX_RUNS 100000

CTPROF_API void ctprof_vsummary_of(const double *vals, size_t n, struct ctprof_vsummary *s)
{
	double sum = 0;
	size_t i;

	memset(s, 0, sizeof(*s));
	if (!vals || !n)
		return;
	s->has = true;
	s->n = n;
	s->min = s->max = vals[0];
	for (i = 0; i < n; i++) {
		sum += vals[i];
		if (vals[i] < s->min)
			s->min = vals[i];
		if (vals[i] > s->max)
			s->max = vals[i];
	}
	s->mean = sum / (double)n;
	if (s->max == s->min)
		s->spread = 0;
	else if (fabs(s->mean) < ZERO_EPS)
		s->spread = INFINITY;
	else
		s->spread = (s->max - s->min) / fabs(s->mean);
}

static bool noisy(const struct ctprof_vsummary *s, double max_noise)
{
	return s->n < 2 || s->spread > max_noise;
}

/* A limit that compares the candidate with the baseline (not a bound on its value). */
static bool relative_limit(int limit, bool compare)
{
	return limit == CTPROF_LIM_MAX_INCREASE || limit == CTPROF_LIM_MAX_DECREASE ||
	       (compare && limit == CTPROF_LIM_MAX_DELTA);
}

void verdict_noise_rule(const struct ctprof_gate *g, bool compare, double max_noise,
			struct ctprof_vpoint *p)
{
	/* coverage, not measured, no baseline: no values to judge */
	if (p->status == CTPROF_VS_SKIP)
		return;
	if ((compare && noisy(&p->sa, max_noise)) || noisy(&p->sb, max_noise)) {
		p->status = CTPROF_VS_SKIP;
		p->reason = CTPROF_VR_NOISY;
		return;
	}
	if (p->status != CTPROF_VS_FAIL || p->reason != CTPROF_VR_LIMIT ||
	    !relative_limit(p->limit, compare))
		return;
	/*
	 * An explicit limit on an informational metric is honoured as in
	 * ctprof_verdict_compare(): the user asked for it.
	 */
	(void)g;
	if (p->b >= p->sa.min && p->b <= p->sa.max) {
		p->status = CTPROF_VS_OK;
		p->reason = CTPROF_VR_WITHIN_NOISE;
	}
}

static int check_runs(const struct ctprof_groupset *const *r, size_t n, const char *side,
		      const struct ctprof_groupset *first, struct ctprof_error *err)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!r[i])
			return ctprof_err(err, -EINVAL, "verdict: %s run %zu: missing", side,
					  i + 1);
		if (r[i]->group_by != first->group_by)
			return ctprof_err(err, -EINVAL, "verdict: %s run %zu: grouped by %s, the "
					  "first candidate run by %s", side, i + 1,
					  ctprof_group_by_name(r[i]->group_by),
					  ctprof_group_by_name(first->group_by));
	}
	return 0;
}

CTPROF_API int ctprof_verdict_repeat(const struct ctprof_gateset *gs,
				     const struct ctprof_groupset *const *a, size_t na,
				     const struct ctprof_groupset *const *b, size_t nb,
				     const struct ctprof_repeat_opts *o,
				     struct ctprof_verdict **out, struct ctprof_error *err)
{
	struct ctprof_repeat_opts opts = { .sz = sizeof(opts) };
	int r;

	if (!gs || !b || !nb || !b[0] || !out || (na && !a))
		return ctprof_err(err, -EINVAL, "verdict: missing gates or candidate runs");
	if (na > MAX_RUNS || nb > MAX_RUNS)
		return ctprof_err(err, -EINVAL, "verdict: too many runs (at most %d a side)",
				  MAX_RUNS);
	if (o) {
		if (o->sz < sizeof(o->sz))
			return ctprof_err(err, -EINVAL, "verdict: repeat options: sz %zu too small",
					  o->sz);
		memcpy(&opts, o, o->sz < sizeof(opts) ? o->sz : sizeof(opts));
	}
	if (!isfinite(opts.max_noise) || opts.max_noise < 0)
		return ctprof_err(err, -EINVAL, "verdict: max_noise %g: must be a finite fraction "
				  ">= 0", opts.max_noise);
	if (opts.max_noise == 0)
		opts.max_noise = DEFAULT_MAX_NOISE;
	r = check_runs(a, na, "baseline", b[0], err);
	if (r == 0)
		r = check_runs(b, nb, "candidate", b[0], err);
	if (r < 0)
		return r;
	return verdict_eval_runs(gs, a, na, b, nb, opts.max_noise, out, err);
}
