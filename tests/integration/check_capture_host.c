/* SPDX-License-Identifier: MIT */
/*
 * fixtures/proc-trees/host-snapshot, made by scripts/capture-fixture from a
 * live host: the synthetic capture of the copied tree must agree with the
 * two live captures taken just before (B) and just after (A) the copy.
 *
 * What is exactly comparable, and how:
 * - A thread is (tid, start_time): the fixture holds every thread of its
 *   processes that lived through both captures, and nothing that neither
 *   capture saw.
 * - Identity and configuration (pcomm, comm, cgroup, policy, nice,
 *   priority, rt_priority, cpu_affinity — the last from sched_getaffinity
 *   live, from Cpus_allowed_list in the tree) equal B's value whenever B
 *   and A agree: nothing renames or moves a task and back within a second.
 * - Cumulative counters and lifetime peaks (the COUNT, NS, TICKS, BYTES and
 *   PEAK kinds of the metric table) only grow: B <= fixture <= A. A file
 *   that live capture could not read (e.g. io of a process we may not
 *   trace) was not copied either, so both sides hold 0.
 * - Gauges and instantaneous state (state, processor, nr_threads,
 *   fair_slice_ns, ext_enabled, smaps_rollup values, memory.current,
 *   pids.current, PSI averages) can move either way between the reads and
 *   are not compared; smaps_rollup keys and memory.stat keys are.
 * - cgroup counters (cpu.stat, memory.events, PSI totals) bracket like
 *   thread counters; cgroup limits (cpu.max, weights, memory.max/high/low/
 *   min, pids.max) equal B when B and A agree. Host PSI totals bracket.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctprof/ctprof.h>

#include "testutil.h"

static struct ctprof_snapshot *before, *after, *fix;

static struct ctprof_snapshot *load(const char *name)
{
	char *p = tu_path("%s/proc-trees/host-snapshot/%s", CTPROF_FIXTURES_DIR, name);
	struct ctprof_snapshot *s = NULL;
	struct ctprof_error err = { 0 };

	ck_assert_msg(ctprof_snapshot_load(p, &s, &err) == 0, "load %s: %s", p, err.msg);
	free(p);
	return s;
}

static void setup(void)
{
	char *proc = tu_path("%s/proc-trees/host-snapshot/proc", CTPROF_FIXTURES_DIR);
	struct ctprof_capture_opts o = CTPROF_CAPTURE_OPTS(.proc_root = proc, .pin_time = true,
							   .captured_at_unix_ns = 1);
	struct ctprof_error err = { 0 };

	before = load("live-before.ctprof.zst");
	after = load("live-after.ctprof.zst");
	ck_assert_msg(ctprof_capture(&o, &fix, &err) == 0, "capture: %s", err.msg);
	free(proc);
}

static void teardown(void)
{
	ctprof_snapshot_free(before);
	ctprof_snapshot_free(after);
	ctprof_snapshot_free(fix);
	before = after = fix = NULL;
}

static const struct ctprof_thread *match(const struct ctprof_snapshot *s,
					 const struct ctprof_thread *t)
{
	size_t i;

	for (i = 0; i < s->n_threads; i++)
		if (s->threads[i].tid == t->tid && s->threads[i].tgid == t->tgid &&
		    s->threads[i].start_time_clock_ticks == t->start_time_clock_ticks)
			return &s->threads[i];
	return NULL;
}

static bool fixture_has_tgid(uint32_t tgid)
{
	size_t i;

	for (i = 0; i < fix->n_threads; i++)
		if (fix->threads[i].tgid == tgid)
			return true;
	return false;
}

static bool is_counter(const struct ctprof_field_desc *f)
{
	return f->ftype == CTPROF_FT_U64 &&
	       (f->fkind == CTPROF_FK_COUNT || f->fkind == CTPROF_FK_NS ||
		f->fkind == CTPROF_FK_TICKS || f->fkind == CTPROF_FK_BYTES ||
		f->fkind == CTPROF_FK_PEAK);
}

static bool is_config(const struct ctprof_field_desc *f)
{
	static const char *const names[] = { "pcomm", "comm", "cgroup", "policy", "nice",
					     "priority", "rt_priority", "cpu_affinity" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(f->name, names[i]) == 0)
			return true;
	return false;
}

static bool field_eq(const struct ctprof_thread *a, const struct ctprof_thread *b,
		     const struct ctprof_field_desc *f)
{
	const void *x = ctprof_field_cptr(a, f), *y = ctprof_field_cptr(b, f);

	switch (f->ftype) {
	case CTPROF_FT_STR:
		return strcmp(*(char *const *)x, *(char *const *)y) == 0;
	case CTPROF_FT_I32:
		return *(const int32_t *)x == *(const int32_t *)y;
	case CTPROF_FT_U32:
		return *(const uint32_t *)x == *(const uint32_t *)y;
	case CTPROF_FT_CPUSET: {
		const struct ctprof_cpuset *c = x, *d = y;

		return c->n == d->n && (c->n == 0 || memcmp(c->cpus, d->cpus, c->n * sizeof(*c->cpus)) == 0);
	}
	default:
		return false;
	}
}

static bool same_keys(const struct ctprof_kvmap *a, const struct ctprof_kvmap *b)
{
	size_t i;

	if (a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++)
		if (strcmp(a->items[i].key, b->items[i].key) != 0)
			return false;
	return true;
}

START_TEST(test_thread_sets)
{
	size_t i, both = 0, procs = 0;

	ck_assert_ptr_nonnull(before->host);
	ck_assert_ptr_nonnull(after->host);
	ck_assert_ptr_null(fix->host);
	ck_assert_ptr_null(fix->parse_summary);
	/* dozens of processes */
	for (i = 0; i < fix->n_threads; i++)
		if (i == 0 || fix->threads[i].tgid != fix->threads[i - 1].tgid)
			procs++;
	ck_assert_uint_ge(procs, 24);
	/* nothing invented: every fixture thread was seen live */
	for (i = 0; i < fix->n_threads; i++) {
		const struct ctprof_thread *t = &fix->threads[i];

		ck_assert_msg(match(before, t) || match(after, t), "%u/%u (%s) seen by neither capture",
			      t->tgid, t->tid, t->comm);
	}
	/* nothing lost: every thread of those processes alive throughout is there */
	for (i = 0; i < before->n_threads; i++) {
		const struct ctprof_thread *t = &before->threads[i];

		if (!fixture_has_tgid(t->tgid) || !match(after, t))
			continue;
		ck_assert_msg(match(fix, t) != NULL, "%u/%u (%s) alive throughout, not in the fixture",
			      t->tgid, t->tid, t->comm);
		both++;
	}
	ck_assert_uint_ge(both, fix->n_threads * 9 / 10);
}
END_TEST

