/* SPDX-License-Identifier: MIT */
/*
 * Allocation-failure sweeps over every renderer (issue 8): render_diff
 * (text on every axis and in every display format, with colours, wrapping
 * and a line limit; JSON), render_show (text and JSON), metric_list, TAP
 * 13 and 14, JUnit and verdict JSON. A render under injection either
 * fails with -ENOMEM or, when the failure was not reached, returns the
 * clean output byte for byte. See test_allocfail.h for the sweep.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_allocfail_cmp.h"

/* ---- renderers ---- */

enum rnd_kind { R_DIFF, R_SHOW, R_METRIC_LIST, R_TAP13, R_TAP14, R_JUNIT, R_VJSON };

struct rnd_ctx {
	enum rnd_kind kind;
	const struct ctprof_diff *d;
	const struct ctprof_groupset *g;
	const struct ctprof_verdict *v;
	struct ctprof_render_opts o;
	char *clean; /* the output of the run without injection */
	size_t clean_len;
	bool record;
};

static int render(struct rnd_ctx *c, char **out, size_t *len, struct ctprof_error *err)
{
	switch (c->kind) {
	case R_DIFF:
		return ctprof_render_diff(c->d, &c->o, out, len, err);
	case R_SHOW:
		return ctprof_render_show(c->g, &c->o, out, len, err);
	case R_METRIC_LIST:
		return ctprof_render_metric_list(c->o.format, out, len, err);
	case R_TAP13:
		return ctprof_render_tap(c->v, 13, out, len, err);
	case R_TAP14:
		return ctprof_render_tap(c->v, 14, out, len, err);
	case R_JUNIT:
		return ctprof_render_junit(c->v, out, len, err);
	case R_VJSON:
		return ctprof_render_verdict_json(c->v, out, len, err);
	}
	return -EINVAL;
}

static int run_render(void *ctx, struct ctprof_error *err)
{
	struct rnd_ctx *c = ctx;
	char *out = NULL;
	size_t len = 0;
	int rc = render(c, &out, &len, err);

	if (rc) {
		assert_null(out);
		return rc;
	}
	assert_non_null(out);
	if (c->record) {
		c->clean = out;
		c->clean_len = len;
		c->record = false;
		return 0;
	}
	if (len != c->clean_len || memcmp(out, c->clean, len)) {
		if (getenv("CTPROF_ALLOCFAIL_DUMP")) {
			tu_write_file("/tmp/af-clean.txt", c->clean, c->clean_len);
			tu_write_file("/tmp/af-got.txt", out, len);
		}
		fail_msg("allocation %lu: output differs from the clean run (%zu bytes, want %zu)",
			 af_cur_n, len, c->clean_len);
	}
	free(out);
	return 0;
}

static void sweep_render(const char *name, struct rnd_ctx *c)
{
	c->record = true;
	c->clean = NULL;
	af_sweep(name, run_render, NULL, c, false);
	assert_non_null(c->clean);
	assert_true(c->clean_len > 0);
	free(c->clean);
	c->clean = NULL;
}

static void test_render_diff(void **state)
{
	struct ctprof_compare_opts co = { .sz = sizeof(co) };
	struct ctprof_error err = { 0 };
	struct rnd_ctx c;
	struct ctprof_diff *d;
	char name[96];
	int g, disp;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.o.sz = sizeof(c.o);
	c.o.baseline_name = "a.json";
	c.o.candidate_name = "b.json";
	for (g = CTPROF_GROUP_PCOMM; g <= CTPROF_GROUP_ALL; g++) {
		co.group_by = (enum ctprof_group_by)g;
		assert_int_equal(ctprof_compare(ca, cb, &co, &d, &err), 0);
		c.kind = R_DIFF;
		c.d = d;
		c.o.format = CTPROF_OUT_TEXT;
		c.o.display = CTPROF_DISPLAY_ARROW;
		snprintf(name, sizeof(name), "render diff text --group-by %s",
			 ctprof_group_by_name(co.group_by));
		sweep_render(name, &c);
		c.o.format = CTPROF_OUT_JSON;
		snprintf(name, sizeof(name), "render diff json --group-by %s",
			 ctprof_group_by_name(co.group_by));
		sweep_render(name, &c);
		ctprof_diff_free(d);
	}
	/* every display format, colours, wrapping and a line limit (pcomm) */
	co.group_by = CTPROF_GROUP_PCOMM;
	assert_int_equal(ctprof_compare(ca, cb, &co, &d, &err), 0);
	c.d = d;
	c.o.format = CTPROF_OUT_TEXT;
	for (disp = CTPROF_DISPLAY_FULL; disp <= CTPROF_DISPLAY_PCT_ONLY; disp++) {
		c.o.display = (enum ctprof_display_format)disp;
		c.o.color = disp == CTPROF_DISPLAY_FULL;
		c.o.wrap_width = disp == CTPROF_DISPLAY_NO_PCT ? 80 : 0;
		c.o.limit = disp == CTPROF_DISPLAY_DELTA_ONLY ? 3 : 0;
		snprintf(name, sizeof(name), "render diff text display %d", disp);
		sweep_render(name, &c);
	}
	ctprof_diff_free(d);
}

