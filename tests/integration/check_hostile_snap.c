/* SPDX-License-Identifier: MIT */
/*
 * Hostile snapshot files (issue 8). The small cases are readable JSON
 * fixtures in fixtures/hostile/snapshots/, compressed at test time; deep
 * nesting, 10 million array elements, truncations and concatenated frames
 * are built at test time from fixtures/snapshots/ktstr-synthetic.json.
 * Every case asserts the exact outcome: the loaded values, or the error
 * naming the path and the step (library and `ctprof-harness info`).
 */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include <zstd.h>
#include <ctprof/ctprof.h>

#include "testutil.h"

static char *dir;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long maxrss_mib(void)
{
	struct rusage ru;

	ck_assert_int_eq(getrusage(RUSAGE_SELF, &ru), 0);
	return ru.ru_maxrss / 1024;
}

static char *golden(size_t *len)
{
	char *p = tu_path("%s/snapshots/ktstr-synthetic.json", CTPROF_FIXTURES_DIR);
	char *j = tu_read_file(p, len);

	ck_assert_ptr_nonnull(j);
	free(p);
	return j;
}

/* One zstd level-3 frame of data[0..len) appended to buf (malloc'd, grown). */
static char *add_frame(char *buf, size_t *blen, const void *data, size_t len)
{
	size_t cap = ZSTD_compressBound(len), n;

	buf = realloc(buf, *blen + cap);
	ck_assert_ptr_nonnull(buf);
	n = ZSTD_compress(buf + *blen, cap, data, len, 3);
	ck_assert_msg(!ZSTD_isError(n), "%s", ZSTD_getErrorName(n));
	*blen += n;
	return buf;
}

/* Compress json into DIR/name; malloc'd path. */
static char *zst_file(const char *name, const char *json, size_t len)
{
	char *path = tu_path("%s/%s", dir, name), *z = NULL;
	size_t zl = 0;

	z = add_frame(z, &zl, json, len);
	tu_write_file(path, z, zl);
	free(z);
	return path;
}

static char *zst_fixture(const char *name)
{
	char *src = tu_path("%s/hostile/snapshots/%s.json", CTPROF_FIXTURES_DIR, name);
	char *dst, *json, *zname = tu_path("%s.ctprof.zst", name);
	size_t len;

	json = tu_read_file(src, &len);
	ck_assert_ptr_nonnull(json);
	dst = zst_file(zname, json, len);
	free(json);
	free(src);
	free(zname);
	return dst;
}

/* Loading path must fail with exactly "PATH: " + want. */
static void load_fails(const char *path, const char *want)
{
	struct ctprof_snapshot *s = NULL;
	struct ctprof_error err = { 0 };
	char *full = tu_path("%s: %s", path, want);
	int rc = ctprof_snapshot_load(path, &s, &err);

	ck_assert_msg(rc < 0, "%s loaded", path);
	ck_assert_ptr_null(s);
	ck_assert_str_eq(err.msg, full);
	free(full);
}

static struct ctprof_snapshot *load_ok(const char *path)
{
	struct ctprof_snapshot *s = NULL;
	struct ctprof_error err = { 0 };

	ck_assert_msg(ctprof_snapshot_load(path, &s, &err) == 0, "%s", err.msg);
	ck_assert_ptr_nonnull(s);
	return s;
}

/* `ctprof-harness info FILE`: exit status, stderr into *err (may be NULL). */
static int cli_info(const char *path, char **out, char **err)
{
	char *argv[] = { (char *)tu_harness(), "info", (char *)path, NULL };

	return tu_run(argv, out, err, 120);
}

/* ---- fixtures: one file per case ---------------------------------------------- */

struct bad_case {
	const char *name, *err;
};

static const struct bad_case bad_cases[] = {
	{ "dup-top-key", "parse JSON: duplicate field `captured_at_unix_ns`" },
	{ "dup-thread-key", "parse JSON: threads[0]: duplicate field `tid`" },
	{ "num-1e400-field", "parse JSON: threads[0].run_time_ns: expected an unsigned integer" },
	{ "num-neg-zero-u64", "parse JSON: threads[0].run_time_ns: expected an unsigned integer" },
	{ "num-2pow64", "parse JSON: threads[0].run_time_ns: expected an unsigned integer" },
	{ "esc-bad-x", "parse JSON: invalid JSON (at byte 115)" },
	{ "esc-short-u", "parse JSON: invalid JSON (at byte 115)" },
	{ "esc-lone-high-surrogate", "parse JSON: invalid JSON (at byte 115)" },
	{ "esc-lone-low-surrogate", "parse JSON: invalid JSON (at byte 115)" },
};

