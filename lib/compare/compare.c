/* SPDX-License-Identifier: MIT */
/*
 * The compare pipeline (compare-engine.md §3): groups on both sides,
 * matched rows, cgroup-rename fudging (§4.8), uptime (§8.4), sorting
 * (§8.3) and the enrichment tables.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "cmp.h"

#define EPS 2.220446049250313e-16 /* f64::EPSILON */

struct priv {
	struct cp_arena arena;
	struct cp_side sa, sb;
};

struct keyvec {
	struct ctprof_key *v;
	size_t n, cap;
};

static int kv_push(struct keyvec *kv, const char *s, size_t len)
{
	if (kv->n == kv->cap) {
		size_t nc = kv->cap ? kv->cap * 2 : 16;
		struct ctprof_key *t = ctprof_realloc(kv->v, nc * sizeof(*t));

		if (!t)
			return -ENOMEM;
		kv->v = t;
		kv->cap = nc;
	}
	kv->v[kv->n].s = s;
	kv->v[kv->n].len = len;
	kv->n++;
	return 0;
}

static int cmp_key(const void *a, const void *b)
{
	return cp_kcmp(a, b);
}

/* Cgroup prefix of a compound key: everything before the first NUL. */
static size_t prefix_len(const struct ctprof_key *k)
{
	const char *z = memchr(k->s, '\0', k->len);

	return z ? (size_t)(z - k->s) : k->len;
}

struct ctx {
	const struct ctprof_snapshot *a, *b;
	struct cp_keyer *k;
	struct priv *p;
	struct ctprof_diff *d;
	size_t cap_pairs;
	struct keyvec only_a, only_b;
	/* (bkey, ckey) joined by fudging; index pairs into only_a / only_b */
	struct { struct ctprof_key b, c; } *fkp;
	size_t n_fkp, cap_fkp;
};

static struct ctprof_pair *new_pair(struct ctx *c)
{
	struct ctprof_diff *d = c->d;

	if (d->n_pairs == c->cap_pairs) {
		size_t nc = c->cap_pairs ? c->cap_pairs * 2 : 64;
		struct ctprof_pair *t = ctprof_realloc(d->pairs, nc * sizeof(*t));

		if (!t)
			return NULL;
		d->pairs = t;
		c->cap_pairs = nc;
	}
	memset(&d->pairs[d->n_pairs], 0, sizeof(d->pairs[0]));
	return &d->pairs[d->n_pairs++];
}

/* ---- matched rows (§3 step 4) -------------------------------------------------- */

static int emit_matched(struct ctx *c)
{
	const struct cp_side *sa = &c->p->sa, *sb = &c->p->sb;
	size_t i = 0, j = 0;

	while (i < sa->n || j < sb->n) {
		int cmp;

		if (i >= sa->n)
			cmp = 1;
		else if (j >= sb->n)
			cmp = -1;
		else
			cmp = cp_kcmp(&sa->groups[i].key, &sb->groups[j].key);
		if (cmp < 0) {
			if (kv_push(&c->only_a, sa->groups[i].key.s, sa->groups[i].key.len) < 0)
				return -ENOMEM;
			i++;
		} else if (cmp > 0) {
			if (kv_push(&c->only_b, sb->groups[j].key.s, sb->groups[j].key.len) < 0)
				return -ENOMEM;
			j++;
		} else {
			const struct ctprof_group *ga = &sa->groups[i], *gb = &sb->groups[j];
			struct ctprof_pair *pr = new_pair(c);

			if (!pr)
				return -ENOMEM;
			pr->key = ga->key;
			pr->display = ga->key; /* the pretty-labels display is off by default (§4.4) */
			pr->threads_a = ga->threads;
			pr->threads_b = gb->threads;
			pr->a = ga->m;
			pr->b = gb->m;
			pr->dv_mask_a = ga->dv_mask;
			pr->dv_mask_b = gb->dv_mask;
			memcpy(pr->dv_a, ga->dv, sizeof(pr->dv_a));
			memcpy(pr->dv_b, gb->dv, sizeof(pr->dv_b));
			i++;
			j++;
		}
	}
	return 0;
}

/* ---- fudging (§4.8) ---------------------------------------------------------------- */

/* A sorted, de-duplicated set of "pk(pcomm)\0pk(comm)" thread types per prefix. */
struct typeset {
	struct ctprof_key prefix;
	struct keyvec types;
};

struct prefixes {
	struct typeset *v;
	size_t n;
	struct cp_hmap map; /* prefix -> index */
};

static void prefixes_free(struct prefixes *p)
{
	size_t i;

	for (i = 0; p->v && i < p->n; i++)
		free(p->v[i].types.v);
	free(p->v);
	cp_hmap_free(&p->map);
	memset(p, 0, sizeof(*p)); /* a failed collect_prefixes frees, then its caller again */
}

/* Unique prefixes of one-sided keys whose prefix has no matched key; sorted. */
static int collect_prefixes(struct ctx *c, const struct keyvec *only, const struct cp_hmap *matched,
			    struct prefixes *out)
{
	struct keyvec tmp = { 0 };
	size_t i, n = 0;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < only->n; i++) {
		size_t pl = prefix_len(&only->v[i]);

		if (cp_hmap_get(matched, only->v[i].s, pl))
			continue;
		if (kv_push(&tmp, only->v[i].s, pl) < 0)
			goto fail;
	}
	if (tmp.n)
		qsort(tmp.v, tmp.n, sizeof(*tmp.v), cmp_key);
	out->v = ctprof_calloc(tmp.n + 1, sizeof(*out->v));
	if (!out->v || cp_hmap_init(&out->map, tmp.n + 8) < 0)
		goto fail;
	for (i = 0; i < tmp.n; i++) {
		bool ins;

		if (n && cp_kcmp(&tmp.v[i], &out->v[n - 1].prefix) == 0)
			continue;
		out->v[n].prefix = tmp.v[i];
		if (!cp_hmap_put(&out->map, tmp.v[i].s, tmp.v[i].len, (uint32_t)n, &ins))
			goto fail;
		n++;
	}
	out->n = n;
	free(tmp.v);
	(void)c;
	return 0;
fail:
	free(tmp.v);
	prefixes_free(out);
	return -ENOMEM;
}

