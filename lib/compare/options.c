/* SPDX-License-Identifier: MIT */
/* --sort-by parsing (compare-engine.md §8.3). */
#include <ctype.h>
#include <strings.h>
#include <errno.h>
#include <stdlib.h>

#include "cmp.h"

static void trim(const char **s, size_t *n)
{
	while (*n && isspace((unsigned char)**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n && isspace((unsigned char)(*s)[*n - 1]))
		(*n)--;
}

static int cmp_cstr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* "a, b, c": every primary and derived name, sorted. */
static int valid_names(struct ctprof_buf *b)
{
	const char *names[CTPROF_NMETRICS + CTPROF_NDERIVED];
	const struct ctprof_metric *m = ctprof_metrics();
	const struct ctprof_derived_metric *d = ctprof_derived_metrics();
	size_t i, n = 0;

	for (i = 0; i < CTPROF_NMETRICS; i++)
		names[n++] = m[i].name;
	for (i = 0; i < CTPROF_NDERIVED; i++)
		names[n++] = d[i].name;
	qsort(names, n, sizeof(names[0]), cmp_cstr);
	for (i = 0; i < n; i++) {
		if (i)
			ctprof_buf_puts(b, ", ");
		ctprof_buf_puts(b, names[i]);
	}
	return b->oom ? -ENOMEM : 0;
}

CTPROF_API int ctprof_sort_by_parse(const char *spec, struct ctprof_sort_key **keys, size_t *nkeys,
				    struct ctprof_error *err)
{
	const struct ctprof_metric *m = ctprof_metrics();
	struct ctprof_sort_key *out = NULL;
	size_t n = 0, cap = 0;
	const char *p;
	int r;

	if (!m || !ctprof_derived_metrics())
		return ctprof_err(err, -EINVAL, "sort-by: internal error: metric table is inconsistent");
	*keys = NULL;
	*nkeys = 0;
	if (!spec || !*spec)
		return 0;
	p = spec;
	for (;;) {
		const char *comma = strchr(p, ','), *name = p, *colon;
		size_t len = comma ? (size_t)(comma - p) : strlen(p), nlen;
		char namebuf[128];
		bool desc = true;
		enum ctprof_metric_kind kind;
		unsigned idx = 0;
		size_t i;

		trim(&name, &len);
		if (len == 0) {
			r = ctprof_err(err, -EINVAL,
				       "empty entry in --sort-by spec \"%s\"; entries are "
				       "comma-separated and must be non-empty", spec);
			goto fail;
		}
		colon = memchr(name, ':', len);
		nlen = colon ? (size_t)(colon - name) : len;
		if (colon) {
			const char *dir = colon + 1;
			size_t dlen = len - nlen - 1;

			trim(&dir, &dlen);
			if (dlen == 4 && strncasecmp(dir, "desc", 4) == 0) {
				desc = true;
			} else if (dlen == 3 && strncasecmp(dir, "asc", 3) == 0) {
				desc = false;
			} else {
				r = ctprof_err(err, -EINVAL,
					       "invalid direction \"%.*s\" in --sort-by entry \"%.*s\"; "
					       "expected asc or desc", (int)dlen, dir, (int)len, name);
				goto fail;
			}
		}
		trim(&name, &nlen);
		if (nlen == 0 || nlen >= sizeof(namebuf)) {
			kind = CTPROF_MK_NONE;
		} else {
			memcpy(namebuf, name, nlen);
			namebuf[nlen] = '\0';
			kind = ctprof_metric_lookup(namebuf, &idx);
		}
		if (kind == CTPROF_MK_NONE) {
			struct ctprof_buf vb = { 0 };

			valid_names(&vb);
			r = ctprof_err(err, -EINVAL,
				       "unknown metric \"%.*s\" in --sort-by spec \"%s\"; use the "
				       "bare metric name without [tag] suffixes; must be one of: %s",
				       (int)nlen, name, spec, vb.data ? vb.data : "");
			ctprof_buf_free(&vb);
			goto fail;
		}
		if (kind == CTPROF_MK_PRIMARY &&
		    (m[idx].agg == CTPROF_AGG_MODE || m[idx].agg == CTPROF_AGG_MODE_CHAR ||
		     m[idx].agg == CTPROF_AGG_MODE_BOOL)) {
			r = ctprof_err(err, -EINVAL,
				       "metric \"%s\" is categorical (no numeric value to sort by); "
				       "--sort-by accepts sum, max, range and affinity metrics and "
				       "derived metrics", namebuf);
			goto fail;
		}
		for (i = 0; i < n; i++) {
			if (out[i].kind == kind && out[i].index == idx) {
				r = ctprof_err(err, -EINVAL,
					       "duplicate metric \"%s\" in --sort-by spec \"%s\"; each "
					       "metric may appear once", namebuf, spec);
				goto fail;
			}
		}
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 4;
			struct ctprof_sort_key *t = ctprof_realloc(out, nc * sizeof(*t));

			if (!t) {
				r = ctprof_err(err, -ENOMEM, "sort-by: out of memory");
				goto fail;
			}
			out = t;
			cap = nc;
		}
		out[n].kind = kind;
		out[n].index = idx;
		out[n].descending = desc;
		n++;
		if (!comma)
			break;
		p = comma + 1;
	}
	*keys = out;
	*nkeys = n;
	return 0;
fail:
	free(out);
	return r;
}
