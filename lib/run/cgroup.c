/* SPDX-License-Identifier: MIT */
/*
 * The workload cgroup (DESIGN.md §4, issue 7): a fresh cgroup v2 leaf under
 * the harness's own cgroup, its cpu.stat / cgroup.events / cgroup.procs, and
 * teardown with cgroup.kill (or, without it, freeze + SIGKILL to every
 * member until none is left). See include/ctprof/run.h.
 *
 * Every file is read with the bounded reader relative to an fd on the leaf
 * directory; every wait is a sleep loop bounded by a deadline.
 */
#include "wcg_int.h"
#include "../capture/parse.h"
#include "../capture/capture_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>

#define DEF_PREFIX "ctprof-run"
#define DEF_MOUNTINFO "/proc/self/mountinfo"
#define DEF_SELF_CGROUP "/proc/self/cgroup"
#define DEF_TIMEOUT_MS 5000u
#define POLL_MS 5u
#define POLL_MAX_MS 20u
/* Small cgroup files (cgroup.events, cpu.stat, /proc/PID/cgroup). */
#define SMALL_MAX ((size_t)64 << 10)

struct ctprof_wcg {
	char *path;      /* absolute leaf directory */
	char *relpath;   /* as /proc/PID/cgroup names it */
	int dirfd;       /* O_DIRECTORY fd on the leaf */
	int procs_fd;    /* O_WRONLY on cgroup.procs, for children entering before exec */
	bool destroyed;
	bool no_kill;    /* tests: as if cgroup.kill did not exist */
};

/* ---- parsers ---------------------------------------------------------- */

