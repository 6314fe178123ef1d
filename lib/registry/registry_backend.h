/*
 * What a registry backend implements (private to the files of lib/registry/).
 *
 * A backend fills an ops table; a NULL entry means "not supported", which
 * registry.c turns into an MG_REASON_UNSUPPORTED error naming the backend,
 * never a silent no-op. Arguments reaching a backend are already checked
 * for NULL/empty and the version number format; stage names are already
 * canonical.
 */
#ifndef MG_REGISTRY_BACKEND_H
#define MG_REGISTRY_BACKEND_H

#include "registry.h"

struct mg_registry_ops {
	const char *name;  /* "rest", "sqlite", "databricks", "databricks-uc" */
	unsigned features; /* MG_REGISTRY_* */
	/* why a missing feature is missing, with what to use instead (or NULL) */
	const char *no_stages;
	const char *no_aliases;
	void (*close)(struct mg_registry *reg);

	int (*get_model)(struct mg_registry *reg, const char *name, struct mg_registered_model *out,
	                 struct mg_err *err);
	int (*get_version)(struct mg_registry *reg, const char *name, const char *version,
	                   struct mg_model_version *out, struct mg_err *err);
	int (*get_version_by_alias)(struct mg_registry *reg, const char *name, const char *alias,
	                            struct mg_model_version *out, struct mg_err *err);
	int (*versions_in_stage)(struct mg_registry *reg, const char *name, const char *stage,
	                         mg_version_cb *cb, void *arg, struct mg_err *err);
	int (*search_versions)(struct mg_registry *reg, const struct mg_version_query *q,
	                       mg_version_cb *cb, void *arg, struct mg_err *err);
	int (*get_run)(struct mg_registry *reg, const char *run_id, struct mg_run *out,
	               struct mg_err *err);
	int (*get_logged_model)(struct mg_registry *reg, const char *model_id,
	                        struct mg_logged_model *out, struct mg_err *err);
	int (*metric_history)(struct mg_registry *reg, const char *run_id, const char *key,
	                      mg_metric_cb *cb, void *arg, struct mg_err *err);

	int (*set_version_tag)(struct mg_registry *reg, const char *name, const char *version,
	                       const char *key, const char *value, struct mg_err *err);
	int (*delete_version_tag)(struct mg_registry *reg, const char *name, const char *version,
	                          const char *key, struct mg_err *err);
	int (*update_version_description)(struct mg_registry *reg, const char *name,
	                                  const char *version, const char *description,
	                                  struct mg_err *err);
	int (*transition_stage)(struct mg_registry *reg, const char *name, const char *version,
	                        const char *stage, bool archive_existing, struct mg_err *err);
	int (*set_alias)(struct mg_registry *reg, const char *name, const char *alias,
	                 const char *version, struct mg_err *err);
	int (*delete_alias)(struct mg_registry *reg, const char *name, const char *alias,
	                    struct mg_err *err);
	/* compare-and-set move (mg_registry_transition_stage_if, mg_registry_set_alias_if) */
	int (*move_if)(struct mg_registry *reg, const struct mg_registry_move *m,
	               struct mg_err *err);

	int (*transition_requests)(struct mg_registry *reg, const char *name, const char *version,
	                           mg_request_cb *cb, void *arg, struct mg_err *err);
	int (*reject_request)(struct mg_registry *reg, const char *name, const char *version,
	                      const char *stage, const char *comment, struct mg_err *err);
	int (*comment)(struct mg_registry *reg, const char *name, const char *version,
	               const char *id, const char *text, char **id_out, struct mg_err *err);

	int (*experiment_id)(struct mg_registry *reg, const char *name, bool create, char **id_out,
	                     struct mg_err *err);
	int (*create_run)(struct mg_registry *reg, const char *experiment_id, const char *run_name,
	                  const struct mg_kvlist *tags, char **run_id_out, struct mg_err *err);
	int (*log_batch)(struct mg_registry *reg, const char *run_id,
	                 const struct mg_kvlist *params, const struct mg_metriclist *metrics,
	                 const struct mg_kvlist *tags, struct mg_err *err);
	int (*end_run)(struct mg_registry *reg, const char *run_id, const char *status,
	               struct mg_err *err);
	/* mg_registry_log_artifact, with the run's artifact URI read (never "") */
	int (*log_artifact)(struct mg_registry *reg, const char *run_id, const char *artifact_uri,
	                    const char *path, const void *data, size_t len, struct mg_err *err);
};

struct mg_registry {
	const struct mg_registry_ops *ops;
	struct mg_ctx *ctx; /* borrowed: logger, secrets */
	char *uri;          /* without credentials */
	char *workspace;    /* MLFLOW_WORKSPACE, or "default" */
	void *impl;         /* the backend's own state, freed by ops->close */
};

/*
 * Backend constructors: fill reg->ops and reg->impl. `uri` is the full URI
 * as given; reg->ctx, reg->uri and reg->workspace are already set.
 */
int mg_registry_rest_open(struct mg_registry *reg, const char *uri, struct mg_err *err);
int mg_registry_sqlite_open(struct mg_registry *reg, const char *uri, struct mg_err *err);
int mg_registry_databricks_open(struct mg_registry *reg, const char *uri, struct mg_err *err);

/* The log_artifact of registries whose runs keep their artifacts in local files (artifact.c). */
int mg_local_log_artifact(struct mg_registry *reg, const char *run_id, const char *artifact_uri,
                          const char *path, const void *data, size_t len, struct mg_err *err);

/* A copy of `s`, or of "" when NULL: results never hold NULL strings. */
char *mg_registry_strdup(const char *s);

#endif
