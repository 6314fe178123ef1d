/*
 * MLflow's validation rules (mlflow/utils/validation.py of MLflow 3.17.2)
 * and its SQL store's value rules, for the SQLite backend's writes: what
 * MLflow's server would refuse is refused here with the same limits, before
 * any transaction starts. Pure functions, unit-tested (test_mlflow_rules.c).
 */
#ifndef MG_MLFLOW_RULES_H
#define MG_MLFLOW_RULES_H

#include "registry.h"

/* MLflow's validation limits, in characters (code points). */
#define MAX_ENTITY_KEY_LENGTH               250
#define MAX_PARAM_VAL_LENGTH                6000
#define MAX_TAG_VAL_LENGTH                  8000
#define MAX_MODEL_REGISTRY_TAG_KEY_LENGTH   250
#define MAX_MODEL_REGISTRY_TAG_VALUE_LENGTH 100000
#define MAX_REGISTERED_MODEL_ALIAS_LENGTH   255
#define MAX_EXPERIMENT_NAME_LENGTH          500
#define MAX_METRICS_PER_BATCH               1000
#define MAX_PARAMS_TAGS_PER_BATCH           100
#define MAX_ENTITIES_PER_BATCH              1000

/* Python's len() of a UTF-8 string, and the bytes of its first `chars` code points. */
size_t mlflow_utf8_len(const char *s);
size_t mlflow_utf8_prefix(const char *s, size_t chars);

/* Each returns 0, or -1 with `err` set (MG_EXIT_USAGE) naming what and why. */
int mlflow_check_key(const char *what, const char *name, struct mg_err *err);
int mlflow_check_length(const char *what, const char *s, size_t max, struct mg_err *err);
int mlflow_check_model_name(const char *name, struct mg_err *err);
/* `setting`: also the names reserved for new aliases ("latest", v1, V2, ...). */
int mlflow_check_alias(const char *alias, bool setting, struct mg_err *err);
int mlflow_check_run_id(const char *run_id, struct mg_err *err);
int mlflow_check_run_tags(const struct mg_kvlist *tags, struct mg_err *err);
/* log_batch's limits, key names and timestamps; NULL lists are empty. */
int mlflow_check_batch(const struct mg_kvlist *params, const struct mg_metriclist *metrics,
                       const struct mg_kvlist *tags, struct mg_err *err);

/* The value MLflow's SQL store keeps for a metric: NaN is 0 + is_nan, +-Inf the largest double. */
void mlflow_sanitize_metric(double v, double *stored, bool *is_nan);

#endif
