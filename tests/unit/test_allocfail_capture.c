/* SPDX-License-Identifier: MIT */
/*
 * Allocation-failure sweeps over a synthetic capture (issue 8): fixture
 * trees captured with jobs=1 and jobs=2. Capture is best effort about
 * files, but running out of memory is always an error (ctprof/capture.h):
 * every injected failure must end in -ENOMEM, never in a snapshot with a
 * silently missing thread or field. See test_allocfail.h for the sweep.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctprof/capture.h>

#include "testutil.h"
#include "test_allocfail.h"

struct cap_ctx {
	struct ctprof_capture_opts opts;
	char *proc;
	size_t n_threads; /* of the clean capture */
	char *json;       /* the clean capture, to compare every successful one with */
	size_t len;
};

static int run_capture(void *ctx, struct ctprof_error *err)
{
	struct cap_ctx *c = ctx;
	struct ctprof_snapshot *s = NULL;
	char *json = NULL;
	size_t len = 0;
	int rc = ctprof_capture(&c->opts, &s, err);

	if (rc) {
		assert_null(s);
		return rc;
	}
	assert_int_equal(s->n_threads, c->n_threads);
	if (c->json) {
		/* a run that did not hit the failure made exactly the same snapshot */
		af_pause();
		assert_int_equal(ctprof_snapshot_to_json(s, &json, &len, NULL), 0);
		if (len != c->len || memcmp(json, c->json, len)) {
			tu_write_file("/tmp/af-clean.json", c->json, c->len);
			tu_write_file("/tmp/af-got.json", json, len);
			fail_msg("allocation %lu failed (%s after %lu allocations), yet the capture "
				 "succeeded with a different snapshot (%zu bytes, want %zu)",
				 af_cur_n, af_cur_n && af_paused_at >= af_cur_n ? "fired" : "not fired",
				 af_paused_at, len, c->len);
		}
		free(json);
	}
	ctprof_snapshot_free(s);
	return 0;
}

static void sweep_tree(const char *tree, unsigned jobs, size_t min_threads)
{
	struct ctprof_error err = { 0 };
	struct ctprof_snapshot *s = NULL;
	struct cap_ctx c;
	char name[128];
	struct af_result r;

	memset(&c, 0, sizeof(c));
	c.proc = tu_path("%s/proc-trees/%s/proc", getenv("CTPROF_FIXTURES") ?
			 getenv("CTPROF_FIXTURES") : CTPROF_FIXTURES_DIR, tree);
	c.opts = CTPROF_CAPTURE_OPTS(.proc_root = c.proc, .mode = CTPROF_CAPTURE_SYNTHETIC,
				     .pin_time = true, .captured_at_unix_ns = 1714000000000000000ull,
				     .jobs = jobs);
	if (ctprof_capture(&c.opts, &s, &err))
		fail_msg("%s: %s", tree, err.msg);
	c.n_threads = s->n_threads;
	assert_true(c.n_threads >= min_threads);
	assert_int_equal(ctprof_snapshot_to_json(s, &c.json, &c.len, NULL), 0);
	ctprof_snapshot_free(s);
	snprintf(name, sizeof(name), "capture %s jobs=%u", tree, jobs);
	r = af_sweep(name, run_capture, NULL, &c, true);
	assert_true(r.swept >= (af_max_runs ? 1 : c.n_threads));
	free(c.json);
	free(c.proc);
}

static void test_ktstr_basic_jobs1(void **state)
{
	(void)state;
	sweep_tree("ktstr-basic", 1, 1);
}

static void test_ktstr_basic_jobs2(void **state)
{
	(void)state;
	sweep_tree("ktstr-basic", 2, 1);
}

/* cgroup stats of several cgroups, and the unsafe paths that must not be read */
static void test_unsafe_cgroup_jobs2(void **state)
{
	(void)state;
	sweep_tree("edge-unsafe-cgroup", 2, 2);
}

/* sched_ext state and host PSI */
static void test_sched_ext_jobs1(void **state)
{
	(void)state;
	sweep_tree("sched-ext-enabled", 1, 0);
	sweep_tree("fmt-psi-irq", 1, 0);
}

/* ghosts and a tree of several processes (parse tally is live-only) */
static void test_ghost_and_junk_jobs2(void **state)
{
	(void)state;
	sweep_tree("edge-ghost-tid", 2, 1);
	sweep_tree("edge-junk-dirs", 2, 1);
	sweep_tree("edge-non-utf8-comm", 1, 1);
}

/*
 * A real host's tree (dozens of processes, cgroup files with PSI):
 * swept with at most 400 injected runs (a stride), for valgrind's sake.
 */
static void test_host_snapshot_jobs2(void **state)
{
	(void)state;
	af_max_runs = 400;
	sweep_tree("host-snapshot", 2, 20);
	af_max_runs = 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ktstr_basic_jobs1),
		cmocka_unit_test(test_ktstr_basic_jobs2),
		cmocka_unit_test(test_unsafe_cgroup_jobs2),
		cmocka_unit_test(test_sched_ext_jobs1),
		cmocka_unit_test(test_ghost_and_junk_jobs2),
		cmocka_unit_test(test_host_snapshot_jobs2),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
