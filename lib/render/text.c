/* SPDX-License-Identifier: MIT */
/*
 * ktstr's write_diff (compare-engine.md §10): primary, derived, smaps,
 * cgroup, host-pressure and sched_ext sections, then (beyond ktstr) the
 * host-context diff and the capture summaries, then the orphan trailer.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../compare/cmp.h"
#include "rnd.h"

#define ARROW " \xe2\x86\x92 "

struct tctx {
	const struct ctprof_diff *d;
	const struct ctprof_render_opts *o;
	enum ctprof_column cols[16];
	size_t ncols;
	size_t group_col; /* index of the group column, or SIZE_MAX */
	const char *group_header;
	struct ctprof_buf *out;
	struct ctprof_buf tmp;
};

bool rs_enabled(const struct ctprof_render_opts *o, enum ctprof_report_section s)
{
	return o->sections == 0 || (o->sections >> s & 1);
}

const char *rc_header(enum ctprof_column c, const char *group_header)
{
	switch (c) {
	case CTPROF_COL_GROUP:
		return group_header;
	case CTPROF_COL_THREADS:
		return "threads";
	case CTPROF_COL_METRIC:
		return "metric";
	case CTPROF_COL_BASELINE:
		return "baseline";
	case CTPROF_COL_CANDIDATE:
		return "candidate";
	case CTPROF_COL_DELTA:
		return "delta";
	case CTPROF_COL_PCT:
		return "%";
	case CTPROF_COL_ARROW:
	case CTPROF_COL_VALUE:
		return "value";
	case CTPROF_COL_TAGS:
		return "tags";
	case CTPROF_COL_UPTIME:
		return "%uptime";
	case CTPROF_COL_SORTBY:
		return "sort-by";
	}
	return "?";
}

static size_t default_columns(enum ctprof_display_format f, enum ctprof_column *c)
{
	size_t n = 0;

	c[n++] = CTPROF_COL_GROUP;
	c[n++] = CTPROF_COL_THREADS;
	c[n++] = CTPROF_COL_METRIC;
	switch (f) {
	case CTPROF_DISPLAY_FULL:
		c[n++] = CTPROF_COL_BASELINE;
		c[n++] = CTPROF_COL_CANDIDATE;
		c[n++] = CTPROF_COL_DELTA;
		c[n++] = CTPROF_COL_PCT;
		break;
	case CTPROF_DISPLAY_DELTA_ONLY:
		c[n++] = CTPROF_COL_DELTA;
		c[n++] = CTPROF_COL_PCT;
		break;
	case CTPROF_DISPLAY_NO_PCT:
		c[n++] = CTPROF_COL_BASELINE;
		c[n++] = CTPROF_COL_CANDIDATE;
		c[n++] = CTPROF_COL_DELTA;
		break;
	case CTPROF_DISPLAY_ARROW:
		c[n++] = CTPROF_COL_ARROW;
		c[n++] = CTPROF_COL_DELTA;
		c[n++] = CTPROF_COL_PCT;
		c[n++] = CTPROF_COL_UPTIME;
		break;
	case CTPROF_DISPLAY_PCT_ONLY:
		c[n++] = CTPROF_COL_PCT;
		break;
	}
	return n;
}

static void cell_buf(struct rt_table *t, const struct ctprof_buf *b, enum rt_color c, bool bold)
{
	if (b->oom)
		t->oom = true;
	rt_cell(t, b->data ? b->data : "", b->len, c, bold);
}

static enum rt_color sign_color(bool has, double d, enum rt_color zero)
{
	if (has && d > 0)
		return RT_YELLOW;
	if (has && d < 0)
		return RT_MAGENTA;
	return zero;
}

static void header_row(struct tctx *x, struct rt_table *t, const char *group_header, bool cyan)
{
	const struct ctprof_metric *m = ctprof_metrics();
	const struct ctprof_derived_metric *dm = ctprof_derived_metrics();
	size_t c;

	rt_row(t, RT_HEADER);
	for (c = 0; c < x->ncols; c++) {
		const char *h = rc_header(x->cols[c], group_header);

		if (x->cols[c] == CTPROF_COL_SORTBY)
			h = x->d->sort_kind == CTPROF_MK_PRIMARY ? m[x->d->sort_index].name
			    : x->d->sort_kind == CTPROF_MK_DERIVED ? dm[x->d->sort_index].name
			    : "sort-by";
		rt_cells(t, h, cyan ? RT_CYAN : RT_NONE, false);
	}
}

/* "b→c (+x.x%)" for the first --sort-by key of a pair (primary keys only). */
static void sort_cell(struct ctprof_buf *b, const struct ctprof_diff *d, const struct ctprof_pair *p)
{
	const struct ctprof_metric *m = &ctprof_metrics()[d->sort_index];
	double va, vb;

	rf_value(b, &p->a[d->sort_index], m->ladder);
	ctprof_buf_puts(b, "\xe2\x86\x92");
	rf_value(b, &p->b[d->sort_index], m->ladder);
	if (ctprof_aggv_numeric(&p->a[d->sort_index], &va) &&
	    ctprof_aggv_numeric(&p->b[d->sort_index], &vb) && fabs(va) > 2.220446049250313e-16) {
		ctprof_buf_puts(b, " (");
		rf_pct(b, (vb - va) / va);
		ctprof_buf_putc(b, ')');
	}
}

static void uptime_cell(struct rt_table *t, const struct ctprof_pair *p)
{
	char tmp[32];

	if (!p->has_uptime) {
		rt_cells(t, "-", RT_WHITE, false);
		return;
	}
	(void)snprintf(tmp, sizeof(tmp), "%.0f%%", p->uptime_pct);
	rt_cells(t, tmp, p->uptime_pct >= 75 ? RT_GREEN : p->uptime_pct >= 50 ? RT_YELLOW : RT_RED,
		 p->uptime_pct < 50);
}

/*
 * The cells primary and derived rows share. Returns 0 when the column is
 * not one of them, 1 when b holds the cell, 2 when the cell was added to t.
 */
static int shared_cell(struct tctx *x, struct rt_table *t, const struct ctprof_row *r,
		       const char *gs, size_t glen, enum ctprof_column c, enum rt_color *col,
		       bool *bold)
{
	const struct ctprof_pair *p = &x->d->pairs[r->pair];
	bool hasd = r->flags & CTPROF_ROW_DELTA, hasp = r->flags & CTPROF_ROW_PCT;
	struct ctprof_buf *b = &x->tmp;

	switch (c) {
	case CTPROF_COL_GROUP:
		if (gs)
			ctprof_buf_append(b, gs, glen);
		else
			rf_name(b, p->display.s, p->display.len);
		return 1;
	case CTPROF_COL_THREADS:
		rf_threads(b, p->threads_a, p->threads_b);
		return 1;
	case CTPROF_COL_PCT:
		if (hasp)
			rf_pct(b, r->pct);
		else
			ctprof_buf_putc(b, '-');
		*col = sign_color(hasd, r->delta, RT_WHITE);
		*bold = hasp && fabs(r->pct) > 0.5;
		return 1;
	case CTPROF_COL_VALUE:
		ctprof_buf_putc(b, '-');
		return 1;
	case CTPROF_COL_UPTIME:
		uptime_cell(t, p);
		return 2;
	case CTPROF_COL_SORTBY:
		if (x->d->sort_kind == CTPROF_MK_PRIMARY)
			sort_cell(b, x->d, p);
		else
			ctprof_buf_putc(b, '-');
		*col = sign_color(p->has_sort_delta, p->sort_delta, RT_CYAN);
		return 1;
	default:
		return 0;
	}
}

