/* SPDX-License-Identifier: MIT */
/* ctprof-harness capture -o FILE: snapshot every thread, live or from a synthetic tree. */
#include "harness.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CMD "capture"

void cmd_capture_help(FILE *out)
{
	fprintf(out,
		"Usage: ctprof-harness capture -o FILE [--proc-root DIR] [--sys-root DIR]\n"
		"           [--cgroup-root DIR] [--synthetic | --live] [--pid PID]...\n"
		"           [--captured-at NS] [--jobs N]\n"
		"\n"
		"Snapshot every thread of the host (or of one process) and write it to FILE\n"
		"as a ktstr-compatible *.ctprof.zst file. The file is written atomically: a\n"
		"temporary file in the same directory, fsync, rename.\n"
		"\n"
		"Live mode (the default) reads /proc, /sys and the cgroup v2 mount found in\n"
		"/proc/self/mountinfo, and also records the host context, each thread's\n"
		"sched_getaffinity() mask and the parse summary; the harness's own threads\n"
		"are left out. Synthetic mode reads only under the given roots (a fixture\n"
		"tree): no host context, affinity from Cpus_allowed_list, and host and the\n"
		"three summaries null, so the result depends on nothing but the tree.\n"
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
		"  -h, --help           show this help\n"
		"\n"
		"On success prints 'wrote FILE: N threads, P processes, C cgroups in S s'\n"
		"(S is the time the capture took, without writing) on stderr, after the\n"
		"parse and probe summary lines of a live capture. Exit status: 0 written,\n"
		"2 bad usage or the capture or the write failed.\n");
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
	enum { O_PROC = 256, O_SYS, O_CG, O_SYNTH, O_LIVE, O_PID, O_AT, O_JOBS };
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
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctprof_capture_opts co = CTPROF_CAPTURE_OPTS(.mode = CTPROF_CAPTURE_AUTO);
	struct ctprof_snapshot *snap = NULL;
	struct ctprof_error err = { 0 };
	struct timespec t0, t1;
	const char *output = NULL;
	bool synth = false, live = false;
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
	if (rc)
		goto out;
	if (synth)
		co.mode = CTPROF_CAPTURE_SYNTHETIC;
	else if (live)
		co.mode = CTPROF_CAPTURE_LIVE;
	co.pids = pids;
	co.n_pids = npids;

	/* The one-line parse and probe summaries (info) show by default here. */
	saved_verbosity = harness_verbosity;
	if (harness_verbosity == HARNESS_LOG_DEFAULT)
		harness_verbosity = HARNESS_LOG_DEFAULT + 1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = ctprof_capture(&co, &snap, &err);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	harness_verbosity = saved_verbosity;
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
	ctprof_snapshot_free(snap);
	free(pids);
	return rc;
}
