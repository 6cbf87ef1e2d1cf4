/* SPDX-License-Identifier: MIT */
/*
 * Internal: procfs / cgroup / PSI / sched_ext parsers and the bounded file
 * reader. Pure functions over buffers, so unit tests drive them with
 * strings. Reference: shared/spec/snapshot-and-capture.md §3.4-§3.6, §4.4,
 * §4.7, with the deliberate differences of DESIGN.md §4.
 */
#ifndef CTPROF_LIB_CAPTURE_PARSE_H
#define CTPROF_LIB_CAPTURE_PARSE_H

#include <ctprof/snapshot.h>
#include "../util/util.h"

/* Largest file the capture reads; bigger files are read failures. */
#define CTPROF_READ_MAX ((size_t)4 << 20)

/*
 * Read `name` relative to dirfd (AT_FDCWD allowed) into buf (reset to
 * len 0, reused between calls, NUL-terminated). Opens O_RDONLY|O_NONBLOCK|
 * O_CLOEXEC|O_NOCTTY, fstat()s it and reads only regular files (a FIFO or
 * device is never read, so this never blocks) — procfs files report
 * st_size 0, so the size check is done while reading: more than `max`
 * bytes is a failure (-EFBIG; at most max + 1 bytes are read). The bytes
 * need not be UTF-8. On failure buf->len is 0.
 * Returns 0, or a negative errno (-ENOENT, -EACCES, -EINVAL for a
 * non-regular file, -EFBIG, -ENOMEM, or read()'s errno, e.g. -EOPNOTSUPP
 * from a PSI file with PSI disabled).
 */
CTPROF_HIDDEN int ctprof_read_file_at(int dirfd, const char *name, struct ctprof_buf *buf,
				      size_t max);

/*
 * Decode buf in place-independent way to a malloc'd, trimmed, valid UTF-8
 * string (invalid sequences become U+FFFD; DESIGN.md §4). NULL on ENOMEM.
 */
CTPROF_HIDDEN char *ctprof_text_trimmed(const char *buf, size_t len);

/* T/stat: fills minflt majflt utime_clock_ticks stime_clock_ticks priority
 * nice start_time_clock_ticks processor rt_priority policy. Each field that
 * fails to parse is left untouched (callers start from ctprof_thread_init
 * values). Returns false when there is no ')' (every field absent). */
CTPROF_HIDDEN bool ctprof_parse_stat(const char *buf, size_t len, struct ctprof_thread *t);

/* SCHED_OTHER.. name for a policy number; SCHED_UNKNOWN(n) written into
 * tmp (>= 32 bytes) otherwise. */
CTPROF_HIDDEN const char *ctprof_policy_name(long n, char *tmp, size_t tmplen);

/* T/schedstat: run_time_ns wait_time_ns timeslices. */
CTPROF_HIDDEN void ctprof_parse_schedstat(const char *buf, size_t len, struct ctprof_thread *t);

enum ctprof_pn_result {
	CTPROF_PN_OK,
	CTPROF_PN_NEGATIVE,
	CTPROF_PN_MALFORMED,
};
/* The kernel's dotted ms.ns format (§4.4.4). */
CTPROF_HIDDEN enum ctprof_pn_result ctprof_parse_pn(const char *s, size_t n, uint64_t *ns);

/* T/sched: every key of §4.4.4 and ext_enabled; voluntary_sleep_ns derived.
 * Returns the number of negative dotted values seen. */
CTPROF_HIDDEN unsigned ctprof_parse_sched(const char *buf, size_t len, struct ctprof_thread *t);

/* T/status: state, voluntary_csw, nonvoluntary_csw, nr_threads (only when
 * is_leader), and cpu_affinity from Cpus_allowed_list when want_affinity
 * (the caller decides whether the syscall already gave it). */
CTPROF_HIDDEN void ctprof_parse_status(const char *buf, size_t len, struct ctprof_thread *t,
				       bool is_leader, bool want_affinity);

/* T/io: rchar wchar syscr syscw read_bytes write_bytes cancelled_write_bytes. */
CTPROF_HIDDEN void ctprof_parse_io(const char *buf, size_t len, struct ctprof_thread *t);

