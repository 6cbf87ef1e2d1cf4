/* SPDX-License-Identifier: MIT */
/*
 * libctprof — the snapshot data model and its file codec.
 *
 * The structs mirror ktstr's CtprofSnapshot field for field (see
 * shared/spec/snapshot-and-capture.md §3). JSON `null` and omitted keys are
 * kept apart from zero through struct ctprof_opt_u64 / ctprof_opt_i32 and
 * NULL pointers. Every per-thread field is declared once, in
 * CTPROF_THREAD_FIELDS below; the codec, the interval builder, the
 * aggregator and `metric-list` iterate that table.
 */
#ifndef CTPROF_SNAPSHOT_H
#define CTPROF_SNAPSHOT_H

#include <ctprof/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- small value types -------------------------------------------- */

struct ctprof_opt_u64 {
	bool set;    /* false: JSON null / omitted */
	uint64_t v;
};

struct ctprof_opt_i32 {
	bool set;
	int32_t v;
};

/* String-keyed map of u64, kept sorted by key in byte order. */
struct ctprof_kv {
	char *key;
	uint64_t value;
};
struct ctprof_kvmap {
	struct ctprof_kv *items;
	size_t n;
};

/* String-keyed map of strings (sched_tunables), sorted by key. */
struct ctprof_strkv {
	char *key;
	char *value;
};
struct ctprof_strmap {
	struct ctprof_strkv *items;
	size_t n;
};

/* CPU list, ascending, no duplicates. */
struct ctprof_cpuset {
	uint32_t *cpus;
	size_t n;
};

/* ---- the per-thread metric table ----------------------------------- */

/* Wire type of a ThreadState field. */
enum ctprof_ftype {
	CTPROF_FT_U32,
	CTPROF_FT_U64,
	CTPROF_FT_I32,
	CTPROF_FT_BOOL,
	CTPROF_FT_STR,    /* char *, never NULL in a loaded/captured snapshot */
	CTPROF_FT_CHAR,   /* one character ("state"); stored as a char */
	CTPROF_FT_CPUSET, /* struct ctprof_cpuset */
	CTPROF_FT_KVMAP,  /* struct ctprof_kvmap */
};

/*
 * What a value means over time; drives the interval builder.
 * Counters (COUNT, NS, TICKS, BYTES) subtract; everything else is taken
 * from the later snapshot.
 */
enum ctprof_fkind {
	CTPROF_FK_ID,    /* identity: tid, tgid, start time */
	CTPROF_FK_CAT,   /* categorical string */
	CTPROF_FK_ORD,   /* ordinal (nice, priority, processor) */
	CTPROF_FK_MODE,  /* state-like (state, ext_enabled) */
	CTPROF_FK_AFF,   /* CPU affinity list */
	CTPROF_FK_COUNT, /* monotonic count */
	CTPROF_FK_NS,    /* cumulative ns */
	CTPROF_FK_TICKS, /* cumulative USER_HZ ticks */
	CTPROF_FK_BYTES, /* cumulative bytes */
	CTPROF_FK_PEAK,  /* lifetime peak (ns or bytes) */
	CTPROF_FK_GAUGE, /* instantaneous gauge */
	CTPROF_FK_MAP,   /* smaps_rollup map (gauges) */
	CTPROF_FK_FLAG,  /* capture flag */
};

/* ktstr's aggregation rule (compare-engine.md §5.2). */
enum ctprof_agg {
	CTPROF_AGG_NONE,
	CTPROF_AGG_SUM_COUNT,
	CTPROF_AGG_SUM_NS,
	CTPROF_AGG_SUM_TICKS,
	CTPROF_AGG_SUM_BYTES,
	CTPROF_AGG_MAX_PEAK,
	CTPROF_AGG_MAX_PEAK_BYTES,
	CTPROF_AGG_MAX_GAUGE_NS,
	CTPROF_AGG_MAX_GAUGE_COUNT,
	CTPROF_AGG_RANGE_I32,
	CTPROF_AGG_RANGE_U32,
	CTPROF_AGG_MODE,
	CTPROF_AGG_MODE_CHAR,
	CTPROF_AGG_MODE_BOOL,
	CTPROF_AGG_AFFINITY,
};

