/* SPDX-License-Identifier: MIT */
/*
 * ktstr's write_show (compare-engine.md §11.2): one snapshot's groups,
 * derived metrics, cgroup tables, host pressure, smaps_rollup and
 * sched_ext; plus the host context and capture summaries. Under
 * --group-by all (which ktstr rejects) the groups form the cgroup tree.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../compare/cmp.h"
#include "rnd.h"

struct sctx {
	const struct ctprof_groupset *g;
	const struct ctprof_render_opts *o;
	enum ctprof_column cols[16];
	size_t ncols, group_col;
	const char *group_header;
	struct ctprof_buf *out;
};

static bool row_on(const struct ctprof_render_opts *o, bool derived, unsigned i)
{
	if (!derived) {
		const struct ctprof_metric *m = &ctprof_metrics()[i];

		if (o->metrics.active && !o->metrics.primary[i])
			return false;
		return rs_enabled(o, m->section == CTPROF_SEC_TASKSTATS_DELAY
					     ? CTPROF_RS_TASKSTATS_DELAY : CTPROF_RS_PRIMARY);
	} else {
		const struct ctprof_derived_metric *d = &ctprof_derived_metrics()[i];

		if (o->metrics.active && !o->metrics.derived[i])
			return false;
		return rs_enabled(o, d->section == CTPROF_SEC_TASKSTATS_DELAY
					     ? CTPROF_RS_TASKSTATS_DELAY : CTPROF_RS_DERIVED);
	}
}

static void add_cells(struct sctx *x, struct rt_table *t, const struct ctprof_group *g, bool derived,
		      unsigned i, const char *gs, size_t glen)
{
	enum rt_color color = derived ? RT_BLUE : RT_NONE;
	struct ctprof_buf b = { 0 };
	size_t c;

	rt_row(t, RT_DATA);
	for (c = 0; c < x->ncols; c++) {
		b.len = 0;
		switch (x->cols[c]) {
		case CTPROF_COL_GROUP:
			if (gs)
				ctprof_buf_append(&b, gs, glen);
			else
				rf_name(&b, g->key.s, g->key.len);
			break;
		case CTPROF_COL_THREADS:
			rf_threads(&b, g->threads, g->threads);
			break;
		case CTPROF_COL_METRIC:
			ctprof_buf_puts(&b, derived ? ctprof_derived_metrics()[i].name
						    : ctprof_metrics()[i].name);
			break;
		case CTPROF_COL_VALUE:
			if (!derived) {
				rf_value(&b, &g->m[i], ctprof_metrics()[i].ladder);
			} else if (g->dv_mask >> i & 1) {
				const struct ctprof_derived_metric *d = &ctprof_derived_metrics()[i];

				rf_derived(&b, g->dv[i], d->ladder, d->is_ratio);
			} else {
				ctprof_buf_putc(&b, '-');
			}
			break;
		case CTPROF_COL_TAGS:
			if (!derived) {
				char tags[160];

				ctprof_metric_tags(&ctprof_metrics()[i], tags, sizeof(tags));
				ctprof_buf_puts(&b, tags);
			}
			break;
		default:
			ctprof_buf_putc(&b, '-');
			break;
		}
		if (b.oom)
			t->oom = true;
		rt_cell(t, b.data ? b.data : "", b.len, color, false);
	}
	ctprof_buf_free(&b);
}

static void header(struct sctx *x, struct rt_table *t)
{
	size_t c;

	rt_row(t, RT_HEADER);
	for (c = 0; c < x->ncols; c++)
		rt_cells(t, rc_header(x->cols[c], x->group_header), RT_NONE, false);
}

static int table_section(struct sctx *x, bool derived)
{
	const struct ctprof_groupset *g = x->g;
	unsigned n = derived ? CTPROF_NDERIVED : CTPROF_NMETRICS, i;
	struct rt_tree st = { .pc = "" };
	struct rt_hrow *h = NULL;
	struct rt_table t;
	size_t k;
	int r;

	rt_init(&t, x->ncols);
	header(x, &t);
	if (g->group_by == CTPROF_GROUP_ALL) {
		h = ctprof_malloc((g->n + 1) * sizeof(*h));
		if (!h) {
			rt_free(&t);
			return -ENOMEM;
		}
		for (k = 0; k < g->n; k++) {
			rt_hsplit(&h[k], g->groups[k].key.s, g->groups[k].key.len);
			h[k].idx = k;
		}
		if (rt_hier_sort(h, g->n) < 0) {
			free(h);
			rt_free(&t);
			return -ENOMEM;
		}
	}
	for (k = 0; k < g->n; k++) {
		const struct ctprof_group *gr = &g->groups[h ? h[k].idx : k];
		struct ctprof_buf gb = { 0 };
		bool any = false;

		for (i = 0; i < n; i++)
			any = any || row_on(x->o, derived, i);
		if (!any)
			continue;
		if (h) {
			size_t depth = rt_tree_step(&t, &st, h[k].cg, h[k].cglen, h[k].pc, h[k].pclen,
						    true, x->group_col), q;

			for (q = 0; q < depth + 2; q++)
				ctprof_buf_puts(&gb, "  ");
			rf_name(&gb, h[k].cm, h[k].cmlen);
			if (gb.oom)
				t.oom = true;
		}
		for (i = 0; i < n; i++)
			if (row_on(x->o, derived, i))
				add_cells(x, &t, gr, derived, i, h ? (gb.data ? gb.data : "") : NULL,
					  gb.len);
		ctprof_buf_free(&gb);
	}
	free(h);
	if (derived)
		ctprof_buf_puts(x->out, "\n## Derived metrics\n");
	else
		ctprof_buf_puts(x->out, "## Primary metrics\n");
	r = rt_render(&t, x->out, x->o->color, x->o->wrap_width);
	rt_free(&t);
	return r;
}

static void cell_name(struct rt_table *t, const char *s, size_t len)
{
	struct ctprof_buf b = { 0 };

	rf_name(&b, s, len);
	if (b.oom)
		t->oom = true;
	rt_cell(t, b.data ? b.data : "", b.len, RT_NONE, false);
	ctprof_buf_free(&b);
}

static void cell_u64(struct rt_table *t, uint64_t v, enum ctprof_ladder l)
{
	struct ctprof_buf b = { 0 };

	rf_scaled_u64(&b, v, l);
	if (b.oom)
		t->oom = true;
	rt_cell(t, b.data ? b.data : "", b.len, RT_NONE, false);
	ctprof_buf_free(&b);
}

static void cell_opt(struct rt_table *t, const struct ctprof_opt_u64 *v, enum ctprof_ladder l,
		     bool max_when_unset)
{
	struct ctprof_buf b = { 0 };

	if (v->set)
		rf_scaled_u64(&b, v->v, l);
	else
		ctprof_buf_puts(&b, max_when_unset ? "max" : "-");
	rt_cell(t, b.data ? b.data : "", b.len, RT_NONE, false);
	ctprof_buf_free(&b);
}

static int render(struct sctx *x, struct rt_table *t)
{
	int r = rt_render(t, x->out, x->o->color, x->o->wrap_width);

	rt_free(t);
	return r;
}

static const struct ctprof_psi_resource *psi_res(const struct ctprof_psi *p, int i)
{
	return i == 0 ? &p->cpu : i == 1 ? &p->memory : i == 2 ? &p->io : &p->irq;
}

static bool res_has(const struct ctprof_psi_resource *r)
{
	return r->some.avg10 || r->some.avg60 || r->some.avg300 || r->some.total_usec ||
	       r->full.avg10 || r->full.avg60 || r->full.avg300 || r->full.total_usec;
}

static void psi_half_cells(struct rt_table *t, const struct ctprof_psi_half *h)
{
	struct ctprof_buf b = { 0 };

	rf_psi_avg(&b, h->avg10);
	rt_cell(t, b.data, b.len, RT_NONE, false);
	b.len = 0;
	rf_psi_avg(&b, h->avg60);
	rt_cell(t, b.data, b.len, RT_NONE, false);
	b.len = 0;
	rf_psi_avg(&b, h->avg300);
	rt_cell(t, b.data, b.len, RT_NONE, false);
	ctprof_buf_free(&b);
	cell_u64(t, h->total_usec, CTPROF_LADDER_US);
}

static const char *const psi_names[4] = { "cpu", "memory", "io", "irq" };

static int cgroup_tables(struct sctx *x)
{
	const struct ctprof_groupset *g = x->g;
	struct rt_table t;
	size_t i, k;
	int r = 0, res;
	bool any;

	if (g->group_by != CTPROF_GROUP_CGROUP || g->n_cg == 0)
		return 0;
	if (rs_enabled(x->o, CTPROF_RS_CGROUP_STATS)) {
		static const char *const h[] = { "cgroup", "cpu_usage_usec", "nr_throttled",
						 "throttled_usec", "memory_current" };

		/* show's CgroupStats table has no heading (§11.2) */
		ctprof_buf_putc(x->out, '\n');
		rt_init(&t, 5);
		rt_row(&t, RT_HEADER);
		for (i = 0; i < 5; i++)
			rt_cells(&t, h[i], RT_NONE, false);
		for (i = 0; i < g->n_cg; i++) {
			const struct ctprof_cgroup_stats *s = &g->cg[i].stats;

			rt_row(&t, RT_DATA);
			cell_name(&t, g->cg[i].key, strlen(g->cg[i].key));
			cell_u64(&t, s->cpu.usage_usec, CTPROF_LADDER_US);
			cell_u64(&t, s->cpu.nr_throttled, CTPROF_LADDER_UNITLESS);
			cell_u64(&t, s->cpu.throttled_usec, CTPROF_LADDER_US);
			cell_u64(&t, s->memory.current, CTPROF_LADDER_BYTES);
		}
		r = render(x, &t);
	}
	any = false;
	for (i = 0; i < g->n_cg; i++) {
		const struct ctprof_cgroup_stats *s = &g->cg[i].stats;

		any = any || s->cpu.max_quota_us.set || s->cpu.weight.set || s->memory.max.set ||
		      s->memory.high.set || s->pids.current.set || s->pids.max.set;
	}
	if (r == 0 && rs_enabled(x->o, CTPROF_RS_CGROUP_LIMITS) && any) {
		static const char *const h[] = { "cgroup", "cpu.max", "cpu.weight", "memory.max",
						 "memory.high", "pids.current", "pids.max" };

		ctprof_buf_puts(x->out, "\n## Cgroup limits / knobs\n");
		rt_init(&t, 7);
		rt_row(&t, RT_HEADER);
		for (i = 0; i < 7; i++)
			rt_cells(&t, h[i], RT_NONE, false);
		for (i = 0; i < g->n_cg; i++) {
			const struct ctprof_cgroup_stats *s = &g->cg[i].stats;
			struct ctprof_buf b = { 0 };

			if (!(s->cpu.max_quota_us.set || s->cpu.weight.set || s->memory.max.set ||
			      s->memory.high.set || s->pids.current.set || s->pids.max.set))
				continue;
			rt_row(&t, RT_DATA);
			cell_name(&t, g->cg[i].key, strlen(g->cg[i].key));
			rf_cpu_max(&b, &s->cpu.max_quota_us, s->cpu.max_period_us);
			rt_cell(&t, b.data ? b.data : "", b.len, RT_NONE, false);
			ctprof_buf_free(&b);
			cell_opt(&t, &s->cpu.weight, CTPROF_LADDER_UNITLESS, false);
			cell_opt(&t, &s->memory.max, CTPROF_LADDER_BYTES, true);
			cell_opt(&t, &s->memory.high, CTPROF_LADDER_BYTES, true);
			cell_opt(&t, &s->pids.current, CTPROF_LADDER_UNITLESS, false);
			cell_opt(&t, &s->pids.max, CTPROF_LADDER_UNITLESS, true);
		}
		r = render(x, &t);
	}
	for (k = 0; k < 2 && r == 0; k++) {
		bool events = k == 1;

		if (!rs_enabled(x->o, events ? CTPROF_RS_MEMORY_EVENTS : CTPROF_RS_MEMORY_STAT))
			continue;
		any = false;
		for (i = 0; i < g->n_cg; i++) {
			const struct ctprof_kvmap *m = events ? &g->cg[i].stats.memory.events
							      : &g->cg[i].stats.memory.stat;
			size_t j;

			for (j = 0; j < m->n; j++)
				any = any || m->items[j].value != 0;
		}
		if (!any)
			continue;
		ctprof_buf_puts(x->out, events ? "\n## memory.events\n" : "\n## memory.stat\n");
		rt_init(&t, 3);
		rt_row(&t, RT_HEADER);
		rt_cells(&t, "cgroup", RT_NONE, false);
		rt_cells(&t, events ? "event" : "key", RT_NONE, false);
		rt_cells(&t, events ? "count" : "value", RT_NONE, false);
		for (i = 0; i < g->n_cg; i++) {
			const struct ctprof_kvmap *m = events ? &g->cg[i].stats.memory.events
							      : &g->cg[i].stats.memory.stat;
			size_t j;

			for (j = 0; j < m->n; j++) {
				if (m->items[j].value == 0)
					continue;
				rt_row(&t, RT_DATA);
				cell_name(&t, g->cg[i].key, strlen(g->cg[i].key));
				cell_name(&t, m->items[j].key, strlen(m->items[j].key));
				cell_u64(&t, m->items[j].value, CTPROF_LADDER_UNITLESS);
			}
		}
		r = render(x, &t);
	}
	for (res = 0; r == 0 && rs_enabled(x->o, CTPROF_RS_PRESSURE) && res < 4; res++) {
		static const char *const h[] = { "cgroup", "row", "avg10", "avg60", "avg300",
						 "total" };

		any = false;
		for (i = 0; i < g->n_cg; i++)
			any = any || res_has(psi_res(&g->cg[i].stats.psi, res));
		if (!any)
			continue;
		ctprof_buf_puts(x->out, "\n## Pressure / ");
		ctprof_buf_puts(x->out, psi_names[res]);
		ctprof_buf_putc(x->out, '\n');
		rt_init(&t, 6);
		rt_row(&t, RT_HEADER);
		for (i = 0; i < 6; i++)
			rt_cells(&t, h[i], RT_NONE, false);
		for (i = 0; i < g->n_cg; i++) {
			const struct ctprof_psi_resource *pr = psi_res(&g->cg[i].stats.psi, res);

			rt_row(&t, RT_DATA);
			cell_name(&t, g->cg[i].key, strlen(g->cg[i].key));
			rt_cells(&t, "some", RT_NONE, false);
			psi_half_cells(&t, &pr->some);
			rt_row(&t, RT_DATA);
			cell_name(&t, g->cg[i].key, strlen(g->cg[i].key));
			rt_cells(&t, "full", RT_NONE, false);
			psi_half_cells(&t, &pr->full);
		}
		r = render(x, &t);
	}
	return r;
}

