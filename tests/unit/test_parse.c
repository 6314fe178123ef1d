#include "setup.h"
#include "unit.h"
#include "parse.h"

static void test_parse__hexval(void)
{
	static const char digits[] = "0123456789abcdefABCDEF";

	for (size_t i = 0; i < sizeof(digits) - 1; i++)
		CU_ASSERT_EQUAL(mg_hexval(digits[i]), i < 16 ? (int)i : (int)i - 6);
	CU_ASSERT_EQUAL(mg_hexval('g'), -1);
	CU_ASSERT_EQUAL(mg_hexval('G'), -1);
	CU_ASSERT_EQUAL(mg_hexval('/'), -1);
	CU_ASSERT_EQUAL(mg_hexval(':'), -1);
	CU_ASSERT_EQUAL(mg_hexval('\0'), -1);
	CU_ASSERT_EQUAL(mg_hexval((char)0xC3), -1);
}

static void test_parse__integers(void)
{
	struct mg_err err = MG_ERR_INIT;
	long long v = 0;

	CU_ASSERT_EQUAL(mg_parse_ll("--port", "5000", 1, 65535, &v, &err), 0);
	CU_ASSERT_EQUAL(v, 5000);
	CU_ASSERT_EQUAL(mg_parse_ll("--n", "-12", -20, 0, &v, &err), 0);
	CU_ASSERT_EQUAL(v, -12);
	CU_ASSERT_EQUAL(mg_parse_ll("--n", "+7", 0, 10, &v, &err), 0);
	CU_ASSERT_EQUAL(v, 7);
	CU_ASSERT_FALSE(mg_err_failed(&err));
}

static void test_parse__integer_errors_name_the_value(void)
{
	static const char *const bad[] = {"", " 5", "5 ", "5x", "x", "0x10", "1.5", "-", "+"};
	long long v = 42;

	for (size_t i = 0; i < MG_ARRAY_SIZE(bad); i++) {
		struct mg_err err = MG_ERR_INIT;

		CU_ASSERT_EQUAL(mg_parse_ll("--port", bad[i], 0, 100, &v, &err), -1);
		CU_ASSERT_EQUAL(err.code, MG_EXIT_USAGE);
		CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "--port"));
		CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "not an integer"));
	}
	CU_ASSERT_EQUAL(v, 42);
}

static void test_parse__integer_range(void)
{
	struct mg_err err = MG_ERR_INIT;
	long long v = 0;

	CU_ASSERT_EQUAL(mg_parse_ll("--port", "65536", 1, 65535, &v, &err), -1);
	ASSERT_STR(err.msg, "invalid value '65536' for --port: must be between 1 and 65535");
	mg_err_clear(&err);
	CU_ASSERT_EQUAL(mg_parse_ll("x", "99999999999999999999999", LLONG_MIN, LLONG_MAX, &v, &err),
	                -1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "must be between"));
}

static void test_parse__doubles(void)
{
	struct mg_err err = MG_ERR_INIT;
	double v = 0;

	CU_ASSERT_EQUAL(mg_parse_double("t", "0.85", &v, &err), 0);
	CU_ASSERT_DOUBLE_EQUAL(v, 0.85, 1e-12);
	CU_ASSERT_EQUAL(mg_parse_double("t", "-.5", &v, &err), 0);
	CU_ASSERT_DOUBLE_EQUAL(v, -0.5, 1e-12);
	CU_ASSERT_EQUAL(mg_parse_double("t", "1e-3", &v, &err), 0);
	CU_ASSERT_DOUBLE_EQUAL(v, 0.001, 1e-15);
	CU_ASSERT_EQUAL(mg_parse_double("t", "5", &v, &err), 0);
	CU_ASSERT_DOUBLE_EQUAL(v, 5.0, 0);
	CU_ASSERT_FALSE(mg_err_failed(&err));
}

static void test_parse__doubles_refuse_non_finite_and_junk(void)
{
	static const char *const bad[] = {"nan", "NaN", "inf", "-Infinity", "0x1p3", " 1",
	                                  "1 ",  "1,5", "",    ".",         "e5",    "1e999"};

	for (size_t i = 0; i < MG_ARRAY_SIZE(bad); i++) {
		struct mg_err err = MG_ERR_INIT;
		double v = 7;

		CU_ASSERT_EQUAL(mg_parse_double("threshold", bad[i], &v, &err), -1);
		CU_ASSERT_EQUAL(err.code, MG_EXIT_USAGE);
		CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "threshold"));
		CU_ASSERT_DOUBLE_EQUAL(v, 7, 0);
	}
}

static void test_parse__booleans(void)
{
	struct mg_err err = MG_ERR_INIT;
	bool v = false;

	CU_ASSERT_EQUAL(mg_parse_bool("X", "TRUE", &v, &err), 0);
	CU_ASSERT_TRUE(v);
	CU_ASSERT_EQUAL(mg_parse_bool("X", "0", &v, &err), 0);
	CU_ASSERT_FALSE(v);
	CU_ASSERT_EQUAL(mg_parse_bool("X", "yes", &v, &err), 0);
	CU_ASSERT_TRUE(v);
	CU_ASSERT_EQUAL(mg_parse_bool("environment variable X", "maybe", &v, &err), -1);
	ASSERT_STR(err.msg,
	           "invalid value 'maybe' for environment variable X: expected true or false");
}

static const struct unit_test tests[] = {
        UNIT_TEST(test_parse__hexval),
        UNIT_TEST(test_parse__integers),
        UNIT_TEST(test_parse__integer_errors_name_the_value),
        UNIT_TEST(test_parse__integer_range),
        UNIT_TEST(test_parse__doubles),
        UNIT_TEST(test_parse__doubles_refuse_non_finite_and_junk),
        UNIT_TEST(test_parse__booleans),
        UNIT_END,
};

const struct unit_suite unit_suite_parse = {"parse", NULL, NULL, tests};
