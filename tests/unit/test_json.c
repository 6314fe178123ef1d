#include "setup.h"
#include "unit.h"
#include "json.h"
#include "buf.h"

#include <math.h>

static void test_json__parse_and_errors(void)
{
	struct mg_err err = MG_ERR_INIT;
	const char good[] = " {\"a\": 1} \n";
	cJSON *doc = mg_json_parse(good, strlen(good), "body", MG_EXIT_INFRA, &err);

	CU_ASSERT_PTR_NOT_NULL(doc);
	cJSON_Delete(doc);
	CU_ASSERT_PTR_NULL(mg_json_parse("{\"a\":", 5, "the answer", MG_EXIT_INFRA, &err));
	CU_ASSERT_EQUAL(err.code, MG_EXIT_INFRA);
	ASSERT_STR(err.msg, "the answer is not valid JSON (at byte 4 of 5)");
	mg_err_clear(&err);
	CU_ASSERT_PTR_NULL(mg_json_parse("{} {}", 5, "policy", MG_EXIT_USAGE, &err));
	CU_ASSERT_EQUAL(err.code, MG_EXIT_USAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "trailing data"));
	mg_err_clear(&err);
	/* a length shorter than the string: only that much is JSON */
	CU_ASSERT_PTR_NULL(mg_json_parse("{\"a\":1}", 4, "x", MG_EXIT_INFRA, &err));
}

static void expect_duplicate(const char *text, const char *msg)
{
	struct mg_err err = MG_ERR_INIT;

	CU_ASSERT_PTR_NULL(
	        mg_json_parse(text, strlen(text), "policy 'p.json'", MG_EXIT_USAGE, &err));
	CU_ASSERT_EQUAL(err.code, MG_EXIT_USAGE);
	if (strcmp(err.msg, msg)) {
		fprintf(stderr, "\nwanted '%s', got '%s'\n", msg, err.msg);
		CU_FAIL("duplicate key message");
	}
}

/* A duplicate key anywhere is an error naming its path: tools disagree on which value wins. */
static void test_json__duplicate_keys_refused(void)
{
	struct mg_buf big = MG_BUF_INIT(MG_BUF_SMALL);
	struct mg_err err = MG_ERR_INIT;
	cJSON *doc;

	expect_duplicate("{\"version\":1,\"version\":2}",
	                 "policy 'p.json': version: duplicate key (JSON readers differ on which "
	                 "value counts)");
	expect_duplicate("{\"version\":1,\"compare\":{\"metrics\":[{\"name\":\"auc\"},"
	                 "{\"name\":\"f1\",\"threshold\":1,\"name\":\"auc\"}]}}",
	                 "policy 'p.json': compare.metrics[1].name: duplicate key (JSON readers "
	                 "differ on which value counts)");
	expect_duplicate("[[], [{\"a\":{}, \"a\":{}}]]",
	                 "policy 'p.json': [1][0].a: duplicate key (JSON readers differ on which "
	                 "value counts)");
	/* a big object (sorted, not compared pairwise) */
	mg_buf_adds(&big, "{\"o\":{");
	for (int i = 0; i < 100; i++)
		mg_buf_addf(&big, "\"k%d\":%d,", i, i);
	mg_buf_adds(&big, "\"k42\":0}}");
	expect_duplicate(big.buf, "policy 'p.json': o.k42: duplicate key (JSON readers differ on "
	                          "which value counts)");
	/* the same key in different objects, and case differences, are fine */
	mg_buf_truncate(&big, big.len - 9);
	mg_buf_adds(&big, "\"K42\":0},\"p\":{\"k42\":1}}");
	doc = mg_json_parse(big.buf, big.len, "x", MG_EXIT_USAGE, &err);
	CU_ASSERT_PTR_NOT_NULL(doc);
	cJSON_Delete(doc);
	mg_buf_release(&big);
}

static void test_json__tolerant_getters(void)
{
	const char text[] =
	        "{\"s\":\"x\",\"n\":7,\"ns\":\"1700000000000\",\"big\":1700000000001,"
	        "\"nan\":\"NaN\",\"inf\":\"Infinity\",\"ninf\":\"-Infinity\",\"d\":0.25,"
	        "\"ver\":3,\"bad\":\"12x\",\"t\":true}";
	struct mg_err err = MG_ERR_INIT;
	cJSON *doc = mg_json_parse(text, strlen(text), "t", MG_EXIT_INFRA, &err);
	char *s;

	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	ASSERT_STR(mg_json_str(doc, "s"), "x");
	ASSERT_STR(mg_json_str(doc, "n"), "");
	ASSERT_STR(mg_json_str(doc, "missing"), "");
	CU_ASSERT_EQUAL(mg_json_i64(doc, "ns"), 1700000000000LL);
	CU_ASSERT_EQUAL(mg_json_i64(doc, "big"), 1700000000001LL);
	CU_ASSERT_EQUAL(mg_json_i64(doc, "bad"), 0);
	CU_ASSERT_EQUAL(mg_json_i64(doc, "missing"), 0);
	CU_ASSERT_TRUE(isnan(mg_json_double(doc, "nan")));
	CU_ASSERT_TRUE(isinf(mg_json_double(doc, "inf")) && mg_json_double(doc, "inf") > 0);
	CU_ASSERT_TRUE(isinf(mg_json_double(doc, "ninf")) && mg_json_double(doc, "ninf") < 0);
	CU_ASSERT_DOUBLE_EQUAL(mg_json_double(doc, "d"), 0.25, 0);
	CU_ASSERT_TRUE(isnan(mg_json_double(doc, "missing")));
	s = mg_json_strdup(doc, "ver"); /* a version sent as a number still reads as "3" */
	ASSERT_STR(s, "3");
	free(s);
	s = mg_json_strdup(doc, "d");
	ASSERT_STR(s, "0.25");
	free(s);
	s = mg_json_strdup(doc, "t");
	ASSERT_STR(s, "true");
	free(s);
	cJSON_Delete(doc);
}

static void test_json__doubles_round_trip_exactly(void)
{
	static const double values[] = {0.1 + 0.2, 0.8312345678901234,     1e-300,
	                                -2.5,      1.7976931348623157e308, 3};
	cJSON *o = cJSON_CreateObject();
	char *text, key[8];
	struct mg_err err = MG_ERR_INIT;
	cJSON *back;

	for (size_t i = 0; i < MG_ARRAY_SIZE(values); i++) {
		snprintf(key, sizeof(key), "k%zu", i);
		mg_json_add_double(o, key, values[i]);
	}
	mg_json_add_double(o, "nan", NAN);
	mg_json_add_double(o, "ninf", -INFINITY);
	text = mg_json_print(o);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"nan\":\"NaN\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"ninf\":\"-Infinity\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"k5\":3,"));
	back = mg_json_parse(text, strlen(text), "t", MG_EXIT_INFRA, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(back);
	for (size_t i = 0; i < MG_ARRAY_SIZE(values); i++) {
		snprintf(key, sizeof(key), "k%zu", i);
		CU_ASSERT_EQUAL(mg_json_double(back, key), values[i]);
	}
	free(text);
	cJSON_Delete(o);
	cJSON_Delete(back);
}

static const struct unit_test tests[] = {
        UNIT_TEST(test_json__parse_and_errors),
        UNIT_TEST(test_json__duplicate_keys_refused),
        UNIT_TEST(test_json__tolerant_getters),
        UNIT_TEST(test_json__doubles_round_trip_exactly),
        UNIT_END,
};

const struct unit_suite unit_suite_json = {"json", NULL, NULL, tests};
