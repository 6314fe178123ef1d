/*
 * The HTML report's sections for the gates with more to show than their
 * checks: compare (charts per metric), smoke (latency, data-contract
 * violations), comply (grouped, waivers, warnings), and the history.
 */
#include "setup.h"
#include "alloc.h"
#include "chart.h"
#include "html_page.h"
#include "text.h"

#include <math.h>
#include <stdlib.h>

/* --- compare --------------------------------------------------------------- */

struct metric {
	const char *name; /* borrowed */
	const char *id;   /* check id, or NULL */
	const char *rule; /* "higher is better; threshold >= 0.9; ..." or NULL */
	const char *verdict;
	double cand, base, delta, threshold, max_reg, max_rel;
	double cand_lo, cand_hi, base_lo, base_hi;
	int direction;
};

/* The number after `key` in `s`, or NaN. */
static double num_after(const char *s, const char *key)
{
	const char *at = s ? strstr(s, key) : NULL;
	char *end;
	double v;

	if (!at)
		return NAN;
	v = strtod(at + strlen(key), &end);
	return end == at + strlen(key) ? NAN : v;
}

static void rule_parse(struct metric *m, const char *text)
{
	if (!text)
		return;
	if (strstr(text, "higher is better") || strstr(text, "threshold >=") ||
	    strstr(text, "needs >="))
		m->direction = 1;
	else if (strstr(text, "lower is better") || strstr(text, "threshold <=") ||
	         strstr(text, "needs <="))
		m->direction = -1;
	if (isnan(m->threshold))
		m->threshold = m->direction < 0 ? num_after(text, "threshold <= ")
		                                : num_after(text, "threshold >= ");
	if (isnan(m->max_reg))
		m->max_reg = num_after(text, "max_regression ");
	if (isnan(m->max_rel))
		m->max_rel = num_after(text, "max_relative_regression ");
}

static void metric_init(struct metric *m)
{
	memset(m, 0, sizeof(*m));
	m->cand = m->base = m->delta = m->threshold = m->max_reg = m->max_rel = NAN;
	m->cand_lo = m->cand_hi = m->base_lo = m->base_hi = NAN;
	m->verdict = "skipped";
}

/* Intervals carried by the evidence (the statistical compare): any member naming ci_low/high. */
static void intervals(struct metric *m, const cJSON *o)
{
	for (const cJSON *x = o->child; x; x = x->next) {
		const char *k = x->string;
		bool low, high;
		double v;

		if (!k || !cJSON_IsNumber(x))
			continue;
		low = strstr(k, "ci_low") || strstr(k, "ci_lo") || strstr(k, "lower");
		high = strstr(k, "ci_high") || strstr(k, "ci_hi") || strstr(k, "upper");
		if (low == high)
			continue;
		v = x->valuedouble;
		if (strstr(k, "delta") || strstr(k, "diff")) {
			if (!isfinite(m->base))
				continue;
			v += m->base;
			if (low)
				m->cand_lo = v;
			else
				m->cand_hi = v;
		} else if (strstr(k, "baseline") || strstr(k, "production") ||
		           strstr(k, "champion")) {
			*(low ? &m->base_lo : &m->base_hi) = v;
		} else {
			*(low ? &m->cand_lo : &m->cand_hi) = v;
		}
	}
}

static double jnum(const cJSON *o, const char *key)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsNumber(x) ? x->valuedouble : NAN;
}

