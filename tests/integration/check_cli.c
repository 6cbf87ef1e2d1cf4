/* SPDX-License-Identifier: MIT */
/*
 * ctprof-harness end to end: the dispatcher (help, version, unknown
 * commands and options) and `info` on the golden fixture, the malformed
 * fixtures, and snapshots written here through the library.
 */
#include <check.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zstd.h>
#include <ctprof/ctprof.h>

#include "testutil.h"

#define GOLDEN_ZST "snapshots/ktstr-synthetic.ctprof.zst"
#define GOLDEN_JSON "snapshots/ktstr-synthetic.json"

struct res {
	int rc;
	char *out;
	char *err;
};

/* Run ctprof-harness with up to 15 arguments (NULL-terminated). */
static struct res run_args(const char *const *args)
{
	char *argv[17];
	struct res r;
	int n = 0;

	argv[n++] = (char *)tu_harness();
	while (args[n - 1] && n < 16) {
		argv[n] = (char *)args[n - 1];
		n++;
	}
	argv[n] = NULL;
	r.rc = tu_run(argv, &r.out, &r.err, 30);
	return r;
}

#define RUN(...) run_args((const char *const[]){ __VA_ARGS__, NULL })

static void res_free(struct res *r)
{
	free(r->out);
	free(r->err);
}

static size_t count_lines(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (*s == '\n')
			n++;
	return n;
}

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* The command names listed under "Commands:" in --help, one per slot. */
static size_t help_commands(const char *help, char names[][32], size_t max)
{
	const char *p = strstr(help, "\nCommands:\n");
	size_t n = 0;

	ck_assert_ptr_nonnull(p);
	p += strlen("\nCommands:\n");
	while (n < max && p[0] == ' ' && p[1] == ' ' && p[2] != ' ') {
		size_t len = strcspn(p + 2, " \n");

		ck_assert_uint_lt(len, 32);
		memcpy(names[n], p + 2, len);
		names[n][len] = '\0';
		n++;
		p = strchr(p, '\n');
		ck_assert_ptr_nonnull(p);
		p++;
	}
	return n;
}

/* ---- dispatcher ------------------------------------------------------ */

START_TEST(test_help_lists_commands)
{
	struct res r = RUN("--help");
	struct res h = RUN("-h");
	struct res hh = RUN("help");
	char names[64][32];
	size_t n, i;
	bool info = false, help = false;

	ck_assert_int_eq(r.rc, 0);
	ck_assert_str_eq(r.err, "");
	ck_assert(starts_with(r.out, "Usage: ctprof-harness [OPTIONS] COMMAND [ARGS...]\n"));
	n = help_commands(r.out, names, 64);
	for (i = 0; i < n; i++) {
		info |= strcmp(names[i], "info") == 0;
		help |= strcmp(names[i], "help") == 0;
	}
	ck_assert(info);
	ck_assert(help);
	ck_assert_ptr_nonnull(strstr(r.out, "\n  info          print a summary of snapshot files\n"));
	ck_assert_ptr_nonnull(strstr(r.out, "-V, --version"));
	ck_assert_ptr_nonnull(strstr(r.out, "-q, --quiet"));
	/* -h and `help` print the same text. */
	ck_assert_int_eq(h.rc, 0);
	ck_assert_str_eq(h.out, r.out);
	ck_assert_int_eq(hh.rc, 0);
	ck_assert_str_eq(hh.out, r.out);
	res_free(&r);
	res_free(&h);
	res_free(&hh);
}
END_TEST

/* Every listed command has a help text, reachable both ways. */
START_TEST(test_every_command_has_help)
{
	struct res r = RUN("--help");
	char names[64][32];
	size_t n, i;

	ck_assert_int_eq(r.rc, 0);
	n = help_commands(r.out, names, 64);
	ck_assert_uint_ge(n, 2);
	for (i = 0; i < n; i++) {
		struct res a = RUN("help", names[i]);
		struct res b = RUN(names[i], "--help");
		char *usage = tu_path("Usage: ctprof-harness %s", names[i]);

		ck_assert_msg(a.rc == 0, "help %s: exit %d", names[i], a.rc);
		ck_assert_str_eq(a.err, "");
		if (strcmp(names[i], "help") == 0) {
			ck_assert_str_eq(a.out, r.out);
		} else {
			ck_assert_msg(starts_with(a.out, usage), "help %s: %s", names[i], a.out);
			ck_assert_int_eq(b.rc, 0);
			ck_assert_str_eq(b.out, a.out);
			ck_assert_str_eq(b.err, "");
		}
		free(usage);
		res_free(&a);
		res_free(&b);
	}
	res_free(&r);
}
END_TEST

