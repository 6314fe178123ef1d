/*
 * The SQLite backend's tracking reads and writes: runs, their metrics,
 * params and tags, LoggedModels, experiments, as MLflow's SQLAlchemy
 * tracking store reads and writes them (mlflow/store/tracking/
 * sqlalchemy_store.py of MLflow 3.17.2). Each write is one BEGIN IMMEDIATE
 * transaction; each read is strict (sqlite_db.h).
 */
#include "setup.h"
#include "sqlite_tracking.h"
#include "alloc.h"
#include "buf.h"
#include "log.h"
#include "mlflow_rules.h"
#include "parse.h"
#include "random.h"
#include "sqlite_db.h"

#include <math.h>
#include <unistd.h>

#define HISTORY_PAGE_SIZE 1000

/* uuid.uuid4().hex: 32 lower-case hex digits, version 4, RFC 4122 variant. */
static int uuid4_hex(char out[33], struct mg_err *err)
{
	unsigned char b[16];

	if (mg_random_bytes(b, sizeof(b), err))
		return -1;
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	for (size_t i = 0; i < sizeof(b); i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
	return 0;
}

/*
 * MLflow's _generate_random_name(): "predicate-noun-N", N in 0..1000, at most
 * 20 characters (a subset of MLflow's word lists).
 */
static int random_run_name(char out[24], struct mg_err *err)
{
	static const char *const predicates[] = {
	        "able",    "agreeable", "amazing", "bold",     "brave",   "bright",     "calm",
	        "capable", "charming",  "clean",   "clever",   "dapper",  "gentle",     "glamorous",
	        "honest",  "kindly",    "lyrical", "merciful", "nimble",  "polite",     "resilient",
	        "rogue",   "sassy",     "serious", "smiling",  "stylish", "thoughtful", "unique",
	};
	static const char *const nouns[] = {
	        "ant",   "ape",   "asp",  "auk",  "bass",  "bat",   "bear",  "bee",   "bird",
	        "boar",  "bug",   "calf", "carp", "cat",   "cod",   "colt",  "crab",  "crow",
	        "deer",  "doe",   "dog",  "dove", "duck",  "eel",   "elk",   "fawn",  "finch",
	        "fly",   "foal",  "fox",  "frog", "gnat",  "goat",  "hare",  "hawk",  "hen",
	        "hog",   "jay",   "koi",  "lamb", "lark",  "lynx",  "mink",  "mole",  "moth",
	        "mouse", "mule",  "newt", "owl",  "ox",    "panda", "perch", "pig",   "pug",
	        "ram",   "rat",   "ray",  "seal", "shark", "shrew", "skink", "sloth", "slug",
	        "snail", "squid", "stag", "swan", "toad",  "trout", "vole",  "wasp",  "whale",
	        "wolf",  "worm",  "wren", "yak",  "zebra",
	};
	unsigned char b[4];
	unsigned n;

	if (mg_random_bytes(b, sizeof(b), err))
		return -1;
	n = ((unsigned)b[2] << 8 | b[3]) % 1001;
	snprintf(out, 24, "%s-%s-%u", predicates[b[0] % MG_ARRAY_SIZE(predicates)],
	         nouns[b[1] % MG_ARRAY_SIZE(nouns)], n);
	out[20] = '\0';
	return 0;
}

/* --- runs ----------------------------------------------------------------------- */

/* An integer id (experiment_id is an INTEGER column) as the text MLflow's API gives. */
static char *id_text(int64_t id)
{
	char num[24];

	snprintf(num, sizeof(num), "%lld", (long long)id);
	return mg_xstrdup(num);
}

/*
 * Rows of run `run_id` that its queries would not see because the run id is
 * stored as a blob (MLflow writes text; another tool can write bytes): a
 * metric hidden that way must be an error, not a metric the run lacks.
 * Index lookups on run_uuid, a few page reads.
 */
static int check_run_rows(struct sq *sq, const char *run_id, struct mg_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sq_query(sq, &st, err,
	             "SELECT 'runs' FROM runs WHERE run_uuid = CAST(?1 AS BLOB) UNION ALL SELECT "
	             "'latest_metrics' FROM latest_metrics WHERE run_uuid = CAST(?1 AS BLOB) UNION "
	             "ALL SELECT 'params' FROM params WHERE run_uuid = CAST(?1 AS BLOB) UNION ALL "
	             "SELECT 'tags' FROM tags WHERE run_uuid = CAST(?1 AS BLOB) LIMIT 1",
	             "t", run_id))
		return -1;
	rc = sq_step(sq, st, "checking the run's rows", err);
	if (rc == 1)
		mg_err_set(
		        err, MG_EXIT_INFRA,
		        "registry database '%s': %s.run_uuid: a row of run '%.64s' holds its run "
		        "id as a blob, not the text MLflow writes: refusing to read the run",
		        sq->path, (const char *)sqlite3_column_text(st, 0), run_id);
	sq_finish(sq, st);
	return rc ? -1 : 0;
}

