/* SPDX-License-Identifier: MIT */
/*
 * fake-scx: a stand-in sched_ext scheduler for tests. It drives a synthetic
 * <sys-root>/kernel/sched_ext/ directory the way the kernel and a real
 * scheduler would:
 *
 *   attach: state "enabling" -> (--slow-attach MS) -> root/ops = --ops NAME,
 *           enable_seq + 1, state "enabled"
 *   SIGINT: state "disabling" -> root/ops removed -> "disabled", exit 0
 *
 * Options: --fail-attach (error on stderr, state back to "disabled", exit 2,
 * enable_seq untouched), --die-after MS (ejected: state to "disabled", an
 * exit dump on stderr, exit 1), --ignore-sigint, --max-life MS (safety net:
 * a fake never outlives this, default 120000; exits 3). The fake also dies
 * with the process that started it (PR_SET_PDEATHSIG).
 *
 * A real kernel disables the BPF scheduler when its process dies, however
 * it dies. Once attached, the fake forks a small "kernel" process (its own
 * session, so a SIGKILL to the scheduler's process group does not reach it)
 * that waits for the scheduler's end on a pipe and then writes "disabled"
 * if the scheduler did not; it announces itself on stderr as
 * "fake-scx: kernel pid N" so that tests can check it is gone too.
 *
 * Every file is written atomically (a temporary file, then rename()).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>

static volatile sig_atomic_t got_sigint;
static char dir[4096];
static char rootdir[4200];

static void on_sigint(int sig)
{
	(void)sig;
	got_sigint = 1;
}

static void die(const char *what)
{
	fprintf(stderr, "fake-scx: %s: %s\n", what, strerror(errno));
	exit(99);
}

static void write_atomic(const char *d, const char *name, const char *val)
{
	char tmp[4400], path[4400];
	size_t len = strlen(val);
	int fd;

	snprintf(tmp, sizeof(tmp), "%s/.%s.tmp.%d", d, name, (int)getpid());
	snprintf(path, sizeof(path), "%s/%s", d, name);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		die(tmp);
	if (write(fd, val, len) != (ssize_t)len || write(fd, "\n", 1) != 1)
		die(tmp);
	if (close(fd) < 0)
		die(tmp);
	if (rename(tmp, path) < 0)
		die(path);
}

static void read_attr(const char *name, char *buf, size_t cap)
{
	char path[4400];
	ssize_t n;
	int fd;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, buf, cap - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
}

static void set_state(const char *s)
{
	write_atomic(dir, "state", s);
}

static void disable(void)
{
	char path[4400];

	set_state("disabling");
	snprintf(path, sizeof(path), "%s/ops", rootdir);
	unlink(path);
	rmdir(rootdir);
	set_state("disabled");
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Sleep up to ms, returning early on SIGINT. */
static void nap(unsigned long ms)
{
	uint64_t end = mono_ms() + ms;

	while (!got_sigint && mono_ms() < end) {
		struct timespec ts = { 0, 5 * 1000000L };

		nanosleep(&ts, NULL);
	}
}

static unsigned long num(const char *opt, const char *s)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s ? s : "", &end, 10);
	if (!s || !*s || *end || errno) {
		fprintf(stderr, "fake-scx: %s: bad number '%s'\n", opt, s ? s : "");
		exit(98);
	}
	return v;
}

/* The "kernel": waits for the scheduler to go, then makes sure it is disabled. */
static void start_kernel(int *wfd)
{
	int p[2];
	pid_t pid;
	char c;

	if (pipe(p) < 0)
		die("pipe");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		int nul = open("/dev/null", O_RDWR);

		close(p[1]);
		setsid();
		signal(SIGINT, SIG_IGN);
		alarm(300);
		if (nul >= 0) {
			dup2(nul, 0);
			dup2(nul, 1);
			dup2(nul, 2);
		}
		while (read(p[0], &c, 1) < 0 && errno == EINTR)
			;
		{
			char st[64];

			read_attr("state", st, sizeof(st));
			if (strcmp(st, "disabled"))
				disable();
		}
		_exit(0);
	}
	close(p[0]);
	*wfd = p[1];
	fprintf(stderr, "fake-scx: kernel pid %d\n", (int)pid);
}

