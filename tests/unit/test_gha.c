#include "setup.h"
#include "unit.h"
#include "gha.h"

#include <regex.h>

static bool matches(const char *text, const char *pattern)
{
	regex_t re;
	bool ok;

	CU_ASSERT_EQUAL_FATAL(regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB), 0);
	ok = regexec(&re, text, 0, NULL, 0) == 0;
	regfree(&re);
	return ok;
}

static void test_gha__escaping(void)
{
	struct mg_buf b = MG_BUF_INIT(MG_BUF_SMALL);

	mg_gha_escape_data(&b, "100% a:b,c;d]e\r\nf");
	ASSERT_STR(b.buf, "100%25 a:b,c;d]e%0D%0Af");
	mg_buf_reset(&b);
	mg_gha_escape_prop(&b, "100% a:b,c;d]e\r\nf");
	ASSERT_STR(b.buf, "100%25 a%3Ab%2Cc;d]e%0D%0Af");
	mg_buf_reset(&b);
	/* '%' first: an already-escaped-looking value stays literal */
	mg_gha_escape_data(&b, "%0A%25");
	ASSERT_STR(b.buf, "%250A%2525");
	mg_buf_release(&b);
}

static void test_gha__annotation_golden(void)
{
	struct mg_buf b = MG_BUF_INIT(MG_BUF_SMALL);

	mg_gha_annotation(&b, MG_GHA_ERROR, "src/a,b:c.py", 12, "comply: tag:owner, 100%",
	                  "line one\r\nline two: 50% ::error::x ##[set-env name=A]b", NULL);
	ASSERT_STR(b.buf, "::error file=src/a%2Cb%3Ac.py,line=12,title=comply%3A tag%3Aowner%2C "
	                  "100%25::line one%0D%0Aline two: 50%25 ::error::x "
	                  "##\xe2\x80\x8b[set-env name=A]b\n");
	mg_buf_reset(&b);
	mg_gha_annotation(&b, MG_GHA_NOTICE, NULL, 7, NULL, "", NULL);
	ASSERT_STR(b.buf, "::notice::(no message)\n");
	mg_buf_reset(&b);
	mg_gha_annotation(&b, MG_GHA_WARNING, NULL, 0, "t", "bell\x07\x1b[31mred", NULL);
	ASSERT_STR(b.buf, "::warning title=t::bell#x07red\n");
	mg_buf_release(&b);
}

static void test_gha__annotate_caps_per_level(void)
{
	struct mg_result r;
	struct mg_suite *s;
	struct mg_buf b = MG_BUF_INIT(MG_BUF_LARGE);
	char id[32];
	size_t lines = 0;

	mg_result_init(&r, "x");
	s = mg_result_add_suite(&r, "smoke");
	mg_suite_add(s, "ok", MG_STATUS_PASSED, NULL);
	mg_suite_add(s, "waived", MG_STATUS_SKIPPED, "why");
	for (int i = 0; i < 14; i++) {
		snprintf(id, sizeof(id), "check.%d", i);
		mg_suite_add(s, id, i == 3 ? MG_STATUS_ERROR : MG_STATUS_FAILED, "bad");
	}
	mg_gha_annotate(&b, &r, NULL);
	for (size_t i = 0; i < b.len; i++)
		lines += b.buf[i] == '\n';
	CU_ASSERT_EQUAL(lines, 11);
	CU_ASSERT_EQUAL(strncmp(b.buf, "::error title=smoke%3A check.0::bad\n", 36), 0);
	CU_ASSERT_PTR_NOT_NULL(
	        strstr(b.buf, "::error title=smoke%3A check.3::could not be evaluated: bad\n"));
	CU_ASSERT_PTR_NULL(strstr(b.buf, "check.10"));
	CU_ASSERT_PTR_NULL(strstr(b.buf, "waived"));
	CU_ASSERT_TRUE(matches(b.buf, "\n::notice title=mlgate::4 more failed or errored checks "
	                              "not annotated \\(GitHub keeps 10 per step\\)"));
	mg_buf_release(&b);
	mg_result_release(&r);
}

