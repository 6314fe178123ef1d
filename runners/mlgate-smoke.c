/*
 * mlgate-smoke: smoke tests on sample data. The runner is in smoke.c.
 */
#include "setup.h"
#include "smoke.h"
#include "ci.h"
#include "gate.h"
#include "opts.h"

/* A case that could not be run is named on stderr by the gate ending (mg_gate_finish). */
static int run(struct mg_ctx *ctx, const void *o, struct mg_err *err)
{
	return mg_smoke_run(ctx, o, err);
}

int main(int argc, char **argv)
{
	struct mg_smoke_opts o = {0};
	const struct mg_opt table[] = {
	        MG_OPT_GROUP_("Suite"),
	        MG_OPT_STR(0, "suite", "FILE", &o.suite,
	                   "suite document (JSON with a \"smoke\" section)"),
	        MG_OPT_STR('p', "policy", "FILE", &o.policy,
	                   "policy document: its \"smoke\" section"),
	        MG_OPT_STR(0, "filter", "GLOB", &o.filter, "run only the cases whose name matches"),
	        MG_OPT_INTEGER('j', "jobs", "N", &o.jobs, 1, 256,
	                       "cases run in parallel (default 1)"),
	        MG_OPT_INTEGER(
	                0, "timeout", "SECONDS", &o.timeout_s, 1, 86400,
	                "deadline of the whole suite (default: the suite's timeout_s, none)"),
	        MG_OPT_STR(0, "sample", "FILE", &o.sample, "{sample}: the sample data file"),
	        MG_OPT_STR(0, "model-uri", "URI", &o.model_uri, "{model_uri}: the model to test"),
	        MG_OPT_NAME_STR(
	                'm', "model", "NAME", &o.model,
	                "registered model name (evidence; with --version gives {model_uri})"),
	        MG_OPT_STR_OR_VERSION('v', "version", "N", &o.version,
	                              "model version (alone: show mlgate's version)"),
	        MG_OPT_STR(0, "commit", "SHA", &o.commit, "git commit tested (evidence)"),
	        MG_OPT_STR(0, "out-dir", "DIR", &o.out_dir,
	                   "keep each case's {out} as DIR/NAME (default: a temporary directory, "
	                   "removed)"),
	        MG_OPT_BOOL(0, "list", &o.list, "print the selected cases and exit"),
	        MG_OPT_GROUP_("Output"),
	        MG_OPT_STR(0, "junit", "FILE", &o.junit,
	                   "write JUnit XML evidence to FILE ('-': stdout)"),
	        MG_OPT_STR(0, "json", "FILE", &o.json,
	                   "write the JSON decision to FILE ('-': stdout)"),
	        MG_OPT_STR(0, "summary", "FILE", &o.summary,
	                   "write a Markdown summary to FILE ('-': stdout)"),
	        MG_OPT_ONE_OF(0, "ci", mg_ci_names, &o.ci,
	                      "CI output to write (default: detected from the environment)"),
	        MG_OPT_BOOL('q', "quiet", &o.quiet, "no per-case lines on stdout"),
	        MG_OPT_HELP_ONLY,
	        MG_OPT_END_OF_TABLE,
	};
	static const struct mg_opt_rule rules[] = {
	        MG_RULE(MG_RULE_ONE, "suite", "policy"),
	        MG_RULE(MG_RULE_TOGETHER, "model", "version"),
	        MG_RULE_END,
	};
	static const struct mg_doc_item examples[] = {
	        {"Run the smoke suite on a sample, four cases at a time, with evidence for "
	         "mlgate-promote",
	         "mlgate-smoke --suite smoke.json --sample data/sample.csv -j 4 \\\n    --model "
	         "fraud-detector --version 3 --junit smoke.xml"},
	        {"List the cases a filter selects",
	         "mlgate-smoke --suite smoke.json --filter 'contract-*' --list"},
	        {NULL, NULL},
	};
	const struct mg_cmd_spec spec = {
	        .prog = "mlgate-smoke",
	        .usage = "(--suite FILE | --policy FILE) [-j N] [--filter GLOB] [options]",
	        .summary = "Run a smoke suite on sample data: commands (e.g. pytest, whose JUnit "
	                   "cases are imported),\ndata contracts on CSV files, batch predictions "
	                   "and predictions over HTTP (MLflow's\nscoring protocol) with latency "
	                   "budgets. A case that fails is a failure (exit 1); a case\nthat could "
	                   "not be run is an error (exit 3).",
	        .details = "Variables in the suite's strings: {sample}, {out} (a directory per "
	                   "case), {model_uri},\n{suite_dir}. Reference: docs/smoke.md.\n",
	        .opts = table,
	        .env = (const struct mg_doc_item *const[]){mg_gate_env_common, NULL},
	        .examples = examples,
	        .rules = rules,
	};
	return mg_gate_main(&spec, argc, argv, run, &o);
}
