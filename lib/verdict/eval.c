/* SPDX-License-Identifier: MIT */
/* Evaluating gates: the dual gate, polarity, coverage and group matching. */
#include <errno.h>
#include <fnmatch.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <ctprof/verdict.h>

#include "verdict_int.h"

#define ZERO_EPS 1e-9

/* What one side of a group offers. */
struct side {
	const struct ctprof_aggv *m; /* CTPROF_NMETRICS values */
	uint32_t dv_mask;
	const double *dv;
	const struct ctprof_cgroup_stats *cg;
	const struct ctprof_snapshot *snap;
};

struct entry {
	char *name;
	bool has_a, has_b; /* the group exists on that side */
	struct side a, b;
};

struct entries {
	struct entry *e;
	size_t n;
	bool built;
};

struct eval {
	const struct ctprof_gateset *gs;
	struct ctprof_verdict *v;
	bool compare;
	const struct ctprof_diff *d;
	const struct ctprof_groupset *g;
	struct entries groups, cgroups, host;
	size_t cap_points;
	/* repeated runs (verdict_eval_runs): one single-run eval per run, baseline first */
	struct eval *runs;
	size_t na, nb;
	double max_noise;
	double *vals; /* scratch: max(na, nb) values */
};

/* The three kinds of entries a gate reads. */
enum ekind {
	EK_GROUPS,
	EK_CGROUPS,
	EK_HOST,
};

static int build_union(struct eval *ev, enum ekind k);

static char *printable(const char *s, size_t len)
{
	char *o = ctprof_malloc(len + 1);
	size_t i;

	if (!o)
		return NULL;
	for (i = 0; i < len; i++)
		o[i] = (char)(s[i] ? s[i] : ' ');
	o[len] = '\0';
	return o;
}

static void entries_free(struct entries *es)
{
	size_t i;

	for (i = 0; i < es->n; i++)
		free(es->e[i].name);
	free(es->e);
	memset(es, 0, sizeof(*es));
}

static struct entry *entries_push(struct entries *es, const char *name, size_t len)
{
	struct entry *t = ctprof_realloc(es->e, (es->n + 1) * sizeof(*t));

	if (!t)
		return NULL;
	es->e = t;
	t = &es->e[es->n];
	memset(t, 0, sizeof(*t));
	t->name = printable(name, len);
	if (!t->name)
		return NULL;
	es->n++;
	return t;
}

static int cmp_entry(const void *x, const void *y)
{
	return strcmp(((const struct entry *)x)->name, ((const struct entry *)y)->name);
}

static int build_groups(struct eval *ev)
{
	struct entries *es = &ev->groups;
	struct entry *e;
	size_t i;

	if (ev->runs)
		return build_union(ev, EK_GROUPS);
	es->built = true;
	if (ev->compare) {
		const struct ctprof_diff *d = ev->d;

		for (i = 0; i < d->n_pairs; i++) {
			const struct ctprof_pair *p = &d->pairs[i];

			e = entries_push(es, p->key.s, p->key.len);
			if (!e)
				return -ENOMEM;
			e->has_a = e->has_b = true;
			e->a = (struct side){ .m = p->a, .dv_mask = p->dv_mask_a, .dv = p->dv_a,
					      .snap = d->a };
			e->b = (struct side){ .m = p->b, .dv_mask = p->dv_mask_b, .dv = p->dv_b,
					      .snap = d->b };
		}
		for (i = 0; i < d->n_only_a; i++) {
			e = entries_push(es, d->only_a[i].s, d->only_a[i].len);
			if (!e)
				return -ENOMEM;
			e->has_a = true;
		}
		for (i = 0; i < d->n_only_b; i++) {
			e = entries_push(es, d->only_b[i].s, d->only_b[i].len);
			if (!e)
				return -ENOMEM;
			e->has_b = true;
		}
	} else {
		const struct ctprof_groupset *g = ev->g;

		for (i = 0; i < g->n; i++) {
			const struct ctprof_group *gr = &g->groups[i];

			e = entries_push(es, gr->key.s, gr->key.len);
			if (!e)
				return -ENOMEM;
			e->has_b = true;
			e->b = (struct side){ .m = gr->m, .dv_mask = gr->dv_mask, .dv = gr->dv,
					      .snap = g->snap };
		}
	}
	qsort(es->e, es->n, sizeof(*es->e), cmp_entry);
	return 0;
}