START_TEST(test_thread_fields)
{
	const struct ctprof_field_desc *f = ctprof_fields();
	size_t i, k, compared = 0, grown = 0;

	for (i = 0; i < fix->n_threads; i++) {
		const struct ctprof_thread *t = &fix->threads[i];
		const struct ctprof_thread *b = match(before, t), *a = match(after, t);

		for (k = 0; k < CTPROF_THREAD_NFIELDS; k++) {
			if (is_counter(&f[k])) {
				uint64_t v = *(const uint64_t *)ctprof_field_cptr(t, &f[k]);

				if (b)
					ck_assert_msg(*(const uint64_t *)ctprof_field_cptr(b, &f[k]) <= v,
						      "%u/%u %s: before %llu > fixture %llu", t->tgid, t->tid,
						      f[k].name,
						      (unsigned long long)*(const uint64_t *)ctprof_field_cptr(b, &f[k]),
						      (unsigned long long)v);
				if (a)
					ck_assert_msg(v <= *(const uint64_t *)ctprof_field_cptr(a, &f[k]),
						      "%u/%u %s: fixture %llu > after %llu", t->tgid, t->tid,
						      f[k].name, (unsigned long long)v,
						      (unsigned long long)*(const uint64_t *)ctprof_field_cptr(a, &f[k]));
				if (b && a && *(const uint64_t *)ctprof_field_cptr(a, &f[k]) >
						      *(const uint64_t *)ctprof_field_cptr(b, &f[k]))
					grown++;
				compared++;
			} else if (is_config(&f[k]) && b && a && field_eq(b, a, &f[k])) {
				ck_assert_msg(field_eq(t, b, &f[k]), "%u/%u %s differs from the live captures",
					      t->tgid, t->tid, f[k].name);
				compared++;
			}
		}
		/* the taskstats and jemalloc parts are not in a tree */
		ck_assert(!t->taskstats_measured && !t->jemalloc_measured);
		if (b && a && b->smaps_rollup_kib.n && a->smaps_rollup_kib.n && same_keys(&b->smaps_rollup_kib, &a->smaps_rollup_kib))
			ck_assert(same_keys(&t->smaps_rollup_kib, &b->smaps_rollup_kib));
		/* a real value reached the fixture */
		ck_assert(t->comm[0] && t->start_time_clock_ticks > 0);
	}
	ck_assert_uint_gt(compared, fix->n_threads * 30);
	/* sanity: some counters did move on the live host, so the bracket is tested */
	ck_assert_uint_gt(grown, 0);
}
END_TEST

