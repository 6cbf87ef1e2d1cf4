/* SPDX-License-Identifier: MIT */
/*
 * The compare engine: registries, grouping, aggregation, Absent, deltas,
 * sorting, uptime, fudging, smaps keys and the cgroup-stats merge.
 * Expected values are worked out in the comments from the inputs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <math.h>
#include <cmocka.h>

#include "test_compare_util.h"

/* compare-engine.md §6, rows 1-87 in order. */
static const char *const spec_registry[CTPROF_NMETRICS] = {
	"thread_count", "policy", "nice", "priority", "rt_priority", "cpu_affinity", "processor",
	"state", "ext_enabled", "nr_threads", "run_time_ns", "wait_time_ns", "timeslices",
	"voluntary_csw", "nonvoluntary_csw", "nr_wakeups", "nr_wakeups_local", "nr_wakeups_remote",
	"nr_wakeups_sync", "nr_wakeups_migrate", "nr_wakeups_affine", "nr_wakeups_affine_attempts",
	"nr_migrations", "nr_forced_migrations", "nr_failed_migrations_affine",
	"nr_failed_migrations_running", "nr_failed_migrations_hot", "wait_sum", "wait_count",
	"wait_max", "voluntary_sleep_ns", "sleep_max", "block_sum", "block_max", "iowait_sum",
	"iowait_count", "exec_max", "slice_max", "core_forceidle_sum", "fair_slice_ns",
	"allocated_bytes", "deallocated_bytes", "minflt", "majflt", "utime_clock_ticks",
	"stime_clock_ticks", "rchar", "wchar", "syscr", "syscw", "read_bytes", "write_bytes",
	"cancelled_write_bytes",
	"cpu_delay_count", "cpu_delay_total_ns", "cpu_delay_max_ns", "cpu_delay_min_ns",
	"blkio_delay_count", "blkio_delay_total_ns", "blkio_delay_max_ns", "blkio_delay_min_ns",
	"swapin_delay_count", "swapin_delay_total_ns", "swapin_delay_max_ns", "swapin_delay_min_ns",
	"freepages_delay_count", "freepages_delay_total_ns", "freepages_delay_max_ns",
	"freepages_delay_min_ns", "thrashing_delay_count", "thrashing_delay_total_ns",
	"thrashing_delay_max_ns", "thrashing_delay_min_ns", "compact_delay_count",
	"compact_delay_total_ns", "compact_delay_max_ns", "compact_delay_min_ns",
	"wpcopy_delay_count", "wpcopy_delay_total_ns", "wpcopy_delay_max_ns", "wpcopy_delay_min_ns",
	"irq_delay_count", "irq_delay_total_ns", "irq_delay_max_ns", "irq_delay_min_ns",
	"hiwater_rss_bytes", "hiwater_vm_bytes",
};

/* §7, in order. */
static const char *const spec_derived[CTPROF_NDERIVED] = {
	"affine_success_ratio", "avg_wait_ns", "cpu_efficiency", "avg_slice_ns",
	"involuntary_csw_ratio", "disk_io_fraction", "live_heap_estimate", "avg_iowait_ns",
	"avg_cpu_delay_ns", "avg_blkio_delay_ns", "avg_swapin_delay_ns", "avg_freepages_delay_ns",
	"avg_thrashing_delay_ns", "avg_compact_delay_ns", "avg_wpcopy_delay_ns", "avg_irq_delay_ns",
	"total_offcpu_delay_ns",
};

static void test_registry_order(void **state)
{
	const struct ctprof_metric *m = ctprof_metrics();
	const struct ctprof_derived_metric *d = ctprof_derived_metrics();
	size_t i, primary = 0, ts = 0;
	char tags[128];

	(void)state;
	assert_non_null(m);
	assert_non_null(d);
	for (i = 0; i < CTPROF_NMETRICS; i++) {
		assert_string_equal(m[i].name, spec_registry[i]);
		assert_int_equal(m[i].index, i);
		assert_true(m[i].description && m[i].description[0]);
		if (m[i].section == CTPROF_SEC_PRIMARY)
			primary++;
		else if (m[i].section == CTPROF_SEC_TASKSTATS_DELAY)
			ts++;
	}
	assert_int_equal(primary, 53);
	assert_int_equal(ts, 34);
	for (i = 0; i < CTPROF_NDERIVED; i++)
		assert_string_equal(d[i].name, spec_derived[i]);
	/* ladders come from the rules (§5.2) */
	assert_int_equal(m[tc_idx("thread_count")].ladder, CTPROF_LADDER_UNITLESS);
	assert_int_equal(m[tc_idx("stime_clock_ticks")].ladder, CTPROF_LADDER_TICKS);
	assert_int_equal(m[tc_idx("hiwater_rss_bytes")].ladder, CTPROF_LADDER_BYTES);
	assert_int_equal(m[tc_idx("cpu_delay_min_ns")].agg, CTPROF_AGG_MAX_PEAK);
	assert_int_equal(m[tc_idx("policy")].ladder, CTPROF_LADDER_NONE);
	/* tags (§6) */
	ctprof_metric_tags(&m[tc_idx("nr_wakeups_affine")], tags, sizeof(tags));
	assert_string_equal(tags, "[cfs-only] [SCHEDSTATS]");
	ctprof_metric_tags(&m[tc_idx("core_forceidle_sum")], tags, sizeof(tags));
	assert_string_equal(tags, "[SCHED_CORE] [SCHEDSTATS]");
	ctprof_metric_tags(&m[tc_idx("hiwater_vm_bytes")], tags, sizeof(tags));
	assert_string_equal(tags, "[TASKSTATS] [TASK_XACCT]");
	ctprof_metric_tags(&m[tc_idx("fair_slice_ns")], tags, sizeof(tags));
	assert_string_equal(tags, "[fair-policy]");
	ctprof_metric_tags(&m[tc_idx("wait_sum")], tags, sizeof(tags));
	assert_string_equal(tags, "[non-ext] [SCHEDSTATS]");
	assert_int_equal(ctprof_metric_tags(&m[tc_idx("policy")], tags, sizeof(tags)), 0);
	assert_string_equal(tags, "");
	/* derived flags (§7) */
	assert_true(d[0].is_ratio);
	assert_false(d[1].is_ratio);
	assert_true(d[2].is_ratio && d[4].is_ratio && d[5].is_ratio);
	assert_int_equal(d[6].ladder, CTPROF_LADDER_BYTES);
	assert_int_equal(d[8].section, CTPROF_SEC_TASKSTATS_DELAY);
	assert_int_equal(d[7].section, CTPROF_SEC_PRIMARY);
	assert_int_equal(d[16].n_inputs, 8);
	/* the two registries share no name */
	assert_int_equal(ctprof_metric_lookup("avg_wait_ns", NULL), CTPROF_MK_DERIVED);
	assert_int_equal(ctprof_metric_lookup("wait_sum", NULL), CTPROF_MK_PRIMARY);
	assert_int_equal(ctprof_metric_lookup("sleep_sum", NULL), CTPROF_MK_NONE);
}

