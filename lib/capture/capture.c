/* SPDX-License-Identifier: MIT */
/*
 * ctprof_capture: the order of operations of spec §4.3 around the walker.
 *
 *   1. captured_at_unix_ns          (the clock, or the pinned value)
 *   2. host context                 (live only)
 *   6. open the taskstats client    (live only; a failure is one warning)
 *   3-4, 7. the walk                (walk.c: tgids; phase 1, the jemalloc
 *                                    probe set attached to them through
 *                                    its tgids hook (live only); tids,
 *                                    files, taskstats queries through its
 *                                    span hook, per-thread probe reads
 *                                    through its tid hook, ghost filter)
 *   8. probe/parse/taskstats summaries and their log lines (live only)
 *   9. cgroup_stats of every distinct non-empty cgroup of the kept threads
 *  10. host PSI under proc_root
 *  11. sched_ext under sys_root
 */
#include "capture_int.h"
#include "parse.h"

#include <ctprof/probe.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_PROC_ROOT "/proc"
#define DEFAULT_SYS_ROOT "/sys"
#define DEFAULT_CGROUP_ROOT "/sys/fs/cgroup"
#define MOUNTINFO "/proc/self/mountinfo"
#define MAX_AUTO_JOBS 16u

#define KCONFIG_HINT                                                                  \
	"hint: schedstat / io read failures dominate \xe2\x80\x94 kernel may be built " \
	"without CONFIG_SCHED_INFO and/or CONFIG_TASK_IO_ACCOUNTING"

struct roots {
	const char *proc, *sys, *cgroup;
	char *owned[3]; /* allocations behind the pointers above */
};

static void roots_free(struct roots *r)
{
	int i;

	for (i = 0; i < 3; i++)
		free(r->owned[i]);
}

/* "<dir of proc_root>/<leaf>" (the CASE/{proc,sys,cgroup} fixture layout). */
static char *sibling(const char *proc_root, const char *leaf)
{
	char *copy = ctprof_strdup(proc_root), *dir, *out = NULL;
	size_t n;

	if (!copy)
		return NULL;
	/* dirname() of "a/proc/" must be "a", so drop trailing slashes first. */
	n = strlen(copy);
	while (n > 1 && copy[n - 1] == '/')
		copy[--n] = '\0';
	dir = dirname(copy);
	n = strlen(dir) + 1 + strlen(leaf) + 1;
	out = ctprof_malloc(n);
	if (out)
		(void)snprintf(out, n, "%s%s%s", dir, strcmp(dir, "/") == 0 ? "" : "/", leaf);
	free(copy);
	return out;
}

