/* SPDX-License-Identifier: MIT */
/*
 * libctprof — running a workload: the sched_ext scheduler swap
 * (DESIGN.md §7, shared/spec/kernel-interfaces.md §2–§4).
 *
 * The swap is a state machine whose steps each yield a structured result
 * (struct ctprof_scx_result: a test-point name, ok, a code and diagnostic
 * text) that a TAP renderer turns into one test point:
 *
 *   ctprof_scx_new()     validate the options, split the command line
 *   ctprof_scx_spawn()   read enable_seq, then start the scheduler: stdin
 *                        /dev/null, stdout+stderr to the log file, its own
 *                        process group, default signal dispositions
 *   ctprof_scx_attach()  bounded wait until <sys_root>/kernel/sched_ext/state
 *                        is "enabled", root/ops is non-empty and enable_seq
 *                        went up; records the ops name
 *   (the workload runs)
 *   ctprof_scx_check()   still "enabled", same enable_seq, process alive;
 *                        otherwise the scheduler was ejected or died: not ok
 *                        with the tail of its log
 *   ctprof_scx_stop()    SIGINT; bounded wait for the exit; SIGKILL to the
 *                        process group after the grace period; bounded wait
 *                        for state "disabled". Idempotent, and safe on every
 *                        path (never spawned, spawn or attach failed, died).
 *   ctprof_scx_free()    stops (if not yet stopped) and frees.
 *
 * Step functions return 0 when the step is ok, else a negative errno:
 * -ENOENT sched_ext sysfs absent, -ETIMEDOUT bounded wait expired, -ECHILD
 * the scheduler exited, -ECANCELED ejected (state or enable_seq changed),
 * -EINTR *opts.cancel became non-zero during the attach wait, or the
 * errno of a failing system call. The result is filled either way.
 *
 * The library never installs signal handlers and never blocks without a
 * bound; the child is watched with waitid(WNOHANG) polling. A handle is used
 * by one thread at a time.
 */
#ifndef CTPROF_RUN_H
#define CTPROF_RUN_H

#include <ctprof/common.h>
#include <ctprof/compare.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- command lines --------------------------------------------------- */

/*
 * Split a shell-like command line into a NULL-terminated argv: words are
 * separated by blanks (space, tab, newline); '...' is literal; "..." is
 * literal except that backslash escapes \" \\ \$ \` and newline; a backslash
 * outside quotes escapes the next character. No expansion of any kind.
 * Empty quotes give an empty word. At most 4096 words and 64 KiB of input.
 * An empty line, an unterminated quote or a trailing backslash is -EINVAL.
 * *argv_out is set only on success; free it with ctprof_argv_free().
 */
CTPROF_API int ctprof_split_cmdline(const char *line, char ***argv_out,
				    struct ctprof_error *err);
/* Free an argv from ctprof_split_cmdline(); NULL is fine. */
CTPROF_API void ctprof_argv_free(char **argv);

/* ---- the sched_ext swap ---------------------------------------------- */

struct ctprof_scx_opts {
	size_t sz;                    /* sizeof(struct ctprof_scx_opts) */
	const char *sys_root;         /* NULL: "/sys" */
	char *const *argv;            /* NULL-terminated; wins over cmdline */
	const char *cmdline;          /* split with ctprof_split_cmdline() */
	const char *log_path;         /* required: created/truncated, 0644 */
	unsigned attach_timeout_ms;   /* 0: 10000 */
	unsigned stop_grace_ms;       /* SIGINT to SIGKILL; 0: 5000 */
	unsigned disable_timeout_ms;  /* exit to state "disabled"; 0: 5000 */
	unsigned poll_ms;             /* sysfs/child polling period; 0: 10 */
	size_t log_tail_max;          /* bytes of log in diagnostics; 0: 4096 */
	/*
	 * Set (by a signal handler) to a signal number to give up waiting
	 * for the attach now (-EINTR); stop is never cut short.
	 */
	const volatile int *cancel;
};

enum ctprof_scx_step {
	CTPROF_SCX_STEP_SPAWN,
	CTPROF_SCX_STEP_ATTACH,
	CTPROF_SCX_STEP_CHECK,
	CTPROF_SCX_STEP_STOP,
};

