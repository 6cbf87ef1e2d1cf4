/* SPDX-License-Identifier: MIT */
/* lib/run scx helpers: command-line splitting, sysfs reads, log tails, option checks. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <ctprof/run.h>

#include "run/scx_int.h"
#include "testutil.h"

static void split_ok(const char *line, const char *const *want)
{
	struct ctprof_error err = { 0 };
	char **argv = NULL;
	size_t i;

	assert_int_equal(ctprof_split_cmdline(line, &argv, &err), 0);
	for (i = 0; want[i]; i++) {
		assert_non_null(argv[i]);
		assert_string_equal(argv[i], want[i]);
	}
	assert_null(argv[i]);
	ctprof_argv_free(argv);
}

static void split_bad(const char *line, int code, const char *msg)
{
	struct ctprof_error err = { 0 };
	char **argv = (char **)0x1;

	assert_int_equal(ctprof_split_cmdline(line, &argv, &err), code);
	assert_ptr_equal(argv, (char **)0x1); /* untouched on failure */
	assert_int_equal(err.code, code);
	assert_non_null(strstr(err.msg, msg));
}

static void test_split(void **state)
{
	(void)state;
	split_ok("scx_simple", (const char *const[]){ "scx_simple", NULL });
	split_ok("  scx_rusty  -s 20000\t--verbose\n",
		 (const char *const[]){ "scx_rusty", "-s", "20000", "--verbose", NULL });
	split_ok("a 'b c' \"d e\" f\\ g", (const char *const[]){ "a", "b c", "d e", "f g", NULL });
	split_ok("x '' \"\"", (const char *const[]){ "x", "", "", NULL });
	split_ok("x 'it\"s' \"a\\\"b\\\\c\\$d\\n\"",
		 (const char *const[]){ "x", "it\"s", "a\"b\\c$d\\n", NULL });
	split_ok("pre'mid'\"dq\"post", (const char *const[]){ "premiddqpost", NULL });
	split_ok("echo $HOME *", (const char *const[]){ "echo", "$HOME", "*", NULL });
	split_bad("", -EINVAL, "no command");
	split_bad("   \t ", -EINVAL, "no command");
	split_bad(NULL, -EINVAL, "no command");
	split_bad("a 'b", -EINVAL, "unterminated single quote at offset 2");
	split_bad("a \"b", -EINVAL, "unterminated double quote at offset 2");
	split_bad("a b\\", -EINVAL, "trailing backslash");
	ctprof_argv_free(NULL);
}

static void test_split_bounds(void **state)
{
	struct ctprof_error err = { 0 };
	char **argv = NULL;
	char *big = malloc(64 * 1024 + 2);
	size_t i;

	(void)state;
	/* 4097 one-letter words: over the word cap */
	for (i = 0; i < 4097; i++) {
		big[2 * i] = 'w';
		big[2 * i + 1] = ' ';
	}
	big[2 * 4097] = '\0';
	assert_int_equal(ctprof_split_cmdline(big, &argv, &err), -E2BIG);
	assert_non_null(strstr(err.msg, "more than 4096 words"));
	/* exactly 4096 words is fine */
	big[2 * 4096] = '\0';
	assert_int_equal(ctprof_split_cmdline(big, &argv, &err), 0);
	assert_string_equal(argv[4095], "w");
	assert_null(argv[4096]);
	ctprof_argv_free(argv);
	memset(big, 'x', 64 * 1024 + 1);
	big[64 * 1024 + 1] = '\0';
	assert_int_equal(ctprof_split_cmdline(big, &argv, &err), -E2BIG);
	free(big);
}

/* Write DIR/NAME and free the joined path. */
static void put(const char *dir, const char *name, const char *text)
{
	char *p = tu_path("%s/%s", dir, name);

	tu_write_str(p, text);
	free(p);
}

