/* SPDX-License-Identifier: MIT */
/*
 * ctprof-harness run, end to end on this host (root: the workload cgroup,
 * the taskstats exit listener): a clean run and its run directory; failing,
 * crashing, hanging and unstartable workloads; SIGINT and SIGTERM to the
 * harness; exited threads kept (cgroup and process-tree attribution);
 * the fake-scheduler matrix (attach ok, attach timeout, ejected mid-run,
 * ignores SIGINT, no sched_ext); --baseline; hackbench and stress-ng, whose
 * workers exit before the after snapshot. After every run: no workload or
 * scheduler process and no workload cgroup is left behind.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <ctprof/ctprof.h>

#include "testutil.h"

static char *tmp;

static void setup(void)
{
	tmp = tu_mkdtemp("run");
}

static void teardown(void)
{
	tu_rmtree(tmp);
	free(tmp);
	tmp = NULL;
}

/*
 * The workload cgroup that run.json of run directory `dir` (under tmp)
 * names is gone. (Other tests create leaves concurrently, so only this
 * run's own leaf is checked.) Returns whether the run had a cgroup.
 */
static bool cgroup_gone(const char *dir)
{
	char *p = tu_path("%s/%s/run.json", tmp, dir), *json = tu_read_file(p, NULL), *c, *e;
	bool had = false;

	ck_assert_msg(json, "%s unreadable", p);
	c = strstr(json, "\"cgroup_dir\":\t\"");
	if (c) {
		c += strlen("\"cgroup_dir\":\t\"");
		e = strchr(c, '"');
		ck_assert_ptr_nonnull(e);
		*e = '\0';
		ck_assert_msg(access(c, F_OK) != 0, "workload cgroup %s left behind", c);
		had = true;
	}
	free(json);
	free(p);
	return had;
}

/* Processes whose command line contains marker (never this process). */
static int count_procs(const char *marker)
{
	struct dirent *de;
	int n = 0;
	DIR *d = opendir("/proc");

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d))) {
		char path[300], buf[4096];
		ssize_t k, i;
		int fd;

		if (de->d_name[0] < '1' || de->d_name[0] > '9' || atoi(de->d_name) == getpid())
			continue;
		snprintf(path, sizeof(path), "/proc/%s/cmdline", de->d_name);
		fd = open(path, O_RDONLY);
		if (fd < 0)
			continue;
		k = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (k <= 0)
			continue;
		for (i = 0; i < k; i++)
			if (!buf[i])
				buf[i] = ' ';
		buf[k] = 0;
		n += strstr(buf, marker) != NULL;
	}
	closedir(d);
	return n;
}

/* Run `ctprof-harness CMD ARGS...`; returns the exit status, TAP in *out. */
static int harness_v(const char *cmd, char **out, char **errout, unsigned timeout_s, va_list ap)
{
	char *argv[64];
	const char *a;
	int n = 0;

	argv[n++] = (char *)tu_harness();
	argv[n++] = (char *)cmd;
	while ((a = va_arg(ap, const char *)) && n < 62)
		argv[n++] = (char *)a;
	argv[n] = NULL;
	return tu_run(argv, out, errout, timeout_s);
}

/* ctprof-harness run ARGS... (NULL-terminated) */
static int run_h(char **out, char **errout, unsigned timeout_s, ...)
{
	va_list ap;
	int rc;

	va_start(ap, timeout_s);
	rc = harness_v("run", out, errout, timeout_s, ap);
	va_end(ap);
	return rc;
}

static char *delayacct(void)
{
	return tu_read_file("/proc/sys/kernel/task_delayacct", NULL);
}

static char *rd(const char *name)
{
	char *p = tu_path("%s/%s", tmp, name), *s = tu_read_file(p, NULL);

	free(p);
	return s;
}

static struct ctprof_snapshot *load(const char *rel)
{
	struct ctprof_snapshot *s = NULL;
	struct ctprof_error err = { 0 };
	char *p = tu_path("%s/%s", tmp, rel);

	ck_assert_msg(ctprof_snapshot_load(p, &s, &err) == 0, "%s", err.msg);
	free(p);
	return s;
}

/* Every file of a complete run directory exists. */
static void assert_run_dir(const char *dir)
{
	static const char *const files[] = { "before.ctprof.zst", "after.ctprof.zst",
					     "interval.ctprof.zst", "run.json", "result.tap",
					     "workload.stdout", "workload.stderr" };
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char *p = tu_path("%s/%s/%s", tmp, dir, files[i]);

		ck_assert_msg(access(p, F_OK) == 0, "%s missing", p);
		free(p);
	}
}

/* No ".NAME.tmp-PID" directory is left in tmp. */
static void assert_no_tmp_dirs(void)
{
	struct dirent *de;
	DIR *d = opendir(tmp);

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)))
		ck_assert_msg(!strstr(de->d_name, ".tmp-"), "left behind: %s", de->d_name);
	closedir(d);
}

