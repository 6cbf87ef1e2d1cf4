/* SPDX-License-Identifier: MIT */
/*
 * Taskstats results into ThreadState: the 34 fields and four flags of spec
 * §3.3, the summary tally of §3.9, the host-wide capture flags
 * (probe_taskstats_active), exit records as threads, and the
 * kernel.task_delayacct switch for --enable-delayacct.
 */
#include "taskstats_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#define DELAYACCT_PATH "/proc/sys/kernel/task_delayacct"
#define CONFIG_GZ_PATH "/proc/config.gz"
#define CONFIG_OUT_MAX ((size_t)64 << 20)   /* decompressed bytes scanned */
#define CONFIG_LINE_MAX 4096
#define PROC_STAT_MAX ((size_t)16 << 20)

static bool is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\v' || ch == '\f';
}

static void trim(const char **s, size_t *n)
{
	while (*n && is_space(**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n && is_space((*s)[*n - 1]))
		(*n)--;
}

/* Read a whole (small) file; -errno on failure or when larger than max. */
static int read_all(const char *path, struct ctprof_buf *b, size_t max)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	int rc = 0;

	b->len = 0;
	if (fd < 0)
		return -errno;
	for (;;) {
		ssize_t r;

		if (ctprof_buf_reserve(b, 4096)) {
			rc = -ENOMEM;
			break;
		}
		r = read(fd, b->data + b->len, b->cap - b->len - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			break;
		}
		if (r == 0)
			break;
		b->len += (size_t)r;
		if (b->len > max) {
			rc = -EFBIG;
			break;
		}
	}
	close(fd);
	if (!rc)
		b->data[b->len] = '\0';
	return rc;
}

enum ctprof_delayacct ctprof_delayacct_parse(const char *s, size_t n)
{
	if (s)
		trim(&s, &n);
	if (!s || n == 0)
		return CTPROF_DELAYACCT_CONFIG_OFF;
	return n == 1 && s[0] == '1' ? CTPROF_DELAYACCT_ON : CTPROF_DELAYACCT_RUNTIME_OFF;
}

static enum ctprof_delayacct probe_delayacct(const char *path)
{
	struct ctprof_buf b = { 0 };
	enum ctprof_delayacct d = CTPROF_DELAYACCT_CONFIG_OFF;

	if (read_all(path, &b, 4096) == 0)
		d = ctprof_delayacct_parse(b.data, b.len);
	ctprof_buf_free(&b);
	return d;
}

static enum ctprof_xacct xacct_line(const char *s, size_t n)
{
	static const char on[] = "CONFIG_TASK_XACCT=y";
	static const char off[] = "# CONFIG_TASK_XACCT is not set";

	trim(&s, &n);
	if (n == sizeof(on) - 1 && memcmp(s, on, n) == 0)
		return CTPROF_XACCT_ON;
	if (n == sizeof(off) - 1 && memcmp(s, off, n) == 0)
		return CTPROF_XACCT_OFF;
	return CTPROF_XACCT_ABSENT;
}

enum ctprof_xacct ctprof_config_xacct_gz(const void *gz, size_t len)
{
	unsigned char out[16384];
	char line[CONFIG_LINE_MAX];
	size_t ln = 0, total = 0;
	bool overlong = false;
	enum ctprof_xacct res = CTPROF_XACCT_ABSENT;
	z_stream zs;
	int zr;

	memset(&zs, 0, sizeof(zs));
	if (len > UINT32_MAX || inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
		return CTPROF_XACCT_UNKNOWN;
	zs.next_in = (unsigned char *)(uintptr_t)gz;
	zs.avail_in = (unsigned)len;
	do {
		size_t got, i;

		zs.next_out = out;
		zs.avail_out = sizeof(out);
		zr = inflate(&zs, Z_NO_FLUSH);
		if (zr != Z_OK && zr != Z_STREAM_END)
			break;
		got = sizeof(out) - zs.avail_out;
		total += got;
		for (i = 0; i < got && res == CTPROF_XACCT_ABSENT; i++) {
			if (out[i] == '\n') {
				if (!overlong)
					res = xacct_line(line, ln);
				ln = 0;
				overlong = false;
			} else if (ln < sizeof(line)) {
				line[ln++] = (char)out[i];
			} else {
				overlong = true;
			}
		}
		if (got == 0 && zr != Z_STREAM_END)
			break;
	} while (zr != Z_STREAM_END && res == CTPROF_XACCT_ABSENT && total < CONFIG_OUT_MAX);
	if (res == CTPROF_XACCT_ABSENT && zr == Z_STREAM_END && ln && !overlong)
		res = xacct_line(line, ln);
	inflateEnd(&zs);
	return res == CTPROF_XACCT_ABSENT ? CTPROF_XACCT_UNKNOWN : res;
}

static enum ctprof_xacct probe_xacct(const char *path)
{
	struct ctprof_buf b = { 0 };
	enum ctprof_xacct x = CTPROF_XACCT_UNKNOWN;

