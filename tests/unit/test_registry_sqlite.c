/*
 * The SQLite backend on databases built from MLflow's own DDL
 * (fixtures/registry/mlflow-3.17.2-schema.sql, read relative to the working
 * directory: run the unit tests from the repository root, as make does).
 * What integration tests cannot easily reach: callbacks that write while a
 * search streams, early stops and callback errors, metric-history paging.
 * Comparisons with MLflow itself live in tests/integration/t_sqlite_*.sh.
 */
#include "setup.h"
#include "unit.h"
#include "alloc.h"
#include "buf.h"
#include "ctx.h"
#include "registry.h"

#include <sqlite3.h>
#include <unistd.h>

#define VERSIONS 50

static char *dir;
static char *db_path;
static char *uri;
static struct mg_ctx ctx;

/* A registry as MLflow leaves it: model 'm' with VERSIONS versions, a run with metrics. */
static int setup(void)
{
	struct mg_buf b = MG_BUF_INIT(MG_BUF_SMALL);
	sqlite3 *db = NULL;
	int rc = -1;

	mg_ctx_init(&ctx, "unit");
	if (unit_mlflow_db(&dir, &db_path, &uri, &db) ||
	    unit_sql(db, "BEGIN; INSERT INTO registered_models (name, creation_time, "
	                 "last_updated_time, workspace) VALUES ('m', 1, 1, 'default');"))
		goto done;
	for (int v = 1; v <= VERSIONS; v++) {
		mg_buf_reset(&b);
		mg_buf_addf(&b,
		            "INSERT INTO model_versions (name, version, creation_time, "
		            "last_updated_time, current_stage, source, status, storage_location, "
		            "workspace) VALUES ('m', %d, %d, %d, 'None', 's3://b/%d', 'READY', "
		            "'s3://b/%d', 'default');"
		            "INSERT INTO model_version_tags (key, value, name, version, workspace) "
		            "VALUES ('i', '%d', 'm', %d, 'default');",
		            v, 1000 + v, 1000 + v, v, v, v, v);
		if (unit_sql(db, b.buf))
			goto done;
	}
	if (unit_sql(db, "INSERT INTO experiments (experiment_id, name, artifact_location, "
	                 "lifecycle_stage, creation_time, last_update_time, workspace) VALUES (1, "
	                 "'e', '/a/1', 'active', 1, 1, 'default');"
	                 "INSERT INTO runs (run_uuid, name, source_type, source_name, "
	                 "entry_point_name, user_id, status, start_time, source_version, "
	                 "lifecycle_stage, artifact_uri, experiment_id) VALUES ("
	                 "'0123456789abcdef0123456789abcdef', 'r', 'UNKNOWN', '', '', 'u', "
	                 "'RUNNING', 1, '', 'active', '/a/1/x/artifacts', 1);"))
		goto done;
	/* 2500 history points, inserted out of order, with ties on timestamp and step */
	for (int i = 0; i < 2500; i++) {
		mg_buf_reset(&b);
		mg_buf_addf(&b,
		            "INSERT INTO metrics (key, value, timestamp, run_uuid, step, is_nan) "
		            "VALUES ('h', %d, %d, '0123456789abcdef0123456789abcdef', %d, 0);",
		            (i * 7) % 11, (2500 - i) / 3, i % 2);
		if (unit_sql(db, b.buf))
			goto done;
	}
	if (unit_sql(db, "COMMIT"))
		goto done;
	rc = 0;
done:
	sqlite3_close(db);
	mg_buf_release(&b);
	return rc;
}

static int cleanup(void)
{
	unit_rmtree(dir);
	MG_FREE_AND_NULL(dir);
	MG_FREE_AND_NULL(db_path);
	MG_FREE_AND_NULL(uri);
	mg_ctx_release(&ctx);
	return 0;
}

static struct mg_registry *open_reg(void)
{
	struct mg_registry *reg = NULL;
	struct mg_err err = MG_ERR_INIT;

	if (mg_registry_open(&ctx, uri, &reg, &err))
		fprintf(stderr, "open failed: %s\n", err.msg);
	return reg;
}

struct visit {
	struct mg_registry *reg;
	int seen[VERSIONS + 1];
	int n;
	int stop_after; /* 0: never */
	bool fail;
	bool write;
};

static int visit_cb(void *arg, const struct mg_model_version *mv, struct mg_err *err)
{
	struct visit *v = arg;
	long n = strtol(mv->version, NULL, 10);

	if (n >= 1 && n <= VERSIONS)
		v->seen[n]++;
	v->n++;
	CU_ASSERT_STRING_EQUAL(mg_kvlist_get(&mv->tags, "i"), mv->version);
	if (v->fail)
		return mg_err_set(err, MG_EXIT_USAGE, "boom at %s", mv->version);
	/* a gate writing while it streams: each transition re-times versions */
	if (v->write &&
	    mg_registry_transition_stage(v->reg, mv->name, mv->version, "Staging", true, err))
		return -1;
	return v->stop_after && v->n >= v->stop_after ? 1 : 0;
}

