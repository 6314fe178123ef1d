/*
 * The REST backend: MLflow's /api/2.0/mlflow endpoints over libcurl.
 * Quirks of MLflow's server honoured: query parameters for GET, JSON
 * bodies for POST/PATCH/DELETE, `version` always a JSON string, int64 as
 * numbers or strings, NaN/Infinity as strings, missing fields as defaults,
 * alias-not-found arriving as a 400.
 */
#include "setup.h"
#include "registry_backend.h"
#include "alloc.h"
#include "http.h"
#include "json.h"
#include "decode.h"

#include <assert.h>
#include <sys/time.h>

struct rest {
	struct mg_http *http;
	char *api; /* "<uri>/api/2.0/mlflow" */
};

#define REST(reg) ((struct rest *)(reg)->impl)

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

static void base64(struct mg_buf *out, const char *s)
{
	static const char tbl[] =
	        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t len = strlen(s);
	const unsigned char *p = (const unsigned char *)s;

	for (size_t i = 0; i < len; i += 3) {
		unsigned v = (unsigned)p[i] << 16;
		char q[4];

		if (i + 1 < len)
			v |= (unsigned)p[i + 1] << 8;
		if (i + 2 < len)
			v |= p[i + 2];
		q[0] = tbl[(v >> 18) & 63];
		q[1] = tbl[(v >> 12) & 63];
		q[2] = i + 1 < len ? tbl[(v >> 6) & 63] : '=';
		q[3] = i + 2 < len ? tbl[v & 63] : '=';
		mg_buf_add(out, q, 4);
	}
}

/* --- requests and errors ------------------------------------------------- */

/* The first line of a non-JSON body, or an HTML page's title, for messages. */
static void first_line(const struct mg_buf *body, struct mg_buf *out)
{
	const char *p = body->buf, *end = body->buf + body->len;
	const char *title = strstr(body->buf, "<title>");
	size_t n = 0;

	if (title && strlen(body->buf) == body->len) {
		const char *close = strstr(title, "</title>");

		if (close && close - title - 7 > 0 && close - title - 7 <= 200) {
			mg_buf_adds(out, "HTML page: ");
			mg_buf_add(out, title + 7, (size_t)(close - title - 7));
			return;
		}
	}

	while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
		p++;
	while (p + n < end && p[n] != '\n' && p[n] != '\r' && n < 200)
		n++;
	if (!n)
		mg_buf_adds(out, "(empty body)");
	else
		mg_buf_add(out, p, n);
}

/*
 * Turn a non-200 answer into an error. 404 RESOURCE_DOES_NOT_EXIST is
 * "not found"; other 400s are input errors the server named; everything
 * else (auth, 5xx, proxies, unknown endpoints) is infrastructure.
 */
static int http_error(struct mg_registry *reg, const char *method, const char *path,
                      const struct mg_http_response *resp, struct mg_err *err)
{
	struct mg_err ignore = MG_ERR_INIT;
	struct mg_buf detail = MG_BUF_INIT(MG_BUF_SMALL);
	cJSON *doc =
	        mg_json_parse(resp->body.buf, resp->body.len, "error body", MG_EXIT_INFRA, &ignore);
	const char *code = doc ? mg_json_str(doc, "error_code") : "";
	int exit_code = MG_EXIT_INFRA;
	enum mg_reason reason = MG_REASON_NONE;

	if (*code) {
		mg_buf_addf(&detail, "%s: %s", code, mg_json_str(doc, "message"));
	} else {
		first_line(&resp->body, &detail);
	}
	/* the message is cut to fit an error line: mask what it echoes first */
	if (mg_secrets_redact(&reg->ctx->secrets, &detail))
		mg_buf_adds(&detail, MG_SECRET_MASK);
	if (resp->status == 404 && !strcmp(code, "RESOURCE_DOES_NOT_EXIST")) {
		exit_code = MG_EXIT_USAGE;
		reason = MG_REASON_NOT_FOUND;
	} else if (resp->status == 400 && *code) {
		exit_code = MG_EXIT_USAGE;
	}
	if (resp->attempts > 1)
		mg_err_setr(err, exit_code, reason,
		            "registry '%s' answered %s %s with HTTP %ld after %d attempts: %s",
		            reg->uri, method, path, resp->status, resp->attempts, detail.buf);
	else
		mg_err_setr(err, exit_code, reason,
		            "registry '%s' answered %s %s with HTTP %ld: %s", reg->uri, method,
		            path, resp->status, detail.buf);
	cJSON_Delete(doc);
	mg_buf_release(&detail);
	return -1;
}