/*
 * Three threads of "app" (pcomm) under --group-by pcomm:
 *   run_time_ns 100, 200, 300          -> Sum 600
 *   wait_max 5, 50, 7                  -> Max 50
 *   nice 0, -5, 3                      -> Range -5..3 (midpoint -1)
 *   policy OTHER, FIFO, FIFO           -> Mode FIFO (2/3)
 *   state S, R, (tie) ... R,S,D        -> one each: tie -> "D" (smallest)
 *   ext_enabled false,true -> 50/50 tie over 2 of them... see below
 *   cpu_affinity {0,1}, {0,1}, {0,1,2,3} -> 2-4 cpus (mixed), midpoint 3
 */
static void test_aggregation(void **state)
{
	struct ctprof_snapshot *a = tc_snap(), *b = tc_snap();
	struct ctprof_compare_opts o = tc_opts(CTPROF_GROUP_PCOMM);
	struct ctprof_diff *d = NULL;
	struct ctprof_thread *t[3];
	const uint32_t c2[] = { 0, 1 }, c4[] = { 0, 1, 2, 3 };
	const struct ctprof_aggv *v;
	uint64_t cnt;
	double num;
	long p;
	int i;

	(void)state;
	for (i = 0; i < 3; i++) {
		tc_thread(a, 10 + i, 10, "app", "app", "/");
		tc_thread(b, 10 + i, 10, "app", "app", "/");
	}
	for (i = 0; i < 3; i++)
		t[i] = &a->threads[i]; /* after the last realloc */
	t[0]->run_time_ns = 100, t[1]->run_time_ns = 200, t[2]->run_time_ns = 300;
	t[0]->wait_max = 5, t[1]->wait_max = 50, t[2]->wait_max = 7;
	t[0]->nice = 0, t[1]->nice = -5, t[2]->nice = 3;
	tc_set_str(&t[1]->policy, "SCHED_FIFO");
	tc_set_str(&t[2]->policy, "SCHED_FIFO");
	t[0]->state = 'S', t[1]->state = 'R', t[2]->state = 'D';
	t[0]->ext_enabled = true, t[1]->ext_enabled = false, t[2]->ext_enabled = true;
	tc_affinity(t[0], c2, 2);
	tc_affinity(t[1], c2, 2);
	tc_affinity(t[2], c4, 4);
	for (i = 0; i < 3; i++)
		tc_affinity(&b->threads[i], c2, 2);
	/* u64 saturation: two huge values sum to UINT64_MAX */
	t[0]->minflt = UINT64_MAX - 1;
	t[1]->minflt = 5;

	assert_int_equal(ctprof_compare(a, b, &o, &d, NULL), 0);
	assert_int_equal(d->n_pairs, 1);
	p = tc_pair(d, "app", 3);
	assert_true(p >= 0);
	v = d->pairs[p].a;
	assert_int_equal(v[tc_idx("thread_count")].u, 3);
	assert_int_equal(v[tc_idx("run_time_ns")].kind, CTPROF_AV_SUM);
	assert_int_equal(v[tc_idx("run_time_ns")].u, 600);
	assert_int_equal(v[tc_idx("wait_max")].kind, CTPROF_AV_MAX);
	assert_int_equal(v[tc_idx("wait_max")].u, 50);
	assert_int_equal(v[tc_idx("nice")].range.min, -5);
	assert_int_equal(v[tc_idx("nice")].range.max, 3);
	assert_true(ctprof_aggv_numeric(&v[tc_idx("nice")], &num));
	assert_true(num == -1.0);
	assert_string_equal(ctprof_aggv_mode(&v[tc_idx("policy")], &cnt), "SCHED_FIFO");
	assert_int_equal(cnt, 2);
	assert_int_equal(v[tc_idx("policy")].mode.total, 3);
	assert_false(ctprof_aggv_numeric(&v[tc_idx("policy")], &num));
	/* three-way tie: the smallest value in byte order wins */
	assert_string_equal(ctprof_aggv_mode(&v[tc_idx("state")], &cnt), "D");
	assert_int_equal(cnt, 1);
	assert_string_equal(ctprof_aggv_mode(&v[tc_idx("ext_enabled")], &cnt), "true");
	assert_int_equal(cnt, 2);
	assert_false(v[tc_idx("cpu_affinity")].uniform);
	assert_int_equal(v[tc_idx("cpu_affinity")].aff.min_cpus, 2);
	assert_int_equal(v[tc_idx("cpu_affinity")].aff.max_cpus, 4);
	assert_true(ctprof_aggv_numeric(&v[tc_idx("cpu_affinity")], &num));
	assert_true(num == 3.0);
	assert_int_equal(v[tc_idx("minflt")].u, UINT64_MAX);
	/* the candidate side is uniform */
	v = d->pairs[p].b;
	assert_true(v[tc_idx("cpu_affinity")].uniform);
	assert_int_equal(v[tc_idx("cpu_affinity")].n, 2);
	assert_int_equal(v[tc_idx("cpu_affinity")].aff.cpus[1], 1);
	ctprof_diff_free(d);
	ctprof_snapshot_free(a);
	ctprof_snapshot_free(b);
}

/* A 50/50 boolean tie goes to "false" (smaller in byte order). */
static void test_mode_bool_tie(void **state)
{
	struct ctprof_snapshot *a = tc_snap();
	struct ctprof_compare_opts o = tc_opts(CTPROF_GROUP_COMM_EXACT);
	struct ctprof_diff *d = NULL;
	uint64_t cnt;

	(void)state;
	tc_thread(a, 1, 1, "p", "x", "/")->ext_enabled = true;
	tc_thread(a, 2, 1, "p", "x", "/")->ext_enabled = false;
	assert_int_equal(ctprof_compare(a, a, &o, &d, NULL), 0);
	assert_string_equal(ctprof_aggv_mode(&d->pairs[0].a[tc_idx("ext_enabled")], &cnt), "false");
	assert_int_equal(cnt, 1);
	ctprof_diff_free(d);
	ctprof_snapshot_free(a);
}

/*
 * Absent (§5.3): in group "off" no thread is taskstats-measured, so every
 * taskstats metric is Absent; in group "mixed" one thread is measured, so
 * a measured 0 stays Sum(0). jemalloc works the same way.
 */
