/* SPDX-License-Identifier: MIT */
/*
 * Pipelined taskstats queries and the exit-listener drain against a mocked
 * socket: send(), recvmmsg() and poll() are wrapped (test_taskstats_pipe.wrap,
 * with libnl's genl_connect() and genl_ctrl_resolve() for the open path)
 * by a fake kernel that answers each request datagram synchronously, the
 * way genetlink does, and can lose, reorder, corrupt, overrun or misdirect
 * replies.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/taskstats.h>

#include "taskstats/taskstats_int.h"

#define FAMILY 0x1c
#define QMAX 8192

/* ---- the fake kernel ------------------------------------------------- */

enum fate {
	R_REPLY,
	R_LOST,    /* no reply at all */
	R_BADPID,  /* a reply for another pid */
	R_EPERM,   /* NLMSG_ERROR -EPERM */
	R_ESRCH,   /* NLMSG_ERROR -ESRCH */
	R_HUGE,    /* a reply longer than the receive slot */
};

struct dgram {
	unsigned char *data;
	size_t len;
};

static struct {
	struct dgram q[QMAX];
	size_t head, tail;
	int pending_errno;           /* next recvmmsg fails with it */
	int send_fail_errno;         /* next send fails with it */
	int recv_fail_errno;         /* next recvmmsg fails with it (sticky) */
	enum fate (*fate)(uint32_t tid);
	bool reverse;                /* reply in reverse order */
	bool pairs;                  /* two replies per datagram */
	int overrun_after;           /* >= 0: keep that many replies, drop the rest */
	int overrun_sends;           /* how many sends overrun */
	bool stale_first;            /* queue a reply with an unknown seq first */
	unsigned send_calls, recv_calls, poll_calls;
	int max_poll_timeout;
	size_t requests;
	uint32_t seen_seq[QMAX];
	size_t nseen;
} K;

static enum fate all_ok(uint32_t tid)
{
	(void)tid;
	return R_REPLY;
}

static void reset(void)
{
	while (K.head != K.tail)
		free(K.q[K.head++ % QMAX].data);
	memset(&K, 0, sizeof(K));
	K.fate = all_ok;
	K.overrun_after = -1;
}

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

/* A v16 reply for pid: cpu_count = pid * 10, ac_pid = pid. st_len can be inflated. */
static struct dgram make_reply(uint32_t seq, uint32_t pid, size_t st_len)
{
	size_t aggr = 4 + 8 + 4 + st_len;
	size_t total = 20 + ((aggr + 3) & ~(size_t)3);
	unsigned char *b = calloc(1, total);
	struct dgram d = { b, total };

	assert_non_null(b);
	put32(b, 0, (uint32_t)total);
	put16(b, 4, FAMILY);
	put32(b, 8, seq);
	b[16] = TASKSTATS_CMD_NEW;
	b[17] = 1;
	put16(b, 20, (uint16_t)aggr);
	put16(b, 22, TASKSTATS_TYPE_AGGR_PID);
	put16(b, 24, 8);
	put16(b, 26, TASKSTATS_TYPE_PID);
	put32(b, 28, pid);
	put16(b, 32, (uint16_t)(4 + st_len));
	put16(b, 34, TASKSTATS_TYPE_STATS);
	put16(b, 36, 16);                          /* version */
	put64(b, 36 + 16, (uint64_t)pid * 10);     /* cpu_count */
	put64(b, 36 + 200, 4);                     /* hiwater_rss kB */
	put32(b, 36 + 128, pid);                   /* ac_pid */
	return d;
}

static struct dgram make_error(uint32_t seq, int32_t e)
{
	unsigned char *b = calloc(1, 36);
	struct dgram d = { b, 36 };

	assert_non_null(b);
	put32(b, 0, 36);
	put16(b, 4, NLMSG_ERROR);
	put32(b, 8, seq);
	memcpy(b + 16, &e, 4);
	return d;
}