/* Scheduler-class tag (compare-engine.md §6). */
enum ctprof_class {
	CTPROF_CLASS_NONE,
	CTPROF_CLASS_CFS_ONLY,
	CTPROF_CLASS_NON_EXT,
	CTPROF_CLASS_FAIR_POLICY,
};

/* Kernel config gates, rendered as tags without the CONFIG_ prefix. */
enum {
	CTPROF_GATE_SCHED_INFO = 1u << 0,
	CTPROF_GATE_SCHEDSTATS = 1u << 1,
	CTPROF_GATE_SCHED_CLASS_EXT = 1u << 2,
	CTPROF_GATE_SCHED_CORE = 1u << 3,
	CTPROF_GATE_TASK_IO_ACCOUNTING = 1u << 4,
	CTPROF_GATE_TASKSTATS = 1u << 5,
	CTPROF_GATE_TASK_DELAY_ACCT = 1u << 6,
	CTPROF_GATE_TASK_XACCT = 1u << 7,
};

/* Measured-predicate families (compare-engine.md §5.3). */
enum ctprof_pred {
	CTPROF_PRED_NONE,
	CTPROF_PRED_CPU_DELAY,   /* taskstats_measured && cpu_delay_active */
	CTPROF_PRED_BLOCK_DELAY, /* taskstats_measured && delay_block_active */
	CTPROF_PRED_XACCT,       /* taskstats_measured && xacct_active */
	CTPROF_PRED_JEMALLOC,    /* jemalloc_measured */
};

/* Default polarity for gates (DESIGN.md §6). */
enum ctprof_polarity {
	CTPROF_POL_INFO,
	CTPROF_POL_LOWER_BETTER,
	CTPROF_POL_HIGHER_BETTER,
};

/* Report section of a metric. */
enum ctprof_section {
	CTPROF_SEC_NONE,
	CTPROF_SEC_PRIMARY,
	CTPROF_SEC_TASKSTATS_DELAY,
};

#define CTPROF__G(x) CTPROF_GATE_##x
#define CTPROF__SI CTPROF__G(SCHED_INFO)
#define CTPROF__SS CTPROF__G(SCHEDSTATS)
#define CTPROF__IO CTPROF__G(TASK_IO_ACCOUNTING)
#define CTPROF__DA (CTPROF__G(TASKSTATS) | CTPROF__G(TASK_DELAY_ACCT))
#define CTPROF__XA (CTPROF__G(TASKSTATS) | CTPROF__G(TASK_XACCT))

/*
 * CTPROF_THREAD_FIELDS(X): every ThreadState field, in ktstr's declaration
 * order (which is the JSON key order). Columns:
 *   X(name, ftype, fkind, reg, agg, class, gates, pred, polarity, section)
 * name     JSON key and C member name
 * ftype    enum ctprof_ftype suffix
 * fkind    enum ctprof_fkind suffix
 * reg      1-based position in ktstr's metric registry (its canonical row
 *          order; 1 is the synthetic thread_count), 0 when not a metric
 * agg      enum ctprof_agg suffix
 * class    enum ctprof_class suffix
 * gates    CTPROF_GATE_* bits
 * pred     enum ctprof_pred suffix
 * polarity enum ctprof_polarity suffix
 * section  enum ctprof_section suffix
 */
