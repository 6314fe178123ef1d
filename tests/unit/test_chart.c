#include "setup.h"
#include "unit.h"
#include "chart.h"

#include <math.h>

static void ticks_are(double min, double max, size_t target, bool zero, const char *want)
{
	struct mg_chart_ticks t;
	char lab[MG_CHART_NUM_LEN];
	struct mg_buf got = MG_BUF_INIT(4096);

	CU_ASSERT_EQUAL_FATAL(mg_chart_nice_ticks(min, max, target, zero, &t), 0);
	for (size_t i = 0; i < t.n; i++)
		mg_buf_addf(&got, "%s%s", i ? " " : "", mg_chart_tick_label(&t, i, lab));
	ASSERT_STR(got.buf, want);
	mg_buf_release(&got);
	/* the ticks cover the data */
	CU_ASSERT(t.lo <= fmin(min, max) + 1e-12);
	CU_ASSERT(t.hi >= fmax(min, max) - 1e-12);
}

static void test_chart__nice_ticks(void)
{
	ticks_are(0.902, 0.934, 6, false, "0.900 0.905 0.910 0.915 0.920 0.925 0.930 0.935");
	ticks_are(0, 10, 6, false, "0 2 4 6 8 10");
	ticks_are(0.1, 0.3, 3, false, "0.1 0.2 0.3"); /* no float fuzz in the end ticks */
	ticks_are(3, 97, 5, false, "0 20 40 60 80 100");
	ticks_are(12000, 98000, 5, false, "0 20000 40000 60000 80000 100000");
}

static void test_chart__negatives_and_zero(void)
{
	ticks_are(-0.06, -0.032, 4, false, "-0.06 -0.05 -0.04 -0.03");
	/* spanning zero: 0 is a tick, never "-0" */
	ticks_are(-3, 4, 5, false, "-4 -2 0 2 4");
	ticks_are(-0.3, 0.2, 6, false, "-0.3 -0.2 -0.1 0.0 0.1 0.2");
	/* a zero baseline stretches the range */
	ticks_are(5, 9, 5, true, "0 2 4 6 8 10");
	ticks_are(-9, -5, 5, true, "-10 -8 -6 -4 -2 0");
}

static void test_chart__single_value_and_nan(void)
{
	struct mg_chart_ticks t;
	char n[MG_CHART_NUM_LEN];

	ticks_are(0.9, 0.9, 5, false, "0.80 0.85 0.90 0.95 1.00");
	ticks_are(0, 0, 5, false, "-1.0 -0.5 0.0 0.5 1.0");
	CU_ASSERT_EQUAL(mg_chart_nice_ticks(NAN, 1, 5, false, &t), -1);
	CU_ASSERT_EQUAL(mg_chart_nice_ticks(0, INFINITY, 5, false, &t), -1);
	CU_ASSERT_EQUAL(mg_chart_nice_ticks(-1e308, 1e308, 5, false, &t), -1);
	ASSERT_STR(mg_chart_num(NAN, n), "n/a");
	ASSERT_STR(mg_chart_num(-0.0, n), "0");
	ASSERT_STR(mg_chart_num(0.934, n), "0.934");
	ASSERT_STR(mg_chart_num(-0.032, n), "-0.032");
}

static void test_chart__labels_never_overlap(void)
{
	struct mg_chart_labels fit;

	mg_chart_fit_labels(5, 564, 2, &fit); /* a few short versions: side by side */
	CU_ASSERT_FALSE(fit.rotate);
	CU_ASSERT_EQUAL(fit.step, 1);
	mg_chart_fit_labels(30, 564, 3, &fit); /* rotated, all shown */
	CU_ASSERT_TRUE(fit.rotate);
	CU_ASSERT_EQUAL(fit.step, 1);
	for (size_t n = 1; n <= 400; n += 7) {
		size_t last = (size_t)-1;

		mg_chart_fit_labels(n, 564, 40, &fit);
		for (size_t i = 0; i < n; i++) {
			double slot = 564.0 / (double)n;

			if (!mg_chart_label_shown(&fit, i, n))
				continue;
			/* two shown labels are at least one label's room apart */
			if (last != (size_t)-1)
				CU_ASSERT((double)(i - last) * slot >=
				          (fit.rotate ? 16.0 : 99.0) - 1e-9);
			last = i;
		}
		CU_ASSERT_EQUAL(last, n - 1); /* the newest version is always labelled */
	}
}

static void test_chart__hostile_text(void)
{
	struct mg_buf b = MG_BUF_INIT(1 << 20);
	const char *labels[] = {"1", "</svg><script>alert(1)</script>", "3\xe2\x80\xae"};
	double values[] = {0.5, NAN, 0.7};
	bool prod[] = {true, false, false};
	struct mg_chart_history h = {
	        "mg-h0", "auc\"><script>x</script>", labels, values, prod, 3, 2, NAN, NULL};

	mg_chart_history_svg(&h, &b);
	CU_ASSERT_PTR_NULL(strstr(b.buf, "<script"));
	CU_ASSERT_PTR_NULL(strstr(b.buf, "</svg><script"));
	CU_ASSERT_PTR_NULL(strstr(b.buf, "\xe2\x80\xae")); /* bidi override made visible */
	CU_ASSERT_PTR_NOT_NULL(strstr(b.buf, "#x202E"));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.buf, "&lt;script&gt;"));
	/* the label is cut and the whole text kept in a <title> */
	CU_ASSERT_PTR_NOT_NULL(strstr(b.buf, "&lt;/svg&gt;&lt;scrip\xe2\x80\xa6<title>"));
	/* NaN: said, not drawn */
	CU_ASSERT_PTR_NOT_NULL(strstr(b.buf, "no value for 1 version:"));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.buf, "1 version without a value: not drawn"));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.buf, "role=\"img\" aria-labelledby=\"mg-h0-t mg-h0-d\""));
	mg_buf_release(&b);
}