/* One primary row; group cell from (gs, glen) when gs is set. */
static void primary_cells(struct tctx *x, struct rt_table *t, const struct ctprof_row *r,
			  const char *gs, size_t glen)
{
	const struct ctprof_metric *m = &ctprof_metrics()[r->metric];
	const struct ctprof_pair *p = &x->d->pairs[r->pair];
	const struct ctprof_aggv *a = &p->a[r->metric], *c = &p->b[r->metric];
	bool hasd = r->flags & CTPROF_ROW_DELTA;
	struct ctprof_buf *b = &x->tmp;
	size_t i;

	rt_row(t, RT_DATA);
	for (i = 0; i < x->ncols; i++) {
		enum rt_color col = RT_NONE;
		bool bold = false;

		b->len = 0;
		if (shared_cell(x, t, r, gs, glen, x->cols[i], &col, &bold) == 2)
			continue;
		switch (x->cols[i]) { /* the shared columns have no case here */
		case CTPROF_COL_METRIC:
			ctprof_buf_puts(b, m->name);
			break;
		case CTPROF_COL_BASELINE:
			rf_value(b, a, m->ladder);
			break;
		case CTPROF_COL_CANDIDATE:
			rf_value(b, c, m->ladder);
			break;
		case CTPROF_COL_DELTA:
			if (hasd) {
				rf_delta(b, r->delta, m->ladder);
			} else if (a->kind == CTPROF_AV_MODE && c->kind == CTPROF_AV_MODE) {
				ctprof_buf_puts(b, strcmp(ctprof_aggv_mode(a, NULL),
							  ctprof_aggv_mode(c, NULL)) == 0 ? "same"
												: "differs");
			} else {
				ctprof_buf_putc(b, '-');
			}
			col = sign_color(hasd, r->delta, RT_WHITE);
			break;
		case CTPROF_COL_ARROW:
			rf_value(b, a, m->ladder);
			ctprof_buf_puts(b, ARROW);
			rf_value(b, c, m->ladder);
			break;
		case CTPROF_COL_TAGS: {
			char tags[160];

			ctprof_metric_tags(m, tags, sizeof(tags));
			ctprof_buf_puts(b, tags);
			break;
		}
		default:
			break;
		}
		cell_buf(t, b, col, bold);
	}
}

static void derived_value(struct ctprof_buf *b, uint32_t mask, const double *v, unsigned i,
			  const struct ctprof_derived_metric *dm)
{
	if (mask >> i & 1)
		rf_derived(b, v[i], dm->ladder, dm->is_ratio);
	else
		ctprof_buf_putc(b, '-');
}

static void derived_cells(struct tctx *x, struct rt_table *t, const struct ctprof_row *r,
			  const char *gs, size_t glen)
{
	const struct ctprof_derived_metric *dm = &ctprof_derived_metrics()[r->metric];
	const struct ctprof_pair *p = &x->d->pairs[r->pair];
	bool hasd = r->flags & CTPROF_ROW_DELTA;
	struct ctprof_buf *b = &x->tmp;
	size_t i;

	rt_row(t, RT_DATA);
	for (i = 0; i < x->ncols; i++) {
		enum rt_color col = RT_NONE;
		bool bold = false;

		b->len = 0;
		if (shared_cell(x, t, r, gs, glen, x->cols[i], &col, &bold) == 2)
			continue;
		switch (x->cols[i]) { /* the shared columns have no case here */
		case CTPROF_COL_METRIC:
			ctprof_buf_puts(b, dm->name);
			break;
		case CTPROF_COL_BASELINE:
			derived_value(b, p->dv_mask_a, p->dv_a, r->metric, dm);
			break;
		case CTPROF_COL_CANDIDATE:
			derived_value(b, p->dv_mask_b, p->dv_b, r->metric, dm);
			break;
		case CTPROF_COL_DELTA:
			if (hasd)
				rf_derived_delta(b, r->delta, dm->ladder, dm->is_ratio);
			else
				ctprof_buf_putc(b, '-');
			col = sign_color(hasd, r->delta, RT_WHITE);
			break;
		case CTPROF_COL_ARROW:
			derived_value(b, p->dv_mask_a, p->dv_a, r->metric, dm);
			ctprof_buf_puts(b, ARROW);
			derived_value(b, p->dv_mask_b, p->dv_b, r->metric, dm);
			break;
		default:
			break;
		}
		cell_buf(t, b, col, bold);
	}
}

static int emit_table(struct tctx *x, struct rt_table *t)
{
	int r = rt_render(t, x->out, x->o->color, x->o->wrap_width);

	rt_free(t);
	return r;
}

static bool primary_row_on(const struct ctprof_render_opts *o, unsigned metric)
{
	const struct ctprof_metric *m = &ctprof_metrics()[metric];

	if (o->metrics.active && !o->metrics.primary[metric])
		return false;
	return rs_enabled(o, m->section == CTPROF_SEC_TASKSTATS_DELAY ? CTPROF_RS_TASKSTATS_DELAY
								       : CTPROF_RS_PRIMARY);
}

static bool derived_row_on(const struct ctprof_render_opts *o, unsigned metric)
{
	const struct ctprof_derived_metric *dm = &ctprof_derived_metrics()[metric];

	if (o->metrics.active && !o->metrics.derived[metric])
		return false;
	return rs_enabled(o, dm->section == CTPROF_SEC_TASKSTATS_DELAY ? CTPROF_RS_TASKSTATS_DELAY
									: CTPROF_RS_DERIVED);
}

typedef void (*cells_fn)(struct tctx *x, struct rt_table *t, const struct ctprof_row *r,
			 const char *gs, size_t glen);

/*
 * The ALL layout: fudged rows pinned, then the top normal rows up to the
 * limit, arranged as a cgroup -> pcomm -> comm tree.
 */