	if (read_all(path, &b, CTPROF_CONFIG_GZ_MAX) == 0)
		x = ctprof_config_xacct_gz(b.data, b.len);
	ctprof_buf_free(&b);
	return x;
}

CTPROF_API void ctprof_taskstats_active_from(enum ctprof_delayacct d, enum ctprof_xacct x,
					     struct ctprof_taskstats_active *out)
{
	if (d == CTPROF_DELAYACCT_ABSENT)
		d = CTPROF_DELAYACCT_CONFIG_OFF;
	if (x == CTPROF_XACCT_ABSENT)
		x = CTPROF_XACCT_UNKNOWN;
	out->delayacct = d;
	out->xacct = x;
	out->cpu_delay_active = d != CTPROF_DELAYACCT_CONFIG_OFF;
	out->delay_block_active = d == CTPROF_DELAYACCT_ON;
	out->xacct_active = x != CTPROF_XACCT_OFF;
}

CTPROF_API void ctprof_taskstats_probe_active_at(const char *delayacct_path,
						 const char *config_gz_path,
						 struct ctprof_taskstats_active *out)
{
	ctprof_taskstats_active_from(probe_delayacct(delayacct_path), probe_xacct(config_gz_path),
				     out);
}

CTPROF_API void ctprof_taskstats_probe_active(struct ctprof_taskstats_active *out)
{
	ctprof_taskstats_probe_active_at(DELAYACCT_PATH, CONFIG_GZ_PATH, out);
}

static uint64_t kib_to_bytes(uint64_t kib)
{
	return kib > UINT64_MAX / 1024u ? UINT64_MAX : kib * 1024u;
}

#define CTPROF__SET_DELAY(t, ts, cat, k)                              \
	do {                                                          \
		(t)->cat##_delay_count = (ts)->delay[k].count;        \
		(t)->cat##_delay_total_ns = (ts)->delay[k].total_ns;  \
		(t)->cat##_delay_max_ns = (ts)->delay[k].max_ns;      \
		(t)->cat##_delay_min_ns = (ts)->delay[k].min_ns;      \
	} while (0)

CTPROF_API void ctprof_taskstats_apply(struct ctprof_thread *t, const struct ctprof_taskstats *ts,
				       const struct ctprof_taskstats_active *a)
{
	CTPROF__SET_DELAY(t, ts, cpu, CTPROF_TS_CPU);
	CTPROF__SET_DELAY(t, ts, blkio, CTPROF_TS_BLKIO);
	CTPROF__SET_DELAY(t, ts, swapin, CTPROF_TS_SWAPIN);
	CTPROF__SET_DELAY(t, ts, freepages, CTPROF_TS_FREEPAGES);
	CTPROF__SET_DELAY(t, ts, thrashing, CTPROF_TS_THRASHING);
	CTPROF__SET_DELAY(t, ts, compact, CTPROF_TS_COMPACT);
	CTPROF__SET_DELAY(t, ts, wpcopy, CTPROF_TS_WPCOPY);
	CTPROF__SET_DELAY(t, ts, irq, CTPROF_TS_IRQ);
	t->hiwater_rss_bytes = kib_to_bytes(ts->hiwater_rss_kib);
	t->hiwater_vm_bytes = kib_to_bytes(ts->hiwater_vm_kib);
	t->taskstats_measured = true;
	t->cpu_delay_active = a->cpu_delay_active;
	t->delay_block_active = a->delay_block_active;
	t->xacct_active = a->xacct_active;
}

CTPROF_API void ctprof_taskstats_apply_result(struct ctprof_thread *t,
					      const struct ctprof_taskstats_result *r,
					      const struct ctprof_taskstats_active *a)
{
	static const struct ctprof_taskstats zero;
	static const struct ctprof_taskstats_active none;

	if (r->err == 0) {
		ctprof_taskstats_apply(t, &r->stats, a);
		return;
	}
	ctprof_taskstats_apply(t, &zero, &none);
	t->taskstats_measured = false;
}

static void sat_inc(uint64_t *v)
{
	if (*v != UINT64_MAX)
		(*v)++;
}

CTPROF_API void ctprof_taskstats_summary_add(struct ctprof_taskstats_summary *s, int err)
{
	if (!s)
		return;
	if (err == 0)
		sat_inc(&s->ok_count);
	else if (err == -EPERM)
		sat_inc(&s->eperm_count);
	else if (err == -ESRCH)
		sat_inc(&s->esrch_count);
	else
		sat_inc(&s->other_err_count);
}

/* ---- exit records ------------------------------------------------------ */

CTPROF_API int ctprof_taskstats_conv_init(struct ctprof_taskstats_conv *c,
					  struct ctprof_error *err)
{
	struct ctprof_buf b = { 0 };
	long hz;
	int rc;

