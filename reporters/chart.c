/*
 * The SVG charts of the HTML report (chart.h).
 */
#include "setup.h"
#include "chart.h"
#include "result.h"
#include "text.h"

#include <math.h>

#define MAX_(a, b) ((a) > (b) ? (a) : (b))
#define MIN_(a, b) ((a) < (b) ? (a) : (b))

/* Approximate advance of a character of the 12 px label font, and the room a rotated label needs.
 */
#define CHAR_W    7.0
#define ROTATED_W 16.0

static double nice_step(double raw)
{
	double e = floor(log10(raw)), p = pow(10, e), f = raw / p;

	return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * p;
}

int mg_chart_nice_ticks(double min, double max, size_t target, bool with_zero,
                        struct mg_chart_ticks *t)
{
	double step, lo, hi;

	if (!isfinite(min) || !isfinite(max))
		return -1;
	if (min > max) {
		double x = min;

		min = max;
		max = x;
	}
	if (with_zero) {
		min = fmin(min, 0);
		max = fmax(max, 0);
	}
	if (min == max) {
		double pad = min == 0 ? 1 : fabs(min) * 0.1;

		min -= pad;
		max += pad;
	}
	if (target < 2)
		target = 2;
	if (!isfinite(max - min))
		return -1;
	step = nice_step((max - min) / (double)(target - 1));
	if (!isfinite(step) || step <= 0)
		return -1;
	/* a hair of slack so that 0.3 / 0.1 does not become 3.0000000000000004 -> 4 */
	lo = floor(min / step + 1e-9) * step;
	hi = ceil(max / step - 1e-9) * step;
	if (!isfinite(lo) || !isfinite(hi))
		return -1;
	t->lo = lo;
	t->hi = hi;
	t->step = step;
	t->n = (size_t)llround((hi - lo) / step) + 1;
	if (t->n < 2) {
		t->hi = lo + step;
		t->n = 2;
	}
	t->decimals = step >= 1 ? 0 : (int)ceil(-log10(step) - 1e-9);
	return 0;
}

double mg_chart_tick(const struct mg_chart_ticks *t, size_t i)
{
	double v = t->lo + (double)i * t->step;

	return fabs(v) < t->step * 1e-6 ? 0 : v;
}

char *mg_chart_tick_label(const struct mg_chart_ticks *t, size_t i, char out[MG_CHART_NUM_LEN])
{
	snprintf(out, MG_CHART_NUM_LEN, "%.*f", t->decimals, mg_chart_tick(t, i));
	if (!strcmp(out, "-0") || (out[0] == '-' && strspn(out + 1, "0.") == strlen(out + 1)))
		memmove(out, out + 1, strlen(out));
	return out;
}

char *mg_chart_num(double v, char out[MG_CHART_NUM_LEN])
{
	if (isnan(v))
		snprintf(out, MG_CHART_NUM_LEN, "n/a");
	else
		snprintf(out, MG_CHART_NUM_LEN, "%.4g", v == 0 ? 0 : v);
	return out;
}

void mg_chart_fit_labels(size_t n, double width, size_t chars, struct mg_chart_labels *fit)
{
	double slot = n ? width / (double)n : width;

	if (chars > MG_CHART_LABEL_CHARS)
		chars = MG_CHART_LABEL_CHARS + 1;
	fit->rotate = (double)chars * CHAR_W + 8 > slot;
	fit->step = 1;
	if (fit->rotate && slot < ROTATED_W)
		fit->step = (size_t)ceil(ROTATED_W / slot);
}

bool mg_chart_label_shown(const struct mg_chart_labels *fit, size_t i, size_t n)
{
	if (i + 1 == n)
		return true;
	return i % fit->step == 0 && n - 1 - i >= fit->step;
}

