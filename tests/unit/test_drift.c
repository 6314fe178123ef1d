/*
 * Known answers for the drift statistics (lib/drift.h). The expected values
 * were computed with scipy 1.17.1 / numpy 2.4.6 on the data below (the
 * function named beside each), or are closed forms from the research
 * report's section 6.
 */
#include "setup.h"
#include "unit.h"
#include "drift_stats.h"

#include <math.h>
#include <unistd.h>

static const double xs[] = {1.12,  -0.35, 0.48,  2.07, -1.44, 0.91,  0.03, -0.62, 1.55,  0.27,
                            -0.09, 0.74,  -1.21, 1.89, 0.36,  -0.77, 0.58, 1.03,  -0.18, 0.66};
static const double ys[] = {0.95, 1.71, 0.22, 2.43, 1.18, -0.41, 1.62, 0.87,
                            2.05, 1.33, 0.49, 1.96, 0.14, 1.27,  2.61, 0.78};

#define NEAR(a, b, tol) CU_ASSERT_TRUE(fabs((a) - (b)) <= (tol) * (fabs(b) > 1 ? fabs(b) : 1))

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void sorted(const double *in, size_t n, double *out)
{
	memcpy(out, in, n * sizeof(*in));
	qsort(out, n, sizeof(*out), cmp);
}

static void test_drift__ks_exact_like_scipy(void)
{
	double x[20], y[16];
	struct mg_drift_ks ks;

	sorted(xs, 20, x);
	sorted(ys, 16, y);
	mg_drift_ks_test(x, 20, y, 16, &ks);
	NEAR(ks.d, 0.45, 1e-15);                 /* ks_2samp statistic */
	NEAR(ks.p, 0.039311981063116876, 1e-12); /* ks_2samp method='auto' (exact) */
	CU_ASSERT_TRUE(ks.exact);
	mg_drift_ks_test(y, 16, x, 20, &ks); /* symmetric */
	NEAR(ks.p, 0.039311981063116876, 1e-12);
	/* identical samples: D = 0, p = 1 */
	mg_drift_ks_test(x, 20, x, 20, &ks);
	CU_ASSERT_EQUAL(ks.d, 0);
	NEAR(ks.p, 1.0, 1e-15);
}

static void test_drift__kolmogorov_limit(void)
{
	/* scipy.stats.kstwobign.sf */
	NEAR(mg_drift_kolmogorov_sf(0.5), 0.9639452436648751, 1e-13);
	NEAR(mg_drift_kolmogorov_sf(1.0), 0.26999967167735456, 1e-13);
	NEAR(mg_drift_kolmogorov_sf(1.5), 0.022217962616525127, 1e-12);
	CU_ASSERT_EQUAL(mg_drift_kolmogorov_sf(0), 1.0);
	CU_ASSERT_TRUE(mg_drift_kolmogorov_sf(10) < 1e-80);
	/* two large samples: the Stephens-corrected limit, and a p between 0 and 1 */
	{
		size_t n = 12000, m = 11000;
		double *x = calloc(n, sizeof(*x)), *y = calloc(m, sizeof(*y));
		struct mg_drift_ks ks;
		double en, s;

		for (size_t i = 0; i < n; i++)
			x[i] = (double)i / (double)n;
		for (size_t i = 0; i < m; i++)
			y[i] = 0.01 + (double)i / (double)m;
		mg_drift_ks_test(x, n, y, m, &ks);
		CU_ASSERT_FALSE(ks.exact);
		en = (double)n * (double)m / (double)(n + m);
		s = sqrt(en);
		NEAR(ks.p, mg_drift_kolmogorov_sf((s + 0.12 + 0.11 / s) * ks.d), 1e-15);
		CU_ASSERT_TRUE(ks.d > 0.0099 && ks.d < 0.0102);
		free(x);
		free(y);
	}
}

static void test_drift__chi2_survival(void)
{
	/* scipy.stats.chi2.sf */
	NEAR(mg_drift_chi2_sf(3.7, 1), 0.054412467991601404, 1e-12);
	NEAR(mg_drift_chi2_sf(0.5, 4), 0.9735009788392561, 1e-12);
	NEAR(mg_drift_chi2_sf(12.5, 7), 0.08526927515826925, 1e-12);
	CU_ASSERT_TRUE(fabs(mg_drift_chi2_sf(250.0, 9) / 9.976151469298895e-49 - 1) < 1e-10);
	CU_ASSERT_EQUAL(mg_drift_chi2_sf(0, 3), 1.0);
	CU_ASSERT_TRUE(isnan(mg_drift_chi2_sf(1, 0)));
}