static void test_absent(void **state)
{
	struct ctprof_snapshot *a = tc_snap();
	struct ctprof_compare_opts o = tc_opts(CTPROF_GROUP_COMM_EXACT);
	struct ctprof_diff *d = NULL;
	struct ctprof_thread *t;
	const struct ctprof_row *r;
	long off, mixed;
	double num;

	(void)state;
	t = tc_thread(a, 1, 1, "p", "off", "/");
	t->taskstats_measured = false;
	t->cpu_delay_count = 9; /* not measured: ignored */
	t = tc_thread(a, 2, 2, "p", "mixed", "/");
	t->taskstats_measured = false;
	t = tc_thread(a, 3, 2, "p", "mixed", "/");
	t->delay_block_active = false; /* cpu measured, block not */
	t->jemalloc_measured = true;
	assert_int_equal(ctprof_compare(a, a, &o, &d, NULL), 0);
	off = tc_pair(d, "off", 3);
	mixed = tc_pair(d, "mixed", 5);
	assert_true(off >= 0 && mixed >= 0);
	assert_int_equal(d->pairs[off].a[tc_idx("cpu_delay_count")].kind, CTPROF_AV_ABSENT);
	assert_int_equal(d->pairs[off].a[tc_idx("hiwater_rss_bytes")].kind, CTPROF_AV_ABSENT);
	assert_int_equal(d->pairs[off].a[tc_idx("allocated_bytes")].kind, CTPROF_AV_ABSENT);
	assert_false(ctprof_aggv_numeric(&d->pairs[off].a[tc_idx("blkio_delay_total_ns")], &num));
	/* non-taskstats metrics are always measured */
	assert_int_equal(d->pairs[off].a[tc_idx("run_time_ns")].kind, CTPROF_AV_SUM);
	assert_int_equal(d->pairs[mixed].a[tc_idx("cpu_delay_count")].kind, CTPROF_AV_SUM);
	assert_int_equal(d->pairs[mixed].a[tc_idx("cpu_delay_count")].u, 0);
	assert_int_equal(d->pairs[mixed].a[tc_idx("blkio_delay_count")].kind, CTPROF_AV_ABSENT);
	assert_int_equal(d->pairs[mixed].a[tc_idx("allocated_bytes")].kind, CTPROF_AV_SUM);
	/* an Absent row has no delta and no %; derived inputs read none */
	r = tc_row(d, off, "cpu_delay_count");
	assert_non_null(r);
	assert_int_equal(r->flags, 0);
	assert_false(d->pairs[off].dv_mask_a >> 8 & 1);  /* avg_cpu_delay_ns */
	assert_false(d->pairs[off].dv_mask_a >> 16 & 1); /* total_offcpu_delay_ns */
	assert_false(d->pairs[off].dv_mask_a >> 6 & 1);  /* live_heap_estimate */
	ctprof_diff_free(d);
	ctprof_snapshot_free(a);
}

/*
 * Singleton revert (§4.3): "worker-7" alone in a and "worker-8".."worker-10"
 * in b share "worker-{N}" (4 threads over both) and join; "solo-1" has one
 * thread in total and keeps its literal name.
 */
static void test_singleton_revert(void **state)
{
	struct ctprof_snapshot *a = tc_snap(), *b = tc_snap();
	struct ctprof_compare_opts o = tc_opts(CTPROF_GROUP_COMM);
	struct ctprof_diff *d = NULL;
	long p;

	(void)state;
	tc_thread(a, 1, 1, "x", "worker-7", "/");
	tc_thread(a, 2, 1, "x", "solo-1", "/");
	tc_thread(b, 1, 1, "x", "worker-8", "/");
	tc_thread(b, 2, 1, "x", "worker-9", "/");
	tc_thread(b, 3, 1, "x", "worker-10", "/");
	assert_int_equal(ctprof_compare(a, b, &o, &d, NULL), 0);
	p = tc_pair(d, "worker-{N}", 10);
	assert_true(p >= 0);
	assert_int_equal(d->pairs[p].threads_a, 1);
	assert_int_equal(d->pairs[p].threads_b, 3);
	assert_int_equal(d->n_only_a, 1);
	assert_string_equal(d->only_a[0].s, "solo-1");
	assert_int_equal(d->n_only_b, 0);
	ctprof_diff_free(d);

	/* --no-thread-normalize: literal names, nothing joins */
	o.no_thread_normalize = true;
	assert_int_equal(ctprof_compare(a, b, &o, &d, NULL), 0);
	assert_int_equal(d->n_pairs, 0);
	assert_int_equal(d->n_only_a, 2);
	assert_int_equal(d->n_only_b, 3);
	/* only-lists are sorted in byte order */
	assert_string_equal(d->only_b[0].s, "worker-10");
	assert_string_equal(d->only_b[1].s, "worker-8");
	ctprof_diff_free(d);
	ctprof_snapshot_free(a);
	ctprof_snapshot_free(b);
}

/* The ALL key is cgroup-key NUL pattern(pcomm) NUL pattern(comm), no revert. */
static void test_all_key(void **state)
{
	struct ctprof_snapshot *a = tc_snap();
	struct ctprof_compare_opts o = tc_opts(CTPROF_GROUP_ALL);
	struct ctprof_diff *d = NULL;
	static const char want[] = "/user.slice/user-{N}.slice\0bash\0worker-{N}";

	(void)state;
	tc_thread(a, 1, 1, "bash", "worker-3", "/user.slice/user-1000.slice");
	assert_int_equal(ctprof_compare(a, a, &o, &d, NULL), 0);
	assert_int_equal(d->n_pairs, 1);
	assert_int_equal(d->pairs[0].key.len, sizeof(want) - 1);
	assert_memory_equal(d->pairs[0].key.s, want, sizeof(want) - 1);
	ctprof_diff_free(d);
	/* --no-cg-normalize keeps the literal path; --no-thread-normalize the names */
	o.no_cg_normalize = true;
	o.no_thread_normalize = true;
	assert_int_equal(ctprof_compare(a, a, &o, &d, NULL), 0);
	assert_memory_equal(d->pairs[0].key.s, "/user.slice/user-1000.slice\0bash\0worker-3",
			    d->pairs[0].key.len);
	ctprof_diff_free(d);
	ctprof_snapshot_free(a);
}

/*
 * Deltas (§8.1-8.2) for a group with baseline and candidate:
 *   run_time_ns 1000 -> 1500: delta +500, pct +0.5
 *   voluntary_csw 0 -> 7: delta +7, no pct (baseline 0)
 *   processor 9 -> 43: delta +34, pct 34/9
 *   policy: no delta
 *   wait_sum 1000/wait_count 10 = 100 -> 3000/20 = 150: avg_wait_ns delta 50, pct 0.5
 *   cpu_efficiency 1000/(1000+0)=1 -> 1500/(1500+500)=0.75: delta -0.25, no pct (ratio)
 */
