/*
 * The metrics of stats.h on a sample, with row weights: every metric is a
 * function of weighted sums (counts, means) or of one sweep over each
 * model's scores sorted once, so a bootstrap replicate costs O(n) and the
 * point estimate is the same code with all weights 1. Definitions follow
 * scikit-learn (docs/compare.md, "Metrics").
 */
#include "setup.h"
#include "stats.h"
#include "alloc.h"

#include <float.h>
#include <math.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

static const struct mg_metric_info infos[MG_METRIC_COUNT] = {
        [MG_METRIC_ROC_AUC] = {"roc_auc", true, true, false, false},
        [MG_METRIC_PR_AUC] = {"pr_auc", true, true, false, false},
        [MG_METRIC_ACCURACY] = {"accuracy", true, true, false, true},
        [MG_METRIC_PRECISION] = {"precision", true, true, false, true},
        [MG_METRIC_RECALL] = {"recall", true, true, false, true},
        [MG_METRIC_F1] = {"f1", true, true, false, true},
        [MG_METRIC_LOG_LOSS] = {"log_loss", false, true, true, false},
        [MG_METRIC_BRIER] = {"brier", false, true, true, false},
        [MG_METRIC_RMSE] = {"rmse", false, false, false, false},
        [MG_METRIC_MSE] = {"mse", false, false, false, false},
        [MG_METRIC_MAE] = {"mae", false, false, false, false},
        [MG_METRIC_MAPE] = {"mape", false, false, false, false},
        [MG_METRIC_R2] = {"r2", true, false, false, false},
};

const struct mg_metric_info *mg_metric_info(enum mg_metric_kind k)
{
	return &infos[k];
}

int mg_metric_by_name(const char *name)
{
	for (int k = 0; k < MG_METRIC_COUNT; k++)
		if (!strcmp(infos[k].name, name))
			return k;
	return -1;
}

const char *mg_metric_names(void)
{
	return "roc_auc, pr_auc, accuracy, precision, recall, f1, log_loss, brier, rmse, mse, mae, "
	       "mape, r2";
}

double mg_stats_delta(enum mg_metric_kind k, double va, double vb)
{
	return infos[k].greater_is_better ? vb - va : va - vb;
}

/* --- preparation ---------------------------------------------------------------------- */

struct mg_stats_ranks {
	uint32_t *ord[2];       /* rows by ascending score; production's is NULL (the row order) */
	bool ties[2];           /* some scores tie */
	int8_t *pm[2];          /* -1 (all bits set) at the positives' sorted positions, else 0 */
	unsigned char *gend[2]; /* 1: the last position of its tie group */
	unsigned char *yg[2];   /* bit 0 the label, bit 1: the first position of its tie group */
	uint32_t *mix[2];       /* the positions in tie groups of both labels, ascending */
	size_t nmix[2];
	size_t m1; /* positives */
};

/* sort key: the score, then positives before negatives, then the row */
struct key {
	double v;
	uint32_t i;
	unsigned char neg;
};

static int by_key(const void *x, const void *y)
{
	const struct key *a = x, *b = y;

	if (a->v != b->v)
		return a->v < b->v ? -1 : 1;
	if (a->neg != b->neg)
		return a->neg < b->neg ? -1 : 1;
	return a->i < b->i ? -1 : a->i > b->i;
}

/* the positions of model m's tie groups that hold a positive and a negative */
static void list_mixed(struct mg_stats_ranks *rk, int m, size_t n)
{
	const unsigned char *yg = rk->yg[m];

	rk->mix[m] = mg_xmalloc(mg_st_mult(n ? n : 1, sizeof(uint32_t)));
	for (size_t j = 0, e; j < n; j = e) {
		size_t npos = 0;

		for (e = j; e < n && (e == j || !(yg[e] & 2)); e++)
			npos += yg[e] & 1;
		if (npos && npos < e - j)
			for (size_t i = j; i < e; i++)
				rk->mix[m][rk->nmix[m]++] = (uint32_t)i;
	}
}

static struct mg_stats_ranks *ranks_new(const struct mg_sample *s)
{
	struct mg_stats_ranks *rk = mg_xcalloc(1, sizeof(*rk));
	struct key *k = mg_xmalloc(mg_st_mult(s->n, sizeof(*k)));