/* Thread types per prefix, from the snapshot's threads (always pattern keys). */
static int fill_types(struct ctx *c, const struct ctprof_snapshot *s, struct prefixes *px)
{
	struct ctprof_buf tb = { 0 };
	size_t i;
	int r = -ENOMEM;

	for (i = 0; i < s->n_threads; i++) {
		const struct ctprof_thread *t = &s->threads[i];
		struct ctprof_key cg;
		uint32_t *v;
		char *copy;

		if (cp_keyer_cgroup(c->k, t->cgroup, &cg) < 0)
			goto out;
		v = cp_hmap_get(&px->map, cg.s, cg.len);
		if (!v)
			continue;
		tb.len = 0;
		cp_pattern_key(&tb, t->pcomm ? t->pcomm : "", strlen(t->pcomm ? t->pcomm : ""));
		ctprof_buf_putc(&tb, '\0');
		cp_pattern_key(&tb, t->comm ? t->comm : "", strlen(t->comm ? t->comm : ""));
		if (tb.oom)
			goto out;
		copy = cp_memdup(&c->p->arena, tb.data, tb.len);
		if (!copy || kv_push(&px->v[*v].types, copy, tb.len) < 0)
			goto out;
	}
	for (i = 0; i < px->n; i++) {
		struct keyvec *kv = &px->v[i].types;
		size_t j, n = 0;

		if (kv->n)
			qsort(kv->v, kv->n, sizeof(*kv->v), cmp_key);
		for (j = 0; j < kv->n; j++)
			if (n == 0 || cp_kcmp(&kv->v[j], &kv->v[n - 1]) != 0)
				kv->v[n++] = kv->v[j];
		kv->n = n;
	}
	r = 0;
out:
	ctprof_buf_free(&tb);
	return r;
}

static size_t intersect(const struct keyvec *a, const struct keyvec *b)
{
	size_t i = 0, j = 0, n = 0;

	while (i < a->n && j < b->n) {
		int cmp = cp_kcmp(&a->v[i], &b->v[j]);

		if (cmp == 0) {
			n++;
			i++;
			j++;
		} else if (cmp < 0) {
			i++;
		} else {
			j++;
		}
	}
	return n;
}

static bool key_eq(const struct ctprof_key *a, const char *s, size_t len)
{
	return a->len == len && memcmp(a->s, s, len) == 0;
}

struct match {
	struct ctprof_key bkey;
	struct keyvec ckeys;
};

struct matches {
	struct match *v;
	size_t n, cap;
	struct cp_hmap map; /* bkey -> index */
};

static int match_add(struct matches *m, const struct ctprof_key *b, const struct ctprof_key *ck)
{
	uint32_t *v = cp_hmap_get(&m->map, b->s, b->len);
	bool ins;

	if (!v) {
		if (m->n == m->cap) {
			size_t nc = m->cap ? m->cap * 2 : 16;
			struct match *t = ctprof_realloc(m->v, nc * sizeof(*t));

			if (!t)
				return -ENOMEM;
			m->v = t;
			m->cap = nc;
		}
		memset(&m->v[m->n], 0, sizeof(m->v[0]));
		m->v[m->n].bkey = *b;
		v = cp_hmap_put(&m->map, b->s, b->len, (uint32_t)m->n, &ins);
		if (!v)
			return -ENOMEM;
		m->n++;
	}
	return kv_push(&m->v[*v].ckeys, ck->s, ck->len);
}

static void matches_free(struct matches *m)
{
	size_t i;

	for (i = 0; m->v && i < m->n; i++)
		free(m->v[i].ckeys.v);
	free(m->v);
	cp_hmap_free(&m->map);
}

static int cmp_match(const void *a, const void *b)
{
	return cp_kcmp(&((const struct match *)a)->bkey, &((const struct match *)b)->bkey);
}

static int add_fkp(struct ctx *c, const struct ctprof_key *b, const struct ctprof_key *k)
{
	if (c->n_fkp == c->cap_fkp) {
		size_t nc = c->cap_fkp ? c->cap_fkp * 2 : 16;
		void *t = ctprof_realloc(c->fkp, nc * sizeof(*c->fkp));

		if (!t)
			return -ENOMEM;
		c->fkp = t;
		c->cap_fkp = nc;
	}
	c->fkp[c->n_fkp].b = *b;
	c->fkp[c->n_fkp].c = *k;
	c->n_fkp++;
	return 0;
}

/* N:1 merged rows for every baseline key of m, in key order (§4.8 step 6). */
static int emit_fudged(struct ctx *c, struct matches *m)
{
	size_t i, j;

	if (m->n)
		qsort(m->v, m->n, sizeof(*m->v), cmp_match);
	for (i = 0; i < m->n; i++) {
		const struct ctprof_key *bk = &m->v[i].bkey;
		long ia = cp_side_find(&c->p->sa, bk->s, bk->len);
		struct ctprof_aggv *merged = NULL;
		uint64_t threads = 0;
		struct ctprof_pair *pr;
		size_t pl, leaf;
		char *disp;

		if (ia < 0)
			continue;
		for (j = 0; j < m->v[i].ckeys.n; j++) {
			const struct ctprof_key *ck = &m->v[i].ckeys.v[j];
			long ib = cp_side_find(&c->p->sb, ck->s, ck->len);
			const struct ctprof_group *gb;
			unsigned mi;

			if (ib < 0)
				continue;
			gb = &c->p->sb.groups[ib];
			threads += gb->threads;
			if (!merged) {
				merged = cp_alloc(&c->p->arena, CTPROF_NMETRICS * sizeof(*merged));
				if (!merged)
					return -ENOMEM;
				memcpy(merged, gb->m, CTPROF_NMETRICS * sizeof(*merged));
				continue;
			}
			for (mi = 0; mi < CTPROF_NMETRICS; mi++)
				if (cp_aggv_merge(&c->p->arena, &merged[mi], &gb->m[mi]) < 0)
					return -ENOMEM;
		}
		if (!merged)
			continue;
		pr = new_pair(c);
		if (!pr)
			return -ENOMEM;
		pr->key = *bk;
		pl = prefix_len(bk);
		for (leaf = pl; leaf > 0 && bk->s[leaf - 1] != '/'; leaf--)
			;
		if (leaf == pl) {
			disp = cp_strdup(&c->p->arena, "[fudged]");
		} else {
			struct ctprof_buf b = { 0 };

			ctprof_buf_puts(&b, "[fudged: ");
			ctprof_buf_append(&b, bk->s + leaf, pl - leaf);
			ctprof_buf_putc(&b, ']');
			disp = b.oom ? NULL : cp_memdup(&c->p->arena, b.data, b.len);
			ctprof_buf_free(&b);
		}
		if (!disp)
			return -ENOMEM;
		pr->display.s = disp;
		pr->display.len = strlen(disp);
		pr->fudged = true;
		pr->threads_a = c->p->sa.groups[ia].threads;
		pr->threads_b = threads;
		pr->a = c->p->sa.groups[ia].m;
		pr->b = merged;
		pr->dv_mask_a = c->p->sa.groups[ia].dv_mask;
		memcpy(pr->dv_a, c->p->sa.groups[ia].dv, sizeof(pr->dv_a));
		cp_derive(merged, pr->dv_b, &pr->dv_mask_b);
	}
	return 0;
}

/* Split a cgroup path on '/' like Rust's str::split (leading "" kept). */
static size_t split_segs(const char *s, size_t len, const char **seg, size_t *seglen, size_t max)
{
	size_t n = 0, start = 0, i;

	for (i = 0; i <= len && n < max; i++) {
		if (i == len || s[i] == '/') {
			seg[n] = s + start;
			seglen[n] = i - start;
			n++;
			start = i + 1;
		}
	}
	return n;
}

