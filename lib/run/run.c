// SPDX-License-Identifier: MIT
/*
 * ctprof_run_workload(): one wrapped workload, end to end (run.h). The
 * module sits at the end of the data flow (DESIGN.md §2): it drives
 * capture, taskstats, the interval, compare, verdict and render.
 */
#include "run_int.h"
#include "scx_int.h"

#include <ctprof/capture.h>
#include <ctprof/interval.h>
#include <ctprof/render.h>
#include <ctprof/verdict.h>

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define RUN_MAX_STEPS 8

struct run_step {
	char name[256];
	int status; /* enum ctprof_vstatus */
	char reason[512];
	char *diag;
};

struct ctprof_run {
	enum ctprof_run_status status;
	char *dir;       /* final run directory */
	char *tmp;       /* the directory while it is written */
	char *tap;
	size_t tap_len;
	struct ctprof_snapshot *before, *after, *interval;
	struct run_step steps[RUN_MAX_STEPS];
	size_t n_steps;
	struct ctprof_buf pre; /* preflight lines */
	int wait_status;
	int cancelled;
	bool timed_out;
	uint64_t start_unix_ns, end_unix_ns;
	/* run.json facts */
	struct rw w;
	bool w_started;
	struct ctprof_wcg *cg;
	char *cg_rel;
	char *cg_note;
	bool cg_have_cpu;
	struct ctprof_wcg_cpu cpu0, cpu1;
	struct rusage self0, self1;
	bool have_self;
	struct ctprof_exit_listener *lis;
	struct ctprof_exit_listener_stats lis_stats;
	size_t exited_total, exited_kept;
	struct ctprof_scx *scx;
	struct rpset sched; /* the scheduler and its descendants */
	bool scx_attached, scx_ok_check;
	struct ctprof_delayacct_guard dacct;
	char dacct_prev[64];
	bool dacct_enabled;
	struct ctprof_verdict *verdict;
	size_t workload_tgids;
	struct ctprof_interval_stats istats;
	char capture_err[1100];
};

CTPROF_API void ctprof_run_opts_init(struct ctprof_run_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->sz = sizeof(*o);
	o->group_by = CTPROF_GROUP_PCOMM;
	o->tap_version = 13;
	o->scope = CTPROF_RUN_SCOPE_WORKLOAD;
}

static uint64_t unix_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void note(const struct ctprof_run_opts *o, struct ctprof_run *r, const char *fmt, ...)
	CTPROF_PRINTF(3, 4);
static void note(const struct ctprof_run_opts *o, struct ctprof_run *r, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	ctprof_buf_puts(&r->pre, line);
	ctprof_buf_putc(&r->pre, '\n');
	if (o->note)
		o->note(line, o->note_ctx);
}

static struct run_step *step(struct ctprof_run *r, int status, const char *reason,
			     const char *diag, const char *fmt, ...) CTPROF_PRINTF(5, 6);
static struct run_step *step(struct ctprof_run *r, int status, const char *reason,
			     const char *diag, const char *fmt, ...)
{
	struct run_step *s;
	va_list ap;

	if (r->n_steps == RUN_MAX_STEPS)
		return NULL;
	s = &r->steps[r->n_steps++];
	va_start(ap, fmt);
	(void)vsnprintf(s->name, sizeof(s->name), fmt, ap);
	va_end(ap);
	s->status = status;
	(void)snprintf(s->reason, sizeof(s->reason), "%s", reason ? reason : "");
	s->diag = diag && *diag ? ctprof_strdup(diag) : NULL;
	if (status == CTPROF_VS_FAIL)
		r->status = CTPROF_RUN_FAILED;
	return s;
}

/*
 * A scheduler step: the message is the diagnostic's first line; the run
 * directory's temporary name in it becomes the final one.
 */
static void scx_step(struct ctprof_run *r, const struct ctprof_scx_result *res)
{
	struct ctprof_buf b = { 0 };
	char first[512];
	const char *p = res->diag, *hit;
	size_t tl = strlen(r->tmp);

	while ((hit = strstr(p, r->tmp))) {
		ctprof_buf_append(&b, p, (size_t)(hit - p));
		ctprof_buf_puts(&b, r->dir);
		p = hit + tl;
	}
	ctprof_buf_puts(&b, p);
	ctprof_buf_putc(&b, '\0');
	p = b.oom ? res->diag : b.data;
	(void)snprintf(first, sizeof(first), "%.*s", (int)strcspn(p, "\n"), p);
	step(r, res->ok ? CTPROF_VS_OK : CTPROF_VS_FAIL, res->ok ? NULL : first,
	     res->ok ? NULL : p, "%s", res->name);
	ctprof_buf_free(&b);
}

/* The command line as one printable string (for names and run.json). */
static char *join_argv(char *const *argv)
{
	struct ctprof_buf b = { 0 };
	size_t i;

	for (i = 0; argv[i]; i++) {
		if (i)
			ctprof_buf_putc(&b, ' ');
		ctprof_buf_puts(&b, argv[i]);
	}
	ctprof_buf_putc(&b, '\0');
	if (b.oom) {
		ctprof_buf_free(&b);
		return NULL;
	}
	return b.data;
}

/* Is argv0 runnable (as execvp would find it)? */
static bool resolvable(const char *argv0)
{
	const char *path = getenv("PATH"), *p, *c;
	char buf[4096];

	if (strchr(argv0, '/'))
		return access(argv0, X_OK) == 0;
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path;; p = c + 1) {
		size_t n;

		c = strchr(p, ':');
		n = c ? (size_t)(c - p) : strlen(p);
		if (snprintf(buf, sizeof(buf), "%.*s%s%s", (int)n, n ? p : ".", "/", argv0) <
			    (int)sizeof(buf) &&
		    access(buf, X_OK) == 0)
			return true;
		if (!c)
			return false;
	}
}

static bool has_cap_net_admin(void)
{
	char line[256];
	bool yes = false;
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long v;
		char *end;

		if (strncmp(line, "CapEff:", 7) != 0)
			continue;
		errno = 0;
		v = strtoull(line + 7, &end, 16);
		if (end != line + 7 && errno == 0) {
			yes = v >> 12 & 1;
			break;
		}
	}
	(void)fclose(f); /* read-only */
	return yes;
}

static int read_small(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		n--;
	buf[n] = '\0';
	return 0;
}

