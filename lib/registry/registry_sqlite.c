/*
 * The SQLite registry backend: MLflow's own SQLite store (the default
 * tracking and registry store since MLflow 3.7), read and written directly
 * with libsqlite3 on MLflow's schema.
 *
 * Every write mirrors what MLflow's SQLAlchemy stores do for the same call
 * (mlflow/store/model_registry/sqlalchemy_store.py and
 * mlflow/store/tracking/sqlalchemy_store.py of MLflow 3.17.2), in one
 * BEGIN IMMEDIATE transaction; every read fills the structs as MLflow's REST
 * API returns the same rows. The file is never created: a registry is made
 * by MLflow (its first client call or `mlflow server` creates the schema).
 *
 * The backend in files, as git splits its ref backends:
 *   sqlite_db.c        the connection, statements, transactions, strict
 *                      column reads, schema and integrity checks
 *   mlflow_rules.c     MLflow's validation rules (pure)
 *   sqlite_query.c     a version search as SQL, and its keyset cursor
 *   sqlite_tracking.c  runs, metrics, LoggedModels, experiments
 *   this file          opening, model and version reads and writes, moves
 */
#include "setup.h"
#include "registry_backend.h"
#include "alloc.h"
#include "buf.h"
#include "mlflow_rules.h"
#include "mvfilter.h"
#include "sqlite_db.h"
#include "sqlite_query.h"
#include "sqlite_tracking.h"

#include <strings.h>

#define DEFAULT_PAGE_SIZE 1000

static int64_t version_number(const char *version)
{
	/* registry.c has checked it: 1..INT32_MAX, digits only */
	return strtoll(version, NULL, 10);
}

/*
 * Rows of model `name` that queries by name, version, stage or alias would
 * not see, because a key column holds another storage class than MLflow
 * writes (a blob name or stage, a text version): a Production version
 * hidden that way must be an error, not "no production model". Looked for
 * once per model and connection, through the tables' indexes.
 */
#define HIDDEN(table, cond)                                                             \
	" UNION ALL SELECT '" table "', CASE WHEN typeof(version) != 'integer' THEN "   \
	"'version' ELSE '" cond "' END FROM " table " WHERE workspace = ?1 AND name = " \
	"?2 AND (typeof(version) != 'integer' OR typeof(" cond ") != 'text')"
#define BLOB_KEYS(table)                                                                        \
	" UNION ALL SELECT '" table "', 'name' FROM " table " WHERE workspace = ?1 AND name = " \
	"CAST(?2 AS BLOB) UNION ALL SELECT '" table "', 'workspace' FROM " table                \
	" WHERE workspace = CAST(?1 AS BLOB) AND name IN (?2, CAST(?2 AS BLOB))"

static int check_model_rows(struct mg_registry *reg, const char *name, struct mg_err *err)
{
	struct sq *sq = sq_of(reg);
	sqlite3_stmt *st = NULL;
	int rc;

	if (sq->clean_model && !strcmp(sq->clean_model, name))
		return 0;
	if (sq_query(sq, &st, err,
	             "SELECT 'model_versions', 'current_stage' WHERE 0" HIDDEN(
	                     "model_versions", "current_stage") HIDDEN("model_version_tags", "key")
	                     HIDDEN("registered_model_aliases", "alias") BLOB_KEYS("model_versions")
	                             BLOB_KEYS("model_version_tags")
	                                     BLOB_KEYS("registered_model_aliases")
	                                             BLOB_KEYS("registered_models") " LIMIT 1",
	             "tt", reg->workspace, name))
		return -1;
	rc = sq_step(sq, st, "checking the model's rows", err);
	if (rc == 1)
		mg_err_set(err, MG_EXIT_INFRA,
		           "registry database '%s': %s.%s: a row of model '%.200s' holds a value "
		           "of another type than MLflow writes, which its queries would not see: "
		           "refusing to read the model",
		           sq->path, (const char *)sqlite3_column_text(st, 0),
		           (const char *)sqlite3_column_text(st, 1), name);
	sq_finish(sq, st);
	if (rc)
		return -1;
	free(sq->clean_model);
	sq->clean_model = mg_xstrdup(name);
	return 0;
}

#undef HIDDEN
#undef BLOB_KEYS

