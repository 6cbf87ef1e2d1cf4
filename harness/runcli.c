// SPDX-License-Identifier: MIT
/* Options and plumbing shared by `run` and `ab`. */
#include "runcli.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum {
	OPT_SCHEDULER = 1100,
	OPT_SYS_ROOT,
	OPT_TIMEOUT,
	OPT_KILL_GRACE,
	OPT_ATTACH_TIMEOUT,
	OPT_BASELINE,
	OPT_GATE,
	OPT_POLICY,
	OPT_DEFAULT_GATES,
	OPT_TAP_VERSION,
	OPT_JUNIT,
	OPT_GROUP_BY,
	OPT_SCOPE,
	OPT_NO_CGROUP,
	OPT_NO_EXIT_LISTENER,
	OPT_NO_TASKSTATS,
	OPT_NO_PROBE,
	OPT_NO_DELAYACCT,
	OPT_JOBS,
	OPT_REPEAT,
	OPT_MAX_NOISE,
	OPT_A_SCHED,
	OPT_B_SCHED,
};

static const struct option opts[] = {
	{ "out", required_argument, NULL, 'o' },
	{ "scheduler", required_argument, NULL, OPT_SCHEDULER },
	{ "sys-root", required_argument, NULL, OPT_SYS_ROOT },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "kill-grace", required_argument, NULL, OPT_KILL_GRACE },
	{ "attach-timeout", required_argument, NULL, OPT_ATTACH_TIMEOUT },
	{ "baseline", required_argument, NULL, OPT_BASELINE },
	{ "gate", required_argument, NULL, OPT_GATE },
	{ "policy", required_argument, NULL, OPT_POLICY },
	{ "default-gates", no_argument, NULL, OPT_DEFAULT_GATES },
	{ "tap-version", required_argument, NULL, OPT_TAP_VERSION },
	{ "junit", required_argument, NULL, OPT_JUNIT },
	{ "group-by", required_argument, NULL, OPT_GROUP_BY },
	{ "scope", required_argument, NULL, OPT_SCOPE },
	{ "no-cgroup", no_argument, NULL, OPT_NO_CGROUP },
	{ "no-exit-listener", no_argument, NULL, OPT_NO_EXIT_LISTENER },
	{ "no-taskstats", no_argument, NULL, OPT_NO_TASKSTATS },
	{ "no-probe", no_argument, NULL, OPT_NO_PROBE },
	{ "no-delayacct", no_argument, NULL, OPT_NO_DELAYACCT },
	{ "jobs", required_argument, NULL, OPT_JOBS },
	{ "repeat", required_argument, NULL, OPT_REPEAT },
	{ "max-noise", required_argument, NULL, OPT_MAX_NOISE },
	{ "a-scheduler", required_argument, NULL, OPT_A_SCHED },
	{ "b-scheduler", required_argument, NULL, OPT_B_SCHED },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static volatile int got_signal;

static void on_signal(int sig)
{
	if (!got_signal)
		got_signal = sig;
}

int runcli_signal(void)
{
	return got_signal;
}

const volatile int *runcli_cancel_flag(void)
{
	return &got_signal;
}

void runcli_reraise(void)
{
	int sig = got_signal;

	if (!sig)
		return;
	/* dying by the signal: nothing is left to report a failure to */
	(void)fflush(stdout);
	(void)signal(sig, SIG_DFL);
	(void)raise(sig);
}

static void install_handlers(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa, old;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; /* no SA_RESTART: poll() returns early */
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		sigaction(sigs[i], NULL, &old);
		if (old.sa_handler != SIG_IGN)
			sigaction(sigs[i], &sa, NULL);
	}
}

const struct option *runcli_options(void)
{
	return opts;
}

static void note_cb(const char *line, void *ctx)
{
	harness_note("%s: %s", (const char *)ctx, line);
}

void runcli_init(struct runcli *c, const char *cmd)
{
	memset(c, 0, sizeof(*c));
	c->cmd = cmd;
	ctprof_run_opts_init(&c->opts);
	c->n_repeat = 1;
	c->noise = 0.01;
}

