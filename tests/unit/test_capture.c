/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of lib/capture's own parts (the parsers have their own tests):
 * the cgroup2 mount finder, the /proc/config.gz reader, the host context
 * on a fixture root, the parallel-for, the walker's hooks and affinity
 * fallback (sched_getaffinity is wrapped, see test_capture.wrap), and the
 * validation of ctprof_capture's options.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <zlib.h>

#include <ctprof/ctprof.h>
#include "capture/capture_int.h"
#include "testutil.h"

/* ---- sched_getaffinity mock ------------------------------------------ */

int __real_sched_getaffinity(pid_t pid, size_t size, cpu_set_t *set);

enum aff_mode {
	AFF_REAL,   /* pass through */
	AFF_GROW,   /* EINVAL below aff_need bytes, then CPUs 1 and 300 */
	AFF_EPERM,  /* EPERM */
	AFF_EINVAL, /* always EINVAL */
	AFF_EMPTY,  /* success with an all-zero mask */
};
static enum aff_mode aff_mode = AFF_REAL;
static size_t aff_need;
static size_t aff_sizes[16];
static unsigned aff_calls;

int __wrap_sched_getaffinity(pid_t pid, size_t size, cpu_set_t *set);
int __wrap_sched_getaffinity(pid_t pid, size_t size, cpu_set_t *set)
{
	if (aff_mode == AFF_REAL || pid == 0)
		return __real_sched_getaffinity(pid, size, set);
	if (aff_calls < 16)
		aff_sizes[aff_calls] = size;
	aff_calls++;
	switch (aff_mode) {
	case AFF_GROW:
		if (size < aff_need) {
			errno = EINVAL;
			return -1;
		}
		memset(set, 0, size);
		((unsigned char *)set)[0] = 0x02;      /* CPU 1 */
		((unsigned char *)set)[300 / 8] = 1u << (300 % 8); /* CPU 300 */
		return 0;
	case AFF_EPERM:
		errno = EPERM;
		return -1;
	case AFF_EINVAL:
		errno = EINVAL;
		return -1;
	case AFF_EMPTY:
		memset(set, 0, size);
		return 0;
	default:
		return -1;
	}
}

/* ---- helpers ------------------------------------------------------------ */

/* gzip-compress s into a malloc'd buffer. */
static unsigned char *gz(const char *s, size_t *outlen)
{
	size_t cap = strlen(s) + 256;
	unsigned char *out = malloc(cap);
	z_stream zs;

	assert_non_null(out);
	memset(&zs, 0, sizeof(zs));
	assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY),
			 Z_OK);
	zs.next_in = (unsigned char *)(uintptr_t)s;
	zs.avail_in = (unsigned)strlen(s);
	zs.next_out = out;
	zs.avail_out = (unsigned)cap;
	assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
	*outlen = cap - zs.avail_out;
	deflateEnd(&zs);
	return out;
}

static char *mi(const char *text)
{
	bool oom = true;
	char *r = ctprof_mountinfo_cgroup2(text, strlen(text), &oom);

	assert_false(oom);
	return r;
}

/* ---- cgroup2 mount ------------------------------------------------------ */

static void test_mount_pure_v2(void **state)
{
	char *p = mi("22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw\n"
		      "29 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate\n");

	(void)state;
	assert_string_equal(p, "/sys/fs/cgroup");
	free(p);
}

static void test_mount_hybrid(void **state)
{
	/* The layout of this project's CI host. */
	char *p = mi("31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
		      "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
		      "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n"
		      "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n");

	(void)state;
	assert_string_equal(p, "/sys/fs/cgroup/unified");
	free(p);
}

static void test_mount_none(void **state)
{
	bool oom = true;
	const char *t = "32 31 0:29 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n"
			/* "cgroup2" as the source, not the type */
			"33 31 0:30 / /mnt rw - tmpfs cgroup2 rw\n"
			/* no separator at all */
			"34 31 0:31 / /x rw cgroup2\n";

	(void)state;
	assert_null(ctprof_mountinfo_cgroup2(t, strlen(t), &oom));
	assert_false(oom);
	assert_null(ctprof_mountinfo_cgroup2("", 0, &oom));
}

