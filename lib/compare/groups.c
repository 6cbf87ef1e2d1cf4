/* SPDX-License-Identifier: MIT */
/*
 * Group keys, group construction and aggregation (compare-engine.md §4-§5),
 * smaps_rollup keys (§4.9) and the cgroup-stats merge (§4.5.4).
 */
#include <errno.h>
#include <stdlib.h>

#include <ctprof/interval.h>

#include "cmp.h"

/* ---- the keyer ------------------------------------------------------------- */

int cp_keyer_init(struct cp_keyer *k, const struct ctprof_compare_opts *o, struct cp_arena *arena)
{
	const char **globs;
	size_t i;

	memset(k, 0, sizeof(*k));
	k->group_by = o->group_by;
	k->no_thread_normalize = o->no_thread_normalize;
	k->no_cg_normalize = o->no_cg_normalize;
	k->arena = arena;
	globs = cp_zalloc(arena, (o->n_cgroup_flatten + 1) * sizeof(*globs));
	if (!globs)
		return -ENOMEM;
	for (i = 0; i < o->n_cgroup_flatten; i++) {
		/* patterns that would not compile are dropped silently (§4.5.1) */
		if (o->cgroup_flatten[i] && cp_glob_valid(o->cgroup_flatten[i])) {
			globs[k->n_flatten] = cp_strdup(arena, o->cgroup_flatten[i]);
			if (!globs[k->n_flatten])
				return -ENOMEM;
			k->n_flatten++;
		}
	}
	k->flatten = globs;
	if (cp_hmap_init(&k->cgmap, 256) < 0)
		return -ENOMEM;
	if ((k->group_by == CTPROF_GROUP_PCOMM || k->group_by == CTPROF_GROUP_COMM) &&
	    !k->no_thread_normalize) {
		if (cp_hmap_init(&k->counts, 1024) < 0)
			return -ENOMEM;
		k->have_counts = true;
	}
	return 0;
}

void cp_keyer_fini(struct cp_keyer *k)
{
	cp_hmap_free(&k->counts);
	cp_hmap_free(&k->cgmap);
	free(k->cgkeys);
	k->cgkeys = NULL;
	ctprof_buf_free(&k->tmp);
	ctprof_buf_free(&k->tmp2);
}

static const char *count_field(const struct cp_keyer *k, const struct ctprof_thread *t)
{
	return k->group_by == CTPROF_GROUP_COMM ? t->comm : t->pcomm;
}

static const char *nz(const char *s)
{
	return s ? s : "";
}

int cp_keyer_count(struct cp_keyer *k, const struct ctprof_snapshot *s)
{
	size_t i;

	if (!k->have_counts)
		return 0;
	for (i = 0; i < s->n_threads; i++) {
		const char *f = nz(count_field(k, &s->threads[i]));
		uint32_t *v;
		bool ins;

		k->tmp.len = 0;
		if (cp_pattern_key(&k->tmp, f, strlen(f)) < 0)
			return -ENOMEM;
		v = cp_hmap_get(&k->counts, k->tmp.data ? k->tmp.data : "", k->tmp.len);
		if (v) {
			if (*v < UINT32_MAX)
				(*v)++;
			continue;
		}
		{
			char *key = cp_memdup(k->arena, k->tmp.data ? k->tmp.data : "", k->tmp.len);

			if (!key)
				return -ENOMEM;
			v = cp_hmap_put(&k->counts, key, k->tmp.len, 1, &ins);
			if (!v)
				return -ENOMEM;
		}
	}
	return 0;
}