static void test_deltas(void **state)
{
	struct ctprof_snapshot *a = tc_snap(), *b = tc_snap();
	struct ctprof_compare_opts o = tc_opts(CTPROF_GROUP_PCOMM);
	struct ctprof_diff *d = NULL;
	struct ctprof_thread *ta, *tb;
	const struct ctprof_row *r;

	(void)state;
	ta = tc_thread(a, 1, 1, "p", "p", "/");
	tb = tc_thread(b, 1, 1, "p", "p", "/");
	ta->run_time_ns = 1000, tb->run_time_ns = 1500;
	tb->wait_time_ns = 500;
	tb->voluntary_csw = 7;
	ta->processor = 9, tb->processor = 43;
	ta->wait_sum = 1000, ta->wait_count = 10;
	tb->wait_sum = 3000, tb->wait_count = 20;
	assert_int_equal(ctprof_compare(a, b, &o, &d, NULL), 0);
	r = tc_row(d, 0, "run_time_ns");
	assert_int_equal(r->flags, CTPROF_ROW_DELTA | CTPROF_ROW_PCT);
	assert_true(r->delta == 500.0 && r->pct == 0.5);
	r = tc_row(d, 0, "voluntary_csw");
	assert_int_equal(r->flags, CTPROF_ROW_DELTA);
	assert_true(r->delta == 7.0);
	r = tc_row(d, 0, "processor");
	assert_true(r->delta == 34.0);
	assert_true(fabs(r->pct - 34.0 / 9.0) < 1e-12);
	r = tc_row(d, 0, "policy");
	assert_int_equal(r->flags, 0);
	r = tc_drow(d, 0, "avg_wait_ns");
	assert_int_equal(r->flags, CTPROF_ROW_DELTA | CTPROF_ROW_PCT);
	assert_true(r->delta == 50.0 && r->pct == 0.5);
	r = tc_drow(d, 0, "cpu_efficiency");
	assert_int_equal(r->flags, CTPROF_ROW_DELTA);
	assert_true(r->delta == -0.25);
	/* a zero denominator gives no value: avg_slice_ns (timeslices 0) */
	r = tc_drow(d, 0, "avg_slice_ns");
	assert_int_equal(r->flags, 0);
	ctprof_diff_free(d);
	ctprof_snapshot_free(a);
	ctprof_snapshot_free(b);
}

/*
 * Derived formulas on one group: total_offcpu uses max(swapin, thrashing);
 * live_heap_estimate is signed.
 */
static void test_derived_values(void **state)
{
	struct ctprof_snapshot *a = tc_snap();
	struct ctprof_compare_opts o = tc_opts(CTPROF_GROUP_PCOMM);
	struct ctprof_diff *d = NULL;
	struct ctprof_thread *t;
	const struct ctprof_pair *p;

	(void)state;
	t = tc_thread(a, 1, 1, "p", "p", "/");
	t->jemalloc_measured = true;
	t->allocated_bytes = 100, t->deallocated_bytes = 250;
	t->cpu_delay_total_ns = 1, t->blkio_delay_total_ns = 2, t->freepages_delay_total_ns = 4;
	t->compact_delay_total_ns = 8, t->wpcopy_delay_total_ns = 16, t->irq_delay_total_ns = 32;
	t->swapin_delay_total_ns = 64, t->thrashing_delay_total_ns = 128;
	t->nr_wakeups_affine = 3, t->nr_wakeups_affine_attempts = 4;
	t->nonvoluntary_csw = 1, t->voluntary_csw = 3;
	t->read_bytes = 300, t->rchar = 200;
	t->blkio_delay_count = 4;
	assert_int_equal(ctprof_compare(a, a, &o, &d, NULL), 0);
	p = &d->pairs[0];
	assert_true(p->dv_mask_a >> 16 & 1);
	assert_true(p->dv_a[16] == 1 + 2 + 4 + 8 + 16 + 32 + 128);
	assert_true(p->dv_a[6] == -150.0);
	assert_true(p->dv_a[0] == 0.75);
	assert_true(p->dv_a[4] == 0.25);
	assert_true(p->dv_a[5] == 1.5);
	assert_true(p->dv_a[9] == 0.5); /* avg_blkio_delay_ns = 2 / 4 */
	assert_false(p->dv_mask_a >> 8 & 1); /* cpu_delay_count 0 */
	ctprof_diff_free(d);
	ctprof_snapshot_free(a);
}

/*
 * Default sort (§8.3). Two groups, "a" and "b", both with every metric
 * equal except:
 *   a: run_time_ns 100 -> 150 (+50%)     b: run_time_ns 100 -> 400 (+300%)
 *   a: minflt 0 -> 1 (growth from zero: 1e9)
 * Expected order of the top rows: (a, minflt) [1e9], (b, run_time_ns) [3.0],
 * (a, run_time_ns) [0.5]; then rows with delta 0 (key 0) in key order and
 * registry order; Mode rows (no delta) last.
 */
