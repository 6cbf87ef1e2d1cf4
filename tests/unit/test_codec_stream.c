/* SPDX-License-Identifier: MIT */
/*
 * The loader's two paths (lib/snapshot/codec_read.c): valid documents are
 * converted value by value (streaming, one thread's cJSON tree at a time),
 * anything unusual is left to the whole-document path. These documents sit
 * on the boundary between the two and check that the result or the error
 * is what the whole-document parse gives; plus cJSON used outside a load
 * (the process-global hooks fall back to malloc/free) and two loads at once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <cjson/cJSON.h>

#include <ctprof/snapshot.h>

#include "testutil.h"
#include "util/util.h"

#define PSI_HALF0 "{\"avg10\":0,\"avg60\":0,\"avg300\":0,\"total_usec\":0}"
#define PSI_RES0 "{\"some\":" PSI_HALF0 ",\"full\":" PSI_HALF0 "}"
#define PSI0 "{\"cpu\":" PSI_RES0 ",\"memory\":" PSI_RES0 ",\"io\":" PSI_RES0 ",\"irq\":" PSI_RES0 "}"
#define REST                                                                                   \
	"\"cgroup_stats\":{},\"probe_summary\":null,\"parse_summary\":null,"                     \
	"\"taskstats_summary\":null,\"psi\":" PSI0 ",\"sched_ext\":null"

static struct ctprof_snapshot *load(const char *json, int want_rc, const char *want_msg)
{
	struct ctprof_snapshot *s = NULL;
	struct ctprof_error err = { 0 };
	int rc = ctprof_snapshot_from_json(json, strlen(json), "t.json", &s, &err);

	if (rc != want_rc)
		fail_msg("rc %d (want %d): %s", rc, want_rc, err.msg);
	if (want_msg)
		assert_string_equal(err.msg, want_msg);
	if (want_rc)
		assert_null(s);
	return s;
}

/* n threads {"tid":i+1,...}, with `sep` between the structural tokens. */
static char *threads_doc(size_t n, const char *sep)
{
	struct ctprof_buf b = { 0 };
	size_t i;

	ctprof_buf_puts(&b, "{\"captured_at_unix_ns\":5,");
	ctprof_buf_puts(&b, "\"threads\"");
	ctprof_buf_puts(&b, sep);
	ctprof_buf_puts(&b, ":");
	ctprof_buf_puts(&b, sep);
	ctprof_buf_puts(&b, "[");
	for (i = 0; i < n; i++) {
		char t[128];

		snprintf(t, sizeof(t), "%s%s{\"tid\":%zu,\"comm\":\"w%zu\",\"run_time_ns\":%s}%s",
			 i ? "," : "", sep, i + 1, i, i == 1 ? "18446744073709551615" : "7", sep);
		ctprof_buf_puts(&b, t);
	}
	ctprof_buf_puts(&b, "]");
	ctprof_buf_puts(&b, sep);
	ctprof_buf_puts(&b, "," REST "}");
	assert_false(b.oom);
	return b.data;
}

static void check_threads(const struct ctprof_snapshot *s, size_t n)
{
	size_t i;
	char comm[32];

	assert_int_equal(s->captured_at_unix_ns, 5);
	assert_int_equal(s->n_threads, n);
	for (i = 0; i < n; i++) {
		snprintf(comm, sizeof(comm), "w%zu", i);
		assert_int_equal(s->threads[i].tid, i + 1);
		assert_string_equal(s->threads[i].comm, comm);
		assert_true(s->threads[i].run_time_ns == (i == 1 ? UINT64_MAX : 7));
		assert_int_equal(s->threads[i].state, '~');
		assert_string_equal(s->threads[i].pcomm, "");
	}
}

/* Many threads (the array grows past its first 64 slots), odd whitespace. */
static void test_many_threads_and_whitespace(void **state)
{
	static const char *const seps[] = { "", " \n\t\r", "\x01\x1f" /* cJSON: any byte <= 32 */ };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(seps) / sizeof(seps[0]); i++) {
		char *d = threads_doc(1000, seps[i]);
		struct ctprof_snapshot *s = load(d, 0, NULL);

		check_threads(s, 1000);
		assert_int_equal(s->schema, CTPROF_SCHEMA_OLD);
		ctprof_snapshot_free(s);
		free(d);
	}
}