/* Next line of [buf, buf+len) from *pos, without its '\n'. */
static bool next_line(const char *buf, size_t len, size_t *pos, const char **p, size_t *n)
{
	const char *s, *e;

	if (*pos >= len)
		return false;
	s = buf + *pos;
	e = memchr(s, '\n', len - *pos);
	if (!e)
		e = buf + len;
	*p = s;
	*n = (size_t)(e - s);
	*pos = (size_t)(e - buf) + (e < buf + len);
	return true;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

int ctprof_wcg_parse_own(const char *buf, size_t len, char **out)
{
	const char *p;
	size_t pos = 0, n;
	char *path;

	while (next_line(buf, len, &pos, &p, &n)) {
		if (n < 3 || memcmp(p, "0::", 3) != 0)
			continue;
		p += 3;
		n -= 3;
		if (!n || memchr(p, '\0', n))
			return -EINVAL;
		path = ctprof_strndup(p, n);
		if (!path)
			return -ENOMEM;
		if (!ctprof_cgroup_path_safe(path)) {
			free(path);
			return -EINVAL;
		}
		*out = path;
		return 0;
	}
	return -ENOENT;
}

/* "key value" line: value span after the key and blanks, trailing blanks cut. */
static bool key_value(const char *p, size_t n, const char *key, const char **v, size_t *vn)
{
	size_t k = strlen(key);

	if (n <= k || memcmp(p, key, k) != 0 || !is_blank(p[k]))
		return false;
	p += k;
	n -= k;
	while (n && is_blank(*p)) {
		p++;
		n--;
	}
	while (n && is_blank(p[n - 1]))
		n--;
	*v = p;
	*vn = n;
	return true;
}

int ctprof_wcg_parse_cpu_stat(const char *buf, size_t len, struct ctprof_wcg_cpu *out)
{
	static const char *const keys[3] = { "usage_usec", "user_usec", "system_usec" };
	uint64_t vals[3] = { 0 };
	bool seen[3] = { false };
	const char *p, *v;
	size_t pos = 0, n, vn, i;

	while (next_line(buf, len, &pos, &p, &n)) {
		for (i = 0; i < 3; i++) {
			if (!key_value(p, n, keys[i], &v, &vn))
				continue;
			if (seen[i] || !ctprof_parse_u64(v, vn, &vals[i]))
				return -EINVAL;
			seen[i] = true;
		}
	}
	if (!seen[0] || !seen[1] || !seen[2])
		return -EINVAL;
	out->usage_usec = vals[0];
	out->user_usec = vals[1];
	out->system_usec = vals[2];
	return 0;
}

int ctprof_wcg_parse_populated(const char *buf, size_t len, bool *populated)
{
	const char *p, *v;
	size_t pos = 0, n, vn;

	while (next_line(buf, len, &pos, &p, &n)) {
		if (!key_value(p, n, "populated", &v, &vn))
			continue;
		if (vn != 1 || (v[0] != '0' && v[0] != '1'))
			return -EINVAL;
		*populated = v[0] == '1';
		return 0;
	}
	return -EINVAL;
}

static int int_cmp(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

int ctprof_wcg_parse_pids(const char *buf, size_t len, int **pids, size_t *n_out)
{
	const char *p;
	size_t pos = 0, n, cnt = 0, cap = 0, i, j;
	int *v = NULL, *nv;
	uint64_t pid;

	while (next_line(buf, len, &pos, &p, &n)) {
		while (n && is_blank(p[n - 1]))
			n--;
		if (!n)
			continue;
		if (!ctprof_parse_u64(p, n, &pid) || pid == 0 || pid > INT_MAX) {
			free(v);
			return -EINVAL;
		}
		if (cnt == cap) {
			cap = cap ? cap * 2 : 16;
			nv = ctprof_realloc(v, cap * sizeof(*v));
			if (!nv) {
				free(v);
				return -ENOMEM;
			}
			v = nv;
		}
		v[cnt++] = (int)pid;
	}
	if (cnt) {
		qsort(v, cnt, sizeof(*v), int_cmp);
		for (i = 1, j = 1; i < cnt; i++)
			if (v[i] != v[j - 1])
				v[j++] = v[i];
		cnt = j;
	}
	*pids = v;
	*n_out = cnt;
	return 0;
}

/* ---- helpers ---------------------------------------------------------- */

/* Sleep a poll step, growing from POLL_MS to POLL_MAX_MS, never past deadline. */
static void sleep_step(unsigned *step, uint64_t deadline)
{
	uint64_t now = ctprof_mono_ms();
	unsigned ms = *step;

	if (now >= deadline)
		return;
	if (deadline - now < ms)
		ms = (unsigned)(deadline - now);
	ctprof_sleep_ms(ms);
	if (*step < POLL_MAX_MS)
		*step *= 2;
	if (*step > POLL_MAX_MS)
		*step = POLL_MAX_MS;
}

/* Write s to name under dirfd (no O_CREAT). 0 or -errno. */
static int write_at(int dirfd, const char *name, const char *s)
{
	size_t n = strlen(s);
	ssize_t w;
	int fd, ret = 0;

	fd = openat(dirfd, name, O_WRONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	do
		w = write(fd, s, n);
	while (w < 0 && errno == EINTR);
	if (w < 0)
		ret = -errno;
	else if ((size_t)w != n)
		ret = -EIO;
	close(fd);
	return ret;
}

static int read_small(int dirfd, const char *name, struct ctprof_buf *buf, size_t max)
{
	return ctprof_read_file_at(dirfd, name, buf, max);
}

/* ---- create ----------------------------------------------------------- */

#define OPT(opts, field)                                                                      \
	((opts) && offsetof(struct ctprof_wcg_opts, field) + sizeof((opts)->field) <= (opts)->sz \
		 ? (opts)->field                                                               \
		 : NULL)

static int own_cgroup(const char *self, char **own, struct ctprof_error *err)
{
	struct ctprof_buf buf = { 0 };
	int rc;

	/* Failures return rc itself (non-zero): *own is set exactly when 0 is returned. */
	rc = read_small(AT_FDCWD, self, &buf, SMALL_MAX);
	if (rc) {
		ctprof_buf_free(&buf);
		ctprof_err(err, rc, "%s: read own cgroup: %s", self, strerror(-rc));
		return rc;
	}
	rc = ctprof_wcg_parse_own(buf.data, buf.len, own);
	ctprof_buf_free(&buf);
	if (rc == -ENOENT)
		ctprof_err(err, rc, "%s: find own cgroup: no cgroup v2 (\"0::\") line", self);
	else if (rc == -EINVAL)
		ctprof_err(err, rc, "%s: find own cgroup: unusable cgroup v2 path", self);
	else if (rc)
		ctprof_err(err, rc, "%s: find own cgroup: %s", self, strerror(-rc));
	return rc;
}

static char *join(const char *a, const char *b, const char *c)
{
	size_t na = strlen(a), nb = strlen(b), nc = strlen(c);
	char *s = ctprof_malloc(na + nb + nc + 1);

	if (!s)
		return NULL;
	stpcpy(stpcpy(stpcpy(s, a), b), c);
	return s;
}

static bool prefix_ok(const char *p)
{
	size_t n = strlen(p);

	return n && n <= CTPROF_WCG_PREFIX_MAX && !strchr(p, '/') && strcmp(p, ".") != 0 &&
	       strcmp(p, "..") != 0;
}

CTPROF_API int ctprof_wcg_create(const struct ctprof_wcg_opts *opts, struct ctprof_wcg **out,
				 struct ctprof_error *err)
{
	const char *mountinfo, *self, *mount_opt, *prefix;
	char *mount = NULL, *own = NULL, *base = NULL, *relbase = NULL, *path = NULL, *rel = NULL;
	char name[CTPROF_WCG_PREFIX_MAX + 48];
	struct ctprof_wcg *c;
	size_t mlen;
	unsigned i;
	int rc, fd = -1, pfd = -1;

	if (!out)
		return ctprof_err(err, -EINVAL, "workload cgroup: no output handle");
	if (opts && (opts->sz < sizeof(size_t) || opts->sz > sizeof(*opts)))
		return ctprof_err(err, -EINVAL, "workload cgroup: options: bad sz %zu", opts->sz);
	mountinfo = OPT(opts, mountinfo) ? OPT(opts, mountinfo) : DEF_MOUNTINFO;
	self = OPT(opts, self_cgroup) ? OPT(opts, self_cgroup) : DEF_SELF_CGROUP;
	mount_opt = OPT(opts, mount);
	prefix = OPT(opts, prefix) ? OPT(opts, prefix) : DEF_PREFIX;
	if (!prefix_ok(prefix))
		return ctprof_err(err, -EINVAL, "workload cgroup: bad leaf prefix \"%s\"", prefix);

	rc = own_cgroup(self, &own, err);
	if (rc)
		return rc;
	if (mount_opt) {
		mount = ctprof_strdup(mount_opt);
		if (!mount) {
			rc = ctprof_err(err, -ENOMEM, "workload cgroup: %s", strerror(ENOMEM));
			goto fail;
		}
	} else {
		rc = ctprof_find_cgroup2_mount(mountinfo, &mount, err);
		if (rc)
			goto fail;
	}
	/* "<mount>" without trailing slashes, own is "/..." ("/" for the root). */
	mlen = strlen(mount);
	while (mlen > 1 && mount[mlen - 1] == '/')
		mount[--mlen] = '\0';
	if (mlen == 1 && mount[0] == '/')
		mount[0] = '\0';
	if (strcmp(own, "/") == 0)
		own[0] = '\0';
	base = join(mount, own, "/");
	relbase = join(own, "/", "");
	if (!base || !relbase) {
		rc = ctprof_err(err, -ENOMEM, "workload cgroup: %s", strerror(ENOMEM));
		goto fail;
	}

	for (i = 0; i < CTPROF_WCG_NAME_TRIES; i++) {
		if ((size_t)snprintf(name, sizeof(name), "%s-%ld-%u", prefix, (long)getpid(), i) >=
		    sizeof(name)) {
			rc = ctprof_err(err, -ENAMETOOLONG, "%s%s-%ld-%u: cgroup name too long", base,
					prefix, (long)getpid(), i);
			goto fail;
		}
		free(path);
		path = join(base, name, "");
		if (!path) {
			rc = ctprof_err(err, -ENOMEM, "workload cgroup: %s", strerror(ENOMEM));
			goto fail;
		}
		if (mkdir(path, 0755) == 0)
			break;
		if (errno != EEXIST) {
			rc = -errno;
			ctprof_err(err, rc, "%s: create workload cgroup: mkdir: %s", path, strerror(-rc));
			goto fail;
		}
	}
	if (i == CTPROF_WCG_NAME_TRIES) {
		rc = ctprof_err(err, -EEXIST, "%s%s-%ld-*: create workload cgroup: %u names taken",
				base, prefix, (long)getpid(), CTPROF_WCG_NAME_TRIES);
		goto fail;
	}
	/* From here on the leaf exists: failures remove it again. */
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		ctprof_err(err, rc, "%s: open workload cgroup: %s", path, strerror(-rc));
		goto fail_rmdir;
	}
	pfd = openat(fd, "cgroup.procs", O_WRONLY | O_CLOEXEC | O_NOCTTY);
	if (pfd < 0) {
		rc = -errno;
		ctprof_err(err, rc, "%s/cgroup.procs: open: %s", path, strerror(-rc));
		goto fail_rmdir;
	}
	rel = join(relbase, name, "");
	c = ctprof_calloc(1, sizeof(*c));
	if (!rel || !c) {
		free(c);
		rc = ctprof_err(err, -ENOMEM, "workload cgroup: %s", strerror(ENOMEM));
		goto fail_rmdir;
	}
	c->path = path;
	c->relpath = rel;
	c->dirfd = fd;
	c->procs_fd = pfd;
	free(mount);
	free(own);
	free(base);
	free(relbase);
	*out = c;
	return 0;

fail_rmdir:
	if (pfd >= 0)
		close(pfd);
	if (fd >= 0)
		close(fd);
	rmdir(path); /* empty and unpopulated: nothing entered it yet */
fail:
	free(rel);
	free(path);
	free(mount);
	free(own);
	free(base);
	free(relbase);
	return rc;
}

CTPROF_API const char *ctprof_wcg_path(const struct ctprof_wcg *c)
{
	return c ? c->path : NULL;
}

CTPROF_API const char *ctprof_wcg_relpath(const struct ctprof_wcg *c)
{
	return c ? c->relpath : NULL;
}

CTPROF_API int ctprof_wcg_procs_fd(const struct ctprof_wcg *c)
{
	return c ? c->procs_fd : -1;
}

void ctprof_wcg_set_no_cgroup_kill(struct ctprof_wcg *c, bool on)
{
	if (c)
		c->no_kill = on;
}

/* ---- reading ----------------------------------------------------------- */

CTPROF_API int ctprof_wcg_attach(struct ctprof_wcg *c, int pid, struct ctprof_error *err)
{
	char num[24];
	int rc;

	if (!c || pid <= 0)
		return ctprof_err(err, -EINVAL, "workload cgroup: attach: bad pid %d", pid);
	if (c->destroyed)
		return ctprof_err(err, -ENOENT, "%s: attach pid %d: cgroup destroyed", c->path, pid);
	(void)snprintf(num, sizeof(num), "%d", pid); /* an int: at most 11 characters */
	rc = write_at(c->dirfd, "cgroup.procs", num);
	if (rc)
		return ctprof_err(err, rc, "%s/cgroup.procs: attach pid %d: %s", c->path, pid,
				  strerror(-rc));
	return 0;
}

CTPROF_API int ctprof_wcg_cpu(const struct ctprof_wcg *c, struct ctprof_wcg_cpu *out,
			      struct ctprof_error *err)
{
	struct ctprof_buf buf = { 0 };
	struct ctprof_wcg_cpu v;
	int rc;

	if (!c || !out)
		return ctprof_err(err, -EINVAL, "workload cgroup: cpu.stat: no handle");
	rc = read_small(c->dirfd, "cpu.stat", &buf, SMALL_MAX);
	if (!rc)
		rc = ctprof_wcg_parse_cpu_stat(buf.data, buf.len, &v);
	ctprof_buf_free(&buf);
	if (rc == -EINVAL)
		return ctprof_err(err, rc, "%s/cpu.stat: parse: no usage_usec/user_usec/system_usec",
				  c->path);
	if (rc)
		return ctprof_err(err, rc, "%s/cpu.stat: read: %s", c->path, strerror(-rc));
	*out = v;
	return 0;
}

static int populated_at(int dirfd, bool *pop)
{
	struct ctprof_buf buf = { 0 };
	int rc;

	rc = read_small(dirfd, "cgroup.events", &buf, SMALL_MAX);
	if (!rc)
		rc = ctprof_wcg_parse_populated(buf.data, buf.len, pop);
	ctprof_buf_free(&buf);
	return rc;
}

CTPROF_API int ctprof_wcg_populated(const struct ctprof_wcg *c, bool *populated,
				    struct ctprof_error *err)
{
	bool v;
	int rc;

	if (!c || !populated)
		return ctprof_err(err, -EINVAL, "workload cgroup: cgroup.events: no handle");
	rc = populated_at(c->dirfd, &v);
	if (rc == -EINVAL)
		return ctprof_err(err, rc, "%s/cgroup.events: parse: no \"populated 0|1\" line",
				  c->path);
	if (rc)
		return ctprof_err(err, rc, "%s/cgroup.events: read: %s", c->path, strerror(-rc));
	*populated = v;
	return 0;
}

static int pids_at(int dirfd, int **pids, size_t *n)
{
	struct ctprof_buf buf = { 0 };
	int rc;

	rc = read_small(dirfd, "cgroup.procs", &buf, CTPROF_READ_MAX);
	if (!rc)
		rc = ctprof_wcg_parse_pids(buf.data, buf.len, pids, n);
	ctprof_buf_free(&buf);
	return rc;
}

CTPROF_API int ctprof_wcg_pids(const struct ctprof_wcg *c, int **pids, size_t *n,
			       struct ctprof_error *err)
{
	int *v = NULL;
	size_t cnt = 0;
	int rc;

	if (!c || !pids || !n)
		return ctprof_err(err, -EINVAL, "workload cgroup: cgroup.procs: no handle");
	rc = pids_at(c->dirfd, &v, &cnt);
	if (rc == -EINVAL)
		return ctprof_err(err, rc, "%s/cgroup.procs: parse: malformed pid line", c->path);
	if (rc)
		return ctprof_err(err, rc, "%s/cgroup.procs: read: %s", c->path, strerror(-rc));
	*pids = v;
	*n = cnt;
	return 0;
}

/* ---- nested cgroups ---------------------------------------------------- */

/*
 * Call fn on every cgroup directory below dirfd (not dirfd itself),
 * children before parents, at most CTPROF_WCG_WALK_DEPTH deep and
 * *budget directories in all. fn gets the parent fd and the entry name.
 */
typedef int (*walk_fn)(int parent, const char *name, void *arg);

static int walk_below(int dirfd, unsigned depth, unsigned *budget, walk_fn fn, void *arg)
{
	struct dirent *de;
	DIR *d;
	int fd, sub, rc = 0;

	if (depth >= CTPROF_WCG_WALK_DEPTH)
		return -ELOOP;
	fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		rc = -errno;
		close(fd);
		return rc;
	}
	while ((de = readdir(d))) {
		if (de->d_type != DT_DIR || strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (!*budget) {
			rc = -E2BIG;
			break;
		}
		(*budget)--;
		sub = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		if (sub >= 0) {
			int r = walk_below(sub, depth + 1, budget, fn, arg);

			close(sub);
			if (r && !rc)
				rc = r;
		}
		{
			int r = fn(dirfd, de->d_name, arg);

			if (r && !rc)
				rc = r;
		}
	}
	closedir(d);
	return rc;
}

/* ---- kill --------------------------------------------------------------- */

static int pidfd_open_(int pid)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, pid, 0);
#else
	errno = ENOSYS;
	return -1;
#endif
}

