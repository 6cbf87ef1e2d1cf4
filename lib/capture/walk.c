/* SPDX-License-Identifier: MIT */
/*
 * The procfs walker (spec §4.3 steps 4 and 7, §4.5, §4.7).
 *
 * Two parallel passes over a work list, so that one process with 10,000
 * threads is split across workers as well as 10,000 processes are:
 *   1. per tgid: read <tgid>/comm and list <tgid>/task;
 *   2. per chunk of up to CTPROF_WALK_CHUNK tids of one tgid: open the
 *      task directory once, then per tid open task/<tid> as an O_PATH
 *      directory and openat() every file relative to it, into the worker's
 *      reused buffer.
 *   3. per span of up to CTPROF_WALK_SPAN consecutive slots (across tgids):
 *      the span hook (a pipelined taskstats query of the whole span), then
 *      per thread the tid hook and the ghost filter.
 * Every thread has a fixed slot in one array laid out in (tgid, tid) order,
 * so the result does not depend on which worker read what; ghosts are
 * squeezed out at the end.
 */
#include "capture_int.h"
#include "parse.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

/* sched_getaffinity buffer: 8192 bits first, doubling up to 262144 (§4.7). */
#define AFF_FIRST_BYTES ((size_t)8192 / 8)
#define AFF_LAST_BYTES ((size_t)262144 / 8)
#define MAX_PAR_THREADS CTPROF_CAPTURE_MAX_JOBS

static const char *const wf_names[CTPROF_WF__COUNT] = {
	[CTPROF_WF_CGROUP] = "cgroup",
	[CTPROF_WF_IO] = "io",
	[CTPROF_WF_SCHED] = "sched",
	[CTPROF_WF_SCHEDSTAT] = "schedstat",
	[CTPROF_WF_SMAPS_ROLLUP] = "smaps_rollup",
	[CTPROF_WF_STAT] = "stat",
	[CTPROF_WF_STATUS] = "status",
};

const char *ctprof_walk_file_name(enum ctprof_walk_file f)
{
	return (unsigned)f < CTPROF_WF__COUNT ? wf_names[f] : "?";
}

/* ---- a small parallel-for ------------------------------------------- */

struct par {
	size_t n;
	size_t next; /* atomic */
	int rc;      /* atomic: first non-zero return */
	ctprof_par_fn fn;
	void *ctx;
};

struct par_thread {
	struct par *p;
	unsigned worker;
	pthread_t th;
};

static void par_run(struct par *p, unsigned worker)
{
	for (;;) {
		size_t i;
		int r, zero = 0;

		if (__atomic_load_n(&p->rc, __ATOMIC_ACQUIRE))
			return;
		i = __atomic_fetch_add(&p->next, 1, __ATOMIC_RELAXED);
		if (i >= p->n)
			return;
		r = p->fn(p->ctx, worker, i);
		if (r) {
			__atomic_compare_exchange_n(&p->rc, &zero, r, false, __ATOMIC_ACQ_REL,
						    __ATOMIC_ACQUIRE);
			return;
		}
	}
}

static void *par_main(void *arg)
{
	struct par_thread *pt = arg;

	par_run(pt->p, pt->worker);
	return NULL;
}

int ctprof_par_for(size_t n, unsigned jobs, ctprof_par_fn fn, void *ctx)
{
	struct par p = { .n = n, .fn = fn, .ctx = ctx };
	struct par_thread *pts = NULL;
	sigset_t all, old;
	unsigned i, started = 0;

	if (jobs > MAX_PAR_THREADS)
		jobs = MAX_PAR_THREADS;
	if (jobs > n)
		jobs = (unsigned)n;
	if (jobs > 1)
		pts = ctprof_calloc(jobs - 1, sizeof(*pts));
	if (pts) {
		/* Helper threads take no signals; they stay with the caller's threads. */
		sigfillset(&all);
		pthread_sigmask(SIG_SETMASK, &all, &old);
		for (i = 0; i + 1 < jobs; i++) {
			pts[i].p = &p;
			pts[i].worker = i + 1;
			if (pthread_create(&pts[i].th, NULL, par_main, &pts[i]) != 0)
				break; /* fewer helpers: the work list is shared, so all of it is done */
			started++;
		}
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	}
	par_run(&p, 0);
	for (i = 0; i < started; i++)
		pthread_join(pts[i].th, NULL);
	free(pts);
	return p.rc;
}

