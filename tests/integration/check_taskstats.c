/* SPDX-License-Identifier: MIT */
/*
 * Live taskstats, as root: children with known behaviour (a CPU-bound loop
 * sharing a CPU, a sleeping loop) move their counters the right way; every
 * tid on the host is queried; the exit listener receives a record for each
 * short-lived thread and process (and the per-tgid aggregate), with
 * plausible run times, and stops cleanly; kernel.task_delayacct is enabled
 * and restored, and a process started afterwards that does block I/O has
 * block-I/O delays.
 *
 * Exits 77 (skipped) when not root, without CONFIG_TASKSTATS, or without
 * CAP_NET_ADMIN.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <ctprof/ctprof.h>

#include "testutil.h"

static uint32_t gettid_(void)
{
	return (uint32_t)syscall(SYS_gettid);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Burn `ms` of this thread's CPU time. */
static void burn_ms(unsigned ms)
{
	struct timespec ts;
	double start;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	start = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	do {
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	} while ((double)ts.tv_sec + (double)ts.tv_nsec / 1e9 - start < ms / 1000.0);
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static pid_t spawn_spinner(int cpu)
{
	pid_t p = fork();

	ck_assert_int_ge(p, 0);
	if (p == 0) {
		volatile unsigned long x = 0;

		pin(cpu);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (;;)
			x++;
	}
	return p;
}

static pid_t spawn_sleeper(void)
{
	pid_t p = fork();

	ck_assert_int_ge(p, 0);
	if (p == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (;;)
			usleep(5000);
	}
	return p;
}

static void reap(pid_t p)
{
	kill(p, SIGKILL);
	waitpid(p, NULL, 0);
}

static struct ctprof_taskstats_client *open_client(void)
{
	struct ctprof_taskstats_client *c = NULL;
	struct ctprof_error e;

	memset(&e, 0, sizeof(e));
	ck_assert_msg(ctprof_taskstats_open(NULL, &c, &e) == 0, "%s", e.msg);
	return c;
}

START_TEST(test_busy_and_sleeping_children)
{
	struct ctprof_taskstats_client *c = open_client();
	struct ctprof_taskstats_result r0[2], r1[2];
	struct ctprof_taskstats_active a;
	struct ctprof_thread t;
	pid_t busy, rival, sleeper;
	uint32_t tids[2];
	const struct ctprof_taskstats *b0, *b1, *s0, *s1;

	busy = spawn_spinner(0);
	rival = spawn_spinner(0); /* shares CPU 0: the busy child waits on the runqueue */
	sleeper = spawn_sleeper();
	tids[0] = (uint32_t)busy;
	tids[1] = (uint32_t)sleeper;
	usleep(100000);
	ck_assert_int_eq(ctprof_taskstats_query_many(c, tids, 2, r0), 0);
	usleep(500000);
	/*
	 * At least 0.5 s, and until the busy child has run 100 ms: on a loaded
	 * machine (ctest -j) half of CPU 0 is not guaranteed (bounded: 10 s).
	 */
	for (int i = 0;; i++) {
		ck_assert_int_eq(ctprof_taskstats_query_many(c, tids, 2, r1), 0);
		if (i == 95 || r1[0].err ||
		    r1[0].stats.cpu_run_virtual_total_ns - r0[0].stats.cpu_run_virtual_total_ns >=
			    100000000u)
			break;
		usleep(100000);
	}
	reap(busy);
	reap(rival);
	reap(sleeper);
	ck_assert_int_eq(r0[0].err, 0);
	ck_assert_int_eq(r0[1].err, 0);
	ck_assert_int_eq(r1[0].err, 0);
	ck_assert_int_eq(r1[1].err, 0);
	b0 = &r0[0].stats;
	b1 = &r1[0].stats;
	s0 = &r0[1].stats;
	s1 = &r1[1].stats;
	ck_assert_uint_ge(b0->version, 1);
	ck_assert_uint_eq(b1->pid, (uint32_t)busy);
	ck_assert_uint_eq(s1->pid, (uint32_t)sleeper);
	/* busy: about half of CPU 0 for >= 0.5 s, preempted by its rival many times */
	ck_assert_uint_ge(b1->cpu_run_virtual_total_ns - b0->cpu_run_virtual_total_ns, 100000000u);
	ck_assert_uint_ge(b1->delay[CTPROF_TS_CPU].count - b0->delay[CTPROF_TS_CPU].count, 5);
	ck_assert_uint_gt(b1->delay[CTPROF_TS_CPU].total_ns, b0->delay[CTPROF_TS_CPU].total_ns);
	ck_assert_uint_gt(b1->nivcsw, b0->nivcsw);
	ck_assert_uint_le(b1->nvcsw - b0->nvcsw, 5);
	/* sleeper: ~100 wakeups, little CPU */
	ck_assert_uint_lt(s1->cpu_run_virtual_total_ns - s0->cpu_run_virtual_total_ns, 100000000u);
	ck_assert_uint_ge(s1->nvcsw - s0->nvcsw, 20);
	ck_assert_uint_ge(s1->delay[CTPROF_TS_CPU].count - s0->delay[CTPROF_TS_CPU].count, 20);
	/* the busy loop's run time grew more than the sleeper's */
	ck_assert_uint_gt(b1->cpu_run_virtual_total_ns - b0->cpu_run_virtual_total_ns,
			  s1->cpu_run_virtual_total_ns - s0->cpu_run_virtual_total_ns);

	/* applied to a thread */
	ctprof_taskstats_probe_active(&a);
	ck_assert_int_eq(ctprof_thread_init(&t), 0);
	ctprof_taskstats_apply(&t, b1, &a);
	ck_assert(t.taskstats_measured);
	ck_assert_uint_gt(t.cpu_delay_count, 0);
	ck_assert_uint_gt(t.cpu_delay_total_ns, 0);
	ck_assert_int_eq(t.cpu_delay_active, a.cpu_delay_active);
	if (b1->version >= 16)
		ck_assert_uint_ge(t.cpu_delay_max_ns, t.cpu_delay_min_ns);
	ck_assert_uint_gt(t.hiwater_rss_bytes, 0);
	ctprof_thread_clear(&t);
	ctprof_taskstats_close(c);
}
END_TEST

/* Every tid under /proc. */
static size_t all_tids(uint32_t **out)
{
	size_t n = 0, cap = 1024;
	uint32_t *v = malloc(cap * sizeof(*v));
	DIR *p = opendir("/proc");
	struct dirent *d;

	ck_assert_ptr_nonnull(v);
	ck_assert_ptr_nonnull(p);
	while ((d = readdir(p)) != NULL) {
		char path[300];
		DIR *t;
		struct dirent *e;

		if (d->d_name[0] < '1' || d->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/task", d->d_name);
		t = opendir(path);
		if (!t)
			continue;
		while ((e = readdir(t)) != NULL) {
			if (e->d_name[0] < '1' || e->d_name[0] > '9')
				continue;
			if (n == cap) {
				cap *= 2;
				v = realloc(v, cap * sizeof(*v));
				ck_assert_ptr_nonnull(v);
			}
			v[n++] = (uint32_t)strtoul(e->d_name, NULL, 10);
		}
		closedir(t);
	}
	closedir(p);
	*out = v;
	return n;
}

START_TEST(test_all_host_tids)
{
	struct ctprof_taskstats_client *c = open_client();
	struct ctprof_taskstats_client_stats st;
	struct ctprof_taskstats_summary s;
	struct ctprof_taskstats_result *r;
	struct ctprof_taskstats one;
	uint32_t *tids;
	size_t n = all_tids(&tids), i;

	ck_assert_uint_gt(n, 10);
	r = calloc(n, sizeof(*r));
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(ctprof_taskstats_query_many(c, tids, n, r), 0);
	memset(&s, 0, sizeof(s));
	for (i = 0; i < n; i++) {
		ctprof_taskstats_summary_add(&s, r[i].err);
		if (r[i].err == 0)
			ck_assert_uint_eq(r[i].stats.pid, tids[i]);
	}
	ck_assert_uint_eq(s.ok_count + s.esrch_count, n); /* only exited threads may fail */
	ck_assert_uint_eq(s.eperm_count, 0);
	ck_assert_uint_eq(s.other_err_count, 0);
	ck_assert_uint_ge(s.ok_count, n * 9 / 10);
	ctprof_taskstats_client_stats(c, &st);
	ck_assert_uint_eq(st.timeouts, 0);
	/* one round trip agrees with the pipelined answer on identity */
	ck_assert_int_eq(ctprof_taskstats_query(c, 1, &one), 0);
	ck_assert_uint_eq(one.pid, 1);
	for (i = 0; i < n; i++)
		if (tids[i] == 1)
			ck_assert_str_eq(one.comm, r[i].stats.comm);
	ck_assert_int_eq(ctprof_taskstats_query(c, 0x3fffffff, &one), -ESRCH);
	free(r);
	free(tids);
	ctprof_taskstats_close(c);
}
END_TEST

static unsigned count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	unsigned n = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/* start_time (field 22) of /proc/<pid>/stat. */
static uint64_t stat_start(pid_t pid)
{
	char path[64], *s, *p;
	uint64_t v = 0;
	int i;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	s = tu_read_file(path, NULL);
	ck_assert_ptr_nonnull(s);
	p = strrchr(s, ')');
	ck_assert_ptr_nonnull(p);
	p += 2; /* field 3 */
	for (i = 3; i < 22; i++) {
		p = strchr(p, ' ');
		ck_assert_ptr_nonnull(p);
		p++;
	}
	v = strtoull(p, NULL, 10);
	free(s);
	return v;
}

#define NTHR 3
#define NPROC 3

struct thr_arg {
	int i;
	uint32_t tid;
};

static void *thr_main(void *arg)
{
	struct thr_arg *a = arg;
	char name[16];

	snprintf(name, sizeof(name), "h6-thr%d", a->i);
	prctl(PR_SET_NAME, name);
	a->tid = gettid_();
	if (a->i == 0)
		burn_ms(60);
	return NULL;
}

static void *quick_thread(void *arg)
{
	(void)arg;
	return NULL;
}

/* A child that names itself, waits for the go byte, maybe burns CPU, exits. */
static pid_t spawn_exiter(int i, int *go_fd, bool threaded)
{
	int fds[2];
	pid_t p;

	ck_assert_int_eq(pipe(fds), 0);
	p = fork();
	ck_assert_int_ge(p, 0);
	if (p == 0) {
		char name[16], b;

		close(fds[1]);
		snprintf(name, sizeof(name), "h6-proc%d", i);
		prctl(PR_SET_NAME, name);
		if (read(fds[0], &b, 1) != 1)
			_exit(3);
		if (threaded) {
			pthread_t t;

			pthread_create(&t, NULL, quick_thread, NULL);
			pthread_join(t, NULL);
		}
		if (i == 0)
			burn_ms(60);
		_exit(0);
	}
	close(fds[0]);
	*go_fd = fds[1];
	return p;
}

static const struct ctprof_exit_record *find(const struct ctprof_exit_record *r, size_t n,
					     enum ctprof_exit_kind kind, uint32_t id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (r[i].kind == kind && r[i].id == id)
			return &r[i];
	return NULL;
}

START_TEST(test_exit_listener_background)
{
	struct ctprof_exit_listener_opts o = { .sz = sizeof(o), .background = true };
	struct ctprof_exit_listener_stats st;
	struct ctprof_exit_listener *l = NULL;
	struct ctprof_exit_record *recs = NULL;
	struct ctprof_error e;
	struct thr_arg ta[NTHR];
	pthread_t th[NTHR];
	pid_t pids[NPROC + 1];
	uint64_t starts[NPROC + 1];
	unsigned fds0 = count_fds();
	long hz = sysconf(_SC_CLK_TCK);
	size_t n, i;
	char name[16];

	memset(&e, 0, sizeof(e));
	ck_assert_msg(ctprof_exit_listener_open(&o, &l, &e) == 0, "%s", e.msg);
	ck_assert_int_eq(ctprof_exit_listener_fd(l), -1); /* background mode */
	for (i = 0; i < NTHR; i++) {
		ta[i].i = (int)i;
		ta[i].tid = 0;
		ck_assert_int_eq(pthread_create(&th[i], NULL, thr_main, &ta[i]), 0);
	}
	for (i = 0; i < NTHR; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i <= NPROC; i++) {
		int go;

		/* the last one is multi-threaded: it also yields a per-tgid aggregate */
		pids[i] = spawn_exiter((int)i, &go, i == NPROC);
		usleep(20000);
		starts[i] = stat_start(pids[i]);
		ck_assert_int_eq(write(go, "g", 1), 1);
		close(go);
		ck_assert_int_eq(waitpid(pids[i], NULL, 0), pids[i]);
	}
	ck_assert_int_eq(ctprof_exit_listener_stop(l), 0);
	ck_assert_int_eq(ctprof_exit_listener_stop(l), 0);
	ctprof_exit_listener_stats(l, &st);
	n = ctprof_exit_listener_take(l, &recs);
	ck_assert_uint_eq(n, st.task_records + st.tgid_records - st.dropped);
	ck_assert_uint_ge(st.task_records, NTHR + NPROC + 2);

	for (i = 0; i < NTHR; i++) {
		const struct ctprof_exit_record *r = find(recs, n, CTPROF_EXIT_TASK, ta[i].tid);

		ck_assert_msg(r != NULL, "no exit record for thread %u", ta[i].tid);
		snprintf(name, sizeof(name), "h6-thr%zu", i);
		ck_assert_str_eq(r->thread.comm, name);
		ck_assert_uint_eq(r->thread.tid, ta[i].tid);
		ck_assert_uint_eq(r->thread.tgid, (uint32_t)getpid());
		ck_assert_str_eq(r->thread.pcomm, ""); /* not the leader */
		ck_assert(r->thread.exited);
		ck_assert(r->thread.taskstats_measured);
		ck_assert(!r->group_dead);
		/* A task that exits inside its first slice has not had its run
		 * time folded into sum_exec_runtime yet: 0 is plausible there. */
		ck_assert_uint_ge(r->thread.timeslices, 1);
		ck_assert_uint_lt(r->thread.run_time_ns, 10000000000ull);
		if (i == 0) {
			ck_assert_uint_ge(r->thread.run_time_ns, 40000000u);
			/*
			 * utime/stime are raw tick samples (bacct_add_tsk uses
			 * task_cputime, not the adjusted split): a 60 ms burner
			 * that ran in short slices between ticks on a loaded
			 * machine can be charged 0 ticks. They can never exceed
			 * the thread's life, though: at most its elapsed time.
			 */
			ck_assert_uint_le((r->thread.utime_clock_ticks + r->thread.stime_clock_ticks) *
						  (1000000000u / (uint64_t)hz),
					  r->stats.etime_us * 1000u + 2000000000u / (uint64_t)hz);
		}
	}
	for (i = 0; i <= NPROC; i++) {
		const struct ctprof_exit_record *r = find(recs, n, CTPROF_EXIT_TASK, (uint32_t)pids[i]);
		int64_t d;

		ck_assert_msg(r != NULL, "no exit record for process %d", (int)pids[i]);
		snprintf(name, sizeof(name), "h6-proc%zu", i);
		ck_assert_str_eq(r->thread.comm, name);
		ck_assert_str_eq(r->thread.pcomm, name); /* a leader */
		ck_assert_uint_eq(r->thread.tgid, (uint32_t)pids[i]);
		ck_assert(r->group_dead);
		ck_assert_uint_ge(r->thread.timeslices, 1);
		ck_assert_uint_lt(r->thread.run_time_ns, 10000000000ull);
		if (i == 0)
			ck_assert_uint_ge(r->thread.run_time_ns, 40000000u);
		/* start time in /proc/<pid>/stat units, to the second */
		d = (int64_t)r->thread.start_time_clock_ticks - (int64_t)starts[i];
		ck_assert_msg(d >= -3 * hz && d <= 3 * hz, "start %llu vs stat %llu",
			      (unsigned long long)r->thread.start_time_clock_ticks,
			      (unsigned long long)starts[i]);
		ck_assert_str_eq(r->thread.policy, "SCHED_OTHER");
		ck_assert_uint_gt(r->thread.hiwater_rss_bytes, 0);
	}
	{
		const struct ctprof_exit_record *r = find(recs, n, CTPROF_EXIT_TGID,
							  (uint32_t)pids[NPROC]);

		ck_assert_msg(r != NULL, "no per-tgid aggregate for %d", (int)pids[NPROC]);
		ck_assert_uint_eq(r->thread.tgid, (uint32_t)pids[NPROC]);
		ck_assert_uint_gt(r->thread.run_time_ns, 0);
		ck_assert_uint_ge(r->thread.timeslices, 2); /* both threads ran */
	}
	ctprof_exit_records_free(recs, n);
	ctprof_exit_listener_free(l);
	ck_assert_uint_eq(count_fds(), fds0); /* socket and eventfd closed */
}
END_TEST

struct fg_seen {
	uint32_t want;
	bool got;
	uint64_t run;
};

static void fg_cb(const struct ctprof_exit_record *r, void *ctx)
{
	struct fg_seen *s = ctx;

	if (r->kind == CTPROF_EXIT_TASK && r->id == s->want) {
		s->got = true;
		s->run = r->thread.run_time_ns;
	}
}

START_TEST(test_exit_listener_foreground)
{
	struct ctprof_exit_listener_opts o = { .sz = sizeof(o) };
	struct ctprof_exit_listener *l = NULL;
	struct fg_seen seen = { 0 };
	struct ctprof_error e;
	unsigned fds0 = count_fds();
	double t0;
	pid_t p;

	o.on_record = fg_cb;
	o.ctx = &seen;
	memset(&e, 0, sizeof(e));
	ck_assert_msg(ctprof_exit_listener_open(&o, &l, &e) == 0, "%s", e.msg);
	ck_assert_int_ge(ctprof_exit_listener_fd(l), 0);
	p = fork();
	ck_assert_int_ge(p, 0);
	if (p == 0) {
		burn_ms(20);
		_exit(0);
	}
	seen.want = (uint32_t)p;
	waitpid(p, NULL, 0);
	t0 = now_s();
	while (!seen.got && now_s() - t0 < 5.0)
		ck_assert_int_ge(ctprof_exit_listener_drain(l, 200), 0);
	ck_assert(seen.got);
	ck_assert_uint_ge(seen.run, 10000000u);
	ck_assert_int_eq(ctprof_exit_listener_stop(l), 0);
	ck_assert_int_eq(ctprof_exit_listener_drain(l, 0), -EINVAL);
	ctprof_exit_listener_free(l);
	ck_assert_uint_eq(count_fds(), fds0);
}
END_TEST

START_TEST(test_delayacct_blkio)
{
	struct ctprof_delayacct_guard g;
	struct ctprof_taskstats_client *c = open_client();
	struct ctprof_taskstats_active a;
	struct ctprof_taskstats ts;
	struct ctprof_error e;
	char *dir = tu_mkdtemp("h6-blkio");
	char *file = tu_path("%s/data", dir);
	char *before = tu_read_file("/proc/sys/kernel/task_delayacct", NULL);
	char *during, *after;
	int fd, rc, qrc, ready[2], go[2];
	static char block[1 << 16];
	pid_t p;
	size_t i;
	char b;

	ck_assert_ptr_nonnull(before);
	/* 16 MiB on the root file system, flushed and dropped from the page cache */
	fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	memset(block, 0x5a, sizeof(block));
	for (i = 0; i < 256; i++)
		ck_assert_int_eq(write(fd, block, sizeof(block)), (ssize_t)sizeof(block));
	ck_assert_int_eq(fsync(fd), 0);
	posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	close(fd);

	memset(&g, 0, sizeof(g));
	memset(&e, 0, sizeof(e));
	rc = ctprof_delayacct_enable(&g, NULL, &e);
	/* From here on no assertion until restore: a failing check must not
	 * leave the host's sysctl changed. */
	during = tu_read_file("/proc/sys/kernel/task_delayacct", NULL);
	ctprof_taskstats_probe_active(&a);
	qrc = -1;
	memset(&ts, 0, sizeof(ts));
	if (rc == 0 && pipe(ready) == 0 && pipe(go) == 0) {
		p = fork();
		if (p == 0) {
			/* started after enabling: has the block-I/O accounting */
			int dfd = open(file, O_RDONLY | O_DIRECT);
			void *buf = NULL;
			off_t off;

			if (dfd < 0 || posix_memalign(&buf, 4096, 4096) != 0)
				_exit(2);
			for (off = 0; off < (off_t)(16 << 20); off += 65536)
				if (pread(dfd, buf, 4096, off) != 4096)
					_exit(3);
			if (write(ready[1], "r", 1) != 1 || read(go[0], &b, 1) != 1)
				_exit(4);
			_exit(0);
		}
		if (p > 0 && read(ready[0], &b, 1) == 1)
			qrc = ctprof_taskstats_query(c, (uint32_t)p, &ts);
		if (p > 0) {
			if (write(go[1], "g", 1) != 1)
				kill(p, SIGKILL);
			waitpid(p, NULL, 0);
		}
	}
	ck_assert_int_eq(ctprof_delayacct_restore(&g), 0);
	ck_assert_int_eq(ctprof_delayacct_restore(&g), 0);
	after = tu_read_file("/proc/sys/kernel/task_delayacct", NULL);

	ck_assert_msg(rc == 0, "%s", e.msg);
	ck_assert_str_eq(during, "1\n");
	ck_assert_str_eq(after, before);
	ck_assert_int_eq(a.delayacct, CTPROF_DELAYACCT_ON);
	ck_assert(a.delay_block_active);
	ck_assert_int_eq(qrc, 0);
	ck_assert_uint_gt(ts.delay[CTPROF_TS_BLKIO].count, 0);
	ck_assert_uint_gt(ts.delay[CTPROF_TS_BLKIO].total_ns, 0);
	ck_assert_uint_gt(ts.read_bytes, 0);
	free(before);
	free(during);
	free(after);
	tu_rmtree(dir);
	free(dir);
	free(file);
	ctprof_taskstats_close(c);
}
END_TEST

/* Exit 77 unless taskstats queries work here. */
static void require_taskstats(void)
{
	struct ctprof_taskstats_client *c = NULL;
	struct ctprof_taskstats ts;
	struct ctprof_error e;
	int rc;

	if (geteuid() != 0) {
		fprintf(stderr, "check_taskstats: skipped: needs root\n");
		exit(77);
	}
	memset(&e, 0, sizeof(e));
	if (ctprof_taskstats_open(NULL, &c, &e) != 0) {
		fprintf(stderr, "check_taskstats: skipped: %s\n", e.msg);
		exit(77);
	}
	rc = ctprof_taskstats_query(c, gettid_(), &ts);
	ctprof_taskstats_close(c);
	if (rc != 0) {
		fprintf(stderr, "check_taskstats: skipped: query of own tid: %s\n", strerror(-rc));
		exit(77);
	}
}

int main(void)
{
	Suite *s = suite_create("taskstats");
	TCase *tc = tcase_create("live");
	SRunner *sr;
	int failed;

	require_taskstats();
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_busy_and_sleeping_children);
	tcase_add_test(tc, test_all_host_tids);
	tcase_add_test(tc, test_exit_listener_background);
	tcase_add_test(tc, test_exit_listener_foreground);
	tcase_add_test(tc, test_delayacct_blkio);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
