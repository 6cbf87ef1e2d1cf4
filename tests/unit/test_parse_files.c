/* SPDX-License-Identifier: MIT */
/*
 * The readers that touch files: the bounded reader, cgroup stats (and the
 * path-safety check), PSI and sched_ext. Trees are built in a temporary
 * directory or taken from fixtures/proc-formats/.
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
#include <signal.h>
#include <unistd.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <cmocka.h>

#include "capture/parse.h"
#include "testutil.h"

static char *tmp;

static int setup(void **state)
{
	(void)state;
	tmp = tu_mkdtemp("parse-files");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tu_rmtree(tmp);
	free(tmp);
	tmp = NULL;
	return 0;
}

static char *tp(const char *rel)
{
	return tu_path("%s/%s", tmp, rel);
}

static void put(const char *rel, const char *content)
{
	char *p = tp(rel);

	tu_write_str(p, content);
	free(p);
}

/* ---- ctprof_read_file_at ------------------------------------------- */

static void test_read_small_and_reuse(void **state)
{
	struct ctprof_buf b = { 0 };
	int dir;

	(void)state;
	put("f1", "hello world\n");
	put("f2", "ab");
	dir = open(tmp, O_RDONLY | O_DIRECTORY);
	assert_true(dir >= 0);
	assert_int_equal(ctprof_read_file_at(dir, "f1", &b, CTPROF_READ_MAX), 0);
	assert_int_equal(b.len, 12);
	assert_string_equal(b.data, "hello world\n");
	/* The buffer is reused: shorter content, correct length and NUL. */
	assert_int_equal(ctprof_read_file_at(dir, "f2", &b, CTPROF_READ_MAX), 0);
	assert_int_equal(b.len, 2);
	assert_string_equal(b.data, "ab");
	assert_true(b.cap >= 4096); /* one read() for typical procfs files */
	close(dir);
	ctprof_buf_free(&b);
}

static void test_read_fifo_never_blocks(void **state)
{
	struct ctprof_buf b = { 0 };
	char *p = tp("fifo");

	(void)state;
	assert_int_equal(mkfifo(p, 0600), 0);
	alarm(10); /* a blocking open or read kills the test instead of hanging it */
	assert_int_equal(ctprof_read_file_at(AT_FDCWD, p, &b, CTPROF_READ_MAX), -EINVAL);
	alarm(0);
	assert_int_equal(b.len, 0);
	free(p);
	ctprof_buf_free(&b);
}

static void test_read_non_regular(void **state)
{
	struct ctprof_buf b = { 0 };
	char *p = tp("adir");

	(void)state;
	assert_int_equal(mkdir(p, 0755), 0);
	assert_int_equal(ctprof_read_file_at(AT_FDCWD, p, &b, CTPROF_READ_MAX), -EINVAL);
	assert_int_equal(ctprof_read_file_at(AT_FDCWD, "/dev/null", &b, CTPROF_READ_MAX), -EINVAL);
	free(p);
	ctprof_buf_free(&b);
}

static void test_read_missing(void **state)
{
	struct ctprof_buf b = { 0 };
	int dir;

	(void)state;
	dir = open(tmp, O_RDONLY | O_DIRECTORY);
	assert_int_equal(ctprof_read_file_at(dir, "nope", &b, CTPROF_READ_MAX), -ENOENT);
	assert_int_equal(ctprof_read_file_at(dir, "nope/deeper", &b, CTPROF_READ_MAX), -ENOENT);
	close(dir);
	ctprof_buf_free(&b);
}

static void test_read_size_bound(void **state)
{
	struct ctprof_buf b = { 0 };
	char data[101];
	char *p = tp("hundred");

	(void)state;
	memset(data, 'x', 100);
	data[100] = '\0';
	tu_write_str(p, data);
	assert_int_equal(ctprof_read_file_at(AT_FDCWD, p, &b, 100), 0);
	assert_int_equal(b.len, 100);
	assert_int_equal(ctprof_read_file_at(AT_FDCWD, p, &b, 99), -EFBIG);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.data, "");
	assert_int_equal(ctprof_read_file_at(AT_FDCWD, p, &b, 0), -EFBIG);
	free(p);
	ctprof_buf_free(&b);
}

