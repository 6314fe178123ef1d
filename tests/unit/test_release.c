#include "setup.h"
#include "unit.h"
#include "evidence.h"
#include "release.h"

static void clear_ci(void)
{
	unsetenv("GITHUB_ACTIONS");
	unsetenv("GITHUB_REF_NAME");
	unsetenv("TF_BUILD");
	unsetenv("BUILD_SOURCEBRANCH");
}

static void test_release__branch_from_the_ci(void)
{
	clear_ci();
	CU_ASSERT_PTR_NULL(mg_release_ci_branch());
	setenv("GITHUB_REF_NAME", "release/1.0", 1);
	CU_ASSERT_PTR_NULL(mg_release_ci_branch()); /* not in GitHub Actions */
	setenv("GITHUB_ACTIONS", "true", 1);
	ASSERT_STR(mg_release_ci_branch(), "release/1.0");
	setenv("GITHUB_REF_NAME", "", 1);
	CU_ASSERT_PTR_NULL(mg_release_ci_branch());
	clear_ci();
	setenv("TF_BUILD", "True", 1);
	setenv("BUILD_SOURCEBRANCH", "refs/heads/release/2.1", 1);
	ASSERT_STR(mg_release_ci_branch(), "release/2.1");
	setenv("BUILD_SOURCEBRANCH", "release/2.2", 1);
	ASSERT_STR(mg_release_ci_branch(), "release/2.2");
	setenv("BUILD_SOURCEBRANCH", "refs/tags/v1", 1);
	ASSERT_STR(mg_release_ci_branch(), "refs/tags/v1");
	clear_ci();
}

static void test_release__required_gates(void)
{
	const char *gates[MG_EVIDENCE_MAX_GATES];
	struct mg_err err = MG_ERR_INIT;
	size_t n = 0;

	CU_ASSERT_EQUAL(mg_evidence_parse_gates("comply,smoke", "--require", gates, &n, &err), 0);
	CU_ASSERT_EQUAL_FATAL(n, 2);
	ASSERT_STR(gates[0], "comply");
	ASSERT_STR(gates[1], "smoke");
	CU_ASSERT_PTR_EQUAL(gates[1], mg_evidence_gate("smoke"));
	CU_ASSERT_EQUAL(mg_evidence_parse_gates("smoke,smoke", "--require", gates, &n, &err), -1);
	ASSERT_STR(err.msg, "--require names 'smoke' twice");
	mg_err_clear(&err);
	CU_ASSERT_EQUAL(mg_evidence_parse_gates("smoke,deploy", "--require", gates, &n, &err), -1);
	ASSERT_STR(err.msg,
	           "invalid gate 'deploy' in --require: expected smoke, comply or compare, "
	           "separated by commas");
	CU_ASSERT_EQUAL(err.code, MG_EXIT_USAGE);
	CU_ASSERT_PTR_NULL(mg_evidence_gate("release"));
}

static void test_release__evidence_files(void)
{
	char *dir = unit_tmpdir();
	char good[512], bad[512], missing[512];
	struct mg_evidence ev[3];
	struct mg_buf why = MG_BUF_INIT(MG_BUF_SMALL);
	FILE *f;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	snprintf(good, sizeof(good), "%s/good.xml", dir);
	snprintf(bad, sizeof(bad), "%s/bad.xml", dir);
	snprintf(missing, sizeof(missing), "%s/missing.xml", dir);
	f = fopen(good, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("<testsuites><testsuite name=\"smoke\"><properties><property name=\"mlgate.gate\" "
	      "value=\"smoke\"/></properties><testcase name=\"x\"/></testsuite></testsuites>\n",
	      f);
	fclose(f);
	f = fopen(bad, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("<testsuites><testsuite>", f);
	fclose(f);
	mg_evidence_init(&ev[0], good);
	mg_evidence_init(&ev[1], bad);
	mg_evidence_init(&ev[2], missing);
	CU_ASSERT_EQUAL(mg_evidence_read(ev, 3, &why), 2);
	CU_ASSERT_TRUE(ev[0].ok);
	CU_ASSERT_FALSE(ev[1].ok);
	CU_ASSERT_FALSE(ev[2].ok);
	CU_ASSERT_EQUAL_FATAL(ev[0].result.nsuites, 1);
	ASSERT_STR(mg_suite_prop(&ev[0].result.suites[0], "mlgate.gate"), "smoke");
	CU_ASSERT_PTR_NOT_NULL(strstr(why.buf, "bad.xml"));
	CU_ASSERT_PTR_NOT_NULL(strstr(why.buf, "; "));
	CU_ASSERT_PTR_NOT_NULL(strstr(ev[2].err.msg, "missing.xml"));
	for (size_t i = 0; i < 3; i++)
		mg_evidence_release(&ev[i]);
	mg_buf_release(&why);
	unit_rmtree(dir);
	free(dir);
}

static const struct unit_test tests[] = {
        UNIT_TEST(test_release__branch_from_the_ci),
        UNIT_TEST(test_release__required_gates),
        UNIT_TEST(test_release__evidence_files),
        UNIT_END,
};

const struct unit_suite unit_suite_release = {"release", NULL, NULL, tests};