void mg_chart_escape(struct mg_buf *out, const char *s, size_t cap,
                     const struct mg_secrets *secrets)
{
	static const char *const map[256] = {
	        ['&'] = "&amp;", ['<'] = "&lt;", ['>'] = "&gt;", ['"'] = "&quot;", ['\''] = "&#39;",
	};
	struct mg_buf clean = MG_BUF_INIT(cap + 64);

	if (!s)
		return;
	mg_result_clean(&clean, s, strlen(s), cap, secrets);
	mg_buf_add_mapped(out, clean.buf, map);
	mg_buf_release(&clean);
}

/* Up to MG_CHART_LABEL_CHARS characters of a cleaned label, an ellipsis when cut; *cut says. */
static void short_label(struct mg_buf *out, const char *s, const struct mg_secrets *secrets,
                        bool *cut)
{
	struct mg_buf clean = MG_BUF_INIT(MG_TEXT_NAME_MAX + 64), head = MG_BUF_INIT(256);
	size_t i = 0, chars = 0;

	mg_result_clean(&clean, s, strlen(s), MG_TEXT_NAME_MAX, secrets);
	while (i < clean.len && chars < MG_CHART_LABEL_CHARS) {
		uint32_t cp;
		enum mg_text_kind kind;

		i += mg_text_next(clean.buf, clean.len, i, &cp, &kind);
		chars++;
	}
	*cut = i < clean.len;
	mg_buf_add(&head, clean.buf, i);
	if (*cut)
		mg_buf_adds(&head, "\xe2\x80\xa6");
	mg_chart_escape(out, head.buf, 512, NULL);
	mg_buf_release(&head);
	mg_buf_release(&clean);
}

static size_t label_chars(const char *s)
{
	size_t i = 0, chars = 0, len = strlen(s);

	while (i < len) {
		uint32_t cp;
		enum mg_text_kind kind;

		i += mg_text_next(s, len, i, &cp, &kind);
		chars++;
	}
	return chars;
}

/* v with one decimal, as "%.1f" would print it for a coordinate, without printf's cost. */
static void coord(struct mg_buf *out, double v)
{
	char tmp[32], *p = tmp + sizeof(tmp);
	long long t = llround(v * 10);
	bool neg = t < 0;

	if (!isfinite(v) || fabs(v) > 1e15) {
		mg_buf_addf(out, "%.1f", v);
		return;
	}
	if (neg)
		t = -t;
	*--p = (char)('0' + t % 10);
	*--p = '.';
	t /= 10;
	do {
		*--p = (char)('0' + t % 10);
		t /= 10;
	} while (t);
	if (neg)
		*--p = '-';
	mg_buf_add(out, p, (size_t)(tmp + sizeof(tmp) - p));
}

/* A scale from [t->lo, t->hi] to [a, b] pixels. */
static double scale(const struct mg_chart_ticks *t, double v, double a, double b)
{
	return a + (v - t->lo) / (t->hi - t->lo) * (b - a);
}

static void open_svg(struct mg_buf *out, const char *id, double w, double h)
{
	mg_buf_addf(out,
	            "<svg class=\"mg-svg\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" "
	            "aria-labelledby=\"%s-t %s-d\" xmlns=\"http://www.w3.org/2000/svg\">",
	            w, h, id, id);
}

/* --- compare -------------------------------------------------------------- */

#define CW     640.0
#define CH     150.0
#define CLEFT  36.0
#define CRIGHT 604.0
#define CMID   54.0
#define CAXIS  122.0
#define CLASS_OF(v)                            \
	(!strcmp((v), "passed")   ? "mg-pass"  \
	 : !strcmp((v), "failed") ? "mg-fail"  \
	 : !strcmp((v), "error")  ? "mg-error" \
	                          : "mg-skip")

static void widen(double *lo, double *hi, double v)
{
	if (!isfinite(v))
		return;
	*lo = fmin(*lo, v);
	*hi = fmax(*hi, v);
}

/* text anchored so it stays inside the chart */
static const char *anchor_at(double x)
{
	return x < CLEFT + 90 ? "start" : x > CRIGHT - 90 ? "end" : "middle";
}

