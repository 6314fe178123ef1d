/*
 * The Databricks backends: MLflow's REST endpoints as Databricks serves
 * them (the REST backend's code, rest.h), with Databricks authentication
 * (dbauth.h) and what only Databricks has.
 *
 *   databricks[://PROFILE]     the workspace model registry: stages,
 *                              transition requests, comments; no aliases
 *   databricks-uc[://PROFILE]  models in Unity Catalog: catalog.schema.model
 *                              names, aliases, no stages; the endpoints
 *                              MLflow's own databricks-uc client speaks
 *                              (/api/2.0/mlflow/unity-catalog/...)
 *
 * Run metrics come from the workspace's tracking server in both cases.
 * A token refused with 401 is refreshed once (OAuth M2M) and the request
 * sent again; a second refusal, and any 403, is MG_EXIT_INFRA with
 * Databricks' own error code and message (PERMISSION_DENIED names the
 * permission).
 */
#include "setup.h"
#include "rest.h"
#include "alloc.h"
#include "dbauth.h"

static void databricks_free(void *auth)
{
	mg_dbauth_free(auth);
}

static int db_authorize(struct mg_registry *reg, bool refresh, struct mg_buf *header,
                        struct mg_err *err)
{
	struct rest *r = REST(reg);
	struct mg_dbauth *auth = r->flavour;
	struct mg_buf value = MG_BUF_INIT(MG_BUF_SMALL);
	int ret = -1;

	if (refresh && !mg_dbauth_refreshable(auth))
		return 1; /* a personal access token cannot be renewed */
	if (!mg_dbauth_header(auth, r->http, refresh, &value, err)) {
		mg_buf_addf(header, "Authorization: %s", value.buf);
		ret = 0;
	}
	mg_buf_release(&value);
	return ret;
}

/* --- transition requests and comments (workspace registry) ------------------------ */

struct each_request {
	mg_request_cb *cb;
	void *arg;
};

static int each_request(struct mg_dec *d, const cJSON *item, void *arg, struct mg_err *err)
{
	struct each_request *e = arg;
	struct mg_transition_request req = {0};
	const char *canon;
	int stop = 0;

	req.to_stage = mg_dec_str(d, item, "to_stage", MG_REQUIRED);
	req.user_id = mg_dec_str(d, item, "user_id", MG_OPTIONAL);
	req.comment = mg_dec_str(d, item, "comment", MG_OPTIONAL);
	req.creation_timestamp = mg_dec_i64(d, item, "creation_timestamp", MG_OPTIONAL);
	canon = mg_dec_failed(d) ? NULL : mg_stage_canonical(req.to_stage);
	if (!mg_dec_failed(d) && !canon) {
		stop = mg_err_set(err, MG_EXIT_INFRA,
		                  "registry answered a transition request to '%.64s', which is "
		                  "not a stage",
		                  req.to_stage);
	} else if (canon) {
		free(req.to_stage);
		req.to_stage = mg_xstrdup(canon);
		stop = e->cb(e->arg, &req, err);
	}
	mg_transition_request_release(&req);
	return stop;
}

static int db_transition_requests(struct mg_registry *reg, const char *name, const char *version,
                                  mg_request_cb *cb, void *arg, struct mg_err *err)
{
	const char *q[] = {"name", name, "version", version, NULL};
	struct each_request e = {cb, arg};
	cJSON *doc = NULL;
	const cJSON *items, *item;
	struct mg_dec d;
	char req[128];
	size_t mark;
	long i = 0;
	int stop = 0;

	/* one answer with every open request of the version: no pages */
	if (mg_rest_call(reg, "GET", "/transition-requests/list", q, NULL, &doc, err))
		return -1;
	mg_rest_dec_start(&d, req, sizeof(req), reg, "GET", "/transition-requests/list", err);
	items = mg_dec_array(&d, doc, "requests");
	mark = mg_dec_enter(&d, "requests", -1);
	cJSON_ArrayForEach(item, items)
	{
		size_t at;

		if (!mg_dec_is_object(&d, item, i))
			break;
		at = mg_dec_enter(&d, NULL, i++);
		stop = each_request(&d, item, &e, err);
		mg_dec_leave(&d, at);
		if (stop || mg_dec_failed(&d))
			break;
	}
	mg_dec_leave(&d, mark);
	cJSON_Delete(doc);
	return stop < 0 || mg_dec_failed(&d) ? -1 : 0;
}

static int db_reject_request(struct mg_registry *reg, const char *name, const char *version,
                             const char *stage, const char *comment, struct mg_err *err)
{
	cJSON *b = mg_rest_name_version(name, version);

	cJSON_AddStringToObject(b, "stage", stage);
	if (*comment)
		cJSON_AddStringToObject(b, "comment", comment);
	return mg_rest_write(reg, "POST", "/transition-requests/reject", b, err);
}

static int db_comment(struct mg_registry *reg, const char *name, const char *version,
                      const char *id, const char *text, char **id_out, struct mg_err *err)
{
	cJSON *b = id ? cJSON_CreateObject() : mg_rest_name_version(name, version), *doc = NULL;
	const char *path = id ? "/comments/update" : "/comments/create";
	struct mg_dec d;
	char req[64];

	if (id)
		cJSON_AddStringToObject(b, "id", id);
	cJSON_AddStringToObject(b, "comment", text);
	if (mg_rest_call(reg, id ? "PATCH" : "POST", path, NULL, b, &doc, err)) {
		cJSON_Delete(b);
		return -1;
	}
	cJSON_Delete(b);
	mg_rest_dec_start(&d, req, sizeof(req), reg, id ? "PATCH" : "POST", path, err);
	{
		const cJSON *c = mg_dec_object(&d, doc, "comment", MG_REQUIRED);
		size_t mark = mg_dec_enter(&d, "comment", -1);

		*id_out = c ? mg_dec_str(&d, c, "id", MG_REQUIRED) : NULL;
		mg_dec_leave(&d, mark);
	}
	cJSON_Delete(doc);
	if (!mg_dec_failed(&d))
		return 0;
	MG_FREE_AND_NULL(*id_out);
	return -1;
}

