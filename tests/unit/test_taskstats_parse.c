/* SPDX-License-Identifier: MIT */
/*
 * The taskstats wire format: replies of struct versions 10, 13, 14, 15,
 * 16 and 17 built byte by byte from the offsets of spec §4.8 and
 * <linux/taskstats.h>, truncated and malformed replies, NLMSG_ERROR, the
 * request builders, libnl error translation, and the pure helpers
 * (btime, µs → ticks).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <errno.h>
#include <linux/netlink.h>
#include <linux/taskstats.h>
#include <netlink/errno.h>

#include "taskstats/taskstats_int.h"

#define FAMILY 0x1b

static void put16(unsigned char *p, size_t off, uint16_t v)
{
	memcpy(p + off, &v, 2);
}
static void put32(unsigned char *p, size_t off, uint32_t v)
{
	memcpy(p + off, &v, 4);
}
static void put64(unsigned char *p, size_t off, uint64_t v)
{
	memcpy(p + off, &v, 8);
}

/* Layout A (every version but 15): count offsets of the 8 categories. */
static const size_t a_count[8] = { 16, 32, 48, 312, 328, 352, 400, 416 };
static const size_t a_max[8] = { 432, 448, 464, 480, 496, 512, 528, 544 };
/* Layout B (v15, interleaved). */
static const size_t b_count[8] = { 16, 48, 80, 360, 392, 432, 496, 528 };

/* A marker value for the u64 at offset off. */
static uint64_t mark(size_t off)
{
	return 0x1000000ull + off;
}

/*
 * A layout-A payload of `size` bytes for `version`: every u64 slot holds
 * mark(offset), then the non-u64 fields are set.
 */
static void payload_a(unsigned char *p, size_t size, uint16_t version)
{
	size_t off;

	memset(p, 0, size);
	for (off = 16; off + 8 <= size; off += 8)
		put64(p, off, mark(off));
	put16(p, 0, version);
	put32(p, 4, 7);                 /* ac_exitcode */
	p[8] = 0x21;                    /* ac_flag: AFORK | AGROUP */
	p[9] = (unsigned char)(int8_t)-5; /* ac_nice */
	memset(p + 80, 0, 32);
	memcpy(p + 80, "worker", 6);    /* ac_comm */
	memset(p + 112, 0, 8);
	p[112] = 3;                     /* ac_sched: SCHED_BATCH */
	put32(p, 120, 1000);            /* uid */
	put32(p, 124, 1001);            /* gid */
	put32(p, 128, 4242);            /* pid */
	put32(p, 132, 1);               /* ppid */
	put32(p, 136, 1700000000);      /* ac_btime */
	if (size >= 352)
		put64(p, 344, 1700000123); /* ac_btime64 */
	if (size >= 376) {
		memset(p + 368, 0, 8);
		put32(p, 368, 4200);       /* ac_tgid */
	}
}

/* A layout-B (interleaved) 560-byte payload. */
static void payload_b(unsigned char *p, uint16_t version)
{
	size_t off;

	memset(p, 0, 560);
	for (off = 16; off + 8 <= 560; off += 8)
		put64(p, off, mark(off));
	put16(p, 0, version);
	memset(p + 128, 0, 32);
	memcpy(p + 128, "inter", 5);
	memset(p + 160, 0, 8);
	p[160] = 0;
	put32(p, 168, 0);
	put32(p, 172, 0);
	put32(p, 176, 777);
	put32(p, 180, 1);
	put32(p, 184, 1600000000);
	memset(p + 464, 0, 8);
	put32(p, 464, 770);
}

/* nlmsghdr + genlmsghdr + AGGR_PID { PID, STATS }; returns the length. */
static size_t reply(unsigned char *buf, uint32_t seq, uint32_t pid, const unsigned char *st,
		    size_t st_len)
{
	size_t aggr_len = 4 + 8 + 4 + st_len;
	size_t total = 20 + ((aggr_len + 3) & ~(size_t)3);

	memset(buf, 0, total);
	put32(buf, 0, (uint32_t)total);
	put16(buf, 4, FAMILY);
	put16(buf, 6, 0);
	put32(buf, 8, seq);
	put32(buf, 12, 0);
	buf[16] = TASKSTATS_CMD_NEW;
	buf[17] = 1;
	put16(buf, 20, (uint16_t)aggr_len);
	put16(buf, 22, TASKSTATS_TYPE_AGGR_PID);
	put16(buf, 24, 8);
	put16(buf, 26, TASKSTATS_TYPE_PID);
	put32(buf, 28, pid);
	put16(buf, 32, (uint16_t)(4 + st_len));
	put16(buf, 34, TASKSTATS_TYPE_STATS);
	memcpy(buf + 36, st, st_len);
	return total;
}

