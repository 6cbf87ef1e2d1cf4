/* SPDX-License-Identifier: MIT */
/*
 * Taskstats in live captures (needs root and a kernel with taskstats;
 * skipped otherwise): every walked tid is queried and tallied, the 34
 * fields and four flags are filled, a busy thread shows CPU delay, the
 * --no-taskstats option, EPERM without CAP_NET_ADMIN, the warning when the
 * netlink socket cannot be opened (socket() refused by a seccomp filter),
 * and `capture --enable-delayacct`: kernel.task_delayacct is 1 during the
 * capture and back to its previous value afterwards, also when SIGTERM or
 * SIGINT ends the capture; block I/O of a process started after enabling
 * shows in blkio_delay_count.
 *
 * Every test runs in its own forked process (CK_FORK is forced), so tests
 * may drop capabilities or install seccomp filters.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <ctprof/ctprof.h>

#include "testutil.h"

#define DELAYACCT "/proc/sys/kernel/task_delayacct"
/* Threads that may exit between their procfs read and their query. */
#define SLACK 8

/* ---- helpers ------------------------------------------------------------ */

static struct ctprof_snapshot *capture(struct ctprof_capture_opts o)
{
	struct ctprof_snapshot *s = NULL;
	struct ctprof_error err = { 0 };
	int rc = ctprof_capture(&o, &s, &err);

	ck_assert_msg(rc == 0, "capture: %d %s", rc, err.msg);
	return s;
}

static bool is_taskstats_field(const struct ctprof_field_desc *d)
{
	return d->pred == CTPROF_PRED_CPU_DELAY || d->pred == CTPROF_PRED_BLOCK_DELAY ||
	       d->pred == CTPROF_PRED_XACCT;
}

/* The 34 taskstats fields of t are all 0 and its four flags false. */
static void assert_taskstats_zero(const struct ctprof_thread *t)
{
	const struct ctprof_field_desc *f = ctprof_fields();
	size_t i, n = 0;

	for (i = 0; i < CTPROF_THREAD_NFIELDS; i++) {
		if (!is_taskstats_field(&f[i]))
			continue;
		n++;
		ck_assert_msg(*(const uint64_t *)ctprof_field_cptr(t, &f[i]) == 0, "%u: %s is not 0",
			      t->tid, f[i].name);
	}
	ck_assert_uint_eq(n, 34);
	ck_assert(!t->taskstats_measured && !t->cpu_delay_active && !t->delay_block_active &&
		  !t->xacct_active);
}

static uint64_t summary_total(const struct ctprof_taskstats_summary *ts)
{
	return ts->ok_count + ts->eperm_count + ts->esrch_count + ts->other_err_count;
}

/* Whole file without trailing blanks; NULL if unreadable (no ck_* here:
 * main uses it outside any test). */
static char *read_trim(const char *path)
{
	char *s = tu_read_file(path, NULL);
	size_t n;

	if (!s)
		return NULL;
	n = strlen(s);
	while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
		s[--n] = '\0';
	return s;
}

static void write_sysctl(const char *v)
{
	int fd = open(DELAYACCT, O_WRONLY);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, v, strlen(v)), (ssize_t)strlen(v));
	close(fd);
}

static bool sysctl_is(const char *want)
{
	char *v = read_trim(DELAYACCT);
	bool eq = v && strcmp(v, want) == 0;

	free(v);
	return eq;
}

/* Log lines of the library, collected. */
static char logbuf[1 << 16];
static size_t loglen;
static void collect_log(int level, const char *line, void *ctx)
{
	int n;

	(void)ctx;
	n = snprintf(logbuf + loglen, sizeof(logbuf) - loglen, "%d %s\n", level, line);
	if (n > 0 && (size_t)n < sizeof(logbuf) - loglen)
		loglen += (size_t)n;
}

