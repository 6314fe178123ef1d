/*
 * mlgate-compare: the candidate model version against the production one it
 * would replace. The gate is in compare.c.
 */
#include "setup.h"
#include "compare.h"
#include "opts.h"

static int run(struct mg_ctx *ctx, const void *o, struct mg_err *err)
{
	return mg_compare_run(ctx, o, err);
}

int main(int argc, char **argv)
{
	struct mg_compare_opts o = {0};
	const struct mg_opt table[] = {
	        MG_GATE_OPTIONS(&o.gate),
	        MG_OPT_BOOL('q', "quiet", &o.quiet, "no per-check lines on stdout"),
	        MG_GATE_ARTIFACT_OPTION(&o.gate),
	        MG_OPT_GROUP_("Production model (at most one; default: --baseline-stage "
	                      "Production when\nthe candidate is chosen by --stage, else "
	                      "--baseline-alias champion)"),
	        MG_OPT_STR(0, "baseline-version", "N", &o.baseline_version,
	                   "compare against this version"),
	        MG_OPT_STR(0, "baseline-alias", "ALIAS", &o.baseline_alias,
	                   "compare against the version this alias points at"),
	        MG_OPT_STR(0, "baseline-stage", "STAGE", &o.baseline_stage,
	                   "compare against the version in this stage (exactly one)"),
	        MG_OPT_GROUP_("Comparison"),
	        MG_OPT_STR(0, "results", "FILE", &o.results,
	                   "append one row per metric to FILE (CSV if it ends in "
	                   ".csv, else JSON Lines)"),
	        MG_OPT_STR(0, "log-experiment", "NAME", &o.log_experiment,
	                   "record the comparison as a run of MLflow experiment NAME"),
	        MG_OPT_STR(0, "commit", "SHA", &o.commit,
	                   "git commit for the evidence, when the run has no "
	                   "mlflow.source.git.commit tag"),
	        MG_OPT_STR(0, "sample", "FILE", &o.sample,
	                   "the pinned evaluation sample (CSV): overrides compare.sample.path"),
	        MG_OPT_INTEGER('j', "jobs", "N", &o.jobs, 1, 256,
	                       "bootstrap threads (the result does not depend on N)"),
	        MG_OPT_HELP_ONLY,
	        MG_OPT_END_OF_TABLE,
	};
	static const struct mg_opt_rule rules[] = {
	        MG_GATE_RULES,
	        MG_RULE(MG_RULE_AT_MOST_ONE, "baseline-version", "baseline-alias",
	                "baseline-stage"),
	        MG_RULE_END,
	};
	static const struct mg_doc_item examples[] = {
	        {"Compare the version in Staging with the one in Production, metric by metric, "
	         "with evidence for mlgate-promote",
	         "mlgate-compare --model fraud-detector --stage Staging --baseline-stage "
	         "Production \\\n    --policy policy.json --junit compare.xml --results "
	         "compare.csv"},
	        {"Compare the challenger alias with the champion alias",
	         "mlgate-compare --model fraud-detector --alias challenger --baseline-alias "
	         "champion \\\n    --policy policy.json --junit compare.xml"},
	        {NULL, NULL},
	};
	const struct mg_cmd_spec spec = {
	        .prog = "mlgate-compare",
	        .usage = "--model NAME (--version N | --alias A | --stage S) --policy FILE "
	                 "[options]",
	        .summary = "Compare a candidate model version with the production version it "
	                   "would replace, metric by\nmetric, as the policy's \"compare\" "
	                   "section says: MLflow MetricThreshold rules (threshold,\n"
	                   "min_absolute_change, min_relative_change) and tolerated regressions "
	                   "(max_regression,\nmax_relative_regression). Values are the latest "
	                   "of each metric on each version's run.\nWithout a production model, "
	                   "compare.first_deployment decides (block, thresholds_only,\nmanual). "
	                   "The verdict is written back to the candidate (tags mlgate.compare.*, "
	                   "a line in\nits description) unless --dry-run.",
	        .details = "Exit code 4: first deployment under first_deployment \"manual\" (a "
	                   "human decides), or a comparison on compare.sample that is "
	                   "inconclusive.\nCredentials come from the "
	                   "environment only. Policy reference: docs/policy.md.\n",
	        .opts = table,
	        .env = (const struct mg_doc_item *const[]){mg_gate_env_registry, mg_gate_env_common,
	                                                   NULL},
	        .examples = examples,
	        .rules = rules,
	};
	return mg_gate_main(&spec, argc, argv, run, &o);
}