/* Strip the longest common '/'-segment suffix; an empty root becomes the path. */
static int cascade_roots(struct cp_arena *ar, const struct ctprof_key *bcg,
			 const struct ctprof_key *ccg, struct ctprof_key *br, struct ctprof_key *cr)
{
	enum { MAXSEG = 512 };
	const char *bs[MAXSEG], *cs[MAXSEG];
	size_t bl[MAXSEG], cl[MAXSEG], nb, nc, common = 0, i;
	const struct ctprof_key *src[2] = { bcg, ccg };
	struct ctprof_key *dst[2] = { br, cr };
	size_t keep[2];
	int side;

	nb = split_segs(bcg->s, bcg->len, bs, bl, MAXSEG);
	nc = split_segs(ccg->s, ccg->len, cs, cl, MAXSEG);
	while (common < nb && common < nc && bl[nb - 1 - common] == cl[nc - 1 - common] &&
	       memcmp(bs[nb - 1 - common], cs[nc - 1 - common], bl[nb - 1 - common]) == 0)
		common++;
	keep[0] = nb - common;
	keep[1] = nc - common;
	for (side = 0; side < 2; side++) {
		const char **segs = side ? cs : bs;
		size_t *lens = side ? cl : bl;
		size_t len = 0;

		for (i = 0; i < keep[side]; i++)
			len += lens[i] + (i ? 1 : 0);
		if (len == 0) {
			*dst[side] = *src[side];
		} else {
			/* the kept segments are a prefix of the path: copy it */
			dst[side]->s = cp_memdup(ar, segs[0], len);
			dst[side]->len = len;
			if (!dst[side]->s)
				return -ENOMEM;
		}
	}
	return 0;
}

static bool root_or_child(const char *cg, size_t cglen, const struct ctprof_key *root)
{
	if (cglen < root->len || memcmp(cg, root->s, root->len) != 0)
		return false;
	return cglen == root->len || cg[root->len] == '/';
}

struct fpair {
	struct ctprof_key bcg, ccg;
};

static int build_report(struct ctx *c, const struct fpair *fp, size_t nfp, struct prefixes *pa,
			struct prefixes *pb, const struct ctprof_key *broots,
			const struct ctprof_key *croots, const uint64_t *cascaded);

static int apply_fudge(struct ctx *c)
{
	struct cp_hmap matched = { 0 }, rm_a = { 0 }, rm_b = { 0 };
	struct prefixes pa = { 0 }, pb = { 0 };
	struct matches direct = { 0 }, cascade = { 0 };
	struct fpair *fp = NULL;
	struct ctprof_key *broots = NULL, *croots = NULL;
	uint64_t *cascaded = NULL;
	size_t nfp = 0, i, j, ib, ic;
	struct ctprof_buf tb = { 0 };
	int r = -ENOMEM;

	if (cp_hmap_init(&matched, c->d->n_pairs + 8) < 0 || cp_hmap_init(&rm_a, 64) < 0 ||
	    cp_hmap_init(&rm_b, 64) < 0 || cp_hmap_init(&direct.map, 64) < 0 ||
	    cp_hmap_init(&cascade.map, 64) < 0)
		goto out;
	for (i = 0; i < c->d->n_pairs; i++) {
		bool ins;

		if (!cp_hmap_put(&matched, c->d->pairs[i].key.s, prefix_len(&c->d->pairs[i].key), 0,
				 &ins))
			goto out;
	}
	if (collect_prefixes(c, &c->only_a, &matched, &pa) < 0 ||
	    collect_prefixes(c, &c->only_b, &matched, &pb) < 0)
		goto out;
	if (fill_types(c, c->a, &pa) < 0 || fill_types(c, c->b, &pb) < 0)
		goto out;

	/* step 3: each candidate prefix (sorted) picks its best baseline prefix */
	fp = ctprof_calloc(pb.n + 1, sizeof(*fp));
	if (!fp)
		goto out;
	for (ic = 0; ic < pb.n; ic++) {
		const struct keyvec *setb = &pb.v[ic].types;
		double best_j = 0;
		long best = -1;

		if (setb->n < 10)
			continue;
		for (ib = 0; ib < pa.n; ib++) {
			const struct keyvec *seta = &pa.v[ib].types;
			size_t inter = intersect(seta, setb), uni;
			double jac;

			if (inter < 10)
				continue;
			uni = seta->n + setb->n - inter;
			jac = (double)inter / (double)uni;
			if (jac >= 0.90 && (best < 0 || jac > best_j)) {
				best = (long)ib;
				best_j = jac;
			}
		}
		if (best >= 0) {
			fp[nfp].bcg = pa.v[best].prefix;
			fp[nfp].ccg = pb.v[ic].prefix;
			nfp++;
		}
	}
	if (nfp == 0) {
		r = 0;
		goto out;
	}

	/* step 4: direct remap on equal pcomm\0comm suffixes */
	for (i = 0; i < nfp; i++) {
		for (ib = 0; ib < c->only_a.n; ib++) {
			const struct ctprof_key *bk = &c->only_a.v[ib];
			size_t bpl = prefix_len(bk);

			if (!key_eq(&fp[i].bcg, bk->s, bpl))
				continue;
			for (ic = 0; ic < c->only_b.n; ic++) {
				const struct ctprof_key *ck = &c->only_b.v[ic];
				size_t cpl = prefix_len(ck);
				bool ins;

				if (!key_eq(&fp[i].ccg, ck->s, cpl))
					continue;
				if (bk->len - bpl != ck->len - cpl ||
				    memcmp(bk->s + bpl, ck->s + cpl, bk->len - bpl) != 0)
					continue;
				if (!cp_hmap_put(&rm_a, bk->s, bk->len, 0, &ins) ||
				    !cp_hmap_put(&rm_b, ck->s, ck->len, 0, &ins) ||
				    add_fkp(c, bk, ck) < 0 || match_add(&direct, bk, ck) < 0)
					goto out;
				break;
			}
		}
	}
	if (emit_fudged(c, &direct) < 0)
		goto out;

	/* step 5: cascade under the stripped roots */
	broots = ctprof_calloc(nfp, sizeof(*broots));
	croots = ctprof_calloc(nfp, sizeof(*croots));
	cascaded = ctprof_calloc(nfp, sizeof(*cascaded));
	if (!broots || !croots || !cascaded)
		goto out;
	for (i = 0; i < nfp; i++) {
		const struct ctprof_key *br = &broots[i], *cr = &croots[i];
		struct cp_hmap bysuffix = { 0 };
		struct keyvec rewritten = { 0 };

		if (cascade_roots(&c->p->arena, &fp[i].bcg, &fp[i].ccg, &broots[i], &croots[i]) < 0)
			goto out;
		if (cp_hmap_init(&bysuffix, 64) < 0)
			goto out;
		/* candidate keys under the candidate root, rewritten to the baseline root */
		for (ic = 0; ic < c->only_b.n; ic++) {
			const struct ctprof_key *ck = &c->only_b.v[ic];
			size_t cpl = prefix_len(ck);
			uint32_t *v;
			char *nk;
			bool ins;

			if (cp_hmap_get(&rm_b, ck->s, ck->len) || !root_or_child(ck->s, cpl, cr))
				continue;
			tb.len = 0;
			ctprof_buf_append(&tb, br->s, br->len);
			ctprof_buf_append(&tb, ck->s + cr->len, ck->len - cr->len);
			nk = tb.oom ? NULL : cp_memdup(&c->p->arena, tb.data, tb.len);
			if (!nk || kv_push(&rewritten, ck->s, ck->len) < 0) {
				cp_hmap_free(&bysuffix);
				free(rewritten.v);
				goto out;
			}
			v = cp_hmap_put(&bysuffix, nk, tb.len, (uint32_t)(rewritten.n - 1), &ins);
			if (!v) {
				cp_hmap_free(&bysuffix);
				free(rewritten.v);
				goto out;
			}
			*v = (uint32_t)(rewritten.n - 1); /* a later duplicate wins, as in a BTreeMap */
		}
		for (ib = 0; ib < c->only_a.n; ib++) {
			const struct ctprof_key *bk = &c->only_a.v[ib];
			uint32_t *v;
			bool ins;

			if (cp_hmap_get(&rm_a, bk->s, bk->len) ||
			    !root_or_child(bk->s, prefix_len(bk), br))
				continue;
			v = cp_hmap_get(&bysuffix, bk->s, bk->len);
			if (!v)
				continue;
			if (!cp_hmap_put(&rm_a, bk->s, bk->len, 0, &ins) ||
			    !cp_hmap_put(&rm_b, rewritten.v[*v].s, rewritten.v[*v].len, 0, &ins) ||
			    add_fkp(c, bk, &rewritten.v[*v]) < 0 ||
			    match_add(&cascade, bk, &rewritten.v[*v]) < 0) {
				cp_hmap_free(&bysuffix);
				free(rewritten.v);
				goto out;
			}
			cascaded[i]++;
		}
		cp_hmap_free(&bysuffix);
		free(rewritten.v);
	}
	/* the report counts cascaded children per baseline cgroup (summed over its pairs) */
	{
		uint64_t *tot = ctprof_calloc(nfp, sizeof(*tot));

		if (!tot)
			goto out;
		for (i = 0; i < nfp; i++)
			for (j = 0; j < nfp; j++)
				if (cp_kcmp(&fp[i].bcg, &fp[j].bcg) == 0)
					tot[i] += cascaded[j];
		memcpy(cascaded, tot, nfp * sizeof(*tot));
		free(tot);
	}
	if (emit_fudged(c, &cascade) < 0)
		goto out;

	/* drop the joined keys from the only-lists */
	for (i = j = 0; i < c->only_a.n; i++)
		if (!cp_hmap_get(&rm_a, c->only_a.v[i].s, c->only_a.v[i].len))
			c->only_a.v[j++] = c->only_a.v[i];
	c->only_a.n = j;
	for (i = j = 0; i < c->only_b.n; i++)
		if (!cp_hmap_get(&rm_b, c->only_b.v[i].s, c->only_b.v[i].len))
			c->only_b.v[j++] = c->only_b.v[i];
	c->only_b.n = j;

	r = build_report(c, fp, nfp, &pa, &pb, broots, croots, cascaded);
out:
	ctprof_buf_free(&tb);
	cp_hmap_free(&matched);
	cp_hmap_free(&rm_a);
	cp_hmap_free(&rm_b);
	prefixes_free(&pa);
	prefixes_free(&pb);
	matches_free(&direct);
	matches_free(&cascade);
	free(fp);
	free(broots);
	free(croots);
	free(cascaded);
	return r;
}