static int build_cgroups(struct eval *ev)
{
	struct entries *es = &ev->cgroups;
	const struct ctprof_diff *d;
	struct entry *e;
	size_t i = 0, j = 0, na, nb;

	if (ev->runs)
		return build_union(ev, EK_CGROUPS);
	es->built = true;
	if (!ev->compare) {
		for (i = 0; i < ev->g->n_cg; i++) {
			e = entries_push(es, ev->g->cg[i].key, strlen(ev->g->cg[i].key));
			if (!e)
				return -ENOMEM;
			e->has_b = true;
			e->b.cg = &ev->g->cg[i].stats;
		}
		qsort(es->e, es->n, sizeof(*es->e), cmp_entry);
		return 0;
	}
	d = ev->d;
	na = d->n_cg_a; // NOLINT(clang-analyzer-core.NullDereference): without runs, compare implies d
	nb = d->n_cg_b;
	while (i < na || j < nb) {
		bool ha = i < na, hb = j < nb;
		const struct ctprof_cgstats_entry *ca = ha ? &d->cg_a[i] : NULL;
		const struct ctprof_cgstats_entry *cb = hb ? &d->cg_b[j] : NULL;
		int c = !ha ? 1 : !hb ? -1 : strcmp(ca->key, cb->key);
		const char *k = c <= 0 ? ca->key : cb->key;

		e = entries_push(es, k, strlen(k));
		if (!e)
			return -ENOMEM;
		if (c <= 0) {
			e->has_a = true;
			e->a.cg = &ca->stats;
			i++;
		}
		if (c >= 0) {
			e->has_b = true;
			e->b.cg = &cb->stats;
			j++;
		}
	}
	qsort(es->e, es->n, sizeof(*es->e), cmp_entry);
	return 0;
}

static int build_host(struct eval *ev)
{
	struct entry *e;

	if (ev->runs)
		return build_union(ev, EK_HOST);
	ev->host.built = true;
	e = entries_push(&ev->host, "host", 4);
	if (!e)
		return -ENOMEM;
	if (ev->compare) {
		e->has_a = true;
		e->a.snap = ev->d->a;
		e->b.snap = ev->d->b;
	} else {
		e->b.snap = ev->g->snap;
	}
	e->has_b = true;
	return 0;
}

static struct entries *kind_entries(struct eval *ev, enum ekind k)
{
	return k == EK_GROUPS ? &ev->groups : k == EK_CGROUPS ? &ev->cgroups : &ev->host;
}

/*
 * Repeated runs: the union of the runs' entries of kind k by name; has_a
 * (has_b) when some baseline (candidate) run has it. The sides stay empty:
 * repeat_fill() reads each run's own entry.
 */
static int build_union(struct eval *ev, enum ekind k)
{
	struct entries *es = kind_entries(ev, k);
	struct entry *e;
	size_t i, j, w;
	int r;

	es->built = true;
	for (i = 0; i < ev->na + ev->nb; i++) {
		struct eval *re = &ev->runs[i];
		struct entries *rs = kind_entries(re, k);

		if (!rs->built) {
			r = k == EK_GROUPS ? build_groups(re) : k == EK_CGROUPS ? build_cgroups(re) :
			    build_host(re);
			if (r < 0)
				return r;
		}
		for (j = 0; j < rs->n; j++) {
			e = entries_push(es, rs->e[j].name, strlen(rs->e[j].name));
			if (!e)
				return -ENOMEM;
			if (i < ev->na)
				e->has_a = true;
			else
				e->has_b = true;
		}
	}
	qsort(es->e, es->n, sizeof(*es->e), cmp_entry);
	for (i = 0, w = 0; i < es->n; i++) {
		if (w && strcmp(es->e[w - 1].name, es->e[i].name) == 0) {
			es->e[w - 1].has_a |= es->e[i].has_a;
			es->e[w - 1].has_b |= es->e[i].has_b;
			free(es->e[i].name);
			continue;
		}
		es->e[w++] = es->e[i];
	}
	es->n = w;
	return 0;
}

