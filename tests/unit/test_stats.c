/*
 * Known answers for lib/stats*.c. Expected values were computed with R
 * (pROC 1.18.0), scipy 1.10.1, statsmodels 0.13.5 and scikit-learn 1.2.1
 * (docs/compare.md lists the sources). Tolerances: 1e-12 relative for
 * closed forms on exact (dyadic) inputs, 1e-9 where the reference printed
 * fewer digits or sums in another order, exact for integers and replicates.
 */
#include "setup.h"
#include "unit.h"
#include "stats.h"

#include <math.h>

static bool close_to(double got, double want, double rel)
{
	double d = fabs(got - want), s = fmax(fabs(want), 1e-300);

	if (d <= rel * s || d <= rel * 1e-3)
		return true;
	fprintf(stderr, "\n  got %.17g want %.17g (rel %.3g)\n", got, want, d / s);
	return false;
}

#define NEAR(got, want, rel) CU_ASSERT(close_to((got), (want), (rel)))

/* a 20-row classification sample: 8 positives, ties within and across classes */
static double cls_y[20] = {1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
static double cls_a[20] = {0.90, 0.80, 0.70, 0.70, 0.60, 0.55, 0.40, 0.30, 0.65, 0.60,
                           0.50, 0.45, 0.40, 0.35, 0.30, 0.30, 0.20, 0.20, 0.10, 0.05};
static double cls_b[20] = {0.95, 0.85, 0.80, 0.60, 0.70, 0.50, 0.50, 0.45, 0.55, 0.40,
                           0.50, 0.30, 0.35, 0.20, 0.25, 0.10, 0.15, 0.30, 0.05, 0.10};
/* a 16-row regression sample, dyadic so every error is exact */
static double reg_y[16] = {10, 12, 9, 15, 11, 14, 8, 13, 10, 16, 12, 9, 17, 11, 14, 13};
static double reg_a[16] = {12,   9,  10, 11,  13.5, 12.5, 11,   11,
                           10.5, 11, 13, 6.5, 21,   10,   17.5, 12.25};
static double reg_b[16] = {11,      10.5,   10.25,  13,    11.75,  12.125, 9.375, 10.5,
                           10.0625, 12.875, 12.875, 7.875, 21.625, 10.75,  16.25, 11.5625};

static void test_stats__generators(void)
{
	uint64_t s = 1234567, z = 0;
	const uint64_t sm[5] = {UINT64_C(6457827717110365317), UINT64_C(3203168211198807973),
	                        UINT64_C(9817491932198370423), UINT64_C(4593380528125082431),
	                        UINT64_C(16408922859458223821)};
	const uint64_t xo[10] = {11520,
	                         0,
	                         1509978240,
	                         UINT64_C(1215971899390074240),
	                         UINT64_C(1216172134540287360),
	                         UINT64_C(607988272756665600),
	                         UINT64_C(16172922978634559625),
	                         UINT64_C(8476171486693032832),
	                         UINT64_C(10595114339597558777),
	                         UINT64_C(2904607092377533576)};
	const uint64_t x42[5] = {UINT64_C(1546998764402558742), UINT64_C(6990951692964543102),
	                         UINT64_C(12544586762248559009), UINT64_C(17057574109182124193),
	                         UINT64_C(18295552978065317476)};
	const uint64_t b20[10] = {1, 7, 13, 18, 19, 15, 14, 17, 15, 11};
	struct mg_rng r = {{1, 2, 3, 4}};

	for (int i = 0; i < 5; i++)
		CU_ASSERT_EQUAL(mg_splitmix64(&s), sm[i]);
	CU_ASSERT_EQUAL(mg_splitmix64(&z), UINT64_C(0xE220A8397B1DCDAF));
	CU_ASSERT_EQUAL(mg_splitmix64(&z), UINT64_C(0x6E789E6AA1B965F4));
	for (int i = 0; i < 10; i++)
		CU_ASSERT_EQUAL(mg_rng_next(&r), xo[i]);
	mg_rng_seed(&r, 42);
	CU_ASSERT_EQUAL(r.s[0], UINT64_C(0xbdd732262feb6e95));
	CU_ASSERT_EQUAL(r.s[3], UINT64_C(0x581ce1ff0e4ae394));
	for (int i = 0; i < 5; i++)
		CU_ASSERT_EQUAL(mg_rng_next(&r), x42[i]);
	mg_rng_seed(&r, 42);
	for (int i = 0; i < 10; i++)
		CU_ASSERT_EQUAL(mg_rng_bounded(&r, 20), b20[i]);
	mg_rng_seed(&r, 42);
	NEAR(mg_rng_uniform(&r), 0.08386297105988216, 1e-15);
}

static void test_stats__normal_and_binomial(void)
{
	NEAR(mg_norm_ppf(0.975), 1.959963984540054, 1e-15);
	NEAR(mg_norm_ppf(0.55), 0.125661346855074, 1e-13);
	NEAR(mg_norm_ppf(1e-10), -6.361340902404056, 1e-14);
	NEAR(mg_norm_ppf(0.3), -0.5244005127080409, 1e-15);
	NEAR(mg_norm_cdf(1.959963984540054), 0.975, 1e-15);
	CU_ASSERT(isinf(mg_norm_ppf(0)) && isnan(mg_norm_ppf(1.5)));
	NEAR(mg_binom_half_cdf(1, 12), 13.0 / 4096, 1e-14);
	NEAR(mg_binom_half_cdf(15, 40), 0.07692997208141605, 1e-13);
	CU_ASSERT_EQUAL(mg_binom_half_cdf(5, 5), 1.0);
}

static void test_stats__mcnemar(void)
{
	struct mg_mcnemar m;

	/* table [[a, b], [c, d]]: b and c are the discordant counts */
	mg_mcnemar(25, 15, &m);
	NEAR(m.p_exact, 0.153859944162832, 1e-12);
	NEAR(m.chi2_cc, 2.025, 1e-14);
	NEAR(m.p_chi2_cc, 0.154728923485374, 1e-12);
	mg_mcnemar(11, 1, &m);
	NEAR(m.p_exact, 0.00634765625, 1e-14);
	NEAR(m.chi2_cc, 6.75, 1e-14);
	NEAR(m.p_chi2_cc, 0.0093747684594349, 1e-12);
	mg_mcnemar(12, 2, &m);
	NEAR(m.p_exact, 0.012939453125, 1e-14);
	NEAR(m.chi2_cc, 5.785714285714286, 1e-12);
	mg_mcnemar(150, 86, &m);
	NEAR(m.p_exact, 3.71593613957139e-05, 1e-11);
	NEAR(m.chi2_cc, 16.8177966101695, 1e-12);
	NEAR(m.p_chi2_cc, 4.11456228134594e-05, 1e-11);
	mg_mcnemar(0, 2, &m); /* the 20-row sample at threshold 0.5 */
	NEAR(m.p_exact, 0.5, 1e-15);
	NEAR(m.p_chi2_cc, 0.479500122186953, 1e-12);
	NEAR(m.p_greater, 0.25, 1e-15);
}

static void test_stats__holm(void)
{
	double p[4] = {0.01, 0.04, 0.03, 0.005}, adj[4];

	mg_holm(p, 4, adj);
	NEAR(adj[0], 0.03, 1e-15);
	NEAR(adj[1], 0.06, 1e-15);
	NEAR(adj[2], 0.06, 1e-15);
	NEAR(adj[3], 0.02, 1e-15);
}

static void test_stats__delong(void)
{
	unsigned char y[20];
	struct mg_delong d;
	double pl[20];
	const double v10[8] = {1, 1, 1, 1, 0.875, 0.833333333333333, 0.625, 0.416666666666667};
	const double v01[12] = {0.5, 0.5625, 0.75, 0.75, 0.8125, 0.875, 0.9375, 0.9375, 1, 1, 1, 1};

	for (int i = 0; i < 20; i++)
		y[i] = (unsigned char)cls_y[i];
	CU_ASSERT_EQUAL(mg_delong(y, cls_a, cls_b, 20, 0.95, &d), 0);
	NEAR(d.auc_a, 81.0 / 96, 1e-15);
	NEAR(d.auc_b, 91.0 / 96, 1e-15);
	NEAR(d.var_a, 0.00839026424963925, 1e-12);
	NEAR(d.var_b, 0.00195876172438672, 1e-12);
	NEAR(d.cov, 0.00293673340548341, 1e-12);
	NEAR(d.se, 0.066899620051680, 1e-12);
	NEAR(d.z, 1.557059166945905, 1e-12);
	NEAR(d.p_two, 0.119456438520676, 1e-11);
	NEAR(d.p_greater, 0.0597282192603381, 1e-11);
	NEAR(d.lo, -0.026954179214040, 1e-11);
	NEAR(d.hi, 0.235287512547373, 1e-12);
	mg_auc_placements(y, cls_a, 20, 8, 12, pl);
	for (int i = 0; i < 8; i++)
		NEAR(pl[i], v10[i], 1e-14);
	for (int i = 0; i < 12; i++)
		NEAR(pl[8 + i], v01[i], 1e-14);
	/* the same model twice: z = 0, p = 1 */
	CU_ASSERT_EQUAL(mg_delong(y, cls_a, cls_a, 20, 0.95, &d), 0);
	CU_ASSERT_EQUAL(d.z, 0);
	CU_ASSERT_EQUAL(d.p_two, 1);
	/* one positive: refused */
	memset(y, 0, sizeof(y));
	y[0] = 1;
	CU_ASSERT_EQUAL(mg_delong(y, cls_a, cls_b, 20, 0.95, &d), -1);
}

static void eval_all(const struct mg_sample *s, enum mg_metric_kind k, double *va, double *vb)
{
	struct mg_stats_prep p;
	uint8_t w[20];

	for (int i = 0; i < 20; i++)
		w[i] = 1;
	mg_stats_prepare(&p, s, &k, NULL, 1);
	mg_stats_eval(&p, 0, w, va, vb);
	mg_stats_prep_release(&p);
}

static void test_stats__classification_metrics(void)
{
	struct mg_sample s = {20, cls_y, cls_a, cls_b};
	double a, b;

	eval_all(&s, MG_METRIC_ROC_AUC, &a, &b);
	NEAR(a, 0.84375, 1e-15);
	NEAR(b, 0.947916666666667, 1e-14);
	eval_all(&s, MG_METRIC_ACCURACY, &a, &b);
	NEAR(a, 0.75, 1e-15);
	NEAR(b, 0.85, 1e-15);
	eval_all(&s, MG_METRIC_PRECISION, &a, &b);
	NEAR(a, 0.666666666666667, 1e-14);
	NEAR(b, 0.777777777777778, 1e-14);
	eval_all(&s, MG_METRIC_RECALL, &a, &b);
	NEAR(a, 0.75, 1e-15);
	NEAR(b, 0.875, 1e-15);
	eval_all(&s, MG_METRIC_F1, &a, &b);
	NEAR(a, 0.705882352941177, 1e-14);
	NEAR(b, 0.823529411764706, 1e-14);
	eval_all(&s, MG_METRIC_LOG_LOSS, &a, &b);
	NEAR(a, 0.489288824683465, 1e-13);
	NEAR(b, 0.378561529186126, 1e-13);
	eval_all(&s, MG_METRIC_BRIER, &a, &b);
	NEAR(a, 0.161625, 1e-13);
	NEAR(b, 0.114, 1e-13);
	/* average precision: scikit-learn 1.9.1 average_precision_score */
	eval_all(&s, MG_METRIC_PR_AUC, &a, &b);
	NEAR(a, 0.8184523809523809, 1e-14);
	NEAR(b, 0.9194444444444445, 1e-14);
	CU_ASSERT(mg_stats_delta(MG_METRIC_LOG_LOSS, 0.5, 0.4) > 0);
	CU_ASSERT_EQUAL(mg_metric_by_name("roc_auc"), MG_METRIC_ROC_AUC);
	CU_ASSERT_EQUAL(mg_metric_by_name("auc?"), -1);
}

static void test_stats__regression_metrics(void)
{
	struct mg_sample s = {16, reg_y, reg_a, reg_b};
	double a, b;

	eval_all(&s, MG_METRIC_MSE, &a, &b);
	NEAR(a, 7.11328125, 1e-15);
	NEAR(b, 3.83837890625, 1e-15);
	eval_all(&s, MG_METRIC_RMSE, &a, &b);
	NEAR(a, 2.667073536668984, 1e-14);
	NEAR(b, 1.959178120092709, 1e-14);
	eval_all(&s, MG_METRIC_MAE, &a, &b);
	NEAR(a, 2.328125, 1e-15);
	NEAR(b, 1.625, 1e-15);
	eval_all(&s, MG_METRIC_R2, &a, &b);
	NEAR(a, -0.096987951807229, 1e-12);
	NEAR(b, 0.408057228915663, 1e-12);
	eval_all(&s, MG_METRIC_MAPE, &a, &b);
	NEAR(a, 0.190534133962443, 1e-13);
	NEAR(b, 0.126816985990929, 1e-13);
}

/* the BCa interval on 20 given replicates of a mean difference (scipy's _bca_interval) */
static void test_stats__bca_known_replicates(void)
{
	double d[16] = {-1,      -1.5,   0.25,   -2,     -1.75, 0.375, -1.625, 0.5,
	                -0.4375, -1.875, -0.125, -1.375, 0.625, -0.75, -1.25,  0.6875};
	double reps[20] = {-0.58984375, -0.4375,     -0.69921875, -0.7734375,  -0.6875,
	                   -0.61328125, -0.80859375, -0.7734375,  -0.58984375, -1.0859375,
	                   -0.9921875,  -0.828125,   -0.94140625, -1.21875,    -0.265625,
	                   -0.9140625,  -1.01171875, -0.7265625,  -0.2109375,  -0.51953125};
	double jk[16], sum = 0, sorted[20];
	struct mg_bca b;
	struct mg_rng g;

	for (int i = 0; i < 16; i++)
		sum += d[i];
	for (int i = 0; i < 16; i++)
		jk[i] = (sum - d[i]) / 15;
	/* the replicates come from xoshiro256** seeded by SplitMix64(7), 16 bounded draws each */
	mg_rng_seed(&g, 7);
	for (int r = 0; r < 20; r++) {
		double m = 0;

		for (int j = 0; j < 16; j++)
			m += d[mg_rng_bounded(&g, 16)];
		CU_ASSERT_EQUAL(m / 16, reps[r]);
	}
	memcpy(sorted, reps, sizeof(sorted));
	for (int i = 1; i < 20; i++)
		for (int j = i; j > 0 && sorted[j] < sorted[j - 1]; j--) {
			double t = sorted[j];

			sorted[j] = sorted[j - 1];
			sorted[j - 1] = t;
		}
	NEAR(mg_accel(jk, 16), 0.007506555054603, 1e-11);
	CU_ASSERT_EQUAL(mg_bca_interval(sorted, 20, sum / 16, mg_accel(jk, 16), 0.95, &b), 0);
	NEAR(b.z0, 0.125661346855074, 1e-13);
	NEAR(b.alpha1, 0.046117192640765, 1e-12);
	NEAR(b.alpha2, 0.987598534480583, 1e-12);
	NEAR(b.lo, -1.1023761466955706, 1e-12);
	NEAR(b.hi, -0.2238233977662692, 1e-12);
	NEAR(mg_quantile7(sorted, 20, 0.025), -1.1556640625, 1e-15);
	NEAR(mg_quantile7(sorted, 20, 0.975), -0.2369140625, 1e-14);
}

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return a < b ? -1 : a > b;
}