#define CTPROF_SCX_DIAG_MAX 8192

/* One step's outcome, ready to become a test point. */
struct ctprof_scx_result {
	enum ctprof_scx_step step;
	const char *name;             /* static test-point name, e.g. "scheduler attach" */
	bool ok;
	int code;                     /* 0 or the negative errno returned */
	char diag[CTPROF_SCX_DIAG_MAX]; /* multi-line, "" when nothing to say */
};

struct ctprof_scx;

/*
 * Validate opts and prepare a swap (nothing is started). -EINVAL when
 * log_path or the command is missing or the command line does not split.
 */
CTPROF_API int ctprof_scx_new(const struct ctprof_scx_opts *opts, struct ctprof_scx **out,
			      struct ctprof_error *err);
CTPROF_API int ctprof_scx_spawn(struct ctprof_scx *scx, struct ctprof_scx_result *res);
CTPROF_API int ctprof_scx_attach(struct ctprof_scx *scx, struct ctprof_scx_result *res);
CTPROF_API int ctprof_scx_check(struct ctprof_scx *scx, struct ctprof_scx_result *res);
/* res may be NULL. A second call returns the first call's outcome. */
CTPROF_API int ctprof_scx_stop(struct ctprof_scx *scx, struct ctprof_scx_result *res);
/* Stops the scheduler if needed, then frees; NULL is fine. */
CTPROF_API void ctprof_scx_free(struct ctprof_scx *scx);

/* The scheduler's pid (also its process group), 0 before spawn. */
CTPROF_API int ctprof_scx_pid(const struct ctprof_scx *scx);
/* root/ops as recorded by a successful attach, else NULL. */
CTPROF_API const char *ctprof_scx_ops(const struct ctprof_scx *scx);
/* enable_seq before spawn and after attach. */
CTPROF_API uint64_t ctprof_scx_seq_before(const struct ctprof_scx *scx);
CTPROF_API uint64_t ctprof_scx_seq_attached(const struct ctprof_scx *scx);
/* The waitpid() status once the scheduler was reaped, else -1. */
CTPROF_API int ctprof_scx_wait_status(const struct ctprof_scx *scx);
CTPROF_API const char *ctprof_scx_log_path(const struct ctprof_scx *scx);


/* ---- the workload cgroup ---------------------------------------------- */

/*
 * A fresh cgroup v2 leaf for one workload, under the cgroup the calling
 * process is in (its "0::" line of /proc/self/cgroup), on the cgroup2 mount
 * found in mountinfo (/sys/fs/cgroup, or /sys/fs/cgroup/unified on hybrid
 * hosts). The leaf needs no controller: cpu.stat (usage_usec, user_usec,
 * system_usec), cgroup.events, cgroup.procs, cgroup.kill and the pressure
 * files are core files.
 */
struct ctprof_wcg_opts {
	size_t sz;               /* sizeof(struct ctprof_wcg_opts) */
	const char *mountinfo;   /* NULL: "/proc/self/mountinfo" */
	const char *self_cgroup; /* NULL: "/proc/self/cgroup" */
	const char *mount;       /* NULL: the cgroup2 mount of mountinfo (tests give a dir) */
	const char *prefix;      /* leaf name prefix; NULL: "ctprof-run" */
};

struct ctprof_wcg;

/*
 * Create the leaf <mount><own cgroup>/<prefix>-<pid>-<n> (n counts up on
 * EEXIST, at most 1024 names). Errors: -ENOENT no cgroup2 mount or no "0::"
 * line, -EACCES / -EROFS / -EPERM not writable, or the errno of mkdir;
 * -EINVAL for a bad sz or prefix (empty, ".", "..", or with a '/') or an unusable
 * own path (relative, ".." component); the message names the path and the
 * step. *out is set only on success.
 */
CTPROF_API int ctprof_wcg_create(const struct ctprof_wcg_opts *opts, struct ctprof_wcg **out,
				 struct ctprof_error *err);
