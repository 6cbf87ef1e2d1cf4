/* SPDX-License-Identifier: MIT */
/*
 * The decompression cap: a payload of exactly CTPROF_MAX_DECOMPRESSED_BYTES
 * loads, one byte more is rejected, and the loader never asks for more than
 * cap + 1 bytes of memory (ctprof_malloc/ctprof_realloc are wrapped to
 * record the largest request). Payloads are a valid snapshot padded with
 * spaces, compressed in the test from a small buffer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include <zstd.h>

#include <ctprof/snapshot.h>

#include "testutil.h"

static size_t max_request;

void *__real_ctprof_malloc(size_t n);
void *__real_ctprof_realloc(void *p, size_t n);

void *__wrap_ctprof_malloc(size_t n)
{
	if (n > max_request)
		max_request = n;
	return __real_ctprof_malloc(n);
}

void *__wrap_ctprof_realloc(void *p, size_t n)
{
	if (n > max_request)
		max_request = n;
	return __real_ctprof_realloc(p, n);
}

#define PSI_HALF0 "{\"avg10\":0,\"avg60\":0,\"avg300\":0,\"total_usec\":0}"
#define PSI_RES0 "{\"some\":" PSI_HALF0 ",\"full\":" PSI_HALF0 "}"
#define PSI0 "{\"cpu\":" PSI_RES0 ",\"memory\":" PSI_RES0 ",\"io\":" PSI_RES0 ",\"irq\":" PSI_RES0 "}"

static const char prefix[] =
	"{\"captured_at_unix_ns\":18446744073709551615,\"host\":null,"
	"\"threads\":[{\"tid\":7,\"tgid\":7,\"comm\":\"padded\",\"run_time_ns\":9007199254740993}],"
	"\"cgroup_stats\":{},\"probe_summary\":null,\"parse_summary\":null,"
	"\"taskstats_summary\":null,\"psi\":" PSI0 ",\"sched_ext\":null}";

/* Write zstd(prefix + spaces) of exactly total bytes, streaming from 1 MiB. */
static void write_padded(const char *path, size_t total)
{
	static char spaces[1 << 20];
	size_t ocap = ZSTD_CStreamOutSize(), left = total - (sizeof(prefix) - 1), ret;
	char *ob = malloc(ocap);
	ZSTD_CCtx *c = ZSTD_createCCtx();
	FILE *f = fopen(path, "wb");
	ZSTD_inBuffer in = { prefix, sizeof(prefix) - 1, 0 };

	assert_non_null(f);
	memset(spaces, ' ', sizeof(spaces));
	ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, 3);
	for (;;) {
		bool last = left == 0;

		do {
			ZSTD_outBuffer o = { ob, ocap, 0 };

			ret = ZSTD_compressStream2(c, &o, &in, last ? ZSTD_e_end : ZSTD_e_continue);
			assert_false(ZSTD_isError(ret));
			assert_int_equal(fwrite(ob, 1, o.pos, f), o.pos);
		} while (last ? ret != 0 : in.pos < in.size);
		if (last)
			break;
		in.src = spaces;
		in.size = left < sizeof(spaces) ? left : sizeof(spaces);
		in.pos = 0;
		left -= in.size;
	}
	assert_int_equal(fclose(f), 0);
	ZSTD_freeCCtx(c);
	free(ob);
}

static void test_exact_cap_loads(void **state)
{
	char *dir = tu_mkdtemp("codec-cap");
	char *p = tu_path("%s/cap.ctprof.zst", dir);
	struct ctprof_snapshot *s = NULL;
	struct ctprof_error err = { 0 };
	struct stat st;

	(void)state;
	write_padded(p, CTPROF_MAX_DECOMPRESSED_BYTES);
	assert_int_equal(stat(p, &st), 0);
	assert_true(st.st_size < 1 << 20); /* the test file itself stays small */
	max_request = 0;
	if (ctprof_snapshot_load(p, &s, &err))
		fail_msg("%s", err.msg);
	assert_true(max_request <= CTPROF_MAX_DECOMPRESSED_BYTES + 1);
	assert_true(s->captured_at_unix_ns == UINT64_MAX);
	assert_int_equal(s->n_threads, 1);
	assert_string_equal(s->threads[0].comm, "padded");
	assert_true(s->threads[0].run_time_ns == 9007199254740993ull);
	ctprof_snapshot_free(s);
	tu_rmtree(dir);
	free(p);
	free(dir);
}

static void test_cap_plus_one_rejected(void **state)
{
	char *dir = tu_mkdtemp("codec-cap");
	char *p = tu_path("%s/over.ctprof.zst", dir);
	struct ctprof_snapshot *s = NULL;
	struct ctprof_error err = { 0 };
	char *want;

	(void)state;
	write_padded(p, CTPROF_MAX_DECOMPRESSED_BYTES + 1);
	max_request = 0;
	assert_int_equal(ctprof_snapshot_load(p, &s, &err), -EFBIG);
	assert_null(s);
	assert_int_equal(err.code, -EFBIG);
	want = tu_path("%s: zstd decompress: zstd-decompressed payload exceeds the 268435456-byte "
		       "cap (decompression-bomb guard)",
		       p);
	assert_string_equal(err.msg, want);
	assert_true(max_request <= CTPROF_MAX_DECOMPRESSED_BYTES + 1);
	assert_true(max_request > CTPROF_MAX_DECOMPRESSED_BYTES / 2);
	free(want);
	tu_rmtree(dir);
	free(p);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact_cap_loads),
		cmocka_unit_test(test_cap_plus_one_rejected),
	};
	return cmocka_run_group_tests_name("codec_cap", tests, NULL, NULL);
}