unsigned ctprof_usable_cpus(void)
{
	cpu_set_t set;
	long n;

	if (sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) > 0)
		return (unsigned)CPU_COUNT(&set);
	n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (unsigned)n : 1;
}

/* ---- the walk --------------------------------------------------------- */

struct walk_tgid {
	uint32_t tgid;
	char *pcomm; /* "" when unreadable */
	uint32_t *tids;
	size_t ntids;
	int taskfd;  /* task/ kept open from pass 1 for pass 2, or -1 */
};

struct walk_chunk {
	size_t tg;  /* index into walk.tg */
	size_t off; /* first tid index inside the tgid */
	size_t n;
	size_t out; /* first slot in walk.threads */
};

struct walk_worker {
	struct ctprof_buf buf;
	unsigned long *aff;
	size_t aff_bytes;
	struct ctprof_walk_tally tally;
};

struct walk {
	const struct ctprof_walk_opts *o;
	const struct ctprof_walk_hooks *hooks;
	int procfd;
	struct walk_tgid *tg;
	size_t ntg;
	struct walk_chunk *chunks;
	size_t nchunks;
	struct ctprof_thread *threads;
	unsigned char *keep; /* 1: slot holds a kept thread */
	unsigned char *fail; /* per slot: bit f set when file f failed (pass 2) */
	uint32_t *neg;       /* per slot: negative PN values (pass 2) */
	size_t nthreads;
	struct walk_worker *wk;
	unsigned nwk;
	long fd_budget; /* atomic: task directories pass 1 may keep open */
};

/*
 * A directory entry name that Rust's i32 FromStr accepts and that is > 0
 * (spec §4.3 step 4): an optional '+', then digits, no overflow.
 */
static bool parse_id(const char *s, uint32_t *out)
{
	uint64_t v = 0;

	if (*s == '+')
		s++;
	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > INT32_MAX)
			return false;
	}
	if (v == 0)
		return false;
	*out = (uint32_t)v;
	return true;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* Sort ascending and drop duplicates ("7" and "+7" name the same id). */
static size_t sort_unique(uint32_t *v, size_t n)
{
	size_t i, k = 0;

	if (n == 0)
		return 0;
	qsort(v, n, sizeof(*v), cmp_u32);
	for (i = 1; i < n; i++)
		if (v[i] != v[k])
			v[++k] = v[i];
	return k + 1;
}

/*
 * The ids named by the entries of the open directory fd, sorted and unique,
 * at most CTPROF_WALK_MAX_TIDS of them out of at most twice that many
 * entries. getdents64 straight on fd (no DIR, so the
 * caller may keep fd for openat). A directory that cannot be listed gives
 * none. 0 or -ENOMEM.
 */
static int list_ids_fd(int fd, uint32_t **out, size_t *nout)
{
	char dents[16384] __attribute__((aligned(8)));
	uint32_t *v = NULL, *nv;
	size_t n = 0, cap = 0, seen = 0;
	ssize_t got;

	*out = NULL;
	*nout = 0;
	/* Bounded by entries seen, not only by ids kept: junk names count too. */
	while (n < CTPROF_WALK_MAX_TIDS && seen < 2 * CTPROF_WALK_MAX_TIDS &&
	       (got = getdents64(fd, dents, sizeof(dents))) > 0) {
		ssize_t off = 0;

		while (off < got && n < CTPROF_WALK_MAX_TIDS && seen++ < 2 * CTPROF_WALK_MAX_TIDS) {
			const struct dirent64 *de = (const struct dirent64 *)(dents + off);
			uint32_t id;

			off += de->d_reclen;
			if (de->d_reclen == 0)
				break;
			if (!parse_id(de->d_name, &id))
				continue;
			if (n == cap) {
				size_t ncap = cap ? cap * 2 : 16;

				nv = ctprof_realloc(v, ncap * sizeof(*v));
				if (!nv) {
					free(v);
					return -ENOMEM;
				}
				v = nv;
				cap = ncap;
			}
			v[n++] = id;
		}
	}
	*out = v;
	*nout = sort_unique(v, n);
	return 0;
}