int sqlite_get_run(struct mg_registry *reg, const char *run_id, struct mg_run *out,
                   struct mg_err *err)
{
	struct sq *sq = sq_of(reg);
	sqlite3_stmt *st = NULL;
	struct sq_row r = SQ_ROW(sq, NULL, "runs", err);
	int rc, ret = -1;

	mg_run_release(out);
	if (sq_begin_read(sq, err))
		return -1;
	if (check_run_rows(sq, run_id, err) ||
	    sq_query(sq, &st, err,
	             "SELECT run_uuid, name, experiment_id, user_id, status, start_time, end_time, "
	             "lifecycle_stage, artifact_uri FROM runs WHERE run_uuid = ?1",
	             "t", run_id))
		goto done;
	rc = sq_step(sq, st, "reading a run", err);
	if (rc <= 0) {
		if (rc == 0)
			sq_not_found(err, "run '%.64s' not found", run_id);
		goto done;
	}
	r.st = st;
	out->run_id = sq_text(&r, 0, SQ_REQUIRED);
	out->run_name = sq_text(&r, 1, SQ_OPTIONAL);
	out->experiment_id = id_text(sq_int(&r, 2, SQ_REQUIRED));
	out->user_id = sq_text(&r, 3, SQ_OPTIONAL);
	out->status = sq_text(&r, 4, SQ_OPTIONAL);
	out->start_time = sq_int(&r, 5, SQ_OPTIONAL);
	out->end_time = sq_int(&r, 6, SQ_OPTIONAL);
	out->lifecycle_stage = sq_text(&r, 7, SQ_OPTIONAL);
	out->artifact_uri = sq_text(&r, 8, SQ_OPTIONAL);
	if (r.failed)
		goto done;
	sq_finish(sq, st);
	st = NULL;

	/* run metrics are the latest values (latest_metrics), NaN kept as is_nan */
	if (sq_query(
	            sq, &st, err,
	            "SELECT key, value, timestamp, step, is_nan FROM latest_metrics WHERE run_uuid "
	            "= ?1 ORDER BY key || ''",
	            "t", run_id))
		goto done;
	r = (struct sq_row)SQ_ROW(sq, st, "latest_metrics", err);
	while ((rc = sq_step(sq, st, "reading run metrics", err)) == 1) {
		const char *key = sq_text_ref(&r, 0, SQ_REQUIRED);
		double value = sq_real(&r, 1, SQ_REQUIRED);
		int64_t ts = sq_int(&r, 2, SQ_REQUIRED), step = sq_int(&r, 3, SQ_REQUIRED);

		if (sq_int(&r, 4, SQ_REQUIRED))
			value = NAN;
		if (r.failed)
			goto done;
		mg_metriclist_add(&out->metrics, key, value, ts, step);
	}
	if (rc < 0)
		goto done;
	sq_finish(sq, st);
	st = NULL;

	if (sq_kvlist(sq, "params", &out->params, err,
	              "SELECT key, value FROM params WHERE run_uuid = ?1 ORDER BY key || ''", "t",
	              run_id) < 0 ||
	    sq_kvlist(sq, "tags", &out->tags, err,
	              "SELECT key, value FROM tags WHERE run_uuid = ?1 ORDER BY key || ''", "t",
	              run_id) < 0)
		goto done;
	/* SqlRun.to_mlflow_entity: no name column, the mlflow.runName tag names the run */
	if (!*out->run_name && mg_kvlist_get(&out->tags, TAG_RUN_NAME)) {
		free(out->run_name);
		out->run_name = mg_xstrdup(mg_kvlist_get(&out->tags, TAG_RUN_NAME));
	}
	ret = 0;
done:
	sq_finish(sq, st);
	sq_end_read(sq);
	if (ret)
		mg_run_release(out);
	return ret;
}

