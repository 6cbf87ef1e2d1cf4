/* SPDX-License-Identifier: MIT */
/*
 * The snapshot codec: exact JSON text, round trips with extreme values,
 * ktstr's golden synthetic snapshot, both schema variants, integer
 * literal rules, shape errors with JSON paths, malformed files.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include <zstd.h>

#include <ctprof/snapshot.h>

#include "testutil.h"

#define PSI_HALF0 "{\"avg10\":0,\"avg60\":0,\"avg300\":0,\"total_usec\":0}"
#define PSI_RES0 "{\"some\":" PSI_HALF0 ",\"full\":" PSI_HALF0 "}"
#define PSI0 "{\"cpu\":" PSI_RES0 ",\"memory\":" PSI_RES0 ",\"io\":" PSI_RES0 ",\"irq\":" PSI_RES0 "}"
#define CG_DEFAULT                                                                              \
	"{\"cpu\":{\"usage_usec\":0,\"nr_throttled\":0,\"throttled_usec\":0,\"max_quota_us\":null," \
	"\"max_period_us\":100000,\"weight\":null,\"weight_nice\":null},"                          \
	"\"memory\":{\"current\":0,\"max\":null,\"high\":null,\"low\":null,\"min\":null,"          \
	"\"stat\":{},\"events\":{}},\"pids\":{\"current\":null,\"max\":null},\"psi\":" PSI0 "}"

/* A whole document around a threads array and cgroup_stats object. */
static char *doc(const char *threads, const char *cgroups)
{
	return tu_path("{\"captured_at_unix_ns\":1,\"host\":null,\"threads\":[%s],\"cgroup_stats\":{%s},"
		       "\"probe_summary\":null,\"parse_summary\":null,\"taskstats_summary\":null,"
		       "\"psi\":" PSI0 ",\"sched_ext\":null}",
		       threads, cgroups);
}

static struct ctprof_snapshot *parse_ok(const char *json)
{
	struct ctprof_snapshot *s = NULL;
	struct ctprof_error err = { 0 };
	int rc = ctprof_snapshot_from_json(json, strlen(json), "t.json", &s, &err);

	if (rc)
		fail_msg("unexpected error %d: %s", rc, err.msg);
	assert_non_null(s);
	return s;
}

/* Parse must fail with -EBADMSG and exactly this message. */
static void parse_fails(const char *json, const char *msg)
{
	struct ctprof_snapshot *s = NULL;
	struct ctprof_error err = { 0 };
	int rc = ctprof_snapshot_from_json(json, strlen(json), "t.json", &s, &err);

	assert_int_equal(rc, -EBADMSG);
	assert_int_equal(err.code, -EBADMSG);
	assert_null(s);
	assert_string_equal(err.msg, msg);
}

static char *to_json(const struct ctprof_snapshot *s, size_t *len)
{
	struct ctprof_error err = { 0 };
	char *j = NULL;
	size_t l = 0;

	assert_int_equal(ctprof_snapshot_to_json(s, &j, &l, &err), 0);
	assert_non_null(j);
	assert_int_equal(strlen(j), l);
	if (len)
		*len = l;
	return j;
}

/* ---- exact text of a small snapshot ---- */

static void set_str(char **p, const char *v)
{
	free(*p);
	*p = strdup(v);
	assert_non_null(*p);
}