int runcli_option(struct runcli *c, int opt, const char *arg)
{
	struct ctprof_run_opts *o = &c->opts;

	switch (opt) {
	case 'o':
		c->out = arg;
		return 1;
	case OPT_SCHEDULER:
		c->scheduler = arg;
		return 1;
	case OPT_SYS_ROOT:
		o->sys_root = arg;
		return 1;
	case OPT_TIMEOUT:
		c->timeout = arg;
		return 1;
	case OPT_KILL_GRACE:
		c->kill_grace = arg;
		return 1;
	case OPT_ATTACH_TIMEOUT:
		c->attach_timeout = arg;
		return 1;
	case OPT_BASELINE:
		c->baseline = arg;
		return 1;
	case OPT_GATE:
		if (gatecli_add_spec(&c->gates, arg) < 0) {
			harness_err("%s: out of memory", c->cmd);
			return -1;
		}
		return 1;
	case OPT_POLICY:
		if (c->gates.policy) {
			harness_usage_error(c->cmd, "--policy given twice");
			return -1;
		}
		c->gates.policy = arg;
		return 1;
	case OPT_DEFAULT_GATES:
		c->gates.defaults = true;
		return 1;
	case OPT_TAP_VERSION:
		c->gates.tap_version = arg;
		return 1;
	case OPT_JUNIT:
		c->gates.junit = arg;
		return 1;
	case OPT_GROUP_BY:
		c->group_by = arg;
		return 1;
	case OPT_SCOPE:
		c->scope = arg;
		return 1;
	case OPT_NO_CGROUP:
		o->no_cgroup = true;
		return 1;
	case OPT_NO_EXIT_LISTENER:
		o->no_exit_listener = true;
		return 1;
	case OPT_NO_TASKSTATS:
		o->no_taskstats = true;
		return 1;
	case OPT_NO_PROBE:
		o->no_probe = true;
		return 1;
	case OPT_NO_DELAYACCT:
		o->no_delayacct = true;
		return 1;
	case OPT_JOBS:
		c->jobs = arg;
		return 1;
	case OPT_REPEAT:
		c->repeat = arg;
		return 1;
	case OPT_MAX_NOISE:
		c->max_noise = arg;
		return 1;
	case OPT_A_SCHED:
		c->a_scheduler = arg;
		return 1;
	case OPT_B_SCHED:
		c->b_scheduler = arg;
		return 1;
	default:
		return 0;
	}
}

static int parse_dur(const char *cmd, const char *name, const char *s, unsigned *out)
{
	if (!s)
		return EXIT_OK;
	if (harness_parse_duration_ms(s, out) < 0 || *out == 0)
		return harness_usage_error(cmd, "--%s: invalid duration '%s' (for example 500ms, "
					   "30s, 2m)", name, s);
	return EXIT_OK;
}

static int parse_uint(const char *cmd, const char *name, const char *s, unsigned lo, unsigned hi,
		      unsigned *out)
{
	char *end;
	unsigned long v;

	if (!s)
		return EXIT_OK;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || *s == '+' || v < lo || v > hi)
		return harness_usage_error(cmd, "--%s: invalid value '%s' (%u to %u)", name, s, lo,
					   hi);
	*out = (unsigned)v;
	return EXIT_OK;
}

/* ./ctprof-runs/YYYYmmdd-HHMMSS[-N] (PREFIX-... for ab) */
static int default_out(struct runcli *c)
{
	char stamp[32], path[256];
	time_t now = time(NULL);
	struct tm tm;
	int i;

	if (mkdir("ctprof-runs", 0755) < 0 && errno != EEXIST) {
		harness_err("%s: ctprof-runs: create: %s", c->cmd, strerror(errno));
		return EXIT_USAGE;
	}
	if (!localtime_r(&now, &tm) || !strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm)) {
		harness_err("%s: ctprof-runs: cannot format the current time", c->cmd);
		return EXIT_USAGE;
	}
	for (i = 1; i < 1000; i++) {
		int w;

		if (i == 1)
			w = snprintf(path, sizeof(path), "ctprof-runs/%s%s",
				     strcmp(c->cmd, "ab") ? "" : "ab-", stamp);
		else
			w = snprintf(path, sizeof(path), "ctprof-runs/%s%s-%d",
				     strcmp(c->cmd, "ab") ? "" : "ab-", stamp, i);
		if (w < 0 || (size_t)w >= sizeof(path)) {
			harness_err("%s: ctprof-runs/%s: run directory name too long", c->cmd, stamp);
			return EXIT_USAGE;
		}
		if (access(path, F_OK) < 0) {
			c->out_alloc = strdup(path);
			if (!c->out_alloc) {
				harness_err("%s: out of memory", c->cmd);
				return EXIT_USAGE;
			}
			c->out = c->out_alloc;
			return EXIT_OK;
		}
	}
	harness_err("%s: ctprof-runs/%s: too many runs this second", c->cmd, stamp);
	return EXIT_USAGE;
}

