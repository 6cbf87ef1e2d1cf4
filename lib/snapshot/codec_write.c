/* SPDX-License-Identifier: MIT */
/*
 * Snapshot -> compact JSON, byte-compatible with serde_json::to_vec of
 * ktstr's CtprofSnapshot: keys in declaration order, no whitespace,
 * serde's string escaping, exact integers, maps in key byte order.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "codec.h"

/* ---- strings ---- */

static const char hexdig[] = "0123456789abcdef";

/* s is valid UTF-8 here. */
static void put_str_valid(struct ctprof_buf *b, const char *s, size_t n)
{
	size_t i, start = 0;

	if (ctprof_buf_reserve(b, n + 2))
		return;
	b->data[b->len++] = '"';
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[6];
		size_t el = 2;

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		ctprof_buf_append(b, s + start, i - start);
		start = i + 1;
		esc[0] = '\\';
		switch (c) {
		case '"':
			esc[1] = '"';
			break;
		case '\\':
			esc[1] = '\\';
			break;
		case '\b':
			esc[1] = 'b';
			break;
		case '\f':
			esc[1] = 'f';
			break;
		case '\n':
			esc[1] = 'n';
			break;
		case '\r':
			esc[1] = 'r';
			break;
		case '\t':
			esc[1] = 't';
			break;
		default:
			esc[1] = 'u';
			esc[2] = '0';
			esc[3] = '0';
			esc[4] = hexdig[c >> 4];
			esc[5] = hexdig[c & 0xf];
			el = 6;
			break;
		}
		ctprof_buf_append(b, esc, el);
	}
	ctprof_buf_append(b, s + start, n - start);
	ctprof_buf_putc(b, '"');
}

void ctprof_json_put_str(struct ctprof_buf *b, const char *s, size_t n)
{
	char *fixed;

	if (ctprof_utf8_valid(s, n)) {
		put_str_valid(b, s, n);
		return;
	}
	fixed = ctprof_utf8_lossy(s, n);
	if (!fixed) {
		b->oom = true;
		return;
	}
	put_str_valid(b, fixed, strlen(fixed));
	free(fixed);
}

static void put_cstr(struct ctprof_buf *b, const char *s)
{
	if (!s)
		s = "";
	ctprof_json_put_str(b, s, strlen(s));
}

#define PUT_LIT(b, lit) ctprof_buf_append((b), (lit), sizeof(lit) - 1)

static void put_key(struct ctprof_buf *b, bool *first, const char *key)
{
	if (!*first)
		ctprof_buf_putc(b, ',');
	*first = false;
	ctprof_buf_putc(b, '"');
	ctprof_buf_puts(b, key);
	PUT_LIT(b, "\":");
}

static void put_bool(struct ctprof_buf *b, bool v)
{
	if (v)
		PUT_LIT(b, "true");
	else
		PUT_LIT(b, "false");
}

/* ---- maps in canonical order ---- */

/*
 * serde writes BTreeMap keys in byte order, and our loader resolves a
 * duplicate key to its last value. Maps built in memory are normally
 * already sorted and valid UTF-8 (then keys are written as they are); if
 * not, the emitted order is computed on the lossily decoded keys so that
 * the output is what loading it back and writing again produces.
 */
struct ment {
	const char *key;
	size_t idx;
	char *owned;
};

static int ment_cmp(const void *a, const void *b)
{
	const struct ment *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	if (c)
		return c;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

#define MAP_KEY(base, stride, i) (*(char *const *)((const char *)(base) + (i) * (stride)))

static void ments_free(struct ment *e, size_t n)
{
	size_t i;

	if (!e)
		return;
	for (i = 0; i < n; i++)
		free(e[i].owned);
	free(e);
}

/* Every element of base starts with its `char *key`. *out NULL: canonical as is. */
static int map_order(const void *base, size_t stride, size_t n, struct ment **out, size_t *n_out)
{
	const char *prev = NULL;
	bool canonical = true;
	struct ment *e;
	size_t i, j;

	*out = NULL;
	*n_out = n;
	for (i = 0; i < n && canonical; i++) {
		const char *k = MAP_KEY(base, stride, i);

		if (!k)
			k = "";
		if (!ctprof_utf8_valid(k, strlen(k)) || (prev && strcmp(prev, k) >= 0))
			canonical = false;
		prev = k;
	}
	if (canonical)
		return 0;
	e = ctprof_calloc(n, sizeof(*e));
	if (!e)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		const char *k = MAP_KEY(base, stride, i);

		if (!k)
			k = "";
		e[i].idx = i;
		e[i].key = k;
		if (!ctprof_utf8_valid(k, strlen(k))) {
			e[i].owned = ctprof_utf8_lossy(k, strlen(k));
			if (!e[i].owned) {
				ments_free(e, n);
				return -ENOMEM;
			}
			e[i].key = e[i].owned;
		}
	}
	qsort(e, n, sizeof(*e), ment_cmp);
	for (i = 0, j = 0; i < n; i++) {
		if (i + 1 < n && strcmp(e[i].key, e[i + 1].key) == 0) {
			free(e[i].owned);
			continue;
		}
		e[j++] = e[i];
	}
	*out = e;
	*n_out = j;
	return 0;
}

