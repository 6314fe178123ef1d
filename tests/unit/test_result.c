#include "setup.h"
#include "unit.h"
#include "result.h"

static void clean(struct mg_buf *out, const char *s, size_t len, size_t cap,
                  const struct mg_secrets *secrets)
{
	mg_buf_reset(out);
	CU_ASSERT_EQUAL(mg_result_clean(out, s, len, cap, secrets), 0);
}

static void test_result__clean_plain_text_unchanged(void)
{
	struct mg_buf out = MG_BUF_INIT(MG_BUF_SMALL);
	const char *s = "auc 0.81 < 0.84 & \"margin\"\tok\r\nnext";

	clean(&out, s, strlen(s), 4096, NULL);
	ASSERT_STR(out.buf, s);
	clean(&out, "caf\xc3\xa9 \xe2\x9c\x85 \xf0\x9f\x98\x80", 14, 4096, NULL);
	ASSERT_STR(out.buf, "caf\xc3\xa9 \xe2\x9c\x85 \xf0\x9f\x98\x80");
	mg_buf_release(&out);
}

static void test_result__clean_control_and_ansi(void)
{
	struct mg_buf out = MG_BUF_INIT(MG_BUF_SMALL);
	const char s[] = "\x1b[31mred\x1b[0m \x1b[1;32mbold\x1b[K a\x01"
	                 "b\x07"
	                 "c\x0c\x7f \x1bx nul:";

	clean(&out, s, sizeof(s), 4096, NULL); /* includes the final NUL */
	ASSERT_STR(out.buf, "red bold a#x01b#x07c#x0C#x7F #x1Bx nul:#x00");
	/* C1 controls and the non-characters U+FFFE/U+FFFF */
	clean(&out,
	      "a\xc2\x85"
	      "b\xef\xbf\xbe"
	      "c\xef\xbf\xbf",
	      11, 4096, NULL);
	ASSERT_STR(out.buf, "a#x85b#xFFFEc#xFFFF");
	mg_buf_release(&out);
}

static void test_result__clean_invalid_utf8(void)
{
	struct mg_buf out = MG_BUF_INIT(MG_BUF_SMALL);
	static const struct {
		const char *in;
		const char *want;
	} cases[] = {
	        {"a\xff"
	         "b",
	         "a\xef\xbf\xbd"
	         "b"},                                                    /* never valid */
	        {"\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd"},                 /* overlong '/' */
	        {"\xe0\x80\xaf", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"}, /* overlong */
	        {"\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"}, /* surrogate */
	        {"\xf4\x90\x80\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"},
	        {"x\xe2\x9c", "x\xef\xbf\xbd\xef\xbf\xbd"}, /* truncated at the end */
	};

	for (size_t i = 0; i < MG_ARRAY_SIZE(cases); i++) {
		clean(&out, cases[i].in, strlen(cases[i].in), 4096, NULL);
		ASSERT_STR(out.buf, cases[i].want);
	}
	mg_buf_release(&out);
}

static void test_result__clean_caps_keeping_head_and_tail(void)
{
	struct mg_buf in = MG_BUF_INIT(MG_BUF_LARGE);
	struct mg_buf out = MG_BUF_INIT(MG_BUF_LARGE);
	struct mg_buf again = MG_BUF_INIT(MG_BUF_LARGE);

	mg_buf_adds(&in, "HEAD-");
	for (int i = 0; i < 10000; i++)
		mg_buf_adds(&in, "0123456789\xe2\x82\xac"); /* with a 3-byte euro sign */
	mg_buf_adds(&in, "-TAIL");
	clean(&out, in.buf, in.len, 4096, NULL);
	CU_ASSERT(out.len <= 4096);
	CU_ASSERT(out.len > 3500);
	CU_ASSERT_EQUAL(strncmp(out.buf, "HEAD-0123", 9), 0);
	CU_ASSERT_EQUAL(strcmp(out.buf + out.len - 5, "-TAIL"), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out.buf, " bytes cut ...]\n"));
	/* still valid UTF-8 at both edges of the cut: cleaning again changes nothing */
	clean(&again, out.buf, out.len, 4096, NULL);
	CU_ASSERT_EQUAL(again.len, out.len);
	CU_ASSERT_EQUAL(memcmp(again.buf, out.buf, out.len), 0);
	mg_buf_release(&in);
	mg_buf_release(&out);
	mg_buf_release(&again);
}

static void test_result__clean_caps_expanding_text(void)
{
	/* every byte becomes a 4-byte token: the cap still holds */
	struct mg_buf out = MG_BUF_INIT(MG_BUF_SMALL);
	char in[3000];

	memset(in, 0x01, sizeof(in));
	clean(&out, in, sizeof(in), 1024, NULL);
	CU_ASSERT(out.len <= 1024);
	CU_ASSERT_EQUAL(strncmp(out.buf, "#x01#x01", 8), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out.buf, "bytes cut"));
	mg_buf_release(&out);
}

static void test_result__clean_masks_secrets_before_cutting(void)
{
	struct mg_secrets secrets = MG_SECRETS_INIT;
	struct mg_buf in = MG_BUF_INIT(MG_BUF_LARGE);
	struct mg_buf out = MG_BUF_INIT(MG_BUF_LARGE);

	mg_secrets_add(&secrets, "tok-SECRET-0123456789");
	/* a secret straddling where the head would end */
	for (int i = 0; i < 2000; i++)
		mg_buf_addch(&in, 'a');
	mg_buf_adds(&in, "tok-SECRET-0123456789");
	for (int i = 0; i < 10000; i++)
		mg_buf_addch(&in, 'b');
	for (size_t cap = 3960; cap < 4100; cap += 7) {
		clean(&out, in.buf, in.len, cap, &secrets);
		CU_ASSERT_PTR_NULL(strstr(out.buf, "tok-"));
		CU_ASSERT_PTR_NULL(strstr(out.buf, "SECRET"));
		CU_ASSERT_PTR_NULL(strstr(out.buf, "0123456789"));
	}
	clean(&out, "x tok-SECRET-0123456789 y", 25, 4096, &secrets);
	ASSERT_STR(out.buf, "x *** y");
	mg_secrets_release(&secrets);
	mg_buf_release(&in);
	mg_buf_release(&out);
}