START_TEST(test_bad_fixture)
{
	const struct bad_case *c = &bad_cases[_i];
	char *path = zst_fixture(c->name), *err = NULL, *want;

	load_fails(path, c->err);
	/* the CLI: exit 2, one line naming the path and the step */
	ck_assert_int_eq(cli_info(path, NULL, &err), 2);
	want = tu_path("ctprof-harness: %s: %s\n", path, c->err);
	ck_assert_str_eq(err, want);
	free(want);
	free(err);
	unlink(path);
	free(path);
}
END_TEST

START_TEST(test_dup_map_key_keeps_last)
{
	char *path = zst_fixture("dup-map-key");
	struct ctprof_snapshot *s = load_ok(path);
	uint64_t v = 0;

	/* serde's BTreeMap: the last of two equal keys wins */
	ck_assert_uint_eq(s->threads[0].smaps_rollup_kib.n, 2);
	ck_assert(ctprof_kvmap_get(&s->threads[0].smaps_rollup_kib, "Rss", &v));
	ck_assert_uint_eq(v, 2);
	ck_assert(ctprof_kvmap_get(&s->threads[0].smaps_rollup_kib, "Pss", &v));
	ck_assert_uint_eq(v, 5);
	ctprof_snapshot_free(s);
	unlink(path);
	free(path);
}
END_TEST

START_TEST(test_numbers_that_load)
{
	char *path;
	struct ctprof_snapshot *s;

	/* 1e400, -1e400, 1e-400 under an unknown key: ignored */
	path = zst_fixture("num-1e400-unknown");
	s = load_ok(path);
	ck_assert_uint_eq(s->threads[0].run_time_ns, 1000000);
	ctprof_snapshot_free(s);
	unlink(path);
	free(path);
	/* -0 in a signed field is 0 */
	path = zst_fixture("num-neg-zero-i32");
	s = load_ok(path);
	ck_assert_int_eq(s->threads[0].nice, 0);
	ctprof_snapshot_free(s);
	unlink(path);
	free(path);
	/* the largest u64 is exact (no double in between) */
	path = zst_fixture("num-u64max");
	s = load_ok(path);
	ck_assert_uint_eq(s->threads[0].run_time_ns, UINT64_MAX);
	ctprof_snapshot_free(s);
	unlink(path);
	free(path);
}
END_TEST

START_TEST(test_strings_that_load)
{
	char *path, *j = NULL;
	struct ctprof_snapshot *s;
	struct ctprof_error err = { 0 };
	size_t jl;

	/* \u0000: the model holds C strings, the name ends at the NUL */
	path = zst_fixture("esc-nul");
	s = load_ok(path);
	ck_assert_str_eq(s->threads[0].comm, "proc");
	ctprof_snapshot_free(s);
	unlink(path);
	free(path);
	/* raw control bytes inside a string (cJSON accepts them): kept, escaped on output */
	path = zst_fixture("esc-raw-control");
	s = load_ok(path);
	ck_assert_str_eq(s->threads[0].comm, "proc\x01\x1f");
	ck_assert_int_eq(ctprof_snapshot_to_json(s, &j, &jl, &err), 0);
	ck_assert_ptr_nonnull(strstr(j, "\"comm\":\"proc\\u0001\\u001f\""));
	free(j);
	ctprof_snapshot_free(s);
	unlink(path);
	free(path);
}
END_TEST

/* ---- built at test time --------------------------------------------------------- */

/* The golden document with `"zz":VALUE,` inserted as its first key. */
static char *with_unknown_key(const char *value, size_t vlen, size_t *len)
{
	size_t gl;
	char *g = golden(&gl), *d = malloc(gl + vlen + 8);

	ck_assert_ptr_nonnull(d);
	d[0] = '{';
	memcpy(d + 1, "\"zz\":", 5);
	memcpy(d + 6, value, vlen);
	d[6 + vlen] = ',';
	memcpy(d + 7 + vlen, g + 1, gl - 1);
	*len = gl + vlen + 6;
	free(g);
	return d;
}

