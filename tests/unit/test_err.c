#include "setup.h"
#include "unit.h"
#include "err.h"

static void test_err__set_formats_and_returns_minus_one(void)
{
	struct mg_err err = MG_ERR_INIT;

	CU_ASSERT_FALSE(mg_err_failed(&err));
	CU_ASSERT_EQUAL(mg_err_set(&err, MG_EXIT_USAGE, "cannot open '%s'", "p.json"), -1);
	CU_ASSERT_TRUE(mg_err_failed(&err));
	CU_ASSERT_EQUAL(err.code, MG_EXIT_USAGE);
	CU_ASSERT_EQUAL(err.reason, MG_REASON_NONE);
	ASSERT_STR(err.msg, "cannot open 'p.json'");
}

static void test_err__lowest_layer_wins(void)
{
	struct mg_err err = MG_ERR_INIT;

	mg_err_set(&err, MG_EXIT_INFRA, "connection refused");
	mg_err_set(&err, MG_EXIT_USAGE, "cannot load registry");
	CU_ASSERT_EQUAL(err.code, MG_EXIT_INFRA);
	ASSERT_STR(err.msg, "connection refused");
	mg_err_clear(&err);
	CU_ASSERT_FALSE(mg_err_failed(&err));
	ASSERT_STR(err.msg, "");
	mg_err_set(&err, MG_EXIT_USAGE, "second");
	ASSERT_STR(err.msg, "second");
}

static void test_err__one_line(void)
{
	struct mg_err err = MG_ERR_INIT;

	mg_err_set(&err, MG_EXIT_USAGE, "bad\nvalue\r\tand \x1b[31mcolour");
	ASSERT_STR(err.msg, "bad value  and  [31mcolour");
}

static void test_err__long_message_is_cut_with_ellipsis(void)
{
	struct mg_err err = MG_ERR_INIT;
	char big[2 * MG_ERR_MSG_MAX];
	size_t len;

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	mg_err_set(&err, MG_EXIT_USAGE, "%s", big);
	len = strlen(err.msg);
	CU_ASSERT_EQUAL(len, MG_ERR_MSG_MAX - 1);
	ASSERT_STR(err.msg + len - 3, "...");
}

static void test_err__reason(void)
{
	struct mg_err err = MG_ERR_INIT;

	mg_err_setr(&err, MG_EXIT_INFRA, MG_REASON_NOT_FOUND, "model '%s' not found", "m");
	CU_ASSERT_EQUAL(err.reason, MG_REASON_NOT_FOUND);
	CU_ASSERT_EQUAL(err.code, MG_EXIT_INFRA);
}

static void test_err__exit_table_matches_contract(void)
{
	size_t n;
	const struct mg_exit_row *rows = mg_exit_table(&n);

	CU_ASSERT_EQUAL_FATAL(n, 5);
	for (size_t i = 0; i < n; i++)
		CU_ASSERT_EQUAL(rows[i].code, (int)i);
	CU_ASSERT_EQUAL(MG_EXIT_PASS, 0);
	CU_ASSERT_EQUAL(MG_EXIT_FAIL, 1);
	CU_ASSERT_EQUAL(MG_EXIT_USAGE, 2);
	CU_ASSERT_EQUAL(MG_EXIT_INFRA, 3);
	CU_ASSERT_EQUAL(MG_EXIT_MANUAL, 4);
}

static const struct unit_test tests[] = {
        UNIT_TEST(test_err__set_formats_and_returns_minus_one),
        UNIT_TEST(test_err__lowest_layer_wins),
        UNIT_TEST(test_err__one_line),
        UNIT_TEST(test_err__long_message_is_cut_with_ellipsis),
        UNIT_TEST(test_err__reason),
        UNIT_TEST(test_err__exit_table_matches_contract),
        UNIT_END,
};

const struct unit_suite unit_suite_err = {"err", NULL, NULL, tests};
