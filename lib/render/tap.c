/* SPDX-License-Identifier: MIT */
/*
 * Verdicts as TAP (kernel-interfaces.md §10.1): version 13 by default (the
 * prove of Debian 12 rejects 14), version 14 with one subtest per gate.
 * Also the escaping and description helpers the other verdict renderers share.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vrnd.h"

static void bprintf(struct ctprof_buf *b, const char *fmt, ...) CTPROF_PRINTF(2, 3);
static void bprintf(struct ctprof_buf *b, const char *fmt, ...)
{
	char tmp[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		ctprof_buf_append(b, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 when invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t l = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc0 ? 2 : 0;

	if (!l || l > n || !ctprof_utf8_valid((const char *)s, l))
		return 0;
	/* U+FFFE and U+FFFF are not XML characters; escape them everywhere */
	if (l == 3 && s[0] == 0xef && s[1] == 0xbf && (s[2] == 0xbe || s[2] == 0xbf))
		return 0;
	return l;
}

void vr_escape(struct ctprof_buf *b, const char *s, enum vr_esc mode)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, l;

	while (i < n) {
		unsigned char c = p[i];

		if (c >= 0x80) {
			l = utf8_len(p + i, n - i);
			if (l) {
				ctprof_buf_append(b, p + i, l);
				i += l;
			} else {
				bprintf(b, "\\x%02x", c);
				i++;
			}
			continue;
		}
		i++;
		if (c < 0x20 || c == 0x7f) {
			bprintf(b, "\\x%02x", c);
			continue;
		}
		switch (mode) {
		case VR_ESC_TAP:
			if (c == '\\' || c == '#')
				ctprof_buf_putc(b, '\\');
			ctprof_buf_putc(b, (char)c);
			break;
		case VR_ESC_YAML:
			if (c == '\\' || c == '"')
				ctprof_buf_putc(b, '\\');
			ctprof_buf_putc(b, (char)c);
			break;
		case VR_ESC_XML:
			if (c == '&')
				ctprof_buf_puts(b, "&amp;");
			else if (c == '<')
				ctprof_buf_puts(b, "&lt;");
			else if (c == '>')
				ctprof_buf_puts(b, "&gt;");
			else if (c == '"')
				ctprof_buf_puts(b, "&quot;");
			else if (c == '\'')
				ctprof_buf_puts(b, "&apos;");
			else
				ctprof_buf_putc(b, (char)c);
			break;
		}
	}
}

void vr_num(struct ctprof_buf *b, double v, const char *none)
{
	if (!isfinite(v))
		ctprof_buf_puts(b, none);
	else
		bprintf(b, "%.15g", v == 0 ? 0.0 : v);
}

static enum ctprof_ladder unit_ladder(enum ctprof_gate_unit u)
{
	switch (u) {
	case CTPROF_GU_NS:
		return CTPROF_LADDER_NS;
	case CTPROF_GU_US:
		return CTPROF_LADDER_US;
	case CTPROF_GU_BYTES:
		return CTPROF_LADDER_BYTES;
	case CTPROF_GU_TICKS:
		return CTPROF_LADDER_TICKS;
	default:
		return CTPROF_LADDER_UNITLESS;
	}
}

/* A value or (sign) a change in the metric's unit. */
static void value(struct ctprof_buf *b, const struct ctprof_gate *g, double v, bool sign)
{
	const char *unit;
	double s;

	switch (g->unit) {
	case CTPROF_GU_RATIO:
		bprintf(b, sign ? "%+.3f" : "%.3f", v);
		return;
	case CTPROF_GU_PERCENT:
		bprintf(b, sign ? "%+.2f%%" : "%.2f%%", v);
		return;
	case CTPROF_GU_COUNT:
		if (v == trunc(v) && fabs(v) < 1e15)
			bprintf(b, sign ? "%+.0f" : "%.0f", v);
		else
			bprintf(b, sign ? "%+.3f" : "%.3f", v);
		return;
	default:
		s = rf_auto_scale(v, unit_ladder(g->unit), &unit);
		if (s == v && v == trunc(v))
			bprintf(b, sign ? "%+.0f%s" : "%.0f%s", v, unit);
		else
			bprintf(b, sign ? "%+.3f%s" : "%.3f%s", s, unit);
		return;
	}
}

