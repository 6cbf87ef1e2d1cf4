/* SPDX-License-Identifier: MIT */
/*
 * The taskstats exit listener (kernel-interfaces.md §5.4).
 *
 * A socket registered with TASKSTATS_CMD_ATTR_REGISTER_CPUMASK receives one
 * TASKSTATS_CMD_NEW message for every task that exits on those CPUs: an
 * AGGR_PID record, followed in the same message by an AGGR_TGID aggregate
 * when the last thread of a multi-threaded process exits. The kernel sends
 * them from do_exit() without waiting for us; when the receive buffer is
 * full it drops them and the next receive fails with ENOBUFS, which we
 * count as a loss and carry on.
 *
 * Stopping is exact: the DEREGISTER request is acknowledged only after the
 * kernel has removed us from its listener lists (under the same lock that
 * every exit-time send holds), so every record sent before that is already
 * queued ahead of the ack. Reading until the ack therefore loses nothing.
 *
 * Modes: a background thread (poll on the socket and an eventfd), or the
 * caller's own loop (poll ctprof_exit_listener_fd, then drain). Either way
 * all socket I/O is send(), recvmmsg() and poll(), as in client.c.
 */
#include "taskstats_int.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#define ONLINE_PATH "/sys/devices/system/cpu/online"
#define LISTENER_RCVBUF ((size_t)16 << 20)
#define MAX_RECORDS_DEFAULT ((size_t)1 << 18)
#define CTL_TIMEOUT_DEFAULT_MS 1000
#define CPULIST_MAX 8192u
#define AGROUP 0x20

struct ctprof_exit_listener {
	struct nl_sock *sk; /* NULL when made from an fd */
	int fd;
	uint16_t family;
	uint32_t seq;
	char *cpulist;
	bool registered;
	bool background;
	ctprof_exit_record_fn cb;
	void *ctx;
	size_t max_records;
	int timeout_ms;
	struct ctprof_taskstats_conv conv;

	/* the control request waiting for its ack */
	uint32_t ctl_seq;
	bool ctl_waiting;
	bool ctl_done;
	int ctl_result;

	unsigned char *rx;
	struct mmsghdr msgs[CTPROF_TS_BATCH];
	struct iovec iov[CTPROF_TS_BATCH];

	pthread_mutex_t mu; /* st, recs */
	struct ctprof_exit_listener_stats st;
	struct ctprof_exit_record *recs;
	size_t nrecs, caprecs;

	pthread_t thr;
	bool thr_started;
	int evfd;
	int thread_err;
	bool stopped;
};

static uint64_t boottime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void count(struct ctprof_exit_listener *l, uint64_t *field)
{
	pthread_mutex_lock(&l->mu);
	(*field)++;
	pthread_mutex_unlock(&l->mu);
}

/* Hand one record to the callback or the collection. */
static void emit(struct ctprof_exit_listener *l, enum ctprof_exit_kind kind, uint32_t id,
		 const struct ctprof_taskstats *ts)
{
	struct ctprof_exit_record r;

	memset(&r, 0, sizeof(r));
	r.kind = kind;
	r.id = id;
	r.group_dead = kind == CTPROF_EXIT_TASK && (ts->flag & AGROUP);
	r.received_boottime_ns = boottime_ns();
	r.stats = *ts;
	count(l, kind == CTPROF_EXIT_TASK ? &l->st.task_records : &l->st.tgid_records);
	if (ctprof_taskstats_exit_thread(ts, id, &l->conv, &r.thread) != 0) {
		count(l, &l->st.dropped);
		return;
	}
	if (kind == CTPROF_EXIT_TGID) {
		r.thread.tgid = id;
		r.thread.tid = id;
	}
	if (l->cb) {
		l->cb(&r, l->ctx);
		ctprof_thread_clear(&r.thread);
		return;
	}
	pthread_mutex_lock(&l->mu);
	if (l->nrecs == l->caprecs && l->nrecs < l->max_records) {
		size_t cap = l->caprecs ? l->caprecs * 2 : 64;
		struct ctprof_exit_record *nr;

		if (cap > l->max_records)
			cap = l->max_records;
		nr = ctprof_realloc(l->recs, cap * sizeof(*nr));
		if (nr) {
			l->recs = nr;
			l->caprecs = cap;
		}
	}
	if (l->nrecs < l->caprecs) {
		l->recs[l->nrecs++] = r;
	} else {
		l->st.dropped++;
		ctprof_thread_clear(&r.thread);
	}
	pthread_mutex_unlock(&l->mu);
}

