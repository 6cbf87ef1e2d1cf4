/* SPDX-License-Identifier: MIT */
/*
 * Atomic snapshot writes. write/fsync/rename are wrapped (see
 * test_codec_atomic.wrap) to inject failures, short writes and EINTR; a
 * failed write must leave the old file byte for byte and no temporary file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <ctprof/snapshot.h>

#include "testutil.h"

/* ---- injection ---- */

static struct {
	bool armed;
	int write_errno;     /* fail the write call number write_fail_at (1-based) */
	int write_fail_at;
	int fsync_errno;
	int rename_errno;
	size_t short_max;    /* cap every write at this many bytes (0: no cap) */
	int eintr;           /* this many writes fail with EINTR first */
	int writes, fsyncs, renames;
} inj;

ssize_t __real_write(int fd, const void *buf, size_t n);
int __real_fsync(int fd);
int __real_rename(const char *from, const char *to);

ssize_t __wrap_write(int fd, const void *buf, size_t n)
{
	if (inj.armed) {
		inj.writes++;
		if (inj.eintr > 0) {
			inj.eintr--;
			errno = EINTR;
			return -1;
		}
		if (inj.write_errno && inj.writes == inj.write_fail_at) {
			errno = inj.write_errno;
			return -1;
		}
		if (inj.short_max && n > inj.short_max)
			n = inj.short_max;
	}
	return __real_write(fd, buf, n);
}

int __wrap_fsync(int fd)
{
	if (inj.armed) {
		inj.fsyncs++;
		if (inj.fsync_errno) {
			errno = inj.fsync_errno;
			return -1;
		}
	}
	return __real_fsync(fd);
}

int __wrap_rename(const char *from, const char *to)
{
	if (inj.armed) {
		inj.renames++;
		if (inj.rename_errno) {
			errno = inj.rename_errno;
			return -1;
		}
	}
	return __real_rename(from, to);
}

/* ---- helpers ---- */

/* A snapshot whose compressed form needs several write() calls when they are short. */
static struct ctprof_snapshot *make_snapshot(size_t nthreads)
{
	struct ctprof_snapshot *s = ctprof_snapshot_new();
	size_t i;

	s->captured_at_unix_ns = 1714000000000000000ull;
	s->threads = calloc(nthreads, sizeof(*s->threads));
	s->n_threads = nthreads;
	for (i = 0; i < nthreads; i++) {
		struct ctprof_thread *t = &s->threads[i];

		assert_int_equal(ctprof_thread_init(t), 0);
		t->tid = (uint32_t)(1000 + i);
		t->tgid = 1000;
		t->run_time_ns = i * 7919 * 104729;
		t->state = 'S';
	}
	return s;
}

/* Names in dir other than . and .., sorted, joined by spaces. */
static char *list_dir(const char *dir)
{
	struct dirent **ents;
	int n = scandir(dir, &ents, NULL, alphasort), i;
	char *out = strdup("");

	assert_true(n >= 0);
	for (i = 0; i < n; i++) {
		if (strcmp(ents[i]->d_name, ".") && strcmp(ents[i]->d_name, "..")) {
			char *o = tu_path("%s%s%s", out, *out ? " " : "", ents[i]->d_name);

			free(out);
			out = o;
		}
		free(ents[i]);
	}
	free(ents);
	return out;
}

static void write_ok(const struct ctprof_snapshot *s, const char *path)
{
	struct ctprof_error err = { 0 };

	if (ctprof_snapshot_write(s, path, &err))
		fail_msg("%s", err.msg);
}

static void check_loads(const char *path, size_t nthreads)
{
	struct ctprof_snapshot *s = NULL;
	struct ctprof_error err = { 0 };

	if (ctprof_snapshot_load(path, &s, &err))
		fail_msg("%s", err.msg);
	assert_int_equal(s->n_threads, nthreads);
	if (nthreads)
		assert_true(s->threads[nthreads - 1].run_time_ns ==
			    (nthreads - 1) * 7919ull * 104729ull);
	ctprof_snapshot_free(s);
}

/* ---- tests ---- */

static void test_modes_and_no_leftovers(void **state)
{
	char *dir = tu_mkdtemp("atomic"), *p = tu_path("%s/a.ctprof.zst", dir), *ls;
	struct ctprof_snapshot *s = make_snapshot(3);
	static const struct {
		mode_t umask, want;
	} cases[] = { { 022, 0644 }, { 077, 0600 }, { 0, 0644 }, { 027, 0640 } };
	struct stat st;
	size_t i;
	mode_t old;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unlink(p);
		old = umask(cases[i].umask);
		memset(&inj, 0, sizeof(inj));
		inj.armed = true;
		write_ok(s, p);
		inj.armed = false;
		umask(old);
		assert_int_equal(stat(p, &st), 0);
		assert_int_equal(st.st_mode & 07777, cases[i].want);
		assert_true(inj.writes >= 1);
		assert_int_equal(inj.fsyncs, 2); /* the file and its directory */
		assert_int_equal(inj.renames, 1);
	}
	/* overwriting replaces the file and leaves nothing else */
	write_ok(s, p);
	ls = list_dir(dir);
	assert_string_equal(ls, "a.ctprof.zst");
	free(ls);
	check_loads(p, 3);
	ctprof_snapshot_free(s);
	tu_rmtree(dir);
	free(p);
	free(dir);
}