/* Memoised: post-flatten path -> final key; values index k->cgkeys via the map. */
int cp_keyer_cgroup(struct cp_keyer *k, const char *path, struct ctprof_key *out)
{
	const char *post = path ? path : "";
	const char *glob = ctprof_cgroup_flatten(post, k->flatten, k->n_flatten);
	bool normalize = !k->no_cg_normalize &&
			 (k->group_by == CTPROF_GROUP_CGROUP || k->group_by == CTPROF_GROUP_ALL);
	size_t plen;
	uint32_t *v;

	if (glob)
		post = glob;
	plen = strlen(post);
	if (!normalize) {
		out->s = post;
		out->len = plen;
		return 0;
	}
	v = cp_hmap_get(&k->cgmap, post, plen);
	if (!v) {
		struct ctprof_key *e = cp_alloc(k->arena, sizeof(*e));
		char *pk;
		bool ins;

		if (!e)
			return -ENOMEM;
		k->tmp2.len = 0;
		if (cp_cgroup_normalize(&k->tmp2, post, plen) < 0)
			return -ENOMEM;
		pk = cp_memdup(k->arena, k->tmp2.data ? k->tmp2.data : "", k->tmp2.len);
		post = cp_memdup(k->arena, post, plen);
		if (!pk || !post)
			return -ENOMEM;
		e->s = pk;
		e->len = k->tmp2.len;
		/*
		 * The map holds uint32 values; keep an index into a side table
		 * by storing the entry pointer's slot in a growable array.
		 */
		if (k->n_cgkeys == k->cap_cgkeys) {
			size_t nc = k->cap_cgkeys ? k->cap_cgkeys * 2 : 64;
			struct ctprof_key **t = ctprof_realloc(k->cgkeys, nc * sizeof(struct ctprof_key *));

			if (!t)
				return -ENOMEM;
			k->cgkeys = t;
			k->cap_cgkeys = nc;
		}
		k->cgkeys[k->n_cgkeys] = e;
		v = cp_hmap_put(&k->cgmap, post, plen, (uint32_t)k->n_cgkeys, &ins);
		if (!v)
			return -ENOMEM;
		k->n_cgkeys++;
	}
	*out = *k->cgkeys[*v];
	return 0;
}

static int put_name(struct cp_keyer *k, const char *name, bool normalize)
{
	name = nz(name);
	if (normalize)
		return cp_pattern_key(&k->tmp, name, strlen(name));
	return ctprof_buf_puts(&k->tmp, name);
}

int cp_keyer_thread(struct cp_keyer *k, const struct ctprof_thread *t)
{
	struct ctprof_key cg;
	const char *f;
	uint32_t *v;
	int r = 0;

	k->tmp.len = 0;
	switch (k->group_by) {
	case CTPROF_GROUP_ALL:
		r = cp_keyer_cgroup(k, t->cgroup, &cg);
		if (r < 0)
			return r;
		ctprof_buf_append(&k->tmp, cg.s, cg.len);
		ctprof_buf_putc(&k->tmp, '\0');
		put_name(k, t->pcomm, !k->no_thread_normalize);
		ctprof_buf_putc(&k->tmp, '\0');
		put_name(k, t->comm, !k->no_thread_normalize);
		break;
	case CTPROF_GROUP_PCOMM:
	case CTPROF_GROUP_COMM:
		f = nz(count_field(k, t));
		if (!k->have_counts)
			return ctprof_buf_puts(&k->tmp, f);
		cp_pattern_key(&k->tmp, f, strlen(f));
		if (k->tmp.oom)
			return -ENOMEM;
		v = cp_hmap_get(&k->counts, k->tmp.data ? k->tmp.data : "", k->tmp.len);
		if (!v || *v < 2) {
			/* singleton revert: the pattern is shared by no other thread */
			k->tmp.len = 0;
			ctprof_buf_puts(&k->tmp, f);
		}
		break;
	case CTPROF_GROUP_COMM_EXACT:
		ctprof_buf_puts(&k->tmp, nz(t->comm));
		break;
	case CTPROF_GROUP_CGROUP:
		r = cp_keyer_cgroup(k, t->cgroup, &cg);
		if (r < 0)
			return r;
		ctprof_buf_append(&k->tmp, cg.s, cg.len);
		break;
	}
	if (!k->tmp.data && !k->tmp.oom)
		ctprof_buf_reserve(&k->tmp, 1);
	return k->tmp.oom ? -ENOMEM : 0;
}