	memset(c, 0, sizeof(*c));
	rc = read_all("/proc/stat", &b, PROC_STAT_MAX);
	if (rc) {
		ctprof_buf_free(&b);
		return ctprof_err(err, rc, "/proc/stat: read: %s", strerror(-rc));
	}
	if (!ctprof_ts_parse_btime(b.data, b.len, &c->boot_time_s)) {
		ctprof_buf_free(&b);
		return ctprof_err(err, -EINVAL, "/proc/stat: parse btime: no valid \"btime\" line");
	}
	ctprof_buf_free(&b);
	hz = sysconf(_SC_CLK_TCK);
	c->user_hz = hz > 0 ? (uint64_t)hz : 100u;
	ctprof_taskstats_probe_active(&c->active);
	return 0;
}

static const char *policy_name(unsigned n, char *tmp, size_t tmplen)
{
	switch (n) {
	case 0:
		return "SCHED_OTHER";
	case 1:
		return "SCHED_FIFO";
	case 2:
		return "SCHED_RR";
	case 3:
		return "SCHED_BATCH";
	case 5:
		return "SCHED_IDLE";
	case 6:
		return "SCHED_DEADLINE";
	case 7:
		return "SCHED_EXT";
	default:
		(void)snprintf(tmp, tmplen, "SCHED_UNKNOWN(%u)", n);
		return tmp;
	}
}

static int set_str(char **dst, char *v)
{
	if (!v)
		return -ENOMEM;
	free(*dst);
	*dst = v;
	return 0;
}

CTPROF_API int ctprof_taskstats_exit_thread(const struct ctprof_taskstats *ts, uint32_t id,
					    const struct ctprof_taskstats_conv *c,
					    struct ctprof_thread *t)
{
	char tmp[32];
	int rc = ctprof_thread_init(t);

