/* SPDX-License-Identifier: MIT */
/*
 * libctprof — the compare engine: pattern keys, grouping, aggregation,
 * the metric and derived-metric registries, deltas and sorting.
 *
 * Reproduces ktstr's `ctprof compare` (shared/spec/compare-engine.md §3-§8):
 * the same keys, the same aggregates, the same deltas and the same row
 * order. Rendering lives in <ctprof/render.h>.
 *
 * Ownership: a struct ctprof_diff (and a struct ctprof_groupset) BORROWS
 * the snapshots it was built from — strings, CPU lists, PSI, host context
 * and sched_ext are read from them when rendering. Free the diff before
 * the snapshots.
 */
#ifndef CTPROF_COMPARE_H
#define CTPROF_COMPARE_H

#include <ctprof/snapshot.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- grouping axes -------------------------------------------------- */

enum ctprof_group_by {
	CTPROF_GROUP_PCOMM,
	CTPROF_GROUP_CGROUP,
	CTPROF_GROUP_COMM,
	CTPROF_GROUP_COMM_EXACT,
	CTPROF_GROUP_ALL,
};

/* CLI name: "pcomm", "cgroup", "comm", "comm-exact", "all". */
CTPROF_API const char *ctprof_group_by_name(enum ctprof_group_by g);
/* Parse a CLI name (exact, lower case). 0 or -EINVAL. */
CTPROF_API int ctprof_group_by_parse(const char *s, enum ctprof_group_by *out);
/* Group-column header: pcomm, cgroup, comm-pattern, comm, comm. */
CTPROF_API const char *ctprof_group_by_header(enum ctprof_group_by g);

/* ---- scale ladders ---------------------------------------------------- */

enum ctprof_ladder {
	CTPROF_LADDER_NS,
	CTPROF_LADDER_US,
	CTPROF_LADDER_BYTES,
	CTPROF_LADDER_TICKS,
	CTPROF_LADDER_UNITLESS,
	CTPROF_LADDER_NONE,
};

/* "ns", "µs", "B", "ticks", "" or "". */
CTPROF_API const char *ctprof_ladder_base_unit(enum ctprof_ladder l);
/* The ladder of an aggregation rule (§5.2). */
CTPROF_API enum ctprof_ladder ctprof_agg_ladder(enum ctprof_agg agg);

/* ---- the registries ----------------------------------------------------- */

#define CTPROF_NMETRICS 87
#define CTPROF_NDERIVED 17
#define CTPROF_DERIVED_MAX_INPUTS 8

/*
 * One primary metric. The table is built from CTPROF_THREAD_FIELDS (the
 * `reg` column orders it) plus the synthetic thread_count at index 0.
 */
struct ctprof_metric {
	const char *name;
	unsigned index; /* 0-based registry position: the canonical row order */
	int field;      /* enum ctprof_field_id; -1 for thread_count */
	enum ctprof_agg agg;
	enum ctprof_ladder ladder;
	enum ctprof_class klass;
	unsigned gates;
	enum ctprof_pred pred;
	enum ctprof_polarity polarity;
	enum ctprof_section section;
	const char *description;
};

/* The 87 primary metrics in registry order. */
CTPROF_API const struct ctprof_metric *ctprof_metrics(void);

enum ctprof_derived_kind {
	CTPROF_DK_RATIO,        /* in0 / in1 */
	CTPROF_DK_SHARE,        /* in0 / (in0 + in1) */
	CTPROF_DK_DIFF,         /* in0 - in1, signed, no zero check */
	CTPROF_DK_OFFCPU_TOTAL, /* sum of in0..in5 + max(in6, in7) */
};

struct ctprof_derived_metric {
	const char *name;
	unsigned index;
	enum ctprof_derived_kind kind;
	unsigned inputs[CTPROF_DERIVED_MAX_INPUTS]; /* primary registry indices */
	unsigned n_inputs;
	enum ctprof_ladder ladder;
	bool is_ratio;
	enum ctprof_section section; /* CTPROF_SEC_PRIMARY means "derived" */
	enum ctprof_polarity polarity;
	const char *description;
};

/* The 17 derived metrics in registry order. */
CTPROF_API const struct ctprof_derived_metric *ctprof_derived_metrics(void);

enum ctprof_metric_kind {
	CTPROF_MK_NONE = 0,
	CTPROF_MK_PRIMARY = 1,
	CTPROF_MK_DERIVED = 2,
};
/* Look a metric up by exact name in both registries. */
CTPROF_API enum ctprof_metric_kind ctprof_metric_lookup(const char *name, unsigned *index);
/*
 * Tags of a metric ("[cfs-only] [SCHEDSTATS]"; "" when none) into buf
 * (always NUL-terminated when size > 0). Returns the full length.
 */