/* MLflow's checks of a model name, and the model's rows well typed. */
static int check_name(struct mg_registry *reg, const char *name, struct mg_err *err)
{
	return mlflow_check_model_name(name, err) || check_model_rows(reg, name, err) ? -1 : 0;
}

/* --- reading versions ------------------------------------------------------- */

/*
 * A model_versions row (MV_COLUMNS) as MLflow's REST API returns it; no tags
 * yet. Strict: the columns MLflow always fills (its REST answer always has
 * them: name, version, creation_timestamp, current_stage) must be there, and
 * every column of its type. *has_updated: last_updated_time is not NULL.
 */
static int row_to_version(struct sq *sq, sqlite3_stmt *st, struct mg_model_version *mv,
                          bool *has_updated, struct mg_err *err)
{
	struct sq_row r = SQ_ROW(sq, st, "model_versions", err);
	char num[24];

	mg_model_version_release(mv);
	snprintf(num, sizeof(num), "%lld", (long long)sq_int(&r, 1, SQ_REQUIRED));
	mv->name = sq_text(&r, 0, SQ_REQUIRED);
	mv->version = mg_xstrdup(num);
	mv->creation_timestamp = sq_int(&r, 2, SQ_REQUIRED);
	*has_updated = sqlite3_column_type(st, 3) != SQLITE_NULL;
	mv->last_updated_timestamp = sq_int(&r, 3, SQ_OPTIONAL);
	mv->description = sq_text(&r, 4, SQ_OPTIONAL);
	mv->user_id = sq_text(&r, 5, SQ_OPTIONAL);
	mv->current_stage = sq_text(&r, 6, SQ_REQUIRED);
	mv->source = sq_text(&r, 7, SQ_OPTIONAL);
	mv->run_id = sq_text(&r, 8, SQ_OPTIONAL);
	mv->status = sq_text(&r, 9, SQ_OPTIONAL);
	mv->status_message = sq_text(&r, 10, SQ_OPTIONAL);
	mv->run_link = sq_text(&r, 11, SQ_OPTIONAL);
	/* the SQL store does not keep a LoggedModel id (SqlModelVersion has none) */
	mv->model_id = mg_xstrdup("");
	if (r.failed)
		mg_model_version_release(mv);
	return r.failed ? -1 : 0;
}

/* Every (name TEXT, version INTEGER) row of a cached alias statement into `out`. */
static int read_aliases(struct sq *sq, sqlite3_stmt *st, struct mg_kvlist *out, struct mg_err *err)
{
	struct sq_row r = SQ_ROW(sq, st, "registered_model_aliases", err);
	int rc;

	while ((rc = sq_step(sq, st, "reading aliases", err)) == 1) {
		const char *alias = sq_text_ref(&r, 0, SQ_REQUIRED);
		char num[24];

		snprintf(num, sizeof(num), "%lld", (long long)sq_int(&r, 1, SQ_REQUIRED));
		if (r.failed)
			return -1;
		mg_kvlist_set(out, alias, num);
	}
	return rc;
}

/*
 * A version's tags (key order) and, with `aliases`, its aliases (alias
 * order). MLflow's search does not fill aliases ("may not have aliases
 * populated for performance reasons"), its other reads do.
 */
static int load_extras(struct mg_registry *reg, struct mg_model_version *mv, bool aliases,
                       struct mg_err *err)
{
	struct sq *sq = sq_of(reg);
	int64_t v = version_number(mv->version);
	struct sq_row tags = SQ_ROW(sq, NULL, "model_version_tags", err);
	sqlite3_stmt *st_tags = NULL, *st_aliases = NULL;
	int rc, ret = -1;