static char *nested(size_t depth, size_t *len)
{
	char *v = malloc(2 * depth), *d;

	ck_assert_ptr_nonnull(v);
	memset(v, '[', depth);
	memset(v + depth, ']', depth);
	d = with_unknown_key(v, 2 * depth, len);
	free(v);
	return d;
}

START_TEST(test_deep_nesting)
{
	size_t len;
	char *d, *path, *want;
	struct ctprof_snapshot *s;

	/* the top-level object is one level: 999 arrays inside it reach cJSON's 1000 */
	d = nested(999, &len);
	path = zst_file("deep-999.ctprof.zst", d, len);
	s = load_ok(path);
	ck_assert_uint_eq(s->n_threads, 1);
	ctprof_snapshot_free(s);
	free(d);
	free(path);
	/* one more is refused at the byte of the 1001st bracket */
	d = nested(1000, &len);
	path = zst_file("deep-1000.ctprof.zst", d, len);
	want = tu_path("parse JSON: invalid JSON (at byte %d)", 6 + 999);
	load_fails(path, want);
	free(want);
	free(d);
	free(path);
	/* a million: the same clean error, no stack exhaustion */
	d = nested(1000000, &len);
	path = zst_file("deep-1m.ctprof.zst", d, len);
	want = tu_path("parse JSON: invalid JSON (at byte %d)", 6 + 999);
	load_fails(path, want);
	free(want);
	free(d);
	free(path);
}
END_TEST

START_TEST(test_ten_million_elements)
{
	const size_t n = 10000000;
	char *v = malloc(2 * n + 1), *d, *path, *err = NULL;
	size_t len, i;
	struct ctprof_snapshot *s;
	double t0;
	long rss0 = maxrss_mib();

	ck_assert_ptr_nonnull(v);
	v[0] = '[';
	for (i = 0; i < n; i++) {
		v[1 + 2 * i] = '7';
		v[2 + 2 * i] = ',';
	}
	v[2 * n] = ']';
	/* 20 MB of JSON (under the 256 MiB cap) in an unknown key: loads */
	d = with_unknown_key(v, 2 * n + 1, &len);
	path = zst_file("ten-million.ctprof.zst", d, len);
	free(d);
	t0 = now_s();
	s = load_ok(path);
	ck_assert_msg(now_s() - t0 < 30, "load took %.1f s", now_s() - t0);
	ck_assert_uint_eq(s->n_threads, 1);
	ck_assert_uint_eq(s->threads[0].run_time_ns, 1000000);
	ctprof_snapshot_free(s);
	/* cJSON holds one 64-byte node per element: bounded by the input (32x) */
	ck_assert_msg(maxrss_mib() - rss0 < 1536, "peak RSS grew by %ld MiB", maxrss_mib() - rss0);
	free(path);

	/* the same array as a thread's cpu_affinity: loads, sorted and deduplicated */
	{
		size_t gl;
		char *g = golden(&gl), *at = strstr(g, "\"cpu_affinity\":[0,1,2,3]"), *doc;
		size_t pre = (size_t)(at - g) + strlen("\"cpu_affinity\":");
		size_t post = pre + strlen("[0,1,2,3]");

		ck_assert_ptr_nonnull(at);
		doc = malloc(gl + 2 * n + 1);
		ck_assert_ptr_nonnull(doc);
		memcpy(doc, g, pre);
		memcpy(doc + pre, v, 2 * n + 1);
		memcpy(doc + pre + 2 * n + 1, g + post, gl - post);
		len = pre + 2 * n + 1 + gl - post;
		path = zst_file("ten-million-cpus.ctprof.zst", doc, len);
		free(doc);
		free(g);
	}
	t0 = now_s();
	s = load_ok(path);
	ck_assert_msg(now_s() - t0 < 30, "load took %.1f s", now_s() - t0);
	ck_assert_uint_eq(s->threads[0].cpu_affinity.n, 1);
	ck_assert_uint_eq(s->threads[0].cpu_affinity.cpus[0], 7);
	ctprof_snapshot_free(s);
	/* the CLI loads it too */
	ck_assert_int_eq(cli_info(path, NULL, &err), 0);
	ck_assert_str_eq(err, "");
	free(err);
	free(path);
	free(v);
}
END_TEST

