/* SPDX-License-Identifier: MIT */
/* Gate grammar, units, metric resolution, built-in defaults and policy files. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <ctprof/verdict.h>

#include "../util/util.h"
#include "verdict_int.h"

static const char *const limit_names[CTPROF_LIM__COUNT] = {
	"max_increase", "max_decrease", "max", "min", "max_delta", "floor",
};

CTPROF_API const char *ctprof_limit_name(enum ctprof_limit_kind k)
{
	return (unsigned)k < CTPROF_LIM__COUNT ? limit_names[k] : "?";
}

CTPROF_API const char *ctprof_polarity_name(enum ctprof_polarity p)
{
	switch (p) {
	case CTPROF_POL_LOWER_BETTER:
		return "lower_better";
	case CTPROF_POL_HIGHER_BETTER:
		return "higher_better";
	default:
		return "informational";
	}
}

/* ---- metric names ---------------------------------------------------------- */

static const char *const psi_res[] = { "cpu", "memory", "io", "irq" };
static const char *const psi_half[] = { "some", "full" };
static const char *const psi_field[] = { "avg10", "avg60", "avg300", "total_usec" };
static const char *const sx_attr[] = { "switch_all", "nr_rejected", "hotplug_seq", "enable_seq" };

static int find_name(const char *const *tab, size_t n, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strlen(tab[i]) == len && memcmp(tab[i], s, len) == 0)
			return (int)i;
	return -1;
}

/* "cpu.some.avg10" -> psi index; -1 when malformed. */
static int parse_psi(const char *s, enum ctprof_gate_unit *unit)
{
	const char *d1 = strchr(s, '.'), *d2 = d1 ? strchr(d1 + 1, '.') : NULL;
	int r, h, f;

	if (!d1 || !d2 || strchr(d2 + 1, '.'))
		return -1;
	r = find_name(psi_res, 4, s, (size_t)(d1 - s));
	h = find_name(psi_half, 2, d1 + 1, (size_t)(d2 - d1 - 1));
	f = find_name(psi_field, 4, d2 + 1, strlen(d2 + 1));
	if (r < 0 || h < 0 || f < 0)
		return -1;
	*unit = f == 3 ? CTPROF_GU_US : CTPROF_GU_PERCENT;
	return r * 8 + h * 4 + f;
}

static enum ctprof_gate_unit ladder_unit(enum ctprof_ladder l, bool ratio)
{
	if (ratio)
		return CTPROF_GU_RATIO;
	switch (l) {
	case CTPROF_LADDER_NS:
		return CTPROF_GU_NS;
	case CTPROF_LADDER_US:
		return CTPROF_GU_US;
	case CTPROF_LADDER_BYTES:
		return CTPROF_GU_BYTES;
	case CTPROF_LADDER_TICKS:
		return CTPROF_GU_TICKS;
	default:
		return CTPROF_GU_COUNT;
	}
}