/* ---- aggregation --------------------------------------------------------------- */

const char *cp_state_str(char c)
{
	static const char ascii[128][2] = {
#define S1(x) { (char)(x), 0 }
#define S8(x) S1(x), S1((x) + 1), S1((x) + 2), S1((x) + 3), S1((x) + 4), S1((x) + 5), S1((x) + 6), S1((x) + 7)
#define S64(x) S8(x), S8((x) + 8), S8((x) + 16), S8((x) + 24), S8((x) + 32), S8((x) + 40), S8((x) + 48), S8((x) + 56)
		S64(0), S64(64),
#undef S64
#undef S8
#undef S1
	};
	unsigned char u = (unsigned char)c;

	return u < 128 ? ascii[u] : "\xef\xbf\xbd";
}

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static bool measured(const struct ctprof_thread *t, enum ctprof_pred p)
{
	switch (p) {
	case CTPROF_PRED_CPU_DELAY:
		return t->taskstats_measured && t->cpu_delay_active;
	case CTPROF_PRED_BLOCK_DELAY:
		return t->taskstats_measured && t->delay_block_active;
	case CTPROF_PRED_XACCT:
		return t->taskstats_measured && t->xacct_active;
	case CTPROF_PRED_JEMALLOC:
		return t->jemalloc_measured;
	default:
		return true;
	}
}

struct tally_tmp {
	struct ctprof_tally *t;
	size_t n, cap;
};

static int tally_add(struct tally_tmp *tt, const char *v)
{
	size_t i;

	for (i = 0; i < tt->n; i++) {
		if (tt->t[i].value == v || strcmp(tt->t[i].value, v) == 0) {
			tt->t[i].count++;
			return 0;
		}
	}
	if (tt->n == tt->cap) {
		size_t nc = tt->cap ? tt->cap * 2 : 8;
		struct ctprof_tally *n = ctprof_realloc(tt->t, nc * sizeof(*n));

		if (!n)
			return -ENOMEM;
		tt->t = n;
		tt->cap = nc;
	}
	tt->t[tt->n].value = v;
	tt->t[tt->n].count = 1;
	tt->n++;
	return 0;
}

static int cmp_tally(const void *a, const void *b)
{
	return strcmp(((const struct ctprof_tally *)a)->value, ((const struct ctprof_tally *)b)->value);
}

