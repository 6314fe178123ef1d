#include "setup.h"
#include "unit.h"
#include "buf.h"

static void test_buf__init_is_empty_and_terminated(void)
{
	struct mg_buf b = MG_BUF_INIT(16);

	CU_ASSERT_PTR_NOT_NULL(b.buf);
	CU_ASSERT_EQUAL(b.len, 0);
	ASSERT_STR(b.buf, "");
	mg_buf_release(&b);
	CU_ASSERT_PTR_NOT_NULL(b.buf);
	CU_ASSERT_EQUAL(b.max, 16);
}

static void test_buf__appends_grow(void)
{
	struct mg_buf b = MG_BUF_INIT(MG_BUF_SMALL);

	for (int i = 0; i < 1000; i++)
		CU_ASSERT_EQUAL(mg_buf_addf(&b, "%d,", i % 10), 0);
	CU_ASSERT_EQUAL(b.len, 2000);
	CU_ASSERT_EQUAL(b.buf[b.len], '\0');
	CU_ASSERT_EQUAL(memcmp(b.buf, "0,1,2,", 6), 0);
	CU_ASSERT_FALSE(mg_buf_overflowed(&b));
	mg_buf_release(&b);
}

static void test_buf__bound_is_enforced_and_sticky(void)
{
	struct mg_buf b = MG_BUF_INIT(8);

	CU_ASSERT_EQUAL(mg_buf_adds(&b, "12345678"), 0);
	CU_ASSERT_EQUAL(mg_buf_addch(&b, '9'), -1);
	CU_ASSERT_TRUE(mg_buf_overflowed(&b));
	ASSERT_STR(b.buf, "12345678");
	mg_buf_truncate(&b, 2);
	CU_ASSERT_EQUAL(mg_buf_adds(&b, "ab"), 0); /* fits again ... */
	CU_ASSERT_TRUE(mg_buf_overflowed(&b));     /* ... but the overflow is remembered */
	mg_buf_reset(&b);
	CU_ASSERT_FALSE(mg_buf_overflowed(&b));
	CU_ASSERT_EQUAL(b.len, 0);
	mg_buf_release(&b);
}

static void test_buf__failed_addf_keeps_content_terminated(void)
{
	struct mg_buf b = MG_BUF_INIT(10);

	mg_buf_adds(&b, "abc");
	CU_ASSERT_EQUAL(mg_buf_addf(&b, "%s", "far too long for the bound"), -1);
	CU_ASSERT_EQUAL(b.len, 3);
	ASSERT_STR(b.buf, "abc");
	CU_ASSERT_EQUAL(mg_buf_addf(&b, "%d", 1234567), 0);
	ASSERT_STR(b.buf, "abc1234567");
	CU_ASSERT_EQUAL(mg_buf_addf(&b, "%s", ""), 0);
	CU_ASSERT_EQUAL(mg_buf_addf(&b, "%c", 'x'), -1);
	ASSERT_STR(b.buf, "abc1234567");
	mg_buf_release(&b);
}

static void test_buf__embedded_nul(void)
{
	struct mg_buf b = MG_BUF_INIT(64);

	mg_buf_add(&b, "a\0b", 3);
	CU_ASSERT_EQUAL(b.len, 3);
	CU_ASSERT_EQUAL(memcmp(b.buf, "a\0b", 4), 0);
	mg_buf_release(&b);
}

static void test_buf__take_hands_over_storage(void)
{
	struct mg_buf b = MG_BUF_INIT(64);
	size_t len = 99;
	char *s = mg_buf_take(&b, &len);

	ASSERT_STR(s, "");
	CU_ASSERT_EQUAL(len, 0);
	free(s);
	mg_buf_adds(&b, "hello");
	s = mg_buf_take(&b, &len);
	ASSERT_STR(s, "hello");
	CU_ASSERT_EQUAL(len, 5);
	CU_ASSERT_EQUAL(b.len, 0);
	ASSERT_STR(b.buf, "");
	free(s);
	mg_buf_release(&b);
}

static void test_buf__replace(void)
{
	struct mg_buf b = MG_BUF_INIT(64);

	mg_buf_adds(&b, "token=abc&x=abcabc");
	CU_ASSERT_EQUAL(mg_buf_replace(&b, "abc", 3, "***"), 3);
	ASSERT_STR(b.buf, "token=***&x=******");
	CU_ASSERT_EQUAL(mg_buf_replace(&b, "zzz", 3, "***"), 0);
	CU_ASSERT_EQUAL(mg_buf_replace(&b, "=", 1, ""), 2);
	ASSERT_STR(b.buf, "token***&x******");
	mg_buf_release(&b);
}

static void test_buf__replace_respects_bound(void)
{
	struct mg_buf b = MG_BUF_INIT(8);

	mg_buf_adds(&b, "aaaa");
	CU_ASSERT_EQUAL(mg_buf_replace(&b, "a", 1, "bbb"), -1);
	ASSERT_STR(b.buf, "aaaa");
	mg_buf_release(&b);
}

static void test_buf__add_mapped(void)
{
	static const char *const map[256] = {['%'] = "%25", ['\n'] = "%0A", [','] = ""};
	struct mg_buf b = MG_BUF_INIT(64);
	struct mg_buf tiny = MG_BUF_INIT(4);

	CU_ASSERT_EQUAL(mg_buf_add_mapped(&b, "a%b\nc,d", map), 0);
	ASSERT_STR(b.buf, "a%25b%0Acd");
	mg_buf_reset(&b);
	CU_ASSERT_EQUAL(mg_buf_add_mapped(&b, "", map), 0);
	CU_ASSERT_EQUAL(mg_buf_add_mapped(&b, "plain", map), 0);
	ASSERT_STR(b.buf, "plain");
	CU_ASSERT_EQUAL(mg_buf_add_mapped(&tiny, "%%%", map), -1);
	CU_ASSERT_TRUE(mg_buf_overflowed(&tiny));
	mg_buf_release(&b);
	mg_buf_release(&tiny);
}

static const struct unit_test tests[] = {
        UNIT_TEST(test_buf__add_mapped),
        UNIT_TEST(test_buf__init_is_empty_and_terminated),
        UNIT_TEST(test_buf__appends_grow),
        UNIT_TEST(test_buf__bound_is_enforced_and_sticky),
        UNIT_TEST(test_buf__failed_addf_keeps_content_terminated),
        UNIT_TEST(test_buf__embedded_nul),
        UNIT_TEST(test_buf__take_hands_over_storage),
        UNIT_TEST(test_buf__replace),
        UNIT_TEST(test_buf__replace_respects_bound),
        UNIT_END,
};

const struct unit_suite unit_suite_buf = {"buf", NULL, NULL, tests};
