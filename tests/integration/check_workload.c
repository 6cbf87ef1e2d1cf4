/* SPDX-License-Identifier: MIT */
/*
 * ctprof-workload, the bundled default workload: a 1 s run exits 0 with a
 * summary line whose counts are > 0 and shows bursts and children; named
 * ring threads; SIGTERM stops it early with exit 0; --quiet, --help and
 * bad arguments (exit 2, one line).
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "testutil.h"

static const char *wl(void)
{
	const char *e = getenv("CTPROF_WORKLOAD");

	return e && *e ? e : CTPROF_WORKLOAD_BIN;
}

struct summary {
	unsigned long long iterations, handoffs, bursts, children;
	double seconds;
	int threads;
};

/* The one summary line; false when it is not there exactly once. */
static bool parse_summary(const char *err, struct summary *s)
{
	const char *p = strstr(err, "ctprof-workload: iterations=");

	if (!p || strstr(p + 1, "ctprof-workload: iterations="))
		return false;
	return sscanf(p, "ctprof-workload: iterations=%llu handoffs=%llu bursts=%llu children=%llu "
			 "seconds=%lf threads=%d",
		      &s->iterations, &s->handoffs, &s->bursts, &s->children, &s->seconds,
		      &s->threads) == 6;
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

START_TEST(one_second_run)
{
	char *argv[] = { (char *)wl(), "--seconds", "1", "--threads", "4", NULL };
	char *out = NULL, *err = NULL;
	struct summary s;
	uint64_t t0 = mono_ms(), dt;
	int rc;

	rc = tu_run(argv, &out, &err, 30);
	dt = mono_ms() - t0;
	ck_assert_msg(rc == 0, "exit %d, stderr: %s", rc, err);
	ck_assert_msg(parse_summary(err, &s), "no summary line in: %s", err);
	ck_assert_uint_gt(s.iterations, 0);
	ck_assert_uint_gt(s.handoffs, 0);
	ck_assert_uint_ge(s.bursts, 2);
	ck_assert_uint_ge(s.children, 2);
	ck_assert_int_eq(s.threads, 4);
	ck_assert_msg(s.seconds >= 0.99 && s.seconds < 3.0, "ran %.3f s", s.seconds);
	ck_assert_msg(dt >= 990 && dt < 10000, "took %llu ms", (unsigned long long)dt);
	ck_assert_str_eq(out, "");
	free(out);
	free(err);
}
END_TEST

START_TEST(quiet_and_help)
{
	char *q[] = { (char *)wl(), "--seconds=0.3", "--threads=1", "--quiet", NULL };
	char *h[] = { (char *)wl(), "--help", NULL };
	char *out = NULL, *err = NULL;

	ck_assert_int_eq(tu_run(q, &out, &err, 30), 0);
	ck_assert_str_eq(err, "");
	ck_assert_str_eq(out, "");
	free(out);
	free(err);
	ck_assert_int_eq(tu_run(h, &out, &err, 30), 0);
	ck_assert_ptr_nonnull(strstr(out, "--seconds S"));
	ck_assert_ptr_nonnull(strstr(out, "--threads N"));
	ck_assert_ptr_nonnull(strstr(out, "--quiet"));
	ck_assert_ptr_nonnull(strstr(out, "wl-burst"));
	ck_assert_str_eq(err, "");
	free(out);
	free(err);
}
END_TEST

static void bad_args(const char *a1, const char *a2, const char *want)
{
	char *argv[] = { (char *)wl(), (char *)a1, (char *)a2, NULL };
	char *out = NULL, *err = NULL;
	char *nl;

	ck_assert_int_eq(tu_run(argv, &out, &err, 30), 2);
	nl = strchr(err, '\n');
	ck_assert_msg(nl && nl[1] == '\0', "not one line: '%s'", err);
	ck_assert_msg(strncmp(err, "ctprof-workload: ", 17) == 0, "%s", err);
	ck_assert_msg(strstr(err, want), "'%s' lacks '%s'", err, want);
	ck_assert_str_eq(out, "");
	free(out);
	free(err);
}

START_TEST(bad_arguments)
{
	bad_args("--seconds", "0", "--seconds");
	bad_args("--seconds", "-1", "--seconds");
	bad_args("--seconds", "1x", "--seconds");
	bad_args("--seconds", "nan", "--seconds");
	bad_args("--threads", "0", "--threads");
	bad_args("--threads", "257", "--threads");
	bad_args("--threads", "2.5", "--threads");
	bad_args("--bogus", NULL, "unknown argument '--bogus'");
	bad_args("--threads", NULL, "--threads needs a value");
	bad_args("extra", NULL, "unknown argument 'extra'");
}
END_TEST

/* Names of the threads of pid (comm of each task), joined by '|'. */
static char *thread_names(pid_t pid)
{
	char *dir = tu_path("/proc/%d/task", (int)pid), *all = strdup("|");
	DIR *d = opendir(dir);
	struct dirent *de;

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d))) {
		char *p, *comm, *n;

		if (de->d_name[0] == '.')
			continue;
		p = tu_path("%s/%s/comm", dir, de->d_name);
		comm = tu_read_file(p, NULL);
		free(p);
		if (!comm)
			continue;
		comm[strcspn(comm, "\n")] = '\0';
		n = tu_path("%s%s|", all, comm);
		free(all);
		all = n;
		free(comm);
	}
	closedir(d);
	free(dir);
	return all;
}