	for (size_t i = 0; i < s->n; i++)
		rk->m1 += s->y[i] == 1;
	for (int m = 0; m < 2; m++) {
		const double *v = m ? s->b : s->a;

		rk->ord[m] = mg_xmalloc(mg_st_mult(s->n, sizeof(uint32_t)));
		rk->pm[m] = mg_xmalloc(s->n ? s->n : 1);
		rk->gend[m] = mg_xmalloc(s->n ? s->n : 1);
		rk->yg[m] = mg_xmalloc(s->n ? s->n : 1);
		for (size_t i = 0; i < s->n; i++) {
			k[i].v = v[i];
			k[i].i = (uint32_t)i;
			k[i].neg = s->y[i] != 1;
		}
		qsort(k, s->n, sizeof(*k), by_key);
		for (size_t j = 0; j < s->n; j++) {
			rk->ord[m][j] = k[j].i;
			rk->pm[m][j] = (int8_t) - (s->y[k[j].i] == 1);
			rk->gend[m][j] = j + 1 == s->n || k[j + 1].v != k[j].v;
			rk->ties[m] |= !rk->gend[m][j];
			rk->yg[m][j] = (unsigned char)((s->y[k[j].i] == 1) |
			                               (j == 0 || k[j - 1].v != k[j].v) << 1);
		}
		list_mixed(rk, m, s->n);
	}
	free(k);
	MG_FREE_AND_NULL(rk->ord[0]); /* the rows are in production's order already */
	return rk;
}

static void ranks_free(struct mg_stats_ranks *rk)
{
	if (!rk)
		return;
	for (int m = 0; m < 2; m++) {
		free(rk->ord[m]);
		free(rk->pm[m]);
		free(rk->gend[m]);
		free(rk->yg[m]);
		free(rk->mix[m]);
	}
	free(rk);
}

static double sq(double x)
{
	return x * x;
}

/* log loss of one row, p clipped to [eps, 1 - eps] with eps = DBL_EPSILON (scikit-learn) */
static double logloss(double y, double p)
{
	p = fmin(fmax(p, DBL_EPSILON), 1 - DBL_EPSILON);
	return -(y * log(p) + (1 - y) * log1p(-p));
}

static void prep_metric(struct mg_stats_metric *m, const struct mg_sample *s, double ymean)
{
	size_t n = s->n;

	if (infos[m->kind].thresholded) {
		m->code = mg_xmalloc(n ? n : 1);
		for (size_t i = 0; i < n; i++)
			m->code[i] =
			        (unsigned char)((s->y[i] == 1) | (s->a[i] >= m->threshold) << 1 |
			                        (s->b[i] >= m->threshold) << 2);
		return;
	}
	if (m->kind == MG_METRIC_ROC_AUC || m->kind == MG_METRIC_PR_AUC)
		return;
	m->nf = m->kind == MG_METRIC_R2 ? 4 : 2;
	for (int f = 0; f < m->nf; f++)
		m->f[f] = mg_xmalloc(mg_st_mult(n ? n : 1, sizeof(double)));
	for (size_t i = 0; i < n; i++) {
		double y = s->y[i];

		for (int f = 0; f < 2; f++) {
			double p = f ? s->b[i] : s->a[i], e = p - y, v;

			switch (m->kind) {
			case MG_METRIC_LOG_LOSS:
				v = logloss(y, p);
				break;
			case MG_METRIC_MAE:
				v = fabs(e);
				break;
			case MG_METRIC_MAPE:
				v = fabs(e) / fmax(fabs(y), DBL_EPSILON);
				break;
			default: /* brier, mse, rmse, r2 */
				v = e * e;
				break;
			}
			m->f[f][i] = v;
		}
		if (m->kind == MG_METRIC_R2) {
			m->f[2][i] =
			        y -
			        ymean; /* centred: no cancellation in the total sum of squares */
			m->f[3][i] = sq(y - ymean);
		}
	}
}

/* the sample reordered by ascending production score (ties: row order) */
static void reorder(struct mg_stats_prep *p, const struct mg_sample *s)
{
	size_t n = s->n;
	struct key *k = mg_xmalloc(mg_st_mult(n ? n : 1, sizeof(*k)));

	p->own.n = n;
	p->own.y = mg_xmalloc(mg_st_mult(n ? n : 1, sizeof(double)));
	p->own.a = mg_xmalloc(mg_st_mult(n ? n : 1, sizeof(double)));
	p->own.b = mg_xmalloc(mg_st_mult(n ? n : 1, sizeof(double)));
	p->pos = mg_xmalloc(mg_st_mult(n ? n : 1, sizeof(uint32_t)));
	for (size_t i = 0; i < n; i++) {
		k[i].v = s->a[i];
		k[i].i = (uint32_t)i;
		k[i].neg = s->y[i] != 1;
	}
	qsort(k, n, sizeof(*k), by_key);
	for (size_t j = 0; j < n; j++) {
		p->own.y[j] = s->y[k[j].i];
		p->own.a[j] = s->a[k[j].i];
		p->own.b[j] = s->b[k[j].i];
		p->pos[k[j].i] = (uint32_t)j;
	}
	free(k);
	p->s = &p->own;
}

