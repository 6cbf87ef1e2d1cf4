/* SPDX-License-Identifier: MIT */
/*
 * The taskstats wire format as pure functions over bytes: request builders,
 * the netlink/genetlink reply parser and the struct taskstats decoder.
 *
 * struct taskstats layouts (byte offsets, native byte order):
 *
 * Layout A, every version but 15 (v1 ... v14 and v16, v17 append only):
 *   0 version u16, 4 ac_exitcode u32, 8 ac_flag u8, 9 ac_nice u8,
 *   16/24 cpu count/total, 32/40 blkio, 48/56 swapin,
 *   64 cpu_run_real_total, 72 cpu_run_virtual_total, 80 ac_comm[32],
 *   112 ac_sched u8, 120 ac_uid, 124 ac_gid, 128 ac_pid, 132 ac_ppid,
 *   136 ac_btime u32, 144 ac_etime, 152 ac_utime, 160 ac_stime,
 *   168 ac_minflt, 176 ac_majflt, 184 coremem, 192 virtmem,
 *   200 hiwater_rss, 208 hiwater_vm, 216 read_char, 224 write_char,
 *   232 read_syscalls, 240 write_syscalls, 248 read_bytes, 256 write_bytes,
 *   264 cancelled_write_bytes, 272 nvcsw, 280 nivcsw, 288..311 scaled times,
 *   312/320 freepages, 328/336 thrashing (v9), 344 ac_btime64 (v10),
 *   352/360 compact (v11), 368 ac_tgid u32 (v12), 376 ac_tgetime,
 *   384 ac_exe_dev, 392 ac_exe_inode, 400/408 wpcopy (v13; size 416),
 *   416/424 irq (v14; size 432), 432 + 16·k max/min of category k (v16;
 *   size 560), 560 + 16·k the max timestamps (v17; size 688, not read).
 *   These match <linux/taskstats.h> (v13 here) and spec §4.8.
 *
 * Layout B, version 15: "delayacct: add delay max/min" inserted max and
 * min after each category's total, so every later field moved (the kernel
 * fixed it by moving them to the end as version 16). The same 560-byte
 * interleaved payload also went out labelled version 14 before the bump.
 *   16 cpu {count,total,max,min}, 48 blkio, 80 swapin, 112/120 run totals,
 *   128 ac_comm, 160 ac_sched, 168 ac_uid, 172 ac_gid, 176 ac_pid,
 *   180 ac_ppid, 184 ac_btime, 192 ac_etime ... 248 hiwater_rss ...
 *   320 nvcsw, 328 nivcsw, 360 freepages{4}, 392 thrashing{4},
 *   424 ac_btime64, 432 compact{4}, 464 ac_tgid, 496 wpcopy{4}, 528 irq{4}.
 */
#include "taskstats_int.h"

#include <errno.h>
#include <string.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/taskstats.h>
#include <netlink/errno.h>

struct ts_layout {
	uint16_t exitcode, flag, nice, run_real, run_virtual, comm, sched;
	uint16_t uid, gid, pid, ppid, btime32, etime, utime, stime, minflt, majflt;
	uint16_t hiwater_rss, hiwater_vm, read_char, write_char, syscr, syscw;
	uint16_t read_bytes, write_bytes, cancelled, nvcsw, nivcsw, btime64, tgid;
	uint16_t count[CTPROF_TS_NDELAYS]; /* total = count + 8 */
	uint16_t max[CTPROF_TS_NDELAYS];   /* min = max + 8 */
	/* First version that has the field (0: no check beyond the length). */
	uint8_t v_count[CTPROF_TS_NDELAYS];
	uint8_t v_maxmin, v_btime64, v_tgid;
};

