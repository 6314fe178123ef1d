#include "setup.h"
#include "registry.h"
#include "alloc.h"
#include "registry_backend.h"

#include <strings.h>

/* --- collections --------------------------------------------------------- */

char *mg_registry_strdup(const char *s)
{
	return mg_xstrdup(s ? s : "");
}

void mg_kvlist_set(struct mg_kvlist *l, const char *key, const char *value)
{
	for (size_t i = 0; i < l->n; i++) {
		if (!strcmp(l->items[i].key, key)) {
			free(l->items[i].value);
			l->items[i].value = mg_registry_strdup(value);
			return;
		}
	}
	if (l->n == l->alloc) {
		l->alloc = l->alloc ? l->alloc * 2 : 8;
		l->items = mg_xrealloc(l->items, mg_st_mult(l->alloc, sizeof(*l->items)));
	}
	l->items[l->n].key = mg_xstrdup(key);
	l->items[l->n].value = mg_registry_strdup(value);
	l->n++;
}

const char *mg_kvlist_get(const struct mg_kvlist *l, const char *key)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->items[i].key, key))
			return l->items[i].value;
	return NULL;
}

void mg_kvlist_release(struct mg_kvlist *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->items[i].key);
		free(l->items[i].value);
	}
	free(l->items);
	*l = (struct mg_kvlist)MG_KVLIST_INIT;
}

static int kv_cmp(const void *a, const void *b)
{
	return strcmp(((const struct mg_kv *)a)->key, ((const struct mg_kv *)b)->key);
}

void mg_kvlist_sort(struct mg_kvlist *l)
{
	if (l->n > 1)
		qsort(l->items, l->n, sizeof(*l->items), kv_cmp);
}

static int metric_cmp(const void *a, const void *b)
{
	return strcmp(((const struct mg_metric *)a)->key, ((const struct mg_metric *)b)->key);
}

void mg_metriclist_sort(struct mg_metriclist *l)
{
	if (l->n > 1)
		qsort(l->items, l->n, sizeof(*l->items), metric_cmp);
}

void mg_metriclist_add(struct mg_metriclist *l, const char *key, double value, int64_t timestamp,
                       int64_t step)
{
	if (l->n == l->alloc) {
		l->alloc = l->alloc ? l->alloc * 2 : 8;
		l->items = mg_xrealloc(l->items, mg_st_mult(l->alloc, sizeof(*l->items)));
	}
	l->items[l->n].key = mg_xstrdup(key);
	l->items[l->n].value = value;
	l->items[l->n].timestamp = timestamp;
	l->items[l->n].step = step;
	l->n++;
}

const struct mg_metric *mg_metriclist_get(const struct mg_metriclist *l, const char *key)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->items[i].key, key))
			return &l->items[i];
	return NULL;
}

void mg_metriclist_release(struct mg_metriclist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->items[i].key);
	free(l->items);
	*l = (struct mg_metriclist)MG_METRICLIST_INIT;
}

void mg_model_version_release(struct mg_model_version *mv)
{
	char **strings[] = {&mv->name,           &mv->version, &mv->current_stage, &mv->description,
	                    &mv->source,         &mv->run_id,  &mv->run_link,      &mv->status,
	                    &mv->status_message, &mv->user_id, &mv->model_id};

	for (size_t i = 0; i < MG_ARRAY_SIZE(strings); i++)
		MG_FREE_AND_NULL(*strings[i]);
	mg_kvlist_release(&mv->tags);
	mg_kvlist_release(&mv->aliases);
	mv->creation_timestamp = mv->last_updated_timestamp = 0;
}