static void test_short_writes_and_eintr(void **state)
{
	char *dir = tu_mkdtemp("atomic"), *p = tu_path("%s/s.ctprof.zst", dir);
	struct ctprof_snapshot *s = make_snapshot(200);

	(void)state;
	memset(&inj, 0, sizeof(inj));
	inj.armed = true;
	inj.short_max = 7;
	inj.eintr = 3;
	write_ok(s, p);
	inj.armed = false;
	assert_true(inj.writes > 20);
	check_loads(p, 200);
	ctprof_snapshot_free(s);
	tu_rmtree(dir);
	free(p);
	free(dir);
}

static void test_failures_keep_old_file(void **state)
{
	static const struct {
		const char *what;
		int write_errno, write_fail_at, fsync_errno, rename_errno;
		int code;
		const char *msg;
	} cases[] = {
		{ "first write", ENOSPC, 1, 0, 0, -ENOSPC, "write: No space left on device" },
		{ "later write", EIO, 5, 0, 0, -EIO, "write: Input/output error" },
		{ "fsync", 0, 0, EIO, 0, -EIO, "fsync: Input/output error" },
		{ "rename", 0, 0, 0, EXDEV, -EXDEV, "rename: Invalid cross-device link" },
	};
	char *dir = tu_mkdtemp("atomic"), *p = tu_path("%s/keep.ctprof.zst", dir);
	struct ctprof_snapshot *old = make_snapshot(2), *s = make_snapshot(300);
	char *before, *after, *ls, *want;
	size_t blen, alen, i;

	(void)state;
	write_ok(old, p);
	before = tu_read_file(p, &blen);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ctprof_error err = { 0 };
		int rc;

		memset(&inj, 0, sizeof(inj));
		inj.short_max = 64; /* several writes, so "later write" fails mid-file */
		inj.write_errno = cases[i].write_errno;
		inj.write_fail_at = cases[i].write_fail_at;
		inj.fsync_errno = cases[i].fsync_errno;
		inj.rename_errno = cases[i].rename_errno;
		inj.armed = true;
		rc = ctprof_snapshot_write(s, p, &err);
		inj.armed = false;
		if (rc != cases[i].code)
			fail_msg("%s: rc %d, want %d (%s)", cases[i].what, rc, cases[i].code, err.msg);
		want = tu_path("%s: %s", p, cases[i].msg);
		assert_string_equal(err.msg, want);
		free(want);
		after = tu_read_file(p, &alen);
		assert_int_equal(alen, blen);
		assert_memory_equal(after, before, blen);
		free(after);
		ls = list_dir(dir);
		assert_string_equal(ls, "keep.ctprof.zst");
		free(ls);
	}
	check_loads(p, 2);
	free(before);
	ctprof_snapshot_free(old);
	ctprof_snapshot_free(s);
	tu_rmtree(dir);
	free(p);
	free(dir);
}

static void test_bad_paths(void **state)
{
	char *dir = tu_mkdtemp("atomic");
	char *file = tu_path("%s/plain", dir), *sub = tu_path("%s/sub", dir);
	struct ctprof_snapshot *s = make_snapshot(1);
	static const char *const suffix[] = {
		"/plain/x.ctprof.zst", "/missing/x.ctprof.zst", "/sub", "/sub/", "",
	};
	static const int code[] = { -ENOTDIR, -ENOENT, -EISDIR, -EISDIR, -EISDIR };
	static const char *const msg[] = {
		"create temporary file: Not a directory",
		"create temporary file: No such file or directory",
		"write: Is a directory",
		"write: Is a directory",
		"write: Is a directory",
	};
	struct ctprof_error err;
	char *ls, *cwd;
	size_t i;

	(void)state;
	tu_write_str(file, "old");
	assert_int_equal(mkdir(sub, 0755), 0);
	for (i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		char *p = tu_path("%s%s", dir, suffix[i]), *want = tu_path("%s: %s", p, msg[i]);

		memset(&err, 0, sizeof(err));
		assert_int_equal(ctprof_snapshot_write(s, p, &err), code[i]);
		assert_int_equal(err.code, code[i]);
		assert_string_equal(err.msg, want);
		free(p);
		free(want);
	}
	ls = list_dir(dir);
	assert_string_equal(ls, "plain sub");
	free(ls);
	ls = list_dir(sub);
	assert_string_equal(ls, "");
	free(ls);
	ls = tu_read_file(file, NULL);
	assert_string_equal(ls, "old");
	free(ls);

	/* a bare file name is written in the current directory */
	cwd = getcwd(NULL, 0);
	assert_int_equal(chdir(sub), 0);
	write_ok(s, "rel.ctprof.zst");
	assert_int_equal(chdir(cwd), 0);
	free(cwd);
	ls = list_dir(sub);
	assert_string_equal(ls, "rel.ctprof.zst");
	free(ls);

	memset(&err, 0, sizeof(err));
	assert_int_equal(ctprof_snapshot_write(NULL, file, &err), -EINVAL);
	ctprof_snapshot_free(s);
	tu_rmtree(dir);
	free(file);
	free(sub);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_modes_and_no_leftovers),
		cmocka_unit_test(test_short_writes_and_eintr),
		cmocka_unit_test(test_failures_keep_old_file),
		cmocka_unit_test(test_bad_paths),
	};
	return cmocka_run_group_tests_name("codec_atomic", tests, NULL, NULL);
}
