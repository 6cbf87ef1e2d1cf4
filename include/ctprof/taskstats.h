/* SPDX-License-Identifier: MIT */
/*
 * libctprof — the taskstats client (per-tid delay accounting), the
 * `kernel.task_delayacct` switch, and the taskstats exit listener.
 *
 * Reference: shared/spec/snapshot-and-capture.md §3.3, §3.9, §4.8 and
 * shared/spec/kernel-interfaces.md §5.
 *
 * Query path. ctprof_taskstats_open() resolves the generic-netlink family
 * "TASKSTATS" with libnl-genl-3. ctprof_taskstats_query_many() then keeps a
 * bounded window of TASKSTATS_CMD_GET requests in flight on that one socket:
 * one send() carries the whole window (the kernel handles every request of
 * the datagram and queues one reply each), replies are collected with
 * recvmmsg() and matched to their request by sequence number, and the pid in
 * the reply must be the tid asked for. Every wait is bounded by poll() with
 * the client's timeout; a reply that never comes is -ETIMEDOUT for its tid,
 * one whose pid does not match is -EPROTO, never a hang. A receive-buffer
 * overrun (ENOBUFS) shrinks the window below what fitted and re-sends the
 * unanswered requests (at most three more passes; then -ENOBUFS); the
 * window grows back by a quarter per clean window.
 *
 * struct taskstats is read by the length of the reply attribute and by its
 * version, never by sizeof of a header: fields past the end of a short
 * payload, or newer than the payload's version, read as 0. The layout that
 * Linux briefly used for version 15 (max/min fields interleaved after each
 * category, also found in version-14 payloads of 560 bytes) is recognised.
 *
 * libnl's NLE_* codes never leave this module: every function returns 0 or
 * a negative errno.
 *
 * A client or a listener is used by one thread at a time (open one per
 * worker thread).
 */
#ifndef CTPROF_TASKSTATS_H
#define CTPROF_TASKSTATS_H

#include <ctprof/common.h>
#include <ctprof/snapshot.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- the decoded struct taskstats ----------------------------------- */

/* The eight delay categories, in ThreadState order. */
enum ctprof_ts_delay {
	CTPROF_TS_CPU,
	CTPROF_TS_BLKIO,
	CTPROF_TS_SWAPIN,
	CTPROF_TS_FREEPAGES,
	CTPROF_TS_THRASHING,
	CTPROF_TS_COMPACT,
	CTPROF_TS_WPCOPY,
	CTPROF_TS_IRQ,
	CTPROF_TS_NDELAYS
};

struct ctprof_taskstats_delay {
	uint64_t count;
	uint64_t total_ns;
	uint64_t max_ns; /* version >= 15 */
	uint64_t min_ns; /* version >= 15; 0 means "no events" */
};

/*
 * The fields of struct taskstats that ctprof uses. Every field is 0 when the
 * payload does not carry it.
 */
struct ctprof_taskstats {
	uint16_t version;  /* as sent; 0 in per-tgid exit aggregates */
	uint32_t size;     /* payload bytes (the attribute's length) */
	uint32_t exitcode; /* ac_exitcode */
	uint8_t flag;      /* ac_flag (AFORK 0x01 ... AGROUP 0x20) */
	int8_t nice;       /* ac_nice */
	uint8_t sched;     /* ac_sched: the scheduling policy number */
	char comm[33];     /* ac_comm, raw bytes, NUL-terminated */
	uint32_t uid, gid, pid, ppid;
	uint32_t tgid;     /* ac_tgid (version >= 12) */
	uint64_t btime;    /* start, seconds since the epoch (ac_btime64, else ac_btime) */
	uint64_t etime_us; /* elapsed time since start */
	uint64_t utime_us, stime_us;
	uint64_t minflt, majflt;
	uint64_t cpu_run_real_total_ns;    /* utime + stime, tick-sampled */
	uint64_t cpu_run_virtual_total_ns; /* se.sum_exec_runtime */
	uint64_t hiwater_rss_kib, hiwater_vm_kib;
	/* Extended accounting; the kernel rounds these down to multiples of 1024. */
	uint64_t read_char, write_char, read_syscalls, write_syscalls;
	uint64_t read_bytes, write_bytes, cancelled_write_bytes;
	uint64_t nvcsw, nivcsw;
	struct ctprof_taskstats_delay delay[CTPROF_TS_NDELAYS];
};

