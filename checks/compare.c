#include "setup.h"
#include "compare_run.h"
#include "compare_sample.h"
#include "text.h"
#include "alloc.h"
#include "clock.h"
#include "fileio.h"
#include "json.h"
#include "policy.h"

#include <math.h>

/* --- the policy's "compare" section ------------------------------------------ */

static const struct mg_schema_field rule_fields[] = {
        {"name", &mg_schema_name, true},
        {"greater_is_better", &mg_schema_bool, true},
        {"threshold", &mg_schema_number, false},
        {"min_absolute_change", &mg_schema_number, false},
        {"min_relative_change", &mg_schema_number, false},
        {"max_regression", &mg_schema_number, false},
        {"max_relative_regression", &mg_schema_number, false},
        {"non_inferiority_margin", &mg_schema_number, false},
        {"superiority", &mg_schema_bool, false},
        {"decision_threshold", &mg_schema_number, false},
        {NULL, NULL, false},
};
static const struct mg_schema rule = {.type = MG_SCHEMA_OBJECT, .fields = rule_fields};
static const struct mg_schema rules = {.type = MG_SCHEMA_ARRAY, .items = &rule, .nonempty = true};

static const char *const first_deployments[] = {"block", "thresholds_only", "manual", NULL};
static const struct mg_schema first_deployment = {.type = MG_SCHEMA_STRING,
                                                  .choices = first_deployments};
static const char *const metric_sources[] = {"run", "model_metrics", NULL};
static const struct mg_schema metric_source = {.type = MG_SCHEMA_STRING, .choices = metric_sources};

static const struct mg_schema_field compare_fields[] = {
        {"metrics", &rules, true},
        {"first_deployment", &first_deployment, false},
        {"metric_source", &metric_source, false},
        {"model_metrics_dataset", &mg_schema_nonempty_string, false},
        {"sample", &mg_compare_sample_schema, false},
        {"significance", &mg_compare_significance_schema, false},
        {NULL, NULL, false},
};
static const struct mg_schema compare = {.type = MG_SCHEMA_OBJECT, .fields = compare_fields};

const struct mg_schema *mg_compare_policy_schema(void)
{
	return &compare;
}

static const cJSON *pol_get(const cJSON *o, const char *key)
{
	return o ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
}

static bool opt_num(const cJSON *o, const char *key, double *out)
{
	const cJSON *v = pol_get(o, key);

	if (!cJSON_IsNumber(v))
		return false;
	*out = v->valuedouble;
	return true;
}

/* A metric's keys that only a pinned sample gives a meaning: refused without one. */
static const char *const sample_only[] = {"non_inferiority_margin", "superiority",
                                          "decision_threshold"};

