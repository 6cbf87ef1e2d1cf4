/* SPDX-License-Identifier: MIT */
/*
 * Verdicts over repeated runs (ctprof_verdict_repeat): the per-side
 * summaries, ktstr's noise rule (compare-engine.md §13.6) and their TAP,
 * JSON and JUnit renderings, on snapshots built in memory.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <ctprof/ctprof.h>

#include "test_compare_util.h"
#include "testutil.h"

#define MAX_RUNS 8

/* One thread of a run: its process name (the pcomm group) and two counters. */
struct th {
	const char *pcomm;
	uint64_t migr; /* nr_migrations: lower-better */
	uint64_t csw;  /* voluntary_csw: informational */
};

/* The runs of one side. */
struct side {
	struct ctprof_snapshot *s[MAX_RUNS];
	struct ctprof_groupset *g[MAX_RUNS];
	size_t n;
};

static void add_run_by(struct side *sd, const struct th *t, size_t n, enum ctprof_group_by axis)
{
	struct ctprof_compare_opts o = tc_opts(axis);
	struct ctprof_error err = { 0 };
	struct ctprof_snapshot *s = tc_snap();
	size_t i;

	assert_true(sd->n < MAX_RUNS);
	for (i = 0; i < n; i++) {
		struct ctprof_thread *th = tc_thread(s, (uint32_t)(100 + i), (uint32_t)(100 + i),
						     t[i].pcomm, t[i].pcomm, "/");

		th->nr_migrations = t[i].migr;
		th->voluntary_csw = t[i].csw;
	}
	if (ctprof_groupset_build(s, &o, &sd->g[sd->n], &err) < 0)
		fail_msg("groupset: %s", err.msg);
	sd->s[sd->n++] = s;
}

static void add_run(struct side *sd, const struct th *t, size_t n)
{
	add_run_by(sd, t, n, CTPROF_GROUP_PCOMM);
}

/* A side whose runs each hold one "app" thread with these nr_migrations. */
static void app_runs(struct side *sd, const uint64_t *migr, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct th t = { "app", migr[i], 10 * migr[i] };

		add_run(sd, &t, 1);
	}
}

static void side_free(struct side *sd)
{
	size_t i;

	for (i = 0; i < sd->n; i++) {
		ctprof_groupset_free(sd->g[i]);
		ctprof_snapshot_free(sd->s[i]);
	}
	memset(sd, 0, sizeof(*sd));
}

struct rv {
	struct ctprof_gateset *gs;
	struct ctprof_verdict *v;
};

/* Evaluate gate specs (NULL-terminated) over two sides; max_noise 0: the default. */
static struct rv repeat_v(const char *const *specs, const struct side *a, const struct side *b,
			  double max_noise)
{
	struct ctprof_repeat_opts o = { .sz = sizeof(o), .max_noise = max_noise };
	struct ctprof_error err = { 0 };
	struct rv r = { 0 };
	size_t i;

	r.gs = ctprof_gateset_new();
	assert_non_null(r.gs);
	for (i = 0; specs[i]; i++)
		if (ctprof_gateset_add(r.gs, specs[i], &err) < 0)
			fail_msg("%s: %s", specs[i], err.msg);
	if (ctprof_verdict_repeat(r.gs, (const struct ctprof_groupset *const *)a->g, a->n,
				  (const struct ctprof_groupset *const *)b->g, b->n, &o, &r.v,
				  &err) < 0)
		fail_msg("repeat: %s", err.msg);
	assert_true(r.v->repeated);
	assert_int_equal(r.v->runs_a, a->n);
	assert_int_equal(r.v->runs_b, b->n);
	assert_int_equal(r.v->has_baseline, a->n > 0);
	return r;
}

static void rv_free(struct rv *r)
{
	ctprof_verdict_free(r->v);
	ctprof_gateset_free(r->gs);
}

/* One gate over "app"; its single point must have this status, reason and limit. */
static void expect1(const char *spec, const uint64_t *ma, size_t na, const uint64_t *mb,
		    size_t nb, double max_noise, enum ctprof_vstatus st, enum ctprof_vreason why,
		    int limit)
{
	const char *specs[] = { spec, NULL };
	struct side a = { 0 }, b = { 0 };
	struct rv r;

	app_runs(&a, ma, na);
	app_runs(&b, mb, nb);
	r = repeat_v(specs, &a, &b, max_noise);
	if (r.v->n_points != 1)
		fail_msg("%s: %zu points", spec, r.v->n_points);
	if (r.v->points[0].status != st || r.v->points[0].reason != why ||
	    r.v->points[0].limit != limit)
		fail_msg("%s: status %d reason %d limit %d", spec, r.v->points[0].status,
			 r.v->points[0].reason, r.v->points[0].limit);
	assert_true(r.v->points[0].repeated);
	assert_int_equal(r.v->failed, st == CTPROF_VS_FAIL);
	assert_int_equal(r.v->passed, st == CTPROF_VS_OK);
	assert_int_equal(r.v->skipped, st == CTPROF_VS_SKIP);
	rv_free(&r);
	side_free(&a);
	side_free(&b);
}

#define N(...) ((const uint64_t[]){ __VA_ARGS__ }), sizeof((const uint64_t[]){ __VA_ARGS__ }) / 8
#define NONE ((const uint64_t *)NULL), 0

