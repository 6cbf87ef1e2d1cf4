/* SPDX-License-Identifier: MIT */
/*
 * Beyond ktstr: the host-context diff (compare-engine.md §14) and the three
 * capture summaries, as text sections and as field lists for JSON.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rnd.h"

#define ARROW " \xe2\x86\x92 "

struct fl {
	struct rh_field *v;
	size_t n, cap;
	bool oom;
};

static char *dup_u64(const struct ctprof_opt_u64 *o)
{
	char tmp[24];

	if (!o || !o->set)
		return NULL;
	ctprof_fmt_u64(tmp, o->v);
	return ctprof_strdup(tmp);
}

static void add(struct fl *f, const char *key, char *a, char *b, const char *miss)
{
	char *k = ctprof_strdup(key);

	if (f->oom || !k) {
		f->oom = true;
		free(k);
		free(a);
		free(b);
		return;
	}
	if (f->n == f->cap) {
		size_t nc = f->cap ? f->cap * 2 : 32;
		struct rh_field *t = ctprof_realloc(f->v, nc * sizeof(*t));

		if (!t) {
			f->oom = true;
			free(k);
			free(a);
			free(b);
			return;
		}
		f->v = t;
		f->cap = nc;
	}
	f->v[f->n].key = k;
	f->v[f->n].a = a;
	f->v[f->n].b = b;
	f->v[f->n].miss = miss;
	f->n++;
}

static void add_str(struct fl *f, const char *key, const char *a, const char *b)
{
	add(f, key, a ? ctprof_strdup(a) : NULL, b ? ctprof_strdup(b) : NULL, "(unknown)");
}

static void add_u64(struct fl *f, const char *key, const struct ctprof_opt_u64 *a,
		    const struct ctprof_opt_u64 *b)
{
	add(f, key, dup_u64(a), dup_u64(b), "(unknown)");
}

static const char *delayacct_name(enum ctprof_delayacct d)
{
	switch (d) {
	case CTPROF_DELAYACCT_CONFIG_OFF:
		return "config_off";
	case CTPROF_DELAYACCT_RUNTIME_OFF:
		return "runtime_off";
	case CTPROF_DELAYACCT_ON:
		return "on";
	default:
		return NULL;
	}
}

static const char *xacct_name(enum ctprof_xacct x)
{
	switch (x) {
	case CTPROF_XACCT_ON:
		return "on";
	case CTPROF_XACCT_OFF:
		return "off";
	case CTPROF_XACCT_UNKNOWN:
		return "unknown";
	default:
		return NULL;
	}
}

static const char *governor(const struct ctprof_host *h, uint32_t cpu)
{
	size_t i;

	for (i = 0; h && i < h->n_cpufreq_governor; i++)
		if (h->cpufreq_governor[i].cpu == cpu)
			return h->cpufreq_governor[i].governor;
	return NULL;
}

static const char *tunable(const struct ctprof_host *h, const char *key)
{
	size_t i;

	for (i = 0; h && h->has_sched_tunables && i < h->sched_tunables.n; i++)
		if (strcmp(h->sched_tunables.items[i].key, key) == 0)
			return h->sched_tunables.items[i].value;
	return NULL;
}

static char *entries(size_t n)
{
	char tmp[48];

	if (n == 0)
		return ctprof_strdup("(empty)");
	if (n == 1)
		return ctprof_strdup("(1 entry)");
	(void)snprintf(tmp, sizeof(tmp), "(%zu entries)", n);
	return ctprof_strdup(tmp);
}

int rh_host_fields(const struct ctprof_host *a, const struct ctprof_host *c,
		   struct rh_field **out, size_t *nout)
{
	static const struct ctprof_opt_u64 none = { false, 0 };
	struct fl f = { 0 };
	size_t i, j;
	char key[600];

#define S(field) add_str(&f, #field, a ? a->field : NULL, c ? c->field : NULL)
#define U(field) add_u64(&f, #field, a ? &a->field : &none, c ? &c->field : &none)
	S(kernel_name);
	S(kernel_release);
	S(arch);
	S(cpu_model);
	S(cpu_vendor);
	U(total_memory_kib);
	U(hugepages_total);
	U(hugepages_free);
	U(hugepages_size_kib);
	U(online_cpus);
	U(numa_nodes);
	S(thp_enabled);
	S(thp_defrag);
	S(kernel_cmdline);
#undef S
#undef U
	/* cpufreq_governor.cpuN over the union of CPU ids (both lists ascending) */
	i = j = 0;
	while ((a && i < a->n_cpufreq_governor) || (c && j < c->n_cpufreq_governor)) {
		uint32_t ca = a && i < a->n_cpufreq_governor ? a->cpufreq_governor[i].cpu : UINT32_MAX;
		uint32_t cc = c && j < c->n_cpufreq_governor ? c->cpufreq_governor[j].cpu : UINT32_MAX;
		uint32_t cpu = ca < cc ? ca : cc;

		(void)snprintf(key, sizeof(key), "cpufreq_governor.cpu%" PRIu32, cpu);
		add(&f, key, governor(a, cpu) ? ctprof_strdup(governor(a, cpu)) : NULL,
		    governor(c, cpu) ? ctprof_strdup(governor(c, cpu)) : NULL, "(absent)");
		if (ca <= cc)
			i++;
		if (cc <= ca)
			j++;
	}
	/* sched_tunables: per key when both sides have the map, else one count line */
	{
		bool ha = a && a->has_sched_tunables, hc = c && c->has_sched_tunables;

		if (ha && hc) {
			i = j = 0;
			while (i < a->sched_tunables.n || j < c->sched_tunables.n) {
				int cmp = i >= a->sched_tunables.n ? 1 : j >= c->sched_tunables.n ? -1
					  : strcmp(a->sched_tunables.items[i].key,
						   c->sched_tunables.items[j].key);
				const char *k = cmp <= 0 ? a->sched_tunables.items[i].key
							 : c->sched_tunables.items[j].key;

				(void)snprintf(key, sizeof(key), "sched_tunables.%s", k);
				add(&f, key, tunable(a, k) ? ctprof_strdup(tunable(a, k)) : NULL,
				    tunable(c, k) ? ctprof_strdup(tunable(c, k)) : NULL, "(absent)");
				if (cmp <= 0)
					i++;
				if (cmp >= 0)
					j++;
			}
		} else if (ha || hc) {
			add(&f, "sched_tunables", ha ? entries(a->sched_tunables.n) : NULL,
			    hc ? entries(c->sched_tunables.n) : NULL, "(unknown)");
		}
	}
	/* heap_state sub-fields */
	if ((a && a->has_heap_state) || (c && c->has_heap_state)) {
		const struct ctprof_heap_state *ha = a && a->has_heap_state ? &a->heap_state : NULL;
		const struct ctprof_heap_state *hc = c && c->has_heap_state ? &c->heap_state : NULL;

#define H(field) add_u64(&f, "heap_state." #field, ha ? &ha->field : &none, hc ? &hc->field : &none)
		H(active_bytes);
		H(allocated_bytes);
		H(resident_bytes);
		H(mapped_bytes);
		H(narenas);
#undef H
	}
	add_str(&f, "task_delayacct", a ? delayacct_name(a->task_delayacct) : NULL,
		c ? delayacct_name(c->task_delayacct) : NULL);
	add_str(&f, "config_task_xacct", a ? xacct_name(a->config_task_xacct) : NULL,
		c ? xacct_name(c->config_task_xacct) : NULL);
	if (f.oom) {
		rh_fields_free(f.v, f.n);
		return -ENOMEM;
	}
	*out = f.v;
	*nout = f.n;
	return 0;
}