/*
 * One call. `query` is a NULL-terminated list of key, value pairs (GET;
 * NULL values are skipped), `body` a JSON object (other methods). On 200
 * the parsed answer goes to *out (caller frees).
 */
static int call(struct mg_registry *reg, const char *method, const char *path,
                const char *const *query, const cJSON *body, cJSON **out, struct mg_err *err)
{
	struct rest *r = REST(reg);
	struct mg_buf url = MG_BUF_INIT(MG_BUF_LARGE);
	struct mg_http_response resp;
	char *text = NULL;
	int ret = -1;
	char sep = '?';

	*out = NULL;
	mg_http_response_init(&resp);
	mg_buf_addf(&url, "%s%s", r->api, path);
	for (size_t i = 0; query && query[i]; i += 2) {
		if (!query[i + 1])
			continue;
		mg_buf_addf(&url, "%c%s=", sep, query[i]);
		mg_http_escape(&url, query[i + 1]);
		sep = '&';
	}
	if (mg_buf_overflowed(&url)) {
		mg_err_set(err, MG_EXIT_USAGE, "request URL for %s is too long", path);
		goto done;
	}
	if (body)
		text = mg_json_print(body);
	if (mg_http_request(r->http, method, url.buf, text, &resp, err))
		goto done;
	if (resp.status != 200) {
		/* an error body may echo a credential: mask it before any part is cut out */
		mg_secrets_redact(&reg->ctx->secrets, &resp.body);
		http_error(reg, method, path, &resp, err);
		goto done;
	}
	mg_buf_reset(&url); /* reused for the message: the query is in the debug log */
	mg_buf_addf(&url, "the answer of registry '%s' to %s %s", reg->uri, method, path);
	*out = mg_json_parse(resp.body.buf, resp.body.len, url.buf, MG_EXIT_INFRA, err);
	if (*out && !cJSON_IsObject(*out)) {
		cJSON_Delete(*out);
		*out = NULL;
		mg_secrets_redact(&reg->ctx->secrets, &resp.body);
		mg_err_set(err, MG_EXIT_INFRA,
		           "registry '%s' answered %s %s with a body that is not a JSON object: "
		           "%.200s",
		           reg->uri, method, path, resp.body.buf);
		goto done;
	}
	if (!*out)
		goto done;
	ret = 0;
done:
	free(text);
	mg_http_response_release(&resp);
	mg_buf_release(&url);
	return ret;
}

/* --- JSON to structs (strict: lib/registry/decode.h) ---------------------- */

/* Start decoding the answer to METHOD PATH. */
static void dec_start(struct mg_dec *d, char *req, size_t len, struct mg_registry *reg,
                      const char *method, const char *path, struct mg_err *err)
{
	snprintf(req, len, "%s %s", method, path);
	mg_dec_init(d, reg->uri, req, err);
}

/* --- reads --------------------------------------------------------------- */

static int rest_get_model(struct mg_registry *reg, const char *name,
                          struct mg_registered_model *out, struct mg_err *err)
{
	const char *q[] = {"name", name, NULL};
	cJSON *doc = NULL;
	const cJSON *rm, *aliases, *a;
	struct mg_dec d;
	char req[128];
	size_t mark;
	long i = 0;

	if (call(reg, "GET", "/registered-models/get", q, NULL, &doc, err))
		return -1;
	dec_start(&d, req, sizeof(req), reg, "GET", "/registered-models/get", err);
	rm = mg_dec_object(&d, doc, "registered_model", MG_REQUIRED);
	mark = mg_dec_enter(&d, "registered_model", -1);
	out->name = mg_dec_str(&d, rm, "name", MG_REQUIRED);
	out->description = mg_dec_str(&d, rm, "description", MG_OPTIONAL);
	out->creation_timestamp = mg_dec_i64(&d, rm, "creation_timestamp", MG_OPTIONAL);
	out->last_updated_timestamp = mg_dec_i64(&d, rm, "last_updated_timestamp", MG_OPTIONAL);
	mg_dec_tags(&d, rm, "tags", &out->tags);
	aliases = mg_dec_array(&d, rm, "aliases");
	mg_dec_enter(&d, "aliases", -1);
	cJSON_ArrayForEach(a, aliases)
	{
		if (mg_dec_is_object(&d, a, i)) {
			size_t at = mg_dec_enter(&d, NULL, i);
			char *alias = mg_dec_str(&d, a, "alias", MG_REQUIRED);
			char *version = mg_dec_str(&d, a, "version", MG_REQUIRED);

			mg_kvlist_set(&out->aliases, alias, version);
			free(alias);
			free(version);
			mg_dec_leave(&d, at);
		}
		i++;
	}
	mg_dec_leave(&d, mark);
	mg_kvlist_sort(&out->aliases);
	cJSON_Delete(doc);
	return mg_dec_failed(&d) ? -1 : 0;
}

