/* SPDX-License-Identifier: MIT */
/* Gate grammar, units, polarity and policy files (lib/verdict/gate.c). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <ctprof/verdict.h>

static struct ctprof_gateset *gs;

static int setup(void **state)
{
	(void)state;
	gs = ctprof_gateset_new();
	return gs ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	ctprof_gateset_free(gs);
	return 0;
}

static const struct ctprof_gate *add_ok(const char *spec)
{
	struct ctprof_error err = { 0 };

	if (ctprof_gateset_add(gs, spec, &err) != 0)
		fail_msg("%s: %s", spec, err.msg);
	return &gs->gates[gs->n - 1];
}

static void add_bad(const char *spec, const char *needle)
{
	struct ctprof_error err = { 0 };
	size_t n = gs->n;

	assert_int_equal(ctprof_gateset_add(gs, spec, &err), -EINVAL);
	assert_int_equal(gs->n, n);
	if (!strstr(err.msg, needle))
		fail_msg("%s: message \"%s\" lacks \"%s\"", spec, err.msg, needle);
}

static void test_limits_and_units(void **state)
{
	const struct ctprof_gate *g;

	(void)state;
	g = add_ok("avg_wait_ns@hackbench*:max_increase=10%,floor=1ms");
	assert_string_equal(g->metric, "avg_wait_ns");
	assert_string_equal(g->group, "hackbench*");
	assert_int_equal(g->src, CTPROF_GS_DERIVED);
	assert_int_equal(g->has, 1u << CTPROF_LIM_MAX_INCREASE | 1u << CTPROF_LIM_FLOOR);
	assert_float_equal(g->lim[CTPROF_LIM_MAX_INCREASE], 0.10, 1e-12);
	assert_float_equal(g->lim[CTPROF_LIM_FLOOR], 1e6, 1e-6);
	assert_string_equal(g->lim_text[CTPROF_LIM_FLOOR], "1ms");
	assert_false(g->implicit);

	g = add_ok("wait_max:max=50us,max_decrease=5%");
	assert_float_equal(g->lim[CTPROF_LIM_MAX], 50000.0, 1e-9);
	assert_float_equal(g->lim[CTPROF_LIM_MAX_DECREASE], 0.05, 1e-12);
	g = add_ok("run_time_ns:max=2s");
	assert_float_equal(g->lim[CTPROF_LIM_MAX], 2e9, 1e-3);
	g = add_ok("run_time_ns:max=1.5\xc2\xb5s");
	assert_float_equal(g->lim[CTPROF_LIM_MAX], 1500.0, 1e-9);
	g = add_ok("nr_migrations:min=1000");
	assert_int_equal(g->unit, CTPROF_GU_COUNT);
	assert_float_equal(g->lim[CTPROF_LIM_MIN], 1000.0, 0);
	g = add_ok("nr_migrations:max_delta=0");
	assert_float_equal(g->lim[CTPROF_LIM_MAX_DELTA], 0.0, 0);
	g = add_ok("hiwater_rss_bytes:max=2MiB");
	assert_int_equal(g->unit, CTPROF_GU_BYTES);
	assert_float_equal(g->lim[CTPROF_LIM_MAX], 2097152.0, 0);
	g = add_ok("hiwater_rss_bytes:max=3GiB,min=1KiB,floor=0");
	assert_float_equal(g->lim[CTPROF_LIM_MAX], 3221225472.0, 0);
	assert_float_equal(g->lim[CTPROF_LIM_MIN], 1024.0, 0);
	g = add_ok("cpu_efficiency:min=90%");
	assert_int_equal(g->unit, CTPROF_GU_RATIO);
	assert_float_equal(g->lim[CTPROF_LIM_MIN], 0.9, 1e-12);
	g = add_ok("cpu_efficiency:min=0.85");
	assert_float_equal(g->lim[CTPROF_LIM_MIN], 0.85, 1e-12);
	g = add_ok("utime_clock_ticks:max=100");
	assert_int_equal(g->unit, CTPROF_GU_TICKS);

	/* the unit must fit the metric's ladder */
	add_bad("run_time_ns:max=5MiB", "unit of '5MiB' does not fit metric 'run_time_ns'");
	add_bad("run_time_ns:max=50", "unit of '50' does not fit");
	add_bad("nr_migrations:max=5ms", "unit of '5ms' does not fit");
	add_bad("hiwater_rss_bytes:max=1s", "unit of '1s'");
	add_bad("cpu_efficiency:min=1ms", "unit of '1ms'");
	add_bad("nr_migrations:max_increase=10", "max_increase needs a percentage, got '10'");
	add_bad("nr_migrations:max_increase=10ms", "needs a percentage");
	/* malformed and negative values, unknown and duplicate limits */
	add_bad("nr_migrations:max=-5", "negative value '-5' for max");
	add_bad("avg_wait_ns:max_increase=-10%", "negative value '-10%'");
	add_bad("nr_migrations:max=1e3", "malformed value '1e3'");
	add_bad("nr_migrations:max=.5", "malformed value '.5'");
	add_bad("nr_migrations:max=5.", "malformed value '5.'");
	add_bad("nr_migrations:max=", "malformed value ''");
	add_bad("nr_migrations:max=10 ", "malformed value '10 '");
	add_bad("nr_migrations:max=inf", "malformed value 'inf'");
	add_bad("nr_migrations:maximum=5", "unknown limit 'maximum'");
	add_bad("nr_migrations:max=5,max=6", "limit 'max' given twice");
	add_bad("nr_migrations:max=5,", "malformed limit ''");
	add_bad("nr_migrations:5", "unknown metric");
	add_bad("nr_migration:max=5", "unknown metric 'nr_migration'");
	add_bad("@x:max=5", "missing metric name");
	add_bad("nr_migrations@:max=5", "empty group after '@'");
	add_bad("policy:max=5", "categorical");
	add_bad("psi.cpu.some.avg11:max=5", "unknown metric 'psi.cpu.some.avg11'");
	add_bad("psi.cpu.avg10:max=5", "unknown metric");
	add_bad("sched_ext.nr_accepted:max=5", "unknown metric");
	add_bad("cgroup.cpu.nr_throttle:max=5", "unknown metric");
}