static void test_expected_text(void **state)
{
	struct ctprof_snapshot *s = ctprof_snapshot_new();
	struct ctprof_host *h = calloc(1, sizeof(*h));
	struct ctprof_thread *t = calloc(1, sizeof(*t));
	struct ctprof_cgroup_entry *cg = calloc(1, sizeof(*cg));
	char *j;
	static const char expected[] =
		"{\"captured_at_unix_ns\":5,"
		"\"host\":{\"cpu_model\":\"x\\\"y\",\"total_memory_kib\":1024,"
		"\"sched_tunables\":{\"sched_a\":\"1\",\"sched_b\":\"\"},"
		"\"cpufreq_governor\":{\"0\":\"performance\",\"2\":\"powersave\",\"10\":\"schedutil\"},"
		"\"kernel_name\":\"Linux\",\"task_delayacct\":\"runtime_off\","
		"\"heap_state\":{\"narenas\":4}},"
		"\"threads\":[{\"tid\":1,\"tgid\":1,\"pcomm\":\"p\","
		"\"comm\":\"a\\\"b\\\\c\\u0001\\u001f\\b\\f\\n\\r\\t\x7f/\xc3\xa9\","
		"\"cgroup\":\"/a\",\"start_time_clock_ticks\":0,\"policy\":\"SCHED_EXT\",\"nice\":-20,"
		"\"cpu_affinity\":[0,5],\"processor\":0,\"state\":\"S\",\"ext_enabled\":true,"
		"\"run_time_ns\":18446744073709551615,\"wait_time_ns\":0,\"timeslices\":0,"
		"\"voluntary_csw\":0,\"nonvoluntary_csw\":0,\"nr_wakeups\":0,\"nr_wakeups_local\":0,"
		"\"nr_wakeups_remote\":0,\"nr_wakeups_sync\":0,\"nr_wakeups_migrate\":0,"
		"\"nr_wakeups_affine\":0,\"nr_wakeups_affine_attempts\":0,\"nr_migrations\":0,"
		"\"nr_forced_migrations\":0,\"nr_failed_migrations_affine\":0,"
		"\"nr_failed_migrations_running\":0,\"nr_failed_migrations_hot\":0,\"wait_sum\":0,"
		"\"wait_count\":0,\"wait_max\":0,\"voluntary_sleep_ns\":0,\"sleep_max\":0,"
		"\"block_sum\":0,\"block_max\":0,\"iowait_sum\":0,\"iowait_count\":0,\"exec_max\":0,"
		"\"slice_max\":0,\"allocated_bytes\":0,\"deallocated_bytes\":0,\"minflt\":0,"
		"\"majflt\":0,\"utime_clock_ticks\":0,\"stime_clock_ticks\":0,\"priority\":-100,"
		"\"rt_priority\":99,\"core_forceidle_sum\":0,\"fair_slice_ns\":0,\"nr_threads\":0,"
		"\"smaps_rollup_kib\":{\"Pss\":3,\"Rss\":7},\"rchar\":0,\"wchar\":0,\"syscr\":0,"
		"\"syscw\":0,\"read_bytes\":0,\"write_bytes\":0,\"cancelled_write_bytes\":0,"
		"\"cpu_delay_count\":0,\"cpu_delay_total_ns\":0,\"cpu_delay_max_ns\":0,"
		"\"cpu_delay_min_ns\":0,\"blkio_delay_count\":0,\"blkio_delay_total_ns\":0,"
		"\"blkio_delay_max_ns\":0,\"blkio_delay_min_ns\":0,\"swapin_delay_count\":0,"
		"\"swapin_delay_total_ns\":0,\"swapin_delay_max_ns\":0,\"swapin_delay_min_ns\":0,"
		"\"freepages_delay_count\":0,\"freepages_delay_total_ns\":0,"
		"\"freepages_delay_max_ns\":0,\"freepages_delay_min_ns\":0,"
		"\"thrashing_delay_count\":0,\"thrashing_delay_total_ns\":0,"
		"\"thrashing_delay_max_ns\":0,\"thrashing_delay_min_ns\":0,\"compact_delay_count\":0,"
		"\"compact_delay_total_ns\":0,\"compact_delay_max_ns\":0,\"compact_delay_min_ns\":0,"
		"\"wpcopy_delay_count\":0,\"wpcopy_delay_total_ns\":0,\"wpcopy_delay_max_ns\":0,"
		"\"wpcopy_delay_min_ns\":0,\"irq_delay_count\":0,\"irq_delay_total_ns\":0,"
		"\"irq_delay_max_ns\":0,\"irq_delay_min_ns\":9,\"hiwater_rss_bytes\":0,"
		"\"hiwater_vm_bytes\":0,\"taskstats_measured\":true,\"cpu_delay_active\":false,"
		"\"delay_block_active\":false,\"xacct_active\":false,\"jemalloc_measured\":true,"
		"\"exited\":true}],"
		"\"cgroup_stats\":{\"/a\":{\"cpu\":{\"usage_usec\":0,\"nr_throttled\":0,"
		"\"throttled_usec\":0,\"max_quota_us\":50000,\"max_period_us\":100000,\"weight\":null,"
		"\"weight_nice\":-5},\"memory\":{\"current\":0,\"max\":null,\"high\":null,"
		"\"low\":18446744073709551615,\"min\":null,\"stat\":{\"anon\":1,\"file\":2},"
		"\"events\":{}},\"pids\":{\"current\":3,\"max\":null},\"psi\":" PSI0 "}},"
		"\"probe_summary\":null,"
		"\"parse_summary\":{\"tids_walked\":2,\"read_failures\":0,\"read_failures_by_file\":{},"
		"\"dominant_read_failure\":null,\"kernel_config_dominant\":false,"
		"\"negative_dotted_values\":0},"
		"\"taskstats_summary\":null,"
		"\"psi\":{\"cpu\":{\"some\":{\"avg10\":12,\"avg60\":0,\"avg300\":0,\"total_usec\":0},"
		"\"full\":" PSI_HALF0 "},\"memory\":" PSI_RES0 ",\"io\":" PSI_RES0 ",\"irq\":" PSI_RES0 "},"
		"\"sched_ext\":{\"state\":\"enabled\",\"switch_all\":1,\"nr_rejected\":0,"
		"\"hotplug_seq\":0,\"enable_seq\":2},"
		"\"interval\":{\"from_unix_ns\":100,\"to_unix_ns\":200}}";

	(void)state;
	assert_non_null(s);
	s->captured_at_unix_ns = 5;
	/* host: omitted fields everywhere but the ones set here */
	h->cpu_model = strdup("x\"y");
	h->total_memory_kib = (struct ctprof_opt_u64){ true, 1024 };
	h->has_sched_tunables = true;
	assert_int_equal(ctprof_strmap_set(&h->sched_tunables, "sched_b", ""), 0);
	assert_int_equal(ctprof_strmap_set(&h->sched_tunables, "sched_a", "1"), 0);
	/* out of order in memory: written in numeric cpu order */
	h->cpufreq_governor = calloc(3, sizeof(*h->cpufreq_governor));
	h->n_cpufreq_governor = 3;
	h->cpufreq_governor[0] = (struct ctprof_governor){ 10, strdup("schedutil") };
	h->cpufreq_governor[1] = (struct ctprof_governor){ 2, strdup("powersave") };
	h->cpufreq_governor[2] = (struct ctprof_governor){ 0, strdup("performance") };
	h->kernel_name = strdup("Linux");
	h->task_delayacct = CTPROF_DELAYACCT_RUNTIME_OFF;
	h->has_heap_state = true;
	h->heap_state.narenas = (struct ctprof_opt_u64){ true, 4 };
	s->host = h;

	assert_int_equal(ctprof_thread_init(t), 0);
	t->tid = 1;
	t->tgid = 1;
	set_str(&t->pcomm, "p");
	set_str(&t->comm, "a\"b\\c\x01\x1f\b\f\n\r\t\x7f/\xc3\xa9");
	set_str(&t->cgroup, "/a");
	set_str(&t->policy, "SCHED_EXT");
	t->nice = -20;
	t->cpu_affinity.cpus = calloc(2, sizeof(uint32_t));
	t->cpu_affinity.cpus[1] = 5;
	t->cpu_affinity.n = 2;
	t->state = 'S';
	t->ext_enabled = true;
	t->run_time_ns = UINT64_MAX;
	t->priority = -100;
	t->rt_priority = 99;
	assert_int_equal(ctprof_kvmap_set(&t->smaps_rollup_kib, "Rss", 7), 0);
	assert_int_equal(ctprof_kvmap_set(&t->smaps_rollup_kib, "Pss", 3), 0);
	t->irq_delay_min_ns = 9;
	t->taskstats_measured = true;
	t->jemalloc_measured = true;
	t->exited = true;
	s->threads = t;
	s->n_threads = 1;

	cg->path = strdup("/a");
	ctprof_cgroup_stats_init(&cg->stats);
	cg->stats.cpu.max_quota_us = (struct ctprof_opt_u64){ true, 50000 };
	cg->stats.cpu.weight_nice = (struct ctprof_opt_i32){ true, -5 };
	cg->stats.memory.low = (struct ctprof_opt_u64){ true, UINT64_MAX };
	assert_int_equal(ctprof_kvmap_set(&cg->stats.memory.stat, "file", 2), 0);
	assert_int_equal(ctprof_kvmap_set(&cg->stats.memory.stat, "anon", 1), 0);
	cg->stats.pids.current = (struct ctprof_opt_u64){ true, 3 };
	s->cgroups = cg;
	s->n_cgroups = 1;

	s->parse_summary = calloc(1, sizeof(*s->parse_summary));
	s->parse_summary->tids_walked = 2;
	s->psi.cpu.some.avg10 = 12;
	s->sched_ext = calloc(1, sizeof(*s->sched_ext));
	s->sched_ext->state = strdup("enabled");
	s->sched_ext->switch_all = 1;
	s->sched_ext->enable_seq = 2;
	s->interval = calloc(1, sizeof(*s->interval));
	s->interval->from_unix_ns = 100;
	s->interval->to_unix_ns = 200;

	j = to_json(s, NULL);
	assert_string_equal(j, expected);
	free(j);

	/* without the extensions, neither key appears */
	free(s->interval);
	s->interval = NULL;
	t->exited = false;
	j = to_json(s, NULL);
	assert_null(strstr(j, "interval"));
	assert_null(strstr(j, "exited"));
	assert_non_null(strstr(j, "\"jemalloc_measured\":true}],"));
	assert_string_equal(j + strlen(j) - 16, "\"enable_seq\":2}}");
	free(j);

	/* an empty host is {} */
	ctprof_host_free(s->host);
	s->host = calloc(1, sizeof(*s->host));
	j = to_json(s, NULL);
	assert_non_null(strstr(j, "\"captured_at_unix_ns\":5,\"host\":{},\"threads\":["));
	free(j);
	ctprof_snapshot_free(s);
}

/* ---- round trip with extreme values ---- */

#define BIG_NAME (100 * 1024)

static const char ctl_name[] = "q\"b\\s/\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f"
			       "\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f\x7f"
			       "\xe2\x82\xac\xf0\x9f\x98\x80";
/* invalid UTF-8: a lone 0xff, a truncated 3-byte sequence, an overlong, a surrogate */
static const char bad_name[] = "a\xff" "b\xe2\x82" "c\xc0\xaf" "d\xed\xa0\x80" "e";
static const char bad_name_lossy[] = "a\xef\xbf\xbd" "b\xef\xbf\xbd" "c\xef\xbf\xbd\xef\xbf\xbd"
				     "d\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" "e";

static void fill_thread(struct ctprof_thread *t, int variant, const char *name)
{
	const struct ctprof_field_desc *f = ctprof_fields();
	size_t i;

	assert_int_equal(ctprof_thread_init(t), 0);
	for (i = 0; i < CTPROF_THREAD_NFIELDS; i++) {
		void *p = ctprof_field_ptr(t, &f[i]);

		switch (f[i].ftype) {
		case CTPROF_FT_U32:
			*(uint32_t *)p = variant == 0 ? UINT32_MAX : variant == 1 ? (uint32_t)i : 0;
			break;
		case CTPROF_FT_U64:
			*(uint64_t *)p = variant == 0 ? UINT64_MAX
				       : variant == 1 ? 9007199254740993ull
				       : variant == 3 ? (1ull << 63) + i : 0;
			break;
		case CTPROF_FT_I32:
			*(int32_t *)p = variant == 0 ? INT32_MIN : variant == 1 ? -1
				      : variant == 3 ? INT32_MAX : 0;
			break;
		case CTPROF_FT_BOOL:
			*(bool *)p = variant == 0 || (variant == 1 && i % 2);
			break;
		case CTPROF_FT_STR:
			set_str(p, name);
			break;
		default:
			break;
		}
	}
	t->state = variant == 0 ? 'R' : variant == 1 ? '"' : variant == 2 ? '~' : (char)0xC3;
	if (variant == 0) {
		t->cpu_affinity.cpus = calloc(3, sizeof(uint32_t));
		t->cpu_affinity.cpus[1] = 7;
		t->cpu_affinity.cpus[2] = UINT32_MAX;
		t->cpu_affinity.n = 3;
		assert_int_equal(ctprof_kvmap_set(&t->smaps_rollup_kib, "Rss", UINT64_MAX), 0);
		assert_int_equal(ctprof_kvmap_set(&t->smaps_rollup_kib, "k\"\\\n", 1), 0);
		assert_int_equal(ctprof_kvmap_set(&t->smaps_rollup_kib, "", 0), 0);
	}
	t->exited = variant == 3;
}

