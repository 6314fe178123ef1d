/*
 * Model-version searches as SQL on MLflow's SQLite schema: see sqlite_query.h.
 */
#include "setup.h"
#include "sqlite_query.h"
#include "alloc.h"

#include <strings.h>

void sq_query_init(struct sq_query *q)
{
	mg_buf_init(&q->sql, MG_BUF_SMALL * 4);
	q->vals = NULL;
	q->n = q->alloc = 0;
}

void sq_query_release(struct sq_query *q)
{
	mg_buf_release(&q->sql);
	free(q->vals);
	q->vals = NULL;
	q->n = q->alloc = 0;
}

static struct sq_val *q_add(struct sq_query *q)
{
	if (q->n == q->alloc) {
		q->alloc = q->alloc ? 2 * q->alloc : 16;
		q->vals = mg_xrealloc(q->vals, mg_st_mult(q->alloc, sizeof(*q->vals)));
	}
	memset(&q->vals[q->n], 0, sizeof(q->vals[0]));
	return &q->vals[q->n++];
}

/* Append SQL text `sql` holding one "?" placeholder for text `s`. */
static void q_text(struct sq_query *q, const char *sql, const char *s)
{
	struct sq_val *v;

	mg_buf_adds(&q->sql, sql);
	v = q_add(q);
	v->type = 't';
	v->s = s;
	v->len = SIZE_MAX;
}

static void q_int(struct sq_query *q, const char *sql, int64_t i)
{
	struct sq_val *v;

	mg_buf_adds(&q->sql, sql);
	v = q_add(q);
	v->type = 'i';
	v->i = i;
}

int sq_query_prepare(struct sq *sq, const struct sq_query *q, sqlite3_stmt **st, struct mg_err *err)
{
	if (mg_buf_overflowed(&q->sql))
		return mg_err_setr(err, MG_EXIT_USAGE, MG_REASON_TOO_LARGE,
		                   "search query too large");
	if (sq_prepare(sq, q->sql.buf, st, err))
		return -1;
	sq_bind(*st, q->vals, q->n);
	return 0;
}

static const char *order_expr(enum mg_mvo_key key)
{
	switch (key) {
	case MG_MVO_NAME:
		return "mv.name";
	case MG_MVO_VERSION:
		return "mv.version";
	case MG_MVO_CREATION:
		return "coalesce(mv.creation_time, -9223372036854775807 - 1)";
	case MG_MVO_LAST_UPDATED:
	default:
		return "coalesce(mv.last_updated_time, -9223372036854775807 - 1)";
	}
}

static void q_cursor_value(struct sq_query *q, const struct sq_cursor *c, enum mg_mvo_key key,
                           const char *sql)
{
	switch (key) {
	case MG_MVO_NAME:
		q_text(q, sql, c->name);
		break;
	case MG_MVO_VERSION:
		q_int(q, sql, c->version);
		break;
	case MG_MVO_CREATION:
		q_int(q, sql, c->creation);
		break;
	case MG_MVO_LAST_UPDATED:
	default:
		q_int(q, sql, c->updated);
		break;
	}
}

/*
 * Keyset pagination: rows strictly after the cursor in the ordering. The
 * ordering always ends with name and version, unique per workspace, so it
 * is total and no row is skipped or repeated between pages.
 */
static void q_after(struct sq_query *q, const struct mg_mvorder *o, const struct sq_cursor *c)
{
	mg_buf_adds(&q->sql, " AND (");
	for (size_t i = 0; i < o->n; i++) {
		mg_buf_adds(&q->sql, i ? " OR (" : "(");
		for (size_t j = 0; j < i; j++) {
			mg_buf_addf(&q->sql, "%s = ", order_expr(o->keys[j].key));
			q_cursor_value(q, c, o->keys[j].key, "? AND ");
		}
		mg_buf_addf(&q->sql, "%s %c ", order_expr(o->keys[i].key),
		            o->keys[i].asc ? '>' : '<');
		q_cursor_value(q, c, o->keys[i].key, "?)");
	}
	mg_buf_adds(&q->sql, ")");
}

static const char *sql_op(enum mg_mvf_op op)
{
	switch (op) {
	case MG_MVF_EQ:
		return "=";
	case MG_MVF_NE:
		return "!=";
	case MG_MVF_LT:
		return "<";
	case MG_MVF_LE:
		return "<=";
	case MG_MVF_GT:
		return ">";
	case MG_MVF_GE:
		return ">=";
	case MG_MVF_LIKE:
	default:
		return "LIKE";
	}
}