	/*
	 * "ORDER BY key || ''": without it SQLite walks the (workspace, key, ...)
	 * primary key for its order, through every tag of the workspace, instead
	 * of sorting the few rows the (workspace, name, version) index finds. The
	 * run queries below do the same for their (key, run_uuid) keys.
	 */
	if (sq_prepare(
	            sq,
	            "SELECT key, value FROM model_version_tags WHERE workspace = ?1 AND name = ?2 "
	            "AND version = ?3 ORDER BY key || ''",
	            &st_tags, err))
		return -1;
	mg_kvlist_release(&mv->tags);
	mg_kvlist_release(&mv->aliases);
	tags.st = st_tags;
	sq_bindf(st_tags, "tti", reg->workspace, mv->name, v);
	while ((rc = sq_step(sq, st_tags, "reading version tags", err)) == 1) {
		const char *key = sq_text_ref(&tags, 0, SQ_REQUIRED);
		const char *value = sq_text_ref(&tags, 1, SQ_OPTIONAL);

		if (tags.failed)
			goto done;
		mg_kvlist_set(&mv->tags, key, value);
	}
	if (rc < 0)
		goto done;
	if (!aliases) {
		ret = 0;
		goto done;
	}
	if (sq_prepare(
	            sq,
	            "SELECT alias, version FROM registered_model_aliases WHERE workspace = ?1 AND "
	            "name = ?2 AND version = ?3 ORDER BY alias",
	            &st_aliases, err))
		goto done;
	sq_bindf(st_aliases, "tti", reg->workspace, mv->name, v);
	if (read_aliases(sq, st_aliases, &mv->aliases, err) < 0)
		goto done;
	ret = 0;
done:
	sq_finish(sq, st_tags);
	sq_finish(sq, st_aliases);
	return ret;
}

/* Does registered model `name` exist? 1 yes, 0 no, -1 failed. */
static int model_exists(struct mg_registry *reg, const char *name, struct mg_err *err)
{
	struct sq *sq = sq_of(reg);
	sqlite3_stmt *st = NULL;
	int rc;

	if (sq_query(sq, &st, err,
	             "SELECT 1 FROM registered_models WHERE workspace = ?1 AND name = ?2", "tt",
	             reg->workspace, name))
		return -1;
	rc = sq_step(sq, st, "reading a registered model", err);
	sq_finish(sq, st);
	return rc;
}

static int need_model(struct mg_registry *reg, const char *name, struct mg_err *err)
{
	int rc = model_exists(reg, name, err);

	if (rc < 0)
		return -1;
	if (rc == 0)
		return sq_not_found(err, "registered model '%.200s' not found", name);
	return 0;
}

/*
 * Version `v` of `name`, unless deleted (MLflow's _get_sql_model_version):
 * 1 found (into *mv when mv is not NULL), 0 not found, -1 failed.
 */
static int find_version(struct mg_registry *reg, const char *name, int64_t v,
                        struct mg_model_version *mv, struct mg_err *err)
{
	struct sq *sq = sq_of(reg);
	sqlite3_stmt *st = NULL;
	bool has_updated;
	int rc;

	if (sq_query(sq, &st, err,
	             "SELECT " MV_COLUMNS " FROM model_versions AS mv WHERE mv.workspace = ?1 AND "
	             "mv.name = ?2 AND mv.version = ?3 AND mv.current_stage != "
	             "'" STAGE_DELETED_INTERNAL "'",
	             "tti", reg->workspace, name, v))
		return -1;
	rc = sq_step(sq, st, "reading a model version", err);
	if (rc == 1 && mv && row_to_version(sq, st, mv, &has_updated, err))
		rc = -1;
	sq_finish(sq, st);
	return rc;
}

static int need_version(struct mg_registry *reg, const char *name, int64_t v,
                        struct mg_model_version *mv, struct mg_err *err)
{
	int rc = find_version(reg, name, v, mv, err);

	if (rc < 0)
		return -1;
	if (rc == 0)
		return sq_not_found(err, "version '%lld' of model '%.200s' not found", (long long)v,
		                    name);
	return 0;
}

static int sqlite_get_model(struct mg_registry *reg, const char *name,
                            struct mg_registered_model *out, struct mg_err *err)
{
	struct sq *sq = sq_of(reg);
	sqlite3_stmt *st = NULL;
	struct sq_row r = SQ_ROW(sq, NULL, "registered_models", err);
	int rc, ret = -1;

	mg_registered_model_release(out);
	if (check_name(reg, name, err) || sq_begin_read(sq, err))
		return -1;
	if (sq_query(sq, &st, err,
	             "SELECT name, creation_time, last_updated_time, description FROM "
	             "registered_models WHERE workspace = ?1 AND name = ?2",
	             "tt", reg->workspace, name))
		goto done;
	rc = sq_step(sq, st, "reading a registered model", err);
	if (rc <= 0) {
		if (rc == 0)
			sq_not_found(err, "registered model '%.200s' not found", name);
		goto done;
	}
	r.st = st;
	out->name = sq_text(&r, 0, SQ_REQUIRED);
	out->creation_timestamp = sq_int(&r, 1, SQ_OPTIONAL);
	out->last_updated_timestamp = sq_int(&r, 2, SQ_OPTIONAL);
	out->description = sq_text(&r, 3, SQ_OPTIONAL);
	sq_finish(sq, st);
	st = NULL;
	if (r.failed)
		goto done;