static void test_read_large_and_binary(void **state)
{
	struct ctprof_buf b = { 0 };
	size_t n = 300000, i;
	char *big = malloc(n), *p = tp("big");

	(void)state;
	for (i = 0; i < n; i++)
		big[i] = (char)(i * 7 + (i >> 8)); /* every byte value, NULs, invalid UTF-8 */
	tu_write_file(p, big, n);
	assert_int_equal(ctprof_read_file_at(AT_FDCWD, p, &b, CTPROF_READ_MAX), 0);
	assert_int_equal(b.len, n);
	assert_memory_equal(b.data, big, n);
	assert_int_equal(b.data[n], '\0');
	assert_int_equal(ctprof_read_file_at(AT_FDCWD, p, &b, n - 1), -EFBIG);
	free(big);
	free(p);
	ctprof_buf_free(&b);
}

static void test_read_procfs(void **state)
{
	struct ctprof_buf b = { 0 };
	char want[32];

	(void)state;
	/* procfs reports st_size 0; the reader reads until EOF. */
	assert_int_equal(ctprof_read_file_at(AT_FDCWD, "/proc/self/stat", &b, CTPROF_READ_MAX), 0);
	snprintf(want, sizeof(want), "%d (", (int)getpid());
	assert_true(b.len > 40);
	assert_memory_equal(b.data, want, strlen(want));
	ctprof_buf_free(&b);
}

/* ---- cgroup path safety -------------------------------------------- */

static void test_cgroup_path_safe(void **state)
{
	(void)state;
	assert_true(ctprof_cgroup_path_safe("/"));
	assert_true(ctprof_cgroup_path_safe("/a"));
	assert_true(ctprof_cgroup_path_safe("/a/b/"));
	assert_true(ctprof_cgroup_path_safe("/a..b"));
	assert_true(ctprof_cgroup_path_safe("/..a/b.."));
	assert_true(ctprof_cgroup_path_safe("/a/.../b"));
	assert_true(ctprof_cgroup_path_safe("/a/./b"));
	assert_false(ctprof_cgroup_path_safe(NULL));
	assert_false(ctprof_cgroup_path_safe(""));
	assert_false(ctprof_cgroup_path_safe("a/b"));
	assert_false(ctprof_cgroup_path_safe(".."));
	assert_false(ctprof_cgroup_path_safe("/.."));
	assert_false(ctprof_cgroup_path_safe("/../etc"));
	assert_false(ctprof_cgroup_path_safe("/a/../../b"));
	assert_false(ctprof_cgroup_path_safe("/a/.."));
	assert_false(ctprof_cgroup_path_safe("/a/../"));
	assert_false(ctprof_cgroup_path_safe("//etc"));
}

/* ---- cgroup stats ---------------------------------------------------- */

static void stats_at(const char *root, const char *path, struct ctprof_cgroup_stats *cg)
{
	ctprof_cgroup_stats_init(cg);
	assert_int_equal(ctprof_read_cgroup_stats(root, path, cg), 0);
}

static void assert_defaults(const struct ctprof_cgroup_stats *cg)
{
	assert_int_equal(cg->cpu.usage_usec, 0);
	assert_int_equal(cg->cpu.nr_throttled, 0);
	assert_int_equal(cg->cpu.throttled_usec, 0);
	assert_false(cg->cpu.max_quota_us.set);
	assert_int_equal(cg->cpu.max_period_us, 100000);
	assert_false(cg->cpu.weight.set);
	assert_false(cg->cpu.weight_nice.set);
	assert_int_equal(cg->memory.current, 0);
	assert_false(cg->memory.max.set);
	assert_false(cg->memory.high.set);
	assert_false(cg->memory.low.set);
	assert_false(cg->memory.min.set);
	assert_int_equal(cg->memory.stat.n, 0);
	assert_int_equal(cg->memory.events.n, 0);
	assert_false(cg->pids.current.set);
	assert_false(cg->pids.max.set);
	assert_int_equal(cg->psi.cpu.some.total_usec, 0);
	assert_int_equal(cg->psi.memory.full.avg10, 0);
}