START_TEST(test_run_ok)
{
	char *out = NULL, *err = NULL, *json, *tap, *dir = tu_path("%s/r", tmp);
	char *dacct = delayacct();
	int rc = run_h(&out, &err, 120, "-o", dir, "--gate", "run_time_ns@sh:min=1ms", "--",
		       "sh", "-c", "i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done; echo out-line; "
				   "echo err-line >&2", NULL);
	struct ctprof_snapshot *iv;

	ck_assert_msg(rc == 0, "rc %d\n%s\n%s", rc, out, err);
	ck_assert_ptr_nonnull(strstr(out, "TAP version 13\n# preflight: running as root\n"));
	ck_assert_ptr_nonnull(strstr(out, "\n1..3\n"));
	ck_assert_ptr_nonnull(strstr(out, "\nok 1 - workload exited 0: sh -c"));
	ck_assert_ptr_nonnull(strstr(out, "\nok 3 - sh: run_time_ns = "));
	/* the workload's output goes to stderr, never into the TAP */
	ck_assert_ptr_null(strstr(out, "\nout-line\n"));
	ck_assert_ptr_nonnull(strstr(err, "out-line"));
	assert_run_dir("r");
	assert_no_tmp_dirs();
	tap = rd("r/result.tap");
	ck_assert_str_eq(tap, out);
	free(tap);
	tap = rd("r/workload.stdout");
	ck_assert_str_eq(tap, "out-line\n");
	free(tap);
	tap = rd("r/workload.stderr");
	ck_assert_str_eq(tap, "err-line\n");
	free(tap);
	json = rd("r/run.json");
	ck_assert_ptr_nonnull(strstr(json, "\"status\":\t\"passed\""));
	ck_assert_ptr_nonnull(strstr(json, "\"exit_code\":\t0"));
	ck_assert_ptr_nonnull(strstr(json, "\"harness_cpu_during_workload\""));
	ck_assert_ptr_nonnull(strstr(json, "\"method\":\t\"cgroup\""));
	free(json);
	iv = load("r/interval.ctprof.zst");
	ck_assert_ptr_nonnull(iv->interval);
	ck_assert_uint_ge(iv->n_threads, 1);
	for (size_t i = 0; i < iv->n_threads; i++)
		ck_assert_str_eq(iv->threads[i].pcomm, "sh");
	ctprof_snapshot_free(iv);
	ck_assert(cgroup_gone("r"));
	/* kernel.task_delayacct is back to what it was */
	if (dacct) {
		char *now = delayacct();

		ck_assert_str_eq(now, dacct);
		free(now);
		free(dacct);
	}
	free(out);
	free(err);
	free(dir);
}
END_TEST

/* Not root: no cgroup, no exit listener, no sysctl; the run still works and says so. */
START_TEST(test_run_unprivileged)
{
	char *out = NULL, *dir = tu_path("%s/nobody/r", tmp), *sub = tu_path("%s/nobody", tmp);
	char *argv[] = { (char *)"/usr/bin/setpriv", (char *)"--reuid=65534", (char *)"--regid=65534",
			 (char *)"--clear-groups", (char *)tu_harness(), (char *)"run", (char *)"-o",
			 dir, (char *)"--", (char *)"sh", (char *)"-c", (char *)"sleep 0.05", NULL };
	char *json;
	int rc;

	if (access(argv[0], X_OK) != 0) {
		fprintf(stderr, "# SKIP unprivileged run: no setpriv\n");
		free(dir);
		free(sub);
		return;
	}
	{
		/* the build tree may sit where uid 65534 cannot reach it (/root) */
		char *probe[] = { argv[0], argv[1], argv[2], argv[3], (char *)tu_harness(),
				  (char *)"--version", NULL };

		if (tu_run(probe, NULL, NULL, 60) != 0) {
			fprintf(stderr, "# SKIP unprivileged run: uid 65534 cannot run %s\n",
				tu_harness());
			free(dir);
			free(sub);
			return;
		}
	}
	ck_assert_int_eq(mkdir(sub, 0777), 0);
	ck_assert_int_eq(chmod(sub, 0777), 0);
	ck_assert_int_eq(chmod(tmp, 0755), 0);
	rc = tu_run(argv, &out, NULL, 120);
	ck_assert_msg(rc == 0, "rc %d\n%s", rc, out);
	ck_assert_ptr_nonnull(strstr(out, "# preflight: running as uid 65534 (not root)"));
	ck_assert_ptr_nonnull(strstr(out, "process-tree attribution"));
	ck_assert_ptr_nonnull(strstr(out, "exit listener unavailable"));
	ck_assert_ptr_nonnull(strstr(out, "\nok 1 - workload exited 0: sh -c sleep 0.05\n"));
	json = rd("nobody/r/run.json");
	ck_assert_ptr_nonnull(strstr(json, "\"method\":\t\"process-tree\""));
	ck_assert_ptr_nonnull(strstr(json, "\"active\":\tfalse"));
	free(json);
	free(out);
	free(dir);
	free(sub);
}
END_TEST

/*
 * The harness sleeps while the workload runs: no polling of /proc. (The exit
 * listener's thread is left out: it works for every exit on the host, and
 * under ctest -j other tests exit by the thousand.)
 */
START_TEST(test_run_idle_harness)
{
	char *out = NULL, *dir = tu_path("%s/r", tmp), *json, *p;
	long long user, sys;
	int rc = run_h(&out, NULL, 120, "-o", dir, "--no-exit-listener", "--", "sleep", "1", NULL);

	ck_assert_msg(rc == 0, "%s", out);
	json = rd("r/run.json");
	p = strstr(json, "\"harness_cpu_during_workload\":\t{");
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(sscanf(strstr(p, "\"user_us\":"), "\"user_us\":\t%lld", &user), 1);
	ck_assert_int_eq(sscanf(strstr(p, "\"sys_us\":"), "\"sys_us\":\t%lld", &sys), 1);
	/* one second of workload: well under 5% of a CPU for the harness */
	ck_assert_msg(user + sys < 50000, "harness used %lld us user + %lld us sys", user, sys);
	free(json);
	free(out);
	free(dir);
}
END_TEST