static struct ctprof_snapshot *extreme_snapshot(void)
{
	struct ctprof_snapshot *s = ctprof_snapshot_new();
	struct ctprof_host *h = calloc(1, sizeof(*h));
	char *big = malloc(BIG_NAME + 1);
	size_t i;

	memset(big, 'n', BIG_NAME);
	big[BIG_NAME] = '\0';
	big[10] = '"';
	big[BIG_NAME - 1] = '\\';
	s->captured_at_unix_ns = UINT64_MAX;
	s->n_threads = 5;
	s->threads = calloc(s->n_threads, sizeof(*s->threads));
	fill_thread(&s->threads[0], 0, big);
	fill_thread(&s->threads[1], 1, ctl_name);
	fill_thread(&s->threads[2], 2, "");
	fill_thread(&s->threads[3], 3, bad_name);
	fill_thread(&s->threads[4], 1, "plain");
	free(big);

	h->cpu_model = strdup(ctl_name);
	h->cpu_vendor = strdup("");
	h->total_memory_kib = (struct ctprof_opt_u64){ true, UINT64_MAX };
	h->hugepages_total = (struct ctprof_opt_u64){ true, 0 };
	h->hugepages_free = (struct ctprof_opt_u64){ true, 9007199254740993ull };
	h->hugepages_size_kib = (struct ctprof_opt_u64){ true, 2048 };
	h->thp_enabled = strdup("always [madvise] never");
	h->thp_defrag = strdup(bad_name);
	h->has_sched_tunables = true;
	ctprof_strmap_set(&h->sched_tunables, "sched_x", ctl_name);
	h->online_cpus = (struct ctprof_opt_u64){ true, 12 };
	h->numa_nodes = (struct ctprof_opt_u64){ true, 1 };
	h->n_cpufreq_governor = 12;
	h->cpufreq_governor = calloc(12, sizeof(*h->cpufreq_governor));
	for (i = 0; i < 12; i++) {
		h->cpufreq_governor[i].cpu = (uint32_t)i;
		h->cpufreq_governor[i].governor = strdup(i % 2 ? "performance" : "schedutil");
	}
	h->kernel_name = strdup("Linux");
	h->kernel_release = strdup("6.12.0");
	h->arch = strdup("x86_64");
	h->kernel_cmdline = strdup("a=b \"c\"");
	h->task_delayacct = CTPROF_DELAYACCT_ON;
	h->config_task_xacct = CTPROF_XACCT_UNKNOWN;
	h->has_heap_state = true;
	h->heap_state.active_bytes = (struct ctprof_opt_u64){ true, UINT64_MAX };
	h->heap_state.resident_bytes = (struct ctprof_opt_u64){ true, 0 };
	s->host = h;

	s->n_cgroups = 3;
	s->cgroups = calloc(3, sizeof(*s->cgroups));
	for (i = 0; i < 3; i++)
		ctprof_cgroup_stats_init(&s->cgroups[i].stats);
	s->cgroups[0].path = strdup("");
	s->cgroups[1].path = strdup("/a\"b");
	s->cgroups[2].path = strdup("/z");
	s->cgroups[1].stats.cpu.usage_usec = UINT64_MAX;
	s->cgroups[1].stats.cpu.max_quota_us = (struct ctprof_opt_u64){ true, UINT64_MAX };
	s->cgroups[1].stats.cpu.max_period_us = 0;
	s->cgroups[1].stats.cpu.weight = (struct ctprof_opt_u64){ true, 0 };
	s->cgroups[1].stats.cpu.weight_nice = (struct ctprof_opt_i32){ true, INT32_MIN };
	s->cgroups[2].stats.cpu.weight_nice = (struct ctprof_opt_i32){ true, INT32_MAX };
	s->cgroups[1].stats.memory.max = (struct ctprof_opt_u64){ true, 9007199254740993ull };
	s->cgroups[1].stats.memory.min = (struct ctprof_opt_u64){ true, UINT64_MAX };
	ctprof_kvmap_set(&s->cgroups[1].stats.memory.events, "oom_kill", UINT64_MAX);
	s->cgroups[1].stats.pids.max = (struct ctprof_opt_u64){ true, 0 };
	s->cgroups[1].stats.psi.irq.full.avg300 = 65535;
	s->cgroups[1].stats.psi.irq.full.total_usec = UINT64_MAX;

	s->probe_summary = calloc(1, sizeof(*s->probe_summary));
	s->probe_summary->failed = UINT64_MAX;
	s->probe_summary->dominant_failure = strdup("ptrace-seize");
	s->probe_summary->privilege_dominant = true;
	s->parse_summary = calloc(1, sizeof(*s->parse_summary));
	s->parse_summary->negative_dotted_values = 9007199254740993ull;
	ctprof_kvmap_set(&s->parse_summary->read_failures_by_file, "stat", 1);
	s->taskstats_summary = calloc(1, sizeof(*s->taskstats_summary));
	s->taskstats_summary->other_err_count = UINT64_MAX;
	s->psi.memory.full.avg10 = 65535;
	s->psi.io.some.total_usec = UINT64_MAX;
	s->sched_ext = calloc(1, sizeof(*s->sched_ext));
	s->sched_ext->state = strdup("");
	s->sched_ext->hotplug_seq = UINT64_MAX;
	s->interval = calloc(1, sizeof(*s->interval));
	s->interval->to_unix_ns = UINT64_MAX;
	return s;
}

static void assert_threads_equal(const struct ctprof_thread *a, const struct ctprof_thread *b)
{
	const struct ctprof_field_desc *f = ctprof_fields();
	size_t i, k;

	for (i = 0; i < CTPROF_THREAD_NFIELDS; i++) {
		const void *x = ctprof_field_cptr(a, &f[i]), *y = ctprof_field_cptr(b, &f[i]);

		switch (f[i].ftype) {
		case CTPROF_FT_U32:
			assert_int_equal(*(const uint32_t *)x, *(const uint32_t *)y);
			break;
		case CTPROF_FT_U64:
			if (*(const uint64_t *)x != *(const uint64_t *)y)
				fail_msg("%s: %ju != %ju", f[i].name, (uintmax_t) * (const uint64_t *)x,
					 (uintmax_t) * (const uint64_t *)y);
			break;
		case CTPROF_FT_I32:
			assert_int_equal(*(const int32_t *)x, *(const int32_t *)y);
			break;
		case CTPROF_FT_BOOL:
			assert_int_equal(*(const bool *)x, *(const bool *)y);
			break;
		case CTPROF_FT_STR:
			assert_string_equal(*(char *const *)x, *(char *const *)y);
			break;
		case CTPROF_FT_CHAR:
			assert_int_equal(*(const char *)x, *(const char *)y);
			break;
		case CTPROF_FT_CPUSET: {
			const struct ctprof_cpuset *p = x, *q = y;

			assert_int_equal(p->n, q->n);
			for (k = 0; k < p->n; k++)
				assert_int_equal(p->cpus[k], q->cpus[k]);
			break;
		}
		case CTPROF_FT_KVMAP: {
			const struct ctprof_kvmap *p = x, *q = y;

			assert_int_equal(p->n, q->n);
			for (k = 0; k < p->n; k++) {
				assert_string_equal(p->items[k].key, q->items[k].key);
				assert_true(p->items[k].value == q->items[k].value);
			}
			break;
		}
		}
	}
	assert_int_equal(a->exited, b->exited);
}

