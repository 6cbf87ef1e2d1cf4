/* SPDX-License-Identifier: MIT */
/*
 * The jemalloc probe on a stand-in: this test program defines a TLS
 * variable of jemalloc's shape (tests/jemalloc/fake_tsd.h), so a forked
 * copy of it is a probe target whose counters the test sets itself. Covers
 * the ELF/DWARF attach (symbol, PT_TLS, member offsets), every attach tag
 * reachable from a synthetic proc root, the exe-inode cache, the per-thread
 * ptrace read, the tally and the summary (dominant tag, ties, privilege).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ctprof/probe.h>
#include "probe/probe_int.h"
#include "testutil.h"
#include "../jemalloc/fake_tsd.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#define NTHREADS 3

static char self_exe[PATH_MAX];

/* ---- a forked target: main + NTHREADS threads with known counters ---- */

struct target {
	pid_t pid;
	int tids[NTHREADS + 1];
	int release_w;
};

static int ready_w, release_r;

static void *target_thread(void *arg)
{
	uint64_t i = (uint64_t)(uintptr_t)arg;
	int tid = (int)gettid();
	char c;

	fake_tsd_set(1000003 * i + 17, 7919 * i + 3);
	if (write(ready_w, &tid, sizeof(tid)) != sizeof(tid))
		_exit(3);
	if (read(release_r, &c, 1) < 0)
		_exit(4);
	return NULL;
}

static void target_start(struct target *t)
{
	int ready[2], release[2];

	assert_int_equal(pipe(ready), 0);
	assert_int_equal(pipe(release), 0);
	t->pid = fork();
	assert_true(t->pid >= 0);
	if (t->pid == 0) {
		pthread_t th[NTHREADS];

		close(ready[0]);
		close(release[1]);
		ready_w = ready[1];
		release_r = release[0];
		for (uintptr_t i = 1; i <= NTHREADS; i++)
			if (pthread_create(&th[i - 1], NULL, target_thread, (void *)i))
				_exit(2);
		target_thread((void *)(uintptr_t)0);
		_exit(0);
	}
	close(ready[1]);
	close(release[0]);
	t->release_w = release[1];
	for (int i = 0; i <= NTHREADS; i++)
		assert_int_equal(read(ready[0], &t->tids[i], sizeof(int)), sizeof(int));
	close(ready[0]);
}

static void target_stop(struct target *t)
{
	int st;

	close(t->release_w);
	kill(t->pid, SIGKILL);
	waitpid(t->pid, &st, 0);
}

/* False when this process may not ptrace pid (no CAP_SYS_PTRACE, yama). */
static bool ptrace_allowed(pid_t pid, int tid)
{
	struct ctprof_jemalloc_probe *p = NULL;
	enum ctprof_probe_tag tag;
	uint64_t a, d;
	int rc;

	assert_int_equal(ctprof_jemalloc_attach(NULL, pid, &p, &tag, NULL), 0);
	rc = ctprof_jemalloc_probe_thread(p, tid, &a, &d, &tag, NULL);
	ctprof_jemalloc_probe_free(p);
	if (rc == -EPERM && tag == CTPROF_PROBE_PTRACE_SEIZE)
		return false;
	assert_int_equal(rc, 0);
	return true;
}

/* ---- pure functions ---- */

static void test_tag_names(void **state)
{
	static const char *const want[] = {
		"ok", "pid-missing", "readlink-failure", "maps-read-failure", "jemalloc-not-found",
		"jemalloc-in-dso", "arch-mismatch", "dwarf-parse-failure", "worker-panic",
		"ptrace-seize", "ptrace-interrupt", "waitpid", "get-regset", "process-vm-readv",
		"tls-arithmetic",
	};

	(void)state;
	assert_int_equal(sizeof(want) / sizeof(want[0]), CTPROF_PROBE__COUNT);
	for (int i = 0; i < CTPROF_PROBE__COUNT; i++)
		assert_string_equal(ctprof_probe_tag_name((enum ctprof_probe_tag)i), want[i]);
	assert_null(ctprof_probe_tag_name(CTPROF_PROBE__COUNT));
	assert_false(ctprof_probe_tag_actionable(CTPROF_PROBE_OK));
	assert_false(ctprof_probe_tag_actionable(CTPROF_PROBE_READLINK_FAILURE));
	assert_false(ctprof_probe_tag_actionable(CTPROF_PROBE_JEMALLOC_NOT_FOUND));
	assert_true(ctprof_probe_tag_actionable(CTPROF_PROBE_JEMALLOC_IN_DSO));
	assert_true(ctprof_probe_tag_actionable(CTPROF_PROBE_WORKER_PANIC));
	assert_true(ctprof_probe_tag_actionable(CTPROF_PROBE_PTRACE_SEIZE));
}