/*
 * MLflow's get_logged_model (not deleted) and its logged_model_metrics rows,
 * in the order of the table's key. A NULL metric_value is NaN.
 */
int sqlite_get_logged_model(struct mg_registry *reg, const char *model_id,
                            struct mg_logged_model *out, struct mg_err *err)
{
	struct sq *sq = sq_of(reg);
	sqlite3_stmt *st = NULL;
	struct sq_row r = SQ_ROW(sq, NULL, "logged_models", err);
	int rc, ret = -1;

	mg_logged_model_release(out);
	if (sq_begin_read(sq, err))
		return -1;
	if (sq_query(sq, &st, err,
	             "SELECT model_id, name, experiment_id, source_run_id FROM logged_models "
	             "WHERE model_id = ?1 AND (lifecycle_stage IS NULL OR lifecycle_stage != "
	             "'deleted')",
	             "t", model_id))
		goto done;
	rc = sq_step(sq, st, "reading a logged model", err);
	if (rc <= 0) {
		if (rc == 0)
			sq_not_found(err, "logged model '%.64s' not found", model_id);
		goto done;
	}
	r.st = st;
	out->model_id = sq_text(&r, 0, SQ_REQUIRED);
	out->name = sq_text(&r, 1, SQ_OPTIONAL);
	out->experiment_id = id_text(sq_int(&r, 2, SQ_REQUIRED));
	out->source_run_id = sq_text(&r, 3, SQ_OPTIONAL);
	if (r.failed)
		goto done;
	sq_finish(sq, st);
	st = NULL;
	if (sq_query(sq, &st, err,
	             "SELECT metric_name, metric_value, metric_timestamp_ms, metric_step, run_id, "
	             "dataset_name FROM logged_model_metrics WHERE model_id = ?1 ORDER BY "
	             "metric_name, metric_timestamp_ms, metric_step, run_id",
	             "t", model_id))
		goto done;
	r = (struct sq_row)SQ_ROW(sq, st, "logged_model_metrics", err);
	while ((rc = sq_step(sq, st, "reading logged model metrics", err)) == 1) {
		const char *name = sq_text_ref(&r, 0, SQ_REQUIRED);
		double value = sq_real(&r, 1, SQ_OPTIONAL);
		int64_t ts = sq_int(&r, 2, SQ_REQUIRED), step = sq_int(&r, 3, SQ_REQUIRED);
		const char *run_id = sq_text_ref(&r, 4, SQ_OPTIONAL);
		const char *dataset = sq_text_ref(&r, 5, SQ_OPTIONAL);

		if (r.failed)
			goto done;
		mg_logged_model_add_metric(out, name, value, ts, step, run_id, dataset);
	}
	if (rc < 0)
		goto done;
	ret = 0;
done:
	sq_finish(sq, st);
	sq_end_read(sq);
	if (ret)
		mg_logged_model_release(out);
	return ret;
}

/*
 * MLflow's get_metric_history: every value of the metric ordered by
 * timestamp, step, value (the run is not checked: a missing run has no
 * history). Pages of HISTORY_PAGE_SIZE, keyset on (timestamp, step, value,
 * rowid); each page is released before its callbacks run.
 */
