/* SPDX-License-Identifier: MIT */
/* In-memory snapshot builders shared by the compare and render unit tests. */
#ifndef TEST_COMPARE_UTIL_H
#define TEST_COMPARE_UTIL_H

#include <stdlib.h>
#include <string.h>

#include <ctprof/compare.h>

static inline void tc_set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = strdup(v);
	if (!*dst)
		abort();
}

static inline struct ctprof_snapshot *tc_snap(void)
{
	struct ctprof_snapshot *s = ctprof_snapshot_new();

	if (!s)
		abort();
	return s;
}

/* Append a thread with identity set and everything else at its absent value. */
static inline struct ctprof_thread *tc_thread(struct ctprof_snapshot *s, uint32_t tid, uint32_t tgid,
					      const char *pcomm, const char *comm,
					      const char *cgroup)
{
	struct ctprof_thread *t;

	t = realloc(s->threads, (s->n_threads + 1) * sizeof(*t));
	if (!t)
		abort();
	s->threads = t;
	t = &s->threads[s->n_threads++];
	if (ctprof_thread_init(t) < 0)
		abort();
	t->tid = tid;
	t->tgid = tgid;
	tc_set_str(&t->pcomm, pcomm);
	tc_set_str(&t->comm, comm);
	tc_set_str(&t->cgroup, cgroup);
	tc_set_str(&t->policy, "SCHED_OTHER");
	t->state = 'S';
	t->taskstats_measured = t->cpu_delay_active = t->delay_block_active = t->xacct_active = true;
	return t;
}

static inline void tc_affinity(struct ctprof_thread *t, const uint32_t *cpus, size_t n)
{
	free(t->cpu_affinity.cpus);
	t->cpu_affinity.cpus = malloc((n ? n : 1) * sizeof(uint32_t));
	if (!t->cpu_affinity.cpus)
		abort();
	memcpy(t->cpu_affinity.cpus, cpus, n * sizeof(uint32_t));
	t->cpu_affinity.n = n;
}

static inline struct ctprof_cgroup_stats *tc_cgroup(struct ctprof_snapshot *s, const char *path)
{
	struct ctprof_cgroup_entry *e;

	e = realloc(s->cgroups, (s->n_cgroups + 1) * sizeof(*e));
	if (!e)
		abort();
	s->cgroups = e;
	e = &s->cgroups[s->n_cgroups++];
	e->path = strdup(path);
	if (!e->path)
		abort();
	ctprof_cgroup_stats_init(&e->stats);
	return &e->stats;
}

static inline struct ctprof_compare_opts tc_opts(enum ctprof_group_by g)
{
	struct ctprof_compare_opts o;

	memset(&o, 0, sizeof(o));
	o.sz = sizeof(o);
	o.group_by = g;
	return o;
}

/* Index of the pair with this display key (NUL-free keys only), or -1. */
static inline long tc_pair(const struct ctprof_diff *d, const char *key, size_t len)
{
	size_t i;

	for (i = 0; i < d->n_pairs; i++)
		if (d->pairs[i].key.len == len && memcmp(d->pairs[i].key.s, key, len) == 0)
			return (long)i;
	return -1;
}

/* The primary row of (pair, metric name), or NULL. */
static inline const struct ctprof_row *tc_row(const struct ctprof_diff *d, long pair,
					      const char *metric)
{
	unsigned idx;
	size_t i;

	if (ctprof_metric_lookup(metric, &idx) != CTPROF_MK_PRIMARY)
		return NULL;
	for (i = 0; i < d->n_rows; i++)
		if ((long)d->rows[i].pair == pair && d->rows[i].metric == idx)
			return &d->rows[i];
	return NULL;
}

static inline const struct ctprof_row *tc_drow(const struct ctprof_diff *d, long pair,
					       const char *metric)
{
	unsigned idx;
	size_t i;

	if (ctprof_metric_lookup(metric, &idx) != CTPROF_MK_DERIVED)
		return NULL;
	for (i = 0; i < d->n_derived_rows; i++)
		if ((long)d->derived_rows[i].pair == pair && d->derived_rows[i].metric == idx)
			return &d->derived_rows[i];
	return NULL;
}

static inline unsigned tc_idx(const char *metric)
{
	unsigned idx = 0;

	if (ctprof_metric_lookup(metric, &idx) == CTPROF_MK_NONE)
		abort();
	return idx;
}

#endif