CTPROF_API size_t ctprof_metric_tags(const struct ctprof_metric *m, char *buf, size_t size);

/* ---- pattern keys and cgroup keys ----------------------------------------- */

/*
 * ktstr's token normalizer (§4.2): "kworker/3:1" -> "kworker/{N}:{N}".
 * Returns a malloc'd string, NULL on ENOMEM.
 */
CTPROF_API char *ctprof_pattern_key(const char *name);
/*
 * Automatic cgroup normalization of a (post-flatten) path: systemd
 * template instances (Layer 1) then pattern_key (Layer 2); Layer 3 always
 * yields the Layer-2 skeleton (§4.5.2). malloc'd, NULL on ENOMEM.
 */
CTPROF_API char *ctprof_cgroup_normalize(const char *path);
/*
 * --cgroup-flatten: the first glob (fnmatch without FNM_PATHNAME) that
 * matches the whole path; NULL when none does. Returns a pointer into
 * `globs`, or NULL.
 */
CTPROF_API const char *ctprof_cgroup_flatten(const char *path, const char *const *globs,
					     size_t n_globs);

/* ---- aggregated values ------------------------------------------------------ */

enum ctprof_av_kind {
	CTPROF_AV_SUM,
	CTPROF_AV_MAX,
	CTPROF_AV_RANGE,
	CTPROF_AV_MODE,
	CTPROF_AV_AFFINITY,
	CTPROF_AV_ABSENT,
};

struct ctprof_tally {
	const char *value;
	uint64_t count;
};

/* One metric's value for one group (ktstr's Aggregated). */
struct ctprof_aggv {
	uint8_t kind;  /* enum ctprof_av_kind */
	bool uniform;  /* AFFINITY: every thread had the same CPU list (aff.cpus) */
	uint32_t n;    /* MODE: number of tallies; AFFINITY: length of aff.cpus */
	union {
		uint64_t u; /* SUM, MAX */
		struct {
			int64_t min, max;
		} range;
		struct {
			const struct ctprof_tally *tallies; /* sorted by value bytes */
			uint64_t total;
		} mode;
		struct {
			uint32_t min_cpus, max_cpus;
			const uint32_t *cpus; /* uniform list, ascending */
		} aff;
	};
};

/* Numeric projection (§5.1): false for MODE and ABSENT. */
CTPROF_API bool ctprof_aggv_numeric(const struct ctprof_aggv *v, double *out);
/* The mode value ("" when no tallies) and its count. */
CTPROF_API const char *ctprof_aggv_mode(const struct ctprof_aggv *v, uint64_t *count);

/* ---- options ------------------------------------------------------------------ */

struct ctprof_sort_key {
	enum ctprof_metric_kind kind;
	unsigned index;
	bool descending;
};

/*
 * Parse a --sort-by spec ("m1[:asc|desc],m2,..."). On success *keys is a
 * malloc'd array (NULL when the spec is empty) of *n keys. -EINVAL with a
 * message for an empty entry, an unknown or categorical metric, a
 * duplicate, or a bad direction.
 */
CTPROF_API int ctprof_sort_by_parse(const char *spec, struct ctprof_sort_key **keys, size_t *n,
				    struct ctprof_error *err);

struct ctprof_compare_opts {
	size_t sz; /* sizeof(struct ctprof_compare_opts) */
	enum ctprof_group_by group_by;
	const char *const *cgroup_flatten; /* globs, tried in order */
	size_t n_cgroup_flatten;
	bool no_thread_normalize;
	bool no_cg_normalize;
	const struct ctprof_sort_key *sort_by;
	size_t n_sort_by;
};

/* ---- the diff ------------------------------------------------------------------ */

/* A byte string that may hold NUL (compound keys under --group-by all). */
struct ctprof_key {
	const char *s; /* NUL-terminated after len bytes */
	size_t len;
};

/* One matched (or fudged) group pair; rows point at it. */
struct ctprof_pair {
	struct ctprof_key key;     /* join key */
	struct ctprof_key display; /* display key: the join key, or "[fudged: leaf]" */
	uint64_t threads_a, threads_b;
	const struct ctprof_aggv *a, *b; /* CTPROF_NMETRICS values each */
	bool fudged;
	bool has_uptime;
	double uptime_pct;
	bool has_sort_delta; /* delta of the first --sort-by key (colours the SortBy cell) */
	double sort_delta;
	uint32_t rank;       /* position of key in byte order among pairs */
	uint32_t dv_mask_a;  /* bit i: derived metric i has a value on side a */
	uint32_t dv_mask_b;
	double dv_a[CTPROF_NDERIVED];
	double dv_b[CTPROF_NDERIVED];
};