static void test_summary(void **state)
{
	struct ctprof_vsummary s;

	(void)state;
	ctprof_vsummary_of((const double[]){ 100, 101, 99 }, 3, &s);
	assert_true(s.has);
	assert_int_equal(s.n, 3);
	assert_float_equal(s.mean, 100, 1e-12);
	assert_float_equal(s.min, 99, 0);
	assert_float_equal(s.max, 101, 0);
	assert_float_equal(s.spread, 0.02, 1e-15);
	/* negative mean: divided by |mean| */
	ctprof_vsummary_of((const double[]){ -10, -12 }, 2, &s);
	assert_float_equal(s.mean, -11, 1e-12);
	assert_float_equal(s.spread, 2.0 / 11.0, 1e-15);
	/* max == min: 0, even at a zero mean */
	ctprof_vsummary_of((const double[]){ 5, 5 }, 2, &s);
	assert_true(s.spread == 0);
	ctprof_vsummary_of((const double[]){ 0, 0, 0 }, 3, &s);
	assert_true(s.spread == 0);
	assert_true(s.mean == 0);
	/* zero mean, values differ: infinite */
	ctprof_vsummary_of((const double[]){ -1, 1 }, 2, &s);
	assert_true(s.mean == 0);
	assert_true(isinf(s.spread) && s.spread > 0);
	/* |mean| below 1e-9 counts as zero */
	ctprof_vsummary_of((const double[]){ 1e-10, 2e-10 }, 2, &s);
	assert_true(isinf(s.spread));
	/* one value */
	ctprof_vsummary_of((const double[]){ 7 }, 1, &s);
	assert_int_equal(s.n, 1);
	assert_true(s.spread == 0 && s.mean == 7);
	/* none */
	ctprof_vsummary_of(NULL, 0, &s);
	assert_false(s.has);
	assert_int_equal(s.n, 0);
}

static void test_significant_regression(void **state)
{
	const char *specs[] = { "nr_migrations@app:max_increase=10%", NULL };
	struct side a = { 0 }, b = { 0 };
	const struct ctprof_vpoint *p;
	struct rv r;

	(void)state;
	/* A spread exactly 1% ((1005 - 995) / 1000) is not above the 1% default */
	app_runs(&a, N(1000, 1005, 995));
	app_runs(&b, N(1200, 1202, 1198));
	r = repeat_v(specs, &a, &b, 0);
	assert_float_equal(r.v->max_noise, 0.01, 0);
	assert_int_equal(r.v->n_points, 1);
	p = &r.v->points[0];
	assert_string_equal(p->group, "app");
	assert_int_equal(p->status, CTPROF_VS_FAIL);
	assert_int_equal(p->reason, CTPROF_VR_LIMIT);
	assert_int_equal(p->limit, CTPROF_LIM_MAX_INCREASE);
	assert_true(p->repeated && p->has_a && p->has_b);
	assert_float_equal(p->a, 1000, 1e-9);
	assert_float_equal(p->b, 1200, 1e-9);
	assert_float_equal(p->delta, 200, 1e-9);
	assert_float_equal(p->pct, 0.2, 1e-12);
	assert_int_equal(p->sa.n, 3);
	assert_float_equal(p->sa.min, 995, 0);
	assert_float_equal(p->sa.max, 1005, 0);
	assert_float_equal(p->sa.spread, 0.01, 1e-15);
	assert_int_equal(p->sb.n, 3);
	assert_float_equal(p->sb.spread, 4.0 / 1200.0, 1e-15);
	assert_int_equal(r.v->failed, 1);
	assert_int_equal(r.v->n_orphans, 0);
	rv_free(&r);
	side_free(&a);
	side_free(&b);
	/* the dual gate still applies to the means: +200 is below a floor of 201 */
	expect1("nr_migrations@app:max_increase=10%,floor=201", N(1000, 1005, 995),
		N(1200, 1202, 1198), 0, CTPROF_VS_OK, CTPROF_VR_HELD, -1);
	/* polarity: a decrease of a lower-better metric holds the implicit gate... */
	expect1("nr_migrations@app", N(1000, 1005, 995), N(800, 801, 799), 0, CTPROF_VS_OK,
		CTPROF_VR_HELD, -1);
	/* ...and fails an explicit max_decrease */
	expect1("nr_migrations@app:max_decrease=10%", N(1000, 1005, 995), N(800, 801, 799), 0,
		CTPROF_VS_FAIL, CTPROF_VR_LIMIT, CTPROF_LIM_MAX_DECREASE);
	/* max_delta against the baseline */
	expect1("nr_migrations@app:max_delta=5", N(1000, 1005, 995), N(1006, 1006), 0,
		CTPROF_VS_FAIL, CTPROF_VR_LIMIT, CTPROF_LIM_MAX_DELTA);
}