/* Aggregate every metric of one group over its threads. */
static int aggregate(struct cp_arena *arena, const struct ctprof_snapshot *s, const uint32_t *idx,
		     size_t n, struct ctprof_aggv *m, struct tally_tmp *tt)
{
	const struct ctprof_metric *reg = ctprof_metrics();
	const struct ctprof_field_desc *fd = ctprof_fields();
	unsigned mi;
	size_t i;

	for (mi = 0; mi < CTPROF_NMETRICS; mi++) {
		const struct ctprof_metric *me = &reg[mi];
		struct ctprof_aggv *v = &m[mi];
		size_t off;

		memset(v, 0, sizeof(*v));
		if (me->field < 0) { /* thread_count */
			v->kind = CTPROF_AV_SUM;
			v->u = n;
			continue;
		}
		off = fd[me->field].offset;
		if (me->pred != CTPROF_PRED_NONE) {
			bool any = false;

			for (i = 0; i < n && !any; i++)
				any = measured(&s->threads[idx[i]], me->pred);
			if (!any && n > 0) {
				v->kind = CTPROF_AV_ABSENT;
				continue;
			}
		}
#define FIELD(T, i_) (*(const T *)((const char *)&s->threads[idx[i_]] + off))
		switch (me->agg) {
		case CTPROF_AGG_SUM_COUNT:
		case CTPROF_AGG_SUM_NS:
		case CTPROF_AGG_SUM_TICKS:
		case CTPROF_AGG_SUM_BYTES:
			v->kind = CTPROF_AV_SUM;
			for (i = 0; i < n; i++)
				v->u = sat_add(v->u, FIELD(uint64_t, i));
			break;
		case CTPROF_AGG_MAX_PEAK:
		case CTPROF_AGG_MAX_PEAK_BYTES:
		case CTPROF_AGG_MAX_GAUGE_NS:
		case CTPROF_AGG_MAX_GAUGE_COUNT:
			v->kind = CTPROF_AV_MAX;
			for (i = 0; i < n; i++)
				if (FIELD(uint64_t, i) > v->u)
					v->u = FIELD(uint64_t, i);
			break;
		case CTPROF_AGG_RANGE_I32:
		case CTPROF_AGG_RANGE_U32:
			v->kind = CTPROF_AV_RANGE;
			for (i = 0; i < n; i++) {
				int64_t x = me->agg == CTPROF_AGG_RANGE_I32 ? (int64_t)FIELD(int32_t, i)
									     : (int64_t)FIELD(uint32_t, i);

				if (i == 0 || x < v->range.min)
					v->range.min = x;
				if (i == 0 || x > v->range.max)
					v->range.max = x;
			}
			break;
		case CTPROF_AGG_MODE:
		case CTPROF_AGG_MODE_CHAR:
		case CTPROF_AGG_MODE_BOOL: {
			struct ctprof_tally *t;

			tt->n = 0;
			for (i = 0; i < n; i++) {
				const char *val;

				if (me->agg == CTPROF_AGG_MODE)
					val = nz(FIELD(char *, i));
				else if (me->agg == CTPROF_AGG_MODE_CHAR)
					val = cp_state_str(FIELD(char, i));
				else
					val = FIELD(bool, i) ? "true" : "false";
				if (tally_add(tt, val) < 0)
					return -ENOMEM;
			}
			if (tt->n > 1)
				qsort(tt->t, tt->n, sizeof(*tt->t), cmp_tally);
			t = cp_alloc(arena, (tt->n + 1) * sizeof(*t));
			if (!t)
				return -ENOMEM;
			if (tt->n)
				memcpy(t, tt->t, tt->n * sizeof(*t));
			v->kind = CTPROF_AV_MODE;
			v->n = (uint32_t)tt->n;
			v->mode.tallies = t;
			v->mode.total = n;
			break;
		}
		case CTPROF_AGG_AFFINITY: {
			const struct ctprof_cpuset *first = NULL;
			bool uniform = n > 0;

			v->kind = CTPROF_AV_AFFINITY;
			for (i = 0; i < n; i++) {
				const struct ctprof_cpuset *c = &FIELD(struct ctprof_cpuset, i);
				uint32_t len = c->n > UINT32_MAX ? UINT32_MAX : (uint32_t)c->n;

				if (i == 0 || len < v->aff.min_cpus)
					v->aff.min_cpus = len;
				if (len > v->aff.max_cpus)
					v->aff.max_cpus = len;
				if (!first) {
					first = c;
				} else if (uniform && (c->n != first->n ||
						       (c->n && memcmp(c->cpus, first->cpus,
								       c->n * sizeof(uint32_t)) != 0))) {
					uniform = false;
				}
			}
			if (uniform && first) {
				v->uniform = true;
				v->aff.cpus = first->cpus;
				v->n = first->n > UINT32_MAX ? UINT32_MAX : (uint32_t)first->n;
			}
			break;
		}
		default:
			v->kind = CTPROF_AV_ABSENT;
			break;
		}
#undef FIELD
	}
	return 0;
}

struct gsort {
	struct ctprof_key key;
	uint32_t old;
};

static int cmp_gsort(const void *a, const void *b)
{
	return cp_kcmp(&((const struct gsort *)a)->key, &((const struct gsort *)b)->key);
}

long cp_side_find(const struct cp_side *s, const char *key, size_t len)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = cp_keycmp(s->groups[mid].key.s, s->groups[mid].key.len, key, len);

		if (c == 0)
			return (long)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