/* Same inode as the real /proc: then the capturing process is in it too. */
static bool is_real_proc(const char *proc_root)
{
	struct stat a, b;

	return stat(proc_root, &a) == 0 && stat("/proc", &b) == 0 && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

/*
 * Defaults of the roots not given (see capture.h): siblings of a synthetic
 * proc_root, the host's own otherwise (also for a synthetic capture of the
 * real /proc).
 */
static int resolve_roots(const struct ctprof_capture_opts *o, bool live, struct roots *r)
{
	bool from_proc = !live && o->proc_root && !is_real_proc(o->proc_root);

	memset(r, 0, sizeof(*r));
	r->proc = o->proc_root ? o->proc_root : DEFAULT_PROC_ROOT;
	if (o->sys_root) {
		r->sys = o->sys_root;
	} else if (from_proc) {
		r->sys = r->owned[0] = sibling(o->proc_root, "sys");
		if (!r->sys)
			return -ENOMEM;
	} else {
		r->sys = DEFAULT_SYS_ROOT;
	}
	if (o->cgroup_root) {
		r->cgroup = o->cgroup_root;
	} else if (from_proc) {
		r->cgroup = r->owned[1] = sibling(o->proc_root, "cgroup");
		if (!r->cgroup)
			return -ENOMEM;
	} else {
		char *m = NULL;
		int rc = ctprof_find_cgroup2_mount(MOUNTINFO, &m, NULL);

		if (rc == -ENOMEM)
			return rc;
		r->cgroup = rc == 0 ? (r->owned[2] = m) : DEFAULT_CGROUP_ROOT;
	}
	return 0;
}

static uint64_t now_unix_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) != 0 || ts.tv_sec < 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Spec §3.8: parse_summary from the tally, plus the §4.9 log line. */
static int parse_summary(const struct ctprof_walk_tally *t, struct ctprof_parse_summary **out)
{
	struct ctprof_parse_summary *ps = ctprof_calloc(1, sizeof(*ps));
	uint64_t best = 0, total = 0;
	const char *dominant = NULL;
	char line[768];
	int f, rc, n;

	if (!ps)
		return -ENOMEM;
	ps->tids_walked = t->tids_walked;
	ps->negative_dotted_values = t->negative_dotted;
	/* enum order is key order, so '>' keeps the alphabetically earlier tag on ties */
	for (f = 0; f < CTPROF_WF__COUNT; f++) {
		if (!t->fail[f])
			continue;
		rc = ctprof_kvmap_set(&ps->read_failures_by_file, ctprof_walk_file_name(f), t->fail[f]);
		if (rc) {
			ctprof_kvmap_clear(&ps->read_failures_by_file);
			free(ps);
			return rc;
		}
		total += t->fail[f];
		if (t->fail[f] > best) {
			best = t->fail[f];
			dominant = ctprof_walk_file_name(f);
		}
	}
	ps->read_failures = total;
	if (dominant) {
		ps->dominant_read_failure = ctprof_strdup(dominant);
		if (!ps->dominant_read_failure) {
			ctprof_kvmap_clear(&ps->read_failures_by_file);
			free(ps);
			return -ENOMEM;
		}
	}
	ps->kernel_config_dominant =
		total > 0 && 2 * (t->fail[CTPROF_WF_SCHEDSTAT] + t->fail[CTPROF_WF_IO]) >= total;

	n = snprintf(line, sizeof(line), "ctprof parse: %llu tids walked, %llu read failures",
		     (unsigned long long)ps->tids_walked, (unsigned long long)total);
	if (ps->negative_dotted_values)
		n += snprintf(line + n, sizeof(line) - (size_t)n, ", %llu negative-dotted values",
			      (unsigned long long)ps->negative_dotted_values);
	if (dominant)
		n += snprintf(line + n, sizeof(line) - (size_t)n, " (dominant: %s)", dominant);
	if (ps->kernel_config_dominant)
		(void)snprintf(line + n, sizeof(line) - (size_t)n, "; %s", KCONFIG_HINT);
	ctprof_log(2, "%s", line);
	*out = ps;
	return 0;
}

/*
 * Spec §3.7 and §4.9: the summary of the probe set, with its log line.
 * With no set (--no-probe) an empty set gives the all-zero summary and
 * the same line.
 */
static int probe_summary(const struct ctprof_probe_set *ps, struct ctprof_probe_summary **out)
{
	struct ctprof_probe_set *empty = NULL;
	int rc;

	if (!ps) {
		rc = ctprof_probe_set_attach(&CTPROF_PROBE_SET_OPTS(.self_pid = -1), NULL, 0, &empty,
					     NULL);
		if (rc)
			return rc;
		ps = empty;
	}
	rc = ctprof_probe_set_summary(ps, true, out);
	ctprof_probe_set_free(empty);
	return rc;
}

/* ---- taskstats (spec §4.3 steps 6 and 7.3.6, §3.9, §4.8) -------------- */

struct ts_worker {
	struct ctprof_taskstats_client *c;
	int open_rc; /* opening this worker's client failed with it */
	struct ctprof_taskstats_summary sum;
};

/*
 * One client per walk worker (a client is used by one thread at a time).
 * The first is opened before the walk, so that a host without taskstats
 * is found once, logged once and queried never; the others are opened by
 * their worker on its first span.
 */
struct ts_wire {
	struct ctprof_taskstats_active active;
	struct ctprof_taskstats_client *first;
	struct ts_worker *wk;
	unsigned nwk;
};

/* The walk hooks' context: taskstats and the jemalloc probe set. */
struct wire {
	struct ts_wire tw;
	const char *proc_root;
	struct ctprof_probe_set *ps; /* phase 1's set; NULL: no probe */
};

static int ts_begin(void *ctx, unsigned nworkers)
{
	struct ts_wire *tw = &((struct wire *)ctx)->tw;

	tw->wk = ctprof_calloc(nworkers, sizeof(*tw->wk));
	if (!tw->wk)
		return -ENOMEM;
	tw->nwk = nworkers;
	tw->wk[0].c = tw->first;
	tw->first = NULL;
	return 0;
}