static uint64_t kv(const struct ctprof_kvmap *m, const char *key)
{
	uint64_t v;

	if (!ctprof_kvmap_get(m, key, &v))
		fail_msg("key %s missing", key);
	return v;
}

static void test_cgroup_stats_full(void **state)
{
	struct ctprof_cgroup_stats cg;
	char *root = tp("cg");

	(void)state;
	put("cg/a/b/cpu.stat", "usage_usec 12345\nuser_usec 1\nsystem_usec 2\nnr_periods 4\n"
			       "nr_throttled 7\nthrottled_usec 8\nnr_bursts 0\n");
	put("cg/a/b/cpu.max", "50000 200000\n");
	put("cg/a/b/cpu.weight", "100\n");
	put("cg/a/b/cpu.weight.nice", "-5\n");
	put("cg/a/b/memory.current", "9999\n");
	put("cg/a/b/memory.max", "max\n");
	put("cg/a/b/memory.high", "1073741824\n");
	put("cg/a/b/memory.low", "max\n");
	put("cg/a/b/memory.min", "0\n");
	put("cg/a/b/memory.stat", "anon 4096\nfile 8192\nbogus\nneg -1\nfile 16384\n"
				  "two words 5\n");
	put("cg/a/b/memory.events", "low 0\nhigh 3\nmax 2\noom 1\noom_kill 1\n");
	put("cg/a/b/pids.current", "5\n");
	put("cg/a/b/pids.max", "max\n");
	put("cg/a/b/cpu.pressure", "some avg10=1.50 avg60=0.25 avg300=0.00 total=4242\n"
				   "full avg10=0.50 avg60=0.00 avg300=0.00 total=99\n");
	put("cg/a/b/memory.pressure", "some avg10=0.00 avg60=0.00 avg300=0.00 total=1\n");
	put("cg/a/b/io.pressure", "full avg10=2.00 avg60=0.00 avg300=0.00 total=3\n");
	put("cg/a/b/irq.pressure", "full avg10=0.01 avg60=0.00 avg300=0.00 total=7\n");
	/* Files that are not read. */
	put("cg/a/b/memory.peak", "1\n");
	put("cg/a/b/pids.peak", "1\n");

	stats_at(root, "/a/b", &cg);
	assert_int_equal(cg.cpu.usage_usec, 12345);
	assert_int_equal(cg.cpu.nr_throttled, 7);
	assert_int_equal(cg.cpu.throttled_usec, 8);
	assert_true(cg.cpu.max_quota_us.set);
	assert_int_equal(cg.cpu.max_quota_us.v, 50000);
	assert_int_equal(cg.cpu.max_period_us, 200000);
	assert_true(cg.cpu.weight.set);
	assert_int_equal(cg.cpu.weight.v, 100);
	assert_true(cg.cpu.weight_nice.set);
	assert_int_equal(cg.cpu.weight_nice.v, -5);
	assert_int_equal(cg.memory.current, 9999);
	assert_false(cg.memory.max.set); /* limit "max" → null */
	assert_true(cg.memory.high.set);
	assert_int_equal(cg.memory.high.v, 1073741824);
	assert_true(cg.memory.low.set); /* floor "max" → u64 max */
	assert_true(cg.memory.low.v == UINT64_MAX);
	assert_true(cg.memory.min.set);
	assert_int_equal(cg.memory.min.v, 0);
	assert_int_equal(cg.memory.stat.n, 2);
	assert_int_equal(kv(&cg.memory.stat, "anon"), 4096);
	assert_int_equal(kv(&cg.memory.stat, "file"), 16384);
	assert_int_equal(cg.memory.events.n, 5);
	assert_int_equal(kv(&cg.memory.events, "high"), 3);
	assert_int_equal(kv(&cg.memory.events, "oom_kill"), 1);
	assert_true(cg.pids.current.set);
	assert_int_equal(cg.pids.current.v, 5);
	assert_false(cg.pids.max.set);
	assert_int_equal(cg.psi.cpu.some.avg10, 150);
	assert_int_equal(cg.psi.cpu.some.avg60, 25);
	assert_int_equal(cg.psi.cpu.some.total_usec, 4242);
	assert_int_equal(cg.psi.cpu.full.avg10, 50);
	assert_int_equal(cg.psi.cpu.full.total_usec, 99);
	assert_int_equal(cg.psi.memory.some.total_usec, 1);
	assert_int_equal(cg.psi.io.full.avg10, 200);
	assert_int_equal(cg.psi.io.some.total_usec, 0);
	assert_int_equal(cg.psi.irq.full.total_usec, 7);
	assert_int_equal(cg.psi.irq.some.total_usec, 0);
	ctprof_cgroup_stats_clear(&cg);
	free(root);
}

