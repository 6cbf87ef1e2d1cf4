/* SPDX-License-Identifier: MIT */
/*
 * Cell formats (every worked example of compare-engine.md §9.2), tables,
 * limit_sections (§10.8), option parsing and whole renders of small diffs
 * whose expected text is worked out in the comments.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <math.h>
#include <cmocka.h>
#include <cjson/cJSON.h>

#include "test_compare_util.h"
#include "render/rnd.h"

static struct ctprof_buf B;

static const char *s_(void)
{
	return B.data ? B.data : "";
}

#define CHECK(expr, want)                                                              \
	do {                                                                           \
		B.len = 0;                                                             \
		if (B.data)                                                            \
			B.data[0] = '\0';                                              \
		expr;                                                                  \
		if (strcmp(s_(), want) != 0)                                           \
			fail_msg("%s gave \"%s\", want \"%s\"", #expr, s_(), want);    \
	} while (0)

static void test_scaled_u64(void **state)
{
	(void)state;
	CHECK(rf_scaled_u64(&B, 22, CTPROF_LADDER_TICKS), "22ticks");
	CHECK(rf_scaled_u64(&B, 999, CTPROF_LADDER_NS), "999ns");
	CHECK(rf_scaled_u64(&B, 11, CTPROF_LADDER_UNITLESS), "11");
	CHECK(rf_scaled_u64(&B, 2684000000u, CTPROF_LADDER_NS), "2.684s");
	CHECK(rf_scaled_u64(&B, 101154, CTPROF_LADDER_UNITLESS), "101.154K");
	CHECK(rf_scaled_u64(&B, 8053063680ull, CTPROF_LADDER_BYTES), "7.500GiB");
	/* thresholds are >= */
	CHECK(rf_scaled_u64(&B, 1000, CTPROF_LADDER_NS), "1.000\xc2\xb5s");
	CHECK(rf_scaled_u64(&B, 1023, CTPROF_LADDER_BYTES), "1023B");
	CHECK(rf_scaled_u64(&B, 1024, CTPROF_LADDER_BYTES), "1.000KiB");
	CHECK(rf_scaled_u64(&B, 1099511627776ull * 3, CTPROF_LADDER_BYTES), "3.000TiB");
	CHECK(rf_scaled_u64(&B, 999999, CTPROF_LADDER_US), "999.999ms");
	CHECK(rf_scaled_u64(&B, 1000000, CTPROF_LADDER_US), "1.000s");
	CHECK(rf_scaled_u64(&B, 2500000, CTPROF_LADDER_TICKS), "2.500Mticks");
	CHECK(rf_scaled_u64(&B, 7000000000ull, CTPROF_LADDER_UNITLESS), "7.000G");
	CHECK(rf_scaled_u64(&B, 123456789, CTPROF_LADDER_NONE), "123456789");
	/* 8.697K and 243.378ms of the §10.10 sample */
	CHECK(rf_scaled_u64(&B, 8697, CTPROF_LADDER_UNITLESS), "8.697K");
	CHECK(rf_scaled_u64(&B, 243378000, CTPROF_LADDER_NS), "243.378ms");
}

static void test_delta_cell(void **state)
{
	(void)state;
	CHECK(rf_delta(&B, 10, CTPROF_LADDER_UNITLESS), "+10");
	CHECK(rf_delta(&B, -11, CTPROF_LADDER_UNITLESS), "-11");
	CHECK(rf_delta(&B, 195, CTPROF_LADDER_TICKS), "+195ticks");
	CHECK(rf_delta(&B, 92457, CTPROF_LADDER_UNITLESS), "+92.457K");
	CHECK(rf_delta(&B, 24969000000.0, CTPROF_LADDER_NS), "+24.969s");
	CHECK(rf_delta(&B, 0.5, CTPROF_LADDER_NONE), "+0.500");
	CHECK(rf_delta(&B, 0, CTPROF_LADDER_NS), "+0ns");
	CHECK(rf_delta(&B, 34, CTPROF_LADDER_NONE), "+34");
	CHECK(rf_delta(&B, -2077000000.0, CTPROF_LADDER_NS), "-2.077s");
	/* fractional without step-up uses three decimals */
	CHECK(rf_delta(&B, -1.5, CTPROF_LADDER_UNITLESS), "-1.500");
}