/* The golden document with its threads replaced by n empty objects, after a BOM or not. */
static char *empty_threads(size_t n, bool bom, size_t *len)
{
	size_t gl, pre, post, k, o = 0;
	char *g = golden(&gl), *d;

	pre = (size_t)(strstr(g, "\"threads\":[") - g) + strlen("\"threads\":[");
	post = (size_t)(strstr(g, "],\"cgroup_stats\"") - g);
	d = malloc(3 + gl + 3 * n);
	ck_assert_ptr_nonnull(d);
	if (bom) {
		memcpy(d, "\xef\xbb\xbf", 3);
		o = 3;
	}
	memcpy(d + o, g, pre);
	o += pre;
	for (k = 0; k < n; k++) {
		memcpy(d + o, k ? ",{}" : "{}", k ? 3 : 2);
		o += k ? 3 : 2;
	}
	memcpy(d + o, g + post, gl - post);
	*len = o + gl - post;
	free(g);
	return d;
}

START_TEST(test_too_many_threads)
{
	const size_t max = (size_t)4 << 20; /* the kernel's PID_MAX_LIMIT */
	size_t len;
	char *d, *path, *want;
	struct ctprof_snapshot *s;
	long rss0 = maxrss_mib();
	double t0;

	/* `{}` is a valid thread (every key may be missing): a few load */
	d = empty_threads(3, true, &len);
	path = zst_file("three-empty.ctprof.zst", d, len);
	s = load_ok(path);
	ck_assert_uint_eq(s->n_threads, 3);
	ck_assert_uint_eq(s->threads[2].tid, 0);
	ck_assert_int_eq(s->threads[2].state, '~');
	ctprof_snapshot_free(s);
	free(d);
	free(path);
	/* one more than the kernel can have is refused before any thread is built
	 * (the byte-order mark takes the whole-document path, which counts first) */
	d = empty_threads(max + 1, true, &len);
	path = zst_file("too-many.ctprof.zst", d, len);
	free(d);
	t0 = now_s();
	want = tu_path("parse JSON: threads: more than %zu threads", max);
	load_fails(path, want);
	ck_assert_msg(now_s() - t0 < 30, "load took %.1f s", now_s() - t0);
	/* cJSON's nodes only (64 B each), not 4 Mi thread structs (~3.5 GiB) */
	ck_assert_msg(maxrss_mib() - rss0 < 1024, "peak RSS grew by %ld MiB", maxrss_mib() - rss0);
	free(want);
	free(path);
}
END_TEST

START_TEST(test_garbage_extension)
{
	char *src = tu_path("%s/snapshots/ktstr-synthetic.ctprof.zst", CTPROF_FIXTURES_DIR);
	char *odd = tu_path("%s/snapshot.garbage~", dir), *plain = tu_path("%s/plain.ctprof.zst", dir);
	char *o1 = NULL, *o2 = NULL, *e = NULL, *want;
	size_t n, gl;
	char *data = tu_read_file(src, &n), *g = golden(&gl);
	struct ctprof_snapshot *s;

	/* loading goes by content, never by name: any extension loads */
	tu_write_file(odd, data, n);
	s = load_ok(odd);
	ck_assert_uint_eq(s->threads[0].tid, 101);
	ctprof_snapshot_free(s);
	ck_assert_int_eq(cli_info(odd, &o1, NULL), 0);
	ck_assert_int_eq(cli_info(src, &o2, NULL), 0);
	/* the summary names the file: the same apart from the name */
	ck_assert_ptr_nonnull(strstr(o1, odd));
	ck_assert_uint_eq(strlen(o1) - strlen(odd), strlen(o2) - strlen(src));
	free(o1);
	free(o2);
	/* and uncompressed JSON under the snapshot extension is refused by content */
	tu_write_file(plain, g, gl);
	load_fails(plain, "zstd decompress: Unknown frame descriptor");
	ck_assert_int_eq(cli_info(plain, NULL, &e), 2);
	want = tu_path("ctprof-harness: %s: zstd decompress: Unknown frame descriptor\n", plain);
	ck_assert_str_eq(e, want);
	free(want);
	free(e);
	free(g);
	free(data);
	free(src);
	free(odd);
	free(plain);
}
END_TEST