/* end to end: accuracy difference, one stream seeded 42, 2000 index resamples of 20 rows */
static void test_stats__bootstrap_accuracy_end_to_end(void)
{
	struct mg_sample s = {20, cls_y, cls_a, cls_b};
	enum mg_metric_kind k = MG_METRIC_ACCURACY;
	struct mg_stats_prep p;
	struct mg_rng g;
	double reps[2000], *jk, va, vb, theta, first[5] = {0.05, 0.15, 0.05, 0.10, 0.15};
	uint8_t w[20];
	size_t njk, le0 = 0;
	struct mg_bca b;

	mg_stats_prepare(&p, &s, &k, NULL, 1);
	for (int i = 0; i < 20; i++)
		w[i] = 1;
	theta = mg_stats_eval(&p, 0, w, &va, &vb);
	NEAR(theta, 0.10, 1e-15);
	mg_rng_seed(&g, 42);
	for (int r = 0; r < 2000; r++) {
		memset(w, 0, sizeof(w));
		for (int j = 0; j < 20; j++) {
			uint64_t i = mg_rng_bounded(&g, 20);

			w[p.pos ? p.pos[i] : i]++;
		}
		reps[r] = mg_stats_eval(&p, 0, w, &va, &vb);
		le0 += reps[r] <= 1e-12;
		if (r < 5)
			NEAR(reps[r], first[r], 1e-12);
	}
	CU_ASSERT_EQUAL(le0, 240); /* P(delta* <= 0) = 0.12 */
	qsort(reps, 2000, sizeof(double), cmp_double);
	NEAR(mg_quantile7(reps, 2000, 0.025), 0.0, 1e-12);
	NEAR(mg_quantile7(reps, 2000, 0.975), 0.25, 1e-12);
	mg_stats_jackknife(&p, 0, &jk, &njk);
	CU_ASSERT_EQUAL(njk, 20);
	NEAR(mg_accel(jk, njk), 0.0993808, 1e-6);
	CU_ASSERT_EQUAL(mg_bca_interval(reps, 2000, theta, mg_accel(jk, njk), 0.95, &b), 0);
	NEAR(b.alpha1, 0.067892, 1e-5);
	NEAR(b.alpha2, 0.996061, 1e-5);
	NEAR(b.lo, 0.0, 1e-12);
	NEAR(b.hi, 0.30, 1e-12);
	CU_ASSERT_EQUAL(mg_bca_interval(reps, 2000, theta, mg_accel(jk, njk), 0.90, &b), 0);
	NEAR(b.lo, 0.0, 1e-12);
	NEAR(b.hi, 0.25, 1e-12);
	free(jk);
	mg_stats_prep_release(&p);
}

