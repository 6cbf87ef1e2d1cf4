/* SPDX-License-Identifier: MIT */
/*
 * The taskstats query client: family resolution with libnl-genl-3, then
 * pipelined TASKSTATS_CMD_GET requests on the same socket.
 *
 * One window = one send() of up to `window` concatenated 28-byte requests
 * with consecutive sequence numbers. The kernel runs genetlink requests in
 * the sender's context, so by the time send() returns every reply of the
 * window is queued (or was dropped because the receive buffer was full,
 * which the next receive reports as ENOBUFS). Replies are read with
 * recvmmsg() in batches of CTPROF_TS_BATCH and matched by sequence number;
 * a datagram matching nothing in flight (a late reply of an earlier
 * window) is counted as stale and dropped. Waiting uses poll() bounded by
 * the client's timeout, so a reply that never comes costs at most one
 * timeout per window.
 */
#include "taskstats_int.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/taskstats.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <netlink/genl/genl.h>
#include <netlink/genl/ctrl.h>

#define WINDOW_DEFAULT 128u
#define WINDOW_MAX 1024u
#define TIMEOUT_DEFAULT_MS 1000
#define FILL_CHUNK 4096u
#define OVERRUN_TRIES 3u

struct inflight {
	uint32_t seq;
	size_t idx;
	bool pending;
};

struct ctprof_taskstats_client {
	struct nl_sock *sk; /* NULL for a client made by ctprof_ts_client_from_fd */
	int fd;
	uint16_t family;
	uint32_t seq;
	unsigned window_max;
	unsigned window;
	int timeout_ms;
	unsigned char *tx;      /* window_max requests */
	unsigned char *rx;      /* CTPROF_TS_BATCH slots */
	struct inflight *fl;    /* window_max */
	size_t *idx;            /* window_max: the window's result indices */
	size_t *lost[2];        /* window_max each: indices lost to an overrun */
	struct mmsghdr msgs[CTPROF_TS_BATCH];
	struct iovec iov[CTPROF_TS_BATCH];
	struct ctprof_taskstats_client_stats st;
};

uint64_t ctprof_ts_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int ctprof_ts_ms_left(uint64_t deadline_ns)
{
	uint64_t now = ctprof_ts_now_ns();
	uint64_t left;

	if (now >= deadline_ns)
		return 0;
	left = (deadline_ns - now + 999999u) / 1000000u;
	return left > 3600000u ? 3600000 : (int)left;
}

void ctprof_ts_set_rcvbuf(int fd, size_t bytes)
{
	int v = bytes > (size_t)(INT32_MAX / 2) ? INT32_MAX / 2 : (int)bytes;

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &v, sizeof(v)) != 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
}

int ctprof_ts_socket_open(const char *what, struct nl_sock **skp, int *fd, uint16_t *family,
			  struct ctprof_error *err)
{
	struct nl_sock *sk = nl_socket_alloc();
	int rc;

	if (!sk)
		return ctprof_err(err, -ENOMEM, "%s: allocate netlink socket: %s", what,
				  strerror(ENOMEM));
	rc = genl_connect(sk);
	if (rc < 0) {
		rc = ctprof_nlerr_to_errno(rc);
		nl_socket_free(sk);
		return ctprof_err(err, rc, "%s: open NETLINK_GENERIC socket: %s. %s", what,
				  strerror(-rc), CTPROF_TASKSTATS_HINT);
	}
	rc = genl_ctrl_resolve(sk, TASKSTATS_GENL_NAME);
	if (rc < 0) {
		rc = ctprof_nlerr_to_errno(rc);
		nl_socket_free(sk);
		if (rc == -ENOENT)
			return ctprof_err(err, rc,
					  "%s: resolve generic netlink family " TASKSTATS_GENL_NAME
					  ": not found (kernel without CONFIG_TASKSTATS?). %s",
					  what, CTPROF_TASKSTATS_HINT);
		return ctprof_err(err, rc,
				  "%s: resolve generic netlink family " TASKSTATS_GENL_NAME
				  ": %s. %s",
				  what, strerror(-rc), CTPROF_TASKSTATS_HINT);
	}
	if (rc == 0 || rc > 0xffff) {
		nl_socket_free(sk);
		return ctprof_err(err, -EPROTO,
				  "%s: resolve generic netlink family " TASKSTATS_GENL_NAME
				  ": invalid family id %d",
				  what, rc);
	}
	*family = (uint16_t)rc;
	*skp = sk;
	*fd = nl_socket_get_fd(sk);
	return 0;
}