/* The rules, with what the schema cannot say checked here (MetricThreshold's rules). */
static int load_rules(struct compare *c, const char *where, struct mg_err *err)
{
	const cJSON *arr = pol_get(c->pol, "metrics"), *e;
	struct mg_buf id = MG_BUF_INIT(MG_BUF_SMALL);
	size_t i = 0;
	int ret = -1;

	c->nm = (size_t)cJSON_GetArraySize(arr);
	c->m = mg_xcalloc(c->nm, sizeof(*c->m));
	cJSON_ArrayForEach(e, arr)
	{
		struct mg_compare_rule *r = &c->m[i].r;

		r->name = mg_json_str(e, "name");
		r->greater_is_better = cJSON_IsTrue(pol_get(e, "greater_is_better"));
		r->has_threshold = opt_num(e, "threshold", &r->threshold);
		r->has_min_abs = opt_num(e, "min_absolute_change", &r->min_abs);
		r->has_min_rel = opt_num(e, "min_relative_change", &r->min_rel);
		r->has_max_reg = opt_num(e, "max_regression", &r->max_reg);
		r->has_max_rel_reg = opt_num(e, "max_relative_regression", &r->max_rel_reg);
		if (r->has_min_abs && !(r->min_abs > 0)) {
			mg_err_set(err, MG_EXIT_USAGE,
			           "%s: compare.metrics[%zu].min_absolute_change: must be greater "
			           "than "
			           "0 (as in MLflow's MetricThreshold)",
			           where, i);
			goto done;
		}
		if (r->has_min_rel && !(r->min_rel >= 0 && r->min_rel <= 1)) {
			mg_err_set(err, MG_EXIT_USAGE,
			           "%s: compare.metrics[%zu].min_relative_change: must be between "
			           "0 and "
			           "1 (as in MLflow's MetricThreshold)",
			           where, i);
			goto done;
		}
		if (r->has_max_reg && !(r->max_reg >= 0)) {
			mg_err_set(err, MG_EXIT_USAGE,
			           "%s: compare.metrics[%zu].max_regression: must be 0 or more",
			           where, i);
			goto done;
		}
		if (r->has_max_rel_reg && !(r->max_rel_reg >= 0 && r->max_rel_reg <= 1)) {
			mg_err_set(
			        err, MG_EXIT_USAGE,
			        "%s: compare.metrics[%zu].max_relative_regression: must be between "
			        "0 and 1",
			        where, i);
			goto done;
		}
		for (size_t k = 0; !c->smp && k < MG_ARRAY_SIZE(sample_only); k++)
			if (pol_get(e, sample_only[k])) {
				mg_err_set(err, MG_EXIT_USAGE,
				           "%s: compare.metrics[%zu].%s: only meaningful with "
				           "compare.sample",
				           where, i, sample_only[k]);
				goto done;
			}
		if (!r->has_threshold && !mg_compare_rule_comparative(r) &&
		    !(c->smp &&
		      (pol_get(e, "non_inferiority_margin") || pol_get(e, "superiority")))) {
			mg_err_set(
			        err, MG_EXIT_USAGE,
			        "%s: compare.metrics[%zu]: no rule for '%s': give at least one of "
			        "threshold, min_absolute_change, min_relative_change, "
			        "max_regression, max_relative_regression%s",
			        where, i, r->name,
			        c->smp ? " (with compare.sample: non_inferiority_margin, "
			                 "superiority)"
			               : "");
			goto done;
		}
		mg_buf_reset(&id);
		mg_buf_adds(&id, "compare.metric.");
		mg_check_slug(&id, r->name);
		if (id.len == strlen("compare.metric."))
			mg_buf_adds(&id, "_");
		for (size_t j = 0; j < i; j++) {
			if (!strcmp(c->m[j].id, id.buf)) {
				mg_err_set(
				        err, MG_EXIT_USAGE,
				        "%s: compare.metrics[%zu].name: '%s' has the same check ID "
				        "(%s) as compare.metrics[%zu] '%s'",
				        where, i, r->name, id.buf, j, c->m[j].r.name);
				goto done;
			}
		}
		c->m[i].id = mg_xstrdup(id.buf);
		i++;
	}
	ret = 0;
done:
	mg_buf_release(&id);
	return ret;
}

/* a before b in MLflow's "latest" order: step, then timestamp, then value */
static bool older(const struct mg_model_metric *a, const struct mg_model_metric *b)
{
	if (a->step != b->step)
		return a->step < b->step;
	if (a->timestamp != b->timestamp)
		return a->timestamp < b->timestamp;
	return a->value < b->value || (isnan(a->value) && !isnan(b->value));
}

static int by_key(const void *a, const void *b)
{
	return strcmp(((const struct mg_model_metric *)a)->key,
	              ((const struct mg_model_metric *)b)->key);
}

/*
 * model_metrics: the latest value of each metric logged to the version's
 * LoggedModel (of compare.model_metrics_dataset when set). A metric logged
 * for several datasets with no dataset chosen has no single value: it is
 * left out, so it counts as missing, and side->unclear says why.
 */