CTPROF_HIDDEN char *run_path_join(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = ctprof_malloc(n);

	if (p && (size_t)snprintf(p, n, "%s/%s", dir, name) >= n) {
		free(p); /* cannot happen: n is the exact length */
		return NULL;
	}
	return p;
}

/* mkdir -p of the directory that will hold path (path itself is not created). */
CTPROF_HIDDEN int run_mkdir_parents(const char *path, struct ctprof_error *err)
{
	char buf[4096];
	size_t i, n = strlen(path);

	if (n >= sizeof(buf))
		return ctprof_err(err, -ENAMETOOLONG, "%s: path too long", path);
	memcpy(buf, path, n + 1);
	while (n > 0 && buf[n - 1] == '/')
		buf[--n] = '\0';
	for (i = 1; i < n; i++) {
		if (buf[i] != '/')
			continue;
		buf[i] = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST) {
			int e = errno;

			return ctprof_err(err, -e, "%s: create: %s", buf, strerror(e));
		}
		buf[i] = '/';
	}
	return 0;
}

/* The temporary directory next to out_dir: DIR/.NAME.tmp-PID */
CTPROF_HIDDEN char *run_tmp_dir_for(const char *out)
{
	const char *slash = strrchr(out, '/');
	size_t dn = slash ? (size_t)(slash - out) : 0;
	const char *base = slash ? slash + 1 : out;
	size_t n = strlen(out) + 40;
	char *p = ctprof_malloc(n);
	int w;

	if (!p)
		return NULL;
	if (slash)
		w = snprintf(p, n, "%.*s/.%s.tmp-%d", (int)(dn ? dn : 1), dn ? out : "/", base,
			     (int)getpid());
	else
		w = snprintf(p, n, ".%s.tmp-%d", base, (int)getpid());
	if (w < 0 || (size_t)w >= n) {
		free(p); /* cannot happen: n leaves room for the prefix and the pid */
		return NULL;
	}
	return p;
}

/* ---- killing and reaping the workload tree ---- */

/* Reap every zombie child among pids (never the scheduler's); bounded. */
static void reap_set(const struct rpset *s, const struct rpset *skip)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		int st;

		if (rpset_has(skip, s->v[i]))
			continue;
		while (waitpid(s->v[i], &st, WNOHANG) < 0 && errno == EINTR)
			;
	}
}

/*
 * Signal the whole workload (the cgroup and the process tree); SIGKILL
 * goes through cgroup.kill when there is a cgroup.
 */
static void signal_workload(struct ctprof_run *r, int sig)
{
	struct rpset s = { 0 };
	int *pids = NULL;
	size_t n = 0, i;

	if (r->cg && sig != SIGKILL && ctprof_wcg_pids(r->cg, &pids, &n, NULL) == 0) {
		for (i = 0; i < n; i++)
			if (pids[i] > 1 && !rpset_has(&r->sched, pids[i]))
				kill(pids[i], sig);
		free(pids);
	}
	if (r->cg && sig == SIGKILL) {
		char *p = run_path_join(ctprof_wcg_path(r->cg), "cgroup.kill");
		int fd = p ? open(p, O_WRONLY | O_CLOEXEC) : -1;

		if (fd >= 0) {
			if (write(fd, "1", 1) != 1)
				ctprof_log(2, "%s: write: %s", p, strerror(errno));
			close(fd);
		}
		free(p);
	}
	if (r->w.pid && rp_descendants(NULL, r->w.pid, (int)getpid(), &r->sched, &s) == 0) {
		/* the main process may be a zombie already: signalling it is harmless */
		rp_signal(&s, sig);
	}
	rpset_free(&s);
}

/*
 * After the main process exited (or was killed): kill whatever of the
 * workload is left, reap our zombie children (the main process and the
 * orphans reparented to us), wait until the cgroup is empty. Bounded.
 */
static void kill_and_reap(struct ctprof_run *r)
{
	uint64_t end = ctprof_mono_ns() + 5000000000ull;

	for (;;) {
		struct rpset s = { 0 };
		bool populated = false, alive;

		if (r->w.pid && !r->w.reaped)
			rw_reap(&r->w, 0);
		signal_workload(r, SIGKILL);
		if (r->w.pid && rp_descendants(NULL, r->w.pid, (int)getpid(), &r->sched, &s) == 0)
			reap_set(&s, &r->sched);
		if (r->w.pid && !r->w.reaped)
			rw_reap(&r->w, 0);
		alive = false;
		if (r->w.pid) {
			size_t i;

			rpset_free(&s);
			if (rp_descendants(NULL, r->w.pid, (int)getpid(), &r->sched, &s) == 0)
				for (i = 0; i < s.n; i++)
					if (s.v[i] != r->w.pid || !r->w.reaped)
						alive = true;
		}
		rpset_free(&s);
		if (r->cg)
			ctprof_wcg_populated(r->cg, &populated, NULL);
		if ((!alive && !populated) || ctprof_mono_ns() >= end)
			break;
		ctprof_sleep_ms(10);
	}
	if (r->w.pid && !r->w.reaped)
		rw_reap(&r->w, 1000);
}

/* ---- the interval ---- */

static bool thread_in_cgroup(const struct ctprof_thread *t, const char *rel)
{
	size_t n;

	if (!rel || !t->cgroup)
		return false;
	n = strlen(rel);
	return strncmp(t->cgroup, rel, n) == 0 && (t->cgroup[n] == '\0' || t->cgroup[n] == '/');
}

/* pcomm of a process from the snapshots (its leader's comm), or NULL. */
static const char *leader_comm(const struct ctprof_snapshot *s, uint32_t tgid)
{
	size_t i;

	for (i = 0; s && i < s->n_threads; i++)
		if (s->threads[i].tid == tgid && s->threads[i].tgid == tgid)
			return s->threads[i].comm;
	return NULL;
}

/* Keep only the workload's threads (and the cgroups they are in). */
static void filter_workload(struct ctprof_snapshot *s, const struct rpset *w, const char *rel)
{
	size_t i, k = 0;

	for (i = 0; i < s->n_threads; i++) {
		struct ctprof_thread *t = &s->threads[i];

		if (t->exited || rpset_has(w, (int)t->tgid) || thread_in_cgroup(t, rel)) {
			if (k != i)
				s->threads[k] = *t;
			k++;
		} else {
			ctprof_thread_clear(t);
		}
	}
	s->n_threads = k;
	k = 0;
	for (i = 0; i < s->n_cgroups; i++) {
		struct ctprof_cgroup_entry *c = &s->cgroups[i];
		bool used = false;
		size_t j;

		for (j = 0; j < s->n_threads && !used; j++)
			used = s->threads[j].cgroup && strcmp(s->threads[j].cgroup, c->path) == 0;
		if (used) {
			if (k != i)
				s->cgroups[k] = *c;
			k++;
		} else {
			free(c->path);
			ctprof_cgroup_stats_clear(&c->stats);
		}
	}
	s->n_cgroups = k;
}