static void test_drift__wasserstein(void)
{
	double x[20], y[16];
	const double a[] = {0, 1, 3}, b[] = {5, 6, 8}; /* scipy's doc: 5.0 */

	sorted(xs, 20, x);
	sorted(ys, 16, y);
	NEAR(mg_drift_wasserstein(x, 20, y, 16), 0.8484999999999999, 1e-13);
	NEAR(mg_drift_wasserstein(a, 3, b, 3), 5.0, 1e-15);
	CU_ASSERT_EQUAL(mg_drift_wasserstein(x, 20, x, 20), 0);
}

static void test_drift__chi2_contingency(void)
{
	const uint64_t a[] = {120, 45, 30, 5, 0}, b[] = {90, 60, 35, 15, 0};
	struct mg_drift_chi2 c;

	/* chi2_contingency([a, b], correction=False); the empty column is left out */
	mg_drift_chi2_test(a, b, 5, &c);
	NEAR(c.stat, 11.813186813186814, 1e-13);
	CU_ASSERT_EQUAL(c.df, 3);
	NEAR(c.p, 0.0080512854508154, 1e-11);
	{
		/* the report's homogeneity KAT: [50,30,20] vs [40,35,25] */
		const uint64_t r[] = {50, 30, 20}, k[] = {40, 35, 25};

		mg_drift_chi2_test(r, k, 3, &c);
		NEAR(c.stat, 2.051282051282051, 1e-13);
		NEAR(c.p, 0.358566541373190, 1e-12);
	}
}

static void test_drift__jensen_shannon(void)
{
	const uint64_t a[] = {120, 45, 30, 5}, b[] = {90, 60, 35, 15};
	const uint64_t one[] = {1, 0}, half[] = {1, 1};

	NEAR(mg_drift_js(a, b, 4), 0.12282149048243855, 1e-13); /* jensenshannon(a, b) */
	NEAR(mg_drift_js(one, half, 2), 0.46450140402245893, 1e-13);
	CU_ASSERT_EQUAL(mg_drift_js(a, a, 4), 0);
}

static void test_drift__psi(void)
{
	/* closed forms of the report's section 6.1, as counts */
	const uint64_t r1[] = {25, 25, 25, 25}, c1[] = {10, 20, 30, 40};
	const uint64_t r2[] = {50, 30, 20}, c2[] = {40, 35, 25};
	const uint64_t r3[] = {5, 5, 0}, c3[] = {4, 4, 2};
	const uint64_t none[] = {0, 0, 0};

	NEAR(mg_drift_psi(r1, c1, 4, MG_DRIFT_EPSILON), 0.228217409573392, 1e-13);
	NEAR(mg_drift_psi(r2, c2, 3, MG_DRIFT_EPSILON), 0.041179066688494, 1e-13);
	NEAR(mg_drift_psi(r3, c3, 3, MG_DRIFT_EPSILON), 1.564049111925304, 1e-13);
	CU_ASSERT_TRUE(isnan(mg_drift_psi(r3, none, 3, MG_DRIFT_EPSILON)));
}

