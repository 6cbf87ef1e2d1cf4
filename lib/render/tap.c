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
}

int vr_finish(struct ctprof_buf *b, char **out, size_t *len, struct ctprof_error *err,
	      const char *what)
{
	if (ctprof_buf_putc(b, '\0') < 0 || b->oom) {
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

static void point(struct ctprof_buf *b, const struct ctprof_verdict *v,
		  const struct ctprof_vpoint *p, size_t num, const char *ind)
{
	const struct ctprof_gate *g = &v->gs->gates[p->gate];
	struct ctprof_buf d = { 0 };
	char yind[16];

	vr_describe(&d, v, p);
	ctprof_buf_putc(&d, '\0');
	bprintf(b, "%s%s %zu - ", ind, p->status == CTPROF_VS_FAIL ? "not ok" : "ok", num);
	vr_escape(b, d.oom ? "?" : d.data, VR_ESC_TAP);
	ctprof_buf_free(&d);
	if (p->status == CTPROF_VS_SKIP) {
		ctprof_buf_puts(b, " # SKIP ");
		vr_escape(b, vr_reason(p), VR_ESC_TAP);
	}
	ctprof_buf_putc(b, '\n');
	if (p->status != CTPROF_VS_FAIL)
		return;
	snprintf(yind, sizeof(yind), "%s  ", ind);
	bprintf(b, "%s---\n", yind);
	yaml_str(b, yind, "message", vr_reason(p));
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

CTPROF_API int ctprof_render_tap(const struct ctprof_verdict *v, int version, char **out,
				 size_t *len, struct ctprof_error *err)
{
	struct ctprof_buf b = { 0 };
	size_t i, j;

	if (!v || !out)
		return ctprof_err(err, -EINVAL, "render TAP: no verdict");
	if (version != 13 && version != 14)
		return ctprof_err(err, -EINVAL, "render TAP: unsupported version %d (13 or 14)",
				  version);
	bprintf(&b, "TAP version %d\n", version);
	if (version == 13) {
		bprintf(&b, "1..%zu\n", v->n_points);
		for (i = 0; i < v->n_points; i++)
			point(&b, v, &v->points[i], i + 1, "");
	} else {
		bprintf(&b, "1..%zu\n", v->gs->n);
		for (i = 0; i < v->gs->n; i++) {
			const struct ctprof_vgate *vg = &v->gates[i];

			ctprof_buf_puts(&b, "# Subtest: ");
			vr_escape(&b, v->gs->gates[i].text, VR_ESC_TAP);
			bprintf(&b, "\n    1..%zu\n", vg->n);
			for (j = 0; j < vg->n; j++)
				point(&b, v, &v->points[vg->first + j], j + 1, "    ");
			bprintf(&b, "%s %zu - ", vg->failed ? "not ok" : "ok", i + 1);
			vr_escape(&b, v->gs->gates[i].text, VR_ESC_TAP);
			ctprof_buf_putc(&b, '\n');
		}
	}
	counts(&b, v);
	return vr_finish(&b, out, len, err, "TAP");
}
