/* SPDX-License-Identifier: MIT */
/*
 * The readers under failures a file on disk cannot produce, through
 * link-time mocks (test_parse_wrap.wrap): read() returning EOPNOTSUPP
 * (PSI disabled), EINTR, EIO mid-file, one byte at a time; and allocation
 * failures injected into the ctprof_* allocators the parsers call.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <cmocka.h>

#include "capture/parse.h"
#include "testutil.h"

/* ---- read() mock ----------------------------------------------------- */

enum read_mode {
	RD_PASS,
	RD_FAIL,       /* every call fails with rd_errno */
	RD_EINTR_ONCE, /* the first call fails with EINTR */
	RD_ONE_BYTE,   /* at most one byte per call */
	RD_FAIL_SECOND /* the second call fails with rd_errno */
};

static enum read_mode rd_mode;
static int rd_errno;
static unsigned rd_calls;

ssize_t __real_read(int fd, void *buf, size_t n);
ssize_t __wrap_read(int fd, void *buf, size_t n);

ssize_t __wrap_read(int fd, void *buf, size_t n)
{
	unsigned call = ++rd_calls;

	switch (rd_mode) {
	case RD_FAIL:
		errno = rd_errno;
		return -1;
	case RD_EINTR_ONCE:
		if (call == 1) {
			errno = EINTR;
			return -1;
		}
		break;
	case RD_ONE_BYTE:
		if (n > 1)
			n = 1;
		break;
	case RD_FAIL_SECOND:
		if (call == 2) {
			errno = rd_errno;
			return -1;
		}
		break;
	case RD_PASS:
		break;
	}
	return __real_read(fd, buf, n);
}

static void rd_set(enum read_mode m, int e)
{
	rd_mode = m;
	rd_errno = e;
	rd_calls = 0;
}

/* ---- allocator mocks ------------------------------------------------- */

static long alloc_budget = -1; /* successful allocations left; -1: unlimited */
static unsigned alloc_failed;

void *__real_ctprof_malloc(size_t n);
void *__real_ctprof_calloc(size_t n, size_t sz);
void *__real_ctprof_realloc(void *p, size_t n);
void *__wrap_ctprof_malloc(size_t n);
void *__wrap_ctprof_calloc(size_t n, size_t sz);
void *__wrap_ctprof_realloc(void *p, size_t n);

static bool alloc_ok(void)
{
	if (alloc_budget < 0)
		return true;
	if (alloc_budget == 0) {
		alloc_failed++;
		return false;
	}
	alloc_budget--;
	return true;
}

void *__wrap_ctprof_malloc(size_t n)
{
	return alloc_ok() ? __real_ctprof_malloc(n) : NULL;
}

void *__wrap_ctprof_calloc(size_t n, size_t sz)
{
	return alloc_ok() ? __real_ctprof_calloc(n, sz) : NULL;
}

void *__wrap_ctprof_realloc(void *p, size_t n)
{
	return alloc_ok() ? __real_ctprof_realloc(p, n) : NULL;
}

/* ---- fixtures -------------------------------------------------------- */

static char *tmp;

static int setup(void **state)
{
	(void)state;
	tmp = tu_mkdtemp("parse-wrap");
	rd_set(RD_PASS, 0);
	alloc_budget = -1;
	alloc_failed = 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	rd_set(RD_PASS, 0);
	alloc_budget = -1;
	tu_rmtree(tmp);
	free(tmp);
	return 0;
}

static char *put(const char *rel, const char *content)
{
	char *p = tu_path("%s/%s", tmp, rel);

	tu_write_str(p, content);
	return p;
}

/* ---- read failures --------------------------------------------------- */

static void test_psi_eopnotsupp(void **state)
{
	struct ctprof_psi p, zero;
	struct ctprof_buf b = { 0 };
	char *root = tu_fixture("proc-formats/proc-psi");
	char *file = tu_fixture("proc-formats/proc-psi/pressure/cpu");

	(void)state;
	/* CONFIG_PSI_DEFAULT_DISABLED: the files exist, read() fails. */
	rd_set(RD_FAIL, EOPNOTSUPP);
	assert_int_equal(ctprof_read_file_at(AT_FDCWD, file, &b, CTPROF_READ_MAX), -EOPNOTSUPP);
	assert_int_equal(b.len, 0);
	memset(&zero, 0, sizeof(zero));
	memset(&p, 0xff, sizeof(p));
	ctprof_read_host_psi(root, &p);
	assert_memory_equal(&p, &zero, sizeof(p));
	assert_true(rd_calls >= 4);
	/* The same tree reads fine once read() works. */
	rd_set(RD_PASS, 0);
	ctprof_read_host_psi(root, &p);
	assert_int_equal(p.cpu.some.total_usec, 8004869);
	free(root);
	free(file);
	ctprof_buf_free(&b);
}