/* The model_version object of the answer to GET `path`. */
static int get_one_version(struct mg_registry *reg, const char *path, const char *const *q,
                           struct mg_model_version *out, struct mg_err *err)
{
	cJSON *doc = NULL;
	const cJSON *mv;
	struct mg_dec d;
	char req[128];

	if (call(reg, "GET", path, q, NULL, &doc, err))
		return -1;
	dec_start(&d, req, sizeof(req), reg, "GET", path, err);
	mv = mg_dec_object(&d, doc, "model_version", MG_REQUIRED);
	if (mv) {
		size_t mark = mg_dec_enter(&d, "model_version", -1);

		mg_dec_version(&d, mv, out);
		mg_dec_leave(&d, mark);
	}
	cJSON_Delete(doc);
	return mg_dec_failed(&d) ? -1 : 0;
}

static int rest_get_version(struct mg_registry *reg, const char *name, const char *version,
                            struct mg_model_version *out, struct mg_err *err)
{
	const char *q[] = {"name", name, "version", version, NULL};

	return get_one_version(reg, "/model-versions/get", q, out, err);
}

static int rest_get_version_by_alias(struct mg_registry *reg, const char *name, const char *alias,
                                     struct mg_model_version *out, struct mg_err *err)
{
	const char *q[] = {"name", name, "alias", alias, NULL};

	if (get_one_version(reg, "/registered-models/alias", q, out, err)) {
		/*
		 * MLflow reports an unset alias as 400 INVALID_PARAMETER_VALUE
		 * "Registered model alias X not found." (a missing model is a 404)
		 */
		if (err->code == MG_EXIT_USAGE && err->reason == MG_REASON_NONE &&
		    strstr(err->msg, "INVALID_PARAMETER_VALUE") && strstr(err->msg, "not found")) {
			mg_err_clear(err);
			mg_err_setr(err, MG_EXIT_USAGE, MG_REASON_NOT_FOUND,
			            "alias '%s' of model '%s' is not set", alias, name);
		}
		return -1;
	}
	return 0;
}

/*
 * GET `path` page by page, calling `each` for every element of the answer's
 * `list` array (decoded strictly, the path at the element). `q` is the
 * query, whose last pair is "page_token" with a NULL value: the token of
 * each next page goes there.
 */
static int paginate(struct mg_registry *reg, const char *path, const char **q, size_t nq,
                    const char *list,
                    int (*each)(struct mg_dec *d, const cJSON *item, void *arg, struct mg_err *err),
                    void *arg, struct mg_err *err)
{
	char *token = NULL;
	int ret = -1, stop = 0;
	char req[128];

	assert(nq >= 3 && !strcmp(q[nq - 3], "page_token") && !q[nq - 1]);
	while (!stop) {
		cJSON *doc = NULL;
		const cJSON *items, *item;
		struct mg_dec d;
		size_t mark;
		long i = 0;

		q[nq - 2] = token;
		if (call(reg, "GET", path, q, NULL, &doc, err))
			goto done;
		dec_start(&d, req, sizeof(req), reg, "GET", path, err);
		items = mg_dec_array(&d, doc, list);
		mark = mg_dec_enter(&d, list, -1);
		cJSON_ArrayForEach(item, items)
		{
			size_t at;

			if (!mg_dec_is_object(&d, item, i))
				break;
			at = mg_dec_enter(&d, NULL, i++);
			stop = each(&d, item, arg, err);
			mg_dec_leave(&d, at);
			if (stop || mg_dec_failed(&d))
				break;
		}
		mg_dec_leave(&d, mark);
		free(token);
		token = mg_dec_str(&d, doc, "next_page_token", MG_OPTIONAL);
		cJSON_Delete(doc);
		if (stop < 0 || mg_dec_failed(&d))
			goto done;
		if (!*token)
			break;
	}
	ret = 0;
done:
	free(token);
	return ret;
}