static void test_within_noise(void **state)
{
	(void)state;
	/* +0.4% exceeds 0.1%, but 1004 lies inside the baseline's [995, 1005] */
	expect1("nr_migrations@app:max_increase=0.1%", N(1000, 1005, 995), N(1004, 1004, 1004), 0,
		CTPROF_VS_OK, CTPROF_VR_WITHIN_NOISE, CTPROF_LIM_MAX_INCREASE);
	/* the range is inclusive */
	expect1("nr_migrations@app:max_increase=0.1%", N(1000, 1005, 995), N(1005, 1005), 0,
		CTPROF_VS_OK, CTPROF_VR_WITHIN_NOISE, CTPROF_LIM_MAX_INCREASE);
	expect1("nr_migrations@app:max_decrease=0.1%", N(1000, 1005, 995), N(995, 995), 0,
		CTPROF_VS_OK, CTPROF_VR_WITHIN_NOISE, CTPROF_LIM_MAX_DECREASE);
	expect1("nr_migrations@app:max_delta=1", N(1000, 1005, 995), N(1003, 1003), 0,
		CTPROF_VS_OK, CTPROF_VR_WITHIN_NOISE, CTPROF_LIM_MAX_DELTA);
	/* just outside it: significant */
	expect1("nr_migrations@app:max_increase=0.1%", N(1000, 1005, 995), N(1006, 1006, 1006), 0,
		CTPROF_VS_FAIL, CTPROF_VR_LIMIT, CTPROF_LIM_MAX_INCREASE);
	expect1("nr_migrations@app:max_decrease=0.1%", N(1000, 1005, 995), N(994, 994), 0,
		CTPROF_VS_FAIL, CTPROF_VR_LIMIT, CTPROF_LIM_MAX_DECREASE);
	/* an absolute bound judges the candidate's mean, whatever the baseline did */
	expect1("nr_migrations@app:max=1003", N(1000, 1005, 995), N(1004, 1004), 0,
		CTPROF_VS_FAIL, CTPROF_VR_LIMIT, CTPROF_LIM_MAX);
	expect1("nr_migrations@app:max=1004", N(1000, 1005, 995), N(1004, 1004), 0, CTPROF_VS_OK,
		CTPROF_VR_HELD, -1);
}

static void test_noisy(void **state)
{
	(void)state;
	/* baseline spread 100 / 1050 = 9.5% > 1%: flagged, not failed */
	expect1("nr_migrations@app:max_increase=10%", N(1000, 1100), N(2000, 2000), 0,
		CTPROF_VS_SKIP, CTPROF_VR_NOISY, CTPROF_LIM_MAX_INCREASE);
	/* candidate spread 2.4% */
	expect1("nr_migrations@app:max_increase=10%", N(1000, 1000), N(2000, 2050), 0,
		CTPROF_VS_SKIP, CTPROF_VR_NOISY, CTPROF_LIM_MAX_INCREASE);
	/* a point that holds is noisy too */
	expect1("nr_migrations@app:max_increase=10%", N(1000, 1000), N(1000, 1030), 0,
		CTPROF_VS_SKIP, CTPROF_VR_NOISY, -1);
	/* a larger max_noise (10%) accepts 9.5% */
	expect1("nr_migrations@app:max_increase=10%", N(1000, 1100), N(2000, 2000), 0.10,
		CTPROF_VS_FAIL, CTPROF_VR_LIMIT, CTPROF_LIM_MAX_INCREASE);
	/* ...and a smaller one (0.5%) rejects 1% */
	expect1("nr_migrations@app:max_increase=10%", N(1000, 1005, 995), N(2000, 2000), 0.005,
		CTPROF_VS_SKIP, CTPROF_VR_NOISY, CTPROF_LIM_MAX_INCREASE);
	/* all zero on both sides: spread 0, not noisy */
	expect1("nr_migrations@app:max_delta=0", N(0, 0), N(0, 0), 0, CTPROF_VS_OK,
		CTPROF_VR_HELD, -1);
}

static void test_too_few_runs(void **state)
{
	(void)state;
	/* one baseline run */
	expect1("nr_migrations@app:max_increase=10%", N(1000), N(2000, 2000), 0, CTPROF_VS_SKIP,
		CTPROF_VR_NOISY, CTPROF_LIM_MAX_INCREASE);
	/* one candidate run */
	expect1("nr_migrations@app:max_increase=10%", N(1000, 1000), N(2000), 0, CTPROF_VS_SKIP,
		CTPROF_VR_NOISY, CTPROF_LIM_MAX_INCREASE);
	/* without a baseline, one candidate run */
	expect1("nr_migrations@app:max=10", NONE, N(2000), 0, CTPROF_VS_SKIP, CTPROF_VR_NOISY,
		CTPROF_LIM_MAX);
}

static void test_informational(void **state)
{
	(void)state;
	/*
	 * voluntary_csw is informational: an explicit limit is honoured, as in
	 * compare mode (max_delta judges either direction)
	 */
	expect1("voluntary_csw@app:max_increase=10%", N(1000, 1000), N(2000, 2000), 0,
		CTPROF_VS_FAIL, CTPROF_VR_LIMIT, CTPROF_LIM_MAX_INCREASE);
	expect1("voluntary_csw@app:max_delta=0", N(1000, 1000), N(900, 900), 0, CTPROF_VS_FAIL,
		CTPROF_VR_LIMIT, CTPROF_LIM_MAX_DELTA);
	/* noisy first, as for any metric */
	expect1("voluntary_csw@app:max_increase=10%", N(1000, 1100), N(2000, 2000), 0,
		CTPROF_VS_SKIP, CTPROF_VR_NOISY, CTPROF_LIM_MAX_INCREASE);
	/* within the range it is simply not significant */
	expect1("voluntary_csw@app:max_delta=0", N(1000, 1005, 995), N(1001, 1001), 0,
		CTPROF_VS_OK, CTPROF_VR_WITHIN_NOISE, CTPROF_LIM_MAX_DELTA);
	/* an explicit bound on its value still holds it */
	expect1("voluntary_csw@app:max=15000", N(1000, 1000), N(2000, 2000), 0, CTPROF_VS_FAIL,
		CTPROF_VR_LIMIT, CTPROF_LIM_MAX);
}

