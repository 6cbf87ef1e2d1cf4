/* SPDX-License-Identifier: MIT */
/*
 * --format json for compare and show (beyond ktstr, which has no
 * machine-readable output). One compact document; the shape is in the man
 * page. Integers are exact (u64, and deltas of sums/maxima in 128 bits).
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../compare/cmp.h"
#include "rnd.h"

void rj_str(struct ctprof_buf *b, const char *s, size_t len)
{
	size_t i;

	ctprof_buf_putc(b, '"');
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		char tmp[8];

		switch (c) {
		case '"':
			ctprof_buf_puts(b, "\\\"");
			break;
		case '\\':
			ctprof_buf_puts(b, "\\\\");
			break;
		case '\n':
			ctprof_buf_puts(b, "\\n");
			break;
		case '\t':
			ctprof_buf_puts(b, "\\t");
			break;
		case '\r':
			ctprof_buf_puts(b, "\\r");
			break;
		default:
			if (c < 0x20 || c == 0x7f) {
				(void)snprintf(tmp, sizeof(tmp), "\\u%04x", c);
				ctprof_buf_puts(b, tmp);
			} else {
				ctprof_buf_putc(b, (char)c);
			}
		}
	}
	ctprof_buf_putc(b, '"');
}

static void js(struct ctprof_buf *b, const char *s)
{
	if (s)
		rj_str(b, s, strlen(s));
	else
		ctprof_buf_puts(b, "null");
}

static void key(struct ctprof_buf *b, const char *k)
{
	rj_str(b, k, strlen(k));
	ctprof_buf_putc(b, ':');
}

/* Shortest form that reads back as the same double; null when not finite. */
static void jnum(struct ctprof_buf *b, double v)
{
	char tmp[40];
	int p;

	if (!isfinite(v)) {
		ctprof_buf_puts(b, "null");
		return;
	}
	if (v == 0)
		v = fabs(v); /* no "-0" */
	for (p = 15; p <= 17; p++) {
		(void)snprintf(tmp, sizeof(tmp), "%.*g", p, v);
		if (strtod(tmp, NULL) == v)
			break;
	}
	ctprof_buf_puts(b, tmp);
}

static void ju64(struct ctprof_buf *b, uint64_t v)
{
	ctprof_buf_u64(b, v);
}