void mg_logged_model_add_metric(struct mg_logged_model *lm, const char *key, double value,
                                int64_t timestamp, int64_t step, const char *run_id,
                                const char *dataset)
{
	struct mg_model_metric *m;

	if (lm->nmetrics == lm->alloc) {
		lm->alloc = lm->alloc ? lm->alloc * 2 : 8;
		lm->metrics = mg_xrealloc(lm->metrics, mg_st_mult(lm->alloc, sizeof(*lm->metrics)));
	}
	m = &lm->metrics[lm->nmetrics++];
	m->key = mg_registry_strdup(key);
	m->value = value;
	m->timestamp = timestamp;
	m->step = step;
	m->run_id = mg_registry_strdup(run_id);
	m->dataset = mg_registry_strdup(dataset);
}

void mg_logged_model_release(struct mg_logged_model *lm)
{
	for (size_t i = 0; i < lm->nmetrics; i++) {
		free(lm->metrics[i].key);
		free(lm->metrics[i].run_id);
		free(lm->metrics[i].dataset);
	}
	free(lm->metrics);
	free(lm->model_id);
	free(lm->name);
	free(lm->experiment_id);
	free(lm->source_run_id);
	*lm = (struct mg_logged_model){0};
}

const char *mg_model_version_logged_model(const struct mg_model_version *mv)
{
	static const char prefix[] = "models:/";
	const char *id;

	if (mv->model_id && *mv->model_id)
		return mv->model_id;
	if (!mv->source || strncmp(mv->source, prefix, sizeof(prefix) - 1))
		return NULL;
	/* models:/m-<hex> names a LoggedModel; models:/NAME/VERSION a registry version */
	id = mv->source + sizeof(prefix) - 1;
	return !strncmp(id, "m-", 2) && id[2] && !strchr(id, '/') ? id : NULL;
}

void mg_registered_model_release(struct mg_registered_model *rm)
{
	MG_FREE_AND_NULL(rm->name);
	MG_FREE_AND_NULL(rm->description);
	mg_kvlist_release(&rm->tags);
	mg_kvlist_release(&rm->aliases);
	rm->creation_timestamp = rm->last_updated_timestamp = 0;
}

void mg_run_release(struct mg_run *run)
{
	char **strings[] = {&run->run_id, &run->run_name,        &run->experiment_id, &run->user_id,
	                    &run->status, &run->lifecycle_stage, &run->artifact_uri};

	for (size_t i = 0; i < MG_ARRAY_SIZE(strings); i++)
		MG_FREE_AND_NULL(*strings[i]);
	mg_metriclist_release(&run->metrics);
	mg_kvlist_release(&run->params);
	mg_kvlist_release(&run->tags);
	run->start_time = run->end_time = 0;
}

/* --- names and numbers --------------------------------------------------- */

const char *mg_stage_canonical(const char *stage)
{
	static const char *const stages[] = {"None", "Staging", "Production", "Archived"};

	for (size_t i = 0; i < MG_ARRAY_SIZE(stages); i++)
		if (!strcasecmp(stage, stages[i]))
			return stages[i];
	return NULL;
}

/* `stage` in MLflow's spelling (any case) into *canon, else exit 2 naming it. */
static int valid_stage(const char *stage, const char **canon, struct mg_err *err)
{
	*canon = mg_stage_canonical(stage);
	if (!*canon)
		return mg_err_set(err, MG_EXIT_USAGE,
		                  "invalid stage '%.64s': expected None, Staging, Production or "
		                  "Archived",
		                  stage);
	return 0;
}

int mg_version_check(const char *version, struct mg_err *err)
{
	long long v = 0;
	const char *p = version;

	if (!*p || *p == '0')
		goto bad;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			goto bad;
		v = v * 10 + (*p - '0');
		if (v > INT32_MAX)
			goto bad;
	}
	return 0;
bad:
	return mg_err_set(err, MG_EXIT_USAGE,
	                  "invalid model version '%.64s': expected a number from 1 to %d", version,
	                  INT32_MAX);
}

/* --- opening ------------------------------------------------------------- */

void mg_registry_resolve_uri(const char *flag, struct mg_buf *out)
{
	static const char *const env[] = {"MLFLOW_REGISTRY_URI", "MLFLOW_TRACKING_URI"};
	const char *uri = flag && *flag ? flag : NULL;

	for (size_t i = 0; !uri && i < MG_ARRAY_SIZE(env); i++) {
		const char *v = getenv(env[i]);

		if (v && *v)
			uri = v;
	}
	mg_buf_adds(out, uri ? uri : "sqlite:///mlflow.db");
}