static void test_no_baseline(void **state)
{
	const char *specs[] = { "nr_migrations@app:max=1100", "nr_migrations@app:max=1300",
				"nr_migrations@app:max_increase=10%",
				"nr_migrations@app:max_delta=1200", NULL };
	struct side a = { 0 }, b = { 0 };
	const struct ctprof_vpoint *p;
	struct rv r;

	(void)state;
	app_runs(&b, N(1200, 1201));
	r = repeat_v(specs, &a, &b, 0);
	assert_false(r.v->has_baseline);
	assert_int_equal(r.v->n_points, 4);
	p = &r.v->points[0];
	assert_int_equal(p->status, CTPROF_VS_FAIL);
	assert_int_equal(p->limit, CTPROF_LIM_MAX);
	assert_false(p->has_a);
	assert_false(p->sa.has);
	assert_false(p->has_delta);
	assert_float_equal(p->b, 1200.5, 1e-9);
	assert_int_equal(r.v->points[1].status, CTPROF_VS_OK);
	assert_int_equal(r.v->points[2].status, CTPROF_VS_SKIP);
	assert_int_equal(r.v->points[2].reason, CTPROF_VR_NO_BASELINE);
	/* without a baseline max_delta bounds the interval's value */
	assert_int_equal(r.v->points[3].status, CTPROF_VS_FAIL);
	assert_int_equal(r.v->points[3].limit, CTPROF_LIM_MAX_DELTA);
	assert_int_equal(r.v->failed, 2);
	assert_int_equal(r.v->n_orphans, 0);
	rv_free(&r);
	side_free(&b);
	/* the noise rule looks at the candidate only: 1000/1200 is noisy */
	expect1("nr_migrations@app:max=1300", NONE, N(1000, 1200), 0, CTPROF_VS_SKIP,
		CTPROF_VR_NOISY, -1);
	expect1("nr_migrations@app:max=1300", NONE, N(1000, 1200), 0.2, CTPROF_VS_OK,
		CTPROF_VR_HELD, -1);
}

static void test_partial_groups(void **state)
{
	const char *specs[] = { "nr_migrations:max_increase=10%", "nr_migrations@gone:max=1",
				"nr_migrations@new*:max=1", NULL };
	/* baseline: "extra" in runs 1 and 3, "rare" in run 2 only, "gone" everywhere */
	const struct th a1[] = { { "app", 100, 0 }, { "extra", 50, 0 }, { "gone", 1, 0 } };
	const struct th a2[] = { { "app", 100, 0 }, { "rare", 70, 0 }, { "gone", 1, 0 } };
	const struct th a3[] = { { "app", 100, 0 }, { "extra", 50, 0 }, { "gone", 1, 0 } };
	/* candidate: "extra" and "rare" in every run, "new" in run 2 */
	const struct th b1[] = { { "app", 100, 0 }, { "extra", 80, 0 }, { "rare", 70, 0 } };
	const struct th b2[] = { { "app", 100, 0 }, { "extra", 80, 0 }, { "rare", 70, 0 },
				 { "new", 9, 0 } };
	struct side a = { 0 }, b = { 0 };
	const struct ctprof_vpoint *p;
	struct rv r;

	(void)state;
	add_run(&a, a1, 3);
	add_run(&a, a2, 3);
	add_run(&a, a3, 3);
	add_run(&b, b1, 3);
	add_run(&b, b2, 4);
	r = repeat_v(specs, &a, &b, 0);
	/* gate 0: app, extra, rare (gone and new are one-sided, matched by no literal) */
	assert_int_equal(r.v->gates[0].n, 3);
	p = &r.v->points[0];
	assert_string_equal(p->group, "app");
	assert_int_equal(p->status, CTPROF_VS_OK);
	assert_int_equal(p->sa.n, 3);
	assert_int_equal(p->sb.n, 2);
	p = &r.v->points[1];
	assert_string_equal(p->group, "extra");
	assert_int_equal(p->sa.n, 2); /* only the runs that have it */
	assert_int_equal(p->sb.n, 2);
	assert_float_equal(p->a, 50, 0);
	assert_float_equal(p->b, 80, 0);
	assert_int_equal(p->status, CTPROF_VS_FAIL);
	p = &r.v->points[2];
	assert_string_equal(p->group, "rare");
	assert_int_equal(p->sa.n, 1);
	assert_int_equal(p->status, CTPROF_VS_SKIP);
	assert_int_equal(p->reason, CTPROF_VR_NOISY);
	/* gate 1 names a baseline-only group literally: a failure */
	assert_int_equal(r.v->gates[1].n, 1);
	p = &r.v->points[3];
	assert_string_equal(p->group, "gone");
	assert_int_equal(p->status, CTPROF_VS_FAIL);
	assert_int_equal(p->reason, CTPROF_VR_GROUP_A_ONLY);
	/* gate 2: a glob over a candidate-only group is not */
	assert_int_equal(r.v->gates[2].n, 0);
	assert_int_equal(r.v->n_points, 4);
	assert_int_equal(r.v->failed, 2);
	assert_int_equal(r.v->skipped, 1);
	assert_int_equal(r.v->passed, 1);
	/* the one-sided groups are listed */
	assert_int_equal(r.v->n_orphans, 2);
	assert_string_equal(r.v->orphans[0].group, "gone");
	assert_true(r.v->orphans[0].in_baseline);
	assert_string_equal(r.v->orphans[1].group, "new");
	assert_false(r.v->orphans[1].in_baseline);
	rv_free(&r);
	side_free(&a);
	side_free(&b);
}

