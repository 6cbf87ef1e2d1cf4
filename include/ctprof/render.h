/* SPDX-License-Identifier: MIT */
/*
 * libctprof — rendering of comparisons, single snapshots and the metric
 * registry: ktstr's text tables (compare-engine.md §9-§10, §11.2-§11.3),
 * plus a JSON form, the host-context diff (§14) and the capture summaries.
 *
 * Every renderer returns a malloc'd NUL-terminated buffer; nothing here
 * writes to a file descriptor.
 */
#ifndef CTPROF_RENDER_H
#define CTPROF_RENDER_H

#include <ctprof/compare.h>

#ifdef __cplusplus
extern "C" {
#endif

enum ctprof_output_format {
	CTPROF_OUT_TEXT,
	CTPROF_OUT_JSON,
};

enum ctprof_column {
	CTPROF_COL_GROUP,
	CTPROF_COL_THREADS,
	CTPROF_COL_METRIC,
	CTPROF_COL_BASELINE,
	CTPROF_COL_CANDIDATE,
	CTPROF_COL_DELTA,
	CTPROF_COL_PCT,
	CTPROF_COL_ARROW,
	CTPROF_COL_VALUE, /* show only */
	CTPROF_COL_TAGS,
	CTPROF_COL_UPTIME,
	CTPROF_COL_SORTBY, /* appended automatically, never parsed */
};

enum ctprof_display_format {
	CTPROF_DISPLAY_FULL,
	CTPROF_DISPLAY_DELTA_ONLY,
	CTPROF_DISPLAY_NO_PCT,
	CTPROF_DISPLAY_ARROW, /* the CLI default */
	CTPROF_DISPLAY_PCT_ONLY,
};

/* Report sections, in rendering order (the bit of each is 1 << value). */
enum ctprof_report_section {
	CTPROF_RS_PRIMARY,
	CTPROF_RS_TASKSTATS_DELAY,
	CTPROF_RS_DERIVED,
	CTPROF_RS_CGROUP_STATS,
	CTPROF_RS_CGROUP_LIMITS,
	CTPROF_RS_MEMORY_STAT,
	CTPROF_RS_MEMORY_EVENTS,
	CTPROF_RS_PRESSURE,
	CTPROF_RS_HOST_PRESSURE,
	CTPROF_RS_SMAPS_ROLLUP,
	CTPROF_RS_SCHED_EXT,
	CTPROF_RS_HOST,      /* beyond ktstr: the host-context diff (§14) */
	CTPROF_RS_SUMMARIES, /* beyond ktstr: probe/parse/taskstats summaries */
	CTPROF_RS__COUNT,
};

/* CLI name of a section ("primary", "taskstats-delay", ..., "summaries"). */
CTPROF_API const char *ctprof_section_name(enum ctprof_report_section s);
/* True for the five sections that exist only under --group-by cgroup. */
CTPROF_API bool ctprof_section_cgroup_only(enum ctprof_report_section s);

/* "full", "delta-only", "no-pct", "arrow", "pct-only". 0 or -EINVAL. */
CTPROF_API int ctprof_display_format_parse(const char *s, enum ctprof_display_format *out);

/*
 * --columns: comma-separated, case-insensitive names from group, threads,
 * metric, baseline, candidate, delta, %, arrow, tags, uptime (and value
 * when `show`). Rejects unknown, duplicate and empty entries, `value` for
 * compare, the compare-only columns for show, and arrow together with
 * baseline or candidate. An empty spec gives *n = 0 (use the defaults).
 */
CTPROF_API int ctprof_columns_parse(const char *spec, bool show, enum ctprof_column **cols,
				    size_t *n, struct ctprof_error *err);
/* --sections: case-insensitive names; *mask = 0 for an empty spec (all). */
CTPROF_API int ctprof_sections_parse(const char *spec, uint32_t *mask, struct ctprof_error *err);

/* --metrics row filter over both registries. */
struct ctprof_metric_filter {
	bool active; /* false: every metric */
	bool primary[CTPROF_NMETRICS];
	bool derived[CTPROF_NDERIVED];
};
/* Exact, case-sensitive names; unknown, duplicate or empty entries fail. */
CTPROF_API int ctprof_metrics_parse(const char *spec, struct ctprof_metric_filter *f,
				    struct ctprof_error *err);

struct ctprof_render_opts {
	size_t sz; /* sizeof(struct ctprof_render_opts) */
	enum ctprof_output_format format;
	enum ctprof_display_format display;  /* compare only */
	const enum ctprof_column *columns;   /* NULL/0: the format's defaults */
	size_t n_columns;
	uint32_t sections; /* 1 << enum ctprof_report_section; 0 = every section */
	struct ctprof_metric_filter metrics;
	size_t limit;        /* per-section line cap (text); 0 = unlimited */
	bool color;          /* ANSI colours (a terminal); never set for pipes */
	unsigned wrap_width; /* wrap tables to this many columns; 0 = no wrapping */
	const char *baseline_name;  /* shown in the orphan lists and the host diff */
	const char *candidate_name; /* (show: the snapshot's name in baseline_name) */
};

/* Render a comparison (text per §10, or JSON). */
CTPROF_API int ctprof_render_diff(const struct ctprof_diff *d, const struct ctprof_render_opts *o,
				  char **out, size_t *len, struct ctprof_error *err);
/* Render one snapshot's groups (ctprof show, §11.2). */
CTPROF_API int ctprof_render_show(const struct ctprof_groupset *g,
				  const struct ctprof_render_opts *o, char **out, size_t *len,
				  struct ctprof_error *err);
/* The metric registry (ctprof metric-list, §11.3). */
CTPROF_API int ctprof_render_metric_list(enum ctprof_output_format f, char **out, size_t *len,
					 struct ctprof_error *err);

/* ---- verdicts (<ctprof/verdict.h>) ---------------------------------------------- */

struct ctprof_verdict;
/*
 * TAP (version 13, or 14 with one subtest per gate): a plan, one point per
 * (gate, group), a YAML block on each `not ok`, `# SKIP` for coverage
 * differences, the one-side-only groups and a counts line as comments.
 * Names from the host are escaped so that they can never forge a line.
 */
CTPROF_API int ctprof_render_tap(const struct ctprof_verdict *v, int version, char **out,
				 size_t *len, struct ctprof_error *err);
/*
 * A run's TAP: the version line, each line of `preamble` as a "# " comment
 * (preflight), the plan, one point per step (steps first, in order), then
 * the gates' points as ctprof_render_tap() numbers them (v may be NULL: no
 * gates). A failed step gets a YAML block with its message and diag.
 * status is an enum ctprof_vstatus (CTPROF_VS_OK, _FAIL, _SKIP).
 */
struct ctprof_tap_step {
	const char *name;   /* test-point description (escaped on output) */
	int status;         /* enum ctprof_vstatus */
	const char *reason; /* SKIP reason or failure message; NULL: none */
	const char *diag;   /* multi-line detail for the YAML block; NULL: none */
};
CTPROF_API int ctprof_render_tap_run(const char *preamble, const struct ctprof_tap_step *steps,
				     size_t n_steps, const struct ctprof_verdict *v, int version,
				     char **out, size_t *len, struct ctprof_error *err);
/*
 * A run's JUnit XML: a <testsuite name="run"> with one <testcase> per step
 * (a failed step's diag is the <failure> text), then the gates' suites as
 * ctprof_render_junit() writes them (v may be NULL).
 */
CTPROF_API int ctprof_render_junit_run(const struct ctprof_tap_step *steps, size_t n_steps,
				       const struct ctprof_verdict *v, char **out, size_t *len,
				       struct ctprof_error *err);
/* JUnit XML: one <testsuite> per gate, one <testcase> per group. */
CTPROF_API int ctprof_render_junit(const struct ctprof_verdict *v, char **out, size_t *len,
				   struct ctprof_error *err);
/* The structured verdicts as JSON. */
CTPROF_API int ctprof_render_verdict_json(const struct ctprof_verdict *v, char **out,
					  size_t *len, struct ctprof_error *err);

#ifdef __cplusplus
}
#endif
#endif /* CTPROF_RENDER_H */