static int pidfd_kill(int pidfd)
{
#ifdef SYS_pidfd_send_signal
	return (int)syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
#else
	errno = ENOSYS;
	return -1;
#endif
}

/* Is pid (now) a member of rel or of a cgroup below it? */
static bool member_of(int pid, const char *rel)
{
	struct ctprof_buf buf = { 0 };
	char path[48], *own = NULL;
	size_t n = strlen(rel);
	bool yes = false;

	if ((size_t)snprintf(path, sizeof(path), "/proc/%d/cgroup", pid) >= sizeof(path))
		return false;
	if (read_small(AT_FDCWD, path, &buf, SMALL_MAX) == 0 &&
	    ctprof_wcg_parse_own(buf.data, buf.len, &own) == 0)
		yes = strncmp(own, rel, n) == 0 && (own[n] == '\0' || own[n] == '/');
	free(own);
	ctprof_buf_free(&buf);
	return yes;
}

/*
 * SIGKILL pid when it is a member of rel. The pidfd pins the process, so a
 * pid that exits and is reused after cgroup.procs was read is never killed
 * (the membership check then sees the new process, or the signal finds the
 * pidfd's process gone). Without pidfds, kill() after the check.
 */
static void kill_member(int pid, const char *rel)
{
	int pfd = pidfd_open_(pid);

	if (pfd < 0 && errno != ENOSYS)
		return; /* gone */
	if (member_of(pid, rel)) {
		if (pfd >= 0)
			pidfd_kill(pfd);
		else
			kill(pid, SIGKILL);
	}
	if (pfd >= 0)
		close(pfd);
}