static void test_host_and_errors(void **state)
{
	const char *host[] = { "psi.cpu.some.avg10:max_increase=10%", NULL };
	struct ctprof_repeat_opts o = { .sz = sizeof(o), .max_noise = -0.1 };
	struct ctprof_error err = { 0 };
	struct ctprof_gateset *gs = ctprof_gateset_new();
	struct ctprof_verdict *v = NULL;
	struct side a = { 0 }, b = { 0 }, c = { 0 };
	const struct th t = { "app", 1, 1 };
	const struct ctprof_groupset *const *ga, *const *gb, *const *gc;
	struct rv r;
	size_t i;

	(void)state;
	app_runs(&a, N(1, 1));
	app_runs(&b, N(1, 1));
	/* host PSI per run: 1.00% / 1.00% -> 3.00% / 3.02% */
	for (i = 0; i < 2; i++) {
		a.s[i]->psi.cpu.some.avg10 = 100;
		b.s[i]->psi.cpu.some.avg10 = 300 + 2 * i;
	}
	r = repeat_v(host, &a, &b, 0);
	assert_int_equal(r.v->n_points, 1);
	assert_string_equal(r.v->points[0].group, "host");
	assert_float_equal(r.v->points[0].a, 1.0, 1e-12);
	assert_float_equal(r.v->points[0].b, 3.01, 1e-12);
	assert_int_equal(r.v->points[0].status, CTPROF_VS_FAIL);
	rv_free(&r);

	ga = (const struct ctprof_groupset *const *)a.g;
	gb = (const struct ctprof_groupset *const *)b.g;
	assert_int_equal(ctprof_gateset_add(gs, "nr_migrations:max=1", &err), 0);
	/* no candidate run */
	assert_int_equal(ctprof_verdict_repeat(gs, ga, 2, gb, 0, NULL, &v, &err), -EINVAL);
	assert_null(v);
	/* a negative noise threshold */
	assert_int_equal(ctprof_verdict_repeat(gs, ga, 2, gb, 2, &o, &v, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "max_noise"));
	o.max_noise = NAN;
	assert_int_equal(ctprof_verdict_repeat(gs, ga, 2, gb, 2, &o, &v, &err), -EINVAL);
	/* runs grouped by different axes */
	add_run_by(&c, &t, 1, CTPROF_GROUP_COMM);
	gc = (const struct ctprof_groupset *const *)c.g;
	assert_int_equal(ctprof_verdict_repeat(gs, gc, 1, gb, 2, NULL, &v, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "baseline run 1: grouped by comm"));
	assert_null(v);
	/* cgroup metrics need the cgroup axis */
	assert_int_equal(ctprof_gateset_add(gs, "cgroup.cpu.nr_throttled:max=1", &err), 0);
	assert_int_equal(ctprof_verdict_repeat(gs, ga, 2, gb, 2, NULL, &v, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "need --group-by cgroup"));
	assert_null(v);
	ctprof_gateset_free(gs);
	side_free(&a);
	side_free(&b);
	side_free(&c);
}

static void test_cgroup_axis(void **state)
{
	const char *specs[] = { "cgroup.cpu.nr_throttled@/bench:max_increase=10%", NULL };
	struct side a = { 0 }, b = { 0 };
	struct rv r;
	size_t i;

	(void)state;
	for (i = 0; i < 4; i++) {
		struct side *sd = i < 2 ? &a : &b;
		struct ctprof_snapshot *s = tc_snap();
		struct ctprof_compare_opts o = tc_opts(CTPROF_GROUP_CGROUP);
		struct ctprof_error err = { 0 };

		tc_thread(s, 1, 1, "app", "app", "/bench");
		tc_cgroup(s, "/bench")->cpu.nr_throttled = i < 2 ? 100 : 130;
		if (ctprof_groupset_build(s, &o, &sd->g[sd->n], &err) < 0)
			fail_msg("%s", err.msg);
		sd->s[sd->n++] = s;
	}
	r = repeat_v(specs, &a, &b, 0);
	assert_int_equal(r.v->n_points, 1);
	assert_string_equal(r.v->points[0].group, "/bench");
	assert_float_equal(r.v->points[0].pct, 0.3, 1e-12);
	assert_int_equal(r.v->points[0].status, CTPROF_VS_FAIL);
	rv_free(&r);
	side_free(&a);
	side_free(&b);
}

/* The three kinds of repeated points in one verdict, for the renderers. */
static struct rv render_verdict(struct side *a, struct side *b)
{
	const char *specs[] = { "nr_migrations@app:max_increase=10%",
				"nr_migrations@calm:max_increase=0.1%",
				"nr_migrations@noisy:max_increase=10%", NULL };
	size_t i;

	for (i = 0; i < 3; i++) {
		const uint64_t am[] = { 1000, 1005, 995 }, bm[] = { 1200, 1202, 1198 };
		const uint64_t cb[] = { 1004, 1004, 1004 };
		const uint64_t an[] = { 100, 132, 100 }, bn[] = { 100, 100, 100 };
		struct th ta[] = { { "app", am[i], 0 }, { "calm", am[i], 0 }, { "noisy", an[i], 0 } };
		struct th tb[] = { { "app", bm[i], 0 }, { "calm", cb[i], 0 }, { "noisy", bn[i], 0 } };

		add_run(a, ta, 3);
		add_run(b, tb, 3);
	}
	return repeat_v(specs, a, b, 0);
}