int cp_build_groups(struct cp_keyer *k, const struct ctprof_snapshot *s, struct cp_side *out)
{
	struct cp_hmap map = { 0 };
	struct gsort *gs = NULL;
	uint32_t *tg = NULL, *start = NULL, *order = NULL, *remap = NULL, *fill = NULL;
	struct tally_tmp tt = { 0 };
	size_t ng = 0, capg = 0, i;
	int r = -ENOMEM;

	memset(out, 0, sizeof(*out));
	if (cp_hmap_init(&map, s->n_threads / 4 + 16) < 0)
		goto out;
	tg = ctprof_malloc((s->n_threads + 1) * sizeof(*tg));
	if (!tg)
		goto out;
	for (i = 0; i < s->n_threads; i++) {
		uint32_t *v;

		r = cp_keyer_thread(k, &s->threads[i]);
		if (r < 0)
			goto out;
		r = -ENOMEM;
		v = cp_hmap_get(&map, k->tmp.data, k->tmp.len);
		if (!v) {
			char *key = cp_memdup(k->arena, k->tmp.data, k->tmp.len);
			bool ins;

			if (!key)
				goto out;
			if (ng == capg) {
				size_t nc = capg ? capg * 2 : 64;
				struct gsort *t = ctprof_realloc(gs, nc * sizeof(*t));

				if (!t)
					goto out;
				gs = t;
				capg = nc;
			}
			gs[ng].key.s = key;
			gs[ng].key.len = k->tmp.len;
			gs[ng].old = (uint32_t)ng;
			v = cp_hmap_put(&map, key, k->tmp.len, (uint32_t)ng, &ins);
			if (!v)
				goto out;
			ng++;
		}
		// cppcheck-suppress nullPointerRedundantCheck ; v is non-NULL: found, or put just above
		tg[i] = *v;
	}
	/* sort groups by key; remap old index -> sorted position */
	if (ng)
		qsort(gs, ng, sizeof(*gs), cmp_gsort);
	remap = ctprof_malloc((ng + 1) * sizeof(*remap));
	start = ctprof_calloc(ng + 2, sizeof(*start));
	fill = ctprof_calloc(ng + 1, sizeof(*fill));
	order = ctprof_malloc((s->n_threads + 1) * sizeof(*order));
	out->groups = ctprof_calloc(ng + 1, sizeof(*out->groups));
	if (!remap || !start || !fill || !order || !out->groups)
		goto out;
	for (i = 0; i < ng; i++)
		remap[gs[i].old] = (uint32_t)i;
	for (i = 0; i < s->n_threads; i++) {
		tg[i] = remap[tg[i]];
		start[tg[i] + 1]++;
	}
	for (i = 0; i < ng; i++)
		start[i + 1] += start[i];
	for (i = 0; i < s->n_threads; i++)
		order[start[tg[i]] + fill[tg[i]]++] = (uint32_t)i;
	for (i = 0; i < ng; i++) {
		struct ctprof_group *g = &out->groups[i];
		const uint32_t *idx = order + start[i];
		size_t n = start[i + 1] - start[i], j, nst = 0;
		unsigned __int128 sum = 0;

		g->key = gs[i].key;
		g->threads = n;
		g->m = cp_alloc(k->arena, CTPROF_NMETRICS * sizeof(*g->m));
		if (!g->m)
			goto out;
		r = aggregate(k->arena, s, idx, n, g->m, &tt);
		if (r < 0)
			goto out;
		r = -ENOMEM;
		for (j = 0; j < n; j++) {
			uint64_t st = s->threads[idx[j]].start_time_clock_ticks;

			if (st > 0) {
				sum += st;
				nst++;
			}
		}
		g->avg_start_ticks = nst ? (uint64_t)(sum / nst) : 0;
		cp_derive(g->m, g->dv, &g->dv_mask);
	}
	out->n = ng;
	out->thread_group = tg;
	tg = NULL;
	r = 0;
out:
	if (r < 0) {
		free(out->groups);
		out->groups = NULL;
	}
	cp_hmap_free(&map);
	free(gs);
	free(tg);
	free(start);
	free(fill);
	free(order);
	free(remap);
	free(tt.t);
	return r;
}

