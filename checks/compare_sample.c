#include "setup.h"
#include "compare_sample.h"
#include "compare.h"
#include "alloc.h"
#include "csvstream.h"
#include "fileio.h"
#include "parse.h"
#include "policy.h"
#include "stats.h"

#include <math.h>

/* --- policy ------------------------------------------------------------------------ */

static const struct mg_schema sha256_pin = {.type = MG_SCHEMA_STRING, .format = MG_FORMAT_NONEMPTY};
static const struct mg_schema_field sample_fields[] = {
        {"path", &mg_schema_nonempty_string, false},
        {"label", &mg_schema_name, true},
        {"production", &mg_schema_name, true},
        {"candidate", &mg_schema_name, true},
        {"sha256", &sha256_pin, false},
        {NULL, NULL, false},
};
const struct mg_schema mg_compare_sample_schema = {.type = MG_SCHEMA_OBJECT,
                                                   .fields = sample_fields};

static const char *const methods[] = {"bootstrap", "bca", "percentile", NULL};
static const struct mg_schema method = {.type = MG_SCHEMA_STRING, .choices = methods};
static const char *const multiples[] = {"all", "holm", NULL};
static const struct mg_schema multiple = {.type = MG_SCHEMA_STRING, .choices = multiples};
static const struct mg_schema replicates = {
        .type = MG_SCHEMA_INTEGER, .ranged = true, .min = 100, .max = 10000000};
static const struct mg_schema seed = {
        .type = MG_SCHEMA_INTEGER, .ranged = true, .min = 0, .max = 9007199254740991.0};
static const struct mg_schema confidence = {
        .type = MG_SCHEMA_NUMBER, .ranged = true, .min = 0.5, .max = 0.9999};
static const struct mg_schema fraction = {
        .type = MG_SCHEMA_NUMBER, .ranged = true, .min = 0, .max = 1};
static const struct mg_schema_field significance_fields[] = {
        {"method", &method, false},
        {"replicates", &replicates, false},
        {"seed", &seed, false},
        {"confidence", &confidence, false},
        {"multiple", &multiple, false},
        {"min_rows", &mg_schema_nonneg_integer, false},
        {"min_class", &mg_schema_nonneg_integer, false},
        {"min_discordant", &mg_schema_nonneg_integer, false},
        {"max_undefined", &fraction, false},
        {NULL, NULL, false},
};
const struct mg_schema mg_compare_significance_schema = {.type = MG_SCHEMA_OBJECT,
                                                         .fields = significance_fields};

/* --- state ------------------------------------------------------------------------------ */

struct smetric {
	const char *name;
	enum mg_metric_kind kind;
	double margin, threshold, bound; /* bound: -margin, or 0 with superiority */
	bool superiority;
	double va, vb, delta, lo, hi;
	double p_pass,
	        p_fail; /* bootstrap: P(delta* <= bound), P(delta* >= bound); Holm-adjusted */
	size_t undefined;
	const char *interval; /* "BCa", "percentile" */
	struct mg_bca bca;
	bool have_delong, have_mcnemar;
	struct mg_delong dl;
	struct mg_mcnemar mc;
	enum mg_status st;
	char why[1024];
};

struct mg_compare_sample {
	const char *path, *col[3]; /* label, production, candidate */
	const char *pin;           /* compare.sample.sha256, or NULL */
	char where[4200];
	char sha256[65];
	int idx[3]; /* 0-based columns of label, production, candidate */
	size_t cap;
	struct mg_sample s;
	uint64_t positives;
	const char *method, *multiple;
	long long B, seed, min_rows, min_class, min_discordant;
	double conf, max_undefined;
	unsigned jobs;
	struct smetric *m;
	size_t nm;
	bool inconclusive, ran;
};

static const cJSON *get(const cJSON *o, const char *k)
{
	return o ? cJSON_GetObjectItemCaseSensitive(o, k) : NULL;
}

static long long int_or(const cJSON *o, const char *k, long long def)
{
	const cJSON *v = get(o, k);

	return cJSON_IsNumber(v) ? (long long)v->valuedouble : def;
}

static double num_or(const cJSON *o, const char *k, double def)
{
	const cJSON *v = get(o, k);

	return cJSON_IsNumber(v) ? v->valuedouble : def;
}