	if (sq_kvlist(sq, "registered_model_tags", &out->tags, err,
	              "SELECT key, value FROM registered_model_tags WHERE workspace = ?1 AND "
	              "name = ?2 ORDER BY key || ''",
	              "tt", reg->workspace, name) < 0 ||
	    sq_query(sq, &st, err,
	             "SELECT alias, version FROM registered_model_aliases WHERE workspace = ?1 "
	             "AND name = ?2 ORDER BY alias",
	             "tt", reg->workspace, name) ||
	    read_aliases(sq, st, &out->aliases, err) < 0)
		goto done;
	ret = 0;
done:
	sq_finish(sq, st);
	sq_end_read(sq);
	if (ret)
		mg_registered_model_release(out);
	return ret;
}

static int sqlite_get_version(struct mg_registry *reg, const char *name, const char *version,
                              struct mg_model_version *out, struct mg_err *err)
{
	struct sq *sq = sq_of(reg);
	int ret = -1;

	mg_model_version_release(out);
	if (check_name(reg, name, err) || sq_begin_read(sq, err))
		return -1;
	if (need_version(reg, name, version_number(version), out, err) ||
	    load_extras(reg, out, true, err))
		goto done;
	ret = 0;
done:
	sq_end_read(sq);
	if (ret)
		mg_model_version_release(out);
	return ret;
}

/*
 * MLflow's get_model_version_by_alias: the model must exist; "latest" (any
 * case) is the highest version that is not deleted; an alias that is not
 * set is not found.
 */
static int sqlite_get_version_by_alias(struct mg_registry *reg, const char *name, const char *alias,
                                       struct mg_model_version *out, struct mg_err *err)
{
	struct sq *sq = sq_of(reg);
	sqlite3_stmt *st = NULL;
	bool latest = !strcasecmp(alias, "latest");
	int64_t v = 0;
	struct sq_row r = SQ_ROW(sq, NULL, "registered_model_aliases", err);
	int rc, ret = -1;

	mg_model_version_release(out);
	if (check_name(reg, name, err) || mlflow_check_alias(alias, false, err) ||
	    sq_begin_read(sq, err))
		return -1;
	if (need_model(reg, name, err))
		goto done;
	if (!strcasecmp(alias, "latest")) {
		if (sq_prepare(sq,
		               "SELECT max(version) FROM model_versions WHERE workspace = ?1 AND "
		               "name = ?2 AND current_stage != '" STAGE_DELETED_INTERNAL "'",
		               &st, err))
			goto done;
	} else if (sq_prepare(
	                   sq,
	                   "SELECT version FROM registered_model_aliases WHERE workspace = ?1 AND "
	                   "name = ?2 AND alias = ?3",
	                   &st, err)) {
		goto done;
	}
	sq_bindf(st, "ttt", reg->workspace, name, alias);
	r.st = st;
	rc = sq_step(sq, st, "reading an alias", err);
	if (rc < 0)
		goto done;
	if (rc == 0 || (latest && sqlite3_column_type(st, 0) == SQLITE_NULL)) {
		if (!strcasecmp(alias, "latest"))
			sq_not_found(err, "model '%.200s' has no versions, so no latest version",
			             name);
		else
			sq_not_found(err, "alias '%s' of model '%.200s' is not set", alias, name);
		goto done;
	}
	v = sq_int(&r, 0, SQ_REQUIRED);
	if (r.failed)
		goto done;
	if (need_version(reg, name, v, out, err) || load_extras(reg, out, true, err))
		goto done;
	ret = 0;
done:
	sq_finish(sq, st);
	sq_end_read(sq);
	if (ret)
		mg_model_version_release(out);
	return ret;
}

/*
 * Stream the selected versions in order `o`, `page_size` rows per query.
 * A page is read in one statement and released before the callbacks run,
 * so callbacks may write to the registry; each version's tags and aliases
 * are read just before its callback. Memory: one page of version rows.
 */
