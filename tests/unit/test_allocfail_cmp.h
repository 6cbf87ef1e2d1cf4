/* SPDX-License-Identifier: MIT */
/*
 * Fixtures shared by test_allocfail_compare.c and test_allocfail_render.c:
 * the compare/basic and verdict snapshots, and gate sets.
 */
#ifndef CTPROF_TEST_ALLOCFAIL_CMP_H
#define CTPROF_TEST_ALLOCFAIL_CMP_H

#include <ctprof/snapshot.h>
#include <ctprof/compare.h>
#include <ctprof/verdict.h>
#include <ctprof/render.h>

#include "testutil.h"
#include "test_allocfail.h"

static struct ctprof_snapshot *load_json(const char *rel)
{
	struct ctprof_error err = { 0 };
	struct ctprof_snapshot *s = NULL;
	char *p = tu_fixture(rel), *json;
	size_t len;

	json = tu_read_file(p, &len);
	assert_non_null(json);
	if (ctprof_snapshot_from_json(json, len, p, &s, &err))
		fail_msg("%s", err.msg);
	free(json);
	free(p);
	return s;
}

static struct ctprof_snapshot *ca, *cb, *va, *vb;

static int setup(void **state)
{
	(void)state;
	ca = load_json("compare/basic/a.json");
	cb = load_json("compare/basic/b.json");
	va = load_json("verdict/a.json");
	vb = load_json("verdict/b.json");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	ctprof_snapshot_free(ca);
	ctprof_snapshot_free(cb);
	ctprof_snapshot_free(va);
	ctprof_snapshot_free(vb);
	return 0;
}

/* ---- gates and verdicts ---- */

struct gate_ctx {
	const char *const *specs;
	size_t n_specs;
	bool defaults;
	const char *policy; /* path */
};

/* Build a gateset from c: 0 or a negative errno (NULL gateset: -ENOMEM). */
static int build_gates(const struct gate_ctx *c, struct ctprof_gateset **out,
		       struct ctprof_error *err)
{
	struct ctprof_gateset *gs = ctprof_gateset_new();
	size_t i;
	int rc = 0;

	*out = NULL;
	if (!gs) {
		err->code = -ENOMEM;
		snprintf(err->msg, sizeof(err->msg), "gateset: out of memory");
		return -ENOMEM;
	}
	if (c->defaults)
		rc = ctprof_gateset_add_defaults(gs, err);
	for (i = 0; !rc && i < c->n_specs; i++)
		rc = ctprof_gateset_add(gs, c->specs[i], err);
	if (!rc && c->policy)
		rc = ctprof_gateset_load_policy(gs, c->policy, err);
	if (rc) {
		ctprof_gateset_free(gs);
		return rc;
	}
	*out = gs;
	return 0;
}

static const char *const gate_specs[] = {
	"nr_migrations:max_increase=10%",
	"avg_wait_ns@hackbench:max_increase=30%,floor=1us",
	"avg_wait_ns@ev#il*:max=1ns",
	"cpu_efficiency@hackbench:max_decrease=7.6%",
	"psi.cpu.some.avg10:max=2%",
	"sched_ext.nr_rejected:max=0",
	"wait_time_ns@hackbench:max_delta=1ms",
	"nr_migrations@gone:max=100",
};

struct vd_ctx {
	struct gate_ctx gates;
	struct ctprof_compare_opts o;
	bool single;
};

#endif
