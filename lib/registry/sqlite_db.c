/*
 * The SQLite backend's database layer: see sqlite_db.h.
 *
 * Locking: a busy database is waited for (sqlite3_busy_timeout, 30 s or
 * MLGATE_SQLITE_TIMEOUT seconds), then MG_EXIT_INFRA.
 *
 * Schema: alembic_version must hold a revision this file knows to have the
 * tables and columns the backend uses (see supported_revisions), and those
 * columns are checked with pragma_table_info on open. A revision this mlgate
 * does not know is MG_EXIT_USAGE (upgrade one or the other); a file that is
 * not an SQLite database, is damaged, or lacks a table or column MLflow's
 * revision has is MG_EXIT_INFRA: a store that cannot be trusted.
 */
#include "setup.h"
#include "sqlite_db.h"
#include "alloc.h"
#include "buf.h"
#include "parse.h"

#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <time.h>

#define TIMEOUT_DEFAULT 30.0
#define TIMEOUT_MAX     3600.0

/*
 * Alembic revisions whose layout of the tables used here is the one this
 * file reads and writes: from 1b5f0d9ad7c1 (MLflow's "add workspace columns",
 * which put `workspace` into the registry tables and experiments) up to
 * dc11669786a5, the head of MLflow 3.17.2. No migration in between touches
 * a column used here (only indexes and other tables), so every MLflow 3.x
 * release whose head is in this list has the same layout.
 */
static const char *const supported_revisions[] = {
        "1b5f0d9ad7c1", "e1f2a3b4c5d6", "76601a5f987d", "c3d6457b6d8a", "a5b4c3d2e1f0",
        "ae8bbe7743c9", "7d34483879f0", "da6fb0208061", "89d3d66ed43f", "b7e4c1a90f23",
        "a8b9c0d1e2f3", "c1d2e3f4a5b6", "c3d9e7f1a2b4", "6f8d9c3b2a1e", "1971f2d9a75b",
        "17e22815139b", "b7e2c1a4d9f3", "75868b020152", "dc11669786a5",
};

/* Older MLflow revisions (before the workspace columns): refused, with a hint. */
static const char *const older_revisions[] = {
        "c8d9e0f1a2b3", "d3e4f5a6b7c8", "d0e1f2a3b4c5",  "2c33131f4dae", "c9d4e5f6a7b8",
        "5d2d30f0abce", "b7c8d9e0f1a2", "1bd49d398cd23", "bf29a5ff90ea", "3da73c924c2f",
        "71994744cf8e", "534353b11cbc", "1a0cddfcaa16",  "de4033877273", "a1b2c3d4e5f6",
        "770bee3ae1dd", "cbc13b556ace", "bda7b8c39065",  "6953534de441", "400f98739977",
        "0584bdc529eb", "f5a4f2784254", "4465047574b1",  "5b0e9adcef9c", "867495a8f9d4",
        "acf3f17fdcc7", "2d6e25af4d3e", "7f2a7d5fae7d",  "3500859a5d39", "97727af70f4d",
        "cc1f77228345", "0c779009ac13", "bd07f7e963c5",  "c48cb773bb87", "39d1c3be5f05",
        "a8c4a736bde6", "84291f40a231", "27a6a02d2cf1",  "728d730b5ebd", "0a8213491aaa",
        "cfd24bdc0731", "2b4d017a5e9b", "89d4b8295536",  "7ac759974ad8", "df50e92ffc5e",
        "181f10493468", "90e64c465722", "451aebb31d03",
};

/* The tables and columns this file uses. */
static const struct {
	const char *table;
	const char *columns[15];
} schema[] = {
        {"registered_models",
         {"workspace", "name", "creation_time", "last_updated_time", "description"}},
        {"model_versions",
         {"workspace", "name", "version", "creation_time", "last_updated_time", "description",
          "user_id", "current_stage", "source", "run_id", "status", "status_message", "run_link"}},
        {"model_version_tags", {"workspace", "key", "value", "name", "version"}},
        {"registered_model_tags", {"workspace", "key", "value", "name"}},
        {"registered_model_aliases", {"workspace", "name", "alias", "version"}},
        {"experiments",
         {"experiment_id", "name", "artifact_location", "lifecycle_stage", "creation_time",
          "last_update_time", "workspace"}},
        {"runs",
         {"run_uuid", "name", "source_type", "source_name", "entry_point_name", "user_id", "status",
          "start_time", "end_time", "deleted_time", "source_version", "lifecycle_stage",
          "artifact_uri", "experiment_id"}},
        {"metrics", {"key", "value", "timestamp", "run_uuid", "step", "is_nan"}},
        {"latest_metrics", {"key", "value", "timestamp", "step", "is_nan", "run_uuid"}},
        {"params", {"key", "value", "run_uuid"}},
        {"tags", {"key", "value", "run_uuid"}},
};