static int client_new(int fd, struct nl_sock *sk, uint16_t family,
		      const struct ctprof_taskstats_opts *opts, struct ctprof_taskstats_client **out)
{
	struct ctprof_taskstats_opts o = { .sz = sizeof(o) };
	struct ctprof_taskstats_client *c;
	size_t i, rcvbuf;

	if (opts) {
		size_t n = opts->sz < sizeof(o) ? opts->sz : sizeof(o);

		memcpy(&o, opts, n);
	}
	c = ctprof_calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->fd = fd;
	c->sk = sk;
	c->family = family;
	c->seq = 1;
	c->window_max = o.window ? o.window : WINDOW_DEFAULT;
	if (c->window_max > WINDOW_MAX)
		c->window_max = WINDOW_MAX;
	c->window = c->window_max;
	c->timeout_ms = o.timeout_ms > 0 ? o.timeout_ms : TIMEOUT_DEFAULT_MS;
	c->tx = ctprof_malloc((size_t)c->window_max * CTPROF_TS_GET_LEN);
	c->rx = ctprof_malloc((size_t)CTPROF_TS_BATCH * CTPROF_TS_SLOT);
	c->fl = ctprof_calloc(c->window_max, sizeof(*c->fl));
	c->idx = ctprof_calloc(c->window_max, sizeof(*c->idx));
	c->lost[0] = ctprof_calloc(c->window_max, sizeof(*c->lost[0]));
	c->lost[1] = ctprof_calloc(c->window_max, sizeof(*c->lost[1]));
	if (!c->tx || !c->rx || !c->fl || !c->idx || !c->lost[0] || !c->lost[1]) {
		c->fd = -1; /* the caller still owns fd / sk on failure */
		c->sk = NULL;
		ctprof_taskstats_close(c);
		return -ENOMEM;
	}
	for (i = 0; i < CTPROF_TS_BATCH; i++) {
		c->iov[i].iov_base = c->rx + i * CTPROF_TS_SLOT;
		c->iov[i].iov_len = CTPROF_TS_SLOT;
		c->msgs[i].msg_hdr.msg_iov = &c->iov[i];
		c->msgs[i].msg_hdr.msg_iovlen = 1;
	}
	rcvbuf = o.rcvbuf ? o.rcvbuf : (size_t)c->window_max * 4096u;
	if (rcvbuf < ((size_t)256 << 10))
		rcvbuf = (size_t)256 << 10;
	ctprof_ts_set_rcvbuf(fd, rcvbuf);
	*out = c;
	return 0;
}

CTPROF_API int ctprof_taskstats_open(const struct ctprof_taskstats_opts *opts,
				     struct ctprof_taskstats_client **out, struct ctprof_error *err)
{
	struct nl_sock *sk = NULL;
	uint16_t family = 0;
	int fd = -1, rc;

	if (!out)
		return ctprof_err(err, -EINVAL, "taskstats: open: no output pointer");
	*out = NULL;
	rc = ctprof_ts_socket_open("taskstats", &sk, &fd, &family, err);
	if (rc)
		return rc;
	rc = client_new(fd, sk, family, opts, out);
	if (rc) {
		nl_socket_free(sk);
		return ctprof_err(err, rc, "taskstats: allocate client: %s", strerror(-rc));
	}
	return 0;
}

int ctprof_ts_client_from_fd(int fd, uint16_t family, const struct ctprof_taskstats_opts *opts,
			     struct ctprof_taskstats_client **out)
{
	return client_new(fd, NULL, family, opts, out);
}

CTPROF_API void ctprof_taskstats_close(struct ctprof_taskstats_client *c)
{
	if (!c)
		return;
	if (c->sk)
		nl_socket_free(c->sk); /* closes fd */
	else if (c->fd >= 0)
		close(c->fd);
	free(c->tx);
	free(c->rx);
	free(c->fl);
	free(c->idx);
	free(c->lost[0]);
	free(c->lost[1]);
	free(c);
}

CTPROF_API void ctprof_taskstats_client_stats(const struct ctprof_taskstats_client *c,
					      struct ctprof_taskstats_client_stats *out)
{
	if (!out)
		return;
	if (!c) {
		memset(out, 0, sizeof(*out));
		return;
	}
	*out = c->st;
}