void vr_limits(struct ctprof_buf *b, const struct ctprof_vgate *vg)
{
	static const char *const pre[CTPROF_LIM__COUNT] = {
		"max +", "max -", "max ", "min ", "max_delta ", "floor ",
	};
	bool first = true;
	size_t k;

	for (k = 0; k < CTPROF_LIM__COUNT; k++) {
		if (!(vg->has >> k & 1))
			continue;
		if (!first)
			ctprof_buf_puts(b, ", ");
		first = false;
		ctprof_buf_puts(b, pre[k]);
		ctprof_buf_puts(b, vg->lim_text[k] ? vg->lim_text[k] : "?");
	}
}

const char *vr_reason_key(enum ctprof_vreason r)
{
	switch (r) {
	case CTPROF_VR_HELD:
		return "held";
	case CTPROF_VR_LIMIT:
		return "limit";
	case CTPROF_VR_COVERAGE_A:
		return "coverage_baseline_only";
	case CTPROF_VR_COVERAGE_B:
		return "coverage_candidate_only";
	case CTPROF_VR_NOT_MEASURED:
		return "not_measured";
	case CTPROF_VR_NO_BASELINE:
		return "no_baseline";
	case CTPROF_VR_GROUP_A_ONLY:
		return "group_baseline_only";
	case CTPROF_VR_GROUP_B_ONLY:
		return "group_candidate_only";
	case CTPROF_VR_NO_GROUP:
		return "no_group";
	case CTPROF_VR_NOISY:
		return "noisy";
	case CTPROF_VR_WITHIN_NOISE:
		return "within_noise";
	}
	return "?";
}

const char *vr_reason(const struct ctprof_vpoint *p)
{
	switch (p->reason) {
	case CTPROF_VR_LIMIT:
		switch (p->limit) {
		case CTPROF_LIM_MAX_INCREASE:
			return "increase above the threshold and the floor";
		case CTPROF_LIM_MAX_DECREASE:
			return "decrease above the threshold and the floor";
		case CTPROF_LIM_MAX:
			return "value above max";
		case CTPROF_LIM_MIN:
			return "value below min";
		default:
			return "change above max_delta";
		}
	case CTPROF_VR_COVERAGE_A:
		return "coverage: measured in the baseline only";
	case CTPROF_VR_COVERAGE_B:
		return "coverage: measured in the candidate only";
	case CTPROF_VR_NOT_MEASURED:
		return "not measured";
	case CTPROF_VR_NO_BASELINE:
		return "relative limits need a baseline";
	case CTPROF_VR_GROUP_A_ONLY:
		return "group only in the baseline (disappeared)";
	case CTPROF_VR_GROUP_B_ONLY:
		return "group only in the candidate (no baseline)";
	case CTPROF_VR_NO_GROUP:
		return "the gate matched no group";
	case CTPROF_VR_NOISY:
		return "too noisy";
	case CTPROF_VR_WITHIN_NOISE:
		return "within the baseline's range (not significant)";
	default:
		return "";
	}
}

void vr_describe(struct ctprof_buf *b, const struct ctprof_verdict *v,
		 const struct ctprof_vpoint *p)
{
	const struct ctprof_gate *g = &v->gs->gates[p->gate];
	const struct ctprof_vgate *vg = &v->gates[p->gate];

	if (p->reason == CTPROF_VR_NO_GROUP) {
		ctprof_buf_puts(b, g->text);
		ctprof_buf_puts(b, ": no group matched");
		return;
	}
	ctprof_buf_puts(b, p->group);
	ctprof_buf_puts(b, ": ");
	ctprof_buf_puts(b, g->metric);
	if (p->reason == CTPROF_VR_GROUP_A_ONLY || p->reason == CTPROF_VR_GROUP_B_ONLY) {
		ctprof_buf_puts(b, " ");
		ctprof_buf_puts(b, vr_reason(p));
		return;
	}
	if (p->status == CTPROF_VS_SKIP)
		return;
	ctprof_buf_putc(b, ' ');
	if (!v->has_baseline || (!(vg->has & (1u << CTPROF_LIM_MAX_INCREASE |
					     1u << CTPROF_LIM_MAX_DECREASE)) &&
				 (vg->has & (1u << CTPROF_LIM_MAX | 1u << CTPROF_LIM_MIN)))) {
		ctprof_buf_puts(b, "= ");
		value(b, g, p->b, false);
	} else if (!(vg->has & (1u << CTPROF_LIM_MAX_INCREASE | 1u << CTPROF_LIM_MAX_DECREASE))) {
		value(b, g, p->delta, true);
	} else if (p->has_pct) {
		rf_pct(b, p->pct);
	} else {
		value(b, g, p->a, false);
		ctprof_buf_puts(b, " -> ");
		value(b, g, p->b, false);
	}
	ctprof_buf_puts(b, " (");
	vr_limits(b, vg);
	ctprof_buf_putc(b, ')');
	if (p->reason == CTPROF_VR_WITHIN_NOISE)
		ctprof_buf_puts(b, " within the baseline's range");
}