static void test_roundtrip_extremes(void **state)
{
	struct ctprof_snapshot *s = extreme_snapshot(), *s2, *s3;
	size_t l1, l2, l3;
	char *j1, *j2, *j3;
	struct ctprof_host *h;
	struct ctprof_cgroup_stats *c;

	(void)state;
	j1 = to_json(s, &l1);
	assert_true(l1 > 4 * BIG_NAME);
	/* serde's escaping, and non-ASCII written raw */
	assert_non_null(strstr(j1, "\"q\\\"b\\\\s/\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007"
				   "\\b\\t\\n\\u000b\\f\\r\\u000e\\u000f\\u0010\\u0011\\u0012\\u0013"
				   "\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019\\u001a\\u001b\\u001c"
				   "\\u001d\\u001e\\u001f\x7f\xe2\x82\xac\xf0\x9f\x98\x80\""));
	assert_non_null(strstr(j1, "\"state\":\"\\\"\""));
	assert_non_null(strstr(j1, "\"state\":\"\xef\xbf\xbd\""));
	assert_null(strstr(j1, bad_name));
	assert_non_null(strstr(j1, bad_name_lossy));

	s2 = parse_ok(j1);
	j2 = to_json(s2, &l2);
	s3 = parse_ok(j2);
	j3 = to_json(s3, &l3);
	assert_int_equal(l1, l2);
	assert_memory_equal(j1, j2, l1);
	assert_int_equal(l2, l3);
	assert_memory_equal(j2, j3, l2);

	/* values survive exactly */
	assert_int_equal(s2->schema, CTPROF_SCHEMA_NEW);
	assert_true(s2->captured_at_unix_ns == UINT64_MAX);
	assert_int_equal(s2->n_threads, 5);
	assert_threads_equal(&s->threads[0], &s2->threads[0]);
	assert_threads_equal(&s->threads[1], &s2->threads[1]);
	assert_threads_equal(&s->threads[2], &s2->threads[2]);
	assert_threads_equal(&s->threads[4], &s2->threads[4]);
	assert_true(s2->threads[0].run_time_ns == UINT64_MAX);
	assert_true(s2->threads[0].nice == INT32_MIN);
	assert_true(s2->threads[0].tid == UINT32_MAX);
	assert_true(s2->threads[0].cpu_affinity.cpus[2] == UINT32_MAX);
	assert_int_equal(strlen(s2->threads[0].comm), BIG_NAME);
	assert_true(s2->threads[1].wait_max == 9007199254740993ull);
	assert_int_equal(s2->threads[1].processor, -1);
	assert_int_equal(s2->threads[1].state, '"');
	assert_string_equal(s2->threads[1].comm, ctl_name);
	assert_string_equal(s2->threads[2].pcomm, "");
	assert_int_equal(s2->threads[2].state, '~');
	/* invalid UTF-8 and a non-ASCII state come back as U+FFFD */
	assert_string_equal(s2->threads[3].comm, bad_name_lossy);
	assert_int_equal((unsigned char)s2->threads[3].state, 0xFF);
	assert_true(s2->threads[3].exited);
	assert_false(s2->threads[2].exited);
	assert_true(s2->threads[3].nr_threads == (1ull << 63) + CTPROF_F_nr_threads);
	assert_int_equal(s2->threads[3].priority, INT32_MAX);

	h = s2->host;
	assert_non_null(h);
	assert_string_equal(h->cpu_model, ctl_name);
	assert_string_equal(h->cpu_vendor, "");
	assert_true(h->total_memory_kib.set && h->total_memory_kib.v == UINT64_MAX);
	assert_true(h->hugepages_total.set && h->hugepages_total.v == 0);
	assert_true(h->hugepages_free.v == 9007199254740993ull);
	assert_string_equal(h->thp_defrag, bad_name_lossy);
	assert_true(h->has_sched_tunables);
	assert_int_equal(h->sched_tunables.n, 1);
	assert_string_equal(h->sched_tunables.items[0].value, ctl_name);
	assert_int_equal(h->n_cpufreq_governor, 12);
	assert_int_equal(h->cpufreq_governor[10].cpu, 10);
	assert_string_equal(h->cpufreq_governor[11].governor, "performance");
	assert_string_equal(h->kernel_cmdline, "a=b \"c\"");
	assert_int_equal(h->task_delayacct, CTPROF_DELAYACCT_ON);
	assert_int_equal(h->config_task_xacct, CTPROF_XACCT_UNKNOWN);
	assert_true(h->has_heap_state);
	assert_true(h->heap_state.active_bytes.v == UINT64_MAX);
	assert_true(h->heap_state.resident_bytes.set);
	assert_false(h->heap_state.allocated_bytes.set);
	assert_string_equal(h->kernel_name, "Linux");

	assert_int_equal(s2->n_cgroups, 3);
	assert_string_equal(s2->cgroups[0].path, "");
	assert_string_equal(s2->cgroups[1].path, "/a\"b");
	c = &s2->cgroups[1].stats;
	assert_true(c->cpu.usage_usec == UINT64_MAX);
	assert_true(c->cpu.max_quota_us.set && c->cpu.max_quota_us.v == UINT64_MAX);
	assert_true(c->cpu.max_period_us == 0);
	assert_true(c->cpu.weight.set && c->cpu.weight.v == 0);
	assert_true(c->cpu.weight_nice.set && c->cpu.weight_nice.v == INT32_MIN);
	assert_true(s2->cgroups[2].stats.cpu.weight_nice.v == INT32_MAX);
	assert_false(s2->cgroups[0].stats.cpu.weight_nice.set);
	assert_false(s2->cgroups[0].stats.memory.max.set);
	assert_true(s2->cgroups[0].stats.cpu.max_period_us == 100000);
	assert_true(c->memory.max.v == 9007199254740993ull);
	assert_true(c->memory.min.v == UINT64_MAX);
	assert_true(c->memory.events.items[0].value == UINT64_MAX);
	assert_true(c->pids.max.set && c->pids.max.v == 0);
	assert_false(c->pids.current.set);
	assert_int_equal(c->psi.irq.full.avg300, 65535);
	assert_true(c->psi.irq.full.total_usec == UINT64_MAX);
	assert_true(s2->probe_summary->failed == UINT64_MAX);
	assert_string_equal(s2->probe_summary->dominant_failure, "ptrace-seize");
	assert_true(s2->probe_summary->privilege_dominant);
	assert_null(s2->parse_summary->dominant_read_failure);
	assert_true(s2->parse_summary->negative_dotted_values == 9007199254740993ull);
	assert_true(s2->taskstats_summary->other_err_count == UINT64_MAX);
	assert_int_equal(s2->psi.memory.full.avg10, 65535);
	assert_true(s2->psi.io.some.total_usec == UINT64_MAX);
	assert_string_equal(s2->sched_ext->state, "");
	assert_true(s2->sched_ext->hotplug_seq == UINT64_MAX);
	assert_non_null(s2->interval);
	assert_true(s2->interval->from_unix_ns == 0 && s2->interval->to_unix_ns == UINT64_MAX);

	free(j1);
	free(j2);
	free(j3);
	ctprof_snapshot_free(s);
	ctprof_snapshot_free(s2);
	ctprof_snapshot_free(s3);
}

/* ---- ktstr's synthetic capture (spec §6.1) ---- */

