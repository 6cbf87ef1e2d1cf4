/* SPDX-License-Identifier: MIT */
/*
 * ctprof-harness compare A B: ktstr's `ctprof compare` (compare-engine.md
 * §11.1) plus --format json. Also holds the option parsing that `show`
 * shares: the opaque struct cmp_cli and its cmp_cli_* functions, whose
 * prototypes cmd_show.c repeats.
 */
#include "gatecli.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* Options common to compare and show, as given on the command line. */
struct cmp_cli {
	const char *group_by, *sort_by, *display_format, *columns, *sections, *metrics;
	const char *limit, *format;
	const char **flatten;
	size_t n_flatten;
	bool no_thread_normalize, no_cg_normalize, wrap;
	/* parsed */
	struct ctprof_compare_opts copts;
	struct ctprof_render_opts ropts;
	struct ctprof_sort_key *sort;
	enum ctprof_column *cols;
};

struct cmp_cli *cmp_cli_new(void);
const struct option *cmp_cli_options(bool show);
int cmp_cli_option(struct cmp_cli *c, int opt, const char *arg);
int cmp_cli_finish(struct cmp_cli *c, const char *cmd, bool show);
const struct ctprof_compare_opts *cmp_cli_copts(const struct cmp_cli *c);
struct ctprof_render_opts *cmp_cli_ropts(struct cmp_cli *c);
void cmp_cli_free(struct cmp_cli *c);
int cmp_cli_write(const char *text, size_t len);

enum {
	OPT_GROUP_BY = 1000,
	OPT_FLATTEN,
	OPT_NO_THREAD_NORM,
	OPT_NO_CG_NORM,
	OPT_SORT_BY,
	OPT_DISPLAY,
	OPT_COLUMNS,
	OPT_SECTIONS,
	OPT_METRICS,
	OPT_WRAP,
	OPT_LIMIT,
	OPT_FORMAT,
	/* compare only: gates and verdicts */
	OPT_GATE,
	OPT_POLICY,
	OPT_DEFAULT_GATES,
	OPT_TAP_VERSION,
	OPT_JUNIT,
};

/* Returns 1 when the option was one of the shared ones, 0 otherwise, <0 on ENOMEM. */
int cmp_cli_option(struct cmp_cli *c, int opt, const char *arg)
{
	switch (opt) {
	case OPT_GROUP_BY:
		c->group_by = arg;
		return 1;
	case OPT_FLATTEN: {
		const char **t = realloc(c->flatten, (c->n_flatten + 1) * sizeof(*t));

		if (!t)
			return -ENOMEM;
		t[c->n_flatten++] = arg;
		c->flatten = t;
		return 1;
	}
	case OPT_NO_THREAD_NORM:
		c->no_thread_normalize = true;
		return 1;
	case OPT_NO_CG_NORM:
		c->no_cg_normalize = true;
		return 1;
	case OPT_SORT_BY:
		c->sort_by = arg;
		return 1;
	case OPT_DISPLAY:
		c->display_format = arg;
		return 1;
	case OPT_COLUMNS:
		c->columns = arg;
		return 1;
	case OPT_SECTIONS:
		c->sections = arg;
		return 1;
	case OPT_METRICS:
		c->metrics = arg;
		return 1;
	case OPT_WRAP:
		c->wrap = true;
		return 1;
	case OPT_LIMIT:
		c->limit = arg;
		return 1;
	case OPT_FORMAT:
		c->format = arg;
		return 1;
	default:
		return 0;
	}
}

static unsigned term_width(void)
{
	struct winsize ws;
	const char *cols = getenv("COLUMNS");
	char *end;
	long c;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	if (!cols)
		return 80;
	/* as atoi(): leading digits count; out of int's range is ignored */
	c = strtol(cols, &end, 10);
	if (end != cols && c > 0 && c <= INT_MAX)
		return (unsigned)c;
	return 80;
}