static void test_tls_names(void **state)
{
	(void)state;
	assert_true(ctprof_probe_is_tls_name("tsd_tls"));
	assert_true(ctprof_probe_is_tls_name("je_tsd_tls"));
	assert_true(ctprof_probe_is_tls_name("_rjem_je_tsd_tls"));
	assert_true(ctprof_probe_is_tls_name("jemalloc_je_tsd_tls"));
	assert_false(ctprof_probe_is_tls_name("_tsd_tls"));   /* empty prefix */
	assert_false(ctprof_probe_is_tls_name("jetsd_tls"));  /* no underscore */
	assert_false(ctprof_probe_is_tls_name("tsd_tls_x"));
	assert_false(ctprof_probe_is_tls_name("tsd_tl"));
	assert_false(ctprof_probe_is_tls_name(""));
	assert_true(ctprof_probe_is_mallctl_name("mallctl"));
	assert_true(ctprof_probe_is_mallctl_name("je_mallctl"));
	assert_false(ctprof_probe_is_mallctl_name("_mallctl"));
	assert_false(ctprof_probe_is_mallctl_name("mallctlbymib"));
}

static void test_tls_arithmetic(void **state)
{
	struct ctprof_jemalloc_probe p = {
		.tls_sym_value = 0x100, .tls_align = 64, .tls_image_aligned_size = 0x180,
		.off_allocated = 40, .off_deallocated = 56,
	};
	uint64_t addr = 0;

	(void)state;
#if defined(__x86_64__)
	assert_int_equal(ctprof_jemalloc_tls_addr(&p, 0x7f0000001000ull, &addr), 0);
	assert_int_equal(addr, 0x7f0000001000ull - 0x180 + 0x100 + 40);
	/* Underflow: thread pointer below the TLS image. */
	assert_int_equal(ctprof_jemalloc_tls_addr(&p, 0x17f, &addr), -ERANGE);
	p.tls_image_aligned_size = 0;
	p.tls_sym_value = UINT64_MAX - 10;
	assert_int_equal(ctprof_jemalloc_tls_addr(&p, 0x1000, &addr), -ERANGE);
#elif defined(__aarch64__)
	assert_int_equal(ctprof_jemalloc_tls_addr(&p, 0x7f0000001000ull, &addr), 0);
	assert_int_equal(addr, 0x7f0000001000ull + 64 + 0x100 + 40);
	p.tls_align = 8;
	assert_int_equal(ctprof_jemalloc_tls_addr(&p, 0x1000, &addr), 0);
	assert_int_equal(addr, 0x1000 + 16 + 0x100 + 40);
	assert_int_equal(ctprof_jemalloc_tls_addr(&p, UINT64_MAX - 20, &addr), -ERANGE);
#else
	skip();
#endif
	assert_int_equal(ctprof_jemalloc_tls_addr(NULL, 0, &addr), -EINVAL);
}

/* ---- attach to ourselves (real /proc, no ptrace) ---- */

static void check_probe_shape(const struct ctprof_jemalloc_probe *p)
{
	assert_non_null(p);
	assert_string_equal(p->tls_sym_name, "je_tsd_tls");
	assert_int_equal(p->off_allocated, FAKE_TSD_OFF_ALLOC);
	assert_int_equal(p->off_deallocated, FAKE_TSD_OFF_DEALLOC);
	assert_int_equal(offsetof(struct tsd_s,
				  cant_access_tsd_items_directly_use_a_getter_or_setter_thread_allocated),
			 FAKE_TSD_OFF_ALLOC);
	assert_true(p->tls_align >= 64);
	/* The TLS block holds both variables. */
	assert_true(p->tls_image_aligned_size >= sizeof(struct tsd_s) + 200);
	assert_int_equal(p->tls_image_aligned_size % p->tls_align, 0);
	assert_true(p->tls_sym_value + sizeof(struct tsd_s) <= p->tls_image_aligned_size);
}

