/* SPDX-License-Identifier: MIT */
/*
 * Internal to lib/taskstats: the pure wire-format code (request builders,
 * the reply parser, the struct taskstats decoder), the libnl error
 * translation, and constructors over an existing fd that the unit tests
 * use together with -Wl,--wrap of send/recvmmsg/poll.
 *
 * Every socket operation of this module goes through exactly three libc
 * calls — send(), recvmmsg() and poll() — so that those three are the
 * whole mocking seam.
 */
#ifndef CTPROF_LIB_TASKSTATS_INT_H
#define CTPROF_LIB_TASKSTATS_INT_H

#include <ctprof/taskstats.h>
#include "../util/util.h"

/* Wire constants (linux/netlink.h, linux/genetlink.h, linux/taskstats.h). */
#define CTPROF_TS_NLMSG_HDRLEN 16u
#define CTPROF_TS_GENL_HDRLEN 4u
#define CTPROF_TS_ATTR_OFF (CTPROF_TS_NLMSG_HDRLEN + CTPROF_TS_GENL_HDRLEN)
#define CTPROF_TS_GET_LEN 28u /* nlmsghdr + genlmsghdr + one u32 attribute */

/* Payload sizes of struct taskstats by layout. */
#define CTPROF_TS_SIZE_V13 416u
#define CTPROF_TS_SIZE_V14 432u
#define CTPROF_TS_SIZE_V16 560u /* also the interleaved v15 layout */
#define CTPROF_TS_SIZE_V17 688u

/* Largest datagram a reply or exit record may take before it counts as truncated. */
#define CTPROF_TS_SLOT 8192u
/* Datagrams fetched by one recvmmsg(). */
#define CTPROF_TS_BATCH 64u

/* libnl NLE_* (either sign) to a negative errno. 0 stays 0. */
CTPROF_HIDDEN int ctprof_nlerr_to_errno(int nle);

/*
 * Decode the payload of a TASKSTATS_TYPE_STATS attribute. len is the
 * attribute's payload length; a field is read only when it lies entirely
 * inside it and (for a non-zero version) the version has it. A payload with
 * version 0 is decoded with the layout of version_hint (the per-task record
 * of the same message). Returns 0, or -EPROTO for a layout that cannot be
 * told apart (a version-14 payload longer than 432 bytes but not 560).
 */
CTPROF_HIDDEN int ctprof_ts_decode(const void *p, size_t len, uint16_t version_hint,
				   struct ctprof_taskstats *out);

/* One netlink message, parsed. */
struct ctprof_ts_msg {
	uint32_t len;        /* nlmsg_len */
	uint16_t type;
	uint16_t flags;
	uint32_t seq;
	bool is_error;       /* NLMSG_ERROR */
	int error;           /* its code: a negative errno, 0 for an ack */
	uint8_t cmd;         /* genlmsghdr.cmd of data messages */
	bool has_pid;        /* an AGGR_PID with both PID and STATS */
	uint32_t pid;
	struct ctprof_taskstats pid_stats;
	bool has_tgid;       /* an AGGR_TGID with both TGID and STATS */
	uint32_t tgid;
	struct ctprof_taskstats tgid_stats;
};

/*
 * Parse the netlink message at the start of buf (spec §4.8 "Reply
 * parsing"): fewer than 16 bytes, or nlmsg_len below 16 or beyond len, is
 * -EBADMSG; NLMSG_ERROR needs 20 bytes and fills is_error/error; a data
 * message needs 20 bytes; attributes are walked from byte 20 with 4-byte
 * alignment, and an attribute with nla_len < 4 or running past the message
 * ends the walk. Returns 0 or a negative errno (-EBADMSG, -EPROTO).
 */
CTPROF_HIDDEN int ctprof_ts_parse_msg(const void *buf, size_t len, struct ctprof_ts_msg *out);

/*
 * The reply to a TASKSTATS_CMD_GET for tid: 0 and *out filled, the
 * kernel's errno for NLMSG_ERROR (-ENODATA for a bare ack), -EBADMSG when
 * malformed or without AGGR_PID/PID/STATS, -EPROTO when the pid differs.
 */
CTPROF_HIDDEN int ctprof_ts_parse_reply(const void *buf, size_t len, uint32_t tid,
					struct ctprof_taskstats *out);

/* A 28-byte TASKSTATS_CMD_GET / TASKSTATS_CMD_ATTR_PID request. Returns its length. */
CTPROF_HIDDEN size_t ctprof_ts_build_get(void *buf, uint16_t family, uint32_t seq, uint32_t tid);
/* A (de)register request with a cpulist; 0 when it does not fit cap. */
CTPROF_HIDDEN size_t ctprof_ts_build_cpumask(void *buf, size_t cap, uint16_t family, uint32_t seq,
					     bool reg, const char *cpulist);

/*
 * The two host-wide readings behind probe_taskstats_active, shared with the
 * host context (lib/capture/host.c reads the same files below its root):
 * the contents of kernel.task_delayacct (NULL, empty or blank →
 * config_off; "1" → on; anything else → runtime_off), and
 * CONFIG_TASK_XACCT from a gzip-compressed kernel config held in memory (a
 * trimmed line "CONFIG_TASK_XACCT=y" → on, "# CONFIG_TASK_XACCT is not
 * set" → off; no such line or undecodable → unknown; at most 64 MiB
 * decompressed are scanned). CTPROF_CONFIG_GZ_MAX bounds the compressed
 * file either reader loads.
 */
#define CTPROF_CONFIG_GZ_MAX ((size_t)8 << 20)
CTPROF_HIDDEN enum ctprof_delayacct ctprof_delayacct_parse(const char *s, size_t n);
CTPROF_HIDDEN enum ctprof_xacct ctprof_config_xacct_gz(const void *gz, size_t len);

/* "btime N" of /proc/stat. */
CTPROF_HIDDEN bool ctprof_ts_parse_btime(const char *buf, size_t len, uint64_t *out);
/* µs to USER_HZ ticks, exact (128-bit), saturating. */
CTPROF_HIDDEN uint64_t ctprof_ts_us_to_ticks(uint64_t us, uint64_t hz);

/* A NETLINK_GENERIC socket with the TASKSTATS family resolved (libnl). */
struct nl_sock;
CTPROF_HIDDEN int ctprof_ts_socket_open(const char *what, struct nl_sock **sk, int *fd,
					uint16_t *family, struct ctprof_error *err);
/* Raise the receive buffer: SO_RCVBUFFORCE, else SO_RCVBUF. */
CTPROF_HIDDEN void ctprof_ts_set_rcvbuf(int fd, size_t bytes);
/* Milliseconds left until deadline_ns (CLOCK_MONOTONIC), >= 0. */
CTPROF_HIDDEN int ctprof_ts_ms_left(uint64_t deadline_ns);
CTPROF_HIDDEN uint64_t ctprof_ts_now_ns(void);

/* Test seams: a client / listener over an fd the caller made (owned from
 * then on), without libnl and without registering. */
CTPROF_HIDDEN int ctprof_ts_client_from_fd(int fd, uint16_t family,
					   const struct ctprof_taskstats_opts *opts,
					   struct ctprof_taskstats_client **out);
CTPROF_HIDDEN int ctprof_ts_listener_from_fd(int fd, uint16_t family,
					     const struct ctprof_exit_listener_opts *opts,
					     struct ctprof_exit_listener **out);

#endif
