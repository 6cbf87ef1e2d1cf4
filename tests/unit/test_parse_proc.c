/* SPDX-License-Identifier: MIT */
/*
 * The per-thread procfs parsers over buffers and fixtures: PN decoder,
 * stat, schedstat, sched, status, io, smaps_rollup, cgroup, cpulist,
 * policy names and lossy text. Expected values come from
 * spec/snapshot-and-capture.md §4.4, §4.7 and §6.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <cmocka.h>

#include "capture/parse.h"
#include "testutil.h"

#define S(lit) (lit), (sizeof(lit) - 1)

static char *fixture(const char *name, size_t *len)
{
	char *path = tu_fixture(name);
	char *data = tu_read_file(path, len);

	if (!data)
		fail_msg("fixture %s unreadable", path);
	free(path);
	return data;
}

static void thread_new(struct ctprof_thread *t)
{
	assert_int_equal(ctprof_thread_init(t), 0);
}

/* ---- PN decoder ----------------------------------------------------- */

static void pn_ok(const char *s, uint64_t want)
{
	uint64_t v = 0xdead;

	if (ctprof_parse_pn(s, strlen(s), &v) != CTPROF_PN_OK)
		fail_msg("PN \"%s\" not OK", s);
	if (v != want)
		fail_msg("PN \"%s\" = %llu, want %llu", s, (unsigned long long)v,
			 (unsigned long long)want);
}

static void pn_bad(const char *s, enum ctprof_pn_result want)
{
	uint64_t v = 0xdead;
	enum ctprof_pn_result r = ctprof_parse_pn(s, strlen(s), &v);

	if (r != want)
		fail_msg("PN \"%s\" = result %d, want %d", s, (int)r, (int)want);
	assert_int_equal(v, 0xdead); /* never written on failure */
}

static void test_pn_spec_table(void **state)
{
	(void)state;
	pn_ok("5000.25", 5000250000ull);
	pn_ok("250.5", 250500000ull);
	pn_ok("7.999", 7999000ull);
	pn_ok("77.0", 77000000ull);
	pn_ok("500", 500);
	pn_bad("-5.0", CTPROF_PN_NEGATIVE);
}

static void test_pn_fractions(void **state)
{
	(void)state;
	pn_ok("1.2", 1200000);
	pn_ok("1.23", 1230000);
	pn_ok("1.234", 1234000);
	pn_ok("1.234567", 1234567);
	pn_ok("1.2345678", 1234567); /* only the first 6 digits count */
	pn_ok("2.", 2000000);        /* empty fraction pads to 000000 */
	pn_ok("0.000001", 1);
	pn_ok("  3200.500000", 3200500000ull); /* kernel right-aligns with spaces */
	pn_ok("  42  ", 42);
	pn_ok("18446744073709.551615", UINT64_MAX);
}

static void test_pn_negative(void **state)
{
	(void)state;
	pn_bad("0.-000500", CTPROF_PN_NEGATIVE);
	pn_bad("0.-1", CTPROF_PN_NEGATIVE);
	pn_bad("0. -1", CTPROF_PN_NEGATIVE);
	pn_bad(" -12.000000", CTPROF_PN_NEGATIVE);
	pn_bad("-0.000000", CTPROF_PN_NEGATIVE);
	pn_bad("-7", CTPROF_PN_NEGATIVE);
	pn_bad("  -7  ", CTPROF_PN_NEGATIVE);
}

static void test_pn_malformed(void **state)
{
	(void)state;
	pn_bad("18446744073709.551616", CTPROF_PN_MALFORMED); /* ms*1e6+ns overflows */
	pn_bad("18446744073710.0", CTPROF_PN_MALFORMED);
	pn_bad("99999999999999999999.0", CTPROF_PN_MALFORMED); /* ms not a u64 */
	pn_bad("18446744073709551616", CTPROF_PN_MALFORMED);
	pn_bad("abc", CTPROF_PN_MALFORMED);
	pn_bad("1.x", CTPROF_PN_MALFORMED);
	pn_bad("x.1", CTPROF_PN_MALFORMED);
	pn_bad("1. 5", CTPROF_PN_MALFORMED);
	pn_bad("", CTPROF_PN_MALFORMED);
	pn_bad(".", CTPROF_PN_MALFORMED);
	pn_bad("1.2.3", CTPROF_PN_MALFORMED);
	pn_bad("12ms", CTPROF_PN_MALFORMED);
}

/* ---- stat ------------------------------------------------------------ */

static void test_stat_ktstr_fixture(void **state)
{
	struct ctprof_thread t;
	size_t len;
	char *buf = fixture("proc-formats/stat-ktstr", &len);

	(void)state;
	thread_new(&t);
	assert_true(ctprof_parse_stat(buf, len, &t));
	assert_int_equal(t.minflt, 7777);
	assert_int_equal(t.majflt, 8888);
	assert_int_equal(t.utime_clock_ticks, 10);
	assert_int_equal(t.stime_clock_ticks, 11);
	assert_int_equal(t.priority, 14);
	assert_int_equal(t.nice, -10);
	assert_int_equal(t.start_time_clock_ticks, 555555);
	assert_int_equal(t.processor, 1700);
	assert_int_equal(t.rt_priority, 1800);
	assert_string_equal(t.policy, "SCHED_OTHER");
	ctprof_thread_clear(&t);
	free(buf);
}

