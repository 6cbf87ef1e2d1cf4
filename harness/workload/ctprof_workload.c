/* SPDX-License-Identifier: MIT */
/*
 * ctprof-workload — the bundled default workload (issue 7): a ring of
 * named threads that compute (a hash loop), sleep, and hand work items to
 * the next thread through a mutex/condvar queue; plus, every ~250 ms, a
 * short-lived thread ("wl-burst") and a short-lived child process
 * ("wl-child") that compute ~20 ms and exit, so that threads and processes
 * that exit inside a measurement window exist. Documented by --help only.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>

#define PROG "ctprof-workload"
#define MAX_THREADS 256
#define MAX_SECONDS 86400.0
#define TICK_MS 250
#define BURST_CPU_MS 20
#define BURST_WALL_MS 500 /* a busy host may give the burst less CPU: bound it */
#define QUEUE_WAIT_MS 50
#define COMPUTE_ROUNDS 60000u
#define HANDOFF_ROUNDS 6000u

static volatile sig_atomic_t got_signal;
static atomic_bool stopping;
static atomic_ullong iterations, handoffs, sink;

struct worker {
	pthread_t tid;
	int index;
	bool compute; /* compute-heavy ("wl-compute-K") or handoff ("wl-handoff-K") */
	int kind_index;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	unsigned pending;      /* work items queued for this worker */
	struct worker *next;   /* the ring */
	bool started;
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: " PROG " [--seconds S] [--threads N] [--quiet]\n"
		"\n"
		"The bundled default workload of ctprof-harness: N threads in a ring\n"
		"compute a hash loop, sleep, and hand work items to the next thread\n"
		"through a mutex/condvar queue. Threads are named wl-compute-K and\n"
		"wl-handoff-K (alternating around the ring). Every ~250 ms a short-lived\n"
		"thread (wl-burst) and a short-lived child process (wl-child) compute\n"
		"~20 ms and exit, so that threads and processes exit inside the run.\n"
		"\n"
		"Options:\n"
		"  --seconds S   run for S seconds (default 3; decimals allowed, max 86400)\n"
		"  --threads N   ring threads, 1..256 (default 4)\n"
		"  --quiet       no summary line\n"
		"  -h, --help    this text\n"
		"\n"
		"At the end one summary line goes to stderr:\n"
		"  " PROG ": iterations=I handoffs=H bursts=B children=C seconds=S threads=N\n"
		"SIGTERM or SIGINT stops it early; it joins its threads, reaps its\n"
		"children and exits 0 either way. Exit status 2 for bad arguments,\n"
		"1 when a thread or process cannot be created.\n");
}

