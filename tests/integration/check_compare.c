/* SPDX-License-Identifier: MIT */
/*
 * compare / show / metric-list / diff end to end: golden text for every
 * axis and display format (fixtures/compare/, numbers worked out in its
 * README), exact JSON deltas, fail-fast flags, run directories, intervals.
 */
#include <check.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <ctprof/ctprof.h>

#include "testutil.h"

struct res {
	int rc;
	char *out;
	char *err;
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

/* fixtures/compare/CASE/NAME.json -> DIR/NAME.ctprof.zst through the library */
static void materialize(const char *cas, const char *name, const char *dir, const char *as)
{
	char *rel = tu_path("compare/%s/%s.json", cas, name), *src = tu_fixture(rel);
	char *dst = tu_path("%s/%s", dir, as);
	struct ctprof_snapshot *s = NULL;
	struct ctprof_error err = { 0 };
	size_t len = 0;
	char *json = tu_read_file(src, &len);

	ck_assert_msg(json != NULL, "cannot read %s", src);
	ck_assert_msg(ctprof_snapshot_from_json(json, len, src, &s, &err) == 0, "%s", err.msg);
	ck_assert_msg(ctprof_snapshot_write(s, dst, &err) == 0, "%s", err.msg);
	ctprof_snapshot_free(s);
	free(json);
	free(rel);
	free(src);
	free(dst);
}

/* A temporary directory holding a.ctprof.zst and b.ctprof.zst of a case; cwd moves there. */
static char *case_dir(const char *cas)
{
	char *dir = tu_mkdtemp("compare");

	materialize(cas, "a", dir, "a.ctprof.zst");
	materialize(cas, "b", dir, "b.ctprof.zst");
	ck_assert_int_eq(chdir(dir), 0);
	return dir;
}

#define M "thread_count,policy,nice,cpu_affinity,run_time_ns,wait_time_ns,voluntary_csw," \
	  "stime_clock_ticks,cpu_delay_count,cpu_efficiency,avg_slice_ns"
#define AB "a.ctprof.zst", "b.ctprof.zst"

static const struct golden {
	const char *cas, *file;
	const char *args[20];
} goldens[] = {
	{ "basic", "compare-all.txt", { "compare", AB, "--group-by", "all", "--metrics", M } },
	{ "basic", "compare-pcomm.txt", { "compare", AB, "--group-by", "pcomm", "--metrics", M } },
	{ "basic", "compare-comm.txt", { "compare", AB, "--group-by", "comm", "--metrics", M } },
	{ "basic", "compare-comm-exact.txt",
	  { "compare", AB, "--group-by", "comm-exact", "--metrics", M } },
	{ "basic", "compare-cgroup.txt", { "compare", AB, "--group-by", "cgroup", "--metrics", M } },
	{ "basic", "compare-pcomm-full.txt",
	  { "compare", AB, "--group-by", "pcomm", "--display-format", "full", "--metrics", M } },
	{ "basic", "compare-pcomm-delta-only.txt",
	  { "compare", AB, "--group-by", "pcomm", "--display-format", "delta-only", "--metrics", M } },
	{ "basic", "compare-pcomm-no-pct.txt",
	  { "compare", AB, "--group-by", "pcomm", "--display-format", "no-pct", "--metrics", M } },
	{ "basic", "compare-pcomm-pct-only.txt",
	  { "compare", AB, "--group-by", "pcomm", "--display-format", "pct-only", "--metrics", M } },
	{ "basic", "compare-all-sortby-limit.txt",
	  { "compare", AB, "--sort-by", "wait_time_ns:desc,run_time_ns", "--limit", "6", "--metrics",
	    M } },
	{ "basic", "compare-comm-columns.txt",
	  { "compare", AB, "--group-by", "comm", "--columns", "metric,group,tags,delta",
	    "--sections", "primary,derived", "--metrics",
	    "run_time_ns,cpu_delay_count,cpu_efficiency" } },
	{ "basic", "show-pcomm.txt", { "show", "a.ctprof.zst", "--metrics", M } },
	{ "basic", "show-cgroup.txt", { "show", "b.ctprof.zst", "--group-by", "cgroup", "--metrics", M } },
	{ "basic", "show-all.txt",
	  { "show", "b.ctprof.zst", "--group-by", "all", "--metrics", M, "--sort-by", "run_time_ns" } },
	{ "fudge", "compare-all.txt", { "compare", AB, "--metrics", "thread_count,run_time_ns" } },
};

/* Report the first differing line, so that a failure is readable. */
static void expect_text(const char *got, const char *want, const char *name)
{
	const char *g = got, *w = want;
	int line = 1;

	if (strcmp(got, want) == 0)
		return;
	while (*g && *w && *g == *w) {
		if (*g == '\n')
			line++;
		g++;
		w++;
	}
	{
		const char *gl = g, *wl = w;

		while (gl > got && gl[-1] != '\n')
			gl--;
		while (wl > want && wl[-1] != '\n')
			wl--;
		ck_abort_msg("%s differs at line %d:\n got: %.*s\nwant: %.*s", name, line,
			     (int)strcspn(gl, "\n"), gl, (int)strcspn(wl, "\n"), wl);
	}
}

START_TEST(test_golden)
{
	const struct golden *g = &goldens[_i];
	char *dir = case_dir(g->cas);
	char *rel = tu_path("compare/%s/expected/%s", g->cas, g->file), *path = tu_fixture(rel);
	char *want = tu_read_file(path, NULL);
	struct res r = run_args(g->args);

	ck_assert_msg(want != NULL, "missing %s", path);
	ck_assert_msg(r.rc == 0, "%s: exit %d: %s", g->file, r.rc, r.err);
	ck_assert_str_eq(r.err, "");
	ck_assert_msg(strchr(r.out, '\x1b') == NULL, "%s: escape codes in piped output", g->file);
	expect_text(r.out, want, g->file);
	res_free(&r);
	free(want);
	free(rel);
	free(path);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

static const cJSON *find_row(const cJSON *rows, const char *group, const char *metric)
{
	const cJSON *row;

	cJSON_ArrayForEach(row, rows) {
		if (strcmp(cJSON_GetObjectItem(row, "group")->valuestring, group) == 0 &&
		    strcmp(cJSON_GetObjectItem(row, "metric")->valuestring, metric) == 0)
			return row;
	}
	ck_abort_msg("no row %s/%s", group, metric);
	return NULL;
}

static double num(const cJSON *row, const char *key)
{
	const cJSON *v = cJSON_GetObjectItem(row, key);

	ck_assert_msg(cJSON_IsNumber(v), "%s is not a number", key);
	return v->valuedouble;
}

/*
 * Per-process deltas of fixture basic (README): app run +4 s, wait +2 s,
 * cpu_delay_count +40 (+66.67%), voluntary +100; kworker voluntary +150,
 * threads 2 -> 3; kthreadd run +0.5 ms; cpu_efficiency 0.8333 -> 0.8.
 */
START_TEST(test_json_deltas)
{
	char *dir = case_dir("basic");
	struct res r = RUN("compare", AB, "--group-by", "pcomm", "--format", "json");
	const cJSON *rows, *row, *sec, *f;
	cJSON *j;
	bool kr = false;

	ck_assert_int_eq(r.rc, 0);
	j = cJSON_Parse(r.out);
	ck_assert_ptr_nonnull(j);
	rows = cJSON_GetObjectItem(j, "rows");
	ck_assert_int_eq(cJSON_GetArraySize(rows), 3 * 87);
	ck_assert(num(find_row(rows, "app", "run_time_ns"), "delta") == 4e9);
	ck_assert(num(find_row(rows, "app", "run_time_ns"), "baseline") == 20e9);
	ck_assert(num(find_row(rows, "app", "run_time_ns"), "delta_pct") == 20.0);
	ck_assert(num(find_row(rows, "app", "wait_time_ns"), "delta") == 2e9);
	row = find_row(rows, "app", "cpu_delay_count");
	ck_assert(num(row, "delta") == 40);
	ck_assert(fabs(num(row, "delta_pct") - 200.0 / 3.0) < 1e-9);
	ck_assert(num(find_row(rows, "app", "voluntary_csw"), "delta") == 100);
	ck_assert(num(find_row(rows, "kworker/{N}:{N}", "voluntary_csw"), "delta") == 150);
	ck_assert(num(find_row(rows, "kworker/{N}:{N}", "thread_count"), "delta") == 1);
	ck_assert(num(find_row(rows, "kworker/{N}:{N}", "voluntary_csw"), "threads_candidate") == 3);
	ck_assert(num(find_row(rows, "kthreadd", "run_time_ns"), "delta") == 500000);
	/* Absent and Mode rows have no delta */
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(find_row(rows, "kthreadd", "cpu_delay_count"),
						   "delta")));
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(find_row(rows, "kthreadd", "cpu_delay_count"),
						   "baseline")));
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(find_row(rows, "app", "policy"), "delta")));
	row = find_row(cJSON_GetObjectItem(j, "derived_rows"), "app", "cpu_efficiency");
	ck_assert(fabs(num(row, "baseline") - 20.0 / 24.0) < 1e-12);
	ck_assert(num(row, "candidate") == 0.8);
	ck_assert(cJSON_IsNull(cJSON_GetObjectItem(row, "delta_pct")));
	ck_assert_str_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "only_baseline"), 0)->valuestring,
			 "oldjob");
	ck_assert_str_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "only_candidate"), 0)->valuestring,
			 "newjob");
	sec = cJSON_GetObjectItem(j, "sections");
	cJSON_ArrayForEach(f, cJSON_GetObjectItem(cJSON_GetObjectItem(sec, "host"), "fields")) {
		if (strcmp(cJSON_GetObjectItem(f, "field")->valuestring, "kernel_release") == 0) {
			ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(f, "differs")));
			ck_assert_str_eq(cJSON_GetObjectItem(f, "candidate")->valuestring, "6.5.0");
			kr = true;
		}
	}
	ck_assert(kr);
	row = cJSON_GetArrayItem(cJSON_GetObjectItem(sec, "smaps_rollup"), 0);
	ck_assert_str_eq(cJSON_GetObjectItem(row, "process")->valuestring, "app");
	ck_assert_str_eq(cJSON_GetObjectItem(row, "key")->valuestring, "Pss");
	ck_assert(num(row, "delta") == 1048576);
	ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(sec, "sched_ext"),
								  "candidate"), "state")->valuestring,
			 "enabled");
	cJSON_Delete(j);
	res_free(&r);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/* Every flag value is checked before the (missing) files are read. */