int sqlite_metric_history(struct mg_registry *reg, const char *run_id, const char *key,
                          mg_metric_cb *cb, void *arg, struct mg_err *err)
{
	struct sq *sq = sq_of(reg);
	struct mg_metric *page = mg_xcalloc(HISTORY_PAGE_SIZE, sizeof(*page));
	sqlite3_stmt *st = NULL;
	bool started = false;
	int64_t last_ts = 0, last_step = 0, last_rowid = 0;
	double last_value = 0;
	struct sq_row r = SQ_ROW(sq, NULL, "metrics", err);
	size_t n = 0;
	int ret = -1;

	for (;;) {
		int rc = 0;

		/* "+key": not the (key, timestamp, ...) primary key, which spans every run */
		if (sq_prepare(sq,
		               started ? "SELECT key, value, timestamp, step, is_nan, rowid "
		                         "FROM metrics WHERE run_uuid = ?1 AND +key = ?2 AND "
		                         "(timestamp > ?3 OR (timestamp = ?3 AND (step > ?4 OR "
		                         "(step = ?4 AND (value > ?5 OR (value = ?5 AND "
		                         "rowid > ?6)))))) "
		                         "ORDER BY timestamp, step, value, rowid LIMIT ?7"
		                       : "SELECT key, value, timestamp, step, is_nan, rowid "
		                         "FROM metrics WHERE run_uuid = ?1 AND +key = ?2 "
		                         "ORDER BY timestamp, step, value, rowid LIMIT ?7",
		               &st, err))
			goto done;
		sq_bindf(st, "ttiidii", run_id, key, last_ts, last_step, last_value, last_rowid,
		         (int64_t)HISTORY_PAGE_SIZE);
		r.st = st;
		n = 0;
		while (n < HISTORY_PAGE_SIZE &&
		       (rc = sq_step(sq, st, "reading a metric history", err)) == 1) {
			struct mg_metric *m = &page[n++];

			m->key = sq_text(&r, 0, SQ_REQUIRED);
			last_value = sq_real(&r, 1, SQ_REQUIRED);
			m->value = sq_int(&r, 4, SQ_REQUIRED) ? NAN : last_value;
			m->timestamp = last_ts = sq_int(&r, 2, SQ_REQUIRED);
			m->step = last_step = sq_int(&r, 3, SQ_REQUIRED);
			last_rowid = sq_int(&r, 5, SQ_REQUIRED);
			started = true;
			if (r.failed)
				goto done;
		}
		if (n < HISTORY_PAGE_SIZE && rc < 0)
			goto done;
		sq_finish(sq, st);
		st = NULL;
		for (size_t i = 0; i < n; i++) {
			int stop = cb(arg, &page[i], err);

			if (stop < 0) {
				mg_err_set(err, MG_EXIT_INFRA, "metric history callback failed");
				goto done;
			}
			if (stop > 0) {
				ret = 0;
				goto done;
			}
		}
		for (size_t i = 0; i < n; i++)
			MG_FREE_AND_NULL(page[i].key);
		if (n < HISTORY_PAGE_SIZE)
			break;
	}
	n = 0;
	ret = 0;
done:
	sq_finish(sq, st);
	for (size_t i = 0; i < n; i++)
		free(page[i].key);
	free(page);
	return ret;
}

/* --- tracking writes ------------------------------------------------------------ */

/* The artifact root MLflow's Python client uses for a SQLite store: ./mlruns, made absolute. */
static char *artifact_root(void)
{
	struct mg_buf b = MG_BUF_INIT(MG_BUF_SMALL);
	char *cwd = getcwd(NULL, 0);

	if (cwd && strcmp(cwd, "/"))
		mg_buf_adds(&b, cwd);
	mg_buf_adds(&b, "/mlruns");
	free(cwd);
	return mg_buf_take(&b, NULL);
}

/* The length of a URI scheme at the start of `s` (Python's urlsplit), or 0. */
static size_t uri_scheme_len(const char *s)
{
	const char *colon = strchr(s, ':');

	if (!colon || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')))
		return 0;
	for (const char *p = s; p < colon; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '+' || *p == '-' || *p == '.'))
			return 0;
	return (size_t)(colon - s);
}

/* posixpath.join(prefix, suffix) for a relative suffix. */
static void posix_join(struct mg_buf *b, const char *prefix, size_t n, const char *suffix)
{
	mg_buf_add(b, prefix, n);
	if (n && prefix[n - 1] != '/')
		mg_buf_addch(b, '/');
	mg_buf_adds(b, suffix);
}

/* MLflow's append_to_uri_path(uri, suffix) for a relative suffix without "..". */
static char *append_to_uri_path(const char *uri, const char *suffix)
{
	struct mg_buf b = MG_BUF_INIT(MG_BUF_SMALL);
	size_t scheme = uri_scheme_len(uri);

	if (!*uri) {
		mg_buf_adds(&b, suffix);
	} else if (!scheme) {
		posix_join(&b, uri, strlen(uri), suffix);
	} else {
		const char *path = uri + scheme + 1, *end;
		bool netloc = !strncmp(path, "//", 2);

		if (netloc) {
			path += 2;
			path += strcspn(path, "/?#");
		}
		end = path + strcspn(path, "?#");
		mg_buf_add(&b, uri, (size_t)(path - uri));
		if (path == end && netloc) {
			mg_buf_addch(&b, '/');
			mg_buf_adds(&b, suffix);
		} else {
			posix_join(&b, path, (size_t)(end - path), suffix);
		}
		mg_buf_adds(&b, end);
	}
	return mg_buf_take(&b, NULL);
}

