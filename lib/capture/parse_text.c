/* SPDX-License-Identifier: MIT */
/* Byte-level text primitives with Rust std semantics (see parse_text.h). */
#include "parse_text.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

bool ctprof_next_line(const char *buf, size_t len, size_t *pos, struct ctprof_span *line)
{
	size_t start = *pos, end;
	const char *nl;

	if (start >= len)
		return false;
	nl = memchr(buf + start, '\n', len - start);
	end = nl ? (size_t)(nl - buf) : len;
	*pos = nl ? end + 1 : len;
	line->p = buf + start;
	line->n = end - start;
	if (line->n && line->p[line->n - 1] == '\r')
		line->n--;
	return true;
}

static bool ascii_space(unsigned char c, bool rust_ascii)
{
	switch (c) {
	case ' ':
	case '\t':
	case '\n':
	case '\f':
	case '\r':
		return true;
	case '\v':
		return !rust_ascii; /* char::is_whitespace has it, is_ascii_whitespace not */
	default:
		return false;
	}
}

/* Length of the Unicode White_Space character starting at p, or 0. */
static size_t ws_at(const unsigned char *p, size_t n, bool ascii)
{
	if (!n)
		return 0;
	if (p[0] < 0x80)
		return ascii_space(p[0], ascii) ? 1 : 0;
	if (ascii)
		return 0;
	if (n >= 2 && p[0] == 0xC2 && (p[1] == 0x85 || p[1] == 0xA0))
		return 2;
	if (n < 3)
		return 0;
	if (p[0] == 0xE1 && p[1] == 0x9A && p[2] == 0x80) /* U+1680 */
		return 3;
	if (p[0] == 0xE2 && p[1] == 0x80 &&
	    ((p[2] >= 0x80 && p[2] <= 0x8A) || p[2] == 0xA8 || p[2] == 0xA9 || p[2] == 0xAF))
		return 3; /* U+2000..U+200A, U+2028, U+2029, U+202F */
	if (p[0] == 0xE2 && p[1] == 0x81 && p[2] == 0x9F) /* U+205F */
		return 3;
	if (p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80) /* U+3000 */
		return 3;
	return 0;
}

/* Length of the White_Space character that ends at p + n, or 0. */
static size_t ws_before(const unsigned char *p, size_t n)
{
	if (!n)
		return 0;
	if (p[n - 1] < 0x80)
		return ascii_space(p[n - 1], false) ? 1 : 0;
	if (n >= 2 && ws_at(p + n - 2, 2, false) == 2)
		return 2;
	if (n >= 3 && ws_at(p + n - 3, 3, false) == 3)
		return 3;
	return 0;
}

struct ctprof_span ctprof_trim_start(struct ctprof_span s)
{
	size_t k;

	while ((k = ws_at((const unsigned char *)s.p, s.n, false))) {
		s.p += k;
		s.n -= k;
	}
	return s;
}

struct ctprof_span ctprof_trim_end(struct ctprof_span s)
{
	size_t k;

	while ((k = ws_before((const unsigned char *)s.p, s.n)))
		s.n -= k;
	return s;
}

struct ctprof_span ctprof_trim(struct ctprof_span s)
{
	return ctprof_trim_end(ctprof_trim_start(s));
}

bool ctprof_has_space(struct ctprof_span s)
{
	size_t i;

	for (i = 0; i < s.n; i++)
		if (ws_at((const unsigned char *)s.p + i, s.n - i, false))
			return true;
	return false;
}

bool ctprof_next_token(struct ctprof_span s, size_t *pos, bool ascii, struct ctprof_span *tok)
{
	const unsigned char *p = (const unsigned char *)s.p;
	size_t i = *pos, k, start;

	while (i < s.n && (k = ws_at(p + i, s.n - i, ascii)))
		i += k;
	if (i >= s.n) {
		*pos = s.n;
		return false;
	}
	start = i;
	while (i < s.n && !ws_at(p + i, s.n - i, ascii))
		i++;
	tok->p = s.p + start;
	tok->n = i - start;
	*pos = i;
	return true;
}