/* The tables each kind of write touches, checked by sq_begin_write before the first. */
static const char *const registry_tables[] = {
        "registered_models",     "model_versions",           "model_version_tags",
        "registered_model_tags", "registered_model_aliases",
};
/* not metrics: millions of rows take seconds to check, and a metric is only ever appended */
static const char *const tracking_tables[] = {
        "experiments", "runs", "params", "tags", "latest_metrics",
};

/* --- errors --------------------------------------------------------------- */

static bool is_busy(int rc)
{
	return (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED;
}

int sq_fail(struct sq *sq, int rc, const char *doing, struct mg_err *err)
{
	if ((rc & 0xff) == SQLITE_NOTADB)
		return mg_err_set(err, MG_EXIT_INFRA,
		                  "registry database '%s' is not an SQLite database (or its header "
		                  "is damaged)",
		                  sq->path);
	if ((rc & 0xff) == SQLITE_CORRUPT)
		return mg_err_set(err, MG_EXIT_INFRA,
		                  "registry database '%s' is damaged (%s, %s): restore it from a "
		                  "backup",
		                  sq->path, doing, sqlite3_errmsg(sq->db));
	if (is_busy(rc))
		return mg_err_set(err, MG_EXIT_INFRA,
		                  "registry database '%s' is locked by another process: gave up "
		                  "%s after %g s (%s)",
		                  sq->path, doing, sq->timeout_s, SQ_TIMEOUT_ENV);
	return mg_err_set(err, MG_EXIT_INFRA, "registry database '%s': %s failed: %s", sq->path,
	                  doing, sqlite3_errmsg(sq->db));
}

int sq_not_found(struct mg_err *err, const char *fmt, ...)
{
	char msg[MG_ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return mg_err_setr(err, MG_EXIT_USAGE, MG_REASON_NOT_FOUND, "%s", msg);
}

/* --- statements and parameters --------------------------------------------- */

int sq_prepare(struct sq *sq, const char *sql, sqlite3_stmt **st, struct mg_err *err)
{
	int rc;

	for (size_t k = 0; k < sq->ncache; k++) {
		struct sq_cached *c = &sq->cache[k];

		if (!c->busy && strcmp(c->sql, sql) == 0) {
			c->busy = true;
			*st = c->st;
			return 0;
		}
	}
	rc = sqlite3_prepare_v2(sq->db, sql, -1, st, NULL);
	if (rc != SQLITE_OK) {
		*st = NULL;
		return sq_fail(sq, rc, "preparing a query", err);
	}
	if (sq->ncache < SQ_CACHE_MAX)
		sq->cache[sq->ncache++] = (struct sq_cached){mg_xstrdup(sql), *st, true};
	return 0;
}

void sq_finish(struct sq *sq, sqlite3_stmt *st)
{
	if (!st)
		return;
	for (size_t k = 0; k < sq->ncache; k++) {
		if (sq->cache[k].st == st) {
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			sq->cache[k].busy = false;
			return;
		}
	}
	sqlite3_finalize(st);
}

void sq_bind(sqlite3_stmt *st, const struct sq_val *vals, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		const struct sq_val *v = &vals[k];
		int i = (int)k + 1;

		if (v->type == 't')
			sqlite3_bind_text(st, i, v->s, v->len == SIZE_MAX ? -1 : (int)v->len,
			                  SQLITE_TRANSIENT);
		else if (v->type == 'd')
			sqlite3_bind_double(st, i, v->d);
		else
			sqlite3_bind_int64(st, i, v->i);
	}
}

/* The values of a types string (sqlite_db.h) from `ap`: at most 16 per statement. */
static void vbind(sqlite3_stmt *st, const char *types, va_list ap)
{
	struct sq_val vals[16];
	size_t n = 0;

	assert(strlen(types) <= MG_ARRAY_SIZE(vals));
	for (; types[n]; n++) {
		struct sq_val *v = &vals[n];

		memset(v, 0, sizeof(*v));
		v->type = types[n] == 'T' ? 't' : types[n];
		if (types[n] == 't' || types[n] == 'T') {
			v->s = va_arg(ap, const char *);
			v->len = types[n] == 'T' ? va_arg(ap, size_t) : SIZE_MAX;
		} else if (types[n] == 'd') {
			v->d = va_arg(ap, double);
		} else {
			assert(types[n] == 'i');
			v->i = va_arg(ap, int64_t);
		}
	}
	sq_bind(st, vals, n);
}

void sq_bindf(sqlite3_stmt *st, const char *types, ...)
{
	va_list ap;

	va_start(ap, types);
	vbind(st, types, ap);
	va_end(ap);
}

int sq_step(struct sq *sq, sqlite3_stmt *st, const char *doing, struct mg_err *err)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return sq_fail(sq, rc, doing, err);
}

