/* SPDX-License-Identifier: MIT */
/*
 * A target stopped by the probe is never left stopped: a capturing process
 * probes a target thread in a loop; as soon as the target is seen in a
 * ptrace stop ('t'), the capturer is killed with SIGKILL; the kernel must
 * detach the target, which then runs on (its state leaves t/T). The target
 * is a forked copy of this program, which carries a jemalloc-shaped TLS
 * variable (tests/jemalloc/fake_tsd.h). Skips (77) without ptrace rights.
 */
#include <check.h>

#include <ctprof/probe.h>
#include "testutil.h"
#include "../jemalloc/fake_tsd.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ROUNDS 5

/* The state letter of /proc/<pid>/task/<tid>/stat, or 0 when unreadable. */
static char task_state(pid_t pid, pid_t tid)
{
	char path[64], buf[512], *c;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", pid, tid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	c = strrchr(buf, ')');
	return c && c[1] == ' ' ? c[2] : 0;
}

static pid_t start_target(int *release_w)
{
	int p[2];
	pid_t pid;
	char c;

	if (pipe(p) || (pid = fork()) < 0) {
		perror("check_probe_kill: pipe/fork");
		exit(1);
	}
	if (pid == 0) {
		close(p[1]);
		fake_tsd_set(4242, 17);
		while (read(p[0], &c, 1) > 0)
			;
		_exit(0);
	}
	close(p[0]);
	*release_w = p[1];
	return pid;
}

START_TEST(test_kill_mid_probe)
{
	int release_w, st, killed_while_stopped = 0;
	pid_t target = start_target(&release_w);
	struct ctprof_jemalloc_probe *p = NULL;
	enum ctprof_probe_tag tag;
	struct ctprof_error err = { 0 };

	ck_assert_msg(ctprof_jemalloc_attach(NULL, target, &p, &tag, &err) == 0, "%s", err.msg);
	for (int round = 0; round < ROUNDS; round++) {
		struct timespec t0, now;
		pid_t cap = fork();
		char s = 0;

		ck_assert_int_ge(cap, 0);
		if (cap == 0) {
			for (;;) {
				uint64_t a, d;

				if (ctprof_jemalloc_probe_thread(p, target, &a, &d, &tag, NULL) == 0 &&
				    (a != 4242 || d != 17))
					_exit(3);
			}
		}
		/* Wait (at most 10 s) to see the target in a ptrace stop, then kill. */
		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (;;) {
			s = task_state(target, target);
			if (s == 't' || s == 'T') {
				kill(cap, SIGKILL);
				break;
			}
			clock_gettime(CLOCK_MONOTONIC, &now);
			if (now.tv_sec - t0.tv_sec > 10) {
				kill(cap, SIGKILL);
				break;
			}
		}
		ck_assert_int_eq(waitpid(cap, &st, 0), cap);
		ck_assert_msg(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "capturer status 0x%x", st);
		if (s == 't' || s == 'T')
			killed_while_stopped++;
		/* The kernel detached the target: it leaves the stop and sleeps in read. */
		for (int ms = 0;; ms++) {
			char now_s = task_state(target, target);

			if (now_s == 'S')
				break;
			ck_assert_msg(ms < 2000, "target left in state '%c' after the capturer died", now_s);
			usleep(1000);
		}
	}
	/* The loop did catch the target stopped, so the kills were mid-probe. */
	ck_assert_int_ge(killed_while_stopped, 1);
	ctprof_jemalloc_probe_free(p);
	close(release_w);
	ck_assert_int_eq(waitpid(target, &st, 0), target);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}
END_TEST

static bool can_ptrace(void)
{
	int release_w, st;
	pid_t t = start_target(&release_w);
	struct ctprof_jemalloc_probe *p = NULL;
	enum ctprof_probe_tag tag;
	uint64_t a = 0, d = 0;
	int rc = ctprof_jemalloc_attach(NULL, t, &p, &tag, NULL);

	if (rc == 0)
		rc = ctprof_jemalloc_probe_thread(p, t, &a, &d, &tag, NULL);
	ctprof_jemalloc_probe_free(p);
	close(release_w);
	waitpid(t, &st, 0);
	return rc == 0;
}

int main(void)
{
	Suite *su;
	SRunner *sr;
	TCase *tc;
	int failed;

	if (!can_ptrace()) {
		fprintf(stderr, "SKIP: cannot probe a child (no ptrace rights or no debug info)\n");
		return 77;
	}
	su = suite_create("probe_kill");
	tc = tcase_create("kill");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_kill_mid_probe);
	suite_add_tcase(su, tc);
	sr = srunner_create(su);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
