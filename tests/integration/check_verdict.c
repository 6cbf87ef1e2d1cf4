/* SPDX-License-Identifier: MIT */
/*
 * compare --gate/--policy end to end on fixtures/verdict: exit status, TAP
 * accepted by prove (Test::Harness) with the same verdict, JUnit valid XML
 * (xmllint) with the same counts, a golden gate pair around a known delta.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ctprof/ctprof.h>

#include "testutil.h"

static char *dir;

static void materialize(const char *name)
{
	struct ctprof_error err = { 0 };
	struct ctprof_snapshot *s = NULL;
	char *src = tu_path("%s/verdict/%s.json", CTPROF_FIXTURES_DIR, name);
	char *dst = tu_path("%s/%s.ctprof.zst", dir, name);
	size_t len;
	char *json = tu_read_file(src, &len);

	ck_assert_ptr_nonnull(json);
	ck_assert_msg(ctprof_snapshot_from_json(json, len, src, &s, &err) == 0, "%s", err.msg);
	ck_assert_msg(ctprof_snapshot_write(s, dst, &err) == 0, "%s", err.msg);
	ctprof_snapshot_free(s);
	free(json);
	free(src);
	free(dst);
}

static void setup(void)
{
	dir = tu_mkdtemp("verdict");
	materialize("a");
	materialize("b");
	ck_assert_int_eq(chdir(dir), 0);
}

static void teardown(void)
{
	tu_rmtree(dir);
	free(dir);
}

/* Run the harness with up to 12 arguments; stdout into *out. */
static int harness(char **out, char **err, const char *const *args)
{
	char *argv[16] = { (char *)tu_harness() };
	size_t i;

	for (i = 0; args[i] && i < 14; i++)
		argv[i + 1] = (char *)args[i];
	return tu_run(argv, out, err, 60);
}

#define RUN(out, err, ...) harness(out, err, (const char *const[]){ __VA_ARGS__, NULL })

static bool have(const char *prog)
{
	char *argv[] = { "/bin/sh", "-c", NULL, NULL };
	char *cmd = tu_path("command -v %s >/dev/null", prog);
	int rc;

	argv[2] = cmd;
	rc = tu_run(argv, NULL, NULL, 30);
	free(cmd);
	return rc == 0;
}

/* prove -e cat FILE: its exit status. */
static int prove(const char *file, char **out)
{
	char *argv[] = { "prove", "-e", "cat", (char *)file, NULL };
	char *p = tu_path("/usr/bin/prove");

	argv[0] = p;
	int rc = tu_run(argv, out, NULL, 60);

	free(p);
	return rc;
}

START_TEST(test_golden_pair)
{
	char *out = NULL;

	/* avg_wait_ns hackbench 10000ns -> 12500ns (+25%, +2500ns) */
	ck_assert_int_eq(RUN(&out, NULL, "compare", "a.ctprof.zst", "b.ctprof.zst", "--group-by",
			     "pcomm", "--gate", "avg_wait_ns@hackbench:max_increase=24.9%"), 1);
	ck_assert_str_eq(out, "TAP version 13\n1..1\nnot ok 1 - hackbench: avg_wait_ns +25.0% "
			      "(max +24.9%)\n  ---\n  message: \"increase above the threshold and "
			      "the floor\"\n  metric: \"avg_wait_ns\"\n  group: \"hackbench\"\n"
			      "  axis: pcomm\n  baseline: 10000\n  candidate: 12500\n  delta: 2500\n"
			      "  delta_pct: 25\n  gate: \"avg_wait_ns@hackbench:max_increase=24.9%\"\n"
			      "  limit: max_increase\n  threshold: \"24.9%\"\n"
			      "  polarity: lower_better\n  ...\n# only in the baseline: gone\n"
			      "# 1 tests, 0 passed, 1 failed, 0 skipped\n");
	free(out);
	ck_assert_int_eq(RUN(&out, NULL, "compare", "a.ctprof.zst", "b.ctprof.zst", "--group-by",
			     "pcomm", "--gate", "avg_wait_ns@hackbench:max_increase=25.1%"), 0);
	ck_assert_ptr_nonnull(strstr(out, "\nok 1 - hackbench: avg_wait_ns +25.0% (max +25.1%)\n"));
	free(out);
	/* the floor: 2500ns */
	ck_assert_int_eq(RUN(NULL, NULL, "compare", "a.ctprof.zst", "b.ctprof.zst", "--group-by",
			     "pcomm", "--gate", "avg_wait_ns@hackbench:max_increase=1%,floor=2499ns"), 1);
	ck_assert_int_eq(RUN(NULL, NULL, "compare", "a.ctprof.zst", "b.ctprof.zst", "--group-by",
			     "pcomm", "--gate", "avg_wait_ns@hackbench:max_increase=1%,floor=2501ns"), 0);
}
END_TEST