/* Types of set not in any of the union sets; formatted "pcomm:comm". */
static int residual(struct ctx *c, const struct keyvec *set, const struct keyvec *uni,
		    const char ***out, size_t *nout)
{
	const char **v = cp_alloc(&c->p->arena, (set->n + 1) * sizeof(*v));
	size_t i, j = 0, n = 0;

	if (!v)
		return -ENOMEM;
	for (i = 0; i < set->n; i++) {
		int cmp = 1;
		char *s;
		size_t z;

		while (j < uni->n && (cmp = cp_kcmp(&uni->v[j], &set->v[i])) < 0)
			j++;
		if (j < uni->n && cmp == 0)
			continue;
		s = cp_memdup(&c->p->arena, set->v[i].s, set->v[i].len);
		if (!s)
			return -ENOMEM;
		z = strlen(s);
		if (z < set->v[i].len)
			s[z] = ':';
		v[n++] = s;
	}
	*out = v;
	*nout = n;
	return 0;
}

/* Union of the type sets of every counterpart (§4.8 step 7), sorted unique. */
static int union_sets(const struct fpair *fp, size_t nfp, size_t self, bool baseline,
		      struct prefixes *other, struct keyvec *u)
{
	size_t i, j, n = 0;

	for (i = 0; i < nfp; i++) {
		const struct ctprof_key *mine = baseline ? &fp[i].bcg : &fp[i].ccg;
		const struct ctprof_key *theirs = baseline ? &fp[i].ccg : &fp[i].bcg;
		const struct ctprof_key *ref = baseline ? &fp[self].bcg : &fp[self].ccg;
		uint32_t *v;

		if (cp_kcmp(mine, ref) != 0)
			continue;
		v = cp_hmap_get(&other->map, theirs->s, theirs->len);
		if (!v)
			continue;
		for (j = 0; j < other->v[*v].types.n; j++)
			if (kv_push(u, other->v[*v].types.v[j].s, other->v[*v].types.v[j].len) < 0)
				return -ENOMEM;
	}
	if (u->n)
		qsort(u->v, u->n, sizeof(*u->v), cmp_key);
	for (i = 0; i < u->n; i++)
		if (n == 0 || cp_kcmp(&u->v[i], &u->v[n - 1]) != 0)
			u->v[n++] = u->v[i];
	u->n = n;
	return 0;
}

