/* SPDX-License-Identifier: MIT */
/*
 * libctprof — capture: snapshot every thread of a host (live mode) or of a
 * synthetic proc tree (synthetic mode).
 *
 * Reference: shared/spec/snapshot-and-capture.md §3-§4 with the deliberate
 * differences of DESIGN.md §4. Capture is best effort: a file that cannot
 * be read leaves its fields at their "absent" values (and is tallied in
 * parse_summary in live mode), a thread that vanished mid-read is dropped by
 * the ghost filter. Only running out of memory or an unusable option is an
 * error.
 */
#ifndef CTPROF_CAPTURE_H
#define CTPROF_CAPTURE_H

#include <ctprof/common.h>
#include <ctprof/snapshot.h>

#ifdef __cplusplus
extern "C" {
#endif

enum ctprof_capture_mode {
	/* Synthetic when any of the three roots is given, live otherwise. */
	CTPROF_CAPTURE_AUTO = 0,
	/*
	 * Everything: host context, sched_getaffinity, the jemalloc probe
	 * (attach to every walked tgid whose executable links jemalloc
	 * statically, then a ptrace read of each of its threads; see
	 * ctprof/probe.h), a taskstats query of
	 * every walked tid (pipelined on one netlink socket per worker;
	 * ghosts included), parse/probe/taskstats summaries, the §4.9 log
	 * lines, and the capturing process's own threads left out. When the
	 * taskstats socket cannot be opened the capture goes on with the
	 * taskstats fields 0 and a zero taskstats_summary, and logs one
	 * warning (level 1) that says what to fix.
	 */
	CTPROF_CAPTURE_LIVE,
	/*
	 * Read only under the roots (spec §4.2): no host context, no
	 * sched_getaffinity (affinity from Cpus_allowed_list), host and the
	 * three summaries null. Deterministic apart from captured_at_unix_ns.
	 */
	CTPROF_CAPTURE_SYNTHETIC,
};

/*
 * Options. Always set sz (CTPROF_CAPTURE_OPTS does); fields added later go
 * at the end and default to zero, so older callers keep working.
 *
 * Roots left NULL default to:
 *   proc_root    "/proc"
 *   sys_root     "/sys"; but "<dir of proc_root>/sys" in synthetic mode
 *                when proc_root is given and is not the real /proc
 *   cgroup_root  the cgroup2 mount found in /proc/self/mountinfo (falling
 *                back to "/sys/fs/cgroup"); but "<dir of proc_root>/cgroup"
 *                in synthetic mode when proc_root is given and is not the
 *                real /proc
 * so that a fixture laid out as CASE/{proc,sys,cgroup} is captured from
 * proc_root CASE/proc alone without ever reading the host's /sys.
 */
struct ctprof_capture_opts {
	size_t sz;
	const char *proc_root;
	const char *sys_root;
	const char *cgroup_root;
	enum ctprof_capture_mode mode;
	/* Only this tgid (ktstr's capture_pid); 0 = every tgid. */
	int pid;
	/* Use captured_at_unix_ns instead of the clock (deterministic tests). */
	bool pin_time;
	uint64_t captured_at_unix_ns;
	/* Worker threads for the walk; 0 = one per usable CPU (at most 16). */
	unsigned jobs;
	/* Only these tgids (together with pid when that is set too); each must
	 * be > 0; n_pids 0 = no list. At most CTPROF_CAPTURE_MAX_PIDS. */
	const int *pids;
	size_t n_pids;
	/*
	 * Live mode: do not query taskstats (the 34 delay and watermark
	 * fields stay 0, the four taskstats flags false, taskstats_summary
	 * all zeros). Synthetic mode never queries it.
	 */
	bool no_taskstats;
	/*
	 * Live mode: do not run the jemalloc probe (no ptrace attach; the
	 * jemalloc fields stay 0, jemalloc_measured false, probe_summary all
	 * zeros). Synthetic mode never probes.
	 */
	bool no_probe;
};

#define CTPROF_CAPTURE_OPTS(...) \
	((struct ctprof_capture_opts){ .sz = sizeof(struct ctprof_capture_opts), __VA_ARGS__ })

/* Largest accepted jobs value. */
#define CTPROF_CAPTURE_MAX_JOBS 256u
/* Longest accepted pids list. */
#define CTPROF_CAPTURE_MAX_PIDS ((size_t)1 << 16)

/*
 * Capture a snapshot. opts may be NULL (live, every thread). On success
 * *out owns a new snapshot (free with ctprof_snapshot_free) and 0 is
 * returned. Errors: -ENOMEM, -EINVAL (bad mode, negative pid, a pids entry
 * <= 0 or more than CTPROF_CAPTURE_MAX_PIDS of them, jobs above
 * CTPROF_CAPTURE_MAX_JOBS, sz too small), -E2BIG (opts larger than this
 * library knows with non-zero unknown fields). *out is untouched on error.
 */
CTPROF_API int ctprof_capture(const struct ctprof_capture_opts *opts, struct ctprof_snapshot **out,
			      struct ctprof_error *err);

/*
 * Collect the host context of the running host (spec §3.2): cpuinfo,
 * meminfo, THP, every sched_* tunable, online CPUs, NUMA nodes, cpufreq
 * governors, uname, the kernel command line, task_delayacct and
 * CONFIG_TASK_XACCT from /proc/config.gz. Fields that cannot be read are
 * omitted. 0 or -ENOMEM.
 */
CTPROF_API int ctprof_host_collect(struct ctprof_host **out, struct ctprof_error *err);

/*
 * Find the cgroup v2 mount point in a mountinfo file (usually
 * "/proc/self/mountinfo"): the first entry with filesystem type "cgroup2"
 * (/sys/fs/cgroup on pure v2 hosts, /sys/fs/cgroup/unified on hybrid
 * ones), with the kernel's octal escapes (\040 ...) decoded. On success
 * *out is a malloc'd path. -ENOENT when there is none, -ENOMEM, or the
 * error of reading the file.
 */
CTPROF_API int ctprof_find_cgroup2_mount(const char *mountinfo_path, char **out,
					 struct ctprof_error *err);

#ifdef __cplusplus
}
#endif
#endif /* CTPROF_CAPTURE_H */