static void test_render_tap(void **state)
{
	struct ctprof_error err = { 0 };
	struct side a = { 0 }, b = { 0 };
	struct rv r;
	char *out = NULL;
	size_t len = 0;
	/*
	 * app: 1000/1005/995 -> 1200/1202/1198 fails 10%; against 0.1% too;
	 * noisy: baseline 100/132/100 (spread 32 / 110.667 = 28.9%).
	 */
	const char *want =
		"TAP version 13\n"
		"1..3\n"
		"not ok 1 - app: nr_migrations +20.0% (max +10%)\n"
		"  ---\n"
		"  message: \"increase above the threshold and the floor\"\n"
		"  metric: \"nr_migrations\"\n"
		"  group: \"app\"\n"
		"  axis: pcomm\n"
		"  baseline: 1000\n"
		"  candidate: 1200\n"
		"  delta: 200\n"
		"  delta_pct: 20\n"
		"  gate: \"nr_migrations@app:max_increase=10%\"\n"
		"  limit: max_increase\n"
		"  threshold: \"10%\"\n"
		"  polarity: lower_better\n"
		"  baseline_runs:\n"
		"    n: 3\n"
		"    mean: 1000\n"
		"    min: 995\n"
		"    max: 1005\n"
		"    spread_pct: 1\n"
		"  candidate_runs:\n"
		"    n: 3\n"
		"    mean: 1200\n"
		"    min: 1198\n"
		"    max: 1202\n"
		"    spread_pct: 0.333333333333333\n"
		"  max_noise_pct: 1\n"
		"  ...\n"
		"ok 2 - calm: nr_migrations +0.4% (max +0.1%) within the baseline's range\n"
		"  ---\n"
		"  message: \"within the baseline's range (not significant)\"\n"
		"  metric: \"nr_migrations\"\n"
		"  group: \"calm\"\n"
		"  axis: pcomm\n"
		"  baseline: 1000\n"
		"  candidate: 1004\n"
		"  delta: 4\n"
		"  delta_pct: 0.4\n"
		"  gate: \"nr_migrations@calm:max_increase=0.1%\"\n"
		"  limit: max_increase\n"
		"  threshold: \"0.1%\"\n"
		"  polarity: lower_better\n"
		"  baseline_runs:\n"
		"    n: 3\n"
		"    mean: 1000\n"
		"    min: 995\n"
		"    max: 1005\n"
		"    spread_pct: 1\n"
		"  candidate_runs:\n"
		"    n: 3\n"
		"    mean: 1004\n"
		"    min: 1004\n"
		"    max: 1004\n"
		"    spread_pct: 0\n"
		"  max_noise_pct: 1\n"
		"  ...\n"
		"ok 3 - noisy: nr_migrations # SKIP too noisy: baseline spread 28.9% > 1%\n"
		"  ---\n"
		"  message: \"too noisy: baseline spread 28.9% > 1%\"\n"
		"  metric: \"nr_migrations\"\n"
		"  group: \"noisy\"\n"
		"  axis: pcomm\n"
		"  baseline: 110.666666666667\n"
		"  candidate: 100\n"
		"  delta: -10.6666666666667\n"
		"  delta_pct: -9.63855421686747\n"
		"  gate: \"nr_migrations@noisy:max_increase=10%\"\n"
		"  limit: ~\n"
		"  polarity: lower_better\n"
		"  baseline_runs:\n"
		"    n: 3\n"
		"    mean: 110.666666666667\n"
		"    min: 100\n"
		"    max: 132\n"
		"    spread_pct: 28.9156626506024\n"
		"  candidate_runs:\n"
		"    n: 3\n"
		"    mean: 100\n"
		"    min: 100\n"
		"    max: 100\n"
		"    spread_pct: 0\n"
		"  max_noise_pct: 1\n"
		"  ...\n"
		"# 3 tests, 1 passed, 1 failed, 1 skipped\n"
;

	(void)state;
	r = render_verdict(&a, &b);
	assert_int_equal(ctprof_render_tap(r.v, 13, &out, &len, &err), 0);
	assert_int_equal(len, strlen(out));
	if (strcmp(out, want) != 0) {
		fputs(out, stderr);
		fail();
	}
	free(out);
	rv_free(&r);
	side_free(&a);
	side_free(&b);
}

/* Render a verdict as TAP `version`; the caller frees. */
static char *tap_of(const struct ctprof_verdict *v, int version)
{
	struct ctprof_error err = { 0 };
	char *out = NULL;

	if (ctprof_render_tap(v, version, &out, NULL, &err) < 0)
		fail_msg("%s", err.msg);
	return out;
}

