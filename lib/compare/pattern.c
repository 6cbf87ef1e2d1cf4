/* SPDX-License-Identifier: MIT */
/*
 * ktstr's token normalizer (compare-engine.md §4.2), the automatic cgroup
 * normalization (§4.5.2) and the --cgroup-flatten globs (§4.5.1).
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>

#include "cmp.h"

/*
 * Length of the separator character at s[i] (0 when s[i] starts a token
 * character). Separators: . - _ / : @ + [ ] and every Unicode White_Space
 * character (Rust's char::is_whitespace), matched on their UTF-8 bytes.
 */
static size_t sep_len(const unsigned char *s, size_t i, size_t n)
{
	unsigned char c = s[i];

	switch (c) {
	case '.': case '-': case '_': case '/': case ':': case '@': case '+': case '[': case ']':
	case ' ': case '\t': case '\n': case '\v': case '\f': case '\r':
		return 1;
	default:
		break;
	}
	if (c < 0x80)
		return 0;
	if (c == 0xc2 && i + 1 < n && (s[i + 1] == 0x85 || s[i + 1] == 0xa0))
		return 2; /* U+0085, U+00A0 */
	if (i + 2 >= n)
		return 0;
	if (c == 0xe1 && s[i + 1] == 0x9a && s[i + 2] == 0x80)
		return 3; /* U+1680 */
	if (c == 0xe2 && s[i + 1] == 0x80 &&
	    (s[i + 2] <= 0x8a || s[i + 2] == 0xa8 || s[i + 2] == 0xa9 || s[i + 2] == 0xaf) &&
	    s[i + 2] >= 0x80)
		return 3; /* U+2000..U+200A, U+2028, U+2029, U+202F */
	if (c == 0xe2 && s[i + 1] == 0x81 && s[i + 2] == 0x9f)
		return 3; /* U+205F */
	if (c == 0xe3 && s[i + 1] == 0x80 && s[i + 2] == 0x80)
		return 3; /* U+3000 */
	return 0;
}

static bool is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Classify one token (§4.2 step 2) and append the result. */
static int classify(struct ctprof_buf *out, const unsigned char *t, size_t n)
{
	size_t i, lead = 0, trail = 0;
	bool all_digit = true, hexlike = n >= 2, has_digit = false;

	for (i = 0; i < n; i++) {
		unsigned char c = t[i];

		if (!is_digit(c))
			all_digit = false;
		else
			has_digit = true;
		if (!is_digit(c) && !(c >= 'a' && c <= 'f'))
			hexlike = false;
	}
	if (n == 0)
		return 0;
	/* Rule 1: ^[0-9]+$ */
	if (all_digit)
		return ctprof_buf_puts(out, "{N}");
	/* Rule 2: ^[0-9a-f]{2,}$ with at least one digit */
	if (hexlike && has_digit)
		return ctprof_buf_puts(out, "{H}");
	/* Rule 3: ^([A-Za-z]+)[0-9]+$ */
	while (lead < n && is_alpha(t[lead]))
		lead++;
	if (lead > 0 && lead < n) {
		for (i = lead; i < n && is_digit(t[i]); i++)
			;
		if (i == n) {
			ctprof_buf_append(out, t, lead);
			return ctprof_buf_puts(out, "{N}");
		}
	}
	/* Rule 4: ^[0-9]+([A-Za-z]+)$ */
	while (trail < n && is_digit(t[trail]))
		trail++;
	if (trail > 0 && trail < n) {
		for (i = trail; i < n && is_alpha(t[i]); i++)
			;
		if (i == n) {
			ctprof_buf_puts(out, "{N}");
			return ctprof_buf_append(out, t + trail, n - trail);
		}
	}
	return ctprof_buf_append(out, t, n);
}

int cp_pattern_key(struct ctprof_buf *out, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < n) {
		size_t start = i, l = sep_len(s, i, n);

		if (l) {
			while (i < n && (l = sep_len(s, i, n)) != 0)
				i += l;
			ctprof_buf_append(out, s + start, i - start);
		} else {
			while (i < n && sep_len(s, i, n) == 0)
				i++;
			classify(out, s + start, i - start);
		}
	}
	return out->oom ? -ENOMEM : 0;
}

