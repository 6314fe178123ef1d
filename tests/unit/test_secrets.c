#include "setup.h"
#include "unit.h"
#include "secrets.h"

static void test_secrets__add_ignores_empty_and_duplicates(void)
{
	struct mg_secrets s = MG_SECRETS_INIT;

	mg_secrets_add(&s, "");
	mg_secrets_add(&s, "abc");
	mg_secrets_add(&s, "abc");
	mg_secrets_add(&s, "abcdef");
	mg_secrets_add(&s, "x");
	CU_ASSERT_EQUAL_FATAL(s.n, 3);
	ASSERT_STR(s.values[0], "abcdef"); /* longest first */
	ASSERT_STR(s.values[1], "abc");
	ASSERT_STR(s.values[2], "x");
	mg_secrets_release(&s);
	CU_ASSERT_EQUAL(s.n, 0);
}

static void test_secrets__redacts_every_occurrence_and_overlaps(void)
{
	struct mg_secrets s = MG_SECRETS_INIT;
	struct mg_buf b = MG_BUF_INIT(MG_BUF_SMALL);

	mg_secrets_add(&s, "s3cr3t");
	mg_secrets_add(&s, "s3cr3t-and-more");
	mg_buf_adds(&b, "Authorization: Bearer s3cr3t-and-more; pw=s3cr3t; s3cr3ts3cr3t");
	CU_ASSERT_EQUAL(mg_secrets_redact(&s, &b), 0);
	ASSERT_STR(b.buf, "Authorization: Bearer ***; pw=***; ******");
	CU_ASSERT_PTR_NULL(strstr(b.buf, "s3cr3t"));
	mg_buf_release(&b);
	mg_secrets_release(&s);
}

static void test_secrets__registered_from_environment(void)
{
	struct mg_secrets s = MG_SECRETS_INIT;
	struct mg_buf b = MG_BUF_INIT(MG_BUF_SMALL);

	setenv("MLFLOW_TRACKING_TOKEN", "tok-123", 1);
	setenv("DATABRICKS_TOKEN", "dapi-456", 1);
	setenv("MLFLOW_TRACKING_USERNAME", "alice", 1); /* a name, not a secret */
	unsetenv("MLFLOW_TRACKING_PASSWORD");
	CU_ASSERT_EQUAL(mg_secrets_add_from_env(&s), 2);
	mg_buf_adds(&b, "alice used tok-123 and dapi-456");
	mg_secrets_redact(&s, &b);
	ASSERT_STR(b.buf, "alice used *** and ***");
	unsetenv("MLFLOW_TRACKING_TOKEN");
	unsetenv("DATABRICKS_TOKEN");
	unsetenv("MLFLOW_TRACKING_USERNAME");
	mg_buf_release(&b);
	mg_secrets_release(&s);
}

static void test_secrets__overflow_leaks_nothing(void)
{
	struct mg_secrets s = MG_SECRETS_INIT;
	struct mg_buf b = MG_BUF_INIT(6);

	mg_secrets_add(&s, "k");
	mg_buf_adds(&b, "kkkkkk");
	CU_ASSERT_EQUAL(mg_secrets_redact(&s, &b), -1);
	CU_ASSERT_EQUAL(b.len, 0);
	mg_buf_release(&b);
	mg_secrets_release(&s);
}

static const struct unit_test tests[] = {
        UNIT_TEST(test_secrets__add_ignores_empty_and_duplicates),
        UNIT_TEST(test_secrets__redacts_every_occurrence_and_overlaps),
        UNIT_TEST(test_secrets__registered_from_environment),
        UNIT_TEST(test_secrets__overflow_leaks_nothing),
        UNIT_END,
};

const struct unit_suite unit_suite_secrets = {"secrets", NULL, NULL, tests};