static void test_read_eintr_and_short_reads(void **state)
{
	struct ctprof_buf b = { 0 };
	char content[301];
	char *p;
	size_t i;

	(void)state;
	for (i = 0; i < 300; i++)
		content[i] = (char)('a' + i % 26);
	content[300] = '\0';
	p = put("f", content);

	rd_set(RD_EINTR_ONCE, 0);
	assert_int_equal(ctprof_read_file_at(AT_FDCWD, p, &b, CTPROF_READ_MAX), 0);
	assert_int_equal(b.len, 300);
	assert_string_equal(b.data, content);

	rd_set(RD_ONE_BYTE, 0);
	assert_int_equal(ctprof_read_file_at(AT_FDCWD, p, &b, CTPROF_READ_MAX), 0);
	assert_int_equal(b.len, 300);
	assert_string_equal(b.data, content);
	assert_int_equal(rd_calls, 301); /* 300 bytes, then EOF */

	/* The bound holds with short reads: exactly max is fine, one less fails
	 * after reading max + 1 bytes and no more. */
	rd_set(RD_ONE_BYTE, 0);
	assert_int_equal(ctprof_read_file_at(AT_FDCWD, p, &b, 300), 0);
	rd_set(RD_ONE_BYTE, 0);
	assert_int_equal(ctprof_read_file_at(AT_FDCWD, p, &b, 299), -EFBIG);
	assert_int_equal(rd_calls, 300);
	assert_int_equal(b.len, 0);

	/* A small file takes one read() for the data and one for EOF. */
	rd_set(RD_PASS, 0);
	assert_int_equal(ctprof_read_file_at(AT_FDCWD, p, &b, CTPROF_READ_MAX), 0);
	assert_int_equal(rd_calls, 2);
	free(p);
	ctprof_buf_free(&b);
}

static void test_read_error_mid_file(void **state)
{
	struct ctprof_buf b = { 0 };
	char *p = put("f", "some content\n");

	(void)state;
	rd_set(RD_FAIL_SECOND, EIO);
	assert_int_equal(ctprof_read_file_at(AT_FDCWD, p, &b, CTPROF_READ_MAX), -EIO);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.data, "");
	free(p);
	ctprof_buf_free(&b);
}

static void test_sched_ext_unreadable(void **state)
{
	struct ctprof_sched_ext *se = NULL;
	char *root = tu_fixture("proc-formats/sched_ext-enabled");

	(void)state;
	rd_set(RD_FAIL, EACCES);
	assert_int_equal(ctprof_read_sched_ext(root, &se), 0);
	assert_non_null(se); /* the directory exists: present, fields absent */
	assert_string_equal(se->state, "");
	assert_int_equal(se->switch_all, 0);
	assert_int_equal(se->nr_rejected, 0);
	assert_int_equal(se->hotplug_seq, 0);
	assert_int_equal(se->enable_seq, 0);
	free(se->state);
	free(se);
	free(root);
}

static void test_cgroup_stats_unreadable(void **state)
{
	struct ctprof_cgroup_stats cg;
	char *root = tu_path("%s/cg", tmp);

	(void)state;
	free(put("cg/x/memory.current", "5\n"));
	free(put("cg/x/cpu.max", "10 20\n"));
	free(put("cg/x/memory.stat", "anon 1\n"));
	free(put("cg/x/cpu.pressure", "some avg10=1.00 avg60=0 avg300=0 total=5\n"));
	rd_set(RD_FAIL, EACCES);
	ctprof_cgroup_stats_init(&cg);
	assert_int_equal(ctprof_read_cgroup_stats(root, "/x", &cg), 0);
	assert_int_equal(cg.memory.current, 0);
	assert_false(cg.cpu.max_quota_us.set);
	assert_int_equal(cg.cpu.max_period_us, 100000);
	assert_int_equal(cg.memory.stat.n, 0);
	assert_int_equal(cg.psi.cpu.some.total_usec, 0);
	ctprof_cgroup_stats_clear(&cg);
	rd_set(RD_PASS, 0);
	ctprof_cgroup_stats_init(&cg);
	assert_int_equal(ctprof_read_cgroup_stats(root, "/x", &cg), 0);
	assert_int_equal(cg.memory.current, 5);
	assert_int_equal(cg.cpu.max_period_us, 20);
	assert_int_equal(cg.memory.stat.n, 1);
	assert_int_equal(cg.psi.cpu.some.total_usec, 5);
	ctprof_cgroup_stats_clear(&cg);
	free(root);
}

