/* SPDX-License-Identifier: MIT */
/*
 * Live captures of this host (needs root; skipped otherwise): one entry per
 * live thread checked against /proc listings taken before and after, the
 * capturing process left out, host context, summaries, cgroup stats for
 * every distinct cgroup, host PSI; `ctprof-harness capture -o FILE`; and
 * races: threads and processes that are born and exit continuously while
 * captures run must never give errors or garbage rows.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <ctprof/ctprof.h>

#include "testutil.h"

/* ---- /proc listings ---------------------------------------------------- */

struct id {
	uint32_t tgid, tid;
};

struct listing {
	struct id *v;
	size_t n, cap;
};

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

static int cmp_id(const void *a, const void *b)
{
	const struct id *x = a, *y = b;

	if (x->tgid != y->tgid)
		return x->tgid < y->tgid ? -1 : 1;
	return (x->tid > y->tid) - (x->tid < y->tid);
}

static struct listing list_proc(void)
{
	struct listing l = { 0 };
	struct dirent *de, *te;
	DIR *d = opendir("/proc"), *td;

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)) != NULL) {
		char path[300];

		if (!all_digits(de->d_name))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/task", de->d_name);
		td = opendir(path);
		if (!td)
			continue;
		while ((te = readdir(td)) != NULL) {
			if (!all_digits(te->d_name))
				continue;
			if (l.n == l.cap) {
				l.cap = l.cap ? l.cap * 2 : 256;
				l.v = realloc(l.v, l.cap * sizeof(*l.v));
				ck_assert_ptr_nonnull(l.v);
			}
			l.v[l.n].tgid = (uint32_t)strtoul(de->d_name, NULL, 10);
			l.v[l.n].tid = (uint32_t)strtoul(te->d_name, NULL, 10);
			l.n++;
		}
		closedir(td);
	}
	closedir(d);
	qsort(l.v, l.n, sizeof(*l.v), cmp_id);
	return l;
}

static bool listed(const struct listing *l, uint32_t tgid, uint32_t tid)
{
	struct id k = { tgid, tid };

	return l->n && bsearch(&k, l->v, l->n, sizeof(k), cmp_id) != NULL;
}

