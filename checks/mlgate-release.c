/*
 * mlgate-release: the release-branch cut check. The logic is in release.c.
 */
#include "setup.h"
#include "release.h"
#include "gate.h"
#include "opts.h"

static int run(struct mg_ctx *ctx, const void *o, struct mg_err *err)
{
	return mg_release_run(ctx, o, err);
}

int main(int argc, char **argv)
{
	struct mg_release_opts o = {0};
	const struct mg_opt table[] = {
	        MG_OPT_GROUP_("Release"),
	        MG_OPT_STR(0, "repo", "DIR", &o.repo, "the git repository (default: .)"),
	        MG_OPT_STR(0, "config", "FILE", &o.config,
	                   "repository file with a \"release\" section (default: mlgate.json at "
	                   "the repository root, when there is one)"),
	        MG_OPT_STR(0, "commit", "REV", &o.commit, "the commit being cut (default: HEAD)"),
	        MG_OPT_STR(0, "branch", "NAME", &o.branch,
	                   "the release branch (default: GITHUB_REF_NAME, BUILD_SOURCEBRANCH, "
	                   "else HEAD's branch)"),
	        MG_OPT_STR(0, "main", "BRANCH", &o.main,
	                   "the main line the commit must be on (default: release.main, else "
	                   "main)"),
	        MG_OPT_STR(0, "pattern", "GLOB", &o.pattern,
	                   "release branch names (default: release.branch_pattern, else "
	                   "release/*)"),
	        MG_OPT_MANY(0, "evidence", "FILE", &o.evidence,
	                    "JUnit evidence of a gate run for this commit"),
	        MG_OPT_STR(0, "require", "GATES", &o.require,
	                   "gates that must have passed, e.g. smoke,comply (default: "
	                   "release.require, else the gates of the evidence given)"),
	        MG_OPT_STR('r', "registry", "URI", &o.gate.registry,
	                   "registry the gates wrote their verdicts to, to cross-check comply "
	                   "and compare evidence (default: $MLFLOW_REGISTRY_URI, "
	                   "$MLFLOW_TRACKING_URI, sqlite:///mlflow.db)"),
	        MG_GATE_OUTPUT_OPTIONS(&o.gate),
	        MG_OPT_BOOL('q', "quiet", &o.quiet, "no per-check lines on stdout"),
	        MG_OPT_HELP_VERSION,
	        MG_OPT_END_OF_TABLE,
	};
	static const struct mg_doc_item examples[] = {
	        {"Check that the release branch being cut holds a commit whose gates all passed",
	         "mlgate-release --branch release/1.4 --commit HEAD --evidence comply.xml \\\n    "
	         "--evidence compare.xml --evidence smoke.xml --junit release.xml"},
	        {NULL, NULL},
	};
	const struct mg_cmd_spec spec = {
	        .prog = "mlgate-release",
	        .usage = "--evidence FILE... [--commit REV] [--branch NAME] [options]",
	        .summary = "Release-branch cut check: the branch name matches the release pattern, "
	                   "the commit is\nreachable from the main branch, and every required "
	                   "gate's evidence (JUnit written by\nan mlgate gate) passed for exactly "
	                   "that commit.",
	        .details =
	                "Checks: release.branch.pattern, release.commit.on_main, "
	                "release.evidence.GATE.\nEvidence must carry mlgate's suite properties "
	                "mlgate.gate, mlgate.verdict and\nmlgate.git.commit (the full commit id); "
	                "an unreadable evidence file is an error\n(exit 2). Comply and compare "
	                "evidence must agree with the verdict the gate recorded\non the model "
	                "version (--registry); with MLGATE_EVIDENCE_KEY set, every evidence file "
	                "must\ncarry a valid mlgate.evidence.hmac. Reference: docs/release.md.\n",
	        .opts = table,
	        .env = (const struct mg_doc_item *const[]){mg_gate_env_registry, mg_gate_env_common,
	                                                   NULL},
	        .examples = examples,
	};
	int rc = mg_gate_main(&spec, argc, argv, run, &o);

	mg_strlist_release(&o.evidence);
	return rc;
}