struct each_version {
	mg_version_cb *cb;
	void *arg;
};

static int each_version(struct mg_dec *d, const cJSON *item, void *arg, struct mg_err *err)
{
	struct each_version *e = arg;
	struct mg_model_version mv = {0};
	int stop = 0;

	mg_dec_version(d, item, &mv);
	if (!mg_dec_failed(d))
		stop = e->cb(e->arg, &mv, err);
	mg_model_version_release(&mv);
	return stop;
}

static int rest_search_versions(struct mg_registry *reg, const struct mg_version_query *qry,
                                mg_version_cb *cb, void *arg, struct mg_err *err)
{
	struct each_version e = {cb, arg};
	char page_size[16];
	const char *q[] = {"filter",      qry->filter,  "max_results", page_size, "order_by",
	                   qry->order_by, "page_token", NULL,          NULL};

	snprintf(page_size, sizeof(page_size), "%d", qry->page_size ? qry->page_size : 1000);
	return paginate(reg, "/model-versions/search", q, MG_ARRAY_SIZE(q), "model_versions",
	                each_version, &e, err);
}

struct stage_filter {
	const char *stage;
	mg_version_cb *cb;
	void *arg;
};

static int stage_filter_cb(void *arg, const struct mg_model_version *mv, struct mg_err *err)
{
	struct stage_filter *f = arg;

	if (strcmp(mv->current_stage, f->stage))
		return 0;
	return f->cb(f->arg, mv, err);
}

/* Every version of model `name`, newest first: one search (a page per 1000 versions). */
static int rest_versions_of(struct mg_registry *reg, const char *name, mg_version_cb *cb, void *arg,
                            struct mg_err *err)
{
	struct mg_buf filter = MG_BUF_INIT(MG_BUF_SMALL);
	struct mg_version_query q = {0};
	int ret;

	if (!strchr(name, '\''))
		mg_buf_addf(&filter, "name='%s'", name);
	else if (!strchr(name, '"'))
		mg_buf_addf(&filter, "name=\"%s\"", name);
	else {
		mg_buf_release(&filter);
		return mg_err_setr(err, MG_EXIT_USAGE, MG_REASON_UNSUPPORTED,
		                   "model name '%s' has both kinds of quote: MLflow's search "
		                   "cannot express it",
		                   name);
	}
	q.filter = filter.buf;
	q.order_by = "version_number DESC";
	ret = rest_search_versions(reg, &q, cb, arg, err);
	mg_buf_release(&filter);
	return ret;
}

/* MLflow's search has no stage filter: search the model's versions, keep the stage's. */
static int rest_versions_in_stage(struct mg_registry *reg, const char *name, const char *stage,
                                  mg_version_cb *cb, void *arg, struct mg_err *err)
{
	struct stage_filter f = {stage, cb, arg};

	return rest_versions_of(reg, name, stage_filter_cb, &f, err);
}

/* GET /logged-models/{model_id}: the model and every value logged to it. */
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
	if (call(reg, "GET", path.buf, NULL, NULL, &doc, err))
		goto done;
	dec_start(&d, req, sizeof(req), reg, "GET", path.buf, err);
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

	if (call(reg, "GET", "/runs/get", q, NULL, &doc, err))
		return -1;
	dec_start(&d, req, sizeof(req), reg, "GET", "/runs/get", err);
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

	return paginate(reg, "/metrics/get-history", q, MG_ARRAY_SIZE(q), "metrics", each_metric,
	                &e, err);
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
static int write_call(struct mg_registry *reg, const char *method, const char *path, cJSON *body,
                      struct mg_err *err)
{
	cJSON *doc = NULL;
	int ret = call(reg, method, path, NULL, body, &doc, err);

	cJSON_Delete(doc);
	cJSON_Delete(body);
	return ret;
}

static cJSON *name_version(const char *name, const char *version)
{
	cJSON *b = cJSON_CreateObject();

	cJSON_AddStringToObject(b, "name", name);
	cJSON_AddStringToObject(b, "version", version);
	return b;
}

static int rest_set_version_tag(struct mg_registry *reg, const char *name, const char *version,
                                const char *key, const char *value, struct mg_err *err)
{
	cJSON *b = name_version(name, version);

	cJSON_AddStringToObject(b, "key", key);
	cJSON_AddStringToObject(b, "value", value);
	return write_call(reg, "POST", "/model-versions/set-tag", b, err);
}

