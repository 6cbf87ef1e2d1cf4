/* SPDX-License-Identifier: MIT */
/*
 * The metric registry (compare-engine.md §6) and the derived metrics (§7).
 *
 * The primary registry is not a second list: it is CTPROF_THREAD_FIELDS
 * ordered by its `reg` column, plus the synthetic thread_count. Only the
 * one-line descriptions live here, in a companion table keyed by field id.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmp.h"

/* ---- descriptions, keyed by field id --------------------------------------- */

#define DELAY_DESC(cat, what)                                                                \
	[CTPROF_F_##cat##_delay_count] = "Taskstats " what ": number of delay episodes "     \
					 "(cumulative).",                                    \
	[CTPROF_F_##cat##_delay_total_ns] = "Taskstats " what ": total delay, ns "           \
					    "(cumulative).",                                 \
	[CTPROF_F_##cat##_delay_max_ns] = "Taskstats " what ": longest single delay, ns "    \
					  "(lifetime peak).",                                \
	[CTPROF_F_##cat##_delay_min_ns] = "Taskstats " what ": shortest single delay, ns; "  \
					  "the group shows the largest per-thread minimum "  \
					  "(0 = no episodes)."

static const char *const field_desc[CTPROF_F__COUNT] = {
	[CTPROF_F_policy] = "Scheduling policy (SCHED_OTHER, SCHED_FIFO, SCHED_RR, SCHED_BATCH, "
			    "SCHED_IDLE, SCHED_DEADLINE, SCHED_EXT); the group shows the most "
			    "common one.",
	[CTPROF_F_nice] = "Nice value (-20..19), shown as the range over the group.",
	[CTPROF_F_priority] = "Kernel priority from /proc/<tid>/stat field 18 (CFS 0..39, RT "
			      "-2..-100, deadline -101).",
	[CTPROF_F_rt_priority] = "Real-time priority from stat field 40 (0..99; 0 for non-RT "
				 "tasks).",
	[CTPROF_F_cpu_affinity] = "CPUs the thread may run on (sched_getaffinity, or "
				  "Cpus_allowed_list in synthetic captures).",
	[CTPROF_F_processor] = "CPU the thread last ran on.",
	[CTPROF_F_state] = "Task state letter (R running, S sleeping, D uninterruptible, Z "
			   "zombie, T stopped); the most common one.",
	[CTPROF_F_ext_enabled] = "Whether the thread is currently on the sched_ext class.",
	[CTPROF_F_nr_threads] = "Threads in the process (status Threads:); set on the leader "
				"only, so the group shows the largest process.",
	[CTPROF_F_run_time_ns] = "Time spent running on a CPU, ns (schedstat field 1, "
				 "cumulative).",
	[CTPROF_F_wait_time_ns] = "Time spent runnable but waiting for a CPU, ns (schedstat "
				  "field 2, cumulative).",
	[CTPROF_F_timeslices] = "Number of times the thread was given a CPU (schedstat field 3, "
				"cumulative).",
	[CTPROF_F_voluntary_csw] = "Voluntary context switches: the thread blocked or yielded "
				   "(cumulative).",
	[CTPROF_F_nonvoluntary_csw] = "Involuntary context switches: the thread was preempted "
				      "(cumulative).",
	[CTPROF_F_nr_wakeups] = "Wakeups of the thread (cumulative).",
	[CTPROF_F_nr_wakeups_local] = "Wakeups on the CPU that issued them (cumulative).",
	[CTPROF_F_nr_wakeups_remote] = "Wakeups on a CPU other than the waker's (cumulative).",
	[CTPROF_F_nr_wakeups_sync] = "Synchronous wakeups (cumulative).",
	[CTPROF_F_nr_wakeups_migrate] = "Wakeups that moved the thread to another CPU "
					"(cumulative).",
	[CTPROF_F_nr_wakeups_affine] = "Wakeups placed by wake_affine on the waker's CPU "
				       "(cumulative).",
	[CTPROF_F_nr_wakeups_affine_attempts] = "wake_affine evaluations (cumulative).",
	[CTPROF_F_nr_migrations] = "Migrations between CPUs (cumulative).",
	[CTPROF_F_nr_forced_migrations] = "Migrations forced by the load balancer despite "
					  "cache hotness (cumulative).",
	[CTPROF_F_nr_failed_migrations_affine] = "Load-balancer migrations refused by the "
						 "affinity mask (cumulative).",
	[CTPROF_F_nr_failed_migrations_running] = "Load-balancer migrations refused because "
						  "the thread was running (cumulative).",
	[CTPROF_F_nr_failed_migrations_hot] = "Load-balancer migrations refused because the "
					      "thread was cache-hot (cumulative).",
	[CTPROF_F_wait_sum] = "Total runqueue wait, ns (schedstat wait_sum, cumulative).",
	[CTPROF_F_wait_count] = "Number of runqueue waits (cumulative).",
	[CTPROF_F_wait_max] = "Longest single runqueue wait, ns (lifetime peak).",
	[CTPROF_F_voluntary_sleep_ns] = "Time asleep excluding block time, ns (sum_sleep_runtime "
					"minus sum_block_runtime, cumulative).",
	[CTPROF_F_sleep_max] = "Longest single sleep, ns (lifetime peak).",
	[CTPROF_F_block_sum] = "Total time blocked (uninterruptible), ns (cumulative).",
	[CTPROF_F_block_max] = "Longest single block, ns (lifetime peak).",
	[CTPROF_F_iowait_sum] = "Total time waiting for I/O, ns (cumulative).",
	[CTPROF_F_iowait_count] = "Number of I/O waits (cumulative).",
	[CTPROF_F_exec_max] = "Longest single run on a CPU, ns (lifetime peak).",
	[CTPROF_F_slice_max] = "Longest CFS slice, ns (lifetime peak).",
	[CTPROF_F_core_forceidle_sum] = "Time a sibling was forced idle by core scheduling, ns "
					"(cumulative).",
	[CTPROF_F_fair_slice_ns] = "Current fair-class slice, ns, from /proc/<tid>/sched "
				   "(gauge; stale under sched_ext).",
	[CTPROF_F_allocated_bytes] = "Bytes allocated by the thread through jemalloc "
				     "(per-thread counter, cumulative).",
	[CTPROF_F_deallocated_bytes] = "Bytes freed by the thread through jemalloc (per-thread "
				       "counter, cumulative).",
	[CTPROF_F_minflt] = "Minor page faults (cumulative).",
	[CTPROF_F_majflt] = "Major page faults, which needed I/O (cumulative).",
	[CTPROF_F_utime_clock_ticks] = "User CPU time, USER_HZ ticks (cumulative).",
	[CTPROF_F_stime_clock_ticks] = "System CPU time, USER_HZ ticks (cumulative).",
	[CTPROF_F_rchar] = "Bytes read through read-like syscalls, cache hits included "
			   "(cumulative).",
	[CTPROF_F_wchar] = "Bytes written through write-like syscalls (cumulative).",
	[CTPROF_F_syscr] = "Read syscalls (cumulative).",
	[CTPROF_F_syscw] = "Write syscalls (cumulative).",
	[CTPROF_F_read_bytes] = "Bytes fetched from storage (cumulative).",
	[CTPROF_F_write_bytes] = "Bytes sent to storage (cumulative).",
	[CTPROF_F_cancelled_write_bytes] = "Written bytes whose writeback was cancelled by "
					   "truncation (cumulative).",
	DELAY_DESC(cpu, "waiting for a CPU"),
	DELAY_DESC(blkio, "block I/O"),
	DELAY_DESC(swapin, "swap-in"),
	DELAY_DESC(freepages, "direct reclaim"),
	DELAY_DESC(thrashing, "working-set thrashing"),
	DELAY_DESC(compact, "memory compaction"),
	DELAY_DESC(wpcopy, "copy-on-write fault"),
	DELAY_DESC(irq, "IRQ time charged"),
	[CTPROF_F_hiwater_rss_bytes] = "Peak resident set of the process, bytes (taskstats "
				       "extended accounting; per mm).",
	[CTPROF_F_hiwater_vm_bytes] = "Peak virtual size of the process, bytes (taskstats "
				      "extended accounting; per mm).",
};

/* ---- derived metrics (§7) --------------------------------------------------- */

struct derived_src {
	const char *name;
	enum ctprof_derived_kind kind;
	const char *inputs[CTPROF_DERIVED_MAX_INPUTS];
	enum ctprof_ladder ladder;
	bool is_ratio;
	bool taskstats;
	enum ctprof_polarity polarity;
	const char *description;
};

#define AVG_DELAY(cat, what)                                                               \
	{ "avg_" #cat "_delay_ns", CTPROF_DK_RATIO,                                        \
	  { #cat "_delay_total_ns", #cat "_delay_count" }, CTPROF_LADDER_NS, false, true,  \
	  CTPROF_POL_LOWER_BETTER, "Average " what " delay per episode, ns." }

static const struct derived_src derived_src[CTPROF_NDERIVED] = {
	{ "affine_success_ratio", CTPROF_DK_RATIO,
	  { "nr_wakeups_affine", "nr_wakeups_affine_attempts" }, CTPROF_LADDER_NONE, true, false,
	  CTPROF_POL_HIGHER_BETTER, "Share of wake_affine evaluations that placed the wakee on "
	  "the waker's CPU." },
	{ "avg_wait_ns", CTPROF_DK_RATIO, { "wait_sum", "wait_count" }, CTPROF_LADDER_NS, false,
	  false, CTPROF_POL_LOWER_BETTER, "Average runqueue wait per wait, ns." },
	{ "cpu_efficiency", CTPROF_DK_SHARE, { "run_time_ns", "wait_time_ns" },
	  CTPROF_LADDER_NONE, true, false, CTPROF_POL_HIGHER_BETTER,
	  "Share of runnable time actually spent running: run / (run + wait)." },
	{ "avg_slice_ns", CTPROF_DK_RATIO, { "run_time_ns", "timeslices" }, CTPROF_LADDER_NS,
	  false, false, CTPROF_POL_INFO, "Average time on a CPU per timeslice, ns." },
	{ "involuntary_csw_ratio", CTPROF_DK_SHARE, { "nonvoluntary_csw", "voluntary_csw" },
	  CTPROF_LADDER_NONE, true, false, CTPROF_POL_LOWER_BETTER,
	  "Share of context switches that were preemptions." },
	{ "disk_io_fraction", CTPROF_DK_RATIO, { "read_bytes", "rchar" }, CTPROF_LADDER_NONE,
	  true, false, CTPROF_POL_INFO, "Bytes read from storage per byte read by syscalls (can "
	  "exceed 1 with readahead)." },
	{ "live_heap_estimate", CTPROF_DK_DIFF, { "allocated_bytes", "deallocated_bytes" },
	  CTPROF_LADDER_BYTES, false, false, CTPROF_POL_INFO,
	  "jemalloc bytes allocated minus bytes freed (signed)." },
	{ "avg_iowait_ns", CTPROF_DK_RATIO, { "iowait_sum", "iowait_count" }, CTPROF_LADDER_NS,
	  false, false, CTPROF_POL_LOWER_BETTER, "Average I/O wait per wait, ns." },
	AVG_DELAY(cpu, "CPU (runqueue)"),
	AVG_DELAY(blkio, "block I/O"),
	AVG_DELAY(swapin, "swap-in"),
	AVG_DELAY(freepages, "direct-reclaim"),
	AVG_DELAY(thrashing, "thrashing"),
	AVG_DELAY(compact, "compaction"),
	AVG_DELAY(wpcopy, "copy-on-write"),
	AVG_DELAY(irq, "IRQ"),
	{ "total_offcpu_delay_ns", CTPROF_DK_OFFCPU_TOTAL,
	  { "cpu_delay_total_ns", "blkio_delay_total_ns", "freepages_delay_total_ns",
	    "compact_delay_total_ns", "wpcopy_delay_total_ns", "irq_delay_total_ns",
	    "swapin_delay_total_ns", "thrashing_delay_total_ns" },
	  CTPROF_LADDER_NS, false, true, CTPROF_POL_LOWER_BETTER,
	  "All taskstats delay totals: cpu + blkio + freepages + compact + wpcopy + irq + "
	  "max(swapin, thrashing) (swap-in and thrashing overlap)." },
};

/* ---- the tables, built once ---------------------------------------------------- */

static struct ctprof_metric metrics[CTPROF_NMETRICS];
static struct ctprof_derived_metric derived[CTPROF_NDERIVED];
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;
static bool tables_ok;

static int find_primary(const char *name)
{
	unsigned i;

	for (i = 0; i < CTPROF_NMETRICS; i++)
		if (metrics[i].name && strcmp(metrics[i].name, name) == 0)
			return (int)i;
	return -1;
}

static void build_tables(void)
{
	const struct ctprof_field_desc *f = ctprof_fields();
	size_t i, j;

	metrics[0] = (struct ctprof_metric){
		.name = "thread_count",
		.index = 0,
		.field = -1,
		.agg = CTPROF_AGG_SUM_COUNT,
		.ladder = CTPROF_LADDER_UNITLESS,
		.klass = CTPROF_CLASS_NONE,
		.pred = CTPROF_PRED_NONE,
		.polarity = CTPROF_POL_INFO,
		.section = CTPROF_SEC_PRIMARY,
		.description = "Threads in the group (each thread counts 1).",
	};
	for (i = 0; i < CTPROF_THREAD_NFIELDS; i++) {
		unsigned r = f[i].reg;

		if (r < 2 || r > CTPROF_NMETRICS)
			continue;
		metrics[r - 1] = (struct ctprof_metric){
			.name = f[i].name,
			.index = r - 1,
			.field = (int)i,
			.agg = f[i].agg,
			.ladder = ctprof_agg_ladder(f[i].agg),
			.klass = f[i].klass,
			.gates = f[i].gates,
			.pred = f[i].pred,
			.polarity = f[i].polarity,
			.section = f[i].section,
			.description = field_desc[i] ? field_desc[i] : "",
		};
	}
	tables_ok = true;
	for (i = 0; i < CTPROF_NMETRICS; i++)
		if (!metrics[i].name)
			tables_ok = false;
	for (i = 0; i < CTPROF_NDERIVED; i++) {
		const struct derived_src *s = &derived_src[i];

		derived[i] = (struct ctprof_derived_metric){
			.name = s->name,
			.index = (unsigned)i,
			.kind = s->kind,
			.ladder = s->ladder,
			.is_ratio = s->is_ratio,
			.section = s->taskstats ? CTPROF_SEC_TASKSTATS_DELAY : CTPROF_SEC_PRIMARY,
			.polarity = s->polarity,
			.description = s->description,
		};
		for (j = 0; j < CTPROF_DERIVED_MAX_INPUTS && s->inputs[j]; j++) {
			int k = find_primary(s->inputs[j]);

			if (k < 0) {
				tables_ok = false;
				k = 0;
			}
			derived[i].inputs[j] = (unsigned)k;
			derived[i].n_inputs++;
		}
	}
}

static void ensure_tables(void)
{
	pthread_once(&tables_once, build_tables);
}

CTPROF_API const struct ctprof_metric *ctprof_metrics(void)
{
	ensure_tables();
	return tables_ok ? metrics : NULL;
}

CTPROF_API const struct ctprof_derived_metric *ctprof_derived_metrics(void)
{
	ensure_tables();
	return tables_ok ? derived : NULL;
}

CTPROF_API enum ctprof_metric_kind ctprof_metric_lookup(const char *name, unsigned *index)
{
	unsigned i;

	ensure_tables();
	if (!name)
		return CTPROF_MK_NONE;
	for (i = 0; i < CTPROF_NMETRICS; i++) {
		if (strcmp(metrics[i].name, name) == 0) {
			if (index)
				*index = i;
			return CTPROF_MK_PRIMARY;
		}
	}
	for (i = 0; i < CTPROF_NDERIVED; i++) {
		if (strcmp(derived[i].name, name) == 0) {
			if (index)
				*index = i;
			return CTPROF_MK_DERIVED;
		}
	}
	return CTPROF_MK_NONE;
}

/* Gate tags in ktstr's order (SCHED_CORE before SCHEDSTATS, TASKSTATS first). */
static const struct {
	unsigned bit;
	const char *name;
} gate_order[] = {
	{ CTPROF_GATE_SCHED_INFO, "SCHED_INFO" },
	{ CTPROF_GATE_SCHED_CORE, "SCHED_CORE" },
	{ CTPROF_GATE_SCHEDSTATS, "SCHEDSTATS" },
	{ CTPROF_GATE_SCHED_CLASS_EXT, "SCHED_CLASS_EXT" },
	{ CTPROF_GATE_TASK_IO_ACCOUNTING, "TASK_IO_ACCOUNTING" },
	{ CTPROF_GATE_TASKSTATS, "TASKSTATS" },
	{ CTPROF_GATE_TASK_DELAY_ACCT, "TASK_DELAY_ACCT" },
	{ CTPROF_GATE_TASK_XACCT, "TASK_XACCT" },
};

CTPROF_API size_t ctprof_metric_tags(const struct ctprof_metric *m, char *buf, size_t size)
{
	static const char *const klass[] = {
		[CTPROF_CLASS_NONE] = NULL,
		[CTPROF_CLASS_CFS_ONLY] = "cfs-only",
		[CTPROF_CLASS_NON_EXT] = "non-ext",
		[CTPROF_CLASS_FAIR_POLICY] = "fair-policy",
	};
	struct ctprof_buf b = { 0 };
	size_t i, len;

	if (m->klass < sizeof(klass) / sizeof(klass[0]) && klass[m->klass]) {
		ctprof_buf_putc(&b, '[');
		ctprof_buf_puts(&b, klass[m->klass]);
		ctprof_buf_putc(&b, ']');
	}
	for (i = 0; i < sizeof(gate_order) / sizeof(gate_order[0]); i++) {
		if (!(m->gates & gate_order[i].bit))
			continue;
		if (b.len)
			ctprof_buf_putc(&b, ' ');
		ctprof_buf_putc(&b, '[');
		ctprof_buf_puts(&b, gate_order[i].name);
		ctprof_buf_putc(&b, ']');
	}
	len = b.len;
	if (size) {
		size_t c = len < size - 1 ? len : size - 1;

		if (c)
			memcpy(buf, b.data, c);
		buf[c] = '\0';
	}
	ctprof_buf_free(&b);
	return len;
}

CTPROF_API const char *ctprof_ladder_base_unit(enum ctprof_ladder l)
{
	switch (l) {
	case CTPROF_LADDER_NS:
		return "ns";
	case CTPROF_LADDER_US:
		return "\xc2\xb5s";
	case CTPROF_LADDER_BYTES:
		return "B";
	case CTPROF_LADDER_TICKS:
		return "ticks";
	case CTPROF_LADDER_UNITLESS:
	case CTPROF_LADDER_NONE:
	default:
		return "";
	}
}

CTPROF_API enum ctprof_ladder ctprof_agg_ladder(enum ctprof_agg agg)
{
	switch (agg) {
	case CTPROF_AGG_SUM_COUNT:
	case CTPROF_AGG_MAX_GAUGE_COUNT:
		return CTPROF_LADDER_UNITLESS;
	case CTPROF_AGG_SUM_NS:
	case CTPROF_AGG_MAX_PEAK:
	case CTPROF_AGG_MAX_GAUGE_NS:
		return CTPROF_LADDER_NS;
	case CTPROF_AGG_SUM_TICKS:
		return CTPROF_LADDER_TICKS;
	case CTPROF_AGG_SUM_BYTES:
	case CTPROF_AGG_MAX_PEAK_BYTES:
		return CTPROF_LADDER_BYTES;
	default:
		return CTPROF_LADDER_NONE;
	}
}

CTPROF_API const char *ctprof_group_by_name(enum ctprof_group_by g)
{
	switch (g) {
	case CTPROF_GROUP_PCOMM:
		return "pcomm";
	case CTPROF_GROUP_CGROUP:
		return "cgroup";
	case CTPROF_GROUP_COMM:
		return "comm";
	case CTPROF_GROUP_COMM_EXACT:
		return "comm-exact";
	case CTPROF_GROUP_ALL:
		return "all";
	}
	return "?";
}

CTPROF_API const char *ctprof_group_by_header(enum ctprof_group_by g)
{
	switch (g) {
	case CTPROF_GROUP_PCOMM:
		return "pcomm";
	case CTPROF_GROUP_CGROUP:
		return "cgroup";
	case CTPROF_GROUP_COMM:
		return "comm-pattern";
	case CTPROF_GROUP_COMM_EXACT:
	case CTPROF_GROUP_ALL:
		return "comm";
	}
	return "?";
}

CTPROF_API int ctprof_group_by_parse(const char *s, enum ctprof_group_by *out)
{
	static const enum ctprof_group_by all[] = { CTPROF_GROUP_PCOMM, CTPROF_GROUP_CGROUP,
						    CTPROF_GROUP_COMM, CTPROF_GROUP_COMM_EXACT,
						    CTPROF_GROUP_ALL };
	size_t i;

	for (i = 0; s && i < sizeof(all) / sizeof(all[0]); i++) {
		if (strcmp(s, ctprof_group_by_name(all[i])) == 0) {
			*out = all[i];
			return 0;
		}
	}
	return -EINVAL;
}