/* the threaded bootstrap: the same replicates whatever the number of threads */
static void test_stats__bootstrap_threads_agree(void)
{
	struct mg_sample s = {20, cls_y, cls_a, cls_b};
	enum mg_metric_kind k[3] = {MG_METRIC_ROC_AUC, MG_METRIC_LOG_LOSS, MG_METRIC_PR_AUC};
	struct mg_stats_prep p;
	double *r1[3], *r3[3];
	struct mg_err err = {0};

	mg_stats_prepare(&p, &s, k, NULL, 3);
	for (int i = 0; i < 3; i++) {
		r1[i] = calloc(101, sizeof(double));
		r3[i] = calloc(101, sizeof(double));
	}
	CU_ASSERT_EQUAL(mg_stats_bootstrap(&p, 101, 1, 1, r1, &err), 0);
	CU_ASSERT_EQUAL(mg_stats_bootstrap(&p, 101, 1, 3, r3, &err), 0);
	for (int i = 0; i < 3; i++) {
		CU_ASSERT_EQUAL(memcmp(r1[i], r3[i], 101 * sizeof(double)), 0);
		free(r1[i]);
		free(r3[i]);
	}
	mg_stats_prep_release(&p);
}

/* the exact jackknife of ROC AUC from placements equals re-evaluation without each row */
static void test_stats__auc_jackknife_matches_refit(void)
{
	struct mg_sample s = {20, cls_y, cls_a, cls_b};
	enum mg_metric_kind k = MG_METRIC_ROC_AUC;
	struct mg_stats_prep p;
	double *jk, va, vb;
	size_t njk;
	uint8_t w[20];

	mg_stats_prepare(&p, &s, &k, NULL, 1);
	mg_stats_jackknife(&p, 0, &jk, &njk);
	for (int i = 0; i < 20; i++) {
		for (int j = 0; j < 20; j++)
			w[j] = j != i; /* the jackknife's values are in the prepared order too */
		mg_stats_eval(&p, 0, w, &va, &vb);
		NEAR(jk[i], vb - va, 1e-12);
	}
	free(jk);
	mg_stats_prep_release(&p);
}