/* The metrics of a compare gate: from its JSON decision, else from its checks' messages. */
static size_t compare_metrics(const struct mg_html_gate *g, struct metric **out)
{
	const cJSON *cmp = g->json ? cJSON_GetObjectItemCaseSensitive(g->json, "compare") : NULL;
	const cJSON *ms = cmp ? cJSON_GetObjectItemCaseSensitive(cmp, "metrics") : NULL;
	struct metric *m;
	size_t n = 0;

	if (cJSON_IsArray(ms)) {
		m = mg_xcalloc((size_t)cJSON_GetArraySize(ms) + 1, sizeof(*m));
		for (const cJSON *x = ms->child; m && x; x = x->next) {
			struct metric *k = &m[n];

			if (!cJSON_IsObject(x) || !cJSON_IsString(cJSON_GetObjectItem(x, "name")))
				continue;
			metric_init(k);
			k->name = mg_json_str(x, "name");
			k->id = mg_json_str(x, "id");
			k->verdict =
			        *mg_json_str(x, "verdict") ? mg_json_str(x, "verdict") : "skipped";
			k->cand = jnum(x, "candidate");
			k->base = jnum(x, "baseline");
			k->delta = jnum(x, "delta");
			k->rule = mg_json_str(x, "rule");
			rule_parse(k, k->rule);
			intervals(k, x);
			n++;
		}
		*out = m;
		return m ? n : 0;
	}
	m = mg_xcalloc(g->s->nchecks + 1, sizeof(*m));
	for (size_t i = 0; m && i < g->s->nchecks; i++) {
		const struct mg_check *c = &g->s->checks[i];
		struct metric *k = &m[n];

		if (strncmp(c->id, "compare.metric.", 15))
			continue;
		metric_init(k);
		k->name = c->id + 15;
		k->id = c->id;
		k->verdict = mg_status_name(c->status);
		k->cand = num_after(c->message, "candidate ");
		k->base = num_after(c->message, "production ");
		k->delta = num_after(c->message, "delta ");
		rule_parse(k, c->message);
		n++;
	}
	*out = m;
	return m ? n : 0;
}

static void band(const struct metric *m, double *lo, double *hi)
{
	double reg = NAN;

	*lo = *hi = NAN;
	if (!isfinite(m->base) || !m->direction)
		return;
	if (isfinite(m->max_reg))
		reg = m->max_reg;
	if (isfinite(m->max_rel) && (isnan(reg) || fabs(m->base) * m->max_rel < reg))
		reg = fabs(m->base) * m->max_rel;
	if (isnan(reg))
		return;
	*lo = m->direction > 0 ? m->base - reg : m->base;
	*hi = m->direction > 0 ? m->base : m->base + reg;
}

static const char *direction_words(int d)
{
	return d > 0 ? "higher is better" : d < 0 ? "lower is better" : "direction not given";
}

static enum mg_status status_named(const char *v)
{
	return !strcmp(v, "passed")    ? MG_STATUS_PASSED
	       : !strcmp(v, "failed")  ? MG_STATUS_FAILED
	       : !strcmp(v, "skipped") ? MG_STATUS_SKIPPED
	                               : MG_STATUS_ERROR;
}