static void test_mount_escapes_and_optional_fields(void **state)
{
	char *p = mi("50 23 0:40 / /run/my\\040cgroup\\134x rw shared:9 master:2 propagate_from:1 - cgroup2 none rw\n");

	(void)state;
	assert_string_equal(p, "/run/my cgroup\\x");
	free(p);
	/* An unfinished escape stays as it is. */
	p = mi("50 23 0:40 / /a\\04 rw - cgroup2 none rw");
	assert_string_equal(p, "/a\\04");
	free(p);
}

static void test_mount_prefers_hierarchy_root(void **state)
{
	/* A container bind-mounts a sub-tree first; /proc/PID/cgroup paths are
	 * relative to the hierarchy root, so the root mount wins. */
	char *p = mi("60 23 0:38 /sub/tree /mnt/sub rw - cgroup2 cgroup2 rw\n"
		      "61 23 0:38 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n");

	(void)state;
	assert_string_equal(p, "/sys/fs/cgroup");
	free(p);
	/* Only a sub-tree mount: take it. */
	p = mi("60 23 0:38 /sub/tree /mnt/sub rw - cgroup2 cgroup2 rw\n");
	assert_string_equal(p, "/mnt/sub");
	free(p);
}

static void test_find_cgroup2_mount_file(void **state)
{
	char *dir = tu_mkdtemp("mount"), *f = tu_path("%s/mountinfo", dir), *out = NULL;
	struct ctprof_error err = { 0 };

	(void)state;
	tu_write_str(f, "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n");
	assert_int_equal(ctprof_find_cgroup2_mount(f, &out, &err), 0);
	assert_string_equal(out, "/sys/fs/cgroup/unified");
	free(out);
	out = NULL;

	tu_write_str(f, "32 31 0:29 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n");
	assert_int_equal(ctprof_find_cgroup2_mount(f, &out, &err), -ENOENT);
	assert_null(out);
	assert_non_null(strstr(err.msg, f));
	assert_non_null(strstr(err.msg, "no cgroup2"));

	free(f);
	f = tu_path("%s/missing", dir);
	assert_int_equal(ctprof_find_cgroup2_mount(f, &out, &err), -ENOENT);
	assert_non_null(strstr(err.msg, f));
	assert_non_null(strstr(err.msg, "read mountinfo"));
	assert_int_equal(ctprof_find_cgroup2_mount(NULL, &out, &err), -EINVAL);

	/* The real one answers on any Linux with cgroup2 mounted. */
	if (ctprof_find_cgroup2_mount("/proc/self/mountinfo", &out, NULL) == 0) {
		assert_int_equal(out[0], '/');
		free(out);
	}
	free(f);
	tu_rmtree(dir);
	free(dir);
}

/* ---- /proc/config.gz ------------------------------------------------------ */

static enum ctprof_xacct xacct_of(const char *text)
{
	size_t n;
	unsigned char *z = gz(text, &n);
	enum ctprof_xacct r = ctprof_config_xacct_gz(z, n);

	free(z);
	return r;
}