static int host_pressure(struct sctx *x)
{
	const struct ctprof_psi *p = &x->g->snap->psi;
	struct rt_table t;
	int res, r = 0, i;

	if (!rs_enabled(x->o, CTPROF_RS_HOST_PRESSURE))
		return 0;
	for (res = 0; res < 4 && r == 0; res++) {
		static const char *const h[] = { "row", "avg10", "avg60", "avg300", "total" };

		if (!res_has(psi_res(p, res)))
			continue;
		ctprof_buf_puts(x->out, "\n## Host pressure / ");
		ctprof_buf_puts(x->out, psi_names[res]);
		ctprof_buf_putc(x->out, '\n');
		rt_init(&t, 5);
		rt_row(&t, RT_HEADER);
		for (i = 0; i < 5; i++)
			rt_cells(&t, h[i], RT_NONE, false);
		rt_row(&t, RT_DATA);
		rt_cells(&t, "some", RT_NONE, false);
		psi_half_cells(&t, &psi_res(p, res)->some);
		rt_row(&t, RT_DATA);
		rt_cells(&t, "full", RT_NONE, false);
		psi_half_cells(&t, &psi_res(p, res)->full);
		r = render(x, &t);
	}
	return r;
}

struct sp {
	const struct ctprof_smaps_entry *e;
	uint64_t rss, pss;
};

