/* SPDX-License-Identifier: MIT */
/*
 * Allocation-failure sweeps (issue 8), shared by tests/unit/test_allocfail*.c.
 *
 * af_sweep() runs an operation once counting the library's hooked
 * allocations (ctprof_malloc/calloc/realloc, and through them cJSON's and
 * zstd's), then once for every N = 1..count with exactly allocation N
 * failing. Each run where the failure fired must return -ENOMEM with the
 * same code in the error and a one-line message; a run where it did not
 * fire (a multi-threaded capture can allocate less) must succeed. With
 * `exact`, the run compares its whole result with the clean run's (and
 * fails the test when they differ), so a run that recovered from the
 * failure (e.g. fewer capture helper threads when starting one failed)
 * and returned 0 is accepted and counted as recovered. Every
 * run frees what it made, so the ASan and valgrind CI stages see any leak
 * on an error path.
 *
 * CTPROF_ALLOCFAIL_STRIDE=K sweeps every Kth N only (plus the last one),
 * for slow runners; the default is 1, every allocation.
 * CTPROF_ALLOCFAIL_VERBOSE=1 prints the error message of every injected failure.
 */
#ifndef CTPROF_TEST_ALLOCFAIL_H
#define CTPROF_TEST_ALLOCFAIL_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ctprof/common.h>

#include "util/util.h"

typedef int (*af_run_fn)(void *ctx, struct ctprof_error *err);
/* Called after every injected failure (e.g. to check that no file was left). */
typedef void (*af_check_fn)(void *ctx, unsigned long n);

struct af_result {
	unsigned long total;  /* allocations of the clean run */
	unsigned long swept;  /* runs with an injected failure */
	unsigned long missed; /* runs where N was beyond what that run allocated */
	unsigned long recovered; /* exact runs that succeeded despite the failure */
};

/* Count at af_pause() time, 0 when the run did not pause. */
static unsigned long af_paused_at;
/* The allocation failing in the current run (0: none). */
static unsigned long af_cur_n;
/*
 * At most this many injected runs per sweep (0: no limit): a larger
 * operation is swept with the stride that keeps it under the limit.
 */
static unsigned long af_max_runs;

/*
 * Stop injecting for the rest of this run (to check a result with
 * allocating helpers) without losing how far the run got.
 */
static inline void af_pause(void)
{
	af_paused_at = ctprof_alloc_count();
	ctprof_alloc_inject(0);
}

static unsigned long af_stride(void)
{
	const char *s = getenv("CTPROF_ALLOCFAIL_STRIDE");
	char *end;
	unsigned long v;

	if (!s || !*s)
		return 1;
	v = strtoul(s, &end, 10);
	if (*end || !v) {
		fprintf(stderr, "CTPROF_ALLOCFAIL_STRIDE=%s: not a positive integer\n", s);
		abort();
	}
	return v;
}

static void af_one(const char *name, af_run_fn run, af_check_fn check, void *ctx, bool exact,
		   unsigned long n, unsigned long total, struct af_result *r)
{
	struct ctprof_error err;
	unsigned long seen;
	int rc;

	memset(&err, 0, sizeof(err));
	af_paused_at = 0;
	af_cur_n = n;
	ctprof_alloc_inject(n);
	rc = run(ctx, &err);
	seen = af_paused_at ? af_paused_at : ctprof_alloc_count();
	ctprof_alloc_inject(0);
	af_cur_n = 0;
	if (seen < n) {
		/* the failure never fired: this run allocated less */
		if (rc)
			fail_msg("%s: allocation %lu (of %lu) not reached, yet rc %d: %s", name, n,
				 total, rc, err.msg);
		r->missed++;
		return;
	}
	if (rc == 0 && exact) {
		r->recovered++;
		return;
	}
	if (rc != -ENOMEM)
		fail_msg("%s: allocation %lu of %lu failed: rc %d (%s), want -ENOMEM (%d)", name, n,
			 total, rc, err.msg, -ENOMEM);
	if (err.code != -ENOMEM)
		fail_msg("%s: allocation %lu of %lu failed: err.code %d (%s), want -ENOMEM", name, n,
			 total, err.code, err.msg);
	if (!err.msg[0] || strchr(err.msg, '\n'))
		fail_msg("%s: allocation %lu of %lu failed: message \"%s\" is not one line", name,
			 n, total, err.msg);
	if (getenv("CTPROF_ALLOCFAIL_VERBOSE"))
		print_message("# %s: allocation %lu: %s\n", name, n, err.msg);
	if (check)
		check(ctx, n);
	r->swept++;
}

static struct af_result af_sweep(const char *name, af_run_fn run, af_check_fn check, void *ctx,
				 bool exact)
{
	struct af_result r = { 0, 0, 0, 0 };
	struct ctprof_error err;
	unsigned long n, stride = af_stride();
	int rc;

	memset(&err, 0, sizeof(err));
	af_paused_at = 0;
	ctprof_alloc_inject(CTPROF_ALLOC_COUNT_ONLY);
	rc = run(ctx, &err);
	r.total = af_paused_at ? af_paused_at : ctprof_alloc_count();
	ctprof_alloc_inject(0);
	if (rc)
		fail_msg("%s: the run without injection failed: %d %s", name, rc, err.msg);
	if (!r.total)
		fail_msg("%s: no hooked allocation at all", name);
	if (af_max_runs && r.total / stride > af_max_runs)
		stride = (r.total + af_max_runs - 1) / af_max_runs;
	for (n = 1; n <= r.total; n += stride)
		af_one(name, run, check, ctx, exact, n, r.total, &r);
	if ((r.total - 1) % stride)
		af_one(name, run, check, ctx, exact, r.total, r.total, &r);
	/* one past the end: nothing fails */
	memset(&err, 0, sizeof(err));
	ctprof_alloc_inject(r.total + 1000000);
	rc = run(ctx, &err);
	ctprof_alloc_inject(0);
	if (rc)
		fail_msg("%s: run with the failure out of reach failed: %d %s", name, rc, err.msg);
	print_message("# %s: %lu allocations, stride %lu: %lu -ENOMEM, %lu recovered, %lu not "
		      "reached\n", name, r.total, stride, r.swept, r.recovered, r.missed);
	return r;
}

#endif
