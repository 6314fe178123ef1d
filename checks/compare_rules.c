/*
 * Judging one metric by its policy rule (compare.h): the rule as text, the
 * verdict and the reason, and CSV quoting for --results. Pure functions,
 * unit-tested (test_compare.c); the gate is compare.c.
 */
#include "setup.h"
#include "compare.h"

#include <float.h>
#include <math.h>

const char *mg_compare_num_str(double v, char s[MG_DOUBLE_LEN])
{
	if (isnan(v))
		return "NaN";
	if (isinf(v))
		return v > 0 ? "Infinity" : "-Infinity";
	return mg_double_str(v, s);
}

/* Digits after the point of v's shortest text: "0.902" 3, "1e-08" 8, "12" 0, "1.5e+20" -19. */
static int decimals(double v)
{
	char s[MG_DOUBLE_LEN], *e;
	const char *dot;
	long exp = 0;
	int frac = 0;

	mg_double_str(v, s);
	e = strchr(s, 'e');
	if (e) {
		exp = strtol(e + 1, NULL, 10);
		*e = '\0';
	}
	dot = strchr(s, '.');
	if (dot)
		frac = (int)strlen(dot + 1);
	return frac - (int)exp;
}

double mg_compare_delta(double cand, double base)
{
	double d = cand - base, r, unit = 1;
	int n, nb;
	char s[64];

	if (!isfinite(cand) || !isfinite(base) || !isfinite(d))
		return d;
	n = decimals(cand);
	nb = decimals(base);
	n = n > nb ? n : nb;
	n = n > 0 ? n : 0;
	/*
	 * Each shortest text is within half an ulp of its value and the
	 * subtraction within half an ulp of d (an ulp of x is at most
	 * |x| * DBL_EPSILON): below half a unit of the last decimal, rounding d
	 * there gives the written values' difference exactly.
	 */
	if (n > 30 || fabs(d) >= 1e15)
		return d;
	for (int i = 0; i < n; i++)
		unit /= 10;
	if ((fabs(cand) + fabs(base) + fabs(d)) * DBL_EPSILON / 2 + DBL_MIN >= unit / 2)
		return d;
	snprintf(s, sizeof(s), "%.*f", n, d);
	r = strtod(s, NULL);
	return r == 0 ? 0.0 : r; /* no "-0" */
}

void mg_compare_num(struct mg_buf *out, double v)
{
	char s[MG_DOUBLE_LEN];

	mg_buf_adds(out, mg_compare_num_str(v, s));
}

void mg_compare_rule_text(const struct mg_compare_rule *r, struct mg_buf *out)
{
	mg_buf_adds(out, r->greater_is_better ? "higher is better" : "lower is better");
	if (r->has_threshold) {
		mg_buf_adds(out, r->greater_is_better ? "; threshold >= " : "; threshold <= ");
		mg_compare_num(out, r->threshold);
	}
	if (r->has_min_abs) {
		mg_buf_adds(out, "; min_absolute_change ");
		mg_compare_num(out, r->min_abs);
	}
	if (r->has_min_rel) {
		mg_buf_adds(out, "; min_relative_change ");
		mg_compare_num(out, r->min_rel);
	}
	if (r->has_max_reg) {
		mg_buf_adds(out, "; max_regression ");
		mg_compare_num(out, r->max_reg);
	}
	if (r->has_max_rel_reg) {
		mg_buf_adds(out, "; max_relative_regression ");
		mg_compare_num(out, r->max_rel_reg);
	}
}

/* MLflow's comparator: >= when greater is better, else <= (inclusive bounds). */
static bool better_or_equal(const struct mg_compare_rule *r, double a, double b)
{
	return r->greater_is_better ? a >= b : a <= b;
}

/* The improvement of c over b relative to |b| (MLflow 3.17: divides by the magnitude). */
static double relative_gain(const struct mg_compare_rule *r, double c, double b)
{
	return r->greater_is_better ? (c - b) / fabs(b) : (b - c) / fabs(b);
}

bool mg_compare_rule_comparative(const struct mg_compare_rule *r)
{
	return r->has_min_abs || r->has_min_rel || r->has_max_reg || r->has_max_rel_reg;
}

static void sep(struct mg_buf *why, size_t start)
{
	if (why->len > start)
		mg_buf_adds(why, "; ");
}

