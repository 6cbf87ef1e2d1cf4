/* SPDX-License-Identifier: MIT */
/*
 * ctprof-harness: global options and the subcommand dispatcher (bpftool
 * style). To add a subcommand NAME:
 *   1. harness/cmd_NAME.c defines int cmd_NAME(int argc, char **argv) and
 *      void cmd_NAME_help(FILE *out);
 *   2. one line HARNESS_CMD(NAME) in harness/commands.def;
 *   3. one row HARNESS_ROW(NAME, "summary") in harness_cmds[] below.
 * The build fails when 2 and 3 disagree (a missing declaration or a
 * table of the wrong size); --help lists commands in commands.def order.
 */
#include "harness.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#ifndef CTPROF_HARNESS_VERSION
#define CTPROF_HARNESS_VERSION CTPROF_VERSION_STRING
#endif

#define PROG "ctprof-harness"

/* Index of each subcommand, in commands.def order. */
enum {
#define HARNESS_CMD(name) HARNESS_IDX_##name,
#include "commands.def"
#undef HARNESS_CMD
	HARNESS_NCMDS
};

#define HARNESS_ROW(name, summary) \
	[HARNESS_IDX_##name] = { #name, cmd_##name, summary, cmd_##name##_help }

static const struct harness_cmd harness_cmds[] = {
	HARNESS_ROW(run, "run a workload between two snapshots and gate it (TAP)"),
	HARNESS_ROW(ab, "run a workload under two schedulers, alternating, and gate B against A"),
	HARNESS_ROW(capture, "snapshot every thread of the host (or of a proc tree) to a file"),
	HARNESS_ROW(info, "print a summary of snapshot files"),
	HARNESS_ROW(compare, "compare two snapshots, intervals or runs, group by group"),
	HARNESS_ROW(show, "print one snapshot's metrics, group by group"),
	HARNESS_ROW(diff, "write the interval between two snapshots"),
	/* the command is spelled with a dash; its C name has an underscore */
	[HARNESS_IDX_metric_list] = { "metric-list", cmd_metric_list,
				      "list every metric, derived metric, section and tag",
				      cmd_metric_list_help },
};

_Static_assert(sizeof(harness_cmds) / sizeof(harness_cmds[0]) == HARNESS_NCMDS,
	       "harness_cmds[] in main.c needs one HARNESS_ROW per line of commands.def");

int harness_verbosity = HARNESS_LOG_DEFAULT;

__attribute__((format(printf, 2, 0)))
static void vmsg(const char *kind, const char *fmt, va_list ap)
{
	fputs(PROG ": ", stderr);
	if (kind)
		fputs(kind, stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void harness_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(NULL, fmt, ap);
	va_end(ap);
}

void harness_note(const char *fmt, ...)
{
	va_list ap;

	if (harness_verbosity < HARNESS_LOG_DEFAULT)
		return;
	va_start(ap, fmt);
	vmsg(NULL, fmt, ap);
	va_end(ap);
}

void harness_log(int level, const char *line, void *ctx)
{
	static const char *const kinds[] = { "error: ", "warning: ", "info: ", "debug: " };

	(void)ctx;
	if (level > harness_verbosity)
		return;
	if (level < 0)
		level = 0;
	if (level > 3)
		level = 3;
	fprintf(stderr, PROG ": %s%s\n", kinds[level], line ? line : "");
}

int harness_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fputs(PROG ": ", stderr);
	if (cmd)
		fprintf(stderr, "%s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (cmd)
		fprintf(stderr, " (see '" PROG " %s --help')\n", cmd);
	else
		fputs(" (see '" PROG " --help')\n", stderr);
	return EXIT_USAGE;
}

int harness_bad_option(const char *cmd, char **argv, const struct option *opts,
		       const char *optstring)
{
	const char *arg = optind > 0 ? argv[optind - 1] : NULL;
	const struct option *o, *hit = NULL;
	const char *eq;
	size_t len;
	int nhit = 0;

	/* Inside a cluster ("-zv"), optind still points at the cluster. */
	if (optopt > 0 && optopt < 256 && optind > 0 && argv[optind] && argv[optind][0] == '-' &&
	    argv[optind][1] != '-' && strchr(argv[optind] + 1, optopt))
		arg = argv[optind];
	if (!arg || strncmp(arg, "--", 2) != 0) {
		const char *p = optopt ? strchr(optstring, optopt) : NULL;

		if (p && p[1] == ':')
			return harness_usage_error(cmd, "option '-%c' needs an argument", optopt);
		if (optopt)
			return harness_usage_error(cmd, "unknown option '-%c'", optopt);
		return harness_usage_error(cmd, "bad option '%s'", arg ? arg : "");
	}
	eq = strchr(arg + 2, '=');
	len = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);
	for (o = opts; o && o->name; o++) {
		if (strncmp(o->name, arg + 2, len) != 0)
			continue;
		if (o->name[len] == '\0') {
			hit = o;
			nhit = 1;
			break;
		}
		hit = o;
		nhit++;
	}
	if (nhit > 1)
		return harness_usage_error(cmd, "ambiguous option '--%.*s'", (int)len, arg + 2);
	if (hit && eq && hit->has_arg == no_argument)
		return harness_usage_error(cmd, "option '--%s' takes no argument", hit->name);
	if (hit && !eq && hit->has_arg == required_argument)
		return harness_usage_error(cmd, "option '--%s' needs an argument", hit->name);
	return harness_usage_error(cmd, "unknown option '--%.*s'", (int)len, arg + 2);
}

static const struct harness_cmd *find_cmd(const char *name)
{
	size_t i;

	for (i = 0; i < HARNESS_NCMDS; i++)
		if (strcmp(harness_cmds[i].name, name) == 0)
			return &harness_cmds[i];
	return NULL;
}

static void usage(FILE *out)
{
	size_t i;

	fprintf(out,
		"Usage: " PROG " [OPTIONS] COMMAND [ARGS...]\n"
		"       " PROG " help [COMMAND]\n"
		"       " PROG " COMMAND --help\n"
		"\n"
		"Snapshot, inspect and compare per-thread scheduler statistics; snapshot\n"
		"files (*.ctprof.zst) are compatible with ktstr's ctprof.\n"
		"\n"
		"Commands:\n");
	for (i = 0; i < HARNESS_NCMDS; i++)
		fprintf(out, "  %-13s %s\n", harness_cmds[i].name, harness_cmds[i].summary);
	fprintf(out, "  %-13s %s\n", "help", "show this help, or the help of one command");
	fprintf(out,
		"\n"
		"Options:\n"
		"  -h, --help     show this help and exit\n"
		"  -V, --version  print the version and exit\n"
		"  -v, --verbose  show the library's informational log lines (twice: debug)\n"
		"  -q, --quiet    show errors only (no warnings or notes)\n"
		"\n"
		"Exit status: 0 success, 1 a gate or the workload failed, 2 bad usage or\n"
		"unreadable input.\n");
}

static int unknown_cmd(const char *name)
{
	harness_err("unknown command '%s' (see '" PROG " --help')", name);
	return EXIT_USAGE;
}

static int cmd_help(int argc, char **argv)
{
	const struct harness_cmd *c;

	if (argc < 2) {
		usage(stdout);
		return EXIT_OK;
	}
	if (argc > 2) {
		harness_err("help: too many arguments (see '" PROG " --help')");
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	c = find_cmd(argv[1]);
	if (!c)
		return unknown_cmd(argv[1]);
	c->help(stdout);
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 },
	};
	const struct harness_cmd *c;
	int opt, verbose = 0;
	bool quiet = false;
	size_t i;

	for (i = 0; i < HARNESS_NCMDS; i++) {
		if (!harness_cmds[i].name) {
			harness_err("internal error: command %zu of commands.def has no row in main.c", i);
			return EXIT_FAIL;
		}
	}

	opterr = 0;
	/* '+': stop at the subcommand; its options are its own. */
	while ((opt = getopt_long(argc, argv, "+hVvq", opts, NULL)) != -1) {
		switch (opt) {
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			printf(PROG " %s (libctprof %s)\n", CTPROF_HARNESS_VERSION, ctprof_version());
			return EXIT_OK;
		case 'v':
			verbose++;
			break;
		case 'q':
			quiet = true;
			break;
		default:
			/* "ctprof-harness: unknown option '-z' (see 'ctprof-harness --help')" */
			return harness_bad_option(NULL, argv, opts, "hVvq");
		}
	}
	if (quiet && verbose) {
		harness_err("--quiet and --verbose are mutually exclusive");
		return EXIT_USAGE;
	}
	if (quiet)
		harness_verbosity = HARNESS_LOG_QUIET;
	else
		harness_verbosity = HARNESS_LOG_DEFAULT + (verbose > 2 ? 2 : verbose);
	ctprof_set_log(harness_log, NULL);

	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	argc -= optind;
	argv += optind;
	/* Reset getopt for the command (optind 0: full re-initialisation). */
	optind = 0;
	opterr = 0;

	if (strcmp(argv[0], "help") == 0)
		return cmd_help(argc, argv);
	c = find_cmd(argv[0]);
	if (!c)
		return unknown_cmd(argv[0]);
	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		c->help(stdout);
		return EXIT_OK;
	}
	return c->run(argc, argv);
}