static void on_signal(int sig)
{
	(void)sig;
	got_signal = 1;
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static double cpu_ms(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* FNV-1a style mixing over a counter: pure CPU, no memory traffic. */
static uint64_t hash_rounds(uint64_t h, unsigned rounds)
{
	for (unsigned i = 0; i < rounds; i++) {
		h ^= (uint64_t)i;
		h *= 1099511628211ull;
		h ^= h >> 29;
	}
	return h;
}

static void sleep_us(long us)
{
	struct timespec ts = { .tv_sec = us / 1000000L, .tv_nsec = (us % 1000000L) * 1000L };

	nanosleep(&ts, NULL);
}

/* Compute until `ms` of CPU on clk, or the wall bound, or a stop. */
static uint64_t burn_ms(clockid_t clk, double ms)
{
	double start = cpu_ms(clk);
	uint64_t wall_end = mono_ms() + BURST_WALL_MS, h = 14695981039346656037ull;

	while (cpu_ms(clk) - start < ms && mono_ms() < wall_end && !got_signal &&
	       !atomic_load(&stopping))
		h = hash_rounds(h, 2000);
	return h;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	char name[16];
	uint64_t h = (uint64_t)w->index + 1;
	unsigned done = 0;

	/* a thread name: the kernel keeps 15 bytes anyway, truncation only shortens it */
	(void)snprintf(name, sizeof(name), "wl-%s-%d", w->compute ? "compute" : "handoff",
		       w->kind_index);
	prctl(PR_SET_NAME, name, 0, 0, 0);
	while (!atomic_load(&stopping)) {
		struct timespec until;
		bool have = false;

		/* Take one item from our queue (bounded wait, so a stop is seen). */
		pthread_mutex_lock(&w->lock);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += QUEUE_WAIT_MS * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		while (!w->pending && !atomic_load(&stopping)) {
			if (pthread_cond_timedwait(&w->cond, &w->lock, &until) == ETIMEDOUT)
				break;
		}
		if (w->pending) {
			w->pending--;
			have = true;
		}
		pthread_mutex_unlock(&w->lock);
		if (!have)
			continue;

		/* Work on it, now and then sleep, then hand it on. */
		h = hash_rounds(h, w->compute ? COMPUTE_ROUNDS : HANDOFF_ROUNDS);
		atomic_fetch_add(&iterations, 1);
		if (w->compute ? (++done % 4 == 0) : true)
			sleep_us(w->compute ? 2000 : 500);

		pthread_mutex_lock(&w->next->lock);
		w->next->pending++;
		pthread_cond_signal(&w->next->cond);
		pthread_mutex_unlock(&w->next->lock);
		atomic_fetch_add(&handoffs, 1);
	}
	atomic_fetch_xor(&sink, h);
	return NULL;
}

static void *burst_main(void *arg)
{
	(void)arg;
	prctl(PR_SET_NAME, "wl-burst", 0, 0, 0);
	atomic_fetch_xor(&sink, burn_ms(CLOCK_THREAD_CPUTIME_ID, BURST_CPU_MS));
	return NULL;
}

/* Parse a positive decimal (S may have a fraction); false when malformed. */
static bool parse_seconds(const char *s, double *out)
{
	char *end;
	double v;

	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		return false;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !(v > 0.0) || v > MAX_SECONDS)
		return false;
	*out = v;
	return true;
}

static bool parse_threads(const char *s, int *out)
{
	char *end;
	long v;

	if (!*s || *s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < 1 || v > MAX_THREADS)
		return false;
	*out = (int)v;
	return true;
}

/* "--name VALUE" or "--name=VALUE": the value, or NULL (no match). *bad when missing. */
static const char *opt_value(int argc, char **argv, int *i, const char *name, bool *bad)
{
	size_t n = strlen(name);
	const char *a = argv[*i];

	if (strncmp(a, name, n) != 0)
		return NULL;
	if (a[n] == '=')
		return a + n + 1;
	if (a[n] != '\0')
		return NULL;
	if (*i + 1 >= argc || !argv[*i + 1]) {
		*bad = true;
		return NULL;
	}
	return argv[++*i];
}

int main(int argc, char **argv)
{
	struct worker *ws;
	struct sigaction sa;
	sigset_t block, old;
	double seconds = 3.0;
	int threads = 4, i, rc = 0;
	bool quiet = false;
	unsigned long long bursts = 0, children = 0;
	uint64_t t0, deadline, next_tick;

	for (i = 1; i < argc; i++) {
		const char *v;
		bool bad = false;

		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		}
		if (strcmp(argv[i], "--quiet") == 0) {
			quiet = true;
			continue;
		}
		if ((v = opt_value(argc, argv, &i, "--seconds", &bad))) {
			if (!parse_seconds(v, &seconds)) {
				fprintf(stderr, PROG ": --seconds: bad value '%s' (a number > 0, at most 86400)\n", v);
				return 2;
			}
			continue;
		}
		if (bad) {
			fprintf(stderr, PROG ": --seconds needs a value (see --help)\n");
			return 2;
		}
		if ((v = opt_value(argc, argv, &i, "--threads", &bad))) {
			if (!parse_threads(v, &threads)) {
				fprintf(stderr, PROG ": --threads: bad value '%s' (1..%d)\n", v, MAX_THREADS);
				return 2;
			}
			continue;
		}
		if (bad) {
			fprintf(stderr, PROG ": --threads needs a value (see --help)\n");
			return 2;
		}
		fprintf(stderr, PROG ": unknown argument '%s' (see --help)\n", argv[i]);
		return 2;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; /* no SA_RESTART: the main thread's sleeps end at once */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	/* Only the main thread takes the signals. */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	pthread_sigmask(SIG_BLOCK, &block, &old);

	ws = calloc((size_t)threads, sizeof(*ws));
	if (!ws) {
		fprintf(stderr, PROG ": out of memory\n");
		return 1;
	}
	for (i = 0; i < threads; i++) {
		ws[i].index = i;
		ws[i].compute = i % 2 == 0;
		ws[i].kind_index = i / 2;
		ws[i].pending = 1; /* one item per thread circulates */
		ws[i].next = &ws[(i + 1) % threads];
		pthread_mutex_init(&ws[i].lock, NULL);
		pthread_cond_init(&ws[i].cond, NULL);
	}
	for (i = 0; i < threads; i++) {
		int e = pthread_create(&ws[i].tid, NULL, worker_main, &ws[i]);

		if (e) {
			fprintf(stderr, PROG ": create thread %d: %s\n", i, strerror(e));
			rc = 1;
			break;
		}
		ws[i].started = true;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);

	t0 = mono_ms();
	deadline = t0 + (uint64_t)(seconds * 1000.0 + 0.5);
	next_tick = t0;
	while (!rc && !got_signal && mono_ms() < deadline) {
		uint64_t now = mono_ms();
		pthread_t bt;
		pid_t child;
		bool burst_ok;
		int be;

		if (now < next_tick) {
			uint64_t until = next_tick < deadline ? next_tick : deadline;

			sleep_us((long)(until - now) * 1000L);
			continue;
		}
		next_tick += TICK_MS;
		/* A short-lived thread and a short-lived process, side by side. */
		pthread_sigmask(SIG_BLOCK, &block, &old);
		be = pthread_create(&bt, NULL, burst_main, NULL);
		burst_ok = be == 0;
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		child = fork();
		if (child == 0) {
			prctl(PR_SET_NAME, "wl-child", 0, 0, 0);
			burn_ms(CLOCK_PROCESS_CPUTIME_ID, BURST_CPU_MS);
			_exit(0);
		}
		if (burst_ok) {
			pthread_join(bt, NULL);
			bursts++;
		}
		if (child > 0) {
			int st;

			while (waitpid(child, &st, 0) < 0 && errno == EINTR)
				;
			if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
				children++;
		}
		if (child < 0) {
			fprintf(stderr, PROG ": fork: %s\n", strerror(errno));
			rc = 1;
		} else if (!burst_ok) {
			fprintf(stderr, PROG ": create burst thread: %s\n", strerror(be));
			rc = 1;
		}
	}

	atomic_store(&stopping, true);
	for (i = 0; i < threads; i++) {
		pthread_mutex_lock(&ws[i].lock);
		pthread_cond_broadcast(&ws[i].cond);
		pthread_mutex_unlock(&ws[i].lock);
	}
	for (i = 0; i < threads; i++)
		if (ws[i].started)
			pthread_join(ws[i].tid, NULL);
	for (i = 0; i < threads; i++) {
		pthread_mutex_destroy(&ws[i].lock);
		pthread_cond_destroy(&ws[i].cond);
	}
	free(ws);
	if (!quiet)
		fprintf(stderr, PROG ": iterations=%llu handoffs=%llu bursts=%llu children=%llu "
			"seconds=%.3f threads=%d\n",
			(unsigned long long)atomic_load(&iterations),
			(unsigned long long)atomic_load(&handoffs), bursts, children,
			(double)(mono_ms() - t0) / 1000.0, threads);
	return rc;
}