static void test_pct_cell(void **state)
{
	(void)state;
	CHECK(rf_pct(&B, 10.631), "+1063.1%");
	CHECK(rf_pct(&B, -0.5), "-50.0%");
	CHECK(rf_pct(&B, 34.0 / 9.0), "+377.8%");
	CHECK(rf_pct(&B, 0), "+0.0%");
}

static void test_derived_cells(void **state)
{
	(void)state;
	CHECK(rf_derived(&B, 123.4, CTPROF_LADDER_NS, false), "123.40ns");
	CHECK(rf_derived(&B, 0.873, CTPROF_LADDER_NONE, true), "0.873");
	CHECK(rf_derived(&B, 1234567, CTPROF_LADDER_NS, false), "1.235ms");
	CHECK(rf_derived(&B, -150, CTPROF_LADDER_BYTES, false), "-150.00B");
	CHECK(rf_derived(&B, -2048, CTPROF_LADDER_BYTES, false), "-2.000KiB");
	CHECK(rf_derived_delta(&B, 0.1, CTPROF_LADDER_NONE, true), "+0.100");
	CHECK(rf_derived_delta(&B, -0.25, CTPROF_LADDER_NONE, true), "-0.250");
	CHECK(rf_derived_delta(&B, 2, CTPROF_LADDER_NS, false), "+2.00ns");
	CHECK(rf_derived_delta(&B, 1500000, CTPROF_LADDER_NS, false), "+1.500ms");
}

static void test_value_kinds(void **state)
{
	struct ctprof_tally t3[] = { { "SCHED_FIFO", 2 }, { "SCHED_OTHER", 1 } };
	struct ctprof_tally t1[] = { { "R", 4 } };
	const uint32_t cpus[] = { 0, 1, 2, 3, 8 };
	struct ctprof_aggv v;

	(void)state;
	memset(&v, 0, sizeof(v));
	v.kind = CTPROF_AV_RANGE;
	v.range.min = v.range.max = 3;
	CHECK(rf_value(&B, &v, CTPROF_LADDER_NONE), "3");
	v.range.min = -5;
	CHECK(rf_value(&B, &v, CTPROF_LADDER_NONE), "-5..3");
	v.kind = CTPROF_AV_MODE;
	v.n = 2;
	v.mode.tallies = t3;
	v.mode.total = 3;
	CHECK(rf_value(&B, &v, CTPROF_LADDER_NONE), "SCHED_FIFO (2/3)");
	v.n = 1;
	v.mode.tallies = t1;
	v.mode.total = 4;
	CHECK(rf_value(&B, &v, CTPROF_LADDER_NONE), "R");
	v.n = 0;
	v.mode.total = 3;
	CHECK(rf_value(&B, &v, CTPROF_LADDER_NONE), "~ (0/3)");
	memset(&v, 0, sizeof(v));
	v.kind = CTPROF_AV_AFFINITY;
	v.uniform = true;
	v.n = 5;
	v.aff.cpus = cpus;
	v.aff.min_cpus = v.aff.max_cpus = 5;
	CHECK(rf_value(&B, &v, CTPROF_LADDER_NONE), "5 cpus (0-3,8)");
	v.uniform = false;
	CHECK(rf_value(&B, &v, CTPROF_LADDER_NONE), "5 cpus (mixed)");
	v.aff.min_cpus = 2;
	v.aff.max_cpus = 4;
	CHECK(rf_value(&B, &v, CTPROF_LADDER_NONE), "2-4 cpus (mixed)");
	v.kind = CTPROF_AV_ABSENT;
	CHECK(rf_value(&B, &v, CTPROF_LADDER_NS), "-");
	v.kind = CTPROF_AV_MAX;
	v.u = 1536;
	CHECK(rf_value(&B, &v, CTPROF_LADDER_BYTES), "1.500KiB");
}