static void enqueue(struct dgram d)
{
	assert_true(K.tail - K.head < QMAX);
	K.q[K.tail++ % QMAX] = d;
}

/* Concatenate two datagrams into one. */
static struct dgram join(struct dgram a, struct dgram b)
{
	size_t pad = ((a.len + 3) & ~(size_t)3) - a.len;
	struct dgram d = { calloc(1, a.len + pad + b.len), a.len + pad + b.len };

	assert_non_null(d.data);
	memcpy(d.data, a.data, a.len);
	memcpy(d.data + a.len + pad, b.data, b.len);
	free(a.data);
	free(b.data);
	return d;
}

ssize_t __wrap_send(int fd, const void *buf, size_t len, int flags);
ssize_t __wrap_send(int fd, const void *buf, size_t len, int flags)
{
	const unsigned char *p = buf;
	struct dgram out[QMAX];
	size_t n = 0, off, i, keep;

	(void)fd;
	(void)flags;
	K.send_calls++;
	if (K.send_fail_errno) {
		errno = K.send_fail_errno;
		K.send_fail_errno = 0;
		return -1;
	}
	assert_int_equal(len % CTPROF_TS_GET_LEN, 0);
	if (K.stale_first) {
		out[n++] = make_reply(0x7fffffff, 1, 560);
		K.stale_first = false;
	}
	for (off = 0; off < len; off += CTPROF_TS_GET_LEN) {
		uint32_t seq, tid, mlen;
		uint16_t type, flg;

		memcpy(&mlen, p + off, 4);
		memcpy(&type, p + off + 4, 2);
		memcpy(&flg, p + off + 6, 2);
		memcpy(&seq, p + off + 8, 4);
		memcpy(&tid, p + off + 24, 4);
		assert_int_equal(mlen, CTPROF_TS_GET_LEN);
		assert_int_equal(type, FAMILY);
		assert_int_equal(flg, NLM_F_REQUEST);
		assert_int_equal(p[off + 16], TASKSTATS_CMD_GET);
		assert_true(seq != 0);
		K.requests++;
		if (K.nseen < QMAX)
			K.seen_seq[K.nseen++] = seq;
		switch (K.fate(tid)) {
		case R_REPLY:
			out[n++] = make_reply(seq, tid, 560);
			break;
		case R_LOST:
			break;
		case R_BADPID:
			out[n++] = make_reply(seq, tid + 1, 560);
			break;
		case R_EPERM:
			out[n++] = make_error(seq, -EPERM);
			break;
		case R_ESRCH:
			out[n++] = make_error(seq, -ESRCH);
			break;
		case R_HUGE:
			out[n++] = make_reply(seq, tid, CTPROF_TS_SLOT + 100);
			break;
		}
	}
	keep = n;
	if (K.overrun_after >= 0 && K.overrun_sends > 0 && n > (size_t)K.overrun_after) {
		keep = (size_t)K.overrun_after;
		K.overrun_sends--;
		K.pending_errno = ENOBUFS;
	}
	for (i = keep; i < n; i++)
		free(out[i].data);
	if (K.reverse) {
		for (i = 0; i < keep / 2; i++) {
			struct dgram t = out[i];

			out[i] = out[keep - 1 - i];
			out[keep - 1 - i] = t;
		}
	}
	for (i = 0; i < keep; i++) {
		if (K.pairs && i + 1 < keep) {
			enqueue(join(out[i], out[i + 1]));
			i++;
		} else {
			enqueue(out[i]);
		}
	}
	return (ssize_t)len;
}

int __wrap_recvmmsg(int fd, struct mmsghdr *msgs, unsigned int vlen, int flags,
		    struct timespec *tmo);
int __wrap_recvmmsg(int fd, struct mmsghdr *msgs, unsigned int vlen, int flags,
		    struct timespec *tmo)
{
	unsigned i = 0;

