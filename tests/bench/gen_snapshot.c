/* SPDX-License-Identifier: MIT */
/*
 * ctprof-gen-snapshot: write a large synthetic snapshot for the compare
 * benchmark (scripts/bench-compare; not a test).
 *
 *   ctprof-gen-snapshot --threads N [--cgroups C] [--seed S] [--candidate] -o FILE
 *
 * The host looks like a busy server: kernel threads under / (kworker/N:M,
 * ksoftirqd/N, ...), systemd services, user sessions and Kubernetes pods
 * (pod UIDs and 64-hex container ids) spread over C cgroups, processes with
 * realistic thread names full of digit and hex patterns (pool-3-thread-17,
 * tokio-runtime-worker, GC Thread#4, postgres: worker 12, ...). Every field
 * of every thread is filled, leaders carry smaps_rollup, every cgroup has
 * cpu/memory/pids stats with a memory.stat map. The same seed gives the
 * same baseline; --candidate gives the matching later snapshot: counters
 * grown, a few processes gone and new ones started (with new tids), and
 * some pods recreated under new pod and container ids.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ctprof/ctprof.h>

static uint64_t rng_state;

static uint64_t rnd(void)
{
	uint64_t x = rng_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	rng_state = x;
	return x;
}

static uint64_t rr(uint64_t lo, uint64_t hi)
{
	return lo + rnd() % (hi - lo + 1);
}

static void die(const char *what)
{
	fprintf(stderr, "ctprof-gen-snapshot: %s: %s\n", what, strerror(errno ? errno : ENOMEM));
	exit(2);
}

static char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		die("strdup");
	return p;
}

/* printf's %d for up to two ints in a template (the templates are data). */
static void subst(char *out, size_t size, const char *tmpl, int a, int b)
{
	size_t o = 0;
	int used = 0;

	for (; *tmpl && o + 12 < size; tmpl++) {
		if (tmpl[0] == '%' && tmpl[1] == 'd') {
			o += (size_t)snprintf(out + o, size - o, "%d", used++ ? b : a);
			tmpl++;
		} else {
			out[o++] = *tmpl;
		}
	}
	out[o] = '\0';
}

static void hex(char *out, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++)
		out[i] = digits[rnd() % 16];
	out[n] = '\0';
}

/* A process template: its name and how its threads are named. */
struct proc_kind {
	const char *pcomm;
	const char *const *thread_fmt; /* printf formats taking one int */
	int n_fmt;
	int min_threads, max_threads;
	int cg_class; /* 0 service, 1 user session, 2 pod */
	bool jemalloc;
};

static const char *const f_java[] = { "java", "C2 CompilerThread%d", "GC Thread#%d",
				      "pool-3-thread-%d", "ForkJoinPool-1-worker-%d",
				      "VM Periodic Task Thread" };
static const char *const f_tokio[] = { "api-server", "tokio-runtime-worker", "tokio-runtime-w",
				       "blocking-%d" };
static const char *const f_nginx[] = { "nginx", "nginx-worker-%d" };
static const char *const f_pg[] = { "postgres", "postgres: worker %d", "postgres: walwriter",
				    "postgres: autovacuum" };
static const char *const f_py[] = { "python3", "ThreadPoolExecutor-0_%d", "asyncio_%d" };
static const char *const f_chrome[] = { "chrome", "Chrome_ChildIOT", "ThreadPoolForeg",
					"CompositorTileW%d" };
static const char *const f_envoy[] = { "envoy", "wrk:worker_%d", "dog:main", "GrpcGoogClient" };
static const char *const f_redis[] = { "redis-server", "bio_close_file", "io_thd_%d" };
static const char *const f_bash[] = { "bash" };
static const char *const f_sshd[] = { "sshd" };

static const struct proc_kind kinds[] = {
	{ "java", f_java, 6, 20, 80, 2, false },
	{ "api-server", f_tokio, 4, 8, 40, 2, true },
	{ "nginx", f_nginx, 2, 4, 17, 0, false },
	{ "postgres", f_pg, 4, 1, 1, 0, false },
	{ "python3", f_py, 3, 2, 20, 2, false },
	{ "chrome", f_chrome, 4, 10, 30, 1, false },
	{ "envoy", f_envoy, 4, 6, 24, 2, true },
	{ "redis-server", f_redis, 3, 4, 6, 0, true },
	{ "bash", f_bash, 1, 1, 1, 1, false },
	{ "sshd", f_sshd, 1, 1, 1, 0, false },
};
#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

struct gen {
	struct ctprof_snapshot *s;
	size_t cap;
	char **cgroups;
	size_t n_cg;
	uint32_t next_tid;
	bool candidate;
	uint64_t scale; /* counters grow by this factor (per mille) in the candidate */
};

