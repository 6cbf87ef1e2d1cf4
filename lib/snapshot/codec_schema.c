/* SPDX-License-Identifier: MIT */
/*
 * The JSON layout of every snapshot struct but ThreadState, in ktstr's
 * declaration order (spec/snapshot-and-capture.md §3). Both directions of
 * the codec iterate these tables.
 */
#include <stddef.h>

#include "codec.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define JS(tbl) { (tbl), ARRAY_LEN(tbl) }

#define F(T, key, kind, member) { #key, CTPROF_J_##kind, offsetof(T, member), 0, 0, NULL }
#define SUB(T, key, kind, member, layout) { #key, CTPROF_J_##kind, offsetof(T, member), 0, 0, &(layout) }
#define PSUB(T, key, kind, member, PT, layout) \
	{ #key, CTPROF_J_##kind, offsetof(T, member), 0, sizeof(PT), &(layout) }
#define FLAGGED(T, key, kind, member, flag, layout) \
	{ #key, CTPROF_J_##kind, offsetof(T, member), offsetof(T, flag), 0, layout }

const char *const ctprof_j_delayacct_names[4] = {
	[CTPROF_DELAYACCT_ABSENT] = NULL,
	[CTPROF_DELAYACCT_CONFIG_OFF] = "config_off",
	[CTPROF_DELAYACCT_RUNTIME_OFF] = "runtime_off",
	[CTPROF_DELAYACCT_ON] = "on",
};

const char *const ctprof_j_xacct_names[4] = {
	[CTPROF_XACCT_ABSENT] = NULL,
	[CTPROF_XACCT_ON] = "on",
	[CTPROF_XACCT_OFF] = "off",
	[CTPROF_XACCT_UNKNOWN] = "unknown",
};

/* ---- PSI ---- */

#define T struct ctprof_psi_half
static const struct ctprof_jfield psi_half_f[] = {
	F(T, avg10, U16, avg10),
	F(T, avg60, U16, avg60),
	F(T, avg300, U16, avg300),
	F(T, total_usec, U64, total_usec),
};
#undef T
static const struct ctprof_jstruct psi_half = JS(psi_half_f);

#define T struct ctprof_psi_resource
static const struct ctprof_jfield psi_res_f[] = {
	SUB(T, some, STRUCT, some, psi_half),
	SUB(T, full, STRUCT, full, psi_half),
};
#undef T
static const struct ctprof_jstruct psi_res = JS(psi_res_f);

#define T struct ctprof_psi
static const struct ctprof_jfield psi_f[] = {
	SUB(T, cpu, STRUCT, cpu, psi_res),
	SUB(T, memory, STRUCT, memory, psi_res),
	SUB(T, io, STRUCT, io, psi_res),
	SUB(T, irq, STRUCT, irq, psi_res),
};
#undef T
static const struct ctprof_jstruct psi = JS(psi_f);

/* ---- CgroupStats ---- */

#define T struct ctprof_cgroup_cpu
static const struct ctprof_jfield cg_cpu_f[] = {
	F(T, usage_usec, U64, usage_usec),
	F(T, nr_throttled, U64, nr_throttled),
	F(T, throttled_usec, U64, throttled_usec),
	F(T, max_quota_us, OPT_U64, max_quota_us),
	F(T, max_period_us, U64, max_period_us),
	F(T, weight, OPT_U64, weight),
	F(T, weight_nice, OPT_I32, weight_nice),
};
#undef T
static const struct ctprof_jstruct cg_cpu = JS(cg_cpu_f);

#define T struct ctprof_cgroup_memory
static const struct ctprof_jfield cg_mem_f[] = {
	F(T, current, U64, current),
	F(T, max, OPT_U64, max),
	F(T, high, OPT_U64, high),
	F(T, low, OPT_U64, low),
	F(T, min, OPT_U64, min),
	F(T, stat, KVMAP, stat),
	F(T, events, KVMAP, events),
};
#undef T
static const struct ctprof_jstruct cg_mem = JS(cg_mem_f);

#define T struct ctprof_cgroup_pids
static const struct ctprof_jfield cg_pids_f[] = {
	F(T, current, OPT_U64, current),
	F(T, max, OPT_U64, max),
};
#undef T
static const struct ctprof_jstruct cg_pids = JS(cg_pids_f);

#define T struct ctprof_cgroup_stats
static const struct ctprof_jfield cg_f[] = {
	SUB(T, cpu, STRUCT, cpu, cg_cpu),
	SUB(T, memory, STRUCT, memory, cg_mem),
	SUB(T, pids, STRUCT, pids, cg_pids),
	SUB(T, psi, STRUCT, psi, psi),
};
#undef T
const struct ctprof_jstruct ctprof_j_cgroup_stats = JS(cg_f);

/* ---- HostContext and HostHeapState ---- */

#define T struct ctprof_heap_state
static const struct ctprof_jfield heap_f[] = {
	F(T, active_bytes, O_U64, active_bytes),
	F(T, allocated_bytes, O_U64, allocated_bytes),
	F(T, resident_bytes, O_U64, resident_bytes),
	F(T, mapped_bytes, O_U64, mapped_bytes),
	F(T, narenas, O_U64, narenas),
};
#undef T
static const struct ctprof_jstruct heap = JS(heap_f);

#define T struct ctprof_host
static const struct ctprof_jfield host_f[] = {
	F(T, cpu_model, O_STR, cpu_model),
	F(T, cpu_vendor, O_STR, cpu_vendor),
	F(T, total_memory_kib, O_U64, total_memory_kib),
	F(T, hugepages_total, O_U64, hugepages_total),
	F(T, hugepages_free, O_U64, hugepages_free),
	F(T, hugepages_size_kib, O_U64, hugepages_size_kib),
	F(T, thp_enabled, O_STR, thp_enabled),
	F(T, thp_defrag, O_STR, thp_defrag),
	FLAGGED(T, sched_tunables, O_STRMAP, sched_tunables, has_sched_tunables, NULL),
	F(T, online_cpus, O_U64, online_cpus),
	F(T, numa_nodes, O_U64, numa_nodes),
	F(T, cpufreq_governor, O_GOVERNOR, cpufreq_governor),
	F(T, kernel_name, O_STR, kernel_name),
	F(T, kernel_release, O_STR, kernel_release),
	F(T, arch, O_STR, arch),
	F(T, kernel_cmdline, O_STR, kernel_cmdline),
	F(T, task_delayacct, O_DELAYACCT, task_delayacct),
	F(T, config_task_xacct, O_XACCT, config_task_xacct),
	FLAGGED(T, heap_state, O_STRUCT, heap_state, has_heap_state, &heap),
};
#undef T
static const struct ctprof_jstruct host = JS(host_f);

/* ---- summaries, sched_ext, interval ---- */

#define T struct ctprof_probe_summary
static const struct ctprof_jfield probe_f[] = {
	F(T, tgids_walked, U64, tgids_walked),
	F(T, jemalloc_detected, U64, jemalloc_detected),
	F(T, probed_ok, U64, probed_ok),
	F(T, failed, U64, failed),
	F(T, dominant_failure, NSTR, dominant_failure),
	F(T, privilege_dominant, BOOL, privilege_dominant),
};
#undef T
static const struct ctprof_jstruct probe = JS(probe_f);

#define T struct ctprof_parse_summary
static const struct ctprof_jfield parse_f[] = {
	F(T, tids_walked, U64, tids_walked),
	F(T, read_failures, U64, read_failures),
	F(T, read_failures_by_file, KVMAP, read_failures_by_file),
	F(T, dominant_read_failure, NSTR, dominant_read_failure),
	F(T, kernel_config_dominant, BOOL, kernel_config_dominant),
	F(T, negative_dotted_values, U64, negative_dotted_values),
};
#undef T
static const struct ctprof_jstruct parse = JS(parse_f);

#define T struct ctprof_taskstats_summary
static const struct ctprof_jfield tstats_f[] = {
	F(T, ok_count, U64, ok_count),
	F(T, eperm_count, U64, eperm_count),
	F(T, esrch_count, U64, esrch_count),
	F(T, other_err_count, U64, other_err_count),
};
#undef T
static const struct ctprof_jstruct tstats = JS(tstats_f);

#define T struct ctprof_sched_ext
static const struct ctprof_jfield scx_f[] = {
	F(T, state, STR, state),
	F(T, switch_all, U64, switch_all),
	F(T, nr_rejected, U64, nr_rejected),
	F(T, hotplug_seq, U64, hotplug_seq),
	F(T, enable_seq, U64, enable_seq),
};
#undef T
static const struct ctprof_jstruct scx = JS(scx_f);

#define T struct ctprof_interval_info
static const struct ctprof_jfield interval_f[] = {
	F(T, from_unix_ns, U64, from_unix_ns),
	F(T, to_unix_ns, U64, to_unix_ns),
};
#undef T
static const struct ctprof_jstruct interval = JS(interval_f);

/* ---- CtprofSnapshot ---- */

#define T struct ctprof_snapshot
static const struct ctprof_jfield snap_f[] = {
	F(T, captured_at_unix_ns, U64, captured_at_unix_ns),
	PSUB(T, host, PSTRUCT, host, struct ctprof_host, host),
	F(T, threads, THREADS, threads),
	F(T, cgroup_stats, CGROUPS, cgroups),
	PSUB(T, probe_summary, PSTRUCT, probe_summary, struct ctprof_probe_summary, probe),
	PSUB(T, parse_summary, PSTRUCT, parse_summary, struct ctprof_parse_summary, parse),
	PSUB(T, taskstats_summary, PSTRUCT, taskstats_summary, struct ctprof_taskstats_summary,
	     tstats),
	SUB(T, psi, STRUCT, psi, psi),
	PSUB(T, sched_ext, PSTRUCT, sched_ext, struct ctprof_sched_ext, scx),
	/* extension (DESIGN.md §1): only in interval snapshots */
	PSUB(T, interval, O_PSTRUCT, interval, struct ctprof_interval_info, interval),
};
#undef T
const struct ctprof_jstruct ctprof_j_snapshot = JS(snap_f);