static void test_stat_last_paren(void **state)
{
	struct ctprof_thread t;
	/* comm "a) S 9 9 9 (b" then the real fields; only the last ')' anchors. */
	const char *s = "7 (a) S 9 9 9 (b) S 0 0 0 0 0 0 31 0 32 0 33 34 0 0 35 19 1 0 "
			"4242 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 3 0 0\n";

	(void)state;
	thread_new(&t);
	assert_true(ctprof_parse_stat(s, strlen(s), &t));
	assert_int_equal(t.minflt, 31);
	assert_int_equal(t.majflt, 32);
	assert_int_equal(t.utime_clock_ticks, 33);
	assert_int_equal(t.stime_clock_ticks, 34);
	assert_int_equal(t.priority, 35);
	assert_int_equal(t.nice, 19);
	assert_int_equal(t.start_time_clock_ticks, 4242);
	assert_int_equal(t.processor, 3);
	assert_string_equal(t.policy, "SCHED_OTHER");
	ctprof_thread_clear(&t);
}

static void test_stat_corrupt(void **state)
{
	struct ctprof_thread t;

	(void)state;
	thread_new(&t);
	assert_false(ctprof_parse_stat(S("101 no paren here R 1 2 3 4 5 6 7777 0 8888\n"), &t));
	assert_false(ctprof_parse_stat(S(""), &t));
	/* Only the first line counts: a ')' on line 2 does not help. */
	assert_false(ctprof_parse_stat(S("1 (x S 1 2 3\n1 (x) S 1 2 3 4 5 6 7 0 9\n"), &t));
	assert_int_equal(t.minflt, 0);
	assert_int_equal(t.majflt, 0);
	assert_int_equal(t.start_time_clock_ticks, 0);
	assert_int_equal(t.nice, 0);
	assert_string_equal(t.policy, "");
	ctprof_thread_clear(&t);
}

static void test_stat_short(void **state)
{
	struct ctprof_thread t;

	(void)state;
	thread_new(&t);
	/* Ends at tail index 9 (majflt): later fields absent, policy "". */
	assert_true(ctprof_parse_stat(S("1 (x) S 1 2 3 4 5 6 77 0 88"), &t));
	assert_int_equal(t.minflt, 77);
	assert_int_equal(t.majflt, 88);
	assert_int_equal(t.utime_clock_ticks, 0);
	assert_int_equal(t.start_time_clock_ticks, 0);
	assert_int_equal(t.processor, 0);
	assert_string_equal(t.policy, "");
	/* ')' as the very last byte: tail empty, still "found". */
	assert_true(ctprof_parse_stat(S("1 (x)"), &t));
	ctprof_thread_clear(&t);
}

static void test_stat_bad_numbers(void **state)
{
	struct ctprof_thread t;
	/* minflt: 40 digits; majflt: -5 (unsigned); utime: u64 max; stime:
	 * u64 max + 1; priority: i32 overflow; nice: -20; starttime: "12x";
	 * processor: -1 (i32 is fine); rt_priority: -1 (unsigned); policy 4. */
	const char *s = "9 (w) R 1 2 3 4 5 6 1234567890123456789012345678901234567890 0 -5 0 "
			"18446744073709551615 18446744073709551616 0 0 2147483648 -20 1 0 12x "
			"0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 -1 -1 4 0\n";

	(void)state;
	thread_new(&t);
	assert_true(ctprof_parse_stat(s, strlen(s), &t));
	assert_int_equal(t.minflt, 0);
	assert_int_equal(t.majflt, 0);
	assert_true(t.utime_clock_ticks == UINT64_MAX);
	assert_int_equal(t.stime_clock_ticks, 0);
	assert_int_equal(t.priority, 0);
	assert_int_equal(t.nice, -20);
	assert_int_equal(t.start_time_clock_ticks, 0);
	assert_int_equal(t.processor, -1);
	assert_int_equal(t.rt_priority, 0);
	assert_string_equal(t.policy, "SCHED_UNKNOWN(4)");
	ctprof_thread_clear(&t);
}

static void stat_policy(const char *num, const char *want)
{
	struct ctprof_thread t;
	char line[256];

	snprintf(line, sizeof(line),
		 "1 (p) S 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 "
		 "0 0 %s 0\n", num);
	thread_new(&t);
	assert_true(ctprof_parse_stat(line, strlen(line), &t));
	assert_int_equal(t.start_time_clock_ticks, 1);
	if (strcmp(t.policy, want) != 0)
		fail_msg("policy %s -> \"%s\", want \"%s\"", num, t.policy, want);
	ctprof_thread_clear(&t);
}

static void test_stat_policies(void **state)
{
	char tmp[40];

	(void)state;
	stat_policy("0", "SCHED_OTHER");
	stat_policy("1", "SCHED_FIFO");
	stat_policy("2", "SCHED_RR");
	stat_policy("3", "SCHED_BATCH");
	stat_policy("4", "SCHED_UNKNOWN(4)");
	stat_policy("5", "SCHED_IDLE");
	stat_policy("6", "SCHED_DEADLINE");
	stat_policy("7", "SCHED_EXT");
	stat_policy("8", "SCHED_UNKNOWN(8)");
	stat_policy("-3", "SCHED_UNKNOWN(-3)");
	stat_policy("2147483647", "SCHED_UNKNOWN(2147483647)");
	stat_policy("2147483648", ""); /* not an i32: absent */
	stat_policy("x", "");
	assert_string_equal(ctprof_policy_name(-2147483647L - 1, tmp, sizeof(tmp)),
			    "SCHED_UNKNOWN(-2147483648)");
}

/* ---- schedstat ------------------------------------------------------- */