static void test_drift__quantile_bins(void)
{
	double x[20], y[16], edges[10];
	const double expect[] = {-0.814,
	                         -0.4039999999999999,
	                         -0.11699999999999998,
	                         0.17400000000000015,
	                         0.42,
	                         0.612,
	                         0.7909999999999998,
	                         1.048,
	                         1.5840000000000005}; /* np.unique(np.quantile(x, j/10)) */
	const double dup[] = {1, 1, 1, 1, 2, 2, 3, 3, 3, 3};
	uint64_t rb[5] = {0}, cb[5] = {0};
	size_t ne;

	sorted(xs, 20, x);
	sorted(ys, 16, y);
	CU_ASSERT_EQUAL(mg_drift_edges(x, 20, 10, edges), 9);
	for (size_t i = 0; i < 9; i++)
		NEAR(edges[i], expect[i], 1e-15);
	/* repeated quantiles are dropped: fewer bins */
	ne = mg_drift_edges(dup, 10, 4, edges);
	CU_ASSERT_EQUAL(ne, 3);
	CU_ASSERT_EQUAL(mg_drift_bin(edges, ne, 0.5), 0);
	CU_ASSERT_EQUAL(mg_drift_bin(edges, ne, 1), 1);
	CU_ASSERT_EQUAL(mg_drift_bin(edges, ne, 3), ne); /* side='right' */
	/* PSI on 5 reference quantile bins (Python: searchsorted right, 1e-4 for empty bins) */
	ne = mg_drift_edges(x, 20, 5, edges);
	CU_ASSERT_EQUAL(ne, 4);
	for (size_t i = 0; i < 20; i++)
		rb[mg_drift_bin(edges, ne, x[i])]++;
	for (size_t i = 0; i < 16; i++)
		cb[mg_drift_bin(edges, ne, y[i])]++;
	CU_ASSERT_EQUAL(cb[4], 9);
	NEAR(mg_drift_psi(rb, cb, 5, MG_DRIFT_EPSILON), 0.7307752171340323, 1e-13);
}

static void test_drift__parses_values(void)
{
	static const char *const numbers[] = {"0",    "-1.5",     "+2",
	                                      "1e3",  ".5",       "5.",
	                                      "1E-7", "0.1",      "123456789012345678901",
	                                      "-0.0", "2.5e-310", "9007199254740993"};
	static const char *const texts[] = {"abc", "1e", "1.2.3", "--1", "inf",   "Infinity",
	                                    " 1",  "1 ", "0x10",  "e5",  "1e400", "."};
	static const char *const missing[] = {"",     "NA",   "NaN", "nan",
	                                      "null", "None", "N/A", "<NA>"};
	double v;

	for (size_t i = 0; i < MG_ARRAY_SIZE(numbers); i++) {
		CU_ASSERT_EQUAL(mg_drift_parse(numbers[i], strlen(numbers[i]), &v),
		                MG_DRIFT_NUMBER);
		CU_ASSERT_EQUAL(v, strtod(numbers[i], NULL));
	}
	for (size_t i = 0; i < MG_ARRAY_SIZE(texts); i++)
		CU_ASSERT_EQUAL(mg_drift_parse(texts[i], strlen(texts[i]), &v), MG_DRIFT_TEXT);
	for (size_t i = 0; i < MG_ARRAY_SIZE(missing); i++)
		CU_ASSERT_EQUAL(mg_drift_parse(missing[i], strlen(missing[i]), &v),
		                MG_DRIFT_MISSING);
}

