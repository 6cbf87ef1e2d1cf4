/* SPDX-License-Identifier: MIT */
/*
 * libctprof — gates and verdicts (DESIGN.md §6, compare-engine.md §13).
 *
 * A gate names a metric, optionally a group glob, and limits:
 *
 *     METRIC[@GROUPGLOB][:LIMIT[,LIMIT...]]
 *     LIMIT = max_increase=10% | max_decrease=5% | max=50us | min=1000 |
 *             max_delta=0 | floor=1ms
 *
 * The limits start after the LAST ':' (group keys such as
 * "kworker/{N}:{N}" hold colons). Metrics: every numeric primary and
 * derived metric of the registries, psi.<cpu|memory|io|irq>.<some|full>.
 * <avg10|avg60|avg300|total_usec> (host), cgroup.<key> (per cgroup group,
 * --group-by cgroup only), sched_ext.<switch_all|nr_rejected|hotplug_seq|
 * enable_seq> (host). Host metrics have one group, named "host".
 *
 * Verdict rules: a relative limit fails only when the change exceeds both
 * the relative threshold and the floor (dual gate); a zero baseline is
 * judged by the floor alone; a metric absent on one side is a coverage
 * difference (SKIP, never a failure); a group present on one side only is
 * listed, and fails only when a gate names it literally; a gate matching
 * no group fails. A gate without an explicit relative or absolute limit
 * takes the default threshold of the metric's polarity (lower-better: an
 * increase fails; higher-better: a decrease fails).
 *
 * Ownership: a verdict borrows its gateset (free it first); the strings in
 * a verdict are its own.
 */
#ifndef CTPROF_VERDICT_H
#define CTPROF_VERDICT_H

#include <ctprof/compare.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Where a gate's metric comes from. */
enum ctprof_gate_src {
	CTPROF_GS_PRIMARY,   /* index: primary registry */
	CTPROF_GS_DERIVED,   /* index: derived registry */
	CTPROF_GS_PSI,       /* host PSI; index: resource * 8 + half * 4 + field */
	CTPROF_GS_CGROUP,    /* per cgroup group; index: enum ctprof_cg_metric, key: sub key */
	CTPROF_GS_SCHED_EXT, /* index: 0 switch_all, 1 nr_rejected, 2 hotplug_seq, 3 enable_seq */
};

/* cgroup.<...> metrics (CTPROF_GS_CGROUP). */
enum ctprof_cg_metric {
	CTPROF_CG_CPU_USAGE_USEC,
	CTPROF_CG_CPU_NR_THROTTLED,
	CTPROF_CG_CPU_THROTTLED_USEC,
	CTPROF_CG_MEMORY_CURRENT,
	CTPROF_CG_PIDS_CURRENT,
	CTPROF_CG_MEMORY_EVENTS, /* cgroup.memory.events.<key> */
	CTPROF_CG_PSI,           /* cgroup.psi.<res>.<half>.<field>; psi index in psi */
};

/* The value domain of a metric: which units a limit may use. */
enum ctprof_gate_unit {
	CTPROF_GU_NS,      /* ns us ms s (0 may be bare) */
	CTPROF_GU_US,      /* ns us ms s, stored in µs */
	CTPROF_GU_BYTES,   /* B KiB MiB GiB (0 may be bare) */
	CTPROF_GU_COUNT,   /* bare numbers */
	CTPROF_GU_TICKS,   /* bare numbers (USER_HZ ticks) */
	CTPROF_GU_RATIO,   /* a fraction: bare (0.9) or percent (90%) */
	CTPROF_GU_PERCENT, /* percent points (PSI averages): bare (5) or 5% */
};

enum ctprof_limit_kind {
	CTPROF_LIM_MAX_INCREASE, /* relative, a fraction */
	CTPROF_LIM_MAX_DECREASE, /* relative, a fraction */
	CTPROF_LIM_MAX,          /* absolute on the candidate */
	CTPROF_LIM_MIN,          /* absolute on the candidate */
	CTPROF_LIM_MAX_DELTA,    /* change in the bad direction (either, for informational) */
	CTPROF_LIM_FLOOR,        /* significance floor of the relative limits */
	CTPROF_LIM__COUNT,
};

/* "max_increase", ..., "floor". */
CTPROF_API const char *ctprof_limit_name(enum ctprof_limit_kind k);
/* "informational", "lower_better", "higher_better". */
CTPROF_API const char *ctprof_polarity_name(enum ctprof_polarity p);