static size_t error_msg(unsigned char *buf, uint32_t seq, int32_t e)
{
	memset(buf, 0, 36);
	put32(buf, 0, 36);
	put16(buf, 4, NLMSG_ERROR);
	put32(buf, 8, seq);
	memcpy(buf + 16, &e, 4);
	return 36;
}

static unsigned char img[4096], st[1024];

static void check_delay(const struct ctprof_taskstats *ts, int k, const size_t *count_off,
			bool have_count, bool have_maxmin, const size_t *max_off)
{
	assert_int_equal(ts->delay[k].count, have_count ? mark(count_off[k]) : 0);
	assert_int_equal(ts->delay[k].total_ns, have_count ? mark(count_off[k] + 8) : 0);
	assert_int_equal(ts->delay[k].max_ns, have_maxmin ? mark(max_off[k]) : 0);
	assert_int_equal(ts->delay[k].min_ns, have_maxmin ? mark(max_off[k] + 8) : 0);
}

static void check_common_a(const struct ctprof_taskstats *ts)
{
	assert_int_equal(ts->exitcode, 7);
	assert_int_equal(ts->flag, 0x21);
	assert_int_equal(ts->nice, -5);
	assert_string_equal(ts->comm, "worker");
	assert_int_equal(ts->sched, 3);
	assert_int_equal(ts->uid, 1000);
	assert_int_equal(ts->gid, 1001);
	assert_int_equal(ts->pid, 4242);
	assert_int_equal(ts->ppid, 1);
	assert_int_equal(ts->cpu_run_real_total_ns, mark(64));
	assert_int_equal(ts->cpu_run_virtual_total_ns, mark(72));
	assert_int_equal(ts->etime_us, mark(144));
	assert_int_equal(ts->utime_us, mark(152));
	assert_int_equal(ts->stime_us, mark(160));
	assert_int_equal(ts->minflt, mark(168));
	assert_int_equal(ts->majflt, mark(176));
	assert_int_equal(ts->hiwater_rss_kib, mark(200));
	assert_int_equal(ts->hiwater_vm_kib, mark(208));
	assert_int_equal(ts->read_char, mark(216));
	assert_int_equal(ts->write_char, mark(224));
	assert_int_equal(ts->read_syscalls, mark(232));
	assert_int_equal(ts->write_syscalls, mark(240));
	assert_int_equal(ts->read_bytes, mark(248));
	assert_int_equal(ts->write_bytes, mark(256));
	assert_int_equal(ts->cancelled_write_bytes, mark(264));
	assert_int_equal(ts->nvcsw, mark(272));
	assert_int_equal(ts->nivcsw, mark(280));
}

/* Version 10 (352 bytes): up to ac_btime64; no compact, wpcopy, irq, max/min, tgid. */
static void test_v10(void **state)
{
	struct ctprof_taskstats ts;
	size_t n;
	int k;

	(void)state;
	payload_a(st, 352, 10);
	n = reply(img, 5, 4242, st, 352);
	assert_int_equal(ctprof_ts_parse_reply(img, n, 4242, &ts), 0);
	assert_int_equal(ts.version, 10);
	assert_int_equal(ts.size, 352);
	check_common_a(&ts);
	assert_int_equal(ts.btime, 1700000123);
	assert_int_equal(ts.tgid, 0);
	for (k = 0; k < 5; k++)
		check_delay(&ts, k, a_count, true, false, a_max);
	for (k = 5; k < 8; k++)
		check_delay(&ts, k, a_count, false, false, a_max);
}