	(void)fd;
	(void)tmo;
	K.recv_calls++;
	assert_true(flags & MSG_DONTWAIT);
	if (K.recv_fail_errno) {
		errno = K.recv_fail_errno;
		return -1;
	}
	if (K.pending_errno) {
		errno = K.pending_errno;
		K.pending_errno = 0;
		return -1;
	}
	if (K.head == K.tail) {
		errno = EAGAIN;
		return -1;
	}
	while (i < vlen && K.head != K.tail) {
		struct dgram d = K.q[K.head++ % QMAX];
		struct iovec *iov = msgs[i].msg_hdr.msg_iov;
		size_t n = d.len < iov->iov_len ? d.len : iov->iov_len;

		memcpy(iov->iov_base, d.data, n);
		msgs[i].msg_len = (unsigned)n;
		msgs[i].msg_hdr.msg_flags = d.len > iov->iov_len ? MSG_TRUNC : 0;
		free(d.data);
		i++;
	}
	return (int)i;
}

int __wrap_poll(struct pollfd *fds, nfds_t n, int timeout);
int __wrap_poll(struct pollfd *fds, nfds_t n, int timeout)
{
	nfds_t i;

	K.poll_calls++;
	if (timeout > K.max_poll_timeout)
		K.max_poll_timeout = timeout;
	for (i = 0; i < n; i++)
		fds[i].revents = 0;
	if (K.head != K.tail || K.pending_errno) {
		fds[0].revents = POLLIN;
		return 1;
	}
	return 0; /* the timeout expired */
}

/* libnl's connect and family resolution, scripted. */
struct nl_sock;
static int connect_rc, resolve_rc;
int __wrap_genl_connect(struct nl_sock *sk);
int __wrap_genl_connect(struct nl_sock *sk)
{
	(void)sk;
	return connect_rc;
}
int __wrap_genl_ctrl_resolve(struct nl_sock *sk, const char *name);
int __wrap_genl_ctrl_resolve(struct nl_sock *sk, const char *name)
{
	(void)sk;
	assert_string_equal(name, "TASKSTATS");
	return resolve_rc;
}

/* ---- helpers ----------------------------------------------------------- */

static struct ctprof_taskstats_client *client(unsigned window, int timeout_ms)
{
	struct ctprof_taskstats_opts o = { .sz = sizeof(o), .window = window,
					   .timeout_ms = timeout_ms };
	struct ctprof_taskstats_client *c = NULL;
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(ctprof_ts_client_from_fd(fd, FAMILY, &o, &c), 0);
	return c;
}

#define N 10
static uint32_t tids[N] = { 101, 102, 103, 104, 105, 106, 107, 108, 109, 110 };

static void expect_ok(const struct ctprof_taskstats_result *r, uint32_t tid)
{
	assert_int_equal(r->tid, tid);
	assert_int_equal(r->err, 0);
	assert_int_equal(r->stats.version, 16);
	assert_int_equal(r->stats.pid, tid);
	assert_int_equal(r->stats.delay[CTPROF_TS_CPU].count, (uint64_t)tid * 10);
	assert_int_equal(r->stats.hiwater_rss_kib, 4);
}

static int setup(void **state)
{
	(void)state;
	reset();
	return 0;
}

/* ---- query tests --------------------------------------------------------- */

static void test_windows_in_order(void **state)
{
	struct ctprof_taskstats_client *c = client(4, 100);
	struct ctprof_taskstats_result r[N];
	struct ctprof_taskstats_client_stats st;
	size_t i;

	(void)state;
	assert_int_equal(ctprof_taskstats_query_many(c, tids, N, r), 0);
	for (i = 0; i < N; i++)
		expect_ok(&r[i], tids[i]);
	assert_int_equal(K.send_calls, 3); /* 4 + 4 + 2: one send per window */
	assert_int_equal(K.requests, N);
	assert_int_equal(K.poll_calls, 0); /* every reply was queued already */
	for (i = 1; i < K.nseen; i++)
		assert_int_equal(K.seen_seq[i], K.seen_seq[i - 1] + 1);
	ctprof_taskstats_client_stats(c, &st);
	assert_int_equal(st.sent, N);
	assert_int_equal(st.replies, N);
	assert_int_equal(st.stale, 0);
	assert_int_equal(st.timeouts, 0);
	ctprof_taskstats_close(c);
}

