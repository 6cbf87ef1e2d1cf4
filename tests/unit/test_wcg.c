/* SPDX-License-Identifier: MIT */
/*
 * lib/run/cgroup.c against temp directories standing in for cgroupfs:
 * own-cgroup parsing (v1-only, hybrid, pure v2, escapes and spaces), leaf
 * naming with EEXIST retry, cpu.stat / cgroup.events / cgroup.procs
 * parsing, attach, kill and destroy.
 *
 * mkdir and rmdir are wrapped (test_wcg.wrap): a directory named like a
 * leaf ("<prefix>-<our pid>-<n>") gets the interface files the kernel
 * would create (cgroup.procs, cgroup.events, cgroup.kill, cgroup.freeze,
 * cpu.stat), and rmdir removes them first, as cgroupfs allows.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <ctprof/run.h>

#include "run/wcg_int.h"
#include "testutil.h"

static const char *const fake_files[] = {
	"cgroup.procs", "cgroup.events", "cgroup.kill", "cgroup.freeze", "cpu.stat",
};

int __real_mkdir(const char *path, mode_t mode);
int __real_rmdir(const char *path);

/* "<anything>-<our pid>-<digits>" as the last path component. */
static bool leaf_name(const char *path)
{
	const char *base = strrchr(path, '/'), *p;
	char mid[32];

	base = base ? base + 1 : path;
	snprintf(mid, sizeof(mid), "-%ld-", (long)getpid());
	p = strstr(base, mid);
	if (!p || p == base)
		return false;
	p += strlen(mid);
	if (!*p)
		return false;
	for (; *p; p++)
		if (*p < '0' || *p > '9')
			return false;
	return true;
}

int __wrap_mkdir(const char *path, mode_t mode);
int __wrap_mkdir(const char *path, mode_t mode)
{
	int rc = __real_mkdir(path, mode);

	if (rc == 0 && leaf_name(path)) {
		char *f;

		f = tu_path("%s/cgroup.procs", path);
		tu_write_str(f, "");
		free(f);
		f = tu_path("%s/cgroup.events", path);
		tu_write_str(f, "populated 0\nfrozen 0\n");
		free(f);
		f = tu_path("%s/cgroup.kill", path);
		tu_write_str(f, "");
		free(f);
		f = tu_path("%s/cgroup.freeze", path);
		tu_write_str(f, "0\n");
		free(f);
		f = tu_path("%s/cpu.stat", path);
		tu_write_str(f, "usage_usec 0\nuser_usec 0\nsystem_usec 0\n");
		free(f);
	}
	return rc;
}

int __wrap_rmdir(const char *path);
int __wrap_rmdir(const char *path)
{
	size_t i;

	if (leaf_name(path)) {
		for (i = 0; i < sizeof(fake_files) / sizeof(fake_files[0]); i++) {
			char *f = tu_path("%s/%s", path, fake_files[i]);

			unlink(f);
			free(f);
		}
	}
	return __real_rmdir(path);
}

/* ---- fixture: a temp dir with mountinfo, self cgroup and a mount dir ---- */

struct fx {
	char *dir;        /* temp root */
	char *mountinfo;  /* <dir>/mountinfo */
	char *self;       /* <dir>/self-cgroup */
	char *mnt;        /* the cgroup2 mount directory (unescaped) */
	struct ctprof_wcg_opts opts;
};

/*
 * mnt_rel: mount directory below dir, as it appears unescaped; mnt_esc: the
 * same as mountinfo escapes it; self: the /proc/self/cgroup text; own: a
 * directory to create below the mount (NULL: none).
 */