static int build_report(struct ctx *c, const struct fpair *fp, size_t nfp, struct prefixes *pa,
			struct prefixes *pb, const struct ctprof_key *broots,
			const struct ctprof_key *croots, const uint64_t *cascaded)
{
	struct ctprof_fudged_pair *out = cp_zalloc(&c->p->arena, nfp * sizeof(*out));
	static const struct keyvec empty = { 0 };
	size_t i;

	if (!out)
		return -ENOMEM;
	for (i = 0; i < nfp; i++) {
		uint32_t *va = cp_hmap_get(&pa->map, fp[i].bcg.s, fp[i].bcg.len);
		uint32_t *vb = cp_hmap_get(&pb->map, fp[i].ccg.s, fp[i].ccg.len);
		const struct keyvec *sa = va ? &pa->v[*va].types : &empty;
		const struct keyvec *sb = vb ? &pb->v[*vb].types : &empty;
		struct keyvec ua = { 0 }, ub = { 0 };
		size_t inter = intersect(sa, sb), uni = sa->n + sb->n - inter;
		int r;

		out[i].baseline_cgroup = cp_memdup(&c->p->arena, fp[i].bcg.s, fp[i].bcg.len);
		out[i].candidate_cgroup = cp_memdup(&c->p->arena, fp[i].ccg.s, fp[i].ccg.len);
		out[i].baseline_root = cp_memdup(&c->p->arena, broots[i].s, broots[i].len);
		out[i].candidate_root = cp_memdup(&c->p->arena, croots[i].s, croots[i].len);
		if (!out[i].baseline_cgroup || !out[i].candidate_cgroup || !out[i].baseline_root ||
		    !out[i].candidate_root)
			return -ENOMEM;
		out[i].overlap = inter;
		out[i].jaccard = uni ? (double)inter / (double)uni : 0.0;
		out[i].cascaded_children = cascaded[i];
		r = union_sets(fp, nfp, i, true, pb, &ub);
		if (r == 0)
			r = union_sets(fp, nfp, i, false, pa, &ua);
		if (r == 0)
			r = residual(c, sa, &ub, &out[i].baseline_residual, &out[i].n_baseline_residual);
		if (r == 0)
			r = residual(c, sb, &ua, &out[i].candidate_residual,
				     &out[i].n_candidate_residual);
		free(ua.v);
		free(ub.v);
		if (r < 0)
			return r;
	}
	c->d->fudged = out;
	c->d->n_fudged = nfp;
	return 0;
}

/* ---- uptime (§8.4) ---------------------------------------------------------------------- */

static int fill_uptime(struct ctx *c, uint64_t now_b)
{
	struct ctprof_diff *d = c->d;
	uint64_t *lt, maxlt = 1;
	size_t i, j;

	lt = ctprof_calloc(d->n_pairs + 1, sizeof(*lt));
	if (!lt)
		return -ENOMEM;
	for (i = 0; i < d->n_pairs; i++) {
		struct ctprof_pair *p = &d->pairs[i];

		if (!p->fudged) {
			long ib = cp_side_find(&c->p->sb, p->key.s, p->key.len);
			uint64_t st = ib >= 0 ? c->p->sb.groups[ib].avg_start_ticks : 0;

			lt[i] = now_b > st ? now_b - st : 0;
		} else {
			unsigned __int128 sum = 0;
			uint64_t n = 0;

			for (j = 0; j < c->n_fkp; j++) {
				long ib;
				uint64_t st;

				if (cp_kcmp(&c->fkp[j].b, &p->key) != 0)
					continue;
				ib = cp_side_find(&c->p->sb, c->fkp[j].c.s, c->fkp[j].c.len);
				if (ib < 0)
					continue;
				st = c->p->sb.groups[ib].avg_start_ticks;
				sum += now_b > st ? now_b - st : 0;
				n++;
			}
			lt[i] = n ? (uint64_t)(sum / n) : 0;
			if (!n) {
				p->has_uptime = false;
				continue;
			}
		}
		p->has_uptime = true;
		if (lt[i] > maxlt)
			maxlt = lt[i];
	}
	for (i = 0; i < d->n_pairs; i++)
		if (d->pairs[i].has_uptime)
			d->pairs[i].uptime_pct = (double)lt[i] / (double)maxlt * 100.0;
	free(lt);
	return 0;
}

/* ---- rows and sorting (§8) --------------------------------------------------------------- */

static void fill_row(struct ctprof_row *r, const struct ctprof_pair *p, unsigned mi)
{
	double a, b;

	r->flags = 0;
	r->delta = r->pct = 0;
	if (ctprof_aggv_numeric(&p->a[mi], &a) && ctprof_aggv_numeric(&p->b[mi], &b)) {
		r->delta = b - a;
		r->flags |= CTPROF_ROW_DELTA;
		if (fabs(a) > EPS) {
			r->pct = r->delta / a;
			r->flags |= CTPROF_ROW_PCT;
		}
	}
}

static void fill_drow(struct ctprof_row *r, const struct ctprof_pair *p, unsigned di, bool is_ratio)
{
	r->flags = 0;
	r->delta = r->pct = 0;
	if ((p->dv_mask_a >> di & 1) && (p->dv_mask_b >> di & 1)) {
		double a = p->dv_a[di], b = p->dv_b[di];

		r->delta = b - a;
		r->flags |= CTPROF_ROW_DELTA;
		if (!is_ratio && fabs(a) > EPS) {
			r->pct = r->delta / a;
			r->flags |= CTPROF_ROW_PCT;
		}
	}
}

static double sort_key(const struct ctprof_row *r)
{
	if (r->flags & CTPROF_ROW_PCT)
		return fabs(r->pct);
	if (r->flags & CTPROF_ROW_DELTA)
		return fabs(r->delta) * 1e9;
	return -INFINITY;
}

static int cmp_default(const void *x, const void *y, void *arg)
{
	const struct ctprof_pair *sort_pairs = arg;
	const struct ctprof_row *a = x, *b = y;
	double ka = sort_key(a), kb = sort_key(b);

	if (ka > kb)
		return -1;
	if (ka < kb)
		return 1;
	if (sort_pairs[a->pair].rank != sort_pairs[b->pair].rank)
		return sort_pairs[a->pair].rank < sort_pairs[b->pair].rank ? -1 : 1;
	return (a->metric > b->metric) - (a->metric < b->metric);
}

struct ptuple {
	uint32_t pair;
	double v[8];
};

struct tuple_ctx {
	const struct ctprof_pair *pairs;
	const struct ctprof_sort_key *keys;
	size_t n;
};

static int cmp_tuple(const void *x, const void *y, void *arg)
{
	const struct tuple_ctx *tc = arg;
	const struct ctprof_pair *sort_pairs = tc->pairs;
	const struct ptuple *a = x, *b = y;
	size_t i;

	for (i = 0; i < tc->n && i < 8; i++) {
		double va = a->v[i], vb = b->v[i];

		if (va == vb || isnan(va) || isnan(vb))
			continue;
		if (tc->keys[i].descending)
			return va > vb ? -1 : 1;
		return va < vb ? -1 : 1;
	}
	return sort_pairs[a->pair].rank < sort_pairs[b->pair].rank ? -1
	       : sort_pairs[a->pair].rank > sort_pairs[b->pair].rank ? 1 : 0;
}

static int cmp_by_group(const void *x, const void *y, void *arg)
{
	const uint32_t *group_rank_ctx = arg;
	const struct ctprof_row *a = x, *b = y;
	uint32_t ra = group_rank_ctx[a->pair], rb = group_rank_ctx[b->pair];

	if (ra != rb)
		return ra < rb ? -1 : 1;
	return (a->metric > b->metric) - (a->metric < b->metric);
}