START_TEST(named_threads_and_sigterm)
{
	int errp[2], st = 0;
	char buf[4096], *names;
	size_t len = 0;
	struct summary s;
	uint64_t t0, end;
	pid_t pid, r;

	ck_assert_int_eq(pipe2(errp, O_CLOEXEC), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		dup2(null, 0);
		dup2(null, 1);
		dup2(errp[1], 2);
		execl(wl(), wl(), "--seconds", "30", "--threads", "4", (char *)NULL);
		_exit(127);
	}
	close(errp[1]);
	/* let the ring start (bounded: up to 3 s for both names to appear) */
	end = mono_ms() + 3000;
	for (;;) {
		names = thread_names(pid);
		if ((strstr(names, "|wl-compute-0|") && strstr(names, "|wl-compute-1|") &&
		     strstr(names, "|wl-handoff-0|") && strstr(names, "|wl-handoff-1|")) ||
		    mono_ms() >= end)
			break;
		free(names);
		usleep(20000);
	}
	ck_assert_msg(strstr(names, "|wl-compute-0|") && strstr(names, "|wl-handoff-1|"),
		      "threads: %s", names);
	free(names);

	t0 = mono_ms();
	ck_assert_int_eq(kill(pid, SIGTERM), 0);
	end = t0 + 5000;
	while ((r = waitpid(pid, &st, WNOHANG)) == 0 && mono_ms() < end)
		usleep(5000);
	if (r == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		ck_abort_msg("no exit within 5 s of SIGTERM");
	}
	ck_assert(WIFEXITED(st));
	ck_assert_int_eq(WEXITSTATUS(st), 0);
	for (;;) {
		ssize_t n = read(errp[0], buf + len, sizeof(buf) - 1 - len);

		if (n <= 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	close(errp[0]);
	ck_assert_msg(parse_summary(buf, &s), "no summary: %s", buf);
	ck_assert_msg(s.seconds < 10.0, "stopped only after %.3f s", s.seconds);
	ck_assert_uint_gt(s.iterations, 0);
	ck_assert_uint_ge(s.bursts, 1);
}
END_TEST

static Suite *workload_suite(void)
{
	Suite *s = suite_create("workload");
	TCase *tc = tcase_create("run");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, one_second_run);
	tcase_add_test(tc, quiet_and_help);
	tcase_add_test(tc, bad_arguments);
	tcase_add_test(tc, named_threads_and_sigterm);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(workload_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