int main(int argc, char **argv)
{
	const char *sys_root = NULL, *ops = "fake";
	unsigned long slow = 0, die_after = 0, max_life = 120000;
	bool fail_attach = false, ignore_sigint = false;
	struct sigaction sa;
	char buf[64];
	uint64_t seq = 0, start = mono_ms();
	int kfd = -1;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--sys-root") && i + 1 < argc)
			sys_root = argv[++i];
		else if (!strcmp(a, "--ops") && i + 1 < argc)
			ops = argv[++i];
		else if (!strcmp(a, "--fail-attach"))
			fail_attach = true;
		else if (!strcmp(a, "--slow-attach"))
			slow = num(a, i + 1 < argc ? argv[++i] : NULL);
		else if (!strcmp(a, "--die-after"))
			die_after = num(a, i + 1 < argc ? argv[++i] : NULL);
		else if (!strcmp(a, "--max-life"))
			max_life = num(a, i + 1 < argc ? argv[++i] : NULL);
		else if (!strcmp(a, "--ignore-sigint"))
			ignore_sigint = true;
		else {
			fprintf(stderr,
				"usage: fake-scx --sys-root DIR [--ops NAME] [--fail-attach] "
				"[--slow-attach MS] [--die-after MS] [--ignore-sigint] [--max-life MS]\n");
			return 98;
		}
	}
	if (!sys_root) {
		fprintf(stderr, "fake-scx: --sys-root is required\n");
		return 98;
	}
	/* A test that dies (a failed assertion) takes its fake with it. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	setvbuf(stdout, NULL, _IONBF, 0);
	snprintf(dir, sizeof(dir), "%s/kernel/sched_ext", sys_root);
	snprintf(rootdir, sizeof(rootdir), "%s/root", dir);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = ignore_sigint ? SIG_IGN : on_sigint;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) < 0)
		die("sigaction");

	read_attr("enable_seq", buf, sizeof(buf));
	seq = strtoull(buf, NULL, 10);
	set_state("enabling");
	printf("fake-scx: loading \"%s\"\n", ops);
	if (fail_attach) {
		set_state("disabled");
		fprintf(stderr, "fake-scx: failed to attach \"%s\": ops.init() returned -22 (Invalid argument)\n",
			ops);
		return 2;
	}
	nap(slow);
	if (got_sigint) {
		disable();
		printf("fake-scx: interrupted while attaching\n");
		return 0;
	}
	if (mkdir(rootdir, 0755) < 0 && errno != EEXIST)
		die(rootdir);
	write_atomic(rootdir, "ops", ops);
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)(seq + 1));
	write_atomic(dir, "enable_seq", buf);
	set_state("enabled");
	start_kernel(&kfd);
	printf("fake-scx: attached \"%s\", enable_seq %s\n", ops, buf);

	for (;;) {
		uint64_t now = mono_ms();
		unsigned long left = max_life > now - start ? max_life - (unsigned long)(now - start) : 1;

		if (die_after && die_after < left)
			left = die_after > now - start ? die_after - (unsigned long)(now - start) : 1;
		nap(left);
		if (got_sigint) {
			disable();
			printf("fake-scx: unregistered \"%s\" on SIGINT\n", ops);
			return 0;
		}
		now = mono_ms();
		if (die_after && now - start >= die_after) {
			disable();
			fprintf(stderr,
				"DEBUG DUMP\n"
				"================================================================================\n"
				"fake-scx[%d] triggered exit kind 1026:\n"
				"  runnable task stall (kworker/0:1[42] failed to run for 30.000s)\n"
				"\n"
				"EXIT: runnable task stall (exit kind 1026)\n",
				(int)getpid());
			return 1;
		}
		if (now - start >= max_life) {
			disable();
			fprintf(stderr, "fake-scx: --max-life %lu ms reached\n", max_life);
			return 3;
		}
	}
}
