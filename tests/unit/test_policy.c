#include "setup.h"
#include "unit.h"
#include "fileio.h"
#include "policy.h"

#include <unistd.h>

static const char *const tiers[] = {"low", "medium", "high", NULL};
static const struct mg_schema tier = {.type = MG_SCHEMA_STRING, .choices = tiers};
static const struct mg_schema_field rule_fields[] = {
        {"pattern", &mg_schema_regex, false},
        {"allowed", &mg_schema_string_list, false},
        {NULL, NULL, false},
};
static const struct mg_schema rule = {.type = MG_SCHEMA_OBJECT, .fields = rule_fields};
static const struct mg_schema rules = {.type = MG_SCHEMA_MAP, .items = &rule};
static const struct mg_schema_field waiver_fields[] = {
        {"check", &mg_schema_nonempty_string, true},
        {"expires", &mg_schema_date, true},
        {"tier", &tier, false},
        {NULL, NULL, false},
};
static const struct mg_schema waiver = {.type = MG_SCHEMA_OBJECT, .fields = waiver_fields};
static const struct mg_schema waivers = {.type = MG_SCHEMA_ARRAY, .items = &waiver};
static const struct mg_schema min_length = {
        .type = MG_SCHEMA_INTEGER, .ranged = true, .min = 0, .max = 100000};
static const struct mg_schema_field section_fields[] = {
        {"version_tags", &rules, false},
        {"waivers", &waivers, false},
        {"min_length", &min_length, false},
        {"strict", &mg_schema_bool, false},
        {NULL, NULL, false},
};
static const struct mg_schema section = {.type = MG_SCHEMA_OBJECT, .fields = section_fields};

static int check(const char *json, struct mg_err *err)
{
	cJSON *doc = mg_json_parse(json, strlen(json), "test", MG_EXIT_USAGE, err);
	int ret;

	if (!doc)
		return -2;
	ret = mg_schema_check(&section, doc, "policy 'p.json'", "compliance", err);
	cJSON_Delete(doc);
	return ret;
}

static void test_policy__valid_section(void)
{
	struct mg_err err = MG_ERR_INIT;

	CU_ASSERT_EQUAL(check("{\"version_tags\":{\"owner\":{\"pattern\":\"^[^@]+@[^@]+$\"},"
	                      "\"risk\":{\"allowed\":[\"low\"]}},\"waivers\":[{\"check\":\"x\","
	                      "\"expires\":\"2026-12-31\",\"tier\":\"high\"}],\"min_length\":30,"
	                      "\"strict\":true}",
	                      &err),
	                0);
	CU_ASSERT_FALSE(mg_err_failed(&err));
}

static void expect(const char *json, const char *msg)
{
	struct mg_err err = MG_ERR_INIT;

	CU_ASSERT_EQUAL(check(json, &err), -1);
	CU_ASSERT_EQUAL(err.code, MG_EXIT_USAGE);
	if (strcmp(err.msg, msg))
		fprintf(stderr, "\n  got:  %s\n  want: %s\n", err.msg, msg);
	ASSERT_STR(err.msg, msg);
}

static void test_policy__errors_name_the_key_path(void)
{
	expect("{\"descripton\":1}",
	       "policy 'p.json': compliance.descripton: unknown key "
	       "(expected one of: version_tags, waivers, min_length, strict)");
	expect("{\"version_tags\":{\"owner\":{\"pattern\":\"(\"}}}",
	       "policy 'p.json': compliance.version_tags.owner.pattern: invalid regular "
	       "expression '(': Unmatched ( or \\(");
	expect("{\"version_tags\":{\"owner\":{\"allowed\":\"low\"}}}",
	       "policy 'p.json': compliance.version_tags.owner.allowed: expected an array, got a "
	       "string");
	expect("{\"version_tags\":{\"owner\":{\"allowed\":[\"\"]}}}",
	       "policy 'p.json': compliance.version_tags.owner.allowed[0]: must not be empty");
	expect("{\"waivers\":[{\"check\":\"a\",\"expires\":\"2026-12-31\"},{\"check\":\"b\"}]}",
	       "policy 'p.json': compliance.waivers[1]: missing required key 'expires'");
	expect("{\"waivers\":[{\"check\":\"a\",\"expires\":\"2026-02-30\"}]}",
	       "policy 'p.json': compliance.waivers[0].expires: invalid date '2026-02-30': "
	       "expected YYYY-MM-DD");
	expect("{\"waivers\":[{\"check\":\"a\",\"expires\":\"2026-01-01\",\"tier\":\"extreme\"}]}",
	       "policy 'p.json': compliance.waivers[0].tier: 'extreme' is not one of low, medium, "
	       "high");
	expect("{\"min_length\":30.5}",
	       "policy 'p.json': compliance.min_length: expected a whole number, got 30.5");
	expect("{\"min_length\":-1}",
	       "policy 'p.json': compliance.min_length: -1 is out of range [0, 100000]");
	expect("{\"strict\":\"yes\"}",
	       "policy 'p.json': compliance.strict: expected true or false, got a string");
	expect("[]", "policy 'p.json': compliance: expected an object, got an array");
}