/* Version 13 (416 bytes, the installed header): compact, tgid and wpcopy too. */
static void test_v13(void **state)
{
	struct ctprof_taskstats ts;
	size_t n;
	int k;

	(void)state;
	assert_int_equal(sizeof(struct taskstats), CTPROF_TS_SIZE_V13);
	assert_int_equal(offsetof(struct taskstats, cpu_count), a_count[0]);
	assert_int_equal(offsetof(struct taskstats, freepages_count), a_count[3]);
	assert_int_equal(offsetof(struct taskstats, thrashing_count), a_count[4]);
	assert_int_equal(offsetof(struct taskstats, compact_count), a_count[5]);
	assert_int_equal(offsetof(struct taskstats, wpcopy_count), a_count[6]);
	assert_int_equal(offsetof(struct taskstats, hiwater_rss), 200);
	assert_int_equal(offsetof(struct taskstats, ac_tgid), 368);
	assert_int_equal(offsetof(struct taskstats, ac_btime64), 344);
	assert_int_equal(offsetof(struct taskstats, nvcsw), 272);
	payload_a(st, 416, 13);
	n = reply(img, 5, 4242, st, 416);
	assert_int_equal(ctprof_ts_parse_reply(img, n, 4242, &ts), 0);
	check_common_a(&ts);
	assert_int_equal(ts.tgid, 4200);
	for (k = 0; k < 7; k++)
		check_delay(&ts, k, a_count, true, false, a_max);
	check_delay(&ts, CTPROF_TS_IRQ, a_count, false, false, a_max);
}

/* Version 14 (432 bytes): irq appended. */
static void test_v14(void **state)
{
	struct ctprof_taskstats ts;
	size_t n;
	int k;

	(void)state;
	payload_a(st, 432, 14);
	n = reply(img, 5, 4242, st, 432);
	assert_int_equal(ctprof_ts_parse_reply(img, n, 4242, &ts), 0);
	check_common_a(&ts);
	for (k = 0; k < 8; k++)
		check_delay(&ts, k, a_count, true, false, a_max);
}

/* Version 16 (560 bytes, what this host's kernel sends): all 32 delay fields. */
static void test_v16(void **state)
{
	struct ctprof_taskstats ts;
	size_t n;
	int k;

	(void)state;
	payload_a(st, 560, 16);
	n = reply(img, 9, 4242, st, 560);
	assert_int_equal(ctprof_ts_parse_reply(img, n, 4242, &ts), 0);
	assert_int_equal(ts.version, 16);
	check_common_a(&ts);
	assert_int_equal(ts.tgid, 4200);
	for (k = 0; k < 8; k++)
		check_delay(&ts, k, a_count, true, true, a_max);
	/* spec §4.8 table, spot checks */
	assert_int_equal(ts.delay[CTPROF_TS_CPU].max_ns, mark(432));
	assert_int_equal(ts.delay[CTPROF_TS_CPU].min_ns, mark(440));
	assert_int_equal(ts.delay[CTPROF_TS_IRQ].min_ns, mark(552));
	assert_int_equal(ts.delay[CTPROF_TS_COMPACT].total_ns, mark(360));
}

/* Version 17 (688 bytes): the max timestamps follow and are not read. */
static void test_v17(void **state)
{
	struct ctprof_taskstats a, b;
	size_t n;

	(void)state;
	payload_a(st, 688, 17);
	n = reply(img, 9, 4242, st, 688);
	assert_int_equal(ctprof_ts_parse_reply(img, n, 4242, &a), 0);
	assert_int_equal(a.size, 688);
	payload_a(st, 560, 17);
	n = reply(img, 9, 4242, st, 560);
	assert_int_equal(ctprof_ts_parse_reply(img, n, 4242, &b), 0);
	b.size = a.size;
	assert_memory_equal(&a, &b, sizeof(a));
	check_delay(&a, CTPROF_TS_WPCOPY, a_count, true, true, a_max);
}

