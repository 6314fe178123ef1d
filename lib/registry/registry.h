/*
 * The MLflow Model Registry client: one interface, several backends, so a
 * gate never cares where the registry lives.
 *
 *   REST     http://HOST[:PORT][/PREFIX], https://...   (registry_rest.c)
 *   SQLite   sqlite:///relative.db, sqlite:////abs.db   (registry_sqlite.c)
 *            MLflow's own store, read and written directly on its schema
 *   Databricks  databricks, databricks://PROFILE          (registry_databricks.c)
 *            the workspace registry: stages, transition requests, comments
 *            databricks-uc, databricks-uc://PROFILE
 *            Unity Catalog: catalog.schema.model names, aliases, no stages
 *            Both speak MLflow's REST endpoints (the REST backend's code)
 *            with Databricks authentication (dbauth.h).
 *
 * Ownership: every result struct is filled by a get function and owns all
 * its strings; free them with its _release function (safe on a zeroed or
 * already released struct). After a successful get every char * field is
 * non-NULL ("" when MLflow has no value for it).
 *
 * Errors:
 * - the thing asked for does not exist: MG_EXIT_USAGE, MG_REASON_NOT_FOUND
 *   (an alias that is not set is "not found" too, whatever the backend);
 * - the backend cannot do the operation: MG_EXIT_USAGE, MG_REASON_UNSUPPORTED,
 *   never a silent no-op;
 * - a bad argument (unknown stage, bad version number, bad filter): MG_EXIT_USAGE;
 * - network, server, database, disk: MG_EXIT_INFRA. Gates fail closed on it.
 *
 * Streaming: searches and metric histories call back once per item, page by
 * page; nothing holds the whole registry in memory. A callback returns 0 to
 * go on, 1 to stop early (not an error), -1 (with err set) to fail. As in
 * MLflow, a version reached by a search may not carry its aliases; get it
 * (mg_registry_get_version) when they matter.
 *
 * Environment (validated; nonsense is MG_EXIT_USAGE naming the variable):
 *   REST     MLFLOW_TRACKING_TOKEN, MLFLOW_TRACKING_USERNAME/PASSWORD,
 *            MLFLOW_TRACKING_INSECURE_TLS, MLFLOW_TRACKING_SERVER_CERT_PATH,
 *            MLFLOW_TRACKING_CLIENT_CERT_PATH, MLFLOW_HTTP_REQUEST_TIMEOUT,
 *            MLFLOW_HTTP_REQUEST_MAX_RETRIES, MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR,
 *            MLFLOW_HTTP_REQUEST_BACKOFF_JITTER, MLFLOW_HTTP_RESPECT_RETRY_AFTER_HEADER,
 *            MLGATE_HTTP_MAX_BODY (see http.h)
 *   SQLite   MLGATE_SQLITE_TIMEOUT: seconds to wait for a locked database
 *            (0..3600, default 30), then MG_EXIT_INFRA
 *   both     MLFLOW_WORKSPACE (default "default")
 */
#ifndef MG_REGISTRY_H
#define MG_REGISTRY_H

#include "setup.h"
#include "buf.h"
#include "ctx.h"
#include "err.h"

/* --- small owned collections ------------------------------------------- */

struct mg_kv {
	char *key;
	char *value;
};

/* Ordered key/value pairs with owned strings (tags, params, aliases). */
struct mg_kvlist {
	struct mg_kv *items;
	size_t n;
	size_t alloc; /* private */
};

#define MG_KVLIST_INIT     \
	{                  \
		NULL, 0, 0 \
	}

/* Set `key` to a copy of `value`, replacing an existing value for the key. */
void mg_kvlist_set(struct mg_kvlist *l, const char *key, const char *value);
/* The value for `key` (borrowed), or NULL. */
const char *mg_kvlist_get(const struct mg_kvlist *l, const char *key);
void mg_kvlist_release(struct mg_kvlist *l);
/* Sort by key (byte order), as MLflow's own readers present tags. */
void mg_kvlist_sort(struct mg_kvlist *l);