/* Absolute directory of the leaf. */
CTPROF_API const char *ctprof_wcg_path(const struct ctprof_wcg *c);
/* The leaf as /proc/PID/cgroup names it ("/ctprof-run-123-0"). */
CTPROF_API const char *ctprof_wcg_relpath(const struct ctprof_wcg *c);
/*
 * An O_WRONLY|O_CLOEXEC fd on the leaf's cgroup.procs, opened by create:
 * a forked child writes "0" to it (async-signal-safe) to enter the leaf
 * before exec.
 */
CTPROF_API int ctprof_wcg_procs_fd(const struct ctprof_wcg *c);
/* Move a process (all its threads) into the leaf. */
CTPROF_API int ctprof_wcg_attach(struct ctprof_wcg *c, int pid, struct ctprof_error *err);
/* cpu.stat of the leaf, in microseconds. */
struct ctprof_wcg_cpu {
	uint64_t usage_usec, user_usec, system_usec;
};
CTPROF_API int ctprof_wcg_cpu(const struct ctprof_wcg *c, struct ctprof_wcg_cpu *out,
			      struct ctprof_error *err);
/* cgroup.events "populated". */
CTPROF_API int ctprof_wcg_populated(const struct ctprof_wcg *c, bool *populated,
				    struct ctprof_error *err);
/*
 * The tgids in cgroup.procs (sorted, malloc'd; *n may be 0 with *pids NULL).
 */
CTPROF_API int ctprof_wcg_pids(const struct ctprof_wcg *c, int **pids, size_t *n,
			       struct ctprof_error *err);
/*
 * Kill everything in the leaf: cgroup.kill when the kernel has it (5.14+),
 * else SIGKILL to every pid of cgroup.procs, repeated until it is empty
 * (the leaf is frozen first when cgroup.freeze exists; cgroups the workload
 * nested under the leaf are included, and only pids whose /proc/PID/cgroup
 * is inside the leaf are signalled, through a pidfd where available).
 * Then wait (bounded by timeout_ms; 0: 5000) until cgroup.events says
 * unpopulated. -ETIMEDOUT when it stays populated (zombies whose parent
 * does not reap them keep it populated: the caller reaps its children).
 */
CTPROF_API int ctprof_wcg_kill(struct ctprof_wcg *c, unsigned timeout_ms,
			       struct ctprof_error *err);
/*
 * Kill (as above), then rmdir the leaf, retrying EBUSY within the bound.
 * Idempotent; after success the handle only frees.
 */
CTPROF_API int ctprof_wcg_destroy(struct ctprof_wcg *c, unsigned timeout_ms,
				  struct ctprof_error *err);
/* Destroys (best effort) when not yet destroyed, closes the fds, frees; NULL is fine. */
CTPROF_API void ctprof_wcg_free(struct ctprof_wcg *c);


/* ---- running a workload (ctprof-harness run) --------------------------- */

/*
 * One wrapped workload, DESIGN.md §1 and §7:
 *   preflight (what will be measured here) → exit listener → workload
 *   cgroup → [scheduler spawn + attach] → before snapshot → workload (its
 *   stdout and stderr copied to the run directory and to the harness's
 *   stderr, so that stdout stays pure TAP) → after snapshot, taken when the
 *   workload's main process has exited but before it is reaped → listener
 *   stopped → [scheduler check + stop] → interval (the workload's exited
 *   threads from the exit records, attributed by descent from the workload)
 *   → gates → run directory written, then renamed into place.
 * Whatever happens (workload crash or hang, timeout, cancel), the
 * scheduler is stopped, the workload and its descendants are killed, the
 * cgroup is removed, kernel.task_delayacct is put back, and what was
 * captured so far is written.
 *
 * The calling process becomes a child subreaper (PR_SET_CHILD_SUBREAPER)
 * for the duration, so that orphaned descendants of the workload stay
 * attributable and killable; it must not reap children it did not start
 * (no SIGCHLD handler that calls wait()).
 */

enum ctprof_run_scope {
	CTPROF_RUN_SCOPE_WORKLOAD, /* interval and gates: the workload's threads */
	CTPROF_RUN_SCOPE_HOST,     /* every thread of the host */
};

/* A progress or preflight line ("cgroup: ...") for the caller to print. */
typedef void (*ctprof_run_note_fn)(const char *line, void *ctx);

