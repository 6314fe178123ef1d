/*
 * The run context every executable builds in main() and passes down
 * explicitly: its logger, its secret registry and the CI it reports to.
 * There is no other process-wide state.
 */
#ifndef MG_CTX_H
#define MG_CTX_H

#include "setup.h"
#include "ci.h"
#include "err.h"
#include "log.h"
#include "secrets.h"

struct mg_ctx {
	struct mg_secrets secrets; /* masked in everything printed or written */
	struct mg_log log;         /* stderr, prefixed with the program name */
	enum mg_ci ci;             /* where annotations and summaries go */
};

/*
 * Set up for program `prog` (borrowed, e.g. "mlgate-comply"): secrets from
 * the credential environment variables, logger on stderr, CI detected
 * from the environment.
 */
void mg_ctx_init(struct mg_ctx *ctx, const char *prog);

/*
 * Settings from the environment, for the gates: MLGATE_DEBUG=true logs
 * every registry request with its timing (secrets masked). A malformed
 * value is MG_EXIT_USAGE.
 */
int mg_ctx_from_env(struct mg_ctx *ctx, struct mg_err *err);

void mg_ctx_release(struct mg_ctx *ctx);

/*
 * The end of every main(): flush and check stdout, so a full disk or a
 * closed pipe cannot turn into a "passed" gate with a truncated report.
 * Returns `rc`, or MG_EXIT_INFRA when stdout could not be written.
 */
int mg_ctx_finish(struct mg_ctx *ctx, int rc);

#endif