static void check_ktstr_synthetic(const struct ctprof_snapshot *s)
{
	const struct ctprof_field_desc *f = ctprof_fields();
	const struct ctprof_thread *t;
	const struct ctprof_cgroup_stats *c;
	static const struct {
		const char *name;
		uint64_t v;
	} expect[] = {
		{ "start_time_clock_ticks", 555555 }, { "minflt", 7777 }, { "majflt", 8888 },
		{ "utime_clock_ticks", 10 }, { "stime_clock_ticks", 11 }, { "rt_priority", 1800 },
		{ "run_time_ns", 1000000 }, { "wait_time_ns", 200000 }, { "timeslices", 50 },
		{ "voluntary_csw", 42 }, { "nonvoluntary_csw", 7 }, { "nr_threads", 0 },
		{ "rchar", 100 }, { "wchar", 200 }, { "syscr", 10 }, { "syscw", 20 },
		{ "read_bytes", 4096 }, { "write_bytes", 8192 }, { "cancelled_write_bytes", 512 },
		{ "nr_wakeups", 11 }, { "nr_wakeups_local", 8 }, { "nr_wakeups_remote", 3 },
		{ "nr_wakeups_sync", 2 }, { "nr_wakeups_migrate", 1 }, { "nr_wakeups_affine", 12 },
		{ "nr_wakeups_affine_attempts", 20 }, { "nr_migrations", 9 },
		{ "nr_forced_migrations", 7 }, { "nr_failed_migrations_affine", 1 },
		{ "nr_failed_migrations_running", 2 }, { "nr_failed_migrations_hot", 3 },
		{ "wait_count", 15 }, { "iowait_count", 18 }, { "wait_sum", 5000250000ull },
		{ "wait_max", 250500000 }, { "voluntary_sleep_ns", 2099750000ull },
		{ "sleep_max", 180250000 }, { "block_sum", 1100750000ull }, { "block_max", 60750000 },
		{ "iowait_sum", 77000000 }, { "exec_max", 90000000 }, { "slice_max", 400500000 },
	};
	size_t i, k;

	assert_true(s->captured_at_unix_ns == 1714000000000000000ull);
	assert_null(s->host);
	assert_null(s->probe_summary);
	assert_null(s->parse_summary);
	assert_null(s->taskstats_summary);
	assert_null(s->sched_ext);
	assert_null(s->interval);
	assert_int_equal(s->schema, CTPROF_SCHEMA_NEW);
	assert_int_equal(s->n_threads, 1);
	t = &s->threads[0];
	assert_int_equal(t->tid, 101);
	assert_int_equal(t->tgid, 42);
	assert_string_equal(t->pcomm, "demo");
	assert_string_equal(t->comm, "proc (with) parens");
	assert_string_equal(t->cgroup, "/ktstr.slice/worker0");
	assert_string_equal(t->policy, "SCHED_OTHER");
	assert_int_equal(t->nice, -10);
	assert_int_equal(t->priority, 14);
	assert_int_equal(t->processor, 1700);
	assert_int_equal(t->state, 'R');
	assert_true(t->ext_enabled);
	assert_false(t->exited);
	assert_int_equal(t->cpu_affinity.n, 4);
	for (i = 0; i < 4; i++)
		assert_int_equal(t->cpu_affinity.cpus[i], i);
	assert_int_equal(t->smaps_rollup_kib.n, 0);
	/* every u64/u32 field: the listed value, or 0 (jemalloc, taskstats, ...) */
	for (i = 0; i < CTPROF_THREAD_NFIELDS; i++) {
		const void *p = ctprof_field_cptr(t, &f[i]);
		uint64_t want = 0, got;

		if (f[i].ftype == CTPROF_FT_BOOL) {
			assert_int_equal(*(const bool *)p, i == CTPROF_F_ext_enabled);
			continue;
		}
		if (f[i].ftype != CTPROF_FT_U64 && f[i].ftype != CTPROF_FT_U32)
			continue;
		if (i == CTPROF_F_tid || i == CTPROF_F_tgid)
			continue;
		got = f[i].ftype == CTPROF_FT_U64 ? *(const uint64_t *)p : *(const uint32_t *)p;
		for (k = 0; k < sizeof(expect) / sizeof(expect[0]); k++)
			if (strcmp(expect[k].name, f[i].name) == 0)
				want = expect[k].v;
		if (got != want)
			fail_msg("%s: got %ju, want %ju", f[i].name, (uintmax_t)got, (uintmax_t)want);
	}
	assert_int_equal(s->n_cgroups, 1);
	assert_string_equal(s->cgroups[0].path, "/ktstr.slice/worker0");
	c = &s->cgroups[0].stats;
	assert_true(c->cpu.max_period_us == 100000);
	assert_true(c->cpu.usage_usec == 0 && c->cpu.nr_throttled == 0 && c->cpu.throttled_usec == 0);
	assert_false(c->cpu.max_quota_us.set || c->cpu.weight.set || c->cpu.weight_nice.set);
	assert_true(c->memory.current == 0);
	assert_false(c->memory.max.set || c->memory.high.set || c->memory.low.set ||
		     c->memory.min.set);
	assert_int_equal(c->memory.stat.n + c->memory.events.n, 0);
	assert_false(c->pids.current.set || c->pids.max.set);
	assert_int_equal(c->psi.cpu.some.avg10 + c->psi.irq.full.avg300, 0);
	assert_true(s->psi.cpu.some.total_usec == 0 && s->psi.irq.full.total_usec == 0);
}

static void test_golden_ktstr(void **state)
{
	char *zpath = tu_fixture("snapshots/ktstr-synthetic.ctprof.zst");
	char *jpath = tu_fixture("snapshots/ktstr-synthetic.json");
	struct ctprof_snapshot *s = NULL;
	struct ctprof_error err = { 0 };
	size_t glen, len;
	char *golden = tu_read_file(jpath, &glen), *j;

	(void)state;
	assert_non_null(golden);
	assert_int_not_equal(golden[glen - 1], '\n');
	if (ctprof_snapshot_load(zpath, &s, &err))
		fail_msg("%s", err.msg);
	check_ktstr_synthetic(s);
	j = to_json(s, &len);
	assert_int_equal(len, glen);
	assert_memory_equal(j, golden, glen);
	free(j);
	ctprof_snapshot_free(s);

	/* the same from the plain JSON */
	s = parse_ok(golden);
	check_ktstr_synthetic(s);
	ctprof_snapshot_free(s);
	free(golden);
	free(zpath);
	free(jpath);
}

/* ---- schema variants ---- */

static struct ctprof_snapshot *load_fixture(const char *rel)
{
	char *p = tu_fixture(rel);
	struct ctprof_snapshot *s = NULL;
	struct ctprof_error err = { 0 };

	if (ctprof_snapshot_load(p, &s, &err))
		fail_msg("%s", err.msg);
	free(p);
	return s;
}

static void check_schema_common(const struct ctprof_snapshot *s)
{
	const struct ctprof_host *h = s->host;

	assert_true(s->captured_at_unix_ns == 1715000000123456789ull);
	assert_int_equal(s->n_threads, 2);
	assert_int_equal(s->threads[0].tid, 1000);
	assert_string_equal(s->threads[1].comm, "worker-1");
	assert_int_equal(s->threads[1].state, 'S');
	assert_true(s->threads[0].nr_threads == 2);
	assert_true(s->threads[0].cpu_delay_total_ns == 345678);
	assert_true(s->threads[0].hiwater_rss_bytes == 4194304);
	assert_int_equal(s->threads[0].smaps_rollup_kib.n, 2);
	assert_string_equal(s->threads[0].smaps_rollup_kib.items[1].key, "Rss");
	assert_true(s->threads[0].smaps_rollup_kib.items[1].value == 4096);
	assert_non_null(h);
	assert_string_equal(h->cpu_model, "AMD EPYC 7B13");
	assert_true(h->total_memory_kib.set && h->total_memory_kib.v == 16395744);
	assert_true(h->has_sched_tunables);
	assert_int_equal(h->sched_tunables.n, 3);
	assert_int_equal(h->n_cpufreq_governor, 4);
	assert_string_equal(h->cpufreq_governor[3].governor, "schedutil");
	assert_string_equal(h->kernel_release, "6.12.0-ktstr");
	assert_false(h->has_heap_state);
	assert_true(s->probe_summary->tgids_walked == 2);
	assert_null(s->probe_summary->dominant_failure);
	assert_string_equal(s->parse_summary->dominant_read_failure, "smaps_rollup");
	assert_true(s->taskstats_summary->esrch_count == 1);
	assert_string_equal(s->sched_ext->state, "enabled");
	assert_true(s->sched_ext->enable_seq == 7);
	assert_string_equal(s->cgroups[0].path, "/app.slice");
}

static void test_schema_variants(void **state)
{
	struct ctprof_snapshot *n = load_fixture("snapshots/schema-new-98.ctprof.zst");
	struct ctprof_snapshot *o = load_fixture("snapshots/schema-old-93.ctprof.zst");
	char *j, *jn, *fx;
	const char *tail;

	(void)state;
	check_schema_common(n);
	check_schema_common(o);
	assert_int_equal(n->schema, CTPROF_SCHEMA_NEW);
	assert_int_equal(o->schema, CTPROF_SCHEMA_OLD);
	assert_true(n->threads[0].jemalloc_measured);
	assert_false(n->threads[1].jemalloc_measured);
	assert_true(n->threads[1].xacct_active);
	assert_false(o->threads[0].taskstats_measured || o->threads[0].jemalloc_measured);
	assert_int_equal(n->host->task_delayacct, CTPROF_DELAYACCT_ON);
	assert_int_equal(n->host->config_task_xacct, CTPROF_XACCT_ON);
	assert_int_equal(o->host->task_delayacct, CTPROF_DELAYACCT_ABSENT);
	assert_int_equal(o->host->config_task_xacct, CTPROF_XACCT_ABSENT);
	assert_string_equal(ctprof_schema_name(o->schema),
			    "93-field threads (older ktstr schema, no capture flags)");

	/* an old file is written back in the new schema: all 98 keys */
	j = to_json(o, NULL);
	tail = "\"xacct_active\":false,\"jemalloc_measured\":false}";
	assert_non_null(strstr(j, tail));
	assert_null(strstr(j, "task_delayacct"));
	free(j);

	/* the new file is written back byte for byte */
	fx = tu_fixture("snapshots/schema-new-98.json");
	jn = tu_read_file(fx, NULL);
	free(fx);
	j = to_json(n, NULL);
	assert_string_equal(j, jn);
	free(j);
	free(jn);
	ctprof_snapshot_free(n);
	ctprof_snapshot_free(o);
}

