#include "setup.h"
#include "unit.h"
#include "json.h"
#include "log.h"
#include "policy.h"
#include "result.h"
#include "text.h"

static void expect_check(const char *s, const char *why)
{
	char got[80] = "";
	int rc = mg_text_check(s, strlen(s), true, got, sizeof(got));

	CU_ASSERT_EQUAL(rc, why ? -1 : 0);
	if (why && strcmp(got, why)) {
		fprintf(stderr, "\nwanted '%s', got '%s'\n", why, got);
		CU_FAIL("mg_text_check");
	}
}

/* Names: valid UTF-8, no control characters, no bidi controls. */
static void test_text__names_checked(void)
{
	expect_check("churn-model", NULL);
	expect_check("mod\xc3\xa8le \xe6\xa8\xa1\xe5\x9e\x8b \xf0\x9f\x9a\x80", NULL);
	expect_check("own\xff"
	             "er",
	             "invalid UTF-8 (byte 0xFF) at byte 3");
	expect_check("a\xc0\xaf", "invalid UTF-8 (byte 0xC0) at byte 1");    /* overlong '/' */
	expect_check("\xed\xa0\x80", "invalid UTF-8 (byte 0xED) at byte 0"); /* a surrogate */
	expect_check("m\nx", "a control character (U+000A) at byte 1");
	expect_check("m\tx", "a control character (U+0009) at byte 1");
	expect_check("m\x7f", "a control character (U+007F) at byte 1");
	expect_check("m\xc2\x85", "a control character (U+0085) at byte 1");
	expect_check("\xe2\x80\xae"
	             "abc",
	             "a bidirectional control (U+202E) at byte 0");
	expect_check("a\xe2\x81\xa6", "a bidirectional control (U+2066) at byte 1");
	expect_check("a\xe2\x80\x8f", "a bidirectional control (U+200F) at byte 1");
	expect_check("a\xd8\x9c", "a bidirectional control (U+061C) at byte 1");
	expect_check("a\xe2\x80\x8b", NULL); /* ZERO WIDTH SPACE is not a control */
	/* text that is not a name may have several lines, still nothing else */
	CU_ASSERT_EQUAL(mg_text_check("a\tb\r\nc", 6, false, NULL, 0), 0);
	CU_ASSERT_EQUAL(mg_text_check("a\x1b[1m", 5, false, NULL, 0), -1);
	CU_ASSERT_EQUAL(mg_text_check("a\xe2\x80\xae", 4, false, NULL, 0), -1);
}

static int check_doc(const struct mg_schema *s, const char *text, struct mg_err *err)
{
	cJSON *doc = mg_json_parse(text, strlen(text), "p", MG_EXIT_USAGE, err);
	int rc = doc ? mg_schema_check(s, doc, "policy 'p.json'", "", err) : -2;

	cJSON_Delete(doc);
	return rc;
}

/* In a policy, names are one line; other strings may have lines; neither has bidi controls. */
static void test_text__policy_strings(void)
{
	static const struct mg_schema_field fields[] = {
	        {"name", &mg_schema_name, true},
	        {"run", &mg_schema_string, false},
	        {"env", &mg_schema_string_list, false},
	        {NULL, NULL, false},
	};
	static const struct mg_schema s = {.type = MG_SCHEMA_OBJECT, .fields = fields};
	struct mg_err err = MG_ERR_INIT;

	CU_ASSERT_EQUAL(check_doc(&s, "{\"name\":\"a b\",\"run\":\"x\\ny\\tz\"}", &err), 0);
	CU_ASSERT_EQUAL(check_doc(&s, "{\"name\":\"a\\nb\"}", &err), -1);
	ASSERT_STR(err.msg, "policy 'p.json': name: a control character (U+000A) at byte 1");
	mg_err_clear(&err);
	CU_ASSERT_EQUAL(check_doc(&s, "{\"name\":\"a\",\"env\":[\"\\u2067x\"]}", &err), -1);
	ASSERT_STR(err.msg, "policy 'p.json': env[0]: a bidirectional control (U+2067) at byte 0");
	mg_err_clear(&err);
	CU_ASSERT_EQUAL(check_doc(&s, "{\"name\":\"a\",\"r\\u202eun\":1}", &err), -1);
	ASSERT_STR(err.msg, "policy 'p.json': (top level): key 'r#x202Eun': a bidirectional "
	                    "control (U+202E) at byte 1");
}

/* Output: the same classes made visible, in reporters' text and in diagnostics. */
static void test_text__shown_visibly(void)
{
	static const char hostile[] = "ok \xe2\x80\xae gnp.exe \xff \xc2\x9b";
	struct mg_buf b = MG_BUF_INIT(MG_BUF_SMALL);
	struct mg_log log;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	mg_text_add_visible(&b, hostile, strlen(hostile));
	ASSERT_STR(b.buf, "ok #x202E gnp.exe \xef\xbf\xbd #x9B");
	mg_buf_reset(&b);
	mg_result_clean(&b, hostile, strlen(hostile), 1024, NULL);
	ASSERT_STR(b.buf, "ok #x202E gnp.exe \xef\xbf\xbd #x9B");
	mg_buf_release(&b);

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	mg_log_init(&log, "mlgate-x", f, NULL);
	mg_error(&log, "model '%s'\nnot found", hostile);
	fclose(f);
	ASSERT_STR(text, "mlgate-x: model 'ok #x202E gnp.exe \xef\xbf\xbd #x9B' not found\n");
	free(text);
}

static void test_text__plural(void)
{
	ASSERT_STR(mg_plural(0, "check", "checks"), "checks");
	ASSERT_STR(mg_plural(1, "check", "checks"), "check");
	ASSERT_STR(mg_plural(2, "batch", "batches"), "batches");
	ASSERT_STR(mg_plural(UINT64_MAX, "error", "errors"), "errors");
}

static const struct unit_test tests[] = {
        UNIT_TEST(test_text__names_checked),
        UNIT_TEST(test_text__policy_strings),
        UNIT_TEST(test_text__shown_visibly),
        UNIT_TEST(test_text__plural),
        UNIT_END,
};

const struct unit_suite unit_suite_text = {"text", NULL, NULL, tests};
