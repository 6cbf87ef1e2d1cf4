/* SPDX-License-Identifier: MIT */
/*
 * Whole captures of the synthetic trees in fixtures/proc-trees: ktstr's own
 * fixture (spec §6.1, every expected value), one fixture per §6.2 edge
 * case, the kernel-format variants, unsafe cgroup paths, FIFOs in place of
 * files, byte-identical output with a pinned time (and across worker
 * counts), and `ctprof-harness capture` on fixture trees.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <ctprof/ctprof.h>

#include "testutil.h"

#define PINNED 1714000000000000000ull
#define U64MAX 18446744073709551615ull
#define FFFD "\xef\xbf\xbd"

/* ---- helpers ------------------------------------------------------------ */

struct roots {
	char *proc, *sys, *cg;
};

static struct roots roots_of(const char *fixture_case)
{
	struct roots r;
	char *base = tu_path("proc-trees/%s", fixture_case);

	r.proc = tu_path("%s/%s/proc", CTPROF_FIXTURES_DIR, base);
	r.sys = tu_path("%s/%s/sys", CTPROF_FIXTURES_DIR, base);
	r.cg = tu_path("%s/%s/cgroup", CTPROF_FIXTURES_DIR, base);
	free(base);
	return r;
}

static void roots_free(struct roots *r)
{
	free(r->proc);
	free(r->sys);
	free(r->cg);
}

static struct ctprof_snapshot *cap_roots(const char *proc, const char *sys, const char *cg,
					 enum ctprof_capture_mode mode, unsigned jobs, int pid)
{
	struct ctprof_capture_opts o = CTPROF_CAPTURE_OPTS(.proc_root = proc, .sys_root = sys,
							   .cgroup_root = cg, .mode = mode,
							   .pin_time = true,
							   .captured_at_unix_ns = PINNED,
							   .jobs = jobs, .pid = pid);
	struct ctprof_snapshot *s = NULL;
	struct ctprof_error err = { 0 };
	int rc = ctprof_capture(&o, &s, &err);

	ck_assert_msg(rc == 0, "capture %s: %d %s", proc, rc, err.msg);
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(s->captured_at_unix_ns, PINNED);
	return s;
}

static struct ctprof_snapshot *cap_mode(const char *fixture_case, enum ctprof_capture_mode mode,
					unsigned jobs)
{
	struct roots r = roots_of(fixture_case);
	struct ctprof_snapshot *s = cap_roots(r.proc, r.sys, r.cg, mode, jobs, 0);

	roots_free(&r);
	return s;
}

static struct ctprof_snapshot *cap(const char *fixture_case)
{
	return cap_mode(fixture_case, CTPROF_CAPTURE_AUTO, 2);
}

static uint64_t kv(const struct ctprof_kvmap *m, const char *key)
{
	uint64_t v = 0;

	ck_assert_msg(ctprof_kvmap_get(m, key, &v), "key %s missing", key);
	return v;
}

/* Synthetic-mode snapshot-level invariants (spec §4.2). */
static void assert_synthetic(const struct ctprof_snapshot *s)
{
	ck_assert_ptr_null(s->host);
	ck_assert_ptr_null(s->probe_summary);
	ck_assert_ptr_null(s->parse_summary);
	ck_assert_ptr_null(s->taskstats_summary);
	ck_assert_ptr_null(s->interval);
}

static bool psi_zero(const struct ctprof_psi *p)
{
	static const struct ctprof_psi zero;

	return memcmp(p, &zero, sizeof(zero)) == 0;
}

/* Every field that needs taskstats or the jemalloc probe is 0 / false. */
static void assert_no_taskstats_or_probe(const struct ctprof_thread *t)
{
	const struct ctprof_field_desc *f = ctprof_fields();
	size_t i;

	for (i = 0; i < CTPROF_THREAD_NFIELDS; i++) {
		const void *p = ctprof_field_cptr(t, &f[i]);

		if (f[i].pred == CTPROF_PRED_NONE && f[i].fkind != CTPROF_FK_FLAG)
			continue;
		if (f[i].ftype == CTPROF_FT_U64)
			ck_assert_msg(*(const uint64_t *)p == 0, "%s is not 0", f[i].name);
		else if (f[i].ftype == CTPROF_FT_BOOL)
			ck_assert_msg(!*(const bool *)p, "%s is not false", f[i].name);
	}
}

static char *json_of(const struct ctprof_snapshot *s, size_t *len)
{
	struct ctprof_error err = { 0 };
	char *j = NULL;

	ck_assert_msg(ctprof_snapshot_to_json(s, &j, len, &err) == 0, "to_json: %s", err.msg);
	return j;
}

/* ---- spec §6.1: ktstr's own fixture -------------------------------------- */