static void test_extra_metrics(void **state)
{
	const struct ctprof_gate *g;

	(void)state;
	g = add_ok("psi.memory.full.avg60:max=5%");
	assert_int_equal(g->src, CTPROF_GS_PSI);
	assert_int_equal(g->index, 1 * 8 + 1 * 4 + 1);
	assert_int_equal(g->unit, CTPROF_GU_PERCENT);
	assert_float_equal(g->lim[CTPROF_LIM_MAX], 5.0, 0);
	assert_int_equal(g->polarity, CTPROF_POL_LOWER_BETTER);
	g = add_ok("psi.irq.full.total_usec:max=10ms");
	assert_int_equal(g->unit, CTPROF_GU_US);
	assert_float_equal(g->lim[CTPROF_LIM_MAX], 10000.0, 1e-9);
	g = add_ok("sched_ext.nr_rejected:max_delta=0");
	assert_int_equal(g->src, CTPROF_GS_SCHED_EXT);
	assert_int_equal(g->index, 1);
	assert_int_equal(g->polarity, CTPROF_POL_LOWER_BETTER);
	g = add_ok("cgroup.cpu.nr_throttled@/bench:max_increase=10%");
	assert_int_equal(g->src, CTPROF_GS_CGROUP);
	assert_int_equal(g->index, CTPROF_CG_CPU_NR_THROTTLED);
	g = add_ok("cgroup.memory.events.oom:max_delta=0");
	assert_int_equal(g->index, CTPROF_CG_MEMORY_EVENTS);
	assert_string_equal(g->key, "oom");
	g = add_ok("cgroup.psi.io.some.avg10:max=1%");
	assert_int_equal(g->index & 0xff, CTPROF_CG_PSI);
	assert_int_equal(g->index >> 8, 2 * 8 + 0 + 0);
	/* a glob holding ':' (pattern keys do) with and without limits */
	g = add_ok("nr_migrations@kworker/{N}:{N}:max=5");
	assert_string_equal(g->group, "kworker/{N}:{N}");
	assert_float_equal(g->lim[CTPROF_LIM_MAX], 5.0, 0);
	g = add_ok("nr_migrations@kworker/{N}:{N}");
	assert_string_equal(g->group, "kworker/{N}:{N}");
	assert_true(g->implicit);
}