/* `uri` with any user:password@ removed, for messages and evidence. */
static char *display_uri(const char *uri)
{
	struct mg_buf b = MG_BUF_INIT(MG_BUF_SMALL);
	const char *scheme_end = strstr(uri, "://"), *host, *at, *slash;

	if (!scheme_end) {
		mg_buf_adds(&b, uri);
		return mg_buf_take(&b, NULL);
	}
	host = scheme_end + 3;
	slash = strchr(host, '/');
	at = memchr(host, '@', slash ? (size_t)(slash - host) : strlen(host));
	mg_buf_add(&b, uri, (size_t)(host - uri));
	mg_buf_adds(&b, at ? at + 1 : host);
	return mg_buf_take(&b, NULL);
}

static bool has_prefix(const char *s, const char *prefix)
{
	return !strncasecmp(s, prefix, strlen(prefix));
}

int mg_registry_open(struct mg_ctx *ctx, const char *uri, struct mg_registry **out,
                     struct mg_err *err)
{
	struct mg_registry *reg = mg_xcalloc(1, sizeof(*reg));
	const char *ws = getenv("MLFLOW_WORKSPACE");
	int ret;

	*out = NULL;
	reg->ctx = ctx;
	reg->uri = display_uri(uri);
	reg->workspace = mg_xstrdup(ws && *ws ? ws : "default");
	if (has_prefix(uri, "http://") || has_prefix(uri, "https://")) {
		ret = mg_registry_rest_open(reg, uri, err);
	} else if (has_prefix(uri, "sqlite://")) {
		ret = mg_registry_sqlite_open(reg, uri, err);
	} else if (has_prefix(uri, "databricks")) {
		ret = mg_registry_databricks_open(reg, uri, err);
	} else {
		ret = mg_err_set(err, MG_EXIT_USAGE,
		                 "registry '%s': unknown scheme (expected http://, https://, "
		                 "sqlite:/// or databricks)",
		                 reg->uri);
	}
	if (ret) {
		mg_registry_close(reg);
		return -1;
	}
	*out = reg;
	return 0;
}

void mg_registry_close(struct mg_registry *reg)
{
	if (!reg)
		return;
	if (reg->ops && reg->ops->close)
		reg->ops->close(reg);
	free(reg->uri);
	free(reg->workspace);
	free(reg);
}

const char *mg_registry_uri(const struct mg_registry *reg)
{
	return reg->uri;
}

const char *mg_registry_backend(const struct mg_registry *reg)
{
	return reg->ops->name;
}

/* --- checked entry points ------------------------------------------------ */

static int unsupported(struct mg_registry *reg, const char *what, struct mg_err *err)
{
	const char *hint = NULL;

	if (strstr(what, "stage"))
		hint = reg->ops->no_stages;
	else if (strstr(what, "alias"))
		hint = reg->ops->no_aliases;
	return mg_err_setr(err, MG_EXIT_USAGE, MG_REASON_UNSUPPORTED,
	                   "registry '%s' (%s backend) does not support %s%s%s", reg->uri,
	                   reg->ops->name, what, hint ? ": " : "", hint ? hint : "");
}

static int need(const char *value, const char *what, struct mg_err *err)
{
	if (value && *value)
		return 0;
	return mg_err_set(err, MG_EXIT_USAGE, "missing %s", what);
}

#define CALL(reg, op, what, err, ...) \
	((reg)->ops->op ? (reg)->ops->op((reg), __VA_ARGS__) : unsupported((reg), (what), (err)))

int mg_registry_get_model(struct mg_registry *reg, const char *name,
                          struct mg_registered_model *out, struct mg_err *err)
{
	if (need(name, "model name", err))
		return -1;
	return CALL(reg, get_model, "reading registered models", err, name, out, err);
}