/* Validate every flag value (before any file is read). */
int cmp_cli_finish(struct cmp_cli *c, const char *cmd, bool show)
{
	struct ctprof_error err = { 0 };
	size_t n = 0, i;
	bool tty = isatty(STDOUT_FILENO);
	const char *term = getenv("TERM");
	char *end;

	memset(&c->copts, 0, sizeof(c->copts));
	memset(&c->ropts, 0, sizeof(c->ropts));
	c->copts.sz = sizeof(c->copts);
	c->ropts.sz = sizeof(c->ropts);
	c->copts.group_by = show ? CTPROF_GROUP_PCOMM : CTPROF_GROUP_ALL;
	if (c->group_by && ctprof_group_by_parse(c->group_by, &c->copts.group_by) < 0)
		return harness_usage_error(cmd, "--group-by: invalid value '%s' (one of pcomm, "
					   "cgroup, comm, comm-exact, all)", c->group_by);
	c->ropts.display = CTPROF_DISPLAY_ARROW;
	if (c->display_format && ctprof_display_format_parse(c->display_format, &c->ropts.display) < 0)
		return harness_usage_error(cmd, "--display-format: invalid value '%s' (one of full, "
					   "delta-only, no-pct, arrow, pct-only)", c->display_format);
	c->ropts.format = CTPROF_OUT_TEXT;
	if (c->format) {
		if (strcmp(c->format, "json") == 0)
			c->ropts.format = CTPROF_OUT_JSON;
		else if (strcmp(c->format, "text") != 0)
			return harness_usage_error(cmd, "--format: invalid value '%s' (text or json)",
						   c->format);
	}
	c->ropts.limit = 500;
	if (c->limit) {
		unsigned long long v;

		errno = 0;
		v = strtoull(c->limit, &end, 10);
		if (errno || end == c->limit || *end || c->limit[0] == '-' || c->limit[0] == '+')
			return harness_usage_error(cmd, "--limit: invalid value '%s' (a number of "
						   "lines; 0 = unlimited)", c->limit);
		c->ropts.limit = (size_t)v;
	}
	if (ctprof_sort_by_parse(c->sort_by, &c->sort, &n, &err) < 0)
		return harness_usage_error(cmd, "parse --sort-by \"%s\": %s", c->sort_by, err.msg);
	c->copts.sort_by = c->sort;
	c->copts.n_sort_by = n;
	if (n > 8)
		return harness_usage_error(cmd, "--sort-by: at most 8 keys");
	if (ctprof_columns_parse(c->columns, show, &c->cols, &c->ropts.n_columns, &err) < 0)
		return harness_usage_error(cmd, "parse --columns \"%s\": %s", c->columns, err.msg);
	c->ropts.columns = c->cols;
	if (ctprof_sections_parse(c->sections, &c->ropts.sections, &err) < 0)
		return harness_usage_error(cmd, "parse --sections \"%s\": %s", c->sections, err.msg);
	if (ctprof_metrics_parse(c->metrics, &c->ropts.metrics, &err) < 0)
		return harness_usage_error(cmd, "parse --metrics \"%s\": %s", c->metrics, err.msg);
	c->copts.cgroup_flatten = c->flatten;
	c->copts.n_cgroup_flatten = c->n_flatten;
	c->copts.no_thread_normalize = c->no_thread_normalize;
	c->copts.no_cg_normalize = c->no_cg_normalize;
	/* ktstr: one stderr line per cgroup-only section named under another axis */
	for (i = 0; i < CTPROF_RS__COUNT; i++) {
		if (!(c->ropts.sections >> i & 1) || !ctprof_section_cgroup_only(i) ||
		    c->copts.group_by == CTPROF_GROUP_CGROUP)
			continue;
		harness_note("section '%s' requires --group-by cgroup; omitted under --group-by %s",
			     ctprof_section_name(i), ctprof_group_by_name(c->copts.group_by));
	}
	/* colour and wrapping only on a terminal; never escape codes in a pipe */
	c->ropts.color = tty && !getenv("NO_COLOR") && !(term && strcmp(term, "dumb") == 0) &&
			 c->ropts.format == CTPROF_OUT_TEXT;
	c->ropts.wrap_width = c->wrap && tty ? term_width() : 0;
	return EXIT_OK;
}