START_TEST(test_run_exit_status)
{
	char *out = NULL, *dir = tu_path("%s/r", tmp), *json;
	char *junit = tu_path("%s/result.xml", tmp), *x;
	int rc = run_h(&out, NULL, 120, "-o", dir, "--junit", junit, "--", "sh", "-c",
		       "echo first >&2; echo 'last words' >&2; exit 3", NULL);

	ck_assert_int_eq(rc, 1);
	ck_assert_ptr_nonnull(strstr(out, "\nnot ok 1 - workload: sh -c echo first"));
	ck_assert_ptr_nonnull(strstr(out, "message: \"exit status 3\""));
	/* the diagnostic ends with the workload's stderr */
	ck_assert_ptr_nonnull(strstr(out, "    workload.stderr (tail):\n    first\n    last words\n"));
	/* --junit without gates: the steps */
	x = tu_read_file(junit, NULL);
	ck_assert_ptr_nonnull(x);
	ck_assert_ptr_nonnull(strstr(x, "<testsuite name=\"run\" tests=\"2\" failures=\"1\""));
	ck_assert_ptr_nonnull(strstr(x, "<failure message=\"exit status 3\" type=\"step\">"));
	free(x);
	x = tu_path("xmllint --noout %s", junit);
	ck_assert_int_eq(system(x), 0);
	free(x);
	free(junit);
	json = rd("r/run.json");
	ck_assert_ptr_nonnull(strstr(json, "\"exit_code\":\t3"));
	ck_assert_ptr_nonnull(strstr(json, "\"status\":\t\"failed\""));
	free(json);
	assert_run_dir("r");
	free(out);
	free(dir);
}
END_TEST

START_TEST(test_run_crash)
{
	char *out = NULL, *dir = tu_path("%s/r", tmp);
	int rc = run_h(&out, NULL, 120, "-o", dir, "--", "sh", "-c", "kill -SEGV $$", NULL);

	ck_assert_int_eq(rc, 1);
	ck_assert_ptr_nonnull(strstr(out, "not ok 1 - workload: sh -c kill -SEGV $$"));
	ck_assert_ptr_nonnull(strstr(out, "killed by Segmentation fault"));
	assert_run_dir("r");
	free(out);
	free(dir);
}
END_TEST

START_TEST(test_run_timeout)
{
	char *out = NULL, *dir = tu_path("%s/r", tmp), *json;
	time_t t0 = time(NULL);
	/* a tree that ignores SIGTERM: only SIGKILL/cgroup.kill ends it */
	int rc = run_h(&out, NULL, 120, "-o", dir, "--timeout", "500ms", "--kill-grace", "300ms",
		       "--", "sh", "-c",
		       "trap '' TERM; (trap '' TERM; sleep 31.71) & (sleep 31.71 &) ; sleep 31.71",
		       NULL);

	ck_assert_int_eq(rc, 1);
	ck_assert_int_lt(time(NULL) - t0, 30);
	ck_assert_ptr_nonnull(strstr(out, "not ok 1 - workload: sh -c"));
	ck_assert_ptr_nonnull(strstr(out, "timed out; killed"));
	json = rd("r/run.json");
	ck_assert_ptr_nonnull(strstr(json, "\"timed_out\":\ttrue"));
	free(json);
	assert_run_dir("r");
	ck_assert_int_eq(count_procs("sleep 31.71"), 0);
	ck_assert(cgroup_gone("r"));
	free(out);
	free(dir);
}
END_TEST

START_TEST(test_run_timeout_no_cgroup)
{
	char *out = NULL, *dir = tu_path("%s/r", tmp), *json;
	int rc = run_h(&out, NULL, 120, "-o", dir, "--no-cgroup", "--timeout", "500ms",
		       "--kill-grace", "300ms", "--", "sh", "-c",
		       "trap '' TERM; (trap '' TERM; sleep 31.72) & (sleep 31.72 &) ; sleep 31.72",
		       NULL);

	ck_assert_int_eq(rc, 1);
	ck_assert_ptr_nonnull(strstr(out, "timed out; killed"));
	json = rd("r/run.json");
	ck_assert_ptr_nonnull(strstr(json, "\"method\":\t\"process-tree\""));
	free(json);
	ck_assert_int_eq(count_procs("sleep 31.72"), 0);
	free(out);
	free(dir);
}
END_TEST

START_TEST(test_run_not_found)
{
	char *err = NULL, *dir = tu_path("%s/r", tmp);
	int rc = run_h(NULL, &err, 60, "-o", dir, "--", "/nonexistent/workload", NULL);

	ck_assert_int_eq(rc, 2);
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent/workload: command not found"));
	ck_assert_int_ne(access(dir, F_OK), 0);
	free(err);
	free(dir);
}
END_TEST

