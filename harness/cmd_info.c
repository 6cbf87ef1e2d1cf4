/* SPDX-License-Identifier: MIT */
/* ctprof-harness info FILE...: summarise snapshot files, or dump them as JSON. */
#include "harness.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void cmd_info_help(FILE *out)
{
	fprintf(out,
		"Usage: ctprof-harness info [--json] FILE...\n"
		"\n"
		"Load each snapshot file (*.ctprof.zst, as written by ktstr or by\n"
		"ctprof-harness) and print a short summary of it: when it was captured,\n"
		"the kernel, how many threads, processes and cgroups it holds, which\n"
		"optional parts are present (host context, probe/parse/taskstats\n"
		"summaries, sched_ext state, interval window, exited threads) and which\n"
		"ktstr schema variant its threads use.\n"
		"\n"
		"Options:\n"
		"  --json      print each loaded snapshot as canonical compact JSON instead,\n"
		"              one document per line, in the order of the files\n"
		"  -h, --help  show this help\n"
		"\n"
		"Every file is tried; one line per unreadable file goes to stderr.\n"
		"Exit status: 0 when every file loads, 2 otherwise.\n");
}

/* Print a string from a snapshot, escaping control bytes so it stays one line. */
static void put_safe(FILE *out, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f)
			fprintf(out, "\\x%02x", c);
		else if (c == '\\')
			fputs("\\\\", out);
		else
			fputc(c, out);
	}
}

/* "YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ" for a u64 of nanoseconds since the epoch. */
static void put_utc(FILE *out, uint64_t ns)
{
	time_t secs = (time_t)(ns / 1000000000u);
	struct tm tm;
	char buf[64];

	if (!gmtime_r(&secs, &tm) || !strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm)) {
		fputs("(out of range)", out);
		return;
	}
	fprintf(out, "%s.%09" PRIu64 "Z", buf, ns % 1000000000u);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* Distinct tgids among the threads; -1 on allocation failure. */
static long long count_processes(const struct ctprof_snapshot *s)
{
	uint32_t *tg;
	size_t i;
	long long n = 0;

	if (s->n_threads == 0)
		return 0;
	tg = malloc(s->n_threads * sizeof(*tg));
	if (!tg)
		return -1;
	for (i = 0; i < s->n_threads; i++)
		tg[i] = s->threads[i].tgid;
	qsort(tg, s->n_threads, sizeof(*tg), cmp_u32);
	for (i = 0; i < s->n_threads; i++)
		if (i == 0 || tg[i] != tg[i - 1])
			n++;
	free(tg);
	return n;
}

static const char *present(const void *p)
{
	return p ? "present" : "absent";
}

static int print_summary(FILE *out, const char *path, const struct ctprof_snapshot *s)
{
	long long procs = count_processes(s);
	size_t i, exited = 0;

	if (procs < 0) {
		harness_err("%s: count processes: %s", path, strerror(ENOMEM));
		return EXIT_USAGE;
	}
	for (i = 0; i < s->n_threads; i++)
		if (s->threads[i].exited)
			exited++;

	put_safe(out, path);
	fputs(":\n", out);

	fputs("  captured:          ", out);
	put_utc(out, s->captured_at_unix_ns);
	fprintf(out, " (%" PRIu64 " ns)\n", s->captured_at_unix_ns);

	fputs("  kernel:            ", out);
	if (s->host && (s->host->kernel_release || s->host->arch)) {
		if (s->host->kernel_name) {
			put_safe(out, s->host->kernel_name);
			fputc(' ', out);
		}
		put_safe(out, s->host->kernel_release ? s->host->kernel_release : "unknown");
		fputc(' ', out);
		put_safe(out, s->host->arch ? s->host->arch : "(arch unknown)");
		fputc('\n', out);
	} else if (s->host) {
		fputs("unknown (not recorded in host context)\n", out);
	} else {
		fputs("unknown (no host context)\n", out);
	}

	fprintf(out, "  threads:           %zu\n", s->n_threads);
	fprintf(out, "  processes:         %lld\n", procs);
	fprintf(out, "  cgroups:           %zu\n", s->n_cgroups);
	fprintf(out, "  exited threads:    %zu\n", exited);
	fprintf(out, "  host:              %s\n", present(s->host));
	fprintf(out, "  probe_summary:     %s\n", present(s->probe_summary));
	fprintf(out, "  parse_summary:     %s\n", present(s->parse_summary));
	fprintf(out, "  taskstats_summary: %s\n", present(s->taskstats_summary));

	fputs("  sched_ext:         ", out);
	if (s->sched_ext) {
		fputs("present (state \"", out);
		put_safe(out, s->sched_ext->state ? s->sched_ext->state : "");
		fprintf(out, "\", switch_all %" PRIu64 ", enable_seq %" PRIu64 ")\n",
			s->sched_ext->switch_all, s->sched_ext->enable_seq);
	} else {
		fputs("absent\n", out);
	}

	fputs("  interval:          ", out);
	if (s->interval) {
		uint64_t from = s->interval->from_unix_ns, to = s->interval->to_unix_ns;
		uint64_t w = to >= from ? to - from : from - to;

		fputs("present (", out);
		put_utc(out, from);
		fputs(" to ", out);
		put_utc(out, to);
		fprintf(out, ", window %s%" PRIu64 ".%09" PRIu64 " s)\n", to >= from ? "" : "-",
			w / 1000000000u, w % 1000000000u);
	} else {
		fputs("absent\n", out);
	}

	fprintf(out, "  schema:            %s\n", ctprof_schema_name(s->schema));
	return EXIT_OK;
}

static int print_json(FILE *out, const char *path, const struct ctprof_snapshot *s)
{
	struct ctprof_error err = { 0 };
	char *json = NULL;
	size_t len = 0;

	if (ctprof_snapshot_to_json(s, &json, &len, &err) < 0) {
		harness_err("%s: to JSON: %s", path, err.msg);
		return EXIT_USAGE;
	}
	fwrite(json, 1, len, out);
	fputc('\n', out);
	free(json);
	return EXIT_OK;
}

int cmd_info(int argc, char **argv)
{
	enum { OPT_JSON = 1000 };
	static const struct option opts[] = {
		{ "json", no_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool json = false, printed = false;
	int opt, rc = EXIT_OK, i;

	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case OPT_JSON:
			json = true;
			break;
		case 'h':
			cmd_info_help(stdout);
			return EXIT_OK;
		default:
			return harness_bad_option("info", argv, opts, "h");
		}
	}
	if (optind >= argc)
		return harness_usage_error("info", "no snapshot file given");

	for (i = optind; i < argc; i++) {
		struct ctprof_error err = { 0 };
		struct ctprof_snapshot *snap = NULL;
		int r;

		if (ctprof_snapshot_load(argv[i], &snap, &err) < 0) {
			/* The library's message already reads "FILE: step: cause". */
			harness_err("%s", err.msg[0] ? err.msg : argv[i]);
			rc = EXIT_USAGE;
			continue;
		}
		if (json) {
			r = print_json(stdout, argv[i], snap);
		} else {
			if (printed)
				fputc('\n', stdout);
			r = print_summary(stdout, argv[i], snap);
			printed = true;
		}
		if (r != EXIT_OK)
			rc = r;
		ctprof_snapshot_free(snap);
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		harness_err("stdout: write: %s", strerror(errno));
		return EXIT_USAGE;
	}
	return rc;
}
