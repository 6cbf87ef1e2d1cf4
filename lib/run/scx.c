/* SPDX-License-Identifier: MIT */
/*
 * The sched_ext swap state machine (DESIGN.md §7, kernel-interfaces.md §4):
 * spawn, attach, check, stop. See include/ctprof/run.h.
 *
 * The scheduler is watched with waitid(WEXITED | WNOHANG | WNOWAIT), which
 * sees an exit without reaping: the exited leader stays a zombie until
 * stop, so its pid (the process-group id) cannot be reused and the final
 * SIGKILL to the group can never hit an unrelated process group.
 */
#include "scx_int.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

extern char **environ;

#define DEF_ATTACH_MS 10000u
#define DEF_GRACE_MS 5000u
#define DEF_DISABLE_MS 5000u
#define DEF_POLL_MS 10u
#define DEF_TAIL 4096u
#define MAX_TAIL (CTPROF_SCX_DIAG_MAX / 2)
#define KILL_WAIT_MS 5000u /* after SIGKILL: a task in D state may take a while */

struct ctprof_scx {
	char *dir;      /* <sys_root>/kernel/sched_ext */
	char **argv;
	char *log_path;
	unsigned attach_ms, grace_ms, disable_ms, poll_ms;
	size_t tail_max;
	const volatile int *cancel;

	pid_t pid;
	int status;     /* waitpid() status once known, else -1 */
	bool spawned, exited, reaped, attached, stopped;
	uint64_t seq_before, seq_attached;
	char *ops;
	struct ctprof_scx_result stop_res;
};

static const char *const step_names[] = {
	[CTPROF_SCX_STEP_SPAWN] = "scheduler spawn",
	[CTPROF_SCX_STEP_ATTACH] = "scheduler attach",
	[CTPROF_SCX_STEP_CHECK] = "scheduler stayed attached",
	[CTPROF_SCX_STEP_STOP] = "scheduler stop",
};

static void res_begin(struct ctprof_scx_result *res, enum ctprof_scx_step step)
{
	res->step = step;
	res->name = step_names[step];
	res->ok = false;
	res->code = 0;
	res->diag[0] = '\0';
}

static void res_add(struct ctprof_scx_result *res, const char *fmt, ...) CTPROF_PRINTF(2, 3);
static void res_add(struct ctprof_scx_result *res, const char *fmt, ...)
{
	size_t len = strnlen(res->diag, sizeof(res->diag));
	va_list ap;

	if (len + 1 >= sizeof(res->diag))
		return;
	va_start(ap, fmt);
	(void)vsnprintf(res->diag + len, sizeof(res->diag) - len, fmt, ap);
	va_end(ap);
}

static int res_end(struct ctprof_scx_result *res, int code)
{
	res->ok = code == 0;
	res->code = code;
	return code;
}

/* Append "log tail (PATH):\n..." to the diagnostic. */
static void res_add_tail(struct ctprof_scx_result *res, const struct ctprof_scx *scx)
{
	char *tail = ctprof_scx_log_tail(scx->log_path, scx->tail_max);

	if (!tail) {
		res_add(res, "\nscheduler log %s: unreadable: %s", scx->log_path, strerror(errno));
		return;
	}
	if (!tail[0])
		res_add(res, "\nscheduler log %s: empty", scx->log_path);
	else
		res_add(res, "\nscheduler log %s (tail):\n%s", scx->log_path, tail);
	free(tail);
}

static void describe_status(int status, char *buf, size_t cap)
{
	if (status < 0)
		(void)snprintf(buf, cap, "exit status unknown (reaped elsewhere)");
	else if (WIFEXITED(status))
		(void)snprintf(buf, cap, "exited with status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		(void)snprintf(buf, cap, "killed by signal %d (%s)", WTERMSIG(status),
			       strsignal(WTERMSIG(status)));
	else
		(void)snprintf(buf, cap, "wait status 0x%x", (unsigned)status);
}