/* weighted AUC and average precision against their definitions, on random samples with and
 * without ties */
static void test_stats__weighted_rank_metrics_brute_force(void)
{
	struct mg_rng g;

	mg_rng_seed(&g, 99);
	for (int trial = 0; trial < 200; trial++) {
		size_t n = 2 + mg_rng_bounded(&g, 40);
		double y[64], a[64], b[64];
		uint8_t w[64], wp[64];
		enum mg_metric_kind k[2] = {MG_METRIC_ROC_AUC, MG_METRIC_PR_AUC};
		struct mg_stats_prep p;

		for (size_t i = 0; i < n; i++) {
			y[i] = (double)mg_rng_bounded(&g, 2);
			/* five and three values (many ties), or continuous (none) every other trial
			 */
			a[i] = trial % 2 ? mg_rng_uniform(&g) : (double)mg_rng_bounded(&g, 5) / 4;
			b[i] = trial % 2 ? mg_rng_uniform(&g) : (double)mg_rng_bounded(&g, 3) / 2;
			w[i] = (uint8_t)mg_rng_bounded(&g, 4);
		}
		struct mg_sample s = {n, y, a, b};

		mg_stats_prepare(&p, &s, k, NULL, 2);
		for (size_t i = 0; i < n; i++)
			wp[p.pos ? p.pos[i] : i] = w[i];
		for (int m = 0; m < 2; m++) {
			const double *sc = m ? b : a;
			double num = 0, wpos = 0, wneg = 0, ap = 0, va, vb;

			for (size_t i = 0; i < n; i++) {
				if (y[i] == 1)
					wpos += w[i];
				else
					wneg += w[i];
				for (size_t j = 0; j < n; j++)
					if (y[i] == 1 && y[j] == 0)
						num += w[i] * w[j] *
						       (sc[i] > sc[j]    ? 1
						        : sc[i] == sc[j] ? 0.5
						                         : 0);
			}
			/* AP: for each distinct score t, (recall gain at t) x precision at t */
			for (size_t i = 0; i < n; i++) {
				double tp = 0, fp = 0, gain = 0;
				bool first = true;

				for (size_t j = 0; j < i; j++)
					first &= sc[j] != sc[i];
				if (!first)
					continue;
				for (size_t j = 0; j < n; j++) {
					if (sc[j] >= sc[i] && y[j] == 1)
						tp += w[j];
					if (sc[j] >= sc[i] && y[j] != 1)
						fp += w[j];
					if (sc[j] == sc[i] && y[j] == 1)
						gain += w[j];
				}
				if (gain > 0)
					ap += gain / wpos * tp / (tp + fp);
			}
			mg_stats_eval(&p, 0, wp, &va, &vb);
			if (wpos > 0 && wneg > 0) {
				NEAR(m ? vb : va, num / (wpos * wneg), 1e-12);
			} else {
				CU_ASSERT(isnan(m ? vb : va));
			}
			mg_stats_eval(&p, 1, wp, &va, &vb);
			if (wpos > 0) {
				NEAR(m ? vb : va, ap, 1e-12);
			} else {
				CU_ASSERT(isnan(m ? vb : va));
			}
		}
		mg_stats_prep_release(&p);
	}
}