static void test_schedstat(void **state)
{
	struct ctprof_thread t;

	(void)state;
	thread_new(&t);
	ctprof_parse_schedstat(S("1000000 200000 50\n"), &t);
	assert_int_equal(t.run_time_ns, 1000000);
	assert_int_equal(t.wait_time_ns, 200000);
	assert_int_equal(t.timeslices, 50);
	ctprof_thread_clear(&t);

	thread_new(&t);
	ctprof_parse_schedstat(S("5 x 7 99\n"), &t); /* each token independent */
	assert_int_equal(t.run_time_ns, 5);
	assert_int_equal(t.wait_time_ns, 0);
	assert_int_equal(t.timeslices, 7);
	ctprof_thread_clear(&t);

	thread_new(&t);
	ctprof_parse_schedstat(S("\n1 2 3\n"), &t); /* first line only */
	ctprof_parse_schedstat(S("18446744073709551616 -1"), &t);
	assert_int_equal(t.run_time_ns, 0);
	assert_int_equal(t.wait_time_ns, 0);
	assert_int_equal(t.timeslices, 0);
	ctprof_thread_clear(&t);
}

/* ---- sched ----------------------------------------------------------- */

static void test_sched_ktstr_fixture(void **state)
{
	struct ctprof_thread t;
	size_t len;
	char *buf = fixture("proc-formats/sched-ktstr", &len);

	(void)state;
	thread_new(&t);
	assert_int_equal(ctprof_parse_sched(buf, len, &t), 0);
	assert_int_equal(t.nr_wakeups, 11);
	assert_int_equal(t.nr_wakeups_local, 8);
	assert_int_equal(t.nr_wakeups_remote, 3);
	assert_int_equal(t.nr_wakeups_sync, 2);
	assert_int_equal(t.nr_wakeups_migrate, 1);
	assert_int_equal(t.nr_wakeups_affine, 12);
	assert_int_equal(t.nr_wakeups_affine_attempts, 20);
	assert_int_equal(t.nr_migrations, 9);
	assert_int_equal(t.nr_forced_migrations, 7);
	assert_int_equal(t.nr_failed_migrations_affine, 1);
	assert_int_equal(t.nr_failed_migrations_running, 2);
	assert_int_equal(t.nr_failed_migrations_hot, 3);
	assert_int_equal(t.wait_sum, 5000250000ull);
	assert_int_equal(t.wait_count, 15);
	assert_int_equal(t.wait_max, 250500000ull);
	assert_int_equal(t.voluntary_sleep_ns, 2099750000ull);
	assert_int_equal(t.sleep_max, 180250000ull);
	assert_int_equal(t.block_sum, 1100750000ull);
	assert_int_equal(t.block_max, 60750000ull);
	assert_int_equal(t.iowait_sum, 77000000ull);
	assert_int_equal(t.iowait_count, 18);
	assert_int_equal(t.exec_max, 90000000ull);
	assert_int_equal(t.slice_max, 400500000ull);
	assert_int_equal(t.core_forceidle_sum, 0);
	assert_int_equal(t.fair_slice_ns, 0);
	assert_true(t.ext_enabled);
	ctprof_thread_clear(&t);
	free(buf);
}

static void test_sched_schedstats_on(void **state)
{
	struct ctprof_thread t;
	size_t len;
	char *buf = fixture("proc-formats/sched-schedstats-on", &len);

	(void)state;
	thread_new(&t);
	assert_int_equal(ctprof_parse_sched(buf, len, &t), 0);
	assert_int_equal(t.nr_migrations, 17);
	assert_int_equal(t.voluntary_sleep_ns, 5000250000ull - 1200125000ull);
	assert_int_equal(t.block_sum, 1200125000ull);
	assert_int_equal(t.sleep_max, 40500000);
	assert_int_equal(t.block_max, 12000005);
	assert_int_equal(t.exec_max, 3999999);
	assert_int_equal(t.slice_max, 2800000);
	assert_int_equal(t.wait_max, 7123456);
	assert_int_equal(t.wait_sum, 321654321);
	assert_int_equal(t.wait_count, 812);
	assert_int_equal(t.iowait_sum, 88800000);
	assert_int_equal(t.iowait_count, 31);
	assert_int_equal(t.nr_failed_migrations_affine, 4);
	assert_int_equal(t.nr_failed_migrations_running, 5);
	assert_int_equal(t.nr_failed_migrations_hot, 6);
	assert_int_equal(t.nr_forced_migrations, 2);
	assert_int_equal(t.nr_wakeups, 790);
	assert_int_equal(t.nr_wakeups_sync, 100);
	assert_int_equal(t.nr_wakeups_migrate, 15);
	assert_int_equal(t.nr_wakeups_local, 600);
	assert_int_equal(t.nr_wakeups_remote, 190);
	assert_int_equal(t.nr_wakeups_affine, 40);
	assert_int_equal(t.nr_wakeups_affine_attempts, 300);
	assert_int_equal(t.core_forceidle_sum, 4500);
	assert_int_equal(t.fair_slice_ns, 2800000);
	assert_false(t.ext_enabled); /* ext.enabled : 0 */
	ctprof_thread_clear(&t);
	free(buf);
}

static void test_sched_schedstats_off(void **state)
{
	struct ctprof_thread t;
	size_t len;
	char *buf = fixture("proc-formats/sched-schedstats-off", &len);

	(void)state;
	thread_new(&t);
	assert_int_equal(ctprof_parse_sched(buf, len, &t), 0);
	assert_int_equal(t.nr_migrations, 5);
	assert_int_equal(t.fair_slice_ns, 1400000);
	assert_int_equal(t.nr_wakeups, 0);
	assert_int_equal(t.wait_sum, 0);
	assert_int_equal(t.wait_count, 0);
	assert_int_equal(t.voluntary_sleep_ns, 0);
	assert_int_equal(t.block_sum, 0);
	assert_int_equal(t.exec_max, 0);
	assert_false(t.ext_enabled);
	ctprof_thread_clear(&t);
	free(buf);
}