struct ctprof_gate {
	char *text;   /* the gate as written (CLI) or rebuilt (policy object) */
	char *metric; /* metric name */
	char *group;  /* group glob; NULL: every group */
	enum ctprof_gate_src src;
	unsigned index;
	char *key; /* cgroup.memory.events.<key>: the key; else NULL */
	enum ctprof_gate_unit unit;
	enum ctprof_polarity polarity;
	uint32_t has;                         /* 1 << enum ctprof_limit_kind: limits written */
	double lim[CTPROF_LIM__COUNT];        /* metric's base unit; relative ones as fractions */
	char *lim_text[CTPROF_LIM__COUNT];    /* value text as written ("10%", "1ms") */
	bool implicit;                        /* no direction given: polarity decides */
};

/* One floor of a defaults entry; the first whose unit fits a metric is used. */
struct ctprof_gate_floor {
	char *text;
	double value; /* ns for time, bytes, percent for '%', else bare */
	int family;   /* 0 bare, 1 time, 2 bytes, 3 percent */
};

struct ctprof_gate_defaults {
	bool has_threshold;
	double threshold; /* fraction */
	char *threshold_text;
	struct ctprof_gate_floor *floors;
	size_t n_floors;
};

struct ctprof_gateset {
	struct ctprof_gate *gates;
	size_t n;
	struct ctprof_gate_defaults defaults[3]; /* by enum ctprof_polarity */
};

/* An empty set with the built-in defaults (lower-better 10%, higher-better 5%, no floor). */
CTPROF_API struct ctprof_gateset *ctprof_gateset_new(void);
CTPROF_API void ctprof_gateset_free(struct ctprof_gateset *gs);
/* Parse one gate spec and append it. -EINVAL quoting the offending text. */
CTPROF_API int ctprof_gateset_add(struct ctprof_gateset *gs, const char *spec,
				  struct ctprof_error *err);
/* The --default-gates set, as gate specs; *n gets the count. */
CTPROF_API const char *const *ctprof_default_gates(size_t *n);
/* Append every gate of ctprof_default_gates(). */
CTPROF_API int ctprof_gateset_add_defaults(struct ctprof_gateset *gs, struct ctprof_error *err);
/*
 * A policy document: {"defaults": {"lower_better"|"higher_better"|
 * "informational": {"threshold": "10%", "floor": "1ms" | ["1ms", "100"]}},
 * "gates": ["SPEC", {"metric": M, "group": G, "max_increase": "10%", ...}]}.
 * Unknown keys, metrics, negative or malformed values fail with -EINVAL
 * naming `name` and quoting the offending text.
 */
CTPROF_API int ctprof_gateset_policy(struct ctprof_gateset *gs, const char *json, size_t len,
				     const char *name, struct ctprof_error *err);
/* Read a policy file (at most 1 MiB) and apply it. */
CTPROF_API int ctprof_gateset_load_policy(struct ctprof_gateset *gs, const char *path,
					  struct ctprof_error *err);

/* ---- verdicts ------------------------------------------------------------ */

enum ctprof_vstatus {
	CTPROF_VS_OK,
	CTPROF_VS_FAIL,
	CTPROF_VS_SKIP,
};

enum ctprof_vreason {
	CTPROF_VR_HELD,           /* every limit held */
	CTPROF_VR_LIMIT,          /* `limit` was exceeded */
	CTPROF_VR_COVERAGE_A,     /* measured in the baseline only (SKIP) */
	CTPROF_VR_COVERAGE_B,     /* measured in the candidate only (SKIP) */
	CTPROF_VR_NOT_MEASURED,   /* measured on neither side (SKIP) */
	CTPROF_VR_NO_BASELINE,    /* relative limits on a single interval (SKIP) */
	CTPROF_VR_GROUP_A_ONLY,   /* a literally named group only in the baseline (FAIL) */
	CTPROF_VR_GROUP_B_ONLY,   /* a literally named group only in the candidate (FAIL) */
	CTPROF_VR_NO_GROUP,       /* the gate matched no group (FAIL) */
	/* repeated runs (ctprof_verdict_repeat) */
	CTPROF_VR_NOISY,          /* a side has < 2 runs or a spread above max_noise (SKIP) */
	CTPROF_VR_WITHIN_NOISE,   /* a relative limit exceeded, but the candidate's mean lies
				     inside the baseline's [min, max]: not significant (OK) */
};

/*
 * The runs of one side of a repeated point (ktstr's noise summary,
 * compare-engine.md §13.6). spread = (max - min) / |mean| as a fraction:
 * 0 when max == min, INFINITY when |mean| < 1e-9 and the values differ.
 */
struct ctprof_vsummary {
	bool has;     /* n > 0 */
	size_t n;     /* runs that have the group and measured the metric */
	double mean, min, max, spread;
};

