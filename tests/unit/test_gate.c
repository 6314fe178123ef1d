/* The gate plumbing every gate ends through: exit codes and the record of registry writes. */
#include "setup.h"
#include "unit.h"
#include "gate.h"
#include "result.h"

#include <cJSON.h>

static void test_gate__exit_codes(void)
{
	CU_ASSERT_EQUAL(mg_gate_exit(false, 0, "passed"), MG_EXIT_PASS);
	CU_ASSERT_EQUAL(mg_gate_exit(false, 0, "failed"), MG_EXIT_FAIL);
	CU_ASSERT_EQUAL(mg_gate_exit(false, 0, "manual"), MG_EXIT_MANUAL);
	/* an error verdict is never a rejection: nothing but a rejection returns 1 */
	CU_ASSERT_EQUAL(mg_gate_exit(false, 0, "error"), MG_EXIT_INFRA);
	CU_ASSERT_EQUAL(mg_gate_exit(true, 0, "passed"), MG_EXIT_INFRA);
	CU_ASSERT_EQUAL(mg_gate_exit(true, MG_EXIT_USAGE, "error"), MG_EXIT_USAGE);
}

/* Writes made are listed; the failed one is apart, with its error, and explained. */
static void test_gate__writes_half_way(void)
{
	struct mg_writes w = MG_WRITES_INIT(false);
	struct mg_err err = MG_ERR_INIT;
	struct mg_buf text = MG_BUF_INIT(MG_BUF_SMALL);

	mg_writes_explain(&w, &text);
	CU_ASSERT_EQUAL(text.len, 0); /* nothing failed: nothing to say */
	CU_ASSERT_EQUAL(mg_writes_record(&w, 0, NULL, "moved model '%s' version %d", "m", 2), 0);
	CU_ASSERT_EQUAL(mg_writes_record(&w, 0, NULL, "set tag a=b"), 0);
	mg_err_set(&err, MG_EXIT_INFRA, "HTTP 500");
	CU_ASSERT_EQUAL(mg_writes_record(&w, -1, &err, "set tag c=d"), -1);
	CU_ASSERT_EQUAL(w.n, 2);
	ASSERT_STR(w.failed, "set tag c=d");
	ASSERT_STR(w.error, "HTTP 500");
	mg_writes_explain(&w, &text);
	ASSERT_STR(text.buf, "stopped half-way: 2 registry changes applied: moved model 'm' "
	                     "version 2; set tag a=b. Failed: set tag c=d (HTTP 500); nothing "
	                     "after it was attempted. Once the cause is fixed, re-run the same "
	                     "command to finish: what is applied is not done again");
	mg_buf_release(&text);
	mg_writes_release(&w);
	CU_ASSERT_EQUAL(w.n, 0);
	CU_ASSERT_PTR_NULL(w.failed);
}

/* The JSON decision lists only the writes made, and the failed one apart (null when none). */
static void test_gate__json_changes(void)
{
	struct mg_result result;
	struct mg_suite *s;
	struct mg_gate_run run = {0};
	struct mg_gate_opts o = {0};
	struct mg_writes w = MG_WRITES_INIT(false);
	struct mg_err err = MG_ERR_INIT;
	struct mg_buf json = MG_BUF_INIT(MG_BUF_LARGE);
	cJSON *doc, *failed;

	mg_result_init(&result, "mlgate");
	s = mg_result_add_suite(&result, "promote");
	mg_gate_run_init(&run, "promote", &o);
	run.model = "m";
	run.registry = "sqlite:///x.db";
	run.verdict = "error";
	mg_gate_json(&run, s, &w, &json);
	doc = cJSON_Parse(json.buf);
	CU_ASSERT_TRUE(cJSON_IsNull(cJSON_GetObjectItem(doc, "registry_change_failed")));
	CU_ASSERT_EQUAL(cJSON_GetArraySize(cJSON_GetObjectItem(doc, "registry_changes")), 0);
	cJSON_Delete(doc);
	mg_writes_record(&w, 0, NULL, "moved");
	mg_err_set(&err, MG_EXIT_INFRA, "gone");
	mg_writes_record(&w, -1, &err, "tagged");
	mg_buf_reset(&json);
	mg_gate_json(&run, s, &w, &json);
	doc = cJSON_Parse(json.buf);
	CU_ASSERT_EQUAL(cJSON_GetArraySize(cJSON_GetObjectItem(doc, "registry_changes")), 1);
	failed = cJSON_GetObjectItem(doc, "registry_change_failed");
	ASSERT_STR(cJSON_GetStringValue(cJSON_GetObjectItem(failed, "change")), "tagged");
	ASSERT_STR(cJSON_GetStringValue(cJSON_GetObjectItem(failed, "error")), "gone");
	cJSON_Delete(doc);
	mg_writes_release(&w);
	mg_buf_release(&json);
	mg_result_release(&result);
}

static const struct unit_test tests[] = {
        UNIT_TEST(test_gate__exit_codes),
        UNIT_TEST(test_gate__writes_half_way),
        UNIT_TEST(test_gate__json_changes),
        UNIT_END,
};

const struct unit_suite unit_suite_gate = {"gate", NULL, NULL, tests};
