/*
 * The REST backend's parts shared with the Databricks flavours (private to
 * lib/registry/): one request with MLflow's error mapping, strict decoding,
 * pagination. registry_rest.c speaks the model registry, rest_tracking.c
 * the tracking endpoints, registry_databricks.c what only Databricks has.
 */
#ifndef MG_REST_H
#define MG_REST_H

#include "registry_backend.h"
#include "decode.h"
#include "http.h"
#include "json.h"

struct rest {
	/* this registry's operations: the REST table, edited by a flavour */
	struct mg_registry_ops ops;
	struct mg_http *http;
	char *api;          /* "<base>/api/2.0/mlflow" */
	const char *models; /* inserted before registry endpoints: "" or "/unity-catalog" */
	/* a ModelVersion object (MLflow's, or Unity Catalog's without stages) */
	void (*dec_version)(struct mg_dec *d, const cJSON *o, struct mg_model_version *mv);
	/*
	 * Databricks: fill `header` ("Authorization: Bearer ...", a secret)
	 * before each request, sent with that request only (`refresh`: the
	 * last one was refused with 401). Returns 0, 1 when no fresher
	 * credential exists, -1 with err set.
	 */
	int (*authorize)(struct mg_registry *reg, bool refresh, struct mg_buf *header,
	                 struct mg_err *err);
	/* the stage write of a compare-and-set move, once its checks passed */
	int (*stage_write)(struct mg_registry *reg, const struct mg_registry_move *m,
	                   struct mg_err *err);
	void *flavour; /* the flavour's own state, freed by flavour_free */
	void (*flavour_free)(void *flavour);
};

#define REST(reg) ((struct rest *)(reg)->impl)

/*
 * Set up `reg` as a REST registry at `base` (scheme://host[:port][/prefix],
 * no trailing slash needed) with the HTTP settings of the environment; no
 * credentials yet. The flavour edits REST(reg)->ops and the hooks after.
 */
int mg_rest_init(struct mg_registry *reg, const char *base, struct mg_err *err);

/* Fill in the tracking operations (rest_tracking.c). */
void mg_rest_tracking_ops(struct mg_registry_ops *ops);

/*
 * One call. `query` is a NULL-terminated list of key, value pairs (GET;
 * NULL values are skipped), `body` a JSON object (other methods). On 200
 * the parsed answer goes to *out (caller frees).
 */
int mg_rest_call(struct mg_registry *reg, const char *method, const char *path,
                 const char *const *query, const cJSON *body, cJSON **out, struct mg_err *err);
/* POST/PATCH/DELETE `body` (consumed) and ignore the answer's content. */
int mg_rest_write(struct mg_registry *reg, const char *method, const char *path, cJSON *body,
                  struct mg_err *err);
/* Start decoding the answer to METHOD PATH (`req` holds the request's name). */
void mg_rest_dec_start(struct mg_dec *d, char *req, size_t len, struct mg_registry *reg,
                       const char *method, const char *path, struct mg_err *err);
/*
 * GET `path` page by page, calling `each` for every element of the answer's
 * `list` array (decoded strictly, the path at the element). `q` is the
 * query, whose last pair is "page_token" with a NULL value: the token of
 * each next page goes there.
 */
int mg_rest_paginate(struct mg_registry *reg, const char *path, const char **q, size_t nq,
                     const char *list,
                     int (*each)(struct mg_dec *d, const cJSON *item, void *arg,
                                 struct mg_err *err),
                     void *arg, struct mg_err *err);
/* {"name": name, "version": version} */
cJSON *mg_rest_name_version(const char *name, const char *version);

/*
 * A non-200 answer to METHOD PATH as an error (MLflow's error body, or the
 * first line or title of another one): MG_EXIT_INFRA, but 404
 * RESOURCE_DOES_NOT_EXIST (MG_REASON_NOT_FOUND) and other 400s with an
 * MLflow error code (MG_EXIT_USAGE). Returns -1.
 */
int mg_rest_http_error(struct mg_registry *reg, const char *method, const char *path,
                       const struct mg_http_response *resp, struct mg_err *err);
/* log_artifact of the REST backend: PUT through MLflow's artifact proxy (rest_artifact.c). */
int mg_rest_log_artifact(struct mg_registry *reg, const char *run_id, const char *artifact_uri,
                         const char *path, const void *data, size_t len, struct mg_err *err);

/* The REST model-version search (filter, order, pages). */
int mg_rest_search_versions(struct mg_registry *reg, const struct mg_version_query *qry,
                            mg_version_cb *cb, void *arg, struct mg_err *err);
/* Every version of model `name`, newest first. */
int mg_rest_versions_of(struct mg_registry *reg, const char *name, mg_version_cb *cb, void *arg,
                        struct mg_err *err);

#endif