static void test_out_of_order_and_batched(void **state)
{
	struct ctprof_taskstats_client *c = client(8, 100);
	struct ctprof_taskstats_result r[N];
	size_t i;

	(void)state;
	K.reverse = true;
	K.pairs = true; /* two netlink messages in one datagram */
	assert_int_equal(ctprof_taskstats_query_many(c, tids, N, r), 0);
	for (i = 0; i < N; i++)
		expect_ok(&r[i], tids[i]);
	ctprof_taskstats_close(c);
}

static enum fate lose_104(uint32_t tid)
{
	return tid == 104 ? R_LOST : R_REPLY;
}

/* A lost reply costs one bounded wait and is -ETIMEDOUT, never a hang. */
static void test_lost_reply_times_out(void **state)
{
	struct ctprof_taskstats_client *c = client(4, 50);
	struct ctprof_taskstats_result r[N];
	struct ctprof_taskstats_client_stats st;
	size_t i;

	(void)state;
	K.fate = lose_104;
	assert_int_equal(ctprof_taskstats_query_many(c, tids, N, r), 0);
	for (i = 0; i < N; i++) {
		if (tids[i] == 104) {
			assert_int_equal(r[i].err, -ETIMEDOUT);
			assert_int_equal(r[i].stats.delay[CTPROF_TS_CPU].count, 0);
		} else {
			expect_ok(&r[i], tids[i]);
		}
	}
	assert_int_equal(K.poll_calls, 1);
	assert_true(K.max_poll_timeout > 0 && K.max_poll_timeout <= 50);
	ctprof_taskstats_client_stats(c, &st);
	assert_int_equal(st.timeouts, 1);
	ctprof_taskstats_close(c);
}

static enum fate mixed(uint32_t tid)
{
	switch (tid) {
	case 102:
		return R_BADPID;
	case 103:
		return R_EPERM;
	case 105:
		return R_ESRCH;
	case 107:
		return R_HUGE;
	default:
		return R_REPLY;
	}
}

static void test_errors_per_tid(void **state)
{
	struct ctprof_taskstats_client *c = client(16, 100);
	struct ctprof_taskstats_result r[N];
	struct ctprof_taskstats_summary s;
	size_t i;

	(void)state;
	K.fate = mixed;
	assert_int_equal(ctprof_taskstats_query_many(c, tids, N, r), 0);
	memset(&s, 0, sizeof(s));
	for (i = 0; i < N; i++) {
		switch (tids[i]) {
		case 102:
			assert_int_equal(r[i].err, -EPROTO);
			break;
		case 103:
			assert_int_equal(r[i].err, -EPERM);
			break;
		case 105:
			assert_int_equal(r[i].err, -ESRCH);
			break;
		case 107:
			assert_int_equal(r[i].err, -EMSGSIZE);
			break;
		default:
			expect_ok(&r[i], tids[i]);
		}
		ctprof_taskstats_summary_add(&s, r[i].err);
	}
	assert_int_equal(s.ok_count, 6);
	assert_int_equal(s.eperm_count, 1);
	assert_int_equal(s.esrch_count, 1);
	assert_int_equal(s.other_err_count, 2);
	ctprof_taskstats_close(c);
}