static void test_schema_mixed_and_none(void **state)
{
	char *d;
	struct ctprof_snapshot *s;

	(void)state;
	d = doc("{\"tid\":1,\"taskstats_measured\":true,\"cpu_delay_active\":true,"
		"\"delay_block_active\":true,\"xacct_active\":true,\"jemalloc_measured\":true},"
		"{\"tid\":2}",
		"");
	s = parse_ok(d);
	assert_int_equal(s->schema, CTPROF_SCHEMA_MIXED);
	/* missing keys load as their absent values */
	assert_int_equal(s->threads[1].tid, 2);
	assert_string_equal(s->threads[1].comm, "");
	assert_string_equal(s->threads[1].policy, "");
	assert_int_equal(s->threads[1].state, '~');
	assert_int_equal(s->threads[1].cpu_affinity.n, 0);
	ctprof_snapshot_free(s);
	free(d);

	/* one flag key of five: neither variant */
	d = doc("{\"tid\":1,\"jemalloc_measured\":true}", "");
	s = parse_ok(d);
	assert_int_equal(s->schema, CTPROF_SCHEMA_MIXED);
	ctprof_snapshot_free(s);
	free(d);

	d = doc("{\"tid\":1},{\"tid\":2}", "");
	s = parse_ok(d);
	assert_int_equal(s->schema, CTPROF_SCHEMA_OLD);
	ctprof_snapshot_free(s);
	free(d);

	d = doc("", "");
	s = parse_ok(d);
	assert_int_equal(s->schema, CTPROF_SCHEMA_NONE);
	assert_int_equal(s->n_threads, 0);
	assert_int_equal(s->n_cgroups, 0);
	ctprof_snapshot_free(s);
	free(d);
}

/* ---- integer literals ---- */

struct lit_case {
	const char *field; /* thread field */
	const char *lit;
	const char *err;   /* NULL: accepted */
	uint64_t u;
	int64_t i;
};