static void test_render_tap_more(void **state)
{
	const char *specs[] = { "nr_migrations@app:max_increase=10%", NULL };
	const char *abs_specs[] = { "nr_migrations@app:max=1", NULL };
	struct side a = { 0 }, b = { 0 }, c = { 0 };
	struct ctprof_error err = { 0 };
	struct ctprof_verdict *v1 = NULL;
	struct rv r;
	char *out;

	(void)state;
	/* TAP 14: the YAML block nests with its subtest */
	r = render_verdict(&a, &b);
	out = tap_of(r.v, 14);
	assert_non_null(strstr(out, "    ok 1 - noisy: nr_migrations # SKIP too noisy: baseline "
				    "spread 28.9% > 1%\n      ---\n      message: \"too noisy: "
				    "baseline spread 28.9% > 1%\"\n"));
	assert_non_null(strstr(out, "      candidate_runs:\n        n: 3\n        mean: 1200\n"));
	free(out);
	rv_free(&r);
	side_free(&a);
	side_free(&b);
	/* both sides named: one baseline run, a candidate spread of 50 / 2025 */
	app_runs(&a, N(1000));
	app_runs(&b, N(2000, 2050));
	r = repeat_v(specs, &a, &b, 0);
	out = tap_of(r.v, 13);
	assert_non_null(strstr(out, "ok 1 - app: nr_migrations # SKIP too noisy: baseline has 1 "
				    "run (needs 2), candidate spread 2.47% > 1%\n"));
	assert_non_null(strstr(out, "  baseline_runs:\n    n: 1\n    mean: 1000\n    min: "
				    "1000\n    max: 1000\n    spread_pct: 0\n"));
	free(out);
	rv_free(&r);
	side_free(&b);
	/* no baseline side: baseline_runs is null; a non-default threshold is shown */
	app_runs(&b, N(1000, 1002));
	r = repeat_v(abs_specs, &c, &b, 0.05);
	out = tap_of(r.v, 13);
	assert_non_null(strstr(out, "not ok 1 - app: nr_migrations = 1001 (max 1)\n"));
	assert_non_null(strstr(out, "  baseline: ~\n  candidate: 1001\n  delta: ~\n"));
	assert_non_null(strstr(out, "  baseline_runs: ~\n  candidate_runs:\n    n: 2\n"
				    "    mean: 1001\n    min: 1000\n    max: 1002\n"
				    "    spread_pct: 0.1998001998002\n  max_noise_pct: 5\n  ...\n"));
	free(out);
	rv_free(&r);
	/* a single-run verdict is not repeated and renders as before */
	r.gs = ctprof_gateset_new();
	assert_int_equal(ctprof_gateset_add(r.gs, abs_specs[0], &err), 0);
	assert_int_equal(ctprof_verdict_single(r.gs, b.g[0], &v1, &err), 0);
	assert_false(v1->repeated);
	assert_false(v1->points[0].repeated);
	assert_false(v1->points[0].sb.has);
	out = tap_of(v1, 13);
	assert_null(strstr(out, "_runs"));
	assert_non_null(strstr(out, "not ok 1 - app: nr_migrations = 1000 (max 1)\n"));
	free(out);
	ctprof_verdict_free(v1);
	ctprof_gateset_free(r.gs);
	side_free(&a);
	side_free(&b);
}

/* Render with fn and compare with want; print the whole output when it differs. */
static void check_render(int (*fn)(const struct ctprof_verdict *, char **, size_t *,
				   struct ctprof_error *),
			 const struct ctprof_verdict *v, const char *want)
{
	struct ctprof_error err = { 0 };
	char *out = NULL;
	size_t len = 0;

	assert_int_equal(fn(v, &out, &len, &err), 0);
	assert_int_equal(len, strlen(out));
	if (strcmp(out, want) != 0) {
		fputs(out, stderr);
		fail();
	}
	free(out);
}

static void test_render_json(void **state)
{
	struct side a = { 0 }, b = { 0 };
	struct rv r;
	const char *want =
		"{\"axis\":\"pcomm\",\"has_baseline\":true,\"ok\":false,\"tests\":3,\"passed\":1,"
		"\"failed\":1,\"skipped\":1,\"runs_baseline\":3,\"runs_candidate\":3,"
		"\"max_noise_pct\":1,"
		"\"gates\":[{\"gate\":\"nr_migrations@app:max_increase=10%\","
		"\"metric\":\"nr_migrations\",\"group\":\"app\",\"polarity\":\"lower_better\","
		"\"limits\":{\"max_increase\":{\"value\":0.1,\"text\":\"10%\"}},\"passed\":0,"
		"\"failed\":1,\"skipped\":0,\"points\":[{\"group\":\"app\",\"status\":\"not ok\","
		"\"reason\":\"limit\",\"limit\":\"max_increase\","
		"\"description\":\"app: nr_migrations +20.0% (max +10%)\",\"baseline\":1000,"
		"\"candidate\":1200,\"delta\":200,\"delta_pct\":20,"
		"\"message\":\"increase above the threshold and the floor\","
		"\"baseline_runs\":{\"n\":3,\"mean\":1000,\"min\":995,\"max\":1005,"
		"\"spread_pct\":1},\"candidate_runs\":{\"n\":3,\"mean\":1200,\"min\":1198,"
		"\"max\":1202,"
		"\"spread_pct\":0.333333333333333}}]},{\"gate\":\"nr_migrations@calm:max_increase=0.1%\","
		"\"metric\":\"nr_migrations\",\"group\":\"calm\",\"polarity\":\"lower_better\","
		"\"limits\":{\"max_increase\":{\"value\":0.001,\"text\":\"0.1%\"}},\"passed\":1,"
		"\"failed\":0,\"skipped\":0,\"points\":[{\"group\":\"calm\",\"status\":\"ok\","
		"\"reason\":\"within_noise\",\"limit\":\"max_increase\","
		"\"description\":\"calm: nr_migrations +0.4% (max +0.1%) within the baseline's range\","
		"\"baseline\":1000,\"candidate\":1004,\"delta\":4,\"delta_pct\":0.4,"
		"\"message\":\"within the baseline's range (not significant)\","
		"\"baseline_runs\":{\"n\":3,\"mean\":1000,\"min\":995,\"max\":1005,"
		"\"spread_pct\":1},\"candidate_runs\":{\"n\":3,\"mean\":1004,\"min\":1004,"
		"\"max\":1004,"
		"\"spread_pct\":0}}]},{\"gate\":\"nr_migrations@noisy:max_increase=10%\","
		"\"metric\":\"nr_migrations\",\"group\":\"noisy\",\"polarity\":\"lower_better\","
		"\"limits\":{\"max_increase\":{\"value\":0.1,\"text\":\"10%\"}},\"passed\":0,"
		"\"failed\":0,\"skipped\":1,\"points\":[{\"group\":\"noisy\",\"status\":\"skip\","
		"\"reason\":\"noisy\",\"limit\":null,\"description\":\"noisy: nr_migrations\","
		"\"baseline\":110.666666666667,\"candidate\":100,\"delta\":-10.6666666666667,"
		"\"delta_pct\":-9.63855421686747,"
		"\"message\":\"too noisy: baseline spread 28.9% > 1%\","
		"\"baseline_runs\":{\"n\":3,\"mean\":110.666666666667,\"min\":100,\"max\":132,"
		"\"spread_pct\":28.9156626506024},\"candidate_runs\":{\"n\":3,\"mean\":100,"
		"\"min\":100,\"max\":100,\"spread_pct\":0}}]}],\"orphans\":[]}\n";

	(void)state;
	r = render_verdict(&a, &b);
	check_render(ctprof_render_verdict_json, r.v, want);
	rv_free(&r);
	side_free(&a);
	side_free(&b);
}