static const struct ts_layout layout_a = {
	.exitcode = 4, .flag = 8, .nice = 9, .run_real = 64, .run_virtual = 72,
	.comm = 80, .sched = 112, .uid = 120, .gid = 124, .pid = 128, .ppid = 132,
	.btime32 = 136, .etime = 144, .utime = 152, .stime = 160, .minflt = 168,
	.majflt = 176, .hiwater_rss = 200, .hiwater_vm = 208, .read_char = 216,
	.write_char = 224, .syscr = 232, .syscw = 240, .read_bytes = 248,
	.write_bytes = 256, .cancelled = 264, .nvcsw = 272, .nivcsw = 280,
	.btime64 = 344, .tgid = 368,
	.count = { 16, 32, 48, 312, 328, 352, 400, 416 },
	.max = { 432, 448, 464, 480, 496, 512, 528, 544 },
	.v_count = { 0, 0, 0, 0, 9, 11, 13, 14 },
	.v_maxmin = 16, .v_btime64 = 10, .v_tgid = 12,
};

static const struct ts_layout layout_b = {
	.exitcode = 4, .flag = 8, .nice = 9, .run_real = 112, .run_virtual = 120,
	.comm = 128, .sched = 160, .uid = 168, .gid = 172, .pid = 176, .ppid = 180,
	.btime32 = 184, .etime = 192, .utime = 200, .stime = 208, .minflt = 216,
	.majflt = 224, .hiwater_rss = 248, .hiwater_vm = 256, .read_char = 264,
	.write_char = 272, .syscr = 280, .syscw = 288, .read_bytes = 296,
	.write_bytes = 304, .cancelled = 312, .nvcsw = 320, .nivcsw = 328,
	.btime64 = 424, .tgid = 464,
	.count = { 16, 48, 80, 360, 392, 432, 496, 528 },
	.max = { 32, 64, 96, 376, 408, 448, 512, 544 },
};

int ctprof_nlerr_to_errno(int nle)
{
	if (nle < 0)
		nle = -nle;
	switch (nle) {
	case NLE_SUCCESS:
		return 0;
	case NLE_INTR:
	case NLE_DUMP_INTR:
		return -EINTR;
	case NLE_BAD_SOCK:
		return -EBADF;
	case NLE_AGAIN:
		return -EAGAIN;
	case NLE_NOMEM:
		return -ENOMEM;
	case NLE_EXIST:
		return -EEXIST;
	case NLE_INVAL:
	case NLE_OBJ_MISMATCH:
	case NLE_PARSE_ERR:
	case NLE_AF_MISMATCH:
		return -EINVAL;
	case NLE_RANGE:
	case NLE_ATTRSIZE:
		return -ERANGE;
	case NLE_MSGSIZE:
	case NLE_MSG_TRUNC:
		return -EMSGSIZE;
	case NLE_OPNOTSUPP:
	case NLE_SRCRT_NOSUPPORT:
	case NLE_MSGTYPE_NOSUPPORT:
		return -EOPNOTSUPP;
	case NLE_AF_NOSUPPORT:
		return -EAFNOSUPPORT;
	case NLE_OBJ_NOTFOUND:
	case NLE_NOCACHE:
	case NLE_PKTLOC_FILE:
		return -ENOENT;
	case NLE_NOATTR:
	case NLE_MISSING_ATTR:
		return -ENODATA;
	case NLE_SEQ_MISMATCH:
	case NLE_PROTO_MISMATCH:
		return -EPROTO;
	case NLE_MSG_OVERFLOW:
		return -EOVERFLOW;
	case NLE_NOADDR:
		return -EADDRNOTAVAIL;
	case NLE_MSG_TOOSHORT:
		return -EBADMSG;
	case NLE_BUSY:
		return -EBUSY;
	case NLE_NOACCESS:
		return -EACCES;
	case NLE_PERM:
	case NLE_IMMUTABLE:
		return -EPERM;
	case NLE_NODEV:
		return -ENODEV;
	case NLE_FAILURE:
	default:
		return -EIO;
	}
}

static uint64_t rd64(const unsigned char *p, size_t len, size_t off)
{
	uint64_t v;

	if (off + 8 > len)
		return 0;
	memcpy(&v, p + off, 8);
	return v;
}

static uint32_t rd32(const unsigned char *p, size_t len, size_t off)
{
	uint32_t v;

	if (off + 4 > len)
		return 0;
	memcpy(&v, p + off, 4);
	return v;
}