static void test_chart__single_version(void)
{
	struct mg_buf b = MG_BUF_INIT(1 << 20);
	const char *labels[] = {"1"};
	double values[] = {0.934};
	struct mg_chart_history h = {"x", "roc_auc", labels, values, NULL, 1, 0, 0.9, NULL};

	mg_chart_history_svg(&h, &b);
	CU_ASSERT_PTR_NOT_NULL(strstr(b.buf, "<svg"));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.buf, "d=\"M342.0 ")); /* one point, in the middle */
	CU_ASSERT_PTR_NOT_NULL(strstr(b.buf, "threshold 0.9"));
	mg_buf_reset(&b);
	values[0] = NAN;
	mg_chart_history_svg(&h, &b);
	CU_ASSERT_PTR_NULL(strstr(b.buf, "<svg"));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.buf, "No chart: 1 version"));
	mg_buf_release(&b);
}

static void test_chart__compare(void)
{
	struct mg_buf b = MG_BUF_INIT(1 << 20);
	struct mg_chart_compare c = {
	        .id = "c0",
	        .metric = "roc_auc",
	        .candidate = 0.902,
	        .baseline = 0.934,
	        .threshold = 0.9,
	        .band_lo = 0.924,
	        .band_hi = 0.934,
	        .cand_lo = 0.89,
	        .cand_hi = 0.91,
	        .base_lo = NAN,
	        .base_hi = NAN,
	        .direction = 1,
	        .verdict = "failed",
	};

	mg_chart_compare_svg(&c, &b);
	CU_ASSERT_PTR_NOT_NULL(strstr(b.buf, "candidate 0.902 (-0.032): failed"));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.buf, "production 0.934"));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.buf, "threshold 0.9<"));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.buf, "class=\"mg-band\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.buf, "class=\"mg-whisker mg-fail\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.buf, "higher is better; verdict failed."));
	/* negative metric values and a zero line */
	mg_buf_reset(&b);
	c = (struct mg_chart_compare){"c1", "delta_pnl", -2,  1,   NAN, NAN,      NAN,
	                              NAN,  NAN,         NAN, NAN, -1,  "passed", NULL};
	mg_chart_compare_svg(&c, &b);
	CU_ASSERT_PTR_NOT_NULL(strstr(b.buf, "class=\"mg-zero\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.buf, "candidate -2 (-3): passed"));
	/* nothing to draw */
	mg_buf_reset(&b);
	c.candidate = NAN;
	mg_chart_compare_svg(&c, &b);
	CU_ASSERT_PTR_NULL(strstr(b.buf, "<svg"));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.buf, "No chart: Candidate n/a"));
	mg_buf_release(&b);
}

static void test_chart__text_bars(void)
{
	struct mg_buf b = MG_BUF_INIT(1 << 16);
	struct mg_chart_compare c[2] = {
	        {.metric = "roc_auc",
	         .candidate = 0.902,
	         .baseline = 0.934,
	         .threshold = 0.9,
	         .verdict = "failed"},
	        {.metric = "a`b\n```evil-name-longer-than-24-chars",
	         .candidate = -2,
	         .baseline = NAN,
	         .threshold = NAN,
	         .verdict = "passed"},
	};

	mg_chart_text_bars(c, 2, &b);
	CU_ASSERT_PTR_NOT_NULL(strstr(b.buf, "\n```text\nroc_auc                    production "
	                                     "\xe2\x96\x88"));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.buf, " 0.902 failed\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.buf, "axis 0.89 to 0.94; threshold 0.9\n"));
	/* a name cannot close the code block or break the line */
	CU_ASSERT_PTR_NOT_NULL(strstr(b.buf, "a'b''''evil-name-longer-\xe2\x80\xa6  candidate "));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.buf, " -2 passed\n"));
	CU_ASSERT_EQUAL(strstr(b.buf, "```\n") + 4,
	                b.buf + b.len); /* one closing fence, at the end */
	mg_buf_reset(&b);
	mg_chart_text_bars(c, 0, &b);
	CU_ASSERT_EQUAL(b.len, 0);
	mg_buf_release(&b);
}

static const struct unit_test tests[] = {
        UNIT_TEST(test_chart__nice_ticks),
        UNIT_TEST(test_chart__negatives_and_zero),
        UNIT_TEST(test_chart__single_value_and_nan),
        UNIT_TEST(test_chart__labels_never_overlap),
        UNIT_TEST(test_chart__hostile_text),
        UNIT_TEST(test_chart__single_version),
        UNIT_TEST(test_chart__compare),
        UNIT_TEST(test_chart__text_bars),
        UNIT_END,
};

const struct unit_suite unit_suite_chart = {"chart", NULL, NULL, tests};