int mg_registry_get_version(struct mg_registry *reg, const char *name, const char *version,
                            struct mg_model_version *out, struct mg_err *err)
{
	if (need(name, "model name", err) || mg_version_check(version, err))
		return -1;
	return CALL(reg, get_version, "reading model versions", err, name, version, out, err);
}

int mg_registry_get_version_by_alias(struct mg_registry *reg, const char *name, const char *alias,
                                     struct mg_model_version *out, struct mg_err *err)
{
	if (need(name, "model name", err) || need(alias, "alias", err))
		return -1;
	return CALL(reg, get_version_by_alias, "aliases", err, name, alias, out, err);
}

int mg_registry_versions_in_stage(struct mg_registry *reg, const char *name, const char *stage,
                                  mg_version_cb *cb, void *arg, struct mg_err *err)
{
	const char *canon;

	if (need(name, "model name", err) || need(stage, "stage", err))
		return -1;
	if (valid_stage(stage, &canon, err))
		return -1;
	return CALL(reg, versions_in_stage, "stages", err, name, canon, cb, arg, err);
}

int mg_registry_search_versions(struct mg_registry *reg, const struct mg_version_query *q,
                                mg_version_cb *cb, void *arg, struct mg_err *err)
{
	if (q->page_size < 0 || q->page_size > 200000)
		return mg_err_set(err, MG_EXIT_USAGE, "invalid page size %d: expected 1..200000",
		                  q->page_size);
	return CALL(reg, search_versions, "searching model versions", err, q, cb, arg, err);
}

int mg_registry_get_run(struct mg_registry *reg, const char *run_id, struct mg_run *out,
                        struct mg_err *err)
{
	if (need(run_id, "run id", err))
		return -1;
	return CALL(reg, get_run, "reading runs", err, run_id, out, err);
}

int mg_registry_get_logged_model(struct mg_registry *reg, const char *model_id,
                                 struct mg_logged_model *out, struct mg_err *err)
{
	if (need(model_id, "logged model id", err))
		return -1;
	return CALL(reg, get_logged_model, "reading logged models", err, model_id, out, err);
}

int mg_registry_metric_history(struct mg_registry *reg, const char *run_id, const char *key,
                               mg_metric_cb *cb, void *arg, struct mg_err *err)
{
	if (need(run_id, "run id", err) || need(key, "metric name", err))
		return -1;
	return CALL(reg, metric_history, "metric histories", err, run_id, key, cb, arg, err);
}

int mg_registry_set_version_tag(struct mg_registry *reg, const char *name, const char *version,
                                const char *key, const char *value, struct mg_err *err)
{
	if (need(name, "model name", err) || mg_version_check(version, err) ||
	    need(key, "tag key", err))
		return -1;
	return CALL(reg, set_version_tag, "setting version tags", err, name, version, key,
	            value ? value : "", err);
}

int mg_registry_delete_version_tag(struct mg_registry *reg, const char *name, const char *version,
                                   const char *key, struct mg_err *err)
{
	if (need(name, "model name", err) || mg_version_check(version, err) ||
	    need(key, "tag key", err))
		return -1;
	return CALL(reg, delete_version_tag, "deleting version tags", err, name, version, key, err);
}

int mg_registry_update_version_description(struct mg_registry *reg, const char *name,
                                           const char *version, const char *description,
                                           struct mg_err *err)
{
	if (need(name, "model name", err) || mg_version_check(version, err))
		return -1;
	return CALL(reg, update_version_description, "updating descriptions", err, name, version,
	            description ? description : "", err);
}

int mg_registry_transition_stage(struct mg_registry *reg, const char *name, const char *version,
                                 const char *stage, bool archive_existing, struct mg_err *err)
{
	const char *canon;

	if (need(name, "model name", err) || mg_version_check(version, err) ||
	    need(stage, "stage", err))
		return -1;
	if (valid_stage(stage, &canon, err))
		return -1;
	if (archive_existing && strcmp(canon, "Staging") && strcmp(canon, "Production"))
		return mg_err_set(err, MG_EXIT_USAGE,
		                  "cannot archive existing versions when moving to '%s': only "
		                  "Staging and Production are active stages",
		                  canon);
	return CALL(reg, transition_stage, "stage transitions", err, name, version, canon,
	            archive_existing, err);
}

