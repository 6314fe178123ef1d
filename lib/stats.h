/*
 * Statistics for comparing two models on one sample (docs/compare.md,
 * "Statistical compare"): a reproducible generator, the normal and binomial
 * functions the tests need, bootstrap intervals (percentile, BCa as scipy
 * computes them), exact McNemar, Holm, DeLong's test (Sun & Xu's O(n log n)
 * form), the metrics on a sample and the paired bootstrap over it.
 *
 * Reproducible on every platform: the generator is xoshiro256** seeded by
 * SplitMix64 (no rand()), bounded integers use Lemire's unbiased method,
 * every sum runs in one fixed order, and the build does not contract
 * floating-point expressions (-std=c11).
 */
#ifndef MG_STATS_H
#define MG_STATS_H

#include "setup.h"
#include "err.h"

/* --- generator ----------------------------------------------------------- */

struct mg_rng {
	uint64_t s[4];
};

/* SplitMix64: advance *state and return the next output. */
uint64_t mg_splitmix64(uint64_t *state);
/* xoshiro256** with its state filled by four SplitMix64(seed) outputs. */
void mg_rng_seed(struct mg_rng *r, uint64_t seed);

/* xoshiro256** (Blackman & Vigna), inline: the bootstrap draws n of these per replicate */
static inline uint64_t mg_rng_next(struct mg_rng *r)
{
	uint64_t *s = r->s;
	const uint64_t result = ((s[1] * 5) << 7 | (s[1] * 5) >> 57) * 9;
	const uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = s[3] << 45 | s[3] >> 19;
	return result;
}

__extension__ typedef unsigned __int128 mg_u128;

/* Uniform in [0, n), n >= 1 (Lemire 2019, nearly divisionless, unbiased). */
static inline uint64_t mg_rng_bounded(struct mg_rng *r, uint64_t n)
{
	mg_u128 m = (mg_u128)mg_rng_next(r) * n;
	uint64_t l = (uint64_t)m;

	if (l < n) {
		uint64_t t = -n % n;

		while (l < t) {
			m = (mg_u128)mg_rng_next(r) * n;
			l = (uint64_t)m;
		}
	}
	return (uint64_t)(m >> 64);
}
/* Uniform double in [0, 1): (x >> 11) * 2^-53. */
double mg_rng_uniform(struct mg_rng *r);
/* The generator of bootstrap replicate `r` under `seed` (independent of threads). */
void mg_rng_replicate(struct mg_rng *g, uint64_t seed, uint64_t r);

/* --- distributions ----------------------------------------------------------- */

/* Standard normal CDF, 0.5 * erfc(-x / sqrt 2). */
double mg_norm_cdf(double x);
/* Its inverse (Wichura's AS241 PPND16, ~1e-16 relative); -inf/+inf at 0/1, NaN outside. */
double mg_norm_ppf(double p);
/* P(X <= k) for X ~ Binomial(n, 1/2). */
double mg_binom_half_cdf(uint64_t k, uint64_t n);

/* --- intervals ----------------------------------------------------------------- */

/* Quantile p of sorted x[0..n) by linear interpolation (Hyndman-Fan type 7, numpy's default). */
double mg_quantile7(const double *sorted, size_t n, double p);

struct mg_bca {
	double z0, a, alpha1, alpha2;
	double lo, hi;
};

/*
 * BCa interval at two-sided `conf` from the sorted replicates, the estimate
 * `theta` and the acceleration `a` (mg_accel). As scipy's _bca_interval:
 * z0 = ppf((#<theta + #<=theta) / 2B). Returns -1 when it cannot be
 * computed (all replicates on one side, non-finite z0 or a).
 */
int mg_bca_interval(const double *sorted, size_t n, double theta, double a, double conf,
                    struct mg_bca *out);
/* The jackknife acceleration sum U^3 / (6 (sum U^2)^1.5) of leave-one-out values jk[0..n). */
double mg_accel(const double *jk, size_t n);

/* --- tests ------------------------------------------------------------------- */

struct mg_mcnemar {
	uint64_t b, c;  /* production right & candidate wrong; production wrong & candidate right */
	double p_exact; /* two-sided, min(1, 2 P(X <= min(b, c))), X ~ Bin(b + c, 1/2) */
	double p_greater; /* one-sided, candidate better: P(X >= c) */
	double chi2_cc;   /* (|b - c| - 1)^2 / (b + c), Edwards' correction; 0 when b + c = 0 */
	double p_chi2_cc;
};
void mg_mcnemar(uint64_t b, uint64_t c, struct mg_mcnemar *out);

/* Holm's step-down adjusted p-values: adj[i] for p[i], k values (k <= 64). */
void mg_holm(const double *p, size_t k, double *adj);

/* DeLong's paired test of two correlated ROC AUCs (production a, candidate b). */
struct mg_delong {
	double auc_a, auc_b;
	double var_a, var_b, cov;
	double delta, se, z;
	double p_two, p_greater; /* H0 delta = 0; "greater": candidate better */
	double lo, hi;           /* delta -/+ z_{1-(1-conf)/2} se */
};

/*
 * y[i] in {0,1}; a, b the scores (higher = positive). Needs two positives
 * and two negatives (else -1). O(n log n): one sort per model, placements by
 * a sweep over tie groups (the midrank identity of Sun & Xu 2014).
 */
int mg_delong(const unsigned char *y, const double *a, const double *b, size_t n, double conf,
              struct mg_delong *out);