static void test_small_cells(void **state)
{
	const uint32_t c1[] = { 5 }, c2[] = { 0, 2, 3, 4, 6, 7 };
	uint64_t a = 8053063680ull, c = 8858370048ull, x = 5, y = 7, big = UINT64_MAX, zero = 0;
	uint16_t p1 = 150, p2 = 225, p0 = 0;

	(void)state;
	CHECK(rf_threads(&B, 11, 37), "11\xe2\x86\x92" "37");
	CHECK(rf_threads(&B, 1, 1), "1");
	CHECK(rf_cpu_range(&B, c1, 1), "5");
	CHECK(rf_cpu_range(&B, c2, 6), "0,2-4,6-7");
	CHECK(rf_cpu_range(&B, c2, 0), "");
	CHECK(rf_cgroup_cell(&B, &a, &c, CTPROF_LADDER_BYTES),
	      "7.500GiB \xe2\x86\x92 8.250GiB (+768.000MiB)");
	CHECK(rf_cgroup_cell(&B, &x, NULL, CTPROF_LADDER_UNITLESS), "5 \xe2\x86\x92 -");
	CHECK(rf_cgroup_cell(&B, NULL, &y, CTPROF_LADDER_UNITLESS), "- \xe2\x86\x92 7");
	CHECK(rf_cgroup_cell(&B, NULL, NULL, CTPROF_LADDER_UNITLESS), "-");
	CHECK(rf_cgroup_cell(&B, &y, &x, CTPROF_LADDER_US), "7\xc2\xb5s \xe2\x86\x92 5\xc2\xb5s (-2\xc2\xb5s)");
	/* the delta is computed in 128 bits: no wrap */
	CHECK(rf_cgroup_cell(&B, &zero, &big, CTPROF_LADDER_UNITLESS),
	      "0 \xe2\x86\x92 18446744073.710G (+18446744073.710G)");
	CHECK(rf_psi_cell(&B, &p1, &p2), "1.50% \xe2\x86\x92 2.25% (+0.75%)");
	CHECK(rf_psi_cell(&B, &p2, &p1), "2.25% \xe2\x86\x92 1.50% (-0.75%)");
	CHECK(rf_psi_cell(&B, &p0, &p0), "0.00% \xe2\x86\x92 0.00% (+0.00%)");
	CHECK(rf_psi_cell(&B, &p1, NULL), "1.50% \xe2\x86\x92 -");
	CHECK(rf_psi_cell(&B, NULL, &p2), "- \xe2\x86\x92 2.25%");
	CHECK(rf_psi_avg(&B, 10099), "100.99%");
}

static void test_limit_cells(void **state)
{
	struct ctprof_opt_u64 unset = { false, 0 }, g1 = { true, 1073741824ull },
			      g2 = { true, 2147483648ull }, q = { true, 50000 };
	struct ctprof_cgroup_stats a, c;

	(void)state;
	CHECK(rf_opt_limit(&B, &unset, CTPROF_LADDER_BYTES), "max");
	CHECK(rf_opt_limit(&B, &g1, CTPROF_LADDER_BYTES), "1.000GiB");
	CHECK(rf_limit_pair(&B, &unset, &unset, CTPROF_LADDER_BYTES), "max");
	CHECK(rf_limit_pair(&B, &g1, &g1, CTPROF_LADDER_BYTES), "1.000GiB");
	CHECK(rf_limit_pair(&B, &g1, &unset, CTPROF_LADDER_BYTES), "1.000GiB \xe2\x86\x92 max");
	CHECK(rf_limit_pair(&B, &g1, &g2, CTPROF_LADDER_BYTES), "1.000GiB \xe2\x86\x92 2.000GiB");
	CHECK(rf_cpu_max(&B, &unset, 100000), "max/100.000ms");
	CHECK(rf_cpu_max(&B, &q, 100000), "50.000ms/100.000ms");
	ctprof_cgroup_stats_init(&a);
	ctprof_cgroup_stats_init(&c);
	CHECK(rf_cpu_max_pair(&B, &a, &c), "max/100.000ms");
	c.cpu.max_quota_us = q;
	CHECK(rf_cpu_max_pair(&B, &a, &c), "max/100.000ms \xe2\x86\x92 50.000ms/100.000ms");
	CHECK(rf_cpu_max_pair(&B, NULL, &c), "- \xe2\x86\x92 50.000ms/100.000ms");
}