static void test_render_show_and_list(void **state)
{
	struct ctprof_compare_opts co = { .sz = sizeof(co) };
	struct ctprof_error err = { 0 };
	struct ctprof_groupset *g;
	struct rnd_ctx c;
	char name[96];
	int axis;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.o.sz = sizeof(c.o);
	c.o.baseline_name = "b.json";
	for (axis = CTPROF_GROUP_PCOMM; axis <= CTPROF_GROUP_ALL; axis++) {
		co.group_by = (enum ctprof_group_by)axis;
		assert_int_equal(ctprof_groupset_build(cb, &co, &g, &err), 0);
		c.kind = R_SHOW;
		c.g = g;
		/* text on the axes with distinct layouts (comm ones are pcomm's, and slow under valgrind) */
		if (axis == CTPROF_GROUP_PCOMM || axis == CTPROF_GROUP_CGROUP ||
		    axis == CTPROF_GROUP_ALL) {
			c.o.format = CTPROF_OUT_TEXT;
			snprintf(name, sizeof(name), "render show text --group-by %s",
				 ctprof_group_by_name(co.group_by));
			sweep_render(name, &c);
		}
		c.o.format = CTPROF_OUT_JSON;
		snprintf(name, sizeof(name), "render show json --group-by %s",
			 ctprof_group_by_name(co.group_by));
		sweep_render(name, &c);
		ctprof_groupset_free(g);
	}
	c.kind = R_METRIC_LIST;
	c.o.format = CTPROF_OUT_TEXT;
	sweep_render("render metric-list text", &c);
	c.o.format = CTPROF_OUT_JSON;
	sweep_render("render metric-list json", &c);
}

static void test_render_verdicts(void **state)
{
	struct vd_ctx vc = { { gate_specs, sizeof(gate_specs) / sizeof(gate_specs[0]), false, NULL },
			     { .sz = sizeof(struct ctprof_compare_opts),
			       .group_by = CTPROF_GROUP_PCOMM },
			     false };
	struct ctprof_error err = { 0 };
	struct ctprof_gateset *gs;
	struct ctprof_diff *d;
	struct ctprof_verdict *v;
	struct rnd_ctx c;

	(void)state;
	assert_int_equal(build_gates(&vc.gates, &gs, &err), 0);
	assert_int_equal(ctprof_compare(va, vb, &vc.o, &d, &err), 0);
	assert_int_equal(ctprof_verdict_compare(gs, d, &v, &err), 0);
	memset(&c, 0, sizeof(c));
	c.v = v;
	c.kind = R_TAP13;
	sweep_render("render TAP 13", &c);
	c.kind = R_TAP14;
	sweep_render("render TAP 14", &c);
	c.kind = R_JUNIT;
	sweep_render("render JUnit", &c);
	c.kind = R_VJSON;
	sweep_render("render verdict JSON", &c);
	ctprof_verdict_free(v);
	ctprof_diff_free(d);
	ctprof_gateset_free(gs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_render_diff),
		cmocka_unit_test(test_render_show_and_list),
		cmocka_unit_test(test_render_verdicts),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
