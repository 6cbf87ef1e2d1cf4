/* SPDX-License-Identifier: MIT */
/* Options and plumbing shared by `run` and `ab`. */
#ifndef CTPROF_HARNESS_RUNCLI_H
#define CTPROF_HARNESS_RUNCLI_H

#include "gatecli.h"

struct option;

struct runcli {
	const char *cmd;              /* "run" or "ab" */
	struct ctprof_run_opts opts;  /* filled by runcli_finish */
	struct gatecli gates;
	struct ctprof_gateset *gs;
	int tap;
	const char *out, *baseline, *scheduler, *a_scheduler, *b_scheduler;
	const char *group_by, *scope, *timeout, *kill_grace, *attach_timeout, *jobs;
	const char *repeat, *max_noise;
	unsigned n_repeat;  /* 1 unless --repeat */
	double noise;       /* fraction */
	char *out_alloc;    /* the default run directory */
	char **argv;        /* the workload */
};

/* The options of run and ab, each help text line in RUNCLI_HELP_COMMON. */
#define RUNCLI_HELP_COMMON                                                                    \
	"  --repeat N              run N times (alternating A B A B ... under ab); each\n"   \
	"                          side is summarised (mean, min, max, spread) and a\n"      \
	"                          regression needs the candidate mean outside the\n"        \
	"                          baseline's range and both spreads below --max-noise\n"    \
	"  --max-noise PCT         spread above which a metric is reported as too noisy,\n"  \
	"                          never failed (default 1%%)\n"                             \
	"Gates (see 'ctprof-harness compare --help' for the grammar):\n"                     \
	"  --gate SPEC             METRIC[@GROUPGLOB][:LIMIT[,LIMIT...]], repeatable\n"      \
	"  --policy FILE.json      a policy file\n"                                          \
	"  --default-gates         the built-in gate set\n"                                  \
	"  --tap-version 13|14     TAP version (default 13)\n"                               \
	"  --junit FILE            also write the steps and the gates as JUnit XML\n"       \
	"  --group-by AXIS         pcomm (default), cgroup, comm, comm-exact or all\n"       \
	"  --scope workload|host   the interval and the gates cover the workload's threads\n" \
	"                          (default) or every thread of the host\n"                  \
	"Measurement:\n"                                                                     \
	"  --no-cgroup             no workload cgroup: attribute by process descent\n"       \
	"  --no-exit-listener      do not record threads that exit during the run\n"         \
	"  --no-taskstats          no taskstats queries in the snapshots\n"                  \
	"  --no-probe              no jemalloc probe in the snapshots\n"                     \
	"  --no-delayacct          leave kernel.task_delayacct as it is (default: set it\n"  \
	"                          to 1 for the run and put the old value back)\n"           \
	"  --jobs N                capture worker threads (default: one per CPU)\n"

const struct option *runcli_options(void);
void runcli_init(struct runcli *c, const char *cmd);
/* 1 handled, 0 not ours, -1 error (message printed). */
int runcli_option(struct runcli *c, int opt, const char *arg);
/* Validate everything, build the gates, pick the run directory. EXIT_*. */
int runcli_finish(struct runcli *c, int argc, char **argv, bool ab);
/*
 * Parse the command line of run (ab false) or ab, then runcli_finish():
 * EXIT_OK to go on, RUNCLI_HELP after printing the help (exit 0), or
 * EXIT_USAGE after one error line.
 */
#define RUNCLI_HELP (-1)
int runcli_parse(struct runcli *c, int argc, char **argv, void (*help)(FILE *), bool ab);
/* One run with o; prints the TAP, writes --junit; returns the exit status. */
int runcli_run_one(struct runcli *c, const struct ctprof_run_opts *o, struct ctprof_run **out);
/* A series (run --repeat, ab); prints the TAP, writes --junit; the exit status. */
int runcli_run_series(struct runcli *c, const struct ctprof_series_opts *so,
		      struct ctprof_series **out);
/* Series options from the parsed command line (run template, repeat, gates). */
void runcli_series_opts(struct runcli *c, struct ctprof_series_opts *so);
void runcli_free(struct runcli *c);
/* A signal (SIGINT/SIGTERM/SIGHUP) that arrived; 0 when none. */
int runcli_signal(void);
const volatile int *runcli_cancel_flag(void);
/* If a signal stopped the run: restore its default action and raise it. */
void runcli_reraise(void);

#endif
