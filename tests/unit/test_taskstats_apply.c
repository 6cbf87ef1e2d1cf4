/* SPDX-License-Identifier: MIT */
/*
 * Taskstats results into ThreadState: the 34 fields and four flags, the
 * summary tally, the host-wide flags (task_delayacct, config.gz), exit
 * records as threads, and the kernel.task_delayacct guard (on a temporary
 * file standing in for the sysctl).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <errno.h>
#include <zlib.h>

#include "taskstats/taskstats_int.h"
#include "testutil.h"

static struct ctprof_taskstats sample(void)
{
	struct ctprof_taskstats ts;
	int k;

	memset(&ts, 0, sizeof(ts));
	ts.version = 16;
	ts.size = 560;
	for (k = 0; k < CTPROF_TS_NDELAYS; k++) {
		ts.delay[k].count = 100 + (uint64_t)k;
		ts.delay[k].total_ns = 200 + (uint64_t)k;
		ts.delay[k].max_ns = 300 + (uint64_t)k;
		ts.delay[k].min_ns = 400 + (uint64_t)k;
	}
	ts.hiwater_rss_kib = 1500;
	ts.hiwater_vm_kib = 9000;
	return ts;
}

static const struct ctprof_taskstats_active all_on = {
	.delayacct = CTPROF_DELAYACCT_ON,
	.xacct = CTPROF_XACCT_ON,
	.cpu_delay_active = true,
	.delay_block_active = true,
	.xacct_active = true,
};

/* Every one of the 34 fields, by name through the metric table. */
static uint64_t field(struct ctprof_thread *t, const char *name)
{
	const struct ctprof_field_desc *d = ctprof_field_by_name(name);

	assert_non_null(d);
	assert_int_equal(d->ftype, CTPROF_FT_U64);
	return *(uint64_t *)ctprof_field_ptr(t, d);
}

static const char *const cats[8] = { "cpu",	  "blkio",   "swapin", "freepages",
				     "thrashing", "compact", "wpcopy", "irq" };

static void test_apply(void **state)
{
	struct ctprof_taskstats ts = sample();
	struct ctprof_thread t;
	char name[64];
	int k;

	(void)state;
	assert_int_equal(ctprof_thread_init(&t), 0);
	t.run_time_ns = 777; /* untouched by apply */
	ctprof_taskstats_apply(&t, &ts, &all_on);
	for (k = 0; k < 8; k++) {
		snprintf(name, sizeof(name), "%s_delay_count", cats[k]);
		assert_int_equal(field(&t, name), 100 + k);
		snprintf(name, sizeof(name), "%s_delay_total_ns", cats[k]);
		assert_int_equal(field(&t, name), 200 + k);
		snprintf(name, sizeof(name), "%s_delay_max_ns", cats[k]);
		assert_int_equal(field(&t, name), 300 + k);
		snprintf(name, sizeof(name), "%s_delay_min_ns", cats[k]);
		assert_int_equal(field(&t, name), 400 + k);
	}
	assert_int_equal(t.hiwater_rss_bytes, 1500 * 1024);
	assert_int_equal(t.hiwater_vm_bytes, 9000 * 1024);
	assert_true(t.taskstats_measured);
	assert_true(t.cpu_delay_active);
	assert_true(t.delay_block_active);
	assert_true(t.xacct_active);
	assert_false(t.jemalloc_measured);
	assert_int_equal(t.run_time_ns, 777);
	assert_false(t.exited);

	/* kB × 1024 saturates */
	ts.hiwater_rss_kib = UINT64_MAX / 1024 + 1;
	ts.hiwater_vm_kib = UINT64_MAX / 1024;
	ctprof_taskstats_apply(&t, &ts, &all_on);
	assert_int_equal(t.hiwater_rss_bytes, UINT64_MAX);
	assert_int_equal(t.hiwater_vm_bytes, (UINT64_MAX / 1024) * 1024);
	ctprof_thread_clear(&t);
}