/*
 * A map of entries `stride` bytes wide whose first member is the key
 * (char *), in key order (map_order), each value written by put_val().
 */
static void put_map(struct ctprof_buf *b, const void *items, size_t stride, size_t count,
		    void (*put_val)(struct ctprof_buf *b, const void *e))
{
	const char *base = items;
	struct ment *e;
	size_t n, i;

	if (map_order(items, stride, count, &e, &n)) {
		b->oom = true;
		return;
	}
	ctprof_buf_putc(b, '{');
	for (i = 0; i < n; i++) {
		size_t idx = e ? e[i].idx : i;
		const void *item = base + idx * stride;

		if (i)
			ctprof_buf_putc(b, ',');
		put_cstr(b, e ? e[i].key : *(char *const *)item);
		ctprof_buf_putc(b, ':');
		put_val(b, item);
	}
	ctprof_buf_putc(b, '}');
	ments_free(e, n);
}

static void put_kv_val(struct ctprof_buf *b, const void *e)
{
	ctprof_buf_u64(b, ((const struct ctprof_kv *)e)->value);
}

static void put_strkv_val(struct ctprof_buf *b, const void *e)
{
	put_cstr(b, ((const struct ctprof_strkv *)e)->value);
}

static void put_kvmap(struct ctprof_buf *b, const struct ctprof_kvmap *m)
{
	put_map(b, m->items, sizeof(m->items[0]), m->n, put_kv_val);
}

static void put_strmap(struct ctprof_buf *b, const struct ctprof_strmap *m)
{
	put_map(b, m->items, sizeof(m->items[0]), m->n, put_strkv_val);
}

struct gov_ent {
	uint32_t cpu;
	size_t idx;
};