/* Outcome of one per-tid query. */
struct ctprof_taskstats_result {
	uint32_t tid;
	/*
	 * 0 on success, else a negative errno: -EPERM (no CAP_NET_ADMIN),
	 * -ESRCH (the task is gone), -ETIMEDOUT (reply lost), -EPROTO (reply
	 * for another pid, or a struct layout that cannot be told apart),
	 * -EBADMSG (malformed reply), -EMSGSIZE (reply larger than 8 KiB),
	 * -ENODATA (a bare ack), -ENOBUFS (lost to receive-buffer overruns on
	 * every retry), or what send()/recvmmsg() failed with.
	 */
	int err;
	struct ctprof_taskstats stats; /* valid when err == 0 */
};

/* ---- the query client ----------------------------------------------- */

struct ctprof_taskstats_client;

struct ctprof_taskstats_opts {
	size_t sz;          /* sizeof(struct ctprof_taskstats_opts) */
	unsigned window;    /* requests in flight; 0: 128; clamped to [1, 1024] */
	int timeout_ms;     /* bound of every wait for a reply; <= 0: 1000 */
	size_t rcvbuf;      /* receive buffer bytes; 0: 4 KiB per window slot, >= 256 KiB */
};

/*
 * What the open-failure warning tells the user to fix (spec §4.8): one line,
 * without a trailing newline.
 */
#define CTPROF_TASKSTATS_HINT                                                              \
	"Ensure the kernel was built with CONFIG_TASKSTATS (plus CONFIG_TASK_DELAY_ACCT for "  \
	"delay fields and CONFIG_TASK_XACCT for hiwater fields), the process holds "          \
	"CAP_NET_ADMIN, and the kernel was booted with `delayacct=on` (or sysctl "             \
	"`kernel.task_delayacct=1`)"

/*
 * Open a NETLINK_GENERIC socket and resolve the TASKSTATS family. Fails with
 * -ENOENT when the kernel has no CONFIG_TASKSTATS; the message then names
 * what to fix (CTPROF_TASKSTATS_HINT). Open does not need CAP_NET_ADMIN —
 * without it every query fails with -EPERM. opts may be NULL.
 */
CTPROF_API int ctprof_taskstats_open(const struct ctprof_taskstats_opts *opts,
				     struct ctprof_taskstats_client **out, struct ctprof_error *err);
/* Close the socket and free the client. Accepts NULL. */
CTPROF_API void ctprof_taskstats_close(struct ctprof_taskstats_client *c);

/*
 * Query n tids, pipelined. results[i] always receives the outcome for
 * tids[i] (tid, err, stats). Returns 0 once every result is filled, or
 * -EINVAL for bad arguments; per-tid failures are only in results.
 */
CTPROF_API int ctprof_taskstats_query_many(struct ctprof_taskstats_client *c, const uint32_t *tids,
					   size_t n, struct ctprof_taskstats_result *results);
/* One tid, one round trip: returns the tid's result code (0 or -errno). */
CTPROF_API int ctprof_taskstats_query(struct ctprof_taskstats_client *c, uint32_t tid,
				      struct ctprof_taskstats *out);

/* Counters of a client since it was opened. */
struct ctprof_taskstats_client_stats {
	uint64_t sent;           /* requests sent (retries included) */
	uint64_t replies;        /* replies matched to a request */
	uint64_t stale;          /* datagrams matching no request in flight */
	uint64_t overruns;       /* ENOBUFS seen on receive */
	uint64_t timeouts;       /* requests whose reply never came */
};
CTPROF_API void ctprof_taskstats_client_stats(const struct ctprof_taskstats_client *c,
					      struct ctprof_taskstats_client_stats *out);