struct ctprof_gateset;
struct ctprof_snapshot;
struct ctprof_verdict;

struct ctprof_run_opts {
	size_t sz;                   /* sizeof(struct ctprof_run_opts) */
	char *const *argv;           /* the workload, NULL-terminated; required */
	const char *out_dir;         /* the run directory; must not exist; required */
	const char *scheduler;       /* sched_ext scheduler command line; NULL: none */
	const char *sys_root;        /* root of kernel/sched_ext; NULL: "/sys" */
	unsigned timeout_ms;         /* workload time limit; 0: none */
	unsigned kill_grace_ms;      /* SIGTERM to SIGKILL; 0: 5000 */
	unsigned attach_timeout_ms;  /* scheduler attach; 0: 10000 */
	unsigned stop_grace_ms;      /* scheduler SIGINT to SIGKILL; 0: 5000 */
	bool no_cgroup;              /* no workload cgroup: process-tree attribution */
	bool no_exit_listener;       /* exited threads are not recorded */
	bool no_taskstats, no_probe; /* for both captures */
	bool no_delayacct;           /* leave kernel.task_delayacct as it is */
	enum ctprof_run_scope scope;
	enum ctprof_group_by group_by; /* gates and groups; see ctprof_run_opts_init */
	unsigned jobs;               /* capture workers; 0: auto */
	/* Gates (borrowed; NULL: no gates) and an optional baseline interval. */
	const struct ctprof_gateset *gates;
	const struct ctprof_snapshot *baseline; /* borrowed; NULL: absolute limits only */
	const char *baseline_name;
	int tap_version;             /* 13 (0) or 14 */
	/* Set (by a signal handler) to a signal number to stop the run now. */
	const volatile int *cancel;
	ctprof_run_note_fn note;
	void *note_ctx;
	const char *version;         /* harness version for run.json; NULL: library's */
	const char *cgroup_mount;    /* tests: a directory standing in for the cgroup2 mount */
	const char *delayacct_path;  /* tests: NULL "/proc/sys/kernel/task_delayacct" */
	bool no_passthrough;         /* don't copy the workload's output to stderr */
};

/* Defaults: group_by pcomm, tap_version 13, scope workload. */
CTPROF_API void ctprof_run_opts_init(struct ctprof_run_opts *o);

enum ctprof_run_status {
	CTPROF_RUN_PASSED,      /* every step and gate ok */
	CTPROF_RUN_FAILED,      /* a step (workload exit, scheduler) or a gate failed */
	CTPROF_RUN_INCOMPLETE,  /* cancelled, or a capture could not be taken */
};

struct ctprof_run;

/*
 * Run it. Returns 0 when the run was carried out (its outcome is in
 * ctprof_run_status()), or a negative errno when it could not start
 * (-EINVAL options, -EEXIST out_dir exists, the errno of creating the run
 * directory, -ENOENT sched_ext absent with a scheduler, ...). With a
 * non-NULL *out on error, what was done is still described there.
 */
CTPROF_API int ctprof_run_workload(const struct ctprof_run_opts *opts, struct ctprof_run **out,
				   struct ctprof_error *err);
CTPROF_API void ctprof_run_free(struct ctprof_run *r);

CTPROF_API enum ctprof_run_status ctprof_run_status(const struct ctprof_run *r);
/* The TAP document (also in result.tap). */
CTPROF_API const char *ctprof_run_tap(const struct ctprof_run *r, size_t *len);
/* The run directory as written. */
CTPROF_API const char *ctprof_run_dir(const struct ctprof_run *r);
/* The interval (workload scope or host, as asked); NULL when none was built. */
CTPROF_API const struct ctprof_snapshot *ctprof_run_interval(const struct ctprof_run *r);
/* The workload's wait status (-1 when never started or not reaped). */
CTPROF_API int ctprof_run_wait_status(const struct ctprof_run *r);
/* The steps and the gates as JUnit XML (ctprof_render_junit_run). */
CTPROF_API int ctprof_run_junit(const struct ctprof_run *r, char **out, size_t *len,
				struct ctprof_error *err);
