/* SPDX-License-Identifier: MIT */
/*
 * Allocation-failure sweeps over compare, show, gates and verdicts
 * (issue 8): ctprof_compare on every axis (and --sort-by, and the fudged
 * cgroup matcher), groupset_build, --sort-by parsing, gate parsing (specs,
 * defaults, the policy file), verdict_compare and verdict_single. The
 * renderers are in test_allocfail_render.c. See test_allocfail.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_allocfail_cmp.h"

/* ---- compare and show ---- */

struct cmp_ctx {
	const struct ctprof_snapshot *a, *b;
	struct ctprof_compare_opts o;
};

static int run_compare(void *ctx, struct ctprof_error *err)
{
	struct cmp_ctx *c = ctx;
	struct ctprof_diff *d = NULL;
	int rc = ctprof_compare(c->a, c->b, &c->o, &d, err);

	if (!rc)
		assert_true(d->n_pairs > 0 && d->n_rows > 0);
	else
		assert_null(d);
	ctprof_diff_free(d);
	return rc;
}

static int run_groupset(void *ctx, struct ctprof_error *err)
{
	struct cmp_ctx *c = ctx;
	struct ctprof_groupset *g = NULL;
	int rc = ctprof_groupset_build(c->b, &c->o, &g, err);

	if (!rc)
		assert_true(g->n > 0);
	else
		assert_null(g);
	ctprof_groupset_free(g);
	return rc;
}

static void test_compare_every_axis(void **state)
{
	static const char *const sort[] = { "run_time_ns:desc,nr_migrations" };
	struct cmp_ctx c = { ca, cb, { .sz = sizeof(struct ctprof_compare_opts) } };
	struct ctprof_sort_key *keys = NULL;
	struct ctprof_error err = { 0 };
	char name[96];
	int g;

	(void)state;
	for (g = CTPROF_GROUP_PCOMM; g <= CTPROF_GROUP_ALL; g++) {
		c.o.group_by = (enum ctprof_group_by)g;
		snprintf(name, sizeof(name), "compare basic --group-by %s",
			 ctprof_group_by_name(c.o.group_by));
		af_sweep(name, run_compare, NULL, &c, false);
		snprintf(name, sizeof(name), "show basic/b --group-by %s",
			 ctprof_group_by_name(c.o.group_by));
		af_sweep(name, run_groupset, NULL, &c, false);
	}
	/* --sort-by, and the fudged-cgroup matcher */
	assert_int_equal(ctprof_sort_by_parse(sort[0], &keys, &c.o.n_sort_by, &err), 0);
	c.o.sort_by = keys;
	c.o.group_by = CTPROF_GROUP_CGROUP;
	af_sweep("compare basic --group-by cgroup --sort-by", run_compare, NULL, &c, false);
	af_sweep("show basic/b --group-by cgroup --sort-by", run_groupset, NULL, &c, false);
	free(keys);
	c.o.sort_by = NULL;
	c.o.n_sort_by = 0;
	c.a = load_json("compare/fudge/a.json");
	c.b = load_json("compare/fudge/b.json");
	c.o.group_by = CTPROF_GROUP_ALL;
	af_sweep("compare fudge --group-by all", run_compare, NULL, &c, false);
	ctprof_snapshot_free((struct ctprof_snapshot *)c.a);
	ctprof_snapshot_free((struct ctprof_snapshot *)c.b);
}

static int run_sort_parse(void *ctx, struct ctprof_error *err)
{
	struct ctprof_sort_key *keys = NULL;
	size_t n = 0;
	int rc = ctprof_sort_by_parse(ctx, &keys, &n, err);

	if (!rc)
		assert_int_equal(n, 3);
	free(keys);
	return rc;
}

static void test_sort_by_parse(void **state)
{
	(void)state;
	af_sweep("--sort-by parse", run_sort_parse, NULL,
		 (void *)"run_time_ns:desc,nr_migrations:asc,wait_time_ns", false);
}

static int run_gates(void *ctx, struct ctprof_error *err)
{
	struct ctprof_gateset *gs = NULL;
	int rc = build_gates(ctx, &gs, err);

	ctprof_gateset_free(gs);
	return rc;
}

static void test_gates(void **state)
{
	struct gate_ctx c = { gate_specs, sizeof(gate_specs) / sizeof(gate_specs[0]), true, NULL };
	char *policy = tu_fixture("verdict/policy.json");

	(void)state;
	af_sweep("gates: specs and --default-gates", run_gates, NULL, &c, false);
	c.n_specs = 0;
	c.defaults = false;
	c.policy = policy;
	af_sweep("gates: policy file", run_gates, NULL, &c, false);
	free(policy);
}

static int run_verdict(void *ctx, struct ctprof_error *err)
{
	struct vd_ctx *c = ctx;
	struct ctprof_gateset *gs = NULL;
	struct ctprof_diff *d = NULL;
	struct ctprof_groupset *g = NULL;
	struct ctprof_verdict *v = NULL;
	int rc = build_gates(&c->gates, &gs, err);

	if (!rc && c->single)
		rc = ctprof_groupset_build(vb, &c->o, &g, err);
	else if (!rc)
		rc = ctprof_compare(va, vb, &c->o, &d, err);
	if (!rc && c->single)
		rc = ctprof_verdict_single(gs, g, &v, err);
	else if (!rc)
		rc = ctprof_verdict_compare(gs, d, &v, err);
	if (!rc)
		assert_true(v->n_points > 0 && v->failed > 0);
	ctprof_verdict_free(v);
	ctprof_groupset_free(g);
	ctprof_diff_free(d);
	ctprof_gateset_free(gs);
	return rc;
}

static void test_verdicts(void **state)
{
	struct vd_ctx c = { { gate_specs, sizeof(gate_specs) / sizeof(gate_specs[0]), false, NULL },
			    { .sz = sizeof(struct ctprof_compare_opts),
			      .group_by = CTPROF_GROUP_PCOMM },
			    false };
	static const char *const single_specs[] = { "nr_migrations@hackbench:max=49",
						    "avg_wait_ns@hackbench:max_increase=1%",
						    "sched_ext.nr_rejected:max=0" };
	char *policy = tu_fixture("verdict/policy.json");

	(void)state;
	af_sweep("verdict compare", run_verdict, NULL, &c, false);
	c.gates.specs = NULL;
	c.gates.n_specs = 0;
	c.gates.policy = policy;
	af_sweep("verdict compare with the policy", run_verdict, NULL, &c, false);
	c.gates.policy = NULL;
	c.gates.specs = single_specs;
	c.gates.n_specs = 3;
	c.single = true;
	af_sweep("verdict single", run_verdict, NULL, &c, false);
	free(policy);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compare_every_axis),
		cmocka_unit_test(test_sort_by_parse),
		cmocka_unit_test(test_gates),
		cmocka_unit_test(test_verdicts),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
