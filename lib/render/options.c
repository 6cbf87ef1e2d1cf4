/* SPDX-License-Identifier: MIT */
/* --display-format, --columns, --sections and --metrics (§10, §11.1). */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rnd.h"

static const char *const section_names[CTPROF_RS__COUNT] = {
	[CTPROF_RS_PRIMARY] = "primary",
	[CTPROF_RS_TASKSTATS_DELAY] = "taskstats-delay",
	[CTPROF_RS_DERIVED] = "derived",
	[CTPROF_RS_CGROUP_STATS] = "cgroup-stats",
	[CTPROF_RS_CGROUP_LIMITS] = "cgroup-limits",
	[CTPROF_RS_MEMORY_STAT] = "memory-stat",
	[CTPROF_RS_MEMORY_EVENTS] = "memory-events",
	[CTPROF_RS_PRESSURE] = "pressure",
	[CTPROF_RS_HOST_PRESSURE] = "host-pressure",
	[CTPROF_RS_SMAPS_ROLLUP] = "smaps-rollup",
	[CTPROF_RS_SCHED_EXT] = "sched-ext",
	[CTPROF_RS_HOST] = "host",
	[CTPROF_RS_SUMMARIES] = "summaries",
};

CTPROF_API const char *ctprof_section_name(enum ctprof_report_section s)
{
	return (unsigned)s < CTPROF_RS__COUNT ? section_names[s] : "?";
}

CTPROF_API bool ctprof_section_cgroup_only(enum ctprof_report_section s)
{
	return s == CTPROF_RS_CGROUP_STATS || s == CTPROF_RS_CGROUP_LIMITS ||
	       s == CTPROF_RS_MEMORY_STAT || s == CTPROF_RS_MEMORY_EVENTS || s == CTPROF_RS_PRESSURE;
}

CTPROF_API int ctprof_display_format_parse(const char *s, enum ctprof_display_format *out)
{
	static const struct {
		const char *name;
		enum ctprof_display_format f;
	} t[] = {
		{ "full", CTPROF_DISPLAY_FULL },     { "delta-only", CTPROF_DISPLAY_DELTA_ONLY },
		{ "no-pct", CTPROF_DISPLAY_NO_PCT }, { "arrow", CTPROF_DISPLAY_ARROW },
		{ "pct-only", CTPROF_DISPLAY_PCT_ONLY },
	};
	size_t i;

	for (i = 0; s && i < sizeof(t) / sizeof(t[0]); i++) {
		if (strcmp(s, t[i].name) == 0) {
			*out = t[i].f;
			return 0;
		}
	}
	return -EINVAL;
}

/* Iterate the comma-separated entries of spec, trimmed. */
struct entries {
	const char *p;
	bool done;
};

static bool next_entry(struct entries *e, const char **s, size_t *n)
{
	const char *comma;
	size_t len;

	if (e->done)
		return false;
	comma = strchr(e->p, ',');
	len = comma ? (size_t)(comma - e->p) : strlen(e->p);
	*s = e->p;
	while (len && isspace((unsigned char)**s)) {
		(*s)++;
		len--;
	}
	while (len && isspace((unsigned char)(*s)[len - 1]))
		len--;
	*n = len;
	if (comma)
		e->p = comma + 1;
	else
		e->done = true;
	return true;
}