/* Resolve g->metric into src/index/key/unit/polarity. */
static int resolve_metric(struct ctprof_gate *g, struct ctprof_error *err)
{
	const char *m = g->metric;
	unsigned idx;
	int i;

	switch (ctprof_metric_lookup(m, &idx)) {
	case CTPROF_MK_PRIMARY: {
		const struct ctprof_metric *pm = &ctprof_metrics()[idx];

		if (pm->agg == CTPROF_AGG_MODE || pm->agg == CTPROF_AGG_MODE_CHAR ||
		    pm->agg == CTPROF_AGG_MODE_BOOL)
			return ctprof_err(err, -EINVAL, "gate \"%s\": metric '%s' is categorical "
					  "and cannot be gated", g->text, m);
		g->src = CTPROF_GS_PRIMARY;
		g->index = idx;
		g->unit = ladder_unit(pm->ladder, false);
		g->polarity = pm->polarity;
		return 0;
	}
	case CTPROF_MK_DERIVED: {
		const struct ctprof_derived_metric *dm = &ctprof_derived_metrics()[idx];

		g->src = CTPROF_GS_DERIVED;
		g->index = idx;
		g->unit = ladder_unit(dm->ladder, dm->is_ratio);
		g->polarity = dm->polarity;
		return 0;
	}
	default:
		break;
	}
	if (strncmp(m, "psi.", 4) == 0) {
		i = parse_psi(m + 4, &g->unit);
		if (i < 0)
			goto unknown;
		g->src = CTPROF_GS_PSI;
		g->index = (unsigned)i;
		g->polarity = CTPROF_POL_LOWER_BETTER;
		return 0;
	}
	if (strncmp(m, "sched_ext.", 10) == 0) {
		i = find_name(sx_attr, 4, m + 10, strlen(m + 10));
		if (i < 0)
			goto unknown;
		g->src = CTPROF_GS_SCHED_EXT;
		g->index = (unsigned)i;
		g->unit = CTPROF_GU_COUNT;
		g->polarity = i == 1 ? CTPROF_POL_LOWER_BETTER : CTPROF_POL_INFO;
		return 0;
	}
	if (strncmp(m, "cgroup.", 7) == 0) {
		static const struct {
			const char *name;
			enum ctprof_cg_metric id;
			enum ctprof_gate_unit unit;
			enum ctprof_polarity pol;
		} cg[] = {
			{ "cpu.usage_usec", CTPROF_CG_CPU_USAGE_USEC, CTPROF_GU_US, CTPROF_POL_INFO },
			{ "cpu.nr_throttled", CTPROF_CG_CPU_NR_THROTTLED, CTPROF_GU_COUNT,
			  CTPROF_POL_LOWER_BETTER },
			{ "cpu.throttled_usec", CTPROF_CG_CPU_THROTTLED_USEC, CTPROF_GU_US,
			  CTPROF_POL_LOWER_BETTER },
			{ "memory.current", CTPROF_CG_MEMORY_CURRENT, CTPROF_GU_BYTES,
			  CTPROF_POL_INFO },
			{ "pids.current", CTPROF_CG_PIDS_CURRENT, CTPROF_GU_COUNT, CTPROF_POL_INFO },
		};
		const char *s = m + 7;
		size_t k;

		for (k = 0; k < sizeof(cg) / sizeof(cg[0]); k++) {
			if (strcmp(s, cg[k].name) == 0) {
				g->src = CTPROF_GS_CGROUP;
				g->index = cg[k].id;
				g->unit = cg[k].unit;
				g->polarity = cg[k].pol;
				return 0;
			}
		}
		if (strncmp(s, "memory.events.", 14) == 0 && s[14] &&
		    strspn(s + 14, "abcdefghijklmnopqrstuvwxyz0123456789_") == strlen(s + 14)) {
			g->key = ctprof_strdup(s + 14);
			if (!g->key)
				return ctprof_err(err, -ENOMEM, "gate: out of memory");
			g->src = CTPROF_GS_CGROUP;
			g->index = CTPROF_CG_MEMORY_EVENTS;
			g->unit = CTPROF_GU_COUNT;
			g->polarity = CTPROF_POL_LOWER_BETTER;
			return 0;
		}
		if (strncmp(s, "psi.", 4) == 0) {
			i = parse_psi(s + 4, &g->unit);
			if (i < 0)
				goto unknown;
			g->src = CTPROF_GS_CGROUP;
			g->key = NULL;
			g->polarity = CTPROF_POL_LOWER_BETTER;
			/* the psi index rides in the upper bits */
			g->index = CTPROF_CG_PSI | (unsigned)i << 8;
			return 0;
		}
	}
unknown:
	return ctprof_err(err, -EINVAL, "gate \"%s\": unknown metric '%s' (see 'ctprof-harness "
			  "metric-list'; also psi.RES.some|full.avg10|avg60|avg300|total_usec, "
			  "cgroup.KEY, sched_ext.ATTR)", g->text, m);
}

/* ---- quantities ------------------------------------------------------------- */

struct qty {
	double v;
	int family; /* 0 bare, 1 time (ns), 2 bytes, 3 percent */
	bool negative;
};