static void test_polarity(void **state)
{
	const struct ctprof_gate *g;

	(void)state;
	/* from the metric table: lower-better, higher-better, informational */
	g = add_ok("avg_wait_ns");
	assert_int_equal(g->polarity, CTPROF_POL_LOWER_BETTER);
	assert_true(g->implicit);
	assert_int_equal(g->has, 0);
	g = add_ok("nonvoluntary_csw:floor=100");
	assert_int_equal(g->polarity, CTPROF_POL_LOWER_BETTER);
	assert_true(g->implicit);
	g = add_ok("cpu_efficiency");
	assert_int_equal(g->polarity, CTPROF_POL_HIGHER_BETTER);
	g = add_ok("affine_success_ratio@x");
	assert_int_equal(g->polarity, CTPROF_POL_HIGHER_BETTER);
	g = add_ok("wait_time_ns");
	assert_int_equal(g->polarity, CTPROF_POL_LOWER_BETTER);
	/* informational metrics need an explicit direction */
	add_bad("run_time_ns", "informational");
	add_bad("run_time_ns:floor=1ms", "informational");
	g = add_ok("run_time_ns:max_increase=5%");
	assert_int_equal(g->polarity, CTPROF_POL_INFO);
	assert_false(g->implicit);
	assert_string_equal(ctprof_polarity_name(CTPROF_POL_HIGHER_BETTER), "higher_better");
	assert_string_equal(ctprof_limit_name(CTPROF_LIM_MAX_DELTA), "max_delta");
}

static void test_default_gates(void **state)
{
	struct ctprof_error err = { 0 };
	size_t n, i;
	const char *const *d = ctprof_default_gates(&n);

	(void)state;
	assert_true(n >= 5);
	assert_int_equal(ctprof_gateset_add_defaults(gs, &err), 0);
	assert_int_equal(gs->n, n);
	for (i = 0; i < n; i++)
		assert_string_equal(gs->gates[i].text, d[i]);
	assert_string_equal(gs->gates[0].metric, "avg_wait_ns");
}

static int policy(const char *json, struct ctprof_error *err)
{
	return ctprof_gateset_policy(gs, json, strlen(json), "p.json", err);
}

static void policy_bad(const char *json, const char *needle)
{
	struct ctprof_error err = { 0 };

	assert_int_equal(policy(json, &err), -EINVAL);
	if (!strstr(err.msg, needle))
		fail_msg("%s: message \"%s\" lacks \"%s\"", json, err.msg, needle);
}

