/*
 * mlgate-changes: the models a git change touches, as a CI matrix. The
 * logic is in changes.c.
 */
#include "setup.h"
#include "changes.h"
#include "gate.h"
#include "opts.h"

static int run(struct mg_ctx *ctx, const void *o, struct mg_err *err)
{
	int rc = mg_changes_run(ctx, o, err);

	return rc < 0 ? err->code : rc;
}

int main(int argc, char **argv)
{
	struct mg_changes_opts o = {0};
	const struct mg_opt table[] = {
	        MG_OPT_GROUP_("Change"),
	        MG_OPT_STR(0, "repo", "DIR", &o.repo, "the git repository (default: .)"),
	        MG_OPT_STR(0, "config", "FILE", &o.config,
	                   "models and their path globs (default: mlgate.json at the "
	                   "repository root)"),
	        MG_OPT_STR(0, "base", "REF", &o.base,
	                   "target branch (local, else origin/REF) or commit to compare with "
	                   "(default: the pull request's, from the CI)"),
	        MG_OPT_STR(0, "head", "REF", &o.head,
	                   "the change's head (default: the pull request's head, else HEAD)"),
	        MG_OPT_BOOL(0, "all", &o.all, "every model in the config (outside pull requests)"),
	        MG_OPT_GROUP_("Output"),
	        MG_OPT_STR(0, "json", "FILE", &o.json,
	                   "write base, head, merge base, changed files and models to FILE"),
	        MG_OPT_ONE_OF(0, "ci", mg_ci_names, &o.ci,
	                      "CI outputs to write (default: detected from the environment)"),
	        MG_OPT_BOOL('q', "quiet", &o.quiet, "no summary line on stderr"),
	        MG_OPT_HELP_VERSION,
	        MG_OPT_END_OF_TABLE,
	};
	static const struct mg_doc_item changes_env[] = {
	        {"GITHUB_EVENT_PATH, GITHUB_BASE_REF",
	         "in GitHub Actions, the pull request's base and head (the event file) and target "
	         "branch"},
	        {"GITHUB_OUTPUT",
	         "in GitHub Actions, where the outputs matrix, models, count and any go"},
	        {"SYSTEM_PULLREQUEST_TARGETBRANCH, SYSTEM_PULLREQUEST_SOURCECOMMITID",
	         "in Azure Pipelines, the pull request's target branch and head"},
	        {"GITHUB_ACTIONS, TF_BUILD", "the CI --ci writes for by default: GitHub Actions "
	                                     "when GITHUB_ACTIONS is true, Azure "
	                                     "Pipelines when TF_BUILD is true"},
	        {"MLGATE_DEBUG", "true: more detail on stderr"},
	        {NULL, NULL},
	};
	static const struct mg_doc_item examples[] = {
	        {"The models a pull request into main touches, as a GitHub matrix",
	         "mlgate-changes --base main --json changes.json"},
	        {"Every model in mlgate.json (outside pull requests)", "mlgate-changes --all"},
	        {NULL, NULL},
	};
	const struct mg_cmd_spec spec = {
	        .prog = "mlgate-changes",
	        .usage = "[--base REF | --all] [options]",
	        .summary =
	                "The models a change touches: the files changed between the merge base "
	                "of the target branch\nand the head (renames count both paths, deletions "
	                "the old one), matched against each\nmodel's path globs in mlgate.json, "
	                "printed on stdout as a GitHub strategy.matrix:\n"
	                "  "
	                "{\"include\":[{\"model\":\"NAME\",\"policy\":\"...\",\"suite\":\"...\"}]}",
	        .details =
	                "In GitHub Actions the base and head come from the pull_request event "
	                "(GITHUB_EVENT_PATH,\nGITHUB_BASE_REF) and the outputs matrix, models, "
	                "count and any go to $GITHUB_OUTPUT;\nin Azure Pipelines from "
	                "SYSTEM_PULLREQUEST_TARGETBRANCH and SYSTEM_PULLREQUEST_SOURCECOMMITID,\n"
	                "and the output variables matrix (keyed by job-safe model names), models, "
	                "count\nand any are set with ##vso lines on stdout. A shallow clone "
	                "without the merge base\nis exit 2: fetch with fetch-depth: 0. "
	                "Exit 0 whether or not a model is affected.\nReference: docs/changes.md.\n",
	        .opts = table,
	        .env = (const struct mg_doc_item *const[]){changes_env, NULL},
	        .examples = examples,
	};
	return mg_gate_main(&spec, argc, argv, run, &o);
}