static void fx_setup(struct fx *f, const char *mnt_rel, const char *mnt_esc, const char *self,
		     const char *own)
{
	char *text, *d;

	memset(f, 0, sizeof(*f));
	f->dir = tu_mkdtemp("wcg");
	f->mountinfo = tu_path("%s/mountinfo", f->dir);
	f->self = tu_path("%s/self-cgroup", f->dir);
	f->mnt = tu_path("%s/%s", f->dir, mnt_rel);
	text = tu_path("22 1 0:21 / /proc rw,nosuid - proc proc rw\n"
		       "35 31 0:30 / %s/memory rw,nosuid,nodev - cgroup cgroup rw,memory\n"
		       "41 31 0:38 / %s/%s rw,relatime shared:9 - cgroup2 cgroup2 rw\n",
		       f->dir, f->dir, mnt_esc);
	tu_write_str(f->mountinfo, text);
	free(text);
	tu_write_str(f->self, self);
	d = tu_path("%s%s/.keep", f->mnt, own ? own : "");
	tu_write_str(d, "");
	free(d);
	f->opts.sz = sizeof(f->opts);
	f->opts.mountinfo = f->mountinfo;
	f->opts.self_cgroup = f->self;
}

static void fx_teardown(struct fx *f)
{
	tu_rmtree(f->dir);
	free(f->dir);
	free(f->mountinfo);
	free(f->self);
	free(f->mnt);
}

static bool is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static void leaf_file(struct ctprof_wcg *c, const char *name, const char *text)
{
	char *p = tu_path("%s/%s", ctprof_wcg_path(c), name);

	tu_write_str(p, text);
	free(p);
}

static char *leaf_read(struct ctprof_wcg *c, const char *name)
{
	char *p = tu_path("%s/%s", ctprof_wcg_path(c), name), *s;

	s = tu_read_file(p, NULL);
	free(p);
	return s;
}

/* ---- own cgroup ------------------------------------------------------- */

static int own_of(const char *s, char **own)
{
	return ctprof_wcg_parse_own(s, strlen(s), own);
}

static void own_parse_variants(void **state)
{
	char *own = (char *)0x1;

	(void)state;
	/* hybrid: v1 lines first, "0::/" last */
	assert_int_equal(own_of("9:name=systemd:/\n4:memory:/x/y\n0::/\n", &own),
			 0);
	assert_string_equal(own, "/");
	free(own);
	/* pure v2, no trailing newline */
	assert_int_equal(own_of("0::/user.slice/a.scope", &own), 0);
	assert_string_equal(own, "/user.slice/a.scope");
	free(own);
	/* spaces and backslashes are literal (the kernel does not escape them) */
	{
		const char t[] = "1:cpu:/\n0::/my group/a\\040b \n";

		assert_int_equal(ctprof_wcg_parse_own(t, sizeof(t) - 1, &own), 0);
		assert_string_equal(own, "/my group/a\\040b ");
		free(own);
	}
	/* a v1 line whose path looks like "0::" is not the v2 line */
	own = (char *)0x1;
	assert_int_equal(own_of("10:0::/x\n", &own), -ENOENT);
	/* v1-only host: no 0:: line */
	assert_int_equal(own_of("12:pids:/\n1:name=systemd:/init.scope\n", &own),
			 -ENOENT);
	assert_int_equal(own_of("", &own), -ENOENT);
	assert_ptr_equal(own, (char *)0x1);
	/* unusable paths */
	assert_int_equal(own_of("0::\n", &own), -EINVAL);
	assert_int_equal(own_of("0::rel/x\n", &own), -EINVAL);
	assert_int_equal(own_of("0::/a/../b\n", &own), -EINVAL);
	assert_int_equal(own_of("0:://x\n", &own), -EINVAL);
	assert_int_equal(ctprof_wcg_parse_own("0::/a\0b\n", 8, &own), -EINVAL);
	assert_ptr_equal(own, (char *)0x1);
}

