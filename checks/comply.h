/*
 * mlgate-comply: compliance checks of one model version (tags,
 * description, model card in git at the model's commit, lineage, run
 * contents), with severities and waivers from the policy's "compliance"
 * section (docs/policy.md), the verdict written back to the registry and
 * published as JUnit, JSON and Markdown.
 */
#ifndef MG_COMPLY_H
#define MG_COMPLY_H

#include "setup.h"
#include "ctx.h"
#include "gate.h"
#include "policy.h"

struct mg_comply_opts {
	struct mg_gate_opts gate; /* model, version/alias/stage, registry, policy, outputs */
	const char *repo;         /* --repo DIR: the git repository (default ".") */
	const char *commit;       /* --commit SHA: when the run has no git commit tag */
	bool fail_on_warn;        /* --fail-on-warn: warnings fail the gate */
	bool quiet;               /* --quiet: no check lines on stdout */
};

/*
 * Run the gate. Returns the exit code: MG_EXIT_PASS, MG_EXIT_FAIL, or
 * (with `err` set and outputs written where possible) MG_EXIT_USAGE /
 * MG_EXIT_INFRA.
 */
int mg_comply_run(struct mg_ctx *ctx, const struct mg_comply_opts *o, struct mg_err *err);

/* The schema of the policy's "compliance" section. */
const struct mg_schema *mg_comply_policy_schema(void);

/*
 * Model-card helpers, exposed for tests: whether `markdown` has a heading
 * `section` (case-insensitive) with non-empty text under it.
 */
bool mg_markdown_has_section(const char *markdown, const char *section);

#endif