bool ctprof_split_once(struct ctprof_span s, char c, struct ctprof_span *before,
		       struct ctprof_span *after)
{
	const char *at = s.n ? memchr(s.p, c, s.n) : NULL;

	if (!at)
		return false;
	before->p = s.p;
	before->n = (size_t)(at - s.p);
	after->p = at + 1;
	after->n = s.n - before->n - 1;
	return true;
}

bool ctprof_span_eq(struct ctprof_span s, const char *lit)
{
	size_t n = strlen(lit);

	return s.n == n && (n == 0 || memcmp(s.p, lit, n) == 0);
}

bool ctprof_span_starts(struct ctprof_span s, char c)
{
	return s.n && s.p[0] == c;
}

bool ctprof_num_u64(struct ctprof_span s, uint64_t *out)
{
	if (s.n && s.p[0] == '+') {
		s.p++;
		s.n--;
	}
	return ctprof_parse_u64(s.p, s.n, out);
}

bool ctprof_num_u32(struct ctprof_span s, uint32_t *out)
{
	uint64_t v;

	if (!ctprof_num_u64(s, &v) || v > UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

bool ctprof_num_i32(struct ctprof_span s, int32_t *out)
{
	int64_t v;

	if (s.n && s.p[0] == '+') {
		s.p++;
		s.n--;
		/* "+-5" is not a number */
		if (s.n && s.p[0] == '-')
			return false;
	}
	if (!ctprof_parse_i64(s.p, s.n, &v) || v < INT32_MIN || v > INT32_MAX)
		return false;
	*out = (int32_t)v;
	return true;
}

int ctprof_kv_list_push(struct ctprof_kv_list *l, struct ctprof_span key, uint64_t value)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 32;
		struct ctprof_kv_span *v;

		if (cap > SIZE_MAX / sizeof(*v))
			return -ENOMEM;
		v = ctprof_realloc(l->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n].key = key;
	l->v[l->n].value = value;
	l->n++;
	return 0;
}

struct kv_sorted {
	char *key; /* decoded */
	uint64_t value;
	size_t order;
};

static int kv_sorted_cmp(const void *a, const void *b)
{
	const struct kv_sorted *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	if (c)
		return c;
	return x->order < y->order ? -1 : x->order > y->order;
}

int ctprof_kvmap_from_spans(struct ctprof_kv_span *kv, size_t n, struct ctprof_kvmap *out)
{
	struct kv_sorted *tmp;
	struct ctprof_kv *items;
	size_t i, m = 0;

	ctprof_kvmap_clear(out);
	if (!n)
		return 0;
	tmp = ctprof_calloc(n, sizeof(*tmp));
	if (!tmp)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		tmp[i].key = ctprof_utf8_lossy(kv[i].key.p, kv[i].key.n);
		if (!tmp[i].key)
			goto oom;
		tmp[i].value = kv[i].value;
		tmp[i].order = i;
	}
	qsort(tmp, n, sizeof(*tmp), kv_sorted_cmp);
	items = ctprof_calloc(n, sizeof(*items));
	if (!items)
		goto oom;
	/* Keep the last of each run of equal keys (the latest in input order). */
	for (i = 0; i < n; i++) {
		if (i + 1 < n && strcmp(tmp[i].key, tmp[i + 1].key) == 0) {
			free(tmp[i].key);
			tmp[i].key = NULL;
			continue;
		}
		items[m].key = tmp[i].key;
		items[m].value = tmp[i].value;
		tmp[i].key = NULL;
		m++;
	}
	free(tmp);
	out->items = items;
	out->n = m;
	return 0;
oom:
	for (i = 0; i < n; i++)
		free(tmp[i].key);
	free(tmp);
	return -ENOMEM;
}
