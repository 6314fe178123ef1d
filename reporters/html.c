/*
 * The HTML promotion report (html.h): the page, its banner, facts, checks,
 * registry changes and what a human must do. The gates' own sections are
 * in html_gates.c, the charts in chart.c.
 */
#include "setup.h"
#include "html.h"
#include "alloc.h"
#include "chart.h"
#include "clock.h"
#include "html_page.h"
#include "text.h"

#include <stdlib.h>

/*
 * Colours: the Okabe-Ito palette for marks; text colours ("-ink") darker
 * (light) or lighter (dark) variants with a contrast of at least 4.5:1.
 */
static const char css[] =
        ":root{color-scheme:light dark;--bg:#fff;--fg:#1b1b1b;--muted:#555;--line:#c4c4c4;"
        "--card:#f4f5f7;--pass:#009E73;--fail:#D55E00;--skip:#8a8a8a;--error:#CC79A7;"
        "--manual:#E69F00;--info:#0072B2;--band:#56B4E9;--pass-ink:#00664a;--fail-ink:#a8420a;"
        "--skip-ink:#555;--error-ink:#8b3a6b;--manual-ink:#7a5000;--link:#0a5ea8}\n"
        "@media (prefers-color-scheme:dark){:root{--bg:#121417;--fg:#ececec;--muted:#b4b4b4;"
        "--line:#4a4d52;--card:#1d2126;--pass-ink:#5fd3ad;--fail-ink:#ff9d63;--skip-ink:#bdbdbd;"
        "--error-ink:#f2a9d3;--manual-ink:#ffc64d;--link:#8cc8ff;--info:#56B4E9;--band:#0072B2}}\n"
        "*{box-sizing:border-box}body{margin:0;background:var(--bg);color:var(--fg);"
        "font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif}"
        "main{max-width:980px;margin:0 auto;padding:12px 16px 32px;overflow-wrap:break-word}"
        "a{color:var(--link)}h1{font-size:1.45em;margin:.2em 0}h2{font-size:1.2em;"
        "margin:1.4em 0 .4em;border-bottom:1px solid var(--line)}h3{font-size:1.05em;"
        "margin:1em 0 .3em}code{font-family:ui-monospace,Menlo,Consolas,monospace;"
        "font-size:.9em;overflow-wrap:anywhere}"
        ".mg-banner{border-left:10px solid var(--skip);background:var(--card);"
        "padding:10px 16px;border-radius:4px}.mg-banner.mg-pass{border-color:var(--pass)}"
        ".mg-banner.mg-fail{border-color:var(--fail)}.mg-banner.mg-error{border-color:"
        "var(--error)}.mg-banner.mg-manual{border-color:var(--manual)}"
        ".mg-gates{list-style:none;padding:0;margin:.4em 0;display:flex;flex-wrap:wrap;"
        "gap:6px 18px}.mg-status{font-weight:600}.mg-status.mg-pass{color:var(--pass-ink)}"
        ".mg-status.mg-fail{color:var(--fail-ink)}.mg-status.mg-skip{color:var(--skip-ink)}"
        ".mg-status.mg-error{color:var(--error-ink)}.mg-status.mg-manual{color:"
        "var(--manual-ink)}dl.mg-facts{display:grid;grid-template-columns:max-content "
        "minmax(0,1fr);gap:2px 12px;margin:.6em 0}dl.mg-facts dt{color:var(--muted)}"
        "dl.mg-facts dd{margin:0;overflow-wrap:anywhere}"
        "table{width:100%;border-collapse:collapse;table-layout:fixed;margin:.3em 0 1em}"
        "caption{text-align:left;font-weight:600;padding:4px 0}th,td{text-align:left;"
        "vertical-align:top;padding:4px 6px;border-bottom:1px solid var(--line);"
        "overflow-wrap:anywhere}th{color:var(--muted);font-weight:600}"
        "col.mg-c-id{width:34%}col.mg-c-st{width:7.5em}col.mg-c-t{width:5em}"
        "details pre{white-space:pre-wrap;overflow-wrap:anywhere;font-size:.85em;margin:.3em 0}"
        ".mg-todo{border:2px solid var(--manual);border-radius:4px;padding:6px 14px}"
        ".mg-note,.mg-legend{color:var(--muted);font-size:.88em}.mg-key{margin-right:1.2em;"
        "display:inline-block}figure.mg-chart{margin:6px 0 14px}"
        ".mg-svg{display:block;width:100%;height:auto;max-width:720px}"
        ".mg-svg text{fill:var(--fg);font:12px system-ui,sans-serif}.mg-svg .mg-label"
        "{font-size:13px}.mg-axis{stroke:var(--muted);fill:none}.mg-grid{stroke:var(--line);"
        "stroke-dasharray:2 3;fill:none}.mg-zero{stroke:var(--fg);stroke-width:1.5;fill:none}"
        ".mg-threshold{stroke:var(--fg);stroke-width:1.5;stroke-dasharray:6 4;fill:none}"
        ".mg-band{fill:var(--band);opacity:.35}.mg-line{stroke:var(--info);stroke-width:2;"
        "fill:none}.mg-point{fill:var(--info)}.mg-prod{fill:var(--manual);stroke:var(--fg)}"
        ".mg-base{fill:none;stroke:var(--fg);stroke-width:2}.mg-arrow{stroke:var(--muted);"
        "stroke-width:2;fill:none}.mg-whisker{fill:none;stroke-width:2;stroke:var(--fg)}"
        "path.mg-cand{stroke:var(--fg);stroke-width:1}path.mg-pass{fill:var(--pass)}.mg-now{fill:"
        "var(--fg)}"
        "path.mg-fail{fill:var(--fail)}path.mg-skip{fill:var(--skip)}path.mg-error"
        "{fill:var(--error)}.mg-whisker.mg-pass{stroke:var(--pass)}.mg-whisker.mg-fail"
        "{stroke:var(--fail)}";
