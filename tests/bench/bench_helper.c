/* SPDX-License-Identifier: MIT */
/*
 * Helper for scripts/bench (not a test):
 *
 *   ctprof-bench-helper idle-threads N
 *       Start N idle threads (small stacks, each blocked in read() on a
 *       pipe), print "ready PID N" on stdout once all exist, then wait
 *       until stdin reaches EOF or SIGTERM/SIGINT arrives, and exit.
 *
 *   ctprof-bench-helper time [--out FILE] -- CMD [ARGS...]
 *       Run CMD (stdout to FILE, default /dev/null; stderr kept), and print
 *       "WALL_SECONDS MAXRSS_KIB EXIT_STATUS" on stdout: the wall time from
 *       just before the spawn to the reaping of the child (CLOCK_MONOTONIC)
 *       and the child's peak RSS from wait4()'s rusage.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static int block_fd = -1;

static void *idle_thread(void *arg)
{
	char c;

	(void)arg;
	/* Blocks until the write end is closed at exit; never returns data. */
	while (read(block_fd, &c, 1) < 0 && errno == EINTR)
		;
	return NULL;
}

static int idle_threads(const char *arg)
{
	char *end;
	unsigned long n = strtoul(arg, &end, 10), i;
	pthread_attr_t attr;
	int pfd[2];
	sigset_t set;
	char c;

	if (*arg == '\0' || *end != '\0' || n > 1000000) {
		fprintf(stderr, "ctprof-bench-helper: idle-threads: bad count '%s'\n", arg);
		return 2;
	}
	if (pipe2(pfd, O_CLOEXEC) != 0) {
		perror("ctprof-bench-helper: pipe");
		return 1;
	}
	block_fd = pfd[0];
	/* Keep SIGTERM/SIGINT default (they end the process) in every thread. */
	sigemptyset(&set);
	pthread_sigmask(SIG_SETMASK, &set, NULL);
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	for (i = 0; i < n; i++) {
		pthread_t th;
		int rc = pthread_create(&th, &attr, idle_thread, NULL);

		if (rc != 0) {
			fprintf(stderr, "ctprof-bench-helper: thread %lu of %lu: %s\n", i + 1, n,
				strerror(rc));
			return 1;
		}
		pthread_detach(th);
	}
	pthread_attr_destroy(&attr);
	printf("ready %ld %lu\n", (long)getpid(), n);
	fflush(stdout);
	/* Wait for the driver to close our stdin (or kill us). */
	for (;;) {
		ssize_t r = read(STDIN_FILENO, &c, 1);

		if (r == 0 || (r < 0 && errno != EINTR))
			break;
	}
	_exit(0);
}

static int time_cmd(int argc, char **argv)
{
	const char *outpath = "/dev/null";
	posix_spawn_file_actions_t fa;
	struct timespec t0, t1;
	struct rusage ru;
	int i = 0, status, rc;
	pid_t pid;

	while (i < argc && strcmp(argv[i], "--") != 0) {
		if (strcmp(argv[i], "--out") == 0 && i + 1 < argc) {
			outpath = argv[i + 1];
			i += 2;
			continue;
		}
		fprintf(stderr, "ctprof-bench-helper: time: unexpected '%s'\n", argv[i]);
		return 2;
	}
	if (i + 1 >= argc) {
		fprintf(stderr, "ctprof-bench-helper: time: no command after --\n");
		return 2;
	}
	argv += i + 1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, outpath, O_WRONLY | O_CREAT | O_TRUNC,
					 0644);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0) {
		fprintf(stderr, "ctprof-bench-helper: time: %s: %s\n", argv[0], strerror(rc));
		return 1;
	}
	while (wait4(pid, &status, 0, &ru) < 0) {
		if (errno != EINTR) {
			perror("ctprof-bench-helper: wait4");
			return 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%.6f %ld %d\n",
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
	       ru.ru_maxrss, WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "idle-threads") == 0)
		return idle_threads(argv[2]);
	if (argc >= 2 && strcmp(argv[1], "time") == 0)
		return time_cmd(argc - 2, argv + 2);
	fprintf(stderr, "usage: ctprof-bench-helper idle-threads N\n"
			"       ctprof-bench-helper time [--out FILE] -- CMD [ARGS...]\n");
	return 2;
}
