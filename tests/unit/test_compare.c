#include "setup.h"
#include "unit.h"
#include "compare.h"
#include "json.h"

#include <math.h>

static enum mg_status judge(const struct mg_compare_rule *r, const double *c, const double *b,
                            bool have_b, const char *want_in_message)
{
	struct mg_buf why = MG_BUF_INIT(MG_BUF_SMALL);
	enum mg_status st = mg_compare_judge(r, c, b, have_b, &why);

	if (want_in_message && !strstr(why.buf, want_in_message)) {
		fprintf(stderr, "\nmessage '%s' lacks '%s'\n", why.buf, want_in_message);
		CU_FAIL("message");
	}
	mg_buf_release(&why);
	return st;
}

static void test_compare__threshold_is_inclusive(void)
{
	struct mg_compare_rule hi = {
	        .name = "auc", .greater_is_better = true, .has_threshold = true, .threshold = 0.8};
	struct mg_compare_rule lo = {.name = "loss",
	                             .greater_is_better = false,
	                             .has_threshold = true,
	                             .threshold = 0.3};
	double eq = 0.8, below = 0.79, l_eq = 0.3, l_above = 0.31, b = 0.1;

	CU_ASSERT_EQUAL(judge(&hi, &eq, &b, true, "threshold >= 0.8 met"), MG_STATUS_PASSED);
	CU_ASSERT_EQUAL(judge(&hi, &below, &b, true, "is not >= 0.8"), MG_STATUS_FAILED);
	CU_ASSERT_EQUAL(judge(&lo, &l_eq, &b, true, NULL), MG_STATUS_PASSED);
	CU_ASSERT_EQUAL(judge(&lo, &l_above, &b, true, "is not <= 0.3"), MG_STATUS_FAILED);
}

static void test_compare__min_absolute_change(void)
{
	struct mg_compare_rule r = {
	        .name = "auc", .greater_is_better = true, .has_min_abs = true, .min_abs = 0.5};
	double b = 1.0, on = 1.5, short_of = nextafter(1.5, 0), lo_c = 0.5;

	CU_ASSERT_EQUAL(judge(&r, &on, &b, true, "min_absolute_change met"), MG_STATUS_PASSED);
	CU_ASSERT_EQUAL(judge(&r, &short_of, &b, true, "min_absolute_change failed"),
	                MG_STATUS_FAILED);
	r.greater_is_better = false;
	CU_ASSERT_EQUAL(judge(&r, &lo_c, &b, true, NULL), MG_STATUS_PASSED);
	CU_ASSERT_EQUAL(judge(&r, &b, &b, true, NULL), MG_STATUS_FAILED);
}

static void test_compare__min_relative_change_and_zero_baseline(void)
{
	struct mg_compare_rule r = {
	        .name = "auc", .greater_is_better = true, .has_min_rel = true, .min_rel = 0.1};
	double b = 2.0, c = 2.2, c_low = 2.1, zero = 0.0, tiny = 1e-10, tinier = 5e-11;
	double neg_b = -2.0, neg_c = -1.7;

	CU_ASSERT_EQUAL(judge(&r, &c, &b, true, NULL), MG_STATUS_PASSED);
	CU_ASSERT_EQUAL(judge(&r, &c_low, &b, true, "min_relative_change failed"),
	                MG_STATUS_FAILED);
	/* MLflow 3.17 divides by |baseline|: -1.7 vs -2 is a 15% gain */
	CU_ASSERT_EQUAL(judge(&r, &neg_c, &neg_b, true, NULL), MG_STATUS_PASSED);
	/* zero baseline: strictly better by 1e-10 */
	CU_ASSERT_EQUAL(judge(&r, &tiny, &zero, true, "production is 0"), MG_STATUS_PASSED);
	CU_ASSERT_EQUAL(judge(&r, &tinier, &zero, true, NULL), MG_STATUS_FAILED);
	CU_ASSERT_EQUAL(judge(&r, &zero, &zero, true, NULL), MG_STATUS_FAILED);
	/* min_relative_change 0: equal passes (except at zero) */
	r.min_rel = 0;
	CU_ASSERT_EQUAL(judge(&r, &b, &b, true, NULL), MG_STATUS_PASSED);
}

