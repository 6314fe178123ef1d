/*
 * Distribution functions for the drift statistics (drift_stats.h). Written from
 * the textbook definitions: the regularised incomplete gamma function by
 * its series and its continued fraction (Lentz), the Kolmogorov
 * distribution by its two theta-function series, the exact two-sample KS
 * distribution by the lattice-path recursion over (i, j) with a
 * probability-scaled row (the research report, section 6.2).
 */
#include "setup.h"
#include "drift_stats.h"
#include "alloc.h"

#include <math.h>

#define PI         3.14159265358979323846
#define GAMMA_EPS  1e-16
#define GAMMA_TINY 1e-300
#define GAMMA_ITER 100000

/* P(a, x) by its power series; valid (fast) for x < a + 1. */
static double gamma_p_series(double a, double x)
{
	double ap = a, del = 1.0 / a, sum = del;

	for (int i = 0; i < GAMMA_ITER; i++) {
		ap += 1.0;
		del *= x / ap;
		sum += del;
		if (fabs(del) < fabs(sum) * GAMMA_EPS)
			break;
	}
	return sum * exp(-x + a * log(x) - lgamma(a));
}

/* Q(a, x) by its continued fraction (modified Lentz); valid for x >= a + 1. */
static double gamma_q_fraction(double a, double x)
{
	double b = x + 1.0 - a, c = 1.0 / GAMMA_TINY, d = 1.0 / b, h = d;

	for (int i = 1; i < GAMMA_ITER; i++) {
		double an = -i * (i - a), del;

		b += 2.0;
		d = an * d + b;
		if (fabs(d) < GAMMA_TINY)
			d = GAMMA_TINY;
		c = b + an / c;
		if (fabs(c) < GAMMA_TINY)
			c = GAMMA_TINY;
		d = 1.0 / d;
		del = d * c;
		h *= del;
		if (fabs(del - 1.0) < GAMMA_EPS)
			break;
	}
	return exp(-x + a * log(x) - lgamma(a)) * h;
}

double mg_drift_chi2_sf(double x, double df)
{
	double a = df / 2.0, hx = x / 2.0;

	if (!(df > 0) || isnan(x))
		return NAN;
	if (x <= 0)
		return 1.0;
	if (isinf(x))
		return 0.0;
	if (hx < a + 1.0) {
		double q = 1.0 - gamma_p_series(a, hx);

		return q < 0 ? 0 : q;
	}
	return gamma_q_fraction(a, hx);
}

double mg_drift_kolmogorov_sf(double lambda)
{
	double sum = 0;

	if (isnan(lambda))
		return NAN;
	if (lambda <= 0)
		return 1.0;
	if (lambda < 1.18) {
		/* P(K <= l) = sqrt(2 pi) / l * sum_{k>=1} exp(-(2k-1)^2 pi^2 / (8 l^2)) */
		double f = -PI * PI / (8.0 * lambda * lambda);

		for (int k = 1; k < 100; k++) {
			double t = exp((2.0 * k - 1) * (2.0 * k - 1) * f);

			sum += t;
			if (t < 1e-17 * sum)
				break;
		}
		sum = 1.0 - sqrt(2.0 * PI) / lambda * sum;
		return sum < 0 ? 0 : sum;
	}
	for (int k = 1; k < 100; k++) {
		double t = exp(-2.0 * k * k * lambda * lambda);

		sum += (k % 2 ? 2.0 : -2.0) * t;
		if (t < 1e-17)
			break;
	}
	return sum > 1 ? 1 : sum;
}

double mg_drift_ks_exact_p(size_t m, size_t n, double d)
{
	double md, nd, q, p;
	long double *u, log_scale = 0;

	if (!m || !n || isnan(d))
		return NAN;
	if (m > n) {
		size_t t = m;

		m = n;
		n = t;
	}
	md = (double)m;
	nd = (double)n;
	/* the statistic's lattice value, half a step below: D >= d counts ties with d */
	q = (0.5 + floor(d * md * nd - 1e-7)) / (md * nd);
	u = mg_xcalloc(n + 1, sizeof(*u));
	for (size_t j = 0; j <= n; j++)
		u[j] = (double)j / nd > q ? 0 : 1;
	for (size_t i = 1; i <= m; i++) {
		/* w keeps the row a probability (paths through (i, j) over all paths to row i) */
		long double w = (long double)i / (long double)(i + n), top;
		double im = (double)i / md;

		u[0] = im > q ? 0 : w * u[0];
		top = u[0];
		for (size_t j = 1; j <= n; j++) {
			u[j] = fabs(im - (double)j / nd) > q ? 0 : w * u[j] + u[j - 1];
			if (u[j] > top)
				top = u[j];
		}
		/*
		 * Large samples: the band's values fall far below 1 (e^-1000 at m = n =
		 * 5000), so the row is rescaled before it underflows, the scale kept as
		 * a logarithm (both ways: they rise again to about 1 at the last rows).
		 * Within a row the paths that still matter can be 1e-400 below the
		 * largest value, which a double loses: hence long double (to 1e-4932).
		 * The bounds are doubles' so the code also runs where long double is
		 * double (valgrind), exactly enough for samples of a few thousand.
		 */
		if (top > 0 && (top < 1e-280L || top > 1e280L)) {
			for (size_t j = 0; j <= n; j++)
				u[j] /= top;
			log_scale += logl(top);
		}
	}
	p = (double)(1.0L - u[n] * expl(log_scale));
	free(u);
	return p < 0 ? 0 : p > 1 ? 1 : p;
}