static void whisker(struct mg_buf *out, const struct mg_chart_ticks *t, double lo, double hi,
                    double y, const char *cls)
{
	double a, b;

	if (!isfinite(lo) || !isfinite(hi))
		return;
	a = scale(t, lo, CLEFT, CRIGHT);
	b = scale(t, hi, CLEFT, CRIGHT);
	mg_buf_addf(out,
	            "<path class=\"mg-whisker %s\" d=\"M%.1f %.1fV%.1fM%.1f %.1fH%.1fM%.1f "
	            "%.1fV%.1f\"/>",
	            cls, a, y - 6, y + 6, a, y, b, b, y - 6, y + 6);
}

static void compare_desc(const struct mg_chart_compare *c, struct mg_buf *d)
{
	char a[MG_CHART_NUM_LEN], b[MG_CHART_NUM_LEN];

	mg_buf_addf(d, "Candidate %s", mg_chart_num(c->candidate, a));
	if (isfinite(c->baseline))
		mg_buf_addf(d, ", production %s, change %s", mg_chart_num(c->baseline, b),
		            mg_chart_num(c->candidate - c->baseline, a));
	else
		mg_buf_adds(d, ", no production value");
	if (isfinite(c->threshold))
		mg_buf_addf(d, "; threshold %s", mg_chart_num(c->threshold, a));
	if (isfinite(c->band_lo) && isfinite(c->band_hi))
		mg_buf_addf(d, "; tolerated from %s to %s", mg_chart_num(c->band_lo, a),
		            mg_chart_num(c->band_hi, b));
	if (isfinite(c->cand_lo) && isfinite(c->cand_hi))
		mg_buf_addf(d, "; candidate interval %s to %s", mg_chart_num(c->cand_lo, a),
		            mg_chart_num(c->cand_hi, b));
	if (isfinite(c->base_lo) && isfinite(c->base_hi))
		mg_buf_addf(d, "; production interval %s to %s", mg_chart_num(c->base_lo, a),
		            mg_chart_num(c->base_hi, b));
	mg_buf_addf(d, "; %s; verdict %s.",
	            c->direction > 0   ? "higher is better"
	            : c->direction < 0 ? "lower is better"
	                               : "direction not known",
	            c->verdict);
}

static void axis(struct mg_buf *out, const struct mg_chart_ticks *t)
{
	char lab[MG_CHART_NUM_LEN];

	mg_buf_addf(out, "<path class=\"mg-axis\" d=\"M%.1f %.1fH%.1f\"/>", CLEFT, CAXIS, CRIGHT);
	for (size_t i = 0; i < t->n; i++) {
		double x = scale(t, mg_chart_tick(t, i), CLEFT, CRIGHT);

		mg_buf_addf(
		        out,
		        "<path class=\"mg-axis\" d=\"M%.1f %.1fV%.1f\"/><text class=\"mg-tick\" "
		        "x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>",
		        x, CAXIS, CAXIS + 5, x, CAXIS + 18, mg_chart_tick_label(t, i, lab));
	}
	if (t->lo < 0 && t->hi > 0) {
		double x = scale(t, 0, CLEFT, CRIGHT);

		mg_buf_addf(out, "<path class=\"mg-zero\" d=\"M%.1f 26V%.1f\"/>", x, CAXIS);
	}
}