/* Strict: [-]DIGITS[.DIGITS]UNIT. false when malformed. */
static bool parse_qty(const char *s, struct qty *q)
{
	static const struct {
		const char *u;
		int family;
		double mul;
	} units[] = {
		{ "ns", 1, 1 }, { "us", 1, 1e3 }, { "\xc2\xb5s", 1, 1e3 }, { "ms", 1, 1e6 },
		{ "s", 1, 1e9 }, { "B", 2, 1 }, { "KiB", 2, 1024.0 }, { "MiB", 2, 1048576.0 },
		{ "GiB", 2, 1073741824.0 }, { "%", 3, 1 }, { "", 0, 1 },
	};
	const char *p = s;
	char num[64];
	size_t n, k, digits = 0;
	bool dot = false;

	q->negative = *p == '-';
	if (q->negative)
		p++;
	for (n = 0; p[n]; n++) {
		if (p[n] >= '0' && p[n] <= '9')
			digits++;
		else if (p[n] == '.' && !dot)
			dot = true;
		else
			break;
	}
	if (!digits || n >= sizeof(num) || p[n - 1] == '.' || p[0] == '.')
		return false;
	memcpy(num, p, n);
	num[n] = '\0';
	for (k = 0; k < sizeof(units) / sizeof(units[0]); k++) {
		if (strcmp(p + n, units[k].u) == 0) {
			q->v = strtod(num, NULL) * units[k].mul;
			q->family = units[k].family;
			return isfinite(q->v);
		}
	}
	return false;
}

static const char *unit_hint(enum ctprof_gate_unit u)
{
	switch (u) {
	case CTPROF_GU_NS:
	case CTPROF_GU_US:
		return "a time: ns, us, ms or s";
	case CTPROF_GU_BYTES:
		return "a size: B, KiB, MiB or GiB";
	case CTPROF_GU_RATIO:
		return "a fraction (0.9) or a percentage (90%)";
	case CTPROF_GU_PERCENT:
		return "percent points (5 or 5%)";
	default:
		return "a plain count";
	}
}

/* Convert a quantity to unit u; false when the unit does not fit. */
static bool qty_to_unit(const struct qty *q, enum ctprof_gate_unit u, double *out)
{
	switch (u) {
	case CTPROF_GU_NS:
	case CTPROF_GU_US:
		if (q->family == 0 && q->v != 0)
			return false;
		if (q->family != 0 && q->family != 1)
			return false;
		*out = u == CTPROF_GU_US ? q->v / 1e3 : q->v;
		return true;
	case CTPROF_GU_BYTES:
		if ((q->family == 0 && q->v != 0) || (q->family != 0 && q->family != 2))
			return false;
		*out = q->v;
		return true;
	case CTPROF_GU_RATIO:
		if (q->family == 3)
			*out = q->v / 100.0;
		else if (q->family == 0)
			*out = q->v;
		else
			return false;
		return true;
	case CTPROF_GU_PERCENT:
		if (q->family != 0 && q->family != 3)
			return false;
		*out = q->v;
		return true;
	default:
		if (q->family != 0)
			return false;
		*out = q->v;
		return true;
	}
}

/* ---- gates ------------------------------------------------------------------ */

static void gate_clear(struct ctprof_gate *g)
{
	size_t i;

	free(g->text);
	free(g->metric);
	free(g->group);
	free(g->key);
	for (i = 0; i < CTPROF_LIM__COUNT; i++)
		free(g->lim_text[i]);
	memset(g, 0, sizeof(*g));
}

/* Set limit `kname` = `val` on g (g->unit known). */
static int gate_limit(struct ctprof_gate *g, const char *kname, size_t klen, const char *val,
		      struct ctprof_error *err)
{
	struct qty q;
	int k = find_name(limit_names, CTPROF_LIM__COUNT, kname, klen);
	double v;

