#include "setup.h"
#include "unit.h"
#include "changes.h"

static void test_changes__glob_single_star_stays_in_a_directory(void)
{
	CU_ASSERT_TRUE(mg_changes_glob_match("shared/features/*.py", "shared/features/a.py"));
	CU_ASSERT_FALSE(mg_changes_glob_match("shared/features/*.py", "shared/features/x/a.py"));
	CU_ASSERT_FALSE(mg_changes_glob_match("shared/features/*.py", "shared/features/a.pyc"));
	CU_ASSERT_FALSE(mg_changes_glob_match("*.py", "dir/a.py"));
	CU_ASSERT_TRUE(mg_changes_glob_match("*.py", "a.py"));
	CU_ASSERT_TRUE(mg_changes_glob_match("*", ".hidden"));
	CU_ASSERT_TRUE(mg_changes_glob_match("models/?/x", "models/a/x"));
	CU_ASSERT_FALSE(mg_changes_glob_match("models/?/x", "models/ab/x"));
	CU_ASSERT_TRUE(mg_changes_glob_match("models/[ab]*/x", "models/beta/x"));
	CU_ASSERT_FALSE(mg_changes_glob_match("models/[!ab]*/x", "models/beta/x"));
	CU_ASSERT_TRUE(mg_changes_glob_match("a\\*b", "a*b"));
	CU_ASSERT_FALSE(mg_changes_glob_match("a\\*b", "axb"));
	CU_ASSERT_TRUE(mg_changes_glob_match("README.md", "README.md"));
	CU_ASSERT_FALSE(mg_changes_glob_match("README.md", "docs/README.md"));
	CU_ASSERT_FALSE(mg_changes_glob_match("models", "models/a"));
}

static void test_changes__glob_double_star_spans_directories(void)
{
	CU_ASSERT_TRUE(mg_changes_glob_match("models/fraud/**", "models/fraud/a.py"));
	CU_ASSERT_TRUE(mg_changes_glob_match("models/fraud/**", "models/fraud/x/y/z.py"));
	CU_ASSERT_FALSE(mg_changes_glob_match("models/fraud/**", "models/fraudster/a.py"));
	CU_ASSERT_FALSE(mg_changes_glob_match("models/fraud/**", "models/churn/a.py"));
	CU_ASSERT_TRUE(mg_changes_glob_match("**/*.py", "a.py"));
	CU_ASSERT_TRUE(mg_changes_glob_match("**/*.py", "x/y/a.py"));
	CU_ASSERT_FALSE(mg_changes_glob_match("**/*.py", "x/y/a.txt"));
	CU_ASSERT_TRUE(mg_changes_glob_match("a/**/b", "a/b"));
	CU_ASSERT_TRUE(mg_changes_glob_match("a/**/b", "a/x/b"));
	CU_ASSERT_TRUE(mg_changes_glob_match("a/**/b", "a/x/y/b"));
	CU_ASSERT_FALSE(mg_changes_glob_match("a/**/b", "a/x/y/c"));
	CU_ASSERT_FALSE(mg_changes_glob_match("a/**/b", "b"));
	CU_ASSERT_TRUE(mg_changes_glob_match("**", "anything/at/all"));
	CU_ASSERT_TRUE(mg_changes_glob_match("a/**/b/**/c.py", "a/1/b/2/3/c.py"));
	CU_ASSERT_TRUE(mg_changes_glob_match("a/**/b/**/c.py", "a/b/c.py"));
	CU_ASSERT_FALSE(mg_changes_glob_match("a/**/b/**/c.py", "a/b/b/d.py"));
	CU_ASSERT_TRUE(mg_changes_glob_match("**/b/*.sql", "x/b/b/q.sql"));
}

static void test_changes__glob_validation(void)
{
	CU_ASSERT_PTR_NULL(mg_changes_glob_invalid("models/fraud/**"));
	CU_ASSERT_PTR_NULL(mg_changes_glob_invalid("**/*.py"));
	CU_ASSERT_PTR_NULL(mg_changes_glob_invalid("a/**/b"));
	CU_ASSERT_PTR_NOT_NULL(mg_changes_glob_invalid(""));
	CU_ASSERT_PTR_NOT_NULL(mg_changes_glob_invalid("/models/**"));
	CU_ASSERT_PTR_NOT_NULL(mg_changes_glob_invalid("models/"));
	CU_ASSERT_PTR_NOT_NULL(mg_changes_glob_invalid("models//x"));
	CU_ASSERT_PTR_NOT_NULL(mg_changes_glob_invalid("./models/**"));
	CU_ASSERT_PTR_NOT_NULL(mg_changes_glob_invalid("models/../x"));
	CU_ASSERT_PTR_NOT_NULL(mg_changes_glob_invalid("models/**.py"));
	CU_ASSERT_PTR_NOT_NULL(mg_changes_glob_invalid("a**"));
}