void mg_chart_compare_svg(const struct mg_chart_compare *c, struct mg_buf *out)
{
	struct mg_buf desc = MG_BUF_INIT(MG_BUF_SMALL);
	struct mg_chart_ticks t;
	double lo = INFINITY, hi = -INFINITY, xc, xb = NAN;
	const char *cls = CLASS_OF(c->verdict);
	char a[MG_CHART_NUM_LEN], b[MG_CHART_NUM_LEN];

	compare_desc(c, &desc);
	widen(&lo, &hi, c->candidate);
	widen(&lo, &hi, c->baseline);
	widen(&lo, &hi, c->threshold);
	widen(&lo, &hi, c->band_lo);
	widen(&lo, &hi, c->band_hi);
	widen(&lo, &hi, c->cand_lo);
	widen(&lo, &hi, c->cand_hi);
	widen(&lo, &hi, c->base_lo);
	widen(&lo, &hi, c->base_hi);
	mg_buf_adds(out, "<figure class=\"mg-chart\">");
	if (!isfinite(c->candidate) || mg_chart_nice_ticks(lo, hi, 6, false, &t)) {
		mg_buf_adds(out, "<p class=\"mg-note\">No chart: ");
		mg_chart_escape(out, desc.buf, MG_TEXT_MESSAGE_MAX, NULL);
		mg_buf_adds(out, "</p></figure>");
		mg_buf_release(&desc);
		return;
	}
	open_svg(out, c->id, CW, CH);
	mg_buf_addf(out, "<title id=\"%s-t\">", c->id);
	mg_chart_escape(out, c->metric, MG_TEXT_NAME_MAX, c->secrets);
	mg_buf_addf(out, ": candidate against production</title><desc id=\"%s-d\">", c->id);
	mg_chart_escape(out, desc.buf, MG_TEXT_MESSAGE_MAX, NULL);
	mg_buf_adds(out, "</desc>");
	if (isfinite(c->band_lo) && isfinite(c->band_hi)) {
		double x0 = scale(&t, c->band_lo, CLEFT, CRIGHT),
		       x1 = scale(&t, c->band_hi, CLEFT, CRIGHT);

		mg_buf_addf(out,
		            "<rect class=\"mg-band\" x=\"%.1f\" y=\"30\" width=\"%.1f\" "
		            "height=\"48\"/>",
		            x0, fmax(x1 - x0, 1));
	}
	axis(out, &t);
	if (isfinite(c->threshold)) {
		double x = scale(&t, c->threshold, CLEFT, CRIGHT);

		mg_buf_addf(
		        out,
		        "<path class=\"mg-threshold\" d=\"M%.1f 26V82\"/><text class=\"mg-label\" "
		        "x=\"%.1f\" y=\"106\" text-anchor=\"%s\">threshold %s</text>",
		        x, x, anchor_at(x), mg_chart_num(c->threshold, a));
	}
	xc = scale(&t, c->candidate, CLEFT, CRIGHT);
	whisker(out, &t, c->base_lo, c->base_hi, CMID + 10, "mg-base");
	whisker(out, &t, c->cand_lo, c->cand_hi, CMID - 10, cls);
	if (isfinite(c->baseline)) {
		xb = scale(&t, c->baseline, CLEFT, CRIGHT);
		if (fabs(xc - xb) > 12)
			mg_buf_addf(out,
			            "<path class=\"mg-arrow\" d=\"M%.1f %.1fH%.1fM%.1f %.1fL%.1f "
			            "%.1fL%.1f %.1f\"/>",
			            xb, CMID, xc, xc + (xc > xb ? -10 : 10), CMID - 4,
			            xc + (xc > xb ? -7 : 7), CMID, xc + (xc > xb ? -10 : 10),
			            CMID + 4);
		mg_buf_addf(out,
		            "<circle class=\"mg-base\" cx=\"%.1f\" cy=\"%.1f\" r=\"6\"/><text "
		            "class=\"mg-label\" x=\"%.1f\" y=\"92\" text-anchor=\"%s\">production "
		            "%s</text>",
		            xb, CMID, xb, anchor_at(xb), mg_chart_num(c->baseline, a));
	}
	mg_buf_addf(out,
	            "<path class=\"mg-cand %s\" d=\"M%.1f %.1fl7 7l-7 7l-7 -7z\"/><text "
	            "class=\"mg-label\" x=\"%.1f\" y=\"20\" text-anchor=\"%s\">candidate %s",
	            cls, xc, CMID - 7, xc, anchor_at(xc), mg_chart_num(c->candidate, a));
	if (isfinite(c->baseline))
		mg_buf_addf(out, " (%s%s)", c->candidate - c->baseline > 0 ? "+" : "",
		            mg_chart_num(c->candidate - c->baseline, b));
	mg_buf_addf(out, ": %s</text></svg>", c->verdict);
	mg_buf_adds(out, "<figcaption class=\"mg-legend\"><span class=\"mg-key\">"
	                 "\xe2\x97\x86 candidate</span>");
	if (isfinite(c->baseline))
		mg_buf_adds(out, " <span class=\"mg-key\">\xe2\x97\x8b production</span>");
	if (isfinite(c->threshold))
		mg_buf_adds(out, " <span class=\"mg-key\">\xe2\x94\x86 threshold</span>");
	if (isfinite(c->band_lo) && isfinite(c->band_hi))
		mg_buf_adds(out, " <span class=\"mg-key\">\xe2\x96\x91 tolerated band</span>");
	if (isfinite(c->cand_lo) || isfinite(c->base_lo))
		mg_buf_adds(out,
		            " <span class=\"mg-key\">\xe2\x8a\xa2\xe2\x8a\xa3 interval</span>");
	mg_buf_adds(out, "</figcaption></figure>");
	mg_buf_release(&desc);
}