	if (k < 0)
		return ctprof_err(err, -EINVAL, "gate \"%s\": unknown limit '%.*s' (max_increase, "
				  "max_decrease, max, min, max_delta, floor)", g->text, (int)klen,
				  kname);
	if (g->has >> k & 1)
		return ctprof_err(err, -EINVAL, "gate \"%s\": limit '%s' given twice", g->text,
				  limit_names[k]);
	if (!parse_qty(val, &q))
		return ctprof_err(err, -EINVAL, "gate \"%s\": malformed value '%s' for %s", g->text,
				  val, limit_names[k]);
	if (q.negative)
		return ctprof_err(err, -EINVAL, "gate \"%s\": negative value '%s' for %s", g->text,
				  val, limit_names[k]);
	if (k == CTPROF_LIM_MAX_INCREASE || k == CTPROF_LIM_MAX_DECREASE) {
		if (q.family != 3)
			return ctprof_err(err, -EINVAL, "gate \"%s\": %s needs a percentage, "
					  "got '%s'", g->text, limit_names[k], val);
		v = q.v / 100.0;
	} else if (!qty_to_unit(&q, g->unit, &v)) {
		return ctprof_err(err, -EINVAL, "gate \"%s\": unit of '%s' does not fit metric '%s' "
				  "(expected %s)", g->text, val, g->metric, unit_hint(g->unit));
	}
	g->lim_text[k] = ctprof_strdup(val);
	if (!g->lim_text[k])
		return ctprof_err(err, -ENOMEM, "gate: out of memory");
	g->lim[k] = v;
	g->has |= 1u << k;
	return 0;
}

static const uint32_t DIRECTED = 1u << CTPROF_LIM_MAX_INCREASE | 1u << CTPROF_LIM_MAX_DECREASE |
				 1u << CTPROF_LIM_MAX | 1u << CTPROF_LIM_MIN |
				 1u << CTPROF_LIM_MAX_DELTA;

static int gate_finish(struct ctprof_gate *g, struct ctprof_error *err)
{
	g->implicit = !(g->has & DIRECTED);
	if (g->implicit && g->polarity == CTPROF_POL_INFO)
		return ctprof_err(err, -EINVAL, "gate \"%s\": metric '%s' is informational; give "
				  "max_increase, max_decrease, max, min or max_delta", g->text,
				  g->metric);
	return 0;
}

static int gates_push(struct ctprof_gateset *gs, struct ctprof_gate *g, struct ctprof_error *err)
{
	struct ctprof_gate *t;

	if (gs->n >= VERDICT_MAX_GATES)
		return ctprof_err(err, -E2BIG, "gate \"%s\": too many gates (at most %d)", g->text,
				  VERDICT_MAX_GATES);
	t = ctprof_realloc(gs->gates, (gs->n + 1) * sizeof(*t));
	if (!t)
		return ctprof_err(err, -ENOMEM, "gate: out of memory");
	gs->gates = t;
	gs->gates[gs->n++] = *g;
	memset(g, 0, sizeof(*g));
	return 0;
}

/* Split "METRIC[@GLOB]" of length n into g->metric and g->group. */
static int gate_head(struct ctprof_gate *g, const char *s, size_t n, struct ctprof_error *err)
{
	const char *at = memchr(s, '@', n);
	size_t mlen = at ? (size_t)(at - s) : n;

	if (!mlen)
		return ctprof_err(err, -EINVAL, "gate \"%s\": missing metric name", g->text);
	g->metric = ctprof_strndup(s, mlen);
	if (at) {
		if (at + 1 == s + n)
			return ctprof_err(err, -EINVAL, "gate \"%s\": empty group after '@'", g->text);
		g->group = ctprof_strndup(at + 1, (size_t)(s + n - at - 1));
		if (!g->group)
			return ctprof_err(err, -ENOMEM, "gate: out of memory");
	}
	if (!g->metric)
		return ctprof_err(err, -ENOMEM, "gate: out of memory");
	return resolve_metric(g, err);
}

CTPROF_API int ctprof_gateset_add(struct ctprof_gateset *gs, const char *spec,
				  struct ctprof_error *err)
{
	struct ctprof_gate g = { 0 };
	const char *colon, *p;
	size_t n;
	int r;

