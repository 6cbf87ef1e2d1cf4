/* SPDX-License-Identifier: MIT */
/*
 * The parts of `run` that need no live system: process sets, the
 * descendant scan over a synthetic /proc, the attribution of exit records
 * by descent, and the TAP of a run's steps.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <ctprof/ctprof.h>

#include "run/run_int.h"
#include "testutil.h"

static void test_rpset(void **state)
{
	struct rpset s = { 0 };
	int i;

	(void)state;
	for (i = 200; i > 0; i -= 2)
		assert_int_equal(rpset_add(&s, i), 1);
	assert_int_equal(rpset_add(&s, 100), 0);
	assert_int_equal(s.n, 100);
	for (i = 1; i < (int)s.n; i++)
		assert_true(s.v[i - 1] < s.v[i]);
	assert_true(rpset_has(&s, 2));
	assert_true(rpset_has(&s, 200));
	assert_false(rpset_has(&s, 3));
	assert_false(rpset_has(&s, 0));
	assert_false(rpset_has(&s, 201));
	rpset_free(&s);
	assert_int_equal(s.n, 0);
	assert_false(rpset_has(&s, 2));
}

/* /proc/<pid>/stat with this parent and a hostile comm. */
static void mkproc(const char *root, int pid, int ppid, const char *comm)
{
	char *p = tu_path("%s/%d/stat", root, pid), line[512];

	snprintf(line, sizeof(line), "%d (%s) S %d %d %d 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 "
		 "100 0 0\n", pid, comm, ppid, pid, pid);
	tu_write_str(p, line);
	free(p);
}

static void test_descendants(void **state)
{
	char *root = tu_mkdtemp("rproc"), *p;
	struct rpset s = { 0 }, x = { 0 };

	(void)state;
	assert_int_equal(rpset_add(&x, 200), 1);
	mkproc(root, 1, 0, "init");
	mkproc(root, 50, 1, "harness");     /* self: the subreaper */
	mkproc(root, 100, 50, "workload");   /* the workload's main process */
	mkproc(root, 101, 100, "child) S 1 x"); /* comm with ") S 1": parsed after the last ')' */
	mkproc(root, 102, 101, "grandchild");
	mkproc(root, 103, 50, "orphan");     /* reparented to the subreaper */
	mkproc(root, 104, 103, "orphan-kid");
	mkproc(root, 200, 50, "scheduler");  /* excluded, and its children too */
	mkproc(root, 201, 200, "sched-kid");
	mkproc(root, 300, 1, "unrelated");
	mkproc(root, 301, 300, "unrelated-kid");
	/* garbage that must be skipped */
	p = tu_path("%s/400/stat", root);
	tu_write_str(p, "400 (broken");
	free(p);
	p = tu_path("%s/self/stat", root);
	tu_write_str(p, "1 (x) S 100");
	free(p);

	assert_int_equal(rp_descendants(root, 100, 50, &x, &s), 0);
	assert_int_equal(s.n, 5);
	assert_int_equal(s.v[0], 100);
	assert_int_equal(s.v[1], 101);
	assert_int_equal(s.v[2], 102);
	assert_int_equal(s.v[3], 103);
	assert_int_equal(s.v[4], 104);
	rpset_free(&s);
	/* without a subreaper, orphans are not reachable */
	assert_int_equal(rp_descendants(root, 100, 0, &x, &s), 0);
	assert_int_equal(s.n, 3);
	rpset_free(&s);
	/* everything that is our child, and below: the strays swept after a run */
	assert_int_equal(rp_descendants(root, 0, 50, NULL, &s), 0);
	assert_int_equal(s.n, 7); /* 100 101 102 103 104 200 201 */
	assert_true(rpset_has(&s, 201));
	assert_false(rpset_has(&s, 300));
	rpset_free(&s);
	rpset_free(&x);
	assert_true(rp_descendants("/nonexistent/proc", 100, 50, 0, &s) < 0);
	tu_rmtree(root);
	free(root);
}

static void rec(struct ctprof_exit_record *r, enum ctprof_exit_kind kind, uint32_t tid,
		uint32_t tgid, uint32_t ppid)
{
	memset(r, 0, sizeof(*r));
	r->kind = kind;
	r->id = tid;
	r->stats.pid = tid;
	r->stats.tgid = tgid;
	r->stats.ppid = ppid;
	r->thread.tid = tid;
	r->thread.tgid = tgid;
}