static int load_metrics(struct mg_compare_sample *cs, const cJSON *pol, struct mg_err *err)
{
	const cJSON *arr = get(pol, "metrics"), *e;
	size_t i = 0;

	cs->nm = (size_t)cJSON_GetArraySize(arr);
	cs->m = mg_xcalloc(cs->nm ? cs->nm : 1, sizeof(*cs->m));
	cJSON_ArrayForEach(e, arr)
	{
		struct smetric *m = &cs->m[i];
		int k = mg_metric_by_name(mg_json_str(e, "name"));

		m->name = mg_json_str(e, "name");
		if (k < 0)
			return mg_err_set(
			        err, MG_EXIT_USAGE,
			        "%s: compare.metrics[%zu].name: '%s' cannot be computed on "
			        "compare.sample: expected one of %s",
			        cs->where, i, m->name, mg_metric_names());
		m->kind = (enum mg_metric_kind)k;
		if (cJSON_IsTrue(get(e, "greater_is_better")) !=
		    mg_metric_info(m->kind)->greater_is_better)
			return mg_err_set(err, MG_EXIT_USAGE,
			                  "%s: compare.metrics[%zu].greater_is_better: %s is %s is "
			                  "better",
			                  cs->where, i, m->name,
			                  mg_metric_info(m->kind)->greater_is_better ? "higher"
			                                                             : "lower");
		m->margin = num_or(e, "non_inferiority_margin", 0);
		if (!(m->margin >= 0))
			return mg_err_set(
			        err, MG_EXIT_USAGE,
			        "%s: compare.metrics[%zu].non_inferiority_margin: must be 0 "
			        "or more",
			        cs->where, i);
		m->superiority = cJSON_IsTrue(get(e, "superiority"));
		m->bound = m->superiority ? 0 : -m->margin;
		m->threshold = num_or(e, "decision_threshold", 0.5);
		if (get(e, "decision_threshold") && !mg_metric_info(m->kind)->thresholded)
			return mg_err_set(
			        err, MG_EXIT_USAGE,
			        "%s: compare.metrics[%zu].decision_threshold: %s uses no "
			        "decision threshold (accuracy, precision, recall and f1 do)",
			        cs->where, i, m->name);
		i++;
	}
	return 0;
}

/* --- the sample file ----------------------------------------------------------------------- */

static int on_row(void *arg, uint64_t row, const struct mg_csv_field *f, size_t n,
                  struct mg_err *err)
{
	struct mg_compare_sample *cs = arg;
	double v[3];

	if (row == 1) {
		for (int c = 0; c < 3; c++) {
			cs->idx[c] = -1;
			for (size_t j = 0; j < n; j++) {
				if (strcmp(f[j].s, cs->col[c]))
					continue;
				if (cs->idx[c] >= 0)
					return mg_err_set(
					        err, MG_EXIT_USAGE,
					        "sample '%s': row 1: column '%s' appears twice",
					        cs->path, cs->col[c]);
				cs->idx[c] = (int)j;
			}
			if (cs->idx[c] < 0)
				return mg_err_set(
				        err, MG_EXIT_USAGE,
				        "sample '%s': row 1: no column '%s' (compare.sample.%s)",
				        cs->path, cs->col[c],
				        c == 0   ? "label"
				        : c == 1 ? "production"
				                 : "candidate");
		}
		return 0;
	}
	for (int c = 0; c < 3; c++) {
		const char *s = f[cs->idx[c]].s;
		struct mg_err why = MG_ERR_INIT; /* the row and column say it better */

		/* a decimal number as pandas reads it: not hexadecimal, no leading blanks */
		if (mg_parse_double("", s, &v[c], &why) || !isfinite(v[c]))
			return mg_err_set(err, MG_EXIT_USAGE,
			                  "sample '%s': row %llu, column %d ('%s'): not a finite "
			                  "number: '%.40s'",
			                  cs->path, (unsigned long long)row, cs->idx[c] + 1,
			                  cs->col[c], s);
	}
	if (cs->s.n == cs->cap) {
		if (cs->s.n >= UINT32_MAX / 2)
			return mg_err_set(err, MG_EXIT_USAGE, "sample '%s': more than %u rows",
			                  cs->path, UINT32_MAX / 2);
		cs->cap = cs->cap ? cs->cap * 2 : 4096;
		cs->s.y = mg_xrealloc(cs->s.y, mg_st_mult(cs->cap, sizeof(double)));
		cs->s.a = mg_xrealloc(cs->s.a, mg_st_mult(cs->cap, sizeof(double)));
		cs->s.b = mg_xrealloc(cs->s.b, mg_st_mult(cs->cap, sizeof(double)));
	}
	cs->s.y[cs->s.n] = v[0];
	cs->s.a[cs->s.n] = v[1];
	cs->s.b[cs->s.n] = v[2];
	cs->s.n++;
	return 0;
}