static int load_side_model(struct compare *c, struct side *s, struct mg_err *err)
{
	struct mg_logged_model lm = {0};

	s->model_id = mg_model_version_logged_model(&s->mv);
	if (!s->model_id) {
		snprintf(s->no_run, sizeof(s->no_run),
		         "version %s was not registered from a logged model (source '%.200s')",
		         s->mv.version, s->mv.source ? s->mv.source : "");
		return 0;
	}
	if (mg_registry_get_logged_model(c->reg, s->model_id, &lm, err)) {
		if (err->reason != MG_REASON_NOT_FOUND)
			return -1;
		mg_err_clear(err);
		snprintf(s->no_run, sizeof(s->no_run),
		         "logged model %.64s of version %s does not exist", s->model_id,
		         s->mv.version);
		return 0;
	}
	mg_metriclist_release(&s->run.metrics);
	qsort(lm.metrics, lm.nmetrics, sizeof(*lm.metrics), by_key);
	for (size_t i = 0, j; i < lm.nmetrics; i = j) {
		const struct mg_model_metric *best = NULL;
		const char *key = lm.metrics[i].key, *first = NULL, *other = NULL;

		for (j = i; j < lm.nmetrics && !strcmp(lm.metrics[j].key, key); j++) {
			const struct mg_model_metric *e = &lm.metrics[j];

			if (c->dataset && strcmp(e->dataset, c->dataset))
				continue;
			if (!first)
				first = e->dataset;
			else if (strcmp(first, e->dataset))
				other = e->dataset;
			if (!best || older(best, e))
				best = e;
		}
		if (best && other) {
			struct mg_buf why = MG_BUF_INIT(MG_BUF_SMALL);

			mg_buf_addf(&why,
			            "logged model %s has '%s' for datasets '%s' and '%s': set "
			            "compare.model_metrics_dataset",
			            s->model_id, key, first, other);
			mg_kvlist_set(&s->unclear, key, why.buf);
			mg_buf_release(&why);
		} else if (best) {
			mg_metriclist_add(&s->run.metrics, key, best->value, best->timestamp,
			                  best->step);
			mg_kvlist_set(&s->from, key, best->run_id);
		}
	}
	mg_metriclist_sort(&s->run.metrics);
	s->have_metrics = true;
	mg_logged_model_release(&lm);
	return 0;
}

/*
 * Read the run behind a version (its tags name the commit; with the "run"
 * source its metrics are the numbers), then, with "model_metrics", the
 * version's LoggedModel. What is missing leaves side->no_run saying why.
 */
static int load_side(struct compare *c, struct side *s, struct mg_err *err)
{
	const bool model = !strcmp(c->source, "model_metrics");

	if (!*s->mv.run_id) {
		if (!model)
			snprintf(s->no_run, sizeof(s->no_run), "version %s names no run",
			         s->mv.version);
		return model ? load_side_model(c, s, err) : 0;
	}
	if (mg_registry_get_run(c->reg, s->mv.run_id, &s->run, err)) {
		if (err->reason != MG_REASON_NOT_FOUND)
			return -1;
		mg_err_clear(err);
		if (!model)
			snprintf(s->no_run, sizeof(s->no_run),
			         "run %.64s of version %s does not exist", s->mv.run_id,
			         s->mv.version);
		return model ? load_side_model(c, s, err) : 0;
	}
	s->have_run = true;
	s->have_metrics = !model;
	return model ? load_side_model(c, s, err) : 0;
}

static int list_version(void *arg, const struct mg_model_version *mv, struct mg_err *err)
{
	struct mg_buf *list = arg;

	(void)err;
	mg_buf_addf(list, "%s%s", list->len ? ", " : "", mv->version);
	return 0;
}

/*
 * The default production model is not there (alias champion for a candidate
 * named by version or alias, stage Production for one named by stage): a
 * first deployment only if the other vocabulary has no production model
 * either. A version in stage Production without a champion alias (or a
 * champion alias with nothing in Production) is a production model this
 * gate would otherwise ignore: exit 2 asking which one to compare with. A
 * registry without stages (Unity Catalog) or without aliases (Databricks
 * workspace) has nothing to check.
 */
static int check_other_default(struct compare *c, bool by_alias, struct mg_err *err)
{
	const char *model = c->o->gate.model;
	unsigned features = mg_registry_features(c->reg);
	struct mg_buf held = MG_BUF_INIT(MG_BUF_SMALL);
	struct mg_model_version mv = {0};
	int ret = -1;

	if (by_alias && (features & MG_REGISTRY_STAGES)) {
		if (mg_registry_versions_in_stage(c->reg, model, "Production", list_version, &held,
		                                  err))
			goto done;
		if (held.len) {
			mg_err_set(
			        err, MG_EXIT_USAGE,
			        "model '%s' has no alias champion (the production model compared "
			        "with by default) but version %s in stage Production: not a first "
			        "deployment; name the production model with --baseline-stage "
			        "Production or --baseline-alias NAME",
			        model, held.buf);
			goto done;
		}
	} else if (!by_alias && (features & MG_REGISTRY_ALIASES)) {
		if (mg_registry_get_version_by_alias(c->reg, model, "champion", &mv, err)) {
			if (err->reason != MG_REASON_NOT_FOUND)
				goto done;
			mg_err_clear(err);
		} else {
			mg_err_set(
			        err, MG_EXIT_USAGE,
			        "model '%s' has no version in stage Production (the production "
			        "model "
			        "compared with by default) but alias champion on version %s: not a "
			        "first deployment; name the production model with --baseline-alias "
			        "champion or --baseline-stage STAGE",
			        model, mv.version);
			goto done;
		}
	}
	ret = 0;
done:
	mg_model_version_release(&mv);
	mg_buf_release(&held);
	return ret;
}