static void test_changes__azure_job_names(void)
{
	struct mg_buf b = MG_BUF_INIT(MG_BUF_SMALL);

	mg_changes_job_name(&b, "fraud-detector");
	ASSERT_STR(b.buf, "fraud_detector");
	mg_buf_reset(&b);
	mg_changes_job_name(&b, "Churn.v2 model");
	ASSERT_STR(b.buf, "Churn_v2_model");
	mg_buf_reset(&b);
	mg_changes_job_name(&b, "2fast");
	ASSERT_STR(b.buf, "m_2fast");
	mg_buf_reset(&b);
	mg_changes_job_name(&b, "_x");
	ASSERT_STR(b.buf, "m__x");
	mg_buf_reset(&b);
	mg_changes_job_name(&b, "caf\xc3\xa9");
	ASSERT_STR(b.buf, "caf__");
	mg_buf_release(&b);
}

/* Parse `json` as mlgate.json; expect failure with `msg` (or success when NULL). */
static void config(const char *json, const char *msg)
{
	struct mg_changes_config c;
	struct mg_err err = MG_ERR_INIT;
	int rc = mg_changes_config_parse("mlgate.json", json, strlen(json), &c, &err);

	if (!msg) {
		CU_ASSERT_EQUAL(rc, 0);
		if (rc)
			fprintf(stderr, "\nunexpected error: %s\n", err.msg);
	} else {
		CU_ASSERT_EQUAL(rc, -1);
		CU_ASSERT_EQUAL(err.code, MG_EXIT_USAGE);
		CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, msg));
		if (!strstr(err.msg, msg))
			fprintf(stderr, "\nwanted '%s' in: %s\n", msg, err.msg);
	}
	mg_changes_config_release(&c);
}

static void test_changes__config_valid(void)
{
	struct mg_changes_config c;
	struct mg_err err = MG_ERR_INIT;
	const char *json =
	        "{\"version\": 1, \"models\": [{\"name\": \"fraud-detector\", \"paths\": "
	        "[\"models/fraud/**\", \"shared/features/*.py\"], \"policy\": \"p.json\", "
	        "\"suite\": \"s.json\"}, {\"name\": \"churn\", \"paths\": [\"models/churn/**\"]}], "
	        "\"release\": {\"main\": \"main\", \"branch_pattern\": \"release/*\", "
	        "\"require\": [\"smoke\", \"comply\"]}}";

	CU_ASSERT_EQUAL_FATAL(mg_changes_config_parse("m.json", json, strlen(json), &c, &err), 0);
	CU_ASSERT_EQUAL_FATAL(c.nmodels, 2);
	ASSERT_STR(c.models[0].name, "fraud-detector");
	ASSERT_STR(c.models[0].policy, "p.json");
	ASSERT_STR(c.models[0].suite, "s.json");
	ASSERT_STR(c.models[0].job, "fraud_detector");
	CU_ASSERT_PTR_NULL(c.models[1].policy);
	CU_ASSERT_PTR_NULL(c.models[1].suite);
	CU_ASSERT_EQUAL(cJSON_GetArraySize(c.models[0].paths), 2);
	CU_ASSERT_PTR_NOT_NULL(c.release);
	mg_changes_config_release(&c);
	config("{\"version\": 1, \"models\": [{\"name\": \"m\", \"paths\": [\"**\"]}]}", NULL);
}

