/*
 * mlgate-comply: compliance checks of one model version. The gate is in comply.c.
 */
#include "setup.h"
#include "comply.h"
#include "ctx.h"
#include "opts.h"

#include <curl/curl.h>
#include <git2.h>

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
	};
	struct mg_ctx ctx;
	struct mg_err err = MG_ERR_INIT;
	int rc;

	mg_ctx_init(&ctx, "mlgate-comply");
	curl_global_init(CURL_GLOBAL_DEFAULT);
	git_libgit2_init();
	rc = mg_opts_main(&spec, argc, argv, NULL, stdout, &ctx.log);
	if (rc >= 0)
		goto done;
	if (mg_ctx_from_env(&ctx, &err)) {
		rc = mg_log_err(&ctx.log, &err);
		goto done;
	}
	rc = mg_comply_run(&ctx, &o, &err);
	if (rc >= MG_EXIT_USAGE)
		mg_log_err(&ctx.log, &err);
done:
	git_libgit2_shutdown();
	curl_global_cleanup();
	rc = mg_ctx_finish(&ctx, rc);
	mg_ctx_release(&ctx);
	return rc;
}
