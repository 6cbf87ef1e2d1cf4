/* SPDX-License-Identifier: MIT */
/* Internal helpers shared by every lib/ module: errors, logging, buffers, UTF-8. */
#ifndef CTPROF_LIB_UTIL_H
#define CTPROF_LIB_UTIL_H

#include <ctprof/common.h>
#include <stdarg.h>

#define CTPROF_HIDDEN __attribute__((visibility("hidden")))
#define CTPROF_PRINTF(a, b) __attribute__((format(printf, a, b)))

/*
 * Fill err (may be NULL) with code (a negative errno) and a formatted
 * message; returns code so callers can `return ctprof_err(...)`.
 * Newlines and other control characters in the message are replaced by
 * spaces so that the message is always one line.
 */
CTPROF_HIDDEN int ctprof_err(struct ctprof_error *err, int code, const char *fmt, ...)
	CTPROF_PRINTF(3, 4);
/* Prefix an existing error message with "prefix: ". */
CTPROF_HIDDEN int ctprof_err_prefix(struct ctprof_error *err, const char *fmt, ...)
	CTPROF_PRINTF(2, 3);

/* Emit a line through the installed log callback (silent by default). */
CTPROF_HIDDEN void ctprof_log(int level, const char *fmt, ...) CTPROF_PRINTF(2, 3);
CTPROF_HIDDEN bool ctprof_log_enabled(void);

/* Growable byte buffer. All functions return 0 or -ENOMEM. */
struct ctprof_buf {
	char *data;
	size_t len;
	size_t cap;
	bool oom; /* sticky: an append failed */
};
CTPROF_HIDDEN int ctprof_buf_reserve(struct ctprof_buf *b, size_t extra);
CTPROF_HIDDEN int ctprof_buf_append(struct ctprof_buf *b, const void *p, size_t n);
CTPROF_HIDDEN int ctprof_buf_putc(struct ctprof_buf *b, char c);
CTPROF_HIDDEN int ctprof_buf_puts(struct ctprof_buf *b, const char *s);
CTPROF_HIDDEN int ctprof_buf_u64(struct ctprof_buf *b, uint64_t v);
CTPROF_HIDDEN int ctprof_buf_i64(struct ctprof_buf *b, int64_t v);
CTPROF_HIDDEN void ctprof_buf_free(struct ctprof_buf *b);

/* Decimal u64 formatting into buf (>= 21 bytes); returns the length. */
CTPROF_HIDDEN size_t ctprof_fmt_u64(char *buf, uint64_t v);

/*
 * Strict decimal parsers over [s, s+n): digits only (a leading '-' for the
 * signed one), no spaces, no '+', no overflow. Return false on any failure.
 */
CTPROF_HIDDEN bool ctprof_parse_u64(const char *s, size_t n, uint64_t *out);
CTPROF_HIDDEN bool ctprof_parse_i64(const char *s, size_t n, int64_t *out);

/* True when [s, s+n) is valid UTF-8 (no overlongs, no surrogates, <= U+10FFFF). */
CTPROF_HIDDEN bool ctprof_utf8_valid(const char *s, size_t n);
/*
 * Lossy decode: copy [s, s+n) replacing each maximal invalid subsequence
 * with U+FFFD (the Unicode "substitution of maximal subparts" practice
 * that Rust's from_utf8_lossy follows). Returns a malloc'd NUL-terminated
 * string, or NULL on ENOMEM. Embedded NULs are kept as U+FFFD too, so that
 * the result is a C string that loses nothing visible.
 */
CTPROF_HIDDEN char *ctprof_utf8_lossy(const char *s, size_t n);

/* strdup that returns NULL only on ENOMEM; s may be NULL (gives NULL). */
/* CLOCK_MONOTONIC in milliseconds and nanoseconds. */
CTPROF_HIDDEN uint64_t ctprof_mono_ms(void);
CTPROF_HIDDEN uint64_t ctprof_mono_ns(void);
/* Sleep ms milliseconds; a signal ends the sleep early (the caller re-checks). */
CTPROF_HIDDEN void ctprof_sleep_ms(unsigned ms);

CTPROF_HIDDEN char *ctprof_strdup(const char *s);
CTPROF_HIDDEN char *ctprof_strndup(const char *s, size_t n);

/* Allocation hooks, so that tests can inject failures (issue 8). */
CTPROF_HIDDEN void *ctprof_malloc(size_t n);
CTPROF_HIDDEN void *ctprof_calloc(size_t n, size_t sz);
CTPROF_HIDDEN void *ctprof_realloc(void *p, size_t n);

/*
 * Allocation-failure injection (tests only; tests/unit/test_allocfail*.c).
 * ctprof_alloc_inject(N) resets the counter and makes the Nth hooked
 * allocation from now on fail (return NULL, errno ENOMEM); every other one
 * succeeds. CTPROF_ALLOC_COUNT_ONLY only counts, 0 switches counting off.
 * ctprof_alloc_count() is the number of hooked allocations since the call.
 * Counting is atomic (capture workers allocate concurrently).
 */
#define CTPROF_ALLOC_COUNT_ONLY ((unsigned long)-1)
CTPROF_HIDDEN void ctprof_alloc_inject(unsigned long fail_at);
CTPROF_HIDDEN unsigned long ctprof_alloc_count(void);
/*
 * Sticky per-thread flag: true when a hooked allocation of the calling
 * thread returned NULL since the previous call (which it clears). For
 * callers of helpers that cannot report ENOMEM themselves (the procfs
 * parsers return only whether they parsed).
 */
CTPROF_HIDDEN bool ctprof_alloc_failed_take(void);

#endif
