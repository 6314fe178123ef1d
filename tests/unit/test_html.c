#include "setup.h"
#include "unit.h"
#include "html.h"

#include <math.h>
#include <stdlib.h>

static const char compare_json[] =
        "{\"gate\":\"compare\",\"verdict\":\"failed\",\"model\":\"m\",\"version\":\"3\","
        "\"finished\":\"2026-01-01T00:00:00Z\",\"started\":\"2026-01-01T00:00:00Z\","
        "\"checks\":[{\"id\":\"compare.metric.auc\",\"status\":\"failed\",\"message\":"
        "\"candidate 0.902, production 0.934, delta -0.032\"}],\"dry_run\":true,"
        "\"registry_changes\":[\"set tag a=b\"],\"registry_change_failed\":null,"
        "\"compare\":{\"baseline\":{\"selector\":\"stage Production\",\"version\":\"1\"},"
        "\"metrics\":[{\"name\":\"auc\",\"id\":\"compare.metric.auc\",\"candidate\":0.902,"
        "\"baseline\":0.934,\"delta\":-0.032,\"rule\":\"higher is better; threshold >= 0.9; "
        "max_regression 0.01\",\"verdict\":\"failed\",\"delta_ci_low\":-0.05,"
        "\"delta_ci_high\":-0.01}]}}";

static void render(const struct mg_html_evidence *ev, const struct mg_html_history *h,
                   struct mg_buf *out)
{
	struct mg_html_in in = {&ev->result, (const char *const *)ev->json, ev->njson, h, NULL,
	                        1700000000,  "https://ci.example/run/1"};
	struct mg_err err = MG_ERR_INIT;

	CU_ASSERT_EQUAL(mg_html_render(&in, out, &err), 0);
}

static void test_html__from_json(void)
{
	struct mg_html_evidence ev;
	struct mg_buf a = MG_BUF_INIT(MG_HTML_MAX), b = MG_BUF_INIT(MG_HTML_MAX);
	struct mg_err err = MG_ERR_INIT;

	mg_html_evidence_init(&ev);
	CU_ASSERT_EQUAL(mg_html_read_mem("c.json", compare_json, strlen(compare_json), &ev, &err),
	                0);
	CU_ASSERT_EQUAL(ev.result.nsuites, 1);
	CU_ASSERT_EQUAL(ev.njson, 1);
	render(&ev, NULL, &a);
	CU_ASSERT_PTR_NOT_NULL(strstr(a.buf, "id=\"overall\" data-verdict=\"rejected\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(
	        a.buf, "<tr data-metric=\"auc\" data-status=\"failed\"><td><code>auc</code>"
	               "</td><td data-label=\"production\">0.934</td><td data-label=\"candidate\">"
	               "0.902</td><td data-label=\"delta\">-0.032</td>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(a.buf, "class=\"mg-band\"")); /* tolerated band */
	CU_ASSERT_PTR_NOT_NULL(
	        strstr(a.buf, "candidate interval 0.884 to 0.924")); /* from delta CI */
	CU_ASSERT_PTR_NOT_NULL(strstr(a.buf, "planned (dry run), not made"));
	CU_ASSERT_PTR_NOT_NULL(strstr(a.buf, "<a href=\"https://ci.example/run/1\">"));
	CU_ASSERT_PTR_NOT_NULL(strstr(a.buf, "2023-11-14T22:13:20Z"));
	CU_ASSERT_PTR_NULL(strstr(a.buf, "<script"));
	/* deterministic */
	render(&ev, NULL, &b);
	ASSERT_STR(a.buf, b.buf);
	mg_buf_release(&a);
	mg_buf_release(&b);
	mg_html_evidence_release(&ev);
}