static int gov_cmp(const void *a, const void *b)
{
	const struct gov_ent *x = a, *y = b;

	if (x->cpu != y->cpu)
		return x->cpu < y->cpu ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* cpufreq_governor: decimal-string keys in numeric cpu order. */
static void put_governors(struct ctprof_buf *b, const struct ctprof_governor *g, size_t n)
{
	struct gov_ent *e = NULL;
	size_t i, j, m = n;
	bool sorted = true;
	char num[24];

	for (i = 1; i < n && sorted; i++)
		if (g[i - 1].cpu >= g[i].cpu)
			sorted = false;
	if (!sorted) {
		e = ctprof_calloc(n, sizeof(*e));
		if (!e) {
			b->oom = true;
			return;
		}
		for (i = 0; i < n; i++) {
			e[i].cpu = g[i].cpu;
			e[i].idx = i;
		}
		qsort(e, n, sizeof(*e), gov_cmp);
		for (i = 0, j = 0; i < n; i++)
			if (i + 1 == n || e[i].cpu != e[i + 1].cpu)
				e[j++] = e[i];
		m = j;
	}
	ctprof_buf_putc(b, '{');
	for (i = 0; i < m; i++) {
		size_t idx = e ? e[i].idx : i;

		if (i)
			ctprof_buf_putc(b, ',');
		ctprof_buf_putc(b, '"');
		ctprof_buf_append(b, num, ctprof_fmt_u64(num, g[idx].cpu));
		PUT_LIT(b, "\":");
		put_cstr(b, g[idx].governor);
	}
	ctprof_buf_putc(b, '}');
	free(e);
}

/* ---- threads ---- */

struct tkey {
	const char *s; /* ,"name": */
	size_t n;
};

static const struct tkey thread_keys[CTPROF_F__COUNT] = {
#define CTPROF__X(name, ...) { ",\"" #name "\":", sizeof(",\"" #name "\":") - 1 },
	CTPROF_THREAD_FIELDS(CTPROF__X)
#undef CTPROF__X
};

static void put_state(struct ctprof_buf *b, char state)
{
	unsigned char c = (unsigned char)state;

	/* ASCII as itself; any other byte is not a Rust char: U+FFFD. */
	if (c < 0x80)
		put_str_valid(b, &state, 1);
	else
		PUT_LIT(b, "\"\xEF\xBF\xBD\"");
}

static void put_thread(struct ctprof_buf *b, const struct ctprof_thread *t)
{
	const struct ctprof_field_desc *f = ctprof_fields();
	size_t i, k;

	ctprof_buf_reserve(b, 4096);
	ctprof_buf_putc(b, '{');
	for (i = 0; i < CTPROF_F__COUNT; i++) {
		const void *p = ctprof_field_cptr(t, &f[i]);

		if (i == 0)
			ctprof_buf_append(b, thread_keys[i].s + 1, thread_keys[i].n - 1);
		else
			ctprof_buf_append(b, thread_keys[i].s, thread_keys[i].n);
		switch (f[i].ftype) {
		case CTPROF_FT_U32:
			ctprof_buf_u64(b, *(const uint32_t *)p);
			break;
		case CTPROF_FT_U64:
			ctprof_buf_u64(b, *(const uint64_t *)p);
			break;
		case CTPROF_FT_I32:
			ctprof_buf_i64(b, *(const int32_t *)p);
			break;
		case CTPROF_FT_BOOL:
			put_bool(b, *(const bool *)p);
			break;
		case CTPROF_FT_STR:
			put_cstr(b, *(char *const *)p);
			break;
		case CTPROF_FT_CHAR:
			put_state(b, *(const char *)p);
			break;
		case CTPROF_FT_CPUSET: {
			const struct ctprof_cpuset *cs = p;

			ctprof_buf_putc(b, '[');
			for (k = 0; k < cs->n; k++) {
				if (k)
					ctprof_buf_putc(b, ',');
				ctprof_buf_u64(b, cs->cpus[k]);
			}
			ctprof_buf_putc(b, ']');
			break;
		}
		case CTPROF_FT_KVMAP:
			put_kvmap(b, p);
			break;
		}
	}
	if (t->exited)
		PUT_LIT(b, ",\"" CTPROF_J_EXITED "\":true");
	ctprof_buf_putc(b, '}');
}

/* ---- structs ---- */

static void put_struct(struct ctprof_buf *b, const struct ctprof_jstruct *L, const void *base);

static void put_cgroups(struct ctprof_buf *b, const struct ctprof_snapshot *s)
{
	struct ment *e;
	size_t n, i;

	if (map_order(s->cgroups, sizeof(s->cgroups[0]), s->n_cgroups, &e, &n)) {
		b->oom = true;
		return;
	}
	ctprof_buf_putc(b, '{');
	for (i = 0; i < n; i++) {
		size_t idx = e ? e[i].idx : i;

		if (i)
			ctprof_buf_putc(b, ',');
		put_cstr(b, e ? e[i].key : s->cgroups[idx].path);
		ctprof_buf_putc(b, ':');
		put_struct(b, &ctprof_j_cgroup_stats, &s->cgroups[idx].stats);
	}
	ctprof_buf_putc(b, '}');
	ments_free(e, n);
}

static void put_struct(struct ctprof_buf *b, const struct ctprof_jstruct *L, const void *base)
{
	bool first = true;
	size_t i, k;

	ctprof_buf_putc(b, '{');
	for (i = 0; i < L->n; i++) {
		const struct ctprof_jfield *f = &L->f[i];
		const char *p = (const char *)base + f->off;

		switch (f->kind) {
		case CTPROF_J_U64:
			put_key(b, &first, f->key);
			ctprof_buf_u64(b, *(const uint64_t *)p);
			break;
		case CTPROF_J_U16:
			put_key(b, &first, f->key);
			ctprof_buf_u64(b, *(const uint16_t *)p);
			break;
		case CTPROF_J_BOOL:
			put_key(b, &first, f->key);
			put_bool(b, *(const bool *)p);
			break;
		case CTPROF_J_STR:
			put_key(b, &first, f->key);
			put_cstr(b, *(char *const *)p);
			break;
		case CTPROF_J_NSTR:
			put_key(b, &first, f->key);
			if (*(char *const *)p)
				put_cstr(b, *(char *const *)p);
			else
				PUT_LIT(b, "null");
			break;
		case CTPROF_J_OPT_U64: {
			const struct ctprof_opt_u64 *o = (const void *)p;

			put_key(b, &first, f->key);
			if (o->set)
				ctprof_buf_u64(b, o->v);
			else
				PUT_LIT(b, "null");
			break;
		}
		case CTPROF_J_OPT_I32: {
			const struct ctprof_opt_i32 *o = (const void *)p;

			put_key(b, &first, f->key);
			if (o->set)
				ctprof_buf_i64(b, o->v);
			else
				PUT_LIT(b, "null");
			break;
		}
		case CTPROF_J_KVMAP:
			put_key(b, &first, f->key);
			put_kvmap(b, (const void *)p);
			break;
		case CTPROF_J_STRUCT:
			put_key(b, &first, f->key);
			put_struct(b, f->sub, p);
			break;
		case CTPROF_J_PSTRUCT:
			put_key(b, &first, f->key);
			if (*(void *const *)p)
				put_struct(b, f->sub, *(void *const *)p);
			else
				PUT_LIT(b, "null");
			break;
		case CTPROF_J_O_PSTRUCT:
			if (!*(void *const *)p)
				break;
			put_key(b, &first, f->key);
			put_struct(b, f->sub, *(void *const *)p);
			break;
		case CTPROF_J_THREADS: {
			const struct ctprof_snapshot *s = base;

			put_key(b, &first, f->key);
			ctprof_buf_putc(b, '[');
			for (k = 0; k < s->n_threads && !b->oom; k++) {
				if (k)
					ctprof_buf_putc(b, ',');
				put_thread(b, &s->threads[k]);
			}
			ctprof_buf_putc(b, ']');
			break;
		}
		case CTPROF_J_CGROUPS:
			put_key(b, &first, f->key);
			put_cgroups(b, base);
			break;
		case CTPROF_J_O_STR:
			if (!*(char *const *)p)
				break;
			put_key(b, &first, f->key);
			put_cstr(b, *(char *const *)p);
			break;
		case CTPROF_J_O_U64: {
			const struct ctprof_opt_u64 *o = (const void *)p;

			if (!o->set)
				break;
			put_key(b, &first, f->key);
			ctprof_buf_u64(b, o->v);
			break;
		}
		case CTPROF_J_O_STRMAP:
			if (!*(const bool *)((const char *)base + f->aux))
				break;
			put_key(b, &first, f->key);
			put_strmap(b, (const void *)p);
			break;
		case CTPROF_J_O_GOVERNOR: {
			const struct ctprof_host *h = base;

			if (!h->n_cpufreq_governor)
				break;
			put_key(b, &first, f->key);
			put_governors(b, h->cpufreq_governor, h->n_cpufreq_governor);
			break;
		}
		case CTPROF_J_O_DELAYACCT: {
			unsigned v = *(const enum ctprof_delayacct *)p;

			if (v >= 4 || !ctprof_j_delayacct_names[v])
				break;
			put_key(b, &first, f->key);
			put_cstr(b, ctprof_j_delayacct_names[v]);
			break;
		}
		case CTPROF_J_O_XACCT: {
			unsigned v = *(const enum ctprof_xacct *)p;

			if (v >= 4 || !ctprof_j_xacct_names[v])
				break;
			put_key(b, &first, f->key);
			put_cstr(b, ctprof_j_xacct_names[v]);
			break;
		}
		case CTPROF_J_O_STRUCT:
			if (!*(const bool *)((const char *)base + f->aux))
				break;
			put_key(b, &first, f->key);
			put_struct(b, f->sub, p);
			break;
		}
	}
	ctprof_buf_putc(b, '}');
}

CTPROF_API int ctprof_snapshot_to_json(const struct ctprof_snapshot *snap, char **out,
				       size_t *len, struct ctprof_error *err)
{
	struct ctprof_buf b = { 0 };
	size_t hint;

	if (!snap || !out || !len)
		return ctprof_err(err, -EINVAL, "serialize snapshot: invalid argument");
	/* ~2.5 KB per thread; a wrong guess only costs a realloc */
	hint = snap->n_threads < SIZE_MAX / 4096 ? 4096 + snap->n_threads * 2560 : 4096;
	ctprof_buf_reserve(&b, hint);
	put_struct(&b, &ctprof_j_snapshot, snap);
	if (b.oom) {
		ctprof_buf_free(&b);
		return ctprof_err(err, -ENOMEM, "serialize snapshot: out of memory");
	}
	*out = b.data;
	*len = b.len;
	return 0;
}