static void test_stale_reply_ignored(void **state)
{
	struct ctprof_taskstats_client *c = client(16, 100);
	struct ctprof_taskstats_result r[N];
	struct ctprof_taskstats_client_stats st;
	size_t i;

	(void)state;
	K.stale_first = true;
	assert_int_equal(ctprof_taskstats_query_many(c, tids, N, r), 0);
	for (i = 0; i < N; i++)
		expect_ok(&r[i], tids[i]);
	ctprof_taskstats_client_stats(c, &st);
	assert_int_equal(st.stale, 1);
	ctprof_taskstats_close(c);
}

/* ENOBUFS: unanswered requests are sent again with a smaller window. */
static void test_overrun_retried(void **state)
{
	struct ctprof_taskstats_client *c = client(8, 100);
	struct ctprof_taskstats_result r[N];
	struct ctprof_taskstats_client_stats st;
	size_t i;

	(void)state;
	K.overrun_after = 3;
	K.overrun_sends = 1;
	assert_int_equal(ctprof_taskstats_query_many(c, tids, N, r), 0);
	for (i = 0; i < N; i++)
		expect_ok(&r[i], tids[i]);
	ctprof_taskstats_client_stats(c, &st);
	assert_int_equal(st.overruns, 1);
	assert_int_equal(st.sent, N + 5);
	assert_int_equal(st.timeouts, 0);
	assert_int_equal(K.poll_calls, 0); /* an overrun never waits for the timeout */
	/* 8 (3 fit) → the 5 lost go out one at a time (window = fitted / 2 = 1) */
	assert_int_equal(K.send_calls, 1 + 5 + 2);
	ctprof_taskstats_close(c);
}

/* Overruns that never stop end in -ENOBUFS after a bounded number of passes. */
static void test_overrun_persistent(void **state)
{
	struct ctprof_taskstats_client *c = client(4, 100);
	struct ctprof_taskstats_result r[4];

	(void)state;
	K.overrun_after = 0;
	K.overrun_sends = 1000;
	assert_int_equal(ctprof_taskstats_query_many(c, tids, 4, r), 0);
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(r[i].err, -ENOBUFS);
	assert_int_equal(K.requests, 4 * 4); /* first pass + three retries */
	ctprof_taskstats_close(c);
}

static void test_send_and_recv_failures(void **state)
{
	struct ctprof_taskstats_client *c = client(4, 100);
	struct ctprof_taskstats_result r[N];
	size_t i;

	(void)state;
	K.send_fail_errno = ENOMEM; /* the first window's send fails */
	assert_int_equal(ctprof_taskstats_query_many(c, tids, N, r), 0);
	for (i = 0; i < N; i++) {
		if (i < 4)
			assert_int_equal(r[i].err, -ENOMEM);
		else
			expect_ok(&r[i], tids[i]);
	}
	K.recv_fail_errno = EBADF; /* a broken socket: every tid fails, quickly */
	assert_int_equal(ctprof_taskstats_query_many(c, tids, N, r), 0);
	for (i = 0; i < N; i++)
		assert_int_equal(r[i].err, -EBADF);
	ctprof_taskstats_close(c);
}

static void test_args_and_single(void **state)
{
	struct ctprof_taskstats_client *c = client(0, 0);
	struct ctprof_taskstats_result r[1];
	struct ctprof_taskstats ts;

	(void)state;
	assert_int_equal(ctprof_taskstats_query_many(NULL, tids, 1, r), -EINVAL);
	assert_int_equal(ctprof_taskstats_query_many(c, NULL, 1, r), -EINVAL);
	assert_int_equal(ctprof_taskstats_query_many(c, tids, 1, NULL), -EINVAL);
	assert_int_equal(ctprof_taskstats_query_many(c, NULL, 0, NULL), 0);
	assert_int_equal(K.send_calls, 0);
	assert_int_equal(ctprof_taskstats_query(c, 4242, &ts), 0);
	assert_int_equal(ts.pid, 4242);
	K.fate = mixed;
	assert_int_equal(ctprof_taskstats_query(c, 103, &ts), -EPERM);
	ctprof_taskstats_close(c);
	ctprof_taskstats_close(NULL);
}