static const struct entry *find_entry(const struct entries *es, const char *name)
{
	struct entry key = { .name = (char *)name };

	if (!es->n)
		return NULL;
	return bsearch(&key, es->e, es->n, sizeof(*es->e), cmp_entry);
}

static bool psi_value(const struct ctprof_psi *psi, unsigned idx, double *v)
{
	const struct ctprof_psi_resource *r[] = { &psi->cpu, &psi->memory, &psi->io, &psi->irq };
	const struct ctprof_psi_half *h;

	if (idx / 8 >= 4)
		return false;
	h = (idx / 4) % 2 ? &r[idx / 8]->full : &r[idx / 8]->some;
	switch (idx % 4) {
	case 0:
		*v = h->avg10 / 100.0;
		break;
	case 1:
		*v = h->avg60 / 100.0;
		break;
	case 2:
		*v = h->avg300 / 100.0;
		break;
	default:
		*v = (double)h->total_usec;
		break;
	}
	return true;
}

static bool cg_value(const struct ctprof_gate *g, const struct ctprof_cgroup_stats *cg, double *v)
{
	uint64_t u;

	if (!cg)
		return false;
	switch (g->index & 0xff) {
	case CTPROF_CG_CPU_USAGE_USEC:
		*v = (double)cg->cpu.usage_usec;
		return true;
	case CTPROF_CG_CPU_NR_THROTTLED:
		*v = (double)cg->cpu.nr_throttled;
		return true;
	case CTPROF_CG_CPU_THROTTLED_USEC:
		*v = (double)cg->cpu.throttled_usec;
		return true;
	case CTPROF_CG_MEMORY_CURRENT:
		*v = (double)cg->memory.current;
		return true;
	case CTPROF_CG_PIDS_CURRENT:
		*v = (double)cg->pids.current.v;
		return cg->pids.current.set;
	case CTPROF_CG_MEMORY_EVENTS:
		if (!ctprof_kvmap_get(&cg->memory.events, g->key, &u))
			return false;
		*v = (double)u;
		return true;
	case CTPROF_CG_PSI:
		return psi_value(&cg->psi, g->index >> 8, v);
	default:
		return false;
	}
}

static bool value_of(const struct ctprof_gate *g, const struct side *s, double *v)
{
	const struct ctprof_sched_ext *sx;

	switch (g->src) {
	case CTPROF_GS_PRIMARY:
		return s->m && ctprof_aggv_numeric(&s->m[g->index], v);
	case CTPROF_GS_DERIVED:
		if (!s->dv || !(s->dv_mask >> g->index & 1))
			return false;
		*v = s->dv[g->index];
		return true;
	case CTPROF_GS_PSI:
		return s->snap && psi_value(&s->snap->psi, g->index, v);
	case CTPROF_GS_SCHED_EXT:
		sx = s->snap ? s->snap->sched_ext : NULL;
		if (!sx)
			return false;
		*v = (double)(g->index == 0 ? sx->switch_all : g->index == 1 ? sx->nr_rejected :
			      g->index == 2 ? sx->hotplug_seq : sx->enable_seq);
		return true;
	case CTPROF_GS_CGROUP:
		return cg_value(g, s->cg, v);
	}
	return false;
}

static const uint32_t RELATIVE = 1u << CTPROF_LIM_MAX_INCREASE | 1u << CTPROF_LIM_MAX_DECREASE;
static const uint32_t ABSOLUTE = 1u << CTPROF_LIM_MAX | 1u << CTPROF_LIM_MIN |
				 1u << CTPROF_LIM_MAX_DELTA;