CTPROF_API int ctprof_columns_parse(const char *spec, bool show, enum ctprof_column **cols,
				    size_t *ncols, struct ctprof_error *err)
{
	static const struct {
		const char *name;
		enum ctprof_column c;
	} t[] = {
		{ "group", CTPROF_COL_GROUP },	     { "threads", CTPROF_COL_THREADS },
		{ "metric", CTPROF_COL_METRIC },     { "baseline", CTPROF_COL_BASELINE },
		{ "candidate", CTPROF_COL_CANDIDATE }, { "delta", CTPROF_COL_DELTA },
		{ "%", CTPROF_COL_PCT },	     { "arrow", CTPROF_COL_ARROW },
		{ "value", CTPROF_COL_VALUE },	     { "tags", CTPROF_COL_TAGS },
		{ "uptime", CTPROF_COL_UPTIME },
	};
	enum ctprof_column *out = NULL;
	bool seen[CTPROF_COL_SORTBY + 1] = { false };
	struct entries e = { spec, false };
	const char *s;
	size_t n = 0, len, i;
	int r;

	*cols = NULL;
	*ncols = 0;
	if (!spec || !*spec)
		return 0;
	out = ctprof_calloc(sizeof(t) / sizeof(t[0]) + 1, sizeof(*out));
	if (!out)
		return ctprof_err(err, -ENOMEM, "columns: out of memory");
	while (next_entry(&e, &s, &len)) {
		bool found = false;

		if (len == 0) {
			r = ctprof_err(err, -EINVAL, "empty entry in --columns \"%s\"", spec);
			goto fail;
		}
		for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
			if (strlen(t[i].name) == len && strncasecmp(s, t[i].name, len) == 0) {
				found = true;
				break;
			}
		}
		if (!found) {
			r = ctprof_err(err, -EINVAL,
				       "unknown column \"%.*s\" in --columns; valid: group, threads, "
				       "metric, %s%s", (int)len, s,
				       show ? "value, tags, uptime"
					    : "baseline, candidate, delta, %, arrow, tags, uptime",
				       "");
			goto fail;
		}
		if (show ? (t[i].c == CTPROF_COL_BASELINE || t[i].c == CTPROF_COL_CANDIDATE ||
			    t[i].c == CTPROF_COL_DELTA || t[i].c == CTPROF_COL_PCT ||
			    t[i].c == CTPROF_COL_ARROW)
			 : t[i].c == CTPROF_COL_VALUE) {
			r = ctprof_err(err, -EINVAL, "column \"%s\" is not available in %s", t[i].name,
				       show ? "show (one snapshot)" : "compare (use arrow)");
			goto fail;
		}
		if (seen[t[i].c]) {
			r = ctprof_err(err, -EINVAL, "duplicate column \"%s\" in --columns", t[i].name);
			goto fail;
		}
		seen[t[i].c] = true;
		out[n++] = t[i].c;
	}
	if (seen[CTPROF_COL_ARROW] && (seen[CTPROF_COL_BASELINE] || seen[CTPROF_COL_CANDIDATE])) {
		r = ctprof_err(err, -EINVAL,
			       "--columns: arrow already shows baseline and candidate; do not combine "
			       "it with baseline or candidate");
		goto fail;
	}
	*cols = out;
	*ncols = n;
	return 0;
fail:
	free(out);
	return r;
}

CTPROF_API int ctprof_sections_parse(const char *spec, uint32_t *mask, struct ctprof_error *err)
{
	struct entries e = { spec, false };
	const char *s;
	uint32_t m = 0;
	size_t len, i;

	*mask = 0;
	if (!spec || !*spec)
		return 0;
	while (next_entry(&e, &s, &len)) {
		bool found = false;

		if (len == 0)
			return ctprof_err(err, -EINVAL, "empty entry in --sections \"%s\"", spec);
		for (i = 0; i < CTPROF_RS__COUNT; i++) {
			if (strlen(section_names[i]) == len && strncasecmp(s, section_names[i], len) == 0) {
				found = true;
				break;
			}
		}
		if (!found)
			return ctprof_err(err, -EINVAL,
					  "unknown section \"%.*s\" in --sections; valid: primary, "
					  "taskstats-delay, derived, cgroup-stats, cgroup-limits, "
					  "memory-stat, memory-events, pressure, host-pressure, "
					  "smaps-rollup, sched-ext, host, summaries", (int)len, s);
		if (m >> i & 1)
			return ctprof_err(err, -EINVAL, "duplicate section \"%s\" in --sections",
					  section_names[i]);
		m |= 1u << i;
	}
	*mask = m;
	return 0;
}

CTPROF_API int ctprof_metrics_parse(const char *spec, struct ctprof_metric_filter *f,
				    struct ctprof_error *err)
{
	struct entries e = { spec, false };
	const char *s;
	size_t len;

	memset(f, 0, sizeof(*f));
	if (!spec || !*spec)
		return 0;
	while (next_entry(&e, &s, &len)) {
		char name[128];
		enum ctprof_metric_kind k = CTPROF_MK_NONE;
		unsigned idx = 0;

		if (len == 0)
			return ctprof_err(err, -EINVAL, "empty entry in --metrics \"%s\"", spec);
		if (len < sizeof(name)) {
			memcpy(name, s, len);
			name[len] = '\0';
			k = ctprof_metric_lookup(name, &idx);
		}
		if (k == CTPROF_MK_NONE)
			return ctprof_err(err, -EINVAL,
					  "unknown metric \"%.*s\" in --metrics (see "
					  "'ctprof-harness metric-list')", (int)len, s);
		if (k == CTPROF_MK_PRIMARY ? f->primary[idx] : f->derived[idx])
			return ctprof_err(err, -EINVAL, "duplicate metric \"%s\" in --metrics", name);
		if (k == CTPROF_MK_PRIMARY)
			f->primary[idx] = true;
		else
			f->derived[idx] = true;
		f->active = true;
	}
	return 0;
}