void mg_html_compare(struct mg_html_page *p, const struct mg_html_gate *g)
{
	struct metric *m = NULL;
	size_t n = compare_metrics(g, &m);
	const cJSON *cmp = g->json ? cJSON_GetObjectItemCaseSensitive(g->json, "compare") : NULL;
	char a[MG_CHART_NUM_LEN], id[32];

	if (!n) {
		free(m);
		return;
	}
	mg_buf_adds(p->out, "<h3>Candidate against production</h3>");
	if (cmp) {
		const cJSON *b = cJSON_GetObjectItemCaseSensitive(cmp, "baseline");

		mg_buf_adds(p->out, "<p class=\"mg-note\">Production (");
		mg_html_name(p, mg_json_str(b, "selector"));
		if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(cmp, "first_deployment")) ||
		    !strcmp(mg_json_str(b, "version"), "none")) {
			mg_buf_adds(p->out, "): none, a first deployment; metrics: ");
		} else {
			mg_buf_adds(p->out, "): version ");
			mg_html_name(p, mg_json_str(b, "version"));
			mg_buf_adds(p->out, "; metrics: ");
		}
		mg_html_text(p, mg_json_str(cmp, "metric_source_text"));
		mg_buf_adds(p->out, ".</p>");
	}
	mg_buf_adds(p->out, "<table class=\"mg-metrics\"><thead><tr><th scope=\"col\">metric</th>"
	                    "<th scope=\"col\">production</th><th scope=\"col\">candidate</th>"
	                    "<th scope=\"col\">delta</th><th scope=\"col\">rule</th><th "
	                    "scope=\"col\">verdict</th></tr></thead><tbody>");
	for (size_t i = 0; i < n; i++) {
		enum mg_status st = status_named(m[i].verdict);

		mg_buf_adds(p->out, "<tr data-metric=\"");
		mg_html_name(p, m[i].name);
		mg_buf_addf(p->out, "\" data-status=\"%s\"><td><code>", mg_status_name(st));
		mg_html_name(p, m[i].name);
		mg_buf_addf(p->out, "</code></td><td data-label=\"production\">%s</td>",
		            mg_chart_num(m[i].base, a));
		mg_buf_addf(p->out, "<td data-label=\"candidate\">%s</td>",
		            mg_chart_num(m[i].cand, a));
		mg_buf_addf(p->out, "<td data-label=\"delta\">%s</td><td>",
		            mg_chart_num(m[i].delta, a));
		if (m[i].rule && *m[i].rule)
			mg_html_text(p, m[i].rule);
		else
			mg_buf_adds(p->out, direction_words(m[i].direction));
		mg_buf_addf(p->out, "</td><td><span class=\"mg-status %s\">%s</span></td></tr>",
		            mg_html_status_class(st), mg_html_status_word(st));
	}
	mg_buf_adds(p->out, "</tbody></table>");
	for (size_t i = 0; i < n; i++) {
		struct mg_chart_compare c = {
		        .id = id,
		        .metric = m[i].name,
		        .candidate = m[i].cand,
		        .baseline = m[i].base,
		        .threshold = m[i].threshold,
		        .cand_lo = m[i].cand_lo,
		        .cand_hi = m[i].cand_hi,
		        .base_lo = m[i].base_lo,
		        .base_hi = m[i].base_hi,
		        .direction = m[i].direction,
		        .verdict = mg_status_name(status_named(m[i].verdict)),
		        .secrets = p->in->secrets,
		};

		band(&m[i], &c.band_lo, &c.band_hi);
		snprintf(id, sizeof(id), "mg-c%u", p->charts++);
		mg_buf_adds(p->out, "<h4>");
		mg_html_name(p, m[i].name);
		mg_buf_addf(p->out, " <span class=\"mg-note\">(%s)</span></h4>",
		            direction_words(m[i].direction));
		mg_chart_compare_svg(&c, p->out);
	}
	free(m);
}

/* The metrics of every compare gate on the page (the history draws those), NULL-named at the end.
 */
static struct metric *page_metrics(struct mg_html_page *p, size_t *n)
{
	struct metric *all = NULL;

	*n = 0;
	for (size_t i = 0; i < p->n; i++) {
		struct metric *m = NULL;
		size_t k;

		if (strcmp(p->g[i].gate, "compare"))
			continue;
		k = compare_metrics(&p->g[i], &m);
		all = mg_xrealloc(all, (*n + k + 1) * sizeof(*all));
		memcpy(all + *n, m, k * sizeof(*m));
		*n += k;
		free(m);
	}
	return all;
}

static const struct metric *find_metric(const struct metric *m, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(m[i].name, name))
			return &m[i];
	return NULL;
}

#define HISTORY_CHARTS_MAX 50

