/*
 * Model-version search filters and orderings in MLflow's grammar, parsed
 * into clauses a backend can turn into SQL with bound parameters (the SQLite
 * backend does). Pure C: no database, no I/O.
 *
 * Filter grammar (MLflow's SearchModelVersionUtils, as far as it is
 * reasonable):
 *
 *   filter  := clause { AND clause }              AND in any case
 *   clause  := attr op value | tag op string
 *   attr    := [attribute.]name | run_id | source_path | version_number
 *   tag     := tags.KEY | tag.KEY                 KEY bare ([A-Za-z0-9_.]),
 *                                                 "double quoted" or `backticked`
 *   string  := 'single quoted' | "double quoted"  the text between the quotes,
 *                                                 taken as is ('' and \' do not end
 *                                                 the string and are not unescaped:
 *                                                 MLflow does the same)
 *
 *   name, run_id, source_path   = != LIKE ILIKE with a string;
 *   name, run_id                also IN / NOT IN ('a', 'b', ...)
 *   version_number              = != < <= > >= with an integer or a quoted integer
 *   tags.KEY                    = != LIKE ILIKE with a string
 *
 * Anything else (OR, parentheses, other attributes, a comparator a field
 * does not take, an unquoted string) is an MG_EXIT_USAGE error whose message
 * names the unsupported part. An empty or blank filter has no clauses.
 *
 * Orderings: a comma-separated list of `KEY [ASC|DESC]` (any case), KEY one
 * of name, version_number, creation_timestamp, last_updated_timestamp
 * (optionally `attribute.`-prefixed or backticked). MLflow's tie-breakers are
 * appended: name ASC, then version_number DESC, unless already present. An
 * empty ordering is MLflow's default: last_updated_timestamp DESC, name ASC,
 * version_number DESC.
 *
 * Ownership: a parsed filter owns its strings; mg_mvfilter_release frees them
 * (safe on a zeroed or released filter).
 */
#ifndef MG_MVFILTER_H
#define MG_MVFILTER_H

#include "setup.h"
#include "err.h"

enum mg_mvf_field {
	MG_MVF_NAME,
	MG_MVF_RUN_ID,
	MG_MVF_SOURCE_PATH, /* the `source` column */
	MG_MVF_VERSION,     /* version_number */
	MG_MVF_TAG,         /* tags.<key> */
};

enum mg_mvf_op {
	MG_MVF_EQ,
	MG_MVF_NE,
	MG_MVF_LT,
	MG_MVF_LE,
	MG_MVF_GT,
	MG_MVF_GE,
	MG_MVF_LIKE,
	MG_MVF_ILIKE,
	MG_MVF_IN,
	MG_MVF_NOT_IN,
};

struct mg_mvf_clause {
	enum mg_mvf_field field;
	enum mg_mvf_op op;
	char *tag_key; /* MG_MVF_TAG: the key; NULL otherwise */
	char **values; /* the string value(s): 1, or 1..n for IN / NOT IN; none for VERSION */
	size_t n_values;
	long long number; /* MG_MVF_VERSION: the version number */
};

struct mg_mvfilter {
	struct mg_mvf_clause *clauses;
	size_t n;
};

#define MG_MVFILTER_INIT \
	{                \
		NULL, 0  \
	}

/*
 * Parse `filter` (NULL or blank: no clauses) into `out`, which must be
 * initialised. On failure `out` is left empty and `err` says which part is
 * not supported (MG_EXIT_USAGE).
 */
int mg_mvfilter_parse(const char *filter, struct mg_mvfilter *out, struct mg_err *err);

void mg_mvfilter_release(struct mg_mvfilter *f);

/* "=", "!=", "<", ..., "LIKE", "ILIKE", "IN", "NOT IN". */
const char *mg_mvf_op_name(enum mg_mvf_op op);

/* MLflow's name for a field: "name", "run_id", "source_path", "version_number", "tags". */
const char *mg_mvf_field_name(enum mg_mvf_field field);

enum mg_mvo_key {
	MG_MVO_NAME,
	MG_MVO_VERSION,
	MG_MVO_CREATION,     /* creation_timestamp */
	MG_MVO_LAST_UPDATED, /* last_updated_timestamp */
};

#define MG_MVORDER_MAX 4

struct mg_mvorder {
	struct {
		enum mg_mvo_key key;
		bool asc;
	} keys[MG_MVORDER_MAX];
	size_t n;
};

/*
 * Parse `order_by` (NULL or blank: MLflow's default) into `out`, tie-breakers
 * included. A duplicate or unknown key or direction is MG_EXIT_USAGE.
 */
int mg_mvorder_parse(const char *order_by, struct mg_mvorder *out, struct mg_err *err);

#endif
