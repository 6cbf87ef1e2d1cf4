/* SPDX-License-Identifier: MIT */
/*
 * JSON -> snapshot. cJSON parses the syntax; this file checks the shape,
 * naming the JSON path of every problem, and reads every integer from its
 * literal text so that u64 values are exact over the full range (cJSON
 * itself keeps numbers only as doubles).
 *
 * Exact integers: after cJSON has parsed the document, one pass over the
 * same text finds every number literal outside strings, in document order.
 * cJSON builds its tree in document order, so a depth-first walk meets the
 * number nodes in the same order; the k-th node receives the byte offset of
 * the k-th literal in its `valueint` (the counts must agree). Field readers
 * then parse that literal with the strict decimal parsers.
 *
 * Leniency and strictness, relative to ktstr's serde loader:
 * - unknown keys are ignored everywhere; a known key twice in one object is
 *   an error ("duplicate field `x`"), as in serde;
 * - a ThreadState key that is missing loads as its absent value (0, "",
 *   false, [], {}; `state` as '~'), so both the 93- and the 98-field schema
 *   load; every other non-optional key is required ("missing field `x`");
 * - Option values (null or missing) load as None;
 * - strings that are not valid UTF-8 are decoded lossily; map keys too,
 *   and a map key that occurs twice keeps its last value (serde's BTreeMap
 *   does the same);
 * - cpu_affinity is sorted and deduplicated (struct ctprof_cpuset's
 *   invariant; ktstr always writes it that way).
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "codec.h"

/* ---- parse arena ---- */

/*
 * cJSON allocates one node (and one key string, and one value string) per
 * JSON value and frees them one by one in cJSON_Delete. For a snapshot of
 * 100 values per thread that is most of the load time and, with malloc's
 * headers, most of its memory. The loader instead gives cJSON a bump arena:
 * big chunks from ctprof_malloc, allocations carved off in order, free() a
 * no-op, and the whole arena dropped once the tree has been converted.
 *
 * cJSON's hooks are process-global, so they are installed once and route
 * per thread: while a thread has an arena active (only between its parse
 * and the drop, in ctprof_snapshot_from_json), every cJSON allocation on
 * that thread comes from the arena and every cJSON free on it is a no-op;
 * on any other thread, or outside that window, the hooks are plain malloc
 * and free. Inside the window the only cJSON calls on the thread are the
 * parse and read-only accessors on the parsed tree, so every pointer cJSON
 * frees there is an arena pointer (the partial tree of a failed parse) and
 * a pointer allocated outside the window is never freed inside it (no
 * per-free search is needed). Trees that other code builds with cJSON
 * outside the window are malloc'd and freed with free(), as before.
 *
 * If other code replaced the hooks (cJSON_InitHooks) after ours, the parse
 * allocates with the replacement: the arena then stays empty, which the
 * loader detects (a successful parse always allocates a node) and it frees
 * the tree with cJSON_Delete as usual.
 */
#define ARENA_CHUNK_FIRST ((size_t)1 << 20)
#define ARENA_CHUNK_MAX ((size_t)16 << 20)
/* cJSON stores pointers, ints and doubles: 8-byte alignment suffices */
#define ARENA_ALIGN ((size_t)8)

struct arena_chunk {
	struct arena_chunk *prev;
	_Alignas(8) char data[];
};

/* An allocation larger than a chunk, malloc'd on its own (no header). */
struct arena_big {
	struct arena_big *prev;
	void *p;
};

struct arena {
	struct arena_chunk *top;
	struct arena_big *bigs;
	char *cur, *end;
	size_t next_size;
	size_t used; /* bytes handed out, never reset */
	bool oom;
};

/* initial-exec: one pointer of static TLS, read without __tls_get_addr per allocation */
static _Thread_local struct arena *active_arena __attribute__((tls_model("initial-exec")));
static pthread_once_t hooks_once = PTHREAD_ONCE_INIT;

static void *arena_alloc(struct arena *a, size_t n)
{
	struct arena_chunk *c;
	size_t need, sz;
	char *p;

	need = (n + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1);
	if (need < n)
		goto oom;
	if ((size_t)(a->end - a->cur) >= need) {
		p = a->cur;
		a->cur += need;
		a->used += need;
		return p;
	}
	if (need > ARENA_CHUNK_MAX / 2) {
		/* exactly as asked, so that a loader request never exceeds the input size */
		struct arena_big *b = ctprof_malloc(sizeof(*b));

		if (!b || !(b->p = ctprof_malloc(n))) {
			free(b);
			goto oom;
		}
		b->prev = a->bigs;
		a->bigs = b;
		a->used += need;
		return b->p;
	}
	sz = a->next_size ? a->next_size : ARENA_CHUNK_FIRST;
	if (sz < need)
		sz = need; /* at most ARENA_CHUNK_MAX / 2 */
	c = ctprof_malloc(sizeof(*c) + sz);
	if (!c)
		goto oom;
	c->prev = a->top;
	a->top = c;
	a->cur = c->data + need;
	a->end = c->data + sz;
	a->used += need;
	if (a->next_size < ARENA_CHUNK_MAX)
		a->next_size = a->next_size ? a->next_size * 2 : ARENA_CHUNK_FIRST * 2;
	return c->data;
oom:
	a->oom = true;
	return NULL;
}

static void free_bigs(struct arena *a)
{
	struct arena_big *b, *prev;

	for (b = a->bigs; b; b = prev) {
		prev = b->prev;
		free(b->p);
		free(b);
	}
	a->bigs = NULL;
}

static void arena_drop(struct arena *a)
{
	struct arena_chunk *c = a->top, *prev;

	free_bigs(a);
	for (; c; c = prev) {
		prev = c->prev;
		free(c);
	}
	memset(a, 0, sizeof(*a));
}

/* Forget every allocation; keep the newest (largest) chunk for reuse. */
static void arena_reset(struct arena *a)
{
	struct arena_chunk *c = a->top, *prev;

	free_bigs(a);
	if (!c)
		return;
	for (prev = c->prev; prev; prev = c->prev) {
		c->prev = prev->prev;
		free(prev);
	}
	a->cur = c->data;
}

static void *hook_malloc(size_t n)
{
	struct arena *a = active_arena;

	return a ? arena_alloc(a, n) : ctprof_malloc(n);
}

