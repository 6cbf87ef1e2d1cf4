/* SPDX-License-Identifier: MIT */
/* Verdicts as JSON: the structured results behind the TAP and JUnit output. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vrnd.h"

/* A JSON string of s; bytes that are not UTF-8 become U+FFFD. */
static void jstr(struct ctprof_buf *b, const char *s)
{
	char *u = ctprof_utf8_lossy(s, strlen(s));

	if (!u) {
		b->oom = true;
		return;
	}
	rj_str(b, u, strlen(u));
	free(u);
}

static void jnum(struct ctprof_buf *b, bool set, double v)
{
	if (set)
		vr_num(b, v, "null");
	else
		ctprof_buf_puts(b, "null");
}

static void jkey(struct ctprof_buf *b, const char *k)
{
	ctprof_buf_putc(b, '"');
	ctprof_buf_puts(b, k);
	ctprof_buf_puts(b, "\":");
}

static void jcount(struct ctprof_buf *b, const char *k, size_t n, bool comma)
{
	char tmp[48];

	(void)snprintf(tmp, sizeof(tmp), "\"%s\":%zu%s", k, n, comma ? "," : "");
	ctprof_buf_puts(b, tmp);
}

static const char *status_name(enum ctprof_vstatus s)
{
	return s == CTPROF_VS_OK ? "ok" : s == CTPROF_VS_FAIL ? "not ok" : "skip";
}

/* One side of a repeated point; null when the side has no value. */
static void jruns(struct ctprof_buf *b, const char *key, const struct ctprof_vsummary *s)
{
	char tmp[48];

	ctprof_buf_putc(b, ',');
	jkey(b, key);
	if (!s->has) {
		ctprof_buf_puts(b, "null");
		return;
	}
	(void)snprintf(tmp, sizeof(tmp), "{\"n\":%zu,\"mean\":", s->n);
	ctprof_buf_puts(b, tmp);
	jnum(b, true, s->mean);
	ctprof_buf_puts(b, ",\"min\":");
	jnum(b, true, s->min);
	ctprof_buf_puts(b, ",\"max\":");
	jnum(b, true, s->max);
	/* JSON has no infinity: null when the mean is zero and the values differ */
	ctprof_buf_puts(b, ",\"spread_pct\":");
	jnum(b, true, s->spread * 100.0);
	ctprof_buf_putc(b, '}');
}

static void jpoint(struct ctprof_buf *b, const struct ctprof_verdict *v,
		   const struct ctprof_vpoint *p)
{
	struct ctprof_buf d = { 0 };

	vr_describe(&d, v, p);
	ctprof_buf_putc(&d, '\0');
	ctprof_buf_putc(b, '{');
	jkey(b, "group");
	jstr(b, p->group);
	ctprof_buf_putc(b, ',');
	jkey(b, "status");
	jstr(b, status_name(p->status));
	ctprof_buf_putc(b, ',');
	jkey(b, "reason");
	jstr(b, vr_reason_key(p->reason));
	ctprof_buf_putc(b, ',');
	jkey(b, "limit");
	if (p->limit >= 0)
		jstr(b, ctprof_limit_name(p->limit));
	else
		ctprof_buf_puts(b, "null");
	ctprof_buf_putc(b, ',');
	jkey(b, "description");
	jstr(b, d.oom ? "?" : d.data);
	ctprof_buf_putc(b, ',');
	jkey(b, "baseline");
	jnum(b, p->has_a, p->a);
	ctprof_buf_putc(b, ',');
	jkey(b, "candidate");
	jnum(b, p->has_b, p->b);
	ctprof_buf_putc(b, ',');
	jkey(b, "delta");
	jnum(b, p->has_delta, p->delta);
	ctprof_buf_putc(b, ',');
	jkey(b, "delta_pct");
	jnum(b, p->has_pct, p->pct * 100.0);
	if (p->repeated) {
		struct ctprof_buf m = { 0 };

		vr_message(&m, v, p);
		ctprof_buf_putc(&m, '\0');
		ctprof_buf_putc(b, ',');
		jkey(b, "message");
		jstr(b, m.oom ? "?" : m.data);
		ctprof_buf_free(&m);
		jruns(b, "baseline_runs", &p->sa);
		jruns(b, "candidate_runs", &p->sb);
	}
	ctprof_buf_putc(b, '}');
	ctprof_buf_free(&d);
}