static void test_compare__tolerated_regression(void)
{
	struct mg_compare_rule r = {
	        .name = "f1", .greater_is_better = true, .has_max_reg = true, .max_reg = 0.25};
	double b = 1.0, within = 0.75, over = 0.7, lo_over = 1.3;

	CU_ASSERT_EQUAL(judge(&r, &within, &b, true, "within max_regression"), MG_STATUS_PASSED);
	CU_ASSERT_EQUAL(judge(&r, &over, &b, true, "max_regression exceeded"), MG_STATUS_FAILED);
	r.greater_is_better = false;
	CU_ASSERT_EQUAL(judge(&r, &lo_over, &b, true, NULL), MG_STATUS_FAILED);
	r = (struct mg_compare_rule){.name = "f1",
	                             .greater_is_better = true,
	                             .has_max_rel_reg = true,
	                             .max_rel_reg = 0.1};
	within = 0.9;
	over = 0.89;
	CU_ASSERT_EQUAL(judge(&r, &within, &b, true, NULL), MG_STATUS_PASSED);
	CU_ASSERT_EQUAL(judge(&r, &over, &b, true, "max_relative_regression exceeded"),
	                MG_STATUS_FAILED);
}

static void test_compare__fails_closed(void)
{
	struct mg_compare_rule r = {
	        .name = "auc", .greater_is_better = true, .has_min_rel = true, .min_rel = 0.0};
	double b = 1.0, nan = NAN, inf = INFINITY, c = 2.0;

	CU_ASSERT_EQUAL(judge(&r, NULL, &b, true, "missing on the candidate"), MG_STATUS_FAILED);
	/* MLflow would pass a NaN candidate here (NaN < 0 is false): mlgate does not */
	CU_ASSERT_EQUAL(judge(&r, &nan, &b, true, "NaN"), MG_STATUS_FAILED);
	CU_ASSERT_EQUAL(judge(&r, &inf, &b, true, "infinite"), MG_STATUS_FAILED);
	CU_ASSERT_EQUAL(judge(&r, &c, NULL, true, "missing on the production model"),
	                MG_STATUS_FAILED);
	CU_ASSERT_EQUAL(judge(&r, &c, &nan, true, "production value is NaN"), MG_STATUS_FAILED);
	/* even a threshold-only rule needs the production value when there is a production model */
	r = (struct mg_compare_rule){
	        .name = "auc", .greater_is_better = true, .has_threshold = true, .threshold = 0};
	CU_ASSERT_EQUAL(judge(&r, &c, NULL, true, NULL), MG_STATUS_FAILED);
}

static void test_compare__first_deployment_checks_thresholds_only(void)
{
	struct mg_compare_rule r = {.name = "auc",
	                            .greater_is_better = true,
	                            .has_threshold = true,
	                            .threshold = 0.5,
	                            .has_min_abs = true,
	                            .min_abs = 1};
	double c = 0.6, low = 0.4;

	CU_ASSERT_EQUAL(judge(&r, &c, NULL, false, "no production model"), MG_STATUS_PASSED);
	CU_ASSERT_EQUAL(judge(&r, &low, NULL, false, NULL), MG_STATUS_FAILED);
	r.has_threshold = false;
	CU_ASSERT_EQUAL(judge(&r, &c, NULL, false, NULL), MG_STATUS_SKIPPED);
	CU_ASSERT_EQUAL(judge(&r, NULL, NULL, false, NULL), MG_STATUS_FAILED);
}