START_TEST(test_every_truncation)
{
	char *src = tu_path("%s/snapshots/ktstr-synthetic.ctprof.zst", CTPROF_FIXTURES_DIR);
	char *cut = tu_path("%s/cut.ctprof.zst", dir);
	size_t n, k;
	char *data = tu_read_file(src, &n);

	ck_assert_ptr_nonnull(data);
	/* every proper prefix of a valid frame fails, naming the path and the step */
	for (k = 0; k < n; k++) {
		struct ctprof_snapshot *s = NULL;
		struct ctprof_error err = { 0 };
		char *pre = tu_path("%s: zstd decompress: ", cut);

		tu_write_file(cut, data, k);
		ck_assert_msg(ctprof_snapshot_load(cut, &s, &err) < 0, "prefix %zu loaded", k);
		ck_assert_ptr_null(s);
		ck_assert_msg(strncmp(err.msg, pre, strlen(pre)) == 0, "prefix %zu: %s", k, err.msg);
		if (k == 0)
			ck_assert_str_eq(err.msg + strlen(pre), "empty file");
		else if (k > 100)
			ck_assert_str_eq(err.msg + strlen(pre), "truncated zstd frame");
		free(pre);
	}
	unlink(cut);
	free(cut);
	free(data);
	free(src);
}
END_TEST

START_TEST(test_concatenated_frames)
{
	size_t gl, zl = 0, half;
	char *g = golden(&gl), *z = NULL, *path = tu_path("%s/concat.ctprof.zst", dir), *want, *j;
	struct ctprof_snapshot *s, *ref;
	struct ctprof_error err = { 0 };
	size_t jl, rl;
	char *rj;
	static const unsigned char skippable[] = { 0x50, 0x2a, 0x4d, 0x18, 4, 0, 0, 0, 'j', 'u',
						   'n', 'k' };

	/* as `zstd -d`: concatenated frames are one stream. One document split over two
	 * frames (and a skippable frame between them) loads as the whole */
	half = gl / 2;
	z = add_frame(z, &zl, g, half);
	z = realloc(z, zl + sizeof(skippable));
	ck_assert_ptr_nonnull(z);
	memcpy(z + zl, skippable, sizeof(skippable));
	zl += sizeof(skippable);
	z = add_frame(z, &zl, g + half, gl - half);
	tu_write_file(path, z, zl);
	s = load_ok(path);
	ck_assert_int_eq(ctprof_snapshot_from_json(g, gl, "golden", &ref, &err), 0);
	ck_assert_int_eq(ctprof_snapshot_to_json(s, &j, &jl, &err), 0);
	ck_assert_int_eq(ctprof_snapshot_to_json(ref, &rj, &rl, &err), 0);
	ck_assert(jl == rl && memcmp(j, rj, jl) == 0);
	free(j);
	free(rj);
	ctprof_snapshot_free(s);
	ctprof_snapshot_free(ref);
	free(z);
	/* two whole snapshots back to back: one document with trailing characters */
	z = NULL;
	zl = 0;
	z = add_frame(z, &zl, g, gl);
	z = add_frame(z, &zl, g, gl);
	tu_write_file(path, z, zl);
	want = tu_path("parse JSON: trailing characters (at byte %zu)", gl);
	load_fails(path, want);
	free(want);
	free(z);
	unlink(path);
	free(path);
	free(g);
}
END_TEST

static void setup(void)
{
	dir = tu_mkdtemp("hostile-snap");
}

static void teardown(void)
{
	tu_rmtree(dir);
	free(dir);
}

static Suite *hostile_suite(void)
{
	Suite *s = suite_create("hostile-snapshot");
	TCase *tf = tcase_create("fixtures");
	TCase *tt = tcase_create("test-time");

	tcase_add_checked_fixture(tf, setup, teardown);
	tcase_set_timeout(tf, 60);
	tcase_add_loop_test(tf, test_bad_fixture, 0, sizeof(bad_cases) / sizeof(bad_cases[0]));
	tcase_add_test(tf, test_dup_map_key_keeps_last);
	tcase_add_test(tf, test_numbers_that_load);
	tcase_add_test(tf, test_strings_that_load);
	suite_add_tcase(s, tf);

	tcase_add_checked_fixture(tt, setup, teardown);
	tcase_set_timeout(tt, 300);
	tcase_add_test(tt, test_deep_nesting);
	tcase_add_test(tt, test_ten_million_elements);
	tcase_add_test(tt, test_too_many_threads);
	tcase_add_test(tt, test_garbage_extension);
	tcase_add_test(tt, test_every_truncation);
	tcase_add_test(tt, test_concatenated_frames);
	suite_add_tcase(s, tt);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(hostile_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