static int build_interval(struct ctprof_run *r, const struct ctprof_run_opts *o,
			  struct ctprof_exit_record *rec, size_t n_rec, struct rpset *wset,
			  struct ctprof_error *err)
{
	struct ctprof_interval_opts io = { .sz = sizeof(io) };
	struct ctprof_thread *ex = NULL;
	bool *keep = NULL;
	size_t i, j, n_ex = 0;
	long hz = sysconf(_SC_CLK_TCK);
	int rc;

	if (hz <= 0)
		hz = 100;
	if (n_rec) {
		keep = ctprof_calloc(n_rec, sizeof(*keep));
		ex = ctprof_calloc(n_rec, sizeof(*ex));
		if (!keep || !ex) {
			rc = ctprof_err(err, -ENOMEM, "interval: out of memory");
			goto out;
		}
		rp_attribute(rec, n_rec, (int)getpid(), &r->sched, wset, keep);
	}
	for (i = 0; i < n_rec; i++) {
		struct ctprof_thread *t = &rec[i].thread;
		bool dup = false;
		const char *pc;

		if (!keep[i])
			continue;
		/* still visible in after (a zombie leader): after wins */
		for (j = 0; j < r->after->n_threads && !dup; j++) {
			const struct ctprof_thread *a = &r->after->threads[j];
			uint64_t d = a->start_time_clock_ticks > t->start_time_clock_ticks ?
					     a->start_time_clock_ticks - t->start_time_clock_ticks :
					     t->start_time_clock_ticks - a->start_time_clock_ticks;

			dup = a->tid == t->tid && d <= 2 * (uint64_t)hz;
		}
		if (dup)
			continue;
		if ((!t->pcomm || !*t->pcomm) && (pc = leader_comm(r->after, t->tgid))) {
			free(t->pcomm);
			t->pcomm = ctprof_strdup(pc);
		}
		for (j = 0; j < n_rec && (!t->pcomm || !*t->pcomm); j++) {
			if (rec[j].kind == CTPROF_EXIT_TASK && rec[j].thread.tid == t->tgid &&
			    rec[j].thread.comm) {
				free(t->pcomm);
				t->pcomm = ctprof_strdup(rec[j].thread.comm);
			}
		}
		if (r->cg_rel && (!t->cgroup || !*t->cgroup)) {
			free(t->cgroup);
			t->cgroup = ctprof_strdup(r->cg_rel);
		}
		ex[n_ex++] = *t; /* shallow: rec[] keeps ownership */
	}
	r->exited_total = 0;
	for (i = 0; i < n_rec; i++)
		r->exited_total += rec[i].kind == CTPROF_EXIT_TASK;
	r->exited_kept = n_ex;
	io.exited = ex;
	io.n_exited = n_ex;
	rc = ctprof_interval(r->before, r->after, &io, &r->interval, &r->istats, err);
	if (rc < 0)
		goto out;
	if (o->scope == CTPROF_RUN_SCOPE_WORKLOAD)
		filter_workload(r->interval, wset, r->cg_rel);
out:
	free(keep);
	free(ex);
	return rc;
}

/* ---- run.json ---- */

/* Exact over the whole u64 range (a cJSON number is a double). */
static void add_u64(cJSON *o, const char *k, uint64_t v)
{
	char buf[24];

	(void)snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
	cJSON_AddRawToObject(o, k, buf);
}

