/* SPDX-License-Identifier: MIT */
/*
 * Internal to lib/snapshot: the JSON shape of every snapshot struct except
 * ThreadState (which is CTPROF_THREAD_FIELDS), as tables that both the
 * writer (codec_write.c) and the reader (codec_read.c) iterate. One row per
 * key, in ktstr's declaration order, which is the JSON key order.
 */
#ifndef CTPROF_LIB_SNAPSHOT_CODEC_H
#define CTPROF_LIB_SNAPSHOT_CODEC_H

#include <ctprof/snapshot.h>

#include "../util/util.h"

enum ctprof_jkind {
	/* ctprof structs: every key always written, Option as null */
	CTPROF_J_U64,     /* uint64_t, required */
	CTPROF_J_U16,     /* uint16_t, required */
	CTPROF_J_BOOL,    /* bool, required */
	CTPROF_J_STR,     /* char *, required (NULL is written as "") */
	CTPROF_J_NSTR,    /* char *, NULL <-> null; missing loads as NULL */
	CTPROF_J_OPT_U64, /* struct ctprof_opt_u64, !set <-> null; missing loads as unset */
	CTPROF_J_OPT_I32, /* struct ctprof_opt_i32, same */
	CTPROF_J_KVMAP,   /* struct ctprof_kvmap, required */
	CTPROF_J_STRUCT,  /* embedded struct described by .sub, required */
	CTPROF_J_PSTRUCT, /* pointer to a .size-byte struct; NULL <-> null; missing loads as NULL */
	CTPROF_J_THREADS, /* the top-level threads array */
	CTPROF_J_CGROUPS, /* the top-level cgroup_stats map */
	/*
	 * HostContext / HostHeapState: None is omitted on write
	 * (skip_serializing_if); a missing key or null loads as None.
	 */
	CTPROF_J_O_STR,       /* char *, NULL omitted */
	CTPROF_J_O_U64,       /* struct ctprof_opt_u64, !set omitted */
	CTPROF_J_O_STRMAP,    /* struct ctprof_strmap at .off, bool present flag at .aux */
	CTPROF_J_O_GOVERNOR,  /* host cpufreq_governor; omitted when empty */
	CTPROF_J_O_DELAYACCT, /* enum ctprof_delayacct, ABSENT omitted */
	CTPROF_J_O_XACCT,     /* enum ctprof_xacct, ABSENT omitted */
	CTPROF_J_O_STRUCT,    /* embedded struct (.sub), bool present flag at .aux */
	CTPROF_J_O_PSTRUCT,   /* pointer to struct (.sub), NULL omitted (extensions) */
};

struct ctprof_jstruct;

struct ctprof_jfield {
	const char *key;
	enum ctprof_jkind kind;
	size_t off;                       /* offset of the member in its struct */
	size_t aux;                       /* offset of the present flag (J_O_STRMAP, J_O_STRUCT) */
	size_t size;                      /* sizeof the pointee (J_PSTRUCT, J_O_PSTRUCT) */
	const struct ctprof_jstruct *sub; /* nested layout (J_*STRUCT) */
};

struct ctprof_jstruct {
	const struct ctprof_jfield *f;
	size_t n;
};

/* The CtprofSnapshot layout (top level), with the interval extension last. */
CTPROF_HIDDEN extern const struct ctprof_jstruct ctprof_j_snapshot;
/* CgroupStats (one value of the cgroup_stats map). */
CTPROF_HIDDEN extern const struct ctprof_jstruct ctprof_j_cgroup_stats;

/* Key of the thread "exited" extension (DESIGN.md §1). */
#define CTPROF_J_EXITED "exited"

/* JSON text of the 8 enum values, indexed by the C enums. */
CTPROF_HIDDEN extern const char *const ctprof_j_delayacct_names[4];
CTPROF_HIDDEN extern const char *const ctprof_j_xacct_names[4];

/*
 * Append s (n bytes) as a JSON string literal escaped as serde_json does
 * (\" \\ \b \f \n \r \t, other bytes below 0x20 as \u00XX in lowercase hex,
 * everything else raw). Bytes that are not valid UTF-8 are first decoded
 * lossily (U+FFFD per maximal invalid subpart). Failure is recorded in the
 * buffer's sticky oom flag.
 */
CTPROF_HIDDEN void ctprof_json_put_str(struct ctprof_buf *b, const char *s, size_t n);

/*
 * ctprof_snapshot_load over size bytes of a file's contents held in memory
 * (tests/fuzz): the same bounded zstd decompression (through a memfd),
 * JSON parse and shape checks; `name` stands for the path in errors.
 */
CTPROF_HIDDEN int ctprof_snapshot_load_buf(const void *data, size_t size, const char *name,
					   struct ctprof_snapshot **out, struct ctprof_error *err);

#endif