/* Every netlink message of one datagram; returns the records emitted. */
static int take_datagram(struct ctprof_exit_listener *l, const unsigned char *buf, size_t len,
			 bool truncated)
{
	size_t off = 0;
	int n = 0;

	if (truncated || len < CTPROF_TS_NLMSG_HDRLEN) {
		count(l, &l->st.malformed);
		return 0;
	}
	while (len - off >= CTPROF_TS_NLMSG_HDRLEN) {
		struct ctprof_ts_msg m;
		size_t step;

		if (ctprof_ts_parse_msg(buf + off, len - off, &m) != 0) {
			count(l, &l->st.malformed);
			return n;
		}
		if (m.is_error) {
			if (l->ctl_waiting && m.seq == l->ctl_seq) {
				l->ctl_waiting = false;
				l->ctl_done = true;
				l->ctl_result = m.error;
			}
		} else if (m.type == l->family) {
			if (m.has_pid) {
				emit(l, CTPROF_EXIT_TASK, m.pid, &m.pid_stats);
				n++;
			}
			if (m.has_tgid) {
				emit(l, CTPROF_EXIT_TGID, m.tgid, &m.tgid_stats);
				n++;
			}
			if (!m.has_pid && !m.has_tgid)
				count(l, &l->st.malformed);
		}
		step = ((size_t)m.len + 3u) & ~(size_t)3u;
		if (step >= len - off)
			break;
		off += step;
	}
	return n;
}

/* Read everything queued, without blocking. Records emitted, or -errno. */
static int drain_queued(struct ctprof_exit_listener *l)
{
	int total = 0;

	for (;;) {
		int r = recvmmsg(l->fd, l->msgs, CTPROF_TS_BATCH, MSG_DONTWAIT, NULL);
		int j;

		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				count(l, &l->st.lost_events);
				continue;
			}
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return total;
			return -errno;
		}
		if (r == 0)
			return total;
		for (j = 0; j < r; j++) {
			int got = take_datagram(l, l->rx + (size_t)j * CTPROF_TS_SLOT,
						l->msgs[j].msg_len,
						(l->msgs[j].msg_hdr.msg_flags & MSG_TRUNC) != 0);

			if (total <= INT32_MAX - got)
				total += got;
		}
	}
}

/* Send a (de)register request and read until its ack. 0 or -errno. */
static int control(struct ctprof_exit_listener *l, bool reg)
{
	struct pollfd pfd = { .fd = l->fd, .events = POLLIN };
	unsigned char buf[CPULIST_MAX + 64];
	uint64_t deadline;
	size_t len;
	ssize_t w;

	if (l->seq == 0)
		l->seq = 1;
	l->ctl_seq = l->seq++;
	len = ctprof_ts_build_cpumask(buf, sizeof(buf), l->family, l->ctl_seq, reg, l->cpulist);
	if (len == 0)
		return -E2BIG;
	l->ctl_waiting = true;
	l->ctl_done = false;
	l->ctl_result = 0;
	do {
		w = send(l->fd, buf, len, 0);
	} while (w < 0 && errno == EINTR);
	if (w < 0 || (size_t)w != len) {
		l->ctl_waiting = false;
		return w < 0 ? -errno : -EMSGSIZE;
	}
	deadline = ctprof_ts_now_ns() + (uint64_t)l->timeout_ms * 1000000u;
	for (;;) {
		int rc = drain_queued(l), ms;

		if (rc < 0) {
			l->ctl_waiting = false;
			return rc;
		}
		if (l->ctl_done)
			return l->ctl_result;
		ms = ctprof_ts_ms_left(deadline);
		if (ms == 0)
			break;
		if (poll(&pfd, 1, ms) < 0 && errno != EINTR) {
			l->ctl_waiting = false;
			return -errno;
		}
	}
	l->ctl_waiting = false;
	return -ETIMEDOUT;
}