static void test_default_sort(void **state)
{
	struct ctprof_snapshot *a = tc_snap(), *b = tc_snap();
	struct ctprof_compare_opts o = tc_opts(CTPROF_GROUP_COMM_EXACT);
	struct ctprof_diff *d = NULL;
	const struct ctprof_row *last;
	long pa, pb;

	(void)state;
	tc_thread(a, 1, 1, "p", "a", "/")->run_time_ns = 100;
	tc_thread(a, 2, 1, "p", "b", "/")->run_time_ns = 100;
	tc_thread(b, 1, 1, "p", "a", "/")->run_time_ns = 150;
	tc_thread(b, 2, 1, "p", "b", "/")->run_time_ns = 400;
	b->threads[0].minflt = 1;
	assert_int_equal(ctprof_compare(a, b, &o, &d, NULL), 0);
	pa = tc_pair(d, "a", 1);
	pb = tc_pair(d, "b", 1);
	assert_int_equal(d->n_rows, 2 * CTPROF_NMETRICS);
	assert_int_equal(d->rows[0].pair, pa);
	assert_int_equal(d->rows[0].metric, tc_idx("minflt"));
	assert_int_equal(d->rows[1].pair, pb);
	assert_int_equal(d->rows[1].metric, tc_idx("run_time_ns"));
	assert_int_equal(d->rows[2].pair, pa);
	assert_int_equal(d->rows[2].metric, tc_idx("run_time_ns"));
	/* next: group "a" zero-delta rows in registry order, starting at thread_count */
	assert_int_equal(d->rows[3].pair, pa);
	assert_int_equal(d->rows[3].metric, tc_idx("thread_count"));
	assert_int_equal(d->rows[4].metric, tc_idx("nice"));
	/*
	 * rows without a delta sink: per group the Mode rows (policy, state,
	 * ext_enabled) and the Absent jemalloc rows (jemalloc_measured is
	 * false), in key order and then registry order
	 */
	last = &d->rows[d->n_rows - 1];
	assert_int_equal(last->pair, pb);
	assert_int_equal(last->metric, tc_idx("deallocated_bytes"));
	assert_int_equal(d->rows[d->n_rows - 5].pair, pb);
	assert_int_equal(d->rows[d->n_rows - 5].metric, tc_idx("policy"));
	assert_int_equal(d->rows[d->n_rows - 6].pair, pa);
	assert_int_equal(d->rows[d->n_rows - 6].metric, tc_idx("deallocated_bytes"));
	assert_int_equal(d->rows[d->n_rows - 10].pair, pa);
	assert_int_equal(d->rows[d->n_rows - 10].metric, tc_idx("policy"));
	assert_true(isinf(-INFINITY)); /* the sort key of these rows is -inf */
	ctprof_diff_free(d);
	ctprof_snapshot_free(a);
	ctprof_snapshot_free(b);
}

static void test_sort_by_parse(void **state)
{
	struct ctprof_sort_key *k = NULL;
	struct ctprof_error err = { 0 };
	size_t n = 0;

	(void)state;
	assert_int_equal(ctprof_sort_by_parse("", &k, &n, NULL), 0);
	assert_int_equal(n, 0);
	assert_null(k);
	assert_int_equal(ctprof_sort_by_parse(" wait_sum : ASC ,avg_wait_ns", &k, &n, NULL), 0);
	assert_int_equal(n, 2);
	assert_int_equal(k[0].kind, CTPROF_MK_PRIMARY);
	assert_int_equal(k[0].index, tc_idx("wait_sum"));
	assert_false(k[0].descending);
	assert_int_equal(k[1].kind, CTPROF_MK_DERIVED);
	assert_true(k[1].descending);
	free(k);
	assert_int_equal(ctprof_sort_by_parse("wait_sum,,run_time_ns", &k, &n, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "empty entry"));
	assert_int_equal(ctprof_sort_by_parse("nope", &k, &n, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "unknown metric \"nope\""));
	assert_non_null(strstr(err.msg, "affine_success_ratio, allocated_bytes"));
	assert_int_equal(ctprof_sort_by_parse("wait_sum [non-ext]", &k, &n, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "[tag]"));
	assert_int_equal(ctprof_sort_by_parse("policy", &k, &n, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "categorical"));
	assert_int_equal(ctprof_sort_by_parse("wait_sum,wait_sum:asc", &k, &n, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "duplicate"));
	assert_int_equal(ctprof_sort_by_parse("wait_sum:up", &k, &n, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "invalid direction"));
	/* range and affinity metrics are allowed */
	assert_int_equal(ctprof_sort_by_parse("nice,cpu_affinity", &k, &n, NULL), 0);
	free(k);
}

/*
 * --sort-by wait_sum:desc over groups x (delta +10), y (delta +30),
 * z (delta +30, ties with y: key order). Rows come out y, z, x, each group
 * in registry order; the sort delta is recorded per pair.
 */
static void test_sort_by(void **state)
{
	struct ctprof_snapshot *a = tc_snap(), *b = tc_snap();
	struct ctprof_compare_opts o = tc_opts(CTPROF_GROUP_COMM_EXACT);
	struct ctprof_sort_key *k = NULL;
	struct ctprof_diff *d = NULL;
	size_t n;

	(void)state;
	tc_thread(a, 1, 1, "p", "x", "/");
	tc_thread(a, 2, 1, "p", "y", "/");
	tc_thread(a, 3, 1, "p", "z", "/");
	tc_thread(b, 1, 1, "p", "x", "/")->wait_sum = 10;
	tc_thread(b, 2, 1, "p", "y", "/")->wait_sum = 30;
	tc_thread(b, 3, 1, "p", "z", "/")->wait_sum = 30;
	assert_int_equal(ctprof_sort_by_parse("wait_sum", &k, &n, NULL), 0);
	o.sort_by = k;
	o.n_sort_by = n;
	assert_int_equal(ctprof_compare(a, b, &o, &d, NULL), 0);
	assert_string_equal(d->pairs[d->rows[0].pair].key.s, "y");
	assert_int_equal(d->rows[0].metric, 0);
	assert_int_equal(d->rows[CTPROF_NMETRICS - 1].metric, CTPROF_NMETRICS - 1);
	assert_string_equal(d->pairs[d->rows[CTPROF_NMETRICS].pair].key.s, "z");
	assert_string_equal(d->pairs[d->rows[2 * CTPROF_NMETRICS].pair].key.s, "x");
	assert_string_equal(d->pairs[d->derived_rows[0].pair].key.s, "y");
	assert_int_equal(d->sort_kind, CTPROF_MK_PRIMARY);
	assert_int_equal(d->sort_index, tc_idx("wait_sum"));
	assert_true(d->pairs[tc_pair(d, "x", 1)].has_sort_delta);
	assert_true(d->pairs[tc_pair(d, "x", 1)].sort_delta == 10.0);
	ctprof_diff_free(d);
	free(k);
	ctprof_snapshot_free(a);
	ctprof_snapshot_free(b);
}

/*
 * Uptime (§8.4): now_b = 1000 (largest candidate start time).
 *   group "old": candidate start 0 and 200 -> avg over >0 values = 200,
 *                lifetime 800 -> 100%
 *   group "new": candidate start 600 and 1000 -> avg 800, lifetime 200 -> 25%
 */
static void test_uptime(void **state)
{
	struct ctprof_snapshot *a = tc_snap(), *b = tc_snap();
	struct ctprof_compare_opts o = tc_opts(CTPROF_GROUP_COMM_EXACT);
	struct ctprof_diff *d = NULL;

	(void)state;
	tc_thread(a, 1, 1, "p", "old", "/");
	tc_thread(a, 2, 1, "p", "new", "/");
	tc_thread(b, 1, 1, "p", "old", "/")->start_time_clock_ticks = 0;
	tc_thread(b, 2, 1, "p", "old", "/")->start_time_clock_ticks = 200;
	tc_thread(b, 3, 1, "p", "new", "/")->start_time_clock_ticks = 600;
	tc_thread(b, 4, 1, "p", "new", "/")->start_time_clock_ticks = 1000;
	assert_int_equal(ctprof_compare(a, b, &o, &d, NULL), 0);
	assert_true(d->pairs[tc_pair(d, "old", 3)].has_uptime);
	assert_true(d->pairs[tc_pair(d, "old", 3)].uptime_pct == 100.0);
	assert_true(d->pairs[tc_pair(d, "new", 3)].uptime_pct == 25.0);
	ctprof_diff_free(d);
	ctprof_snapshot_free(a);
	ctprof_snapshot_free(b);
}