START_TEST(test_ktstr_basic)
{
	struct ctprof_snapshot *s = cap("ktstr-basic");
	const struct ctprof_thread *t;
	const struct ctprof_cgroup_stats *cg;
	size_t i;

	assert_synthetic(s);
	ck_assert_uint_eq(s->n_threads, 1);
	t = &s->threads[0];
	/* identity */
	ck_assert_uint_eq(t->tid, 101);
	ck_assert_uint_eq(t->tgid, 42);
	ck_assert_str_eq(t->pcomm, "demo-proc");
	ck_assert_str_eq(t->comm, "demo-worker");
	ck_assert_str_eq(t->cgroup, "/ktstr.slice/worker0");
	/* stat: the last-')' rule */
	ck_assert_int_eq(t->nice, -10);
	ck_assert_uint_eq(t->start_time_clock_ticks, 555555);
	ck_assert_str_eq(t->policy, "SCHED_OTHER");
	ck_assert_uint_eq(t->minflt, 7777);
	ck_assert_uint_eq(t->majflt, 8888);
	ck_assert_uint_eq(t->utime_clock_ticks, 10);
	ck_assert_uint_eq(t->stime_clock_ticks, 11);
	ck_assert_int_eq(t->priority, 14);
	ck_assert_int_eq(t->processor, 1700);
	ck_assert_uint_eq(t->rt_priority, 1800);
	/* schedstat */
	ck_assert_uint_eq(t->run_time_ns, 1000000);
	ck_assert_uint_eq(t->wait_time_ns, 200000);
	ck_assert_uint_eq(t->timeslices, 50);
	/* status: not the leader, no Threads: line */
	ck_assert_int_eq(t->state, 'R');
	ck_assert_uint_eq(t->voluntary_csw, 42);
	ck_assert_uint_eq(t->nonvoluntary_csw, 7);
	ck_assert_uint_eq(t->cpu_affinity.n, 4);
	for (i = 0; i < 4; i++)
		ck_assert_uint_eq(t->cpu_affinity.cpus[i], i);
	ck_assert_uint_eq(t->nr_threads, 0);
	/* io */
	ck_assert_uint_eq(t->rchar, 100);
	ck_assert_uint_eq(t->wchar, 200);
	ck_assert_uint_eq(t->syscr, 10);
	ck_assert_uint_eq(t->syscw, 20);
	ck_assert_uint_eq(t->read_bytes, 4096);
	ck_assert_uint_eq(t->write_bytes, 8192);
	ck_assert_uint_eq(t->cancelled_write_bytes, 512);
	/* sched counts (nr_wakeups_idle and nr_migrations_cold ignored) */
	ck_assert_uint_eq(t->nr_wakeups, 11);
	ck_assert_uint_eq(t->nr_wakeups_local, 8);
	ck_assert_uint_eq(t->nr_wakeups_remote, 3);
	ck_assert_uint_eq(t->nr_wakeups_sync, 2);
	ck_assert_uint_eq(t->nr_wakeups_migrate, 1);
	ck_assert_uint_eq(t->nr_wakeups_affine, 12);
	ck_assert_uint_eq(t->nr_wakeups_affine_attempts, 20);
	ck_assert_uint_eq(t->nr_migrations, 9);
	ck_assert_uint_eq(t->nr_forced_migrations, 7);
	ck_assert_uint_eq(t->nr_failed_migrations_affine, 1);
	ck_assert_uint_eq(t->nr_failed_migrations_running, 2);
	ck_assert_uint_eq(t->nr_failed_migrations_hot, 3);
	ck_assert_uint_eq(t->wait_count, 15);
	ck_assert_uint_eq(t->iowait_count, 18);
	/* sched times in ns */
	ck_assert_uint_eq(t->wait_sum, 5000250000ull);
	ck_assert_uint_eq(t->wait_max, 250500000ull);
	ck_assert_uint_eq(t->voluntary_sleep_ns, 2099750000ull);
	ck_assert_uint_eq(t->sleep_max, 180250000ull);
	ck_assert_uint_eq(t->block_sum, 1100750000ull);
	ck_assert_uint_eq(t->block_max, 60750000ull);
	ck_assert_uint_eq(t->iowait_sum, 77000000ull);
	ck_assert_uint_eq(t->exec_max, 90000000ull);
	ck_assert_uint_eq(t->slice_max, 400500000ull);
	ck_assert_uint_eq(t->core_forceidle_sum, 0);
	ck_assert_uint_eq(t->fair_slice_ns, 0);
	/* other */
	ck_assert(t->ext_enabled);
	ck_assert_uint_eq(t->smaps_rollup_kib.n, 0);
	ck_assert(!t->exited);
	assert_no_taskstats_or_probe(t);
	/* snapshot level */
	ck_assert(psi_zero(&s->psi));
	ck_assert_ptr_null(s->sched_ext);
	ck_assert_uint_eq(s->n_cgroups, 1);
	ck_assert_str_eq(s->cgroups[0].path, "/ktstr.slice/worker0");
	cg = &s->cgroups[0].stats;
	ck_assert_uint_eq(cg->cpu.max_period_us, 100000);
	ck_assert_uint_eq(cg->cpu.usage_usec, 0);
	ck_assert_uint_eq(cg->cpu.nr_throttled, 0);
	ck_assert_uint_eq(cg->cpu.throttled_usec, 0);
	ck_assert(!cg->cpu.max_quota_us.set);
	ck_assert(!cg->cpu.weight.set);
	ck_assert(!cg->cpu.weight_nice.set);
	ck_assert_uint_eq(cg->memory.current, 0);
	ck_assert(!cg->memory.max.set && !cg->memory.high.set && !cg->memory.low.set &&
		  !cg->memory.min.set);
	ck_assert_uint_eq(cg->memory.stat.n, 0);
	ck_assert_uint_eq(cg->memory.events.n, 0);
	ck_assert(!cg->pids.current.set && !cg->pids.max.set);
	ck_assert(psi_zero(&cg->psi));
	ctprof_snapshot_free(s);
}
END_TEST

/* ---- spec §6.2: edge cases ------------------------------------------------ */

START_TEST(test_ghost_tid)
{
	struct ctprof_snapshot *s = cap("edge-ghost-tid");

	/* task/43 is an empty directory: every read fails, so it is dropped. */
	ck_assert_uint_eq(s->n_threads, 1);
	ck_assert_uint_eq(s->threads[0].tid, 42);
	ck_assert_str_eq(s->threads[0].comm, "ghosts");
	/* the leader reads smaps_rollup (from fixtures/proc-formats/smaps_rollup-leader) */
	ck_assert_uint_eq(s->threads[0].smaps_rollup_kib.n, 22);
	ck_assert_uint_eq(kv(&s->threads[0].smaps_rollup_kib, "Rss"), 1616);
	ck_assert_uint_eq(kv(&s->threads[0].smaps_rollup_kib, "Locked"), 0);
	ck_assert_uint_eq(s->threads[0].nr_threads, 1);
	ctprof_snapshot_free(s);
}
END_TEST

START_TEST(test_empty_and_missing_proc)
{
	struct roots r = roots_of("edge-empty-proc");
	struct ctprof_snapshot *s = cap_roots(r.proc, r.sys, r.cg, CTPROF_CAPTURE_AUTO, 2, 0);
	char *missing = tu_path("%s/does-not-exist", r.proc);

	ck_assert_uint_eq(s->n_threads, 0);
	ck_assert_ptr_null(s->threads);
	ck_assert_uint_eq(s->n_cgroups, 0);
	ck_assert(psi_zero(&s->psi));
	ck_assert_ptr_null(s->sched_ext);
	assert_synthetic(s);
	ctprof_snapshot_free(s);
	/* A proc root that does not exist: the same empty snapshot, no error. */
	s = cap_roots(missing, missing, missing, CTPROF_CAPTURE_AUTO, 2, 0);
	ck_assert_uint_eq(s->n_threads, 0);
	ck_assert_uint_eq(s->n_cgroups, 0);
	ck_assert(psi_zero(&s->psi));
	ck_assert_ptr_null(s->sched_ext);
	ctprof_snapshot_free(s);
	/* Also in live mode (parse summary of nothing). */
	s = cap_roots(missing, missing, missing, CTPROF_CAPTURE_LIVE, 2, 0);
	ck_assert_uint_eq(s->n_threads, 0);
	ck_assert_ptr_nonnull(s->parse_summary);
	ck_assert_uint_eq(s->parse_summary->tids_walked, 0);
	ck_assert_uint_eq(s->parse_summary->read_failures, 0);
	ck_assert_ptr_null(s->parse_summary->dominant_read_failure);
	ctprof_snapshot_free(s);
	free(missing);
	roots_free(&r);
}
END_TEST

START_TEST(test_no_task_dir)
{
	struct ctprof_snapshot *s = cap("edge-no-task-dir");

	/* tgid 42 has comm and stat but no task/: it contributes nothing. */
	ck_assert_uint_eq(s->n_threads, 1);
	ck_assert_uint_eq(s->threads[0].tgid, 43);
	ck_assert_uint_eq(s->threads[0].tid, 43);
	ck_assert_str_eq(s->threads[0].pcomm, "has-task");
	ctprof_snapshot_free(s);
}
END_TEST

START_TEST(test_junk_dirs)
{
	struct ctprof_snapshot *s = cap("edge-junk-dirs");

	/* self, thread-self, sys, version, 12abc, abc, 0 and -1 all hold a
	 * complete task/1/ but are not tgids. */
	ck_assert_uint_eq(s->n_threads, 1);
	ck_assert_uint_eq(s->threads[0].tgid, 7);
	ck_assert_str_eq(s->threads[0].comm, "real");
	ctprof_snapshot_free(s);
}
END_TEST