static void test_names(void **state)
{
	(void)state;
	CHECK(rf_name(&B, "a\nb\x7f", 4), "a\\x0ab\\x7f");
	CHECK(rf_name(&B, "cg\0pc\0c", 7), "cg pc c");
	CHECK(rf_name(&B, "\xc3\xa9t\xc3\xa9", 5), "\xc3\xa9t\xc3\xa9");
}

/*
 * NOTHING preset: one space of padding each side, widths from content
 * (code points: "µs" is 2 wide), heading rows never widen a column.
 */
static void test_table(void **state)
{
	struct ctprof_buf out = { 0 };
	struct rt_table t;

	(void)state;
	rt_init(&t, 2);
	rt_row(&t, RT_HEADER);
	rt_cells(&t, "key", RT_CYAN, false);
	rt_cells(&t, "v", RT_NONE, false);
	rt_row(&t, RT_DATA);
	rt_cells(&t, "ab", RT_NONE, false);
	rt_cells(&t, "5\xc2\xb5s", RT_YELLOW, true);
	rt_row(&t, RT_HEADING);
	rt_cells(&t, "a-very-long-heading", RT_GREEN, true);
	rt_cells(&t, "", RT_NONE, false);
	assert_int_equal(rt_data_rows(&t), 1);
	assert_int_equal(rt_render(&t, &out, false, 0), 0);
	assert_string_equal(out.data, " key  v   \n"
				      " ab   5\xc2\xb5s \n"
				      " a-very-long-heading      \n");
	/* with colour, each styled cell (padding included) is wrapped in SGR codes */
	out.len = 0;
	assert_int_equal(rt_render(&t, &out, true, 0), 0);
	assert_string_equal(out.data, "\x1b[36m key \x1b[0m v   \n"
				      " ab  \x1b[1;33m 5\xc2\xb5s \x1b[0m\n"
				      "\x1b[1;32m a-very-long-heading \x1b[0m     \n");
	/* wrapping shrinks the widest column and folds its text */
	rt_free(&t);
	rt_init(&t, 2);
	rt_row(&t, RT_DATA);
	rt_cells(&t, "x", RT_NONE, false);
	rt_cells(&t, "alpha beta gamma delta", RT_NONE, false);
	out.len = 0;
	assert_int_equal(rt_render(&t, &out, false, 17), 0);
	assert_string_equal(out.data, " x  alpha beta   \n"
				      "    gamma delta  \n");
	rt_free(&t);
	ctprof_buf_free(&out);
}

/*
 * limit_sections (§10.8) with limit 2: lines before the first "## " pass;
 * each section keeps 2 lines; a marked "## parent" heading is not a section
 * (its lines count towards the previous one) and loses its marker.
 */
static void test_limit_sections(void **state)
{
	static const char in[] = "pre1\npre2\n## A\na1\na2\na3\n\x01## parent\np1\n## B\nb1\n";
	struct ctprof_buf out = { 0 };

	(void)state;
	assert_int_equal(rt_limit_sections(in, sizeof(in) - 1, 2, &out), 0);
	assert_string_equal(out.data, "pre1\npre2\n## A\na1\na2\n"
				      "... 3 more lines truncated (use --limit 0 for unlimited)\n"
				      "## B\nb1\n");
	out.len = 0;
	assert_int_equal(rt_limit_sections(in, sizeof(in) - 1, 0, &out), 0);
	assert_string_equal(out.data, "pre1\npre2\n## A\na1\na2\na3\n## parent\np1\n## B\nb1\n");
	ctprof_buf_free(&out);
}