static void test_config_xacct(void **state)
{
	unsigned char *z;
	size_t n;

	(void)state;
	assert_int_equal(xacct_of("CONFIG_A=y\nCONFIG_TASK_XACCT=y\nCONFIG_B=m\n"), CTPROF_XACCT_ON);
	assert_int_equal(xacct_of("CONFIG_A=y\n# CONFIG_TASK_XACCT is not set\n"), CTPROF_XACCT_OFF);
	assert_int_equal(xacct_of("CONFIG_A=y\n"), CTPROF_XACCT_UNKNOWN);
	assert_int_equal(xacct_of("CONFIG_TASK_XACCT=m\nCONFIG_TASK_XACCTX=y\n"), CTPROF_XACCT_UNKNOWN);
	/* Trimmed lines, and a last line without a newline. */
	assert_int_equal(xacct_of("  CONFIG_TASK_XACCT=y \r\n"), CTPROF_XACCT_ON);
	assert_int_equal(xacct_of("CONFIG_A=y\nCONFIG_TASK_XACCT=y"), CTPROF_XACCT_ON);
	/* The line after 100,000 bytes of other options (several inflate rounds). */
	{
		size_t big = 100000;
		char *t = malloc(big + 64);

		assert_non_null(t);
		memset(t, '#', big);
		for (size_t i = 79; i < big; i += 80)
			t[i] = '\n';
		strcpy(t + big, "\nCONFIG_TASK_XACCT=y\n");
		assert_int_equal(xacct_of(t), CTPROF_XACCT_ON);
		free(t);
	}
	/* Not gzip at all, empty, and a stream cut short before the line. */
	assert_int_equal(ctprof_config_xacct_gz("CONFIG_TASK_XACCT=y\n", 20), CTPROF_XACCT_UNKNOWN);
	assert_int_equal(ctprof_config_xacct_gz("", 0), CTPROF_XACCT_UNKNOWN);
	z = gz("CONFIG_OTHER=y\nCONFIG_TASK_XACCT=y\n", &n);
	assert_int_equal(ctprof_config_xacct_gz(z, 12), CTPROF_XACCT_UNKNOWN);
	free(z);
}

/* ---- host context ------------------------------------------------------------ */

static const char *gov_of(const struct ctprof_host *h, uint32_t cpu)
{
	size_t i;

	for (i = 0; i < h->n_cpufreq_governor; i++)
		if (h->cpufreq_governor[i].cpu == cpu)
			return h->cpufreq_governor[i].governor;
	return NULL;
}

static void test_host_fixture(void **state)
{
	char *root = tu_fixture("proc-trees/host-context");
	struct ctprof_host *h = NULL;
	struct utsname u;

	(void)state;
	assert_int_equal(ctprof_host_collect_at(root, &h), 0);
	assert_non_null(h);
	/* First processor block only; inner spaces kept, ends trimmed. */
	assert_string_equal(h->cpu_model, "Intel(R) Xeon(R) Platinum 8259CL  CPU @ 2.50GHz");
	assert_string_equal(h->cpu_vendor, "GenuineIntel");
	assert_true(h->total_memory_kib.set);
	assert_int_equal(h->total_memory_kib.v, 24684548);
	assert_true(h->hugepages_total.set);
	assert_int_equal(h->hugepages_total.v, 8);
	assert_int_equal(h->hugepages_free.v, 6);
	assert_int_equal(h->hugepages_size_kib.v, 2048);
	assert_string_equal(h->thp_enabled, "always [madvise] never");
	assert_string_equal(h->thp_defrag, "always defer defer+madvise [madvise] never");
	/* sched_* regular files with content; not the empty one, not the directory. */
	assert_true(h->has_sched_tunables);
	assert_int_equal(h->sched_tunables.n, 3);
	assert_string_equal(h->sched_tunables.items[0].key, "sched_autogroup_enabled");
	assert_string_equal(h->sched_tunables.items[0].value, "1");
	assert_string_equal(h->sched_tunables.items[1].key, "sched_rt_period_us");
	assert_string_equal(h->sched_tunables.items[1].value, "1000000");
	assert_string_equal(h->sched_tunables.items[2].key, "sched_rt_runtime_us");
	assert_string_equal(h->sched_tunables.items[2].value, "950000");
	/* online 0-3, but cpu3 has no sysfs directory; nodes 0,0,1. */
	assert_true(h->online_cpus.set);
	assert_int_equal(h->online_cpus.v, 3);
	assert_true(h->numa_nodes.set);
	assert_int_equal(h->numa_nodes.v, 2);
	assert_int_equal(h->n_cpufreq_governor, 2);
	assert_int_equal(h->cpufreq_governor[0].cpu, 0);
	assert_string_equal(gov_of(h, 0), "performance");
	assert_string_equal(gov_of(h, 1), "powersave");
	assert_null(gov_of(h, 2));
	assert_int_equal(uname(&u), 0);
	assert_string_equal(h->kernel_name, u.sysname);
	assert_string_equal(h->kernel_release, u.release);
	assert_string_equal(h->arch, u.machine);
	assert_string_equal(h->kernel_cmdline, "console=ttyS0 reboot=k panic=1 quiet");
	assert_int_equal(h->task_delayacct, CTPROF_DELAYACCT_ON);
	assert_int_equal(h->config_task_xacct, CTPROF_XACCT_ON);
	assert_false(h->has_heap_state);
	ctprof_host_free(h);
	free(root);
}