/* A temporary CSV file with `text`; the path goes into out[64]. */
static void temp_csv(const char *text, char out[64])
{
	int fd;

	snprintf(out, 64, "/tmp/mlgate-unit-drift.XXXXXX");
	fd = mkstemp(out);
	CU_ASSERT_TRUE(fd >= 0);
	CU_ASSERT_EQUAL(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static void test_drift__profile_round_trip(void)
{
	struct mg_drift_config cfg = {4, 3, 2, 7}; /* tiny reservoir and category cap */
	struct mg_drift_profile p, q;
	struct mg_err err = MG_ERR_INIT;
	struct mg_buf json = MG_BUF_INIT(MG_BUF_LARGE), again = MG_BUF_INIT(MG_BUF_LARGE);
	struct mg_drift_col *c;
	char path[64];

	temp_csv("num,cat,mixed\n1,a,1\n2,b,x\nNA,a,2\n3.5,c,\n-1,a,3\n7,,4\n", path);
	mg_drift_profile_init(&p, &cfg);
	mg_drift_profile_init(&q, &cfg);
	CU_ASSERT_EQUAL(mg_drift_read_reference(&p, path, NULL, NULL, &err), 0);
	CU_ASSERT_EQUAL(p.ref_rows, 6);
	c = mg_drift_profile_col(&p, "num");
	CU_ASSERT_EQUAL(c->type, MG_DRIFT_NUMERIC);
	CU_ASSERT_EQUAL(c->ref_missing, 1);
	CU_ASSERT_EQUAL(c->ref.seen, 5);
	CU_ASSERT_EQUAL(c->ref.n, 4); /* the reservoir's cap */
	c = mg_drift_profile_col(&p, "cat");
	CU_ASSERT_EQUAL(c->type, MG_DRIFT_CATEGORICAL);
	CU_ASSERT_EQUAL(c->ncats, 2);
	CU_ASSERT_EQUAL(c->ref_other, 1); /* "c": past the cap of 2 */
	c = mg_drift_profile_col(&p, "mixed");
	CU_ASSERT_EQUAL(c->type, MG_DRIFT_CATEGORICAL);
	mg_drift_profile_json(&p, &json);
	CU_ASSERT_EQUAL(mg_drift_profile_parse(&q, "p.json", json.buf, json.len, &err), 0);
	mg_drift_profile_json(&q, &again);
	ASSERT_STR(again.buf, json.buf);
	unlink(path);
	mg_drift_profile_release(&p);
	mg_drift_profile_release(&q);
	mg_buf_release(&json);
	mg_buf_release(&again);
}

static void test_drift__profile_reader_is_strict(void)
{
	static const char *const bad[] = {
	        "{}",
	        "[1]",
	        "{\"format\":\"x\"}",
	        /* unsorted sample */
	        "{\"format\":\"mlgate-drift-profile\",\"version\":1,\"source\":\"\",\"rows\":2,"
	        "\"reservoir\":10,\"bins\":2,\"max_categories\":5,\"seed\":1,\"columns\":[{"
	        "\"name\":"
	        "\"a\",\"type\":\"numeric\",\"rows\":2,\"missing\":0,\"numbers\":2,\"sample\":[2,1]"
	        ","
	        "\"edges\":[1.5],\"bins\":[1,1]}]}",
	        /* bin counts that are not the sample's */
	        "{\"format\":\"mlgate-drift-profile\",\"version\":1,\"source\":\"\",\"rows\":2,"
	        "\"reservoir\":10,\"bins\":2,\"max_categories\":5,\"seed\":1,\"columns\":[{"
	        "\"name\":"
	        "\"a\",\"type\":\"numeric\",\"rows\":2,\"missing\":0,\"numbers\":2,\"sample\":[1,2]"
	        ","
	        "\"edges\":[1.5],\"bins\":[2,0]}]}",
	        /* categories that do not add up */
	        "{\"format\":\"mlgate-drift-profile\",\"version\":1,\"source\":\"\",\"rows\":3,"
	        "\"reservoir\":10,\"bins\":2,\"max_categories\":5,\"seed\":1,\"columns\":[{"
	        "\"name\":"
	        "\"a\",\"type\":\"categorical\",\"rows\":3,\"missing\":0,\"categories\":[{"
	        "\"value\":"
	        "\"x\",\"count\":2}],\"other\":0}]}",
	        /* a category twice */
	        "{\"format\":\"mlgate-drift-profile\",\"version\":1,\"source\":\"\",\"rows\":2,"
	        "\"reservoir\":10,\"bins\":2,\"max_categories\":5,\"seed\":1,\"columns\":[{"
	        "\"name\":"
	        "\"a\",\"type\":\"categorical\",\"rows\":2,\"missing\":0,\"categories\":[{"
	        "\"value\":"
	        "\"x\",\"count\":1},{\"value\":\"x\",\"count\":1}],\"other\":0}]}",
	        /* a numeric member in a categorical column */
	        "{\"format\":\"mlgate-drift-profile\",\"version\":1,\"source\":\"\",\"rows\":1,"
	        "\"reservoir\":10,\"bins\":2,\"max_categories\":5,\"seed\":1,\"columns\":[{"
	        "\"name\":"
	        "\"a\",\"type\":\"categorical\",\"rows\":1,\"missing\":0,\"categories\":[{"
	        "\"value\":"
	        "\"x\",\"count\":1}],\"other\":0,\"sample\":[]}]}",
	        /* an unknown member */
	        "{\"format\":\"mlgate-drift-profile\",\"version\":1,\"source\":\"\",\"rows\":0,"
	        "\"reservoir\":10,\"bins\":2,\"max_categories\":5,\"seed\":1,\"columns\":[],\"x\":"
	        "1}",
	};

	for (size_t i = 0; i < MG_ARRAY_SIZE(bad); i++) {
		struct mg_drift_profile p;
		struct mg_err err = MG_ERR_INIT;

		mg_drift_profile_init(&p, NULL);
		CU_ASSERT_EQUAL(mg_drift_profile_parse(&p, "p.json", bad[i], strlen(bad[i]), &err),
		                -1);
		CU_ASSERT_EQUAL(err.code, MG_EXIT_USAGE);
		CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "p.json"));
		mg_drift_profile_release(&p);
	}
}

