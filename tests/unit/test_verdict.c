/* SPDX-License-Identifier: MIT */
/*
 * Verdict rules on fixtures/verdict/{a,b}.json (numbers in fixtures/verdict/README.md):
 * every limit kind, the floor, zero baselines, coverage, polarity, globs,
 * one-sided groups, a single interval.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <ctprof/verdict.h>

#include "testutil.h"

static struct ctprof_snapshot *sa, *sb;

static struct ctprof_snapshot *load(const char *name)
{
	struct ctprof_error err = { 0 };
	struct ctprof_snapshot *s = NULL;
	char *path = tu_path("%s/verdict/%s.json", CTPROF_FIXTURES_DIR, name);
	size_t len;
	char *json = tu_read_file(path, &len);

	if (!json || ctprof_snapshot_from_json(json, len, path, &s, &err) < 0)
		fail_msg("%s: %s", path, err.msg);
	free(json);
	free(path);
	return s;
}

static int setup(void **state)
{
	(void)state;
	sa = load("a");
	sb = load("b");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	ctprof_snapshot_free(sa);
	ctprof_snapshot_free(sb);
	return 0;
}

struct run {
	struct ctprof_gateset *gs;
	struct ctprof_diff *d;
	struct ctprof_verdict *v;
};

/* Evaluate one gate under `axis`; returns its verdict. */
static struct run eval(const char *spec, enum ctprof_group_by axis)
{
	struct ctprof_compare_opts o = { .sz = sizeof(o), .group_by = axis };
	struct ctprof_error err = { 0 };
	struct run r = { 0 };

	r.gs = ctprof_gateset_new();
	assert_non_null(r.gs);
	if (ctprof_gateset_add(r.gs, spec, &err) < 0)
		fail_msg("%s: %s", spec, err.msg);
	assert_int_equal(ctprof_compare(sa, sb, &o, &r.d, &err), 0);
	if (ctprof_verdict_compare(r.gs, r.d, &r.v, &err) < 0)
		fail_msg("%s: %s", spec, err.msg);
	return r;
}

static void run_free(struct run *r)
{
	ctprof_verdict_free(r->v);
	ctprof_diff_free(r->d);
	ctprof_gateset_free(r->gs);
}

/* One gate, one point expected: check its status, reason and failing limit. */
static void expect1(const char *spec, enum ctprof_vstatus st, enum ctprof_vreason why, int limit)
{
	struct run r = eval(spec, CTPROF_GROUP_PCOMM);

	if (r.v->n_points != 1)
		fail_msg("%s: %zu points", spec, r.v->n_points);
	if (r.v->points[0].status != st || r.v->points[0].reason != why ||
	    r.v->points[0].limit != limit)
		fail_msg("%s: status %d reason %d limit %d", spec, r.v->points[0].status,
			 r.v->points[0].reason, r.v->points[0].limit);
	assert_int_equal(r.v->failed, st == CTPROF_VS_FAIL);
	run_free(&r);
}

#define OK CTPROF_VS_OK, CTPROF_VR_HELD, -1
#define FAIL(k) CTPROF_VS_FAIL, CTPROF_VR_LIMIT, CTPROF_LIM_##k