static uint16_t rd16(const unsigned char *p, size_t len, size_t off)
{
	uint16_t v;

	if (off + 2 > len)
		return 0;
	memcpy(&v, p + off, 2);
	return v;
}

static uint8_t rd8(const unsigned char *p, size_t len, size_t off)
{
	return off < len ? p[off] : 0;
}

/* Does a payload of version v carry a field introduced in version since? */
static bool has(unsigned v, unsigned since)
{
	return v == 0 || since == 0 || v >= since;
}

int ctprof_ts_decode(const void *pv, size_t len, uint16_t version_hint,
		     struct ctprof_taskstats *out)
{
	const unsigned char *p = pv;
	const struct ts_layout *L = &layout_a;
	unsigned v;
	size_t k, n;

	memset(out, 0, sizeof(*out));
	if (len > UINT32_MAX)
		len = UINT32_MAX;
	out->version = rd16(p, len, 0);
	out->size = (uint32_t)len;
	v = out->version ? out->version : version_hint;
	if (v == 15) {
		L = &layout_b;
	} else if (v == 14 && len > CTPROF_TS_SIZE_V14) {
		if (len != CTPROF_TS_SIZE_V16)
			return -EPROTO;
		L = &layout_b;
	}
	if (L == &layout_b)
		v = 0; /* layout B checks by length only */

	out->exitcode = rd32(p, len, L->exitcode);
	out->flag = rd8(p, len, L->flag);
	out->nice = (int8_t)rd8(p, len, L->nice);
	out->sched = rd8(p, len, L->sched);
	if (L->comm < len) {
		n = len - L->comm;
		if (n > 32)
			n = 32;
		memcpy(out->comm, p + L->comm, n);
		out->comm[n] = '\0';
	}
	out->uid = rd32(p, len, L->uid);
	out->gid = rd32(p, len, L->gid);
	out->pid = rd32(p, len, L->pid);
	out->ppid = rd32(p, len, L->ppid);
	if (has(v, L->v_tgid))
		out->tgid = rd32(p, len, L->tgid);
	out->btime = rd32(p, len, L->btime32);
	if (has(v, L->v_btime64) && (size_t)L->btime64 + 8u <= len)
		out->btime = rd64(p, len, L->btime64);
	out->etime_us = rd64(p, len, L->etime);
	out->utime_us = rd64(p, len, L->utime);
	out->stime_us = rd64(p, len, L->stime);
	out->minflt = rd64(p, len, L->minflt);
	out->majflt = rd64(p, len, L->majflt);
	out->cpu_run_real_total_ns = rd64(p, len, L->run_real);
	out->cpu_run_virtual_total_ns = rd64(p, len, L->run_virtual);
	out->hiwater_rss_kib = rd64(p, len, L->hiwater_rss);
	out->hiwater_vm_kib = rd64(p, len, L->hiwater_vm);
	out->read_char = rd64(p, len, L->read_char);
	out->write_char = rd64(p, len, L->write_char);
	out->read_syscalls = rd64(p, len, L->syscr);
	out->write_syscalls = rd64(p, len, L->syscw);
	out->read_bytes = rd64(p, len, L->read_bytes);
	out->write_bytes = rd64(p, len, L->write_bytes);
	out->cancelled_write_bytes = rd64(p, len, L->cancelled);
	out->nvcsw = rd64(p, len, L->nvcsw);
	out->nivcsw = rd64(p, len, L->nivcsw);
	for (k = 0; k < CTPROF_TS_NDELAYS; k++) {
		struct ctprof_taskstats_delay *d = &out->delay[k];

		if (has(v, L->v_count[k])) {
			d->count = rd64(p, len, L->count[k]);
			d->total_ns = rd64(p, len, L->count[k] + 8u);
		}
		if (has(v, L->v_count[k]) && has(v, L->v_maxmin)) {
			d->max_ns = rd64(p, len, L->max[k]);
			d->min_ns = rd64(p, len, L->max[k] + 8u);
		}
	}
	return 0;
}

