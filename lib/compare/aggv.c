/* SPDX-License-Identifier: MIT */
/* Aggregated values: numeric projection, mode, N:1 merge, derived metrics. */
#include <errno.h>
#include <stdlib.h>

#include "cmp.h"

CTPROF_API bool ctprof_aggv_numeric(const struct ctprof_aggv *v, double *out)
{
	switch (v->kind) {
	case CTPROF_AV_SUM:
	case CTPROF_AV_MAX:
		*out = (double)v->u;
		return true;
	case CTPROF_AV_RANGE:
		*out = ((double)v->range.min + (double)v->range.max) / 2.0;
		return true;
	case CTPROF_AV_AFFINITY:
		*out = ((double)v->aff.min_cpus + (double)v->aff.max_cpus) / 2.0;
		return true;
	default:
		return false;
	}
}

CTPROF_API const char *ctprof_aggv_mode(const struct ctprof_aggv *v, uint64_t *count)
{
	const char *best = "";
	uint64_t bc = 0;
	uint32_t i;

	if (v->kind == CTPROF_AV_MODE) {
		/* tallies are in byte order: strict '>' keeps the smallest value on ties */
		for (i = 0; i < v->n; i++) {
			if (i == 0 || v->mode.tallies[i].count > bc) {
				best = v->mode.tallies[i].value;
				bc = v->mode.tallies[i].count;
			}
		}
	}
	if (count)
		*count = bc;
	return best;
}

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static int merge_tallies(struct cp_arena *a, struct ctprof_aggv *e, const struct ctprof_aggv *v)
{
	struct ctprof_tally *t = cp_alloc(a, ((size_t)e->n + v->n + 1) * sizeof(*t));
	uint32_t i = 0, j = 0, n = 0;

	if (!t)
		return -ENOMEM;
	while (i < e->n || j < v->n) {
		int c;

		if (i >= e->n)
			c = 1;
		else if (j >= v->n)
			c = -1;
		else
			c = strcmp(e->mode.tallies[i].value, v->mode.tallies[j].value);
		if (c < 0) {
			t[n++] = e->mode.tallies[i++];
		} else if (c > 0) {
			t[n++] = v->mode.tallies[j++];
		} else {
			t[n] = e->mode.tallies[i++];
			t[n].count = sat_add(t[n].count, v->mode.tallies[j++].count);
			n++;
		}
	}
	e->mode.tallies = t;
	e->n = n;
	e->mode.total = sat_add(e->mode.total, v->mode.total);
	return 0;
}

int cp_aggv_merge(struct cp_arena *a, struct ctprof_aggv *e, const struct ctprof_aggv *v)
{
	if (e->kind == CTPROF_AV_ABSENT) {
		*e = *v; /* a measured value wins; Absent + Absent stays Absent */
		return 0;
	}
	if (v->kind == CTPROF_AV_ABSENT || v->kind != e->kind)
		return 0;
	switch (e->kind) {
	case CTPROF_AV_SUM:
		e->u = sat_add(e->u, v->u);
		break;
	case CTPROF_AV_MAX:
		if (v->u > e->u)
			e->u = v->u;
		break;
	case CTPROF_AV_RANGE:
		if (v->range.min < e->range.min)
			e->range.min = v->range.min;
		if (v->range.max > e->range.max)
			e->range.max = v->range.max;
		break;
	case CTPROF_AV_MODE:
		return merge_tallies(a, e, v);
	case CTPROF_AV_AFFINITY: {
		bool same = e->uniform && v->uniform && e->n == v->n &&
			    (e->n == 0 || memcmp(e->aff.cpus, v->aff.cpus, e->n * sizeof(uint32_t)) == 0);

		if (v->aff.min_cpus < e->aff.min_cpus)
			e->aff.min_cpus = v->aff.min_cpus;
		if (v->aff.max_cpus > e->aff.max_cpus)
			e->aff.max_cpus = v->aff.max_cpus;
		if (!same) {
			e->uniform = false;
			e->aff.cpus = NULL;
			e->n = 0;
		}
		break;
	}
	default:
		break;
	}
	return 0;
}

void cp_derive(const struct ctprof_aggv *m, double *dv, uint32_t *mask)
{
	const struct ctprof_derived_metric *d = ctprof_derived_metrics();
	unsigned i, j;

	*mask = 0;
	for (i = 0; i < CTPROF_NDERIVED; i++) {
		double in[CTPROF_DERIVED_MAX_INPUTS] = { 0 }, den, r = 0;
		bool ok = true;

		for (j = 0; j < d[i].n_inputs; j++)
			if (!ctprof_aggv_numeric(&m[d[i].inputs[j]], &in[j]))
				ok = false;
		if (!ok)
			continue;
		switch (d[i].kind) {
		case CTPROF_DK_RATIO:
			if (in[1] == 0.0)
				continue;
			r = in[0] / in[1];
			break;
		case CTPROF_DK_SHARE:
			den = in[0] + in[1];
			if (den == 0.0)
				continue;
			r = in[0] / den;
			break;
		case CTPROF_DK_DIFF:
			r = in[0] - in[1];
			break;
		case CTPROF_DK_OFFCPU_TOTAL:
			r = in[0] + in[1] + in[2] + in[3] + in[4] + in[5] +
			    (in[6] > in[7] ? in[6] : in[7]);
			break;
		}
		dv[i] = r;
		*mask |= 1u << i;
	}
}