static void test_host_sparse_root(void **state)
{
	char *root = tu_mkdtemp("host"), *f;
	struct ctprof_host *h = NULL;

	(void)state;
	/* Nothing at all: only uname, and the two always-present enums. */
	assert_int_equal(ctprof_host_collect_at(root, &h), 0);
	assert_null(h->cpu_model);
	assert_null(h->cpu_vendor);
	assert_false(h->total_memory_kib.set);
	assert_null(h->thp_enabled);
	assert_false(h->has_sched_tunables);
	assert_false(h->online_cpus.set);
	assert_false(h->numa_nodes.set);
	assert_int_equal(h->n_cpufreq_governor, 0);
	assert_null(h->cpufreq_governor);
	assert_null(h->kernel_cmdline);
	assert_non_null(h->kernel_name);
	assert_int_equal(h->task_delayacct, CTPROF_DELAYACCT_CONFIG_OFF);
	assert_int_equal(h->config_task_xacct, CTPROF_XACCT_UNKNOWN);
	ctprof_host_free(h);

	/* task_delayacct: "0" → runtime_off, "" → config_off; an empty THP
	 * file is omitted; an empty directory listing still gives {}; an
	 * online list without cpuN directories gives no count. */
	f = tu_path("%s/proc/sys/kernel/task_delayacct", root);
	tu_write_str(f, "0\n");
	free(f);
	f = tu_path("%s/sys/kernel/mm/transparent_hugepage/enabled", root);
	tu_write_str(f, "\n");
	free(f);
	f = tu_path("%s/sys/devices/system/cpu/online", root);
	tu_write_str(f, "0-1\n");
	free(f);
	f = tu_path("%s/proc/config.gz", root);
	tu_write_str(f, "not gzip\n");
	free(f);
	assert_int_equal(ctprof_host_collect_at(root, &h), 0);
	assert_int_equal(h->task_delayacct, CTPROF_DELAYACCT_RUNTIME_OFF);
	assert_null(h->thp_enabled);
	assert_true(h->has_sched_tunables);
	assert_int_equal(h->sched_tunables.n, 0);
	assert_false(h->online_cpus.set);
	assert_int_equal(h->config_task_xacct, CTPROF_XACCT_UNKNOWN);
	ctprof_host_free(h);

	f = tu_path("%s/proc/sys/kernel/task_delayacct", root);
	tu_write_str(f, " \n");
	free(f);
	assert_int_equal(ctprof_host_collect_at(root, &h), 0);
	assert_int_equal(h->task_delayacct, CTPROF_DELAYACCT_CONFIG_OFF);
	ctprof_host_free(h);
	tu_rmtree(root);
	free(root);
}

static void test_host_live(void **state)
{
	struct ctprof_host *h = NULL;
	struct ctprof_error err = { 0 };
	long online = sysconf(_SC_NPROCESSORS_ONLN);

	(void)state;
	assert_int_equal(ctprof_host_collect(&h, &err), 0);
	assert_string_equal(h->kernel_name, "Linux");
	assert_non_null(h->kernel_release);
	assert_non_null(h->kernel_cmdline);
	assert_true(h->total_memory_kib.set);
	assert_true(h->total_memory_kib.v > 0);
	assert_true(h->online_cpus.set);
	assert_int_equal(h->online_cpus.v, (uint64_t)online);
	assert_true(h->numa_nodes.v >= 1);
	assert_true(h->has_sched_tunables);
	assert_int_not_equal(h->task_delayacct, CTPROF_DELAYACCT_ABSENT);
	assert_int_not_equal(h->config_task_xacct, CTPROF_XACCT_ABSENT);
	if (access("/proc/config.gz", R_OK) == 0)
		assert_int_not_equal(h->config_task_xacct, CTPROF_XACCT_UNKNOWN);
	ctprof_host_free(h);
	assert_int_equal(ctprof_host_collect(NULL, &err), -EINVAL);
}

