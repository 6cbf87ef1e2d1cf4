/* SPDX-License-Identifier: MIT */
/*
 * Verdicts as JUnit XML (kernel-interfaces.md §10.3): exactly one root,
 * one <testsuite> per gate, one <testcase> per (gate, group); a failure
 * carries the same facts as the TAP YAML block.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vrnd.h"

static void attr(struct ctprof_buf *b, const char *name, const char *s)
{
	ctprof_buf_putc(b, ' ');
	ctprof_buf_puts(b, name);
	ctprof_buf_puts(b, "=\"");
	vr_escape(b, s, VR_ESC_XML);
	ctprof_buf_putc(b, '"');
}

static void attr_n(struct ctprof_buf *b, const char *name, size_t n)
{
	char tmp[32];

	(void)snprintf(tmp, sizeof(tmp), "%zu", n);
	attr(b, name, tmp);
}

static void fact(struct ctprof_buf *b, const char *key, const char *s)
{
	ctprof_buf_puts(b, key);
	ctprof_buf_puts(b, ": ");
	vr_escape(b, s, VR_ESC_XML);
	ctprof_buf_putc(b, '\n');
}

static void fact_num(struct ctprof_buf *b, const char *key, bool set, double v)
{
	ctprof_buf_puts(b, key);
	ctprof_buf_puts(b, ": ");
	if (set)
		vr_num(b, v, "-");
	else
		ctprof_buf_putc(b, '-');
	ctprof_buf_putc(b, '\n');
}

/* The sides' runs of a repeated point, one fact line each. */
static void fact_runs(struct ctprof_buf *b, const struct ctprof_verdict *v,
		      const struct ctprof_vpoint *p)
{
	ctprof_buf_puts(b, "baseline_runs: ");
	vr_runs(b, &p->sa);
	ctprof_buf_puts(b, "\ncandidate_runs: ");
	vr_runs(b, &p->sb);
	ctprof_buf_puts(b, "\nmax_noise_pct: ");
	vr_num(b, v->max_noise * 100.0, "-");
	ctprof_buf_putc(b, '\n');
}

static void testcase(struct ctprof_buf *b, const struct ctprof_verdict *v,
		     const struct ctprof_vpoint *p)
{
	const struct ctprof_gate *g = &v->gs->gates[p->gate];
	struct ctprof_buf d = { 0 }, n = { 0 }, m = { 0 };

	vr_describe(&d, v, p);
	ctprof_buf_putc(&d, '\0');
	vr_message(&m, v, p);
	ctprof_buf_putc(&m, '\0');
	ctprof_buf_puts(&n, p->group);
	ctprof_buf_puts(&n, ": ");
	ctprof_buf_puts(&n, g->metric);
	ctprof_buf_putc(&n, '\0');
	ctprof_buf_puts(b, "    <testcase");
	attr(b, "classname", g->text);
	attr(b, "name", n.oom ? "?" : n.data);
	attr(b, "time", "0");
	if (p->status == CTPROF_VS_OK && !vr_show_runs(p)) {
		ctprof_buf_puts(b, "/>\n");
		goto out;
	}
	ctprof_buf_puts(b, ">\n");
	if (p->status == CTPROF_VS_OK) {
		ctprof_buf_puts(b, "      <system-out>");
		fact(b, "message", m.oom ? "?" : m.data);
		fact_runs(b, v, p);
		ctprof_buf_puts(b, "</system-out>\n");
	} else if (p->status == CTPROF_VS_SKIP) {
		ctprof_buf_puts(b, "      <skipped");
		attr(b, "message", m.oom ? "?" : m.data);
		if (vr_show_runs(p)) {
			ctprof_buf_puts(b, ">");
			fact_runs(b, v, p);
			ctprof_buf_puts(b, "</skipped>\n");
		} else {
			ctprof_buf_puts(b, "/>\n");
		}
	} else {
		ctprof_buf_puts(b, "      <failure");
		attr(b, "message", d.oom ? "?" : d.data);
		attr(b, "type", vr_reason_key(p->reason));
		ctprof_buf_puts(b, ">");
		fact(b, "message", vr_reason(p));
		fact(b, "metric", g->metric);
		fact(b, "group", p->group);
		fact(b, "axis", ctprof_group_by_name(v->axis));
		fact_num(b, "baseline", p->has_a, p->a);
		fact_num(b, "candidate", p->has_b, p->b);
		fact_num(b, "delta", p->has_delta, p->delta);
		fact_num(b, "delta_pct", p->has_pct, p->pct * 100.0);
		fact(b, "gate", g->text);
		fact(b, "limit", p->limit >= 0 ? ctprof_limit_name(p->limit) : "-");
		fact(b, "polarity", ctprof_polarity_name(g->polarity));
		if (p->repeated)
			fact_runs(b, v, p);
		ctprof_buf_puts(b, "</failure>\n");
	}
	ctprof_buf_puts(b, "    </testcase>\n");
out:
	ctprof_buf_free(&d);
	ctprof_buf_free(&n);
	ctprof_buf_free(&m);
}