static void test_render_junit(void **state)
{
	struct side a = { 0 }, b = { 0 };
	struct rv r;
	const char *want =
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<testsuites name=\"ctprof-harness\" tests=\"3\" failures=\"1\" errors=\"0\" skipped=\"1\">\n"
		"  <testsuite name=\"nr_migrations@app:max_increase=10%\" tests=\"1\" failures=\"1\" errors=\"0\" skipped=\"0\">\n"
		"    <testcase classname=\"nr_migrations@app:max_increase=10%\" name=\"app: nr_migrations\" time=\"0\">\n"
		"      <failure message=\"app: nr_migrations +20.0% (max +10%)\" type=\"limit\">message: increase above the threshold and the floor\n"
		"metric: nr_migrations\n"
		"group: app\n"
		"axis: pcomm\n"
		"baseline: 1000\n"
		"candidate: 1200\n"
		"delta: 200\n"
		"delta_pct: 20\n"
		"gate: nr_migrations@app:max_increase=10%\n"
		"limit: max_increase\n"
		"polarity: lower_better\n"
		"baseline_runs: n=3 mean=1000 min=995 max=1005 spread=1%\n"
		"candidate_runs: n=3 mean=1200 min=1198 max=1202 spread=0.333%\n"
		"max_noise_pct: 1\n"
		"</failure>\n"
		"    </testcase>\n"
		"  </testsuite>\n"
		"  <testsuite name=\"nr_migrations@calm:max_increase=0.1%\" tests=\"1\" failures=\"0\" errors=\"0\" skipped=\"0\">\n"
		"    <testcase classname=\"nr_migrations@calm:max_increase=0.1%\" name=\"calm: nr_migrations\" time=\"0\">\n"
		"      <system-out>message: within the baseline&apos;s range (not significant)\n"
		"baseline_runs: n=3 mean=1000 min=995 max=1005 spread=1%\n"
		"candidate_runs: n=3 mean=1004 min=1004 max=1004 spread=0%\n"
		"max_noise_pct: 1\n"
		"</system-out>\n"
		"    </testcase>\n"
		"  </testsuite>\n"
		"  <testsuite name=\"nr_migrations@noisy:max_increase=10%\" tests=\"1\" failures=\"0\" errors=\"0\" skipped=\"1\">\n"
		"    <testcase classname=\"nr_migrations@noisy:max_increase=10%\" name=\"noisy: nr_migrations\" time=\"0\">\n"
		"      <skipped message=\"too noisy: baseline spread 28.9% &gt; 1%\">baseline_runs: n=3 mean=110.666666666667 min=100 max=132 spread=28.9%\n"
		"candidate_runs: n=3 mean=100 min=100 max=100 spread=0%\n"
		"max_noise_pct: 1\n"
		"</skipped>\n"
		"    </testcase>\n"
		"  </testsuite>\n"
		"</testsuites>\n";

	(void)state;
	r = render_verdict(&a, &b);
	check_render(ctprof_render_junit, r.v, want);
	rv_free(&r);
	side_free(&a);
	side_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_summary),
		cmocka_unit_test(test_significant_regression),
		cmocka_unit_test(test_within_noise),
		cmocka_unit_test(test_noisy),
		cmocka_unit_test(test_too_few_runs),
		cmocka_unit_test(test_informational),
		cmocka_unit_test(test_no_baseline),
		cmocka_unit_test(test_partial_groups),
		cmocka_unit_test(test_host_and_errors),
		cmocka_unit_test(test_cgroup_axis),
		cmocka_unit_test(test_render_tap),
		cmocka_unit_test(test_render_tap_more),
		cmocka_unit_test(test_render_json),
		cmocka_unit_test(test_render_junit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