/* What the metrics need of the values: 0/1 labels, both classes, probabilities. */
static int check_values(struct mg_compare_sample *cs, struct mg_err *err)
{
	bool cls = false, prob = false, reg_r2 = false;

	for (size_t i = 0; i < cs->nm; i++) {
		cls |= mg_metric_info(cs->m[i].kind)->classification;
		prob |= mg_metric_info(cs->m[i].kind)->probability;
		reg_r2 |= cs->m[i].kind == MG_METRIC_R2;
	}
	for (size_t r = 0; r < cs->s.n; r++) {
		unsigned long long row = (unsigned long long)r + 2;

		if (cls && cs->s.y[r] != 0 && cs->s.y[r] != 1)
			return mg_err_set(
			        err, MG_EXIT_USAGE,
			        "sample '%s': row %llu, column %d ('%s'): label %.17g is not "
			        "0 or 1 (%s needs a binary label)",
			        cs->path, row, cs->idx[0] + 1, cs->col[0], cs->s.y[r],
			        "a classification metric");
		for (int c = 1; prob && c < 3; c++) {
			double v = c == 1 ? cs->s.a[r] : cs->s.b[r];

			if (v < 0 || v > 1)
				return mg_err_set(
				        err, MG_EXIT_USAGE,
				        "sample '%s': row %llu, column %d ('%s'): %.17g is not "
				        "a probability in [0, 1] (log_loss and brier need "
				        "one)",
				        cs->path, row, cs->idx[c] + 1, cs->col[c], v);
		}
		cs->positives += cs->s.y[r] == 1;
	}
	if (!cs->s.n)
		return mg_err_set(err, MG_EXIT_USAGE, "sample '%s': no rows after the header",
		                  cs->path);
	if ((cls || reg_r2) && cs->s.n > 1) {
		size_t r = 1;

		while (r < cs->s.n && cs->s.y[r] == cs->s.y[0])
			r++;
		if (r == cs->s.n)
			return mg_err_set(
			        err, MG_EXIT_USAGE,
			        "sample '%s': column %d ('%s'): the label is %.17g on every "
			        "row (rows 2 to %zu): nothing to compare on",
			        cs->path, cs->idx[0] + 1, cs->col[0], cs->s.y[0], cs->s.n + 1);
	}
	return 0;
}

#define SAMPLE_MAX_BYTES ((size_t)2 * 1024 * 1024 * 1024)

/* The policy's settings into a new state; the path is --sample's or compare.sample.path. */
static int init(const cJSON *pol, const char *where, const char *path, unsigned jobs,
                struct mg_compare_sample **out, struct mg_err *err)
{
	struct mg_compare_sample *cs = mg_xcalloc(1, sizeof(*cs));
	const cJSON *smp = get(pol, "sample"), *sig = get(pol, "significance");

	*out = cs;
	snprintf(cs->where, sizeof(cs->where), "%s", where);
	cs->jobs = jobs ? jobs : 1;
	cs->path = path ? path : get(smp, "path") ? mg_json_str(smp, "path") : NULL;
	cs->col[0] = mg_json_str(smp, "label");
	cs->col[1] = mg_json_str(smp, "production");
	cs->col[2] = mg_json_str(smp, "candidate");
	cs->pin = get(smp, "sha256") ? mg_json_str(smp, "sha256") : NULL;
	cs->method = get(sig, "method") ? mg_json_str(sig, "method") : "bootstrap";
	cs->multiple = get(sig, "multiple") ? mg_json_str(sig, "multiple") : "all";
	cs->B = int_or(sig, "replicates", 10000);
	cs->seed = int_or(sig, "seed", 1);
	cs->conf = num_or(sig, "confidence", 0.95);
	cs->min_rows = int_or(sig, "min_rows", 30);
	cs->min_class = int_or(sig, "min_class", 10);
	cs->min_discordant = int_or(sig, "min_discordant", 6);
	cs->max_undefined = num_or(sig, "max_undefined", 0.01);
	if (!smp)
		return mg_err_set(
		        err, MG_EXIT_USAGE,
		        "%s: compare: --sample needs compare.sample (its label, production "
		        "and candidate columns)",
		        where);
	if (!cs->path)
		return mg_err_set(err, MG_EXIT_USAGE,
		                  "%s: compare.sample.path: no sample file (give it here or with "
		                  "--sample FILE)",
		                  where);
	if (cs->pin && (strlen(cs->pin) != 64 || strspn(cs->pin, "0123456789abcdef") != 64))
		return mg_err_set(err, MG_EXIT_USAGE,
		                  "%s: compare.sample.sha256: expected 64 lowercase hexadecimal "
		                  "digits (as sha256sum prints them)",
		                  where);
	return load_metrics(cs, pol, err);
}