int sq_run(struct sq *sq, sqlite3_stmt *st, const char *doing, struct mg_err *err)
{
	int rc;

	while ((rc = sq_step(sq, st, doing, err)) == 1)
		;
	return rc;
}

int sq_query(struct sq *sq, sqlite3_stmt **st, struct mg_err *err, const char *sql,
             const char *types, ...)
{
	va_list ap;

	if (sq_prepare(sq, sql, st, err))
		return -1;
	va_start(ap, types);
	vbind(*st, types, ap);
	va_end(ap);
	return 0;
}

int sq_exec(struct sq *sq, const char *doing, struct mg_err *err, const char *sql,
            const char *types, ...)
{
	sqlite3_stmt *st = NULL;
	va_list ap;
	int ret;

	if (sq_prepare(sq, sql, &st, err))
		return -1;
	va_start(ap, types);
	vbind(st, types, ap);
	va_end(ap);
	ret = sq_run(sq, st, doing, err);
	sq_finish(sq, st);
	return ret;
}

int sq_kvlist(struct sq *sq, const char *table, struct mg_kvlist *out, struct mg_err *err,
              const char *sql, const char *types, ...)
{
	sqlite3_stmt *st = NULL;
	struct sq_row r = SQ_ROW(sq, NULL, table, err);
	va_list ap;
	int rc;

	if (sq_prepare(sq, sql, &st, err))
		return -1;
	r.st = st;
	va_start(ap, types);
	vbind(st, types, ap);
	va_end(ap);
	while ((rc = sq_step(sq, st, "reading", err)) == 1) {
		const char *key = sq_text_ref(&r, 0, SQ_REQUIRED);
		const char *value = sq_text_ref(&r, 1, SQ_OPTIONAL);

		if (r.failed) {
			rc = -1;
			break;
		}
		mg_kvlist_set(out, key, value);
	}
	sq_finish(sq, st);
	return rc;
}

/* Run one statement without parameters, through the statement cache (a read's
 * BEGIN and COMMIT come once per version of a history, ~500 compilations). */
static int exec_sql(struct sq *sq, const char *sql, const char *doing, struct mg_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if (sq_prepare(sq, sql, &st, err))
		return -1;
	rc = sq_run(sq, st, doing, err);
	sq_finish(sq, st);
	return rc;
}

/* --- reading a row strictly ------------------------------------------------ */

static const char *type_name(int type)
{
	switch (type) {
	case SQLITE_INTEGER:
		return "an integer";
	case SQLITE_FLOAT:
		return "a real number";
	case SQLITE_TEXT:
		return "text";
	case SQLITE_BLOB:
		return "a blob";
	default:
		return "NULL";
	}
}

/* Is column `col` of type `want` (or NULL, when optional)? Sets the row's error if not. */
static bool column_is(struct sq_row *r, int col, int want, int want2, const char *wanted,
                      enum sq_need need)
{
	int type = sqlite3_column_type(r->st, col);

	if (type == want || type == want2 || (type == SQLITE_NULL && need == SQ_OPTIONAL))
		return true;
	if (!r->failed)
		mg_err_set(r->err, MG_EXIT_INFRA,
		           "registry database '%s': %s.%s: expected %s, got %s (a row MLflow did "
		           "not write: refusing to read it as a value)",
		           r->sq->path, r->table, sqlite3_column_name(r->st, col), wanted,
		           type_name(type));
	r->failed = true;
	return false;
}