static void test_relative_and_floor(void **state)
{
	struct run r;

	(void)state;
	/* avg_wait_ns hackbench: 10000ns -> 12500ns, +25% */
	r = eval("avg_wait_ns@hackbench:max_increase=24.9%", CTPROF_GROUP_PCOMM);
	assert_int_equal(r.v->n_points, 1);
	assert_string_equal(r.v->points[0].group, "hackbench");
	assert_float_equal(r.v->points[0].a, 10000.0, 1e-9);
	assert_float_equal(r.v->points[0].b, 12500.0, 1e-9);
	assert_float_equal(r.v->points[0].delta, 2500.0, 1e-9);
	assert_float_equal(r.v->points[0].pct, 0.25, 1e-12);
	assert_int_equal(r.v->points[0].status, CTPROF_VS_FAIL);
	run_free(&r);
	expect1("avg_wait_ns@hackbench:max_increase=25.1%", OK);
	/* exactly at the threshold holds */
	expect1("avg_wait_ns@hackbench:max_increase=25%", OK);
	/* dual gate: the change must also exceed the floor (2500ns) */
	expect1("avg_wait_ns@hackbench:max_increase=10%,floor=2499ns", FAIL(MAX_INCREASE));
	expect1("avg_wait_ns@hackbench:max_increase=10%,floor=2501ns", OK);
	expect1("avg_wait_ns@hackbench:max_increase=10%,floor=3us", OK);
	/* an increase never trips max_decrease */
	expect1("avg_wait_ns@hackbench:max_decrease=1%", OK);
	/* cpu_efficiency 0.8333 -> 0.7692: -7.69% */
	expect1("cpu_efficiency@hackbench:max_decrease=7.6%", FAIL(MAX_DECREASE));
	expect1("cpu_efficiency@hackbench:max_decrease=7.7%", OK);
	expect1("cpu_efficiency@hackbench:max_decrease=5%,floor=6.5%", OK);
	expect1("cpu_efficiency@hackbench:max_decrease=5%,floor=0.06", FAIL(MAX_DECREASE));
}

static void test_absolute(void **state)
{
	(void)state;
	/* nr_migrations hackbench 40 -> 50 */
	expect1("nr_migrations@hackbench:max=49", FAIL(MAX));
	expect1("nr_migrations@hackbench:max=50", OK);
	expect1("nr_migrations@hackbench:min=51", FAIL(MIN));
	expect1("nr_migrations@hackbench:min=50", OK);
	expect1("nr_migrations@hackbench:max_delta=9", FAIL(MAX_DELTA));
	expect1("nr_migrations@hackbench:max_delta=10", OK);
	/* wait_time_ns 4ms -> 6ms */
	expect1("wait_time_ns@hackbench:max=5.9ms", FAIL(MAX));
	expect1("wait_time_ns@hackbench:max=6ms", OK);
	/* higher-better: max_delta bounds the decrease (-0.0641) */
	expect1("cpu_efficiency@hackbench:max_delta=0.064", FAIL(MAX_DELTA));
	expect1("cpu_efficiency@hackbench:max_delta=0.065", OK);
	/* informational: either direction; run_time_ns 20ms -> 20ms */
	expect1("run_time_ns@hackbench:max_delta=0", OK);
	/* host PSI cpu some avg10 1.00% -> 3.00% */
	expect1("psi.cpu.some.avg10:max=2.99%", FAIL(MAX));
	expect1("psi.cpu.some.avg10:max=3", OK);
	expect1("psi.cpu.some.avg10@host:max_increase=199%", FAIL(MAX_INCREASE));
	expect1("psi.cpu.some.avg10:max_increase=200%", OK);
}

static void test_polarity_defaults(void **state)
{
	(void)state;
	/* implicit: lower-better uses the default 10% increase */
	expect1("avg_wait_ns@hackbench", FAIL(MAX_INCREASE));
	/* higher-better: default 5% decrease; -7.69% fails */
	expect1("cpu_efficiency@hackbench", FAIL(MAX_DECREASE));
	/* a floor alone keeps the polarity's direction */
	expect1("cpu_efficiency@hackbench:floor=0.07", OK);
}

static void test_zero_baseline_and_coverage(void **state)
{
	struct run r;

	(void)state;
	/* the hostile group: nr_migrations 0 -> 7, judged by the floor alone */
	expect1("nr_migrations@ev#il*:max_increase=1000%,floor=6", FAIL(MAX_INCREASE));
	expect1("nr_migrations@ev#il*:max_increase=1000%,floor=7", OK);
	expect1("nr_migrations@ev#il*:max_increase=1000%", FAIL(MAX_INCREASE));
	/* avg_wait_ns: wait_count 0 -> 5, measured in the candidate only */
	expect1("avg_wait_ns@ev#il*:max=1ns", CTPROF_VS_SKIP, CTPROF_VR_COVERAGE_B, -1);
	/* sched_ext null in the baseline */
	expect1("sched_ext.nr_rejected:max_delta=0", CTPROF_VS_SKIP, CTPROF_VR_COVERAGE_B, -1);
	/* coverage differences never fail */
	r = eval("avg_wait_ns:max_increase=1%", CTPROF_GROUP_PCOMM);
	assert_int_equal(r.v->n_points, 2);
	assert_int_equal(r.v->skipped, 1);
	assert_int_equal(r.v->failed, 1);
	run_free(&r);
}

