/* SPDX-License-Identifier: MIT */
/* Intervals between two snapshots (DESIGN.md §1) and the compare input loader. */
#include <ctprof/interval.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../util/util.h"

static const char *const memstat_gauges[] = {
	"active_anon", "active_file", "anon", "anon_thp", "file", "file_dirty", "file_mapped",
	"file_thp", "file_writeback", "hugetlb", "inactive_anon", "inactive_file", "kernel",
	"kernel_stack", "pagetables", "percpu", "sec_pagetables", "shmem", "shmem_thp", "slab",
	"slab_reclaimable", "slab_unreclaimable", "sock", "swapcached", "unevictable", "vmalloc",
	"zswap", "zswapped",
};

static int cmp_gauge(const void *k, const void *e)
{
	return strcmp((const char *)k, *(const char *const *)e);
}

CTPROF_API bool ctprof_memory_stat_is_gauge(const char *key)
{
	return key && bsearch(key, memstat_gauges, sizeof(memstat_gauges) / sizeof(memstat_gauges[0]),
			      sizeof(memstat_gauges[0]), cmp_gauge) != NULL;
}

/* ---- deep copies -------------------------------------------------------------- */

static int kv_copy(struct ctprof_kvmap *d, const struct ctprof_kvmap *s)
{
	size_t i;

	memset(d, 0, sizeof(*d));
	if (!s->n)
		return 0;
	d->items = ctprof_calloc(s->n, sizeof(*d->items));
	if (!d->items)
		return -ENOMEM;
	for (i = 0; i < s->n; i++) {
		d->items[i].key = ctprof_strdup(s->items[i].key);
		d->items[i].value = s->items[i].value;
		d->n = i + 1;
		if (!d->items[i].key)
			return -ENOMEM;
	}
	return 0;
}

static int str_copy(char **d, const char *s)
{
	*d = NULL;
	if (!s)
		return 0;
	*d = ctprof_strdup(s);
	return *d ? 0 : -ENOMEM;
}

static int thread_copy(struct ctprof_thread *d, const struct ctprof_thread *s)
{
	const struct ctprof_field_desc *f = ctprof_fields();
	size_t i;
	int r = 0;

	*d = *s;
	/* first drop every borrowed pointer, so that a failure can clear d safely */
	for (i = 0; i < CTPROF_THREAD_NFIELDS; i++) {
		void *p = ctprof_field_ptr(d, &f[i]);

		switch (f[i].ftype) {
		case CTPROF_FT_STR:
			*(char **)p = NULL;
			break;
		case CTPROF_FT_CPUSET:
			memset(p, 0, sizeof(struct ctprof_cpuset));
			break;
		case CTPROF_FT_KVMAP:
			memset(p, 0, sizeof(struct ctprof_kvmap));
			break;
		default:
			break;
		}
	}
	for (i = 0; i < CTPROF_THREAD_NFIELDS && r == 0; i++) {
		void *p = ctprof_field_ptr(d, &f[i]);
		const void *q = ctprof_field_cptr(s, &f[i]);

		switch (f[i].ftype) {
		case CTPROF_FT_STR:
			r = str_copy(p, *(char *const *)q ? *(char *const *)q : "");
			break;
		case CTPROF_FT_CPUSET: {
			const struct ctprof_cpuset *sc = q;
			struct ctprof_cpuset *dc = p;

			if (sc->n) {
				dc->cpus = ctprof_malloc(sc->n * sizeof(uint32_t));
				if (!dc->cpus) {
					r = -ENOMEM;
					break;
				}
				memcpy(dc->cpus, sc->cpus, sc->n * sizeof(uint32_t));
				dc->n = sc->n;
			}
			break;
		}
		case CTPROF_FT_KVMAP:
			r = kv_copy(p, q);
			break;
		default:
			break;
		}
	}
	if (r < 0)
		ctprof_thread_clear(d);
	return r;
}

