#include "setup.h"
#include "ctx.h"
#include "parse.h"

void mg_ctx_init(struct mg_ctx *ctx, const char *prog)
{
	ctx->secrets = (struct mg_secrets)MG_SECRETS_INIT;
	mg_secrets_add_from_env(&ctx->secrets);
	mg_log_init(&ctx->log, prog, stderr, &ctx->secrets);
	ctx->ci = mg_ci_detect();
}

int mg_ctx_from_env(struct mg_ctx *ctx, struct mg_err *err)
{
	const char *v = getenv("MLGATE_DEBUG");
	bool debug = false;

	if (v && *v && mg_parse_bool("environment variable MLGATE_DEBUG", v, &debug, err))
		return -1;
	if (debug)
		ctx->log.level = MG_LOG_DEBUG;
	return 0;
}

void mg_ctx_release(struct mg_ctx *ctx)
{
	mg_secrets_release(&ctx->secrets);
}

int mg_ctx_finish(struct mg_ctx *ctx, int rc)
{
	bool failed = fflush(stdout) != 0 || ferror(stdout);

	if (fclose(stdout) != 0)
		failed = true;
	if (failed) {
		mg_error(&ctx->log, "cannot write to standard output: %s", strerror(errno));
		return MG_EXIT_INFRA;
	}
	return rc;
}
