/* SPDX-License-Identifier: MIT */
/* The snapshot data model: the field table, constructors and destructors. */
#include <ctprof/snapshot.h>

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "../util/util.h"

static const struct ctprof_field_desc fields[CTPROF_F__COUNT] = {
#define CTPROF__X(name_, ftype_, fkind_, reg_, agg_, class_, gates_, pred_, pol_, sec_) \
	{                                                                              \
		.name = #name_,                                                        \
		.ftype = CTPROF_FT_##ftype_,                                           \
		.fkind = CTPROF_FK_##fkind_,                                           \
		.reg = (reg_),                                                         \
		.agg = CTPROF_AGG_##agg_,                                              \
		.klass = CTPROF_CLASS_##class_,                                        \
		.gates = (gates_),                                                     \
		.pred = CTPROF_PRED_##pred_,                                           \
		.polarity = CTPROF_POL_##pol_,                                         \
		.section = CTPROF_SEC_##sec_,                                          \
		.offset = offsetof(struct ctprof_thread, name_),                       \
	},
	CTPROF_THREAD_FIELDS(CTPROF__X)
#undef CTPROF__X
};

CTPROF_API const struct ctprof_field_desc *ctprof_fields(void)
{
	return fields;
}

CTPROF_API const struct ctprof_field_desc *ctprof_field_by_name(const char *name)
{
	size_t i;

	if (!name)
		return NULL;
	for (i = 0; i < CTPROF_F__COUNT; i++)
		if (strcmp(fields[i].name, name) == 0)
			return &fields[i];
	return NULL;
}

CTPROF_API const char *ctprof_schema_name(enum ctprof_schema s)
{
	switch (s) {
	case CTPROF_SCHEMA_NEW:
		return "98-field threads (current ktstr schema)";
	case CTPROF_SCHEMA_OLD:
		return "93-field threads (older ktstr schema, no capture flags)";
	case CTPROF_SCHEMA_MIXED:
		return "mixed 93- and 98-field threads";
	case CTPROF_SCHEMA_NONE:
	default:
		return "no threads";
	}
}

CTPROF_API struct ctprof_snapshot *ctprof_snapshot_new(void)
{
	struct ctprof_snapshot *s = ctprof_calloc(1, sizeof(*s));

	if (!s)
		errno = ENOMEM;
	return s;
}

CTPROF_API int ctprof_thread_init(struct ctprof_thread *t)
{
	memset(t, 0, sizeof(*t));
	t->state = '~';
	t->pcomm = ctprof_strdup("");
	t->comm = ctprof_strdup("");
	t->cgroup = ctprof_strdup("");
	t->policy = ctprof_strdup("");
	if (!t->pcomm || !t->comm || !t->cgroup || !t->policy) {
		ctprof_thread_clear(t);
		return -ENOMEM;
	}
	return 0;
}

CTPROF_API void ctprof_thread_clear(struct ctprof_thread *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < CTPROF_F__COUNT; i++) {
		void *p = ctprof_field_ptr(t, &fields[i]);

		switch (fields[i].ftype) {
		case CTPROF_FT_STR:
			free(*(char **)p);
			*(char **)p = NULL;
			break;
		case CTPROF_FT_CPUSET:
			free(((struct ctprof_cpuset *)p)->cpus);
			((struct ctprof_cpuset *)p)->cpus = NULL;
			((struct ctprof_cpuset *)p)->n = 0;
			break;
		case CTPROF_FT_KVMAP:
			ctprof_kvmap_clear(p);
			break;
		default:
			break;
		}
	}
}

CTPROF_API void ctprof_kvmap_clear(struct ctprof_kvmap *m)
{
	size_t i;

	if (!m)
		return;
	for (i = 0; i < m->n; i++)
		free(m->items[i].key);
	free(m->items);
	m->items = NULL;
	m->n = 0;
}

CTPROF_API void ctprof_strmap_clear(struct ctprof_strmap *m)
{
	size_t i;

	if (!m)
		return;
	for (i = 0; i < m->n; i++) {
		free(m->items[i].key);
		free(m->items[i].value);
	}
	free(m->items);
	m->items = NULL;
	m->n = 0;
}

