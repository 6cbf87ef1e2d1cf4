/* SPDX-License-Identifier: MIT */
/*
 * Internal to lib/capture/parse_*.c: byte-level text primitives that
 * reproduce the Rust std behaviour ktstr's parsers rely on, so that our
 * parsers accept and reject exactly the same inputs:
 *
 * - str::lines(): split on '\n', drop one trailing '\r' per line, no final
 *   empty line after a terminating '\n'.
 * - str::trim() / split_whitespace(): Unicode White_Space (ASCII plus
 *   U+0085, U+00A0, U+1680, U+2000..U+200A, U+2028, U+2029, U+202F,
 *   U+205F, U+3000), matched on their UTF-8 encodings in the raw bytes.
 * - split_ascii_whitespace(): ' ', '\t', '\n', '\f', '\r' (not '\v').
 * - <u64 as FromStr>: an optional leading '+', then one or more ASCII
 *   digits, no overflow. Signed types also take a leading '-'.
 *
 * All of them work on [p, end) byte ranges and never read past end.
 */
#ifndef CTPROF_LIB_CAPTURE_PARSE_TEXT_H
#define CTPROF_LIB_CAPTURE_PARSE_TEXT_H

#include <ctprof/snapshot.h>
#include "../util/util.h"

/* A byte range [p, p + n). */
struct ctprof_span {
	const char *p;
	size_t n;
};

static inline struct ctprof_span ctprof_span_of(const char *p, size_t n)
{
	struct ctprof_span s = { p, n };

	return s;
}

/*
 * Line iterator: *pos starts at 0. Fills *line with the next line (without
 * '\n' and without one trailing '\r') and returns true; false at the end.
 */
CTPROF_HIDDEN bool ctprof_next_line(const char *buf, size_t len, size_t *pos,
				    struct ctprof_span *line);

/* Unicode-aware trims (Rust str::trim / trim_start / trim_end). */
CTPROF_HIDDEN struct ctprof_span ctprof_trim(struct ctprof_span s);
CTPROF_HIDDEN struct ctprof_span ctprof_trim_start(struct ctprof_span s);
CTPROF_HIDDEN struct ctprof_span ctprof_trim_end(struct ctprof_span s);
/* True when s contains a Unicode White_Space character. */
CTPROF_HIDDEN bool ctprof_has_space(struct ctprof_span s);

/*
 * Token iterator over s: *pos starts at 0; fills *tok with the next run of
 * non-whitespace bytes. ascii selects split_ascii_whitespace() semantics,
 * otherwise split_whitespace() (Unicode).
 */
CTPROF_HIDDEN bool ctprof_next_token(struct ctprof_span s, size_t *pos, bool ascii,
				     struct ctprof_span *tok);

/* Split at the first occurrence of c; false when c does not occur. */
CTPROF_HIDDEN bool ctprof_split_once(struct ctprof_span s, char c, struct ctprof_span *before,
				     struct ctprof_span *after);

/* s equals the NUL-terminated literal lit. */
CTPROF_HIDDEN bool ctprof_span_eq(struct ctprof_span s, const char *lit);
CTPROF_HIDDEN bool ctprof_span_starts(struct ctprof_span s, char c);

/* Rust FromStr for integers (see above). false on any failure. */
CTPROF_HIDDEN bool ctprof_num_u64(struct ctprof_span s, uint64_t *out);
CTPROF_HIDDEN bool ctprof_num_u32(struct ctprof_span s, uint32_t *out);
CTPROF_HIDDEN bool ctprof_num_i32(struct ctprof_span s, int32_t *out);

/*
 * Build a sorted map from n (key, value) pairs in input order; when a key
 * repeats the last value wins (Rust BTreeMap::insert). Keys are decoded
 * lossily. out is cleared first. 0 or -ENOMEM (out left empty).
 */
struct ctprof_kv_span {
	struct ctprof_span key;
	uint64_t value;
};
CTPROF_HIDDEN int ctprof_kvmap_from_spans(struct ctprof_kv_span *kv, size_t n,
					  struct ctprof_kvmap *out);

/* Growable array of ctprof_kv_span used while collecting. */
struct ctprof_kv_list {
	struct ctprof_kv_span *v;
	size_t n, cap;
};
CTPROF_HIDDEN int ctprof_kv_list_push(struct ctprof_kv_list *l, struct ctprof_span key,
				      uint64_t value);

#endif
