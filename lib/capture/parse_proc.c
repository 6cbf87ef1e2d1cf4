/* SPDX-License-Identifier: MIT */
/*
 * Per-thread procfs parsers: stat, schedstat, sched (+ the PN decoder),
 * status, io, smaps_rollup, cgroup, and the cpulist parser.
 * Reference: spec/snapshot-and-capture.md §4.4 and §4.7; ktstr's
 * ctprof/parse.rs. Every parser works on raw bytes (no UTF-8 requirement);
 * strings that end up in the snapshot are decoded lossily (DESIGN.md §4).
 * A key that appears twice behaves as in ktstr: the later line wins, even
 * when its value does not parse (the field then becomes absent).
 */
#include "parse.h"
#include "parse_text.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Replace a malloc'd string member; on ENOMEM the old value stays. */
static void set_str(char **dst, const char *s)
{
	char *d = ctprof_strdup(s);

	if (!d)
		return;
	free(*dst);
	*dst = d;
}

/* ---- stat ---------------------------------------------------------- */

const char *ctprof_policy_name(long n, char *tmp, size_t tmplen)
{
	switch (n) {
	case 0:
		return "SCHED_OTHER";
	case 1:
		return "SCHED_FIFO";
	case 2:
		return "SCHED_RR";
	case 3:
		return "SCHED_BATCH";
	case 5:
		return "SCHED_IDLE";
	case 6:
		return "SCHED_DEADLINE";
	case 7:
		return "SCHED_EXT";
	default:
		(void)snprintf(tmp, tmplen, "SCHED_UNKNOWN(%ld)", n);
		return tmp;
	}
}

/* Tail indices (0-based, after the last ')') of the fields we keep. */
enum {
	STAT_MINFLT = 7,
	STAT_MAJFLT = 9,
	STAT_UTIME = 11,
	STAT_STIME = 12,
	STAT_PRIORITY = 15,
	STAT_NICE = 16,
	STAT_STARTTIME = 19,
	STAT_PROCESSOR = 36,
	STAT_RT_PRIORITY = 37,
	STAT_POLICY = 38,
	STAT_NTAIL = 39,
};

bool ctprof_parse_stat(const char *buf, size_t len, struct ctprof_thread *t)
{
	struct ctprof_span line, rest, tail[STAT_NTAIL], tok;
	size_t pos = 0, i, ntail = 0;
	const char *close = NULL;
	uint64_t u;
	uint32_t u32;
	int32_t i32;

	if (!ctprof_next_line(buf, len, &pos, &line))
		return false;
	for (i = line.n; i > 0; i--) {
		if (line.p[i - 1] == ')') {
			close = line.p + i - 1;
			break;
		}
	}
	if (!close)
		return false;
	rest = ctprof_span_of(close + 1, line.n - (size_t)(close + 1 - line.p));
	pos = 0;
	while (ntail < STAT_NTAIL && ctprof_next_token(rest, &pos, true, &tok))
		tail[ntail++] = tok;

#define TAIL(idx) ((idx) < ntail)
	if (TAIL(STAT_MINFLT) && ctprof_num_u64(tail[STAT_MINFLT], &u))
		t->minflt = u;
	if (TAIL(STAT_MAJFLT) && ctprof_num_u64(tail[STAT_MAJFLT], &u))
		t->majflt = u;
	if (TAIL(STAT_UTIME) && ctprof_num_u64(tail[STAT_UTIME], &u))
		t->utime_clock_ticks = u;
	if (TAIL(STAT_STIME) && ctprof_num_u64(tail[STAT_STIME], &u))
		t->stime_clock_ticks = u;
	if (TAIL(STAT_PRIORITY) && ctprof_num_i32(tail[STAT_PRIORITY], &i32))
		t->priority = i32;
	if (TAIL(STAT_NICE) && ctprof_num_i32(tail[STAT_NICE], &i32))
		t->nice = i32;
	if (TAIL(STAT_STARTTIME) && ctprof_num_u64(tail[STAT_STARTTIME], &u))
		t->start_time_clock_ticks = u;
	if (TAIL(STAT_PROCESSOR) && ctprof_num_i32(tail[STAT_PROCESSOR], &i32))
		t->processor = i32;
	if (TAIL(STAT_RT_PRIORITY) && ctprof_num_u32(tail[STAT_RT_PRIORITY], &u32))
		t->rt_priority = u32;
	if (TAIL(STAT_POLICY) && ctprof_num_i32(tail[STAT_POLICY], &i32)) {
		char tmp[40];

		set_str(&t->policy, ctprof_policy_name(i32, tmp, sizeof(tmp)));
	}
#undef TAIL
	return true;
}