	if (!gs || !spec)
		return ctprof_err(err, -EINVAL, "gate: no gate given");
	n = strlen(spec);
	if (n > VERDICT_MAX_SPEC)
		return ctprof_err(err, -EINVAL, "gate \"%.40s...\": longer than %d bytes", spec,
				  VERDICT_MAX_SPEC);
	g.text = ctprof_strdup(spec);
	if (!g.text)
		return ctprof_err(err, -ENOMEM, "gate: out of memory");
	colon = strrchr(spec, ':');
	if (colon && !strchr(colon, '='))
		colon = NULL; /* a colon inside the group glob; no limits */
	r = gate_head(&g, spec, colon ? (size_t)(colon - spec) : n, err);
	if (r < 0)
		goto fail;
	for (p = colon ? colon + 1 : NULL; p;) {
		const char *comma = strchr(p, ','), *end = comma ? comma : p + strlen(p);
		const char *eq = memchr(p, '=', (size_t)(end - p));
		char val[128];

		if (!eq || eq == p) {
			r = ctprof_err(err, -EINVAL, "gate \"%s\": malformed limit '%.*s' (expected "
				       "NAME=VALUE)", spec, (int)(end - p), p);
			goto fail;
		}
		if ((size_t)(end - eq - 1) >= sizeof(val)) {
			r = ctprof_err(err, -EINVAL, "gate \"%s\": value too long", spec);
			goto fail;
		}
		memcpy(val, eq + 1, (size_t)(end - eq - 1));
		val[end - eq - 1] = '\0';
		r = gate_limit(&g, p, (size_t)(eq - p), val, err);
		if (r < 0)
			goto fail;
		p = comma ? comma + 1 : NULL;
	}
	r = gate_finish(&g, err);
	if (r < 0)
		goto fail;
	r = gates_push(gs, &g, err);
	if (r < 0)
		goto fail;
	return 0;
fail:
	gate_clear(&g);
	return r;
}

/*
 * The --default-gates set (documented in the man page and README): the
 * scheduling-latency and placement metrics a scheduler change usually moves.
 */
static const char *const default_gates[] = {
	"avg_wait_ns:max_increase=10%,floor=10us",
	"wait_time_ns:max_increase=10%,floor=1ms",
	"cpu_efficiency:max_decrease=5%,floor=1%",
	"nonvoluntary_csw:max_increase=25%,floor=100",
	"nr_migrations:max_increase=25%,floor=100",
	"avg_cpu_delay_ns:max_increase=10%,floor=10us",
	"psi.cpu.some.avg10:max_increase=50%,floor=1%",
	"sched_ext.nr_rejected:max_delta=0",
};

CTPROF_API const char *const *ctprof_default_gates(size_t *n)
{
	if (n)
		*n = sizeof(default_gates) / sizeof(default_gates[0]);
	return default_gates;
}

CTPROF_API int ctprof_gateset_add_defaults(struct ctprof_gateset *gs, struct ctprof_error *err)
{
	size_t i;
	int r;

	for (i = 0; i < sizeof(default_gates) / sizeof(default_gates[0]); i++) {
		r = ctprof_gateset_add(gs, default_gates[i], err);
		if (r < 0)
			return r;
	}
	return 0;
}

/* ---- the set and its defaults ---------------------------------------------------- */

static void defaults_clear(struct ctprof_gate_defaults *d)
{
	size_t i;

	free(d->threshold_text);
	for (i = 0; i < d->n_floors; i++)
		free(d->floors[i].text);
	free(d->floors);
	memset(d, 0, sizeof(*d));
}

CTPROF_API struct ctprof_gateset *ctprof_gateset_new(void)
{
	struct ctprof_gateset *gs = ctprof_calloc(1, sizeof(*gs));

	if (!gs)
		return NULL;
	gs->defaults[CTPROF_POL_LOWER_BETTER].has_threshold = true;
	gs->defaults[CTPROF_POL_LOWER_BETTER].threshold = 0.10;
	gs->defaults[CTPROF_POL_LOWER_BETTER].threshold_text = ctprof_strdup("10%");
	gs->defaults[CTPROF_POL_HIGHER_BETTER].has_threshold = true;
	gs->defaults[CTPROF_POL_HIGHER_BETTER].threshold = 0.05;
	gs->defaults[CTPROF_POL_HIGHER_BETTER].threshold_text = ctprof_strdup("5%");
	if (!gs->defaults[CTPROF_POL_LOWER_BETTER].threshold_text ||
	    !gs->defaults[CTPROF_POL_HIGHER_BETTER].threshold_text) {
		ctprof_gateset_free(gs);
		return NULL;
	}
	return gs;
}