/*
 * Fudging (§4.8). The service moved from /app.slice/old-name to
 * /app.slice/new-name. Baseline types: svc:{alpha..kappa, lambda} (11),
 * candidate: svc:{alpha..kappa} (10) -> overlap 10, Jaccard 10/11 = 0.909.
 * A child cgroup .../child with svc:omega on both sides joins by cascade.
 * The kernel thread in / is matched on both sides, so "/" is not a
 * fudge candidate.
 */
static const char *const names[] = { "alpha", "beta", "gamma", "delta", "epsilon", "zeta",
				     "eta", "theta", "iota", "kappa" };

static void test_fudge(void **state)
{
	struct ctprof_snapshot *a = tc_snap(), *b = tc_snap();
	struct ctprof_compare_opts o = tc_opts(CTPROF_GROUP_ALL);
	struct ctprof_diff *d = NULL;
	const struct ctprof_fudged_pair *fp;
	static const char kalpha[] = "/app.slice/old-name\0svc\0alpha";
	static const char kchild[] = "/app.slice/old-name/child\0svc\0omega";
	long p, pc;
	size_t i;

	(void)state;
	tc_thread(a, 2, 2, "kthreadd", "kthreadd", "/");
	tc_thread(b, 2, 2, "kthreadd", "kthreadd", "/");
	for (i = 0; i < 10; i++) {
		tc_thread(a, 100 + i, 100, "svc", names[i], "/app.slice/old-name")->run_time_ns = 10;
		tc_thread(b, 200 + i, 200, "svc", names[i], "/app.slice/new-name")->run_time_ns = 30;
	}
	/* a second candidate thread of alpha: the merged row sums 30 + 30 */
	tc_thread(b, 300, 200, "svc", "alpha", "/app.slice/new-name")->run_time_ns = 30;
	tc_thread(a, 120, 100, "svc", "lambda", "/app.slice/old-name");
	tc_thread(a, 130, 100, "svc", "omega", "/app.slice/old-name/child");
	tc_thread(b, 230, 200, "svc", "omega", "/app.slice/new-name/child");

	assert_int_equal(ctprof_compare(a, b, &o, &d, NULL), 0);
	assert_int_equal(d->n_fudged, 1);
	fp = &d->fudged[0];
	assert_string_equal(fp->baseline_cgroup, "/app.slice/old-name");
	assert_string_equal(fp->candidate_cgroup, "/app.slice/new-name");
	assert_int_equal(fp->overlap, 10);
	assert_true(fabs(fp->jaccard - 10.0 / 11.0) < 1e-12);
	assert_int_equal(fp->cascaded_children, 1);
	assert_string_equal(fp->baseline_root, "/app.slice/old-name");
	assert_string_equal(fp->candidate_root, "/app.slice/new-name");
	assert_int_equal(fp->n_baseline_residual, 1);
	assert_string_equal(fp->baseline_residual[0], "svc:lambda");
	assert_int_equal(fp->n_candidate_residual, 0);

	/* 1 matched pair ("/") + 10 direct + 1 cascaded */
	assert_int_equal(d->n_pairs, 12);
	p = tc_pair(d, kalpha, sizeof(kalpha) - 1);
	assert_true(p >= 0);
	assert_true(d->pairs[p].fudged);
	assert_string_equal(d->pairs[p].display.s, "[fudged: old-name]");
	assert_int_equal(d->pairs[p].threads_a, 1);
	assert_int_equal(d->pairs[p].threads_b, 2);
	assert_int_equal(d->pairs[p].b[tc_idx("run_time_ns")].u, 60);
	pc = tc_pair(d, kchild, sizeof(kchild) - 1);
	assert_true(pc >= 0);
	assert_string_equal(d->pairs[pc].display.s, "[fudged: child]");
	/* lambda stays baseline-only; nothing is candidate-only */
	assert_int_equal(d->n_only_a, 1);
	assert_memory_equal(d->only_a[0].s, "/app.slice/old-name\0svc\0lambda", d->only_a[0].len);
	assert_int_equal(d->n_only_b, 0);
	ctprof_diff_free(d);

	/* fewer than 10 shared types: no fudge; everything stays one-sided */
	a->n_threads = 1 + 7;
	for (i = 7; i < b->n_threads; i++)
		ctprof_thread_clear(&b->threads[i]);
	b->n_threads = 1 + 7;
	assert_int_equal(ctprof_compare(a, b, &o, &d, NULL), 0);
	assert_int_equal(d->n_fudged, 0);
	assert_int_equal(d->n_pairs, 1);
	assert_int_equal(d->n_only_a, 7);
	assert_int_equal(d->n_only_b, 7);
	ctprof_diff_free(d);
	/* restore the count so that free() releases every thread of a */
	a->n_threads = 1 + 10 + 2;
	ctprof_snapshot_free(a);
	ctprof_snapshot_free(b);
}

/*
 * Cascade roots strip the longest common '/'-segment suffix:
 * /old/svc vs /new/svc -> roots /old and /new; a key under /new/svc/x
 * (and a sibling /new/other) rewrites to /old/...
 */
static void test_fudge_roots(void **state)
{
	struct ctprof_snapshot *a = tc_snap(), *b = tc_snap();
	struct ctprof_compare_opts o = tc_opts(CTPROF_GROUP_ALL);
	struct ctprof_diff *d = NULL;
	size_t i;

	(void)state;
	for (i = 0; i < 10; i++) {
		tc_thread(a, 100 + i, 100, "svc", names[i], "/old/svc");
		tc_thread(b, 200 + i, 200, "svc", names[i], "/new/svc");
	}
	tc_thread(a, 150, 150, "side", "car", "/old/other");
	tc_thread(b, 250, 250, "side", "car", "/new/other");
	assert_int_equal(ctprof_compare(a, b, &o, &d, NULL), 0);
	assert_int_equal(d->n_fudged, 1);
	assert_string_equal(d->fudged[0].baseline_root, "/old");
	assert_string_equal(d->fudged[0].candidate_root, "/new");
	assert_int_equal(d->fudged[0].cascaded_children, 1);
	assert_int_equal(d->n_only_a + d->n_only_b, 0);
	ctprof_diff_free(d);
	ctprof_snapshot_free(a);
	ctprof_snapshot_free(b);
}

