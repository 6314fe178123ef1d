/*
 * Strict reading of a registry's JSON answer. Every field a gate uses is
 * checked: a field MLflow always sends must be there, and no field may be
 * null or of another type. The first problem is recorded in `err`
 * (MG_EXIT_INFRA) naming the registry, the request and the field's path
 * ("model_versions[2].current_stage"), so a malformed answer can never be
 * read as a value ("no stage", "no production") and decide a promotion.
 *
 * Reading goes on after a problem (returning empty values) so callers can
 * decode a whole object and test mg_dec_failed() once.
 */
#ifndef MG_DECODE_H
#define MG_DECODE_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "registry.h"

enum mg_need {
	MG_OPTIONAL, /* may be absent (MLflow omits unset fields); if there, of the right type */
	MG_REQUIRED, /* MLflow always sends it */
};

struct mg_dec {
	const char *registry; /* URI, for messages */
	const char *request;  /* "GET /model-versions/get" */
	struct mg_err *err;
	bool failed;
	char at[192]; /* path of the object being read, "" at the top */
};

void mg_dec_init(struct mg_dec *d, const char *registry, const char *request, struct mg_err *err);

static inline bool mg_dec_failed(const struct mg_dec *d)
{
	return d->failed;
}

/* Descend into member `key` (index < 0) or element `index` of the current path; returns what
 * mg_dec_leave needs to come back. */
size_t mg_dec_enter(struct mg_dec *d, const char *key, long index);
void mg_dec_leave(struct mg_dec *d, size_t mark);

/* A string member, copied (caller frees); "" when absent or wrong. */
char *mg_dec_str(struct mg_dec *d, const cJSON *obj, const char *key, enum mg_need need);

/* An int64 member: a JSON number holding an integer, or a string of digits (MLflow sends both). */
int64_t mg_dec_i64(struct mg_dec *d, const cJSON *obj, const char *key, enum mg_need need);

/* A double member: a number, or "NaN", "Infinity", "-Infinity" as MLflow writes them. */
double mg_dec_double(struct mg_dec *d, const cJSON *obj, const char *key, enum mg_need need);

/* An object member; NULL when absent (MG_OPTIONAL) or wrong. */
const cJSON *mg_dec_object(struct mg_dec *d, const cJSON *obj, const char *key, enum mg_need need);

/* An array member; NULL when absent (an empty list: MLflow omits those) or wrong. */
const cJSON *mg_dec_array(struct mg_dec *d, const cJSON *obj, const char *key);

/* Check that `item` (element `index` of the array at the current path) is an object / a string. */
bool mg_dec_is_object(struct mg_dec *d, const cJSON *item, long index);
bool mg_dec_is_string(struct mg_dec *d, const cJSON *item, long index);

/* MLflow's entities, read strictly at the current path. */

/* The {key, value} objects of array `key` of `obj` (tags, params) into `out`. */
void mg_dec_tags(struct mg_dec *d, const cJSON *obj, const char *key, struct mg_kvlist *out);

/* A ModelVersion: name, version, creation_timestamp and current_stage required. */
void mg_dec_version(struct mg_dec *d, const cJSON *o, struct mg_model_version *mv);
/* A Unity Catalog ModelVersion: no current_stage, aliases as {alias, version} objects. */
void mg_dec_uc_version(struct mg_dec *d, const cJSON *o, struct mg_model_version *mv);

/* A Metric: key and value required (value a number or "NaN"/"Infinity"); one.key is the caller's.
 */
struct mg_metric mg_dec_metric(struct mg_dec *d, const cJSON *m);

/* The "metrics" array of `obj` into `out`. */
void mg_dec_metrics(struct mg_dec *d, const cJSON *obj, struct mg_metriclist *out);

#endif