const char *sq_text_ref(struct sq_row *r, int col, enum sq_need need)
{
	if (!column_is(r, col, SQLITE_TEXT, SQLITE_TEXT, "text", need))
		return "";
	return (const char *)sqlite3_column_text(r->st, col);
}

char *sq_text(struct sq_row *r, int col, enum sq_need need)
{
	return mg_registry_strdup(sq_text_ref(r, col, need));
}

int64_t sq_int(struct sq_row *r, int col, enum sq_need need)
{
	if (!column_is(r, col, SQLITE_INTEGER, SQLITE_INTEGER, "an integer", need))
		return 0;
	return sqlite3_column_int64(r->st, col);
}

int64_t sq_int_or(struct sq_row *r, int col, int64_t null_value)
{
	if (sqlite3_column_type(r->st, col) == SQLITE_NULL)
		return null_value;
	return sq_int(r, col, SQ_REQUIRED);
}

double sq_real(struct sq_row *r, int col, enum sq_need need)
{
	if (!column_is(r, col, SQLITE_FLOAT, SQLITE_INTEGER, "a number", need))
		return NAN;
	if (sqlite3_column_type(r->st, col) == SQLITE_NULL)
		return NAN;
	return sqlite3_column_double(r->st, col);
}

/* --- transactions --------------------------------------------------------- */

int sq_begin_read(struct sq *sq, struct mg_err *err)
{
	return exec_sql(sq, "BEGIN", "starting a read", err);
}

/*
 * PRAGMA quick_check of each table a write touches (its b-tree pages, its
 * indexes' order and counts, NOT NULL columns): a damaged store is refused
 * before mlgate adds to the damage. Linear in the tables' size (a few ms for
 * a registry of thousands of versions), once per connection and kind.
 */
static int check_tables(struct sq *sq, const char *const *tables, size_t n, struct mg_err *err)
{
	sqlite3_stmt *st = NULL;
	int ret = -1;

	for (size_t i = 0; i < n; i++) {
		char sql[96];
		const char *msg;
		int rc;

		snprintf(sql, sizeof(sql), "PRAGMA quick_check(%s)", tables[i]);
		if (sq_prepare(sq, sql, &st, err))
			goto done;
		rc = sq_step(sq, st, "checking the database", err);
		if (rc < 0)
			goto done;
		msg = rc ? (const char *)sqlite3_column_text(st, 0) : "no answer";
		if (!msg || strcmp(msg, "ok")) {
			mg_err_set(err, MG_EXIT_INFRA,
			           "registry database '%s' is damaged (PRAGMA quick_check(%s): "
			           "%.200s): nothing was written; restore it from a backup",
			           sq->path, tables[i], msg ? msg : "NULL");
			goto done;
		}
		sq_finish(sq, st);
		st = NULL;
	}
	ret = 0;
done:
	sq_finish(sq, st);
	return ret;
}

int sq_begin_write(struct sq *sq, unsigned tables, struct mg_err *err)
{
	if (exec_sql(sq, "BEGIN IMMEDIATE", "taking the write lock", err))
		return -1;
	if ((tables & SQ_CHECK_REGISTRY) && !(sq->checked & SQ_CHECK_REGISTRY)) {
		if (check_tables(sq, registry_tables, MG_ARRAY_SIZE(registry_tables), err))
			goto fail;
		sq->checked |= SQ_CHECK_REGISTRY;
	}
	if ((tables & SQ_CHECK_TRACKING) && !(sq->checked & SQ_CHECK_TRACKING)) {
		if (check_tables(sq, tracking_tables, MG_ARRAY_SIZE(tracking_tables), err))
			goto fail;
		sq->checked |= SQ_CHECK_TRACKING;
	}
	return 0;
fail:
	sq_rollback(sq);
	return -1;
}

int sq_commit(struct sq *sq, struct mg_err *err)
{
	return exec_sql(sq, "COMMIT", "committing", err);
}

void sq_rollback(struct sq *sq)
{
	struct mg_err ignored = MG_ERR_INIT;

	if (!sqlite3_get_autocommit(sq->db))
		exec_sql(sq, "ROLLBACK", "rolling back", &ignored);
}

void sq_end_read(struct sq *sq)
{
	struct mg_err ignored = MG_ERR_INIT;

	if (!sqlite3_get_autocommit(sq->db) && exec_sql(sq, "COMMIT", "ending a read", &ignored))
		sq_rollback(sq);
}

int64_t sq_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
/* --- opening ---------------------------------------------------------------- */