/* Version 15 (interleaved max/min) and the 560-byte version-14 payload. */
static void test_v15_interleaved(void **state)
{
	struct ctprof_taskstats ts;
	size_t n;
	int k;
	uint16_t ver[2] = { 15, 14 };
	int i;

	(void)state;
	for (i = 0; i < 2; i++) {
		payload_b(st, ver[i]);
		n = reply(img, 9, 777, st, 560);
		assert_int_equal(ctprof_ts_parse_reply(img, n, 777, &ts), 0);
		assert_string_equal(ts.comm, "inter");
		assert_int_equal(ts.pid, 777);
		assert_int_equal(ts.tgid, 770);
		assert_int_equal(ts.btime, mark(424));
		assert_int_equal(ts.cpu_run_real_total_ns, mark(112));
		assert_int_equal(ts.cpu_run_virtual_total_ns, mark(120));
		assert_int_equal(ts.hiwater_rss_kib, mark(248));
		assert_int_equal(ts.hiwater_vm_kib, mark(256));
		assert_int_equal(ts.nvcsw, mark(320));
		assert_int_equal(ts.nivcsw, mark(328));
		assert_int_equal(ts.read_bytes, mark(296));
		for (k = 0; k < 8; k++) {
			assert_int_equal(ts.delay[k].count, mark(b_count[k]));
			assert_int_equal(ts.delay[k].total_ns, mark(b_count[k] + 8));
			assert_int_equal(ts.delay[k].max_ns, mark(b_count[k] + 16));
			assert_int_equal(ts.delay[k].min_ns, mark(b_count[k] + 24));
		}
	}
	/* A v14 payload that is neither 432 nor 560 bytes cannot be told apart. */
	payload_a(st, 496, 14);
	n = reply(img, 9, 4242, st, 496);
	assert_int_equal(ctprof_ts_parse_reply(img, n, 4242, &ts), -EPROTO);
}

/* Fields newer than the version read as 0 even when the payload is longer. */
static void test_version_gates_fields(void **state)
{
	struct ctprof_taskstats ts;
	size_t n;
	int k;

	(void)state;
	payload_a(st, 560, 13); /* a v13 struct followed by junk */
	n = reply(img, 9, 4242, st, 560);
	assert_int_equal(ctprof_ts_parse_reply(img, n, 4242, &ts), 0);
	for (k = 0; k < 7; k++)
		check_delay(&ts, k, a_count, true, false, a_max);
	check_delay(&ts, CTPROF_TS_IRQ, a_count, false, false, a_max);
	payload_a(st, 560, 9); /* v9: thrashing but no btime64, compact, tgid */
	n = reply(img, 9, 4242, st, 560);
	assert_int_equal(ctprof_ts_parse_reply(img, n, 4242, &ts), 0);
	assert_int_equal(ts.btime, 1700000000);
	assert_int_equal(ts.tgid, 0);
	check_delay(&ts, CTPROF_TS_THRASHING, a_count, true, false, a_max);
	check_delay(&ts, CTPROF_TS_COMPACT, a_count, false, false, a_max);
}

/* A short payload: whatever lies past its end reads as 0. */
static void test_truncated_payload(void **state)
{
	struct ctprof_taskstats ts;
	size_t n;

	(void)state;
	payload_a(st, 560, 16);
	n = reply(img, 9, 4242, st, 300); /* cut inside the struct */
	assert_int_equal(ctprof_ts_parse_reply(img, n, 4242, &ts), 0);
	assert_int_equal(ts.size, 300);
	assert_int_equal(ts.write_bytes, mark(256));
	assert_int_equal(ts.nvcsw, mark(272));
	assert_int_equal(ts.delay[CTPROF_TS_CPU].count, mark(16));
	assert_int_equal(ts.delay[CTPROF_TS_FREEPAGES].count, 0);
	assert_int_equal(ts.delay[CTPROF_TS_CPU].max_ns, 0);
	assert_int_equal(ts.tgid, 0);
	/* 76 bytes: the u64 at 64 is complete, the one at 72 is not; comm is absent. */
	n = reply(img, 9, 4242, st, 76);
	assert_int_equal(ctprof_ts_parse_reply(img, n, 4242, &ts), 0);
	assert_int_equal(ts.cpu_run_real_total_ns, mark(64));
	assert_int_equal(ts.cpu_run_virtual_total_ns, 0);
	assert_string_equal(ts.comm, "");
	/* 90 bytes: comm cut after 10 bytes. */
	n = reply(img, 9, 4242, st, 90);
	assert_int_equal(ctprof_ts_parse_reply(img, n, 4242, &ts), 0);
	assert_string_equal(ts.comm, "worker");
	/* An empty STATS attribute. */
	n = reply(img, 9, 4242, st, 0);
	assert_int_equal(ctprof_ts_parse_reply(img, n, 4242, &ts), 0);
	assert_int_equal(ts.version, 0);
	assert_int_equal(ts.delay[CTPROF_TS_CPU].count, 0);
}