/*
 * smaps keys (§4.9): two leaders "worker-1" (Rss 10 kB) and "worker-2"
 * (Rss 30 kB) sum into "worker-{N}" = 40 kB = 40960 B; a non-leader with
 * no map is skipped. Literal mode keys are "pcomm[tgid]"; ALL prefixes the
 * cgroup key.
 */
static void test_smaps(void **state)
{
	struct ctprof_snapshot *a = tc_snap();
	struct ctprof_compare_opts o = tc_opts(CTPROF_GROUP_PCOMM);
	struct ctprof_diff *d = NULL;
	uint64_t v;

	(void)state;
	ctprof_kvmap_set(&tc_thread(a, 1, 1, "worker-1", "w", "/s")->smaps_rollup_kib, "Rss", 10);
	ctprof_kvmap_set(&tc_thread(a, 2, 2, "worker-2", "w", "/s")->smaps_rollup_kib, "Rss", 30);
	ctprof_kvmap_set(&a->threads[1].smaps_rollup_kib, "Pss", UINT64_MAX / 2);
	tc_thread(a, 3, 2, "worker-2", "w", "/s");
	assert_int_equal(ctprof_compare(a, a, &o, &d, NULL), 0);
	assert_int_equal(d->n_smaps_a, 1);
	assert_string_equal(d->smaps_a[0].key.s, "worker-{N}");
	assert_true(ctprof_kvmap_get(&d->smaps_a[0].bytes, "Rss", &v));
	assert_int_equal(v, 40960);
	/* kB -> bytes saturates */
	assert_true(ctprof_kvmap_get(&d->smaps_a[0].bytes, "Pss", &v));
	assert_int_equal(v, UINT64_MAX);
	ctprof_diff_free(d);
	o.no_thread_normalize = true;
	assert_int_equal(ctprof_compare(a, a, &o, &d, NULL), 0);
	assert_int_equal(d->n_smaps_a, 2);
	assert_string_equal(d->smaps_a[0].key.s, "worker-1[1]");
	assert_string_equal(d->smaps_a[1].key.s, "worker-2[2]");
	ctprof_diff_free(d);
	o = tc_opts(CTPROF_GROUP_ALL);
	assert_int_equal(ctprof_compare(a, a, &o, &d, NULL), 0);
	assert_int_equal(d->n_smaps_a, 1);
	assert_memory_equal(d->smaps_a[0].key.s, "/s\0worker-{N}", d->smaps_a[0].key.len);
	ctprof_diff_free(d);
	ctprof_snapshot_free(a);
}

/*
 * Cgroup stats merge (§4.5.4): /pod-1 and /pod-2 both map to /pod-{N}.
 *   usage 10 + 20 = 30 (counter); memory.current max(5, 7) = 7 (gauge)
 *   memory.max 100 and unset -> unset; memory.high 100 and 200 -> 200
 *   memory.low 50 and 40 -> 40 (floor min); pids.current 3 + unset -> 3
 *   memory.stat anon (gauge) max(4, 9) = 9, pgfault (counter) 1 + 2 = 3
 *   psi cpu some avg10 max(100, 250) = 250, total 1 + 2 = 3
 */
static void test_cgroup_merge(void **state)
{
	struct ctprof_snapshot *a = tc_snap();
	struct ctprof_compare_opts o = tc_opts(CTPROF_GROUP_CGROUP);
	struct ctprof_cgroup_stats *c1, *c2;
	const struct ctprof_cgroup_stats *m;
	struct ctprof_diff *d = NULL;
	uint64_t v;

	(void)state;
	tc_thread(a, 1, 1, "p", "p", "/pod-1");
	tc_cgroup(a, "/pod-1");
	tc_cgroup(a, "/pod-2");
	c1 = &a->cgroups[0].stats;
	c2 = &a->cgroups[1].stats;
	c1->cpu.usage_usec = 10, c2->cpu.usage_usec = 20;
	c1->memory.current = 5, c2->memory.current = 7;
	c1->memory.max = (struct ctprof_opt_u64){ true, 100 };
	c1->memory.high = (struct ctprof_opt_u64){ true, 100 };
	c2->memory.high = (struct ctprof_opt_u64){ true, 200 };
	c1->memory.low = (struct ctprof_opt_u64){ true, 50 };
	c2->memory.low = (struct ctprof_opt_u64){ true, 40 };
	c1->pids.current = (struct ctprof_opt_u64){ true, 3 };
	ctprof_kvmap_set(&c1->memory.stat, "anon", 4);
	ctprof_kvmap_set(&c2->memory.stat, "anon", 9);
	ctprof_kvmap_set(&c1->memory.stat, "pgfault", 1);
	ctprof_kvmap_set(&c2->memory.stat, "pgfault", 2);
	c1->psi.cpu.some.avg10 = 100, c2->psi.cpu.some.avg10 = 250;
	c1->psi.cpu.some.total_usec = 1, c2->psi.cpu.some.total_usec = 2;
	assert_int_equal(ctprof_compare(a, a, &o, &d, NULL), 0);
	assert_int_equal(d->n_cg_a, 1);
	assert_string_equal(d->cg_a[0].key, "/pod-{N}");
	m = &d->cg_a[0].stats;
	assert_int_equal(m->cpu.usage_usec, 30);
	assert_int_equal(m->memory.current, 7);
	assert_false(m->memory.max.set);
	assert_true(m->memory.high.set && m->memory.high.v == 200);
	assert_true(m->memory.low.set && m->memory.low.v == 40);
	assert_true(m->pids.current.set && m->pids.current.v == 3);
	assert_true(ctprof_kvmap_get(&m->memory.stat, "anon", &v) && v == 9);
	assert_true(ctprof_kvmap_get(&m->memory.stat, "pgfault", &v) && v == 3);
	assert_int_equal(m->psi.cpu.some.avg10, 250);
	assert_int_equal(m->psi.cpu.some.total_usec, 3);
	assert_string_equal(d->pairs[0].key.s, "/pod-{N}");
	ctprof_diff_free(d);
	/* --no-cg-normalize keeps both entries apart */
	o.no_cg_normalize = true;
	assert_int_equal(ctprof_compare(a, a, &o, &d, NULL), 0);
	assert_int_equal(d->n_cg_a, 2);
	assert_string_equal(d->cg_a[1].key, "/pod-2");
	ctprof_diff_free(d);
	/* a flatten glob maps both onto the glob text */
	{
		const char *globs[] = { "/pod-*" };

		o.cgroup_flatten = globs;
		o.n_cgroup_flatten = 1;
		assert_int_equal(ctprof_compare(a, a, &o, &d, NULL), 0);
		assert_int_equal(d->n_cg_a, 1);
		assert_string_equal(d->cg_a[0].key, "/pod-*");
		ctprof_diff_free(d);
	}
	ctprof_snapshot_free(a);
}

