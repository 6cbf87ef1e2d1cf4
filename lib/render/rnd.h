/* SPDX-License-Identifier: MIT */
/* Internal API of the renderers: cell formatters and the table builder. */
#ifndef CTPROF_LIB_RENDER_RND_H
#define CTPROF_LIB_RENDER_RND_H

#include <ctprof/render.h>

#include "../util/util.h"

/* ---- cell formatters (fmt.c); each appends to b -------------------------- */

/* auto_scale (§9.1): scaled value and unit. */
CTPROF_HIDDEN double rf_auto_scale(double v, enum ctprof_ladder l, const char **unit);
/* "22ticks", "999ns", "11", "2.684s", "101.154K", "7.500GiB" */
CTPROF_HIDDEN void rf_scaled_u64(struct ctprof_buf *b, uint64_t v, enum ctprof_ladder l);
/* Sum/Max scaled; Absent "-"; other kinds: display text + base unit. */
CTPROF_HIDDEN void rf_value(struct ctprof_buf *b, const struct ctprof_aggv *v,
			    enum ctprof_ladder l);
/* "+10", "-11", "+195ticks", "+92.457K", "+0.500" */
CTPROF_HIDDEN void rf_delta(struct ctprof_buf *b, double d, enum ctprof_ladder l);
/* "+1063.1%" of a fraction */
CTPROF_HIDDEN void rf_pct(struct ctprof_buf *b, double frac);
/* derived value: "0.873" (ratio), "123.40ns", "1.235ms" */
CTPROF_HIDDEN void rf_derived(struct ctprof_buf *b, double v, enum ctprof_ladder l, bool ratio);
CTPROF_HIDDEN void rf_derived_delta(struct ctprof_buf *b, double d, enum ctprof_ladder l,
				    bool ratio);
/* "b → c (Δ)", "b → -", "- → c", "-" */
CTPROF_HIDDEN void rf_cgroup_cell(struct ctprof_buf *b, const uint64_t *a, const uint64_t *c,
				  enum ctprof_ladder l);
/* "1.50%" of centi-percent */
CTPROF_HIDDEN void rf_psi_avg(struct ctprof_buf *b, uint16_t v);
/* "0.50% → 2.25% (+1.75%)" */
CTPROF_HIDDEN void rf_psi_cell(struct ctprof_buf *b, const uint16_t *a, const uint16_t *c);
/* "max" or scaled */
CTPROF_HIDDEN void rf_opt_limit(struct ctprof_buf *b, const struct ctprof_opt_u64 *v,
				enum ctprof_ladder l);
/* a pair of optional limits: once when equal, else "a → b" */
CTPROF_HIDDEN void rf_limit_pair(struct ctprof_buf *b, const struct ctprof_opt_u64 *a,
				 const struct ctprof_opt_u64 *c, enum ctprof_ladder l);
/* "max/100.000ms" */
CTPROF_HIDDEN void rf_cpu_max(struct ctprof_buf *b, const struct ctprof_opt_u64 *quota,
			      uint64_t period);
/* cpu.max of two optional sides (NULL: no stats on that side) */
CTPROF_HIDDEN void rf_cpu_max_pair(struct ctprof_buf *b, const struct ctprof_cgroup_stats *a,
				   const struct ctprof_cgroup_stats *c);
/* "0-3,8" */
CTPROF_HIDDEN void rf_cpu_range(struct ctprof_buf *b, const uint32_t *cpus, size_t n);
/* "N" or "A→B" */
CTPROF_HIDDEN void rf_threads(struct ctprof_buf *b, uint64_t a, uint64_t c);
/*
 * A name from a snapshot, safe to print: control bytes become \xNN, and
 * (nul_space) a NUL byte becomes a space (the separator of ALL keys).
 */
CTPROF_HIDDEN void rf_name(struct ctprof_buf *b, const char *s, size_t len);

/* ---- tables (table.c): comfy-table's NOTHING preset ----------------------- */

enum rt_color {
	RT_NONE,
	RT_RED,
	RT_GREEN,
	RT_YELLOW,
	RT_BLUE,
	RT_MAGENTA,
	RT_CYAN,
	RT_WHITE,
	RT_GREY,
};

enum rt_row_kind {
	RT_HEADER,
	RT_DATA,
	RT_HEADING, /* tree headings: never widen a column */
};

struct rt_cell {
	size_t off, len;
	uint32_t width;
	uint8_t color;
	bool bold;
};

struct rt_table {
	size_t ncols;
	struct ctprof_buf text;
	struct rt_cell *cells;
	size_t ncells, capcells;
	uint8_t *kinds;
	size_t nrows, caprows;
	bool oom;
};