START_TEST(test_help_info)
{
	struct res a = RUN("help", "info");
	struct res b = RUN("info", "--help");
	struct res c = RUN("info", "-h");

	ck_assert_int_eq(a.rc, 0);
	ck_assert(starts_with(a.out, "Usage: ctprof-harness info [--json] FILE...\n"));
	ck_assert_ptr_nonnull(strstr(a.out, "--json"));
	ck_assert_int_eq(b.rc, 0);
	ck_assert_str_eq(b.out, a.out);
	ck_assert_int_eq(c.rc, 0);
	ck_assert_str_eq(c.out, a.out);
	res_free(&a);
	res_free(&b);
	res_free(&c);
}
END_TEST

START_TEST(test_version)
{
	struct res a = RUN("--version");
	struct res b = RUN("-V");

	ck_assert_int_eq(a.rc, 0);
	ck_assert_str_eq(a.out, "ctprof-harness " CTPROF_VERSION_STRING " (libctprof " CTPROF_VERSION_STRING ")\n");
	ck_assert_str_eq(a.err, "");
	ck_assert_int_eq(b.rc, 0);
	ck_assert_str_eq(b.out, a.out);
	res_free(&a);
	res_free(&b);
}
END_TEST

START_TEST(test_unknown_command)
{
	struct res r = RUN("frobnicate", "x");
	struct res h = RUN("help", "frobnicate");

	ck_assert_int_eq(r.rc, 2);
	ck_assert_str_eq(r.out, "");
	ck_assert_str_eq(r.err, "ctprof-harness: unknown command 'frobnicate' (see 'ctprof-harness --help')\n");
	ck_assert_int_eq(h.rc, 2);
	ck_assert_str_eq(h.err, r.err);
	res_free(&r);
	res_free(&h);
}
END_TEST

START_TEST(test_no_args)
{
	char *argv[] = { (char *)tu_harness(), NULL };
	struct res r;

	r.rc = tu_run(argv, &r.out, &r.err, 30);
	ck_assert_int_eq(r.rc, 2);
	ck_assert_str_eq(r.out, "");
	ck_assert(starts_with(r.err, "Usage: ctprof-harness "));
	ck_assert_ptr_nonnull(strstr(r.err, "\n  info "));
	res_free(&r);
}
END_TEST

START_TEST(test_bad_options)
{
	struct res a = RUN("--frob");
	struct res b = RUN("-z", "info");
	struct res c = RUN("-q", "-v", "info", "x");
	struct res d = RUN("info", "--bogus", "x");
	struct res e = RUN("info", "--json=yes", "x");
	struct res f = RUN("info");
	struct res g = RUN("help", "info", "extra");

	ck_assert_int_eq(a.rc, 2);
	ck_assert_str_eq(a.err, "ctprof-harness: unknown option '--frob' (see 'ctprof-harness --help')\n");
	ck_assert_int_eq(b.rc, 2);
	ck_assert_str_eq(b.err, "ctprof-harness: unknown option '-z' (see 'ctprof-harness --help')\n");
	ck_assert_int_eq(c.rc, 2);
	ck_assert_str_eq(c.err, "ctprof-harness: --quiet and --verbose are mutually exclusive\n");
	ck_assert_int_eq(d.rc, 2);
	ck_assert_str_eq(d.err, "ctprof-harness: info: unknown option '--bogus' (see 'ctprof-harness info --help')\n");
	ck_assert_int_eq(e.rc, 2);
	ck_assert_str_eq(e.err, "ctprof-harness: info: option '--json' takes no argument (see 'ctprof-harness info --help')\n");
	ck_assert_int_eq(f.rc, 2);
	ck_assert_str_eq(f.err, "ctprof-harness: info: no snapshot file given (see 'ctprof-harness info --help')\n");
	ck_assert_int_eq(g.rc, 2);
	ck_assert_uint_eq(count_lines(g.err), 1);
	ck_assert_str_eq(a.out, "");
	ck_assert_str_eq(d.out, "");
	res_free(&a);
	res_free(&b);
	res_free(&c);
	res_free(&d);
	res_free(&e);
	res_free(&f);
	res_free(&g);
}
END_TEST