/* The file's bytes: digest, pin, rows, values. */
static int parse(struct mg_compare_sample *cs, const char *data, size_t len, struct mg_err *err)
{
	mg_sha256_hex(data, len, cs->sha256);
	if (cs->pin && strcmp(cs->pin, cs->sha256))
		return mg_err_set(err, MG_EXIT_USAGE,
		                  "sample '%s': SHA-256 %s differs from the pinned "
		                  "compare.sample.sha256 %.64s: not the pinned evaluation sample",
		                  cs->path, cs->sha256, cs->pin);
	if (mg_csv_read_mem(cs->path, data, len, NULL, on_row, cs, NULL, err))
		return -1;
	return check_values(cs, err);
}

int mg_compare_sample_load(const cJSON *pol, const char *where, const char *path_override,
                           unsigned jobs, struct mg_compare_sample **out, struct mg_err *err)
{
	struct mg_buf data = MG_BUF_INIT(SAMPLE_MAX_BYTES);
	int ret = -1;

	/* read once: the digest is of exactly the bytes parsed */
	if (!init(pol, where, path_override, jobs, out, err)) {
		if (mg_file_read((*out)->path, &data, err))
			mg_err_set(err, MG_EXIT_USAGE, "cannot read sample '%s'", (*out)->path);
		else
			ret = parse(*out, data.buf, data.len, err);
	}
	mg_buf_release(&data);
	return ret;
}

int mg_compare_sample_load_mem(const cJSON *pol, const char *name, const char *data, size_t len,
                               struct mg_compare_sample **out, struct mg_err *err)
{
	if (init(pol, "policy", name, 1, out, err))
		return -1;
	return parse(*out, data, len, err);
}

/* --- computation -------------------------------------------------------------------------- */

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return a < b ? -1 : a > b;
}

/* A precondition the sample fails for metric m, or NULL. */
static void precondition(const struct mg_compare_sample *cs, struct smetric *m, char *out, size_t n)
{
	uint64_t neg = cs->s.n - cs->positives;

	out[0] = 0;
	if ((long long)cs->s.n < cs->min_rows)
		snprintf(out, n, "%zu rows, fewer than significance.min_rows %lld", cs->s.n,
		         cs->min_rows);
	else if (mg_metric_info(m->kind)->classification &&
	         ((long long)cs->positives < cs->min_class || (long long)neg < cs->min_class))
		snprintf(out, n,
		         "%llu positives and %llu negatives: fewer than significance.min_class "
		         "%lld of a class",
		         (unsigned long long)cs->positives, (unsigned long long)neg, cs->min_class);
	else if (m->have_mcnemar && m->superiority &&
	         (long long)(m->mc.b + m->mc.c) < cs->min_discordant)
		snprintf(out, n,
		         "%llu discordant rows (the models disagree on correctness), fewer than "
		         "significance.min_discordant %lld",
		         (unsigned long long)(m->mc.b + m->mc.c), cs->min_discordant);
}

/* McNemar's counts at the metric's decision threshold */
static void mcnemar_of(const struct mg_compare_sample *cs, struct smetric *m)
{
	uint64_t b = 0, c = 0;

	for (size_t r = 0; r < cs->s.n; r++) {
		bool y = cs->s.y[r] == 1, ra = (cs->s.a[r] >= m->threshold) == y,
		     rb = (cs->s.b[r] >= m->threshold) == y;

		b += ra && !rb;
		c += !ra && rb;
	}
	mg_mcnemar(b, c, &m->mc);
	m->have_mcnemar = true;
}

