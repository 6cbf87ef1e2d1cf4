/* SPDX-License-Identifier: MIT */
/*
 * Phase 1 of a live capture (spec §4.3 step 5): attach to every tgid in
 * parallel, once per executable (cache key: st_dev, st_ino of exe), then
 * the per-thread tally and the probe_summary of §3.7 with its §4.9 line.
 *
 * The cache: tgids are grouped by the identity of their exe; one worker
 * takes a whole group and attaches its members in order until one gives
 * an answer that belongs to the executable (success or an ELF/DWARF-level
 * tag); the remaining members reuse it, which counts the same as a fresh
 * attach (ktstr's cache-hit rule). Answers that belong to one process
 * (pid-missing, readlink-failure, maps-read-failure) are never reused. A
 * tgid whose exe cannot be stat-ed forms a group of its own.
 */
#include "probe_int.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct entry {
	int tgid;
	bool have_key;
	dev_t dev;
	ino_t ino;
	struct ctprof_jemalloc_probe *probe; /* shared within a group: owner is the group's holder */
	bool owns_probe;
	enum ctprof_probe_tag tag;
	bool warned;                       /* one probe warning per tgid */
};

struct ctprof_probe_set {
	struct entry *e; /* sorted by tgid */
	size_t n;
	pthread_mutex_t lock;
	uint64_t tgids_walked, jemalloc_detected, probed_ok, failed;
	uint64_t counts[CTPROF_PROBE__COUNT];
};

static int cmp_key(const void *x, const void *y)
{
	const struct entry *a = *(struct entry *const *)x, *b = *(struct entry *const *)y;

	if (a->have_key != b->have_key)
		return a->have_key ? -1 : 1;
	if (a->have_key) {
		if (a->dev != b->dev)
			return a->dev < b->dev ? -1 : 1;
		if (a->ino != b->ino)
			return a->ino < b->ino ? -1 : 1;
	}
	return a->tgid < b->tgid ? -1 : a->tgid > b->tgid;
}

static int cmp_int(const void *x, const void *y)
{
	int a = *(const int *)x, b = *(const int *)y;

	return a < b ? -1 : a > b;
}

static bool per_process_tag(enum ctprof_probe_tag t)
{
	return t == CTPROF_PROBE_PID_MISSING || t == CTPROF_PROBE_READLINK_FAILURE ||
	       t == CTPROF_PROBE_MAPS_READ_FAILURE;
}

struct job {
	struct ctprof_probe_set *s;
	const char *proc_root;
	struct entry **order; /* grouped */
	size_t *groups;       /* start index of each group in order; groups[ngroups] = n */
	size_t ngroups;
	size_t next;          /* next group to take (under lock) */
	int oom;
};

static void log_attach(const struct entry *e, const struct ctprof_error *er, bool cached)
{
	int level = ctprof_probe_tag_actionable(e->tag) ? 1 : 3;

	ctprof_log(level, "ctprof probe: tgid %d: attach failed (%s)%s: %s", e->tgid,
		   ctprof_probe_tag_name(e->tag), cached ? " [cached]" : "", er->msg);
}

static void do_group(struct job *j, size_t g)
{
	struct entry **m = j->order + j->groups[g];
	size_t n = j->groups[g + 1] - j->groups[g], i;
	struct entry *holder = NULL;
	struct ctprof_error er = { 0 };

	for (i = 0; i < n; i++) {
		struct entry *e = m[i];

		if (holder) {
			e->probe = holder->probe;
			e->tag = holder->tag;
			if (e->tag != CTPROF_PROBE_OK)
				log_attach(e, &er, true);
			continue;
		}
		er.code = 0;
		er.msg[0] = '\0';
		int rc = ctprof_jemalloc_attach(j->proc_root, e->tgid, &e->probe, &e->tag, &er);

		if (rc == -ENOMEM && e->tag == CTPROF_PROBE_OK) {
			pthread_mutex_lock(&j->s->lock);
			j->oom = -ENOMEM;
			pthread_mutex_unlock(&j->s->lock);
			return;
		}
		e->owns_probe = e->probe != NULL;
		if (e->tag != CTPROF_PROBE_OK)
			log_attach(e, &er, false);
		if (e->have_key && !per_process_tag(e->tag))
			holder = e;
	}
}

static void *worker(void *arg)
{
	struct job *j = arg;

	for (;;) {
		size_t g;

		pthread_mutex_lock(&j->s->lock);
		g = j->next < j->ngroups && !j->oom ? j->next++ : SIZE_MAX;
		pthread_mutex_unlock(&j->s->lock);
		if (g == SIZE_MAX)
			return NULL;
		do_group(j, g);
	}
}

