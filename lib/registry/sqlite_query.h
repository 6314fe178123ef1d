/*
 * The SQL of a model-version search on MLflow's SQLite schema (private to
 * lib/registry/): a parsed filter (mvfilter.h) turned into a WHERE clause as
 * MLflow's SQLAlchemy store writes it, one ordering, and keyset pagination
 * from a cursor. Building a query needs no database: its text and values
 * are unit-tested as they are (test_sqlite_query.c).
 */
#ifndef MG_SQLITE_QUERY_H
#define MG_SQLITE_QUERY_H

#include "buf.h"
#include "mvfilter.h"
#include "sqlite_db.h"

/* The model_versions columns every version read selects, in row_to_version's order. */
#define MV_COLUMNS                                                                           \
	"mv.name, mv.version, mv.creation_time, mv.last_updated_time, mv.description, "      \
	"mv.user_id, mv.current_stage, mv.source, mv.run_id, mv.status, mv.status_message, " \
	"mv.run_link"

/* The part of a search that selects versions: everything but ordering and paging. */
struct sq_selection {
	const struct mg_mvfilter *filter; /* may be NULL */
	const char *name;                 /* versions_in_stage: the model */
	const char *stage;                /* versions_in_stage: the stage */
	bool exclude_prompts;             /* MLflow's search hides prompt versions */
	bool aliases;                     /* fill aliases (not in MLflow's search) */
};

/* Where a page ended: the ordering keys of its last row. */
struct sq_cursor {
	bool started;
	char *name;
	int64_t version;
	int64_t creation; /* NULL read as INT64_MIN, as the ORDER BY does */
	int64_t updated;
};

/* SQL text and its values in placeholder order; strings are borrowed. */
struct sq_query {
	struct mg_buf sql;
	struct sq_val *vals;
	size_t n, alloc;
};

void sq_query_init(struct sq_query *q);
void sq_query_release(struct sq_query *q);

/*
 * The query of one page: the versions `sel` selects in `workspace`, after
 * cursor `c` (when started) in order `o`, at most `limit` of them; the
 * columns are MV_COLUMNS.
 */
void sq_query_page(struct sq_query *q, const char *workspace, const struct sq_selection *sel,
                   const struct mg_mvorder *o, const struct sq_cursor *c, int64_t limit);
int sq_query_prepare(struct sq *sq, const struct sq_query *q, sqlite3_stmt **st,
                     struct mg_err *err);

/* MLflow's _is_querying_prompt(): the first clause on the prompt tag decides. */
bool sq_querying_prompts(const struct mg_mvfilter *f);

/* The cursor after version `mv`, a row just read. */
void sq_cursor_set(struct sq_cursor *c, const struct mg_model_version *mv, bool has_updated);
void sq_cursor_release(struct sq_cursor *c);

#endif