/* "3.2%" of a spread fraction; "inf%" when infinite. */
static void spread_pct(struct ctprof_buf *b, double spread)
{
	if (isinf(spread))
		ctprof_buf_puts(b, "inf%");
	else
		bprintf(b, "%.3g%%", spread * 100.0);
}

static void noisy_side(struct ctprof_buf *b, const char *side, const struct ctprof_vsummary *s,
		       double max_noise, bool *first)
{
	if (s->n >= 2 && !(s->spread > max_noise))
		return;
	ctprof_buf_puts(b, *first ? ": " : ", ");
	*first = false;
	if (s->n < 2) {
		bprintf(b, "%s has %zu run%s (needs 2)", side, s->n, s->n == 1 ? "" : "s");
		return;
	}
	bprintf(b, "%s spread ", side);
	spread_pct(b, s->spread);
	bprintf(b, " > %g%%", max_noise * 100.0);
}

void vr_message(struct ctprof_buf *b, const struct ctprof_verdict *v,
		const struct ctprof_vpoint *p)
{
	bool first = true;

	ctprof_buf_puts(b, vr_reason(p));
	if (p->reason != CTPROF_VR_NOISY)
		return;
	if (v->has_baseline)
		noisy_side(b, "baseline", &p->sa, v->max_noise, &first);
	noisy_side(b, "candidate", &p->sb, v->max_noise, &first);
}

void vr_runs(struct ctprof_buf *b, const struct ctprof_vsummary *s)
{
	if (!s->has) {
		ctprof_buf_putc(b, '-');
		return;
	}
	bprintf(b, "n=%zu mean=", s->n);
	vr_num(b, s->mean, "-");
	ctprof_buf_puts(b, " min=");
	vr_num(b, s->min, "-");
	ctprof_buf_puts(b, " max=");
	vr_num(b, s->max, "-");
	ctprof_buf_puts(b, " spread=");
	spread_pct(b, s->spread);
}

bool vr_show_runs(const struct ctprof_vpoint *p)
{
	return p->repeated && (p->status == CTPROF_VS_FAIL || p->reason == CTPROF_VR_NOISY ||
			       p->reason == CTPROF_VR_WITHIN_NOISE);
}

int vr_finish(struct ctprof_buf *b, char **out, size_t *len, struct ctprof_error *err,
	      const char *what)
{
	if (ctprof_buf_putc(b, '\0') < 0 || b->oom || ctprof_alloc_failed_take()) {
		ctprof_buf_free(b);
		return ctprof_err(err, -ENOMEM, "render %s: out of memory", what);
	}
	*out = b->data;
	if (len)
		*len = b->len - 1;
	return 0;
}

static void yaml_str(struct ctprof_buf *b, const char *ind, const char *key, const char *s)
{
	bprintf(b, "%s%s: \"", ind, key);
	vr_escape(b, s, VR_ESC_YAML);
	ctprof_buf_puts(b, "\"\n");
}

static void yaml_num(struct ctprof_buf *b, const char *ind, const char *key, bool set, double v)
{
	bprintf(b, "%s%s: ", ind, key);
	if (set)
		vr_num(b, v, "~");
	else
		ctprof_buf_putc(b, '~');
	ctprof_buf_putc(b, '\n');
}

static void yaml_runs(struct ctprof_buf *b, const char *ind, const char *key,
		      const struct ctprof_vsummary *s)
{
	if (!s->has) {
		bprintf(b, "%s%s: ~\n", ind, key);
		return;
	}
	bprintf(b, "%s%s:\n%s  n: %zu\n", ind, key, ind, s->n);
	yaml_num(b, ind, "  mean", true, s->mean);
	yaml_num(b, ind, "  min", true, s->min);
	yaml_num(b, ind, "  max", true, s->max);
	if (isinf(s->spread))
		bprintf(b, "%s  spread_pct: .inf\n", ind);
	else
		yaml_num(b, ind, "  spread_pct", true, s->spread * 100.0);
}