static int cmp_pair_idx(const void *x, const void *y, void *arg)
{
	const struct ctprof_pair *sort_pairs = arg;
	const uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;

	return cp_kcmp(&sort_pairs[a].key, &sort_pairs[b].key);
}

static int build_rows(struct ctprof_diff *d, const struct ctprof_compare_opts *o)
{
	const struct ctprof_derived_metric *dm = ctprof_derived_metrics();
	uint32_t *ord;
	size_t i, k;
	unsigned mi;

	d->rows = ctprof_malloc((d->n_pairs * CTPROF_NMETRICS + 1) * sizeof(*d->rows));
	d->derived_rows = ctprof_malloc((d->n_pairs * CTPROF_NDERIVED + 1) * sizeof(*d->rows));
	ord = ctprof_malloc((d->n_pairs + 1) * sizeof(*ord));
	if (!d->rows || !d->derived_rows || !ord) {
		free(ord);
		return -ENOMEM;
	}
	for (i = 0; i < d->n_pairs; i++) {
		for (mi = 0; mi < CTPROF_NMETRICS; mi++) {
			struct ctprof_row *r = &d->rows[d->n_rows++];

			r->pair = (uint32_t)i;
			r->metric = (uint16_t)mi;
			fill_row(r, &d->pairs[i], mi);
		}
		for (mi = 0; mi < CTPROF_NDERIVED; mi++) {
			struct ctprof_row *r = &d->derived_rows[d->n_derived_rows++];

			r->pair = (uint32_t)i;
			r->metric = (uint16_t)mi;
			fill_drow(r, &d->pairs[i], mi, dm[mi].is_ratio);
		}
		ord[i] = (uint32_t)i;
	}
	qsort_r(ord, d->n_pairs, sizeof(*ord), cmp_pair_idx, d->pairs);
	for (i = 0; i < d->n_pairs; i++)
		d->pairs[ord[i]].rank = (uint32_t)i;

	if (o->n_sort_by == 0) {
		qsort_r(d->rows, d->n_rows, sizeof(*d->rows), cmp_default, d->pairs);
		qsort_r(d->derived_rows, d->n_derived_rows, sizeof(*d->rows), cmp_default, d->pairs);
		free(ord);
		return 0;
	}

	/* --sort-by: rank groups by their tuple of deltas (§8.3) */
	{
		struct ptuple *t = ctprof_calloc(d->n_pairs + 1, sizeof(*t));
		uint32_t *rank = ctprof_calloc(d->n_pairs + 1, sizeof(*rank));

		if (!t || !rank) {
			free(t);
			free(rank);
			free(ord);
			return -ENOMEM;
		}
		for (i = 0; i < d->n_pairs; i++) {
			t[i].pair = (uint32_t)i;
			for (k = 0; k < o->n_sort_by && k < 8; k++) {
				const struct ctprof_sort_key *sk = &o->sort_by[k];
				struct ctprof_row r;

				if (sk->kind == CTPROF_MK_PRIMARY)
					fill_row(&r, &d->pairs[i], sk->index);
				else
					fill_drow(&r, &d->pairs[i], sk->index, dm[sk->index].is_ratio);
				if (r.flags & CTPROF_ROW_DELTA)
					t[i].v[k] = r.delta;
				else
					t[i].v[k] = sk->descending ? -INFINITY : INFINITY;
			}
		}
		struct tuple_ctx tc = { d->pairs, o->sort_by, o->n_sort_by };

		qsort_r(t, d->n_pairs, sizeof(*t), cmp_tuple, &tc);
		for (i = 0; i < d->n_pairs; i++)
			rank[t[i].pair] = (uint32_t)i;
		qsort_r(d->rows, d->n_rows, sizeof(*d->rows), cmp_by_group, rank);
		qsort_r(d->derived_rows, d->n_derived_rows, sizeof(*d->rows), cmp_by_group, rank);
		d->sort_kind = o->sort_by[0].kind;
		d->sort_index = o->sort_by[0].index;
		if (d->sort_kind == CTPROF_MK_PRIMARY) {
			for (i = 0; i < d->n_pairs; i++) {
				struct ctprof_row r;

				fill_row(&r, &d->pairs[i], d->sort_index);
				d->pairs[i].has_sort_delta = r.flags & CTPROF_ROW_DELTA;
				d->pairs[i].sort_delta = r.delta;
			}
		}
		free(t);
		free(rank);
	}
	free(ord);
	return 0;
}

/* ---- smaps re-key for fudged pairs (§4.8 step 8) ----------------------------------------- */

static int cmp_smaps_key(const void *a, const void *b)
{
	return cp_kcmp(&((const struct ctprof_smaps_entry *)a)->key,
		       &((const struct ctprof_smaps_entry *)b)->key);
}

