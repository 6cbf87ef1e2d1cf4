/* SPDX-License-Identifier: MIT */
/*
 * The workload cgroup, live on the host's cgroup2 mount (lib/run/cgroup.c):
 * entering through procs_fd, cpu.stat against rusage, cgroup.kill and the
 * freeze+SIGKILL fallback on a process tree that ignores SIGTERM (with a
 * nested cgroup), zombies, attach, free without destroy.
 *
 * Skips (77) when not root or when no writable cgroup2 hierarchy exists.
 * Every wait is bounded. The test process makes itself a child subreaper,
 * so that orphaned grandchildren are reaped (and counted) here.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <ctprof/run.h>

#include "run/wcg_int.h"
#include "testutil.h"

#define TREE_KIDS 4      /* first level below the tree root */
#define TREE_GRANDKIDS 4 /* below each first-level child: 4 + 16 = 20 */
#define TREE_TOTAL (1 + TREE_KIDS + TREE_KIDS * TREE_GRANDKIDS)

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void nap_ms(unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000u, .tv_nsec = (long)(ms % 1000u) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static bool is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static struct ctprof_wcg *make_leaf(void)
{
	struct ctprof_wcg_opts o = { .sz = sizeof(o), .prefix = "ctprof-check-wcg" };
	struct ctprof_error err = { 0 };
	struct ctprof_wcg *c = NULL;
	int rc = ctprof_wcg_create(&o, &c, &err);

	ck_assert_msg(rc == 0, "create: %d %s", rc, err.msg);
	ck_assert(is_dir(ctprof_wcg_path(c)));
	return c;
}

/* Bounded waitpid: the status, or -1 on timeout. */
static int wait_pid(pid_t pid, unsigned timeout_ms)
{
	uint64_t end = mono_ms() + timeout_ms;
	int st;

	for (;;) {
		pid_t r = waitpid(pid, &st, WNOHANG);

		if (r == pid)
			return st;
		ck_assert_msg(r == 0, "waitpid %d: %s", (int)pid, strerror(errno));
		if (mono_ms() >= end)
			return -1;
		nap_ms(5);
	}
}

/*
 * Reap every child (orphans come to us: we are a subreaper) until there is
 * none left or the bound expires; counts those killed by SIGKILL and others.
 */
static void reap_all(unsigned timeout_ms, int *killed, int *other)
{
	uint64_t end = mono_ms() + timeout_ms;
	int st;

	*killed = *other = 0;
	for (;;) {
		pid_t r = waitpid(-1, &st, WNOHANG);

		if (r > 0) {
			if (WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL)
				(*killed)++;
			else
				(*other)++;
			continue;
		}
		if (r < 0 && errno == ECHILD)
			return;
		ck_assert_msg(mono_ms() < end, "children left after %u ms", timeout_ms);
		nap_ms(5);
	}
}

/* Read n bytes from fd within the bound. */
static void read_tokens(int fd, size_t n, unsigned timeout_ms)
{
	uint64_t end = mono_ms() + timeout_ms;
	char buf[64];
	size_t got = 0;

	while (got < n) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		uint64_t now = mono_ms();
		ssize_t r;

		ck_assert_msg(now < end, "only %zu of %zu processes ready", got, n);
		if (poll(&p, 1, (int)(end - now)) <= 0)
			continue;
		r = read(fd, buf, n - got < sizeof(buf) ? n - got : sizeof(buf));
		ck_assert_msg(r > 0, "ready pipe: %s", r < 0 ? strerror(errno) : "EOF");
		got += (size_t)r;
	}
}

static bool in_cgroup(pid_t pid, const char *rel)
{
	char *p = tu_path("/proc/%d/cgroup", (int)pid), *s, *own = NULL;
	size_t n = 0;
	bool yes = false;

	s = tu_read_file(p, &n);
	if (s && ctprof_wcg_parse_own(s, n, &own) == 0)
		yes = strcmp(own, rel) == 0;
	free(own);
	free(s);
	free(p);
	return yes;
}

static void enter(int procs_fd)
{
	if (write(procs_fd, "0", 1) != 1)
		_exit(120);
}

/* ---- cpu.stat against rusage --------------------------------------------- */

