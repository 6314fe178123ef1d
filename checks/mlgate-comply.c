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
	        .rules = rules,
	};
	return mg_gate_main(&spec, argc, argv, run, &o);
}
