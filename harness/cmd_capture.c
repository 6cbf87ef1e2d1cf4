/* SPDX-License-Identifier: MIT */
/* ctprof-harness capture -o FILE: snapshot every thread, live or from a synthetic tree. */
#include "harness.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CMD "capture"

void cmd_capture_help(FILE *out)
{
	fprintf(out,
		"Usage: ctprof-harness capture -o FILE [--proc-root DIR] [--sys-root DIR]\n"
		"           [--cgroup-root DIR] [--synthetic | --live] [--pid PID]...\n"
		"           [--captured-at NS] [--jobs N] [--no-taskstats] [--no-probe]\n"
		"           [--enable-delayacct]\n"
		"\n"
		"Snapshot every thread of the host (or of one process) and write it to FILE\n"
		"as a ktstr-compatible *.ctprof.zst file. The file is written atomically: a\n"
		"temporary file in the same directory, fsync, rename.\n"
		"\n"
		"Live mode (the default) reads /proc, /sys and the cgroup v2 mount found in\n"
		"/proc/self/mountinfo, and also records the host context, each thread's\n"
		"sched_getaffinity() mask, its taskstats delay accounting and memory\n"
		"watermarks (one netlink query per thread, pipelined; needs CAP_NET_ADMIN\n"
		"and CONFIG_TASKSTATS, else those fields stay 0 and a warning says what\n"
		"to fix), the jemalloc per-thread allocation counters of processes that\n"
		"link jemalloc statically (read with ptrace; needs root or CAP_SYS_PTRACE),\n"
		"and the parse, probe and taskstats summaries; the harness's own threads\n"
		"are left out. Synthetic mode reads only under the given roots (a fixture\n"
		"tree): no host context, no taskstats, affinity from Cpus_allowed_list,\n"
		"and host and the three summaries null, so the result depends on nothing\n"
		"but the tree.\n"
		"\n"
		"Options:\n"
		"  -o, --output FILE    where to write the snapshot (required)\n"
		"  --proc-root DIR      read DIR instead of /proc\n"
		"  --sys-root DIR       read DIR instead of /sys (sched_ext)\n"
		"  --cgroup-root DIR    read cgroup files under DIR instead of the cgroup2 mount\n"
		"                       In synthetic mode with a --proc-root other than /proc,\n"
		"                       the roots not given default to the siblings 'sys' and\n"
		"                       'cgroup' of the --proc-root directory (the fixture\n"
		"                       layout CASE/{proc,sys,cgroup}).\n"
		"  --synthetic          synthetic mode (the default when any root is given)\n"
		"  --live               live mode even when roots are given\n"
		"  --pid PID            only the threads of process PID; repeat the option for\n"
		"                       several processes\n"
		"  --captured-at NS     record NS (nanoseconds since the epoch) as the capture\n"
		"                       time instead of the clock, for byte-identical output\n"
		"  --jobs N             walk with N worker threads (default: one per CPU)\n"
		"  --no-taskstats       live mode without taskstats queries: the delay and\n"
		"                       watermark fields stay 0, taskstats_summary all 0\n"
		"  --no-probe           live mode without the jemalloc probe (no ptrace):\n"
		"                       allocated/deallocated bytes stay 0, probe_summary all 0\n"
		"  --enable-delayacct   set kernel.task_delayacct=1 for the duration of the\n"
		"                       capture and put the previous value back afterwards\n"
		"                       (also when interrupted by SIGINT, SIGTERM or SIGHUP;\n"
		"                       needs root). Only tasks started after enabling have\n"
		"                       block-I/O, swap-in, reclaim, thrashing, compaction,\n"
		"                       write-protect-copy and IRQ delays. Live mode only.\n"
		"  -h, --help           show this help\n"
		"\n"
		"On success prints 'wrote FILE: N threads, P processes, C cgroups in S s'\n"
		"(S is the time the capture took, without writing) on stderr, after the\n"
		"parse and probe summary lines of a live capture. Exit status: 0 written,\n"
		"2 bad usage or the capture or the write failed (or kernel.task_delayacct\n"
		"could not be set).\n");
}

/* Digits only, no sign, no overflow, within [min, max]. */
static bool parse_num(const char *s, unsigned long long min, unsigned long long max,
		      unsigned long long *out)
{
	unsigned long long v;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return false;
	*out = v;
	return true;
}

/*
 * --enable-delayacct: the guard, and handlers that put the previous value
 * back if a signal ends the capture, then die of that signal.
 */