static void test_boundary_documents(void **state)
{
	struct ctprof_snapshot *s;
	char *d;

	(void)state;
	/* byte-order mark: cJSON skips it */
	s = load("\xEF\xBB\xBF{\"captured_at_unix_ns\":5,\"threads\":[]," REST "}", 0, NULL);
	assert_int_equal(s->n_threads, 0);
	assert_int_equal(s->schema, CTPROF_SCHEMA_NONE);
	ctprof_snapshot_free(s);
	/* an escaped key is still the threads key; unknown keys ignored; any key order */
	s = load("{\"x\":[1,{\"y\":[2.5e3]}]," REST ",\"thr\\u0065ads\":[{\"tid\":9}],"
		 "\"captured_at_unix_ns\":5}",
		 0, NULL);
	assert_int_equal(s->n_threads, 1);
	assert_int_equal(s->threads[0].tid, 9);
	ctprof_snapshot_free(s);
	/* errors are the whole-document path's: syntax after a shape error wins */
	load("{\"captured_at_unix_ns\":5,\"threads\":[{\"tid\":-1}]," REST ",}", -EBADMSG,
	     NULL);
	d = tu_path("{\"captured_at_unix_ns\":5,\"threads\":[{\"tid\":-1}]," REST "}");
	load(d, -EBADMSG, "t.json: parse JSON: threads[0].tid: expected an unsigned integer");
	free(d);
	load("{\"captured_at_unix_ns\":5,\"threads\":[{}]," REST "}x", -EBADMSG, NULL);
	load("{\"captured_at_unix_ns\":5,\"threads\":[{},]," REST "}", -EBADMSG, NULL);
	load("{\"captured_at_unix_ns\":5,\"threads\":[]," REST ",\"threads\":[]}", -EBADMSG,
	     "t.json: parse JSON: duplicate field `threads`");
	load("{\"captured_at_unix_ns\":5,\"threads\":null," REST "}", -EBADMSG,
	     "t.json: parse JSON: threads: expected an array");
	load("{\"threads\":[]," REST "}", -EBADMSG,
	     "t.json: parse JSON: missing field `captured_at_unix_ns`");
}

/*
 * cJSON refuses containers nested 1000 deep in the whole document; a thread
 * sits 2 deep, so an ignored key inside a thread may nest 997 more, not 998.
 */
static char *nested_doc(size_t depth)
{
	struct ctprof_buf b = { 0 };
	size_t i;

	ctprof_buf_puts(&b, "{\"captured_at_unix_ns\":5,\"threads\":[{\"tid\":1,\"x\":");
	for (i = 0; i < depth; i++)
		ctprof_buf_putc(&b, '[');
	for (i = 0; i < depth; i++)
		ctprof_buf_putc(&b, ']');
	ctprof_buf_puts(&b, "}]," REST "}");
	assert_false(b.oom);
	return b.data;
}

static void test_nesting_limit(void **state)
{
	char *ok = nested_doc(CJSON_NESTING_LIMIT - 3), *bad = nested_doc(CJSON_NESTING_LIMIT - 2);
	struct ctprof_snapshot *s;
	struct ctprof_error err = { 0 };

	(void)state;
	s = load(ok, 0, NULL);
	assert_int_equal(s->threads[0].tid, 1);
	ctprof_snapshot_free(s);
	assert_int_equal(ctprof_snapshot_from_json(bad, strlen(bad), "t.json", &s, &err), -EBADMSG);
	assert_non_null(strstr(err.msg, "t.json: parse JSON: invalid JSON (at byte "));
	free(ok);
	free(bad);
}

/* The hooks are global: cJSON outside a load uses malloc/free, on any thread. */
static void *outside_load(void *arg)
{
	cJSON *j = cJSON_Parse("{\"a\":[1,2,\"three\"]}");
	char *p;

	(void)arg;
	if (!j)
		return NULL;
	p = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	return p;
}

static void test_cjson_outside_a_load(void **state)
{
	struct ctprof_snapshot *s;
	pthread_t th;
	char *p, *d = threads_doc(3, "");

	(void)state;
	s = load(d, 0, NULL); /* installs the hooks */
	ctprof_snapshot_free(s);
	p = outside_load(NULL);
	assert_string_equal(p, "{\"a\":[1,2,\"three\"]}");
	free(p);
	assert_int_equal(pthread_create(&th, NULL, outside_load, NULL), 0);
	assert_int_equal(pthread_join(th, (void **)&p), 0);
	assert_string_equal(p, "{\"a\":[1,2,\"three\"]}");
	free(p);
	free(d);
}

struct job {
	const char *json;
	int rc;
	size_t n;
};

static void *load_job(void *arg)
{
	struct job *j = arg;
	int round;

	for (round = 0; round < 20; round++) {
		struct ctprof_snapshot *s = NULL;

		j->rc = ctprof_snapshot_from_json(j->json, strlen(j->json), "t.json", &s, NULL);
		if (j->rc)
			return NULL;
		j->n = s->n_threads;
		if (s->threads[1].run_time_ns != UINT64_MAX)
			j->rc = -1;
		ctprof_snapshot_free(s);
	}
	return NULL;
}

static void test_concurrent_loads(void **state)
{
	char *d1 = threads_doc(500, ""), *d2 = threads_doc(700, " ");
	struct job a = { d1, -1, 0 }, b = { d2, -1, 0 };
	pthread_t th;

	(void)state;
	assert_int_equal(pthread_create(&th, NULL, load_job, &a), 0);
	load_job(&b);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(a.rc, 0);
	assert_int_equal(b.rc, 0);
	assert_int_equal(a.n, 500);
	assert_int_equal(b.n, 700);
	free(d1);
	free(d2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_many_threads_and_whitespace),
		cmocka_unit_test(test_boundary_documents),
		cmocka_unit_test(test_nesting_limit),
		cmocka_unit_test(test_cjson_outside_a_load),
		cmocka_unit_test(test_concurrent_loads),
	};
	return cmocka_run_group_tests_name("codec_stream", tests, NULL, NULL);
}