void cp_side_free(struct cp_side *s)
{
	if (!s)
		return;
	free(s->groups);
	free(s->thread_group);
	s->groups = NULL;
	s->thread_group = NULL;
	s->n = 0;
}

/* ---- smaps_rollup ---------------------------------------------------------------- */

struct smaps_acc {
	struct ctprof_smaps_entry *e;
	size_t n, cap;
};

static int cmp_smaps(const void *a, const void *b)
{
	return cp_kcmp(&((const struct ctprof_smaps_entry *)a)->key,
		       &((const struct ctprof_smaps_entry *)b)->key);
}

int cp_collect_smaps(struct cp_keyer *k, const struct ctprof_snapshot *s, bool compound,
		     struct ctprof_smaps_entry **out, size_t *nout)
{
	struct smaps_acc acc = { 0 };
	struct cp_hmap map = { 0 };
	size_t i, j;
	int r = -ENOMEM;

	*out = NULL;
	*nout = 0;
	if (cp_hmap_init(&map, 64) < 0)
		return -ENOMEM;
	for (i = 0; i < s->n_threads; i++) {
		const struct ctprof_thread *t = &s->threads[i];
		struct ctprof_smaps_entry *e;
		uint32_t *v;

		if (t->smaps_rollup_kib.n == 0)
			continue;
		k->tmp.len = 0;
		if (compound) {
			struct ctprof_key cg;

			r = cp_keyer_cgroup(k, t->cgroup, &cg);
			if (r < 0)
				goto fail;
			r = -ENOMEM;
			ctprof_buf_append(&k->tmp, cg.s, cg.len);
			ctprof_buf_putc(&k->tmp, '\0');
		}
		if (k->no_thread_normalize) {
			ctprof_buf_puts(&k->tmp, nz(t->pcomm));
			ctprof_buf_putc(&k->tmp, '[');
			ctprof_buf_u64(&k->tmp, t->tgid);
			ctprof_buf_putc(&k->tmp, ']');
		} else {
			cp_pattern_key(&k->tmp, nz(t->pcomm), strlen(nz(t->pcomm)));
		}
		if (k->tmp.oom)
			goto fail;
		v = cp_hmap_get(&map, k->tmp.data, k->tmp.len);
		if (!v) {
			char *key = cp_memdup(k->arena, k->tmp.data, k->tmp.len);
			bool ins;

			if (!key)
				goto fail;
			if (acc.n == acc.cap) {
				size_t nc = acc.cap ? acc.cap * 2 : 32;
				struct ctprof_smaps_entry *ne = ctprof_realloc(acc.e, nc * sizeof(*ne));

				if (!ne)
					goto fail;
				acc.e = ne;
				acc.cap = nc;
			}
			memset(&acc.e[acc.n], 0, sizeof(acc.e[acc.n]));
			acc.e[acc.n].key.s = key;
			acc.e[acc.n].key.len = k->tmp.len;
			v = cp_hmap_put(&map, key, k->tmp.len, (uint32_t)acc.n, &ins);
			if (!v)
				goto fail;
			acc.n++;
		}
		// cppcheck-suppress nullPointerRedundantCheck ; v is non-NULL: found, or put just above
		e = &acc.e[*v];
		for (j = 0; j < t->smaps_rollup_kib.n; j++) {
			const struct ctprof_kv *kv = &t->smaps_rollup_kib.items[j];
			uint64_t bytes = kv->value > UINT64_MAX / 1024 ? UINT64_MAX : kv->value * 1024;
			uint64_t cur = 0;

			if (ctprof_kvmap_get(&e->bytes, kv->key, &cur))
				bytes = sat_add(cur, bytes);
			if (ctprof_kvmap_set(&e->bytes, kv->key, bytes) < 0)
				goto fail;
		}
	}
	if (acc.n)
		qsort(acc.e, acc.n, sizeof(*acc.e), cmp_smaps);
	cp_hmap_free(&map);
	*out = acc.e;
	*nout = acc.n;
	return 0;
fail:
	cp_hmap_free(&map);
	cp_smaps_free(acc.e, acc.n);
	return r;
}