static void test_cgroup_stats_variants(void **state)
{
	struct ctprof_cgroup_stats cg;
	char *root = tp("cg");

	(void)state;
	/* quota "max" → null, period kept. */
	put("cg/v1/cpu.max", "max 100000\n");
	put("cg/v1/cpu.stat", "usage_usec 5\nnr_throttled x\n");
	put("cg/v1/cpu.weight", "abc\n");
	put("cg/v1/cpu.weight.nice", "99999999999\n");
	put("cg/v1/memory.max", "garbage\n");
	put("cg/v1/memory.high", "  42  \n");
	put("cg/v1/memory.low", "garbage\n");
	put("cg/v1/memory.min", "max\n");
	put("cg/v1/pids.max", "64\n");
	put("cg/v1/pids.current", "-1\n");
	stats_at(root, "/v1", &cg);
	assert_false(cg.cpu.max_quota_us.set);
	assert_int_equal(cg.cpu.max_period_us, 100000);
	assert_int_equal(cg.cpu.usage_usec, 5);
	assert_int_equal(cg.cpu.nr_throttled, 0);
	assert_int_equal(cg.cpu.throttled_usec, 0);
	assert_false(cg.cpu.weight.set);
	assert_false(cg.cpu.weight_nice.set);
	assert_int_equal(cg.memory.current, 0); /* file absent → 0, not null */
	assert_false(cg.memory.max.set);
	assert_true(cg.memory.high.set);
	assert_int_equal(cg.memory.high.v, 42);
	assert_false(cg.memory.low.set);
	assert_true(cg.memory.min.set);
	assert_true(cg.memory.min.v == UINT64_MAX);
	assert_true(cg.pids.max.set);
	assert_int_equal(cg.pids.max.v, 64);
	assert_false(cg.pids.current.set);
	ctprof_cgroup_stats_clear(&cg);

	/* "max" alone: period defaults; quota and malformed period. */
	put("cg/v2/cpu.max", "max\n");
	stats_at(root, "/v2", &cg);
	assert_false(cg.cpu.max_quota_us.set);
	assert_int_equal(cg.cpu.max_period_us, 100000);
	ctprof_cgroup_stats_clear(&cg);
	put("cg/v3/cpu.max", "100 x\n");
	stats_at(root, "/v3", &cg);
	assert_true(cg.cpu.max_quota_us.set);
	assert_int_equal(cg.cpu.max_quota_us.v, 100);
	assert_int_equal(cg.cpu.max_period_us, 100000);
	ctprof_cgroup_stats_clear(&cg);
	put("cg/v4/cpu.max", "-1 50000\n");
	stats_at(root, "/v4", &cg);
	assert_false(cg.cpu.max_quota_us.set);
	assert_int_equal(cg.cpu.max_period_us, 50000);
	ctprof_cgroup_stats_clear(&cg);
	put("cg/v5/cpu.max", "\n");
	stats_at(root, "/v5", &cg);
	assert_false(cg.cpu.max_quota_us.set);
	assert_int_equal(cg.cpu.max_period_us, 100000);
	ctprof_cgroup_stats_clear(&cg);

	/* "/" is the root itself; a missing directory leaves the defaults. */
	put("cg/memory.current", "777\n");
	stats_at(root, "/", &cg);
	assert_int_equal(cg.memory.current, 777);
	ctprof_cgroup_stats_clear(&cg);
	stats_at(root, "/does/not/exist", &cg);
	assert_defaults(&cg);
	ctprof_cgroup_stats_clear(&cg);
	free(root);
}