static int write_tree(struct tctx *x, const struct ctprof_row *rows, const size_t *sel, size_t n,
		      cells_fn cells, bool fudge_marker)
{
	const struct ctprof_diff *d = x->d;
	size_t *keep = ctprof_malloc((n + 1) * sizeof(*keep)), nk = 0, i, nf, budget, taken = 0;
	struct rt_hrow *h = NULL;
	struct rt_tree st = { .pc = "" };
	struct rt_table t;
	int r = -ENOMEM;

	if (!keep)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		if (d->pairs[rows[sel[i]].pair].fudged)
			keep[nk++] = sel[i];
	nf = nk;
	budget = !x->o->limit ? SIZE_MAX : x->o->limit > nf ? x->o->limit - nf : 0;
	for (i = 0; i < n && taken < budget; i++) {
		if (d->pairs[rows[sel[i]].pair].fudged)
			continue;
		keep[nk++] = sel[i];
		taken++;
	}
	h = ctprof_malloc((nk + 1) * sizeof(*h));
	if (!h)
		goto out;
	for (i = 0; i < nk; i++) {
		const struct ctprof_pair *p = &d->pairs[rows[keep[i]].pair];

		rt_hsplit(&h[i], p->key.s, p->key.len);
		h[i].idx = keep[i];
	}
	if (rt_hier_sort(h, nk) < 0)
		goto out;
	rt_init(&t, x->ncols);
	header_row(x, &t, x->group_header, true);
	for (i = 0; i < nk; i++) {
		const struct ctprof_row *row = &rows[h[i].idx];
		const struct ctprof_pair *p = &d->pairs[row->pair];
		size_t depth = rt_tree_step(&t, &st, h[i].cg, h[i].cglen, h[i].pc, h[i].pclen, true,
					    x->group_col), k;
		struct ctprof_buf g = { 0 };

		for (k = 0; k < depth + 2; k++)
			ctprof_buf_puts(&g, "  ");
		if (fudge_marker && p->fudged) {
			rf_name(&g, p->display.s, p->display.len);
			ctprof_buf_putc(&g, ' ');
		}
		rf_name(&g, h[i].cm, h[i].cmlen);
		if (g.oom)
			t.oom = true;
		cells(x, &t, row, g.data ? g.data : "", g.len);
		ctprof_buf_free(&g);
	}
	r = emit_table(x, &t);
out:
	free(keep);
	free(h);
	return r;
}

static int write_flat(struct tctx *x, const struct ctprof_row *rows, const size_t *sel, size_t n,
		      cells_fn cells)
{
	struct rt_table t;
	size_t i;

	rt_init(&t, x->ncols);
	header_row(x, &t, x->group_header, true);
	for (i = 0; i < n && (!x->o->limit || i < x->o->limit); i++)
		cells(x, &t, &rows[sel[i]], NULL, 0);
	return emit_table(x, &t);
}

/* cgroup_parent_leaf of ktstr's render.rs */
static void parent_leaf(const char *s, size_t len, size_t *plen, const char **leaf, size_t *llen)
{
	size_t i = len;

	while (i > 0 && s[i - 1] != '/')
		i--;
	if (i == 0) {
		*plen = 0;
		*leaf = s;
		*llen = len;
	} else if (i == 1) {
		*plen = 1; /* "/" */
		*leaf = s + 1;
		*llen = len - 1;
	} else {
		*plen = i - 1;
		*leaf = s + i;
		*llen = len - i;
	}
}

struct crow {
	const char *parent, *leaf;
	size_t plen, llen, pos, row;
};

static int cmp_crow(const void *x, const void *y)
{
	const struct crow *a = x, *b = y;
	int c = cp_keycmp(a->parent, a->plen, b->parent, b->plen);

	if (c)
		return c;
	return (a->pos > b->pos) - (a->pos < b->pos);
}

/* The cgroup layout: one table per parent path (§10.1). */
static int write_by_parent(struct tctx *x, const struct ctprof_row *rows, const size_t *sel,
			   size_t n)
{
	struct crow *cr = ctprof_malloc((n + 1) * sizeof(*cr));
	size_t i = 0, j;
	int r = 0;

	if (!cr)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		const struct ctprof_pair *p = &x->d->pairs[rows[sel[i]].pair];

		parent_leaf(p->display.s, p->display.len, &cr[i].plen, &cr[i].leaf, &cr[i].llen);
		cr[i].parent = p->display.s;
		cr[i].pos = i;
		cr[i].row = sel[i];
	}
	qsort(cr, n, sizeof(*cr), cmp_crow);
	for (i = 0; i < n && r == 0; i = j) {
		struct rt_table t;
		size_t shown = 0;

		for (j = i; j < n && cp_keycmp(cr[j].parent, cr[j].plen, cr[i].parent, cr[i].plen) == 0;
		     j++)
			;
		ctprof_buf_putc(x->out, '\n');
		if (x->o->color) {
			ctprof_buf_puts(x->out, "\x1b[1;32m## ");
		} else {
			ctprof_buf_putc(x->out, RT_NOT_SECTION);
			ctprof_buf_puts(x->out, "## ");
		}
		rf_name(x->out, cr[i].parent, cr[i].plen);
		if (x->o->color)
			ctprof_buf_puts(x->out, "\x1b[0m");
		ctprof_buf_putc(x->out, '\n');
		rt_init(&t, x->ncols);
		header_row(x, &t, "cgroup", true);
		for (; i < j && (!x->o->limit || shown < x->o->limit); i++, shown++) {
			struct ctprof_buf g = { 0 };

			rf_name(&g, cr[i].leaf, cr[i].llen);
			primary_cells(x, &t, &rows[cr[i].row], g.data ? g.data : "", g.len);
			ctprof_buf_free(&g);
		}
		r = emit_table(x, &t);
	}
	free(cr);
	return r;
}

static int primary_section(struct tctx *x)
{
	const struct ctprof_diff *d = x->d;
	size_t *sel, n = 0, i;
	int r;

	if (!rs_enabled(x->o, CTPROF_RS_PRIMARY) && !rs_enabled(x->o, CTPROF_RS_TASKSTATS_DELAY))
		return 0;
	sel = ctprof_malloc((d->n_rows + 1) * sizeof(*sel));
	if (!sel)
		return -ENOMEM;
	for (i = 0; i < d->n_rows; i++)
		if (primary_row_on(x->o, d->rows[i].metric))
			sel[n++] = i;
	if (d->group_by == CTPROF_GROUP_CGROUP) {
		r = write_by_parent(x, d->rows, sel, n);
	} else {
		ctprof_buf_puts(x->out, "## Primary metrics\n");
		if (d->group_by == CTPROF_GROUP_ALL)
			r = write_tree(x, d->rows, sel, n, primary_cells, true);
		else
			r = write_flat(x, d->rows, sel, n, primary_cells);
	}
	free(sel);
	return r;
}