static char *run_json(struct ctprof_run *r, const struct ctprof_run_opts *o)
{
	cJSON *j = cJSON_CreateObject(), *x, *a;
	struct utsname u;
	char host[256] = "";
	char *text;
	size_t i;

	if (!j)
		return NULL;
	cJSON_AddStringToObject(j, "harness_version", o->version ? o->version : ctprof_version());
	a = cJSON_AddArrayToObject(j, "command");
	for (i = 0; o->argv[i]; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(o->argv[i]));
	cJSON_AddStringToObject(j, "status", r->status == CTPROF_RUN_PASSED ? "passed" :
					     r->status == CTPROF_RUN_FAILED ? "failed" :
									      "incomplete");
	add_u64(j, "started_at_unix_ns", r->start_unix_ns);
	add_u64(j, "ended_at_unix_ns", r->end_unix_ns);
	if (r->cancelled)
		cJSON_AddStringToObject(j, "cancelled_by", strsignal(r->cancelled));
	else
		cJSON_AddNullToObject(j, "cancelled_by");
	x = cJSON_AddObjectToObject(j, "host");
	gethostname(host, sizeof(host) - 1);
	cJSON_AddStringToObject(x, "hostname", host);
	if (uname(&u) == 0) {
		cJSON_AddStringToObject(x, "kernel_release", u.release);
		cJSON_AddStringToObject(x, "arch", u.machine);
	}
	x = cJSON_AddObjectToObject(j, "workload");
	cJSON_AddNumberToObject(x, "pid", r->w.pid);
	if (r->w.reaped && WIFEXITED(r->w.status))
		cJSON_AddNumberToObject(x, "exit_code", WEXITSTATUS(r->w.status));
	else
		cJSON_AddNullToObject(x, "exit_code");
	if (r->w.reaped && WIFSIGNALED(r->w.status))
		cJSON_AddStringToObject(x, "signal", strsignal(WTERMSIG(r->w.status)));
	else
		cJSON_AddNullToObject(x, "signal");
	cJSON_AddBoolToObject(x, "timed_out", r->timed_out);
	if (r->w.exec_errno)
		cJSON_AddStringToObject(x, "exec_error", strerror(r->w.exec_errno));
	add_u64(x, "wall_ns", r->w.exit_ns > r->w.start_ns ? r->w.exit_ns - r->w.start_ns : 0);
	add_u64(x, "user_us", (uint64_t)r->w.ru.ru_utime.tv_sec * 1000000u +
				      (uint64_t)r->w.ru.ru_utime.tv_usec);
	add_u64(x, "sys_us", (uint64_t)r->w.ru.ru_stime.tv_sec * 1000000u +
				     (uint64_t)r->w.ru.ru_stime.tv_usec);
	add_u64(x, "stdout_bytes", r->w.out_bytes);
	add_u64(x, "stderr_bytes", r->w.err_bytes);
	cJSON_AddStringToObject(x, "stdout", "workload.stdout");
	cJSON_AddStringToObject(x, "stderr", "workload.stderr");
	x = cJSON_AddObjectToObject(j, "harness_cpu_during_workload");
	if (r->have_self) {
		long long us = (r->self1.ru_utime.tv_sec - r->self0.ru_utime.tv_sec) * 1000000LL +
			       (r->self1.ru_utime.tv_usec - r->self0.ru_utime.tv_usec);
		long long ss = (r->self1.ru_stime.tv_sec - r->self0.ru_stime.tv_sec) * 1000000LL +
			       (r->self1.ru_stime.tv_usec - r->self0.ru_stime.tv_usec);

		cJSON_AddNumberToObject(x, "user_us", (double)us);
		cJSON_AddNumberToObject(x, "sys_us", (double)ss);
	}
	x = cJSON_AddObjectToObject(j, "attribution");
	cJSON_AddStringToObject(x, "method", r->cg ? "cgroup" : "process-tree");
	if (r->cg) {
		cJSON_AddStringToObject(x, "cgroup", r->cg_rel);
		cJSON_AddStringToObject(x, "cgroup_dir", ctprof_wcg_path(r->cg));
	}
	if (r->cg_note)
		cJSON_AddStringToObject(x, "note", r->cg_note);
	if (r->cg_have_cpu) {
		cJSON *c = cJSON_AddObjectToObject(x, "cgroup_cpu_stat");

		add_u64(c, "usage_usec", r->cpu1.usage_usec - r->cpu0.usage_usec);
		add_u64(c, "user_usec", r->cpu1.user_usec - r->cpu0.user_usec);
		add_u64(c, "system_usec", r->cpu1.system_usec - r->cpu0.system_usec);
	}
	add_u64(x, "workload_processes", r->workload_tgids);
	x = cJSON_AddObjectToObject(j, "exit_listener");
	cJSON_AddBoolToObject(x, "active", r->lis != NULL);
	add_u64(x, "task_records", r->lis_stats.task_records);
	add_u64(x, "lost_events", r->lis_stats.lost_events);
	add_u64(x, "dropped", r->lis_stats.dropped);
	add_u64(x, "workload_exited_threads", r->exited_kept);
	x = cJSON_AddObjectToObject(j, "interval");
	cJSON_AddStringToObject(x, "scope", o->scope == CTPROF_RUN_SCOPE_HOST ? "host" : "workload");
	cJSON_AddStringToObject(x, "group_by", ctprof_group_by_name(o->group_by));
	add_u64(x, "threads", r->interval ? r->interval->n_threads : 0);
	add_u64(x, "exited_threads", r->istats.exited);
	add_u64(x, "counter_resets", r->istats.counter_resets);
	if (o->scheduler) {
		x = cJSON_AddObjectToObject(j, "scheduler");
		cJSON_AddStringToObject(x, "command", o->scheduler);
		cJSON_AddStringToObject(x, "sys_root", o->sys_root ? o->sys_root : "/sys");
		if (r->scx && ctprof_scx_ops(r->scx))
			cJSON_AddStringToObject(x, "ops", ctprof_scx_ops(r->scx));
		else
			cJSON_AddNullToObject(x, "ops");
		cJSON_AddBoolToObject(x, "attached", r->scx_attached);
		cJSON_AddBoolToObject(x, "stayed_attached", r->scx_ok_check);
		if (r->scx) {
			int st = ctprof_scx_wait_status(r->scx);

			cJSON_AddNumberToObject(x, "pid", ctprof_scx_pid(r->scx));
			add_u64(x, "enable_seq_before", ctprof_scx_seq_before(r->scx));
			add_u64(x, "enable_seq_attached", ctprof_scx_seq_attached(r->scx));
			if (st >= 0 && WIFEXITED(st))
				cJSON_AddNumberToObject(x, "exit_code", WEXITSTATUS(st));
			else if (st >= 0 && WIFSIGNALED(st))
				cJSON_AddStringToObject(x, "signal", strsignal(WTERMSIG(st)));
		}
		cJSON_AddStringToObject(x, "log", "scheduler.log");
	} else {
		cJSON_AddNullToObject(j, "scheduler");
	}
	x = cJSON_AddObjectToObject(j, "delayacct");
	cJSON_AddStringToObject(x, "before", r->dacct_prev);
	cJSON_AddBoolToObject(x, "enabled_for_run", r->dacct_enabled);
	a = cJSON_AddArrayToObject(j, "steps");
	for (i = 0; i < r->n_steps; i++) {
		cJSON *s = cJSON_CreateObject();

		cJSON_AddStringToObject(s, "name", r->steps[i].name);
		cJSON_AddStringToObject(s, "result", r->steps[i].status == CTPROF_VS_OK ? "ok" :
						     r->steps[i].status == CTPROF_VS_FAIL ? "not ok" :
											    "skip");
		if (r->steps[i].reason[0])
			cJSON_AddStringToObject(s, "reason", r->steps[i].reason);
		cJSON_AddItemToArray(a, s);
	}
	if (r->verdict) {
		x = cJSON_AddObjectToObject(j, "gates");
		add_u64(x, "passed", r->verdict->passed);
		add_u64(x, "failed", r->verdict->failed);
		add_u64(x, "skipped", r->verdict->skipped);
		if (o->baseline_name)
			cJSON_AddStringToObject(x, "baseline", o->baseline_name);
	} else {
		cJSON_AddNullToObject(j, "gates");
	}
	text = cJSON_Print(j);
	cJSON_Delete(j);
	return text;
}

CTPROF_HIDDEN int run_write_text(const char *dir, const char *name, const char *text, size_t len,
		      struct ctprof_error *err)
{
	char *p = run_path_join(dir, name);
	int fd, rc = 0;

	if (!p)
		return ctprof_err(err, -ENOMEM, "%s/%s: out of memory", dir, name);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		rc = ctprof_err(err, -errno, "%s: create: %s", p, strerror(errno));
		free(p);
		return rc;
	}
	while (len) {
		ssize_t w = write(fd, text, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			rc = ctprof_err(err, w < 0 ? -errno : -EIO, "%s: write: %s", p,
					strerror(w < 0 ? errno : EIO));
			break;
		}
		text += w;
		len -= (size_t)w;
	}
	if (!rc && fsync(fd) < 0)
		rc = ctprof_err(err, -errno, "%s: fsync: %s", p, strerror(errno));
	close(fd);
	free(p);
	return rc;
}