static void *thread_main(void *arg)
{
	struct ctprof_exit_listener *l = arg;
	struct pollfd pfd[2] = {
		{ .fd = l->fd, .events = POLLIN },
		{ .fd = l->evfd, .events = POLLIN },
	};

	for (;;) {
		int pr = poll(pfd, 2, -1);

		if (pr < 0) {
			if (errno == EINTR)
				continue;
			l->thread_err = -errno;
			break;
		}
		if (pfd[0].revents) {
			int rc = drain_queued(l);

			if (rc < 0) {
				l->thread_err = rc;
				break;
			}
		}
		if (pfd[1].revents)
			break;
	}
	/* Deregister and collect everything queued before the ack. */
	if (l->registered) {
		int rc = control(l, false);

		l->registered = false;
		if (rc && !l->thread_err)
			l->thread_err = rc;
	}
	if (drain_queued(l) < 0 && !l->thread_err)
		l->thread_err = -EIO;
	return NULL;
}

static char *read_online(struct ctprof_error *err)
{
	struct ctprof_buf b = { 0 };
	char *s = NULL;
	int fd = open(ONLINE_PATH, O_RDONLY | O_CLOEXEC);
	ssize_t r;
	size_t n;

	if (fd < 0) {
		ctprof_err(err, -errno, ONLINE_PATH ": open: %s", strerror(errno));
		return NULL;
	}
	if (ctprof_buf_reserve(&b, CPULIST_MAX + 1)) {
		close(fd);
		ctprof_err(err, -ENOMEM, ONLINE_PATH ": read: %s", strerror(ENOMEM));
		return NULL;
	}
	do {
		r = read(fd, b.data, CPULIST_MAX);
	} while (r < 0 && errno == EINTR);
	if (r < 0)
		ctprof_err(err, -errno, ONLINE_PATH ": read: %s", strerror(errno));
	close(fd);
	if (r > 0) {
		n = (size_t)r;
		while (n && (b.data[n - 1] == '\n' || b.data[n - 1] == ' '))
			n--;
		if (n == 0)
			ctprof_err(err, -EINVAL, ONLINE_PATH ": read: empty");
		else if ((s = ctprof_strndup(b.data, n)) == NULL)
			ctprof_err(err, -ENOMEM, ONLINE_PATH ": read: %s", strerror(ENOMEM));
	} else if (r == 0) {
		ctprof_err(err, -EINVAL, ONLINE_PATH ": read: empty");
	}
	ctprof_buf_free(&b);
	return s;
}

static int listener_new(int fd, struct nl_sock *sk, uint16_t family,
			const struct ctprof_exit_listener_opts *opts,
			struct ctprof_exit_listener **out)
{
	struct ctprof_exit_listener_opts o = { .sz = sizeof(o) };
	struct ctprof_exit_listener *l;
	size_t i;

