/* SPDX-License-Identifier: MIT */
/*
 * Faults around the CLI's output files (issue 8, "Writing" and "Signals"):
 *
 * - `capture -o` into a missing directory or at a directory, and
 *   `compare --junit` into a missing directory: exit 2, one line on
 *   stderr naming the path, no file created;
 * - SIGINT and SIGTERM delivered to `capture --live -o F` at delays spread
 *   over a clean capture's duration (the capture probes a target of many
 *   threads that carry a jemalloc-shaped TLS block, so the signal lands
 *   while threads are ptrace-stopped): F is afterwards absent, the previous
 *   file, or a complete snapshot; never a temporary file; and no thread of
 *   the target is left ptrace-stopped or traced (TracerPid 0);
 * - the same signals delivered to `compare A B --gate ... --junit F` on
 *   large snapshots: F absent or complete XML, no temporary file.
 */
#include <check.h>

#include <ctprof/snapshot.h>
#include "testutil.h"
#include "../jemalloc/fake_tsd.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Threads of the probed target (plus its main thread). */
#define TARGET_THREADS 600
/* Signal attempts per signal and per command. */
#define ATTEMPTS 8

/* ---- helpers ---- */

/* Names in dir other than . and .., sorted, joined by spaces (malloc'd). */
static char *list_dir(const char *dir)
{
	struct dirent **ents;
	int n = scandir(dir, &ents, NULL, alphasort), i;
	char *out = strdup("");

	ck_assert_int_ge(n, 0);
	for (i = 0; i < n; i++) {
		if (strcmp(ents[i]->d_name, ".") && strcmp(ents[i]->d_name, "..")) {
			char *o = tu_path("%s%s%s", out, *out ? " " : "", ents[i]->d_name);

			free(out);
			out = o;
		}
		free(ents[i]);
	}
	free(ents);
	return out;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Exactly one line, starting with "ctprof-harness: ". */
static void assert_one_line(const char *err, const char *want_sub)
{
	size_t n = strlen(err);

	ck_assert_msg(n > 0 && err[n - 1] == '\n' && !memchr(err, '\n', n - 1),
		      "stderr is not one line: \"%s\"", err);
	ck_assert_msg(strncmp(err, "ctprof-harness: ", 16) == 0, "stderr: \"%s\"", err);
	ck_assert_msg(strstr(err, want_sub), "stderr \"%s\" lacks \"%s\"", err, want_sub);
}

static char *fixture_proc(const char *tree)
{
	return tu_path("%s/proc-trees/%s/proc", getenv("CTPROF_FIXTURES") ?
		       getenv("CTPROF_FIXTURES") : CTPROF_FIXTURES_DIR, tree);
}

/* ---- bad output paths ---- */

START_TEST(test_capture_bad_output)
{
	char *dir = tu_mkdtemp("faults"), *proc = fixture_proc("ktstr-basic");
	char *missing = tu_path("%s/missing/x.ctprof.zst", dir), *err = NULL, *ls, *sub;
	char *av_missing[] = { (char *)tu_harness(), "capture", "-o", missing, "--proc-root", proc,
			       NULL };
	char *av_dir[] = { (char *)tu_harness(), "capture", "-o", dir, "--proc-root", proc, NULL };
	char *av_slash[] = { (char *)tu_harness(), "capture", "-o", NULL, "--proc-root", proc, NULL };

	ck_assert_int_eq(tu_run(av_missing, NULL, &err, 60), 2);
	assert_one_line(err, missing);
	ck_assert_ptr_nonnull(strstr(err, "No such file or directory"));
	free(err);
	ck_assert_int_eq(tu_run(av_dir, NULL, &err, 60), 2);
	assert_one_line(err, dir);
	ck_assert_ptr_nonnull(strstr(err, "Is a directory"));
	free(err);
	sub = tu_path("%s/new/", dir);
	av_slash[3] = sub;
	ck_assert_int_eq(tu_run(av_slash, NULL, &err, 60), 2);
	assert_one_line(err, sub);
	free(err);
	ls = list_dir(dir);
	ck_assert_str_eq(ls, "");
	free(ls);
	free(sub);
	free(missing);
	free(proc);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/* Two small snapshots of the ktstr fixture, a.ctprof.zst and b.ctprof.zst in dir. */
static void write_pair(const char *dir)
{
	char *src = tu_fixture("snapshots/ktstr-synthetic.ctprof.zst"), *data, *p;
	size_t len;

	data = tu_read_file(src, &len);
	ck_assert_ptr_nonnull(data);
	p = tu_path("%s/a.ctprof.zst", dir);
	tu_write_file(p, data, len);
	free(p);
	p = tu_path("%s/b.ctprof.zst", dir);
	tu_write_file(p, data, len);
	free(p);
	free(data);
	free(src);
}

START_TEST(test_compare_bad_junit)
{
	char *dir = tu_mkdtemp("faults"), *a, *b, *x, *err = NULL, *ls;

	write_pair(dir);
	a = tu_path("%s/a.ctprof.zst", dir);
	b = tu_path("%s/b.ctprof.zst", dir);
	x = tu_path("%s/missing/report.xml", dir);
	{
		char *av[] = { (char *)tu_harness(), "compare", a, b, "--gate",
			       "run_time_ns:max_increase=10%", "--junit", x, NULL };

		ck_assert_int_eq(tu_run(av, NULL, &err, 60), 2);
		assert_one_line(err, x);
		free(err);
		av[7] = dir;
		ck_assert_int_eq(tu_run(av, NULL, &err, 60), 2);
		assert_one_line(err, "Is a directory");
		free(err);
	}
	ls = list_dir(dir);
	ck_assert_str_eq(ls, "a.ctprof.zst b.ctprof.zst");
	free(ls);
	free(a);
	free(b);
	free(x);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/* ---- the probed target ---- */

static int target_pipe = -1;

static void *target_thread(void *arg)
{
	char c;

	(void)arg;
	fake_tsd_set(4242, 17);
	while (read(target_pipe, &c, 1) > 0)
		;
	return NULL;
}

/* A forked copy of this program with TARGET_THREADS threads blocked in read(). */
static pid_t start_target(int *release_w)
{
	int p[2], i;
	pid_t pid;

	ck_assert_int_eq(pipe(p), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		pthread_attr_t attr;
		char c;

		close(p[1]);
		target_pipe = p[0];
		pthread_attr_init(&attr);
		pthread_attr_setstacksize(&attr, 64 * 1024);
		for (i = 0; i < TARGET_THREADS; i++) {
			pthread_t th;

			if (pthread_create(&th, &attr, target_thread, NULL))
				_exit(4);
		}
		fake_tsd_set(4242, 17);
		while (read(p[0], &c, 1) > 0)
			;
		_exit(0);
	}
	close(p[0]);
	*release_w = p[1];
	/* wait until every thread exists */
	for (i = 0; i < 10000; i++) {
		char *task = tu_path("/proc/%d/task", pid), *ls = list_dir(task);
		size_t n = 0;
		char *c;

		for (c = ls; *ls && c; c = strchr(c + 1, ' '))
			n++;
		free(ls);
		free(task);
		if (n == TARGET_THREADS + 1)
			return pid;
		usleep(1000);
	}
	ck_abort_msg("the target did not start its threads");
	return -1;
}

/* A thread of pid that is ptrace-stopped or traced: its tid, else 0. */
static pid_t stopped_thread(pid_t pid, char *state_out, long *tracer_out)
{
	char *task = tu_path("/proc/%d/task", pid);
	DIR *d = opendir(task);
	struct dirent *e;
	pid_t bad = 0;

	ck_assert_ptr_nonnull(d);
	while (!bad && (e = readdir(d))) {
		char *p, *st, *s;
		long tracer = 0;
		char state = 0;

		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		p = tu_path("%s/%s/status", task, e->d_name);
		st = tu_read_file(p, NULL);
		free(p);
		if (!st)
			continue;
		s = strstr(st, "\nState:\t");
		if (s)
			state = s[8];
		s = strstr(st, "\nTracerPid:\t");
		if (s)
			tracer = strtol(s + 12, NULL, 10);
		free(st);
		if (state == 't' || state == 'T' || tracer != 0) {
			bad = (pid_t)atoi(e->d_name);
			*state_out = state;
			*tracer_out = tracer;
		}
	}
	closedir(d);
	free(task);
	return bad;
}

/* No thread of pid stays stopped or traced (the kernel detaches as the tracer dies). */
static void assert_target_free(pid_t pid, const char *what)
{
	char state = 0;
	long tracer = 0;
	pid_t tid = 0;
	int ms;

	for (ms = 0; ms < 2000; ms++) {
		tid = stopped_thread(pid, &state, &tracer);
		if (!tid)
			return;
		usleep(1000);
	}
	ck_abort_msg("%s: thread %d of the target left in state '%c', TracerPid %ld", what, tid,
		     state, tracer);
}

/* ---- signals ---- */

struct outcome {
	int killed_no_file;  /* the signal ended the command before it wrote F */
	int killed_old_file; /* ... and F is still the previous file */
	int killed_complete; /* the signal arrived during the write: F complete */
	int finished;        /* the command finished first */
};

/*
 * Run argv, deliver sig after delay seconds, return the wait status. The
 * child runs in its own process group with default SIGINT/SIGTERM
 * handling from the start: Check's runner handles them by killing its
 * process group, which a signal landing between fork and exec must not do.
 */
static int run_and_signal(char *const argv[], double delay, int sig)
{
	struct timespec ts = { (time_t)delay, (long)((delay - (double)(time_t)delay) * 1e9) };
	sigset_t set, old;
	int st;
	pid_t pid;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, &old);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int nul = open("/dev/null", O_RDWR);

		setpgid(0, 0);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		sigprocmask(SIG_SETMASK, &old, NULL);
		dup2(nul, 0);
		dup2(nul, 1);
		dup2(nul, 2);
		execv(argv[0], argv);
		_exit(127);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (delay > 0)
		nanosleep(&ts, NULL);
	kill(pid, sig);
	while (waitpid(pid, &st, 0) < 0)
		ck_assert_int_eq(errno, EINTR);
	return st;
}

/* Time a clean run of argv (exit status 0, or 1 when one_ok: a gate failed). */
static double time_clean(char *const argv[], bool one_ok)
{
	double t0 = now_s();
	char *err = NULL;
	int rc = tu_run(argv, NULL, &err, 300);

	ck_assert_msg(rc == 0 || (one_ok && rc == 1), "clean run: exit %d: %s", rc, err);
	free(err);
	return now_s() - t0;
}

/* F after a signal: check the directory and classify. */
typedef bool (*complete_fn)(const char *path);

static void classify(const char *dir, const char *name, const char *old, int st, int sig,
		     complete_fn complete, struct outcome *o, const char *what)
{
	char *ls = list_dir(dir), *path = tu_path("%s/%s", dir, name), *data;
	bool killed = WIFSIGNALED(st) && WTERMSIG(st) == sig;

	ck_assert_msg(killed || (WIFEXITED(st) && (WEXITSTATUS(st) == 0 || WEXITSTATUS(st) == 1)),
		      "%s: status 0x%x", what, st);
	if (!*ls) {
		ck_assert_msg(killed && !old, "%s: no file, status 0x%x", what, st);
		o->killed_no_file++;
	} else {
		ck_assert_msg(strcmp(ls, name) == 0, "%s: directory holds \"%s\"", what, ls);
		data = tu_read_file(path, NULL);
		ck_assert_ptr_nonnull(data);
		if (old && strcmp(data, old) == 0) {
			ck_assert_msg(killed, "%s: finished but F is the previous file", what);
			o->killed_old_file++;
		} else {
			ck_assert_msg(complete(path), "%s: %s is not complete", what, path);
			if (killed)
				o->killed_complete++;
			else
				o->finished++;
		}
		free(data);
	}
	free(ls);
	free(path);
}

static bool snapshot_complete(const char *path)
{
	struct ctprof_snapshot *s = NULL;
	struct ctprof_error err = { 0 };
	bool ok;

	if (ctprof_snapshot_load(path, &s, &err))
		return false;
	ok = s->n_threads == TARGET_THREADS + 1;
	ctprof_snapshot_free(s);
	return ok;
}

/* Threads of the snapshot at path that the jemalloc probe read (4242 allocated bytes). */
static size_t probed_threads(const char *path)
{
	struct ctprof_snapshot *s = NULL;
	struct ctprof_error err = { 0 };
	size_t i, n = 0;

	if (ctprof_snapshot_load(path, &s, &err))
		ck_abort_msg("%s", err.msg);
	for (i = 0; i < s->n_threads; i++)
		n += s->threads[i].jemalloc_measured && s->threads[i].allocated_bytes == 4242;
	ctprof_snapshot_free(s);
	return n;
}

/*
 * Delay of attempt i of 2 * ATTEMPTS: the first half spread over the
 * clean run, the second over its last 15% (where the file is written).
 */
static double attempt_delay(int i, double clean)
{
	if (i < ATTEMPTS)
		return clean * (double)i / ATTEMPTS;
	return clean * (0.85 + 0.15 * (double)(i - ATTEMPTS) / ATTEMPTS);
}

static void signal_capture(int sig)
{
	char *dir = tu_mkdtemp("faults-sig"), *out = tu_path("%s/F.ctprof.zst", dir), pidbuf[16];
	int release_w, i, st;
	pid_t target = start_target(&release_w);
	char *argv[] = { (char *)tu_harness(), "capture", "--live", "-o", out, "--pid", pidbuf,
			 "--jobs", "2", NULL };
	struct outcome o = { 0, 0, 0, 0 };
	double clean;
	char what[96];
	size_t probed;

	snprintf(pidbuf, sizeof(pidbuf), "%d", target);

	clean = time_clean(argv, false);
	ck_assert(snapshot_complete(out));
	/* the signals land while the probe attaches to the target's threads */
	probed = probed_threads(out);
	if (!probed)
		printf("# capture: the probe read no thread (no ptrace rights?): the TracerPid "
		       "checks cannot fail\n");
	else
		/* all of them on an idle machine; under ctest -j load the probe
		 * may give up on some (its per-thread wait is bounded) */
		ck_assert_uint_le(probed, TARGET_THREADS + 1);
	unlink(out);
	for (i = 0; i < 2 * ATTEMPTS; i++) {
		/* the odd attempts write over an existing file */
		double delay = attempt_delay(i, clean);
		const char *old = i % 2 ? "the previous file\n" : NULL;

		if (old)
			tu_write_str(out, old);
		st = run_and_signal(argv, delay, sig);
		snprintf(what, sizeof(what), "capture, %s after %.3f s", strsignal(sig), delay);
		classify(dir, "F.ctprof.zst", old, st, sig, snapshot_complete, &o, what);
		assert_target_free(target, what);
		unlink(out);
	}
	printf("# capture (%.3f s clean) %s: %d killed before the write, %d with F the previous "
	       "file, %d killed with F complete, %d finished\n", clean, strsignal(sig),
	       o.killed_no_file, o.killed_old_file, o.killed_complete, o.finished);
	/* the signal did land mid-capture, and the file checks were not vacuous */
	ck_assert_int_ge(o.killed_no_file + o.killed_old_file, 2);
	close(release_w);
	ck_assert_int_eq(waitpid(target, &st, 0), target);
	ck_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	free(out);
	tu_rmtree(dir);
	free(dir);
}

START_TEST(test_sigint_capture)
{
	signal_capture(SIGINT);
}
END_TEST

START_TEST(test_sigterm_capture)
{
	signal_capture(SIGTERM);
}
END_TEST

/*
 * A big snapshot: n threads in n/4 processes whose names are distinct
 * letters (digits would fold into one pattern group), varied counters.
 */
static void write_big(const char *path, size_t n, uint64_t seed)
{
	struct ctprof_snapshot *s = ctprof_snapshot_new();
	struct ctprof_error err = { 0 };
	uint64_t x = seed;
	size_t i;

	ck_assert_ptr_nonnull(s);
	s->captured_at_unix_ns = 1714000000000000000ull;
	s->threads = calloc(n, sizeof(*s->threads));
	s->n_threads = n;
	for (i = 0; i < n; i++) {
		struct ctprof_thread *t = &s->threads[i];
		char name[32];

		ck_assert_int_eq(ctprof_thread_init(t), 0);
		t->tid = (uint32_t)(100 + i);
		t->tgid = (uint32_t)(100 + i / 4 * 4);
		{
			size_t k = i / 4, j = 0;

			do {
				name[j++] = (char)('a' + k % 26);
				k /= 26;
			} while (k && j < sizeof(name) - 1);
			name[j] = '\0';
		}
		free(t->pcomm);
		t->pcomm = strdup(name);
		snprintf(name, sizeof(name), "worker-%zu", i % 4);
		free(t->comm);
		t->comm = strdup(name);
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		t->run_time_ns = x % 1000000000;
		t->wait_time_ns = x % 7777777;
		t->nr_migrations = x % 1000;
		t->state = 'S';
	}
	if (ctprof_snapshot_write(s, path, &err))
		ck_abort_msg("%s", err.msg);
	ctprof_snapshot_free(s);
}

static bool junit_complete(const char *path)
{
	size_t len;
	char *x = tu_read_file(path, &len);
	bool ok = x && len > 40 && strncmp(x, "<?xml", 5) == 0 &&
		  strcmp(x + len - strlen("</testsuites>\n"), "</testsuites>\n") == 0;

	free(x);
	return ok;
}

static void signal_compare(int sig)
{
	char *in = tu_mkdtemp("faults-in"), *dir = tu_mkdtemp("faults-sig");
	char *a = tu_path("%s/a.ctprof.zst", in), *b = tu_path("%s/b.ctprof.zst", in);
	char *out = tu_path("%s/F.xml", dir);
	char *argv[] = { (char *)tu_harness(), "compare", a, b, "--gate",
			 "nr_migrations:max_increase=10%", "--junit", out, NULL };
	struct outcome o = { 0, 0, 0, 0 };
	double clean;
	char what[96];
	int i, st;

	write_big(a, 16000, 0x9E3779B97F4A7C15ull);
	write_big(b, 16000, 0x2545F4914F6CDD1Dull);
	clean = time_clean(argv, true);
	ck_assert(junit_complete(out));
	unlink(out);
	for (i = 0; i < 2 * ATTEMPTS; i++) {
		double delay = attempt_delay(i, clean);
		const char *old = i % 2 ? "the previous file\n" : NULL;

		if (old)
			tu_write_str(out, old);
		st = run_and_signal(argv, delay, sig);
		snprintf(what, sizeof(what), "compare --junit, %s after %.3f s", strsignal(sig),
			 delay);
		classify(dir, "F.xml", old, st, sig, junit_complete, &o, what);
		unlink(out);
	}
	printf("# compare --junit (%.3f s clean) %s: %d killed before the write, %d with F the "
	       "previous file, %d killed with F complete, %d finished\n", clean, strsignal(sig),
	       o.killed_no_file, o.killed_old_file, o.killed_complete, o.finished);
	ck_assert_int_ge(o.killed_no_file + o.killed_old_file, 2);
	free(a);
	free(b);
	free(out);
	tu_rmtree(in);
	tu_rmtree(dir);
	free(in);
	free(dir);
}

START_TEST(test_sigint_compare)
{
	signal_compare(SIGINT);
}
END_TEST

START_TEST(test_sigterm_compare)
{
	signal_compare(SIGTERM);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("faults");
	TCase *paths = tcase_create("paths"), *sig = tcase_create("signals");
	SRunner *sr;
	int failed;

	tcase_add_test(paths, test_capture_bad_output);
	tcase_add_test(paths, test_compare_bad_junit);
	tcase_set_timeout(sig, 600);
	tcase_add_test(sig, test_sigint_capture);
	tcase_add_test(sig, test_sigterm_capture);
	tcase_add_test(sig, test_sigint_compare);
	tcase_add_test(sig, test_sigterm_compare);
	suite_add_tcase(s, paths);
	suite_add_tcase(s, sig);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