START_TEST(test_pid_option)
{
	struct roots r = roots_of("ktstr-basic");
	struct ctprof_snapshot *s = cap_roots(r.proc, r.sys, r.cg, CTPROF_CAPTURE_AUTO, 2, 999);

	/* A pid that does not exist gives an empty snapshot. */
	ck_assert_uint_eq(s->n_threads, 0);
	ck_assert_uint_eq(s->n_cgroups, 0);
	ctprof_snapshot_free(s);
	s = cap_roots(r.proc, r.sys, r.cg, CTPROF_CAPTURE_AUTO, 2, 42);
	ck_assert_uint_eq(s->n_threads, 1);
	ck_assert_uint_eq(s->threads[0].tid, 101);
	ck_assert_uint_eq(s->n_cgroups, 1);
	ctprof_snapshot_free(s);
	roots_free(&r);
	/* Only the chosen tgid of several. */
	r = roots_of("edge-no-task-dir");
	s = cap_roots(r.proc, r.sys, r.cg, CTPROF_CAPTURE_AUTO, 2, 42);
	ck_assert_uint_eq(s->n_threads, 0);
	ctprof_snapshot_free(s);
	roots_free(&r);
	/* A list of tgids, with duplicates and a missing one, plus pid. */
	r = roots_of("edge-junk-dirs");
	{
		static const int list[] = { 7, 999, 7 };
		struct ctprof_capture_opts o = CTPROF_CAPTURE_OPTS(.proc_root = r.proc, .pids = list,
								   .n_pids = 3, .pid = 7);
		struct ctprof_error err = { 0 };

		ck_assert_int_eq(ctprof_capture(&o, &s, &err), 0);
		ck_assert_uint_eq(s->n_threads, 1);
		ck_assert_uint_eq(s->threads[0].tgid, 7);
		ctprof_snapshot_free(s);
		/* a junk name is not a tgid even when asked for by number: "0" */
		o.pid = 0;
		o.n_pids = 1;
		o.pids = (const int[]){ 0 };
		ck_assert_int_eq(ctprof_capture(&o, &s, &err), -EINVAL);
		ck_assert_ptr_nonnull(strstr(err.msg, "pids[0]"));
		o.pids = NULL;
		ck_assert_int_eq(ctprof_capture(&o, &s, &err), -EINVAL);
		o.pids = list;
		o.n_pids = CTPROF_CAPTURE_MAX_PIDS + 1;
		ck_assert_int_eq(ctprof_capture(&o, &s, &err), -EINVAL);
	}
	roots_free(&r);
}
END_TEST

START_TEST(test_corrupt_stat)
{
	struct ctprof_snapshot *s = cap("edge-corrupt-stat");
	const struct ctprof_thread *t;

	ck_assert_uint_eq(s->n_threads, 1);
	t = &s->threads[0];
	/* kept because comm is present */
	ck_assert_str_eq(t->comm, "corrupt");
	ck_assert_uint_eq(t->start_time_clock_ticks, 0);
	ck_assert_str_eq(t->policy, "");
	ck_assert_uint_eq(t->minflt, 0);
	ck_assert_uint_eq(t->utime_clock_ticks, 0);
	ck_assert_int_eq(t->nice, 0);
	ck_assert_int_eq(t->priority, 0);
	ck_assert_int_eq(t->processor, 0);
	/* the other files still count */
	ck_assert_uint_eq(t->run_time_ns, 1000);
	ck_assert_uint_eq(t->wait_time_ns, 200);
	ck_assert_uint_eq(t->timeslices, 3);
	ck_assert_int_eq(t->state, 'S');
	ck_assert_uint_eq(t->rchar, 100);
	ck_assert_uint_eq(t->nr_migrations, 5);
	ctprof_snapshot_free(s);
}
END_TEST

START_TEST(test_missing_files)
{
	struct ctprof_snapshot *s = cap("edge-missing-files");
	const struct ctprof_thread *t;

	ck_assert_uint_eq(s->n_threads, 1);
	t = &s->threads[0];
	ck_assert_uint_eq(t->run_time_ns, 0);
	ck_assert_uint_eq(t->wait_time_ns, 0);
	ck_assert_uint_eq(t->timeslices, 0);
	ck_assert_uint_eq(t->rchar, 0);
	ck_assert_uint_eq(t->cancelled_write_bytes, 0);
	ck_assert_uint_eq(t->nr_migrations, 0);
	ck_assert_uint_eq(t->fair_slice_ns, 0);
	ck_assert(!t->ext_enabled);
	/* stat and status still read */
	ck_assert_uint_eq(t->start_time_clock_ticks, 1000);
	ck_assert_int_eq(t->state, 'S');
	ck_assert_uint_eq(t->nr_threads, 1);
	ctprof_snapshot_free(s);
}
END_TEST

START_TEST(test_corrupt_status)
{
	struct ctprof_snapshot *s = cap("edge-corrupt-status");
	const struct ctprof_thread *t;

	ck_assert_uint_eq(s->n_threads, 1);
	t = &s->threads[0];
	ck_assert_uint_eq(t->voluntary_csw, 0);
	ck_assert_uint_eq(t->nonvoluntary_csw, 0);
	ck_assert_uint_eq(t->nr_threads, 0);
	ck_assert_int_eq(t->state, '~');
	/* never the capturing process's own mask */
	ck_assert_uint_eq(t->cpu_affinity.n, 0);
	ck_assert_uint_eq(t->start_time_clock_ticks, 1000);
	ctprof_snapshot_free(s);
}
END_TEST

START_TEST(test_sched_without_block)
{
	struct ctprof_snapshot *s = cap("edge-sched-no-block");
	const struct ctprof_thread *t = &s->threads[0];

	/* raw sleep is not used as a fallback */
	ck_assert_uint_eq(t->voluntary_sleep_ns, 0);
	ck_assert_uint_eq(t->block_sum, 0);
	ck_assert_uint_eq(t->wait_sum, 10000001ull);
	ck_assert_uint_eq(t->nr_migrations, 4);
	ctprof_snapshot_free(s);
}
END_TEST

START_TEST(test_non_utf8_comm)
{
	struct ctprof_snapshot *s = cap("edge-non-utf8-comm");
	const struct ctprof_thread *t;

	/* DESIGN.md §4: kept, each invalid byte decoded as U+FFFD. */
	ck_assert_uint_eq(s->n_threads, 1);
	t = &s->threads[0];
	ck_assert_str_eq(t->comm, "bad" FFFD FFFD "name");
	ck_assert_str_eq(t->pcomm, "proc" FFFD);
	ck_assert_uint_eq(t->start_time_clock_ticks, 4242);
	ctprof_snapshot_free(s);
}
END_TEST

START_TEST(test_exe_shared_live)
{
	struct ctprof_snapshot *s = cap_mode("edge-exe-shared", CTPROF_CAPTURE_LIVE, 2);
	size_t i;

	/* Two tgids whose exe is the same file and no maps: both kept, with
	 * jemalloc counters 0 (phase 1 walked both and found no jemalloc). Live
	 * mode asks the real kernel's taskstats about the fixture's tid
	 * numbers (spec §4.2), so those fields depend on the host; only the
	 * number of queries is fixed. */
	ck_assert_uint_eq(s->n_threads, 2);
	ck_assert_uint_eq(s->threads[0].tgid, 50);
	ck_assert_uint_eq(s->threads[1].tgid, 51);
	for (i = 0; i < 2; i++) {
		ck_assert_uint_eq(s->threads[i].allocated_bytes, 0);
		ck_assert_uint_eq(s->threads[i].deallocated_bytes, 0);
		ck_assert(!s->threads[i].jemalloc_measured);
	}
	ck_assert_ptr_nonnull(s->host);
	ck_assert_ptr_nonnull(s->probe_summary);
	ck_assert_uint_eq(s->probe_summary->tgids_walked, 2);
	ck_assert_uint_eq(s->probe_summary->jemalloc_detected, 0);
	ck_assert_uint_eq(s->probe_summary->probed_ok, 0);
	/* no maps: a per-process failure, so the exe cache does not answer
	 * for the second tgid; both are attempted and fail alike */
	ck_assert_uint_eq(s->probe_summary->failed, 2);
	ck_assert_str_eq(s->probe_summary->dominant_failure, "maps-read-failure");
	ck_assert(!s->probe_summary->privilege_dominant);
	ck_assert_ptr_nonnull(s->taskstats_summary);
	/* one query per walked tid, none when the taskstats socket cannot be opened */
	{
		struct ctprof_taskstats_client *c = NULL;
		uint64_t want = ctprof_taskstats_open(NULL, &c, NULL) == 0 ? 2 : 0;

		ctprof_taskstats_close(c);
		ck_assert_uint_eq(s->taskstats_summary->ok_count + s->taskstats_summary->eperm_count +
					  s->taskstats_summary->esrch_count +
					  s->taskstats_summary->other_err_count,
				  want);
	}
	ctprof_snapshot_free(s);
}
END_TEST