/* True once the scheduler has exited; does not reap it. */
static bool child_exited(struct ctprof_scx *scx)
{
	siginfo_t si;

	if (!scx->spawned || scx->exited)
		return true;
	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, (id_t)scx->pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0) {
		if (errno == EINTR)
			return false;
		/* ECHILD: reaped behind our back (SIGCHLD ignored?). */
		scx->exited = scx->reaped = true;
		return true;
	}
	if (si.si_pid != scx->pid)
		return false;
	scx->exited = true;
	if (si.si_code == CLD_EXITED)
		scx->status = (si.si_status & 0xff) << 8;
	else
		scx->status = si.si_status & 0x7f; /* killed or dumped */
	return true;
}

/* Kill what is left of the process group and reap the exited leader. */
static void reap(struct ctprof_scx *scx)
{
	int st;

	if (!scx->exited || scx->reaped)
		return;
	/* The zombie leader keeps the group id reserved. */
	kill(-scx->pid, SIGKILL);
	if (waitpid(scx->pid, &st, WNOHANG) == scx->pid)
		scx->status = st;
	scx->reaped = true;
}

/* Poll until the scheduler exited or ms passed; returns whether it did. */
static bool wait_exit(struct ctprof_scx *scx, unsigned ms)
{
	uint64_t deadline = ctprof_mono_ms() + ms;

	for (;;) {
		if (child_exited(scx))
			return true;
		if (ctprof_mono_ms() >= deadline)
			return false;
		ctprof_sleep_ms(scx->poll_ms);
	}
}

static void add_sysfs(struct ctprof_scx_result *res, const struct ctprof_scx_sysfs *s)
{
	if (!s->present)
		res_add(res, "sched_ext sysfs absent");
	else
		res_add(res, "state \"%s\", root/ops \"%s\", enable_seq %s%llu", s->state, s->ops,
			s->seq_valid ? "" : "unreadable/", (unsigned long long)s->enable_seq);
}

int ctprof_scx_new(const struct ctprof_scx_opts *opts, struct ctprof_scx **out,
		   struct ctprof_error *err)
{
	struct ctprof_scx *scx;
	const char *root;
	int rc;

	*out = NULL;
	if (!opts || opts->sz < sizeof(size_t))
		return ctprof_err(err, -EINVAL, "scheduler: options: missing or bad sz");
	if (opts->sz > sizeof(*opts))
		return ctprof_err(err, -EINVAL, "scheduler: options: sz %zu larger than known %zu",
				  opts->sz, sizeof(*opts));
	if (!opts->log_path || !opts->log_path[0])
		return ctprof_err(err, -EINVAL, "scheduler: options: no log path");
	if ((!opts->argv || !opts->argv[0]) && !opts->cmdline)
		return ctprof_err(err, -EINVAL, "scheduler: options: no command");
	scx = ctprof_calloc(1, sizeof(*scx));
	if (!scx)
		return ctprof_err(err, -ENOMEM, "scheduler: out of memory");
	scx->status = -1;
	root = opts->sys_root && opts->sys_root[0] ? opts->sys_root : "/sys";
	scx->dir = ctprof_malloc(strlen(root) + sizeof("/kernel/sched_ext"));
	scx->log_path = ctprof_strdup(opts->log_path);
	if (!scx->dir || !scx->log_path) {
		rc = ctprof_err(err, -ENOMEM, "scheduler: out of memory");
		goto fail;
	}
	strcpy(scx->dir, root);
	strcat(scx->dir, "/kernel/sched_ext");
	if (opts->argv && opts->argv[0]) {
		size_t n = 0;

		while (n < 4096 && opts->argv[n])
			n++;
		if (opts->argv[n]) {
			rc = ctprof_err(err, -E2BIG, "scheduler: argv: more than 4096 words");
			goto fail;
		}
		scx->argv = ctprof_calloc(n + 1, sizeof(char *));
		if (!scx->argv) {
			rc = ctprof_err(err, -ENOMEM, "scheduler: out of memory");
			goto fail;
		}
		for (size_t i = 0; i < n; i++) {
			scx->argv[i] = ctprof_strdup(opts->argv[i]);
			if (!scx->argv[i]) {
				rc = ctprof_err(err, -ENOMEM, "scheduler: out of memory");
				goto fail;
			}
		}
	} else {
		rc = ctprof_split_cmdline(opts->cmdline, &scx->argv, err);
		if (rc) {
			ctprof_err_prefix(err, "scheduler");
			goto fail;
		}
	}
#define OPT(field, def) \
	((offsetof(struct ctprof_scx_opts, field) + sizeof(opts->field) <= opts->sz && opts->field) \
		 ? opts->field : (def))
	scx->attach_ms = OPT(attach_timeout_ms, DEF_ATTACH_MS);
	scx->cancel = OPT(cancel, NULL);
	scx->grace_ms = OPT(stop_grace_ms, DEF_GRACE_MS);
	scx->disable_ms = OPT(disable_timeout_ms, DEF_DISABLE_MS);
	scx->poll_ms = OPT(poll_ms, DEF_POLL_MS);
	scx->tail_max = OPT(log_tail_max, DEF_TAIL);
#undef OPT
	if (scx->tail_max > MAX_TAIL)
		scx->tail_max = MAX_TAIL;
	*out = scx;
	return 0;
fail:
	ctprof_scx_free(scx);
	return rc;
}