/*
 * MLflow's get_experiment_by_name (+ create_experiment when asked): an
 * experiment is created active, with the artifact location MLflow's SQL store
 * derives from its id: <artifact root>/<id>.
 */
int sqlite_experiment_id(struct mg_registry *reg, const char *name, bool create, char **id_out,
                         struct mg_err *err)
{
	struct sq *sq = sq_of(reg);
	sqlite3_stmt *st = NULL;
	char *root = NULL, *location = NULL, num[24];
	int64_t id, now;
	int rc, ret = -1;

	*id_out = NULL;
	if (mlflow_check_length("experiment name", name, MAX_EXPERIMENT_NAME_LENGTH, err))
		return -1;
	if (create ? sq_begin_write(sq, SQ_CHECK_TRACKING, err) : sq_begin_read(sq, err))
		return -1;
	if (sq_query(sq, &st, err,
	             "SELECT experiment_id, lifecycle_stage FROM experiments WHERE workspace = ?1 "
	             "AND name = ?2",
	             "tt", reg->workspace, name))
		goto done;
	rc = sq_step(sq, st, "reading an experiment", err);
	if (rc < 0)
		goto done;
	if (rc == 1) {
		struct sq_row r = SQ_ROW(sq, st, "experiments", err);
		int64_t found = sq_int(&r, 0, SQ_REQUIRED);
		const char *stage = sq_text_ref(&r, 1, SQ_OPTIONAL);

		if (r.failed)
			goto done;
		if (stage && strcmp(stage, "active")) {
			mg_err_set(err, MG_EXIT_USAGE,
			           "experiment '%.200s' is deleted: restore it in MLflow or use "
			           "another name",
			           name);
			goto done;
		}
		snprintf(num, sizeof(num), "%lld", (long long)found);
		*id_out = mg_xstrdup(num);
		ret = 0;
		goto done;
	}
	if (!create) {
		sq_not_found(err, "experiment '%.200s' not found", name);
		goto done;
	}
	sq_finish(sq, st);
	st = NULL;
	now = sq_now_ms();
	if (sq_query(sq, &st, err,
	             "INSERT INTO experiments (name, artifact_location, lifecycle_stage, "
	             "creation_time, last_update_time, workspace) VALUES (?1, NULL, 'active', ?2, "
	             "?2, ?3)",
	             "tit", name, now, reg->workspace))
		goto done;
	if (sq_run(sq, st, "creating an experiment", err))
		goto done;
	id = sqlite3_last_insert_rowid(sq->db);
	sq_finish(sq, st);
	st = NULL;
	snprintf(num, sizeof(num), "%lld", (long long)id);
	root = artifact_root();
	location = append_to_uri_path(root, num);
	if (sq_exec(sq, "creating an experiment", err,
	            "UPDATE experiments SET artifact_location = ?1 WHERE experiment_id = ?2", "ti",
	            location, (int64_t)id) ||
	    sq_commit(sq, err))
		goto done;
	*id_out = mg_xstrdup(num);
	ret = 0;
done:
	sq_finish(sq, st);
	free(root);
	free(location);
	sq_rollback(sq); /* a lookup, or a failed creation: nothing to keep */
	return ret;
}

/*
 * The value MLflow stores for a param or run tag: over `max` characters it
 * is cut to `max` (MLFLOW_TRUNCATE_LONG_VALUES, on by default) or refused.
 */
static int stored_value(struct mg_registry *reg, const char *what, const char *key,
                        const char *value, size_t max, size_t *len, struct mg_err *err)
{
	const char *env = getenv("MLFLOW_TRUNCATE_LONG_VALUES");
	bool truncate = true;

	*len = strlen(value);
	if (mlflow_utf8_len(value) <= max)
		return 0;
	if (env && *env &&
	    mg_parse_bool("environment variable MLFLOW_TRUNCATE_LONG_VALUES", env, &truncate, err))
		return -1;
	if (!truncate)
		return mg_err_setr(err, MG_EXIT_USAGE, MG_REASON_TOO_LARGE,
		                   "%s '%.200s': value exceeds the maximum length of %zu "
		                   "characters",
		                   what, key, max);
	*len = mlflow_utf8_prefix(value, max);
	mg_warn(&reg->ctx->log, "%s '%.200s': value truncated to %zu characters", what, key, max);
	return 0;
}

