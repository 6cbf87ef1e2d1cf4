// SPDX-License-Identifier: MIT
/*
 * ctprof-harness ab --b-scheduler CMD [--a-scheduler none|CMD] [--repeat N]
 * [gates] -- COMMAND: the workload under A and under B, B gated against A.
 */
#include "gatecli.h"
#include "runcli.h"

#include <stdlib.h>
#include <string.h>

void cmd_ab_help(FILE *out)
{
	fprintf(out,
		"Usage: ctprof-harness ab --b-scheduler 'CMD ARGS' [--a-scheduler none|'CMD ARGS']\n"
		"                         [--repeat N] [OPTIONS] -- COMMAND [ARGS...]\n"
		"\n"
		"Run COMMAND under scheduler A (default: none, the kernel's own) and under\n"
		"scheduler B, alternating A B A B ... when repeated, each run exactly as\n"
		"'ctprof-harness run' does it, and gate B against A. With one run per side\n"
		"the gates compare B's interval with A's; with --repeat N each side is\n"
		"summarised per metric and group (mean, min, max, spread) and a limit only\n"
		"fails when B's mean lies outside A's range and neither spread exceeds\n"
		"--max-noise (ktstr's noise rule); too-noisy metrics are reported, not failed.\n"
		"\n"
		"Run directory (-o DIR; default ./ctprof-runs/ab-YYYYmmdd-HHMMSS): a-1, b-1,\n"
		"a-2, b-2 ... (each a run directory), result.tap, series.json.\n"
		"\n"
		"Options:\n"
		"  -o, --out DIR           the series directory (must not exist)\n"
		"  --a-scheduler CMD       A's sched_ext scheduler, or 'none' (default)\n"
		"  --b-scheduler CMD       B's sched_ext scheduler, or 'none' (required)\n"
		"  --sys-root DIR          where kernel/sched_ext is (default /sys)\n"
		"  --timeout DUR           per-run time limit (500ms, 30s, 2m)\n"
		"  --kill-grace DUR        SIGTERM to SIGKILL on timeout (default 5s)\n"
		"  --attach-timeout DUR    scheduler attach bound (default 10s)\n"
		RUNCLI_HELP_COMMON
		"  -h, --help              show this help\n"
		"\n"
		"Exit status: 0 when every run and every gate held, 1 when any failed or the\n"
		"series was incomplete, 2 on bad usage.\n"
		"\n"
		"Example:\n"
		"  ctprof-harness ab --b-scheduler 'scx_rusty' --repeat 5 --default-gates -- \\\n"
		"      hackbench -g 4 -l 500\n");
}

static const char *sched_arg(const char *s)
{
	return s && strcmp(s, "none") != 0 && *s ? s : NULL;
}

int cmd_ab(int argc, char **argv)
{
	struct ctprof_series *series = NULL;
	struct ctprof_series_opts so;
	struct runcli c;
	int rc;

	runcli_init(&c, "ab");
	rc = runcli_parse(&c, argc, argv, cmd_ab_help, true);
	if (rc != EXIT_OK) {
		rc = rc == RUNCLI_HELP ? EXIT_OK : rc;
		goto out;
	}
	runcli_series_opts(&c, &so);
	so.ab = true;
	so.a_scheduler = sched_arg(c.a_scheduler);
	so.b_scheduler = sched_arg(c.b_scheduler);
	rc = runcli_run_series(&c, &so, &series);
out:
	ctprof_series_free(series);
	runcli_free(&c);
	runcli_reraise();
	return rc;
}