START_TEST(test_bad_flags_fail_fast)
{
	static const char *const bad[][2] = {
		{ "--sort-by", "bogus" },      { "--sort-by", "policy" },
		{ "--columns", "arrow,baseline" }, { "--sections", "nope" },
		{ "--metrics", "Run_time_ns" }, { "--group-by", "pid" },
		{ "--display-format", "wide" }, { "--limit", "-1" },
		{ "--limit", "12x" },          { "--format", "xml" },
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct res r = RUN("compare", "/nonexistent/a", "/nonexistent/b", bad[i][0], bad[i][1]);

		ck_assert_msg(r.rc == 2, "%s %s: exit %d", bad[i][0], bad[i][1], r.rc);
		ck_assert_msg(strstr(r.err, bad[i][0] + 2) != NULL, "%s: %s", bad[i][0], r.err);
		ck_assert_msg(strstr(r.err, "load") == NULL, "%s read a file: %s", bad[i][0], r.err);
		ck_assert_str_eq(r.out, "");
		res_free(&r);
	}
}
END_TEST

START_TEST(test_load_errors)
{
	char *dir = case_dir("basic");
	struct res r = RUN("compare", "missing.ctprof.zst", "b.ctprof.zst");

	ck_assert_int_eq(r.rc, 2);
	ck_assert_msg(strncmp(r.err, "ctprof-harness: load baseline missing.ctprof.zst: ", 50) == 0,
		      "%s", r.err);
	res_free(&r);
	r = RUN("compare", "a.ctprof.zst", "a.json");
	ck_assert_int_eq(r.rc, 2);
	ck_assert_ptr_nonnull(strstr(r.err, "load candidate a.json"));
	ck_assert_str_eq(r.out, "");
	res_free(&r);
	r = RUN("compare", "a.ctprof.zst");
	ck_assert_int_eq(r.rc, 2);
	res_free(&r);
	r = RUN("show", "nope.ctprof.zst");
	ck_assert_int_eq(r.rc, 2);
	ck_assert_ptr_nonnull(strstr(r.err, "load snapshot nope.ctprof.zst"));
	res_free(&r);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(test_cgroup_only_warning)
{
	char *dir = case_dir("basic");
	struct res r = RUN("compare", AB, "--sections", "cgroup-stats,pressure,primary",
			   "--metrics", "run_time_ns");

	ck_assert_int_eq(r.rc, 0);
	ck_assert_str_eq(r.err,
			 "ctprof-harness: section 'cgroup-stats' requires --group-by cgroup; "
			 "omitted under --group-by all\n"
			 "ctprof-harness: section 'pressure' requires --group-by cgroup; omitted "
			 "under --group-by all\n");
	ck_assert_ptr_null(strstr(r.out, "## CgroupStats"));
	ck_assert_ptr_nonnull(strstr(r.out, "## Primary metrics"));
	res_free(&r);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/*
 * diff writes the interval; show reads it: app run_time_ns 24 s - 20 s.
 * Run directories: one with before/after, one with interval.ctprof.zst of
 * the same pair compare with zero deltas everywhere.
 */
START_TEST(test_diff_and_run_dirs)
{
	char *dir = case_dir("basic");
	struct res r = RUN("diff", AB, "-o", "iv.ctprof.zst");
	const cJSON *g, *row;
	cJSON *j;
	bool found = false;

	ck_assert_msg(r.rc == 0, "%s", r.err);
	ck_assert_ptr_nonnull(strstr(r.err, "6 threads matched, 2 born, 1 vanished, 0 counter resets"));
	res_free(&r);
	r = RUN("show", "iv.ctprof.zst", "--format", "json", "--metrics", "run_time_ns");
	ck_assert_int_eq(r.rc, 0);
	j = cJSON_Parse(r.out);
	ck_assert_ptr_nonnull(j);
	cJSON_ArrayForEach(g, cJSON_GetObjectItem(j, "groups")) {
		if (strcmp(cJSON_GetObjectItem(g, "group")->valuestring, "app") == 0) {
			ck_assert(cJSON_GetObjectItem(cJSON_GetObjectItem(g, "metrics"),
						      "run_time_ns")->valuedouble == 4e9);
			found = true;
		}
	}
	ck_assert(found);
	cJSON_Delete(j);
	res_free(&r);

	ck_assert_int_eq(mkdir("run1", 0755), 0);
	ck_assert_int_eq(mkdir("run2", 0755), 0);
	ck_assert_int_eq(rename("iv.ctprof.zst", "run2/interval.ctprof.zst"), 0);
	ck_assert_int_eq(link("a.ctprof.zst", "run1/before.ctprof.zst"), 0);
	ck_assert_int_eq(link("b.ctprof.zst", "run1/after.ctprof.zst"), 0);
	r = RUN("compare", "run1", "run2", "--group-by", "pcomm", "--format", "json");
	ck_assert_msg(r.rc == 0, "%s", r.err);
	j = cJSON_Parse(r.out);
	ck_assert_ptr_nonnull(j);
	ck_assert_int_gt(cJSON_GetArraySize(cJSON_GetObjectItem(j, "rows")), 0);
	cJSON_ArrayForEach(row, cJSON_GetObjectItem(j, "rows")) {
		const cJSON *d = cJSON_GetObjectItem(row, "delta");

		ck_assert(cJSON_IsNull(d) || d->valuedouble == 0);
	}
	cJSON_Delete(j);
	res_free(&r);
	r = RUN("compare", ".", "b.ctprof.zst");
	ck_assert_int_eq(r.rc, 2);
	ck_assert_ptr_nonnull(strstr(r.err, "run directory"));
	res_free(&r);
	r = RUN("diff", AB);
	ck_assert_int_eq(r.rc, 2);
	ck_assert_ptr_nonnull(strstr(r.err, "-o"));
	res_free(&r);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(test_metric_list)
{
	struct res r = RUN("metric-list");
	cJSON *j;

	ck_assert_int_eq(r.rc, 0);
	ck_assert_int_eq(strncmp(r.out, "## Tag legend\n", 14), 0);
	ck_assert_ptr_nonnull(strstr(r.out, "\n## Metrics\n"));
	res_free(&r);
	r = RUN("metric-list", "--format", "json");
	ck_assert_int_eq(r.rc, 0);
	j = cJSON_Parse(r.out);
	ck_assert_ptr_nonnull(j);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(j, "metrics")), 87);
	cJSON_Delete(j);
	res_free(&r);
	r = RUN("metric-list", "--format", "yaml");
	ck_assert_int_eq(r.rc, 2);
	res_free(&r);
	r = RUN("help", "metric-list");
	ck_assert_int_eq(r.rc, 0);
	ck_assert_ptr_nonnull(strstr(r.out, "Usage: ctprof-harness metric-list"));
	res_free(&r);
}
END_TEST

static Suite *compare_suite(void)
{
	Suite *s = suite_create("compare");
	TCase *tc = tcase_create("cli");

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_golden, 0, (int)(sizeof(goldens) / sizeof(goldens[0])));
	tcase_add_test(tc, test_json_deltas);
	tcase_add_test(tc, test_bad_flags_fail_fast);
	tcase_add_test(tc, test_load_errors);
	tcase_add_test(tc, test_cgroup_only_warning);
	tcase_add_test(tc, test_diff_and_run_dirs);
	tcase_add_test(tc, test_metric_list);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(compare_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