static int derived_section(struct tctx *x)
{
	const struct ctprof_diff *d = x->d;
	size_t *sel, n = 0, i;
	int r;

	if ((!rs_enabled(x->o, CTPROF_RS_DERIVED) && !rs_enabled(x->o, CTPROF_RS_TASKSTATS_DELAY)) ||
	    d->n_derived_rows == 0)
		return 0;
	sel = ctprof_malloc((d->n_derived_rows + 1) * sizeof(*sel));
	if (!sel)
		return -ENOMEM;
	for (i = 0; i < d->n_derived_rows; i++)
		if (derived_row_on(x->o, d->derived_rows[i].metric))
			sel[n++] = i;
	ctprof_buf_puts(x->out, "\n## Derived metrics\n");
	if (d->group_by == CTPROF_GROUP_ALL)
		r = write_tree(x, d->derived_rows, sel, n, derived_cells, false);
	else
		r = write_flat(x, d->derived_rows, sel, n, derived_cells);
	free(sel);
	return r;
}

/* ---- smaps_rollup (§10.3) ------------------------------------------------------- */

struct sproc {
	struct ctprof_key key;
	const struct ctprof_kvmap *a, *b;
	uint64_t drss, maxrss;
};

static int cmp_sproc(const void *x, const void *y)
{
	const struct sproc *a = x, *b = y;

	if (a->drss != b->drss)
		return a->drss > b->drss ? -1 : 1;
	if (a->maxrss != b->maxrss)
		return a->maxrss > b->maxrss ? -1 : 1;
	return cp_kcmp(&a->key, &b->key);
}

static int cmp_sproc_key(const void *x, const void *y)
{
	return cp_kcmp(&((const struct sproc *)x)->key, &((const struct sproc *)y)->key);
}

static bool kv_get(const struct ctprof_kvmap *m, const char *k, uint64_t *v)
{
	return m && ctprof_kvmap_get(m, k, v);
}

/* Union of the keys of two sorted maps, in order; calls fn for each. */
#define FOR_UNION_KEYS(ma, mb, kname_, ...)                                                  \
	do {                                                                               \
		size_t ia_ = 0, ib_ = 0, na_ = (ma) ? (ma)->n : 0, nb_ = (mb) ? (mb)->n : 0; \
		while (ia_ < na_ || ib_ < nb_) {                                           \
			const char *kname_;                                                   \
			int c_;                                                            \
			if (ia_ >= na_)                                                    \
				c_ = 1;                                                    \
			else if (ib_ >= nb_)                                               \
				c_ = -1;                                                   \
			else                                                               \
				c_ = strcmp((ma)->items[ia_].key, (mb)->items[ib_].key);   \
			if (c_ <= 0)                                                       \
				kname_ = (ma)->items[ia_].key;                                \
			else                                                               \
				kname_ = (mb)->items[ib_].key;                                \
			if (c_ <= 0)                                                       \
				ia_++;                                                     \
			if (c_ >= 0)                                                       \
				ib_++;                                                     \
			__VA_ARGS__                                                        \
		}                                                                          \
	} while (0)

static bool sproc_differs(const struct sproc *s)
{
	bool diff = false;

	FOR_UNION_KEYS(s->a, s->b, k, {
		uint64_t va = 0, vb = 0;
		bool ha = kv_get(s->a, k, &va), hb = kv_get(s->b, k, &vb);

		if (ha != hb || va != vb)
			diff = true;
	});
	return diff;
}

static int smaps_section(struct tctx *x)
{
	const struct ctprof_diff *d = x->d;
	struct sproc *sp;
	size_t n = 0, i = 0, j = 0, c;
	bool all = d->group_by == CTPROF_GROUP_ALL, any = false;
	struct rt_tree st = { .pc = "" };
	struct rt_table t;
	struct ctprof_buf *b = &x->tmp;

	if (!rs_enabled(x->o, CTPROF_RS_SMAPS_ROLLUP) || (d->n_smaps_a == 0 && d->n_smaps_b == 0))
		return 0;
	sp = ctprof_calloc(d->n_smaps_a + d->n_smaps_b + 1, sizeof(*sp));
	if (!sp)
		return -ENOMEM;
	while (i < d->n_smaps_a || j < d->n_smaps_b) {
		int cmp = i >= d->n_smaps_a ? 1 : j >= d->n_smaps_b ? -1
			  : cp_kcmp(&d->smaps_a[i].key, &d->smaps_b[j].key);
		uint64_t ra = 0, rb = 0;

		if (cmp <= 0) {
			sp[n].key = d->smaps_a[i].key;
			sp[n].a = &d->smaps_a[i++].bytes;
		}
		if (cmp >= 0) {
			sp[n].key = d->smaps_b[j].key;
			sp[n].b = &d->smaps_b[j++].bytes;
		}
		kv_get(sp[n].a, "Rss", &ra);
		kv_get(sp[n].b, "Rss", &rb);
		sp[n].drss = ra > rb ? ra - rb : rb - ra;
		sp[n].maxrss = ra > rb ? ra : rb;
		n++;
	}
	qsort(sp, n, sizeof(*sp), cmp_sproc);
	for (i = 0; i < n && !any; i++)
		any = sproc_differs(&sp[i]);
	if (!any) {
		free(sp);
		return 0;
	}
	if (x->o->limit && n > x->o->limit)
		n = x->o->limit;
	if (all)
		qsort(sp, n, sizeof(*sp), cmp_sproc_key);
	ctprof_buf_puts(x->out, "\n## smaps_rollup\n");
	rt_init(&t, x->ncols);
	header_row(x, &t, all ? "comm" : "pcomm", true);
	for (i = 0; i < n; i++) {
		struct rt_hrow h;
		size_t depth = 0;

		if (all) {
			rt_hsplit(&h, sp[i].key.s, sp[i].key.len);
			/* smaps keys are cg\0pcomm: the process is the second part */
			depth = rt_tree_step(&t, &st, h.cg, h.cglen, "", 0, false, x->group_col);
		} else {
			h.pc = sp[i].key.s;
			h.pclen = sp[i].key.len;
		}
		FOR_UNION_KEYS(sp[i].a, sp[i].b, k, {
			uint64_t va = 0, vb = 0;
			bool ha = kv_get(sp[i].a, k, &va), hb = kv_get(sp[i].b, k, &vb);
			double delta = (double)((__int128)vb - (__int128)va);
			bool both = ha && hb;

			if (ha == hb && va == vb)
				continue;
			rt_row(&t, RT_DATA);
			for (c = 0; c < x->ncols; c++) {
				enum rt_color col = RT_NONE;
				bool bold = false;
				size_t q;

				b->len = 0;
				switch (x->cols[c]) {
				case CTPROF_COL_GROUP:
					for (q = 0; q < depth + 2; q++)
						ctprof_buf_puts(b, "  ");
					rf_name(b, h.pc, h.pclen);
					break;
				case CTPROF_COL_METRIC:
					rf_name(b, k, strlen(k));
					break;
				case CTPROF_COL_BASELINE:
				case CTPROF_COL_CANDIDATE:
				case CTPROF_COL_ARROW:
					if (x->cols[c] != CTPROF_COL_CANDIDATE) {
						if (ha)
							rf_scaled_u64(b, va, CTPROF_LADDER_BYTES);
						else
							ctprof_buf_putc(b, '-');
					}
					if (x->cols[c] == CTPROF_COL_ARROW)
						ctprof_buf_puts(b, ARROW);
					if (x->cols[c] != CTPROF_COL_BASELINE) {
						if (hb)
							rf_scaled_u64(b, vb, CTPROF_LADDER_BYTES);
						else
							ctprof_buf_putc(b, '-');
					}
					break;
				case CTPROF_COL_DELTA:
					if (both)
						rf_delta(b, delta, CTPROF_LADDER_BYTES);
					else
						ctprof_buf_putc(b, '-');
					col = sign_color(both, delta, RT_WHITE);
					break;
				case CTPROF_COL_PCT:
					if (both && va != 0)
						rf_pct(b, delta / (double)va);
					else
						ctprof_buf_putc(b, '-');
					col = sign_color(both, delta, RT_WHITE);
					bold = both && va != 0 && fabs(delta / (double)va) > 0.5;
					break;
				case CTPROF_COL_UPTIME:
					col = RT_WHITE;
					break;
				default:
					break;
				}
				cell_buf(&t, b, col, bold);
			}
		});
	}
	free(sp);
	return emit_table(x, &t);
}