/* ---- info on the golden ktstr fixture -------------------------------- */

static const char golden_summary_body[] =
	"  captured:          2024-04-24T23:06:40.000000000Z (1714000000000000000 ns)\n"
	"  kernel:            unknown (no host context)\n"
	"  threads:           1\n"
	"  processes:         1\n"
	"  cgroups:           1\n"
	"  exited threads:    0\n"
	"  host:              absent\n"
	"  probe_summary:     absent\n"
	"  parse_summary:     absent\n"
	"  taskstats_summary: absent\n"
	"  sched_ext:         absent\n"
	"  interval:          absent\n"
	"  schema:            98-field threads (current ktstr schema)\n";

START_TEST(test_info_golden)
{
	char *path = tu_fixture(GOLDEN_ZST);
	char *want = tu_path("%s:\n%s", path, golden_summary_body);
	struct res r = RUN("info", path);
	struct res q = RUN("-q", "info", path);
	struct res v = RUN("-vv", "info", path);

	ck_assert_msg(r.rc == 0, "exit %d, stderr: %s", r.rc, r.err);
	ck_assert_str_eq(r.err, "");
	ck_assert_str_eq(r.out, want);
	ck_assert_int_eq(q.rc, 0);
	ck_assert_str_eq(q.out, want);
	ck_assert_int_eq(v.rc, 0);
	ck_assert_str_eq(v.out, want);
	res_free(&r);
	res_free(&q);
	res_free(&v);
	free(want);
	free(path);
}
END_TEST

START_TEST(test_info_json_golden)
{
	char *zst = tu_fixture(GOLDEN_ZST);
	char *json = tu_fixture(GOLDEN_JSON);
	size_t len;
	char *doc = tu_read_file(json, &len);
	char *want, *want2;
	struct res r = RUN("info", "--json", zst);
	struct res r2 = RUN("info", zst, "--json", zst);

	ck_assert_ptr_nonnull(doc);
	ck_assert_uint_gt(len, 0);
	ck_assert_int_ne(doc[len - 1], '\n'); /* compact, like ktstr: no newline */
	want = tu_path("%s\n", doc);
	want2 = tu_path("%s\n%s\n", doc, doc);
	ck_assert_int_eq(r.rc, 0);
	ck_assert_str_eq(r.err, "");
	ck_assert_uint_eq(strlen(r.out), len + 1);
	ck_assert_str_eq(r.out, want);
	/* One document per line, in file order. */
	ck_assert_int_eq(r2.rc, 0);
	ck_assert_str_eq(r2.out, want2);
	res_free(&r);
	res_free(&r2);
	free(want);
	free(want2);
	free(doc);
	free(json);
	free(zst);
}
END_TEST

/* ---- malformed and unreadable input ---------------------------------- */