int mg_registry_set_alias(struct mg_registry *reg, const char *name, const char *alias,
                          const char *version, struct mg_err *err)
{
	if (need(name, "model name", err) || need(alias, "alias", err) ||
	    mg_version_check(version, err))
		return -1;
	return CALL(reg, set_alias, "aliases", err, name, alias, version, err);
}

int mg_registry_delete_alias(struct mg_registry *reg, const char *name, const char *alias,
                             struct mg_err *err)
{
	if (need(name, "model name", err) || need(alias, "alias", err))
		return -1;
	return CALL(reg, delete_alias, "aliases", err, name, alias, err);
}

static int move_if(struct mg_registry *reg, const struct mg_registry_move *m, struct mg_err *err)
{
	if (need(m->name, "model name", err) || mg_version_check(m->version, err) ||
	    (m->expected && mg_version_check(m->expected, err)))
		return -1;
	if (m->drop_alias && need(m->drop_alias, "alias", err))
		return -1;
	if (m->stage && !(reg->ops->features & MG_REGISTRY_STAGES))
		return unsupported(reg, "stage transitions", err);
	if (m->alias && !(reg->ops->features & MG_REGISTRY_ALIASES))
		return unsupported(reg, "aliases", err);
	if (m->approve_request && !(m->stage && (reg->ops->features & MG_REGISTRY_REQUESTS)))
		return unsupported(reg, m->stage ? "transition requests" : "approving alias moves",
		                   err);
	if (m->any_holders && !(m->stage && (reg->ops->features & MG_REGISTRY_REQUESTS)))
		return unsupported(reg, "moves without a compare", err);
	if (m->comment && !(reg->ops->features & MG_REGISTRY_COMMENTS))
		return unsupported(reg, "comments", err);
	return CALL(reg, move_if, m->stage ? "stage transitions" : "aliases", err, m, err);
}

int mg_registry_move_if(struct mg_registry *reg, const struct mg_registry_move *m,
                        struct mg_err *err)
{
	struct mg_registry_move c = *m;

	if (m->stage && m->alias)
		return mg_err_set(err, MG_EXIT_USAGE, "a move names a stage or an alias, not both");
	if (m->stage) {
		c.stage = mg_stage_canonical(m->stage);
		if (!c.stage)
			return mg_err_set(err, MG_EXIT_USAGE,
			                  "invalid stage '%.64s': expected None, Staging, "
			                  "Production or Archived",
			                  m->stage);
		if (c.archive_existing && strcmp(c.stage, "Staging") &&
		    strcmp(c.stage, "Production"))
			return mg_err_set(err, MG_EXIT_USAGE,
			                  "cannot archive existing versions when moving to '%s': "
			                  "only Staging and Production are active stages",
			                  c.stage);
	} else if (need(m->alias, "alias", err)) {
		return -1;
	}
	return move_if(reg, &c, err);
}

int mg_registry_transition_stage_if(struct mg_registry *reg, const char *name, const char *version,
                                    const char *stage, bool archive_existing, const char *expected,
                                    struct mg_err *err)
{
	struct mg_registry_move m = {.name = name,
	                             .version = version,
	                             .stage = stage,
	                             .archive_existing = archive_existing,
	                             .expected = expected};

	if (need(stage, "stage", err))
		return -1;
	return mg_registry_move_if(reg, &m, err);
}

int mg_registry_set_alias_if(struct mg_registry *reg, const char *name, const char *alias,
                             const char *version, const char *expected, const char *drop_alias,
                             struct mg_err *err)
{
	struct mg_registry_move m = {.name = name,
	                             .version = version,
	                             .alias = alias,
	                             .expected = expected,
	                             .drop_alias = drop_alias};