/* ---- allocation failures --------------------------------------------- */

/*
 * Run op with a budget of 0, 1, 2, ... successful allocations until it
 * succeeds; every earlier attempt must fail cleanly with -ENOMEM (ASan and
 * valgrind see any leak). Returns the number of failing budgets.
 */
static long sweep(int (*op)(void *), void *arg)
{
	long budget;
	int r;

	for (budget = 0; budget < 10000; budget++) {
		alloc_budget = budget;
		alloc_failed = 0;
		r = op(arg);
		alloc_budget = -1;
		if (r == 0) {
			assert_int_equal(alloc_failed, 0);
			return budget;
		}
		if (r != -ENOMEM)
			fail_msg("budget %ld: %d, want -ENOMEM", budget, r);
		assert_true(alloc_failed > 0);
	}
	fail_msg("never succeeded");
	return -1;
}

static int op_cpulist(void *arg)
{
	struct ctprof_cpuset cs = { 0 };
	const char *s = arg;
	int r = ctprof_parse_cpulist(s, strlen(s), &cs);

	if (r == 0) {
		assert_int_equal(cs.n, 40);
		assert_int_equal(cs.cpus[39], 99);
	} else {
		assert_null(cs.cpus);
	}
	free(cs.cpus);
	return r;
}

static int op_smaps(void *arg)
{
	struct ctprof_kvmap m = { 0 };
	const char *s = arg;
	int r = ctprof_parse_smaps_rollup(s, strlen(s), &m);
	uint64_t v;

	if (r == 0) {
		assert_int_equal(m.n, 40);
		assert_true(ctprof_kvmap_get(&m, "Key39", &v));
		assert_int_equal(v, 39);
	} else {
		assert_int_equal(m.n, 0);
	}
	ctprof_kvmap_clear(&m);
	return r;
}

static int op_cgroup(void *arg)
{
	struct ctprof_cgroup_stats cg;
	int r;

	ctprof_cgroup_stats_init(&cg);
	r = ctprof_read_cgroup_stats(arg, "/m", &cg);
	if (r == 0) {
		assert_int_equal(cg.memory.stat.n, 40);
		assert_int_equal(cg.memory.events.n, 2);
	}
	ctprof_cgroup_stats_clear(&cg);
	return r;
}

static int op_sched_ext(void *arg)
{
	struct ctprof_sched_ext *se = (void *)1;
	int r = ctprof_read_sched_ext(arg, &se);

	if (r == 0) {
		assert_non_null(se);
		assert_string_equal(se->state, "enabled");
		free(se->state);
		free(se);
	} else {
		assert_null(se);
	}
	return r;
}

static void test_alloc_failures(void **state)
{
	char cpulist[400], smaps[2000], stat_buf[2000];
	size_t off = 0, i;
	char *cgroot, *scx;

	(void)state;
	/* 40 disjoint CPUs in 40 tokens, so the range array grows. */
	for (i = 0; i < 40; i++)
		off += (size_t)snprintf(cpulist + off, sizeof(cpulist) - off, "%zu,",
					i < 20 ? i * 2 : 60 + i);
	assert_true(sweep(op_cpulist, cpulist) > 1);

	off = 0;
	for (i = 0; i < 40; i++)
		off += (size_t)snprintf(smaps + off, sizeof(smaps) - off, "Key%zu: %zu kB\n", i,
					i);
	assert_true(sweep(op_smaps, smaps) > 1);

	off = 0;
	for (i = 0; i < 40; i++)
		off += (size_t)snprintf(stat_buf + off, sizeof(stat_buf) - off, "k%zu %zu\n", i,
					i);
	free(put("cg/m/memory.stat", stat_buf));
	free(put("cg/m/memory.events", "oom 1\nmax 2\n"));
	cgroot = tu_path("%s/cg", tmp);
	assert_true(sweep(op_cgroup, cgroot) > 1);
	free(cgroot);

	scx = tu_fixture("proc-formats/sched_ext-enabled");
	assert_true(sweep(op_sched_ext, scx) >= 1);
	free(scx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_psi_eopnotsupp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_eintr_and_short_reads, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_error_mid_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sched_ext_unreadable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cgroup_stats_unreadable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alloc_failures, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