/* phones: a check is a card (id and status, then what it says), headers kept for readers */
static const char css_phone[] =
        "@media (max-width:640px){main{padding:8px 10px 24px}.mg-checks,.mg-metrics,.mg-checks "
        "tbody,.mg-metrics tbody{display:block;width:100%}.mg-checks thead,.mg-metrics thead"
        "{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}"
        ".mg-checks tr,.mg-metrics tr{display:grid;grid-template-columns:minmax(0,1fr) auto;"
        "border-bottom:1px solid var(--line);padding:3px 0}.mg-checks td,.mg-metrics td"
        "{display:block;border:0;padding:2px 4px}.mg-checks td:nth-child(3){grid-column:1/-1}"
        ".mg-checks td:nth-child(4){display:none}.mg-metrics tr{grid-template-columns:"
        "repeat(3,minmax(0,1fr))}.mg-metrics td:first-child,.mg-metrics td:nth-child(5),"
        ".mg-metrics td:nth-child(6){grid-column:1/-1}.mg-metrics td[data-label]::before{"
        "content:attr(data-label) ' ';color:var(--muted)}}"
        "footer{max-width:980px;margin:0 auto;padding:0 16px "
        "16px;color:var(--muted);font-size:.85em}\n";

void mg_html_name(struct mg_html_page *p, const char *s)
{
	mg_chart_escape(p->out, s ? s : "", MG_TEXT_NAME_MAX, p->in->secrets);
}

void mg_html_text(struct mg_html_page *p, const char *s)
{
	mg_chart_escape(p->out, s ? s : "", MG_TEXT_MESSAGE_MAX, p->in->secrets);
}

const char *mg_html_status_class(enum mg_status st)
{
	static const char *const cls[] = {"mg-pass", "mg-skip", "mg-fail", "mg-error"};

	return cls[st];
}

const char *mg_html_status_word(enum mg_status st)
{
	static const char *const word[] = {"\xe2\x9c\x93 passed", "\xe2\x80\x93 skipped",
	                                   "\xe2\x9c\x97 failed", "! error"};

	return word[st];
}

/* What a verdict is called on the page, its class, and its rank for the overall verdict. */
struct verdict_look {
	const char *verdict, *word, *cls, *data;
	int rank;
};

static const struct verdict_look looks[] = {
        {"passed", "\xe2\x9c\x93 passed", "mg-pass", "passed", 0},
        {"manual", "? needs a human", "mg-manual", "manual", 1},
        {"error", "! error: could not decide", "mg-error", "error", 2},
        {"failed", "\xe2\x9c\x97 rejected", "mg-fail", "rejected", 3},
};

static const struct verdict_look *look(const char *verdict)
{
	for (size_t i = 0; i < MG_ARRAY_SIZE(looks); i++)
		if (!strcmp(looks[i].verdict, verdict))
			return &looks[i];
	return &looks[2];
}

/*
 * A gate's verdict: the one it recorded, but never better than its checks say (a "passed"
 * beside a failed or an error check is edited evidence: shown failed or error); without one,
 * its checks'.
 */