static size_t count_substr(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

/* ---- child processes ------------------------------------------------------ */

static volatile unsigned long spin_sink;

static void *busy_thread(void *arg)
{
	int fd = *(int *)arg;
	uint32_t tid = (uint32_t)syscall(SYS_gettid);

	prctl(PR_SET_NAME, "ts-busy");
	if (write(fd, &tid, sizeof(tid)) != sizeof(tid))
		_exit(1);
	for (;;)
		spin_sink++;
	return NULL;
}

/* A child with a spinning thread and a sleeping main thread; *busy_tid gets
 * the spinning thread's tid. Killed with SIGKILL by the caller. */
static pid_t start_busy_child(uint32_t *busy_tid)
{
	int p[2];
	pid_t pid;

	ck_assert_int_eq(pipe(p), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		pthread_t th;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(p[0]);
		if (pthread_create(&th, NULL, busy_thread, &p[1]) != 0)
			_exit(1);
		for (;;)
			pause();
	}
	close(p[1]);
	ck_assert_int_eq(read(p[0], busy_tid, sizeof(*busy_tid)), (ssize_t)sizeof(*busy_tid));
	close(p[0]);
	return pid;
}

static void *idle_thread(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

/* A child with n idle threads (a capture of the host takes a while then). */
static pid_t start_idle_child(unsigned n)
{
	int p[2];
	pid_t pid;
	char c;

	ck_assert_int_eq(pipe(p), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		pthread_attr_t a;
		pthread_t th;
		unsigned i;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		pthread_attr_init(&a);
		pthread_attr_setstacksize(&a, 64 * 1024);
		for (i = 0; i < n; i++)
			if (pthread_create(&th, &a, idle_thread, NULL) != 0)
				_exit(1);
		if (write(p[1], "r", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(p[1]);
	ck_assert_int_eq(read(p[0], &c, 1), 1);
	close(p[0]);
	return pid;
}

static void reap(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* ---- taskstats in captures ------------------------------------------------ */

START_TEST(test_every_thread_queried)
{
	uint32_t busy;
	pid_t child = start_busy_child(&busy);
	/* enough threads for several spans, so that every worker queries */
	pid_t crowd = start_idle_child(1500);
	struct ctprof_snapshot *s;
	struct ctprof_taskstats_active a;
	const struct ctprof_thread *t;
	size_t i, measured = 0;
	unsigned jobs;

	usleep(200000); /* the spinning thread gets preempted a few times */
	for (jobs = 1; jobs <= 3; jobs++) {
		s = capture(CTPROF_CAPTURE_OPTS(.jobs = jobs));
		ck_assert_ptr_nonnull(s->taskstats_summary);
		ck_assert_ptr_nonnull(s->parse_summary);
		/* one query per walked tid, ghosts included */
		ck_assert_uint_eq(summary_total(s->taskstats_summary), s->parse_summary->tids_walked);
		ck_assert_uint_eq(s->taskstats_summary->eperm_count, 0);
		ck_assert_uint_eq(s->taskstats_summary->other_err_count, 0);
		ck_assert_uint_ge(s->taskstats_summary->ok_count + SLACK, s->n_threads);
		ctprof_taskstats_active_from(s->host->task_delayacct, s->host->config_task_xacct, &a);
		measured = 0;
		for (i = 0; i < s->n_threads; i++) {
			t = &s->threads[i];
			if (!t->taskstats_measured) {
				assert_taskstats_zero(t);
				continue;
			}
			measured++;
			ck_assert(t->cpu_delay_active == a.cpu_delay_active);
			ck_assert(t->delay_block_active == a.delay_block_active);
			ck_assert(t->xacct_active == a.xacct_active);
		}
		ck_assert_uint_ge(measured + SLACK, s->n_threads);
		ck_assert_uint_le(measured, s->taskstats_summary->ok_count);
		ck_assert_uint_gt(s->n_threads, 1500);

		t = tu_find_tid(s, busy);
		ck_assert_ptr_nonnull(t);
		ck_assert_str_eq(t->comm, "ts-busy");
		ck_assert(t->taskstats_measured);
		ck_assert_uint_gt(t->cpu_delay_count, 0);
		ck_assert_uint_gt(t->cpu_delay_total_ns, 0);
		ck_assert_uint_ge(t->cpu_delay_max_ns, t->cpu_delay_min_ns);
		if (s->host->config_task_xacct == CTPROF_XACCT_ON)
			ck_assert_uint_gt(t->hiwater_rss_bytes, 0);
		ctprof_snapshot_free(s);
	}

	/* one process: exactly its two threads, both answered */
	s = capture(CTPROF_CAPTURE_OPTS(.pid = child, .jobs = 2));
	ck_assert_uint_eq(s->n_threads, 2);
	ck_assert_uint_eq(s->taskstats_summary->ok_count, 2);
	ck_assert_uint_eq(summary_total(s->taskstats_summary), 2);
	ck_assert(s->threads[0].taskstats_measured && s->threads[1].taskstats_measured);
	ctprof_snapshot_free(s);
	reap(child);
	reap(crowd);
}
END_TEST

START_TEST(test_no_taskstats_and_synthetic)
{
	struct ctprof_snapshot *s;
	size_t i;

	s = capture(CTPROF_CAPTURE_OPTS(.no_taskstats = true));
	ck_assert_uint_gt(s->n_threads, 10);
	ck_assert_ptr_nonnull(s->taskstats_summary);
	ck_assert_uint_eq(summary_total(s->taskstats_summary), 0);
	for (i = 0; i < s->n_threads; i++)
		assert_taskstats_zero(&s->threads[i]);
	ctprof_snapshot_free(s);

	/* synthetic mode on the real /proc never queries */
	s = capture(CTPROF_CAPTURE_OPTS(.proc_root = "/proc", .mode = CTPROF_CAPTURE_SYNTHETIC));
	ck_assert_uint_gt(s->n_threads, 10);
	ck_assert_ptr_null(s->taskstats_summary);
	for (i = 0; i < s->n_threads; i++)
		assert_taskstats_zero(&s->threads[i]);
	ctprof_snapshot_free(s);
}
END_TEST

/* Without CAP_NET_ADMIN every query is refused: all EPERM, nothing filled. */
START_TEST(test_eperm_without_cap_net_admin)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];
	struct ctprof_snapshot *s;
	size_t i;

	ck_assert_int_eq(syscall(SYS_capget, &h, d), 0);
	d[CAP_NET_ADMIN / 32].effective &= ~(1u << (CAP_NET_ADMIN % 32));
	ck_assert_int_eq(syscall(SYS_capset, &h, d), 0);
	s = capture(CTPROF_CAPTURE_OPTS(.jobs = 2));
	ck_assert_uint_gt(s->n_threads, 10);
	ck_assert_uint_eq(s->taskstats_summary->ok_count, 0);
	ck_assert_uint_eq(s->taskstats_summary->eperm_count, s->parse_summary->tids_walked);
	ck_assert_uint_eq(summary_total(s->taskstats_summary), s->parse_summary->tids_walked);
	for (i = 0; i < s->n_threads; i++)
		assert_taskstats_zero(&s->threads[i]);
	ctprof_snapshot_free(s);
}
END_TEST

/* socket(AF_NETLINK, ...) fails with EAFNOSUPPORT from here on. */
static void refuse_netlink_sockets(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_socket, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_NETLINK, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EAFNOSUPPORT),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(f) / sizeof(f[0]), .filter = f };

	ck_assert_int_eq(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), 0);
	ck_assert_int_eq(prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog), 0);
	ck_assert_int_eq(socket(AF_NETLINK, SOCK_RAW, 16), -1);
	ck_assert_int_eq(errno, EAFNOSUPPORT);
}