static struct ctprof_thread *add_thread(struct gen *g)
{
	struct ctprof_thread *t;

	if (g->s->n_threads == g->cap) {
		size_t nc = g->cap ? g->cap * 2 : 1024;

		t = realloc(g->s->threads, nc * sizeof(*t));
		if (!t)
			die("realloc");
		g->s->threads = t;
		g->cap = nc;
	}
	t = &g->s->threads[g->s->n_threads++];
	if (ctprof_thread_init(t) < 0)
		die("thread init");
	return t;
}

static void set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = xstrdup(v);
}

/* Fill every metric with plausible values; `age` grows them for the candidate. */
static void fill(struct gen *g, struct ctprof_thread *t, bool kernel, bool leader, uint64_t busy)
{
	const struct ctprof_field_desc *f = ctprof_fields();
	uint64_t grow = g->candidate ? g->scale : 1000;
	size_t i, ncpu = kernel ? 1 : rr(4, 64);
	static const char *const states = "SSSSSSRDI";
	static const char *const pol[] = { "SCHED_OTHER", "SCHED_OTHER", "SCHED_OTHER",
					   "SCHED_FIFO", "SCHED_BATCH" };

	for (i = 0; i < CTPROF_THREAD_NFIELDS; i++) {
		uint64_t *p;

		if (f[i].ftype != CTPROF_FT_U64 || f[i].fkind == CTPROF_FK_ID)
			continue;
		p = ctprof_field_ptr(t, &f[i]);
		switch (f[i].fkind) {
		case CTPROF_FK_NS:
			*p = rr(busy / 4, busy) * grow / 1000;
			break;
		case CTPROF_FK_COUNT:
			*p = rr(0, busy / 100000 + 10) * grow / 1000;
			break;
		case CTPROF_FK_TICKS:
			*p = rr(0, busy / 10000000 + 2) * grow / 1000;
			break;
		case CTPROF_FK_BYTES:
			*p = rr(0, busy * 4) * grow / 1000;
			break;
		case CTPROF_FK_PEAK:
			*p = rr(1000, busy / 1000 + 2000);
			break;
		case CTPROF_FK_GAUGE:
			*p = rr(0, 3000000);
			break;
		default:
			break;
		}
	}
	t->nr_threads = 0;
	t->policy = (free(t->policy), xstrdup(pol[rnd() % 5]));
	t->nice = kernel ? -20 + (int32_t)(rnd() % 2) * 20 : (int32_t)rr(0, 5);
	t->priority = t->nice + 20;
	t->rt_priority = strcmp(t->policy, "SCHED_FIFO") == 0 ? (uint32_t)rr(1, 99) : 0;
	t->processor = (int32_t)rr(0, 63);
	t->state = states[rnd() % 9];
	t->ext_enabled = rnd() % 8 == 0;
	free(t->cpu_affinity.cpus);
	t->cpu_affinity.cpus = malloc(ncpu * sizeof(uint32_t));
	if (!t->cpu_affinity.cpus)
		die("malloc");
	for (i = 0; i < ncpu; i++)
		t->cpu_affinity.cpus[i] = kernel ? (uint32_t)t->processor : (uint32_t)i;
	t->cpu_affinity.n = ncpu;
	t->taskstats_measured = rnd() % 16 != 0;
	t->cpu_delay_active = t->taskstats_measured;
	t->delay_block_active = t->taskstats_measured && rnd() % 4 != 0;
	t->xacct_active = t->taskstats_measured;
	t->jemalloc_measured = false;
	if (leader && !kernel) {
		ctprof_kvmap_set(&t->smaps_rollup_kib, "Rss", rr(1000, 4000000));
		ctprof_kvmap_set(&t->smaps_rollup_kib, "Pss", rr(1000, 3000000));
		ctprof_kvmap_set(&t->smaps_rollup_kib, "Pss_Anon", rr(1000, 2000000));
		ctprof_kvmap_set(&t->smaps_rollup_kib, "Private_Dirty", rr(100, 1000000));
		ctprof_kvmap_set(&t->smaps_rollup_kib, "Shared_Clean", rr(100, 100000));
		ctprof_kvmap_set(&t->smaps_rollup_kib, "Swap", rr(0, 1000));
	}
}