static void test_nlmsg_error(void **state)
{
	struct ctprof_taskstats ts;
	size_t n;

	(void)state;
	n = error_msg(img, 3, -EPERM);
	assert_int_equal(ctprof_ts_parse_reply(img, n, 1, &ts), -EPERM);
	n = error_msg(img, 3, -ESRCH);
	assert_int_equal(ctprof_ts_parse_reply(img, n, 1, &ts), -ESRCH);
	n = error_msg(img, 3, 0); /* a bare ack carries no data */
	assert_int_equal(ctprof_ts_parse_reply(img, n, 1, &ts), -ENODATA);
	n = error_msg(img, 3, 5); /* a positive code is nonsense */
	assert_int_equal(ctprof_ts_parse_reply(img, n, 1, &ts), -EBADMSG);
	n = error_msg(img, 3, -EPERM);
	put32(img, 0, 16); /* no room for the code */
	assert_int_equal(ctprof_ts_parse_reply(img, 16, 1, &ts), -EBADMSG);
}

static void test_malformed(void **state)
{
	struct ctprof_taskstats ts;
	struct ctprof_ts_msg m;
	size_t n;

	(void)state;
	payload_a(st, 560, 16);
	n = reply(img, 9, 4242, st, 560);
	/* fewer than 16 bytes */
	assert_int_equal(ctprof_ts_parse_reply(img, 15, 4242, &ts), -EBADMSG);
	/* nlmsg_len beyond the datagram */
	assert_int_equal(ctprof_ts_parse_reply(img, n - 1, 4242, &ts), -EBADMSG);
	/* nlmsg_len below the header */
	put32(img, 0, 12);
	assert_int_equal(ctprof_ts_parse_reply(img, n, 4242, &ts), -EBADMSG);
	/* a data message without room for the genetlink header */
	put32(img, 0, 18);
	assert_int_equal(ctprof_ts_parse_reply(img, n, 4242, &ts), -EBADMSG);
	put32(img, 0, (uint32_t)n);
	/* pid mismatch */
	assert_int_equal(ctprof_ts_parse_reply(img, n, 4243, &ts), -EPROTO);
	/* top-level nla_len < 4 ends the walk: no AGGR_PID found */
	put16(img, 20, 3);
	assert_int_equal(ctprof_ts_parse_reply(img, n, 4242, &ts), -EBADMSG);
	/* top-level attribute running past the message */
	put16(img, 20, (uint16_t)(n - 20 + 4));
	assert_int_equal(ctprof_ts_parse_reply(img, n, 4242, &ts), -EBADMSG);
	n = reply(img, 9, 4242, st, 560);
	/* nested STATS running past its AGGR_PID: no stats, rejected */
	put16(img, 32, 4 + 560 + 8);
	assert_int_equal(ctprof_ts_parse_reply(img, n, 4242, &ts), -EBADMSG);
	n = reply(img, 9, 4242, st, 560);
	/* nested PID too short to hold a u32 */
	put16(img, 24, 6);
	assert_int_equal(ctprof_ts_parse_reply(img, n, 4242, &ts), -EBADMSG);
	/* a control message (NLMSG_DONE) has no data */
	n = reply(img, 9, 4242, st, 560);
	put16(img, 4, NLMSG_DONE);
	assert_int_equal(ctprof_ts_parse_msg(img, n, &m), 0);
	assert_false(m.has_pid);
	assert_int_equal(ctprof_ts_parse_reply(img, n, 4242, &ts), -EBADMSG);
}

