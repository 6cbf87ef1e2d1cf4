/* SPDX-License-Identifier: MIT */
/* TAP 13/14, JUnit and JSON renderings of verdicts, with hostile group names. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <ctprof/ctprof.h>

#include "testutil.h"

static struct ctprof_snapshot *sa, *sb;
static struct ctprof_gateset *gs;
static struct ctprof_diff *d;
static struct ctprof_verdict *v;

static struct ctprof_snapshot *load(const char *name)
{
	struct ctprof_error err = { 0 };
	struct ctprof_snapshot *s = NULL;
	char *path = tu_path("%s/verdict/%s.json", CTPROF_FIXTURES_DIR, name);
	size_t len;
	char *json = tu_read_file(path, &len);

	if (!json || ctprof_snapshot_from_json(json, len, path, &s, &err) < 0)
		fail_msg("%s: %s", path, err.msg);
	free(json);
	free(path);
	return s;
}

static int setup(void **state)
{
	struct ctprof_compare_opts o = { .sz = sizeof(o), .group_by = CTPROF_GROUP_PCOMM };
	struct ctprof_error err = { 0 };
	static const char *const specs[] = {
		"nr_migrations:max_increase=10%",        /* ev...: 0 -> 7 fails; hackbench +25% fails */
		"avg_wait_ns@hackbench:max_increase=30%", /* +25% holds */
		"avg_wait_ns@ev#il*:max=1ns",             /* coverage: SKIP */
	};
	size_t i;

	(void)state;
	sa = load("a");
	sb = load("b");
	gs = ctprof_gateset_new();
	for (i = 0; i < 3; i++)
		if (ctprof_gateset_add(gs, specs[i], &err) < 0)
			fail_msg("%s", err.msg);
	if (ctprof_compare(sa, sb, &o, &d, &err) < 0 || ctprof_verdict_compare(gs, d, &v, &err) < 0)
		fail_msg("%s", err.msg);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	ctprof_verdict_free(v);
	ctprof_diff_free(d);
	ctprof_gateset_free(gs);
	ctprof_snapshot_free(sa);
	ctprof_snapshot_free(sb);
	return 0;
}

/* Every line of a TAP stream is a known kind: nothing forged by a name. */
static void check_lines(const char *tap, size_t expect_points, bool nested)
{
	const char *p = tap;
	size_t points = 0;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char line[2048];

		assert_true(n < sizeof(line));
		memcpy(line, p, n);
		line[n] = '\0';
		if (strncmp(line, "ok ", 3) == 0 || strncmp(line, "not ok ", 7) == 0)
			points++;
		else if (nested && (strncmp(line, "    ok ", 7) == 0 ||
				    strncmp(line, "    not ok ", 11) == 0))
			;
		else if (!(strncmp(line, "TAP version ", 12) == 0 || strncmp(line, "1..", 3) == 0 ||
			   strncmp(line, "    1..", 7) == 0 || line[0] == '#' ||
			   strncmp(line, "  ", 2) == 0))
			fail_msg("unexpected TAP line: %s", line);
		/* a hostile name never opens a directive */
		if (strstr(line, "ok ") && !strstr(line, "  ---") && strstr(line, "forged") &&
		    strncmp(line, "  ", 2) != 0 && strstr(line, " # TODO"))
			fail_msg("unescaped directive: %s", line);
		p += n + (nl ? 1 : 0);
	}
	assert_int_equal(points, expect_points);
}

