/*
 * --log-artifact: the gate's HTML report, attached where reviewers look.
 * On MLflow (REST with --serve-artifacts, SQLite) the page is uploaded to
 * the candidate's run as mlgate/<gate>-report.html, next to the model in
 * the MLflow UI; on a Databricks workspace registry the gate's comment links
 * it; Unity Catalog has neither and is refused before anything is read.
 * The upload is one of the gate's registry writes (mg_writes): made after the
 * checks decided, before the verdict is recorded, so a refused upload ends
 * the run like any failed write (exit 3, what was changed said) and nothing
 * is approved.
 */
#include "setup.h"
#include "gate.h"
#include "text.h"

int mg_gate_artifact_check(struct mg_gate_end *e, struct mg_registry *reg, struct mg_err *err)
{
	struct mg_err why = MG_ERR_INIT;
	struct mg_buf url = MG_BUF_INIT(MG_BUF_SMALL);
	int mode;

	if (!e->o->log_artifact)
		return 0;
	mode = mg_registry_artifact_mode(reg, &why);
	if (mode < 0)
		return mg_err_set(err, MG_EXIT_USAGE, "--log-artifact: %s", why.msg);
	if (mode == MG_ARTIFACT_LINK) {
		mg_gate_report_line(true, &url);
		mode = url.len ? mode : -1;
		mg_buf_release(&url);
		if (mode < 0)
			return mg_err_set(
			        err, MG_EXIT_USAGE,
			        "--log-artifact: registry '%s' (%s backend) takes no "
			        "artifacts, so the comment links the report, but there is "
			        "nothing to link: set MLGATE_REPORT_URL to where CI "
			        "publishes it, or run in GitHub Actions or Azure Pipelines",
			        mg_registry_uri(reg), mg_registry_backend(reg));
		e->run->report_link = true;
	}
	return 0;
}

void mg_gate_report_line(bool on, struct mg_buf *out)
{
	const char *env = getenv("MLGATE_REPORT_URL");
	struct mg_buf url = MG_BUF_INIT(MG_BUF_SMALL);

	if (!on)
		return;
	if (env && *env) {
		mg_buf_addf(out, "HTML report: %s\n", env);
		return;
	}
	mg_gate_run_url(&url);
	if (url.len)
		mg_buf_addf(out, "HTML report: %s (artifact of the CI run)\n", url.buf);
	mg_buf_release(&url);
}

static void add_escaped(struct mg_buf *out, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<':
			mg_buf_adds(out, "&lt;");
			break;
		case '>':
			mg_buf_adds(out, "&gt;");
			break;
		case '&':
			mg_buf_adds(out, "&amp;");
			break;
		case '"':
			mg_buf_adds(out, "&quot;");
			break;
		default:
			mg_buf_addch(out, *s);
		}
	}
}

/* The page (a stand-in until the HTML reporter lands: verdict and checks). */
static void render(const struct mg_gate_end *e, struct mg_buf *page)
{
	const struct mg_suite *s = e->suite;

	mg_buf_adds(page, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	                  "<title>mlgate ");
	add_escaped(page, e->run->gate);
	mg_buf_adds(page, ": ");
	add_escaped(page, e->run->model);
	mg_buf_adds(page, " v");
	add_escaped(page, e->run->version);
	mg_buf_adds(page, "</title></head><body><h1>");
	add_escaped(page, e->run->gate);
	mg_buf_adds(page, " ");
	add_escaped(page, e->run->verdict);
	mg_buf_adds(page, "</h1><ul>\n");
	for (size_t i = 0; i < s->nchecks; i++) {
		mg_buf_adds(page, "<li>");
		add_escaped(page, s->checks[i].id);
		mg_buf_adds(page, ": ");
		add_escaped(page, mg_status_name(s->checks[i].status));
		mg_buf_adds(page, " ");
		add_escaped(page, s->checks[i].message);
		mg_buf_adds(page, "</li>\n");
	}
	mg_buf_adds(page, "</ul></body></html>\n");
}

int mg_gate_artifact_upload(struct mg_gate_end *e, struct mg_err *err)
{
	struct mg_buf path = MG_BUF_INIT(MG_BUF_SMALL), page = MG_BUF_INIT(MG_BUF_LARGE);
	const char *run_id = e->mv ? e->mv->run_id : NULL;
	bool dry = e->writes->dry_run;
	int rc = -1;

	if (e->run->report_link || !e->reg)
		return 0; /* the comment links it */
	mg_buf_addf(&path, "mlgate/%s-report.html", e->run->gate);
	if (!run_id || !*run_id) {
		mg_err_set(err, MG_EXIT_USAGE,
		           "--log-artifact: model '%s' version %s has no run to attach the report "
		           "to",
		           e->run->model, e->run->version);
		mg_writes_record(e->writes, -1, err, "upload %s", path.buf);
		goto done;
	}
	/* the page shows the evidence as it will be published */
	mg_gate_evidence(e->suite, e->run);
	render(e, &page);
	if (mg_buf_overflowed(&page)) {
		mg_err_set(err, MG_EXIT_INFRA, "--log-artifact: the report is too large");
		mg_writes_record(e->writes, -1, err, "upload %s", path.buf);
		goto done;
	}
	rc = dry ? 0 : mg_registry_log_artifact(e->reg, run_id, path.buf, page.buf, page.len, err);
	rc = mg_writes_record(e->writes, rc, err,
	                      "%s %s (%zu bytes) to run %s of model '%s' version %s",
	                      dry  ? "would upload"
	                      : rc ? "upload"
	                           : "uploaded",
	                      path.buf, page.len, run_id, e->run->model, e->run->version);
done:
	mg_buf_release(&path);
	mg_buf_release(&page);
	return rc;
}
