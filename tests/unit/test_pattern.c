/* SPDX-License-Identifier: MIT */
/*
 * pattern_key: every test vector of compare-engine.md §4.2, plus the
 * cgroup normalization layers (§4.5.2) and the flatten globs (§4.5.1).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <ctprof/compare.h>

static void expect_pk(const char *in, const char *want)
{
	char *got = ctprof_pattern_key(in);

	assert_non_null(got);
	if (strcmp(got, want) != 0)
		fail_msg("pattern_key(\"%s\") = \"%s\", want \"%s\"", in, got, want);
	free(got);
}

/* §4.2 test vectors, row by row. */
static void test_rule1_digits(void **state)
{
	(void)state;
	expect_pk("kworker/3:1", "kworker/{N}:{N}");
	expect_pk("kworker/0:0", "kworker/{N}:{N}");
}

static void test_rule3_u_prefix(void **state)
{
	(void)state;
	expect_pk("kworker/u8:7", "kworker/u{N}:{N}");
	expect_pk("kworker/u16:0", "kworker/u{N}:{N}");
}

static void test_rule4_h_suffix(void **state)
{
	(void)state;
	expect_pk("kworker/0:1H-events_highpri", "kworker/{N}:{N}H-events_highpri");
}

static void test_plus_separator_kept(void **state)
{
	(void)state;
	expect_pk("kworker/0:1+events", "kworker/{N}:{N}+events");
	expect_pk("kworker/0:1-events", "kworker/{N}:{N}-events");
}

static void test_every_digit_token(void **state)
{
	(void)state;
	expect_pk("tokio-worker-12", "tokio-worker-{N}");
	expect_pk("pool-2-thread-7", "pool-{N}-thread-{N}");
}

static void test_rule3_words(void **state)
{
	(void)state;
	expect_pk("worker7", "worker{N}");
	expect_pk("cpu0", "cpu{N}");
	expect_pk("CamelCaseWord175", "CamelCaseWord{N}");
}

static void test_rule2_precedes(void **state)
{
	(void)state;
	expect_pk("a0", "{H}");
	expect_pk("1a", "{H}");
	expect_pk("0f", "{H}");
	expect_pk("42abc", "{H}");
	expect_pk("a1234", "{H}");
	expect_pk("session-a1234", "session-{H}");
}

static void test_rule4_non_hex(void **state)
{
	(void)state;
	expect_pk("1aZ", "{N}aZ");
	expect_pk("42xyz", "{N}xyz");
	expect_pk("3z", "{N}z");
}

static void test_unchanged(void **state)
{
	(void)state;
	expect_pk("abc", "abc");
	expect_pk("ff", "ff");
	expect_pk("a", "a");
	expect_pk("BPF_CUBIC", "BPF_CUBIC");
	expect_pk("proto303handler", "proto303handler");
	expect_pk("init", "init");
}

static void test_brackets(void **state)
{
	(void)state;
	expect_pk("worker[42]", "worker[{N}]");
	expect_pk("bash[4242]", "bash[{N}]");
	expect_pk("dev[1ab]", "dev[{H}]");
}

static void test_whitespace(void **state)
{
	(void)state;
	expect_pk("Chrome thread 4", "Chrome thread {N}");
	/* Unicode whitespace separates too: U+00A0, U+2003, U+3000 */
	expect_pk("a\xc2\xa0" "12", "a\xc2\xa0{N}");
	expect_pk("x\xe2\x80\x83" "7", "x\xe2\x80\x83{N}");
	expect_pk("y\xe3\x80\x80" "0", "y\xe3\x80\x80{N}");
	/* a non-whitespace multibyte character is a token character */
	expect_pk("\xc3\xa9" "12", "\xc3\xa9" "12");
}

static void test_edges(void **state)
{
	(void)state;
	expect_pk("0", "{N}");
	expect_pk("worker-", "worker-");
	expect_pk("", "");
	/* separator runs are kept verbatim */
	expect_pk("a..b", "a..b");
	expect_pk("a-[1]", "a-[{N}]");
	expect_pk("x@@3", "x@@{N}");
}

