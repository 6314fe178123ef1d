/*
 * The relay's configuration (relay.json, docs/relay.md): where it listens,
 * the senders it accepts (MLflow, Databricks) with their secrets, the CI
 * targets it forwards to (GitHub repository_dispatch or workflow_dispatch,
 * Azure DevOps incoming webhooks) with their tokens, the routes between
 * them, and its queue. Checked strictly (lib/policy.h schemas): an unknown
 * key, a wrong type, a route naming a source or target that does not exist
 * is MG_EXIT_USAGE naming the file and the key path.
 *
 * Secrets and tokens are never in the file: it names environment variables
 * or files (mode 0600 or stricter) that hold them. Resolving them is a
 * separate step (mg_relay_config_resolve), so `status` and `replay` and the
 * fuzz target read a configuration without any secret. Every value resolved
 * is registered with the secret registry, so no log line can print it.
 * One owner: the config owns every string and array in it.
 */
#ifndef MG_RELAY_CONFIG_H
#define MG_RELAY_CONFIG_H

#include "setup.h"
#include "err.h"
#include "json.h"
#include "secrets.h"

#include <sys/socket.h>

#define MG_RELAY_CONFIG_MAX_BYTES ((size_t)1024 * 1024)
#define MG_RELAY_MAX_SECRETS      4

enum mg_relay_source_type {
	MG_RELAY_SRC_MLFLOW = 0,     /* X-MLflow-Signature: v1,base64(HMAC-SHA256(id.ts.body)) */
	MG_RELAY_SRC_DATABRICKS = 1, /* X-Databricks-Signature: hex(HMAC-SHA256(body)) */
};

struct mg_relay_secret_ref {
	char *env;  /* environment variable holding it, or NULL */
	char *file; /* file holding it (trailing line break dropped), or NULL */
};

struct mg_relay_source {
	char *name; /* the URL path: POST /hooks/NAME */
	enum mg_relay_source_type type;
	struct mg_relay_secret_ref refs[MG_RELAY_MAX_SECRETS];
	size_t nrefs;
	long window_s;           /* accepted clock difference; 0: not checked */
	char *authorization_env; /* Databricks: the expected Authorization header, or NULL */
	/* resolved (mg_relay_config_resolve): */
	char *secrets[MG_RELAY_MAX_SECRETS]; /* each accepted (rotation) */
	char *authorization;                 /* or NULL */
};

enum mg_relay_target_type {
	MG_RELAY_GITHUB_DISPATCH = 0, /* POST /repos/R/dispatches {event_type, client_payload} */
	MG_RELAY_GITHUB_WORKFLOW =
	        1,          /* POST /repos/R/actions/workflows/W/dispatches {ref, inputs} */
	MG_RELAY_AZURE = 2, /* incoming webhook; body HMAC-SHA1 in a header */
};

struct mg_relay_target {
	char *name;
	enum mg_relay_target_type type;
	char *url; /* the endpoint, built from repo/workflow or org/webhook and the base URL */
	char *event_type; /* GitHub dispatch */
	char *ref;        /* GitHub workflow */
	cJSON *inputs;    /* GitHub workflow: name -> template ("{model}"), or NULL */
	char *token_env;  /* GitHub: the token's variable */
	char *secret_env; /* Azure: the HMAC-SHA1 secret's variable, or NULL (unsigned) */
	char *header;     /* Azure: the checksum header (X-Webhook-Checksum) */
	bool sha1_prefix; /* Azure: "sha1=" before the hex */
	/* resolved: */
	char *token;  /* GitHub */
	char *secret; /* Azure, or NULL */
};

struct mg_relay_route {
	char **sources;  /* NULL-ended; NULL: every source */
	char **models;   /* fnmatch globs, NULL-ended; NULL: every model */
	char **events;   /* NULL-ended; NULL: every event */
	char **aliases;  /* NULL-ended; NULL: any (MLflow alias events carry one) */
	char **stages;   /* NULL-ended; NULL: any (Databricks to_stage) */
	size_t *targets; /* indexes into config targets */
	size_t ntargets;
};

struct mg_relay_config {
	char *path;
	char *address;          /* listen address, default 127.0.0.1 */
	long port;              /* default 8080 */
	long max_body;          /* bytes, default 65536 */
	long timeout_s;         /* a client's whole request, default 10 (slow clients) */
	long max_connections;   /* default 1000 */
	char *queue_path;       /* default relay.db */
	long max_tries;         /* forwards before a job is dead, default 8 */
	double backoff_s;       /* first retry wait, default 1 */
	double backoff_max_s;   /* default 300 */
	long forward_timeout_s; /* one forward, default 10 */
	bool log_deliveries;    /* one JSON line per delivery on stderr, default true */
	struct mg_relay_source *sources;
	size_t nsources;
	struct mg_relay_target *targets;
	size_t ntargets;
	struct mg_relay_route *routes;
	size_t nroutes;
};

/*
 * Parse and check `len` bytes of configuration; `where` names it in
 * messages ("relay config 'relay.json'"). Resolves nothing.
 */
int mg_relay_config_parse(const char *text, size_t len, const char *where,
                          struct mg_relay_config *cfg, struct mg_err *err);

/* Read `path` (at most MG_RELAY_CONFIG_MAX_BYTES) and parse it. */
int mg_relay_config_load(const char *path, struct mg_relay_config *cfg, struct mg_err *err);

/*
 * Read every secret and token from the environment and files, register
 * each with `secrets`. A variable that is unset or empty, a file that is
 * missing, empty or readable by group or others is MG_EXIT_USAGE naming it.
 */
int mg_relay_config_resolve(struct mg_relay_config *cfg, struct mg_secrets *secrets,
                            struct mg_err *err);

void mg_relay_config_release(struct mg_relay_config *cfg);

/*
 * listen.address and listen.port as the socket address serve binds; false when
 * the address is not a numeric IPv4 or IPv6 address (nothing is resolved).
 * mg_relay_config_parse refuses such a configuration, so check-config says it.
 */
bool mg_relay_listen_sockaddr(const struct mg_relay_config *cfg, struct sockaddr_storage *ss);

/* The source serving URL path `/hooks/NAME`, or NULL. */
const struct mg_relay_source *mg_relay_config_source(const struct mg_relay_config *cfg,
                                                     const char *name);

/* The target named `name`, or NULL. */
const struct mg_relay_target *mg_relay_config_target(const struct mg_relay_config *cfg,
                                                     const char *name);

#endif
