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
 * or the errno of a failing system call. The result is filled either way.
 *
 * The library never installs signal handlers and never blocks without a
 * bound; the child is watched with waitid(WNOHANG) polling. A handle is used
 * by one thread at a time.
 */
#ifndef CTPROF_RUN_H
#define CTPROF_RUN_H

#include <ctprof/common.h>

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

#ifdef __cplusplus
}
#endif
#endif /* CTPROF_RUN_H */