static const struct ctprof_cgroup_stats *cg_of(const struct ctprof_snapshot *s, const char *path)
{
	size_t i;

	for (i = 0; i < s->n_cgroups; i++)
		if (strcmp(s->cgroups[i].path, path) == 0)
			return &s->cgroups[i].stats;
	return NULL;
}

#define BRACKET(what, b, v, a)                                                                    \
	do {                                                                                      \
		ck_assert_msg((b) <= (v), "%s: before %llu > fixture %llu", what,                 \
			      (unsigned long long)(b), (unsigned long long)(v));                  \
		ck_assert_msg((v) <= (a), "%s: fixture %llu > after %llu", what,                  \
			      (unsigned long long)(v), (unsigned long long)(a));                  \
	} while (0)

static void psi_bracket(const char *what, const struct ctprof_psi *b, const struct ctprof_psi *v,
			const struct ctprof_psi *a)
{
	const struct ctprof_psi_resource *rb[] = { &b->cpu, &b->memory, &b->io, &b->irq };
	const struct ctprof_psi_resource *rv[] = { &v->cpu, &v->memory, &v->io, &v->irq };
	const struct ctprof_psi_resource *ra[] = { &a->cpu, &a->memory, &a->io, &a->irq };
	int i;

	for (i = 0; i < 4; i++) {
		BRACKET(what, rb[i]->some.total_usec, rv[i]->some.total_usec, ra[i]->some.total_usec);
		BRACKET(what, rb[i]->full.total_usec, rv[i]->full.total_usec, ra[i]->full.total_usec);
	}
}

static bool opt_eq(struct ctprof_opt_u64 x, struct ctprof_opt_u64 y)
{
	return x.set == y.set && (!x.set || x.v == y.v);
}