static void test_fill_threads(void **state)
{
	struct ctprof_taskstats_client *c = client(3, 100);
	struct ctprof_taskstats_active a;
	struct ctprof_taskstats_summary s;
	struct ctprof_thread t[N];
	size_t i;

	(void)state;
	K.fate = mixed;
	ctprof_taskstats_active_from(CTPROF_DELAYACCT_ON, CTPROF_XACCT_ON, &a);
	for (i = 0; i < N; i++) {
		assert_int_equal(ctprof_thread_init(&t[i]), 0);
		t[i].tid = tids[i];
	}
	memset(&s, 0, sizeof(s));
	assert_int_equal(ctprof_taskstats_fill_threads(c, t, N, &a, &s), 0);
	for (i = 0; i < N; i++) {
		bool ok = mixed(tids[i]) == R_REPLY;

		assert_int_equal(t[i].taskstats_measured, ok);
		assert_int_equal(t[i].delay_block_active, ok);
		assert_int_equal(t[i].cpu_delay_count, ok ? (uint64_t)tids[i] * 10 : 0);
		assert_int_equal(t[i].hiwater_rss_bytes, ok ? 4096 : 0);
		ctprof_thread_clear(&t[i]);
	}
	assert_int_equal(s.ok_count, 6);
	assert_int_equal(s.eperm_count, 1);
	assert_int_equal(s.esrch_count, 1);
	assert_int_equal(s.other_err_count, 2);
	ctprof_taskstats_close(c);
}

/* ---- exit listener drain ------------------------------------------------ */

/* An exit message: AGGR_PID(pid) and, when tgid != 0, AGGR_TGID(tgid). */
static struct dgram exit_msg(uint32_t pid, uint32_t tgid)
{
	struct dgram d = make_reply(0, pid, 560);
	size_t aggr = 4 + 8 + 4 + 560, off = d.len;

	put64(d.data, 36 + 72, 1000000 + pid);   /* cpu_run_virtual_total */
	put32(d.data, 36 + 368, tgid ? tgid : pid); /* ac_tgid */
	memcpy(d.data + 36 + 80, "exiting", 8);
	d.data[36 + 8] = tgid ? 0x20 : 0;      /* AGROUP */
	if (!tgid)
		return d;
	d.data = realloc(d.data, d.len + aggr);
	assert_non_null(d.data);
	memset(d.data + off, 0, aggr);
	put16(d.data, off, (uint16_t)aggr);
	put16(d.data, off + 2, TASKSTATS_TYPE_AGGR_TGID);
	put16(d.data, off + 4, 8);
	put16(d.data, off + 6, TASKSTATS_TYPE_TGID);
	put32(d.data, off + 8, tgid);
	put16(d.data, off + 12, 4 + 560);
	put16(d.data, off + 14, TASKSTATS_TYPE_STATS);
	put64(d.data, off + 16 + 24, 999); /* cpu_delay_total of the whole group */
	d.len += aggr;
	put32(d.data, 0, (uint32_t)d.len);
	return d;
}

struct seen {
	unsigned n;
	uint32_t id[16];
	enum ctprof_exit_kind kind[16];
	uint64_t run[16];
	bool exited[16];
	bool group_dead[16];
	char comm[16][16];
};

static void on_record(const struct ctprof_exit_record *r, void *ctx)
{
	struct seen *s = ctx;

	if (s->n >= 16)
		return;
	s->id[s->n] = r->id;
	s->kind[s->n] = r->kind;
	s->run[s->n] = r->thread.run_time_ns;
	s->exited[s->n] = r->thread.exited;
	s->group_dead[s->n] = r->group_dead;
	snprintf(s->comm[s->n], sizeof(s->comm[0]), "%s", r->thread.comm);
	s->n++;
}