/*
 * Layer 1: every "@<instance>.service" segment (bounded by '/' or the end)
 * whose instance is non-empty and holds none of '.', '_', '-' becomes
 * "@{I}.service". A segment without the ".service" suffix is left alone
 * and scanning resumes right after its '@'.
 */
static int systemd_template(struct ctprof_buf *out, const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		const char *at = memchr(s + i, '@', n - i);
		size_t a, end, seglen;

		if (!at)
			break;
		a = (size_t)(at - s);
		ctprof_buf_append(out, s + i, a - i + 1); /* up to and including '@' */
		end = a + 1;
		while (end < n && s[end] != '/')
			end++;
		seglen = end - (a + 1);
		if (seglen >= 8 && memcmp(s + end - 8, ".service", 8) == 0) {
			const char *inst = s + a + 1;
			size_t ilen = seglen - 8, k;
			bool structured = ilen == 0;

			for (k = 0; k < ilen; k++)
				if (inst[k] == '.' || inst[k] == '_' || inst[k] == '-')
					structured = true;
			if (structured)
				ctprof_buf_append(out, inst, seglen);
			else
				ctprof_buf_puts(out, "{I}.service");
			i = end;
		} else {
			i = a + 1;
		}
	}
	if (i < n)
		ctprof_buf_append(out, s + i, n - i);
	return out->oom ? -ENOMEM : 0;
}

int cp_cgroup_normalize(struct ctprof_buf *out, const char *s, size_t n)
{
	struct ctprof_buf l1 = { 0 };
	int r = systemd_template(&l1, s, n);

	if (r == 0)
		r = cp_pattern_key(out, l1.data ? l1.data : "", l1.len);
	ctprof_buf_free(&l1);
	return r;
}

/*
 * Rust's glob::Pattern::new rejects: a run of three or more '*', a "**"
 * that is not a whole path component, and a '[' without a closing ']'.
 * Everything else compiles, and fnmatch(FNM_NOESCAPE) then matches as the
 * glob crate does with default options (no literal-separator rule).
 */
bool cp_glob_valid(const char *g)
{
	size_t n = strlen(g), i = 0;

	while (i < n) {
		if (g[i] == '*') {
			size_t run = 0;

			while (i + run < n && g[i + run] == '*')
				run++;
			if (run >= 3)
				return false;
			if (run == 2) {
				if (i > 0 && g[i - 1] != '/')
					return false;
				if (i + 2 < n && g[i + 2] != '/')
					return false;
			}
			i += run;
		} else if (g[i] == '[') {
			size_t j = i + 1;

			if (j < n && g[j] == '!')
				j++;
			if (j < n && g[j] == ']')
				j++; /* a leading ']' is a member */
			while (j < n && g[j] != ']')
				j++;
			if (j >= n)
				return false;
			i = j + 1;
		} else {
			i++;
		}
	}
	return true;
}

CTPROF_API char *ctprof_pattern_key(const char *name)
{
	struct ctprof_buf b = { 0 };

	if (!name)
		return NULL;
	if (cp_pattern_key(&b, name, strlen(name)) < 0 || ctprof_buf_putc(&b, '\0') < 0) {
		ctprof_buf_free(&b);
		errno = ENOMEM;
		return NULL;
	}
	return b.data;
}

CTPROF_API char *ctprof_cgroup_normalize(const char *path)
{
	struct ctprof_buf b = { 0 };

	if (!path)
		return NULL;
	if (cp_cgroup_normalize(&b, path, strlen(path)) < 0 || ctprof_buf_putc(&b, '\0') < 0) {
		ctprof_buf_free(&b);
		errno = ENOMEM;
		return NULL;
	}
	return b.data;
}

CTPROF_API const char *ctprof_cgroup_flatten(const char *path, const char *const *globs,
					     size_t n_globs)
{
	size_t i;

	for (i = 0; i < n_globs; i++) {
		if (!globs[i] || !cp_glob_valid(globs[i]))
			continue;
		if (fnmatch(globs[i], path, FNM_NOESCAPE) == 0)
			return globs[i];
	}
	return NULL;
}