static void test_attach_self(void **state)
{
	struct ctprof_jemalloc_probe *p = NULL;
	enum ctprof_probe_tag tag = CTPROF_PROBE__COUNT;
	struct ctprof_error err = { 0 };
	int rc;

	(void)state;
	rc = ctprof_jemalloc_attach(NULL, getpid(), &p, &tag, &err);
	assert_int_equal(rc, 0);
	assert_int_equal(tag, CTPROF_PROBE_OK);
	check_probe_shape(p);
#if defined(__x86_64__)
	{
		/* The arithmetic lands exactly on our own variable. */
		uint64_t fs, addr;

		__asm__("mov %%fs:0, %0" : "=r"(fs));
		assert_int_equal(ctprof_jemalloc_tls_addr(p, fs, &addr), 0);
		assert_int_equal(addr,
				 (uint64_t)(uintptr_t)&je_tsd_tls
					 .cant_access_tsd_items_directly_use_a_getter_or_setter_thread_allocated);
	}
#endif
	ctprof_jemalloc_probe_free(p);
}

/* ---- a synthetic proc root: every attach tag reachable without ptrace ---- */

struct fakeroot {
	char *dir;
};

static void mkpid(const char *dir, int pid, const char *exe_target, const char *maps)
{
	char *p = tu_path("%s/%d/.keep", dir, pid);

	tu_write_str(p, "");
	free(p);
	if (exe_target) {
		p = tu_path("%s/%d/exe", dir, pid);
		assert_int_equal(symlink(exe_target, p), 0);
		free(p);
	}
	if (maps) {
		p = tu_path("%s/%d/maps", dir, pid);
		tu_write_str(p, maps);
		free(p);
	}
}

static enum ctprof_probe_tag attach_tag(const char *root, int pid, struct ctprof_error *err)
{
	struct ctprof_jemalloc_probe *p = NULL;
	enum ctprof_probe_tag tag = CTPROF_PROBE__COUNT;
	int rc = ctprof_jemalloc_attach(root, pid, &p, &tag, err);

	if (rc == 0) {
		check_probe_shape(p);
		assert_int_equal(tag, CTPROF_PROBE_OK);
	} else {
		assert_null(p);
		assert_true(rc < 0);
		assert_int_not_equal(tag, CTPROF_PROBE_OK);
	}
	ctprof_jemalloc_probe_free(p);
	return tag;
}

static char *stripped_copy(const char *dir)
{
	char *out = tu_path("%s/stripped", dir);
	char *argv[] = { "/usr/bin/objcopy", "--strip-debug", self_exe, out, NULL };

	assert_int_equal(tu_run(argv, NULL, NULL, 60), 0);
	return out;
}