/* An object whose schema defines no keys (the "promote" section today) refuses every key. */
static void test_policy__object_without_keys(void)
{
	static const struct mg_schema_field none[] = {{NULL, NULL, false}};
	static const struct mg_schema empty = {.type = MG_SCHEMA_OBJECT, .fields = none};
	struct mg_err err = MG_ERR_INIT;
	cJSON *ok = cJSON_Parse("{}"), *bad = cJSON_Parse("{\"max_age\":\"1h\"}");

	CU_ASSERT_EQUAL(mg_schema_check(&empty, ok, "policy 'p.json'", "promote", &err), 0);
	CU_ASSERT_EQUAL(mg_schema_check(&empty, bad, "policy 'p.json'", "promote", &err), -1);
	CU_ASSERT_EQUAL(err.code, MG_EXIT_USAGE);
	ASSERT_STR(err.msg,
	           "policy 'p.json': promote.max_age: unknown key (no key is accepted here)");
	cJSON_Delete(ok);
	cJSON_Delete(bad);
}

static void test_policy__sha256(void)
{
	char hex[65];

	mg_sha256_hex("abc", 3, hex);
	ASSERT_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void load_expect(const char *text, int want, const char *msg)
{
	static const char *const sections[] = {"compliance", "compare", NULL};
	char *dir = unit_tmpdir(), path[4096];
	struct mg_policy p;
	struct mg_err err = MG_ERR_INIT;

	snprintf(path, sizeof(path), "%s/p.json", dir);
	CU_ASSERT_EQUAL_FATAL(mg_file_write_atomic(path, text, strlen(text), &err), 0);
	CU_ASSERT_EQUAL(mg_policy_load(path, sections, &p, &err), want);
	if (want == 0) {
		CU_ASSERT_PTR_NOT_NULL(mg_policy_section(&p, "compliance"));
		CU_ASSERT_PTR_NULL(mg_policy_section(&p, "compare"));
		CU_ASSERT_EQUAL(strlen(p.sha256), 64);
		mg_policy_release(&p);
	} else {
		CU_ASSERT_EQUAL(err.code, MG_EXIT_USAGE);
		CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, msg));
		if (!strstr(err.msg, msg))
			fprintf(stderr, "\n  got: %s\n", err.msg);
		CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, path));
	}
	unlink(path);
	unit_rmtree(dir);
	free(dir);
}

static void test_policy__documents(void)
{
	load_expect("{\"version\":1,\"compliance\":{}}", 0, NULL);
	load_expect("{\"compliance\":{}}", -1, "missing required key 'version'");
	load_expect("{\"version\":2}", -1, "version: unsupported policy version");
	load_expect("{\"version\":1,\"complience\":{}}", -1,
	            "complience: unknown key (expected one of: version, compliance, compare)");
	load_expect("{\"version\":1,\"compare\":[]}", -1, "compare: expected an object");
	load_expect("{\"version\":1,", -1, "is not valid JSON");
	load_expect("", -1, "is not valid JSON");
	load_expect("[1]", -1, "expected an object, got an array");
}

static const struct unit_test tests[] = {
        UNIT_TEST(test_policy__valid_section),
        UNIT_TEST(test_policy__errors_name_the_key_path),
        UNIT_TEST(test_policy__object_without_keys),
        UNIT_TEST(test_policy__sha256),
        UNIT_TEST(test_policy__documents),
        UNIT_END,
};

const struct unit_suite unit_suite_policy = {"policy", NULL, NULL, tests};