static bool have_openat2(void)
{
	struct open_how how = { .flags = O_RDONLY | O_DIRECTORY };
	long fd = syscall(SYS_openat2, AT_FDCWD, "/", &how, sizeof(how));

	if (fd < 0)
		return false;
	close((int)fd);
	return true;
}

static void test_cgroup_stats_unsafe_paths(void **state)
{
	static const char *const bad[] = { "/../etc", "/a/../../b", "a/b", "..", "",
					   "/..", "//etc", "/a/../../etc" };
	struct ctprof_cgroup_stats cg;
	char *root = tp("root");
	size_t i;

	(void)state;
	/* Files outside the root that a missing check would read. */
	put("etc/memory.current", "4242\n");
	put("etc/cpu.stat", "usage_usec 4242\n");
	put("b/memory.current", "4343\n");
	put("memory.current", "4444\n");
	/* Inside the root: "a" exists, and so does the relative "a/b". */
	put("root/a/memory.current", "1\n");
	put("root/a/b/memory.current", "4545\n");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		stats_at(root, bad[i], &cg);
		if (cg.memory.current != 0)
			fail_msg("path \"%s\" read memory.current %llu", bad[i],
				 (unsigned long long)cg.memory.current);
		assert_defaults(&cg);
		ctprof_cgroup_stats_clear(&cg);
	}
	/* A symlink inside the root that leads out of it is not followed. */
	{
		char *link = tp("root/escape");

		assert_int_equal(symlink("../etc", link), 0);
		free(link);
		if (have_openat2()) {
			stats_at(root, "/escape", &cg);
			assert_int_equal(cg.memory.current, 0);
			assert_int_equal(cg.cpu.usage_usec, 0);
			ctprof_cgroup_stats_clear(&cg);
		}
	}
	/* A safe path still works next to all that. */
	stats_at(root, "/a", &cg);
	assert_int_equal(cg.memory.current, 1);
	ctprof_cgroup_stats_clear(&cg);
	free(root);
}

/* ---- PSI ------------------------------------------------------------- */