static void test_attach_tags(void **state)
{
	char *dir = tu_mkdtemp("probe-root");
	char *root = tu_path("%s/proc", dir), *stripped;
	char maps_dso[2 * PATH_MAX];
	struct ctprof_error err = { 0 };

	(void)state;
	mkpid(root, 10, self_exe, "");                  /* ok */
	mkpid(root, 11, NULL, NULL);                    /* no exe link */
	mkpid(root, 12, "/bin/sh", NULL);               /* no maps */
	mkpid(root, 13, "/bin/true", "");               /* no jemalloc */
	snprintf(maps_dso, sizeof(maps_dso),
		 "55d0c0000000-55d0c0001000 r-xp 00000000 08:01 1234   /bin/false\n"
		 "7f0000000000-7f0000001000 r-xp 00000000 08:01 99     %s\n"
		 "7f0000002000-7f0000003000 rw-p 00000000 00:00 0 \n",
		 self_exe);
	mkpid(root, 14, "/bin/false", maps_dso);        /* jemalloc in a "DSO" */
	stripped = stripped_copy(dir);
	mkpid(root, 15, stripped, "");                  /* TLS symbol, no DWARF */

	assert_int_equal(attach_tag(root, 10, &err), CTPROF_PROBE_OK);
	assert_int_equal(attach_tag(root, 9, &err), CTPROF_PROBE_PID_MISSING);
	assert_non_null(strstr(err.msg, "/9: probe attach: stat"));
	assert_int_equal(attach_tag(root, 11, &err), CTPROF_PROBE_READLINK_FAILURE);
	assert_non_null(strstr(err.msg, "/11/exe: probe attach: readlink"));
	assert_int_equal(attach_tag(root, 12, &err), CTPROF_PROBE_MAPS_READ_FAILURE);
	assert_non_null(strstr(err.msg, "/12/maps: probe attach: read maps"));
	assert_int_equal(attach_tag(root, 13, &err), CTPROF_PROBE_JEMALLOC_NOT_FOUND);
	assert_int_equal(err.code, -ENOENT);
	assert_int_equal(attach_tag(root, 14, &err), CTPROF_PROBE_JEMALLOC_IN_DSO);
	assert_non_null(strstr(err.msg, self_exe));
	assert_int_equal(attach_tag(root, 15, &err), CTPROF_PROBE_DWARF_PARSE_FAILURE);
	/* The message lists the paths tried: the exe itself and the external candidates. */
	assert_non_null(strstr(err.msg, "/15/exe (no DWARF"));
	assert_non_null(strstr(err.msg, "stripped.debuginfo"));
	assert_non_null(strstr(err.msg, "/usr/lib/debug/.build-id/"));
	assert_int_equal(attach_tag(root, -1, &err), CTPROF_PROBE_PID_MISSING);

	/* The set: cache by exe inode, tally, summary. 10 and 16 share the exe
	 * (16 is a cache hit); every other tgid has an exe of its own. */
	mkpid(root, 16, self_exe, "");
	{
		int tgids[] = { 16, 15, 14, 13, 12, 11, 10, 9, 10, 77777 };
		struct ctprof_probe_set *s = NULL;
		struct ctprof_probe_summary *sum = NULL;
		uint64_t a = 1, d = 1;
		char line[512];

		assert_int_equal(ctprof_probe_set_attach(&CTPROF_PROBE_SET_OPTS(.proc_root = root, .jobs = 3,
										 .self_pid = 77777),
							 tgids, sizeof(tgids) / sizeof(tgids[0]), &s, &err),
				 0);
		assert_non_null(ctprof_probe_set_get(s, 10));
		assert_ptr_equal(ctprof_probe_set_get(s, 10), ctprof_probe_set_get(s, 16));
		assert_null(ctprof_probe_set_get(s, 13));
		assert_null(ctprof_probe_set_get(s, 77777));
		assert_int_equal(ctprof_probe_set_tag_count(s, CTPROF_PROBE_PID_MISSING), 1);
		assert_int_equal(ctprof_probe_set_tag_count(s, CTPROF_PROBE_READLINK_FAILURE), 1);
		assert_int_equal(ctprof_probe_set_tag_count(s, CTPROF_PROBE_MAPS_READ_FAILURE), 1);
		assert_int_equal(ctprof_probe_set_tag_count(s, CTPROF_PROBE_JEMALLOC_NOT_FOUND), 1);
		assert_int_equal(ctprof_probe_set_tag_count(s, CTPROF_PROBE_JEMALLOC_IN_DSO), 1);
		assert_int_equal(ctprof_probe_set_tag_count(s, CTPROF_PROBE_DWARF_PARSE_FAILURE), 1);
		/* No probe: nothing counted. */
		assert_int_equal(ctprof_probe_set_thread(s, 13, 13, &a, &d), 0);
		assert_int_equal(a, 0);
		assert_int_equal(d, 0);
		assert_int_equal(ctprof_probe_set_summary(s, false, &sum), 0);
		assert_int_equal(sum->tgids_walked, 8);
		assert_int_equal(sum->jemalloc_detected, 2);
		assert_int_equal(sum->probed_ok, 0);
		/* pid-missing, maps-read-failure, jemalloc-in-dso, dwarf-parse-failure */
		assert_int_equal(sum->failed, 4);
		/* A four-way tie goes to the alphabetically first. */
		assert_string_equal(sum->dominant_failure, "dwarf-parse-failure");
		assert_false(sum->privilege_dominant);
		ctprof_probe_summary_line(sum, line, sizeof(line));
		assert_string_equal(line, "ctprof probe: 8 tgids walked, 2 jemalloc detected, 0 probed OK, "
					  "4 failed (dominant: dwarf-parse-failure)");
		free(sum->dominant_failure);
		free(sum);

		/* Probing tids that do not exist: ptrace-seize (ESRCH), once per call. */
		assert_int_equal(ctprof_probe_set_thread(s, 10, 0x3fffff00, &a, &d), -ESRCH);
		assert_int_equal(ctprof_probe_set_thread(s, 16, 0x3fffff01, &a, &d), -ESRCH);
		assert_int_equal(ctprof_probe_set_thread(s, 16, 0x3fffff02, &a, &d), -ESRCH);
		assert_int_equal(ctprof_probe_set_tag_count(s, CTPROF_PROBE_PTRACE_SEIZE), 3);
		assert_int_equal(ctprof_probe_set_summary(s, false, &sum), 0);
		assert_int_equal(sum->failed, 7);
		/* 2 * 3 < 7 */
		assert_false(sum->privilege_dominant);
		free(sum->dominant_failure);
		free(sum);
		assert_int_equal(ctprof_probe_set_thread(s, 16, 0x3fffff03, &a, &d), -ESRCH);
		assert_int_equal(ctprof_probe_set_summary(s, false, &sum), 0);
		assert_int_equal(sum->failed, 8);
		assert_string_equal(sum->dominant_failure, "ptrace-seize");
		/* 2 * 4 >= 8 */
		assert_true(sum->privilege_dominant);
		ctprof_probe_summary_line(sum, line, sizeof(line));
		assert_string_equal(line, "ctprof probe: 8 tgids walked, 2 jemalloc detected, 0 probed OK, "
					  "8 failed (dominant: ptrace-seize; " CTPROF_PROBE_PTRACE_HINT ")");
		free(sum->dominant_failure);
		free(sum);
		ctprof_probe_set_free(s);
	}
	/* An empty set: zeros, null dominant, the plain line. */
	{
		struct ctprof_probe_set *s = NULL;
		struct ctprof_probe_summary *sum = NULL;
		char line[256];

		assert_int_equal(ctprof_probe_set_attach(NULL, NULL, 0, &s, &err), 0);
		assert_int_equal(ctprof_probe_set_summary(s, true, &sum), 0);
		assert_int_equal(sum->tgids_walked, 0);
		assert_null(sum->dominant_failure);
		assert_false(sum->privilege_dominant);
		ctprof_probe_summary_line(sum, line, sizeof(line));
		assert_string_equal(line, "ctprof probe: 0 tgids walked, 0 jemalloc detected, 0 probed OK, 0 failed");
		free(sum);
		ctprof_probe_set_free(s);
	}
	free(stripped);
	free(root);
	tu_rmtree(dir);
	free(dir);
}