	if (opts) {
		size_t n = opts->sz < sizeof(o) ? opts->sz : sizeof(o);

		memcpy(&o, opts, n);
	}
	l = ctprof_calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->rx = ctprof_malloc((size_t)CTPROF_TS_BATCH * CTPROF_TS_SLOT);
	if (!l->rx) {
		free(l);
		return -ENOMEM;
	}
	pthread_mutex_init(&l->mu, NULL);
	l->fd = fd;
	l->sk = sk;
	l->family = family;
	l->seq = 1;
	l->evfd = -1;
	l->background = o.background;
	l->cb = o.on_record;
	l->ctx = o.ctx;
	l->max_records = o.max_records ? o.max_records : MAX_RECORDS_DEFAULT;
	l->timeout_ms = o.timeout_ms > 0 ? o.timeout_ms : CTL_TIMEOUT_DEFAULT_MS;
	if (o.conv)
		l->conv = *o.conv;
	for (i = 0; i < CTPROF_TS_BATCH; i++) {
		l->iov[i].iov_base = l->rx + i * CTPROF_TS_SLOT;
		l->iov[i].iov_len = CTPROF_TS_SLOT;
		l->msgs[i].msg_hdr.msg_iov = &l->iov[i];
		l->msgs[i].msg_hdr.msg_iovlen = 1;
	}
	*out = l;
	return 0;
}

int ctprof_ts_listener_from_fd(int fd, uint16_t family,
			       const struct ctprof_exit_listener_opts *opts,
			       struct ctprof_exit_listener **out)
{
	int rc = listener_new(fd, NULL, family, opts, out);

	if (rc == 0)
		(*out)->background = false;
	return rc;
}

static const char *register_hint(int rc)
{
	switch (rc) {
	case -EPERM:
	case -EACCES:
		return " (registering needs CAP_NET_ADMIN)";
	case -EINVAL:
		return " (the kernel rejected the CPU list, or this process is not in the initial "
		       "user and pid namespaces)";
	case -ETIMEDOUT:
		return " (no acknowledgement from the kernel)";
	default:
		return "";
	}
}

CTPROF_API int ctprof_exit_listener_open(const struct ctprof_exit_listener_opts *opts,
					 struct ctprof_exit_listener **out,
					 struct ctprof_error *err)
{
	struct ctprof_exit_listener_opts o = { .sz = sizeof(o) };
	struct ctprof_exit_listener *l = NULL;
	struct ctprof_taskstats_conv conv;
	struct nl_sock *sk = NULL;
	uint16_t family = 0;
	char *cpulist;
	int fd = -1, rc;

	if (!out)
		return ctprof_err(err, -EINVAL, "taskstats exit listener: open: no output pointer");
	*out = NULL;
	if (opts)
		memcpy(&o, opts, opts->sz < sizeof(o) ? opts->sz : sizeof(o));
	o.sz = sizeof(o);
	if (o.conv) {
		conv = *o.conv;
	} else {
		rc = ctprof_taskstats_conv_init(&conv, err);
		if (rc) {
			ctprof_err_prefix(err, "taskstats exit listener");
			return rc;
		}
	}
	o.conv = &conv;
	if (o.cpulist) {
		cpulist = ctprof_strdup(o.cpulist);
		if (!cpulist)
			return ctprof_err(err, -ENOMEM, "taskstats exit listener: %s",
					  strerror(ENOMEM));
	} else {
		cpulist = read_online(err);
		if (!cpulist)
			return err && err->code ? err->code : -EIO;
	}
	if (strlen(cpulist) >= CPULIST_MAX) {
		free(cpulist);
		return ctprof_err(err, -E2BIG, "taskstats exit listener: CPU list too long");
	}
	rc = ctprof_ts_socket_open("taskstats exit listener", &sk, &fd, &family, err);
	if (rc) {
		free(cpulist);
		return rc;
	}
	rc = listener_new(fd, sk, family, &o, &l);
	if (rc) {
		nl_socket_free(sk);
		free(cpulist);
		return ctprof_err(err, rc, "taskstats exit listener: allocate: %s", strerror(-rc));
	}
	l->cpulist = cpulist;
	ctprof_ts_set_rcvbuf(fd, o.rcvbuf ? o.rcvbuf : LISTENER_RCVBUF);
	rc = control(l, true);
	if (rc) {
		ctprof_err(err, rc,
			   "taskstats exit listener: register for exit records on CPUs %s: %s%s",
			   cpulist, strerror(-rc), register_hint(rc));
		ctprof_exit_listener_free(l);
		return rc;
	}
	l->registered = true;
	if (l->background) {
		l->evfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (l->evfd < 0) {
			rc = -errno;
		} else {
			rc = -pthread_create(&l->thr, NULL, thread_main, l);
			l->thr_started = rc == 0;
		}
		if (rc) {
			ctprof_exit_listener_free(l);
			return ctprof_err(err, rc,
					  "taskstats exit listener: start receive thread: %s",
					  strerror(-rc));
		}
	}
	*out = l;
	return 0;
}