static void test_read_sysfs(void **state)
{
	char *root = tu_mkdtemp("scxsys");
	char *dir = tu_path("%s/kernel/sched_ext", root);
	struct ctprof_scx_sysfs s;

	(void)state;
	ctprof_scx_read_sysfs(dir, &s);
	assert_false(s.present);
	assert_string_equal(s.state, "");

	put(dir, "state", "  enabled \n");
	put(dir, "enable_seq", "17\n");
	put(dir, "root/ops", "scx_lavd\n");
	ctprof_scx_read_sysfs(dir, &s);
	assert_true(s.present);
	assert_string_equal(s.state, "enabled");
	assert_string_equal(s.ops, "scx_lavd");
	assert_true(s.seq_valid);
	assert_int_equal(s.enable_seq, 17);

	put(dir, "enable_seq", "-3\n");
	{
		char *r = tu_path("%s/root", dir);

		tu_rmtree(r);
		free(r);
	}
	ctprof_scx_read_sysfs(dir, &s);
	assert_false(s.seq_valid);
	assert_int_equal(s.enable_seq, 0);
	assert_string_equal(s.ops, "");
	tu_rmtree(root);
	free(dir);
	free(root);
}

static void test_log_tail(void **state)
{
	char *root = tu_mkdtemp("scxlog");
	char *p = tu_path("%s/scheduler.log", root);
	char *t;

	(void)state;
	errno = 0;
	assert_null(ctprof_scx_log_tail(p, 64));
	assert_int_equal(errno, ENOENT);
	tu_write_str(p, "");
	t = ctprof_scx_log_tail(p, 64);
	assert_string_equal(t, "");
	free(t);
	tu_write_str(p, "short log\n");
	t = ctprof_scx_log_tail(p, 64);
	assert_string_equal(t, "short log\n");
	free(t);
	/* longer than max: cut at the first full line within the last 20 bytes */
	tu_write_str(p, "line one is long\nline two\nEXIT: stall\n");
	t = ctprof_scx_log_tail(p, 20);
	assert_string_equal(t, "EXIT: stall\n");
	free(t);
	/* invalid UTF-8 becomes U+FFFD */
	tu_write_file(p, "ab\xff\n", 4);
	t = ctprof_scx_log_tail(p, 64);
	assert_string_equal(t, "ab\xef\xbf\xbd\n");
	free(t);
	tu_rmtree(root);
	free(p);
	free(root);
}

static void test_opts(void **state)
{
	const char *argv[] = { "x", NULL };
	struct ctprof_scx_opts o = { .sz = sizeof(o) };
	struct ctprof_error err = { 0 };
	struct ctprof_scx *scx = (struct ctprof_scx *)0x1;

	(void)state;
	assert_int_equal(ctprof_scx_new(NULL, &scx, &err), -EINVAL);
	assert_null(scx);
	assert_int_equal(ctprof_scx_new(&o, &scx, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "no log path"));
	o.log_path = "/tmp/x.log";
	assert_int_equal(ctprof_scx_new(&o, &scx, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "no command"));
	o.cmdline = "scx 'open";
	assert_int_equal(ctprof_scx_new(&o, &scx, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "scheduler: command line: split: unterminated single quote"));
	o.sz = sizeof(o) + 8;
	assert_int_equal(ctprof_scx_new(&o, &scx, &err), -EINVAL);
	o.sz = sizeof(o);
	o.argv = (char *const *)argv; /* wins over the bad cmdline */
	assert_int_equal(ctprof_scx_new(&o, &scx, &err), 0);
	assert_string_equal(ctprof_scx_log_path(scx), "/tmp/x.log");
	assert_int_equal(ctprof_scx_pid(scx), 0);
	assert_null(ctprof_scx_ops(scx));
	ctprof_scx_free(scx);
	ctprof_scx_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_split_bounds),
		cmocka_unit_test(test_read_sysfs),
		cmocka_unit_test(test_log_tail),
		cmocka_unit_test(test_opts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