static const char *suite_verdict(const struct mg_suite *s)
{
	const char *v = mg_suite_prop(s, "mlgate.verdict");
	struct mg_counts c;

	mg_suite_counts(s, &c);
	if (v && (!strcmp(v, "passed") || !strcmp(v, "manual"))) {
		/* as mg_gate_verdict: an error check first, then a failed one */
		if (c.errors || c.failures)
			return c.errors ? "error" : "failed";
		return v;
	}
	if (v && (!strcmp(v, "failed") || !strcmp(v, "error")))
		return v;
	if (c.errors || !c.tests)
		return "error";
	return c.failures ? "failed" : "passed";
}

static bool same_prop(const struct mg_suite *a, const struct mg_suite *b, const char *name)
{
	const char *x = mg_suite_prop(a, name), *y = mg_suite_prop(b, name);

	return x && y && !strcmp(x, y);
}

/* The same run seen twice (its JUnit and its JSON decision): shown once. */
static bool same_run(const struct mg_suite *a, const struct mg_suite *b)
{
	if (!same_prop(a, b, "mlgate.gate") || !same_prop(a, b, "mlgate.finished") ||
	    !same_prop(a, b, "mlgate.version") || !same_prop(a, b, "mlgate.model") ||
	    a->nchecks != b->nchecks)
		return false;
	for (size_t i = 0; i < a->nchecks; i++)
		if (strcmp(a->checks[i].id, b->checks[i].id) ||
		    a->checks[i].status != b->checks[i].status)
			return false;
	return true;
}

/* Whether JSON decision `d` is the decision of the run of suite `s`. */
static bool doc_matches(const cJSON *d, const struct mg_suite *s, const char *gate)
{
	const char *f = mg_suite_prop(s, "mlgate.finished"),
	           *v = mg_suite_prop(s, "mlgate.version");
	const cJSON *checks = cJSON_GetObjectItemCaseSensitive(d, "checks"), *c;
	size_t i = 0;

	if (!f || strcmp(mg_json_str(d, "finished"), f) || strcmp(mg_json_str(d, "gate"), gate) ||
	    strcmp(mg_json_str(d, "version"), v ? v : "") ||
	    (size_t)cJSON_GetArraySize(checks) != s->nchecks)
		return false;
	cJSON_ArrayForEach(c, checks)
	{
		if (strcmp(mg_json_str(c, "id"), s->checks[i++].id))
			return false;
	}
	return true;
}

static int collect(struct mg_html_page *p, struct mg_err *err)
{
	const struct mg_result *r = p->in->result;

	p->docs = mg_xcalloc(p->in->njson + 1, sizeof(*p->docs));
	for (size_t i = 0; i < p->in->njson; i++) {
		p->docs[i] = mg_json_parse(p->in->json[i], strlen(p->in->json[i]), "JSON decision",
		                           MG_EXIT_USAGE, err);
		if (!p->docs[i])
			return -1;
		p->ndocs++;
	}
	p->g = mg_xcalloc(r ? r->nsuites + 1 : 1, sizeof(*p->g));
	for (size_t i = 0; r && i < r->nsuites; i++) {
		const struct mg_suite *s = &r->suites[i];
		struct mg_html_gate *g;
		bool dup = false;

		for (size_t j = 0; j < p->n && !dup; j++)
			dup = same_run(p->g[j].s, s);
		if (dup)
			continue;
		g = &p->g[p->n];
		g->s = s;
		g->gate =
		        mg_suite_prop(s, "mlgate.gate") ? mg_suite_prop(s, "mlgate.gate") : s->name;
		g->verdict = suite_verdict(s);
		g->index = p->n++;
		for (size_t j = 0; j < p->ndocs && !g->json; j++)
			if (doc_matches(p->docs[j], s, g->gate))
				g->json = p->docs[j];
	}
	return 0;
}

/* The first value of property `name` over the gates, or NULL. */
static const char *first_prop(const struct mg_html_page *p, const char *name)
{
	for (size_t i = 0; i < p->n; i++) {
		const char *v = mg_suite_prop(p->g[i].s, name);

		if (v && *v)
			return v;
	}
	return NULL;
}

static const struct verdict_look *overall(const struct mg_html_page *p)
{
	const struct verdict_look *worst = &looks[0];

	if (!p->n)
		return &looks[2];
	for (size_t i = 0; i < p->n; i++)
		if (look(p->g[i].verdict)->rank > worst->rank)
			worst = look(p->g[i].verdict);
	return worst;
}