/* N:1 merge of values (§5.4). */
static void test_merge_rules(void **state)
{
	struct ctprof_snapshot *a = tc_snap(), *b = tc_snap();
	struct ctprof_compare_opts o = tc_opts(CTPROF_GROUP_ALL);
	struct ctprof_diff *d = NULL;
	static const char key[] = "/x/old\0svc\0alpha";
	const uint32_t c1[] = { 1 }, c2[] = { 2 };
	const struct ctprof_aggv *m;
	struct ctprof_thread *t;
	uint64_t cnt;
	size_t i;
	long p;

	(void)state;
	/* two candidate cgroups (newa, newb) both match old: N:1 */
	for (i = 0; i < 10; i++) {
		tc_thread(a, 100 + i, 100, "svc", names[i], "/x/old");
		t = tc_thread(b, 200 + i, 200, "svc", names[i], "/x/newa");
		t->nice = 2, t->wait_max = 5, t->taskstats_measured = false;
		tc_affinity(t, c1, 1);
		t = tc_thread(b, 300 + i, 300, "svc", names[i], "/x/newb");
		t->nice = -3, t->wait_max = 9;
		tc_set_str(&t->policy, "SCHED_RR");
		tc_affinity(t, c2, 1);
	}
	assert_int_equal(ctprof_compare(a, b, &o, &d, NULL), 0);
	assert_int_equal(d->n_fudged, 2);
	p = tc_pair(d, key, sizeof(key) - 1);
	assert_true(p >= 0);
	m = d->pairs[p].b;
	assert_int_equal(d->pairs[p].threads_b, 2);
	assert_int_equal(m[tc_idx("thread_count")].u, 2);
	assert_int_equal(m[tc_idx("wait_max")].u, 9);
	assert_int_equal(m[tc_idx("nice")].range.min, -3);
	assert_int_equal(m[tc_idx("nice")].range.max, 2);
	/* tallies add: OTHER 1 + RR 1 over total 2; tie -> SCHED_OTHER */
	assert_string_equal(ctprof_aggv_mode(&m[tc_idx("policy")], &cnt), "SCHED_OTHER");
	assert_int_equal(m[tc_idx("policy")].mode.total, 2);
	assert_int_equal(m[tc_idx("policy")].n, 2);
	/* different uniform lists: no longer uniform */
	assert_false(m[tc_idx("cpu_affinity")].uniform);
	/* Absent (newa) + measured (newb) -> measured */
	assert_int_equal(m[tc_idx("cpu_delay_count")].kind, CTPROF_AV_SUM);
	ctprof_diff_free(d);
	ctprof_snapshot_free(a);
	ctprof_snapshot_free(b);
}

/* show: groups in key order, or by absolute values under --sort-by. */
static void test_groupset(void **state)
{
	struct ctprof_snapshot *a = tc_snap();
	struct ctprof_compare_opts o = tc_opts(CTPROF_GROUP_PCOMM);
	struct ctprof_groupset *g = NULL;
	struct ctprof_sort_key *k = NULL;
	size_t n;

	(void)state;
	tc_thread(a, 1, 1, "b-1", "x", "/")->run_time_ns = 5;
	tc_thread(a, 2, 2, "b-2", "x", "/")->run_time_ns = 5;
	tc_thread(a, 3, 3, "a", "x", "/")->run_time_ns = 7;
	tc_thread(a, 4, 4, "c-1", "x", "/")->run_time_ns = 100;
	assert_int_equal(ctprof_groupset_build(a, &o, &g, NULL), 0);
	/* "c-1" is alone in this snapshot: reverted to its literal name */
	assert_int_equal(g->n, 3);
	assert_string_equal(g->groups[0].key.s, "a");
	assert_string_equal(g->groups[1].key.s, "b-{N}");
	assert_string_equal(g->groups[2].key.s, "c-1");
	assert_int_equal(g->groups[1].threads, 2);
	ctprof_groupset_free(g);
	assert_int_equal(ctprof_sort_by_parse("run_time_ns:desc", &k, &n, NULL), 0);
	o.sort_by = k;
	o.n_sort_by = n;
	assert_int_equal(ctprof_groupset_build(a, &o, &g, NULL), 0);
	assert_string_equal(g->groups[0].key.s, "c-1");
	assert_string_equal(g->groups[1].key.s, "b-{N}");
	assert_string_equal(g->groups[2].key.s, "a");
	ctprof_groupset_free(g);
	free(k);
	ctprof_snapshot_free(a);
}

static void test_bad_opts(void **state)
{
	struct ctprof_snapshot *a = tc_snap();
	struct ctprof_compare_opts o = tc_opts(CTPROF_GROUP_PCOMM);
	struct ctprof_diff *d = NULL;
	struct ctprof_error err = { 0 };

	(void)state;
	o.sz = 4;
	assert_int_equal(ctprof_compare(a, a, &o, &d, &err), -EINVAL);
	assert_null(d);
	assert_non_null(strstr(err.msg, "options"));
	o = tc_opts(CTPROF_GROUP_PCOMM);
	/* empty snapshots compare fine */
	assert_int_equal(ctprof_compare(a, a, &o, &d, NULL), 0);
	assert_int_equal(d->n_pairs + d->n_rows + d->n_only_a, 0);
	ctprof_diff_free(d);
	ctprof_diff_free(NULL);
	ctprof_groupset_free(NULL);
	ctprof_snapshot_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registry_order),
		cmocka_unit_test(test_aggregation),
		cmocka_unit_test(test_mode_bool_tie),
		cmocka_unit_test(test_absent),
		cmocka_unit_test(test_singleton_revert),
		cmocka_unit_test(test_all_key),
		cmocka_unit_test(test_deltas),
		cmocka_unit_test(test_derived_values),
		cmocka_unit_test(test_default_sort),
		cmocka_unit_test(test_sort_by_parse),
		cmocka_unit_test(test_sort_by),
		cmocka_unit_test(test_uptime),
		cmocka_unit_test(test_fudge),
		cmocka_unit_test(test_fudge_roots),
		cmocka_unit_test(test_smaps),
		cmocka_unit_test(test_cgroup_merge),
		cmocka_unit_test(test_merge_rules),
		cmocka_unit_test(test_groupset),
		cmocka_unit_test(test_bad_opts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