/* ---- applying results to threads -------------------------------------- */

/* The host-wide capture flags of spec §3.3 (probe_taskstats_active). */
struct ctprof_taskstats_active {
	enum ctprof_delayacct delayacct; /* CONFIG_OFF, RUNTIME_OFF or ON */
	enum ctprof_xacct xacct;         /* ON, OFF or UNKNOWN */
	bool cpu_delay_active;           /* delayacct != config_off */
	bool delay_block_active;         /* delayacct == on */
	bool xacct_active;               /* xacct != off (unknown counts as active) */
};

/*
 * Read /proc/sys/kernel/task_delayacct (missing, unreadable or empty →
 * config_off; "1" → on; else runtime_off) and /proc/config.gz (gunzipped: a
 * trimmed line "CONFIG_TASK_XACCT=y" → on, "# CONFIG_TASK_XACCT is not set"
 * → off, otherwise or unreadable → unknown). Never fails.
 */
CTPROF_API void ctprof_taskstats_probe_active(struct ctprof_taskstats_active *out);
/* The same from explicit paths (tests, other roots). */
CTPROF_API void ctprof_taskstats_probe_active_at(const char *delayacct_path,
						 const char *config_gz_path,
						 struct ctprof_taskstats_active *out);
/* The flags derived from values already known (e.g. a HostContext). */
CTPROF_API void ctprof_taskstats_active_from(enum ctprof_delayacct d, enum ctprof_xacct x,
					     struct ctprof_taskstats_active *out);

/*
 * Write a successful query into t: the 34 taskstats fields of spec §3.3
 * (8 × {count, total, max, min}, hiwater_{rss,vm}_bytes = kB × 1024
 * saturating), taskstats_measured = true and the three *_active flags
 * from a. Nothing else of t changes.
 */
CTPROF_API void ctprof_taskstats_apply(struct ctprof_thread *t, const struct ctprof_taskstats *ts,
				       const struct ctprof_taskstats_active *a);
/* Apply r when r->err == 0; otherwise zero the 34 fields and the four flags. */
CTPROF_API void ctprof_taskstats_apply_result(struct ctprof_thread *t,
					      const struct ctprof_taskstats_result *r,
					      const struct ctprof_taskstats_active *a);

/* Count one result code (0, -EPERM, -ESRCH, other) with saturation. */
CTPROF_API void ctprof_taskstats_summary_add(struct ctprof_taskstats_summary *s, int err);

/*
 * Query every thread of threads[0..n) (by its tid), apply each result and
 * tally it into s (may be NULL). Memory use is bounded (chunks of 4096).
 * Returns 0, -EINVAL, or -ENOMEM (threads then partly filled).
 */
CTPROF_API int ctprof_taskstats_fill_threads(struct ctprof_taskstats_client *c,
					     struct ctprof_thread *threads, size_t n,
					     const struct ctprof_taskstats_active *a,
					     struct ctprof_taskstats_summary *s);

/* ---- kernel.task_delayacct for --enable-delayacct -------------------- */

/*
 * Enable delay accounting for the duration of a capture or run and put the
 * previous value back afterwards. Only tasks started after enabling get
 * block-I/O, swap-in, reclaim, thrashing, compaction, wpcopy and IRQ delays
 * (the kernel allocates their accounting at fork).
 */
struct ctprof_delayacct_guard {
	char path[256];  /* the sysctl file */
	char prev[16];   /* previous contents, trimmed */
	bool changed;    /* enable wrote "1" and restore has not run yet */
};

/*
 * Read the current value, then write "1" unless it already is "1".
 * Calling it again on an active guard is a no-op. path NULL means
 * /proc/sys/kernel/task_delayacct. Errors name the path and the step.
 */