static int cmp_sp(const void *x, const void *y)
{
	const struct sp *a = x, *b = y;

	if (a->rss != b->rss)
		return a->rss > b->rss ? -1 : 1;
	if (a->pss != b->pss)
		return a->pss > b->pss ? -1 : 1;
	return cp_kcmp(&a->e->key, &b->e->key);
}

static int smaps(struct sctx *x)
{
	const struct ctprof_groupset *g = x->g;
	struct sp *sp;
	struct rt_table t;
	size_t i, j;
	bool any = false;

	if (!rs_enabled(x->o, CTPROF_RS_SMAPS_ROLLUP) || g->n_smaps == 0)
		return 0;
	sp = ctprof_calloc(g->n_smaps, sizeof(*sp));
	if (!sp)
		return -ENOMEM;
	for (i = 0; i < g->n_smaps; i++) {
		sp[i].e = &g->smaps[i];
		ctprof_kvmap_get(&g->smaps[i].bytes, "Rss", &sp[i].rss);
		ctprof_kvmap_get(&g->smaps[i].bytes, "Pss", &sp[i].pss);
		for (j = 0; j < g->smaps[i].bytes.n; j++)
			any = any || g->smaps[i].bytes.items[j].value != 0;
	}
	if (!any) {
		free(sp);
		return 0;
	}
	qsort(sp, g->n_smaps, sizeof(*sp), cmp_sp);
	ctprof_buf_puts(x->out, "\n## smaps_rollup\n");
	rt_init(&t, 3);
	rt_row(&t, RT_HEADER);
	rt_cells(&t, "process", RT_NONE, false);
	rt_cells(&t, "key", RT_NONE, false);
	rt_cells(&t, "value", RT_NONE, false);
	for (i = 0; i < g->n_smaps; i++) {
		const struct ctprof_kvmap *m = &sp[i].e->bytes;

		for (j = 0; j < m->n; j++) {
			if (m->items[j].value == 0)
				continue;
			rt_row(&t, RT_DATA);
			cell_name(&t, sp[i].e->key.s, sp[i].e->key.len);
			cell_name(&t, m->items[j].key, strlen(m->items[j].key));
			cell_u64(&t, m->items[j].value, CTPROF_LADDER_BYTES);
		}
	}
	free(sp);
	return render(x, &t);
}