static void test_option_parsing(void **state)
{
	struct ctprof_error err = { 0 };
	enum ctprof_column *cols = NULL;
	struct ctprof_metric_filter f;
	enum ctprof_display_format df;
	uint32_t mask = 0;
	size_t n = 0;

	(void)state;
	assert_int_equal(ctprof_columns_parse("Metric, %,DELTA", false, &cols, &n, NULL), 0);
	assert_int_equal(n, 3);
	assert_int_equal(cols[0], CTPROF_COL_METRIC);
	assert_int_equal(cols[1], CTPROF_COL_PCT);
	assert_int_equal(cols[2], CTPROF_COL_DELTA);
	free(cols);
	assert_int_equal(ctprof_columns_parse("arrow,baseline", false, &cols, &n, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "arrow"));
	assert_int_equal(ctprof_columns_parse("value", false, &cols, &n, &err), -EINVAL);
	assert_int_equal(ctprof_columns_parse("value,tags", true, &cols, &n, NULL), 0);
	free(cols);
	assert_int_equal(ctprof_columns_parse("delta", true, &cols, &n, &err), -EINVAL);
	assert_int_equal(ctprof_columns_parse("metric,,delta", false, &cols, &n, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "empty"));
	assert_int_equal(ctprof_columns_parse("metric,Metric", false, &cols, &n, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "duplicate"));
	assert_int_equal(ctprof_columns_parse("bogus", false, &cols, &n, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "unknown column \"bogus\""));

	assert_int_equal(ctprof_sections_parse("Primary, host-pressure", &mask, NULL), 0);
	assert_int_equal(mask, (1u << CTPROF_RS_PRIMARY) | (1u << CTPROF_RS_HOST_PRESSURE));
	assert_int_equal(ctprof_sections_parse("", &mask, NULL), 0);
	assert_int_equal(mask, 0);
	assert_int_equal(ctprof_sections_parse("primary,primary", &mask, &err), -EINVAL);
	assert_int_equal(ctprof_sections_parse("nope", &mask, &err), -EINVAL);
	assert_true(ctprof_section_cgroup_only(CTPROF_RS_PRESSURE));
	assert_false(ctprof_section_cgroup_only(CTPROF_RS_HOST_PRESSURE));
	assert_string_equal(ctprof_section_name(CTPROF_RS_SMAPS_ROLLUP), "smaps-rollup");

	assert_int_equal(ctprof_metrics_parse("run_time_ns,avg_wait_ns", &f, NULL), 0);
	assert_true(f.active && f.primary[tc_idx("run_time_ns")] && f.derived[1]);
	assert_false(f.primary[0]);
	/* names are case-sensitive */
	assert_int_equal(ctprof_metrics_parse("Run_time_ns", &f, &err), -EINVAL);
	assert_int_equal(ctprof_metrics_parse("wait_sum,wait_sum", &f, &err), -EINVAL);

	assert_int_equal(ctprof_display_format_parse("pct-only", &df), 0);
	assert_int_equal(df, CTPROF_DISPLAY_PCT_ONLY);
	assert_int_equal(ctprof_display_format_parse("Arrow", &df), -EINVAL);
}

static struct ctprof_render_opts ropts(void)
{
	struct ctprof_render_opts o;

	memset(&o, 0, sizeof(o));
	o.sz = sizeof(o);
	o.display = CTPROF_DISPLAY_FULL;
	o.baseline_name = "a.zst";
	o.candidate_name = "b.zst";
	return o;
}

/*
 * pcomm "app": run_time_ns 1000000 -> 3000000 (+2.000ms, +200.0%),
 * voluntary_csw 10 -> 5 (-5, -50.0%); --metrics keeps only these two, so
 * the derived table is a bare header. Rows: |pct| 2.0 then 0.5.
 */
