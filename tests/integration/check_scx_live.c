/* SPDX-License-Identifier: MIT */
/*
 * The sched_ext swap on the live /sys. Exits 77 (skipped) when
 * /sys/kernel/sched_ext does not exist (kernel without
 * CONFIG_SCHED_CLASS_EXT) or when not root. With sched_ext present: a
 * scheduler from $CTPROF_LIVE_SCX (a command line, e.g. "scx_simple") must
 * attach, stay attached and stop with state "disabled"; without it, a
 * non-scheduler (sleep) must fail to attach (state not "enabled", no new
 * enable_seq) and be stopped, or spawn must report -EBUSY when another
 * scheduler is already loaded.
 */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <ctprof/ctprof.h>

#include "testutil.h"

START_TEST(live_swap)
{
	const char *live = getenv("CTPROF_LIVE_SCX");
	char *dir = tu_mkdtemp("scxlive");
	char *log = tu_path("%s/scheduler.log", dir);
	struct ctprof_scx_opts o = { .sz = sizeof(o), .log_path = log,
				     .attach_timeout_ms = live && *live ? 20000 : 500,
				     .stop_grace_ms = 5000 };
	struct ctprof_scx_result r;
	struct ctprof_error err = { 0 };
	struct ctprof_scx *scx;
	int pid, rc;

	o.cmdline = live && *live ? live : "sleep 30";
	ck_assert_int_eq(ctprof_scx_new(&o, &scx, &err), 0);
	rc = ctprof_scx_spawn(scx, &r);
	if (rc == -EBUSY) {
		ck_assert_ptr_nonnull(strstr(r.diag, "another scheduler is loaded"));
		ck_assert_int_eq(ctprof_scx_pid(scx), 0);
		goto out;
	}
	ck_assert_msg(rc == 0, "%s", r.diag);
	pid = ctprof_scx_pid(scx);
	rc = ctprof_scx_attach(scx, &r);
	if (live && *live) {
		ck_assert_msg(rc == 0, "%s", r.diag);
		ck_assert_ptr_nonnull(ctprof_scx_ops(scx));
		ck_assert_uint_gt(ctprof_scx_seq_attached(scx), ctprof_scx_seq_before(scx));
		ck_assert_int_eq(ctprof_scx_check(scx, &r), 0);
	} else {
		ck_assert_int_eq(rc, -ETIMEDOUT);
		ck_assert_ptr_nonnull(strstr(r.diag, "not attached within 500 ms"));
	}
	ck_assert_int_eq(ctprof_scx_stop(scx, &r), 0);
	ck_assert_msg(r.ok, "%s", r.diag);
	ck_assert_int_eq(kill(pid, 0), -1);
out:
	ctprof_scx_free(scx);
	tu_rmtree(dir);
}
END_TEST

int main(void)
{
	struct stat st;
	SRunner *sr;
	Suite *s;
	TCase *tc;
	int failed;

	if (stat("/sys/kernel/sched_ext", &st) < 0) {
		printf("skip: /sys/kernel/sched_ext absent (kernel without CONFIG_SCHED_CLASS_EXT)\n");
		return 77;
	}
	if (geteuid() != 0) {
		printf("skip: loading a sched_ext scheduler needs root\n");
		return 77;
	}
	s = suite_create("scx-live");
	tc = tcase_create("live");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, live_swap);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