static void test_drift__current_window_counts(void)
{
	struct mg_drift_config cfg = {1000, 2, 10, 1};
	struct mg_drift_profile p;
	struct mg_err err = MG_ERR_INIT;
	struct mg_drift_col *c;
	char ref[64], cur[64];

	temp_csv("x,k\n1,a\n2,a\n3,b\n4,b\n", ref);
	temp_csv("k,x,extra\nz,10,1\na,oops,2\n,1,3\n", cur);
	mg_drift_profile_init(&p, &cfg);
	CU_ASSERT_EQUAL(mg_drift_read_reference(&p, ref, NULL, NULL, &err), 0);
	CU_ASSERT_EQUAL(mg_drift_read_current(&p, cur, &err), 0);
	CU_ASSERT_EQUAL(p.cur_rows, 3);
	c = mg_drift_profile_col(&p, "x");
	CU_ASSERT_EQUAL(c->nedges, 1);
	CU_ASSERT_EQUAL(c->cur_bins[0], 1);
	CU_ASSERT_EQUAL(c->cur_bins[1], 1);
	CU_ASSERT_EQUAL(c->cur_invalid, 1);
	CU_ASSERT_EQUAL(c->cur_missing, 1);
	c = mg_drift_profile_col(&p, "k");
	CU_ASSERT_EQUAL(c->ncats, 3); /* a, b and the unseen z */
	CU_ASSERT_EQUAL(c->cats[2].cur, 1);
	CU_ASSERT_EQUAL(c->cats[2].ref, 0);
	CU_ASSERT_EQUAL(c->cur_missing, 1);
	unlink(ref);
	unlink(cur);
	mg_drift_profile_release(&p);
}

static void test_drift__reservoir_is_seeded(void)
{
	struct mg_drift_config cfg = {50, 10, 10, 3};
	struct mg_drift_profile a, b;
	struct mg_err err = MG_ERR_INIT;
	struct mg_buf text = MG_BUF_INIT(MG_BUF_LARGE);
	char path[64];
	double sum = 0;

	mg_buf_adds(&text, "v\n");
	for (int i = 0; i < 5000; i++)
		mg_buf_addf(&text, "%d\n", i);
	temp_csv(text.buf, path);
	mg_drift_profile_init(&a, &cfg);
	mg_drift_profile_init(&b, &cfg);
	CU_ASSERT_EQUAL(mg_drift_read_reference(&a, path, NULL, NULL, &err), 0);
	CU_ASSERT_EQUAL(mg_drift_read_reference(&b, path, NULL, NULL, &err), 0);
	CU_ASSERT_EQUAL(a.cols[0].ref.n, 50);
	CU_ASSERT_EQUAL(memcmp(a.cols[0].ref.v, b.cols[0].ref.v, 50 * sizeof(double)), 0);
	for (size_t i = 0; i < 50; i++)
		sum += a.cols[0].ref.v[i];
	/* a uniform sample of 0..4999: its mean is near 2500, not the first 50 values */
	CU_ASSERT_TRUE(sum / 50 > 1500 && sum / 50 < 3500);
	unlink(path);
	mg_drift_profile_release(&a);
	mg_drift_profile_release(&b);
	mg_buf_release(&text);
}

static const struct unit_test tests[] = {
        UNIT_TEST(test_drift__ks_exact_like_scipy),
        UNIT_TEST(test_drift__kolmogorov_limit),
        UNIT_TEST(test_drift__chi2_survival),
        UNIT_TEST(test_drift__wasserstein),
        UNIT_TEST(test_drift__chi2_contingency),
        UNIT_TEST(test_drift__jensen_shannon),
        UNIT_TEST(test_drift__psi),
        UNIT_TEST(test_drift__quantile_bins),
        UNIT_TEST(test_drift__parses_values),
        UNIT_TEST(test_drift__profile_round_trip),
        UNIT_TEST(test_drift__profile_reader_is_strict),
        UNIT_TEST(test_drift__current_window_counts),
        UNIT_TEST(test_drift__reservoir_is_seeded),
        UNIT_END,
};

const struct unit_suite unit_suite_drift = {"drift", NULL, NULL, tests};