static void test_render_flat(void **state)
{
	struct ctprof_snapshot *a = tc_snap(), *b = tc_snap();
	struct ctprof_compare_opts o = tc_opts(CTPROF_GROUP_PCOMM);
	struct ctprof_render_opts ro = ropts();
	struct ctprof_diff *d = NULL;
	struct ctprof_thread *t;
	char *text = NULL;

	(void)state;
	t = tc_thread(a, 1, 1, "app", "app", "/");
	t->run_time_ns = 1000000, t->voluntary_csw = 10;
	t = tc_thread(b, 1, 1, "app", "app", "/");
	t->run_time_ns = 3000000, t->voluntary_csw = 5;
	assert_int_equal(ctprof_metrics_parse("run_time_ns,voluntary_csw", &ro.metrics, NULL), 0);
	assert_int_equal(ctprof_compare(a, b, &o, &d, NULL), 0);
	assert_int_equal(ctprof_render_diff(d, &ro, &text, NULL, NULL), 0);
	assert_string_equal(text,
		"## Primary metrics\n"
		" pcomm  threads  metric         baseline  candidate  delta     %       \n"
		" app    1        run_time_ns    1.000ms   3.000ms    +2.000ms  +200.0% \n"
		" app    1        voluntary_csw  10        5          -5        -50.0%  \n"
		"\n## Derived metrics\n"
		" pcomm  threads  metric  baseline  candidate  delta  % \n");
	free(text);
	/*
	 * --limit 1: one row per table (so the metric column narrows to
	 * run_time_ns), then one line per section: the primary section holds
	 * header, row and the blank line before "## Derived metrics".
	 */
	ro.limit = 1;
	assert_int_equal(ctprof_render_diff(d, &ro, &text, NULL, NULL), 0);
	assert_string_equal(text,
		"## Primary metrics\n"
		" pcomm  threads  metric       baseline  candidate  delta     %       \n"
		"... 2 more lines truncated (use --limit 0 for unlimited)\n"
		"## Derived metrics\n"
		" pcomm  threads  metric  baseline  candidate  delta  % \n");
	free(text);
	ctprof_diff_free(d);
	ctprof_snapshot_free(a);
	ctprof_snapshot_free(b);
}

/*
 * ALL tree: thread "w-1" of pcomm "svc" in /a/b, metric run_time_ns
 * 10 -> 20 (+10ns, +100.0%); arrow format. Uptime: the only candidate
 * thread started at the newest start time, so its lifetime is 0 -> 0%.
 * Headings: "a" (depth 0), "  b" (depth 1), "    svc" (the pcomm at cgroup
 * depth 2); the data row: 2*(2+1) + 2 spaces, then the comm pattern.
 */
static void test_render_tree(void **state)
{
	struct ctprof_snapshot *a = tc_snap(), *b = tc_snap();
	struct ctprof_compare_opts o = tc_opts(CTPROF_GROUP_ALL);
	struct ctprof_render_opts ro = ropts();
	struct ctprof_diff *d = NULL;
	char *text = NULL;

	(void)state;
	tc_thread(a, 1, 1, "svc", "w-1", "/a/b")->run_time_ns = 10;
	tc_thread(b, 1, 1, "svc", "w-1", "/a/b")->run_time_ns = 20;
	b->threads[0].start_time_clock_ticks = 5;
	ro.display = CTPROF_DISPLAY_ARROW;
	assert_int_equal(ctprof_metrics_parse("run_time_ns", &ro.metrics, NULL), 0);
	assert_int_equal(ctprof_sections_parse("primary", &ro.sections, NULL), 0);
	assert_int_equal(ctprof_compare(a, b, &o, &d, NULL), 0);
	assert_int_equal(ctprof_render_diff(d, &ro, &text, NULL, NULL), 0);
	assert_string_equal(text,
		"## Primary metrics\n"
		" comm           threads  metric       value        delta  %        %uptime \n"
		" a                                                                         \n"
		"   b                                                                       \n"
		"     svc                                                                   \n"
		"         w-{N}  1        run_time_ns  10ns \xe2\x86\x92 20ns  +10ns  +100.0%  0%      \n");
	free(text);
	ctprof_diff_free(d);
	ctprof_snapshot_free(a);
	ctprof_snapshot_free(b);
}