static int stream_versions(struct mg_registry *reg, const struct sq_selection *sel,
                           const struct mg_mvorder *o, int page_size, mg_version_cb *cb, void *arg,
                           struct mg_err *err)
{
	struct sq *sq = sq_of(reg);
	struct mg_model_version *page = mg_xcalloc((size_t)page_size, sizeof(*page));
	struct sq_cursor cur = {0};
	sqlite3_stmt *st = NULL;
	struct sq_query q;
	size_t n = 0; /* versions of the current page in `page` */
	int ret = -1;

	sq_query_init(&q);
	for (;;) {
		int rc = 0;

		n = 0;
		sq_query_page(&q, reg->workspace, sel, o, &cur, page_size);
		if (sq_query_prepare(sq, &q, &st, err))
			goto done;
		while (n < (size_t)page_size &&
		       (rc = sq_step(sq, st, "searching model versions", err)) == 1) {
			bool has_updated;

			if (row_to_version(sq, st, &page[n], &has_updated, err))
				goto done;
			sq_cursor_set(&cur, &page[n], has_updated);
			n++;
		}
		if (n < (size_t)page_size && rc < 0)
			goto done;
		/* the page is read: no statement or transaction stays open for the callbacks */
		sq_finish(sq, st);
		st = NULL;
		for (size_t i = 0; i < n; i++) {
			int r = load_extras(reg, &page[i], sel->aliases, err);

			if (!r)
				r = cb(arg, &page[i], err);
			mg_model_version_release(&page[i]);
			if (r < 0) {
				mg_err_set(err, MG_EXIT_INFRA, "search callback failed");
				goto done;
			}
			if (r > 0) {
				ret = 0;
				goto done;
			}
		}
		if (n < (size_t)page_size)
			break;
	}
	ret = 0;
done:
	for (size_t i = 0; i < n; i++)
		mg_model_version_release(&page[i]);
	sq_finish(sq, st);
	sq_query_release(&q);
	sq_cursor_release(&cur);
	free(page);
	return ret;
}

static int sqlite_versions_in_stage(struct mg_registry *reg, const char *name, const char *stage,
                                    mg_version_cb *cb, void *arg, struct mg_err *err)
{
	struct sq_selection sel = {.name = name, .stage = stage, .aliases = true};
	struct mg_mvorder o = {.n = 2};

	if (check_name(reg, name, err) || need_model(reg, name, err))
		return -1;
	/* highest version first: the first one is what get-latest-versions returns */
	o.keys[0].key = MG_MVO_VERSION;
	o.keys[0].asc = false;
	o.keys[1].key = MG_MVO_NAME;
	o.keys[1].asc = true;
	return stream_versions(reg, &sel, &o, DEFAULT_PAGE_SIZE, cb, arg, err);
}

static int sqlite_search_versions(struct mg_registry *reg, const struct mg_version_query *q,
                                  mg_version_cb *cb, void *arg, struct mg_err *err)
{
	struct mg_mvfilter f = MG_MVFILTER_INIT;
	struct sq_selection sel = {.filter = &f};
	struct mg_mvorder o;
	int ret = -1;

	if (mg_mvfilter_parse(q->filter, &f, err) || mg_mvorder_parse(q->order_by, &o, err))
		goto done;
	sel.exclude_prompts = !sq_querying_prompts(&f);
	ret = stream_versions(reg, &sel, &o, q->page_size ? q->page_size : DEFAULT_PAGE_SIZE, cb,
	                      arg, err);
done:
	mg_mvfilter_release(&f);
	return ret;
}

/* --- registry writes ------------------------------------------------------- */

/* MLflow's set_model_version_tag: validate, the version must exist, upsert. */
static int sqlite_set_version_tag(struct mg_registry *reg, const char *name, const char *version,
                                  const char *key, const char *value, struct mg_err *err)
{
	struct sq *sq = sq_of(reg);
	int64_t v = version_number(version);

	if (check_name(reg, name, err) || mlflow_check_key("tag key", key, err) ||
	    mlflow_check_length("tag key", key, MAX_MODEL_REGISTRY_TAG_KEY_LENGTH, err) ||
	    mlflow_check_length("tag value", value, MAX_MODEL_REGISTRY_TAG_VALUE_LENGTH, err) ||
	    sq_begin_write(sq, SQ_CHECK_REGISTRY, err))
		return -1;
	if (need_version(reg, name, v, NULL, err) ||
	    sq_exec(sq, "setting a version tag", err,
	            "INSERT INTO model_version_tags (key, value, name, version, workspace) "
	            "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (workspace, key, name, version) "
	            "DO UPDATE SET value = excluded.value",
	            "tttit", key, value, name, v, reg->workspace) ||
	    sq_commit(sq, err)) {
		sq_rollback(sq);
		return -1;
	}
	return 0;
}