/* ---- schedstat ----------------------------------------------------- */

void ctprof_parse_schedstat(const char *buf, size_t len, struct ctprof_thread *t)
{
	struct ctprof_span line, tok;
	size_t pos = 0;
	uint64_t *dst[3] = { &t->run_time_ns, &t->wait_time_ns, &t->timeslices };
	uint64_t v;
	int i;

	if (!ctprof_next_line(buf, len, &pos, &line))
		return;
	pos = 0;
	for (i = 0; i < 3; i++) {
		if (!ctprof_next_token(line, &pos, true, &tok))
			break;
		if (ctprof_num_u64(tok, &v))
			*dst[i] = v;
	}
}

/* ---- sched --------------------------------------------------------- */

enum ctprof_pn_result ctprof_parse_pn(const char *s, size_t n, uint64_t *ns)
{
	struct ctprof_span v = ctprof_span_of(s, n), ms_s, frac, t;
	uint64_t ms, rem;
	char pad[6];
	size_t k;

	if (ctprof_split_once(v, '.', &ms_s, &frac)) {
		ms_s = ctprof_trim(ms_s);
		if (ctprof_span_starts(ms_s, '-'))
			return CTPROF_PN_NEGATIVE;
		/* Sub-millisecond negatives print as "0.-000500". */
		if (ctprof_span_starts(ctprof_trim_start(frac), '-'))
			return CTPROF_PN_NEGATIVE;
		if (!ctprof_num_u64(ms_s, &ms))
			return CTPROF_PN_MALFORMED;
		/*
		 * First 6 characters, right-padded with '0'. A non-ASCII
		 * character among them makes the parse fail either way, so
		 * counting bytes instead of characters changes nothing.
		 */
		k = frac.n < 6 ? frac.n : 6;
		memset(pad, '0', sizeof(pad));
		memcpy(pad, frac.p, k);
		if (!ctprof_num_u64(ctprof_span_of(pad, sizeof(pad)), &rem))
			return CTPROF_PN_MALFORMED;
		if (ms > (UINT64_MAX - rem) / 1000000u)
			return CTPROF_PN_MALFORMED;
		*ns = ms * 1000000u + rem;
		return CTPROF_PN_OK;
	}
	t = ctprof_trim(v);
	if (ctprof_span_starts(t, '-'))
		return CTPROF_PN_NEGATIVE;
	if (!ctprof_num_u64(t, ns))
		return CTPROF_PN_MALFORMED;
	return CTPROF_PN_OK;
}

enum sched_kind { SK_U64, SK_PN };

struct sched_key {
	const char *name;
	size_t len;
	enum sched_kind kind;
	size_t off; /* offsetof(struct ctprof_thread, field), or SLEEP_SUM */
};

#define SLEEP_SUM ((size_t)-1)
#define SK(name, kind, field) \
	{ name, sizeof(name) - 1, kind, offsetof(struct ctprof_thread, field) }