static void test_changes__config_errors_name_the_key_path(void)
{
	config("[]", "config 'mlgate.json': (top level): expected an object");
	config("{\"models\": []}", "missing required key 'version'");
	config("{\"version\": 2, \"models\": []}", "version: unsupported config version");
	config("{\"version\": 1}", "(top level): missing required key 'models'");
	config("{\"version\": 1, \"models\": []}", "models: must not be empty");
	config("{\"version\": 1, \"models\": [{\"name\": \"m\", \"paths\": [\"a\"]}], \"x\": 1}",
	       "config 'mlgate.json': x: unknown key (expected one of: version, models, release)");
	config("{\"version\": 1, \"models\": [{\"name\": \"m\", \"path\": [\"a\"]}]}",
	       "models[0].path: unknown key");
	config("{\"version\": 1, \"models\": [{\"name\": \"m\"}]}",
	       "models[0]: missing required key 'paths'");
	config("{\"version\": 1, \"models\": [{\"name\": 3, \"paths\": [\"a\"]}]}",
	       "models[0].name: expected a string, got a number");
	config("{\"version\": 1, \"models\": [{\"name\": \"m\", \"paths\": \"a/**\"}]}",
	       "models[0].paths: expected an array, got a string");
	config("{\"version\": 1, \"models\": [{\"name\": \"m\", \"paths\": []}]}",
	       "models[0].paths: must not be empty");
	config("{\"version\": 1, \"models\": [{\"name\": \"m\", \"paths\": [\"a\", 1]}]}",
	       "models[0].paths[1]: expected a string");
	config("{\"version\": 1, \"models\": [{\"name\": \"m\", \"paths\": [\"a\"], \"policy\": "
	       "true}]}",
	       "models[0].policy: expected a string, got a boolean");
	config("{\"version\": 1, \"models\": [{\"name\": \"m\", \"paths\": [\"a\", \"./b/**\"]}]}",
	       "models[0].paths[1]: glob './b/**' has a '.' or '..' component");
	config("{\"version\": 1, \"models\": [{\"name\": \"m\", \"paths\": [\"a\"]}, {\"name\": "
	       "\"m\", \"paths\": [\"b\"]}]}",
	       "models[1].name: model 'm' is listed twice (also models[0])");
	config("{\"version\": 1, \"models\": [{\"name\": \"a-b\", \"paths\": [\"a\"]}, {\"name\": "
	       "\"a_b\", \"paths\": [\"b\"]}]}",
	       "models[1].name: model names 'a_b' and 'a-b' (models[0]) give the same Azure job "
	       "name 'a_b'");
	config("{\"version\": 1, \"models\": [{\"name\": \"m\", \"paths\": [\"a\"]}], \"release\": "
	       "{\"require\": [\"smoke\", \"deploy\"]}}",
	       "release.require[1]: 'deploy' is not one of smoke, comply, compare");
	config("{\"version\": 1, \"models\": [{\"name\": \"m\", \"paths\": [\"a\"]}], \"release\": "
	       "{\"require\": [\"smoke\", \"smoke\"]}}",
	       "release.require[1]: gate 'smoke' is listed twice");
	config("{\"version\": 1, \"models\": [{\"name\": \"m\", \"paths\": [\"a\"]}], \"release\": "
	       "{\"main\": \"\"}}",
	       "release.main: must not be empty");
	config("{\"version\": 1, \"models\": [{\"name\": \"m\", \"paths\": [\"a\"]}], \"release\": "
	       "{\"branch\": \"x\"}}",
	       "release.branch: unknown key (expected one of: main, branch_pattern, require)");
	config("{\"version\": 1, ", "config 'mlgate.json'");
}

static void test_changes__config_load_missing_file(void)
{
	struct mg_changes_config c;
	struct mg_err err = MG_ERR_INIT;

	CU_ASSERT_EQUAL(mg_changes_config_load("/nonexistent/mlgate.json", &c, &err), -1);
	CU_ASSERT_EQUAL(err.code, MG_EXIT_USAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "/nonexistent/mlgate.json"));
	mg_changes_config_release(&c);
}

static void event(const char *json, const char *base, const char *head, const char *msg)
{
	char b[MG_GIT_OID_HEX], h[MG_GIT_OID_HEX];
	struct mg_err err = MG_ERR_INIT;
	int rc = mg_changes_event_shas("event.json", json, strlen(json), b, h, &err);

	if (msg) {
		CU_ASSERT_EQUAL(rc, -1);
		CU_ASSERT_EQUAL(err.code, MG_EXIT_USAGE);
		CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, msg));
		return;
	}
	CU_ASSERT_EQUAL(rc, 0);
	ASSERT_STR(b, base);
	ASSERT_STR(h, head);
}

#define SHA_A "0123456789abcdef0123456789abcdef01234567"
#define SHA_B "89abcdef0123456789abcdef0123456789abcdef"

static void test_changes__github_event_file(void)
{
	event("{\"action\": \"opened\", \"pull_request\": {\"number\": 5, \"base\": {\"ref\": "
	      "\"main\", \"sha\": \"" SHA_A "\"}, \"head\": {\"sha\": \"" SHA_B "\"}}}",
	      SHA_A, SHA_B, NULL);
	/* upper-case hex is accepted and lowered */
	event("{\"pull_request\": {\"base\": {\"sha\": "
	      "\"0123456789ABCDEF0123456789ABCDEF01234567\"}}}",
	      SHA_A, "", NULL);
	/* a push event has no pull_request */
	event("{\"ref\": \"refs/heads/main\", \"after\": \"" SHA_A "\"}", "", "", NULL);
	event("{\"pull_request\": null}", "", "", NULL);
	event("{\"pull_request\": {\"base\": {\"sha\": \"abc\"}}}", NULL, NULL,
	      "event file 'event.json': pull_request.base.sha: expected a commit id of 40 hex");
	event("{\"pull_request\": {\"head\": {\"sha\": 5}}}", NULL, NULL, "pull_request.head.sha");
	event("{\"pull_request\": [1]}", NULL, NULL, "pull_request: expected an object");
	event("{\"pull_request\": {", NULL, NULL, "event file 'event.json'");
}

static const struct unit_test tests[] = {
        UNIT_TEST(test_changes__glob_single_star_stays_in_a_directory),
        UNIT_TEST(test_changes__glob_double_star_spans_directories),
        UNIT_TEST(test_changes__glob_validation),
        UNIT_TEST(test_changes__azure_job_names),
        UNIT_TEST(test_changes__config_valid),
        UNIT_TEST(test_changes__config_errors_name_the_key_path),
        UNIT_TEST(test_changes__config_load_missing_file),
        UNIT_TEST(test_changes__github_event_file),
        UNIT_END,
};

const struct unit_suite unit_suite_changes = {"changes", NULL, NULL, tests};