static int rest_delete_version_tag(struct mg_registry *reg, const char *name, const char *version,
                                   const char *key, struct mg_err *err)
{
	cJSON *b = name_version(name, version);

	cJSON_AddStringToObject(b, "key", key);
	return write_call(reg, "DELETE", "/model-versions/delete-tag", b, err);
}

static int rest_update_version_description(struct mg_registry *reg, const char *name,
                                           const char *version, const char *description,
                                           struct mg_err *err)
{
	cJSON *b = name_version(name, version);

	cJSON_AddStringToObject(b, "description", description);
	return write_call(reg, "PATCH", "/model-versions/update", b, err);
}

static int rest_transition_stage(struct mg_registry *reg, const char *name, const char *version,
                                 const char *stage, bool archive_existing, struct mg_err *err)
{
	cJSON *b = name_version(name, version);

	cJSON_AddStringToObject(b, "stage", stage);
	cJSON_AddBoolToObject(b, "archive_existing_versions", archive_existing);
	return write_call(reg, "POST", "/model-versions/transition-stage", b, err);
}

static int rest_set_alias(struct mg_registry *reg, const char *name, const char *alias,
                          const char *version, struct mg_err *err)
{
	cJSON *b = name_version(name, version);

	cJSON_AddStringToObject(b, "alias", alias);
	return write_call(reg, "POST", "/registered-models/alias", b, err);
}

static int rest_delete_alias(struct mg_registry *reg, const char *name, const char *alias,
                             struct mg_err *err)
{
	cJSON *b = cJSON_CreateObject();

	cJSON_AddStringToObject(b, "name", name);
	cJSON_AddStringToObject(b, "alias", alias);
	return write_call(reg, "DELETE", "/registered-models/alias", b, err);
}

static int rest_experiment_id(struct mg_registry *reg, const char *name, bool create, char **id_out,
                              struct mg_err *err)
{
	const char *q[] = {"experiment_name", name, NULL};
	cJSON *doc = NULL, *body;
	const cJSON *exp;
	int ret = -1;