/* interval, bootstrap p-values and the undefined count of metric i from its replicates */
static void interval(struct mg_compare_sample *cs, const struct mg_stats_prep *p, size_t i,
                     double *reps)
{
	struct smetric *m = &cs->m[i];
	size_t d = 0, le = 0, ge = 0;
	double *jk;
	size_t njk;

	for (size_t r = 0; r < (size_t)cs->B; r++)
		if (!isnan(reps[r]))
			reps[d++] = reps[r];
	m->undefined = (size_t)cs->B - d;
	qsort(reps, d, sizeof(double), cmp_double);
	for (size_t r = 0; r < d; r++) {
		le += reps[r] <= m->bound;
		ge += reps[r] >= m->bound;
	}
	m->p_pass = d ? (double)le / (double)d : 1;
	m->p_fail = d ? (double)ge / (double)d : 1;
	m->lo = mg_quantile7(reps, d, (1 - cs->conf) / 2);
	m->hi = mg_quantile7(reps, d, 1 - (1 - cs->conf) / 2);
	m->interval = "percentile";
	if (strcmp(cs->method, "percentile") && d) {
		mg_stats_jackknife(p, i, &jk, &njk);
		if (!mg_bca_interval(reps, d, m->delta, mg_accel(jk, njk), cs->conf, &m->bca)) {
			m->interval = "BCa";
			m->lo = m->bca.lo;
			m->hi = m->bca.hi;
		} else {
			m->interval = "BCa (undefined)";
			m->lo = m->hi = NAN;
		}
		free(jk);
	}
}

static void num(struct mg_buf *b, double v)
{
	mg_buf_addf(b, "%.6g", v);
}

static void signed_num(struct mg_buf *b, double v)
{
	mg_buf_addf(b, "%s%.6g", v > 0 ? "+" : "", v);
}

/* the decision of metric m, its reason in m->why */
static void decide(struct mg_compare_sample *cs, struct smetric *m, bool holm, double alpha)
{
	struct mg_buf w = MG_BUF_INIT(sizeof(m->why) - 1);
	char pre[300];
	double half = (m->hi - m->lo) / 2;

	precondition(cs, m, pre, sizeof(pre));
	mg_buf_adds(&w, "production ");
	num(&w, m->va);
	mg_buf_adds(&w, ", candidate ");
	num(&w, m->vb);
	mg_buf_adds(&w, ", improvement ");
	signed_num(&w, m->delta);
	mg_buf_addf(&w, " (%s is better), %g%% %s [",
	            mg_metric_info(m->kind)->greater_is_better ? "higher" : "lower", cs->conf * 100,
	            m->interval);
	signed_num(&w, m->lo);
	mg_buf_adds(&w, ", ");
	signed_num(&w, m->hi);
	mg_buf_addf(&w, "] (B %lld, seed %lld)", cs->B, cs->seed);
	if (m->superiority)
		mg_buf_adds(&w, ", superiority required");
	else
		mg_buf_addf(&w, ", margin %g", m->margin);
	if (holm)
		mg_buf_addf(&w, ", Holm-adjusted p %.4g", m->p_pass);
	mg_buf_adds(&w, ": ");
	if (pre[0]) {
		m->st = MG_STATUS_SKIPPED;
		mg_buf_addf(&w, "inconclusive: %s", pre);
	} else if (isnan(m->va) || isnan(m->vb)) {
		m->st = MG_STATUS_SKIPPED;
		mg_buf_adds(&w, "inconclusive: the metric is undefined on the sample");
	} else if ((double)m->undefined > cs->max_undefined * (double)cs->B) {
		m->st = MG_STATUS_SKIPPED;
		mg_buf_addf(&w,
		            "inconclusive: %zu of %lld replicates undefined (more than "
		            "significance.max_undefined %g)",
		            m->undefined, cs->B, cs->max_undefined);
	} else if (isnan(m->lo) || isnan(m->hi)) {
		m->st = MG_STATUS_SKIPPED;
		mg_buf_adds(&w, "inconclusive: the interval cannot be computed (every replicate "
		                "on one side of the estimate)");
	} else if (holm ? m->p_pass <= alpha : m->lo > m->bound) {
		m->st = MG_STATUS_PASSED;
		mg_buf_adds(&w, m->lo > 0 ? "superior (interval above 0)"
		                          : "non-inferior (interval above -margin)");
	} else if (holm ? m->p_fail <= alpha : m->hi < m->bound) {
		m->st = MG_STATUS_FAILED;
		mg_buf_adds(&w, m->superiority
		                        ? (m->hi < -m->margin ? "inferior"
		                                              : "not superior (interval below 0)")
		                        : "inferior (interval below -margin)");
	} else {
		m->st = MG_STATUS_SKIPPED;
		mg_buf_addf(&w, "inconclusive: the interval contains %s",
		            m->superiority ? "0" : "-margin");
	}
	if (isfinite(half) && half > 0) {
		double gap = m->superiority ? 0 : m->margin;

		mg_buf_addf(&w,
		            "; half-width %.3g: only a difference beyond %.3g of the bound is "
		            "detectable",
		            half, half);
		if (gap > 0 && m->st == MG_STATUS_SKIPPED)
			mg_buf_addf(&w, ", about %.0f rows would resolve a zero difference",
			            ceil((double)cs->s.n * (half / gap) * (half / gap)));
	}
	if (m->have_delong)
		mg_buf_addf(&w, "; DeLong [%+.4g, %+.4g] p %.3g", m->dl.lo, m->dl.hi, m->dl.p_two);
	if (m->have_mcnemar)
		mg_buf_addf(&w, "; McNemar exact p %.3g (%llu vs %llu discordant)", m->mc.p_exact,
		            (unsigned long long)m->mc.c, (unsigned long long)m->mc.b);
	snprintf(m->why, sizeof(m->why), "%s", w.buf);
	mg_buf_release(&w);
	cs->inconclusive |= m->st == MG_STATUS_SKIPPED;
}