static int send_all(int fd, const void *buf, size_t len)
{
	for (;;) {
		ssize_t r = send(fd, buf, len, 0);

		if (r >= 0)
			return (size_t)r == len ? 0 : -EMSGSIZE;
		if (errno != EINTR)
			return -errno;
	}
}

/* Match every netlink message of one datagram to the window. */
static void take_datagram(struct ctprof_taskstats_client *c, const uint32_t *tids,
			  struct ctprof_taskstats_result *res, size_t cnt, uint32_t base,
			  const unsigned char *buf, size_t len, bool truncated, size_t *remaining)
{
	size_t off = 0;

	while (len - off >= CTPROF_TS_NLMSG_HDRLEN) {
		struct nlmsghdr h;
		size_t k, step;

		memcpy(&h, buf + off, sizeof(h));
		if (h.nlmsg_len < CTPROF_TS_NLMSG_HDRLEN) {
			c->st.stale++;
			return;
		}
		k = (uint32_t)(h.nlmsg_seq - base);
		if (k < cnt && c->fl[k].pending && c->fl[k].seq == h.nlmsg_seq) {
			struct ctprof_taskstats_result *r = &res[c->fl[k].idx];

			if (truncated && h.nlmsg_len > len - off)
				r->err = -EMSGSIZE;
			else
				r->err = ctprof_ts_parse_reply(buf + off, len - off, tids[c->fl[k].idx],
							       &r->stats);
			if (r->err)
				memset(&r->stats, 0, sizeof(r->stats));
			c->fl[k].pending = false;
			c->st.replies++;
			(*remaining)--;
		} else {
			c->st.stale++;
		}
		step = ((size_t)h.nlmsg_len + 3u) & ~(size_t)3u;
		if (step >= len - off)
			return;
		off += step;
	}
}

/*
 * Send the requests for res[idx[0..cnt)] and collect their replies. On an
 * overrun, when !final, the unanswered indices are appended to lost
 * (*nlost). Returns the number of replies matched.
 */
static size_t run_window(struct ctprof_taskstats_client *c, const uint32_t *tids,
			 struct ctprof_taskstats_result *res, const size_t *idx, size_t cnt,
			 bool final, size_t *lost, size_t *nlost)
{
	struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
	size_t k, remaining = cnt;
	uint64_t deadline;
	bool overrun = false;
	uint32_t base;
	int rc;

	if (c->seq == 0 || c->seq > UINT32_MAX - (uint32_t)cnt)
		c->seq = 1;
	base = c->seq;
	for (k = 0; k < cnt; k++) {
		c->fl[k].seq = c->seq++;
		c->fl[k].idx = idx[k];
		c->fl[k].pending = true;
		ctprof_ts_build_get(c->tx + k * CTPROF_TS_GET_LEN, c->family, c->fl[k].seq,
				    tids[idx[k]]);
	}
	rc = send_all(c->fd, c->tx, cnt * CTPROF_TS_GET_LEN);
	if (rc) {
		for (k = 0; k < cnt; k++)
			res[idx[k]].err = rc;
		return 0;
	}
	c->st.sent += cnt;
	deadline = ctprof_ts_now_ns() + (uint64_t)c->timeout_ms * 1000000u;
	while (remaining) {
		int r = recvmmsg(c->fd, c->msgs, CTPROF_TS_BATCH, MSG_DONTWAIT, NULL);
		int j;

		if (r < 0) {
			int e = errno;

			if (e == EINTR)
				continue;
			if (e == ENOBUFS) {
				overrun = true;
				c->st.overruns++;
				continue;
			}
			if (e == EAGAIN || e == EWOULDBLOCK) {
				int ms, pr;

				/* After an overrun nothing more is coming: the
				 * kernel answered the whole window inside send(). */
				if (overrun)
					break;
				ms = ctprof_ts_ms_left(deadline);
				if (ms == 0)
					break;
				pr = poll(&pfd, 1, ms);
				if (pr < 0 && errno != EINTR) {
					rc = -errno;
					goto fatal;
				}
				if (pr == 0)
					break;
				continue;
			}
			rc = -e;
			goto fatal;
		}
		for (j = 0; j < r; j++)
			take_datagram(c, tids, res, cnt, base, c->rx + (size_t)j * CTPROF_TS_SLOT,
				      c->msgs[j].msg_len,
				      (c->msgs[j].msg_hdr.msg_flags & MSG_TRUNC) != 0, &remaining);
	}
	for (k = 0; k < cnt; k++) {
		if (!c->fl[k].pending)
			continue;
		c->fl[k].pending = false;
		if (overrun && !final) {
			lost[(*nlost)++] = c->fl[k].idx;
		} else if (overrun) {
			res[c->fl[k].idx].err = -ENOBUFS;
		} else {
			res[c->fl[k].idx].err = -ETIMEDOUT;
			c->st.timeouts++;
		}
	}
	return cnt - remaining;
fatal:
	for (k = 0; k < cnt; k++) {
		if (c->fl[k].pending) {
			c->fl[k].pending = false;
			res[c->fl[k].idx].err = rc;
		}
	}
	return cnt - remaining;
}

