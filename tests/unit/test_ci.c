#include "setup.h"
#include "unit.h"
#include "ci.h"

static int clear_env(void)
{
	unsetenv("GITHUB_ACTIONS");
	unsetenv("TF_BUILD");
	return 0;
}

static void test_ci__detects_from_environment(void)
{
	clear_env();
	CU_ASSERT_EQUAL(mg_ci_detect(), MG_CI_NONE);
	setenv("GITHUB_ACTIONS", "true", 1);
	CU_ASSERT_EQUAL(mg_ci_detect(), MG_CI_GITHUB);
	setenv("GITHUB_ACTIONS", "false", 1);
	CU_ASSERT_EQUAL(mg_ci_detect(), MG_CI_NONE);
	setenv("TF_BUILD", "True", 1); /* Azure Pipelines spells it with a capital T */
	CU_ASSERT_EQUAL(mg_ci_detect(), MG_CI_AZURE);
	setenv("TF_BUILD", "", 1);
	CU_ASSERT_EQUAL(mg_ci_detect(), MG_CI_NONE);
	clear_env();
}

static void test_ci__override_wins(void)
{
	struct mg_err err = MG_ERR_INIT;
	enum mg_ci ci = MG_CI_NONE;

	setenv("GITHUB_ACTIONS", "true", 1);
	CU_ASSERT_EQUAL(mg_ci_resolve("azure", &ci, &err), 0);
	CU_ASSERT_EQUAL(ci, MG_CI_AZURE);
	CU_ASSERT_EQUAL(mg_ci_resolve("none", &ci, &err), 0);
	CU_ASSERT_EQUAL(ci, MG_CI_NONE);
	CU_ASSERT_EQUAL(mg_ci_resolve(NULL, &ci, &err), 0);
	CU_ASSERT_EQUAL(ci, MG_CI_GITHUB);
	ASSERT_STR(mg_ci_name(ci), "github");
	CU_ASSERT_EQUAL(mg_ci_resolve("GitHub", &ci, &err), -1);
	CU_ASSERT_EQUAL(err.code, MG_EXIT_USAGE);
	ASSERT_STR(err.msg, "invalid value 'GitHub' for --ci: expected none, github or azure");
	clear_env();
}

static const struct unit_test tests[] = {
        UNIT_TEST(test_ci__detects_from_environment),
        UNIT_TEST(test_ci__override_wins),
        UNIT_END,
};

const struct unit_suite unit_suite_ci = {"ci", clear_env, clear_env, tests};
