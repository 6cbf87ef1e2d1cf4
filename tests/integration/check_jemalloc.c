/* SPDX-License-Identifier: MIT */
/*
 * jemalloc end to end: tests/jemalloc/build.sh builds jemalloc with debug
 * info from Debian's source package (cached under the build dir) and links
 * tests/jemalloc/workload.c with it; the live workload's threads allocate
 * known amounts and wait; the probe (phase-1 set + per-thread reads) must
 * read exactly what each thread reports through mallctl, and those must
 * match the known amounts within jemalloc's accounting granularity. The
 * same workload linked with Debian's libjemalloc.so.2 gets jemalloc-in-dso.
 * A live ctprof_capture of the workload (pid mode) carries the same counters
 * in its snapshot, and its probe_summary counts them.
 * Skips (77) without ptrace rights or when the source cannot be fetched.
 */
#include <check.h>

#include <ctprof/capture.h>
#include <ctprof/probe.h>
#include "testutil.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#define NTHREADS 4
#define BLOCK 4096u
/* Slack for the thread's own bookkeeping allocation (a calloc of 8 bytes per block). */
#define SLACK (64u * 1024u)

static char *e2e_dir;

struct wl {
	pid_t pid;
	int in_w;
	int tid[NTHREADS + 1];
	uint64_t a[NTHREADS + 1], d[NTHREADS + 1];
};

static void wl_start(struct wl *w, const char *exe)
{
	int in[2], out[2];
	FILE *f;
	char line[256];
	int got = 0;

	memset(w, 0, sizeof(*w));
	ck_assert_int_eq(pipe(in), 0);
	ck_assert_int_eq(pipe(out), 0);
	w->pid = fork();
	ck_assert_int_ge(w->pid, 0);
	if (w->pid == 0) {
		char n[8];

		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[1]);
		close(out[0]);
		snprintf(n, sizeof(n), "%d", NTHREADS);
		execl(exe, exe, n, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	w->in_w = in[1];
	f = fdopen(out[0], "r");
	ck_assert_ptr_nonnull(f);
	while (got < NTHREADS && fgets(line, sizeof(line), f)) {
		int tid, k;
		unsigned long long a, d;

		ck_assert_msg(sscanf(line, "READY %d %d %llu %llu", &tid, &k, &a, &d) == 4, "line: %s", line);
		ck_assert(k >= 1 && k <= NTHREADS && w->tid[k] == 0);
		w->tid[k] = tid;
		w->a[k] = a;
		w->d[k] = d;
		got++;
	}
	fclose(f);
	ck_assert_int_eq(got, NTHREADS);
}

static void wl_stop(struct wl *w)
{
	int st = 0;

	close(w->in_w);
	ck_assert_int_eq(waitpid(w->pid, &st, 0), w->pid);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "workload status 0x%x", st);
}