void mg_html_history(struct mg_html_page *p)
{
	const struct mg_html_history *h = p->in->history;
	const char **labels;
	double *values;
	bool *prod;
	size_t cand = h->nversions, shown = 0;
	const char *version = NULL;
	char id[32];
	size_t ncmp = 0, norder = 0, *order = NULL;
	struct metric *cmp = NULL;

	for (size_t i = 0; i < p->n && !version; i++)
		version = mg_suite_prop(p->g[i].s, "mlgate.version");
	mg_buf_adds(p->out, "<section id=\"history\"><h2>History: ");
	mg_html_name(p, h->model);
	mg_buf_addf(p->out, ", the last %zu %s</h2>", h->nversions,
	            mg_plural(h->nversions, "version", "versions"));
	if (!h->nversions || !h->nmetrics) {
		mg_buf_adds(p->out,
		            "<p class=\"mg-note\">The registry has no versions with metrics "
		            "for this model.</p></section>");
		return;
	}
	cmp = page_metrics(p, &ncmp);
	labels = mg_xcalloc(h->nversions, sizeof(*labels));
	values = mg_xcalloc(h->nversions, sizeof(*values));
	prod = mg_xcalloc(h->nversions, sizeof(*prod));
	if (!labels || !values || !prod)
		goto done;
	for (size_t v = 0; v < h->nversions; v++) {
		labels[v] = h->versions[v].version;
		prod[v] = h->versions[v].production;
		if (version && !strcmp(version, labels[v]))
			cand = v;
	}
	/* the compared metrics, in the compare's order; else every metric of the runs */
	order = mg_xcalloc(h->nmetrics + 1, sizeof(*order));
	for (size_t j = 0; j < (ncmp ? ncmp : h->nmetrics); j++) {
		size_t m = j;

		if (ncmp) {
			for (m = 0; m < h->nmetrics && strcmp(h->metrics[m], cmp[j].name); m++)
				;
			for (size_t k = 0; k < norder && m < h->nmetrics; k++)
				if (order[k] == m)
					m = h->nmetrics; /* compared twice (two compare runs) */
		}
		if (m < h->nmetrics)
			order[norder++] = m;
	}
	for (size_t j = 0; j < norder && shown < HISTORY_CHARTS_MAX; j++) {
		size_t m = order[j];
		const struct metric *k = find_metric(cmp, ncmp, h->metrics[m]);
		struct mg_chart_history c = {
		        .id = id,
		        .metric = h->metrics[m],
		        .labels = labels,
		        .values = values,
		        .production = prod,
		        .n = h->nversions,
		        .candidate = cand,
		        .threshold = k ? k->threshold : NAN,
		        .secrets = p->in->secrets,
		};

		for (size_t v = 0; v < h->nversions; v++)
			values[v] = mg_html_history_get(h, v, m);
		snprintf(id, sizeof(id), "mg-h%u", p->charts++);
		mg_buf_adds(p->out, "<h3>");
		mg_html_name(p, h->metrics[m]);
		mg_buf_adds(p->out, "</h3>");
		mg_chart_history_svg(&c, p->out);
		shown++;
	}
	if (h->nmetrics > shown)
		mg_buf_addf(p->out, "<p class=\"mg-note\">%zu more %s not drawn.</p>",
		            h->nmetrics - shown,
		            mg_plural(h->nmetrics - shown, "metric", "metrics"));
done:
	mg_buf_adds(p->out, "</section>");
	free(labels);
	free(values);
	free(prod);
	free(cmp);
	free(order);
}

/* --- smoke ---------------------------------------------------------------- */

#define VIOLATIONS_SHOWN 10

void mg_html_smoke(struct mg_html_page *p, const struct mg_html_gate *g)
{
	size_t nlat = 0, nviol = 0;
	char a[MG_CHART_NUM_LEN], b[MG_CHART_NUM_LEN];

	for (size_t i = 0; i < g->s->nchecks; i++) {
		const struct mg_check *c = &g->s->checks[i];
		double p50 = num_after(c->message, "p50 "), p95 = num_after(c->message, "p95 ");
		double budget = num_after(c->message, "budget ");

		if (isnan(p50) && isnan(p95))
			continue;
		if (!nlat++)
			mg_buf_adds(p->out,
			            "<table class=\"mg-latency\"><caption>Prediction latency"
			            "</caption><thead><tr><th scope=\"col\">case</th><th "
			            "scope=\"col\">p50 (ms)</th><th scope=\"col\">p95 (ms)</th>"
			            "<th scope=\"col\">budget (ms)</th><th scope=\"col\">status"
			            "</th></tr></thead><tbody>");
		mg_buf_adds(p->out, "<tr><td><code>");
		mg_html_name(p, c->id);
		mg_buf_addf(p->out, "</code></td><td>%s</td>", mg_chart_num(p50, a));
		mg_buf_addf(p->out, "<td>%s</td><td>", mg_chart_num(p95, b));
		/* a failed budget names its quantile: "latency p95 88.0 ms is over the budget 40
		 * ms" */
		if (isnan(budget))
			mg_buf_adds(p->out, c->status == MG_STATUS_PASSED ? "met" : "n/a");
		else
			mg_buf_addf(p->out, "%s \xe2\x89\xa4 %s",
			            strstr(c->message, "latency p95") ? "p95" : "p50",
			            mg_chart_num(budget, a));
		mg_buf_adds(p->out, "</td>");
		mg_buf_addf(p->out, "<td><span class=\"mg-status %s\">%s</span></td></tr>",
		            mg_html_status_class(c->status), mg_html_status_word(c->status));
	}
	if (nlat)
		mg_buf_adds(p->out, "</tbody></table>");
	for (size_t i = 0; i < g->s->nchecks; i++) {
		const struct mg_check *c = &g->s->checks[i];
		const char *d = c->details, *nl;
		size_t shown = 0;

		if (c->status != MG_STATUS_FAILED || !d ||
		    (strncmp(d, "row ", 4) && strncmp(d, "column ", 7)))
			continue;
		if (!nviol++)
			mg_buf_adds(p->out, "<h3>Data-contract violations</h3>");
		mg_buf_adds(p->out, "<p><code>");
		mg_html_name(p, c->id);
		mg_buf_adds(p->out, "</code>: ");
		mg_html_text(p, c->message);
		mg_buf_adds(p->out, "</p><ol class=\"mg-violations\">");
		for (; *d && shown < VIOLATIONS_SHOWN; d = *nl ? nl + 1 : nl, shown++) {
			char *line;

			nl = strchr(d, '\n');
			if (!nl)
				nl = d + strlen(d);
			line = mg_xstrndup(d, (size_t)(nl - d));
			if (!line)
				break;
			mg_buf_adds(p->out, "<li>");
			mg_html_text(p, line);
			mg_buf_adds(p->out, "</li>");
			free(line);
		}
		mg_buf_adds(p->out, "</ol>");
	}
}

