/*
 * Data drift between a training reference and a current window
 * (docs/drift.md; the statistics of the research report's section 6).
 *
 * Three parts:
 *
 * - distributions (drift_dist.c): the chi-square survival function, the
 *   Kolmogorov limit distribution and the exact two-sample
 *   Kolmogorov-Smirnov p-value. (The stats gate of issue 18 has its own
 *   normal/chi-square/KS functions: deduplicate after both are merged.)
 * - statistics (drift_stats.c): PSI, two-sample KS, Wasserstein-1,
 *   chi-square homogeneity, Jensen-Shannon distance, quantile bin edges.
 *   Pure functions over arrays: the known-answer tests call them directly.
 * - profiles (drift.c): one streaming pass over a CSV file into a bounded
 *   summary per column (a seeded reservoir sample of the numbers, exact
 *   category counts up to a cap, missing counts), type inference, and the
 *   profile's JSON form (--save-profile / --profile; a strict reader).
 *
 * Ownership: a profile owns its columns and everything in them.
 * Errors: a malformed CSV or profile is MG_EXIT_USAGE naming the file.
 */
#ifndef MG_DRIFT_STATS_H
#define MG_DRIFT_STATS_H

#include "setup.h"
#include "buf.h"
#include "err.h"

/* --- distributions --------------------------------------------------------- */

/* P(X > x) for X ~ chi-square with `df` > 0 degrees of freedom (regularised upper gamma). */
double mg_drift_chi2_sf(double x, double df);

/* The Kolmogorov limit Q(l) = 2 sum_{k>=1} (-1)^(k-1) exp(-2 k^2 l^2); 1 for l <= 0. */
double mg_drift_kolmogorov_sf(double lambda);

/*
 * The exact two-sided p-value P(D >= d) of the two-sample KS statistic for
 * samples of sizes m and n without ties (the lattice-path recursion; O(m n)
 * time, O(max(m, n)) memory).
 */
double mg_drift_ks_exact_p(size_t m, size_t n, double d);

/* --- statistics ------------------------------------------------------------ */

#define MG_DRIFT_EPSILON      1e-4  /* the fraction an empty PSI bin counts as */
#define MG_DRIFT_KS_EXACT_MAX 10000 /* exact KS p when both samples are at most this */

/*
 * PSI = sum_k (r_k - c_k) ln(r_k / c_k) over the fractions of the counts
 * ref[k] / sum(ref) and cur[k] / sum(cur), an empty bin counting as
 * `epsilon`. NaN when either side has no values.
 */
double mg_drift_psi(const uint64_t *ref, const uint64_t *cur, size_t k, double epsilon);

struct mg_drift_ks {
	double d;   /* sup |F_x - F_y| */
	double p;   /* two-sided p-value */
	bool exact; /* p from the exact distribution; else Stephens-corrected Kolmogorov */
};

/*
 * Two-sample KS of sorted x[0..n) and y[0..m) (n, m > 0): the statistic
 * with right-continuous ECDFs (ties handled as scipy's ks_2samp), the
 * exact p-value when max(n, m) <= MG_DRIFT_KS_EXACT_MAX (as scipy's
 * method='auto'), else the Kolmogorov limit at lambda = (sqrt(en) + 0.12 +
 * 0.11 / sqrt(en)) d, en = n m / (n + m) (Stephens' correction).
 */
void mg_drift_ks_test(const double *x, size_t n, const double *y, size_t m,
                      struct mg_drift_ks *out);

/* Wasserstein-1 distance of the empirical distributions of sorted x[0..n) and y[0..m). */
double mg_drift_wasserstein(const double *x, size_t n, const double *y, size_t m);

struct mg_drift_chi2 {
	double stat;
	double df; /* categories with a count on either side, minus one */
	double p;
};

/*
 * Pearson's chi-square homogeneity test of the 2 x k table (a; b), without
 * Yates' correction (scipy chi2_contingency(correction=False)); categories
 * empty on both sides are left out. p is NaN when fewer than two remain.
 */
void mg_drift_chi2_test(const uint64_t *a, const uint64_t *b, size_t k, struct mg_drift_chi2 *out);

/*
 * Jensen-Shannon distance (the square root of the divergence, natural
 * logarithm: scipy.spatial.distance.jensenshannon's default) of the
 * distributions of counts a[0..k) and b[0..k). NaN when either is empty.
 */
double mg_drift_js(const uint64_t *a, const uint64_t *b, size_t k);

/*
 * Bin edges of `bins` quantile bins of sorted x[0..n): the quantiles j/bins,
 * j = 1..bins-1, with numpy's default (linear) interpolation, repeated
 * values dropped; written to edges[0..bins-1). Returns how many.
 */
size_t mg_drift_edges(const double *x, size_t n, size_t bins, double *edges);

/* The bin of `v`: how many edges are <= v (numpy searchsorted side='right'). */
size_t mg_drift_bin(const double *edges, size_t nedges, double v);

/* --- values ----------------------------------------------------------------- */

enum mg_drift_value {
	MG_DRIFT_MISSING, /* empty, NA, N/A, NaN, nan, null, NULL, None */
	MG_DRIFT_NUMBER,  /* a finite decimal number */
	MG_DRIFT_TEXT,    /* anything else */
};

