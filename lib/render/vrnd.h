/* SPDX-License-Identifier: MIT */
/* Internal helpers of the verdict renderers (tap.c, junit.c, verdict_json.c). */
#ifndef CTPROF_LIB_RENDER_VRND_H
#define CTPROF_LIB_RENDER_VRND_H

#include <ctprof/render.h>
#include <ctprof/verdict.h>

#include "rnd.h"

enum vr_esc {
	VR_ESC_TAP,  /* \ -> \\, # -> \#, control and invalid UTF-8 bytes -> \xHH */
	VR_ESC_YAML, /* inside "...": \ -> \\, " -> \", control/invalid bytes -> \xHH */
	VR_ESC_XML,  /* & < > " ' as entities, control/invalid bytes -> \xHH text */
};
/* Append s (NUL-terminated) escaped for the given context; never emits a newline. */
CTPROF_HIDDEN void vr_escape(struct ctprof_buf *b, const char *s, enum vr_esc mode);
/* "GROUP: METRIC +4.2% (max +10%)" (unescaped). */
CTPROF_HIDDEN void vr_describe(struct ctprof_buf *b, const struct ctprof_verdict *v,
			       const struct ctprof_vpoint *p);
/* The SKIP reason or failure message of a point (unescaped); "" when it held. */
CTPROF_HIDDEN const char *vr_reason(const struct ctprof_vpoint *p);
/*
 * vr_reason() and, for a NOISY point, why: "too noisy: baseline spread
 * 3.2% > 1%, candidate has 1 run (needs 2)" (unescaped).
 */
CTPROF_HIDDEN void vr_message(struct ctprof_buf *b, const struct ctprof_verdict *v,
			      const struct ctprof_vpoint *p);
/* One side of a repeated point: "n=3 mean=10 min=9 max=11 spread=20%"; "-" when none. */
CTPROF_HIDDEN void vr_runs(struct ctprof_buf *b, const struct ctprof_vsummary *s);
/* A repeated point whose renderings show the sides' runs (failed, noisy, within noise...). */
CTPROF_HIDDEN bool vr_show_runs(const struct ctprof_vpoint *p);
/* "held", "limit", "coverage_baseline_only", ... */
CTPROF_HIDDEN const char *vr_reason_key(enum ctprof_vreason r);
/* The limits of a gate: "max +10%, floor 10us". */
CTPROF_HIDDEN void vr_limits(struct ctprof_buf *b, const struct ctprof_vgate *vg);
/* A number for YAML/JSON: "%.15g", or `none` when not finite. */
CTPROF_HIDDEN void vr_num(struct ctprof_buf *b, double v, const char *none);
/* Hand the buffer over (or free it and fill err). */
CTPROF_HIDDEN int vr_finish(struct ctprof_buf *b, char **out, size_t *len,
			    struct ctprof_error *err, const char *what);

#endif