/* 4-byte alignment: an odd-length attribute before AGGR_PID, and the nested flag bit. */
static void test_alignment_and_flags(void **state)
{
	struct ctprof_taskstats ts;
	unsigned char r[2048];
	size_t n, total;

	(void)state;
	payload_a(st, 560, 16);
	n = reply(r, 9, 4242, st, 560);
	/* insert an unknown 5-byte attribute (padded to 8) at offset 20 */
	total = n + 8;
	memcpy(img, r, 20);
	put16(img, 20, 5);
	put16(img, 22, TASKSTATS_TYPE_NULL);
	img[24] = 0xab;
	memset(img + 25, 0xcc, 3);
	memcpy(img + 28, r + 20, n - 20);
	put32(img, 0, (uint32_t)total);
	put16(img, 28 + 2, TASKSTATS_TYPE_AGGR_PID | NLA_F_NESTED);
	assert_int_equal(ctprof_ts_parse_reply(img, total, 4242, &ts), 0);
	assert_int_equal(ts.delay[CTPROF_TS_IRQ].max_ns, mark(544));
	/* a datagram longer than the message: trailing bytes are ignored */
	memset(img + total, 0xee, 64);
	assert_int_equal(ctprof_ts_parse_reply(img, total + 64, 4242, &ts), 0);
}

/* An exit message: AGGR_PID then AGGR_TGID whose stats carry version 0. */
static void test_exit_message_tgid(void **state)
{
	unsigned char tg[560];
	struct ctprof_ts_msg m;
	size_t n, off, aggr;

	(void)state;
	payload_b(st, 15);
	n = reply(img, 1, 777, st, 560);
	memcpy(tg, st, 560);
	put16(tg, 0, 0); /* signal->stats: version never set */
	aggr = 4 + 8 + 4 + 560;
	off = n;
	put16(img, off, (uint16_t)aggr);
	put16(img, off + 2, TASKSTATS_TYPE_AGGR_TGID);
	put16(img, off + 4, 8);
	put16(img, off + 6, TASKSTATS_TYPE_TGID);
	put32(img, off + 8, 770);
	put16(img, off + 12, 4 + 560);
	put16(img, off + 14, TASKSTATS_TYPE_STATS);
	memcpy(img + off + 16, tg, 560);
	n = off + aggr;
	put32(img, 0, (uint32_t)n);
	assert_int_equal(ctprof_ts_parse_msg(img, n, &m), 0);
	assert_true(m.has_pid);
	assert_true(m.has_tgid);
	assert_int_equal(m.pid, 777);
	assert_int_equal(m.tgid, 770);
	assert_int_equal(m.cmd, TASKSTATS_CMD_NEW);
	assert_int_equal(m.tgid_stats.version, 0);
	/* decoded with the per-task record's (interleaved) layout */
	assert_int_equal(m.tgid_stats.delay[CTPROF_TS_IRQ].min_ns, mark(552));
	assert_int_equal(m.tgid_stats.delay[CTPROF_TS_BLKIO].count, mark(48));
	assert_int_equal(m.pid_stats.delay[CTPROF_TS_BLKIO].max_ns, mark(64));
}

