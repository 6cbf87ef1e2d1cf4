/* SPDX-License-Identifier: MIT */
/* Scale ladders and cell formatters (compare-engine.md §9.1-§9.2). */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "rnd.h"

#define ARROW " \xe2\x86\x92 " /* " → " */

double rf_auto_scale(double v, enum ctprof_ladder l, const char **unit)
{
	double a = fabs(v);

	switch (l) {
	case CTPROF_LADDER_NS:
		if (a >= 1e9)
			return *unit = "s", v / 1e9;
		if (a >= 1e6)
			return *unit = "ms", v / 1e6;
		if (a >= 1e3)
			return *unit = "\xc2\xb5s", v / 1e3;
		return *unit = "ns", v;
	case CTPROF_LADDER_US:
		if (a >= 1e6)
			return *unit = "s", v / 1e6;
		if (a >= 1e3)
			return *unit = "ms", v / 1e3;
		return *unit = "\xc2\xb5s", v;
	case CTPROF_LADDER_BYTES: {
		const double kib = 1024.0, mib = kib * 1024.0, gib = mib * 1024.0,
			     tib = gib * 1024.0;

		if (a >= tib)
			return *unit = "TiB", v / tib;
		if (a >= gib)
			return *unit = "GiB", v / gib;
		if (a >= mib)
			return *unit = "MiB", v / mib;
		if (a >= kib)
			return *unit = "KiB", v / kib;
		return *unit = "B", v;
	}
	case CTPROF_LADDER_TICKS:
		if (a >= 1e6)
			return *unit = "Mticks", v / 1e6;
		if (a >= 1e3)
			return *unit = "Kticks", v / 1e3;
		return *unit = "ticks", v;
	case CTPROF_LADDER_UNITLESS:
		if (a >= 1e9)
			return *unit = "G", v / 1e9;
		if (a >= 1e6)
			return *unit = "M", v / 1e6;
		if (a >= 1e3)
			return *unit = "K", v / 1e3;
		return *unit = "", v;
	case CTPROF_LADDER_NONE:
	default:
		return *unit = "", v;
	}
}