/* --- text bars -------------------------------------------------------------- */

#define NAME_CHARS 24

/* A metric name for a code block: cleaned, no backquote (it could close the block), cut. */
static void bar_name(struct mg_buf *out, const char *s, size_t *chars)
{
	struct mg_buf clean = MG_BUF_INIT(MG_TEXT_NAME_MAX + 64);
	size_t i = 0;

	mg_result_clean(&clean, s, strlen(s), MG_TEXT_NAME_MAX, NULL);
	*chars = 0;
	while (i < clean.len && *chars < NAME_CHARS) {
		uint32_t cp;
		enum mg_text_kind kind;
		size_t len = mg_text_next(clean.buf, clean.len, i, &cp, &kind);

		if (cp == '`' || cp == '\n' || cp == '\r' || cp == '\t')
			mg_buf_addch(out, '\'');
		else
			mg_buf_add(out, clean.buf + i, len);
		i += len;
		(*chars)++;
	}
	if (i < clean.len) {
		mg_buf_adds(out, "\xe2\x80\xa6");
		(*chars)++;
	}
	mg_buf_release(&clean);
}

static void bar(struct mg_buf *out, const struct mg_chart_ticks *t, double v)
{
	static const char *const eighth[] = {"",
	                                     "\xe2\x96\x8f",
	                                     "\xe2\x96\x8e",
	                                     "\xe2\x96\x8d",
	                                     "\xe2\x96\x8c",
	                                     "\xe2\x96\x8b",
	                                     "\xe2\x96\x8a",
	                                     "\xe2\x96\x89"};
	long e = isfinite(v) ? lround((v - t->lo) / (t->hi - t->lo) * MG_CHART_BAR_CELLS * 8) : 0;
	long cells = 0;

	e = e < 0 ? 0 : e > MG_CHART_BAR_CELLS * 8 ? MG_CHART_BAR_CELLS * 8 : e;
	for (; cells < e / 8; cells++)
		mg_buf_adds(out, "\xe2\x96\x88");
	if (e % 8) {
		mg_buf_adds(out, eighth[e % 8]);
		cells++;
	}
	for (; cells < MG_CHART_BAR_CELLS; cells++)
		mg_buf_addch(out, ' ');
}