	*id_out = NULL;
	if (!call(reg, "GET", "/experiments/get-by-name", q, NULL, &doc, err)) {
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
	ret = call(reg, "POST", "/experiments/create", NULL, body, &doc, err);
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
	if (call(reg, "POST", "/runs/create", NULL, b, &doc, err) ||
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
	return write_call(reg, "POST", "/runs/log-batch", b, err);
}

static int rest_end_run(struct mg_registry *reg, const char *run_id, const char *status,
                        struct mg_err *err)
{
	cJSON *b = cJSON_CreateObject();

	cJSON_AddStringToObject(b, "run_id", run_id);
	cJSON_AddStringToObject(b, "status", status);
	cJSON_AddNumberToObject(b, "end_time", (double)now_ms());
	return write_call(reg, "POST", "/runs/update", b, err);
}

/* --- opening ------------------------------------------------------------- */

static void rest_close(struct mg_registry *reg)
{
	struct rest *r = REST(reg);

	if (!r)
		return;
	mg_http_free(r->http);
	free(r->api);
	free(r);
	reg->impl = NULL;
}

/* --- compare-and-set moves --------------------------------------------------------- */

struct holders {
	const char *skip;  /* the version being moved */
	const char *stage; /* the target stage */
	struct mg_buf *held;
	size_t n;
	char stage_of_skip[32]; /* the moved version's stage, "" if not seen */
};

static int holders_cb(void *arg, const struct mg_model_version *mv, struct mg_err *err)
{
	struct holders *h = arg;

	(void)err;
	if (!strcmp(mv->version, h->skip))
		snprintf(h->stage_of_skip, sizeof(h->stage_of_skip), "%s", mv->current_stage);
	else if (!strcmp(mv->current_stage, h->stage))
		mg_buf_addf(h->held, "%s%s", h->n++ ? ", " : "", mv->version);
	return 0;
}

/*
 * The versions holding the move's target other than m->version, as "3" or
 * "3, 4". For a stage, one search of the model's versions also gives the
 * moved version's own stage (into `stage_of`, when not NULL).
 */
static int move_holders(struct mg_registry *reg, const struct mg_registry_move *m,
                        struct mg_buf *held, size_t *n, char stage_of[32], struct mg_err *err)
{
	struct holders h = {m->version, m->stage, held, 0, ""};
	struct mg_model_version mv = {0};

	mg_buf_reset(held);
	*n = 0;
	if (m->stage) {
		if (rest_versions_of(reg, m->name, holders_cb, &h, err))
			return -1;
		*n = h.n;
		if (stage_of)
			memcpy(stage_of, h.stage_of_skip, sizeof(h.stage_of_skip));
		return 0;
	}
	if (rest_get_version_by_alias(reg, m->name, m->alias, &mv, err)) {
		if (err->reason != MG_REASON_NOT_FOUND)
			return -1;
		mg_err_clear(err);
		return 0;
	}
	mg_buf_adds(held, mv.version);
	*n = 1;
	mg_model_version_release(&mv);
	return 0;
}

/*
 * Read, check, write, read again: MLflow's REST API has no conditional
 * write, so a writer that gets in between the check and the write is only
 * detected afterwards (MG_EXIT_INFRA, MG_REASON_RACED).
 */
static int rest_move_if(struct mg_registry *reg, const struct mg_registry_move *m,
                        struct mg_err *err)
{
	struct mg_model_version mv = {0};
	struct mg_buf held = MG_BUF_INIT(MG_BUF_SMALL);
	const char *what = m->stage ? "stage" : "alias", *target = m->stage ? m->stage : m->alias;
	char stage_of[32] = "";
	bool drop = false;
	size_t n = 0;
	int ret = -1;

	/* a stage move reads everything in one search; an alias move needs the version's aliases */
	if (move_holders(reg, m, &held, &n, stage_of, err))
		goto done;
	if (m->stage && !*stage_of) {
		mg_err_setr(err, MG_EXIT_USAGE, MG_REASON_NOT_FOUND,
		            "model '%.200s' has no version %s", m->name, m->version);
		goto done;
	}
	if (!m->stage && rest_get_version(reg, m->name, m->version, &mv, err))
		goto done;
	if (m->expected ? n != 1 || strcmp(held.buf, m->expected) : n != 0) {
		mg_err_setr(err, MG_EXIT_USAGE, MG_REASON_CONFLICT,
		            "%s '%s' of model '%.200s' is held by %s%s, expected %s%s", what,
		            target, m->name, n ? "version " : "", n ? held.buf : "no version",
		            m->expected ? "version " : "", m->expected ? m->expected : "none");
		goto done;
	}
	drop = !m->stage && m->drop_alias && mg_kvlist_get(&mv.aliases, m->drop_alias);
	if (m->stage ? rest_transition_stage(reg, m->name, m->version, m->stage,
	                                     m->archive_existing, err)
	             : rest_set_alias(reg, m->name, m->alias, m->version, err))
		goto done;
	if (drop && rest_delete_alias(reg, m->name, m->drop_alias, err))
		goto done;
	/* read again: is the registry what this write made it? */
	mg_model_version_release(&mv);
	if (m->stage) {
		if (move_holders(reg, m, &held, &n, stage_of, err))
			goto done;
		if (strcmp(stage_of, m->stage) || (m->archive_existing && n)) {
			mg_err_setr(err, MG_EXIT_INFRA, MG_REASON_RACED,
			            "another writer changed stage %s of model '%.200s' during this "
			            "promotion: version %s is now in %s%s%s",
			            m->stage, m->name, m->version,
			            *stage_of ? stage_of : "no stage",
			            n ? ", and so is version " : "", n ? held.buf : "");
			goto done;
		}
	} else {
		if (move_holders(reg, m, &held, &n, NULL, err))
			goto done;
		if (n != 1 || strcmp(held.buf, m->version)) {
			mg_err_setr(err, MG_EXIT_INFRA, MG_REASON_RACED,
			            "another writer moved alias '%s' of model '%.200s' during this "
			            "promotion: it points at %s%s, not version %s",
			            m->alias, m->name, n ? "version " : "",
			            n ? held.buf : "nothing", m->version);
			goto done;
		}
	}
	ret = 0;
done:
	mg_model_version_release(&mv);
	mg_buf_release(&held);
	return ret;
}

static const struct mg_registry_ops rest_ops = {
        .name = "rest",
        .close = rest_close,
        .get_model = rest_get_model,
        .get_version = rest_get_version,
        .get_version_by_alias = rest_get_version_by_alias,
        .versions_in_stage = rest_versions_in_stage,
        .search_versions = rest_search_versions,
        .get_run = rest_get_run,
        .get_logged_model = rest_get_logged_model,
        .metric_history = rest_metric_history,
        .set_version_tag = rest_set_version_tag,
        .delete_version_tag = rest_delete_version_tag,
        .update_version_description = rest_update_version_description,
        .transition_stage = rest_transition_stage,
        .set_alias = rest_set_alias,
        .delete_alias = rest_delete_alias,
        .move_if = rest_move_if,
        .experiment_id = rest_experiment_id,
        .create_run = rest_create_run,
        .log_batch = rest_log_batch,
        .end_run = rest_end_run,
};

/* Authorization from the environment: Basic (user + password) before Bearer (token). */
static int add_auth(struct mg_registry *reg, struct mg_http *http, struct mg_err *err)
{
	const char *user = getenv("MLFLOW_TRACKING_USERNAME");
	const char *pass = getenv("MLFLOW_TRACKING_PASSWORD");
	const char *token = getenv("MLFLOW_TRACKING_TOKEN");
	struct mg_buf b = MG_BUF_INIT(MG_BUF_SMALL);
	struct mg_buf cred = MG_BUF_INIT(MG_BUF_SMALL);

	user = user && *user ? user : NULL;
	pass = pass && *pass ? pass : NULL;
	token = token && *token ? token : NULL;
	if ((user != NULL) != (pass != NULL))
		return mg_err_set(err, MG_EXIT_USAGE,
		                  "MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD must be "
		                  "set together (only %s is set)",
		                  user ? "the username" : "the password");
	if (user) {
		mg_buf_addf(&cred, "%s:%s", user, pass);
		mg_buf_adds(&b, "Authorization: Basic ");
		base64(&b, cred.buf);
		/* the encoded form is as secret as the password */
		mg_secrets_add(&reg->ctx->secrets, b.buf + strlen("Authorization: Basic "));
	} else if (token) {
		mg_buf_addf(&b, "Authorization: Bearer %s", token);
		mg_secrets_add(&reg->ctx->secrets, token);
	}
	if (b.len)
		mg_http_add_header(http, b.buf);
	mg_buf_release(&b);
	mg_buf_release(&cred);
	return 0;
}

int mg_registry_rest_open(struct mg_registry *reg, const char *uri, struct mg_err *err)
{
	struct mg_http_config cfg;
	struct rest *r;
	const char *host = strstr(uri, "://") + 3, *slash = strchr(host, '/');
	struct mg_buf api = MG_BUF_INIT(MG_BUF_SMALL);
	const char *ws = getenv("MLFLOW_WORKSPACE");
	size_t len;

	reg->ops = &rest_ops;
	if (memchr(host, '@', slash ? (size_t)(slash - host) : strlen(host)))
		return mg_err_set(err, MG_EXIT_USAGE,
		                  "registry '%s': credentials in the URI are not accepted; set "
		                  "MLFLOW_TRACKING_USERNAME/MLFLOW_TRACKING_PASSWORD or "
		                  "MLFLOW_TRACKING_TOKEN",
		                  reg->uri);
	if (!*host || *host == '/')
		return mg_err_set(err, MG_EXIT_USAGE, "registry '%s': no host in the URI",
		                  reg->uri);
	if (strchr(uri, '?') || strchr(uri, '#'))
		return mg_err_set(err, MG_EXIT_USAGE,
		                  "registry '%s': a query or fragment in the URI is not supported",
		                  reg->uri);
	if (mg_http_config_from_env(&cfg, err))
		return -1;
	len = strlen(uri);
	while (len && uri[len - 1] == '/')
		len--;
	mg_buf_add(&api, uri, len);
	mg_buf_adds(&api, "/api/2.0/mlflow");

	r = mg_xcalloc(1, sizeof(*r));
	r->api = mg_buf_take(&api, NULL);
	r->http = mg_http_new(&cfg, &reg->ctx->log);
	reg->impl = r;
	if (add_auth(reg, r->http, err))
		return -1;
	if (ws && *ws) {
		struct mg_buf h = MG_BUF_INIT(MG_BUF_SMALL);

		mg_buf_addf(&h, "X-MLFLOW-WORKSPACE: %s", ws);
		mg_http_add_header(r->http, h.buf);
		mg_buf_release(&h);
	}
	return 0;
}