static const struct sched_key sched_keys[] = {
	SK("nr_wakeups", SK_U64, nr_wakeups),
	SK("nr_wakeups_local", SK_U64, nr_wakeups_local),
	SK("nr_wakeups_remote", SK_U64, nr_wakeups_remote),
	SK("nr_wakeups_sync", SK_U64, nr_wakeups_sync),
	SK("nr_wakeups_migrate", SK_U64, nr_wakeups_migrate),
	SK("nr_wakeups_affine", SK_U64, nr_wakeups_affine),
	SK("nr_wakeups_affine_attempts", SK_U64, nr_wakeups_affine_attempts),
	SK("nr_migrations", SK_U64, nr_migrations),
	SK("nr_forced_migrations", SK_U64, nr_forced_migrations),
	SK("nr_failed_migrations_affine", SK_U64, nr_failed_migrations_affine),
	SK("nr_failed_migrations_running", SK_U64, nr_failed_migrations_running),
	SK("nr_failed_migrations_hot", SK_U64, nr_failed_migrations_hot),
	SK("wait_sum", SK_PN, wait_sum),
	SK("wait_count", SK_U64, wait_count),
	SK("wait_max", SK_PN, wait_max),
	{ "sum_sleep_runtime", sizeof("sum_sleep_runtime") - 1, SK_PN, SLEEP_SUM },
	SK("sleep_max", SK_PN, sleep_max),
	SK("sum_block_runtime", SK_PN, block_sum),
	SK("block_max", SK_PN, block_max),
	SK("iowait_sum", SK_PN, iowait_sum),
	SK("iowait_count", SK_U64, iowait_count),
	SK("exec_max", SK_PN, exec_max),
	SK("slice_max", SK_PN, slice_max),
	SK("core_forceidle_sum", SK_PN, core_forceidle_sum),
	SK("slice", SK_U64, fair_slice_ns),
};

unsigned ctprof_parse_sched(const char *buf, size_t len, struct ctprof_thread *t)
{
	struct ctprof_span line, key, val, shortk;
	uint64_t sleep_sum = 0, v;
	bool have_sleep = false, have_block = false;
	unsigned negatives = 0;
	size_t pos = 0, i;

	while (ctprof_next_line(buf, len, &pos, &line)) {
		if (!ctprof_split_once(line, ':', &key, &val))
			continue;
		key = ctprof_trim(key);
		val = ctprof_trim(val);
		if (ctprof_span_eq(key, "ext.enabled")) {
			t->ext_enabled = ctprof_num_u64(val, &v) && v != 0;
			continue;
		}
		shortk = key;
		for (i = key.n; i > 0; i--) {
			if (key.p[i - 1] == '.') {
				shortk = ctprof_span_of(key.p + i, key.n - i);
				break;
			}
		}
		for (i = 0; i < sizeof(sched_keys) / sizeof(sched_keys[0]); i++) {
			const struct sched_key *k = &sched_keys[i];
			bool ok;

			if (shortk.n != k->len || memcmp(shortk.p, k->name, k->len) != 0)
				continue;
			if (k->kind == SK_U64) {
				ok = ctprof_num_u64(val, &v);
			} else {
				enum ctprof_pn_result r = ctprof_parse_pn(val.p, val.n, &v);

				if (r == CTPROF_PN_NEGATIVE)
					negatives++;
				ok = r == CTPROF_PN_OK;
			}
			if (!ok)
				v = 0;
			if (k->off == SLEEP_SUM) {
				sleep_sum = v;
				have_sleep = ok;
			} else {
				*(uint64_t *)((char *)t + k->off) = v;
				if (k->off == offsetof(struct ctprof_thread, block_sum))
					have_block = ok;
			}
			break;
		}
	}
	/* Derived: sleep minus block, saturating; 0 unless both parsed. */
	if (have_sleep && have_block)
		t->voluntary_sleep_ns = sleep_sum > t->block_sum ? sleep_sum - t->block_sum : 0;
	else
		t->voluntary_sleep_ns = 0;
	return negatives;
}

/* ---- status -------------------------------------------------------- */