struct mg_metric {
	char *key;
	double value;      /* may be NaN or +-Inf: MLflow stores them */
	int64_t timestamp; /* ms since the epoch */
	int64_t step;
};

struct mg_metriclist {
	struct mg_metric *items;
	size_t n;
	size_t alloc; /* private */
};

#define MG_METRICLIST_INIT \
	{                  \
		NULL, 0, 0 \
	}

void mg_metriclist_add(struct mg_metriclist *l, const char *key, double value, int64_t timestamp,
                       int64_t step);
/* The entry for `key` (borrowed), or NULL. */
const struct mg_metric *mg_metriclist_get(const struct mg_metriclist *l, const char *key);
void mg_metriclist_release(struct mg_metriclist *l);
/* Sort by key (byte order). */
void mg_metriclist_sort(struct mg_metriclist *l);

/* --- registry objects ---------------------------------------------------- */

struct mg_model_version {
	char *name;
	char *version;       /* decimal string, as in MLflow's API */
	char *current_stage; /* "None", "Staging", "Production", "Archived" */
	char *description;
	char *source;
	char *run_id;
	char *run_link;
	char *status; /* READY, PENDING_REGISTRATION, FAILED_REGISTRATION */
	char *status_message;
	char *user_id;
	char *model_id;                 /* MLflow 3 LoggedModel id, "" when none */
	int64_t creation_timestamp;     /* ms since the epoch */
	int64_t last_updated_timestamp; /* ms since the epoch */
	struct mg_kvlist tags;          /* key -> value, in key order */
	struct mg_kvlist aliases;       /* alias -> this version, in alias order */
};

void mg_model_version_release(struct mg_model_version *mv);

struct mg_registered_model {
	char *name;
	char *description;
	int64_t creation_timestamp;
	int64_t last_updated_timestamp;
	struct mg_kvlist tags;    /* key -> value, in key order */
	struct mg_kvlist aliases; /* alias -> version, in alias order */
};

void mg_registered_model_release(struct mg_registered_model *rm);

struct mg_run {
	char *run_id;
	char *run_name;
	char *experiment_id;
	char *user_id;
	char *status; /* RUNNING, SCHEDULED, FINISHED, FAILED, KILLED */
	char *lifecycle_stage;
	char *artifact_uri;
	int64_t start_time;           /* ms since the epoch */
	int64_t end_time;             /* 0 while running */
	struct mg_metriclist metrics; /* the latest value of each metric, in key order */
	struct mg_kvlist params;      /* in key order */
	struct mg_kvlist tags;        /* in key order */
};

void mg_run_release(struct mg_run *run);

/*
 * An MLflow 3 LoggedModel and the metrics logged to it ("model metrics":
 * mlflow.log_metric(..., model_id=...), or mlflow.evaluate on the model).
 * Unlike a run's, these are every logged value, not only the latest.
 */
struct mg_model_metric {
	char *key;
	double value; /* may be NaN or +-Inf */
	int64_t timestamp;
	int64_t step;
	char *run_id;  /* the run that logged it */
	char *dataset; /* dataset_name, "" when none */
};

struct mg_logged_model {
	char *model_id;
	char *name;
	char *experiment_id;
	char *source_run_id; /* "" when none */
	struct mg_model_metric *metrics;
	size_t nmetrics;
	size_t alloc; /* private */
};

void mg_logged_model_add_metric(struct mg_logged_model *lm, const char *key, double value,
                                int64_t timestamp, int64_t step, const char *run_id,
                                const char *dataset);
void mg_logged_model_release(struct mg_logged_model *lm);

/*
 * The LoggedModel a version was registered from (borrowed): its model_id,
 * else the id in a "models:/m-..." source, as MLflow 3 registers logged
 * models; NULL when the version names none.
 */
const char *mg_model_version_logged_model(const struct mg_model_version *mv);

