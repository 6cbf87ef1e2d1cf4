/* SPDX-License-Identifier: MIT */
/*
 * Allocation-failure sweeps over the snapshot codec and intervals (issue 8):
 * load of the golden .ctprof.zst, from_json of its JSON and of the 93-field
 * schema, to_json, the atomic write (the old file stays, no temporary file
 * is left), the interval of two live captures, and ctprof_load_input of a
 * run directory. See test_allocfail.h for the sweep.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <dirent.h>
#include <sys/stat.h>
#include <cmocka.h>

#include <ctprof/snapshot.h>
#include <ctprof/interval.h>

#include "testutil.h"
#include "test_allocfail.h"

/* ---- helpers ---- */

static struct ctprof_snapshot *load_fixture(const char *rel)
{
	struct ctprof_error err = { 0 };
	struct ctprof_snapshot *s = NULL;
	char *p = tu_fixture(rel);

	if (ctprof_snapshot_load(p, &s, &err))
		fail_msg("%s", err.msg);
	free(p);
	return s;
}

/* Entries of dir other than . and .. */
static size_t dir_entries(const char *dir, char *name, size_t size)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	assert_non_null(d);
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (name && size)
			snprintf(name, size, "%s", e->d_name);
		n++;
	}
	closedir(d);
	return n;
}

/* ---- load ---- */

static int run_load(void *ctx, struct ctprof_error *err)
{
	struct ctprof_snapshot *s = NULL;
	int rc = ctprof_snapshot_load(ctx, &s, err);

	if (!rc) {
		assert_int_equal(s->n_threads, 1);
		assert_int_equal(s->threads[0].tid, 101);
	}
	ctprof_snapshot_free(s);
	return rc;
}

static void test_load_golden(void **state)
{
	char *p = tu_fixture("snapshots/ktstr-synthetic.ctprof.zst");
	struct af_result r;

	(void)state;
	r = af_sweep("load ktstr-synthetic.ctprof.zst", run_load, NULL, p, false);
	assert_true(r.swept >= 3); /* zstd context, input buffer, output buffer at least */
	free(p);
}

struct json_ctx {
	char *json;
	size_t len;
	size_t n_threads;
};

static int run_from_json(void *ctx, struct ctprof_error *err)
{
	struct json_ctx *c = ctx;
	struct ctprof_snapshot *s = NULL;
	int rc = ctprof_snapshot_from_json(c->json, c->len, "golden.json", &s, err);

	if (!rc)
		assert_int_equal(s->n_threads, c->n_threads);
	ctprof_snapshot_free(s);
	return rc;
}

static void sweep_json(const char *rel, size_t n_threads)
{
	char *p = tu_fixture(rel);
	struct json_ctx c = { NULL, 0, n_threads };
	struct af_result r;

	c.json = tu_read_file(p, &c.len);
	assert_non_null(c.json);
	r = af_sweep(rel, run_from_json, NULL, &c, false);
	assert_true(r.swept >= 2);
	free(c.json);
	free(p);
}

static void test_from_json(void **state)
{
	struct ctprof_snapshot *s;

	(void)state;
	sweep_json("snapshots/ktstr-synthetic.json", 1);
	s = load_fixture("snapshots/schema-old-93.ctprof.zst");
	sweep_json("snapshots/schema-old-93.json", s->n_threads);
	ctprof_snapshot_free(s);
	s = load_fixture("snapshots/schema-new-98.ctprof.zst");
	sweep_json("snapshots/schema-new-98.json", s->n_threads);
	ctprof_snapshot_free(s);
}

/* ---- to_json and write ---- */

static int run_to_json(void *ctx, struct ctprof_error *err)
{
	char *json = NULL;
	size_t len = 0;
	int rc = ctprof_snapshot_to_json(ctx, &json, &len, err);

	if (!rc)
		assert_true(len > 100 && json[0] == '{' && json[len - 1] == '}');
	free(json);
	return rc;
}

static void test_to_json(void **state)
{
	struct ctprof_snapshot *s = load_fixture("snapshots/schema-new-98.ctprof.zst");

	(void)state;
	af_sweep("to_json schema-new-98", run_to_json, NULL, s, false);
	ctprof_snapshot_free(s);
}

struct write_ctx {
	struct ctprof_snapshot *snap;
	char *dir, *path;
	char *old;
	size_t old_len;
};

static int run_write(void *ctx, struct ctprof_error *err)
{
	struct write_ctx *c = ctx;
	int rc = ctprof_snapshot_write(c->snap, c->path, err);

	if (!rc) {
		/* put the old file back for the next run */
		tu_write_file(c->path, c->old, c->old_len);
	} else if (!strstr(err->msg, c->path)) {
		fail_msg("write error does not name the path: %s", err->msg);
	}
	return rc;
}