/* §4.3: max(CPUs − load, 1), clamped to [1, CPUs/2 + 1]. */
static unsigned headroom(const char *proc_root)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN), cap;
	double load = 0.0, h;
	char path[PATH_MAX], line[64];
	FILE *f = NULL;
	int n;

	if (cpus < 1)
		cpus = 4;
	cap = cpus / 2 + 1; /* half the CPUs, rounded down, plus one */
	n = snprintf(path, sizeof(path), "%s/loadavg", proc_root);
	if (n > 0 && (size_t)n < sizeof(path))
		f = fopen(path, "re");
	if (f) {
		if (fgets(line, sizeof(line), f)) {
			char *end;

			load = strtod(line, &end);
			if (end == line || !(load >= 0.0))
				load = 0.0;
		}
		(void)fclose(f);
	}
	h = (double)cpus - load;
	if (h < 1.0)
		h = 1.0;
	if (h > (double)cap)
		h = (double)cap;
	return (unsigned)h;
}

CTPROF_API void ctprof_probe_set_free(struct ctprof_probe_set *s)
{
	if (!s)
		return;
	for (size_t i = 0; s->e && i < s->n; i++)
		if (s->e[i].owns_probe)
			ctprof_jemalloc_probe_free(s->e[i].probe);
	free(s->e);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

CTPROF_API int ctprof_probe_set_attach(const struct ctprof_probe_set_opts *opts, const int *tgids,
				       size_t n, struct ctprof_probe_set **out,
				       struct ctprof_error *err)
{
	struct ctprof_probe_set_opts o = { 0 };
	struct ctprof_probe_set *s;
	struct job j = { 0 };
	pthread_t *th = NULL;
	unsigned nth = 0, want;
	int *ids = NULL, self;
	size_t i, k = 0;

	if (!out || (n && !tgids))
		return ctprof_err(err, -EINVAL, "probe set: attach: invalid arguments");
	if (opts) {
		if (opts->sz < offsetof(struct ctprof_probe_set_opts, self_pid) + sizeof(int))
			return ctprof_err(err, -EINVAL, "probe set: options: sz %zu too small", opts->sz);
		memcpy(&o, opts, opts->sz < sizeof(o) ? opts->sz : sizeof(o));
	}
	j.proc_root = o.proc_root ? o.proc_root : "/proc";
	self = o.self_pid == 0 ? (int)getpid() : o.self_pid;
	s = ctprof_calloc(1, sizeof(*s));
	if (!s)
		return ctprof_err(err, -ENOMEM, "probe set: out of memory");
	pthread_mutex_init(&s->lock, NULL);
	j.s = s;
	if (n) {
		ids = ctprof_malloc(n * sizeof(*ids));
		s->e = ctprof_calloc(n, sizeof(*s->e));
		j.order = ctprof_calloc(n, sizeof(struct entry *));
		j.groups = ctprof_calloc(n + 1, sizeof(*j.groups));
		if (!ids || !s->e || !j.order || !j.groups)
			goto oom;
		memcpy(ids, tgids, n * sizeof(*ids));
		qsort(ids, n, sizeof(*ids), cmp_int);
		for (i = 0; i < n; i++) {
			char path[PATH_MAX];
			struct stat st;
			int pl;

			if (ids[i] <= 0 || ids[i] == self || (k && s->e[k - 1].tgid == ids[i]))
				continue;
			s->e[k].tgid = ids[i];
			pl = snprintf(path, sizeof(path), "%s/%d/exe", j.proc_root, ids[i]);
			/* a path that does not fit has no key: a group of its own */
			if (pl > 0 && (size_t)pl < sizeof(path) && stat(path, &st) == 0) {
				s->e[k].have_key = true;
				s->e[k].dev = st.st_dev;
				s->e[k].ino = st.st_ino;
			}
			k++;
		}
	}
	s->n = k;
	for (i = 0; i < k; i++)
		j.order[i] = &s->e[i];
	if (k)
		qsort(j.order, k, sizeof(struct entry *), cmp_key);
	for (i = 0; i < k; i++) {
		const struct entry *a = j.order[i], *b = i ? j.order[i - 1] : NULL;

		if (!b || !a->have_key || !b->have_key || a->dev != b->dev || a->ino != b->ino)
			j.groups[j.ngroups++] = i;
	}
	if (j.groups)
		j.groups[j.ngroups] = k;
	want = o.jobs ? o.jobs : headroom(j.proc_root);
	if (want > j.ngroups)
		want = (unsigned)j.ngroups;
	if (want > 1) {
		th = ctprof_calloc(want, sizeof(*th));
		for (nth = 0; th && nth < want; nth++)
			if (pthread_create(&th[nth], NULL, worker, &j))
				break;
	}
	/* Sequential when there is one group, one worker, or no thread could start. */
	if (nth == 0)
		worker(&j);
	for (unsigned t = 0; t < nth; t++)
		pthread_join(th[t], NULL);
	free(th);
	if (j.oom)
		goto oom;
	/* The tally: every member counts as walked; success or its tag. */
	for (i = 0; i < k; i++) {
		struct entry *e = &s->e[i];

		s->tgids_walked++;
		if (e->tag == CTPROF_PROBE_OK && e->probe) {
			s->jemalloc_detected++;
		} else {
			s->counts[e->tag]++;
			if (ctprof_probe_tag_actionable(e->tag))
				s->failed++;
		}
	}
	free(ids);
	free(j.order);
	free(j.groups);
	*out = s;
	return 0;
oom:
	free(ids);
	free(j.order);
	free(j.groups);
	ctprof_probe_set_free(s);
	return ctprof_err(err, -ENOMEM, "probe set: attach: out of memory");
}

static struct entry *find(const struct ctprof_probe_set *s, int tgid)
{
	size_t lo = 0, hi = s ? s->n : 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->e[mid].tgid == tgid)
			return &s->e[mid];
		if (s->e[mid].tgid < tgid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

CTPROF_API const struct ctprof_jemalloc_probe *ctprof_probe_set_get(const struct ctprof_probe_set *s,
								   int tgid)
{
	const struct entry *e = find(s, tgid);

	return e ? e->probe : NULL;
}

CTPROF_API int ctprof_probe_set_thread(struct ctprof_probe_set *s, int tgid, int tid,
				       uint64_t *allocated, uint64_t *deallocated)
{
	struct entry *e = find(s, tgid);
	struct ctprof_error er = { 0 };
	enum ctprof_probe_tag tag;
	bool warn = false;
	int rc;

	*allocated = 0;
	*deallocated = 0;
	if (!e || !e->probe)
		return 0;
	rc = ctprof_jemalloc_probe_thread(e->probe, tid, allocated, deallocated, &tag, &er);
	pthread_mutex_lock(&s->lock);
	if (rc == 0) {
		s->probed_ok++;
	} else {
		if (tag == CTPROF_PROBE_OK) /* bad arguments: count as arithmetic */
			tag = CTPROF_PROBE_TLS_ARITHMETIC;
		s->counts[tag]++;
		s->failed++;
		warn = !e->warned;
		e->warned = true;
	}
	pthread_mutex_unlock(&s->lock);
	if (warn)
		ctprof_log(1, "ctprof probe: tgid %d: thread probe failed (%s): %s", tgid,
			   ctprof_probe_tag_name(tag), er.msg);
	return rc == 0 ? 1 : rc;
}

CTPROF_API uint64_t ctprof_probe_set_tag_count(const struct ctprof_probe_set *s,
					       enum ctprof_probe_tag tag)
{
	if (!s || (unsigned)tag >= CTPROF_PROBE__COUNT)
		return 0;
	return s->counts[tag];
}

CTPROF_API void ctprof_probe_summary_line(const struct ctprof_probe_summary *p, char *buf, size_t len)
{
	int n;

	if (!len)
		return;
	n = snprintf(buf, len, "ctprof probe: %llu tgids walked, %llu jemalloc detected, %llu probed OK, %llu failed",
		     (unsigned long long)p->tgids_walked, (unsigned long long)p->jemalloc_detected,
		     (unsigned long long)p->probed_ok, (unsigned long long)p->failed);
	if (n < 0 || (size_t)n >= len || !p->failed)
		return;
	(void)snprintf(buf + n, len - (size_t)n, " (dominant: %s%s%s)",
		       p->dominant_failure ? p->dominant_failure : "?",
		       p->privilege_dominant ? "; " : "", p->privilege_dominant ? CTPROF_PROBE_PTRACE_HINT : "");
}

CTPROF_API int ctprof_probe_set_summary(const struct ctprof_probe_set *s, bool log,
					struct ctprof_probe_summary **out)
{
	struct ctprof_probe_summary *p = ctprof_calloc(1, sizeof(*p));
	const char *best = NULL;
	uint64_t best_n = 0;

	if (!p)
		return -ENOMEM;
	if (s) {
		p->tgids_walked = s->tgids_walked;
		p->jemalloc_detected = s->jemalloc_detected;
		p->probed_ok = s->probed_ok;
		p->failed = s->failed;
		for (int t = 1; t < CTPROF_PROBE__COUNT; t++) {
			const char *nm = ctprof_probe_tag_name((enum ctprof_probe_tag)t);

			if (!ctprof_probe_tag_actionable((enum ctprof_probe_tag)t) || !s->counts[t])
				continue;
			/* Highest count; ties to the alphabetically earlier tag. */
			if (s->counts[t] > best_n || (s->counts[t] == best_n && strcmp(nm, best) < 0)) {
				best = nm;
				best_n = s->counts[t];
			}
		}
		if (best) {
			p->dominant_failure = ctprof_strdup(best);
			if (!p->dominant_failure) {
				free(p);
				return -ENOMEM;
			}
		}
		p->privilege_dominant =
			p->failed > 0 && 2 * (s->counts[CTPROF_PROBE_PTRACE_SEIZE] +
					      s->counts[CTPROF_PROBE_PTRACE_INTERRUPT]) >= p->failed;
	}
	if (log) {
		char line[512];

		ctprof_probe_summary_line(p, line, sizeof(line));
		ctprof_log(2, "%s", line);
	}
	*out = p;
	return 0;
}