static void test_policy(void **state)
{
	struct ctprof_error err = { 0 };
	const struct ctprof_gate_defaults *lb = &gs->defaults[CTPROF_POL_LOWER_BETTER];

	(void)state;
	assert_float_equal(lb->threshold, 0.10, 1e-12);
	assert_int_equal(policy("{\"defaults\": {\"lower_better\": {\"threshold\": \"20%\", "
				"\"floor\": [\"1us\", \"3\", \"1MiB\"]}, \"higher_better\": "
				"{\"floor\": 0.01}}, \"gates\": [\"avg_wait_ns@hb\", {\"metric\": "
				"\"nr_migrations\", \"group\": \"a:b\", \"max\": 7, \"floor\": "
				"\"2\"}]}", &err), 0);
	assert_string_equal(err.msg, "");
	assert_float_equal(lb->threshold, 0.20, 1e-12);
	assert_int_equal(lb->n_floors, 3);
	assert_int_equal(lb->floors[0].family, 1);
	assert_float_equal(lb->floors[0].value, 1000.0, 0);
	assert_string_equal(lb->floors[1].text, "3");
	/* higher_better keeps its built-in threshold when only a floor is given */
	assert_float_equal(gs->defaults[CTPROF_POL_HIGHER_BETTER].threshold, 0.05, 1e-12);
	assert_int_equal(gs->n, 2);
	assert_string_equal(gs->gates[0].text, "avg_wait_ns@hb");
	assert_string_equal(gs->gates[1].text, "nr_migrations@a:b:max=7,floor=2");
	assert_string_equal(gs->gates[1].group, "a:b");
	assert_float_equal(gs->gates[1].lim[CTPROF_LIM_MAX], 7.0, 0);

	policy_bad("{\"gates\": [], \"thresholds\": 1}", "unknown key \"thresholds\"");
	policy_bad("{\"defaults\": {\"lower\": {}}}", "unknown polarity \"lower\"");
	policy_bad("{\"defaults\": {\"lower_better\": {\"thresh\": \"5%\"}}}",
		   "unknown key \"thresh\"");
	policy_bad("{\"defaults\": {\"lower_better\": {\"threshold\": \"-5%\"}}}",
		   "negative value '-5%'");
	policy_bad("{\"defaults\": {\"lower_better\": {\"threshold\": \"5\"}}}", "malformed");
	policy_bad("{\"defaults\": {\"lower_better\": {\"floor\": \"-1ms\"}}}",
		   "negative value '-1ms'");
	policy_bad("{\"gates\": [\"avg_wiat_ns:max=1us\"]}", "unknown metric 'avg_wiat_ns'");
	policy_bad("{\"gates\": [\"avg_wiat_ns:max=1us\"]}", "p.json: policy: gates[0]");
	policy_bad("{\"gates\": [{\"metric\": \"avg_wait_ns\", \"maxx\": \"1us\"}]}",
		   "unknown key \"maxx\"");
	policy_bad("{\"gates\": [{\"metric\": \"nr_migrations\", \"max\": -3}]}",
		   "negative value '-3'");
	policy_bad("{\"gates\": [{\"group\": \"x\"}]}", "\"metric\" must be");
	policy_bad("{\"gates\": [5]}", "expected a gate string or object");
	policy_bad("{\"gates\": {}}", "\"gates\" must be an array");
	policy_bad("[1]", "top level must be an object");
	policy_bad("{\"gates\": [", "parse JSON");
}

static void test_policy_file(void **state)
{
	struct ctprof_error err = { 0 };

	(void)state;
	assert_int_equal(ctprof_gateset_load_policy(gs, CTPROF_FIXTURES_DIR "/verdict/policy.json",
						    &err), 0);
	assert_int_equal(gs->n, 4);
	assert_float_equal(gs->defaults[CTPROF_POL_HIGHER_BETTER].threshold, 0.077, 1e-12);
	assert_true(ctprof_gateset_load_policy(gs, CTPROF_FIXTURES_DIR "/verdict/nope.json",
					       &err) < 0);
	assert_non_null(strstr(err.msg, "nope.json: open:"));
	assert_true(ctprof_gateset_load_policy(gs, CTPROF_FIXTURES_DIR "/verdict", &err) < 0);
	assert_non_null(strstr(err.msg, "not a regular file"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_limits_and_units, setup, teardown),
		cmocka_unit_test_setup_teardown(test_extra_metrics, setup, teardown),
		cmocka_unit_test_setup_teardown(test_polarity, setup, teardown),
		cmocka_unit_test_setup_teardown(test_default_gates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_policy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_policy_file, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