void mg_chart_text_bars(const struct mg_chart_compare *c, size_t n, struct mg_buf *out)
{
	size_t width = 6;
	char a[MG_CHART_NUM_LEN], b[MG_CHART_NUM_LEN];

	if (!n)
		return;
	for (size_t i = 0; i < n; i++) {
		struct mg_buf tmp = MG_BUF_INIT(MG_TEXT_NAME_MAX * 2);
		size_t chars;

		bar_name(&tmp, c[i].metric ? c[i].metric : "", &chars);
		width = MAX_(width, chars);
		mg_buf_release(&tmp);
	}
	mg_buf_adds(out, "\nEach metric on its own axis:\n\n```text\n");
	for (size_t i = 0; i < n; i++) {
		struct mg_chart_ticks t;
		double lo = INFINITY, hi = -INFINITY;
		size_t chars;

		widen(&lo, &hi, c[i].candidate);
		widen(&lo, &hi, c[i].baseline);
		widen(&lo, &hi, c[i].threshold);
		bar_name(out, c[i].metric ? c[i].metric : "", &chars);
		for (; chars < width; chars++)
			mg_buf_addch(out, ' ');
		/* a margin, so that the smaller value still has a bar */
		if (isfinite(lo) && isfinite(hi)) {
			double span = hi - lo;

			lo -= span * 0.1;
			hi += span * 0.1;
		}
		if (mg_chart_nice_ticks(lo, hi, 5, false, &t)) {
			mg_buf_addf(out, "  no values: candidate %s\n",
			            mg_chart_num(c[i].candidate, a));
			continue;
		}
		if (isfinite(c[i].baseline)) {
			mg_buf_adds(out, "  production ");
			bar(out, &t, c[i].baseline);
			mg_buf_addf(out, " %s\n", mg_chart_num(c[i].baseline, a));
			for (chars = 0; chars < width; chars++)
				mg_buf_addch(out, ' ');
		}
		mg_buf_adds(out, "  candidate  ");
		bar(out, &t, c[i].candidate);
		mg_buf_addf(out, " %s %s\n", mg_chart_num(c[i].candidate, a),
		            c[i].verdict ? c[i].verdict : "");
		for (chars = 0; chars < width; chars++)
			mg_buf_addch(out, ' ');
		mg_buf_addf(out, "  axis %s to %s", mg_chart_tick_label(&t, 0, a),
		            mg_chart_tick_label(&t, t.n - 1, b));
		if (isfinite(c[i].threshold))
			mg_buf_addf(out, "; threshold %s", mg_chart_num(c[i].threshold, a));
		mg_buf_addch(out, '\n');
	}
	mg_buf_adds(out, "```\n");
}

/* --- history -------------------------------------------------------------- */

#define HW      640.0
#define HLEFT   60.0
#define HRIGHT  624.0
#define HTOP    20.0
#define HBOTTOM 180.0

static void history_desc(const struct mg_chart_history *h, struct mg_buf *d, size_t *nan)
{
	char a[MG_CHART_NUM_LEN], b[MG_CHART_NUM_LEN];
	double lo = INFINITY, hi = -INFINITY;
	size_t ilo = 0, ihi = 0, nprod = 0;

	*nan = 0;
	for (size_t i = 0; i < h->n; i++) {
		if (isnan(h->values[i]) || !isfinite(h->values[i])) {
			(*nan)++;
			continue;
		}
		if (h->values[i] < lo)
			lo = h->values[i], ilo = i;
		if (h->values[i] > hi)
			hi = h->values[i], ihi = i;
		nprod += h->production && h->production[i];
	}
	mg_buf_addf(d, "%zu %s", h->n, mg_plural(h->n, "version", "versions"));
	if (h->n > *nan) {
		mg_buf_addf(d, "; lowest %s (version ", mg_chart_num(lo, a));
		mg_buf_adds(d, h->labels[ilo]);
		mg_buf_addf(d, "), highest %s (version ", mg_chart_num(hi, b));
		mg_buf_adds(d, h->labels[ihi]);
		mg_buf_adds(d, ")");
	}
	if (h->candidate < h->n) {
		mg_buf_adds(d, "; candidate version ");
		mg_buf_adds(d, h->labels[h->candidate]);
		mg_buf_addf(d, ": %s", mg_chart_num(h->values[h->candidate], a));
	}
	if (isfinite(h->threshold))
		mg_buf_addf(d, "; threshold %s", mg_chart_num(h->threshold, a));
	if (h->production) {
		size_t shown = 0;

		mg_buf_adds(d,
		            nprod ? "; reached production: version" : "; none reached production");
		for (size_t i = 0; i < h->n; i++)
			if (h->production[i] && shown++ < 20) {
				mg_buf_adds(d, shown > 1 ? ", " : " ");
				mg_buf_adds(d, h->labels[i]);
			}
	}
	if (*nan) {
		size_t shown = 0;

		mg_buf_addf(d, "; no value for %zu %s:", *nan,
		            mg_plural(*nan, "version", "versions"));
		for (size_t i = 0; i < h->n; i++)
			if (!isfinite(h->values[i]) && shown++ < 10) {
				mg_buf_adds(d, shown > 1 ? ", " : " ");
				mg_buf_adds(d, h->labels[i]);
			}
		if (*nan > 10)
			mg_buf_addf(d, " and %zu more", *nan - 10);
	}
	mg_buf_adds(d, ".");
}