START_TEST(test_open_failure_warns_once)
{
	struct ctprof_snapshot *s;
	size_t i;

	refuse_netlink_sockets();
	loglen = 0;
	logbuf[0] = '\0';
	ctprof_set_log(collect_log, NULL);
	s = capture(CTPROF_CAPTURE_OPTS(.jobs = 3));
	ctprof_set_log(NULL, NULL);
	ck_assert_uint_gt(s->n_threads, 10);
	ck_assert_ptr_nonnull(s->taskstats_summary);
	ck_assert_uint_eq(summary_total(s->taskstats_summary), 0);
	for (i = 0; i < s->n_threads; i++)
		assert_taskstats_zero(&s->threads[i]);
	/* one warning (level 1), naming what to fix */
	ck_assert_uint_eq(count_substr(logbuf, "ctprof taskstats: open failed"), 1);
	ck_assert_msg(strstr(logbuf, "1 ctprof taskstats: open failed (") != NULL, "%s", logbuf);
	ck_assert_ptr_nonnull(strstr(logbuf, "delay-accounting and memory-watermark fields will be zero. "
					     CTPROF_TASKSTATS_HINT "\n"));
	/* the rest of the capture is as usual */
	ck_assert_ptr_nonnull(strstr(logbuf, "2 ctprof parse: "));
	ck_assert_ptr_nonnull(s->host);
	ctprof_snapshot_free(s);

	/* --no-taskstats does not even try, so it does not warn */
	loglen = 0;
	logbuf[0] = '\0';
	ctprof_set_log(collect_log, NULL);
	s = capture(CTPROF_CAPTURE_OPTS(.no_taskstats = true));
	ctprof_set_log(NULL, NULL);
	ck_assert_ptr_null(strstr(logbuf, "ctprof taskstats"));
	ctprof_snapshot_free(s);
}
END_TEST