static void test_sched_se_statistics_prefix(void **state)
{
	struct ctprof_thread t;
	size_t len;
	char *buf = fixture("proc-formats/sched-se-statistics", &len);

	(void)state;
	thread_new(&t);
	assert_int_equal(ctprof_parse_sched(buf, len, &t), 0);
	assert_int_equal(t.voluntary_sleep_ns, 10000000005ull - 2500000005ull);
	assert_int_equal(t.block_sum, 2500000005ull);
	assert_int_equal(t.sleep_max, 900000010);
	assert_int_equal(t.block_max, 80000020);
	assert_int_equal(t.exec_max, 4000030);
	assert_int_equal(t.slice_max, 6000040);
	assert_int_equal(t.wait_max, 11000050);
	assert_int_equal(t.wait_sum, 120000060);
	assert_int_equal(t.wait_count, 4000);
	assert_int_equal(t.iowait_sum, 33000070);
	assert_int_equal(t.iowait_count, 12);
	assert_int_equal(t.nr_migrations, 64);
	assert_int_equal(t.nr_failed_migrations_running, 9);
	assert_int_equal(t.nr_failed_migrations_hot, 1);
	assert_int_equal(t.nr_wakeups, 3999);
	assert_int_equal(t.nr_wakeups_sync, 10);
	assert_int_equal(t.nr_wakeups_migrate, 60);
	assert_int_equal(t.nr_wakeups_local, 3000);
	assert_int_equal(t.nr_wakeups_remote, 999);
	assert_int_equal(t.nr_wakeups_affine, 7);
	assert_int_equal(t.nr_wakeups_affine_attempts, 70);
	assert_int_equal(t.fair_slice_ns, 0);
	assert_false(t.ext_enabled);
	ctprof_thread_clear(&t);
	free(buf);
}

static void test_sched_ext_enabled_fixture(void **state)
{
	struct ctprof_thread t;
	size_t len;
	char *buf = fixture("proc-formats/sched-ext-enabled", &len);

	(void)state;
	thread_new(&t);
	assert_int_equal(ctprof_parse_sched(buf, len, &t), 0);
	assert_true(t.ext_enabled);
	assert_int_equal(t.fair_slice_ns, 3000000);
	assert_int_equal(t.nr_migrations, 3);
	ctprof_thread_clear(&t);
	free(buf);
}

static bool ext_of(const char *s)
{
	struct ctprof_thread t;
	bool v;

	thread_new(&t);
	ctprof_parse_sched(s, strlen(s), &t);
	v = t.ext_enabled;
	ctprof_thread_clear(&t);
	return v;
}

static void test_sched_ext_key_exact(void **state)
{
	(void)state;
	assert_true(ext_of("ext.enabled : 1\n"));
	assert_true(ext_of("  ext.enabled\t:\t2  \n"));
	assert_false(ext_of("ext.enabled : 0\n"));
	assert_false(ext_of("foo.enabled : 1\n"));
	assert_false(ext_of("se.ext.enabled : 1\n"));
	assert_false(ext_of("enabled : 1\n"));
	assert_false(ext_of("ext.enabled : yes\n"));
	assert_false(ext_of("ext.enabled : -1\n"));
	/* The later line wins, even when it does not parse. */
	assert_false(ext_of("ext.enabled : 1\next.enabled : x\n"));
	assert_true(ext_of("ext.enabled : 0\next.enabled : 1\n"));
}

static void test_sched_sleep_derivation(void **state)
{
	struct ctprof_thread t;

	(void)state;
	/* Missing sum_block_runtime: 0, raw sleep is not used. */
	thread_new(&t);
	ctprof_parse_sched(S("sum_sleep_runtime : 3200.50\n"), &t);
	assert_int_equal(t.voluntary_sleep_ns, 0);
	ctprof_thread_clear(&t);
	/* Missing sum_sleep_runtime: 0. */
	thread_new(&t);
	ctprof_parse_sched(S("sum_block_runtime : 1.0\n"), &t);
	assert_int_equal(t.voluntary_sleep_ns, 0);
	assert_int_equal(t.block_sum, 1000000);
	ctprof_thread_clear(&t);
	/* Block larger than sleep saturates at 0. */
	thread_new(&t);
	ctprof_parse_sched(S("sum_sleep_runtime : 1.0\nsum_block_runtime : 2.0\n"), &t);
	assert_int_equal(t.voluntary_sleep_ns, 0);
	assert_int_equal(t.block_sum, 2000000);
	ctprof_thread_clear(&t);
	/* Malformed block: both absent from the derivation. */
	thread_new(&t);
	ctprof_parse_sched(S("sum_sleep_runtime : 5.0\nsum_block_runtime : 1.x\n"), &t);
	assert_int_equal(t.voluntary_sleep_ns, 0);
	assert_int_equal(t.block_sum, 0);
	ctprof_thread_clear(&t);
	/* Zero block is present: sleep − 0. */
	thread_new(&t);
	ctprof_parse_sched(S("sum_block_runtime : 0.000000\nsum_sleep_runtime : 5.000001\n"), &t);
	assert_int_equal(t.voluntary_sleep_ns, 5000001);
	ctprof_thread_clear(&t);
}

static void test_sched_negatives(void **state)
{
	struct ctprof_thread t;

	(void)state;
	thread_new(&t);
	assert_int_equal(ctprof_parse_sched(S("wait_sum : -5.0\n"
					      "se.statistics.sleep_max : 0.-000500\n"
					      "wait_max : 3.0\n"
					      "nr_wakeups : -1\n"    /* plain key: not counted */
					      "block_max : garbage\n" /* malformed: not counted */
					      "sum_block_runtime : -1.000000\n"
					      "sum_sleep_runtime : 9.0\n"),
					    &t),
			 3);
	assert_int_equal(t.wait_sum, 0);
	assert_int_equal(t.sleep_max, 0);
	assert_int_equal(t.wait_max, 3000000);
	assert_int_equal(t.nr_wakeups, 0);
	assert_int_equal(t.block_max, 0);
	assert_int_equal(t.block_sum, 0);
	assert_int_equal(t.voluntary_sleep_ns, 0);
	ctprof_thread_clear(&t);
}

