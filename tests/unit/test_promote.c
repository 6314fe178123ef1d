/*
 * mlgate-promote's pieces that need no MLflow: --max-age durations, and the
 * compare-and-set moves of the SQLite backend on a registry built from
 * MLflow's own DDL (run from the repository root, as make does). The whole
 * gate is tested in tests/cli (cases 650-699) and tests/integration/t_promote_*.sh.
 */
#include "setup.h"
#include "unit.h"
#include "alloc.h"
#include "buf.h"
#include "ctx.h"
#include "promote.h"
#include "registry.h"

#include <sqlite3.h>

static char *dir, *db_path, *uri;
static struct mg_ctx ctx;

static void test_promote__durations(void)
{
	struct mg_err err = MG_ERR_INIT;
	long long s = 0;

	CU_ASSERT_EQUAL(mg_promote_parse_duration("--max-age", "90s", &s, &err), 0);
	CU_ASSERT_EQUAL(s, 90);
	CU_ASSERT_EQUAL(mg_promote_parse_duration("--max-age", "30m", &s, &err), 0);
	CU_ASSERT_EQUAL(s, 1800);
	CU_ASSERT_EQUAL(mg_promote_parse_duration("--max-age", "24h", &s, &err), 0);
	CU_ASSERT_EQUAL(s, 86400);
	CU_ASSERT_EQUAL(mg_promote_parse_duration("--max-age", "366d", &s, &err), 0);
	CU_ASSERT_EQUAL(s, 366LL * 86400);
	const char *bad[] = {"",
	                     "h",
	                     "24",
	                     "0h",
	                     "-1h",
	                     "+1h",
	                     " 1h",
	                     "1.5h",
	                     "1w",
	                     "367d",
	                     "99999999999999999999s",
	                     "1hh"};
	for (size_t i = 0; i < MG_ARRAY_SIZE(bad); i++) {
		mg_err_clear(&err);
		CU_ASSERT_EQUAL(mg_promote_parse_duration("--max-age", bad[i], &s, &err), -1);
		CU_ASSERT_EQUAL(err.code, MG_EXIT_USAGE);
		CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "--max-age"));
		/* the whole value is named, unit included, not the number alone */
		if (*bad[i]) {
			char quoted[64];

			snprintf(quoted, sizeof(quoted), "'%s'", bad[i]);
			CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, quoted));
		}
	}
	mg_err_clear(&err);
	mg_promote_parse_duration("--max-age", "9000h", &s, &err);
	ASSERT_STR(err.msg,
	           "invalid value '9000h' for --max-age: must be between 1h and 8784h (366 "
	           "days)");
	mg_err_clear(&err);
	mg_promote_parse_duration("--max-age", "0m", &s, &err);
	ASSERT_STR(err.msg,
	           "invalid value '0m' for --max-age: must be between 1m and 527040m (366 days)");
}

/* Model 'm' with versions 1..3 (2 in Production) and alias champion -> 2. */
static int setup(void)
{
	struct mg_buf b = MG_BUF_INIT(MG_BUF_SMALL);
	sqlite3 *db = NULL;
	int rc = -1;

	mg_ctx_init(&ctx, "unit");
	if (unit_mlflow_db(&dir, &db_path, &uri, &db))
		goto done;
	for (int v = 0; v <= 3; v++) {
		mg_buf_reset(&b);
		if (!v)
			mg_buf_adds(&b,
			            "INSERT INTO registered_models (name, creation_time, "
			            "last_updated_time, workspace) VALUES ('m', 1, 1, 'default');"
			            "INSERT INTO registered_model_aliases (alias, version, name, "
			            "workspace) VALUES ('champion', 2, 'm', 'default');"
			            "INSERT INTO registered_model_aliases (alias, version, name, "
			            "workspace) VALUES ('challenger', 3, 'm', 'default');");
		else
			mg_buf_addf(
			        &b,
			        "INSERT INTO model_versions (name, version, creation_time, "
			        "last_updated_time, current_stage, source, status, "
			        "storage_location, workspace) VALUES ('m', %d, 1, 1, '%s', 's', "
			        "'READY', 's', 'default');",
			        v, v == 2 ? "Production" : "None");
		if (unit_sql(db, b.buf))
			goto done;
	}
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

static const char *stage_of(struct mg_registry *reg, const char *v, struct mg_model_version *mv)
{
	struct mg_err err = MG_ERR_INIT;

	mg_model_version_release(mv);
	CU_ASSERT_EQUAL_FATAL(mg_registry_get_version(reg, "m", v, mv, &err), 0);
	return mv->current_stage;
}

static void test_promote__sqlite_compare_and_set(void)
{
	struct mg_registry *reg = NULL;
	struct mg_model_version mv = {0};
	struct mg_err err = MG_ERR_INIT;

	CU_ASSERT_EQUAL_FATAL(mg_registry_open(&ctx, uri, &reg, &err), 0);
	/* the expectation fails: nothing is written */
	CU_ASSERT_EQUAL(
	        mg_registry_transition_stage_if(reg, "m", "3", "Production", true, "1", &err), -1);
	CU_ASSERT_EQUAL(err.reason, MG_REASON_CONFLICT);
	CU_ASSERT_EQUAL(err.code, MG_EXIT_USAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "held by version 2, expected version 1"));
	ASSERT_STR(stage_of(reg, "3", &mv), "None");
	ASSERT_STR(stage_of(reg, "2", &mv), "Production");
	mg_err_clear(&err);
	CU_ASSERT_EQUAL(
	        mg_registry_transition_stage_if(reg, "m", "3", "Production", true, NULL, &err), -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "expected none"));
	/* it holds: moved, the replaced version archived */
	mg_err_clear(&err);
	CU_ASSERT_EQUAL(
	        mg_registry_transition_stage_if(reg, "m", "3", "Production", true, "2", &err), 0);
	ASSERT_STR(stage_of(reg, "3", &mv), "Production");
	ASSERT_STR(stage_of(reg, "2", &mv), "Archived");
	/* aliases: wrong expectation, then right, dropping the candidate alias */
	CU_ASSERT_EQUAL(
	        mg_registry_set_alias_if(reg, "m", "champion", "3", NULL, "challenger", &err), -1);
	CU_ASSERT_EQUAL(err.reason, MG_REASON_CONFLICT);
	ASSERT_STR(mg_kvlist_get(&mv.aliases, "champion"), "2");
	mg_err_clear(&err);
	CU_ASSERT_EQUAL(
	        mg_registry_set_alias_if(reg, "m", "champion", "3", "2", "challenger", &err), 0);
	stage_of(reg, "3", &mv);
	ASSERT_STR(mg_kvlist_get(&mv.aliases, "champion"), "3");
	CU_ASSERT_PTR_NULL(mg_kvlist_get(&mv.aliases, "challenger"));
	/* an alias not set at all is "none" */
	CU_ASSERT_EQUAL(mg_registry_set_alias_if(reg, "m", "shadow", "1", NULL, NULL, &err), 0);
	mg_model_version_release(&mv);
	mg_registry_close(reg);
}

static const struct unit_test tests[] = {
        UNIT_TEST(test_promote__durations),
        UNIT_TEST(test_promote__sqlite_compare_and_set),
        UNIT_END,
};

const struct unit_suite unit_suite_promote = {"promote", setup, cleanup, tests};