/* Attribute walk over [off, end) of p: calls back per attribute. */
struct attr {
	uint16_t type;
	const unsigned char *data;
	size_t len;
};

static bool next_attr(const unsigned char *p, size_t end, size_t *off, struct attr *a)
{
	uint16_t nla_len, nla_type;

	if (*off + 4 > end)
		return false;
	memcpy(&nla_len, p + *off, 2);
	memcpy(&nla_type, p + *off + 2, 2);
	if (nla_len < 4 || (size_t)nla_len > end - *off)
		return false; /* ends the walk (spec §4.8 step 7) */
	a->type = nla_type & NLA_TYPE_MASK;
	a->data = p + *off + 4;
	a->len = nla_len - 4u;
	*off += ((size_t)nla_len + 3u) & ~(size_t)3u;
	return true;
}

/* Inside an AGGR_PID / AGGR_TGID: the id attribute and the STATS span. */
static bool parse_aggr(const struct attr *aggr, uint16_t id_type, uint32_t *id,
		       const unsigned char **stats, size_t *stats_len)
{
	struct attr a;
	size_t off = 0;
	bool have_id = false, have_stats = false;

	while (next_attr(aggr->data, aggr->len, &off, &a)) {
		if (a.type == id_type && a.len >= 4) {
			memcpy(id, a.data, 4);
			have_id = true;
		} else if (a.type == TASKSTATS_TYPE_STATS) {
			*stats = a.data;
			*stats_len = a.len;
			have_stats = true;
		}
	}
	return have_id && have_stats;
}

int ctprof_ts_parse_msg(const void *buf, size_t len, struct ctprof_ts_msg *out)
{
	const unsigned char *p = buf;
	const unsigned char *ps = NULL, *ts = NULL;
	size_t ps_len = 0, ts_len = 0, off;
	struct nlmsghdr h;
	struct attr a;
	int rc;

	memset(out, 0, sizeof(*out));
	if (len < CTPROF_TS_NLMSG_HDRLEN)
		return -EBADMSG;
	memcpy(&h, p, sizeof(h));
	if (h.nlmsg_len < CTPROF_TS_NLMSG_HDRLEN || h.nlmsg_len > len)
		return -EBADMSG;
	out->len = h.nlmsg_len;
	out->type = h.nlmsg_type;
	out->flags = h.nlmsg_flags;
	out->seq = h.nlmsg_seq;
	if (h.nlmsg_type == NLMSG_ERROR) {
		int32_t e;

		if (h.nlmsg_len < CTPROF_TS_NLMSG_HDRLEN + 4)
			return -EBADMSG;
		memcpy(&e, p + CTPROF_TS_NLMSG_HDRLEN, 4);
		if (e > 0 || e < -4095)
			return -EBADMSG;
		out->is_error = true;
		out->error = e;
		return 0;
	}
	if (h.nlmsg_type < NLMSG_MIN_TYPE)
		return 0; /* NOOP, DONE, OVERRUN: no data */
	if (h.nlmsg_len < CTPROF_TS_ATTR_OFF)
		return -EBADMSG;
	out->cmd = p[CTPROF_TS_NLMSG_HDRLEN];
	off = CTPROF_TS_ATTR_OFF;
	while (next_attr(p, h.nlmsg_len, &off, &a)) {
		if (a.type == TASKSTATS_TYPE_AGGR_PID && !out->has_pid)
			out->has_pid = parse_aggr(&a, TASKSTATS_TYPE_PID, &out->pid, &ps, &ps_len);
		else if (a.type == TASKSTATS_TYPE_AGGR_TGID && !out->has_tgid)
			out->has_tgid = parse_aggr(&a, TASKSTATS_TYPE_TGID, &out->tgid, &ts, &ts_len);
	}
	if (out->has_pid) {
		rc = ctprof_ts_decode(ps, ps_len, 0, &out->pid_stats);
		if (rc)
			return rc;
	}
	if (out->has_tgid) {
		rc = ctprof_ts_decode(ts, ts_len, out->pid_stats.version, &out->tgid_stats);
		if (rc)
			return rc;
	}
	return 0;
}