static int host_copy(struct ctprof_host **out, const struct ctprof_host *s)
{
	struct ctprof_host *h;
	size_t i;
	int r = 0;

	*out = NULL;
	if (!s)
		return 0;
	h = ctprof_calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	*h = *s;
	h->cpu_model = h->cpu_vendor = h->thp_enabled = h->thp_defrag = NULL;
	h->kernel_name = h->kernel_release = h->arch = h->kernel_cmdline = NULL;
	memset(&h->sched_tunables, 0, sizeof(h->sched_tunables));
	h->cpufreq_governor = NULL;
	h->n_cpufreq_governor = 0;
	r |= str_copy(&h->cpu_model, s->cpu_model);
	r |= str_copy(&h->cpu_vendor, s->cpu_vendor);
	r |= str_copy(&h->thp_enabled, s->thp_enabled);
	r |= str_copy(&h->thp_defrag, s->thp_defrag);
	r |= str_copy(&h->kernel_name, s->kernel_name);
	r |= str_copy(&h->kernel_release, s->kernel_release);
	r |= str_copy(&h->arch, s->arch);
	r |= str_copy(&h->kernel_cmdline, s->kernel_cmdline);
	for (i = 0; r == 0 && i < s->sched_tunables.n; i++)
		if (ctprof_strmap_set(&h->sched_tunables, s->sched_tunables.items[i].key,
				      s->sched_tunables.items[i].value) < 0)
			r = -ENOMEM;
	if (r == 0 && s->n_cpufreq_governor) {
		h->cpufreq_governor = ctprof_calloc(s->n_cpufreq_governor, sizeof(*h->cpufreq_governor));
		if (!h->cpufreq_governor)
			r = -ENOMEM;
		for (i = 0; r == 0 && i < s->n_cpufreq_governor; i++) {
			h->cpufreq_governor[i].cpu = s->cpufreq_governor[i].cpu;
			h->n_cpufreq_governor = i + 1;
			r = str_copy(&h->cpufreq_governor[i].governor, s->cpufreq_governor[i].governor);
		}
	}
	if (r) {
		ctprof_host_free(h);
		return -ENOMEM;
	}
	*out = h;
	return 0;
}

/* ---- counter arithmetic ---------------------------------------------------------- */

static uint64_t sub(uint64_t after, uint64_t before, uint64_t *resets)
{
	if (after >= before)
		return after - before;
	(*resets)++;
	return after;
}

static bool is_counter(enum ctprof_fkind k)
{
	return k == CTPROF_FK_COUNT || k == CTPROF_FK_NS || k == CTPROF_FK_TICKS ||
	       k == CTPROF_FK_BYTES;
}

/* t (a copy of the later state) -= before, for the counter fields. */
static void thread_sub(struct ctprof_thread *t, const struct ctprof_thread *before, uint64_t *resets)
{
	const struct ctprof_field_desc *f = ctprof_fields();
	size_t i;

	for (i = 0; i < CTPROF_THREAD_NFIELDS; i++) {
		if (!is_counter(f[i].fkind) || f[i].ftype != CTPROF_FT_U64)
			continue;
		*(uint64_t *)ctprof_field_ptr(t, &f[i]) =
			sub(*(uint64_t *)ctprof_field_ptr(t, &f[i]),
			    *(const uint64_t *)ctprof_field_cptr(before, &f[i]), resets);
	}
}

static void psi_sub(struct ctprof_psi *a, const struct ctprof_psi *b, uint64_t *resets)
{
	struct ctprof_psi_half *ha[8] = { &a->cpu.some, &a->cpu.full, &a->memory.some,
					  &a->memory.full, &a->io.some, &a->io.full,
					  &a->irq.some, &a->irq.full };
	const struct ctprof_psi_half *hb[8] = { &b->cpu.some, &b->cpu.full, &b->memory.some,
						&b->memory.full, &b->io.some, &b->io.full,
						&b->irq.some, &b->irq.full };
	int i;

	for (i = 0; i < 8; i++)
		ha[i]->total_usec = sub(ha[i]->total_usec, hb[i]->total_usec, resets);
}