void mg_stats_prepare(struct mg_stats_prep *p, const struct mg_sample *s,
                      const enum mg_metric_kind *kinds, const double *thresholds, size_t nm)
{
	double ymean = 0;

	memset(p, 0, sizeof(*p));
	p->s = s;
	p->nm = nm;
	p->m = mg_xcalloc(nm ? nm : 1, sizeof(*p->m));
	for (size_t i = 0; i < nm; i++)
		if ((kinds[i] == MG_METRIC_ROC_AUC || kinds[i] == MG_METRIC_PR_AUC) && !p->pos)
			reorder(p, s);
	s = p->s;
	for (size_t i = 0; i < s->n; i++)
		ymean += s->y[i];
	ymean = s->n ? ymean / (double)s->n : 0;
	for (size_t i = 0; i < nm; i++) {
		p->m[i].kind = kinds[i];
		p->m[i].threshold = thresholds ? thresholds[i] : 0.5;
		prep_metric(&p->m[i], s, ymean);
	}
	if (p->pos)
		p->rk = ranks_new(s);
}

void mg_stats_prep_release(struct mg_stats_prep *p)
{
	for (size_t i = 0; i < p->nm; i++) {
		free(p->m[i].code);
		for (int f = 0; f < 4; f++)
			free(p->m[i].f[f]);
	}
	free(p->m);
	ranks_free(p->rk);
	free(p->pos);
	free(p->own.y);
	free(p->own.a);
	free(p->own.b);
	memset(p, 0, sizeof(*p));
}

/* --- evaluation ----------------------------------------------------------------------- */

/* value of a thresholded metric from the confusion counts */
static double from_counts(enum mg_metric_kind k, double tp, double fp, double fn, double tn)
{
	switch (k) {
	case MG_METRIC_ACCURACY:
		return tp + fp + fn + tn > 0 ? (tp + tn) / (tp + fp + fn + tn) : NAN;
	case MG_METRIC_PRECISION:
		return tp + fp > 0 ? tp / (tp + fp) : NAN;
	case MG_METRIC_RECALL:
		return tp + fn > 0 ? tp / (tp + fn) : NAN;
	default: /* f1 */
		return 2 * tp + fp + fn > 0 ? 2 * tp / (2 * tp + fp + fn) : NAN;
	}
}

/* both models' values from the 8 weighted code counts */
static void hist_values(enum mg_metric_kind k, const double h[8], double *va, double *vb)
{
	for (int m = 0; m < 2; m++) {
		double c[4] = {0}; /* tp fp fn tn */
		int bit = m ? 4 : 2;

		for (int code = 0; code < 8; code++) {
			bool y = code & 1, pred = code & bit;

			c[y ? (pred ? 0 : 2) : (pred ? 1 : 3)] += h[code];
		}
		*(m ? vb : va) = from_counts(k, c[0], c[1], c[2], c[3]);
	}
}

/* both models' values from the weighted feature sums and the total weight */
static void sum_values(enum mg_metric_kind k, const double *S, double W, double *va, double *vb)
{
	for (int m = 0; m < 2; m++) {
		double v = W > 0 ? S[m] / W : NAN;

		if (k == MG_METRIC_RMSE) {
			v = sqrt(v);
		} else if (k == MG_METRIC_R2) {
			double sstot = S[3] - S[2] * S[2] / W;

			if (!(W > 0))
				v = NAN;
			else if (sstot > 0)
				v = 1 - S[m] / sstot;
			else
				v = S[m] == 0 ? 1.0 : 0.0; /* scikit-learn's force_finite */
		}
		*(m ? vb : va) = v;
	}
}

/*
 * The weights of model m in its sorted order: w itself for production (the
 * rows are in its order), else gathered into tmp (n bytes) in one tight
 * loop, whose loads overlap far better than inside a sweep.
 */
