/* SPDX-License-Identifier: MIT */
/* `metric-list` (compare-engine.md §11.3): tags, sections, metrics, derived. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rnd.h"

static const struct {
	const char *tag, *kind, *meaning;
} tags[] = {
	{ "cfs-only", "sched_class",
	  "counted only on CFS (fair class) code paths; stays 0 for tasks on sched_ext, RT, "
	  "deadline or idle" },
	{ "non-ext", "sched_class",
	  "written by the schedstats wait/sleep helpers that CFS, RT and deadline call and "
	  "sched_ext does not" },
	{ "fair-policy", "sched_class",
	  "reported only while the task's policy is fair (SCHED_NORMAL, SCHED_BATCH, and "
	  "SCHED_EXT on kernels with CONFIG_SCHED_CLASS_EXT)" },
	{ "SCHED_INFO", "config_gate",
	  "needs CONFIG_SCHED_INFO: /proc/<tid>/schedstat (run_time_ns, wait_time_ns, "
	  "timeslices)" },
	{ "SCHEDSTATS", "config_gate",
	  "needs CONFIG_SCHEDSTATS (and schedstats enabled): the counters of /proc/<tid>/sched" },
	{ "SCHED_CORE", "config_gate", "needs CONFIG_SCHED_CORE (core scheduling)" },
	{ "SCHED_CLASS_EXT", "config_gate",
	  "needs CONFIG_SCHED_CLASS_EXT; without it no task can be on sched_ext" },
	{ "TASK_IO_ACCOUNTING", "config_gate", "needs CONFIG_TASK_IO_ACCOUNTING: /proc/<tid>/io" },
	{ "TASKSTATS", "config_gate",
	  "needs CONFIG_TASKSTATS and CAP_NET_ADMIN: the taskstats genetlink family; a group "
	  "where no thread was measured shows -" },
	{ "TASK_DELAY_ACCT", "config_gate",
	  "needs CONFIG_TASK_DELAY_ACCT; every delay family except cpu also needs delay "
	  "accounting switched on (delayacct boot option or kernel.task_delayacct)" },
	{ "TASK_XACCT", "config_gate",
	  "needs CONFIG_TASK_XACCT: the per-mm high-water marks" },
	{ "dead", "status",
	  "the kernel exposes the counter but never increments it (no current metric has this "
	  "tag)" },
};

static const struct {
	enum ctprof_report_section s;
	const char *heading, *description;
} sections[] = {
	{ CTPROF_RS_PRIMARY, "## Primary metrics",
	  "The per-group metric table, without the taskstats rows." },
	{ CTPROF_RS_TASKSTATS_DELAY, "(rows of the primary and derived tables)",
	  "The taskstats rows: eight delay families (count, total, max, min) and the two "
	  "high-water marks, plus the derived delay averages." },
	{ CTPROF_RS_DERIVED, "## Derived metrics",
	  "Ratios and averages computed from each group's aggregated metrics." },
	{ CTPROF_RS_CGROUP_STATS, "## CgroupStats (compare; no heading in show)",
	  "cpu.stat and memory.current per cgroup. Needs --group-by cgroup." },
	{ CTPROF_RS_CGROUP_LIMITS, "## Cgroup limits / knobs",
	  "cpu.max, cpu.weight, memory.max, memory.high, pids.current, pids.max. Needs "
	  "--group-by cgroup." },
	{ CTPROF_RS_MEMORY_STAT, "## memory.stat",
	  "memory.stat keys per cgroup (changed keys in compare, non-zero in show). Needs "
	  "--group-by cgroup." },
	{ CTPROF_RS_MEMORY_EVENTS, "## memory.events",
	  "memory.events counters per cgroup. Needs --group-by cgroup." },
	{ CTPROF_RS_PRESSURE, "## Pressure / <resource>",
	  "Per-cgroup PSI, one table per resource with data. Needs --group-by cgroup." },
	{ CTPROF_RS_HOST_PRESSURE, "## Host pressure / <resource>",
	  "System PSI from /proc/pressure, one table per resource with data." },
	{ CTPROF_RS_SMAPS_ROLLUP, "## smaps_rollup",
	  "Per-process smaps_rollup in bytes, keyed by the pcomm pattern (pcomm[tgid] with "
	  "--no-thread-normalize); processes sharing a key are summed." },
	{ CTPROF_RS_SCHED_EXT, "## sched_ext",
	  "The global sched_ext sysfs attributes (state, switch_all, nr_rejected, hotplug_seq, "
	  "enable_seq)." },
	{ CTPROF_RS_HOST, "## Host context",
	  "Beyond ktstr: the host context (kernel, CPU, memory, THP, tunables, governors) and "
	  "how it differs between the snapshots." },
	{ CTPROF_RS_SUMMARIES, "## Capture summaries",
	  "Beyond ktstr: the jemalloc probe, procfs parse and taskstats tallies of each "
	  "capture, side by side." },
};

static const char *rule_name(enum ctprof_agg a)
{
	switch (a) {
	case CTPROF_AGG_SUM_COUNT:
		return "SumCount";
	case CTPROF_AGG_SUM_NS:
		return "SumNs";
	case CTPROF_AGG_SUM_TICKS:
		return "SumTicks";
	case CTPROF_AGG_SUM_BYTES:
		return "SumBytes";
	case CTPROF_AGG_MAX_PEAK:
		return "MaxPeak";
	case CTPROF_AGG_MAX_PEAK_BYTES:
		return "MaxPeakBytes";
	case CTPROF_AGG_MAX_GAUGE_NS:
		return "MaxGaugeNs";
	case CTPROF_AGG_MAX_GAUGE_COUNT:
		return "MaxGaugeCount";
	case CTPROF_AGG_RANGE_I32:
		return "RangeI32";
	case CTPROF_AGG_RANGE_U32:
		return "RangeU32";
	case CTPROF_AGG_MODE:
		return "Mode";
	case CTPROF_AGG_MODE_CHAR:
		return "ModeChar";
	case CTPROF_AGG_MODE_BOOL:
		return "ModeBool";
	case CTPROF_AGG_AFFINITY:
		return "Affinity";
	default:
		return "None";
	}
}

static const char *polarity_name(enum ctprof_polarity p)
{
	return p == CTPROF_POL_LOWER_BETTER ? "lower-better"
	       : p == CTPROF_POL_HIGHER_BETTER ? "higher-better" : "informational";
}

static const char *derived_unit(const struct ctprof_derived_metric *d)
{
	return d->is_ratio ? "ratio" : ctprof_ladder_base_unit(d->ladder);
}

static void inputs_text(struct ctprof_buf *b, const struct ctprof_derived_metric *d)
{
	unsigned i;

	for (i = 0; i < d->n_inputs; i++) {
		if (i)
			ctprof_buf_puts(b, ", ");
		ctprof_buf_puts(b, ctprof_metrics()[d->inputs[i]].name);
	}
}

static int text(struct ctprof_buf *b)
{
	const struct ctprof_metric *m = ctprof_metrics();
	const struct ctprof_derived_metric *d = ctprof_derived_metrics();
	struct rt_table t;
	const char *kind = NULL;
	size_t i;
	int r;

	ctprof_buf_puts(b, "## Tag legend\n");
	for (i = 0; i < sizeof(tags) / sizeof(tags[0]); i++) {
		char line[64];

		if (!kind || strcmp(kind, tags[i].kind) != 0) {
			kind = tags[i].kind;
			ctprof_buf_puts(b, "\n");
			ctprof_buf_puts(b, kind);
			ctprof_buf_puts(b, strcmp(kind, "config_gate") == 0
						   ? " (kernel CONFIG_ options, prefix dropped):\n"
						   : ":\n");
		}
		(void)snprintf(line, sizeof(line), "  [%s]", tags[i].tag);
		ctprof_buf_puts(b, line);
		{
			size_t pad = strlen(line) < 24 ? 24 - strlen(line) : 1;

			while (pad--)
				ctprof_buf_putc(b, ' ');
		}
		ctprof_buf_puts(b, tags[i].meaning);
		ctprof_buf_putc(b, '\n');
	}

	ctprof_buf_puts(b, "\n## Sections\n\n");
	rt_init(&t, 3);
	rt_row(&t, RT_HEADER);
	rt_cells(&t, "section", RT_NONE, false);
	rt_cells(&t, "rendered heading", RT_NONE, false);
	rt_cells(&t, "description", RT_NONE, false);
	for (i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
		rt_row(&t, RT_DATA);
		rt_cells(&t, ctprof_section_name(sections[i].s), RT_NONE, false);
		rt_cells(&t, sections[i].heading, RT_NONE, false);
		rt_cells(&t, sections[i].description, RT_NONE, false);
	}
	r = rt_render(&t, b, false, 0);
	rt_free(&t);
	if (r < 0)
		return r;

	ctprof_buf_puts(b, "\n## Metrics\n\n");
	rt_init(&t, 3);
	rt_row(&t, RT_HEADER);
	rt_cells(&t, "metric", RT_NONE, false);
	rt_cells(&t, "tags", RT_NONE, false);
	rt_cells(&t, "description", RT_NONE, false);
	for (i = 0; i < CTPROF_NMETRICS; i++) {
		char tg[160];

		ctprof_metric_tags(&m[i], tg, sizeof(tg));
		rt_row(&t, RT_DATA);
		rt_cells(&t, m[i].name, RT_NONE, false);
		rt_cells(&t, tg, RT_NONE, false);
		rt_cells(&t, m[i].description, RT_NONE, false);
	}
	r = rt_render(&t, b, false, 0);
	rt_free(&t);
	if (r < 0)
		return r;

	ctprof_buf_puts(b, "\n## Derived metrics\n\n");
	rt_init(&t, 4);
	rt_row(&t, RT_HEADER);
	rt_cells(&t, "metric", RT_NONE, false);
	rt_cells(&t, "unit", RT_NONE, false);
	rt_cells(&t, "inputs", RT_NONE, false);
	rt_cells(&t, "description", RT_NONE, false);
	for (i = 0; i < CTPROF_NDERIVED; i++) {
		struct ctprof_buf in = { 0 };

		inputs_text(&in, &d[i]);
		rt_row(&t, RT_DATA);
		rt_cells(&t, d[i].name, RT_NONE, false);
		rt_cells(&t, derived_unit(&d[i]), RT_NONE, false);
		rt_cell(&t, in.data ? in.data : "", in.len, RT_NONE, false);
		rt_cells(&t, d[i].description, RT_NONE, false);
		ctprof_buf_free(&in);
	}
	r = rt_render(&t, b, false, 0);
	rt_free(&t);
	return r;
}

static void jstr(struct ctprof_buf *b, const char *s)
{
	rj_str(b, s, strlen(s));
}

static int json(struct ctprof_buf *b)
{
	const struct ctprof_metric *m = ctprof_metrics();
	const struct ctprof_derived_metric *d = ctprof_derived_metrics();
	size_t i;
	unsigned k;

	ctprof_buf_puts(b, "{\"tags\":[");
	for (i = 0; i < sizeof(tags) / sizeof(tags[0]); i++) {
		if (i)
			ctprof_buf_putc(b, ',');
		ctprof_buf_puts(b, "{\"tag\":");
		jstr(b, tags[i].tag);
		ctprof_buf_puts(b, ",\"kind\":");
		jstr(b, tags[i].kind);
		ctprof_buf_puts(b, ",\"meaning\":");
		jstr(b, tags[i].meaning);
		ctprof_buf_putc(b, '}');
	}
	ctprof_buf_puts(b, "],\"sections\":[");
	for (i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
		if (i)
			ctprof_buf_putc(b, ',');
		ctprof_buf_puts(b, "{\"name\":");
		jstr(b, ctprof_section_name(sections[i].s));
		ctprof_buf_puts(b, ",\"heading\":");
		jstr(b, sections[i].heading);
		ctprof_buf_puts(b, ",\"cgroup_only\":");
		ctprof_buf_puts(b, ctprof_section_cgroup_only(sections[i].s) ? "true" : "false");
		ctprof_buf_puts(b, ",\"description\":");
		jstr(b, sections[i].description);
		ctprof_buf_putc(b, '}');
	}
	ctprof_buf_puts(b, "],\"metrics\":[");
	for (i = 0; i < CTPROF_NMETRICS; i++) {
		char tg[160], *p, *save = NULL;
		bool first = true;

		if (i)
			ctprof_buf_putc(b, ',');
		ctprof_buf_puts(b, "{\"name\":");
		jstr(b, m[i].name);
		ctprof_buf_puts(b, ",\"rule\":");
		jstr(b, rule_name(m[i].agg));
		ctprof_buf_puts(b, ",\"unit\":");
		jstr(b, ctprof_ladder_base_unit(m[i].ladder));
		ctprof_buf_puts(b, ",\"section\":");
		jstr(b, m[i].section == CTPROF_SEC_TASKSTATS_DELAY ? "taskstats-delay" : "primary");
		ctprof_buf_puts(b, ",\"polarity\":");
		jstr(b, polarity_name(m[i].polarity));
		ctprof_buf_puts(b, ",\"tags\":[");
		ctprof_metric_tags(&m[i], tg, sizeof(tg));
		for (p = strtok_r(tg, " ", &save); p; p = strtok_r(NULL, " ", &save)) {
			size_t l = strlen(p);

			if (!first)
				ctprof_buf_putc(b, ',');
			first = false;
			rj_str(b, p + 1, l >= 2 ? l - 2 : 0); /* without the brackets */
		}
		ctprof_buf_puts(b, "],\"description\":");
		jstr(b, m[i].description);
		ctprof_buf_putc(b, '}');
	}
	ctprof_buf_puts(b, "],\"derived_metrics\":[");
	for (i = 0; i < CTPROF_NDERIVED; i++) {
		if (i)
			ctprof_buf_putc(b, ',');
		ctprof_buf_puts(b, "{\"name\":");
		jstr(b, d[i].name);
		ctprof_buf_puts(b, ",\"unit\":");
		jstr(b, derived_unit(&d[i]));
		ctprof_buf_puts(b, ",\"inputs\":[");
		for (k = 0; k < d[i].n_inputs; k++) {
			if (k)
				ctprof_buf_putc(b, ',');
			jstr(b, m[d[i].inputs[k]].name);
		}
		ctprof_buf_puts(b, "],\"section\":");
		jstr(b, d[i].section == CTPROF_SEC_TASKSTATS_DELAY ? "taskstats-delay" : "derived");
		ctprof_buf_puts(b, ",\"polarity\":");
		jstr(b, polarity_name(d[i].polarity));
		ctprof_buf_puts(b, ",\"description\":");
		jstr(b, d[i].description);
		ctprof_buf_putc(b, '}');
	}
	ctprof_buf_puts(b, "]}\n");
	return b->oom ? -ENOMEM : 0;
}

CTPROF_API int ctprof_render_metric_list(enum ctprof_output_format f, char **out, size_t *len,
					 struct ctprof_error *err)
{
	struct ctprof_buf b = { 0 };
	int r;

	/* allocation failures swallowed on the way are reported by the finish */
	(void)ctprof_alloc_failed_take();
	if (!out)
		return ctprof_err(err, -EINVAL, "metric-list: missing output");
	if (!ctprof_metrics() || !ctprof_derived_metrics())
		return ctprof_err(err, -EINVAL, "metric-list: internal error: metric table is inconsistent");
	r = f == CTPROF_OUT_JSON ? json(&b) : text(&b);
	return rt_finish(&b, r, out, len, err, "metric-list");
}