static void kv_sub(struct ctprof_kvmap *a, const struct ctprof_kvmap *b, bool skip_gauges,
		   uint64_t *resets)
{
	size_t i;

	for (i = 0; i < a->n; i++) {
		uint64_t v;

		if (skip_gauges && ctprof_memory_stat_is_gauge(a->items[i].key))
			continue;
		if (ctprof_kvmap_get(b, a->items[i].key, &v))
			a->items[i].value = sub(a->items[i].value, v, resets);
	}
}

static void cgroup_sub(struct ctprof_cgroup_stats *a, const struct ctprof_cgroup_stats *b,
		       uint64_t *resets)
{
	a->cpu.usage_usec = sub(a->cpu.usage_usec, b->cpu.usage_usec, resets);
	a->cpu.nr_throttled = sub(a->cpu.nr_throttled, b->cpu.nr_throttled, resets);
	a->cpu.throttled_usec = sub(a->cpu.throttled_usec, b->cpu.throttled_usec, resets);
	kv_sub(&a->memory.stat, &b->memory.stat, true, resets);
	kv_sub(&a->memory.events, &b->memory.events, false, resets);
	psi_sub(&a->psi, &b->psi, resets);
}

/* ---- (tid, start time) index ------------------------------------------------------- */

struct tkey {
	uint32_t tid;
	uint64_t start;
	size_t idx; /* SIZE_MAX: empty */
};

struct tindex {
	struct tkey *slots;
	size_t cap;
};

static size_t thash(uint32_t tid, uint64_t start)
{
	uint64_t h = ((uint64_t)tid * 0x9e3779b97f4a7c15ULL) ^ (start * 0xc2b2ae3d27d4eb4fULL);

	h ^= h >> 31;
	return (size_t)h;
}

static int tindex_build(struct tindex *ix, const struct ctprof_snapshot *s)
{
	size_t cap = 16, i;

	while (cap < s->n_threads * 2 + 2)
		cap <<= 1;
	ix->slots = ctprof_malloc(cap * sizeof(*ix->slots));
	if (!ix->slots)
		return -ENOMEM;
	ix->cap = cap;
	for (i = 0; i < cap; i++)
		ix->slots[i].idx = SIZE_MAX;
	for (i = 0; i < s->n_threads; i++) {
		const struct ctprof_thread *t = &s->threads[i];
		size_t j = thash(t->tid, t->start_time_clock_ticks) & (cap - 1);

		while (ix->slots[j].idx != SIZE_MAX) {
			if (ix->slots[j].tid == t->tid && ix->slots[j].start == t->start_time_clock_ticks)
				break; /* duplicate key: the first one wins */
			j = (j + 1) & (cap - 1);
		}
		if (ix->slots[j].idx == SIZE_MAX) {
			ix->slots[j].tid = t->tid;
			ix->slots[j].start = t->start_time_clock_ticks;
			ix->slots[j].idx = i;
		}
	}
	return 0;
}

static size_t tindex_find(const struct tindex *ix, uint32_t tid, uint64_t start)
{
	size_t j = thash(tid, start) & (ix->cap - 1);

	while (ix->slots[j].idx != SIZE_MAX) {
		if (ix->slots[j].tid == tid && ix->slots[j].start == start)
			return ix->slots[j].idx;
		j = (j + 1) & (ix->cap - 1);
	}
	return SIZE_MAX;
}

/* ---- the interval ----------------------------------------------------------------------- */