/* Multi-line text, each line escaped (XML text keeps its newlines). */
static void text_lines(struct ctprof_buf *b, const char *s)
{
	const char *nl;

	for (; s && *s; s = nl + 1) {
		struct ctprof_buf line = { 0 };

		nl = strchr(s, '\n');
		ctprof_buf_append(&line, s, nl ? (size_t)(nl - s) : strlen(s));
		ctprof_buf_putc(&line, '\0');
		vr_escape(b, line.oom ? "?" : line.data, VR_ESC_XML);
		ctprof_buf_putc(b, '\n');
		ctprof_buf_free(&line);
		if (!nl)
			break;
	}
}

/* The run's steps as one <testsuite name="run">. */
static void steps_suite(struct ctprof_buf *b, const struct ctprof_tap_step *st, size_t n)
{
	size_t i, failed = 0, skipped = 0;

	for (i = 0; i < n; i++) {
		failed += st[i].status == CTPROF_VS_FAIL;
		skipped += st[i].status == CTPROF_VS_SKIP;
	}
	ctprof_buf_puts(b, "  <testsuite");
	attr(b, "name", "run");
	attr_n(b, "tests", n);
	attr_n(b, "failures", failed);
	attr_n(b, "errors", 0);
	attr_n(b, "skipped", skipped);
	ctprof_buf_puts(b, ">\n");
	for (i = 0; i < n; i++) {
		ctprof_buf_puts(b, "    <testcase");
		attr(b, "classname", "run");
		attr(b, "name", st[i].name ? st[i].name : "");
		if (st[i].status == CTPROF_VS_OK) {
			ctprof_buf_puts(b, "/>\n");
			continue;
		}
		ctprof_buf_puts(b, ">\n");
		if (st[i].status == CTPROF_VS_SKIP) {
			ctprof_buf_puts(b, "      <skipped");
			attr(b, "message", st[i].reason ? st[i].reason : "");
			ctprof_buf_puts(b, "/>\n");
		} else {
			ctprof_buf_puts(b, "      <failure");
			attr(b, "message", st[i].reason ? st[i].reason : "");
			attr(b, "type", "step");
			ctprof_buf_puts(b, ">");
			text_lines(b, st[i].diag ? st[i].diag : st[i].reason);
			ctprof_buf_puts(b, "</failure>\n");
		}
		ctprof_buf_puts(b, "    </testcase>\n");
	}
	ctprof_buf_puts(b, "  </testsuite>\n");
}

static int render(const struct ctprof_tap_step *st, size_t n_steps,
		  const struct ctprof_verdict *v, char **out, size_t *len,
		  struct ctprof_error *err)
{
	struct ctprof_buf b = { 0 };
	size_t i, j, tests = n_steps, failed = 0, skipped = 0;

	/* allocation failures swallowed on the way are reported by the finish */
	(void)ctprof_alloc_failed_take();
	for (i = 0; i < n_steps; i++) {
		failed += st[i].status == CTPROF_VS_FAIL;
		skipped += st[i].status == CTPROF_VS_SKIP;
	}
	if (v) {
		tests += v->n_points;
		failed += v->failed;
		skipped += v->skipped;
	}
	ctprof_buf_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites");
	attr(&b, "name", "ctprof-harness");
	attr_n(&b, "tests", tests);
	attr_n(&b, "failures", failed);
	attr_n(&b, "errors", 0);
	attr_n(&b, "skipped", skipped);
	ctprof_buf_puts(&b, ">\n");
	if (n_steps)
		steps_suite(&b, st, n_steps);
	for (i = 0; v && i < v->gs->n; i++) {
		const struct ctprof_vgate *vg = &v->gates[i];

		ctprof_buf_puts(&b, "  <testsuite");
		attr(&b, "name", v->gs->gates[i].text);
		attr_n(&b, "tests", vg->n);
		attr_n(&b, "failures", vg->failed);
		attr_n(&b, "errors", 0);
		attr_n(&b, "skipped", vg->skipped);
		ctprof_buf_puts(&b, ">\n");
		for (j = 0; j < vg->n; j++)
			testcase(&b, v, &v->points[vg->first + j]);
		ctprof_buf_puts(&b, "  </testsuite>\n");
	}
	ctprof_buf_puts(&b, "</testsuites>\n");
	return vr_finish(&b, out, len, err, "JUnit");
}

CTPROF_API int ctprof_render_junit(const struct ctprof_verdict *v, char **out, size_t *len,
				   struct ctprof_error *err)
{
	if (!v || !out)
		return ctprof_err(err, -EINVAL, "render JUnit: no verdict");
	return render(NULL, 0, v, out, len, err);
}

CTPROF_API int ctprof_render_junit_run(const struct ctprof_tap_step *steps, size_t n_steps,
				       const struct ctprof_verdict *v, char **out, size_t *len,
				       struct ctprof_error *err)
{
	if (!out || (n_steps && !steps))
		return ctprof_err(err, -EINVAL, "render JUnit: no steps");
	return render(steps, n_steps, v, out, len, err);
}