/* The limits of gate g with the defaults filled in. */
static void resolve(const struct ctprof_gateset *gs, const struct ctprof_gate *g,
		    struct ctprof_vgate *vg)
{
	const struct ctprof_gate_defaults *d = &gs->defaults[g->polarity];
	size_t k;

	vg->has = g->has;
	for (k = 0; k < CTPROF_LIM__COUNT; k++) {
		vg->lim[k] = g->lim[k];
		vg->lim_text[k] = g->lim_text[k];
	}
	if (g->implicit && d->has_threshold) {
		k = g->polarity == CTPROF_POL_HIGHER_BETTER ? CTPROF_LIM_MAX_DECREASE
							    : CTPROF_LIM_MAX_INCREASE;
		vg->has |= 1u << k;
		vg->lim[k] = d->threshold;
		vg->lim_text[k] = d->threshold_text;
	}
	if ((vg->has & RELATIVE) && !(vg->has >> CTPROF_LIM_FLOOR & 1) &&
	    verdict_default_floor(gs, g, &vg->lim[CTPROF_LIM_FLOOR],
				  &vg->lim_text[CTPROF_LIM_FLOOR]))
		vg->has |= 1u << CTPROF_LIM_FLOOR;
}

static bool has(const struct ctprof_vgate *vg, enum ctprof_limit_kind k)
{
	return vg->has >> k & 1;
}

/* Judge one point whose values are filled in. */
static void judge(const struct ctprof_gate *g, const struct ctprof_vgate *vg, bool compare,
		  struct ctprof_vpoint *p)
{
	double d, bad, floor = has(vg, CTPROF_LIM_FLOOR) ? vg->lim[CTPROF_LIM_FLOOR] : 0;
	bool zero;

	p->limit = -1;
	if (compare && (!p->has_a || !p->has_b)) {
		p->status = CTPROF_VS_SKIP;
		p->reason = p->has_a ? CTPROF_VR_COVERAGE_A :
			    p->has_b ? CTPROF_VR_COVERAGE_B : CTPROF_VR_NOT_MEASURED;
		return;
	}
	if (!compare && !p->has_b) {
		p->status = CTPROF_VS_SKIP;
		p->reason = CTPROF_VR_NOT_MEASURED;
		return;
	}
	if (!compare && !(vg->has & ABSOLUTE)) {
		p->status = CTPROF_VS_SKIP;
		p->reason = CTPROF_VR_NO_BASELINE;
		return;
	}
	d = compare ? p->b - p->a : p->b;
	if (compare) {
		p->has_delta = true;
		p->delta = d;
		if (fabs(p->a) > ZERO_EPS) {
			p->has_pct = true;
			p->pct = d / p->a;
		}
	}
	p->status = CTPROF_VS_FAIL;
	p->reason = CTPROF_VR_LIMIT;
	if (has(vg, CTPROF_LIM_MAX) && p->b > vg->lim[CTPROF_LIM_MAX]) {
		p->limit = CTPROF_LIM_MAX;
		return;
	}
	if (has(vg, CTPROF_LIM_MIN) && p->b < vg->lim[CTPROF_LIM_MIN]) {
		p->limit = CTPROF_LIM_MIN;
		return;
	}
	bad = g->polarity == CTPROF_POL_HIGHER_BETTER ? -d :
	      g->polarity == CTPROF_POL_LOWER_BETTER ? d : fabs(d);
	if (has(vg, CTPROF_LIM_MAX_DELTA) && bad > vg->lim[CTPROF_LIM_MAX_DELTA]) {
		p->limit = CTPROF_LIM_MAX_DELTA;
		return;
	}
	if (compare) {
		/* dual gate; a zero baseline is judged by the floor alone */
		zero = fabs(p->a) <= ZERO_EPS;
		if (has(vg, CTPROF_LIM_MAX_INCREASE) && d > 0 && d > floor &&
		    (zero || d / fabs(p->a) > vg->lim[CTPROF_LIM_MAX_INCREASE])) {
			p->limit = CTPROF_LIM_MAX_INCREASE;
			return;
		}
		if (has(vg, CTPROF_LIM_MAX_DECREASE) && d < 0 && -d > floor &&
		    (zero || -d / fabs(p->a) > vg->lim[CTPROF_LIM_MAX_DECREASE])) {
			p->limit = CTPROF_LIM_MAX_DECREASE;
			return;
		}
	}
	p->status = CTPROF_VS_OK;
	p->reason = CTPROF_VR_HELD;
}

