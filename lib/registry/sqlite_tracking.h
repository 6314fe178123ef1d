/*
 * The SQLite backend's tracking operations (private to lib/registry/): its
 * entries of the ops table (registry_backend.h) for runs, LoggedModels,
 * metric histories and experiments. registry_sqlite.c holds the rest.
 */
#ifndef MG_SQLITE_TRACKING_H
#define MG_SQLITE_TRACKING_H

#include "registry_backend.h"

int sqlite_get_run(struct mg_registry *reg, const char *run_id, struct mg_run *out,
                   struct mg_err *err);
int sqlite_get_logged_model(struct mg_registry *reg, const char *model_id,
                            struct mg_logged_model *out, struct mg_err *err);
int sqlite_metric_history(struct mg_registry *reg, const char *run_id, const char *key,
                          mg_metric_cb *cb, void *arg, struct mg_err *err);
int sqlite_experiment_id(struct mg_registry *reg, const char *name, bool create, char **id_out,
                         struct mg_err *err);
int sqlite_create_run(struct mg_registry *reg, const char *experiment_id, const char *run_name,
                      const struct mg_kvlist *tags, char **run_id_out, struct mg_err *err);
int sqlite_log_batch(struct mg_registry *reg, const char *run_id, const struct mg_kvlist *params,
                     const struct mg_metriclist *metrics, const struct mg_kvlist *tags,
                     struct mg_err *err);
int sqlite_end_run(struct mg_registry *reg, const char *run_id, const char *status,
                   struct mg_err *err);

#endif