static int sched_ext(struct sctx *x)
{
	const struct ctprof_sched_ext *s = x->g->snap->sched_ext;
	struct rt_table t;

	if (!rs_enabled(x->o, CTPROF_RS_SCHED_EXT) || !s)
		return 0;
	ctprof_buf_puts(x->out, "\n## sched_ext\n");
	rt_init(&t, 2);
	rt_row(&t, RT_HEADER);
	rt_cells(&t, "attr", RT_NONE, false);
	rt_cells(&t, "value", RT_NONE, false);
	rt_row(&t, RT_DATA);
	rt_cells(&t, "state", RT_NONE, false);
	if (s->state && s->state[0])
		cell_name(&t, s->state, strlen(s->state));
	else
		rt_cells(&t, "-", RT_NONE, false);
	rt_row(&t, RT_DATA);
	rt_cells(&t, "switch_all", RT_NONE, false);
	cell_u64(&t, s->switch_all, CTPROF_LADDER_UNITLESS);
	rt_row(&t, RT_DATA);
	rt_cells(&t, "nr_rejected", RT_NONE, false);
	cell_u64(&t, s->nr_rejected, CTPROF_LADDER_UNITLESS);
	rt_row(&t, RT_DATA);
	rt_cells(&t, "hotplug_seq", RT_NONE, false);
	cell_u64(&t, s->hotplug_seq, CTPROF_LADDER_UNITLESS);
	rt_row(&t, RT_DATA);
	rt_cells(&t, "enable_seq", RT_NONE, false);
	cell_u64(&t, s->enable_seq, CTPROF_LADDER_UNITLESS);
	return render(x, &t);
}