/*
 * The Poisson(1) counts of the Poisson bootstrap: the thresholds are
 * floor(2^32 P(X <= k)) (from 80-digit arithmetic; the double formula agrees
 * to 1), every count is the number of thresholds at or below its 32-bit
 * uniform, and 2^22 counts have Poisson(1)'s frequencies.
 */
static void test_stats__poisson_counts(void)
{
	static const uint64_t T[12] = {1580030168, 3160060337, 3950075421, 4213413783,
	                               4279248373, 4292415291, 4294609777, 4294923276,
	                               4294962463, 4294966817, 4294967252, 4294967292};
	size_t N = (size_t)1 << 22, freq[13] = {0}, big = 0;
	uint8_t *w = malloc(N);
	struct mg_rng g, h;
	uint64_t x = 0;
	double F = 0, term = exp(-1), sum = 0, sq = 0;

	for (int k = 0; k < 12; k++) {
		F += k ? (term /= k) : term;
		CU_ASSERT(fabs(floor(ldexp(F, 32)) - (double)T[k]) <= 1);
	}
	mg_rng_seed(&g, 5);
	h = g;
	mg_stats_poisson1(&g, w, 1001); /* odd: the last from a low half */
	for (size_t j = 0; j < 1001; j++) {
		uint32_t u;
		unsigned c = 0;

		if (j % 2 == 0)
			x = mg_rng_next(&h);
		u = (uint32_t)(j % 2 ? x >> 32 : x);

		for (int k = 0; k < 12; k++)
			c += u >= T[k];
		CU_ASSERT_EQUAL(w[j], c);
	}
	mg_stats_poisson1(&g, w, N);
	for (size_t j = 0; j < N; j++) {
		freq[w[j] <= 12 ? w[j] : 12]++;
		big += w[j] > 12;
		sum += w[j];
		sq += (double)w[j] * w[j];
	}
	CU_ASSERT_EQUAL(big, 0);
	term = exp(-1);
	for (int k = 0; k < 7; k++) {
		double p = k ? (term /= k) : term, se = sqrt(p * (1 - p) / (double)N);

		CU_ASSERT(fabs((double)freq[k] / (double)N - p) < 5 * se);
	}
	CU_ASSERT(fabs(sum / (double)N - 1) < 5 / sqrt((double)N));
	CU_ASSERT(fabs(sq / (double)N - sum * sum / ((double)N * N) - 1) <
	          5 * sqrt(3.0 / (double)N));
	free(w);
}