static int parse_timeout(double *out, struct mg_err *err)
{
	const char *v = getenv(SQ_TIMEOUT_ENV);

	*out = TIMEOUT_DEFAULT;
	if (!v)
		return 0;
	if (mg_parse_double("environment variable " SQ_TIMEOUT_ENV, v, out, err))
		return -1;
	if (*out < 0 || *out > TIMEOUT_MAX)
		return mg_err_set(err, MG_EXIT_USAGE,
		                  "environment variable %s: '%.32s' is out of range (0 to %g "
		                  "seconds)",
		                  SQ_TIMEOUT_ENV, v, TIMEOUT_MAX);
	return 0;
}

/*
 * The database file of a SQLAlchemy-style URI: sqlite:///rel.db is rel.db
 * (relative to the working directory), sqlite:////abs.db is /abs.db.
 */
static int uri_path(const char *uri, char **out, struct mg_err *err)
{
	const char *rest = uri + strlen("sqlite://");

	if (*rest != '/' || !rest[1])
		return mg_err_set(err, MG_EXIT_USAGE,
		                  "registry '%.200s': expected sqlite:///relative/path.db or "
		                  "sqlite:////absolute/path.db",
		                  uri);
	rest++;
	if (strchr(rest, '?'))
		return mg_err_set(err, MG_EXIT_USAGE,
		                  "registry '%.200s': query parameters in sqlite URIs are not "
		                  "supported",
		                  uri);
	if (!strcmp(rest, ":memory:"))
		return mg_err_set(err, MG_EXIT_USAGE,
		                  "registry '%.200s': an in-memory database holds no registry",
		                  uri);
	*out = mg_xstrdup(rest);
	return 0;
}

static bool in_list(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(s, list[i]))
			return true;
	return false;
}

static int check_revision(struct sq *sq, struct mg_err *err)
{
	sqlite3_stmt *st = NULL;
	char *rev = NULL;
	int rc, ret = -1, rows = 0;

	rc = sqlite3_prepare_v2(sq->db, "SELECT version_num FROM alembic_version", -1, &st, NULL);
	if (rc != SQLITE_OK) {
		if ((rc & 0xff) == SQLITE_NOTADB || is_busy(rc))
			sq_fail(sq, rc, "reading the schema", err);
		else if (strstr(sqlite3_errmsg(sq->db), "no such table"))
			mg_err_set(err, MG_EXIT_INFRA,
			           "registry database '%s' is not an MLflow database (it has no "
			           "alembic_version table)",
			           sq->path);
		else
			sq_fail(sq, rc, "reading the schema revision", err);
		goto done;
	}
	while ((rc = sq_step(sq, st, "reading the schema revision", err)) == 1) {
		rows++;
		free(rev);
		rev = mg_registry_strdup((const char *)sqlite3_column_text(st, 0));
	}
	if (rc < 0)
		goto done;
	if (rows != 1) {
		mg_err_set(err, MG_EXIT_INFRA,
		           "registry database '%s' has %d alembic_version rows, expected one: not "
		           "a database MLflow migrated",
		           sq->path, rows);
		goto done;
	}
	if (in_list(rev, supported_revisions, MG_ARRAY_SIZE(supported_revisions))) {
		ret = 0;
	} else if (in_list(rev, older_revisions, MG_ARRAY_SIZE(older_revisions))) {
		mg_err_set(err, MG_EXIT_USAGE,
		           "registry database '%s' has MLflow schema revision %s, older than "
		           "this mlgate supports (1b5f0d9ad7c1 to %s): upgrade it with `mlflow db "
		           "upgrade sqlite:///%s`",
		           sq->path, rev,
		           supported_revisions[MG_ARRAY_SIZE(supported_revisions) - 1], sq->path);
	} else {
		mg_err_set(
		        err, MG_EXIT_USAGE,
		        "registry database '%s' has unknown schema revision '%.40s' (this mlgate "
		        "knows MLflow revisions 1b5f0d9ad7c1 to %s, MLflow 3.17.2): refusing "
		        "to guess its layout",
		        sq->path, rev, supported_revisions[MG_ARRAY_SIZE(supported_revisions) - 1]);
	}
done:
	sq_finish(sq, st);
	free(rev);
	return ret;
}

