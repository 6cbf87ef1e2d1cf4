/* SPDX-License-Identifier: MIT */
#include "testutil.h"

#include <ctprof/snapshot.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what, const char *path)
{
	fprintf(stderr, "testutil: %s %s: %s\n", what, path ? path : "", strerror(errno));
	abort();
}

char *tu_path(const char *fmt, ...)
{
	va_list ap;
	char *p = NULL;

	va_start(ap, fmt);
	if (vasprintf(&p, fmt, ap) < 0)
		abort();
	va_end(ap);
	return p;
}

char *tu_mkdtemp(const char *tag)
{
	const char *tmp = getenv("TMPDIR");
	char *p = tu_path("%s/ctprof-%s-XXXXXX", tmp && *tmp ? tmp : "/tmp", tag ? tag : "test");

	if (!mkdtemp(p))
		die("mkdtemp", p);
	return p;
}

static int rm_cb(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP || flag == FTW_D)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

void tu_rmtree(const char *path)
{
	if (path)
		nftw(path, rm_cb, 64, FTW_DEPTH | FTW_PHYS);
}

static void mkparents(const char *path)
{
	char *p = strdup(path), *s;

	for (s = p + 1; *s; s++) {
		if (*s == '/') {
			*s = '\0';
			if (mkdir(p, 0755) && errno != EEXIST)
				die("mkdir", p);
			*s = '/';
		}
	}
	free(p);
}

void tu_write_file(const char *path, const void *data, size_t len)
{
	int fd;
	const char *d = data;

	mkparents(path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		die("open", path);
	while (len) {
		ssize_t w = write(fd, d, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			die("write", path);
		}
		d += w;
		len -= (size_t)w;
	}
	close(fd);
}

void tu_write_str(const char *path, const char *s)
{
	tu_write_file(path, s, strlen(s));
}

char *tu_read_file(const char *path, size_t *lenp)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!f)
		return NULL;
	for (;;) {
		if (cap - len < 65536) {
			cap = cap ? cap * 2 : 65536;
			buf = realloc(buf, cap + 1);
			if (!buf)
				abort();
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	fclose(f);
	buf[len] = '\0';
	if (lenp)
		*lenp = len;
	return buf;
}

char *tu_fixture(const char *rel)
{
	const char *dir = getenv("CTPROF_FIXTURES");

	return tu_path("%s/%s", dir && *dir ? dir : CTPROF_FIXTURES_DIR, rel);
}

const char *tu_harness(void)
{
	const char *h = getenv("CTPROF_HARNESS");

	return h && *h ? h : CTPROF_HARNESS_BIN;
}

static void drain(int fd, char **buf, size_t *len, size_t *cap, bool *open_)
{
	char tmp[65536];
	ssize_t n = read(fd, tmp, sizeof(tmp));

	if (n <= 0) {
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			return;
		*open_ = false;
		return;
	}
	if (*len + (size_t)n + 1 > *cap) {
		while (*len + (size_t)n + 1 > *cap)
			*cap = *cap ? *cap * 2 : 65536;
		*buf = realloc(*buf, *cap);
		if (!*buf)
			abort();
	}
	memcpy(*buf + *len, tmp, (size_t)n);
	*len += (size_t)n;
	(*buf)[*len] = '\0';
}

int tu_run(char *const argv[], char **out, char **errout, unsigned timeout_s)
{
	int po[2], pe[2], status;
	pid_t pid;
	char *ob = NULL, *eb = NULL;
	size_t ol = 0, oc = 0, el = 0, ec = 0;
	bool oo = true, eo = true;
	struct timespec start, now;

	if (pipe2(po, O_CLOEXEC) || pipe2(pe, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int nul = open("/dev/null", O_RDONLY);

		dup2(nul, 0);
		dup2(po[1], 1);
		dup2(pe[1], 2);
		execv(argv[0], argv);
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	clock_gettime(CLOCK_MONOTONIC, &start);
	while (oo || eo) {
		struct pollfd pf[2] = { { po[0], POLLIN, 0 }, { pe[0], POLLIN, 0 } };
		int r;

		pf[0].fd = oo ? po[0] : -1;
		pf[1].fd = eo ? pe[0] : -1;
		r = poll(pf, 2, 1000);
		if (r > 0) {
			if (pf[0].revents)
				drain(po[0], &ob, &ol, &oc, &oo);
			if (pf[1].revents)
				drain(pe[0], &eb, &el, &ec, &eo);
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (timeout_s && now.tv_sec - start.tv_sec > (time_t)timeout_s) {
			kill(pid, SIGKILL);
			break;
		}
	}
	close(po[0]);
	close(pe[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!ob)
		ob = strdup("");
	if (!eb)
		eb = strdup("");
	if (out)
		*out = ob;
	else
		free(ob);
	if (errout)
		*errout = eb;
	else
		free(eb);
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return -1;
}

const struct ctprof_thread *tu_find_tid(const struct ctprof_snapshot *s, uint32_t tid)
{
	size_t i;

	for (i = 0; i < s->n_threads; i++)
		if (s->threads[i].tid == tid)
			return &s->threads[i];
	return NULL;
}

const struct ctprof_thread *tu_get_tid(const struct ctprof_snapshot *s, uint32_t tid)
{
	const struct ctprof_thread *t = tu_find_tid(s, tid);

	if (!t) {
		fprintf(stderr, "tid %u not in the snapshot\n", tid);
		abort();
	}
	return t;
}

const struct ctprof_cgroup_stats *tu_get_cgroup(const struct ctprof_snapshot *s,
						const char *path)
{
	size_t i;

	for (i = 0; i < s->n_cgroups; i++)
		if (strcmp(s->cgroups[i].path, path) == 0)
			return &s->cgroups[i].stats;
	fprintf(stderr, "cgroup %s not in the snapshot\n", path);
	abort();
}
