/* SPDX-License-Identifier: MIT */
/*
 * The per-thread read (spec §4.6.2): PTRACE_SEIZE, PTRACE_INTERRUPT, a
 * bounded wait for the stop, the thread pointer (PTRACE_GETREGSET), the
 * TLS address, one process_vm_readv, PTRACE_DETACH on every path.
 */
#include "probe_int.h"

#include <elf.h>
#include <errno.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>

#ifndef NT_ARM_TLS
#define NT_ARM_TLS 0x401
#endif
#ifndef PTRACE_EVENT_STOP
#define PTRACE_EVENT_STOP 128
#endif

static void sleep_us(long us)
{
	struct timespec ts = { .tv_sec = us / 1000000, .tv_nsec = (us % 1000000) * 1000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

CTPROF_API int ctprof_jemalloc_tls_addr(const struct ctprof_jemalloc_probe *p,
					uint64_t tp, uint64_t *addr)
{
	uint64_t a;

	if (!p || !addr)
		return -EINVAL;
#if defined(__aarch64__)
	{
		/* Variant I: tp + round_up(16, p_align) + st_value + off. */
		uint64_t al = p->tls_align ? p->tls_align : 1, tcb = 16, r = tcb % al;

		if (r)
			tcb += al - r;
		if (__builtin_add_overflow(tp, tcb, &a) ||
		    __builtin_add_overflow(a, p->tls_sym_value, &a) ||
		    __builtin_add_overflow(a, p->off_allocated, &a))
			return -ERANGE;
	}
#else
	/* Variant II: tp - tls_image_aligned_size + st_value + off. */
	if (__builtin_sub_overflow(tp, p->tls_image_aligned_size, &a) ||
	    __builtin_add_overflow(a, p->tls_sym_value, &a) ||
	    __builtin_add_overflow(a, p->off_allocated, &a))
		return -ERANGE;
#endif
	*addr = a;
	return 0;
}

static int thread_pointer(int tid, uint64_t *tp)
{
#if defined(__x86_64__)
	struct user_regs_struct regs;
	struct iovec iov = { &regs, sizeof(regs) };

	if (ptrace(PTRACE_GETREGSET, tid, (void *)(long)NT_PRSTATUS, &iov))
		return -errno;
	if (iov.iov_len < offsetof(struct user_regs_struct, fs_base) + sizeof(regs.fs_base))
		return -EIO;
	*tp = regs.fs_base;
	return 0;
#elif defined(__aarch64__)
	uint64_t v = 0;
	struct iovec iov = { &v, sizeof(v) };

	if (ptrace(PTRACE_GETREGSET, tid, (void *)(long)NT_ARM_TLS, &iov))
		return -errno;
	if (iov.iov_len < sizeof(v))
		return -EIO;
	*tp = v;
	return 0;
#else
	(void)tid;
	(void)tp;
	return -ENOTSUP;
#endif
}

/*
 * Detach; when the thread is not in a ptrace-stop yet (the interrupt is
 * still pending), PTRACE_DETACH fails with ESRCH: wait for the stop a
 * little longer and detach again, so that the thread is not left stopped
 * under a tracer that lives on.
 */
static void detach(int tid, bool stopped, int sig)
{
	long waited = 0;
	int st;

	if (ptrace(PTRACE_DETACH, tid, NULL, (void *)(long)sig) == 0 || errno != ESRCH || stopped)
		return;
	while (waited < CTPROF_PROBE_DETACH_WAIT_US) {
		pid_t r = waitpid(tid, &st, WNOHANG | __WALL);

		if (r < 0)
			return; /* gone, or no longer ours */
		if (r == tid) {
			if (!WIFSTOPPED(st))
				return;
			sig = (st >> 16) == 0 ? WSTOPSIG(st) : 0;
			if (ptrace(PTRACE_DETACH, tid, NULL, (void *)(long)sig) == 0 || errno != ESRCH)
				return;
		}
		sleep_us(CTPROF_PROBE_WAIT_STEP_US);
		waited += CTPROF_PROBE_WAIT_STEP_US;
	}
	ctprof_log(1, "ctprof probe: tid %d: could not detach (thread did not stop within %d ms)", tid,
		   CTPROF_PROBE_DETACH_WAIT_US / 1000);
}

#define FAIL(t, code, ...)                                    \
	do {                                                  \
		*tag = (t);                                   \
		rc = ctprof_err(err, (code), __VA_ARGS__);    \
		goto out;                                     \
	} while (0)

CTPROF_API int ctprof_jemalloc_probe_thread(const struct ctprof_jemalloc_probe *p, int tid,
					    uint64_t *allocated, uint64_t *deallocated,
					    enum ctprof_probe_tag *tag, struct ctprof_error *err)
{
	unsigned char buf[64];
	struct iovec local, remote;
	uint64_t tp = 0, addr, span, a = 0, d = 0;
	bool stopped = false;
	long waited = 0;
	int rc = 0, st = 0, sig = 0, e;
	ssize_t r;

	*tag = CTPROF_PROBE_OK;
	if (allocated)
		*allocated = 0;
	if (deallocated)
		*deallocated = 0;
	if (!p || tid <= 0 || p->off_deallocated <= p->off_allocated ||
	    p->off_deallocated - p->off_allocated > sizeof(buf) - 8)
		return ctprof_err(err, -EINVAL, "tid %d: probe: invalid arguments", tid);
	span = p->off_deallocated + 8 - p->off_allocated;
	/* 1. */
	if (ptrace(PTRACE_SEIZE, tid, NULL, NULL)) {
		e = errno;
		*tag = CTPROF_PROBE_PTRACE_SEIZE;
		return ctprof_err(err, -e, "tid %d: probe: PTRACE_SEIZE: %s", tid, strerror(e));
	}
	/* From here on, out: detaches. 2. */
	if (ptrace(PTRACE_INTERRUPT, tid, NULL, NULL))
		FAIL(CTPROF_PROBE_PTRACE_INTERRUPT, -errno, "tid %d: probe: PTRACE_INTERRUPT: %s", tid,
		     strerror(errno));
	/* 3. */
	for (;;) {
		pid_t w = waitpid(tid, &st, WNOHANG | __WALL);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			FAIL(CTPROF_PROBE_WAITPID, -errno, "tid %d: probe: waitpid: %s", tid,
			     strerror(errno));
		}
		if (w == tid) {
			if (!WIFSTOPPED(st))
				FAIL(CTPROF_PROBE_WAITPID, -ESRCH,
				     "tid %d: probe: waitpid: thread exited (status 0x%x)", tid, st);
			stopped = true;
			/* A signal-delivery-stop: give the signal back on detach. */
			if ((st >> 16) == 0)
				sig = WSTOPSIG(st);
			break;
		}
		if (waited >= CTPROF_PROBE_WAIT_MAX_US)
			FAIL(CTPROF_PROBE_WAITPID, -ETIMEDOUT, "tid %d: probe: waitpid: no stop within %d ms",
			     tid, CTPROF_PROBE_WAIT_MAX_US / 1000);
		sleep_us(CTPROF_PROBE_WAIT_STEP_US);
		waited += CTPROF_PROBE_WAIT_STEP_US;
	}
	/* 4. */
	rc = thread_pointer(tid, &tp);
	if (rc)
		FAIL(CTPROF_PROBE_GET_REGSET, rc, "tid %d: probe: PTRACE_GETREGSET: %s", tid,
		     strerror(-rc));
	/* 5. */
	if (ctprof_jemalloc_tls_addr(p, tp, &addr) ||
	    addr > UINT64_MAX - span)
		FAIL(CTPROF_PROBE_TLS_ARITHMETIC, -ERANGE,
		     "tid %d: probe: TLS address overflows (thread pointer 0x%llx)", tid,
		     (unsigned long long)tp);
	/* 6. */
	local.iov_base = buf;
	local.iov_len = (size_t)span;
	remote.iov_base = (void *)(uintptr_t)addr;
	remote.iov_len = (size_t)span;
	r = process_vm_readv(tid, &local, 1, &remote, 1, 0);
	if (r != (ssize_t)span)
		FAIL(CTPROF_PROBE_PROCESS_VM_READV, r < 0 ? -errno : -EIO,
		     "tid %d: probe: process_vm_readv of %llu bytes at 0x%llx: %s", tid,
		     (unsigned long long)span, (unsigned long long)addr,
		     r < 0 ? strerror(errno) : "short read");
	for (int i = 7; i >= 0; i--) {
		a = a << 8 | buf[i];
		d = d << 8 | buf[p->off_deallocated - p->off_allocated + (uint64_t)i];
	}
	if (allocated)
		*allocated = a;
	if (deallocated)
		*deallocated = d;
	rc = 0;
out:
	/* 7. */
	detach(tid, stopped, sig);
	return rc;
}
