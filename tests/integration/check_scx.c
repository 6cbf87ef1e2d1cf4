/* SPDX-License-Identifier: MIT */
/*
 * The sched_ext swap state machine (lib/run/scx.c) against tests/fake-scx on
 * a synthetic sys root (one fresh temporary tree per test): attach ok ->
 * check ok -> stop ok; attach timeout; failed attach; ejected mid-run (the
 * scheduler dies with an exit dump, or enable_seq moves under a live one);
 * a scheduler that ignores SIGINT; free without stop; sysfs absent. Every
 * test asserts that no scheduler process (nor the fake's "kernel" helper)
 * is left behind.
 */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/wait.h>
#include <ctprof/ctprof.h>

#include "testutil.h"

/*
 * Paths and file contents that a test only passes along: kept here and
 * freed by fx_fini, so that the suite runs clean under LeakSanitizer.
 */
static char *garbage[256];
static size_t n_garbage;

static char *gc(char *p)
{
	ck_assert_uint_lt(n_garbage, sizeof(garbage) / sizeof(garbage[0]));
	garbage[n_garbage++] = p;
	return p;
}
#define TP(...) gc(tu_path(__VA_ARGS__))

struct fx {
	char *root;     /* the synthetic sys root */
	char *scxdir;   /* root/kernel/sched_ext */
	char *log;
	struct ctprof_scx *scx;
};

static const char *fake_bin(void)
{
	const char *e = getenv("CTPROF_FAKE_SCX");

	return e && *e ? e : CTPROF_FAKE_SCX_BIN;
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void fx_init(struct fx *f, const char *seq)
{
	f->root = tu_mkdtemp("scx");
	f->scxdir = tu_path("%s/kernel/sched_ext", f->root);
	f->log = tu_path("%s/scheduler.log", f->root);
	f->scx = NULL;
	tu_write_str(TP("%s/state", f->scxdir), "disabled\n");
	tu_write_str(TP("%s/enable_seq", f->scxdir), seq);
	tu_write_str(TP("%s/switch_all", f->scxdir), "0\n");
}

static void fx_fini(struct fx *f)
{
	ctprof_scx_free(f->scx);
	tu_rmtree(f->root);
	free(f->root);
	free(f->scxdir);
	free(f->log);
	while (n_garbage)
		free(garbage[--n_garbage]);
}

/* Start a swap of fake-scx with the given extra options (NULL-terminated). */
static struct ctprof_scx *fx_new(struct fx *f, unsigned attach_ms, unsigned grace_ms,
				 const char *const *extra)
{
	const char *argv[16] = { fake_bin(), "--sys-root", f->root, "--ops", "scx_fake",
				 "--max-life", "20000" };
	struct ctprof_scx_opts o = {
		.sz = sizeof(o), .sys_root = f->root, .log_path = f->log,
		.attach_timeout_ms = attach_ms, .stop_grace_ms = grace_ms,
		.disable_timeout_ms = 3000, .poll_ms = 5,
	};
	struct ctprof_error err = { 0 };
	size_t n = 7;

	for (; extra && *extra; extra++)
		argv[n++] = *extra;
	argv[n] = NULL;
	o.argv = (char *const *)argv;
	ck_assert_int_eq(ctprof_scx_new(&o, &f->scx, &err), 0);
	ck_assert_ptr_nonnull(f->scx);
	return f->scx;
}

static char *state_of(struct fx *f)
{
	char *s = tu_read_file(TP("%s/state", f->scxdir), NULL);

	ck_assert_ptr_nonnull(s);
	gc(s);
	s[strcspn(s, "\n")] = '\0';
	return s;
}

/*
 * Live (non-zombie) processes whose process group is pgid. A process of the
 * group that was SIGKILLed after its parent died is a zombie of pid 1 until
 * init reaps it, and this sandbox's init does not reap: such a zombie has
 * already ended, so it does not count.
 */
static int group_live_members(int pgid)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int live = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d))) {
		char *path, *stat, *rp;
		char st;
		int pgrp;

		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		path = tu_path("/proc/%s/stat", e->d_name);
		stat = tu_read_file(path, NULL);
		free(path);
		if (!stat)
			continue; /* exited meanwhile */
		rp = strrchr(stat, ')');
		if (rp && sscanf(rp + 1, " %c %*d %d", &st, &pgrp) == 2 && pgrp == pgid && st != 'Z')
			live++;
		free(stat);
	}
	closedir(d);
	return live;
}