CTPROF_API void ctprof_gateset_free(struct ctprof_gateset *gs)
{
	size_t i;

	if (!gs)
		return;
	for (i = 0; i < gs->n; i++)
		gate_clear(&gs->gates[i]);
	free(gs->gates);
	for (i = 0; i < 3; i++)
		defaults_clear(&gs->defaults[i]);
	free(gs);
}

CTPROF_HIDDEN bool verdict_default_floor(const struct ctprof_gateset *gs, const struct ctprof_gate *g,
			   double *v, const char **text)
{
	const struct ctprof_gate_defaults *d = &gs->defaults[g->polarity];
	size_t i;

	for (i = 0; i < d->n_floors; i++) {
		struct qty q = { .v = d->floors[i].value, .family = d->floors[i].family };

		if (qty_to_unit(&q, g->unit, v)) {
			*text = d->floors[i].text;
			return true;
		}
	}
	return false;
}

/* ---- policy files ------------------------------------------------------------------ */

/* A JSON value as a limit text: strings as they are, numbers printed. */
static int value_text(const cJSON *v, char *buf, size_t size)
{
	if (cJSON_IsString(v)) {
		if (strlen(v->valuestring) >= size)
			return -1;
		strcpy(buf, v->valuestring);
		return 0;
	}
	if (cJSON_IsNumber(v) && isfinite(v->valuedouble)) {
		(void)snprintf(buf, size, "%.17g", v->valuedouble);
		return 0;
	}
	return -1;
}

static int policy_defaults(struct ctprof_gateset *gs, const cJSON *defs, const char *name,
			   struct ctprof_error *err)
{
	const cJSON *pe;

	if (!cJSON_IsObject(defs))
		return ctprof_err(err, -EINVAL, "%s: policy: \"defaults\" must be an object", name);
	cJSON_ArrayForEach(pe, defs) {
		static const char *const pols[] = { "informational", "lower_better",
						    "higher_better" };
		int p = find_name(pols, 3, pe->string, strlen(pe->string));
		struct ctprof_gate_defaults nd = { 0 };
		const cJSON *kv;

		if (p < 0)
			return ctprof_err(err, -EINVAL, "%s: policy: defaults: unknown polarity "
					  "\"%s\" (lower_better, higher_better, informational)",
					  name, pe->string);
		if (!cJSON_IsObject(pe))
			return ctprof_err(err, -EINVAL, "%s: policy: defaults.%s must be an object",
					  name, pe->string);
		cJSON_ArrayForEach(kv, pe) {
			char txt[128];
			struct qty q;

			if (strcmp(kv->string, "threshold") == 0) {
				if (value_text(kv, txt, sizeof(txt)) < 0 || !parse_qty(txt, &q) ||
				    q.family != 3) {
					defaults_clear(&nd);
					return ctprof_err(err, -EINVAL, "%s: policy: defaults.%s."
							  "threshold: malformed value (a "
							  "percentage such as \"10%%\")", name,
							  pe->string);
				}
				if (q.negative) {
					defaults_clear(&nd);
					return ctprof_err(err, -EINVAL, "%s: policy: defaults.%s."
							  "threshold: negative value '%s'", name,
							  pe->string, txt);
				}
				nd.has_threshold = true;
				nd.threshold = q.v / 100.0;
				free(nd.threshold_text);
				nd.threshold_text = ctprof_strdup(txt);
				if (!nd.threshold_text)
					goto oom;
			} else if (strcmp(kv->string, "floor") == 0) {
				const cJSON *fl = kv, *it;
				bool arr = cJSON_IsArray(kv);
				size_t cnt = arr ? (size_t)cJSON_GetArraySize(kv) : 1, i = 0;

				if (cnt > 8 || cnt == 0) {
					defaults_clear(&nd);
					return ctprof_err(err, -EINVAL, "%s: policy: defaults.%s.floor:"
							  " 1 to 8 values", name, pe->string);
				}
				/* a repeated "floor" key replaces the earlier one, as "threshold" does */
				while (nd.n_floors)
					free(nd.floors[--nd.n_floors].text);
				free(nd.floors);
				nd.floors = ctprof_calloc(cnt, sizeof(*nd.floors));
				if (!nd.floors)
					goto oom;
				for (it = arr ? fl->child : fl; it && i < cnt; it = arr ? it->next : NULL) {
					if (value_text(it, txt, sizeof(txt)) < 0 || !parse_qty(txt, &q)) {
						defaults_clear(&nd);
						return ctprof_err(err, -EINVAL, "%s: policy: defaults.%s."
								  "floor: malformed value", name,
								  pe->string);
					}
					if (q.negative) {
						defaults_clear(&nd);
						return ctprof_err(err, -EINVAL, "%s: policy: defaults.%s."
								  "floor: negative value '%s'", name,
								  pe->string, txt);
					}
					nd.floors[i].text = ctprof_strdup(txt);
					if (!nd.floors[i].text)
						goto oom;
					nd.floors[i].value = q.v;
					nd.floors[i].family = q.family;
					nd.n_floors = ++i;
				}
			} else {
				defaults_clear(&nd);
				return ctprof_err(err, -EINVAL, "%s: policy: defaults.%s: unknown key "
						  "\"%s\" (threshold, floor)", name, pe->string,
						  kv->string);
			}
		}
		if (!nd.has_threshold && gs->defaults[p].has_threshold) {
			nd.has_threshold = true;
			nd.threshold = gs->defaults[p].threshold;
			nd.threshold_text = ctprof_strdup(gs->defaults[p].threshold_text);
			if (!nd.threshold_text)
				goto oom;
		}
		defaults_clear(&gs->defaults[p]);
		gs->defaults[p] = nd;
		continue;
oom:
		defaults_clear(&nd);
		return ctprof_err(err, -ENOMEM, "%s: policy: out of memory", name);
	}
	return 0;
}

