// SPDX-License-Identifier: MIT
/*
 * The workload process of `run`: fork, enter the workload cgroup, exec;
 * copy its stdout and stderr to the run directory (and to our stderr);
 * wait for its main process to exit without reaping it, so that the after
 * snapshot still sees it; reap it.
 */
#include "run_int.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Write all of buf to fd, retrying EINTR and short writes; errors ignored. */
static void write_all(int fd, const char *buf, size_t n)
{
	while (n) {
		ssize_t w = write(fd, buf, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		buf += w;
		n -= (size_t)w;
	}
}

/* The child: async-signal-safe calls only (the parent has threads). */
static void child(const struct rw_opts *o, int out_w, int err_w, int report_w)
{
	sigset_t none;
	int e, i;

	/* Die with the harness; default dispositions, nothing blocked. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	for (i = 1; i < NSIG; i++)
		if (i != SIGKILL && i != SIGSTOP)
			(void)signal(i, SIG_DFL); /* glibc-reserved ones fail: harmless */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (o->cgroup_procs_fd >= 0 && write(o->cgroup_procs_fd, "0\n", 2) != 2) {
		e = -errno;  /* negative: the cgroup step failed */
		write_all(report_w, (const char *)&e, sizeof(e));
		_exit(127);
	}
	if (dup2(out_w, STDOUT_FILENO) < 0 || dup2(err_w, STDERR_FILENO) < 0) {
		e = errno;
		write_all(report_w, (const char *)&e, sizeof(e));
		_exit(127);
	}
	execvp(o->argv[0], o->argv);
	e = errno;
	write_all(report_w, (const char *)&e, sizeof(e));
	_exit(127);
}

CTPROF_HIDDEN int rw_spawn(struct rw *w, const struct rw_opts *o, struct ctprof_error *err)
{
	int out_p[2] = { -1, -1 }, err_p[2] = { -1, -1 }, rep[2] = { -1, -1 };
	int rc, e = 0;
	ssize_t n;
	pid_t pid;

	memset(w, 0, sizeof(*w));
	w->pidfd = w->out_r = w->err_r = w->out_file = w->err_file = -1;
	w->status = -1;
	w->out_file = open(o->out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (w->out_file < 0)
		return ctprof_err(err, -errno, "%s: create: %s", o->out_path, strerror(errno));
	w->err_file = open(o->err_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (w->err_file < 0) {
		rc = ctprof_err(err, -errno, "%s: create: %s", o->err_path, strerror(errno));
		goto fail;
	}
	if (pipe2(out_p, O_CLOEXEC) < 0 || pipe2(err_p, O_CLOEXEC) < 0 ||
	    pipe2(rep, O_CLOEXEC) < 0) {
		rc = ctprof_err(err, -errno, "workload: pipe: %s", strerror(errno));
		goto fail;
	}
	pid = fork();
	if (pid < 0) {
		rc = ctprof_err(err, -errno, "workload: fork: %s", strerror(errno));
		goto fail;
	}
	if (pid == 0)
		child(o, out_p[1], err_p[1], rep[1]);
	w->pid = pid;
	w->start_ns = ctprof_mono_ns();
	close_fd(&out_p[1]);
	close_fd(&err_p[1]);
	close_fd(&rep[1]);
	w->out_r = out_p[0];
	w->err_r = err_p[0];
	fcntl(w->out_r, F_SETFL, O_NONBLOCK);
	fcntl(w->err_r, F_SETFL, O_NONBLOCK);
#ifdef SYS_pidfd_open
	w->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
#endif
	/* The report pipe closes at exec (CLOEXEC) or carries the errno. */
	do
		n = read(rep[0], &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	close_fd(&rep[0]);
	if (n == (ssize_t)sizeof(e)) {
		w->exec_errno = e < 0 ? -e : e;
		w->cgroup_failed = e < 0;
		rw_reap(w, 5000);
		if (e < 0)
			return ctprof_err(err, e, "workload: enter the workload cgroup: %s",
					  strerror(-e));
		return ctprof_err(err, -w->exec_errno, "%s: exec: %s", o->argv[0],
				  strerror(w->exec_errno));
	}
	w->passthrough_flag = o->passthrough;
	return 0;
fail:
	close_fd(&out_p[0]);
	close_fd(&out_p[1]);
	close_fd(&err_p[0]);
	close_fd(&err_p[1]);
	close_fd(&rep[0]);
	close_fd(&rep[1]);
	close_fd(&w->out_file);
	close_fd(&w->err_file);
	return rc;
}

/* Copy what one pipe has now; closes it at EOF. */
static void pump(struct rw *w, int *fd, int file, uint64_t *count)
{
	char buf[16384];

	while (*fd >= 0) {
		ssize_t n = read(*fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return; /* EAGAIN: nothing more now */
		if (n == 0) {
			close_fd(fd);
			return;
		}
		write_all(file, buf, (size_t)n);
		if (w->passthrough_flag)
			write_all(STDERR_FILENO, buf, (size_t)n);
		*count += (uint64_t)n;
	}
}

CTPROF_HIDDEN void rw_drain(struct rw *w)
{
	pump(w, &w->out_r, w->out_file, &w->out_bytes);
	pump(w, &w->err_r, w->err_file, &w->err_bytes);
}

/* Has the main process exited? (it stays a zombie: WNOWAIT) */
static bool main_exited(struct rw *w)
{
	siginfo_t si;

	if (w->exited)
		return true;
	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, (id_t)w->pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid) {
		w->exited = true;
		w->exit_ns = ctprof_mono_ns();
	}
	return w->exited;
}

CTPROF_HIDDEN int rw_wait_exit(struct rw *w, uint64_t deadline_ns, const volatile int *cancel)
{
	for (;;) {
		struct pollfd p[3];
		nfds_t n = 0;
		int timeout = 100;
		uint64_t now;

		rw_drain(w);
		if (main_exited(w))
			return 0;
		if (cancel && *cancel)
			return -ECANCELED;
		now = ctprof_mono_ns();
		if (deadline_ns && now >= deadline_ns)
			return -ETIMEDOUT;
		if (deadline_ns && (deadline_ns - now) / 1000000 < (uint64_t)timeout)
			timeout = (int)((deadline_ns - now) / 1000000) + 1;
		if (w->pidfd >= 0)
			p[n++] = (struct pollfd){ .fd = w->pidfd, .events = POLLIN };
		else
			timeout = timeout > 10 ? 10 : timeout;
		if (w->out_r >= 0)
			p[n++] = (struct pollfd){ .fd = w->out_r, .events = POLLIN };
		if (w->err_r >= 0)
			p[n++] = (struct pollfd){ .fd = w->err_r, .events = POLLIN };
		/* a signal (EINTR) ends the wait early: *cancel is checked above */
		(void)poll(p, n, timeout);
	}
}

CTPROF_HIDDEN int rw_reap(struct rw *w, unsigned timeout_ms)
{
	uint64_t end = ctprof_mono_ns() + (uint64_t)timeout_ms * 1000000ull;

	if (!w->pid || w->reaped)
		return 0;
	for (;;) {
		int st;
		pid_t r = wait4(w->pid, &st, WNOHANG, &w->ru);

		if (r == w->pid) {
			w->reaped = true;
			w->status = st;
			if (!w->exited) {
				w->exited = true;
				w->exit_ns = ctprof_mono_ns();
			}
			return 0;
		}
		if (r < 0 && errno != EINTR) {
			/* not our child any more (cannot happen unless reaped elsewhere) */
			w->reaped = true;
			return -errno;
		}
		rw_drain(w);
		if (ctprof_mono_ns() >= end)
			return -ETIMEDOUT;
		ctprof_sleep_ms(5);
	}
}

CTPROF_HIDDEN void rw_close(struct rw *w)
{
	rw_drain(w);
	close_fd(&w->pidfd);
	close_fd(&w->out_r);
	close_fd(&w->err_r);
	if (w->out_file >= 0)
		fsync(w->out_file);
	if (w->err_file >= 0)
		fsync(w->err_file);
	close_fd(&w->out_file);
	close_fd(&w->err_file);
}