static void test_psi_vectors(void **state)
{
	struct ctprof_psi_resource r;
	const char *s;

	(void)state;
	memset(&r, 0, sizeof(r));
	s = "some avg10=1.5 avg60=1.501 avg300=100.99 total=123\n"
	    "full avg10=999999999.99 avg60=4294967296.00 avg300=abc total=abc\n";
	ctprof_parse_psi(s, strlen(s), &r);
	assert_int_equal(r.some.avg10, 150);
	assert_int_equal(r.some.avg60, 150);
	assert_int_equal(r.some.avg300, 10099);
	assert_int_equal(r.some.total_usec, 123);
	assert_int_equal(r.full.avg10, 65535); /* saturates */
	assert_int_equal(r.full.avg60, 0);     /* not a u32 */
	assert_int_equal(r.full.avg300, 0);
	assert_int_equal(r.full.total_usec, 0);

	memset(&r, 0, sizeof(r));
	s = "some avg10=5 avg60=5.x avg300=655.36 total=18446744073709551615 junk x=1\n"
	    "partial avg10=9.00 total=9\n"
	    "\n"
	    "full   avg10=0.07\tavg60=0.7 total=18446744073709551616\n";
	ctprof_parse_psi(s, strlen(s), &r);
	assert_int_equal(r.some.avg10, 500);
	assert_int_equal(r.some.avg60, 500); /* bad fraction counts as 0 */
	assert_int_equal(r.some.avg300, 65535);
	assert_true(r.some.total_usec == UINT64_MAX);
	assert_int_equal(r.full.avg10, 7);
	assert_int_equal(r.full.avg60, 70);
	assert_int_equal(r.full.avg300, 0);
	assert_int_equal(r.full.total_usec, 0); /* overflow → 0 */

	/* irq has only a full line: some stays 0. */
	memset(&r, 0, sizeof(r));
	s = "full avg10=0.03 avg60=0.01 avg300=0.00 total=123456\n";
	ctprof_parse_psi(s, strlen(s), &r);
	assert_int_equal(r.some.avg10, 0);
	assert_int_equal(r.some.total_usec, 0);
	assert_int_equal(r.full.avg10, 3);
	assert_int_equal(r.full.avg60, 1);
	assert_int_equal(r.full.total_usec, 123456);
}

static void test_psi_host(void **state)
{
	struct ctprof_psi p;
	char *root = tu_fixture("proc-formats/proc-psi");

	(void)state;
	memset(&p, 0xff, sizeof(p));
	ctprof_read_host_psi(root, &p);
	assert_int_equal(p.cpu.some.avg10, 150);
	assert_int_equal(p.cpu.some.avg60, 27);
	assert_int_equal(p.cpu.some.avg300, 16);
	assert_int_equal(p.cpu.some.total_usec, 8004869);
	assert_int_equal(p.cpu.full.total_usec, 0);
	assert_int_equal(p.memory.full.avg10, 45);
	assert_int_equal(p.memory.full.total_usec, 10131606);
	assert_int_equal(p.io.some.avg10, 1234);
	assert_int_equal(p.io.some.avg60, 567);
	assert_int_equal(p.io.some.avg300, 102);
	assert_int_equal(p.io.full.total_usec, 876543210);
	assert_int_equal(p.irq.some.avg10, 0);
	assert_int_equal(p.irq.some.total_usec, 0);
	assert_int_equal(p.irq.full.avg10, 3);
	assert_int_equal(p.irq.full.total_usec, 123456);
	free(root);

	root = tu_fixture("proc-formats/proc-psi-no-irq");
	memset(&p, 0xff, sizeof(p));
	ctprof_read_host_psi(root, &p);
	assert_int_equal(p.cpu.some.avg10, 200);
	assert_int_equal(p.cpu.some.total_usec, 4000);
	assert_int_equal(p.cpu.full.avg10, 0); /* no full line */
	assert_int_equal(p.cpu.full.total_usec, 0);
	assert_int_equal(p.memory.some.total_usec, 17);
	assert_int_equal(p.io.full.avg300, 3);
	assert_int_equal(p.irq.full.total_usec, 0); /* no irq file: zeros */
	assert_int_equal(p.irq.full.avg10, 0);
	assert_int_equal(p.irq.some.avg300, 0);
	free(root);

	/* Missing proc_root: all zeros (and every byte overwritten). */
	{
		struct ctprof_psi zero;
		char *missing = tp("no-such-proc");

		memset(&zero, 0, sizeof(zero));
		memset(&p, 0xff, sizeof(p));
		ctprof_read_host_psi(missing, &p);
		assert_memory_equal(&p, &zero, sizeof(p));
		free(missing);
	}
}

/* ---- sched_ext ------------------------------------------------------- */

