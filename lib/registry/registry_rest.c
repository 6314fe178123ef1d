/*
 * The REST backend: MLflow's /api/2.0/mlflow endpoints over libcurl.
 * Quirks of MLflow's server honoured: query parameters for GET, JSON
 * bodies for POST/PATCH/DELETE, `version` always a JSON string, int64 as
 * numbers or strings, NaN/Infinity as strings, missing fields as defaults,
 * alias-not-found arriving as a 400.
 */
#include "setup.h"
#include "rest.h"
#include "alloc.h"

#include <assert.h>

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
int mg_rest_http_error(struct mg_registry *reg, const char *method, const char *path,
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
 * Send one request; with an authorize hook (Databricks) its Authorization
 * header goes with this request only (`refresh`: after a 401). Returns 0
 * sent, 1 not sent (a refresh asked of a credential that has none), -1.
 */
static int send_one(struct mg_registry *reg, const char *method, const char *url, const char *body,
                    bool refresh, struct mg_http_response *resp, struct mg_err *err)
{
	struct rest *r = REST(reg);
	struct mg_buf auth = MG_BUF_INIT(MG_BUF_SMALL);
	const char *headers[] = {NULL, NULL};
	struct mg_http_req req = {method, url, body, NULL, headers};
	int ret;

	if (!r->authorize)
		return mg_http_request(r->http, method, url, body, resp, err);
	ret = r->authorize(reg, refresh, &auth, err);
	if (!ret) {
		headers[0] = auth.buf;
		ret = mg_http_send(r->http, &req, resp, err);
	}
	mg_buf_release(&auth);
	return ret;
}

/*
 * One call. `query` is a NULL-terminated list of key, value pairs (GET;
 * NULL values are skipped), `body` a JSON object (other methods). On 200
 * the parsed answer goes to *out (caller frees).
 */
int mg_rest_call(struct mg_registry *reg, const char *method, const char *path,
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
	/* the registry's endpoints may live elsewhere (Unity Catalog); tracking's do not */
	mg_buf_addf(&url, "%s%s%s", r->api,
	            !strncmp(path, "/registered-models", 18) ||
	                            !strncmp(path, "/model-versions", 15)
	                    ? r->models
	                    : "",
	            path);
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
	if (send_one(reg, method, url.buf, text, false, &resp, err))
		goto done;
	if (resp.status == 401 && r->authorize) {
		/* a token that expired under us: one fresh one, one more try */
		int fresh = send_one(reg, method, url.buf, text, true, &resp, err);

		if (fresh < 0)
			goto done;
	}
	if (resp.status != 200) {
		/* an error body may echo a credential: mask it before any part is cut out */
		mg_secrets_redact(&reg->ctx->secrets, &resp.body);
		mg_rest_http_error(reg, method, path, &resp, err);
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
void mg_rest_dec_start(struct mg_dec *d, char *req, size_t len, struct mg_registry *reg,
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

	if (mg_rest_call(reg, "GET", "/registered-models/get", q, NULL, &doc, err))
		return -1;
	mg_rest_dec_start(&d, req, sizeof(req), reg, "GET", "/registered-models/get", err);
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

	if (mg_rest_call(reg, "GET", path, q, NULL, &doc, err))
		return -1;
	mg_rest_dec_start(&d, req, sizeof(req), reg, "GET", path, err);
	mv = mg_dec_object(&d, doc, "model_version", MG_REQUIRED);
	if (mv) {
		size_t mark = mg_dec_enter(&d, "model_version", -1);

		REST(reg)->dec_version(&d, mv, out);
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
int mg_rest_paginate(struct mg_registry *reg, const char *path, const char **q, size_t nq,
                     const char *list,
                     int (*each)(struct mg_dec *d, const cJSON *item, void *arg,
                                 struct mg_err *err),
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
		if (mg_rest_call(reg, "GET", path, q, NULL, &doc, err))
			goto done;
		mg_rest_dec_start(&d, req, sizeof(req), reg, "GET", path, err);
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
	struct rest *r;
	mg_version_cb *cb;
	void *arg;
};

static int each_version(struct mg_dec *d, const cJSON *item, void *arg, struct mg_err *err)
{
	struct each_version *e = arg;
	struct mg_model_version mv = {0};
	int stop = 0;

	e->r->dec_version(d, item, &mv);
	if (!mg_dec_failed(d))
		stop = e->cb(e->arg, &mv, err);
	mg_model_version_release(&mv);
	return stop;
}

int mg_rest_search_versions(struct mg_registry *reg, const struct mg_version_query *qry,
                            mg_version_cb *cb, void *arg, struct mg_err *err)
{
	struct each_version e = {REST(reg), cb, arg};
	char page_size[16];
	const char *q[] = {"filter",      qry->filter,  "max_results", page_size, "order_by",
	                   qry->order_by, "page_token", NULL,          NULL};

	snprintf(page_size, sizeof(page_size), "%d", qry->page_size ? qry->page_size : 1000);
	return mg_rest_paginate(reg, "/model-versions/search", q, MG_ARRAY_SIZE(q),
	                        "model_versions", each_version, &e, err);
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
int mg_rest_versions_of(struct mg_registry *reg, const char *name, mg_version_cb *cb, void *arg,
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
	ret = mg_rest_search_versions(reg, &q, cb, arg, err);
	mg_buf_release(&filter);
	return ret;
}

/* MLflow's search has no stage filter: search the model's versions, keep the stage's. */
static int rest_versions_in_stage(struct mg_registry *reg, const char *name, const char *stage,
                                  mg_version_cb *cb, void *arg, struct mg_err *err)
{
	struct stage_filter f = {stage, cb, arg};

	return mg_rest_versions_of(reg, name, stage_filter_cb, &f, err);
}

/* GET /logged-models/{model_id}: the model and every value logged to it. */
int mg_rest_write(struct mg_registry *reg, const char *method, const char *path, cJSON *body,
                  struct mg_err *err)
{
	cJSON *doc = NULL;
	int ret = mg_rest_call(reg, method, path, NULL, body, &doc, err);

	cJSON_Delete(doc);
	cJSON_Delete(body);
	return ret;
}

cJSON *mg_rest_name_version(const char *name, const char *version)
{
	cJSON *b = cJSON_CreateObject();

	cJSON_AddStringToObject(b, "name", name);
	cJSON_AddStringToObject(b, "version", version);
	return b;
}

static int rest_set_version_tag(struct mg_registry *reg, const char *name, const char *version,
                                const char *key, const char *value, struct mg_err *err)
{
	cJSON *b = mg_rest_name_version(name, version);

	cJSON_AddStringToObject(b, "key", key);
	cJSON_AddStringToObject(b, "value", value);
	return mg_rest_write(reg, "POST", "/model-versions/set-tag", b, err);
}

static int rest_delete_version_tag(struct mg_registry *reg, const char *name, const char *version,
                                   const char *key, struct mg_err *err)
{
	cJSON *b = mg_rest_name_version(name, version);

	cJSON_AddStringToObject(b, "key", key);
	return mg_rest_write(reg, "DELETE", "/model-versions/delete-tag", b, err);
}

static int rest_update_version_description(struct mg_registry *reg, const char *name,
                                           const char *version, const char *description,
                                           struct mg_err *err)
{
	cJSON *b = mg_rest_name_version(name, version);

	cJSON_AddStringToObject(b, "description", description);
	return mg_rest_write(reg, "PATCH", "/model-versions/update", b, err);
}

static int rest_transition_stage(struct mg_registry *reg, const char *name, const char *version,
                                 const char *stage, bool archive_existing, struct mg_err *err)
{
	cJSON *b = mg_rest_name_version(name, version);

	cJSON_AddStringToObject(b, "stage", stage);
	cJSON_AddBoolToObject(b, "archive_existing_versions", archive_existing);
	return mg_rest_write(reg, "POST", "/model-versions/transition-stage", b, err);
}

static int rest_set_alias(struct mg_registry *reg, const char *name, const char *alias,
                          const char *version, struct mg_err *err)
{
	cJSON *b = mg_rest_name_version(name, version);

	cJSON_AddStringToObject(b, "alias", alias);
	return mg_rest_write(reg, "POST", "/registered-models/alias", b, err);
}

static int rest_delete_alias(struct mg_registry *reg, const char *name, const char *alias,
                             struct mg_err *err)
{
	cJSON *b = cJSON_CreateObject();

	cJSON_AddStringToObject(b, "name", name);
	cJSON_AddStringToObject(b, "alias", alias);
	return mg_rest_write(reg, "DELETE", "/registered-models/alias", b, err);
}

/* --- opening ------------------------------------------------------------- */

static void rest_close(struct mg_registry *reg)
{
	struct rest *r = REST(reg);

	if (!r)
		return;
	if (r->flavour_free)
		r->flavour_free(r->flavour);
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
		if (mg_rest_versions_of(reg, m->name, holders_cb, &h, err))
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

/* The stage write of a move on MLflow: its plain transition. */
static int rest_stage_write(struct mg_registry *reg, const struct mg_registry_move *m,
                            struct mg_err *err)
{
	return rest_transition_stage(reg, m->name, m->version, m->stage, m->archive_existing, err);
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
	if (!m->any_holders && (m->expected ? n != 1 || strcmp(held.buf, m->expected) : n != 0)) {
		mg_err_setr(err, MG_EXIT_USAGE, MG_REASON_CONFLICT,
		            "%s '%s' of model '%.200s' is held by %s%s, expected %s%s", what,
		            target, m->name, n ? "version " : "", n ? held.buf : "no version",
		            m->expected ? "version " : "", m->expected ? m->expected : "none");
		goto done;
	}
	drop = !m->stage && m->drop_alias && mg_kvlist_get(&mv.aliases, m->drop_alias);
	if (m->stage ? REST(reg)->stage_write(reg, m, err)
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
        .features = MG_REGISTRY_STAGES | MG_REGISTRY_ALIASES,
        .close = rest_close,
        .get_model = rest_get_model,
        .get_version = rest_get_version,
        .get_version_by_alias = rest_get_version_by_alias,
        .versions_in_stage = rest_versions_in_stage,
        .search_versions = mg_rest_search_versions,
        .set_version_tag = rest_set_version_tag,
        .delete_version_tag = rest_delete_version_tag,
        .update_version_description = rest_update_version_description,
        .transition_stage = rest_transition_stage,
        .set_alias = rest_set_alias,
        .delete_alias = rest_delete_alias,
        .move_if = rest_move_if,
};

/* Authorization from the environment: Basic (user + password) before Bearer (token). */
static int add_auth(struct mg_registry *reg, struct mg_http *http, struct mg_err *err)
{
	const char *user = getenv("MLFLOW_TRACKING_USERNAME");
	const char *pass = getenv("MLFLOW_TRACKING_PASSWORD");
	const char *token = getenv("MLFLOW_TRACKING_TOKEN");
	struct mg_buf b = MG_BUF_INIT(MG_BUF_SMALL);

	user = user && *user ? user : NULL;
	pass = pass && *pass ? pass : NULL;
	token = token && *token ? token : NULL;
	if ((user != NULL) != (pass != NULL))
		return mg_err_set(err, MG_EXIT_USAGE,
		                  "MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD must be "
		                  "set together (only %s is set)",
		                  user ? "the username" : "the password");
	if (user) {
		mg_buf_adds(&b, "Authorization: ");
		mg_http_basic(&b, user, pass);
		/* the encoded form is as secret as the password */
		mg_secrets_add(&reg->ctx->secrets, b.buf + strlen("Authorization: Basic "));
	} else if (token) {
		mg_buf_addf(&b, "Authorization: Bearer %s", token);
		mg_secrets_add(&reg->ctx->secrets, token);
	}
	if (b.len)
		mg_http_add_header(http, b.buf);
	mg_buf_release(&b);
	return 0;
}

int mg_rest_init(struct mg_registry *reg, const char *base, struct mg_err *err)
{
	struct mg_http_config cfg;
	struct rest *r;
	struct mg_buf api = MG_BUF_INIT(MG_BUF_SMALL);
	size_t len = strlen(base);

	if (mg_http_config_from_env(&cfg, err))
		return -1;
	while (len && base[len - 1] == '/')
		len--;
	mg_buf_add(&api, base, len);
	mg_buf_adds(&api, "/api/2.0/mlflow");
	r = mg_xcalloc(1, sizeof(*r));
	r->ops = rest_ops;
	mg_rest_tracking_ops(&r->ops);
	r->ops.log_artifact = mg_rest_log_artifact;
	r->api = mg_buf_take(&api, NULL);
	r->http = mg_http_new(&cfg, &reg->ctx->log);
	r->models = "";
	r->dec_version = mg_dec_version;
	r->stage_write = rest_stage_write;
	reg->impl = r;
	reg->ops = &r->ops;
	return 0;
}

int mg_registry_rest_open(struct mg_registry *reg, const char *uri, struct mg_err *err)
{
	const char *host = strstr(uri, "://") + 3, *slash = strchr(host, '/');
	const char *ws = getenv("MLFLOW_WORKSPACE");

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
	if (mg_rest_init(reg, uri, err) || add_auth(reg, REST(reg)->http, err))
		return -1;
	if (ws && *ws) {
		struct mg_buf h = MG_BUF_INIT(MG_BUF_SMALL);

		mg_buf_addf(&h, "X-MLFLOW-WORKSPACE: %s", ws);
		mg_http_add_header(REST(reg)->http, h.buf);
		mg_buf_release(&h);
	}
	return 0;
}