static void ji128(struct ctprof_buf *b, __int128 v)
{
	char tmp[48], *p = tmp + sizeof(tmp);
	unsigned __int128 u = v < 0 ? (unsigned __int128)0 - (unsigned __int128)v : (unsigned __int128)v;

	*--p = '\0';
	do {
		*--p = (char)('0' + (int)(u % 10));
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	ctprof_buf_puts(b, p);
}

static void jaggv(struct ctprof_buf *b, const struct ctprof_aggv *v)
{
	uint32_t i;

	switch (v->kind) {
	case CTPROF_AV_SUM:
	case CTPROF_AV_MAX:
		ju64(b, v->u);
		break;
	case CTPROF_AV_RANGE:
		ctprof_buf_puts(b, "{\"min\":");
		ctprof_buf_i64(b, v->range.min);
		ctprof_buf_puts(b, ",\"max\":");
		ctprof_buf_i64(b, v->range.max);
		ctprof_buf_putc(b, '}');
		break;
	case CTPROF_AV_MODE: {
		uint64_t cnt;
		const char *m = ctprof_aggv_mode(v, &cnt);

		ctprof_buf_puts(b, "{\"mode\":");
		if (v->n)
			js(b, m);
		else
			ctprof_buf_puts(b, "null");
		ctprof_buf_puts(b, ",\"count\":");
		ju64(b, cnt);
		ctprof_buf_puts(b, ",\"total\":");
		ju64(b, v->mode.total);
		ctprof_buf_puts(b, ",\"tallies\":{");
		for (i = 0; i < v->n; i++) {
			if (i)
				ctprof_buf_putc(b, ',');
			key(b, v->mode.tallies[i].value);
			ju64(b, v->mode.tallies[i].count);
		}
		ctprof_buf_puts(b, "}}");
		break;
	}
	case CTPROF_AV_AFFINITY:
		ctprof_buf_puts(b, "{\"min_cpus\":");
		ju64(b, v->aff.min_cpus);
		ctprof_buf_puts(b, ",\"max_cpus\":");
		ju64(b, v->aff.max_cpus);
		ctprof_buf_puts(b, ",\"cpus\":");
		if (v->uniform) {
			ctprof_buf_putc(b, '[');
			for (i = 0; i < v->n; i++) {
				if (i)
					ctprof_buf_putc(b, ',');
				ju64(b, v->aff.cpus[i]);
			}
			ctprof_buf_putc(b, ']');
		} else {
			ctprof_buf_puts(b, "null");
		}
		ctprof_buf_putc(b, '}');
		break;
	default:
		ctprof_buf_puts(b, "null");
		break;
	}
}

/* "group" (exact key), plus cgroup/pcomm/comm under --group-by all */
static void jgroup(struct ctprof_buf *b, const struct ctprof_key *k, enum ctprof_group_by g)
{
	key(b, "group");
	rj_str(b, k->s, k->len);
	if (g == CTPROF_GROUP_ALL) {
		struct rt_hrow h;

		rt_hsplit(&h, k->s, k->len);
		ctprof_buf_puts(b, ",\"cgroup\":");
		rj_str(b, h.cg, h.cglen);
		ctprof_buf_puts(b, ",\"pcomm\":");
		rj_str(b, h.pc, h.pclen);
		ctprof_buf_puts(b, ",\"comm\":");
		rj_str(b, h.cm, h.cmlen);
	}
}

static bool primary_on(const struct ctprof_render_opts *o, unsigned i)
{
	const struct ctprof_metric *m = &ctprof_metrics()[i];

	if (o->metrics.active && !o->metrics.primary[i])
		return false;
	return rs_enabled(o, m->section == CTPROF_SEC_TASKSTATS_DELAY ? CTPROF_RS_TASKSTATS_DELAY
								       : CTPROF_RS_PRIMARY);
}

static bool derived_on(const struct ctprof_render_opts *o, unsigned i)
{
	const struct ctprof_derived_metric *d = &ctprof_derived_metrics()[i];

	if (o->metrics.active && !o->metrics.derived[i])
		return false;
	return rs_enabled(o, d->section == CTPROF_SEC_TASKSTATS_DELAY ? CTPROF_RS_TASKSTATS_DELAY
								       : CTPROF_RS_DERIVED);
}

static void jpsi_half(struct ctprof_buf *b, const struct ctprof_psi_half *h)
{
	ctprof_buf_puts(b, "{\"avg10\":");
	ju64(b, h->avg10);
	ctprof_buf_puts(b, ",\"avg60\":");
	ju64(b, h->avg60);
	ctprof_buf_puts(b, ",\"avg300\":");
	ju64(b, h->avg300);
	ctprof_buf_puts(b, ",\"total_usec\":");
	ju64(b, h->total_usec);
	ctprof_buf_putc(b, '}');
}

static void jpsi(struct ctprof_buf *b, const struct ctprof_psi *p)
{
	const struct ctprof_psi_resource *r[4] = { &p->cpu, &p->memory, &p->io, &p->irq };
	static const char *const names[4] = { "cpu", "memory", "io", "irq" };
	int i;

	ctprof_buf_putc(b, '{');
	for (i = 0; i < 4; i++) {
		if (i)
			ctprof_buf_putc(b, ',');
		key(b, names[i]);
		ctprof_buf_puts(b, "{\"some\":");
		jpsi_half(b, &r[i]->some);
		ctprof_buf_puts(b, ",\"full\":");
		jpsi_half(b, &r[i]->full);
		ctprof_buf_putc(b, '}');
	}
	ctprof_buf_putc(b, '}');
}

static void jopt(struct ctprof_buf *b, const char *k, const struct ctprof_opt_u64 *v)
{
	ctprof_buf_putc(b, ',');
	key(b, k);
	if (v->set)
		ju64(b, v->v);
	else
		ctprof_buf_puts(b, "null");
}

static void jkv(struct ctprof_buf *b, const struct ctprof_kvmap *m)
{
	size_t i;

	ctprof_buf_putc(b, '{');
	for (i = 0; i < m->n; i++) {
		if (i)
			ctprof_buf_putc(b, ',');
		key(b, m->items[i].key);
		ju64(b, m->items[i].value);
	}
	ctprof_buf_putc(b, '}');
}

static void jcgstats(struct ctprof_buf *b, const struct ctprof_cgroup_stats *s)
{
	if (!s) {
		ctprof_buf_puts(b, "null");
		return;
	}
	ctprof_buf_puts(b, "{\"cpu\":{\"usage_usec\":");
	ju64(b, s->cpu.usage_usec);
	ctprof_buf_puts(b, ",\"nr_throttled\":");
	ju64(b, s->cpu.nr_throttled);
	ctprof_buf_puts(b, ",\"throttled_usec\":");
	ju64(b, s->cpu.throttled_usec);
	jopt(b, "max_quota_us", &s->cpu.max_quota_us);
	ctprof_buf_puts(b, ",\"max_period_us\":");
	ju64(b, s->cpu.max_period_us);
	jopt(b, "weight", &s->cpu.weight);
	ctprof_buf_puts(b, ",\"weight_nice\":");
	if (s->cpu.weight_nice.set)
		ctprof_buf_i64(b, s->cpu.weight_nice.v);
	else
		ctprof_buf_puts(b, "null");
	ctprof_buf_puts(b, "},\"memory\":{\"current\":");
	ju64(b, s->memory.current);
	jopt(b, "max", &s->memory.max);
	jopt(b, "high", &s->memory.high);
	jopt(b, "low", &s->memory.low);
	jopt(b, "min", &s->memory.min);
	ctprof_buf_puts(b, ",\"stat\":");
	jkv(b, &s->memory.stat);
	ctprof_buf_puts(b, ",\"events\":");
	jkv(b, &s->memory.events);
	ctprof_buf_puts(b, "},\"pids\":{\"current\":");
	if (s->pids.current.set)
		ju64(b, s->pids.current.v);
	else
		ctprof_buf_puts(b, "null");
	jopt(b, "max", &s->pids.max);
	ctprof_buf_puts(b, "},\"psi\":");
	jpsi(b, &s->psi);
	ctprof_buf_putc(b, '}');
}

static void jscx(struct ctprof_buf *b, const struct ctprof_sched_ext *s)
{
	if (!s) {
		ctprof_buf_puts(b, "null");
		return;
	}
	ctprof_buf_puts(b, "{\"state\":");
	js(b, s->state ? s->state : "");
	ctprof_buf_puts(b, ",\"switch_all\":");
	ju64(b, s->switch_all);
	ctprof_buf_puts(b, ",\"nr_rejected\":");
	ju64(b, s->nr_rejected);
	ctprof_buf_puts(b, ",\"hotplug_seq\":");
	ju64(b, s->hotplug_seq);
	ctprof_buf_puts(b, ",\"enable_seq\":");
	ju64(b, s->enable_seq);
	ctprof_buf_putc(b, '}');
}

static int jfields(struct ctprof_buf *b, struct rh_field *f, size_t n, bool two)
{
	size_t i;

	ctprof_buf_putc(b, '[');
	for (i = 0; i < n; i++) {
		if (i)
			ctprof_buf_putc(b, ',');
		ctprof_buf_puts(b, "{\"field\":");
		js(b, f[i].key);
		ctprof_buf_puts(b, two ? ",\"baseline\":" : ",\"value\":");
		js(b, f[i].a);
		if (two) {
			ctprof_buf_puts(b, ",\"candidate\":");
			js(b, f[i].b);
			ctprof_buf_puts(b, ",\"differs\":");
			ctprof_buf_puts(b, (f[i].a && f[i].b ? strcmp(f[i].a, f[i].b) != 0
							    : f[i].a != f[i].b) ? "true" : "false");
		}
		ctprof_buf_putc(b, '}');
	}
	ctprof_buf_putc(b, ']');
	return 0;
}

static void jsmaps(struct ctprof_buf *b, const struct ctprof_smaps_entry *sa, size_t na,
		   const struct ctprof_smaps_entry *sb, size_t nb, enum ctprof_group_by g)
{
	size_t i = 0, j = 0;
	bool first = true;

	ctprof_buf_putc(b, '[');
	while (i < na || j < nb) {
		int c = i >= na ? 1 : j >= nb ? -1 : cp_kcmp(&sa[i].key, &sb[j].key);
		const struct ctprof_kvmap *ma = c <= 0 ? &sa[i].bytes : NULL;
		const struct ctprof_kvmap *mb = c >= 0 ? &sb[j].bytes : NULL;
		const struct ctprof_key *k = c <= 0 ? &sa[i].key : &sb[j].key;
		size_t x = 0, y = 0, nx = ma ? ma->n : 0, ny = mb ? mb->n : 0;

		while (x < nx || y < ny) {
			int kc = x >= nx ? 1 : y >= ny ? -1 : strcmp(ma->items[x].key, mb->items[y].key);
			const char *name = kc <= 0 ? ma->items[x].key : mb->items[y].key;
			bool ha = kc <= 0, hb = kc >= 0;
			uint64_t va = ha ? ma->items[x].value : 0, vb = hb ? mb->items[y].value : 0;

			if (!(ha && hb && va == vb)) {
				if (!first)
					ctprof_buf_putc(b, ',');
				first = false;
				ctprof_buf_putc(b, '{');
				if (g == CTPROF_GROUP_ALL) {
					struct rt_hrow h;

					rt_hsplit(&h, k->s, k->len);
					key(b, "cgroup");
					rj_str(b, h.cg, h.cglen);
					ctprof_buf_puts(b, ",\"process\":");
					rj_str(b, h.pc, h.pclen);
				} else {
					key(b, "process");
					rj_str(b, k->s, k->len);
				}
				ctprof_buf_puts(b, ",\"key\":");
				js(b, name);
				ctprof_buf_puts(b, ",\"baseline\":");
				if (ha)
					ju64(b, va);
				else
					ctprof_buf_puts(b, "null");
				ctprof_buf_puts(b, ",\"candidate\":");
				if (hb)
					ju64(b, vb);
				else
					ctprof_buf_puts(b, "null");
				ctprof_buf_puts(b, ",\"delta\":");
				if (ha && hb)
					ji128(b, (__int128)vb - (__int128)va);
				else
					ctprof_buf_puts(b, "null");
				ctprof_buf_putc(b, '}');
			}
			if (kc <= 0)
				x++;
			if (kc >= 0)
				y++;
		}
		if (c <= 0)
			i++;
		if (c >= 0)
			j++;
	}
	ctprof_buf_putc(b, ']');
}

/* A compare row up to "baseline": group, fudged, section, metric, threads. */
static void row_head(struct ctprof_buf *b, const struct ctprof_diff *d,
		     const struct ctprof_pair *p, const char *section, const char *metric)
{
	ctprof_buf_putc(b, '{');
	jgroup(b, &p->key, d->group_by);
	ctprof_buf_puts(b, ",\"fudged\":");
	ctprof_buf_puts(b, p->fudged ? "true" : "false");
	ctprof_buf_puts(b, ",\"section\":");
	js(b, section);
	ctprof_buf_puts(b, ",\"metric\":");
	js(b, metric);
	ctprof_buf_puts(b, ",\"threads_baseline\":");
	ju64(b, p->threads_a);
	ctprof_buf_puts(b, ",\"threads_candidate\":");
	ju64(b, p->threads_b);
	ctprof_buf_puts(b, ",\"baseline\":");
}

/* The rest of a row after "delta": delta_pct, uptime_pct, the closing brace. */
static void row_tail_pct(struct ctprof_buf *b, const struct ctprof_row *r,
			 const struct ctprof_pair *p)
{
	ctprof_buf_puts(b, ",\"delta_pct\":");
	if (r->flags & CTPROF_ROW_PCT)
		jnum(b, r->pct * 100.0);
	else
		ctprof_buf_puts(b, "null");
	ctprof_buf_puts(b, ",\"uptime_pct\":");
	if (p->has_uptime)
		jnum(b, p->uptime_pct);
	else
		ctprof_buf_puts(b, "null");
	ctprof_buf_putc(b, '}');
}

/* The row's delta value (or null), then row_tail_pct(). */
static void row_tail(struct ctprof_buf *b, const struct ctprof_row *r, const struct ctprof_pair *p)
{
	if (r->flags & CTPROF_ROW_DELTA)
		jnum(b, r->delta);
	else
		ctprof_buf_puts(b, "null");
	row_tail_pct(b, r, p);
}

static void jkeys(struct ctprof_buf *b, const struct ctprof_key *k, size_t n)
{
	size_t i;

	ctprof_buf_putc(b, '[');
	for (i = 0; i < n; i++) {
		if (i)
			ctprof_buf_putc(b, ',');
		rj_str(b, k[i].s, k[i].len);
	}
	ctprof_buf_putc(b, ']');
}

int rj_diff(struct ctprof_buf *b, const struct ctprof_diff *d, const struct ctprof_render_opts *o)
{
	const struct ctprof_metric *m = ctprof_metrics();
	const struct ctprof_derived_metric *dm = ctprof_derived_metrics();
	struct rh_field *f = NULL;
	size_t i, k, nf = 0;
	bool first;

	ctprof_buf_puts(b, "{\"group_by\":");
	js(b, ctprof_group_by_name(d->group_by));
	ctprof_buf_puts(b, ",\"baseline\":");
	js(b, o->baseline_name);
	ctprof_buf_puts(b, ",\"candidate\":");
	js(b, o->candidate_name);
	ctprof_buf_puts(b, ",\"sort_by\":");
	js(b, d->sort_kind == CTPROF_MK_PRIMARY ? m[d->sort_index].name
	      : d->sort_kind == CTPROF_MK_DERIVED ? dm[d->sort_index].name : NULL);
	ctprof_buf_puts(b, ",\"rows\":[");
	first = true;
	for (i = 0; i < d->n_rows && (rs_enabled(o, CTPROF_RS_PRIMARY) ||
				      rs_enabled(o, CTPROF_RS_TASKSTATS_DELAY)); i++) {
		const struct ctprof_row *r = &d->rows[i];
		const struct ctprof_pair *p = &d->pairs[r->pair];
		const struct ctprof_aggv *a = &p->a[r->metric], *c = &p->b[r->metric];

		if (!primary_on(o, r->metric))
			continue;
		if (!first)
			ctprof_buf_putc(b, ',');
		first = false;
		row_head(b, d, p, m[r->metric].section == CTPROF_SEC_TASKSTATS_DELAY ?
					  "taskstats-delay" : "primary", m[r->metric].name);
		jaggv(b, a);
		ctprof_buf_puts(b, ",\"candidate\":");
		jaggv(b, c);
		ctprof_buf_puts(b, ",\"delta\":");
		if ((a->kind == CTPROF_AV_SUM || a->kind == CTPROF_AV_MAX) && a->kind == c->kind) {
			/* exact integer delta */
			ji128(b, (__int128)c->u - (__int128)a->u);
			row_tail_pct(b, r, p);
		} else {
			row_tail(b, r, p);
		}
	}
	ctprof_buf_puts(b, "],\"derived_rows\":[");
	first = true;
	for (i = 0; i < d->n_derived_rows && (rs_enabled(o, CTPROF_RS_DERIVED) ||
					      rs_enabled(o, CTPROF_RS_TASKSTATS_DELAY)); i++) {
		const struct ctprof_row *r = &d->derived_rows[i];
		const struct ctprof_pair *p = &d->pairs[r->pair];

		if (!derived_on(o, r->metric))
			continue;
		if (!first)
			ctprof_buf_putc(b, ',');
		first = false;
		row_head(b, d, p, dm[r->metric].section == CTPROF_SEC_TASKSTATS_DELAY ?
					  "taskstats-delay" : "derived", dm[r->metric].name);
		if (p->dv_mask_a >> r->metric & 1)
			jnum(b, p->dv_a[r->metric]);
		else
			ctprof_buf_puts(b, "null");
		ctprof_buf_puts(b, ",\"candidate\":");
		if (p->dv_mask_b >> r->metric & 1)
			jnum(b, p->dv_b[r->metric]);
		else
			ctprof_buf_puts(b, "null");
		ctprof_buf_puts(b, ",\"delta\":");
		row_tail(b, r, p);
	}
	ctprof_buf_puts(b, "],\"only_baseline\":");
	jkeys(b, d->only_a, d->n_only_a);
	ctprof_buf_puts(b, ",\"only_candidate\":");
	jkeys(b, d->only_b, d->n_only_b);
	ctprof_buf_puts(b, ",\"fudged_pairs\":[");
	for (i = 0; i < d->n_fudged; i++) {
		const struct ctprof_fudged_pair *fp = &d->fudged[i];

		if (i)
			ctprof_buf_putc(b, ',');
		ctprof_buf_puts(b, "{\"baseline_cgroup\":");
		js(b, fp->baseline_cgroup);
		ctprof_buf_puts(b, ",\"candidate_cgroup\":");
		js(b, fp->candidate_cgroup);
		ctprof_buf_puts(b, ",\"overlap\":");
		ju64(b, fp->overlap);
		ctprof_buf_puts(b, ",\"jaccard\":");
		jnum(b, fp->jaccard);
		ctprof_buf_puts(b, ",\"cascaded_children\":");
		ju64(b, fp->cascaded_children);
		ctprof_buf_puts(b, ",\"baseline_root\":");
		js(b, fp->baseline_root);
		ctprof_buf_puts(b, ",\"candidate_root\":");
		js(b, fp->candidate_root);
		ctprof_buf_puts(b, ",\"baseline_residual\":[");
		for (k = 0; k < fp->n_baseline_residual; k++) {
			if (k)
				ctprof_buf_putc(b, ',');
			js(b, fp->baseline_residual[k]);
		}
		ctprof_buf_puts(b, "],\"candidate_residual\":[");
		for (k = 0; k < fp->n_candidate_residual; k++) {
			if (k)
				ctprof_buf_putc(b, ',');
			js(b, fp->candidate_residual[k]);
		}
		ctprof_buf_puts(b, "]}");
	}
	ctprof_buf_puts(b, "],\"sections\":{");
	first = true;
#define SEC(id, name)                                               \
	if (rs_enabled(o, id)) {                                    \
		if (!first)                                         \
			ctprof_buf_putc(b, ',');                    \
		first = false;                                      \
		key(b, name);
#define END }
	SEC(CTPROF_RS_SMAPS_ROLLUP, "smaps_rollup")
	jsmaps(b, d->smaps_a, d->n_smaps_a, d->smaps_b, d->n_smaps_b, d->group_by);
	END
	if (d->group_by == CTPROF_GROUP_CGROUP) {
		SEC(CTPROF_RS_CGROUP_STATS, "cgroup_stats")
		size_t x = 0, y = 0;
		bool f1 = true;

		ctprof_buf_putc(b, '[');
		while (x < d->n_cg_a || y < d->n_cg_b) {
			int c = x >= d->n_cg_a ? 1 : y >= d->n_cg_b ? -1
				: strcmp(d->cg_a[x].key, d->cg_b[y].key);

			if (!f1)
				ctprof_buf_putc(b, ',');
			f1 = false;
			ctprof_buf_puts(b, "{\"cgroup\":");
			js(b, c <= 0 ? d->cg_a[x].key : d->cg_b[y].key);
			ctprof_buf_puts(b, ",\"baseline\":");
			jcgstats(b, c <= 0 ? &d->cg_a[x].stats : NULL);
			ctprof_buf_puts(b, ",\"candidate\":");
			jcgstats(b, c >= 0 ? &d->cg_b[y].stats : NULL);
			ctprof_buf_putc(b, '}');
			if (c <= 0)
				x++;
			if (c >= 0)
				y++;
		}
		ctprof_buf_putc(b, ']');
		END
	}
	SEC(CTPROF_RS_HOST_PRESSURE, "host_pressure")
	ctprof_buf_puts(b, "{\"baseline\":");
	jpsi(b, &d->a->psi);
	ctprof_buf_puts(b, ",\"candidate\":");
	jpsi(b, &d->b->psi);
	ctprof_buf_putc(b, '}');
	END
	SEC(CTPROF_RS_SCHED_EXT, "sched_ext")
	ctprof_buf_puts(b, "{\"baseline\":");
	jscx(b, d->a->sched_ext);
	ctprof_buf_puts(b, ",\"candidate\":");
	jscx(b, d->b->sched_ext);
	ctprof_buf_putc(b, '}');
	END
	SEC(CTPROF_RS_HOST, "host")
	if (!d->a->host && !d->b->host) {
		ctprof_buf_puts(b, "null");
	} else {
		if (rh_host_fields(d->a->host, d->b->host, &f, &nf) < 0)
			return -ENOMEM;
		ctprof_buf_puts(b, "{\"baseline_present\":");
		ctprof_buf_puts(b, d->a->host ? "true" : "false");
		ctprof_buf_puts(b, ",\"candidate_present\":");
		ctprof_buf_puts(b, d->b->host ? "true" : "false");
		ctprof_buf_puts(b, ",\"fields\":");
		jfields(b, f, nf, true);
		ctprof_buf_putc(b, '}');
		rh_fields_free(f, nf);
	}
	END
	// cppcheck-suppress unreadVariable ; SEC() sets 'first' for a next section; this is the last
	SEC(CTPROF_RS_SUMMARIES, "summaries")
	if (rh_summary_fields(d->a, d->b, &f, &nf) < 0)
		return -ENOMEM;
	jfields(b, f, nf, true);
	rh_fields_free(f, nf);
	END
#undef SEC
#undef END
	ctprof_buf_puts(b, "}}\n");
	return b->oom ? -ENOMEM : 0;
}

int rj_show(struct ctprof_buf *b, const struct ctprof_groupset *g, const struct ctprof_render_opts *o)
{
	const struct ctprof_metric *m = ctprof_metrics();
	const struct ctprof_derived_metric *dm = ctprof_derived_metrics();
	const struct ctprof_snapshot *s = g->snap;
	struct rh_field *f = NULL;
	size_t i, nf = 0;
	unsigned k;
	bool first;

	ctprof_buf_puts(b, "{\"group_by\":");
	js(b, ctprof_group_by_name(g->group_by));
	ctprof_buf_puts(b, ",\"snapshot\":");
	js(b, o->baseline_name);
	ctprof_buf_puts(b, ",\"groups\":[");
	for (i = 0; i < g->n; i++) {
		const struct ctprof_group *gr = &g->groups[i];

		if (i)
			ctprof_buf_putc(b, ',');
		ctprof_buf_putc(b, '{');
		jgroup(b, &gr->key, g->group_by);
		ctprof_buf_puts(b, ",\"threads\":");
		ju64(b, gr->threads);
		ctprof_buf_puts(b, ",\"metrics\":{");
		first = true;
		for (k = 0; k < CTPROF_NMETRICS; k++) {
			if (!primary_on(o, k))
				continue;
			if (!first)
				ctprof_buf_putc(b, ',');
			first = false;
			key(b, m[k].name);
			jaggv(b, &gr->m[k]);
		}
		ctprof_buf_puts(b, "},\"derived\":{");
		first = true;
		for (k = 0; k < CTPROF_NDERIVED; k++) {
			if (!derived_on(o, k))
				continue;
			if (!first)
				ctprof_buf_putc(b, ',');
			first = false;
			key(b, dm[k].name);
			if (gr->dv_mask >> k & 1)
				jnum(b, gr->dv[k]);
			else
				ctprof_buf_puts(b, "null");
		}
		ctprof_buf_puts(b, "}}");
	}
	ctprof_buf_puts(b, "],\"sections\":{");
	first = true;
#define SEC(id, name)                                               \
	if (rs_enabled(o, id)) {                                    \
		if (!first)                                         \
			ctprof_buf_putc(b, ',');                    \
		first = false;                                      \
		key(b, name);
#define END }
	SEC(CTPROF_RS_SMAPS_ROLLUP, "smaps_rollup")
	ctprof_buf_putc(b, '[');
	for (i = 0; i < g->n_smaps; i++) {
		if (i)
			ctprof_buf_putc(b, ',');
		ctprof_buf_puts(b, "{\"process\":");
		rj_str(b, g->smaps[i].key.s, g->smaps[i].key.len);
		ctprof_buf_puts(b, ",\"bytes\":");
		jkv(b, &g->smaps[i].bytes);
		ctprof_buf_putc(b, '}');
	}
	ctprof_buf_putc(b, ']');
	END
	if (g->group_by == CTPROF_GROUP_CGROUP) {
		SEC(CTPROF_RS_CGROUP_STATS, "cgroup_stats")
		ctprof_buf_putc(b, '[');
		for (i = 0; i < g->n_cg; i++) {
			if (i)
				ctprof_buf_putc(b, ',');
			ctprof_buf_puts(b, "{\"cgroup\":");
			js(b, g->cg[i].key);
			ctprof_buf_puts(b, ",\"stats\":");
			jcgstats(b, &g->cg[i].stats);
			ctprof_buf_putc(b, '}');
		}
		ctprof_buf_putc(b, ']');
		END
	}
	SEC(CTPROF_RS_HOST_PRESSURE, "host_pressure")
	jpsi(b, &s->psi);
	END
	SEC(CTPROF_RS_SCHED_EXT, "sched_ext")
	jscx(b, s->sched_ext);
	END
	SEC(CTPROF_RS_HOST, "host")
	if (!s->host) {
		ctprof_buf_puts(b, "null");
	} else {
		if (rh_host_fields(s->host, s->host, &f, &nf) < 0)
			return -ENOMEM;
		jfields(b, f, nf, false);
		rh_fields_free(f, nf);
	}
	END
	// cppcheck-suppress unreadVariable ; SEC() sets 'first' for a next section; this is the last
	SEC(CTPROF_RS_SUMMARIES, "summaries")
	if (rh_summary_fields(s, s, &f, &nf) < 0)
		return -ENOMEM;
	jfields(b, f, nf, false);
	rh_fields_free(f, nf);
	END
#undef SEC
#undef END
	ctprof_buf_puts(b, "}}\n");
	return b->oom ? -ENOMEM : 0;
}