int mg_compare_sample_run(struct mg_compare_sample *cs, struct mg_err *err)
{
	enum mg_metric_kind *kinds = mg_xcalloc(cs->nm ? cs->nm : 1, sizeof(*kinds));
	double *thr = mg_xcalloc(cs->nm ? cs->nm : 1, sizeof(*thr));
	double **reps = mg_xcalloc(cs->nm ? cs->nm : 1, sizeof(*reps));
	uint8_t *ones = mg_xmalloc(cs->s.n);
	unsigned char *y = NULL;
	struct mg_stats_prep p;
	bool holm = !strcmp(cs->multiple, "holm");
	int ret = -1;

	for (size_t i = 0; i < cs->nm; i++) {
		kinds[i] = cs->m[i].kind;
		thr[i] = cs->m[i].threshold;
		reps[i] = mg_xmalloc(mg_st_mult((size_t)cs->B, sizeof(double)));
	}
	memset(ones, 1, cs->s.n);
	mg_stats_prepare(&p, &cs->s, kinds, thr, cs->nm);
	for (size_t i = 0; i < cs->nm; i++) {
		struct smetric *m = &cs->m[i];

		m->delta = mg_stats_eval(&p, i, ones, &m->va, &m->vb);
		if (m->kind == MG_METRIC_ROC_AUC) {
			if (!y) {
				y = mg_xmalloc(cs->s.n);
				for (size_t r = 0; r < cs->s.n; r++)
					y[r] = cs->s.y[r] == 1;
			}
			m->have_delong = !mg_delong(y, cs->s.a, cs->s.b, cs->s.n, cs->conf, &m->dl);
		}
		if (m->kind == MG_METRIC_ACCURACY)
			mcnemar_of(cs, m);
	}
	if (mg_stats_bootstrap(&p, (size_t)cs->B, (uint64_t)cs->seed, cs->jobs, reps, err))
		goto done;
	for (size_t i = 0; i < cs->nm; i++)
		interval(cs, &p, i, reps[i]);
	if (holm && cs->nm) {
		double *pp = mg_xcalloc(cs->nm, sizeof(double)),
		       *adj = mg_xcalloc(cs->nm, sizeof(double));

		for (size_t i = 0; i < cs->nm; i++)
			pp[i] = cs->m[i].p_pass;
		mg_holm(pp, cs->nm, adj);
		for (size_t i = 0; i < cs->nm; i++) {
			cs->m[i].p_pass = adj[i];
			pp[i] = cs->m[i].p_fail;
		}
		mg_holm(pp, cs->nm, adj);
		for (size_t i = 0; i < cs->nm; i++)
			cs->m[i].p_fail = adj[i];
		free(pp);
		free(adj);
	}
	for (size_t i = 0; i < cs->nm; i++)
		decide(cs, &cs->m[i], holm, (1 - cs->conf) / 2);
	cs->ran = true;
	ret = 0;
done:
	for (size_t i = 0; i < cs->nm; i++)
		free(reps[i]);
	free(reps);
	free(kinds);
	free(thr);
	free(ones);
	free(y);
	mg_stats_prep_release(&p);
	return ret;
}

enum mg_status mg_compare_sample_metric(const struct mg_compare_sample *cs, size_t i, double *prod,
                                        double *cand, struct mg_buf *why)
{
	const struct smetric *m = &cs->m[i];

	*prod = m->va;
	*cand = m->vb;
	mg_buf_adds(why, m->why);
	return m->st;
}

