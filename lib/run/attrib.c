// SPDX-License-Identifier: MIT
/*
 * Which processes and exited threads belong to the workload: process sets,
 * the descendant scan of /proc, and the attribution of exit records by
 * descent (DESIGN.md §4, "Exited threads").
 */
#include "run_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define RP_MAX_PROCS (1u << 22)

static size_t lower_bound(const struct rpset *s, int pid)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->v[mid] < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

CTPROF_HIDDEN bool rpset_has(const struct rpset *s, int pid)
{
	size_t i = lower_bound(s, pid);

	return i < s->n && s->v[i] == pid;
}

CTPROF_HIDDEN int rpset_add(struct rpset *s, int pid)
{
	size_t i = lower_bound(s, pid);

	if (i < s->n && s->v[i] == pid)
		return 0;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		int *v = ctprof_realloc(s->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	memmove(&s->v[i + 1], &s->v[i], (s->n - i) * sizeof(*s->v));
	s->v[i] = pid;
	s->n++;
	return 1;
}

CTPROF_HIDDEN void rpset_free(struct rpset *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/* The ppid field of /proc/<pid>/stat (after the last ')'); -1 when unreadable. */
static int read_ppid(int dirfd, const char *name)
{
	char path[64], buf[1024], *p, *end;
	ssize_t n;
	long v;
	int fd;

	if ((size_t)snprintf(path, sizeof(path), "%s/stat", name) >= sizeof(path))
		return -1; /* not a pid directory */
	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	/* ") S PPID ..." */
	if (!p || p[1] != ' ' || !p[2] || p[3] != ' ')
		return -1;
	errno = 0;
	v = strtol(p + 4, &end, 10);
	if (errno || end == p + 4 || v < 0 || v > 0x3fffffff)
		return -1;
	return (int)v;
}

struct pp {
	int pid, ppid;
};

static bool excluded(const struct rpset *x, int pid)
{
	return x && rpset_has(x, pid);
}

CTPROF_HIDDEN int rp_descendants(const char *proc_root, int root, int self,
				 const struct rpset *exclude, struct rpset *out)
{
	struct pp *v = NULL;
	size_t n = 0, cap = 0, i;
	struct dirent *de;
	bool changed;
	int rc = 0;
	DIR *d;

	d = opendir(proc_root ? proc_root : "/proc");
	if (!d)
		return -errno;
	while ((de = readdir(d)) && n < RP_MAX_PROCS) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);
		int ppid;

		if (*end || end == de->d_name || pid <= 0 || pid > 0x3fffffff)
			continue;
		ppid = read_ppid(dirfd(d), de->d_name);
		if (ppid < 0)
			continue;
		if (n == cap) {
			size_t c = cap ? cap * 2 : 1024;
			struct pp *t = ctprof_realloc(v, c * sizeof(*t));

			if (!t) {
				rc = -ENOMEM;
				goto out;
			}
			v = t;
			cap = c;
		}
		v[n].pid = (int)pid;
		v[n].ppid = ppid;
		n++;
	}
	if (root > 0 && rpset_add(out, root) < 0) {
		rc = -ENOMEM;
		goto out;
	}
	do {
		changed = false;
		for (i = 0; i < n; i++) {
			int r;

			if (excluded(exclude, v[i].pid) || excluded(exclude, v[i].ppid) ||
			    v[i].pid == self || rpset_has(out, v[i].pid))
				continue;
			if (!rpset_has(out, v[i].ppid) && !(self > 0 && v[i].ppid == self))
				continue;
			r = rpset_add(out, v[i].pid);
			if (r < 0) {
				rc = r;
				goto out;
			}
			changed = true;
		}
	} while (changed);
out:
	closedir(d);
	free(v);
	return rc;
}

CTPROF_HIDDEN size_t rp_signal(const struct rpset *s, int sig)
{
	size_t i, k = 0;

	for (i = 0; i < s->n; i++)
		if (s->v[i] > 1 && kill(s->v[i], sig) == 0)
			k++;
	return k;
}

CTPROF_HIDDEN size_t rp_attribute(const struct ctprof_exit_record *r, size_t n, int self,
				  const struct rpset *exclude, struct rpset *tgids, bool *keep)
{
	size_t i, kept = 0;
	bool changed;

	memset(keep, 0, n * sizeof(*keep));
	do {
		changed = false;
		for (i = 0; i < n; i++) {
			int tgid = (int)r[i].stats.tgid, ppid = (int)r[i].stats.ppid;

			if (keep[i] || r[i].kind != CTPROF_EXIT_TASK)
				continue;
			if (!tgid)
				tgid = (int)r[i].thread.tgid;
			if (excluded(exclude, tgid) || excluded(exclude, ppid) ||
			    (tgid == self && self > 0))
				continue;
			if (!rpset_has(tgids, tgid) && !rpset_has(tgids, ppid) &&
			    !(self > 0 && ppid == self))
				continue;
			keep[i] = true;
			kept++;
			if (rpset_add(tgids, tgid) > 0)
				changed = true;
		}
	} while (changed);
	return kept;
}