/* ---- --enable-delayacct ----------------------------------------------------- */

static char *saved_delayacct;

static void save_delayacct(void)
{
	free(saved_delayacct);
	saved_delayacct = read_trim(DELAYACCT);
}

static void restore_delayacct(void)
{
	if (saved_delayacct) {
		int fd = open(DELAYACCT, O_WRONLY);

		if (fd >= 0) {
			if (write(fd, saved_delayacct, strlen(saved_delayacct)) < 0)
				perror(DELAYACCT);
			close(fd);
		}
		free(saved_delayacct);
		saved_delayacct = NULL;
	}
}

/* Writes data, fdatasync, n times: block I/O on the disk under dir. */
static pid_t start_sync_writer(const char *dir, unsigned n, int *done_fd)
{
	int p[2];
	pid_t pid;

	ck_assert_int_eq(pipe(p), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		char *path = tu_path("%s/sync.dat", dir), buf[4096];
		int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
		unsigned i;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		prctl(PR_SET_NAME, "ts-syncw");
		if (fd < 0)
			_exit(1);
		memset(buf, 'x', sizeof(buf));
		for (i = 0; i < n; i++)
			if (pwrite(fd, buf, sizeof(buf), (off_t)(i % 64) * 4096) != sizeof(buf) ||
			    fdatasync(fd) != 0)
				_exit(1);
		if (write(p[1], "d", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(p[1]);
	*done_fd = p[0];
	return pid;
}

START_TEST(test_blkio_after_enable)
{
	/* the build tree is on a disk (a tmpfs /tmp has no block I/O) */
	char *dir = tu_path("%s/tests/ctprof-ts-blkio-%d", CTPROF_BUILD_DIR, (int)getpid());
	struct ctprof_delayacct_guard g = { 0 };
	struct ctprof_error err = { 0 };
	struct ctprof_snapshot *s;
	int done;
	char c;
	pid_t w;

	ck_assert_int_eq(mkdir(dir, 0700), 0);
	save_delayacct();
	write_sysctl("0");
	ck_assert_int_eq(ctprof_delayacct_enable(&g, NULL, &err), 0);
	ck_assert(g.changed);
	ck_assert(sysctl_is("1"));
	w = start_sync_writer(dir, 200, &done);
	ck_assert_int_eq(read(done, &c, 1), 1);
	s = capture(CTPROF_CAPTURE_OPTS(.pid = w));
	ck_assert_int_eq(ctprof_delayacct_restore(&g), 0);
	ck_assert(sysctl_is("0"));
	ck_assert_uint_eq(s->n_threads, 1);
	ck_assert_int_eq(s->host->task_delayacct, CTPROF_DELAYACCT_ON);
	ck_assert_str_eq(s->threads[0].comm, "ts-syncw");
	ck_assert(s->threads[0].taskstats_measured);
	ck_assert(s->threads[0].delay_block_active);
	ck_assert_uint_gt(s->threads[0].blkio_delay_count, 0);
	ck_assert_uint_gt(s->threads[0].blkio_delay_total_ns, 0);
	ck_assert_uint_ge(s->threads[0].blkio_delay_max_ns, s->threads[0].blkio_delay_min_ns);
	ctprof_snapshot_free(s);
	reap(w);
	close(done);
	restore_delayacct();
	tu_rmtree(dir);
	free(dir);
}
END_TEST

START_TEST(test_cli_enable_delayacct)
{
	char *dir = tu_mkdtemp("ts-cli"), *out = tu_path("%s/x.ctprof.zst", dir);
	char pidarg[16];
	char *argv[] = { (char *)tu_harness(), "capture", "--enable-delayacct", "--pid", pidarg,
			 "-o", out, NULL };
	char *bad1[] = { (char *)tu_harness(), "capture", "--enable-delayacct", "--synthetic", "-o",
			 out, NULL };
	char *bad2[] = { (char *)tu_harness(), "capture", "--enable-delayacct", "--no-taskstats",
			 "-o", out, NULL };
	char *nots[] = { (char *)tu_harness(), "capture", "--no-taskstats", "--pid", pidarg, "-o",
			 out, NULL };
	struct ctprof_snapshot *s = NULL;
	struct ctprof_error err = { 0 };
	char *se = NULL;
	uint32_t busy;
	pid_t child = start_busy_child(&busy);
	int rc;

	snprintf(pidarg, sizeof(pidarg), "%d", (int)child);
	save_delayacct();
	write_sysctl("0");
	rc = tu_run(argv, NULL, &se, 120);
	ck_assert_msg(rc == 0, "rc %d: %s", rc, se);
	ck_assert(sysctl_is("0"));
	ck_assert_msg(strstr(se, "kernel.task_delayacct set to 1 for this capture (was 0); only tasks "
				 "started after enabling have block-I/O") != NULL,
		      "%s", se);
	free(se);
	ck_assert_int_eq(ctprof_snapshot_load(out, &s, &err), 0);
	ck_assert_int_eq(s->host->task_delayacct, CTPROF_DELAYACCT_ON);
	ck_assert_uint_eq(s->n_threads, 2);
	ck_assert(s->threads[0].taskstats_measured && s->threads[0].delay_block_active);
	ck_assert_uint_eq(s->taskstats_summary->ok_count, 2);
	ctprof_snapshot_free(s);

	/* already on: left on, and said so */
	write_sysctl("1");
	rc = tu_run(argv, NULL, &se, 120);
	ck_assert_msg(rc == 0, "rc %d: %s", rc, se);
	ck_assert_ptr_nonnull(strstr(se, "kernel.task_delayacct is already 1; left as it is"));
	ck_assert(sysctl_is("1"));
	free(se);

	/* error exit: the file cannot be written; the value is back anyway */
	write_sysctl("0");
	argv[6] = "/nonexistent-dir/x.ctprof.zst";
	rc = tu_run(argv, NULL, &se, 120);
	ck_assert_int_eq(rc, 2);
	ck_assert(sysctl_is("0"));
	free(se);

	/* contradictions are usage errors, and nothing is changed */
	ck_assert_int_eq(tu_run(bad1, NULL, NULL, 60), 2);
	ck_assert_int_eq(tu_run(bad2, NULL, NULL, 60), 2);
	ck_assert(sysctl_is("0"));

	/* --no-taskstats through the CLI */
	rc = tu_run(nots, NULL, &se, 120);
	ck_assert_msg(rc == 0, "rc %d: %s", rc, se);
	free(se);
	ck_assert_int_eq(ctprof_snapshot_load(out, &s, &err), 0);
	ck_assert_uint_eq(s->n_threads, 2);
	ck_assert_uint_eq(summary_total(s->taskstats_summary), 0);
	assert_taskstats_zero(&s->threads[0]);
	ctprof_snapshot_free(s);

	restore_delayacct();
	reap(child);
	tu_rmtree(dir);
	free(dir);
	free(out);
}
END_TEST

/*
 * Run `capture --enable-delayacct` on a host with thousands of threads,
 * send sig as soon as the sysctl reads 1 (mid-capture), and check that the
 * harness died of sig and put the previous value back. Returns false when
 * the capture finished before the signal landed (the caller retries).
 */
static bool signal_mid_capture(int sig, const char *out)
{
	pid_t h;
	int st, i;

	write_sysctl("0");
	h = fork();
	ck_assert_int_ge(h, 0);
	if (h == 0) {
		sigset_t none;
		int null = open("/dev/null", O_RDWR);

		/* default dispositions, nothing blocked, whatever ctest gave us */
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		execl(tu_harness(), tu_harness(), "capture", "--enable-delayacct", "-o", out,
		      (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 20000 && !sysctl_is("1"); i++) {
		if (waitpid(h, &st, WNOHANG) == h)
			ck_abort_msg("harness ended before enabling: status %d", st);
		usleep(500);
	}
	ck_assert_msg(i < 20000, "kernel.task_delayacct never became 1");
	kill(h, sig);
	ck_assert_int_eq(waitpid(h, &st, 0), h);
	/* whichever way it ended, the previous value is back */
	ck_assert(sysctl_is("0"));
	if (WIFEXITED(st)) {
		ck_assert_int_eq(WEXITSTATUS(st), 0);
		return false;
	}
	ck_assert(WIFSIGNALED(st));
	ck_assert_int_eq(WTERMSIG(st), sig);
	return true;
}

START_TEST(test_cli_delayacct_restored_on_signal)
{
	static const int sigs[] = { SIGTERM, SIGINT };
	char *dir = tu_mkdtemp("ts-sig"), *out = tu_path("%s/x.ctprof.zst", dir);
	pid_t crowd = start_idle_child(6000);
	size_t k;

	save_delayacct();
	for (k = 0; k < 2; k++) {
		int tries = 0;

		while (!signal_mid_capture(sigs[k], out))
			ck_assert_msg(++tries < 5, "signal %d never arrived mid-capture", sigs[k]);
	}
	restore_delayacct();
	reap(crowd);
	tu_rmtree(dir);
	free(dir);
	free(out);
}
END_TEST

static Suite *ts_suite(void)
{
	Suite *s = suite_create("capture-taskstats");
	TCase *tc = tcase_create("taskstats");
	TCase *td = tcase_create("delayacct");

	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_every_thread_queried);
	tcase_add_test(tc, test_no_taskstats_and_synthetic);
	tcase_add_test(tc, test_eperm_without_cap_net_admin);
	tcase_add_test(tc, test_open_failure_warns_once);
	suite_add_tcase(s, tc);
	tcase_set_timeout(td, 300);
	tcase_add_test(td, test_blkio_after_enable);
	tcase_add_test(td, test_cli_enable_delayacct);
	tcase_add_test(td, test_cli_delayacct_restored_on_signal);
	suite_add_tcase(s, td);
	return s;
}

int main(void)
{
	struct ctprof_taskstats_client *c = NULL;
	SRunner *sr;
	int failed;

	if (geteuid() != 0) {
		fprintf(stderr, "check_capture_taskstats: needs root (CAP_NET_ADMIN, sysctl); skipped\n");
		return 77;
	}
	if (ctprof_taskstats_open(NULL, &c, NULL) != 0 || access(DELAYACCT, W_OK) != 0) {
		fprintf(stderr, "check_capture_taskstats: no taskstats or no %s; skipped\n", DELAYACCT);
		return 77;
	}
	ctprof_taskstats_close(c);
	/* A failed test exits at once: the value is put back here. */
	save_delayacct();
	sr = srunner_create(ts_suite());
	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	restore_delayacct();
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