static void expect_cg(const char *in, const char *want)
{
	char *got = ctprof_cgroup_normalize(in);

	assert_non_null(got);
	if (strcmp(got, want) != 0)
		fail_msg("cgroup_normalize(\"%s\") = \"%s\", want \"%s\"", in, got, want);
	free(got);
}

static void test_cgroup_layers(void **state)
{
	(void)state;
	/* Layer 1 (then Layer 2 turns user-0 into user-{N}) */
	expect_cg("/user.slice/user-0.slice/user@0.service/boot.scope",
		  "/user.slice/user-{N}.slice/user@{I}.service/boot.scope");
	/* structured instances are kept */
	expect_cg("/critical.slice/launcher@foo.bar.baz.service",
		  "/critical.slice/launcher@foo.bar.baz.service");
	expect_cg("/s/getty@tty1.service", "/s/getty@{I}.service");
	expect_cg("/s/x@.service", "/s/x@.service");
	/* no .service suffix: scanning continues after '@' */
	expect_cg("/a@b/c@42.service", "/a@b/c@{I}.service");
	/* Layer 2 */
	expect_cg("/user.slice/session-[a1b2c3d4]/scope", "/user.slice/session-[{H}]/scope");
	/* no singleton revert on the cgroup axis */
	expect_cg("/user.slice/user-1000.slice/session-3.scope",
		  "/user.slice/user-{N}.slice/session-{N}.scope");
	expect_cg("/", "/");
	expect_cg("", "");
	/* constant placeholders stay (ktstr's tighten test) */
	expect_cg("/apps.slice/run-42.fluxcap7_3.zz9", "/apps.slice/run-{N}.fluxcap{N}_{N}.zz{N}");
}

static void test_flatten(void **state)
{
	const char *globs[] = { "/kubepods/*/workload", "/svc/?", "/x/[ab]c", "/bad/[unclosed",
				"/y/***", "/z/a**" };
	const char *globs2[] = { "/kubepods/*", "/kubepods/*/workload" };

	(void)state;
	/* '*' crosses '/' (no FNM_PATHNAME) and the glob itself is the key */
	assert_string_equal(ctprof_cgroup_flatten("/kubepods/pod-abc/workload", globs, 6),
			    "/kubepods/*/workload");
	assert_string_equal(ctprof_cgroup_flatten("/kubepods/a/b/c/workload", globs, 6),
			    "/kubepods/*/workload");
	assert_null(ctprof_cgroup_flatten("/kubepods/a/workload2", globs, 6));
	assert_string_equal(ctprof_cgroup_flatten("/svc/7", globs, 6), "/svc/?");
	assert_null(ctprof_cgroup_flatten("/svc/77", globs, 6));
	assert_string_equal(ctprof_cgroup_flatten("/x/bc", globs, 6), "/x/[ab]c");
	/* globs that Rust's glob crate rejects are ignored */
	assert_null(ctprof_cgroup_flatten("/bad/[unclosed", globs, 6));
	assert_null(ctprof_cgroup_flatten("/y/anything", globs, 6));
	assert_null(ctprof_cgroup_flatten("/z/abc", globs, 6));
	/* first match wins */
	assert_string_equal(ctprof_cgroup_flatten("/kubepods/p/workload", globs2, 2),
			    "/kubepods/*");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rule1_digits),
		cmocka_unit_test(test_rule3_u_prefix),
		cmocka_unit_test(test_rule4_h_suffix),
		cmocka_unit_test(test_plus_separator_kept),
		cmocka_unit_test(test_every_digit_token),
		cmocka_unit_test(test_rule3_words),
		cmocka_unit_test(test_rule2_precedes),
		cmocka_unit_test(test_rule4_non_hex),
		cmocka_unit_test(test_unchanged),
		cmocka_unit_test(test_brackets),
		cmocka_unit_test(test_whitespace),
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_cgroup_layers),
		cmocka_unit_test(test_flatten),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