static void hook_free(void *p)
{
	if (!active_arena)
		free(p);
}

static void install_hooks(void)
{
	cJSON_Hooks h = { hook_malloc, hook_free };

	cJSON_InitHooks(&h);
}

/* ---- error paths ---- */

enum { P_ROOT, P_KEY, P_INDEX, P_MAPKEY };

/* One step of the JSON path, linked to its parent on the C stack. */
struct jpath {
	const struct jpath *up;
	const char *key;
	size_t idx;
	int kind;
};

struct dec {
	const char *name;
	const char *text;
	size_t len;
	struct ctprof_error *err;
};

/* Longest map key quoted in an error path. */
#define PATH_KEY_MAX 64

static void path_fmt(struct ctprof_buf *b, const struct jpath *p)
{
	char num[24];

	if (!p || p->kind == P_ROOT)
		return;
	path_fmt(b, p->up);
	switch (p->kind) {
	case P_KEY:
		if (b->len)
			ctprof_buf_putc(b, '.');
		ctprof_buf_puts(b, p->key);
		break;
	case P_INDEX:
		ctprof_buf_putc(b, '[');
		ctprof_buf_append(b, num, ctprof_fmt_u64(num, p->idx));
		ctprof_buf_putc(b, ']');
		break;
	case P_MAPKEY: {
		size_t n = strlen(p->key);

		ctprof_buf_putc(b, '[');
		ctprof_json_put_str(b, p->key, n > PATH_KEY_MAX ? PATH_KEY_MAX : n);
		if (n > PATH_KEY_MAX)
			ctprof_buf_puts(b, "...");
		ctprof_buf_putc(b, ']');
		break;
	}
	}
}

static int shape_err(struct dec *d, const struct jpath *p, const char *fmt, ...)
	CTPROF_PRINTF(3, 4);

static int shape_err(struct dec *d, const struct jpath *p, const char *fmt, ...)
{
	struct ctprof_buf path = { 0 };
	char cause[512];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(cause, sizeof(cause), fmt, ap);
	va_end(ap);
	path_fmt(&path, p);
	if (path.len && !path.oom)
		ctprof_err(d->err, -EBADMSG, "%s: parse JSON: %s: %s", d->name, path.data, cause);
	else
		ctprof_err(d->err, -EBADMSG, "%s: parse JSON: %s", d->name, cause);
	ctprof_buf_free(&path);
	return -EBADMSG;
}

static int oom_err(struct dec *d)
{
	return ctprof_err(d->err, -ENOMEM, "%s: parse JSON: out of memory", d->name);
}

/* ---- number literals ---- */

