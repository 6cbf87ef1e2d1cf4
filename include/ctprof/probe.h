/* SPDX-License-Identifier: MIT */
/*
 * libctprof — the jemalloc per-thread probe (spec §4.6, §3.7, §4.9).
 *
 * For a process whose executable links jemalloc statically, reads per
 * thread the two counters jemalloc keeps in its thread-specific data,
 * tsd_s.thread_allocated and tsd_s.thread_deallocated (bytes since the
 * thread was born). Attach once per process (ELF symbol, PT_TLS,
 * architecture, DWARF member offsets), then per thread: PTRACE_SEIZE,
 * PTRACE_INTERRUPT, a bounded wait, the thread pointer, one
 * process_vm_readv, PTRACE_DETACH (on every path). The thread is stopped
 * for a few milliseconds at most.
 *
 * Linux on x86_64 and aarch64 only; the target must be of the probe's own
 * architecture. Needs ptrace rights over the target (root,
 * CAP_SYS_PTRACE, or the same uid with kernel.yama.ptrace_scope=0).
 *
 * Deliberate extension (DESIGN: trust nothing, lose nothing): a mapped
 * shared object is also recognised as jemalloc, for the jemalloc-in-dso tag,
 * when it has no TLS symbol (stripped, e.g. Debian's libjemalloc.so.2) but
 * has a PT_TLS segment and exports `mallctl` (or `<prefix>mallctl`).
 * Not implemented: DWP split-DWARF lookup (step 2 of the §4.6.1 cascade)
 * and the .debug_pubtypes shortcut (the full walk finds the same DIE).
 */
#ifndef CTPROF_PROBE_H
#define CTPROF_PROBE_H

#include <ctprof/common.h>
#include <ctprof/snapshot.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The tag vocabulary of spec §3.7 (a stable wire contract), in one enum. */
enum ctprof_probe_tag {
	CTPROF_PROBE_OK = 0,
	/* attach tags */
	CTPROF_PROBE_PID_MISSING,
	CTPROF_PROBE_READLINK_FAILURE,   /* not actionable */
	CTPROF_PROBE_MAPS_READ_FAILURE,
	CTPROF_PROBE_JEMALLOC_NOT_FOUND, /* not actionable */
	CTPROF_PROBE_JEMALLOC_IN_DSO,
	CTPROF_PROBE_ARCH_MISMATCH,
	CTPROF_PROBE_DWARF_PARSE_FAILURE,
	CTPROF_PROBE_WORKER_PANIC,
	/* per-thread probe tags */
	CTPROF_PROBE_PTRACE_SEIZE,
	CTPROF_PROBE_PTRACE_INTERRUPT,
	CTPROF_PROBE_WAITPID,
	CTPROF_PROBE_GET_REGSET,
	CTPROF_PROBE_PROCESS_VM_READV,
	CTPROF_PROBE_TLS_ARITHMETIC,
	CTPROF_PROBE__COUNT
};

/* "pid-missing", "ptrace-seize", ...; "ok" for CTPROF_PROBE_OK; NULL if out of range. */
CTPROF_API const char *ctprof_probe_tag_name(enum ctprof_probe_tag tag);
/* False for readlink-failure, jemalloc-not-found and ok; true otherwise. */
CTPROF_API bool ctprof_probe_tag_actionable(enum ctprof_probe_tag tag);

/* The remediation hint of spec §3.7 (PTRACE_EPERM_HINT). */
#define CTPROF_PROBE_PTRACE_HINT \
	"hint: re-run as root, or sudo setcap cap_sys_ptrace+eip $(which ktstr), or set kernel.yama.ptrace_scope=0"

/* What attach learned about one executable; the per-thread read needs only this. */
struct ctprof_jemalloc_probe {
	uint64_t tls_sym_value;          /* st_value of the TLS symbol */
	uint64_t tls_align;              /* PT_TLS p_align, 0 taken as 1 */
	uint64_t tls_image_aligned_size; /* round_up(p_memsz, p_align) */
	uint64_t off_allocated;          /* DWARF member offset in tsd_s */
	uint64_t off_deallocated;
	char *tls_sym_name;              /* e.g. "je_tsd_tls" */
	char *debug_path;                /* the file the offsets came from */
};

/*
 * Attach to process pid under proc_root (NULL: "/proc"), spec §4.6.1.
 * On success returns 0, *out owns a probe (ctprof_jemalloc_probe_free) and
 * *tag is CTPROF_PROBE_OK. On failure returns a negative errno, *out is
 * NULL, *tag names the reason (jemalloc-not-found: -ENOENT,
 * jemalloc-in-dso: -ENOTSUP, arch-mismatch: -ENOEXEC, ...) and err says
 * which path and step (for dwarf-parse-failure: every path tried). -ENOMEM
 * leaves *tag at CTPROF_PROBE_OK.
 */
