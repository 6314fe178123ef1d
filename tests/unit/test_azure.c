#include "setup.h"
#include "unit.h"
#include "azure.h"

static void test_azure__escaping(void)
{
	struct mg_buf b = MG_BUF_INIT(MG_BUF_SMALL);

	mg_azure_escape(&b, "100% a:b,c;d]e\r\nf %3B");
	/* ':' and ',' need no escape here; '%' becomes %AZP25 first */
	ASSERT_STR(b.buf, "100%AZP25 a:b,c%3Bd%5De%0D%0Af %AZP253B");
	mg_buf_release(&b);
}

static void test_azure__logissue_golden(void)
{
	struct mg_buf b = MG_BUF_INIT(MG_BUF_SMALL);

	mg_azure_logissue(&b, true, "src/a;b].py", 12, "compare.auc",
	                  "auc 50% lower; see]x\r\nnext ##vso[task.complete result=Succeeded]",
	                  NULL);
	ASSERT_STR(b.buf, "##vso[task.logissue type=error;sourcepath=src/a%3Bb%5D.py;linenumber=12;"
	                  "code=compare.auc]auc 50%AZP25 lower%3B see%5Dx%0D%0Anext "
	                  "##\xe2\x80\x8bvso[task.complete result=Succeeded%5D\n");
	mg_buf_reset(&b);
	mg_azure_logissue(&b, false, NULL, 3, NULL, NULL, NULL);
	ASSERT_STR(b.buf, "##vso[task.logissue type=warning](no message)\n");
	mg_buf_release(&b);
}

static void test_azure__commands_golden(void)
{
	struct mg_buf b = MG_BUF_INIT(MG_BUF_SMALL);
	struct mg_secrets s = MG_SECRETS_INIT;

	mg_azure_complete(&b, MG_AZURE_FAILED, "2 checks; failed]");
	mg_azure_complete(&b, MG_AZURE_SUCCEEDED, NULL);
	mg_azure_complete(&b, MG_AZURE_WITH_ISSUES, "");
	mg_azure_set_output(&b, "failed_checks", "a/x\nb/y;z");
	mg_azure_upload_summary(&b, "/tmp/a b/summary;1.md");
	mg_secrets_add(&s, "p;w]%");
	mg_azure_set_secrets(&b, &s);
	ASSERT_STR(b.buf, "##vso[task.complete result=Failed;]2 checks%3B failed%5D\n"
	                  "##vso[task.complete result=Succeeded;]\n"
	                  "##vso[task.complete result=SucceededWithIssues;]\n"
	                  "##vso[task.setvariable variable=failed_checks;isoutput=true]"
	                  "a/x%0Ab/y%3Bz\n"
	                  "##vso[task.uploadsummary]/tmp/a b/summary%3B1.md\n"
	                  "##vso[task.setsecret]p%3Bw%5D%AZP25\n");
	mg_secrets_release(&s);
	mg_buf_release(&b);
}

static void test_azure__annotate_caps(void)
{
	struct mg_result r;
	struct mg_suite *s;
	struct mg_buf b = MG_BUF_INIT(MG_BUF_LARGE);
	char id[32];
	size_t lines = 0;

	mg_result_init(&r, "x");
	s = mg_result_add_suite(&r, "compare");
	for (int i = 0; i < 12; i++) {
		snprintf(id, sizeof(id), "m.%d", i);
		mg_suite_add(s, id, MG_STATUS_FAILED, "worse");
	}
	mg_suite_add(s, "ok", MG_STATUS_PASSED, NULL);
	mg_azure_annotate(&b, &r, NULL);
	for (size_t i = 0; i < b.len; i++)
		lines += b.buf[i] == '\n';
	CU_ASSERT_EQUAL(lines, 11);
	CU_ASSERT_EQUAL(
	        strncmp(b.buf, "##vso[task.logissue type=error;code=m.0]compare: m.0: worse\n", 60),
	        0);
	CU_ASSERT_PTR_NULL(strstr(b.buf, "m.10"));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.buf, "##vso[task.logissue type=warning;code=mlgate]2 more "
	                                     "failed or errored checks not logged"));
	mg_buf_release(&b);
	mg_result_release(&r);
}

static void test_azure__untrusted(void)
{
	struct mg_buf b = MG_BUF_INIT(MG_BUF_SMALL);
	const char *t = "x ##vso[task.setvariable variable=a]b\n##[error]y\n##VSO[task.complete]";

	mg_azure_untrusted(&b, t, strlen(t), NULL);
	ASSERT_STR(b.buf, "x ##\xe2\x80\x8bvso[task.setvariable variable=a]b\n"
	                  "##\xe2\x80\x8b[error]y\n##\xe2\x80\x8bVSO[task.complete]\n");
	mg_buf_release(&b);
}

static const struct unit_test tests[] = {
        UNIT_TEST(test_azure__escaping),        UNIT_TEST(test_azure__logissue_golden),
        UNIT_TEST(test_azure__commands_golden), UNIT_TEST(test_azure__annotate_caps),
        UNIT_TEST(test_azure__untrusted),       UNIT_END,
};

const struct unit_suite unit_suite_azure = {"azure", NULL, NULL, tests};
