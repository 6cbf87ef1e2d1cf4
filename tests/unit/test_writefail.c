/* SPDX-License-Identifier: MIT */
/*
 * Write failures (issue 8, "Writing"): ENOSPC and EIO at every write()
 * call of an atomic write, in fsync and in close (wrapped, see
 * test_writefail.wrap), and a real full filesystem (a 64 KiB tmpfs when
 * mounting one works; skipped otherwise). Both atomic writers
 * (ctprof_snapshot_write and ctprof_file_write_atomic) must return the
 * errno, name the path and the step, leave the previous file byte for
 * byte and leave no temporary file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <ctprof/snapshot.h>

#include "testutil.h"

/* ---- injection ---- */

static struct {
	bool armed;
	int write_errno, write_fail_at; /* fail write call number write_fail_at (1-based) */
	int fsync_errno;                /* fail the first fsync (the file's) */
	int close_errno;                /* close really closes, then reports this */
	int close_fd;                   /* only for this descriptor */
	size_t short_max;               /* cap every write at this many bytes */
	int writes, fsyncs;
	sigset_t mask_in_write;         /* the signal mask seen by the first write */
} inj;

ssize_t __real_write(int fd, const void *buf, size_t n);
int __real_fsync(int fd);
int __real_close(int fd);

ssize_t __wrap_write(int fd, const void *buf, size_t n)
{
	if (inj.armed) {
		if (++inj.writes == 1)
			pthread_sigmask(SIG_BLOCK, NULL, &inj.mask_in_write);
		if (inj.write_errno && inj.writes == inj.write_fail_at) {
			errno = inj.write_errno;
			return -1;
		}
		if (inj.short_max && n > inj.short_max)
			n = inj.short_max;
		inj.close_fd = fd;
	}
	return __real_write(fd, buf, n);
}

int __wrap_fsync(int fd)
{
	if (inj.armed && ++inj.fsyncs == 1 && inj.fsync_errno) {
		errno = inj.fsync_errno;
		return -1;
	}
	return __real_fsync(fd);
}

int __wrap_close(int fd)
{
	int rc = __real_close(fd);

	if (inj.armed && inj.close_errno && fd == inj.close_fd && rc == 0) {
		errno = inj.close_errno;
		return -1;
	}
	return rc;
}

/* ---- helpers ---- */

/*
 * A snapshot of n threads whose counters come from a xorshift generator,
 * so that its compressed size grows with n (about 100 bytes a thread).
 */
static struct ctprof_snapshot *make_snapshot(size_t n)
{
	struct ctprof_snapshot *s = ctprof_snapshot_new();
	uint64_t x = 0x9E3779B97F4A7C15ull;
	size_t i;