/* openat a directory for listing; -1 when it cannot be opened. */
static int open_dir(int dirfd, const char *path)
{
	if (dirfd < 0)
		return -1;
	return openat(dirfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NONBLOCK);
}

static int rd(struct walk_worker *wk, int dirfd, const char *name)
{
	if (dirfd < 0)
		return -ENOENT;
	return ctprof_read_file_at(dirfd, name, &wk->buf, CTPROF_READ_MAX);
}

/* Replace a string member with s (owned); -ENOMEM when s is NULL. */
static int set_str(char **field, char *s)
{
	if (!s)
		return -ENOMEM;
	free(*field);
	*field = s;
	return 0;
}

/* Pass 1: pcomm and the tid list of one tgid. */
static int walk_tgid_fn(void *ctx, unsigned worker, size_t i)
{
	struct walk *w = ctx;
	struct walk_worker *wk = &w->wk[worker];
	struct walk_tgid *tg = &w->tg[i];
	char path[32];
	int rc, fd;

	if (w->hooks && w->hooks->tgid)
		w->hooks->tgid(w->hooks->ctx, worker, tg->tgid);
	(void)snprintf(path, sizeof(path), "%u/comm", tg->tgid);
	rc = rd(wk, w->procfd, path);
	if (rc == -ENOMEM)
		return rc;
	tg->pcomm = rc == 0 ? ctprof_text_trimmed(wk->buf.data, wk->buf.len) : ctprof_strdup("");
	if (!tg->pcomm)
		return -ENOMEM;
	(void)snprintf(path, sizeof(path), "%u/task", tg->tgid);
	fd = open_dir(w->procfd, path);
	if (fd < 0)
		return 0;
	rc = list_ids_fd(fd, &tg->tids, &tg->ntids);
	/* Keep the task directory for pass 2 while the descriptor budget lasts. */
	if (rc == 0 && tg->ntids && __atomic_sub_fetch(&w->fd_budget, 1, __ATOMIC_RELAXED) >= 0)
		tg->taskfd = fd;
	else
		close(fd);
	return rc;
}

/*
 * sched_getaffinity(tid) with the growing buffer of §4.7: 8192 bits first,
 * doubled on EINVAL up to 262144 bits. glibc zero-fills the buffer beyond
 * the bytes the kernel wrote, so scanning all of it scans exactly those.
 * 0 and *out filled, 1 when the caller must fall back to
 * Cpus_allowed_list (any other errno, EINVAL at the largest size, an empty
 * mask), -ENOMEM.
 */