/* The gate's name, and its target for promote ("promote to stage:Production"). */
static void gate_label(struct mg_html_page *p, const struct mg_html_gate *g)
{
	const char *target = mg_suite_prop(g->s, "mlgate.promote.target");

	mg_html_name(p, g->gate);
	if (target && *target) {
		mg_buf_adds(p->out, " to ");
		mg_html_name(p, target);
	}
}

static void fact(struct mg_html_page *p, const char *label, const char *value, bool code)
{
	if (!value || !*value)
		return;
	mg_buf_addf(p->out, "<dt>%s</dt><dd>%s", label, code ? "<code>" : "");
	mg_html_name(p, value);
	mg_buf_addf(p->out, "%s</dd>", code ? "</code>" : "");
}

static bool http_link(const char *url)
{
	return url && (!strncmp(url, "https://", 8) || !strncmp(url, "http://", 7)) &&
	       !strpbrk(url, " \t\r\n\"'<>");
}

static void banner(struct mg_html_page *p)
{
	const struct verdict_look *o = overall(p);
	const char *model = first_prop(p, "mlgate.model"),
	           *version = first_prop(p, "mlgate.version");
	char t[MG_TIME_LEN];

	mg_buf_addf(p->out, "<section class=\"mg-banner %s\" id=\"overall\" data-verdict=\"%s\">",
	            o->cls, o->data);
	mg_buf_addf(p->out, "<h1><span class=\"mg-status %s\">%s</span>", o->cls, o->word);
	if (model) {
		mg_buf_adds(p->out, ": ");
		mg_html_name(p, model);
		if (version) {
			mg_buf_adds(p->out, " version ");
			mg_html_name(p, version);
		}
	}
	mg_buf_adds(p->out, "</h1><ul class=\"mg-gates\" aria-label=\"verdict per gate\">");
	for (size_t i = 0; i < p->n; i++) {
		const struct verdict_look *l = look(p->g[i].verdict);

		mg_buf_addf(p->out, "<li data-gate=\"");
		mg_html_name(p, p->g[i].gate);
		mg_buf_addf(p->out, "\" data-verdict=\"%s\"><a href=\"#gate-%zu\">", l->data, i);
		gate_label(p, &p->g[i]);
		mg_buf_addf(p->out, "</a>: <span class=\"mg-status %s\">%s</span></li>", l->cls,
		            l->word);
	}
	mg_buf_adds(p->out, "</ul><dl class=\"mg-facts\">");
	fact(p, "model", model, false);
	fact(p, "version", version, false);
	fact(p, "commit", first_prop(p, "mlgate.git.commit"), true);
	fact(p, "registry", first_prop(p, "mlgate.registry"), true);
	if (http_link(p->in->run_url)) {
		mg_buf_adds(p->out, "<dt>CI run</dt><dd><a href=\"");
		mg_html_name(p, p->in->run_url);
		mg_buf_adds(p->out, "\">");
		mg_html_name(p, p->in->run_url);
		mg_buf_adds(p->out, "</a></dd>");
	}
	fact(p, "policy sha256", first_prop(p, "mlgate.policy.sha256"), true);
	fact(p, "mlgate", first_prop(p, "mlgate.tool.version"), false);
	mg_buf_addf(p->out, "<dt>generated</dt><dd>%s</dd></dl></section>",
	            mg_time_format(p->in->generated, MG_TIME_ZULU, t));
}

/* Exit 4: the decision is a person's. */
static void human_todo(struct mg_html_page *p)
{
	bool any = false;

	for (size_t i = 0; i < p->n; i++)
		any |= !strcmp(p->g[i].verdict, "manual");
	if (!any)
		return;
	mg_buf_adds(p->out,
	            "<section class=\"mg-todo\" id=\"human\"><h2>What a human must do</h2><p>The "
	            "gates left this decision to a person (verdict manual, exit 4). Read the "
	            "evidence below, then either approve the promotion with "
	            "<code>mlgate-promote --approve --override-reason TEXT</code> (recorded on the "
	            "version with your reason) or reject it with <code>mlgate-promote "
	            "--reject</code>; on Databricks, approve or reject the pending transition "
	            "request.</p><ul>");
	for (size_t i = 0; i < p->n; i++) {
		const struct mg_suite *s = p->g[i].s;

		if (strcmp(p->g[i].verdict, "manual"))
			continue;
		for (size_t j = 0; j < s->nchecks; j++) {
			if (s->checks[j].status == MG_STATUS_PASSED || !s->checks[j].message)
				continue;
			mg_buf_adds(p->out, "<li><code>");
			mg_html_name(p, s->checks[j].id);
			mg_buf_adds(p->out, "</code>: ");
			mg_html_text(p, s->checks[j].message);
			mg_buf_adds(p->out, "</li>");
		}
	}
	mg_buf_adds(p->out, "</ul></section>");
}

