/* SPDX-License-Identifier: MIT */
/*
 * Cgroup v2 statistics of one cgroup (spec/snapshot-and-capture.md §3.4).
 * The path comes from a thread's /proc/.../cgroup line, so it is untrusted:
 * it is joined onto cgroup_root only when ctprof_cgroup_path_safe() says so
 * (DESIGN.md §4), and the directory is opened relative to a cgroup_root fd
 * with RESOLVE_BENEATH where the kernel has openat2().
 */
#include "parse.h"
#include "parse_text.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define CPU_MAX_DEFAULT_PERIOD_US 100000u

bool ctprof_cgroup_path_safe(const char *path)
{
	const char *p, *end;

	if (!path || path[0] != '/')
		return false;
	/* "//x" is still absolute after its leading '/': a join would drop the root. */
	if (path[1] == '/')
		return false;
	for (p = path + 1; *p; p = *end ? end + 1 : end) {
		end = strchrnul(p, '/');
		if (end - p == 2 && p[0] == '.' && p[1] == '.')
			return false;
	}
	return true;
}

/* The cgroup directory below root_fd, never outside it. -errno on failure. */
static int open_beneath(int root_fd, const char *rel)
{
#ifdef SYS_openat2
	struct open_how how;
	long fd;

	memset(&how, 0, sizeof(how));
	how.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC;
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
	fd = syscall(SYS_openat2, root_fd, rel, &how, sizeof(how));
	if (fd >= 0)
		return (int)fd;
	/* ENOSYS: kernel < 5.6; EPERM: a seccomp filter that refuses it. */
	if (errno != ENOSYS && errno != EPERM)
		return -errno;
#endif
	{
		int fd2 = openat(root_fd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (fd2 < 0)
			return -errno;
		return fd2;
	}
}

/*
 * Read name under dirfd; true with buf filled, false when unreadable (a
 * missing file is not an error; running out of memory is remembered in
 * *nomem so that the caller can report it).
 */
static bool rd(int dirfd, const char *name, struct ctprof_buf *buf, bool *nomem)
{
	int r = ctprof_read_file_at(dirfd, name, buf, CTPROF_READ_MAX);

	if (r == -ENOMEM)
		*nomem = true;
	return r == 0;
}

static struct ctprof_span whole(const struct ctprof_buf *buf)
{
	return ctprof_span_of(buf->data, buf->len);
}

static void opt_set(struct ctprof_opt_u64 *o, bool ok, uint64_t v)
{
	o->set = ok;
	o->v = ok ? v : 0;
}

/* o = the u64 in s, or null when s is not one. */
static void opt_parse(struct ctprof_opt_u64 *o, struct ctprof_span s)
{
	uint64_t v = 0;
	bool ok = ctprof_num_u64(s, &v);

	opt_set(o, ok, v);
}

/* Limit files (memory.max/high, pids.max): "max" → null. */
static void parse_limit(struct ctprof_span s, struct ctprof_opt_u64 *o)
{
	s = ctprof_trim(s);
	if (ctprof_span_eq(s, "max")) {
		opt_set(o, false, 0);
		return;
	}
	opt_parse(o, s);
}

/* Floor files (memory.low/min): "max" → full protection. */
static void parse_floor(struct ctprof_span s, struct ctprof_opt_u64 *o)
{
	s = ctprof_trim(s);
	if (ctprof_span_eq(s, "max")) {
		opt_set(o, true, UINT64_MAX);
		return;
	}
	opt_parse(o, s);
}

static void parse_cpu_stat(struct ctprof_span s, struct ctprof_cgroup_cpu *cpu)
{
	struct ctprof_span line, key, val;
	size_t pos = 0, tpos;
	uint64_t v;

	while (ctprof_next_line(s.p, s.n, &pos, &line)) {
		uint64_t *dst;

		tpos = 0;
		if (!ctprof_next_token(line, &tpos, true, &key) ||
		    !ctprof_next_token(line, &tpos, true, &val))
			continue;
		if (ctprof_span_eq(key, "usage_usec"))
			dst = &cpu->usage_usec;
		else if (ctprof_span_eq(key, "nr_throttled"))
			dst = &cpu->nr_throttled;
		else if (ctprof_span_eq(key, "throttled_usec"))
			dst = &cpu->throttled_usec;
		else
			continue;
		*dst = ctprof_num_u64(val, &v) ? v : 0;
	}
}

static void parse_cpu_max(struct ctprof_span s, struct ctprof_cgroup_cpu *cpu)
{
	struct ctprof_span quota, period;
	size_t pos = 0;
	uint64_t v;

	opt_set(&cpu->max_quota_us, false, 0);
	cpu->max_period_us = CPU_MAX_DEFAULT_PERIOD_US;
	if (!ctprof_next_token(s, &pos, true, &quota))
		return;
	if (!ctprof_span_eq(quota, "max"))
		opt_parse(&cpu->max_quota_us, quota);
	if (ctprof_next_token(s, &pos, true, &period) && ctprof_num_u64(period, &v))
		cpu->max_period_us = v;
}

/* memory.stat / memory.events: "key u64" lines; others skipped. */
static int parse_kv_counters(struct ctprof_span s, struct ctprof_kvmap *out)
{
	struct ctprof_kv_list l = { 0 };
	struct ctprof_span line, key, val;
	size_t pos = 0, tpos;
	uint64_t v;
	int ret = 0;

	while (ctprof_next_line(s.p, s.n, &pos, &line)) {
		tpos = 0;
		if (!ctprof_next_token(line, &tpos, true, &key) ||
		    !ctprof_next_token(line, &tpos, true, &val) || !ctprof_num_u64(val, &v))
			continue;
		ret = ctprof_kv_list_push(&l, key, v);
		if (ret)
			break;
	}
	if (!ret)
		ret = ctprof_kvmap_from_spans(l.v, l.n, out);
	else
		ctprof_kvmap_clear(out);
	free(l.v);
	return ret;
}

void ctprof_parse_cpu_max(const char *buf, size_t len, struct ctprof_cgroup_cpu *cpu)
{
	parse_cpu_max(ctprof_span_of(buf, len), cpu);
}

int ctprof_parse_kv_counters(const char *buf, size_t len, struct ctprof_kvmap *out)
{
	return parse_kv_counters(ctprof_span_of(buf, len), out);
}

int ctprof_read_cgroup_stats(const char *cgroup_root, const char *path,
			     struct ctprof_cgroup_stats *out)
{
	static const char *const psi_names[4] = { "cpu.pressure", "memory.pressure",
						  "io.pressure", "irq.pressure" };
	struct ctprof_buf buf = { 0 };
	bool nomem = false;
	int root, dir, ret = 0;
	uint64_t v;
	int32_t i32;

	if (!cgroup_root || !ctprof_cgroup_path_safe(path))
		return 0;
	root = open(cgroup_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		return 0;
	if (path[1] == '\0') {
		dir = root;
	} else {
		dir = open_beneath(root, path + 1);
		close(root);
		if (dir < 0)
			return 0;
	}

	if (rd(dir, "cpu.stat", &buf, &nomem))
		parse_cpu_stat(whole(&buf), &out->cpu);
	if (rd(dir, "cpu.max", &buf, &nomem)) {
		parse_cpu_max(whole(&buf), &out->cpu);
	} else {
		opt_set(&out->cpu.max_quota_us, false, 0);
		out->cpu.max_period_us = CPU_MAX_DEFAULT_PERIOD_US;
	}
	if (rd(dir, "cpu.weight", &buf, &nomem))
		opt_parse(&out->cpu.weight, ctprof_trim(whole(&buf)));
	if (rd(dir, "cpu.weight.nice", &buf, &nomem)) {
		bool ok = ctprof_num_i32(ctprof_trim(whole(&buf)), &i32);

		out->cpu.weight_nice.set = ok;
		out->cpu.weight_nice.v = ok ? i32 : 0;
	}
	if (rd(dir, "memory.current", &buf, &nomem))
		out->memory.current = ctprof_num_u64(ctprof_trim(whole(&buf)), &v) ? v : 0;
	if (rd(dir, "memory.max", &buf, &nomem))
		parse_limit(whole(&buf), &out->memory.max);
	if (rd(dir, "memory.high", &buf, &nomem))
		parse_limit(whole(&buf), &out->memory.high);
	if (rd(dir, "memory.low", &buf, &nomem))
		parse_floor(whole(&buf), &out->memory.low);
	if (rd(dir, "memory.min", &buf, &nomem))
		parse_floor(whole(&buf), &out->memory.min);
	if (rd(dir, "memory.stat", &buf, &nomem))
		ret = parse_kv_counters(whole(&buf), &out->memory.stat);
	if (!ret && rd(dir, "memory.events", &buf, &nomem))
		ret = parse_kv_counters(whole(&buf), &out->memory.events);
	if (rd(dir, "pids.current", &buf, &nomem))
		opt_parse(&out->pids.current, ctprof_trim(whole(&buf)));
	if (rd(dir, "pids.max", &buf, &nomem))
		parse_limit(whole(&buf), &out->pids.max);
	ctprof_read_psi_files(dir, psi_names, &out->psi, &buf);
	if (buf.oom)
		nomem = true;

	close(dir);
	ctprof_buf_free(&buf);
	return ret ? ret : nomem ? -ENOMEM : 0;
}