/* JSON: exact integer deltas, pct in percent, null for no value. */
static void test_render_json(void **state)
{
	struct ctprof_snapshot *a = tc_snap(), *b = tc_snap();
	struct ctprof_compare_opts o = tc_opts(CTPROF_GROUP_PCOMM);
	struct ctprof_render_opts ro = ropts();
	struct ctprof_diff *d = NULL;
	cJSON *j, *rows, *row;
	char *text = NULL;
	int seen = 0;

	(void)state;
	tc_thread(a, 1, 1, "app", "app", "/")->minflt = 9007199254740993ull; /* 2^53 + 1 */
	tc_thread(b, 1, 1, "app", "app", "/")->minflt = 9007199254740995ull;
	ro.format = CTPROF_OUT_JSON;
	assert_int_equal(ctprof_compare(a, b, &o, &d, NULL), 0);
	assert_int_equal(ctprof_render_diff(d, &ro, &text, NULL, NULL), 0);
	assert_non_null(strstr(text, "\"metric\":\"minflt\",\"threads_baseline\":1,"
				     "\"threads_candidate\":1,\"baseline\":9007199254740993,"
				     "\"candidate\":9007199254740995,\"delta\":2,"));
	j = cJSON_Parse(text);
	assert_non_null(j);
	rows = cJSON_GetObjectItem(j, "rows");
	assert_int_equal(cJSON_GetArraySize(rows), CTPROF_NMETRICS);
	cJSON_ArrayForEach(row, rows) {
		const char *m = cJSON_GetObjectItem(row, "metric")->valuestring;

		if (strcmp(m, "policy") == 0) {
			assert_true(cJSON_IsNull(cJSON_GetObjectItem(row, "delta")));
			assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(row, "baseline"),
								"mode")->valuestring, "SCHED_OTHER");
			seen++;
		}
		if (strcmp(m, "thread_count") == 0) {
			assert_true(cJSON_GetObjectItem(row, "delta_pct")->valuedouble == 0.0);
			seen++;
		}
	}
	assert_int_equal(seen, 2);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "derived_rows")), CTPROF_NDERIVED);
	assert_string_equal(cJSON_GetObjectItem(j, "group_by")->valuestring, "pcomm");
	assert_non_null(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "sections"), "host_pressure"));
	cJSON_Delete(j);
	free(text);
	ctprof_diff_free(d);
	ctprof_snapshot_free(a);
	ctprof_snapshot_free(b);
}

static void test_metric_list(void **state)
{
	char *text = NULL;
	cJSON *j;

	(void)state;
	assert_int_equal(ctprof_render_metric_list(CTPROF_OUT_TEXT, &text, NULL, NULL), 0);
	assert_int_equal(strncmp(text, "## Tag legend\n", 14), 0);
	assert_non_null(strstr(text, "\n## Sections\n"));
	assert_non_null(strstr(text, "\n## Metrics\n"));
	assert_non_null(strstr(text, "\n## Derived metrics\n"));
	assert_non_null(strstr(text, " nr_wakeups_affine  "));
	assert_non_null(strstr(text, "[cfs-only] [SCHEDSTATS]"));
	assert_non_null(strstr(text, " avg_wait_ns  "));
	assert_non_null(strstr(text, " wait_sum, wait_count "));
	free(text);
	assert_int_equal(ctprof_render_metric_list(CTPROF_OUT_JSON, &text, NULL, NULL), 0);
	j = cJSON_Parse(text);
	assert_non_null(j);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "metrics")), CTPROF_NMETRICS);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "derived_metrics")), CTPROF_NDERIVED);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "sections")), CTPROF_RS__COUNT);
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "derived_metrics"), 0),
						"unit")->valuestring, "ratio");
	cJSON_Delete(j);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scaled_u64),
		cmocka_unit_test(test_delta_cell),
		cmocka_unit_test(test_pct_cell),
		cmocka_unit_test(test_derived_cells),
		cmocka_unit_test(test_value_kinds),
		cmocka_unit_test(test_small_cells),
		cmocka_unit_test(test_limit_cells),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_limit_sections),
		cmocka_unit_test(test_option_parsing),
		cmocka_unit_test(test_render_flat),
		cmocka_unit_test(test_render_tree),
		cmocka_unit_test(test_render_json),
		cmocka_unit_test(test_metric_list),
	};
	int r;

	r = cmocka_run_group_tests(tests, NULL, NULL);
	ctprof_buf_free(&B);
	return r;
}
