/* SPDX-License-Identifier: MIT */
/* Intervals (DESIGN.md §1): matching, counters, resets, exit records, cgroups, files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <ctprof/interval.h>
#include "test_compare_util.h"
#include "testutil.h"

/*
 * before: T1 (tid 1, start 100) run 100, wait_max 5, minflt 10, nice 0
 *         T2 (tid 2, start 200), T3 (tid 3, start 300), T4 (tid 4, start 400) run 50
 * after:  T1 run 250, wait_max 3, minflt 4 (backwards: reset), nice -2
 *         tid 2 with start 999: a reused tid -> born, counted from zero
 * exit records: T4 run 80 (-> 30, exited), T1 (alive in after: ignored)
 * T3 is in neither: vanished.
 */
static void build(struct ctprof_snapshot **pb, struct ctprof_snapshot **pa)
{
	struct ctprof_snapshot *b = tc_snap(), *a = tc_snap();
	struct ctprof_thread *t;
	struct ctprof_cgroup_stats *cb, *ca;

	b->captured_at_unix_ns = 1000;
	a->captured_at_unix_ns = 5000;
	t = tc_thread(b, 1, 1, "app", "main", "/x");
	t->start_time_clock_ticks = 100, t->run_time_ns = 100, t->wait_max = 5, t->minflt = 10;
	tc_thread(b, 2, 1, "app", "w", "/x")->start_time_clock_ticks = 200;
	b->threads[1].run_time_ns = 70;
	tc_thread(b, 3, 1, "app", "gone", "/x")->start_time_clock_ticks = 300;
	tc_thread(b, 4, 1, "app", "quit", "/x")->start_time_clock_ticks = 400;
	b->threads[3].run_time_ns = 50;
	t = tc_thread(a, 1, 1, "app", "main", "/x");
	t->start_time_clock_ticks = 100, t->run_time_ns = 250, t->wait_max = 3, t->minflt = 4;
	t->nice = -2;
	ctprof_kvmap_set(&t->smaps_rollup_kib, "Rss", 77);
	t = tc_thread(a, 2, 1, "app", "w2", "/x");
	t->start_time_clock_ticks = 999, t->run_time_ns = 40;

	cb = tc_cgroup(b, "/x");
	cb->cpu.usage_usec = 100, cb->memory.current = 5;
	ctprof_kvmap_set(&cb->memory.stat, "anon", 4);
	ctprof_kvmap_set(&cb->memory.stat, "pgfault", 10);
	ctprof_kvmap_set(&cb->memory.events, "oom", 1);
	cb->psi.io.some.total_usec = 10, cb->psi.io.some.avg10 = 50;
	ca = tc_cgroup(a, "/x");
	ca->cpu.usage_usec = 160, ca->memory.current = 9;
	ca->memory.max = (struct ctprof_opt_u64){ true, 4096 };
	ctprof_kvmap_set(&ca->memory.stat, "anon", 2);
	ctprof_kvmap_set(&ca->memory.stat, "pgfault", 15);
	ctprof_kvmap_set(&ca->memory.events, "oom", 1);
	ca->psi.io.some.total_usec = 30, ca->psi.io.some.avg10 = 7;
	b->psi.cpu.some.total_usec = 1000;
	a->psi.cpu.some.total_usec = 1500;
	a->psi.cpu.some.avg60 = 123;
	a->host = calloc(1, sizeof(*a->host));
	a->host->kernel_release = strdup("6.1.0");
	a->host->online_cpus = (struct ctprof_opt_u64){ true, 8 };
	a->sched_ext = calloc(1, sizeof(*a->sched_ext));
	a->sched_ext->state = strdup("enabled");
	a->sched_ext->enable_seq = 3;
	*pb = b;
	*pa = a;
}

