/*
 * mlgate-drift: data and prediction drift against the training reference.
 * The gate is in drift.c.
 */
#include "setup.h"
#include "drift.h"
#include "opts.h"

static int run(struct mg_ctx *ctx, const void *o, struct mg_err *err)
{
	return mg_drift_run(ctx, o, err);
}

int main(int argc, char **argv)
{
	struct mg_drift_opts o = {0};
	const struct mg_opt table[] = {
	        MG_GATE_OPTIONS(&o.gate),
	        MG_OPT_BOOL('q', "quiet", &o.quiet, "no per-check lines on stdout"),
	        MG_OPT_GROUP_("Drift"),
	        MG_OPT_STR(0, "reference", "FILE", &o.reference,
	                   "the training reference (CSV with a header row)"),
	        MG_OPT_STR(
	                0, "profile", "FILE", &o.profile,
	                "the reference's saved profile (--save-profile), instead of --reference"),
	        MG_OPT_STR(0, "current", "FILE", &o.current, "the current window to judge (CSV)"),
	        MG_OPT_STR(0, "save-profile", "FILE", &o.save_profile,
	                   "write the reference's profile (JSON) to FILE"),
	        MG_OPT_NAME_STR(
	                0, "window", "LABEL", &o.window,
	                "what the current window is, for the mlgate.drift.window tag (default: "
	                "the --current file)"),
	        MG_OPT_NAME_STR(0, "prediction", "COLUMN", &o.prediction,
	                        "the prediction column (default: the policy's drift.prediction)"),
	        MG_OPT_NAME_STR(0, "label", "COLUMN", &o.label,
	                        "the label column, judged when the current window has it (default: "
	                        "drift.label)"),
	        MG_OPT_INTEGER(0, "reservoir", "N", &o.reservoir, 100, 10000000,
	                       "values sampled per numeric column (default: 20000)"),
	        MG_OPT_INTEGER(0, "bins", "N", &o.bins, 2, 100,
	                       "PSI bins at reference quantiles (default: 10)"),
	        MG_OPT_INTEGER(0, "seed", "N", &o.seed, 1, 1000000000,
	                       "reservoir sampling seed (default: 1)"),
	        MG_OPT_BOOL(0, "fail-on-warn", &o.fail_on_warn,
	                    "statistics past their warn threshold fail the gate too"),
	        MG_OPT_HELP_ONLY,
	        MG_OPT_END_OF_TABLE,
	};
	static const struct mg_opt_rule rules[] = {
	        MG_RULE(MG_RULE_ONE, "reference", "profile"),
	        MG_RULE(MG_RULE_AT_MOST_ONE, "version", "alias", "stage"),
	        MG_RULE(MG_RULE_NEEDS, "save-profile", "reference"),
	        MG_RULE(MG_RULE_NEEDS, "window", "current"),
	        MG_RULE_END,
	};
	static const struct mg_doc_item examples[] = {
	        {"At the end of training: save the reference's profile (log it as an MLflow "
	         "artifact)",
	         "mlgate-drift --reference train.csv --save-profile drift-profile.json"},
	        {"Nightly: judge yesterday's window against the profile, record the verdict on the "
	         "production version, and set the retrain output",
	         "mlgate-drift --profile drift-profile.json --current window.csv --policy "
	         "policy.json \\\n    --model fraud-detector --alias production --window "
	         "2026-12-04 --junit drift.xml"},
	        {NULL, NULL},
	};
	const struct mg_cmd_spec spec = {
	        .prog = "mlgate-drift",
	        .usage = "(--reference FILE | --profile FILE) --current FILE [--policy FILE] "
	                 "[options]",
	        .summary =
	                "Data and prediction drift of a current window against the training "
	                "reference: per column\nPSI, Kolmogorov-Smirnov and Wasserstein-1 "
	                "(numeric), PSI, chi-square and Jensen-Shannon\n(categorical), and the "
	                "missing-value rate, judged by the policy's \"drift\" section.\nExit 1 "
	                "on drift; the CI output retrain=true|false; with --model the verdict is\n"
	                "written back to that version (tags mlgate.drift.*) unless --dry-run.",
	        .details = "One streaming pass per file, bounded memory. Statistics and policy: "
	                   "docs/drift.md.\n",
	        .opts = table,
	        .env = (const struct mg_doc_item *const[]){mg_gate_env_registry, mg_gate_env_common,
	                                                   NULL},
	        .examples = examples,
	        .rules = rules,
	};
	return mg_gate_main(&spec, argc, argv, run, &o);
}
