/*
 * mlgate-relay: registry webhooks in (MLflow, Databricks), CI dispatches out
 * (GitHub, Azure DevOps), nothing lost in between. The logic is in relay/.
 */
#include "setup.h"
#include "ctx.h"
#include "opts.h"
#include "parse.h"
#include "relay_config.h"
#include "relay_queue.h"
#include "relay_server.h"

#include <curl/curl.h>
#include <sys/time.h>

struct options {
	const char *config;
	bool all;
	bool json;
};

static double now_s(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

static int check_config(struct mg_ctx *ctx, struct mg_relay_config *cfg, struct mg_err *err)
{
	if (mg_relay_config_resolve(cfg, &ctx->secrets, err))
		return -1;
	printf("relay config '%s': %zu source%s, %zu target%s, %zu route%s; listens on %s port "
	       "%ld; "
	       "queue '%s'\n",
	       cfg->path, cfg->nsources, cfg->nsources == 1 ? "" : "s", cfg->ntargets,
	       cfg->ntargets == 1 ? "" : "s", cfg->nroutes, cfg->nroutes == 1 ? "" : "s",
	       cfg->address, cfg->port, cfg->queue_path);
	for (size_t i = 0; i < cfg->nsources; i++)
		printf("  POST /hooks/%s (%s)\n", cfg->sources[i].name,
		       cfg->sources[i].type == MG_RELAY_SRC_MLFLOW ? "MLflow" : "Databricks");
	for (size_t i = 0; i < cfg->ntargets; i++)
		printf("  target %s -> %s\n", cfg->targets[i].name, cfg->targets[i].url);
	return 0;
}

static int status(struct mg_relay_config *cfg, const struct options *o, struct mg_err *err)
{
	struct mg_relay_queue *q = NULL;
	struct mg_buf out = MG_BUF_INIT(MG_BUF_LARGE);
	int ret = -1;

	if (mg_relay_queue_open(cfg->queue_path, false, &q, err) ||
	    mg_relay_queue_list(q, o->all, o->json, &out, err))
		goto done;
	fwrite(out.buf, 1, out.len, stdout);
	ret = 0;
done:
	mg_relay_queue_close(q);
	mg_buf_release(&out);
	return ret;
}

static int replay(struct mg_relay_config *cfg, const char *id_text, struct mg_err *err)
{
	struct mg_relay_queue *q = NULL;
	long long id;
	int ret = -1;

	if (mg_parse_ll("job ID", id_text, 1, INT64_MAX, &id, err) ||
	    mg_relay_queue_open(cfg->queue_path, false, &q, err) ||
	    mg_relay_queue_replay(q, id, now_s(), err))
		goto done;
	printf("job %lld queued again\n", id);
	ret = 0;
done:
	mg_relay_queue_close(q);
	return ret;
}

int main(int argc, char **argv)
{
	struct options o = {"relay.json", false, false};
	const struct mg_opt table[] = {
	        MG_OPT_STR('c', "config", "FILE", &o.config,
	                   "the relay configuration (default: relay.json)"),
	        MG_OPT_BOOL(0, "all", &o.all, "status: delivered jobs too"),
	        MG_OPT_BOOL(0, "json", &o.json, "status: a JSON array instead of a table"),
	        MG_OPT_HELP_VERSION,
	        MG_OPT_END_OF_TABLE,
	};
	static const struct mg_doc_item relay_env[] = {
	        {"(named in the configuration)",
	         "the senders' secrets, the GitHub tokens and the Azure secrets: each source and "
	         "target names its variables (docs/relay.md)"},
	        {NULL, NULL},
	};
	static const struct mg_doc_item examples[] = {
	        {"Check a configuration and that its secrets are set",
	         "mlgate-relay check-config --config /etc/mlgate/relay.json"},
	        {"Serve", "mlgate-relay serve --config /etc/mlgate/relay.json"},
	        {"The jobs not delivered yet, and the dead ones", "mlgate-relay status"},
	        {"Send dead job 42 again", "mlgate-relay replay 42"},
	        {NULL, NULL},
	};
	const struct mg_cmd_spec spec = {
	        .prog = "mlgate-relay",
	        .usage = "serve | check-config | status [--all] [--json] | replay ID  "
	                 "[--config FILE]",
	        .summary = "Receive signed model-registry webhooks (MLflow, Databricks), queue "
	                   "them durably and forward\nthem to CI: GitHub repository_dispatch or "
	                   "workflow_dispatch, Azure DevOps incoming webhooks.",
	        .details = "serve answers 2xx only once a delivery is fsync'd in the queue; a "
	                   "forward that fails is\nretried with backoff (Retry-After honoured) "
	                   "and parked as dead after queue.max_tries;\nstatus lists the jobs not "
	                   "delivered, replay ID queues a dead one again (a running serve\n"
	                   "sends it within a second). Reference: docs/relay.md.\n",
	        .opts = table,
	        .env = (const struct mg_doc_item *const[]){relay_env, NULL},
	        .examples = examples,
	        .subcommands =
	                (const char *const[]){"serve", "check-config", "status", "replay", NULL},
	};
	struct mg_ctx ctx;
	struct mg_strlist args = MG_STRLIST_INIT;
	struct mg_err err = MG_ERR_INIT;
	struct mg_relay_config cfg;
	const char *cmd;
	int rc;

	memset(&cfg, 0, sizeof(cfg));
	mg_ctx_init(&ctx, "mlgate-relay");
	rc = mg_opts_main(&spec, argc, argv, &args, stdout, &ctx.log);
	if (rc != MG_OPTS_GO_ON)
		goto out;
	cmd = args.n ? args.items[0] : "";
	if (!args.n || (strcmp(cmd, "replay") && args.n != 1) ||
	    (!strcmp(cmd, "replay") && args.n != 2)) {
		mg_err_set(&err, MG_EXIT_USAGE,
		           "usage: mlgate-relay serve | check-config | status | replay ID (see "
		           "--help)");
		rc = mg_log_err(&ctx.log, &err);
		goto out;
	}
	if (strcmp(cmd, "serve") && strcmp(cmd, "check-config") && strcmp(cmd, "status") &&
	    strcmp(cmd, "replay")) {
		mg_err_set(&err, MG_EXIT_USAGE,
		           "unknown command '%s' (expected serve, check-config, status or replay)",
		           cmd);
		rc = mg_log_err(&ctx.log, &err);
		goto out;
	}
	if ((o.all || o.json) && strcmp(cmd, "status")) {
		mg_err_set(&err, MG_EXIT_USAGE, "--all and --json are for status");
		rc = mg_log_err(&ctx.log, &err);
		goto out;
	}
	if (mg_relay_config_load(o.config, &cfg, &err)) {
		rc = mg_log_err(&ctx.log, &err);
		goto out;
	}
	if (!strcmp(cmd, "check-config")) {
		rc = check_config(&ctx, &cfg, &err);
	} else if (!strcmp(cmd, "status")) {
		rc = status(&cfg, &o, &err);
	} else if (!strcmp(cmd, "replay")) {
		rc = replay(&cfg, args.items[1], &err);
	} else {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		rc = mg_relay_config_resolve(&cfg, &ctx.secrets, &err) ||
		     mg_relay_serve(&cfg, &ctx, &err);
		curl_global_cleanup();
	}
	rc = rc ? mg_log_err(&ctx.log, &err) : 0;
out:
	mg_relay_config_release(&cfg);
	mg_strlist_release(&args);
	rc = mg_ctx_finish(&ctx, rc);
	mg_ctx_release(&ctx);
	return rc;
}