/* ---- cgroup tables (§10.4) -------------------------------------------------------- */

static const struct ctprof_psi_resource *psi_res(const struct ctprof_psi *p, int i)
{
	switch (i) {
	case 0:
		return &p->cpu;
	case 1:
		return &p->memory;
	case 2:
		return &p->io;
	default:
		return &p->irq;
	}
}

static const char *const psi_names[4] = { "cpu", "memory", "io", "irq" };

static bool half_has(const struct ctprof_psi_half *h)
{
	return h->avg10 || h->avg60 || h->avg300 || h->total_usec;
}

static bool res_has(const struct ctprof_psi_resource *r)
{
	return r && (half_has(&r->some) || half_has(&r->full));
}

static bool psi_has(const struct ctprof_psi *p)
{
	int i;

	for (i = 0; i < 4; i++)
		if (res_has(psi_res(p, i)))
			return true;
	return false;
}

static bool has_limits(const struct ctprof_cgroup_stats *s)
{
	return s && (s->cpu.max_quota_us.set || s->cpu.weight.set || s->memory.max.set ||
		     s->memory.high.set || s->pids.current.set || s->pids.max.set);
}

struct cgk {
	const char *key;
	const struct ctprof_cgroup_stats *a, *b;
};

static void cell_str(struct rt_table *t, const char *s)
{
	struct ctprof_buf b = { 0 };

	rf_name(&b, s, strlen(s));
	cell_buf(t, &b, RT_NONE, false);
	ctprof_buf_free(&b);
}

static void psi_rows(struct rt_table *t, struct ctprof_buf *b, const char *key,
		     const struct ctprof_psi_resource *ra, const struct ctprof_psi_resource *rb)
{
	int half;

	for (half = 0; half < 2; half++) {
		const struct ctprof_psi_half *ha = ra ? (half ? &ra->full : &ra->some) : NULL;
		const struct ctprof_psi_half *hb = rb ? (half ? &rb->full : &rb->some) : NULL;

		rt_row(t, RT_DATA);
		if (key)
			cell_str(t, key);
		rt_cells(t, half ? "full" : "some", RT_NONE, false);
		b->len = 0;
		rf_psi_cell(b, ha ? &ha->avg10 : NULL, hb ? &hb->avg10 : NULL);
		cell_buf(t, b, RT_NONE, false);
		b->len = 0;
		rf_psi_cell(b, ha ? &ha->avg60 : NULL, hb ? &hb->avg60 : NULL);
		cell_buf(t, b, RT_NONE, false);
		b->len = 0;
		rf_psi_cell(b, ha ? &ha->avg300 : NULL, hb ? &hb->avg300 : NULL);
		cell_buf(t, b, RT_NONE, false);
		b->len = 0;
		rf_cgroup_cell(b, ha ? &ha->total_usec : NULL, hb ? &hb->total_usec : NULL,
			       CTPROF_LADDER_US);
		cell_buf(t, b, RT_NONE, false);
	}
}

static int kv_table(struct tctx *x, const struct cgk *k, size_t n, bool events)
{
	struct rt_table t;
	struct ctprof_buf *b = &x->tmp;
	size_t i;
	bool any = false;

	for (i = 0; i < n; i++) {
		const struct ctprof_kvmap *ma = k[i].a ? (events ? &k[i].a->memory.events
								 : &k[i].a->memory.stat) : NULL;
		const struct ctprof_kvmap *mb = k[i].b ? (events ? &k[i].b->memory.events
								 : &k[i].b->memory.stat) : NULL;

		if ((ma && ma->n) || (mb && mb->n))
			any = true;
	}
	if (!any)
		return 0;
	ctprof_buf_puts(x->out, events ? "\n## memory.events\n" : "\n## memory.stat\n");
	rt_init(&t, 3);
	rt_row(&t, RT_HEADER);
	rt_cells(&t, "cgroup", RT_NONE, false);
	rt_cells(&t, events ? "event" : "key", RT_NONE, false);
	rt_cells(&t, events ? "count" : "value", RT_NONE, false);
	for (i = 0; i < n; i++) {
		const struct ctprof_kvmap *ma = k[i].a ? (events ? &k[i].a->memory.events
								 : &k[i].a->memory.stat) : NULL;
		const struct ctprof_kvmap *mb = k[i].b ? (events ? &k[i].b->memory.events
								 : &k[i].b->memory.stat) : NULL;

		FOR_UNION_KEYS(ma, mb, key, {
			uint64_t va = 0, vb = 0;
			bool ha = kv_get(ma, key, &va), hb = kv_get(mb, key, &vb);

			if (ha == hb && va == vb)
				continue;
			rt_row(&t, RT_DATA);
			cell_str(&t, k[i].key);
			cell_str(&t, key);
			b->len = 0;
			rf_cgroup_cell(b, ha ? &va : NULL, hb ? &vb : NULL, CTPROF_LADDER_UNITLESS);
			cell_buf(&t, b, RT_NONE, false);
		});
	}
	return emit_table(x, &t);
}

