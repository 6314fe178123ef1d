/*
 * mlgate-promote: approve or reject a registry transition from evidence. The gate is in
 * promote.c.
 */
#include "setup.h"
#include "promote.h"
#include "opts.h"

static int run(struct mg_ctx *ctx, const void *o, struct mg_err *err)
{
	return mg_promote_run(ctx, o, err);
}

int main(int argc, char **argv)
{
	struct mg_promote_opts o = {0};
	const struct mg_opt table[] = {
	        MG_GATE_OPTIONS(&o.gate),
	        MG_OPT_BOOL('q', "quiet", &o.quiet, "no per-check lines on stdout"),
	        MG_GATE_ARTIFACT_OPTION(&o.gate),
	        MG_OPT_GROUP_("Promotion"),
	        MG_OPT_STR(0, "to-stage", "STAGE", &o.to_stage,
	                   "move the version to Staging or Production, archiving what it replaces"),
	        MG_OPT_STR(0, "to-alias", "ALIAS", &o.to_alias,
	                   "point ALIAS (e.g. champion) at the version"),
	        MG_OPT_STR(0, "from-alias", "ALIAS", &o.from_alias,
	                   "the candidate alias (e.g. challenger): removed on approval and "
	                   "rejection; selects the candidate when no --version/--alias/--stage"),
	        MG_OPT_MANY('e', "evidence", "FILE", &o.evidence,
	                    "JUnit evidence from the other gates"),
	        MG_OPT_STR(0, "require", "GATES", &o.require,
	                   "gates that must have passed: smoke,comply,compare (default: "
	                   "comply,compare to Production/champion, else comply)"),
	        MG_OPT_STR(0, "max-age", "DURATION", &o.max_age,
	                   "oldest evidence accepted: 90s, 30m, 24h, 7d (default 24h)"),
	        MG_OPT_STR(0, "commit", "SHA", &o.commit, "evidence must be for this git commit"),
	        MG_OPT_BOOL(0, "keep-on-reject", &o.keep_on_reject,
	                    "on rejection only record it (tags, description): do not archive the "
	                    "version or remove the candidate alias"),
	        MG_OPT_BOOL(0, "reject", &o.reject, "reject by hand (with --reason)"),
	        MG_OPT_STR(0, "reason", "TEXT", &o.reason, "why, for --reject"),
	        MG_OPT_BOOL(0, "approve", &o.approve,
	                    "force the approval, audited (with --override-reason)"),
	        MG_OPT_STR(0, "override-reason", "TEXT", &o.override_reason,
	                   "why, for --approve; recorded with the CI identity"),
	        MG_OPT_HELP_ONLY,
	        MG_OPT_END_OF_TABLE,
	};
	static const struct mg_doc_item examples[] = {
	        {"Move version 3 to Production on its compliance and comparison evidence (rejected "
	         "and archived if the evidence says no)",
	         "mlgate-promote --model fraud-detector --version 3 --to-stage Production \\\n    "
	         "--evidence comply.xml --evidence compare.xml --junit promote.xml"},
	        {"Point the champion alias at the challenger, removing the challenger alias",
	         "mlgate-promote --model fraud-detector --from-alias challenger --to-alias "
	         "champion \\\n    --evidence comply.xml --evidence compare.xml"},
	        {"Show what a promotion would change, changing nothing",
	         "mlgate-promote --model fraud-detector --version 3 --to-stage Production \\\n    "
	         "--evidence comply.xml --evidence compare.xml --dry-run"},
	        {NULL, NULL},
	};
	const struct mg_cmd_spec spec = {
	        .prog = "mlgate-promote",
	        .usage = "--model NAME (--version N | --alias A | --stage S) (--to-stage STAGE | "
	                 "--to-alias ALIAS)\n       --evidence FILE... [options]",
	        .summary = "Approve or reject a registry transition from the evidence of the "
	                   "other gates: every\nrequired gate present and passed for this model, "
	                   "version (and commit), recent enough,\nand production still the "
	                   "version the comparison was made against (compare-and-set).\nAn "
	                   "approval moves the stage or alias and is written back (tags "
	                   "mlgate.promote.*,\na line in the description) unless --dry-run; a "
	                   "rejection archives the\nversion (stage targets) or removes the "
	                   "candidate alias, and is written back too.\nA failed "
	                   "compare-and-set writes nothing.",
	        .details =
	                "--policy FILE is optional: it is read and checked (a \"promote\" section "
	                "has one key,\nrequire_transition_request, for Databricks) and its SHA-256 "
	                "recorded as mlgate.policy.sha256; "
	                "missing or invalid is exit 2\nbefore the registry is opened. Reference: "
	                "docs/promote.md.\n",
	        .opts = table,
	        .env = (const struct mg_doc_item *const[]){mg_gate_env_registry, mg_gate_env_common,
	                                                   NULL},
	        .examples = examples,
	};
	int rc = mg_gate_main(&spec, argc, argv, run, &o);

	mg_strlist_release(&o.evidence);
	return rc;
}