/* ---- live: ptrace a forked copy of this program ---- */

static void test_probe_threads(void **state)
{
	struct target t;
	struct ctprof_probe_set *s = NULL;
	struct ctprof_error err = { 0 };
	int tgid;

	(void)state;
	target_start(&t);
	if (!ptrace_allowed(t.pid, t.tids[0])) {
		target_stop(&t);
		skip();
	}
	tgid = t.pid;
	assert_int_equal(ctprof_probe_set_attach(&CTPROF_PROBE_SET_OPTS(.jobs = 1), &tgid, 1, &s, &err), 0);
	assert_non_null(ctprof_probe_set_get(s, tgid));
	for (int round = 0; round < 3; round++) {
		uint64_t seen_a[NTHREADS + 1] = { 0 };

		for (int i = 0; i <= NTHREADS; i++) {
			uint64_t a = 0, d = 0, k;
			char *st;
			char *path = tu_path("/proc/%d/task/%d/stat", t.pid, t.tids[i]);

			assert_int_equal(ctprof_probe_set_thread(s, tgid, t.tids[i], &a, &d), 1);
			/* a = 1000003 k + 17 and d = 7919 k + 3 for the thread's k. */
			assert_int_equal((a - 17) % 1000003, 0);
			k = (a - 17) / 1000003;
			assert_true(k <= NTHREADS);
			assert_int_equal(d, 7919 * k + 3);
			assert_int_equal(seen_a[k], 0);
			seen_a[k] = a;
			/* Detached: never left in a stop (t/T); back in read (S) or on its
			 * way there (R) within a moment. */
			for (int ms = 0;; ms++) {
				const char *c;

				st = tu_read_file(path, NULL);
				assert_non_null(st);
				c = strrchr(st, ')');
				assert_non_null(c);
				if (c[2] == 'S')
					break;
				/* ~10 s: generous for a loaded machine or valgrind */
				if (ms >= 10000)
					fail_msg("tid %d after the probe: %s", t.tids[i], st);
				free(st);
				usleep(1000);
			}
			free(st);
			free(path);
		}
	}
	{
		struct ctprof_probe_summary *sum = NULL;

		assert_int_equal(ctprof_probe_set_summary(s, false, &sum), 0);
		assert_int_equal(sum->tgids_walked, 1);
		assert_int_equal(sum->jemalloc_detected, 1);
		assert_int_equal(sum->probed_ok, 3 * (NTHREADS + 1));
		assert_int_equal(sum->failed, 0);
		assert_null(sum->dominant_failure);
		free(sum);
	}
	ctprof_probe_set_free(s);
	target_stop(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tag_names),
		cmocka_unit_test(test_tls_names),
		cmocka_unit_test(test_tls_arithmetic),
		cmocka_unit_test(test_attach_self),
		cmocka_unit_test(test_attach_tags),
		cmocka_unit_test(test_probe_threads),
	};
	ssize_t n = readlink("/proc/self/exe", self_exe, sizeof(self_exe) - 1);

	if (n <= 0)
		return 1;
	self_exe[n] = '\0';
	fake_tsd_set(1, 2);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