/* a sample above MG_STATS_POISSON_MIN rows: scores in hundredths, so many ties */
static void big_sample(struct mg_sample *s, size_t n, uint64_t seed)
{
	struct mg_rng g;

	mg_rng_seed(&g, seed);
	s->n = n;
	s->y = malloc(n * sizeof(double));
	s->a = malloc(n * sizeof(double));
	s->b = malloc(n * sizeof(double));
	for (size_t i = 0; i < n; i++) {
		double z = mg_rng_uniform(&g) + mg_rng_uniform(&g) - 1;
		double e = mg_rng_uniform(&g) + mg_rng_uniform(&g) - 1;

		s->y[i] = mg_rng_uniform(&g) < 0.3;
		s->a[i] = round(100 / (1 + exp(-(2 * s->y[i] - 1 + 2 * z)))) / 100;
		s->b[i] = round(100 / (1 + exp(-(2.2 * s->y[i] - 1.1 + 1.8 * z + e)))) / 100;
	}
}

static void big_sample_free(struct mg_sample *s)
{
	free(s->y);
	free(s->a);
	free(s->b);
}

/* the Poisson bootstrap gives the same replicates whatever the number of threads */
static void test_stats__bootstrap_poisson_threads_agree(void)
{
	struct mg_sample s;
	enum mg_metric_kind k[4] = {MG_METRIC_ROC_AUC, MG_METRIC_PR_AUC, MG_METRIC_ACCURACY,
	                            MG_METRIC_LOG_LOSS};
	struct mg_stats_prep p;
	double *r1[4], *r3[4];
	struct mg_err err = {0};

	big_sample(&s, MG_STATS_POISSON_MIN + 1001, 3);
	mg_stats_prepare(&p, &s, k, NULL, 4);
	for (int i = 0; i < 4; i++) {
		r1[i] = calloc(7, sizeof(double));
		r3[i] = calloc(7, sizeof(double));
	}
	CU_ASSERT_EQUAL(mg_stats_bootstrap(&p, 7, 9, 1, r1, &err), 0);
	CU_ASSERT_EQUAL(mg_stats_bootstrap(&p, 7, 9, 3, r3, &err), 0);
	for (int i = 0; i < 4; i++) {
		CU_ASSERT_EQUAL(memcmp(r1[i], r3[i], 7 * sizeof(double)), 0);
		for (int r = 0; r < 7; r++)
			CU_ASSERT(isfinite(r1[i][r]));
		free(r1[i]);
		free(r3[i]);
	}
	mg_stats_prep_release(&p);
	big_sample_free(&s);
}

