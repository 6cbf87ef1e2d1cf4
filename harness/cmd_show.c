/* SPDX-License-Identifier: MIT */
/* ctprof-harness show FILE: ktstr's `ctprof show` (compare-engine.md §11.2). */
#include "harness.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

/* The option parsing shared with compare (cmd_compare.c). */
struct cmp_cli;
struct cmp_cli *cmp_cli_new(void);
const struct option *cmp_cli_options(bool show);
int cmp_cli_option(struct cmp_cli *c, int opt, const char *arg);
int cmp_cli_finish(struct cmp_cli *c, const char *cmd, bool show);
const struct ctprof_compare_opts *cmp_cli_copts(const struct cmp_cli *c);
struct ctprof_render_opts *cmp_cli_ropts(struct cmp_cli *c);
void cmp_cli_free(struct cmp_cli *c);
int cmp_cli_write(const char *text, size_t len);

void cmd_show_help(FILE *out)
{
	fprintf(out,
		"Usage: ctprof-harness show [OPTIONS] SNAPSHOT\n"
		"\n"
		"Group the threads of one snapshot (or interval, or run directory) and print\n"
		"every metric per group, as ktstr's `ctprof show` does, followed by the\n"
		"derived metrics, cgroup tables (--group-by cgroup), host pressure,\n"
		"smaps_rollup, sched_ext, the host context and the capture summaries.\n"
		"\n"
		"Options:\n"
		"  --group-by AXIS         pcomm (default), cgroup, comm, comm-exact or all\n"
		"                          (all: a cgroup -> process -> thread tree)\n"
		"  --cgroup-flatten GLOB   collapse matching cgroup paths onto the glob; repeatable\n"
		"  --no-thread-normalize   literal comm/pcomm names\n"
		"  --no-cg-normalize       no automatic cgroup normalization\n"
		"  --sort-by SPEC          metric[:asc|desc],... rank groups by absolute values\n"
		"                          (default: key order)\n"
		"  --columns LIST          group, threads, metric, value, tags, uptime\n"
		"                          (default group,threads,metric,value)\n"
		"  --sections LIST         as for compare\n"
		"  --metrics LIST          only these metrics\n"
		"  --limit N               at most N lines per section (default 500; 0 = no limit)\n"
		"  --wrap                  wrap tables to the terminal width (terminal only)\n"
		"  --format text|json      output format (default text)\n"
		"  -h, --help              show this help\n"
		"\n"
		"Exit status: 0 when the input loads, 2 on bad usage or an unreadable input.\n");
}

int cmd_show(int argc, char **argv)
{
	const struct option *opts = cmp_cli_options(true);
	struct ctprof_snapshot *s = NULL;
	struct ctprof_groupset *g = NULL;
	struct ctprof_error err = { 0 };
	struct cmp_cli *c = cmp_cli_new();
	struct ctprof_render_opts *ro;
	char *text = NULL;
	size_t len = 0;
	int opt, rc;

	if (!c) {
		harness_err("show: out of memory");
		return EXIT_USAGE;
	}
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		int r = cmp_cli_option(c, opt, optarg);

		if (r < 0) {
			harness_err("show: out of memory");
			cmp_cli_free(c);
			return EXIT_USAGE;
		}
		if (r)
			continue;
		cmp_cli_free(c);
		if (opt == 'h') {
			cmd_show_help(stdout);
			return EXIT_OK;
		}
		return harness_bad_option("show", argv, opts, "h");
	}
	if (argc - optind != 1) {
		cmp_cli_free(c);
		return harness_usage_error("show", "expected one SNAPSHOT, got %d argument(s)",
					   argc - optind);
	}
	rc = cmp_cli_finish(c, "show", true);
	if (rc != EXIT_OK)
		goto out;
	ro = cmp_cli_ropts(c);
	ro->baseline_name = argv[optind];
	ro->candidate_name = argv[optind];
	rc = EXIT_USAGE;
	if (ctprof_load_input(argv[optind], &s, &err) < 0) {
		harness_err("load snapshot %s: %s", argv[optind], err.msg);
		goto out;
	}
	if (ctprof_groupset_build(s, cmp_cli_copts(c), &g, &err) < 0 ||
	    ctprof_render_show(g, ro, &text, &len, &err) < 0) {
		harness_err("%s", err.msg);
		goto out;
	}
	rc = cmp_cli_write(text, len);
out:
	free(text);
	ctprof_groupset_free(g);
	ctprof_snapshot_free(s);
	cmp_cli_free(c);
	return rc;
}
