/* SPDX-License-Identifier: MIT */
/*
 * ctprof-harness internals: the subcommand table (bpftool style). Each
 * subcommand lives in harness/cmd_NAME.c and only parses arguments and
 * calls libctprof. Add a subcommand with one line in commands.def.
 */
#ifndef CTPROF_HARNESS_H
#define CTPROF_HARNESS_H

#include <stdio.h>
#include <ctprof/ctprof.h>

/* Exit codes (DESIGN.md §8). */
#define EXIT_OK 0
#define EXIT_FAIL 1  /* a gate failed, or the workload/scheduler failed */
#define EXIT_USAGE 2 /* bad usage or unreadable input */

struct harness_cmd {
	const char *name;
	/* argv[0] is the subcommand name; returns the process exit code. */
	int (*run)(int argc, char **argv);
	const char *summary; /* one line for `ctprof-harness --help` */
	/* Full help text for `ctprof-harness help NAME` and `NAME --help`. */
	void (*help)(FILE *out);
};

/* One error line on stderr: "ctprof-harness: " + formatted text. */
void harness_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* One warning/info line on stderr with the same prefix. */
void harness_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The library's log callback, printing to stderr with the prefix. */
void harness_log(int level, const char *line, void *ctx);

/*
 * Verbosity set by the global -q/-v options: library log lines of level
 * <= harness_verbosity are printed (0 error, 1 warning, 2 info, 3 debug).
 * harness_note() prints nothing under -q.
 */
#define HARNESS_LOG_QUIET 0
#define HARNESS_LOG_DEFAULT 1
extern int harness_verbosity;

/*
 * Usage errors inside a subcommand: print
 * "ctprof-harness: CMD: MESSAGE (see 'ctprof-harness CMD --help')" and
 * return EXIT_USAGE (cmd NULL: the global form). Subcommands parse with
 * getopt_long (the dispatcher resets optind to 0 and sets opterr to 0
 * before calling them) and answer a '?' from getopt with
 * `return harness_bad_option("NAME", argv, opts, optstring);`, which says
 * whether the option is unknown, ambiguous, lacks or has an extra argument.
 */
struct option;
int harness_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int harness_bad_option(const char *cmd, char **argv, const struct option *opts,
		       const char *optstring);

#define HARNESS_CMD(name) \
	int cmd_##name(int argc, char **argv); \
	void cmd_##name##_help(FILE *out);
#include "commands.def"
#undef HARNESS_CMD

#endif