static void test_sched_misc_rules(void **state)
{
	struct ctprof_thread t;

	(void)state;
	thread_new(&t);
	ctprof_parse_sched(S("wait_sum : 12345\n"            /* plain integer passes as ns */
			     "nr_wakeups : 5\nnr_wakeups : x\n" /* later line wins */
			     "nr_wakeups_local : 18446744073709551616\n"
			     "slice : 1.5\n"                 /* slice is a plain integer */
			     "foo. : 5\n"                    /* empty short key */
			     "nr_wakeups_idle : 77\n"        /* ignored key */
			     "nr_migrations_cold : 77\n"
			     "sum_exec_runtime : 77\n"
			     "no colon here\n"
			     "nr_wakeups_sync:4\r\n"         /* CRLF, no spaces */
			     "stats.nr_wakeups_remote : 6"), /* no final newline */
			   &t);
	assert_int_equal(t.wait_sum, 12345);
	assert_int_equal(t.nr_wakeups, 0);
	assert_int_equal(t.nr_wakeups_local, 0);
	assert_int_equal(t.fair_slice_ns, 0);
	assert_int_equal(t.nr_migrations, 0);
	assert_int_equal(t.nr_wakeups_sync, 4);
	assert_int_equal(t.nr_wakeups_remote, 6);
	ctprof_thread_clear(&t);

	thread_new(&t);
	ctprof_parse_sched(S("se.slice : 3000000\nse.statistics.core_forceidle_sum : 1.5\n"), &t);
	assert_int_equal(t.fair_slice_ns, 3000000);
	assert_int_equal(t.core_forceidle_sum, 1500000);
	ctprof_thread_clear(&t);
}

/* ---- status ---------------------------------------------------------- */

static void assert_cpus(const struct ctprof_cpuset *cs, const uint32_t *want, size_t n)
{
	size_t i;

	assert_int_equal(cs->n, n);
	for (i = 0; i < n; i++)
		assert_int_equal(cs->cpus[i], want[i]);
}

static void test_status_ktstr_fixture(void **state)
{
	static const uint32_t want[] = { 0, 1, 2, 3 };
	struct ctprof_thread t;
	size_t len;
	char *buf = fixture("proc-formats/status-ktstr", &len);

	(void)state;
	thread_new(&t);
	ctprof_parse_status(buf, len, &t, false, true);
	assert_int_equal(t.state, 'R');
	assert_int_equal(t.voluntary_csw, 42);
	assert_int_equal(t.nonvoluntary_csw, 7);
	assert_cpus(&t.cpu_affinity, want, 4);
	assert_int_equal(t.nr_threads, 0);
	ctprof_thread_clear(&t);
	free(buf);
}

static void test_status_leader_rules(void **state)
{
	static const uint32_t want[] = { 0, 1, 2, 3, 8, 9, 10, 11, 16 };
	struct ctprof_thread t;
	size_t len;
	char *buf = fixture("proc-formats/status-leader", &len);

	(void)state;
	thread_new(&t);
	ctprof_parse_status(buf, len, &t, true, true);
	assert_int_equal(t.state, 'D');
	assert_int_equal(t.nr_threads, 12);
	assert_int_equal(t.voluntary_csw, 123456);
	assert_int_equal(t.nonvoluntary_csw, 789);
	assert_cpus(&t.cpu_affinity, want, 9);
	ctprof_thread_clear(&t);

	/* Not the leader: no Threads. Affinity not wanted: left empty. */
	thread_new(&t);
	ctprof_parse_status(buf, len, &t, false, false);
	assert_int_equal(t.nr_threads, 0);
	assert_int_equal(t.cpu_affinity.n, 0);
	assert_null(t.cpu_affinity.cpus);
	assert_int_equal(t.voluntary_csw, 123456);
	ctprof_thread_clear(&t);
	free(buf);
}

static void test_status_kthread(void **state)
{
	static const uint32_t want[] = { 0, 1 };
	struct ctprof_thread t;
	size_t len;
	char *buf = fixture("proc-formats/status-kthread", &len);

	(void)state;
	thread_new(&t);
	ctprof_parse_status(buf, len, &t, true, true);
	assert_int_equal(t.state, 'S');
	assert_int_equal(t.nr_threads, 1);
	assert_int_equal(t.voluntary_csw, 65);
	assert_int_equal(t.nonvoluntary_csw, 0);
	assert_cpus(&t.cpu_affinity, want, 2);
	ctprof_thread_clear(&t);
	free(buf);
}

static void test_status_corrupt(void **state)
{
	struct ctprof_thread t;

	(void)state;
	thread_new(&t);
	ctprof_parse_status(S("State R (running)\nvoluntary_ctxt_switches 4\n"
			      "Cpus_allowed_list 0-3\n"),
			    &t, true, true);
	assert_int_equal(t.state, '~');
	assert_int_equal(t.voluntary_csw, 0);
	assert_int_equal(t.cpu_affinity.n, 0);
	ctprof_thread_clear(&t);

	thread_new(&t);
	ctprof_parse_status(S("State:\t\nThreads:\t-1\nCpus_allowed_list:\t0-3,x\n"
			      "nonvoluntary_ctxt_switches:\t99999999999999999999\n"),
			    &t, true, true);
	assert_int_equal(t.state, '~');
	assert_int_equal(t.nr_threads, 0);
	assert_int_equal(t.cpu_affinity.n, 0);
	assert_int_equal(t.nonvoluntary_csw, 0);
	ctprof_thread_clear(&t);

	/* A state the one-byte model cannot hold is absent. */
	thread_new(&t);
	ctprof_parse_status(S("State:\t\xc3\xa9 (odd)\n"), &t, false, false);
	assert_int_equal(t.state, '~');
	ctprof_parse_status(S("State:   I (idle)\r\n"), &t, false, false);
	assert_int_equal(t.state, 'I');
	ctprof_thread_clear(&t);
}

