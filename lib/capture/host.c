/* SPDX-License-Identifier: MIT */
/*
 * The host context (spec §3.2): read from fixed paths of the running host
 * (below `root`, "/" in production), never under proc_root / sys_root.
 * Every field is optional: whatever cannot be read is omitted.
 */
#include "capture_int.h"
#include "parse.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

/* Bounds on input-driven loops and sizes. */
#define HOST_MAX_TUNABLES 4096
#define HOST_MAX_CPU_ENTRIES 4096 /* entries listed per cpuN directory */

struct host_ctx {
	int rootfd;
	struct ctprof_buf buf;
	struct ctprof_host *h;
};

static int rd(struct host_ctx *c, const char *rel)
{
	if (c->rootfd < 0)
		return -ENOENT;
	return ctprof_read_file_at(c->rootfd, rel, &c->buf, CTPROF_READ_MAX);
}

/* ASCII-trimmed [s, s+n) view. */
static void trim(const char **s, size_t *n)
{
	while (*n && (**s == ' ' || **s == '\t' || **s == '\n' || **s == '\r' || **s == '\f' ||
		      **s == '\v')) {
		(*s)++;
		(*n)--;
	}
	while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t' || (*s)[*n - 1] == '\n' ||
		      (*s)[*n - 1] == '\r' || (*s)[*n - 1] == '\f' || (*s)[*n - 1] == '\v'))
		(*n)--;
}

/*
 * Iterate "key: value" lines of buf; for each, call fn with the trimmed
 * key and value. Stops at the first empty line when stop_at_blank.
 */
typedef int (*kv_fn)(struct host_ctx *c, const char *k, size_t kn, const char *v, size_t vn);
static int each_kv(struct host_ctx *c, bool stop_at_blank, kv_fn fn)
{
	const char *p = c->buf.data, *end = c->buf.data + c->buf.len;
	int rc;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p)), *colon, *k, *v;
		size_t kn, vn, ln;

		if (!eol)
			eol = end;
		ln = (size_t)(eol - p);
		{
			const char *t = p;
			size_t tn = ln;

			trim(&t, &tn);
			if (tn == 0 && stop_at_blank)
				break;
		}
		colon = memchr(p, ':', ln);
		if (colon) {
			k = p;
			kn = (size_t)(colon - p);
			v = colon + 1;
			vn = (size_t)(eol - v);
			trim(&k, &kn);
			trim(&v, &vn);
			rc = fn(c, k, kn, v, vn);
			if (rc)
				return rc;
		}
		p = eol + 1;
	}
	return 0;
}

static bool key_is(const char *k, size_t kn, const char *lit)
{
	return kn == strlen(lit) && memcmp(k, lit, kn) == 0;
}

/* Set *field (NULL so far) to the lossily decoded value; empty is skipped. */
static int set_text(char **field, const char *v, size_t vn)
{
	if (*field || vn == 0)
		return 0;
	*field = ctprof_text_trimmed(v, vn);
	return *field ? 0 : -ENOMEM;
}

static int cpuinfo_kv(struct host_ctx *c, const char *k, size_t kn, const char *v, size_t vn)
{
	if (key_is(k, kn, "model name"))
		return set_text(&c->h->cpu_model, v, vn);
	if (key_is(k, kn, "vendor_id"))
		return set_text(&c->h->cpu_vendor, v, vn);
	return 0;
}

/* First whitespace token of v as u64. */
static void set_first_u64(struct ctprof_opt_u64 *o, const char *v, size_t vn)
{
	size_t n = 0;
	uint64_t x;

	if (o->set)
		return;
	while (n < vn && v[n] != ' ' && v[n] != '\t')
		n++;
	if (ctprof_parse_u64(v, n, &x)) {
		o->set = true;
		o->v = x;
	}
}

static int meminfo_kv(struct host_ctx *c, const char *k, size_t kn, const char *v, size_t vn)
{
	if (key_is(k, kn, "MemTotal"))
		set_first_u64(&c->h->total_memory_kib, v, vn);
	else if (key_is(k, kn, "HugePages_Total"))
		set_first_u64(&c->h->hugepages_total, v, vn);
	else if (key_is(k, kn, "HugePages_Free"))
		set_first_u64(&c->h->hugepages_free, v, vn);
	else if (key_is(k, kn, "Hugepagesize"))
		set_first_u64(&c->h->hugepages_size_kib, v, vn);
	return 0;
}

