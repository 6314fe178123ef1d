/*
 * The REST backend's tracking endpoints (runs, metrics, logged models,
 * experiments): MLflow's, and the Databricks workspace's, which speak the
 * same API.
 */
#include "setup.h"
#include "rest.h"
#include "alloc.h"

#include <sys/time.h>

/* MLflow's per-request limits for log-batch. */
#define BATCH_MAX_METRICS 1000
#define BATCH_MAX_PARAMS  100
#define BATCH_MAX_TAGS    100

static int64_t now_ms(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static int rest_get_logged_model(struct mg_registry *reg, const char *model_id,
                                 struct mg_logged_model *out, struct mg_err *err)
{
	struct mg_buf path = MG_BUF_INIT(MG_BUF_SMALL);
	cJSON *doc = NULL;
	const cJSON *model, *info, *data, *metrics, *m;
	struct mg_dec d;
	char req[160];
	size_t mark;
	long i = 0;
	int ret = -1;

	mg_logged_model_release(out);
	mg_buf_adds(&path, "/logged-models/");
	mg_http_escape(&path, model_id);
	if (mg_rest_call(reg, "GET", path.buf, NULL, NULL, &doc, err))
		goto done;
	mg_rest_dec_start(&d, req, sizeof(req), reg, "GET", path.buf, err);
	model = mg_dec_object(&d, doc, "model", MG_REQUIRED);
	mark = mg_dec_enter(&d, "model", -1);
	info = mg_dec_object(&d, model, "info", MG_REQUIRED);
	data = mg_dec_object(&d, model, "data", MG_OPTIONAL);
	if (mg_dec_failed(&d))
		goto done;
	mg_dec_enter(&d, "info", -1);
	out->model_id = mg_dec_str(&d, info, "model_id", MG_REQUIRED);
	out->name = mg_dec_str(&d, info, "name", MG_OPTIONAL);
	out->experiment_id = mg_dec_str(&d, info, "experiment_id", MG_OPTIONAL);
	out->source_run_id = mg_dec_str(&d, info, "source_run_id", MG_OPTIONAL);
	mg_dec_leave(&d, mark);
	mg_dec_enter(&d, "model.data", -1);
	metrics = mg_dec_array(&d, data, "metrics");
	mg_dec_enter(&d, "metrics", -1);
	cJSON_ArrayForEach(m, metrics)
	{
		if (mg_dec_is_object(&d, m, i)) {
			size_t at = mg_dec_enter(&d, NULL, i);
			struct mg_metric one = mg_dec_metric(&d, m);
			char *run_id = mg_dec_str(&d, m, "run_id", MG_OPTIONAL);
			char *dataset = mg_dec_str(&d, m, "dataset_name", MG_OPTIONAL);

			mg_logged_model_add_metric(out, one.key, one.value, one.timestamp, one.step,
			                           run_id, dataset);
			free(one.key);
			free(run_id);
			free(dataset);
			mg_dec_leave(&d, at);
		}
		i++;
	}
	ret = mg_dec_failed(&d) ? -1 : 0;
done:
	cJSON_Delete(doc);
	mg_buf_release(&path);
	if (ret)
		mg_logged_model_release(out);
	return ret;
}

static int rest_get_run(struct mg_registry *reg, const char *run_id, struct mg_run *out,
                        struct mg_err *err)
{
	const char *q[] = {"run_id", run_id, NULL};
	cJSON *doc = NULL;
	const cJSON *run, *info, *data;
	struct mg_dec d;
	char req[128];
	size_t mark;

	if (mg_rest_call(reg, "GET", "/runs/get", q, NULL, &doc, err))
		return -1;
	mg_rest_dec_start(&d, req, sizeof(req), reg, "GET", "/runs/get", err);
	run = mg_dec_object(&d, doc, "run", MG_REQUIRED);
	mark = mg_dec_enter(&d, "run", -1);
	info = mg_dec_object(&d, run, "info", MG_REQUIRED);
	data = mg_dec_object(&d, run, "data", MG_OPTIONAL);
	mg_dec_enter(&d, "info", -1);
	out->run_id = mg_dec_str(&d, info, "run_id", MG_REQUIRED);
	out->run_name = mg_dec_str(&d, info, "run_name", MG_OPTIONAL);
	out->experiment_id = mg_dec_str(&d, info, "experiment_id", MG_OPTIONAL);
	out->user_id = mg_dec_str(&d, info, "user_id", MG_OPTIONAL);
	out->status = mg_dec_str(&d, info, "status", MG_OPTIONAL);
	out->lifecycle_stage = mg_dec_str(&d, info, "lifecycle_stage", MG_OPTIONAL);
	out->artifact_uri = mg_dec_str(&d, info, "artifact_uri", MG_OPTIONAL);
	out->start_time = mg_dec_i64(&d, info, "start_time", MG_OPTIONAL);
	out->end_time = mg_dec_i64(&d, info, "end_time", MG_OPTIONAL);
	mg_dec_leave(&d, mark);
	mg_dec_enter(&d, "run.data", -1);
	mg_dec_metrics(&d, data, &out->metrics);
	mg_metriclist_sort(&out->metrics);
	mg_dec_tags(&d, data, "params", &out->params);
	mg_dec_tags(&d, data, "tags", &out->tags);
	cJSON_Delete(doc);
	return mg_dec_failed(&d) ? -1 : 0;
}

struct each_metric {
	mg_metric_cb *cb;
	void *arg;
};

static int each_metric(struct mg_dec *d, const cJSON *m, void *arg, struct mg_err *err)
{
	struct each_metric *e = arg;
	struct mg_metric one = mg_dec_metric(d, m);
	int stop = 0;

	if (!mg_dec_failed(d))
		stop = e->cb(e->arg, &one, err);
	free(one.key);
	return stop;
}

static int rest_metric_history(struct mg_registry *reg, const char *run_id, const char *key,
                               mg_metric_cb *cb, void *arg, struct mg_err *err)
{
	struct each_metric e = {cb, arg};
	const char *q[] = {"run_id", run_id,       "metric_key", key, "max_results",
	                   "1000",   "page_token", NULL,         NULL};

	return mg_rest_paginate(reg, "/metrics/get-history", q, MG_ARRAY_SIZE(q), "metrics",
	                        each_metric, &e, err);
}

/* --- writes -------------------------------------------------------------- */

/* The object member `key` of a write's answer (experiment and run ids for the tracking writes). */
static int member_object(struct mg_registry *reg, const cJSON *doc, const char *key,
                         const cJSON **out, struct mg_err *err)
{
	*out = cJSON_GetObjectItemCaseSensitive(doc, key);
	if (cJSON_IsObject(*out))
		return 0;
	return mg_err_set(err, MG_EXIT_INFRA, "registry '%s' answered without a '%s' object",
	                  reg->uri, key);
}

/* POST/PATCH/DELETE `body` (consumed) and ignore the answer's content. */
static int rest_experiment_id(struct mg_registry *reg, const char *name, bool create, char **id_out,
                              struct mg_err *err)
{
	const char *q[] = {"experiment_name", name, NULL};
	cJSON *doc = NULL, *body;
	const cJSON *exp;
	int ret = -1;

	*id_out = NULL;
	if (!mg_rest_call(reg, "GET", "/experiments/get-by-name", q, NULL, &doc, err)) {
		if (member_object(reg, doc, "experiment", &exp, err))
			goto done;
		*id_out = mg_json_strdup(exp, "experiment_id");
		ret = 0;
		goto done;
	}
	if (err->reason != MG_REASON_NOT_FOUND || !create)
		goto done;
	mg_err_clear(err);
	body = cJSON_CreateObject();
	cJSON_AddStringToObject(body, "name", name);
	ret = mg_rest_call(reg, "POST", "/experiments/create", NULL, body, &doc, err);
	cJSON_Delete(body);
	if (!ret)
		*id_out = mg_json_strdup(doc, "experiment_id");
done:
	cJSON_Delete(doc);
	return ret;
}

static cJSON *tag_array(const struct mg_kvlist *l, const char *value_key)
{
	cJSON *arr = cJSON_CreateArray();

	for (size_t i = 0; l && i < l->n; i++) {
		cJSON *t = cJSON_CreateObject();

		cJSON_AddStringToObject(t, "key", l->items[i].key);
		cJSON_AddStringToObject(t, value_key, l->items[i].value);
		cJSON_AddItemToArray(arr, t);
	}
	return arr;
}

static int rest_create_run(struct mg_registry *reg, const char *experiment_id, const char *run_name,
                           const struct mg_kvlist *tags, char **run_id_out, struct mg_err *err)
{
	cJSON *b = cJSON_CreateObject(), *doc = NULL;
	const cJSON *run, *info;
	int ret = -1;

	*run_id_out = NULL;
	cJSON_AddStringToObject(b, "experiment_id", experiment_id);
	if (run_name && *run_name)
		cJSON_AddStringToObject(b, "run_name", run_name);
	cJSON_AddNumberToObject(b, "start_time", (double)now_ms());
	cJSON_AddItemToObject(b, "tags", tag_array(tags, "value"));
	if (mg_rest_call(reg, "POST", "/runs/create", NULL, b, &doc, err) ||
	    member_object(reg, doc, "run", &run, err) ||
	    member_object(reg, run, "info", &info, err))
		goto done;
	*run_id_out = mg_json_strdup(info, "run_id");
	ret = 0;
done:
	cJSON_Delete(b);
	cJSON_Delete(doc);
	return ret;
}

static int rest_log_batch(struct mg_registry *reg, const char *run_id,
                          const struct mg_kvlist *params, const struct mg_metriclist *metrics,
                          const struct mg_kvlist *tags, struct mg_err *err)
{
	cJSON *b, *arr;
	int64_t now = now_ms();

	if ((metrics && metrics->n > BATCH_MAX_METRICS) ||
	    (params && params->n > BATCH_MAX_PARAMS) || (tags && tags->n > BATCH_MAX_TAGS))
		return mg_err_set(err, MG_EXIT_USAGE,
		                  "log batch too large for MLflow: at most %d metrics, %d params "
		                  "and %d tags per request",
		                  BATCH_MAX_METRICS, BATCH_MAX_PARAMS, BATCH_MAX_TAGS);
	b = cJSON_CreateObject();
	cJSON_AddStringToObject(b, "run_id", run_id);
	arr = cJSON_AddArrayToObject(b, "metrics");
	for (size_t i = 0; metrics && i < metrics->n; i++) {
		const struct mg_metric *m = &metrics->items[i];
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "key", m->key);
		mg_json_add_double(o, "value", m->value);
		cJSON_AddNumberToObject(o, "timestamp",
		                        (double)(m->timestamp ? m->timestamp : now));
		cJSON_AddNumberToObject(o, "step", (double)m->step);
		cJSON_AddItemToArray(arr, o);
	}
	cJSON_AddItemToObject(b, "params", tag_array(params, "value"));
	cJSON_AddItemToObject(b, "tags", tag_array(tags, "value"));
	return mg_rest_write(reg, "POST", "/runs/log-batch", b, err);
}

static int rest_end_run(struct mg_registry *reg, const char *run_id, const char *status,
                        struct mg_err *err)
{
	cJSON *b = cJSON_CreateObject();

	cJSON_AddStringToObject(b, "run_id", run_id);
	cJSON_AddStringToObject(b, "status", status);
	cJSON_AddNumberToObject(b, "end_time", (double)now_ms());
	return mg_rest_write(reg, "POST", "/runs/update", b, err);
}

void mg_rest_tracking_ops(struct mg_registry_ops *ops)
{
	ops->get_run = rest_get_run;
	ops->get_logged_model = rest_get_logged_model;
	ops->metric_history = rest_metric_history;
	ops->experiment_id = rest_experiment_id;
	ops->create_run = rest_create_run;
	ops->log_batch = rest_log_batch;
	ops->end_run = rest_end_run;
}