/* `column OP ?` for a string comparison, as SQLAlchemy writes it for SQLite. */
static void q_string_cmp(struct sq_query *q, const char *column, const struct mg_mvf_clause *c)
{
	switch (c->op) {
	case MG_MVF_ILIKE:
		mg_buf_addf(&q->sql, " AND lower(%s) LIKE lower(", column);
		q_text(q, "?)", c->values[0]);
		break;
	case MG_MVF_IN:
	case MG_MVF_NOT_IN:
		mg_buf_addf(&q->sql, " AND %s %s (", column, c->op == MG_MVF_IN ? "IN" : "NOT IN");
		for (size_t i = 0; i < c->n_values; i++)
			q_text(q, i ? ", ?" : "?", c->values[i]);
		mg_buf_adds(&q->sql, ")");
		break;
	default:
		mg_buf_addf(&q->sql, " AND %s %s ", column, sql_op(c->op));
		q_text(q, "?", c->values[0]);
		break;
	}
}

bool sq_querying_prompts(const struct mg_mvfilter *f)
{
	for (size_t i = 0; f && i < f->n; i++) {
		const struct mg_mvf_clause *c = &f->clauses[i];

		if (c->field != MG_MVF_TAG || strcmp(c->tag_key, TAG_IS_PROMPT))
			continue;
		return (c->op == MG_MVF_EQ && !strcasecmp(c->values[0], "true")) ||
		       (c->op == MG_MVF_NE && !strcasecmp(c->values[0], "false"));
	}
	return false;
}

static void q_selection(struct sq_query *q, const char *workspace, const struct sq_selection *sel)
{
	const struct mg_mvfilter *f = sel->filter;

	q_text(q, "SELECT " MV_COLUMNS " FROM model_versions AS mv WHERE mv.workspace = ?",
	       workspace);
	mg_buf_adds(&q->sql, " AND mv.current_stage != '" STAGE_DELETED_INTERNAL "'");
	if (sel->name)
		q_text(q, " AND mv.name = ?", sel->name);
	if (sel->stage)
		q_text(q, " AND mv.current_stage = ?", sel->stage);
	for (size_t i = 0; f && i < f->n; i++) {
		const struct mg_mvf_clause *c = &f->clauses[i];

		switch (c->field) {
		case MG_MVF_NAME:
			q_string_cmp(q, "mv.name", c);
			break;
		case MG_MVF_RUN_ID:
			q_string_cmp(q, "mv.run_id", c);
			break;
		case MG_MVF_SOURCE_PATH:
			q_string_cmp(q, "mv.source", c);
			break;
		case MG_MVF_VERSION:
			mg_buf_addf(&q->sql, " AND mv.version %s ", sql_op(c->op));
			q_int(q, "?", c->number);
			break;
		case MG_MVF_TAG:
			/* MLflow drops conditions on the prompt tag when hiding prompts */
			if (sel->exclude_prompts && !strcmp(c->tag_key, TAG_IS_PROMPT))
				break;
			mg_buf_adds(&q->sql,
			            " AND EXISTS (SELECT 1 FROM model_version_tags AS t "
			            "WHERE t.workspace = mv.workspace AND t.name = mv.name "
			            "AND t.version = mv.version");
			q_text(q, " AND t.key = ?", c->tag_key);
			q_string_cmp(q, "t.value", c);
			mg_buf_adds(&q->sql, ")");
			break;
		}
	}
	if (sel->exclude_prompts)
		mg_buf_adds(&q->sql, " AND NOT EXISTS (SELECT 1 FROM model_version_tags AS p WHERE "
		                     "p.workspace = mv.workspace AND p.name = mv.name AND p.key = "
		                     "'" TAG_IS_PROMPT "' AND p.value = 'true')");
}

void sq_query_page(struct sq_query *q, const char *workspace, const struct sq_selection *sel,
                   const struct mg_mvorder *o, const struct sq_cursor *c, int64_t limit)
{
	q->n = 0;
	mg_buf_reset(&q->sql);
	q_selection(q, workspace, sel);
	if (c && c->started)
		q_after(q, o, c);
	mg_buf_adds(&q->sql, " ORDER BY ");
	for (size_t i = 0; i < o->n; i++)
		mg_buf_addf(&q->sql, "%s%s %s", i ? ", " : "", order_expr(o->keys[i].key),
		            o->keys[i].asc ? "ASC" : "DESC");
	q_int(q, " LIMIT ?", limit);
}

void sq_cursor_set(struct sq_cursor *c, const struct mg_model_version *mv, bool has_updated)
{
	free(c->name);
	c->started = true;
	c->name = mg_xstrdup(mv->name);
	c->version = strtoll(mv->version, NULL, 10);
	c->creation = mv->creation_timestamp;
	c->updated = has_updated ? mv->last_updated_timestamp : INT64_MIN;
}

void sq_cursor_release(struct sq_cursor *c)
{
	MG_FREE_AND_NULL(c->name);
	c->started = false;
}