/* ---- parallel for ------------------------------------------------------ */

struct par_ctx {
	unsigned *hits;
	size_t fail_at;
	unsigned maxworker;
};

static int par_fn(void *ctx, unsigned worker, size_t i)
{
	struct par_ctx *c = ctx;

	__atomic_fetch_add(&c->hits[i], 1, __ATOMIC_RELAXED);
	if (worker > __atomic_load_n(&c->maxworker, __ATOMIC_RELAXED))
		__atomic_store_n(&c->maxworker, worker, __ATOMIC_RELAXED);
	return i == c->fail_at ? -ENOMEM : 0;
}

static void test_par_for(void **state)
{
	struct par_ctx c = { .fail_at = SIZE_MAX };
	size_t i, n = 5000, done = 0;

	(void)state;
	c.hits = calloc(n, sizeof(*c.hits));
	assert_non_null(c.hits);
	assert_int_equal(ctprof_par_for(n, 4, par_fn, &c), 0);
	for (i = 0; i < n; i++)
		assert_int_equal(c.hits[i], 1);
	assert_true(c.maxworker < 4);

	memset(c.hits, 0, n * sizeof(*c.hits));
	c.maxworker = 0;
	assert_int_equal(ctprof_par_for(n, 1, par_fn, &c), 0);
	assert_int_equal(c.maxworker, 0);

	/* An error stops the claiming of further items and is returned. */
	memset(c.hits, 0, n * sizeof(*c.hits));
	c.fail_at = 10;
	assert_int_equal(ctprof_par_for(n, 3, par_fn, &c), -ENOMEM);
	for (i = 0; i < n; i++)
		done += c.hits[i];
	assert_int_equal(c.hits[10], 1);
	assert_true(done < n);

	/* Nothing to do, and more workers than items. */
	assert_int_equal(ctprof_par_for(0, 4, par_fn, &c), 0);
	memset(c.hits, 0, n * sizeof(*c.hits));
	c.fail_at = SIZE_MAX;
	assert_int_equal(ctprof_par_for(2, 64, par_fn, &c), 0);
	assert_int_equal(c.hits[0] + c.hits[1], 2);
	free(c.hits);
	assert_true(ctprof_usable_cpus() >= 1);
}

/* ---- walker hooks ------------------------------------------------------- */

struct hook_ctx {
	unsigned nworkers;
	unsigned tgids, tids, batches, batched;
	uint32_t last_tgid;
	int fail;
};

static int hook_batch(void *ctx, unsigned worker, struct ctprof_thread *t, size_t n)
{
	struct hook_ctx *c = ctx;
	size_t i;

	(void)worker;
	__atomic_fetch_add(&c->batches, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&c->batched, (unsigned)n, __ATOMIC_RELAXED);
	/* the whole chunk is read already, ghosts included */
	for (i = 0; i < n; i++)
		t[i].hiwater_rss_bytes = t[i].tid * 2;
	return 0;
}

/* Counts batches; records in fail any batch that is too big or mixed. */
static int hook_batch_check(void *ctx, unsigned worker, struct ctprof_thread *t, size_t n)
{
	struct hook_ctx *c = ctx;
	size_t i;

	(void)worker;
	__atomic_fetch_add(&c->batches, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&c->batched, (unsigned)n, __ATOMIC_RELAXED);
	if (n == 0 || n > CTPROF_WALK_CHUNK)
		__atomic_store_n(&c->fail, 1, __ATOMIC_RELAXED);
	for (i = 1; i < n; i++)
		if (t[i].tgid != t[0].tgid || t[i].tid <= t[i - 1].tid)
			__atomic_store_n(&c->fail, 1, __ATOMIC_RELAXED);
	return 0;
}

static int hook_begin(void *ctx, unsigned nworkers)
{
	((struct hook_ctx *)ctx)->nworkers = nworkers;
	return 0;
}