CTPROF_API int ctprof_jemalloc_attach(const char *proc_root, int pid,
				      struct ctprof_jemalloc_probe **out,
				      enum ctprof_probe_tag *tag, struct ctprof_error *err);
CTPROF_API void ctprof_jemalloc_probe_free(struct ctprof_jemalloc_probe *p);

/*
 * Read one thread's counters, spec §4.6.2. 0 on success; otherwise a
 * negative errno with *tag set (ptrace-seize, ptrace-interrupt, waitpid,
 * get-regset, tls-arithmetic, process-vm-readv). The thread is detached on
 * every path; a signal that arrived while it was stopped is re-delivered.
 * Must be called from one thread per tid at a time (ptrace binds the
 * tracee to the calling thread).
 */
CTPROF_API int ctprof_jemalloc_probe_thread(const struct ctprof_jemalloc_probe *p, int tid,
					    uint64_t *allocated, uint64_t *deallocated,
					    enum ctprof_probe_tag *tag, struct ctprof_error *err);

/*
 * The TLS address arithmetic of §4.6.2 step 5 for the build architecture
 * (x86_64: Variant II, aarch64: Variant I). 0, or -ERANGE on overflow or
 * underflow. Exposed for tests.
 */
CTPROF_API int ctprof_jemalloc_tls_addr(const struct ctprof_jemalloc_probe *p,
					uint64_t thread_pointer, uint64_t *addr);

/*
 * Phase 1 of a capture (spec §4.3 step 5) and the tally of §3.7: attach
 * to many tgids in parallel, cached by the (st_dev, st_ino) of each exe,
 * then probe threads and build the probe_summary.
 *
 * Thread safety: ctprof_probe_set_thread may be called concurrently from
 * several threads (for different tids); everything else is single-threaded.
 */
struct ctprof_probe_set;

struct ctprof_probe_set_opts {
	size_t sz;
	const char *proc_root; /* NULL: "/proc" */
	/* Parallel attach workers; 0: the §4.3 headroom rule (CPUs minus
	 * load, clamped to [1, CPUs/2 + 1]). */
	unsigned jobs;
	/* Do not attach to this tgid (the capturer); 0: getpid(). Negative: none. */
	int self_pid;
};
#define CTPROF_PROBE_SET_OPTS(...) \
	((struct ctprof_probe_set_opts){ .sz = sizeof(struct ctprof_probe_set_opts), __VA_ARGS__ })

/*
 * Attach to every tgid of tgids[0..n) except self_pid (duplicates are
 * attached once). 0 or -ENOMEM / -EINVAL. Attach failures are counted,
 * logged (debug for the two non-actionable tags, warning otherwise), and
 * leave that tgid without a probe.
 */
CTPROF_API int ctprof_probe_set_attach(const struct ctprof_probe_set_opts *opts, const int *tgids,
				       size_t n, struct ctprof_probe_set **out,
				       struct ctprof_error *err);
/* The probe of tgid, or NULL when it has none. */
CTPROF_API const struct ctprof_jemalloc_probe *ctprof_probe_set_get(const struct ctprof_probe_set *s,
								   int tgid);
/*
 * Probe thread tid of tgid and tally the result. Returns 1 when the
 * counters were read (*allocated / *deallocated set, jemalloc_measured
 * should be true), 0 when the tgid has no probe (nothing counted), or a
 * negative errno for a failed read (counted under its tag; one warning per
 * tgid). The counters are zeroed unless the read succeeded.
 */
CTPROF_API int ctprof_probe_set_thread(struct ctprof_probe_set *s, int tgid, int tid,
				       uint64_t *allocated, uint64_t *deallocated);
/* Count of one tag so far (attach and probe tags). */
CTPROF_API uint64_t ctprof_probe_set_tag_count(const struct ctprof_probe_set *s,
					       enum ctprof_probe_tag tag);
/*
 * Build the probe_summary of §3.7 (dominant failure, privilege flag) into
 * a new allocation (free with free(); dominant_failure is a separate
 * allocation: free it first) and, when log is true, emit the §4.9 line at
 * info level. 0 or -ENOMEM.
 */
CTPROF_API int ctprof_probe_set_summary(const struct ctprof_probe_set *s, bool log,
					struct ctprof_probe_summary **out);
/* Format the §4.9 line for a summary into buf (always NUL-terminated). */
CTPROF_API void ctprof_probe_summary_line(const struct ctprof_probe_summary *p, char *buf,
					  size_t len);
CTPROF_API void ctprof_probe_set_free(struct ctprof_probe_set *s);

#ifdef __cplusplus
}
#endif
#endif /* CTPROF_PROBE_H */