struct kill_walk {
	const char *rel;
	size_t seen;
};

static void kill_procs_at(int dirfd, struct kill_walk *kw)
{
	int *pids = NULL;
	size_t n = 0, i;

	if (pids_at(dirfd, &pids, &n))
		return;
	for (i = 0; i < n; i++)
		kill_member(pids[i], kw->rel);
	kw->seen += n;
	free(pids);
}

static int kill_walk_fn(int parent, const char *name, void *arg)
{
	int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return 0;
	kill_procs_at(fd, arg);
	close(fd);
	return 0;
}

/* One fallback round over the leaf and its nested cgroups; pids listed. */
static size_t kill_round(struct ctprof_wcg *c)
{
	struct kill_walk kw = { .rel = c->relpath, .seen = 0 };
	unsigned budget = CTPROF_WCG_WALK_DIRS;

	kill_procs_at(c->dirfd, &kw);
	walk_below(c->dirfd, 0, &budget, kill_walk_fn, &kw);
	return kw.seen;
}

CTPROF_API int ctprof_wcg_kill(struct ctprof_wcg *c, unsigned timeout_ms, struct ctprof_error *err)
{
	uint64_t deadline;
	unsigned step = POLL_MS;
	bool pop = true, frozen = false;
	int rc = -ENOENT;

	if (!c)
		return ctprof_err(err, -EINVAL, "workload cgroup: kill: no handle");
	if (c->destroyed)
		return 0;
	deadline = ctprof_mono_ms() + (timeout_ms ? timeout_ms : DEF_TIMEOUT_MS);
	if (!c->no_kill)
		rc = write_at(c->dirfd, "cgroup.kill", "1");
	if (rc) {
		/* No cgroup.kill (before 5.14): freeze, so that nothing forks
		 * while we go, then SIGKILL every member until none is left
		 * (a fatal signal thaws its target). */
		frozen = write_at(c->dirfd, "cgroup.freeze", "1") == 0;
		while (kill_round(c) && ctprof_mono_ms() < deadline)
			sleep_step(&step, deadline);
		step = POLL_MS;
	}
	for (;;) {
		rc = populated_at(c->dirfd, &pop);
		if (rc || !pop || ctprof_mono_ms() >= deadline)
			break;
		sleep_step(&step, deadline);
	}
	if (frozen)
		write_at(c->dirfd, "cgroup.freeze", "0");
	if (rc == -EINVAL)
		return ctprof_err(err, rc, "%s/cgroup.events: kill: parse: no \"populated\" line",
				  c->path);
	if (rc)
		return ctprof_err(err, rc, "%s/cgroup.events: kill: read: %s", c->path,
				  strerror(-rc));
	if (pop)
		return ctprof_err(err, -ETIMEDOUT,
				  "%s: kill: still populated after %u ms (unreaped zombies or "
				  "unkillable tasks)",
				  c->path, timeout_ms ? timeout_ms : DEF_TIMEOUT_MS);
	return 0;
}