/* Classify s[0..len) and, for a number, parse it into *out (exactly as strtod). */
enum mg_drift_value mg_drift_parse(const char *s, size_t len, double *out);

/* --- profiles ----------------------------------------------------------------- */

enum mg_drift_type {
	MG_DRIFT_AUTO = 0, /* inferred: numeric when every non-missing value is a number */
	MG_DRIFT_NUMERIC,
	MG_DRIFT_CATEGORICAL,
};

struct mg_drift_cat {
	char *name;        /* owned */
	size_t len;        /* strlen(name) */
	uint64_t ref, cur; /* counts in the reference and the current window */
};

/* A seeded reservoir sample (algorithm L): at most `cap` of the `seen` values, uniformly. */
struct mg_drift_sample {
	double *v; /* sorted once the pass is over */
	size_t n, alloc, cap;
	uint64_t seen; /* values offered */
	uint64_t next; /* the next value (by `seen`) that enters a full reservoir */
	uint64_t rng;  /* splitmix64 state */
	double w;
};

struct mg_drift_col {
	char *name;
	enum mg_drift_type type;   /* after the reference is read: NUMERIC or CATEGORICAL */
	enum mg_drift_type forced; /* the policy's type, or AUTO */
	bool text;                 /* a non-missing value that is not a number was seen */
	bool mixed;      /* numbers, then text after the category table was full: type unknown */
	bool in_current; /* the current window has this column */
	int idx;         /* the column's position in the file being read, -1 when absent */
	/* the reference (ref_*) and the current window (cur_*) */
	uint64_t ref_rows, ref_missing, cur_rows, cur_missing;
	uint64_t ref_invalid, cur_invalid; /* text in a numeric column: counted as missing too */
	/* numeric: samples, bin edges from the reference sample, bin counts */
	struct mg_drift_sample ref, cur;
	double *edges;
	size_t nedges;
	uint64_t *ref_bins, *cur_bins; /* nedges + 1 each; cur_bins exact over the whole window */
	/* categorical: the categories (the reference's first), "other" beyond the cap */
	struct mg_drift_cat *cats;
	size_t ncats, cats_alloc;
	uint32_t *slots; /* open-addressing index into cats (+1; 0: empty) */
	size_t nslots;
	uint64_t ref_other, cur_other;
	bool cats_full; /* numbers only so far and the table full: categories no longer counted */
};

struct mg_drift_config {
	size_t reservoir;      /* values sampled per numeric column (default 20000) */
	size_t bins;           /* PSI quantile bins (default 10) */
	size_t max_categories; /* categories counted per column (default 1000), then "other" */
	uint64_t seed;         /* reservoir sampling seed (default 1) */
};

#define MG_DRIFT_CONFIG_INIT       \
	{                          \
		20000, 10, 1000, 1 \
	}

struct mg_drift_profile {
	struct mg_drift_config cfg;
	struct mg_drift_col *cols;
	size_t ncols;
	uint64_t ref_rows, cur_rows;
	char *ref_source; /* the reference file's name (as given) */
};

void mg_drift_profile_init(struct mg_drift_profile *p, const struct mg_drift_config *cfg);
void mg_drift_profile_release(struct mg_drift_profile *p);

/* Append a column named `name` (copied), nothing counted yet; returns it. */
struct mg_drift_col *mg_drift_profile_add_col(struct mg_drift_profile *p, const char *name);

/*
 * Count one value s[0..len) of categorical column `c` on the reference's
 * side (`ref`) or the current window's: a new category while fewer than
 * `max` are known, else the "other" bin.
 */
void mg_drift_count_category(struct mg_drift_col *c, size_t max, const char *s, size_t len,
                             bool ref);

/* The column named `name`, or NULL. */
struct mg_drift_col *mg_drift_profile_col(struct mg_drift_profile *p, const char *name);

/*
 * Read the reference CSV `path` into `p` (empty, just initialised). `types`
 * (may be NULL) gives a forced type per column name: called with a name,
 * it returns MG_DRIFT_AUTO to infer. Then types are settled, samples
 * sorted, bin edges and reference bin counts made.
 */
int mg_drift_read_reference(struct mg_drift_profile *p, const char *path,
                            enum mg_drift_type (*types)(void *arg, const char *name), void *arg,
                            struct mg_err *err);

/*
 * Read the current window `path` against the finished profile `p`: the
 * columns it shares with the reference are counted (exact bin counts, a
 * reservoir sample, categories), the others ignored.
 */
int mg_drift_read_current(struct mg_drift_profile *p, const char *path, struct mg_err *err);

/* The profile's JSON document (reference side only), appended to `out`. */
void mg_drift_profile_json(const struct mg_drift_profile *p, struct mg_buf *out);

/*
 * Load a profile written by mg_drift_profile_json from text[0..len): every
 * member checked (types, sizes, sorted samples and edges, counts that add
 * up); anything else is MG_EXIT_USAGE naming `what` and the member.
 */
int mg_drift_profile_parse(struct mg_drift_profile *p, const char *what, const char *text,
                           size_t len, struct mg_err *err);

/* The most bytes a profile file may have. */
#define MG_DRIFT_PROFILE_MAX ((size_t)256 * 1024 * 1024)

#endif
