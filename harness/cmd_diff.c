/* SPDX-License-Identifier: MIT */
/* ctprof-harness diff BEFORE AFTER -o INTERVAL: write the interval of two snapshots. */
#include "harness.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

void cmd_diff_help(FILE *out)
{
	fprintf(out,
		"Usage: ctprof-harness diff BEFORE AFTER -o INTERVAL\n"
		"\n"
		"Write the interval between two snapshots as a snapshot file that\n"
		"ctprof-harness and ktstr can both read. Threads are matched on (tid,\n"
		"start time); counters become AFTER - BEFORE, threads born in between count\n"
		"from zero, gauges, peaks and identity come from AFTER. Cgroup counters and\n"
		"PSI totals subtract; limits come from AFTER. A counter that went backwards\n"
		"takes the AFTER value and is counted as a reset. The file gets an extra\n"
		"top-level \"interval\" key with both capture times.\n"
		"\n"
		"Options:\n"
		"  -o, --output FILE  the interval file to write (atomically)\n"
		"  -h, --help         show this help\n"
		"\n"
		"A summary (matched, born, vanished threads, counter resets) goes to stderr.\n"
		"Exit status: 0 on success, 2 on bad usage, an unreadable input or a write\n"
		"failure.\n");
}

int cmd_diff(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctprof_snapshot *a = NULL, *b = NULL, *iv = NULL;
	struct ctprof_interval_stats st;
	struct ctprof_error err = { 0 };
	const char *output = NULL;
	int opt, rc = EXIT_USAGE;

	while ((opt = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
		switch (opt) {
		case 'o':
			output = optarg;
			break;
		case 'h':
			cmd_diff_help(stdout);
			return EXIT_OK;
		default:
			return harness_bad_option("diff", argv, opts, "ho:");
		}
	}
	if (argc - optind != 2)
		return harness_usage_error("diff", "expected BEFORE and AFTER, got %d argument(s)",
					   argc - optind);
	if (!output || !*output)
		return harness_usage_error("diff", "missing -o INTERVAL");
	if (ctprof_snapshot_load(argv[optind], &a, &err) < 0) {
		harness_err("load before %s: %s", argv[optind], err.msg);
		goto out;
	}
	if (ctprof_snapshot_load(argv[optind + 1], &b, &err) < 0) {
		harness_err("load after %s: %s", argv[optind + 1], err.msg);
		goto out;
	}
	if (ctprof_interval(a, b, NULL, &iv, &st, &err) < 0) {
		harness_err("%s", err.msg);
		goto out;
	}
	if (ctprof_snapshot_write(iv, output, &err) < 0) {
		harness_err("%s", err.msg);
		goto out;
	}
	harness_note("interval %s: %" PRIu64 " threads matched, %" PRIu64 " born, %" PRIu64
		     " vanished, %" PRIu64 " counter resets", output, st.matched, st.born,
		     st.vanished, st.counter_resets);
	rc = EXIT_OK;
out:
	ctprof_snapshot_free(a);
	ctprof_snapshot_free(b);
	ctprof_snapshot_free(iv);
	return rc;
}