/* Log lines collected through the library's callback. */
static char logged[8][1024];
static int nlogged;

static void collect_log(int level, const char *line, void *ctx)
{
	(void)ctx;
	if (level == 2 && nlogged < 8)
		snprintf(logged[nlogged++], sizeof(logged[0]), "%s", line);
}

START_TEST(test_parse_tally_live)
{
	struct ctprof_snapshot *s;
	const struct ctprof_parse_summary *ps;

	nlogged = 0;
	ctprof_set_log(collect_log, NULL);
	s = cap_mode("edge-parse-tally", CTPROF_CAPTURE_LIVE, 2);
	ctprof_set_log(NULL, NULL);
	/* 60 leader without smaps_rollup, 61 without schedstat (and two
	 * negative PN values), 62 without io, 63 a ghost with a negative
	 * value of its own that does not count. */
	ck_assert_uint_eq(s->n_threads, 3);
	ps = s->parse_summary;
	ck_assert_ptr_nonnull(ps);
	ck_assert_uint_eq(ps->tids_walked, 4);
	ck_assert_uint_eq(ps->read_failures, 3);
	ck_assert_uint_eq(ps->read_failures_by_file.n, 3);
	ck_assert_uint_eq(kv(&ps->read_failures_by_file, "io"), 1);
	ck_assert_uint_eq(kv(&ps->read_failures_by_file, "schedstat"), 1);
	ck_assert_uint_eq(kv(&ps->read_failures_by_file, "smaps_rollup"), 1);
	/* a three-way tie goes to the alphabetically first key */
	ck_assert_str_eq(ps->dominant_read_failure, "io");
	ck_assert(ps->kernel_config_dominant);
	ck_assert_uint_eq(ps->negative_dotted_values, 2);
	ck_assert_uint_eq(tu_get_tid(s, 61)->wait_sum, 0);
	ck_assert_uint_eq(tu_get_tid(s, 61)->sleep_max, 0);
	ck_assert_uint_eq(tu_get_tid(s, 61)->wait_max, 7500000);
	/* §4.9, once each, info level */
	ck_assert_int_eq(nlogged, 2);
	/* phase 1 attached to the one tgid (no exe link: not actionable) */
	ck_assert_str_eq(logged[0], "ctprof probe: 1 tgids walked, 0 jemalloc detected, 0 probed OK, 0 failed");
	ck_assert_str_eq(logged[1],
			 "ctprof parse: 4 tids walked, 3 read failures, 2 negative-dotted values "
			 "(dominant: io); hint: schedstat / io read failures dominate \xe2\x80\x94 kernel "
			 "may be built without CONFIG_SCHED_INFO and/or CONFIG_TASK_IO_ACCOUNTING");
	ctprof_snapshot_free(s);

	/* Synthetic mode: the same tree, no summaries and no log lines. */
	nlogged = 0;
	ctprof_set_log(collect_log, NULL);
	s = cap_mode("edge-parse-tally", CTPROF_CAPTURE_SYNTHETIC, 2);
	ctprof_set_log(NULL, NULL);
	ck_assert_int_eq(nlogged, 0);
	assert_synthetic(s);
	ck_assert_uint_eq(s->n_threads, 3);
	ctprof_snapshot_free(s);

	/* A clean tree: no failure clauses at all. */
	nlogged = 0;
	ctprof_set_log(collect_log, NULL);
	s = cap_mode("ktstr-basic", CTPROF_CAPTURE_LIVE, 1);
	ctprof_set_log(NULL, NULL);
	ck_assert_int_eq(nlogged, 2);
	ck_assert_str_eq(logged[1], "ctprof parse: 1 tids walked, 0 read failures");
	ck_assert_uint_eq(s->parse_summary->read_failures_by_file.n, 0);
	ck_assert_ptr_null(s->parse_summary->dominant_read_failure);
	ck_assert(!s->parse_summary->kernel_config_dominant);
	ctprof_snapshot_free(s);
}
END_TEST

/* ---- cgroup paths that would leave cgroup_root -------------------------- */

START_TEST(test_unsafe_cgroup_paths)
{
	struct ctprof_snapshot *s = cap("edge-unsafe-cgroup");
	const struct ctprof_cgroup_stats *cg;
	static const char *const bad[] = { "/../outside", "/inside/../../outside" };
	size_t i;

	/* one entry per distinct path, sorted by bytes */
	ck_assert_uint_eq(s->n_cgroups, 4);
	ck_assert_str_eq(s->cgroups[0].path, "/");
	ck_assert_str_eq(s->cgroups[1].path, "/../outside");
	ck_assert_str_eq(s->cgroups[2].path, "/inside/../../outside");
	ck_assert_str_eq(s->cgroups[3].path, "/ok");
	/* "/" is cgroup_root itself */
	ck_assert_uint_eq(tu_get_cgroup(s, "/")->cpu.usage_usec, 1);
	cg = tu_get_cgroup(s, "/ok");
	ck_assert_uint_eq(cg->cpu.usage_usec, 5);
	ck_assert_uint_eq(cg->cpu.nr_throttled, 2);
	ck_assert_uint_eq(cg->cpu.throttled_usec, 30);
	ck_assert(cg->cpu.max_quota_us.set);
	ck_assert_uint_eq(cg->cpu.max_quota_us.v, 50000);
	ck_assert_uint_eq(cg->cpu.max_period_us, 100000);
	ck_assert(cg->cpu.weight.set);
	ck_assert_uint_eq(cg->cpu.weight.v, 100);
	ck_assert_uint_eq(cg->memory.current, 4096);
	ck_assert(!cg->memory.max.set);
	ck_assert(cg->memory.low.set);
	ck_assert_uint_eq(cg->memory.low.v, U64MAX);
	ck_assert(cg->pids.current.set);
	ck_assert_uint_eq(cg->pids.current.v, 4);
	ck_assert(!cg->pids.max.set);
	/* fixtures/.../outside/ holds usage_usec 999: never read */
	for (i = 0; i < 2; i++) {
		cg = tu_get_cgroup(s, bad[i]);
		ck_assert_uint_eq(cg->cpu.usage_usec, 0);
		ck_assert_uint_eq(cg->cpu.nr_throttled, 0);
		ck_assert_uint_eq(cg->memory.current, 0);
		ck_assert_uint_eq(cg->cpu.max_period_us, 100000);
	}
	ctprof_snapshot_free(s);
}
END_TEST

/* A tree written at run time: one thread whose cgroup file says `cg`. */
static char *tree_with_cgroup(const char *cg)
{
	char *dir = tu_mkdtemp("cgtree"), *p;

	p = tu_path("%s/proc/80/comm", dir);
	tu_write_str(p, "abs\n");
	free(p);
	p = tu_path("%s/proc/80/task/80/comm", dir);
	tu_write_str(p, "abs\n");
	free(p);
	p = tu_path("%s/proc/80/task/80/stat", dir);
	tu_write_str(p, "80 (abs) S 1 80 80 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 77\n");
	free(p);
	p = tu_path("%s/proc/80/task/80/cgroup", dir);
	tu_write_str(p, cg);
	free(p);
	p = tu_path("%s/cgroup/cpu.stat", dir);
	tu_write_str(p, "usage_usec 1\n");
	free(p);
	p = tu_path("%s/outside/cpu.stat", dir);
	tu_write_str(p, "usage_usec 999\n");
	free(p);
	return dir;
}