static int check_columns(struct sq *sq, struct mg_err *err)
{
	sqlite3_stmt *st = NULL, *table = NULL;
	int ret = -1;

	if (sq_prepare(sq, "SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2", &st, err) ||
	    sq_prepare(sq, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1", &table,
	               err))
		goto done;
	for (size_t t = 0; t < MG_ARRAY_SIZE(schema); t++) {
		int rc;

		sqlite3_reset(table);
		sq_bindf(table, "t", schema[t].table);
		rc = sq_step(sq, table, "reading the schema", err);
		if (rc < 0)
			goto done;
		if (rc == 0) {
			mg_err_set(
			        err, MG_EXIT_INFRA,
			        "registry database '%s' has no table '%s' (not the MLflow layout "
			        "this mlgate knows): refusing to use it",
			        sq->path, schema[t].table);
			goto done;
		}
		for (size_t c = 0; c < MG_ARRAY_SIZE(schema[t].columns) && schema[t].columns[c];
		     c++) {
			sqlite3_reset(st);
			sq_bindf(st, "tt", schema[t].table, schema[t].columns[c]);
			rc = sq_step(sq, st, "reading the schema", err);
			if (rc < 0)
				goto done;
			if (rc == 0) {
				mg_err_set(err, MG_EXIT_INFRA,
				           "registry database '%s': table '%s' has no column '%s' "
				           "(not the MLflow layout this mlgate knows): refusing to "
				           "use it",
				           sq->path, schema[t].table, schema[t].columns[c]);
				goto done;
			}
		}
	}
	ret = 0;
done:
	sq_finish(sq, st);
	sq_finish(sq, table);
	return ret;
}

int sq_open(struct sq *sq, const char *uri, struct mg_err *err)
{
	struct stat stbuf;
	int rc;

	if (parse_timeout(&sq->timeout_s, err) || uri_path(uri, &sq->path, err))
		return -1;
	if (stat(sq->path, &stbuf)) {
		if (errno == ENOENT)
			/* not MG_REASON_NOT_FOUND: that would read as "no such model" */
			return mg_err_set(err, MG_EXIT_USAGE,
			                  "registry database '%s' does not exist (mlgate never "
			                  "creates one: let MLflow create it, e.g. with `mlflow "
			                  "server --backend-store-uri sqlite:///%s`)",
			                  sq->path, sq->path);
		return mg_err_set(err, MG_EXIT_INFRA, "cannot open registry database '%s': %s",
		                  sq->path, strerror(errno));
	}
	if (S_ISDIR(stbuf.st_mode))
		return mg_err_set(err, MG_EXIT_USAGE,
		                  "registry database '%s' is a directory, not an SQLite file",
		                  sq->path);
	/* never SQLITE_OPEN_CREATE: a missing file is an error, not a new empty registry */
	rc = sqlite3_open_v2(sq->path, &sq->db, SQLITE_OPEN_READWRITE, NULL);
	if (rc != SQLITE_OK) {
		if (!sq->db)
			mg_die_oom(0);
		return mg_err_set(err, MG_EXIT_INFRA, "cannot open registry database '%s': %s",
		                  sq->path, sqlite3_errmsg(sq->db));
	}
	sqlite3_extended_result_codes(sq->db, 1);
	sqlite3_busy_timeout(sq->db, (int)(sq->timeout_s * 1000 + 0.5));
	/*
	 * The session settings MLflow's SQLAlchemy engine uses for SQLite (LIKE
	 * is case-sensitive in MLflow's filters), and a 512 KiB page cache:
	 * searches scan the table once per page, so a larger cache buys little
	 * and memory stays bounded.
	 */
	if (exec_sql(sq, "PRAGMA foreign_keys = ON", "configuring the connection", err) ||
	    exec_sql(sq, "PRAGMA case_sensitive_like = ON", "configuring the connection", err) ||
	    exec_sql(sq, "PRAGMA cache_size = -512", "configuring the connection", err))
		return -1;
	if (sq_begin_read(sq, err))
		return -1;
	rc = check_revision(sq, err) || check_columns(sq, err);
	sq_end_read(sq);
	return rc ? -1 : 0;
}

void sq_close(struct sq *sq)
{
	for (size_t k = 0; k < sq->ncache; k++) {
		sqlite3_finalize(sq->cache[k].st);
		free(sq->cache[k].sql);
	}
	sqlite3_close_v2(sq->db);
	free(sq->path);
	free(sq->clean_model);
	memset(sq, 0, sizeof(*sq));
}