static int remap_smaps(struct ctx *c)
{
	struct ctprof_diff *d = c->d;
	struct cp_hmap fset = { 0 };
	size_t *order = NULL, i, j, k;
	struct ctprof_buf tb = { 0 };
	int r = -ENOMEM;

	if (d->n_fudged == 0)
		return 0;
	if (cp_hmap_init(&fset, c->n_fkp + 8) < 0)
		return -ENOMEM;
	for (i = 0; i < c->n_fkp; i++) {
		bool ins;

		if (!cp_hmap_put(&fset, c->fkp[i].c.s, prefix_len(&c->fkp[i].c), 0, &ins))
			goto out;
	}
	/* longest candidate root first; stable among equal lengths */
	order = ctprof_malloc(d->n_fudged * sizeof(*order));
	if (!order)
		goto out;
	for (i = 0; i < d->n_fudged; i++)
		order[i] = i;
	for (i = 1; i < d->n_fudged; i++) {
		size_t x = order[i];

		for (j = i; j > 0 && strlen(d->fudged[order[j - 1]].candidate_root) <
					    strlen(d->fudged[x].candidate_root); j--)
			order[j] = order[j - 1];
		order[j] = x;
	}
	for (k = 0; k < d->n_fudged; k++) {
		const struct ctprof_fudged_pair *fp = &d->fudged[order[k]];
		size_t crl = strlen(fp->candidate_root), brl = strlen(fp->baseline_root);
		struct ctprof_smaps_entry *acc = NULL;
		size_t nacc = 0;

		/* pull matching candidate entries out, summed by "child\0pcomm" */
		for (i = j = 0; i < d->n_smaps_b; i++) {
			struct ctprof_smaps_entry *e = &d->smaps_b[i];
			size_t pl = prefix_len(&e->key);
			bool in_root = e->key.len > crl && memcmp(e->key.s, fp->candidate_root, crl) == 0 &&
				       (e->key.s[crl] == '/' || e->key.s[crl] == '\0');
			size_t cstart, a;

			if (!in_root || !cp_hmap_get(&fset, e->key.s, pl)) {
				d->smaps_b[j++] = *e;
				continue;
			}
			cstart = pl == crl ? crl : crl + 1;
			tb.len = 0;
			ctprof_buf_append(&tb, e->key.s + cstart, e->key.len - cstart);
			if (tb.oom)
				goto out_acc;
			for (a = 0; a < nacc; a++)
				if (acc[a].key.len == tb.len && memcmp(acc[a].key.s, tb.data, tb.len) == 0)
					break;
			if (a == nacc) {
				struct ctprof_smaps_entry *t = ctprof_realloc(acc, (nacc + 1) * sizeof(*t));

				if (!t)
					goto out_acc;
				acc = t;
				memset(&acc[nacc], 0, sizeof(acc[0]));
				acc[nacc].key.s = cp_memdup(&c->p->arena, tb.data, tb.len);
				acc[nacc].key.len = tb.len;
				if (!acc[nacc].key.s)
					goto out_acc;
				nacc++;
			}
			{
				size_t f;

				for (f = 0; f < e->bytes.n; f++) {
					uint64_t cur = 0, v = e->bytes.items[f].value;

					if (ctprof_kvmap_get(&acc[a].bytes, e->bytes.items[f].key, &cur))
						v = cur > UINT64_MAX - v ? UINT64_MAX : cur + v;
					if (ctprof_kvmap_set(&acc[a].bytes, e->bytes.items[f].key, v) < 0)
						goto out_acc;
				}
			}
			ctprof_kvmap_clear(&e->bytes);
		}
		d->n_smaps_b = j;
		/* re-insert under the baseline root; an existing key is replaced */
		for (i = 0; i < nacc; i++) {
			const char *z = memchr(acc[i].key.s, '\0', acc[i].key.len);
			size_t childlen = z ? (size_t)(z - acc[i].key.s) : acc[i].key.len;
			struct ctprof_smaps_entry *t;
			char *nk;

			tb.len = 0;
			ctprof_buf_append(&tb, fp->baseline_root, brl);
			if (childlen) {
				ctprof_buf_putc(&tb, '/');
				ctprof_buf_append(&tb, acc[i].key.s, childlen);
			}
			ctprof_buf_append(&tb, acc[i].key.s + childlen, acc[i].key.len - childlen);
			nk = tb.oom ? NULL : cp_memdup(&c->p->arena, tb.data, tb.len);
			if (!nk)
				goto out_acc;
			for (j = 0; j < d->n_smaps_b; j++)
				if (d->smaps_b[j].key.len == tb.len && memcmp(d->smaps_b[j].key.s, nk, tb.len) == 0)
					break;
			if (j < d->n_smaps_b) {
				ctprof_kvmap_clear(&d->smaps_b[j].bytes);
				d->smaps_b[j].bytes = acc[i].bytes;
			} else {
				t = ctprof_realloc(d->smaps_b, (d->n_smaps_b + 1) * sizeof(*t));
				if (!t)
					goto out_acc;
				d->smaps_b = t;
				d->smaps_b[d->n_smaps_b].key.s = nk;
				d->smaps_b[d->n_smaps_b].key.len = tb.len;
				d->smaps_b[d->n_smaps_b].bytes = acc[i].bytes;
				d->n_smaps_b++;
			}
			memset(&acc[i].bytes, 0, sizeof(acc[i].bytes));
		}
		free(acc);
		if (d->n_smaps_b)
			qsort(d->smaps_b, d->n_smaps_b, sizeof(*d->smaps_b), cmp_smaps_key);
		continue;
out_acc:
		for (i = 0; i < nacc; i++)
			ctprof_kvmap_clear(&acc[i].bytes);
		free(acc);
		goto out;
	}
	r = 0;
out:
	ctprof_buf_free(&tb);
	free(order);
	cp_hmap_free(&fset);
	return r;
}

/* ---- entry points ----------------------------------------------------------------------- */

static int check_opts(const struct ctprof_compare_opts *o, struct ctprof_error *err)
{
	size_t i;

	if (!o || o->sz < sizeof(*o))
		return ctprof_err(err, -EINVAL, "compare: options: missing or too small (sz %zu)",
				  o ? o->sz : 0);
	if (o->group_by > CTPROF_GROUP_ALL)
		return ctprof_err(err, -EINVAL, "compare: options: unknown group_by %d",
				  (int)o->group_by);
	if (o->n_sort_by > 8)
		return ctprof_err(err, -EINVAL, "compare: options: at most 8 --sort-by keys");
	for (i = 0; i < o->n_sort_by; i++) {
		const struct ctprof_sort_key *k = &o->sort_by[i];

		if ((k->kind == CTPROF_MK_PRIMARY && k->index >= CTPROF_NMETRICS) ||
		    (k->kind == CTPROF_MK_DERIVED && k->index >= CTPROF_NDERIVED) ||
		    (k->kind != CTPROF_MK_PRIMARY && k->kind != CTPROF_MK_DERIVED))
			return ctprof_err(err, -EINVAL, "compare: options: bad sort key %zu", i);
	}
	if (!ctprof_metrics() || !ctprof_derived_metrics())
		return ctprof_err(err, -EINVAL, "compare: internal error: metric table is inconsistent");
	return 0;
}

CTPROF_API void ctprof_diff_free(struct ctprof_diff *d)
{
	struct priv *p;

	if (!d)
		return;
	p = d->priv;
	free(d->pairs);
	free(d->rows);
	free(d->derived_rows);
	free(d->only_a);
	free(d->only_b);
	cp_smaps_free(d->smaps_a, d->n_smaps_a);
	cp_smaps_free(d->smaps_b, d->n_smaps_b);
	cp_cgstats_free(d->cg_a, d->n_cg_a);
	cp_cgstats_free(d->cg_b, d->n_cg_b);
	if (p) {
		cp_side_free(&p->sa);
		cp_side_free(&p->sb);
		cp_arena_free(&p->arena);
		free(p);
	}
	free(d);
}

CTPROF_API int ctprof_compare(const struct ctprof_snapshot *a, const struct ctprof_snapshot *b,
			      const struct ctprof_compare_opts *opts, struct ctprof_diff **out,
			      struct ctprof_error *err)
{
	struct cp_keyer k;
	struct ctx c;
	struct ctprof_diff *d;
	uint64_t now_b = 0;
	size_t i;
	int r;