/* pid is reaped and gone: no process, not even a zombie of ours. */
static void assert_gone(int pid)
{
	ck_assert_int_gt(pid, 0);
	errno = 0;
	ck_assert_int_eq(kill(pid, 0), -1);
	ck_assert_int_eq(errno, ESRCH);
	ck_assert_int_eq(waitpid(pid, NULL, WNOHANG), -1);
	/* nor anything alive in its process group */
	ck_assert_int_eq(group_live_members(pid), 0);
}

/* The fake's "kernel" helper (announced in the log) ends within 2 s. */
static void assert_kernel_gone(struct fx *f)
{
	char *log = tu_read_file(f->log, NULL);
	const char *p;
	int kpid = 0;
	uint64_t end = mono_ms() + 2000;

	ck_assert_ptr_nonnull(log);
	p = strstr(log, "fake-scx: kernel pid ");
	ck_assert_ptr_nonnull(p);
	kpid = atoi(p + strlen("fake-scx: kernel pid "));
	ck_assert_int_gt(kpid, 1);
	while (kill(kpid, 0) == 0 && mono_ms() < end)
		usleep(10000);
	ck_assert_int_eq(kill(kpid, 0), -1);
	free(log);
}

START_TEST(attach_check_stop_ok)
{
	struct ctprof_scx_result r;
	struct fx f;
	int pid;

	fx_init(&f, "5\n");
	fx_new(&f, 5000, 2000, NULL);
	ck_assert_int_eq(ctprof_scx_pid(f.scx), 0);
	ck_assert_ptr_null(ctprof_scx_ops(f.scx));

	ck_assert_int_eq(ctprof_scx_spawn(f.scx, &r), 0);
	ck_assert(r.ok);
	ck_assert_int_eq(r.step, CTPROF_SCX_STEP_SPAWN);
	ck_assert_str_eq(r.name, "scheduler spawn");
	ck_assert_uint_eq(ctprof_scx_seq_before(f.scx), 5);
	pid = ctprof_scx_pid(f.scx);
	ck_assert_int_gt(pid, 0);
	ck_assert_int_eq(getpgid(pid), pid); /* its own process group */

	ck_assert_int_eq(ctprof_scx_attach(f.scx, &r), 0);
	ck_assert_msg(r.ok, "%s", r.diag);
	ck_assert_str_eq(r.name, "scheduler attach");
	ck_assert_str_eq(ctprof_scx_ops(f.scx), "scx_fake");
	ck_assert_uint_eq(ctprof_scx_seq_attached(f.scx), 6);
	ck_assert_ptr_nonnull(strstr(r.diag, "ops \"scx_fake\", enable_seq 5 -> 6"));

	ck_assert_int_eq(ctprof_scx_check(f.scx, &r), 0);
	ck_assert_msg(r.ok, "%s", r.diag);
	ck_assert_str_eq(r.name, "scheduler stayed attached");
	usleep(100000);
	ck_assert_int_eq(ctprof_scx_check(f.scx, &r), 0);

	ck_assert_int_eq(ctprof_scx_stop(f.scx, &r), 0);
	ck_assert_msg(r.ok, "%s", r.diag);
	ck_assert_str_eq(r.name, "scheduler stop");
	ck_assert_ptr_null(strstr(r.diag, "SIGKILL"));
	ck_assert_ptr_nonnull(strstr(r.diag, "state disabled"));
	ck_assert_str_eq(state_of(&f), "disabled");
	ck_assert_int_eq(access(TP("%s/root/ops", f.scxdir), F_OK), -1);
	ck_assert(WIFEXITED(ctprof_scx_wait_status(f.scx)));
	ck_assert_int_eq(WEXITSTATUS(ctprof_scx_wait_status(f.scx)), 0);
	assert_gone(pid);
	assert_kernel_gone(&f);

	/* idempotent: the same outcome again, nothing signalled */
	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(ctprof_scx_stop(f.scx, &r), 0);
	ck_assert(r.ok);
	ck_assert_ptr_nonnull(strstr(r.diag, "state disabled"));
	/* the scheduler's output went to the log */
	ck_assert_ptr_nonnull(strstr(gc(tu_read_file(f.log, NULL)), "attached \"scx_fake\", enable_seq 6"));
	fx_fini(&f);
}
END_TEST

