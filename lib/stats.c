/*
 * The generator, distributions, intervals and closed-form tests of stats.h.
 * Formulas: docs/compare.md; known answers: tests/unit/test_stats.c.
 */
#include "setup.h"
#include "stats.h"
#include "alloc.h"

#include <math.h>

#define SQRT2 1.41421356237309504880
#define LN2   0.69314718055994530942

/* --- generator --------------------------------------------------------------------- */

uint64_t mg_splitmix64(uint64_t *state)
{
	uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

void mg_rng_seed(struct mg_rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = mg_splitmix64(&seed);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

double mg_rng_uniform(struct mg_rng *r)
{
	return (double)(mg_rng_next(r) >> 11) * 0x1.0p-53;
}

void mg_rng_replicate(struct mg_rng *g, uint64_t seed, uint64_t r)
{
	uint64_t a = seed, b = r;

	/* two independent SplitMix64 outputs mixed: every (seed, r) its own stream */
	mg_rng_seed(g, mg_splitmix64(&a) ^ rotl(mg_splitmix64(&b), 32));
}

/* --- distributions ------------------------------------------------------------ */

double mg_norm_cdf(double x)
{
	return 0.5 * erfc(-x / SQRT2);
}

/* c[0] r^7 + ... + c[7], by Horner */
static double poly8(const double c[8], double r)
{
	double v = c[0];

	for (int i = 1; i < 8; i++)
		v = v * r + c[i];
	return v;
}

/* Wichura's AS241 (PPND16) coefficients, highest power first */
static const double ppf_a[8] = {2509.0809287301226727, 33430.575583588128105, 67265.770927008700853,
                                45921.953931549871457, 13731.693765509461125, 1971.5909503065514427,
                                133.14166789178437745, 3.387132872796366608};
static const double ppf_b[8] = {
        5226.495278852545925,  28729.085735721942674, 39307.89580009271061,  21213.794301586595867,
        5394.1960214247511077, 687.1870074920579083,  42.313330701600911252, 1.0};
static const double ppf_c[8] = {7.7454501427834140764e-4, 0.0227238449892691845833,
                                0.24178072517745061177,   1.27045825245236838258,
                                3.64784832476320460504,   5.7694972214606914055,
                                4.6303378461565452959,    1.42343711074968357734};
static const double ppf_d[8] = {1.05075007164441684324e-9, 5.475938084995344946e-4,
                                0.0151986665636164571966,  0.14810397642748007459,
                                0.68976733498510000455,    1.6763848301838038494,
                                2.05319162663775882187,    1.0};
static const double ppf_e[8] = {2.01033439929228813265e-7, 2.71155556874348757815e-5,
                                0.0012426609473880784386,  0.026532189526576123093,
                                0.29656057182850489123,    1.7848265399172913358,
                                5.4637849111641143699,     6.6579046435011037772};
static const double ppf_f[8] = {2.04426310338993978564e-15, 1.4215117583164458887e-7,
                                1.8463183175100546818e-5,   7.868691311456132591e-4,
                                0.0148753612908506148525,   0.13692988092273580531,
                                0.59983220655588793769,     1.0};

double mg_norm_ppf(double p)
{
	double q, r, v;

	if (isnan(p) || p < 0 || p > 1)
		return NAN;
	if (p == 0)
		return -INFINITY;
	if (p == 1)
		return INFINITY;
	q = p - 0.5;
	if (fabs(q) <= 0.425) {
		r = 0.180625 - q * q;
		return q * poly8(ppf_a, r) / poly8(ppf_b, r);
	}
	r = sqrt(-log(q < 0 ? p : 1 - p));
	if (r <= 5)
		v = poly8(ppf_c, r - 1.6) / poly8(ppf_d, r - 1.6);
	else
		v = poly8(ppf_e, r - 5) / poly8(ppf_f, r - 5);
	return q < 0 ? -v : v;
}

double mg_binom_half_cdf(uint64_t k, uint64_t n)
{
	double t, sum = 0;

	if (k >= n)
		return 1.0;
	/* the largest term first (k < n/2 in every use), then down: t_{i-1} = t_i i/(n-i+1) */
	t = exp(lgamma((double)n + 1) - lgamma((double)k + 1) - lgamma((double)(n - k) + 1) -
	        (double)n * LN2);
	for (uint64_t i = k + 1; i-- > 0;) {
		sum += t;
		if (t < sum * 1e-18)
			break;
		t *= (double)i / (double)(n - i + 1);
	}
	return sum > 1 ? 1 : sum;
}

/* --- intervals -------------------------------------------------------------------- */

double mg_quantile7(const double *x, size_t n, double p)
{
	double h, f;
	size_t k;

	if (!n || isnan(p))
		return NAN;
	if (p <= 0)
		return x[0];
	if (p >= 1)
		return x[n - 1];
	h = (double)(n - 1) * p;
	k = (size_t)floor(h);
	f = h - (double)k;
	if (k + 1 >= n)
		return x[n - 1];
	return x[k] + f * (x[k + 1] - x[k]);
}

double mg_accel(const double *jk, size_t n)
{
	double mean = 0, s2 = 0, s3 = 0;

	for (size_t i = 0; i < n; i++)
		mean += jk[i];
	mean /= (double)n;
	for (size_t i = 0; i < n; i++) {
		double u = mean - jk[i];

		s2 += u * u;
		s3 += u * u * u;
	}
	if (!(s2 > 0))
		return 0;
	return s3 / (6 * pow(s2, 1.5));
}

int mg_bca_interval(const double *x, size_t n, double theta, double a, double conf,
                    struct mg_bca *out)
{
	size_t lt = 0, le = 0;
	double alpha = (1 - conf) / 2, zl = mg_norm_ppf(alpha), zh = mg_norm_ppf(1 - alpha);

	for (size_t i = 0; i < n; i++) {
		lt += x[i] < theta;
		le += x[i] <= theta;
	}
	out->a = a;
	out->z0 = mg_norm_ppf((double)(lt + le) / (2.0 * (double)n));
	out->alpha1 = mg_norm_cdf(out->z0 + (out->z0 + zl) / (1 - a * (out->z0 + zl)));
	out->alpha2 = mg_norm_cdf(out->z0 + (out->z0 + zh) / (1 - a * (out->z0 + zh)));
	out->lo = out->hi = NAN;
	if (!n || !isfinite(out->z0) || !isfinite(a) || isnan(out->alpha1) || isnan(out->alpha2))
		return -1;
	out->lo = mg_quantile7(x, n, out->alpha1);
	out->hi = mg_quantile7(x, n, out->alpha2);
	return 0;
}

/* --- tests ------------------------------------------------------------------- */

void mg_mcnemar(uint64_t b, uint64_t c, struct mg_mcnemar *out)
{
	uint64_t n = b + c, lo = b < c ? b : c;
	double d = fabs((double)b - (double)c) - 1;

	out->b = b;
	out->c = c;
	out->p_exact = n ? fmin(1.0, 2 * mg_binom_half_cdf(lo, n)) : 1.0;
	/* P(X >= c) = P(X <= b) by symmetry */
	out->p_greater = n ? mg_binom_half_cdf(b, n) : 1.0;
	out->chi2_cc = n ? d * d / (double)n : 0;
	if (n && d < 0)
		out->chi2_cc = 1.0 / (double)n; /* b == c: (|0| - 1)^2 / n, as statsmodels */
	out->p_chi2_cc = erfc(sqrt(out->chi2_cc / 2));
}

void mg_holm(const double *p, size_t k, double *adj)
{
	size_t idx[64];
	double run = 0;

	if (k > 64)
		k = 64;
	for (size_t i = 0; i < k; i++)
		idx[i] = i;
	for (size_t i = 1; i < k; i++) /* insertion sort by p, stable */
		for (size_t j = i; j > 0 && p[idx[j]] < p[idx[j - 1]]; j--) {
			size_t t = idx[j];

			idx[j] = idx[j - 1];
			idx[j - 1] = t;
		}
	for (size_t j = 0; j < k; j++) {
		double v = fmin(1.0, (double)(k - j) * p[idx[j]]);

		run = fmax(run, v);
		adj[idx[j]] = run;
	}
}

/* --- DeLong ------------------------------------------------------------------------ */

struct sortkey {
	double v;
	size_t i;
};

static int by_value(const void *x, const void *y)
{
	const struct sortkey *a = x, *b = y;

	if (a->v != b->v)
		return a->v < b->v ? -1 : 1;
	return a->i < b->i ? -1 : a->i > b->i;
}

/*
 * Placements of one model: pl[i] = V10 for a positive (fraction of
 * negatives below, ties 1/2), V01 for a negative (fraction of positives
 * above, ties 1/2). Returns the AUC.
 */
double mg_auc_placements(const unsigned char *y, const double *s, size_t n, size_t m1, size_t m0,
                         double *pl)
{
	struct sortkey *k = mg_xmalloc(mg_st_mult(n, sizeof(*k)));
	double negbelow = 0, posbelow = 0, sum = 0;

	for (size_t i = 0; i < n; i++) {
		k[i].v = s[i];
		k[i].i = i;
	}
	qsort(k, n, sizeof(*k), by_value);
	for (size_t g = 0; g < n;) {
		size_t e = g;
		double gp = 0, gn = 0;

		while (e < n && k[e].v == k[g].v)
			e++;
		for (size_t j = g; j < e; j++) {
			if (y[k[j].i])
				gp++;
			else
				gn++;
		}
		for (size_t j = g; j < e; j++) {
			size_t i = k[j].i;

			if (y[i]) {
				pl[i] = (negbelow + gn / 2) / (double)m0;
				sum += pl[i];
			} else {
				pl[i] = ((double)m1 - posbelow - gp + gp / 2) / (double)m1;
			}
		}
		negbelow += gn;
		posbelow += gp;
		g = e;
	}
	free(k);
	return sum / (double)m1;
}

int mg_delong(const unsigned char *y, const double *a, const double *b, size_t n, double conf,
              struct mg_delong *out)
{
	size_t m1 = 0, m0;
	double *pa, *pb, s10[3] = {0}, s01[3] = {0}, v, z;

	for (size_t i = 0; i < n; i++)
		m1 += y[i] != 0;
	m0 = n - m1;
	memset(out, 0, sizeof(*out));
	if (m1 < 2 || m0 < 2)
		return -1;
	pa = mg_xmalloc(mg_st_mult(n, sizeof(double)));
	pb = mg_xmalloc(mg_st_mult(n, sizeof(double)));
	out->auc_a = mg_auc_placements(y, a, n, m1, m0, pa);
	out->auc_b = mg_auc_placements(y, b, n, m1, m0, pb);
	for (size_t i = 0; i < n; i++) {
		double da = pa[i] - out->auc_a, db = pb[i] - out->auc_b;
		double *s = y[i] ? s10 : s01;

		s[0] += da * da;
		s[1] += db * db;
		s[2] += da * db;
	}
	free(pa);
	free(pb);
	out->var_a =
	        s10[0] / (double)(m1 - 1) / (double)m1 + s01[0] / (double)(m0 - 1) / (double)m0;
	out->var_b =
	        s10[1] / (double)(m1 - 1) / (double)m1 + s01[1] / (double)(m0 - 1) / (double)m0;
	out->cov = s10[2] / (double)(m1 - 1) / (double)m1 + s01[2] / (double)(m0 - 1) / (double)m0;
	out->delta = out->auc_b - out->auc_a;
	v = out->var_a + out->var_b - 2 * out->cov;
	out->se = v > 0 ? sqrt(v) : 0;
	if (out->se > 0)
		out->z = out->delta / out->se;
	else
		out->z = out->delta == 0 ? 0 : (out->delta > 0 ? INFINITY : -INFINITY);
	out->p_two = 2 * mg_norm_cdf(-fabs(out->z));
	out->p_greater = mg_norm_cdf(-out->z);
	z = mg_norm_ppf(1 - (1 - conf) / 2);
	out->lo = out->delta - z * out->se;
	out->hi = out->delta + z * out->se;
	return 0;
}
