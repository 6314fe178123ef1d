#include "setup.h"
#include "unit.h"
#include "markdown.h"

static void test_markdown__escape(void)
{
	struct mg_buf b = MG_BUF_INIT(MG_BUF_SMALL);
	struct mg_secrets s = MG_SECRETS_INIT;

	mg_secrets_add(&s, "tok123");
	mg_md_escape(&b, "a|b <img src=x> & *bold* `code` [l](u) tok123\r\nnext\x1b[31m", 4096, &s);
	ASSERT_STR(
	        b.buf,
	        "a\\|b &lt;img src=x&gt; &amp; \\*bold\\* \\`code\\` \\[l\\](u) \\*\\*\\*<br>next");
	mg_secrets_release(&s);
	mg_buf_release(&b);
}

static void test_markdown__sections_api(void)
{
	struct mg_md md;
	const char *const head[] = {"metric", "candidate", "production"};
	const char *const row[] = {"auc", "0.91", "0.89 | x"};

	mg_md_init(&md, 4096, NULL);
	mg_md_heading(&md, 3, "Candidate vs production");
	mg_md_table_head(&md, 3, head);
	mg_md_table_row(&md, 3, row);
	mg_md_para(&md, "done");
	mg_md_finish(&md);
	ASSERT_STR(md.buf.buf, "### Candidate vs production\n\n"
	                       "| metric | candidate | production |\n| --- | --- | --- |\n"
	                       "| auc | 0.91 | 0.89 \\| x |\n\ndone\n\n");
	mg_md_release(&md);
}

static void test_markdown__result_summary(void)
{
	struct mg_result r;
	struct mg_suite *s;
	struct mg_md md;
	const char *failed_row, *passed_row;

	mg_result_init(&r, "x");
	s = mg_result_add_suite(&r, "compare");
	mg_suite_set_prop(s, "mlgate.model", "churn");
	mg_suite_set_prop(s, "mlgate.version", "8");
	mg_suite_add(s, "compare.f1", MG_STATUS_PASSED, NULL);
	mg_suite_add(s, "compare.auc", MG_STATUS_FAILED, "auc 0.81 < 0.84");
	mg_md_init(&md, 1 << 20, NULL);
	mg_md_result(&md, &r);
	mg_md_finish(&md);
	CU_ASSERT_EQUAL(strncmp(md.buf.buf, "## mlgate: \xe2\x9d\x8c failed\n", 22), 0);
	CU_ASSERT_PTR_NOT_NULL(
	        strstr(md.buf.buf, "1 suite, 2 checks: 1 passed, 1 failed, 0 errors"));
	CU_ASSERT_PTR_NOT_NULL(strstr(md.buf.buf, "; model churn; version 8"));
	failed_row =
	        strstr(md.buf.buf, "| compare.auc | \xe2\x9d\x8c failed | auc 0.81 &lt; 0.84 |");
	passed_row = strstr(md.buf.buf, "| compare.f1 | \xe2\x9c\x85 passed |  |");
	CU_ASSERT_PTR_NOT_NULL(failed_row);
	CU_ASSERT_PTR_NOT_NULL(passed_row);
	CU_ASSERT(failed_row < passed_row); /* what needs attention comes first */
	mg_md_release(&md);
	mg_result_release(&r);
}

static void test_markdown__budget(void)
{
	struct mg_result r;
	struct mg_suite *s;
	struct mg_md md;
	char id[32];

	mg_result_init(&r, "x");
	s = mg_result_add_suite(&r, "smoke");
	for (int i = 0; i < 5000; i++) {
		snprintf(id, sizeof(id), "smoke.case.%d", i);
		mg_suite_add(s, id, i == 4999 ? MG_STATUS_FAILED : MG_STATUS_PASSED,
		             "message text");
	}
	mg_md_init(&md, 8192, NULL);
	mg_md_result(&md, &r);
	mg_md_finish(&md);
	CU_ASSERT(md.buf.len <= 8192);
	CU_ASSERT(md.buf.len > 7000);
	CU_ASSERT_PTR_NOT_NULL(strstr(md.buf.buf, "| smoke.case.4999 |")); /* failed first */
	CU_ASSERT_PTR_NOT_NULL(strstr(md.buf.buf, "_Summary cut to stay within 8192 bytes: "));
	/* never a half row: the text before the note ends with a complete row */
	CU_ASSERT_PTR_NOT_NULL(strstr(md.buf.buf, " |\n\n_Summary cut"));
	mg_md_release(&md);
	mg_result_release(&r);
}

static const struct unit_test tests[] = {
        UNIT_TEST(test_markdown__escape),
        UNIT_TEST(test_markdown__sections_api),
        UNIT_TEST(test_markdown__result_summary),
        UNIT_TEST(test_markdown__budget),
        UNIT_END,
};

const struct unit_suite unit_suite_markdown = {"markdown", NULL, NULL, tests};