static void test_compare__rule_text_and_csv(void)
{
	struct mg_compare_rule r = {.name = "loss",
	                            .greater_is_better = false,
	                            .has_threshold = true,
	                            .threshold = 0.3,
	                            .has_max_rel_reg = true,
	                            .max_rel_reg = 0.05};
	struct mg_buf b = MG_BUF_INIT(MG_BUF_SMALL);

	mg_compare_rule_text(&r, &b);
	ASSERT_STR(b.buf, "lower is better; threshold <= 0.3; max_relative_regression 0.05");
	mg_buf_reset(&b);
	mg_csv_field(&b, "plain");
	mg_buf_addch(&b, ',');
	mg_csv_field(&b, "a,\"b\"\nc");
	ASSERT_STR(b.buf, "plain,\"a,\"\"b\"\"\nc\"");
	mg_buf_release(&b);
}

static void test_compare__schema(void)
{
	struct mg_err err = MG_ERR_INIT;
	const char *bad = "{\"metrics\":[{\"name\":\"a\"}]}";
	const char *empty = "{\"metrics\":[]}";
	const char *fd = "{\"metrics\":[{\"name\":\"a\",\"greater_is_better\":true,"
	                 "\"threshold\":1}],\"first_deployment\":\"sometimes\"}";
	const char *ok = "{\"metrics\":[{\"name\":\"a\",\"greater_is_better\":false,"
	                 "\"threshold\":1}],\"first_deployment\":\"manual\"}";
	const char *docs[] = {bad, empty, fd, ok};
	int want[] = {-1, -1, -1, 0};

	for (size_t i = 0; i < 4; i++) {
		cJSON *d = cJSON_Parse(docs[i]);

		mg_err_clear(&err);
		CU_ASSERT_EQUAL(mg_schema_check(mg_compare_policy_schema(), d, "policy 't'",
		                                "compare", &err),
		                want[i]);
		cJSON_Delete(d);
	}
	{
		cJSON *s = mg_schema_to_json(mg_compare_policy_schema());

		CU_ASSERT_PTR_NOT_NULL(s);
		cJSON_Delete(s);
	}
}

/* The delta is the written values' difference, one number for every output. */
static void test_compare__delta_as_written(void)
{
	char t[MG_DOUBLE_LEN];
	double sum = 0.1;

	sum += 0.2; /* 0.30000000000000004 */
	ASSERT_STR(mg_compare_num_str(mg_compare_delta(0.902, 0.934), t), "-0.032");
	ASSERT_STR(mg_compare_num_str(0.902 - 0.934, t),
	           "-0.03200000000000003"); /* the binary one */
	ASSERT_STR(mg_compare_num_str(mg_compare_delta(0.55, 0.61), t), "-0.06");
	ASSERT_STR(mg_compare_num_str(mg_compare_delta(0.951, 0.934), t), "0.017");
	ASSERT_STR(mg_compare_num_str(mg_compare_delta(1234.5, 1200), t), "34.5");
	ASSERT_STR(mg_compare_num_str(mg_compare_delta(1.5e-20, 1e-20), t), "5e-21");
	ASSERT_STR(mg_compare_num_str(mg_compare_delta(1e20, 3e20), t), "-2e+20");
	/* no "-0" */
	ASSERT_STR(mg_compare_num_str(mg_compare_delta(0.5, 0.5), t), "0");
	ASSERT_STR(mg_compare_num_str(mg_compare_delta(-0.0, 0.0), t), "0");
	/* 17 significant digits: the written forms do not settle it, the computed one is kept */
	CU_ASSERT_EQUAL(mg_compare_delta(sum, 0.3), sum - 0.3);
	CU_ASSERT(isnan(mg_compare_delta(NAN, 1)));
}

static const struct unit_test tests[] = {
        UNIT_TEST(test_compare__threshold_is_inclusive),
        UNIT_TEST(test_compare__min_absolute_change),
        UNIT_TEST(test_compare__min_relative_change_and_zero_baseline),
        UNIT_TEST(test_compare__tolerated_regression),
        UNIT_TEST(test_compare__fails_closed),
        UNIT_TEST(test_compare__first_deployment_checks_thresholds_only),
        UNIT_TEST(test_compare__rule_text_and_csv),
        UNIT_TEST(test_compare__delta_as_written),
        UNIT_TEST(test_compare__schema),
        UNIT_END,
};

const struct unit_suite unit_suite_compare = {"compare", NULL, NULL, tests};