static void test_apply_result(void **state)
{
	struct ctprof_taskstats_result r;
	struct ctprof_taskstats_active a;
	struct ctprof_thread t;

	(void)state;
	assert_int_equal(ctprof_thread_init(&t), 0);
	memset(&r, 0, sizeof(r));
	r.stats = sample();
	ctprof_taskstats_active_from(CTPROF_DELAYACCT_RUNTIME_OFF, CTPROF_XACCT_OFF, &a);
	ctprof_taskstats_apply_result(&t, &r, &a);
	assert_true(t.taskstats_measured);
	assert_true(t.cpu_delay_active);
	assert_false(t.delay_block_active);
	assert_false(t.xacct_active);
	assert_int_equal(t.irq_delay_min_ns, 407);
	/* a failed query: zeros and all four flags false */
	r.err = -ESRCH;
	ctprof_taskstats_apply_result(&t, &r, &all_on);
	assert_false(t.taskstats_measured);
	assert_false(t.cpu_delay_active);
	assert_false(t.delay_block_active);
	assert_false(t.xacct_active);
	assert_int_equal(t.cpu_delay_count, 0);
	assert_int_equal(t.irq_delay_min_ns, 0);
	assert_int_equal(t.hiwater_vm_bytes, 0);
	ctprof_thread_clear(&t);
}

static void test_summary(void **state)
{
	struct ctprof_taskstats_summary s;

	(void)state;
	memset(&s, 0, sizeof(s));
	ctprof_taskstats_summary_add(&s, 0);
	ctprof_taskstats_summary_add(&s, 0);
	ctprof_taskstats_summary_add(&s, -EPERM);
	ctprof_taskstats_summary_add(&s, -ESRCH);
	ctprof_taskstats_summary_add(&s, -ESRCH);
	ctprof_taskstats_summary_add(&s, -ESRCH);
	ctprof_taskstats_summary_add(&s, -ETIMEDOUT);
	ctprof_taskstats_summary_add(&s, -EPROTO);
	assert_int_equal(s.ok_count, 2);
	assert_int_equal(s.eperm_count, 1);
	assert_int_equal(s.esrch_count, 3);
	assert_int_equal(s.other_err_count, 2);
	s.ok_count = UINT64_MAX;
	ctprof_taskstats_summary_add(&s, 0);
	assert_int_equal(s.ok_count, UINT64_MAX);
	ctprof_taskstats_summary_add(NULL, 0);
}

static void test_active_from(void **state)
{
	struct ctprof_taskstats_active a;

	(void)state;
	ctprof_taskstats_active_from(CTPROF_DELAYACCT_CONFIG_OFF, CTPROF_XACCT_UNKNOWN, &a);
	assert_false(a.cpu_delay_active);
	assert_false(a.delay_block_active);
	assert_true(a.xacct_active); /* unknown counts as active */
	ctprof_taskstats_active_from(CTPROF_DELAYACCT_ON, CTPROF_XACCT_ON, &a);
	assert_true(a.cpu_delay_active);
	assert_true(a.delay_block_active);
	assert_true(a.xacct_active);
	ctprof_taskstats_active_from(CTPROF_DELAYACCT_ABSENT, CTPROF_XACCT_ABSENT, &a);
	assert_int_equal(a.delayacct, CTPROF_DELAYACCT_CONFIG_OFF);
	assert_int_equal(a.xacct, CTPROF_XACCT_UNKNOWN);
}

/* Write text gzip-compressed to path. */
static void write_gz(const char *path, const char *text)
{
	unsigned char out[65536];
	z_stream zs;

	memset(&zs, 0, sizeof(zs));
	assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY),
			 Z_OK);
	zs.next_in = (unsigned char *)(uintptr_t)text;
	zs.avail_in = (unsigned)strlen(text);
	zs.next_out = out;
	zs.avail_out = sizeof(out);
	assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
	tu_write_file(path, out, sizeof(out) - zs.avail_out);
	deflateEnd(&zs);
}