static int cgroup_sections(struct tctx *x)
{
	const struct ctprof_diff *d = x->d;
	struct ctprof_buf *b = &x->tmp;
	struct cgk *k;
	size_t n = 0, i = 0, j = 0;
	struct rt_table t;
	int r = 0, res;
	bool any;

	if (d->group_by != CTPROF_GROUP_CGROUP || (d->n_cg_a == 0 && d->n_cg_b == 0))
		return 0;
	k = ctprof_calloc(d->n_cg_a + d->n_cg_b + 1, sizeof(*k));
	if (!k)
		return -ENOMEM;
	while (i < d->n_cg_a || j < d->n_cg_b) {
		int cmp = i >= d->n_cg_a ? 1 : j >= d->n_cg_b ? -1
			  : strcmp(d->cg_a[i].key, d->cg_b[j].key);

		if (cmp <= 0) {
			k[n].key = d->cg_a[i].key;
			k[n].a = &d->cg_a[i++].stats;
		}
		if (cmp >= 0) {
			k[n].key = d->cg_b[j].key;
			k[n].b = &d->cg_b[j++].stats;
		}
		n++;
	}
	if (rs_enabled(x->o, CTPROF_RS_CGROUP_STATS)) {
		static const char *const h[] = { "cgroup", "cpu_usage_usec", "nr_throttled",
						 "throttled_usec", "memory_current" };

		ctprof_buf_puts(x->out, "\n## CgroupStats\n");
		rt_init(&t, 5);
		rt_row(&t, RT_HEADER);
		for (i = 0; i < 5; i++)
			rt_cells(&t, h[i], RT_NONE, false);
		for (i = 0; i < n; i++) {
			const struct ctprof_cgroup_stats *a = k[i].a, *c = k[i].b;

			rt_row(&t, RT_DATA);
			cell_str(&t, k[i].key);
			b->len = 0;
			rf_cgroup_cell(b, a ? &a->cpu.usage_usec : NULL, c ? &c->cpu.usage_usec : NULL,
				       CTPROF_LADDER_US);
			cell_buf(&t, b, RT_NONE, false);
			b->len = 0;
			rf_cgroup_cell(b, a ? &a->cpu.nr_throttled : NULL,
				       c ? &c->cpu.nr_throttled : NULL, CTPROF_LADDER_UNITLESS);
			cell_buf(&t, b, RT_NONE, false);
			b->len = 0;
			rf_cgroup_cell(b, a ? &a->cpu.throttled_usec : NULL,
				       c ? &c->cpu.throttled_usec : NULL, CTPROF_LADDER_US);
			cell_buf(&t, b, RT_NONE, false);
			b->len = 0;
			rf_cgroup_cell(b, a ? &a->memory.current : NULL, c ? &c->memory.current : NULL,
				       CTPROF_LADDER_BYTES);
			cell_buf(&t, b, RT_NONE, false);
		}
		r = emit_table(x, &t);
	}
	any = false;
	for (i = 0; i < n; i++)
		any = any || has_limits(k[i].a) || has_limits(k[i].b);
	if (r == 0 && rs_enabled(x->o, CTPROF_RS_CGROUP_LIMITS) && any) {
		static const char *const h[] = { "cgroup", "cpu.max", "cpu.weight", "memory.max",
						 "memory.high", "pids.current", "pids.max" };

		ctprof_buf_puts(x->out, "\n## Cgroup limits / knobs\n");
		rt_init(&t, 7);
		rt_row(&t, RT_HEADER);
		for (i = 0; i < 7; i++)
			rt_cells(&t, h[i], RT_NONE, false);
		for (i = 0; i < n; i++) {
			const struct ctprof_cgroup_stats *a = k[i].a, *c = k[i].b;

			if (!has_limits(a) && !has_limits(c))
				continue;
			rt_row(&t, RT_DATA);
			cell_str(&t, k[i].key);
			b->len = 0;
			rf_cpu_max_pair(b, a, c);
			cell_buf(&t, b, RT_NONE, false);
			b->len = 0;
			rf_cgroup_cell(b, a && a->cpu.weight.set ? &a->cpu.weight.v : NULL,
				       c && c->cpu.weight.set ? &c->cpu.weight.v : NULL,
				       CTPROF_LADDER_UNITLESS);
			cell_buf(&t, b, RT_NONE, false);
			b->len = 0;
			rf_limit_pair(b, a ? &a->memory.max : NULL, c ? &c->memory.max : NULL,
				      CTPROF_LADDER_BYTES);
			cell_buf(&t, b, RT_NONE, false);
			b->len = 0;
			rf_limit_pair(b, a ? &a->memory.high : NULL, c ? &c->memory.high : NULL,
				      CTPROF_LADDER_BYTES);
			cell_buf(&t, b, RT_NONE, false);
			b->len = 0;
			rf_cgroup_cell(b, a && a->pids.current.set ? &a->pids.current.v : NULL,
				       c && c->pids.current.set ? &c->pids.current.v : NULL,
				       CTPROF_LADDER_UNITLESS);
			cell_buf(&t, b, RT_NONE, false);
			b->len = 0;
			rf_limit_pair(b, a ? &a->pids.max : NULL, c ? &c->pids.max : NULL,
				      CTPROF_LADDER_UNITLESS);
			cell_buf(&t, b, RT_NONE, false);
		}
		r = emit_table(x, &t);
	}
	if (r == 0 && rs_enabled(x->o, CTPROF_RS_MEMORY_STAT))
		r = kv_table(x, k, n, false);
	if (r == 0 && rs_enabled(x->o, CTPROF_RS_MEMORY_EVENTS))
		r = kv_table(x, k, n, true);
	for (res = 0; r == 0 && rs_enabled(x->o, CTPROF_RS_PRESSURE) && res < 4; res++) {
		static const char *const h[] = { "cgroup", "row", "avg10", "avg60", "avg300",
						 "total" };

		any = false;
		for (i = 0; i < n; i++)
			any = any || (k[i].a && res_has(psi_res(&k[i].a->psi, res))) ||
			      (k[i].b && res_has(psi_res(&k[i].b->psi, res)));
		if (!any)
			continue;
		ctprof_buf_puts(x->out, "\n## Pressure / ");
		ctprof_buf_puts(x->out, psi_names[res]);
		ctprof_buf_putc(x->out, '\n');
		rt_init(&t, 6);
		rt_row(&t, RT_HEADER);
		for (i = 0; i < 6; i++)
			rt_cells(&t, h[i], RT_NONE, false);
		for (i = 0; i < n; i++)
			psi_rows(&t, b, k[i].key, k[i].a ? psi_res(&k[i].a->psi, res) : NULL,
				 k[i].b ? psi_res(&k[i].b->psi, res) : NULL);
		r = emit_table(x, &t);
	}
	free(k);
	return r;
}

