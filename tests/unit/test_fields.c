/* SPDX-License-Identifier: MIT */
/* The metric table: order, count and registry positions match the spec. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <ctprof/snapshot.h>

/* ktstr's ThreadState JSON key order (snapshot-and-capture.md §3.3). */
static const char *const spec_order[] = {
	"tid", "tgid", "pcomm", "comm", "cgroup", "start_time_clock_ticks", "policy", "nice",
	"cpu_affinity", "processor", "state", "ext_enabled", "run_time_ns", "wait_time_ns",
	"timeslices", "voluntary_csw", "nonvoluntary_csw", "nr_wakeups", "nr_wakeups_local",
	"nr_wakeups_remote", "nr_wakeups_sync", "nr_wakeups_migrate", "nr_wakeups_affine",
	"nr_wakeups_affine_attempts", "nr_migrations", "nr_forced_migrations",
	"nr_failed_migrations_affine", "nr_failed_migrations_running", "nr_failed_migrations_hot",
	"wait_sum", "wait_count", "wait_max", "voluntary_sleep_ns", "sleep_max", "block_sum",
	"block_max", "iowait_sum", "iowait_count", "exec_max", "slice_max", "allocated_bytes",
	"deallocated_bytes", "minflt", "majflt", "utime_clock_ticks", "stime_clock_ticks",
	"priority", "rt_priority", "core_forceidle_sum", "fair_slice_ns", "nr_threads",
	"smaps_rollup_kib", "rchar", "wchar", "syscr", "syscw", "read_bytes", "write_bytes",
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
	"hiwater_rss_bytes", "hiwater_vm_bytes", "taskstats_measured", "cpu_delay_active",
	"delay_block_active", "xacct_active", "jemalloc_measured",
};

static void test_order_and_count(void **state)
{
	const struct ctprof_field_desc *f = ctprof_fields();
	size_t i;

	(void)state;
	assert_int_equal(CTPROF_THREAD_NFIELDS, 98);
	assert_int_equal(sizeof(spec_order) / sizeof(spec_order[0]), 98);
	for (i = 0; i < CTPROF_THREAD_NFIELDS; i++)
		assert_string_equal(f[i].name, spec_order[i]);
	assert_int_equal(CTPROF_THREAD_NFIELDS - CTPROF_THREAD_FIRST_FLAG, 5);
}

/* Registry positions 2..87 appear exactly once (1 is thread_count). */
static void test_registry_positions(void **state)
{
	const struct ctprof_field_desc *f = ctprof_fields();
	int seen[88] = { 0 };
	size_t i, metrics = 0, taskstats = 0;

	(void)state;
	for (i = 0; i < CTPROF_THREAD_NFIELDS; i++) {
		if (!f[i].reg)
			continue;
		assert_in_range(f[i].reg, 2, 87);
		seen[f[i].reg]++;
		metrics++;
		if (f[i].section == CTPROF_SEC_TASKSTATS_DELAY)
			taskstats++;
		assert_int_not_equal(f[i].agg, CTPROF_AGG_NONE);
	}
	assert_int_equal(metrics, 86);
	assert_int_equal(taskstats, 34);
	for (i = 2; i <= 87; i++)
		assert_int_equal(seen[i], 1);
	assert_int_equal(ctprof_field_by_name("wait_max")->reg, 30);
	assert_int_equal(ctprof_field_by_name("irq_delay_min_ns")->reg, 85);
	assert_int_equal(ctprof_field_by_name("priority")->reg, 4);
	assert_int_equal(ctprof_field_by_name("blkio_delay_total_ns")->pred, CTPROF_PRED_BLOCK_DELAY);
	assert_int_equal(ctprof_field_by_name("cpu_delay_count")->pred, CTPROF_PRED_CPU_DELAY);
	assert_int_equal(ctprof_field_by_name("hiwater_vm_bytes")->agg, CTPROF_AGG_MAX_PEAK_BYTES);
	assert_null(ctprof_field_by_name("sleep_sum"));
}

static void test_thread_init_defaults(void **state)
{
	struct ctprof_thread t;

	(void)state;
	assert_int_equal(ctprof_thread_init(&t), 0);
	assert_int_equal(t.state, '~');
	assert_string_equal(t.comm, "");
	assert_string_equal(t.policy, "");
	assert_int_equal(t.run_time_ns, 0);
	assert_false(t.taskstats_measured);
	ctprof_thread_clear(&t);
}

static void test_kvmap_sorted(void **state)
{
	struct ctprof_kvmap m = { 0 };
	uint64_t v;

	(void)state;
	assert_int_equal(ctprof_kvmap_set(&m, "b", 2), 0);
	assert_int_equal(ctprof_kvmap_set(&m, "a", 1), 0);
	assert_int_equal(ctprof_kvmap_set(&m, "Z", 3), 0);
	assert_int_equal(ctprof_kvmap_set(&m, "a", 9), 0);
	assert_int_equal(m.n, 3);
	assert_string_equal(m.items[0].key, "Z");
	assert_string_equal(m.items[1].key, "a");
	assert_true(ctprof_kvmap_get(&m, "a", &v));
	assert_int_equal(v, 9);
	assert_false(ctprof_kvmap_get(&m, "c", &v));
	ctprof_kvmap_clear(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_and_count),
		cmocka_unit_test(test_registry_positions),
		cmocka_unit_test(test_thread_init_defaults),
		cmocka_unit_test(test_kvmap_sorted),
	};
	return cmocka_run_group_tests_name("fields", tests, NULL, NULL);
}