/* The production version: the one the --baseline-* option names, or the default. */
static int resolve_baseline(struct compare *c, struct mg_err *err)
{
	const struct mg_compare_opts *o = c->o;
	struct mg_gate_opts b = {0};
	bool by_default = !o->baseline_version && !o->baseline_alias && !o->baseline_stage;

	b.model = o->gate.model;
	b.version = o->baseline_version;
	b.alias = o->baseline_alias;
	b.stage = o->baseline_stage;
	if (by_default) {
		/* default: the same vocabulary as the candidate's selector */
		if (o->gate.stage)
			b.stage = "Production";
		else
			b.alias = "champion";
	}
	if (b.version)
		snprintf(c->base.selector, sizeof(c->base.selector), "version %s", b.version);
	else if (b.alias)
		snprintf(c->base.selector, sizeof(c->base.selector), "alias %.200s", b.alias);
	else
		snprintf(c->base.selector, sizeof(c->base.selector), "stage %s",
		         mg_stage_canonical(b.stage));
	if (mg_gate_resolve(c->reg, &b, &c->base.mv, err)) {
		/* an explicit version must exist; an empty alias or stage is a first deployment */
		if (b.version || err->reason != MG_REASON_NOT_FOUND)
			return -1;
		mg_err_clear(err);
		if (by_default && check_other_default(c, b.alias != NULL, err))
			return -1;
		if (b.alias)
			snprintf(c->base.absent, sizeof(c->base.absent), "alias %.200s is not set",
			         b.alias);
		else
			snprintf(c->base.absent, sizeof(c->base.absent),
			         "no version is in stage %s", mg_stage_canonical(b.stage));
		c->first = true;
		return 0;
	}
	c->base.have_mv = true;
	if (!strcmp(c->base.mv.version, c->cand.mv.version))
		return mg_err_set(err, MG_EXIT_USAGE,
		                  "the candidate (%s) and the production model (%s) are the same "
		                  "version %s of '%s': nothing to compare",
		                  c->cand.selector, c->base.selector, c->cand.mv.version,
		                  c->cand.mv.name);
	return 0;
}

static void values_of(const struct side *s, const char *name, bool *have, double *v)
{
	const struct mg_metric *m =
	        s->have_metrics ? mg_metriclist_get(&s->run.metrics, name) : NULL;

	*have = m != NULL;
	*v = m ? m->value : NAN;
}

bool cmp_have_delta(const struct compare *c, const struct metric *m)
{
	return !c->first && m->have_c && m->have_b && isfinite(m->c) && isfinite(m->b);
}