static void test_tap13(void **state)
{
	struct ctprof_error err = { 0 };
	char *t = NULL;
	size_t len;

	(void)state;
	assert_int_equal(v->n_points, 4);
	assert_int_equal(ctprof_render_tap(v, 13, &t, &len, &err), 0);
	assert_int_equal(strlen(t), len);
	assert_true(strncmp(t, "TAP version 13\n1..4\n", 20) == 0);
	check_lines(t, 4, false);
	/* the escaped description and the YAML of the hostile group */
	assert_non_null(strstr(t, "\nnot ok 1 - ev\\#il\\\\x\\x0anot ok - forged \\# TODO: "
				  "nr_migrations 0 -> 7 (max +10%)\n"));
	assert_non_null(strstr(t, "  group: \"ev#il\\\\x\\x0anot ok - forged # TODO\"\n"));
	assert_non_null(strstr(t, "\nnot ok 2 - hackbench: nr_migrations +25.0% (max +10%)\n"
				  "  ---\n  message: \"increase above the threshold and the floor\"\n"
				  "  metric: \"nr_migrations\"\n  group: \"hackbench\"\n"
				  "  axis: pcomm\n  baseline: 40\n  candidate: 50\n  delta: 10\n"
				  "  delta_pct: 25\n  gate: \"nr_migrations:max_increase=10%\"\n"
				  "  limit: max_increase\n  threshold: \"10%\"\n"
				  "  polarity: lower_better\n  ...\n"));
	assert_non_null(strstr(t, "\nok 3 - hackbench: avg_wait_ns +25.0% (max +30%)\n"));
	assert_non_null(strstr(t, "\nok 4 - ev\\#il\\\\x\\x0anot ok - forged \\# TODO: avg_wait_ns "
				  "# SKIP coverage: measured in the candidate only\n"));
	assert_non_null(strstr(t, "\n# only in the baseline: gone\n"
				  "# 4 tests, 1 passed, 2 failed, 1 skipped\n"));
	free(t);
	assert_int_equal(ctprof_render_tap(v, 12, &t, &len, &err), -EINVAL);
}

static void test_tap14(void **state)
{
	struct ctprof_error err = { 0 };
	char *t = NULL;

	(void)state;
	assert_int_equal(ctprof_render_tap(v, 14, &t, NULL, &err), 0);
	assert_true(strncmp(t, "TAP version 14\n1..3\n# Subtest: nr_migrations:max_increase=10%\n"
			       "    1..2\n    not ok 1 - ev\\#il", 89) == 0);
	assert_non_null(strstr(t, "\n      ---\n      message: "));
	assert_non_null(strstr(t, "\nnot ok 1 - nr_migrations:max_increase=10%\n"
				  "# Subtest: avg_wait_ns@hackbench:max_increase=30%\n    1..1\n"
				  "    ok 1 - hackbench: avg_wait_ns +25.0% (max +30%)\n"
				  "ok 2 - avg_wait_ns@hackbench:max_increase=30%\n"));
	assert_non_null(strstr(t, "\nok 3 - avg_wait_ns@ev\\#il*:max=1ns\n"));
	check_lines(t, 3, true);
	free(t);
}

static void test_junit(void **state)
{
	struct ctprof_error err = { 0 };
	char *x = NULL;
	const char *p;

	(void)state;
	assert_int_equal(ctprof_render_junit(v, &x, NULL, &err), 0);
	assert_true(strncmp(x, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites "
			       "name=\"ctprof-harness\" tests=\"4\" failures=\"2\" errors=\"0\" "
			       "skipped=\"1\">\n", 120) == 0);
	assert_non_null(strstr(x, "<testcase classname=\"nr_migrations:max_increase=10%\" "
				  "name=\"ev#il\\x\\x0anot ok - forged # TODO: nr_migrations\""));
	assert_non_null(strstr(x, "<skipped message=\"coverage: measured in the candidate only\"/>"));
	assert_non_null(strstr(x, "type=\"limit\">message: increase above the threshold and the "
				  "floor\nmetric: nr_migrations\ngroup: hackbench\naxis: pcomm\n"
				  "baseline: 40\ncandidate: 50\ndelta: 10\ndelta_pct: 25\n"));
	/* no raw control byte and no stray markup from a name */
	for (p = x; *p; p++)
		assert_true(*p == '\n' || (unsigned char)*p >= 0x20);
	assert_null(strstr(x, "<il"));
	free(x);
}