/* T/smaps_rollup into a sorted map (kB values). 0 or -ENOMEM. */
CTPROF_HIDDEN int ctprof_parse_smaps_rollup(const char *buf, size_t len, struct ctprof_kvmap *out);

/* T/cgroup: the path after the first non-empty "0::" line, malloc'd,
 * trimmed, lossily decoded; "" when there is none. NULL on ENOMEM. */
CTPROF_HIDDEN char *ctprof_parse_cgroup(const char *buf, size_t len);

/* At most this many CPUs in one "a-b" range (ktstr's expansion cap). */
#define CTPROF_CPULIST_RANGE_MAX 65536u
/* At most this many CPUs in a whole list (the sched_getaffinity ceiling of
 * §4.7; beyond ktstr, which has no total bound). */
#define CTPROF_CPULIST_MAX 262144u

/* cpulist ("0-3,8"): 0 and a sorted, deduplicated, non-empty set (out is
 * overwritten, not freed); -EINVAL when the list is empty (also ",,") or
 * any token is malformed (whole list rejected: "3-1", "0-70000", "a"),
 * -E2BIG beyond CTPROF_CPULIST_MAX CPUs, -ENOMEM. */
CTPROF_HIDDEN int ctprof_parse_cpulist(const char *buf, size_t len, struct ctprof_cpuset *out);

/* One PSI file ("some avg10=..." / "full ..."). Missing fields stay 0. */
CTPROF_HIDDEN void ctprof_parse_psi(const char *buf, size_t len, struct ctprof_psi_resource *out);

/*
 * The four PSI files names[0..3] (cpu, memory, io, irq) under dirfd into
 * out; each resource is zeroed first and stays zero when its file is
 * missing or unreadable (EOPNOTSUPP included). dirfd < 0 gives all zeros.
 * buf is scratch space.
 */
CTPROF_HIDDEN void ctprof_read_psi_files(int dirfd, const char *const names[4],
					 struct ctprof_psi *out, struct ctprof_buf *buf);

/* Host PSI from <proc_root>/pressure/{cpu,memory,io,irq}; zeros when absent. 0 or -ENOMEM. */
CTPROF_HIDDEN int ctprof_read_host_psi(const char *proc_root, struct ctprof_psi *out);

/*
 * True when a cgroup path from a thread may be joined onto cgroup_root:
 * it is non-empty, starts with exactly one '/' ("//x" would still be
 * absolute after the join strips one), and has no ".." component
 * (DESIGN.md §4). "/" is ok and means cgroup_root itself.
 */
CTPROF_HIDDEN bool ctprof_cgroup_path_safe(const char *path);

/* Every file of §3.4 under cgroup_root + path into out, which the caller
 * initialised with ctprof_cgroup_stats_init(). An unsafe path, or a
 * directory that cannot be opened, leaves the defaults; a missing or
 * unreadable file leaves its fields at their defaults. 0 or -ENOMEM (out
 * stays valid for ctprof_cgroup_stats_clear()). */
CTPROF_HIDDEN int ctprof_read_cgroup_stats(const char *cgroup_root, const char *path,
					   struct ctprof_cgroup_stats *out);

/* The cpu.max and memory.stat (also memory.events) parsers of
 * ctprof_read_cgroup_stats over a buffer (tests/fuzz). cpu.max: quota
 * "max" or unparsable -> unset, period 100000 unless a u64 follows.
 * memory.stat: "key u64" lines into a sorted map (out is cleared first);
 * 0 or -ENOMEM (out empty). */
CTPROF_HIDDEN void ctprof_parse_cpu_max(const char *buf, size_t len, struct ctprof_cgroup_cpu *cpu);
CTPROF_HIDDEN int ctprof_parse_kv_counters(const char *buf, size_t len, struct ctprof_kvmap *out);

/* <sys_root>/kernel/sched_ext: *out = NULL when the directory does not
 * exist (stat fails); otherwise a malloc'd struct (fields per §3.6: state
 * trimmed and lossily decoded, "" when unreadable; integers trimmed u64,
 * 0 when unreadable or malformed), freed with free(s->state); free(s).
 * Returns 0 or -ENOMEM (*out NULL). */
CTPROF_HIDDEN int ctprof_read_sched_ext(const char *sys_root, struct ctprof_sched_ext **out);

#endif