static int write_snap(const char *dir, const char *name, const struct ctprof_snapshot *s,
		      struct ctprof_error *err)
{
	char *p;
	int rc;

	if (!s)
		return 0;
	p = run_path_join(dir, name);
	if (!p)
		return ctprof_err(err, -ENOMEM, "%s/%s: out of memory", dir, name);
	rc = ctprof_snapshot_write(s, p, err);
	free(p);
	return rc;
}

CTPROF_HIDDEN void run_fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

/* ---- verdict and TAP ---- */

static int make_verdict(struct ctprof_run *r, const struct ctprof_run_opts *o,
			struct ctprof_error *err)
{
	struct ctprof_compare_opts co = { .sz = sizeof(co) };
	int rc;

	co.group_by = o->group_by;
	if (!o->gates || !r->interval)
		return 0;
	if (o->baseline) {
		struct ctprof_diff *d = NULL;

		rc = ctprof_compare(o->baseline, r->interval, &co, &d, err);
		if (rc == 0)
			rc = ctprof_verdict_compare(o->gates, d, &r->verdict, err);
		ctprof_diff_free(d);
	} else {
		struct ctprof_groupset *g = NULL;

		rc = ctprof_groupset_build(r->interval, &co, &g, err);
		if (rc == 0)
			rc = ctprof_verdict_single(o->gates, g, &r->verdict, err);
		ctprof_groupset_free(g);
	}
	if (rc == 0 && r->verdict->failed)
		r->status = CTPROF_RUN_FAILED;
	return rc;
}

/* The steps as TAP/JUnit steps (pointing into r). */
static void tap_steps(const struct ctprof_run *r, struct ctprof_tap_step *st)
{
	size_t i;

	for (i = 0; i < r->n_steps; i++)
		(void)ctprof_run_step(r, i, &st[i]);
}

static int make_tap(struct ctprof_run *r, const struct ctprof_run_opts *o, struct ctprof_error *err)
{
	struct ctprof_tap_step st[RUN_MAX_STEPS];

	tap_steps(r, st);
	ctprof_buf_putc(&r->pre, '\0');
	if (r->pre.oom)
		return ctprof_err(err, -ENOMEM, "run: out of memory");
	r->pre.len--;
	return ctprof_render_tap_run(r->pre.data, st, r->n_steps, r->verdict,
				     o->tap_version ? o->tap_version : 13, &r->tap, &r->tap_len,
				     err);
}

CTPROF_API int ctprof_run_junit(const struct ctprof_run *r, char **out, size_t *len,
				struct ctprof_error *err)
{
	struct ctprof_tap_step st[RUN_MAX_STEPS];

	tap_steps(r, st);
	return ctprof_render_junit_run(st, r->n_steps, r->verdict, out, len, err);
}

/* ---- the run ---- */

static void workload_step(struct ctprof_run *r, const char *cmd)
{
	char why[512] = "";
	int st = r->w.status;

	if (r->cancelled) {
		(void)snprintf(why, sizeof(why), "the run was interrupted by %s",
			       strsignal(r->cancelled));
	} else if (r->timed_out) {
		(void)snprintf(why, sizeof(why), "timed out; killed");
	} else if (r->w.exec_errno) {
		(void)snprintf(why, sizeof(why), "%s: %s",
			       r->w.cgroup_failed ? "enter cgroup" : "exec", strerror(r->w.exec_errno));
	} else if (!r->w.reaped) {
		(void)snprintf(why, sizeof(why), "its exit status could not be collected");
	} else if (WIFSIGNALED(st)) {
		(void)snprintf(why, sizeof(why), "killed by %s%s", strsignal(WTERMSIG(st)),
			       WCOREDUMP(st) ? " (core dumped)" : "");
	} else if (WEXITSTATUS(st)) {
		(void)snprintf(why, sizeof(why), "exit status %d", WEXITSTATUS(st));
	}
	if (why[0]) {
		/* the end of what it said on stderr, as for a failed scheduler */
		char *p = r->w.err_bytes ? run_path_join(r->tmp, "workload.stderr") : NULL;
		char *tail = p ? ctprof_scx_log_tail(p, 2048) : NULL;
		struct ctprof_buf d = { 0 };

		ctprof_buf_puts(&d, why);
		if (tail && *tail) {
			ctprof_buf_puts(&d, "\nworkload.stderr (tail):\n");
			ctprof_buf_puts(&d, tail);
		}
		ctprof_buf_putc(&d, '\0');
		step(r, CTPROF_VS_FAIL, why, d.oom ? NULL : d.data, "workload: %s", cmd);
		ctprof_buf_free(&d);
		free(tail);
		free(p);
	} else
		step(r, CTPROF_VS_OK, NULL, NULL, "workload exited 0: %s", cmd);
}

static int preflight(struct ctprof_run *r, const struct ctprof_run_opts *o, bool *scx_present,
		     struct ctprof_error *err)
{
	const char *sys = o->sys_root ? o->sys_root : "/sys";
	char path[4096], val[64];
	struct stat sb;
	bool root = geteuid() == 0, cap = has_cap_net_admin();

	if (root)
		note(o, r, "preflight: running as root");
	else
		note(o, r, "preflight: running as uid %u (not root): no workload cgroup or "
			   "sysctl changes unless delegated", (unsigned)geteuid());
	note(o, r, "preflight: CAP_NET_ADMIN %s", cap ? "yes: taskstats delays and exit records" :
					      "no: no taskstats delays, no exited threads");
	if (read_small(o->delayacct_path ? o->delayacct_path : "/proc/sys/kernel/task_delayacct",
		       val, sizeof(val)) == 0)
		(void)snprintf(r->dacct_prev, sizeof(r->dacct_prev), "%s", val);
	else
		(void)snprintf(r->dacct_prev, sizeof(r->dacct_prev), "unknown");
	if ((size_t)snprintf(path, sizeof(path), "%s/kernel/sched_ext", sys) >= sizeof(path))
		return ctprof_err(err, -ENAMETOOLONG, "%s/kernel/sched_ext: path too long", sys);
	*scx_present = stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
	if (*scx_present) {
		char state[64] = "?", p2[4200];

		/* p2 is larger than path: "/state" always fits */
		if ((size_t)snprintf(p2, sizeof(p2), "%s/state", path) < sizeof(p2))
			read_small(p2, state, sizeof(state));
		note(o, r, "preflight: sched_ext present (%s), state %s", path, state);
	} else {
		note(o, r, "preflight: sched_ext absent (%s does not exist)%s", path,
		     o->scheduler ? "" : ": no scheduler swap, sched_ext fields absent");
	}
	return 0;
}