CTPROF_HIDDEN void rt_init(struct rt_table *t, size_t ncols);
CTPROF_HIDDEN void rt_free(struct rt_table *t);
CTPROF_HIDDEN void rt_row(struct rt_table *t, enum rt_row_kind kind);
/* Add a cell to the current row (bytes copied). */
CTPROF_HIDDEN void rt_cell(struct rt_table *t, const char *s, size_t len, enum rt_color c, bool bold);
CTPROF_HIDDEN void rt_cells(struct rt_table *t, const char *s, enum rt_color c, bool bold);
/* Number of data rows. */
CTPROF_HIDDEN size_t rt_data_rows(const struct rt_table *t);
/* Render every line (with "\n") into out. */
CTPROF_HIDDEN int rt_render(const struct rt_table *t, struct ctprof_buf *out, bool color,
			    unsigned wrap_width);
/* Display width of UTF-8 text (code points). */
CTPROF_HIDDEN size_t rt_width(const char *s, size_t len);

/* A line that looks like "## x" but must not count as a section heading. */
#define RT_NOT_SECTION '\x01'
/* ktstr's limit_sections (§10.8), dropping RT_NOT_SECTION markers. */
CTPROF_HIDDEN int rt_limit_sections(const char *in, size_t len, size_t limit,
				    struct ctprof_buf *out);

/* ---- the cgroup / pcomm / comm tree of --group-by all (tree.c) ------------- */

struct rt_hrow {
	const char *cg, *pc, *cm; /* the three parts of a compound key */
	size_t cglen, pclen, cmlen;
	size_t idx; /* the caller's row index; also the row's rank */
};
/* Split "cg\0pcomm\0comm" (comm falls back to pcomm). */
CTPROF_HIDDEN void rt_hsplit(struct rt_hrow *h, const char *key, size_t len);
/*
 * Order rows given in rank order by (best rank of their cgroup, best rank
 * of their (cgroup, pcomm), own rank) (§10.1).
 */
CTPROF_HIDDEN int rt_hier_sort(struct rt_hrow *rows, size_t n);

#define RT_TREE_MAXSEG 256
struct rt_tree {
	const char *seg[RT_TREE_MAXSEG];
	size_t seglen[RT_TREE_MAXSEG];
	size_t nseg;
	const char *pc;
	size_t pclen;
};
/*
 * Before a data row of (cg, pc): add heading rows for the new cgroup
 * segments and (pcomm_headings) a pcomm heading. Returns the depth (number
 * of segments of cg) to indent the data row by.
 */
CTPROF_HIDDEN size_t rt_tree_step(struct rt_table *t, struct rt_tree *st, const char *cg,
				  size_t cglen, const char *pc, size_t pclen, bool pcomm_headings,
				  size_t group_col);

/* ---- shared bits ---------------------------------------------------------- */

/* Hand a finished buffer to the caller (or free it and fill err). */
CTPROF_HIDDEN int rt_finish(struct ctprof_buf *b, int r, char **out, size_t *len,
			    struct ctprof_error *err, const char *what);
CTPROF_HIDDEN int rt_check_opts(const struct ctprof_render_opts *o, struct ctprof_error *err);

CTPROF_HIDDEN bool rs_enabled(const struct ctprof_render_opts *o, enum ctprof_report_section s);
CTPROF_HIDDEN const char *rc_header(enum ctprof_column c, const char *group_header);
/* Host-context lines (§14) and summaries (host.c). */
CTPROF_HIDDEN int rh_host_diff(struct ctprof_buf *b, const struct ctprof_snapshot *a,
			       const struct ctprof_snapshot *c, const char *an, const char *cn);
CTPROF_HIDDEN int rh_host_show(struct ctprof_buf *b, const struct ctprof_snapshot *s,
			       bool color, unsigned wrap);
CTPROF_HIDDEN int rh_summaries(struct ctprof_buf *b, const struct ctprof_snapshot *a,
			       const struct ctprof_snapshot *c, bool color, unsigned wrap);
/* JSON (json.c) */
CTPROF_HIDDEN int rj_diff(struct ctprof_buf *b, const struct ctprof_diff *d,
			  const struct ctprof_render_opts *o);
CTPROF_HIDDEN int rj_show(struct ctprof_buf *b, const struct ctprof_groupset *g,
			  const struct ctprof_render_opts *o);
CTPROF_HIDDEN void rj_str(struct ctprof_buf *b, const char *s, size_t len);
/* Host fields as (key, value) lines for both sides: used by text and JSON. */
struct rh_field {
	char *key;
	char *a; /* NULL: missing on that side */
	char *b;
	const char *miss; /* how a missing value reads: "(unknown)" or "(absent)" */
};
CTPROF_HIDDEN int rh_host_fields(const struct ctprof_host *a, const struct ctprof_host *c,
				 struct rh_field **out, size_t *n);
CTPROF_HIDDEN void rh_fields_free(struct rh_field *f, size_t n);
/* Summary fields (probe/parse/taskstats) of both sides. */
CTPROF_HIDDEN int rh_summary_fields(const struct ctprof_snapshot *a, const struct ctprof_snapshot *c,
				    struct rh_field **out, size_t *n);

#endif