static const int delayacct_signals[] = { SIGINT, SIGTERM, SIGHUP };
#define N_DELAYACCT_SIGNALS (sizeof(delayacct_signals) / sizeof(delayacct_signals[0]))
static struct ctprof_delayacct_guard delayacct_guard;
static struct sigaction delayacct_old[N_DELAYACCT_SIGNALS];

static void delayacct_on_signal(int sig)
{
	/* open/write/close only; SA_RESETHAND made the default action current */
	ctprof_delayacct_restore(&delayacct_guard);
	(void)raise(sig);
}

static void delayacct_handlers(bool install)
{
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = delayacct_on_signal;
	sa.sa_flags = SA_RESETHAND | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < N_DELAYACCT_SIGNALS; i++) {
		if (!install) {
			sigaction(delayacct_signals[i], &delayacct_old[i], NULL);
			continue;
		}
		sigaction(delayacct_signals[i], NULL, &delayacct_old[i]);
		/* a signal the caller ignores stays ignored */
		if (delayacct_old[i].sa_handler != SIG_IGN)
			sigaction(delayacct_signals[i], &sa, NULL);
	}
}

/* Put the previous value back (once) and the signal handlers too. */
static void delayacct_end(void)
{
	sigset_t all, old;
	int rc;

	/* No handler may run between the restore and the handler removal. */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	rc = ctprof_delayacct_restore(&delayacct_guard);
	delayacct_handlers(false);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (rc)
		harness_err("capture: %s: restore the previous value '%s': %s", delayacct_guard.path,
			    delayacct_guard.prev, strerror(-rc));
}

static size_t count_processes(const struct ctprof_snapshot *s)
{
	size_t i, n = 0;

	/* Threads come sorted by tgid. */
	for (i = 0; i < s->n_threads; i++)
		if (i == 0 || s->threads[i].tgid != s->threads[i - 1].tgid)
			n++;
	return n;
}

