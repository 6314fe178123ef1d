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
#include "html.h"
#include "json.h"
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

/* Reviewers ask for the trend: this many of the model's last versions are drawn. */
#define HISTORY_VERSIONS 20

/*
 * The page (reporters/html.h): this run's suite and JSON decision (with the
 * gate's own members: compare's metrics as numbers) and the registry
 * changes made so far, with the model's history when the registry gives it
 * (a history that cannot be read is said on stderr and left out: the
 * verdict does not depend on it).
 */
static int render(const struct mg_gate_end *e, struct mg_buf *page, struct mg_err *err)
{
	struct mg_buf json = MG_BUF_INIT(MG_BUF_LARGE), url = MG_BUF_INIT(MG_BUF_SMALL);
	struct mg_html_history history;
	struct mg_err herr = MG_ERR_INIT;
	struct mg_html_in in = {0};
	const char *docs[1];
	cJSON *doc;
	bool have_history;
	int ret = -1;

	mg_gate_json(e->run, e->suite, e->writes, &json);
	doc = mg_json_parse(json.buf, json.len, "the decision", MG_EXIT_INFRA, err);
	if (!doc)
		goto out;
	if (e->hooks->json)
		e->hooks->json(e->arg, doc);
	mg_buf_reset(&json);
	mg_json_emit(doc, &json);
	mg_html_history_init(&history, e->run->model);
	have_history = !mg_html_history_load(e->ctx, mg_registry_uri(e->reg), e->run->model,
	                                     HISTORY_VERSIONS, &history, &herr);
	if (!have_history)
		mg_warn(&e->ctx->log, "--log-artifact: the report shows no history: %s", herr.msg);
	mg_gate_run_url(&url);
	docs[0] = json.buf;
	in.result = e->result;
	in.json = docs;
	in.njson = 1;
	in.history = have_history ? &history : NULL;
	in.secrets = &e->ctx->secrets;
	in.run_url = url.len ? url.buf : NULL;
	if (!mg_html_generated(&in.generated, err) && !mg_html_render(&in, page, err))
		ret = 0;
	mg_html_history_release(&history);
out:
	mg_buf_release(&json);
	mg_buf_release(&url);
	return ret;
}

int mg_gate_artifact_upload(struct mg_gate_end *e, struct mg_err *err)
{
	struct mg_buf path = MG_BUF_INIT(MG_BUF_SMALL), page = MG_BUF_INIT(MG_HTML_MAX);
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
	if (render(e, &page, err)) {
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