/* Exit 2, nothing on stdout, one stderr line "ctprof-harness: PATH: ...". */
static void assert_bad_file(const char *path, bool json)
{
	struct res r = json ? RUN("info", "--json", path) : RUN("info", path);
	char *prefix = tu_path("ctprof-harness: %s: ", path);

	ck_assert_msg(r.rc == 2, "%s: exit %d", path, r.rc);
	ck_assert_msg(r.out[0] == '\0', "%s: stdout: %s", path, r.out);
	ck_assert_msg(count_lines(r.err) == 1, "%s: stderr: %s", path, r.err);
	ck_assert_msg(starts_with(r.err, prefix), "%s: stderr: %s", path, r.err);
	ck_assert_msg(strlen(r.err) > strlen(prefix) + 1, "%s: no cause: %s", path, r.err);
	free(prefix);
	res_free(&r);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Regular files in fixtures/snapshots/malformed/, sorted; returns count. */
static size_t malformed_files(char **paths, size_t max)
{
	char *dir = tu_fixture("snapshots/malformed");
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t n = 0;

	ck_assert_msg(d != NULL, "opendir %s", dir);
	while ((de = readdir(d)) && n < max) {
		char *p;
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		p = tu_path("%s/%s", dir, de->d_name);
		if (stat(p, &st) == 0 && S_ISREG(st.st_mode))
			paths[n++] = p;
		else
			free(p);
	}
	closedir(d);
	free(dir);
	qsort(paths, n, sizeof(*paths), cmp_str);
	return n;
}

START_TEST(test_info_malformed)
{
	char *paths[64];
	size_t n = malformed_files(paths, 64), i;

	/* not zstd, truncated zstd, invalid JSON, wrong shape, over the cap. */
	ck_assert_uint_ge(n, 5);
	for (i = 0; i < n; i++) {
		assert_bad_file(paths[i], false);
		assert_bad_file(paths[i], true);
		free(paths[i]);
	}
}
END_TEST

START_TEST(test_info_missing_file)
{
	char *dir = tu_mkdtemp("cli");
	char *missing = tu_path("%s/no-such.ctprof.zst", dir);
	struct res r = RUN("info", missing);
	char *want = tu_path("ctprof-harness: %s: ", missing);

	assert_bad_file(missing, false);
	assert_bad_file(dir, false); /* a directory is not a snapshot */
	ck_assert(starts_with(r.err, want));
	ck_assert_ptr_nonnull(strstr(r.err, "No such file or directory"));
	res_free(&r);
	free(want);
	free(missing);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/* A good and a bad file: exit 2, the good one printed, the bad one named. */
START_TEST(test_info_good_and_bad)
{
	char *good = tu_fixture(GOLDEN_ZST);
	char *paths[64];
	size_t n = malformed_files(paths, 64), i;
	char *want = tu_path("%s:\n%s", good, golden_summary_body);
	char *want2 = tu_path("%s\n%s", want, want);
	char *prefix;
	struct res a, b;

	ck_assert_uint_ge(n, 1);
	prefix = tu_path("ctprof-harness: %s: ", paths[0]);
	a = RUN("info", good, paths[0]);
	ck_assert_int_eq(a.rc, 2);
	ck_assert_str_eq(a.out, want);
	ck_assert_uint_eq(count_lines(a.err), 1);
	ck_assert(starts_with(a.err, prefix));
	/* Bad one in the middle: both good ones printed, separated by one blank line. */
	b = RUN("info", paths[0], good, paths[0], good);
	ck_assert_int_eq(b.rc, 2);
	ck_assert_str_eq(b.out, want2);
	ck_assert_uint_eq(count_lines(b.err), 2);
	ck_assert(starts_with(b.err, prefix));
	ck_assert(starts_with(strchr(b.err, '\n') + 1, prefix));
	res_free(&a);
	res_free(&b);
	for (i = 0; i < n; i++)
		free(paths[i]);
	free(prefix);
	free(want);
	free(want2);
	free(good);
}
END_TEST

/* ---- info on snapshots built through the library --------------------- */

static void add_thread(struct ctprof_snapshot *s, uint32_t tid, uint32_t tgid, bool exited)
{
	struct ctprof_thread *t;

	s->threads = realloc(s->threads, (s->n_threads + 1) * sizeof(*t));
	ck_assert_ptr_nonnull(s->threads);
	t = &s->threads[s->n_threads++];
	ck_assert_int_eq(ctprof_thread_init(t), 0);
	t->tid = tid;
	t->tgid = tgid;
	t->exited = exited;
}

static void add_cgroup(struct ctprof_snapshot *s, const char *path)
{
	struct ctprof_cgroup_entry *e;

	s->cgroups = realloc(s->cgroups, (s->n_cgroups + 1) * sizeof(*e));
	ck_assert_ptr_nonnull(s->cgroups);
	e = &s->cgroups[s->n_cgroups++];
	e->path = strdup(path);
	ctprof_cgroup_stats_init(&e->stats);
}

static char *write_snap(const struct ctprof_snapshot *s, const char *dir, const char *name)
{
	struct ctprof_error err = { 0 };
	char *path = tu_path("%s/%s", dir, name);

	ck_assert_msg(ctprof_snapshot_write(s, path, &err) == 0, "%s", err.msg);
	return path;
}

START_TEST(test_info_full_snapshot)
{
	char *dir = tu_mkdtemp("cli");
	struct ctprof_snapshot *s = ctprof_snapshot_new();
	char *path, *want;
	struct res r;

	ck_assert_ptr_nonnull(s);
	s->captured_at_unix_ns = 1714000000123456789ull;
	add_thread(s, 100, 100, false);
	add_thread(s, 101, 100, false);
	add_thread(s, 200, 200, false);
	add_thread(s, 300, 300, true);
	add_thread(s, 301, 300, true);
	add_cgroup(s, "/a");
	add_cgroup(s, "/b");
	add_cgroup(s, "/c");
	s->host = calloc(1, sizeof(*s->host));
	ck_assert_ptr_nonnull(s->host);
	s->host->kernel_name = strdup("Linux");
	s->host->kernel_release = strdup("6.9.0-ctprof\n\x1b[31m");
	s->host->arch = strdup("x86_64");
	s->parse_summary = calloc(1, sizeof(*s->parse_summary));
	s->taskstats_summary = calloc(1, sizeof(*s->taskstats_summary));
	s->sched_ext = calloc(1, sizeof(*s->sched_ext));
	ck_assert_ptr_nonnull(s->sched_ext);
	s->sched_ext->state = strdup("enabled");
	s->sched_ext->switch_all = 1;
	s->sched_ext->enable_seq = 7;
	s->interval = calloc(1, sizeof(*s->interval));
	ck_assert_ptr_nonnull(s->interval);
	s->interval->from_unix_ns = 1714000000000000000ull;
	s->interval->to_unix_ns = 1714000012500000001ull;
	path = write_snap(s, dir, "full.ctprof.zst");

	r = RUN("info", path);
	want = tu_path("%s:\n"
		       "  captured:          2024-04-24T23:06:40.123456789Z (1714000000123456789 ns)\n"
		       "  kernel:            Linux 6.9.0-ctprof\\x0a\\x1b[31m x86_64\n"
		       "  threads:           5\n"
		       "  processes:         3\n"
		       "  cgroups:           3\n"
		       "  exited threads:    2\n"
		       "  host:              present\n"
		       "  probe_summary:     absent\n"
		       "  parse_summary:     present\n"
		       "  taskstats_summary: present\n"
		       "  sched_ext:         present (state \"enabled\", switch_all 1, enable_seq 7)\n"
		       "  interval:          present (2024-04-24T23:06:40.000000000Z to "
		       "2024-04-24T23:06:52.500000001Z, window 12.500000001 s)\n"
		       "  schema:            98-field threads (current ktstr schema)\n",
		       path);
	ck_assert_msg(r.rc == 0, "exit %d: %s", r.rc, r.err);
	ck_assert_str_eq(r.out, want);
	ck_assert_str_eq(r.err, "");
	res_free(&r);
	free(want);
	free(path);
	ctprof_snapshot_free(s);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(test_info_empty)
{
	char *dir = tu_mkdtemp("cli");
	struct ctprof_snapshot *s = ctprof_snapshot_new();
	char *path, *want;
	struct res r;

	ck_assert_ptr_nonnull(s);
	s->captured_at_unix_ns = 18446744073709551615ull; /* u64 max: year 2554 */
	s->host = calloc(1, sizeof(*s->host));           /* host context without uname */
	ck_assert_ptr_nonnull(s->host);
	path = write_snap(s, dir, "empty.ctprof.zst");

	r = RUN("info", path);
	want = tu_path("%s:\n"
		       "  captured:          2554-07-21T23:34:33.709551615Z (18446744073709551615 ns)\n"
		       "  kernel:            unknown (not recorded in host context)\n"
		       "  threads:           0\n"
		       "  processes:         0\n"
		       "  cgroups:           0\n"
		       "  exited threads:    0\n"
		       "  host:              present\n"
		       "  probe_summary:     absent\n"
		       "  parse_summary:     absent\n"
		       "  taskstats_summary: absent\n"
		       "  sched_ext:         absent\n"
		       "  interval:          absent\n"
		       "  schema:            no threads\n",
		       path);
	ck_assert_msg(r.rc == 0, "exit %d: %s", r.rc, r.err);
	ck_assert_str_eq(r.out, want);
	res_free(&r);
	free(want);
	free(path);
	ctprof_snapshot_free(s);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

/* Remove the first `,"KEY":false` after `from` (one thread's capture flag). */
static void strip_flag(char *json, const char *from, const char *key)
{
	char *pat = tu_path(",\"%s\":false", key);
	char *p = strstr(from, pat);
	size_t n = strlen(pat);

	ck_assert_msg(p != NULL, "no %s in %s", pat, from);
	memmove(p, p + n, strlen(p + n) + 1);
	free(pat);
}

/*
 * Old (93-field) and mixed files, made by deleting the five capture flags
 * from the library's own JSON (from every thread, or from the first only)
 * and compressing it here like ktstr does (zstd level 3, no newline).
 */
static char *write_flagless(const char *dir, const char *name, bool all)
{
	static const char *const flags[] = { "taskstats_measured", "cpu_delay_active",
					     "delay_block_active", "xacct_active",
					     "jemalloc_measured" };
	struct ctprof_snapshot *s = ctprof_snapshot_new();
	struct ctprof_error err = { 0 };
	char *json = NULL, *path, *second;
	size_t len = 0, bound, clen, i;
	void *z;

	ck_assert_ptr_nonnull(s);
	add_thread(s, 10, 10, false);
	add_thread(s, 11, 10, false);
	ck_assert_msg(ctprof_snapshot_to_json(s, &json, &len, &err) == 0, "%s", err.msg);
	second = strstr(json, "},{\"tid\":11,");
	ck_assert_ptr_nonnull(second);
	for (i = 0; i < 5; i++) {
		strip_flag(json, json, flags[i]);
		if (all)
			strip_flag(json, strstr(json, "},{\"tid\":11,"), flags[i]);
	}
	len = strlen(json);
	bound = ZSTD_compressBound(len);
	z = malloc(bound);
	ck_assert_ptr_nonnull(z);
	clen = ZSTD_compress(z, bound, json, len, 3);
	ck_assert(!ZSTD_isError(clen));
	path = tu_path("%s/%s", dir, name);
	tu_write_file(path, z, clen);
	free(z);
	free(json);
	ctprof_snapshot_free(s);
	return path;
}

START_TEST(test_info_old_and_mixed_schema)
{
	char *dir = tu_mkdtemp("cli");
	char *old = write_flagless(dir, "old.ctprof.zst", true);
	char *mixed = write_flagless(dir, "mixed.ctprof.zst", false);
	struct res a = RUN("info", old);
	struct res b = RUN("info", mixed);

	ck_assert_msg(a.rc == 0, "exit %d: %s", a.rc, a.err);
	ck_assert_ptr_nonnull(strstr(a.out, "\n  threads:           2\n  processes:         1\n"));
	ck_assert_ptr_nonnull(
		strstr(a.out, "\n  schema:            93-field threads (older ktstr schema, no capture flags)\n"));
	ck_assert_msg(b.rc == 0, "exit %d: %s", b.rc, b.err);
	ck_assert_ptr_nonnull(strstr(b.out, "\n  schema:            mixed 93- and 98-field threads\n"));
	res_free(&a);
	res_free(&b);
	free(old);
	free(mixed);
	tu_rmtree(dir);
	free(dir);
}
END_TEST

static Suite *cli_suite(void)
{
	Suite *s = suite_create("cli");
	TCase *tc = tcase_create("dispatcher");
	TCase *ti = tcase_create("info");

	tcase_add_test(tc, test_help_lists_commands);
	tcase_add_test(tc, test_every_command_has_help);
	tcase_add_test(tc, test_help_info);
	tcase_add_test(tc, test_version);
	tcase_add_test(tc, test_unknown_command);
	tcase_add_test(tc, test_no_args);
	tcase_add_test(tc, test_bad_options);
	suite_add_tcase(s, tc);

	tcase_add_test(ti, test_info_golden);
	tcase_add_test(ti, test_info_json_golden);
	tcase_add_test(ti, test_info_malformed);
	tcase_add_test(ti, test_info_missing_file);
	tcase_add_test(ti, test_info_good_and_bad);
	tcase_add_test(ti, test_info_full_snapshot);
	tcase_add_test(ti, test_info_empty);
	tcase_add_test(ti, test_info_old_and_mixed_schema);
	suite_add_tcase(s, ti);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(cli_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