CTPROF_API int ctprof_delayacct_enable(struct ctprof_delayacct_guard *g, const char *path,
				       struct ctprof_error *err);
/*
 * Write the previous value back if enable changed it. Safe to call twice,
 * on a zeroed guard, and from a signal handler (open/write/close only).
 * Returns 0 or a negative errno.
 */
CTPROF_API int ctprof_delayacct_restore(struct ctprof_delayacct_guard *g);

/* ---- exit records as threads ------------------------------------------ */

/* What turning a record into a ThreadState needs besides the record. */
struct ctprof_taskstats_conv {
	uint64_t boot_time_s; /* btime of /proc/stat: the epoch second of boot */
	uint64_t user_hz;     /* sysconf(_SC_CLK_TCK) */
	struct ctprof_taskstats_active active;
};
/* Fill c from /proc/stat, sysconf and ctprof_taskstats_probe_active(). */
CTPROF_API int ctprof_taskstats_conv_init(struct ctprof_taskstats_conv *c,
					  struct ctprof_error *err);

/*
 * Build a ThreadState-shaped entry from one per-task exit record (t is
 * initialised here; release it with ctprof_thread_clear). tid = id; tgid =
 * ac_tgid; comm = ac_comm (lossy UTF-8); pcomm = comm for a group leader,
 * else ""; cgroup ""; start_time_clock_ticks = (btime − boot_time_s) ×
 * user_hz (0 if earlier; ±1 s resolution); policy from ac_sched; nice;
 * priority = 20 + nice for non-RT policies (−101 for SCHED_DEADLINE, 0 for
 * FIFO/RR); state 'X'; run_time_ns = cpu_run_virtual_total (the
 * kernel's se.sum_exec_runtime, the same number as the first field of
 * /proc/<tid>/schedstat — cpu_run_real_total is tick-sampled utime + stime
 * and reads 0 for short-lived tasks); wait_time_ns = cpu_delay_total
 * (sched_info.run_delay); timeslices = cpu_count (sched_info.pcount); voluntary/nonvoluntary csw =
 * nvcsw/nivcsw; minflt/majflt; utime/stime converted from µs to USER_HZ
 * ticks; rchar/wchar/syscr/syscw/read_bytes/write_bytes/
 * cancelled_write_bytes from the extended accounting fields; the 34
 * taskstats fields and flags as ctprof_taskstats_apply; exited = true.
 * Returns 0 or -ENOMEM.
 */
CTPROF_API int ctprof_taskstats_exit_thread(const struct ctprof_taskstats *ts, uint32_t id,
					    const struct ctprof_taskstats_conv *c,
					    struct ctprof_thread *t);

/* ---- the exit listener ------------------------------------------------ */

enum ctprof_exit_kind {
	CTPROF_EXIT_TASK, /* TASKSTATS_TYPE_AGGR_PID: one task */
	CTPROF_EXIT_TGID, /* TASKSTATS_TYPE_AGGR_TGID: a whole process (delay sums only) */
};

struct ctprof_exit_record {
	enum ctprof_exit_kind kind;
	uint32_t id;                   /* tid for TASK, tgid for TGID */
	bool group_dead;               /* TASK: it was the last thread of its process */
	uint64_t received_boottime_ns; /* CLOCK_BOOTTIME when the record was read */
	struct ctprof_taskstats stats; /* the decoded record */
	/*
	 * ThreadState-shaped (ctprof_taskstats_exit_thread). For TGID
	 * aggregates tid = tgid = id and only the delay sums, run time and
	 * flags are meaningful: the kernel fills nothing else there.
	 */
	struct ctprof_thread thread;
};

typedef void (*ctprof_exit_record_fn)(const struct ctprof_exit_record *r, void *ctx);

struct ctprof_exit_listener;