static void setup_delayacct(struct ctprof_run *r, const struct ctprof_run_opts *o)
{
	struct ctprof_error e = { 0 };

	if (o->no_delayacct) {
		note(o, r, "preflight: kernel.task_delayacct=%s, left as it is (--no-delayacct)",
		     r->dacct_prev);
		return;
	}
	if (strcmp(r->dacct_prev, "1") == 0) {
		note(o, r, "preflight: kernel.task_delayacct=1: delay accounting on");
		return;
	}
	if (ctprof_delayacct_enable(&r->dacct, o->delayacct_path, &e) == 0 &&
	    (r->dacct_enabled = r->dacct.changed))
		note(o, r, "preflight: kernel.task_delayacct=%s: set to 1 for this run, restored after",
		     r->dacct_prev);
	else
		note(o, r, "preflight: kernel.task_delayacct=%s and cannot be enabled (%s): "
			   "block-I/O and other delays read 0", r->dacct_prev, e.msg);
}

static void setup_listener(struct ctprof_run *r, const struct ctprof_run_opts *o)
{
	struct ctprof_exit_listener_opts lo = { .sz = sizeof(lo), .background = true };
	struct ctprof_error e = { 0 };

	if (o->no_exit_listener) {
		note(o, r, "preflight: exit listener off (--no-exit-listener): threads that exit "
			   "before the after snapshot are missing");
		return;
	}
	if (ctprof_exit_listener_open(&lo, &r->lis, &e) == 0)
		note(o, r, "preflight: taskstats exit listener registered: exited threads are kept");
	else
		note(o, r, "preflight: exit listener unavailable (%s): threads that exit before "
			   "the after snapshot are missing", e.msg);
}

static void setup_cgroup(struct ctprof_run *r, const struct ctprof_run_opts *o)
{
	struct ctprof_wcg_opts co = { .sz = sizeof(co) };
	struct ctprof_error e = { 0 };

	if (o->no_cgroup) {
		r->cg_note = ctprof_strdup("--no-cgroup");
		note(o, r, "preflight: no workload cgroup (--no-cgroup): process-tree attribution");
		return;
	}
	co.mount = o->cgroup_mount;
	if (ctprof_wcg_create(&co, &r->cg, &e) == 0) {
		r->cg_rel = ctprof_strdup(ctprof_wcg_relpath(r->cg));
		note(o, r, "preflight: workload cgroup %s", ctprof_wcg_path(r->cg));
		return;
	}
	r->cg_note = ctprof_strdup(e.msg);
	note(o, r, "preflight: no workload cgroup (%s): process-tree attribution", e.msg);
}

/* The scheduler's processes, so that they are never taken for the workload's. */
static void sched_refresh(struct ctprof_run *r, int scx_pid)
{
	if (scx_pid <= 0)
		return;
	rpset_add(&r->sched, scx_pid);
	rp_descendants(NULL, scx_pid, 0, NULL, &r->sched);
}

/*
 * After the workload and the scheduler were reaped, anything still our
 * child (an orphan reparented to us, the subreaper: a scheduler's helper,
 * a workload straggler) is killed and reaped. Bounded.
 */
static void reap_strays(void)
{
	uint64_t end = ctprof_mono_ns() + 2000000000ull;

	for (;;) {
		struct rpset s = { 0 };
		int st;

		while (waitpid(-1, &st, WNOHANG) > 0)
			;
		if (rp_descendants(NULL, 0, (int)getpid(), NULL, &s) < 0 || !s.n ||
		    ctprof_mono_ns() >= end) {
			rpset_free(&s);
			return;
		}
		rp_signal(&s, SIGKILL);
		rpset_free(&s);
		ctprof_sleep_ms(5);
	}
}

static void teardown(struct ctprof_run *r, const struct ctprof_run_opts *o)
{
	struct ctprof_error e = { 0 };

	if (r->w_started)
		kill_and_reap(r);
	if (r->lis) {
		ctprof_exit_listener_stop(r->lis);
		ctprof_exit_listener_stats(r->lis, &r->lis_stats);
	}
	if (r->cg && ctprof_wcg_destroy(r->cg, 5000, &e) < 0)
		note(o, r, "teardown: %s", e.msg);
}

CTPROF_API int ctprof_run_workload(const struct ctprof_run_opts *o, struct ctprof_run **out,
				   struct ctprof_error *err)
{
	struct ctprof_capture_opts cap = CTPROF_CAPTURE_OPTS(.mode = CTPROF_CAPTURE_LIVE);
	struct ctprof_exit_record *rec = NULL;
	struct ctprof_scx_result *check_res = NULL, stop_res;
	struct rpset wset = { 0 };
	struct ctprof_run *r;
	struct ctprof_error e = { 0 };
	bool scx_present = false, sub_prev_known;
	int sub_prev = 0, scx_pid = 0, rc;
	size_t n_rec = 0, i;
	char *cmd = NULL, *p;

