/*
 * The drift statistics over arrays (drift_stats.h): each one defined as scipy
 * (or, for PSI, the research report's section 6.1) defines it, so the
 * integration test's scipy oracles agree to rounding.
 */
#include "setup.h"
#include "drift_stats.h"

#include <math.h>

static uint64_t sum_counts(const uint64_t *c, size_t k)
{
	uint64_t s = 0;

	for (size_t i = 0; i < k; i++)
		s += c[i];
	return s;
}

double mg_drift_psi(const uint64_t *ref, const uint64_t *cur, size_t k, double epsilon)
{
	uint64_t nr = sum_counts(ref, k), nc = sum_counts(cur, k);
	double psi = 0;

	if (!nr || !nc)
		return NAN;
	for (size_t i = 0; i < k; i++) {
		double r = ref[i] ? (double)ref[i] / (double)nr : epsilon;
		double c = cur[i] ? (double)cur[i] / (double)nc : epsilon;

		psi += (r - c) * log(r / c);
	}
	return psi;
}

void mg_drift_ks_test(const double *x, size_t n, const double *y, size_t m, struct mg_drift_ks *out)
{
	size_t i = 0, j = 0;
	double d = 0;

	while (i < n && j < m) {
		double t = x[i] < y[j] ? x[i] : y[j], diff;

		while (i < n && x[i] <= t)
			i++;
		while (j < m && y[j] <= t)
			j++;
		diff = fabs((double)i / (double)n - (double)j / (double)m);
		if (diff > d)
			d = diff;
	}
	out->d = d;
	if (n <= MG_DRIFT_KS_EXACT_MAX && m <= MG_DRIFT_KS_EXACT_MAX) {
		out->p = mg_drift_ks_exact_p(n, m, d);
		out->exact = true;
	} else {
		double en = (double)n * (double)m / ((double)n + (double)m), s = sqrt(en);

		out->p = mg_drift_kolmogorov_sf((s + 0.12 + 0.11 / s) * d);
		out->exact = false;
	}
}

double mg_drift_wasserstein(const double *x, size_t n, const double *y, size_t m)
{
	size_t i = 0, j = 0;
	double sum = 0;

	if (!n || !m)
		return NAN;
	while (i < n || j < m) {
		/* the next pooled value, both ECDFs just after it, then the gap to the one after */
		double t = j >= m || (i < n && x[i] <= y[j]) ? x[i] : y[j], next;

		while (i < n && x[i] <= t)
			i++;
		while (j < m && y[j] <= t)
			j++;
		if (i >= n && j >= m)
			break;
		next = j >= m || (i < n && x[i] <= y[j]) ? x[i] : y[j];
		sum += fabs((double)i / (double)n - (double)j / (double)m) * (next - t);
	}
	return sum;
}

void mg_drift_chi2_test(const uint64_t *a, const uint64_t *b, size_t k, struct mg_drift_chi2 *out)
{
	double na = (double)sum_counts(a, k), nb = (double)sum_counts(b, k), total = na + nb;
	double stat = 0;
	size_t kept = 0;

	out->stat = out->df = out->p = NAN;
	if (!na || !nb)
		return;
	for (size_t i = 0; i < k; i++) {
		double col = (double)a[i] + (double)b[i], ea, eb;

		if (!col)
			continue;
		kept++;
		ea = na * col / total;
		eb = nb * col / total;
		stat += ((double)a[i] - ea) * ((double)a[i] - ea) / ea;
		stat += ((double)b[i] - eb) * ((double)b[i] - eb) / eb;
	}
	if (kept < 2)
		return;
	out->stat = stat;
	out->df = (double)(kept - 1);
	out->p = mg_drift_chi2_sf(stat, out->df);
}

double mg_drift_js(const uint64_t *a, const uint64_t *b, size_t k)
{
	double na = (double)sum_counts(a, k), nb = (double)sum_counts(b, k);
	double left = 0, right = 0, js;

	if (!na || !nb)
		return NAN;
	for (size_t i = 0; i < k; i++) {
		double p = (double)a[i] / na, q = (double)b[i] / nb, mid = (p + q) / 2.0;

		if (p > 0)
			left += p * log(p / mid);
		if (q > 0)
			right += q * log(q / mid);
	}
	js = (left + right) / 2.0;
	return sqrt(js > 0 ? js : 0);
}

size_t mg_drift_edges(const double *x, size_t n, size_t bins, double *edges)
{
	size_t ne = 0;

	if (!n || bins < 2)
		return 0;
	for (size_t j = 1; j < bins; j++) {
		double q = (double)j / (double)bins, h = (double)(n - 1) * q;
		size_t lo = (size_t)floor(h), hi = lo + 1 < n ? lo + 1 : n - 1;
		double t = h - (double)lo, a = x[lo], b = x[hi], diff = b - a, v;

		/* numpy's _lerp: from the nearer end, so the result stays within [a, b] */
		v = t >= 0.5 ? b - diff * (1.0 - t) : a + diff * t;
		if (!ne || v > edges[ne - 1])
			edges[ne++] = v;
	}
	return ne;
}

size_t mg_drift_bin(const double *edges, size_t nedges, double v)
{
	size_t lo = 0, hi = nedges, n = 0;

	if (nedges <= 32) {
		/* the usual 9 edges: a branch-free count is faster than a search */
		for (size_t i = 0; i < nedges; i++)
			n += edges[i] <= v;
		return n;
	}
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (edges[mid] <= v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}