static void kernel_threads(struct gen *g, size_t n)
{
	static const char *const fmt[] = { "kworker/%d:%d", "kworker/%d:%dH-events_highpri",
					   "kworker/u%d:%d-events_unbound", "ksoftirqd/%d",
					   "migration/%d", "rcuop/%d", "irq/%d-nvme0q%d",
					   "kworker/%d:%d+events" };
	size_t i;

	for (i = 0; i < n; i++) {
		struct ctprof_thread *t = add_thread(g);
		const char *f = fmt[rnd() % 8];
		char name[64];

		subst(name, sizeof(name), f, (int)rr(0, 63), (int)rr(0, 9));
		t->tid = t->tgid = g->next_tid++;
		set_str(&t->pcomm, name);
		set_str(&t->comm, name);
		set_str(&t->cgroup, "/");
		t->start_time_clock_ticks = rr(1, 1000);
		fill(g, t, true, true, rr(1000000, 100000000));
	}
}

static void make_cgroups(struct gen *g, size_t n, uint64_t seed_pods)
{
	static const char *const svc[] = { "nginx", "postgresql", "redis", "sshd", "cron", "docker",
					   "containerd", "kubelet", "systemd-journald", "chronyd" };
	size_t i;
	char path[512], uid[40], cid[80];
	uint64_t save = rng_state;

	g->cgroups = calloc(n, sizeof(*g->cgroups));
	if (!g->cgroups)
		die("calloc");
	for (i = 0; i < n; i++) {
		int kind = i < 30 ? 0 : i < 50 ? 1 : 2;

		if (kind == 0) {
			snprintf(path, sizeof(path), "/system.slice/%s%s.service", svc[i % 10],
				 i < 10 ? "" : i < 20 ? "@1" : "-extra");
		} else if (kind == 1) {
			snprintf(path, sizeof(path), "/user.slice/user-%zu.slice/session-%zu.scope",
				 1000 + i % 5, i);
		} else {
			/* pods: the candidate recreates every fifth pod with new ids */
			rng_state = seed_pods * 7919 + i * 104729 + (g->candidate && i % 5 == 0 ? 1 : 0);
			hex(uid, 8);
			hex(cid, 64);
			snprintf(path, sizeof(path),
				 "/kubepods.slice/kubepods-burstable.slice/"
				 "kubepods-burstable-pod%s_%04zx_4b2c.slice/cri-containerd-%s.scope",
				 uid, i, cid);
		}
		g->cgroups[i] = xstrdup(path);
	}
	rng_state = save;
	g->n_cg = n;
}

static int cmp_path(const void *a, const void *b)
{
	return strcmp(((const struct ctprof_cgroup_entry *)a)->path,
		      ((const struct ctprof_cgroup_entry *)b)->path);
}

static void cgroup_stats(struct gen *g)
{
	static const char *const keys[] = { "anon", "file", "kernel", "kernel_stack", "pagetables",
					    "percpu", "sock", "shmem", "file_mapped", "file_dirty",
					    "active_anon", "inactive_anon", "active_file",
					    "inactive_file", "slab", "pgfault", "pgmajfault",
					    "workingset_refault_anon", "pgscan", "pgsteal" };
	size_t i, k;

	g->s->cgroups = calloc(g->n_cg + 1, sizeof(*g->s->cgroups));
	if (!g->s->cgroups)
		die("calloc");
	for (i = 0; i < g->n_cg; i++) {
		struct ctprof_cgroup_entry *e = &g->s->cgroups[i];
		uint64_t grow = g->candidate ? g->scale : 1000;

		e->path = xstrdup(g->cgroups[i]);
		ctprof_cgroup_stats_init(&e->stats);
		e->stats.cpu.usage_usec = rr(1000000, 100000000) * grow / 1000;
		e->stats.cpu.nr_throttled = rr(0, 100);
		e->stats.memory.current = rr(1 << 20, 1ull << 33);
		e->stats.memory.max = (struct ctprof_opt_u64){ i % 3 == 0, 1ull << 34 };
		e->stats.pids.current = (struct ctprof_opt_u64){ true, rr(1, 200) };
		e->stats.cpu.weight = (struct ctprof_opt_u64){ true, 100 };
		for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
			ctprof_kvmap_set(&e->stats.memory.stat, keys[k], rr(0, 1ull << 30));
		ctprof_kvmap_set(&e->stats.memory.events, "low", 0);
		ctprof_kvmap_set(&e->stats.memory.events, "high", rr(0, 5));
		ctprof_kvmap_set(&e->stats.memory.events, "oom", 0);
		e->stats.psi.cpu.some.avg10 = (uint16_t)rr(0, 500);
		e->stats.psi.cpu.some.total_usec = rr(0, 1000000000);
		e->stats.psi.memory.some.total_usec = rr(0, 100000000);
		e->stats.psi.io.some.total_usec = rr(0, 100000000);
	}
	g->s->n_cgroups = g->n_cg;
	qsort(g->s->cgroups, g->n_cg, sizeof(*g->s->cgroups), cmp_path);
}