/* --- comply ----------------------------------------------------------------- */

struct group {
	const char *title;
	const char *const prefixes[5];
};

static const struct group groups[] = {
        {"Tags",
         {"compliance.version_tag", "compliance.model_tag", "compliance.forbidden_tag",
          "compliance.tag", NULL}},
        {"Documentation", {"compliance.description", "compliance.model_card", NULL}},
        {"Lineage", {"compliance.lineage", "compliance.run", NULL}},
};

static int group_of(const char *id)
{
	for (size_t i = 0; i < MG_ARRAY_SIZE(groups); i++)
		for (size_t j = 0; groups[i].prefixes[j]; j++)
			if (!strncmp(id, groups[i].prefixes[j], strlen(groups[i].prefixes[j])))
				return (int)i;
	return -1;
}

static bool in_group(const struct mg_check *c, const void *arg)
{
	return group_of(c->id) == *(const int *)arg;
}

static bool starts(const char *s, const char *prefix)
{
	return s && !strncmp(s, prefix, strlen(prefix));
}

void mg_html_comply(struct mg_html_page *p, const struct mg_html_gate *g)
{
	size_t nw = 0, nwarn = 0;

	for (int i = 0; i < (int)MG_ARRAY_SIZE(groups); i++)
		mg_html_checks(p, g, in_group, &i, groups[i].title);
	{
		int other = -1;

		mg_html_checks(p, g, in_group, &other, "Other checks");
	}
	for (size_t i = 0; i < g->s->nchecks; i++) {
		const struct mg_check *c = &g->s->checks[i];
		const char *m = c->message;

		if (!starts(m, "waived until ") && !starts(m, "waiver expired on "))
			continue;
		if (!nw++)
			mg_buf_adds(p->out,
			            "<table class=\"mg-waivers\"><caption>Waivers</caption>"
			            "<thead><tr><th scope=\"col\">check</th><th scope=\"col\">"
			            "waiver (owner, expiry, reason) and what it waives</th>"
			            "</tr></thead><tbody>");
		mg_buf_adds(p->out, "<tr><td><code>");
		mg_html_name(p, c->id);
		mg_buf_adds(p->out, "</code></td><td>");
		mg_html_text(p, m);
		mg_buf_adds(p->out, "</td></tr>");
	}
	if (nw)
		mg_buf_adds(p->out, "</tbody></table>");
	for (size_t i = 0; i < g->s->nchecks; i++) {
		const struct mg_check *c = &g->s->checks[i];

		if (!starts(c->message, "warning: "))
			continue;
		if (!nwarn++)
			mg_buf_adds(p->out, "<h3>Warnings</h3><ul class=\"mg-warnings\">");
		mg_buf_adds(p->out, "<li><code>");
		mg_html_name(p, c->id);
		mg_buf_adds(p->out, "</code>: ");
		mg_html_text(p, c->message + 9);
		mg_buf_adds(p->out, "</li>");
	}
	if (nwarn)
		mg_buf_adds(p->out, "</ul>");
}