static struct ctprof_sched_ext *scx_at(const char *sys_root)
{
	struct ctprof_sched_ext *se = (void *)1;

	assert_int_equal(ctprof_read_sched_ext(sys_root, &se), 0);
	return se;
}

static void scx_free(struct ctprof_sched_ext *se)
{
	if (se)
		free(se->state);
	free(se);
}

static void scx_fixture(const char *name, const char *state, uint64_t sw, uint64_t rej,
			uint64_t hp, uint64_t en)
{
	char *root = tu_fixture(name);
	struct ctprof_sched_ext *se = scx_at(root);

	assert_non_null(se);
	assert_string_equal(se->state, state);
	assert_int_equal(se->switch_all, sw);
	assert_int_equal(se->nr_rejected, rej);
	assert_int_equal(se->hotplug_seq, hp);
	assert_int_equal(se->enable_seq, en);
	scx_free(se);
	free(root);
}

static void test_sched_ext_states(void **state)
{
	(void)state;
	scx_fixture("proc-formats/sched_ext-enabling", "enabling", 1, 0, 4, 2);
	scx_fixture("proc-formats/sched_ext-enabled", "enabled", 1, 3, 4, 3);
	scx_fixture("proc-formats/sched_ext-disabling", "disabling", 0, 3, 4, 3);
	scx_fixture("proc-formats/sched_ext-disabled", "disabled", 0, 0, 5, 3);
}

static void test_sched_ext_absent_and_odd(void **state)
{
	struct ctprof_sched_ext *se;
	char *root = tp("sys");

	(void)state;
	/* No kernel/sched_ext directory (CONFIG_SCHED_CLASS_EXT=n): NULL. */
	put("sys/kernel/other", "x\n");
	se = scx_at(root);
	assert_null(se);
	se = scx_at("/nonexistent-sys-root-for-ctprof");
	assert_null(se);

	/* Present but empty: "", zeros. */
	{
		char *d = tp("sys/kernel/sched_ext");

		assert_int_equal(mkdir(d, 0755), 0);
		free(d);
	}
	se = scx_at(root);
	assert_non_null(se);
	assert_string_equal(se->state, "");
	assert_int_equal(se->switch_all, 0);
	assert_int_equal(se->enable_seq, 0);
	scx_free(se);

	/* Trimmed values; malformed integers are 0; a non-UTF-8 state is kept. */
	put("sys/kernel/sched_ext/state", "  enabled \n");
	put("sys/kernel/sched_ext/switch_all", " 1 \n");
	put("sys/kernel/sched_ext/nr_rejected", "abc\n");
	put("sys/kernel/sched_ext/hotplug_seq", "-1\n");
	put("sys/kernel/sched_ext/enable_seq", "18446744073709551615\n");
	se = scx_at(root);
	assert_non_null(se);
	assert_string_equal(se->state, "enabled");
	assert_int_equal(se->switch_all, 1);
	assert_int_equal(se->nr_rejected, 0);
	assert_int_equal(se->hotplug_seq, 0);
	assert_true(se->enable_seq == UINT64_MAX);
	scx_free(se);
	put("sys/kernel/sched_ext/state", "en\xff" "abled\n");
	se = scx_at(root);
	assert_string_equal(se->state, "en\xef\xbf\xbd" "abled");
	scx_free(se);
	free(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_read_small_and_reuse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_fifo_never_blocks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_non_regular, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_size_bound, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_large_and_binary, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_procfs, setup, teardown),
		cmocka_unit_test(test_cgroup_path_safe),
		cmocka_unit_test_setup_teardown(test_cgroup_stats_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cgroup_stats_variants, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cgroup_stats_unsafe_paths, setup, teardown),
		cmocka_unit_test(test_psi_vectors),
		cmocka_unit_test_setup_teardown(test_psi_host, setup, teardown),
		cmocka_unit_test(test_sched_ext_states),
		cmocka_unit_test_setup_teardown(test_sched_ext_absent_and_odd, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
