/*
 * mlgate-comply: compliance checks of one model version. The gate is in comply.c.
 */
#include "setup.h"
#include "comply.h"
#include "opts.h"

static int run(struct mg_ctx *ctx, const void *o, struct mg_err *err)
{
	return mg_comply_run(ctx, o, err);
}

int main(int argc, char **argv)
{
	struct mg_comply_opts o = {0};
	const struct mg_opt table[] = {
	        MG_GATE_OPTIONS(&o.gate),
	        MG_OPT_BOOL('q', "quiet", &o.quiet, "no per-check lines on stdout"),
	        MG_OPT_GROUP_("Compliance"),
	        MG_OPT_STR(0, "repo", "DIR", &o.repo,
	                   "git repository holding the model card and the training commit "
	                   "(default: .)"),
	        MG_OPT_STR(0, "commit", "SHA", &o.commit,
	                   "training commit, when the run has no mlflow.source.git.commit tag"),
	        MG_OPT_BOOL(0, "fail-on-warn", &o.fail_on_warn,
	                    "checks with severity 'warn' fail the gate too"),
	        MG_OPT_HELP_ONLY,
	        MG_OPT_END_OF_TABLE,
	};
	static const struct mg_opt_rule rules[] = {
	        MG_GATE_RULES,
	        MG_RULE_END,
	};
	static const struct mg_doc_item examples[] = {
	        {"Check version 3 against the policy's compliance section, reading its model card "
	         "from the repository at the training commit, with evidence for mlgate-promote",
	         "mlgate-comply --registry sqlite:///mlflow.db --model fraud-detector --version 3 "
	         "\\\n    --policy policy.json --repo . --junit comply.xml"},
	        {"The same for whatever version is in Staging on an MLflow server, without writing "
	         "anything back",
	         "MLFLOW_TRACKING_URI=https://mlflow.example.com \\\nmlgate-comply --model "
	         "fraud-detector --stage Staging --policy policy.json --dry-run"},
	        {NULL, NULL},
	};
	const struct mg_cmd_spec spec = {
	        .prog = "mlgate-comply",
	        .usage = "--model NAME (--version N | --alias A | --stage S) --policy FILE "
	                 "[options]",
	        .summary = "Compliance checks of one model version: tags, description, model card "
	                   "(read from git at the\nmodel's training commit), lineage and run "
	                   "contents, as the policy's \"compliance\" section says.\nThe verdict is "
	                   "written back to the version (tags mlgate.comply.*, a line in its "
	                   "description)\nunless --dry-run.",
	        .details = "Credentials come from the environment only (MLFLOW_TRACKING_TOKEN, "
	                   "MLFLOW_TRACKING_USERNAME\nand MLFLOW_TRACKING_PASSWORD, ...). Policy "
	                   "reference: docs/policy.md.\n",
	        .opts = table,
	        .env = (const struct mg_doc_item *const[]){mg_gate_env_registry, mg_gate_env_common,
	                                                   NULL},
	        .examples = examples,
	        .rules = rules,
	};
	return mg_gate_main(&spec, argc, argv, run, &o);
}