bool mg_compare_sample_inconclusive(const struct mg_compare_sample *cs)
{
	return cs && cs->ran && cs->inconclusive;
}

/* --- evidence ------------------------------------------------------------------------------ */

static const char *decision(const struct smetric *m)
{
	if (m->st == MG_STATUS_PASSED)
		return m->lo > 0 ? "superior" : "non_inferior";
	if (m->st == MG_STATUS_FAILED)
		return m->hi < -m->margin ? "inferior" : "not_superior";
	return "inconclusive";
}

static void prop_num(struct mg_suite *s, const char *metric, const char *key, double v)
{
	char name[256], val[64];

	snprintf(name, sizeof(name), "mlgate.compare.%s.%s", metric, key);
	snprintf(val, sizeof(val), "%.17g", v);
	mg_suite_set_prop(s, name, val);
}

void mg_compare_sample_props(const struct mg_compare_sample *cs, struct mg_suite *s)
{
	char v[64];

	if (!cs)
		return;
	mg_suite_set_prop(s, "mlgate.compare.sample.path", cs->path);
	if (cs->sha256[0])
		mg_suite_set_prop(s, "mlgate.compare.sample.sha256", cs->sha256);
	if (!cs->ran)
		return;
	snprintf(v, sizeof(v), "%zu", cs->s.n);
	mg_suite_set_prop(s, "mlgate.compare.sample.rows", v);
	mg_suite_set_prop(s, "mlgate.compare.significance.method", cs->method);
	snprintf(v, sizeof(v), "%lld", cs->B);
	mg_suite_set_prop(s, "mlgate.compare.significance.replicates", v);
	snprintf(v, sizeof(v), "%lld", cs->seed);
	mg_suite_set_prop(s, "mlgate.compare.significance.seed", v);
	snprintf(v, sizeof(v), "%g", cs->conf);
	mg_suite_set_prop(s, "mlgate.compare.significance.confidence", v);
	mg_suite_set_prop(s, "mlgate.compare.significance.multiple", cs->multiple);
	for (size_t i = 0; i < cs->nm; i++) {
		const struct smetric *m = &cs->m[i];
		char name[256];

		prop_num(s, m->name, "production", m->va);
		prop_num(s, m->name, "candidate", m->vb);
		prop_num(s, m->name, "delta", m->delta);
		prop_num(s, m->name, "ci_low", m->lo);
		prop_num(s, m->name, "ci_high", m->hi);
		prop_num(s, m->name, "margin", m->margin);
		snprintf(name, sizeof(name), "mlgate.compare.%s.method", m->name);
		mg_suite_set_prop(s, name, m->interval);
		snprintf(name, sizeof(name), "mlgate.compare.%s.decision", m->name);
		mg_suite_set_prop(s, name, decision(m));
	}
}

void mg_compare_sample_json(const struct mg_compare_sample *cs, cJSON *compare)
{
	cJSON *o;

	if (!cs)
		return;
	o = cJSON_AddObjectToObject(compare, "sample");
	cJSON_AddStringToObject(o, "path", cs->path);
	cJSON_AddStringToObject(o, "sha256", cs->sha256);
	if (cs->pin)
		cJSON_AddStringToObject(o, "pinned_sha256", cs->pin);
	cJSON_AddNumberToObject(o, "rows", (double)cs->s.n);
	cJSON_AddNumberToObject(o, "positives", (double)cs->positives);
	cJSON_AddStringToObject(o, "label", cs->col[0]);
	cJSON_AddStringToObject(o, "production", cs->col[1]);
	cJSON_AddStringToObject(o, "candidate", cs->col[2]);
	o = cJSON_AddObjectToObject(compare, "significance");
	cJSON_AddStringToObject(o, "method", cs->method);
	cJSON_AddNumberToObject(o, "replicates", (double)cs->B);
	cJSON_AddNumberToObject(o, "seed", (double)cs->seed);
	cJSON_AddNumberToObject(o, "confidence", cs->conf);
	cJSON_AddStringToObject(o, "multiple", cs->multiple);
	cJSON_AddStringToObject(o, "generator", "xoshiro256** seeded by SplitMix64, per replicate");
	cJSON_AddStringToObject(o, "quantile", "linear interpolation (type 7)");
}