CTPROF_API int ctprof_exit_listener_fd(const struct ctprof_exit_listener *l)
{
	if (!l || l->background || l->stopped)
		return -1;
	return l->fd;
}

CTPROF_API int ctprof_exit_listener_drain(struct ctprof_exit_listener *l, int timeout_ms)
{
	struct pollfd pfd;

	if (!l || l->background || l->stopped)
		return -EINVAL;
	if (timeout_ms != 0) {
		pfd.fd = l->fd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		if (poll(&pfd, 1, timeout_ms) < 0 && errno != EINTR)
			return -errno;
	}
	return drain_queued(l);
}

CTPROF_API int ctprof_exit_listener_stop(struct ctprof_exit_listener *l)
{
	if (!l)
		return 0;
	if (l->stopped)
		return l->thread_err;
	if (l->thr_started) {
		uint64_t one = 1;
		ssize_t w;

		do {
			w = write(l->evfd, &one, sizeof(one));
		} while (w < 0 && errno == EINTR);
		pthread_join(l->thr, NULL);
		l->thr_started = false;
	} else {
		int rc = 0;

		if (l->registered) {
			rc = control(l, false);
			l->registered = false;
		}
		if (rc == 0) {
			rc = drain_queued(l);
			rc = rc < 0 ? rc : 0;
		}
		l->thread_err = rc;
	}
	if (l->sk)
		nl_socket_free(l->sk);
	else if (l->fd >= 0)
		close(l->fd);
	l->sk = NULL;
	l->fd = -1;
	if (l->evfd >= 0)
		close(l->evfd);
	l->evfd = -1;
	l->stopped = true;
	return l->thread_err;
}

CTPROF_API void ctprof_exit_listener_stats(struct ctprof_exit_listener *l,
					   struct ctprof_exit_listener_stats *out)
{
	if (!out)
		return;
	if (!l) {
		memset(out, 0, sizeof(*out));
		return;
	}
	pthread_mutex_lock(&l->mu);
	*out = l->st;
	pthread_mutex_unlock(&l->mu);
}

CTPROF_API size_t ctprof_exit_listener_take(struct ctprof_exit_listener *l,
					    struct ctprof_exit_record **out)
{
	size_t n;

	if (!out)
		return 0;
	*out = NULL;
	if (!l || l->thr_started)
		return 0;
	pthread_mutex_lock(&l->mu);
	*out = l->recs;
	n = l->nrecs;
	l->recs = NULL;
	l->nrecs = l->caprecs = 0;
	pthread_mutex_unlock(&l->mu);
	return n;
}

CTPROF_API void ctprof_exit_records_free(struct ctprof_exit_record *r, size_t n)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < n; i++)
		ctprof_thread_clear(&r[i].thread);
	free(r);
}

CTPROF_API void ctprof_exit_listener_free(struct ctprof_exit_listener *l)
{
	if (!l)
		return;
	ctprof_exit_listener_stop(l);
	ctprof_exit_records_free(l->recs, l->nrecs);
	free(l->cpulist);
	free(l->rx);
	pthread_mutex_destroy(&l->mu);
	free(l);
}