START_TEST(test_static_counters)
{
	char *exe = tu_path("%s/workload-static", e2e_dir);
	struct ctprof_probe_set *s = NULL;
	struct ctprof_probe_summary *sum = NULL;
	struct ctprof_error err = { 0 };
	const struct ctprof_jemalloc_probe *p;
	struct wl w;
	int tgid;

	wl_start(&w, exe);
	tgid = w.pid;
	ck_assert_int_eq(ctprof_probe_set_attach(NULL, &tgid, 1, &s, &err), 0);
	p = ctprof_probe_set_get(s, tgid);
	ck_assert_msg(p != NULL, "attach failed: dwarf %llu, not-found %llu",
		      (unsigned long long)ctprof_probe_set_tag_count(s, CTPROF_PROBE_DWARF_PARSE_FAILURE),
		      (unsigned long long)ctprof_probe_set_tag_count(s, CTPROF_PROBE_JEMALLOC_NOT_FOUND));
	/* Debian configures no prefix: jemalloc's private namespace is je_. */
	ck_assert_str_eq(p->tls_sym_name, "je_tsd_tls");
	ck_assert_uint_lt(p->off_allocated, p->off_deallocated);
	ck_assert_uint_eq(p->off_deallocated - p->off_allocated, 16); /* 24-byte span */
	for (int k = 1; k <= NTHREADS; k++) {
		uint64_t a = 0, d = 0;
		int rc = ctprof_probe_set_thread(s, tgid, w.tid[k], &a, &d);

		if (rc == -EPERM) {
			wl_stop(&w);
			ctprof_probe_set_free(s);
			free(exe);
			return; /* no ptrace rights: main() skips the file beforehand */
		}
		ck_assert_int_eq(rc, 1); /* jemalloc_measured */
		/* Exactly what the thread read through mallctl. */
		ck_assert_uint_eq(a, w.a[k]);
		ck_assert_uint_eq(d, w.d[k]);
		/* And the known amounts, within the accounting granularity. */
		ck_assert_uint_ge(a, 100u * BLOCK * (unsigned)k);
		ck_assert_uint_le(a, 100u * BLOCK * (unsigned)k + SLACK);
		ck_assert_uint_ge(d, 40u * BLOCK * (unsigned)k);
		ck_assert_uint_le(d, 40u * BLOCK * (unsigned)k + SLACK);
	}
	ck_assert_int_eq(ctprof_probe_set_summary(s, false, &sum), 0);
	ck_assert_uint_eq(sum->tgids_walked, 1);
	ck_assert_uint_eq(sum->jemalloc_detected, 1);
	ck_assert_uint_eq(sum->probed_ok, NTHREADS);
	ck_assert_uint_eq(sum->failed, 0);
	ck_assert_ptr_null(sum->dominant_failure);
	free(sum);
	ctprof_probe_set_free(s);
	wl_stop(&w);
	free(exe);
}
END_TEST

/* The probe wired into a live capture (pid mode): counters in the snapshot. */
START_TEST(test_capture_live_pid)
{
	char *exe = tu_path("%s/workload-static", e2e_dir);
	struct ctprof_snapshot *s = NULL;
	struct ctprof_error err = { 0 };
	const struct ctprof_probe_summary *ps;
	struct wl w;
	size_t i, mine = 0;
	int rc;

	wl_start(&w, exe);
	rc = ctprof_capture(&CTPROF_CAPTURE_OPTS(.mode = CTPROF_CAPTURE_LIVE, .pid = w.pid,
						 .no_taskstats = true),
			    &s, &err);
	ck_assert_msg(rc == 0, "capture: %d %s", rc, err.msg);
	for (i = 0; i < s->n_threads; i++) {
		ck_assert_uint_eq(s->threads[i].tgid, (uint32_t)w.pid);
		/* every thread of the workload was read, the main thread too */
		ck_assert_msg(s->threads[i].jemalloc_measured, "tid %u not measured", s->threads[i].tid);
		mine++;
	}
	ck_assert_uint_eq(mine, NTHREADS + 1);
	for (int k = 1; k <= NTHREADS; k++) {
		const struct ctprof_thread *t = tu_find_tid(s, w.tid[k]);

		ck_assert_ptr_nonnull(t);
		ck_assert(t->jemalloc_measured);
		ck_assert_uint_eq(t->allocated_bytes, w.a[k]);
		ck_assert_uint_eq(t->deallocated_bytes, w.d[k]);
		ck_assert_uint_ge(t->allocated_bytes, 100u * BLOCK * (unsigned)k);
		ck_assert_uint_le(t->allocated_bytes, 100u * BLOCK * (unsigned)k + SLACK);
		ck_assert_uint_ge(t->deallocated_bytes, 40u * BLOCK * (unsigned)k);
		ck_assert_uint_le(t->deallocated_bytes, 40u * BLOCK * (unsigned)k + SLACK);
	}
	ps = s->probe_summary;
	ck_assert_ptr_nonnull(ps);
	ck_assert_uint_eq(ps->tgids_walked, 1);
	ck_assert_uint_eq(ps->jemalloc_detected, 1);
	ck_assert_uint_eq(ps->probed_ok, mine);
	ck_assert_uint_eq(ps->failed, 0);
	ck_assert_ptr_null(ps->dominant_failure);
	ck_assert(!ps->privilege_dominant);
	ctprof_snapshot_free(s);

	/* no_probe: the same process, counters 0 and not measured, summary zeros */
	s = NULL;
	rc = ctprof_capture(&CTPROF_CAPTURE_OPTS(.mode = CTPROF_CAPTURE_LIVE, .pid = w.pid,
						 .no_taskstats = true, .no_probe = true),
			    &s, &err);
	ck_assert_msg(rc == 0, "capture: %d %s", rc, err.msg);
	ck_assert_uint_eq(s->n_threads, NTHREADS + 1);
	for (i = 0; i < s->n_threads; i++) {
		ck_assert(!s->threads[i].jemalloc_measured);
		ck_assert_uint_eq(s->threads[i].allocated_bytes, 0);
		ck_assert_uint_eq(s->threads[i].deallocated_bytes, 0);
	}
	ck_assert_ptr_nonnull(s->probe_summary);
	ck_assert_uint_eq(s->probe_summary->tgids_walked, 0);
	ck_assert_uint_eq(s->probe_summary->jemalloc_detected, 0);
	ck_assert_uint_eq(s->probe_summary->probed_ok, 0);
	ctprof_snapshot_free(s);
	wl_stop(&w);
	free(exe);
}
END_TEST

