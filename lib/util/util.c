/* SPDX-License-Identifier: MIT */
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static ctprof_log_fn log_fn;
static void *log_ctx;

CTPROF_API const char *ctprof_version(void)
{
	return CTPROF_VERSION_STRING;
}

CTPROF_API void ctprof_set_log(ctprof_log_fn fn, void *ctx)
{
	log_fn = fn;
	log_ctx = ctx;
}

bool ctprof_log_enabled(void)
{
	return log_fn != NULL;
}

void ctprof_log(int level, const char *fmt, ...)
{
	char line[2048];
	va_list ap;

	if (!log_fn)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	log_fn(level, line, log_ctx);
}

static void one_line(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = ' ';
}

int ctprof_err(struct ctprof_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return code;
	err->code = code;
	va_start(ap, fmt);
	(void)vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	one_line(err->msg);
	return code;
}

int ctprof_err_prefix(struct ctprof_error *err, const char *fmt, ...)
{
	char prefix[CTPROF_ERROR_MSG_MAX];
	char old[CTPROF_ERROR_MSG_MAX];
	va_list ap;

	if (!err)
		return 0;
	va_start(ap, fmt);
	(void)vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	{
		size_t pl = strnlen(prefix, sizeof(err->msg) - 1);
		size_t room = sizeof(err->msg) - 1 - pl;

		memcpy(err->msg, prefix, pl);
		if (room >= 2) {
			size_t ol = strnlen(old, room - 2);

			memcpy(err->msg + pl, ": ", 2);
			memcpy(err->msg + pl + 2, old, ol);
			pl += 2 + ol;
		}
		err->msg[pl] = '\0';
	}
	one_line(err->msg);
	return err->code;
}

/* ---- allocation hooks ---- */

static unsigned long alloc_fail_at; /* 0: off; CTPROF_ALLOC_COUNT_ONLY: count only */
static unsigned long alloc_counter;
static _Thread_local bool alloc_failed;

bool ctprof_alloc_failed_take(void)
{
	bool f = alloc_failed;

	alloc_failed = false;
	return f;
}

void ctprof_alloc_inject(unsigned long fail_at)
{
	__atomic_store_n(&alloc_fail_at, 0, __ATOMIC_SEQ_CST);
	__atomic_store_n(&alloc_counter, 0, __ATOMIC_SEQ_CST);
	__atomic_store_n(&alloc_fail_at, fail_at, __ATOMIC_SEQ_CST);
}

unsigned long ctprof_alloc_count(void)
{
	return __atomic_load_n(&alloc_counter, __ATOMIC_SEQ_CST);
}

/* True when this allocation is the one to fail. */
static bool alloc_injected(void)
{
	unsigned long at = __atomic_load_n(&alloc_fail_at, __ATOMIC_RELAXED);

	if (!at)
		return false;
	if (__atomic_add_fetch(&alloc_counter, 1, __ATOMIC_SEQ_CST) != at)
		return false;
	errno = ENOMEM;
	return true;
}

void *ctprof_malloc(size_t n)
{
	void *p = alloc_injected() ? NULL : malloc(n ? n : 1);

	if (!p)
		alloc_failed = true;
	return p;
}

void *ctprof_calloc(size_t n, size_t sz)
{
	void *p = alloc_injected() ? NULL : calloc(n ? n : 1, sz ? sz : 1);

	if (!p)
		alloc_failed = true;
	return p;
}

void *ctprof_realloc(void *p, size_t n)
{
	void *q = alloc_injected() ? NULL : realloc(p, n ? n : 1);

	if (!q)
		alloc_failed = true;
	return q;
}