static void point(struct ctprof_buf *b, const struct ctprof_verdict *v,
		  const struct ctprof_vpoint *p, size_t num, const char *ind)
{
	const struct ctprof_gate *g = &v->gs->gates[p->gate];
	struct ctprof_buf d = { 0 }, m = { 0 };
	char yind[16];

	vr_describe(&d, v, p);
	ctprof_buf_putc(&d, '\0');
	vr_message(&m, v, p);
	ctprof_buf_putc(&m, '\0');
	bprintf(b, "%s%s %zu - ", ind, p->status == CTPROF_VS_FAIL ? "not ok" : "ok", num);
	vr_escape(b, d.oom ? "?" : d.data, VR_ESC_TAP);
	ctprof_buf_free(&d);
	if (p->status == CTPROF_VS_SKIP) {
		ctprof_buf_puts(b, " # SKIP ");
		vr_escape(b, m.oom ? "?" : m.data, VR_ESC_TAP);
	}
	ctprof_buf_putc(b, '\n');
	if (p->status != CTPROF_VS_FAIL && !vr_show_runs(p)) {
		ctprof_buf_free(&m);
		return;
	}
	(void)snprintf(yind, sizeof(yind), "%s  ", ind);
	bprintf(b, "%s---\n", yind);
	yaml_str(b, yind, "message", m.oom ? "?" : m.data);
	ctprof_buf_free(&m);
	yaml_str(b, yind, "metric", g->metric);
	yaml_str(b, yind, "group", p->group);
	bprintf(b, "%saxis: %s\n", yind, ctprof_group_by_name(v->axis));
	yaml_num(b, yind, "baseline", p->has_a, p->a);
	yaml_num(b, yind, "candidate", p->has_b, p->b);
	yaml_num(b, yind, "delta", p->has_delta, p->delta);
	yaml_num(b, yind, "delta_pct", p->has_pct, p->pct * 100.0);
	yaml_str(b, yind, "gate", g->text);
	bprintf(b, "%slimit: %s\n", yind, p->limit >= 0 ? ctprof_limit_name(p->limit) : "~");
	if (p->limit >= 0) {
		const struct ctprof_vgate *vg = &v->gates[p->gate];

		yaml_str(b, yind, "threshold", vg->lim_text[p->limit] ? vg->lim_text[p->limit] : "");
		if (vg->has >> CTPROF_LIM_FLOOR & 1)
			yaml_str(b, yind, "floor", vg->lim_text[CTPROF_LIM_FLOOR]);
	}
	bprintf(b, "%spolarity: %s\n", yind, ctprof_polarity_name(g->polarity));
	if (p->repeated) {
		yaml_runs(b, yind, "baseline_runs", &p->sa);
		yaml_runs(b, yind, "candidate_runs", &p->sb);
		yaml_num(b, yind, "max_noise_pct", true, v->max_noise * 100.0);
	}
	bprintf(b, "%s...\n", yind);
}

static void counts(struct ctprof_buf *b, const struct ctprof_verdict *v)
{
	size_t i;

	for (i = 0; i < v->n_orphans; i++) {
		bprintf(b, "# only in the %s: ", v->orphans[i].in_baseline ? "baseline" : "candidate");
		vr_escape(b, v->orphans[i].group, VR_ESC_TAP);
		ctprof_buf_putc(b, '\n');
	}
	bprintf(b, "# %zu tests, %zu passed, %zu failed, %zu skipped\n", v->n_points, v->passed,
		v->failed, v->skipped);
}

/* A step's YAML block: the message, then diag as a literal block. */
static void step_yaml(struct ctprof_buf *b, const struct ctprof_tap_step *st)
{
	const char *p, *nl;

	ctprof_buf_puts(b, "  ---\n");
	yaml_str(b, "  ", "message", st->reason ? st->reason : "");
	if (st->diag && *st->diag) {
		ctprof_buf_puts(b, "  diag: |-\n");
		for (p = st->diag; *p; p = nl ? nl + 1 : p + strlen(p)) {
			struct ctprof_buf line = { 0 };
			size_t n;

			nl = strchr(p, '\n');
			n = nl ? (size_t)(nl - p) : strlen(p);
			ctprof_buf_append(&line, p, n);
			ctprof_buf_putc(&line, '\0');
			ctprof_buf_puts(b, "    ");
			/* TAP escaping keeps every byte printable and on one line */
			vr_escape(b, line.oom ? "?" : line.data, VR_ESC_TAP);
			ctprof_buf_putc(b, '\n');
			ctprof_buf_free(&line);
			if (!nl)
				break;
		}
	}
	ctprof_buf_puts(b, "  ...\n");
}