int ctprof_scx_spawn(struct ctprof_scx *scx, struct ctprof_scx_result *res)
{
	struct ctprof_scx_sysfs s;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t mask, def;
	int fd, e;

	res_begin(res, CTPROF_SCX_STEP_SPAWN);
	if (scx->spawned) {
		res_add(res, "already spawned (pid %d)", (int)scx->pid);
		return res_end(res, -EALREADY);
	}
	ctprof_scx_read_sysfs(scx->dir, &s);
	if (!s.present) {
		res_add(res, "%s: sched_ext not present (kernel without CONFIG_SCHED_CLASS_EXT?)",
			scx->dir);
		return res_end(res, -ENOENT);
	}
	if (!strcmp(s.state, "enabled") || !strcmp(s.state, "enabling")) {
		res_add(res, "%s: another scheduler is loaded: ", scx->dir);
		add_sysfs(res, &s);
		return res_end(res, -EBUSY);
	}
	scx->seq_before = s.enable_seq;
	fd = open(scx->log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0644);
	if (fd < 0) {
		e = errno;
		res_add(res, "%s: open scheduler log: %s", scx->log_path, strerror(e));
		return res_end(res, -e);
	}
	e = posix_spawn_file_actions_init(&fa);
	if (e) {
		close(fd);
		res_add(res, "%s: spawn: %s", scx->argv[0], strerror(e));
		return res_end(res, -e);
	}
	e = posix_spawnattr_init(&attr);
	if (e) {
		posix_spawn_file_actions_destroy(&fa);
		close(fd);
		res_add(res, "%s: spawn: %s", scx->argv[0], strerror(e));
		return res_end(res, -e);
	}
	sigemptyset(&mask);
	sigfillset(&def);
	sigdelset(&def, SIGKILL);
	sigdelset(&def, SIGSTOP);
	e = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	if (!e)
		e = posix_spawn_file_actions_adddup2(&fa, fd, 1);
	if (!e)
		e = posix_spawn_file_actions_adddup2(&fa, fd, 2);
	if (!e)
		e = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
						     POSIX_SPAWN_SETSIGDEF);
	if (!e)
		e = posix_spawnattr_setpgroup(&attr, 0);
	if (!e)
		e = posix_spawnattr_setsigmask(&attr, &mask);
	if (!e)
		e = posix_spawnattr_setsigdefault(&attr, &def);
	if (!e)
		e = posix_spawnp(&scx->pid, scx->argv[0], &fa, &attr, scx->argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close(fd);
	if (e) {
		scx->pid = 0;
		res_add(res, "%s: spawn: %s", scx->argv[0], strerror(e));
		return res_end(res, -e);
	}
	scx->spawned = true;
	res_add(res, "%s: pid %d, log %s, enable_seq before %llu", scx->argv[0], (int)scx->pid,
		scx->log_path, (unsigned long long)scx->seq_before);
	return res_end(res, 0);
}