START_TEST(test_run_usage)
{
	char *err = NULL, *dir = tu_path("%s/exists", tmp);

	ck_assert_int_eq(mkdir(dir, 0755), 0);
	ck_assert_int_eq(run_h(NULL, &err, 60, "-o", dir, "--", "true", NULL), 2);
	ck_assert_ptr_nonnull(strstr(err, "exists already"));
	free(err);
	err = NULL;
	ck_assert_int_eq(run_h(NULL, &err, 60, "--timeout", "soon", "--", "true", NULL), 2);
	ck_assert_ptr_nonnull(strstr(err, "--timeout: invalid duration 'soon'"));
	free(err);
	err = NULL;
	ck_assert_int_eq(run_h(NULL, &err, 60, NULL), 2);
	ck_assert_ptr_nonnull(strstr(err, "no command to run"));
	free(err);
	err = NULL;
	ck_assert_int_eq(run_h(NULL, &err, 60, "--gate", "nonsense_metric:max=1", "--", "true",
			       NULL), 2);
	ck_assert_ptr_nonnull(strstr(err, "nonsense_metric"));
	free(err);
	free(dir);
}
END_TEST

/* Start the harness in the background with stdout/stderr to files. */
static pid_t spawn_h(char *const *argv, const char *outp, const char *errp)
{
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int o = open(outp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int e = open(errp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int n = open("/dev/null", O_RDONLY);

		dup2(n, 0);
		dup2(o, 1);
		dup2(e, 2);
		setpgid(0, 0);
		execv(argv[0], argv);
		_exit(127);
	}
	return pid;
}

static bool wait_for_text(const char *path, const char *text, unsigned ms)
{
	for (unsigned i = 0; i < ms / 20; i++) {
		char *s = tu_read_file(path, NULL);
		bool yes = s && strstr(s, text);

		free(s);
		if (yes)
			return true;
		usleep(20000);
	}
	return false;
}

static int wait_status(pid_t pid, unsigned ms)
{
	for (unsigned i = 0; i < ms / 10; i++) {
		int st;

		if (waitpid(pid, &st, WNOHANG) == pid)
			return st;
		usleep(10000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return -1;
}

static void signal_case(int sig, const char *marker)
{
	char *dir = tu_path("%s/r", tmp), *outp = tu_path("%s/out", tmp),
	     *errp = tu_path("%s/err", tmp), *json, *cmd = tu_path("sleep %s", marker);
	char *argv[] = { (char *)tu_harness(), (char *)"run", (char *)"-o", dir, (char *)"--",
			 (char *)"sh", (char *)"-c", cmd, NULL };
	int st;
	char *dacct = delayacct();
	pid_t pid = spawn_h(argv, outp, errp);

	ck_assert_msg(wait_for_text(errp, "starting the workload", 60000), "never started");
	usleep(200000);
	kill(pid, sig);
	st = wait_status(pid, 30000);
	ck_assert_msg(WIFSIGNALED(st) && WTERMSIG(st) == sig, "status %#x", st);
	/* what was captured is there; the TAP says why it is incomplete */
	json = rd("r/run.json");
	ck_assert_ptr_nonnull(json);
	ck_assert_ptr_nonnull(strstr(json, "\"status\":\t\"incomplete\""));
	ck_assert_ptr_nonnull(strstr(json, "\"cancelled_by\":\t\""));
	free(json);
	json = rd("r/result.tap");
	ck_assert_ptr_nonnull(strstr(json, "the run was interrupted by"));
	free(json);
	json = rd("r/before.ctprof.zst");
	ck_assert_ptr_nonnull(json);
	free(json);
	assert_no_tmp_dirs();
	ck_assert_int_eq(count_procs(cmd), 0);
	ck_assert(cgroup_gone("r"));
	if (dacct) {
		char *now = delayacct();

		ck_assert_str_eq(now, dacct);
		free(now);
		free(dacct);
	}
	free(dir);
	free(outp);
	free(errp);
	free(cmd);
}

START_TEST(test_run_sigint)
{
	signal_case(SIGINT, "31.73");
}
END_TEST

START_TEST(test_run_sigterm)
{
	signal_case(SIGTERM, "31.74");
}
END_TEST

static bool have_exit_listener(void)
{
	struct ctprof_exit_listener *l = NULL;
	struct ctprof_exit_listener_opts o = { .sz = sizeof(o), .background = true };
	int rc = ctprof_exit_listener_open(&o, &l, NULL);

	ctprof_exit_listener_free(l);
	return rc == 0;
}

/* Children that exit before the after snapshot are in the interval. */
static void exited_case(bool cgroup)
{
	char *out = NULL, *dir = tu_path("%s/r", tmp);
	struct ctprof_snapshot *iv;
	size_t i, sleeps = 0;
	int rc;

	if (!have_exit_listener()) {
		fprintf(stderr, "# SKIP exited threads: no taskstats exit listener here\n");
		free(dir);
		return;
	}
	rc = run_h(&out, NULL, 120, "-o", dir, cgroup ? "--scope=workload" : "--no-cgroup", "--",
		   "sh", "-c", "sleep 0.05 & sleep 0.05 & sleep 0.05 & wait", NULL);
	ck_assert_msg(rc == 0, "%s", out);
	iv = load("r/interval.ctprof.zst");
	for (i = 0; i < iv->n_threads; i++) {
		if (strcmp(iv->threads[i].comm, "sleep") != 0)
			continue;
		ck_assert(iv->threads[i].exited);
		ck_assert_str_eq(iv->threads[i].pcomm, "sleep");
		sleeps++;
	}
	ck_assert_uint_eq(sleeps, 3);
	ctprof_snapshot_free(iv);
	free(out);
	free(dir);
}

START_TEST(test_run_exited_cgroup)
{
	exited_case(true);
}
END_TEST

START_TEST(test_run_exited_tree)
{
	exited_case(false);
}
END_TEST

/* ---- the fake-scheduler matrix ---- */

static const char *fake_bin(void)
{
	const char *e = getenv("CTPROF_FAKE_SCX");

	return e && *e ? e : CTPROF_FAKE_SCX_BIN;
}

static char *fake_root(void)
{
	char *root = tu_path("%s/sys", tmp), *p;

	p = tu_path("%s/kernel/sched_ext/state", root);
	tu_write_str(p, "disabled\n");
	free(p);
	p = tu_path("%s/kernel/sched_ext/enable_seq", root);
	tu_write_str(p, "7\n");
	free(p);
	return root;
}

static int scx_run(const char *fake_args, const char *workload, const char *attach_timeout,
		   char **out)
{
	char *root = fake_root(), *dir = tu_path("%s/r", tmp);
	char *sched = tu_path("%s --sys-root %s --ops fakeops_%d %s", fake_bin(), root,
			      (int)getpid(), fake_args);
	int rc = run_h(out, NULL, 120, "-o", dir, "--scheduler", sched, "--sys-root", root,
		       "--attach-timeout", attach_timeout, "--", "sh", "-c", workload, NULL);

	ck_assert_int_eq(count_procs(sched), 0);
	if (access(dir, F_OK) == 0)
		ck_assert(cgroup_gone("r"));
	free(root);
	free(dir);
	free(sched);
	return rc;
}

START_TEST(test_scx_attach_ok)
{
	char *out = NULL, *json, *log;
	int rc = scx_run("", "sleep 0.2", "5s", &out);

	ck_assert_msg(rc == 0, "%s", out);
	ck_assert_ptr_nonnull(strstr(out, "\nok 1 - scheduler spawn"));
	ck_assert_ptr_nonnull(strstr(out, "\nok 2 - scheduler attach"));
	ck_assert_ptr_nonnull(strstr(out, "\nok 3 - workload exited 0"));
	ck_assert_ptr_nonnull(strstr(out, "\nok 4 - scheduler stayed attached"));
	ck_assert_ptr_nonnull(strstr(out, "\nok 5 - scheduler stop"));
	json = rd("r/run.json");
	ck_assert_ptr_nonnull(strstr(json, "\"ops\":\t\"fakeops_"));
	ck_assert_ptr_nonnull(strstr(json, "\"stayed_attached\":\ttrue"));
	free(json);
	log = rd("r/scheduler.log");
	ck_assert_ptr_nonnull(log);
	free(log);
	assert_run_dir("r");
	free(out);
}
END_TEST

START_TEST(test_scx_attach_timeout)
{
	char *out = NULL;
	int rc = scx_run("--slow-attach 5000", "echo never-ran > /dev/stderr", "300ms", &out);

	ck_assert_int_eq(rc, 1);
	ck_assert_ptr_nonnull(strstr(out, "\nnot ok 2 - scheduler attach"));
	ck_assert_ptr_nonnull(strstr(out, "\nok 3 - workload: sh -c echo never-ran > /dev/stderr "
					  "# SKIP the scheduler did not attach"));
	ck_assert_ptr_nonnull(strstr(out, "scheduler stop"));
	free(out);
}
END_TEST

START_TEST(test_scx_ejected)
{
	char *out = NULL;
	int rc = scx_run("--die-after 300", "sleep 1.5", "5s", &out);

	ck_assert_int_eq(rc, 1);
	ck_assert_ptr_nonnull(strstr(out, "\nok 3 - workload exited 0"));
	ck_assert_ptr_nonnull(strstr(out, "\nnot ok 4 - scheduler stayed attached"));
	ck_assert_ptr_nonnull(strstr(out, "EXIT: runnable task stall"));
	ck_assert_ptr_nonnull(strstr(out, "message: \"scheduler \\\"fakeops_"));
	free(out);
}
END_TEST

START_TEST(test_scx_ignores_sigint)
{
	char *out = NULL;
	char *root = NULL;
	int rc = scx_run("--ignore-sigint", "sleep 0.1", "5s", &out);

	(void)root;
	/* the stop escalates to SIGKILL: the swap itself held */
	ck_assert_ptr_nonnull(strstr(out, "scheduler stop"));
	ck_assert_ptr_nonnull(strstr(out, "\nok 3 - workload exited 0"));
	ck_assert_int_le(rc, 1);
	free(out);
}
END_TEST

/* SIGINT while the scheduler is still attaching: no wait for the attach timeout. */
START_TEST(test_scx_sigint_during_attach)
{
	char *root = fake_root(), *dir = tu_path("%s/r", tmp), *outp = tu_path("%s/out", tmp),
	     *errp = tu_path("%s/err", tmp), *json;
	char *sched = tu_path("%s --sys-root %s --ops slowops_%d --slow-attach 30000", fake_bin(),
			      root, (int)getpid());
	char *argv[] = { (char *)tu_harness(), (char *)"run", (char *)"-o", dir,
			 (char *)"--scheduler", sched, (char *)"--sys-root", root,
			 (char *)"--attach-timeout", (char *)"60s", (char *)"--", (char *)"true",
			 NULL };
	time_t t0;
	int st;
	pid_t pid = spawn_h(argv, outp, errp);

	ck_assert_msg(wait_for_text(errp, "preflight: jemalloc probe", 60000), "never started");
	usleep(300000);
	t0 = time(NULL);
	kill(pid, SIGINT);
	st = wait_status(pid, 30000);
	ck_assert_msg(WIFSIGNALED(st) && WTERMSIG(st) == SIGINT, "status %#x", st);
	ck_assert_int_lt(time(NULL) - t0, 15);
	json = rd("r/result.tap");
	ck_assert_ptr_nonnull(strstr(json, "not ok 2 - scheduler attach"));
	ck_assert_ptr_nonnull(strstr(json, "interrupted by signal 2"));
	ck_assert_ptr_nonnull(strstr(json, "# SKIP the run was interrupted"));
	free(json);
	json = rd("r/run.json");
	ck_assert_ptr_nonnull(strstr(json, "\"status\":\t\"incomplete\""));
	free(json);
	ck_assert_int_eq(count_procs(sched), 0);
	assert_no_tmp_dirs();
	free(root);
	free(dir);
	free(outp);
	free(errp);
	free(sched);
}
END_TEST

START_TEST(test_scx_absent)
{
	char *err = NULL, *dir = tu_path("%s/r", tmp), *root = tu_path("%s/empty-sys", tmp);
	int rc;

	ck_assert_int_eq(mkdir(root, 0755), 0);
	rc = run_h(NULL, &err, 60, "-o", dir, "--scheduler", "scx_whatever", "--sys-root", root,
		   "--", "true", NULL);
	ck_assert_int_eq(rc, 2);
	ck_assert_ptr_nonnull(strstr(err, "kernel/sched_ext: does not exist"));
	ck_assert_int_ne(access(dir, F_OK), 0);
	free(err);
	free(dir);
	free(root);
}
END_TEST

START_TEST(test_run_baseline)
{
	char *out = NULL, *d1 = tu_path("%s/r1", tmp), *d2 = tu_path("%s/r2", tmp);
	int rc = run_h(&out, NULL, 120, "-o", d1, "--", "sh", "-c", "sleep 0.1", NULL);

	ck_assert_int_eq(rc, 0);
	free(out);
	out = NULL;
	rc = run_h(&out, NULL, 120, "-o", d2, "--baseline", d1, "--gate",
		   "run_time_ns@sleep:max_increase=100000%", "--gate",
		   "nr_threads_nonexistent_group@nothere:max=1", "--", "sh", "-c", "sleep 0.1",
		   NULL);
	/* the second gate names a metric that does not exist: usage error */
	ck_assert_int_eq(rc, 2);
	free(out);
	out = NULL;
	rc = run_h(&out, NULL, 120, "-o", d2, "--baseline", d1, "--gate",
		   "run_time_ns@sleep:max_increase=100000%", "--", "sh", "-c", "sleep 0.1", NULL);
	ck_assert_msg(rc == 0, "%s", out);
	ck_assert_ptr_nonnull(strstr(out, "\nok 3 - sleep: run_time_ns "));
	free(out);
	free(d1);
	free(d2);
}
END_TEST

/* Sum of run_time_ns over the interval's threads whose pcomm starts with p. */
static double sum_run_ms(const struct ctprof_snapshot *s, const char *p, size_t *n_exited)
{
	double ns = 0;
	size_t i;

	*n_exited = 0;
	for (i = 0; i < s->n_threads; i++) {
		if (strncmp(s->threads[i].pcomm, p, strlen(p)) != 0)
			continue;
		ns += (double)s->threads[i].run_time_ns;
		*n_exited += s->threads[i].exited;
	}
	return ns / 1e6;
}

static double cgroup_usage_ms(void)
{
	char *json = rd("r/run.json"), *p;
	double v;

	ck_assert_ptr_nonnull(json);
	p = strstr(json, "\"usage_usec\":\t");
	ck_assert_ptr_nonnull(p);
	v = strtod(p + strlen("\"usage_usec\":\t"), NULL) / 1000.0;
	free(json);
	return v;
}

static bool have(const char *prog)
{
	char *p = tu_path("/usr/bin/%s", prog);
	bool yes = access(p, X_OK) == 0;

	free(p);
	return yes;
}

/* The acceptance command: valid TAP, exit 0, hackbench's exited threads. */
START_TEST(test_hackbench_acceptance)
{
	char *out = NULL, *dir = tu_path("%s/r", tmp), *tap;
	struct ctprof_snapshot *iv;
	size_t exited;
	int rc;

	if (!have("hackbench") || !have_exit_listener()) {
		fprintf(stderr, "# SKIP hackbench: not installed or no exit listener\n");
		free(dir);
		return;
	}
	rc = run_h(&out, NULL, 300, "-o", dir, "--gate", "run_time_ns@hackbench*:min=1ms", "--",
		   "hackbench", "-g", "2", "-l", "200", NULL);
	ck_assert_msg(rc == 0, "%s", out);
	ck_assert_ptr_nonnull(strstr(out, "\nok 3 - hackbench: run_time_ns = "));
	/* Debian 12's prove accepts it */
	tap = tu_path("cd %s && prove -e cat r/result.tap >/dev/null 2>&1", tmp);
	ck_assert_int_eq(system(tap), 0);
	free(tap);
	iv = load("r/interval.ctprof.zst");
	sum_run_ms(iv, "hackbench", &exited);
	/* 2 groups x (20 senders + 20 receivers) exited before the after snapshot */
	ck_assert_uint_ge(exited, 80);
	ctprof_snapshot_free(iv);
	free(out);
	free(dir);
}
END_TEST

/*
 * The interval's hackbench run time against the workload cgroup's
 * cpu.stat. -l 1000: the kernel sends a task's exit record before it tears
 * down its mm and files (do_exit: taskstats_exit, then exit_mm ...), so each
 * exiting process's last ~0.6 ms of system time is in cpu.stat but in no
 * record; with 80 processes that is ~10% of a -l 200 run, ~2% here.
 */
START_TEST(test_hackbench_accounting)
{
	char *out = NULL, *dir = tu_path("%s/r", tmp);
	struct ctprof_snapshot *iv;
	size_t exited;
	double run_ms, cg_ms;
	int rc;

	if (!have("hackbench") || !have_exit_listener()) {
		fprintf(stderr, "# SKIP hackbench: not installed or no exit listener\n");
		free(dir);
		return;
	}
	rc = run_h(&out, NULL, 300, "-o", dir, "--", "hackbench", "-g", "2", "-l", "1000", NULL);
	ck_assert_msg(rc == 0, "%s", out);
	iv = load("r/interval.ctprof.zst");
	run_ms = sum_run_ms(iv, "hackbench", &exited);
	cg_ms = cgroup_usage_ms();
	ck_assert_uint_ge(exited, 80);
	ck_assert_msg(run_ms > 0.9 * cg_ms && run_ms < 1.1 * cg_ms,
		      "hackbench run time %.1f ms vs cgroup cpu.stat %.1f ms", run_ms, cg_ms);
	ctprof_snapshot_free(iv);
	free(out);
	free(dir);
}
END_TEST

START_TEST(test_stress_ng)
{
	char *out = NULL, *dir = tu_path("%s/r", tmp);
	struct ctprof_snapshot *iv;
	size_t exited;
	double run_ms, cg_ms;
	int rc;

	if (!have("stress-ng") || !have_exit_listener()) {
		fprintf(stderr, "# SKIP stress-ng: not installed or no exit listener\n");
		free(dir);
		return;
	}
	rc = run_h(&out, NULL, 300, "-o", dir, "--", "stress-ng", "--cpu", "2", "--timeout", "1",
		   "--quiet", NULL);
	ck_assert_msg(rc == 0, "%s", out);
	iv = load("r/interval.ctprof.zst");
	run_ms = sum_run_ms(iv, "stress-ng", &exited);
	cg_ms = cgroup_usage_ms();
	ck_assert_uint_ge(exited, 2);
	ck_assert_msg(run_ms > 0.9 * cg_ms && run_ms < 1.1 * cg_ms,
		      "stress-ng run time %.1f ms vs cgroup cpu.stat %.1f ms", run_ms, cg_ms);
	ctprof_snapshot_free(iv);
	free(out);
	free(dir);
}
END_TEST


/* ---- ab and repeats ---- */

/* ctprof-harness ab ARGS... (NULL-terminated) */
static int ab_h(char **out, unsigned timeout_s, ...)
{
	va_list ap;
	int rc;

	va_start(ap, timeout_s);
	rc = harness_v("ab", out, NULL, timeout_s, ap);
	va_end(ap);
	return rc;
}

/*
 * A workload that works three times as hard while the fake scheduler is
 * attached: B must be judged worse than A.
 */
static char *sched_sensitive(const char *root)
{
	return tu_path("n=20000; grep -q enabled %s/kernel/sched_ext/state && n=60000; i=0; "
		       "while [ $i -lt $n ]; do i=$((i+1)); done", root);
}

START_TEST(test_ab_regression)
{
	char *root = fake_root(), *dir = tu_path("%s/ab", tmp), *out = NULL, *json, *p;
	char *sched = tu_path("%s --sys-root %s --ops abops_%d", fake_bin(), root, (int)getpid());
	char *wl = sched_sensitive(root);
	int rc = ab_h(&out, 300, "-o", dir, "--b-scheduler", sched, "--sys-root", root,
		      "--repeat", "2", "--max-noise", "1000", "--gate",
		      "run_time_ns@sh:max_increase=50%", "--", "sh", "-c", wl, NULL);

	ck_assert_msg(rc == 1, "rc %d\n%s", rc, out);
	ck_assert_ptr_nonnull(strstr(out, "# ab: A = no scheduler, B = "));
	ck_assert_ptr_nonnull(strstr(out, "\nok 1 - a-1: workload exited 0"));
	ck_assert_ptr_nonnull(strstr(out, "b-1: scheduler attach"));
	ck_assert_ptr_nonnull(strstr(out, "b-2: scheduler stop"));
	ck_assert_ptr_nonnull(strstr(out, "not ok 17 - sh: run_time_ns +"));
	ck_assert_ptr_nonnull(strstr(out, "baseline_runs:\n    n: 2\n"));
	ck_assert_ptr_nonnull(strstr(out, "candidate_runs:\n    n: 2\n"));
	{
		static const char *const dirs[] = { "a-1", "b-1", "a-2", "b-2" };

		for (size_t i = 0; i < 4; i++) {
			p = tu_path("%s/ab/%s/interval.ctprof.zst", tmp, dirs[i]);
			ck_assert_msg(access(p, F_OK) == 0, "%s", p);
			free(p);
		}
	}
	json = rd("ab/series.json");
	ck_assert_ptr_nonnull(strstr(json, "\"kind\":\t\"ab\""));
	ck_assert_ptr_nonnull(strstr(json, "\"status\":\t\"failed\""));
	free(json);
	p = tu_path("%s/ab/b-2/run.json", tmp);
	ck_assert_int_eq(access(p, F_OK), 0);
	free(p);
	assert_no_tmp_dirs();
	ck_assert_int_eq(count_procs(sched), 0);
	free(out);
	free(root);
	free(dir);
	free(sched);
	free(wl);
}
END_TEST

START_TEST(test_ab_single)
{
	char *root = fake_root(), *dir = tu_path("%s/ab", tmp), *out = NULL;
	char *sched = tu_path("%s --sys-root %s --ops abops1_%d", fake_bin(), root, (int)getpid());
	int rc = ab_h(&out, 300, "-o", dir, "--a-scheduler", "none", "--b-scheduler", sched,
		      "--sys-root", root, "--gate", "run_time_ns@sh:max_increase=100000%", "--",
		      "sh", "-c", "sleep 0.05", NULL);

	ck_assert_msg(rc == 0, "rc %d\n%s", rc, out);
	/* one run per side: a plain comparison, no noise summaries */
	ck_assert_ptr_nonnull(strstr(out, "1 run each"));
	ck_assert_ptr_null(strstr(out, "baseline_runs"));
	ck_assert_ptr_nonnull(strstr(out, "- sh: run_time_ns "));
	ck_assert_int_eq(count_procs(sched), 0);
	free(out);
	free(root);
	free(dir);
	free(sched);
}
END_TEST

START_TEST(test_ab_usage)
{
	char *err = NULL;
	char *argv[] = { (char *)tu_harness(), (char *)"ab", (char *)"--", (char *)"true", NULL };
	char *argv2[] = { (char *)tu_harness(), (char *)"run", (char *)"--b-scheduler", (char *)"x",
			  (char *)"--", (char *)"true", NULL };
	char *argv3[] = { (char *)tu_harness(), (char *)"run", (char *)"--max-noise", (char *)"5%",
			  (char *)"--", (char *)"true", NULL };

	ck_assert_int_eq(tu_run(argv, NULL, &err, 60), 2);
	ck_assert_ptr_nonnull(strstr(err, "--b-scheduler is required"));
	free(err);
	err = NULL;
	ck_assert_int_eq(tu_run(argv2, NULL, &err, 60), 2);
	ck_assert_ptr_nonnull(strstr(err, "are for ab"));
	free(err);
	err = NULL;
	ck_assert_int_eq(tu_run(argv3, NULL, &err, 60), 2);
	ck_assert_ptr_nonnull(strstr(err, "--max-noise needs --repeat"));
	free(err);
}
END_TEST

START_TEST(test_run_repeat)
{
	char *out = NULL, *d1 = tu_path("%s/base", tmp), *d2 = tu_path("%s/cand", tmp), *json;
	int rc = run_h(&out, NULL, 300, "-o", d1, "--repeat", "2", "--", "sh", "-c", "sleep 0.05",
		       NULL);

	ck_assert_msg(rc == 0, "%s", out);
	ck_assert_ptr_nonnull(strstr(out, "# repeat: 2 runs\n"));
	ck_assert_ptr_nonnull(strstr(out, "rep-2: workload exited 0"));
	free(out);
	out = NULL;
	rc = run_h(&out, NULL, 300, "-o", d2, "--repeat", "3", "--baseline", d1, "--max-noise",
		   "100000", "--gate", "run_time_ns@sleep:max_increase=100000%", "--", "sh", "-c",
		   "sleep 0.05", NULL);
	ck_assert_msg(rc == 0, "%s", out);
	ck_assert_ptr_nonnull(strstr(out, "# repeat: 3 runs against "));
	ck_assert_ptr_nonnull(strstr(out, "- sleep: run_time_ns "));
	json = rd("cand/series.json");
	ck_assert_ptr_nonnull(strstr(json, "\"baseline_runs\":\t2"));
	ck_assert_ptr_nonnull(strstr(json, "\"kind\":\t\"repeat\""));
	free(json);
	json = rd("cand/rep-3/run.json");
	ck_assert_ptr_nonnull(json);
	free(json);
	free(out);
	free(d1);
	free(d2);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("run");
	TCase *tc = tcase_create("run");
	SRunner *sr;
	int failed;

	if (geteuid() != 0) {
		fprintf(stderr, "check_run: SKIP: needs root (workload cgroup, taskstats)\n");
		return 77;
	}
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_run_ok);
	tcase_add_test(tc, test_run_idle_harness);
	tcase_add_test(tc, test_run_unprivileged);
	tcase_add_test(tc, test_run_exit_status);
	tcase_add_test(tc, test_run_crash);
	tcase_add_test(tc, test_run_timeout);
	tcase_add_test(tc, test_run_timeout_no_cgroup);
	tcase_add_test(tc, test_run_not_found);
	tcase_add_test(tc, test_run_usage);
	tcase_add_test(tc, test_run_sigint);
	tcase_add_test(tc, test_run_sigterm);
	tcase_add_test(tc, test_run_exited_cgroup);
	tcase_add_test(tc, test_run_exited_tree);
	tcase_add_test(tc, test_scx_attach_ok);
	tcase_add_test(tc, test_scx_attach_timeout);
	tcase_add_test(tc, test_scx_ejected);
	tcase_add_test(tc, test_scx_ignores_sigint);
	tcase_add_test(tc, test_scx_sigint_during_attach);
	tcase_add_test(tc, test_scx_absent);
	tcase_add_test(tc, test_run_baseline);
	tcase_add_test(tc, test_ab_regression);
	tcase_add_test(tc, test_ab_single);
	tcase_add_test(tc, test_ab_usage);
	tcase_add_test(tc, test_run_repeat);
	tcase_add_test(tc, test_hackbench_acceptance);
	tcase_add_test(tc, test_hackbench_accounting);
	tcase_add_test(tc, test_stress_ng);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