int cmd_capture(int argc, char **argv)
{
	enum { O_PROC = 256, O_SYS, O_CG, O_SYNTH, O_LIVE, O_PID, O_AT, O_JOBS, O_NOTS, O_DELAYACCT,
	       O_NOPROBE };
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "proc-root", required_argument, NULL, O_PROC },
		{ "sys-root", required_argument, NULL, O_SYS },
		{ "cgroup-root", required_argument, NULL, O_CG },
		{ "synthetic", no_argument, NULL, O_SYNTH },
		{ "live", no_argument, NULL, O_LIVE },
		{ "pid", required_argument, NULL, O_PID },
		{ "captured-at", required_argument, NULL, O_AT },
		{ "jobs", required_argument, NULL, O_JOBS },
		{ "no-taskstats", no_argument, NULL, O_NOTS },
		{ "no-probe", no_argument, NULL, O_NOPROBE },
		{ "enable-delayacct", no_argument, NULL, O_DELAYACCT },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctprof_capture_opts co = CTPROF_CAPTURE_OPTS(.mode = CTPROF_CAPTURE_AUTO);
	struct ctprof_snapshot *snap = NULL;
	struct ctprof_error err = { 0 };
	struct timespec t0, t1;
	const char *output = NULL;
	bool synth = false, live = false, enable_delayacct = false, delayacct_active = false;
	unsigned long long v;
	int opt, rc = EXIT_OK, saved_verbosity;
	int *pids = NULL, *np;
	size_t npids = 0;
	double secs;

	while ((opt = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'o':
			output = optarg;
			break;
		case O_PROC:
			co.proc_root = optarg;
			break;
		case O_SYS:
			co.sys_root = optarg;
			break;
		case O_CG:
			co.cgroup_root = optarg;
			break;
		case O_SYNTH:
			synth = true;
			break;
		case O_LIVE:
			live = true;
			break;
		case O_PID:
			if (!parse_num(optarg, 1, INT_MAX, &v)) {
				rc = harness_usage_error(CMD, "--pid: '%s' is not a process id", optarg);
				goto out;
			}
			if (npids >= CTPROF_CAPTURE_MAX_PIDS) {
				rc = harness_usage_error(CMD, "--pid: more than %zu processes",
							 CTPROF_CAPTURE_MAX_PIDS);
				goto out;
			}
			np = realloc(pids, (npids + 1) * sizeof(*pids));
			if (!np) {
				harness_err("capture: %s", strerror(ENOMEM));
				rc = EXIT_USAGE;
				goto out;
			}
			pids = np;
			pids[npids++] = (int)v;
			break;
		case O_AT:
			if (!parse_num(optarg, 0, UINT64_MAX, &v)) {
				rc = harness_usage_error(CMD, "--captured-at: '%s' is not a number of nanoseconds",
							 optarg);
				goto out;
			}
			co.pin_time = true;
			co.captured_at_unix_ns = v;
			break;
		case O_JOBS:
			if (!parse_num(optarg, 1, CTPROF_CAPTURE_MAX_JOBS, &v)) {
				rc = harness_usage_error(CMD, "--jobs: '%s' is not a number from 1 to %u", optarg,
							 CTPROF_CAPTURE_MAX_JOBS);
				goto out;
			}
			co.jobs = (unsigned)v;
			break;
		case O_NOTS:
			co.no_taskstats = true;
			break;
		case O_NOPROBE:
			co.no_probe = true;
			break;
		case O_DELAYACCT:
			enable_delayacct = true;
			break;
		case 'h':
			cmd_capture_help(stdout);
			goto out;
		default:
			rc = harness_bad_option(CMD, argv, opts, "o:h");
			goto out;
		}
	}
	if (optind < argc)
		rc = harness_usage_error(CMD, "unexpected argument '%s'", argv[optind]);
	else if (!output)
		rc = harness_usage_error(CMD, "missing -o FILE");
	else if (!*output)
		rc = harness_usage_error(CMD, "-o: empty file name");
	else if (synth && live)
		rc = harness_usage_error(CMD, "--synthetic and --live are mutually exclusive");
	else if ((co.proc_root && !*co.proc_root) || (co.sys_root && !*co.sys_root) ||
		 (co.cgroup_root && !*co.cgroup_root))
		rc = harness_usage_error(CMD, "a root directory is an empty string");
	else if (enable_delayacct &&
		 (synth || (!live && (co.proc_root || co.sys_root || co.cgroup_root))))
		rc = harness_usage_error(CMD, "--enable-delayacct needs live mode (add --live)");
	else if (enable_delayacct && co.no_taskstats)
		rc = harness_usage_error(CMD, "--enable-delayacct and --no-taskstats contradict each other");
	if (rc)
		goto out;
	if (synth)
		co.mode = CTPROF_CAPTURE_SYNTHETIC;
	else if (live)
		co.mode = CTPROF_CAPTURE_LIVE;
	co.pids = pids;
	co.n_pids = npids;

	if (enable_delayacct) {
		sigset_t all, old;

		/* Signals wait until the guard knows what to restore. */
		sigfillset(&all);
		sigprocmask(SIG_BLOCK, &all, &old);
		delayacct_handlers(true);
		delayacct_active = true;
		rc = ctprof_delayacct_enable(&delayacct_guard, NULL, &err);
		sigprocmask(SIG_SETMASK, &old, NULL);
		if (rc) {
			delayacct_end();
			delayacct_active = false;
			harness_err("capture: --enable-delayacct: %s", err.msg);
			rc = EXIT_USAGE;
			goto out;
		}
		if (delayacct_guard.changed)
			harness_note("kernel.task_delayacct set to 1 for this capture (was %s); only tasks "
				     "started after enabling have block-I/O, swap-in, reclaim, thrashing, "
				     "compaction, write-protect-copy and IRQ delays",
				     delayacct_guard.prev);
		else
			harness_note("kernel.task_delayacct is already 1; left as it is");
	}

	/* The one-line parse and probe summaries (info) show by default here. */
	saved_verbosity = harness_verbosity;
	if (harness_verbosity == HARNESS_LOG_DEFAULT)
		harness_verbosity = HARNESS_LOG_DEFAULT + 1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = ctprof_capture(&co, &snap, &err);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	harness_verbosity = saved_verbosity;
	if (delayacct_active) {
		delayacct_end();
		delayacct_active = false;
	}
	if (rc) {
		harness_err("%s", err.msg);
		rc = EXIT_USAGE;
		goto out;
	}
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (ctprof_snapshot_write(snap, output, &err)) {
		harness_err("%s", err.msg);
		rc = EXIT_USAGE;
		goto out;
	}
	harness_note("wrote %s: %zu threads, %zu processes, %zu cgroups in %.3f s", output,
		     snap->n_threads, count_processes(snap), snap->n_cgroups, secs);
out:
	if (delayacct_active)
		delayacct_end();
	ctprof_snapshot_free(snap);
	free(pids);
	return rc;
}