static const uint8_t *sorted_w(const struct mg_stats_ranks *rk, int m, const uint8_t *w, size_t n,
                               uint8_t *tmp)
{
	const uint32_t *ord = rk->ord[m];

	if (!ord)
		return w;
	for (size_t j = 0; j < n; j++)
		tmp[j] = w[ord[j]];
	return tmp;
}

/*
 * The strict part of auc_w's sweep 16 rows at a time with SSE2 (every x86-64
 * has it): per 8 rows, the sums of positive and negative weights (psadbw),
 * and the positives' share of the negatives before them in the 8 (a prefix
 * sum in 16-bit lanes, then pmaddwd). The same integers as the scalar loop,
 * which does the rest (and all of it without SSE2). Returns the rows done.
 * Bounds: a lane's prefix is at most 8 x 255; a 32-bit lane of acc gains at
 * most 2 x 2 x 255 x 1785 < 2^21 a step, flushed every 1024 steps.
 */
static size_t sweep_simd(const uint8_t *ws, const int8_t *pm, size_t n, uint64_t *num,
                         uint64_t *wpos, uint64_t *negbelow)
{
	size_t j = 0;
#ifdef __SSE2__
	const __m128i z = _mm_setzero_si128();
	uint64_t nb = *negbelow, nm = *num, wp_all = *wpos;

	while (j + 16 <= n) {
		__m128i acc = z;
		uint32_t a[4];

		for (int step = 0; step < 1024 && j + 16 <= n; step++, j += 16) {
			__m128i w = _mm_loadu_si128((const __m128i *)(const void *)(ws + j));
			__m128i msk = _mm_loadu_si128((const __m128i *)(const void *)(pm + j));
			__m128i wp = _mm_and_si128(w, msk), wn = _mm_xor_si128(w, wp);
			__m128i sp = _mm_sad_epu8(wp, z), sn = _mm_sad_epu8(wn, z);
			uint64_t p0 = (uint32_t)_mm_cvtsi128_si32(sp);
			uint64_t p1 = (uint32_t)_mm_cvtsi128_si32(_mm_srli_si128(sp, 8));
			uint64_t n0 = (uint32_t)_mm_cvtsi128_si32(sn);
			uint64_t n1 = (uint32_t)_mm_cvtsi128_si32(_mm_srli_si128(sn, 8));
			__m128i lo = _mm_unpacklo_epi8(wn, z), hi = _mm_unpackhi_epi8(wn, z);

			nm += nb * p0;
			nb += n0;
			nm += nb * p1;
			nb += n1;
			wp_all += p0 + p1;
			/* inclusive prefix sums of the negative weights in 8 lanes */
			lo = _mm_add_epi16(lo, _mm_slli_si128(lo, 2));
			hi = _mm_add_epi16(hi, _mm_slli_si128(hi, 2));
			lo = _mm_add_epi16(lo, _mm_slli_si128(lo, 4));
			hi = _mm_add_epi16(hi, _mm_slli_si128(hi, 4));
			lo = _mm_add_epi16(lo, _mm_slli_si128(lo, 8));
			hi = _mm_add_epi16(hi, _mm_slli_si128(hi, 8));
			acc = _mm_add_epi32(acc, _mm_madd_epi16(_mm_unpacklo_epi8(wp, z),
			                                        _mm_slli_si128(lo, 2)));
			acc = _mm_add_epi32(acc, _mm_madd_epi16(_mm_unpackhi_epi8(wp, z),
			                                        _mm_slli_si128(hi, 2)));
		}
		_mm_storeu_si128((__m128i *)(void *)a, acc);
		nm += (uint64_t)a[0] + a[1] + a[2] + a[3];
	}
	*num = nm;
	*wpos = wp_all;
	*negbelow = nb;
#else
	(void)ws, (void)pm, (void)n, (void)num, (void)wpos, (void)negbelow;
#endif
	return j;
}

/*
 * ROC AUC of model m under weights (ws in its sorted order), in exact
 * integer sums. Within a tie group positives come first, so one
 * branch-free sweep gives each positive the negatives strictly below (num);
 * a second one over the tie groups that hold both labels (mix) gives each
 * negative the positives of its own group, all before it (tied: the AUC is
 * (2 num + tied) / 2 W+ W-).
 */