	if (out)
		*out = NULL;
	if (!o || o->sz < sizeof(*o) || !o->argv || !o->argv[0] || !o->out_dir || !out)
		return ctprof_err(err, -EINVAL, "run: missing options (command and run directory)");
	if (o->tap_version && o->tap_version != 13 && o->tap_version != 14)
		return ctprof_err(err, -EINVAL, "run: TAP version %d (13 or 14)", o->tap_version);
	if (!resolvable(o->argv[0]))
		return ctprof_err(err, -ENOENT, "%s: command not found or not executable",
				  o->argv[0]);
	if (access(o->out_dir, F_OK) == 0)
		return ctprof_err(err, -EEXIST, "%s: the run directory exists already",
				  o->out_dir);
	r = ctprof_calloc(1, sizeof(*r));
	cmd = join_argv(o->argv);
	if (!r || !cmd) {
		free(r);
		free(cmd);
		return ctprof_err(err, -ENOMEM, "run: out of memory");
	}
	r->wait_status = -1;
	r->status = CTPROF_RUN_PASSED;
	r->start_unix_ns = unix_ns();
	r->dir = ctprof_strdup(o->out_dir);
	r->tmp = run_tmp_dir_for(o->out_dir);
	if (!r->dir || !r->tmp) {
		rc = ctprof_err(err, -ENOMEM, "run: out of memory");
		goto fail_early;
	}
	rc = preflight(r, o, &scx_present, err);
	if (rc < 0)
		goto fail_early;
	if (o->scheduler && !scx_present) {
		rc = ctprof_err(err, -ENOENT, "%s/kernel/sched_ext: does not exist: this kernel has "
					      "no sched_ext, so --scheduler cannot run",
				o->sys_root ? o->sys_root : "/sys");
		goto fail_early;
	}
	rc = run_mkdir_parents(r->tmp, err);
	if (rc < 0)
		goto fail_early;
	if (mkdir(r->tmp, 0755) < 0) {
		rc = ctprof_err(err, -errno, "%s: create the run directory: %s", r->tmp,
				strerror(errno));
		goto fail_early;
	}
	*out = r;
	sub_prev_known = prctl(PR_GET_CHILD_SUBREAPER, &sub_prev) == 0;
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	setup_delayacct(r, o);
	setup_listener(r, o);
	setup_cgroup(r, o);
	note(o, r, "preflight: jemalloc probe %s, taskstats queries %s",
	     o->no_probe ? "off" : "on", o->no_taskstats ? "off" : "on");

	/* the scheduler swap */
	if (o->scheduler) {
		struct ctprof_scx_opts so = { .sz = sizeof(so) };
		struct ctprof_scx_result res;
		char *log = run_path_join(r->tmp, "scheduler.log");

		so.sys_root = o->sys_root;
		so.cmdline = o->scheduler;
		so.log_path = log;
		so.attach_timeout_ms = o->attach_timeout_ms;
		so.cancel = o->cancel;
		so.stop_grace_ms = o->stop_grace_ms;
		rc = log ? ctprof_scx_new(&so, &r->scx, &e) : -ENOMEM;
		free(log);
		if (rc < 0) {
			step(r, CTPROF_VS_FAIL, e.msg, NULL, "scheduler spawn: %s", o->scheduler);
			goto after_workload;
		}
		rc = ctprof_scx_spawn(r->scx, &res);
		scx_pid = ctprof_scx_pid(r->scx);
		scx_step(r, &res);
		if (rc == 0) {
			rc = ctprof_scx_attach(r->scx, &res);
			scx_step(r, &res);
			r->scx_attached = rc == 0;
			if (rc == -EINTR && o->cancel)
				r->cancelled = *o->cancel;
		}
		if (!r->scx_attached) {
			step(r, CTPROF_VS_SKIP, r->cancelled ? "the run was interrupted" :
				"the scheduler did not attach", NULL, "workload: %s", cmd);
			goto after_workload;
		}
		note(o, r, "scheduler attached: %s", ctprof_scx_ops(r->scx));
		sched_refresh(r, scx_pid);
	}

	/* before */
	cap.jobs = o->jobs;
	cap.no_taskstats = o->no_taskstats;
	cap.no_probe = o->no_probe;
	note(o, r, "capturing the before snapshot");
	if (ctprof_capture(&cap, &r->before, &e) < 0) {
		(void)snprintf(r->capture_err, sizeof(r->capture_err), "before snapshot: %s",
			       e.msg);
		r->status = CTPROF_RUN_INCOMPLETE;
		step(r, CTPROF_VS_SKIP, r->capture_err, NULL, "workload: %s", cmd);
		goto after_workload;
	}
	if (o->cancel && *o->cancel) {
		r->cancelled = *o->cancel;
		goto after_workload;
	}