/* Repeated runs: summarise each side over its runs, judge the means, apply the noise rule. */
static void repeat_fill(struct eval *ev, enum ekind k, const struct ctprof_gate *g,
			const struct ctprof_vgate *vg, const struct entry *e,
			struct ctprof_vpoint *p)
{
	size_t side, i, n;

	for (side = 0; side < 2; side++) {
		size_t lo = side ? ev->na : 0, hi = side ? ev->na + ev->nb : ev->na;

		for (i = lo, n = 0; i < hi; i++) {
			const struct entry *re = find_entry(kind_entries(&ev->runs[i], k), e->name);

			if (re && value_of(g, &re->b, &ev->vals[n]))
				n++;
		}
		ctprof_vsummary_of(ev->vals, n, side ? &p->sb : &p->sa);
	}
	p->repeated = true;
	p->has_a = p->sa.has;
	p->a = p->sa.has ? p->sa.mean : 0;
	p->has_b = p->sb.has;
	p->b = p->sb.has ? p->sb.mean : 0;
	judge(g, vg, ev->compare, p);
	verdict_noise_rule(g, ev->compare, ev->max_noise, p);
}

static struct ctprof_vpoint *push_point(struct eval *ev, size_t gate, const char *group)
{
	struct ctprof_verdict *v = ev->v;
	struct ctprof_vpoint *p;

	if (v->n_points == ev->cap_points) {
		size_t nc = ev->cap_points ? ev->cap_points * 2 : 16;

		p = ctprof_realloc(v->points, nc * sizeof(*p));
		if (!p)
			return NULL;
		v->points = p;
		ev->cap_points = nc;
	}
	p = &v->points[v->n_points];
	memset(p, 0, sizeof(*p));
	p->gate = gate;
	p->limit = -1;
	p->group = ctprof_strdup(group);
	if (!p->group)
		return NULL;
	v->n_points++;
	return p;
}

static bool literal(const char *glob)
{
	return !strpbrk(glob, "*?[");
}