static void test_html__hostile(void)
{
	struct mg_result r;
	struct mg_suite *s;
	struct mg_html_in in = {&r, NULL, 0, NULL, NULL, 0, "javascript:alert(1)"};
	struct mg_buf out = MG_BUF_INIT(MG_HTML_MAX);
	struct mg_err err = MG_ERR_INIT;
	struct mg_secrets sec = MG_SECRETS_INIT;

	mg_secrets_add(&sec, "hunter2secret");
	in.secrets = &sec;
	mg_result_init(&r, "x");
	s = mg_result_add_suite(&r, "comply");
	mg_suite_set_prop(s, "mlgate.gate", "comply");
	mg_suite_set_prop(s, "mlgate.verdict", "manual");
	mg_suite_set_prop(s, "mlgate.model", "<script>alert(1)</script>");
	/* skipped, as a manual verdict's checks are (a failed one would make it failed) */
	mg_suite_add(s, "compliance.tag.x\"onmouseover=\"x", MG_STATUS_SKIPPED,
	             "</svg></table><img src=x onerror=alert(1)> \xe2\x80\xae evil hunter2secret");
	CU_ASSERT_EQUAL(mg_html_render(&in, &out, &err), 0);
	CU_ASSERT_PTR_NULL(strstr(out.buf, "<script>"));
	CU_ASSERT_PTR_NULL(strstr(out.buf, "<img"));
	CU_ASSERT_PTR_NULL(strstr(out.buf, "\"onmouseover"));
	CU_ASSERT_PTR_NULL(strstr(out.buf, "\xe2\x80\xae"));
	CU_ASSERT_PTR_NULL(strstr(out.buf, "hunter2secret"));
	CU_ASSERT_PTR_NULL(strstr(out.buf, "javascript:"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out.buf, "&lt;script&gt;alert(1)&lt;/script&gt;"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out.buf, "#x202E evil ***"));
	/* manual: the page says what a human must do */
	CU_ASSERT_PTR_NOT_NULL(strstr(out.buf, "data-verdict=\"manual\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(out.buf, "What a human must do"));
	mg_buf_release(&out);
	mg_result_release(&r);
	mg_secrets_release(&sec);
}

static void test_html__history_and_dedup(void)
{
	struct mg_html_evidence ev;
	struct mg_html_history h;
	struct mg_buf out = MG_BUF_INIT(MG_HTML_MAX);
	struct mg_err err = MG_ERR_INIT;
	size_t v;

	mg_html_evidence_init(&ev);
	/* the same decision twice is shown once */
	CU_ASSERT_EQUAL(mg_html_read_mem("a.json", compare_json, strlen(compare_json), &ev, &err),
	                0);
	CU_ASSERT_EQUAL(mg_html_read_mem("b.json", compare_json, strlen(compare_json), &ev, &err),
	                0);
	mg_html_history_init(&h, "m");
	v = mg_html_history_add_version(&h, "1", "Production", true);
	mg_html_history_set(&h, v, mg_html_history_metric(&h, "auc"), 0.934);
	v = mg_html_history_add_version(&h, "2", "Archived", false);
	mg_html_history_set(&h, v, mg_html_history_metric(&h, "loss"), 1.5);
	v = mg_html_history_add_version(&h, "3", "Staging", false);
	mg_html_history_set(&h, v, mg_html_history_metric(&h, "auc"), 0.902);
	CU_ASSERT(isnan(mg_html_history_get(&h, 1, 0)));
	render(&ev, &h, &out);
	CU_ASSERT_PTR_NOT_NULL(strstr(out.buf, "from 1 gate run."));
	CU_ASSERT_PTR_NOT_NULL(strstr(out.buf, "History: m, the last 3 versions"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out.buf, "reached production: version 1"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out.buf, "candidate version 3: 0.902"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out.buf, "1 more metric not drawn")); /* loss: not compared */
	mg_buf_release(&out);
	mg_html_history_release(&h);
	mg_html_evidence_release(&ev);
}

static void test_html__bad_input(void)
{
	struct mg_html_evidence ev;
	struct mg_err err = MG_ERR_INIT;
	time_t t;

	mg_html_evidence_init(&ev);
	CU_ASSERT_EQUAL(mg_html_read_mem("x.json", "{\"a\":1}", 7, &ev, &err), -1);
	CU_ASSERT_EQUAL(err.code, MG_EXIT_USAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "'x.json' is not a mlgate JSON decision"));
	mg_err_clear(&err);
	CU_ASSERT_EQUAL(mg_html_read_mem("x.json", "{\"a\":", 5, &ev, &err), -1);
	mg_err_clear(&err);
	CU_ASSERT_EQUAL(mg_html_read_mem("x.xml", "<nope", 5, &ev, &err), -1);
	CU_ASSERT_EQUAL(err.code, MG_EXIT_USAGE);
	mg_err_clear(&err);
	setenv("SOURCE_DATE_EPOCH", "12x", 1);
	CU_ASSERT_EQUAL(mg_html_generated(&t, &err), -1);
	mg_err_clear(&err);
	setenv("SOURCE_DATE_EPOCH", "86400", 1);
	CU_ASSERT_EQUAL(mg_html_generated(&t, &err), 0);
	CU_ASSERT_EQUAL(t, 86400);
	unsetenv("SOURCE_DATE_EPOCH");
	mg_html_evidence_release(&ev);
}

static void test_html__junit_only_and_smoke(void)
{
	struct mg_html_evidence ev;
	struct mg_buf out = MG_BUF_INIT(MG_HTML_MAX);
	struct mg_err err = MG_ERR_INIT;
	struct mg_suite *s;

	mg_html_evidence_init(&ev);
	/* compare's numbers from its JUnit messages when there is no JSON decision */
	CU_ASSERT_EQUAL(mg_html_read("fixtures/html/compare-v3.xml", 0, &ev, &err), 0);
	s = mg_result_add_suite(&ev.result, "smoke");
	mg_suite_set_prop(s, "mlgate.gate", "smoke");
	mg_suite_add(s, "serve", MG_STATUS_FAILED, "latency p95 88.0 ms is over the budget 40 ms");
	mg_suite_add(s, "serve-fast", MG_STATUS_PASSED,
	             "100 predictions in 2 batches of up to 50; 2 requests; latency p50 3.1 ms, "
	             "p95 4.2 ms, max 4.4 ms");
	render(&ev, NULL, &out);
	CU_ASSERT_PTR_NOT_NULL(strstr(out.buf, "<tr data-metric=\"roc_auc\" data-status=\"failed\">"
	                                       "<td><code>roc_auc</code></td><td data-label="
	                                       "\"production\">0.934</td>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out.buf, "(higher is better)"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out.buf, "<caption>Prediction latency</caption>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out.buf, "<td><code>serve</code></td><td>n/a</td><td>88</td>"
	                                       "<td>p95 \xe2\x89\xa4 40</td>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out.buf, "<td><code>serve-fast</code></td><td>3.1</td><td>"
	                                       "4.2</td><td>met</td>"));
	mg_buf_release(&out);
	mg_html_evidence_release(&ev);
}

static void test_html__comply_groups_waivers_warnings(void)
{
	struct mg_result r;
	struct mg_suite *s;
	struct mg_html_in in = {&r, NULL, 0, NULL, NULL, 0, NULL};
	struct mg_buf out = MG_BUF_INIT(MG_HTML_MAX);
	struct mg_err err = MG_ERR_INIT;
	const char *tags, *docs, *lineage, *other;

	mg_result_init(&r, "x");
	s = mg_result_add_suite(&r, "comply");
	mg_suite_set_prop(s, "mlgate.gate", "comply");
	mg_suite_set_prop(s, "mlgate.verdict", "passed");
	mg_suite_add(s, "compliance.lineage.run", MG_STATUS_PASSED, "run r1, status FINISHED");
	mg_suite_add(s, "compliance.version_tag.owner", MG_STATUS_SKIPPED,
	             "waived until 2027-01-31 (owner risk@example.com, reason: audit pending); "
	             "would have failed: owner='bob'");
	mg_suite_add(s, "compliance.description", MG_STATUS_PASSED,
	             "warning: the description has 12 characters, the policy asks for 30");
	mg_suite_add(s, "compliance.custom", MG_STATUS_PASSED, NULL);
	CU_ASSERT_EQUAL(mg_html_render(&in, &out, &err), 0);
	tags = strstr(out.buf, "<caption>Tags</caption>");
	docs = strstr(out.buf, "<caption>Documentation</caption>");
	lineage = strstr(out.buf, "<caption>Lineage</caption>");
	other = strstr(out.buf, "<caption>Other checks</caption>");
	CU_ASSERT(tags && docs && lineage && other && tags < docs && docs < lineage &&
	          lineage < other);
	CU_ASSERT_PTR_NOT_NULL(strstr(out.buf, "<caption>Waivers</caption>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out.buf, "waived until 2027-01-31 (owner risk@example.com"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out.buf,
	                              "<h3>Warnings</h3><ul class=\"mg-warnings\"><li><code>"
	                              "compliance.description</code>: the description"));
	mg_buf_release(&out);
	mg_result_release(&r);
}

static const struct unit_test tests[] = {
        UNIT_TEST(test_html__from_json),
        UNIT_TEST(test_html__hostile),
        UNIT_TEST(test_html__history_and_dedup),
        UNIT_TEST(test_html__bad_input),
        UNIT_TEST(test_html__junit_only_and_smoke),
        UNIT_TEST(test_html__comply_groups_waivers_warnings),
        UNIT_END,
};

const struct unit_suite unit_suite_html = {"html", NULL, NULL, tests};
