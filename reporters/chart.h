/*
 * chart: the small SVG chart module of the HTML report (html.h). Written
 * here rather than taken from a library: no maintained C chart library
 * writes accessible, deterministic SVG (docs/reporters.md says more).
 *
 * What every chart does:
 * - axes with nice ticks (steps of 1, 2 or 5 times a power of ten), a
 *   zero line whenever the range spans zero;
 * - labels that never overlap: category labels are truncated (full text
 *   in a <title>), rotated when they do not fit side by side, and thinned
 *   (every k-th, the last always kept) when even rotated they do not;
 * - role="img" with a <title> and <desc> that say in words what the chart
 *   shows, values that are not numbers (NaN) skipped and said;
 * - the Okabe-Ito palette through CSS classes (mg-pass, mg-fail, ...)
 *   whose colours the page defines as CSS variables, light and dark
 *   (prefers-color-scheme); meaning is carried by shapes and text labels
 *   too, never by colour alone;
 * - deterministic text: numbers in the C locale, coordinates with one
 *   decimal; every string from outside cleaned (mg_result_clean) and
 *   escaped for HTML/SVG (mg_chart_escape).
 *
 * The SVG is appended to a caller's buffer (bounded: check
 * mg_buf_overflowed once); nothing here fails otherwise.
 */
#ifndef MG_CHART_H
#define MG_CHART_H

#include "setup.h"
#include "buf.h"
#include "secrets.h"

/* Ticks of one axis: lo, lo + step, ..., hi (n of them, n >= 2). */
struct mg_chart_ticks {
	double lo, hi, step;
	size_t n;
	int decimals; /* digits after the point that tell the ticks apart */
};

/*
 * Nice ticks covering [min, max] with about `target` (>= 2) of them;
 * `with_zero` stretches the range to include 0 (bars). A single value
 * (min == max) gets a range around it. NaN and infinite bounds: -1.
 */
int mg_chart_nice_ticks(double min, double max, size_t target, bool with_zero,
                        struct mg_chart_ticks *t);

/* Tick i (0 <= i < t->n), and its label ("0.95", "-2", "0"; never "-0"). */
double mg_chart_tick(const struct mg_chart_ticks *t, size_t i);
#define MG_CHART_NUM_LEN 40
char *mg_chart_tick_label(const struct mg_chart_ticks *t, size_t i, char out[MG_CHART_NUM_LEN]);

/* A value for people: %.4g in the C locale ("0.934", "-0.032", "1.2e+06"), "n/a" for NaN. */
char *mg_chart_num(double v, char out[MG_CHART_NUM_LEN]);

/*
 * How labels of a category axis fit in `width` pixels for `n` categories
 * with labels of at most `chars` characters: horizontal (rotate false) or
 * rotated, and `step`, show every step-th label (1: all). The last label
 * is always shown; the one before it is dropped when it would be too close.
 */
struct mg_chart_labels {
	bool rotate;
	size_t step;
};
void mg_chart_fit_labels(size_t n, double width, size_t chars, struct mg_chart_labels *fit);
/* Whether label i of n is shown under `fit`. */
bool mg_chart_label_shown(const struct mg_chart_labels *fit, size_t i, size_t n);

/* Longest label drawn, in characters; longer ones are cut with an ellipsis. */
#define MG_CHART_LABEL_CHARS 12

/* Append `s` cleaned (mg_result_clean, capped at `cap`) and escaped for HTML text/attributes. */
void mg_chart_escape(struct mg_buf *out, const char *s, size_t cap,
                     const struct mg_secrets *secrets);

/*
 * Candidate against production for one metric, on one horizontal number
 * line: production (hollow circle), candidate (filled diamond, pass or fail
 * colour), an arrow between them with the delta, the threshold (dashed
 * line), the tolerated-regression band (shaded: where the candidate may
 * fall without failing), and intervals (whiskers) when known. Any value
 * may be NaN (absent): it is not drawn and the <desc> says so.
 */
struct mg_chart_compare {
	const char *id;          /* unique in the page, [a-z0-9-] (not cleaned) */
	const char *metric;      /* untrusted */
	double candidate;        /* */
	double baseline;         /* production; NaN for none (first deployment) */
	double threshold;        /* NaN for none */
	double band_lo, band_hi; /* tolerated band; NaN for none */
	double cand_lo, cand_hi; /* candidate interval; NaN for none */
	double base_lo, base_hi; /* production interval; NaN for none */
	int direction;           /* 1 higher is better, -1 lower is better, 0 unknown */
	const char *verdict;     /* passed, failed, skipped, error */
	const struct mg_secrets *secrets;
};
void mg_chart_compare_svg(const struct mg_chart_compare *c, struct mg_buf *out);

/*
 * The same comparison as text, for Markdown summaries that cannot show SVG
 * (the GitHub step summary): a fenced code block with, per metric, a bar for
 * production and one for the candidate on the metric's own axis (nice ticks
 * over both values and the threshold; shown under them) in eighth-block
 * characters, the values and the candidate's verdict. Only metric,
 * candidate, baseline, threshold and verdict of each entry are read; names
 * are cut to 24 characters and cleaned (no backquote, no control). Appends
 * nothing for n == 0.
 */
#define MG_CHART_BAR_CELLS 24
void mg_chart_text_bars(const struct mg_chart_compare *c, size_t n, struct mg_buf *out);

/*
 * One metric over a model's versions: a line through the values, a circle
 * per version, a triangle (and "P" label) on the versions that reached
 * production, a diamond on the candidate, the threshold as a dashed line.
 * NaN values are skipped (the line breaks) and listed in the <desc> and a
 * note under the chart.
 */
struct mg_chart_history {
	const char *id;            /* unique in the page, [a-z0-9-] */
	const char *metric;        /* untrusted */
	const char *const *labels; /* version labels, untrusted, n of them */
	const double *values;      /* n values, NaN for none */
	const bool *production;    /* n flags, or NULL */
	size_t n;                  /* >= 1 */
	size_t candidate;          /* index of the candidate, or n for none */
	double threshold;          /* NaN for none */
	const struct mg_secrets *secrets;
};
void mg_chart_history_svg(const struct mg_chart_history *h, struct mg_buf *out);

#endif