static void test_groups(void **state)
{
	struct run r;

	(void)state;
	/* no glob: every matched group, in name order; one-sided groups listed */
	r = eval("nr_migrations:max_delta=100", CTPROF_GROUP_PCOMM);
	assert_int_equal(r.v->n_points, 2);
	assert_string_equal(r.v->points[0].group, "ev#il\\x\nnot ok - forged # TODO");
	assert_string_equal(r.v->points[1].group, "hackbench");
	assert_int_equal(r.v->n_orphans, 1);
	assert_string_equal(r.v->orphans[0].group, "gone");
	assert_true(r.v->orphans[0].in_baseline);
	assert_int_equal(r.v->failed, 0);
	run_free(&r);
	/* glob matching */
	r = eval("nr_migrations@h?ck*:max=100", CTPROF_GROUP_PCOMM);
	assert_int_equal(r.v->n_points, 1);
	assert_string_equal(r.v->points[0].group, "hackbench");
	run_free(&r);
	r = eval("nr_migrations@[eh]*:max=100", CTPROF_GROUP_PCOMM);
	assert_int_equal(r.v->n_points, 2);
	run_free(&r);
	/* a glob matching a one-sided group is not a failure... */
	r = eval("run_time_ns@go*:max_increase=1%", CTPROF_GROUP_PCOMM);
	assert_int_equal(r.v->n_points, 0);
	assert_int_equal(r.v->failed, 0);
	run_free(&r);
	/* ...but naming it literally is */
	expect1("run_time_ns@gone:max_increase=1%", CTPROF_VS_FAIL, CTPROF_VR_GROUP_A_ONLY, -1);
	/* a gate that matches nothing fails */
	expect1("run_time_ns@hackbenhc:max_increase=1%", CTPROF_VS_FAIL, CTPROF_VR_NO_GROUP, -1);
	expect1("psi.cpu.some.avg10@hots:max=5", CTPROF_VS_FAIL, CTPROF_VR_NO_GROUP, -1);
}

static void test_cgroup_axis(void **state)
{
	struct ctprof_compare_opts o = { .sz = sizeof(o), .group_by = CTPROF_GROUP_PCOMM };
	struct ctprof_error err = { 0 };
	struct ctprof_gateset *gs = ctprof_gateset_new();
	struct ctprof_diff *d = NULL;
	struct ctprof_verdict *v = NULL;
	struct run r;

	(void)state;
	/* cgroup.cpu.nr_throttled /bench 10 -> 15 */
	r = eval("cgroup.cpu.nr_throttled@/bench:max_increase=49%", CTPROF_GROUP_CGROUP);
	assert_int_equal(r.v->n_points, 1);
	assert_int_equal(r.v->points[0].status, CTPROF_VS_FAIL);
	assert_float_equal(r.v->points[0].delta, 5.0, 0);
	run_free(&r);
	r = eval("cgroup.cpu.nr_throttled@/bench:max_increase=50%", CTPROF_GROUP_CGROUP);
	assert_int_equal(r.v->failed, 0);
	run_free(&r);
	r = eval("cgroup.memory.events.oom:max_delta=0", CTPROF_GROUP_CGROUP);
	assert_int_equal(r.v->n_points, 1);
	assert_int_equal(r.v->passed, 1);
	run_free(&r);
	/* cgroup metrics need the cgroup axis */
	assert_int_equal(ctprof_gateset_add(gs, "cgroup.cpu.nr_throttled:max=1", &err), 0);
	assert_int_equal(ctprof_compare(sa, sb, &o, &d, &err), 0);
	assert_int_equal(ctprof_verdict_compare(gs, d, &v, &err), -EINVAL);
	assert_null(v);
	assert_non_null(strstr(err.msg, "need --group-by cgroup"));
	ctprof_diff_free(d);
	ctprof_gateset_free(gs);
}