/*
 * Above MG_STATS_POISSON_MIN rows the Poisson bootstrap of a ROC AUC
 * difference has the spread and centre of the multinomial one (index draws,
 * done here), to Monte-Carlo error: 400 replicates each, the SD ratio within
 * 4 standard errors (~5 % each) and the means within 4.
 */
static void test_stats__bootstrap_poisson_matches_multinomial(void)
{
	enum { B = 400 };
	struct mg_sample s;
	enum mg_metric_kind k = MG_METRIC_ROC_AUC;
	struct mg_stats_prep p;
	double *rp = malloc(B * sizeof(double)), rm[B], va, vb, mp = 0, mm = 0, vp = 0, vm = 0;
	uint8_t *w;
	struct mg_err err = {0};
	struct mg_rng g;
	size_t n = 2 * MG_STATS_POISSON_MIN;

	big_sample(&s, n, 4);
	mg_stats_prepare(&p, &s, &k, NULL, 1);
	w = malloc(n);
	CU_ASSERT_EQUAL(mg_stats_bootstrap(&p, B, 21, 1, &rp, &err), 0);
	mg_rng_seed(&g, 22);
	for (int r = 0; r < B; r++) {
		memset(w, 0, n);
		for (size_t j = 0; j < n; j++)
			w[mg_rng_bounded(&g, n)]++;
		rm[r] = mg_stats_eval(&p, 0, w, &va, &vb);
	}
	for (int r = 0; r < B; r++) {
		mp += rp[r] / B;
		mm += rm[r] / B;
	}
	for (int r = 0; r < B; r++) {
		vp += (rp[r] - mp) * (rp[r] - mp) / (B - 1);
		vm += (rm[r] - mm) * (rm[r] - mm) / (B - 1);
	}
	CU_ASSERT(vm > 0);
	CU_ASSERT(fabs(sqrt(vp / vm) - 1) < 4 * sqrt(1.0 / B));
	CU_ASSERT(fabs(mp - mm) < 4 * sqrt((vp + vm) / B));
	free(rp);
	free(w);
	mg_stats_prep_release(&p);
	big_sample_free(&s);
}

static const double *ref_score;