static void render_body(struct ctprof_buf *b, const struct ctprof_tap_step *steps, size_t n_steps,
			const struct ctprof_verdict *v, int version)
{
	size_t i, j, n_v = !v ? 0 : version == 13 ? v->n_points : v->gs->n;

	bprintf(b, "1..%zu\n", n_steps + n_v);
	for (i = 0; i < n_steps; i++) {
		const struct ctprof_tap_step *st = &steps[i];

		bprintf(b, "%s %zu - ", st->status == CTPROF_VS_FAIL ? "not ok" : "ok", i + 1);
		vr_escape(b, st->name ? st->name : "", VR_ESC_TAP);
		if (st->status == CTPROF_VS_SKIP) {
			ctprof_buf_puts(b, " # SKIP ");
			vr_escape(b, st->reason ? st->reason : "", VR_ESC_TAP);
		}
		ctprof_buf_putc(b, '\n');
		if (st->status == CTPROF_VS_FAIL)
			step_yaml(b, st);
	}
	if (!v)
		return;
	if (version == 13) {
		for (i = 0; i < v->n_points; i++)
			point(b, v, &v->points[i], n_steps + i + 1, "");
	} else {
		for (i = 0; i < v->gs->n; i++) {
			const struct ctprof_vgate *vg = &v->gates[i];

			ctprof_buf_puts(b, "# Subtest: ");
			vr_escape(b, v->gs->gates[i].text, VR_ESC_TAP);
			bprintf(b, "\n    1..%zu\n", vg->n);
			for (j = 0; j < vg->n; j++)
				point(b, v, &v->points[vg->first + j], j + 1, "    ");
			bprintf(b, "%s %zu - ", vg->failed ? "not ok" : "ok", n_steps + i + 1);
			vr_escape(b, v->gs->gates[i].text, VR_ESC_TAP);
			ctprof_buf_putc(b, '\n');
		}
	}
	counts(b, v);
}

CTPROF_API int ctprof_render_tap(const struct ctprof_verdict *v, int version, char **out,
				 size_t *len, struct ctprof_error *err)
{
	struct ctprof_buf b = { 0 };

	/* allocation failures swallowed on the way are reported by the finish */
	(void)ctprof_alloc_failed_take();
	if (!v || !out)
		return ctprof_err(err, -EINVAL, "render TAP: no verdict");
	if (version != 13 && version != 14)
		return ctprof_err(err, -EINVAL, "render TAP: unsupported version %d (13 or 14)",
				  version);
	bprintf(&b, "TAP version %d\n", version);
	render_body(&b, NULL, 0, v, version);
	return vr_finish(&b, out, len, err, "TAP");
}

CTPROF_API int ctprof_render_tap_run(const char *preamble, const struct ctprof_tap_step *steps,
				     size_t n_steps, const struct ctprof_verdict *v, int version,
				     char **out, size_t *len, struct ctprof_error *err)
{
	struct ctprof_buf b = { 0 };
	const char *p, *nl;

	/* allocation failures swallowed on the way are reported by the finish */
	(void)ctprof_alloc_failed_take();
	if (!out || (n_steps && !steps))
		return ctprof_err(err, -EINVAL, "render TAP: no steps");
	if (version != 13 && version != 14)
		return ctprof_err(err, -EINVAL, "render TAP: unsupported version %d (13 or 14)",
				  version);
	bprintf(&b, "TAP version %d\n", version);
	for (p = preamble; p && *p; p = nl + 1) {
		struct ctprof_buf line = { 0 };

		nl = strchr(p, '\n');
		ctprof_buf_append(&line, p, nl ? (size_t)(nl - p) : strlen(p));
		ctprof_buf_putc(&line, '\0');
		ctprof_buf_puts(&b, "# ");
		vr_escape(&b, line.oom ? "?" : line.data, VR_ESC_TAP);
		ctprof_buf_putc(&b, '\n');
		ctprof_buf_free(&line);
		if (!nl)
			break;
	}
	render_body(&b, steps, n_steps, v, version);
	return vr_finish(&b, out, len, err, "TAP");
}