/* ---- io -------------------------------------------------------------- */

static void test_io(void **state)
{
	struct ctprof_thread t;
	size_t len;
	char *buf = fixture("proc-formats/io-ktstr", &len);

	(void)state;
	thread_new(&t);
	ctprof_parse_io(buf, len, &t);
	assert_int_equal(t.rchar, 100);
	assert_int_equal(t.wchar, 200);
	assert_int_equal(t.syscr, 10);
	assert_int_equal(t.syscw, 20);
	assert_int_equal(t.read_bytes, 4096);
	assert_int_equal(t.write_bytes, 8192);
	assert_int_equal(t.cancelled_write_bytes, 512);
	ctprof_thread_clear(&t);
	free(buf);

	thread_new(&t);
	ctprof_parse_io(S("rchar :  5  \nwchar: -1\nsyscr: 1e3\nunknown: 7\n"
			  "read_bytes: 18446744073709551615\nwrite_bytes 9\n"),
			&t);
	assert_int_equal(t.rchar, 5);
	assert_int_equal(t.wchar, 0);
	assert_int_equal(t.syscr, 0);
	assert_true(t.read_bytes == UINT64_MAX);
	assert_int_equal(t.write_bytes, 0);
	ctprof_thread_clear(&t);
}

/* ---- smaps_rollup ---------------------------------------------------- */

static uint64_t kv(const struct ctprof_kvmap *m, const char *key)
{
	uint64_t v;

	if (!ctprof_kvmap_get(m, key, &v))
		fail_msg("key %s missing", key);
	return v;
}

static void test_smaps_rollup_fixture(void **state)
{
	struct ctprof_kvmap m = { 0 };
	size_t len, i;
	char *buf = fixture("proc-formats/smaps_rollup-leader", &len);

	(void)state;
	assert_int_equal(ctprof_parse_smaps_rollup(buf, len, &m), 0);
	assert_int_equal(m.n, 22); /* 23 lines, the [rollup] header dropped */
	assert_int_equal(kv(&m, "Rss"), 1616);
	assert_int_equal(kv(&m, "Pss"), 299);
	assert_int_equal(kv(&m, "Pss_File"), 187);
	assert_int_equal(kv(&m, "Shared_Clean"), 1460);
	assert_int_equal(kv(&m, "Private_Clean"), 44);
	assert_int_equal(kv(&m, "Locked"), 0);
	for (i = 0; i < m.n; i++) {
		assert_null(strchr(m.items[i].key, ' '));
		assert_null(strchr(m.items[i].key, '-'));
		if (i)
			assert_true(strcmp(m.items[i - 1].key, m.items[i].key) < 0);
	}
	ctprof_kvmap_clear(&m);
	free(buf);

	buf = fixture("proc-formats/smaps_rollup-kthread", &len);
	assert_int_equal(ctprof_parse_smaps_rollup(buf, len, &m), 0);
	assert_int_equal(m.n, 0);
	free(buf);
}

static void test_smaps_rollup_rules(void **state)
{
	struct ctprof_kvmap m = { 0 };

	(void)state;
	assert_int_equal(ctprof_parse_smaps_rollup(S("Rss: 10 kB\n"
						     "Pss_Dirty:5 kB\n"
						     "bad-key: 5 kB\n"
						     "Two words: 7 kB\n"
						     "NoValue:\n"
						     "Neg: -1 kB\n"
						     "R\xffss: 3 kB\n"
						     "Extra: 4\n"
						     " : 9 kB\n"
						     "Rss: 12 kB\n"),
						   &m),
			 0);
	/* Sorted by bytes: "" first, U+FFFD (EF BF BD) after 's'. */
	assert_int_equal(m.n, 5);
	assert_string_equal(m.items[0].key, ""); /* as ktstr: an empty key is kept */
	assert_int_equal(m.items[0].value, 9);
	assert_string_equal(m.items[1].key, "Extra");
	assert_int_equal(m.items[1].value, 4);
	assert_string_equal(m.items[2].key, "Pss_Dirty");
	assert_int_equal(m.items[2].value, 5);
	assert_string_equal(m.items[3].key, "Rss");
	assert_int_equal(m.items[3].value, 12); /* the later line wins */
	assert_string_equal(m.items[4].key, "R\xef\xbf\xbdss"); /* kept, U+FFFD */
	assert_int_equal(m.items[4].value, 3);
	/* A second parse replaces the map. */
	assert_int_equal(ctprof_parse_smaps_rollup(S("Swap: 1 kB\n"), &m), 0);
	assert_int_equal(m.n, 1);
	assert_string_equal(m.items[0].key, "Swap");
	ctprof_kvmap_clear(&m);
}

/* ---- cgroup ---------------------------------------------------------- */

static void cgroup_is(const char *buf, size_t len, const char *want)
{
	char *s = ctprof_parse_cgroup(buf, len);

	assert_non_null(s);
	assert_string_equal(s, want);
	free(s);
}