int runcli_finish(struct runcli *c, int argc, char **argv, bool ab)
{
	struct ctprof_run_opts *o = &c->opts;
	const char *cmd = c->cmd;
	unsigned jobs = 0;
	int rc;

	if (argc < 1)
		return harness_usage_error(cmd, "no command to run (put it after --)");
	c->argv = argv;
	if (ab) {
		if (c->scheduler)
			return harness_usage_error(cmd, "--scheduler is for run; use --a-scheduler "
						   "and --b-scheduler");
		if (!c->b_scheduler)
			return harness_usage_error(cmd, "--b-scheduler is required");
		if (c->baseline)
			return harness_usage_error(cmd, "--baseline is for run (A is the baseline)");
	} else if (c->a_scheduler || c->b_scheduler) {
		return harness_usage_error(cmd, "--a-scheduler and --b-scheduler are for ab");
	}
	if (c->group_by && ctprof_group_by_parse(c->group_by, &o->group_by) < 0)
		return harness_usage_error(cmd, "--group-by: invalid value '%s' (one of pcomm, "
					   "cgroup, comm, comm-exact, all)", c->group_by);
	if (c->scope) {
		if (strcmp(c->scope, "workload") == 0)
			o->scope = CTPROF_RUN_SCOPE_WORKLOAD;
		else if (strcmp(c->scope, "host") == 0)
			o->scope = CTPROF_RUN_SCOPE_HOST;
		else
			return harness_usage_error(cmd, "--scope: invalid value '%s' (workload or "
						   "host)", c->scope);
	}
	if ((rc = parse_dur(cmd, "timeout", c->timeout, &o->timeout_ms)) ||
	    (rc = parse_dur(cmd, "kill-grace", c->kill_grace, &o->kill_grace_ms)) ||
	    (rc = parse_dur(cmd, "attach-timeout", c->attach_timeout, &o->attach_timeout_ms)) ||
	    (rc = parse_uint(cmd, "jobs", c->jobs, 1, CTPROF_CAPTURE_MAX_JOBS, &jobs)) ||
	    (rc = parse_uint(cmd, "repeat", c->repeat, 1, 1000, &c->n_repeat)))
		return rc;
	o->jobs = jobs;
	if (c->max_noise) {
		char *end;
		double v;

		errno = 0;
		v = strtod(c->max_noise, &end);
		if (errno || end == c->max_noise || (*end && strcmp(end, "%") != 0) || v < 0 ||
		    v > 1e6)
			return harness_usage_error(cmd, "--max-noise: invalid value '%s' (a "
						   "percentage such as 1%% or 2.5)", c->max_noise);
		c->noise = v / 100.0;
		if (c->n_repeat < 2)
			return harness_usage_error(cmd, "--max-noise needs --repeat N with N >= 2");
	}
	rc = gatecli_build(&c->gates, cmd, false, &c->gs, &c->tap);
	if (rc != EXIT_OK)
		return rc;
	o->gates = c->gs;
	o->tap_version = c->tap;
	if (!c->out && (rc = default_out(c)) != EXIT_OK)
		return rc;
	if (access(c->out, F_OK) == 0)
		return harness_usage_error(cmd, "%s exists already (the run directory must be new)",
					   c->out);
	o->out_dir = c->out;
	o->argv = argv;
	o->scheduler = c->scheduler;
	o->cancel = runcli_cancel_flag();
	o->note = harness_verbosity > HARNESS_LOG_QUIET ? note_cb : NULL;
	o->note_ctx = (void *)cmd;
	o->version = ctprof_version();
	install_handlers();
	return EXIT_OK;
}