/* ---- destroy ------------------------------------------------------------ */

static int rmdir_fn(int parent, const char *name, void *arg)
{
	(void)arg;
	if (unlinkat(parent, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

CTPROF_API int ctprof_wcg_destroy(struct ctprof_wcg *c, unsigned timeout_ms,
				  struct ctprof_error *err)
{
	unsigned ms = timeout_ms ? timeout_ms : DEF_TIMEOUT_MS, step = POLL_MS, budget;
	uint64_t deadline;
	int rc;

	if (!c)
		return ctprof_err(err, -EINVAL, "workload cgroup: destroy: no handle");
	if (c->destroyed)
		return 0;
	deadline = ctprof_mono_ms() + ms;
	/* Still populated after the bound: rmdir cannot succeed (EBUSY). */
	rc = ctprof_wcg_kill(c, ms, err);
	if (rc)
		return rc; /* err names the file and "kill" */
	for (;;) {
		/* Nested cgroups the workload made, deepest first, then the leaf. */
		budget = CTPROF_WCG_WALK_DIRS;
		walk_below(c->dirfd, 0, &budget, rmdir_fn, NULL);
		if (rmdir(c->path) == 0 || errno == ENOENT) {
			c->destroyed = true;
			return 0;
		}
		rc = -errno;
		if ((rc != -EBUSY && rc != -ENOTEMPTY) || ctprof_mono_ms() >= deadline)
			break;
		sleep_step(&step, deadline);
	}
	if (rc == -EBUSY || rc == -ENOTEMPTY)
		return ctprof_err(err, -ETIMEDOUT, "%s: destroy: rmdir: %s after %u ms", c->path,
				  strerror(-rc), ms);
	return ctprof_err(err, rc, "%s: destroy: rmdir: %s", c->path, strerror(-rc));
}

CTPROF_API void ctprof_wcg_free(struct ctprof_wcg *c)
{
	if (!c)
		return;
	if (!c->destroyed)
		ctprof_wcg_destroy(c, 0, NULL);
	if (c->procs_fd >= 0)
		close(c->procs_fd);
	if (c->dirfd >= 0)
		close(c->dirfd);
	free(c->path);
	free(c->relpath);
	free(c);
}