static void check_write(void *ctx, unsigned long n)
{
	struct write_ctx *c = ctx;
	char name[256] = "";
	size_t len;
	char *now;

	if (dir_entries(c->dir, name, sizeof(name)) != 1 || strcmp(name, "snap.ctprof.zst"))
		fail_msg("allocation %lu failed: directory holds more than the old file (%s)", n,
			 name);
	now = tu_read_file(c->path, &len);
	assert_non_null(now);
	assert_int_equal(len, c->old_len);
	assert_memory_equal(now, c->old, len);
	free(now);
}

static void test_write(void **state)
{
	struct write_ctx c;

	(void)state;
	c.snap = load_fixture("snapshots/schema-new-98.ctprof.zst");
	c.dir = tu_mkdtemp("allocfail");
	c.path = tu_path("%s/snap.ctprof.zst", c.dir);
	c.old = tu_fixture("snapshots/ktstr-synthetic.ctprof.zst");
	{
		char *p = c.old;

		c.old = tu_read_file(p, &c.old_len);
		free(p);
	}
	tu_write_file(c.path, c.old, c.old_len);
	af_sweep("write schema-new-98", run_write, check_write, &c, false);
	ctprof_snapshot_free(c.snap);
	tu_rmtree(c.dir);
	free(c.dir);
	free(c.path);
	free(c.old);
}

/* ---- interval ---- */

struct iv_ctx {
	struct ctprof_snapshot *before, *after;
	struct ctprof_interval_opts opts;
};

static int run_interval(void *ctx, struct ctprof_error *err)
{
	struct iv_ctx *c = ctx;
	struct ctprof_interval_stats st;
	struct ctprof_snapshot *iv = NULL;
	int rc = ctprof_interval(c->before, c->after, &c->opts, &iv, &st, err);

	if (!rc) {
		assert_non_null(iv);
		assert_true(st.matched > 0);
		assert_int_equal(st.exited, c->opts.n_exited);
	} else {
		assert_null(iv);
	}
	ctprof_snapshot_free(iv);
	return rc;
}

static void test_interval(void **state)
{
	struct iv_ctx c;
	struct ctprof_thread ex;

	(void)state;
	c.before = load_fixture("proc-trees/host-snapshot/live-before.ctprof.zst");
	c.after = load_fixture("proc-trees/host-snapshot/live-after.ctprof.zst");
	memset(&c.opts, 0, sizeof(c.opts));
	c.opts.sz = sizeof(c.opts);
	af_sweep("interval live-before -> live-after", run_interval, NULL, &c, false);

	/* with an exit record: a copy of a before thread under a new tid */
	assert_true(c.before->n_threads > 0);
	assert_int_equal(ctprof_thread_init(&ex), 0);
	ex.tid = 999999;
	ex.tgid = 999999;
	ex.run_time_ns = 5;
	c.opts.exited = &ex;
	c.opts.n_exited = 1;
	af_sweep("interval with an exit record", run_interval, NULL, &c, false);
	ctprof_thread_clear(&ex);
	ctprof_snapshot_free(c.before);
	ctprof_snapshot_free(c.after);
}

static int run_load_input(void *ctx, struct ctprof_error *err)
{
	struct ctprof_snapshot *s = NULL;
	int rc = ctprof_load_input(ctx, &s, err);

	if (!rc)
		assert_true(s->n_threads > 0);
	ctprof_snapshot_free(s);
	return rc;
}

static void test_load_input_run_dir(void **state)
{
	char *dir = tu_mkdtemp("allocfail-run"), *src, *data, *dst;
	size_t len;

	(void)state;
	src = tu_fixture("proc-trees/host-snapshot/live-before.ctprof.zst");
	data = tu_read_file(src, &len);
	dst = tu_path("%s/before.ctprof.zst", dir);
	tu_write_file(dst, data, len);
	free(src);
	free(data);
	free(dst);
	src = tu_fixture("proc-trees/host-snapshot/live-after.ctprof.zst");
	data = tu_read_file(src, &len);
	dst = tu_path("%s/after.ctprof.zst", dir);
	tu_write_file(dst, data, len);
	free(src);
	free(data);
	free(dst);
	af_sweep("load_input of a run directory", run_load_input, NULL, dir, false);
	tu_rmtree(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_golden),
		cmocka_unit_test(test_from_json),
		cmocka_unit_test(test_to_json),
		cmocka_unit_test(test_write),
		cmocka_unit_test(test_interval),
		cmocka_unit_test(test_load_input_run_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