static void test_probe_active_files(void **state)
{
	char *dir = tu_mkdtemp("ts-active");
	char *da = tu_path("%s/task_delayacct", dir);
	char *gz = tu_path("%s/config.gz", dir);
	char *missing = tu_path("%s/missing", dir);
	struct ctprof_taskstats_active a;

	(void)state;
	tu_write_str(da, "1\n");
	write_gz(gz, "#\n# General setup\nCONFIG_TASKSTATS=y\n  CONFIG_TASK_XACCT=y  \n");
	ctprof_taskstats_probe_active_at(da, gz, &a);
	assert_int_equal(a.delayacct, CTPROF_DELAYACCT_ON);
	assert_int_equal(a.xacct, CTPROF_XACCT_ON);
	assert_true(a.delay_block_active);

	tu_write_str(da, "0\n");
	write_gz(gz, "CONFIG_TASKSTATS=y\n# CONFIG_TASK_XACCT is not set\n");
	ctprof_taskstats_probe_active_at(da, gz, &a);
	assert_int_equal(a.delayacct, CTPROF_DELAYACCT_RUNTIME_OFF);
	assert_int_equal(a.xacct, CTPROF_XACCT_OFF);
	assert_true(a.cpu_delay_active);
	assert_false(a.delay_block_active);
	assert_false(a.xacct_active);

	/* empty sysctl, a config without the line, a line without newline */
	tu_write_str(da, "  \n");
	write_gz(gz, "CONFIG_TASKSTATS=y\nCONFIG_TASK_XACCT=m\n");
	ctprof_taskstats_probe_active_at(da, gz, &a);
	assert_int_equal(a.delayacct, CTPROF_DELAYACCT_CONFIG_OFF);
	assert_int_equal(a.xacct, CTPROF_XACCT_UNKNOWN);
	write_gz(gz, "CONFIG_A=y\nCONFIG_TASK_XACCT=y");
	ctprof_taskstats_probe_active_at(da, gz, &a);
	assert_int_equal(a.xacct, CTPROF_XACCT_ON);

	/* a plain (not gzip) file is undecodable; missing files */
	tu_write_str(gz, "CONFIG_TASK_XACCT=y\n");
	tu_write_str(da, "2");
	ctprof_taskstats_probe_active_at(da, gz, &a);
	assert_int_equal(a.delayacct, CTPROF_DELAYACCT_RUNTIME_OFF);
	assert_int_equal(a.xacct, CTPROF_XACCT_UNKNOWN);
	ctprof_taskstats_probe_active_at(missing, missing, &a);
	assert_int_equal(a.delayacct, CTPROF_DELAYACCT_CONFIG_OFF);
	assert_int_equal(a.xacct, CTPROF_XACCT_UNKNOWN);
	assert_false(a.cpu_delay_active);

	tu_rmtree(dir);
	free(dir);
	free(da);
	free(gz);
	free(missing);
}

static void test_exit_thread(void **state)
{
	struct ctprof_taskstats ts = sample();
	struct ctprof_taskstats_conv c = {
		.boot_time_s = 1700000000,
		.user_hz = 100,
		.active = all_on,
	};
	struct ctprof_thread t;

	(void)state;
	memcpy(ts.comm, "kworker\xff", 9);
	ts.tgid = 50;
	ts.sched = 3;
	ts.nice = -4;
	ts.flag = 0x20;
	ts.btime = 1700000123;
	ts.cpu_run_real_total_ns = 4000000; /* tick-sampled: not the run time */
	ts.cpu_run_virtual_total_ns = 5000000;
	ts.utime_us = 1234567;
	ts.stime_us = 20000;
	ts.nvcsw = 11;
	ts.nivcsw = 12;
	ts.minflt = 13;
	ts.majflt = 14;
	ts.read_char = 1024;
	ts.write_char = 2048;
	ts.read_syscalls = 3;
	ts.write_syscalls = 4;
	ts.read_bytes = 4096;
	ts.write_bytes = 8192;
	ts.cancelled_write_bytes = 1024;
	assert_int_equal(ctprof_taskstats_exit_thread(&ts, 51, &c, &t), 0);
	assert_int_equal(t.tid, 51);
	assert_int_equal(t.tgid, 50);
	assert_string_equal(t.comm, "kworker\xef\xbf\xbd"); /* U+FFFD */
	assert_string_equal(t.pcomm, "");                   /* not the leader */
	assert_string_equal(t.cgroup, "");
	assert_string_equal(t.policy, "SCHED_BATCH");
	assert_int_equal(t.nice, -4);
	assert_int_equal(t.priority, 16);
	assert_int_equal(t.state, 'X');
	assert_int_equal(t.start_time_clock_ticks, 12300);
	assert_int_equal(t.run_time_ns, 5000000);
	assert_int_equal(t.wait_time_ns, 200);
	assert_int_equal(t.timeslices, 100);
	assert_int_equal(t.voluntary_csw, 11);
	assert_int_equal(t.nonvoluntary_csw, 12);
	assert_int_equal(t.minflt, 13);
	assert_int_equal(t.majflt, 14);
	assert_int_equal(t.utime_clock_ticks, 123);
	assert_int_equal(t.stime_clock_ticks, 2);
	assert_int_equal(t.rchar, 1024);
	assert_int_equal(t.wchar, 2048);
	assert_int_equal(t.syscr, 3);
	assert_int_equal(t.syscw, 4);
	assert_int_equal(t.read_bytes, 4096);
	assert_int_equal(t.write_bytes, 8192);
	assert_int_equal(t.cancelled_write_bytes, 1024);
	assert_int_equal(t.blkio_delay_total_ns, 201);
	assert_int_equal(t.hiwater_rss_bytes, 1500 * 1024);
	assert_true(t.taskstats_measured);
	assert_true(t.delay_block_active);
	assert_true(t.exited);
	assert_int_equal(t.cpu_affinity.n, 0);
	ctprof_thread_clear(&t);

	/* the leader gets pcomm; RT, deadline and unknown policies; start before boot */
	memcpy(ts.comm, "main", 5);
	ts.sched = 1;
	ts.btime = 5;
	assert_int_equal(ctprof_taskstats_exit_thread(&ts, 50, &c, &t), 0);
	assert_string_equal(t.pcomm, "main");
	assert_string_equal(t.policy, "SCHED_FIFO");
	assert_int_equal(t.priority, 0);
	assert_int_equal(t.start_time_clock_ticks, 0);
	ctprof_thread_clear(&t);
	ts.sched = 6;
	assert_int_equal(ctprof_taskstats_exit_thread(&ts, 50, &c, &t), 0);
	assert_string_equal(t.policy, "SCHED_DEADLINE");
	assert_int_equal(t.priority, -101);
	ctprof_thread_clear(&t);
	ts.sched = 9;
	assert_int_equal(ctprof_taskstats_exit_thread(&ts, 50, &c, &t), 0);
	assert_string_equal(t.policy, "SCHED_UNKNOWN(9)");
	ctprof_thread_clear(&t);
}