	if (rc)
		return rc;
	t->tid = id;
	t->tgid = ts->tgid;
	rc = set_str(&t->comm, ctprof_utf8_lossy(ts->comm, strnlen(ts->comm, 32)));
	if (!rc && t->tgid == id && id != 0)
		rc = set_str(&t->pcomm, ctprof_strdup(t->comm));
	if (!rc)
		rc = set_str(&t->policy, ctprof_strdup(policy_name(ts->sched, tmp, sizeof(tmp))));
	if (rc) {
		ctprof_thread_clear(t);
		return rc;
	}
	if (ts->btime >= c->boot_time_s) {
		uint64_t s = ts->btime - c->boot_time_s;

		t->start_time_clock_ticks =
			c->user_hz && s > UINT64_MAX / c->user_hz ? UINT64_MAX : s * c->user_hz;
	}
	t->nice = ts->nice;
	if (ts->sched == 6)
		t->priority = -101;
	else if (ts->sched != 1 && ts->sched != 2)
		t->priority = 20 + ts->nice;
	t->state = 'X';
	/* se.sum_exec_runtime, what /proc/<tid>/schedstat reports; the
	 * "real" total is tick-sampled utime + stime */
	t->run_time_ns = ts->cpu_run_virtual_total_ns;
	t->wait_time_ns = ts->delay[CTPROF_TS_CPU].total_ns;
	t->timeslices = ts->delay[CTPROF_TS_CPU].count;
	t->voluntary_csw = ts->nvcsw;
	t->nonvoluntary_csw = ts->nivcsw;
	t->minflt = ts->minflt;
	t->majflt = ts->majflt;
	t->utime_clock_ticks = ctprof_ts_us_to_ticks(ts->utime_us, c->user_hz);
	t->stime_clock_ticks = ctprof_ts_us_to_ticks(ts->stime_us, c->user_hz);
	t->rchar = ts->read_char;
	t->wchar = ts->write_char;
	t->syscr = ts->read_syscalls;
	t->syscw = ts->write_syscalls;
	t->read_bytes = ts->read_bytes;
	t->write_bytes = ts->write_bytes;
	t->cancelled_write_bytes = ts->cancelled_write_bytes;
	ctprof_taskstats_apply(t, ts, &c->active);
	t->exited = true;
	return 0;
}

/* ---- kernel.task_delayacct ------------------------------------------------ */

static int write_value(const char *path, const char *v, size_t n)
{
	char buf[20];
	ssize_t w;
	int fd, e = 0;

	if (n + 1 > sizeof(buf))
		return -EINVAL;
	memcpy(buf, v, n);
	buf[n] = '\n';
	fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	do {
		w = write(fd, buf, n + 1);
	} while (w < 0 && errno == EINTR);
	if (w < 0)
		e = -errno;
	else if ((size_t)w != n + 1)
		e = -EIO;
	if (close(fd) != 0 && !e && errno != EINTR)
		e = -errno;
	return e;
}

CTPROF_API int ctprof_delayacct_enable(struct ctprof_delayacct_guard *g, const char *path,
				       struct ctprof_error *err)
{
	char buf[64];
	const char *v;
	size_t n = 0;
	ssize_t r;
	int fd, rc;

	if (!g)
		return ctprof_err(err, -EINVAL, "delayacct: enable: no guard");
	if (g->changed)
		return 0;
	if (!path)
		path = DELAYACCT_PATH;
	if (strlen(path) >= sizeof(g->path))
		return ctprof_err(err, -ENAMETOOLONG, "%s: enable delay accounting: path too long",
				  path);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		rc = -errno;
		return ctprof_err(err, rc, "%s: read previous value: %s%s", path, strerror(-rc),
				  rc == -ENOENT ? " (kernel without CONFIG_TASK_DELAY_ACCT?)" : "");
	}
	do {
		r = read(fd, buf, sizeof(buf) - 1);
	} while (r < 0 && errno == EINTR);
	rc = r < 0 ? -errno : 0;
	close(fd);
	if (rc)
		return ctprof_err(err, rc, "%s: read previous value: %s", path, strerror(-rc));
	n = (size_t)r;
	buf[n] = '\0';
	v = buf;
	trim(&v, &n);
	if (n == 0 || n >= sizeof(g->prev))
		return ctprof_err(err, -EINVAL, "%s: read previous value: unexpected contents",
				  path);
	if (n == 1 && v[0] == '1')
		return 0; /* already on: nothing to restore */
	memcpy(g->path, path, strlen(path) + 1);
	memcpy(g->prev, v, n);
	g->prev[n] = '\0';
	rc = write_value(path, "1", 1);
	if (rc)
		return ctprof_err(err, rc, "%s: write 1: %s%s", path, strerror(-rc),
				  rc == -EACCES || rc == -EPERM ? " (needs root)" : "");
	g->changed = true;
	return 0;
}

CTPROF_API int ctprof_delayacct_restore(struct ctprof_delayacct_guard *g)
{
	size_t n = 0;
	int rc;

	if (!g || !g->changed)
		return 0;
	while (n < sizeof(g->prev) && g->prev[n])
		n++;
	rc = write_value(g->path, g->prev, n);
	if (rc == 0)
		g->changed = false;
	return rc;
}