static inline bool is_num_char(unsigned char c)
{
	return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

struct numscan {
	const char *t;
	size_t len;
	size_t pos;
};

/* Offset of the next number literal outside strings; false at the end. */
static bool next_number(struct numscan *s, size_t *off)
{
	const char *t = s->t;
	size_t i = s->pos, n = s->len;

	while (i < n) {
		unsigned char c = (unsigned char)t[i];

		if (c == '"') {
			/* the closing quote is the first one preceded by an even run of '\' */
			for (i++; i < n; i++) {
				const char *q = memchr(t + i, '"', n - i);
				size_t bs = 0;

				if (!q) {
					i = n;
					break;
				}
				i = (size_t)(q - t);
				while (bs < i && t[i - 1 - bs] == '\\')
					bs++;
				if (!(bs & 1))
					break;
			}
			i++;
			continue;
		}
		if (c == '-' || (c >= '0' && c <= '9')) {
			*off = i;
			for (i++; i < n && is_num_char((unsigned char)t[i]); i++)
				;
			s->pos = i;
			return true;
		}
		i++;
	}
	s->pos = n;
	return false;
}

/*
 * Depth-first, document order; cJSON limits nesting to CJSON_NESTING_LIMIT,
 * so the recursion is bounded. Also fails when a container of item's list
 * is nested depth or more levels deeper than `limit` allows: depth counts
 * the containers enclosing item, and a container needs depth < limit.
 */
static bool assign_offsets(cJSON *item, struct numscan *s, size_t depth, size_t limit)
{
	size_t off;

	for (; item; item = item->next) {
		if (cJSON_IsNumber(item)) {
			if (!next_number(s, &off))
				return false;
			item->valueint = (int)off;
		} else if (cJSON_IsArray(item) || cJSON_IsObject(item)) {
			if (depth >= limit)
				return false;
			if (item->child && !assign_offsets(item->child, s, depth + 1, limit))
				return false;
		}
	}
	return true;
}

static void literal(const struct dec *d, const cJSON *n, const char **s, size_t *l)
{
	size_t off = (size_t)n->valueint, i = off;

	while (i < d->len && is_num_char((unsigned char)d->text[i]))
		i++;
	*s = d->text + off;
	*l = i - off;
}

/* JSON integer syntax: -?(0|[1-9][0-9]*). */
static bool int_syntax(const char *s, size_t l, bool allow_neg)
{
	size_t i = 0;

	if (allow_neg && l && s[0] == '-')
		i = 1;
	if (i == l)
		return false;
	if (s[i] == '0' && l - i > 1)
		return false;
	for (; i < l; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static int rd_uint(struct dec *d, const cJSON *n, const struct jpath *p, uint64_t max,
		   const char *tname, bool nullable, uint64_t *out)
{
	const char *s;
	size_t l;

	if (!cJSON_IsNumber(n))
		goto bad;
	literal(d, n, &s, &l);
	if (!int_syntax(s, l, false) || !ctprof_parse_u64(s, l, out))
		goto bad;
	if (*out > max)
		return shape_err(d, p, "%s value %.*s out of range", tname, (int)l, s);
	return 0;
bad:
	return shape_err(d, p, "expected an unsigned integer%s", nullable ? " or null" : "");
}

static int rd_i32(struct dec *d, const cJSON *n, const struct jpath *p, bool nullable,
		  int32_t *out)
{
	const char *s;
	size_t l;
	int64_t v;

	if (!cJSON_IsNumber(n))
		goto bad;
	literal(d, n, &s, &l);
	if (!int_syntax(s, l, true))
		goto bad;
	if (!ctprof_parse_i64(s, l, &v) || v < INT32_MIN || v > INT32_MAX)
		return shape_err(d, p, "i32 value %.*s out of range", (int)l, s);
	*out = (int32_t)v;
	return 0;
bad:
	return shape_err(d, p, "expected an integer%s", nullable ? " or null" : "");
}

/* A malloc'd copy of s, decoded lossily when it is not valid UTF-8. */
static char *dup_text(const char *s)
{
	size_t n = strlen(s);

	if (ctprof_utf8_valid(s, n))
		return ctprof_strndup(s, n);
	return ctprof_utf8_lossy(s, n);
}

static int rd_str(struct dec *d, const cJSON *n, const struct jpath *p, bool nullable,
		  char **out)
{
	char *v;

	if (!cJSON_IsString(n) || !n->valuestring)
		return shape_err(d, p, "expected a string%s", nullable ? " or null" : "");
	v = dup_text(n->valuestring);
	if (!v)
		return oom_err(d);
	free(*out);
	*out = v;
	return 0;
}

static int rd_bool(struct dec *d, const cJSON *n, const struct jpath *p, bool *out)
{
	if (!cJSON_IsBool(n))
		return shape_err(d, p, "expected a boolean");
	*out = cJSON_IsTrue(n);
	return 0;
}

/*
 * ThreadState.state is a Rust char: the loader requires a string holding
 * exactly one Unicode scalar value. An ASCII character is stored as is;
 * any other scalar (real kernels only report ASCII letters) is stored as
 * (char)0xFF, which the writer emits as U+FFFD.
 */
static int rd_state(struct dec *d, const cJSON *n, const struct jpath *p, char *out)
{
	const unsigned char *s;
	size_t l, seq;
	char *fixed = NULL;

	if (!cJSON_IsString(n) || !n->valuestring)
		return shape_err(d, p, "expected a single-character string");
	s = (const unsigned char *)n->valuestring;
	l = strlen(n->valuestring);
	if (!ctprof_utf8_valid((const char *)s, l)) {
		fixed = ctprof_utf8_lossy((const char *)s, l);
		if (!fixed)
			return oom_err(d);
		s = (const unsigned char *)fixed;
		l = strlen(fixed);
	}
	seq = !l ? 0 : s[0] < 0x80 ? 1 : s[0] < 0xE0 ? 2 : s[0] < 0xF0 ? 3 : 4;
	if (!l || seq != l) {
		free(fixed);
		return shape_err(d, p, "expected a single-character string");
	}
	*out = (char)(s[0] < 0x80 ? s[0] : 0xFF);
	free(fixed);
	return 0;
}

/* ---- maps ---- */

/*
 * Put the elements of base[0..n) in order (cmp on the elements, ties by
 * original position) and keep only the last of each run of equal keys,
 * calling drop() on the others. Returns the new count in *n_out.
 */
struct canon_ctx {
	const char *base;
	size_t stride;
	int (*cmp)(const void *, const void *);
};

static int canon_idx_cmp(const void *a, const void *b, void *arg)
{
	const struct canon_ctx *c = arg;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int r = c->cmp(c->base + x * c->stride, c->base + y * c->stride);

	if (r)
		return r;
	return x < y ? -1 : x > y;
}

static int map_canon(void *base, size_t stride, size_t n, int (*cmp)(const void *, const void *),
		     void (*drop)(void *), size_t *n_out)
{
	struct canon_ctx c = { base, stride, cmp };
	char *b = base, *tmp;
	size_t *idx, i, j;

	*n_out = n;
	for (i = 1; i < n; i++)
		if (cmp(b + (i - 1) * stride, b + i * stride) >= 0)
			break;
	if (i >= n)
		return 0;
	idx = ctprof_calloc(n, sizeof(*idx));
	tmp = ctprof_calloc(n, stride);
	if (!idx || !tmp) {
		free(idx);
		free(tmp);
		return -ENOMEM;
	}
	for (i = 0; i < n; i++)
		idx[i] = i;
	qsort_r(idx, n, sizeof(*idx), canon_idx_cmp, &c);
	for (i = 0, j = 0; i < n; i++) {
		char *e = b + idx[i] * stride;

		if (i + 1 < n && cmp(e, b + idx[i + 1] * stride) == 0) {
			drop(e);
			continue;
		}
		memcpy(tmp + j * stride, e, stride);
		j++;
	}
	memcpy(b, tmp, j * stride);
	free(idx);
	free(tmp);
	*n_out = j;
	return 0;
}

static int key_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void kv_drop(void *e)
{
	free(((struct ctprof_kv *)e)->key);
}

static void strkv_drop(void *e)
{
	free(((struct ctprof_strkv *)e)->key);
	free(((struct ctprof_strkv *)e)->value);
}

static void cg_drop(void *e)
{
	struct ctprof_cgroup_entry *c = e;

	free(c->path);
	ctprof_cgroup_stats_clear(&c->stats);
}

static size_t count_children(const cJSON *n)
{
	size_t k = 0;
	const cJSON *c;

	for (c = n->child; c; c = c->next)
		k++;
	return k;
}

/*
 * A JSON object as a sorted map of entries `stride` bytes wide whose first
 * member is the key (char *): each value is decoded by val() into its entry;
 * a key given twice keeps the last value (serde's BTreeMap). *items_out and
 * *n_out are set only on success; on failure drop() frees the entries made.
 */
static int dec_map(struct dec *d, const cJSON *obj, const struct jpath *p, const char *what,
		   size_t stride,
		   int (*val)(struct dec *d, const cJSON *c, const struct jpath *kp, void *e),
		   void (*drop)(void *e), void **items_out, size_t *n_out)
{
	const cJSON *c;
	size_t n, k = 0, i;
	char *items;
	int rc;

	if (!cJSON_IsObject(obj))
		return shape_err(d, p, "%s", what);
	n = count_children(obj);
	items = ctprof_calloc(n, stride);
	if (!items)
		return oom_err(d);
	for (c = obj->child; c; c = c->next, k++) {
		struct jpath kp = { p, c->string, 0, P_MAPKEY };
		char **key = (char **)(void *)(items + k * stride);

		*key = dup_text(c->string);
		if (!*key) {
			rc = oom_err(d);
			goto fail;
		}
		rc = val(d, c, &kp, items + k * stride);
		if (rc) {
			k++;
			goto fail;
		}
	}
	if (map_canon(items, stride, n, key_cmp, drop, &k)) {
		k = n;
		rc = oom_err(d);
		goto fail;
	}
	*items_out = items;
	*n_out = k;
	return 0;
fail:
	for (i = 0; i < k; i++)
		drop(items + i * stride);
	free(items);
	return rc;
}

static int kv_val(struct dec *d, const cJSON *c, const struct jpath *kp, void *e)
{
	return rd_uint(d, c, kp, UINT64_MAX, "u64", false, &((struct ctprof_kv *)e)->value);
}

static int strkv_val(struct dec *d, const cJSON *c, const struct jpath *kp, void *e)
{
	return rd_str(d, c, kp, false, &((struct ctprof_strkv *)e)->value);
}

static int dec_kvmap(struct dec *d, const cJSON *obj, const struct jpath *p,
		     struct ctprof_kvmap *m)
{
	void *items = NULL;
	size_t n = 0;
	int rc = dec_map(d, obj, p, "expected an object", sizeof(struct ctprof_kv), kv_val,
			 kv_drop, &items, &n);

	if (rc)
		return rc;
	ctprof_kvmap_clear(m);
	m->items = items;
	m->n = n;
	return 0;
}

static int dec_strmap(struct dec *d, const cJSON *obj, const struct jpath *p,
		      struct ctprof_strmap *m)
{
	void *items = NULL;
	size_t n = 0;
	int rc = dec_map(d, obj, p, "expected an object or null", sizeof(struct ctprof_strkv),
			 strkv_val, strkv_drop, &items, &n);

	if (rc)
		return rc;
	ctprof_strmap_clear(m);
	m->items = items;
	m->n = n;
	return 0;
}

static int gov_cmp(const void *a, const void *b)
{
	uint32_t x = ((const struct ctprof_governor *)a)->cpu;
	uint32_t y = ((const struct ctprof_governor *)b)->cpu;

	return x < y ? -1 : x > y;
}

static void gov_drop(void *e)
{
	free(((struct ctprof_governor *)e)->governor);
}

/* HostContext.cpufreq_governor: {"<cpu>": "<governor>"}. */
static int dec_governors(struct dec *d, const cJSON *obj, const struct jpath *p,
			 struct ctprof_host *h)
{
	struct ctprof_governor *g;
	const cJSON *c;
	size_t n, k = 0, i;
	int rc;

	if (!cJSON_IsObject(obj))
		return shape_err(d, p, "expected an object or null");
	n = count_children(obj);
	g = ctprof_calloc(n, sizeof(*g));
	if (!g)
		return oom_err(d);
	for (c = obj->child; c; c = c->next, k++) {
		struct jpath kp = { p, c->string, 0, P_MAPKEY };
		size_t kl = strlen(c->string);
		uint64_t cpu;

		if (!int_syntax(c->string, kl, false) || !ctprof_parse_u64(c->string, kl, &cpu) ||
		    cpu > UINT32_MAX) {
			rc = shape_err(d, &kp, "key: expected a cpu number");
			goto fail;
		}
		g[k].cpu = (uint32_t)cpu;
		rc = rd_str(d, c, &kp, false, &g[k].governor);
		if (rc) {
			k++;
			goto fail;
		}
	}
	if (map_canon(g, sizeof(*g), n, gov_cmp, gov_drop, &k)) {
		k = n;
		rc = oom_err(d);
		goto fail;
	}
	for (i = 0; i < h->n_cpufreq_governor; i++)
		free(h->cpufreq_governor[i].governor);
	free(h->cpufreq_governor);
	h->cpufreq_governor = g;
	h->n_cpufreq_governor = k;
	return 0;
fail:
	for (i = 0; i < k; i++)
		free(g[i].governor);
	free(g);
	return rc;
}

static int dec_enum(struct dec *d, const cJSON *n, const struct jpath *p,
		    const char *const names[4], unsigned *out)
{
	unsigned i;

	if (cJSON_IsString(n) && n->valuestring)
		for (i = 1; i < 4; i++)
			if (strcmp(n->valuestring, names[i]) == 0) {
				*out = i;
				return 0;
			}
	if (!cJSON_IsString(n))
		return shape_err(d, p, "expected a string or null");
	return shape_err(d, p, "unknown variant, expected one of `%s`, `%s`, `%s`", names[1],
			 names[2], names[3]);
}

/* ---- threads ---- */

static const struct ctprof_field_desc *fields;
static uint8_t sorted_fields[CTPROF_F__COUNT]; /* field indices in name byte order */
static pthread_once_t sorted_once = PTHREAD_ONCE_INIT;

static int field_name_cmp(const void *a, const void *b)
{
	return strcmp(fields[*(const uint8_t *)a].name, fields[*(const uint8_t *)b].name);
}

static void sort_fields(void)
{
	size_t i;

	fields = ctprof_fields();
	for (i = 0; i < CTPROF_F__COUNT; i++)
		sorted_fields[i] = (uint8_t)i;
	qsort(sorted_fields, CTPROF_F__COUNT, 1, field_name_cmp);
}

/* Field index of a ThreadState key, or -1. */
static int field_lookup(const char *key)
{
	size_t lo = 0, hi = CTPROF_F__COUNT;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(fields[sorted_fields[mid]].name, key);

		if (c == 0)
			return sorted_fields[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static int u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static int dec_cpuset(struct dec *d, const cJSON *arr, const struct jpath *p,
		      struct ctprof_cpuset *cs)
{
	const cJSON *c;
	uint32_t *cpus;
	size_t n, k = 0, i, j;
	uint64_t v;
	int rc;

	if (!cJSON_IsArray(arr))
		return shape_err(d, p, "expected an array");
	n = count_children(arr);
	cpus = ctprof_calloc(n, sizeof(*cpus));
	if (!cpus)
		return oom_err(d);
	for (c = arr->child; c; c = c->next, k++) {
		struct jpath ip = { p, NULL, k, P_INDEX };

		rc = rd_uint(d, c, &ip, UINT32_MAX, "u32", false, &v);
		if (rc) {
			free(cpus);
			return rc;
		}
		cpus[k] = (uint32_t)v;
	}
	for (i = 1; i < n; i++)
		if (cpus[i - 1] >= cpus[i])
			break;
	if (i < n) {
		qsort(cpus, n, sizeof(*cpus), u32_cmp);
		for (i = 0, j = 0; i < n; i++)
			if (!j || cpus[j - 1] != cpus[i])
				cpus[j++] = cpus[i];
		n = j;
	}
	free(cs->cpus);
	cs->cpus = cpus;
	cs->n = n;
	return 0;
}

struct schema_tally {
	bool all_new; /* every thread so far has all five capture flags */
	bool any_flag; /* some thread has at least one */
};

static int dec_thread(struct dec *d, const cJSON *obj, const struct jpath *p,
		      struct ctprof_thread *t, struct schema_tally *st)
{
	uint64_t seen[2] = { 0, 0 };
	bool exited_seen = false;
	size_t hint = 0, i, nflags = 0;
	const cJSON *c;
	uint64_t v;
	int rc;

	if (!cJSON_IsObject(obj))
		return shape_err(d, p, "expected an object");
	for (c = obj->child; c; c = c->next) {
		const char *key = c->string;
		const struct ctprof_field_desc *f;
		struct jpath fp = { p, key, 0, P_KEY };
		void *dst;
		int fi;

		/* files list keys in table order: try the next one first */
		if (hint < CTPROF_F__COUNT && strcmp(key, fields[hint].name) == 0)
			fi = (int)hint;
		else
			fi = field_lookup(key);
		if (fi < 0) {
			if (strcmp(key, CTPROF_J_EXITED) == 0) {
				if (exited_seen)
					return shape_err(d, p, "duplicate field `%s`", key);
				exited_seen = true;
				rc = rd_bool(d, c, &fp, &t->exited);
				if (rc)
					return rc;
			}
			continue;
		}
		hint = (size_t)fi + 1;
		if (seen[fi / 64] & (1ull << (fi % 64)))
			return shape_err(d, p, "duplicate field `%s`", key);
		seen[fi / 64] |= 1ull << (fi % 64);
		f = &fields[fi];
		dst = ctprof_field_ptr(t, f);
		switch (f->ftype) {
		case CTPROF_FT_U32:
			rc = rd_uint(d, c, &fp, UINT32_MAX, "u32", false, &v);
			if (!rc)
				*(uint32_t *)dst = (uint32_t)v;
			break;
		case CTPROF_FT_U64:
			rc = rd_uint(d, c, &fp, UINT64_MAX, "u64", false, dst);
			break;
		case CTPROF_FT_I32:
			rc = rd_i32(d, c, &fp, false, dst);
			break;
		case CTPROF_FT_BOOL:
			rc = rd_bool(d, c, &fp, dst);
			break;
		case CTPROF_FT_STR:
			rc = rd_str(d, c, &fp, false, dst);
			break;
		case CTPROF_FT_CHAR:
			rc = rd_state(d, c, &fp, dst);
			break;
		case CTPROF_FT_CPUSET:
			rc = dec_cpuset(d, c, &fp, dst);
			break;
		case CTPROF_FT_KVMAP:
			rc = dec_kvmap(d, c, &fp, dst);
			break;
		default:
			rc = shape_err(d, &fp, "internal error: unknown field type");
			break;
		}
		if (rc)
			return rc;
		if ((size_t)fi >= CTPROF_THREAD_FIRST_FLAG)
			nflags++;
	}
	/* absent strings load as "" */
	for (i = 0; i < CTPROF_F__COUNT; i++) {
		char **sp;

		if (fields[i].ftype != CTPROF_FT_STR)
			continue;
		sp = ctprof_field_ptr(t, &fields[i]);
		if (!*sp && !(*sp = ctprof_strdup("")))
			return oom_err(d);
	}
	if (nflags != CTPROF_THREAD_NFIELDS - CTPROF_THREAD_FIRST_FLAG)
		st->all_new = false;
	if (nflags)
		st->any_flag = true;
	return 0;
}

/* Element k of threads, into the zeroed s->threads[k]. */
static int dec_thread_at(struct dec *d, const cJSON *c, const struct jpath *p, size_t k,
			 struct ctprof_snapshot *s, struct schema_tally *st)
{
	struct jpath ip = { p, NULL, k, P_INDEX };
	struct ctprof_thread *t = &s->threads[k];

	t->state = '~';
	s->n_threads = k + 1; /* so that an error frees what was read */
	return dec_thread(d, c, &ip, t, st);
}

static void set_schema(struct ctprof_snapshot *s, const struct schema_tally *st)
{
	if (!s->n_threads)
		s->schema = CTPROF_SCHEMA_NONE;
	else if (st->all_new)
		s->schema = CTPROF_SCHEMA_NEW;
	else if (!st->any_flag)
		s->schema = CTPROF_SCHEMA_OLD;
	else
		s->schema = CTPROF_SCHEMA_MIXED;
}

/*
 * At most as many threads as the kernel can have at once (PID_MAX_LIMIT).
 * `{}` is a valid thread (every key may be missing) and costs ~1 KiB in the
 * model, so without a bound 256 MiB of them would need ~70 GiB.
 */
#define LOAD_MAX_THREADS ((size_t)4 << 20)

static int dec_threads(struct dec *d, const cJSON *arr, const struct jpath *p,
		       struct ctprof_snapshot *s)
{
	struct schema_tally st = { true, false };
	const cJSON *c;
	size_t n, k = 0;
	int rc;

	if (!cJSON_IsArray(arr))
		return shape_err(d, p, "expected an array");
	pthread_once(&sorted_once, sort_fields);
	n = count_children(arr);
	if (n > LOAD_MAX_THREADS)
		return shape_err(d, p, "more than %zu threads", LOAD_MAX_THREADS);
	s->threads = ctprof_calloc(n, sizeof(*s->threads));
	if (!s->threads)
		return oom_err(d);
	for (c = arr->child; c; c = c->next, k++) {
		rc = dec_thread_at(d, c, p, k, s, &st);
		if (rc)
			return rc;
	}
	set_schema(s, &st);
	return 0;
}

/* ---- structs ---- */

static int dec_struct(struct dec *d, const cJSON *obj, const struct jpath *p,
		      const struct ctprof_jstruct *L, void *base);

static int dec_cgroups(struct dec *d, const cJSON *obj, const struct jpath *p,
		       struct ctprof_snapshot *s)
{
	struct ctprof_cgroup_entry *e;
	const cJSON *c;
	size_t n, k = 0, i;
	int rc;

	if (!cJSON_IsObject(obj))
		return shape_err(d, p, "expected an object");
	n = count_children(obj);
	e = ctprof_calloc(n, sizeof(*e));
	if (!e)
		return oom_err(d);
	for (c = obj->child; c; c = c->next) {
		struct jpath kp = { p, c->string, 0, P_MAPKEY };

		ctprof_cgroup_stats_init(&e[k].stats);
		e[k].path = dup_text(c->string);
		k++;
		if (!e[k - 1].path) {
			rc = oom_err(d);
			goto fail;
		}
		rc = dec_struct(d, c, &kp, &ctprof_j_cgroup_stats, &e[k - 1].stats);
		if (rc)
			goto fail;
	}
	if (map_canon(e, sizeof(*e), n, key_cmp, cg_drop, &k)) {
		k = n;
		rc = oom_err(d);
		goto fail;
	}
	s->cgroups = e;
	s->n_cgroups = k;
	return 0;
fail:
	for (i = 0; i < k; i++)
		cg_drop(&e[i]);
	free(e);
	return rc;
}

static bool field_required(enum ctprof_jkind k)
{
	switch (k) {
	case CTPROF_J_U64:
	case CTPROF_J_U16:
	case CTPROF_J_BOOL:
	case CTPROF_J_STR:
	case CTPROF_J_KVMAP:
	case CTPROF_J_STRUCT:
	case CTPROF_J_THREADS:
	case CTPROF_J_CGROUPS:
		return true;
	default:
		return false;
	}
}

static int dec_field(struct dec *d, const cJSON *c, const struct jpath *fp,
		     const struct ctprof_jfield *f, void *base)
{
	char *p = (char *)base + f->off;
	bool is_null = cJSON_IsNull(c);
	uint64_t v = 0;
	int rc;

	switch (f->kind) {
	case CTPROF_J_U64:
		return rd_uint(d, c, fp, UINT64_MAX, "u64", false, (uint64_t *)(void *)p);
	case CTPROF_J_U16:
		rc = rd_uint(d, c, fp, UINT16_MAX, "u16", false, &v);
		if (!rc)
			*(uint16_t *)(void *)p = (uint16_t)v;
		return rc;
	case CTPROF_J_BOOL:
		return rd_bool(d, c, fp, (bool *)(void *)p);
	case CTPROF_J_STR:
		return rd_str(d, c, fp, false, (char **)(void *)p);
	case CTPROF_J_NSTR:
	case CTPROF_J_O_STR:
		if (is_null) {
			free(*(char **)(void *)p);
			*(char **)(void *)p = NULL;
			return 0;
		}
		return rd_str(d, c, fp, true, (char **)(void *)p);
	case CTPROF_J_OPT_U64:
	case CTPROF_J_O_U64: {
		struct ctprof_opt_u64 *o = (void *)p;

		o->set = false;
		o->v = 0;
		if (is_null)
			return 0;
		rc = rd_uint(d, c, fp, UINT64_MAX, "u64", true, &o->v);
		o->set = !rc;
		return rc;
	}
	case CTPROF_J_OPT_I32: {
		struct ctprof_opt_i32 *o = (void *)p;

		o->set = false;
		o->v = 0;
		if (is_null)
			return 0;
		rc = rd_i32(d, c, fp, true, &o->v);
		o->set = !rc;
		return rc;
	}
	case CTPROF_J_KVMAP:
		return dec_kvmap(d, c, fp, (void *)p);
	case CTPROF_J_STRUCT:
		return dec_struct(d, c, fp, f->sub, p);
	case CTPROF_J_PSTRUCT:
	case CTPROF_J_O_PSTRUCT: {
		void **pp = (void **)(void *)p;

		if (is_null)
			return 0;
		if (!cJSON_IsObject(c))
			return shape_err(d, fp, "expected an object or null");
		*pp = ctprof_calloc(1, f->size);
		if (!*pp)
			return oom_err(d);
		return dec_struct(d, c, fp, f->sub, *pp);
	}
	case CTPROF_J_THREADS:
		return dec_threads(d, c, fp, base);
	case CTPROF_J_CGROUPS:
		return dec_cgroups(d, c, fp, base);
	case CTPROF_J_O_STRMAP: {
		bool *has = (bool *)((char *)base + f->aux);

		*has = false;
		if (is_null)
			return 0;
		rc = dec_strmap(d, c, fp, (void *)p);
		*has = !rc;
		return rc;
	}
	case CTPROF_J_O_GOVERNOR:
		if (is_null)
			return 0;
		return dec_governors(d, c, fp, base);
	case CTPROF_J_O_DELAYACCT:
	case CTPROF_J_O_XACCT: {
		unsigned e = 0;

		if (!is_null) {
			rc = dec_enum(d, c, fp,
				      f->kind == CTPROF_J_O_XACCT ? ctprof_j_xacct_names
								  : ctprof_j_delayacct_names,
				      &e);
			if (rc)
				return rc;
		}
		if (f->kind == CTPROF_J_O_XACCT)
			*(enum ctprof_xacct *)(void *)p = (enum ctprof_xacct)e;
		else
			*(enum ctprof_delayacct *)(void *)p = (enum ctprof_delayacct)e;
		return 0;
	}
	case CTPROF_J_O_STRUCT: {
		bool *has = (bool *)((char *)base + f->aux);

		*has = false;
		if (is_null)
			return 0;
		if (!cJSON_IsObject(c))
			return shape_err(d, fp, "expected an object or null");
		rc = dec_struct(d, c, fp, f->sub, p);
		*has = !rc;
		return rc;
	}
	}
	return shape_err(d, fp, "internal error: unknown field kind");
}

/* Keys of one object seen so far, for dec_key/dec_missing. */
struct keyset {
	uint64_t seen;
	size_t hint; /* files list keys in table order: try the next one first */
};

/*
 * The row of L for key, marked seen; L->n for an unknown key (ignored).
 * Fails on a key seen before.
 */
static int dec_key(struct dec *d, const struct jpath *p, const struct ctprof_jstruct *L,
		   struct keyset *ks, const char *key, size_t *row)
{
	size_t i = ks->hint < L->n && strcmp(key, L->f[ks->hint].key) == 0 ? ks->hint : L->n;

	if (i == L->n)
		for (i = 0; i < L->n; i++)
			if (strcmp(key, L->f[i].key) == 0)
				break;
	*row = i;
	if (i == L->n)
		return 0;
	ks->hint = i + 1;
	if (ks->seen & (1ull << i))
		return shape_err(d, p, "duplicate field `%s`", L->f[i].key);
	ks->seen |= 1ull << i;
	return 0;
}

static int dec_missing(struct dec *d, const struct jpath *p, const struct ctprof_jstruct *L,
		       const struct keyset *ks)
{
	size_t i;

	for (i = 0; i < L->n; i++)
		if (!(ks->seen & (1ull << i)) && field_required(L->f[i].kind))
			return shape_err(d, p, "missing field `%s`", L->f[i].key);
	return 0;
}

static int dec_struct(struct dec *d, const cJSON *obj, const struct jpath *p,
		      const struct ctprof_jstruct *L, void *base)
{
	struct keyset ks = { 0, 0 };
	const cJSON *c;
	size_t i;
	int rc;

	if (!cJSON_IsObject(obj))
		return shape_err(d, p, "expected an object");
	for (c = obj->child; c; c = c->next) {
		struct jpath fp = { p, c->string, 0, P_KEY };

		rc = dec_key(d, p, L, &ks, c->string, &i);
		if (!rc && i < L->n)
			rc = dec_field(d, c, &fp, &L->f[i], base);
		if (rc)
			return rc;
	}
	return dec_missing(d, p, L, &ks);
}

/* ---- the whole-document path ---- */

static bool json_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * cJSON parses the whole document into one tree, then it is converted. The
 * reference path: it diagnoses every error (syntax errors take precedence
 * over shape errors, as the whole text is parsed first).
 */
static int load_whole(struct dec *d, struct arena *a, struct ctprof_snapshot **out)
{
	struct jpath root = { NULL, NULL, 0, P_ROOT };
	struct numscan ns = { d->text, d->len, 0 };
	const char *json = d->text, *end = NULL;
	struct ctprof_snapshot *snap;
	size_t pos, off, used = a->used, len = d->len;
	cJSON *doc;
	int rc;

	doc = cJSON_ParseWithLengthOpts(json, len, &end, 0);
	if (!doc) {
		if (a->oom)
			return oom_err(d);
		pos = end && end >= json ? (size_t)(end - json) : 0;
		return ctprof_err(d->err, -EBADMSG, "%s: parse JSON: %s (at byte %zu)", d->name,
				  len ? "invalid JSON" : "empty document", pos);
	}
	rc = -EBADMSG;
	pos = end ? (size_t)(end - json) : len;
	while (pos < len && json_ws(json[pos]))
		pos++;
	if (pos < len) {
		ctprof_err(d->err, rc, "%s: parse JSON: trailing characters (at byte %zu)", d->name,
			   pos);
		goto out;
	}
	if (!cJSON_IsObject(doc)) {
		ctprof_err(d->err, rc, "%s: parse JSON: expected an object at the top level",
			   d->name);
		goto out;
	}
	if (!assign_offsets(doc, &ns, 0, CJSON_NESTING_LIMIT) || next_number(&ns, &off)) {
		ctprof_err(d->err, rc,
			   "%s: parse JSON: internal error: number literals do not match the parse tree",
			   d->name);
		goto out;
	}
	snap = ctprof_snapshot_new();
	if (!snap) {
		rc = oom_err(d);
		goto out;
	}
	rc = dec_struct(d, doc, &root, &ctprof_j_snapshot, snap);
	if (rc)
		ctprof_snapshot_free(snap);
	else
		*out = snap;
out:
	/* an arena that did not grow means other hooks allocated the tree */
	// cppcheck-suppress knownConditionTrueFalse ; cJSON's hooks grow a->used behind cppcheck's back
	if (a->used == used)
		cJSON_Delete(doc);
	return rc;
}

/* ---- the streaming path ---- */

/*
 * The fast path for valid documents. The top-level object and the threads
 * array are walked here, with the same token rules as cJSON's parse_object
 * and parse_array (whitespace is any byte <= 32); every value inside them
 * (each key, each top-level value, each thread) is parsed by cJSON on its
 * own, converted at once, and its tree dropped by resetting the arena. The
 * arena therefore holds one thread or one top-level value at a time rather
 * than the whole document (about 9 KiB of nodes per thread), and stays in
 * cache.
 *
 * It is sound, not complete: whenever it succeeds, the whole-document path
 * would have produced the same snapshot (each value is parsed by cJSON from
 * the same bytes with the same remaining length; values that start with a
 * byte that cannot start a JSON value, or a document with a byte-order mark,
 * are left to the whole-document path; the nesting limit is checked as if
 * the value sat at its depth in the document). On anything else (syntax or
 * shape error) it gives up and the caller runs the whole-document path,
 * which reports the error exactly as before. Out of memory is reported at
 * once.
 */
#define STREAM_GIVE_UP 1

static bool value_start(char ch)
{
	unsigned char c = (unsigned char)ch;

	return c == '{' || c == '[' || c == '"' || c == '-' || (c >= '0' && c <= '9') ||
	       c == 't' || c == 'f' || c == 'n';
}

/* cJSON's buffer_skip_whitespace */
static size_t skip_ws(const struct dec *d, size_t pos)
{
	while (pos < d->len && (unsigned char)d->text[pos] <= 32)
		pos++;
	return pos;
}

/*
 * Parse the value at *pos (nested inside `depth` containers of the
 * document) with cJSON into the arena and give its numbers their literal
 * offsets. NULL when the value must be left to the whole-document path (or
 * on out of memory, a->oom).
 */
static cJSON *parse_value_at(struct dec *d, struct arena *a, size_t *pos, size_t depth)
{
	struct numscan ns;
	const char *end = NULL;
	size_t used = a->used, off;
	cJSON *v;

	if (*pos >= d->len || !value_start(d->text[*pos]))
		return NULL;
	v = cJSON_ParseWithLengthOpts(d->text + *pos, d->len - *pos, &end, 0);
	if (!v)
		return NULL;
	if (a->used == used) {
		/* other hooks allocated it: the whole-document path copes */
		cJSON_Delete(v);
		return NULL;
	}
	ns.t = d->text;
	ns.len = (size_t)(end - d->text);
	ns.pos = *pos;
	if (!assign_offsets(v, &ns, depth, CJSON_NESTING_LIMIT) || next_number(&ns, &off))
		return NULL;
	*pos = ns.len;
	return v;
}

static int give_up(const struct arena *a)
{
	return a->oom ? -ENOMEM : STREAM_GIVE_UP;
}

/* The threads array, *pos at its '['. */
static int stream_threads(struct dec *d, struct arena *a, size_t *pos, const struct jpath *p,
			  struct ctprof_snapshot *s)
{
	struct schema_tally st = { true, false };
	size_t k = 0, cap = 64, i = skip_ws(d, *pos + 1);
	struct ctprof_thread *nt;
	cJSON *v;
	int rc;

	pthread_once(&sorted_once, sort_fields);
	s->threads = ctprof_malloc(cap * sizeof(*s->threads));
	if (!s->threads)
		return -ENOMEM;
	if (i < d->len && d->text[i] == ']')
		goto done;
	for (;;) {
		i = skip_ws(d, i);
		if (k == LOAD_MAX_THREADS)
			return -E2BIG; /* reported at once, as dec_threads would */
		v = parse_value_at(d, a, &i, 2);
		if (!v)
			return give_up(a);
		if (k == cap) {
			if (cap > SIZE_MAX / 2 / sizeof(*s->threads))
				return -ENOMEM;
			nt = ctprof_realloc(s->threads, cap * 2 * sizeof(*s->threads));
			if (!nt)
				return -ENOMEM;
			s->threads = nt;
			cap *= 2;
		}
		memset(&s->threads[k], 0, sizeof(s->threads[k]));
		rc = dec_thread_at(d, v, p, k, s, &st);
		if (rc)
			return rc == -ENOMEM ? rc : STREAM_GIVE_UP;
		arena_reset(a);
		k++;
		i = skip_ws(d, i);
		if (i < d->len && d->text[i] == ',') {
			i++;
			continue;
		}
		if (i < d->len && d->text[i] == ']')
			break;
		return STREAM_GIVE_UP;
	}
done:
	/* shrink to fit; keeping the larger block is fine if that fails (so not hooked) */
	nt = realloc(s->threads, (k ? k : 1) * sizeof(*s->threads));
	if (nt)
		s->threads = nt;
	set_schema(s, &st);
	*pos = i + 1;
	return 0;
}

/* 0, -ENOMEM, or STREAM_GIVE_UP. */
static int stream_doc(struct dec *d, struct arena *a, struct ctprof_snapshot *s)
{
	const struct ctprof_jstruct *L = &ctprof_j_snapshot;
	struct jpath root = { NULL, NULL, 0, P_ROOT };
	struct keyset ks = { 0, 0 };
	size_t i, row;
	cJSON *key, *v;
	int rc;

	/* cJSON skips a UTF-8 byte-order mark: left to the whole-document path */
	if (!d->len || (unsigned char)d->text[0] == 0xEF)
		return STREAM_GIVE_UP;
	i = skip_ws(d, 0);
	if (i >= d->len || d->text[i] != '{')
		return STREAM_GIVE_UP;
	i = skip_ws(d, i + 1);
	if (i < d->len && d->text[i] == '}')
		goto done;
	for (;;) {
		struct jpath fp = { &root, NULL, 0, P_KEY };

		i = skip_ws(d, i);
		if (i >= d->len || d->text[i] != '"')
			return STREAM_GIVE_UP;
		key = parse_value_at(d, a, &i, 1);
		if (!key)
			return give_up(a);
		i = skip_ws(d, i);
		if (i >= d->len || d->text[i] != ':')
			return STREAM_GIVE_UP;
		i = skip_ws(d, i + 1);
		fp.key = key->valuestring;
		rc = dec_key(d, &root, L, &ks, key->valuestring, &row);
		if (rc)
			return STREAM_GIVE_UP;
		if (row < L->n && L->f[row].kind == CTPROF_J_THREADS && i < d->len &&
		    d->text[i] == '[') {
			rc = stream_threads(d, a, &i, &fp, s);
		} else {
			v = parse_value_at(d, a, &i, 1);
			if (!v)
				return give_up(a);
			rc = row < L->n ? dec_field(d, v, &fp, &L->f[row], s) : 0;
		}
		if (rc)
			return rc == -ENOMEM || rc == -E2BIG ? rc : STREAM_GIVE_UP;
		arena_reset(a);
		i = skip_ws(d, i);
		if (i < d->len && d->text[i] == ',') {
			i++;
			continue;
		}
		break;
	}
	if (i >= d->len || d->text[i] != '}')
		return STREAM_GIVE_UP;
done:
	for (i++; i < d->len && json_ws(d->text[i]); i++)
		;
	if (i < d->len)
		return STREAM_GIVE_UP;
	return dec_missing(d, &root, L, &ks) ? STREAM_GIVE_UP : 0;
}

/* ---- entry point ---- */

CTPROF_API int ctprof_snapshot_from_json(const char *json, size_t len, const char *name,
					 struct ctprof_snapshot **out, struct ctprof_error *err)
{
	struct dec d = { name ? name : "(json)", json, len, NULL };
	struct ctprof_snapshot *snap;
	struct arena arena = { 0 };
	int rc;

	if (!json || !out)
		return ctprof_err(err, -EINVAL, "%s: parse JSON: invalid argument", d.name);
	/* number literal offsets live in cJSON's int valueint */
	if (len > INT_MAX)
		return ctprof_err(err, -EFBIG, "%s: parse JSON: document of %zu bytes is too large",
				  d.name, len);
	pthread_once(&hooks_once, install_hooks);
	active_arena = &arena;
	snap = ctprof_snapshot_new();
	if (!snap) {
		rc = -ENOMEM;
	} else {
		/* errors of the fast path are not reported: the reference path redoes them */
		rc = stream_doc(&d, &arena, snap);
		if (rc)
			ctprof_snapshot_free(snap);
		else
			*out = snap;
	}
	d.err = err;
	if (rc == -ENOMEM)
		rc = oom_err(&d);
	else if (rc == -E2BIG)
		rc = ctprof_err(err, -EBADMSG, "%s: parse JSON: threads: more than %zu threads",
				d.name, LOAD_MAX_THREADS);
	else if (rc == STREAM_GIVE_UP)
		rc = load_whole(&d, &arena, out);
	active_arena = NULL;
	arena_drop(&arena);
	return rc;
}