static void history_x_labels(const struct mg_chart_history *h, double slot, double y0,
                             struct mg_buf *out)
{
	struct mg_chart_labels fit;
	size_t chars = 1;

	for (size_t i = 0; i < h->n; i++)
		chars = MAX_(chars, label_chars(h->labels[i]));
	mg_chart_fit_labels(h->n, HRIGHT - HLEFT, chars, &fit);
	for (size_t i = 0; i < h->n; i++) {
		double x = HLEFT + ((double)i + 0.5) * slot;
		bool cut;

		if (!mg_chart_label_shown(&fit, i, h->n))
			continue;
		if (fit.rotate)
			mg_buf_addf(
			        out,
			        "<text class=\"mg-tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" "
			        "transform=\"rotate(-45 %.1f %.1f)\">",
			        x, y0 + 14, x, y0 + 14);
		else
			mg_buf_addf(out,
			            "<text class=\"mg-tick\" x=\"%.1f\" y=\"%.1f\" "
			            "text-anchor=\"middle\">",
			            x, y0 + 16);
		short_label(out, h->labels[i], h->secrets, &cut);
		if (cut) {
			mg_buf_adds(out, "<title>");
			mg_chart_escape(out, h->labels[i], MG_TEXT_NAME_MAX, h->secrets);
			mg_buf_adds(out, "</title>");
		}
		mg_buf_adds(out, "</text>");
	}
}