static void test_registry_sqlite__writes_while_streaming(void)
{
	struct mg_registry *reg = open_reg();
	struct mg_version_query q = {.page_size = 7};
	struct visit v = {.reg = reg, .write = true};
	struct mg_err err = MG_ERR_INIT;

	CU_ASSERT_PTR_NOT_NULL_FATAL(reg);
	/* default order: last_updated_timestamp DESC, which every transition changes */
	CU_ASSERT_EQUAL(mg_registry_search_versions(reg, &q, visit_cb, &v, &err), 0);
	CU_ASSERT_EQUAL(v.n, VERSIONS);
	for (int i = 1; i <= VERSIONS; i++)
		CU_ASSERT_EQUAL(v.seen[i], 1);
	/* the last one transitioned (version 1) is in Staging, all others archived */
	memset(&v, 0, sizeof(v));
	v.reg = reg;
	CU_ASSERT_EQUAL(mg_registry_versions_in_stage(reg, "m", "staging", visit_cb, &v, &err), 0);
	CU_ASSERT_EQUAL(v.n, 1);
	CU_ASSERT_EQUAL(v.seen[1], 1);
	mg_registry_close(reg);
}

static void test_registry_sqlite__stop_and_fail(void)
{
	struct mg_registry *reg = open_reg();
	struct mg_version_query q = {.page_size = 4, .order_by = "version_number ASC"};
	struct visit v = {.stop_after = 6};
	struct mg_err err = MG_ERR_INIT;

	CU_ASSERT_PTR_NOT_NULL_FATAL(reg);
	CU_ASSERT_EQUAL(mg_registry_search_versions(reg, &q, visit_cb, &v, &err), 0);
	CU_ASSERT_EQUAL(v.n, 6);
	CU_ASSERT_EQUAL(v.seen[6], 1);
	CU_ASSERT_EQUAL(v.seen[7], 0);

	memset(&v, 0, sizeof(v));
	v.fail = true;
	CU_ASSERT_EQUAL(mg_registry_search_versions(reg, &q, visit_cb, &v, &err), -1);
	CU_ASSERT_EQUAL(err.code, MG_EXIT_USAGE);
	CU_ASSERT_STRING_EQUAL(err.msg, "boom at 1");
	/* nothing left open: a write right after works */
	mg_err_clear(&err);
	CU_ASSERT_EQUAL(mg_registry_set_version_tag(reg, "m", "3", "k", "v", &err), 0);
	mg_registry_close(reg);
}

struct history {
	int n;
	int64_t ts, step;
	double value;
	bool ordered;
};

static int history_cb(void *arg, const struct mg_metric *m, struct mg_err *err)
{
	struct history *h = arg;

	(void)err;
	if (h->n && (m->timestamp < h->ts ||
	             (m->timestamp == h->ts &&
	              (m->step < h->step || (m->step == h->step && m->value < h->value)))))
		h->ordered = false;
	h->ts = m->timestamp;
	h->step = m->step;
	h->value = m->value;
	h->n++;
	return 0;
}

static void test_registry_sqlite__history_pages(void)
{
	struct mg_registry *reg = open_reg();
	struct history h = {.ordered = true};
	struct mg_err err = MG_ERR_INIT;

	CU_ASSERT_PTR_NOT_NULL_FATAL(reg);
	CU_ASSERT_EQUAL(mg_registry_metric_history(reg, "0123456789abcdef0123456789abcdef", "h",
	                                           history_cb, &h, &err),
	                0);
	CU_ASSERT_EQUAL(h.n, 2500);
	CU_ASSERT_TRUE(h.ordered);
	mg_registry_close(reg);
}

static void test_registry_sqlite__missing_file_not_created(void)
{
	struct mg_buf b = MG_BUF_INIT(MG_BUF_SMALL);
	struct mg_registry *reg = NULL;
	struct mg_err err = MG_ERR_INIT;
	char *path;

	mg_buf_addf(&b, "%s/missing.db", dir);
	path = mg_buf_take(&b, NULL);
	mg_buf_addf(&b, "sqlite:///%s", path);
	CU_ASSERT_EQUAL(mg_registry_open(&ctx, b.buf, &reg, &err), -1);
	CU_ASSERT_PTR_NULL(reg);
	CU_ASSERT_EQUAL(err.code, MG_EXIT_USAGE);
	CU_ASSERT_NOT_EQUAL(err.reason, MG_REASON_NOT_FOUND);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "does not exist"));
	CU_ASSERT_NOT_EQUAL(access(path, F_OK), 0);
	free(path);
	mg_buf_release(&b);
}

static const struct unit_test tests[] = {
        UNIT_TEST(test_registry_sqlite__writes_while_streaming),
        UNIT_TEST(test_registry_sqlite__stop_and_fail),
        UNIT_TEST(test_registry_sqlite__history_pages),
        UNIT_TEST(test_registry_sqlite__missing_file_not_created),
        UNIT_END,
};

const struct unit_suite unit_suite_registry_sqlite = {"registry_sqlite", setup, cleanup, tests};