	if (need(alias, "alias", err))
		return -1;
	return mg_registry_move_if(reg, &m, err);
}

unsigned mg_registry_features(const struct mg_registry *reg)
{
	return reg->ops->features;
}

int mg_registry_require(struct mg_registry *reg, unsigned features, struct mg_err *err)
{
	unsigned missing = features & ~reg->ops->features;

	if (missing & MG_REGISTRY_STAGES)
		return unsupported(reg, "stages", err);
	if (missing & MG_REGISTRY_ALIASES)
		return unsupported(reg, "aliases", err);
	if (missing & MG_REGISTRY_REQUESTS)
		return unsupported(reg, "transition requests", err);
	if (missing & MG_REGISTRY_COMMENTS)
		return unsupported(reg, "comments", err);
	return 0;
}

void mg_transition_request_release(struct mg_transition_request *r)
{
	MG_FREE_AND_NULL(r->to_stage);
	MG_FREE_AND_NULL(r->user_id);
	MG_FREE_AND_NULL(r->comment);
	r->creation_timestamp = 0;
}

int mg_registry_transition_requests(struct mg_registry *reg, const char *name, const char *version,
                                    mg_request_cb *cb, void *arg, struct mg_err *err)
{
	if (need(name, "model name", err) || mg_version_check(version, err))
		return -1;
	return CALL(reg, transition_requests, "transition requests", err, name, version, cb, arg,
	            err);
}

int mg_registry_reject_request(struct mg_registry *reg, const char *name, const char *version,
                               const char *stage, const char *comment, struct mg_err *err)
{
	const char *canon;

	if (need(name, "model name", err) || mg_version_check(version, err) ||
	    need(stage, "stage", err))
		return -1;
	if (valid_stage(stage, &canon, err))
		return -1;
	return CALL(reg, reject_request, "transition requests", err, name, version, canon,
	            comment ? comment : "", err);
}

int mg_registry_comment(struct mg_registry *reg, const char *name, const char *version,
                        const char *id, const char *text, char **id_out, struct mg_err *err)
{
	*id_out = NULL;
	if (need(name, "model name", err) || mg_version_check(version, err) ||
	    need(text, "comment text", err))
		return -1;
	return CALL(reg, comment, "comments", err, name, version, id && *id ? id : NULL, text,
	            id_out, err);
}

int mg_registry_experiment_id(struct mg_registry *reg, const char *name, bool create, char **id_out,
                              struct mg_err *err)
{
	if (need(name, "experiment name", err))
		return -1;
	return CALL(reg, experiment_id, "experiments", err, name, create, id_out, err);
}

int mg_registry_create_run(struct mg_registry *reg, const char *experiment_id, const char *run_name,
                           const struct mg_kvlist *tags, char **run_id_out, struct mg_err *err)
{
	if (need(experiment_id, "experiment id", err))
		return -1;
	return CALL(reg, create_run, "creating runs", err, experiment_id, run_name, tags,
	            run_id_out, err);
}

int mg_registry_log_batch(struct mg_registry *reg, const char *run_id,
                          const struct mg_kvlist *params, const struct mg_metriclist *metrics,
                          const struct mg_kvlist *tags, struct mg_err *err)
{
	if (need(run_id, "run id", err))
		return -1;
	return CALL(reg, log_batch, "logging to runs", err, run_id, params, metrics, tags, err);
}

int mg_registry_end_run(struct mg_registry *reg, const char *run_id, const char *status,
                        struct mg_err *err)
{
	if (need(run_id, "run id", err))
		return -1;
	if (strcmp(status, "FINISHED") && strcmp(status, "FAILED") && strcmp(status, "KILLED"))
		return mg_err_set(err, MG_EXIT_USAGE,
		                  "invalid run status '%.32s': expected FINISHED, FAILED or KILLED",
		                  status);
	return CALL(reg, end_run, "ending runs", err, run_id, status, err);
}
