/* SPDX-License-Identifier: MIT */
/* The cgroup -> pcomm -> comm tree layout of --group-by all (§10.1). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../compare/cmp.h"
#include "rnd.h"

void rt_hsplit(struct rt_hrow *h, const char *key, size_t len)
{
	const char *z1 = memchr(key, '\0', len), *z2;

	h->cg = key;
	if (!z1) {
		h->cglen = len;
		h->pc = h->cm = key + len;
		h->pclen = h->cmlen = 0;
		return;
	}
	h->cglen = (size_t)(z1 - key);
	h->pc = z1 + 1;
	z2 = memchr(h->pc, '\0', len - h->cglen - 1);
	if (!z2) {
		h->pclen = len - h->cglen - 1;
		h->cm = h->pc;
		h->cmlen = h->pclen;
		return;
	}
	h->pclen = (size_t)(z2 - h->pc);
	h->cm = z2 + 1;
	h->cmlen = len - (size_t)(h->cm - key);
}

struct hsort {
	size_t cg_rank, leaf_rank, pos;
	struct rt_hrow row;
};

static int cmp_hsort(const void *x, const void *y)
{
	const struct hsort *a = x, *b = y;

	if (a->cg_rank != b->cg_rank)
		return a->cg_rank < b->cg_rank ? -1 : 1;
	if (a->leaf_rank != b->leaf_rank)
		return a->leaf_rank < b->leaf_rank ? -1 : 1;
	return (a->pos > b->pos) - (a->pos < b->pos);
}

int rt_hier_sort(struct rt_hrow *rows, size_t n)
{
	struct cp_hmap cg = { 0 }, leaf = { 0 };
	struct hsort *hs;
	size_t i;
	int r = -ENOMEM;

	hs = ctprof_malloc((n + 1) * sizeof(*hs));
	if (!hs)
		return -ENOMEM;
	if (cp_hmap_init(&cg, n / 4 + 8) < 0 || cp_hmap_init(&leaf, n / 4 + 8) < 0)
		goto out;
	for (i = 0; i < n; i++) {
		const struct rt_hrow *h = &rows[i];
		size_t leaflen = h->pclen ? (size_t)(h->pc - h->cg) + h->pclen : h->cglen;
		uint32_t *v;
		bool ins;

		/* rows come in rank order: the first one seen holds the best rank */
		v = cp_hmap_put(&cg, h->cg, h->cglen, (uint32_t)i, &ins);
		if (!v)
			goto out;
		hs[i].cg_rank = *v;
		v = cp_hmap_put(&leaf, h->cg, leaflen, (uint32_t)i, &ins);
		if (!v)
			goto out;
		hs[i].leaf_rank = *v;
		hs[i].row = *h;
		hs[i].pos = i;
	}
	qsort(hs, n, sizeof(*hs), cmp_hsort);
	for (i = 0; i < n; i++)
		rows[i] = hs[i].row;
	r = 0;
out:
	cp_hmap_free(&cg);
	cp_hmap_free(&leaf);
	free(hs);
	return r;
}

static void heading(struct rt_table *t, size_t depth, const char *s, size_t len, size_t group_col,
		    enum rt_color color)
{
	struct ctprof_buf b = { 0 };
	size_t c;

	for (c = 0; c < depth; c++)
		ctprof_buf_puts(&b, "  ");
	rf_name(&b, s, len);
	rt_row(t, RT_HEADING);
	for (c = 0; c < t->ncols; c++) {
		if (c == group_col)
			rt_cell(t, b.data ? b.data : "", b.len, color, true);
		else
			rt_cell(t, "", 0, RT_NONE, false);
	}
	if (b.oom)
		t->oom = true;
	ctprof_buf_free(&b);
}

size_t rt_tree_step(struct rt_table *t, struct rt_tree *st, const char *cg, size_t cglen,
		    const char *pc, size_t pclen, bool pcomm_headings, size_t group_col)
{
	const char *seg[RT_TREE_MAXSEG];
	size_t seglen[RT_TREE_MAXSEG], nseg = 0, i = 0, common = 0;

	while (i < cglen && nseg < RT_TREE_MAXSEG) {
		size_t j = i;

		while (j < cglen && cg[j] != '/')
			j++;
		if (j > i) {
			seg[nseg] = cg + i;
			seglen[nseg] = j - i;
			nseg++;
		}
		i = j + 1;
	}
	while (common < nseg && common < st->nseg && seglen[common] == st->seglen[common] &&
	       memcmp(seg[common], st->seg[common], seglen[common]) == 0)
		common++;
	if (common < st->nseg || nseg > st->nseg) {
		for (i = common; i < nseg; i++)
			heading(t, i, seg[i], seglen[i], group_col,
				i == 0 ? RT_GREEN : i == 1 ? RT_CYAN : RT_GREY);
		memcpy(st->seg, seg, nseg * sizeof(seg[0]));
		memcpy(st->seglen, seglen, nseg * sizeof(seglen[0]));
		st->nseg = nseg;
		st->pc = "";
		st->pclen = 0;
	}
	if (pcomm_headings && (pclen != st->pclen || memcmp(pc, st->pc, pclen) != 0)) {
		heading(t, st->nseg, pc, pclen, group_col, RT_WHITE);
		st->pc = pc;
		st->pclen = pclen;
	}
	return st->nseg;
}