static void test_gha__masks_first_line_each(void)
{
	struct mg_secrets s = MG_SECRETS_INIT;
	struct mg_buf b = MG_BUF_INIT(MG_BUF_SMALL);

	mg_secrets_add(&s, "tok%1");
	mg_secrets_add(&s, "multi\nline");
	mg_gha_add_masks(&b, &s);
	CU_ASSERT_PTR_NOT_NULL(strstr(b.buf, "::add-mask::tok%251\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.buf, "::add-mask::multi%0Aline\n"));
	mg_secrets_release(&s);
	mg_buf_release(&b);
}

static void test_gha__untrusted_is_wrapped(void)
{
	struct mg_buf b = MG_BUF_INIT(MG_BUF_SMALL), c = MG_BUF_INIT(MG_BUF_SMALL);
	struct mg_err err = MG_ERR_INIT;
	const char *text = "::error::injected\n::set-output name=a::b\n##[warning]x";
	char token[80];

	CU_ASSERT_EQUAL_FATAL(mg_gha_untrusted(&b, text, strlen(text), NULL, &err), 0);
	CU_ASSERT_TRUE(matches(b.buf, "^::stop-commands::mlgate-[0-9a-f]{32}\n"
	                              "::error::injected\n::set-output name=a::b\n"
	                              "##\xe2\x80\x8b\\[warning\\]x\n::mlgate-[0-9a-f]{32}::\n$"));
	/* the resume token is the stop token */
	CU_ASSERT_EQUAL_FATAL(sscanf(b.buf, "::stop-commands::%79[^\n]", token), 1);
	mg_buf_addf(&c, "\n::%s::\n", token);
	CU_ASSERT_PTR_NOT_NULL(strstr(b.buf, c.buf));
	/* and it is random */
	mg_buf_reset(&c);
	CU_ASSERT_EQUAL(mg_gha_untrusted(&c, "x", 1, NULL, &err), 0);
	CU_ASSERT_PTR_NULL(strstr(c.buf, token));
	mg_buf_release(&b);
	mg_buf_release(&c);
}

static void test_gha__outputs(void)
{
	struct mg_buf b = MG_BUF_INIT(MG_BUF_SMALL);
	struct mg_err err = MG_ERR_INIT;

	CU_ASSERT_EQUAL(mg_gha_output(&b, "verdict", "failed", &err), 0);
	ASSERT_STR(b.buf, "verdict=failed\n");
	mg_buf_reset(&b);
	CU_ASSERT_EQUAL(mg_gha_output(&b, "failed-checks", "a/x\nb/y", &err), 0);
	CU_ASSERT_TRUE(matches(b.buf, "^failed-checks<<(ghadelimiter_[0-9a-f]{32})\na/x\nb/y\n"
	                              "ghadelimiter_[0-9a-f]{32}\n$"));
	mg_buf_release(&b);
}

static void test_gha__append_appends(void)
{
	char *dir = unit_tmpdir();
	struct mg_buf path = MG_BUF_INIT(4096), b = MG_BUF_INIT(MG_BUF_SMALL);
	struct mg_buf got = MG_BUF_INIT(MG_BUF_SMALL);
	struct mg_secrets s = MG_SECRETS_INIT;
	struct mg_err err = MG_ERR_INIT;
	FILE *f;
	size_t n;
	char chunk[256];

	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	mg_secrets_add(&s, "s3cret");
	mg_buf_addf(&path, "%s/summary.md", dir);
	f = fopen(path.buf, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("earlier step\n", f);
	fclose(f);
	mg_buf_adds(&b, "mine s3cret\n");
	CU_ASSERT_EQUAL(mg_gha_append(path.buf, &b, &s, &err), 0);
	f = fopen(path.buf, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	while ((n = fread(chunk, 1, sizeof(chunk), f)))
		mg_buf_add(&got, chunk, n);
	fclose(f);
	ASSERT_STR(got.buf, "earlier step\nmine ***\n");
	CU_ASSERT_EQUAL(mg_gha_summary_budget(path.buf), MG_GHA_SUMMARY_MAX - got.len);
	CU_ASSERT_EQUAL(mg_gha_summary_budget(NULL), MG_GHA_SUMMARY_MAX);
	mg_buf_reset(&path);
	mg_buf_addf(&path, "%s/no/such/dir", dir);
	CU_ASSERT_EQUAL(mg_gha_append(path.buf, &b, &s, &err), -1);
	CU_ASSERT_EQUAL(err.code, MG_EXIT_INFRA);
	unit_rmtree(dir);
	free(dir);
	mg_secrets_release(&s);
	mg_buf_release(&path);
	mg_buf_release(&b);
	mg_buf_release(&got);
}

static const struct unit_test tests[] = {
        UNIT_TEST(test_gha__escaping),
        UNIT_TEST(test_gha__annotation_golden),
        UNIT_TEST(test_gha__annotate_caps_per_level),
        UNIT_TEST(test_gha__masks_first_line_each),
        UNIT_TEST(test_gha__untrusted_is_wrapped),
        UNIT_TEST(test_gha__outputs),
        UNIT_TEST(test_gha__append_appends),
        UNIT_END,
};

const struct unit_suite unit_suite_gha = {"gha", NULL, NULL, tests};