/* A model-version search. Fields left zero take the defaults. */
struct mg_version_query {
	const char *filter;   /* MLflow filter: name='m' AND tags.k='v' AND version_number>3 */
	const char *order_by; /* e.g. "version_number DESC"; NULL: backend default */
	int page_size;        /* versions per request/page; 0: 1000 */
};

/* 0 go on, 1 stop (not an error), -1 fail with err set. */
typedef int mg_version_cb(void *arg, const struct mg_model_version *mv, struct mg_err *err);
typedef int mg_metric_cb(void *arg, const struct mg_metric *m, struct mg_err *err);

/* --- the registry -------------------------------------------------------- */

struct mg_registry;

/*
 * The registry URI to use: `flag` (--registry) if given, else
 * MLFLOW_REGISTRY_URI, else MLFLOW_TRACKING_URI, else sqlite:///mlflow.db.
 * Appends it to `out`.
 */
void mg_registry_resolve_uri(const char *flag, struct mg_buf *out);

/*
 * Open the registry at `uri` (see mg_registry_resolve_uri). Credentials and
 * TLS settings come from the environment only (DESIGN §3); conflicting or
 * malformed settings are MG_EXIT_USAGE. `ctx` is borrowed for the
 * registry's lifetime (logging, secret registration).
 */
int mg_registry_open(struct mg_ctx *ctx, const char *uri, struct mg_registry **out,
                     struct mg_err *err);

/* Close and free; NULL is fine. */
void mg_registry_close(struct mg_registry *reg);

/* The URI without credentials, for messages and evidence (borrowed). */
const char *mg_registry_uri(const struct mg_registry *reg);

/* The backend's name: "rest", "sqlite" (borrowed). */
const char *mg_registry_backend(const struct mg_registry *reg);

/* Reads. */
int mg_registry_get_model(struct mg_registry *reg, const char *name,
                          struct mg_registered_model *out, struct mg_err *err);
int mg_registry_get_version(struct mg_registry *reg, const char *name, const char *version,
                            struct mg_model_version *out, struct mg_err *err);
int mg_registry_get_version_by_alias(struct mg_registry *reg, const char *name, const char *alias,
                                     struct mg_model_version *out, struct mg_err *err);
/* Every version of `name` whose current stage is `stage` (usually one, maybe more). */
int mg_registry_versions_in_stage(struct mg_registry *reg, const char *name, const char *stage,
                                  mg_version_cb *cb, void *arg, struct mg_err *err);
int mg_registry_search_versions(struct mg_registry *reg, const struct mg_version_query *q,
                                mg_version_cb *cb, void *arg, struct mg_err *err);
int mg_registry_get_run(struct mg_registry *reg, const char *run_id, struct mg_run *out,
                        struct mg_err *err);
/* A LoggedModel (not deleted) with all its metrics; MG_REASON_NOT_FOUND when absent. */
int mg_registry_get_logged_model(struct mg_registry *reg, const char *model_id,
                                 struct mg_logged_model *out, struct mg_err *err);
/* Every logged value of one metric, oldest first as the backend returns them. */
int mg_registry_metric_history(struct mg_registry *reg, const char *run_id, const char *key,
                               mg_metric_cb *cb, void *arg, struct mg_err *err);

/* Writes: each is all-or-nothing. */
int mg_registry_set_version_tag(struct mg_registry *reg, const char *name, const char *version,
                                const char *key, const char *value, struct mg_err *err);
int mg_registry_delete_version_tag(struct mg_registry *reg, const char *name, const char *version,
                                   const char *key, struct mg_err *err);
int mg_registry_update_version_description(struct mg_registry *reg, const char *name,
                                           const char *version, const char *description,
                                           struct mg_err *err);
/*
 * Move a version to `stage` (None, Staging, Production, Archived; any case).
 * With `archive_existing` (only for Staging/Production) every other version
 * in that stage becomes Archived in the same atomic change.
 */
int mg_registry_transition_stage(struct mg_registry *reg, const char *name, const char *version,
                                 const char *stage, bool archive_existing, struct mg_err *err);