static void evaluate(struct compare *c)
{
	struct mg_buf why = MG_BUF_INIT(MG_BUF_SMALL);
	uint64_t t0 = c->t0;

	for (size_t i = 0; i < c->nm; i++) {
		struct metric *m = &c->m[i];
		struct mg_check *k;

		mg_buf_reset(&why);
		values_of(&c->cand, m->r.name, &m->have_c, &m->c);
		values_of(&c->base, m->r.name, &m->have_b, &m->b);
		if (m->have_c && isfinite(m->c)) {
			mg_buf_adds(&why, "candidate ");
			mg_compare_num(&why, m->c);
			if (!c->first && m->have_b && isfinite(m->b)) {
				mg_buf_adds(&why, ", production ");
				mg_compare_num(&why, m->b);
			}
			if (cmp_have_delta(c, m)) {
				m->d = mg_compare_delta(m->c, m->b);
				mg_buf_addf(&why, ", delta %s", m->d > 0 ? "+" : "");
				mg_compare_num(&why, m->d);
			}
			mg_buf_adds(&why, ": ");
		}
		m->st = mg_compare_judge(&m->r, m->have_c ? &m->c : NULL, m->have_b ? &m->b : NULL,
		                         !c->first, &why);
		if (!m->have_c && c->cand.no_run[0])
			mg_buf_addf(&why, " (%s)", c->cand.no_run);
		if (!m->have_c && mg_kvlist_get(&c->cand.unclear, m->r.name))
			mg_buf_addf(&why, " (%s)", mg_kvlist_get(&c->cand.unclear, m->r.name));
		if (!c->first && !m->have_b && c->base.no_run[0])
			mg_buf_addf(&why, " (%s)", c->base.no_run);
		if (!c->first && !m->have_b && mg_kvlist_get(&c->base.unclear, m->r.name))
			mg_buf_addf(&why, " (%s)", mg_kvlist_get(&c->base.unclear, m->r.name));
		if (c->first)
			mg_buf_addf(&why, " [first deployment, policy %s]", c->first_mode);
		k = mg_suite_add(c->suite, m->id, m->st, why.buf);
		k->duration = mg_clock_since(t0);
		t0 = mg_clock_ns();
	}
	if (c->first) {
		size_t nthr = 0;
		enum mg_status st;

		for (size_t i = 0; i < c->nm; i++)
			nthr += c->m[i].r.has_threshold;
		mg_buf_reset(&why);
		mg_buf_addf(&why, "no production model (%s): first deployment, policy %s",
		            c->base.absent, c->first_mode);
		if (!strcmp(c->first_mode, "block")) {
			st = MG_STATUS_FAILED;
			mg_buf_adds(&why, ": blocked until a production model exists or the policy "
			                  "allows it");
		} else if (!strcmp(c->first_mode, "manual")) {
			st = MG_STATUS_SKIPPED;
			mg_buf_adds(&why, ": a human must decide (verdict manual)");
		} else if (nthr) {
			st = MG_STATUS_PASSED;
			mg_buf_addf(&why, ": only absolute thresholds were checked (%zu of %zu %s)",
			            nthr, c->nm, mg_plural(c->nm, "metric", "metrics"));
		} else {
			st = MG_STATUS_FAILED;
			mg_buf_adds(&why, ", but no metric has a threshold: nothing was checked");
		}
		mg_suite_add(c->suite, "compare.first_deployment", st, why.buf);
	}
	mg_buf_release(&why);
}

/* Every metric from the sample: its statistical decision, then any MLflow-style rule on its values.
 */
static void evaluate_sample(struct compare *c)
{
	struct mg_buf why = MG_BUF_INIT(MG_BUF_SMALL);
	uint64_t t0 = c->t0;

	for (size_t i = 0; i < c->nm; i++) {
		struct metric *m = &c->m[i];
		struct mg_check *k;

		mg_buf_reset(&why);
		m->st = mg_compare_sample_metric(c->smp, i, &m->b, &m->c, &why);
		m->have_c = m->have_b = true;
		m->d = mg_compare_delta(m->c, m->b);
		if (m->r.has_threshold || mg_compare_rule_comparative(&m->r)) {
			mg_buf_adds(&why, "; on the sample values: ");
			if (mg_compare_judge(&m->r, &m->c, &m->b, true, &why) == MG_STATUS_FAILED)
				m->st = MG_STATUS_FAILED;
		}
		k = mg_suite_add(c->suite, m->id, m->st, why.buf);
		k->duration = mg_clock_since(t0);
		t0 = mg_clock_ns();
	}
	mg_buf_release(&why);
}

/* --- the gate ----------------------------------------------------------------------- */

static int check_opts(const struct mg_compare_opts *o, struct mg_err *err)
{
	const struct mg_output results = {"--results", o->results, true};

	/* --results with the common outputs, so no two of them name one file */
	if (mg_gate_check_outputs(o->gate.junit, o->gate.json, o->gate.summary, &results, err))
		return -1;
	/* at most one baseline option: a rule of the option table (mlgate-compare.c) */
	if (o->baseline_version && mg_version_check(o->baseline_version, err))
		return -1;
	if (o->baseline_stage && !mg_stage_canonical(o->baseline_stage))
		return mg_err_set(err, MG_EXIT_USAGE,
		                  "invalid value '%.64s' for --baseline-stage: expected None, "
		                  "Staging, Production or Archived",
		                  o->baseline_stage);
	return 0;
}