	/* the workload */
	{
		struct rw_opts wo = { .argv = o->argv, .passthrough = !o->no_passthrough };
		char *po = run_path_join(r->tmp, "workload.stdout"), *pe = run_path_join(r->tmp,
										"workload.stderr");
		uint64_t deadline = 0;

		wo.cgroup_procs_fd = r->cg ? ctprof_wcg_procs_fd(r->cg) : -1;
		wo.out_path = po;
		wo.err_path = pe;
		if (r->cg)
			ctprof_wcg_cpu(r->cg, &r->cpu0, NULL);
		getrusage(RUSAGE_SELF, &r->self0);
		note(o, r, "starting the workload: %s", cmd);
		rc = po && pe ? rw_spawn(&r->w, &wo, &e) : -ENOMEM;
		free(po);
		free(pe);
		r->w_started = r->w.pid > 0;
		if (rc < 0 && !r->w_started) {
			r->status = CTPROF_RUN_INCOMPLETE;
			step(r, CTPROF_VS_FAIL, e.msg, NULL, "workload: %s", cmd);
			goto after_workload;
		}
		if (rc == 0) {
			if (o->timeout_ms)
				deadline = r->w.start_ns + (uint64_t)o->timeout_ms * 1000000ull;
			rc = rw_wait_exit(&r->w, deadline, o->cancel);
			if (rc == -ETIMEDOUT || rc == -ECANCELED) {
				unsigned grace = o->kill_grace_ms ? o->kill_grace_ms : 5000;

				if (rc == -ETIMEDOUT) {
					r->timed_out = true;
					note(o, r, "the workload timed out after %u ms: SIGTERM, "
						   "SIGKILL after %u ms", o->timeout_ms, grace);
				} else {
					r->cancelled = *o->cancel;
					grace = grace > 1000 ? 1000 : grace;
				}
				signal_workload(r, SIGTERM);
				if (rw_wait_exit(&r->w, ctprof_mono_ns() + (uint64_t)grace * 1000000ull,
						 NULL) < 0)
					signal_workload(r, SIGKILL);
				rw_wait_exit(&r->w, ctprof_mono_ns() + 5000000000ull, NULL);
			}
		}
		getrusage(RUSAGE_SELF, &r->self1);
		r->have_self = true;
		if (r->cg && ctprof_wcg_cpu(r->cg, &r->cpu1, NULL) == 0)
			r->cg_have_cpu = true;
	}
	/* after: the main process is a zombie, not reaped yet */
	sched_refresh(r, scx_pid);
	if (!r->cancelled && !r->w.exec_errno) {
		note(o, r, "capturing the after snapshot");
		if (ctprof_capture(&cap, &r->after, &e) < 0) {
			(void)snprintf(r->capture_err, sizeof(r->capture_err), "after snapshot: %s",
				       e.msg);
			r->status = CTPROF_RUN_INCOMPLETE;
		}
		if (r->w.pid)
			rp_descendants(NULL, r->w.pid, (int)getpid(), &r->sched, &wset);
		if (r->cg) {
			int *pids = NULL;
			size_t n = 0;

			if (ctprof_wcg_pids(r->cg, &pids, &n, NULL) == 0)
				for (i = 0; i < n; i++)
					rpset_add(&wset, pids[i]);
			free(pids);
		}
	}

after_workload:
	/* checked as soon as the workload is over, reported after it */
	if (r->scx && r->scx_attached) {
		check_res = ctprof_calloc(1, sizeof(*check_res));
		r->scx_ok_check = ctprof_scx_check(r->scx, check_res ? check_res : &stop_res) == 0;
	}
	sched_refresh(r, scx_pid);
	teardown(r, o);
	if (r->w_started)
		workload_step(r, cmd);
	if (check_res)
		scx_step(r, check_res);
	free(check_res);
	if (r->scx) {
		ctprof_scx_stop(r->scx, &stop_res);
		scx_step(r, &stop_res);
	}
	reap_strays();
	if (r->lis)
		n_rec = ctprof_exit_listener_take(r->lis, &rec);
	if (r->before && r->after) {
		if (build_interval(r, o, rec, n_rec, &wset, &e) < 0) {
			(void)snprintf(r->capture_err, sizeof(r->capture_err), "interval: %s",
				       e.msg);
			r->status = CTPROF_RUN_INCOMPLETE;
		}
	}
	r->workload_tgids = wset.n;
	if (r->interval) {
		uint64_t ex = 0;

		for (i = 0; i < r->interval->n_threads; i++)
			ex += r->interval->threads[i].exited;
		step(r, CTPROF_VS_OK, NULL, NULL,
		     "interval: %zu %s threads (%llu exited inside the window)",
		     r->interval->n_threads, o->scope == CTPROF_RUN_SCOPE_HOST ? "host" : "workload",
		     (unsigned long long)ex);
	} else if (r->capture_err[0]) {
		step(r, CTPROF_VS_FAIL, r->capture_err, NULL, "interval");
	} else if (r->cancelled) {
		step(r, CTPROF_VS_FAIL, "interrupted before the after snapshot", NULL, "interval");
	}
	if (r->cancelled)
		r->status = CTPROF_RUN_INCOMPLETE;
	if (make_verdict(r, o, &e) < 0) {
		step(r, CTPROF_VS_FAIL, e.msg, NULL, "gates");
	}
	/* the sysctl and the subreaper bit go back before anything is written */
	ctprof_delayacct_restore(&r->dacct);
	if (sub_prev_known)
		prctl(PR_SET_CHILD_SUBREAPER, sub_prev);
	r->wait_status = r->w.reaped ? r->w.status : -1;
	r->end_unix_ns = unix_ns();
	rw_close(&r->w);

	/* the run directory */
	rc = make_tap(r, o, err);
	if (rc == 0)
		rc = write_snap(r->tmp, "before.ctprof.zst", r->before, err);
	if (rc == 0)
		rc = write_snap(r->tmp, "after.ctprof.zst", r->after, err);
	if (rc == 0)
		rc = write_snap(r->tmp, "interval.ctprof.zst", r->interval, err);
	if (rc == 0) {
		p = run_json(r, o);
		rc = p ? run_write_text(r->tmp, "run.json", p, strlen(p), err) :
			 ctprof_err(err, -ENOMEM, "run.json: out of memory");
		free(p);
	}
	if (rc == 0)
		rc = run_write_text(r->tmp, "result.tap", r->tap, r->tap_len, err);
	if (rc == 0) {
		run_fsync_dir(r->tmp);
		if (rename(r->tmp, r->dir) < 0)
			rc = ctprof_err(err, -errno, "%s: rename to %s: %s", r->tmp, r->dir,
					strerror(errno));
		else
			run_fsync_dir(".");
	}
	ctprof_exit_records_free(rec, n_rec);
	rpset_free(&wset);
	free(cmd);
	return rc;

fail_early:
	free(cmd);
	ctprof_run_free(r);
	if (out)
		*out = NULL;
	return rc;
}

CTPROF_API void ctprof_run_free(struct ctprof_run *r)
{
	size_t i;

	if (!r)
		return;
	if (r->scx)
		ctprof_scx_free(r->scx);
	ctprof_exit_listener_free(r->lis);
	ctprof_wcg_free(r->cg);
	rpset_free(&r->sched);
	for (i = 0; i < r->n_steps; i++)
		free(r->steps[i].diag);
	ctprof_verdict_free(r->verdict);
	ctprof_snapshot_free(r->before);
	ctprof_snapshot_free(r->after);
	ctprof_snapshot_free(r->interval);
	ctprof_buf_free(&r->pre);
	free(r->tap);
	free(r->dir);
	free(r->tmp);
	free(r->cg_rel);
	free(r->cg_note);
	free(r);
}

CTPROF_API enum ctprof_run_status ctprof_run_status(const struct ctprof_run *r)
{
	return r->status;
}

CTPROF_API const char *ctprof_run_tap(const struct ctprof_run *r, size_t *len)
{
	if (len)
		*len = r->tap_len;
	return r->tap;
}

CTPROF_API const char *ctprof_run_dir(const struct ctprof_run *r)
{
	return r->dir;
}

CTPROF_API const struct ctprof_snapshot *ctprof_run_interval(const struct ctprof_run *r)
{
	return r->interval;
}

CTPROF_API int ctprof_run_wait_status(const struct ctprof_run *r)
{
	return r->wait_status;
}

CTPROF_API int ctprof_run_cancelled(const struct ctprof_run *r)
{
	return r->cancelled;
}

CTPROF_API const struct ctprof_verdict *ctprof_run_verdict(const struct ctprof_run *r)
{
	return r->verdict;
}

CTPROF_API size_t ctprof_run_n_steps(const struct ctprof_run *r)
{
	return r->n_steps;
}

CTPROF_API int ctprof_run_step(const struct ctprof_run *r, size_t i, struct ctprof_tap_step *out)
{
	if (i >= r->n_steps)
		return -ERANGE;
	out->name = r->steps[i].name;
	out->status = r->steps[i].status;
	out->reason = r->steps[i].reason[0] ? r->steps[i].reason : NULL;
	out->diag = r->steps[i].diag;
	return 0;
}