void mg_compare_sample_json_metric(const struct mg_compare_sample *cs, size_t i, cJSON *metric)
{
	const struct smetric *m;
	cJSON *o, *x;

	if (!cs || !cs->ran || i >= cs->nm)
		return;
	m = &cs->m[i];
	/* the interval of candidate - production (the metric's "delta"), for the HTML report */
	if (mg_metric_info(m->kind)->greater_is_better) {
		mg_json_add_double(metric, "delta_ci_low", m->lo);
		mg_json_add_double(metric, "delta_ci_high", m->hi);
	} else {
		mg_json_add_double(metric, "delta_ci_low", -m->hi);
		mg_json_add_double(metric, "delta_ci_high", -m->lo);
	}
	o = cJSON_AddObjectToObject(metric, "statistics");
	mg_json_add_double(o, "delta", m->delta);
	mg_json_add_double(o, "ci_low", m->lo);
	mg_json_add_double(o, "ci_high", m->hi);
	cJSON_AddStringToObject(o, "method", m->interval);
	cJSON_AddNumberToObject(o, "replicates", (double)cs->B);
	cJSON_AddNumberToObject(o, "undefined_replicates", (double)m->undefined);
	cJSON_AddNumberToObject(o, "seed", (double)cs->seed);
	mg_json_add_double(o, "margin", m->margin);
	cJSON_AddBoolToObject(o, "superiority", m->superiority);
	mg_json_add_double(o, "p_pass", m->p_pass);
	cJSON_AddStringToObject(o, "decision", decision(m));
	if (mg_metric_info(m->kind)->thresholded)
		mg_json_add_double(o, "decision_threshold", m->threshold);
	if (m->have_delong) {
		x = cJSON_AddObjectToObject(o, "delong");
		mg_json_add_double(x, "delta", m->dl.delta);
		mg_json_add_double(x, "se", m->dl.se);
		mg_json_add_double(x, "z", m->dl.z);
		mg_json_add_double(x, "p", m->dl.p_two);
		mg_json_add_double(x, "ci_low", m->dl.lo);
		mg_json_add_double(x, "ci_high", m->dl.hi);
	}
	if (m->have_mcnemar) {
		x = cJSON_AddObjectToObject(o, "mcnemar");
		cJSON_AddNumberToObject(x, "production_only_correct", (double)m->mc.b);
		cJSON_AddNumberToObject(x, "candidate_only_correct", (double)m->mc.c);
		mg_json_add_double(x, "p_exact", m->mc.p_exact);
	}
}

void mg_compare_sample_md(const struct mg_compare_sample *cs, struct mg_md *md)
{
	const char *head[] = {"metric",   "production", "candidate", "improvement",
	                      "interval", "bound",      "decision"};
	struct mg_buf t = MG_BUF_INIT(MG_BUF_SMALL);

	if (!cs || !cs->ran)
		return;
	mg_md_heading(md, 3, "On the pinned sample");
	mg_buf_addf(&t,
	            "Sample %s: %zu rows, SHA-256 %s. Paired bootstrap, %lld replicates, seed "
	            "%lld, %g%% %s intervals; improvement > 0 means the candidate is better; "
	            "multiple metrics: %s.",
	            cs->path, cs->s.n, cs->sha256, cs->B, cs->seed, cs->conf * 100,
	            strcmp(cs->method, "percentile") ? "BCa" : "percentile", cs->multiple);
	mg_md_para(md, t.buf);
	mg_md_table_head(md, 7, head);
	for (size_t i = 0; i < cs->nm; i++) {
		const struct smetric *m = &cs->m[i];
		char c[5][64];
		const char *row[7];

		snprintf(c[0], sizeof(c[0]), "%.6g", m->va);
		snprintf(c[1], sizeof(c[1]), "%.6g", m->vb);
		snprintf(c[2], sizeof(c[2]), "%+.6g", m->delta);
		snprintf(c[3], sizeof(c[3]), "[%+.4g, %+.4g]", m->lo, m->hi);
		snprintf(c[4], sizeof(c[4]), "%+g", m->bound);
		row[0] = m->name;
		row[1] = c[0];
		row[2] = c[1];
		row[3] = c[2];
		row[4] = c[3];
		row[5] = c[4];
		row[6] = decision(m);
		mg_md_table_row(md, 7, row);
	}
	mg_buf_release(&t);
}

void mg_compare_sample_free(struct mg_compare_sample *cs)
{
	if (!cs)
		return;
	free(cs->s.y);
	free(cs->s.a);
	free(cs->s.b);
	free(cs->m);
	free(cs);
}