START_TEST(test_absolute_cgroup_trick)
{
	char *dir = tree_with_cgroup("0::/\n"), *line, *cgfile, *proc, *sys, *cgroot;
	struct ctprof_snapshot *s;

	/* "0:://TMP/outside": after the join strips one '/', "/TMP/outside" is
	 * still absolute, and TMP/outside/cpu.stat really holds usage_usec 999. */
	line = tu_path("0::/%s/outside\n", dir);
	cgfile = tu_path("%s/proc/80/task/80/cgroup", dir);
	tu_write_str(cgfile, line);
	proc = tu_path("%s/proc", dir);
	sys = tu_path("%s/sys", dir);
	cgroot = tu_path("%s/cgroup", dir);
	s = cap_roots(proc, sys, cgroot, CTPROF_CAPTURE_SYNTHETIC, 1, 0);
	ck_assert_uint_eq(s->n_threads, 1);
	ck_assert_uint_eq(s->n_cgroups, 1);
	ck_assert(strncmp(s->cgroups[0].path, "//", 2) == 0);
	ck_assert_uint_eq(s->cgroups[0].stats.cpu.usage_usec, 0);
	ctprof_snapshot_free(s);
	/* The control: the plain path "/" reads the root's usage_usec 1. */
	tu_write_str(cgfile, "0::/\n");
	s = cap_roots(proc, sys, cgroot, CTPROF_CAPTURE_SYNTHETIC, 1, 0);
	ck_assert_str_eq(s->cgroups[0].path, "/");
	ck_assert_uint_eq(s->cgroups[0].stats.cpu.usage_usec, 1);
	ctprof_snapshot_free(s);
	free(line);
	free(cgfile);
	free(proc);
	free(sys);
	free(cgroot);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/* ---- FIFOs never block ------------------------------------------------------ */

static void copy_file(const char *from, const char *to)
{
	size_t n;
	char *data = tu_read_file(from, &n);

	ck_assert_ptr_nonnull(data);
	tu_write_file(to, data, n);
	free(data);
}

START_TEST(test_fifo_does_not_block)
{
	static const char *const files[] = { "comm", "stat", "schedstat", "status", "io", "sched",
					     "cgroup" };
	char *dir = tu_mkdtemp("fifo"), *p, *q, *proc, *sys, *cg;
	struct ctprof_snapshot *s;
	const struct ctprof_thread *t;
	size_t i;

	p = tu_path("%s/proc-trees/ktstr-basic/proc/42/comm", CTPROF_FIXTURES_DIR);
	q = tu_path("%s/proc/42/comm", dir);
	copy_file(p, q);
	free(p);
	free(q);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		p = tu_path("%s/proc-trees/ktstr-basic/proc/42/task/101/%s", CTPROF_FIXTURES_DIR,
			    files[i]);
		q = tu_path("%s/proc/42/task/101/%s", dir, files[i]);
		copy_file(p, q);
		free(p);
		free(q);
	}
	/* FIFOs with no writer: an open for reading without O_NONBLOCK would
	 * hang forever. */
	p = tu_path("%s/proc/42/task/101/stat", dir);
	ck_assert_int_eq(unlink(p), 0);
	ck_assert_int_eq(mkfifo(p, 0600), 0);
	free(p);
	p = tu_path("%s/proc/pressure", dir);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	free(p);
	p = tu_path("%s/proc/pressure/cpu", dir);
	ck_assert_int_eq(mkfifo(p, 0600), 0);
	free(p);
	p = tu_path("%s/sys/kernel/sched_ext/enable_seq", dir);
	tu_write_str(p, "5\n");
	free(p);
	p = tu_path("%s/sys/kernel/sched_ext/state", dir);
	ck_assert_int_eq(mkfifo(p, 0600), 0);
	free(p);
	p = tu_path("%s/cgroup/ktstr.slice/worker0/memory.current", dir);
	tu_write_str(p, "12\n");
	free(p);
	p = tu_path("%s/cgroup/ktstr.slice/worker0/cpu.stat", dir);
	ck_assert_int_eq(mkfifo(p, 0600), 0);
	free(p);

	proc = tu_path("%s/proc", dir);
	sys = tu_path("%s/sys", dir);
	cg = tu_path("%s/cgroup", dir);
	alarm(20); /* belt and braces on top of the Check timeout */
	s = cap_roots(proc, sys, cg, CTPROF_CAPTURE_SYNTHETIC, 2, 0);
	alarm(0);
	ck_assert_uint_eq(s->n_threads, 1);
	t = &s->threads[0];
	/* stat was a FIFO: its fields are absent, the rest is read */
	ck_assert_str_eq(t->comm, "demo-worker");
	ck_assert_uint_eq(t->start_time_clock_ticks, 0);
	ck_assert_str_eq(t->policy, "");
	ck_assert_uint_eq(t->run_time_ns, 1000000);
	ck_assert_uint_eq(t->voluntary_csw, 42);
	ck_assert(psi_zero(&s->psi));
	ck_assert_ptr_nonnull(s->sched_ext);
	ck_assert_str_eq(s->sched_ext->state, "");
	ck_assert_uint_eq(s->sched_ext->enable_seq, 5);
	ck_assert_uint_eq(s->n_cgroups, 1);
	ck_assert_uint_eq(s->cgroups[0].stats.cpu.usage_usec, 0);
	ck_assert_uint_eq(s->cgroups[0].stats.memory.current, 12);
	ctprof_snapshot_free(s);

	/* In live mode the FIFO stat counts as a failed read. */
	s = cap_roots(proc, sys, cg, CTPROF_CAPTURE_LIVE, 2, 0);
	ck_assert_uint_eq(s->n_threads, 1);
	ck_assert_uint_eq(kv(&s->parse_summary->read_failures_by_file, "stat"), 1);
	ctprof_snapshot_free(s);
	free(proc);
	free(sys);
	free(cg);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/* ---- kernel-format variants ---------------------------------------------------- */

START_TEST(test_fmt_schedstats_off)
{
	struct ctprof_snapshot *s = cap("fmt-sched-schedstats-off");
	const struct ctprof_thread *t = &s->threads[0];

	/* only the always-printed keys */
	ck_assert_uint_eq(t->nr_migrations, 5);
	ck_assert_uint_eq(t->fair_slice_ns, 1400000);
	ck_assert_uint_eq(t->nr_wakeups, 0);
	ck_assert_uint_eq(t->wait_sum, 0);
	ck_assert_uint_eq(t->wait_count, 0);
	ck_assert_uint_eq(t->voluntary_sleep_ns, 0);
	ck_assert_uint_eq(t->exec_max, 0);
	ck_assert(!t->ext_enabled);
	ctprof_snapshot_free(s);
}
END_TEST

START_TEST(test_fmt_se_statistics)
{
	struct ctprof_snapshot *s = cap("fmt-sched-se-statistics");
	const struct ctprof_thread *t = &s->threads[0];

	ck_assert_str_eq(t->pcomm, "mysqld");
	ck_assert_uint_eq(t->nr_wakeups, 3999);
	ck_assert_uint_eq(t->nr_wakeups_local, 3000);
	ck_assert_uint_eq(t->nr_wakeups_remote, 999);
	ck_assert_uint_eq(t->nr_wakeups_sync, 10);
	ck_assert_uint_eq(t->nr_wakeups_migrate, 60);
	ck_assert_uint_eq(t->nr_wakeups_affine, 7);
	ck_assert_uint_eq(t->nr_wakeups_affine_attempts, 70);
	ck_assert_uint_eq(t->nr_migrations, 64);
	ck_assert_uint_eq(t->nr_forced_migrations, 0);
	ck_assert_uint_eq(t->nr_failed_migrations_running, 9);
	ck_assert_uint_eq(t->nr_failed_migrations_hot, 1);
	ck_assert_uint_eq(t->wait_sum, 120000060ull);
	ck_assert_uint_eq(t->wait_count, 4000);
	ck_assert_uint_eq(t->wait_max, 11000050ull);
	ck_assert_uint_eq(t->voluntary_sleep_ns, 7500000000ull);
	ck_assert_uint_eq(t->sleep_max, 900000010ull);
	ck_assert_uint_eq(t->block_sum, 2500000005ull);
	ck_assert_uint_eq(t->block_max, 80000020ull);
	ck_assert_uint_eq(t->iowait_sum, 33000070ull);
	ck_assert_uint_eq(t->iowait_count, 12);
	ck_assert_uint_eq(t->exec_max, 4000030ull);
	ck_assert_uint_eq(t->slice_max, 6000040ull);
	ck_assert(!t->ext_enabled);
	ctprof_snapshot_free(s);
}
END_TEST

START_TEST(test_fmt_ext_enabled)
{
	struct ctprof_snapshot *s = cap("fmt-sched-ext-enabled");
	const struct ctprof_thread *t;

	ck_assert_uint_eq(s->n_threads, 2);
	t = tu_get_tid(s, 777);
	ck_assert(t->ext_enabled);
	ck_assert_str_eq(t->policy, "SCHED_EXT");
	ck_assert_uint_eq(t->fair_slice_ns, 3000000);
	ck_assert_uint_eq(t->nr_migrations, 3);
	/* "foo.enabled : 1" is not ext.enabled */
	t = tu_get_tid(s, 778);
	ck_assert(!t->ext_enabled);
	ck_assert_uint_eq(t->fair_slice_ns, 3000000);
	ck_assert_uint_eq(t->nr_threads, 0); /* not the leader */
	ctprof_snapshot_free(s);
}
END_TEST

static void assert_common_psi(const struct ctprof_psi *p)
{
	ck_assert_uint_eq(p->cpu.some.avg10, 150);
	ck_assert_uint_eq(p->cpu.some.avg60, 25);
	ck_assert_uint_eq(p->cpu.some.avg300, 1);
	ck_assert_uint_eq(p->cpu.some.total_usec, 123456);
	ck_assert_uint_eq(p->cpu.full.total_usec, 0);
	ck_assert_uint_eq(p->memory.some.avg60, 18);
	ck_assert_uint_eq(p->memory.some.total_usec, 9737625);
	ck_assert_uint_eq(p->memory.full.avg60, 17);
	ck_assert_uint_eq(p->memory.full.total_usec, 9447713);
	ck_assert_uint_eq(p->io.some.avg10, 10000);
	ck_assert_uint_eq(p->io.some.total_usec, 55);
	ck_assert_uint_eq(p->io.full.avg10, 9999);
	ck_assert_uint_eq(p->io.full.total_usec, 44);
}

START_TEST(test_fmt_psi)
{
	struct ctprof_snapshot *s = cap("fmt-psi-irq");

	assert_common_psi(&s->psi);
	ck_assert_uint_eq(s->psi.irq.full.avg10, 12);
	ck_assert_uint_eq(s->psi.irq.full.avg60, 34);
	ck_assert_uint_eq(s->psi.irq.full.avg300, 56);
	ck_assert_uint_eq(s->psi.irq.full.total_usec, 7890);
	ck_assert_uint_eq(s->psi.irq.some.total_usec, 0);
	ck_assert_uint_eq(s->n_threads, 0);
	ctprof_snapshot_free(s);

	s = cap("fmt-psi-no-irq");
	assert_common_psi(&s->psi);
	ck_assert_uint_eq(s->psi.irq.full.avg10, 0);
	ck_assert_uint_eq(s->psi.irq.full.total_usec, 0);
	ck_assert_uint_eq(s->psi.irq.some.total_usec, 0);
	ctprof_snapshot_free(s);
}
END_TEST

START_TEST(test_sched_ext_states)
{
	static const struct {
		const char *state;
		uint64_t switch_all, nr_rejected, hotplug_seq, enable_seq;
	} want[] = {
		{ "enabled", 1, 0, 3, 7 },
		{ "enabling", 0, 0, 3, 6 },
		{ "disabling", 1, 2, 3, 7 },
		{ "disabled", 0, 0, 3, 7 },
	};
	size_t i;

	for (i = 0; i < 4; i++) {
		char *c = tu_path("sched-ext-%s", want[i].state);
		struct ctprof_snapshot *s = cap(c);

		ck_assert_ptr_nonnull(s->sched_ext);
		ck_assert_str_eq(s->sched_ext->state, want[i].state);
		ck_assert_uint_eq(s->sched_ext->switch_all, want[i].switch_all);
		ck_assert_uint_eq(s->sched_ext->nr_rejected, want[i].nr_rejected);
		ck_assert_uint_eq(s->sched_ext->hotplug_seq, want[i].hotplug_seq);
		ck_assert_uint_eq(s->sched_ext->enable_seq, want[i].enable_seq);
		ctprof_snapshot_free(s);
		free(c);
	}
}
END_TEST

START_TEST(test_sibling_roots)
{
	/* Synthetic mode with --proc-root alone reads CASE/sys and CASE/cgroup. */
	char *proc = tu_path("%s/proc-trees/sched-ext-enabled/proc/", CTPROF_FIXTURES_DIR);
	struct ctprof_snapshot *s = cap_roots(proc, NULL, NULL, CTPROF_CAPTURE_AUTO, 1, 0);

	ck_assert_ptr_nonnull(s->sched_ext);
	ck_assert_str_eq(s->sched_ext->state, "enabled");
	assert_synthetic(s);
	ctprof_snapshot_free(s);
	free(proc);
	proc = tu_path("%s/proc-trees/edge-unsafe-cgroup/proc", CTPROF_FIXTURES_DIR);
	s = cap_roots(proc, NULL, NULL, CTPROF_CAPTURE_SYNTHETIC, 1, 0);
	ck_assert_uint_eq(tu_get_cgroup(s, "/ok")->cpu.usage_usec, 5);
	ctprof_snapshot_free(s);
	free(proc);
}
END_TEST

/* ---- determinism ------------------------------------------------------------ */

/* A bigger tree: tgids 9, 10, 100 and 1000+k with many threads each, so
 * that chunks go to different workers and numeric order differs from
 * lexical order. */
static char *big_tree(size_t *nthreads)
{
	static const uint32_t tgids[] = { 1000, 100, 10, 9, 1001, 1002, 1003 };
	static const unsigned ntid[] = { 150, 3, 1, 70, 64, 65, 200 };
	char *dir = tu_mkdtemp("bigtree"), *p;
	size_t i, k;

	*nthreads = 0;
	for (i = 0; i < sizeof(tgids) / sizeof(tgids[0]); i++) {
		p = tu_path("%s/proc/%u/comm", dir, tgids[i]);
		tu_write_str(p, "big\n");
		free(p);
		for (k = 0; k < ntid[i]; k++) {
			uint32_t tid = k == 0 ? tgids[i] : tgids[i] * 1000 + (uint32_t)k;
			char *stat, *data;

			p = tu_path("%s/proc/%u/task/%u/comm", dir, tgids[i], tid);
			data = tu_path("w%zu\n", k);
			tu_write_str(p, data);
			free(p);
			free(data);
			p = tu_path("%s/proc/%u/task/%u/stat", dir, tgids[i], tid);
			stat = tu_path("%u (w%zu) S 1 %u %u 0 -1 0 %zu 0 0 0 %zu 1 0 0 20 0 1 0 %zu 0 0\n",
				       tid, k, tgids[i], tgids[i], k, k * 3, 1000 + k);
			tu_write_str(p, stat);
			free(p);
			free(stat);
			p = tu_path("%s/proc/%u/task/%u/schedstat", dir, tgids[i], tid);
			data = tu_path("%zu %zu %zu\n", k * 1000, k * 10, k);
			tu_write_str(p, data);
			free(p);
			free(data);
			p = tu_path("%s/proc/%u/task/%u/cgroup", dir, tgids[i], tid);
			data = tu_path("0::/slice/g%zu\n", k % 5);
			tu_write_str(p, data);
			free(p);
			free(data);
			/* a ghost every 17 threads (empty directory) */
			if (k % 17 == 16) {
				p = tu_path("%s/proc/%u/task/%u", dir, tgids[i], tid + 500);
				ck_assert_int_eq(mkdir(p, 0755), 0);
				free(p);
			}
			(*nthreads)++;
		}
	}
	return dir;
}

START_TEST(test_byte_identical)
{
	static const char *const cases[] = { "ktstr-basic", "edge-unsafe-cgroup", "fmt-psi-irq",
					     "sched-ext-disabling", "edge-junk-dirs",
					     "fmt-sched-se-statistics" };
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ctprof_snapshot *a = cap_mode(cases[i], CTPROF_CAPTURE_SYNTHETIC, 1);
		struct ctprof_snapshot *b = cap_mode(cases[i], CTPROF_CAPTURE_SYNTHETIC, 4);
		struct ctprof_snapshot *c = cap_mode(cases[i], CTPROF_CAPTURE_SYNTHETIC, 4);
		size_t la, lb, lc;
		char *ja = json_of(a, &la), *jb = json_of(b, &lb), *jc = json_of(c, &lc);

		ck_assert_msg(la == lb && memcmp(ja, jb, la) == 0, "%s: jobs 1 vs 4 differ", cases[i]);
		ck_assert_msg(lb == lc && memcmp(jb, jc, lb) == 0, "%s: two runs differ", cases[i]);
		free(ja);
		free(jb);
		free(jc);
		ctprof_snapshot_free(a);
		ctprof_snapshot_free(b);
		ctprof_snapshot_free(c);
	}
}
END_TEST