/* The gates' verdict (NULL without gates or interval); owned by the run. */
CTPROF_API const struct ctprof_verdict *ctprof_run_verdict(const struct ctprof_run *r);
/* The signal that cancelled the run, else 0. */
CTPROF_API int ctprof_run_cancelled(const struct ctprof_run *r);

/* The run's test points before the gates (scheduler steps, workload, interval). */
CTPROF_API size_t ctprof_run_n_steps(const struct ctprof_run *r);
/* Step i as a TAP step; the strings are the run's. -ERANGE past the end. */
struct ctprof_tap_step;
CTPROF_API int ctprof_run_step(const struct ctprof_run *r, size_t i, struct ctprof_tap_step *out);

/* ---- repeated runs and A/B (ctprof-harness run --repeat, ab) ----------- */

/*
 * A series of runs written as one directory: rep-1 ... rep-N (run
 * --repeat), or a-1, b-1, a-2, b-2 ... (ab, alternating), each a complete
 * run directory, plus result.tap and series.json. The TAP has every run's
 * steps (prefixed "a-2: ") and then the gates: for ab with one run per side
 * B's interval against A's (ctprof_verdict_compare); otherwise each side's
 * runs summarised and judged with the noise rule (ctprof_verdict_repeat):
 * ab compares B's runs with A's, run --repeat compares its runs with the
 * baseline's intervals (or applies absolute limits to their mean).
 */
struct ctprof_series_opts {
	size_t sz;                        /* sizeof(struct ctprof_series_opts) */
	/*
	 * Template of every run: command, measurement switches, timeouts,
	 * sys_root, group_by, scope, cancel, note. Its out_dir, scheduler,
	 * gates and baseline are not used.
	 */
	const struct ctprof_run_opts *run;
	const char *out_dir;              /* required; must not exist */
	bool ab;
	const char *scheduler;            /* run --repeat: the scheduler of every run */
	const char *a_scheduler;          /* ab: A's scheduler, NULL: none */
	const char *b_scheduler;          /* ab: B's scheduler, NULL: none */
	unsigned repeat;                  /* runs per side; 0: 1 */
	double max_noise;                 /* a fraction; 0: 0.01 */
	const struct ctprof_gateset *gates; /* NULL: no gates */
	/* run --repeat: the baseline's intervals (borrowed); n_baseline may be 0 */
	const struct ctprof_snapshot *const *baseline;
	size_t n_baseline;
	const char *baseline_name;
	int tap_version;                  /* 13 (0) or 14 */
};

struct ctprof_series;

/* 0 when the series was carried out (see its status), else a negative errno. */
CTPROF_API int ctprof_run_series(const struct ctprof_series_opts *opts,
				 struct ctprof_series **out, struct ctprof_error *err);
CTPROF_API void ctprof_series_free(struct ctprof_series *s);
CTPROF_API enum ctprof_run_status ctprof_series_status(const struct ctprof_series *s);
CTPROF_API const char *ctprof_series_tap(const struct ctprof_series *s, size_t *len);
CTPROF_API const char *ctprof_series_dir(const struct ctprof_series *s);
CTPROF_API const struct ctprof_verdict *ctprof_series_verdict(const struct ctprof_series *s);
CTPROF_API int ctprof_series_cancelled(const struct ctprof_series *s);
/* Every run's steps and the gates as JUnit XML. */
CTPROF_API int ctprof_series_junit(const struct ctprof_series *s, char **out, size_t *len,
				   struct ctprof_error *err);

/*
 * The intervals of a run directory: RUN/rep-1 ... RUN/rep-N when it is a
 * repeated run, else RUN itself (a run directory or a snapshot file, as
 * ctprof_load_input reads it). *out is a malloc'd array of *n snapshots;
 * free with ctprof_snapshots_free.
 */
CTPROF_API int ctprof_load_run_intervals(const char *path, struct ctprof_snapshot ***out,
					 size_t *n, struct ctprof_error *err);
CTPROF_API void ctprof_snapshots_free(struct ctprof_snapshot **s, size_t n);

#ifdef __cplusplus
}
#endif
#endif /* CTPROF_RUN_H */