/* A run, when it exists and is active (MLflow's _get_run + _check_run_is_active). */
static int need_active_run(struct mg_registry *reg, const char *run_id, struct mg_err *err)
{
	struct sq *sq = sq_of(reg);
	sqlite3_stmt *st = NULL;
	struct sq_row r = SQ_ROW(sq, NULL, "runs", err);
	const char *stage;
	int rc, ret = -1;

	if (sq_query(sq, &st, err, "SELECT lifecycle_stage FROM runs WHERE run_uuid = ?1", "t",
	             run_id))
		return -1;
	rc = sq_step(sq, st, "reading a run", err);
	if (rc < 0)
		goto done;
	if (rc == 0) {
		sq_not_found(err, "run '%.64s' not found", run_id);
		goto done;
	}
	r.st = st;
	stage = sq_text_ref(&r, 0, SQ_OPTIONAL);
	if (r.failed)
		goto done;
	if (strcmp(stage ? stage : "", "active")) {
		mg_err_set(err, MG_EXIT_USAGE,
		           "run '%.64s' must be active to be changed, but it is deleted", run_id);
		goto done;
	}
	ret = 0;
done:
	sq_finish(sq, st);
	return ret;
}

static int upsert_run_tag(struct sq *sq, const char *run_id, const char *key, const char *value,
                          size_t len, struct mg_err *err)
{
	return sq_exec(sq, "setting a run tag", err,
	               "INSERT INTO tags (key, value, run_uuid) VALUES (?1, ?2, ?3) ON CONFLICT "
	               "(key, run_uuid) DO UPDATE SET value = excluded.value",
	               "tTt", key, value, len, run_id);
}

/*
 * MLflow's create_run (as MlflowClient.create_run calls it): a RUNNING run
 * with a uuid4 hex id, user_id from the mlflow.user tag or "unknown", the
 * name given, else the mlflow.runName tag, else a random one (and the tag
 * set to it), artifact_uri <experiment artifact location>/<run id>/artifacts.
 */
int sqlite_create_run(struct mg_registry *reg, const char *experiment_id, const char *run_name,
                      const struct mg_kvlist *tags, char **run_id_out, struct mg_err *err)
{
	struct sq *sq = sq_of(reg);
	sqlite3_stmt *st = NULL;
	const char *tag_name = tags ? mg_kvlist_get(tags, TAG_RUN_NAME) : NULL;
	const char *user = tags ? mg_kvlist_get(tags, TAG_USER) : NULL;
	char run_id[33], generated[24], *location = NULL, *artifact_uri = NULL, *suffix = NULL;
	long long exp_id;
	int rc, ret = -1;
	struct sq_row r = SQ_ROW(sq, NULL, "experiments", err);
	const char *stage;

	*run_id_out = NULL;
	if (mg_parse_ll("experiment id", experiment_id, 0, INT32_MAX, &exp_id, err) ||
	    mlflow_check_run_tags(tags, err))
		return -1;
	if (run_name && *run_name && tag_name && *tag_name && strcmp(run_name, tag_name))
		return mg_err_set(err, MG_EXIT_USAGE,
		                  "run name '%.100s' and tag mlflow.runName '%.100s' differ",
		                  run_name, tag_name);
	if (!run_name || !*run_name)
		run_name = tag_name && *tag_name ? tag_name : NULL;
	if (!run_name) {
		if (random_run_name(generated, err))
			return -1;
		run_name = generated;
	}
	if (uuid4_hex(run_id, err) || sq_begin_write(sq, SQ_CHECK_TRACKING, err))
		return -1;
	if (sq_query(sq, &st, err,
	             "SELECT artifact_location, lifecycle_stage FROM experiments WHERE "
	             "experiment_id = ?1 AND workspace = ?2",
	             "it", (int64_t)exp_id, reg->workspace))
		goto done;
	rc = sq_step(sq, st, "reading an experiment", err);
	if (rc < 0)
		goto done;
	if (rc == 0) {
		sq_not_found(err, "experiment '%lld' not found", exp_id);
		goto done;
	}
	r.st = st;
	location = sq_text(&r, 0, SQ_OPTIONAL);
	stage = sq_text_ref(&r, 1, SQ_OPTIONAL);
	if (r.failed)
		goto done;
	if (strcmp(stage ? stage : "", "active")) {
		mg_err_set(err, MG_EXIT_USAGE,
		           "experiment '%lld' is deleted: cannot create runs in it", exp_id);
		goto done;
	}
	sq_finish(sq, st);
	st = NULL;
	suffix = mg_xmalloc(sizeof(run_id) + sizeof("/artifacts"));
	snprintf(suffix, sizeof(run_id) + sizeof("/artifacts"), "%s/artifacts", run_id);
	artifact_uri = append_to_uri_path(location, suffix);

	if (sq_query(
	            sq, &st, err,
	            "INSERT INTO runs (run_uuid, name, source_type, source_name, entry_point_name, "
	            "user_id, status, start_time, end_time, deleted_time, source_version, "
	            "lifecycle_stage, artifact_uri, experiment_id) VALUES (?1, ?2, 'UNKNOWN', '', "
	            "'', ?3, 'RUNNING', ?4, NULL, NULL, '', 'active', ?5, ?6)",
	            "tttiti", run_id, run_name, user ? user : "unknown", (int64_t)sq_now_ms(),
	            artifact_uri, (int64_t)exp_id))
		goto done;
	if (sq_run(sq, st, "creating a run", err))
		goto done;
	for (size_t i = 0; tags && i < tags->n; i++)
		if (upsert_run_tag(sq, run_id, tags->items[i].key, tags->items[i].value,
		                   strlen(tags->items[i].value), err))
			goto done;
	if (!(tag_name && *tag_name) &&
	    upsert_run_tag(sq, run_id, TAG_RUN_NAME, run_name, strlen(run_name), err))
		goto done;
	if (sq_commit(sq, err))
		goto done;
	*run_id_out = mg_xstrdup(run_id);
	ret = 0;
done:
	sq_finish(sq, st);
	free(location);
	free(artifact_uri);
	free(suffix);
	if (ret)
		sq_rollback(sq);
	return ret;
}