/* A whole file, trimmed; empty → left NULL. */
static int read_text(struct host_ctx *c, const char *rel, char **field, bool keep_empty)
{
	char *s;
	int rc = rd(c, rel);

	if (rc == -ENOMEM)
		return rc;
	if (rc)
		return 0;
	s = ctprof_text_trimmed(c->buf.data, c->buf.len);
	if (!s)
		return -ENOMEM;
	if (!*s && !keep_empty) {
		free(s);
		return 0;
	}
	*field = s;
	return 0;
}

static int tunables(struct host_ctx *c)
{
	struct ctprof_host *h = c->h;
	struct dirent *de;
	unsigned seen = 0;
	DIR *d;
	int fd, rc = 0;

	if (c->rootfd < 0)
		return 0;
	fd = openat(c->rootfd, "proc/sys/kernel", O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return 0;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return errno == ENOMEM ? -ENOMEM : 0;
	}
	h->has_sched_tunables = true;
	while (seen++ < HOST_MAX_TUNABLES && (de = readdir(d)) != NULL) {
		char rel[300], *v;

		if (strncmp(de->d_name, "sched_", 6) != 0)
			continue;
		(void)snprintf(rel, sizeof(rel), "proc/sys/kernel/%s", de->d_name);
		/* Only regular files are read; unreadable or empty ones are skipped. */
		rc = rd(c, rel);
		if (rc == -ENOMEM)
			break;
		rc = 0;
		if (c->buf.len == 0)
			continue;
		v = ctprof_text_trimmed(c->buf.data, c->buf.len);
		if (!v) {
			rc = -ENOMEM;
			break;
		}
		if (*v)
			rc = ctprof_strmap_set(&h->sched_tunables, de->d_name, v);
		free(v);
		if (rc)
			break;
	}
	closedir(d);
	return rc;
}

static bool dir_exists(int dirfd, const char *rel)
{
	struct stat st;

	return fstatat(dirfd, rel, &st, 0) == 0 && S_ISDIR(st.st_mode);
}