void ctprof_parse_status(const char *buf, size_t len, struct ctprof_thread *t, bool is_leader,
			 bool want_affinity)
{
	struct ctprof_span line, key, val;
	size_t pos = 0;
	uint64_t v;

	while (ctprof_next_line(buf, len, &pos, &line)) {
		if (!ctprof_split_once(line, ':', &key, &val))
			continue;
		key = ctprof_trim(key);
		val = ctprof_trim(val);
		if (ctprof_span_eq(key, "State")) {
			unsigned char c = val.n ? (unsigned char)val.p[0] : 0;

			/*
			 * One byte is all the model holds: a state that starts
			 * with NUL or a non-ASCII character is absent ('~').
			 */
			t->state = (char)(c && c < 0x80 ? c : '~');
		} else if (ctprof_span_eq(key, "voluntary_ctxt_switches")) {
			t->voluntary_csw = ctprof_num_u64(val, &v) ? v : 0;
		} else if (ctprof_span_eq(key, "nonvoluntary_ctxt_switches")) {
			t->nonvoluntary_csw = ctprof_num_u64(val, &v) ? v : 0;
		} else if (ctprof_span_eq(key, "Threads")) {
			if (is_leader)
				t->nr_threads = ctprof_num_u64(val, &v) ? v : 0;
		} else if (ctprof_span_eq(key, "Cpus_allowed_list")) {
			struct ctprof_cpuset cs = { 0 };

			if (!want_affinity)
				continue;
			free(t->cpu_affinity.cpus);
			t->cpu_affinity.cpus = NULL;
			t->cpu_affinity.n = 0;
			if (ctprof_parse_cpulist(val.p, val.n, &cs) == 0)
				t->cpu_affinity = cs;
		}
	}
}

/* ---- io ------------------------------------------------------------ */

void ctprof_parse_io(const char *buf, size_t len, struct ctprof_thread *t)
{
	static const struct {
		const char *name;
		size_t off;
	} keys[] = {
		{ "rchar", offsetof(struct ctprof_thread, rchar) },
		{ "wchar", offsetof(struct ctprof_thread, wchar) },
		{ "syscr", offsetof(struct ctprof_thread, syscr) },
		{ "syscw", offsetof(struct ctprof_thread, syscw) },
		{ "read_bytes", offsetof(struct ctprof_thread, read_bytes) },
		{ "write_bytes", offsetof(struct ctprof_thread, write_bytes) },
		{ "cancelled_write_bytes", offsetof(struct ctprof_thread, cancelled_write_bytes) },
	};
	struct ctprof_span line, key, val;
	size_t pos = 0, i;
	uint64_t v;

	while (ctprof_next_line(buf, len, &pos, &line)) {
		if (!ctprof_split_once(line, ':', &key, &val))
			continue;
		key = ctprof_trim(key);
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			if (ctprof_span_eq(key, keys[i].name)) {
				*(uint64_t *)((char *)t + keys[i].off) =
					ctprof_num_u64(ctprof_trim(val), &v) ? v : 0;
				break;
			}
		}
	}
}

/* ---- smaps_rollup -------------------------------------------------- */

int ctprof_parse_smaps_rollup(const char *buf, size_t len, struct ctprof_kvmap *out)
{
	struct ctprof_kv_list l = { 0 };
	struct ctprof_span line, key, val, tok;
	size_t pos = 0, tpos;
	uint64_t v;
	int ret = 0;

	while (ctprof_next_line(buf, len, &pos, &line)) {
		if (!ctprof_split_once(line, ':', &key, &val))
			continue;
		key = ctprof_trim(key);
		/* Drops the "addr-addr ---p off XX:XX inode [rollup]" header. */
		if (ctprof_has_space(key) || memchr(key.p, '-', key.n))
			continue;
		tpos = 0;
		if (!ctprof_next_token(val, &tpos, true, &tok) || !ctprof_num_u64(tok, &v))
			continue;
		ret = ctprof_kv_list_push(&l, key, v);
		if (ret)
			break;
	}
	if (!ret)
		ret = ctprof_kvmap_from_spans(l.v, l.n, out);
	else
		ctprof_kvmap_clear(out);
	free(l.v);
	return ret;
}

