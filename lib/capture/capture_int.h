/* SPDX-License-Identifier: MIT */
/*
 * Internal to lib/capture: the parallel procfs walker, the host-context
 * collector and small helpers shared by capture.c, walk.c, host.c and
 * mount.c. Parsers live behind parse.h.
 */
#ifndef CTPROF_LIB_CAPTURE_INT_H
#define CTPROF_LIB_CAPTURE_INT_H

#include <ctprof/capture.h>
#include "../util/util.h"
/* taskstats is used by capture (queries, the delayacct/xacct readers) */
#include "../taskstats/taskstats_int.h"

/* Files whose failed reads the parse tally counts, in key (byte) order. */
enum ctprof_walk_file {
	CTPROF_WF_CGROUP,
	CTPROF_WF_IO,
	CTPROF_WF_SCHED,
	CTPROF_WF_SCHEDSTAT,
	CTPROF_WF_SMAPS_ROLLUP,
	CTPROF_WF_STAT,
	CTPROF_WF_STATUS,
	CTPROF_WF__COUNT
};
_Static_assert(CTPROF_WF__COUNT <= 8, "the walker keeps failed-file bits in a byte");
/* The token of each file in read_failures_by_file ("cgroup", ...). */
CTPROF_HIDDEN const char *ctprof_walk_file_name(enum ctprof_walk_file f);

/* Parse tally of one walk (spec §3.8), before it becomes parse_summary. */
struct ctprof_walk_tally {
	uint64_t tids_walked;               /* every tid attempted, ghosts too */
	uint64_t fail[CTPROF_WF__COUNT];    /* failed reads of kept threads */
	uint64_t negative_dotted;           /* negative PN values of kept threads */
};

/*
 * Extension points for the taskstats client and the later jemalloc probe.
 * Every callback is optional. Workers are numbered 0..nworkers-1 and each
 * runs on one OS thread, so a hook may keep per-worker state (a netlink
 * socket, a ptrace scratch buffer) in an array indexed by worker.
 *
 * Order per thread: procfs reads, batch, span, tid, ghost filter. All
 * procfs reads of the walk finish before the first span hook runs.
 */
struct ctprof_walk_hooks {
	void *ctx;
	/* Once, before any worker starts; a negative errno aborts the walk. */
	int (*begin)(void *ctx, unsigned nworkers);
	/* Once, with the sorted list of tgids the walk will visit (the
	 * capturing process already left out), before any of them is read:
	 * lets the jemalloc probe attach to them (phase 1). The list is only
	 * valid during the call. A negative errno (only -ENOMEM) aborts. */
	int (*tgids)(void *ctx, const uint32_t *tgids, size_t n);
	/* Once per walked tgid (ascending order is not guaranteed: tgids are
	 * spread over the workers), before any of its threads is read. */
	void (*tgid)(void *ctx, unsigned worker, uint32_t tgid);
	/* Once per chunk of up to CTPROF_WALK_CHUNK threads of one tgid, after
	 * their procfs reads and before the ghost filter (so ghosts are
	 * included). A negative errno aborts. */
	int (*batch)(void *ctx, unsigned worker, struct ctprof_thread *t, size_t n);
	/* Once per span of up to CTPROF_WALK_SPAN consecutive threads in
	 * (tgid, tid) order, across tgids, before the tid hook and the ghost
	 * filter (ghosts included, as ktstr's taskstats queries are): lets a
	 * taskstats client pipeline its queries however few threads each
	 * process has. A negative errno aborts. */
	int (*span)(void *ctx, unsigned worker, struct ctprof_thread *t, size_t n);
	/* Once per tid after the span hook and before the ghost filter; may
	 * fill the taskstats / jemalloc fields and flags of t. A negative
	 * errno (only -ENOMEM) aborts the walk. */
	int (*tid)(void *ctx, unsigned worker, struct ctprof_thread *t);
};

struct ctprof_walk_opts {
	const char *proc_root;
	bool live;            /* sched_getaffinity first, Cpus_allowed_list as fallback */
	const uint32_t *pids; /* only these tgids (ascending, unique) ... */
	size_t n_pids;        /* ... when n_pids > 0; 0: every tgid */
	bool exclude_tgid;    /* leave out skip_tgid (the capturing process) */
	uint32_t skip_tgid;
	unsigned jobs;        /* >= 1 */
	const struct ctprof_walk_hooks *hooks; /* may be NULL */
};

struct ctprof_walk_result {
	struct ctprof_thread *threads; /* kept threads, (tgid, tid) ascending */
	size_t n_threads;
	size_t n_tgids;                /* tgids walked (after the self filter) */
	struct ctprof_walk_tally tally;
};

/* Upper bound on tids per tgid and in total (the kernel's PID_MAX_LIMIT). */
#define CTPROF_WALK_MAX_TIDS ((size_t)4 << 20)
/* Threads per unit of work handed to a worker. */
#define CTPROF_WALK_CHUNK 64
/* Threads per span of pass 3 (span hook, tid hook, ghost filter). */
#define CTPROF_WALK_SPAN 512

/*
 * Walk proc_root (spec §4.3 steps 4 and 7): enumerate tgids and tids,
 * read every per-thread file, apply the ghost filter and the tally.
 * Missing or unreadable directories give fewer threads, never an error.
 * Returns 0 or -ENOMEM (res then holds nothing).
 */
CTPROF_HIDDEN int ctprof_walk(const struct ctprof_walk_opts *o, struct ctprof_walk_result *res);
CTPROF_HIDDEN void ctprof_walk_result_clear(struct ctprof_walk_result *res);

/*
 * Run fn(ctx, worker, i) for i in [0, n) on up to jobs threads (the caller
 * is worker 0). Items are claimed in ascending order, one at a time.
 * Stops claiming new items once any call returns non-zero, and returns the
 * first such value (0 when every call returned 0).
 */
typedef int (*ctprof_par_fn)(void *ctx, unsigned worker, size_t i);
CTPROF_HIDDEN int ctprof_par_for(size_t n, unsigned jobs, ctprof_par_fn fn, void *ctx);

/* Number of CPUs this process may run on (at least 1). */
CTPROF_HIDDEN unsigned ctprof_usable_cpus(void);

/*
 * The host context read below root instead of "/" (tests point it at a
 * fixture tree; ctprof_host_collect uses "/"). uname(2) is always the
 * running kernel's. 0 or -ENOMEM.
 */
CTPROF_HIDDEN int ctprof_host_collect_at(const char *root, struct ctprof_host **out);

/* The cgroup2 mount point in mountinfo text; malloc'd, NULL if none
 * (*oom set when allocation failed). */
CTPROF_HIDDEN char *ctprof_mountinfo_cgroup2(const char *text, size_t len, bool *oom);

#endif
