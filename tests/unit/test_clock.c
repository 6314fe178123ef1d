#include "setup.h"
#include "unit.h"
#include "clock.h"

static void test_clock__formats_utc(void)
{
	char out[MG_TIME_LEN];

	ASSERT_STR(mg_time_format(0, MG_TIME_ZULU, out), "1970-01-01T00:00:00Z");
	ASSERT_STR(mg_time_format(1796013411, MG_TIME_ZULU, out), "2026-11-30T04:36:51Z");
	ASSERT_STR(mg_time_format(1796013411, MG_TIME_NOZONE, out), "2026-11-30T04:36:51");
}

static void test_clock__format_ignores_tz(void)
{
	char out[MG_TIME_LEN];
	const char *old = getenv("TZ");
	char *saved = old ? strdup(old) : NULL;

	setenv("TZ", "America/New_York", 1);
	tzset();
	ASSERT_STR(mg_time_format(1796013411, MG_TIME_ZULU, out), "2026-11-30T04:36:51Z");
	if (saved)
		setenv("TZ", saved, 1);
	else
		unsetenv("TZ");
	tzset();
	free(saved);
}

static void test_clock__parses_dates_and_times(void)
{
	struct mg_err err = MG_ERR_INIT;
	time_t t = 0;

	CU_ASSERT_EQUAL(mg_time_parse("expires", "2026-12-31", &t, &err), 0);
	CU_ASSERT_EQUAL(t, 1798675200);
	CU_ASSERT_EQUAL(mg_time_parse("x", "2026-11-30T04:36:51Z", &t, &err), 0);
	CU_ASSERT_EQUAL(t, 1796013411);
	CU_ASSERT_EQUAL(mg_time_parse("x", "2026-11-30T06:36:51+02:00", &t, &err), 0);
	CU_ASSERT_EQUAL(t, 1796013411);
	CU_ASSERT_EQUAL(mg_time_parse("x", "2024-02-29", &t, &err), 0);
	CU_ASSERT_EQUAL(mg_time_parse("x", "1969-12-31T23:59:59Z", &t, &err), 0);
	CU_ASSERT_EQUAL(t, -1);
	CU_ASSERT_FALSE(mg_err_failed(&err));
}

static void test_clock__refuses_bad_dates(void)
{
	static const char *const bad[] = {"2023-02-29",
	                                  "2026-13-01",
	                                  "2026-00-10",
	                                  "2026-04-31",
	                                  "2026-1-01",
	                                  "2026-01-01T10:00:00",
	                                  "2026-01-01 10:00:00Z",
	                                  "2026-01-01T25:00:00Z",
	                                  "2026-01-01Z",
	                                  "",
	                                  "tomorrow",
	                                  "2026-01-01T10:00:00+2:00"};

	for (size_t i = 0; i < MG_ARRAY_SIZE(bad); i++) {
		struct mg_err err = MG_ERR_INIT;
		time_t t = 5;

		CU_ASSERT_EQUAL(mg_time_parse("waivers[0].expires", bad[i], &t, &err), -1);
		CU_ASSERT_EQUAL(err.code, MG_EXIT_USAGE);
		CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "waivers[0].expires"));
		CU_ASSERT_EQUAL(t, 5);
	}
}

static void test_clock__monotonic(void)
{
	uint64_t a = mg_clock_ns(), b = mg_clock_ns();

	CU_ASSERT_TRUE(b >= a);
	CU_ASSERT_TRUE(mg_clock_since(a) >= 0.0);
	CU_ASSERT_TRUE(mg_clock_since(a) < 60.0);
	CU_ASSERT_EQUAL(mg_clock_since(UINT64_MAX), 0.0);
}

static const struct unit_test tests[] = {
        UNIT_TEST(test_clock__formats_utc),
        UNIT_TEST(test_clock__format_ignores_tz),
        UNIT_TEST(test_clock__parses_dates_and_times),
        UNIT_TEST(test_clock__refuses_bad_dates),
        UNIT_TEST(test_clock__monotonic),
        UNIT_END,
};

const struct unit_suite unit_suite_clock = {"clock", NULL, NULL, tests};