/* ---- cgroup -------------------------------------------------------- */

char *ctprof_parse_cgroup(const char *buf, size_t len)
{
	struct ctprof_span line, rest;
	size_t pos = 0;

	while (ctprof_next_line(buf, len, &pos, &line)) {
		if (line.n < 3 || memcmp(line.p, "0::", 3) != 0)
			continue;
		rest = ctprof_trim(ctprof_span_of(line.p + 3, line.n - 3));
		if (rest.n)
			return ctprof_utf8_lossy(rest.p, rest.n);
	}
	return ctprof_strdup("");
}

/* ---- cpulist ------------------------------------------------------- */

struct cpu_range {
	uint32_t lo, hi;
};

static int range_cmp(const void *a, const void *b)
{
	const struct cpu_range *x = a, *y = b;

	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	return x->hi < y->hi ? -1 : x->hi > y->hi;
}

int ctprof_parse_cpulist(const char *buf, size_t len, struct ctprof_cpuset *out)
{
	struct ctprof_span s = ctprof_trim(ctprof_span_of(buf, len)), tok, lo_s, hi_s;
	struct cpu_range *r = NULL, *nr;
	size_t n = 0, cap = 0, i, m, total = 0, start = 0;
	uint32_t *cpus;
	int ret = -EINVAL;

	if (!s.n)
		return -EINVAL;
	while (start <= s.n) {
		const char *comma = memchr(s.p + start, ',', s.n - start);
		size_t end = comma ? (size_t)(comma - s.p) : s.n;
		struct cpu_range cr;

		tok = ctprof_trim(ctprof_span_of(s.p + start, end - start));
		start = end + 1;
		if (!tok.n)
			continue;
		if (ctprof_split_once(tok, '-', &lo_s, &hi_s)) {
			if (!ctprof_num_u32(lo_s, &cr.lo) || !ctprof_num_u32(hi_s, &cr.hi) ||
			    cr.hi < cr.lo || (uint64_t)cr.hi - cr.lo + 1 > CTPROF_CPULIST_RANGE_MAX)
				goto out;
		} else {
			if (!ctprof_num_u32(tok, &cr.lo))
				goto out;
			cr.hi = cr.lo;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			nr = ctprof_realloc(r, cap * sizeof(*r));
			if (!nr) {
				ret = -ENOMEM;
				goto out;
			}
			r = nr;
		}
		r[n++] = cr;
	}
	if (!n)
		goto out; /* only empty tokens: nothing to report */
	/* Merge overlapping and adjacent ranges, then bound the expansion. */
	qsort(r, n, sizeof(*r), range_cmp);
	m = 0;
	for (i = 1; i < n; i++) {
		if ((uint64_t)r[i].lo <= (uint64_t)r[m].hi + 1) {
			if (r[i].hi > r[m].hi)
				r[m].hi = r[i].hi;
		} else {
			r[++m] = r[i];
		}
	}
	m++;
	for (i = 0; i < m; i++) {
		total += (size_t)r[i].hi - r[i].lo + 1;
		if (total > CTPROF_CPULIST_MAX) {
			ret = -E2BIG;
			goto out;
		}
	}
	cpus = ctprof_malloc(total * sizeof(*cpus));
	if (!cpus) {
		ret = -ENOMEM;
		goto out;
	}
	total = 0;
	for (i = 0; i < m; i++) {
		uint64_t c;

		for (c = r[i].lo; c <= r[i].hi; c++)
			cpus[total++] = (uint32_t)c;
	}
	out->cpus = cpus;
	out->n = total;
	ret = 0;
out:
	free(r);
	return ret;
}