static int show_text(const struct ctprof_groupset *g, const struct ctprof_render_opts *o,
		     struct ctprof_buf *out)
{
	struct ctprof_buf raw = { 0 };
	struct sctx x;
	size_t i;
	int r = 0;

	memset(&x, 0, sizeof(x));
	x.g = g;
	x.o = o;
	x.out = &raw;
	x.group_header = ctprof_group_by_header(g->group_by);
	if (o->n_columns) {
		for (i = 0; i < o->n_columns && i < 15; i++)
			x.cols[x.ncols++] = o->columns[i];
	} else {
		x.cols[x.ncols++] = CTPROF_COL_GROUP;
		x.cols[x.ncols++] = CTPROF_COL_THREADS;
		x.cols[x.ncols++] = CTPROF_COL_METRIC;
		x.cols[x.ncols++] = CTPROF_COL_VALUE;
	}
	x.group_col = SIZE_MAX;
	for (i = 0; i < x.ncols; i++)
		if (x.cols[i] == CTPROF_COL_GROUP && x.group_col == SIZE_MAX)
			x.group_col = i;
	if (rs_enabled(o, CTPROF_RS_PRIMARY) || rs_enabled(o, CTPROF_RS_TASKSTATS_DELAY))
		r = table_section(&x, false);
	if (r == 0 && (rs_enabled(o, CTPROF_RS_DERIVED) || rs_enabled(o, CTPROF_RS_TASKSTATS_DELAY)) &&
	    g->n)
		r = table_section(&x, true);
	if (r == 0)
		r = cgroup_tables(&x);
	if (r == 0)
		r = host_pressure(&x);
	if (r == 0)
		r = smaps(&x);
	if (r == 0)
		r = sched_ext(&x);
	if (r == 0 && rs_enabled(o, CTPROF_RS_HOST))
		r = rh_host_show(&raw, g->snap, o->color, o->wrap_width);
	if (r == 0 && rs_enabled(o, CTPROF_RS_SUMMARIES))
		r = rh_summaries(&raw, g->snap, g->snap, o->color, o->wrap_width);
	if (r == 0 && raw.oom)
		r = -ENOMEM;
	if (r == 0)
		r = rt_limit_sections(raw.data ? raw.data : "", raw.len, o->limit, out);
	ctprof_buf_free(&raw);
	return r;
}

CTPROF_API int ctprof_render_show(const struct ctprof_groupset *g,
				  const struct ctprof_render_opts *o, char **out, size_t *len,
				  struct ctprof_error *err)
{
	struct ctprof_buf b = { 0 };
	int r;

	/* allocation failures swallowed on the way are reported by the finish */
	(void)ctprof_alloc_failed_take();
	if (!g || !out)
		return ctprof_err(err, -EINVAL, "render: missing groups or output");
	r = rt_check_opts(o, err);
	if (r < 0)
		return r;
	if (o->format == CTPROF_OUT_JSON)
		r = rj_show(&b, g, o);
	else
		r = show_text(g, o, &b);
	return rt_finish(&b, r, out, len, err, "render show");
}