	assert_non_null(s);
	s->captured_at_unix_ns = 1714000000000000000ull;
	s->threads = calloc(n ? n : 1, sizeof(*s->threads));
	s->n_threads = n;
	for (i = 0; i < n; i++) {
		struct ctprof_thread *t = &s->threads[i];
		uint64_t *f[] = { &t->run_time_ns, &t->wait_time_ns, &t->timeslices, &t->minflt,
				  &t->majflt, &t->voluntary_csw, &t->nonvoluntary_csw,
				  &t->rchar, &t->wchar, &t->syscr, &t->syscw };
		size_t k;

		assert_int_equal(ctprof_thread_init(t), 0);
		t->tid = (uint32_t)(1000 + i);
		t->tgid = 1000;
		t->state = 'S';
		for (k = 0; k < sizeof(f) / sizeof(f[0]); k++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			*f[k] = x;
		}
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

enum writer { W_SNAPSHOT, W_TEXT };

struct target {
	char *dir, *path;
	char *old;
	size_t old_len;
	const struct ctprof_snapshot *snap; /* W_SNAPSHOT */
	char *text;                         /* W_TEXT */
	size_t text_len;
};

static int do_write(enum writer w, const struct target *t, struct ctprof_error *err)
{
	return w == W_SNAPSHOT ? ctprof_snapshot_write(t->snap, t->path, err)
			       : ctprof_file_write_atomic(t->path, t->text, t->text_len, err);
}

/* The previous file is intact and alone in its directory. */
static void check_untouched(const struct target *t, const char *what)
{
	char *now, *ls, *base = strrchr(t->path, '/') + 1;
	size_t len;

	ls = list_dir(t->dir);
	if (strcmp(ls, base))
		fail_msg("%s: directory holds \"%s\", want \"%s\" only", what, ls, base);
	free(ls);
	now = tu_read_file(t->path, &len);
	assert_non_null(now);
	if (len != t->old_len || memcmp(now, t->old, len))
		fail_msg("%s: the previous file changed", what);
	free(now);
}

static void expect_failure(enum writer w, const struct target *t, int code, const char *step,
			   const char *what)
{
	struct ctprof_error err = { 0 };
	char *want;
	int rc;

	inj.armed = true;
	rc = do_write(w, t, &err);
	inj.armed = false;
	if (rc != code)
		fail_msg("%s: rc %d, want %d (%s)", what, rc, code, err.msg);
	assert_int_equal(err.code, code);
	want = tu_path("%s: %s: %s", t->path, step, strerror(-code));
	if (strcmp(err.msg, want))
		fail_msg("%s: message \"%s\", want \"%s\"", what, err.msg, want);
	free(want);
	check_untouched(t, what);
}

static void target_init(struct target *t, const char *dir, const char *name)
{
	static const char old[] = "the previous file\n";

	memset(t, 0, sizeof(*t));
	t->dir = strdup(dir);
	t->path = tu_path("%s/%s", dir, name);
	t->old = strdup(old);
	t->old_len = sizeof(old) - 1;
	tu_write_file(t->path, t->old, t->old_len);
}

static void target_free(struct target *t)
{
	free(t->dir);
	free(t->path);
	free(t->old);
	free(t->text);
}

/* ---- tests ---- */

/* Every write() call of both writers fails in turn, with ENOSPC and with EIO. */
static void test_every_write_call(void **state)
{
	static const int errs[] = { ENOSPC, EIO };
	struct ctprof_snapshot *s = make_snapshot(40);
	char *dir = tu_mkdtemp("writefail");
	struct target t;
	char what[128];
	int w, e, k, total;

	(void)state;
	target_init(&t, dir, "out.file");
	t.snap = s;
	t.text_len = 5000;
	t.text = malloc(t.text_len);
	memset(t.text, 'x', t.text_len);
	for (w = W_SNAPSHOT; w <= W_TEXT; w++) {
		struct ctprof_error err = { 0 };
		char *back;
		size_t len;

		/* how many write() calls a successful write makes with 512-byte writes */
		memset(&inj, 0, sizeof(inj));
		inj.short_max = 512;
		inj.armed = true;
		assert_int_equal(do_write((enum writer)w, &t, &err), 0);
		inj.armed = false;
		total = inj.writes;
		assert_true(total >= 3);
		/* the temporary file existed with the stop signals held */
		assert_true(sigismember(&inj.mask_in_write, SIGINT) == 1);
		assert_true(sigismember(&inj.mask_in_write, SIGTERM) == 1);
		assert_true(sigismember(&inj.mask_in_write, SIGHUP) == 1);
		if (w == W_TEXT) {
			back = tu_read_file(t.path, &len);
			assert_int_equal(len, t.text_len);
			assert_memory_equal(back, t.text, len);
			free(back);
		}
		tu_write_file(t.path, t.old, t.old_len);
		for (e = 0; e < 2; e++) {
			for (k = 1; k <= total; k++) {
				memset(&inj, 0, sizeof(inj));
				inj.short_max = 512;
				inj.write_errno = errs[e];
				inj.write_fail_at = k;
				snprintf(what, sizeof(what), "%s: write %d of %d: %s",
					 w == W_SNAPSHOT ? "snapshot" : "text", k, total,
					 strerror(errs[e]));
				expect_failure((enum writer)w, &t, -errs[e], "write", what);
			}
			memset(&inj, 0, sizeof(inj));
			inj.fsync_errno = errs[e];
			snprintf(what, sizeof(what), "%s: fsync: %s",
				 w == W_SNAPSHOT ? "snapshot" : "text", strerror(errs[e]));
			expect_failure((enum writer)w, &t, -errs[e], "fsync", what);
			memset(&inj, 0, sizeof(inj));
			inj.close_errno = errs[e];
			inj.close_fd = -2;
			snprintf(what, sizeof(what), "%s: close: %s",
				 w == W_SNAPSHOT ? "snapshot" : "text", strerror(errs[e]));
			expect_failure((enum writer)w, &t, -errs[e], "close", what);
		}
	}
	/* the signal mask is the caller's again */
	{
		sigset_t now;

		pthread_sigmask(SIG_BLOCK, NULL, &now);
		assert_int_equal(sigismember(&now, SIGINT), 0);
		assert_int_equal(sigismember(&now, SIGTERM), 0);
	}
	target_free(&t);
	ctprof_snapshot_free(s);
	tu_rmtree(dir);
	free(dir);
}

/* A real full filesystem: a 64 KiB tmpfs (root and a mount namespace that allows it). */
static void test_tmpfs_enospc(void **state)
{
	char *dir = tu_mkdtemp("writefail-tmpfs");
	struct ctprof_snapshot *big = make_snapshot(3000), *small = make_snapshot(2);
	struct ctprof_error err = { 0 };
	struct ctprof_snapshot *back = NULL;
	struct target t;
	char *ls;

	(void)state;
	if (mount("ctprof-test", dir, "tmpfs", MS_NOSUID | MS_NODEV, "size=64k,mode=0755")) {
		print_message("# tmpfs mount: %s: skipped\n", strerror(errno));
		ctprof_snapshot_free(big);
		ctprof_snapshot_free(small);
		rmdir(dir);
		free(dir);
		skip();
	}
	target_init(&t, dir, "snap.ctprof.zst");
	/* the previous file is a real snapshot */
	assert_int_equal(ctprof_snapshot_write(small, t.path, &err), 0);
	free(t.old);
	t.old = tu_read_file(t.path, &t.old_len);
	t.snap = big;
	memset(&inj, 0, sizeof(inj));
	expect_failure(W_SNAPSHOT, &t, -ENOSPC, "write", "tmpfs: snapshot");
	t.text_len = 200000;
	t.text = malloc(t.text_len);
	memset(t.text, 'y', t.text_len);
	expect_failure(W_TEXT, &t, -ENOSPC, "write", "tmpfs: text");
	/* the space of the removed temporary files is free again */
	t.text_len = 20000;
	assert_int_equal(ctprof_file_write_atomic(t.path, t.text, t.text_len, &err), 0);
	assert_int_equal(ctprof_snapshot_write(small, t.path, &err), 0);
	assert_int_equal(ctprof_snapshot_load(t.path, &back, &err), 0);
	assert_int_equal(back->n_threads, 2);
	ctprof_snapshot_free(back);
	ls = list_dir(dir);
	assert_string_equal(ls, "snap.ctprof.zst");
	free(ls);
	assert_int_equal(umount2(dir, MNT_DETACH), 0);
	rmdir(dir);
	target_free(&t);
	ctprof_snapshot_free(big);
	ctprof_snapshot_free(small);
	free(dir);
}

/* Report files: a missing directory and a directory as the target. */
static void test_text_bad_paths(void **state)
{
	char *dir = tu_mkdtemp("writefail"), *p, *want, *ls;
	struct ctprof_error err = { 0 };

	(void)state;
	p = tu_path("%s/missing/r.xml", dir);
	assert_int_equal(ctprof_file_write_atomic(p, "x", 1, &err), -ENOENT);
	want = tu_path("%s: create temporary file: %s", p, strerror(ENOENT));
	assert_string_equal(err.msg, want);
	free(want);
	free(p);
	assert_int_equal(ctprof_file_write_atomic(dir, "x", 1, &err), -EISDIR);
	want = tu_path("%s: write: %s", dir, strerror(EISDIR));
	assert_string_equal(err.msg, want);
	free(want);
	assert_int_equal(ctprof_file_write_atomic("", "x", 1, &err), -EINVAL);
	assert_int_equal(ctprof_file_write_atomic(NULL, "x", 1, &err), -EINVAL);
	ls = list_dir(dir);
	assert_string_equal(ls, "");
	free(ls);
	/* an empty report is a valid, empty file */
	p = tu_path("%s/empty.txt", dir);
	assert_int_equal(ctprof_file_write_atomic(p, NULL, 0, &err), 0);
	ls = tu_read_file(p, NULL);
	assert_string_equal(ls, "");
	free(ls);
	free(p);
	tu_rmtree(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_write_call),
		cmocka_unit_test(test_tmpfs_enospc),
		cmocka_unit_test(test_text_bad_paths),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