static int host_pressure_section(struct tctx *x)
{
	const struct ctprof_psi *pa = &x->d->a->psi, *pb = &x->d->b->psi;
	struct rt_table t;
	int res, r = 0, i;

	if (!rs_enabled(x->o, CTPROF_RS_HOST_PRESSURE) || (!psi_has(pa) && !psi_has(pb)))
		return 0;
	for (res = 0; res < 4 && r == 0; res++) {
		static const char *const h[] = { "row", "avg10", "avg60", "avg300", "total" };

		if (!res_has(psi_res(pa, res)) && !res_has(psi_res(pb, res)))
			continue;
		ctprof_buf_puts(x->out, "\n## Host pressure / ");
		ctprof_buf_puts(x->out, psi_names[res]);
		ctprof_buf_putc(x->out, '\n');
		rt_init(&t, 5);
		rt_row(&t, RT_HEADER);
		for (i = 0; i < 5; i++)
			rt_cells(&t, h[i], RT_NONE, false);
		psi_rows(&t, &x->tmp, NULL, psi_res(pa, res), psi_res(pb, res));
		r = emit_table(x, &t);
	}
	return r;
}

static void scx_state(struct ctprof_buf *b, const struct ctprof_sched_ext *s)
{
	if (!s || !s->state || !s->state[0])
		ctprof_buf_putc(b, '-');
	else
		rf_name(b, s->state, strlen(s->state));
}

static int sched_ext_section(struct tctx *x)
{
	const struct ctprof_sched_ext *a = x->d->a->sched_ext, *c = x->d->b->sched_ext;
	static const char *const names[] = { "switch_all", "nr_rejected", "hotplug_seq",
					     "enable_seq" };
	struct ctprof_buf sa = { 0 }, sb = { 0 };
	struct ctprof_buf *b = &x->tmp;
	struct rt_table t;
	bool emit;
	int i;

	if (!a && !c)
		emit = false;
	else if (!a || !c)
		emit = true;
	else
		emit = strcmp(a->state ? a->state : "", c->state ? c->state : "") != 0 ||
		       a->switch_all != c->switch_all || a->nr_rejected != c->nr_rejected ||
		       a->hotplug_seq != c->hotplug_seq || a->enable_seq != c->enable_seq;
	if (!rs_enabled(x->o, CTPROF_RS_SCHED_EXT) || !emit)
		return 0;
	ctprof_buf_puts(x->out, "\n## sched_ext\n");
	rt_init(&t, 2);
	rt_row(&t, RT_HEADER);
	rt_cells(&t, "attr", RT_NONE, false);
	rt_cells(&t, "value", RT_NONE, false);
	rt_row(&t, RT_DATA);
	rt_cells(&t, "state", RT_NONE, false);
	scx_state(&sa, a);
	scx_state(&sb, c);
	b->len = 0;
	ctprof_buf_append(b, sa.data, sa.len);
	if (sa.len != sb.len || memcmp(sa.data, sb.data, sa.len) != 0) {
		ctprof_buf_puts(b, ARROW);
		ctprof_buf_append(b, sb.data, sb.len);
	}
	cell_buf(&t, b, RT_NONE, false);
	ctprof_buf_free(&sa);
	ctprof_buf_free(&sb);
	for (i = 0; i < 4; i++) {
		const uint64_t *va = NULL, *vc = NULL;

		if (a)
			va = i == 0 ? &a->switch_all : i == 1 ? &a->nr_rejected
			     : i == 2 ? &a->hotplug_seq : &a->enable_seq;
		if (c)
			vc = i == 0 ? &c->switch_all : i == 1 ? &c->nr_rejected
			     : i == 2 ? &c->hotplug_seq : &c->enable_seq;
		rt_row(&t, RT_DATA);
		rt_cells(&t, names[i], RT_NONE, false);
		b->len = 0;
		rf_cgroup_cell(b, va, vc, CTPROF_LADDER_UNITLESS);
		cell_buf(&t, b, RT_NONE, false);
	}
	return emit_table(x, &t);
}

/* ---- the trailer (§10.7) ---------------------------------------------------------- */

static void orphans(struct tctx *x, const char *label, const char *path,
		    const struct ctprof_key *keys, size_t n)
{
	struct ctprof_buf *o = x->out;
	const char *segs[RT_TREE_MAXSEG];
	size_t seglen[RT_TREE_MAXSEG], nlast = 0, i, k;
	char num[32];

	if (n == 0)
		return;
	(void)snprintf(num, sizeof(num), "\n%zu", n);
	ctprof_buf_puts(o, num);
	ctprof_buf_puts(o, " group(s) only in ");
	ctprof_buf_puts(o, label);
	ctprof_buf_puts(o, " (");
	rf_name(o, path ? path : "", strlen(path ? path : ""));
	ctprof_buf_puts(o, "):\n");
	for (i = 0; i < n; i++) {
		const char *s = keys[i].s;
		size_t len = keys[i].len;

		if (x->d->group_by == CTPROF_GROUP_ALL) {
			const char *z = memchr(s, '\0', len);
			const char *cg = z ? s : "", *rest = z ? z + 1 : s;
			size_t cglen = z ? (size_t)(z - s) : 0, restlen = z ? len - cglen - 1 : len;
			const char *seg[RT_TREE_MAXSEG];
			size_t sl[RT_TREE_MAXSEG], ns = 0, p = 0, common = 0;

			while (p < cglen && ns < RT_TREE_MAXSEG) {
				size_t q = p;

				while (q < cglen && cg[q] != '/')
					q++;
				if (q > p) {
					seg[ns] = cg + p;
					sl[ns] = q - p;
					ns++;
				}
				p = q + 1;
			}
			while (common < ns && common < nlast && sl[common] == seglen[common] &&
			       memcmp(seg[common], segs[common], sl[common]) == 0)
				common++;
			if (common < nlast || ns > nlast) {
				for (k = common; k < ns; k++) {
					size_t q;

					for (q = 0; q < k + 1; q++)
						ctprof_buf_puts(o, "  ");
					rf_name(o, seg[k], sl[k]);
					ctprof_buf_putc(o, '\n');
				}
				memcpy(segs, seg, ns * sizeof(seg[0]));
				memcpy(seglen, sl, ns * sizeof(sl[0]));
				nlast = ns;
			}
			for (k = 0; k < nlast + 1; k++)
				ctprof_buf_puts(o, "  ");
			rf_name(o, rest, restlen);
			ctprof_buf_putc(o, '\n');
		} else {
			ctprof_buf_puts(o, "  ");
			rf_name(o, s, len);
			ctprof_buf_putc(o, '\n');
		}
	}
}