/*
 * One logged metric, then the latest_metrics row of its key when it is
 * newer by (step, timestamp, value) (MLflow's _log_metrics +
 * _update_latest_metrics_if_necessary). A metric already logged with the
 * same key, timestamp, step and value is skipped, as MLflow does.
 */
static int log_metric(struct sq *sq, const char *run_id, const struct mg_metric *m,
                      struct mg_err *err)
{
	sqlite3_stmt *st = NULL;
	double value;
	bool is_nan, have = false, newer = true;
	int rc;

	mlflow_sanitize_metric(m->value, &value, &is_nan);
	if (sq_exec(sq, "logging a metric", err,
	            "INSERT OR IGNORE INTO metrics (key, value, timestamp, run_uuid, step, is_nan) "
	            "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	            "tditii", m->key, value, m->timestamp, run_id, m->step, (int64_t)is_nan))
		return -1;
	if (!sqlite3_changes(sq->db))
		return 0; /* the same point again */
	if (sq_query(sq, &st, err,
	             "SELECT step, coalesce(timestamp, -9223372036854775807 - 1), value FROM "
	             "latest_metrics WHERE run_uuid = ?1 AND key = ?2",
	             "tt", run_id, m->key))
		return -1;
	rc = sq_step(sq, st, "reading a latest metric", err);
	if (rc == 1) {
		struct sq_row r = SQ_ROW(sq, st, "latest_metrics", err);
		int64_t s = sq_int(&r, 0, SQ_REQUIRED), t = sq_int(&r, 1, SQ_REQUIRED);
		double v = sq_real(&r, 2, SQ_REQUIRED);

		if (r.failed)
			rc = -1;
		have = true;
		newer = m->step != s        ? m->step > s
		        : m->timestamp != t ? m->timestamp > t
		                            : value > v;
	}
	sq_finish(sq, st);
	if (rc < 0 || !newer)
		return rc < 0 ? -1 : 0;
	return sq_exec(sq, "updating a latest metric", err,
	               have ? "UPDATE latest_metrics SET value = ?1, timestamp = ?2, step = ?3, "
	                      "is_nan = ?4 WHERE run_uuid = ?5 AND key = ?6"
	                    : "INSERT INTO latest_metrics (value, timestamp, step, is_nan, "
	                      "run_uuid, key) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	               "diiitt", value, m->timestamp, m->step, (int64_t)is_nan, run_id, m->key);
}

/* MLflow's _log_params: params are immutable; the same value again is fine. */
static int log_param(struct mg_registry *reg, const char *run_id, const char *key,
                     const char *value, struct mg_err *err)
{
	struct sq *sq = sq_of(reg);
	sqlite3_stmt *st = NULL;
	size_t len;
	int rc, ret = -1;

	if (stored_value(reg, "param", key, value, MAX_PARAM_VAL_LENGTH, &len, err) ||
	    sq_query(sq, &st, err, "SELECT value FROM params WHERE run_uuid = ?1 AND key = ?2",
	             "tt", run_id, key))
		return -1;
	rc = sq_step(sq, st, "reading a param", err);
	if (rc < 0)
		goto done;
	if (rc == 1) {
		struct sq_row r = SQ_ROW(sq, st, "params", err);
		const char *old = sq_text_ref(&r, 0, SQ_OPTIONAL);

		if (r.failed)
			goto done;
		if (!old || strlen(old) != len || memcmp(old, value, len))
			mg_err_set(err, MG_EXIT_USAGE,
			           "changing param values is not allowed: param '%.100s' of run "
			           "'%.64s' was logged as '%.100s', not '%.100s'",
			           key, run_id, old ? old : "", value);
		else
			ret = 0;
		goto done;
	}
	if (sq_exec(sq, "logging a param", err,
	            "INSERT INTO params (key, value, run_uuid) VALUES (?1, ?2, ?3)", "tTt", key,
	            value, len, run_id))
		goto done;
	ret = 0;
done:
	sq_finish(sq, st);
	return ret;
}

/* MLflow's _set_tags: upsert; mlflow.runName also renames the run (update_run_info). */
static int log_run_tag(struct mg_registry *reg, const char *run_id, const char *key,
                       const char *value, struct mg_err *err)
{
	struct sq *sq = sq_of(reg);
	size_t len;

	if (stored_value(reg, "run tag", key, value, MAX_TAG_VAL_LENGTH, &len, err))
		return -1;
	if (strcmp(key, TAG_RUN_NAME))
		return upsert_run_tag(sq, run_id, key, value, len, err);
	if (!len)
		return 0; /* update_run_info ignores an empty run name */
	if (sq_exec(sq, "renaming a run", err, "UPDATE runs SET name = ?1 WHERE run_uuid = ?2",
	            "Tt", value, len, run_id))
		return -1;
	return upsert_run_tag(sq, run_id, key, value, len, err);
}

/*
 * MLflow's log_batch: params, then metrics, then tags, here in one
 * transaction (MLflow uses one per kind).
 */
int sqlite_log_batch(struct mg_registry *reg, const char *run_id, const struct mg_kvlist *params,
                     const struct mg_metriclist *metrics, const struct mg_kvlist *tags,
                     struct mg_err *err)
{
	struct sq *sq = sq_of(reg);
	int ret = -1;

	if (mlflow_check_run_id(run_id, err) || mlflow_check_batch(params, metrics, tags, err) ||
	    sq_begin_write(sq, SQ_CHECK_TRACKING, err))
		return -1;
	if (need_active_run(reg, run_id, err))
		goto done;
	for (size_t i = 0; params && i < params->n; i++)
		if (log_param(reg, run_id, params->items[i].key, params->items[i].value, err))
			goto done;
	for (size_t i = 0; metrics && i < metrics->n; i++)
		if (log_metric(sq, run_id, &metrics->items[i], err))
			goto done;
	for (size_t i = 0; tags && i < tags->n; i++)
		if (log_run_tag(reg, run_id, tags->items[i].key, tags->items[i].value, err))
			goto done;
	if (sq_commit(sq, err))
		goto done;
	ret = 0;
done:
	if (ret)
		sq_rollback(sq);
	return ret;
}

/* MlflowClient.set_terminated -> update_run_info(status, end_time=now). */
int sqlite_end_run(struct mg_registry *reg, const char *run_id, const char *status,
                   struct mg_err *err)
{
	struct sq *sq = sq_of(reg);

	if (sq_begin_write(sq, SQ_CHECK_TRACKING, err))
		return -1;
	if (need_active_run(reg, run_id, err) ||
	    sq_exec(sq, "ending a run", err,
	            "UPDATE runs SET status = ?1, end_time = ?2 WHERE run_uuid = ?3", "tit", status,
	            sq_now_ms(), run_id) ||
	    sq_commit(sq, err)) {
		sq_rollback(sq);
		return -1;
	}
	return 0;
}
