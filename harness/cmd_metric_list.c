/* SPDX-License-Identifier: MIT */
/* ctprof-harness metric-list: the metric registry (compare-engine.md §11.3). */
#include "harness.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

void cmd_metric_list_help(FILE *out)
{
	fprintf(out,
		"Usage: ctprof-harness metric-list [--format text|json]\n"
		"\n"
		"Print the tag legend, the report sections, the 87 metrics (in their row\n"
		"order, with tags and descriptions) and the 17 derived metrics (unit and\n"
		"inputs). Needs no snapshot.\n"
		"\n"
		"Options:\n"
		"  --format text|json  output format (default text)\n"
		"  -h, --help          show this help\n"
		"\n"
		"Exit status: 0, or 2 on bad usage.\n");
}

int cmd_metric_list(int argc, char **argv)
{
	enum { OPT_FORMAT = 1000 };
	static const struct option opts[] = {
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	enum ctprof_output_format f = CTPROF_OUT_TEXT;
	struct ctprof_error err = { 0 };
	char *text = NULL;
	size_t len = 0;
	int opt, rc = EXIT_OK;

	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case OPT_FORMAT:
			if (strcmp(optarg, "json") == 0)
				f = CTPROF_OUT_JSON;
			else if (strcmp(optarg, "text") == 0)
				f = CTPROF_OUT_TEXT;
			else
				return harness_usage_error("metric-list", "--format: invalid value "
							   "'%s' (text or json)", optarg);
			break;
		case 'h':
			cmd_metric_list_help(stdout);
			return EXIT_OK;
		default:
			return harness_bad_option("metric-list", argv, opts, "h");
		}
	}
	if (optind < argc)
		return harness_usage_error("metric-list", "unexpected argument '%s'", argv[optind]);
	if (ctprof_render_metric_list(f, &text, &len, &err) < 0) {
		harness_err("%s", err.msg);
		return EXIT_FAIL;
	}
	if (fwrite(text, 1, len, stdout) != len || fflush(stdout) != 0) {
		harness_err("stdout: write: %s", strerror(errno ? errno : EIO));
		rc = EXIT_USAGE;
	}
	free(text);
	return rc;
}