enum {
	CTPROF_ROW_DELTA = 1u << 0, /* delta is set */
	CTPROF_ROW_PCT = 1u << 1,   /* pct is set (a fraction: delta / baseline) */
};

/* One row: a pair and a metric (primary or derived, by array). */
struct ctprof_row {
	uint32_t pair;
	uint16_t metric;
	uint8_t flags;
	double delta;
	double pct;
};

struct ctprof_fudged_pair {
	const char *baseline_cgroup;
	const char *candidate_cgroup;
	uint64_t overlap;
	double jaccard;
	const char **baseline_residual; /* "pcomm:comm" */
	size_t n_baseline_residual;
	const char **candidate_residual;
	size_t n_candidate_residual;
	uint64_t cascaded_children;
	const char *baseline_root;
	const char *candidate_root;
};

/* smaps_rollup per process key (§4.9), values in bytes, keys sorted. */
struct ctprof_smaps_entry {
	struct ctprof_key key;
	struct ctprof_kvmap bytes;
};

/* Flattened and merged cgroup stats (§4.5.4), keys sorted. */
struct ctprof_cgstats_entry {
	const char *key;
	struct ctprof_cgroup_stats stats;
};

struct ctprof_diff {
	enum ctprof_group_by group_by;
	const struct ctprof_snapshot *a, *b; /* borrowed */
	struct ctprof_pair *pairs;
	size_t n_pairs;
	struct ctprof_row *rows; /* sorted (§8.3) */
	size_t n_rows;
	struct ctprof_row *derived_rows; /* sorted */
	size_t n_derived_rows;
	struct ctprof_key *only_a; /* sorted */
	size_t n_only_a;
	struct ctprof_key *only_b;
	size_t n_only_b;
	struct ctprof_fudged_pair *fudged;
	size_t n_fudged;
	enum ctprof_metric_kind sort_kind; /* first --sort-by key, NONE when none */
	unsigned sort_index;
	struct ctprof_smaps_entry *smaps_a, *smaps_b;
	size_t n_smaps_a, n_smaps_b;
	struct ctprof_cgstats_entry *cg_a, *cg_b; /* only under CTPROF_GROUP_CGROUP */
	size_t n_cg_a, n_cg_b;
	void *priv;
};

/*
 * Compare two snapshots (§3). *out is written only on success; free it
 * with ctprof_diff_free() before freeing a or b.
 */
CTPROF_API int ctprof_compare(const struct ctprof_snapshot *a, const struct ctprof_snapshot *b,
			      const struct ctprof_compare_opts *opts, struct ctprof_diff **out,
			      struct ctprof_error *err);
CTPROF_API void ctprof_diff_free(struct ctprof_diff *d);

/* ---- one snapshot (show) ----------------------------------------------------------- */

struct ctprof_group {
	struct ctprof_key key;
	uint64_t threads;
	uint64_t avg_start_ticks;
	struct ctprof_aggv *m; /* CTPROF_NMETRICS values */
	uint32_t dv_mask;
	double dv[CTPROF_NDERIVED];
};

struct ctprof_groupset {
	enum ctprof_group_by group_by;
	const struct ctprof_snapshot *snap; /* borrowed */
	struct ctprof_group *groups;        /* in display order (key order, or --sort-by) */
	size_t n;
	struct ctprof_smaps_entry *smaps; /* show keys are never compound */
	size_t n_smaps;
	struct ctprof_cgstats_entry *cg; /* only under CTPROF_GROUP_CGROUP */
	size_t n_cg;
	void *priv;
};

/*
 * Group one snapshot as `ctprof show` does (§11.2): pattern counts over
 * this snapshot alone; groups in key order, or ranked by the absolute
 * values of the --sort-by metrics.
 */
CTPROF_API int ctprof_groupset_build(const struct ctprof_snapshot *s,
				     const struct ctprof_compare_opts *opts,
				     struct ctprof_groupset **out, struct ctprof_error *err);
CTPROF_API void ctprof_groupset_free(struct ctprof_groupset *g);

#ifdef __cplusplus
}
#endif
#endif /* CTPROF_COMPARE_H */