static void test_result__clean_log_defuses_commands(void)
{
	struct mg_buf out = MG_BUF_INIT(MG_BUF_SMALL);
	const char *s =
	        "a ##vso[task.complete result=Succeeded] b ##VsO[x] c ##[error]d ## [e #vso[";

	CU_ASSERT_EQUAL(mg_result_clean_log(&out, s, strlen(s), 4096, NULL), 0);
	CU_ASSERT_PTR_NULL(strstr(out.buf, "##vso["));
	CU_ASSERT_PTR_NULL(strstr(out.buf, "##VsO["));
	CU_ASSERT_PTR_NULL(strstr(out.buf, "##["));
	ASSERT_STR(out.buf,
	           "a ##\xe2\x80\x8bvso[task.complete result=Succeeded] b ##\xe2\x80\x8bVsO[x] "
	           "c ##\xe2\x80\x8b[error]d ## [e #vso[");
	mg_buf_release(&out);
}

static void test_result__seconds(void)
{
	char s[MG_SECONDS_LEN];

	ASSERT_STR(mg_result_seconds(1.25, s), "1.250");
	ASSERT_STR(mg_result_seconds(0.0004, s), "0.000");
	ASSERT_STR(mg_result_seconds(0.0005, s), "0.001");
	ASSERT_STR(mg_result_seconds(1234.5678, s), "1234.568");
	ASSERT_STR(mg_result_seconds(-3, s), "0.000");
	ASSERT_STR(mg_result_seconds(0.0 / 0.0, s), "0.000");
	ASSERT_STR(mg_result_seconds(1e300, s), "1000000000000000.000");
}

static void test_result__model_counts_and_verdict(void)
{
	struct mg_result r;
	struct mg_suite *s;
	struct mg_counts c;
	struct mg_check *k;

	mg_result_init(&r, "all");
	s = mg_result_add_suite(&r, "comply");
	CU_ASSERT_FALSE(mg_suite_passed(s)); /* no checks: nothing shows it passed */
	k = mg_suite_add(s, "a", MG_STATUS_PASSED, NULL);
	k->duration = 0.5;
	mg_suite_add(s, "b", MG_STATUS_SKIPPED, "waived")->duration = 0.25;
	CU_ASSERT_TRUE(mg_suite_passed(s));
	mg_suite_set_prop(s, "mlgate.verdict", "manual");
	CU_ASSERT_FALSE(mg_suite_passed(s));
	mg_suite_set_prop(s, "mlgate.verdict", "passed");
	CU_ASSERT_EQUAL(s->nprops, 1);
	CU_ASSERT_TRUE(mg_suite_passed(s));
	mg_suite_add(s, "c", MG_STATUS_ERROR, "no metric");
	CU_ASSERT_FALSE(mg_suite_passed(s));
	s = mg_result_add_suite(&r, "compare");
	mg_suite_add(s, "d", MG_STATUS_FAILED, "worse");
	s->has_duration = true;
	s->duration = 2;
	mg_result_counts(&r, &c);
	CU_ASSERT_EQUAL(c.tests, 4);
	CU_ASSERT_EQUAL(c.passed, 1);
	CU_ASSERT_EQUAL(c.skipped, 1);
	CU_ASSERT_EQUAL(c.errors, 1);
	CU_ASSERT_EQUAL(c.failures, 1);
	CU_ASSERT_DOUBLE_EQUAL(c.time, 2.75, 1e-9);
	ASSERT_STR(mg_suite_prop(&r.suites[0], "mlgate.verdict"), "passed");
	CU_ASSERT_PTR_NULL(mg_suite_prop(&r.suites[1], "mlgate.verdict"));
	ASSERT_STR(mg_status_name(MG_STATUS_SKIPPED), "skipped");
	mg_result_release(&r);
}

static void test_result__random_hex(void)
{
	struct mg_err err = MG_ERR_INIT;
	char a[33], b[33];

	CU_ASSERT_EQUAL(mg_result_random_hex(a, 16, &err), 0);
	CU_ASSERT_EQUAL(mg_result_random_hex(b, 16, &err), 0);
	CU_ASSERT_EQUAL(strlen(a), 32);
	CU_ASSERT_EQUAL(strspn(a, "0123456789abcdef"), 32);
	CU_ASSERT_NOT_EQUAL(strcmp(a, b), 0);
}

static const struct unit_test tests[] = {
        UNIT_TEST(test_result__clean_plain_text_unchanged),
        UNIT_TEST(test_result__clean_control_and_ansi),
        UNIT_TEST(test_result__clean_invalid_utf8),
        UNIT_TEST(test_result__clean_caps_keeping_head_and_tail),
        UNIT_TEST(test_result__clean_caps_expanding_text),
        UNIT_TEST(test_result__clean_masks_secrets_before_cutting),
        UNIT_TEST(test_result__clean_log_defuses_commands),
        UNIT_TEST(test_result__seconds),
        UNIT_TEST(test_result__model_counts_and_verdict),
        UNIT_TEST(test_result__random_hex),
        UNIT_END,
};

const struct unit_suite unit_suite_result = {"result", NULL, NULL, tests};