static int eval_gate(struct eval *ev, size_t gi, struct ctprof_error *err)
{
	const struct ctprof_gate *g = &ev->gs->gates[gi];
	struct ctprof_vgate *vg = &ev->v->gates[gi];
	struct entries *es;
	struct ctprof_vpoint *p;
	size_t i, matched = 0;
	enum ekind kind = EK_GROUPS;
	int r = 0;

	resolve(ev->gs, g, vg);
	vg->first = ev->v->n_points;
	switch (g->src) {
	case CTPROF_GS_PSI:
	case CTPROF_GS_SCHED_EXT:
		es = &ev->host;
		kind = EK_HOST;
		if (!es->built)
			r = build_host(ev);
		break;
	case CTPROF_GS_CGROUP:
		if ((ev->d ? ev->d->group_by : ev->g->group_by) != CTPROF_GROUP_CGROUP)
			return ctprof_err(err, -EINVAL, "gate \"%s\": cgroup metrics need --group-by "
					  "cgroup", g->text);
		es = &ev->cgroups;
		kind = EK_CGROUPS;
		if (!es->built)
			r = build_cgroups(ev);
		break;
	default:
		es = &ev->groups;
		if (!es->built)
			r = build_groups(ev);
		break;
	}
	if (r < 0)
		return ctprof_err(err, r, "verdict: out of memory");
	for (i = 0; i < es->n; i++) {
		const struct entry *e = &es->e[i];

		if (g->group && fnmatch(g->group, e->name, FNM_NOESCAPE) != 0)
			continue;
		matched++;
		if (ev->compare && (!e->has_a || !e->has_b)) {
			/* one side only: listed in orphans; a failure only when named literally */
			if (!g->group || !literal(g->group))
				continue;
			p = push_point(ev, gi, e->name);
			if (!p)
				return ctprof_err(err, -ENOMEM, "verdict: out of memory");
			p->status = CTPROF_VS_FAIL;
			p->reason = e->has_a ? CTPROF_VR_GROUP_A_ONLY : CTPROF_VR_GROUP_B_ONLY;
			continue;
		}
		p = push_point(ev, gi, e->name);
		if (!p)
			return ctprof_err(err, -ENOMEM, "verdict: out of memory");
		if (ev->runs) {
			repeat_fill(ev, kind, g, vg, e, p);
			continue;
		}
		if (ev->compare)
			p->has_a = value_of(g, &e->a, &p->a);
		p->has_b = value_of(g, &e->b, &p->b);
		judge(g, vg, ev->compare, p);
	}
	if (!matched) {
		p = push_point(ev, gi, g->group ? g->group : "*");
		if (!p)
			return ctprof_err(err, -ENOMEM, "verdict: out of memory");
		p->status = CTPROF_VS_FAIL;
		p->reason = CTPROF_VR_NO_GROUP;
	}
	vg->n = ev->v->n_points - vg->first;
	for (i = vg->first; i < ev->v->n_points; i++) {
		switch (ev->v->points[i].status) {
		case CTPROF_VS_OK:
			vg->passed++;
			break;
		case CTPROF_VS_FAIL:
			vg->failed++;
			break;
		default:
			vg->skipped++;
			break;
		}
	}
	ev->v->passed += vg->passed;
	ev->v->failed += vg->failed;
	ev->v->skipped += vg->skipped;
	return 0;
}

static int cmp_orphan(const void *x, const void *y)
{
	const struct ctprof_vorphan *a = x, *b = y;
	int c = strcmp(a->group, b->group);

	return c ? c : (int)b->in_baseline - (int)a->in_baseline;
}

static int add_orphans(struct ctprof_verdict *v, const struct ctprof_diff *d)
{
	size_t n = d->n_only_a + d->n_only_b, i;

	if (!n)
		return 0;
	v->orphans = ctprof_calloc(n, sizeof(*v->orphans));
	if (!v->orphans)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		const struct ctprof_key *k = i < d->n_only_a ? &d->only_a[i] :
						&d->only_b[i - d->n_only_a];

		v->orphans[i].group = printable(k->s, k->len);
		if (!v->orphans[i].group)
			return -ENOMEM;
		v->orphans[i].in_baseline = i < d->n_only_a;
		v->n_orphans++;
	}
	qsort(v->orphans, v->n_orphans, sizeof(*v->orphans), cmp_orphan);
	return 0;
}

/* Repeated runs: the groups on one side only (in no run of the other). */
static int union_orphans(struct eval *ev)
{
	struct ctprof_verdict *v = ev->v;
	size_t i, n = 0;

	if (!ev->groups.built && build_groups(ev) < 0)
		return -ENOMEM;
	for (i = 0; i < ev->groups.n; i++)
		n += ev->groups.e[i].has_a != ev->groups.e[i].has_b;
	if (!n)
		return 0;
	v->orphans = ctprof_calloc(n, sizeof(*v->orphans));
	if (!v->orphans)
		return -ENOMEM;
	for (i = 0; i < ev->groups.n; i++) {
		const struct entry *e = &ev->groups.e[i];

		if (e->has_a == e->has_b)
			continue;
		v->orphans[v->n_orphans].group = ctprof_strdup(e->name);
		if (!v->orphans[v->n_orphans].group)
			return -ENOMEM;
		v->orphans[v->n_orphans++].in_baseline = e->has_a;
	}
	qsort(v->orphans, v->n_orphans, sizeof(*v->orphans), cmp_orphan);
	return 0;
}