static void test_delayacct_guard(void **state)
{
	char *dir = tu_mkdtemp("ts-delayacct");
	char *p = tu_path("%s/task_delayacct", dir);
	char *missing = tu_path("%s/nope/task_delayacct", dir);
	struct ctprof_delayacct_guard g;
	struct ctprof_error e;
	char *s;

	(void)state;
	memset(&g, 0, sizeof(g));
	assert_int_equal(ctprof_delayacct_restore(&g), 0); /* zeroed guard */
	tu_write_str(p, "0\n");
	assert_int_equal(ctprof_delayacct_enable(&g, p, &e), 0);
	assert_true(g.changed);
	assert_string_equal(g.prev, "0");
	s = tu_read_file(p, NULL);
	assert_string_equal(s, "1\n");
	free(s);
	/* a second enable changes nothing, even if the file moved on */
	tu_write_str(p, "1\n");
	assert_int_equal(ctprof_delayacct_enable(&g, p, &e), 0);
	assert_string_equal(g.prev, "0");
	assert_int_equal(ctprof_delayacct_restore(&g), 0);
	assert_false(g.changed);
	s = tu_read_file(p, NULL);
	assert_string_equal(s, "0\n");
	free(s);
	/* restore twice: the second one must not write */
	tu_write_str(p, "7\n");
	assert_int_equal(ctprof_delayacct_restore(&g), 0);
	s = tu_read_file(p, NULL);
	assert_string_equal(s, "7\n");
	free(s);

	/* already on: nothing to do and nothing to restore */
	memset(&g, 0, sizeof(g));
	tu_write_str(p, "1\n");
	assert_int_equal(ctprof_delayacct_enable(&g, p, &e), 0);
	assert_false(g.changed);
	tu_write_str(p, "5\n");
	assert_int_equal(ctprof_delayacct_restore(&g), 0);
	s = tu_read_file(p, NULL);
	assert_string_equal(s, "5\n");
	free(s);

	/* errors name the path and the step */
	memset(&g, 0, sizeof(g));
	memset(&e, 0, sizeof(e));
	assert_int_equal(ctprof_delayacct_enable(&g, missing, &e), -ENOENT);
	assert_int_equal(e.code, -ENOENT);
	assert_non_null(strstr(e.msg, missing));
	assert_non_null(strstr(e.msg, "read previous value"));
	assert_non_null(strstr(e.msg, "CONFIG_TASK_DELAY_ACCT"));
	assert_false(g.changed);
	tu_write_str(p, "");
	assert_int_equal(ctprof_delayacct_enable(&g, p, &e), -EINVAL);
	assert_false(g.changed);

	tu_rmtree(dir);
	free(dir);
	free(p);
	free(missing);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_apply),
		cmocka_unit_test(test_apply_result),
		cmocka_unit_test(test_summary),
		cmocka_unit_test(test_active_from),
		cmocka_unit_test(test_probe_active_files),
		cmocka_unit_test(test_exit_thread),
		cmocka_unit_test(test_delayacct_guard),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
