// SPDX-License-Identifier: MIT
/*
 * ctprof-harness run [OPTIONS] -- COMMAND [ARGS...]: wrap one workload
 * (ctprof_run_workload), print its TAP on stdout.
 */
#include "gatecli.h"
#include "runcli.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void cmd_run_help(FILE *out)
{
	fprintf(out,
		"Usage: ctprof-harness run [OPTIONS] -- COMMAND [ARGS...]\n"
		"\n"
		"Run COMMAND as a measured workload: snapshot every thread of the host\n"
		"before it starts and after its main process exits (before it is reaped),\n"
		"keep the final accounting of every workload thread that exits in between\n"
		"(taskstats exit listener), build the interval, apply the gates and print\n"
		"TAP on stdout. The workload runs in a fresh cgroup v2 leaf when the host\n"
		"allows it; its stdin is inherited, its stdout and stderr go to stderr (so\n"
		"stdout stays pure TAP) and to the run directory.\n"
		"\n"
		"Run directory (-o DIR; default ./ctprof-runs/YYYYmmdd-HHMMSS): before.ctprof.zst,\n"
		"after.ctprof.zst, interval.ctprof.zst, run.json, result.tap, workload.stdout,\n"
		"workload.stderr, scheduler.log; written under a temporary name and renamed\n"
		"into place when complete. With --repeat N: rep-1 ... rep-N (each a run\n"
		"directory), result.tap and series.json.\n"
		"\n"
		"Options:\n"
		"  -o, --out DIR           the run directory (must not exist; missing parent\n"
		"                          directories are created)\n"
		"  --scheduler 'CMD ARGS'  swap in this sched_ext scheduler around the workload;\n"
		"                          a kernel without sched_ext is an error\n"
		"  --sys-root DIR          where kernel/sched_ext is (default /sys)\n"
		"  --timeout DUR           kill the workload after DUR (500ms, 30s, 2m); the run fails\n"
		"  --kill-grace DUR        SIGTERM to SIGKILL on timeout (default 5s)\n"
		"  --attach-timeout DUR    wait this long for the scheduler to attach (default 10s)\n"
		"  --baseline RUN          gate against a baseline run directory or interval\n"
		"                          (relative limits); without it only absolute limits apply.\n"
		"                          A baseline made with --repeat brings all its runs\n"
		RUNCLI_HELP_COMMON
		"  -h, --help              show this help\n"
		"\n"
		"Exit status: 0 when the workload exited 0, every scheduler step and every gate\n"
		"held; 1 when any failed or the run was incomplete; 2 on bad usage, when the\n"
		"command cannot be found or the run directory cannot be written. On SIGINT or\n"
		"SIGTERM the workload and scheduler are stopped, what was captured is written,\n"
		"and the harness then dies of that signal.\n"
		"\n"
		"Example:\n"
		"  ctprof-harness run --gate 'run_time_ns@hackbench*:min=1ms' -- hackbench -g 2 -l 200\n");
}

int cmd_run(int argc, char **argv)
{
	struct runcli rc_cli;
	struct ctprof_snapshot **base = NULL;
	struct ctprof_series *series = NULL;
	size_t n_base = 0;
	struct ctprof_error err = { 0 };
	struct ctprof_run *run = NULL;
	int rc;

	runcli_init(&rc_cli, "run");
	rc = runcli_parse(&rc_cli, argc, argv, cmd_run_help, false);
	if (rc != EXIT_OK) {
		rc = rc == RUNCLI_HELP ? EXIT_OK : rc;
		goto out;
	}
	if (rc_cli.baseline) {
		if (ctprof_load_run_intervals(rc_cli.baseline, &base, &n_base, &err) < 0) {
			harness_err("--baseline: %s", err.msg);
			rc = EXIT_USAGE;
			goto out;
		}
	}
	if (rc_cli.n_repeat > 1 || n_base > 1) {
		/* repeated: rep-1 ... rep-N, judged with the noise rule */
		struct ctprof_series_opts so;

		runcli_series_opts(&rc_cli, &so);
		so.scheduler = rc_cli.scheduler;
		so.baseline = (const struct ctprof_snapshot *const *)base;
		so.n_baseline = n_base;
		so.baseline_name = rc_cli.baseline;
		rc = runcli_run_series(&rc_cli, &so, &series);
		goto out;
	}
	if (n_base) {
		rc_cli.opts.baseline = base[0];
		rc_cli.opts.baseline_name = rc_cli.baseline;
	}
	rc = runcli_run_one(&rc_cli, &rc_cli.opts, &run);
out:
	ctprof_run_free(run);
	ctprof_series_free(series);
	ctprof_snapshots_free(base, n_base);
	runcli_free(&rc_cli);
	runcli_reraise();
	return rc;
}
