/* SPDX-License-Identifier: MIT */
/* Internal helpers of `run` (lib/run/run.c, workload.c, attrib.c). */
#ifndef CTPROF_LIB_RUN_RUN_INT_H
#define CTPROF_LIB_RUN_RUN_INT_H

#include <ctprof/run.h>
#include <ctprof/taskstats.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "../util/util.h"

/* ---- the workload process (workload.c) ---- */

struct rw_opts {
	char *const *argv;
	int cgroup_procs_fd;   /* -1: stay in the caller's cgroup */
	const char *out_path;  /* the workload's stdout, saved */
	const char *err_path;  /* the workload's stderr, saved */
	bool passthrough;      /* also copy both to fd 2 */
};

struct rw {
	pid_t pid;             /* 0 before spawn */
	int pidfd;             /* -1 when pidfd_open is unavailable */
	int out_r, err_r;      /* read ends of the output pipes; -1 at EOF */
	int out_file, err_file;
	int exec_errno;        /* exec (or cgroup entry) failed in the child */
	bool cgroup_failed;    /* the child could not enter the cgroup */
	bool exited;           /* the main process is a zombie (or reaped) */
	bool reaped;
	int status;            /* wait status once reaped */
	struct rusage ru;      /* of the main process and its reaped descendants */
	uint64_t start_ns, exit_ns; /* CLOCK_MONOTONIC */
	uint64_t out_bytes, err_bytes;
	bool passthrough_flag;
};

/* Fork and exec; 0, or a negative errno (exec failures included) with err set. */
CTPROF_HIDDEN int rw_spawn(struct rw *w, const struct rw_opts *o, struct ctprof_error *err);
/*
 * Copy output and wait until the main process has exited (it stays a zombie,
 * not reaped), deadline_ns (CLOCK_MONOTONIC; 0: none) passes (-ETIMEDOUT), or
 * *cancel becomes non-zero (-ECANCELED).
 */
CTPROF_HIDDEN int rw_wait_exit(struct rw *w, uint64_t deadline_ns, const volatile int *cancel);
/* Copy whatever output is buffered now, without blocking. */
CTPROF_HIDDEN void rw_drain(struct rw *w);
/* Reap the main process (blocking up to timeout_ms); 0 or -ETIMEDOUT. */
CTPROF_HIDDEN int rw_reap(struct rw *w, unsigned timeout_ms);
/* Close every fd; does not kill or reap. */
CTPROF_HIDDEN void rw_close(struct rw *w);

/* ---- process sets and attribution (attrib.c) ---- */

struct rpset {
	int *v; /* sorted, unique */
	size_t n, cap;
};

CTPROF_HIDDEN bool rpset_has(const struct rpset *s, int pid);
CTPROF_HIDDEN int rpset_add(struct rpset *s, int pid); /* 1 added, 0 present, -ENOMEM */
CTPROF_HIDDEN void rpset_free(struct rpset *s);

/*
 * Every process under proc_root whose parent chain reaches `root`, or whose
 * parent is `self` (orphans reparented to a subreaper `self`), except the
 * processes of `exclude` (may be NULL) and their descendants; root itself
 * included. root 0 with self > 0: the children of self and their
 * descendants. Bounded: at
 * most 4,194,304 processes are read.
 */
CTPROF_HIDDEN int rp_descendants(const char *proc_root, int root, int self,
				 const struct rpset *exclude, struct rpset *out);
/* SIGKILL (or sig) every process of the set; returns how many were signalled. */
CTPROF_HIDDEN size_t rp_signal(const struct rpset *s, int sig);

/*
 * Attribute exit records to the workload: a per-task record belongs to it
 * when its tgid is in `tgids`, or its parent (ac_ppid) is, or its parent is
 * `self`; never when its tgid or its parent is in `exclude` (the
 * scheduler's processes; may be NULL). Attributed tgids join the set and
 * the rule repeats until nothing changes. keep[i] is set for each record
 * kept. Returns the number kept.
 */
CTPROF_HIDDEN size_t rp_attribute(const struct ctprof_exit_record *r, size_t n, int self,
				  const struct rpset *exclude, struct rpset *tgids, bool *keep);

/* ---- run directories (run.c) ---- */

/* Create the missing parent directories of path (mkdir -p of its dirname). */
CTPROF_HIDDEN int run_mkdir_parents(const char *path, struct ctprof_error *err);
/* DIR/.NAME.tmp-PID next to out (malloc'd). */
CTPROF_HIDDEN char *run_tmp_dir_for(const char *out);
CTPROF_HIDDEN char *run_path_join(const char *dir, const char *name);
/* Create DIR/NAME with text, fsync'd. */
CTPROF_HIDDEN int run_write_text(const char *dir, const char *name, const char *text, size_t len,
				 struct ctprof_error *err);
CTPROF_HIDDEN void run_fsync_dir(const char *dir);

#endif