/* A gate object: {"metric": M, "group": G, LIMIT: VALUE...} -> a spec string. */
static int policy_gate_object(struct ctprof_gateset *gs, const cJSON *o, size_t idx,
			      const char *name, struct ctprof_error *err)
{
	struct ctprof_buf b = { 0 };
	const cJSON *metric = NULL, *group = NULL, *kv;
	bool first = true;
	int r;

	cJSON_ArrayForEach(kv, o) {
		if (strcmp(kv->string, "metric") == 0)
			metric = kv;
		else if (strcmp(kv->string, "group") == 0)
			group = kv;
		else if (find_name(limit_names, CTPROF_LIM__COUNT, kv->string,
				   strlen(kv->string)) < 0)
			return ctprof_err(err, -EINVAL, "%s: policy: gates[%zu]: unknown key \"%s\" "
					  "(metric, group, max_increase, max_decrease, max, min, "
					  "max_delta, floor)", name, idx, kv->string);
	}
	if (!metric || !cJSON_IsString(metric) || !metric->valuestring[0])
		return ctprof_err(err, -EINVAL, "%s: policy: gates[%zu]: \"metric\" must be a "
				  "non-empty string", name, idx);
	if (group && (!cJSON_IsString(group) || !group->valuestring[0]))
		return ctprof_err(err, -EINVAL, "%s: policy: gates[%zu]: \"group\" must be a "
				  "non-empty string", name, idx);
	ctprof_buf_puts(&b, metric->valuestring);
	if (group) {
		ctprof_buf_putc(&b, '@');
		ctprof_buf_puts(&b, group->valuestring);
	}
	cJSON_ArrayForEach(kv, o) {
		char txt[128];

		if (kv == metric || kv == group)
			continue;
		if (value_text(kv, txt, sizeof(txt)) < 0 || strpbrk(txt, ",:=")) {
			ctprof_buf_free(&b);
			return ctprof_err(err, -EINVAL, "%s: policy: gates[%zu]: malformed value for "
					  "\"%s\"", name, idx, kv->string);
		}
		ctprof_buf_putc(&b, first ? ':' : ',');
		first = false;
		ctprof_buf_puts(&b, kv->string);
		ctprof_buf_putc(&b, '=');
		ctprof_buf_puts(&b, txt);
	}
	if (first && group && strchr(group->valuestring, ':'))
		ctprof_buf_putc(&b, ':'); /* keep a colon in the glob from reading as limits */
	if (ctprof_buf_putc(&b, '\0') < 0 || b.oom) {
		ctprof_buf_free(&b);
		return ctprof_err(err, -ENOMEM, "%s: policy: out of memory", name);
	}
	r = ctprof_gateset_add(gs, b.data, err);
	ctprof_buf_free(&b);
	if (r < 0)
		ctprof_err_prefix(err, "%s: policy: gates[%zu]", name, idx);
	return r;
}