static double cpu_ms_self(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

START_TEST(cpu_usage_matches_rusage)
{
	struct ctprof_error err = { 0 };
	struct ctprof_wcg_cpu before, after;
	struct ctprof_wcg *c = make_leaf();
	struct rusage ru;
	int ready[2], go[2], st, *pids = NULL;
	size_t n = 0;
	bool pop = false;
	pid_t pid, r;
	double ru_ms, cg_ms;

	ck_assert_int_eq(ctprof_wcg_cpu(c, &before, &err), 0);
	ck_assert(before.usage_usec == 0);
	ck_assert_int_eq(pipe2(ready, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(go, O_CLOEXEC), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		volatile uint64_t h = 1469598103934665603ull;
		uint64_t wall_end;
		char tok;

		enter(ctprof_wcg_procs_fd(c));
		if (write(ready[1], "r", 1) != 1)
			_exit(121);
		/* wait for the parent's look at the leaf, then burn ~200 ms */
		if (read(go[0], &tok, 1) != 1)
			_exit(122);
		wall_end = mono_ms() + 5000;
		while (cpu_ms_self() < 200.0 && mono_ms() < wall_end)
			for (int i = 0; i < 10000; i++)
				h = (h ^ (uint64_t)i) * 1099511628211ull;
		_exit(0);
	}
	read_tokens(ready[0], 1, 5000);
	/* the child is in the leaf, and only it */
	ck_assert(in_cgroup(pid, ctprof_wcg_relpath(c)));
	ck_assert_int_eq(ctprof_wcg_pids(c, &pids, &n, &err), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(pids[0], pid);
	free(pids);
	ck_assert_int_eq(ctprof_wcg_populated(c, &pop, &err), 0);
	ck_assert(pop);
	ck_assert_int_eq(write(go[1], "g", 1), 1);

	/* bounded: the child exits after at most 5 s of wall time */
	{
		uint64_t end = mono_ms() + 10000;

		while ((r = wait4(pid, &st, WNOHANG, &ru)) == 0 && mono_ms() < end)
			nap_ms(5);
	}
	ck_assert_int_eq(r, pid);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	ck_assert_int_eq(ctprof_wcg_cpu(c, &after, &err), 0);
	ru_ms = (double)ru.ru_utime.tv_sec * 1e3 + (double)ru.ru_utime.tv_usec / 1e3 +
		(double)ru.ru_stime.tv_sec * 1e3 + (double)ru.ru_stime.tv_usec / 1e3;
	cg_ms = (double)after.usage_usec / 1e3;
	ck_assert_msg(ru_ms >= 150.0, "child burnt only %.1f ms", ru_ms);
	ck_assert_msg(cg_ms >= ru_ms * 0.75 && cg_ms <= ru_ms * 1.25,
		      "cpu.stat usage %.1f ms vs rusage %.1f ms", cg_ms, ru_ms);
	ck_assert(after.user_usec + after.system_usec <= after.usage_usec + 1000);
	ck_assert_int_eq(ctprof_wcg_populated(c, &pop, &err), 0);
	ck_assert(!pop);
	close(ready[0]);
	close(ready[1]);
	close(go[0]);
	close(go[1]);
	ck_assert_int_eq(ctprof_wcg_destroy(c, 2000, &err), 0);
	ctprof_wcg_free(c);
}
END_TEST

/* ---- a tree that ignores SIGTERM ------------------------------------------ */

/*
 * Fork the tree root into the leaf: it makes <leaf>/inner, and its
 * children move into inner before forking the grandchildren. Every process
 * ignores SIGTERM, writes one byte to ready and sleeps. Returns the root.
 */
static pid_t spawn_tree(struct ctprof_wcg *c, int ready_w)
{
	pid_t root = fork();

	ck_assert_int_ge(root, 0);
	if (root)
		return root;
	signal(SIGTERM, SIG_IGN);
	enter(ctprof_wcg_procs_fd(c));
	{
		char *inner = tu_path("%s/inner", ctprof_wcg_path(c));
		char *inner_procs = tu_path("%s/inner/cgroup.procs", ctprof_wcg_path(c));

		if (mkdir(inner, 0755) < 0)
			_exit(123);
		for (int i = 0; i < TREE_KIDS; i++) {
			pid_t k = fork();

			if (k < 0)
				_exit(124);
			if (k)
				continue;
			tu_write_str(inner_procs, "0");
			for (int j = 0; j < TREE_GRANDKIDS; j++) {
				pid_t g = fork();

				if (g < 0)
					_exit(125);
				if (g == 0)
					break; /* the grandchild sleeps too */
			}
			if (write(ready_w, "k", 1) != 1)
				_exit(126);
			for (;;)
				pause();
		}
	}
	if (write(ready_w, "r", 1) != 1)
		_exit(127);
	for (;;)
		pause();
}

static void kill_tree(bool fallback)
{
	struct ctprof_error err = { 0 };
	struct ctprof_wcg *c = make_leaf();
	char *path = strdup(ctprof_wcg_path(c)), *inner = tu_path("%s/inner", path);
	int ready[2], killed, other, *pids = NULL;
	size_t n = 0;
	bool pop = true;
	pid_t root;

	ck_assert_int_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	if (fallback)
		ctprof_wcg_set_no_cgroup_kill(c, true);
	ck_assert_int_eq(pipe2(ready, O_CLOEXEC), 0);
	root = spawn_tree(c, ready[1]);
	read_tokens(ready[0], TREE_TOTAL, 10000);
	ck_assert(is_dir(inner));
	ck_assert_int_eq(ctprof_wcg_pids(c, &pids, &n, &err), 0);
	ck_assert_uint_eq(n, 1); /* the root; the rest is in inner */
	ck_assert_int_eq(pids[0], root);
	free(pids);

	/* they ignore SIGTERM */
	ck_assert_int_eq(kill(root, SIGTERM), 0);
	nap_ms(50);
	ck_assert_int_eq(wait_pid(root, 0), -1);

	ck_assert_msg(ctprof_wcg_kill(c, 5000, &err) == 0, "kill: %s", err.msg);
	ck_assert_int_eq(ctprof_wcg_populated(c, &pop, &err), 0);
	ck_assert(!pop);
	reap_all(5000, &killed, &other);
	ck_assert_int_eq(killed, TREE_TOTAL);
	ck_assert_int_eq(other, 0);

	ck_assert_msg(ctprof_wcg_destroy(c, 2000, &err) == 0, "destroy: %s", err.msg);
	ck_assert(!is_dir(inner));
	ck_assert(!is_dir(path));
	ctprof_wcg_free(c);
	close(ready[0]);
	close(ready[1]);
	free(inner);
	free(path);
}

START_TEST(kill_tree_cgroup_kill)
{
	kill_tree(false);
}
END_TEST

START_TEST(kill_tree_fallback)
{
	kill_tree(true);
}
END_TEST

/*
 * Fallback against a process that keeps forking: the freeze stops it, the
 * SIGKILLs take every generation.
 */
START_TEST(kill_fallback_forker)
{
	struct ctprof_error err = { 0 };
	struct ctprof_wcg *c = make_leaf();
	char *path = strdup(ctprof_wcg_path(c));
	int ready[2], killed, other;
	bool pop = true;
	pid_t root;

	ck_assert_int_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	ctprof_wcg_set_no_cgroup_kill(c, true);
	ck_assert_int_eq(pipe2(ready, O_CLOEXEC), 0);
	root = fork();
	ck_assert_int_ge(root, 0);
	if (root == 0) {
		signal(SIGTERM, SIG_IGN);
		enter(ctprof_wcg_procs_fd(c));
		if (write(ready[1], "r", 1) != 1)
			_exit(126);
		/* a new sleeping child every 2 ms, at most 500 */
		for (int i = 0; i < 500; i++) {
			pid_t k = fork();

			if (k == 0)
				for (;;)
					pause();
			nap_ms(2);
		}
		for (;;)
			pause();
	}
	read_tokens(ready[0], 1, 5000);
	nap_ms(30);
	ck_assert_msg(ctprof_wcg_kill(c, 5000, &err) == 0, "kill: %s", err.msg);
	ck_assert_int_eq(ctprof_wcg_populated(c, &pop, &err), 0);
	ck_assert(!pop);
	reap_all(5000, &killed, &other);
	ck_assert_int_ge(killed, 2);
	ck_assert_int_eq(other, 0);
	ck_assert_int_eq(ctprof_wcg_destroy(c, 2000, &err), 0);
	ck_assert(!is_dir(path));
	ctprof_wcg_free(c);
	close(ready[0]);
	close(ready[1]);
	free(path);
}
END_TEST

/* ---- zombies, attach, free -------------------------------------------------- */

START_TEST(destroy_with_unreaped_zombie)
{
	struct ctprof_error err = { 0 };
	struct ctprof_wcg *c = make_leaf();
	char *path = strdup(ctprof_wcg_path(c));
	int ready[2], rc, st;
	pid_t pid;

	ck_assert_int_eq(pipe2(ready, O_CLOEXEC), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		enter(ctprof_wcg_procs_fd(c));
		if (write(ready[1], "r", 1) != 1)
			_exit(126);
		for (;;)
			pause();
	}
	read_tokens(ready[0], 1, 5000);
	/* Killed but not reaped: a zombie. Kernels differ on whether a zombie
	 * keeps the leaf populated; either way destroy is bounded. */
	rc = ctprof_wcg_destroy(c, 300, &err);
	ck_assert_msg(rc == 0 || rc == -ETIMEDOUT, "destroy with zombie: %d %s", rc, err.msg);
	if (rc == -ETIMEDOUT)
		ck_assert(is_dir(path));
	/* the caller reaps: a SIGKILL death */
	st = wait_pid(pid, 5000);
	ck_assert_int_ne(st, -1);
	ck_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	ck_assert_msg(ctprof_wcg_destroy(c, 2000, &err) == 0, "destroy: %s", err.msg);
	ck_assert(!is_dir(path));
	ctprof_wcg_free(c);
	close(ready[0]);
	close(ready[1]);
	free(path);
}
END_TEST

START_TEST(attach_then_free_without_destroy)
{
	struct ctprof_error err = { 0 };
	struct ctprof_wcg *c = make_leaf();
	char *path = strdup(ctprof_wcg_path(c)), *rel = strdup(ctprof_wcg_relpath(c));
	int *pids = NULL, st;
	size_t n = 0;
	pid_t pid;

	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		signal(SIGTERM, SIG_IGN);
		for (;;)
			pause();
	}
	ck_assert(!in_cgroup(pid, rel));
	ck_assert_msg(ctprof_wcg_attach(c, pid, &err) == 0, "attach: %s", err.msg);
	ck_assert(in_cgroup(pid, rel));
	ck_assert_int_eq(ctprof_wcg_pids(c, &pids, &n, &err), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(pids[0], pid);
	free(pids);
	/* a pid that does not exist */
	ck_assert_int_eq(ctprof_wcg_attach(c, 0x3ffffff0, &err), -ESRCH);
	ck_assert_ptr_nonnull(strstr(err.msg, "cgroup.procs"));

	ctprof_wcg_free(c); /* kills, removes */
	ck_assert(!is_dir(path));
	st = wait_pid(pid, 5000);
	ck_assert_int_ne(st, -1);
	ck_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	free(path);
	free(rel);
}
END_TEST

START_TEST(free_empty_leaf)
{
	struct ctprof_wcg *c = make_leaf();
	char *path = strdup(ctprof_wcg_path(c));

	ctprof_wcg_free(c);
	ck_assert(!is_dir(path));
	free(path);
}
END_TEST

/*
 * Leaves of ours left under the parent cgroup once every test ran (a
 * failed assertion ends a test before its destroy): counted as a failure
 * and removed, so that a failing run leaves nothing behind either.
 */
static int sweep_leftovers(const char *parent)
{
	char *cmd = tu_path("ls -d '%s'/ctprof-check-wcg-* 2>/dev/null", parent);
	FILE *p = popen(cmd, "r");
	char line[512];
	int n = 0;

	while (p && fgets(line, sizeof(line), p)) {
		char *k;
		int fd;

		line[strcspn(line, "\n")] = '\0';
		k = tu_path("%s/cgroup.kill", line);
		fd = open(k, O_WRONLY | O_CLOEXEC);
		if (fd >= 0) {
			if (write(fd, "1", 1) != 1)
				fprintf(stderr, "check_wcg: %s: %s\n", k, strerror(errno));
			close(fd);
		}
		free(k);
		k = tu_path("%s/inner", line);
		for (int i = 0; i < 200 && rmdir(k) < 0 && errno == EBUSY; i++)
			nap_ms(10);
		free(k);
		for (int i = 0; i < 200 && rmdir(line) < 0 && errno == EBUSY; i++)
			nap_ms(10);
		fprintf(stderr, "check_wcg: leaf left behind: %s\n", line);
		n++;
	}
	if (p)
		pclose(p);
	free(cmd);
	return n;
}

static Suite *wcg_suite(void)
{
	Suite *s = suite_create("wcg");
	TCase *tc = tcase_create("live");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, cpu_usage_matches_rusage);
	tcase_add_test(tc, kill_tree_cgroup_kill);
	tcase_add_test(tc, kill_tree_fallback);
	tcase_add_test(tc, kill_fallback_forker);
	tcase_add_test(tc, destroy_with_unreaped_zombie);
	tcase_add_test(tc, attach_then_free_without_destroy);
	tcase_add_test(tc, free_empty_leaf);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	struct ctprof_wcg_opts o = { .sz = sizeof(o), .prefix = "ctprof-check-wcg" };
	struct ctprof_error err = { 0 };
	struct ctprof_wcg *probe = NULL;
	char *parent;
	SRunner *sr;
	int failed, rc;

	if (geteuid() != 0) {
		fprintf(stderr, "check_wcg: SKIP: not root (a cgroup leaf needs write access)\n");
		return 77;
	}
	rc = ctprof_wcg_create(&o, &probe, &err);
	if (rc) {
		fprintf(stderr, "check_wcg: SKIP: no writable cgroup2 hierarchy: %s\n", err.msg);
		return 77;
	}
	parent = strdup(ctprof_wcg_path(probe));
	*strrchr(parent, '/') = '\0';
	rc = ctprof_wcg_destroy(probe, 2000, &err);
	ctprof_wcg_free(probe);
	if (rc) {
		fprintf(stderr, "check_wcg: probe leaf not removable: %s\n", err.msg);
		free(parent);
		return 1;
	}
	sr = srunner_create(wcg_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	failed += sweep_leftovers(parent);
	free(parent);
	return failed ? 1 : 0;
}
