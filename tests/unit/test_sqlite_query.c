/*
 * The SQLite backend without a registry: the SQL of a version search and its
 * values (sqlite_query.c), and strict column reads on an in-memory database
 * (sqlite_db.c).
 */
#include "setup.h"
#include "unit.h"
#include "sqlite_query.h"
#include "alloc.h"

#include <math.h>

static const char *val_text(const struct sq_query *q, size_t i)
{
	CU_ASSERT_FATAL(i < q->n);
	CU_ASSERT_EQUAL(q->vals[i].type, 't');
	return q->vals[i].s;
}

/* A filter becomes MLflow's SQL: every value a placeholder, prompts hidden. */
static void test_sqlite_query__filter(void)
{
	struct mg_mvfilter f = MG_MVFILTER_INIT;
	struct mg_mvorder o;
	struct sq_selection sel = {.filter = &f};
	struct sq_query q;
	struct mg_err err = MG_ERR_INIT;

	CU_ASSERT_EQUAL_FATAL(
	        mg_mvfilter_parse("name = 'churn' AND run_id IN ('a', 'b') AND tags.team = 'x' AND "
	                          "version_number > 3",
	                          &f, &err),
	        0);
	CU_ASSERT_EQUAL_FATAL(mg_mvorder_parse(NULL, &o, &err), 0);
	sel.exclude_prompts = !sq_querying_prompts(&f);
	CU_ASSERT_TRUE(sel.exclude_prompts);
	sq_query_init(&q);
	sq_query_page(&q, "default", &sel, &o, NULL, 50);
	CU_ASSERT_PTR_NOT_NULL(
	        strstr(q.sql.buf, "FROM model_versions AS mv WHERE mv.workspace = ?"));
	CU_ASSERT_PTR_NOT_NULL(strstr(q.sql.buf, " AND mv.name = ?"));
	CU_ASSERT_PTR_NOT_NULL(strstr(q.sql.buf, " AND mv.run_id IN (?, ?)"));
	CU_ASSERT_PTR_NOT_NULL(strstr(q.sql.buf, "AND t.key = ? AND t.value = ?)"));
	CU_ASSERT_PTR_NOT_NULL(strstr(q.sql.buf, " AND mv.version > ?"));
	CU_ASSERT_PTR_NOT_NULL(
	        strstr(q.sql.buf, "AND NOT EXISTS (SELECT 1 FROM model_version_tags"));
	CU_ASSERT_PTR_NULL(strstr(q.sql.buf, "churn")); /* values are never in the text */
	CU_ASSERT_EQUAL(q.n, 8);
	ASSERT_STR(val_text(&q, 0), "default");
	ASSERT_STR(val_text(&q, 1), "churn");
	ASSERT_STR(val_text(&q, 2), "a");
	ASSERT_STR(val_text(&q, 3), "b");
	ASSERT_STR(val_text(&q, 4), "team");
	ASSERT_STR(val_text(&q, 5), "x");
	CU_ASSERT_EQUAL(q.vals[6].type, 'i');
	CU_ASSERT_EQUAL(q.vals[6].i, 3);
	CU_ASSERT_EQUAL(q.vals[7].i, 50); /* the LIMIT */
	sq_query_release(&q);
	mg_mvfilter_release(&f);
}

/* The next page starts strictly after the cursor, in the order's keys. */
static void test_sqlite_query__keyset_after_cursor(void)
{
	struct mg_mvorder o;
	struct sq_selection sel = {.name = "churn", .stage = "Production"};
	struct mg_model_version mv = {
	        .name = (char *)"churn", .version = (char *)"7", .creation_timestamp = 100};
	struct sq_cursor c = {0};
	struct sq_query q;
	struct mg_err err = MG_ERR_INIT;

	CU_ASSERT_EQUAL_FATAL(mg_mvorder_parse("version_number DESC", &o, &err), 0);
	sq_cursor_set(&c, &mv, false);
	CU_ASSERT_EQUAL(c.updated, INT64_MIN); /* a NULL sorts as the ORDER BY's coalesce */
	sq_query_init(&q);
	sq_query_page(&q, "default", &sel, &o, &c, 10);
	CU_ASSERT_PTR_NOT_NULL(strstr(q.sql.buf, "AND mv.current_stage = ?"));
	CU_ASSERT_PTR_NOT_NULL(strstr(q.sql.buf, "AND ((mv.version < ?) OR (mv.version = ? AND "));
	CU_ASSERT_PTR_NOT_NULL(strstr(q.sql.buf, " ORDER BY mv.version DESC"));
	CU_ASSERT_EQUAL(q.vals[3].i, 7);
	sq_query_release(&q);
	sq_cursor_release(&c);
}