int mg_registry_set_alias(struct mg_registry *reg, const char *name, const char *alias,
                          const char *version, struct mg_err *err);
int mg_registry_delete_alias(struct mg_registry *reg, const char *name, const char *alias,
                             struct mg_err *err);

/*
 * Compare-and-set moves, for promotions. `expected` is the version that
 * holds the target now (for a stage: the only other version in it; for an
 * alias: the version it points at), or NULL for none. When the registry
 * does not hold exactly that, nothing is written and the call fails with
 * MG_REASON_CONFLICT and MG_EXIT_USAGE. SQLite checks and writes in one
 * transaction. REST reads, checks, writes, then reads again: when another
 * writer got in between, the write has been made and the call fails with
 * MG_REASON_RACED and MG_EXIT_INFRA (MLflow's REST API has no
 * conditional write; CI should serialise promotions per model).
 */
struct mg_registry_move {
	const char *name;
	const char *version;
	const char *stage;      /* move to this stage (canonical), or NULL */
	bool archive_existing;  /* with stage: archive the versions it replaces */
	const char *alias;      /* or point this alias at `version` */
	const char *expected;   /* see above */
	const char *drop_alias; /* also delete this alias when it points at `version`, or NULL */
	/*
	 * Registries with transition requests (MG_REGISTRY_REQUESTS): with
	 * `approve_request` the stage move is the approval of the version's
	 * open request for `stage` (none open: MG_REASON_CONFLICT, nothing
	 * written); `comment` goes with the approval or the transition. Other
	 * registries refuse either (MG_REASON_UNSUPPORTED).
	 */
	bool approve_request;
	const char *comment;
	/*
	 * Registries with requests: a stage move whatever holds the stage now
	 * (several versions do: no single one to expect); still re-read after.
	 */
	bool any_holders;
};

int mg_registry_transition_stage_if(struct mg_registry *reg, const char *name, const char *version,
                                    const char *stage, bool archive_existing, const char *expected,
                                    struct mg_err *err);
int mg_registry_set_alias_if(struct mg_registry *reg, const char *name, const char *alias,
                             const char *version, const char *expected, const char *drop_alias,
                             struct mg_err *err);
/* The general form of the two above (a stage in any case). */
int mg_registry_move_if(struct mg_registry *reg, const struct mg_registry_move *m,
                        struct mg_err *err);

/* --- what only some registries have (Databricks) ------------------------ */

enum {
	MG_REGISTRY_STAGES = 1 << 0,   /* None/Staging/Production/Archived */
	MG_REGISTRY_ALIASES = 1 << 1,  /* named pointers to versions */
	MG_REGISTRY_REQUESTS = 1 << 2, /* transition requests to approve or reject */
	MG_REGISTRY_COMMENTS = 1 << 3, /* comments on versions */
};

/* The MG_REGISTRY_* features of the registry. */
unsigned mg_registry_features(const struct mg_registry *reg);
/* 0 when the registry has all of `features`, else MG_REASON_UNSUPPORTED saying what to use instead.
 */
int mg_registry_require(struct mg_registry *reg, unsigned features, struct mg_err *err);

/* An open request to move a version to a stage (Databricks workspace registry). */
struct mg_transition_request {
	char *to_stage; /* canonical */
	char *user_id;  /* who asked, "" when not said */
	char *comment;
	int64_t creation_timestamp;
};

void mg_transition_request_release(struct mg_transition_request *r);

typedef int mg_request_cb(void *arg, const struct mg_transition_request *r, struct mg_err *err);

/* Every open transition request of the version. */
int mg_registry_transition_requests(struct mg_registry *reg, const char *name, const char *version,
                                    mg_request_cb *cb, void *arg, struct mg_err *err);
/* Reject the version's open request for `stage`, with a comment (nothing is moved). */
int mg_registry_reject_request(struct mg_registry *reg, const char *name, const char *version,
                               const char *stage, const char *comment, struct mg_err *err);
