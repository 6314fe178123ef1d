/* MLflow's validation rules as the SQLite backend applies them (mlflow_rules.c). */
#include "setup.h"
#include "unit.h"
#include "mlflow_rules.h"

#include <math.h>

/* name -> 0 accepted, or the start of the message. */
static void expect(int rc, const struct mg_err *err, const char *want)
{
	if (!want) {
		CU_ASSERT_EQUAL(rc, 0);
		return;
	}
	CU_ASSERT_EQUAL(rc, -1);
	CU_ASSERT_EQUAL(err->code, MG_EXIT_USAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(err->msg, want));
}

static void test_mlflow_rules__model_names(void)
{
	static const struct {
		const char *name, *want;
	} cases[] = {
	        {"churn", NULL},
	        {"churn model v2", NULL},
	        {"a.b", NULL},
	        {"", "missing model name"},
	        {" \t", "missing model name"},
	        {"a/b", "cannot contain '/' or ':'"},
	        {"a:b", "cannot contain '/' or ':'"},
	        {".", "must not be '.'"},
	        {"..x", "must not be '.'"},
	};

	for (size_t i = 0; i < MG_ARRAY_SIZE(cases); i++) {
		struct mg_err err = MG_ERR_INIT;

		expect(mlflow_check_model_name(cases[i].name, &err), &err, cases[i].want);
	}
}

static void test_mlflow_rules__aliases(void)
{
	static const struct {
		const char *alias;
		bool setting;
		const char *want;
	} cases[] = {
	        {"champion", true, NULL},
	        {"blue-green_2", true, NULL},
	        {"latest", false, NULL}, /* readable, not settable */
	        {"Latest", true, "'latest' (any case) is reserved"},
	        {"v3", true, "version aliases"},
	        {"V12", true, "version aliases"},
	        {"v", true, NULL},
	        {"vx1", true, NULL},
	        {"a.b", true, "aliases may only contain"},
	        {"a b", false, "aliases may only contain"},
	};

	for (size_t i = 0; i < MG_ARRAY_SIZE(cases); i++) {
		struct mg_err err = MG_ERR_INIT;

		expect(mlflow_check_alias(cases[i].alias, cases[i].setting, &err), &err,
		       cases[i].want);
	}
}

static void test_mlflow_rules__keys_and_lengths(void)
{
	struct mg_err err = MG_ERR_INIT;
	char long_key[300];

	expect(mlflow_check_key("tag key", "mlgate.compare.verdict", &err), &err, NULL);
	expect(mlflow_check_key("tag key", "a/b c:d-e", &err), &err, NULL);
	err = (struct mg_err)MG_ERR_INIT;
	expect(mlflow_check_key("tag key", "a;b", &err), &err, "invalid tag key 'a;b'");
	err = (struct mg_err)MG_ERR_INIT;
	expect(mlflow_check_key("tag key", "a/../b", &err), &err, "must not resolve");
	err = (struct mg_err)MG_ERR_INIT;
	expect(mlflow_check_key("tag key", "/abs", &err), &err, "must not resolve");
	/* lengths are in code points, as Python's len() */
	CU_ASSERT_EQUAL(mlflow_utf8_len("h\xc3\xa9llo"), 5);
	CU_ASSERT_EQUAL(mlflow_utf8_prefix("h\xc3\xa9llo", 2), 3);
	memset(long_key, 'k', sizeof(long_key) - 1);
	long_key[sizeof(long_key) - 1] = '\0';
	err = (struct mg_err)MG_ERR_INIT;
	CU_ASSERT_EQUAL(mlflow_check_length("tag key", long_key, MAX_ENTITY_KEY_LENGTH, &err), -1);
	CU_ASSERT_EQUAL(err.reason, MG_REASON_TOO_LARGE);
	long_key[MAX_ENTITY_KEY_LENGTH] = '\0';
	CU_ASSERT_EQUAL(mlflow_check_length("tag key", long_key, MAX_ENTITY_KEY_LENGTH, &err), 0);
}

static void test_mlflow_rules__run_ids_and_metrics(void)
{
	struct mg_err err = MG_ERR_INIT;
	double v;
	bool is_nan;

	expect(mlflow_check_run_id("0123abcd", &err), &err, NULL);
	expect(mlflow_check_run_id("a_b-c", &err), &err, NULL);
	expect(mlflow_check_run_id("_abc", &err), &err, "invalid run id");
	err = (struct mg_err)MG_ERR_INIT;
	expect(mlflow_check_run_id("a\xc3\xa9", &err), &err, "invalid run id");
	mlflow_sanitize_metric(NAN, &v, &is_nan);
	CU_ASSERT_TRUE(is_nan && v == 0);
	mlflow_sanitize_metric(-INFINITY, &v, &is_nan);
	CU_ASSERT_TRUE(!is_nan && v == -1.7976931348623157e308);
	mlflow_sanitize_metric(0.25, &v, &is_nan);
	CU_ASSERT_TRUE(!is_nan && v == 0.25);
}

static void test_mlflow_rules__batch_limits(void)
{
	struct mg_kvlist params = {0};
	struct mg_metriclist metrics = {0};
	struct mg_err err = MG_ERR_INIT;
	char key[16];

	for (int i = 0; i <= MAX_PARAMS_TAGS_PER_BATCH; i++) {
		snprintf(key, sizeof(key), "p%d", i);
		mg_kvlist_set(&params, key, "v");
	}
	CU_ASSERT_EQUAL(mlflow_check_batch(&params, NULL, NULL, &err), -1);
	CU_ASSERT_EQUAL(err.reason, MG_REASON_TOO_LARGE);
	mg_kvlist_release(&params);
	err = (struct mg_err)MG_ERR_INIT;
	mg_metriclist_add(&metrics, "acc", 0.9, -1, 0);
	expect(mlflow_check_batch(NULL, &metrics, NULL, &err), &err, "timestamp -1 is negative");
	mg_metriclist_release(&metrics);
	err = (struct mg_err)MG_ERR_INIT;
	CU_ASSERT_EQUAL(mlflow_check_batch(NULL, NULL, NULL, &err), 0);
}

static const struct unit_test tests[] = {
        UNIT_TEST(test_mlflow_rules__model_names),
        UNIT_TEST(test_mlflow_rules__aliases),
        UNIT_TEST(test_mlflow_rules__keys_and_lengths),
        UNIT_TEST(test_mlflow_rules__run_ids_and_metrics),
        UNIT_TEST(test_mlflow_rules__batch_limits),
        UNIT_END,
};

const struct unit_suite unit_suite_mlflow_rules = {"mlflow_rules", NULL, NULL, tests};
