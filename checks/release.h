/*
 * mlgate-release: the release-branch cut check. The branch name matches
 * the release pattern, the commit being cut is reachable from the main
 * branch, and every required gate has evidence (JUnit written by an
 * mlgate gate) that passed for exactly that commit. Published as JUnit,
 * JSON and Markdown like every gate (mlgate.gate=release); no registry.
 * Defaults come from the "release" section of the repository's
 * mlgate.json (changes.h). docs/release.md.
 */
#ifndef MG_RELEASE_H
#define MG_RELEASE_H

#include "setup.h"
#include "ctx.h"
#include "gate.h"
#include "strlist.h"

struct mg_release_opts {
	struct mg_gate_opts gate;   /* only registry, junit, json, summary and ci are used */
	const char *repo;           /* --repo DIR (default ".") */
	const char *config;         /* --config FILE (default: mlgate.json at the root, if any) */
	const char *commit;         /* --commit REV (default HEAD) */
	const char *branch;         /* --branch NAME (default: from the CI, else HEAD's branch) */
	const char *main;           /* --main BRANCH (default: config, else main) */
	const char *pattern;        /* --pattern GLOB (default: config, else release/ then *) */
	struct mg_strlist evidence; /* --evidence FILE... */
	const char *require;        /* --require smoke,comply,... */
	bool quiet;                 /* -q */
};

/*
 * Run the check. Returns the exit code: MG_EXIT_PASS, MG_EXIT_FAIL (a
 * check failed), or with `err` set (and the evidence published when
 * anything was evaluated) MG_EXIT_USAGE / MG_EXIT_INFRA.
 */
int mg_release_run(struct mg_ctx *ctx, const struct mg_release_opts *o, struct mg_err *err);

/* The branch named by the CI: GITHUB_REF_NAME, or BUILD_SOURCEBRANCH without refs/heads/; NULL. */
const char *mg_release_ci_branch(void);

#endif