struct cmp_cli *cmp_cli_new(void)
{
	return calloc(1, sizeof(struct cmp_cli));
}

const struct ctprof_compare_opts *cmp_cli_copts(const struct cmp_cli *c)
{
	return &c->copts;
}

struct ctprof_render_opts *cmp_cli_ropts(struct cmp_cli *c)
{
	return &c->ropts;
}

void cmp_cli_free(struct cmp_cli *c)
{
	if (!c)
		return;
	free(c->flatten);
	free(c->sort);
	free(c->cols);
	free(c);
}

int cmp_cli_write(const char *text, size_t len)
{
	if (fwrite(text, 1, len, stdout) != len || fflush(stdout) != 0) {
		harness_err("stdout: write: %s", strerror(errno ? errno : EIO));
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

void cmd_compare_help(FILE *out)
{
	fprintf(out,
		"Usage: ctprof-harness compare [OPTIONS] BASELINE CANDIDATE\n"
		"       ctprof-harness compare --gate SPEC... [OPTIONS] BASELINE [CANDIDATE]\n"
		"\n"
		"Group the threads of two snapshots, aggregate every metric per group and\n"
		"print the differences, exactly as ktstr's `ctprof compare` does. BASELINE\n"
		"and CANDIDATE are snapshot files (*.ctprof.zst, intervals included) or run\n"
		"directories (their interval.ctprof.zst, or the interval of before/after).\n"
		"\n"
		"Grouping:\n"
		"  --group-by AXIS         pcomm, cgroup, comm, comm-exact or all (default all);\n"
		"                          renamed cgroups are matched (fudged) only under all\n"
		"  --cgroup-flatten GLOB   replace every cgroup path the glob matches with the\n"
		"                          glob itself ('*' crosses '/'); repeatable, first wins\n"
		"  --no-thread-normalize   group by literal comm/pcomm names (no {N}/{H} patterns)\n"
		"  --no-cg-normalize       no automatic cgroup normalization (globs still apply)\n"
		"Display:\n"
		"  --sort-by SPEC          metric[:asc|desc],... rank groups by these deltas\n"
		"                          (default: largest |delta%%| first)\n"
		"  --display-format F      full, delta-only, no-pct, arrow or pct-only (default arrow)\n"
		"  --columns LIST          explicit columns: group, threads, metric, baseline,\n"
		"                          candidate, delta, %%, arrow, tags, uptime\n"
		"  --limit N               at most N lines per section (default 500; 0 = no limit)\n"
		"  --wrap                  wrap tables to the terminal width (terminal only)\n"
		"  --format text|json      output format (default text); see ctprof-harness(1)\n"
		"Filter:\n"
		"  --sections LIST         primary, taskstats-delay, derived, cgroup-stats,\n"
		"                          cgroup-limits, memory-stat, memory-events, pressure,\n"
		"                          host-pressure, smaps-rollup, sched-ext, host, summaries\n"
		"  --metrics LIST          only these metrics (see 'ctprof-harness metric-list')\n"
		"Gates and verdicts (any of the first three turns the output into a verdict):\n"
		"  --gate SPEC             METRIC[@GROUPGLOB][:LIMIT[,LIMIT...]], repeatable;\n"
		"                          limits max_increase=10%%, max_decrease=5%%, max=50us,\n"
		"                          min=1000, max_delta=0, floor=1ms\n"
		"  --policy FILE.json      {\"defaults\": {...}, \"gates\": [...]}\n"
		"  --default-gates         the built-in gate set (see ctprof-harness(1))\n"
		"  --tap-version 13|14     TAP version (default 13; 14 adds a subtest per gate)\n"
		"  --junit FILE            also write JUnit XML to FILE\n"
		"                          (--format json prints the verdicts as JSON instead of TAP)\n"
		"  -h, --help              show this help\n"
		"\n"
		"With gates, CANDIDATE may be omitted: the gates' absolute limits are then\n"
		"checked against BASELINE alone (a snapshot, interval or run directory).\n"
		"Colour is used only when stdout is a terminal (and NO_COLOR is unset).\n"
		"Every option is checked before any file is read.\n"
		"Exit status without gates: 0 when both inputs load (a non-empty diff is not\n"
		"a failure), 2 on bad usage or an unreadable input. With gates: 0 when every\n"
		"gate holds, 1 when any fails, 2 on bad usage or input.\n");
}

#define CMP_LONG_OPTS                                                         \
	{ "group-by", required_argument, NULL, OPT_GROUP_BY },                \
	{ "cgroup-flatten", required_argument, NULL, OPT_FLATTEN },           \
	{ "no-thread-normalize", no_argument, NULL, OPT_NO_THREAD_NORM },     \
	{ "no-cg-normalize", no_argument, NULL, OPT_NO_CG_NORM },             \
	{ "sort-by", required_argument, NULL, OPT_SORT_BY },                  \
	{ "columns", required_argument, NULL, OPT_COLUMNS },                  \
	{ "sections", required_argument, NULL, OPT_SECTIONS },                \
	{ "metrics", required_argument, NULL, OPT_METRICS },                  \
	{ "wrap", no_argument, NULL, OPT_WRAP },                              \
	{ "limit", required_argument, NULL, OPT_LIMIT },                      \
	{ "format", required_argument, NULL, OPT_FORMAT },                    \
	{ "help", no_argument, NULL, 'h' }

/* Loading dominates a large compare: load the baseline on a second thread. */
struct load_job {
	const char *path;
	struct ctprof_snapshot *snap;
	struct ctprof_error err;
	int rc;
};

static void *load_thread(void *arg)
{
	struct load_job *j = arg;

	j->rc = ctprof_load_input(j->path, &j->snap, &j->err);
	return NULL;
}

static const struct option compare_opts[] = {
	CMP_LONG_OPTS,
	{ "display-format", required_argument, NULL, OPT_DISPLAY },
	{ "gate", required_argument, NULL, OPT_GATE },
	{ "policy", required_argument, NULL, OPT_POLICY },
	{ "default-gates", no_argument, NULL, OPT_DEFAULT_GATES },
	{ "tap-version", required_argument, NULL, OPT_TAP_VERSION },
	{ "junit", required_argument, NULL, OPT_JUNIT },
	{ NULL, 0, NULL, 0 },
};
static const struct option show_opts[] = {
	CMP_LONG_OPTS,
	{ NULL, 0, NULL, 0 },
};

const struct option *cmp_cli_options(bool show)
{
	return show ? show_opts : compare_opts;
}

/* Evaluate and render; returns the exit status. */
static int run_verdict(const struct ctprof_gateset *gs, const struct gatecli *gc, int tap,
		       bool json, const struct ctprof_diff *d, const struct ctprof_groupset *g)
{
	struct ctprof_error err = { 0 };
	struct ctprof_verdict *v = NULL;
	char *text = NULL;
	size_t len = 0;
	int rc = EXIT_USAGE, r;

	r = d ? ctprof_verdict_compare(gs, d, &v, &err) : ctprof_verdict_single(gs, g, &v, &err);
	if (r < 0) {
		harness_err("%s", err.msg);
		return EXIT_USAGE;
	}
	if (gc->junit) {
		if (ctprof_render_junit(v, &text, &len, &err) < 0) {
			harness_err("%s", err.msg);
			goto out;
		}
		if (harness_write_file(gc->junit, text, len) != EXIT_OK)
			goto out;
		free(text);
		text = NULL;
	}
	r = json ? ctprof_render_verdict_json(v, &text, &len, &err)
		 : ctprof_render_tap(v, tap, &text, &len, &err);
	if (r < 0) {
		harness_err("%s", err.msg);
		goto out;
	}
	rc = cmp_cli_write(text, len);
	if (rc == EXIT_OK && v->failed)
		rc = EXIT_FAIL;
out:
	free(text);
	ctprof_verdict_free(v);
	return rc;
}

int cmd_compare(int argc, char **argv)
{
	const struct option *opts = compare_opts;
	struct load_job ja = { 0 }, jb = { 0 };
	struct ctprof_snapshot *a = NULL, *b = NULL;
	pthread_t th;
	bool threaded, single;
	struct ctprof_diff *d = NULL;
	struct ctprof_groupset *grp = NULL;
	struct ctprof_gateset *gs = NULL;
	struct gatecli gc = { 0 };
	struct ctprof_error err = { 0 };
	struct cmp_cli *c = cmp_cli_new();
	char *text = NULL;
	size_t len = 0;
	int opt, rc, tap = 13;

	if (!c) {
		harness_err("compare: out of memory");
		return EXIT_USAGE;
	}
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		int r = cmp_cli_option(c, opt, optarg);

		if (r < 0) {
			harness_err("compare: out of memory");
			rc = EXIT_USAGE;
			goto out;
		}
		if (r)
			continue;
		switch (opt) {
		case OPT_GATE: {
			if (gatecli_add_spec(&gc, optarg) < 0) {
				harness_err("compare: out of memory");
				rc = EXIT_USAGE;
				goto out;
			}
			continue;
		}
		case OPT_POLICY:
			if (gc.policy) {
				rc = harness_usage_error("compare", "--policy given twice");
				goto out;
			}
			gc.policy = optarg;
			continue;
		case OPT_DEFAULT_GATES:
			gc.defaults = true;
			continue;
		case OPT_TAP_VERSION:
			gc.tap_version = optarg;
			continue;
		case OPT_JUNIT:
			gc.junit = optarg;
			continue;
		case 'h':
			cmd_compare_help(stdout);
			rc = EXIT_OK;
			goto out;
		default:
			rc = harness_bad_option("compare", argv, opts, "h");
			goto out;
		}
	}
	single = gatecli_active(&gc) && argc - optind == 1;
	if (argc - optind != 2 && !single) {
		rc = harness_usage_error("compare", "expected BASELINE and CANDIDATE, got %d "
					 "argument(s)", argc - optind);
		goto out;
	}
	rc = cmp_cli_finish(c, "compare", false);
	if (rc != EXIT_OK)
		goto out;
	rc = gatecli_build(&gc, "compare", true, &gs, &tap);
	if (rc != EXIT_OK)
		goto out;
	c->ropts.baseline_name = argv[optind];
	c->ropts.candidate_name = single ? argv[optind] : argv[optind + 1];
	rc = EXIT_USAGE;
	if (single) {
		if (ctprof_load_input(argv[optind], &a, &err) < 0) {
			harness_err("load snapshot %s: %s", argv[optind], err.msg);
			goto out;
		}
		if (ctprof_groupset_build(a, &c->copts, &grp, &err) < 0) {
			harness_err("%s", err.msg);
			goto out;
		}
		rc = run_verdict(gs, &gc, tap, c->ropts.format == CTPROF_OUT_JSON, NULL, grp);
		goto out;
	}
	ja.path = argv[optind];
	jb.path = argv[optind + 1];
	threaded = pthread_create(&th, NULL, load_thread, &ja) == 0;
	if (!threaded)
		load_thread(&ja);
	load_thread(&jb);
	if (threaded)
		pthread_join(th, NULL);
	a = ja.snap;
	b = jb.snap;
	if (ja.rc < 0) {
		harness_err("load baseline %s: %s", ja.path, ja.err.msg);
		goto out;
	}
	if (jb.rc < 0) {
		harness_err("load candidate %s: %s", jb.path, jb.err.msg);
		goto out;
	}
	if (ctprof_compare(a, b, &c->copts, &d, &err) < 0) {
		harness_err("%s", err.msg);
		goto out;
	}
	if (gs) {
		rc = run_verdict(gs, &gc, tap, c->ropts.format == CTPROF_OUT_JSON, d, NULL);
		goto out;
	}
	if (ctprof_render_diff(d, &c->ropts, &text, &len, &err) < 0) {
		harness_err("%s", err.msg);
		goto out;
	}
	rc = cmp_cli_write(text, len);
out:
	free(text);
	ctprof_diff_free(d);
	ctprof_groupset_free(grp);
	ctprof_gateset_free(gs);
	ctprof_snapshot_free(a);
	ctprof_snapshot_free(b);
	cmp_cli_free(c);
	gatecli_free(&gc);
	return rc;
}