#define CTPROF__DELAY(X, cat, r0, pred)                                                           \
	X(cat##_delay_count, U64, COUNT, r0, SUM_COUNT, NONE, CTPROF__DA, pred, LOWER_BETTER, TASKSTATS_DELAY) \
	X(cat##_delay_total_ns, U64, NS, (r0) + 1, SUM_NS, NONE, CTPROF__DA, pred, LOWER_BETTER, TASKSTATS_DELAY) \
	X(cat##_delay_max_ns, U64, PEAK, (r0) + 2, MAX_PEAK, NONE, CTPROF__DA, pred, LOWER_BETTER, TASKSTATS_DELAY) \
	X(cat##_delay_min_ns, U64, PEAK, (r0) + 3, MAX_PEAK, NONE, CTPROF__DA, pred, INFO, TASKSTATS_DELAY)

#define CTPROF_THREAD_FIELDS(X)                                                                  \
	/* identity */                                                                           \
	X(tid, U32, ID, 0, NONE, NONE, 0, NONE, INFO, NONE)                                      \
	X(tgid, U32, ID, 0, NONE, NONE, 0, NONE, INFO, NONE)                                     \
	X(pcomm, STR, CAT, 0, NONE, NONE, 0, NONE, INFO, NONE)                                   \
	X(comm, STR, CAT, 0, NONE, NONE, 0, NONE, INFO, NONE)                                    \
	X(cgroup, STR, CAT, 0, NONE, NONE, 0, NONE, INFO, NONE)                                  \
	X(start_time_clock_ticks, U64, ID, 0, NONE, NONE, 0, NONE, INFO, NONE)                   \
	X(policy, STR, CAT, 2, MODE, NONE, 0, NONE, INFO, PRIMARY)                               \
	X(nice, I32, ORD, 3, RANGE_I32, NONE, 0, NONE, INFO, PRIMARY)                            \
	X(cpu_affinity, CPUSET, AFF, 6, AFFINITY, NONE, 0, NONE, INFO, PRIMARY)                  \
	X(processor, I32, ORD, 7, RANGE_I32, NONE, 0, NONE, INFO, PRIMARY)                       \
	X(state, CHAR, MODE, 8, MODE_CHAR, NONE, 0, NONE, INFO, PRIMARY)                         \
	X(ext_enabled, BOOL, MODE, 9, MODE_BOOL, NONE, CTPROF__G(SCHED_CLASS_EXT), NONE, INFO, PRIMARY) \
	/* scheduling */                                                                         \
	X(run_time_ns, U64, NS, 11, SUM_NS, NONE, CTPROF__SI, NONE, INFO, PRIMARY)               \
	X(wait_time_ns, U64, NS, 12, SUM_NS, NONE, CTPROF__SI, NONE, LOWER_BETTER, PRIMARY)      \
	X(timeslices, U64, COUNT, 13, SUM_COUNT, NONE, CTPROF__SI, NONE, INFO, PRIMARY)          \
	X(voluntary_csw, U64, COUNT, 14, SUM_COUNT, NONE, 0, NONE, INFO, PRIMARY)                \
	X(nonvoluntary_csw, U64, COUNT, 15, SUM_COUNT, NONE, 0, NONE, LOWER_BETTER, PRIMARY)     \
	X(nr_wakeups, U64, COUNT, 16, SUM_COUNT, NONE, CTPROF__SS, NONE, INFO, PRIMARY)          \
	X(nr_wakeups_local, U64, COUNT, 17, SUM_COUNT, NONE, CTPROF__SS, NONE, INFO, PRIMARY)    \
	X(nr_wakeups_remote, U64, COUNT, 18, SUM_COUNT, NONE, CTPROF__SS, NONE, INFO, PRIMARY)   \
	X(nr_wakeups_sync, U64, COUNT, 19, SUM_COUNT, NONE, CTPROF__SS, NONE, INFO, PRIMARY)     \
	X(nr_wakeups_migrate, U64, COUNT, 20, SUM_COUNT, NONE, CTPROF__SS, NONE, LOWER_BETTER, PRIMARY) \
	X(nr_wakeups_affine, U64, COUNT, 21, SUM_COUNT, CFS_ONLY, CTPROF__SS, NONE, INFO, PRIMARY) \
	X(nr_wakeups_affine_attempts, U64, COUNT, 22, SUM_COUNT, CFS_ONLY, CTPROF__SS, NONE, INFO, PRIMARY) \
	X(nr_migrations, U64, COUNT, 23, SUM_COUNT, NONE, 0, NONE, LOWER_BETTER, PRIMARY)        \
	X(nr_forced_migrations, U64, COUNT, 24, SUM_COUNT, CFS_ONLY, CTPROF__SS, NONE, LOWER_BETTER, PRIMARY) \
	X(nr_failed_migrations_affine, U64, COUNT, 25, SUM_COUNT, CFS_ONLY, CTPROF__SS, NONE, LOWER_BETTER, PRIMARY) \
	X(nr_failed_migrations_running, U64, COUNT, 26, SUM_COUNT, CFS_ONLY, CTPROF__SS, NONE, LOWER_BETTER, PRIMARY) \
	X(nr_failed_migrations_hot, U64, COUNT, 27, SUM_COUNT, CFS_ONLY, CTPROF__SS, NONE, LOWER_BETTER, PRIMARY) \
	X(wait_sum, U64, NS, 28, SUM_NS, NON_EXT, CTPROF__SS, NONE, LOWER_BETTER, PRIMARY)       \
	X(wait_count, U64, COUNT, 29, SUM_COUNT, NON_EXT, CTPROF__SS, NONE, INFO, PRIMARY)       \
	X(wait_max, U64, PEAK, 30, MAX_PEAK, NON_EXT, CTPROF__SS, NONE, LOWER_BETTER, PRIMARY)   \
	X(voluntary_sleep_ns, U64, NS, 31, SUM_NS, NON_EXT, CTPROF__SS, NONE, INFO, PRIMARY)     \
	X(sleep_max, U64, PEAK, 32, MAX_PEAK, NON_EXT, CTPROF__SS, NONE, INFO, PRIMARY)          \
	X(block_sum, U64, NS, 33, SUM_NS, NON_EXT, CTPROF__SS, NONE, LOWER_BETTER, PRIMARY)      \
	X(block_max, U64, PEAK, 34, MAX_PEAK, NON_EXT, CTPROF__SS, NONE, LOWER_BETTER, PRIMARY)  \
	X(iowait_sum, U64, NS, 35, SUM_NS, NON_EXT, CTPROF__SS, NONE, LOWER_BETTER, PRIMARY)     \
	X(iowait_count, U64, COUNT, 36, SUM_COUNT, NON_EXT, CTPROF__SS, NONE, LOWER_BETTER, PRIMARY) \
	X(exec_max, U64, PEAK, 37, MAX_PEAK, NONE, CTPROF__SS, NONE, LOWER_BETTER, PRIMARY)      \
	X(slice_max, U64, PEAK, 38, MAX_PEAK, CFS_ONLY, CTPROF__SS, NONE, INFO, PRIMARY)         \
	/* jemalloc */                                                                           \
	X(allocated_bytes, U64, BYTES, 41, SUM_BYTES, NONE, 0, JEMALLOC, INFO, PRIMARY)          \
	X(deallocated_bytes, U64, BYTES, 42, SUM_BYTES, NONE, 0, JEMALLOC, INFO, PRIMARY)        \
	/* remaining stat and sched fields */                                                    \
	X(minflt, U64, COUNT, 43, SUM_COUNT, NONE, 0, NONE, INFO, PRIMARY)                       \
	X(majflt, U64, COUNT, 44, SUM_COUNT, NONE, 0, NONE, LOWER_BETTER, PRIMARY)               \
	X(utime_clock_ticks, U64, TICKS, 45, SUM_TICKS, NONE, 0, NONE, INFO, PRIMARY)            \
	X(stime_clock_ticks, U64, TICKS, 46, SUM_TICKS, NONE, 0, NONE, INFO, PRIMARY)            \
	X(priority, I32, ORD, 4, RANGE_I32, NONE, 0, NONE, INFO, PRIMARY)                        \
	X(rt_priority, U32, ORD, 5, RANGE_U32, NONE, 0, NONE, INFO, PRIMARY)                     \
	X(core_forceidle_sum, U64, NS, 39, SUM_NS, NONE, CTPROF__G(SCHED_CORE) | CTPROF__SS, NONE, LOWER_BETTER, PRIMARY) \
	X(fair_slice_ns, U64, GAUGE, 40, MAX_GAUGE_NS, FAIR_POLICY, 0, NONE, INFO, PRIMARY)      \
	/* leader-only and I/O */                                                                \
	X(nr_threads, U64, GAUGE, 10, MAX_GAUGE_COUNT, NONE, 0, NONE, INFO, PRIMARY)             \
	X(smaps_rollup_kib, KVMAP, MAP, 0, NONE, NONE, 0, NONE, INFO, NONE)                      \
	X(rchar, U64, BYTES, 47, SUM_BYTES, NONE, CTPROF__IO, NONE, INFO, PRIMARY)               \
	X(wchar, U64, BYTES, 48, SUM_BYTES, NONE, CTPROF__IO, NONE, INFO, PRIMARY)               \
	X(syscr, U64, COUNT, 49, SUM_COUNT, NONE, CTPROF__IO, NONE, INFO, PRIMARY)               \
	X(syscw, U64, COUNT, 50, SUM_COUNT, NONE, CTPROF__IO, NONE, INFO, PRIMARY)               \
	X(read_bytes, U64, BYTES, 51, SUM_BYTES, NONE, CTPROF__IO, NONE, INFO, PRIMARY)          \
	X(write_bytes, U64, BYTES, 52, SUM_BYTES, NONE, CTPROF__IO, NONE, INFO, PRIMARY)         \
	X(cancelled_write_bytes, U64, BYTES, 53, SUM_BYTES, NONE, CTPROF__IO, NONE, INFO, PRIMARY) \
	/* taskstats delays, eight categories of four */                                         \
	CTPROF__DELAY(X, cpu, 54, CPU_DELAY)                                                  \
	CTPROF__DELAY(X, blkio, 58, BLOCK_DELAY)                                                \
	CTPROF__DELAY(X, swapin, 62, BLOCK_DELAY)                                               \
	CTPROF__DELAY(X, freepages, 66, BLOCK_DELAY)                                            \
	CTPROF__DELAY(X, thrashing, 70, BLOCK_DELAY)                                            \
	CTPROF__DELAY(X, compact, 74, BLOCK_DELAY)                                              \
	CTPROF__DELAY(X, wpcopy, 78, BLOCK_DELAY)                                               \
	CTPROF__DELAY(X, irq, 82, BLOCK_DELAY)                                                  \
	X(hiwater_rss_bytes, U64, PEAK, 86, MAX_PEAK_BYTES, NONE, CTPROF__XA, XACCT, INFO, TASKSTATS_DELAY) \
	X(hiwater_vm_bytes, U64, PEAK, 87, MAX_PEAK_BYTES, NONE, CTPROF__XA, XACCT, INFO, TASKSTATS_DELAY) \
	/* capture flags (new schema) */                                                         \
	X(taskstats_measured, BOOL, FLAG, 0, NONE, NONE, 0, NONE, INFO, NONE)                    \
	X(cpu_delay_active, BOOL, FLAG, 0, NONE, NONE, 0, NONE, INFO, NONE)                      \
	X(delay_block_active, BOOL, FLAG, 0, NONE, NONE, 0, NONE, INFO, NONE)                    \
	X(xacct_active, BOOL, FLAG, 0, NONE, NONE, 0, NONE, INFO, NONE)                          \
	X(jemalloc_measured, BOOL, FLAG, 0, NONE, NONE, 0, NONE, INFO, NONE)

#define CTPROF__CTYPE_U32 uint32_t
#define CTPROF__CTYPE_U64 uint64_t
#define CTPROF__CTYPE_I32 int32_t
#define CTPROF__CTYPE_BOOL bool
#define CTPROF__CTYPE_STR char *
#define CTPROF__CTYPE_CHAR char
#define CTPROF__CTYPE_CPUSET struct ctprof_cpuset
#define CTPROF__CTYPE_KVMAP struct ctprof_kvmap

/* Indices into the field table: CTPROF_F_tid, CTPROF_F_run_time_ns, ... */
enum ctprof_field_id {
#define CTPROF__X(name, ...) CTPROF_F_##name,
	CTPROF_THREAD_FIELDS(CTPROF__X)
#undef CTPROF__X
	CTPROF_F__COUNT
};

/* One entry per thread (ktstr ThreadState, 98 fields). */
struct ctprof_thread {
#define CTPROF__X(name, ftype, ...) CTPROF__CTYPE_##ftype name;
	CTPROF_THREAD_FIELDS(CTPROF__X)
#undef CTPROF__X
	/*
	 * Extension (beyond ktstr): the thread exited inside an interval and
	 * comes from a taskstats exit record. Written as "exited":true after
	 * the 98 keys, only when true.
	 */
	bool exited;
};

/* Static description of one field of the table. */
struct ctprof_field_desc {
	const char *name;
	enum ctprof_ftype ftype;
	enum ctprof_fkind fkind;
	unsigned reg;
	enum ctprof_agg agg;
	enum ctprof_class klass;
	unsigned gates;
	enum ctprof_pred pred;
	enum ctprof_polarity polarity;
	enum ctprof_section section;
	size_t offset; /* offsetof(struct ctprof_thread, name) */
};

/* The table, CTPROF_F__COUNT entries in JSON order. */
CTPROF_API const struct ctprof_field_desc *ctprof_fields(void);
/* Look a field up by JSON key; NULL when unknown. */
CTPROF_API const struct ctprof_field_desc *ctprof_field_by_name(const char *name);
/* Number of fields in the table (98). */
#define CTPROF_THREAD_NFIELDS ((size_t)CTPROF_F__COUNT)
/* The five capture flags that the older 93-field schema lacks. */
#define CTPROF_THREAD_FIRST_FLAG CTPROF_F_taskstats_measured

/* Pointer to a field inside a thread, by descriptor. */
static inline void *ctprof_field_ptr(struct ctprof_thread *t, const struct ctprof_field_desc *d)
{
	return (char *)t + d->offset;
}
static inline const void *ctprof_field_cptr(const struct ctprof_thread *t,
					    const struct ctprof_field_desc *d)
{
	return (const char *)t + d->offset;
}

/* ---- host context --------------------------------------------------- */

enum ctprof_delayacct {
	CTPROF_DELAYACCT_ABSENT = 0, /* key omitted */
	CTPROF_DELAYACCT_CONFIG_OFF,
	CTPROF_DELAYACCT_RUNTIME_OFF,
	CTPROF_DELAYACCT_ON,
};

enum ctprof_xacct {
	CTPROF_XACCT_ABSENT = 0, /* key omitted */
	CTPROF_XACCT_ON,
	CTPROF_XACCT_OFF,
	CTPROF_XACCT_UNKNOWN,
};

struct ctprof_heap_state {
	struct ctprof_opt_u64 active_bytes;
	struct ctprof_opt_u64 allocated_bytes;
	struct ctprof_opt_u64 resident_bytes;
	struct ctprof_opt_u64 mapped_bytes;
	struct ctprof_opt_u64 narenas;
};

struct ctprof_governor {
	uint32_t cpu;
	char *governor;
};

/* HostContext: every member optional; NULL / !set means omitted. */
struct ctprof_host {
	char *cpu_model;
	char *cpu_vendor;
	struct ctprof_opt_u64 total_memory_kib;
	struct ctprof_opt_u64 hugepages_total;
	struct ctprof_opt_u64 hugepages_free;
	struct ctprof_opt_u64 hugepages_size_kib;
	char *thp_enabled;
	char *thp_defrag;
	bool has_sched_tunables;
	struct ctprof_strmap sched_tunables;
	struct ctprof_opt_u64 online_cpus;
	struct ctprof_opt_u64 numa_nodes;
	struct ctprof_governor *cpufreq_governor; /* ascending cpu; omitted when n == 0 */
	size_t n_cpufreq_governor;
	char *kernel_name;
	char *kernel_release;
	char *arch;
	char *kernel_cmdline;
	enum ctprof_delayacct task_delayacct;
	enum ctprof_xacct config_task_xacct;
	bool has_heap_state;
	struct ctprof_heap_state heap_state;
};

/* ---- PSI, cgroups, sched_ext, summaries ------------------------------ */

struct ctprof_psi_half {
	uint16_t avg10;  /* centi-percent */
	uint16_t avg60;
	uint16_t avg300;
	uint64_t total_usec;
};
struct ctprof_psi_resource {
	struct ctprof_psi_half some;
	struct ctprof_psi_half full;
};
struct ctprof_psi {
	struct ctprof_psi_resource cpu;
	struct ctprof_psi_resource memory;
	struct ctprof_psi_resource io;
	struct ctprof_psi_resource irq;
};

struct ctprof_cgroup_cpu {
	uint64_t usage_usec;
	uint64_t nr_throttled;
	uint64_t throttled_usec;
	struct ctprof_opt_u64 max_quota_us;
	uint64_t max_period_us; /* 100000 when absent */
	struct ctprof_opt_u64 weight;
	struct ctprof_opt_i32 weight_nice;
};
struct ctprof_cgroup_memory {
	uint64_t current;
	struct ctprof_opt_u64 max;
	struct ctprof_opt_u64 high;
	struct ctprof_opt_u64 low;
	struct ctprof_opt_u64 min;
	struct ctprof_kvmap stat;
	struct ctprof_kvmap events;
};
struct ctprof_cgroup_pids {
	struct ctprof_opt_u64 current;
	struct ctprof_opt_u64 max;
};
struct ctprof_cgroup_stats {
	struct ctprof_cgroup_cpu cpu;
	struct ctprof_cgroup_memory memory;
	struct ctprof_cgroup_pids pids;
	struct ctprof_psi psi;
};
/* One entry of the cgroup_stats map; the map is sorted by path bytes. */
struct ctprof_cgroup_entry {
	char *path;
	struct ctprof_cgroup_stats stats;
};

struct ctprof_sched_ext {
	char *state; /* "enabling", "enabled", "disabling", "disabled" or "" */
	uint64_t switch_all;
	uint64_t nr_rejected;
	uint64_t hotplug_seq;
	uint64_t enable_seq;
};

struct ctprof_probe_summary {
	uint64_t tgids_walked;
	uint64_t jemalloc_detected;
	uint64_t probed_ok;
	uint64_t failed;
	char *dominant_failure; /* NULL: null */
	bool privilege_dominant;
};

struct ctprof_parse_summary {
	uint64_t tids_walked;
	uint64_t read_failures;
	struct ctprof_kvmap read_failures_by_file;
	char *dominant_read_failure; /* NULL: null */
	bool kernel_config_dominant;
	uint64_t negative_dotted_values;
};

struct ctprof_taskstats_summary {
	uint64_t ok_count;
	uint64_t eperm_count;
	uint64_t esrch_count;
	uint64_t other_err_count;
};

/* Extension (beyond ktstr): present only in interval snapshots. */
struct ctprof_interval_info {
	uint64_t from_unix_ns;
	uint64_t to_unix_ns;
};

/* Which ThreadState schema a loaded file used. */
enum ctprof_schema {
	CTPROF_SCHEMA_NONE = 0, /* no threads, or built in memory */
	CTPROF_SCHEMA_NEW,      /* 98-field threads (with the capture flags) */
	CTPROF_SCHEMA_OLD,      /* 93-field threads (no capture flags) */
	CTPROF_SCHEMA_MIXED,    /* both kinds in one file */
};

/* CtprofSnapshot. NULL pointers are JSON null. */
struct ctprof_snapshot {
	uint64_t captured_at_unix_ns;
	struct ctprof_host *host;
	struct ctprof_thread *threads;
	size_t n_threads;
	struct ctprof_cgroup_entry *cgroups;
	size_t n_cgroups;
	struct ctprof_probe_summary *probe_summary;
	struct ctprof_parse_summary *parse_summary;
	struct ctprof_taskstats_summary *taskstats_summary;
	struct ctprof_psi psi;
	struct ctprof_sched_ext *sched_ext;
	struct ctprof_interval_info *interval; /* extension; NULL when not an interval */
	enum ctprof_schema schema;             /* set by the loader */
};

/* ---- lifecycle ------------------------------------------------------ */

/* A zeroed snapshot (psi zeros, no threads). NULL and errno on ENOMEM. */
CTPROF_API struct ctprof_snapshot *ctprof_snapshot_new(void);
/* Frees everything the snapshot owns. Accepts NULL. */
CTPROF_API void ctprof_snapshot_free(struct ctprof_snapshot *snap);
/* Initialise a thread to ktstr's "absent" values (state '~', strings ""). */
CTPROF_API int ctprof_thread_init(struct ctprof_thread *t);
/* Free the members a thread owns (not the thread itself). */
CTPROF_API void ctprof_thread_clear(struct ctprof_thread *t);
CTPROF_API void ctprof_host_free(struct ctprof_host *h);
CTPROF_API void ctprof_cgroup_stats_init(struct ctprof_cgroup_stats *cg);
CTPROF_API void ctprof_cgroup_stats_clear(struct ctprof_cgroup_stats *cg);
CTPROF_API void ctprof_kvmap_clear(struct ctprof_kvmap *m);
CTPROF_API void ctprof_strmap_clear(struct ctprof_strmap *m);

/* Insert or overwrite key (copied) in a sorted map. 0 or -ENOMEM. */
CTPROF_API int ctprof_kvmap_set(struct ctprof_kvmap *m, const char *key, uint64_t value);
/* Value for key; false when absent. */
CTPROF_API bool ctprof_kvmap_get(const struct ctprof_kvmap *m, const char *key, uint64_t *value);
CTPROF_API int ctprof_strmap_set(struct ctprof_strmap *m, const char *key, const char *value);

/* ---- the file codec ------------------------------------------------- */

/* Decompressed payloads larger than this are rejected (ktstr's cap). */
#define CTPROF_MAX_DECOMPRESSED_BYTES ((size_t)268435456)
/* zstd level used for every snapshot written. */
#define CTPROF_ZSTD_LEVEL 3

/*
 * Serialise to compact JSON in ktstr's key order. On success *out is a
 * NUL-terminated malloc'd buffer of *len bytes (the NUL not counted).
 */
CTPROF_API int ctprof_snapshot_to_json(const struct ctprof_snapshot *snap, char **out,
				       size_t *len, struct ctprof_error *err);

/*
 * Parse a JSON document (not NUL-terminated necessarily; len bytes).
 * `name` is used in error messages (usually the path).
 */
CTPROF_API int ctprof_snapshot_from_json(const char *json, size_t len, const char *name,
					 struct ctprof_snapshot **out, struct ctprof_error *err);

/*
 * Write atomically: JSON, zstd level 3, a temporary file in the same
 * directory, fsync, rename, fsync of the directory. A failure leaves any
 * existing file at `path` untouched and no temporary file behind.
 */
CTPROF_API int ctprof_snapshot_write(const struct ctprof_snapshot *snap, const char *path,
				     struct ctprof_error *err);

/*
 * Write len bytes of data to path the same atomic way (no compression):
 * for reports (JUnit, TAP, JSON). Errors name the path and the step
 * ("PATH: write: No space left on device"); on failure an existing file at
 * path is untouched and no temporary file is left. SIGINT, SIGTERM, SIGHUP
 * and SIGQUIT are blocked in the calling thread while the temporary file
 * exists (both writers), so that a signal never leaves it behind; a signal
 * that arrives meanwhile is delivered once it is renamed or removed.
 */
CTPROF_API int ctprof_file_write_atomic(const char *path, const void *data, size_t len,
					struct ctprof_error *err);

/*
 * Load a snapshot file. Decompression is bounded at
 * CTPROF_MAX_DECOMPRESSED_BYTES (exactly that many is accepted).
 * Errors read "PATH: STEP: CAUSE", for example
 * "a.ctprof.zst: parse JSON: threads[3].run_time_ns: expected an unsigned integer".
 */
CTPROF_API int ctprof_snapshot_load(const char *path, struct ctprof_snapshot **out,
				    struct ctprof_error *err);

/* Human name of a schema variant ("98-field (current)", ...). */
CTPROF_API const char *ctprof_schema_name(enum ctprof_schema s);

#ifdef __cplusplus
}
#endif
#endif /* CTPROF_SNAPSHOT_H */