static double auc_w(const struct mg_stats_ranks *rk, int m, const uint8_t *ws, size_t n)
{
	const unsigned char *yg = rk->yg[m];
	const int8_t *pm = rk->pm[m];
	const uint32_t *mix = rk->mix[m];
	uint64_t negbelow = 0, num = 0, wpos = 0, tied = 0, gp = 0;
	size_t j = sweep_simd(ws, pm, n, &num, &wpos, &negbelow);

	for (; j < n; j++) {
		uint64_t wj = ws[j], wp = wj & (uint64_t)(int64_t)pm[j];

		num += wp * negbelow;
		wpos += wp;
		negbelow += wj ^ wp;
	}
	for (size_t i = 0; i < rk->nmix[m]; i++) {
		uint64_t wj = ws[mix[i]], f = yg[mix[i]];
		uint64_t py = (uint64_t)0 - (f & 1), gs = (uint64_t)0 - (f >> 1);

		gp = (gp & ~gs) + (wj & py);
		tied += (wj & ~py) * gp;
	}
	if (!wpos || !negbelow)
		return NAN;
	return (double)(2 * num + tied) / (2.0 * (double)wpos * (double)negbelow);
}

/*
 * Average precision (scikit-learn): the sum over thresholds, high to low,
 * of (R_k - R_k-1) P_k. One branch-free sweep down the sorted order; at the
 * lowest position of each tie group (bit 1 of yg) the group's positives
 * times the precision there are added (a division per row, masked
 * elsewhere, rather than a mispredicted branch per row).
 */
static double ap_w(const struct mg_stats_ranks *rk, int m, const uint8_t *ws, size_t n)
{
	const unsigned char *yg = rk->yg[m];
	uint64_t tp = 0, fp = 0, gp = 0;
	double ap = 0;

	for (size_t j = n; j-- > 0;) {
		uint64_t wj = ws[j], f = yg[j], py = (uint64_t)0 - (f & 1);
		uint64_t e = (uint64_t)0 - (f >> 1), d;

		gp += wj & py;
		tp += wj & py;
		fp += wj & ~py;
		d = tp + fp;
		ap += (double)(gp & e) * ((double)tp / (double)(d + !d));
		gp &= ~e;
	}
	if (!tp)
		return NAN;
	return ap / (double)tp;
}

double mg_stats_eval(const struct mg_stats_prep *p, size_t i, const uint8_t *w, double *va,
                     double *vb)
{
	const struct mg_stats_metric *m = &p->m[i];
	uint8_t *tmp = NULL;
	double d;

	if (m->kind == MG_METRIC_ROC_AUC || m->kind == MG_METRIC_PR_AUC)
		tmp = mg_xmalloc(p->s->n ? p->s->n : 1);
	d = mg_stats_eval_tmp(p, i, w, tmp, va, vb);
	free(tmp);
	return d;
}

double mg_stats_eval_tmp(const struct mg_stats_prep *p, size_t i, const uint8_t *w, uint8_t *tmp,
                         double *va, double *vb)
{
	const struct mg_stats_metric *m = &p->m[i];
	size_t n = p->s->n;

	if (m->kind == MG_METRIC_ROC_AUC) {
		*va = auc_w(p->rk, 0, w, n);
		*vb = auc_w(p->rk, 1, sorted_w(p->rk, 1, w, n, tmp), n);
	} else if (m->kind == MG_METRIC_PR_AUC) {
		*va = ap_w(p->rk, 0, w, n);
		*vb = ap_w(p->rk, 1, sorted_w(p->rk, 1, w, n, tmp), n);
	} else if (m->code) {
		/* branch-free integer sums: weight, labels, each model's positives and true
		 * positives */
		uint64_t W = 0, Sy = 0, Sa = 0, Sya = 0, Sb = 0, Syb = 0;

		for (size_t j = 0; j < n; j++) {
			uint64_t wj = w[j], c = m->code[j], y = c & 1, pa = c >> 1 & 1,
			         pb = c >> 2 & 1;

			W += wj;
			Sy += wj * y;
			Sa += wj * pa;
			Sya += wj * (y & pa);
			Sb += wj * pb;
			Syb += wj * (y & pb);
		}
		*va = from_counts(m->kind, (double)Sya, (double)(Sa - Sya), (double)(Sy - Sya),
		                  (double)(W - Sy - Sa + Sya));
		*vb = from_counts(m->kind, (double)Syb, (double)(Sb - Syb), (double)(Sy - Syb),
		                  (double)(W - Sy - Sb + Syb));
		if (m->kind == MG_METRIC_ACCURACY &&
		    W) /* from the counts: equal deltas compare equal */
			return ((double)(2 * Syb + Sa) - (double)(2 * Sya + Sb)) / (double)W;
	} else {
		/* four interleaved partial sums per feature (independent chains), added in a fixed
		 * order */
		double S[4][4] = {{0}}, T[4];
		uint64_t W = 0;
		size_t j = 0;

		for (; j + 4 <= n; j += 4) {
			for (int l = 0; l < 4; l++) {
				double wj = w[j + l];

				W += w[j + l];
				for (int f = 0; f < m->nf; f++)
					S[f][l] += wj * m->f[f][j + l];
			}
		}
		for (; j < n; j++) {
			W += w[j];
			for (int f = 0; f < m->nf; f++)
				S[f][0] += (double)w[j] * m->f[f][j];
		}
		for (int f = 0; f < 4; f++)
			T[f] = (S[f][0] + S[f][1]) + (S[f][2] + S[f][3]);
		sum_values(m->kind, T, (double)W, va, vb);
	}
	return mg_stats_delta(m->kind, *va, *vb);
}