int ctprof_scx_attach(struct ctprof_scx *scx, struct ctprof_scx_result *res)
{
	struct ctprof_scx_sysfs s;
	uint64_t start = ctprof_mono_ms(), deadline = start + scx->attach_ms;
	char how[96];

	res_begin(res, CTPROF_SCX_STEP_ATTACH);
	if (!scx->spawned) {
		res_add(res, "scheduler not spawned");
		return res_end(res, -ESRCH);
	}
	if (scx->attached) {
		res_add(res, "ops \"%s\", enable_seq %llu -> %llu (already attached)", scx->ops,
			(unsigned long long)scx->seq_before, (unsigned long long)scx->seq_attached);
		return res_end(res, 0);
	}
	for (;;) {
		bool exited = child_exited(scx);

		ctprof_scx_read_sysfs(scx->dir, &s);
		if (s.present && !strcmp(s.state, "enabled") && s.ops[0] && s.seq_valid &&
		    s.enable_seq > scx->seq_before && !exited) {
			scx->ops = ctprof_strdup(s.ops);
			if (!scx->ops) {
				res_add(res, "out of memory");
				return res_end(res, -ENOMEM);
			}
			scx->seq_attached = s.enable_seq;
			scx->attached = true;
			res_add(res, "ops \"%s\", enable_seq %llu -> %llu, after %llu ms", s.ops,
				(unsigned long long)scx->seq_before,
				(unsigned long long)s.enable_seq,
				(unsigned long long)(ctprof_mono_ms() - start));
			return res_end(res, 0);
		}
		if (exited) {
			describe_status(scx->status, how, sizeof(how));
			res_add(res, "%s: scheduler %s before attaching (after %llu ms); ",
				scx->argv[0], how, (unsigned long long)(ctprof_mono_ms() - start));
			add_sysfs(res, &s);
			res_add_tail(res, scx);
			return res_end(res, -ECHILD);
		}
		if (scx->cancel && *scx->cancel) {
			res_add(res, "%s: attach wait interrupted by signal %d after %llu ms: ",
				scx->dir, *scx->cancel,
				(unsigned long long)(ctprof_mono_ms() - start));
			add_sysfs(res, &s);
			return res_end(res, -EINTR);
		}
		if (ctprof_mono_ms() >= deadline) {
			res_add(res, "%s: not attached within %u ms: ", scx->dir, scx->attach_ms);
			add_sysfs(res, &s);
			res_add(res, " (enable_seq before spawn %llu)",
				(unsigned long long)scx->seq_before);
			res_add_tail(res, scx);
			return res_end(res, s.present ? -ETIMEDOUT : -ENOENT);
		}
		ctprof_sleep_ms(scx->poll_ms);
	}
}

int ctprof_scx_check(struct ctprof_scx *scx, struct ctprof_scx_result *res)
{
	struct ctprof_scx_sysfs s;
	char how[96];
	bool exited;

	res_begin(res, CTPROF_SCX_STEP_CHECK);
	if (!scx->attached) {
		res_add(res, "scheduler never attached");
		return res_end(res, -ENOTCONN);
	}
	exited = child_exited(scx);
	ctprof_scx_read_sysfs(scx->dir, &s);
	if (exited) {
		describe_status(scx->status, how, sizeof(how));
		res_add(res, "scheduler \"%s\" (pid %d) %s mid-run; ", scx->ops, (int)scx->pid, how);
		add_sysfs(res, &s);
		res_add(res, " (attached at enable_seq %llu)", (unsigned long long)scx->seq_attached);
		res_add_tail(res, scx);
		return res_end(res, -ECHILD);
	}
	if (!s.present || strcmp(s.state, "enabled") != 0 || !s.seq_valid ||
	    s.enable_seq != scx->seq_attached) {
		res_add(res, "scheduler \"%s\" (pid %d) ejected mid-run: ", scx->ops, (int)scx->pid);
		add_sysfs(res, &s);
		res_add(res, " (attached at enable_seq %llu)", (unsigned long long)scx->seq_attached);
		res_add_tail(res, scx);
		return res_end(res, -ECANCELED);
	}
	res_add(res, "ops \"%s\", state enabled, enable_seq %llu, pid %d alive", scx->ops,
		(unsigned long long)s.enable_seq, (int)scx->pid);
	return res_end(res, 0);
}