static int evaluate(struct eval *ev, struct ctprof_verdict **out, struct ctprof_error *err)
{
	struct ctprof_verdict *v;
	size_t i;
	int r = 0;

	v = ctprof_calloc(1, sizeof(*v));
	if (!v)
		return ctprof_err(err, -ENOMEM, "verdict: out of memory");
	v->gs = ev->gs;
	v->has_baseline = ev->compare;
	v->axis = ev->d ? ev->d->group_by : ev->g->group_by;
	ev->v = v;
	if (ev->gs->n) {
		v->gates = ctprof_calloc(ev->gs->n, sizeof(*v->gates));
		if (!v->gates)
			r = ctprof_err(err, -ENOMEM, "verdict: out of memory");
	}
	for (i = 0; r == 0 && v->gates && i < ev->gs->n; i++)
		r = eval_gate(ev, i, err);
	if (r == 0 && ev->compare &&
	    (ev->runs ? union_orphans(ev) : add_orphans(v, ev->d)) < 0)
		r = ctprof_err(err, -ENOMEM, "verdict: out of memory");
	entries_free(&ev->groups);
	entries_free(&ev->cgroups);
	entries_free(&ev->host);
	if (r < 0) {
		ctprof_verdict_free(v);
		return r;
	}
	*out = v;
	return 0;
}

CTPROF_API int ctprof_verdict_compare(const struct ctprof_gateset *gs, const struct ctprof_diff *d,
				      struct ctprof_verdict **out, struct ctprof_error *err)
{
	struct eval ev = { .gs = gs, .compare = true, .d = d };

	if (!gs || !d || !out)
		return ctprof_err(err, -EINVAL, "verdict: missing gates or comparison");
	return evaluate(&ev, out, err);
}

CTPROF_API int ctprof_verdict_single(const struct ctprof_gateset *gs,
				     const struct ctprof_groupset *g, struct ctprof_verdict **out,
				     struct ctprof_error *err)
{
	struct eval ev = { .gs = gs, .compare = false, .g = g };

	if (!gs || !g || !out)
		return ctprof_err(err, -EINVAL, "verdict: missing gates or snapshot");
	return evaluate(&ev, out, err);
}

int verdict_eval_runs(const struct ctprof_gateset *gs, const struct ctprof_groupset *const *a,
		      size_t na, const struct ctprof_groupset *const *b, size_t nb,
		      double max_noise, struct ctprof_verdict **out, struct ctprof_error *err)
{
	struct eval ev = { .gs = gs, .compare = na > 0, .g = b[0], .na = na, .nb = nb,
			   .max_noise = max_noise };
	size_t i;
	int r;

	ev.runs = ctprof_calloc(na + nb, sizeof(*ev.runs));
	ev.vals = ctprof_calloc(na > nb ? na : nb, sizeof(*ev.vals));
	if (!ev.runs || !ev.vals) {
		free(ev.runs);
		free(ev.vals);
		return ctprof_err(err, -ENOMEM, "verdict: out of memory");
	}
	for (i = 0; i < na + nb; i++) {
		ev.runs[i].gs = gs;
		ev.runs[i].g = i < na ? a[i] : b[i - na];
	}
	r = evaluate(&ev, out, err);
	for (i = 0; i < na + nb; i++) {
		entries_free(&ev.runs[i].groups);
		entries_free(&ev.runs[i].cgroups);
		entries_free(&ev.runs[i].host);
	}
	free(ev.runs);
	free(ev.vals);
	if (r == 0) {
		(*out)->repeated = true;
		(*out)->runs_a = na;
		(*out)->runs_b = nb;
		(*out)->max_noise = max_noise;
	}
	return r;
}

CTPROF_API void ctprof_verdict_free(struct ctprof_verdict *v)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; i < v->n_points; i++)
		free(v->points[i].group);
	free(v->points);
	for (i = 0; i < v->n_orphans; i++)
		free(v->orphans[i].group);
	free(v->orphans);
	free(v->gates);
	free(v);
}