/*
 * DeLong placements of one model (m1 positives, m0 negatives): pl[i] is the
 * fraction of negatives below positive i (ties 1/2), or of positives above
 * negative i (ties 1/2). Returns the AUC (the mean placement of positives).
 */
double mg_auc_placements(const unsigned char *y, const double *s, size_t n, size_t m1, size_t m0,
                         double *pl);

/* --- metrics on a sample -------------------------------------------------------------- */

enum mg_metric_kind {
	MG_METRIC_ROC_AUC = 0,
	MG_METRIC_PR_AUC,
	MG_METRIC_ACCURACY,
	MG_METRIC_PRECISION,
	MG_METRIC_RECALL,
	MG_METRIC_F1,
	MG_METRIC_LOG_LOSS,
	MG_METRIC_BRIER,
	MG_METRIC_RMSE,
	MG_METRIC_MSE,
	MG_METRIC_MAE,
	MG_METRIC_MAPE,
	MG_METRIC_R2,
	MG_METRIC_COUNT
};

struct mg_metric_info {
	const char *name;
	bool greater_is_better;
	bool classification; /* labels must be 0/1 */
	bool probability;    /* outputs must be probabilities in [0,1] */
	bool thresholded;    /* uses a threshold: positive when output >= threshold */
};

const struct mg_metric_info *mg_metric_info(enum mg_metric_kind k);
/* The metric called `name`, or -1. */
int mg_metric_by_name(const char *name);
/* "roc_auc, pr_auc, ...", for messages. */
const char *mg_metric_names(void);

/* The sample: labels y and the outputs of production (a) and candidate (b). */
struct mg_sample {
	size_t n;
	double *y, *a, *b;
};

/* One metric prepared over a sample for repeated weighted evaluation. */
struct mg_stats_metric {
	enum mg_metric_kind kind;
	double threshold;
	unsigned char *code; /* thresholded: bit 0 label, bit 1 production, bit 2 candidate */
	double *f[4];        /* per-row features of the mean-type metrics */
	int nf;
};

struct mg_stats_ranks; /* the sorted orders of both models (rank metrics) */

/*
 * With a rank metric the rows are kept sorted by the production score (its
 * sweep then reads the weights in order): weights passed to mg_stats_eval
 * are indexed by that order, pos[i] being the place of the sample's row i
 * (pos is NULL when the order is the sample's).
 */
struct mg_stats_prep {
	const struct mg_sample *s; /* the sample in the prepared order */
	struct mg_sample own;      /* its arrays when reordered */
	uint32_t *pos;
	struct mg_stats_metric *m;
	size_t nm;
	struct mg_stats_ranks *rk; /* NULL when no rank metric */
};

/* Prepare `nm` metrics (kinds[i], thresholds[i]) over `s` (borrowed). */
void mg_stats_prepare(struct mg_stats_prep *p, const struct mg_sample *s,
                      const enum mg_metric_kind *kinds, const double *thresholds, size_t nm);
void mg_stats_prep_release(struct mg_stats_prep *p);

/*
 * Metric i with row weights w[0..n) (counts; all ones = the sample itself):
 * production's and candidate's values. NaN when undefined (no positives,
 * no predicted positives, ...). Returns the delta (mg_stats_delta; for
 * accuracy from the counts, so that equal deltas compare equal).
 */
double mg_stats_eval(const struct mg_stats_prep *p, size_t i, const uint8_t *w, double *va,
                     double *vb);
/* The same with `tmp`, n bytes of scratch space for the rank metrics (else allocated). */
double mg_stats_eval_tmp(const struct mg_stats_prep *p, size_t i, const uint8_t *w, uint8_t *tmp,
                         double *va, double *vb);
/* Delta oriented so that positive means the candidate is better. */
double mg_stats_delta(enum mg_metric_kind k, double va, double vb);

/*
 * Leave-one-out deltas for the BCa acceleration: jk[0..*njk). Exact for
 * every metric but pr_auc above MG_STATS_JACK_EXACT rows (then a grouped
 * jackknife of MG_STATS_JACK_GROUPS groups). Caller frees *jk.
 */
#define MG_STATS_JACK_EXACT  5000
#define MG_STATS_JACK_GROUPS 200
void mg_stats_jackknife(const struct mg_stats_prep *p, size_t i, double **jk, size_t *njk);

/*
 * The paired bootstrap: replicate r draws n row indices with replacement
 * (generator mg_rng_replicate(seed, r)), as counts, and evaluates every
 * metric on them: reps[i][r] = delta of metric i (NaN: undefined). Above
 * MG_STATS_POISSON_MIN rows every row's count is an independent Poisson(1)
 * draw instead (the Poisson bootstrap: the same intervals at that size, and
 * no scatter into random places).
 * `threads` >= 1 split the replicates; the result does not depend on it.
 */
#define MG_STATS_POISSON_MIN 10000
/*
 * n independent Poisson(1) counts from g (at most 12 each): the count of a
 * 32-bit uniform u is the number of thresholds floor(2^32 P(X <= k)),
 * k = 0..11, at or below u; two uniforms per output, low half first.
 */
void mg_stats_poisson1(struct mg_rng *g, uint8_t *w, size_t n);
int mg_stats_bootstrap(const struct mg_stats_prep *p, size_t B, uint64_t seed, unsigned threads,
                       double **reps, struct mg_err *err);

#endif