START_TEST(cmdline_split_and_quoting)
{
	struct ctprof_scx_opts o = { .sz = sizeof(o), .poll_ms = 5 };
	struct ctprof_scx_result r;
	struct ctprof_error err = { 0 };
	char *line;
	struct fx f;

	fx_init(&f, "0\n");
	line = tu_path("'%s' --sys-root \"%s\" --ops 'scx with spaces' --max-life 20000",
		       fake_bin(), f.root);
	o.sys_root = f.root;
	o.log_path = f.log;
	o.cmdline = line;
	ck_assert_int_eq(ctprof_scx_new(&o, &f.scx, &err), 0);
	ck_assert_int_eq(ctprof_scx_spawn(f.scx, &r), 0);
	ck_assert_int_eq(ctprof_scx_attach(f.scx, &r), 0);
	ck_assert_str_eq(ctprof_scx_ops(f.scx), "scx with spaces");
	ck_assert_uint_eq(ctprof_scx_seq_attached(f.scx), 1);
	ck_assert_int_eq(ctprof_scx_stop(f.scx, &r), 0);
	fx_fini(&f);
	free(line);
}
END_TEST

START_TEST(attach_timeout_then_killed)
{
	const char *extra[] = { "--slow-attach", "10000", NULL };
	struct ctprof_scx_result r;
	uint64_t t0;
	struct fx f;
	int pid;

	fx_init(&f, "3\n");
	fx_new(&f, 300, 2000, extra);
	ck_assert_int_eq(ctprof_scx_spawn(f.scx, &r), 0);
	pid = ctprof_scx_pid(f.scx);
	t0 = mono_ms();
	ck_assert_int_eq(ctprof_scx_attach(f.scx, &r), -ETIMEDOUT);
	ck_assert(!r.ok);
	ck_assert_int_eq(r.code, -ETIMEDOUT);
	ck_assert_uint_ge(mono_ms() - t0, 300);
	ck_assert_uint_lt(mono_ms() - t0, 2000);
	ck_assert_ptr_nonnull(strstr(r.diag, "not attached within 300 ms"));
	ck_assert_ptr_nonnull(strstr(r.diag, "state \"enabling\""));
	ck_assert_ptr_nonnull(strstr(r.diag, "enable_seq before spawn 3"));
	ck_assert_ptr_nonnull(strstr(r.diag, "loading \"scx_fake\"")); /* log tail */
	ck_assert_ptr_null(ctprof_scx_ops(f.scx));
	/* check refuses, stop kills it */
	ck_assert_int_eq(ctprof_scx_check(f.scx, &r), -ENOTCONN);
	ck_assert(!r.ok);
	ck_assert_int_eq(kill(pid, 0), 0);
	ck_assert_int_eq(ctprof_scx_stop(f.scx, &r), 0);
	ck_assert_msg(r.ok, "%s", r.diag);
	ck_assert_str_eq(state_of(&f), "disabled");
	assert_gone(pid);
	fx_fini(&f);
}
END_TEST

START_TEST(fail_attach_with_log_tail)
{
	const char *extra[] = { "--fail-attach", NULL };
	struct ctprof_scx_result r;
	struct fx f;
	int pid;

	fx_init(&f, "9\n");
	fx_new(&f, 5000, 2000, extra);
	ck_assert_int_eq(ctprof_scx_spawn(f.scx, &r), 0);
	pid = ctprof_scx_pid(f.scx);
	ck_assert_int_eq(ctprof_scx_attach(f.scx, &r), -ECHILD);
	ck_assert(!r.ok);
	ck_assert_ptr_nonnull(strstr(r.diag, "exited with status 2 before attaching"));
	ck_assert_ptr_nonnull(strstr(r.diag, "failed to attach \"scx_fake\": ops.init() returned -22"));
	ck_assert_ptr_nonnull(strstr(r.diag, "enable_seq 9"));
	ck_assert_int_eq(ctprof_scx_stop(f.scx, &r), 0);
	ck_assert_msg(r.ok, "%s", r.diag);
	ck_assert_ptr_nonnull(strstr(r.diag, "already exited"));
	ck_assert_int_eq(WEXITSTATUS(ctprof_scx_wait_status(f.scx)), 2);
	assert_gone(pid);
	fx_fini(&f);
}
END_TEST