enum mg_status mg_compare_judge(const struct mg_compare_rule *r, const double *cand,
                                const double *base, bool have_baseline, struct mg_buf *why)
{
	const char *gt = r->greater_is_better ? ">=" : "<=";
	size_t start = why->len;
	bool failed = false;
	double c, b, bound;

	if (!cand) {
		mg_buf_adds(why, "metric is missing on the candidate");
		return MG_STATUS_FAILED;
	}
	c = *cand;
	if (!isfinite(c)) {
		mg_buf_addf(why, "candidate value is %s, not a number to compare",
		            isnan(c) ? "NaN" : "infinite");
		return MG_STATUS_FAILED;
	}
	if (r->has_threshold) {
		if (!better_or_equal(r, c, r->threshold)) {
			failed = true;
			mg_buf_adds(why, "threshold failed: candidate ");
			mg_compare_num(why, c);
			mg_buf_addf(why, " is not %s ", gt);
			mg_compare_num(why, r->threshold);
		} else {
			mg_buf_addf(why, "threshold %s ", gt);
			mg_compare_num(why, r->threshold);
			mg_buf_adds(why, " met");
		}
	}
	if (!have_baseline) {
		if (mg_compare_rule_comparative(r)) {
			sep(why, start);
			mg_buf_adds(why,
			            "no production model: changes and regressions not checked");
		}
		if (!r->has_threshold)
			return MG_STATUS_SKIPPED;
		return failed ? MG_STATUS_FAILED : MG_STATUS_PASSED;
	}
	if (!base) {
		sep(why, start);
		mg_buf_adds(why, "metric is missing on the production model");
		return MG_STATUS_FAILED;
	}
	b = *base;
	if (!isfinite(b)) {
		sep(why, start);
		mg_buf_addf(why, "production value is %s, not a number to compare",
		            isnan(b) ? "NaN" : "infinite");
		return MG_STATUS_FAILED;
	}
	if (r->has_min_abs) {
		/* MLflow: cmp(Decimal(c), Decimal(b +- d)), the sum taken in float */
		bound = r->greater_is_better ? b + r->min_abs : b - r->min_abs;
		sep(why, start);
		if (!better_or_equal(r, c, bound)) {
			failed = true;
			mg_buf_adds(why, "min_absolute_change failed: needs ");
		} else {
			mg_buf_adds(why, "min_absolute_change met: ");
		}
		mg_buf_addf(why, "%s ", gt);
		mg_compare_num(why, bound);
	}
	if (r->has_min_rel) {
		bool ok;

		sep(why, start);
		if (b == 0) {
			/* MLflow's fallback: strictly better than 0 by 1e-10 */
			ok = better_or_equal(r, c, r->greater_is_better ? b + 1e-10 : b - 1e-10);
			mg_buf_addf(why,
			            "min_relative_change %s (production is 0: candidate must be "
			            "%s 1e-10)",
			            ok ? "met" : "failed", r->greater_is_better ? ">=" : "<= -");
		} else {
			double rel = relative_gain(r, c, b);

			ok = !(rel < r->min_rel);
			mg_buf_addf(why, "min_relative_change %s: relative change ",
			            ok ? "met" : "failed");
			mg_compare_num(why, rel);
			mg_buf_addf(why, " %s ", ok ? ">=" : "<");
			mg_compare_num(why, r->min_rel);
		}
		failed = failed || !ok;
	}
	if (r->has_max_reg) {
		bound = r->greater_is_better ? b - r->max_reg : b + r->max_reg;
		sep(why, start);
		if (!better_or_equal(r, c, bound)) {
			failed = true;
			mg_buf_adds(why, "max_regression exceeded: needs ");
		} else {
			mg_buf_adds(why, "within max_regression: ");
		}
		mg_buf_addf(why, "%s ", gt);
		mg_compare_num(why, bound);
	}
	if (r->has_max_rel_reg) {
		bool ok;

		sep(why, start);
		if (b == 0) {
			/* no relative scale: the candidate may not be worse at all */
			ok = better_or_equal(r, c, b);
			mg_buf_addf(why,
			            "max_relative_regression %s (production is 0: candidate "
			            "must not be worse)",
			            ok ? "met" : "exceeded");
		} else {
			double rel = relative_gain(r, c, b);

			ok = rel >= -r->max_rel_reg;
			mg_buf_addf(why, "max_relative_regression %s: relative change ",
			            ok ? "met" : "exceeded");
			mg_compare_num(why, rel);
			mg_buf_addf(why, " %s -", ok ? ">=" : "<");
			mg_compare_num(why, r->max_rel_reg);
		}
		failed = failed || !ok;
	}
	return failed ? MG_STATUS_FAILED : MG_STATUS_PASSED;
}

void mg_csv_field(struct mg_buf *out, const char *s)
{
	if (!s[strcspn(s, ",\"\r\n")]) {
		mg_buf_adds(out, s);
		return;
	}
	mg_buf_addch(out, '"');
	for (; *s; s++) {
		if (*s == '"')
			mg_buf_addch(out, '"');
		mg_buf_addch(out, *s);
	}
	mg_buf_addch(out, '"');
}