static bool in_snapshot(const struct ctprof_snapshot *s, uint32_t tgid, uint32_t tid)
{
	size_t lo = 0, hi = s->n_threads;
	struct id k = { tgid, tid };

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		struct id m = { s->threads[mid].tgid, s->threads[mid].tid };
		int c = cmp_id(&m, &k);

		if (c == 0)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* Every tid alive before and after (and not excluded) is in the snapshot. */
static size_t assert_covers(const struct ctprof_snapshot *s, const struct listing *before,
			    const struct listing *after, uint32_t excluded_tgid)
{
	size_t i, checked = 0;

	for (i = 0; i < before->n; i++) {
		const struct id *x = &before->v[i];

		if (x->tgid == excluded_tgid || !listed(after, x->tgid, x->tid))
			continue;
		ck_assert_msg(in_snapshot(s, x->tgid, x->tid), "thread %u/%u alive throughout but missing",
			      x->tgid, x->tid);
		checked++;
	}
	return checked;
}

/* Distinct tgids other than self in before whose leader is still in after. */
static size_t tgids_alive_throughout(const struct listing *before, const struct listing *after,
				     uint32_t self)
{
	size_t i, n = 0;

	for (i = 0; i < before->n; i++) {
		uint32_t g = before->v[i].tgid;

		if (g == self || (i && before->v[i - 1].tgid == g))
			continue;
		/* the leader's tid is the tgid: listed afterwards means still alive */
		if (listed(after, g, g))
			n++;
	}
	return n;
}

/* Distinct tgids in a snapshot (its threads are in (tgid, tid) order). */
static size_t tgids_in_snapshot(const struct ctprof_snapshot *s)
{
	size_t i, n = 0;

	for (i = 0; i < s->n_threads; i++)
		if (i == 0 || s->threads[i].tgid != s->threads[i - 1].tgid)
			n++;
	return n;
}

/* Shape every snapshot must have: ordered, unique, no garbage rows. */
static void assert_rows_sane(const struct ctprof_snapshot *s)
{
	size_t i;

	for (i = 0; i < s->n_threads; i++) {
		const struct ctprof_thread *t = &s->threads[i];

		ck_assert_msg(t->comm[0] || t->start_time_clock_ticks, "garbage row %u/%u", t->tgid, t->tid);
		ck_assert(t->tid > 0 && t->tgid > 0);
		ck_assert_ptr_nonnull(t->pcomm);
		ck_assert_ptr_nonnull(t->cgroup);
		ck_assert_ptr_nonnull(t->policy);
		if (i) {
			const struct ctprof_thread *p = &s->threads[i - 1];

			ck_assert_msg(p->tgid < t->tgid || (p->tgid == t->tgid && p->tid < t->tid),
				      "order at %zu: %u/%u then %u/%u", i, p->tgid, p->tid, t->tgid, t->tid);
		}
	}
}

static struct ctprof_snapshot *live(unsigned jobs, int pid)
{
	struct ctprof_capture_opts o = CTPROF_CAPTURE_OPTS(.jobs = jobs, .pid = pid);
	struct ctprof_snapshot *s = NULL;
	struct ctprof_error err = { 0 };
	int rc = ctprof_capture(&o, &s, &err);

	ck_assert_msg(rc == 0, "live capture: %d %s", rc, err.msg);
	return s;
}

/* First integer after "total=" on the "some" line of a PSI file; -1 if none. */
static long long psi_some_total(const char *path)
{
	char *t = tu_read_file(path, NULL), *p;
	long long v = -1;

	if (!t)
		return -1;
	p = strstr(t, "total=");
	if (p && strncmp(t, "some", 4) == 0)
		v = strtoll(p + 6, NULL, 10);
	free(t);
	return v;
}

/* ---- tests -------------------------------------------------------------- */

START_TEST(test_live_one_entry_per_thread)
{
	long long psi0 = psi_some_total("/proc/pressure/cpu"), psi1;
	struct listing before = list_proc(), after;
	struct ctprof_snapshot *s = live(0, 0);
	uint32_t self = (uint32_t)getpid();
	size_t i, k, checked, distinct = 0;

	after = list_proc();
	psi1 = psi_some_total("/proc/pressure/cpu");
	assert_rows_sane(s);
	checked = assert_covers(s, &before, &after, self);
	ck_assert_uint_gt(checked, 10);
	/* the capturing process's own threads are left out */
	for (i = 0; i < s->n_threads; i++)
		ck_assert_uint_ne(s->threads[i].tgid, self);
	/* every kept thread existed at some point: no invented tids */
	for (i = 0; i < s->n_threads; i++)
		ck_assert(s->threads[i].start_time_clock_ticks > 0 || s->threads[i].comm[0]);

	/* host context and the three summaries */
	ck_assert_ptr_nonnull(s->host);
	ck_assert_str_eq(s->host->kernel_name, "Linux");
	ck_assert(s->host->online_cpus.set);
	ck_assert(s->host->total_memory_kib.set);
	ck_assert_ptr_nonnull(s->parse_summary);
	ck_assert_uint_ge(s->parse_summary->tids_walked, s->n_threads);
	ck_assert_ptr_nonnull(s->probe_summary);
	/* Phase 1 attached to every tgid the walk visited: at least every
	 * other tgid alive throughout and every tgid in the snapshot. (A
	 * process born and gone between the test's listings may be walked
	 * too, so there is no tight upper bound here; the fixture tests of
	 * check_capture pin the exact count.) */
	{
		size_t lo = tgids_alive_throughout(&before, &after, self);
		size_t in_snap = tgids_in_snapshot(s);

		ck_assert_uint_gt(lo, 5);
		ck_assert_uint_ge(s->probe_summary->tgids_walked, lo);
		ck_assert_uint_ge(s->probe_summary->tgids_walked, in_snap);
		ck_assert_uint_le(s->probe_summary->jemalloc_detected, s->probe_summary->tgids_walked);
	}
	ck_assert_ptr_nonnull(s->taskstats_summary);

	/* affinity from sched_getaffinity: every thread alive throughout has
	 * at least one CPU */
	for (i = 0; i < s->n_threads; i++) {
		const struct ctprof_thread *t = &s->threads[i];

		if (listed(&before, t->tgid, t->tid) && listed(&after, t->tgid, t->tid))
			ck_assert_msg(t->cpu_affinity.n > 0, "%u/%u has no affinity", t->tgid, t->tid);
	}

	/* one cgroup_stats entry per distinct non-empty cgroup, sorted */
	for (i = 0; i < s->n_cgroups; i++)
		if (i)
			ck_assert(strcmp(s->cgroups[i - 1].path, s->cgroups[i].path) < 0);
	for (i = 0; i < s->n_threads; i++) {
		const char *cg = s->threads[i].cgroup;
		bool found = false;

		if (!cg[0])
			continue;
		for (k = 0; k < s->n_cgroups && !found; k++)
			found = strcmp(s->cgroups[k].path, cg) == 0;
		ck_assert_msg(found, "cgroup %s of %u has no stats", cg, s->threads[i].tid);
	}
	for (k = 0; k < s->n_cgroups; k++) {
		for (i = 0; i < s->n_threads; i++)
			if (strcmp(s->threads[i].cgroup, s->cgroups[k].path) == 0)
				break;
		ck_assert_msg(i < s->n_threads, "cgroup %s has no thread", s->cgroups[k].path);
		distinct++;
	}
	ck_assert_uint_gt(distinct, 0);
	/* The cgroup2 mount was found: the root cgroup "/" reads a real
	 * cpu.stat (usage_usec keeps growing from boot). */
	for (k = 0; k < s->n_cgroups; k++)
		if (strcmp(s->cgroups[k].path, "/") == 0)
			ck_assert_uint_gt(s->cgroups[k].stats.cpu.usage_usec, 0);

	/* host PSI, read between the two reads of the test */
	if (psi0 >= 0 && psi1 >= 0) {
		ck_assert_uint_ge(s->psi.cpu.some.total_usec, (uint64_t)psi0);
		ck_assert_uint_le(s->psi.cpu.some.total_usec, (uint64_t)psi1);
		ck_assert_uint_gt(s->psi.cpu.some.total_usec + s->psi.memory.some.total_usec +
					  s->psi.io.some.total_usec,
				  0);
	}
	ctprof_snapshot_free(s);
	free(before.v);
	free(after.v);
}
END_TEST

START_TEST(test_live_pid_and_jobs)
{
	struct ctprof_snapshot *s;
	pid_t ppid = getppid();
	size_t i;

	/* one process: its threads only (PID 1 always exists) */
	s = live(1, 1);
	ck_assert_uint_gt(s->n_threads, 0);
	for (i = 0; i < s->n_threads; i++)
		ck_assert_uint_eq(s->threads[i].tgid, 1);
	ck_assert_uint_eq(s->threads[0].tid, 1);
	/* pid mode: phase 1 on a one-element set */
	ck_assert_uint_eq(s->probe_summary->tgids_walked, 1);
	ctprof_snapshot_free(s);
	/* our own pid is excluded even when asked for, from the probe too */
	s = live(2, (int)getpid());
	ck_assert_uint_eq(s->n_threads, 0);
	ck_assert_uint_eq(s->probe_summary->tgids_walked, 0);
	ctprof_snapshot_free(s);
	/* Synthetic mode on the real /proc (through another spelling of it):
	 * still without us, but also without host context, summaries and
	 * sched_getaffinity (affinity comes from Cpus_allowed_list). */
	{
		struct ctprof_capture_opts o = CTPROF_CAPTURE_OPTS(.proc_root = "/proc/self/..",
								   .mode = CTPROF_CAPTURE_SYNTHETIC);
		struct ctprof_error err = { 0 };

		ck_assert_int_eq(ctprof_capture(&o, &s, &err), 0);
		ck_assert_uint_gt(s->n_threads, 10);
		for (i = 0; i < s->n_threads; i++)
			ck_assert_uint_ne(s->threads[i].tgid, (uint32_t)getpid());
		ck_assert_ptr_null(s->host);
		ck_assert_ptr_null(s->parse_summary);
		ck_assert_ptr_null(s->probe_summary);
		ck_assert_ptr_null(s->taskstats_summary);
		ck_assert(in_snapshot(s, 1, 1));
		ck_assert_uint_gt(s->threads[0].cpu_affinity.n, 0);
		/* the host's cgroup2 mount, not a sibling of /proc */
		ck_assert_uint_gt(s->n_cgroups, 0);
		for (i = 0; i < s->n_cgroups; i++)
			if (s->cgroups[i].stats.cpu.usage_usec > 0)
				break;
		ck_assert_uint_lt(i, s->n_cgroups);
		ctprof_snapshot_free(s);
	}
	/* the parent (ctest or a shell) is captured with several workers */
	s = live(4, (int)ppid);
	ck_assert_uint_ge(s->n_threads, 1);
	ck_assert_uint_eq(s->threads[0].tgid, (uint32_t)ppid);
	ctprof_snapshot_free(s);
}
END_TEST

START_TEST(test_live_cli)
{
	char *dir = tu_mkdtemp("livecli"), *out = tu_path("%s/x.ctprof.zst", dir);
	char *argv[] = { (char *)tu_harness(), "capture", "-o", out, NULL };
	struct listing before = list_proc(), after;
	struct ctprof_snapshot *s = NULL;
	struct ctprof_error err = { 0 };
	char *so = NULL, *se = NULL, *want;
	int rc = tu_run(argv, &so, &se, 120);
	size_t checked;

	after = list_proc();
	ck_assert_msg(rc == 0, "rc %d: %s", rc, se);
	/* the §4.9 lines, then the result line */
	ck_assert_ptr_nonnull(strstr(se, "ctprof-harness: info: ctprof probe: "));
	ck_assert_ptr_null(strstr(se, "ctprof probe: 0 tgids walked, ")); /* phase 1 ran */
	ck_assert_ptr_nonnull(strstr(se, "ctprof-harness: info: ctprof parse: "));
	want = tu_path("ctprof-harness: wrote %s: ", out);
	ck_assert_ptr_nonnull(strstr(se, want));
	free(want);
	ck_assert_int_eq(ctprof_snapshot_load(out, &s, &err), 0);
	assert_rows_sane(s);
	/* The harness excludes itself, not us: this test process was alive
	 * throughout, so its threads must be in the file like everyone's. */
	checked = assert_covers(s, &before, &after, 0);
	ck_assert_uint_gt(checked, 10);
	ck_assert(in_snapshot(s, (uint32_t)getpid(), (uint32_t)getpid()));
	ck_assert_ptr_nonnull(s->host);
	ck_assert_ptr_nonnull(s->parse_summary);
	ck_assert_ptr_nonnull(s->probe_summary);
	ck_assert_ptr_nonnull(s->taskstats_summary);
	ck_assert_uint_gt(s->n_cgroups, 0);
	ctprof_snapshot_free(s);
	free(before.v);
	free(after.v);
	free(so);
	free(se);
	tu_rmtree(dir);
	free(dir);
	free(out);
}
END_TEST

/* ---- races ------------------------------------------------------------- */

static void *churn_thread(void *arg)
{
	(void)arg;
	prctl(PR_SET_NAME, "churn-t");
	return NULL;
}

/* Child: creates and joins threads and forks short-lived processes until killed. */
static void churn_forever(void)
{
	prctl(PR_SET_NAME, "churn");
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	for (;;) {
		pthread_t th[8];
		int i, n = 0;
		pid_t p;

		for (i = 0; i < 8; i++)
			if (pthread_create(&th[n], NULL, churn_thread, NULL) == 0)
				n++;
		for (i = 0; i < n; i++)
			pthread_join(th[i], NULL);
		p = fork();
		if (p == 0) {
			prctl(PR_SET_NAME, "churn-p");
			_exit(0);
		}
		if (p > 0)
			waitpid(p, NULL, 0);
	}
}

START_TEST(test_race_live)
{
	pid_t kids[2];
	struct timespec t0, t1;
	int i, k, runs = 12;
	size_t churn_rows = 0;

	for (k = 0; k < 2; k++) {
		kids[k] = fork();
		ck_assert_int_ge(kids[k], 0);
		if (kids[k] == 0)
			churn_forever();
	}
	usleep(100000);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* at least `runs` captures and at least two seconds of churn */
	for (i = 0; i < 1000; i++) {
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (i >= runs && (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 >= 2000)
			break;
		struct ctprof_snapshot *s = live(i % 2 ? 2 : 1, 0);
		size_t j;

		assert_rows_sane(s);
		for (j = 0; j < s->n_threads; j++)
			if (s->threads[j].tgid == (uint32_t)kids[0] || s->threads[j].tgid == (uint32_t)kids[1])
				churn_rows++;
		ck_assert_ptr_nonnull(s->parse_summary);
		ctprof_snapshot_free(s);
		/* one capture of just a churning process, too */
		s = live(2, kids[i % 2]);
		assert_rows_sane(s);
		ctprof_snapshot_free(s);
	}
	for (k = 0; k < 2; k++) {
		kill(kids[k], SIGKILL);
		waitpid(kids[k], NULL, 0);
	}
	/* the churning processes were seen (their main threads at least) */
	ck_assert_int_ge(i, runs);
	ck_assert_uint_ge(churn_rows, (size_t)i * 2);
}
END_TEST

/* Synthetic race: task directories appear and vanish (files written one
 * by one, removed one by one) while captures run. */
static volatile int stop_writer;
static char *race_dir;

static void *tree_writer(void *arg)
{
	static const char *const files[] = { "comm", "stat", "cgroup", "schedstat", "status", "io",
					     "sched" };
	unsigned round = 0;

	(void)arg;
	while (!stop_writer) {
		uint32_t tid = 1000 + round % 50;
		size_t f;
		char *d = tu_path("%s/proc/77/task/%u", race_dir, tid), *p;

		mkdir(d, 0755);
		for (f = 0; f < 7; f++) {
			p = tu_path("%s/%s", d, files[f]);
			tu_write_str(p, strcmp(files[f], "stat") == 0
						? "1000 (w) S 1 77 77 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5\n"
						: "w\n");
			free(p);
		}
		for (f = 0; f < 7; f++) {
			p = tu_path("%s/%s", d, files[f]);
			unlink(p);
			free(p);
		}
		rmdir(d);
		free(d);
		round++;
	}
	return NULL;
}

START_TEST(test_race_synthetic)
{
	char *proc, *p;
	pthread_t th;
	int i;

	race_dir = tu_mkdtemp("race");
	p = tu_path("%s/proc/77/comm", race_dir);
	tu_write_str(p, "tree\n");
	free(p);
	p = tu_path("%s/proc/77/task/77/comm", race_dir);
	tu_write_str(p, "leader\n");
	free(p);
	proc = tu_path("%s/proc", race_dir);
	stop_writer = 0;
	ck_assert_int_eq(pthread_create(&th, NULL, tree_writer, NULL), 0);
	for (i = 0; i < 300; i++) {
		struct ctprof_capture_opts o = CTPROF_CAPTURE_OPTS(.proc_root = proc, .jobs = 1 + i % 3);
		struct ctprof_snapshot *s = NULL;
		struct ctprof_error err = { 0 };
		size_t j;

		ck_assert_int_eq(ctprof_capture(&o, &s, &err), 0);
		assert_rows_sane(s);
		ck_assert_uint_ge(s->n_threads, 1);
		ck_assert_uint_eq(s->threads[0].tid, 77);
		for (j = 1; j < s->n_threads; j++) {
			/* a half-written thread is either kept with what it had or dropped */
			ck_assert(strcmp(s->threads[j].comm, "w") == 0 ||
				  s->threads[j].start_time_clock_ticks == 5);
		}
		ctprof_snapshot_free(s);
	}
	stop_writer = 1;
	pthread_join(th, NULL);
	free(proc);
	tu_rmtree(race_dir);
	free(race_dir);
}
END_TEST

static Suite *live_suite(void)
{
	Suite *s = suite_create("capture-live");
	TCase *tl = tcase_create("live");
	TCase *tr = tcase_create("races");

	tcase_set_timeout(tl, 300);
	tcase_add_test(tl, test_live_one_entry_per_thread);
	tcase_add_test(tl, test_live_pid_and_jobs);
	tcase_add_test(tl, test_live_cli);
	suite_add_tcase(s, tl);
	tcase_set_timeout(tr, 300);
	tcase_add_test(tr, test_race_live);
	tcase_add_test(tr, test_race_synthetic);
	suite_add_tcase(s, tr);
	return s;
}

int main(void)
{
	SRunner *sr;
	int failed;

	if (geteuid() != 0) {
		fprintf(stderr, "check_capture_live: needs root (live /proc of every process); skipped\n");
		return 77;
	}
	sr = srunner_create(live_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