	if (!a || !b || !out)
		return ctprof_err(err, -EINVAL, "compare: missing snapshot or output");
	r = check_opts(opts, err);
	if (r < 0)
		return r;
	d = ctprof_calloc(1, sizeof(*d));
	if (!d)
		return ctprof_err(err, -ENOMEM, "compare: out of memory");
	d->priv = ctprof_calloc(1, sizeof(struct priv));
	if (!d->priv) {
		free(d);
		return ctprof_err(err, -ENOMEM, "compare: out of memory");
	}
	d->group_by = opts->group_by;
	d->a = a;
	d->b = b;
	memset(&c, 0, sizeof(c));
	c.a = a;
	c.b = b;
	c.k = &k;
	c.p = d->priv;
	c.d = d;
	r = cp_keyer_init(&k, opts, &c.p->arena);
	if (r == 0)
		r = cp_keyer_count(&k, a);
	if (r == 0)
		r = cp_keyer_count(&k, b);
	if (r == 0)
		r = cp_build_groups(&k, a, &c.p->sa);
	if (r == 0)
		r = cp_build_groups(&k, b, &c.p->sb);
	if (r == 0)
		r = emit_matched(&c);
	if (r == 0 && opts->group_by == CTPROF_GROUP_ALL && c.only_a.n && c.only_b.n)
		r = apply_fudge(&c);
	if (r < 0)
		goto fail;
	if (c.only_a.n)
		qsort(c.only_a.v, c.only_a.n, sizeof(*c.only_a.v), cmp_key);
	if (c.only_b.n)
		qsort(c.only_b.v, c.only_b.n, sizeof(*c.only_b.v), cmp_key);
	d->only_a = c.only_a.v;
	d->n_only_a = c.only_a.n;
	d->only_b = c.only_b.v;
	d->n_only_b = c.only_b.n;
	c.only_a.v = c.only_b.v = NULL;

	for (i = 0; i < b->n_threads; i++)
		if (b->threads[i].start_time_clock_ticks > now_b)
			now_b = b->threads[i].start_time_clock_ticks;
	r = fill_uptime(&c, now_b);
	if (r == 0)
		r = build_rows(d, opts);
	if (r == 0 && opts->group_by == CTPROF_GROUP_CGROUP) {
		r = cp_flatten_cgroup_stats(&k, a, &d->cg_a, &d->n_cg_a);
		if (r == 0)
			r = cp_flatten_cgroup_stats(&k, b, &d->cg_b, &d->n_cg_b);
	}
	if (r == 0)
		r = cp_collect_smaps(&k, a, opts->group_by == CTPROF_GROUP_ALL, &d->smaps_a,
				     &d->n_smaps_a);
	if (r == 0)
		r = cp_collect_smaps(&k, b, opts->group_by == CTPROF_GROUP_ALL, &d->smaps_b,
				     &d->n_smaps_b);
	if (r == 0)
		r = remap_smaps(&c);
	if (r < 0 || c.p->arena.oom)
		goto fail;
	cp_keyer_fini(&k);
	free(c.fkp);
	*out = d;
	return 0;
fail:
	cp_keyer_fini(&k);
	free(c.only_a.v);
	free(c.only_b.v);
	free(c.fkp);
	ctprof_diff_free(d);
	return ctprof_err(err, -ENOMEM, "compare: out of memory");
}

/* ---- show: one snapshot ----------------------------------------------------------------- */

struct gs_priv {
	struct cp_arena arena;
	struct cp_side side;
};

struct show_ctx {
	const struct ctprof_group *groups;
	const struct ctprof_sort_key *keys;
	size_t n;
};

static double abs_value(const struct ctprof_group *g, const struct ctprof_sort_key *k)
{
	double v;

	if (k->kind == CTPROF_MK_PRIMARY) {
		if (ctprof_aggv_numeric(&g->m[k->index], &v))
			return v;
	} else if (g->dv_mask >> k->index & 1) {
		return g->dv[k->index];
	}
	return k->descending ? -INFINITY : INFINITY;
}

static int cmp_show(const void *x, const void *y, void *arg)
{
	const struct show_ctx *sc = arg;
	const struct ctprof_group *a = &sc->groups[*(const uint32_t *)x];
	const struct ctprof_group *b = &sc->groups[*(const uint32_t *)y];
	size_t i;

	for (i = 0; i < sc->n; i++) {
		double va = abs_value(a, &sc->keys[i]), vb = abs_value(b, &sc->keys[i]);

		if (va == vb || isnan(va) || isnan(vb))
			continue;
		if (sc->keys[i].descending)
			return va > vb ? -1 : 1;
		return va < vb ? -1 : 1;
	}
	return cp_kcmp(&a->key, &b->key);
}

CTPROF_API void ctprof_groupset_free(struct ctprof_groupset *g)
{
	struct gs_priv *p;

	if (!g)
		return;
	p = g->priv;
	free(g->groups);
	cp_smaps_free(g->smaps, g->n_smaps);
	cp_cgstats_free(g->cg, g->n_cg);
	if (p) {
		cp_side_free(&p->side);
		cp_arena_free(&p->arena);
		free(p);
	}
	free(g);
}

CTPROF_API int ctprof_groupset_build(const struct ctprof_snapshot *s,
				     const struct ctprof_compare_opts *opts,
				     struct ctprof_groupset **out, struct ctprof_error *err)
{
	struct ctprof_groupset *g;
	struct gs_priv *p;
	struct cp_keyer k;
	uint32_t *ord = NULL;
	size_t i;
	int r;

	if (!s || !out)
		return ctprof_err(err, -EINVAL, "show: missing snapshot or output");
	r = check_opts(opts, err);
	if (r < 0)
		return r;
	g = ctprof_calloc(1, sizeof(*g));
	p = ctprof_calloc(1, sizeof(*p));
	if (!g || !p) {
		free(g);
		free(p);
		return ctprof_err(err, -ENOMEM, "show: out of memory");
	}
	g->priv = p;
	g->group_by = opts->group_by;
	g->snap = s;
	r = cp_keyer_init(&k, opts, &p->arena);
	if (r == 0)
		r = cp_keyer_count(&k, s);
	if (r == 0)
		r = cp_build_groups(&k, s, &p->side);
	if (r == 0 && opts->group_by == CTPROF_GROUP_CGROUP)
		r = cp_flatten_cgroup_stats(&k, s, &g->cg, &g->n_cg);
	if (r == 0)
		r = cp_collect_smaps(&k, s, false, &g->smaps, &g->n_smaps);
	if (r == 0) {
		g->groups = ctprof_malloc((p->side.n + 1) * sizeof(*g->groups));
		ord = ctprof_malloc((p->side.n + 1) * sizeof(*ord));
		if (!g->groups || !ord)
			r = -ENOMEM;
	}
	if (r == 0) {
		for (i = 0; i < p->side.n; i++)
			ord[i] = (uint32_t)i;
		if (opts->n_sort_by) {
			struct show_ctx sc = { p->side.groups, opts->sort_by, opts->n_sort_by };

			qsort_r(ord, p->side.n, sizeof(*ord), cmp_show, &sc);
		}
		for (i = 0; i < p->side.n; i++)
			g->groups[i] = p->side.groups[ord[i]];
		g->n = p->side.n;
	}
	free(ord);
	cp_keyer_fini(&k);
	if (r < 0 || p->arena.oom) {
		ctprof_groupset_free(g);
		return ctprof_err(err, r < 0 ? r : -ENOMEM, "show: out of memory");
	}
	*out = g;
	return 0;
}