static void create_hybrid(void **state)
{
	struct ctprof_error err = { 0 };
	struct ctprof_wcg *c = NULL;
	struct fx f;
	struct stat a, b;
	char *want, *wantrel, *p;

	(void)state;
	fx_setup(&f, "unified", "unified",
		 "9:name=systemd:/\n4:memory:/process_api/e9\n1:cpu:/\n0::/\n", NULL);
	assert_int_equal(ctprof_wcg_create(&f.opts, &c, &err), 0);
	want = tu_path("%s/ctprof-run-%ld-0", f.mnt, (long)getpid());
	wantrel = tu_path("/ctprof-run-%ld-0", (long)getpid());
	assert_string_equal(ctprof_wcg_path(c), want);
	assert_string_equal(ctprof_wcg_relpath(c), wantrel);
	assert_true(is_dir(want));
	/* procs_fd is the leaf's cgroup.procs, write-only */
	assert_true(ctprof_wcg_procs_fd(c) >= 0);
	p = tu_path("%s/cgroup.procs", want);
	assert_int_equal(fstat(ctprof_wcg_procs_fd(c), &a), 0);
	assert_int_equal(stat(p, &b), 0);
	assert_true(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
	assert_int_equal(fcntl(ctprof_wcg_procs_fd(c), F_GETFL) & O_ACCMODE, O_WRONLY);
	assert_true(fcntl(ctprof_wcg_procs_fd(c), F_GETFD) & FD_CLOEXEC);
	free(p);
	assert_int_equal(ctprof_wcg_destroy(c, 1000, &err), 0);
	assert_false(is_dir(want));
	assert_int_equal(ctprof_wcg_destroy(c, 1000, &err), 0); /* idempotent */
	ctprof_wcg_free(c);
	free(want);
	free(wantrel);
	fx_teardown(&f);
}

static void create_pure_v2_nested(void **state)
{
	struct ctprof_error err = { 0 };
	struct ctprof_wcg *c = NULL;
	struct fx f;
	char *want, *wantrel;

	(void)state;
	fx_setup(&f, "cg", "cg", "0::/user.slice/session-1.scope\n", "/user.slice/session-1.scope");
	f.opts.prefix = "wl";
	assert_int_equal(ctprof_wcg_create(&f.opts, &c, &err), 0);
	want = tu_path("%s/user.slice/session-1.scope/wl-%ld-0", f.mnt, (long)getpid());
	wantrel = tu_path("/user.slice/session-1.scope/wl-%ld-0", (long)getpid());
	assert_string_equal(ctprof_wcg_path(c), want);
	assert_string_equal(ctprof_wcg_relpath(c), wantrel);
	assert_true(is_dir(want));
	ctprof_wcg_free(c); /* free destroys */
	assert_false(is_dir(want));
	free(want);
	free(wantrel);
	fx_teardown(&f);
}

static void create_escapes_and_spaces(void **state)
{
	struct ctprof_error err = { 0 };
	struct ctprof_wcg *c = NULL;
	struct fx f;
	char *want, *wantrel;

	(void)state;
	/* mountinfo escapes the space of "cg root"; /proc/self/cgroup does not escape */
	fx_setup(&f, "cg root", "cg\\040root", "0::/my group/a\\040b\n", "/my group/a\\040b");
	assert_int_equal(ctprof_wcg_create(&f.opts, &c, &err), 0);
	want = tu_path("%s/cg root/my group/a\\040b/ctprof-run-%ld-0", f.dir, (long)getpid());
	wantrel = tu_path("/my group/a\\040b/ctprof-run-%ld-0", (long)getpid());
	assert_string_equal(ctprof_wcg_path(c), want);
	assert_string_equal(ctprof_wcg_relpath(c), wantrel);
	assert_true(is_dir(want));
	ctprof_wcg_free(c);
	assert_false(is_dir(want));
	free(want);
	free(wantrel);
	fx_teardown(&f);
}

static void create_explicit_mount_trailing_slash(void **state)
{
	struct ctprof_error err = { 0 };
	struct ctprof_wcg *c = NULL;
	struct fx f;
	char *mnt, *want;

	(void)state;
	fx_setup(&f, "m", "m", "0::/a\n", "/a");
	mnt = tu_path("%s//", f.mnt);
	f.opts.mount = mnt;
	f.opts.mountinfo = "/nonexistent/mountinfo"; /* not read when mount is given */
	assert_int_equal(ctprof_wcg_create(&f.opts, &c, &err), 0);
	want = tu_path("%s/a/ctprof-run-%ld-0", f.mnt, (long)getpid());
	assert_string_equal(ctprof_wcg_path(c), want);
	ctprof_wcg_free(c);
	assert_false(is_dir(want));
	free(want);
	free(mnt);
	fx_teardown(&f);
}

static void create_errors(void **state)
{
	struct ctprof_error err = { 0 };
	struct ctprof_wcg *c = (struct ctprof_wcg *)0x1;
	struct fx f;
	char *p;

	(void)state;
	/* v1-only host: no 0:: line */
	fx_setup(&f, "unified", "unified", "12:pids:/\n1:name=systemd:/init.scope\n", NULL);
	assert_int_equal(ctprof_wcg_create(&f.opts, &c, &err), -ENOENT);
	assert_int_equal(err.code, -ENOENT);
	assert_non_null(strstr(err.msg, f.self));
	assert_non_null(strstr(err.msg, "0::"));
	assert_ptr_equal(c, (struct ctprof_wcg *)0x1);
	fx_teardown(&f);

	/* v1-only mountinfo: no cgroup2 mount */
	fx_setup(&f, "unified", "unified", "0::/\n", NULL);
	tu_write_str(f.mountinfo, "35 31 0:30 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n");
	assert_int_equal(ctprof_wcg_create(&f.opts, &c, &err), -ENOENT);
	assert_non_null(strstr(err.msg, f.mountinfo));
	assert_non_null(strstr(err.msg, "cgroup2"));

	/* own cgroup missing below the mount: mkdir fails, the path is named */
	tu_write_str(f.self, "0::/gone\n");
	f.opts.mount = f.mnt;
	assert_int_equal(ctprof_wcg_create(&f.opts, &c, &err), -ENOENT);
	p = tu_path("%s/gone/ctprof-run-%ld-0", f.mnt, (long)getpid());
	assert_non_null(strstr(err.msg, p));
	assert_non_null(strstr(err.msg, "mkdir"));
	free(p);

	/* unreadable self cgroup file */
	f.opts.self_cgroup = "/nonexistent/cgroup";
	assert_int_equal(ctprof_wcg_create(&f.opts, &c, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "/nonexistent/cgroup"));

	/* unsafe own path */
	f.opts.self_cgroup = f.self;
	tu_write_str(f.self, "0::/../etc\n");
	assert_int_equal(ctprof_wcg_create(&f.opts, &c, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "unusable"));

	/* bad prefix and bad sz */
	tu_write_str(f.self, "0::/\n");
	f.opts.prefix = "a/b";
	assert_int_equal(ctprof_wcg_create(&f.opts, &c, &err), -EINVAL);
	f.opts.prefix = "..";
	assert_int_equal(ctprof_wcg_create(&f.opts, &c, &err), -EINVAL);
	f.opts.prefix = NULL;
	f.opts.sz = sizeof(f.opts) + 8;
	assert_int_equal(ctprof_wcg_create(&f.opts, &c, &err), -EINVAL);
	f.opts.sz = 0;
	assert_int_equal(ctprof_wcg_create(&f.opts, &c, &err), -EINVAL);
	assert_int_equal(ctprof_wcg_create(NULL, NULL, &err), -EINVAL);
	assert_ptr_equal(c, (struct ctprof_wcg *)0x1);
	fx_teardown(&f);
}

static void create_eexist_retry(void **state)
{
	struct ctprof_error err = { 0 };
	struct ctprof_wcg *c1 = NULL, *c2 = NULL;
	struct fx f;
	char *p0, *p1, *want;

	(void)state;
	fx_setup(&f, "cg", "cg", "0::/\n", NULL);
	f.opts.prefix = "t";
	p0 = tu_path("%s/t-%ld-0", f.mnt, (long)getpid());
	p1 = tu_path("%s/t-%ld-1", f.mnt, (long)getpid());
	assert_int_equal(mkdir(p0, 0755), 0);
	assert_int_equal(mkdir(p1, 0755), 0);
	assert_int_equal(ctprof_wcg_create(&f.opts, &c1, &err), 0);
	want = tu_path("%s/t-%ld-2", f.mnt, (long)getpid());
	assert_string_equal(ctprof_wcg_path(c1), want);
	free(want);
	assert_int_equal(ctprof_wcg_create(&f.opts, &c2, &err), 0);
	want = tu_path("%s/t-%ld-3", f.mnt, (long)getpid());
	assert_string_equal(ctprof_wcg_path(c2), want);
	ctprof_wcg_free(c2);
	assert_false(is_dir(want));
	free(want);
	ctprof_wcg_free(c1);
	/* the pre-existing ones are untouched */
	assert_true(is_dir(p0));
	assert_true(is_dir(p1));
	free(p0);
	free(p1);
	fx_teardown(&f);
}

/* ---- files of the leaf -------------------------------------------------- */

static void cpu_stat_parsing(void **state)
{
	struct ctprof_error err = { 0 };
	struct ctprof_wcg_cpu cpu = { 1, 2, 3 };
	struct ctprof_wcg *c = NULL;
	struct fx f;

	(void)state;
	fx_setup(&f, "cg", "cg", "0::/\n", NULL);
	assert_int_equal(ctprof_wcg_create(&f.opts, &c, &err), 0);
	assert_int_equal(ctprof_wcg_cpu(c, &cpu, &err), 0); /* fresh leaf: zeros */
	assert_true(cpu.usage_usec == 0 && cpu.user_usec == 0 && cpu.system_usec == 0);
	leaf_file(c, "cpu.stat",
		  "usage_usec 18446744073709551615\nuser_usec 150123\nsystem_usec 49877\n"
		  "core_sched.force_idle_usec 0\nnr_periods 0\nusage_usecs 9\n");
	assert_int_equal(ctprof_wcg_cpu(c, &cpu, &err), 0);
	assert_true(cpu.usage_usec == UINT64_MAX);
	assert_true(cpu.user_usec == 150123);
	assert_true(cpu.system_usec == 49877);
	/* any order */
	leaf_file(c, "cpu.stat", "system_usec 1\nusage_usec 3\nuser_usec 2\n");
	assert_int_equal(ctprof_wcg_cpu(c, &cpu, &err), 0);
	assert_true(cpu.usage_usec == 3 && cpu.user_usec == 2 && cpu.system_usec == 1);
	/* missing key, bad number, overflow, duplicate: -EINVAL, out untouched */
	leaf_file(c, "cpu.stat", "usage_usec 3\nuser_usec 2\n");
	assert_int_equal(ctprof_wcg_cpu(c, &cpu, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "cpu.stat"));
	assert_non_null(strstr(err.msg, ctprof_wcg_path(c)));
	leaf_file(c, "cpu.stat", "usage_usec x\nuser_usec 2\nsystem_usec 1\n");
	assert_int_equal(ctprof_wcg_cpu(c, &cpu, &err), -EINVAL);
	leaf_file(c, "cpu.stat", "usage_usec 18446744073709551616\nuser_usec 2\nsystem_usec 1\n");
	assert_int_equal(ctprof_wcg_cpu(c, &cpu, &err), -EINVAL);
	leaf_file(c, "cpu.stat", "usage_usec 1\nusage_usec 1\nuser_usec 2\nsystem_usec 1\n");
	assert_int_equal(ctprof_wcg_cpu(c, &cpu, &err), -EINVAL);
	assert_true(cpu.usage_usec == 3 && cpu.user_usec == 2 && cpu.system_usec == 1);
	/* missing file */
	{
		char *p = tu_path("%s/cpu.stat", ctprof_wcg_path(c));

		unlink(p);
		free(p);
	}
	assert_int_equal(ctprof_wcg_cpu(c, &cpu, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "cpu.stat: read"));
	ctprof_wcg_free(c);
	fx_teardown(&f);
}

static void populated_and_pids(void **state)
{
	struct ctprof_error err = { 0 };
	struct ctprof_wcg *c = NULL;
	struct fx f;
	bool pop = true;
	int *pids = (int *)0x1;
	size_t n = 99;

	(void)state;
	fx_setup(&f, "cg", "cg", "0::/\n", NULL);
	assert_int_equal(ctprof_wcg_create(&f.opts, &c, &err), 0);
	assert_int_equal(ctprof_wcg_populated(c, &pop, &err), 0);
	assert_false(pop);
	leaf_file(c, "cgroup.events", "frozen 0\npopulated 1\n");
	assert_int_equal(ctprof_wcg_populated(c, &pop, &err), 0);
	assert_true(pop);
	leaf_file(c, "cgroup.events", "frozen 0\n");
	assert_int_equal(ctprof_wcg_populated(c, &pop, &err), -EINVAL);
	leaf_file(c, "cgroup.events", "populated 2\n");
	assert_int_equal(ctprof_wcg_populated(c, &pop, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "cgroup.events"));
	assert_true(pop);

	/* empty */
	assert_int_equal(ctprof_wcg_pids(c, &pids, &n, &err), 0);
	assert_null(pids);
	assert_int_equal(n, 0);
	/* sorted, deduplicated, blank lines ignored */
	leaf_file(c, "cgroup.procs", "12\n3\n12\n\n2147483647\n7\n");
	assert_int_equal(ctprof_wcg_pids(c, &pids, &n, &err), 0);
	assert_int_equal(n, 4);
	assert_int_equal(pids[0], 3);
	assert_int_equal(pids[1], 7);
	assert_int_equal(pids[2], 12);
	assert_int_equal(pids[3], 2147483647);
	free(pids);
	/* malformed */
	pids = (int *)0x1;
	n = 99;
	leaf_file(c, "cgroup.procs", "12\nabc\n");
	assert_int_equal(ctprof_wcg_pids(c, &pids, &n, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "cgroup.procs"));
	leaf_file(c, "cgroup.procs", "0\n");
	assert_int_equal(ctprof_wcg_pids(c, &pids, &n, &err), -EINVAL);
	leaf_file(c, "cgroup.procs", "-5\n");
	assert_int_equal(ctprof_wcg_pids(c, &pids, &n, &err), -EINVAL);
	leaf_file(c, "cgroup.procs", "2147483648\n");
	assert_int_equal(ctprof_wcg_pids(c, &pids, &n, &err), -EINVAL);
	assert_ptr_equal(pids, (int *)0x1);
	assert_int_equal(n, 99);
	leaf_file(c, "cgroup.procs", "");
	ctprof_wcg_free(c);
	fx_teardown(&f);
}

static void attach_writes_pid(void **state)
{
	struct ctprof_error err = { 0 };
	struct ctprof_wcg *c = NULL;
	struct fx f;
	char *s;

	(void)state;
	fx_setup(&f, "cg", "cg", "0::/\n", NULL);
	assert_int_equal(ctprof_wcg_create(&f.opts, &c, &err), 0);
	assert_int_equal(ctprof_wcg_attach(c, 4321, &err), 0);
	s = leaf_read(c, "cgroup.procs");
	assert_string_equal(s, "4321");
	free(s);
	assert_int_equal(ctprof_wcg_attach(c, 0, &err), -EINVAL);
	assert_int_equal(ctprof_wcg_attach(c, -3, &err), -EINVAL);
	{
		char *p = tu_path("%s/cgroup.procs", ctprof_wcg_path(c));

		unlink(p);
		free(p);
	}
	assert_int_equal(ctprof_wcg_attach(c, 4321, &err), -ENOENT);
	assert_non_null(strstr(err.msg, "cgroup.procs: attach pid 4321"));
	ctprof_wcg_free(c);
	fx_teardown(&f);
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void kill_and_destroy(void **state)
{
	struct ctprof_error err = { 0 };
	struct ctprof_wcg *c = NULL;
	struct fx f;
	uint64_t t0, dt;
	char *s, *path;

	(void)state;
	fx_setup(&f, "cg", "cg", "0::/\n", NULL);
	assert_int_equal(ctprof_wcg_create(&f.opts, &c, &err), 0);
	path = strdup(ctprof_wcg_path(c));

	/* cgroup.kill gets "1"; unpopulated: done */
	assert_int_equal(ctprof_wcg_kill(c, 200, &err), 0);
	s = leaf_read(c, "cgroup.kill");
	assert_string_equal(s, "1");
	free(s);

	/* stays populated: -ETIMEDOUT after about the timeout, not before */
	leaf_file(c, "cgroup.events", "populated 1\nfrozen 0\n");
	t0 = mono_ms();
	assert_int_equal(ctprof_wcg_kill(c, 100, &err), -ETIMEDOUT);
	dt = mono_ms() - t0;
	assert_true(dt >= 100 && dt < 2000);
	assert_non_null(strstr(err.msg, "still populated"));
	assert_non_null(strstr(err.msg, path));
	/* destroy cannot remove a populated leaf either (rmdir would say
	 * EBUSY on cgroupfs; here the kill wait is what times out) */
	assert_int_equal(ctprof_wcg_destroy(c, 100, &err), -ETIMEDOUT);
	assert_true(is_dir(path));

	/* unreadable cgroup.events: the error names it */
	leaf_file(c, "cgroup.events", "nothing\n");
	assert_int_equal(ctprof_wcg_kill(c, 100, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "cgroup.events"));

	leaf_file(c, "cgroup.events", "populated 0\n");
	assert_int_equal(ctprof_wcg_destroy(c, 1000, &err), 0);
	assert_false(is_dir(path));
	assert_int_equal(ctprof_wcg_kill(c, 100, &err), 0); /* destroyed: nothing to do */
	assert_int_equal(ctprof_wcg_attach(c, 1, &err), -ENOENT);
	ctprof_wcg_free(c);
	free(path);
	fx_teardown(&f);
}

/*
 * The fallback (no cgroup.kill) only signals processes that really are in
 * the leaf: a "cgroup.procs" that lists this test process and its parent
 * must not kill them (their /proc/PID/cgroup names another cgroup).
 */
static void fallback_checks_membership(void **state)
{
	struct ctprof_error err = { 0 };
	struct ctprof_wcg *c = NULL;
	struct fx f;
	char line[64], *s;

	(void)state;
	fx_setup(&f, "cg", "cg", "0::/\n", NULL);
	assert_int_equal(ctprof_wcg_create(&f.opts, &c, &err), 0);
	ctprof_wcg_set_no_cgroup_kill(c, true);
	snprintf(line, sizeof(line), "%ld\n%ld\n", (long)getpid(), (long)getppid());
	leaf_file(c, "cgroup.procs", line);
	leaf_file(c, "cgroup.events", "populated 1\nfrozen 0\n");
	assert_int_equal(ctprof_wcg_kill(c, 150, &err), -ETIMEDOUT);
	/* still alive (we run this line), cgroup.kill untouched, freeze undone */
	assert_int_equal(kill(getppid(), 0), 0);
	s = leaf_read(c, "cgroup.kill");
	assert_string_equal(s, "");
	free(s);
	s = leaf_read(c, "cgroup.freeze");
	assert_int_equal(s[0], '0');
	free(s);
	leaf_file(c, "cgroup.procs", "");
	leaf_file(c, "cgroup.events", "populated 0\n");
	assert_int_equal(ctprof_wcg_destroy(c, 500, &err), 0);
	ctprof_wcg_free(c);
	fx_teardown(&f);
}

static void null_handles(void **state)
{
	struct ctprof_error err = { 0 };
	struct ctprof_wcg_cpu cpu;
	bool pop;
	int *pids;
	size_t n;

	(void)state;
	ctprof_wcg_free(NULL);
	assert_null(ctprof_wcg_path(NULL));
	assert_null(ctprof_wcg_relpath(NULL));
	assert_int_equal(ctprof_wcg_procs_fd(NULL), -1);
	assert_int_equal(ctprof_wcg_cpu(NULL, &cpu, &err), -EINVAL);
	assert_int_equal(ctprof_wcg_populated(NULL, &pop, &err), -EINVAL);
	assert_int_equal(ctprof_wcg_pids(NULL, &pids, &n, &err), -EINVAL);
	assert_int_equal(ctprof_wcg_attach(NULL, 1, &err), -EINVAL);
	assert_int_equal(ctprof_wcg_kill(NULL, 1, &err), -EINVAL);
	assert_int_equal(ctprof_wcg_destroy(NULL, 1, &err), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(own_parse_variants),
		cmocka_unit_test(create_hybrid),
		cmocka_unit_test(create_pure_v2_nested),
		cmocka_unit_test(create_escapes_and_spaces),
		cmocka_unit_test(create_explicit_mount_trailing_slash),
		cmocka_unit_test(create_errors),
		cmocka_unit_test(create_eexist_retry),
		cmocka_unit_test(cpu_stat_parsing),
		cmocka_unit_test(populated_and_pids),
		cmocka_unit_test(attach_writes_pid),
		cmocka_unit_test(kill_and_destroy),
		cmocka_unit_test(fallback_checks_membership),
		cmocka_unit_test(null_handles),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