static void test_hostile_escape(void **state)
{
	struct ctprof_compare_opts o = { .sz = sizeof(o), .group_by = CTPROF_GROUP_PCOMM };
	struct ctprof_error err = { 0 };
	struct ctprof_snapshot *a = load("a"), *b = load("b");
	struct ctprof_gateset *g2 = ctprof_gateset_new();
	struct ctprof_diff *d2 = NULL;
	struct ctprof_verdict *v2 = NULL;
	char *t = NULL, *x = NULL, *j = NULL;
	size_t i;

	(void)state;
	/* XML markup, quotes, a lone invalid byte, DEL, CR and U+FFFF in one name */
	for (i = 0; i < b->n_threads + a->n_threads; i++) {
		struct ctprof_thread *th = i < b->n_threads ? &b->threads[i]
							    : &a->threads[i - b->n_threads];

		if (th->tid != 200)
			continue;
		free(th->pcomm);
		th->pcomm = strdup("<x a=\"'&'\">\r\x7f\xff\xef\xbf\xbf\\");
	}
	assert_int_equal(ctprof_gateset_add(g2, "nr_migrations@<x*:max=1", &err), 0);
	assert_int_equal(ctprof_compare(a, b, &o, &d2, &err), 0);
	assert_int_equal(ctprof_verdict_compare(g2, d2, &v2, &err), 0);
	assert_int_equal(v2->n_points, 1);
	assert_int_equal(ctprof_render_tap(v2, 13, &t, NULL, &err), 0);
	assert_non_null(strstr(t, "not ok 1 - <x a=\"'&'\">\\x0d\\x7f\\xff\\xef\\xbf\\xbf\\\\: "
				  "nr_migrations = 7 (max 1)\n"));
	assert_non_null(strstr(t, "  group: \"<x a=\\\"'&'\\\">\\x0d\\x7f\\xff\\xef\\xbf\\xbf\\\\\"\n"));
	assert_int_equal(ctprof_render_junit(v2, &x, NULL, &err), 0);
	assert_non_null(strstr(x, "group: &lt;x a=&quot;&apos;&amp;&apos;&quot;&gt;\\x0d\\x7f"
				  "\\xff\\xef\\xbf\\xbf\\\n"));
	assert_int_equal(ctprof_render_verdict_json(v2, &j, NULL, &err), 0);
	assert_non_null(strstr(j, "\"group\":\"<x a=\\\"'&'\\\">\\r\\u007f\xef\xbf\xbd"));
	free(t);
	free(x);
	free(j);
	ctprof_verdict_free(v2);
	ctprof_diff_free(d2);
	ctprof_gateset_free(g2);
	ctprof_snapshot_free(a);
	ctprof_snapshot_free(b);
}

static void test_json(void **state)
{
	struct ctprof_error err = { 0 };
	char *j = NULL;

	(void)state;
	assert_int_equal(ctprof_render_verdict_json(v, &j, NULL, &err), 0);
	assert_true(strncmp(j, "{\"axis\":\"pcomm\",\"has_baseline\":true,\"ok\":false,\"tests\":4,"
			       "\"passed\":1,\"failed\":2,\"skipped\":1,\"gates\":[{\"gate\":"
			       "\"nr_migrations:max_increase=10%\",\"metric\":\"nr_migrations\","
			       "\"group\":null,\"polarity\":\"lower_better\",\"limits\":"
			       "{\"max_increase\":{\"value\":0.1,\"text\":\"10%\"}}", 246) == 0);
	assert_non_null(strstr(j, "{\"group\":\"hackbench\",\"status\":\"not ok\",\"reason\":"
				  "\"limit\",\"limit\":\"max_increase\",\"description\":\"hackbench: "
				  "nr_migrations +25.0% (max +10%)\",\"baseline\":40,\"candidate\":50,"
				  "\"delta\":10,\"delta_pct\":25}"));
	assert_non_null(strstr(j, "\"orphans\":[{\"group\":\"gone\",\"side\":\"baseline\"}]}\n"));
	free(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tap13),
		cmocka_unit_test(test_tap14),
		cmocka_unit_test(test_junit),
		cmocka_unit_test(test_hostile_escape),
		cmocka_unit_test(test_json),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