CTPROF_API int ctprof_render_verdict_json(const struct ctprof_verdict *v, char **out,
					  size_t *len, struct ctprof_error *err)
{
	struct ctprof_buf b = { 0 };
	size_t i, j, k;

	/* allocation failures swallowed on the way are reported by the finish */
	(void)ctprof_alloc_failed_take();
	if (!v || !out)
		return ctprof_err(err, -EINVAL, "render verdict JSON: no verdict");
	ctprof_buf_putc(&b, '{');
	jkey(&b, "axis");
	jstr(&b, ctprof_group_by_name(v->axis));
	ctprof_buf_putc(&b, ',');
	jkey(&b, "has_baseline");
	ctprof_buf_puts(&b, v->has_baseline ? "true," : "false,");
	jkey(&b, "ok");
	ctprof_buf_puts(&b, v->failed ? "false," : "true,");
	jcount(&b, "tests", v->n_points, true);
	jcount(&b, "passed", v->passed, true);
	jcount(&b, "failed", v->failed, true);
	jcount(&b, "skipped", v->skipped, true);
	if (v->repeated) {
		jcount(&b, "runs_baseline", v->runs_a, true);
		jcount(&b, "runs_candidate", v->runs_b, true);
		jkey(&b, "max_noise_pct");
		jnum(&b, true, v->max_noise * 100.0);
		ctprof_buf_putc(&b, ',');
	}
	jkey(&b, "gates");
	ctprof_buf_putc(&b, '[');
	for (i = 0; i < v->gs->n; i++) {
		const struct ctprof_gate *g = &v->gs->gates[i];
		const struct ctprof_vgate *vg = &v->gates[i];
		bool first = true;

		if (i)
			ctprof_buf_putc(&b, ',');
		ctprof_buf_putc(&b, '{');
		jkey(&b, "gate");
		jstr(&b, g->text);
		ctprof_buf_putc(&b, ',');
		jkey(&b, "metric");
		jstr(&b, g->metric);
		ctprof_buf_putc(&b, ',');
		jkey(&b, "group");
		if (g->group)
			jstr(&b, g->group);
		else
			ctprof_buf_puts(&b, "null");
		ctprof_buf_putc(&b, ',');
		jkey(&b, "polarity");
		jstr(&b, ctprof_polarity_name(g->polarity));
		ctprof_buf_putc(&b, ',');
		jkey(&b, "limits");
		ctprof_buf_putc(&b, '{');
		for (k = 0; k < CTPROF_LIM__COUNT; k++) {
			if (!(vg->has >> k & 1))
				continue;
			if (!first)
				ctprof_buf_putc(&b, ',');
			first = false;
			jkey(&b, ctprof_limit_name(k));
			ctprof_buf_puts(&b, "{\"value\":");
			jnum(&b, true, vg->lim[k]);
			ctprof_buf_puts(&b, ",\"text\":");
			jstr(&b, vg->lim_text[k] ? vg->lim_text[k] : "");
			ctprof_buf_putc(&b, '}');
		}
		ctprof_buf_puts(&b, "},");
		jcount(&b, "passed", vg->passed, true);
		jcount(&b, "failed", vg->failed, true);
		jcount(&b, "skipped", vg->skipped, true);
		jkey(&b, "points");
		ctprof_buf_putc(&b, '[');
		for (j = 0; j < vg->n; j++) {
			if (j)
				ctprof_buf_putc(&b, ',');
			jpoint(&b, v, &v->points[vg->first + j]);
		}
		ctprof_buf_puts(&b, "]}");
	}
	ctprof_buf_puts(&b, "],");
	jkey(&b, "orphans");
	ctprof_buf_putc(&b, '[');
	for (i = 0; i < v->n_orphans; i++) {
		if (i)
			ctprof_buf_putc(&b, ',');
		ctprof_buf_puts(&b, "{\"group\":");
		jstr(&b, v->orphans[i].group);
		ctprof_buf_puts(&b, v->orphans[i].in_baseline ? ",\"side\":\"baseline\"}"
							      : ",\"side\":\"candidate\"}");
	}
	ctprof_buf_puts(&b, "]}\n");
	return vr_finish(&b, out, len, err, "verdict JSON");
}
