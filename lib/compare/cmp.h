/* SPDX-License-Identifier: MIT */
/* Internal helpers of the compare engine: arena, hash map, key helpers. */
#ifndef CTPROF_LIB_COMPARE_CMP_H
#define CTPROF_LIB_COMPARE_CMP_H

#include <ctprof/compare.h>
#include <string.h>

#include "../util/util.h"

/* ---- bump allocator; everything a diff owns lives in one ---------------- */

struct cp_chunk;
struct cp_arena {
	struct cp_chunk *head;
	bool oom;
};
/* 8-byte aligned; NULL on ENOMEM (and a->oom set). */
CTPROF_HIDDEN void *cp_alloc(struct cp_arena *a, size_t n);
CTPROF_HIDDEN void *cp_zalloc(struct cp_arena *a, size_t n);
/* Copy n bytes and add a NUL. */
CTPROF_HIDDEN char *cp_memdup(struct cp_arena *a, const char *s, size_t n);
CTPROF_HIDDEN char *cp_strdup(struct cp_arena *a, const char *s);
CTPROF_HIDDEN void cp_arena_free(struct cp_arena *a);

/* ---- open-addressing hash map: byte string -> uint32 ------------------------ */

struct cp_hslot {
	const char *k; /* NULL: empty slot */
	uint32_t len;
	uint32_t hash;
	uint32_t val;
};
struct cp_hmap {
	struct cp_hslot *slots;
	size_t cap; /* power of two */
	size_t n;
};
CTPROF_HIDDEN uint32_t cp_hash(const char *s, size_t n);
CTPROF_HIDDEN int cp_hmap_init(struct cp_hmap *h, size_t expected);
CTPROF_HIDDEN void cp_hmap_free(struct cp_hmap *h);
/* Pointer to the value for key, or NULL. */
CTPROF_HIDDEN uint32_t *cp_hmap_get(const struct cp_hmap *h, const char *k, size_t len);
/*
 * Insert key (the pointer is kept: it must outlive the map) with val if
 * absent. Returns the value slot (existing or new), NULL on ENOMEM.
 */
CTPROF_HIDDEN uint32_t *cp_hmap_put(struct cp_hmap *h, const char *k, size_t len, uint32_t val,
				    bool *inserted);

/* ---- keys ---------------------------------------------------------------- */

/* Byte-lexicographic order of two byte strings (Rust String order). */
static inline int cp_keycmp(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t n = alen < blen ? alen : blen;
	int c = n ? memcmp(a, b, n) : 0;

	if (c)
		return c;
	return (alen > blen) - (alen < blen);
}
static inline int cp_kcmp(const struct ctprof_key *a, const struct ctprof_key *b)
{
	return cp_keycmp(a->s, a->len, b->s, b->len);
}

/* ---- pattern keys (pattern.c) -------------------------------------------- */

/* Append pattern_key(s[0..n)) to out. 0 or -ENOMEM. */
CTPROF_HIDDEN int cp_pattern_key(struct ctprof_buf *out, const char *s, size_t n);
/* Append the automatic cgroup key (Layers 1+2) of path to out. */
CTPROF_HIDDEN int cp_cgroup_normalize(struct ctprof_buf *out, const char *s, size_t n);
/* Would Rust's glob::Pattern::new accept this glob? */
CTPROF_HIDDEN bool cp_glob_valid(const char *glob);

/* ---- values (aggv.c) ------------------------------------------------------- */

/* Merge v into e for the N:1 fudge merge (§5.4); tallies allocated in a. */
CTPROF_HIDDEN int cp_aggv_merge(struct cp_arena *a, struct ctprof_aggv *e,
				const struct ctprof_aggv *v);
/* Derived metrics of one group's values: *mask bit i set when dv[i] valid. */
CTPROF_HIDDEN void cp_derive(const struct ctprof_aggv *m, double *dv, uint32_t *mask);

/* ---- grouping (groups.c) ----------------------------------------------------- */

/* Everything needed to key a thread, shared by both sides of a compare. */
struct cp_keyer {
	enum ctprof_group_by group_by;
	const char *const *flatten; /* valid globs only */
	size_t n_flatten;
	bool no_thread_normalize;
	bool no_cg_normalize;
	/* pattern_key(name) -> count, for the singleton revert (PCOMM/COMM) */
	struct cp_hmap counts;
	bool have_counts;
	/* post-flatten path -> index into cgkeys (memoised final cgroup keys) */
	struct cp_hmap cgmap;
	struct ctprof_key **cgkeys;
	size_t n_cgkeys, cap_cgkeys;
	struct cp_arena *arena; /* owns every string the keyer hands out */
	struct ctprof_buf tmp, tmp2;
};

CTPROF_HIDDEN int cp_keyer_init(struct cp_keyer *k, const struct ctprof_compare_opts *o,
				struct cp_arena *arena);
CTPROF_HIDDEN void cp_keyer_fini(struct cp_keyer *k);
/* Count pattern keys of the grouping field of every thread of s. */
CTPROF_HIDDEN int cp_keyer_count(struct cp_keyer *k, const struct ctprof_snapshot *s);
/* Final cgroup key (flatten, then normalization unless disabled). */
CTPROF_HIDDEN int cp_keyer_cgroup(struct cp_keyer *k, const char *path, struct ctprof_key *out);
/* The group key of a thread, written into k->tmp (len in k->tmp.len). */
CTPROF_HIDDEN int cp_keyer_thread(struct cp_keyer *k, const struct ctprof_thread *t);

/* Groups of one snapshot, sorted by key. */
struct cp_side {
	struct ctprof_group *groups;
	size_t n;
	uint32_t *thread_group; /* per thread of the snapshot: its group index */
};
CTPROF_HIDDEN int cp_build_groups(struct cp_keyer *k, const struct ctprof_snapshot *s,
				  struct cp_side *out);
CTPROF_HIDDEN void cp_side_free(struct cp_side *s);
/* Index of key in side (binary search), or -1. */
CTPROF_HIDDEN long cp_side_find(const struct cp_side *s, const char *key, size_t len);

/* smaps_rollup keys (§4.9); compound under ALL. Sorted by key. */
CTPROF_HIDDEN int cp_collect_smaps(struct cp_keyer *k, const struct ctprof_snapshot *s,
				   bool compound, struct ctprof_smaps_entry **out, size_t *n);
CTPROF_HIDDEN void cp_smaps_free(struct ctprof_smaps_entry *e, size_t n);

/* flatten_cgroup_stats (§4.5.4). Sorted by key. */
CTPROF_HIDDEN int cp_flatten_cgroup_stats(struct cp_keyer *k, const struct ctprof_snapshot *s,
					  struct ctprof_cgstats_entry **out, size_t *n);
CTPROF_HIDDEN void cp_cgstats_free(struct ctprof_cgstats_entry *e, size_t n);
/* Merge src into dst per the field classes of §4.5.4. 0 or -ENOMEM. */
CTPROF_HIDDEN int cp_cgroup_stats_merge(struct ctprof_cgroup_stats *dst,
					const struct ctprof_cgroup_stats *src);
/* Deep copy (kvmaps duplicated). 0 or -ENOMEM. */
CTPROF_HIDDEN int cp_cgroup_stats_copy(struct ctprof_cgroup_stats *dst,
				       const struct ctprof_cgroup_stats *src);

/* The one-character string of a thread's state (ASCII, or U+FFFD). */
CTPROF_HIDDEN const char *cp_state_str(char c);

#endif
