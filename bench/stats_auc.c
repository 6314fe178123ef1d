/*
 * Benchmark helper: the paired bootstrap of the ROC AUC difference.
 *
 *   stats_auc gen N FILE          write N rows (label,score_prod,score_cand) as CSV
 *   stats_auc run FILE B THREADS  read FILE, B replicates: time, BCa and percentile 95 %
 */
#include "setup.h"
#include "stats.h"
#include "alloc.h"
#include "clock.h"

#include <math.h>
#include <time.h>

static int gen(size_t n, const char *path)
{
	FILE *f = fopen(path, "w");
	struct mg_rng g;

	if (!f)
		return 1;
	mg_rng_seed(&g, 2024);
	fputs("label,score_prod,score_cand\n", f);
	for (size_t i = 0; i < n; i++) {
		int y = mg_rng_uniform(&g) < 0.3;
		double u = mg_rng_uniform(&g), v = mg_rng_uniform(&g), w = mg_rng_uniform(&g);
		double z = sqrt(-2 * log(1 - u)) * cos(6.283185307179586 * v);
		double e = sqrt(-2 * log(1 - w)) * cos(6.283185307179586 * u);
		double sa = 1 / (1 + exp(-(1.2 * y - 0.6 + z))),
		       sb = 1 / (1 + exp(-(1.3 * y - 0.65 + 0.9 * z + 0.4 * e)));

		fprintf(f, "%d,%.6f,%.6f\n", y, sa, sb);
	}
	return fclose(f) ? 1 : 0;
}

static int cmp(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return a < b ? -1 : a > b;
}

static int run(const char *path, size_t B, unsigned threads)
{
	FILE *f = fopen(path, "r");
	struct mg_sample s = {0};
	size_t cap = 1024;
	char line[256];
	enum mg_metric_kind k = MG_METRIC_ROC_AUC;
	struct mg_stats_prep p;
	struct mg_err err = {0};
	struct mg_bca bca;
	double *reps, *jk, va, vb, theta, t_prep, t_boot;
	size_t njk;
	uint64_t t0;
	struct timespec c0, c1;
	double cpu;

	if (!f || !fgets(line, sizeof(line), f))
		return 1;
	s.y = mg_xmalloc(cap * sizeof(double));
	s.a = mg_xmalloc(cap * sizeof(double));
	s.b = mg_xmalloc(cap * sizeof(double));
	while (fgets(line, sizeof(line), f)) {
		if (s.n == cap) {
			cap *= 2;
			s.y = mg_xrealloc(s.y, cap * sizeof(double));
			s.a = mg_xrealloc(s.a, cap * sizeof(double));
			s.b = mg_xrealloc(s.b, cap * sizeof(double));
		}
		if (sscanf(line, "%lf,%lf,%lf", &s.y[s.n], &s.a[s.n], &s.b[s.n]) != 3)
			return 1;
		s.n++;
	}
	fclose(f);
	t0 = mg_clock_ns();
	mg_stats_prepare(&p, &s, &k, NULL, 1);
	{
		uint8_t *w = mg_xmalloc(s.n * sizeof(*w));

		for (size_t i = 0; i < s.n; i++)
			w[i] = 1;
		theta = mg_stats_eval(&p, 0, w, &va, &vb);
		free(w);
	}
	mg_stats_jackknife(&p, 0, &jk, &njk);
	t_prep = (double)(mg_clock_ns() - t0) / 1e9;
	reps = mg_xmalloc(B * sizeof(double));
	t0 = mg_clock_ns();
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
	if (mg_stats_bootstrap(&p, B, 1, threads, &reps, &err))
		return 1;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
	t_boot = (double)(mg_clock_ns() - t0) / 1e9;
	cpu = (double)(c1.tv_sec - c0.tv_sec) + (double)(c1.tv_nsec - c0.tv_nsec) / 1e9;
	qsort(reps, B, sizeof(double), cmp);
	mg_bca_interval(reps, B, theta, mg_accel(jk, njk), 0.95, &bca);
	printf("n=%zu B=%zu threads=%u delta=%.6f bca=[%.6f, %.6f] percentile=[%.6f, %.6f] "
	       "sort+jackknife %.2f s, bootstrap %.2f s (CPU %.2f s)\n",
	       s.n, B, threads, theta, bca.lo, bca.hi, mg_quantile7(reps, B, 0.025),
	       mg_quantile7(reps, B, 0.975), t_prep, t_boot, cpu);
	free(reps);
	free(jk);
	mg_stats_prep_release(&p);
	free(s.y);
	free(s.a);
	free(s.b);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "gen"))
		return gen(strtoul(argv[2], NULL, 10), argv[3]);
	if (argc == 5 && !strcmp(argv[1], "run"))
		return run(argv[2], strtoul(argv[3], NULL, 10),
		           (unsigned)strtoul(argv[4], NULL, 10));
	fputs("usage: stats_auc gen N FILE | run FILE B THREADS\n", stderr);
	return 2;
}