static void hook_tgid(void *ctx, unsigned worker, uint32_t tgid)
{
	struct hook_ctx *c = ctx;

	(void)worker;
	__atomic_fetch_add(&c->tgids, 1, __ATOMIC_RELAXED);
	c->last_tgid = tgid;
}

static int hook_tid(void *ctx, unsigned worker, struct ctprof_thread *t)
{
	struct hook_ctx *c = ctx;

	(void)worker;
	__atomic_fetch_add(&c->tids, 1, __ATOMIC_RELAXED);
	if (c->fail)
		return c->fail;
	/* What the taskstats hook will do: fill fields and flags. */
	if (t->comm[0]) {
		t->cpu_delay_count = t->tid;
		t->taskstats_measured = true;
	}
	return 0;
}

static void test_walk_hooks(void **state)
{
	struct hook_ctx c = { 0 };
	struct ctprof_walk_hooks hooks = { .ctx = &c, .begin = hook_begin, .tgid = hook_tgid,
					   .batch = hook_batch, .tid = hook_tid };
	char *proc = tu_fixture("proc-trees/edge-ghost-tid/proc");
	struct ctprof_walk_opts o = { .proc_root = proc, .jobs = 3, .hooks = &hooks };
	struct ctprof_walk_result r;

	(void)state;
	assert_int_equal(ctprof_walk(&o, &r), 0);
	assert_int_equal(c.nworkers, 3);
	assert_int_equal(c.tgids, 1);
	assert_int_equal(c.last_tgid, 42);
	/* The hook sees the ghost too (like a taskstats query would). */
	assert_int_equal(c.tids, 2);
	assert_int_equal(r.tally.tids_walked, 2);
	assert_int_equal(r.n_tgids, 1);
	assert_int_equal(r.n_threads, 1);
	assert_int_equal(r.threads[0].tid, 42);
	assert_true(r.threads[0].taskstats_measured);
	assert_int_equal(r.threads[0].cpu_delay_count, 42);
	assert_int_equal(c.batches, 1);
	assert_int_equal(c.batched, 2);
	assert_int_equal(r.threads[0].hiwater_rss_bytes, 84);
	ctprof_walk_result_clear(&r);

	/* Batches hold at most CTPROF_WALK_CHUNK threads, all of one tgid:
	 * 150 tids give 64+64+22, 65 give 64+1. */
	{
		char *dir = tu_mkdtemp("chunks"), *p, *bproc;
		struct ctprof_walk_hooks bh = { .ctx = &c, .batch = hook_batch_check };
		struct ctprof_walk_opts bo = { .jobs = 2, .hooks = &bh };
		unsigned k;

		for (k = 0; k < 215; k++) {
			uint32_t tgid = k < 150 ? 5 : 6, tid = k < 150 ? 100 + k : 1000 + k;

			p = tu_path("%s/proc/%u/task/%u/comm", dir, tgid, tid);
			tu_write_str(p, "x\n");
			free(p);
		}
		bproc = tu_path("%s/proc", dir);
		bo.proc_root = bproc;
		memset(&c, 0, sizeof(c));
		assert_int_equal(ctprof_walk(&bo, &r), 0);
		assert_int_equal(r.n_threads, 215);
		assert_int_equal(c.batches, 5);
		assert_int_equal(c.batched, 215);
		assert_int_equal(c.fail, 0); /* hook_batch_check's verdict */
		ctprof_walk_result_clear(&r);
		free(bproc);
		tu_rmtree(dir);
		free(dir);
	}

	/* A failing hook aborts the walk with its error and leaves nothing. */
	memset(&c, 0, sizeof(c));
	c.fail = -ENOMEM;
	assert_int_equal(ctprof_walk(&o, &r), -ENOMEM);
	assert_int_equal(r.n_threads, 0);
	assert_null(r.threads);
	free(proc);
}

/* ---- descriptors ---------------------------------------------------------- */

static int count_fds(void)
{
	char *dir = tu_path("/proc/%d/fd", (int)getpid());
	struct dirent *de;
	DIR *d = opendir(dir);
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		n += de->d_name[0] != '.';
	closedir(d);
	free(dir);
	return n;
}

