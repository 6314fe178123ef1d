#include "setup.h"
#include "unit.h"
#include "decode.h"

#include <math.h>

static cJSON *parse(const char *text)
{
	cJSON *doc = cJSON_Parse(text);

	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	return doc;
}

/* A model version as MLflow sends it decodes; each malformed field is named with its path. */
static void test_decode__version_strict(void)
{
	static const struct {
		const char *json;
		const char *msg; /* NULL: decodes */
	} cases[] = {
	        {"{\"name\":\"m\",\"version\":\"2\",\"current_stage\":\"Production\","
	         "\"creation_timestamp\":1,\"tags\":[{\"key\":\"k\",\"value\":\"v\"}],"
	         "\"aliases\":[\"champion\"]}",
	         NULL},
	        /* int64 as a string, no tags, no aliases, no description: all legal */
	        {"{\"name\":\"m\",\"version\":\"2\",\"current_stage\":\"None\","
	         "\"creation_timestamp\":\"1\"}",
	         NULL},
	        {"{\"name\":\"m\",\"version\":\"2\",\"current_stage\":7,\"creation_timestamp\":1}",
	         "registry 'u': GET /x: v[3].current_stage: expected a string, got a number"},
	        {"{\"name\":\"m\",\"version\":\"2\",\"creation_timestamp\":1}",
	         "registry 'u': GET /x: v[3].current_stage: missing (a string, which MLflow always "
	         "sends)"},
	        {"{\"name\":\"m\",\"version\":2,\"current_stage\":\"None\",\"creation_timestamp\":"
	         "1}",
	         "registry 'u': GET /x: v[3].version: expected a string, got a number"},
	        {"{\"name\":\"m\",\"version\":\"2\",\"current_stage\":\"None\","
	         "\"creation_timestamp\":1.5}",
	         "registry 'u': GET /x: v[3].creation_timestamp: expected an integer, got a "
	         "number"},
	        {"{\"name\":\"m\",\"version\":\"2\",\"current_stage\":\"None\",\"creation_"
	         "timestamp\":1,"
	         "\"description\":null}",
	         "registry 'u': GET /x: v[3].description: expected a string, got null"},
	        {"{\"name\":\"m\",\"version\":\"2\",\"current_stage\":\"None\",\"creation_"
	         "timestamp\":1,"
	         "\"tags\":{}}",
	         "registry 'u': GET /x: v[3].tags: expected an array, got an object"},
	        {"{\"name\":\"m\",\"version\":\"2\",\"current_stage\":\"None\",\"creation_"
	         "timestamp\":1,"
	         "\"tags\":[{\"value\":\"v\"}]}",
	         "registry 'u': GET /x: v[3].tags[0].key: missing (a string, which MLflow always "
	         "sends)"},
	        {"{\"name\":\"m\",\"version\":\"2\",\"current_stage\":\"None\",\"creation_"
	         "timestamp\":1,"
	         "\"aliases\":[\"a\",true]}",
	         "registry 'u': GET /x: v[3].aliases[1]: expected a string, got a boolean"},
	};

	for (size_t i = 0; i < MG_ARRAY_SIZE(cases); i++) {
		struct mg_err err = MG_ERR_INIT;
		struct mg_model_version mv = {0};
		struct mg_dec d;
		cJSON *doc = parse(cases[i].json);
		size_t mark;

		mg_dec_init(&d, "u", "GET /x", &err);
		mg_dec_enter(&d, "v", -1);
		mark = mg_dec_enter(&d, NULL, 3);
		mg_dec_version(&d, doc, &mv);
		mg_dec_leave(&d, mark);
		CU_ASSERT_STRING_EQUAL(d.at, "v");
		if (!cases[i].msg) {
			CU_ASSERT_FALSE(mg_dec_failed(&d));
			CU_ASSERT_STRING_EQUAL(mv.version, "2");
		} else {
			CU_ASSERT_TRUE(mg_dec_failed(&d));
			CU_ASSERT_EQUAL(err.code, MG_EXIT_INFRA);
			ASSERT_STR(err.msg, cases[i].msg);
		}
		mg_model_version_release(&mv);
		cJSON_Delete(doc);
	}
}

/* Metric values: numbers and MLflow's NaN/Infinity strings; anything else is named. */
static void test_decode__metric_values(void)
{
	struct mg_err err = MG_ERR_INIT;
	struct mg_dec d;
	cJSON *doc = parse("{\"a\":0.5,\"b\":\"NaN\",\"c\":\"-Infinity\",\"d\":\"0.5\",\"e\":\"9\","
	                   "\"f\":9007199254740993}");

	mg_dec_init(&d, "u", "GET /m", &err);
	CU_ASSERT_EQUAL(mg_dec_double(&d, doc, "a", MG_REQUIRED), 0.5);
	CU_ASSERT_TRUE(isnan(mg_dec_double(&d, doc, "b", MG_REQUIRED)));
	CU_ASSERT_TRUE(isinf(mg_dec_double(&d, doc, "c", MG_REQUIRED)));
	CU_ASSERT_EQUAL(mg_dec_i64(&d, doc, "e", MG_REQUIRED), 9);
	CU_ASSERT_FALSE(mg_dec_failed(&d));
	mg_dec_double(&d, doc, "d", MG_REQUIRED);
	CU_ASSERT_TRUE(mg_dec_failed(&d));
	ASSERT_STR(err.msg, "registry 'u': GET /m: d: expected a number, got a string");
	/* the first problem is kept */
	mg_dec_double(&d, doc, "zz", MG_REQUIRED);
	ASSERT_STR(err.msg, "registry 'u': GET /m: d: expected a number, got a string");
	cJSON_Delete(doc);
}

static const struct unit_test tests[] = {
        UNIT_TEST(test_decode__version_strict),
        UNIT_TEST(test_decode__metric_values),
        UNIT_END,
};

const struct unit_suite unit_suite_decode = {"decode", NULL, NULL, tests};