static void test_policy_defaults_floor(void **state)
{
	struct ctprof_compare_opts o = { .sz = sizeof(o), .group_by = CTPROF_GROUP_PCOMM };
	struct ctprof_error err = { 0 };
	struct ctprof_gateset *gs = ctprof_gateset_new();
	struct ctprof_diff *d = NULL;
	struct ctprof_verdict *v = NULL;
	const char *pol = "{\"defaults\": {\"lower_better\": {\"threshold\": \"20%\", "
			  "\"floor\": [\"3us\", \"11\"]}}, \"gates\": [\"avg_wait_ns@hackbench\", "
			  "\"nr_migrations@hackbench\", \"wait_time_ns@hackbench:max_increase=1%\"]}";

	(void)state;
	assert_int_equal(ctprof_gateset_policy(gs, pol, strlen(pol), "p", &err), 0);
	assert_int_equal(ctprof_compare(sa, sb, &o, &d, &err), 0);
	assert_int_equal(ctprof_verdict_compare(gs, d, &v, &err), 0);
	assert_int_equal(v->n_points, 3);
	/* +25% > 20% but 2500ns < the 3us floor */
	assert_int_equal(v->points[0].status, CTPROF_VS_OK);
	assert_string_equal(v->gates[0].lim_text[CTPROF_LIM_FLOOR], "3us");
	/* +10 < the count floor 11 */
	assert_int_equal(v->points[1].status, CTPROF_VS_OK);
	assert_string_equal(v->gates[1].lim_text[CTPROF_LIM_FLOOR], "11");
	/* explicit limit, default floor 3us: +2ms fails */
	assert_int_equal(v->points[2].status, CTPROF_VS_FAIL);
	ctprof_verdict_free(v);
	ctprof_diff_free(d);
	ctprof_gateset_free(gs);
}

static void test_single_interval(void **state)
{
	struct ctprof_compare_opts o = { .sz = sizeof(o), .group_by = CTPROF_GROUP_PCOMM };
	struct ctprof_error err = { 0 };
	struct ctprof_gateset *gs = ctprof_gateset_new();
	struct ctprof_groupset *g = NULL;
	struct ctprof_verdict *v = NULL;

	(void)state;
	assert_int_equal(ctprof_gateset_add(gs, "nr_migrations@hackbench:max=49", &err), 0);
	assert_int_equal(ctprof_gateset_add(gs, "nr_migrations@hackbench:max_delta=50", &err), 0);
	assert_int_equal(ctprof_gateset_add(gs, "avg_wait_ns@hackbench:max_increase=1%", &err), 0);
	assert_int_equal(ctprof_gateset_add(gs, "sched_ext.nr_rejected:max=0", &err), 0);
	assert_int_equal(ctprof_groupset_build(sb, &o, &g, &err), 0);
	assert_int_equal(ctprof_verdict_single(gs, g, &v, &err), 0);
	assert_false(v->has_baseline);
	assert_int_equal(v->n_points, 4);
	assert_int_equal(v->points[0].status, CTPROF_VS_FAIL); /* 50 > 49 */
	assert_int_equal(v->points[1].status, CTPROF_VS_OK);   /* the value is the change */
	assert_int_equal(v->points[2].status, CTPROF_VS_SKIP);
	assert_int_equal(v->points[2].reason, CTPROF_VR_NO_BASELINE);
	assert_int_equal(v->points[3].status, CTPROF_VS_OK);
	assert_int_equal(v->failed, 1);
	ctprof_verdict_free(v);
	ctprof_groupset_free(g);
	ctprof_gateset_free(gs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_relative_and_floor),
		cmocka_unit_test(test_absolute),
		cmocka_unit_test(test_polarity_defaults),
		cmocka_unit_test(test_zero_baseline_and_coverage),
		cmocka_unit_test(test_groups),
		cmocka_unit_test(test_cgroup_axis),
		cmocka_unit_test(test_policy_defaults_floor),
		cmocka_unit_test(test_single_interval),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