static void bprintf(struct ctprof_buf *b, const char *fmt, ...) CTPROF_PRINTF(2, 3);
static void bprintf(struct ctprof_buf *b, const char *fmt, ...)
{
	char tmp[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(tmp)) {
		ctprof_buf_append(b, tmp, (size_t)n);
		return;
	}
	if (ctprof_buf_reserve(b, (size_t)n + 1) < 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

static bool stepped(const char *unit, enum ctprof_ladder l)
{
	return strcmp(unit, ctprof_ladder_base_unit(l)) != 0;
}

void rf_scaled_u64(struct ctprof_buf *b, uint64_t v, enum ctprof_ladder l)
{
	const char *unit;
	double s = rf_auto_scale((double)v, l, &unit);

	if (!stepped(unit, l))
		bprintf(b, "%" PRIu64 "%s", v, unit);
	else
		bprintf(b, "%.3f%s", s, unit);
}

void rf_cpu_range(struct ctprof_buf *b, const uint32_t *cpus, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t j = i;

		while (j + 1 < n && cpus[j + 1] == cpus[j] + 1)
			j++;
		if (i)
			ctprof_buf_putc(b, ',');
		if (j == i)
			bprintf(b, "%" PRIu32, cpus[i]);
		else
			bprintf(b, "%" PRIu32 "-%" PRIu32, cpus[i], cpus[j]);
		i = j + 1;
	}
}

void rf_value(struct ctprof_buf *b, const struct ctprof_aggv *v, enum ctprof_ladder l)
{
	switch (v->kind) {
	case CTPROF_AV_SUM:
	case CTPROF_AV_MAX:
		rf_scaled_u64(b, v->u, l);
		return;
	case CTPROF_AV_ABSENT:
		ctprof_buf_putc(b, '-');
		return;
	case CTPROF_AV_RANGE:
		if (v->range.min == v->range.max)
			bprintf(b, "%" PRId64, v->range.min);
		else
			bprintf(b, "%" PRId64 "..%" PRId64, v->range.min, v->range.max);
		break;
	case CTPROF_AV_MODE: {
		uint64_t cnt;
		const char *m = ctprof_aggv_mode(v, &cnt);

		if (v->n == 0)
			m = "~";
		if (cnt == v->mode.total && cnt > 0) {
			rf_name(b, m, strlen(m));
		} else {
			rf_name(b, m, strlen(m));
			bprintf(b, " (%" PRIu64 "/%" PRIu64 ")", cnt, v->mode.total);
		}
		break;
	}
	case CTPROF_AV_AFFINITY:
		if (v->uniform) {
			bprintf(b, "%" PRIu32 " cpus (", v->n);
			rf_cpu_range(b, v->aff.cpus, v->n);
			ctprof_buf_putc(b, ')');
		} else if (v->aff.min_cpus == v->aff.max_cpus) {
			bprintf(b, "%" PRIu32 " cpus (mixed)", v->aff.min_cpus);
		} else {
			bprintf(b, "%" PRIu32 "-%" PRIu32 " cpus (mixed)", v->aff.min_cpus,
				v->aff.max_cpus);
		}
		break;
	default:
		ctprof_buf_putc(b, '-');
		return;
	}
	ctprof_buf_puts(b, ctprof_ladder_base_unit(l));
}

void rf_delta(struct ctprof_buf *b, double d, enum ctprof_ladder l)
{
	const char *unit;
	double s = rf_auto_scale(d, l, &unit);

	if (!stepped(unit, l) && d == trunc(d)) {
		int64_t i;

		/* Rust's `as i64` saturates */
		if (d >= 9223372036854775807.0)
			i = INT64_MAX;
		else if (d <= -9223372036854775808.0)
			i = INT64_MIN;
		else
			i = (int64_t)d;
		bprintf(b, "%+" PRId64 "%s", i, unit);
	} else {
		bprintf(b, "%+.3f%s", s, unit);
	}
}

void rf_pct(struct ctprof_buf *b, double frac)
{
	bprintf(b, "%+.1f%%", frac * 100.0);
}

void rf_derived(struct ctprof_buf *b, double v, enum ctprof_ladder l, bool ratio)
{
	const char *unit;
	double s;

	if (ratio) {
		bprintf(b, "%.3f", v);
		return;
	}
	s = rf_auto_scale(v, l, &unit);
	if (!stepped(unit, l))
		bprintf(b, "%.2f%s", v, unit);
	else
		bprintf(b, "%.3f%s", s, unit);
}

void rf_derived_delta(struct ctprof_buf *b, double d, enum ctprof_ladder l, bool ratio)
{
	const char *unit;
	double s;

	if (ratio) {
		bprintf(b, "%+.3f", d);
		return;
	}
	s = rf_auto_scale(d, l, &unit);
	if (!stepped(unit, l))
		bprintf(b, "%+.2f%s", d, unit);
	else
		bprintf(b, "%+.3f%s", s, unit);
}

void rf_cgroup_cell(struct ctprof_buf *b, const uint64_t *a, const uint64_t *c,
		    enum ctprof_ladder l)
{
	if (a && c) {
		__int128 d = (__int128)*c - (__int128)*a;

		rf_scaled_u64(b, *a, l);
		ctprof_buf_puts(b, ARROW);
		rf_scaled_u64(b, *c, l);
		ctprof_buf_puts(b, " (");
		rf_delta(b, (double)d, l);
		ctprof_buf_putc(b, ')');
	} else if (a) {
		rf_scaled_u64(b, *a, l);
		ctprof_buf_puts(b, ARROW "-");
	} else if (c) {
		ctprof_buf_puts(b, "-" ARROW);
		rf_scaled_u64(b, *c, l);
	} else {
		ctprof_buf_putc(b, '-');
	}
}

void rf_psi_avg(struct ctprof_buf *b, uint16_t v)
{
	bprintf(b, "%u.%02u%%", (unsigned)(v / 100), (unsigned)(v % 100));
}

void rf_psi_cell(struct ctprof_buf *b, const uint16_t *a, const uint16_t *c)
{
	if (a && c) {
		int d = (int)*c - (int)*a;
		unsigned ad = (unsigned)(d < 0 ? -d : d);

		rf_psi_avg(b, *a);
		ctprof_buf_puts(b, ARROW);
		rf_psi_avg(b, *c);
		bprintf(b, " (%c%u.%02u%%)", d >= 0 ? '+' : '-', ad / 100, ad % 100);
	} else if (a) {
		rf_psi_avg(b, *a);
		ctprof_buf_puts(b, ARROW "-");
	} else if (c) {
		ctprof_buf_puts(b, "-" ARROW);
		rf_psi_avg(b, *c);
	} else {
		ctprof_buf_putc(b, '-');
	}
}

void rf_opt_limit(struct ctprof_buf *b, const struct ctprof_opt_u64 *v, enum ctprof_ladder l)
{
	if (v && v->set)
		rf_scaled_u64(b, v->v, l);
	else
		ctprof_buf_puts(b, "max");
}

void rf_limit_pair(struct ctprof_buf *b, const struct ctprof_opt_u64 *a,
		   const struct ctprof_opt_u64 *c, enum ctprof_ladder l)
{
	bool as = a && a->set, cs = c && c->set;

	rf_opt_limit(b, a, l);
	if (as == cs && (!as || a->v == c->v))
		return;
	ctprof_buf_puts(b, ARROW);
	rf_opt_limit(b, c, l);
}

void rf_cpu_max(struct ctprof_buf *b, const struct ctprof_opt_u64 *quota, uint64_t period)
{
	rf_opt_limit(b, quota, CTPROF_LADDER_US);
	ctprof_buf_putc(b, '/');
	rf_scaled_u64(b, period, CTPROF_LADDER_US);
}

void rf_cpu_max_pair(struct ctprof_buf *b, const struct ctprof_cgroup_stats *a,
		     const struct ctprof_cgroup_stats *c)
{
	struct ctprof_buf x = { 0 }, y = { 0 };

	if (a)
		rf_cpu_max(&x, &a->cpu.max_quota_us, a->cpu.max_period_us);
	else
		ctprof_buf_putc(&x, '-');
	if (c)
		rf_cpu_max(&y, &c->cpu.max_quota_us, c->cpu.max_period_us);
	else
		ctprof_buf_putc(&y, '-');
	if (!x.oom && !y.oom) {
		ctprof_buf_append(b, x.data, x.len);
		if (x.len != y.len || memcmp(x.data, y.data, x.len) != 0) {
			ctprof_buf_puts(b, ARROW);
			ctprof_buf_append(b, y.data, y.len);
		}
	} else {
		b->oom = true;
	}
	ctprof_buf_free(&x);
	ctprof_buf_free(&y);
}

void rf_threads(struct ctprof_buf *b, uint64_t a, uint64_t c)
{
	if (a == c)
		bprintf(b, "%" PRIu64, a);
	else
		bprintf(b, "%" PRIu64 "\xe2\x86\x92%" PRIu64, a, c);
}

void rf_name(struct ctprof_buf *b, const char *s, size_t len)
{
	size_t i, start = 0;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c != 0x7f)
			continue;
		ctprof_buf_append(b, s + start, i - start);
		if (c == 0)
			ctprof_buf_putc(b, ' ');
		else
			bprintf(b, "\\x%02x", c);
		start = i + 1;
	}
	ctprof_buf_append(b, s + start, len - start);
}