START_TEST(test_prove_and_junit)
{
	static const char *const gates[][2] = {
		{ "nr_migrations:max_increase=30%,floor=8", "0" },  /* ev..: 7 < 8; hackbench +25% */
		{ "nr_migrations:max_increase=10%", "1" },          /* both fail */
	};
	size_t i;

	ck_assert_msg(access("/usr/bin/prove", X_OK) == 0, "prove (perl) is not installed");
	for (i = 0; i < 2; i++) {
		char *out = NULL, *pout = NULL, *xml;
		int rc = RUN(&out, NULL, "compare", "a.ctprof.zst", "b.ctprof.zst", "--group-by",
			     "pcomm", "--gate", gates[i][0], "--gate", "avg_wait_ns@ev*:max=1ns",
			     "--junit", "r.xml");

		ck_assert_int_eq(rc, atoi(gates[i][1]));
		tu_write_str("r.tap", out);
		ck_assert_int_eq(prove("r.tap", &pout) == 0, rc == 0);
		ck_assert_ptr_nonnull(strstr(pout, rc ? "Result: FAIL" : "Result: PASS"));
		xml = tu_read_file("r.xml", NULL);
		ck_assert_ptr_nonnull(xml);
		ck_assert_ptr_nonnull(strstr(xml, rc ? "failures=\"2\"" : "failures=\"0\""));
		ck_assert_ptr_nonnull(strstr(xml, "tests=\"3\""));
		ck_assert_ptr_nonnull(strstr(xml, "skipped=\"1\""));
		if (have("xmllint")) {
			char *argv[] = { "/usr/bin/xmllint", "--noout", "r.xml", NULL };

			ck_assert_int_eq(tu_run(argv, NULL, NULL, 30), 0);
		}
		free(xml);
		free(out);
		free(pout);
	}
}
END_TEST

START_TEST(test_tap14_and_json)
{
	char *out = NULL;

	ck_assert_int_eq(RUN(&out, NULL, "compare", "a.ctprof.zst", "b.ctprof.zst", "--group-by",
			     "pcomm", "--policy", CTPROF_FIXTURES_DIR "/verdict/policy.json",
			     "--tap-version", "14"), 1);
	ck_assert_ptr_nonnull(strstr(out, "TAP version 14\n1..4\n# Subtest: avg_wait_ns@hackbench\n"
					  "    1..1\n    not ok 1 - hackbench: avg_wait_ns +25.0% "
					  "(max +20%, floor 1us)\n"));
	ck_assert_ptr_nonnull(strstr(out, "\nok 3 - cpu_efficiency@hackbench\n"));
	free(out);
	ck_assert_int_eq(RUN(&out, NULL, "compare", "a.ctprof.zst", "b.ctprof.zst", "--group-by",
			     "pcomm", "--default-gates", "--format", "json"), 1);
	ck_assert_ptr_nonnull(strstr(out, "{\"axis\":\"pcomm\",\"has_baseline\":true,\"ok\":false,"));
	free(out);
	/* one input: absolute limits on a single snapshot */
	ck_assert_int_eq(RUN(&out, NULL, "compare", "b.ctprof.zst", "--group-by", "pcomm",
			     "--gate", "nr_migrations@hackbench:max=50"), 0);
	ck_assert_ptr_nonnull(strstr(out, "ok 1 - hackbench: nr_migrations = 50 (max 50)\n"));
	free(out);
}
END_TEST

START_TEST(test_usage_errors)
{
	char *err = NULL;

	ck_assert_int_eq(RUN(NULL, &err, "compare", "a.ctprof.zst", "b.ctprof.zst", "--gate",
			     "avg_wait_ns:max=5MiB"), 2);
	ck_assert_ptr_nonnull(strstr(err, "unit of '5MiB' does not fit metric 'avg_wait_ns'"));
	free(err);
	ck_assert_int_eq(RUN(NULL, &err, "compare", "a.ctprof.zst", "b.ctprof.zst", "--gate",
			     "cgroup.cpu.nr_throttled:max=1"), 2);
	ck_assert_ptr_nonnull(strstr(err, "need --group-by cgroup"));
	free(err);
	ck_assert_int_eq(RUN(NULL, &err, "compare", "a.ctprof.zst", "b.ctprof.zst", "--gate",
			     "nr_migrations:max=1", "--tap-version", "15"), 2);
	free(err);
	ck_assert_int_eq(RUN(NULL, &err, "compare", "a.ctprof.zst", "b.ctprof.zst", "--junit",
			     "x.xml"), 2);
	free(err);
	tu_write_str("bad.json", "{\"gates\": [\"nr_migrations:max=1\"], \"treshold\": 5}");
	ck_assert_int_eq(RUN(NULL, &err, "compare", "a.ctprof.zst", "b.ctprof.zst", "--policy",
			     "bad.json"), 2);
	ck_assert_ptr_nonnull(strstr(err, "unknown key \"treshold\""));
	free(err);
	/* without gates, compare keeps its diff output and exit 0 */
	ck_assert_int_eq(RUN(NULL, NULL, "compare", "a.ctprof.zst", "b.ctprof.zst"), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("verdict");
	TCase *tc = tcase_create("cli");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_golden_pair);
	tcase_add_test(tc, test_prove_and_junit);
	tcase_add_test(tc, test_tap14_and_json);
	tcase_add_test(tc, test_usage_errors);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