static void fudged_report(struct tctx *x)
{
	const struct ctprof_diff *d = x->d;
	struct ctprof_buf *o = x->out;
	bool color = x->o->color;
	char tmp[160];
	size_t i, k;

	if (d->n_fudged == 0)
		return;
	ctprof_buf_putc(o, '\n');
	if (color)
		ctprof_buf_puts(o, "\x1b[1;33m");
	else
		ctprof_buf_putc(o, RT_NOT_SECTION);
	(void)snprintf(tmp, sizeof(tmp), "## Fudged cgroup matches (%zu pair(s))", d->n_fudged);
	ctprof_buf_puts(o, tmp);
	if (color)
		ctprof_buf_puts(o, "\x1b[0m");
	ctprof_buf_putc(o, '\n');
	for (i = 0; i < d->n_fudged; i++) {
		const struct ctprof_fudged_pair *fp = &d->fudged[i];

		ctprof_buf_puts(o, color ? "\n  \x1b[36mbaseline:\x1b[0m " : "\n  baseline: ");
		rf_name(o, fp->baseline_cgroup, strlen(fp->baseline_cgroup));
		ctprof_buf_puts(o, color ? "\n  \x1b[36mcandidate:\x1b[0m " : "\n  candidate: ");
		rf_name(o, fp->candidate_cgroup, strlen(fp->candidate_cgroup));
		ctprof_buf_putc(o, '\n');
		if (strcmp(fp->baseline_root, fp->baseline_cgroup) != 0 ||
		    strcmp(fp->candidate_root, fp->candidate_cgroup) != 0) {
			ctprof_buf_puts(o, "  cascade roots: baseline=");
			rf_name(o, fp->baseline_root, strlen(fp->baseline_root));
			ctprof_buf_puts(o, " candidate=");
			rf_name(o, fp->candidate_root, strlen(fp->candidate_root));
			ctprof_buf_putc(o, '\n');
		}
		(void)snprintf(tmp, sizeof(tmp),
			       "  overlap: %" PRIu64 " thread types, Jaccard: %.1f%%, cascaded children: %" PRIu64 "\n",
			       fp->overlap, fp->jaccard * 100.0, fp->cascaded_children);
		ctprof_buf_puts(o, tmp);
		if (fp->n_baseline_residual) {
			ctprof_buf_puts(o, "  residual (baseline only): ");
			for (k = 0; k < fp->n_baseline_residual; k++) {
				if (k)
					ctprof_buf_puts(o, ", ");
				rf_name(o, fp->baseline_residual[k], strlen(fp->baseline_residual[k]));
			}
			ctprof_buf_putc(o, '\n');
		}
		if (fp->n_candidate_residual) {
			ctprof_buf_puts(o, "  residual (candidate only): ");
			for (k = 0; k < fp->n_candidate_residual; k++) {
				if (k)
					ctprof_buf_puts(o, ", ");
				rf_name(o, fp->candidate_residual[k], strlen(fp->candidate_residual[k]));
			}
			ctprof_buf_putc(o, '\n');
		}
	}
}

static int render_text(const struct ctprof_diff *d, const struct ctprof_render_opts *o,
		       struct ctprof_buf *out)
{
	struct ctprof_buf raw = { 0 };
	struct tctx x;
	size_t i;
	int r;

	memset(&x, 0, sizeof(x));
	x.d = d;
	x.o = o;
	x.out = &raw;
	x.group_header = ctprof_group_by_header(d->group_by);
	if (o->n_columns) {
		for (i = 0; i < o->n_columns && i < 15; i++)
			x.cols[x.ncols++] = o->columns[i];
	} else {
		x.ncols = default_columns(o->display, x.cols);
	}
	if (d->sort_kind == CTPROF_MK_PRIMARY && d->n_rows > 0)
		x.cols[x.ncols++] = CTPROF_COL_SORTBY;
	x.group_col = SIZE_MAX;
	for (i = 0; i < x.ncols; i++)
		if (x.cols[i] == CTPROF_COL_GROUP && x.group_col == SIZE_MAX)
			x.group_col = i;

	r = primary_section(&x);
	if (r == 0)
		r = derived_section(&x);
	if (r == 0)
		r = smaps_section(&x);
	if (r == 0)
		r = cgroup_sections(&x);
	if (r == 0)
		r = host_pressure_section(&x);
	if (r == 0)
		r = sched_ext_section(&x);
	if (r == 0 && rs_enabled(o, CTPROF_RS_HOST))
		r = rh_host_diff(&raw, d->a, d->b, o->baseline_name, o->candidate_name);
	if (r == 0 && rs_enabled(o, CTPROF_RS_SUMMARIES))
		r = rh_summaries(&raw, d->a, d->b, o->color, o->wrap_width);
	if (r == 0) {
		fudged_report(&x);
		orphans(&x, "baseline", o->baseline_name, d->only_a, d->n_only_a);
		orphans(&x, "candidate", o->candidate_name, d->only_b, d->n_only_b);
	}
	if (r == 0 && (raw.oom || x.tmp.oom))
		r = -ENOMEM;
	if (r == 0)
		r = rt_limit_sections(raw.data ? raw.data : "", raw.len, o->limit, out);
	ctprof_buf_free(&raw);
	ctprof_buf_free(&x.tmp);
	return r;
}

static int check_ropts(const struct ctprof_render_opts *o, struct ctprof_error *err)
{
	size_t i;

	if (!o || o->sz < sizeof(*o))
		return ctprof_err(err, -EINVAL, "render: options: missing or too small");
	if (o->n_columns > 15)
		return ctprof_err(err, -EINVAL, "render: options: at most 15 columns");
	for (i = 0; i < o->n_columns; i++)
		if (o->columns[i] > CTPROF_COL_SORTBY)
			return ctprof_err(err, -EINVAL, "render: options: bad column %zu", i);
	return 0;
}

static int finish(struct ctprof_buf *b, int r, char **out, size_t *len, struct ctprof_error *err,
		  const char *what)
{
	if (r == 0 && (b->oom || ctprof_alloc_failed_take()))
		r = -ENOMEM;
	if (r == 0 && !b->data && ctprof_buf_reserve(b, 1) < 0)
		r = -ENOMEM;
	if (r < 0) {
		ctprof_buf_free(b);
		return ctprof_err(err, r, "%s: %s", what, r == -ENOMEM ? "out of memory" : "failed");
	}
	*out = b->data;
	if (len)
		*len = b->len;
	return 0;
}

CTPROF_API int ctprof_render_diff(const struct ctprof_diff *d, const struct ctprof_render_opts *o,
				  char **out, size_t *len, struct ctprof_error *err)
{
	struct ctprof_buf b = { 0 };
	int r;

	/* allocation failures swallowed on the way are reported by the finish */
	(void)ctprof_alloc_failed_take();
	if (!d || !out)
		return ctprof_err(err, -EINVAL, "render: missing diff or output");
	r = check_ropts(o, err);
	if (r < 0)
		return r;
	if (o->format == CTPROF_OUT_JSON)
		r = rj_diff(&b, d, o);
	else
		r = render_text(d, o, &b);
	return finish(&b, r, out, len, err, "render compare");
}

int rt_finish(struct ctprof_buf *b, int r, char **out, size_t *len, struct ctprof_error *err,
	      const char *what)
{
	return finish(b, r, out, len, err, what);
}
int rt_check_opts(const struct ctprof_render_opts *o, struct ctprof_error *err)
{
	return check_ropts(o, err);
}