START_TEST(test_big_tree_order_and_identity)
{
	size_t n, i, la, lb;
	char *dir = big_tree(&n), *proc = tu_path("%s/proc", dir), *ja, *jb;
	struct ctprof_snapshot *a = cap_roots(proc, NULL, NULL, CTPROF_CAPTURE_SYNTHETIC, 1, 0);
	struct ctprof_snapshot *b = cap_roots(proc, NULL, NULL, CTPROF_CAPTURE_SYNTHETIC, 4, 0);

	ck_assert_uint_eq(a->n_threads, n);
	ck_assert_uint_eq(b->n_threads, n);
	/* tgids, then tids, ascending numerically (9 < 10 < 100 < 1000) */
	ck_assert_uint_eq(a->threads[0].tgid, 9);
	for (i = 1; i < a->n_threads; i++) {
		const struct ctprof_thread *p = &a->threads[i - 1], *t = &a->threads[i];

		ck_assert(p->tgid < t->tgid || (p->tgid == t->tgid && p->tid < t->tid));
		ck_assert_str_eq(t->pcomm, "big");
		ck_assert(t->comm[0] == 'w');
		ck_assert_uint_eq(t->start_time_clock_ticks,
				  1000 + (t->tid == t->tgid ? 0 : t->tid % 1000));
	}
	ck_assert_uint_eq(a->n_cgroups, 5);
	ck_assert_str_eq(a->cgroups[0].path, "/slice/g0");
	ck_assert_str_eq(a->cgroups[4].path, "/slice/g4");
	ja = json_of(a, &la);
	jb = json_of(b, &lb);
	ck_assert_msg(la == lb && memcmp(ja, jb, la) == 0, "big tree: jobs 1 vs 4 differ");
	free(ja);
	free(jb);
	ctprof_snapshot_free(a);
	ctprof_snapshot_free(b);
	free(proc);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/* ---- the capture command ----------------------------------------------------- */

struct res {
	int rc;
	char *out, *err;
};

static struct res run_args(const char *const *args)
{
	char *argv[24];
	struct res r;
	int n = 0;

	argv[n++] = (char *)tu_harness();
	while (args[n - 1] && n < 23) {
		argv[n] = (char *)args[n - 1];
		n++;
	}
	argv[n] = NULL;
	r.rc = tu_run(argv, &r.out, &r.err, 60);
	return r;
}

#define RUN(...) run_args((const char *const[]){ __VA_ARGS__, NULL })

static void res_free(struct res *r)
{
	free(r->out);
	free(r->err);
}

static size_t count_lines(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

START_TEST(test_cli_capture_fixture)
{
	char *dir = tu_mkdtemp("clicap"), *a = tu_path("%s/a.ctprof.zst", dir),
	     *b = tu_path("%s/b.ctprof.zst", dir), *proc, *want, *da, *db;
	struct roots r = roots_of("edge-unsafe-cgroup");
	struct ctprof_snapshot *s = NULL, *direct;
	struct ctprof_error err = { 0 };
	size_t la, lb, lj, ld;
	struct res x;
	char *j, *jd;

	x = RUN("capture", "-o", a, "--proc-root", r.proc, "--sys-root", r.sys, "--cgroup-root",
		r.cg, "--captured-at", "1714000000000000000", "--jobs", "1");
	ck_assert_msg(x.rc == 0, "rc %d: %s", x.rc, x.err);
	want = tu_path("ctprof-harness: wrote %s: 4 threads, 1 processes, 4 cgroups in ", a);
	ck_assert_msg(strncmp(x.err, want, strlen(want)) == 0, "stderr: %s", x.err);
	ck_assert_uint_eq(count_lines(x.err), 1); /* synthetic: no summary lines */
	ck_assert_str_eq(x.out, "");
	free(want);
	res_free(&x);
	/* byte-identical, with a different worker count and the sibling roots */
	x = RUN("capture", "--output", b, "--synthetic", "--proc-root", r.proc, "--captured-at",
		"1714000000000000000", "--jobs", "4");
	ck_assert_msg(x.rc == 0, "rc %d: %s", x.rc, x.err);
	res_free(&x);
	da = tu_read_file(a, &la);
	db = tu_read_file(b, &lb);
	ck_assert_ptr_nonnull(da);
	ck_assert_ptr_nonnull(db);
	ck_assert_msg(la == lb && memcmp(da, db, la) == 0, "capture files differ");
	free(da);
	free(db);
	/* The file holds what the library captures (compact JSON, zstd). */
	ck_assert_int_eq(ctprof_snapshot_load(a, &s, &err), 0);
	direct = cap_roots(r.proc, r.sys, r.cg, CTPROF_CAPTURE_SYNTHETIC, 2, 0);
	j = json_of(s, &lj);
	jd = json_of(direct, &ld);
	ck_assert_msg(lj == ld && memcmp(j, jd, lj) == 0, "loaded file differs from the capture");
	free(j);
	free(jd);
	ctprof_snapshot_free(s);
	ctprof_snapshot_free(direct);

	/* --live on a fixture prints the §4.9 summary lines (info) by default */
	proc = tu_path("%s/proc-trees/edge-parse-tally/proc", CTPROF_FIXTURES_DIR);
	x = RUN("capture", "-o", a, "--live", "--proc-root", proc, "--pid", "60");
	ck_assert_msg(x.rc == 0, "rc %d: %s", x.rc, x.err);
	ck_assert_uint_eq(count_lines(x.err), 3);
	ck_assert_ptr_nonnull(strstr(x.err, "ctprof-harness: info: ctprof probe: 1 tgids walked, "
					    "0 jemalloc detected, 0 probed OK, 0 failed\n"));
	ck_assert_ptr_nonnull(strstr(x.err, "ctprof-harness: info: ctprof parse: 4 tids walked, "
					    "3 read failures, 2 negative-dotted values (dominant: io); hint: "));
	ck_assert_ptr_nonnull(strstr(x.err, ": 3 threads, 1 processes, 1 cgroups in "));
	res_free(&x);
	/* --no-probe: phase 1 does not run, the summary line is all zeros */
	x = RUN("capture", "-o", a, "--live", "--proc-root", proc, "--pid", "60", "--no-probe");
	ck_assert_msg(x.rc == 0, "rc %d: %s", x.rc, x.err);
	ck_assert_uint_eq(count_lines(x.err), 3);
	ck_assert_ptr_nonnull(strstr(x.err, "ctprof-harness: info: ctprof probe: 0 tgids walked, "
					    "0 jemalloc detected, 0 probed OK, 0 failed\n"));
	res_free(&x);
	/* -q hides them all */
	x = RUN("-q", "capture", "-o", a, "--live", "--proc-root", proc, "--pid", "60");
	ck_assert_int_eq(x.rc, 0);
	ck_assert_str_eq(x.err, "");
	res_free(&x);
	free(proc);
	/* several --pid */
	x = RUN("capture", "-o", a, "--proc-root", r.proc, "--pid", "71", "--pid", "70");
	ck_assert_msg(x.rc == 0, "rc %d: %s", x.rc, x.err);
	ck_assert_ptr_nonnull(strstr(x.err, ": 4 threads, 1 processes, 4 cgroups in "));
	res_free(&x);
	/* --pid of a process that is not in the tree: an empty snapshot */
	x = RUN("capture", "-o", a, "--proc-root", r.proc, "--pid", "71");
	ck_assert_int_eq(x.rc, 0);
	ck_assert_ptr_nonnull(strstr(x.err, ": 0 threads, 0 processes, 0 cgroups in "));
	res_free(&x);

	unlink(a);
	unlink(b);
	rmdir(dir);
	free(a);
	free(b);
	free(dir);
	roots_free(&r);
}
END_TEST

START_TEST(test_cli_capture_errors)
{
	const char *const *const bad[] = {
		(const char *const[]){ "capture", NULL },
		(const char *const[]){ "capture", "-o", "/tmp/x", "--synthetic", "--live", NULL },
		(const char *const[]){ "capture", "-o", "/tmp/x", "--pid", "0", NULL },
		(const char *const[]){ "capture", "-o", "/tmp/x", "--pid", "12x", NULL },
		(const char *const[]){ "capture", "-o", "/tmp/x", "--pid", "-3", NULL },
		(const char *const[]){ "capture", "-o", "/tmp/x", "--jobs", "0", NULL },
		(const char *const[]){ "capture", "-o", "/tmp/x", "--jobs", "257", NULL },
		(const char *const[]){ "capture", "-o", "/tmp/x", "--captured-at", "1e9", NULL },
		(const char *const[]){ "capture", "-o", "/tmp/x", "--captured-at",
				       "18446744073709551616", NULL },
		(const char *const[]){ "capture", "-o", "/tmp/x", "--proc-root", "", NULL },
		(const char *const[]){ "capture", "-o", "/tmp/x", "extra", NULL },
		(const char *const[]){ "capture", "-o", NULL },
		(const char *const[]){ "capture", "--bogus", NULL },
	};
	char *dir = tu_mkdtemp("clierr"), *out = tu_path("%s/no/such/dir/x.ctprof.zst", dir);
	struct roots r = roots_of("ktstr-basic");
	size_t i;
	struct res x;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		x = run_args(bad[i]);
		ck_assert_msg(x.rc == 2, "case %zu: rc %d", i, x.rc);
		ck_assert_msg(strncmp(x.err, "ctprof-harness: ", 16) == 0 && count_lines(x.err) == 1,
			      "case %zu: stderr '%s'", i, x.err);
		res_free(&x);
	}
	/* A write error: one line naming the path, exit 2, nothing left behind. */
	x = RUN("capture", "-o", out, "--proc-root", r.proc);
	ck_assert_int_eq(x.rc, 2);
	ck_assert_uint_eq(count_lines(x.err), 1);
	ck_assert_ptr_nonnull(strstr(x.err, out));
	res_free(&x);
	/* The largest --captured-at is accepted. */
	free(out);
	out = tu_path("%s/max.ctprof.zst", dir);
	x = RUN("capture", "-o", out, "--proc-root", r.proc, "--captured-at", "18446744073709551615");
	ck_assert_msg(x.rc == 0, "%s", x.err);
	res_free(&x);
	{
		struct ctprof_snapshot *s = NULL;
		struct ctprof_error err = { 0 };

		ck_assert_int_eq(ctprof_snapshot_load(out, &s, &err), 0);
		ck_assert_uint_eq(s->captured_at_unix_ns, U64MAX);
		ctprof_snapshot_free(s);
	}
	x = RUN("capture", "--help");
	ck_assert_int_eq(x.rc, 0);
	ck_assert_ptr_nonnull(strstr(x.out, "--proc-root"));
	ck_assert_ptr_nonnull(strstr(x.out, "--captured-at"));
	res_free(&x);
	unlink(out);
	free(out);
	tu_rmtree(dir);
	free(dir);
	roots_free(&r);
}
END_TEST

static Suite *capture_suite(void)
{
	Suite *s = suite_create("capture");
	TCase *tf = tcase_create("fixtures");
	TCase *te = tcase_create("edge-cases");
	TCase *td = tcase_create("determinism");
	TCase *tc = tcase_create("cli");

	tcase_set_timeout(tf, 60);
	tcase_add_test(tf, test_ktstr_basic);
	tcase_add_test(tf, test_fmt_schedstats_off);
	tcase_add_test(tf, test_fmt_se_statistics);
	tcase_add_test(tf, test_fmt_ext_enabled);
	tcase_add_test(tf, test_fmt_psi);
	tcase_add_test(tf, test_sched_ext_states);
	tcase_add_test(tf, test_sibling_roots);
	suite_add_tcase(s, tf);

	tcase_set_timeout(te, 60);
	tcase_add_test(te, test_ghost_tid);
	tcase_add_test(te, test_empty_and_missing_proc);
	tcase_add_test(te, test_no_task_dir);
	tcase_add_test(te, test_junk_dirs);
	tcase_add_test(te, test_pid_option);
	tcase_add_test(te, test_corrupt_stat);
	tcase_add_test(te, test_missing_files);
	tcase_add_test(te, test_corrupt_status);
	tcase_add_test(te, test_sched_without_block);
	tcase_add_test(te, test_non_utf8_comm);
	tcase_add_test(te, test_exe_shared_live);
	tcase_add_test(te, test_parse_tally_live);
	tcase_add_test(te, test_unsafe_cgroup_paths);
	tcase_add_test(te, test_absolute_cgroup_trick);
	tcase_add_test(te, test_fifo_does_not_block);
	suite_add_tcase(s, te);

	tcase_set_timeout(td, 120);
	tcase_add_test(td, test_byte_identical);
	tcase_add_test(td, test_big_tree_order_and_identity);
	suite_add_tcase(s, td);

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_cli_capture_fixture);
	tcase_add_test(tc, test_cli_capture_errors);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(capture_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