static int thread_affinity(struct walk_worker *wk, uint32_t tid, struct ctprof_cpuset *out)
{
	size_t nbits = 0, i, k, nw;
	unsigned long w;

	for (;;) {
		if (!wk->aff) {
			wk->aff = ctprof_malloc(AFF_FIRST_BYTES);
			if (!wk->aff)
				return -ENOMEM;
			wk->aff_bytes = AFF_FIRST_BYTES;
		}
		if (sched_getaffinity((pid_t)tid, wk->aff_bytes, (cpu_set_t *)wk->aff) == 0)
			break;
		if (errno != EINVAL || wk->aff_bytes >= AFF_LAST_BYTES)
			return 1;
		{
			unsigned long *n = ctprof_realloc(wk->aff, wk->aff_bytes * 2);

			if (!n)
				return -ENOMEM;
			wk->aff = n;
			wk->aff_bytes *= 2;
		}
	}
	/* Mostly zero words: skip them a word at a time. */
	nw = wk->aff_bytes / sizeof(*wk->aff);
	for (i = 0; i < nw; i++)
		for (w = wk->aff[i]; w; w &= w - 1)
			nbits++;
	if (nbits == 0)
		return 1;
	out->cpus = ctprof_malloc(nbits * sizeof(*out->cpus));
	if (!out->cpus)
		return -ENOMEM;
	/* cpu_set_t: CPU c is bit c % BITS of word c / BITS; ascending. */
	for (i = 0, k = 0; i < nw && k < nbits; i++)
		for (w = wk->aff[i]; w; w &= w - 1)
			out->cpus[k++] = (uint32_t)(i * 8 * sizeof(w) + (size_t)__builtin_ctzl(w));
	out->n = nbits;
	return 0;
}

/*
 * The files of one thread (spec §4.3 step 7.3): comm, then cgroup, stat,
 * schedstat, io, status, sched, smaps_rollup (leader only) and affinity.
 * *fail gets one bit per enum ctprof_walk_file whose read failed, *neg the
 * negative PN values. On -ENOMEM t holds nothing.
 */
static int read_thread(struct walk *w, struct walk_worker *wk, const struct walk_tgid *tg,
		       uint32_t tid, int taskfd, struct ctprof_thread *t, unsigned *fail,
		       unsigned *neg)
{
	const char *b = NULL;
	bool leader = tid == tg->tgid, have_aff = false;
	char name[16];
	int fd = -1, rc;

	*fail = 0;
	*neg = 0;
	wk->tally.tids_walked++;
	/* the parsers cannot report ENOMEM: the per-thread flag collects it */
	(void)ctprof_alloc_failed_take();
	rc = ctprof_thread_init(t);
	if (rc)
		return rc;
	t->tid = tid;
	t->tgid = tg->tgid;
	rc = set_str(&t->pcomm, ctprof_strdup(tg->pcomm));
	if (rc)
		goto fail;
	if (taskfd >= 0) {
		(void)snprintf(name, sizeof(name), "%u", tid);
		fd = openat(taskfd, name, O_PATH | O_DIRECTORY | O_CLOEXEC);
	}

#define READ_OR_TALLY(file, bit)                    \
	do {                                         \
		rc = rd(wk, fd, (file));             \
		if (rc == -ENOMEM)                   \
			goto fail;                   \
		if (rc)                              \
			*fail |= 1u << (bit);        \
		b = rc ? NULL : wk->buf.data;        \
	} while (0)

	rc = rd(wk, fd, "comm");
	if (rc == -ENOMEM)
		goto fail;
	if (rc == 0) {
		rc = set_str(&t->comm, ctprof_text_trimmed(wk->buf.data, wk->buf.len));
		if (rc)
			goto fail;
	}

	READ_OR_TALLY("cgroup", CTPROF_WF_CGROUP);
	if (b) {
		rc = set_str(&t->cgroup, ctprof_parse_cgroup(b, wk->buf.len));
		if (rc)
			goto fail;
	}
	READ_OR_TALLY("stat", CTPROF_WF_STAT);
	if (b)
		ctprof_parse_stat(b, wk->buf.len, t);
	READ_OR_TALLY("schedstat", CTPROF_WF_SCHEDSTAT);
	if (b)
		ctprof_parse_schedstat(b, wk->buf.len, t);
	READ_OR_TALLY("io", CTPROF_WF_IO);
	if (b)
		ctprof_parse_io(b, wk->buf.len, t);
	if (w->o->live) {
		rc = thread_affinity(wk, tid, &t->cpu_affinity);
		if (rc < 0)
			goto fail;
		have_aff = rc == 0;
	}
	READ_OR_TALLY("status", CTPROF_WF_STATUS);
	if (b)
		ctprof_parse_status(b, wk->buf.len, t, leader, !have_aff);
	READ_OR_TALLY("sched", CTPROF_WF_SCHED);
	if (b)
		*neg = ctprof_parse_sched(b, wk->buf.len, t);
	if (leader) {
		READ_OR_TALLY("smaps_rollup", CTPROF_WF_SMAPS_ROLLUP);
		if (b) {
			rc = ctprof_parse_smaps_rollup(b, wk->buf.len, &t->smaps_rollup_kib);
			if (rc)
				goto fail;
		}
	}
#undef READ_OR_TALLY
	if (ctprof_alloc_failed_take())
		goto fail;
	if (fd >= 0)
		close(fd);
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	ctprof_thread_clear(t);
	return -ENOMEM;
}