static void test_walk_fd_budget(void **state)
{
	char *proc = tu_fixture("proc-trees/edge-unsafe-cgroup/proc");
	struct ctprof_walk_opts o = { .proc_root = proc, .jobs = 2 };
	struct ctprof_walk_result a, b;
	struct rlimit old, low;
	int fds = count_fds();
	size_t i;

	(void)state;
	/* Task directories kept open from the listing pass ... */
	assert_int_equal(ctprof_walk(&o, &a), 0);
	assert_int_equal(count_fds(), fds);
	/* ... or, with no descriptors to spare, opened again per chunk. */
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	low = old;
	low.rlim_cur = 200;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	assert_int_equal(ctprof_walk(&o, &b), 0);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
	assert_int_equal(count_fds(), fds);
	assert_int_equal(a.n_threads, 4);
	assert_int_equal(b.n_threads, a.n_threads);
	for (i = 0; i < a.n_threads; i++) {
		assert_int_equal(a.threads[i].tid, b.threads[i].tid);
		assert_string_equal(a.threads[i].comm, b.threads[i].comm);
		assert_string_equal(a.threads[i].cgroup, b.threads[i].cgroup);
		assert_int_equal(a.threads[i].run_time_ns, b.threads[i].run_time_ns);
	}
	assert_string_equal(b.threads[1].cgroup, "/../outside");
	ctprof_walk_result_clear(&a);
	ctprof_walk_result_clear(&b);
	free(proc);
}

/* ---- the walker's affinity (live) --------------------------------------- */

static struct ctprof_walk_result walk_live(const char *fixture)
{
	char *proc = tu_fixture(fixture);
	struct ctprof_walk_opts o = { .proc_root = proc, .live = true, .jobs = 1 };
	struct ctprof_walk_result r;

	assert_int_equal(ctprof_walk(&o, &r), 0);
	free(proc);
	return r;
}

static void test_walk_affinity(void **state)
{
	struct ctprof_walk_result r;
	unsigned i;

	(void)state;
	/* Grows 1024 → 2048 → 4096 bytes on EINVAL, then reads CPUs 1 and 300. */
	aff_mode = AFF_GROW;
	aff_need = 4096;
	aff_calls = 0;
	r = walk_live("proc-trees/ktstr-basic/proc");
	assert_int_equal(aff_calls, 3);
	assert_int_equal(aff_sizes[0], 1024);
	assert_int_equal(aff_sizes[1], 2048);
	assert_int_equal(aff_sizes[2], 4096);
	assert_int_equal(r.n_threads, 1);
	assert_int_equal(r.threads[0].cpu_affinity.n, 2);
	assert_int_equal(r.threads[0].cpu_affinity.cpus[0], 1);
	assert_int_equal(r.threads[0].cpu_affinity.cpus[1], 300);
	ctprof_walk_result_clear(&r);

	/* EINVAL up to 262144 bits (32 KiB), then the Cpus_allowed_list fallback (0-3). */
	aff_mode = AFF_EINVAL;
	aff_calls = 0;
	r = walk_live("proc-trees/ktstr-basic/proc");
	assert_int_equal(aff_calls, 6);
	for (i = 0; i < 6; i++)
		assert_int_equal(aff_sizes[i], (size_t)1024 << i);
	assert_int_equal(r.threads[0].cpu_affinity.n, 4);
	assert_int_equal(r.threads[0].cpu_affinity.cpus[3], 3);
	ctprof_walk_result_clear(&r);

	/* EPERM (any other errno): one call, then the fallback. */
	aff_mode = AFF_EPERM;
	aff_calls = 0;
	r = walk_live("proc-trees/ktstr-basic/proc");
	assert_int_equal(aff_calls, 1);
	assert_int_equal(r.threads[0].cpu_affinity.n, 4);
	ctprof_walk_result_clear(&r);

	/* An empty mask falls back as well; with a corrupt status nothing is left. */
	aff_mode = AFF_EMPTY;
	r = walk_live("proc-trees/ktstr-basic/proc");
	assert_int_equal(r.threads[0].cpu_affinity.n, 4);
	ctprof_walk_result_clear(&r);
	r = walk_live("proc-trees/edge-corrupt-status/proc");
	assert_int_equal(r.threads[0].cpu_affinity.n, 0);
	assert_null(r.threads[0].cpu_affinity.cpus);
	ctprof_walk_result_clear(&r);

	/* Synthetic walks never call it. */
	aff_mode = AFF_EPERM;
	aff_calls = 0;
	{
		char *proc = tu_fixture("proc-trees/ktstr-basic/proc");
		struct ctprof_walk_opts o = { .proc_root = proc, .jobs = 1 };

		assert_int_equal(ctprof_walk(&o, &r), 0);
		assert_int_equal(aff_calls, 0);
		ctprof_walk_result_clear(&r);
		free(proc);
	}
	aff_mode = AFF_REAL;
}