/* MLflow's delete_model_version_tag: the version must exist; a missing tag is a no-op. */
static int sqlite_delete_version_tag(struct mg_registry *reg, const char *name, const char *version,
                                     const char *key, struct mg_err *err)
{
	struct sq *sq = sq_of(reg);
	int64_t v = version_number(version);

	if (check_name(reg, name, err) || mlflow_check_key("tag key", key, err) ||
	    sq_begin_write(sq, SQ_CHECK_REGISTRY, err))
		return -1;
	if (need_version(reg, name, v, NULL, err) ||
	    sq_exec(sq, "deleting a version tag", err,
	            "DELETE FROM model_version_tags WHERE workspace = ?1 AND name = ?2 AND "
	            "version = ?3 AND key = ?4",
	            "ttit", reg->workspace, name, v, key) ||
	    sq_commit(sq, err)) {
		sq_rollback(sq);
		return -1;
	}
	return 0;
}

/* MLflow's update_model_version: the description and the version's last_updated_time. */
static int sqlite_update_version_description(struct mg_registry *reg, const char *name,
                                             const char *version, const char *description,
                                             struct mg_err *err)
{
	struct sq *sq = sq_of(reg);
	int64_t v = version_number(version);

	if (check_name(reg, name, err) || sq_begin_write(sq, SQ_CHECK_REGISTRY, err))
		return -1;
	if (need_version(reg, name, v, NULL, err) ||
	    sq_exec(sq, "updating a description", err,
	            "UPDATE model_versions SET description = ?1, last_updated_time = ?2 WHERE "
	            "workspace = ?3 AND name = ?4 AND version = ?5",
	            "titti", description, sq_now_ms(), reg->workspace, name, v) ||
	    sq_commit(sq, err)) {
		sq_rollback(sq);
		return -1;
	}
	return 0;
}

/*
 * MLflow's transition_model_version_stage: with archive_existing, every
 * other version of the model in the target stage becomes Archived; those
 * versions, the version itself and the registered model all get the same
 * last_updated_time. One transaction.
 */
static int sqlite_transition_stage(struct mg_registry *reg, const char *name, const char *version,
                                   const char *stage, bool archive_existing, struct mg_err *err)
{
	struct sq *sq = sq_of(reg);
	int64_t v = version_number(version), now = sq_now_ms();

	if (check_name(reg, name, err) || sq_begin_write(sq, SQ_CHECK_REGISTRY, err))
		return -1;
	if (need_version(reg, name, v, NULL, err) ||
	    (archive_existing &&
	     sq_exec(sq, "archiving versions", err,
	             "UPDATE model_versions SET current_stage = 'Archived', last_updated_time = "
	             "?1 WHERE workspace = ?2 AND name = ?3 AND version != ?4 AND "
	             "current_stage = ?5",
	             "ittit", now, reg->workspace, name, v, stage)) ||
	    sq_exec(sq, "moving a version", err,
	            "UPDATE model_versions SET current_stage = ?1, last_updated_time = ?2 WHERE "
	            "workspace = ?3 AND name = ?4 AND version = ?5",
	            "titti", stage, now, reg->workspace, name, v) ||
	    sq_exec(sq, "updating a registered model", err,
	            "UPDATE registered_models SET last_updated_time = ?1 WHERE workspace = ?2 "
	            "AND name = ?3",
	            "itt", now, reg->workspace, name) ||
	    sq_commit(sq, err)) {
		sq_rollback(sq);
		return -1;
	}
	return 0;
}