char *ctprof_strndup(const char *s, size_t n)
{
	char *d;

	if (!s)
		return NULL;
	d = ctprof_malloc(n + 1);
	if (!d)
		return NULL;
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

char *ctprof_strdup(const char *s)
{
	return s ? ctprof_strndup(s, strlen(s)) : NULL;
}

/* ---- buffer ---- */

int ctprof_buf_reserve(struct ctprof_buf *b, size_t extra)
{
	size_t need, cap;
	char *p;

	if (b->oom)
		return -ENOMEM;
	if (extra > SIZE_MAX - b->len - 1)
		goto oom;
	need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 256;
	while (cap < need) {
		if (cap > SIZE_MAX / 2) {
			cap = need;
			break;
		}
		cap *= 2;
	}
	p = ctprof_realloc(b->data, cap);
	if (!p)
		goto oom;
	b->data = p;
	b->cap = cap;
	return 0;
oom:
	b->oom = true;
	return -ENOMEM;
}

int ctprof_buf_append(struct ctprof_buf *b, const void *p, size_t n)
{
	if (ctprof_buf_reserve(b, n))
		return -ENOMEM;
	if (n) /* p may be NULL then (an empty buffer whose allocation failed) */
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int ctprof_buf_putc(struct ctprof_buf *b, char c)
{
	if (b->len + 1 < b->cap && !b->oom) {
		b->data[b->len++] = c;
		b->data[b->len] = '\0';
		return 0;
	}
	return ctprof_buf_append(b, &c, 1);
}

int ctprof_buf_puts(struct ctprof_buf *b, const char *s)
{
	return ctprof_buf_append(b, s, strlen(s));
}

size_t ctprof_fmt_u64(char *buf, uint64_t v)
{
	char tmp[21];
	size_t n = 0, i;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	buf[n] = '\0';
	return n;
}

int ctprof_buf_u64(struct ctprof_buf *b, uint64_t v)
{
	char tmp[24];
	size_t n = ctprof_fmt_u64(tmp, v);

	return ctprof_buf_append(b, tmp, n);
}

int ctprof_buf_i64(struct ctprof_buf *b, int64_t v)
{
	if (v < 0) {
		if (ctprof_buf_putc(b, '-'))
			return -ENOMEM;
		return ctprof_buf_u64(b, (uint64_t)0 - (uint64_t)v);
	}
	return ctprof_buf_u64(b, (uint64_t)v);
}

void ctprof_buf_free(struct ctprof_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
	b->oom = false;
}

/* ---- numbers ---- */

bool ctprof_parse_u64(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (n == 0)
		return false;
	for (i = 0; i < n; i++) {
		unsigned d = (unsigned char)s[i] - '0';

		if (d > 9)
			return false;
		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

bool ctprof_parse_i64(const char *s, size_t n, int64_t *out)
{
	uint64_t mag;
	bool neg = false;

	if (n && s[0] == '-') {
		neg = true;
		s++;
		n--;
	}
	if (!ctprof_parse_u64(s, n, &mag))
		return false;
	if (neg) {
		if (mag > (uint64_t)INT64_MAX + 1)
			return false;
		*out = mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag;
	} else {
		if (mag > (uint64_t)INT64_MAX)
			return false;
		*out = (int64_t)mag;
	}
	return true;
}

/* ---- UTF-8 ---- */

/*
 * Length of the valid sequence starting at s[0] (1..4), or 0 if s[0]
 * starts no valid sequence; *maximal receives the length of the maximal
 * subpart to replace in that case (>= 1).
 */
static size_t utf8_seq(const unsigned char *s, size_t n, size_t *maximal)
{
	unsigned char c = s[0];
	size_t need, i;
	unsigned char lo = 0x80, hi = 0xBF;

	*maximal = 1;
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		need = 2;
	else if (c >= 0xE0 && c <= 0xEF) {
		need = 3;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		need = 4;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
	} else
		return 0;
	for (i = 1; i < need; i++) {
		unsigned char l = i == 1 ? lo : 0x80, h = i == 1 ? hi : 0xBF;

		if (i >= n || s[i] < l || s[i] > h) {
			*maximal = i;
			return 0;
		}
	}
	return need;
}

bool ctprof_utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, m, k;

	while (i < n) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		k = utf8_seq(p + i, n - i, &m);
		if (!k)
			return false;
		i += k;
	}
	return true;
}

char *ctprof_utf8_lossy(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	struct ctprof_buf b = { 0 };
	size_t i = 0, m, k;

	if (ctprof_buf_reserve(&b, n))
		return NULL;
	b.data[0] = '\0'; /* n == 0 appends nothing */
	while (i < n) {
		if (p[i] && p[i] < 0x80) {
			ctprof_buf_putc(&b, (char)p[i]);
			i++;
			continue;
		}
		k = p[i] ? utf8_seq(p + i, n - i, &m) : 0;
		if (!p[i])
			m = 1;
		if (k) {
			ctprof_buf_append(&b, p + i, k);
			i += k;
		} else {
			ctprof_buf_append(&b, "\xEF\xBF\xBD", 3);
			i += m;
		}
	}
	if (b.oom) {
		ctprof_buf_free(&b);
		return NULL;
	}
	if (!b.data)
		return ctprof_strdup("");
	return b.data;
}

CTPROF_HIDDEN uint64_t ctprof_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

CTPROF_HIDDEN uint64_t ctprof_mono_ms(void)
{
	return ctprof_mono_ns() / 1000000u;
}

CTPROF_HIDDEN void ctprof_sleep_ms(unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000u, .tv_nsec = (long)(ms % 1000u) * 1000000L };

	(void)nanosleep(&ts, NULL);
}