static int by_ref_score(const void *x, const void *y)
{
	double a = ref_score[*(const size_t *)x], b = ref_score[*(const size_t *)y];

	return a < b ? -1 : a > b;
}

/* the weighted ROC AUC of mg_stats_eval against a plain sweep over tie groups written here */
static void check_weighted_auc(size_t n, double *y, double *a, double *b, const uint8_t *w)
{
	size_t *idx = malloc(n * sizeof(size_t));
	uint8_t *wp = malloc(n);
	enum mg_metric_kind k = MG_METRIC_ROC_AUC;
	struct mg_stats_prep p;
	struct mg_sample s = {n, y, a, b};
	double va, vb;

	mg_stats_prepare(&p, &s, &k, NULL, 1);
	for (size_t i = 0; i < n; i++)
		wp[p.pos ? p.pos[i] : i] = w[i];
	mg_stats_eval(&p, 0, wp, &va, &vb);
	for (int m = 0; m < 2; m++) {
		double num2 = 0, nb = 0, wpos = 0;

		ref_score = m ? b : a;
		for (size_t i = 0; i < n; i++)
			idx[i] = i;
		qsort(idx, n, sizeof(size_t), by_ref_score);
		for (size_t i = 0, e; i < n; i = e) {
			double pg = 0, ng = 0;

			for (e = i; e < n && ref_score[idx[e]] == ref_score[idx[i]]; e++)
				*(y[idx[e]] == 1 ? &pg : &ng) += w[idx[e]];
			num2 += pg * (2 * nb + ng);
			nb += ng;
			wpos += pg;
		}
		NEAR(m ? vb : va, num2 / (2 * wpos * nb), 1e-12);
	}
	mg_stats_prep_release(&p);
	free(idx);
	free(wp);
}

/*
 * Weighted ROC AUC with large counts: random counts up to 255 on 40,000
 * rows with scores in thousandths (ties of both labels), then the SIMD
 * sweep's worst case: 100,000 rows of count 255, four negatives then four
 * positives, where the 32-bit partial sums would wrap without their flush
 * every 16,384 rows.
 */
static void test_stats__weighted_auc_large_counts(void)
{
	size_t n = 100000;
	double *y = malloc(n * sizeof(double)), *a = malloc(n * sizeof(double));
	double *b = malloc(n * sizeof(double));
	uint8_t *w = malloc(n);
	struct mg_rng g;

	mg_rng_seed(&g, 17);
	for (size_t i = 0; i < 40000; i++) {
		y[i] = mg_rng_uniform(&g) < 0.4;
		a[i] = (double)mg_rng_bounded(&g, 1000) / 1000 + 0.1 * y[i];
		b[i] = (double)mg_rng_bounded(&g, 1000) / 1000 + 0.2 * y[i];
		w[i] = (uint8_t)(i % 7 ? mg_rng_bounded(&g, 256) : 255);
	}
	check_weighted_auc(40000, y, a, b, w);
	for (size_t i = 0; i < n; i++) {
		y[i] = i % 8 >= 4;
		a[i] = (double)i;
		b[i] = (double)(i / 8);
		w[i] = 255;
	}
	check_weighted_auc(n, y, a, b, w);
	free(y);
	free(a);
	free(b);
	free(w);
}

static const struct unit_test tests[] = {
        UNIT_TEST(test_stats__generators),
        UNIT_TEST(test_stats__normal_and_binomial),
        UNIT_TEST(test_stats__mcnemar),
        UNIT_TEST(test_stats__holm),
        UNIT_TEST(test_stats__delong),
        UNIT_TEST(test_stats__classification_metrics),
        UNIT_TEST(test_stats__regression_metrics),
        UNIT_TEST(test_stats__bca_known_replicates),
        UNIT_TEST(test_stats__bootstrap_accuracy_end_to_end),
        UNIT_TEST(test_stats__bootstrap_threads_agree),
        UNIT_TEST(test_stats__auc_jackknife_matches_refit),
        UNIT_TEST(test_stats__weighted_rank_metrics_brute_force),
        UNIT_TEST(test_stats__weighted_auc_large_counts),
        UNIT_TEST(test_stats__poisson_counts),
        UNIT_TEST(test_stats__bootstrap_poisson_threads_agree),
        UNIT_TEST(test_stats__bootstrap_poisson_matches_multinomial),
        UNIT_END,
};

const struct unit_suite unit_suite_stats = {"stats", NULL, NULL, tests};