/* Query a span of threads (ghosts included), apply and tally the results. */
static int ts_span(void *ctx, unsigned worker, struct ctprof_thread *t, size_t n)
{
	struct ts_wire *tw = &((struct wire *)ctx)->tw;
	struct ts_worker *wk = &tw->wk[worker];
	size_t i;

	if (!wk->c && !wk->open_rc) {
		wk->open_rc = ctprof_taskstats_open(NULL, &wk->c, NULL);
		if (wk->open_rc == -ENOMEM)
			return -ENOMEM;
	}
	if (wk->c)
		return ctprof_taskstats_fill_threads(wk->c, t, n, &tw->active, &wk->sum);
	/* This worker has no socket (descriptors ran out): every query failed. */
	for (i = 0; i < n; i++) {
		struct ctprof_taskstats_result r = { .tid = t[i].tid, .err = wk->open_rc };

		ctprof_taskstats_apply_result(&t[i], &r, &tw->active);
		ctprof_taskstats_summary_add(&wk->sum, wk->open_rc);
	}
	return 0;
}

static void sat_add(uint64_t *a, uint64_t b)
{
	*a = *a > UINT64_MAX - b ? UINT64_MAX : *a + b;
}

/* Close every client; add the per-worker tallies into sum (may be NULL). */
static void ts_finish(struct ts_wire *tw, struct ctprof_taskstats_summary *sum)
{
	unsigned i;

	ctprof_taskstats_close(tw->first);
	tw->first = NULL;
	for (i = 0; i < tw->nwk; i++) {
		ctprof_taskstats_close(tw->wk[i].c);
		if (sum) {
			sat_add(&sum->ok_count, tw->wk[i].sum.ok_count);
			sat_add(&sum->eperm_count, tw->wk[i].sum.eperm_count);
			sat_add(&sum->esrch_count, tw->wk[i].sum.esrch_count);
			sat_add(&sum->other_err_count, tw->wk[i].sum.other_err_count);
		}
	}
	free(tw->wk);
	tw->wk = NULL;
	tw->nwk = 0;
}

/*
 * Step 6: the host-wide flags from the host context, and the first client.
 * Returns true when the walk should query taskstats.
 */
static bool ts_open(struct ts_wire *tw, const struct ctprof_host *h)
{
	struct ctprof_error e = { 0 };
	int rc;

	ctprof_taskstats_active_from(h ? h->task_delayacct : CTPROF_DELAYACCT_ABSENT,
				     h ? h->config_task_xacct : CTPROF_XACCT_ABSENT, &tw->active);
	rc = ctprof_taskstats_open(NULL, &tw->first, &e);
	if (rc) {
		ctprof_log(1,
			   "ctprof taskstats: open failed (%s); delay-accounting and "
			   "memory-watermark fields will be zero. %s",
			   e.msg[0] ? e.msg : strerror(-rc), CTPROF_TASKSTATS_HINT);
		return false;
	}
	return true;
}

/* ---- the jemalloc probe (spec §4.3 steps 5 and 7.3.3/7.3.5, §4.6) ----- */

/* Phase 1: attach to the walk's tgids (the capturer is already out). */
static int probe_tgids(void *ctx, const uint32_t *tgids, size_t n)
{
	struct wire *w = ctx;
	struct ctprof_error e = { 0 };
	int *ids = NULL, rc;
	size_t i;

	if (n) {
		ids = ctprof_malloc(n * sizeof(*ids));
		if (!ids)
			return -ENOMEM;
		for (i = 0; i < n; i++)
			ids[i] = (int)tgids[i];
	}
	rc = ctprof_probe_set_attach(&CTPROF_PROBE_SET_OPTS(.proc_root = w->proc_root), ids, n,
				     &w->ps, &e);
	free(ids);
	return rc;
}

/* Per thread (any worker): read the two counters when its tgid has a probe. */
static int probe_tid(void *ctx, unsigned worker, struct ctprof_thread *t)
{
	struct wire *w = ctx;
	uint64_t a, d;

	(void)worker;
	/* Negative returns are counted, and warned once per tgid, by the set. */
	if (ctprof_probe_set_thread(w->ps, (int)t->tgid, (int)t->tid, &a, &d) == 1) {
		t->allocated_bytes = a;
		t->deallocated_bytes = d;
		t->jemalloc_measured = true;
	}
	return 0;
}

static int cmp_strp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct cg_job {
	const char *root;
	struct ctprof_cgroup_entry *e;
};

static int cgroup_fn(void *ctx, unsigned worker, size_t i)
{
	struct cg_job *j = ctx;

	(void)worker;
	return ctprof_read_cgroup_stats(j->root, j->e[i].path, &j->e[i].stats);
}