static void processes(struct gen *g, size_t target)
{
	uint32_t pid_base = 10000;
	size_t p = 0;

	while (g->s->n_threads < target) {
		const struct proc_kind *k = &kinds[p % NKINDS];
		size_t n = (size_t)rr((uint64_t)k->min_threads, (uint64_t)k->max_threads), i;
		size_t cg = k->cg_class == 0 ? p % 30 : k->cg_class == 1 ? 30 + p % 20
										  : 50 + p % (g->n_cg - 50);
		/* the candidate replaces every 23rd process: same names, new pids */
		bool replaced = g->candidate && p % 23 == 7;
		uint32_t tgid = pid_base + (uint32_t)p * 100 + (replaced ? 50 : 0);
		uint64_t start = replaced ? 5000000 + p : 2000 + p * 3;

		if (n > target - g->s->n_threads)
			n = target - g->s->n_threads;
		for (i = 0; i < n; i++) {
			struct ctprof_thread *t = add_thread(g);
			const char *f = i == 0 || k->n_fmt == 1
						? k->thread_fmt[0]
						: k->thread_fmt[1 + rnd() % (uint64_t)(k->n_fmt - 1)];
			char name[64];

			subst(name, sizeof(name), f, (int)i, 0);
			t->tid = tgid + (uint32_t)i;
			t->tgid = tgid;
			set_str(&t->pcomm, k->pcomm);
			set_str(&t->comm, name);
			set_str(&t->cgroup, g->cgroups[cg]);
			t->start_time_clock_ticks = start + i;
			fill(g, t, false, i == 0, rr(10000000, 10000000000ull));
			if (i == 0)
				t->nr_threads = n;
			t->jemalloc_measured = k->jemalloc;
			if (k->jemalloc) {
				t->allocated_bytes = rr(1 << 20, 1ull << 32);
				t->deallocated_bytes = t->allocated_bytes - rr(0, t->allocated_bytes / 2);
			}
		}
		p++;
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "threads", required_argument, NULL, 't' },
		{ "cgroups", required_argument, NULL, 'c' },
		{ "seed", required_argument, NULL, 's' },
		{ "candidate", no_argument, NULL, 'b' },
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	struct gen g = { 0 };
	struct ctprof_error err = { 0 };
	size_t threads = 10000, ncg = 200, nk;
	uint64_t seed = 1;
	const char *out = NULL;
	int opt;

	while ((opt = getopt_long(argc, argv, "t:c:s:bo:", opts, NULL)) != -1) {
		switch (opt) {
		case 't':
			threads = strtoull(optarg, NULL, 10);
			break;
		case 'c':
			ncg = strtoull(optarg, NULL, 10);
			break;
		case 's':
			seed = strtoull(optarg, NULL, 10);
			break;
		case 'b':
			g.candidate = true;
			break;
		case 'o':
			out = optarg;
			break;
		default:
			fprintf(stderr, "usage: ctprof-gen-snapshot --threads N [--cgroups C] "
					"[--seed S] [--candidate] -o FILE\n");
			return 2;
		}
	}
	if (!out || threads < 100 || ncg < 60) {
		fprintf(stderr, "ctprof-gen-snapshot: need -o FILE, --threads >= 100, --cgroups >= 60\n");
		return 2;
	}
	rng_state = seed * 2654435761u + 1;
	g.scale = 1150;
	g.next_tid = 2;
	g.s = ctprof_snapshot_new();
	if (!g.s)
		die("snapshot");
	g.s->captured_at_unix_ns = 1700000000000000000ull + (g.candidate ? 60000000000ull : 0);
	make_cgroups(&g, ncg, seed);
	nk = threads / 20;
	kernel_threads(&g, nk);
	/* the candidate draws different counter noise from the same structure */
	if (g.candidate)
		rng_state ^= 0x9e3779b97f4a7c15ull;
	processes(&g, threads);
	cgroup_stats(&g);
	g.s->psi.cpu.some = (struct ctprof_psi_half){ 120, 80, 60, 1000000000 };
	g.s->psi.io.some = (struct ctprof_psi_half){ 10, 5, 3, 200000000 };
	if (ctprof_snapshot_write(g.s, out, &err) < 0) {
		fprintf(stderr, "ctprof-gen-snapshot: %s\n", err.msg);
		return 2;
	}
	printf("%s: %zu threads, %zu cgroups\n", out, g.s->n_threads, g.s->n_cgroups);
	for (nk = 0; nk < g.n_cg; nk++)
		free(g.cgroups[nk]);
	free(g.cgroups);
	ctprof_snapshot_free(g.s);
	return 0;
}