void cp_smaps_free(struct ctprof_smaps_entry *e, size_t n)
{
	size_t i;

	for (i = 0; e && i < n; i++)
		ctprof_kvmap_clear(&e[i].bytes);
	free(e);
}

/* ---- cgroup stats ------------------------------------------------------------------- */

static bool memstat_is_gauge(const char *key)
{
	return ctprof_memory_stat_is_gauge(key);
}

static int kv_copy(struct ctprof_kvmap *dst, const struct ctprof_kvmap *src)
{
	size_t i;

	for (i = 0; i < src->n; i++)
		if (ctprof_kvmap_set(dst, src->items[i].key, src->items[i].value) < 0)
			return -ENOMEM;
	return 0;
}

int cp_cgroup_stats_copy(struct ctprof_cgroup_stats *dst, const struct ctprof_cgroup_stats *src)
{
	*dst = *src;
	memset(&dst->memory.stat, 0, sizeof(dst->memory.stat));
	memset(&dst->memory.events, 0, sizeof(dst->memory.events));
	if (kv_copy(&dst->memory.stat, &src->memory.stat) < 0 ||
	    kv_copy(&dst->memory.events, &src->memory.events) < 0) {
		ctprof_cgroup_stats_clear(dst);
		return -ENOMEM;
	}
	return 0;
}

/* Limits: max, but unset on either side gives unset ("unbounded wins"). */
static void lim_max(struct ctprof_opt_u64 *d, const struct ctprof_opt_u64 *s)
{
	if (!d->set || !s->set)
		d->set = false, d->v = 0;
	else if (s->v > d->v)
		d->v = s->v;
}

/* Floors: min, unset on either side gives unset. */
static void floor_min(struct ctprof_opt_u64 *d, const struct ctprof_opt_u64 *s)
{
	if (!d->set || !s->set)
		d->set = false, d->v = 0;
	else if (s->v < d->v)
		d->v = s->v;
}

static void psi_half_merge(struct ctprof_psi_half *d, const struct ctprof_psi_half *s)
{
	if (s->avg10 > d->avg10)
		d->avg10 = s->avg10;
	if (s->avg60 > d->avg60)
		d->avg60 = s->avg60;
	if (s->avg300 > d->avg300)
		d->avg300 = s->avg300;
	d->total_usec = sat_add(d->total_usec, s->total_usec);
}

static void psi_merge(struct ctprof_psi *d, const struct ctprof_psi *s)
{
	psi_half_merge(&d->cpu.some, &s->cpu.some);
	psi_half_merge(&d->cpu.full, &s->cpu.full);
	psi_half_merge(&d->memory.some, &s->memory.some);
	psi_half_merge(&d->memory.full, &s->memory.full);
	psi_half_merge(&d->io.some, &s->io.some);
	psi_half_merge(&d->io.full, &s->io.full);
	psi_half_merge(&d->irq.some, &s->irq.some);
	psi_half_merge(&d->irq.full, &s->irq.full);
}