/* Each column read as MLflow's schema types it; anything else names table.column. */
static void test_sqlite_query__strict_rows(void)
{
	struct sq sq = {.path = mg_xstrdup("mem.db")};
	sqlite3_stmt *st = NULL;
	struct mg_err err = MG_ERR_INIT;
	struct sq_row r;
	char *s;

	CU_ASSERT_EQUAL_FATAL(sqlite3_open(":memory:", &sq.db), SQLITE_OK);
	CU_ASSERT_EQUAL_FATAL(sq_query(&sq, &st, &err,
	                               "SELECT ?1 AS current_stage, ?2 AS version, NULL AS "
	                               "description, 1.5 AS value, x'07' AS name",
	                               "ti", "Production", (int64_t)3),
	                      0);
	CU_ASSERT_EQUAL(sq_step(&sq, st, "reading", &err), 1);
	r = (struct sq_row)SQ_ROW(&sq, st, "model_versions", &err);
	s = sq_text(&r, 0, SQ_REQUIRED);
	ASSERT_STR(s, "Production");
	free(s);
	CU_ASSERT_EQUAL(sq_int(&r, 1, SQ_REQUIRED), 3);
	s = sq_text(&r, 2, SQ_OPTIONAL);
	ASSERT_STR(s, "");
	free(s);
	CU_ASSERT_PTR_NULL(sq_text_ref(&r, 2, SQ_OPTIONAL));
	CU_ASSERT_EQUAL(sq_real(&r, 3, SQ_REQUIRED), 1.5);
	CU_ASSERT_FALSE(r.failed);
	/* an integer is not text, a real not an integer, a blob not text, NULL not required */
	CU_ASSERT_EQUAL(sq_int(&r, 3, SQ_REQUIRED), 0);
	CU_ASSERT_TRUE(r.failed);
	CU_ASSERT_EQUAL(err.code, MG_EXIT_INFRA);
	ASSERT_STR(err.msg, "registry database 'mem.db': model_versions.value: expected an "
	                    "integer, got a real number (a row MLflow did not write: refusing to "
	                    "read it as a value)");
	err = (struct mg_err)MG_ERR_INIT;
	r = (struct sq_row)SQ_ROW(&sq, st, "model_versions", &err);
	CU_ASSERT_STRING_EQUAL(sq_text_ref(&r, 4, SQ_REQUIRED), "");
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "model_versions.name: expected text, got a blob"));
	err = (struct mg_err)MG_ERR_INIT;
	r = (struct sq_row)SQ_ROW(&sq, st, "model_versions", &err);
	sq_text_ref(&r, 2, SQ_REQUIRED);
	CU_ASSERT_PTR_NOT_NULL(
	        strstr(err.msg, "model_versions.description: expected text, got NULL"));
	err = (struct mg_err)MG_ERR_INIT;
	r = (struct sq_row)SQ_ROW(&sq, st, "model_versions", &err);
	sq_text_ref(&r, 1, SQ_REQUIRED);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "expected text, got an integer"));
	CU_ASSERT_TRUE(isnan(sq_real(&r, 2, SQ_OPTIONAL)));
	sq_finish(&sq, st); /* kept by the statement cache, which sq_close empties */
	sq_close(&sq);
}

static const struct unit_test tests[] = {
        UNIT_TEST(test_sqlite_query__filter),
        UNIT_TEST(test_sqlite_query__keyset_after_cursor),
        UNIT_TEST(test_sqlite_query__strict_rows),
        UNIT_END,
};

const struct unit_suite unit_suite_sqlite_query = {"sqlite_query", NULL, NULL, tests};
