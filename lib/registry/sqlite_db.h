/*
 * The SQLite backend's database layer (private to lib/registry/): the
 * connection, statements and their parameters, transactions, the strict
 * reading of column values, and the checks of MLflow's schema and of the
 * file's integrity.
 *
 * Every statement's parameters are bound one way: sq_bind() from a list of
 * values (struct sq_val); sq_bindf() builds that list from a types string:
 * 't' a string, 'T' a string and its size_t length, 'i' an int64_t, 'd' a
 * double, one per ?N in order.
 *
 * Reading is strict: SQLite keeps whatever type a writer gave a value, so a
 * row another tool wrote can hold a number where MLflow keeps text. Each
 * column is read as the type MLflow's schema gives it (struct sq_row); a
 * value of another type, or a NULL in a column MLflow always fills, is
 * MG_EXIT_INFRA naming the database, table and column, never read as a value.
 */
#ifndef MG_SQLITE_DB_H
#define MG_SQLITE_DB_H

#include "registry_backend.h"

#include <sqlite3.h>

#define SQ_TIMEOUT_ENV "MLGATE_SQLITE_TIMEOUT"

/* MLflow's constants (model_version_stages.py, mlflow_tags.py, prompt/constants.py). */
#define STAGE_DELETED_INTERNAL "Deleted_Internal"
#define TAG_RUN_NAME           "mlflow.runName"
#define TAG_USER               "mlflow.user"
#define TAG_IS_PROMPT          "mlflow.prompt.is_prompt"

/* A prepared statement kept for the next query with the same SQL text (sq_prepare). */
struct sq_cached {
	char *sql;
	sqlite3_stmt *st;
	bool busy; /* handed out by sq_prepare, not yet given back by sq_finish */
};
#define SQ_CACHE_MAX 32

struct sq {
	sqlite3 *db;
	char *path;        /* the database file, for messages */
	double timeout_s;  /* how long a busy database is waited for */
	unsigned checked;  /* SQ_CHECK_* kinds of tables found intact (sq_begin_write) */
	char *clean_model; /* the model whose rows were found well typed (registry_sqlite.c) */
	struct sq_cached cache[SQ_CACHE_MAX]; /* statements kept by sq_prepare */
	size_t ncache;
};

static inline struct sq *sq_of(struct mg_registry *reg)
{
	return reg->impl;
}

/* --- errors --- */

/* A failed libsqlite3 call: MG_EXIT_INFRA naming the database and what failed. */
int sq_fail(struct sq *sq, int rc, const char *doing, struct mg_err *err);
/* MG_EXIT_USAGE + MG_REASON_NOT_FOUND: a model, version, run... that is not there. */
int sq_not_found(struct mg_err *err, const char *fmt, ...) MG_PRINTF(2, 3);

/* --- statements and parameters --- */

struct sq_val {
	char type; /* 't' text, 'i' int64, 'd' double */
	const char *s;
	size_t len; /* text: its length in bytes, SIZE_MAX for strlen(s) */
	int64_t i;
	double d;
};

/*
 * A statement for sql, to be given back with sq_finish. Statements are kept
 * per SQL text (up to SQ_CACHE_MAX), so a query run once per version or run
 * is compiled once per connection, not each time: a history of 200 versions
 * made ~1,500 compilations.
 */
int sq_prepare(struct sq *sq, const char *sql, sqlite3_stmt **st, struct mg_err *err);
/* Give st back: a kept statement is reset and unbound, any other finalized (NULL: nothing). */
void sq_finish(struct sq *sq, sqlite3_stmt *st);
/* Bind vals[0..n) to ?1..?n (a ?N the statement does not have is skipped). */
void sq_bind(sqlite3_stmt *st, const struct sq_val *vals, size_t n);
void sq_bindf(sqlite3_stmt *st, const char *types, ...);
/* Step once: 1 a row, 0 done, -1 failed (err set). */
int sq_step(struct sq *sq, sqlite3_stmt *st, const char *doing, struct mg_err *err);
/* Step a write statement to its end. */
int sq_run(struct sq *sq, sqlite3_stmt *st, const char *doing, struct mg_err *err);
/* Prepare `sql` into *st and bind its parameters: a query ready to step. */
int sq_query(struct sq *sq, sqlite3_stmt **st, struct mg_err *err, const char *sql,
             const char *types, ...);
/* Prepare, bind and run `sql` to its end: one write statement in one call. */
int sq_exec(struct sq *sq, const char *doing, struct mg_err *err, const char *sql,
            const char *types, ...);
/* Every (key text, value text or NULL) row of `sql` into `out`; `table` names it in messages. */
int sq_kvlist(struct sq *sq, const char *table, struct mg_kvlist *out, struct mg_err *err,
              const char *sql, const char *types, ...);

/* --- reading a row strictly --- */

enum sq_need { SQ_OPTIONAL, SQ_REQUIRED };

struct sq_row {
	struct sq *sq;
	sqlite3_stmt *st;
	const char *table; /* where the columns come from, for messages */
	struct mg_err *err;
	bool failed; /* a column was of the wrong type: err is set */
};

#define SQ_ROW(sq_, st_, table_, err_)                                                      \
	{                                                                                   \
		.sq = (sq_), .st = (st_), .table = (table_), .err = (err_), .failed = false \
	}

/* A text column, copied ("" for an optional NULL). */
char *sq_text(struct sq_row *r, int col, enum sq_need need);
/* The same, borrowed from the statement until its next step (NULL for an optional NULL). */
const char *sq_text_ref(struct sq_row *r, int col, enum sq_need need);
/* An integer column (0 for an optional NULL, or `null_value` with sq_int_or). */
int64_t sq_int(struct sq_row *r, int col, enum sq_need need);
int64_t sq_int_or(struct sq_row *r, int col, int64_t null_value);
/* A REAL column (an integer value is a number too); an optional NULL is NaN. */
double sq_real(struct sq_row *r, int col, enum sq_need need);

/* --- transactions --- */

/* The tables a write touches, checked once per connection before its first write. */
enum {
	SQ_CHECK_REGISTRY = 1, /* registered models, versions, their tags, aliases */
	SQ_CHECK_TRACKING = 2, /* experiments, runs, their params, tags, latest metrics */
};

/* A consistent snapshot for a read made of several statements. */
int sq_begin_read(struct sq *sq, struct mg_err *err);
/* The write lock first (a write waits for it instead of failing midway), then the integrity check.
 */
int sq_begin_write(struct sq *sq, unsigned tables, struct mg_err *err);
int sq_commit(struct sq *sq, struct mg_err *err);
/* End a transaction that failed; nothing of it stays. */
void sq_rollback(struct sq *sq);
/* End a read: it has nothing to keep. */
void sq_end_read(struct sq *sq);

/* MLflow's get_current_time_millis(): int(time.time() * 1000). */
int64_t sq_now_ms(void);

/* --- opening --- */

/* Open the MLflow SQLite database of `uri` (sqlite:///rel.db, sqlite:////abs.db) into sq. */
int sq_open(struct sq *sq, const char *uri, struct mg_err *err);
void sq_close(struct sq *sq);

#endif