size_t mg_html_checks(struct mg_html_page *p, const struct mg_html_gate *g,
                      bool (*keep)(const struct mg_check *c, const void *arg), const void *arg,
                      const char *caption)
{
	size_t n = 0;
	char secs[MG_SECONDS_LEN];

	for (size_t j = 0; j < g->s->nchecks; j++) {
		const struct mg_check *c = &g->s->checks[j];

		if (keep && !keep(c, arg))
			continue;
		if (!n++) {
			mg_buf_adds(p->out, "<table class=\"mg-checks\">");
			if (caption)
				mg_buf_addf(p->out, "<caption>%s</caption>", caption);
			mg_buf_adds(p->out,
			            "<colgroup><col class=\"mg-c-id\"><col class=\"mg-c-st\">"
			            "<col><col class=\"mg-c-t\"></colgroup><thead><tr><th "
			            "scope=\"col\">check</th><th scope=\"col\">status</th><th "
			            "scope=\"col\">what it says</th><th scope=\"col\">time "
			            "(s)</th></tr></thead><tbody>");
		}
		mg_buf_addf(p->out, "<tr data-gate=\"");
		mg_html_name(p, g->gate);
		mg_buf_adds(p->out, "\" data-check=\"");
		mg_html_name(p, c->id);
		mg_buf_addf(p->out, "\" data-status=\"%s\"><td><code>", mg_status_name(c->status));
		mg_html_name(p, c->id);
		mg_buf_addf(p->out,
		            "</code></td><td><span class=\"mg-status %s\">%s</span></td><td>",
		            mg_html_status_class(c->status), mg_html_status_word(c->status));
		mg_html_text(p, c->message);
		if (c->details && *c->details) {
			mg_buf_adds(p->out, "<details><summary>details</summary><pre>");
			mg_html_text(p, c->details);
			mg_buf_adds(p->out, "</pre></details>");
		}
		mg_buf_addf(p->out, "</td><td>%s</td></tr>", mg_result_seconds(c->duration, secs));
	}
	if (n)
		mg_buf_adds(p->out, "</tbody></table>");
	return n;
}

static void registry_changes(struct mg_html_page *p)
{
	bool any = false;

	for (size_t i = 0; i < p->n; i++) {
		const cJSON *j = p->g[i].json, *ch, *failed;
		bool dry;

		if (!j)
			continue;
		ch = cJSON_GetObjectItemCaseSensitive(j, "registry_changes");
		failed = cJSON_GetObjectItemCaseSensitive(j, "registry_change_failed");
		dry = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "dry_run"));
		if (!cJSON_GetArraySize(ch) && !cJSON_IsObject(failed))
			continue;
		if (!any)
			mg_buf_adds(p->out,
			            "<section id=\"registry-changes\"><h2>Registry changes</h2>");
		any = true;
		mg_buf_adds(p->out, "<h3>");
		mg_html_name(p, p->g[i].gate);
		mg_buf_addf(p->out, ": %s</h3><ul>", dry ? "planned (dry run), not made" : "made");
		for (const cJSON *c = ch ? ch->child : NULL; c; c = c->next)
			if (cJSON_IsString(c)) {
				mg_buf_adds(p->out, "<li>");
				mg_html_text(p, c->valuestring);
				mg_buf_adds(p->out, "</li>");
			}
		if (cJSON_IsObject(failed)) {
			mg_buf_adds(p->out,
			            "<li><span class=\"mg-status mg-error\">! failed:</span> ");
			mg_html_text(p, mg_json_str(failed, "change"));
			mg_buf_adds(p->out, ": ");
			mg_html_text(p, mg_json_str(failed, "error"));
			mg_buf_adds(p->out, "</li>");
		}
		mg_buf_adds(p->out, "</ul>");
	}
	if (any)
		mg_buf_adds(p->out, "</section>");
}