int ctprof_ts_parse_reply(const void *buf, size_t len, uint32_t tid, struct ctprof_taskstats *out)
{
	struct ctprof_ts_msg m;
	int rc = ctprof_ts_parse_msg(buf, len, &m);

	if (rc)
		return rc;
	if (m.is_error)
		return m.error ? m.error : -ENODATA;
	if (m.type < NLMSG_MIN_TYPE || !m.has_pid)
		return -EBADMSG;
	if (m.pid != tid)
		return -EPROTO;
	*out = m.pid_stats;
	return 0;
}

static void put_hdr(unsigned char *b, uint32_t len, uint16_t family, uint16_t flags, uint32_t seq,
		    uint8_t cmd)
{
	struct nlmsghdr h = {
		.nlmsg_len = len,
		.nlmsg_type = family,
		.nlmsg_flags = flags,
		.nlmsg_seq = seq,
		.nlmsg_pid = 0,
	};
	struct genlmsghdr g = { .cmd = cmd, .version = TASKSTATS_GENL_VERSION, .reserved = 0 };

	memcpy(b, &h, sizeof(h));
	memcpy(b + CTPROF_TS_NLMSG_HDRLEN, &g, sizeof(g));
}

size_t ctprof_ts_build_get(void *buf, uint16_t family, uint32_t seq, uint32_t tid)
{
	unsigned char *b = buf;
	uint16_t nla_len = 8, nla_type = TASKSTATS_CMD_ATTR_PID;

	put_hdr(b, CTPROF_TS_GET_LEN, family, NLM_F_REQUEST, seq, TASKSTATS_CMD_GET);
	memcpy(b + 20, &nla_len, 2);
	memcpy(b + 22, &nla_type, 2);
	memcpy(b + 24, &tid, 4);
	return CTPROF_TS_GET_LEN;
}

size_t ctprof_ts_build_cpumask(void *buf, size_t cap, uint16_t family, uint32_t seq, bool reg,
			       const char *cpulist)
{
	unsigned char *b = buf;
	size_t sl = strlen(cpulist) + 1, total;
	uint16_t nla_len, nla_type = reg ? TASKSTATS_CMD_ATTR_REGISTER_CPUMASK
					 : TASKSTATS_CMD_ATTR_DEREGISTER_CPUMASK;

	if (sl > 0xffff - 4)
		return 0;
	nla_len = (uint16_t)(4 + sl);
	total = CTPROF_TS_ATTR_OFF + (((size_t)nla_len + 3u) & ~(size_t)3u);
	if (total > cap)
		return 0;
	memset(b, 0, total);
	put_hdr(b, (uint32_t)total, family, NLM_F_REQUEST | NLM_F_ACK, seq, TASKSTATS_CMD_GET);
	memcpy(b + 20, &nla_len, 2);
	memcpy(b + 22, &nla_type, 2);
	memcpy(b + 24, cpulist, sl);
	return total;
}

bool ctprof_ts_parse_btime(const char *buf, size_t len, uint64_t *out)
{
	size_t pos = 0;

	while (pos < len) {
		const char *line = buf + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - line) : len - pos;

		pos += n + 1;
		if (n > 6 && memcmp(line, "btime ", 6) == 0) {
			const char *v = line + 6;
			size_t vn = n - 6;

			while (vn && (*v == ' ' || *v == '\t')) {
				v++;
				vn--;
			}
			while (vn && (v[vn - 1] == ' ' || v[vn - 1] == '\t' || v[vn - 1] == '\r'))
				vn--;
			return ctprof_parse_u64(v, vn, out);
		}
	}
	return false;
}

uint64_t ctprof_ts_us_to_ticks(uint64_t us, uint64_t hz)
{
	unsigned __int128 t = (unsigned __int128)us * hz / 1000000u;

	return t > UINT64_MAX ? UINT64_MAX : (uint64_t)t;
}