/* --- jackknife --------------------------------------------------------------------------- */

static uint8_t *ones(size_t n)
{
	uint8_t *w = mg_xmalloc(mg_st_mult(n ? n : 1, sizeof(*w)));

	for (size_t j = 0; j < n; j++)
		w[j] = 1;
	return w;
}

/* leave-one-out ROC AUC deltas from DeLong's placements */
static void jack_auc(const struct mg_stats_prep *p, double *jk)
{
	const struct mg_sample *s = p->s;
	size_t n = s->n, m1 = p->rk->m1, m0 = n - m1;
	unsigned char *y = mg_xmalloc(n ? n : 1);
	double *pa = mg_xmalloc(mg_st_mult(n ? n : 1, sizeof(double)));
	double *pb = mg_xmalloc(mg_st_mult(n ? n : 1, sizeof(double)));
	double aa, ab;

	for (size_t i = 0; i < n; i++)
		y[i] = s->y[i] == 1;
	aa = mg_auc_placements(y, s->a, n, m1, m0, pa);
	ab = mg_auc_placements(y, s->b, n, m1, m0, pb);
	for (size_t i = 0; i < n; i++) {
		double k = (double)(y[i] ? m1 : m0);

		jk[i] = ((k * ab - pb[i]) - (k * aa - pa[i])) / (k - 1);
	}
	free(y);
	free(pa);
	free(pb);
}

void mg_stats_jackknife(const struct mg_stats_prep *p, size_t i, double **jko, size_t *njk)
{
	const struct mg_stats_metric *m = &p->m[i];
	size_t n = p->s->n;
	double *jk = mg_xmalloc(mg_st_mult(n ? n : 1, sizeof(double))), va, vb;

	*njk = n;
	if (m->kind == MG_METRIC_ROC_AUC) {
		jack_auc(p, jk);
	} else if (m->code) {
		double h[8] = {0};

		for (size_t j = 0; j < n; j++)
			h[m->code[j]] += 1;
		for (size_t j = 0; j < n; j++) {
			h[m->code[j]] -= 1;
			hist_values(m->kind, h, &va, &vb);
			jk[j] = mg_stats_delta(m->kind, va, vb);
			h[m->code[j]] += 1;
		}
	} else if (m->nf) {
		double S[4] = {0}, L[4];

		for (size_t j = 0; j < n; j++)
			for (int f = 0; f < m->nf; f++)
				S[f] += m->f[f][j];
		for (size_t j = 0; j < n; j++) {
			for (int f = 0; f < m->nf; f++)
				L[f] = S[f] - m->f[f][j];
			sum_values(m->kind, L, (double)(n - 1), &va, &vb);
			jk[j] = mg_stats_delta(m->kind, va, vb);
		}
	} else { /* pr_auc: re-evaluate without each row, or each of G groups of rows */
		uint8_t *w = ones(n);
		size_t g = n > MG_STATS_JACK_EXACT ? MG_STATS_JACK_GROUPS : n;

		for (size_t k = 0; k < g; k++) {
			size_t lo = k * n / g, hi = (k + 1) * n / g;

			for (size_t j = lo; j < hi; j++)
				w[j] = 0;
			jk[k] = mg_stats_eval(p, i, w, &va, &vb);
			for (size_t j = lo; j < hi; j++)
				w[j] = 1;
		}
		*njk = g;
		free(w);
	}
	*jko = jk;
}