int runcli_parse(struct runcli *c, int argc, char **argv, void (*help)(FILE *), bool ab)
{
	int opt;

	while ((opt = getopt_long(argc, argv, "+ho:", opts, NULL)) != -1) {
		int r = runcli_option(c, opt, optarg);

		if (r < 0)
			return EXIT_USAGE;
		if (r > 0)
			continue;
		if (opt == 'h') {
			help(stdout);
			return RUNCLI_HELP;
		}
		return harness_bad_option(c->cmd, argv, opts, "+ho:");
	}
	return runcli_finish(c, argc - optind, argv + optind, ab);
}

/*
 * What a run or a series leaves to print: its TAP on stdout, the --junit
 * file, the run directory on stderr. rc < 0: the library's error (err).
 */
typedef int (*junit_fn)(const void *obj, char **out, size_t *len, struct ctprof_error *err);

static int run_junit(const void *obj, char **out, size_t *len, struct ctprof_error *err)
{
	return ctprof_run_junit(obj, out, len, err);
}

static int series_junit(const void *obj, char **out, size_t *len, struct ctprof_error *err)
{
	return ctprof_series_junit(obj, out, len, err);
}

static int report(struct runcli *c, int rc, const struct ctprof_error *err, const char *tap,
		  size_t len, junit_fn junit, const void *obj, const char *dir,
		  enum ctprof_run_status status)
{
	struct ctprof_error e = { 0 };

	if (tap && (fwrite(tap, 1, len, stdout) != len || fflush(stdout) != 0))
		harness_err("%s: stdout: write: %s", c->cmd, strerror(errno ? errno : EIO));
	if (rc < 0) {
		harness_err("%s: %s", c->cmd, err->msg);
		return EXIT_USAGE;
	}
	if (c->gates.junit) {
		char *x = NULL;
		size_t xl = 0;

		if (junit(obj, &x, &xl, &e) < 0) {
			harness_err("%s: %s", c->cmd, e.msg);
			return EXIT_USAGE;
		}
		rc = harness_write_file(c->gates.junit, x, xl);
		free(x);
		if (rc != EXIT_OK)
			return rc;
	}
	harness_note("%s: run directory %s", c->cmd, dir);
	return status == CTPROF_RUN_PASSED ? EXIT_OK : EXIT_FAIL;
}

int runcli_run_one(struct runcli *c, const struct ctprof_run_opts *o, struct ctprof_run **out)
{
	struct ctprof_error err = { 0 };
	struct ctprof_run *run = NULL;
	const char *tap;
	size_t len = 0;
	int rc;

	rc = ctprof_run_workload(o, &run, &err);
	*out = run;
	if (rc < 0 && !run) {
		harness_err("%s: %s", c->cmd, err.msg);
		return EXIT_USAGE;
	}
	tap = ctprof_run_tap(run, &len);
	return report(c, rc, &err, tap, len, run_junit, run, ctprof_run_dir(run),
		      ctprof_run_status(run));
}

void runcli_free(struct runcli *c)
{
	gatecli_free(&c->gates);
	ctprof_gateset_free(c->gs);
	free(c->out_alloc);
	memset(c, 0, sizeof(*c));
}

int runcli_run_series(struct runcli *c, const struct ctprof_series_opts *so,
		      struct ctprof_series **out)
{
	struct ctprof_error err = { 0 };
	struct ctprof_series *sr = NULL;
	const char *tap;
	size_t len = 0;
	int rc;

	rc = ctprof_run_series(so, &sr, &err);
	*out = sr;
	if (rc < 0 && !sr) {
		harness_err("%s: %s", c->cmd, err.msg);
		return EXIT_USAGE;
	}
	tap = ctprof_series_tap(sr, &len);
	return report(c, rc, &err, tap, len, series_junit, sr, ctprof_series_dir(sr),
		      ctprof_series_status(sr));
}

void runcli_series_opts(struct runcli *c, struct ctprof_series_opts *so)
{
	memset(so, 0, sizeof(*so));
	so->sz = sizeof(*so);
	so->run = &c->opts;
	so->out_dir = c->out;
	so->repeat = c->n_repeat;
	so->max_noise = c->noise;
	so->gates = c->gs;
	so->tap_version = c->tap;
}