/*
 * Pass 2: one chunk of tids of one tgid. Every thread's files first, then
 * the batch hook over the whole chunk. The ghost filter waits for pass 3,
 * so the failed-file bits and negative-dotted counts wait in fail[] and
 * neg[]. keep[] is 1 for every slot that owns allocations, so that an abort
 * frees exactly those.
 */
static int walk_chunk_fn(void *ctx, unsigned worker, size_t c)
{
	struct walk *w = ctx;
	struct walk_worker *wk = &w->wk[worker];
	const struct walk_chunk *ch = &w->chunks[c];
	const struct walk_tgid *tg = &w->tg[ch->tg];
	struct ctprof_thread *t = &w->threads[ch->out];
	unsigned char *keep = &w->keep[ch->out];
	char path[32];
	size_t k;
	int taskfd, rc = 0;

	taskfd = tg->taskfd;
	if (taskfd < 0 && w->procfd >= 0) {
		(void)snprintf(path, sizeof(path), "%u/task", tg->tgid);
		taskfd = openat(w->procfd, path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	}
	for (k = 0; k < ch->n && rc == 0; k++) {
		unsigned fail, neg;

		rc = read_thread(w, wk, tg, tg->tids[ch->off + k], taskfd, &t[k], &fail, &neg);
		keep[k] = rc == 0;
		w->fail[ch->out + k] = (unsigned char)fail;
		w->neg[ch->out + k] = neg;
	}
	if (taskfd >= 0 && taskfd != tg->taskfd)
		close(taskfd);
	if (rc)
		return rc;
	if (w->hooks && w->hooks->batch)
		return w->hooks->batch(w->hooks->ctx, worker, t, ch->n);
	return 0;
}

/*
 * Pass 3: one span of consecutive slots. The span hook over all of it,
 * then per thread the tid hook and the ghost filter (§4.3 7.3.7): a ghost's
 * pending tally increments are dropped.
 */
static int walk_span_fn(void *ctx, unsigned worker, size_t i)
{
	struct walk *w = ctx;
	struct walk_worker *wk = &w->wk[worker];
	size_t off = i * CTPROF_WALK_SPAN, k;
	size_t n = w->nthreads - off < CTPROF_WALK_SPAN ? w->nthreads - off : CTPROF_WALK_SPAN;
	struct ctprof_thread *t = &w->threads[off];
	int rc, f;

	if (w->hooks && w->hooks->span) {
		rc = w->hooks->span(w->hooks->ctx, worker, t, n);
		if (rc)
			return rc;
	}
	for (k = 0; k < n; k++) {
		if (w->hooks && w->hooks->tid) {
			rc = w->hooks->tid(w->hooks->ctx, worker, &t[k]);
			if (rc)
				return rc;
		}
		if (t[k].comm[0] == '\0' && t[k].start_time_clock_ticks == 0) {
			ctprof_thread_clear(&t[k]);
			w->keep[off + k] = 0;
			continue;
		}
		for (f = 0; f < CTPROF_WF__COUNT; f++)
			if (w->fail[off + k] & (1u << f))
				wk->tally.fail[f]++;
		wk->tally.negative_dotted += w->neg[off + k];
	}
	return 0;
}

static void walk_free(struct walk *w)
{
	size_t i;
	unsigned k;

	for (i = 0; i < w->ntg; i++) {
		free(w->tg[i].pcomm);
		free(w->tg[i].tids);
		if (w->tg[i].taskfd >= 0)
			close(w->tg[i].taskfd);
	}
	free(w->tg);
	free(w->chunks);
	if (w->threads) {
		/* keep is NULL only when its allocation failed: no slot is set up yet */
		for (i = 0; w->keep && i < w->nthreads; i++)
			if (w->keep[i])
				ctprof_thread_clear(&w->threads[i]);
		free(w->threads);
	}
	free(w->keep);
	free(w->fail);
	free(w->neg);
	if (w->wk) {
		for (k = 0; k < w->nwk; k++) {
			ctprof_buf_free(&w->wk[k].buf);
			free(w->wk[k].aff);
		}
		free(w->wk);
	}
	if (w->procfd >= 0)
		close(w->procfd);
}

/* Half of the descriptors still free under RLIMIT_NOFILE, at most 65536. */
static long fd_budget(void)
{
	struct rlimit rl;
	long lim;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
		return 1024;
	lim = rl.rlim_cur > 65536 ? 65536 : (long)rl.rlim_cur;
	/* stay clear of what the caller already holds */
	return lim > 256 ? (lim - 256) / 2 : 0;
}

/* Step 4: the tgids to walk, ascending. */
static int list_tgids(struct walk *w)
{
	const struct ctprof_walk_opts *o = w->o;
	uint32_t *ids = NULL;
	size_t n = 0, i, k;
	int rc;

	if (o->n_pids) {
		/* ktstr's capture_pid: the named tgids, whether they exist or not */
		ids = ctprof_malloc(o->n_pids * sizeof(*ids));
		if (!ids)
			return -ENOMEM;
		memcpy(ids, o->pids, o->n_pids * sizeof(*ids));
		n = o->n_pids;
	} else {
		int fd = open_dir(w->procfd, ".");

		if (fd >= 0) {
			rc = list_ids_fd(fd, &ids, &n);
			close(fd);
			if (rc)
				return rc;
		}
	}
	for (i = 0, k = 0; i < n; i++)
		if (!(o->exclude_tgid && ids[i] == o->skip_tgid))
			ids[k++] = ids[i];
	n = k;
	if (n) {
		w->tg = ctprof_calloc(n, sizeof(*w->tg));
		if (!w->tg) {
			free(ids);
			return -ENOMEM;
		}
	}
	for (i = 0; i < n; i++) {
		w->tg[i].tgid = ids[i];
		w->tg[i].taskfd = -1;
	}
	w->ntg = n;
	free(ids);
	return 0;
}

/* Hand the hook the tgid list (ascending: list_tgids sorted it). */
static int walk_tgids_hook(struct walk *w)
{
	uint32_t *ids = NULL;
	size_t i;
	int rc;

	if (w->ntg) {
		ids = ctprof_malloc(w->ntg * sizeof(*ids));
		if (!ids)
			return -ENOMEM;
		for (i = 0; i < w->ntg; i++)
			ids[i] = w->tg[i].tgid;
	}
	rc = w->hooks->tgids(w->hooks->ctx, ids, w->ntg);
	free(ids);
	return rc;
}

static int build_chunks(struct walk *w)
{
	size_t i, off, total = 0, nch = 0, c = 0;

	for (i = 0; i < w->ntg; i++) {
		/* Bound the whole walk; tids beyond it are not visited. */
		if (w->tg[i].ntids > CTPROF_WALK_MAX_TIDS - total)
			w->tg[i].ntids = CTPROF_WALK_MAX_TIDS - total;
		total += w->tg[i].ntids;
		nch += (w->tg[i].ntids + CTPROF_WALK_CHUNK - 1) / CTPROF_WALK_CHUNK;
	}
	w->nthreads = total;
	if (total == 0)
		return 0;
	w->threads = ctprof_calloc(total, sizeof(*w->threads));
	w->keep = ctprof_calloc(total, 1);
	w->fail = ctprof_calloc(total, 1);
	w->neg = ctprof_calloc(total, sizeof(*w->neg));
	w->chunks = ctprof_calloc(nch, sizeof(*w->chunks));
	if (!w->threads || !w->keep || !w->fail || !w->neg || !w->chunks)
		return -ENOMEM;
	total = 0;
	for (i = 0; i < w->ntg; i++) {
		for (off = 0; off < w->tg[i].ntids; off += CTPROF_WALK_CHUNK) {
			size_t left = w->tg[i].ntids - off;

			w->chunks[c].tg = i;
			w->chunks[c].off = off;
			w->chunks[c].n = left < CTPROF_WALK_CHUNK ? left : CTPROF_WALK_CHUNK;
			w->chunks[c].out = total + off;
			c++;
		}
		total += w->tg[i].ntids;
	}
	w->nchunks = nch;
	return 0;
}

int ctprof_walk(const struct ctprof_walk_opts *o, struct ctprof_walk_result *res)
{
	struct walk w = { .o = o, .hooks = o->hooks, .procfd = -1 };
	size_t i, k;
	unsigned j;
	int rc;

	memset(res, 0, sizeof(*res));
	w.nwk = o->jobs ? o->jobs : 1;
	if (w.nwk > MAX_PAR_THREADS)
		w.nwk = MAX_PAR_THREADS;
	w.wk = ctprof_calloc(w.nwk, sizeof(*w.wk));
	if (!w.wk)
		return -ENOMEM;
	if (w.hooks && w.hooks->begin) {
		rc = w.hooks->begin(w.hooks->ctx, w.nwk);
		if (rc)
			goto out;
	}
	w.fd_budget = fd_budget();
	w.procfd = open(o->proc_root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	rc = list_tgids(&w);
	if (rc)
		goto out;
	if (w.hooks && w.hooks->tgids) {
		rc = walk_tgids_hook(&w);
		if (rc)
			goto out;
	}
	rc = ctprof_par_for(w.ntg, w.nwk, walk_tgid_fn, &w);
	if (rc)
		goto out;
	rc = build_chunks(&w);
	if (rc)
		goto out;
	rc = ctprof_par_for(w.nchunks, w.nwk, walk_chunk_fn, &w);
	if (rc)
		goto out;
	rc = ctprof_par_for((w.nthreads + CTPROF_WALK_SPAN - 1) / CTPROF_WALK_SPAN, w.nwk,
			    walk_span_fn, &w);
	if (rc)
		goto out;

	/* Squeeze out the ghosts, keeping (tgid, tid) order. */
	for (i = 0, k = 0; i < w.nthreads; i++) {
		if (!w.keep[i])
			continue;
		if (k != i)
			w.threads[k] = w.threads[i];
		w.keep[k++] = 1;
	}
	for (j = 0; j < w.nwk; j++) {
		res->tally.tids_walked += w.wk[j].tally.tids_walked;
		res->tally.negative_dotted += w.wk[j].tally.negative_dotted;
		for (i = 0; i < CTPROF_WF__COUNT; i++)
			res->tally.fail[i] += w.wk[j].tally.fail[i];
	}
	res->n_tgids = w.ntg;
	res->n_threads = k;
	if (k) {
		res->threads = w.threads;
		w.threads = NULL;
	}
	rc = 0;
out:
	/* On error keep[] marks exactly the slots that still own allocations. */
	walk_free(&w);
	return rc;
}

void ctprof_walk_result_clear(struct ctprof_walk_result *res)
{
	size_t i;

	if (!res)
		return;
	for (i = 0; i < res->n_threads; i++)
		ctprof_thread_clear(&res->threads[i]);
	free(res->threads);
	memset(res, 0, sizeof(*res));
}