START_TEST(ejected_mid_run_exit_dump)
{
	const char *extra[] = { "--die-after", "300", NULL };
	struct ctprof_scx_result r;
	uint64_t end;
	struct fx f;
	int pid, rc;

	fx_init(&f, "1\n");
	fx_new(&f, 5000, 2000, extra);
	ck_assert_int_eq(ctprof_scx_spawn(f.scx, &r), 0);
	pid = ctprof_scx_pid(f.scx);
	ck_assert_int_eq(ctprof_scx_attach(f.scx, &r), 0);
	ck_assert_int_eq(ctprof_scx_check(f.scx, &r), 0);
	/* the "workload" runs past the scheduler's death */
	end = mono_ms() + 5000;
	do {
		usleep(20000);
		rc = ctprof_scx_check(f.scx, &r);
	} while (rc == 0 && mono_ms() < end);
	ck_assert(!r.ok);
	ck_assert_msg(rc == -ECHILD || rc == -ECANCELED, "rc %d", rc);
	ck_assert_ptr_nonnull(strstr(r.diag, "scx_fake"));
	if (rc == -ECHILD)
		ck_assert_ptr_nonnull(strstr(r.diag, "exited with status 1 mid-run"));
	/* the ejection is only reported after the dump is in the log: wait for exit */
	usleep(200000);
	rc = ctprof_scx_check(f.scx, &r);
	ck_assert_int_eq(rc, -ECHILD);
	ck_assert_ptr_nonnull(strstr(r.diag, "exited with status 1 mid-run"));
	ck_assert_ptr_nonnull(strstr(r.diag, "state \"disabled\""));
	ck_assert_ptr_nonnull(strstr(r.diag, "DEBUG DUMP"));
	ck_assert_ptr_nonnull(strstr(r.diag, "EXIT: runnable task stall (exit kind 1026)"));
	ck_assert_int_eq(ctprof_scx_stop(f.scx, &r), 0);
	ck_assert_msg(r.ok, "%s", r.diag);
	ck_assert_int_eq(WEXITSTATUS(ctprof_scx_wait_status(f.scx)), 1);
	assert_gone(pid);
	assert_kernel_gone(&f);
	fx_fini(&f);
}
END_TEST

START_TEST(ejected_enable_seq_moved)
{
	struct ctprof_scx_result r;
	struct fx f;
	int pid;

	fx_init(&f, "40\n");
	fx_new(&f, 5000, 2000, NULL);
	ck_assert_int_eq(ctprof_scx_spawn(f.scx, &r), 0);
	pid = ctprof_scx_pid(f.scx);
	ck_assert_int_eq(ctprof_scx_attach(f.scx, &r), 0);
	ck_assert_uint_eq(ctprof_scx_seq_attached(f.scx), 41);
	/* another enable happened behind the scheduler's back, which is alive */
	tu_write_str(TP("%s/enable_seq", f.scxdir), "42\n");
	ck_assert_int_eq(ctprof_scx_check(f.scx, &r), -ECANCELED);
	ck_assert(!r.ok);
	ck_assert_ptr_nonnull(strstr(r.diag, "ejected mid-run"));
	ck_assert_ptr_nonnull(strstr(r.diag, "enable_seq 42 (attached at enable_seq 41)"));
	ck_assert_int_eq(kill(pid, 0), 0);
	ck_assert_int_eq(ctprof_scx_stop(f.scx, &r), 0);
	assert_gone(pid);
	fx_fini(&f);
}
END_TEST

START_TEST(ignores_sigint_escalates)
{
	const char *extra[] = { "--ignore-sigint", NULL };
	struct ctprof_scx_result r;
	uint64_t t0, took;
	struct fx f;
	int pid, st;

	fx_init(&f, "0\n");
	fx_new(&f, 5000, 300, extra);
	ck_assert_int_eq(ctprof_scx_spawn(f.scx, &r), 0);
	pid = ctprof_scx_pid(f.scx);
	ck_assert_int_eq(ctprof_scx_attach(f.scx, &r), 0);
	t0 = mono_ms();
	ck_assert_int_eq(ctprof_scx_stop(f.scx, &r), 0);
	took = mono_ms() - t0;
	ck_assert_msg(r.ok, "%s", r.diag);
	ck_assert_uint_ge(took, 300);
	ck_assert_uint_lt(took, 300 + 3000);
	ck_assert_ptr_nonnull(strstr(r.diag, "still running after 300 ms; SIGKILL to process group"));
	ck_assert_ptr_nonnull(strstr(r.diag, "killed by signal 9"));
	st = ctprof_scx_wait_status(f.scx);
	ck_assert(WIFSIGNALED(st));
	ck_assert_int_eq(WTERMSIG(st), SIGKILL);
	ck_assert_str_eq(state_of(&f), "disabled");
	assert_gone(pid);
	assert_kernel_gone(&f);
	fx_fini(&f);
}
END_TEST