/* A first deployment the policy leaves to a person passes as "manual". */
static const char *compare_verdict(void *arg, const char *verdict)
{
	const struct compare *c = arg;

	if (!strcmp(verdict, "passed") && !c->first && mg_compare_sample_inconclusive(c->smp))
		return "manual"; /* inconclusive: the sample cannot tell */
	return c->first && !strcmp(c->first_mode, "manual") && !strcmp(verdict, "passed") ? "manual"
	                                                                                  : verdict;
}

static void compare_summary(void *arg, const struct mg_gate_run *run, struct mg_buf *out)
{
	const struct compare *c = arg;
	size_t nfail = 0;

	(void)run;
	if (!c->evaluated)
		return;
	for (size_t i = 0; i < c->nm; i++)
		nfail += c->m[i].st == MG_STATUS_FAILED;
	if (c->first)
		mg_buf_addf(out, "first deployment (policy %s), %zu %s, %zu failed", c->first_mode,
		            c->nm, mg_plural(c->nm, "metric", "metrics"), nfail);
	else
		mg_buf_addf(out, "vs version %s: %zu %s, %zu failed", c->base.mv.version, c->nm,
		            mg_plural(c->nm, "metric", "metrics"), nfail);
}

/* --log-experiment and --results, before the verdict is recorded on the version. */
static int compare_before(void *arg, const struct mg_gate_run *run, struct mg_writes *w,
                          const char **id, struct mg_err *err)
{
	struct compare *c = arg;
	char at[MG_TIME_LEN];

	*id = "compare.log_experiment";
	if (c->o->log_experiment && cmp_log_experiment(c, run->verdict, w, err))
		return -1;
	*id = "compare.results";
	if (c->o->results &&
	    cmp_write_results(c, run->verdict, mg_time_format(run->finished, MG_TIME_ZULU, at),
	                      err))
		return -1;
	return 0;
}

static void compare_props(void *arg, struct mg_suite *s)
{
	const struct compare *c = arg;

	if (c->base.have_mv)
		mg_suite_set_prop(s, "mlgate.champion.run", cmp_side_run(&c->base));
	mg_suite_set_prop(s, "mlgate.compare.baseline", c->base.selector);
	mg_suite_set_prop(s, "mlgate.compare.metric_source", c->source);
	mg_suite_set_prop(s, "mlgate.compare.first_deployment", c->first ? c->first_mode : "no");
	if (c->cand.have_run)
		mg_suite_set_prop(s, "mlgate.candidate.run", c->cand.run.run_id);
	if (c->exp_run_id)
		mg_suite_set_prop(s, "mlgate.compare.experiment_run", c->exp_run_id);
	mg_compare_sample_props(c->smp, s);
}

static const struct mg_gate_hooks compare_hooks = {
        .verdict = compare_verdict,
        .summary = compare_summary,
        .before = compare_before,
        .props = compare_props,
        .json = cmp_json_extra,
        .md = cmp_md_summary,
};

/* An output naming the pinned sample would destroy it. */
static int outputs_spare_sample(const struct compare *c, struct mg_err *err)
{
	const cJSON *path = pol_get(pol_get(c->pol, "sample"), "path");
	const struct mg_output sample = {
	        "sample", c->o->sample ? c->o->sample : cJSON_GetStringValue(path), false};
	const struct mg_output out[] = {{"--junit", c->o->gate.junit, false},
	                                {"--json", c->o->gate.json, false},
	                                {"--summary", c->o->gate.summary, false},
	                                {"--results", c->o->results, false}};

	return mg_outputs_spare_inputs(out, MG_ARRAY_SIZE(out), &sample, 1, err);
}

/* The policy's compare section: metric source, first-deployment policy and rules. */
static int read_policy(struct compare *c, const struct mg_policy *policy, struct mg_err *err)
{
	char where[4200];

	mg_policy_where(policy, where, sizeof(where));
	if (pol_get(c->pol, "metric_source"))
		c->source = mg_json_str(c->pol, "metric_source");
	if (pol_get(c->pol, "model_metrics_dataset")) {
		c->dataset = mg_json_str(c->pol, "model_metrics_dataset");
		if (strcmp(c->source, "model_metrics"))
			return mg_err_set(err, MG_EXIT_USAGE,
			                  "%s: compare.model_metrics_dataset: only meaningful with "
			                  "\"metric_source\": \"model_metrics\"",
			                  where);
	}
	if (pol_get(c->pol, "first_deployment"))
		c->first_mode = mg_json_str(c->pol, "first_deployment");
	if (pol_get(c->pol, "significance") && !pol_get(c->pol, "sample"))
		return mg_err_set(err, MG_EXIT_USAGE,
		                  "%s: compare.significance: only meaningful with compare.sample",
		                  where);
	if (outputs_spare_sample(c, err))
		return -1;
	if ((pol_get(c->pol, "sample") || c->o->sample) &&
	    mg_compare_sample_load(c->pol, where, c->o->sample, (unsigned)c->o->jobs, &c->smp, err))
		return -1;
	return load_rules(c, where, err);
}