static const struct ctprof_taskstats_conv conv = { .boot_time_s = 1, .user_hz = 100 };

static struct ctprof_exit_listener *listener(struct ctprof_exit_listener_opts *o)
{
	struct ctprof_exit_listener *l = NULL;
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	o->sz = sizeof(*o);
	o->conv = &conv;
	assert_int_equal(ctprof_ts_listener_from_fd(fd, FAMILY, o, &l), 0);
	return l;
}

static void test_listener_drain(void **state)
{
	struct ctprof_exit_listener_opts o = { 0 };
	struct ctprof_exit_listener_stats st;
	struct ctprof_exit_listener *l;
	struct seen s = { 0 };
	unsigned char junk[8] = { 1, 2, 3 };
	struct dgram j = { malloc(8), 8 };

	(void)state;
	o.on_record = on_record;
	o.ctx = &s;
	l = listener(&o);
	assert_int_equal(ctprof_exit_listener_drain(l, 0), 0); /* nothing queued */
	enqueue(exit_msg(201, 0));
	K.pending_errno = ENOBUFS; /* the kernel dropped something: counted, not fatal */
	assert_int_equal(ctprof_exit_listener_drain(l, 0), 1);
	enqueue(exit_msg(202, 0));
	memcpy(j.data, junk, 8);
	enqueue(j);
	enqueue(exit_msg(203, 200)); /* last thread of tgid 200 */
	assert_int_equal(ctprof_exit_listener_drain(l, 10), 3);
	assert_int_equal(s.n, 4);
	assert_int_equal(s.id[0], 201);
	assert_int_equal(s.kind[0], CTPROF_EXIT_TASK);
	assert_int_equal(s.run[0], 1000201);
	assert_true(s.exited[0]);
	assert_false(s.group_dead[0]);
	assert_string_equal(s.comm[0], "exiting");
	assert_int_equal(s.id[1], 202);
	assert_int_equal(s.id[2], 203);
	assert_true(s.group_dead[2]);
	assert_int_equal(s.id[3], 200);
	assert_int_equal(s.kind[3], CTPROF_EXIT_TGID);
	ctprof_exit_listener_stats(l, &st);
	assert_int_equal(st.task_records, 3);
	assert_int_equal(st.tgid_records, 1);
	assert_int_equal(st.lost_events, 1);
	assert_int_equal(st.malformed, 1);
	assert_int_equal(st.dropped, 0);
	assert_int_equal(ctprof_exit_listener_stop(l), 0);
	assert_int_equal(ctprof_exit_listener_stop(l), 0);
	assert_int_equal(ctprof_exit_listener_drain(l, 0), -EINVAL);
	assert_int_equal(ctprof_exit_listener_fd(l), -1);
	ctprof_exit_listener_free(l);
}

static void test_listener_collect(void **state)
{
	struct ctprof_exit_listener_opts o = { 0 };
	struct ctprof_exit_listener_stats st;
	struct ctprof_exit_listener *l;
	struct ctprof_exit_record *recs, *again;
	size_t n;

	(void)state;
	o.max_records = 2;
	l = listener(&o);
	assert_true(ctprof_exit_listener_fd(l) >= 0);
	enqueue(exit_msg(301, 0));
	enqueue(exit_msg(302, 0));
	assert_int_equal(ctprof_exit_listener_drain(l, 0), 2);
	enqueue(exit_msg(303, 0)); /* left for stop() to drain, beyond max_records */
	assert_int_equal(ctprof_exit_listener_stop(l), 0);
	ctprof_exit_listener_stats(l, &st);
	assert_int_equal(st.task_records, 3);
	assert_int_equal(st.dropped, 1);
	n = ctprof_exit_listener_take(l, &recs);
	assert_int_equal(n, 2);
	assert_int_equal(recs[0].id, 301);
	assert_int_equal(recs[0].thread.tid, 301);
	assert_int_equal(recs[0].thread.tgid, 301);
	assert_string_equal(recs[0].thread.pcomm, "exiting"); /* a leader */
	assert_int_equal(recs[1].stats.cpu_run_virtual_total_ns, 1000302);
	assert_int_equal(recs[1].thread.run_time_ns, 1000302);
	assert_int_equal(ctprof_exit_listener_take(l, &again), 0);
	assert_null(again);
	ctprof_exit_records_free(recs, n);
	ctprof_exit_listener_free(l);
}