static void gate_section(struct mg_html_page *p, const struct mg_html_gate *g)
{
	const struct verdict_look *l = look(g->verdict);
	struct mg_counts c;
	char secs[MG_SECONDS_LEN];
	const char *fin = mg_suite_prop(g->s, "mlgate.finished");

	mg_suite_counts(g->s, &c);
	mg_buf_addf(p->out, "<section class=\"mg-gate\" id=\"gate-%zu\" data-gate=\"", g->index);
	mg_html_name(p, g->gate);
	mg_buf_addf(p->out, "\" data-verdict=\"%s\"><h2>", l->data);
	gate_label(p, g);
	mg_buf_addf(p->out, ": <span class=\"mg-status %s\">%s</span></h2><p class=\"mg-note\">",
	            l->cls, l->word);
	mg_html_name(p, g->s->name);
	mg_buf_addf(p->out, "; %zu %s: %zu passed, %zu failed, %zu %s, %zu skipped; %s s", c.tests,
	            mg_plural(c.tests, "check", "checks"), c.passed, c.failures, c.errors,
	            mg_plural(c.errors, "error", "errors"), c.skipped,
	            mg_result_seconds(c.time, secs));
	if (fin) {
		mg_buf_adds(p->out, "; finished ");
		mg_html_name(p, fin);
	}
	mg_buf_adds(p->out, "</p>");
	if (!strcmp(g->gate, "compare"))
		mg_html_compare(p, g);
	else if (!strcmp(g->gate, "smoke"))
		mg_html_smoke(p, g);
	if (!strcmp(g->gate, "comply"))
		mg_html_comply(p, g);
	else
		mg_html_checks(p, g, NULL, NULL, NULL);
	mg_buf_adds(p->out, "</section>");
}

/*
 * One page is one promotion: evidence of two models or two versions would show one version's
 * verdicts under the other's name.
 */
static int one_promotion(const struct mg_html_page *p, struct mg_err *err)
{
	static const char *const props[] = {"mlgate.model", "mlgate.version"};

	for (size_t k = 0; k < MG_ARRAY_SIZE(props); k++) {
		const struct mg_html_gate *first = NULL;

		for (size_t i = 0; i < p->n; i++) {
			const char *v = mg_suite_prop(p->g[i].s, props[k]);

			if (!v || !*v)
				continue;
			if (!first)
				first = &p->g[i];
			else if (strcmp(mg_suite_prop(first->s, props[k]), v))
				return mg_err_set(err, MG_EXIT_USAGE,
				                  "html: the %s evidence is of %s '%s', the %s "
				                  "evidence of '%s': one page is one promotion",
				                  first->gate, props[k] + 7,
				                  mg_suite_prop(first->s, props[k]), p->g[i].gate,
				                  v);
		}
	}
	return 0;
}

int mg_html_render(const struct mg_html_in *in, struct mg_buf *out, struct mg_err *err)
{
	struct mg_html_page p = {.in = in, .out = out};
	const char *model, *version;
	char t[MG_TIME_LEN];
	int ret = -1;

	if (collect(&p, err) || one_promotion(&p, err))
		goto done;
	model = first_prop(&p, "mlgate.model");
	version = first_prop(&p, "mlgate.version");
	mg_buf_adds(out, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	                 "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
	                 "<meta name=\"color-scheme\" content=\"light dark\">"
	                 "<meta name=\"generator\" content=\"mlgate-report html\"><title>mlgate: ");
	mg_buf_adds(out, overall(&p)->data);
	if (model) {
		mg_buf_adds(out, ": ");
		mg_html_name(&p, model);
		if (version) {
			mg_buf_adds(out, " version ");
			mg_html_name(&p, version);
		}
	}
	mg_buf_addf(out, "</title><style>%s%s</style></head><body><main>", css, css_phone);
	banner(&p);
	human_todo(&p);
	for (size_t i = 0; i < p.n; i++)
		gate_section(&p, &p.g[i]);
	if (in->history)
		mg_html_history(&p);
	registry_changes(&p);
	mg_buf_addf(out,
	            "</main><footer><p>Generated by mlgate-report html at %s from %zu gate "
	            "%s.</p></footer></body></html>\n",
	            mg_time_format(in->generated, MG_TIME_ZULU, t), p.n,
	            mg_plural(p.n, "run", "runs"));
	if (mg_buf_overflowed(out)) {
		mg_err_set(err, MG_EXIT_INFRA, "the HTML report is larger than %zu bytes",
		           out->max);
		goto done;
	}
	ret = 0;
done:
	for (size_t i = 0; i < p.ndocs; i++)
		cJSON_Delete(p.docs[i]);
	free(p.docs);
	free(p.g);
	return ret;
}