struct open_request {
	const char *stage;
	size_t n;
};

static int open_request_cb(void *arg, const struct mg_transition_request *r, struct mg_err *err)
{
	struct open_request *o = arg;

	(void)err;
	o->n += !strcmp(r->to_stage, o->stage);
	return 0;
}

/*
 * The stage write of a compare-and-set move: the approval of the open
 * request (none open: nothing written, a conflict), or Databricks'
 * transition, which takes a comment.
 */
static int db_stage_write(struct mg_registry *reg, const struct mg_registry_move *m,
                          struct mg_err *err)
{
	cJSON *b;

	if (m->approve_request) {
		struct open_request o = {m->stage, 0};

		if (db_transition_requests(reg, m->name, m->version, open_request_cb, &o, err))
			return -1;
		if (!o.n)
			return mg_err_setr(err, MG_EXIT_USAGE, MG_REASON_CONFLICT,
			                   "version %s of model '%.200s' has no open request to "
			                   "move to %s",
			                   m->version, m->name, m->stage);
	}
	b = mg_rest_name_version(m->name, m->version);
	cJSON_AddStringToObject(b, "stage", m->stage);
	cJSON_AddBoolToObject(b, "archive_existing_versions", m->archive_existing);
	if (m->comment && *m->comment)
		cJSON_AddStringToObject(b, "comment", m->comment);
	return mg_rest_write(reg, "POST",
	                     m->approve_request ? "/transition-requests/approve"
	                                        : "/databricks/model-versions/transition-stage",
	                     b, err);
}

/* --- Unity Catalog ------------------------------------------------------------------ */

static int uc_search_versions(struct mg_registry *reg, const struct mg_version_query *q,
                              mg_version_cb *cb, void *arg, struct mg_err *err)
{
	if (q->order_by && *q->order_by)
		return mg_err_setr(err, MG_EXIT_USAGE, MG_REASON_UNSUPPORTED,
		                   "registry '%s': Unity Catalog's model-version search has no "
		                   "order_by (asked: %.100s)",
		                   reg->uri, q->order_by);
	return mg_rest_search_versions(reg, q, cb, arg, err);
}

/* --- opening ------------------------------------------------------------------------- */

static const char no_aliases[] =
        "the Databricks workspace model registry has stages, not aliases; use "
        "--stage/--to-stage, or models in Unity Catalog (databricks-uc)";
static const char no_stages[] = "models in Unity Catalog have aliases, not stages; use "
                                "--alias/--to-alias (e.g. champion, challenger)";

/* "databricks" or "databricks-uc", then nothing or "://PROFILE"; *profile NULL when none. */
static int parse_uri(struct mg_registry *reg, const char *uri, bool *uc, char **profile,
                     struct mg_err *err)
{
	const char *rest;
	size_t n;

	*profile = NULL;
	*uc = !strncmp(uri, "databricks-uc", 13);
	rest = uri + (*uc ? 13 : 10);
	if (!*rest)
		return 0;
	if (strncmp(rest, "://", 3))
		return mg_err_set(err, MG_EXIT_USAGE,
		                  "registry '%s': expected databricks, databricks://PROFILE, "
		                  "databricks-uc or databricks-uc://PROFILE",
		                  reg->uri);
	rest += 3;
	n = strspn(rest, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-");
	if (!n || rest[n])
		return mg_err_set(err, MG_EXIT_USAGE,
		                  "registry '%s': the profile after :// must be a ~/.databrickscfg "
		                  "section name (letters, digits, '.', '_', '-')",
		                  reg->uri);
	*profile = mg_xstrdup(rest);
	return 0;
}

int mg_registry_databricks_open(struct mg_registry *reg, const char *uri, struct mg_err *err)
{
	struct mg_dbauth *auth = NULL;
	struct rest *r;
	char *profile = NULL;
	bool uc;
	int ret = -1;

	if (parse_uri(reg, uri, &uc, &profile, err) ||
	    mg_dbauth_open(reg->ctx, profile, &auth, err) ||
	    mg_rest_init(reg, mg_dbauth_host(auth), err))
		goto done;
	r = REST(reg);
	r->flavour = auth;
	r->flavour_free = databricks_free;
	auth = NULL;
	r->authorize = db_authorize;
	/* a Databricks run's artifacts are in DBFS or a volume: the gates link the page instead */
	r->ops.log_artifact = NULL;
	if (uc) {
		r->ops.name = "databricks-uc";
		r->ops.features = MG_REGISTRY_ALIASES;
		r->ops.no_stages = no_stages;
		r->ops.versions_in_stage = NULL;
		r->ops.transition_stage = NULL;
		r->ops.search_versions = uc_search_versions;
		r->models = "/unity-catalog";
		r->dec_version = mg_dec_uc_version;
	} else {
		r->ops.name = "databricks";
		r->ops.features = MG_REGISTRY_STAGES | MG_REGISTRY_REQUESTS | MG_REGISTRY_COMMENTS;
		r->ops.no_aliases = no_aliases;
		r->ops.get_version_by_alias = NULL;
		r->ops.set_alias = NULL;
		r->ops.delete_alias = NULL;
		r->ops.transition_requests = db_transition_requests;
		r->ops.reject_request = db_reject_request;
		r->ops.comment = db_comment;
		r->stage_write = db_stage_write;
	}
	ret = 0;
done:
	mg_dbauth_free(auth);
	free(profile);
	return ret;
}