/* One test point: a gate and a group. */
struct ctprof_vpoint {
	size_t gate;   /* index into the gateset */
	char *group;   /* printable group name (NUL separators of ALL keys become ' ') */
	enum ctprof_vstatus status;
	enum ctprof_vreason reason;
	int limit;     /* enum ctprof_limit_kind that failed; -1 when none */
	bool has_a, has_b;
	double a, b;   /* baseline, candidate (single interval: b only) */
	bool has_delta, has_pct;
	double delta;  /* b - a */
	double pct;    /* delta / a, a fraction; set when |a| > 1e-9 */
	/*
	 * Repeated runs: a and b are the sides' means, sa and sb their
	 * summaries (sa.has false without a baseline side). For NOISY and
	 * WITHIN_NOISE points, `limit` is the limit the means exceeded
	 * (-1 when none).
	 */
	struct ctprof_vsummary sa, sb;
	bool repeated;
};

/* The limits a gate was evaluated with (defaults resolved). */
struct ctprof_vgate {
	uint32_t has;
	double lim[CTPROF_LIM__COUNT];
	const char *lim_text[CTPROF_LIM__COUNT]; /* borrowed from the gate or the defaults */
	size_t first, n; /* its points: points[first .. first + n) */
	size_t passed, failed, skipped;
};

struct ctprof_vorphan {
	char *group;
	bool in_baseline; /* true: baseline only; false: candidate only */
};

struct ctprof_verdict {
	const struct ctprof_gateset *gs; /* borrowed */
	enum ctprof_group_by axis;
	bool has_baseline;
	struct ctprof_vgate *gates; /* gs->n entries */
	struct ctprof_vpoint *points;
	size_t n_points;
	struct ctprof_vorphan *orphans; /* groups on one side only, sorted */
	size_t n_orphans;
	size_t passed, failed, skipped;
	/* repeated runs (ctprof_verdict_repeat) */
	bool repeated;
	size_t runs_a, runs_b; /* runs per side */
	double max_noise;      /* the noise threshold used, a fraction */
};

/*
 * Evaluate every gate against a comparison. -EINVAL (exit status 2 in the
 * CLI) for a cgroup.* gate when the diff is not grouped by cgroup.
 */
CTPROF_API int ctprof_verdict_compare(const struct ctprof_gateset *gs, const struct ctprof_diff *d,
				      struct ctprof_verdict **out, struct ctprof_error *err);
/*
 * Evaluate absolute limits against one snapshot or interval (its groups);
 * gates with only relative limits are skipped (no baseline).
 */
CTPROF_API int ctprof_verdict_single(const struct ctprof_gateset *gs,
				     const struct ctprof_groupset *g, struct ctprof_verdict **out,
				     struct ctprof_error *err);

struct ctprof_repeat_opts {
	size_t sz;        /* sizeof(struct ctprof_repeat_opts) */
	double max_noise; /* the largest spread that still counts, a fraction; 0: 0.01 (1%) */
};

/*
 * Gates over repeated runs (ktstr's noise rule, compare-engine.md §13.6).
 * a[0..na) are the baseline runs, b[0..nb) the candidate runs, each one
 * run's groups (all grouped by the same axis); na may be 0 (absolute
 * limits on the candidate's mean only; relative limits are skipped as
 * NO_BASELINE). Groups are matched by name across runs; a group missing
 * from some runs of a side is summarised over the runs that have it.
 *
 * Each (gate, group) point summarises both sides (struct ctprof_vsummary)
 * and feeds the means to the usual limit rules. Then: a side with fewer
 * than 2 values or a spread above max_noise makes the point too noisy
 * (SKIP, CTPROF_VR_NOISY; never a failure); a relative limit (max_increase,
 * max_decrease, max_delta against the baseline) exceeded while the
 * candidate's mean lies inside the baseline's inclusive [min, max] is not
 * significant (OK, CTPROF_VR_WITHIN_NOISE). An explicit limit on an
 * informational metric is judged like any other, as in compare mode.
 * Absolute limits (max, min; max_delta without a baseline) judge the
 * candidate's mean. A group on one side only is an orphan, as in
 * ctprof_verdict_compare(). -EINVAL for nb == 0, a NULL run, more than
 * 100000 runs a side, runs grouped by different axes, a negative or
 * non-finite max_noise, or a cgroup.* gate when the runs are not grouped
 * by cgroup. The TAP, JSON and JUnit renderings of a repeated point that
 * failed, is too noisy or was judged not significant show both sides' runs.
 */
CTPROF_API int ctprof_verdict_repeat(const struct ctprof_gateset *gs,
				     const struct ctprof_groupset *const *a, size_t na,
				     const struct ctprof_groupset *const *b, size_t nb,
				     const struct ctprof_repeat_opts *o,
				     struct ctprof_verdict **out, struct ctprof_error *err);
/* Summarise n values (n == 0: s->has false). */
CTPROF_API void ctprof_vsummary_of(const double *vals, size_t n, struct ctprof_vsummary *s);
CTPROF_API void ctprof_verdict_free(struct ctprof_verdict *v);

#ifdef __cplusplus
}
#endif
#endif /* CTPROF_VERDICT_H */