/* MLflow's set_registered_model_alias: the version must exist; the alias moves to it. */
static int sqlite_set_alias(struct mg_registry *reg, const char *name, const char *alias,
                            const char *version, struct mg_err *err)
{
	struct sq *sq = sq_of(reg);
	int64_t v = version_number(version);

	if (check_name(reg, name, err) || mlflow_check_alias(alias, true, err) ||
	    sq_begin_write(sq, SQ_CHECK_REGISTRY, err))
		return -1;
	if (need_version(reg, name, v, NULL, err) ||
	    sq_exec(sq, "setting an alias", err,
	            "INSERT INTO registered_model_aliases (alias, version, name, workspace) "
	            "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (workspace, name, alias) DO UPDATE SET "
	            "version = excluded.version",
	            "titt", alias, v, name, reg->workspace) ||
	    sq_commit(sq, err)) {
		sq_rollback(sq);
		return -1;
	}
	return 0;
}

/* MLflow's delete_registered_model_alias: the model must exist; a missing alias is a no-op. */
static int sqlite_delete_alias(struct mg_registry *reg, const char *name, const char *alias,
                               struct mg_err *err)
{
	struct sq *sq = sq_of(reg);

	if (check_name(reg, name, err) || mlflow_check_alias(alias, false, err) ||
	    sq_begin_write(sq, SQ_CHECK_REGISTRY, err))
		return -1;
	if (need_model(reg, name, err) ||
	    sq_exec(sq, "deleting an alias", err,
	            "DELETE FROM registered_model_aliases WHERE workspace = ?1 AND name = ?2 AND "
	            "alias = ?3",
	            "ttt", reg->workspace, name, alias) ||
	    sq_commit(sq, err)) {
		sq_rollback(sq);
		return -1;
	}
	return 0;
}

/* --- compare-and-set moves ------------------------------------------------------ */

/*
 * The versions now holding the move's target other than `v` (a stage's
 * other versions, or the alias's version), appended to `held` as "3" or
 * "3, 4"; *n receives how many.
 */
static int move_holders(struct mg_registry *reg, const struct mg_registry_move *m, int64_t v,
                        struct mg_buf *held, size_t *n, struct mg_err *err)
{
	struct sq *sq = sq_of(reg);
	sqlite3_stmt *st = NULL;
	struct sq_row r =
	        SQ_ROW(sq, NULL, m->stage ? "model_versions" : "registered_model_aliases", err);
	int rc;

	*n = 0;
	if (sq_prepare(
	            sq,
	            m->stage ? "SELECT version FROM model_versions WHERE workspace = ?1 AND name = "
	                       "?2 AND current_stage = ?3 AND version != ?4 ORDER BY version"
	                     : "SELECT version FROM registered_model_aliases WHERE workspace = ?1 "
	                       "AND name = ?2 AND alias = ?3",
	            &st, err))
		return -1;
	sq_bindf(st, "ttti", reg->workspace, m->name, m->stage ? m->stage : m->alias, v);
	r.st = st;
	while ((rc = sq_step(sq, st, "reading the promotion target", err)) == 1) {
		int64_t held_v = sq_int(&r, 0, SQ_REQUIRED);

		if (r.failed) {
			rc = -1;
			break;
		}
		mg_buf_addf(held, "%s%lld", (*n)++ ? ", " : "", (long long)held_v);
	}
	sq_finish(sq, st);
	return rc;
}

/*
 * Run `sql` with ?1 now, ?2 workspace, ?3 name, ?4 version, ?5 `text`; a
 * parameter the statement does not use is not bound (SQLITE_RANGE, ignored).
 */
static int move_stmt(struct mg_registry *reg, const char *sql, const char *name, int64_t v,
                     int64_t now, const char *text, const char *doing, struct mg_err *err)
{
	return sq_exec(sq_of(reg), doing, err, sql, "ittit", now, reg->workspace, name, v, text);
}

/*
 * mg_registry_transition_stage_if / mg_registry_set_alias_if: the check and
 * every write in one BEGIN IMMEDIATE transaction, so two promotions started
 * at once are serialised and the second sees the first's result. The writes
 * are those of sqlite_transition_stage, sqlite_set_alias and
 * sqlite_delete_alias.
 */
static int sqlite_move_if(struct mg_registry *reg, const struct mg_registry_move *m,
                          struct mg_err *err)
{
	struct sq *sq = sq_of(reg);
	struct mg_buf held = MG_BUF_INIT(MG_BUF_SMALL);
	int64_t v = version_number(m->version), now = sq_now_ms();
	size_t n = 0;
	int ret = -1;