static void test_interval(void **state)
{
	struct ctprof_snapshot *b, *a, *iv = NULL;
	struct ctprof_interval_stats st;
	struct ctprof_interval_opts o = { sizeof(o), NULL, 0 };
	struct ctprof_thread ex[2];
	const struct ctprof_thread *t;
	uint64_t v;

	(void)state;
	build(&b, &a);
	ctprof_thread_init(&ex[0]);
	ex[0].tid = 4, ex[0].start_time_clock_ticks = 400, ex[0].run_time_ns = 80;
	ctprof_thread_init(&ex[1]);
	ex[1].tid = 1, ex[1].start_time_clock_ticks = 100, ex[1].run_time_ns = 999;
	o.exited = ex;
	o.n_exited = 2;
	assert_int_equal(ctprof_interval(b, a, &o, &iv, &st, NULL), 0);
	assert_int_equal(st.matched, 1);
	assert_int_equal(st.born, 1);
	assert_int_equal(st.exited, 1);
	assert_int_equal(st.vanished, 2); /* T2 (tid reused) and T3 */
	assert_int_equal(st.counter_resets, 1);
	assert_non_null(iv->interval);
	assert_int_equal(iv->interval->from_unix_ns, 1000);
	assert_int_equal(iv->interval->to_unix_ns, 5000);
	assert_int_equal(iv->captured_at_unix_ns, 5000);
	assert_int_equal(iv->n_threads, 3);
	t = &iv->threads[0];
	assert_int_equal(t->run_time_ns, 150); /* counter: 250 - 100 */
	assert_int_equal(t->wait_max, 3);      /* peak: from after */
	assert_int_equal(t->minflt, 4);        /* went backwards: after value */
	assert_int_equal(t->nice, -2);         /* ordinal: from after */
	assert_true(ctprof_kvmap_get(&t->smaps_rollup_kib, "Rss", &v) && v == 77);
	assert_string_equal(t->comm, "main");
	assert_false(t->exited);
	t = &iv->threads[1];
	assert_int_equal(t->start_time_clock_ticks, 999);
	assert_int_equal(t->run_time_ns, 40); /* born: from zero */
	t = &iv->threads[2];
	assert_int_equal(t->tid, 4);
	assert_true(t->exited);
	assert_int_equal(t->run_time_ns, 30);
	/* cgroups: counters subtract, gauges and limits from after */
	assert_int_equal(iv->n_cgroups, 1);
	assert_int_equal(iv->cgroups[0].stats.cpu.usage_usec, 60);
	assert_int_equal(iv->cgroups[0].stats.memory.current, 9);
	assert_true(iv->cgroups[0].stats.memory.max.set);
	assert_true(ctprof_kvmap_get(&iv->cgroups[0].stats.memory.stat, "anon", &v) && v == 2);
	assert_true(ctprof_kvmap_get(&iv->cgroups[0].stats.memory.stat, "pgfault", &v) && v == 5);
	assert_true(ctprof_kvmap_get(&iv->cgroups[0].stats.memory.events, "oom", &v) && v == 0);
	assert_int_equal(iv->cgroups[0].stats.psi.io.some.total_usec, 20);
	assert_int_equal(iv->cgroups[0].stats.psi.io.some.avg10, 7);
	assert_int_equal(iv->psi.cpu.some.total_usec, 500);
	assert_int_equal(iv->psi.cpu.some.avg60, 123);
	/* host and sched_ext are deep copies of after */
	assert_non_null(iv->host);
	assert_ptr_not_equal(iv->host->kernel_release, a->host->kernel_release);
	assert_string_equal(iv->host->kernel_release, "6.1.0");
	assert_string_equal(iv->sched_ext->state, "enabled");
	ctprof_snapshot_free(iv);
	ctprof_thread_clear(&ex[0]);
	ctprof_thread_clear(&ex[1]);
	/* no options, no stats */
	assert_int_equal(ctprof_interval(b, a, NULL, &iv, NULL, NULL), 0);
	assert_int_equal(iv->n_threads, 2);
	ctprof_snapshot_free(iv);
	ctprof_snapshot_free(b);
	ctprof_snapshot_free(a);
	assert_true(ctprof_memory_stat_is_gauge("slab_reclaimable"));
	assert_false(ctprof_memory_stat_is_gauge("pgfault"));
}

/* The interval file round-trips and compares as a snapshot; run directories load. */
static void test_files(void **state)
{
	struct ctprof_snapshot *b, *a, *iv = NULL, *back = NULL;
	struct ctprof_error err = { 0 };
	char *dir = tu_mkdtemp("interval"), *p;

	(void)state;
	build(&b, &a);
	assert_int_equal(ctprof_interval(b, a, NULL, &iv, NULL, NULL), 0);
	p = tu_path("%s/iv.ctprof.zst", dir);
	assert_int_equal(ctprof_snapshot_write(iv, p, &err), 0);
	assert_int_equal(ctprof_snapshot_load(p, &back, &err), 0);
	assert_non_null(back->interval);
	assert_int_equal(back->interval->from_unix_ns, 1000);
	assert_int_equal(back->threads[0].run_time_ns, 150);
	ctprof_snapshot_free(back);
	free(p);
	/* a run directory with before/after only: its interval is computed */
	p = tu_path("%s/before.ctprof.zst", dir);
	assert_int_equal(ctprof_snapshot_write(b, p, &err), 0);
	free(p);
	p = tu_path("%s/after.ctprof.zst", dir);
	assert_int_equal(ctprof_snapshot_write(a, p, &err), 0);
	free(p);
	p = tu_path("%s/iv.ctprof.zst", dir);
	unlink(p);
	free(p);
	assert_int_equal(ctprof_load_input(dir, &back, &err), 0);
	assert_non_null(back->interval);
	assert_int_equal(back->threads[0].run_time_ns, 150);
	ctprof_snapshot_free(back);
	/* interval.ctprof.zst, when present, wins */
	iv->threads[0].run_time_ns = 12345;
	p = tu_path("%s/interval.ctprof.zst", dir);
	assert_int_equal(ctprof_snapshot_write(iv, p, &err), 0);
	free(p);
	assert_int_equal(ctprof_load_input(dir, &back, &err), 0);
	assert_int_equal(back->threads[0].run_time_ns, 12345);
	ctprof_snapshot_free(back);
	/* an empty directory is an error that names it */
	p = tu_path("%s/empty", dir);
	mkdir(p, 0755);
	assert_int_equal(ctprof_load_input(p, &back, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "run directory"));
	assert_int_equal(strncmp(err.msg, p, strlen(p)), 0);
	free(p);
	ctprof_snapshot_free(iv);
	ctprof_snapshot_free(b);
	ctprof_snapshot_free(a);
	tu_rmtree(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_interval),
		cmocka_unit_test(test_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