/*
 * Two ways to run a listener:
 * - background = true: open() starts a receive thread that runs until
 *   ctprof_exit_listener_stop(). Nothing else is needed while it runs.
 * - background = false: the caller polls ctprof_exit_listener_fd() for
 *   POLLIN and calls ctprof_exit_listener_drain(); stop() drains the rest.
 * Records go to on_record (called on the receiving thread; the record is
 * valid only during the call) or, when on_record is NULL, are collected
 * (up to max_records; more are counted as dropped) and handed out by
 * ctprof_exit_listener_take() after stop(). Records that arrive while
 * open() waits for the kernel to acknowledge the registration are
 * delivered before open() returns, on the calling thread.
 */
struct ctprof_exit_listener_opts {
	size_t sz;                /* sizeof(struct ctprof_exit_listener_opts) */
	const char *cpulist;      /* NULL: /sys/devices/system/cpu/online */
	size_t rcvbuf;            /* 0: 16 MiB (SO_RCVBUFFORCE, else SO_RCVBUF) */
	bool background;
	ctprof_exit_record_fn on_record;
	void *ctx;
	size_t max_records;       /* collecting mode; 0: 262144 */
	int timeout_ms;           /* bound of the register/deregister acks; <= 0: 1000 */
	const struct ctprof_taskstats_conv *conv; /* NULL: ctprof_taskstats_conv_init() */
};

/*
 * Open, resolve the family and register for exit records on the CPUs of
 * cpulist (TASKSTATS_CMD_ATTR_REGISTER_CPUMASK; needs CAP_NET_ADMIN, the
 * initial user and pid namespaces, and CONFIG_TASKSTATS). CPUs brought
 * online later are not covered.
 */
CTPROF_API int ctprof_exit_listener_open(const struct ctprof_exit_listener_opts *opts,
					 struct ctprof_exit_listener **out,
					 struct ctprof_error *err);
/* The socket to poll (POLLIN) in foreground mode; -1 in background mode. */
CTPROF_API int ctprof_exit_listener_fd(const struct ctprof_exit_listener *l);
/*
 * Foreground mode: wait up to timeout_ms (0: not at all) for a record, then
 * read everything queued without blocking. Returns the number of records
 * delivered (0 on timeout) or a negative errno (-EINVAL in background mode
 * or after stop). ENOBUFS is not an error: it is counted as lost.
 */
CTPROF_API int ctprof_exit_listener_drain(struct ctprof_exit_listener *l, int timeout_ms);
/*
 * Deregister, receive every record queued before the deregistration took
 * effect, stop the receive thread and close the socket. Safe to call
 * twice. Returns 0, or the first error of the receive thread.
 */
CTPROF_API int ctprof_exit_listener_stop(struct ctprof_exit_listener *l);

struct ctprof_exit_listener_stats {
	uint64_t task_records;  /* per-task records received */
	uint64_t tgid_records;  /* per-tgid aggregates received */
	uint64_t lost_events;   /* ENOBUFS: the kernel dropped records */
	uint64_t malformed;     /* datagrams that did not parse */
	uint64_t dropped;       /* collected records beyond max_records */
};
CTPROF_API void ctprof_exit_listener_stats(struct ctprof_exit_listener *l,
					   struct ctprof_exit_listener_stats *out);
/*
 * Collecting mode, after stop(): move the collected records to the caller
 * (*out is malloc'd; free each thread with ctprof_thread_clear, then the
 * array with ctprof_exit_records_free or free). Returns the count.
 */
CTPROF_API size_t ctprof_exit_listener_take(struct ctprof_exit_listener *l,
					    struct ctprof_exit_record **out);
CTPROF_API void ctprof_exit_records_free(struct ctprof_exit_record *r, size_t n);
/* Stop (if needed) and free. Accepts NULL. */
CTPROF_API void ctprof_exit_listener_free(struct ctprof_exit_listener *l);

#ifdef __cplusplus
}
#endif
#endif /* CTPROF_TASKSTATS_H */