/*
 * Comment on a version: a new comment (its id into *id_out, caller frees),
 * or, with `id` set, that earlier comment edited. An edit of a comment that
 * is gone is MG_REASON_NOT_FOUND.
 */
int mg_registry_comment(struct mg_registry *reg, const char *name, const char *version,
                        const char *id, const char *text, char **id_out, struct mg_err *err);

/* Tracking writes, to record comparisons as runs. */
/* The id of experiment `name`, created when missing and `create` is set. */
int mg_registry_experiment_id(struct mg_registry *reg, const char *name, bool create, char **id_out,
                              struct mg_err *err);
/* A new RUNNING run; *run_id_out is owned by the caller (free()). */
int mg_registry_create_run(struct mg_registry *reg, const char *experiment_id, const char *run_name,
                           const struct mg_kvlist *tags, char **run_id_out, struct mg_err *err);
int mg_registry_log_batch(struct mg_registry *reg, const char *run_id,
                          const struct mg_kvlist *params, const struct mg_metriclist *metrics,
                          const struct mg_kvlist *tags, struct mg_err *err);
/* End a run with status FINISHED, FAILED or KILLED. */
int mg_registry_end_run(struct mg_registry *reg, const char *run_id, const char *status,
                        struct mg_err *err);

/*
 * Artifacts: put `len` bytes (text: no NUL byte) at `path` under the artifact
 * root of run `run_id`, replacing a file already there, as MLflow's
 * log_artifact does; the run's artifact_uri says where:
 *   REST    mlflow-artifacts:/... (a server run with --serve-artifacts): PUT
 *           <server>/api/2.0/mlflow-artifacts/artifacts/<root path>/<path>, as
 *           MLflow's client does; an http(s) URI into that proxy: PUT there
 *   SQLite  a local path or file:// URI: written atomically (temp + rename),
 *           directories made
 * `path` is relative, "/"-separated, without "." or ".." parts. Any other
 * artifact location (s3://, a path on a REST server's own disk, dbfs:) is
 * MG_EXIT_USAGE with MG_REASON_UNSUPPORTED naming the scheme and what to do;
 * a refused upload is MG_EXIT_INFRA.
 */
int mg_registry_log_artifact(struct mg_registry *reg, const char *run_id, const char *path,
                             const void *data, size_t len, struct mg_err *err);

/* How a page for reviewers reaches the registry (mg_registry_artifact_mode). */
enum {
	MG_ARTIFACT_UPLOAD = 0, /* to the run's artifacts (REST, SQLite) */
	MG_ARTIFACT_LINK = 1,   /* a link in the version's comments (Databricks workspace) */
};

/*
 * MG_ARTIFACT_UPLOAD or MG_ARTIFACT_LINK for this registry, or -1 with
 * MG_EXIT_USAGE / MG_REASON_UNSUPPORTED saying why neither (Unity Catalog).
 * Reads nothing.
 */
int mg_registry_artifact_mode(struct mg_registry *reg, struct mg_err *err);

/*
 * Where an upload for `artifact_uri` goes on the REST registry at `base`
 * (scheme://host[:port][/prefix]): the URL of MLflow's artifact proxy,
 * appended to `out`, as MLflow's MlflowArtifactsRepository resolves it.
 * Other schemes: MG_EXIT_USAGE, MG_REASON_UNSUPPORTED (see above).
 */
int mg_artifact_proxy_url(const char *base, const char *artifact_uri, const char *path,
                          struct mg_buf *out, struct mg_err *err);
/* The local file for `path` under a local `artifact_uri` (a path or file:// URI), into `out`. */
int mg_artifact_local_path(const char *artifact_uri, const char *path, struct mg_buf *out,
                           struct mg_err *err);

/* Helpers shared by the backends and the gates. */

/* The canonical spelling of a stage name ("production" -> "Production"), or NULL. */
const char *mg_stage_canonical(const char *stage);

/* A version number as MLflow accepts it: 1..INT32_MAX, decimal, no sign. */
int mg_version_check(const char *version, struct mg_err *err);

#endif