/* The node id of cpuN: its "node<M>" entry, or 0. */
static uint32_t cpu_node(int rootfd, uint32_t cpu)
{
	char rel[64];
	struct dirent *de;
	unsigned seen = 0;
	uint32_t node = 0;
	DIR *d;
	int fd;

	(void)snprintf(rel, sizeof(rel), "sys/devices/system/cpu/cpu%u", cpu);
	fd = openat(rootfd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return 0;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return 0;
	}
	while (seen++ < HOST_MAX_CPU_ENTRIES && (de = readdir(d)) != NULL) {
		uint64_t v;

		if (strncmp(de->d_name, "node", 4) == 0 &&
		    ctprof_parse_u64(de->d_name + 4, strlen(de->d_name + 4), &v) && v <= UINT32_MAX) {
			node = (uint32_t)v;
			break;
		}
	}
	closedir(d);
	return node;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* online_cpus, numa_nodes and cpufreq_governor. */
static int topology(struct host_ctx *c)
{
	struct ctprof_host *h = c->h;
	struct ctprof_cpuset online = { 0 };
	uint32_t *nodes = NULL;
	size_t i, ncpu = 0, nnodes = 0;
	int rc = rd(c, "sys/devices/system/cpu/online");

	if (rc == -ENOMEM)
		return rc;
	if (rc)
		return 0;
	rc = ctprof_parse_cpulist(c->buf.data, c->buf.len, &online);
	if (rc == -ENOMEM)
		return rc;
	if (rc)
		return 0;
	nodes = ctprof_calloc(online.n ? online.n : 1, sizeof(*nodes));
	h->cpufreq_governor = ctprof_calloc(online.n ? online.n : 1, sizeof(*h->cpufreq_governor));
	if (!nodes || !h->cpufreq_governor) {
		rc = -ENOMEM;
		goto out;
	}
	for (i = 0; i < online.n; i++) {
		uint32_t cpu = online.cpus[i];
		char rel[96];
		char *gov = NULL;

		/* Governors: every online CPU that has the file. */
		(void)snprintf(rel, sizeof(rel), "sys/devices/system/cpu/cpu%u/cpufreq/scaling_governor", cpu);
		rc = read_text(c, rel, &gov, false);
		if (rc)
			goto out;
		if (gov) {
			h->cpufreq_governor[h->n_cpufreq_governor].cpu = cpu;
			h->cpufreq_governor[h->n_cpufreq_governor].governor = gov;
			h->n_cpufreq_governor++;
		}
		/* Topology: only CPUs that have their sysfs directory. */
		(void)snprintf(rel, sizeof(rel), "sys/devices/system/cpu/cpu%u", cpu);
		if (!dir_exists(c->rootfd, rel))
			continue;
		ncpu++;
		nodes[nnodes++] = cpu_node(c->rootfd, cpu);
	}
	if (ncpu) {
		size_t distinct = 0;

		qsort(nodes, nnodes, sizeof(*nodes), cmp_u32);
		for (i = 0; i < nnodes; i++)
			if (i == 0 || nodes[i] != nodes[i - 1])
				distinct++;
		h->online_cpus.set = true;
		h->online_cpus.v = ncpu;
		h->numa_nodes.set = true;
		h->numa_nodes.v = distinct ? distinct : 1;
	}
	rc = 0;
out:
	if (h->n_cpufreq_governor == 0) {
		free(h->cpufreq_governor);
		h->cpufreq_governor = NULL;
	}
	free(nodes);
	free(online.cpus);
	return rc;
}

static int uname_fields(struct ctprof_host *h)
{
	struct utsname u;

	if (uname(&u) != 0)
		return 0;
	h->kernel_name = ctprof_utf8_lossy(u.sysname, strnlen(u.sysname, sizeof(u.sysname)));
	h->kernel_release = ctprof_utf8_lossy(u.release, strnlen(u.release, sizeof(u.release)));
	h->arch = ctprof_utf8_lossy(u.machine, strnlen(u.machine, sizeof(u.machine)));
	return h->kernel_name && h->kernel_release && h->arch ? 0 : -ENOMEM;
}

/* kernel.task_delayacct and CONFIG_TASK_XACCT, read below root and
 * decoded by the taskstats module's readers (one implementation). */
static int delayacct(struct host_ctx *c)
{
	int rc = rd(c, "proc/sys/kernel/task_delayacct");

	if (rc == -ENOMEM)
		return rc;
	c->h->task_delayacct = ctprof_delayacct_parse(rc ? NULL : c->buf.data, rc ? 0 : c->buf.len);
	return 0;
}

static int config_xacct(struct host_ctx *c)
{
	int rc;

	if (c->rootfd < 0) {
		c->h->config_task_xacct = CTPROF_XACCT_UNKNOWN;
		return 0;
	}
	rc = ctprof_read_file_at(c->rootfd, "proc/config.gz", &c->buf, CTPROF_CONFIG_GZ_MAX);
	if (rc == -ENOMEM)
		return rc;
	c->h->config_task_xacct =
		rc ? CTPROF_XACCT_UNKNOWN : ctprof_config_xacct_gz(c->buf.data, c->buf.len);
	return 0;
}

int ctprof_host_collect_at(const char *root, struct ctprof_host **out)
{
	struct host_ctx c = { .rootfd = -1 };
	int rc;

	c.h = ctprof_calloc(1, sizeof(*c.h));
	if (!c.h)
		return -ENOMEM;
	c.rootfd = open(root && *root ? root : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);

	rc = rd(&c, "proc/cpuinfo");
	if (rc == -ENOMEM)
		goto out;
	if (rc == 0 && (rc = each_kv(&c, true, cpuinfo_kv)) != 0)
		goto out;
	rc = rd(&c, "proc/meminfo");
	if (rc == -ENOMEM)
		goto out;
	if (rc == 0 && (rc = each_kv(&c, false, meminfo_kv)) != 0)
		goto out;
	if ((rc = read_text(&c, "sys/kernel/mm/transparent_hugepage/enabled", &c.h->thp_enabled,
			    false)) != 0 ||
	    (rc = read_text(&c, "sys/kernel/mm/transparent_hugepage/defrag", &c.h->thp_defrag,
			    false)) != 0 ||
	    (rc = tunables(&c)) != 0 || (rc = topology(&c)) != 0 || (rc = uname_fields(c.h)) != 0 ||
	    (rc = read_text(&c, "proc/cmdline", &c.h->kernel_cmdline, true)) != 0 ||
	    (rc = delayacct(&c)) != 0 || (rc = config_xacct(&c)) != 0)
		goto out;
	rc = 0;
out:
	if (c.rootfd >= 0)
		close(c.rootfd);
	ctprof_buf_free(&c.buf);
	if (rc) {
		ctprof_host_free(c.h);
		return rc;
	}
	*out = c.h;
	return 0;
}

CTPROF_API int ctprof_host_collect(struct ctprof_host **out, struct ctprof_error *err)
{
	int rc;

	if (!out)
		return ctprof_err(err, -EINVAL, "host context: no output pointer");
	rc = ctprof_host_collect_at("/", out);
	if (rc)
		return ctprof_err(err, rc, "host context: collect: %s", strerror(-rc));
	return 0;
}
