/* SPDX-License-Identifier: MIT */
/*
 * The jemalloc end-to-end workload: N threads; thread k (1..N) mallocs
 * 100*k blocks of 4096 bytes (an exact jemalloc size class) and frees 40*k
 * of them, reads its own counters through mallctl("thread.allocated" /
 * "thread.deallocated"), prints "READY <tid> <k> <allocated> <deallocated>"
 * and waits until stdin reaches EOF. Printing uses write(2) on a stack
 * buffer so that the thread allocates nothing after reading its counters.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int mallctl(const char *name, void *oldp, size_t *oldlenp, void *newp, size_t newlen);

#define BLOCK 4096

static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t done;

static void *worker(void *arg)
{
	long k = (long)(intptr_t)arg;
	size_t n = 100 * (size_t)k, nfree = 40 * (size_t)k, len = sizeof(uint64_t);
	void **blocks = calloc(n, sizeof(*blocks)); /* counted too: freed below */
	uint64_t a = 0, d = 0;
	char line[128];
	int m;

	if (!blocks)
		abort();
	for (size_t i = 0; i < n; i++) {
		blocks[i] = malloc(BLOCK);
		if (!blocks[i])
			abort();
		memset(blocks[i], (int)i, BLOCK);
	}
	for (size_t i = 0; i < nfree; i++)
		free(blocks[i]);
	if (mallctl("thread.allocated", &a, &len, NULL, 0) ||
	    mallctl("thread.deallocated", &d, &len, NULL, 0))
		abort();
	m = snprintf(line, sizeof(line), "READY %ld %ld %llu %llu\n", (long)syscall(SYS_gettid), k,
		     (unsigned long long)a, (unsigned long long)d);
	pthread_mutex_lock(&out_lock);
	if (write(1, line, (size_t)m) != m)
		abort();
	pthread_mutex_unlock(&out_lock);
	pthread_barrier_wait(&done);
	return blocks;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 4;
	pthread_t th[64];
	char c;

	if (n < 1 || n > 64)
		return 2;
	pthread_barrier_init(&done, NULL, (unsigned)n + 1);
	for (int k = 1; k <= n; k++)
		if (pthread_create(&th[k - 1], NULL, worker, (void *)(intptr_t)k))
			return 1;
	while (read(0, &c, 1) > 0)
		;
	pthread_barrier_wait(&done);
	for (int k = 0; k < n; k++)
		pthread_join(th[k], NULL);
	return 0;
}