/* Binary search on byte order; returns the insertion point, *found set. */
static size_t kv_find(const struct ctprof_kv *items, size_t n, const char *key, bool *found)
{
	size_t lo = 0, hi = n;

	*found = false;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(items[mid].key, key);

		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

CTPROF_API int ctprof_kvmap_set(struct ctprof_kvmap *m, const char *key, uint64_t value)
{
	bool found;
	size_t at = kv_find(m->items, m->n, key, &found);
	struct ctprof_kv *items;
	char *k;

	if (found) {
		m->items[at].value = value;
		return 0;
	}
	k = ctprof_strdup(key);
	if (!k)
		return -ENOMEM;
	items = ctprof_realloc(m->items, (m->n + 1) * sizeof(*items));
	if (!items) {
		free(k);
		return -ENOMEM;
	}
	memmove(items + at + 1, items + at, (m->n - at) * sizeof(*items));
	items[at].key = k;
	items[at].value = value;
	m->items = items;
	m->n++;
	return 0;
}

CTPROF_API bool ctprof_kvmap_get(const struct ctprof_kvmap *m, const char *key, uint64_t *value)
{
	bool found;
	size_t at = kv_find(m->items, m->n, key, &found);

	if (found && value)
		*value = m->items[at].value;
	return found;
}

CTPROF_API int ctprof_strmap_set(struct ctprof_strmap *m, const char *key, const char *value)
{
	size_t lo = 0, hi = m->n;
	struct ctprof_strkv *items;
	char *k, *v;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(m->items[mid].key, key);

		if (c == 0) {
			v = ctprof_strdup(value);
			if (!v)
				return -ENOMEM;
			free(m->items[mid].value);
			m->items[mid].value = v;
			return 0;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	k = ctprof_strdup(key);
	v = ctprof_strdup(value);
	items = (k && v) ? ctprof_realloc(m->items, (m->n + 1) * sizeof(*items)) : NULL;
	if (!items) {
		free(k);
		free(v);
		return -ENOMEM;
	}
	memmove(items + lo + 1, items + lo, (m->n - lo) * sizeof(*items));
	items[lo].key = k;
	items[lo].value = v;
	m->items = items;
	m->n++;
	return 0;
}

CTPROF_API void ctprof_host_free(struct ctprof_host *h)
{
	size_t i;

	if (!h)
		return;
	free(h->cpu_model);
	free(h->cpu_vendor);
	free(h->thp_enabled);
	free(h->thp_defrag);
	ctprof_strmap_clear(&h->sched_tunables);
	for (i = 0; i < h->n_cpufreq_governor; i++)
		free(h->cpufreq_governor[i].governor);
	free(h->cpufreq_governor);
	free(h->kernel_name);
	free(h->kernel_release);
	free(h->arch);
	free(h->kernel_cmdline);
	free(h);
}

CTPROF_API void ctprof_cgroup_stats_init(struct ctprof_cgroup_stats *cg)
{
	memset(cg, 0, sizeof(*cg));
	cg->cpu.max_period_us = 100000;
}

CTPROF_API void ctprof_cgroup_stats_clear(struct ctprof_cgroup_stats *cg)
{
	if (!cg)
		return;
	ctprof_kvmap_clear(&cg->memory.stat);
	ctprof_kvmap_clear(&cg->memory.events);
}

CTPROF_API void ctprof_snapshot_free(struct ctprof_snapshot *s)
{
	size_t i;

	if (!s)
		return;
	ctprof_host_free(s->host);
	for (i = 0; i < s->n_threads; i++)
		ctprof_thread_clear(&s->threads[i]);
	free(s->threads);
	for (i = 0; i < s->n_cgroups; i++) {
		free(s->cgroups[i].path);
		ctprof_cgroup_stats_clear(&s->cgroups[i].stats);
	}
	free(s->cgroups);
	if (s->probe_summary)
		free(s->probe_summary->dominant_failure);
	free(s->probe_summary);
	if (s->parse_summary) {
		ctprof_kvmap_clear(&s->parse_summary->read_failures_by_file);
		free(s->parse_summary->dominant_read_failure);
	}
	free(s->parse_summary);
	free(s->taskstats_summary);
	if (s->sched_ext)
		free(s->sched_ext->state);
	free(s->sched_ext);
	free(s->interval);
	free(s);
}