static void test_build_requests(void **state)
{
	unsigned char b[64];
	struct nlmsghdr h;
	uint32_t tid;
	size_t n;

	(void)state;
	n = ctprof_ts_build_get(b, FAMILY, 0x01020304, 31337);
	assert_int_equal(n, 28);
	memcpy(&h, b, sizeof(h));
	assert_int_equal(h.nlmsg_len, 28);
	assert_int_equal(h.nlmsg_type, FAMILY);
	assert_int_equal(h.nlmsg_flags, NLM_F_REQUEST);
	assert_int_equal(h.nlmsg_seq, 0x01020304);
	assert_int_equal(h.nlmsg_pid, 0);
	assert_int_equal(b[16], TASKSTATS_CMD_GET);
	assert_int_equal(b[17], TASKSTATS_GENL_VERSION);
	assert_int_equal(b[18] | b[19], 0);
	assert_int_equal(b[20] | (b[21] << 8), 8);
	assert_int_equal(b[22] | (b[23] << 8), TASKSTATS_CMD_ATTR_PID);
	memcpy(&tid, b + 24, 4);
	assert_int_equal(tid, 31337);

	n = ctprof_ts_build_cpumask(b, sizeof(b), FAMILY, 7, true, "0-1");
	assert_int_equal(n, 28); /* 20 + align4(4 + 4) */
	memcpy(&h, b, sizeof(h));
	assert_int_equal(h.nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	assert_int_equal(b[20] | (b[21] << 8), 8);
	assert_int_equal(b[22] | (b[23] << 8), TASKSTATS_CMD_ATTR_REGISTER_CPUMASK);
	assert_string_equal((char *)b + 24, "0-1");
	n = ctprof_ts_build_cpumask(b, sizeof(b), FAMILY, 8, false, "0-3,5");
	assert_int_equal(n, 32);
	assert_int_equal(b[22] | (b[23] << 8), TASKSTATS_CMD_ATTR_DEREGISTER_CPUMASK);
	assert_int_equal(ctprof_ts_build_cpumask(b, 30, FAMILY, 8, false, "0-3,5"), 0);
}

static void test_nlerr(void **state)
{
	(void)state;
	assert_int_equal(ctprof_nlerr_to_errno(0), 0);
	assert_int_equal(ctprof_nlerr_to_errno(-NLE_OBJ_NOTFOUND), -ENOENT);
	assert_int_equal(ctprof_nlerr_to_errno(NLE_OBJ_NOTFOUND), -ENOENT);
	assert_int_equal(ctprof_nlerr_to_errno(-NLE_PERM), -EPERM);
	assert_int_equal(ctprof_nlerr_to_errno(-NLE_NOACCESS), -EACCES);
	assert_int_equal(ctprof_nlerr_to_errno(-NLE_NOMEM), -ENOMEM);
	assert_int_equal(ctprof_nlerr_to_errno(-NLE_AGAIN), -EAGAIN);
	assert_int_equal(ctprof_nlerr_to_errno(-NLE_BAD_SOCK), -EBADF);
	assert_int_equal(ctprof_nlerr_to_errno(-NLE_SEQ_MISMATCH), -EPROTO);
	assert_int_equal(ctprof_nlerr_to_errno(-NLE_MSG_TRUNC), -EMSGSIZE);
	assert_int_equal(ctprof_nlerr_to_errno(-NLE_NODEV), -ENODEV);
	assert_int_equal(ctprof_nlerr_to_errno(-NLE_FAILURE), -EIO);
	assert_int_equal(ctprof_nlerr_to_errno(-9999), -EIO);
	/* every libnl code maps to a real negative errno */
	for (int i = 1; i <= NLE_MAX; i++) {
		int e = ctprof_nlerr_to_errno(-i);

		assert_true(e < 0 && e > -4096);
	}
}

static void test_btime_and_ticks(void **state)
{
	static const char stat[] = "cpu  1 2 3\ncpu0 1 2 3\nintr 5\nctxt 99\nbtime 1700000000\n"
				   "processes 5\n";
	uint64_t v = 0;

	(void)state;
	assert_true(ctprof_ts_parse_btime(stat, sizeof(stat) - 1, &v));
	assert_int_equal(v, 1700000000);
	assert_false(ctprof_ts_parse_btime("cpu 1\nbtimes 5\n", 15, &v));
	assert_false(ctprof_ts_parse_btime("btime x\n", 8, &v));
	assert_true(ctprof_ts_parse_btime("btime 42", 8, &v));
	assert_int_equal(v, 42);
	assert_int_equal(ctprof_ts_us_to_ticks(1234567, 100), 123);
	assert_int_equal(ctprof_ts_us_to_ticks(999999, 100), 99);
	assert_int_equal(ctprof_ts_us_to_ticks(1000000, 250), 250);
	assert_int_equal(ctprof_ts_us_to_ticks(UINT64_MAX, 100), UINT64_MAX / 10000);
	assert_int_equal(ctprof_ts_us_to_ticks(UINT64_MAX, 2000000), UINT64_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v10),
		cmocka_unit_test(test_v13),
		cmocka_unit_test(test_v14),
		cmocka_unit_test(test_v16),
		cmocka_unit_test(test_v17),
		cmocka_unit_test(test_v15_interleaved),
		cmocka_unit_test(test_version_gates_fields),
		cmocka_unit_test(test_truncated_payload),
		cmocka_unit_test(test_nlmsg_error),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_alignment_and_flags),
		cmocka_unit_test(test_exit_message_tgid),
		cmocka_unit_test(test_build_requests),
		cmocka_unit_test(test_nlerr),
		cmocka_unit_test(test_btime_and_ticks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