int mg_compare_run(struct mg_ctx *ctx, const struct mg_compare_opts *o, struct mg_err *err)
{
	struct compare c = {0};
	struct mg_policy policy = {0};
	struct mg_result result;
	struct mg_buf uri = MG_BUF_INIT(MG_BUF_SMALL);
	struct mg_writes writes = MG_WRITES_INIT(o->gate.dry_run);
	struct mg_gate_run run = {0};
	struct mg_gate_end end = {ctx,  &o->gate,  o->quiet, &result, NULL,    &run,           NULL,
	                          NULL, "compare", false,    0,       &writes, &compare_hooks, &c};
	int ret = -1;

	c.ctx = ctx;
	c.o = o;
	c.first_mode = "block";
	c.source = "run";
	mg_result_init(&result, "mlgate");
	c.suite = end.suite = mg_result_add_suite(&result, "compare");
	mg_gate_run_init(&run, "compare", &o->gate);
	c.t0 = run.started_ns; /* the first metric's time counts the reads of both versions */
	run.champion = "none";

	/* configuration first: nothing is read before it is known to be sane */
	if (mg_gate_check_opts(ctx, &o->gate, err) || check_opts(o, err) ||
	    mg_gate_load_policy(&o->gate, "compare", &compare, &policy, &c.pol, &run, err) ||
	    read_policy(&c, &policy, err))
		goto done;

	mg_registry_resolve_uri(o->gate.registry, &uri);
	if (mg_registry_open(ctx, uri.buf, &c.reg, err) || mg_gate_artifact_check(&end, c.reg, err))
		goto done;
	end.reg = c.reg;
	run.registry = mg_registry_uri(c.reg);
	if (o->gate.version)
		snprintf(c.cand.selector, sizeof(c.cand.selector), "version %s", o->gate.version);
	else if (o->gate.alias)
		snprintf(c.cand.selector, sizeof(c.cand.selector), "alias %.200s", o->gate.alias);
	else
		snprintf(c.cand.selector, sizeof(c.cand.selector), "stage %s",
		         mg_stage_canonical(o->gate.stage));
	if (mg_gate_resolve(c.reg, &o->gate, &c.cand.mv, err))
		goto done;
	c.cand.have_mv = true;
	end.mv = &c.cand.mv;
	run.version = c.cand.mv.version;
	run.model = c.cand.mv.name;
	if (resolve_baseline(&c, err))
		goto done;
	if (c.base.have_mv)
		run.champion = c.base.mv.version;
	if (load_side(&c, &c.cand, err) || (!c.first && load_side(&c, &c.base, err)))
		goto done;
	snprintf(c.commit, sizeof(c.commit), "%.127s",
	         mg_gate_training_commit(c.cand.have_run ? &c.cand.run : NULL, o->commit));
	run.commit = c.commit;
	if (c.smp && !c.first) {
		if (mg_compare_sample_run(c.smp, err))
			goto done;
		evaluate_sample(&c);
	} else {
		evaluate(&c);
	}
	c.evaluated = true;
	ret = 0;
done:
	ret = mg_gate_finish(&end, ret != 0, err);
	for (size_t i = 0; i < c.nm; i++)
		free(c.m[i].id);
	free(c.m);
	free(c.exp_run_id);
	mg_compare_sample_free(c.smp);
	mg_model_version_release(&c.cand.mv);
	mg_model_version_release(&c.base.mv);
	mg_run_release(&c.cand.run);
	mg_run_release(&c.base.run);
	mg_kvlist_release(&c.cand.from);
	mg_kvlist_release(&c.base.from);
	mg_kvlist_release(&c.cand.unclear);
	mg_kvlist_release(&c.base.unclear);
	mg_registry_close(c.reg);
	mg_policy_release(&policy);
	mg_result_release(&result);
	mg_buf_release(&uri);
	mg_writes_release(&writes);
	return ret;
}