	if (check_name(reg, m->name, err) ||
	    (m->alias && mlflow_check_alias(m->alias, true, err)) ||
	    (m->drop_alias && mlflow_check_alias(m->drop_alias, false, err)))
		goto out;
	if (sq_begin_write(sq, SQ_CHECK_REGISTRY, err))
		goto out;
	if (need_version(reg, m->name, v, NULL, err) || move_holders(reg, m, v, &held, &n, err))
		goto done;
	if (m->expected ? n != 1 || strcmp(held.buf, m->expected) : n != 0) {
		mg_err_setr(err, MG_EXIT_USAGE, MG_REASON_CONFLICT,
		            "%s '%s' of model '%.200s' is held by %s%s, expected %s%s",
		            m->stage ? "stage" : "alias", m->stage ? m->stage : m->alias, m->name,
		            n ? "version " : "", n ? held.buf : "no version",
		            m->expected ? "version " : "", m->expected ? m->expected : "none");
		goto done;
	}
	if (m->stage) {
		if (m->archive_existing &&
		    move_stmt(reg,
		              "UPDATE model_versions SET current_stage = 'Archived', "
		              "last_updated_time = ?1 WHERE workspace = ?2 AND name = ?3 AND "
		              "version != ?4 AND current_stage = ?5",
		              m->name, v, now, m->stage, "archiving versions", err))
			goto done;
		if (move_stmt(
		            reg,
		            "UPDATE model_versions SET current_stage = ?5, last_updated_time = ?1 "
		            "WHERE workspace = ?2 AND name = ?3 AND version = ?4",
		            m->name, v, now, m->stage, "moving a version", err) ||
		    move_stmt(reg,
		              "UPDATE registered_models SET last_updated_time = ?1 WHERE workspace "
		              "= ?2 AND name = ?3",
		              m->name, v, now, "", "updating a registered model", err))
			goto done;
	} else if (move_stmt(reg,
	                     "INSERT INTO registered_model_aliases (alias, version, name, "
	                     "workspace) VALUES (?5, ?4, ?3, ?2) ON CONFLICT (workspace, name, "
	                     "alias) DO UPDATE SET version = excluded.version",
	                     m->name, v, now, m->alias, "setting an alias", err)) {
		goto done;
	}
	if (m->drop_alias &&
	    move_stmt(reg,
	              "DELETE FROM registered_model_aliases WHERE workspace = ?2 AND name = ?3 AND "
	              "version = ?4 AND alias = ?5",
	              m->name, v, now, m->drop_alias, "deleting an alias", err))
		goto done;
	if (sq_commit(sq, err))
		goto done;
	ret = 0;
done:
	if (ret)
		sq_rollback(sq);
out:
	mg_buf_release(&held);
	return ret;
}

/* --- the backend ---------------------------------------------------------------- */

static void sqlite_close(struct mg_registry *reg)
{
	struct sq *sq = sq_of(reg);

	if (!sq)
		return;
	sq_close(sq);
	free(sq);
	reg->impl = NULL;
}

static const struct mg_registry_ops sqlite_ops = {
        .name = "sqlite",
        .features = MG_REGISTRY_STAGES | MG_REGISTRY_ALIASES,
        .close = sqlite_close,
        .get_model = sqlite_get_model,
        .get_version = sqlite_get_version,
        .get_version_by_alias = sqlite_get_version_by_alias,
        .versions_in_stage = sqlite_versions_in_stage,
        .search_versions = sqlite_search_versions,
        .get_run = sqlite_get_run,
        .get_logged_model = sqlite_get_logged_model,
        .metric_history = sqlite_metric_history,
        .set_version_tag = sqlite_set_version_tag,
        .delete_version_tag = sqlite_delete_version_tag,
        .update_version_description = sqlite_update_version_description,
        .transition_stage = sqlite_transition_stage,
        .set_alias = sqlite_set_alias,
        .delete_alias = sqlite_delete_alias,
        .move_if = sqlite_move_if,
        .experiment_id = sqlite_experiment_id,
        .create_run = sqlite_create_run,
        .log_batch = sqlite_log_batch,
        .end_run = sqlite_end_run,
        .log_artifact = mg_local_log_artifact,
};

int mg_registry_sqlite_open(struct mg_registry *reg, const char *uri, struct mg_err *err)
{
	reg->ops = &sqlite_ops;
	reg->impl = mg_xcalloc(1, sizeof(struct sq));
	return sq_open(reg->impl, uri, err);
}