static int do_stop(struct ctprof_scx *scx, struct ctprof_scx_result *res)
{
	struct ctprof_scx_sysfs s;
	uint64_t t0 = ctprof_mono_ms(), deadline;
	char how[96];
	bool was_exited;

	res_begin(res, CTPROF_SCX_STEP_STOP);
	if (!scx->spawned) {
		res_add(res, "scheduler was not started");
		return res_end(res, 0);
	}
	was_exited = child_exited(scx);
	if (was_exited) {
		res_add(res, "scheduler had already exited");
	} else {
		kill(scx->pid, SIGINT);
		if (wait_exit(scx, scx->grace_ms)) {
			res_add(res, "SIGINT to pid %d: exited after %llu ms", (int)scx->pid,
				(unsigned long long)(ctprof_mono_ms() - t0));
		} else {
			res_add(res, "SIGINT to pid %d: still running after %u ms; SIGKILL to process group %d",
				(int)scx->pid, scx->grace_ms, (int)scx->pid);
			kill(-scx->pid, SIGKILL);
			if (!wait_exit(scx, KILL_WAIT_MS)) {
				res_add(res, "; still not exited %u ms after SIGKILL", KILL_WAIT_MS);
				res_add_tail(res, scx);
				return res_end(res, -ETIMEDOUT);
			}
			res_add(res, "; exited after %llu ms", (unsigned long long)(ctprof_mono_ms() - t0));
		}
	}
	reap(scx);
	describe_status(scx->status, how, sizeof(how));
	res_add(res, " (%s)", how);
	deadline = ctprof_mono_ms() + scx->disable_ms;
	for (;;) {
		ctprof_scx_read_sysfs(scx->dir, &s);
		if (!s.present || !strcmp(s.state, "disabled"))
			break;
		if (ctprof_mono_ms() >= deadline) {
			res_add(res, "\n%s: not disabled within %u ms of the exit: ", scx->dir,
				scx->disable_ms);
			add_sysfs(res, &s);
			res_add_tail(res, scx);
			return res_end(res, -ETIMEDOUT);
		}
		ctprof_sleep_ms(scx->poll_ms);
	}
	if (s.present)
		res_add(res, "; state disabled");
	else
		res_add(res, "; sched_ext sysfs absent");
	return res_end(res, 0);
}

int ctprof_scx_stop(struct ctprof_scx *scx, struct ctprof_scx_result *res)
{
	if (!scx->stopped) {
		do_stop(scx, &scx->stop_res);
		scx->stopped = true;
	}
	if (res)
		memcpy(res, &scx->stop_res, sizeof(*res));
	return scx->stop_res.code;
}

void ctprof_scx_free(struct ctprof_scx *scx)
{
	if (!scx)
		return;
	if (scx->spawned) {
		ctprof_scx_stop(scx, NULL);
		if (!scx->reaped) {
			/* stop timed out even after SIGKILL: one last attempt. */
			kill(-scx->pid, SIGKILL);
			waitpid(scx->pid, NULL, WNOHANG);
		}
	}
	ctprof_argv_free(scx->argv);
	free(scx->dir);
	free(scx->log_path);
	free(scx->ops);
	free(scx);
}

int ctprof_scx_pid(const struct ctprof_scx *scx)
{
	return scx->spawned ? (int)scx->pid : 0;
}

const char *ctprof_scx_ops(const struct ctprof_scx *scx)
{
	return scx->attached ? scx->ops : NULL;
}

uint64_t ctprof_scx_seq_before(const struct ctprof_scx *scx)
{
	return scx->seq_before;
}

uint64_t ctprof_scx_seq_attached(const struct ctprof_scx *scx)
{
	return scx->seq_attached;
}

int ctprof_scx_wait_status(const struct ctprof_scx *scx)
{
	return scx->reaped ? scx->status : -1;
}

const char *ctprof_scx_log_path(const struct ctprof_scx *scx)
{
	return scx->log_path;
}