CTPROF_API int ctprof_gateset_policy(struct ctprof_gateset *gs, const char *json, size_t len,
				     const char *name, struct ctprof_error *err)
{
	cJSON *root;
	const cJSON *kv, *gates = NULL, *defs = NULL;
	size_t i = 0;
	int r = 0;

	if (!gs || !json)
		return ctprof_err(err, -EINVAL, "policy: nothing to parse");
	if (!name)
		name = "policy";
	(void)ctprof_alloc_failed_take();
	root = cJSON_ParseWithLength(json, len);
	if (!root && ctprof_alloc_failed_take()) /* cJSON allocates through the codec's hooks */
		return ctprof_err(err, -ENOMEM, "%s: policy: parse JSON: out of memory", name);
	if (!root)
		return ctprof_err(err, -EINVAL, "%s: policy: parse JSON: malformed near byte %zu",
				  name, cJSON_GetErrorPtr() && cJSON_GetErrorPtr() >= json &&
				  cJSON_GetErrorPtr() <= json + len ?
				  (size_t)(cJSON_GetErrorPtr() - json) : (size_t)0);
	if (!cJSON_IsObject(root)) {
		r = ctprof_err(err, -EINVAL, "%s: policy: the top level must be an object", name);
		goto out;
	}
	cJSON_ArrayForEach(kv, root) {
		if (strcmp(kv->string, "gates") == 0) {
			gates = kv;
		} else if (strcmp(kv->string, "defaults") == 0) {
			defs = kv;
		} else {
			r = ctprof_err(err, -EINVAL, "%s: policy: unknown key \"%s\" (defaults, "
				       "gates)", name, kv->string);
			goto out;
		}
	}
	if (defs) {
		r = policy_defaults(gs, defs, name, err);
		if (r < 0)
			goto out;
	}
	if (gates && !cJSON_IsArray(gates)) {
		r = ctprof_err(err, -EINVAL, "%s: policy: \"gates\" must be an array", name);
		goto out;
	}
	cJSON_ArrayForEach(kv, gates) {
		if (cJSON_IsString(kv)) {
			r = ctprof_gateset_add(gs, kv->valuestring, err);
		} else if (cJSON_IsObject(kv)) {
			r = policy_gate_object(gs, kv, i, name, err);
		} else {
			r = ctprof_err(err, -EINVAL, "%s: policy: gates[%zu]: expected a gate string "
				       "or object", name, i);
		}
		if (r < 0) {
			if (cJSON_IsString(kv))
				ctprof_err_prefix(err, "%s: policy: gates[%zu]", name, i);
			goto out;
		}
		i++;
	}
out:
	cJSON_Delete(root);
	return r;
}

CTPROF_API int ctprof_gateset_load_policy(struct ctprof_gateset *gs, const char *path,
					  struct ctprof_error *err)
{
	struct stat st;
	char *buf;
	ssize_t n;
	size_t got = 0;
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return ctprof_err(err, -errno, "%s: open: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return ctprof_err(err, -EINVAL, "%s: read: not a regular file", path);
	}
	if (st.st_size > VERDICT_MAX_POLICY) {
		close(fd);
		return ctprof_err(err, -EFBIG, "%s: read: larger than %d bytes", path,
				  VERDICT_MAX_POLICY);
	}
	buf = ctprof_malloc((size_t)st.st_size + 1);
	if (!buf) {
		close(fd);
		return ctprof_err(err, -ENOMEM, "%s: read: out of memory", path);
	}
	while (got < (size_t)st.st_size) {
		n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	r = -errno;
	close(fd);
	if (got < (size_t)st.st_size) {
		free(buf);
		// cppcheck-suppress knownConditionTrueFalse ; errno is 0 after a read() that hit EOF
		return ctprof_err(err, r ? r : -EIO, "%s: read: short read", path);
	}
	buf[got] = '\0';
	r = ctprof_gateset_policy(gs, buf, got, path, err);
	free(buf);
	return r;
}