static void test_attribute(void **state)
{
	struct ctprof_exit_record r[8];
	struct rpset s = { 0 }, x = { 0 };
	bool keep[8];

	(void)state;
	/*
	 * Records arrive in exit order: the grandchild (its parent 120 is
	 * only known from a later record) before its parent.
	 */
	rec(&r[0], CTPROF_EXIT_TASK, 121, 121, 120); /* grandchild of the workload */
	rec(&r[1], CTPROF_EXIT_TASK, 120, 120, 100); /* child of the workload */
	rec(&r[2], CTPROF_EXIT_TASK, 105, 100, 1);   /* a thread of the workload itself */
	rec(&r[3], CTPROF_EXIT_TASK, 130, 130, 50);  /* orphan reparented to the subreaper */
	rec(&r[4], CTPROF_EXIT_TASK, 200, 200, 50);  /* the scheduler: excluded */
	rec(&r[5], CTPROF_EXIT_TASK, 210, 210, 200); /* the scheduler's child: excluded */
	rec(&r[6], CTPROF_EXIT_TASK, 900, 900, 1);   /* unrelated */
	rec(&r[7], CTPROF_EXIT_TGID, 120, 120, 100); /* aggregates are never threads */
	assert_int_equal(rpset_add(&x, 200), 1);
	assert_int_equal(rpset_add(&s, 100), 1);
	assert_int_equal(rp_attribute(r, 8, 50, &x, &s, keep), 4);
	assert_true(keep[0]);
	assert_true(keep[1]);
	assert_true(keep[2]);
	assert_true(keep[3]);
	assert_false(keep[4]);
	assert_false(keep[5]);
	assert_false(keep[6]);
	assert_false(keep[7]);
	assert_true(rpset_has(&s, 120));
	assert_true(rpset_has(&s, 121));
	assert_true(rpset_has(&s, 130));
	assert_false(rpset_has(&s, 200));
	rpset_free(&s);
	/* no subreaper: the orphan is not the workload's */
	assert_int_equal(rpset_add(&s, 100), 1);
	assert_int_equal(rp_attribute(r, 8, 0, &x, &s, keep), 3);
	assert_false(keep[3]);
	rpset_free(&s);
	rpset_free(&x);
}

static void test_tap_steps(void **state)
{
	struct ctprof_tap_step st[] = {
		{ .name = "scheduler attach", .status = CTPROF_VS_OK },
		{ .name = "workload: sh -c 'exit 3' # not a directive", .status = CTPROF_VS_FAIL,
		  .reason = "exit status 3", .diag = "line one\nline\ttwo\nok 7 - forged" },
		{ .name = "scheduler stayed attached", .status = CTPROF_VS_SKIP,
		  .reason = "no scheduler" },
	};
	struct ctprof_error err = { 0 };
	char *out = NULL;
	size_t len = 0;

	(void)state;
	assert_int_equal(ctprof_render_tap_run("preflight: one\npreflight: two\n1..99", st, 3, NULL,
					       13, &out, &len, &err), 0);
	assert_string_equal(out,
			    "TAP version 13\n"
			    "# preflight: one\n"
			    "# preflight: two\n"
			    "# 1..99\n"
			    "1..3\n"
			    "ok 1 - scheduler attach\n"
			    "not ok 2 - workload: sh -c 'exit 3' \\# not a directive\n"
			    "  ---\n"
			    "  message: \"exit status 3\"\n"
			    "  diag: |-\n"
			    "    line one\n"
			    "    line\\x09two\n"
			    "    ok 7 - forged\n"
			    "  ...\n"
			    "ok 3 - scheduler stayed attached # SKIP no scheduler\n");
	assert_int_equal(len, strlen(out));
	free(out);
	assert_int_equal(ctprof_render_tap_run(NULL, st, 1, NULL, 12, &out, &len, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "unsupported version 12"));
	assert_int_equal(ctprof_render_tap_run(NULL, NULL, 0, NULL, 14, &out, &len, &err), 0);
	assert_string_equal(out, "TAP version 14\n1..0\n");
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rpset),
		cmocka_unit_test(test_descendants),
		cmocka_unit_test(test_attribute),
		cmocka_unit_test(test_tap_steps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