void rh_fields_free(struct rh_field *f, size_t n)
{
	size_t i;

	for (i = 0; f && i < n; i++) {
		free(f[i].key);
		free(f[i].a);
		free(f[i].b);
	}
	free(f);
}

static bool same(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

static void put_val(struct ctprof_buf *b, const char *v, const char *miss)
{
	if (v)
		rf_name(b, v, strlen(v));
	else
		ctprof_buf_puts(b, miss);
}

static void quoted(struct ctprof_buf *b, const char *name)
{
	ctprof_buf_putc(b, '\'');
	rf_name(b, name ? name : "", strlen(name ? name : ""));
	ctprof_buf_putc(b, '\'');
}

int rh_host_diff(struct ctprof_buf *b, const struct ctprof_snapshot *sa,
		 const struct ctprof_snapshot *sc, const char *an, const char *cn)
{
	const struct ctprof_host *a = sa->host, *c = sc->host;
	struct rh_field *f = NULL;
	size_t n = 0, i;
	bool differ = false, heap_open = false;

	if (!a && !c)
		return 0;
	ctprof_buf_puts(b, "\n## Host context\n");
	if (!a || !c) {
		ctprof_buf_puts(b, "host: captured in ");
		quoted(b, a ? an : cn);
		ctprof_buf_puts(b, " only, delta unavailable\n");
		return b->oom ? -ENOMEM : 0;
	}
	if (rh_host_fields(a, c, &f, &n) < 0)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		if (!same(f[i].a, f[i].b))
			differ = true;
	if (!differ) {
		ctprof_buf_puts(b, "host: identical between ");
		quoted(b, an);
		ctprof_buf_puts(b, " and ");
		quoted(b, cn);
		if (a->arch && c->arch) {
			ctprof_buf_puts(b, " (arch: ");
			rf_name(b, a->arch, strlen(a->arch));
			ctprof_buf_putc(b, ')');
		}
		ctprof_buf_putc(b, '\n');
		rh_fields_free(f, n);
		return b->oom ? -ENOMEM : 0;
	}
	ctprof_buf_puts(b, "host delta (");
	quoted(b, an);
	ctprof_buf_puts(b, ARROW);
	quoted(b, cn);
	ctprof_buf_puts(b, "):\n");
	for (i = 0; i < n; i++) {
		bool heap = strncmp(f[i].key, "heap_state.", 11) == 0;

		if (same(f[i].a, f[i].b))
			continue;
		if (heap && a->has_heap_state != c->has_heap_state) {
			if (!heap_open) {
				ctprof_buf_puts(b, a->has_heap_state ? "  heap_state: (present)" ARROW
								       "(unknown)\n"
								     : "  heap_state: (unknown)" ARROW
								       "(present)\n");
				heap_open = true;
			}
			continue;
		}
		if (heap) {
			if (!heap_open)
				ctprof_buf_puts(b, "  heap_state:\n");
			heap_open = true;
			ctprof_buf_puts(b, "    ");
			rf_name(b, f[i].key + 11, strlen(f[i].key + 11));
		} else {
			ctprof_buf_puts(b, "  ");
			rf_name(b, f[i].key, strlen(f[i].key));
		}
		ctprof_buf_puts(b, ": ");
		put_val(b, f[i].a, f[i].miss);
		ctprof_buf_puts(b, ARROW);
		put_val(b, f[i].b, f[i].miss);
		ctprof_buf_putc(b, '\n');
	}
	rh_fields_free(f, n);
	return b->oom ? -ENOMEM : 0;
}

int rh_host_show(struct ctprof_buf *b, const struct ctprof_snapshot *s, bool color, unsigned wrap)
{
	struct rh_field *f = NULL;
	struct rt_table t;
	size_t n = 0, i;
	int r;

	if (!s->host)
		return 0;
	if (rh_host_fields(s->host, s->host, &f, &n) < 0)
		return -ENOMEM;
	ctprof_buf_puts(b, "\n## Host context\n");
	rt_init(&t, 2);
	rt_row(&t, RT_HEADER);
	rt_cells(&t, "key", RT_NONE, false);
	rt_cells(&t, "value", RT_NONE, false);
	for (i = 0; i < n; i++) {
		struct ctprof_buf v = { 0 };

		if (!f[i].a)
			continue;
		rt_row(&t, RT_DATA);
		rf_name(&v, f[i].key, strlen(f[i].key));
		rt_cell(&t, v.data ? v.data : "", v.len, RT_NONE, false);
		v.len = 0;
		rf_name(&v, f[i].a, strlen(f[i].a));
		rt_cell(&t, v.data ? v.data : "", v.len, RT_NONE, false);
		ctprof_buf_free(&v);
	}
	r = rt_render(&t, b, color, wrap);
	rt_free(&t);
	rh_fields_free(f, n);
	return r;
}

static char *u64s(uint64_t v)
{
	char tmp[24];

	ctprof_fmt_u64(tmp, v);
	return ctprof_strdup(tmp);
}

static char *opt_str(const char *s)
{
	return ctprof_strdup(s ? s : "null");
}

int rh_summary_fields(const struct ctprof_snapshot *sa, const struct ctprof_snapshot *sc,
		      struct rh_field **out, size_t *nout)
{
	const struct ctprof_probe_summary *pa = sa->probe_summary, *pc = sc->probe_summary;
	const struct ctprof_parse_summary *qa = sa->parse_summary, *qc = sc->parse_summary;
	const struct ctprof_taskstats_summary *ta = sa->taskstats_summary, *tc = sc->taskstats_summary;
	struct fl f = { 0 };
	size_t i, j;
	char key[600];

#define N(name, A, C, field) add(&f, name, (A) ? u64s((A)->field) : NULL, (C) ? u64s((C)->field) : NULL, "-")
#define B(name, A, C, field)                                                               \
	add(&f, name, (A) ? ctprof_strdup((A)->field ? "true" : "false") : NULL,           \
	    (C) ? ctprof_strdup((C)->field ? "true" : "false") : NULL, "-")
#define O(name, A, C, field) add(&f, name, (A) ? opt_str((A)->field) : NULL, (C) ? opt_str((C)->field) : NULL, "-")
	if (pa || pc) {
		N("probe_summary.tgids_walked", pa, pc, tgids_walked);
		N("probe_summary.jemalloc_detected", pa, pc, jemalloc_detected);
		N("probe_summary.probed_ok", pa, pc, probed_ok);
		N("probe_summary.failed", pa, pc, failed);
		O("probe_summary.dominant_failure", pa, pc, dominant_failure);
		B("probe_summary.privilege_dominant", pa, pc, privilege_dominant);
	}
	if (qa || qc) {
		N("parse_summary.tids_walked", qa, qc, tids_walked);
		N("parse_summary.read_failures", qa, qc, read_failures);
		i = j = 0;
		while ((qa && i < qa->read_failures_by_file.n) || (qc && j < qc->read_failures_by_file.n)) {
			const struct ctprof_kvmap *ma = qa ? &qa->read_failures_by_file : NULL;
			const struct ctprof_kvmap *mc = qc ? &qc->read_failures_by_file : NULL;
			int cmp = !ma || i >= ma->n ? 1 : !mc || j >= mc->n ? -1
				  : strcmp(ma->items[i].key, mc->items[j].key);
			const char *k = cmp <= 0 ? ma->items[i].key : mc->items[j].key;

			(void)snprintf(key, sizeof(key), "parse_summary.read_failures_by_file.%s", k);
			add(&f, key, cmp <= 0 ? u64s(ma->items[i].value) : NULL,
			    cmp >= 0 ? u64s(mc->items[j].value) : NULL, "-");
			if (cmp <= 0)
				i++;
			if (cmp >= 0)
				j++;
		}
		O("parse_summary.dominant_read_failure", qa, qc, dominant_read_failure);
		B("parse_summary.kernel_config_dominant", qa, qc, kernel_config_dominant);
		N("parse_summary.negative_dotted_values", qa, qc, negative_dotted_values);
	}
	if (ta || tc) {
		N("taskstats_summary.ok_count", ta, tc, ok_count);
		N("taskstats_summary.eperm_count", ta, tc, eperm_count);
		N("taskstats_summary.esrch_count", ta, tc, esrch_count);
		N("taskstats_summary.other_err_count", ta, tc, other_err_count);
	}
#undef N
#undef B
#undef O
	if (f.oom) {
		rh_fields_free(f.v, f.n);
		return -ENOMEM;
	}
	*out = f.v;
	*nout = f.n;
	return 0;
}

int rh_summaries(struct ctprof_buf *b, const struct ctprof_snapshot *a,
		 const struct ctprof_snapshot *c, bool color, unsigned wrap)
{
	struct rh_field *f = NULL;
	struct rt_table t;
	bool one = a == c;
	size_t n = 0, i;
	int r;

	if (rh_summary_fields(a, c, &f, &n) < 0)
		return -ENOMEM;
	if (n == 0) {
		free(f);
		return 0;
	}
	ctprof_buf_puts(b, "\n## Capture summaries\n");
	rt_init(&t, one ? 2 : 3);
	rt_row(&t, RT_HEADER);
	rt_cells(&t, "field", RT_NONE, false);
	rt_cells(&t, one ? "value" : "baseline", RT_NONE, false);
	if (!one)
		rt_cells(&t, "candidate", RT_NONE, false);
	for (i = 0; i < n; i++) {
		struct ctprof_buf v = { 0 };

		rt_row(&t, RT_DATA);
		rf_name(&v, f[i].key, strlen(f[i].key));
		rt_cell(&t, v.data ? v.data : "", v.len, RT_NONE, false);
		v.len = 0;
		put_val(&v, f[i].a, f[i].miss);
		rt_cell(&t, v.data ? v.data : "", v.len, RT_NONE, false);
		if (!one) {
			v.len = 0;
			put_val(&v, f[i].b, f[i].miss);
			rt_cell(&t, v.data ? v.data : "", v.len, RT_NONE, false);
		}
		ctprof_buf_free(&v);
	}
	r = rt_render(&t, b, color, wrap);
	rt_free(&t);
	rh_fields_free(f, n);
	return r;
}