START_TEST(test_dso_tag)
{
	char *exe = tu_path("%s/workload-dso", e2e_dir);
	struct ctprof_jemalloc_probe *p = NULL;
	enum ctprof_probe_tag tag = CTPROF_PROBE_OK;
	struct ctprof_error err = { 0 };
	struct wl w;

	ck_assert_msg(access(exe, X_OK) == 0, "%s missing: is libjemalloc2 installed?", exe);
	wl_start(&w, exe);
	ck_assert_int_eq(ctprof_jemalloc_attach(NULL, w.pid, &p, &tag, &err), -ENOTSUP);
	ck_assert_ptr_null(p);
	ck_assert_int_eq(tag, CTPROF_PROBE_JEMALLOC_IN_DSO);
	ck_assert_msg(strstr(err.msg, "libjemalloc.so.2") != NULL, "%s", err.msg);
	wl_stop(&w);
	free(exe);
}
END_TEST

/* PTRACE_SEIZE + INTERRUPT + wait + DETACH on pid: are we allowed to? */
static bool ptrace_seize_probe(pid_t pid)
{
	int st;

	if (ptrace(PTRACE_SEIZE, pid, NULL, NULL))
		return false;
	if (ptrace(PTRACE_INTERRUPT, pid, NULL, NULL) == 0 && waitpid(pid, &st, __WALL) == pid)
		ptrace(PTRACE_DETACH, pid, NULL, NULL);
	return true;
}

static bool can_ptrace(void)
{
	pid_t c = fork();
	bool ok;
	int st;

	if (c == 0) {
		pause();
		_exit(0);
	}
	/* A sibling-like target: the test forks it, but ptrace rights are the same. */
	ok = ptrace_seize_probe(c);
	kill(c, SIGKILL);
	waitpid(c, &st, 0);
	return ok;
}

int main(void)
{
	char *script = tu_path("%s/tests/jemalloc/build.sh", CTPROF_SOURCE_DIR);
	char *argv[] = { script, NULL, NULL };
	char *out = NULL, *errout = NULL;
	Suite *su;
	SRunner *sr;
	TCase *tc;
	int rc, failed;

	e2e_dir = tu_path("%s/jemalloc-e2e", CTPROF_BUILD_DIR);
	argv[1] = e2e_dir;
	rc = tu_run(argv, &out, &errout, 850);
	fprintf(stderr, "%s%s", out ? out : "", errout ? errout : "");
	if (rc == 77)
		return 77;
	if (rc != 0) {
		fprintf(stderr, "check_jemalloc: build.sh exited %d\n", rc);
		return 1;
	}
	if (!can_ptrace()) {
		fprintf(stderr, "SKIP: no ptrace rights (root, CAP_SYS_PTRACE or ptrace_scope=0)\n");
		return 77;
	}
	su = suite_create("jemalloc");
	tc = tcase_create("e2e");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_static_counters);
	tcase_add_test(tc, test_capture_live_pid);
	tcase_add_test(tc, test_dso_tag);
	suite_add_tcase(su, tc);
	sr = srunner_create(su);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	free(out);
	free(errout);
	free(script);
	free(e2e_dir);
	return failed ? 1 : 0;
}
