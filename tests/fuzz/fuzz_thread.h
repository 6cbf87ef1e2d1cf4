/* SPDX-License-Identifier: MIT */
/* Shared by the per-thread procfs parser targets. */
#ifndef CTPROF_TESTS_FUZZ_THREAD_H
#define CTPROF_TESTS_FUZZ_THREAD_H

#include "capture/parse.h"

#include "fuzz.h"

/* Strings a parser leaves in a thread are never NULL and are valid UTF-8. */
static inline void fuzz_thread_check(const struct ctprof_thread *t)
{
	FUZZ_CHECK(t->policy && ctprof_utf8_valid(t->policy, strlen(t->policy)));
	FUZZ_CHECK(t->comm && t->pcomm && t->cgroup);
}

/* The affinity set of a parsed list: non-empty, strictly increasing, bounded. */
static inline void fuzz_cpuset_check(const struct ctprof_cpuset *s)
{
	size_t i;

	FUZZ_CHECK(s->n > 0 && s->n <= CTPROF_CPULIST_MAX && s->cpus);
	for (i = 1; i < s->n; i++)
		FUZZ_CHECK(s->cpus[i - 1] < s->cpus[i]);
}

/* Keys of a parsed map: valid UTF-8, strictly sorted (duplicates merged). */
static inline void fuzz_kvmap_check(const struct ctprof_kvmap *m)
{
	size_t i;

	for (i = 0; i < m->n; i++) {
		FUZZ_CHECK(m->items[i].key && ctprof_utf8_valid(m->items[i].key,
								strlen(m->items[i].key)));
		if (i)
			FUZZ_CHECK(strcmp(m->items[i - 1].key, m->items[i].key) < 0);
	}
}

#endif
