// SPDX-License-Identifier: MIT
/*
 * Repeated runs and A/B series (run.h): run the workload N times (per side,
 * alternating A B A B ... for ab), then judge the candidate side against
 * the baseline side with ktstr's noise rule (ctprof_verdict_repeat), or
 * with a plain comparison when each side ran once.
 */
#include "run_int.h"

#include <ctprof/interval.h>
#include <ctprof/render.h>
#include <ctprof/verdict.h>

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SERIES_MAX_REPEAT 1000u

struct srun {
	char name[32];            /* "a-1", "b-1", "rep-3" */
	bool side_b;              /* ab: the B side; run --repeat: the candidate */
	struct ctprof_run *run;   /* NULL when it could not start */
	char err[1100];           /* why it could not start */
};

struct ctprof_series {
	enum ctprof_run_status status;
	char *dir, *tmp;
	struct srun *runs;
	size_t n_runs;
	struct ctprof_tap_step *steps;
	char **step_names;
	size_t n_steps;
	struct ctprof_verdict *verdict;
	char *tap;
	size_t tap_len;
	int cancelled;
	char gate_err[1100];
};

static int add_step(struct ctprof_series *s, const char *prefix, const struct ctprof_tap_step *st)
{
	struct ctprof_tap_step *t = ctprof_realloc(s->steps, (s->n_steps + 1) * sizeof(*t));
	char **n;
	size_t len;

	if (!t)
		return -ENOMEM;
	s->steps = t;
	n = ctprof_realloc(s->step_names, (s->n_steps + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	s->step_names = n;
	len = strlen(prefix) + strlen(st->name) + 3;
	n[s->n_steps] = ctprof_malloc(len);
	if (!n[s->n_steps])
		return -ENOMEM;
	(void)snprintf(n[s->n_steps], len, "%s: %s", prefix, st->name); /* sized exactly */
	t[s->n_steps] = *st;
	t[s->n_steps].name = n[s->n_steps];
	s->n_steps++;
	return 0;
}

static int groupsets(const struct ctprof_snapshot *const *snaps, size_t n,
		     const struct ctprof_compare_opts *co, struct ctprof_groupset ***out,
		     struct ctprof_error *err)
{
	struct ctprof_groupset **g = ctprof_calloc(n ? n : 1, sizeof(struct ctprof_groupset *));
	size_t i;
	int rc;

	if (!g)
		return ctprof_err(err, -ENOMEM, "series: out of memory");
	for (i = 0; i < n; i++) {
		rc = ctprof_groupset_build(snaps[i], co, &g[i], err);
		if (rc < 0) {
			while (i--)
				ctprof_groupset_free(g[i]);
			free(g);
			return rc;
		}
	}
	*out = g;
	return 0;
}

static void groupsets_free(struct ctprof_groupset **g, size_t n)
{
	size_t i;

	for (i = 0; g && i < n; i++)
		ctprof_groupset_free(g[i]);
	free(g);
}

static int judge(struct ctprof_series *s, const struct ctprof_series_opts *o, unsigned repeat,
		 struct ctprof_error *err)
{
	struct ctprof_compare_opts co = { .sz = sizeof(co) };
	const struct ctprof_snapshot **a = NULL, **b = NULL;
	struct ctprof_groupset **ga = NULL, **gb = NULL;
	size_t na = 0, nb = 0, i;
	int rc = 0;

	co.group_by = o->run->group_by;
	a = ctprof_calloc(s->n_runs + o->n_baseline + 1, sizeof(const struct ctprof_snapshot *));
	b = ctprof_calloc(s->n_runs + 1, sizeof(const struct ctprof_snapshot *));
	if (!a || !b) {
		rc = ctprof_err(err, -ENOMEM, "series: out of memory");
		goto out;
	}
	for (i = 0; i < o->n_baseline; i++)
		a[na++] = o->baseline[i];
	for (i = 0; i < s->n_runs; i++) {
		const struct ctprof_snapshot *iv = s->runs[i].run ?
							   ctprof_run_interval(s->runs[i].run) : NULL;

		if (!iv)
			continue;
		if (s->runs[i].side_b)
			b[nb++] = iv;
		else
			a[na++] = iv;
	}
	if (!nb) {
		rc = ctprof_err(err, -ENODATA, "gates: no %s run produced an interval",
				o->ab ? "B" : "");
		goto out;
	}
	if (repeat == 1 && na == 1 && nb == 1) {
		struct ctprof_diff *d = NULL;

		rc = ctprof_compare(a[0], b[0], &co, &d, err);
		if (rc == 0)
			rc = ctprof_verdict_compare(o->gates, d, &s->verdict, err);
		ctprof_diff_free(d);
		goto out;
	}
	rc = groupsets(a, na, &co, &ga, err);
	if (rc == 0)
		rc = groupsets(b, nb, &co, &gb, err);
	if (rc == 0) {
		struct ctprof_repeat_opts ro = { .sz = sizeof(ro), .max_noise = o->max_noise };

		rc = ctprof_verdict_repeat(o->gates, (const struct ctprof_groupset *const *)ga, na,
					   (const struct ctprof_groupset *const *)gb, nb, &ro,
					   &s->verdict, err);
	}
out:
	groupsets_free(ga, na);
	groupsets_free(gb, nb);
	free(a);
	free(b);
	return rc;
}

static char *series_json(const struct ctprof_series *s, const struct ctprof_series_opts *o,
			 unsigned repeat)
{
	cJSON *j = cJSON_CreateObject(), *a, *x;
	char *text;
	size_t i;

	if (!j)
		return NULL;
	cJSON_AddStringToObject(j, "kind", o->ab ? "ab" : "repeat");
	cJSON_AddNumberToObject(j, "repeat", repeat);
	cJSON_AddNumberToObject(j, "max_noise_pct", (o->max_noise > 0 ? o->max_noise : 0.01) * 100);
	if (o->ab) {
		if (o->a_scheduler)
			cJSON_AddStringToObject(j, "a_scheduler", o->a_scheduler);
		else
			cJSON_AddNullToObject(j, "a_scheduler");
		if (o->b_scheduler)
			cJSON_AddStringToObject(j, "b_scheduler", o->b_scheduler);
		else
			cJSON_AddNullToObject(j, "b_scheduler");
	} else if (o->baseline_name) {
		cJSON_AddStringToObject(j, "baseline", o->baseline_name);
		cJSON_AddNumberToObject(j, "baseline_runs", (double)o->n_baseline);
	}
	cJSON_AddStringToObject(j, "status", s->status == CTPROF_RUN_PASSED ? "passed" :
					     s->status == CTPROF_RUN_FAILED ? "failed" :
									      "incomplete");
	a = cJSON_AddArrayToObject(j, "runs");
	for (i = 0; i < s->n_runs; i++) {
		const struct srun *r = &s->runs[i];

		x = cJSON_CreateObject();
		cJSON_AddStringToObject(x, "dir", r->name);
		cJSON_AddStringToObject(x, "status", !r->run ? "not started" :
						     ctprof_run_status(r->run) == CTPROF_RUN_PASSED ?
											"passed" :
						     ctprof_run_status(r->run) == CTPROF_RUN_FAILED ?
											"failed" :
											"incomplete");
		if (!r->run)
			cJSON_AddStringToObject(x, "error", r->err);
		cJSON_AddItemToArray(a, x);
	}
	if (s->verdict) {
		x = cJSON_AddObjectToObject(j, "gates");
		cJSON_AddNumberToObject(x, "passed", (double)s->verdict->passed);
		cJSON_AddNumberToObject(x, "failed", (double)s->verdict->failed);
		cJSON_AddNumberToObject(x, "skipped", (double)s->verdict->skipped);
	} else {
		cJSON_AddNullToObject(j, "gates");
	}
	text = cJSON_Print(j);
	cJSON_Delete(j);
	return text;
}

CTPROF_API int ctprof_run_series(const struct ctprof_series_opts *o, struct ctprof_series **out,
				 struct ctprof_error *err)
{
	unsigned repeat = o && o->repeat ? o->repeat : 1, i, side;
	struct ctprof_buf pre = { 0 };
	struct ctprof_series *s;
	char line[1024];
	int rc = 0;

	if (out)
		*out = NULL;
	if (!o || o->sz < sizeof(*o) || !o->run || !o->out_dir || !out)
		return ctprof_err(err, -EINVAL, "series: missing options");
	if (repeat > SERIES_MAX_REPEAT)
		return ctprof_err(err, -EINVAL, "series: %u repeats (at most %u)", repeat,
				  SERIES_MAX_REPEAT);
	if (access(o->out_dir, F_OK) == 0)
		return ctprof_err(err, -EEXIST, "%s: the run directory exists already", o->out_dir);
	s = ctprof_calloc(1, sizeof(*s));
	if (!s)
		return ctprof_err(err, -ENOMEM, "series: out of memory");
	s->status = CTPROF_RUN_PASSED;
	s->dir = ctprof_strdup(o->out_dir);
	s->tmp = run_tmp_dir_for(o->out_dir);
	s->runs = ctprof_calloc((size_t)repeat * (o->ab ? 2 : 1), sizeof(*s->runs));
	if (!s->dir || !s->tmp || !s->runs) {
		ctprof_series_free(s);
		return ctprof_err(err, -ENOMEM, "series: out of memory");
	}
	if ((rc = run_mkdir_parents(s->tmp, err)) < 0) {
		ctprof_series_free(s);
		return rc;
	}
	if (mkdir(s->tmp, 0755) < 0) {
		rc = ctprof_err(err, -errno, "%s: create the run directory: %s", s->tmp,
				strerror(errno));
		ctprof_series_free(s);
		return rc;
	}
	*out = s;
	for (i = 1; i <= repeat && !s->cancelled; i++) {
		for (side = 0; side < (o->ab ? 2u : 1u) && !s->cancelled; side++) {
			struct srun *r = &s->runs[s->n_runs++];
			struct ctprof_run_opts ro = *o->run;
			struct ctprof_error e = { 0 };
			size_t k, n;
			char *dir;
			int w;

			if (o->ab)
				w = snprintf(r->name, sizeof(r->name), "%s-%u", side ? "b" : "a", i);
			else
				w = snprintf(r->name, sizeof(r->name), "rep-%u", i);
			r->side_b = !o->ab || side;
			if (w < 0 || (size_t)w >= sizeof(r->name)) {
				rc = ctprof_err(err, -ENAMETOOLONG, "%s/%s: run directory name too long",
						s->tmp, r->name);
				goto write;
			}
			dir = run_path_join(s->tmp, r->name);
			if (!dir) {
				rc = ctprof_err(err, -ENOMEM, "series: out of memory");
				goto write;
			}
			ro.out_dir = dir;
			ro.scheduler = o->ab ? (side ? o->b_scheduler : o->a_scheduler) : o->scheduler;
			ro.gates = NULL;
			ro.baseline = NULL;
			ro.tap_version = o->tap_version;
			if (o->run->note) {
				(void)snprintf(line, sizeof(line), "%s: run %u of %u%s%s", r->name, i,
					       repeat, ro.scheduler ? ", scheduler " : "",
					       ro.scheduler ? ro.scheduler : "");
				o->run->note(line, o->run->note_ctx);
			}
			if (ctprof_run_workload(&ro, &r->run, &e) < 0) {
				(void)snprintf(r->err, sizeof(r->err), "%s", e.msg);
				if (!r->run) {
					struct ctprof_tap_step st = { .name = "run",
								      .status = CTPROF_VS_FAIL,
								      .reason = r->err };

					add_step(s, r->name, &st);
					s->status = CTPROF_RUN_FAILED;
					free(dir);
					/* the same options fail the same way every time */
					goto judge;
				}
			}
			free(dir);
			n = ctprof_run_n_steps(r->run);
			for (k = 0; k < n; k++) {
				struct ctprof_tap_step st;

				ctprof_run_step(r->run, k, &st);
				if (add_step(s, r->name, &st) < 0) {
					rc = ctprof_err(err, -ENOMEM, "series: out of memory");
					goto write;
				}
			}
			if (ctprof_run_status(r->run) == CTPROF_RUN_FAILED &&
			    s->status == CTPROF_RUN_PASSED)
				s->status = CTPROF_RUN_FAILED;
			if (ctprof_run_status(r->run) == CTPROF_RUN_INCOMPLETE)
				s->status = CTPROF_RUN_INCOMPLETE;
			s->cancelled = ctprof_run_cancelled(r->run);
		}
	}
judge:
	if (o->gates && !s->cancelled) {
		struct ctprof_error e = { 0 };

		if (judge(s, o, repeat, &e) < 0) {
			struct ctprof_tap_step st = { .name = "gates", .status = CTPROF_VS_FAIL };

			(void)snprintf(s->gate_err, sizeof(s->gate_err), "%s", e.msg);
			st.reason = s->gate_err;
			add_step(s, "series", &st);
			s->status = CTPROF_RUN_FAILED;
		} else if (s->verdict->failed && s->status == CTPROF_RUN_PASSED) {
			s->status = CTPROF_RUN_FAILED;
		}
	}
write:
	if (s->cancelled)
		s->status = CTPROF_RUN_INCOMPLETE;
	if (o->ab)
		(void)snprintf(line, sizeof(line),
			       "ab: A = %s, B = %s, %u run%s each, alternating A B",
			       o->a_scheduler ? o->a_scheduler : "no scheduler",
			       o->b_scheduler ? o->b_scheduler : "no scheduler", repeat,
			       repeat == 1 ? "" : "s");
	else
		(void)snprintf(line, sizeof(line), "repeat: %u runs%s%s", repeat,
			       o->baseline_name ? " against " : "",
			       o->baseline_name ? o->baseline_name : "");
	ctprof_buf_puts(&pre, line);
	if (repeat > 1 && o->gates) {
		(void)snprintf(line, sizeof(line),
			       "\nnoise: a metric whose spread exceeds %.3g%% on either "
			       "side is reported as too noisy, never failed",
			       (o->max_noise > 0 ? o->max_noise : 0.01) * 100);
		ctprof_buf_puts(&pre, line);
	}
	ctprof_buf_putc(&pre, '\0');
	if (rc == 0 && pre.oom)
		rc = ctprof_err(err, -ENOMEM, "series: out of memory");
	if (rc == 0)
		rc = ctprof_render_tap_run(pre.data, s->steps, s->n_steps, s->verdict,
					   o->tap_version ? o->tap_version : 13, &s->tap,
					   &s->tap_len, err);
	ctprof_buf_free(&pre);
	if (rc == 0) {
		char *j = series_json(s, o, repeat);

		rc = j ? run_write_text(s->tmp, "series.json", j, strlen(j), err) :
			 ctprof_err(err, -ENOMEM, "series.json: out of memory");
		free(j);
	}
	if (rc == 0)
		rc = run_write_text(s->tmp, "result.tap", s->tap, s->tap_len, err);
	if (rc == 0) {
		run_fsync_dir(s->tmp);
		if (rename(s->tmp, s->dir) < 0)
			rc = ctprof_err(err, -errno, "%s: rename to %s: %s", s->tmp, s->dir,
					strerror(errno));
		else
			run_fsync_dir(".");
	}
	return rc;
}

CTPROF_API void ctprof_series_free(struct ctprof_series *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; s->runs && i < s->n_runs; i++) /* runs is NULL when its calloc failed */
		ctprof_run_free(s->runs[i].run);
	for (i = 0; i < s->n_steps; i++)
		free(s->step_names[i]);
	free(s->step_names);
	free(s->steps);
	free(s->runs);
	ctprof_verdict_free(s->verdict);
	free(s->tap);
	free(s->dir);
	free(s->tmp);
	free(s);
}

CTPROF_API enum ctprof_run_status ctprof_series_status(const struct ctprof_series *s)
{
	return s->status;
}

CTPROF_API const char *ctprof_series_tap(const struct ctprof_series *s, size_t *len)
{
	if (len)
		*len = s->tap_len;
	return s->tap;
}

CTPROF_API const char *ctprof_series_dir(const struct ctprof_series *s)
{
	return s->dir;
}

CTPROF_API const struct ctprof_verdict *ctprof_series_verdict(const struct ctprof_series *s)
{
	return s->verdict;
}

CTPROF_API int ctprof_series_cancelled(const struct ctprof_series *s)
{
	return s->cancelled;
}

/* ---- loading a (repeated) run's intervals ---- */

CTPROF_API void ctprof_snapshots_free(struct ctprof_snapshot **v, size_t n)
{
	size_t i;

	for (i = 0; v && i < n; i++)
		ctprof_snapshot_free(v[i]);
	free(v);
}

CTPROF_API int ctprof_load_run_intervals(const char *path, struct ctprof_snapshot ***out,
					 size_t *n, struct ctprof_error *err)
{
	struct ctprof_snapshot **v = NULL;
	size_t k = 0, i;
	int rc;

	*out = NULL;
	*n = 0;
	for (i = 1; i <= SERIES_MAX_REPEAT; i++) {
		char sub[4200];
		struct stat sb;
		struct ctprof_snapshot **t;

		if ((size_t)snprintf(sub, sizeof(sub), "%s/rep-%zu", path, i) >= sizeof(sub)) {
			ctprof_snapshots_free(v, k);
			return ctprof_err(err, -ENAMETOOLONG, "%s/rep-%zu: path too long", path, i);
		}
		if (stat(sub, &sb) < 0 || !S_ISDIR(sb.st_mode))
			break;
		t = ctprof_realloc(v, (k + 1) * sizeof(struct ctprof_snapshot *));
		if (!t) {
			ctprof_snapshots_free(v, k);
			return ctprof_err(err, -ENOMEM, "%s: out of memory", path);
		}
		v = t;
		rc = ctprof_load_input(sub, &v[k], err);
		if (rc < 0) {
			ctprof_snapshots_free(v, k);
			return rc;
		}
		k++;
	}
	if (!k) {
		v = ctprof_calloc(1, sizeof(struct ctprof_snapshot *));
		if (!v)
			return ctprof_err(err, -ENOMEM, "%s: out of memory", path);
		rc = ctprof_load_input(path, &v[0], err);
		if (rc < 0) {
			free(v);
			return rc;
		}
		k = 1;
	}
	*out = v;
	*n = k;
	return 0;
}

CTPROF_API int ctprof_series_junit(const struct ctprof_series *s, char **out, size_t *len,
				   struct ctprof_error *err)
{
	return ctprof_render_junit_run(s->steps, s->n_steps, s->verdict, out, len, err);
}