/*
 * Requests lost to a receive-buffer overrun: shrink the window below what
 * fitted (the replies that did arrive) and send them again, up to
 * OVERRUN_TRIES passes; what is lost on the last pass is -ENOBUFS.
 */
static void retry_lost(struct ctprof_taskstats_client *c, const uint32_t *tids,
		       struct ctprof_taskstats_result *res, size_t nlost, size_t fitted)
{
	unsigned pass;
	int cur = 0;

	for (pass = 1; nlost && pass <= OVERRUN_TRIES; pass++) {
		size_t done, nnext = 0;
		size_t w = c->window / 2;

		if (fitted / 2 < w)
			w = fitted / 2;
		c->window = w ? (unsigned)w : 1u;
		fitted = 0;
		for (done = 0; done < nlost; done += c->window) {
			size_t m = nlost - done < c->window ? nlost - done : c->window;

			fitted += run_window(c, tids, res, c->lost[cur] + done, m,
					     pass == OVERRUN_TRIES, c->lost[!cur], &nnext);
		}
		nlost = nnext;
		cur = !cur;
	}
}

CTPROF_API int ctprof_taskstats_query_many(struct ctprof_taskstats_client *c, const uint32_t *tids,
					   size_t n, struct ctprof_taskstats_result *results)
{
	size_t i = 0, k;

	if (!c || (n && (!tids || !results)))
		return -EINVAL;
	for (k = 0; k < n; k++) {
		memset(&results[k], 0, sizeof(results[k]));
		results[k].tid = tids[k];
	}
	while (i < n) {
		size_t cnt = n - i < c->window ? n - i : c->window;
		size_t nlost = 0, fitted;

		for (k = 0; k < cnt; k++)
			c->idx[k] = i + k;
		fitted = run_window(c, tids, results, c->idx, cnt, false, c->lost[0], &nlost);
		if (nlost)
			retry_lost(c, tids, results, nlost, fitted);
		else if (cnt == c->window && c->window < c->window_max)
			/* grow back after an overrun shrank the window */
			c->window = c->window + c->window / 4 + 1 < c->window_max
					    ? c->window + c->window / 4 + 1
					    : c->window_max;
		i += cnt;
	}
	return 0;
}

CTPROF_API int ctprof_taskstats_query(struct ctprof_taskstats_client *c, uint32_t tid,
				      struct ctprof_taskstats *out)
{
	struct ctprof_taskstats_result r;
	int rc = ctprof_taskstats_query_many(c, &tid, 1, &r);

	if (rc)
		return rc;
	if (out)
		*out = r.stats;
	return r.err;
}

CTPROF_API int ctprof_taskstats_fill_threads(struct ctprof_taskstats_client *c,
					     struct ctprof_thread *threads, size_t n,
					     const struct ctprof_taskstats_active *a,
					     struct ctprof_taskstats_summary *s)
{
	struct ctprof_taskstats_result *res;
	uint32_t *tids;
	size_t chunk = n < FILL_CHUNK ? n : FILL_CHUNK, i, k;

	if (!c || !a || (n && !threads))
		return -EINVAL;
	if (n == 0)
		return 0;
	tids = ctprof_calloc(chunk, sizeof(*tids));
	res = ctprof_calloc(chunk, sizeof(*res));
	if (!tids || !res) {
		free(tids);
		free(res);
		return -ENOMEM;
	}
	for (i = 0; i < n; i += chunk) {
		size_t m = n - i < chunk ? n - i : chunk;

		for (k = 0; k < m; k++)
			tids[k] = threads[i + k].tid;
		ctprof_taskstats_query_many(c, tids, m, res);
		for (k = 0; k < m; k++) {
			ctprof_taskstats_apply_result(&threads[i + k], &res[k], a);
			if (s)
				ctprof_taskstats_summary_add(s, res[k].err);
		}
	}
	free(tids);
	free(res);
	return 0;
}