static int copy_summaries(struct ctprof_snapshot *o, const struct ctprof_snapshot *s)
{
	if (s->probe_summary) {
		o->probe_summary = ctprof_calloc(1, sizeof(*o->probe_summary));
		if (!o->probe_summary)
			return -ENOMEM;
		*o->probe_summary = *s->probe_summary;
		o->probe_summary->dominant_failure = NULL;
		if (str_copy(&o->probe_summary->dominant_failure, s->probe_summary->dominant_failure))
			return -ENOMEM;
	}
	if (s->parse_summary) {
		o->parse_summary = ctprof_calloc(1, sizeof(*o->parse_summary));
		if (!o->parse_summary)
			return -ENOMEM;
		*o->parse_summary = *s->parse_summary;
		o->parse_summary->dominant_read_failure = NULL;
		memset(&o->parse_summary->read_failures_by_file, 0,
		       sizeof(o->parse_summary->read_failures_by_file));
		if (str_copy(&o->parse_summary->dominant_read_failure,
			     s->parse_summary->dominant_read_failure) ||
		    kv_copy(&o->parse_summary->read_failures_by_file,
			    &s->parse_summary->read_failures_by_file))
			return -ENOMEM;
	}
	if (s->taskstats_summary) {
		o->taskstats_summary = ctprof_calloc(1, sizeof(*o->taskstats_summary));
		if (!o->taskstats_summary)
			return -ENOMEM;
		*o->taskstats_summary = *s->taskstats_summary;
	}
	if (s->sched_ext) {
		o->sched_ext = ctprof_calloc(1, sizeof(*o->sched_ext));
		if (!o->sched_ext)
			return -ENOMEM;
		*o->sched_ext = *s->sched_ext;
		o->sched_ext->state = NULL;
		if (str_copy(&o->sched_ext->state, s->sched_ext->state ? s->sched_ext->state : ""))
			return -ENOMEM;
	}
	return 0;
}