/* Open failures are errnos (never NLE_* codes) with a message saying what to fix. */
static void test_open_failures(void **state)
{
	struct ctprof_taskstats_client *c = (void *)1;
	struct ctprof_exit_listener *l = (void *)1;
	struct ctprof_exit_listener_opts lo = { .sz = sizeof(lo), .cpulist = "0" };
	struct ctprof_error e;

	(void)state;
	connect_rc = 0;
	resolve_rc = -12; /* -NLE_OBJ_NOTFOUND: no CONFIG_TASKSTATS */
	memset(&e, 0, sizeof(e));
	assert_int_equal(ctprof_taskstats_open(NULL, &c, &e), -ENOENT);
	assert_null(c);
	assert_int_equal(e.code, -ENOENT);
	assert_non_null(strstr(e.msg, "taskstats: resolve generic netlink family TASKSTATS"));
	assert_non_null(strstr(e.msg, "CONFIG_TASKSTATS"));
	assert_non_null(strstr(e.msg, "CAP_NET_ADMIN"));
	assert_non_null(strstr(e.msg, "kernel.task_delayacct"));
	resolve_rc = -28; /* -NLE_PERM */
	assert_int_equal(ctprof_taskstats_open(NULL, &c, &e), -EPERM);
	assert_non_null(strstr(e.msg, "Operation not permitted"));
	resolve_rc = 0; /* no family id in the answer */
	assert_int_equal(ctprof_taskstats_open(NULL, &c, &e), -EPROTO);
	connect_rc = -3; /* -NLE_BAD_SOCK */
	assert_int_equal(ctprof_taskstats_open(NULL, &c, &e), -EBADF);
	assert_non_null(strstr(e.msg, "open NETLINK_GENERIC socket"));
	connect_rc = 0;
	resolve_rc = -12;
	assert_int_equal(ctprof_exit_listener_open(&lo, &l, &e), -ENOENT);
	assert_null(l);
	assert_non_null(strstr(e.msg, "taskstats exit listener: resolve generic netlink family"));
	assert_int_equal(K.send_calls, 0);
	/* a resolved family: the client is usable (over the fake kernel) */
	resolve_rc = FAMILY;
	assert_int_equal(ctprof_taskstats_open(NULL, &c, &e), 0);
	{
		struct ctprof_taskstats ts;

		assert_int_equal(ctprof_taskstats_query(c, 4242, &ts), 0);
		assert_int_equal(ts.pid, 4242);
	}
	ctprof_taskstats_close(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_windows_in_order, setup),
		cmocka_unit_test_setup(test_out_of_order_and_batched, setup),
		cmocka_unit_test_setup(test_lost_reply_times_out, setup),
		cmocka_unit_test_setup(test_errors_per_tid, setup),
		cmocka_unit_test_setup(test_stale_reply_ignored, setup),
		cmocka_unit_test_setup(test_overrun_retried, setup),
		cmocka_unit_test_setup(test_overrun_persistent, setup),
		cmocka_unit_test_setup(test_send_and_recv_failures, setup),
		cmocka_unit_test_setup(test_args_and_single, setup),
		cmocka_unit_test_setup(test_fill_threads, setup),
		cmocka_unit_test_setup(test_listener_drain, setup),
		cmocka_unit_test_setup(test_listener_collect, setup),
		cmocka_unit_test_setup(test_open_failures, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