static void test_integer_literals(void **state)
{
	static const struct lit_case cases[] = {
		{ "run_time_ns", "0", NULL, 0, 0 },
		{ "run_time_ns", "9007199254740993", NULL, 9007199254740993ull, 0 },
		{ "run_time_ns", "18446744073709551615", NULL, UINT64_MAX, 0 },
		{ "run_time_ns", "18446744073709551616", "expected an unsigned integer", 0, 0 },
		{ "run_time_ns", "99999999999999999999999", "expected an unsigned integer", 0, 0 },
		{ "run_time_ns", "1e3", "expected an unsigned integer", 0, 0 },
		{ "run_time_ns", "1E3", "expected an unsigned integer", 0, 0 },
		{ "run_time_ns", "1.0", "expected an unsigned integer", 0, 0 },
		{ "run_time_ns", "-0", "expected an unsigned integer", 0, 0 },
		{ "run_time_ns", "-1", "expected an unsigned integer", 0, 0 },
		{ "run_time_ns", "01", "expected an unsigned integer", 0, 0 },
		{ "run_time_ns", "\"5\"", "expected an unsigned integer", 0, 0 },
		{ "run_time_ns", "null", "expected an unsigned integer", 0, 0 },
		{ "run_time_ns", "true", "expected an unsigned integer", 0, 0 },
		{ "tid", "4294967295", NULL, UINT32_MAX, 0 },
		{ "tid", "4294967296", "u32 value 4294967296 out of range", 0, 0 },
		{ "nice", "-2147483648", NULL, 0, INT32_MIN },
		{ "nice", "2147483647", NULL, 0, INT32_MAX },
		{ "nice", "-0", NULL, 0, 0 },
		{ "nice", "2147483648", "i32 value 2147483648 out of range", 0, 0 },
		{ "nice", "-2147483649", "i32 value -2147483649 out of range", 0, 0 },
		{ "nice", "-99999999999999999999", "i32 value -99999999999999999999 out of range", 0, 0 },
		{ "nice", "-01", "expected an integer", 0, 0 },
		{ "nice", "1.5", "expected an integer", 0, 0 },
		{ "nice", "-1e2", "expected an integer", 0, 0 },
		{ "nice", "[]", "expected an integer", 0, 0 },
		{ "ext_enabled", "1", "expected a boolean", 0, 0 },
		{ "comm", "7", "expected a string", 0, 0 },
		{ "cpu_affinity", "{}", "expected an array", 0, 0 },
		{ "smaps_rollup_kib", "[]", "expected an object", 0, 0 },
		{ "state", "\"\"", "expected a single-character string", 0, 0 },
		{ "state", "\"RS\"", "expected a single-character string", 0, 0 },
		{ "state", "82", "expected a single-character string", 0, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct lit_case *c = &cases[i];
		char *th = tu_path("{\"pcomm\":\"x\",\"%s\":%s}", c->field, c->lit);
		char *d = doc(th, "");

		if (c->err) {
			char *msg = tu_path("t.json: parse JSON: threads[0].%s: %s", c->field, c->err);

			parse_fails(d, msg);
			free(msg);
		} else {
			struct ctprof_snapshot *s = parse_ok(d);

			if (strcmp(c->field, "nice") == 0)
				assert_int_equal(s->threads[0].nice, c->i);
			else if (strcmp(c->field, "tid") == 0)
				assert_int_equal(s->threads[0].tid, c->u);
			else
				assert_true(s->threads[0].run_time_ns == c->u);
			ctprof_snapshot_free(s);
		}
		free(d);
		free(th);
	}
}

/* ---- shape errors, leniency ---- */

static void test_shape_errors(void **state)
{
	char *d, *m;
	struct ctprof_snapshot *s;

	(void)state;
	parse_fails("[]", "t.json: parse JSON: expected an object at the top level");
	parse_fails("{\"captured_at_unix_ns\":1,\"threads\":[],\"cgroup_stats\":{}}",
		    "t.json: parse JSON: missing field `psi`");
	parse_fails("{\"threads\":[],\"cgroup_stats\":{},\"psi\":" PSI0 "}",
		    "t.json: parse JSON: missing field `captured_at_unix_ns`");
	parse_fails("{\"captured_at_unix_ns\":1,\"captured_at_unix_ns\":1,\"threads\":[],"
		    "\"cgroup_stats\":{},\"psi\":" PSI0 "}",
		    "t.json: parse JSON: duplicate field `captured_at_unix_ns`");
	parse_fails("{\"captured_at_unix_ns\":1,\"threads\":{},\"cgroup_stats\":{},\"psi\":" PSI0 "}",
		    "t.json: parse JSON: threads: expected an array");

	d = doc("{\"tid\":1},{\"tid\":2,\"comm\":\"a\",\"comm\":\"b\"}", "");
	parse_fails(d, "t.json: parse JSON: threads[1]: duplicate field `comm`");
	free(d);
	d = doc("{\"tid\":1,\"exited\":true,\"exited\":false}", "");
	parse_fails(d, "t.json: parse JSON: threads[0]: duplicate field `exited`");
	free(d);
	d = doc("{\"exited\":1}", "");
	parse_fails(d, "t.json: parse JSON: threads[0].exited: expected a boolean");
	free(d);
	d = doc("7", "");
	parse_fails(d, "t.json: parse JSON: threads[0]: expected an object");
	free(d);
	d = doc("{\"cpu_affinity\":[0,1,-2]}", "");
	parse_fails(d, "t.json: parse JSON: threads[0].cpu_affinity[2]: expected an unsigned integer");
	free(d);
	d = doc("{\"smaps_rollup_kib\":{\"Rss\":1,\"Pss\":\"x\"}}", "");
	parse_fails(d, "t.json: parse JSON: threads[0].smaps_rollup_kib[\"Pss\"]: expected an "
		       "unsigned integer");
	free(d);

	/* cgroup paths */
	m = tu_path("\"/a\":%s", CG_DEFAULT);
	memcpy(strstr(m, "\"max\":null"), "\"max\":true", 10);
	d = doc("", m);
	free(m);
	parse_fails(d, "t.json: parse JSON: cgroup_stats[\"/a\"].memory.max: expected an unsigned "
		       "integer or null");
	free(d);
	d = doc("", "\"/b\":{\"cpu\":{}}");
	parse_fails(d, "t.json: parse JSON: cgroup_stats[\"/b\"].cpu: missing field `usage_usec`");
	free(d);
	d = doc("", "\"/b\\n\\\"\":7");
	parse_fails(d, "t.json: parse JSON: cgroup_stats[\"/b\\n\\\"\"]: expected an object");
	free(d);

	/* psi range */
	parse_fails("{\"captured_at_unix_ns\":1,\"threads\":[],\"cgroup_stats\":{},\"psi\":"
		    "{\"cpu\":{\"some\":{\"avg10\":70000,\"avg60\":0,\"avg300\":0,\"total_usec\":0}}}}",
		    "t.json: parse JSON: psi.cpu.some.avg10: u16 value 70000 out of range");

	/* host and the nullable structs */
	parse_fails("{\"captured_at_unix_ns\":1,\"host\":7,\"threads\":[],\"cgroup_stats\":{},"
		    "\"psi\":" PSI0 "}",
		    "t.json: parse JSON: host: expected an object or null");
	parse_fails("{\"captured_at_unix_ns\":1,\"host\":{\"task_delayacct\":\"maybe\"},"
		    "\"threads\":[],\"cgroup_stats\":{},\"psi\":" PSI0 "}",
		    "t.json: parse JSON: host.task_delayacct: unknown variant, expected one of "
		    "`config_off`, `runtime_off`, `on`");
	parse_fails("{\"captured_at_unix_ns\":1,\"host\":{\"cpufreq_governor\":{\"01\":\"x\"}},"
		    "\"threads\":[],\"cgroup_stats\":{},\"psi\":" PSI0 "}",
		    "t.json: parse JSON: host.cpufreq_governor[\"01\"]: key: expected a cpu number");
	parse_fails("{\"captured_at_unix_ns\":1,\"sched_ext\":{\"state\":\"enabled\"},"
		    "\"threads\":[],\"cgroup_stats\":{},\"psi\":" PSI0 "}",
		    "t.json: parse JSON: sched_ext: missing field `switch_all`");
	parse_fails("{\"captured_at_unix_ns\":1,\"interval\":{\"from_unix_ns\":1},"
		    "\"threads\":[],\"cgroup_stats\":{},\"psi\":" PSI0 "}",
		    "t.json: parse JSON: interval: missing field `to_unix_ns`");
	parse_fails("{\"captured_at_unix_ns\":1,\"probe_summary\":{\"tgids_walked\":0,"
		    "\"jemalloc_detected\":0,\"probed_ok\":0,\"failed\":0,\"dominant_failure\":3,"
		    "\"privilege_dominant\":false},\"threads\":[],\"cgroup_stats\":{},\"psi\":" PSI0 "}",
		    "t.json: parse JSON: probe_summary.dominant_failure: expected a string or null");

	/* optional and null values, unknown keys, whitespace */
	s = parse_ok(" \n{\"zzz\":[1,{\"a\":-3.5e7}],\"captured_at_unix_ns\":42,\"host\":{\"cpu_model\":null,"
		     "\"online_cpus\":null,\"sched_tunables\":null,\"new_key\":{}},"
		     "\"threads\":[{\"tid\":5,\"future_metric\":12.5,\"nice\":-3,"
		     "\"comm\":\"\\\\\\\"3\\\\\",\"pcomm\":\"-4 \\\"5\",\"run_time_ns\":6}],"
		     "\"cgroup_stats\":{},\"psi\":" PSI0 ",\"sched_ext\":null,"
		     "\"interval\":null,\"extra\":\"x\"}\r\n\t ");
	assert_true(s->captured_at_unix_ns == 42);
	assert_non_null(s->host);
	assert_null(s->host->cpu_model);
	assert_false(s->host->online_cpus.set);
	assert_false(s->host->has_sched_tunables);
	assert_null(s->probe_summary);
	assert_null(s->parse_summary);
	assert_null(s->taskstats_summary);
	assert_null(s->sched_ext);
	assert_null(s->interval);
	assert_int_equal(s->threads[0].tid, 5);
	assert_int_equal(s->threads[0].nice, -3);
	assert_string_equal(s->threads[0].comm, "\\\"3\\");
	assert_string_equal(s->threads[0].pcomm, "-4 \"5");
	assert_true(s->threads[0].run_time_ns == 6);
	ctprof_snapshot_free(s);
}

static void test_syntax_errors(void **state)
{
	struct ctprof_snapshot *s = NULL;
	struct ctprof_error err = { 0 };
	const char *bad = "{\"captured_at_unix_ns\":1,\"threads\":[}";
	char *d, *e, *m;

	(void)state;
	assert_int_equal(ctprof_snapshot_from_json(bad, strlen(bad), "x.json", &s, &err), -EBADMSG);
	assert_string_equal(err.msg, "x.json: parse JSON: invalid JSON (at byte 36)");
	assert_null(s);

	d = doc("", "");
	e = tu_path("%s}", d);
	m = tu_path("t.json: parse JSON: trailing characters (at byte %zu)", strlen(d));
	parse_fails(e, m);
	free(e);
	free(m);
	e = tu_path("%s \n x", d);
	m = tu_path("t.json: parse JSON: trailing characters (at byte %zu)", strlen(d) + 3);
	parse_fails(e, m);
	free(e);
	free(m);
	/* len bounds the text: the closing brace is cut off */
	assert_int_equal(ctprof_snapshot_from_json(d, strlen(d) - 1, "x.json", &s, &err), -EBADMSG);
	assert_non_null(strstr(err.msg, "x.json: parse JSON: invalid JSON (at byte "));
	/* and text after len is not looked at */
	e = tu_path("%s garbage", d);
	assert_int_equal(ctprof_snapshot_from_json(e, strlen(d), "x.json", &s, &err), 0);
	assert_true(s->captured_at_unix_ns == 1);
	ctprof_snapshot_free(s);
	s = NULL;
	free(e);
	assert_int_equal(ctprof_snapshot_from_json("", 0, "x.json", &s, &err), -EBADMSG);
	assert_null(s);
	assert_string_equal(err.msg, "x.json: parse JSON: empty document (at byte 0)");
	free(d);
}

/* ---- maps, strings ---- */

static void test_maps_and_strings(void **state)
{
	struct ctprof_snapshot *s;
	char *d, *j;

	(void)state;
	d = doc("{\"comm\":\"a\xff\",\"pcomm\":\"\\u00e9\\ud83d\\ude00\",\"cgroup\":\"x\\u0000y\","
		"\"state\":\"\xc3\xa9\",\"cpu_affinity\":[5,1,5,0,4294967295,1],"
		"\"smaps_rollup_kib\":{\"b\":1,\"a\":2,\"b\":3,\"\xff\":4,\"\\ufffd\":5}},"
		"{\"state\":\"\xff\"}",
		"\"/z\":" CG_DEFAULT ",\"/a\":" CG_DEFAULT ",\"/z\":" CG_DEFAULT);
	s = parse_ok(d);
	assert_string_equal(s->threads[0].comm, "a\xef\xbf\xbd");
	assert_string_equal(s->threads[0].pcomm, "\xc3\xa9\xf0\x9f\x98\x80");
	assert_string_equal(s->threads[0].cgroup, "x"); /* cJSON stops at \u0000 */
	assert_int_equal((unsigned char)s->threads[0].state, 0xFF);
	assert_int_equal((unsigned char)s->threads[1].state, 0xFF);
	assert_int_equal(s->threads[0].cpu_affinity.n, 4);
	assert_int_equal(s->threads[0].cpu_affinity.cpus[0], 0);
	assert_int_equal(s->threads[0].cpu_affinity.cpus[1], 1);
	assert_int_equal(s->threads[0].cpu_affinity.cpus[2], 5);
	assert_int_equal(s->threads[0].cpu_affinity.cpus[3], UINT32_MAX);
	/* sorted by bytes, the last duplicate wins, invalid keys decoded lossily */
	assert_int_equal(s->threads[0].smaps_rollup_kib.n, 3);
	assert_string_equal(s->threads[0].smaps_rollup_kib.items[0].key, "a");
	assert_true(s->threads[0].smaps_rollup_kib.items[1].value == 3);
	assert_string_equal(s->threads[0].smaps_rollup_kib.items[2].key, "\xef\xbf\xbd");
	assert_true(s->threads[0].smaps_rollup_kib.items[2].value == 5);
	assert_int_equal(s->n_cgroups, 2);
	assert_string_equal(s->cgroups[0].path, "/a");
	assert_string_equal(s->cgroups[1].path, "/z");
	j = to_json(s, NULL);
	assert_non_null(strstr(j, "\"cpu_affinity\":[0,1,5,4294967295]"));
	assert_non_null(strstr(j, "\"smaps_rollup_kib\":{\"a\":2,\"b\":3,\"\xef\xbf\xbd\":5}"));
	assert_non_null(strstr(j, "\"state\":\"\xef\xbf\xbd\""));
	assert_non_null(strstr(j, "\"cgroup_stats\":{\"/a\":{"));
	free(j);
	ctprof_snapshot_free(s);
	free(d);

	/* governors: keys in numeric order whatever the file order */
	s = parse_ok("{\"captured_at_unix_ns\":1,\"host\":{\"cpufreq_governor\":{\"10\":\"a\","
		     "\"9\":\"b\",\"0\":\"c\",\"9\":\"d\"}},\"threads\":[],\"cgroup_stats\":{},"
		     "\"psi\":" PSI0 "}");
	assert_int_equal(s->host->n_cpufreq_governor, 3);
	assert_int_equal(s->host->cpufreq_governor[0].cpu, 0);
	assert_int_equal(s->host->cpufreq_governor[1].cpu, 9);
	assert_string_equal(s->host->cpufreq_governor[1].governor, "d");
	assert_int_equal(s->host->cpufreq_governor[2].cpu, 10);
	j = to_json(s, NULL);
	assert_non_null(strstr(j, "\"host\":{\"cpufreq_governor\":{\"0\":\"c\",\"9\":\"d\",\"10\":\"a\"}}"));
	free(j);
	ctprof_snapshot_free(s);
}

/* ---- files ---- */

static void load_fails(const char *path, int code, const char *msg_suffix)
{
	struct ctprof_snapshot *s = NULL;
	struct ctprof_error err = { 0 };
	char *want = tu_path("%s: %s", path, msg_suffix);
	int rc = ctprof_snapshot_load(path, &s, &err);

	assert_null(s);
	if (rc != code || strcmp(err.msg, want) != 0)
		fail_msg("load %s: rc %d (want %d), msg '%s' (want '%s')", path, rc, code, err.msg,
			 want);
	assert_int_equal(err.code, code);
	free(want);
}

static void test_malformed_fixtures(void **state)
{
	static const struct {
		const char *file;
		int code;
		const char *msg;
	} cases[] = {
		{ "not-zstd.ctprof.zst", -EBADMSG, "zstd decompress: Unknown frame descriptor" },
		{ "truncated-zstd.ctprof.zst", -EBADMSG, "zstd decompress: truncated zstd frame" },
		{ "trailing-garbage.ctprof.zst", -EBADMSG, "zstd decompress: Unknown frame descriptor" },
		{ "zstd-of-invalid-json.ctprof.zst", -EBADMSG, "parse JSON: invalid JSON (at byte 76)" },
		{ "wrong-shape-threads-object.ctprof.zst", -EBADMSG,
		  "parse JSON: threads: expected an array" },
		{ "wrong-shape-field-type.ctprof.zst", -EBADMSG,
		  "parse JSON: threads[1].run_time_ns: expected an unsigned integer" },
		{ "wrong-shape-u16-range.ctprof.zst", -EBADMSG,
		  "parse JSON: cgroup_stats[\"/ktstr.slice/worker0\"].psi.io.full.avg60: u16 value "
		  "65536 out of range" },
		{ "over-cap.ctprof.zst", -EFBIG,
		  "zstd decompress: zstd-decompressed payload exceeds the 268435456-byte cap "
		  "(decompression-bomb guard)" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *rel = tu_path("snapshots/malformed/%s", cases[i].file);
		char *p = tu_fixture(rel);

		load_fails(p, cases[i].code, cases[i].msg);
		free(p);
		free(rel);
	}
}

static void write_zst(const char *path, const char *json, size_t len, int frames, bool content_size)
{
	size_t cap = ZSTD_compressBound(len) * 2 + 64, pos = 0, off = 0;
	char *out = malloc(cap);
	int f;

	for (f = 0; f < frames; f++) {
		size_t part = f == frames - 1 ? len - off : len / (size_t)frames;
		ZSTD_CCtx *c = ZSTD_createCCtx();
		ZSTD_inBuffer in = { json + off, part, 0 };
		ZSTD_outBuffer o = { out + pos, cap - pos, 0 };

		ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, 3);
		ZSTD_CCtx_setParameter(c, ZSTD_c_contentSizeFlag, content_size);
		assert_int_equal(ZSTD_compressStream2(c, &o, &in, ZSTD_e_end), 0);
		ZSTD_freeCCtx(c);
		pos += o.pos;
		off += part;
	}
	tu_write_file(path, out, pos);
	free(out);
}

static void test_file_edges(void **state)
{
	char *dir = tu_mkdtemp("codec");
	char *fx = tu_fixture("snapshots/ktstr-synthetic.json");
	char *golden = tu_read_file(fx, NULL);
	char *p = tu_path("%s/multi.ctprof.zst", dir), *q;
	struct ctprof_snapshot *s = NULL;
	struct ctprof_error err = { 0 };
	unsigned long long fsize;

	(void)state;
	/* three concatenated frames without a content size */
	write_zst(p, golden, strlen(golden), 3, false);
	q = tu_read_file(p, NULL);
	assert_true(ZSTD_getFrameContentSize(q, 64) == ZSTD_CONTENTSIZE_UNKNOWN);
	free(q);
	if (ctprof_snapshot_load(p, &s, &err))
		fail_msg("%s", err.msg);
	check_ktstr_synthetic(s);
	ctprof_snapshot_free(s);
	s = NULL;
	free(p);

	/* a frame with an empty payload is a JSON error, an empty file a zstd one */
	p = tu_path("%s/empty-payload.ctprof.zst", dir);
	write_zst(p, "", 0, 1, true);
	load_fails(p, -EBADMSG, "parse JSON: empty document (at byte 0)");
	free(p);
	p = tu_path("%s/empty.ctprof.zst", dir);
	tu_write_file(p, "", 0);
	load_fails(p, -EBADMSG, "zstd decompress: empty file");
	free(p);

	p = tu_path("%s/missing.ctprof.zst", dir);
	load_fails(p, -ENOENT, "read: No such file or directory");
	free(p);
	load_fails(dir, -EISDIR, "read: Is a directory");
	p = tu_path("%s/fifo", dir);
	assert_int_equal(mkfifo(p, 0644), 0);
	load_fails(p, -EINVAL, "read: not a regular file");
	free(p);

	/* write then load */
	p = tu_path("%s/w.ctprof.zst", dir);
	s = parse_ok(golden);
	assert_int_equal(ctprof_snapshot_write(s, p, &err), 0);
	ctprof_snapshot_free(s);
	s = NULL;
	q = tu_read_file(p, NULL);
	assert_memory_equal(q, "\x28\xb5\x2f\xfd", 4); /* zstd magic */
	fsize = ZSTD_getFrameContentSize(q, 64);
	assert_true(fsize == strlen(golden));
	free(q);
	if (ctprof_snapshot_load(p, &s, &err))
		fail_msg("%s", err.msg);
	check_ktstr_synthetic(s);
	ctprof_snapshot_free(s);
	free(p);

	tu_rmtree(dir);
	free(dir);
	free(golden);
	free(fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_expected_text),
		cmocka_unit_test(test_roundtrip_extremes),
		cmocka_unit_test(test_golden_ktstr),
		cmocka_unit_test(test_schema_variants),
		cmocka_unit_test(test_schema_mixed_and_none),
		cmocka_unit_test(test_integer_literals),
		cmocka_unit_test(test_shape_errors),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_maps_and_strings),
		cmocka_unit_test(test_malformed_fixtures),
		cmocka_unit_test(test_file_edges),
	};
	return cmocka_run_group_tests_name("codec", tests, NULL, NULL);
}