void mg_chart_history_svg(const struct mg_chart_history *h, struct mg_buf *out)
{
	struct mg_buf desc = MG_BUF_INIT(MG_BUF_SMALL);
	struct mg_chart_ticks t;
	double lo = INFINITY, hi = -INFINITY, slot, height;
	bool pen = false, rotate;
	size_t nan, chars = 1;
	char a[MG_CHART_NUM_LEN];
	struct mg_chart_labels fit;

	history_desc(h, &desc, &nan);
	for (size_t i = 0; i < h->n; i++) {
		widen(&lo, &hi, h->values[i]);
		chars = MAX_(chars, label_chars(h->labels[i]));
	}
	widen(&lo, &hi, h->threshold);
	mg_buf_adds(out, "<figure class=\"mg-chart\">");
	if (!h->n || nan == h->n || mg_chart_nice_ticks(lo, hi, 5, false, &t)) {
		mg_buf_adds(out, "<p class=\"mg-note\">No chart: ");
		mg_chart_escape(out, desc.buf, MG_TEXT_MESSAGE_MAX, h->secrets);
		mg_buf_adds(out, "</p></figure>");
		mg_buf_release(&desc);
		return;
	}
	mg_chart_fit_labels(h->n, HRIGHT - HLEFT, chars, &fit);
	rotate = fit.rotate;
	height = HBOTTOM +
	         (rotate ? 10 + 5.0 * (double)MIN_(chars, MG_CHART_LABEL_CHARS + 1) + 8 : 26);
	slot = (HRIGHT - HLEFT) / (double)h->n;
	open_svg(out, h->id, HW, height);
	mg_buf_addf(out, "<title id=\"%s-t\">", h->id);
	mg_chart_escape(out, h->metric, MG_TEXT_NAME_MAX, h->secrets);
	mg_buf_addf(out, " over the last versions</title><desc id=\"%s-d\">", h->id);
	mg_chart_escape(out, desc.buf, MG_TEXT_MESSAGE_MAX, h->secrets);
	mg_buf_adds(out, "</desc>");
	for (size_t i = 0; i < t.n; i++) {
		double y = scale(&t, mg_chart_tick(&t, i), HBOTTOM, HTOP);
		char lab[MG_CHART_NUM_LEN];

		mg_buf_addf(out,
		            "<path class=\"%s\" d=\"M%.1f %.1fH%.1f\"/><text class=\"mg-tick\" "
		            "x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>",
		            mg_chart_tick(&t, i) == 0 && i && i + 1 < t.n ? "mg-zero" : "mg-grid",
		            HLEFT, y, HRIGHT, HLEFT - 6, y + 4, mg_chart_tick_label(&t, i, lab));
	}
	if (isfinite(h->threshold)) {
		double y = scale(&t, h->threshold, HBOTTOM, HTOP);

		/* its value goes in the legend: a label in the plot could cover a point */
		mg_buf_addf(out, "<path class=\"mg-threshold\" d=\"M%.1f %.1fH%.1f\"/>", HLEFT, y,
		            HRIGHT);
	}
	mg_buf_adds(out, "<path class=\"mg-line\" d=\"");
	for (size_t i = 0; i < h->n; i++) {
		double x = HLEFT + ((double)i + 0.5) * slot;

		if (!isfinite(h->values[i])) {
			pen = false;
			continue;
		}
		mg_buf_addch(out, pen ? 'L' : 'M');
		coord(out, x);
		mg_buf_addch(out, ' ');
		coord(out, scale(&t, h->values[i], HBOTTOM, HTOP));
		pen = true;
	}
	mg_buf_adds(out, "\"/>");
	for (size_t i = 0; i < h->n; i++) {
		double x = HLEFT + ((double)i + 0.5) * slot, y;
		bool prod = h->production && h->production[i], cand = i == h->candidate;

		if (!isfinite(h->values[i]) || (h->n > 60 && !prod && !cand))
			continue;
		y = scale(&t, h->values[i], HBOTTOM, HTOP);
		mg_buf_adds(out, "<g>");
		if (cand)
			mg_buf_addf(
			        out,
			        "<path class=\"mg-cand mg-now\" d=\"M%.1f %.1fl7 7l-7 7l-7 -7z\"/>",
			        x, y - 7);
		else if (prod)
			mg_buf_addf(out, "<path class=\"mg-prod\" d=\"M%.1f %.1fl6 10h-12z\"/>", x,
			            y - 6);
		else
			mg_buf_addf(
			        out,
			        "<circle class=\"mg-point\" cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\"/>", x,
			        y);
		mg_buf_adds(out, "<title>version ");
		mg_chart_escape(out, h->labels[i], MG_TEXT_NAME_MAX, h->secrets);
		mg_buf_addf(out, ": %s%s%s</title></g>", mg_chart_num(h->values[i], a),
		            prod ? " (reached production)" : "", cand ? " (candidate)" : "");
	}
	history_x_labels(h, slot, HBOTTOM, out);
	mg_buf_adds(out, "</svg><figcaption class=\"mg-legend\"><span class=\"mg-key\">"
	                 "\xe2\x80\x94 value per version</span>");
	if (h->production)
		mg_buf_adds(out, " <span class=\"mg-key\">\xe2\x96\xb2 reached production</span>");
	if (h->candidate < h->n)
		mg_buf_adds(out, " <span class=\"mg-key\">\xe2\x97\x86 candidate</span>");
	if (isfinite(h->threshold))
		mg_buf_addf(out, " <span class=\"mg-key\">\xe2\x94\x86 threshold %s</span>",
		            mg_chart_num(h->threshold, a));
	if (nan) {
		mg_buf_addf(
		        out,
		        " <span class=\"mg-key mg-nan\">%zu %s without a value: not drawn</span>",
		        nan, mg_plural(nan, "version", "versions"));
	}
	mg_buf_adds(out, "</figcaption></figure>");
	mg_buf_release(&desc);
}