static void test_cgroup(void **state)
{
	size_t len;
	char *buf = fixture("proc-formats/cgroup-hybrid", &len);

	(void)state;
	/* v1 lines skipped, the empty "0::" line skipped. */
	cgroup_is(buf, len, "/user.slice/user-1000.slice/session-3.scope");
	free(buf);
	buf = fixture("proc-formats/cgroup-v2", &len);
	cgroup_is(buf, len, "/system.slice/nginx.service");
	free(buf);
	cgroup_is(S("1:cpu:/a\n2:memory:/b\n"), "");
	cgroup_is(S(""), "");
	cgroup_is(S("0::   \n0::  /a b  \n0::/c\n"), "/a b");
	cgroup_is(S(" 0::/x\n"), ""); /* the prefix must start the line */
	cgroup_is(S("0::/x\r\n"), "/x");
	cgroup_is(S("0::/\n"), "/");
	cgroup_is(S("0::/bad\xff\xfe/name\n"), "/bad\xef\xbf\xbd\xef\xbf\xbd/name");
}

/* ---- cpulist --------------------------------------------------------- */

static void cpulist_ok(const char *s, const uint32_t *want, size_t n)
{
	struct ctprof_cpuset cs = { 0 };
	int r = ctprof_parse_cpulist(s, strlen(s), &cs);

	if (r)
		fail_msg("cpulist \"%s\" -> %d", s, r);
	assert_cpus(&cs, want, n);
	free(cs.cpus);
}

static void cpulist_bad(const char *s, int want)
{
	struct ctprof_cpuset cs = { 0 };
	int r = ctprof_parse_cpulist(s, strlen(s), &cs);

	if (r != want)
		fail_msg("cpulist \"%s\" -> %d, want %d", s, r, want);
	assert_null(cs.cpus);
	assert_int_equal(cs.n, 0);
}

static void test_cpulist(void **state)
{
	static const uint32_t c0_3[] = { 0, 1, 2, 3 };
	static const uint32_t c0_3_8[] = { 0, 1, 2, 3, 8 };
	static const uint32_t c12[] = { 1, 2 };
	static const uint32_t c0_2[] = { 0, 1, 2 };
	static const uint32_t c24[] = { 2, 4 };
	static const uint32_t cmax[] = { 4294967295u };
	static const uint32_t c5[] = { 5 };

	(void)state;
	cpulist_ok("0-3", c0_3, 4);
	cpulist_ok("0-3,8", c0_3_8, 5);
	cpulist_ok("8,0-3\n", c0_3_8, 5);
	cpulist_ok(",1,,2,", c12, 2);
	cpulist_ok("1,1,0-2,2", c0_2, 3);
	cpulist_ok("2-2,0-1,1-2", c0_2, 3);
	cpulist_ok(" 4 , 2 ", c24, 2);
	cpulist_ok("5-5", c5, 1);
	cpulist_ok("4294967295", cmax, 1);
	cpulist_bad("3-1", -EINVAL);
	cpulist_bad("0-70000", -EINVAL);
	cpulist_bad("0-65536", -EINVAL); /* 65537 CPUs in one range */
	cpulist_bad("a", -EINVAL);
	cpulist_bad("0-3,x", -EINVAL); /* one bad token rejects the whole list */
	cpulist_bad("", -EINVAL);
	cpulist_bad("   ", -EINVAL);
	cpulist_bad(",,", -EINVAL);
	cpulist_bad("0 - 3", -EINVAL);
	cpulist_bad("-3", -EINVAL);
	cpulist_bad("0-", -EINVAL);
	cpulist_bad("1-2-3", -EINVAL);
	cpulist_bad("4294967296", -EINVAL);
	cpulist_bad("4294967295-0", -EINVAL);
}

static void test_cpulist_bounds(void **state)
{
	struct ctprof_cpuset cs = { 0 };
	const char *at_cap = "0-65535,65536-131071,131072-196607,196608-262143";
	const char *over = "0-65535,65536-131071,131072-196607,196608-262143,262144";
	size_t i;

	(void)state;
	assert_int_equal(ctprof_parse_cpulist(S("0-65535"), &cs), 0);
	assert_int_equal(cs.n, 65536);
	assert_int_equal(cs.cpus[65535], 65535);
	free(cs.cpus);
	memset(&cs, 0, sizeof(cs));
	/* A range at the top of u32 expands without wrapping. */
	assert_int_equal(ctprof_parse_cpulist(S("4294967290-4294967295"), &cs), 0);
	assert_int_equal(cs.n, 6);
	assert_int_equal(cs.cpus[5], 4294967295u);
	free(cs.cpus);
	memset(&cs, 0, sizeof(cs));
	assert_int_equal(ctprof_parse_cpulist(at_cap, strlen(at_cap), &cs), 0);
	assert_int_equal(cs.n, CTPROF_CPULIST_MAX);
	for (i = 0; i < cs.n; i++)
		if (cs.cpus[i] != i)
			fail_msg("cpus[%zu] = %u", i, cs.cpus[i]);
	free(cs.cpus);
	memset(&cs, 0, sizeof(cs));
	/* Overlapping ranges count once toward the bound. */
	assert_int_equal(ctprof_parse_cpulist(S("0-65535,0-65535,0-65535,0-65535,0-65535"), &cs),
			 0);
	assert_int_equal(cs.n, 65536);
	free(cs.cpus);
	memset(&cs, 0, sizeof(cs));
	assert_int_equal(ctprof_parse_cpulist(over, strlen(over), &cs), -E2BIG);
	assert_null(cs.cpus);
}

/* ---- lossy text ------------------------------------------------------ */

static void trimmed_is(const char *buf, size_t len, const char *want)
{
	char *s = ctprof_text_trimmed(buf, len);

	assert_non_null(s);
	assert_string_equal(s, want);
	free(s);
}