START_TEST(test_cgroups_psi_sched_ext)
{
	size_t i, k;

	ck_assert_uint_gt(fix->n_cgroups, 0);
	for (i = 0; i < fix->n_cgroups; i++) {
		const char *p = fix->cgroups[i].path;
		const struct ctprof_cgroup_stats *v = &fix->cgroups[i].stats;
		const struct ctprof_cgroup_stats *b = cg_of(before, p), *a = cg_of(after, p);

		ck_assert_msg(b && a, "cgroup %s not in both live captures", p);
		BRACKET(p, b->cpu.usage_usec, v->cpu.usage_usec, a->cpu.usage_usec);
		BRACKET(p, b->cpu.nr_throttled, v->cpu.nr_throttled, a->cpu.nr_throttled);
		BRACKET(p, b->cpu.throttled_usec, v->cpu.throttled_usec, a->cpu.throttled_usec);
		if (opt_eq(b->cpu.max_quota_us, a->cpu.max_quota_us))
			ck_assert(opt_eq(v->cpu.max_quota_us, b->cpu.max_quota_us));
		if (b->cpu.max_period_us == a->cpu.max_period_us)
			ck_assert_uint_eq(v->cpu.max_period_us, b->cpu.max_period_us);
		if (opt_eq(b->cpu.weight, a->cpu.weight))
			ck_assert(opt_eq(v->cpu.weight, b->cpu.weight));
		if (opt_eq(b->memory.max, a->memory.max))
			ck_assert(opt_eq(v->memory.max, b->memory.max));
		if (opt_eq(b->memory.high, a->memory.high))
			ck_assert(opt_eq(v->memory.high, b->memory.high));
		if (opt_eq(b->memory.low, a->memory.low))
			ck_assert(opt_eq(v->memory.low, b->memory.low));
		if (opt_eq(b->memory.min, a->memory.min))
			ck_assert(opt_eq(v->memory.min, b->memory.min));
		if (opt_eq(b->pids.max, a->pids.max))
			ck_assert(opt_eq(v->pids.max, b->pids.max));
		if (same_keys(&b->memory.stat, &a->memory.stat))
			ck_assert(same_keys(&v->memory.stat, &b->memory.stat));
		if (same_keys(&b->memory.events, &a->memory.events)) {
			ck_assert(same_keys(&v->memory.events, &b->memory.events));
			for (k = 0; k < v->memory.events.n; k++)
				BRACKET(v->memory.events.items[k].key, b->memory.events.items[k].value,
					v->memory.events.items[k].value, a->memory.events.items[k].value);
		}
		psi_bracket(p, &b->psi, &v->psi, &a->psi);
	}
	psi_bracket("host psi", &before->psi, &fix->psi, &after->psi);
	if (!before->sched_ext && !after->sched_ext) {
		ck_assert_ptr_null(fix->sched_ext);
	} else if (before->sched_ext && after->sched_ext &&
		   strcmp(before->sched_ext->state, after->sched_ext->state) == 0) {
		ck_assert_ptr_nonnull(fix->sched_ext);
		ck_assert_str_eq(fix->sched_ext->state, before->sched_ext->state);
	}
}
END_TEST

START_TEST(test_deterministic)
{
	char *proc = tu_path("%s/proc-trees/host-snapshot/proc", CTPROF_FIXTURES_DIR);
	struct ctprof_capture_opts o = CTPROF_CAPTURE_OPTS(.proc_root = proc, .pin_time = true,
							   .captured_at_unix_ns = 1, .jobs = 1);
	struct ctprof_snapshot *s = NULL;
	struct ctprof_error err = { 0 };
	char *j1 = NULL, *j2 = NULL;
	size_t l1, l2;

	ck_assert_int_eq(ctprof_capture(&o, &s, &err), 0);
	ck_assert_int_eq(ctprof_snapshot_to_json(s, &j1, &l1, &err), 0);
	ck_assert_int_eq(ctprof_snapshot_to_json(fix, &j2, &l2, &err), 0);
	ck_assert_msg(l1 == l2 && memcmp(j1, j2, l1) == 0, "jobs 1 and the default differ");
	free(j1);
	free(j2);
	ctprof_snapshot_free(s);
	free(proc);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("capture-host-fixture");
	TCase *tc = tcase_create("host-snapshot");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_thread_sets);
	tcase_add_test(tc, test_thread_fields);
	tcase_add_test(tc, test_cgroups_psi_sched_ext);
	tcase_add_test(tc, test_deterministic);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