/* Step 9: one entry per distinct non-empty cgroup, sorted by path bytes. */
static int cgroup_stats(struct ctprof_snapshot *s, const char *root, unsigned jobs)
{
	struct cg_job job = { .root = root };
	char **paths;
	size_t i, n = 0, k = 0;
	int rc = 0;

	if (s->n_threads == 0)
		return 0;
	paths = ctprof_malloc(s->n_threads * sizeof(*paths));
	if (!paths)
		return -ENOMEM;
	for (i = 0; i < s->n_threads; i++)
		if (s->threads[i].cgroup[0])
			paths[n++] = s->threads[i].cgroup;
	qsort(paths, n, sizeof(*paths), cmp_strp);
	for (i = 0; i < n; i++)
		if (k == 0 || strcmp(paths[i], paths[k - 1]) != 0)
			paths[k++] = paths[i];
	if (k) {
		s->cgroups = ctprof_calloc(k, sizeof(*s->cgroups));
		if (!s->cgroups) {
			free(paths);
			return -ENOMEM;
		}
	}
	for (i = 0; i < k; i++) {
		ctprof_cgroup_stats_init(&s->cgroups[i].stats);
		s->cgroups[i].path = ctprof_strdup(paths[i]);
		s->n_cgroups++;
		if (!s->cgroups[i].path) {
			rc = -ENOMEM;
			break;
		}
	}
	free(paths);
	if (rc)
		return rc;
	job.e = s->cgroups;
	return ctprof_par_for(k, jobs, cgroup_fn, &job);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* pid and pids[] as one ascending, duplicate-free list (NULL, 0: all). */
static int pid_list(const struct ctprof_capture_opts *o, uint32_t **out, size_t *n)
{
	size_t i, k = 0, m = o->n_pids + (o->pid > 0);
	uint32_t *v;

	*out = NULL;
	*n = 0;
	if (m == 0)
		return 0;
	v = ctprof_malloc(m * sizeof(*v));
	if (!v)
		return -ENOMEM;
	if (o->pid > 0)
		v[k++] = (uint32_t)o->pid;
	for (i = 0; i < o->n_pids; i++)
		v[k++] = (uint32_t)o->pids[i];
	qsort(v, k, sizeof(*v), cmp_u32);
	for (i = 1, m = 1; i < k; i++)
		if (v[i] != v[m - 1])
			v[m++] = v[i];
	*out = v;
	*n = m;
	return 0;
}

/* Copy the caller's options, libbpf style: sz says how much of it exists. */
static int copy_opts(const struct ctprof_capture_opts *in, struct ctprof_capture_opts *o,
		     struct ctprof_error *err)
{
	memset(o, 0, sizeof(*o));
	if (!in)
		return 0;
	if (in->sz < offsetof(struct ctprof_capture_opts, proc_root))
		return ctprof_err(err, -EINVAL, "capture: options: sz %zu is too small", in->sz);
	if (in->sz > sizeof(*o)) {
		const unsigned char *p = (const unsigned char *)in + sizeof(*o);
		size_t i;

		for (i = 0; i < in->sz - sizeof(*o); i++)
			if (p[i])
				return ctprof_err(err, -E2BIG,
						  "capture: options: unknown non-zero fields beyond byte %zu",
						  sizeof(*o));
	}
	memcpy(o, in, in->sz < sizeof(*o) ? in->sz : sizeof(*o));
	o->sz = sizeof(*o);
	return 0;
}

CTPROF_API int ctprof_capture(const struct ctprof_capture_opts *opts, struct ctprof_snapshot **out,
			      struct ctprof_error *err)
{
	struct ctprof_capture_opts o;
	struct ctprof_walk_opts wo = { 0 };
	struct ctprof_walk_result wr = { 0 };
	struct wire wire = { 0 };
	struct ctprof_walk_hooks hooks = { .ctx = &wire };
	struct ctprof_snapshot *s = NULL;
	struct roots r = { 0 };
	uint32_t *pids = NULL;
	const char *step = "set up";
	bool live;
	int rc;

	if (!out)
		return ctprof_err(err, -EINVAL, "capture: no output pointer");
	rc = copy_opts(opts, &o, err);
	if (rc)
		return rc;
	if (o.mode != CTPROF_CAPTURE_AUTO && o.mode != CTPROF_CAPTURE_LIVE &&
	    o.mode != CTPROF_CAPTURE_SYNTHETIC)
		return ctprof_err(err, -EINVAL, "capture: options: unknown mode %d", (int)o.mode);
	if (o.pid < 0)
		return ctprof_err(err, -EINVAL, "capture: options: pid %d is negative", o.pid);
	if (o.n_pids > CTPROF_CAPTURE_MAX_PIDS)
		return ctprof_err(err, -EINVAL, "capture: options: %zu pids is more than %zu", o.n_pids,
				  CTPROF_CAPTURE_MAX_PIDS);
	if (o.n_pids && !o.pids)
		return ctprof_err(err, -EINVAL, "capture: options: n_pids %zu without pids", o.n_pids);
	for (size_t i = 0; i < o.n_pids; i++)
		if (o.pids[i] <= 0)
			return ctprof_err(err, -EINVAL, "capture: options: pids[%zu] %d is not a process id",
					  i, o.pids[i]);
	if (o.jobs > CTPROF_CAPTURE_MAX_JOBS)
		return ctprof_err(err, -EINVAL, "capture: options: jobs %u is above %u", o.jobs,
				  CTPROF_CAPTURE_MAX_JOBS);
	if ((o.proc_root && !*o.proc_root) || (o.sys_root && !*o.sys_root) ||
	    (o.cgroup_root && !*o.cgroup_root))
		return ctprof_err(err, -EINVAL, "capture: options: a root directory is an empty string");
	if (o.mode == CTPROF_CAPTURE_AUTO)
		live = !o.proc_root && !o.sys_root && !o.cgroup_root;
	else
		live = o.mode == CTPROF_CAPTURE_LIVE;
	if (o.jobs == 0) {
		o.jobs = ctprof_usable_cpus();
		if (o.jobs > MAX_AUTO_JOBS)
			o.jobs = MAX_AUTO_JOBS;
	}

	s = ctprof_snapshot_new();
	if (!s) {
		rc = -ENOMEM;
		goto fail;
	}
	/* 1. The clock first, as ktstr does. */
	s->captured_at_unix_ns = o.pin_time ? o.captured_at_unix_ns : now_unix_ns();
	step = "resolve roots";
	rc = resolve_roots(&o, live, &r);
	if (rc)
		goto fail;
	/* 2. Host context (absolute paths; live only). */
	if (live) {
		step = "host context";
		rc = ctprof_host_collect_at("/", &s->host);
		if (rc)
			goto fail;
		/* 6. The taskstats client and its (so far empty) summary. */
		s->taskstats_summary = ctprof_calloc(1, sizeof(*s->taskstats_summary));
		if (!s->taskstats_summary) {
			rc = -ENOMEM;
			goto fail;
		}
		if (!o.no_taskstats && ts_open(&wire.tw, s->host)) {
			hooks.begin = ts_begin;
			hooks.span = ts_span;
		}
		/* 5. Phase 1 runs inside the walk, once its tgid list is known. */
		if (!o.no_probe) {
			wire.proc_root = r.proc;
			hooks.tgids = probe_tgids;
			hooks.tid = probe_tid;
		}
		wo.hooks = &hooks;
	}
	/* 3-4, 7. The walk. */
	step = "walk";
	rc = pid_list(&o, &pids, &wo.n_pids);
	if (rc)
		goto fail;
	wo.pids = pids;
	wo.proc_root = r.proc;
	wo.live = live;
	wo.exclude_tgid = live || is_real_proc(r.proc);
	wo.skip_tgid = (uint32_t)getpid();
	wo.jobs = o.jobs;
	rc = ctprof_walk(&wo, &wr);
	free(pids);
	pids = NULL;
	ts_finish(&wire.tw, s->taskstats_summary);
	if (rc)
		goto fail;
	s->threads = wr.threads;
	s->n_threads = wr.n_threads;
	wr.threads = NULL;
	wr.n_threads = 0;
	/* 8. Summaries (live only); taskstats_summary was filled by the walk. */
	if (live) {
		step = "summaries";
		rc = probe_summary(wire.ps, &s->probe_summary);
		if (!rc)
			rc = parse_summary(&wr.tally, &s->parse_summary);
		if (rc)
			goto fail;
	}
	ctprof_probe_set_free(wire.ps);
	wire.ps = NULL;
	/* 9. cgroup_stats. */
	step = "cgroup stats";
	rc = cgroup_stats(s, r.cgroup, o.jobs);
	if (rc)
		goto fail;
	/* 10. Host PSI. */
	step = "host PSI";
	rc = ctprof_read_host_psi(r.proc, &s->psi);
	if (rc)
		goto fail;
	/* 11. sched_ext. */
	step = "sched_ext";
	rc = ctprof_read_sched_ext(r.sys, &s->sched_ext);
	if (rc)
		goto fail;
	roots_free(&r);
	*out = s;
	return 0;
fail:
	free(pids);
	ts_finish(&wire.tw, NULL);
	ctprof_probe_set_free(wire.ps);
	ctprof_err(err, rc, "capture %s: %s: %s", r.proc ? r.proc : (o.proc_root ? o.proc_root : DEFAULT_PROC_ROOT), step,
		   strerror(-rc));
	roots_free(&r);
	ctprof_walk_result_clear(&wr);
	ctprof_snapshot_free(s);
	return rc;
}