/* ---- option validation ------------------------------------------------------ */

struct bigger_opts {
	struct ctprof_capture_opts o;
	uint64_t future;
};

static void test_capture_opts(void **state)
{
	char *proc = tu_fixture("proc-trees/ktstr-basic/proc");
	struct ctprof_capture_opts o = CTPROF_CAPTURE_OPTS(.proc_root = proc, .pin_time = true,
							   .captured_at_unix_ns = 7);
	struct ctprof_snapshot *s = NULL;
	struct ctprof_error err = { 0 };
	struct bigger_opts b;

	(void)state;
	assert_int_equal(ctprof_capture(&o, NULL, &err), -EINVAL);

	o.sz = 4;
	assert_int_equal(ctprof_capture(&o, &s, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "sz"));
	o.sz = sizeof(o);

	o.mode = (enum ctprof_capture_mode)99;
	assert_int_equal(ctprof_capture(&o, &s, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "mode"));
	o.mode = CTPROF_CAPTURE_AUTO;

	o.pid = -1;
	assert_int_equal(ctprof_capture(&o, &s, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "pid"));
	o.pid = 0;

	o.jobs = CTPROF_CAPTURE_MAX_JOBS + 1;
	assert_int_equal(ctprof_capture(&o, &s, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "jobs"));
	o.jobs = 0;

	o.sys_root = "";
	assert_int_equal(ctprof_capture(&o, &s, &err), -EINVAL);
	o.sys_root = NULL;
	assert_null(s);

	/* A caller built against a newer, larger struct: zero tail is fine,
	 * anything else is refused. */
	memset(&b, 0, sizeof(b));
	b.o = o;
	b.o.sz = sizeof(b);
	b.future = 1;
	assert_int_equal(ctprof_capture(&b.o, &s, &err), -E2BIG);
	b.future = 0;
	assert_int_equal(ctprof_capture(&b.o, &s, &err), 0);
	assert_int_equal(s->captured_at_unix_ns, 7);
	assert_int_equal(s->n_threads, 1);
	ctprof_snapshot_free(s);
	s = NULL;

	/* An older, smaller struct: the missing fields are zero (here: jobs,
	 * captured_at and pin_time are cut off, so the clock is used). */
	o.sz = offsetof(struct ctprof_capture_opts, pin_time);
	assert_int_equal(ctprof_capture(&o, &s, &err), 0);
	assert_true(s->captured_at_unix_ns > 7);
	assert_int_equal(s->n_threads, 1);
	ctprof_snapshot_free(s);
	free(proc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mount_pure_v2),
		cmocka_unit_test(test_mount_hybrid),
		cmocka_unit_test(test_mount_none),
		cmocka_unit_test(test_mount_escapes_and_optional_fields),
		cmocka_unit_test(test_mount_prefers_hierarchy_root),
		cmocka_unit_test(test_find_cgroup2_mount_file),
		cmocka_unit_test(test_config_xacct),
		cmocka_unit_test(test_host_fixture),
		cmocka_unit_test(test_host_sparse_root),
		cmocka_unit_test(test_host_live),
		cmocka_unit_test(test_par_for),
		cmocka_unit_test(test_walk_hooks),
		cmocka_unit_test(test_walk_fd_budget),
		cmocka_unit_test(test_walk_affinity),
		cmocka_unit_test(test_capture_opts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