static void test_text_trimmed(void **state)
{
	(void)state;
	trimmed_is(S("  kworker/0:1\n"), "kworker/0:1");
	trimmed_is(S("\xff\n"), "\xef\xbf\xbd");
	trimmed_is(S("a\0b\n"), "a\xef\xbf\xbd" "b");
	trimmed_is(S("\xc2\xa0name\xe3\x80\x80\t"), "name"); /* Unicode White_Space trimmed */
	trimmed_is(S("x\xe2\x80"), "x\xef\xbf\xbd");        /* truncated sequence */
	trimmed_is(S("\v\f\r\n"), "");
	trimmed_is(S(""), "");
	trimmed_is(NULL, 0, "");
}

/* ---- random input ---------------------------------------------------- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint32_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 32);
}

/*
 * Random buffers built from the bytes the parsers care about, each in an
 * exactly-sized heap block (not NUL-terminated) so that ASan catches any
 * read past the end. Checks the invariants every output must keep.
 */
static void test_random_input(void **state)
{
	static const char alphabet[] = "0123456789012345.-:)( ,=\n\t\r+x"
				       "\xc2\xa0\xe3\x80\xff\x00";
	static const char *const words[] = { "ext.enabled", "se.statistics.wait_sum",
					      "sum_block_runtime", "sum_sleep_runtime", "State",
					      "Cpus_allowed_list", "Threads", "0::", "some",
					      "full", "avg10=", "total=", "rchar", "slice" };
	int iter;

	(void)state;
	for (iter = 0; iter < 3000; iter++) {
		size_t len = rng() % 200, i = 0, j;
		char *buf = malloc(len ? len : 1);
		struct ctprof_thread t;
		struct ctprof_cpuset cs = { 0 };
		struct ctprof_kvmap m = { 0 };
		struct ctprof_psi_resource psi;
		uint64_t ns;
		char *s;

		while (i < len) {
			if (rng() % 8 == 0) {
				const char *w = words[rng() % (sizeof(words) / sizeof(words[0]))];
				size_t wl = strlen(w);

				for (j = 0; j < wl && i < len; j++)
					buf[i++] = w[j];
			} else {
				buf[i++] = alphabet[rng() % (sizeof(alphabet) - 1)];
			}
		}
		thread_new(&t);
		ctprof_parse_stat(buf, len, &t);
		ctprof_parse_schedstat(buf, len, &t);
		ctprof_parse_sched(buf, len, &t);
		ctprof_parse_status(buf, len, &t, true, true);
		ctprof_parse_io(buf, len, &t);
		assert_non_null(t.policy);
		assert_true(t.state == '~' || (t.state > 0 && (unsigned char)t.state < 0x80));
		assert_true(t.voluntary_sleep_ns <= UINT64_MAX - t.block_sum);
		for (j = 1; j < t.cpu_affinity.n; j++)
			assert_true(t.cpu_affinity.cpus[j - 1] < t.cpu_affinity.cpus[j]);
		ctprof_thread_clear(&t);
		if (ctprof_parse_cpulist(buf, len, &cs) == 0) {
			assert_true(cs.n > 0);
			for (j = 1; j < cs.n; j++)
				assert_true(cs.cpus[j - 1] < cs.cpus[j]);
		}
		free(cs.cpus);
		assert_int_equal(ctprof_parse_smaps_rollup(buf, len, &m), 0);
		for (j = 0; j < m.n; j++) {
			assert_true(ctprof_utf8_valid(m.items[j].key, strlen(m.items[j].key)));
			if (j)
				assert_true(strcmp(m.items[j - 1].key, m.items[j].key) < 0);
		}
		ctprof_kvmap_clear(&m);
		memset(&psi, 0, sizeof(psi));
		ctprof_parse_psi(buf, len, &psi);
		ctprof_parse_pn(buf, len, &ns);
		s = ctprof_parse_cgroup(buf, len);
		assert_non_null(s);
		assert_true(ctprof_utf8_valid(s, strlen(s)));
		free(s);
		s = ctprof_text_trimmed(buf, len);
		assert_non_null(s);
		assert_true(ctprof_utf8_valid(s, strlen(s)));
		free(s);
		free(buf);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pn_spec_table),
		cmocka_unit_test(test_pn_fractions),
		cmocka_unit_test(test_pn_negative),
		cmocka_unit_test(test_pn_malformed),
		cmocka_unit_test(test_stat_ktstr_fixture),
		cmocka_unit_test(test_stat_last_paren),
		cmocka_unit_test(test_stat_corrupt),
		cmocka_unit_test(test_stat_short),
		cmocka_unit_test(test_stat_bad_numbers),
		cmocka_unit_test(test_stat_policies),
		cmocka_unit_test(test_schedstat),
		cmocka_unit_test(test_sched_ktstr_fixture),
		cmocka_unit_test(test_sched_schedstats_on),
		cmocka_unit_test(test_sched_schedstats_off),
		cmocka_unit_test(test_sched_se_statistics_prefix),
		cmocka_unit_test(test_sched_ext_enabled_fixture),
		cmocka_unit_test(test_sched_ext_key_exact),
		cmocka_unit_test(test_sched_sleep_derivation),
		cmocka_unit_test(test_sched_negatives),
		cmocka_unit_test(test_sched_misc_rules),
		cmocka_unit_test(test_status_ktstr_fixture),
		cmocka_unit_test(test_status_leader_rules),
		cmocka_unit_test(test_status_kthread),
		cmocka_unit_test(test_status_corrupt),
		cmocka_unit_test(test_io),
		cmocka_unit_test(test_smaps_rollup_fixture),
		cmocka_unit_test(test_smaps_rollup_rules),
		cmocka_unit_test(test_cgroup),
		cmocka_unit_test(test_cpulist),
		cmocka_unit_test(test_cpulist_bounds),
		cmocka_unit_test(test_text_trimmed),
		cmocka_unit_test(test_random_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
