/* SPDX-License-Identifier: MIT */
/*
 * libctprof — intervals: what happened between two snapshots (DESIGN.md §1).
 *
 * An interval is itself a snapshot (every tool that reads snapshots reads
 * intervals; ktstr loads them too): per thread, counters are after − before
 * with threads matched on (tid, start_time_clock_ticks); threads born inside
 * the window count from zero; gauges, peaks, identity, flags and smaps come
 * from `after`. Cgroup counters and PSI totals subtract, cgroup limits and
 * gauges come from `after`. The top-level "interval" key records both
 * capture timestamps.
 */
#ifndef CTPROF_INTERVAL_H
#define CTPROF_INTERVAL_H

#include <ctprof/snapshot.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ctprof_interval_opts {
	size_t sz; /* sizeof(struct ctprof_interval_opts) */
	/*
	 * Final accounting of threads that exited inside the window (taskstats
	 * exit records). Each becomes an interval thread with exited = true,
	 * counted from its `before` entry when it has one, else from zero.
	 * A record whose (tid, start time) is also in `after` is ignored.
	 */
	const struct ctprof_thread *exited;
	size_t n_exited;
};

struct ctprof_interval_stats {
	uint64_t matched;        /* after threads found in before */
	uint64_t born;           /* after threads not in before: counted from zero */
	uint64_t vanished;       /* before threads in neither after nor the exit records */
	uint64_t exited;         /* exit records added */
	uint64_t counter_resets; /* counter fields that went backwards: after value taken */
};

/*
 * Build the interval before -> after. A counter that went backwards (a
 * reused tid with the same start time, or a reset) takes the after value and
 * is tallied in stats->counter_resets instead of wrapping. opts and stats
 * may be NULL. *out is written only on success.
 */
CTPROF_API int ctprof_interval(const struct ctprof_snapshot *before,
			       const struct ctprof_snapshot *after,
			       const struct ctprof_interval_opts *opts,
			       struct ctprof_snapshot **out, struct ctprof_interval_stats *stats,
			       struct ctprof_error *err);

/*
 * Load what compare and show accept: a snapshot file (an interval is one),
 * or a run directory — its interval.ctprof.zst, else the interval of its
 * before.ctprof.zst and after.ctprof.zst.
 */
CTPROF_API int ctprof_load_input(const char *path, struct ctprof_snapshot **out,
				 struct ctprof_error *err);

/* memory.stat keys that are gauges (max on merge, taken from after); others count. */
CTPROF_API bool ctprof_memory_stat_is_gauge(const char *key);

#ifdef __cplusplus
}
#endif
#endif /* CTPROF_INTERVAL_H */