START_TEST(free_without_stop)
{
	struct ctprof_scx_result r;
	struct fx f;
	int pid;

	fx_init(&f, "0\n");
	fx_new(&f, 5000, 2000, NULL);
	ck_assert_int_eq(ctprof_scx_spawn(f.scx, &r), 0);
	pid = ctprof_scx_pid(f.scx);
	ck_assert_int_eq(ctprof_scx_attach(f.scx, &r), 0);
	ctprof_scx_free(f.scx);
	f.scx = NULL;
	assert_gone(pid);
	ck_assert_str_eq(state_of(&f), "disabled");
	fx_fini(&f);
}
END_TEST

START_TEST(stop_never_spawned_and_absent_sysfs)
{
	struct ctprof_scx_result r;
	struct fx f;

	fx_init(&f, "0\n");
	tu_rmtree(TP("%s/kernel", f.root));
	fx_new(&f, 200, 200, NULL);
	ck_assert_int_eq(ctprof_scx_spawn(f.scx, &r), -ENOENT);
	ck_assert(!r.ok);
	ck_assert_ptr_nonnull(strstr(r.diag, "sched_ext not present"));
	ck_assert_int_eq(ctprof_scx_pid(f.scx), 0);
	ck_assert_int_eq(ctprof_scx_attach(f.scx, &r), -ESRCH);
	ck_assert_int_eq(ctprof_scx_check(f.scx, &r), -ENOTCONN);
	ck_assert_int_eq(ctprof_scx_stop(f.scx, &r), 0);
	ck_assert(r.ok);
	ck_assert_ptr_nonnull(strstr(r.diag, "not started"));
	ck_assert_int_eq(ctprof_scx_wait_status(f.scx), -1);
	fx_fini(&f);
}
END_TEST

START_TEST(busy_and_missing_binary)
{
	const char *argv[] = { "/nonexistent/scx_nothing", NULL };
	struct ctprof_scx_opts o = { .sz = sizeof(o), .poll_ms = 5 };
	struct ctprof_scx_result r;
	struct ctprof_error err = { 0 };
	struct fx f;

	fx_init(&f, "0\n");
	o.sys_root = f.root;
	o.log_path = f.log;
	o.argv = (char *const *)argv;
	ck_assert_int_eq(ctprof_scx_new(&o, &f.scx, &err), 0);
	ck_assert_int_eq(ctprof_scx_spawn(f.scx, &r), -ENOENT);
	ck_assert_ptr_nonnull(strstr(r.diag, "/nonexistent/scx_nothing: spawn:"));
	ck_assert_int_eq(ctprof_scx_stop(f.scx, &r), 0);
	ctprof_scx_free(f.scx);
	f.scx = NULL;

	/* another scheduler already attached */
	tu_write_str(TP("%s/state", f.scxdir), "enabled\n");
	tu_write_str(TP("%s/root/ops", f.scxdir), "scx_other\n");
	fx_new(&f, 200, 200, NULL);
	ck_assert_int_eq(ctprof_scx_spawn(f.scx, &r), -EBUSY);
	ck_assert_ptr_nonnull(strstr(r.diag, "another scheduler is loaded"));
	ck_assert_ptr_nonnull(strstr(r.diag, "scx_other"));
	ck_assert_int_eq(ctprof_scx_pid(f.scx), 0);
	fx_fini(&f);
}
END_TEST

static Suite *scx_suite(void)
{
	Suite *s = suite_create("scx");
	TCase *tc = tcase_create("fake");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, attach_check_stop_ok);
	tcase_add_test(tc, cmdline_split_and_quoting);
	tcase_add_test(tc, attach_timeout_then_killed);
	tcase_add_test(tc, fail_attach_with_log_tail);
	tcase_add_test(tc, ejected_mid_run_exit_dump);
	tcase_add_test(tc, ejected_enable_seq_moved);
	tcase_add_test(tc, ignores_sigint_escalates);
	tcase_add_test(tc, free_without_stop);
	tcase_add_test(tc, stop_never_spawned_and_absent_sysfs);
	tcase_add_test(tc, busy_and_missing_binary);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(scx_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