static const struct ctprof_cgroup_entry *find_cgroup(const struct ctprof_snapshot *s,
						     const char *path)
{
	size_t lo = 0, hi = s->n_cgroups;

	/* the map is sorted by path bytes; fall back to a scan if it is not */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(s->cgroups[mid].path, path);

		if (c == 0)
			return &s->cgroups[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (lo = 0; lo < s->n_cgroups; lo++)
		if (strcmp(s->cgroups[lo].path, path) == 0)
			return &s->cgroups[lo];
	return NULL;
}

CTPROF_API int ctprof_interval(const struct ctprof_snapshot *before,
			       const struct ctprof_snapshot *after,
			       const struct ctprof_interval_opts *opts,
			       struct ctprof_snapshot **out, struct ctprof_interval_stats *stats,
			       struct ctprof_error *err)
{
	struct ctprof_interval_stats st = { 0 };
	struct tindex ib = { 0 }, ia = { 0 };
	struct ctprof_snapshot *o;
	uint8_t *used = NULL;
	size_t n_exited = 0, i;
	int r = -ENOMEM;

	if (!before || !after || !out)
		return ctprof_err(err, -EINVAL, "interval: missing snapshot or output");
	if (opts && opts->sz < sizeof(*opts))
		return ctprof_err(err, -EINVAL, "interval: options: too small (sz %zu)", opts->sz);
	if (opts)
		n_exited = opts->n_exited;
	o = ctprof_snapshot_new();
	if (!o)
		return ctprof_err(err, -ENOMEM, "interval: out of memory");
	if (tindex_build(&ib, before) < 0 || tindex_build(&ia, after) < 0)
		goto fail;
	used = ctprof_calloc(before->n_threads + 1, 1);
	o->threads = ctprof_calloc(after->n_threads + n_exited + 1, sizeof(*o->threads));
	o->interval = ctprof_calloc(1, sizeof(*o->interval));
	if (!used || !o->threads || !o->interval)
		goto fail;
	o->captured_at_unix_ns = after->captured_at_unix_ns;
	o->interval->from_unix_ns = before->captured_at_unix_ns;
	o->interval->to_unix_ns = after->captured_at_unix_ns;

	for (i = 0; i < after->n_threads; i++) {
		const struct ctprof_thread *t = &after->threads[i];
		size_t bi = tindex_find(&ib, t->tid, t->start_time_clock_ticks);

		if (thread_copy(&o->threads[o->n_threads], t) < 0)
			goto fail;
		o->n_threads++;
		if (bi != SIZE_MAX) {
			thread_sub(&o->threads[o->n_threads - 1], &before->threads[bi], &st.counter_resets);
			used[bi] = 1;
			st.matched++;
		} else {
			st.born++;
		}
	}
	for (i = 0; i < n_exited; i++) {
		const struct ctprof_thread *t = &opts->exited[i];
		size_t bi;

		if (tindex_find(&ia, t->tid, t->start_time_clock_ticks) != SIZE_MAX)
			continue; /* still alive at the after snapshot: it is counted there */
		if (thread_copy(&o->threads[o->n_threads], t) < 0)
			goto fail;
		o->threads[o->n_threads].exited = true;
		o->n_threads++;
		bi = tindex_find(&ib, t->tid, t->start_time_clock_ticks);
		if (bi != SIZE_MAX) {
			thread_sub(&o->threads[o->n_threads - 1], &before->threads[bi], &st.counter_resets);
			used[bi] = 1;
		}
		st.exited++;
	}
	for (i = 0; i < before->n_threads; i++)
		if (!used[i])
			st.vanished++;

	if (after->n_cgroups) {
		o->cgroups = ctprof_calloc(after->n_cgroups, sizeof(*o->cgroups));
		if (!o->cgroups)
			goto fail;
	}
	for (i = 0; i < after->n_cgroups; i++) {
		const struct ctprof_cgroup_entry *e = &after->cgroups[i], *be;
		struct ctprof_cgroup_entry *d = &o->cgroups[i];

		d->path = ctprof_strdup(e->path);
		d->stats = e->stats;
		memset(&d->stats.memory.stat, 0, sizeof(d->stats.memory.stat));
		memset(&d->stats.memory.events, 0, sizeof(d->stats.memory.events));
		o->n_cgroups = i + 1;
		if (!d->path || kv_copy(&d->stats.memory.stat, &e->stats.memory.stat) < 0 ||
		    kv_copy(&d->stats.memory.events, &e->stats.memory.events) < 0)
			goto fail;
		be = find_cgroup(before, e->path);
		if (be)
			cgroup_sub(&d->stats, &be->stats, &st.counter_resets);
	}
	o->psi = after->psi;
	psi_sub(&o->psi, &before->psi, &st.counter_resets);
	if (host_copy(&o->host, after->host) < 0 || copy_summaries(o, after) < 0)
		goto fail;
	r = 0;
fail:
	free(ib.slots);
	free(ia.slots);
	free(used);
	if (r < 0) {
		ctprof_snapshot_free(o);
		return ctprof_err(err, -ENOMEM, "interval: out of memory");
	}
	if (stats)
		*stats = st;
	*out = o;
	return 0;
}

static bool is_file(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

CTPROF_API int ctprof_load_input(const char *path, struct ctprof_snapshot **out,
				 struct ctprof_error *err)
{
	struct ctprof_snapshot *a = NULL, *b = NULL;
	struct stat st;
	char *p;
	int r;

	if (!path || !out)
		return ctprof_err(err, -EINVAL, "load: missing path or output");
	if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
		return ctprof_snapshot_load(path, out, err);
	if (asprintf(&p, "%s/interval.ctprof.zst", path) < 0)
		return ctprof_err(err, -ENOMEM, "%s: out of memory", path);
	if (is_file(p)) {
		r = ctprof_snapshot_load(p, out, err);
		free(p);
		return r;
	}
	free(p);
	if (asprintf(&p, "%s/before.ctprof.zst", path) < 0)
		return ctprof_err(err, -ENOMEM, "%s: out of memory", path);
	if (!is_file(p)) {
		free(p);
		return ctprof_err(err, -ENOENT,
				  "%s: run directory: no interval.ctprof.zst and no before.ctprof.zst",
				  path);
	}
	r = ctprof_snapshot_load(p, &a, err);
	free(p);
	if (r < 0)
		return r;
	if (asprintf(&p, "%s/after.ctprof.zst", path) < 0) {
		ctprof_snapshot_free(a);
		return ctprof_err(err, -ENOMEM, "%s: out of memory", path);
	}
	r = ctprof_snapshot_load(p, &b, err);
	free(p);
	if (r == 0) {
		r = ctprof_interval(a, b, NULL, out, NULL, err);
		if (r < 0)
			ctprof_err_prefix(err, "%s", path);
	}
	ctprof_snapshot_free(a);
	ctprof_snapshot_free(b);
	return r;
}