int cp_cgroup_stats_merge(struct ctprof_cgroup_stats *d, const struct ctprof_cgroup_stats *s)
{
	size_t i;

	d->cpu.usage_usec = sat_add(d->cpu.usage_usec, s->cpu.usage_usec);
	d->cpu.nr_throttled = sat_add(d->cpu.nr_throttled, s->cpu.nr_throttled);
	d->cpu.throttled_usec = sat_add(d->cpu.throttled_usec, s->cpu.throttled_usec);
	lim_max(&d->cpu.max_quota_us, &s->cpu.max_quota_us);
	if (s->cpu.max_period_us > d->cpu.max_period_us)
		d->cpu.max_period_us = s->cpu.max_period_us;
	lim_max(&d->cpu.weight, &s->cpu.weight);
	if (!d->cpu.weight_nice.set || !s->cpu.weight_nice.set)
		d->cpu.weight_nice.set = false, d->cpu.weight_nice.v = 0;
	else if (s->cpu.weight_nice.v > d->cpu.weight_nice.v)
		d->cpu.weight_nice.v = s->cpu.weight_nice.v;

	if (s->memory.current > d->memory.current)
		d->memory.current = s->memory.current;
	lim_max(&d->memory.max, &s->memory.max);
	lim_max(&d->memory.high, &s->memory.high);
	floor_min(&d->memory.low, &s->memory.low);
	floor_min(&d->memory.min, &s->memory.min);
	for (i = 0; i < s->memory.stat.n; i++) {
		const struct ctprof_kv *kv = &s->memory.stat.items[i];
		uint64_t cur, v = kv->value;

		if (ctprof_kvmap_get(&d->memory.stat, kv->key, &cur))
			v = memstat_is_gauge(kv->key) ? (cur > v ? cur : v) : sat_add(cur, v);
		if (ctprof_kvmap_set(&d->memory.stat, kv->key, v) < 0)
			return -ENOMEM;
	}
	for (i = 0; i < s->memory.events.n; i++) {
		const struct ctprof_kv *kv = &s->memory.events.items[i];
		uint64_t cur, v = kv->value;

		if (ctprof_kvmap_get(&d->memory.events, kv->key, &cur))
			v = sat_add(cur, v);
		if (ctprof_kvmap_set(&d->memory.events, kv->key, v) < 0)
			return -ENOMEM;
	}
	if (s->pids.current.set) {
		if (d->pids.current.set)
			d->pids.current.v = sat_add(d->pids.current.v, s->pids.current.v);
		else
			d->pids.current = s->pids.current;
	}
	lim_max(&d->pids.max, &s->pids.max);
	psi_merge(&d->psi, &s->psi);
	return 0;
}

static int cmp_cgs(const void *a, const void *b)
{
	return strcmp(((const struct ctprof_cgstats_entry *)a)->key,
		      ((const struct ctprof_cgstats_entry *)b)->key);
}

int cp_flatten_cgroup_stats(struct cp_keyer *k, const struct ctprof_snapshot *s,
			    struct ctprof_cgstats_entry **out, size_t *nout)
{
	struct ctprof_cgstats_entry *e = NULL;
	struct cp_hmap map = { 0 };
	size_t n = 0, i;

	*out = NULL;
	*nout = 0;
	if (cp_hmap_init(&map, s->n_cgroups + 8) < 0)
		return -ENOMEM;
	e = ctprof_calloc(s->n_cgroups + 1, sizeof(*e));
	if (!e)
		goto fail;
	for (i = 0; i < s->n_cgroups; i++) {
		struct ctprof_key key;
		uint32_t *v;
		bool ins;

		if (cp_keyer_cgroup(k, s->cgroups[i].path, &key) < 0)
			goto fail;
		v = cp_hmap_get(&map, key.s, key.len);
		if (v) {
			if (cp_cgroup_stats_merge(&e[*v].stats, &s->cgroups[i].stats) < 0)
				goto fail;
			continue;
		}
		e[n].key = cp_memdup(k->arena, key.s, key.len);
		if (!e[n].key || cp_cgroup_stats_copy(&e[n].stats, &s->cgroups[i].stats) < 0)
			goto fail;
		v = cp_hmap_put(&map, e[n].key, key.len, (uint32_t)n, &ins);
		n++;
		if (!v)
			goto fail;
	}
	if (n)
		qsort(e, n, sizeof(*e), cmp_cgs);
	cp_hmap_free(&map);
	*out = e;
	*nout = n;
	return 0;
fail:
	cp_hmap_free(&map);
	cp_cgstats_free(e, n);
	return -ENOMEM;
}

void cp_cgstats_free(struct ctprof_cgstats_entry *e, size_t n)
{
	size_t i;

	for (i = 0; e && i < n; i++)
		ctprof_cgroup_stats_clear(&e[i].stats);
	free(e);
}
